//! The client against servers that behave as an attacker or a broken proxy would: real
//! loopback servers (the test server told to misbehave, or a plain `TcpListener` writing raw
//! HTTP where the test server cannot misbehave that way), and the test server fed hostile
//! requests.

use serde_json::json;
use wechatpay_api::runtime::signing::{AuthorizationHeader, nonce, sign_request};
use wechatpay_api::runtime::{Client, ClientBuilder, Error, HttpMethod, MerchantPrivateKey};
use wechatpay_api::testing::{Route, TestServer, keys};

// ---------------------------------------------------------------------------------------
// The test server itself, fed hostile requests.
// ---------------------------------------------------------------------------------------

/// A signed request whose timestamp is `i64::MIN`: the test server refuses it as expired
/// (`401`) instead of overflowing on `now - timestamp`.
#[tokio::test]
async fn test_server_refuses_a_timestamp_at_i64_min() {
    let server = TestServer::builder().start().unwrap();
    server.route(Route::new(HttpMethod::Get, "/v3/ping").respond(200, serde_json::json!({})));
    let key = MerchantPrivateKey::from_pem(keys::MERCHANT_PRIVATE_KEY_PEM).unwrap();
    for timestamp in [i64::MIN, i64::MAX] {
        let authorization = sign_request(
            &key,
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            "GET",
            "/v3/ping",
            timestamp,
            &nonce().unwrap(),
            b"",
        )
        .unwrap();
        let answer = reqwest::Client::new()
            .get(format!("{}/v3/ping", server.base_url()))
            .header("Authorization", authorization)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("timestamp {timestamp}: the server dropped the request: {e}")
            });
        assert_eq!(answer.status().as_u16(), 401, "timestamp {timestamp}");
        let body: serde_json::Value =
            serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
        assert_eq!(body["code"], "SIGN_ERROR", "{body}");
        assert_eq!(body["message"], "timestamp expired", "{body}");
    }
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------------------------------
// Configuration that would end up in the Authorization header.
// ---------------------------------------------------------------------------------------

fn merchant(mchid: &str, serial: &str) -> ClientBuilder {
    Client::builder()
        .merchant(mchid, serial, keys::MERCHANT_PRIVATE_KEY_PEM)
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
}

/// `mchid` and the merchant serial are quoted into `Authorization`: a quote or comma in them
/// would add a second `serial_no` (or any parameter). Only digits, and `[0-9A-Za-z_]`, build.
#[test]
fn authorization_parameters_cannot_be_injected_from_configuration() {
    for mchid in [
        "1900000001\",serial_no=\"EVIL",
        "1900000001\"",
        "1900000001,nonce_str=\"x\"",
        "1900000001\r\nX-Evil: 1",
        "19000 0001",
        "１９０００００００１",
        "",
    ] {
        let err = merchant(mchid, keys::MERCHANT_SERIAL).build().unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("merchant id")),
            "{mchid:?}: {err:?}"
        );
    }
    for serial in [
        "1DDE55AD\",serial_no=\"EVIL",
        "1DDE55AD\"",
        "1DDE55AD,mchid=\"1\"",
        "1DDE 55AD",
        "1DDE-55AD",
        "1DDE55AD\n",
        "",
    ] {
        let err = merchant(keys::MERCHANT_ID, serial).build().unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("serial")),
            "{serial:?}: {err:?}"
        );
    }
    merchant(keys::MERCHANT_ID, keys::MERCHANT_SERIAL)
        .build()
        .unwrap();
    merchant("1900000001", "Serial_0123abc").build().unwrap();
}

// ---------------------------------------------------------------------------------------
// A prepared request cannot change after signing.
// ---------------------------------------------------------------------------------------

/// Its parts are read-only, `execute` sends exactly them, and `Debug` hides `Authorization`.
#[tokio::test]
async fn a_prepared_request_is_sent_as_signed_and_its_debug_hides_authorization() {
    let server = TestServer::builder().start().unwrap();
    server.route(Route::new(HttpMethod::Post, "/v3/things/{id}").respond(200, json!({"ok": 1})));
    let client = server.client_builder().build().unwrap();
    let prepared = client
        .request(HttpMethod::Post, "/v3/things/{id}")
        .param("id", "A 1")
        .query("q", "x")
        .json(&json!({"a": 1}))
        .prepare()
        .unwrap();
    assert_eq!(prepared.method(), HttpMethod::Post);
    assert_eq!(prepared.signed_url(), "/v3/things/A%201?q=x");
    assert_eq!(
        prepared.url(),
        format!("{}/v3/things/A%201?q=x", server.base_url())
    );
    assert_eq!(prepared.body(), br#"{"a":1}"#);

    let authorization = prepared.headers()["authorization"].to_str().unwrap();
    let signature = AuthorizationHeader::parse(authorization).unwrap().signature;
    let debug = format!("{prepared:?}");
    assert!(!debug.contains(&signature), "{debug}");
    assert!(!debug.contains("WECHATPAY2"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");

    let (signed_url, body) = (prepared.signed_url().to_owned(), prepared.body().to_vec());
    let answer = client.execute(prepared).await.unwrap();
    assert_eq!(
        answer.json::<serde_json::Value>().unwrap(),
        json!({"ok": 1})
    );
    let received = server.requests();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].url, signed_url);
    assert_eq!(received[0].body, body);
}
