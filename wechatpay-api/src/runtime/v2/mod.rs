//! APIv2: the legacy XML API (`v2::…` operations).
//!
//! - [`params`]: the flat elements of a v2 document and how generated structs map onto them.
//! - [`operation`]: the seam generated v2 operations implement ([`OperationSpec`],
//!   [`Operation`], [`Call`]).
//! - [`notification`]: the seam generated v2 notification types implement
//!   ([`NotificationKind`]).

pub mod notification;
pub mod operation;
pub mod params;

pub use notification::{NotificationEncryption, NotificationKind};
pub use operation::{
    Answer, Call, Decode, Download, JsonAnswer, Operation, OperationSpec, RequestKind,
    ResponseKind, SignType, Xml,
};
pub use params::{FromParams, FromText, ParamReader, ParamWriter, Params, ToParams, ToText};
