//! The one error type of the runtime.
//!
//! Every failure is a distinct, matchable variant; none of them carries key material, and
//! their `Debug`/`Display` output never shows secrets (keys, the APIv3 key, decrypted fields).

use std::fmt;
use std::path::PathBuf;

/// Anything that can go wrong building a client, sending a call or checking an answer.
///
/// [`Error::is_retryable`] says whether sending the same request again may succeed; whether
/// that is *safe* depends on the operation (see [`RetryPolicy`](super::RetryPolicy)).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client (or test server) configuration is unusable: bad PEM, a key that is not an
    /// RSA key, a missing merchant id, an invalid base URL… [`ConfigError::item`] names what.
    Config(ConfigError),
    /// The request could not be built: a body that does not serialise, a wrong number of path
    /// arguments, a field to encrypt that is not a string or is too long, no key to encrypt
    /// with… [`RequestError::part`] names which part. Nothing was sent.
    InvalidRequest(RequestError),
    /// The HTTP exchange failed (DNS, connection, TLS, timeout, reading the body);
    /// [`TransportError::kind`] says at which stage.
    Transport(TransportError),
    /// An answer's body is longer than the client reads into memory
    /// ([`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes));
    /// reading stopped at the limit.
    ResponseTooLarge { status: u16, limit: u64 },
    /// The server answered with a redirect (3xx). Redirects are never followed: they would
    /// resend the signed request, its body and headers to wherever `Location` points. The
    /// base URL is wrong, or something on the way is not WeChat Pay.
    Redirect {
        status: u16,
        /// The `Location` header as received (not trusted, not followed).
        location: Option<String>,
    },
    /// A non-2xx answer. Check [`ApiError::is_verified`] before acting on it: an unsigned or
    /// badly signed error answer may be forged.
    Api(Box<ApiError>),
    /// A 2xx answer failed signature verification; see [`VerifyError`] for which check.
    Verification(VerifyError),
    /// A verified answer did not decode into the operation's response type.
    Decode {
        status: u16,
        source: serde_json::Error,
    },
    /// A signature, a random nonce, or an encrypted field (request or response) could not be
    /// made or opened; [`CryptoError::operation`] says which.
    Crypto(CryptoError),
    /// A bill download was refused or failed its checks; see [`BillError`].
    Bill(BillError),
    /// A platform-certificate download was refused or could not run; see [`CertificateError`].
    Certificates(CertificateError),
    /// An APIv2 answer was a failure (`return_code`, `result_code`), failed its `sign` check,
    /// or could not be read; see [`V2Error`](super::v2::V2Error).
    V2(Box<super::v2::V2Error>),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(e) => write!(f, "invalid configuration: {e}"),
            Error::InvalidRequest(e) => write!(f, "invalid request: {e}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::ResponseTooLarge { status, limit } => write!(
                f,
                "the body of the HTTP {status} answer is larger than the {limit}-byte limit \
                 (ClientBuilder::max_response_bytes); it was not read further"
            ),
            Error::Redirect { status, location } => {
                write!(f, "the server answered HTTP {status} (a redirect")?;
                match location {
                    Some(location) => write!(f, " to `{}`", shorten(location))?,
                    None => write!(f, " without Location")?,
                }
                write!(
                    f,
                    "); redirects are not followed: check the base URL or the proxy on the way"
                )
            }
            Error::Api(e) => e.fmt(f),
            Error::Verification(e) => write!(f, "response verification failed: {e}"),
            Error::Decode { status, source } => {
                write!(
                    f,
                    "verified response (HTTP {status}) did not decode: {source}"
                )
            }
            Error::Crypto(e) => write!(f, "encryption or decryption failed: {e}"),
            Error::Bill(e) => write!(f, "bill download failed: {e}"),
            Error::Certificates(e) => write!(f, "platform certificates: {e}"),
            Error::V2(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Api(e) => Some(&**e),
            Error::Verification(e) => Some(e),
            Error::Decode { source, .. } => Some(source),
            Error::Bill(e) => Some(e),
            Error::Certificates(e) => Some(e),
            Error::V2(e) => Some(&**e),
            _ => None,
        }
    }
}

impl From<super::v2::V2Error> for Error {
    fn from(e: super::v2::V2Error) -> Error {
        Error::V2(Box::new(e))
    }
}

impl From<VerifyError> for Error {
    fn from(e: VerifyError) -> Error {
        Error::Verification(e)
    }
}

impl From<CertificateError> for Error {
    fn from(e: CertificateError) -> Error {
        Error::Certificates(e)
    }
}

impl From<BillError> for Error {
    fn from(e: BillError) -> Error {
        Error::Bill(e)
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Error {
        Error::Api(Box::new(e))
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Error {
        Error::Config(e)
    }
}

impl From<RequestError> for Error {
    fn from(e: RequestError) -> Error {
        Error::InvalidRequest(e)
    }
}

impl From<CryptoError> for Error {
    fn from(e: CryptoError) -> Error {
        Error::Crypto(e)
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Error {
        Error::Transport(e)
    }
}

impl Error {
    /// An [`Error::Config`] about `item`.
    pub(crate) fn config(item: ConfigItem, message: impl Into<String>) -> Error {
        Error::Config(ConfigError {
            item,
            message: message.into(),
        })
    }

    /// An [`Error::InvalidRequest`] about `part`.
    pub(crate) fn request(part: RequestPart, message: impl Into<String>) -> Error {
        Error::InvalidRequest(RequestError {
            part,
            message: message.into(),
        })
    }

    /// An [`Error::Crypto`] of `operation`.
    pub(crate) fn crypto(operation: CryptoOperation, message: impl Into<String>) -> Error {
        Error::Crypto(CryptoError {
            operation,
            message: message.into(),
        })
    }

    /// An [`Error::Transport`] from the HTTP library's error (its URL left out).
    pub(crate) fn transport(e: reqwest::Error) -> Error {
        Error::Transport(TransportError::new(e))
    }

    /// The API error, if the answer had a non-2xx status (see [`ApiError::is_verified`]).
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(&**e),
            _ => None,
        }
    }

    /// The configuration problem, if the client (or test server) could not be built.
    pub fn as_config(&self) -> Option<&ConfigError> {
        match self {
            Error::Config(e) => Some(e),
            _ => None,
        }
    }

    /// The request problem, if the request could not be built.
    pub fn as_invalid_request(&self) -> Option<&RequestError> {
        match self {
            Error::InvalidRequest(e) => Some(e),
            _ => None,
        }
    }

    /// The transport failure, if the HTTP exchange failed.
    pub fn as_transport(&self) -> Option<&TransportError> {
        match self {
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }

    /// The cryptographic failure, if one failed.
    pub fn as_crypto(&self) -> Option<&CryptoError> {
        match self {
            Error::Crypto(e) => Some(e),
            _ => None,
        }
    }

    /// The verification failure, if the answer was rejected.
    pub fn as_verification(&self) -> Option<&VerifyError> {
        match self {
            Error::Verification(e) => Some(e),
            _ => None,
        }
    }

    /// The APIv2 answer's failure, if it was one.
    pub fn as_v2(&self) -> Option<&super::v2::V2Error> {
        match self {
            Error::V2(e) => Some(&**e),
            _ => None,
        }
    }

    /// The bill download failure, if a bill was refused.
    pub fn as_bill(&self) -> Option<&BillError> {
        match self {
            Error::Bill(e) => Some(e),
            _ => None,
        }
    }

    /// The certificate download failure, if a download was refused or could not run.
    pub fn as_certificates(&self) -> Option<&CertificateError> {
        match self {
            Error::Certificates(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the same request, sent again (signed anew), may succeed: transport failures
    /// (DNS, connect, TLS, timeouts, a connection dropped mid-answer) and error answers that
    /// say so (HTTP 5xx and 429, `SYSTEM_ERROR`, `FREQUENCY_LIMITED`, `BANKERROR`). Everything
    /// else (a bad request, a configuration problem, a rejected signature, a business error
    /// such as `ORDERPAID`) fails the same way again.
    ///
    /// This does not say it is *safe* to send again: a POST that may have reached WeChat Pay
    /// must be retried only when it is idempotent. The client's
    /// [`RetryPolicy`](super::RetryPolicy) decides both for you.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Api(api) => api.is_retryable(),
            Error::V2(v2) => v2.is_retryable(),
            Error::Bill(BillError::Read(_)) => true,
            _ => false,
        }
    }

    /// A short, fixed label of the kind of error (`transport.connect`, `api`, …), for logs
    /// and spans: never any text that came over the network or from the request.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Error::Config(_) => "config",
            Error::InvalidRequest(_) => "invalid_request",
            Error::Transport(e) => match e.kind() {
                TransportErrorKind::Connect => "transport.connect",
                TransportErrorKind::Timeout => "transport.timeout",
                TransportErrorKind::Request => "transport.request",
                TransportErrorKind::Body => "transport.body",
                TransportErrorKind::Other => "transport",
            },
            Error::ResponseTooLarge { .. } => "response_too_large",
            Error::Redirect { .. } => "redirect",
            Error::Api(_) => "api",
            Error::Verification(_) => "verification",
            Error::Decode { .. } => "decode",
            Error::Crypto(_) => "crypto",
            Error::Bill(_) => "bill",
            Error::Certificates(_) => "certificates",
            Error::V2(e) => e.label(),
        }
    }
}

/// A configuration item [`Error::Config`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigItem {
    /// No merchant was configured (`ClientBuilder::merchant`).
    Merchant,
    /// The merchant id (`mchid`).
    MerchantId,
    /// The serial of the merchant's API certificate.
    MerchantSerial,
    /// The merchant's private key PEM (`apiclient_key.pem`), or another private key PEM.
    MerchantPrivateKey,
    /// No WeChat Pay key to verify answers or encrypt fields with.
    WechatpayKey,
    /// A WeChat Pay public key (`PUB_KEY_ID_…` and its PEM).
    WechatpayPublicKey,
    /// A platform certificate PEM (malformed, expired…).
    PlatformCertificate,
    /// The APIv3 key.
    ApiV3Key,
    /// The platform-certificate refresh interval (download mode).
    CertificateRefreshInterval,
    /// The client's base URL.
    BaseUrl,
    /// The backup base URL ([`ClientBuilder::backup_base_url`](super::ClientBuilder::backup_base_url)).
    BackupBaseUrl,
    /// The HTTP client (it could not be built).
    HttpClient,
    /// The merchant's API client certificate for mutual TLS
    /// ([`ClientCertificate`](super::ClientCertificate)): unreadable, not matching its key,
    /// expired, or missing for an operation that needs it.
    ClientCertificate,
    /// A root certificate added to trust a private CA
    /// ([`ClientBuilder::add_root_certificate`](super::ClientBuilder::add_root_certificate)).
    RootCertificate,
    /// The test server (`testing`): its keys, socket or thread.
    TestServer,
    /// The APIv2 key (`ClientBuilder::api_v2_key`).
    ApiV2Key,
    /// The app id APIv2 requests carry (`ClientBuilder::app_id`).
    AppId,
    /// The RSA public key APIv2 bank transfers encrypt with (`ClientBuilder::v2_rsa_public_key`).
    V2RsaPublicKey,
}

impl fmt::Display for ConfigItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigItem::Merchant => "merchant",
            ConfigItem::MerchantId => "merchant id",
            ConfigItem::MerchantSerial => "merchant certificate serial",
            ConfigItem::MerchantPrivateKey => "private key",
            ConfigItem::WechatpayKey => "WeChat Pay key",
            ConfigItem::WechatpayPublicKey => "WeChat Pay public key",
            ConfigItem::PlatformCertificate => "platform certificate",
            ConfigItem::ApiV3Key => "APIv3 key",
            ConfigItem::CertificateRefreshInterval => "certificate refresh interval",
            ConfigItem::BaseUrl => "base URL",
            ConfigItem::BackupBaseUrl => "backup base URL",
            ConfigItem::HttpClient => "HTTP client",
            ConfigItem::ClientCertificate => "client certificate",
            ConfigItem::RootCertificate => "root certificate",
            ConfigItem::TestServer => "test server",
            ConfigItem::ApiV2Key => "APIv2 key",
            ConfigItem::AppId => "app id",
            ConfigItem::V2RsaPublicKey => "APIv2 RSA public key",
        })
    }
}

/// What is wrong with the configuration: the [`item`](Self::item) to match on, and a message
/// for people. Never holds key material.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    /// Which configuration item is wrong.
    pub item: ConfigItem,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The part of a request [`Error::InvalidRequest`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestPart {
    /// The path: a placeholder without a value (or an empty or dot-segment one), a value for
    /// no placeholder, a fragment…
    Path,
    /// The query parameters.
    Query,
    /// The request headers (a name or value that is not a valid header).
    Headers,
    /// The JSON body (or an upload's `meta`) does not serialise.
    Body,
    /// A field to encrypt: not a string, too long for RSA-OAEP, or a path that names no field.
    EncryptedField,
    /// The operation encrypts fields or names the WeChat Pay key, and no key can encrypt.
    EncryptionKey,
    /// A `base_uri` the operation or call names.
    BaseUri,
    /// A multipart upload's part name, file name or content type, or the file itself.
    File,
    /// The parameters of a front-end payment signature (`app_id`, `prepay_id`, …).
    PaymentParams,
}

impl fmt::Display for RequestPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestPart::Path => "path",
            RequestPart::Query => "query",
            RequestPart::Headers => "headers",
            RequestPart::Body => "body",
            RequestPart::EncryptedField => "encrypted field",
            RequestPart::EncryptionKey => "encryption key",
            RequestPart::BaseUri => "base_uri",
            RequestPart::File => "file",
            RequestPart::PaymentParams => "payment parameters",
        })
    }
}

/// What is wrong with a request: the [`part`](Self::part) to match on, and a message for
/// people. It never quotes a value that is encrypted before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestError {
    /// Which part of the request is invalid.
    pub part: RequestPart,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

/// The cryptographic operation [`Error::Crypto`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CryptoOperation {
    /// The system random generator (nonces).
    Random,
    /// An RSA signature (requests, payment parameters).
    Sign,
    /// RSA-OAEP encryption of a request field with a WeChat Pay key.
    RsaOaepEncrypt,
    /// RSA-OAEP decryption of an answer field with the merchant key.
    RsaOaepDecrypt,
    /// AES-256-GCM encryption with the APIv3 key.
    AesGcmEncrypt,
    /// AES-256-GCM decryption with the APIv3 key (notifications, certificates).
    AesGcmDecrypt,
    /// RSA PKCS#1 v1.5 decryption of an APIv2 answer field with the merchant key.
    RsaPkcs1Decrypt,
}

impl fmt::Display for CryptoOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CryptoOperation::Random => "random generation",
            CryptoOperation::Sign => "RSA signing",
            CryptoOperation::RsaOaepEncrypt => "RSA-OAEP encryption",
            CryptoOperation::RsaOaepDecrypt => "RSA-OAEP decryption",
            CryptoOperation::AesGcmEncrypt => "AES-GCM encryption",
            CryptoOperation::AesGcmDecrypt => "AES-GCM decryption",
            CryptoOperation::RsaPkcs1Decrypt => "RSA PKCS#1 v1.5 decryption",
        })
    }
}

/// Which cryptographic operation failed, and a message for people (never the key, the
/// plaintext or the ciphertext).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CryptoError {
    /// The operation that failed.
    pub operation: CryptoOperation,
    /// What went wrong (e.g. which answer field).
    pub message: String,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CryptoError {}

/// At which stage an HTTP exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection: DNS resolution, TCP connect, TLS handshake, or the connect timeout.
    /// Nothing of the request reached the server.
    Connect,
    /// The whole-request timeout (or the retry deadline) passed after the connection was
    /// made: the server may have received the request.
    Timeout,
    /// Sending the request or reading the answer's head failed (connection reset, closed
    /// before an answer…): the server may have received the request.
    Request,
    /// Reading the answer's body failed.
    Body,
    /// Anything else.
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "cannot connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Request => "request failed",
            TransportErrorKind::Body => "reading the answer failed",
            TransportErrorKind::Other => "HTTP error",
        })
    }
}

/// A failed HTTP exchange. It wraps the HTTP library's error without exposing its type
/// (reach it through [`std::error::Error::source`] if you must), and never holds the URL:
/// path arguments and a bill's download token stay out of logs.
pub struct TransportError {
    kind: TransportErrorKind,
    dns: bool,
    tls: Option<TlsFailure>,
    source: reqwest::Error,
}

/// How TLS failed, when it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsFailure {
    /// The server answered the handshake with an alert about the client certificate: none
    /// was presented, or it was not accepted.
    ClientCertificateRefused,
    /// Anything else of TLS (the server's certificate refused, another alert…).
    Other,
}

/// `error` as a rustls error, looking inside `io::Error`s (which hide the error they wrap
/// from `source()`, and may wrap one another).
fn rustls_error<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut error = error;
    loop {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = error.downcast_ref::<std::io::Error>()?.get_ref()?;
        error = inner;
    }
}

impl TlsFailure {
    /// The TLS failure among the causes of `error`, if any.
    fn of(error: &reqwest::Error) -> Option<TlsFailure> {
        use rustls::AlertDescription as Alert;
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = cause {
            if let Some(tls) = rustls_error(e) {
                return Some(match tls {
                    rustls::Error::AlertReceived(
                        Alert::CertificateRequired
                        | Alert::BadCertificate
                        | Alert::UnsupportedCertificate
                        | Alert::CertificateRevoked
                        | Alert::CertificateExpired
                        | Alert::CertificateUnknown
                        | Alert::UnknownCA,
                    ) => TlsFailure::ClientCertificateRefused,
                    _ => TlsFailure::Other,
                });
            }
            cause = e.source();
        }
        None
    }
}

impl TransportError {
    pub(crate) fn new(source: reqwest::Error) -> TransportError {
        let kind = if source.is_connect() {
            TransportErrorKind::Connect
        } else if source.is_timeout() {
            TransportErrorKind::Timeout
        } else if source.is_body() || source.is_decode() {
            TransportErrorKind::Body
        } else if source.is_request() {
            TransportErrorKind::Request
        } else {
            TransportErrorKind::Other
        };
        TransportError {
            kind,
            dns: source.is_dns(),
            tls: TlsFailure::of(&source),
            source: source.without_url(),
        }
    }

    /// At which stage the exchange failed.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// No connection could be made (DNS, TCP, TLS, connect timeout): nothing reached the
    /// server, so any request may be sent again.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    /// The host name did not resolve.
    pub fn is_dns(&self) -> bool {
        self.dns
    }

    /// TLS failed: the handshake (the server's certificate refused, no client certificate
    /// where the server requires one, one it does not accept…) or a TLS alert afterwards.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// The server refused the client certificate in the TLS handshake (none was presented,
    /// or it was not accepted): an operation that needs the merchant's API certificate was
    /// sent without it, or with the wrong one
    /// ([`ClientBuilder::client_certificate`](super::ClientBuilder::client_certificate)).
    pub fn is_client_certificate_refused(&self) -> bool {
        self.tls == Some(TlsFailure::ClientCertificateRefused)
    }

    /// A timeout passed (connect or whole request).
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout || self.source.is_timeout()
    }

    /// Whether the server may have received the request (all but connect failures): a
    /// non-idempotent request must then not be sent again.
    pub fn may_have_reached_server(&self) -> bool {
        !self.is_connect()
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("message", &self.to_string())
            .finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.kind)?;
        match self.tls {
            Some(TlsFailure::ClientCertificateRefused) => f.write_str(
                "TLS: the server refused the client certificate (none presented, or not                  accepted; operations that need the merchant's API certificate must be sent                  with ClientBuilder::client_certificate): ",
            )?,
            Some(TlsFailure::Other) => f.write_str("TLS: ")?,
            None => {}
        }
        write!(f, "{}", self.source)?;
        // The causes (`connection refused`, `dns error`…) are what a reader needs.
        let mut cause = std::error::Error::source(&self.source);
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A non-2xx answer: `{"code": …, "message": …, "detail": …}` plus the `Request-ID` header,
/// and whether it was shown to come from WeChat Pay ([`authenticity`](Self::authenticity)).
///
/// **An error answer that is not [verified](Self::is_verified) must not drive a decision.**
/// Anyone between the client and WeChat Pay (a hostile network, a misconfigured proxy, a
/// captive portal) can answer `404 ORDER_NOT_EXIST` or `400 PARAM_ERROR` without a
/// signature, or with one that does not verify. Re-creating an order, refunding again or
/// marking a payment failed on such an answer can pay twice or lose money: treat an
/// unverified error as "outcome unknown" (retry, or query the order again) and log it.
/// WeChat Pay signs its error answers like its other answers; when the signature headers are
/// present they are checked with the client's keys.
///
/// `Display` escapes control and bidirectional-formatting characters of the text the server
/// sent and shortens long values; the fields hold it as received.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `code`, e.g. [`ApiErrorCode::ParamError`] (`PARAM_ERROR`); codes this crate does not
    /// name are [`ApiErrorCode::Unknown`]. `None` when the body was not WeChat Pay's error
    /// JSON.
    pub code: Option<ApiErrorCode>,
    /// `message`, a human-readable explanation.
    pub message: Option<String>,
    /// `detail`, when present (field, value, issue, location…).
    pub detail: Option<serde_json::Value>,
    /// The `Request-ID` header, to quote to WeChat Pay support.
    pub request_id: Option<String>,
    /// The raw body when it was not the error JSON (truncated to 1 KiB), else `None`.
    pub raw_body: Option<String>,
    /// Whether the answer's signature verified.
    pub authenticity: ErrorAuthenticity,
}

/// Whether an error answer was shown to come from WeChat Pay; see [`ApiError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorAuthenticity {
    /// Signed by a key the client trusts, over this body, with a fresh timestamp.
    Verified,
    /// No `Wechatpay-*` signature header at all: a proxy's or gateway's answer, or a forgery.
    Unsigned,
    /// Signature headers were there but the answer failed their check (a header missing, a
    /// serial naming no trusted key, a signature that does not match the body, a stale
    /// timestamp…): tampered or forged.
    Rejected(VerifyError),
    /// Not checked: built by [`ApiError::from_response`], which sees no headers.
    NotChecked,
}

impl fmt::Display for ErrorAuthenticity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorAuthenticity::Verified => write!(f, "verified"),
            ErrorAuthenticity::Unsigned => write!(f, "unsigned"),
            ErrorAuthenticity::Rejected(e) => write!(f, "signature rejected: {e}"),
            ErrorAuthenticity::NotChecked => write!(f, "signature not checked"),
        }
    }
}

impl ApiError {
    /// Builds the error from a non-2xx answer's status, `Request-ID` and body. Its
    /// [`authenticity`](Self::authenticity) is [`ErrorAuthenticity::NotChecked`]: the clients
    /// check the signature headers and set it.
    pub fn from_response(status: u16, request_id: Option<String>, body: &[u8]) -> ApiError {
        #[derive(serde::Deserialize)]
        struct Body {
            code: Option<String>,
            message: Option<String>,
            detail: Option<serde_json::Value>,
        }
        match serde_json::from_slice::<Body>(body) {
            Ok(parsed) => ApiError {
                status,
                code: parsed.code.as_deref().map(ApiErrorCode::from),
                message: parsed.message,
                detail: parsed.detail,
                request_id,
                raw_body: None,
                authenticity: ErrorAuthenticity::NotChecked,
            },
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let mut end = text.len().min(1024);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                ApiError {
                    status,
                    code: None,
                    message: None,
                    detail: None,
                    request_id,
                    raw_body: Some(text[..end].to_owned()),
                    authenticity: ErrorAuthenticity::NotChecked,
                }
            }
        }
    }

    /// Whether the answer's signature verified: only then does it come from WeChat Pay, and
    /// only then may its `code` drive a decision.
    pub fn is_verified(&self) -> bool {
        self.authenticity == ErrorAuthenticity::Verified
    }

    /// The `code` as WeChat Pay wrote it (`"PARAM_ERROR"`), if any.
    pub fn code_str(&self) -> Option<&str> {
        self.code.as_ref().map(ApiErrorCode::as_str)
    }

    /// Whether sending the request again may succeed: HTTP 5xx or 429, or a code that says
    /// the failure is transient (`SYSTEM_ERROR`, `FREQUENCY_LIMITED`, `BANKERROR`). See
    /// [`Error::is_retryable`].
    pub fn is_retryable(&self) -> bool {
        self.status >= 500
            || self.status == 429
            || matches!(
                self.code,
                Some(
                    ApiErrorCode::SystemError
                        | ApiErrorCode::FrequencyLimited
                        | ApiErrorCode::BankError
                )
            )
    }
}

crate::string_enum! {
    /// The `code` of an error answer: the common codes of the APIv3 docs, and
    /// `Unknown(code)` for the rest (an operation's own codes, new ones). Compare with a
    /// variant (`Some(ApiErrorCode::OrderNotExist)`), or by text with
    /// [`as_str`](Self::as_str).
    ///
    /// Before acting on a code, check [`ApiError::is_verified`].
    pub enum ApiErrorCode {
        /// `PARAM_ERROR`: a parameter is missing or invalid (see `detail`).
        ParamError = "PARAM_ERROR",
        /// `INVALID_REQUEST`: the request breaks the APIv3 rules or the operation's
        /// preconditions (e.g. the same `out_trade_no` with other parameters).
        InvalidRequest = "INVALID_REQUEST",
        /// `SIGN_ERROR`: the request's signature did not verify (key, serial, clock).
        SignError = "SIGN_ERROR",
        /// `SYSTEM_ERROR`: WeChat Pay's side failed; retry with the same parameters.
        SystemError = "SYSTEM_ERROR",
        /// `FREQUENCY_LIMITED`: too many requests; slow down and retry.
        FrequencyLimited = "FREQUENCY_LIMITED",
        /// `NO_AUTH`: the merchant lacks the permission for this operation.
        NoAuth = "NO_AUTH",
        /// `NOT_ENOUGH`: the balance is not enough (refunds, transfers).
        NotEnough = "NOT_ENOUGH",
        /// `ORDER_NOT_EXIST`: no such order.
        OrderNotExist = "ORDER_NOT_EXIST",
        /// `ORDERPAID`: the order is already paid.
        OrderPaid = "ORDERPAID",
        /// `ORDER_CLOSED`: the order is closed.
        OrderClosed = "ORDER_CLOSED",
        /// `OUT_TRADE_NO_USED`: the merchant order number was used with other parameters.
        OutTradeNoUsed = "OUT_TRADE_NO_USED",
        /// `RESOURCE_NOT_EXISTS`: the resource (refund, bill, record…) does not exist.
        ResourceNotExists = "RESOURCE_NOT_EXISTS",
        /// `RESOURCE_ALREADY_EXISTS`: the resource was already created.
        ResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS",
        /// `APPID_MCHID_NOT_MATCH`: the `appid` is not bound to the `mchid`.
        AppidMchidNotMatch = "APPID_MCHID_NOT_MATCH",
        /// `MCH_NOT_EXISTS`: no such merchant.
        MchNotExists = "MCH_NOT_EXISTS",
        /// `OPENID_MISMATCH`: the `openid` does not belong to the `appid`.
        OpenidMismatch = "OPENID_MISMATCH",
        /// `RULE_LIMIT`: a business rule forbids it.
        RuleLimit = "RULE_LIMIT",
        /// `TRADE_ERROR`: the trade failed a check.
        TradeError = "TRADE_ERROR",
        /// `ACCOUNTERROR`: the account is abnormal.
        AccountError = "ACCOUNTERROR",
        /// `BANKERROR`: the bank's system failed; retry later.
        BankError = "BANKERROR",
        /// `USERPAYING`: the payer is still paying.
        UserPaying = "USERPAYING",
        /// `REQUEST_BLOCKED`: the request was blocked (refunds).
        RequestBlocked = "REQUEST_BLOCKED",
        /// `USER_ACCOUNT_ABNORMAL`: the payer's account is abnormal (refunds).
        UserAccountAbnormal = "USER_ACCOUNT_ABNORMAL",
        /// `INVALID_TRANSACTIONID`: the WeChat Pay order number is invalid.
        InvalidTransactionId = "INVALID_TRANSACTIONID",
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_verified() {
            write!(f, "WeChat Pay answered HTTP {}", self.status)?;
        } else {
            write!(
                f,
                "unverified HTTP {} answer, not shown to come from WeChat Pay ({})",
                self.status, self.authenticity
            )?;
        }
        if let Some(code) = &self.code {
            write!(f, " {}", escaped(code.as_str(), 100))?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {}", escaped(message, 500))?;
        }
        if let Some(detail) = &self.detail {
            write!(f, " (detail: {})", escaped(&detail.to_string(), 500))?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " [Request-ID {}]", escaped(request_id, 100))?;
        }
        Ok(())
    }
}

/// Text that came over the network, for display: control characters and bidirectional
/// formatting characters escaped (`\n`, `\u{1b}`, `\u{202e}`), at most `max_chars`
/// characters of it (then `…`).
pub(crate) fn escaped(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (index, c) in text.chars().enumerate() {
        if index == max_chars {
            out.push('…');
            break;
        }
        let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl std::error::Error for ApiError {}

/// Why a WeChat Pay signature (on an answer or a webhook) was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// One of `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature`,
    /// `Wechatpay-Serial` is absent (or not visible ASCII).
    MissingHeader(&'static str),
    /// `Wechatpay-Timestamp` is not a number of seconds.
    MalformedTimestamp(String),
    /// `Wechatpay-Serial` names no key this client knows (configure the WeChat Pay public
    /// key or the platform certificate it names).
    UnknownSerial(String),
    /// The signature does not match the body under the key named by the serial.
    BadSignature { serial: String },
    /// `Wechatpay-Timestamp` is further than the allowed skew (300 s) from the local clock.
    StaleTimestamp { timestamp: i64, now: i64 },
    /// The platform certificate `Wechatpay-Serial` names is outside its validity period (beyond
    /// the clock-skew allowance); it verifies nothing.
    KeyNotValid {
        serial: String,
        not_before: i64,
        not_after: i64,
        now: i64,
    },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingHeader(name) => write!(f, "missing header {name}"),
            VerifyError::MalformedTimestamp(value) => {
                write!(
                    f,
                    "Wechatpay-Timestamp `{value}` is not a number of seconds"
                )
            }
            VerifyError::UnknownSerial(serial) => {
                write!(f, "Wechatpay-Serial `{serial}` names no configured key")
            }
            VerifyError::BadSignature { serial } => {
                write!(f, "signature does not match the body (key `{serial}`)")
            }
            VerifyError::KeyNotValid {
                serial,
                not_before,
                not_after,
                now,
            } => write!(
                f,
                "platform certificate `{serial}` is valid from {not_before} to {not_after} (Unix seconds), not now ({now})"
            ),
            VerifyError::StaleTimestamp { timestamp, now } => write!(
                f,
                "Wechatpay-Timestamp {timestamp} is {} s away from the local clock ({now})",
                now.abs_diff(*timestamp)
            ),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Why a bill download was refused. Before the download: an unknown `hash_type`, a malformed
/// `hash_value` or download URL. During or after it: a corrupt gzip stream, a bill past the
/// size cap, a digest mismatch, or the destination failing.
#[derive(Debug)]
#[non_exhaustive]
pub enum BillError {
    /// `hash_type` names an algorithm this crate does not check (only `SHA1` is known).
    UnknownHashType(String),
    /// `hash_value` is not a hex digest of the length `hash_type` produces.
    MalformedHashValue(String),
    /// The download URL is unusable or points outside `/v3/billdownload/`.
    DownloadUrl(String),
    /// The compressed download is not a complete, valid gzip stream (truncated or corrupt).
    CorruptGzip(String),
    /// The uncompressed bill grew past the configured cap.
    TooLarge { limit: u64 },
    /// The uncompressed bill does not have the digest WeChat Pay announced. Everything written
    /// to the destination must be discarded.
    DigestMismatch {
        hash_type: String,
        expected: String,
        actual: String,
        bytes: u64,
    },
    /// Reading the bill from its source failed (a local source, not the network).
    Read(std::io::Error),
    /// Writing the bill to its destination failed.
    Write(std::io::Error),
    /// Creating, writing, syncing or renaming the destination file failed.
    File {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

impl fmt::Display for BillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BillError::UnknownHashType(name) => write!(
                f,
                "hash_type `{}` is not supported (only SHA1 is known); nothing was downloaded",
                shorten(name)
            ),
            BillError::MalformedHashValue(value) => write!(
                f,
                "hash_value `{}` is not a hex SHA-1 digest (40 hex digits); nothing was downloaded",
                shorten(value)
            ),
            BillError::DownloadUrl(reason) => {
                write!(f, "download URL refused: {reason}; nothing was downloaded")
            }
            BillError::CorruptGzip(reason) => write!(
                f,
                "the gzip stream is truncated or corrupt ({reason}); discard what was written"
            ),
            BillError::TooLarge { limit } => write!(
                f,
                "the uncompressed bill is larger than the {limit}-byte cap; discard what was written"
            ),
            BillError::DigestMismatch {
                hash_type,
                expected,
                actual,
                bytes,
            } => write!(
                f,
                "{hash_type} digest mismatch: expected {expected}, got {actual} over {bytes} \
                 uncompressed bytes; the bill is damaged or forged, discard what was written"
            ),
            BillError::Read(e) => write!(f, "reading the bill failed: {e}"),
            BillError::Write(e) => {
                write!(f, "writing the bill failed: {e}; discard what was written")
            }
            BillError::File {
                action,
                path,
                source,
            } => write!(f, "cannot {action} `{}`: {source}", path.display()),
        }
    }
}

impl std::error::Error for BillError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BillError::Read(e) | BillError::Write(e) | BillError::File { source: e, .. } => Some(e),
            _ => None,
        }
    }
}

/// At most 80 characters of a value that came over the network, escaped for display.
fn shorten(value: &str) -> String {
    let mut shown: String = value
        .chars()
        .take(80)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if value.chars().nth(80).is_some() {
        shown.push('…');
    }
    shown
}

/// Why a platform-certificate download was refused (nothing of it is used) or did not run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// An entry is encrypted with an algorithm other than `AEAD_AES_256_GCM`.
    Algorithm {
        serial_no: String,
        algorithm: String,
    },
    /// An entry does not decrypt with the APIv3 key (tampered ciphertext, wrong nonce or
    /// associated data, or another APIv3 key).
    Decrypt { serial_no: String },
    /// An entry's plaintext is not a usable certificate.
    Parse { serial_no: String, reason: String },
    /// An entry's `serial_no` is not the serial of the certificate it carries.
    SerialMismatch { listed: String, actual: String },
    /// A download was asked for less than a minute after the last one: for an unknown serial,
    /// after the last download for an unknown serial; for an empty store, after any download.
    RateLimited { retry_after_secs: u64 },
    /// The client was not built to download certificates, or the client is gone.
    NoDownloader,
    /// The cache directory could not be read or written.
    Cache { path: PathBuf, reason: String },
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateError::Algorithm {
                serial_no,
                algorithm,
            } => write!(
                f,
                "certificate {serial_no} is encrypted with `{}`, not AEAD_AES_256_GCM",
                shorten(algorithm)
            ),
            CertificateError::Decrypt { serial_no } => write!(
                f,
                "certificate {serial_no} does not decrypt with the APIv3 key (tampered, wrong nonce or associated data, or another key)"
            ),
            CertificateError::Parse { serial_no, reason } => {
                write!(f, "certificate {serial_no} is not usable: {reason}")
            }
            CertificateError::SerialMismatch { listed, actual } => write!(
                f,
                "serial_no {listed} does not match the certificate's own serial {actual}"
            ),
            CertificateError::RateLimited { retry_after_secs } => write!(
                f,
                "a download was asked for less than a minute after the last one; the next is possible in {retry_after_secs} s"
            ),
            CertificateError::NoDownloader => write!(
                f,
                "this key store has no certificate downloader (build the client with `download_certificates`)"
            ),
            CertificateError::Cache { path, reason } => {
                write!(f, "certificate cache {}: {reason}", path.display())
            }
        }
    }
}

impl std::error::Error for CertificateError {}
