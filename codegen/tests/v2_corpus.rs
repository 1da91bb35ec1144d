//! Every APIv2 page of the public corpus (`openapi/v2` and `webhook/v2` of both sites) yields
//! IR marked `api_version: v2`, is skipped with a reason (redirect stubs), or fails with a
//! diagnostic listed (with its reason) in `fixtures/v2_corpus_expected.txt`; emission refuses
//! v2 operations. Skips when `../shared/corpus` is absent.

use std::collections::BTreeSet;

use codegen::emit::{self, Options};
use codegen::frontend::Outcome;
use codegen::ir::{ApiVersion, BodyKind, Operation, ResponseKind};
use codegen::spec_tree;

mod common;

const TREES: [&str; 4] = [
    "wechatpay.im/openapi/v2",
    "wechatpay.js.org/openapi/v2",
    "wechatpay.im/webhook/v2",
    "wechatpay.js.org/webhook/v2",
];

fn expected() -> BTreeSet<String> {
    common::listed_lines(include_str!("fixtures/v2_corpus_expected.txt"))
}

/// Read, skipped and failed page counts of one tree, and its failure diagnostics.
struct Counts {
    read: usize,
    skipped: usize,
    failed: usize,
    operations: Vec<Operation>,
    notifications: usize,
}

fn read(tree: &str, diagnostics: &mut BTreeSet<String>) -> Option<Counts> {
    let dir = common::corpus(tree)?;
    let pages = spec_tree::read_tree(&dir).expect("corpus is readable");
    let mut counts = Counts {
        read: 0,
        skipped: 0,
        failed: 0,
        operations: Vec::new(),
        notifications: 0,
    };
    for page in &pages {
        match &page.outcome {
            Outcome::Page(p) => {
                counts.read += 1;
                counts.operations.extend(p.operations.iter().cloned());
                counts.notifications += p.notifications.len();
                for n in &p.notifications {
                    assert_eq!(n.api_version, ApiVersion::V2, "{}", page.source);
                    assert!(!n.envelope.is_empty(), "{}: empty XML body", page.source);
                    assert!(!n.reply.is_empty(), "{}: no reply", page.source);
                }
            }
            Outcome::Skipped(_) => counts.skipped += 1,
            Outcome::Failed(d) => {
                counts.failed += 1;
                diagnostics.extend(d.iter().map(|d| format!("{tree}/{d}")));
            }
        }
    }
    for op in &counts.operations {
        assert_eq!(op.api_version, ApiVersion::V2, "{}", op.source);
        assert!(op.path.starts_with("/v2/"), "{}: {}", op.source, op.path);
    }
    eprintln!(
        "{tree}: {} pages read ({} operations, {} notifications), {} skipped, {} failed",
        counts.read,
        counts.operations.len(),
        counts.notifications,
        counts.skipped,
        counts.failed
    );
    Some(counts)
}

#[test]
fn v2_pages_yield_ir_or_expected_diagnostics() {
    let mut actual = BTreeSet::new();
    let mut trees = Vec::new();
    for tree in TREES {
        match read(tree, &mut actual) {
            Some(counts) => trees.push((tree, counts)),
            None => return,
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

    // Every flag row of the im-table pages reaches the IR: as many operations carry each fact as
    // pages hold its row (one operation per v2 page).
    let dir = common::corpus(TREES[0]).expect("read above");
    let texts: Vec<String> = spec_tree::markdown_files(&dir)
        .expect("corpus is listable")
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("corpus page is UTF-8"))
        .collect();
    let pages_with = |needle: &str| {
        texts
            .iter()
            .filter(|t| t.lines().any(|l| l.starts_with(needle)))
            .count()
    };
    let im = &trees[0].1.operations;
    let count = |f: &dyn Fn(&Operation) -> bool| im.iter().filter(|op| f(op)).count();
    assert_eq!(
        count(&|op| op.security),
        pages_with("| security "),
        "`security`"
    );
    assert_eq!(
        count(&|op| op.nonceless),
        pages_with("| nonceless "),
        "`nonceless`"
    );
    assert_eq!(
        count(&|op| op.body.kind == BodyKind::Xml),
        pages_with("| xml "),
        "`xml` bodies"
    );
    assert_eq!(
        count(&|op| op.response.kind == ResponseKind::Download),
        pages_with("| 异常字典 "),
        "downloads (`异常字典` answers)"
    );
    assert_eq!(
        count(&|op| op.response.kind == ResponseKind::Json),
        1,
        "appauth/getaccesstoken answers JSON"
    );
    let indexed = |op: &Operation| {
        op.body
            .fields
            .iter()
            .chain(&op.response.fields)
            .any(|f| f.indexed.is_some())
    };
    assert_eq!(
        count(&indexed),
        texts.iter().filter(|t| t.contains("_$n")).count(),
        "pages with `$n` templates"
    );
    for op in im.iter().chain(&trees[1].1.operations) {
        for field in op.body.fields.iter().chain(&op.response.fields) {
            assert!(
                field.indexed.is_some() || !field.name.contains('$'),
                "{}: template `{}` left ungrouped",
                op.source,
                field.name
            );
        }
    }
    // An operation documented on both sites reads alike: client certificate, answer kind, and
    // the indexed groups (names, indices, element templates) of body and answer.
    fn groups(fields: &[codegen::ir::Field]) -> Vec<String> {
        fields
            .iter()
            .filter_map(|f| {
                let indexed = f.indexed.as_ref()?;
                Some(format!(
                    "{}{:?}[{}]{:?}",
                    f.name,
                    indexed.indices,
                    f.fields
                        .iter()
                        .map(|e| e.name.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    groups(&f.fields)
                ))
            })
            .collect()
    }
    let mut both = 0;
    for js in &trees[1].1.operations {
        let Some(im) = im
            .iter()
            .find(|op| op.method == js.method && op.path == js.path)
        else {
            continue;
        };
        both += 1;
        let facts = |op: &Operation| {
            (
                op.security,
                op.response.kind,
                groups(&op.body.fields),
                groups(&op.response.fields),
            )
        };
        assert_eq!(facts(im), facts(js), "{} differs across the sites", js.path);
    }
    assert_eq!(
        both,
        trees[1].1.operations.len(),
        "every js.org v2 operation is on wechatpay.im"
    );

    // Each webhook/v2 page, of either site, is one notification.
    assert_eq!(trees[2].1.notifications, trees[2].1.read);
    assert_eq!(trees[3].1.notifications, trees[3].1.read);
}

/// Every v2 operation and notification of wechatpay.im generates, or is left out under a named
/// policy: nothing is dropped silently. (`.ci/whole-corpus.sh` compiles the result.)
#[test]
fn v2_pages_generate_or_are_left_out_by_name() {
    let (Some(openapi), Some(webhook)) = (
        common::corpus("wechatpay.im/openapi/v2"),
        common::corpus("wechatpay.im/webhook/v2"),
    ) else {
        return;
    };
    let operations = spec_tree::export(&spec_tree::read_tree(&openapi).expect("readable"));
    let notifications = spec_tree::export(&spec_tree::read_tree(&webhook).expect("readable"));
    let generated = emit::generate_all(
        &operations.operations,
        &notifications.notifications,
        Options {
            area_features: true,
        },
    )
    .expect("the v2 corpus generates");
    let skipped: Vec<(String, &str)> = generated
        .omissions
        .iter()
        .filter(|o| o.policy.skips_operation())
        .map(|o| (o.diagnostic.source.clone(), o.policy.name()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("appauth/authindex.md".to_owned(), "browser-redirect"),
            ("applyment/micro/signcontract.md".to_owned(), "no-answer"),
            ("papay/entrustweb.md".to_owned(), "browser-redirect"),
            ("secapi/mch/submchmanage.md".to_owned(), "query-beside-xml"),
        ]
    );
    let code: String = generated.files.values().map(String::as_str).collect();
    for op in &operations.operations {
        let spec = format!("path: \"{}\",", emit::wire_path(&op.path));
        let left_out = skipped.iter().any(|(source, _)| *source == op.source);
        assert_eq!(
            code.contains(&spec),
            !left_out,
            "{}: generated {} / left out {left_out}",
            op.source,
            code.contains(&spec)
        );
    }
    let modules = generated
        .files
        .keys()
        .filter(|f| f.starts_with("webhook/v2/") && !f.ends_with("mod.rs"))
        .count();
    assert_eq!(modules, notifications.notifications.len());
}
