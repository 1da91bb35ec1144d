//! wechatpay-codegen: WeChat Pay APIv3 markdown pages → IR → typed Rust modules.
//!
//! ```text
//! page text ──(front end: im-table | twoslash, detected)──▶ ir::Page ──(emit)──▶ Rust source
//! ```

pub mod diag;
pub mod ir;
pub mod names;

pub use diag::Diagnostic;
