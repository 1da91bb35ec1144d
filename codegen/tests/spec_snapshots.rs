//! Pins the IR and the emitted code of every page in `specs/`: a doc change shows up as a
//! reviewable snapshot diff.

use std::path::Path;

use codegen::emit::{self, Options};
use codegen::frontend::Outcome;
use codegen::spec_tree;

fn specs_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

/// `v3/a/{b}/c.md` → `v3__a__{b}__c`
fn snapshot_name(source: &str) -> String {
    source.trim_end_matches(".md").replace('/', "__")
}

#[test]
fn every_spec_page_is_pinned() {
    let pages = spec_tree::read_tree(&specs_dir()).expect("specs/ is readable");
    assert!(!pages.is_empty(), "specs/ holds no pages");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for page in &pages {
            let Outcome::Page(ir) = &page.outcome else {
                panic!("{} did not yield IR: {:?}", page.source, page.outcome);
            };
            let name = snapshot_name(&page.source);
            insta::assert_json_snapshot!(format!("ir@{name}"), ir);
            let generated = emit::generate(&ir.operations, Options::default())
                .unwrap_or_else(|e| panic!("{}: {e}", page.source));
            let code: String = generated
                .files
                .iter()
                .map(|(file, content)| format!("// ===== {file} =====\n{content}"))
                .collect();
            insta::assert_snapshot!(format!("code@{name}"), code);
        }
    });
}

/// The items that come from the whole tree rather than one page: the named models (`models.rs`)
/// and the typed notifications (`webhook/…`).
#[test]
fn models_and_notifications_are_pinned() {
    let export =
        spec_tree::export(&spec_tree::read_tree(&specs_dir()).expect("specs/ is readable"));
    let generated = emit::generate_all(
        &export.operations,
        &export.notifications,
        Options::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let code: String = generated
        .files
        .iter()
        .filter(|(file, _)| *file == "models.rs" || file.starts_with("webhook/"))
        .map(|(file, content)| format!("// ===== {file} =====\n{content}"))
        .collect();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("code@models-and-webhooks", code));
}

#[test]
fn generation_is_deterministic() {
    let pages = spec_tree::read_tree(&specs_dir()).expect("specs/ is readable");
    let export = spec_tree::export(&pages);
    let first = emit::generate(&export.operations, Options::default()).unwrap();
    let mut reversed = export.operations.clone();
    reversed.reverse();
    let second = emit::generate(&reversed, Options::default()).unwrap();
    assert_eq!(first, second);
}
