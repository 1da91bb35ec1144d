//! The async client and its builder.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use serde_json::Value;

use super::client_certificate::ClientCertificate;
use super::core::{Core, PreparedRequest, RequestParts, fill_path};
use super::error::{ConfigItem, Error};
use super::http::{HttpClient, HttpClientBuilder, RootCertificates};
use super::key_store::KeyStore;
use super::keys::{MerchantPrivateKey, WechatpayKey};
use super::observe::{Trace, instrument};
use super::operation::{Call, Decode, HttpMethod, Operation};
use super::retry::{Attempts, RetryPolicy};

/// The production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";
/// WeChat Pay's backup API host, for [`ClientBuilder::backup_base_url`].
pub const BACKUP_BASE_URL: &str = "https://api2.mch.weixin.qq.com";
/// Default largest distance between `Wechatpay-Timestamp` and the clock.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);
/// Default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default cap on an answer's body read into memory (4 MiB); see
/// [`ClientBuilder::max_response_bytes`].
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// Configures a [`Client`] (or, with the `blocking` feature, a `blocking::Client`). Problems
/// (bad PEM, bad key) are kept and reported by `build`.
///
/// Every setter takes the builder and returns it (`Client::builder().merchant(…).timeout(…)`);
/// durations are [`Duration`]s.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    merchant: Option<(String, String, Result<MerchantPrivateKey, Error>)>,
    keys: Vec<Result<Vec<WechatpayKey>, Error>>,
    key_store: Option<KeyStore>,
    #[cfg(feature = "certificates")]
    download: Option<super::certificates::DownloadConfig>,
    /// Download-mode settings, kept apart so they may be given before `download_certificates`.
    #[cfg(feature = "certificates")]
    certificate_refresh_interval: Option<Duration>,
    #[cfg(feature = "certificates")]
    certificate_cache: Option<std::path::PathBuf>,
    base_url: String,
    backup_base_url: Option<String>,
    force_base_url: bool,
    timeout: Duration,
    connect_timeout: Duration,
    max_clock_skew: Duration,
    max_response_bytes: u64,
    retry: RetryPolicy,
    http: Option<HttpClient>,
    #[cfg(feature = "blocking")]
    blocking_http: Option<super::http::BlockingHttpClient>,
    root_certificates: RootCertificates,
    client_certificate: Option<ClientCertificate>,
    api_v2_key: Option<super::v2::ApiV2Key>,
    app_id: Option<String>,
    v2_sign_type: Option<super::v2::SignType>,
    v2_rsa_public_key: Option<Result<super::v2::V2RsaPublicKey, Error>>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            merchant: None,
            keys: Vec::new(),
            key_store: None,
            #[cfg(feature = "certificates")]
            download: None,
            #[cfg(feature = "certificates")]
            certificate_refresh_interval: None,
            #[cfg(feature = "certificates")]
            certificate_cache: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            backup_base_url: None,
            force_base_url: false,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry: RetryPolicy::default(),
            http: None,
            #[cfg(feature = "blocking")]
            blocking_http: None,
            root_certificates: RootCertificates::default(),
            client_certificate: None,
            api_v2_key: None,
            app_id: None,
            v2_sign_type: None,
            v2_rsa_public_key: None,
        }
    }
}

impl ClientBuilder {
    /// The merchant: `mchid`, the serial of its API certificate, and its private key PEM
    /// (`apiclient_key.pem`, PKCS#8 or PKCS#1). `build` refuses an `mchid` that is not ASCII
    /// digits and a serial that is not `[0-9A-Za-z_]+`: both are quoted into `Authorization`.
    pub fn merchant(
        mut self,
        mchid: impl Into<String>,
        merchant_serial: impl Into<String>,
        private_key_pem: &str,
    ) -> Self {
        self.merchant = Some((
            mchid.into(),
            merchant_serial.into(),
            MerchantPrivateKey::from_pem(private_key_pem),
        ));
        self
    }

    /// A WeChat Pay public key (`PUB_KEY_ID_…` and its PEM). May be combined with platform
    /// certificates during the migration: answers are verified by the key their serial names,
    /// and request fields are encrypted with the public key.
    pub fn wechatpay_public_key(mut self, public_key_id: impl Into<String>, pem: &str) -> Self {
        self.keys
            .push(WechatpayKey::public_key(public_key_id, pem).map(|key| vec![key]));
        self
    }

    /// Platform certificates: every certificate of the PEM (a bundle is fine), each named by
    /// its serial. A certificate outside its validity period is an error of `build`.
    pub fn platform_certificate(mut self, pem: &str) -> Self {
        self.keys.push(WechatpayKey::platform_certificates(pem));
        self
    }

    /// An already parsed WeChat Pay key.
    pub fn wechatpay_key(mut self, key: WechatpayKey) -> Self {
        self.keys.push(Ok(vec![key]));
        self
    }

    /// Uses `store` (shared with other clients and webhook handlers) for the WeChat Pay keys;
    /// keys given to this builder are added to it.
    pub fn key_store(mut self, store: KeyStore) -> Self {
        self.key_store = Some(store);
        self
    }

    /// Downloads the platform certificates instead of being given a WeChat Pay key
    /// (`GET /v3/certificates`, decrypted with the APIv3 key): the first request, or
    /// [`Client::refresh_certificates`], fills the key store, which is then kept current (see
    /// [`certificates`](super::certificates)). May be combined with given keys.
    #[cfg(feature = "certificates")]
    #[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
    pub fn download_certificates(mut self, apiv3_key: super::ApiV3Key) -> Self {
        self.download = Some(super::certificates::DownloadConfig::new(apiv3_key));
        self
    }

    /// How often downloaded certificates are refreshed (default 12 h, at least 100 ms). Download mode only
    /// (given before or after [`download_certificates`](Self::download_certificates)).
    #[cfg(feature = "certificates")]
    #[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
    pub fn certificate_refresh_interval(mut self, interval: Duration) -> Self {
        self.certificate_refresh_interval = Some(interval);
        self
    }

    /// A directory where downloaded certificates are kept (`<serial>.pem`, written atomically)
    /// and read back, each re-validated, when a client is built: a restart verifies at once.
    /// Download mode only (given before or after
    /// [`download_certificates`](Self::download_certificates)).
    #[cfg(feature = "certificates")]
    #[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
    pub fn certificate_cache(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.certificate_cache = Some(dir.into());
        self
    }

    /// The API host (default [`DEFAULT_BASE_URL`]), e.g. `http://127.0.0.1:8080` for a test
    /// server. Operations whose docs name another host (`base_uri`) still go there. It must be
    /// https (plain http only for loopback hosts: 127.0.0.0/8, `::1`, `localhost`); redirects
    /// are never followed ([`Error::Redirect`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self.force_base_url = false;
        self
    }

    /// A host to send requests to when the base URL cannot be reached (DNS, connect or TLS
    /// failure: nothing was sent), e.g. [`BACKUP_BASE_URL`] (`https://api2.mch.weixin.qq.com`),
    /// as WeChat Pay's own SDKs do. Checked like the base URL. The failover attempt is made at
    /// once, for any method, and does not count as a retry; requests whose operation names its
    /// own host (`base_uri`) never fail over. See [`retry`](super::retry).
    pub fn backup_base_url(mut self, url: impl Into<String>) -> Self {
        self.backup_base_url = Some(url.into());
        self
    }

    /// Sends every request to `url`, including operations that name another host — for
    /// loopback tests and forward proxies.
    pub fn force_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self.force_base_url = true;
        self
    }

    /// Whole-request timeout of each attempt (default 30 s), whatever HTTP client sends it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s) of the HTTP client the builder makes; an
    /// [`http_client`](Self::http_client) has its own
    /// ([`HttpClientBuilder::connect_timeout`](super::HttpClientBuilder::connect_timeout)).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest accepted distance between `Wechatpay-Timestamp` and the clock (default
    /// [`DEFAULT_MAX_CLOCK_SKEW`], 300 s; whole seconds count); it also widens certificates'
    /// validity periods for verification. It is a setting of the key store, shared with
    /// every user of it.
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// Which failed requests are sent again (default [`RetryPolicy::default`]: at most 2
    /// retries, of requests that are safe to send again). See [`retry`](super::retry).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends every request once: the same as `.retry(RetryPolicy::none())`.
    pub fn no_retries(self) -> Self {
        self.retry(RetryPolicy::none())
    }

    /// Sends through this HTTP connection pool, shared with other clients (see
    /// [`http`](super::http)), instead of one of the client's own.
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// The blocking client sends through this pool, shared with other blocking clients.
    #[cfg(feature = "blocking")]
    #[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
    pub fn blocking_http_client(mut self, http: super::http::BlockingHttpClient) -> Self {
        self.blocking_http = Some(http);
        self
    }

    /// The merchant's API client certificate, presented in the TLS handshake of the APIv2
    /// operations that require it (refunds, red packets, transfers…; the docs mark them as
    /// needing the certificate). WeChat Pay refuses those operations without it; no other
    /// request presents it.
    ///
    /// The client keeps a second connection pool for them, which carries the certificate:
    /// built like the client's own pool (the settings of a pool given to
    /// [`http_client`](Self::http_client) when this crate built it: connect timeout, proxy,
    /// idle-pool limits, root certificates; the defaults and
    /// [`connect_timeout`](Self::connect_timeout) otherwise), never following redirects.
    /// Requests through it are sent like every other: the client's
    /// [`timeout`](Self::timeout), [`max_response_bytes`](Self::max_response_bytes), retry
    /// policy and `User-Agent` apply. A pool given with `HttpClient::from_reqwest`
    /// (`reqwest-client` feature) has settings this crate cannot copy: its proxy and TLS roots
    /// are not used for the certificate pool.
    ///
    /// The certificate was checked when it was read ([`ClientCertificate::from_pem`]); `build`
    /// fails only if the TLS library refuses it. Without it, an operation that needs it fails
    /// before sending with [`Error::Config`] ([`ConfigItem::ClientCertificate`]).
    pub fn client_certificate(mut self, certificate: ClientCertificate) -> Self {
        self.client_certificate = Some(certificate);
        self
    }

    /// Trusts the certificates of this PEM (one or a bundle) as TLS roots, besides the
    /// system's, in the pools this builder makes (its own and the
    /// [`client_certificate`](Self::client_certificate) pool): for a private CA, such as a
    /// TLS-inspecting corporate proxy, or a test server's CA
    /// (`testing::TestServer::ca_certificate_pem`). WeChat Pay's own hosts need none.
    ///
    /// `build` fails when the PEM holds no X.509 certificate, and when a pool was given with
    /// [`http_client`](Self::http_client): that pool keeps its own TLS settings, so add the
    /// root there ([`HttpClientBuilder::add_root_certificate`]).
    pub fn add_root_certificate(mut self, pem: &str) -> Self {
        self.root_certificates.0.push(pem.to_owned());
        self
    }

    /// The most bytes of an answer's body read into memory (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 4 MiB): JSON answers, error answers, platform
    /// certificate downloads and files fetched by a generated download call. A longer body is
    /// [`Error::ResponseTooLarge`] and is not read further. Bill downloads stream instead and
    /// have their own optional cap (`BillFile::max_bytes`).
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The APIv2 key (`API密钥`) that signs v2 requests and verifies v2 answers. A client with
    /// one may be built without a WeChat Pay key (APIv2 only: v3 answers then fail
    /// verification).
    pub fn api_v2_key(mut self, key: super::v2::ApiV2Key) -> Self {
        self.api_v2_key = Some(key);
        self
    }

    /// The app id v2 requests carry in their app id element (`appid`, `wxappid`, `mch_appid`)
    /// when a call leaves it out.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The sign type of v2 calls that choose none (default MD5). An operation that does not
    /// allow it is signed with its own (HMAC-SHA256 for those that allow only that).
    pub fn v2_sign_type(mut self, sign_type: super::v2::SignType) -> Self {
        self.v2_sign_type = Some(sign_type);
        self
    }

    /// The RSA public key v2 bank transfers encrypt `enc_bank_no` and `enc_true_name` with:
    /// the PEM `risk/getpublickey` returns (`BEGIN RSA PUBLIC KEY`, PKCS#1) or its SPKI form
    /// (`BEGIN PUBLIC KEY`).
    pub fn v2_rsa_public_key(mut self, pem: &str) -> Self {
        self.v2_rsa_public_key = Some(super::v2::V2RsaPublicKey::from_pem(pem));
        self
    }

    pub(crate) fn core(self) -> Result<BuiltCore, Error> {
        let Some((mchid, merchant_serial, key)) = self.merchant else {
            return Err(Error::config(
                ConfigItem::Merchant,
                "no merchant configured (call `.merchant(…)`)",
            ));
        };
        // Both go into the `Authorization` header as `mchid="…"` and `serial_no="…"`: a quote,
        // comma or anything else there could add or replace parameters.
        if mchid.is_empty() || !mchid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::config(
                ConfigItem::MerchantId,
                format!(
                    "merchant id `{}` must be ASCII digits (e.g. 1900000001)",
                    mchid.escape_debug()
                ),
            ));
        }
        if merchant_serial.is_empty()
            || !merchant_serial
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(Error::config(
                ConfigItem::MerchantSerial,
                format!(
                    "merchant certificate serial `{}` must be letters, digits and `_` (the hex serial \
                 of apiclient_cert.pem)",
                    merchant_serial.escape_debug()
                ),
            ));
        }
        let merchant_key = key?;
        #[cfg(feature = "blocking")]
        let pool_given = self.http.is_some() || self.blocking_http.is_some();
        #[cfg(not(feature = "blocking"))]
        let pool_given = self.http.is_some();
        if pool_given && !self.root_certificates.0.is_empty() {
            return Err(Error::config(
                ConfigItem::RootCertificate,
                "add_root_certificate applies to the pools the builder makes, and a pool was                  given with http_client(…): add the root to that pool instead                  (HttpClientBuilder::add_root_certificate)",
            ));
        }
        let keys = self.key_store.unwrap_or_default();
        keys.set_max_skew(self.max_clock_skew);
        for bundle in self.keys {
            for key in bundle? {
                keys.add(key)?;
            }
        }
        #[cfg(feature = "certificates")]
        let download = self.download.map(|mut download| {
            if let Some(interval) = self.certificate_refresh_interval {
                download.interval = interval;
            }
            if let Some(dir) = self.certificate_cache {
                download.cache = Some(dir);
            }
            download
        });
        #[cfg(feature = "certificates")]
        let downloads = download.is_some();
        #[cfg(not(feature = "certificates"))]
        let downloads = false;
        #[cfg(feature = "certificates")]
        if let Some(download) = &download {
            if download.interval < super::certificates::MIN_REFRESH_INTERVAL {
                return Err(Error::config(
                    ConfigItem::CertificateRefreshInterval,
                    format!(
                        "certificate refresh interval {:?} is shorter than the {:?} minimum",
                        download.interval,
                        super::certificates::MIN_REFRESH_INTERVAL
                    ),
                ));
            }
            download.load_cache(&keys)?;
        }
        let v2 = super::v2::config::V2Settings {
            key: self.api_v2_key,
            app_id: self.app_id,
            sign_type: self.v2_sign_type,
            rsa_public_key: self.v2_rsa_public_key.transpose()?,
        };
        if let Some(app_id) = &v2.app_id
            && (app_id.is_empty() || !app_id.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(Error::config(
                ConfigItem::AppId,
                format!("app id `{}` must be printable ASCII", app_id.escape_debug()),
            ));
        }
        if keys.is_empty() && !downloads && v2.key.is_none() {
            return Err(Error::config(
                ConfigItem::WechatpayKey,
                "no WeChat Pay key configured: add `.wechatpay_public_key(…)` or \
                 `.platform_certificate(…)`, or `.download_certificates(…)` (answers cannot be \
                 verified without one)",
            ));
        }
        let base_url = super::core::check_base_url("base URL", &self.base_url)
            .map_err(|m| Error::config(ConfigItem::BaseUrl, m))?;
        let backup_base_url = match &self.backup_base_url {
            Some(url) => Some(
                super::core::check_base_url("backup base URL", url)
                    .map_err(|m| Error::config(ConfigItem::BackupBaseUrl, m))?,
            ),
            None => None,
        };
        Ok(BuiltCore {
            core: Arc::new(Core {
                mchid,
                merchant_serial,
                merchant_key,
                keys,
                base_url,
                backup_base_url,
                force_base_url: self.force_base_url,
                max_response_bytes: self.max_response_bytes,
                timeout: self.timeout,
                retry: self.retry,
                v2,
            }),
            connect_timeout: self.connect_timeout,
            http: self.http,
            #[cfg(feature = "blocking")]
            blocking_http: self.blocking_http,
            root_certificates: self.root_certificates,
            client_certificate: self.client_certificate,
            #[cfg(feature = "certificates")]
            download,
        })
    }

    /// Builds the async client.
    pub fn build(self) -> Result<Client, Error> {
        let built = self.core()?;
        let security_http =
            match built.security_pool(built.http.as_ref().and_then(HttpClient::settings)) {
                Some(settings) => Some(settings.build()?),
                None => None,
            };
        let http = match built.http {
            Some(http) => http,
            None => built.own_pool().build()?,
        };
        #[cfg(feature = "certificates")]
        if let Some(download) = built.download {
            super::certificates::install_async(&built.core, &http.inner, download);
        }
        Ok(Client {
            core: built.core,
            http,
            security_http,
        })
    }

    /// Builds the blocking client.
    #[cfg(feature = "blocking")]
    #[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
    pub fn build_blocking(self) -> Result<super::blocking::Client, Error> {
        super::blocking::Client::from_core(self.core()?)
    }
}

/// What the builders share: the core and the transport settings.
pub(crate) struct BuiltCore {
    pub core: Arc<Core>,
    pub connect_timeout: Duration,
    pub http: Option<HttpClient>,
    #[cfg(feature = "blocking")]
    pub blocking_http: Option<super::http::BlockingHttpClient>,
    pub root_certificates: RootCertificates,
    pub client_certificate: Option<ClientCertificate>,
    #[cfg(feature = "certificates")]
    pub download: Option<super::certificates::DownloadConfig>,
}

impl BuiltCore {
    /// The settings of a pool the builder makes.
    pub(crate) fn own_pool(&self) -> HttpClientBuilder {
        HttpClient::builder()
            .connect_timeout(self.connect_timeout)
            .add_root_certificates(&self.root_certificates)
    }

    /// The settings of the client-certificate pool, when a certificate was given: those of
    /// the pool given to the builder (`given`, when this crate built it), or of its own.
    pub(crate) fn security_pool(
        &self,
        given: Option<&HttpClientBuilder>,
    ) -> Option<HttpClientBuilder> {
        let certificate = self.client_certificate.clone()?;
        let settings = given.cloned().unwrap_or_else(|| self.own_pool());
        Some(settings.client_certificate(certificate))
    }
}

/// The error of an operation that needs the client certificate, on a client without one.
pub(crate) fn no_client_certificate() -> Error {
    Error::config(
        ConfigItem::ClientCertificate,
        "this operation needs the merchant's API client certificate (mutual TLS), and none is \
         configured: read apiclient_cert.pem and apiclient_key.pem with \
         ClientCertificate::from_pem(…) and give it to ClientBuilder::client_certificate(…)",
    )
}

/// The async WeChat Pay client. Cheap to clone (shared state behind an `Arc`).
///
/// A generated call is sent by awaiting it: `client.v3()….post(&body).await`.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) core: Arc<Core>,
    pub(crate) http: HttpClient,
    /// The pool that presents the merchant's client certificate, when one was configured.
    pub(crate) security_http: Option<HttpClient>,
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.core.mchid
    }

    /// The WeChat Pay keys this client trusts, shared with its clones; give it to a
    /// `WebhookHandler` (`WebhookHandler::builder(key).key_store(…)`) so notifications use the same, refreshed keys.
    pub fn key_store(&self) -> &KeyStore {
        &self.core.keys
    }

    /// Verifies a signed answer or webhook (headers and raw body bytes).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), Error> {
        Ok(self.core.keys.verify(headers, body)?)
    }

    /// Downloads the platform certificates now (client built with `download_certificates`),
    /// whatever the schedule says; on failure the keys in use are kept.
    #[cfg(feature = "certificates")]
    #[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
    pub async fn refresh_certificates(
        &self,
    ) -> Result<super::certificates::CertificateReport, Error> {
        let report = self
            .core
            .keys
            .refresh_async(super::certificates::Why::Explicit)
            .await?;
        Ok(report.unwrap_or_default())
    }

    /// Decrypts, in place, the fields at `paths` (same notation as
    /// [`OperationSpec::encrypted_response_fields`](super::OperationSpec)) with the merchant
    /// private key.
    pub fn decrypt_fields<P: AsRef<str>>(
        &self,
        value: &mut Value,
        paths: &[P],
    ) -> Result<(), Error> {
        self.core.decrypt_fields(value, paths)
    }

    /// Encrypts one sensitive value the docs do not mark (RSA-OAEP with the key requests are
    /// encrypted with); returns the base64 ciphertext and the key id to send in
    /// `Wechatpay-Serial`. Fields the docs mark are encrypted automatically.
    pub fn encrypt_field(&self, plain: &str) -> Result<(String, String), Error> {
        self.core.encrypt_field(plain)
    }

    /// Decrypts one RSA-OAEP field encrypted with the merchant's public key.
    pub fn decrypt_field(&self, ciphertext_base64: &str) -> Result<String, Error> {
        self.core.decrypt_field(ciphertext_base64)
    }

    /// Sends a prepared request once and returns the checked (verified, decrypted) answer. An
    /// answer signed by a serial the key store does not know triggers an on-demand certificate
    /// refresh (download mode), then the answer is checked again.
    ///
    /// It is sent exactly as it was signed, so it is never retried (a retry is signed anew):
    /// send calls (`.await`, [`Call::send`]) to have the [`RetryPolicy`] apply.
    pub async fn execute(&self, request: PreparedRequest) -> Result<VerifiedResponse, Error> {
        self.attempt(request, self.core.timeout).await
    }

    /// The pool that presents the merchant's API client certificate, for the operations
    /// that need it (APIv2 `security`); a configuration error naming how to set it up when
    /// the client has none.
    pub(crate) fn http_for_security(&self) -> Result<&HttpClient, Error> {
        self.security_http
            .as_ref()
            .ok_or_else(no_client_certificate)
    }

    /// One attempt: send, read, check.
    async fn attempt(
        &self,
        request: PreparedRequest,
        timeout: Duration,
    ) -> Result<VerifiedResponse, Error> {
        self.attempt_via(&self.http, request, timeout).await
    }

    /// One attempt through `http`: send, read, check.
    async fn attempt_via(
        &self,
        http: &HttpClient,
        request: PreparedRequest,
        timeout: Duration,
    ) -> Result<VerifiedResponse, Error> {
        let response_body = request.response_body();
        let decrypt_response_fields = request.decrypt_response_fields().to_vec();
        let sent_to = request.parsed_url().clone();
        let response = request
            .send_with(&http.inner, timeout)
            .send()
            .await
            .map_err(Error::transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        // A caller's HTTP client that followed a redirect: the answer is not WeChat Pay's.
        if *response.url() != sent_to {
            return Err(super::core::followed_redirect(status, response.url()));
        }
        let body = super::core::read_body(response, self.core.max_response_bytes).await?;
        let checked = self.core.check(response_body, status, &headers, &body);
        // An unknown serial may be a rotated certificate: refresh once, then check again. When
        // the refresh fails (logged), the answer's own error stands.
        #[cfg(feature = "certificates")]
        let checked = match checked {
            Err(error) if self.core.keys.refresh_mode() == Some(true) => {
                match super::core::unknown_serial(&error) {
                    Some(serial) => {
                        let why = super::certificates::Why::UnknownSerial(&serial);
                        match self.core.keys.refresh_async(why).await {
                            Ok(_) => self.core.check(response_body, status, &headers, &body),
                            Err(_) => Err(error),
                        }
                    }
                    None => Err(error),
                }
            }
            checked => checked,
        };
        checked?;
        self.core.accept(
            response_body,
            &decrypt_response_fields,
            status,
            headers,
            body,
        )
    }

    /// Sends a request, signed anew for each attempt, as the retry policy allows: `safe`
    /// requests may be sent again after they may have reached the server.
    pub(crate) async fn send_parts(
        &self,
        parts: &RequestParts<'_>,
        safe: bool,
        trace: &Trace,
    ) -> Result<VerifiedResponse, Error> {
        self.send_parts_via(&self.http, parts, safe, trace).await
    }

    /// [`send_parts`](Self::send_parts) through `http` (e.g. [`http_for_security`](Self::http_for_security)).
    pub(crate) async fn send_parts_via(
        &self,
        http: &HttpClient,
        parts: &RequestParts<'_>,
        safe: bool,
        trace: &Trace,
    ) -> Result<VerifiedResponse, Error> {
        let mut attempts = Attempts::new(&self.core.retry, safe, self.core.can_fail_over(parts));
        loop {
            let request = self.core.prepare(parts, attempts.on_backup())?;
            let timeout = attempts.start(self.core.timeout);
            trace.attempt();
            let error = match self.attempt_via(http, request, timeout).await {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            attempts.wait_for_next(error, trace).await?;
        }
    }

    /// Before a request: bootstraps the key store of a downloading client and starts its
    /// scheduled refresh.
    pub(crate) async fn ready(&self) -> Result<(), Error> {
        #[cfg(feature = "certificates")]
        self.core.keys.prepare_async().await?;
        Ok(())
    }
}

pub(crate) fn operation_parts<'a, C: ?Sized, O: Operation>(
    call: &'a Call<'_, C, O>,
) -> Result<RequestParts<'a>, Error> {
    if let Some(problem) = &call.invalid {
        return Err(Error::InvalidRequest(problem.clone()));
    }
    let spec = O::SPEC;
    Ok(RequestParts {
        method: spec.method,
        path: fill_path(spec.path, call.path_args.values())?,
        base_uri: spec.base_uri,
        request_body: spec.request_body,
        response_body: spec.response_body,
        encrypted_request_fields: spec.encrypted_request_fields,
        sends_wechatpay_serial: spec.sends_wechatpay_serial,
        decrypt_response_fields: if call.decrypt_response {
            spec.encrypted_response_fields
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            Vec::new()
        },
        body: call.body.as_ref(),
        query: &call.query,
        headers: &call.headers,
        files: &call.files,
    })
}

pub(crate) fn reqwest_method(method: HttpMethod) -> reqwest::Method {
    match method {
        HttpMethod::Get => reqwest::Method::GET,
        HttpMethod::Post => reqwest::Method::POST,
        HttpMethod::Put => reqwest::Method::PUT,
        HttpMethod::Patch => reqwest::Method::PATCH,
        HttpMethod::Delete => reqwest::Method::DELETE,
    }
}

/// A 2xx answer that passed verification (or a download, which WeChat Pay does not sign).
/// `Debug` shows the status, `Request-ID` and sizes only: the body and the decrypted document
/// may hold personal data.
#[derive(Clone)]
pub struct VerifiedResponse {
    /// The HTTP status.
    pub status: u16,
    /// The answer's headers.
    pub headers: HeaderMap,
    /// The body exactly as received and verified (encrypted fields still encrypted).
    pub body: Vec<u8>,
    /// When answer fields were decrypted: the JSON document of `body` with those fields in
    /// plain text. Never re-serialised: decoding reads it directly.
    pub decrypted: Option<Value>,
}

impl std::fmt::Debug for VerifiedResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedResponse")
            .field("status", &self.status)
            .field(
                "request_id",
                &self.headers.get("request-id").and_then(|v| v.to_str().ok()),
            )
            .field("body_len", &self.body.len())
            .field("decrypted", &self.decrypted.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl VerifiedResponse {
    /// The `Request-ID` header, to quote to WeChat Pay support.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// Decodes the answer as JSON (with decrypted fields, when any were decrypted).
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let decoded = match &self.decrypted {
            Some(document) => T::deserialize(document),
            None => serde_json::from_slice(&self.body),
        };
        decoded.map_err(|source| Error::Decode {
            status: self.status,
            source,
        })
    }

    /// Decodes the answer with an operation's [`Decode`].
    pub fn decode<D: Decode>(self) -> Result<D::Output, Error> {
        let status = self.status;
        D::decode(self).map_err(|source| Error::Decode { status, source })
    }
}

/// The `Request-ID` header of an answer.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// A decoded answer with what came with it (status, `Request-ID`, headers); returned by
/// `send_with_meta`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WithMeta<T> {
    /// The decoded answer.
    pub value: T,
    /// The HTTP status.
    pub status: u16,
    /// The `Request-ID` header, to quote to WeChat Pay support.
    pub request_id: Option<String>,
    /// The answer's headers.
    pub headers: HeaderMap,
}

impl<T> WithMeta<T> {
    /// Decodes `answer` with `D`, keeping its status and headers.
    pub(crate) fn decode<D: Decode<Output = T>>(
        answer: VerifiedResponse,
    ) -> Result<WithMeta<T>, Error> {
        let status = answer.status;
        let headers = answer.headers.clone();
        let request_id = request_id(&headers).map(str::to_owned);
        Ok(WithMeta {
            value: answer.decode::<D>()?,
            status,
            request_id,
            headers,
        })
    }

    /// The decoded answer alone.
    pub fn into_value(self) -> T {
        self.value
    }
}

impl<O: Operation> Call<'_, Client, O> {
    /// Encrypts, serialises and signs the request without sending it.
    pub fn prepare(self) -> Result<PreparedRequest, Error> {
        let parts = operation_parts(&self)?;
        self.client.core.prepare(&parts, false)
    }

    /// Sends the call (with the client's retry policy) and decodes the answer; the same as
    /// awaiting it.
    pub async fn send(self) -> Result<<O::Response as Decode>::Output, Error> {
        let trace = Trace::start(O::SPEC.method, O::SPEC.path);
        let result = instrument(self.send_traced(&trace), &trace).await;
        let result = result.and_then(|answer| {
            let status = answer.status;
            let request_id = request_id(&answer.headers).map(str::to_owned);
            answer
                .decode::<O::Response>()
                .map(|value| (value, status, request_id))
        });
        match result {
            Ok((value, status, request_id)) => {
                trace.finish_ok(status, request_id.as_deref());
                Ok(value)
            }
            Err(error) => {
                trace.finish_err(&error);
                Err(error)
            }
        }
    }

    /// Sends the call like [`send`](Self::send) and returns the decoded answer with its
    /// status, `Request-ID` and headers.
    pub async fn send_with_meta(self) -> Result<WithMeta<<O::Response as Decode>::Output>, Error> {
        let trace = Trace::start(O::SPEC.method, O::SPEC.path);
        let result = instrument(self.send_traced(&trace), &trace)
            .await
            .and_then(WithMeta::decode::<O::Response>);
        match &result {
            Ok(meta) => trace.finish_ok(meta.status, meta.request_id.as_deref()),
            Err(error) => trace.finish_err(error),
        }
        result
    }

    async fn send_traced(self, trace: &Trace) -> Result<VerifiedResponse, Error> {
        let client = self.client;
        client.ready().await?;
        let safe = self.is_idempotent();
        let parts = operation_parts(&self)?;
        client.send_parts(&parts, safe, trace).await
    }
}

impl<'c, O: Operation + 'c> IntoFuture for Call<'c, Client, O>
where
    <O::Response as Decode>::Output: 'c,
{
    type Output = Result<<O::Response as Decode>::Output, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
