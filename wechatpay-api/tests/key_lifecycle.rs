//! The key lifecycle end to end, against the loopback WeChat Pay (`wechatpay_api::testing`)
//! playing the certificate side: bootstrap from nothing, rotation, validity, refused
//! downloads, failed refreshes, single flight and the rate limit, the schedule, the cache and
//! webhooks sharing a client's key store.
//!
//! Every test checks the outcome and what the server saw (`certificate_downloads()`), and the
//! store (`keys()`, `knows`, `refresh_status()`). Certificate validity windows are relative to
//! the current time.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wechatpay_api::runtime::blocking;
use wechatpay_api::runtime::certificates::CertificateReport;
use wechatpay_api::runtime::signing::nonce;
use wechatpay_api::runtime::verify::unix_now;
use wechatpay_api::runtime::{
    ApiV3Key, CertificateError, Client, ClientBuilder, Error, HttpMethod, KeySource, KeyStore,
    MerchantPrivateKey, VerifyError, WebhookError, WebhookHandler,
};
use wechatpay_api::testing::{
    CERTIFICATES_PATH, Misbehavior, NotificationBuilder, PlatformCertificate, Route, TestServer,
    keys,
};
use wechatpay_api::v3::pay::transactions::out_trade_no::out_trade_no::GetQuery;

const DAY: i64 = 86_400;

/// Serials sort in this order, as `KeyStore::keys` lists them.
const A: &str = "3775B6A45ACD588826D15E583A95F5DD5A3E3C12";
const B: &str = "4A1B2C3D4E5F60718293A4B5C6D7E8F901234567";
const C: &str = "5C0FFEE0000000000000000000000000000000C3";
/// Expired and not yet valid.
const E: &str = "6E0000000000000000000000000000000000000E";
const F: &str = "7F0000000000000000000000000000000000000F";

const OUT_TRADE_NO: &str = "1217752501201407033233368018";
const QUERY_PATH: &str = "/v3/pay/transactions/out-trade-no/{out_trade_no}";
/// A route whose `secret` request field must arrive encrypted with a WeChat Pay key.
const SECRET_PATH: &str = "/v3/test/secret";

// --- certificates ----------------------------------------------------------------------

fn mint(private_key: &str, serial: &str, not_before: i64, not_after: i64) -> PlatformCertificate {
    PlatformCertificate::mint(private_key, serial, not_before, not_after).unwrap()
}

/// The first platform certificate: valid for 30 days already, for a year more.
fn cert_a() -> PlatformCertificate {
    let now = unix_now();
    mint(
        keys::PLATFORM_PRIVATE_KEY_PEM,
        A,
        now - 30 * DAY,
        now + 365 * DAY,
    )
}

/// Its successor, with another key: valid since yesterday.
fn cert_b() -> PlatformCertificate {
    let now = unix_now();
    mint(
        keys::WECHATPAY_PRIVATE_KEY_PEM,
        B,
        now - DAY,
        now + 365 * DAY,
    )
}

/// Expired yesterday.
fn cert_e() -> PlatformCertificate {
    let now = unix_now();
    mint(
        keys::MERCHANT_PRIVATE_KEY_PEM,
        E,
        now - 2 * 365 * DAY,
        now - DAY,
    )
}

/// Valid from tomorrow.
fn cert_f() -> PlatformCertificate {
    let now = unix_now();
    mint(
        keys::MERCHANT_PRIVATE_KEY_PEM,
        F,
        now + DAY,
        now + 2 * 365 * DAY,
    )
}

fn apiv3_key() -> ApiV3Key {
    ApiV3Key::new(keys::APIV3_KEY).unwrap()
}

// --- server and clients ----------------------------------------------------------------

/// A server that knows only these platform certificates (the first one signs), answering the
/// order query and the secret route.
fn server_with(certificates: &[&PlatformCertificate]) -> TestServer {
    let mut builder = TestServer::builder().clear_keys();
    for certificate in certificates {
        builder = builder.add_certificate((*certificate).clone());
    }
    let server = builder.start().unwrap();
    server.route(Route::new(HttpMethod::Get, QUERY_PATH).respond(
        200,
        json!({
            "amount": {"payer_currency": "CNY", "total": 100},
            "appid": "wxd678efh567hg6787",
            "mchid": keys::MERCHANT_ID,
            "out_trade_no": OUT_TRADE_NO,
            "trade_state": "NOTPAY",
            "trade_state_desc": "订单未支付"
        }),
    ));
    server.route(
        Route::new(HttpMethod::Post, SECRET_PATH)
            .encrypted_request_fields(&["secret"])
            .respond(200, json!({"ok": true})),
    );
    server
}

/// A client with the merchant's credentials and the APIv3 key only: no WeChat Pay key.
fn downloading(server: &TestServer) -> ClientBuilder {
    Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .download_certificates(apiv3_key())
        .force_base_url(server.base_url())
}

/// The generated order query; the order number it decoded.
async fn query(client: &Client) -> Result<String, Error> {
    client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&GetQuery {
            mchid: keys::MERCHANT_ID.into(),
        })
        .await
        .map(|order| order.out_trade_no)
}

fn query_blocking(client: &blocking::Client) -> Result<String, Error> {
    client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&GetQuery {
            mchid: keys::MERCHANT_ID.into(),
        })
        .send()
        .map(|order| order.out_trade_no)
}

/// The ids of the store's keys, sorted.
fn ids(store: &KeyStore) -> Vec<String> {
    store.keys().iter().map(|k| k.id().to_owned()).collect()
}

fn serials(
    certificates: &[wechatpay_api::runtime::certificates::DownloadedCertificate],
) -> Vec<&str> {
    certificates.iter().map(|c| c.serial_no.as_str()).collect()
}

/// The serials of a report: (valid, out of validity).
fn report_serials(report: &CertificateReport) -> (Vec<&str>, Vec<&str>) {
    (serials(&report.valid), serials(&report.out_of_validity))
}

/// Downloads the store's refresher attempted.
fn downloads_status(store: &KeyStore) -> u64 {
    store
        .refresh_status()
        .expect("a downloading store")
        .downloads
}

fn last_error(store: &KeyStore) -> Option<String> {
    store
        .refresh_status()
        .expect("a downloading store")
        .last_error
}

/// The paths of the requests the server accepted after the first `skip`.
fn paths_after(server: &TestServer, skip: usize) -> Vec<String> {
    server
        .requests()
        .iter()
        .skip(skip)
        .map(|r| r.url.split('?').next().unwrap_or_default().to_owned())
        .collect()
}

/// Waits for a background task, failing after `deadline`.
async fn wait_for(what: &str, deadline: Duration, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < deadline, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A fresh directory under the system's temporary one, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "wechatpay-key-lifecycle-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&path);
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// The names of the entries, sorted; none when the directory does not exist.
    fn names(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(&self.0) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn pem_file(serial: &str) -> String {
    format!("{serial}.pem")
}

// --- 1. bootstrap from nothing ---------------------------------------------------------

#[tokio::test]
async fn the_first_typed_request_bootstraps_the_store_with_one_download() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    // Building downloads nothing.
    assert!(client.key_store().is_empty());
    assert_eq!(server.certificate_downloads(), 0);
    let status = client.key_store().refresh_status().unwrap();
    assert_eq!(
        (status.downloads, status.since_success, status.last_error),
        (0, None, None)
    );

    assert_eq!(query(&client).await.unwrap(), OUT_TRADE_NO);
    assert_eq!(server.certificate_downloads(), 1);
    // The download went first, then the query, which the downloaded certificate verified.
    assert_eq!(
        paths_after(&server, 0),
        [
            CERTIFICATES_PATH,
            "/v3/pay/transactions/out-trade-no/1217752501201407033233368018"
        ]
    );
    assert_eq!(ids(client.key_store()), [A]);
    let key = client.key_store().key(A).unwrap();
    assert_eq!(
        key.source(),
        KeySource::PlatformCertificate {
            not_before: a.not_before(),
            not_after: a.not_after()
        }
    );
    let status = client.key_store().refresh_status().unwrap();
    assert_eq!(status.downloads, 1);
    assert!(status.since_success.is_some());
    assert_eq!(status.last_error, None);

    // Later calls, from clones too, use the store as it is.
    query(&client).await.unwrap();
    query(&client.clone()).await.unwrap();
    assert_eq!(server.certificate_downloads(), 1);
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn refresh_certificates_bootstraps_too_and_reports_what_it_brought() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    let report = client.refresh_certificates().await.unwrap();
    assert_eq!(report_serials(&report), (vec![A], vec![]));
    let downloaded = &report.valid[0];
    assert_eq!(downloaded.pem, a.certificate_pem());
    assert_eq!(
        (downloaded.not_before, downloaded.not_after),
        (a.not_before(), a.not_after())
    );
    assert_eq!(server.certificate_downloads(), 1);
    assert_eq!(ids(client.key_store()), [A]);

    // The store is not empty: the first call does not download again.
    query(&client).await.unwrap();
    assert_eq!(server.certificate_downloads(), 1);
    // An explicit refresh always downloads.
    client.refresh_certificates().await.unwrap();
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(downloads_status(client.key_store()), 2);
}

#[test]
fn the_blocking_client_bootstraps_on_its_first_call_and_on_refresh() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build_blocking().unwrap();
    assert!(client.key_store().is_empty());
    assert_eq!(query_blocking(&client).unwrap(), OUT_TRADE_NO);
    assert_eq!(server.certificate_downloads(), 1);
    assert_eq!(ids(client.key_store()), [A]);
    query_blocking(&client).unwrap();
    assert_eq!(server.certificate_downloads(), 1);

    let other = downloading(&server).build_blocking().unwrap();
    let report = other.refresh_certificates().unwrap();
    assert_eq!(report_serials(&report), (vec![A], vec![]));
    assert_eq!(server.certificate_downloads(), 2);
    query_blocking(&other).unwrap();
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(downloads_status(other.key_store()), 1);
}

#[tokio::test]
async fn a_bootstrap_that_cannot_verify_leaves_the_store_empty() {
    // The answer is signed by a WeChat Pay public key the client was not given.
    let server = TestServer::builder()
        .clear_keys()
        .wechatpay_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PRIVATE_KEY_PEM)
        .add_certificate(cert_a())
        .start()
        .unwrap();
    let client = downloading(&server).build().unwrap();
    let result = client.refresh_certificates().await;
    assert!(
        matches!(&result, Err(Error::Verification(VerifyError::UnknownSerial(s))) if s == keys::PUBLIC_KEY_ID),
        "{result:?}"
    );
    assert!(client.key_store().is_empty());
    assert_eq!(server.certificate_downloads(), 1);
    assert!(
        last_error(client.key_store())
            .unwrap()
            .contains(keys::PUBLIC_KEY_ID)
    );
}

// --- 2. rotation -----------------------------------------------------------------------

#[tokio::test]
async fn a_rotated_certificate_is_fetched_once_on_demand_and_encrypts_from_then_on() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    query(&client).await.unwrap();
    assert_eq!(server.certificate_downloads(), 1);
    assert_eq!(client.encrypt_field("x").unwrap().1, A);

    // WeChat Pay publishes B and signs with it.
    server.add_certificate(b.clone());
    server.sign_with(B).unwrap();
    assert!(!client.key_store().knows(B));
    let seen = server.requests().len();
    assert_eq!(query(&client).await.unwrap(), OUT_TRADE_NO);
    assert_eq!(server.certificate_downloads(), 2);
    // The query, its answer naming B, one download, and the same answer checked again.
    assert_eq!(
        paths_after(&server, seen),
        [
            "/v3/pay/transactions/out-trade-no/1217752501201407033233368018",
            CERTIFICATES_PATH
        ]
    );
    assert_eq!(ids(client.key_store()), [A, B]);

    // Encryption moves to the newest valid certificate: B.
    let (ciphertext, serial) = client.encrypt_field("s3cr3t").unwrap();
    assert_eq!(serial, B);
    let b_key = MerchantPrivateKey::from_pem(b.private_key_pem()).unwrap();
    assert_eq!(b_key.decrypt(&ciphertext).unwrap(), b"s3cr3t");
    client
        .request(HttpMethod::Post, SECRET_PATH)
        .json(&json!({"secret": "s3cr3t"}))
        .encrypt_fields(&["secret"])
        .await
        .unwrap();
    let sent = server.requests().pop().unwrap();
    assert_eq!(sent.header("wechatpay-serial"), Some(B));
    assert_eq!(sent.json.unwrap()["secret"], "s3cr3t");
    let wire: Value = serde_json::from_slice(&sent.body).unwrap();
    assert_ne!(wire["secret"], "s3cr3t");

    // Nothing more is downloaded for B; A still verifies what it signs.
    query(&client).await.unwrap();
    server.sign_with(A).unwrap();
    query(&client).await.unwrap();
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(last_error(client.key_store()), None);
}

#[tokio::test]
async fn an_expired_certificate_leaves_the_store_at_the_next_refresh() {
    let now = unix_now();
    // A expired ten seconds ago: within the clock-skew allowance, so it is still accepted by
    // hand and still verifies, but a refresh drops it.
    let a = mint(keys::PLATFORM_PRIVATE_KEY_PEM, A, now - 30 * DAY, now - 10);
    let b = cert_b();
    let server = server_with(&[&a, &b]);
    let client = downloading(&server)
        .platform_certificate(a.certificate_pem())
        .build()
        .unwrap();
    assert_eq!(ids(client.key_store()), [A]);
    assert!(query(&client).await.is_ok(), "A signs, within the skew");
    assert_eq!(server.certificate_downloads(), 0);
    // Encryption never uses a certificate outside its validity.
    assert!(matches!(client.encrypt_field("x"), Err(Error::Config(_))));

    let report = client.refresh_certificates().await.unwrap();
    assert_eq!(report_serials(&report), (vec![B], vec![A]));
    assert_eq!(ids(client.key_store()), [B]);
    assert!(!client.key_store().knows(A));
    assert_eq!(client.encrypt_field("x").unwrap().1, B);

    // An answer A signs now names a serial the store does not hold; the on-demand download
    // lists A as expired again, so the answer is refused.
    let result = query(&client).await;
    assert!(
        matches!(&result, Err(Error::Verification(VerifyError::UnknownSerial(s))) if s == A),
        "{result:?}"
    );
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(ids(client.key_store()), [B]);

    // Once WeChat Pay signs with B, answers verify again, with no download.
    server.sign_with(B).unwrap();
    server.remove_certificate(A);
    query(&client).await.unwrap();
    assert_eq!(server.certificate_downloads(), 2);
}

#[tokio::test]
async fn a_certificate_no_longer_listed_is_withdrawn_from_the_store_and_the_cache() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a, &b]);
    let cache = TempDir::new("withdrawn");
    let client = downloading(&server)
        .certificate_cache(cache.path())
        .build()
        .unwrap();
    client.refresh_certificates().await.unwrap();
    assert_eq!(ids(client.key_store()), [A, B]);
    assert_eq!(cache.names(), [pem_file(A), pem_file(B)]);

    // WeChat Pay stops listing A although it has not expired (withdrawn): the next refresh
    // drops it from the store and the cache, so a restart does not bring it back.
    server.sign_with(B).unwrap();
    server.remove_certificate(A);
    client.refresh_certificates().await.unwrap();
    assert_eq!(ids(client.key_store()), [B]);
    assert_eq!(cache.names(), [pem_file(B)]);
    let restarted = downloading(&server)
        .certificate_cache(cache.path())
        .build()
        .unwrap();
    assert_eq!(ids(restarted.key_store()), [B]);
}

#[test]
fn a_refresh_interval_below_the_minimum_is_an_error_of_build() {
    let server = server_with(&[&cert_a()]);
    let result = downloading(&server)
        .certificate_refresh_interval(std::time::Duration::ZERO)
        .build();
    assert!(
        matches!(&result, Err(Error::Config(m)) if m.message.contains("minimum")),
        "{result:?}"
    );
}

// --- 3. validity -----------------------------------------------------------------------

#[tokio::test]
async fn expired_and_future_certificates_of_a_download_are_reported_not_used() {
    let (a, e, f) = (cert_a(), cert_e(), cert_f());
    let server = server_with(&[&a, &e, &f]);
    let client = downloading(&server).build().unwrap();
    let report = client.refresh_certificates().await.unwrap();
    assert_eq!(report_serials(&report), (vec![A], vec![E, F]));
    assert_eq!(report.out_of_validity[0].not_after, e.not_after());
    assert_eq!(report.out_of_validity[1].not_before, f.not_before());
    assert_eq!(ids(client.key_store()), [A]);
    assert_eq!(client.encrypt_field("x").unwrap().1, A);

    // Answers signed by them are refused: the on-demand download lists them out of validity
    // again (and a second unknown serial within the minute downloads nothing).
    server.sign_with(E).unwrap();
    let result = query(&client).await;
    assert!(
        matches!(&result, Err(Error::Verification(VerifyError::UnknownSerial(s))) if s == E),
        "{result:?}"
    );
    assert_eq!(server.certificate_downloads(), 2);
    server.sign_with(F).unwrap();
    let result = query(&client).await;
    assert!(
        matches!(&result, Err(Error::Verification(VerifyError::UnknownSerial(s))) if s == F),
        "{result:?}"
    );
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(ids(client.key_store()), [A]);
}

#[tokio::test]
async fn a_download_signed_by_an_out_of_validity_certificate_is_refused() {
    let (a, e, f) = (cert_a(), cert_e(), cert_f());
    for signer in [E, F] {
        let server = server_with(&[&a, &e, &f]);
        server.sign_with(signer).unwrap();
        let client = downloading(&server).build().unwrap();
        let result = query(&client).await;
        assert!(
            matches!(&result, Err(Error::Verification(VerifyError::UnknownSerial(s))) if s == signer),
            "{signer}: {result:?}"
        );
        assert!(client.key_store().is_empty());
        assert_eq!(server.certificate_downloads(), 1);
        // Only the download reached the server.
        assert_eq!(paths_after(&server, 0), [CERTIFICATES_PATH]);
    }
}

#[test]
fn a_hand_given_expired_certificate_is_an_error_of_build() {
    let (a, e) = (cert_a(), cert_e());
    let builder = || {
        Client::builder()
            .merchant(
                keys::MERCHANT_ID,
                keys::MERCHANT_SERIAL,
                keys::MERCHANT_PRIVATE_KEY_PEM,
            )
            .force_base_url("http://127.0.0.1:9")
    };
    for pem in [
        e.certificate_pem().to_owned(),
        format!("{}{}", a.certificate_pem(), e.certificate_pem()),
    ] {
        let result = builder().platform_certificate(&pem).build();
        match result {
            Err(Error::Config(message)) => {
                assert!(message.message.contains(E), "{message}");
                assert!(message.message.contains("expired"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        // Download mode does not make it acceptable.
        let result = builder()
            .download_certificates(apiv3_key())
            .platform_certificate(&pem)
            .build();
        assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
        assert!(matches!(
            WebhookHandler::builder(apiv3_key())
                .platform_certificate(&pem)
                .build(),
            Err(Error::Config(_))
        ));
    }
    assert!(matches!(
        KeyStore::new().add(e.wechatpay_key().unwrap()),
        Err(Error::Config(_))
    ));
}

#[tokio::test]
async fn a_hand_given_certificate_not_valid_yet_verifies_and_encrypts_nothing() {
    let (a, f) = (cert_a(), cert_f());
    let server = server_with(&[&a, &f]);
    let client = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .platform_certificate(&format!("{}{}", a.certificate_pem(), f.certificate_pem()))
        .force_base_url(server.base_url())
        .build()
        .unwrap();
    // Kept (it will be used once valid), but not now: F has the newest `not_before`, A
    // encrypts.
    assert_eq!(ids(client.key_store()), [A, F]);
    assert_eq!(client.encrypt_field("x").unwrap().1, A);
    query(&client).await.unwrap();

    server.sign_with(F).unwrap();
    let result = query(&client).await;
    assert!(
        matches!(&result, Err(Error::Verification(VerifyError::KeyNotValid { serial, not_before, .. }))
            if serial == F && *not_before == f.not_before()),
        "{result:?}"
    );
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .build()
        .unwrap();
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();
    let result = handler.handle(&sent.headers, &sent.body);
    assert!(
        matches!(&result, Err(WebhookError::Signature(VerifyError::KeyNotValid { serial, .. })) if serial == F),
        "{result:?}"
    );
    // No downloader, no download.
    assert_eq!(client.key_store().refresh_status(), None);
    assert_eq!(server.certificate_downloads(), 0);
}

#[tokio::test]
async fn a_pem_bundle_of_two_certificates_loads_both() {
    let (a, b) = (cert_a(), cert_b());
    let bundle = format!("{}\n{}", a.certificate_pem(), b.certificate_pem());
    let server = server_with(&[&a, &b]);
    let client = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .platform_certificate(&bundle)
        .force_base_url(server.base_url())
        .build()
        .unwrap();
    assert_eq!(ids(client.key_store()), [A, B]);
    // Each verifies what it signs; the newer one encrypts.
    query(&client).await.unwrap();
    server.sign_with(B).unwrap();
    query(&client).await.unwrap();
    assert_eq!(client.encrypt_field("x").unwrap().1, B);

    let handler = WebhookHandler::builder(apiv3_key())
        .platform_certificate(&bundle)
        .build()
        .unwrap();
    assert_eq!(ids(handler.key_store()), [A, B]);
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .build()
        .unwrap();
    assert_eq!(handler.handle(&sent.headers, &sent.body).unwrap().serial, B);
}

// --- 4. refused downloads --------------------------------------------------------------

/// What a refused download must be.
fn refused(misbehavior: &Misbehavior, error: &Error) -> bool {
    match misbehavior {
        Misbehavior::CertificateTampered | Misbehavior::CertificateWrongAssociatedData => {
            matches!(error, Error::Certificates(CertificateError::Decrypt { serial_no }) if serial_no == A)
        }
        Misbehavior::CertificateSerialMismatch => matches!(
            error,
            Error::Certificates(CertificateError::SerialMismatch { listed, actual })
                if listed != A && actual == A
        ),
        Misbehavior::WrongKey | Misbehavior::TamperedBody => matches!(
            error,
            Error::Verification(VerifyError::BadSignature { serial }) if serial == A
        ),
        Misbehavior::WrongSerial => matches!(
            error,
            Error::Verification(VerifyError::UnknownSerial(s)) if s.starts_with("UNKNOWN_SERIAL")
        ),
        Misbehavior::StaleTimestamp => {
            matches!(
                error,
                Error::Verification(VerifyError::StaleTimestamp { .. })
            )
        }
        Misbehavior::Unsigned => matches!(
            error,
            Error::Verification(VerifyError::MissingHeader("Wechatpay-Timestamp"))
        ),
        other => panic!("not a case: {other:?}"),
    }
}

const BROKEN_DOWNLOADS: [Misbehavior; 8] = [
    Misbehavior::CertificateTampered,
    Misbehavior::CertificateWrongAssociatedData,
    Misbehavior::CertificateSerialMismatch,
    Misbehavior::WrongKey,
    Misbehavior::WrongSerial,
    Misbehavior::TamperedBody,
    Misbehavior::StaleTimestamp,
    Misbehavior::Unsigned,
];

#[tokio::test]
async fn a_broken_download_is_refused_with_its_reason_and_changes_nothing() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    let cache = TempDir::new("broken");
    let client = downloading(&server)
        .certificate_cache(cache.path())
        .build()
        .unwrap();
    query(&client).await.unwrap();
    assert_eq!(cache.names(), [pem_file(A)]);
    // B is published: a download that passed would add it.
    server.add_certificate(b);
    for (n, misbehavior) in BROKEN_DOWNLOADS.into_iter().enumerate() {
        server.misbehave_once(misbehavior.clone());
        let error = client.refresh_certificates().await.unwrap_err();
        assert!(refused(&misbehavior, &error), "{misbehavior:?}: {error:?}");
        assert_eq!(
            server.certificate_downloads(),
            n as u64 + 2,
            "{misbehavior:?}"
        );
        assert_eq!(ids(client.key_store()), [A], "{misbehavior:?}");
        assert_eq!(cache.names(), [pem_file(A)], "{misbehavior:?}");
        assert_eq!(
            last_error(client.key_store()),
            Some(error.to_string()),
            "{misbehavior:?}"
        );
        // Calls still verify.
        query(&client).await.unwrap();
    }
    // The next clean download installs B and clears the error.
    let report = client.refresh_certificates().await.unwrap();
    assert_eq!(report_serials(&report), (vec![A, B], vec![]));
    assert_eq!(ids(client.key_store()), [A, B]);
    assert_eq!(cache.names(), [pem_file(A), pem_file(B)]);
    assert_eq!(last_error(client.key_store()), None);
}

#[tokio::test]
async fn a_broken_bootstrap_is_refused_and_the_store_stays_empty() {
    let a = cert_a();
    for misbehavior in BROKEN_DOWNLOADS {
        // One key only: `WrongKey` signs with a key the server does not list.
        let server = server_with(&[&a]);
        let client = downloading(&server).build().unwrap();
        server.misbehave_once(misbehavior.clone());
        let error = client.refresh_certificates().await.unwrap_err();
        assert!(refused(&misbehavior, &error), "{misbehavior:?}: {error:?}");
        assert!(client.key_store().is_empty(), "{misbehavior:?}");
        assert_eq!(server.certificate_downloads(), 1);
    }
}

#[tokio::test]
async fn a_broken_on_demand_download_leaves_the_answer_refused() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    query(&client).await.unwrap();
    server.add_certificate(b);
    server.sign_with(B).unwrap();
    server.misbehave_once(Misbehavior::CertificateTampered);
    let result = query(&client).await;
    assert!(
        matches!(&result, Err(Error::Verification(VerifyError::UnknownSerial(s))) if s == B),
        "{result:?}"
    );
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(ids(client.key_store()), [A]);
    let why = last_error(client.key_store()).unwrap();
    assert!(why.contains("does not decrypt"), "{why}");
}

// --- 5. failed refreshes ---------------------------------------------------------------

#[tokio::test]
async fn a_refresh_answered_500_keeps_the_keys() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    query(&client).await.unwrap();
    server.misbehave_once(Misbehavior::Error {
        status: 500,
        code: "SYSTEM_ERROR".into(),
        message: "busy".into(),
    });
    let error = client.refresh_certificates().await.unwrap_err();
    assert_eq!(error.as_api().map(|e| e.status), Some(500), "{error:?}");
    assert_eq!(server.certificate_downloads(), 2);
    let why = last_error(client.key_store()).unwrap();
    assert!(why.contains("500") && why.contains("SYSTEM_ERROR"), "{why}");
    assert_eq!(ids(client.key_store()), [A]);
    assert!(
        client
            .key_store()
            .refresh_status()
            .unwrap()
            .since_success
            .is_some()
    );
    query(&client).await.unwrap();

    // A successful refresh clears the error.
    client.refresh_certificates().await.unwrap();
    assert_eq!(last_error(client.key_store()), None);
}

#[tokio::test]
async fn a_refresh_of_a_stopped_server_keeps_the_keys() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    query(&client).await.unwrap();
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .build()
        .unwrap();
    drop(server);

    let error = client.refresh_certificates().await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(last_error(client.key_store()).is_some());
    assert_eq!(ids(client.key_store()), [A]);
    // What A signed still verifies.
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();
    let notification = handler
        .handle_async(&sent.headers, &sent.body)
        .await
        .unwrap();
    assert_eq!(notification.serial, A);
    assert_eq!(downloads_status(client.key_store()), 2);
}

#[tokio::test]
async fn a_download_with_nothing_valid_does_not_empty_the_store() {
    let (a, e) = (cert_a(), cert_e());
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    query(&client).await.unwrap();
    for listed in [vec![], vec![e.clone()]] {
        server.set_certificates(listed);
        let report = client.refresh_certificates().await.unwrap();
        assert!(report.valid.is_empty());
        assert_eq!(ids(client.key_store()), [A]);
        query(&client).await.unwrap();
    }
    assert_eq!(server.certificate_downloads(), 3);
}

#[tokio::test]
async fn a_failed_bootstrap_fails_the_call_and_an_explicit_refresh_recovers() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    server.misbehave_once(Misbehavior::Error {
        status: 500,
        code: "SYSTEM_ERROR".into(),
        message: "busy".into(),
    });
    let error = query(&client).await.unwrap_err();
    assert_eq!(error.as_api().map(|e| e.status), Some(500), "{error:?}");
    assert!(client.key_store().is_empty());
    // Within the minute, the empty store is not downloaded again for a call…
    let error = query(&client).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Certificates(CertificateError::RateLimited { .. })
        ),
        "{error:?}"
    );
    assert_eq!(server.certificate_downloads(), 1);
    // …but an explicit refresh always is.
    client.refresh_certificates().await.unwrap();
    query(&client).await.unwrap();
    assert_eq!(server.certificate_downloads(), 2);
}

#[test]
fn a_stale_blocking_client_whose_refresh_fails_still_verifies() {
    let a = cert_a();
    let server = server_with(&[&a]);
    // The shortest interval: stale again after a short sleep.
    let interval = Duration::from_millis(100);
    let client = downloading(&server)
        .certificate_refresh_interval(interval)
        .build_blocking()
        .unwrap();
    query_blocking(&client).unwrap();
    assert_eq!(server.certificate_downloads(), 1);
    std::thread::sleep(interval * 2);
    server.misbehave_once(Misbehavior::Error {
        status: 503,
        code: "SYSTEM_ERROR".into(),
        message: "busy".into(),
    });
    assert_eq!(query_blocking(&client).unwrap(), OUT_TRADE_NO);
    assert_eq!(server.certificate_downloads(), 2);
    assert!(last_error(client.key_store()).unwrap().contains("503"));
    assert_eq!(ids(client.key_store()), [A]);

    // Stopped server: the refresh fails, the call fails on its own transport error, the keys
    // stay.
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .build()
        .unwrap();
    drop(server);
    assert!(matches!(
        client.refresh_certificates(),
        Err(Error::Transport(_))
    ));
    assert!(matches!(query_blocking(&client), Err(Error::Transport(_))));
    assert_eq!(ids(client.key_store()), [A]);
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();
    assert_eq!(handler.handle(&sent.headers, &sent.body).unwrap().serial, A);
}

#[test]
fn a_failed_refresh_on_use_is_not_retried_by_every_call() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let interval = Duration::from_millis(200);
    let client = downloading(&server)
        .certificate_refresh_interval(interval)
        .timeout(Duration::from_secs(2))
        .build_blocking()
        .unwrap();
    query_blocking(&client).unwrap();
    std::thread::sleep(interval * 2);
    // WeChat Pay's certificate endpoint hangs (other answers still come): the stale keys'
    // refresh times out, and the call goes on with the keys it has.
    server.set_certificate_delay(Duration::from_secs(30));
    query_blocking(&client).unwrap();
    assert_eq!(server.certificate_downloads(), 2);
    assert!(last_error(client.key_store()).is_some());
    // The keys are still stale, but the calls that follow, one after another or together, do
    // not each wait for another download.
    for _ in 0..3 {
        query_blocking(&client).unwrap();
    }
    std::thread::scope(|scope| {
        let calls: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| query_blocking(&client)))
            .collect();
        for call in calls {
            call.join().unwrap().unwrap();
        }
    });
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(ids(client.key_store()), [A]);

    // An explicit refresh is not held back; once one succeeds, use refreshes stale keys again.
    server.set_certificate_delay(Duration::ZERO);
    client.refresh_certificates().unwrap();
    assert_eq!(server.certificate_downloads(), 3);
    assert_eq!(last_error(client.key_store()), None);
    std::thread::sleep(interval * 2);
    query_blocking(&client).unwrap();
    assert_eq!(server.certificate_downloads(), 4);
}

// --- 6. single flight and the rate limit -----------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_naming_a_new_serial_share_one_download() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    query(&client).await.unwrap();
    server.add_certificate(b);
    server.sign_with(B).unwrap();
    // The download is held back so the calls pile up behind it.
    server.set_certificate_delay(Duration::from_millis(500));
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { query(&client).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), OUT_TRADE_NO);
    }
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(downloads_status(client.key_store()), 2);
    assert_eq!(ids(client.key_store()), [A, B]);
}

#[test]
fn concurrent_blocking_calls_naming_a_new_serial_share_one_download() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    let client = downloading(&server).build_blocking().unwrap();
    query_blocking(&client).unwrap();
    server.add_certificate(b);
    server.sign_with(B).unwrap();
    server.set_certificate_delay(Duration::from_millis(300));
    std::thread::scope(|scope| {
        let calls: Vec<_> = (0..16)
            .map(|_| scope.spawn(|| query_blocking(&client)))
            .collect();
        for call in calls {
            assert_eq!(call.join().unwrap().unwrap(), OUT_TRADE_NO);
        }
    });
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(ids(client.key_store()), [A, B]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_serials_causes_at_most_one_download() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    query(&client).await.unwrap();
    assert_eq!(server.certificate_downloads(), 1);

    // Forged notifications, each naming a random serial, all at once.
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();
    let forged: Vec<_> = (0..50)
        .map(|_| {
            let serial = nonce().unwrap().to_ascii_uppercase();
            let sent =
                NotificationBuilder::new("TRANSACTION.SUCCESS", json!({"out_trade_no": "X"}))
                    .signed_by(&serial, keys::MERCHANT_PRIVATE_KEY_PEM)
                    .build()
                    .unwrap();
            let handler = handler.clone();
            tokio::spawn(async move {
                let result = handler.handle_async(&sent.headers, &sent.body).await;
                (serial, result)
            })
        })
        .collect();
    for task in forged {
        let (serial, result) = task.await.unwrap();
        assert!(
            matches!(&result, Err(WebhookError::Signature(VerifyError::UnknownSerial(s))) if *s == serial),
            "{result:?}"
        );
    }
    assert!(server.certificate_downloads() <= 2);

    // Answers naming an unknown serial: refused with the answer's own error.
    for _ in 0..5 {
        server.misbehave_once(Misbehavior::WrongSerial);
        let result = query(&client).await;
        assert!(
            matches!(&result, Err(Error::Verification(VerifyError::UnknownSerial(s))) if s.starts_with("UNKNOWN_SERIAL")),
            "{result:?}"
        );
    }
    assert!(
        server.certificate_downloads() <= 2,
        "{} downloads",
        server.certificate_downloads()
    );
    assert_eq!(ids(client.key_store()), [A]);
    // The keys still work.
    query(&client).await.unwrap();
}

// --- 7. the schedule -------------------------------------------------------------------

#[tokio::test]
async fn a_short_interval_makes_the_background_task_download_without_calls() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    let interval = Duration::from_millis(200);

    // A client never used starts nothing.
    let idle = downloading(&server)
        .certificate_refresh_interval(interval)
        .build()
        .unwrap();
    tokio::time::sleep(interval * 3).await;
    assert_eq!(server.certificate_downloads(), 0);
    drop(idle);

    let client = downloading(&server)
        .certificate_refresh_interval(interval)
        .build()
        .unwrap();
    query(&client).await.unwrap();
    let after_query = server.requests().len();
    server.add_certificate(b);
    wait_for("two scheduled downloads", Duration::from_secs(20), || {
        server.certificate_downloads() >= 3
    })
    .await;
    // The schedule picked B up; nothing but downloads reached the server.
    assert!(client.key_store().knows(B));
    assert!(
        paths_after(&server, after_query)
            .iter()
            .all(|p| p == CERTIFICATES_PATH)
    );
    let status = client.key_store().refresh_status().unwrap();
    assert!(status.downloads >= 3);
    assert_eq!(status.last_error, None);

    // The task ends with the client.
    drop(client);
    tokio::time::sleep(interval * 2).await;
    let settled = server.certificate_downloads();
    tokio::time::sleep(interval * 5).await;
    assert_eq!(server.certificate_downloads(), settled);
}

#[tokio::test]
async fn the_first_scheduled_download_comes_one_interval_after_the_bootstrap() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let interval = Duration::from_secs(3);
    let client = downloading(&server)
        .certificate_refresh_interval(interval)
        .build()
        .unwrap();
    let started = Instant::now();
    query(&client).await.unwrap();
    assert_eq!(server.certificate_downloads(), 1);
    // Due one interval after the bootstrap; waited for with half an interval to spare (a
    // schedule that skips its first tick comes a whole interval later).
    wait_for("the first scheduled download", interval * 3 / 2, || {
        server.certificate_downloads() >= 2
    })
    .await;
    // And not before: the keys were fresh until then.
    assert!(started.elapsed() >= interval);
    let status = client.key_store().refresh_status().unwrap();
    assert_eq!((status.downloads, status.last_error), (2, None));
}

#[tokio::test]
async fn a_failing_scheduled_refresh_is_recorded_and_retried() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server)
        .certificate_refresh_interval(Duration::from_millis(100))
        .build()
        .unwrap();
    query(&client).await.unwrap();
    for _ in 0..3 {
        server.misbehave_once(Misbehavior::CertificateTampered);
    }
    let store = client.key_store().clone();
    wait_for(
        "a failed scheduled refresh",
        Duration::from_secs(20),
        || last_error(&store).is_some_and(|e| e.contains("does not decrypt")),
    )
    .await;
    assert_eq!(ids(&store), [A]);
    // It keeps going: once the answers are sound again, a later run clears the error.
    wait_for(
        "a scheduled refresh that passes",
        Duration::from_secs(20),
        || last_error(&store).is_none(),
    )
    .await;
    assert!(server.certificate_downloads() >= 5);
    query(&client).await.unwrap();
}

#[test]
fn the_blocking_client_refreshes_on_use_when_stale_and_not_otherwise() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    let interval = Duration::from_millis(200);
    let client = downloading(&server)
        .certificate_refresh_interval(interval)
        .build_blocking()
        .unwrap();
    query_blocking(&client).unwrap();
    assert_eq!(server.certificate_downloads(), 1);
    server.add_certificate(b);
    // No background work: nothing happens without a call.
    std::thread::sleep(interval * 3);
    assert_eq!(server.certificate_downloads(), 1);
    assert!(!client.key_store().knows(B));
    // Stale: the next call refreshes first.
    let seen = server.requests().len();
    query_blocking(&client).unwrap();
    assert_eq!(server.certificate_downloads(), 2);
    assert_eq!(
        paths_after(&server, seen),
        [
            CERTIFICATES_PATH,
            "/v3/pay/transactions/out-trade-no/1217752501201407033233368018"
        ]
    );
    assert!(client.key_store().knows(B));

    // With a long interval, use does not refresh.
    let patient = downloading(&server)
        .certificate_refresh_interval(Duration::from_secs(3600))
        .build_blocking()
        .unwrap();
    for _ in 0..3 {
        query_blocking(&patient).unwrap();
    }
    assert_eq!(server.certificate_downloads(), 3);
    assert_eq!(downloads_status(patient.key_store()), 1);
}

// --- 8. the cache ----------------------------------------------------------------------

#[tokio::test]
async fn the_cache_is_written_on_refresh_and_read_at_build() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a, &b]);
    let cache = TempDir::new("cache");
    let first = downloading(&server)
        .certificate_cache(cache.path())
        .build()
        .unwrap();
    first.refresh_certificates().await.unwrap();
    // One file per certificate, nothing else (no temporary file left behind).
    assert_eq!(cache.names(), [pem_file(A), pem_file(B)]);
    for certificate in [&a, &b] {
        let path = cache.path().join(pem_file(certificate.serial()));
        assert_eq!(
            fs::read_to_string(path).unwrap(),
            certificate.certificate_pem()
        );
    }
    assert_eq!(server.certificate_downloads(), 1);

    // A restart: the store is filled at build, and answers verify at once.
    let second = downloading(&server)
        .certificate_cache(cache.path())
        .build()
        .unwrap();
    assert_eq!(ids(second.key_store()), [A, B]);
    query(&second).await.unwrap();
    server.sign_with(B).unwrap();
    query(&second).await.unwrap();
    assert_eq!(server.certificate_downloads(), 1);
    assert_eq!(downloads_status(second.key_store()), 0);

    // The blocking client reads it too (built outside the async runtime).
    let builder = downloading(&server).certificate_cache(cache.path());
    let third = std::thread::spawn(move || builder.build_blocking().unwrap())
        .join()
        .unwrap();
    assert_eq!(ids(third.key_store()), [A, B]);
    assert_eq!(downloads_status(third.key_store()), 0);
    std::thread::spawn(move || drop(third)).join().unwrap();
}

#[tokio::test]
async fn unusable_cache_files_are_skipped() {
    let (a, b, e) = (cert_a(), cert_b(), cert_e());
    let server = server_with(&[&a]);
    let cache = TempDir::new("skipped");
    fs::create_dir_all(cache.path()).unwrap();
    let write = |name: &str, text: &str| fs::write(cache.path().join(name), text).unwrap();
    write(
        &pem_file(C),
        "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
    );
    write(&pem_file(F), "");
    // A's certificate under B's name.
    write(&pem_file(B), a.certificate_pem());
    write(&pem_file(E), e.certificate_pem());
    // Not a `.pem`: ignored whatever it holds.
    write("notes.txt", b.certificate_pem());

    let client = downloading(&server)
        .certificate_cache(cache.path())
        .build()
        .unwrap();
    assert!(
        client.key_store().is_empty(),
        "{:?}",
        ids(client.key_store())
    );
    // So the first call bootstraps; the refresh writes A and prunes the `.pem` files of
    // certificates the download does not list (files of other kinds are left alone).
    query(&client).await.unwrap();
    assert_eq!(server.certificate_downloads(), 1);
    assert_eq!(ids(client.key_store()), [A]);
    assert_eq!(cache.names(), [pem_file(A), "notes.txt".to_owned()]);

    // Now A is read back (its own file), and the others are still skipped.
    let again = downloading(&server)
        .certificate_cache(cache.path())
        .build()
        .unwrap();
    assert_eq!(ids(again.key_store()), [A]);
    query(&again).await.unwrap();
    assert_eq!(server.certificate_downloads(), 1);
}

#[tokio::test]
async fn the_cache_and_the_interval_may_be_set_before_download_mode() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let cache = TempDir::new("order");
    let client = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .certificate_cache(cache.path())
        .certificate_refresh_interval(Duration::from_millis(100))
        .download_certificates(apiv3_key())
        .force_base_url(server.base_url())
        .build()
        .unwrap();
    query(&client).await.unwrap();
    assert_eq!(cache.names(), [pem_file(A)]);
    wait_for("a scheduled download", Duration::from_secs(20), || {
        server.certificate_downloads() >= 2
    })
    .await;
}

#[test]
fn a_cache_path_that_is_not_a_directory_is_an_error_of_build() {
    let cache = TempDir::new("file");
    fs::write(cache.path(), "a file").unwrap();
    let result = Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .download_certificates(apiv3_key())
        .certificate_cache(cache.path())
        .build();
    assert!(
        matches!(&result, Err(Error::Certificates(CertificateError::Cache { path, .. })) if path == cache.path()),
        "{result:?}"
    );
    let _ = fs::remove_file(cache.path());
}

// --- 9. webhooks -----------------------------------------------------------------------

#[tokio::test]
async fn a_notification_from_a_rotated_certificate_refreshes_an_async_clients_store() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    query(&client).await.unwrap();
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();

    server.add_certificate(b);
    server.sign_with(B).unwrap();
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .build()
        .unwrap();
    // The plain `handle` does not download for an async client's store.
    let result = handler.handle(&sent.headers, &sent.body);
    assert!(
        matches!(&result, Err(WebhookError::Signature(VerifyError::UnknownSerial(s))) if s == B),
        "{result:?}"
    );
    assert_eq!(server.certificate_downloads(), 1);

    let notification = handler
        .handle_event_async::<Value>(&sent.headers, &sent.body)
        .await
        .unwrap();
    assert_eq!(notification.serial, B);
    assert_eq!(notification.resource["out_trade_no"], "T1");
    assert_eq!(server.certificate_downloads(), 2);
    // The client sees what the handler's refresh brought.
    assert!(client.key_store().knows(B));
    query(&client).await.unwrap();

    #[derive(serde::Deserialize)]
    struct Order {
        out_trade_no: String,
    }
    let typed = handler
        .handle_as_async::<Order>(&sent.headers, &sent.body)
        .await
        .unwrap();
    assert_eq!(typed.resource.out_trade_no, "T1");
    assert_eq!(server.certificate_downloads(), 2);
}

#[tokio::test]
async fn a_notification_bootstraps_an_unused_async_clients_store() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();
    let sent = server
        .notification("REFUND.SUCCESS", json!({"out_refund_no": "R1"}))
        .build()
        .unwrap();
    let notification = handler
        .handle_async(&sent.headers, &sent.body)
        .await
        .unwrap();
    assert_eq!(notification.resource["out_refund_no"], "R1");
    assert_eq!(server.certificate_downloads(), 1);
    assert_eq!(ids(client.key_store()), [A]);
}

#[tokio::test]
async fn a_forged_notification_is_refused_after_at_most_one_download() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    query(&client).await.unwrap();
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();
    const FORGED: &str = "0BADC0DE0BADC0DE0BADC0DE0BADC0DE0BADC0DE";
    let sent = NotificationBuilder::new("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .signed_by(FORGED, keys::MERCHANT_PRIVATE_KEY_PEM)
        .build()
        .unwrap();
    for _ in 0..3 {
        let result = handler.handle_async(&sent.headers, &sent.body).await;
        assert!(
            matches!(&result, Err(WebhookError::Signature(VerifyError::UnknownSerial(s))) if s == FORGED),
            "{result:?}"
        );
        assert_eq!(result.unwrap_err().reply().status, 401);
    }
    assert!(server.certificate_downloads() <= 2);
    assert_eq!(ids(client.key_store()), [A]);

    // Signed by a key the store holds, but not the one named: a bad signature, no download.
    let before = server.certificate_downloads();
    let sent = NotificationBuilder::new("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .signed_by(A, keys::MERCHANT_PRIVATE_KEY_PEM)
        .build()
        .unwrap();
    let result = handler.handle_async(&sent.headers, &sent.body).await;
    assert!(
        matches!(&result, Err(WebhookError::Signature(VerifyError::BadSignature { serial })) if serial == A),
        "{result:?}"
    );
    assert_eq!(server.certificate_downloads(), before);
}

#[tokio::test]
async fn a_notification_refused_before_its_signature_is_checked_downloads_nothing() {
    let a = cert_a();
    let server = server_with(&[&a]);
    let client = downloading(&server).build().unwrap();
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();
    let sent = NotificationBuilder::new("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .signed_by(C, keys::MERCHANT_PRIVATE_KEY_PEM)
        .build()
        .unwrap();
    // No signature at all, naming a serial the (empty) store does not know.
    let mut unsigned = sent.clone();
    unsigned.set_header("Wechatpay-Signature", None);
    let result = handler
        .handle_async(&unsigned.headers, &unsigned.body)
        .await;
    assert!(
        matches!(
            &result,
            Err(WebhookError::Signature(VerifyError::MissingHeader(
                "Wechatpay-Signature"
            )))
        ),
        "{result:?}"
    );
    // Another signature algorithm.
    let mut sm2 = sent.clone();
    sm2.set_header("Wechatpay-Signature-Type", Some("WECHATPAY2-SM2-WITH-SM3"));
    let result = handler
        .handle_event_async::<Value>(&sm2.headers, &sm2.body)
        .await;
    assert!(
        matches!(&result, Err(WebhookError::UnsupportedSignatureType(_))),
        "{result:?}"
    );
    assert_eq!(server.certificate_downloads(), 0);
    assert!(client.key_store().is_empty());
}

#[tokio::test]
async fn the_async_handlers_do_not_block_on_a_blocking_clients_store() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    // A blocking client, built and bootstrapped outside the runtime.
    let builder = downloading(&server);
    let client = std::thread::spawn(move || {
        let client = builder.build_blocking().unwrap();
        client.refresh_certificates().unwrap();
        client
    })
    .join()
    .unwrap();
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();
    server.add_certificate(b);
    server.sign_with(B).unwrap();
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .build()
        .unwrap();
    // Inside the runtime, the async handlers cannot download through the blocking client:
    // the notification is refused (WeChat Pay sends it again), nothing panics.
    let result = handler.handle_async(&sent.headers, &sent.body).await;
    assert!(
        matches!(&result, Err(WebhookError::Signature(VerifyError::UnknownSerial(s))) if s == B),
        "{result:?}"
    );
    assert_eq!(server.certificate_downloads(), 1);
    std::thread::spawn(move || drop(client)).join().unwrap();
}

#[test]
fn a_notification_from_a_rotated_certificate_refreshes_a_blocking_clients_store() {
    let (a, b) = (cert_a(), cert_b());
    let server = server_with(&[&a]);
    let client = downloading(&server).build_blocking().unwrap();
    client.refresh_certificates().unwrap();
    let handler = WebhookHandler::builder(apiv3_key())
        .key_store(client.key_store().clone())
        .build()
        .unwrap();

    server.add_certificate(b);
    server.sign_with(B).unwrap();
    let sent = server
        .notification("TRANSACTION.SUCCESS", json!({"out_trade_no": "T1"}))
        .build()
        .unwrap();
    let notification = handler.handle(&sent.headers, &sent.body).unwrap();
    assert_eq!(notification.serial, B);
    assert_eq!(notification.resource["out_trade_no"], "T1");
    assert_eq!(server.certificate_downloads(), 2);
    assert!(client.key_store().knows(B));
    query_blocking(&client).unwrap();
    assert_eq!(server.certificate_downloads(), 2);

    // A forged one is refused, and downloads at most once more.
    let sent = NotificationBuilder::new("TRANSACTION.SUCCESS", json!({"out_trade_no": "T2"}))
        .signed_by(C, keys::MERCHANT_PRIVATE_KEY_PEM)
        .build()
        .unwrap();
    for _ in 0..3 {
        let result = handler.handle(&sent.headers, &sent.body);
        assert!(
            matches!(&result, Err(WebhookError::Signature(VerifyError::UnknownSerial(s))) if s == C),
            "{result:?}"
        );
    }
    assert!(server.certificate_downloads() <= 3);
    assert_eq!(ids(client.key_store()), [A, B]);
}
