//! APIv2: the legacy XML API (`v2::…` operations).
//!
//! - [`params`]: the flat elements of a v2 document and how generated structs map onto them.
//! - [`operation`]: the seam generated v2 operations implement ([`OperationSpec`],
//!   [`Operation`], [`Call`]).
//! - [`sign`]: the `sign` of a document (MD5 or HMAC-SHA256 with the [`ApiV2Key`]).
//! - [`xml`]: flat `<xml>` documents read (strictly) into [`Params`] and written from them.
//! - [`webhook`]: v2 notifications checked, decrypted and read ([`V2WebhookHandler`]), and the
//!   XML reply ([`V2Reply`]); [`req_info`]: the AES-256-ECB of refund notifications.
//! - [`notification`]: the seam generated v2 notification types implement
//!   ([`NotificationKind`]).

pub mod notification;
pub mod operation;
pub mod params;
pub mod req_info;
pub mod sign;
pub mod webhook;
pub mod xml;

pub use notification::{NotificationEncryption, NotificationKind};
pub use operation::{
    Answer, Call, Decode, Download, JsonAnswer, Operation, OperationSpec, RequestKind,
    ResponseKind, SignType, Xml,
};
pub use params::{FromParams, FromText, ParamReader, ParamWriter, Params, ToParams, ToText};
pub use sign::{ApiV2Key, InvalidApiV2Key, SignatureError};
pub use xml::XmlError;
// v2 notifications (webhooks)
pub use req_info::ReqInfoError;
pub use webhook::{
    V2DecryptError, V2FieldIssue, V2Notification, V2Reply, V2Verification, V2WebhookConfigError,
    V2WebhookError, V2WebhookHandler, V2WebhookHandlerBuilder,
};
