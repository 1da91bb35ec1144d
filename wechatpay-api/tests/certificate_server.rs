//! The test server's certificate side: platform certificates minted on demand, served at
//! `GET /v3/certificates` encrypted with the APIv3 key and signed like every answer, rotated
//! while the server runs, broken on request, counted; notifications signed by any of them.
//!
//! The downloads here are plain signed HTTP requests (`runtime::signing`) so that the raw
//! answer (headers and exact body) can be checked independently of the client.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header::HeaderMap;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::json;
use wechatpay_api::runtime::error::VerifyError;
use wechatpay_api::runtime::signing::{nonce, response_message, sign_request};
use wechatpay_api::runtime::verify::unix_now;
use wechatpay_api::runtime::webhook::WebhookHandler;
use wechatpay_api::runtime::{
    ApiV3Key, Client, Error, HttpMethod, KeySource, KeyStore, MerchantPrivateKey, WechatpayKey,
};
use wechatpay_api::testing::certificates::{canonical_serial, mint_platform_certificate};
use wechatpay_api::testing::{
    CERTIFICATES_PATH, Misbehavior, NotificationBuilder, PlatformCertificate, Route, TestServer,
    keys,
};
use wechatpay_api::v3::certificates::{GetQuery, GetResponse, GetResponseData};

/// 2026-01-01T00:00:00Z .. 2031-01-01T00:00:00Z.
const OLD_SERIAL: &str = "3775B6A45ACD588826D15E583A95F5DD5A3E3C12";
const OLD_NOT_BEFORE: i64 = 1_767_225_600;
const OLD_NOT_AFTER: i64 = 1_924_992_000;
/// 2026-06-01T00:00:00Z .. 2032-01-01T00:00:00Z; the high bit of the serial is set, so its
/// DER integer carries a leading zero byte that the serial leaves out.
const NEW_SERIAL: &str = "F0D1A2B3C4D5E6F708192A3B4C5D6E7F80918273";
const NEW_NOT_BEFORE: i64 = 1_780_272_000;
const NEW_NOT_AFTER: i64 = 1_956_528_000;

const OTHER_APIV3_KEY: &str = "0123456789abcdef0123456789abcdef";

fn old_certificate() -> PlatformCertificate {
    PlatformCertificate::mint(
        keys::PLATFORM_PRIVATE_KEY_PEM,
        OLD_SERIAL,
        OLD_NOT_BEFORE,
        OLD_NOT_AFTER,
    )
    .unwrap()
}

fn new_certificate() -> PlatformCertificate {
    PlatformCertificate::mint(
        keys::WECHATPAY_PRIVATE_KEY_PEM,
        NEW_SERIAL,
        NEW_NOT_BEFORE,
        NEW_NOT_AFTER,
    )
    .unwrap()
}

/// A server that knows only platform certificates: the old one, which signs.
fn certificate_server() -> TestServer {
    TestServer::builder()
        .clear_keys()
        .add_certificate(old_certificate())
        .start()
        .unwrap()
}

/// An answer as it arrived.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Whether `key` verifies the signature over `timestamp\nnonce\nbody\n`.
    fn signed_by(&self, key: &WechatpayKey) -> bool {
        let message = response_message(
            self.header("Wechatpay-Timestamp"),
            self.header("Wechatpay-Nonce"),
            &self.body,
        );
        key.verify(&message, self.header("Wechatpay-Signature"))
    }

    fn certificates(&self) -> GetResponse {
        assert_eq!(self.status, 200, "{}", String::from_utf8_lossy(&self.body));
        serde_json::from_slice(&self.body).unwrap()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A GET signed by the test merchant, as any client sends it.
async fn get(base_url: String, url: &str) -> Answer {
    call(base_url, reqwest::Method::GET, url).await
}

/// A request without a body, signed by the test merchant.
async fn call(base_url: String, method: reqwest::Method, url: &str) -> Answer {
    let key = MerchantPrivateKey::from_pem(keys::MERCHANT_PRIVATE_KEY_PEM).unwrap();
    let authorization = sign_request(
        &key,
        keys::MERCHANT_ID,
        keys::MERCHANT_SERIAL,
        method.as_str(),
        url,
        unix_now(),
        &nonce().unwrap(),
        b"",
    )
    .unwrap();
    let response = reqwest::Client::new()
        .request(method, format!("{base_url}{url}"))
        .header("Authorization", authorization)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

async fn download(server: &TestServer) -> Answer {
    get(server.base_url(), CERTIFICATES_PATH).await
}

/// Decrypts an entry with the nonce and associated data it gives.
fn open(entry: &GetResponseData, apiv3_key: &str) -> Result<String, Error> {
    let encrypted = &entry.encrypt_certificate;
    let plain = ApiV3Key::new(apiv3_key)?.decrypt(
        &encrypted.nonce,
        &encrypted.associated_data,
        &encrypted.ciphertext,
    )?;
    Ok(String::from_utf8(plain).unwrap())
}

fn serials(answer: &GetResponse) -> Vec<&str> {
    answer.data.iter().map(|e| e.serial_no.as_str()).collect()
}

/// Every entry is well formed and opens to the certificate its `serial_no` names, with the
/// validity its times give.
fn check_entries(answer: &GetResponse, apiv3_key: &str) {
    for entry in &answer.data {
        let encrypted = &entry.encrypt_certificate;
        assert_eq!(encrypted.algorithm, "AEAD_AES_256_GCM");
        assert_eq!(encrypted.associated_data, "certificate");
        assert_eq!(encrypted.nonce.len(), 12);
        assert!(encrypted.nonce.bytes().all(|b| b.is_ascii_alphanumeric()));
        let pem = open(entry, apiv3_key).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let key = WechatpayKey::platform_certificate(&pem).unwrap();
        assert_eq!(key.id(), entry.serial_no);
        let KeySource::PlatformCertificate {
            not_before,
            not_after,
        } = key.source()
        else {
            panic!("not a certificate");
        };
        assert_eq!(
            wechatpay_api::runtime::beijing_time::rfc3339(not_before),
            entry.effective_time
        );
        assert_eq!(
            wechatpay_api::runtime::beijing_time::rfc3339(not_after),
            entry.expire_time
        );
    }
}

// --- minting ---------------------------------------------------------------------------

#[test]
fn minted_certificates_load_in_the_runtime_with_their_serial_and_validity() {
    for (private_key, serial, not_before, not_after) in [
        (
            keys::PLATFORM_PRIVATE_KEY_PEM,
            OLD_SERIAL,
            OLD_NOT_BEFORE,
            OLD_NOT_AFTER,
        ),
        (
            keys::WECHATPAY_PRIVATE_KEY_PEM,
            NEW_SERIAL,
            NEW_NOT_BEFORE,
            NEW_NOT_AFTER,
        ),
        // Lower case in, upper case out; a leading zero digit is part of the serial.
        (
            keys::MERCHANT_PRIVATE_KEY_PEM,
            "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            0,
            4_102_444_800, // 2100-01-01: GeneralizedTime from 2050 on
        ),
    ] {
        let pem = mint_platform_certificate(private_key, serial, not_before, not_after).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"), "{pem}");
        let key = WechatpayKey::platform_certificate(&pem).unwrap();
        assert_eq!(key.id(), serial.to_ascii_uppercase());
        assert_eq!(key.id(), canonical_serial(serial).unwrap());
        assert_eq!(
            key.source(),
            KeySource::PlatformCertificate {
                not_before,
                not_after
            }
        );
        // The certificate's key is the private key's: it verifies what that key signs.
        let signer = MerchantPrivateKey::from_pem(private_key).unwrap();
        assert!(key.verify(b"message", &signer.sign(b"message").unwrap()));

        // Self-signed, SHA256withRSA.
        let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        let (_, certificate) = x509_parser::parse_x509_certificate(der.as_ref()).unwrap();
        assert_eq!(
            certificate.signature_algorithm.algorithm,
            x509_parser::oid_registry::OID_PKCS1_SHA256WITHRSA
        );
        assert_eq!(
            certificate.issuer().as_raw(),
            certificate.subject().as_raw()
        );
        let tbs: &[u8] = certificate.tbs_certificate.as_ref();
        let signature = BASE64.encode(&certificate.signature_value.data);
        assert!(key.verify(tbs, &signature));
    }
}

#[test]
fn a_platform_certificate_pairs_a_certificate_with_its_own_key() {
    let old = old_certificate();
    assert_eq!(old.serial(), OLD_SERIAL);
    assert_eq!(
        (old.not_before(), old.not_after()),
        (OLD_NOT_BEFORE, OLD_NOT_AFTER)
    );
    assert_eq!(old.private_key_pem(), keys::PLATFORM_PRIVATE_KEY_PEM);
    assert_eq!(old.wechatpay_key().unwrap().id(), OLD_SERIAL);
    let again = PlatformCertificate::new(old.certificate_pem(), old.private_key_pem()).unwrap();
    assert_eq!(again, old);
    assert!(
        PlatformCertificate::new(old.certificate_pem(), keys::MERCHANT_PRIVATE_KEY_PEM).is_err()
    );
    assert!(PlatformCertificate::new("not a certificate", keys::PLATFORM_PRIVATE_KEY_PEM).is_err());
    assert!(format!("{old:?}").contains(OLD_SERIAL));
}

// --- serving ---------------------------------------------------------------------------

#[tokio::test]
async fn the_default_server_serves_its_platform_certificate() {
    let server = TestServer::builder().start().unwrap();
    let answer = download(&server).await;
    let certificates = answer.certificates();
    assert_eq!(serials(&certificates), [keys::PLATFORM_SERIAL]);
    check_entries(&certificates, keys::APIV3_KEY);
    assert_eq!(
        open(&certificates.data[0], keys::APIV3_KEY).unwrap(),
        keys::PLATFORM_CERTIFICATE_PEM
    );
    // Signed, like every answer, by the key it signs with: the WeChat Pay public key.
    assert_eq!(answer.header("Wechatpay-Serial"), keys::PUBLIC_KEY_ID);
    let verifier = KeyStore::new();
    verifier
        .add(WechatpayKey::public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM).unwrap())
        .unwrap();
    verifier.verify(&answer.headers, &answer.body).unwrap();
    assert_eq!(answer.header("Content-Type"), "application/json");

    // The generated call decodes it too (the client verifies it with the public key).
    let client = server.client_builder().build().unwrap();
    let through_client: GetResponse = client
        .v3()
        .certificates()
        .get(&GetQuery::default())
        .await
        .unwrap();
    assert_eq!(serials(&through_client), [keys::PLATFORM_SERIAL]);
    check_entries(&through_client, keys::APIV3_KEY);
}

#[tokio::test]
async fn every_answer_encrypts_afresh_and_is_signed_by_the_signing_certificate() {
    let server = certificate_server();
    server.add_certificate(new_certificate());
    let first = download(&server).await;
    let second = download(&server).await;
    let (a, b) = (first.certificates(), second.certificates());
    assert_eq!(serials(&a), [OLD_SERIAL, NEW_SERIAL]);
    check_entries(&a, keys::APIV3_KEY);
    check_entries(&b, keys::APIV3_KEY);
    assert_eq!(a.data[0].effective_time, "2026-01-01T08:00:00+08:00");
    assert_eq!(a.data[0].expire_time, "2031-01-01T08:00:00+08:00");
    assert_eq!(a.data[1].effective_time, "2026-06-01T08:00:00+08:00");
    assert_eq!(a.data[1].expire_time, "2032-01-01T08:00:00+08:00");
    // Fresh nonces: the same certificate never travels under the same nonce twice.
    let nonces: std::collections::BTreeSet<&str> = a
        .data
        .iter()
        .chain(&b.data)
        .map(|e| e.encrypt_certificate.nonce.as_str())
        .collect();
    assert_eq!(nonces.len(), 4);
    assert_ne!(
        a.data[0].encrypt_certificate.ciphertext,
        b.data[0].encrypt_certificate.ciphertext
    );

    assert_eq!(first.header("Wechatpay-Serial"), OLD_SERIAL);
    let old = old_certificate().wechatpay_key().unwrap();
    let new = new_certificate().wechatpay_key().unwrap();
    assert!(first.signed_by(&old));
    assert!(!first.signed_by(&new));
    let verifier = KeyStore::new();
    verifier.add(old).unwrap();
    verifier.verify(&first.headers, &first.body).unwrap();
}

#[tokio::test]
async fn the_apiv3_key_is_the_builders() {
    let server = TestServer::builder()
        .apiv3_key(OTHER_APIV3_KEY)
        .start()
        .unwrap();
    let certificates = download(&server).await.certificates();
    check_entries(&certificates, OTHER_APIV3_KEY);
    assert!(open(&certificates.data[0], keys::APIV3_KEY).is_err());
    assert!(matches!(
        TestServer::builder().apiv3_key("too short").start(),
        Err(Error::Config(_))
    ));
}

#[tokio::test]
async fn algorithm_type_picks_what_is_served() {
    let server = certificate_server();
    let base = server.base_url();
    for query in ["", "?algorithm_type=RSA", "?algorithm_type=ALL"] {
        let answer = get(base.clone(), &format!("{CERTIFICATES_PATH}{query}")).await;
        assert_eq!(serials(&answer.certificates()), [OLD_SERIAL], "{query}");
    }
    let sm2 = get(base.clone(), "/v3/certificates?algorithm_type=SM2").await;
    assert!(sm2.certificates().data.is_empty());
    let bad = get(base, "/v3/certificates?algorithm_type=DSA").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["code"], "PARAM_ERROR");
    assert!(bad.signed_by(&old_certificate().wechatpay_key().unwrap()));
}

#[tokio::test]
async fn requests_are_checked_and_recorded_like_any_other() {
    let server = certificate_server();
    let unsigned = reqwest::Client::new()
        .get(format!("{}{CERTIFICATES_PATH}", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    assert!(server.requests().is_empty());
    assert_eq!(server.certificate_downloads(), 0);

    get(server.base_url(), "/v3/certificates?algorithm_type=RSA").await;
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].url, "/v3/certificates?algorithm_type=RSA");
    assert_eq!(requests[0].authorization.mchid, keys::MERCHANT_ID);
    assert_eq!(server.certificate_downloads(), 1);

    // Another method on the path is not a download (and has no route).
    let posted = call(server.base_url(), reqwest::Method::POST, CERTIFICATES_PATH).await;
    assert_eq!(posted.status, 404);
    assert_eq!(server.certificate_downloads(), 1);
}

// --- rotation --------------------------------------------------------------------------

#[tokio::test]
async fn rotation_add_switch_drop_changes_what_is_served_and_who_signs() {
    let server = certificate_server();
    let old = old_certificate();
    let new = new_certificate();
    let (old_key, new_key) = (old.wechatpay_key().unwrap(), new.wechatpay_key().unwrap());

    // Before: the old certificate, signed by it.
    let answer = download(&server).await;
    assert_eq!(serials(&answer.certificates()), [OLD_SERIAL]);
    assert_eq!(answer.header("Wechatpay-Serial"), OLD_SERIAL);
    assert!(answer.signed_by(&old_key));
    assert_eq!(server.signing_key_id(), OLD_SERIAL);

    // 1. The new one is published next to the old one; the old one still signs.
    server.add_certificate(new.clone());
    let answer = download(&server).await;
    assert_eq!(serials(&answer.certificates()), [OLD_SERIAL, NEW_SERIAL]);
    check_entries(&answer.certificates(), keys::APIV3_KEY);
    assert_eq!(answer.header("Wechatpay-Serial"), OLD_SERIAL);
    assert!(answer.signed_by(&old_key));

    // 2. WeChat Pay switches to signing with the new one.
    server.sign_with(NEW_SERIAL).unwrap();
    assert_eq!(server.signing_key_id(), NEW_SERIAL);
    let answer = download(&server).await;
    assert_eq!(serials(&answer.certificates()), [OLD_SERIAL, NEW_SERIAL]);
    assert_eq!(answer.header("Wechatpay-Serial"), NEW_SERIAL);
    assert!(answer.signed_by(&new_key));
    assert!(!answer.signed_by(&old_key));

    // 3. The old one is withdrawn.
    assert!(server.remove_certificate(OLD_SERIAL));
    assert!(!server.remove_certificate(OLD_SERIAL));
    assert_eq!(server.certificates(), std::slice::from_ref(&new));
    let answer = download(&server).await;
    assert_eq!(serials(&answer.certificates()), [NEW_SERIAL]);
    assert!(answer.signed_by(&new_key));

    // Its key stays with the server: an answer can still be signed with it.
    server.sign_with(OLD_SERIAL).unwrap();
    let answer = download(&server).await;
    assert_eq!(answer.header("Wechatpay-Serial"), OLD_SERIAL);
    assert!(answer.signed_by(&old_key));
    assert!(server.sign_with("0123").is_err());

    // `set_certificates` replaces the list (the last of a serial wins, in place).
    server.set_certificates(vec![new.clone(), old.clone(), new.clone()]);
    assert_eq!(server.certificates(), [new.clone(), old.clone()]);
    server.set_certificates(Vec::new());
    let answer = download(&server).await;
    assert!(answer.certificates().data.is_empty());
    assert_eq!(server.certificate_downloads(), 6);
}

#[tokio::test]
async fn a_client_that_trusts_only_the_old_certificate_sees_the_switch() {
    let server = certificate_server();
    let client = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .platform_certificate(old_certificate().certificate_pem())
        .force_base_url(server.base_url())
        .build()
        .unwrap();
    let listed: GetResponse = client
        .v3()
        .certificates()
        .get(&GetQuery::default())
        .await
        .unwrap();
    assert_eq!(serials(&listed), [OLD_SERIAL]);

    server.add_certificate(new_certificate());
    server.sign_with(NEW_SERIAL).unwrap();
    let result = client.v3().certificates().get(&GetQuery::default()).await;
    assert!(result.is_err(), "signed by a certificate the client lacks");
    assert_eq!(server.certificate_downloads(), 2);
}

// --- misbehaviour ----------------------------------------------------------------------

#[tokio::test]
async fn tampered_ciphertext_does_not_open() {
    let server = certificate_server();
    server.add_certificate(new_certificate());
    server.misbehave_once(Misbehavior::CertificateTampered);
    let answer = download(&server).await;
    // Still signed: the tampering is inside what the signature covers.
    assert!(answer.signed_by(&old_certificate().wechatpay_key().unwrap()));
    let certificates = answer.certificates();
    assert_eq!(serials(&certificates), [OLD_SERIAL, NEW_SERIAL]);
    for entry in &certificates.data {
        assert_eq!(entry.encrypt_certificate.associated_data, "certificate");
        assert!(matches!(
            open(entry, keys::APIV3_KEY),
            Err(Error::Crypto(_))
        ));
    }
    // Once only.
    check_entries(&download(&server).await.certificates(), keys::APIV3_KEY);
}

#[tokio::test]
async fn wrong_associated_data_does_not_open_with_what_the_answer_says() {
    let server = certificate_server();
    server.misbehave_once(Misbehavior::CertificateWrongAssociatedData);
    let certificates = download(&server).await.certificates();
    let entry = &certificates.data[0];
    assert_eq!(entry.encrypt_certificate.associated_data, "transaction");
    assert!(matches!(
        open(entry, keys::APIV3_KEY),
        Err(Error::Crypto(_))
    ));
    // The ciphertext itself is genuine: it was sealed with `certificate`.
    let encrypted = &entry.encrypt_certificate;
    let pem = ApiV3Key::new(keys::APIV3_KEY)
        .unwrap()
        .decrypt(&encrypted.nonce, "certificate", &encrypted.ciphertext)
        .unwrap();
    assert_eq!(pem, old_certificate().certificate_pem().as_bytes());
    check_entries(&download(&server).await.certificates(), keys::APIV3_KEY);
}

#[tokio::test]
async fn serial_mismatch_names_another_serial_than_the_certificate_inside() {
    let server = certificate_server();
    server.add_certificate(new_certificate());
    server.misbehave_once(Misbehavior::CertificateSerialMismatch);
    let certificates = download(&server).await.certificates();
    assert_eq!(certificates.data.len(), 2);
    for (entry, real) in certificates.data.iter().zip([OLD_SERIAL, NEW_SERIAL]) {
        assert_ne!(entry.serial_no, real);
        assert_eq!(entry.serial_no.len(), real.len());
        let inside =
            WechatpayKey::platform_certificate(&open(entry, keys::APIV3_KEY).unwrap()).unwrap();
        assert_eq!(inside.id(), real);
    }
    check_entries(&download(&server).await.certificates(), keys::APIV3_KEY);
}

#[tokio::test]
async fn answers_signed_by_a_key_the_client_does_not_know() {
    let server = certificate_server();
    let old = old_certificate().wechatpay_key().unwrap();
    let verifier = KeyStore::new();
    verifier
        .add(old_certificate().wechatpay_key().unwrap())
        .unwrap();

    // Names the old certificate, signed with another key (the server holds only one).
    server.misbehave_once(Misbehavior::WrongKey);
    let answer = download(&server).await;
    assert_eq!(answer.header("Wechatpay-Serial"), OLD_SERIAL);
    assert!(!answer.signed_by(&old));
    assert!(matches!(
        verifier.verify(&answer.headers, &answer.body),
        Err(VerifyError::BadSignature { .. })
    ));
    check_entries(&answer.certificates(), keys::APIV3_KEY);

    // Names a serial nobody knows.
    server.misbehave_once(Misbehavior::WrongSerial);
    let answer = download(&server).await;
    assert!(matches!(
        verifier.verify(&answer.headers, &answer.body),
        Err(VerifyError::UnknownSerial(_))
    ));

    // Signed, correctly, by a certificate the client has not downloaded yet.
    server.add_certificate(new_certificate());
    server.sign_with(NEW_SERIAL).unwrap();
    let answer = download(&server).await;
    assert!(matches!(
        verifier.verify(&answer.headers, &answer.body),
        Err(VerifyError::UnknownSerial(serial)) if serial == NEW_SERIAL
    ));

    // Back to normal.
    server.sign_with(OLD_SERIAL).unwrap();
    let answer = download(&server).await;
    verifier.verify(&answer.headers, &answer.body).unwrap();
}

#[tokio::test]
async fn certificate_misbehaviour_waits_for_a_certificate_answer() {
    let server = certificate_server();
    server.route(Route::new(HttpMethod::Get, "/v3/ping").respond(200, json!({"ok": true})));
    server.misbehave_once(Misbehavior::CertificateTampered);
    server.misbehave_once(Misbehavior::TamperedBody);
    let old = old_certificate().wechatpay_key().unwrap();

    // The other answer takes the general misbehaviour, not the certificate one.
    let ping = get(server.base_url(), "/v3/ping").await;
    assert!(
        !ping.signed_by(&old),
        "the body was tampered with after signing"
    );
    let answer = download(&server).await;
    assert!(answer.signed_by(&old));
    assert!(open(&answer.certificates().data[0], keys::APIV3_KEY).is_err());

    // Both kinds on one certificate answer.
    server.misbehave_once(Misbehavior::CertificateSerialMismatch);
    server.misbehave_once(Misbehavior::Unsigned);
    let answer = download(&server).await;
    assert!(answer.headers.get("Wechatpay-Signature").is_none());
    assert_ne!(answer.certificates().data[0].serial_no, OLD_SERIAL);

    // A general error answer in place of the list.
    server.misbehave_once(Misbehavior::Error {
        status: 500,
        code: "SYSTEM_ERROR".into(),
        message: "busy".into(),
    });
    let answer = download(&server).await;
    assert_eq!(answer.status, 500);
    assert!(answer.signed_by(&old));
    check_entries(&download(&server).await.certificates(), keys::APIV3_KEY);
}

// --- counting --------------------------------------------------------------------------

#[tokio::test]
async fn downloads_are_counted_concurrent_ones_too() {
    let server = certificate_server();
    assert_eq!(server.certificate_downloads(), 0);
    let tasks: Vec<_> = (0..6)
        .map(|_| tokio::spawn(get(server.base_url(), CERTIFICATES_PATH)))
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().status, 200);
    }
    assert_eq!(server.certificate_downloads(), 6);
    let recorded = server
        .requests()
        .iter()
        .filter(|r| r.url == CERTIFICATES_PATH)
        .count();
    assert_eq!(recorded, 6);

    // A route for the path answers instead of the list; the download still counts.
    server.route(Route::new(HttpMethod::Get, CERTIFICATES_PATH).respond(200, json!({"data": []})));
    assert!(download(&server).await.certificates().data.is_empty());
    assert_eq!(server.certificate_downloads(), 7);
}

#[tokio::test]
async fn a_delay_holds_downloads_in_flight_after_counting_them() {
    let server = certificate_server();
    server.route(Route::new(HttpMethod::Get, "/v3/ping").respond(200, json!({"ok": true})));
    let delay = Duration::from_millis(400);
    server.set_certificate_delay(delay);
    let started = Instant::now();
    let in_flight = tokio::spawn(get(server.base_url(), CERTIFICATES_PATH));
    while server.certificate_downloads() == 0 {
        assert!(started.elapsed() < Duration::from_secs(5), "never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Counted, not answered yet; other requests are answered meanwhile.
    assert_eq!(get(server.base_url(), "/v3/ping").await.status, 200);
    assert!(!in_flight.is_finished());
    let answer = in_flight.await.unwrap();
    assert!(started.elapsed() >= delay);
    assert_eq!(serials(&answer.certificates()), [OLD_SERIAL]);
    assert!(answer.signed_by(&old_certificate().wechatpay_key().unwrap()));
}

// --- notifications ---------------------------------------------------------------------

#[tokio::test]
async fn notifications_are_signed_by_any_certificate_the_server_holds() {
    let server = certificate_server();
    let new = new_certificate();
    server.add_certificate(new.clone());
    let handler = WebhookHandler::builder(ApiV3Key::new(keys::APIV3_KEY).unwrap())
        .platform_certificate(old_certificate().certificate_pem())
        .platform_certificate(new.certificate_pem())
        .build()
        .unwrap();

    // As the server signs now: the old certificate.
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .build()
        .unwrap();
    assert_eq!(sent.header("Wechatpay-Serial"), Some(OLD_SERIAL));
    let notification = handler.handle(&sent.headers, &sent.body).unwrap();
    assert_eq!(notification.resource["out_trade_no"], "T1");

    // After the switch: the freshly added one.
    server.sign_with(NEW_SERIAL).unwrap();
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T2"}))
        .build()
        .unwrap();
    assert_eq!(sent.header("Wechatpay-Serial"), Some(NEW_SERIAL));
    let notification = handler.handle(&sent.headers, &sent.body).unwrap();
    assert_eq!(notification.resource["out_trade_no"], "T2");

    // A handler that trusts only the old certificate refuses it.
    let old_only = WebhookHandler::builder(ApiV3Key::new(keys::APIV3_KEY).unwrap())
        .platform_certificate(old_certificate().certificate_pem())
        .build()
        .unwrap();
    assert!(old_only.handle(&sent.headers, &sent.body).is_err());

    // The builder alone, with any certificate.
    let sent = NotificationBuilder::new("REFUND.SUCCESS", json!({"out_refund_no": "R1"}))
        .signed_by_certificate(&new)
        .build()
        .unwrap();
    assert_eq!(sent.header("Wechatpay-Serial"), Some(NEW_SERIAL));
    assert_eq!(
        handler.handle(&sent.headers, &sent.body).unwrap().resource["out_refund_no"],
        "R1"
    );
}

#[tokio::test]
async fn notifications_use_the_servers_apiv3_key() {
    let server = TestServer::builder()
        .apiv3_key(OTHER_APIV3_KEY)
        .start()
        .unwrap();
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .build()
        .unwrap();
    assert_eq!(sent.header("Wechatpay-Serial"), Some(keys::PUBLIC_KEY_ID));
    let handler = |apiv3_key: &str| {
        WebhookHandler::builder(ApiV3Key::new(apiv3_key).unwrap())
            .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
            .build()
            .unwrap()
    };
    assert!(
        handler(OTHER_APIV3_KEY)
            .handle(&sent.headers, &sent.body)
            .is_ok()
    );
    assert!(
        handler(keys::APIV3_KEY)
            .handle(&sent.headers, &sent.body)
            .is_err()
    );
}
