//! The markdown report, for a pull request: a summary line, then one table per operation with
//! each change marked **breaking** or additive and the rule's reason, then the pages that could
//! not be read.

use std::fmt::Write as _;

use serde_json::Value;

use super::report::{Change, ChangeKind, Location, Report, Side};
use super::rules::Rule;

/// Renders `report`; `old` and `new` name the trees in the summary line.
pub fn render(report: &Report, old: &str, new: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", summary(report, old, new));
    let mut rest = report.changes.as_slice();
    while let Some(first) = rest.first() {
        let count = rest
            .iter()
            .take_while(|c| c.operation == first.operation)
            .count();
        let (group, tail) = rest.split_at(count);
        operation(&mut out, group);
        rest = tail;
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "\n### Pages that could not be read\n");
        for error in &report.errors {
            let side = match error.side {
                Side::Old => "old",
                Side::New => "new",
            };
            let _ = writeln!(out, "- {side} `{}`: {}", error.file, cell(&error.message));
        }
    }
    out
}

/// The line on top: counts, or "no API changes".
pub fn summary(report: &Report, old: &str, new: &str) -> String {
    let errors = match report.errors.len() {
        0 => String::new(),
        1 => "; 1 page could not be read".to_owned(),
        n => format!("; {n} pages could not be read"),
    };
    if report.changes.is_empty() {
        return format!("**API diff** `{old}` → `{new}`: no API changes{errors}.");
    }
    let breaking = report.breaking();
    let additive = report.changes.len() - breaking;
    let operations = report.operations();
    format!(
        "**API diff** `{old}` → `{new}`: {}, {additive} additive, in {operations} operation{}{errors}.",
        match breaking {
            0 => "0 breaking".to_owned(),
            n => format!("**{n} breaking**"),
        },
        if operations == 1 { "" } else { "s" },
    )
}

fn operation(out: &mut String, changes: &[Change]) {
    let name = &changes[0].operation;
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let mark = if breaking > 0 {
        format!(" — {breaking} breaking")
    } else {
        String::new()
    };
    let _ = writeln!(out, "\n### `{name}`{mark}\n");
    // One file per side for the whole operation (the usual case): named once, lines in rows.
    let files = common_files(changes);
    if let Some((old, new)) = &files {
        let _ = match (old, new) {
            (Some(old), Some(new)) if old == new => writeln!(out, "`{old}`\n"),
            (old, new) => writeln!(out, "{} → {}\n", file_cell(old), file_cell(new)),
        };
    }
    let _ = writeln!(
        out,
        "| | location | field | change | why | {} |",
        if files.is_some() { "lines" } else { "source" }
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for change in changes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            if change.breaking {
                "**breaking**"
            } else {
                "additive"
            },
            change.location.name(),
            change
                .field
                .as_deref()
                .map_or("—".to_owned(), |f| format!("`{f}`")),
            cell(&describe(change)),
            cell(change.rule.why()),
            if files.is_some() {
                lines(change)
            } else {
                sources(change)
            },
        );
    }
}

/// `file:line` split into its file and line.
fn split(at: Option<&str>) -> (Option<&str>, Option<&str>) {
    match at.and_then(|a| a.rsplit_once(':')) {
        Some((file, line)) => (Some(file), Some(line)),
        None => (None, None),
    }
}

/// The old and the new file when every change of the group names the same ones.
fn common_files(changes: &[Change]) -> Option<(Option<String>, Option<String>)> {
    fn files(c: &Change) -> (Option<&str>, Option<&str>) {
        (split(c.old.as_deref()).0, split(c.new.as_deref()).0)
    }
    let first = files(&changes[0]);
    changes
        .iter()
        .all(|c| files(c) == first)
        .then(|| (first.0.map(str::to_owned), first.1.map(str::to_owned)))
}

fn file_cell(file: &Option<String>) -> String {
    file.as_deref().map_or("—".to_owned(), |f| format!("`{f}`"))
}

/// `31 → 33`: the lines of a change whose files the heading names.
fn lines(change: &Change) -> String {
    let line = |at: Option<&str>| split(at).1.unwrap_or("—").to_owned();
    format!(
        "{} → {}",
        line(change.old.as_deref()),
        line(change.new.as_deref())
    )
}

/// What changed, in words.
fn describe(change: &Change) -> String {
    let (before, after) = (&change.before, &change.after);
    match change.change {
        ChangeKind::OperationAdded => format!("operation added: {}", text(after)),
        ChangeKind::OperationRemoved => format!("operation removed: {}", text(before)),
        ChangeKind::NotificationAdded => format!("notification added: {}", text(after)),
        ChangeKind::NotificationRemoved => format!("notification removed: {}", text(before)),
        ChangeKind::FieldAdded => format!("added ({})", shape(after)),
        ChangeKind::FieldRemoved => format!("removed (was {})", shape(before)),
        ChangeKind::RequiredChanged => format!("{} → {}", presence(before), presence(after)),
        ChangeKind::TypeChanged if change.field.is_none() => format!(
            "{} `{}` → `{}`",
            if change.location == Location::Response {
                "answer"
            } else {
                "body"
            },
            text(before),
            text(after)
        ),
        ChangeKind::TypeChanged => format!("`{}` → `{}`", text(before), text(after)),
        ChangeKind::EnumValuesAdded => format!("values added: {}", values(after, before)),
        ChangeKind::EnumValuesRemoved => format!("values removed: {}", values(before, after)),
        ChangeKind::EncryptionChanged => {
            format!("encryption {} → {}", marker(before), marker(after))
        }
        ChangeKind::SecurityChanged => {
            format!("client certificate {} → {}", needed(before), needed(after))
        }
        ChangeKind::NoncelessChanged => format!("`nonce_str` {} → {}", nonce(before), nonce(after)),
        ChangeKind::FragmentChanged => {
            format!("URL fragment {} → {}", marker(before), marker(after))
        }
        ChangeKind::EncodingChanged => {
            format!("encoding {} → {}", marker(before), marker(after))
        }
        ChangeKind::IndexedChanged => match change.rule {
            Rule::IndexedGroupRenamed => {
                format!(
                    "template group renamed `{}` → `{}`",
                    text(before),
                    text(after)
                )
            }
            Rule::IndexedGroupBecomesField => format!(
                "template group `{}` → field `{}`",
                text(before),
                text(after)
            ),
            _ => format!(
                "field `{}` → template group `{}`",
                text(before),
                text(after)
            ),
        },
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn shape(value: &Value) -> String {
    format!(
        "{} `{}`",
        presence(&value["required"]),
        value["type"].as_str().unwrap_or_default()
    )
}

fn presence(required: &Value) -> &'static str {
    if required.as_bool() == Some(true) {
        "required"
    } else {
        "optional"
    }
}

fn needed(value: &Value) -> &'static str {
    if value.as_bool() == Some(true) {
        "required"
    } else {
        "not required"
    }
}

fn nonce(nonceless: &Value) -> &'static str {
    if nonceless.as_bool() == Some(true) {
        "not sent"
    } else {
        "signed"
    }
}

fn marker(value: &Value) -> String {
    value
        .as_str()
        .map_or("none".to_owned(), |m| format!("`{m}`"))
}

/// The values of `these` not in `others`, backticked.
fn values(these: &Value, others: &Value) -> String {
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let others = list(others);
    list(these)
        .into_iter()
        .filter(|v| !others.contains(v))
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Both `file:line`s in full.
fn sources(change: &Change) -> String {
    let at = |a: Option<&str>| a.map_or("—".to_owned(), |a| format!("`{a}`"));
    format!(
        "{} → {}",
        at(change.old.as_deref()),
        at(change.new.as_deref())
    )
}

/// A table cell: no pipes, no line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
