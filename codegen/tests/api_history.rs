//! `codegen::diff` over the real doc updates of `../shared/api-history` (skipped when absent):
//! every update diffs, failing only on the pages listed in `fixtures/api_history_expected_errors.txt`;
//! the markdown reports of a reviewed dozen are pinned; a few changes are checked by hand
//! against the pages.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codegen::diff::{self, ChangeKind, Location, Report, Rule, Side, markdown};
use codegen::spec_tree::{self, PageResult};

/// Every update folder, sorted.
fn updates(history: &Path) -> Vec<PathBuf> {
    let mut updates: Vec<PathBuf> = std::fs::read_dir(history)
        .expect("api history is readable")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.join("COMMIT").is_file())
        .collect();
    updates.sort();
    updates
}

/// One side of an update; absent (only added or only removed pages) is an empty tree.
fn side(update: &Path, side: &str) -> Vec<PageResult> {
    let dir = update.join(side);
    if dir.is_dir() {
        spec_tree::read_tree(&dir).expect("tree is readable")
    } else {
        Vec::new()
    }
}

fn name(update: &Path) -> String {
    update.file_name().unwrap().to_string_lossy().into_owned()
}

fn diff_update(update: &Path) -> Report {
    diff::diff(&side(update, "old"), &side(update, "new"))
}

/// The report of one update, by folder name; `None` (the test skips) without the history.
fn update_report(update: &str) -> Option<Report> {
    let history = common::api_history()?;
    let dir = history.join(update);
    assert!(
        dir.is_dir(),
        "update {update} is not in {}",
        history.display()
    );
    Some(diff_update(&dir))
}

#[test]
fn every_update_diffs_without_unexpected_errors() {
    let Some(history) = common::api_history() else {
        return;
    };
    let updates = updates(&history);
    assert!(!updates.is_empty(), "no updates in {}", history.display());
    let mut errors = BTreeSet::new();
    let mut v2_updates = BTreeSet::new();
    for update in &updates {
        let report = diff_update(update);
        for error in &report.errors {
            let side = match error.side {
                Side::Old => "old",
                Side::New => "new",
            };
            errors.insert(format!(
                "{} {side} {}: {}",
                name(update),
                error.file,
                error.message
            ));
        }
        for change in &report.changes {
            let operation_level = matches!(
                change.change,
                ChangeKind::OperationAdded
                    | ChangeKind::OperationRemoved
                    | ChangeKind::NotificationAdded
                    | ChangeKind::NotificationRemoved
                    | ChangeKind::SecurityChanged
                    | ChangeKind::NoncelessChanged
                    | ChangeKind::FragmentChanged
            );
            // An APIv2 page is only ever compared with an APIv2 page.
            if let (Some(old), Some(new)) = (&change.old, &change.new) {
                assert_eq!(is_v2(old), is_v2(new), "{change:?}");
            }
            if is_v2(
                change
                    .old
                    .as_deref()
                    .or(change.new.as_deref())
                    .unwrap_or_default(),
            ) {
                v2_updates.insert(name(update));
            }
            // Field changes name a field; the field-less ones are operation-level or a body
            // (answer) that changes kind. Only added (removed) operations lack an old (new) side.
            if operation_level {
                assert_eq!(change.field, None, "{change:?}");
            } else if change.field.is_none() {
                assert_eq!(change.change, ChangeKind::TypeChanged, "{change:?}");
                assert!(matches!(
                    change.location,
                    Location::Request | Location::Response
                ));
            }
            assert_eq!(
                change.old.is_none(),
                change.change == ChangeKind::OperationAdded,
                "{change:?}"
            );
            assert_eq!(
                change.new.is_none(),
                change.change == ChangeKind::OperationRemoved,
                "{change:?}"
            );
            assert_eq!(change.breaking, change.rule.breaking());
        }
        // Deterministic: the same trees give the same report.
        assert_eq!(report, diff_update(update), "{}", name(update));
    }
    let expected = common::listed_lines(include_str!("fixtures/api_history_expected_errors.txt"));
    assert_eq!(
        errors, expected,
        "page errors differ from fixtures/api_history_expected_errors.txt"
    );
    eprintln!(
        "{} updates diffed; v2 pages changed in {:?}",
        updates.len(),
        v2_updates
    );
}

/// A `file:line` of a page under a `v2/` directory (`v2/pay/micropay.md`, `webhook/v2/…`).
fn is_v2(at: &str) -> bool {
    at.starts_with("v2/") || at.contains("/v2/")
}

/// A reviewed dozen: each kind of change at least once, a prose-only update, an update with
/// page errors.
const PINNED: [&str; 12] = [
    "2025-02-22-bcf03b93", // encryption markers added to an answer
    "2025-02-24-3573f8d4", // optional fields added to a request struct without `Default`
    "2025-02-26-92db30f9", // strings gain documented values: they become enums
    "2025-03-02-4bd82012", // a download gains its first query parameters
    "2025-04-01-30093525", // a GET loses its documented JSON body; runtime header; encryption
    "2025-05-26-45c9927b", // links only: no API changes
    "2025-05-29-e955bb0f", // a query enum loses a value and gains another
    "2025-07-29-4309cc79", // a page moves to a new URL: removed + added
    "2025-07-31-407ae2a8", // five operations added
    "2025-09-24-02611e7a", // required flips, a renamed answer field, a page wrong on both sides
    "2025-11-06-65ed064f", // a renamed path placeholder
    "2026-01-18-bdaee0d5", // request fields moved up a level
];

#[test]
fn reviewed_updates_are_pinned() {
    let Some(history) = common::api_history() else {
        return;
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for update in PINNED {
            let report = diff_update(&history.join(update));
            let text =
                markdown::render(&report, &format!("{update}/old"), &format!("{update}/new"));
            insta::assert_snapshot!(format!("api_history@{update}"), text);
        }
    });
}

/// `(operation, location, field, change, before, after, breaking, old, new)` of one change.
fn find<'a>(
    report: &'a Report,
    operation: &str,
    field: Option<&str>,
    change: ChangeKind,
) -> &'a diff::Change {
    report
        .changes
        .iter()
        .find(|c| c.operation == operation && c.field.as_deref() == field && c.change == change)
        .unwrap_or_else(|| panic!("no {change:?} of {field:?} in {operation}: {report:#?}"))
}

#[test]
fn hand_checked_an_added_operation() {
    // `new/` alone holds `partner/transfer-bills.md`, a `{#post}` page (发起转账) at line 6.
    let Some(report) = update_report("2025-07-31-407ae2a8") else {
        return;
    };
    let change = find(
        &report,
        "POST /v3/fund-app/mch-transfer/partner/transfer-bills",
        None,
        ChangeKind::OperationAdded,
    );
    assert_eq!(change.location, Location::Operation);
    assert!(!change.breaking);
    assert_eq!(change.after, "发起转账");
    assert_eq!(change.old, None);
    assert_eq!(
        change.new.as_deref(),
        Some("v3/fund-app/mch-transfer/partner/transfer-bills.md:6")
    );
    // The page that exists on both sides only marks `user_name` as encrypted.
    let change = find(
        &report,
        "GET /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}",
        Some("user_name"),
        ChangeKind::EncryptionChanged,
    );
    assert_eq!(
        (&change.before, &change.after),
        (&serde_json::Value::Null, &"by-rsa-pubkey".into())
    );
    assert_eq!(report.changes.len(), 6);
    assert_eq!(report.breaking(), 0);
}

#[test]
fn hand_checked_a_removed_field_and_a_required_flip() {
    // transactions/{transaction_id}.md line 107: `| id {data-required} | string | 微信支付订单号`
    // becomes `| transaction_id {data-required} | …`; transactions.md lines 18–25 gain
    // `data-required` on six request fields and the page gains an answer table.
    let Some(report) = update_report("2025-09-24-02611e7a") else {
        return;
    };
    let op = "GET /v3/global/papay/transactions/{transaction_id}";
    let removed = find(&report, op, Some("id"), ChangeKind::FieldRemoved);
    assert_eq!(removed.location, Location::Response);
    assert!(removed.breaking);
    assert_eq!(removed.rule, Rule::ResponseFieldRemoved);
    assert_eq!(
        removed.before,
        serde_json::json!({"type": "string", "required": true})
    );
    assert_eq!(
        removed.old.as_deref(),
        Some("v3/global/papay/transactions/{transaction_id}.md:107")
    );
    let added = find(&report, op, Some("transaction_id"), ChangeKind::FieldAdded);
    assert!(!added.breaking);
    assert_eq!(
        added.new.as_deref(),
        Some("v3/global/papay/transactions/{transaction_id}.md:107")
    );

    let op = "POST /v3/global/papay/transactions";
    let flipped: Vec<&str> = report
        .changes
        .iter()
        .filter(|c| c.operation == op && c.change == ChangeKind::RequiredChanged)
        .map(|c| {
            assert_eq!((c.location, c.breaking), (Location::Request, true));
            assert_eq!((&c.before, &c.after), (&false.into(), &true.into()));
            c.field.as_deref().unwrap()
        })
        .collect();
    assert_eq!(
        flipped,
        [
            "description",
            "notify_url",
            "out_trade_no",
            "merchant_category_code",
            "contract_id",
            "amount"
        ]
    );
    let description = find(
        &report,
        op,
        Some("description"),
        ChangeKind::RequiredChanged,
    );
    assert_eq!(
        description.old.as_deref(),
        Some("v3/global/papay/transactions.md:18")
    );
    assert_eq!(
        description.new.as_deref(),
        Some("v3/global/papay/transactions.md:18")
    );
    let answer = find(&report, op, None, ChangeKind::TypeChanged);
    assert_eq!(
        (&answer.before, &answer.after),
        (&"empty".into(), &"json".into())
    );
    // The third page fails on both sides and is listed, not dropped.
    assert_eq!(report.errors.len(), 2);
}

#[test]
fn hand_checked_a_moved_page_and_a_renamed_placeholder() {
    // The old page becomes a redirect stub ("Moved to /openapi/v3/papay/sign/…"): the URL
    // changes, so the operation is removed and another added.
    let Some(report) = update_report("2025-07-29-4309cc79") else {
        return;
    };
    let kinds: Vec<(&str, ChangeKind)> = report
        .changes
        .iter()
        .map(|c| (c.operation.as_str(), c.change))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "POST /v3/papay/entrust-sign/contracts/pre-entrust-sign",
                ChangeKind::OperationRemoved
            ),
            (
                "POST /v3/papay/sign/contracts/pre-entrust-sign",
                ChangeKind::OperationAdded
            ),
        ]
    );
    // `merchant/{merchant_code}/…` moves to `merchant/{sub_mchid}/…`: one operation whose
    // placeholder is renamed.
    let Some(report) = update_report("2025-11-06-65ed064f") else {
        return;
    };
    let op = "GET /v3/mchalterapply/merchantnamealterapplyment/merchant/{sub_mchid}/out-request-no/{out_request_no}";
    let renamed: Vec<(&str, ChangeKind, Rule)> = report
        .changes
        .iter()
        .filter(|c| c.operation == op && c.location == Location::Path)
        .map(|c| (c.field.as_deref().unwrap(), c.change, c.rule))
        .collect();
    assert_eq!(
        renamed,
        [
            ("sub_mchid", ChangeKind::FieldAdded, Rule::PathParamRenamed),
            (
                "merchant_code",
                ChangeKind::FieldRemoved,
                Rule::PathParamRenamed
            ),
        ]
    );
    assert!(
        !report
            .changes
            .iter()
            .any(|c| c.change == ChangeKind::OperationRemoved)
    );
}

#[test]
fn hand_checked_a_prose_only_update() {
    // Only the closing `参阅` links change.
    let Some(report) = update_report("2025-05-26-45c9927b") else {
        return;
    };
    assert_eq!(report, Report::default());
    assert!(markdown::render(&report, "old", "new").ends_with("no API changes.\n"));
}
