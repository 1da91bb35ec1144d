//! APIv2: the legacy XML API (`v2::…` operations).
//!
//! - [`params`]: the flat elements of a v2 document and how generated structs map onto them.
//! - [`operation`]: the seam generated v2 operations implement ([`OperationSpec`],
//!   [`Operation`], [`Call`]); a call is sent by awaiting it (async client) or with `.send()`
//!   (blocking client).
//! - [`notification`]: the seam generated v2 notification types implement
//!   ([`NotificationKind`]).
//! - [`sign`]: the `sign` of a document (MD5 or HMAC-SHA256 with the [`ApiV2Key`]).
//! - [`xml`]: flat `<xml>` documents read (strictly) into [`Params`] and written from them.
//! - [`V2Error`]: what a v2 answer can say went wrong (`return_code`, `result_code`, `sign`).
//! - [`V2Request`]: a v2 call to any path (`Client::v2_request`).
//! - [`V2RsaPublicKey`]: the key bank transfers encrypt their request fields with.
//! - [`webhook`]: v2 notifications checked, decrypted and read ([`V2WebhookHandler`]), and the
//!   XML reply ([`V2Reply`]); [`req_info`]: the AES-256-ECB of refund notifications.
//!
//! Each attempt of a call adds the envelope (merchant id, app id, `nonce_str`, `sign_type`),
//! encrypts the marked fields, signs, sends through the client's retry policy and size cap,
//! then checks `return_code`, the answer's `sign` (with the request's sign type) and
//! `result_code`, and decrypts the marked answer fields before anything is decoded.

mod answer;
#[cfg(feature = "blocking")]
mod blocking;
pub(crate) mod config;
mod dynamic;
mod envelope;
mod error;
pub mod notification;
pub mod operation;
pub mod params;
pub mod req_info;
mod request;
mod route;
mod rsa;
mod send;
pub mod sign;
pub mod webhook;
pub mod xml;

pub use dynamic::V2Request;
pub use envelope::NONCE_STR;
pub use error::{V2Error, V2ErrorCode};
pub use notification::{NotificationEncryption, NotificationKind};
pub use operation::{
    Answer, Call, Decode, Download, JsonAnswer, Operation, OperationSpec, RequestKind,
    ResponseKind, SignType, Xml,
};
pub use params::{FromParams, FromText, ParamReader, ParamWriter, Params, ToParams, ToText};
pub use rsa::V2RsaPublicKey;
pub use sign::{ApiV2Key, InvalidApiV2Key, SignatureError};
pub use xml::XmlError;
// v2 notifications (webhooks)
pub use req_info::ReqInfoError;
pub use webhook::{
    V2DecryptError, V2FieldIssue, V2Notification, V2Reply, V2Verification, V2WebhookConfigError,
    V2WebhookError, V2WebhookHandler, V2WebhookHandlerBuilder,
};
