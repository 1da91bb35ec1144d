//! Mutual TLS with the merchant's API client certificate, against the loopback test server
//! serving HTTPS that requires a client certificate: real handshakes on 127.0.0.1.
//!
//! The request goes through the client's certificate pool (`DynamicCall::client_certificate`,
//! the pool APIv2 `security` operations use); a v3 route answers it, signed as usual.

use serde_json::json;
use wechatpay_api::runtime::{
    Client, ClientBuilder, ClientCertificate, ConfigItem, Error, HttpMethod,
};
use wechatpay_api::testing::{Route, TestCa, TestServer, keys};

const REFUND_PATH: &str = "/v3/refund/domestic/refunds";
const PKCS1_KEY: &str = include_str!("fixtures/merchant_private_key_pkcs1.pem");

fn tls_server() -> TestServer {
    let server = TestServer::builder()
        .tls_with_client_auth()
        .start()
        .unwrap();
    server.route(
        Route::new(HttpMethod::Post, REFUND_PATH)
            .respond(200, json!({"refund_id": "50000000382019052709732678859"})),
    );
    server
}

fn refund_body() -> serde_json::Value {
    json!({"out_trade_no": "1217752501201407033233368018", "out_refund_no": "R1"})
}

/// A client that trusts the test CA and presents no client certificate unless told to.
fn bare_builder(server: &TestServer) -> ClientBuilder {
    Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .force_base_url(server.base_url())
        .no_retries()
}

/// Lines of the merchant key's base64: none may appear in an error's text.
fn key_lines() -> Vec<&'static str> {
    keys::MERCHANT_PRIVATE_KEY_PEM
        .lines()
        .chain(PKCS1_KEY.lines())
        .filter(|line| !line.starts_with("-----") && line.len() > 20)
        .collect()
}

fn assert_no_key_material(text: &str) {
    for line in key_lines() {
        assert!(!text.contains(line), "key material in {text}");
    }
}

fn merchant_certificate(server: &TestServer) -> ClientCertificate {
    server
        .client_certificate()
        .unwrap()
        .client_certificate(keys::MERCHANT_PRIVATE_KEY_PEM)
        .unwrap()
}

/// A transport failure whose text names TLS, with nothing of the key in it.
fn assert_tls_refused(error: &Error, needle: &str) {
    let transport = error
        .as_transport()
        .unwrap_or_else(|| panic!("not a transport error: {error:?}"));
    assert!(transport.is_tls(), "{error:?}");
    let text = format!("{error} / {error:?}");
    assert!(error.to_string().contains("TLS: "), "{text}");
    assert!(text.contains(needle), "`{needle}` not in {text}");
    assert_no_key_material(&text);
}

#[tokio::test]
async fn a_request_through_the_certificate_pool_presents_the_merchant_certificate() {
    let server = tls_server();
    assert!(server.base_url().starts_with("https://127.0.0.1:"));
    let client = server.client_builder().build().unwrap();

    let answer = client
        .request(HttpMethod::Post, REFUND_PATH)
        .json(&refund_body())
        .client_certificate()
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    let value: serde_json::Value = answer.json().unwrap();
    assert_eq!(value["refund_id"], "50000000382019052709732678859");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let presented = requests[0].client_certificate.as_ref().unwrap();
    let issued = server.client_certificate().unwrap();
    assert_eq!(presented.serial, keys::MERCHANT_SERIAL);
    assert_eq!(presented.serial, issued.serial());
    assert_eq!(presented.subject, issued.subject());
    assert!(
        presented
            .subject
            .contains(&format!("CN={}", keys::MERCHANT_ID))
    );
    assert_eq!(server.tls_handshakes_refused(), 0);
}

#[tokio::test]
async fn a_pkcs1_key_serves_as_well_as_pkcs8() {
    let server = tls_server();
    let issued = server.client_certificate().unwrap();
    let certificate = ClientCertificate::from_pem(issued.certificate_pem(), PKCS1_KEY).unwrap();
    let client = bare_builder(&server)
        .add_root_certificate(server.ca_certificate_pem().unwrap())
        .client_certificate(certificate)
        .build()
        .unwrap();
    client
        .request(HttpMethod::Post, REFUND_PATH)
        .json(&refund_body())
        .client_certificate()
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].client_certificate.as_ref().unwrap().serial,
        keys::MERCHANT_SERIAL
    );
}

#[tokio::test]
async fn without_a_client_certificate_the_handshake_is_refused() {
    let server = tls_server();
    // The client's ordinary pool: it trusts the server, and has no certificate to present.
    let client = server.client_builder().no_retries().build().unwrap();
    let error = client
        .request(HttpMethod::Post, REFUND_PATH)
        .json(&refund_body())
        .await
        .unwrap_err();
    assert_tls_refused(&error, "CertificateRequired");
    assert!(
        error
            .as_transport()
            .unwrap()
            .is_client_certificate_refused()
    );
    assert!(
        error
            .to_string()
            .contains("ClientBuilder::client_certificate")
    );
    assert!(server.requests().is_empty());
    assert_eq!(server.tls_handshakes_refused(), 1);
}

#[tokio::test]
async fn asking_for_the_certificate_pool_without_a_certificate_is_a_config_error() {
    let server = tls_server();
    let client = bare_builder(&server)
        .add_root_certificate(server.ca_certificate_pem().unwrap())
        .build()
        .unwrap();
    let error = client
        .request(HttpMethod::Post, REFUND_PATH)
        .json(&refund_body())
        .client_certificate()
        .await
        .unwrap_err();
    let config = error.as_config().unwrap();
    assert_eq!(config.item, ConfigItem::ClientCertificate);
    assert!(config.message.contains("ClientBuilder::client_certificate"));
    // Refused before anything was sent.
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn a_client_certificate_of_another_ca_is_refused() {
    let server = tls_server();
    let stranger = TestCa::new("not the test server's CA")
        .unwrap()
        .issue_client_certificate(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PUBLIC_KEY_PEM,
        )
        .unwrap()
        .client_certificate(keys::MERCHANT_PRIVATE_KEY_PEM)
        .unwrap();
    let client = bare_builder(&server)
        .add_root_certificate(server.ca_certificate_pem().unwrap())
        .client_certificate(stranger)
        .build()
        .unwrap();
    let error = client
        .request(HttpMethod::Post, REFUND_PATH)
        .json(&refund_body())
        .client_certificate()
        .await
        .unwrap_err();
    assert_tls_refused(&error, "UnknownCA");
    assert!(
        error
            .as_transport()
            .unwrap()
            .is_client_certificate_refused()
    );
    assert!(server.requests().is_empty());
    assert_eq!(server.tls_handshakes_refused(), 1);
}

#[tokio::test]
async fn a_server_certificate_of_an_untrusted_ca_is_refused_by_the_client() {
    let server = tls_server();
    // The merchant certificate, but no root for the test CA.
    let client = bare_builder(&server)
        .client_certificate(merchant_certificate(&server))
        .build()
        .unwrap();
    let error = client
        .request(HttpMethod::Post, REFUND_PATH)
        .json(&refund_body())
        .client_certificate()
        .await
        .unwrap_err();
    assert_tls_refused(&error, "UnknownIssuer");
    let transport = error.as_transport().unwrap();
    assert!(transport.is_connect(), "{error:?}");
    assert!(!transport.is_client_certificate_refused(), "{error:?}");
    assert!(server.requests().is_empty());
}

#[test]
fn a_root_certificate_pem_without_a_certificate_fails_the_build() {
    let error = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .add_root_certificate(keys::MERCHANT_PUBLIC_KEY_PEM)
        .build()
        .unwrap_err();
    assert_eq!(
        error.as_config().unwrap().item,
        ConfigItem::RootCertificate,
        "{error}"
    );
}

#[test]
fn a_root_certificate_with_a_given_pool_is_refused() {
    let error = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .http_client(wechatpay_api::runtime::HttpClient::new().unwrap())
        .add_root_certificate(keys::PLATFORM_CERTIFICATE_PEM)
        .build()
        .unwrap_err();
    let config = error.as_config().unwrap();
    assert_eq!(config.item, ConfigItem::RootCertificate);
    assert!(
        config
            .message
            .contains("HttpClientBuilder::add_root_certificate")
    );
}

#[tokio::test]
async fn a_shared_pool_s_settings_carry_over_to_the_certificate_pool() {
    let server = tls_server();
    let shared = wechatpay_api::runtime::HttpClient::builder()
        .add_root_certificate(server.ca_certificate_pem().unwrap())
        .build()
        .unwrap();
    let client = bare_builder(&server)
        .http_client(shared)
        .client_certificate(merchant_certificate(&server))
        .build()
        .unwrap();
    client
        .request(HttpMethod::Post, REFUND_PATH)
        .json(&refund_body())
        .client_certificate()
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 1);
}

#[cfg(feature = "blocking")]
mod blocking {
    use super::*;

    #[test]
    fn the_blocking_client_presents_the_certificate_and_is_refused_without_it() {
        let server = tls_server();
        let client = server
            .client_builder()
            .no_retries()
            .build_blocking()
            .unwrap();

        let answer = client
            .request(HttpMethod::Post, REFUND_PATH)
            .json(&refund_body())
            .client_certificate()
            .send()
            .unwrap();
        assert_eq!(answer.status, 200);
        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(
            requests[0].client_certificate.as_ref().unwrap().serial,
            keys::MERCHANT_SERIAL
        );

        let error = client
            .request(HttpMethod::Post, REFUND_PATH)
            .json(&refund_body())
            .send()
            .unwrap_err();
        assert_tls_refused(&error, "CertificateRequired");
        assert!(
            error
                .as_transport()
                .unwrap()
                .is_client_certificate_refused()
        );
        assert_eq!(server.requests().len(), 1);
        assert_eq!(server.tls_handshakes_refused(), 1);
    }

    #[test]
    fn a_blocking_client_without_a_certificate_names_how_to_configure_it() {
        let server = tls_server();
        let client = bare_builder(&server)
            .add_root_certificate(server.ca_certificate_pem().unwrap())
            .build_blocking()
            .unwrap();
        let error = client
            .request(HttpMethod::Post, REFUND_PATH)
            .json(&refund_body())
            .client_certificate()
            .send()
            .unwrap_err();
        assert_eq!(
            error.as_config().unwrap().item,
            ConfigItem::ClientCertificate
        );
        assert_eq!(server.connections(), 0);
    }
}

/// What `ClientCertificate::from_pem` refuses, each with an error that names the problem.
mod reading {
    use wechatpay_api::testing::certificates::mint_platform_certificate;

    use super::*;

    fn refused(certificate_pem: &str, key_pem: &str) -> String {
        let error = ClientCertificate::from_pem(certificate_pem, key_pem).unwrap_err();
        let config = error.as_config().unwrap();
        assert_eq!(config.item, ConfigItem::ClientCertificate);
        let text = format!("{error} / {error:?}");
        assert_no_key_material(&text);
        config.message.clone()
    }

    /// A self-signed certificate of the merchant key, valid over [start, end] (Unix seconds).
    fn merchant_certificate_valid(start: i64, end: i64) -> String {
        mint_platform_certificate(
            keys::MERCHANT_PRIVATE_KEY_PEM,
            keys::MERCHANT_SERIAL,
            start,
            end,
        )
        .unwrap()
    }

    fn now() -> i64 {
        wechatpay_api::runtime::verify::unix_now()
    }

    #[test]
    fn a_valid_certificate_and_its_key_are_read() {
        let pem = merchant_certificate_valid(now() - 86_400, now() + 365 * 86_400);
        let certificate =
            ClientCertificate::from_pem(&pem, keys::MERCHANT_PRIVATE_KEY_PEM).unwrap();
        assert_eq!(certificate.serial(), keys::MERCHANT_SERIAL);
        assert!(certificate.not_after() > now());
        let debug = format!("{certificate:?}");
        assert!(debug.contains("<redacted>"), "{debug}");
        assert_no_key_material(&debug);
    }

    #[test]
    fn the_key_file_given_as_certificate_is_refused() {
        let message = refused(
            keys::MERCHANT_PRIVATE_KEY_PEM,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        );
        assert!(message.contains("no `BEGIN CERTIFICATE`"), "{message}");
    }

    #[test]
    fn text_that_is_not_pem_is_refused() {
        let message = refused("apiclient_cert.pem", keys::MERCHANT_PRIVATE_KEY_PEM);
        assert!(message.contains("certificate PEM"), "{message}");
    }

    #[test]
    fn a_certificate_section_that_is_not_x509_is_refused() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAECAwQ=\n-----END CERTIFICATE-----\n";
        let message = refused(pem, keys::MERCHANT_PRIVATE_KEY_PEM);
        assert!(message.contains("not an X.509 certificate"), "{message}");
    }

    #[test]
    fn the_certificate_given_as_key_is_refused() {
        let pem = merchant_certificate_valid(now() - 86_400, now() + 365 * 86_400);
        let message = refused(&pem, &pem);
        assert!(message.contains("no `BEGIN PRIVATE KEY`"), "{message}");
    }

    #[test]
    fn a_key_that_is_not_the_certificate_s_is_refused() {
        let pem = merchant_certificate_valid(now() - 86_400, now() + 365 * 86_400);
        let message = refused(&pem, keys::WECHATPAY_PRIVATE_KEY_PEM);
        assert!(
            message.contains("does not match the certificate"),
            "{message}"
        );
        assert!(message.contains(keys::MERCHANT_SERIAL), "{message}");
    }

    #[test]
    fn an_expired_certificate_is_refused() {
        let pem = merchant_certificate_valid(now() - 2 * 86_400, now() - 86_400);
        let message = refused(&pem, keys::MERCHANT_PRIVATE_KEY_PEM);
        assert!(message.contains("expired on"), "{message}");
    }

    #[test]
    fn a_certificate_not_yet_valid_is_refused() {
        let pem = merchant_certificate_valid(now() + 86_400, now() + 365 * 86_400);
        let message = refused(&pem, keys::MERCHANT_PRIVATE_KEY_PEM);
        assert!(message.contains("not valid before"), "{message}");
    }
}
