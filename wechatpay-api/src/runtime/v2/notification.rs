//! The seam between generated APIv2 notification types and the v2 webhook handler.
//!
//! A v2 notification is an XML document WeChat Pay posts to the merchant's `notify_url`. The
//! generator emits, per notification page, an envelope struct (its elements), a resource
//! struct (the fields of the encrypted element once decrypted; an empty struct when the page
//! has none) and a marker type implementing [`NotificationKind`].

use super::params::FromParams;

/// How a v2 notification's encrypted element is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationEncryption {
    /// `req_info` of refund notifications: base64 AES-256-ECB (PKCS#7), keyed with the
    /// lower-case hex MD5 of the APIv2 key; the plaintext is an XML document.
    AesEcb,
    /// `event_ciphertext`: AEAD_AES_256_GCM with the APIv3 key, as in APIv3 notifications.
    AesGcm,
}

/// Implemented by the marker type of every generated v2 notification page.
pub trait NotificationKind {
    /// The event types the page documents (`event_type` values, or the page's slug such as
    /// `refund-processed` when the document has no `event_type`).
    const EVENT_TYPES: &'static [&'static str];
    /// The element that carries encrypted content, and how it is encrypted.
    const ENCRYPTED: Option<(&'static str, NotificationEncryption)>;
    /// The notification's elements.
    type Envelope: FromParams;
    /// The fields of the decrypted element (an empty struct when there is none).
    type Resource: FromParams;
}
