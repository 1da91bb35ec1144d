//! Typed WeChat Pay APIv3 client.
//!
//! The endpoint modules (`v3::…`) are generated from the markdown docs in `specs/` by
//! `cargo xtask gen`; the [`runtime`] is hand-written and does the protocol work.

extern crate self as wechatpay_api;

pub mod runtime;

#[doc(hidden)]
pub mod __private {
    pub use serde;
}
