//! Compiles the modules generated from `codegen/tests/fixtures/conformance` (identifier edge
//! cases: keywords, CJK and digit-led names, sanitised collisions, colliding path segments, a
//! trailing-slash path, an integer placeholder, uploads, a host override, a file answer) and
//! drives them against the loopback WeChat Pay server.

#[rustfmt::skip]
#[path = "conformance/v3/mod.rs"]
#[allow(dead_code)]
mod v3;

use serde_json::json;
use wechatpay_api::runtime::{Client, HttpMethod, MediaFile, PathArgs};
use wechatpay_api::testing::{Route, TestServer, keys};

use v3::conformance::items::item_id::{PostRequest, PostRequestType};
use v3::conformance::keywords::type_::{
    GetHeaders, GetQuery, GetResponseType, PatchRequest, PatchRequestType,
};
use v3::conformance::uploads::index::PostMeta;

fn client(server: &TestServer) -> Client {
    server.client_builder().build().unwrap()
}

fn root(client: &Client) -> v3::V3<'_, Client> {
    v3::V3::new(client, PathArgs::new())
}

#[tokio::test]
async fn keyword_cjk_and_digit_names_round_trip() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Get, "/v3/conformance/keywords/{type}")
            .respond(
                200,
                json!({
                    "type": "Under Review", "self": "s", "一级": "甲", "3ds": true,
                    "payAuthNo": "camel", "pay_auth_no": "snake", "amount": 100,
                    "list": [{"value": "v"}], "extra": {"anything": [1, 2]}
                }),
            )
            .encrypted_response_fields(&["list[].value"]),
    );
    let client = client(&server);
    let query = GetQuery {
        match_: "exact".into(),
        limit: Some(10),
        status: Some(vec!["A".into(), "B".into()]),
    };
    let headers = GetHeaders {
        idempotency_key: "idem-1".into(),
    };
    let answer = root(&client)
        .conformance()
        .keywords()
        .type_("a b")
        .get(&query, &headers)
        .await
        .unwrap();
    assert_eq!(answer.type_, GetResponseType::UnderReview2);
    assert_eq!(answer.self_.as_deref(), Some("s"));
    assert_eq!(answer.u4e00_u7ea7.as_deref(), Some("甲"));
    // Declared encrypted: the server encrypted it, the client decrypted it.
    assert_eq!(answer.list.as_ref().unwrap()[0].value.as_deref(), Some("v"));
    assert_eq!(answer.n_3ds, Some(true));
    assert_eq!(answer.pay_auth_no.as_deref(), Some("camel"));
    assert_eq!(answer.pay_auth_no_2.as_deref(), Some("snake"));
    assert_eq!(answer.amount.unwrap().to_string(), "100");
    assert_eq!(answer.extra.unwrap()["anything"][1], 2);

    let request = &server.requests()[0];
    assert_eq!(
        request.url,
        "/v3/conformance/keywords/a%20b?limit=10&match=exact&status=A%2CB"
    );
    assert_eq!(request.header("idempotency-key"), Some("idem-1"));
}

#[tokio::test]
async fn unknown_enum_values_are_kept() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Get, "/v3/conformance/keywords/{type}")
            .respond(200, json!({"type": "BRAND_NEW"})),
    );
    let client = client(&server);
    let query = GetQuery {
        match_: "m".into(),
        limit: None,
        status: None,
    };
    let headers = GetHeaders {
        idempotency_key: "k".into(),
    };
    let answer = root(&client)
        .conformance()
        .keywords()
        .type_("t")
        .get(&query, &headers)
        .await
        .unwrap();
    assert_eq!(answer.type_, GetResponseType::Unknown("BRAND_NEW".into()));
    assert_eq!(answer.type_.as_str(), "BRAND_NEW");
    assert_eq!(answer.self_, None);
}

#[tokio::test]
async fn nested_keyword_objects_serialise_with_wire_names() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Patch, "/v3/conformance/keywords/{type}").respond(204, json!(null)),
    );
    let client = client(&server);
    // The constructors take the required fields in wire order, named after the fields even
    // where a field is called `new`, `self`, `into` or `option`; optional ones start as `None`.
    let body = PatchRequest::new(PatchRequestType {
        loop_: Some(vec![1, 2]),
        ..PatchRequestType::new("left", "ctor", 7, String::from("conv"), true)
    });
    root(&client)
        .conformance()
        .keywords()
        .type_("x")
        .patch(&body)
        .await
        .unwrap();
    let request = &server.requests()[0];
    assert_eq!(
        request.json,
        Some(json!({"type": {
            "move": "left", "loop": [1, 2], "new": "ctor", "self": 7, "into": "conv",
            "option": true
        }}))
    );
    assert_eq!(body.type_.new, "ctor");
    assert_eq!(body.type_.ref_, None);
    // The docs list `Wechatpay-Serial`: the request names the WeChat Pay key.
    assert_eq!(
        request.header("wechatpay-serial"),
        Some(keys::PUBLIC_KEY_ID)
    );
}

#[tokio::test]
async fn colliding_segments_and_enum_bodies() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Post, "/v3/conformance/items/item-id")
            .respond(200, json!({"ok": true})),
    );
    let client = client(&server);
    let answer = root(&client)
        .conformance()
        .items()
        .item_id()
        .post(&PostRequest {
            type_: PostRequestType::Old,
        })
        .await
        .unwrap();
    assert!(answer.ok);
    assert_eq!(server.requests()[0].json, Some(json!({"type": "OLD"})));
}

#[tokio::test]
async fn integer_placeholder_host_override_and_file_answer() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Get, "/v3/conformance/items/{item_id}")
            .respond(200, json!({"pdf": 1})),
    );
    let client = client(&server);
    let call = root(&client).conformance().items().item_id_2(42).get();
    assert_eq!(
        call.spec().base_uri,
        Some("https://apihk.mch.weixin.qq.com/")
    );
    let bytes = call.await.unwrap();
    assert_eq!(bytes, br#"{"pdf":1}"#);
    assert_eq!(server.requests()[0].url, "/v3/conformance/items/42");
}

#[tokio::test]
async fn trailing_slash_upload_signs_the_meta() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Post, "/v3/conformance/uploads/")
            .respond(200, json!({"media_id": "M1"})),
    );
    let client = client(&server);
    let file = MediaFile::new("a.png", vec![1, 2, 3]).unwrap();
    let meta = PostMeta {
        filename: file.file_name().into(),
        sha256: file.sha256().into(),
    };
    let answer = root(&client)
        .conformance()
        .uploads()
        .index()
        .post(file.file_part(), &meta)
        .await
        .unwrap();
    assert_eq!(answer.media_id, "M1");
    let request = &server.requests()[0];
    assert_eq!(request.url, "/v3/conformance/uploads/");
    assert_eq!(
        request.json,
        Some(json!({"filename": "a.png", "sha256": file.sha256()}))
    );
    assert_eq!(request.file("file"), Some(&file.file_part()));
}
