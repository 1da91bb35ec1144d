//! Front end for wechatpay.js.org pages: ```` ```js twoslash ```` TypeScript namespaces.
//!
//! ```text
//! page ──markdown──▶ {#method} sections + blocks ──lexer/parser──▶ ast::Module
//!      ──url (namespace → path, checked against the page path and the example call)
//!      ──lower/types──▶ ir::Operation
//! ```
//! One operation per `# … {#method}` heading, read from the first twoslash block under it.

mod ast;
mod lexer;
mod lower;
mod markdown;
mod parser;
mod policy;
mod required;
mod types;
mod url;
mod webhook;

use crate::diag::{Diagnostic, LineIndex};
use crate::frontmatter::Frontmatter;
use crate::ir::Page;

pub use parser::MAX_DEPTH;
pub use required::adopt_required_flags;

/// Marks the start of the JavaScript usage example after the TypeScript declarations.
const BUSINESS_FILE: &str = "// @filename: business.js";
const CUT: &str = "// ---cut---";

/// Reads the operations of a twoslash page.
///
/// Webhook pages (a `webhook/` path whose blocks hold JSDoc, not namespaces) describe no
/// operation: a `webhook/v2` page yields its notification, read from the handler's JSDoc
/// typedefs; other webhook pages yield an empty page.
pub fn parse(
    source: &str,
    text: &str,
    frontmatter: &Frontmatter,
    body_start: usize,
) -> Result<Page, Vec<Diagnostic>> {
    let lines = LineIndex::new(text);
    let layout = markdown::scan(text, body_start);
    let mut diagnostics = Vec::new();
    if let Some(offset) = layout.unclosed_fence {
        diagnostics.push(Diagnostic::new(
            source,
            lines.line(offset),
            "code fence is never closed",
        ));
    }
    let blocks = || {
        layout
            .orphan_blocks
            .iter()
            .chain(layout.sections.iter().flat_map(|s| &s.blocks))
    };
    if is_webhook_page(source) && blocks().all(|b| !text[b.content.clone()].contains("namespace "))
    {
        if source.split('/').any(|segment| segment == "v2")
            && let Some(section) = layout.sections.first()
            && diagnostics.is_empty()
        {
            return webhook::parse_v2(source, text, &lines, frontmatter, section);
        }
        return if diagnostics.is_empty() {
            Ok(Page::default())
        } else {
            Err(diagnostics)
        };
    }
    for block in &layout.orphan_blocks {
        diagnostics.push(Diagnostic::new(
            source,
            lines.line(block.fence_offset),
            "```js twoslash block is not under a `# … {#method}` heading",
        ));
    }
    if layout.sections.is_empty() && diagnostics.is_empty() {
        let line = blocks()
            .next()
            .map_or(lines.line(body_start), |b| lines.line(b.fence_offset));
        diagnostics.push(Diagnostic::new(source, line, "no `# … {#method}` heading"));
    }

    let mut page = Page::default();
    for section in &layout.sections {
        let Some(block) = section.blocks.first() else {
            diagnostics.push(Diagnostic::new(
                source,
                lines.line(section.heading_offset),
                format!(
                    "heading `{{#{}}}` has no ```js twoslash block",
                    section.method.lower()
                ),
            ));
            continue;
        };
        let code = &text[block.content.clone()];
        let (declarations, example) = split_block(code);
        let example = example
            .and_then(|(start, example)| url::example_call(example, block.content.start + start));
        let module = match lexer::tokenize(declarations, block.content.start) {
            Err(e) => Err(Diagnostic::new(source, lines.line(e.offset), e.message)),
            Ok(tokens) => parser::parse_module(&tokens, block.content.start + declarations.len())
                .map_err(|e| Diagnostic::new(source, lines.line(e.offset), e.message)),
        };
        let module = match module {
            Ok(module) => module,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        let context = lower::Context {
            source,
            lines: &lines,
            frontmatter,
            section,
            module: &module,
            block_offset: block.fence_offset,
            example,
        };
        match lower::operation(&context) {
            Ok(operation) => page.operations.push(operation),
            Err(errors) => diagnostics.extend(errors),
        }
    }
    if diagnostics.is_empty() {
        Ok(page)
    } else {
        Err(diagnostics)
    }
}

fn is_webhook_page(source: &str) -> bool {
    source.split('/').any(|segment| segment == "webhook")
}

/// Splits a block into its `virtual.ts` declarations and, when present, the example code after
/// `// ---cut---` (with its offset in the block).
fn split_block(code: &str) -> (&str, Option<(usize, &str)>) {
    let Some(business) = code.find(BUSINESS_FILE) else {
        return (code, None);
    };
    let example_start = code[business..]
        .find(CUT)
        .map_or(business + BUSINESS_FILE.len(), |cut| {
            business + cut + CUT.len()
        });
    (
        &code[..business],
        Some((example_start, &code[example_start..])),
    )
}
