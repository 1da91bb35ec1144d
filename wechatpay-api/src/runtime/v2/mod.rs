//! APIv2: the legacy XML API (`v2::…` operations).
//!
//! - [`params`]: the flat elements of a v2 document and how generated structs map onto them.
//! - [`operation`]: the seam generated v2 operations implement ([`OperationSpec`],
//!   [`Operation`], [`Call`]).
//! - [`sign`]: the `sign` of a document (MD5 or HMAC-SHA256 with the [`ApiV2Key`]).
//! - [`xml`]: flat `<xml>` documents read (strictly) into [`Params`] and written from them.
//! - [`notification`]: the seam generated v2 notification types implement
//!   ([`NotificationKind`]).

pub mod notification;
pub mod operation;
pub mod params;
pub mod req_info;
pub mod sign;
pub mod xml;

pub use notification::{NotificationEncryption, NotificationKind};
pub use operation::{
    Answer, Call, Decode, Download, JsonAnswer, Operation, OperationSpec, RequestKind,
    ResponseKind, SignType, Xml,
};
pub use params::{FromParams, FromText, ParamReader, ParamWriter, Params, ToParams, ToText};
pub use sign::{ApiV2Key, InvalidApiV2Key, SignatureError};
pub use xml::XmlError;
