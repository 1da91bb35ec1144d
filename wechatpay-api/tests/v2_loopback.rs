//! End-to-end APIv2: the runtime against the loopback server over real HTTP on 127.0.0.1.
//! Operations are declared here as generated code declares them (`impl_params!` structs and
//! an `Operation` impl with a static `OperationSpec`).

#[path = "support/openssl.rs"]
mod openssl;

use wechatpay_api::runtime::operation::PathArgs;
use wechatpay_api::runtime::v2::{
    self, ApiV2Key, Download, JsonAnswer, Operation, OperationSpec, Params, RequestKind,
    ResponseKind, SignType, SignatureError, V2Error, V2ErrorCode, Xml,
};
use wechatpay_api::runtime::{Client, ConfigItem, Error, FilePart, HttpMethod};
use wechatpay_api::testing::{TestServer, V2Misbehavior, V2Route, keys};

const APP_ID: &str = "wxd930ea5d5a258f4f";

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn call<O: Operation>(client: &Client) -> v2::Call<'_, Client, O> {
    v2::Call::new(client, PathArgs::new())
}

const ORDER: OperationSpec = OperationSpec {
    method: HttpMethod::Post,
    path: "/pay/unifiedorder",
    base_uri: None,
    request: RequestKind::Xml,
    response: ResponseKind::Xml,
    security: false,
    nonceless: false,
    merchant_id: Some("mch_id"),
    app_id: Some("appid"),
    signed: true,
    sign_types: &[SignType::Md5, SignType::HmacSha256],
    encrypted_request_fields: &[],
    encrypted_response_fields: &[],
    answer_signed: true,
};

struct UnifiedOrder;
impl Operation for UnifiedOrder {
    const SPEC: &'static OperationSpec = &ORDER;
    type Response = Xml<OrderAnswer>;
}

/// Like [`UnifiedOrder`], but the page allows HMAC-SHA256 only.
struct HmacOnlyOrder;
impl Operation for HmacOnlyOrder {
    const SPEC: &'static OperationSpec = &OperationSpec {
        path: "/pay/hmaconly",
        sign_types: &[SignType::HmacSha256],
        ..ORDER
    };
    type Response = Xml<OrderAnswer>;
}

struct OrderRequest {
    appid: Option<String>,
    body: String,
    out_trade_no: String,
    total_fee: i64,
}
wechatpay_api::impl_params!(OrderRequest {
    appid: "appid" optional Text,
    body: "body" required Text,
    out_trade_no: "out_trade_no" required Text,
    total_fee: "total_fee" required Text,
});

#[derive(Debug, PartialEq)]
struct OrderAnswer {
    prepay_id: String,
    total_fee: Option<i64>,
}
wechatpay_api::impl_params!(OrderAnswer {
    prepay_id: "prepay_id" required Text,
    total_fee: "total_fee" optional Text,
});

fn order() -> OrderRequest {
    OrderRequest {
        appid: None,
        body: "测试商品 & <礼品>".to_owned(),
        out_trade_no: "T20261201001".to_owned(),
        total_fee: 101,
    }
}

fn order_answer() -> Params {
    params(&[
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("result_code", "SUCCESS"),
        ("prepay_id", "wx201410272009395522657a690389285100"),
        ("total_fee", "101"),
    ])
}

/// A nonceless page without `sign_type` (signed with MD5).
struct Nonceless;
impl Operation for Nonceless {
    const SPEC: &'static OperationSpec = &OperationSpec {
        path: "/tools/nonceless",
        nonceless: true,
        app_id: None,
        sign_types: &[],
        ..ORDER
    };
    type Response = Xml<Empty>;
}

#[derive(Debug)]
struct Empty {}
wechatpay_api::impl_params!(Empty {});

/// Bank transfer: two OAEP-encrypted request fields; the documented answer has no `sign`.
struct PayBank;
impl Operation for PayBank {
    const SPEC: &'static OperationSpec = &OperationSpec {
        path: "/mmpaysptrans/pay_bank",
        app_id: None,
        sign_types: &[],
        encrypted_request_fields: &["enc_bank_no", "enc_true_name"],
        answer_signed: false,
        ..ORDER
    };
    type Response = Xml<PayBankAnswer>;
}

struct PayBankRequest {
    partner_trade_no: String,
    enc_bank_no: String,
    enc_true_name: String,
    amount: i64,
}
wechatpay_api::impl_params!(PayBankRequest {
    partner_trade_no: "partner_trade_no" required Text,
    enc_bank_no: "enc_bank_no" required Text,
    enc_true_name: "enc_true_name" required Text,
    amount: "amount" required Text,
});

#[derive(Debug)]
struct PayBankAnswer {
    payment_no: String,
}
wechatpay_api::impl_params!(PayBankAnswer { payment_no: "payment_no" required Text });

/// Answer fields encrypted with the merchant key: an element, and a key inside JSON text.
struct RealName;
impl Operation for RealName {
    const SPEC: &'static OperationSpec = &OperationSpec {
        path: "/appauth/getrealnameinfo",
        encrypted_response_fields: &["cre_id", "risk_info.true_name"],
        ..ORDER
    };
    type Response = Xml<RealNameAnswer>;
}

#[derive(Debug)]
struct RealNameAnswer {
    cre_id: String,
    risk_info: serde_json::Value,
}
wechatpay_api::impl_params!(RealNameAnswer {
    cre_id: "cre_id" required Text,
    risk_info: "risk_info" required JsonText,
});

struct DownloadBill;
impl Operation for DownloadBill {
    const SPEC: &'static OperationSpec = &OperationSpec {
        path: "/pay/downloadbill",
        response: ResponseKind::Download,
        ..ORDER
    };
    type Response = Download;
}

/// `multipart/form-data`: the signed elements as form fields, the file as a part.
struct UploadMedia;
impl Operation for UploadMedia {
    const SPEC: &'static OperationSpec = &OperationSpec {
        path: "/mch/uploadmedia",
        request: RequestKind::Multipart,
        app_id: None,
        sign_types: &[SignType::HmacSha256],
        ..ORDER
    };
    type Response = Xml<MediaAnswer>;
}

struct MediaRequest {
    media_hash: String,
}
wechatpay_api::impl_params!(MediaRequest { media_hash: "media_hash" required Text });

#[derive(Debug)]
struct MediaAnswer {
    media_id: String,
}
wechatpay_api::impl_params!(MediaAnswer { media_id: "media_id" required Text });

/// A JSON answer (`appauth/getaccesstoken`).
struct AccessToken;
impl Operation for AccessToken {
    const SPEC: &'static OperationSpec = &OperationSpec {
        path: "/appauth/getaccesstoken",
        request: RequestKind::Query,
        method: HttpMethod::Get,
        response: ResponseKind::Json,
        ..ORDER
    };
    type Response = JsonAnswer<serde_json::Value>;
}

struct SecureRefund;
impl Operation for SecureRefund {
    const SPEC: &'static OperationSpec = &OperationSpec {
        path: "/secapi/pay/refund",
        security: true,
        ..ORDER
    };
    type Response = Xml<Empty>;
}

fn server() -> TestServer {
    TestServer::builder().start().unwrap()
}

fn client(server: &TestServer) -> Client {
    server
        .v2_client_builder()
        .app_id(APP_ID)
        .no_retries()
        .build()
        .unwrap()
}

/// The documented string to sign of recorded `params`, built here without the runtime.
fn string_to_sign(params: &Params) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    pairs.sort();
    let mut text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    text.push(format!("key={}", keys::APIV2_KEY));
    text.join("&")
}

fn assert_nonce(params: &Params) {
    let nonce = params.get("nonce_str").expect("nonce_str sent");
    assert_eq!(nonce.len(), 32);
    assert!(nonce.bytes().all(|b| b.is_ascii_alphanumeric()), "{nonce}");
}

#[tokio::test]
async fn md5_signed_order_is_accepted_and_its_answer_decoded() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/unifiedorder").respond(order_answer()));
    let client = client(&server);

    let answer = call::<UnifiedOrder>(&client)
        .params(&order())
        .await
        .unwrap();
    assert_eq!(
        answer,
        OrderAnswer {
            prepay_id: "wx201410272009395522657a690389285100".to_owned(),
            total_fee: Some(101),
        }
    );

    let [request] = server.v2_requests().try_into().unwrap();
    assert_eq!(request.sign_type, SignType::Md5);
    assert_eq!(
        request.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    let sent = &request.params;
    assert_eq!(sent.get("mch_id"), Some(keys::MERCHANT_ID));
    assert_eq!(sent.get("appid"), Some(APP_ID));
    assert_eq!(sent.get("sign_type"), Some("MD5"));
    assert_eq!(sent.get("body"), Some("测试商品 & <礼品>"));
    assert_nonce(sent);
    if let Some(expected) = openssl::digest_hex(&["-md5"], string_to_sign(sent).as_bytes()) {
        assert_eq!(sent.get("sign"), Some(expected.as_str()));
    }
}

#[tokio::test]
async fn hmac_sha256_signed_order_is_accepted_and_verified_with_hmac() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/unifiedorder").respond(order_answer()));
    let client = client(&server);

    let answer = call::<UnifiedOrder>(&client)
        .params(&order())
        .sign_type(SignType::HmacSha256)
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.value.total_fee, Some(101));

    let [request] = server.v2_requests().try_into().unwrap();
    assert_eq!(request.sign_type, SignType::HmacSha256);
    let sent = &request.params;
    assert_eq!(sent.get("sign_type"), Some("HMAC-SHA256"));
    assert_eq!(sent.get("sign").map(str::len), Some(64));
    if let Some(expected) = openssl::digest_hex(
        &["-sha256", "-hmac", keys::APIV2_KEY],
        string_to_sign(sent).as_bytes(),
    ) {
        assert_eq!(sent.get("sign"), Some(expected.as_str()));
    }
}

#[tokio::test]
async fn sign_type_follows_the_operation_and_the_client() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/hmaconly").respond(order_answer()));
    let client = client(&server);

    // MD5 is the client's default, but the page allows HMAC-SHA256 only.
    call::<HmacOnlyOrder>(&client)
        .params(&order())
        .await
        .unwrap();
    assert_eq!(server.v2_requests()[0].sign_type, SignType::HmacSha256);

    let error = call::<HmacOnlyOrder>(&client)
        .params(&order())
        .sign_type(SignType::Md5)
        .await
        .unwrap_err();
    let problem = error.as_invalid_request().expect("refused before sending");
    assert!(problem.message.contains("sign_type MD5"), "{problem}");
    assert_eq!(server.v2_requests().len(), 1, "nothing more was sent");

    // A client whose default is HMAC-SHA256 signs the MD5-or-HMAC page with it.
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/unifiedorder").respond(order_answer()));
    let hmac_client = server
        .v2_client_builder()
        .app_id(APP_ID)
        .v2_sign_type(SignType::HmacSha256)
        .build()
        .unwrap();
    call::<UnifiedOrder>(&hmac_client)
        .params(&order())
        .await
        .unwrap();
    assert_eq!(server.v2_requests()[1].sign_type, SignType::HmacSha256);
}

#[tokio::test]
async fn nonceless_page_sends_no_nonce_and_no_sign_type() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/tools/nonceless"));
    let client = client(&server);
    call::<Nonceless>(&client).params(&order()).await.unwrap();
    let [request] = server.v2_requests().try_into().unwrap();
    assert!(!request.params.contains("nonce_str"));
    assert!(!request.params.contains("sign_type"));
    assert!(request.params.contains("sign"));
    assert_eq!(request.sign_type, SignType::Md5);
}

#[tokio::test]
async fn app_id_of_the_request_wins_and_a_missing_one_is_named() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/unifiedorder").respond(order_answer()));
    let client = client(&server);
    let mut request = order();
    request.appid = Some("wx_other_app".to_owned());
    call::<UnifiedOrder>(&client)
        .params(&request)
        .await
        .unwrap();
    assert_eq!(
        server.v2_requests()[0].params.get("appid"),
        Some("wx_other_app")
    );

    let no_app = server.v2_client_builder().build().unwrap();
    let error = call::<UnifiedOrder>(&no_app)
        .params(&order())
        .await
        .unwrap_err();
    let config = error.as_config().expect("a configuration error");
    assert_eq!(config.item, ConfigItem::AppId);
    assert!(config.message.contains("`appid`"), "{config}");
}

#[tokio::test]
async fn tampered_or_unsigned_answers_are_refused_and_nothing_is_decoded() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/unifiedorder").respond(order_answer()));
    let client = client(&server);

    for (sign_type, misbehavior, expected) in [
        (
            SignType::Md5,
            V2Misbehavior::TamperedAnswer,
            SignatureError::Mismatch,
        ),
        (
            SignType::HmacSha256,
            V2Misbehavior::TamperedAnswer,
            SignatureError::Mismatch,
        ),
        (
            SignType::Md5,
            V2Misbehavior::MissingSign,
            SignatureError::Missing,
        ),
    ] {
        server.v2_misbehave_once(misbehavior.clone());
        let error = call::<UnifiedOrder>(&client)
            .params(&order())
            .sign_type(sign_type)
            .await
            .unwrap_err();
        match error.as_v2() {
            Some(V2Error::Signature {
                error,
                sign_type: used,
            }) => {
                assert_eq!((*error, *used), (expected, sign_type), "{misbehavior:?}");
            }
            other => panic!("{misbehavior:?}: {other:?}"),
        }
    }
    // The same answer, untouched, is accepted.
    call::<UnifiedOrder>(&client)
        .params(&order())
        .await
        .unwrap();
}

#[tokio::test]
async fn failures_are_typed() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/unifiedorder").respond(order_answer()));
    let client = client(&server);

    server.v2_misbehave_once(V2Misbehavior::CommunicationFail {
        return_msg: "参数格式校验错误\n".to_owned(),
    });
    let error = call::<UnifiedOrder>(&client)
        .params(&order())
        .await
        .unwrap_err();
    assert_eq!(
        error.as_v2(),
        Some(&V2Error::Communication {
            return_code: "FAIL".to_owned(),
            return_msg: Some("参数格式校验错误\n".to_owned()),
            verified: false,
        })
    );
    let text = error.to_string();
    assert!(text.contains("unverified"), "{text}");
    assert!(text.contains("参数格式校验错误\\n"), "escaped: {text}");

    server.v2_misbehave_once(V2Misbehavior::BusinessFail {
        err_code: "ORDERPAID".to_owned(),
        err_code_des: "该订单已支付".to_owned(),
    });
    let error = call::<UnifiedOrder>(&client)
        .params(&order())
        .await
        .unwrap_err();
    assert_eq!(
        error.as_v2(),
        Some(&V2Error::Business {
            code: V2ErrorCode::OrderPaid,
            description: Some("该订单已支付".to_owned()),
            verified: true,
        })
    );
    assert!(!error.is_retryable());

    // A request signed with another key: the server's real refusal.
    let wrong_key = server
        .client_builder()
        .api_v2_key(ApiV2Key::new("0".repeat(32)).unwrap())
        .app_id(APP_ID)
        .build()
        .unwrap();
    let error = call::<UnifiedOrder>(&wrong_key)
        .params(&order())
        .await
        .unwrap_err();
    match error.as_v2() {
        Some(V2Error::Communication { return_msg, .. }) => {
            assert_eq!(return_msg.as_deref(), Some("签名错误"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn download_returns_the_file_and_an_xml_answer_is_the_error() {
    let server = server();
    let bill = "交易时间,公众账号ID,商户号\n`2026-12-01 10:00:00,`wx1,`1900000001\n";
    server.v2_route(
        V2Route::new(HttpMethod::Post, "/pay/downloadbill")
            .respond_bytes("text/plain;charset=utf-8", bill),
    );
    let client = client(&server);
    let bytes = call::<DownloadBill>(&client)
        .params(&order())
        .await
        .unwrap();
    assert_eq!(bytes, bill.as_bytes());

    server.v2_route(
        V2Route::new(HttpMethod::Post, "/pay/downloadbill").respond(params(&[
            ("return_code", "FAIL"),
            ("return_msg", "No Bill Exist"),
        ])),
    );
    let error = call::<DownloadBill>(&client)
        .params(&order())
        .await
        .unwrap_err();
    match error.as_v2() {
        Some(V2Error::Communication { return_msg, .. }) => {
            assert_eq!(return_msg.as_deref(), Some("No Bill Exist"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn encrypted_request_fields_arrive_oaep_encrypted() {
    let server = server();
    server.v2_route(
        V2Route::new(HttpMethod::Post, "/mmpaysptrans/pay_bank")
            .encrypted_request_fields(&["enc_bank_no", "enc_true_name"])
            .respond(params(&[
                ("return_code", "SUCCESS"),
                ("result_code", "SUCCESS"),
                ("payment_no", "10000600500852017030900000020006012"),
            ]))
            .unsigned_answer(),
    );
    let client = client(&server);
    let answer = call::<PayBank>(&client)
        .params(&PayBankRequest {
            partner_trade_no: "P1".to_owned(),
            enc_bank_no: "6225760008219524".to_owned(),
            enc_true_name: "王小王".to_owned(),
            amount: 500,
        })
        .await
        .unwrap();
    assert_eq!(answer.payment_no, "10000600500852017030900000020006012");

    let [request] = server.v2_requests().try_into().unwrap();
    for (element, plain) in [
        ("enc_bank_no", "6225760008219524"),
        ("enc_true_name", "王小王"),
    ] {
        let sent = request.params.get(element).unwrap();
        assert!(!sent.contains(plain));
        assert_eq!(sent.len(), 344, "base64 of a 2048-bit RSA block");
        assert_eq!(request.decrypted.get(element), Some(plain));
    }
    assert!(!String::from_utf8_lossy(&request.body).contains("6225760008219524"));

    // Without the RSA public key nothing is sent.
    let no_key = server
        .client_builder()
        .api_v2_key(ApiV2Key::new(keys::APIV2_KEY).unwrap())
        .build()
        .unwrap();
    let error = call::<PayBank>(&no_key)
        .params(&PayBankRequest {
            partner_trade_no: "P2".to_owned(),
            enc_bank_no: "6225760008219524".to_owned(),
            enc_true_name: "王小王".to_owned(),
            amount: 500,
        })
        .await
        .unwrap_err();
    assert!(error.to_string().contains("enc_bank_no"), "{error}");
    assert_eq!(server.v2_requests().len(), 1);
}

#[tokio::test]
async fn encrypted_response_fields_are_decrypted_with_the_merchant_key() {
    let server = server();
    server.v2_route(
        V2Route::new(HttpMethod::Post, "/appauth/getrealnameinfo")
            .encrypted_response_fields(&["cre_id", "risk_info.true_name"])
            .respond(params(&[
                ("return_code", "SUCCESS"),
                ("result_code", "SUCCESS"),
                ("cre_id", "110101199003070000"),
                ("risk_info", r#"{"true_name":"张三","level":2}"#),
            ])),
    );
    let client = client(&server);
    let answer = call::<RealName>(&client).params(&order()).await.unwrap();
    assert_eq!(answer.cre_id, "110101199003070000");
    assert_eq!(answer.risk_info["true_name"], "张三");
    assert_eq!(answer.risk_info["level"], 2);
}

#[tokio::test]
async fn multipart_upload_signs_its_form_fields() {
    let server = server();
    server.v2_route(
        V2Route::new(HttpMethod::Post, "/mch/uploadmedia").respond(params(&[
            ("return_code", "SUCCESS"),
            ("result_code", "SUCCESS"),
            ("media_id", "H1ihR9JUtVj-J7CJqBUY5ZOrG_Je75H-rKu2O1ZSN3g"),
        ])),
    );
    let client = client(&server);
    let image = b"\x89PNG\r\n\x1a\n fake image".to_vec();
    let answer = call::<UploadMedia>(&client)
        .params(&MediaRequest {
            media_hash: "0123456789abcdef0123456789abcdef".to_owned(),
        })
        .file("media", FilePart::new("id.png", "image/png", image.clone()))
        .await
        .unwrap();
    assert_eq!(
        answer.media_id,
        "H1ihR9JUtVj-J7CJqBUY5ZOrG_Je75H-rKu2O1ZSN3g"
    );
    let [request] = server.v2_requests().try_into().unwrap();
    assert!(
        request
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(request.sign_type, SignType::HmacSha256);
    assert_eq!(request.params.get("mch_id"), Some(keys::MERCHANT_ID));
    let [(name, part)] = request.files.try_into().unwrap();
    assert_eq!((name.as_str(), part.bytes), ("media", image));
}

#[tokio::test]
async fn json_answers_decode_and_an_xml_answer_is_the_error() {
    let server = server();
    server.v2_route(
        V2Route::new(HttpMethod::Get, "/appauth/getaccesstoken").respond_bytes(
            "application/json",
            r#"{"access_token":"AT","expires_in":7200}"#,
        ),
    );
    let client = client(&server);
    let answer = call::<AccessToken>(&client).params(&order()).await.unwrap();
    assert_eq!(answer["expires_in"], 7200);

    server.v2_misbehave_once(V2Misbehavior::CommunicationFail {
        return_msg: "invalid appid".to_owned(),
    });
    let error = call::<AccessToken>(&client)
        .params(&order())
        .await
        .unwrap_err();
    assert!(
        matches!(error.as_v2(), Some(V2Error::Communication { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn security_operations_need_the_client_certificate_transport() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/secapi/pay/refund"));
    let client = client(&server);
    let error = call::<SecureRefund>(&client)
        .params(&order())
        .await
        .unwrap_err();
    let config = error.as_config().expect("a configuration error");
    assert_eq!(config.item, ConfigItem::ClientCertificate);
    assert!(config.message.contains("/secapi/pay/refund"), "{config}");
    assert!(server.v2_requests().is_empty());
}

/// A `security` operation over real mutual TLS: the server (like WeChat Pay) requires a client
/// certificate on every connection. With the merchant certificate configured the call goes
/// through the certificate pool and the server sees it; without one the call is refused before
/// a byte is sent, and the same signed request sent without a certificate is refused by the
/// server's TLS handshake.
#[tokio::test]
async fn a_security_call_succeeds_with_the_client_certificate_and_fails_without_it() {
    let server = TestServer::builder()
        .tls_with_client_auth()
        .start()
        .unwrap();
    assert!(server.base_url().starts_with("https://"));
    server.v2_route(V2Route::new(HttpMethod::Post, "/secapi/pay/refund").respond(order_answer()));
    let issued = server
        .client_certificate()
        .expect("minted by the server")
        .clone();

    let with_certificate = client(&server);
    call::<SecureRefund>(&with_certificate)
        .params(&order())
        .await
        .expect("the security call goes through mutual TLS");
    let recorded = server.v2_requests();
    assert_eq!(recorded.len(), 1);
    let presented = recorded[0]
        .client_certificate
        .as_ref()
        .expect("the connection presented a client certificate");
    assert_eq!(presented.serial, issued.serial());

    let without_certificate = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .force_base_url(server.base_url())
        .add_root_certificate(server.ca_certificate_pem().unwrap())
        .api_v2_key(ApiV2Key::new(keys::APIV2_KEY).unwrap())
        .app_id(APP_ID)
        .no_retries()
        .build()
        .unwrap();
    let error = call::<SecureRefund>(&without_certificate)
        .params(&order())
        .await
        .unwrap_err();
    let config = error.as_config().expect("refused before sending");
    assert_eq!(config.item, ConfigItem::ClientCertificate);
    assert!(
        config.message.contains("ClientCertificate::from_pem"),
        "{config}"
    );

    let refused_before = server.tls_handshakes_refused();
    let error = without_certificate
        .v2_request("/secapi/pay/refund")
        .params(Params::from_value(&order()).unwrap())
        .await
        .unwrap_err();
    assert!(
        error
            .as_transport()
            .is_some_and(|t| t.is_client_certificate_refused()),
        "{error}"
    );
    assert!(server.tls_handshakes_refused() > refused_before);
    assert_eq!(
        server.v2_requests().len(),
        1,
        "nothing more reached the server"
    );
}

#[tokio::test]
async fn dynamic_requests_go_through_the_same_checks() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Get, "/tools/query").respond(order_answer()));
    let client = client(&server);
    let answer = client
        .v2_request("/tools/query")
        .query()
        .app_id_element(None)
        .param("out_trade_no", "T 1&2")
        .sign_type(SignType::HmacSha256)
        .await
        .unwrap();
    assert_eq!(
        answer.params.get("prepay_id"),
        Some("wx201410272009395522657a690389285100")
    );
    let [request] = server.v2_requests().try_into().unwrap();
    assert_eq!(request.method, "GET");
    assert!(
        request.url.contains("out_trade_no=T%201%262"),
        "{}",
        request.url
    );
    assert_eq!(request.params.get("out_trade_no"), Some("T 1&2"));
    assert_eq!(request.sign_type, SignType::HmacSha256);

    server.v2_misbehave_once(V2Misbehavior::TamperedAnswer);
    let error = client
        .v2_request("/tools/query")
        .query()
        .app_id_element(None)
        .await
        .unwrap_err();
    assert!(
        matches!(error.as_v2(), Some(V2Error::Signature { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn debug_output_never_shows_values() {
    let server = server();
    let client = client(&server);
    let key = ApiV2Key::new(keys::APIV2_KEY).unwrap();
    let call = call::<UnifiedOrder>(&client).params(&order());
    let answer = v2::Answer {
        params: order_answer(),
        body: b"<xml>secret</xml>".to_vec(),
    };
    let dynamic = client
        .v2_request("/tools/query")
        .param("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    for text in [
        format!("{key:?}"),
        format!("{call:?}"),
        format!("{answer:?}"),
        format!("{dynamic:?}"),
        format!("{client:?}"),
    ] {
        for secret in [
            keys::APIV2_KEY,
            "T20261201001",
            "测试商品",
            "wx2014102720093955",
            "secret",
            "oUpF8uMuAJO",
        ] {
            assert!(!text.contains(secret), "{text} shows {secret}");
        }
    }
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_client_sends_checks_and_refuses_tampering() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/unifiedorder").respond(order_answer()));
    let client = server
        .v2_client_builder()
        .app_id(APP_ID)
        .build_blocking()
        .unwrap();
    let answer = v2::Call::<_, UnifiedOrder>::new(&client, PathArgs::new())
        .params(&order())
        .sign_type(SignType::HmacSha256)
        .send()
        .unwrap();
    assert_eq!(answer.total_fee, Some(101));
    assert_eq!(server.v2_requests()[0].sign_type, SignType::HmacSha256);

    server.v2_misbehave_once(V2Misbehavior::TamperedAnswer);
    let error = v2::Call::<_, UnifiedOrder>::new(&client, PathArgs::new())
        .params(&order())
        .send()
        .unwrap_err();
    assert!(
        matches!(error.as_v2(), Some(V2Error::Signature { .. })),
        "{error:?}"
    );

    let answer = client
        .v2_request("/pay/unifiedorder")
        .param("body", "x")
        .send()
        .unwrap();
    assert_eq!(answer.params.get("total_fee"), Some("101"));
}

#[test]
fn error_of_an_unknown_code_keeps_it() {
    let error = Error::from(V2Error::Business {
        code: V2ErrorCode::from("NEW_CODE"),
        description: None,
        verified: false,
    });
    assert!(error.to_string().contains("NEW_CODE"));
    assert_eq!(
        error.as_v2().and_then(V2Error::code),
        Some(&V2ErrorCode::Unknown("NEW_CODE".to_owned()))
    );
}

/// A verified `SYSTEMERROR` is sent again, signed anew with a fresh nonce, when the call may
/// be repeated (marked idempotent); an order that is not marked is not sent twice.
#[tokio::test]
async fn a_verified_system_error_is_retried_only_for_idempotent_calls() {
    let server = server();
    server.v2_route(V2Route::new(HttpMethod::Post, "/pay/unifiedorder").respond(order_answer()));
    let client = server
        .v2_client_builder()
        .app_id(APP_ID)
        .retry(
            wechatpay_api::runtime::RetryPolicy::new()
                .max_retries(2)
                .initial_backoff(std::time::Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let system_error = || V2Misbehavior::BusinessFail {
        err_code: "SYSTEMERROR".to_owned(),
        err_code_des: "系统超时".to_owned(),
    };

    server.v2_misbehave_once(system_error());
    let answer = call::<UnifiedOrder>(&client)
        .params(&order())
        .idempotent()
        .await
        .expect("the second attempt succeeds");
    assert_eq!(answer.prepay_id, order_answer().get("prepay_id").unwrap());
    let sent = server.v2_requests();
    assert_eq!(sent.len(), 2);
    assert_ne!(
        sent[0].params.get("nonce_str"),
        sent[1].params.get("nonce_str")
    );

    server.v2_misbehave_once(system_error());
    let error = call::<UnifiedOrder>(&client)
        .params(&order())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.as_v2(),
            Some(V2Error::Business {
                code: V2ErrorCode::SystemError,
                verified: true,
                ..
            })
        ),
        "{error:?}"
    );
    assert_eq!(server.v2_requests().len(), 3, "not sent again");
}
