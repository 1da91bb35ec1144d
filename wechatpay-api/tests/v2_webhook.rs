//! APIv2 notifications end to end: documents built (signed, encrypted) by the test-server
//! side, checked, decrypted and read by `V2WebhookHandler`, with hand-written notification
//! kinds standing in for generated ones.

#[path = "support/openssl.rs"]
mod openssl;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use wechatpay_api::impl_params;
use wechatpay_api::runtime::ApiV3Key;
use wechatpay_api::runtime::v2::{
    ApiV2Key, NotificationEncryption, NotificationKind, Params, ReqInfoError, SignType,
    SignatureError, V2DecryptError, V2Reply, V2Verification, V2WebhookConfigError, V2WebhookError,
    V2WebhookHandler, xml,
};
use wechatpay_api::testing::{SentV2Notification, V2NotificationBuilder, keys};

/// Values that must never show up in `Debug` or `Display` output.
const SENTINEL: &str = "SENTINEL-7f3a";

#[derive(Debug, PartialEq)]
pub struct Empty {}
impl_params!(Empty {});

#[derive(Debug, PartialEq)]
pub struct PaymentEnvelope {
    pub appid: String,
    pub mch_id: String,
    pub out_trade_no: String,
    pub total_fee: i64,
    pub attach: Option<String>,
}
impl_params!(PaymentEnvelope {
    appid: "appid" required Text,
    mch_id: "mch_id" required Text,
    out_trade_no: "out_trade_no" required Text,
    total_fee: "total_fee" required Text,
    attach: "attach" optional Text,
});

pub struct Payment;
impl NotificationKind for Payment {
    const EVENT_TYPES: &'static [&'static str] = &["pay-notify"];
    const ENCRYPTED: Option<(&'static str, NotificationEncryption)> = None;
    type Envelope = PaymentEnvelope;
    type Resource = Empty;
}

#[derive(Debug, PartialEq)]
pub struct RefundEnvelope {
    pub appid: String,
    pub mch_id: String,
    pub nonce_str: String,
    pub req_info: String,
}
impl_params!(RefundEnvelope {
    appid: "appid" required Text,
    mch_id: "mch_id" required Text,
    nonce_str: "nonce_str" required Text,
    req_info: "req_info" required Text,
});

#[derive(Debug, PartialEq)]
pub struct RefundInfo {
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub refund_id: String,
    pub refund_fee: i64,
    pub total_fee: i64,
    pub refund_status: String,
    pub success_time: Option<String>,
    pub refund_recv_accout: Option<String>,
}
impl_params!(RefundInfo {
    out_refund_no: "out_refund_no" required Text,
    out_trade_no: "out_trade_no" required Text,
    refund_id: "refund_id" required Text,
    refund_fee: "refund_fee" required Text,
    total_fee: "total_fee" required Text,
    refund_status: "refund_status" required Text,
    success_time: "success_time" optional Text,
    refund_recv_accout: "refund_recv_accout" optional Text,
});

pub struct Refund;
impl NotificationKind for Refund {
    const EVENT_TYPES: &'static [&'static str] = &["refund-processed"];
    const ENCRYPTED: Option<(&'static str, NotificationEncryption)> =
        Some(("req_info", NotificationEncryption::AesEcb));
    type Envelope = RefundEnvelope;
    type Resource = RefundInfo;
}

#[derive(Debug, PartialEq)]
pub struct EventEnvelope {
    pub event_id: String,
    pub event_type: String,
    pub mch_id: String,
}
impl_params!(EventEnvelope {
    event_id: "event_id" required Text,
    event_type: "event_type" required Text,
    mch_id: "mch_id" required Text,
});

#[derive(Debug, PartialEq)]
pub struct EventResource {
    pub state: String,
    pub out_order_no: String,
    pub total_amount: i64,
}
impl_params!(EventResource {
    state: "state" required Text,
    out_order_no: "out_order_no" required Text,
    total_amount: "total_amount" required Text,
});

pub struct TransactionSuccess;
impl NotificationKind for TransactionSuccess {
    const EVENT_TYPES: &'static [&'static str] = &["TRANSACTION.SUCCESS"];
    const ENCRYPTED: Option<(&'static str, NotificationEncryption)> =
        Some(("event_ciphertext", NotificationEncryption::AesGcm));
    type Envelope = EventEnvelope;
    type Resource = EventResource;
}

fn handler() -> V2WebhookHandler {
    V2WebhookHandler::builder()
        .api_v2_key(ApiV2Key::new(keys::APIV2_KEY).unwrap())
        .api_v3_key(ApiV3Key::new(keys::APIV3_KEY).unwrap())
        .mch_id(keys::MERCHANT_ID)
        .build()
        .unwrap()
}

fn payment() -> V2NotificationBuilder {
    V2NotificationBuilder::payment([
        ("out_trade_no", "T20181119"),
        ("total_fee", "3960"),
        ("attach", SENTINEL),
    ])
}

const REFUND: [(&str, &str); 8] = [
    ("out_refund_no", "131811191610442717309"),
    ("out_trade_no", "71106718111915575302817"),
    ("refund_id", "50000408942018111907145868882"),
    ("refund_fee", "3960"),
    ("total_fee", "3960"),
    ("refund_status", "SUCCESS"),
    ("success_time", "2018-11-19 16:24:13"),
    ("refund_recv_accout", SENTINEL),
];

fn refund() -> V2NotificationBuilder {
    V2NotificationBuilder::refund([("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS")], REFUND)
}

fn elements_of(sent: &SentV2Notification) -> Params {
    xml::parse(sent.body.as_bytes()).unwrap()
}

/// Rewrites `req_info`'s ciphertext bytes with `edit`.
fn edit_req_info(edit: impl FnOnce(&mut Vec<u8>)) -> SentV2Notification {
    refund()
        .build_with(|elements| {
            let mut bytes = BASE64.decode(elements.get("req_info").unwrap()).unwrap();
            edit(&mut bytes);
            elements.insert("req_info", BASE64.encode(bytes));
        })
        .unwrap()
}

#[test]
fn refund_notification_decrypts_into_the_typed_resource() {
    let sent = refund().build().unwrap();
    assert!(
        !sent.body.contains("<sign>"),
        "refund notifications are unsigned"
    );
    let notification = handler().handle::<Refund>(&sent.body).unwrap();
    assert_eq!(notification.verification, V2Verification::DecryptedOnly);
    assert_eq!(notification.event_type, None);
    assert_eq!(notification.envelope.mch_id, keys::MERCHANT_ID);
    assert_eq!(notification.envelope.appid, keys::APPID);
    assert_eq!(
        notification.resource,
        RefundInfo {
            out_refund_no: "131811191610442717309".into(),
            out_trade_no: "71106718111915575302817".into(),
            refund_id: "50000408942018111907145868882".into(),
            refund_fee: 3960,
            total_fee: 3960,
            refund_status: "SUCCESS".into(),
            success_time: Some("2018-11-19 16:24:13".into()),
            refund_recv_accout: Some(SENTINEL.into()),
        }
    );
    let plaintext = notification.plaintext.as_ref().unwrap();
    assert!(
        plaintext.starts_with("<root><out_refund_no>"),
        "{}",
        plaintext.len()
    );
}

/// The `req_info` the builder wrote, decrypted by `openssl enc -d -aes-256-ecb` with the
/// lower-case hex MD5 of the APIv2 key as the key: the same plaintext the handler read.
#[test]
fn req_info_matches_openssl() {
    let Some(key_md5) = openssl::digest_hex(&["-md5"], keys::APIV2_KEY.as_bytes()) else {
        eprintln!("openssl not on PATH: the independent check is skipped");
        return;
    };
    let sent = refund().build().unwrap();
    let req_info = elements_of(&sent).get("req_info").unwrap().to_owned();
    let cipher_key = key_md5.to_ascii_lowercase();
    let hex_key: String = cipher_key.bytes().map(|b| format!("{b:02x}")).collect();
    let plaintext = openssl::run(
        &["enc", "-d", "-aes-256-ecb", "-K", &hex_key],
        &BASE64.decode(&req_info).unwrap(),
    )
    .expect("openssl is on PATH");
    let notification = handler().handle::<Refund>(&sent.body).unwrap();
    assert_eq!(
        String::from_utf8(plaintext).unwrap(),
        notification.plaintext.unwrap().as_str()
    );
}

#[test]
fn tampered_req_info_is_refused_with_typed_errors() {
    let handler = handler();
    // The last block: its padding no longer checks out.
    let flipped_last = edit_req_info(|b| {
        let at = b.len() - 1;
        b[at] ^= 0x01;
    });
    assert!(matches!(
        handler.handle::<Refund>(&flipped_last.body),
        Err(V2WebhookError::Decrypt(V2DecryptError::ReqInfo(
            ReqInfoError::Padding
        )))
    ));
    // The first block: `<root>…` turns into random bytes.
    let flipped_first = edit_req_info(|b| b[0] ^= 0x80);
    let err = handler.handle::<Refund>(&flipped_first.body).unwrap_err();
    assert!(
        matches!(
            err,
            V2WebhookError::Decrypt(V2DecryptError::NotUtf8) | V2WebhookError::ResourceXml(_)
        ),
        "{err:?}"
    );
    // One byte short: not whole blocks.
    let short = edit_req_info(|b| {
        b.pop();
    });
    let err = handler.handle::<Refund>(&short.body).unwrap_err();
    assert!(
        matches!(
            err,
            V2WebhookError::Decrypt(V2DecryptError::ReqInfo(ReqInfoError::Length { .. }))
        ),
        "{err:?}"
    );
    // One block short: the padding block is gone.
    let truncated = edit_req_info(|b| b.truncate(b.len() - 16));
    assert!(matches!(
        handler.handle::<Refund>(&truncated.body),
        Err(V2WebhookError::Decrypt(V2DecryptError::ReqInfo(
            ReqInfoError::Padding
        )))
    ));
    let not_base64 = refund()
        .build_with(|e| {
            e.insert("req_info", "*not base64*");
        })
        .unwrap();
    assert!(matches!(
        handler.handle::<Refund>(&not_base64.body),
        Err(V2WebhookError::Decrypt(V2DecryptError::ReqInfo(
            ReqInfoError::Base64
        )))
    ));
    let missing = refund().build_with(|e| {
        e.remove("req_info");
    });
    assert!(matches!(
        handler.handle::<Refund>(&missing.unwrap().body),
        Err(V2WebhookError::MissingElement(e)) if e == "req_info"
    ));
    // Encrypted with another APIv2 key.
    let other_key = refund()
        .api_v2_key("0123456789abcdefghijklmnopqrstuv")
        .build()
        .unwrap();
    let err = handler.handle::<Refund>(&other_key.body).unwrap_err();
    assert!(
        matches!(
            err,
            V2WebhookError::Decrypt(_) | V2WebhookError::ResourceXml(_)
        ),
        "{err:?}"
    );
}

#[test]
fn decrypted_documents_that_are_not_the_resource_are_refused() {
    // Plaintext with the `<xml>` root instead of `<root>`, encrypted correctly.
    let key = ApiV2Key::new(keys::APIV2_KEY).unwrap();
    let wrong_root = refund()
        .build_with(|e| {
            let sealed = wechatpay_api::runtime::v2::req_info::encrypt(
                &key,
                b"<xml><out_refund_no>1</out_refund_no></xml>",
            )
            .unwrap();
            e.insert("req_info", sealed);
        })
        .unwrap();
    let err = handler().handle::<Refund>(&wrong_root.body).unwrap_err();
    assert!(
        matches!(&err, V2WebhookError::ResourceXml(x) if x.message.contains("must be `root`")),
        "{err:?}"
    );
    // A required field missing, another not an integer (its text a sentinel).
    let incomplete =
        V2NotificationBuilder::refund([], [("out_refund_no", "1"), ("refund_fee", SENTINEL)])
            .build()
            .unwrap();
    let err = handler().handle::<Refund>(&incomplete.body).unwrap_err();
    let V2WebhookError::Resource(issue) = &err else {
        panic!("{err:?}");
    };
    assert!(!issue.element.is_empty());
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(SENTINEL), "{shown}");
    let bad_fee = V2NotificationBuilder::refund([], {
        let mut fields = REFUND;
        fields[3] = ("refund_fee", SENTINEL);
        fields
    })
    .build()
    .unwrap();
    let err = handler().handle::<Refund>(&bad_fee.body).unwrap_err();
    let V2WebhookError::Resource(issue) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        (issue.element.as_str(), issue.missing),
        ("refund_fee", false)
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(SENTINEL), "{shown}");
    assert_eq!(err.reply().status, 500);
}

#[test]
fn payment_notification_with_md5_sign_is_read() {
    let sent = payment().build().unwrap();
    assert!(!elements_of(&sent).contains("sign_type"));
    let notification = handler().handle::<Payment>(&sent.body).unwrap();
    assert_eq!(
        notification.verification,
        V2Verification::Signed(SignType::Md5)
    );
    assert_eq!(notification.envelope.out_trade_no, "T20181119");
    assert_eq!(notification.envelope.total_fee, 3960);
    assert_eq!(notification.envelope.attach.as_deref(), Some(SENTINEL));
    assert!(notification.plaintext.is_none());
}

#[test]
fn bad_or_missing_sign_is_refused() {
    let handler = handler();
    let forged = payment()
        .build_with(|e| {
            e.insert("sign", "9A0A8659F005D6984697E2CA0A9CF3B7");
        })
        .unwrap();
    assert!(matches!(
        handler.handle::<Payment>(&forged.body),
        Err(V2WebhookError::Signature(SignatureError::Mismatch))
    ));
    let tampered = payment()
        .build_with(|e| {
            e.insert("total_fee", "1");
        })
        .unwrap();
    let err = handler.handle::<Payment>(&tampered.body).unwrap_err();
    assert!(matches!(
        err,
        V2WebhookError::Signature(SignatureError::Mismatch)
    ));
    assert_eq!(err.reply().status, 401);
    let unsigned = payment().unsigned().build().unwrap();
    assert!(!unsigned.body.contains("<sign>"));
    assert!(matches!(
        handler.handle::<Payment>(&unsigned.body),
        Err(V2WebhookError::Signature(SignatureError::Missing))
    ));
    let empty_sign = payment()
        .build_with(|e| {
            e.insert("sign", "");
        })
        .unwrap();
    assert!(matches!(
        handler.handle::<Payment>(&empty_sign.body),
        Err(V2WebhookError::Signature(SignatureError::Missing))
    ));
    // Signed with another APIv2 key.
    let other_key = payment()
        .api_v2_key("0123456789abcdefghijklmnopqrstuv")
        .build()
        .unwrap();
    assert!(matches!(
        handler.handle::<Payment>(&other_key.body),
        Err(V2WebhookError::Signature(SignatureError::Mismatch))
    ));
}

#[test]
fn hmac_sha256_signed_notifications_are_accepted() {
    let stated = payment().sign_type(SignType::HmacSha256).build().unwrap();
    assert_eq!(elements_of(&stated).get("sign_type"), Some("HMAC-SHA256"));
    let notification = handler().handle::<Payment>(&stated.body).unwrap();
    assert_eq!(
        notification.verification,
        V2Verification::Signed(SignType::HmacSha256)
    );

    // Not stated: the handler's default decides.
    let unstated = payment()
        .sign_type_unstated(SignType::HmacSha256)
        .build()
        .unwrap();
    assert!(matches!(
        handler().handle::<Payment>(&unstated.body),
        Err(V2WebhookError::Signature(SignatureError::Mismatch))
    ));
    let hmac_default = V2WebhookHandler::builder()
        .api_v2_key(ApiV2Key::new(keys::APIV2_KEY).unwrap())
        .default_sign_type(SignType::HmacSha256)
        .build()
        .unwrap();
    assert!(hmac_default.handle::<Payment>(&unstated.body).is_ok());

    // A stated type that is not the one used.
    let lying = payment()
        .sign_type(SignType::Md5)
        .build_with(|e| {
            e.insert("sign_type", "HMAC-SHA256");
        })
        .unwrap();
    assert!(matches!(
        handler().handle::<Payment>(&lying.body),
        Err(V2WebhookError::Signature(SignatureError::Mismatch))
    ));
    let unknown = payment()
        .build_with(|e| {
            e.insert("sign_type", "SHA1");
        })
        .unwrap();
    assert!(matches!(
        handler().handle::<Payment>(&unknown.body),
        Err(V2WebhookError::UnsupportedSignType {
            element: "sign_type",
            ..
        })
    ));
}

#[test]
fn mismatched_merchant_or_app_is_refused() {
    let other_merchant = payment().element("mch_id", "1900009999").build().unwrap();
    let err = handler()
        .handle::<Payment>(&other_merchant.body)
        .unwrap_err();
    assert!(
        matches!(err, V2WebhookError::MerchantMismatch { element: "mch_id" }),
        "{err:?}"
    );
    let refund_other = refund().element("mch_id", "1900009999").build().unwrap();
    assert!(matches!(
        handler().handle::<Refund>(&refund_other.body),
        Err(V2WebhookError::MerchantMismatch { element: "mch_id" })
    ));
    let no_merchant = refund().without_element("mch_id").build().unwrap();
    assert!(matches!(
        handler().handle::<Refund>(&no_merchant.body),
        Err(V2WebhookError::MerchantMismatch { element: "mch_id" })
    ));
    // Without a configured merchant id the check is off.
    let open = V2WebhookHandler::builder()
        .api_v2_key(ApiV2Key::new(keys::APIV2_KEY).unwrap())
        .build()
        .unwrap();
    assert!(open.handle::<Payment>(&other_merchant.body).is_ok());

    let with_app = V2WebhookHandler::builder()
        .api_v2_key(ApiV2Key::new(keys::APIV2_KEY).unwrap())
        .appid("wx0000000000000001")
        .appid(keys::APPID)
        .build()
        .unwrap();
    assert!(
        with_app
            .handle::<Payment>(&payment().build().unwrap().body)
            .is_ok()
    );
    let other_app = payment().element("appid", "wx9999").build().unwrap();
    assert!(matches!(
        with_app.handle::<Payment>(&other_app.body),
        Err(V2WebhookError::MerchantMismatch { element: "appid" })
    ));
}

#[test]
fn return_code_fail_is_reported_without_its_message() {
    let failed = V2NotificationBuilder::payment([("return_msg", SENTINEL)])
        .element("return_code", "FAIL")
        .unsigned()
        .build()
        .unwrap();
    let err = handler().handle::<Payment>(&failed.body).unwrap_err();
    let V2WebhookError::ReturnCodeFail { return_msg } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(return_msg.as_deref(), Some(SENTINEL));
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(SENTINEL), "{shown}");
}

#[test]
fn hostile_documents_are_refused_before_any_check() {
    let handler = handler();
    for body in [
        "".to_owned(),
        "{\"json\":true}".to_owned(),
        "<!DOCTYPE xml [<!ENTITY x \"y\">]><xml><a>&x;</a></xml>".to_owned(),
        "<xml><sign>A</sign><sign>B</sign></xml>".to_owned(),
        format!("<xml><a><b>{SENTINEL}</b></a></xml>"),
    ] {
        let err = handler.handle::<Payment>(&body).unwrap_err();
        assert!(matches!(err, V2WebhookError::Xml(_)), "{err:?}");
        assert!(!format!("{err} {err:?}").contains(SENTINEL));
        assert_eq!(err.reply().status, 400);
    }
}

#[test]
fn event_ciphertext_opens_with_the_apiv3_key() {
    let resource = [
        ("state", "USER_PAID"),
        ("out_order_no", SENTINEL),
        ("total_amount", "200"),
    ];
    let sent = V2NotificationBuilder::event("TRANSACTION.SUCCESS", [], resource)
        .build()
        .unwrap();
    assert_eq!(elements_of(&sent).get("algorithm"), Some("HMAC-SHA256"));
    let notification = handler().handle::<TransactionSuccess>(&sent.body).unwrap();
    assert_eq!(
        notification.event_type.as_deref(),
        Some("TRANSACTION.SUCCESS")
    );
    assert_eq!(
        notification.verification,
        V2Verification::Signed(SignType::HmacSha256)
    );
    assert_eq!(notification.envelope.event_id, "EV-2018022511223320873");
    assert_eq!(
        notification.resource,
        EventResource {
            state: "USER_PAID".into(),
            out_order_no: SENTINEL.into(),
            total_amount: 200,
        }
    );

    let no_v3 = V2WebhookHandler::builder()
        .api_v2_key(ApiV2Key::new(keys::APIV2_KEY).unwrap())
        .build()
        .unwrap();
    assert!(matches!(
        no_v3.handle::<TransactionSuccess>(&sent.body),
        Err(V2WebhookError::MissingApiV3Key)
    ));
    let wrong_v3 = V2NotificationBuilder::event("TRANSACTION.SUCCESS", [], resource)
        .api_v3_key("0123456789abcdefghijklmnopqrstuv")
        .build()
        .unwrap();
    assert!(matches!(
        handler().handle::<TransactionSuccess>(&wrong_v3.body),
        Err(V2WebhookError::Decrypt(V2DecryptError::Gcm(_)))
    ));
    let other_aad = V2NotificationBuilder::event("TRANSACTION.SUCCESS", [], resource)
        .build_with(|e| {
            e.insert("event_associated_data", "changed");
            // Re-signed, so only the AEAD notices.
            e.remove("sign");
            let key = ApiV2Key::new(keys::APIV2_KEY).unwrap();
            let sign = wechatpay_api::runtime::v2::sign::sign(e, SignType::HmacSha256, &key);
            e.insert("sign", sign);
        })
        .unwrap();
    assert!(matches!(
        handler().handle::<TransactionSuccess>(&other_aad.body),
        Err(V2WebhookError::Decrypt(V2DecryptError::Gcm(_)))
    ));
    let other_event = V2NotificationBuilder::event("TRANSACTION.FAIL", [], resource)
        .build()
        .unwrap();
    assert!(matches!(
        handler().handle::<TransactionSuccess>(&other_event.body),
        Err(V2WebhookError::UnexpectedEventType { .. })
    ));
    let other_algorithm = V2NotificationBuilder::event("TRANSACTION.SUCCESS", [], resource)
        .element("event_algorithm", "AES_256_ECB")
        .build()
        .unwrap();
    assert!(matches!(
        handler().handle::<TransactionSuccess>(&other_algorithm.body),
        Err(V2WebhookError::UnsupportedAlgorithm { .. })
    ));
}

#[test]
fn debug_never_shows_values_or_keys() {
    let handler = handler();
    let shown = format!("{handler:?}");
    assert!(
        !shown.contains(keys::APIV2_KEY) && !shown.contains(keys::APIV3_KEY),
        "{shown}"
    );
    assert!(shown.contains("redacted"), "{shown}");
    let key = ApiV2Key::new(keys::APIV2_KEY).unwrap();
    assert!(!format!("{key:?}").contains(keys::APIV2_KEY));

    let refund = handler
        .handle::<Refund>(&refund().build().unwrap().body)
        .unwrap();
    let shown = format!("{refund:?}");
    assert!(
        !shown.contains(SENTINEL) && !shown.contains("50000408942018111907145868882"),
        "{shown}"
    );
    let paid = handler
        .handle::<Payment>(&payment().build().unwrap().body)
        .unwrap();
    assert!(!format!("{paid:?}").contains(SENTINEL));

    let builder = refund_builder_debug();
    assert!(
        !builder.contains(SENTINEL) && !builder.contains(keys::APIV2_KEY),
        "{builder}"
    );
    let sent = payment().build().unwrap();
    assert!(!format!("{sent:?}").contains(SENTINEL));
}

fn refund_builder_debug() -> String {
    format!("{:?}", refund())
}

#[test]
fn reply_bytes_are_exact() {
    let ok = V2Reply::success();
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.body,
        "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
    );
    assert_eq!(V2Reply::CONTENT_TYPE, "text/xml");
    let fail = V2Reply::fail("busy");
    assert_eq!(
        (fail.status, fail.body.as_str()),
        (
            200,
            "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[busy]]></return_msg></xml>"
        )
    );
    let err = handler()
        .handle::<Payment>(&payment().unsigned().build().unwrap().body)
        .unwrap_err();
    assert_eq!(
        err.reply(),
        V2Reply {
            status: 401,
            body: "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[signature verification failed]]></return_msg></xml>".into(),
        }
    );
}

#[test]
fn the_builder_needs_the_apiv2_key() {
    assert_eq!(
        V2WebhookHandler::builder().build().unwrap_err(),
        V2WebhookConfigError::MissingApiV2Key
    );
    assert_eq!(
        V2WebhookHandler::builder()
            .api_v2_key(ApiV2Key::new(keys::APIV2_KEY).unwrap())
            .mch_id("")
            .build()
            .unwrap_err(),
        V2WebhookConfigError::EmptyId("mch_id")
    );
}

/// A notify URL on loopback (axum) that answers with the handler's verdict; notifications
/// POSTed to it over real HTTP.
#[tokio::test]
async fn notifications_posted_over_http_get_the_xml_reply() {
    use axum::Router;
    use axum::body::Bytes;
    use axum::http::{StatusCode, header};
    use axum::routing::post;

    async fn notify(body: Bytes) -> (StatusCode, [(header::HeaderName, &'static str); 1], String) {
        let reply = match handler().handle::<Refund>(&body) {
            Ok(_) => V2Reply::success(),
            Err(e) => e.reply(),
        };
        (
            StatusCode::from_u16(reply.status).unwrap(),
            [(header::CONTENT_TYPE, V2Reply::CONTENT_TYPE)],
            reply.body,
        )
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify/refund", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            Router::new().route("/notify/refund", post(notify)),
        )
        .await
        .unwrap();
    });

    let answer = refund().build().unwrap().post(&url).await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type.as_deref(), Some("text/xml"));
    assert_eq!(answer.body, V2Reply::success().body);

    let tampered = edit_req_info(|b| {
        let at = b.len() - 1;
        b[at] ^= 1;
    });
    let answer = tampered.post(&url).await.unwrap();
    assert_eq!(answer.status, 500);
    let read = xml::parse(answer.body.as_bytes()).unwrap();
    assert_eq!(read.get("return_code"), Some("FAIL"));
    assert_eq!(read.get("return_msg"), Some("decryption failed"));
    server.abort();
}
