//! Webhook notifications built for real (resource encrypted with a test APIv3 key, body signed
//! with a test WeChat Pay key) through `WebhookHandler`: typed results from the modules
//! generated from `codegen/tests/fixtures/webhook`, both key modes, and every rejection.

#[rustfmt::skip]
#[path = "webhook_generated/webhook/mod.rs"]
#[allow(dead_code)]
mod webhook;

#[path = "../examples/notification.rs"]
#[allow(dead_code)]
mod notification_example;

#[path = "../examples/axum_webhook.rs"]
#[allow(dead_code)]
mod axum_example;

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::{Value, json};
use wechatpay_api::runtime::ApiV3Key;
use wechatpay_api::runtime::error::VerifyError;
use wechatpay_api::runtime::verify::unix_now;
use wechatpay_api::runtime::webhook::{Reply, WebhookError, WebhookHandler};
use wechatpay_api::testing::{NotificationBuilder, SentNotification, keys};

use webhook::Event;

const OTHER_APIV3_KEY: &str = "0123456789abcdef0123456789abcdef";

fn public_key_handler() -> WebhookHandler {
    WebhookHandler::builder(ApiV3Key::new(keys::APIV3_KEY).unwrap())
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .build()
        .unwrap()
}

fn certificate_handler() -> WebhookHandler {
    WebhookHandler::builder(ApiV3Key::new(keys::APIV3_KEY).unwrap())
        .platform_certificate(keys::PLATFORM_CERTIFICATE_PEM)
        .build()
        .unwrap()
}

fn paid() -> Value {
    json!({
        "mchid": "1900000001",
        "out_trade_no": "T20240101",
        "trade_state": "SUCCESS",
        "amount": {"total": 100, "currency": "CNY"},
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "undocumented": {"kept": "in the plaintext"}
    })
}

fn demo_paid() -> SentNotification {
    NotificationBuilder::new("DEMO.PAID", paid())
        .id("EV-1")
        .summary("支付成功")
        .build()
        .unwrap()
}

fn rejection(handler: &WebhookHandler, sent: &SentNotification) -> WebhookError {
    match handler.handle(&sent.headers, &sent.body) {
        Ok(n) => panic!("accepted: {n:?}"),
        Err(e) => e,
    }
}

#[test]
fn public_key_mode_gives_the_typed_event() {
    let sent = demo_paid();
    let notification = public_key_handler()
        .handle_event::<Event>(&sent.headers, &sent.body)
        .unwrap();
    assert_eq!(notification.id, "EV-1");
    assert_eq!(notification.event_type, "DEMO.PAID");
    assert_eq!(notification.summary, "支付成功");
    assert_eq!(notification.resource_type, "encrypt-resource");
    assert_eq!(notification.original_type.as_deref(), Some("transaction"));
    assert_eq!(notification.serial, keys::PUBLIC_KEY_ID);
    assert_eq!(
        notification.request_id.as_deref(),
        sent.header("Request-ID")
    );
    assert_eq!(notification.resource.event_type(), "DEMO.PAID");
    let Event::DemoPaid(resource) = &notification.resource else {
        panic!("not DEMO.PAID: {:?}", notification.resource)
    };
    assert_eq!(resource.out_trade_no.as_deref(), Some("T20240101"));
    assert_eq!(
        resource.trade_state,
        Some(webhook::demo_paid::ResourceTradeState::Success)
    );
    let amount = resource.amount.as_ref().unwrap();
    assert_eq!(amount.total, Some(100));
    assert_eq!(amount.currency.as_deref(), Some("CNY"));
    // `sp_mchid` is documented as required; real direct-merchant notifications lack it.
    assert_eq!(resource.sp_mchid, None);
    // Undocumented fields are not lost: the plaintext is kept.
    let raw: Value = serde_json::from_str(&notification.plaintext).unwrap();
    assert_eq!(raw["undocumented"]["kept"], "in the plaintext");
    // The event serialises as its resource.
    let json = serde_json::to_value(&notification.resource).unwrap();
    assert_eq!(json["amount"]["total"], 100);
}

#[test]
fn platform_certificate_mode_and_both_keys_during_migration() {
    let sent = NotificationBuilder::new("DEMO.SIGNED", json!({"contract_id": "C1"}))
        .signed_by_platform_certificate()
        .build()
        .unwrap();
    let notification = certificate_handler()
        .handle_event::<Event>(&sent.headers, &sent.body)
        .unwrap();
    assert_eq!(notification.serial, keys::PLATFORM_SERIAL);
    let Event::DemoSigned(resource) = notification.resource else {
        panic!("not DEMO.SIGNED")
    };
    assert_eq!(resource.contract_id.as_deref(), Some("C1"));

    // Public key mode rejects the certificate's serial, and the other way round…
    assert!(matches!(
        rejection(&public_key_handler(), &sent),
        WebhookError::Signature(VerifyError::UnknownSerial(s)) if s == keys::PLATFORM_SERIAL
    ));
    assert!(matches!(
        rejection(&certificate_handler(), &demo_paid()),
        WebhookError::Signature(VerifyError::UnknownSerial(_))
    ));
    // …while a handler trusting both accepts both.
    let both = WebhookHandler::builder(ApiV3Key::new(keys::APIV3_KEY).unwrap())
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .platform_certificate(keys::PLATFORM_CERTIFICATE_PEM)
        .build()
        .unwrap();
    assert!(both.handle(&sent.headers, &sent.body).is_ok());
    let paid = demo_paid();
    assert!(both.handle(&paid.headers, &paid.body).is_ok());
}

#[test]
fn merged_variants_decode_either_shape() {
    let handler = public_key_handler();
    for (resource, amount) in [
        (
            json!({"withdraw_id": "W1", "amount": 5, "state": "DONE"}),
            json!(5),
        ),
        (
            json!({"withdraw_id": "W2", "sub_mchid": "1900000109", "amount": "5", "state": "CREATED"}),
            json!("5"),
        ),
    ] {
        let sent = NotificationBuilder::new("DEMO.WITHDRAW", resource)
            .build()
            .unwrap();
        let n = handler
            .handle_event::<Event>(&sent.headers, &sent.body)
            .unwrap();
        let Event::DemoWithdraw(r) = n.resource else {
            panic!("not DEMO.WITHDRAW")
        };
        assert_eq!(r.amount, Some(amount));
        assert!(r.state.is_some());
    }
}

#[test]
fn unknown_event_types_are_kept() {
    let sent = NotificationBuilder::new("DEMO.SOMETHING_NEW", json!({"x": 1}))
        .build()
        .unwrap();
    let notification = public_key_handler()
        .handle_event::<Event>(&sent.headers, &sent.body)
        .unwrap();
    assert_eq!(notification.resource.event_type(), "DEMO.SOMETHING_NEW");
    match notification.resource {
        Event::Unknown {
            event_type,
            resource,
        } => {
            assert_eq!(event_type, "DEMO.SOMETHING_NEW");
            assert_eq!(resource, json!({"x": 1}));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn plain_json_and_own_types() {
    #[derive(Debug, Deserialize, PartialEq)]
    struct Paid {
        out_trade_no: String,
        amount: Amount,
    }
    #[derive(Debug, Deserialize, PartialEq)]
    struct Amount {
        total: u64,
    }
    let sent = demo_paid();
    let handler = public_key_handler();
    let as_value = handler.handle(&sent.headers, &sent.body).unwrap();
    assert_eq!(as_value.resource["out_trade_no"], "T20240101");
    let typed = handler
        .handle_as::<Paid>(&sent.headers, &sent.body)
        .unwrap();
    assert_eq!(typed.resource.amount.total, 100);
    // Received as JSON, decoded later.
    assert_eq!(as_value.decode::<Paid>().unwrap(), typed.resource);
    assert!(matches!(
        as_value.event::<Event>().unwrap(),
        Event::DemoPaid(_)
    ));
}

#[test]
fn any_header_container_works() {
    let sent = demo_paid();
    let handler = public_key_handler();
    let lower: Vec<(String, String)> = sent
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let hash: HashMap<String, String> = sent.headers.iter().cloned().collect();
    let tree: BTreeMap<&str, &str> = sent
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert!(handler.handle(&sent.header_map(), &sent.body).is_ok());
    assert!(handler.handle(&lower, sent.body.as_bytes()).is_ok());
    assert!(handler.handle(&hash, &sent.body).is_ok());
    assert!(handler.handle(&tree, &sent.body).is_ok());
    assert!(handler.handle(&sent.headers[..], &sent.body).is_ok());
}

#[test]
fn tampered_body_is_a_bad_signature() {
    let mut sent = demo_paid();
    sent.body = sent.body.replace("支付成功", "退款成功");
    let e = rejection(&public_key_handler(), &sent);
    assert!(
        matches!(e, WebhookError::Signature(VerifyError::BadSignature { .. })),
        "{e}"
    );
    assert_eq!(e.reply().status, 401);
    // Re-serialising the body (as some frameworks do) breaks the signature as well.
    let mut sent = demo_paid();
    let value: Value = serde_json::from_str(&sent.body).unwrap();
    sent.body = serde_json::to_string_pretty(&value).unwrap();
    assert!(matches!(
        rejection(&public_key_handler(), &sent),
        WebhookError::Signature(VerifyError::BadSignature { .. })
    ));
}

#[test]
fn signed_with_the_wrong_key() {
    let sent = NotificationBuilder::new("DEMO.PAID", paid())
        .signed_by(keys::PUBLIC_KEY_ID, keys::MERCHANT_PRIVATE_KEY_PEM)
        .build()
        .unwrap();
    assert!(matches!(
        rejection(&public_key_handler(), &sent),
        WebhookError::Signature(VerifyError::BadSignature { serial }) if serial == keys::PUBLIC_KEY_ID
    ));
    // A signature probe (`WECHATPAY/SIGNTEST/…`) must fail too.
    let mut probe = demo_paid();
    probe.set_header("Wechatpay-Signature", Some("WECHATPAY/SIGNTEST/abcdefg"));
    assert!(matches!(
        rejection(&public_key_handler(), &probe),
        WebhookError::Signature(VerifyError::BadSignature { .. })
    ));
}

#[test]
fn unknown_serial() {
    let sent = NotificationBuilder::new("DEMO.PAID", paid())
        .signed_by(
            "PUB_KEY_ID_0000000000000000000000000000",
            keys::WECHATPAY_PRIVATE_KEY_PEM,
        )
        .build()
        .unwrap();
    let e = rejection(&public_key_handler(), &sent);
    assert!(
        matches!(&e, WebhookError::Signature(VerifyError::UnknownSerial(s)) if s == "PUB_KEY_ID_0000000000000000000000000000"),
        "{e}"
    );
    assert!(e.as_verification().is_some());
}

#[test]
fn stale_and_future_timestamps() {
    for offset in [-600, 600] {
        let sent = NotificationBuilder::new("DEMO.PAID", paid())
            .timestamp(unix_now() + offset)
            .build()
            .unwrap();
        let e = rejection(&public_key_handler(), &sent);
        assert!(
            matches!(
                e,
                WebhookError::Signature(VerifyError::StaleTimestamp { .. })
            ),
            "{e}"
        );
    }
    // An old notification can still be checked against the clock of its arrival.
    let old = unix_now() - 3600;
    let sent = NotificationBuilder::new("DEMO.PAID", paid())
        .timestamp(old)
        .build()
        .unwrap();
    assert!(
        public_key_handler()
            .handle_event_at::<Value>(&sent.headers, &sent.body, old + 10)
            .is_ok()
    );
    let relaxed = public_key_handler();
    relaxed
        .key_store()
        .set_max_skew(std::time::Duration::from_secs(7200));
    assert!(relaxed.handle(&sent.headers, &sent.body).is_ok());
}

#[test]
fn bad_tag_and_wrong_apiv3_key_are_decrypt_errors() {
    // The GCM tag (the last bytes of the ciphertext) altered, then the body signed again.
    let sent = NotificationBuilder::new("DEMO.PAID", paid())
        .build_with(|body| {
            let mut envelope: Value = serde_json::from_str(body).unwrap();
            let ciphertext = envelope["resource"]["ciphertext"]
                .as_str()
                .unwrap()
                .to_owned();
            let mut bytes = ciphertext.into_bytes();
            let last = bytes.len() - 3;
            bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
            envelope["resource"]["ciphertext"] = Value::from(String::from_utf8(bytes).unwrap());
            *body = envelope.to_string();
        })
        .unwrap();
    let e = rejection(&public_key_handler(), &sent);
    assert!(matches!(e, WebhookError::Decrypt(_)), "{e}");
    assert_eq!(e.reply().status, 500);

    // associated_data in the envelope differs from what was authenticated.
    let sent = NotificationBuilder::new("DEMO.PAID", paid())
        .build_with(|body| {
            *body = body.replace(
                "\"associated_data\":\"transaction\"",
                "\"associated_data\":\"refund\"",
            )
        })
        .unwrap();
    assert!(matches!(
        rejection(&public_key_handler(), &sent),
        WebhookError::Decrypt(_)
    ));

    // Encrypted with another merchant's APIv3 key.
    let sent = NotificationBuilder::new("DEMO.PAID", paid())
        .apiv3_key(OTHER_APIV3_KEY)
        .build()
        .unwrap();
    let e = rejection(&public_key_handler(), &sent);
    assert!(matches!(e, WebhookError::Decrypt(_)), "{e}");
}

#[test]
fn malformed_envelopes_and_algorithms() {
    let handler = public_key_handler();
    let edits: [fn(&mut String); 4] = [
        |body: &mut String| *body = "not json".to_owned(),
        |body: &mut String| *body = "{}".to_owned(),
        |body: &mut String| *body = body.replace("\"ciphertext\"", "\"cipher_text\""),
        |body: &mut String| *body = body.replace("\"event_type\"", "\"type\""),
    ];
    for edit in edits {
        let sent = NotificationBuilder::new("DEMO.PAID", paid())
            .build_with(edit)
            .unwrap();
        let e = rejection(&handler, &sent);
        assert!(matches!(e, WebhookError::MalformedEnvelope(_)), "{e}");
        assert_eq!(e.reply().status, 400);
    }
    let sent = NotificationBuilder::new("DEMO.PAID", paid())
        .algorithm("AEAD_SM4_GCM")
        .build()
        .unwrap();
    assert!(matches!(
        rejection(&handler, &sent),
        WebhookError::UnsupportedAlgorithm(a) if a == "AEAD_SM4_GCM"
    ));
}

#[test]
fn missing_headers_and_other_signature_types() {
    let handler = public_key_handler();
    for name in [
        "Wechatpay-Timestamp",
        "Wechatpay-Nonce",
        "Wechatpay-Signature",
        "Wechatpay-Serial",
    ] {
        let mut sent = demo_paid();
        sent.set_header(name, None);
        assert!(matches!(
            rejection(&handler, &sent),
            WebhookError::Signature(VerifyError::MissingHeader(missing)) if missing == name
        ));
    }
    let mut sent = demo_paid();
    sent.set_header("Wechatpay-Signature-Type", Some("WECHATPAY2-SM2-WITH-SM3"));
    assert!(matches!(
        rejection(&handler, &sent),
        WebhookError::UnsupportedSignatureType(t) if t == "WECHATPAY2-SM2-WITH-SM3"
    ));
    let mut sent = demo_paid();
    sent.set_header("Wechatpay-Timestamp", Some("soon"));
    assert!(matches!(
        rejection(&handler, &sent),
        WebhookError::Signature(VerifyError::MalformedTimestamp(_))
    ));
}

#[test]
fn resources_that_do_not_decode() {
    let handler = public_key_handler();
    let sent = NotificationBuilder::with_plaintext("DEMO.PAID", "not json")
        .build()
        .unwrap();
    assert!(matches!(
        handler.handle(&sent.headers, &sent.body),
        Err(WebhookError::Resource { .. })
    ));
    // A documented field with the wrong type: an error whose message does not quote the data.
    let sent = NotificationBuilder::new("DEMO.PAID", json!({"amount": {"total": "SECRET-VALUE"}}))
        .build()
        .unwrap();
    let e = handler
        .handle_event::<Event>(&sent.headers, &sent.body)
        .unwrap_err();
    assert!(matches!(&e, WebhookError::Resource { event_type, .. } if event_type == "DEMO.PAID"));
    assert!(!e.to_string().contains("SECRET-VALUE"), "{e}");
    assert_eq!(e.reply().status, 500);
    // The same notification is still readable as JSON.
    assert!(handler.handle(&sent.headers, &sent.body).is_ok());
}

#[test]
fn truncated_and_garbled_input_never_panics() {
    let sent = demo_paid();
    let handler = public_key_handler();
    let body = sent.body.as_bytes();
    for end in 0..body.len() {
        assert!(handler.handle(&sent.headers, &body[..end]).is_err());
    }
    let mut flipped = body.to_vec();
    for i in 0..flipped.len() {
        flipped[i] ^= 0x20;
        assert!(handler.handle(&sent.headers, &flipped).is_err());
        flipped[i] ^= 0x20;
    }
    let empty: [(&str, &str); 0] = [];
    assert!(handler.handle(&empty, body).is_err());
}

#[test]
fn replies() {
    assert_eq!(Reply::success().status, 200);
    assert_eq!(Reply::no_content().status, 204);
    let e = rejection(&public_key_handler(), &{
        let mut s = demo_paid();
        s.body.push(' ');
        s
    });
    let reply = e.reply();
    assert!(!reply.is_success());
    let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["code"], "FAIL");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

// ---- the `notification` example -------------------------------------------------------------

fn example_env(pem_path: &std::path::Path) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| match name {
        "WECHATPAY_PUBLIC_KEY_ID" => Some(keys::PUBLIC_KEY_ID.to_owned()),
        "WECHATPAY_PUBLIC_KEY" => Some(pem_path.display().to_string()),
        "WECHATPAY_APIV3_KEY" => Some(keys::APIV3_KEY.to_owned()),
        _ => None,
    }
}

#[test]
fn the_notification_example_prints_the_verified_event() {
    let pem =
        std::env::temp_dir().join(format!("wechatpay-webhook-test-{}.pem", std::process::id()));
    std::fs::write(&pem, keys::WECHATPAY_PUBLIC_KEY_PEM).unwrap();
    let handler = notification_example::handler_from_env(example_env(&pem));
    let _ = std::fs::remove_file(&pem);
    let handler = handler.unwrap();

    let input = demo_paid().to_json().to_string();
    let output: Value =
        serde_json::from_str(&notification_example::run(&handler, &input).unwrap()).unwrap();
    assert_eq!(output["event_type"], "DEMO.PAID");
    assert_eq!(output["id"], "EV-1");
    assert_eq!(output["resource"]["out_trade_no"], "T20240101");

    let mut forged = demo_paid();
    forged.body = forged.body.replace("EV-1", "EV-2");
    match notification_example::run(&handler, &forged.to_json().to_string()) {
        Err(failure @ notification_example::Failure::Rejected(_)) => {
            let message = failure.to_string();
            assert!(message.contains("signature"), "{message}");
            assert!(message.contains("HTTP 401"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        notification_example::run(&handler, "{\"body\": 1}"),
        Err(notification_example::Failure::Usage(_))
    ));
    // Missing configuration is a readable error, not a panic.
    assert!(matches!(
        notification_example::handler_from_env(|_| None),
        Err(notification_example::Failure::Usage(m)) if m.contains("WECHATPAY_APIV3_KEY")
    ));
}

// ---- the `axum_webhook` example -------------------------------------------------------------

#[tokio::test]
async fn the_axum_example_answers_wechat_pay() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wechatpay/notify", listener.local_addr().unwrap());
    let app = axum_example::router(public_key_handler());
    let server = tokio::spawn(std::future::IntoFuture::into_future(axum::serve(
        listener, app,
    )));
    let client = reqwest::Client::new();
    let post = |sent: &SentNotification| {
        let mut request = client.post(&url).body(sent.body.clone());
        for (name, value) in &sent.headers {
            request = request.header(name, value);
        }
        request.send()
    };

    let answer = post(&demo_paid()).await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = serde_json::from_str(&answer.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "SUCCESS");

    let mut forged = demo_paid();
    forged.body = forged.body.replace("EV-1", "EV-9");
    let answer = post(&forged).await.unwrap();
    assert_eq!(answer.status(), 401);
    let body: Value = serde_json::from_str(&answer.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "FAIL");

    let undecryptable = NotificationBuilder::new("DEMO.PAID", paid())
        .apiv3_key(OTHER_APIV3_KEY)
        .build()
        .unwrap();
    assert_eq!(post(&undecryptable).await.unwrap().status(), 500);
    server.abort();
}

// ---- `Debug` never shows decrypted data -----------------------------------------------------

#[test]
fn debug_output_never_shows_decrypted_data() {
    const SENTINEL: &str = "SENTINEL-5d41402abc4b2a76";
    let handler = public_key_handler();
    let resources = [
        (
            "DEMO.PAID",
            json!({
                "mchid": "1900000001",
                "out_trade_no": SENTINEL,
                "trade_state": "SUCCESS",
                "amount": {"total": 100, "currency": "CNY"},
                "payer": {"openid": SENTINEL},
            }),
        ),
        ("DEMO.SOMETHING_NEW", json!({"secret": SENTINEL, "n": 1})),
    ];
    for (event_type, resource) in resources {
        let sent = NotificationBuilder::new(event_type, resource)
            .id("EV-DEBUG-1")
            .build()
            .unwrap();
        let as_value = handler.handle(&sent.headers, &sent.body).unwrap();
        let typed = handler
            .handle_event::<Event>(&sent.headers, &sent.body)
            .unwrap();
        assert!(as_value.plaintext.contains(SENTINEL));
        for debug in [
            format!("{as_value:?}"),
            format!("{as_value:#?}"),
            format!("{typed:?}"),
            format!("{:?}", typed.resource),
            format!("{:#?}", typed.resource),
        ] {
            assert!(
                !debug.contains(SENTINEL),
                "decrypted data in Debug: {debug}"
            );
        }
        // What it shows instead: the envelope's id and event type, the plaintext's length.
        let debug = format!("{as_value:?}");
        assert!(debug.contains("EV-DEBUG-1"), "{debug}");
        assert!(debug.contains(event_type), "{debug}");
        assert!(
            debug.contains(&format!("{} bytes", as_value.plaintext.len())),
            "{debug}"
        );
        assert!(format!("{:?}", typed.resource).contains(event_type));
        // The example's log line.
        let line = axum_example::log_line(&as_value);
        assert!(!line.contains(SENTINEL), "{line}");
        assert!(line.contains("EV-DEBUG-1"), "{line}");
    }

    // A resource that does not decode: serde_json's error quotes the offending value.
    let sent = NotificationBuilder::new("DEMO.PAID", json!({"amount": {"total": SENTINEL}}))
        .build()
        .unwrap();
    let e = handler
        .handle_event::<Event>(&sent.headers, &sent.body)
        .unwrap_err();
    for shown in [format!("{e:?}"), format!("{e:#?}"), e.to_string()] {
        assert!(!shown.contains(SENTINEL), "{shown}");
        assert!(shown.contains("DEMO.PAID"), "{shown}");
    }
}

// ---- the decrypted plaintext is wiped on drop -----------------------------------------------

#[test]
fn the_plaintext_is_held_in_a_zeroizing_buffer() {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}
    let sent = demo_paid();
    let notification = public_key_handler()
        .handle(&sent.headers, &sent.body)
        .unwrap();
    wiped_on_drop(&notification.plaintext);
    assert!(notification.plaintext.contains("T20240101"));
}
