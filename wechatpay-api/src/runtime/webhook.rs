//! Webhook notifications, independent of any web framework: hand [`WebhookHandler`] the
//! request headers and the raw body bytes; it verifies the signature, decrypts `resource` and
//! decodes it. Then answer WeChat Pay with a [`Reply`].
//!
//! ```no_run
//! use wechatpay_api::runtime::webhook::{Reply, WebhookHandler};
//! use wechatpay_api::runtime::ApiV3Key;
//!
//! # fn receive(headers: &[(&str, &str)], body: &[u8]) -> Result<(), wechatpay_api::runtime::Error> {
//! # let pem = "";
//! let handler = WebhookHandler::builder(ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb")?)
//!     .wechatpay_public_key("PUB_KEY_ID_0114232134912410000000000000", pem)
//!     .build()?;
//! // `headers`: an `http::HeaderMap`, a slice or Vec of (name, value) pairs, a HashMap…
//! let reply = match handler.handle(headers, body) {
//!     Ok(notification) => {
//!         println!("{} {}", notification.event_type, notification.resource["out_trade_no"]);
//!         Reply::success()
//!     }
//!     Err(e) => {
//!         eprintln!("rejected notification: {e}");
//!         e.reply()
//!     }
//! };
//! // send reply.status with reply.body (Content-Type: application/json) back
//! # Ok(()) }
//! ```
//!
//! Checks, in order: `Wechatpay-Signature-Type` (when present) is `WECHATPAY2-SHA256-RSA2048`;
//! the signature over `Wechatpay-Timestamp\nWechatpay-Nonce\nBODY\n` verifies with the key
//! `Wechatpay-Serial` names (WeChat Pay public key or platform certificate, both at once during
//! a migration); the timestamp is within 300 s of the local clock; the body is the JSON
//! envelope; `resource` is `AEAD_AES_256_GCM` and opens with the APIv3 key, its `nonce` and
//! `associated_data`. Each failure is a distinct [`WebhookError`]; none panics. WeChat Pay's
//! signature probes (`WECHATPAY/SIGNTEST/…`) fail as [`VerifyError::BadSignature`], which is
//! what they expect.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;

use std::time::Duration;

use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use super::aead::ApiV3Key;
use super::error::{Error, VerifyError};
use super::key_store::KeyStore;
use super::keys::WechatpayKey;
use super::verify::{SignatureHeaders, unix_now};

/// The only `resource.algorithm` of APIv3 notifications.
pub const AEAD_AES_256_GCM: &str = "AEAD_AES_256_GCM";
/// The only `Wechatpay-Signature-Type` of APIv3.
pub const SIGNATURE_TYPE: &str = "WECHATPAY2-SHA256-RSA2048";

/// Anything that can look up a request header by name, case-insensitively: an
/// `http::HeaderMap` (axum, hyper, actix's `http` types…), a slice, array or `Vec` of
/// `(name, value)` pairs, a `HashMap` or `BTreeMap` of names to values.
pub trait HeaderSource {
    /// The first value of the header `name` (ASCII case-insensitive).
    fn header(&self, name: &str) -> Option<&str>;
}

impl HeaderSource for HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderSource for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> HeaderSource for [(K, V); N] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderSource for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, S: BuildHasher> HeaderSource for HashMap<K, V, S> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderSource for BTreeMap<K, V> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    fn header(&self, name: &str) -> Option<&str> {
        (**self).header(name)
    }
}

/// A resource type decoded from a notification's plaintext, given its `event_type`: the
/// generated `webhook::Event` enums implement it (unknown event types kept, not errors), and so
/// does [`serde_json::Value`]. For a plain `Deserialize` type use [`WebhookHandler::handle_as`].
pub trait FromResource: Sized {
    /// Decodes the plaintext of `resource.ciphertext` of an `event_type` notification.
    fn from_resource(event_type: &str, plaintext: &[u8]) -> Result<Self, serde_json::Error>;
}

impl FromResource for Value {
    fn from_resource(_event_type: &str, plaintext: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(plaintext)
    }
}

/// A verified, decrypted notification: the envelope WeChat Pay posted and the decoded resource.
///
/// `Debug` shows the envelope (id, event type, serial, …) and the plaintext's length, never the
/// decrypted resource or plaintext.
#[derive(Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Notification<R = Value> {
    /// `id`: the notification's unique id (the same notification may arrive several times).
    pub id: String,
    /// `create_time`, as sent (RFC 3339).
    pub create_time: String,
    /// `event_type`, e.g. `TRANSACTION.SUCCESS`.
    pub event_type: String,
    /// `resource_type`, e.g. `encrypt-resource`.
    pub resource_type: String,
    /// `summary`, e.g. `支付成功`.
    pub summary: String,
    /// `resource.original_type`, e.g. `transaction`, when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
    /// The decrypted, decoded `resource.ciphertext`.
    pub resource: R,
    /// `Wechatpay-Serial`: the key that verified the signature.
    pub serial: String,
    /// `Wechatpay-Timestamp` (Unix seconds).
    pub timestamp: i64,
    /// `Request-ID`, when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The decrypted plaintext, exactly as it came out of AES-GCM (JSON text), in a buffer
    /// wiped when the notification is dropped.
    #[serde(skip)]
    pub plaintext: Zeroizing<String>,
}

impl<R> fmt::Debug for Notification<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("create_time", &self.create_time)
            .field("event_type", &self.event_type)
            .field("resource_type", &self.resource_type)
            .field("summary", &self.summary)
            .field("original_type", &self.original_type)
            .field("resource", &format_args!("<decrypted, redacted>"))
            .field("serial", &self.serial)
            .field("timestamp", &self.timestamp)
            .field("request_id", &self.request_id)
            .field(
                "plaintext",
                &format_args!("<{} bytes, redacted>", self.plaintext.len()),
            )
            .finish()
    }
}

impl<R> Notification<R> {
    /// Decodes the plaintext again as `T` (e.g. after receiving it as [`Value`]).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, WebhookError> {
        serde_json::from_str(&self.plaintext).map_err(|source| WebhookError::Resource {
            event_type: self.event_type.clone(),
            source,
        })
    }

    /// Decodes the plaintext as a [`FromResource`] type, e.g. a generated `webhook::Event`.
    pub fn event<E: FromResource>(&self) -> Result<E, WebhookError> {
        E::from_resource(&self.event_type, self.plaintext.as_bytes()).map_err(|source| {
            WebhookError::Resource {
                event_type: self.event_type.clone(),
                source,
            }
        })
    }

    /// The same notification with another resource.
    pub fn map<T>(self, f: impl FnOnce(R) -> T) -> Notification<T> {
        Notification {
            id: self.id,
            create_time: self.create_time,
            event_type: self.event_type,
            resource_type: self.resource_type,
            summary: self.summary,
            original_type: self.original_type,
            resource: f(self.resource),
            serial: self.serial,
            timestamp: self.timestamp,
            request_id: self.request_id,
            plaintext: self.plaintext,
        }
    }
}

/// Why a notification was rejected. Neither `Display` nor `Debug` shows key material or
/// decrypted data.
#[non_exhaustive]
pub enum WebhookError {
    /// The signature check failed: a missing `Wechatpay-*` header, an unknown
    /// `Wechatpay-Serial`, a signature that does not match the body (forged or tampered), or a
    /// timestamp more than 300 s away (stale or replayed).
    Signature(VerifyError),
    /// `Wechatpay-Signature-Type` names an algorithm other than `WECHATPAY2-SHA256-RSA2048`.
    UnsupportedSignatureType(String),
    /// The (authentic) body is not the notification envelope: not JSON, or `id`, `event_type`,
    /// `resource.ciphertext`, `resource.nonce` or `resource.algorithm` missing.
    MalformedEnvelope(String),
    /// `resource.algorithm` is not `AEAD_AES_256_GCM`.
    UnsupportedAlgorithm(String),
    /// `resource` does not decrypt: wrong APIv3 key, a ciphertext, nonce or associated data
    /// that is not what was encrypted (the GCM tag does not match), bad base64 or nonce length.
    Decrypt(String),
    /// The plaintext does not decode as the requested resource type. `source` may quote
    /// decrypted data; it is not shown by `Display`.
    Resource {
        event_type: String,
        source: serde_json::Error,
    },
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::Signature(e) => write!(f, "notification signature rejected: {e}"),
            WebhookError::UnsupportedSignatureType(t) => {
                write!(f, "unsupported Wechatpay-Signature-Type `{t}`")
            }
            WebhookError::MalformedEnvelope(m) => write!(f, "malformed notification: {m}"),
            WebhookError::UnsupportedAlgorithm(a) => {
                write!(
                    f,
                    "unsupported resource algorithm `{a}` (expected {AEAD_AES_256_GCM})"
                )
            }
            WebhookError::Decrypt(m) => write!(f, "notification resource does not decrypt: {m}"),
            WebhookError::Resource { event_type, source } => write!(
                f,
                "the decrypted `{event_type}` resource does not decode ({:?} error at line {} column {})",
                source.classify(),
                source.line(),
                source.column()
            ),
        }
    }
}

/// By hand: `serde_json::Error`'s own `Debug` quotes the value that failed to decode, here
/// decrypted data; only its category and position are shown.
impl fmt::Debug for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::Signature(e) => f.debug_tuple("Signature").field(e).finish(),
            WebhookError::UnsupportedSignatureType(t) => {
                f.debug_tuple("UnsupportedSignatureType").field(t).finish()
            }
            WebhookError::MalformedEnvelope(m) => {
                f.debug_tuple("MalformedEnvelope").field(m).finish()
            }
            WebhookError::UnsupportedAlgorithm(a) => {
                f.debug_tuple("UnsupportedAlgorithm").field(a).finish()
            }
            WebhookError::Decrypt(m) => f.debug_tuple("Decrypt").field(m).finish(),
            WebhookError::Resource { event_type, source } => f
                .debug_struct("Resource")
                .field("event_type", event_type)
                .field(
                    "source",
                    &format_args!(
                        "{:?} error at line {} column {} (message redacted)",
                        source.classify(),
                        source.line(),
                        source.column()
                    ),
                )
                .finish(),
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::Signature(e) => Some(e),
            _ => None,
        }
    }
}

impl From<VerifyError> for WebhookError {
    fn from(e: VerifyError) -> WebhookError {
        WebhookError::Signature(e)
    }
}

impl WebhookError {
    /// The signature failure, if that is why the notification was rejected.
    pub fn as_verification(&self) -> Option<&VerifyError> {
        match self {
            WebhookError::Signature(e) => Some(e),
            _ => None,
        }
    }

    /// The failure reply to send back: 401 for signature failures, 400 for a malformed
    /// notification, 500 when it could not be decrypted or decoded here (WeChat Pay retries any
    /// non-2xx reply, so fix the key or the type and the notification comes again).
    pub fn reply(&self) -> Reply {
        match self {
            WebhookError::Signature(_) | WebhookError::UnsupportedSignatureType(_) => {
                Reply::failure(401, "signature verification failed")
            }
            WebhookError::MalformedEnvelope(_) | WebhookError::UnsupportedAlgorithm(_) => {
                Reply::failure(400, "malformed notification")
            }
            WebhookError::Decrypt(_) => Reply::failure(500, "resource decryption failed"),
            WebhookError::Resource { .. } => Reply::failure(500, "resource not understood"),
        }
    }
}

/// The answer WeChat Pay expects (`应答规范`): a 2xx status means received (no body needed;
/// [`Reply::success`] sends `{"code":"SUCCESS","message":"成功"}` for older integrations);
/// anything else means failed, with `{"code":"FAIL","message":"…"}`, and the notification is
/// sent again later (15s/15s/30s/3m/10m/… for 24 h).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status to answer with.
    pub status: u16,
    /// The JSON body, if any (send it as `Content-Type: application/json`).
    pub body: Option<String>,
}

impl Reply {
    /// The `Content-Type` of a reply body.
    pub const CONTENT_TYPE: &'static str = "application/json";

    /// `200 {"code":"SUCCESS","message":"成功"}`: received and handled.
    pub fn success() -> Reply {
        Reply {
            status: 200,
            body: Some(r#"{"code":"SUCCESS","message":"成功"}"#.to_owned()),
        }
    }

    /// `204` with no body: received and handled.
    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
        }
    }

    /// `status` (4XX or 5XX; anything else becomes 500) with `{"code":"FAIL","message":…}`:
    /// WeChat Pay will send the notification again.
    pub fn failure(status: u16, message: &str) -> Reply {
        let status = if (400..600).contains(&status) {
            status
        } else {
            500
        };
        Reply {
            status,
            body: Some(serde_json::json!({"code": "FAIL", "message": message}).to_string()),
        }
    }

    /// True for 2xx replies.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The posted JSON envelope (the fields the handler needs; others are ignored).
#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(default)]
    create_time: String,
    event_type: String,
    #[serde(default)]
    resource_type: String,
    #[serde(default)]
    summary: String,
    resource: EncryptedResource,
}

#[derive(Deserialize)]
struct EncryptedResource {
    algorithm: String,
    ciphertext: String,
    nonce: String,
    #[serde(default)]
    associated_data: Option<String>,
    #[serde(default)]
    original_type: Option<String>,
}

/// Verifies, decrypts and decodes notifications. Cheap to clone; share one per app.
#[derive(Debug, Clone)]
pub struct WebhookHandler {
    keys: KeyStore,
    apiv3_key: ApiV3Key,
}

/// Configures a [`WebhookHandler`]: the WeChat Pay keys it trusts (its own, or a client's
/// [`KeyStore`]). Problems (bad PEM, expired certificate) are kept and reported by
/// [`build`](Self::build), as [`ClientBuilder`](super::ClientBuilder) does.
#[derive(Debug)]
#[must_use]
pub struct WebhookHandlerBuilder {
    apiv3_key: ApiV3Key,
    key_store: Option<KeyStore>,
    keys: Vec<Result<Vec<WechatpayKey>, Error>>,
    max_clock_skew: Option<Duration>,
}

impl WebhookHandlerBuilder {
    /// Uses `store` (e.g. `client.key_store().clone()`) for the WeChat Pay keys: the handler
    /// sees every key the client has, including refreshed certificates, and a notification
    /// naming an unknown serial triggers the client's on-demand refresh: for a blocking
    /// client, inside the synchronous `handle*` methods (the `*_async` ones, which run inside
    /// an async runtime, do not download through it); for an async client, through the
    /// `*_async` methods. Keys given to this builder are added to it.
    pub fn key_store(mut self, store: KeyStore) -> Self {
        self.key_store = Some(store);
        self
    }

    /// Trusts a WeChat Pay public key: its id (`PUB_KEY_ID_…`) and `BEGIN PUBLIC KEY` PEM.
    pub fn wechatpay_public_key(mut self, id: &str, pem: &str) -> Self {
        self.keys
            .push(WechatpayKey::public_key(id, pem).map(|key| vec![key]));
        self
    }

    /// Trusts platform certificates: every certificate of the PEM, each named by its serial;
    /// one outside its validity period is an error of [`build`](Self::build).
    pub fn platform_certificate(mut self, pem: &str) -> Self {
        self.keys.push(WechatpayKey::platform_certificates(pem));
        self
    }

    /// Trusts an already parsed key (a certificate must be within its validity period).
    pub fn wechatpay_key(mut self, key: WechatpayKey) -> Self {
        self.keys.push(Ok(vec![key]));
        self
    }

    /// The allowed distance between `Wechatpay-Timestamp` and the clock (default 300 s). It
    /// is a setting of the key store: every user of a shared store sees it.
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = Some(skew);
        self
    }

    /// The handler, or the first problem with a key.
    pub fn build(self) -> Result<WebhookHandler, Error> {
        let keys = self.key_store.unwrap_or_default();
        if let Some(skew) = self.max_clock_skew {
            keys.set_max_skew(skew);
        }
        for bundle in self.keys {
            for key in bundle? {
                keys.add(key)?;
            }
        }
        Ok(WebhookHandler {
            keys,
            apiv3_key: self.apiv3_key,
        })
    }
}

impl WebhookHandler {
    /// A handler with the APIv3 key and an empty key store of its own: it trusts no WeChat
    /// Pay key until one is added to [`key_store`](Self::key_store). Most handlers are built
    /// with [`builder`](Self::builder).
    pub fn new(apiv3_key: ApiV3Key) -> WebhookHandler {
        WebhookHandler {
            keys: KeyStore::new(),
            apiv3_key,
        }
    }

    /// Configures a handler: the keys it trusts, or a client's key store to share.
    pub fn builder(apiv3_key: ApiV3Key) -> WebhookHandlerBuilder {
        WebhookHandlerBuilder {
            apiv3_key,
            key_store: None,
            keys: Vec::new(),
            max_clock_skew: None,
        }
    }

    /// The keys this handler trusts.
    pub fn key_store(&self) -> &KeyStore {
        &self.keys
    }

    /// Verifies and decrypts; the resource as JSON.
    pub fn handle(
        &self,
        headers: &(impl HeaderSource + ?Sized),
        body: impl AsRef<[u8]>,
    ) -> Result<Notification<Value>, WebhookError> {
        self.handle_event::<Value>(headers, body)
    }

    /// Verifies and decrypts; the resource decoded as `T`.
    pub fn handle_as<T: DeserializeOwned>(
        &self,
        headers: &(impl HeaderSource + ?Sized),
        body: impl AsRef<[u8]>,
    ) -> Result<Notification<T>, WebhookError> {
        let notification = self.open(headers, body.as_ref(), unix_now(), BLOCKING_REFRESH)?;
        let resource = notification.decode::<T>()?;
        Ok(notification.map(|()| resource))
    }

    /// Verifies and decrypts; the resource as a [`FromResource`] type chosen by `event_type`,
    /// e.g. a generated `webhook::Event` (unknown event types are kept, not errors).
    pub fn handle_event<E: FromResource>(
        &self,
        headers: &(impl HeaderSource + ?Sized),
        body: impl AsRef<[u8]>,
    ) -> Result<Notification<E>, WebhookError> {
        self.handle_event_at(headers, body, unix_now())
    }

    /// [`handle_event`](Self::handle_event) against an explicit clock (Unix seconds), e.g. to
    /// re-check a stored notification.
    pub fn handle_event_at<E: FromResource>(
        &self,
        headers: &(impl HeaderSource + ?Sized),
        body: impl AsRef<[u8]>,
        now: i64,
    ) -> Result<Notification<E>, WebhookError> {
        let notification = self.open(headers, body.as_ref(), now, BLOCKING_REFRESH)?;
        let resource = notification.event::<E>()?;
        Ok(notification.map(|()| resource))
    }

    /// [`handle`](Self::handle) for a handler sharing an async client's key store: a
    /// notification naming a serial the store does not know (a rotated certificate) waits for
    /// the client's on-demand refresh, then is checked again.
    #[cfg(feature = "certificates")]
    #[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
    pub async fn handle_async(
        &self,
        headers: &(impl HeaderSource + ?Sized),
        body: impl AsRef<[u8]>,
    ) -> Result<Notification<Value>, WebhookError> {
        self.handle_event_async::<Value>(headers, body).await
    }

    /// [`handle_as`](Self::handle_as) with the on-demand refresh of [`handle_async`](Self::handle_async).
    #[cfg(feature = "certificates")]
    #[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
    pub async fn handle_as_async<T: DeserializeOwned>(
        &self,
        headers: &(impl HeaderSource + ?Sized),
        body: impl AsRef<[u8]>,
    ) -> Result<Notification<T>, WebhookError> {
        self.refresh_for(headers).await;
        let notification = self.open(headers, body.as_ref(), unix_now(), NO_BLOCKING_REFRESH)?;
        let resource = notification.decode::<T>()?;
        Ok(notification.map(|()| resource))
    }

    /// [`handle_event`](Self::handle_event) with the on-demand refresh of
    /// [`handle_async`](Self::handle_async).
    #[cfg(feature = "certificates")]
    #[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
    pub async fn handle_event_async<E: FromResource>(
        &self,
        headers: &(impl HeaderSource + ?Sized),
        body: impl AsRef<[u8]>,
    ) -> Result<Notification<E>, WebhookError> {
        self.refresh_for(headers).await;
        let notification = self.open(headers, body.as_ref(), unix_now(), NO_BLOCKING_REFRESH)?;
        let resource = notification.event::<E>()?;
        Ok(notification.map(|()| resource))
    }

    /// When the notification names a serial the store does not know and the store refreshes
    /// through an async client: one (single-flight, rate-limited) refresh. Its failure is
    /// logged by the refresher; the check that follows reports the unknown serial. A
    /// notification refused before its key is looked up (another signature type, a missing
    /// signature header) causes no refresh, as with a blocking client's store.
    #[cfg(feature = "certificates")]
    async fn refresh_for<H: HeaderSource + ?Sized>(&self, headers: &H) {
        if self.keys.refresh_mode() != Some(true) || check_signature_type(headers).is_err() {
            return;
        }
        let Ok(parts) = signature_headers(headers) else {
            return;
        };
        if !self.keys.knows(parts.serial) {
            let why = super::certificates::Why::UnknownSerial(parts.serial);
            let _ = self.keys.refresh_async(why).await;
        }
    }

    /// Verifies the signature, reads the envelope and decrypts the resource. With
    /// `blocking_refresh` (the synchronous handlers), an unknown serial in a blocking client's
    /// store is refreshed here; the async handlers never do, since they run inside an async
    /// runtime where the blocking client cannot be used.
    fn open<H: HeaderSource + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: i64,
        blocking_refresh: bool,
    ) -> Result<Notification<()>, WebhookError> {
        check_signature_type(headers)?;
        let parts = signature_headers(headers)?;
        let verdict = self.keys.verify_parts(&parts, body, now);
        #[cfg(not(feature = "certificates"))]
        let _ = blocking_refresh;
        #[cfg(feature = "certificates")]
        let verdict = match verdict {
            Err(VerifyError::UnknownSerial(serial))
                if blocking_refresh && self.keys.refresh_mode() == Some(false) =>
            {
                let why = super::certificates::Why::UnknownSerial(&serial);
                match self.keys.refresh_blocking(why) {
                    Ok(_) => self.keys.verify_parts(&parts, body, now),
                    Err(_) => Err(VerifyError::UnknownSerial(serial)),
                }
            }
            verdict => verdict,
        };
        verdict?;
        self.decrypt(headers, &parts, body)
    }

    /// Reads the envelope of a verified notification and decrypts its resource.
    fn decrypt<H: HeaderSource + ?Sized>(
        &self,
        headers: &H,
        parts: &SignatureHeaders<'_>,
        body: &[u8],
    ) -> Result<Notification<()>, WebhookError> {
        let timestamp = parts.timestamp.parse().map_err(|_| {
            WebhookError::Signature(VerifyError::MalformedTimestamp(parts.timestamp.to_owned()))
        })?;

        let envelope: Envelope = serde_json::from_slice(body).map_err(|e| {
            WebhookError::MalformedEnvelope(format!("the body is not a notification envelope: {e}"))
        })?;
        let resource = envelope.resource;
        if resource.algorithm != AEAD_AES_256_GCM {
            return Err(WebhookError::UnsupportedAlgorithm(resource.algorithm));
        }
        let mut plaintext = self
            .apiv3_key
            .open(
                &resource.nonce,
                resource.associated_data.as_deref().unwrap_or(""),
                &resource.ciphertext,
            )
            .map_err(|e| {
                WebhookError::Decrypt(match e {
                    Error::Crypto(e) => e.message,
                    other => other.to_string(),
                })
            })?;
        if std::str::from_utf8(&plaintext).is_err() {
            return Err(WebhookError::Decrypt(
                "the decrypted resource is not UTF-8 text".to_owned(),
            ));
        }
        // The checked bytes move into the string: no copy is left behind.
        let plaintext =
            Zeroizing::new(String::from_utf8(std::mem::take(&mut *plaintext)).unwrap_or_default());
        Ok(Notification {
            id: envelope.id,
            create_time: envelope.create_time,
            event_type: envelope.event_type,
            resource_type: envelope.resource_type,
            summary: envelope.summary,
            original_type: resource.original_type,
            resource: (),
            serial: parts.serial.to_owned(),
            timestamp,
            request_id: headers
                .header("Request-ID")
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
            plaintext,
        })
    }
}

/// `open` from a synchronous handler: it may refresh a blocking client's store.
const BLOCKING_REFRESH: bool = true;
/// `open` from an async handler: it never blocks.
#[cfg(feature = "certificates")]
const NO_BLOCKING_REFRESH: bool = false;

/// `Wechatpay-Signature-Type`, when present, must be the one of APIv3.
fn check_signature_type<H: HeaderSource + ?Sized>(headers: &H) -> Result<(), WebhookError> {
    match headers.header("Wechatpay-Signature-Type").map(str::trim) {
        Some(kind) if !kind.is_empty() && kind != SIGNATURE_TYPE => {
            Err(WebhookError::UnsupportedSignatureType(kind.to_owned()))
        }
        _ => Ok(()),
    }
}

fn signature_headers<H: HeaderSource + ?Sized>(
    headers: &H,
) -> Result<SignatureHeaders<'_>, VerifyError> {
    let get = |name: &'static str| {
        headers
            .header(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(VerifyError::MissingHeader(name))
    };
    Ok(SignatureHeaders {
        timestamp: get("Wechatpay-Timestamp")?,
        nonce: get("Wechatpay-Nonce")?,
        signature: get("Wechatpay-Signature")?,
        serial: get("Wechatpay-Serial")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_sources_are_case_insensitive() {
        let pairs = [("wechatpay-serial", "A"), ("Request-ID", "r")];
        assert_eq!(pairs.header("Wechatpay-Serial"), Some("A"));
        assert_eq!(pairs.as_slice().header("request-id"), Some("r"));
        let map: HashMap<String, String> = [("WECHATPAY-NONCE".to_owned(), "n".to_owned())].into();
        assert_eq!(map.header("Wechatpay-Nonce"), Some("n"));
        let mut headers = HeaderMap::new();
        headers.insert("wechatpay-timestamp", "1".parse().unwrap());
        assert_eq!(headers.header("Wechatpay-Timestamp"), Some("1"));
        assert_eq!(headers.header("Wechatpay-Nonce"), None);
    }

    #[test]
    fn missing_headers_are_named() {
        let headers = [("Wechatpay-Timestamp", "1"), ("Wechatpay-Nonce", " ")];
        assert_eq!(
            signature_headers(&headers[..]).unwrap_err(),
            VerifyError::MissingHeader("Wechatpay-Nonce")
        );
    }

    #[test]
    fn replies() {
        assert_eq!(Reply::success().status, 200);
        assert_eq!(
            Reply::success().body.as_deref(),
            Some(r#"{"code":"SUCCESS","message":"成功"}"#)
        );
        assert!(Reply::no_content().is_success() && Reply::no_content().body.is_none());
        let failure = Reply::failure(302, "x");
        assert_eq!(failure.status, 500);
        assert_eq!(
            failure.body.as_deref(),
            Some(r#"{"code":"FAIL","message":"x"}"#)
        );
        assert!(!failure.is_success());
    }
}
