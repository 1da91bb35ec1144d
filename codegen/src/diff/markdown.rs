//! The markdown report, for a pull request: a summary line, then one table per operation with
//! each change marked **breaking** or additive and the rule's reason, then the pages that could
//! not be read.

use std::fmt::Write as _;

use serde_json::Value;

use super::report::{Change, ChangeKind, Location, Report, Side};

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
    let _ = writeln!(out, "| | location | field | change | why | source |");
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
            sources(change),
        );
    }
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

/// `file:line → line` when both sides are one file, else both in full.
fn sources(change: &Change) -> String {
    match (change.old.as_deref(), change.new.as_deref()) {
        (Some(old), Some(new)) => {
            let split = |s: &str| {
                s.rsplit_once(':')
                    .map(|(f, l)| (f.to_owned(), l.to_owned()))
            };
            match (split(old), split(new)) {
                (Some((of, ol)), Some((nf, nl))) if of == nf => format!("`{of}:{ol}` → `:{nl}`"),
                _ => format!("`{old}` → `{new}`"),
            }
        }
        (Some(old), None) => format!("`{old}` → —"),
        (None, Some(new)) => format!("— → `{new}`"),
        (None, None) => "—".to_owned(),
    }
}

/// A table cell: no pipes, no line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
