//! Every webhook page of the public corpus yields a notification, or fails with a diagnostic
//! listed (with its reason) in `fixtures/webhook_corpus_expected.txt`; the notifications read
//! emit Rust that parses. Skips when `../shared/corpus` is absent.

use std::collections::BTreeSet;

use codegen::emit::{self, Options};
use codegen::frontend::Outcome;
use codegen::spec_tree;

mod common;

fn expected() -> BTreeSet<String> {
    common::listed_lines(include_str!("fixtures/webhook_corpus_expected.txt"))
}

#[test]
fn corpus_webhook_pages_yield_notifications_or_expected_diagnostics() {
    let Some(dir) = common::corpus("wechatpay.im/webhook/v3") else {
        return;
    };
    let pages = spec_tree::read_tree(&dir).expect("corpus is readable");
    let mut actual = BTreeSet::new();
    let (mut read, mut failed, mut skipped) = (0, 0, 0);
    for page in &pages {
        match &page.outcome {
            Outcome::Page(p) => {
                assert!(
                    p.operations.is_empty(),
                    "{}: operations on a webhook page",
                    page.source
                );
                assert_eq!(
                    p.notifications.len(),
                    1,
                    "{}: one notification per page",
                    page.source
                );
                let n = &p.notifications[0];
                let stem = page.source.trim_end_matches(".md");
                assert!(
                    n.event_types.iter().any(|e| e == stem),
                    "{}: event types {:?} do not name the page",
                    page.source,
                    n.event_types
                );
                assert!(
                    !n.resource.is_empty() || !n.resource_variants.is_empty(),
                    "{}: no decrypted resource fields",
                    page.source
                );
                for name in ["id", "event_type", "resource"] {
                    assert!(
                        n.envelope.iter().any(|f| f.name == name),
                        "{}: envelope lacks `{name}`",
                        page.source
                    );
                }
                assert!(!n.reply.is_empty(), "{}: no reply fields", page.source);
                read += 1;
            }
            Outcome::Failed(diagnostics) => {
                failed += 1;
                actual.extend(diagnostics.iter().map(ToString::to_string));
            }
            Outcome::Skipped(_) => skipped += 1,
        }
    }
    let expected = expected();
    let unexpected: Vec<_> = actual.difference(&expected).collect();
    let fixed: Vec<_> = expected.difference(&actual).collect();
    assert!(
        unexpected.is_empty(),
        "unexpected diagnostics:\n{unexpected:#?}"
    );
    assert!(
        fixed.is_empty(),
        "expected diagnostics no longer occur (update the fixture):\n{fixed:#?}"
    );
    assert!(read > 0, "no notification read");
    eprintln!(
        "{} pages: {read} notifications, {failed} with expected diagnostics, {skipped} skipped (redirect stubs)",
        pages.len()
    );
}

#[test]
fn corpus_notifications_emit_parseable_rust() {
    let Some(dir) = common::corpus("wechatpay.im/webhook/v3") else {
        return;
    };
    let export = spec_tree::export(&spec_tree::read_tree(&dir).expect("corpus is readable"));
    let generated = emit::generate_all(
        &export.operations,
        &export.notifications,
        Options {
            area_features: true,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let modules = generated
        .files
        .keys()
        .filter(|f| f.starts_with("webhook/") && f.as_str() != "webhook/mod.rs")
        .count();
    assert_eq!(
        modules,
        export.notifications.len(),
        "one module per notification page"
    );
    let root = &generated.files["webhook/mod.rs"];
    for n in &export.notifications {
        for event in &n.event_types {
            assert!(
                root.contains(&format!("\"{event}\"")),
                "`{event}` is not dispatched"
            );
        }
    }
}
