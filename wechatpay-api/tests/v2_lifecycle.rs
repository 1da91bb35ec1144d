//! The APIv2 operations and notifications this crate ships (`v2::…`, `webhook::v2::…`, generated
//! from `specs/v2` and `specs/webhook/v2`), driven end to end against the loopback server:
//! typed requests written as signed XML, answers verified and decoded into the generated
//! types, the certificate-only operations over mutual TLS, bank-card fields encrypted, and the
//! refund and payment notifications read through the generated notification kinds.

use wechatpay_api::runtime::v2::{
    ApiV2Key, Params, SignType, V2Error, V2ErrorCode, V2Verification, V2WebhookError,
    V2WebhookHandler,
};
use wechatpay_api::runtime::v2::{sign, xml};
use wechatpay_api::runtime::{Client, HttpMethod};
use wechatpay_api::testing::{TestServer, V2Misbehavior, V2NotificationBuilder, V2Route, keys};
use wechatpay_api::v2::mmpaymkttransfers::gethbinfo;
use wechatpay_api::v2::mmpaysptrans::pay_bank;
use wechatpay_api::v2::pay::{downloadbill, micropay, orderquery};
use wechatpay_api::v2::secapi::pay::refund;
use wechatpay_api::webhook::v2::{refund_processed, transaction_success};

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn client(server: &TestServer) -> Client {
    server
        .v2_client_builder()
        .app_id(keys::APPID)
        .no_retries()
        .build()
        .unwrap()
}

fn paid_order() -> Params {
    params(&[
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("result_code", "SUCCESS"),
        ("appid", keys::APPID),
        ("mch_id", keys::MERCHANT_ID),
        ("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
        ("is_subscribe", "N"),
        ("trade_type", "MICROPAY"),
        ("trade_state", "SUCCESS"),
        ("bank_type", "CMC"),
        ("total_fee", "101"),
        ("cash_fee", "91"),
        ("coupon_fee", "10"),
        ("coupon_count", "2"),
        ("coupon_id_0", "C0"),
        ("coupon_fee_0", "6"),
        ("coupon_id_1", "C1"),
        ("coupon_fee_1", "4"),
        ("transaction_id", "4200000001202612010000000001"),
        ("out_trade_no", "ORDER-1"),
        ("time_end", "20261201101010"),
        ("trade_state_desc", "paid"),
    ])
}

#[tokio::test]
async fn a_code_payment_is_signed_sent_and_its_answer_decoded() {
    let server = TestServer::builder().start().unwrap();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/micropay").respond(paid_order()));
    let client = client(&server);

    let request =
        micropay::PostRequest::new("Snacks", "ORDER-1", 101, "127.0.0.1", "134567890123456789");
    let answer = client.v2().pay().micropay().post(&request).await.unwrap();
    assert_eq!(answer.transaction_id, "4200000001202612010000000001");
    assert_eq!(answer.total_fee, 101);

    let hmac = client
        .v2()
        .pay()
        .micropay()
        .post(&request)
        .sign_type(SignType::HmacSha256)
        .await
        .unwrap();
    assert_eq!(hmac.out_trade_no, "ORDER-1");

    let sent = server.v2_requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].sign_type, SignType::Md5);
    assert_eq!(sent[1].sign_type, SignType::HmacSha256);
    for request in &sent {
        assert_eq!(request.url, "/pay/micropay");
        assert_eq!(request.params.get("mch_id"), Some(keys::MERCHANT_ID));
        assert_eq!(request.params.get("appid"), Some(keys::APPID));
        assert_eq!(request.params.get("total_fee"), Some("101"));
        assert_eq!(request.params.get("auth_code"), Some("134567890123456789"));
        assert!(
            request
                .params
                .get("nonce_str")
                .is_some_and(|n| n.len() == 32)
        );
    }
}

#[tokio::test]
async fn an_order_query_reads_unpaid_and_paid_orders_with_their_vouchers() {
    let server = TestServer::builder().start().unwrap();
    let client = client(&server);
    server.v2_route(
        V2Route::new(HttpMethod::Post, "/pay/orderquery").respond(params(&[
            ("return_code", "SUCCESS"),
            ("return_msg", "OK"),
            ("result_code", "SUCCESS"),
            ("appid", keys::APPID),
            ("mch_id", keys::MERCHANT_ID),
            ("out_trade_no", "ORDER-2"),
            ("trade_state", "NOTPAY"),
            ("trade_state_desc", "not paid"),
        ])),
    );
    let mut query = orderquery::PostRequest::new();
    query.out_trade_no = Some("ORDER-2".into());
    let unpaid = client.v2().pay().orderquery().post(&query).await.unwrap();
    assert_eq!(
        unpaid.trade_state,
        orderquery::PostResponseTradeState::Notpay
    );
    assert_eq!(unpaid.transaction_id, None);
    assert!(unpaid.coupons.is_empty());

    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/orderquery").respond(paid_order()));
    let paid = client.v2().pay().orderquery().post(&query).await.unwrap();
    assert_eq!(
        paid.trade_state,
        orderquery::PostResponseTradeState::Success
    );
    let vouchers: Vec<_> = paid
        .coupons
        .iter()
        .map(|c| (c.coupon_id.as_deref().unwrap(), c.coupon_fee.unwrap()))
        .collect();
    assert_eq!(vouchers, [("C0", 6), ("C1", 4)]);
}

#[tokio::test]
async fn a_tampered_answer_and_a_business_failure_decode_nothing() {
    let server = TestServer::builder().start().unwrap();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/orderquery").respond(paid_order()));
    let client = client(&server);
    let mut query = orderquery::PostRequest::new();
    query.out_trade_no = Some("ORDER-1".into());

    server.v2_misbehave_once(V2Misbehavior::TamperedAnswer);
    let error = client
        .v2()
        .pay()
        .orderquery()
        .post(&query)
        .await
        .unwrap_err();
    assert!(
        matches!(error.as_v2(), Some(V2Error::Signature { .. })),
        "{error:?}"
    );

    server.v2_misbehave_once(V2Misbehavior::BusinessFail {
        err_code: "ORDERNOTEXIST".into(),
        err_code_des: "no such order".into(),
    });
    let error = client
        .v2()
        .pay()
        .orderquery()
        .post(&query)
        .await
        .unwrap_err();
    match error.as_v2() {
        Some(V2Error::Business { code, verified, .. }) => {
            assert_eq!(*code, V2ErrorCode::from("ORDERNOTEXIST"));
            assert!(*verified);
        }
        other => panic!("expected a business error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refund_goes_over_mutual_tls_and_reads_its_voucher_refunds() {
    let server = TestServer::builder()
        .tls_with_client_auth()
        .start()
        .unwrap();
    server.v2_route(
        V2Route::new(HttpMethod::Post, "/secapi/pay/refund").respond(params(&[
            ("return_code", "SUCCESS"),
            ("return_msg", "OK"),
            ("result_code", "SUCCESS"),
            ("appid", keys::APPID),
            ("mch_id", keys::MERCHANT_ID),
            ("transaction_id", "4200000001202612010000000001"),
            ("out_trade_no", "ORDER-1"),
            ("out_refund_no", "REFUND-1"),
            ("refund_id", "50000000012026120100000000001"),
            ("refund_fee", "10"),
            ("total_fee", "101"),
            ("cash_fee", "91"),
            ("coupon_refund_count", "1"),
            ("coupon_refund_id_0", "C0"),
            ("coupon_refund_fee_0", "6"),
        ])),
    );
    let client = client(&server);
    let mut request = refund::PostRequest::new("REFUND-1", 101, 10);
    request.out_trade_no = Some("ORDER-1".into());
    let answer = client
        .v2()
        .secapi()
        .pay()
        .refund()
        .post(&request)
        .await
        .unwrap();
    assert_eq!(answer.refund_fee, 10);
    assert_eq!(answer.coupons.len(), 1);
    assert_eq!(answer.coupons[0].coupon_refund_fee, Some(6));
    let recorded = server.v2_requests();
    assert!(recorded[0].client_certificate.is_some());
}

/// A `gethbinfo` answer as WeChat Pay lays it out: unsigned, CDATA and layout whitespace, the
/// receipts nested in `<hblist>`.
fn red_packet_answer(receipts: &str) -> String {
    format!(
        "<xml>\n<return_code><![CDATA[SUCCESS]]></return_code>\n<return_msg><![CDATA[OK]]></return_msg>\n<result_code><![CDATA[SUCCESS]]></result_code>\n<mch_id><![CDATA[{}]]></mch_id>\n<detail_id><![CDATA[1000041701201504210000000001]]></detail_id>\n<mch_billno><![CDATA[PACKET-1]]></mch_billno>\n<status><![CDATA[RECEIVED]]></status>\n<send_type><![CDATA[API]]></send_type>\n<hb_type><![CDATA[GROUP]]></hb_type>\n<total_num>3</total_num>\n<total_amount>300</total_amount>\n<send_time><![CDATA[2026-12-01 10:00:00]]></send_time>\n<wishing><![CDATA[Happy new year]]></wishing>\n<hblist>{receipts}</hblist>\n</xml>",
        keys::MERCHANT_ID
    )
}

const TWO_RECEIPTS: &str = "\n<hbinfo>\n<openid><![CDATA[oTkV0t-receiver-1]]></openid>\n<amount>100</amount>\n<rcv_time><![CDATA[2026-12-01 10:00:05]]></rcv_time>\n</hbinfo>\n<hbinfo>\n<openid><![CDATA[oTkV0t-receiver-2]]></openid>\n<amount>200</amount>\n<rcv_time><![CDATA[2026-12-01 10:01:00]]></rcv_time>\n</hbinfo>\n";

#[tokio::test]
async fn red_packet_receipts_are_read_into_the_typed_list() {
    let server = TestServer::builder()
        .tls_with_client_auth()
        .start()
        .unwrap();
    let route = || V2Route::new(HttpMethod::Post, "/mmpaymkttransfers/gethbinfo");
    let client = client(&server);
    let request = gethbinfo::PostRequest::new("PACKET-1", gethbinfo::PostRequestBillType::Mcht);
    let query = || client.v2().mmpaymkttransfers().gethbinfo().post(&request);
    let check = |answer: &gethbinfo::PostResponse| {
        assert_eq!(answer.status, gethbinfo::PostResponseStatus::Received);
        assert_eq!(answer.total_amount, 300);
        let receipts = answer.hblist.as_ref().expect("the receipts");
        let read: Vec<(&str, i64, &str)> = receipts
            .iter()
            .map(|r| (r.openid.as_str(), r.amount, r.rcv_time.as_str()))
            .collect();
        assert_eq!(
            read,
            [
                ("oTkV0t-receiver-1", 100, "2026-12-01 10:00:05"),
                ("oTkV0t-receiver-2", 200, "2026-12-01 10:01:00"),
            ]
        );
    };

    // The document as WeChat Pay sends it (its answers carry no `sign`), byte for byte.
    let document = red_packet_answer(TWO_RECEIPTS);
    server.v2_route(route().respond_bytes("text/plain", document.clone()));
    check(&query().await.unwrap());
    let sent = &server.v2_requests()[0];
    assert!(sent.client_certificate.is_some());
    assert_eq!(sent.params.get("mch_billno"), Some("PACKET-1"));
    assert_eq!(sent.params.get("bill_type"), Some("MCHT"));

    // The same elements written again by the test server as nested elements and signed: the
    // `sign` covers the receipts and verifies.
    let elements = xml::parse(document.as_bytes()).unwrap();
    assert_eq!(elements.list("hblist").map(<[_]>::len), Some(2));
    server.v2_route(route().respond(elements.clone()));
    check(&query().await.unwrap());

    // A `sign` covers the receipts: one over the text elements alone does not verify, and a
    // receipt changed after signing is caught.
    let key = ApiV2Key::new(keys::APIV2_KEY).unwrap();
    let signed = |signed_over: &Params, receipts: &str| {
        let sign = sign::sign(signed_over, SignType::Md5, &key);
        red_packet_answer(receipts).replace("</xml>", &format!("<sign>{sign}</sign></xml>"))
    };
    server.v2_route(route().respond_bytes("text/plain", signed(&elements, TWO_RECEIPTS)));
    check(&query().await.unwrap());
    let mut text_only = elements.clone();
    text_only.remove_list("hblist");
    let changed = TWO_RECEIPTS.replacen("<amount>200</amount>", "<amount>2000</amount>", 1);
    for document in [
        signed(&text_only, TWO_RECEIPTS),
        signed(&elements, &changed),
    ] {
        server.v2_route(route().respond_bytes("text/plain", document));
        let error = query().await.unwrap_err();
        assert!(
            matches!(error.as_v2(), Some(V2Error::Signature { .. })),
            "{error:?}"
        );
    }

    // No receipts yet: the list is absent.
    server.v2_route(route().respond_bytes("text/plain", red_packet_answer("")));
    assert_eq!(query().await.unwrap().hblist, None);

    // A receipt whose amount is no integer names its place, not its value.
    let bad = TWO_RECEIPTS.replacen("<amount>200</amount>", "<amount>2.5</amount>", 1);
    server.v2_route(route().respond_bytes("text/plain", red_packet_answer(&bad)));
    let error = query().await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("hblist.hbinfo[1].amount"), "{text}");
    assert!(!text.contains("2.5"), "{text}");

    // Nested deeper than list > item > leaf: refused before anything is decoded.
    let deep = TWO_RECEIPTS.replacen("<amount>100</amount>", "<amount><fen>100</fen></amount>", 1);
    server.v2_route(route().respond_bytes("text/plain", red_packet_answer(&deep)));
    let error = query().await.unwrap_err();
    match error.as_v2() {
        Some(V2Error::Malformed(e)) => {
            assert_eq!(e.element.as_deref(), Some("hblist.hbinfo[0].amount"), "{e}");
            assert!(e.message.contains("nested element `fen`"), "{e}");
        }
        other => panic!("expected a malformed answer, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bank_card_payment_encrypts_the_card_and_the_name() {
    let server = TestServer::builder()
        .tls_with_client_auth()
        .start()
        .unwrap();
    server.v2_route(
        V2Route::new(HttpMethod::Post, "/mmpaysptrans/pay_bank")
            .encrypted_request_fields(&["enc_bank_no", "enc_true_name"])
            .respond(params(&[
                ("return_code", "SUCCESS"),
                ("return_msg", "OK"),
                ("result_code", "SUCCESS"),
                ("mch_id", keys::MERCHANT_ID),
                ("partner_trade_no", "PAY-1"),
                ("amount", "500"),
                ("payment_no", "10000600500852017030900000020006012"),
                ("cmms_amt", "0"),
            ])),
    );
    let client = client(&server);
    let request = pay_bank::PostRequest::new("PAY-1", "6222000011112222", "Zhang San", "1002", 500);
    assert!(!format!("{request:?}").contains("6222000011112222"));
    let answer = client
        .v2()
        .mmpaysptrans()
        .pay_bank()
        .post(&request)
        .await
        .unwrap();
    assert_eq!(answer.amount, 500);
    let sent = &server.v2_requests()[0];
    assert_ne!(sent.params.get("enc_bank_no"), Some("6222000011112222"));
    assert_eq!(sent.decrypted.get("enc_bank_no"), Some("6222000011112222"));
    assert_eq!(sent.decrypted.get("enc_true_name"), Some("Zhang San"));
}

#[tokio::test]
async fn a_bill_download_returns_the_file() {
    let server = TestServer::builder().start().unwrap();
    let bill = "交易时间,公众账号ID\r\n`2026-12-01 10:10:10,`wx\r\n"
        .as_bytes()
        .to_vec();
    server.v2_route(
        V2Route::new(HttpMethod::Post, "/pay/downloadbill")
            .respond_bytes("text/plain;charset=utf-8", bill.clone()),
    );
    let client = client(&server);
    let request = downloadbill::PostRequest::new("20261130");
    let file = client
        .v2()
        .pay()
        .downloadbill()
        .post(&request)
        .await
        .unwrap();
    assert_eq!(file, bill);
}

#[cfg(feature = "blocking")]
#[test]
fn the_blocking_client_sends_the_same_calls() {
    let server = TestServer::builder().start().unwrap();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/orderquery").respond(paid_order()));
    let client = server
        .v2_client_builder()
        .app_id(keys::APPID)
        .no_retries()
        .build_blocking()
        .unwrap();
    let mut query = orderquery::PostRequest::new();
    query.transaction_id = Some("4200000001202612010000000001".into());
    let paid = client.v2().pay().orderquery().post(&query).send().unwrap();
    assert_eq!(paid.total_fee, Some(101));
}

fn handler() -> V2WebhookHandler {
    V2WebhookHandler::builder()
        .api_v2_key(ApiV2Key::new(keys::APIV2_KEY).unwrap())
        .mch_id(keys::MERCHANT_ID)
        .build()
        .unwrap()
}

#[test]
fn a_refund_notification_is_decrypted_into_the_generated_resource() {
    let sent = V2NotificationBuilder::refund(
        [],
        [
            ("out_refund_no", "REFUND-1"),
            ("out_trade_no", "ORDER-1"),
            ("refund_id", "50000000012026120100000000001"),
            ("refund_fee", "10"),
            ("refund_status", "SUCCESS"),
        ],
    )
    .build()
    .unwrap();
    let notification = handler()
        .handle::<refund_processed::Notification>(&sent.body)
        .unwrap();
    assert_eq!(notification.verification, V2Verification::DecryptedOnly);
    assert_eq!(
        notification.resource.out_refund_no.as_deref(),
        Some("REFUND-1")
    );
    assert_eq!(notification.resource.refund_fee.as_deref(), Some("10"));
    assert_eq!(
        notification.envelope.mch_id.as_deref(),
        Some(keys::MERCHANT_ID)
    );
}

#[test]
fn a_payment_notification_is_verified_and_a_bad_sign_refused() {
    let builder = V2NotificationBuilder::payment([
        ("out_trade_no", "ORDER-1"),
        ("transaction_id", "4200000001202612010000000001"),
        ("total_fee", "101"),
    ]);
    let sent = builder.build().unwrap();
    let notification = handler()
        .handle::<transaction_success::Notification>(&sent.body)
        .unwrap();
    assert_eq!(
        notification.verification,
        V2Verification::Signed(SignType::Md5)
    );
    assert_eq!(
        notification.envelope.out_trade_no.as_deref(),
        Some("ORDER-1")
    );

    let forged = builder
        .build_with(|params| {
            params.insert("total_fee", "1");
        })
        .unwrap();
    let error = handler()
        .handle::<transaction_success::Notification>(&forged.body)
        .unwrap_err();
    assert!(matches!(error, V2WebhookError::Signature(_)), "{error:?}");
    assert_ne!(error.reply().status, 200);
}
