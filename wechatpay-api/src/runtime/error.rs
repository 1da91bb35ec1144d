//! The one error type of the runtime.
//!
//! Every failure is a distinct, matchable variant; none of them carries key material, and
//! their `Debug`/`Display` output never shows secrets (keys, the APIv3 key, decrypted fields).

use std::fmt;
use std::path::PathBuf;

/// Anything that can go wrong building a client, sending a call or checking an answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client (or test server) configuration is unusable: bad PEM, a key that is not an
    /// RSA key, a missing merchant id, an invalid base URL…
    Config(String),
    /// The request could not be built: a body that does not serialise, a wrong number of path
    /// arguments, a field to encrypt that is not a string or is too long, no key to encrypt
    /// with…
    InvalidRequest(String),
    /// The HTTP exchange failed (connection, TLS, timeout, reading the body).
    Transport(reqwest::Error),
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
    /// An encrypted field (request or response) could not be encrypted/decrypted.
    Crypto(String),
    /// A bill download was refused or failed its checks; see [`BillError`].
    Bill(BillError),
    /// A platform-certificate download was refused or could not run; see [`CertificateError`].
    Certificates(CertificateError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(message) => write!(f, "invalid configuration: {message}"),
            Error::InvalidRequest(message) => write!(f, "invalid request: {message}"),
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
            Error::Crypto(message) => write!(f, "encryption or decryption failed: {message}"),
            Error::Bill(e) => write!(f, "bill download failed: {e}"),
            Error::Certificates(e) => write!(f, "platform certificates: {e}"),
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
            _ => None,
        }
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

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Error {
        // reqwest errors may carry the URL; ours never hold secrets in the URL.
        Error::Transport(e)
    }
}

impl Error {
    /// The API error, if the answer had a non-2xx status (see [`ApiError::is_verified`]).
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(&**e),
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
    /// `code`, e.g. `PARAM_ERROR`; `None` when the body was not WeChat Pay's error JSON.
    pub code: Option<String>,
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
                code: parsed.code,
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
            write!(f, " {}", escaped(code, 100))?;
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
fn escaped(text: &str, max_chars: usize) -> String {
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
