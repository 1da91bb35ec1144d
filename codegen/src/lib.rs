//! wechatpay-codegen: WeChat Pay APIv3 markdown pages → IR → typed Rust modules.
//!
//! ```text
//! page text ──(front end: im-table | twoslash, detected)──▶ ir::Page ──(emit)──▶ Rust source
//! ```

pub mod diag;
pub mod diff;
pub mod emit;
pub mod frontend;
pub mod frontmatter;
#[doc(hidden)]
pub mod fuzzing;
pub mod imtable;
pub mod indexed;
pub mod ir;
pub mod names;
pub mod spec_tree;
pub mod twoslash;

pub use diag::Diagnostic;
