//! APIv2 notifications (XML webhooks), independent of any web framework: hand
//! [`V2WebhookHandler::handle`] the raw body bytes and the generated notification kind; it
//! reads the XML strictly, checks `sign`, decrypts `req_info` or `event_ciphertext` and reads
//! the typed envelope and resource. Then answer with a [`V2Reply`].
//!
//! ```
//! use wechatpay_api::runtime::v2::{ApiV2Key, NotificationKind, V2Reply, V2WebhookHandler};
//! # use wechatpay_api::runtime::v2::NotificationEncryption;
//! # #[derive(Debug)] pub struct Paid { pub out_trade_no: String, pub total_fee: i64 }
//! # wechatpay_api::impl_params!(Paid { out_trade_no: "out_trade_no" required Text, total_fee: "total_fee" required Text });
//! # pub struct Nothing {}
//! # wechatpay_api::impl_params!(Nothing {});
//! # pub struct PaymentNotification;
//! # impl NotificationKind for PaymentNotification {
//! #     const EVENT_TYPES: &'static [&'static str] = &["pay-notify"];
//! #     const ENCRYPTED: Option<(&'static str, NotificationEncryption)> = None;
//! #     type Envelope = Paid;
//! #     type Resource = Nothing;
//! # }
//! # fn receive(body: &[u8]) -> Result<V2Reply, Box<dyn std::error::Error>> {
//! let handler = V2WebhookHandler::builder()
//!     .api_v2_key(ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?)
//!     .mch_id("1900000109")
//!     .build()?;
//! let reply = match handler.handle::<PaymentNotification>(body) {
//!     Ok(notification) => {
//!         println!("paid {} fen", notification.envelope.total_fee);
//!         V2Reply::success()
//!     }
//!     Err(e) => {
//!         eprintln!("refused notification: {e}");
//!         e.reply()
//!     }
//! };
//! // answer with reply.status, Content-Type: text/xml and reply.body
//! # Ok(reply) }
//! ```
//!
//! Checks, in order:
//!
//! 1. the body is a flat `<xml>` document ([`xml::parse`]: no DOCTYPE, no
//!    nesting, no duplicate elements, at most 1 MiB);
//! 2. `return_code`, when present, is `SUCCESS`;
//! 3. unless the kind is encrypted with AES-256-ECB (refund notifications carry no `sign`):
//!    `sign` is present and is the signature of the document with the APIv2 key, using the
//!    algorithm its `sign_type` (or, on the event pages, `algorithm`) names, else the
//!    handler's default (MD5 unless [`default_sign_type`](V2WebhookHandlerBuilder::default_sign_type)
//!    says otherwise). Nothing is decoded before this check;
//! 4. `mch_id` (or `combine_mch_id`) and `appid` (or `app_id`, `combine_appid`) are the
//!    configured ones, when the handler is configured with them;
//! 5. `event_type`, when present, is one of the kind's [`EVENT_TYPES`](NotificationKind::EVENT_TYPES);
//! 6. the encrypted element decrypts (the plaintext in a buffer wiped on drop);
//! 7. the document reads as the kind's `Envelope` and the plaintext as its `Resource`.
//!
//! # Refund notifications are not signed
//!
//! `req_info` is AES-256-ECB, which has no integrity check: the PKCS#7 padding and the
//! `<root>` XML document that come out are the only evidence that the sender knew the APIv2
//! key ([`V2Verification::DecryptedOnly`]). Treat a refund notification as a hint: query the
//! refund (`refundquery`) before acting on money.
//!
//! # `event_ciphertext`
//!
//! Event notifications (`TRANSACTION.SUCCESS`, …) are signed with the APIv2 key and carry an
//! AEAD_AES_256_GCM ciphertext made with the APIv3 key. As the docs' handlers do, the nonce
//! and associated data are the sibling elements of the same prefix (`event_nonce`,
//! `event_associated_data`, absent means empty) and `event_algorithm`, when present, must be
//! `AEAD_AES_256_GCM`. The docs show the plaintext as a flat `<xml>` document; that is what is
//! read.

mod error;
mod reply;

use std::fmt;

use zeroize::Zeroizing;

use super::notification::{NotificationEncryption, NotificationKind};
use super::operation::SignType;
use super::params::{FromParams, Params};
use super::req_info;
use super::sign::{self, ApiV2Key};
use super::xml;
use crate::runtime::aead::ApiV3Key;
use crate::runtime::error::Error;

pub use error::{V2DecryptError, V2FieldIssue, V2WebhookConfigError, V2WebhookError};
pub use reply::V2Reply;

/// The only `event_algorithm` of v2 event notifications.
pub const AEAD_AES_256_GCM: &str = "AEAD_AES_256_GCM";
/// The root element of the decrypted `req_info`.
pub const REQ_INFO_ROOT: &str = "root";

/// How a notification was shown to come from WeChat Pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V2Verification {
    /// Its `sign` matched, computed with this algorithm and the APIv2 key.
    Signed(SignType),
    /// It carries no `sign` (refund notifications): only the AES-256-ECB decryption with the
    /// APIv2 key succeeded, which ECB does not authenticate. Query before acting on money.
    DecryptedOnly,
}

/// A notification that passed every check: its envelope and its decrypted resource.
///
/// `Debug` shows the event type, the verification and the plaintext's length, never the
/// envelope, the resource or the plaintext.
#[non_exhaustive]
pub struct V2Notification<K: NotificationKind> {
    /// `event_type`, when the document has one.
    pub event_type: Option<String>,
    /// How the notification was authenticated.
    pub verification: V2Verification,
    /// The notification's elements.
    pub envelope: K::Envelope,
    /// The decrypted element's fields (the kind's empty struct when nothing is encrypted).
    pub resource: K::Resource,
    /// The decrypted XML text, in a buffer wiped when the notification is dropped (`None`
    /// when nothing is encrypted).
    pub plaintext: Option<Zeroizing<String>>,
}

impl<K: NotificationKind> fmt::Debug for V2Notification<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2Notification")
            .field("event_type", &self.event_type)
            .field("verification", &self.verification)
            .field("envelope", &format_args!("<redacted>"))
            .field("resource", &format_args!("<decrypted, redacted>"))
            .field(
                "plaintext",
                &format_args!(
                    "<{} bytes, redacted>",
                    self.plaintext.as_ref().map_or(0, |p| p.len())
                ),
            )
            .finish()
    }
}

/// Checks, decrypts and reads v2 notifications. Cheap to clone; share one per app.
///
/// `Debug` shows the configuration, never a key.
#[derive(Clone)]
pub struct V2WebhookHandler {
    api_v2_key: ApiV2Key,
    api_v3_key: Option<ApiV3Key>,
    mch_id: Option<String>,
    app_ids: Vec<String>,
    default_sign_type: SignType,
}

impl fmt::Debug for V2WebhookHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2WebhookHandler")
            .field("api_v2_key", &self.api_v2_key)
            .field("api_v3_key", &self.api_v3_key)
            .field("mch_id", &self.mch_id)
            .field("app_ids", &self.app_ids)
            .field("default_sign_type", &self.default_sign_type)
            .finish()
    }
}

/// Configures a [`V2WebhookHandler`].
#[derive(Default)]
#[must_use]
pub struct V2WebhookHandlerBuilder {
    api_v2_key: Option<ApiV2Key>,
    api_v3_key: Option<ApiV3Key>,
    mch_id: Option<String>,
    app_ids: Vec<String>,
    default_sign_type: Option<SignType>,
}

impl fmt::Debug for V2WebhookHandlerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2WebhookHandlerBuilder")
            .field("api_v2_key", &self.api_v2_key)
            .field("api_v3_key", &self.api_v3_key)
            .field("mch_id", &self.mch_id)
            .field("app_ids", &self.app_ids)
            .field("default_sign_type", &self.default_sign_type)
            .finish()
    }
}

impl V2WebhookHandlerBuilder {
    /// The APIv2 key (required): it checks `sign` and decrypts `req_info`.
    pub fn api_v2_key(mut self, key: ApiV2Key) -> Self {
        self.api_v2_key = Some(key);
        self
    }

    /// The APIv3 key, for notifications with an `event_ciphertext`.
    pub fn api_v3_key(mut self, key: ApiV3Key) -> Self {
        self.api_v3_key = Some(key);
        self
    }

    /// Refuses notifications whose `mch_id` (`combine_mch_id` for combined payments) is not
    /// `mch_id`, or that name none.
    pub fn mch_id(mut self, mch_id: impl Into<String>) -> Self {
        self.mch_id = Some(mch_id.into());
        self
    }

    /// Accepts notifications whose `appid` (`app_id`, `combine_appid`) is `appid`; once one
    /// is given, a notification naming another app id, or none, is refused. Call once per
    /// app id the merchant uses.
    pub fn appid(mut self, appid: impl Into<String>) -> Self {
        self.app_ids.push(appid.into());
        self
    }

    /// The signature algorithm of documents that name none in `sign_type` (MD5 by default,
    /// as the payment notifications use).
    pub fn default_sign_type(mut self, sign_type: SignType) -> Self {
        self.default_sign_type = Some(sign_type);
        self
    }

    /// The handler, or what is missing.
    pub fn build(self) -> Result<V2WebhookHandler, V2WebhookConfigError> {
        let api_v2_key = self
            .api_v2_key
            .ok_or(V2WebhookConfigError::MissingApiV2Key)?;
        if self.mch_id.as_deref() == Some("") {
            return Err(V2WebhookConfigError::EmptyId("mch_id"));
        }
        if self.app_ids.iter().any(String::is_empty) {
            return Err(V2WebhookConfigError::EmptyId("appid"));
        }
        Ok(V2WebhookHandler {
            api_v2_key,
            api_v3_key: self.api_v3_key,
            mch_id: self.mch_id,
            app_ids: self.app_ids,
            default_sign_type: self.default_sign_type.unwrap_or(SignType::Md5),
        })
    }
}

/// The elements that may name the merchant, the first present one counts.
const MCH_ID_ELEMENTS: [&str; 2] = ["mch_id", "combine_mch_id"];
/// The elements that may name the app id, the first present one counts.
const APP_ID_ELEMENTS: [&str; 3] = ["appid", "app_id", "combine_appid"];
/// The elements that may name the signature algorithm, the first present one counts.
const SIGN_TYPE_ELEMENTS: [&str; 2] = [sign::SIGN_TYPE, "algorithm"];

impl V2WebhookHandler {
    /// Configures a handler.
    pub fn builder() -> V2WebhookHandlerBuilder {
        V2WebhookHandlerBuilder::default()
    }

    /// Checks, decrypts and reads a notification of kind `K` (see the module docs for the
    /// checks and their order).
    pub fn handle<K: NotificationKind>(
        &self,
        body: impl AsRef<[u8]>,
    ) -> Result<V2Notification<K>, V2WebhookError> {
        let params = xml::parse(body.as_ref()).map_err(V2WebhookError::Xml)?;
        if let Some(code) = params.get("return_code")
            && code != "SUCCESS"
        {
            return Err(V2WebhookError::ReturnCodeFail {
                return_msg: params.get("return_msg").map(str::to_owned),
            });
        }
        let verification = match K::ENCRYPTED {
            Some((_, NotificationEncryption::AesEcb)) => V2Verification::DecryptedOnly,
            _ => {
                let sign_type = self.sign_type_of(&params)?;
                sign::verify(&params, &self.api_v2_key, sign_type)
                    .map_err(V2WebhookError::Signature)?;
                V2Verification::Signed(sign_type)
            }
        };
        self.check_ids(&params)?;
        let event_type = params.get("event_type").map(str::to_owned);
        if let Some(event_type) = &event_type
            && !K::EVENT_TYPES.contains(&event_type.as_str())
        {
            return Err(V2WebhookError::UnexpectedEventType {
                event_type: event_type.clone(),
            });
        }
        let plaintext = match K::ENCRYPTED {
            None => None,
            Some((element, NotificationEncryption::AesEcb)) => {
                Some(self.open_req_info(&params, element)?)
            }
            Some((element, NotificationEncryption::AesGcm)) => {
                Some(self.open_event_ciphertext(&params, element)?)
            }
        };
        let envelope = read::<K::Envelope>(params).map_err(V2WebhookError::Envelope)?;
        let resource_params = match (&plaintext, K::ENCRYPTED) {
            (Some(text), Some((_, NotificationEncryption::AesEcb))) => {
                xml::parse_with_root(text.as_bytes(), REQ_INFO_ROOT)
                    .map_err(V2WebhookError::ResourceXml)?
            }
            (Some(text), _) => xml::parse(text.as_bytes()).map_err(V2WebhookError::ResourceXml)?,
            (None, _) => Params::new(),
        };
        let resource = read::<K::Resource>(resource_params).map_err(V2WebhookError::Resource)?;
        Ok(V2Notification {
            event_type,
            verification,
            envelope,
            resource,
            plaintext,
        })
    }

    fn sign_type_of(&self, params: &Params) -> Result<SignType, V2WebhookError> {
        for element in SIGN_TYPE_ELEMENTS {
            if let Some(value) = params.get(element).filter(|v| !v.is_empty()) {
                return sign_type_named(value).ok_or_else(|| V2WebhookError::UnsupportedSignType {
                    element,
                    value: value.to_owned(),
                });
            }
        }
        Ok(self.default_sign_type)
    }

    fn check_ids(&self, params: &Params) -> Result<(), V2WebhookError> {
        if let Some(mch_id) = &self.mch_id {
            let named = MCH_ID_ELEMENTS.iter().find_map(|e| params.get(e));
            if named != Some(mch_id.as_str()) {
                return Err(V2WebhookError::MerchantMismatch { element: "mch_id" });
            }
        }
        if !self.app_ids.is_empty() {
            let named = APP_ID_ELEMENTS.iter().find_map(|e| params.get(e));
            if !named.is_some_and(|id| self.app_ids.iter().any(|a| a == id)) {
                return Err(V2WebhookError::MerchantMismatch { element: "appid" });
            }
        }
        Ok(())
    }

    fn open_req_info(
        &self,
        params: &Params,
        element: &'static str,
    ) -> Result<Zeroizing<String>, V2WebhookError> {
        let ciphertext = required(params, element)?;
        let plain = req_info::decrypt(&self.api_v2_key, ciphertext)
            .map_err(|e| V2WebhookError::Decrypt(V2DecryptError::ReqInfo(e)))?;
        into_text(plain)
    }

    fn open_event_ciphertext(
        &self,
        params: &Params,
        element: &'static str,
    ) -> Result<Zeroizing<String>, V2WebhookError> {
        let prefix = element.strip_suffix("ciphertext").unwrap_or("");
        let algorithm = format!("{prefix}algorithm");
        if let Some(value) = params.get(&algorithm).filter(|v| !v.is_empty())
            && value != AEAD_AES_256_GCM
        {
            return Err(V2WebhookError::UnsupportedAlgorithm {
                element: algorithm,
                value: value.to_owned(),
            });
        }
        let ciphertext = required(params, element)?;
        let nonce_element = format!("{prefix}nonce");
        let nonce = params
            .get(&nonce_element)
            .filter(|v| !v.is_empty())
            .ok_or(V2WebhookError::MissingElement(nonce_element.clone()))?;
        let associated_data = params
            .get(&format!("{prefix}associated_data"))
            .unwrap_or("");
        let key = self
            .api_v3_key
            .as_ref()
            .ok_or(V2WebhookError::MissingApiV3Key)?;
        let plain = key.open(nonce, associated_data, ciphertext).map_err(|e| {
            V2WebhookError::Decrypt(V2DecryptError::Gcm(match e {
                Error::Crypto(e) => e.message,
                _ => "AES-GCM decryption failed".to_owned(),
            }))
        })?;
        into_text(plain)
    }
}

/// `MD5` or `HMAC-SHA256` (ASCII case-insensitive).
fn sign_type_named(value: &str) -> Option<SignType> {
    [SignType::Md5, SignType::HmacSha256]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(value.trim()))
}

fn required<'p>(params: &'p Params, element: &'static str) -> Result<&'p str, V2WebhookError> {
    params
        .get(element)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| V2WebhookError::MissingElement(element.to_owned()))
}

/// The checked bytes move into the string: no copy is left behind.
fn into_text(mut plain: Zeroizing<Vec<u8>>) -> Result<Zeroizing<String>, V2WebhookError> {
    if std::str::from_utf8(&plain).is_err() {
        return Err(V2WebhookError::Decrypt(V2DecryptError::NotUtf8));
    }
    Ok(Zeroizing::new(
        String::from_utf8(std::mem::take(&mut *plain)).unwrap_or_default(),
    ))
}

fn read<T: FromParams>(params: Params) -> Result<T, V2FieldIssue> {
    params.read::<T>().map_err(|e| V2FieldIssue::of(&e))
}
