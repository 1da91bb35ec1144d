//! Every wechatpay.js.org operation page under `openapi/v3` yields IR, or fails with exactly the
//! diagnostics listed (with the reason) in `fixtures/twoslash_corpus_expected.txt`.
//!
//! The corpus lives outside the repository (`../shared/corpus`); without it the test skips.

use std::collections::BTreeMap;

use codegen::frontend::{Outcome, read_page};
use codegen::spec_tree;

mod common;

/// `diagnostic line` followed by an indented `reason: …` line, per expected failure.
fn expected_failures() -> BTreeMap<String, String> {
    common::reasoned_lines(include_str!("fixtures/twoslash_corpus_expected.txt"))
}

#[test]
fn every_v3_operation_page_yields_ir_or_an_expected_diagnostic() {
    let Some(root) = common::corpus("wechatpay.js.org") else {
        return;
    };
    let files = spec_tree::markdown_files(&root.join("openapi/v3")).expect("corpus is readable");
    let expected = expected_failures();
    let mut failed_pages = 0;
    let mut skipped = Vec::new();
    let mut operations = 0;
    let mut unexpected = Vec::new();
    let mut seen = Vec::new();
    for file in &files {
        let source = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(file).unwrap();
        match read_page(&source, &file.to_string_lossy(), &bytes) {
            Outcome::Page(page) => {
                assert!(!page.operations.is_empty(), "{source}: no operation");
                operations += page.operations.len();
            }
            Outcome::Skipped(reason) => skipped.push(format!("{source}: {reason}")),
            Outcome::Failed(diagnostics) => {
                failed_pages += 1;
                for diagnostic in diagnostics {
                    let line = diagnostic.to_string();
                    if expected.contains_key(&line) {
                        seen.push(line);
                    } else {
                        unexpected.push(line);
                    }
                }
            }
        }
    }
    let stale: Vec<_> = expected.keys().filter(|d| !seen.contains(d)).collect();
    eprintln!(
        "twoslash corpus: {} pages, {operations} operations, {failed_pages} failed ({} expected diagnostics), {} skipped: {skipped:?}",
        files.len(),
        expected.len(),
        skipped.len()
    );
    assert!(
        unexpected.is_empty(),
        "unexpected diagnostics:\n{}",
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "expected diagnostics that no longer occur: {stale:#?}"
    );
    assert!(
        failed_pages * 100 <= files.len(),
        "more than 1% of pages fail"
    );
}

/// The rest of the site, read by the twoslash front end directly (bypassing format detection):
/// v3 webhook pages yield an empty page, v2 webhook pages one notification each, APIv2 pages
/// their operations (XML bodies included), nothing panics.
#[test]
fn webhook_and_v2_pages() {
    let Some(root) = common::corpus("wechatpay.js.org") else {
        return;
    };
    let mut files = spec_tree::markdown_files(&root.join("webhook")).expect("corpus is readable");
    files.extend(spec_tree::markdown_files(&root.join("openapi/v2")).expect("corpus is readable"));
    let (mut webhooks, mut v2_notifications, mut v2_operations) = (0, 0, 0);
    let mut unexpected = Vec::new();
    for file in &files {
        let location = file.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(file).unwrap();
        let Ok((frontmatter, body_start)) = codegen::frontmatter::split(&location, &text) else {
            continue;
        };
        if frontmatter.is_redirect() || !text.contains("```js twoslash") {
            continue;
        }
        let result = codegen::twoslash::parse(&location, &text, &frontmatter, body_start);
        let v2_webhook = location.contains("/webhook/v2/");
        match (location.contains("/webhook/"), result) {
            (true, Ok(page)) if page == Default::default() && !v2_webhook => webhooks += 1,
            (true, Ok(page))
                if v2_webhook && page.operations.is_empty() && page.notifications.len() == 1 =>
            {
                v2_notifications += 1
            }
            (false, Ok(page)) if !page.operations.is_empty() => {
                v2_operations += page.operations.len()
            }
            (_, other) => unexpected.push(format!("{location}: {other:?}")),
        }
    }
    eprintln!(
        "twoslash corpus: {webhooks} webhook pages (empty), {v2_notifications} v2 notifications, \
         {v2_operations} v2 operations read"
    );
    assert!(unexpected.is_empty(), "{unexpected:#?}");
}
