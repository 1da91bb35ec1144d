//! What the async and the blocking client share: turning a call into a signed request, reading
//! an answer's body within the size limit, and turning a raw answer into a verified, decoded
//! result. Sending is the clients' own.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::Value;

use super::client::{VerifiedResponse, reqwest_method};
use super::error::{ApiError, ConfigItem, CryptoOperation, Error, ErrorAuthenticity, RequestPart};
use super::form_data::{FormData, files_len};
use super::key_store::KeyStore;
use super::keys::MerchantPrivateKey;
use super::operation::{FilePart, HttpMethod, RequestBodyKind, ResponseBodyKind};
use super::retry::RetryPolicy;
use super::sensitive_fields::transform_fields;
use super::signing::{nonce, sign_request};
use super::verify::unix_now;

/// Characters left as they are in a path segment or query component (RFC 3986 unreserved).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!(
    env!("CARGO_PKG_NAME"),
    "/",
    env!("CARGO_PKG_VERSION"),
    " (Rust; +APIv3)"
);

/// A request ready to go on the wire: signed, fields encrypted. Built by `Call::prepare` or
/// `DynamicCall::prepare`, sent by the clients' `execute` exactly as it was signed.
///
/// It cannot be changed after signing: its parts are read-only, so the URL, headers and body
/// sent are those the signature covers, and the answer is checked the way the operation
/// says. `Debug` shows `Authorization` as `<redacted>` and the body by its length.
#[derive(Clone)]
pub struct PreparedRequest {
    method: HttpMethod,
    /// The parsed URL that is sent; `signed_url` is its path and query.
    url: reqwest::Url,
    signed_url: String,
    headers: HeaderMap,
    body: Vec<u8>,
    response_body: ResponseBodyKind,
    decrypt_response_fields: Vec<String>,
}

impl PreparedRequest {
    /// The HTTP method.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The absolute URL the request goes to (base URL or `base_uri`, path, query).
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The part of the URL the signature covers: path and `?query`.
    pub fn signed_url(&self) -> &str {
        &self.signed_url
    }

    /// The headers sent, `Authorization` among them.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body bytes sent.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// How the answer is checked and decoded.
    pub fn response_body(&self) -> ResponseBodyKind {
        self.response_body
    }

    /// Answer fields decrypted with the merchant key after verification.
    pub fn decrypt_response_fields(&self) -> &[String] {
        &self.decrypt_response_fields
    }

    /// The async request, exactly as signed, with its whole-request timeout.
    pub(crate) fn send_with(
        self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> reqwest::RequestBuilder {
        http.request(reqwest_method(self.method), self.url)
            .headers(self.headers)
            .body(self.body)
            .timeout(timeout)
    }

    /// The blocking request, exactly as signed, with its whole-request timeout.
    #[cfg(feature = "blocking")]
    pub(crate) fn send_blocking_with(
        self,
        http: &reqwest::blocking::Client,
        timeout: Duration,
    ) -> reqwest::blocking::RequestBuilder {
        http.request(reqwest_method(self.method), self.url)
            .headers(self.headers)
            .body(self.body)
            .timeout(timeout)
    }

    /// An APIv2 request: signed in its parameters, so nothing is added here.
    pub(crate) fn v2(
        method: HttpMethod,
        url: reqwest::Url,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> PreparedRequest {
        let signed_url = url.path().to_owned();
        PreparedRequest {
            method,
            url,
            signed_url,
            headers,
            body,
            response_body: ResponseBodyKind::Binary,
            decrypt_response_fields: Vec::new(),
        }
    }

    /// The parsed URL it is sent to (an answer from any other is refused).
    pub(crate) fn parsed_url(&self) -> &reqwest::Url {
        &self.url
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a HeaderMap);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (name, value) in self.0 {
                    if name == header::AUTHORIZATION {
                        map.entry(&name.as_str(), &"<redacted>");
                    } else {
                        map.entry(&name.as_str(), value);
                    }
                }
                map.finish()
            }
        }
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("signed_url", &self.signed_url)
            .field("headers", &Headers(&self.headers))
            .field("body_len", &self.body.len())
            .field("response_body", &self.response_body)
            .field("decrypt_response_fields", &self.decrypt_response_fields)
            .finish()
    }
}

/// Everything that describes one request, whether it comes from a generated operation or a
/// dynamic call.
pub(crate) struct RequestParts<'a> {
    pub method: HttpMethod,
    /// The encoded path. It may end in an already encoded `?query` when `query` is empty: a
    /// bill download keeps its URL's query exactly as WeChat Pay wrote it.
    pub path: String,
    pub base_uri: Option<&'a str>,
    pub request_body: RequestBodyKind,
    pub response_body: ResponseBodyKind,
    pub encrypted_request_fields: &'a [&'a str],
    /// Send `Wechatpay-Serial` even without encrypted fields (the docs list the header).
    pub sends_wechatpay_serial: bool,
    pub decrypt_response_fields: Vec<String>,
    /// Borrowed: each attempt of a retried call signs it anew.
    pub body: Option<&'a Value>,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    pub files: &'a [(String, FilePart)],
}

/// Credentials, keys and endpoints of one merchant.
#[derive(Debug)]
pub(crate) struct Core {
    pub mchid: String,
    pub merchant_serial: String,
    pub merchant_key: MerchantPrivateKey,
    pub keys: KeyStore,
    pub base_url: String,
    /// Where requests to `base_url` go when it cannot be reached.
    pub backup_base_url: Option<String>,
    /// Send every request to `base_url`, even those whose docs name another host.
    pub force_base_url: bool,
    /// The most bytes of an answer's body read into memory.
    pub max_response_bytes: u64,
    /// Whole-request timeout of one attempt.
    pub timeout: Duration,
    /// Which failed requests are sent again.
    pub retry: RetryPolicy,
    /// APIv2 key, app id, sign type, RSA public key.
    pub v2: super::v2::config::V2Settings,
}

/// Fills `{name}` placeholders of `template` with `args` in order, each percent-encoded as a
/// path segment.
pub(crate) fn fill_path(template: &str, args: &[String]) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    let mut args = args.iter();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            return Err(Error::request(
                RequestPart::Path,
                format!("unclosed placeholder in path `{template}`"),
            ));
        };
        out.push_str(&rest[..start]);
        let Some(arg) = args.next() else {
            return Err(Error::request(
                RequestPart::Path,
                format!(
                    "path `{template}`: no value for {}",
                    &rest[start..start + len + 1]
                ),
            ));
        };
        if arg.is_empty() {
            return Err(Error::request(
                RequestPart::Path,
                format!(
                    "path `{template}`: empty value for {}",
                    &rest[start..start + len + 1]
                ),
            ));
        }
        if is_dot_segment(arg) {
            return Err(Error::request(
                RequestPart::Path,
                format!(
                    "path `{template}`: the value for {} is `.` or `..` (or a percent-encoded form \
                 of them), which would change the path the request goes to",
                    &rest[start..start + len + 1]
                ),
            ));
        }
        out.extend(utf8_percent_encode(arg, COMPONENT));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    if args.next().is_some() {
        return Err(Error::request(
            RequestPart::Path,
            format!("path `{template}`: more values than placeholders"),
        ));
    }
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    Ok(out)
}

/// Whether a path argument is a dot segment (`.`, `..`) once percent-decoded, as often as a
/// server or proxy on the way might decode it (`%2e`, `%2E.`, `%252e%252e`…). URL parsers
/// resolve such a segment, so the request would go to another path.
fn is_dot_segment(arg: &str) -> bool {
    let mut text = std::borrow::Cow::Borrowed(arg);
    loop {
        if text == "." || text == ".." {
            return true;
        }
        let decoded = percent_decode_str(&text).decode_utf8_lossy().into_owned();
        // Each decoding that changes something shortens the text: this ends.
        if decoded == *text {
            return false;
        }
        text = std::borrow::Cow::Owned(decoded);
    }
}

/// Checks a base URL (the client's, or an operation's or a call's `base_uri`): an absolute
/// https URL of a host and port only, without path, query, fragment or credentials. Plain
/// http is accepted for loopback hosts only (127.0.0.0/8, `::1`, `localhost`: test servers).
/// Returns it without its trailing `/`, or a message naming `what` and why it is refused
/// (never the credentials a refused URL carries).
pub(crate) fn check_base_url(what: &str, text: &str) -> Result<String, String> {
    let trimmed = text.trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        format!(
            "{what} `{}` is not an absolute URL ({e})",
            text.escape_debug()
        )
    })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "{what} for host `{}` carries credentials (`user:password@`); they are not sent",
            parsed.host_str().unwrap_or_default()
        ));
    }
    if !matches!(parsed.scheme(), "http" | "https")
        || !parsed.has_host()
        || parsed.path() != "/"
        || parsed.query().is_some()
        || parsed.fragment().is_some()
    {
        return Err(format!(
            "{what} `{}` must be https://host[:port] without a path, query or fragment",
            text.escape_debug()
        ));
    }
    if parsed.scheme() == "http" && !is_loopback(&parsed) {
        return Err(format!(
            "{what} `{}` must use https: plain http is accepted only for loopback test servers \
             (127.0.0.0/8, ::1, localhost)",
            text.escape_debug()
        ));
    }
    Ok(trimmed.to_owned())
}

/// Whether the URL's host is a loopback address or `localhost`.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The placeholder names of a template, in order.
pub(crate) fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    names
}

pub(crate) fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(utf8_percent_encode(name, COMPONENT));
        out.push('=');
        out.extend(utf8_percent_encode(value, COMPONENT));
    }
    out
}

fn multipart_body(
    boundary: &str,
    meta: &[u8],
    files: &[(String, FilePart)],
) -> Result<Vec<u8>, Error> {
    let mut form = FormData::new(boundary, meta.len() + files_len(files));
    form.field("meta", Some("application/json"), meta)?;
    for (name, part) in files {
        form.file(name, part)?;
    }
    Ok(form.finish())
}

impl Core {
    /// The host a request goes to: the operation's `base_uri` (unless the base URL is
    /// forced), else the base URL, or the backup host when `backup`.
    pub(crate) fn base_for(&self, base_uri: Option<&str>, backup: bool) -> Result<String, Error> {
        Ok(match base_uri {
            Some(base_uri) if !self.force_base_url => check_base_url("base_uri", base_uri)
                .map_err(|m| Error::request(RequestPart::BaseUri, m))?,
            _ => match (&self.backup_base_url, backup) {
                (Some(backup_url), true) => backup_url.clone(),
                _ => self.base_url.clone(),
            },
        })
    }

    /// Whether a request of `parts` goes to the client's base URL, and so fails over to the
    /// backup host when one is configured.
    pub(crate) fn can_fail_over(&self, parts: &RequestParts<'_>) -> bool {
        self.fails_over(parts.base_uri)
    }

    /// Whether a request to an operation with this `base_uri` fails over to the backup host.
    pub(crate) fn fails_over(&self, base_uri: Option<&str>) -> bool {
        self.backup_base_url.is_some() && (base_uri.is_none() || self.force_base_url)
    }

    /// Encrypts, serialises and signs one request (anew for each attempt: fresh timestamp,
    /// nonce and ciphertexts). With `backup`, a request to the client's base URL goes to the
    /// backup host instead.
    pub(crate) fn prepare(
        &self,
        parts: &RequestParts<'_>,
        backup: bool,
    ) -> Result<PreparedRequest, Error> {
        let base = self.base_for(parts.base_uri, backup)?;
        // The URL is parsed once, and the signature covers the path and query of that parsed
        // URL, which is what goes on the wire: the two cannot differ.
        let mut text = base;
        text.push_str(&parts.path);
        let query = query_string(parts.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if !query.is_empty() {
            text.push('?');
            text.push_str(&query);
        }
        let url = reqwest::Url::parse(&text).map_err(|e| {
            Error::request(RequestPart::Path, format!("path `{}`: {e}", parts.path))
        })?;
        if url.fragment().is_some() {
            return Err(Error::request(
                RequestPart::Path,
                format!(
                    "path `{}` has a fragment (`#`), which is not sent",
                    parts.path
                ),
            ));
        }
        let signed_url = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };

        let mut headers = HeaderMap::with_capacity(8);
        let mut body = parts.body.map(Cow::Borrowed);
        if parts.sends_wechatpay_serial || !parts.encrypted_request_fields.is_empty() {
            let key = self.keys.encryption_key().ok_or_else(|| {
                Error::request(
                    RequestPart::EncryptionKey,
                    "this operation encrypts fields or names the WeChat Pay key in \
                     `Wechatpay-Serial`, but no WeChat Pay public key or currently valid platform \
                     certificate is configured",
                )
            })?;
            if let Some(body) = body
                .as_mut()
                .filter(|_| !parts.encrypted_request_fields.is_empty())
            {
                transform_fields(
                    body.to_mut(),
                    parts.encrypted_request_fields,
                    &mut |path, plain| {
                        key.encrypt(plain.as_bytes()).map_err(|e| match e {
                            Error::InvalidRequest(mut e) => {
                                e.message = format!("`{path}`: {}", e.message);
                                Error::InvalidRequest(e)
                            }
                            other => other,
                        })
                    },
                )?;
            }
            headers.insert(
                HeaderName::from_static("wechatpay-serial"),
                header_value(key.id())?,
            );
        }

        let (bytes, signed_body, content_type) = match (parts.request_body, body) {
            (RequestBodyKind::Multipart, body) => {
                let meta = match body {
                    Some(body) => serde_json::to_vec(&*body),
                    None => serde_json::to_vec(&Value::Object(Default::default())),
                }
                .map_err(|e| {
                    Error::request(RequestPart::Body, format!("meta does not serialise: {e}"))
                })?;
                let boundary = format!("wechatpay-rs-{}", nonce()?);
                let bytes = multipart_body(&boundary, &meta, parts.files)?;
                (
                    bytes,
                    Some(meta),
                    Some(format!("multipart/form-data; boundary={boundary}")),
                )
            }
            (_, Some(body)) if parts.method != HttpMethod::Get => {
                let bytes = serde_json::to_vec(&*body).map_err(|e| {
                    Error::request(RequestPart::Body, format!("body does not serialise: {e}"))
                })?;
                (bytes, None, Some("application/json".to_owned()))
            }
            _ => (Vec::new(), None, None),
        };

        let timestamp = unix_now();
        let nonce = nonce()?;
        let authorization = sign_request(
            &self.merchant_key,
            &self.mchid,
            &self.merchant_serial,
            parts.method.as_str(),
            &signed_url,
            timestamp,
            &nonce,
            signed_body.as_deref().unwrap_or(&bytes),
        )?;

        for (name, value) in parts.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::request(
                    RequestPart::Headers,
                    format!("invalid header name `{name}`"),
                )
            })?;
            // The runtime owns these; a caller-supplied Wechatpay-Serial would not match the
            // key that encrypted the fields.
            if name == header::AUTHORIZATION
                || name == header::CONTENT_TYPE
                || (name.as_str() == "wechatpay-serial" && headers.contains_key(&name))
            {
                continue;
            }
            headers.append(name, header_value(value)?);
        }
        headers.insert(header::AUTHORIZATION, header_value(&authorization)?);
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        if let Some(content_type) = content_type {
            headers.insert(header::CONTENT_TYPE, header_value(&content_type)?);
        }

        Ok(PreparedRequest {
            method: parts.method,
            url,
            signed_url,
            headers,
            body: bytes,
            response_body: parts.response_body,
            decrypt_response_fields: parts.decrypt_response_fields.clone(),
        })
    }

    /// Checks an answer: non-2xx becomes [`Error::Api`]; a 2xx is verified (unless it is a
    /// download).
    pub(crate) fn check(
        &self,
        kind: ResponseBodyKind,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Error> {
        if !(200..300).contains(&status) {
            return Err(api_error(&self.keys, status, headers, body));
        }
        if kind != ResponseBodyKind::Binary {
            self.keys.verify(headers, body)?;
        }
        Ok(())
    }

    /// An answer that passed [`check`](Self::check). When `decrypt_fields` are asked for, the
    /// verified bytes are parsed once and those fields decrypted in that document; the bytes
    /// themselves stay as received.
    pub(crate) fn accept(
        &self,
        kind: ResponseBodyKind,
        decrypt_fields: &[String],
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<VerifiedResponse, Error> {
        let decrypted =
            if kind == ResponseBodyKind::Json && !decrypt_fields.is_empty() && !body.is_empty() {
                let mut document: Value = serde_json::from_slice(&body)
                    .map_err(|source| Error::Decode { status, source })?;
                self.decrypt_fields(&mut document, decrypt_fields)?;
                Some(document)
            } else {
                None
            };
        Ok(VerifiedResponse {
            status,
            headers,
            body,
            decrypted,
        })
    }

    pub(crate) fn decrypt_fields<P: AsRef<str>>(
        &self,
        value: &mut Value,
        paths: &[P],
    ) -> Result<(), Error> {
        transform_fields(value, paths, &mut |path, ciphertext| {
            let plain = self.merchant_key.decrypt(ciphertext).map_err(|e| {
                Error::crypto(
                    CryptoOperation::RsaOaepDecrypt,
                    format!("response field `{path}`: {e}"),
                )
            })?;
            String::from_utf8(plain).map_err(|_| {
                Error::crypto(
                    CryptoOperation::RsaOaepDecrypt,
                    format!("response field `{path}` is not UTF-8"),
                )
            })
        })
    }

    /// RSA-OAEP with the key requests are encrypted with: (base64 ciphertext, key id).
    pub(crate) fn encrypt_field(&self, plain: &str) -> Result<(String, String), Error> {
        let key = self.keys.encryption_key().ok_or_else(|| {
            Error::config(
                ConfigItem::WechatpayKey,
                "no WeChat Pay public key or currently valid platform certificate is configured",
            )
        })?;
        Ok((key.encrypt(plain.as_bytes())?, key.id().to_owned()))
    }

    /// Decrypts one field encrypted with the merchant's public key.
    pub(crate) fn decrypt_field(&self, ciphertext_base64: &str) -> Result<String, Error> {
        let plain = self.merchant_key.decrypt(ciphertext_base64)?;
        String::from_utf8(plain).map_err(|_| {
            Error::crypto(
                CryptoOperation::RsaOaepDecrypt,
                "decrypted field is not UTF-8",
            )
        })
    }
}

/// The [`Error::Api`] for a non-2xx answer, its signature checked with `keys` when it has
/// one; or [`Error::Redirect`] for a 3xx (redirects are never followed: they would resend the
/// signed request, body and headers elsewhere).
pub(crate) fn api_error(keys: &KeyStore, status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    if (300..400).contains(&status) {
        return redirect_error(status, headers);
    }
    let request_id = headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut error = ApiError::from_response(status, request_id, body);
    error.authenticity = authenticate(keys, headers, body);
    Error::Api(Box::new(error))
}

/// Whether an error answer comes from WeChat Pay: unsigned (no `Wechatpay-*` signature header
/// at all), verified, or rejected (some header missing, unknown serial, bad signature…).
fn authenticate(keys: &KeyStore, headers: &HeaderMap, body: &[u8]) -> ErrorAuthenticity {
    const SIGNATURE_HEADERS: [&str; 4] = [
        "wechatpay-timestamp",
        "wechatpay-nonce",
        "wechatpay-signature",
        "wechatpay-serial",
    ];
    if SIGNATURE_HEADERS
        .iter()
        .all(|name| !headers.contains_key(*name))
    {
        return ErrorAuthenticity::Unsigned;
    }
    match keys.verify(headers, body) {
        Ok(()) => ErrorAuthenticity::Verified,
        Err(e) => ErrorAuthenticity::Rejected(e),
    }
}

/// The serial an answer named that the key store does not know, if that is why it was not
/// accepted (a 2xx that failed verification, or an error answer whose signature could not be
/// verified for that reason): maybe a rotated certificate, worth one refresh.
#[cfg(feature = "certificates")]
pub(crate) fn unknown_serial(error: &Error) -> Option<String> {
    match error {
        Error::Verification(super::VerifyError::UnknownSerial(serial)) => Some(serial.clone()),
        Error::Api(api) => match &api.authenticity {
            ErrorAuthenticity::Rejected(super::VerifyError::UnknownSerial(serial)) => {
                Some(serial.clone())
            }
            _ => None,
        },
        _ => None,
    }
}

/// The [`Error::Redirect`] for a 3xx answer.
pub(crate) fn redirect_error(status: u16, headers: &HeaderMap) -> Error {
    Error::Redirect {
        status,
        location: headers
            .get(header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
    }
}

/// The [`Error::Redirect`] for an answer from another URL than the one asked: an HTTP client
/// given by the caller followed a redirect. The request has left for that URL already; its
/// answer is not used.
pub(crate) fn followed_redirect(status: u16, final_url: &reqwest::Url) -> Error {
    Error::Redirect {
        status,
        location: Some(final_url.as_str().to_owned()),
    }
}

/// Reads an answer's body, at most `limit` bytes: a longer one (announced by
/// `Content-Length`, or streamed past the limit, endless or not) is
/// [`Error::ResponseTooLarge`], and reading stops there.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, Error> {
    let status = response.status().as_u16();
    let too_large = || Error::ResponseTooLarge { status, limit };
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::transport)? {
        if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// [`read_body`] for the blocking client.
#[cfg(feature = "blocking")]
pub(crate) fn read_body_blocking(
    mut response: reqwest::blocking::Response,
    limit: u64,
) -> Result<Vec<u8>, Error> {
    /// Collects up to `limit` bytes; one more is an error that stops the copy.
    struct Capped {
        body: Vec<u8>,
        limit: u64,
        exceeded: bool,
    }
    impl std::io::Write for Capped {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            if (self.body.len() as u64).saturating_add(data.len() as u64) > self.limit {
                self.exceeded = true;
                return Err(std::io::Error::other("answer body over the size limit"));
            }
            self.body.extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let status = response.status().as_u16();
    let too_large = Error::ResponseTooLarge { status, limit };
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(too_large);
    }
    let mut capped = Capped {
        body: Vec::new(),
        limit,
        exceeded: false,
    };
    let copied = response.copy_to(&mut capped);
    if capped.exceeded {
        return Err(too_large);
    }
    copied.map_err(Error::transport)?;
    Ok(capped.body)
}

pub(crate) fn header_value(text: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(text).map_err(|_| {
        Error::request(
            RequestPart::Headers,
            format!("invalid header value `{}`", text.escape_debug()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_placeholders_are_filled_in_order_and_encoded() {
        let path = fill_path(
            "/v3/cards/{card_id}/users/{code}",
            &["p/x y".to_owned(), "数".to_owned()],
        )
        .unwrap();
        assert_eq!(path, "/v3/cards/p%2Fx%20y/users/%E6%95%B0");
        assert_eq!(fill_path("v3/a", &[]).unwrap(), "/v3/a");
        assert!(matches!(
            fill_path("/v3/{a}", &[]),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            fill_path("/v3/a", &["x".to_owned()]),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            fill_path("/v3/{a", &["x".to_owned()]),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            fill_path("/v3/{a}", &[String::new()]),
            Err(Error::InvalidRequest(_))
        ));
        assert_eq!(placeholders("/v3/{a}/b/{c}"), vec!["a", "c"]);
    }

    #[test]
    fn query_is_percent_encoded() {
        assert_eq!(
            query_string([("a", "1 2"), ("b", "x,y&z")]),
            "a=1%202&b=x%2Cy%26z"
        );
    }
}
