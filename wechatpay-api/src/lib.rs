//! Typed WeChat Pay APIv3 client.
//!
//! The endpoint modules (`v3::…`) are generated from the markdown docs in `specs/` by
//! `cargo xtask gen`; the [`runtime`] is hand-written and does the protocol work.

extern crate self as wechatpay_api;

mod chain;
pub mod runtime;
#[cfg(feature = "test-server")]
pub mod testing;
pub mod v3;

/// JSON numbers keep their exact wire form (`100` stays `100`, never `100.0`).
pub use serde_json::Number;
/// Free-form JSON, for objects the docs leave undescribed.
pub use serde_json::Value;

#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use serde_json;
}
