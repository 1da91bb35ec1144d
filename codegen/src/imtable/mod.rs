//! Front end for wechatpay.im pages.

use crate::diag::Diagnostic;
use crate::frontmatter::Frontmatter;
use crate::ir::Page;

pub fn parse(source: &str, _text: &str, _fm: &Frontmatter, _body: usize) -> Result<Page, Vec<Diagnostic>> {
    Err(vec![Diagnostic::new(source, 1, "todo")])
}
