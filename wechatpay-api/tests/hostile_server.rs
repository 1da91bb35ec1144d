//! The client against servers that behave as an attacker or a broken proxy would: real
//! loopback servers (the test server told to misbehave, or a plain `TcpListener` writing raw
//! HTTP where the test server cannot misbehave that way), and the test server fed hostile
//! requests.

use wechatpay_api::runtime::signing::{nonce, sign_request};
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
