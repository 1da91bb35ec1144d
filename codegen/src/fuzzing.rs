//! Entry points of the fuzz targets (`fuzz/`) and of the test that replays what they found
//! (`tests/fuzz_regressions.rs`): one page through one front end, then through the emitter.
//! Any input must give IR or diagnostics, never a panic.

use crate::emit;
use crate::frontmatter;
use crate::ir::Page;
use crate::{Diagnostic, imtable, twoslash};

/// Where a fuzzed page claims to live (the URL is derived from it) when it names no path.
pub const LOCATION: &str = "fuzz/openapi/v3/fuzz/{item_id}/page.md";

/// The page's location: the first `chain('v3/…')` of its examples, so that corpus pages used
/// as seeds get past the path check and reach the emitter.
pub fn location(text: &str) -> String {
    let Some(start) = text.find("chain('v3/") else {
        return LOCATION.to_owned();
    };
    let rest = &text[start + "chain('".len()..];
    let end = rest.find('\'').unwrap_or(rest.len()).min(300);
    match rest.get(..end) {
        Some(path) => format!("fuzz/openapi/{path}.md"),
        None => LOCATION.to_owned(),
    }
}

/// Reads `bytes` as an im-table page and emits what it describes.
pub fn imtable_page(bytes: &[u8]) -> Result<usize, Vec<Diagnostic>> {
    page_with(bytes, imtable::parse)
}

/// Reads `bytes` as a twoslash page and emits what it describes.
pub fn twoslash_page(bytes: &[u8]) -> Result<usize, Vec<Diagnostic>> {
    page_with(bytes, twoslash::parse)
}

type FrontEnd = fn(&str, &str, &frontmatter::Frontmatter, usize) -> Result<Page, Vec<Diagnostic>>;

/// The number of generated files, or the diagnostics of the page (or of the emitter).
fn page_with(bytes: &[u8], front_end: FrontEnd) -> Result<usize, Vec<Diagnostic>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| vec![Diagnostic::new(LOCATION, 0, format!("not UTF-8: {e}"))])?;
    let location = location(text);
    let (frontmatter, body_start) = frontmatter::split(&location, text).map_err(|d| vec![d])?;
    let page = front_end(&location, text, &frontmatter, body_start)?;
    let generated = emit::generate_all(
        &page.operations,
        &page.notifications,
        emit::Options::default(),
    )
    .map_err(|d| vec![d])?;
    Ok(generated.files.len())
}
