//! A loopback server that plays WeChat Pay, for tests of this crate and of downstream apps
//! (feature `test-server`).
//!
//! It plays the protocol for real: it verifies each request's `Authorization` signature
//! with the merchant's public key (and its timestamp), decrypts the request fields a route
//! declares encrypted with the private key named by `Wechatpay-Serial`, encrypts declared
//! answer fields with the merchant's public key, and signs every answer with its WeChat Pay
//! key. Like WeChat Pay, it refuses (`400 PARAM_ERROR`) an upload whose `meta.sha256` is not
//! the SHA-256 of its `file` part. It can be told to misbehave ([`Misbehavior`]) to exercise
//! a client's checks.
//!
//! ```no_run
//! use wechatpay_api::runtime::HttpMethod;
//! use wechatpay_api::testing::{Route, TestServer};
//!
//! let server = TestServer::builder().start()?;
//! server.route(Route::new(HttpMethod::Get, "/v3/ping").respond(200, serde_json::json!({"ok": true})));
//! let client = server.client_builder().build()?;
//! # Ok::<(), wechatpay_api::runtime::Error>(())
//! ```
//!
//! It plays the certificate side too: `GET /v3/certificates` answers with its platform
//! certificates ([`PlatformCertificate`], minted on demand by [`certificates`]), each
//! encrypted with its APIv3 key as WeChat Pay does, unless a [`Route`] for that path says
//! otherwise. The list can change while it runs ([`TestServer::add_certificate`],
//! [`TestServer::set_certificates`], [`TestServer::remove_certificate`]) and every listed
//! certificate's key can sign answers ([`TestServer::sign_with`]) and notifications
//! ([`TestServer::notification`]), so a test can play a rotation:
//!
//! ```
//! use wechatpay_api::testing::{keys, PlatformCertificate, TestServer};
//!
//! let server = TestServer::builder().start()?;
//! let next = PlatformCertificate::mint(
//!     keys::WECHATPAY_PRIVATE_KEY_PEM,
//!     "3775B6A45ACD588826D15E583A95F5DD5A3E3C12",
//!     1_767_225_600,
//!     1_924_992_000,
//! )?;
//! server.add_certificate(next.clone()); // served next to the old one
//! server.sign_with(next.serial())?; // answers are signed with the new one
//! server.remove_certificate(keys::PLATFORM_SERIAL); // the old one is no longer served
//! assert_eq!(server.certificates(), [next]);
//! # Ok::<(), wechatpay_api::runtime::Error>(())
//! ```

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{Value, json};

use crate::runtime::aead::ApiV3Key;
use crate::runtime::beijing_time::rfc3339;
use crate::runtime::client::{Client, ClientBuilder};
use crate::runtime::error::{ConfigItem, CryptoOperation, Error};
use crate::runtime::keys::{MerchantPrivateKey, WechatpayKey};
use crate::runtime::media::sha256_hex;
use crate::runtime::operation::{FilePart, HttpMethod};
use crate::runtime::sensitive_fields::transform_fields;
use crate::runtime::signing::{AuthorizationHeader, nonce, request_message, response_message};
use crate::runtime::verify::{MAX_CLOCK_SKEW_SECS, unix_now};

pub mod certificates;
pub mod keys;
mod multipart;
pub mod notification;
pub mod tls;
pub mod v2;
pub mod v2_notification;

pub use certificates::PlatformCertificate;
pub use notification::{NotificationBuilder, SentNotification};
pub use tls::{IssuedCertificate, PresentedCertificate, TestCa};
pub use v2::{V2Misbehavior, V2RecordedRequest, V2Route};
pub use v2_notification::{SentV2Notification, V2NotificationBuilder, V2NotifyAnswer};

/// The path the server answers with its platform certificates (when no [`Route`] does).
pub const CERTIFICATES_PATH: &str = "/v3/certificates";

/// How the next answer goes wrong.
///
/// The `Certificate…` variants wait for the next answer of the server's own certificate
/// list (`GET /v3/certificates` with no [`Route`] for it) and break every entry of it; the
/// others apply to the next signed answer, whatever it answers (a certificate answer too,
/// so both kinds can hit the same answer).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misbehavior {
    /// The body is changed after it was signed (an empty answer's signed nonce, since an empty
    /// body cannot change on the wire).
    TamperedBody,
    /// `Wechatpay-Serial` names a key the client cannot know.
    WrongSerial,
    /// Signed correctly, with a timestamp ten minutes in the past.
    StaleTimestamp,
    /// A 2xx without any `Wechatpay-*` signature header.
    Unsigned,
    /// Signed with another key than the one `Wechatpay-Serial` names (the server's next key,
    /// or a key it does not hold if it holds only one).
    WrongKey,
    /// A (signed) error answer: `{"code", "message"}` with this status.
    Error {
        status: u16,
        code: String,
        message: String,
    },
    /// Certificate answer: one byte of each `encrypt_certificate.ciphertext` is flipped, so
    /// AES-GCM authentication fails.
    CertificateTampered,
    /// Certificate answer: each `encrypt_certificate.associated_data` says `transaction`,
    /// while the ciphertext was sealed with `certificate`, so it does not open with the
    /// associated data the answer gives.
    CertificateWrongAssociatedData,
    /// Certificate answer: each `serial_no` is not the serial of the certificate inside (its
    /// last hex digit is changed); the ciphertext is intact.
    CertificateSerialMismatch,
    /// The request is read, checked and recorded (see [`TestServer::requests`]) as usual,
    /// then the connection is closed without any answer: the client sees the connection
    /// drop after its request reached the server.
    DropConnection,
    /// The request is read, checked and recorded as usual, and its (correct) answer held
    /// back this long: a client with a shorter timeout gives up after the request reached
    /// the server.
    Slow(Duration),
}

impl Misbehavior {
    fn is_certificate(&self) -> bool {
        matches!(
            self,
            Misbehavior::CertificateTampered
                | Misbehavior::CertificateWrongAssociatedData
                | Misbehavior::CertificateSerialMismatch
        )
    }
}

/// An answer the server gives for one method and path template (`{x}` matches a segment).
#[derive(Debug, Clone)]
#[must_use = "a route does nothing until given to `TestServer::route`"]
pub struct Route {
    method: HttpMethod,
    template: String,
    encrypted_request_fields: Vec<String>,
    encrypted_response_fields: Vec<String>,
    status: u16,
    body: Option<Value>,
    raw: Option<RawAnswer>,
}

/// An unsigned answer of raw bytes, like WeChat Pay's file downloads.
#[derive(Clone)]
struct RawAnswer {
    content_type: String,
    bytes: Bytes,
}

impl std::fmt::Debug for RawAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} bytes)", self.content_type, self.bytes.len())
    }
}

impl Route {
    /// A route answering `204 No Content` until [`Route::respond`] says otherwise.
    pub fn new(method: HttpMethod, template: &str) -> Route {
        Route {
            method,
            template: template.to_owned(),
            encrypted_request_fields: Vec::new(),
            encrypted_response_fields: Vec::new(),
            status: 204,
            body: None,
            raw: None,
        }
    }

    /// Request fields that must arrive encrypted with a WeChat Pay key (they are decrypted
    /// in [`RecordedRequest::json`]; a request whose field does not decrypt is answered 400).
    pub fn encrypted_request_fields(mut self, paths: &[&str]) -> Route {
        self.encrypted_request_fields = paths.iter().map(|p| (*p).to_owned()).collect();
        self
    }

    /// Answer fields to encrypt with the merchant's public key.
    pub fn encrypted_response_fields(mut self, paths: &[&str]) -> Route {
        self.encrypted_response_fields = paths.iter().map(|p| (*p).to_owned()).collect();
        self
    }

    /// The status and JSON body of the answer.
    pub fn respond(mut self, status: u16, body: Value) -> Route {
        self.status = status;
        self.body = Some(body);
        self.raw = None;
        self
    }

    /// Answers with these bytes as they are and no `Wechatpay-*` signature headers, as WeChat
    /// Pay serves file downloads (`/v3/billdownload/file`). The request must still be signed.
    /// The bytes are shared, not copied, between answers.
    pub fn respond_bytes(
        mut self,
        status: u16,
        content_type: &str,
        bytes: impl Into<Vec<u8>>,
    ) -> Route {
        self.status = status;
        self.body = None;
        self.raw = Some(RawAnswer {
            content_type: content_type.to_owned(),
            bytes: Bytes::from(bytes.into()),
        });
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        if self.method.as_str() != method {
            return false;
        }
        let mut want = self.template.trim_start_matches('/').split('/');
        let mut got = path.trim_start_matches('/').split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return true,
                (Some(w), Some(g))
                    if (w.starts_with('{') && w.ends_with('}') && !g.is_empty()) || w == g => {}
                _ => return false,
            }
        }
    }
}

/// One request the server received and accepted as signed.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, as signed.
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The raw body bytes.
    pub body: Vec<u8>,
    /// The JSON body (the `meta` part of uploads) with encrypted fields decrypted.
    pub json: Option<Value>,
    /// The file parts of an upload, by form name (`file`).
    pub files: Vec<(String, FilePart)>,
    pub authorization: AuthorizationHeader,
    /// The client certificate the connection presented in the TLS handshake (a server
    /// started with [`TestServerBuilder::tls_with_client_auth`]; `None` over plain HTTP).
    pub client_certificate: Option<PresentedCertificate>,
}

impl RecordedRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first file part with this form name.
    pub fn file(&self, name: &str) -> Option<&FilePart> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, part)| part)
    }
}

struct ServerKey {
    id: String,
    private: Arc<MerchantPrivateKey>,
    private_pem: String,
}

/// A merchant whose requests the server accepts.
struct Merchant {
    mchid: String,
    serial: String,
    public: WechatpayKey,
}

struct State {
    merchants: Vec<Merchant>,
    keys: Vec<ServerKey>,
    signing: usize,
    /// Signs `Misbehavior::WrongKey` answers of a server that holds a single key.
    stranger: MerchantPrivateKey,
    apiv3_key: ApiV3Key,
    apiv3_key_text: String,
    certificates: Vec<PlatformCertificate>,
    certificate_downloads: u64,
    certificate_delay: Duration,
    routes: Vec<Route>,
    misbehavior: VecDeque<Misbehavior>,
    certificate_misbehavior: VecDeque<Misbehavior>,
    requests: Vec<RecordedRequest>,
    counter: u64,
    /// The answer just made must not be sent: the connection is dropped instead.
    drop_connection: bool,
    /// The answer just made is held back this long (`Misbehavior::Slow`).
    slow: Duration,
    /// TCP connections accepted.
    connections: u64,
    /// TLS handshakes that failed (no client certificate, one of another CA, a client that
    /// refused the server's certificate…).
    tls_handshakes_refused: u64,
    /// The APIv2 routes, key and records.
    v2: v2::V2State,
}

/// A key given to the builder.
enum BuilderKey {
    PublicKey { id: String, private_pem: String },
    Certificate { pem: String, private_pem: String },
    Minted(PlatformCertificate),
}

/// Configures a [`TestServer`]; by default it uses the bundled [`keys`] and signs with the
/// WeChat Pay public key (`keys::PUBLIC_KEY_ID`), also knowing (and serving at
/// `/v3/certificates`) the platform certificate, with the APIv3 key [`keys::APIV3_KEY`].
///
/// Every setter takes the builder and returns it; [`start`](Self::start) runs the server.
/// `Debug` shows the merchant and the key ids, never private keys or the APIv3 key.
#[must_use]
pub struct TestServerBuilder {
    mchid: String,
    merchant_serial: String,
    merchant_public_key_pem: String,
    /// Merchants accepted besides the first: id, serial, public key PEM.
    more_merchants: Vec<(String, String, String)>,
    keys: Vec<BuilderKey>,
    apiv3_key: String,
    tls_with_client_auth: bool,
    api_v2_key: String,
}

impl std::fmt::Debug for TestServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self
            .keys
            .iter()
            .map(|key| match key {
                BuilderKey::PublicKey { id, .. } => id.as_str(),
                BuilderKey::Certificate { .. } => "<platform certificate>",
                BuilderKey::Minted(certificate) => certificate.serial(),
            })
            .collect();
        f.debug_struct("TestServerBuilder")
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field("more_merchants", &self.more_merchants.len())
            .field("keys", &keys)
            .field("tls_with_client_auth", &self.tls_with_client_auth)
            .finish_non_exhaustive()
    }
}

impl Default for TestServerBuilder {
    fn default() -> Self {
        TestServerBuilder {
            mchid: keys::MERCHANT_ID.to_owned(),
            merchant_serial: keys::MERCHANT_SERIAL.to_owned(),
            merchant_public_key_pem: keys::MERCHANT_PUBLIC_KEY_PEM.to_owned(),
            more_merchants: Vec::new(),
            keys: vec![
                BuilderKey::PublicKey {
                    id: keys::PUBLIC_KEY_ID.to_owned(),
                    private_pem: keys::WECHATPAY_PRIVATE_KEY_PEM.to_owned(),
                },
                BuilderKey::Certificate {
                    pem: keys::PLATFORM_CERTIFICATE_PEM.to_owned(),
                    private_pem: keys::PLATFORM_PRIVATE_KEY_PEM.to_owned(),
                },
            ],
            apiv3_key: keys::APIV3_KEY.to_owned(),
            tls_with_client_auth: false,
            api_v2_key: keys::APIV2_KEY.to_owned(),
        }
    }
}

impl TestServerBuilder {
    /// The merchant whose requests are accepted: id, certificate serial, public key PEM (in
    /// place of the default [`keys::MERCHANT_ID`]).
    pub fn merchant(mut self, mchid: &str, serial: &str, public_key_pem: &str) -> Self {
        self.mchid = mchid.to_owned();
        self.merchant_serial = serial.to_owned();
        self.merchant_public_key_pem = public_key_pem.to_owned();
        self
    }

    /// One more merchant whose requests are accepted (a service provider's sub-merchants,
    /// clients sharing one HTTP pool…); answer fields are encrypted for the merchant that
    /// asked.
    pub fn add_merchant(mut self, mchid: &str, serial: &str, public_key_pem: &str) -> Self {
        self.more_merchants.push((
            mchid.to_owned(),
            serial.to_owned(),
            public_key_pem.to_owned(),
        ));
        self
    }

    /// Forgets the default WeChat Pay keys and platform certificate (add others with the
    /// methods below). The first key added signs answers.
    pub fn clear_keys(mut self) -> Self {
        self.keys.clear();
        self
    }

    /// A WeChat Pay public key: its id and the matching private key PEM.
    pub fn wechatpay_key(mut self, id: &str, private_key_pem: &str) -> Self {
        self.keys.push(BuilderKey::PublicKey {
            id: id.to_owned(),
            private_pem: private_key_pem.to_owned(),
        });
        self
    }

    /// A platform certificate (its serial becomes the key id) and its private key PEM, which
    /// must be the certificate's ([`start`](Self::start) fails otherwise). It is served at
    /// `/v3/certificates`, after the certificates added before it.
    pub fn platform_certificate(mut self, certificate_pem: &str, private_key_pem: &str) -> Self {
        self.keys.push(BuilderKey::Certificate {
            pem: certificate_pem.to_owned(),
            private_pem: private_key_pem.to_owned(),
        });
        self
    }

    /// Like [`platform_certificate`](Self::platform_certificate), with a certificate already
    /// paired with its key (e.g. minted by [`PlatformCertificate::mint`]).
    pub fn add_certificate(mut self, certificate: PlatformCertificate) -> Self {
        self.keys.push(BuilderKey::Minted(certificate));
        self
    }

    /// The APIv3 key (32 bytes) that encrypts the certificates served at `/v3/certificates`
    /// and [`TestServer::notification`]s; [`keys::APIV3_KEY`] by default.
    pub fn apiv3_key(mut self, key: &str) -> Self {
        self.apiv3_key = key.to_owned();
        self
    }

    /// Serves HTTPS instead of plain HTTP, and requires every connection to present a client
    /// certificate, as WeChat Pay does for the APIv2 operations that need the merchant's API
    /// certificate. `start` mints, with rcgen, a test CA
    /// ([`TestServer::ca_certificate_pem`]), a server certificate for `127.0.0.1` and
    /// `localhost` issued by it, and a client certificate for the merchant's public key
    /// ([`TestServer::client_certificate`]: `CN=<mchid>`, the merchant serial). The handshake
    /// fails for a connection without a client certificate or with one the test CA did not
    /// issue ([`TestServer::tls_handshakes_refused`]); each recorded request names the
    /// certificate its connection presented ([`RecordedRequest::client_certificate`]).
    ///
    /// Every connection needs the certificate, so a client sends through its certificate
    /// pool only (`DynamicCall::client_certificate`); [`TestServer::client_builder`] sets up
    /// the trust and the certificate.
    pub fn tls_with_client_auth(mut self) -> Self {
        self.tls_with_client_auth = true;
        self
    }

    /// The APIv2 key v2 requests must be signed with (and answers are signed with);
    /// [`keys::APIV2_KEY`] by default.
    pub fn api_v2_key(mut self, key: &str) -> Self {
        self.api_v2_key = key.to_owned();
        self
    }

    /// Binds 127.0.0.1 on a free port and serves on a background thread until dropped.
    pub fn start(self) -> Result<TestServer, Error> {
        let tls = if self.tls_with_client_auth {
            let minted = tls::ServerTls::mint(
                &self.mchid,
                &self.merchant_serial,
                &self.merchant_public_key_pem,
            )?;
            // The default merchant's key is known: its client certificate is ready to use.
            let ready = if self.merchant_public_key_pem == keys::MERCHANT_PUBLIC_KEY_PEM {
                Some(
                    minted
                        .client
                        .client_certificate(keys::MERCHANT_PRIVATE_KEY_PEM)?,
                )
            } else {
                None
            };
            Some((minted, ready))
        } else {
            None
        };
        let v2 = v2::V2State::new(
            &self.api_v2_key,
            keys::WECHATPAY_PRIVATE_KEY_PEM,
            &self.merchant_public_key_pem,
        )?;
        let mut merchants = vec![Merchant {
            public: WechatpayKey::public_key(
                self.merchant_serial.clone(),
                &self.merchant_public_key_pem,
            )?,
            mchid: self.mchid,
            serial: self.merchant_serial,
        }];
        for (mchid, serial, pem) in self.more_merchants {
            merchants.push(Merchant {
                public: WechatpayKey::public_key(serial.clone(), &pem)?,
                mchid,
                serial,
            });
        }
        let apiv3_key = ApiV3Key::new(&self.apiv3_key)?;
        let mut keys = Vec::new();
        let mut certificates = Vec::new();
        for key in self.keys {
            let certificate = match key {
                BuilderKey::PublicKey { id, private_pem } => {
                    add_key(
                        &mut keys,
                        id,
                        Arc::new(MerchantPrivateKey::from_pem(&private_pem)?),
                        private_pem,
                    );
                    continue;
                }
                BuilderKey::Certificate { pem, private_pem } => {
                    PlatformCertificate::new(&pem, &private_pem)?
                }
                BuilderKey::Minted(certificate) => certificate,
            };
            add_key(
                &mut keys,
                certificate.serial().to_owned(),
                certificate.private_key(),
                certificate.private_key_pem().to_owned(),
            );
            list_certificate(&mut certificates, certificate);
        }
        if keys.is_empty() {
            return Err(Error::config(
                ConfigItem::TestServer,
                "the test server needs a WeChat Pay key",
            ));
        }
        let state = Arc::new(Mutex::new(State {
            merchants,
            keys,
            signing: 0,
            stranger: MerchantPrivateKey::from_pem(keys::MERCHANT_PRIVATE_KEY_PEM)?,
            apiv3_key,
            apiv3_key_text: self.apiv3_key,
            certificates,
            certificate_downloads: 0,
            certificate_delay: Duration::ZERO,
            routes: Vec::new(),
            misbehavior: VecDeque::new(),
            certificate_misbehavior: VecDeque::new(),
            requests: Vec::new(),
            counter: 0,
            drop_connection: false,
            slow: Duration::ZERO,
            connections: 0,
            tls_handshakes_refused: 0,
            v2,
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| {
            Error::config(
                ConfigItem::TestServer,
                format!("test server cannot bind: {e}"),
            )
        })?;
        let addr = listener.local_addr().map_err(|e| {
            Error::config(ConfigItem::TestServer, format!("test server address: {e}"))
        })?;
        listener.set_nonblocking(true).map_err(|e| {
            Error::config(ConfigItem::TestServer, format!("test server socket: {e}"))
        })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| {
                Error::config(ConfigItem::TestServer, format!("test server runtime: {e}"))
            })?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        let acceptor = tls
            .as_ref()
            .map(|(minted, _)| tokio_rustls::TlsAcceptor::from(minted.config.clone()));
        let thread = std::thread::Builder::new()
            .name(format!("wechatpay-test-server-{}", addr.port()))
            .spawn(move || runtime.block_on(serve(listener, serve_state, stopped, acceptor)))
            .map_err(|e| {
                Error::config(ConfigItem::TestServer, format!("test server thread: {e}"))
            })?;
        Ok(TestServer {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
            tls,
        })
    }
}

/// A running loopback WeChat Pay; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    /// HTTPS with client certificates: the CA and the merchant's client certificate (parsed
    /// with the key, for the default merchant).
    tls: Option<(tls::ServerTls, Option<crate::runtime::ClientCertificate>)>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// `http://127.0.0.1:PORT` (`https://…` with
    /// [`tls_with_client_auth`](TestServerBuilder::tls_with_client_auth)).
    pub fn base_url(&self) -> String {
        match self.tls {
            Some(_) => format!("https://{}", self.addr),
            None => format!("http://{}", self.addr),
        }
    }

    /// A client builder for a server started with the default [`keys`]: the test merchant's
    /// key, the test WeChat Pay public key, and every request sent here (`force_base_url`, so
    /// operations with a `base_uri` come here too). With
    /// [`tls_with_client_auth`](TestServerBuilder::tls_with_client_auth), it also trusts the
    /// test CA and presents the merchant's client certificate (in its certificate pool).
    pub fn client_builder(&self) -> ClientBuilder {
        let mut builder = Client::builder()
            .merchant(
                keys::MERCHANT_ID,
                keys::MERCHANT_SERIAL,
                keys::MERCHANT_PRIVATE_KEY_PEM,
            )
            .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
            .force_base_url(self.base_url());
        if let Some((minted, ready)) = &self.tls {
            builder = builder.add_root_certificate(minted.ca.certificate_pem());
            if let Some(certificate) = ready {
                builder = builder.client_certificate(certificate.clone());
            }
        }
        builder
    }

    /// The test CA's certificate (PEM) of a server started with
    /// [`tls_with_client_auth`](TestServerBuilder::tls_with_client_auth), for
    /// [`ClientBuilder::add_root_certificate`](crate::runtime::ClientBuilder::add_root_certificate);
    /// `None` over plain HTTP.
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.tls
            .as_ref()
            .map(|(minted, _)| minted.ca.certificate_pem())
    }

    /// The merchant's client certificate the test CA issued (server started with
    /// [`tls_with_client_auth`](TestServerBuilder::tls_with_client_auth)); pair it with the
    /// merchant's private key: [`IssuedCertificate::client_certificate`].
    pub fn client_certificate(&self) -> Option<&IssuedCertificate> {
        self.tls.as_ref().map(|(minted, _)| &minted.client)
    }

    /// How many TLS handshakes failed: connections without a client certificate, with one
    /// the test CA did not issue, or from a client that refused the server's certificate.
    pub fn tls_handshakes_refused(&self) -> u64 {
        self.state().tls_handshakes_refused
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Adds a route (later routes win over earlier ones for the same request).
    pub fn route(&self, route: Route) {
        self.state().routes.insert(0, route);
    }

    /// Adds an APIv2 route (later routes win over earlier ones for the same request).
    pub fn v2_route(&self, route: V2Route) {
        self.state().v2.add_route(route);
    }

    /// Breaks the next v2 answer (queued after those already queued).
    pub fn v2_misbehave_once(&self, misbehavior: V2Misbehavior) {
        self.state().v2.misbehave_once(misbehavior);
    }

    /// The v2 requests accepted so far (their `sign` verified), oldest first.
    pub fn v2_requests(&self) -> Vec<V2RecordedRequest> {
        self.state().v2.requests.clone()
    }

    /// A client builder like [`client_builder`](Self::client_builder), with the server's
    /// default APIv2 key ([`keys::APIV2_KEY`]) and the v2 RSA public key
    /// ([`keys::V2_RSA_PUBLIC_KEY_PEM`]).
    pub fn v2_client_builder(&self) -> ClientBuilder {
        self.client_builder()
            .api_v2_key(
                crate::runtime::v2::ApiV2Key::new(keys::APIV2_KEY)
                    .expect("the test APIv2 key is 32 letters and digits"),
            )
            .v2_rsa_public_key(keys::V2_RSA_PUBLIC_KEY_PEM)
    }

    /// Signs answers with the key of this id from now on: a WeChat Pay public key id or the
    /// serial of a platform certificate the server holds (listed now or before).
    pub fn sign_with(&self, key_id: &str) -> Result<(), Error> {
        let mut state = self.state();
        let index = state
            .keys
            .iter()
            .position(|k| k.id == key_id)
            .ok_or_else(|| {
                Error::config(
                    ConfigItem::TestServer,
                    format!("the test server has no key `{key_id}`"),
                )
            })?;
        state.signing = index;
        Ok(())
    }

    /// The id of the key answers are signed with now (`Wechatpay-Serial`).
    pub fn signing_key_id(&self) -> String {
        let state = self.state();
        state.keys[state.signing].id.clone()
    }

    /// Makes the next answer misbehave (queued: one misbehaviour per answer; the
    /// `Certificate…` ones in a queue of their own, for certificate answers: see
    /// [`Misbehavior`]).
    pub fn misbehave_once(&self, misbehavior: Misbehavior) {
        let mut state = self.state();
        if misbehavior.is_certificate() {
            state.certificate_misbehavior.push_back(misbehavior);
        } else {
            state.misbehavior.push_back(misbehavior);
        }
    }

    /// The platform certificates `GET /v3/certificates` serves, in order.
    pub fn certificates(&self) -> Vec<PlatformCertificate> {
        self.state().certificates.clone()
    }

    /// Serves exactly these certificates from now on (a later one with the serial of an
    /// earlier one replaces it). Each one's key becomes a key the server can sign with
    /// ([`sign_with`](Self::sign_with)`(serial)`); keys of certificates no longer served stay,
    /// so answers can still be signed with them.
    pub fn set_certificates(&self, certificates: Vec<PlatformCertificate>) {
        let mut state = self.state();
        state.certificates.clear();
        for certificate in certificates {
            state.hold_certificate(certificate);
        }
    }

    /// Serves this certificate too, after the others (in place of one with the same serial),
    /// and makes its key one the server can sign with ([`sign_with`](Self::sign_with)).
    pub fn add_certificate(&self, certificate: PlatformCertificate) {
        self.state().hold_certificate(certificate);
    }

    /// Stops serving the certificate with this serial (upper or lower case); `false` if it
    /// was not served. Its key stays: answers can still be signed with it.
    pub fn remove_certificate(&self, serial: &str) -> bool {
        let mut state = self.state();
        let before = state.certificates.len();
        state
            .certificates
            .retain(|c| !c.serial().eq_ignore_ascii_case(serial));
        state.certificates.len() != before
    }

    /// How many `GET /v3/certificates` requests the server accepted (signature verified,
    /// recorded in [`requests`](Self::requests)), whether its certificate list or a
    /// [`Route`] answered them.
    pub fn certificate_downloads(&self) -> u64 {
        self.state().certificate_downloads
    }

    /// Holds every answer to `GET /v3/certificates` back this long (none by default), after
    /// the download is counted: concurrent downloads overlap for sure, for tests of a
    /// client's single flight. Other requests are answered meanwhile.
    pub fn set_certificate_delay(&self, delay: Duration) {
        self.state().certificate_delay = delay;
    }

    /// A notification as this server would post it: its resource encrypted with the
    /// server's APIv3 key, signed with the key answers are signed with now
    /// ([`sign_with`](Self::sign_with)), which `Wechatpay-Serial` names. The builder can
    /// still change any of it ([`NotificationBuilder::signed_by_certificate`]…).
    pub fn notification(&self, event_type: &str, resource: Value) -> NotificationBuilder {
        let state = self.state();
        let signing = &state.keys[state.signing];
        NotificationBuilder::new(event_type, resource)
            .apiv3_key(&state.apiv3_key_text)
            .signed_by(&signing.id, &signing.private_pem)
    }

    /// The requests accepted so far (signature verified).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// How many TCP connections the server accepted (clients that share an HTTP pool reuse
    /// kept-alive ones).
    pub fn connections(&self) -> u64 {
        self.state().connections
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Adds a signing key, or replaces the private key of the one with this id.
fn add_key(
    keys: &mut Vec<ServerKey>,
    id: String,
    private: Arc<MerchantPrivateKey>,
    private_pem: String,
) {
    match keys.iter_mut().find(|k| k.id == id) {
        Some(key) => {
            key.private = private;
            key.private_pem = private_pem;
        }
        None => keys.push(ServerKey {
            id,
            private,
            private_pem,
        }),
    }
}

/// Appends a certificate to a served list, or replaces the one with its serial in place.
fn list_certificate(list: &mut Vec<PlatformCertificate>, certificate: PlatformCertificate) {
    match list.iter_mut().find(|c| c.serial() == certificate.serial()) {
        Some(listed) => *listed = certificate,
        None => list.push(certificate),
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panicking test thread must not take the server down with it.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<Mutex<State>>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        // Without it, Nagle's algorithm and the client's delayed ACK hold the end of an
        // answer back for up to 40 ms.
        let _ = stream.set_nodelay(true);
        lock(&state).connections += 1;
        let state = state.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let Some(acceptor) = tls else {
                return serve_connection(stream, state, None).await;
            };
            match acceptor.accept(stream).await {
                Ok(stream) => {
                    let presented = stream
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|chain| chain.first())
                        .and_then(|leaf| PresentedCertificate::read(leaf));
                    serve_connection(stream, state, presented).await;
                }
                Err(_) => lock(&state).tls_handshakes_refused += 1,
            }
        });
    }
}

/// Serves one connection's requests; each one is recorded with the client certificate the
/// connection presented.
async fn serve_connection<S>(
    stream: S,
    state: Arc<Mutex<State>>,
    presented: Option<PresentedCertificate>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        let state = state.clone();
        if let Some(presented) = &presented {
            request.extensions_mut().insert(presented.clone());
        }
        async move { handle(&state, request).await }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .await;
}

/// The service's error: the connection is closed without an answer
/// ([`Misbehavior::DropConnection`]).
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for ConnectionDropped {}

async fn handle(
    state: &Mutex<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, ConnectionDropped> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let mut delay = Duration::ZERO;
    let response = respond(state, parts, body, &mut delay);
    {
        let mut state = lock(state);
        if std::mem::take(&mut state.drop_connection) {
            return Err(ConnectionDropped);
        }
        delay += std::mem::take(&mut state.slow);
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(response)
}

/// The answer to one request; `delay` is set when it must be held back
/// (`TestServer::set_certificate_delay`).
fn respond(
    state: &Mutex<State>,
    parts: hyper::http::request::Parts,
    body: Vec<u8>,
    delay: &mut Duration,
) -> Response<Full<Bytes>> {
    let mut state = lock(state);
    let method = parts.method.as_str().to_owned();
    let url = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };

    // 0. APIv2 routes are signed in their parameters, not in `Authorization`.
    let v2_path = url.split('?').next().unwrap_or("/");
    if let Some(route) = state.v2.route_for(&method, v2_path) {
        return state.v2.respond(
            route,
            method,
            url,
            headers,
            body,
            parts.extensions.get::<PresentedCertificate>().cloned(),
        );
    }

    // 1. The merchant's signature (over the `meta` part, for uploads).
    let upload = multipart::parts(header("content-type"), &body).map(Upload::new);
    let signed_body = match &upload {
        Some(upload) => upload.meta.clone(),
        None => body.clone(),
    };
    let (authorization, merchant) =
        match check_authorization(&state, &method, &url, header("authorization"), &signed_body) {
            Ok(checked) => checked,
            Err(message) => return state.answer(401, Some(error_json("SIGN_ERROR", &message))),
        };

    // 2. The route (none: the certificate list answers `GET /v3/certificates`).
    let path = url.split('?').next().unwrap_or("/");
    let certificate_download = method == "GET" && path == CERTIFICATES_PATH;
    let route = state
        .routes
        .iter()
        .find(|r| r.matches(&method, path))
        .cloned();
    if route.is_none() && !certificate_download {
        return state.answer(
            404,
            Some(error_json(
                "RESOURCE_NOT_EXISTS",
                &format!("no route for {method} {path}"),
            )),
        );
    }
    let encrypted_request_fields = route
        .as_ref()
        .map(|r| r.encrypted_request_fields.clone())
        .unwrap_or_default();

    // 3. The JSON body, encrypted request fields decrypted.
    let mut json: Option<Value> = if signed_body.is_empty() {
        None
    } else {
        match serde_json::from_slice(&signed_body) {
            Ok(value) => Some(value),
            Err(e) => {
                return state.answer(
                    400,
                    Some(error_json("PARAM_ERROR", &format!("body is not JSON: {e}"))),
                );
            }
        }
    };
    if !encrypted_request_fields.is_empty() {
        let serial = header("wechatpay-serial").unwrap_or_default().to_owned();
        let Some(key) = state.keys.iter().find(|k| k.id == serial) else {
            return state.answer(
                400,
                Some(error_json(
                    "PARAM_ERROR",
                    &format!("Wechatpay-Serial `{serial}` names no WeChat Pay key"),
                )),
            );
        };
        if let Some(value) = json.as_mut() {
            let result =
                transform_fields(value, &encrypted_request_fields, &mut |path, ciphertext| {
                    let plain = key.private.decrypt(ciphertext).map_err(|_| {
                        Error::crypto(
                            CryptoOperation::RsaOaepDecrypt,
                            format!("`{path}` does not decrypt"),
                        )
                    })?;
                    String::from_utf8(plain).map_err(|_| {
                        Error::crypto(
                            CryptoOperation::RsaOaepDecrypt,
                            format!("`{path}` is not UTF-8"),
                        )
                    })
                });
            if let Err(e) = result {
                return state.answer(400, Some(error_json("PARAM_ERROR", &e.to_string())));
            }
        }
    }

    // 4. The digest of an upload.
    if let (Some(upload), Some(meta)) = (&upload, &json)
        && let Err(message) = upload.check_sha256(meta)
    {
        return state.answer(400, Some(error_json("PARAM_ERROR", &message)));
    }
    if certificate_download {
        state.certificate_downloads += 1;
        *delay = state.certificate_delay;
    }
    state.requests.push(RecordedRequest {
        method,
        url: url.clone(),
        headers: headers.clone(),
        body,
        json,
        files: upload.map(|upload| upload.files).unwrap_or_default(),
        authorization,
        client_certificate: parts.extensions.get::<PresentedCertificate>().cloned(),
    });

    // 5. The answer.
    let Some(route) = route else {
        return state.certificate_answer(&url);
    };
    if let Some(raw) = route.raw {
        return state.raw_answer(route.status, raw);
    }
    let mut answer = route.body.clone();
    if let Some(value) = answer.as_mut() {
        let merchant = &state.merchants[merchant].public;
        if let Err(e) =
            transform_fields(value, &route.encrypted_response_fields, &mut |_, plain| {
                merchant.encrypt(plain.as_bytes())
            })
        {
            return state.answer(500, Some(error_json("SYSTEM_ERROR", &e.to_string())));
        }
    }
    state.answer(route.status, answer)
}

fn error_json(code: &str, message: &str) -> Value {
    json!({ "code": code, "message": message })
}

fn check_authorization(
    state: &State,
    method: &str,
    url: &str,
    header: Option<&str>,
    body: &[u8],
) -> Result<(AuthorizationHeader, usize), String> {
    let header = header.ok_or("missing Authorization")?;
    let auth = AuthorizationHeader::parse(header).ok_or("malformed Authorization")?;
    let Some(index) = state.merchants.iter().position(|m| m.mchid == auth.mchid) else {
        return Err(format!("unknown mchid `{}`", auth.mchid));
    };
    let merchant = &state.merchants[index];
    if auth.serial_no != merchant.serial {
        return Err(format!("unknown merchant serial `{}`", auth.serial_no));
    }
    if auth.nonce_str.len() != 32 || !auth.nonce_str.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("nonce_str must be 32 alphanumerics".into());
    }
    let timestamp: i64 = auth
        .timestamp
        .parse()
        .map_err(|_| "timestamp is not seconds")?;
    // `abs_diff`: a hostile timestamp near `i64::MIN` must not overflow.
    if unix_now().abs_diff(timestamp) > MAX_CLOCK_SKEW_SECS.unsigned_abs() {
        return Err("timestamp expired".into());
    }
    let message = request_message(method, url, timestamp, &auth.nonce_str, body);
    if !merchant.public.verify(&message, &auth.signature) {
        return Err("signature verification failed".into());
    }
    Ok((auth, index))
}

/// A multipart request: the `meta` part (the signed text; empty if absent) and the files.
struct Upload {
    meta: Vec<u8>,
    files: Vec<(String, FilePart)>,
}

impl Upload {
    fn new(parts: Vec<multipart::Part>) -> Upload {
        let mut meta = Vec::new();
        let mut files = Vec::new();
        for part in parts {
            match part.into_file() {
                Ok(file) => files.push(file),
                Err(part) if part.name == "meta" => meta = part.bytes,
                Err(_) => {}
            }
        }
        Upload { meta, files }
    }

    /// A `meta.sha256` must be the SHA-256 (hex) of the `file` part.
    fn check_sha256(&self, meta: &Value) -> Result<(), String> {
        let Some(claimed) = meta.get("sha256") else {
            return Ok(());
        };
        let Some(claimed) = claimed.as_str() else {
            return Err("meta.sha256 must be a string".into());
        };
        let Some((_, file)) = self.files.iter().find(|(name, _)| name == "file") else {
            return Err("meta.sha256 is given but the upload has no `file` part".into());
        };
        let actual = sha256_hex(&file.bytes);
        if !claimed.eq_ignore_ascii_case(&actual) {
            return Err(format!(
                "meta.sha256 `{claimed}` does not match the SHA-256 of the file part `{actual}`"
            ));
        }
        Ok(())
    }
}

impl State {
    /// Lists a certificate (see `TestServer::add_certificate`) and holds its key.
    fn hold_certificate(&mut self, certificate: PlatformCertificate) {
        add_key(
            &mut self.keys,
            certificate.serial().to_owned(),
            certificate.private_key(),
            certificate.private_key_pem().to_owned(),
        );
        list_certificate(&mut self.certificates, certificate);
    }

    /// The answer of `GET /v3/certificates`: the listed certificates, each encrypted with
    /// the APIv3 key under a fresh nonce, as WeChat Pay sends them. `algorithm_type` (absent,
    /// `RSA` or `ALL`) lists them all (they are RSA); `SM2` none.
    fn certificate_answer(&mut self, url: &str) -> Response<Full<Bytes>> {
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let algorithm = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("algorithm_type="));
        let listed = match algorithm {
            None | Some("RSA") | Some("ALL") => self.certificates.clone(),
            Some("SM2") => Vec::new(),
            Some(other) => {
                return self.answer(
                    400,
                    Some(error_json(
                        "PARAM_ERROR",
                        &format!("algorithm_type `{other}` is not one of SM2, RSA, ALL"),
                    )),
                );
            }
        };
        let fault = self.certificate_misbehavior.pop_front();
        let mut data = Vec::with_capacity(listed.len());
        for certificate in &listed {
            match certificate_entry(&self.apiv3_key, certificate, fault.as_ref()) {
                Ok(entry) => data.push(entry),
                Err(e) => {
                    return self.answer(500, Some(error_json("SYSTEM_ERROR", &e.to_string())));
                }
            }
        }
        self.answer(200, Some(json!({ "data": data })))
    }

    fn next_request_id(&mut self) -> String {
        self.counter += 1;
        format!("TEST-REQUEST-{:08}", self.counter)
    }

    /// An unsigned answer of raw bytes (misbehaviours are left for the next signed answer).
    fn raw_answer(&mut self, status: u16, raw: RawAnswer) -> Response<Full<Bytes>> {
        Response::builder()
            .status(status)
            .header("Request-ID", self.next_request_id())
            .header("Content-Type", raw.content_type)
            .body(Full::new(raw.bytes))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }

    /// A signed answer (or a misbehaving one, if one is queued).
    fn answer(&mut self, status: u16, body: Option<Value>) -> Response<Full<Bytes>> {
        let request_id = self.next_request_id();
        let misbehavior = self.misbehavior.pop_front();
        match misbehavior {
            Some(Misbehavior::DropConnection) => self.drop_connection = true,
            Some(Misbehavior::Slow(delay)) => self.slow = delay,
            _ => {}
        }
        let (status, body) = match &misbehavior {
            Some(Misbehavior::Error {
                status,
                code,
                message,
            }) => (*status, Some(error_json(code, message))),
            _ => (status, body),
        };
        // A 204 carries no content whatever the route says: sign what is actually sent.
        let bytes = body
            .filter(|_| status != 204)
            .map(|b| serde_json::to_vec(&b).unwrap_or_default())
            .unwrap_or_default();
        let now = unix_now();
        let timestamp = match misbehavior {
            Some(Misbehavior::StaleTimestamp) => now - 600,
            _ => now,
        }
        .to_string();
        let nonce = nonce().unwrap_or_else(|_| "0".repeat(32));
        let signing = &self.keys[self.signing];
        let signer = match misbehavior {
            Some(Misbehavior::WrongKey) if self.keys.len() == 1 => &self.stranger,
            Some(Misbehavior::WrongKey) => {
                &*self.keys[(self.signing + 1) % self.keys.len()].private
            }
            _ => &*signing.private,
        };
        let signature = signer
            .sign(&response_message(&timestamp, &nonce, &bytes))
            .unwrap_or_default();
        let serial = match misbehavior {
            Some(Misbehavior::WrongSerial) => "UNKNOWN_SERIAL_0000000000000000".to_owned(),
            _ => signing.id.clone(),
        };
        // An empty answer (204) has no body to change on the wire: the signed nonce changes
        // instead, so the tampering is still there for the client to catch.
        let (bytes, nonce) = match misbehavior {
            Some(Misbehavior::TamperedBody) if bytes.is_empty() => (bytes, tamper_text(nonce)),
            Some(Misbehavior::TamperedBody) => (tamper(bytes), nonce),
            _ => (bytes, nonce),
        };
        let mut response = Response::builder()
            .status(status)
            .header("Request-ID", request_id);
        if !bytes.is_empty() {
            response = response.header("Content-Type", "application/json");
        }
        if misbehavior != Some(Misbehavior::Unsigned) {
            response = response
                .header("Wechatpay-Timestamp", timestamp)
                .header("Wechatpay-Nonce", nonce)
                .header("Wechatpay-Signature", signature)
                .header("Wechatpay-Serial", serial);
        }
        response
            .body(Full::new(Bytes::from(bytes)))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }
}

/// One entry of the certificate answer (see `Misbehavior` for the faults).
fn certificate_entry(
    apiv3_key: &ApiV3Key,
    certificate: &PlatformCertificate,
    fault: Option<&Misbehavior>,
) -> Result<Value, Error> {
    const ASSOCIATED_DATA: &str = "certificate";
    let nonce = nonce()?[..12].to_owned();
    let mut ciphertext = apiv3_key.encrypt(
        &nonce,
        ASSOCIATED_DATA,
        certificate.certificate_pem().as_bytes(),
    )?;
    let mut associated_data = ASSOCIATED_DATA;
    let mut serial = certificate.serial().to_owned();
    match fault {
        Some(Misbehavior::CertificateTampered) => {
            let mut bytes = BASE64.decode(&ciphertext).map_err(|_| {
                Error::crypto(
                    CryptoOperation::AesGcmDecrypt,
                    "AES-GCM ciphertext is not base64",
                )
            })?;
            if let Some(first) = bytes.first_mut() {
                *first ^= 0x01;
            }
            ciphertext = BASE64.encode(bytes);
        }
        Some(Misbehavior::CertificateWrongAssociatedData) => associated_data = "transaction",
        Some(Misbehavior::CertificateSerialMismatch) => {
            let last = if serial.ends_with('0') { '1' } else { '0' };
            serial.pop();
            serial.push(last);
        }
        _ => {}
    }
    Ok(json!({
        "serial_no": serial,
        "effective_time": rfc3339(certificate.not_before()),
        "expire_time": rfc3339(certificate.not_after()),
        "encrypt_certificate": {
            "algorithm": crate::runtime::webhook::AEAD_AES_256_GCM,
            "nonce": nonce,
            "associated_data": associated_data,
            "ciphertext": ciphertext,
        },
    }))
}

fn tamper_text(text: String) -> String {
    let mut tampered: String = text.chars().rev().collect();
    if tampered == text {
        tampered.push('0');
    }
    tampered
}

fn tamper(bytes: Vec<u8>) -> Vec<u8> {
    if bytes.len() > 2 && bytes[0] == b'{' {
        let mut out = b"{\"tampered\":true,".to_vec();
        out.extend_from_slice(&bytes[1..]);
        out
    } else {
        let mut out = bytes;
        out.extend_from_slice(b" ");
        out
    }
}
