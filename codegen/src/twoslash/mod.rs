//! Front end for wechatpay.js.org pages: ```` ```js twoslash ```` TypeScript namespaces.

use crate::diag::Diagnostic;
use crate::frontmatter::Frontmatter;
use crate::ir::Page;

/// Reads the operations of a twoslash page.
pub fn parse(
    source: &str,
    _text: &str,
    _frontmatter: &Frontmatter,
    _body_start: usize,
) -> Result<Page, Vec<Diagnostic>> {
    Err(vec![Diagnostic::new(
        source,
        1,
        "twoslash pages are not supported yet",
    )])
}
