//! The HTTP connection pool clients send through, shareable between clients.
//!
//! Every [`Client`](super::Client) holds one. By default each client builds its own; build
//! one [`HttpClient`] and give it to several clients
//! ([`ClientBuilder::http_client`](super::ClientBuilder::http_client)) so that several
//! merchants (a service provider's sub-merchants, a platform's shops) share one pool of
//! connections, one proxy setting and one TLS configuration:
//!
//! ```no_run
//! # fn run(pem: &str) -> Result<(), wechatpay_api::runtime::Error> {
//! use wechatpay_api::runtime::{Client, HttpClient};
//!
//! let http = HttpClient::builder().proxy("http://proxy.internal:3128").build()?;
//! let shop_a = Client::builder()
//!     .merchant("1900000001", "SERIAL_A", pem)
//!     .wechatpay_public_key("PUB_KEY_ID_A", pem)
//!     .http_client(http.clone())
//!     .build()?;
//! let shop_b = Client::builder()
//!     .merchant("1900000002", "SERIAL_B", pem)
//!     .wechatpay_public_key("PUB_KEY_ID_B", pem)
//!     .http_client(http)
//!     .build()?;
//! # let _ = (shop_a, shop_b); Ok(()) }
//! ```
//!
//! The crate's public API names no type of its HTTP library, so that library's next major
//! version is not a breaking change of this crate. The one exception is opt-in: with the
//! `reqwest-client` feature, [`HttpClient::from_reqwest`] wraps a `reqwest::Client` you
//! built yourself (middleware-free reqwest only), and ties you to the reqwest version this
//! crate uses.
//!
//! Redirects: the pools built here never follow redirects. A `reqwest::Client` given to
//! [`HttpClient::from_reqwest`] **must be built with `redirect::Policy::none()`**: reqwest
//! follows up to 10 redirects by default, which would send the signed request (and, for 307
//! and 308, its body) to wherever a `Location` header points before the client sees the
//! answer. The client still refuses any answer that does not come from the URL it asked
//! ([`Error::Redirect`]), but by then the request has left.

use std::fmt;
use std::time::Duration;

use rustls_pki_types::pem::SectionKind;

use super::client::DEFAULT_CONNECT_TIMEOUT;
use super::client_certificate::ClientCertificate;
use super::error::{ConfigItem, Error};
use super::keys::pem_sections;

/// Settings of an [`HttpClient`] (or, with the `blocking` feature, a
/// [`BlockingHttpClient`]).
#[derive(Debug, Clone)]
#[must_use]
pub struct HttpClientBuilder {
    connect_timeout: Duration,
    proxy: Option<String>,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: Option<usize>,
    root_certificates: RootCertificates,
    client_certificate: Option<ClientCertificate>,
}

/// PEM texts of extra trusted roots (`Debug` counts them).
#[derive(Clone, Default)]
pub(crate) struct RootCertificates(pub(crate) Vec<String>);

impl fmt::Debug for RootCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} PEM text(s)", self.0.len())
    }
}

impl RootCertificates {
    /// Every certificate of every PEM text, checked to be X.509.
    fn parse(&self) -> Result<Vec<reqwest::Certificate>, Error> {
        let mut roots = Vec::new();
        for pem in &self.0 {
            let before = roots.len();
            for (kind, der) in pem_sections(pem, ConfigItem::RootCertificate)? {
                if kind != SectionKind::Certificate {
                    continue;
                }
                x509_parser::parse_x509_certificate(&der).map_err(|e| {
                    Error::config(
                        ConfigItem::RootCertificate,
                        format!("root certificate: not an X.509 certificate: {e}"),
                    )
                })?;
                let root = reqwest::Certificate::from_der(&der).map_err(|e| {
                    Error::config(
                        ConfigItem::RootCertificate,
                        format!("root certificate refused: {}", e.without_url()),
                    )
                })?;
                roots.push(root);
            }
            if roots.len() == before {
                return Err(Error::config(
                    ConfigItem::RootCertificate,
                    "root certificate: the PEM holds no `BEGIN CERTIFICATE` section",
                ));
            }
        }
        Ok(roots)
    }
}

impl Default for HttpClientBuilder {
    fn default() -> Self {
        HttpClientBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            proxy: None,
            pool_idle_timeout: None,
            pool_max_idle_per_host: None,
            root_certificates: RootCertificates::default(),
            client_certificate: None,
        }
    }
}

impl HttpClientBuilder {
    /// Time allowed to connect (DNS, TCP, TLS); default 10 s. (The whole-request timeout is
    /// each client's: [`ClientBuilder::timeout`](super::ClientBuilder::timeout).)
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sends every request through this proxy (`http://host:port`, `https://…`). Without
    /// it, the `HTTPS_PROXY`/`ALL_PROXY` environment variables apply.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// How long an idle connection is kept for reuse (default 90 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = Some(timeout);
        self
    }

    /// The most idle connections kept per host (default: no limit).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = Some(max);
        self
    }

    /// Trusts the certificates of this PEM (one or a bundle) as roots, besides the system's:
    /// for a private CA (a TLS-inspecting corporate proxy) or a test server's CA
    /// (`testing::TestServer::ca_certificate_pem`). WeChat Pay's own hosts need none.
    /// `build` fails when the PEM holds no X.509 certificate.
    pub fn add_root_certificate(mut self, pem: &str) -> Self {
        self.root_certificates.0.push(pem.to_owned());
        self
    }

    pub(crate) fn add_root_certificates(mut self, roots: &RootCertificates) -> Self {
        self.root_certificates.0.extend(roots.0.iter().cloned());
        self
    }

    /// The pool presents this certificate to servers that ask for one (mutual TLS).
    pub(crate) fn client_certificate(mut self, certificate: ClientCertificate) -> Self {
        self.client_certificate = Some(certificate);
        self
    }

    /// Builds the async pool.
    pub fn build(self) -> Result<HttpClient, Error> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .tls_certs_merge(self.root_certificates.parse()?);
        if let Some(certificate) = &self.client_certificate {
            builder = builder.identity(certificate.identity()?);
        }
        if let Some(proxy) = &self.proxy {
            builder = builder.proxy(proxy_of(proxy)?);
        }
        if let Some(timeout) = self.pool_idle_timeout {
            builder = builder.pool_idle_timeout(timeout);
        }
        if let Some(max) = self.pool_max_idle_per_host {
            builder = builder.pool_max_idle_per_host(max);
        }
        let inner = builder.build().map_err(http_client_error)?;
        Ok(HttpClient {
            inner,
            settings: Some(self),
        })
    }

    /// Builds the blocking pool. Like `reqwest::blocking`, not from inside an async runtime.
    #[cfg(feature = "blocking")]
    #[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
    pub fn build_blocking(self) -> Result<BlockingHttpClient, Error> {
        let mut builder = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            // The whole-request timeout is set on each request.
            .timeout(None)
            .tls_certs_merge(self.root_certificates.parse()?);
        if let Some(certificate) = &self.client_certificate {
            builder = builder.identity(certificate.identity()?);
        }
        if let Some(proxy) = &self.proxy {
            builder = builder.proxy(proxy_of(proxy)?);
        }
        if let Some(timeout) = self.pool_idle_timeout {
            builder = builder.pool_idle_timeout(timeout);
        }
        if let Some(max) = self.pool_max_idle_per_host {
            builder = builder.pool_max_idle_per_host(max);
        }
        let inner = builder.build().map_err(http_client_error)?;
        Ok(BlockingHttpClient {
            inner,
            settings: Some(self),
        })
    }
}

fn proxy_of(url: &str) -> Result<reqwest::Proxy, Error> {
    // The message names the proxy's host, never credentials it may carry.
    reqwest::Proxy::all(url).map_err(|_| {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        Error::config(
            ConfigItem::HttpClient,
            format!("proxy URL for host `{host}` is not usable"),
        )
    })
}

fn http_client_error(e: reqwest::Error) -> Error {
    Error::config(ConfigItem::HttpClient, format!("HTTP client: {e}"))
}

/// An async HTTP connection pool; cheap to clone, and clones share the pool. See the
/// [module docs](self).
#[derive(Clone)]
pub struct HttpClient {
    pub(crate) inner: reqwest::Client,
    /// How it was built, when this crate built it (for `Debug`).
    settings: Option<HttpClientBuilder>,
}

impl HttpClient {
    /// A pool with the default settings (10 s connect timeout, no redirects followed).
    pub fn new() -> Result<HttpClient, Error> {
        HttpClient::builder().build()
    }

    /// Settings for a pool.
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder::default()
    }

    /// How it was built, when this crate built it.
    pub(crate) fn settings(&self) -> Option<&HttpClientBuilder> {
        self.settings.as_ref()
    }

    /// Wraps a `reqwest::Client` you built (proxy, TLS roots, pool settings…). It **must not
    /// follow redirects**: build it with `.redirect(reqwest::redirect::Policy::none())` (see
    /// the [module docs](self)). Its own whole-request timeout is overridden on every request
    /// by the client's ([`ClientBuilder::timeout`](super::ClientBuilder::timeout)).
    ///
    /// This ties your code to the reqwest version this crate uses; the rest of the API does
    /// not name reqwest.
    #[cfg(feature = "reqwest-client")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest-client")))]
    pub fn from_reqwest(client: reqwest::Client) -> HttpClient {
        HttpClient {
            inner: client,
            settings: None,
        }
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.settings {
            Some(settings) => f
                .debug_struct("HttpClient")
                .field("connect_timeout", &settings.connect_timeout)
                .field("proxy", &settings.proxy.as_ref().map(|_| "<set>"))
                .field(
                    "client_certificate",
                    &settings.client_certificate.as_ref().map(|c| c.serial()),
                )
                .finish_non_exhaustive(),
            None => f.write_str("HttpClient(<reqwest::Client given by the caller>)"),
        }
    }
}

/// A blocking HTTP connection pool, for the blocking client; cheap to clone, and clones
/// share the pool.
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
#[derive(Clone)]
pub struct BlockingHttpClient {
    pub(crate) inner: reqwest::blocking::Client,
    settings: Option<HttpClientBuilder>,
}

#[cfg(feature = "blocking")]
impl BlockingHttpClient {
    /// A pool with the default settings. Not from inside an async runtime.
    pub fn new() -> Result<BlockingHttpClient, Error> {
        HttpClient::builder().build_blocking()
    }

    /// How it was built, when this crate built it.
    pub(crate) fn settings(&self) -> Option<&HttpClientBuilder> {
        self.settings.as_ref()
    }

    /// Wraps a `reqwest::blocking::Client` you built; it **must not follow redirects** (see
    /// [`HttpClient::from_reqwest`]).
    #[cfg(feature = "reqwest-client")]
    #[cfg_attr(
        docsrs,
        doc(cfg(all(feature = "blocking", feature = "reqwest-client")))
    )]
    pub fn from_reqwest(client: reqwest::blocking::Client) -> BlockingHttpClient {
        BlockingHttpClient {
            inner: client,
            settings: None,
        }
    }
}

#[cfg(feature = "blocking")]
impl fmt::Debug for BlockingHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.settings {
            Some(settings) => f
                .debug_struct("BlockingHttpClient")
                .field("connect_timeout", &settings.connect_timeout)
                .field("proxy", &settings.proxy.as_ref().map(|_| "<set>"))
                .field(
                    "client_certificate",
                    &settings.client_certificate.as_ref().map(|c| c.serial()),
                )
                .finish_non_exhaustive(),
            None => {
                f.write_str("BlockingHttpClient(<reqwest::blocking::Client given by the caller>)")
            }
        }
    }
}
