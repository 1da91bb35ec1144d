//! Why a v2 notification was refused. Neither `Display` nor `Debug` shows a value of the
//! notification (decrypted or not) or a key: only element names, lengths and fixed texts.

use std::fmt;

use super::super::req_info::ReqInfoError;
use super::super::sign::SignatureError;
use super::super::xml::XmlError;
use super::reply::V2Reply;
use crate::fields::FieldError;

/// The longest hostile text (an unknown `sign_type`, an `event_type`) an error repeats.
const MAX_QUOTED_CHARS: usize = 40;

/// Why a notification was refused by [`V2WebhookHandler::handle`](super::V2WebhookHandler::handle).
#[non_exhaustive]
pub enum V2WebhookError {
    /// The body is not a flat XML document (position and element named, no value).
    Xml(XmlError),
    /// `return_code` is not `SUCCESS`: WeChat Pay reports a failure, the document carries no
    /// result. `return_msg` is unauthenticated text; it is kept here for deliberate use and
    /// shown by neither `Display` nor `Debug`.
    ReturnCodeFail { return_msg: Option<String> },
    /// `sign_type` (or `algorithm`) names no signature algorithm this crate knows.
    UnsupportedSignType {
        element: &'static str,
        value: String,
    },
    /// The `sign` is missing or does not match the document (forged, tampered, or another
    /// APIv2 key). Nothing of the document was decoded.
    Signature(SignatureError),
    /// The document names another merchant (or app id) than the handler is configured for,
    /// or does not name one.
    MerchantMismatch { element: &'static str },
    /// `event_type` is not one of the notification kind's event types.
    UnexpectedEventType { event_type: String },
    /// An element the protocol needs is missing or empty (`req_info`, `event_nonce`, …).
    MissingElement(String),
    /// `event_algorithm` is not `AEAD_AES_256_GCM`.
    UnsupportedAlgorithm { element: String, value: String },
    /// The notification is encrypted with the APIv3 key and the handler has none.
    MissingApiV3Key,
    /// The encrypted element does not decrypt.
    Decrypt(V2DecryptError),
    /// The decrypted plaintext is not the expected XML document (not XML, another root, …).
    /// The error names positions and elements only.
    ResourceXml(XmlError),
    /// The (authentic) document does not read as the envelope type.
    Envelope(V2FieldIssue),
    /// The decrypted document does not read as the resource type.
    Resource(V2FieldIssue),
}

/// Why an encrypted element did not decrypt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum V2DecryptError {
    /// `req_info` (AES-256-ECB): bad base64, length or padding.
    ReqInfo(ReqInfoError),
    /// `event_ciphertext` (AES-256-GCM): bad base64 or nonce, or the tag does not match (wrong
    /// APIv3 key, changed ciphertext, nonce or associated data). A fixed text.
    Gcm(String),
    /// The plaintext is not UTF-8.
    NotUtf8,
}

impl fmt::Display for V2DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            V2DecryptError::ReqInfo(e) => e.fmt(f),
            V2DecryptError::Gcm(m) => f.write_str(m),
            V2DecryptError::NotUtf8 => f.write_str("the plaintext is not UTF-8 text"),
        }
    }
}

/// An element that did not read as its field: its name (and path inside JSON text) and
/// whether it was missing. The reader's message, which may quote the value, is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2FieldIssue {
    /// The element (`total_fee`, `coupon_fee_1`, `detail.goods_id`); empty when not known.
    pub element: String,
    /// Whether the element is missing (otherwise its text is not a value of the type).
    pub missing: bool,
}

impl V2FieldIssue {
    pub(crate) fn of(error: &FieldError) -> V2FieldIssue {
        let path = error.path();
        if !path.is_empty() {
            return V2FieldIssue {
                element: path,
                missing: false,
            };
        }
        // "missing element `name`": the message of a missing required element names it.
        let missing = error
            .message()
            .strip_prefix("missing element `")
            .and_then(|rest| rest.strip_suffix('`'));
        V2FieldIssue {
            element: missing.unwrap_or_default().to_owned(),
            missing: missing.is_some(),
        }
    }
}

impl fmt::Display for V2FieldIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.element.is_empty(), self.missing) {
            (true, _) => f.write_str("an element does not read as its field"),
            (false, true) => write!(f, "element `{}` is missing", self.element.escape_debug()),
            (false, false) => write!(
                f,
                "element `{}` does not read as its type",
                self.element.escape_debug()
            ),
        }
    }
}

/// At most [`MAX_QUOTED_CHARS`] characters, escaped.
fn quoted(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(MAX_QUOTED_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().count() > MAX_QUOTED_CHARS {
        out.push('…');
    }
    out
}

impl fmt::Display for V2WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            V2WebhookError::Xml(e) => write!(f, "notification body refused: {e}"),
            V2WebhookError::ReturnCodeFail { return_msg } => write!(
                f,
                "notification with return_code FAIL (return_msg of {} characters not shown)",
                return_msg.as_deref().map_or(0, |m| m.chars().count())
            ),
            V2WebhookError::UnsupportedSignType { element, value } => write!(
                f,
                "`{element}` `{}` is not MD5 or HMAC-SHA256",
                quoted(value)
            ),
            V2WebhookError::Signature(e) => write!(f, "notification signature refused: {e}"),
            V2WebhookError::MerchantMismatch { element } => write!(
                f,
                "`{element}` of the notification is not the configured one (or is missing)"
            ),
            V2WebhookError::UnexpectedEventType { event_type } => write!(
                f,
                "event_type `{}` is not one this notification kind handles",
                quoted(event_type)
            ),
            V2WebhookError::MissingElement(element) => {
                write!(
                    f,
                    "the notification has no (or an empty) `{}`",
                    element.escape_debug()
                )
            }
            V2WebhookError::UnsupportedAlgorithm { element, value } => write!(
                f,
                "`{}` `{}` is not AEAD_AES_256_GCM",
                element.escape_debug(),
                quoted(value)
            ),
            V2WebhookError::MissingApiV3Key => f.write_str(
                "the notification is encrypted with the APIv3 key and the handler has none",
            ),
            V2WebhookError::Decrypt(e) => write!(f, "notification does not decrypt: {e}"),
            V2WebhookError::ResourceXml(e) => {
                write!(f, "the decrypted notification is not the expected XML: {e}")
            }
            V2WebhookError::Envelope(issue) => {
                write!(f, "the notification does not read as its type: {issue}")
            }
            V2WebhookError::Resource(issue) => write!(
                f,
                "the decrypted notification does not read as its type: {issue}"
            ),
        }
    }
}

/// By hand: `return_msg` is never shown.
impl fmt::Debug for V2WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            V2WebhookError::Xml(e) => f.debug_tuple("Xml").field(e).finish(),
            V2WebhookError::ReturnCodeFail { return_msg } => f
                .debug_struct("ReturnCodeFail")
                .field(
                    "return_msg",
                    &format_args!(
                        "<{} characters, redacted>",
                        return_msg.as_deref().map_or(0, |m| m.chars().count())
                    ),
                )
                .finish(),
            V2WebhookError::UnsupportedSignType { element, value } => f
                .debug_struct("UnsupportedSignType")
                .field("element", element)
                .field("value", &quoted(value))
                .finish(),
            V2WebhookError::Signature(e) => f.debug_tuple("Signature").field(e).finish(),
            V2WebhookError::MerchantMismatch { element } => f
                .debug_struct("MerchantMismatch")
                .field("element", element)
                .finish(),
            V2WebhookError::UnexpectedEventType { event_type } => f
                .debug_struct("UnexpectedEventType")
                .field("event_type", &quoted(event_type))
                .finish(),
            V2WebhookError::MissingElement(e) => f.debug_tuple("MissingElement").field(e).finish(),
            V2WebhookError::UnsupportedAlgorithm { element, value } => f
                .debug_struct("UnsupportedAlgorithm")
                .field("element", element)
                .field("value", &quoted(value))
                .finish(),
            V2WebhookError::MissingApiV3Key => f.write_str("MissingApiV3Key"),
            V2WebhookError::Decrypt(e) => f.debug_tuple("Decrypt").field(e).finish(),
            V2WebhookError::ResourceXml(e) => f.debug_tuple("ResourceXml").field(e).finish(),
            V2WebhookError::Envelope(i) => f.debug_tuple("Envelope").field(i).finish(),
            V2WebhookError::Resource(i) => f.debug_tuple("Resource").field(i).finish(),
        }
    }
}

impl std::error::Error for V2WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            V2WebhookError::Xml(e) | V2WebhookError::ResourceXml(e) => Some(e),
            V2WebhookError::Signature(e) => Some(e),
            V2WebhookError::Decrypt(V2DecryptError::ReqInfo(e)) => Some(e),
            _ => None,
        }
    }
}

impl V2WebhookError {
    /// The failure reply to send back: 401 when the notification is not proven to come from
    /// WeChat Pay for this merchant, 400 when it is malformed or not this endpoint's kind,
    /// 500 when it could not be decrypted or read here (fix the key or the type: WeChat Pay
    /// sends it again). The message is fixed text, never notification content.
    pub fn reply(&self) -> V2Reply {
        match self {
            V2WebhookError::Signature(_)
            | V2WebhookError::UnsupportedSignType { .. }
            | V2WebhookError::MerchantMismatch { .. } => {
                V2Reply::fail_with_status(401, "signature verification failed")
            }
            V2WebhookError::Xml(_)
            | V2WebhookError::ReturnCodeFail { .. }
            | V2WebhookError::UnexpectedEventType { .. }
            | V2WebhookError::MissingElement(_)
            | V2WebhookError::UnsupportedAlgorithm { .. }
            | V2WebhookError::Envelope(_) => {
                V2Reply::fail_with_status(400, "malformed notification")
            }
            V2WebhookError::MissingApiV3Key | V2WebhookError::Decrypt(_) => {
                V2Reply::fail_with_status(500, "decryption failed")
            }
            V2WebhookError::ResourceXml(_) | V2WebhookError::Resource(_) => {
                V2Reply::fail_with_status(500, "resource not understood")
            }
        }
    }
}

/// Why a [`V2WebhookHandler`](super::V2WebhookHandler) could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum V2WebhookConfigError {
    /// No APIv2 key was given ([`api_v2_key`](super::V2WebhookHandlerBuilder::api_v2_key)).
    MissingApiV2Key,
    /// An empty merchant id or app id was given.
    EmptyId(&'static str),
}

impl fmt::Display for V2WebhookConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            V2WebhookConfigError::MissingApiV2Key => {
                f.write_str("a v2 webhook handler needs the APIv2 key (api_v2_key)")
            }
            V2WebhookConfigError::EmptyId(what) => write!(f, "empty {what}"),
        }
    }
}

impl std::error::Error for V2WebhookConfigError {}
