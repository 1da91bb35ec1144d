//! Every im-table page of the public corpus yields IR, or fails with a diagnostic listed (with
//! its reason) in `fixtures/imtable_corpus_expected.txt`. Skips when `../shared/corpus` is absent.

use std::collections::BTreeSet;

use codegen::emit::{self, Options};
use codegen::frontend::Outcome;
use codegen::spec_tree;

mod common;

fn expected() -> BTreeSet<String> {
    common::listed_lines(include_str!("fixtures/imtable_corpus_expected.txt"))
}

#[test]
fn corpus_pages_yield_ir_or_expected_diagnostics() {
    let Some(dir) = common::corpus("wechatpay.im/openapi/v3") else {
        return;
    };
    let pages = spec_tree::read_tree(&dir).expect("corpus is readable");
    let mut failed_pages = 0;
    let mut actual = BTreeSet::new();
    let mut operations = 0;
    for page in &pages {
        match &page.outcome {
            Outcome::Page(p) => {
                assert!(
                    !p.operations.is_empty(),
                    "{}: a page without operations",
                    page.source
                );
                operations += p.operations.len();
            }
            Outcome::Failed(diagnostics) => {
                failed_pages += 1;
                actual.extend(diagnostics.iter().map(ToString::to_string));
            }
            Outcome::Skipped(_) => {}
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
    assert!(
        failed_pages * 100 <= pages.len(),
        "{failed_pages} of {} pages fail: more than 1%",
        pages.len()
    );
    eprintln!(
        "{} pages, {operations} operations, {failed_pages} pages with expected diagnostics",
        pages.len()
    );
}

#[test]
fn corpus_operations_emit_parseable_rust() {
    let Some(dir) = common::corpus("wechatpay.im/openapi/v3") else {
        return;
    };
    let export = spec_tree::export(&spec_tree::read_tree(&dir).expect("corpus is readable"));
    let generated = emit::generate(
        &export.operations,
        Options {
            area_features: true,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        generated.files.len() > 50,
        "only {} files generated",
        generated.files.len()
    );
}
