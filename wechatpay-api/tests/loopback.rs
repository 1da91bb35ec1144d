//! End-to-end: the runtime against the loopback WeChat Pay server over real HTTP on
//! 127.0.0.1. Operations are declared here exactly as generated code declares them.

use serde::{Deserialize, Serialize};
use serde_json::json;
use wechatpay_api::runtime::{
    Call, Client, Empty, Error, FilePart, HttpMethod, Json, MediaFile, MediaKind, Operation,
    OperationSpec, PathArgs, RequestBodyKind, ResponseBodyKind, VerifyError,
};
use wechatpay_api::testing::{Misbehavior, Route, TestServer, keys};

const IMPORT_PATH: &str = "/v3/brand/partner/card-member/user-cards/import-by-openid";

struct ImportPost;
impl Operation for ImportPost {
    const SPEC: &'static OperationSpec = &OperationSpec {
        method: HttpMethod::Post,
        path: IMPORT_PATH,
        base_uri: None,
        request_body: RequestBodyKind::Json,
        response_body: ResponseBodyKind::Json,
        encrypted_request_fields: &["phone_number", "user_information.common_field_list[].value"],
        encrypted_response_fields: &["phone_number", "user_information.common_field_list[].value"],
        sends_wechatpay_serial: false,
    };
    type Response = Json<ImportResponse>;
}

#[derive(Serialize)]
struct ImportRequest {
    brand_id: String,
    openid: String,
    phone_number: String,
    user_information: UserInformation,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct UserInformation {
    common_field_list: Vec<Field>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Field {
    name: String,
    value: String,
}

#[derive(Deserialize, Debug, PartialEq)]
struct ImportResponse {
    card_id: String,
    code: String,
    phone_number: String,
    user_information: UserInformation,
}

struct CardGet;
impl Operation for CardGet {
    const SPEC: &'static OperationSpec = &OperationSpec {
        method: HttpMethod::Get,
        path: "/v3/cards/{card_id}/codes/{code}",
        base_uri: None,
        request_body: RequestBodyKind::None,
        response_body: ResponseBodyKind::Json,
        encrypted_request_fields: &[],
        encrypted_response_fields: &[],
        sends_wechatpay_serial: false,
    };
    type Response = Json<serde_json::Value>;
}

struct Delete;
impl Operation for Delete {
    const SPEC: &'static OperationSpec = &OperationSpec {
        method: HttpMethod::Delete,
        path: "/v3/cards/{card_id}",
        base_uri: None,
        request_body: RequestBodyKind::None,
        response_body: ResponseBodyKind::Empty,
        encrypted_request_fields: &[],
        encrypted_response_fields: &[],
        sends_wechatpay_serial: false,
    };
    type Response = Empty;
}

struct Download;
impl Operation for Download {
    const SPEC: &'static OperationSpec = &OperationSpec {
        method: HttpMethod::Get,
        path: "/v3/billdownload/file",
        base_uri: None,
        request_body: RequestBodyKind::None,
        response_body: ResponseBodyKind::Binary,
        encrypted_request_fields: &[],
        encrypted_response_fields: &[],
        sends_wechatpay_serial: false,
    };
    type Response = wechatpay_api::runtime::Binary;
}

struct Upload;
impl Operation for Upload {
    const SPEC: &'static OperationSpec = &OperationSpec {
        method: HttpMethod::Post,
        path: "/v3/merchant/media/upload",
        base_uri: None,
        request_body: RequestBodyKind::Multipart,
        response_body: ResponseBodyKind::Json,
        encrypted_request_fields: &[],
        encrypted_response_fields: &[],
        sends_wechatpay_serial: false,
    };
    type Response = Json<serde_json::Value>;
}

struct HongKong;
impl Operation for HongKong {
    const SPEC: &'static OperationSpec = &OperationSpec {
        method: HttpMethod::Get,
        path: "/v3/global/ping",
        base_uri: Some("https://apihk.mch.weixin.qq.com/"),
        request_body: RequestBodyKind::None,
        response_body: ResponseBodyKind::Json,
        encrypted_request_fields: &[],
        encrypted_response_fields: &[],
        sends_wechatpay_serial: false,
    };
    type Response = Json<serde_json::Value>;
}

fn import_body() -> ImportRequest {
    ImportRequest {
        brand_id: "1000".into(),
        openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
        phone_number: "13800138000".into(),
        user_information: UserInformation {
            common_field_list: vec![Field {
                name: "USER_FIELD_BIRTHDAY".into(),
                value: "1990-01-01".into(),
            }],
        },
    }
}

fn import_route() -> Route {
    Route::new(HttpMethod::Post, IMPORT_PATH)
        .encrypted_request_fields(ImportPost::SPEC.encrypted_request_fields)
        .encrypted_response_fields(ImportPost::SPEC.encrypted_response_fields)
        .respond(
            200,
            json!({
                "card_id": "pbLatjnrwUUdZI641gKdTMJ9Mx9s",
                "code": "1234567890",
                "phone_number": "13800138000",
                "user_information": {"common_field_list": [{"name": "USER_FIELD_BIRTHDAY", "value": "1990-01-01"}]}
            }),
        )
}

fn server() -> TestServer {
    let server = TestServer::builder().start().unwrap();
    server.route(import_route());
    server
}

fn client_with(server: &TestServer, public_key: bool, certificate: bool) -> Client {
    let mut builder = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .base_url(server.base_url());
    if public_key {
        builder = builder.wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM);
    }
    if certificate {
        builder = builder.platform_certificate(keys::PLATFORM_CERTIFICATE_PEM);
    }
    builder.build().unwrap()
}

fn client(server: &TestServer) -> Client {
    client_with(server, true, false)
}

fn import(client: &Client) -> Call<'_, Client, ImportPost> {
    Call::new(client, PathArgs::new()).json(&import_body())
}

#[tokio::test]
async fn success_encrypts_signs_verifies_and_decrypts() {
    let server = server();
    let client = client(&server);
    let answer = import(&client).await.unwrap();
    assert_eq!(answer.phone_number, "13800138000");
    assert_eq!(
        answer.user_information.common_field_list[0].value,
        "1990-01-01"
    );
    assert_eq!(answer.card_id, "pbLatjnrwUUdZI641gKdTMJ9Mx9s");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    // The server decrypted the fields with its private key…
    let seen = request.json.as_ref().unwrap();
    assert_eq!(seen["phone_number"], "13800138000");
    assert_eq!(
        seen["user_information"]["common_field_list"][0]["value"],
        "1990-01-01"
    );
    assert_eq!(seen["openid"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    // …which never crossed the wire in the clear.
    let raw = String::from_utf8(request.body.clone()).unwrap();
    assert!(!raw.contains("13800138000"), "{raw}");
    assert!(!raw.contains("1990-01-01"), "{raw}");
    assert_eq!(
        request.header("wechatpay-serial"),
        Some(keys::PUBLIC_KEY_ID)
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let agent = request.header("user-agent").unwrap();
    assert!(
        agent.starts_with(concat!("wechatpay-api/", env!("CARGO_PKG_VERSION"))),
        "{agent}"
    );
    assert_eq!(request.authorization.mchid, keys::MERCHANT_ID);
    assert_eq!(request.authorization.serial_no, keys::MERCHANT_SERIAL);
}

#[tokio::test]
async fn response_fields_stay_encrypted_when_asked() {
    let server = server();
    let client = client(&server);
    let answer = import(&client).keep_ciphertext().await.unwrap();
    assert_ne!(answer.phone_number, "13800138000");
    assert_eq!(
        client.decrypt_field(&answer.phone_number).unwrap(),
        "13800138000"
    );
}

#[tokio::test]
async fn decryption_reads_the_verified_bytes_without_rewriting_them() {
    let server = server();
    let client = client(&server);
    let response = client
        .execute(import(&client).prepare().unwrap())
        .await
        .unwrap();
    let received: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    let ciphertext = received["phone_number"].as_str().unwrap();
    assert_ne!(ciphertext, "13800138000", "the body stays as received");
    let document = response.decrypted.as_ref().expect("decrypted document");
    assert_eq!(document["phone_number"], "13800138000");
    assert_eq!(
        document["user_information"]["common_field_list"][0]["value"],
        "1990-01-01"
    );
    let typed: ImportResponse = response.json().unwrap();
    assert_eq!(typed.phone_number, "13800138000");
    // Neither the decrypted value nor the ciphertext shows in `Debug`.
    let debug = format!("{response:?}");
    assert!(!debug.contains("13800138000"), "{debug}");
    assert!(!debug.contains(ciphertext), "{debug}");
    assert!(debug.contains("TEST-REQUEST-"), "{debug}");
}

async fn expect_verification(misbehavior: Misbehavior) -> VerifyError {
    let server = server();
    let client = client(&server);
    server.misbehave_once(misbehavior);
    match import(&client).await {
        Err(Error::Verification(e)) => e,
        other => panic!("expected a verification error, got {other:?}"),
    }
}

#[tokio::test]
async fn tampered_body_is_a_bad_signature() {
    let e = expect_verification(Misbehavior::TamperedBody).await;
    assert_eq!(
        e,
        VerifyError::BadSignature {
            serial: keys::PUBLIC_KEY_ID.into()
        }
    );
}

#[tokio::test]
async fn signature_by_another_key_is_a_bad_signature() {
    let e = expect_verification(Misbehavior::WrongKey).await;
    assert!(matches!(e, VerifyError::BadSignature { .. }), "{e:?}");
}

#[tokio::test]
async fn wrong_serial_is_unknown() {
    let e = expect_verification(Misbehavior::WrongSerial).await;
    assert!(matches!(e, VerifyError::UnknownSerial(_)), "{e:?}");
}

#[tokio::test]
async fn stale_timestamp_is_rejected() {
    let e = expect_verification(Misbehavior::StaleTimestamp).await;
    match e {
        VerifyError::StaleTimestamp { timestamp, now } => assert!(now - timestamp > 300),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unsigned_2xx_is_rejected() {
    let e = expect_verification(Misbehavior::Unsigned).await;
    assert_eq!(e, VerifyError::MissingHeader("Wechatpay-Timestamp"));
}

#[tokio::test]
async fn error_json_becomes_a_typed_api_error() {
    let server = server();
    let client = client(&server);
    server.misbehave_once(Misbehavior::Error {
        status: 400,
        code: "PARAM_ERROR".into(),
        message: "openid 无效".into(),
    });
    let err = import(&client).await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status, 400);
    assert_eq!(api.code_str(), Some("PARAM_ERROR"));
    assert_eq!(api.message.as_deref(), Some("openid 无效"));
    assert!(
        api.request_id
            .as_deref()
            .unwrap()
            .starts_with("TEST-REQUEST-")
    );
    let shown = err.to_string();
    assert!(
        shown.contains("PARAM_ERROR") && shown.contains("TEST-REQUEST-"),
        "{shown}"
    );
}

#[tokio::test]
async fn server_rejects_a_request_signed_by_another_key() {
    let server = server();
    let client = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::PLATFORM_PRIVATE_KEY_PEM,
        )
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .base_url(server.base_url())
        .build()
        .unwrap();
    let err = import(&client).await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!((api.status, api.code_str()), (401, Some("SIGN_ERROR")));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn platform_certificate_mode() {
    let server = server();
    server.sign_with(keys::PLATFORM_SERIAL).unwrap();
    let client = client_with(&server, false, true);
    let answer = import(&client).await.unwrap();
    assert_eq!(answer.phone_number, "13800138000");
    assert_eq!(
        server.requests()[0].header("wechatpay-serial"),
        Some(keys::PLATFORM_SERIAL)
    );
    // A public-key-only client does not know the certificate serial.
    let public_only = client_with(&server, true, false);
    let err = import(&public_only).await.unwrap_err();
    assert!(
        matches!(err, Error::Verification(VerifyError::UnknownSerial(ref s)) if s == keys::PLATFORM_SERIAL),
        "{err:?}"
    );
}

#[tokio::test]
async fn both_key_modes_at_once_pick_by_serial() {
    let server = server();
    let client = client_with(&server, true, true);
    // Encryption prefers the WeChat Pay public key.
    import(&client).await.unwrap();
    server.sign_with(keys::PLATFORM_SERIAL).unwrap();
    import(&client).await.unwrap();
    server.sign_with(keys::PUBLIC_KEY_ID).unwrap();
    import(&client).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        requests
            .iter()
            .all(|r| r.header("wechatpay-serial") == Some(keys::PUBLIC_KEY_ID))
    );
}

#[tokio::test]
async fn path_arguments_and_query_are_encoded_and_signed() {
    let server = server();
    server.route(
        Route::new(HttpMethod::Get, "/v3/cards/{card_id}/codes/{code}")
            .respond(200, json!({"ok": true})),
    );
    #[derive(Serialize)]
    struct Query {
        appid: &'static str,
        fields: Vec<&'static str>,
    }
    let client = client(&server);
    let answer = Call::<_, CardGet>::new(&client, PathArgs::new().with("p/x y").with("数"))
        .query(&Query {
            appid: "wx 1",
            fields: vec!["a", "b"],
        })
        .await
        .unwrap();
    assert_eq!(answer, json!({"ok": true}));
    let request = &server.requests()[0];
    assert_eq!(
        request.url,
        "/v3/cards/p%2Fx%20y/codes/%E6%95%B0?appid=wx%201&fields=a%2Cb"
    );
    assert!(request.body.is_empty());
    assert_eq!(request.header("wechatpay-serial"), None);
}

#[tokio::test]
async fn empty_answer_is_still_verified() {
    let server = server();
    server.route(Route::new(HttpMethod::Delete, "/v3/cards/{card_id}"));
    let client = client(&server);
    Call::<_, Delete>::new(&client, PathArgs::new().with("c1"))
        .await
        .unwrap();
    server.misbehave_once(Misbehavior::Unsigned);
    let err = Call::<_, Delete>::new(&client, PathArgs::new().with("c1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Verification(VerifyError::MissingHeader(_))),
        "{err:?}"
    );
    server.misbehave_once(Misbehavior::TamperedBody);
    let err = Call::<_, Delete>::new(&client, PathArgs::new().with("c1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Verification(VerifyError::BadSignature { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn downloads_are_not_verified() {
    let server = server();
    server.route(
        Route::new(HttpMethod::Get, "/v3/billdownload/file").respond(200, json!({"csv": "x"})),
    );
    let client = client(&server);
    server.misbehave_once(Misbehavior::Unsigned);
    let bytes = Call::<_, Download>::new(&client, PathArgs::new())
        .await
        .unwrap();
    assert_eq!(bytes, br#"{"csv":"x"}"#);
}

#[tokio::test]
async fn multipart_upload_signs_the_meta_part() {
    let server = server();
    server.route(
        Route::new(HttpMethod::Post, "/v3/merchant/media/upload")
            .respond(200, json!({"media_id": "M1"})),
    );
    let client = client(&server);
    let bytes = vec![0x89, b'P', b'N', b'G', 0, 1, 2];
    let file = FilePart::new("a.png", "image/png", bytes.clone());
    // printf '\x89PNG\x00\x01\x02' | sha256sum
    let sha256 = "a9c74dcaf10fa87b290d88c7e48b779a33e9c987926b209d24ddaa8d99dc8c69";
    let answer = Call::<_, Upload>::new(&client, PathArgs::new())
        .json(&json!({"filename": "a.png", "sha256": sha256}))
        .file("file", file.clone())
        .await
        .unwrap();
    assert_eq!(answer, json!({"media_id": "M1"}));
    let request = &server.requests()[0];
    assert_eq!(
        request.json,
        Some(json!({"filename": "a.png", "sha256": sha256}))
    );
    assert_eq!(request.file("file"), Some(&file));
    assert!(
        request
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
}

fn media_routes(server: &TestServer) {
    for kind in [MediaKind::Image, MediaKind::Video] {
        server.route(
            Route::new(HttpMethod::Post, kind.upload_path())
                .respond(200, json!({"media_id": "M-1"})),
        );
    }
}

#[tokio::test]
async fn upload_media_picks_the_endpoint_and_sends_the_digest() {
    let server = server();
    media_routes(&server);
    let client = client(&server);
    for (name, path) in [
        ("logo.jpg", "/v3/merchant/media/upload"),
        ("intro.MOV", "/v3/merchant/media/video_upload"),
    ] {
        let file = MediaFile::new(name, b"media bytes".to_vec()).unwrap();
        assert_eq!(client.upload_media(&file).await.unwrap(), "M-1");
        let request = server.requests().pop().unwrap();
        assert_eq!(request.url, path);
        assert_eq!(request.json.as_ref().unwrap()["sha256"], file.sha256());
        assert_eq!(request.file("file").unwrap().bytes, b"media bytes");
    }
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_upload_media_sends_the_digest() {
    let server = server();
    media_routes(&server);
    let client = server.client_builder().build_blocking().unwrap();
    let file = MediaFile::new("logo.png", b"png".to_vec()).unwrap();
    assert_eq!(client.upload_media(&file).unwrap(), "M-1");
    let request = server.requests().pop().unwrap();
    assert_eq!(request.url, "/v3/merchant/media/upload");
    assert_eq!(request.json.as_ref().unwrap()["sha256"], file.sha256());
}

#[tokio::test]
async fn media_file_uploads_through_the_dynamic_call() {
    let server = server();
    media_routes(&server);
    let client = client(&server);
    for (name, bytes, kind) in [
        (
            "logo.PNG",
            b"\x89PNG image bytes".to_vec(),
            MediaKind::Image,
        ),
        (
            "intro.mp4",
            vec![0u8, 0, 0, 24, b'f', b't', b'y', b'p'],
            MediaKind::Video,
        ),
    ] {
        let file = MediaFile::new(name, bytes.clone()).unwrap();
        assert_eq!(file.kind(), kind);
        let answer = client
            .request(HttpMethod::Post, file.kind().upload_path())
            .json(&file.meta())
            .file("file", file.file_part())
            .await
            .unwrap();
        assert_eq!(
            answer.json::<serde_json::Value>().unwrap()["media_id"],
            "M-1"
        );

        let request = server.requests().pop().unwrap();
        assert_eq!(request.url, kind.upload_path());
        assert_eq!(
            request.json,
            Some(json!({"filename": name, "sha256": file.sha256()}))
        );
        let part = request.file("file").unwrap();
        assert_eq!(part.file_name, name);
        assert_eq!(part.content_type, file.content_type());
        assert_eq!(part.bytes, bytes);
    }
    // printf '\x89PNG image bytes' | sha256sum
    assert_eq!(
        server.requests()[0].json.as_ref().unwrap()["sha256"],
        "378b779adbf326b35c24984bfd733a358b7a1adf9f893f9f98603ffa0b6c763e"
    );
}

#[tokio::test]
async fn upload_whose_file_changed_after_the_meta_is_refused() {
    let server = server();
    media_routes(&server);
    let client = client(&server);
    let file = MediaFile::new("logo.png", b"\x89PNG image bytes".to_vec()).unwrap();
    let (meta, mut part) = file.into_parts();
    part.bytes[1] ^= 0x20;
    let err = client
        .request(HttpMethod::Post, MediaKind::Image.upload_path())
        .json(&meta)
        .file("file", part)
        .await
        .unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!((api.status, api.code_str()), (400, Some("PARAM_ERROR")));
    assert!(
        api.message.as_deref().unwrap().contains("sha256"),
        "{api:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn dynamic_call_is_signed_encrypted_and_verified() {
    let server = server();
    server.route(
        Route::new(
            HttpMethod::Post,
            "/v3/marketing/membercard-open/cards/{card_id}/users/import",
        )
        .encrypted_request_fields(&["phone_number"])
        .respond(200, json!({"code": "1"})),
    );
    let client = client(&server);
    let answer = client
        .request(
            HttpMethod::Post,
            "v3/marketing/membercard-open/cards/{card_id}/users/import",
        )
        .param("card_id", "pY7")
        .json(&json!({"phone_number": "13800138000"}))
        .encrypt_fields(&["phone_number"])
        .await
        .unwrap();
    assert_eq!(
        answer.json::<serde_json::Value>().unwrap(),
        json!({"code": "1"})
    );
    let request = &server.requests()[0];
    assert_eq!(
        request.url,
        "/v3/marketing/membercard-open/cards/pY7/users/import"
    );
    assert_eq!(
        request.json.as_ref().unwrap()["phone_number"],
        "13800138000"
    );

    server.misbehave_once(Misbehavior::TamperedBody);
    let err = client
        .request(
            HttpMethod::Post,
            "/v3/marketing/membercard-open/cards/{card_id}/users/import",
        )
        .param("card_id", "pY7")
        .json(&json!({"phone_number": "13800138000"}))
        .encrypt_fields(&["phone_number"])
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Verification(VerifyError::BadSignature { .. })),
        "{err:?}"
    );

    let err = client
        .request(HttpMethod::Get, "/v3/cards/{card_id}")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn base_uri_is_honoured() {
    let server = server();
    server.route(Route::new(HttpMethod::Get, "/v3/global/ping").respond(200, json!({"pong": 1})));
    // The client's own host is a closed port: only the per-call host can answer.
    let client = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap();
    let answer = client
        .request(HttpMethod::Get, "/v3/global/ping")
        .base_uri(&server.base_url())
        .await
        .unwrap();
    assert_eq!(
        answer.json::<serde_json::Value>().unwrap(),
        json!({"pong": 1})
    );
    let err = client
        .request(HttpMethod::Get, "/v3/global/ping")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");

    // A generated operation's base_uri picks its host; force_base_url overrides it.
    let prepared = Call::<_, HongKong>::new(&client, PathArgs::new())
        .prepare()
        .unwrap();
    assert_eq!(
        prepared.url(),
        "https://apihk.mch.weixin.qq.com/v3/global/ping"
    );
    let forced = server.client_builder().build().unwrap();
    let answer = Call::<_, HongKong>::new(&forced, PathArgs::new())
        .await
        .unwrap();
    assert_eq!(answer, json!({"pong": 1}));
}

#[tokio::test]
async fn invalid_requests_are_reported_before_sending() {
    let server = server();
    let client = client(&server);
    let err = Call::<_, CardGet>::new(&client, PathArgs::new().with("only-one"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let mut body = import_body();
    body.phone_number = "9".repeat(300);
    let err = Call::<_, ImportPost>::new(&client, PathArgs::new())
        .json(&body)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidRequest(ref m) if m.message.contains("phone_number")),
        "{err:?}"
    );
    let err = Call::<_, ImportPost>::new(&client, PathArgs::new())
        .json(&json!({"phone_number": 13800138000u64}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.requests().is_empty());
}

#[test]
fn bad_configuration_is_a_typed_error() {
    let bad_key = Client::builder()
        .merchant(
            "1",
            "S",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .build();
    assert!(matches!(bad_key, Err(Error::Config(_))));
    let no_wechatpay_key = Client::builder()
        .merchant("1", "S", keys::MERCHANT_PRIVATE_KEY_PEM)
        .build();
    assert!(matches!(no_wechatpay_key, Err(Error::Config(_))));
    let bad_cert = Client::builder()
        .merchant("1", "S", keys::MERCHANT_PRIVATE_KEY_PEM)
        .platform_certificate(keys::WECHATPAY_PUBLIC_KEY_PEM)
        .build();
    assert!(matches!(bad_cert, Err(Error::Config(_))));
    let bad_url = Client::builder()
        .merchant("1", "S", keys::MERCHANT_PRIVATE_KEY_PEM)
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .base_url("ftp://x/y")
        .build();
    assert!(matches!(bad_url, Err(Error::Config(_))));
}

#[test]
fn client_debug_shows_no_secrets() {
    let client = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .build()
        .unwrap();
    let shown = format!("{client:?}");
    assert!(shown.contains("<redacted>"), "{shown}");
    assert!(!shown.contains("MII"), "{shown}");
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_client_does_the_same() {
    let server = server();
    let client = server.client_builder().build_blocking().unwrap();
    let answer = Call::<_, ImportPost>::new(&client, PathArgs::new())
        .json(&import_body())
        .send()
        .unwrap();
    assert_eq!(answer.phone_number, "13800138000");
    assert_eq!(
        server.requests()[0].json.as_ref().unwrap()["phone_number"],
        "13800138000"
    );

    server.misbehave_once(Misbehavior::StaleTimestamp);
    let err = Call::<_, ImportPost>::new(&client, PathArgs::new())
        .json(&import_body())
        .send()
        .unwrap_err();
    assert!(
        matches!(err, Error::Verification(VerifyError::StaleTimestamp { .. })),
        "{err:?}"
    );

    let answer = client
        .request(HttpMethod::Post, IMPORT_PATH)
        .json(&import_body())
        .encrypt_fields(&["phone_number", "user_information.common_field_list[].value"])
        .send()
        .unwrap();
    assert_eq!(
        answer.json::<serde_json::Value>().unwrap()["code"],
        "1234567890"
    );
}

mod generated {
    //! The generated endpoint of seed 001 against the loopback server.
    use super::*;
    use wechatpay_api::v3::brand::partner::card_member::user_cards::import_by_openid::{
        Post, PostRequest, PostRequestDateInformation, PostRequestDateInformationType,
        PostRequestUserInformation, PostRequestUserInformationCommonFieldList,
        PostRequestUserInformationCommonFieldListName, PostResponseCardType,
        PostResponseUserCardState,
    };

    fn body() -> PostRequest {
        PostRequest {
            brand_id: "1000".into(),
            card_id: "pbLatjnrwUUdZI641gKdTMJ9Mx9s".into(),
            openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
            user_card_code: "1234567890".into(),
            phone_number: Some("13800138000".into()),
            user_information: Some(PostRequestUserInformation {
                common_field_list: Some(vec![PostRequestUserInformationCommonFieldList {
                    name: Some(PostRequestUserInformationCommonFieldListName::UserFormFlagBirthday),
                    value: Some("1990-01-01".into()),
                }]),
                custom_field_list: None,
            }),
            date_information: PostRequestDateInformation {
                type_: PostRequestDateInformationType::Permanent,
                available_begin_time: None,
                available_end_time: None,
                available_day_after_receive: None,
            },
            pickup_time: "2024-11-25T10:00:00+08:00".into(),
        }
    }

    #[test]
    fn debug_redacts_the_fields_the_docs_mark_encrypted() {
        let printed = format!("{:?}", body());
        assert!(!printed.contains("13800138000"), "{printed}");
        assert!(!printed.contains("1990-01-01"), "{printed}");
        assert!(printed.contains("phone_number: <redacted>"), "{printed}");
        assert!(printed.contains("value: <redacted>"), "{printed}");
        assert!(
            printed.contains(r#"openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o""#),
            "{printed}"
        );
    }

    fn route() -> Route {
        Route::new(HttpMethod::Post, Post::SPEC.path)
            .encrypted_request_fields(Post::SPEC.encrypted_request_fields)
            .encrypted_response_fields(Post::SPEC.encrypted_response_fields)
            .respond(
                200,
                json!({
                    "user_card_code": "1234567890",
                    "card_id": "pbLatjnrwUUdZI641gKdTMJ9Mx9s",
                    "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                    "brand_id": "1000",
                    "card_type": "NORMAL",
                    "phone_number": "13800138000",
                    "valid_date_information": {"type": "PERMANENT"},
                    "pickup_time": "2024-11-25T10:00:00+08:00",
                    "user_card_state": "EFFECTIVE"
                }),
            )
    }

    #[tokio::test]
    async fn import_by_openid_through_the_generated_chain() {
        let server = TestServer::builder().start().unwrap();
        server.route(route());
        let client = client(&server);
        let answer = client
            .v3()
            .brand()
            .partner()
            .card_member()
            .user_cards()
            .import_by_openid()
            .post(&body())
            .await
            .unwrap();
        assert_eq!(answer.phone_number.as_deref(), Some("13800138000"));
        assert_eq!(answer.card_type, PostResponseCardType::Normal);
        assert_eq!(answer.user_card_state, PostResponseUserCardState::Effective);
        let request = &server.requests()[0];
        let seen = request.json.as_ref().unwrap();
        assert_eq!(seen["phone_number"], "13800138000");
        assert_eq!(
            seen["user_information"]["common_field_list"][0]["value"],
            "1990-01-01"
        );
        assert_eq!(seen["date_information"]["type"], "PERMANENT");
        assert!(!String::from_utf8_lossy(&request.body).contains("13800138000"));
        assert_eq!(
            request.header("wechatpay-serial"),
            Some(keys::PUBLIC_KEY_ID)
        );

        server.misbehave_once(Misbehavior::TamperedBody);
        let err = client
            .v3()
            .brand()
            .partner()
            .card_member()
            .user_cards()
            .import_by_openid()
            .post(&body())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Verification(VerifyError::BadSignature { .. })),
            "{err:?}"
        );
    }
}

mod twoslash_seed {
    use super::*;
    use wechatpay_api::v3::marketing::membercard_open::cards::card_id::phone_membercard::import::PostRequest;

    fn route() -> Route {
        Route::new(
            HttpMethod::Post,
            "/v3/marketing/membercard-open/cards/{card_id}/phone-membercard/import",
        )
        .encrypted_request_fields(&["encrypted_phone_number"])
        .respond(200, json!({"code": "478515832665"}))
    }

    #[tokio::test]
    async fn generated_chain_encrypts_the_inferred_field() {
        let server = TestServer::builder().start().unwrap();
        server.route(route());
        let client = client(&server);
        let body = PostRequest {
            encrypted_phone_number: "13800138000".into(),
            code: "478515832665".into(),
            out_request_no: "req-1".into(),
        };
        let answer = client
            .v3()
            .marketing()
            .membercard_open()
            .cards()
            .card_id("pbLatj/1")
            .phone_membercard()
            .import()
            .post(&body)
            .await
            .unwrap();
        assert_eq!(answer.code.as_deref(), Some("478515832665"));
        let request = &server.requests()[0];
        assert_eq!(
            request.url,
            "/v3/marketing/membercard-open/cards/pbLatj%2F1/phone-membercard/import"
        );
        assert_eq!(
            request.json.as_ref().unwrap()["encrypted_phone_number"],
            "13800138000"
        );
        assert!(!String::from_utf8_lossy(&request.body).contains("13800138000"));
        assert_eq!(
            request.header("wechatpay-serial"),
            Some(keys::PUBLIC_KEY_ID)
        );
    }

    #[tokio::test]
    async fn encrypt_field_lets_callers_encrypt_unmarked_fields() {
        let server = TestServer::builder().start().unwrap();
        server.route(route());
        let client = client(&server);
        let (ciphertext, serial) = client.encrypt_field("13900139000").unwrap();
        assert_eq!(serial, keys::PUBLIC_KEY_ID);
        let answer = client
            .request(
                HttpMethod::Post,
                "v3/marketing/membercard-open/cards/{card_id}/phone-membercard/import",
            )
            .param("card_id", "c1")
            .header("Wechatpay-Serial", &serial)
            .json(
                &json!({"encrypted_phone_number": ciphertext, "code": "1", "out_request_no": "2"}),
            )
            .await
            .unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(
            server.requests()[0].json.as_ref().unwrap()["encrypted_phone_number"],
            "13900139000"
        );
    }
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_client_runs_generated_chains_and_encrypts_unmarked_fields() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(
            HttpMethod::Post,
            "/v3/marketing/membercard-open/cards/{card_id}/phone-membercard/import",
        )
        .encrypted_request_fields(&["encrypted_phone_number"])
        .respond(200, json!({"code": "C1"})),
    );
    let client = server.client_builder().build_blocking().unwrap();
    let body = wechatpay_api::v3::marketing::membercard_open::cards::card_id::phone_membercard::import::PostRequest {
        encrypted_phone_number: "13800138000".into(),
        code: "C1".into(),
        out_request_no: "R1".into(),
    };
    let answer = client
        .v3()
        .marketing()
        .membercard_open()
        .cards()
        .card_id("c1")
        .phone_membercard()
        .import()
        .post(&body)
        .send()
        .unwrap();
    assert_eq!(answer.code.as_deref(), Some("C1"));

    let (ciphertext, serial) = client.encrypt_field("13900139000").unwrap();
    client
        .request(
            HttpMethod::Post,
            "v3/marketing/membercard-open/cards/{card_id}/phone-membercard/import",
        )
        .param("card_id", "c1")
        .header("Wechatpay-Serial", &serial)
        .json(&json!({"encrypted_phone_number": ciphertext, "code": "C1", "out_request_no": "R2"}))
        .send()
        .unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].json.as_ref().unwrap()["encrypted_phone_number"],
        "13800138000"
    );
    assert_eq!(
        requests[1].json.as_ref().unwrap()["encrypted_phone_number"],
        "13900139000"
    );
}
