//! The same operation read from its wechatpay.js.org (twoslash) page and its wechatpay.im
//! (im-table) page must have the same field trees.
//!
//! Compared: method and path (the pairing key), body and response kinds, and for path params,
//! query, headers, body and response fields: names, types and array item types, recursively.
//! `integer` (im-table) and `number` (TypeScript has no integer) agree; a twoslash `[]` (array of
//! undocumented elements) agrees with any array.
//!
//! Not compared: required flags. The TypeScript pages mark most fields required (FORMATS.md B.5:
//! 627 of 1752 shared JSON fields are optional in im-table but required in TypeScript), so when
//! both sources are given **im-table wins**; the test counts the disagreements for information.
//! Also not compared: descriptions, enums, formats (twoslash has no descriptions; enums and
//! `date-time` are hints im-table states differently).
//!
//! Genuine documentation differences are listed with their reason in
//! `fixtures/twoslash_cross_format_allowed.txt`; any other difference fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use codegen::frontend::{Outcome, read_page};
use codegen::ir::{Field, FieldType, ItemType, Operation};
use codegen::spec_tree;
use codegen::twoslash::adopt_required_flags;

mod common;

fn operations(root: &Path, relative: &str) -> Result<Vec<Operation>, String> {
    let location = root.join(relative);
    let bytes = std::fs::read(&location).map_err(|e| format!("{relative}: {e}"))?;
    match read_page(relative, &location.to_string_lossy(), &bytes) {
        Outcome::Page(page) => Ok(page.operations),
        Outcome::Skipped(reason) => Err(format!("{relative}: skipped: {reason}")),
        Outcome::Failed(diagnostics) => Err(diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")),
    }
}

/// The comparable type of a field: integer and number are one kind.
fn kind(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String => "string",
        FieldType::Integer | FieldType::Number => "number",
        FieldType::Boolean => "boolean",
        FieldType::Object => "object",
        FieldType::Array => "array",
    }
}

fn item_kind(items: Option<ItemType>) -> &'static str {
    match items {
        None => "?",
        Some(ItemType::String) => "string",
        Some(ItemType::Integer | ItemType::Number) => "number",
        Some(ItemType::Boolean) => "boolean",
        Some(ItemType::Object) => "object",
    }
}

fn type_name(field: &Field) -> String {
    if field.ty == FieldType::Array {
        format!("{}[]", item_kind(field.items))
    } else {
        kind(field.ty).to_owned()
    }
}

#[derive(Default)]
struct Comparison {
    differences: Vec<String>,
    fields_compared: usize,
    fields_agreeing: usize,
    required_disagreements: usize,
}

impl Comparison {
    /// `twoslash` and `imtable` are sibling lists under `at` (`body`, `response.data`, …).
    fn fields(&mut self, at: &str, twoslash: &[Field], imtable: &[Field]) {
        let imtable_by_name: BTreeMap<&str, &Field> =
            imtable.iter().map(|f| (f.name.as_str(), f)).collect();
        let twoslash_names: BTreeSet<&str> = twoslash.iter().map(|f| f.name.as_str()).collect();
        for b in twoslash {
            let path = format!("{at}.{}", b.name);
            self.fields_compared += 1;
            let Some(a) = imtable_by_name.get(b.name.as_str()) else {
                self.differences.push(format!("{path}: only in twoslash"));
                continue;
            };
            if a.required != b.required {
                self.required_disagreements += 1;
            }
            let same_type = kind(a.ty) == kind(b.ty)
                && (a.ty != FieldType::Array
                    || b.items.is_none()
                    || item_kind(a.items) == item_kind(b.items));
            if !same_type {
                self.differences.push(format!(
                    "{path}: twoslash {} but im-table {}",
                    type_name(b),
                    type_name(a)
                ));
                continue;
            }
            let before = self.differences.len();
            self.fields(&path, &b.fields, &a.fields);
            if self.differences.len() == before {
                self.fields_agreeing += 1;
            }
        }
        for a in imtable {
            if !twoslash_names.contains(a.name.as_str()) {
                self.fields_compared += 1;
                self.differences
                    .push(format!("{at}.{}: only in im-table", a.name));
            }
        }
    }

    fn operation(&mut self, twoslash: &Operation, imtable: &Operation) {
        if twoslash.body.kind != imtable.body.kind {
            self.differences.push(format!(
                "body: twoslash {:?} but im-table {:?}",
                twoslash.body.kind, imtable.body.kind
            ));
        }
        if twoslash.response.kind != imtable.response.kind {
            self.differences.push(format!(
                "response: twoslash {:?} but im-table {:?}",
                twoslash.response.kind, imtable.response.kind
            ));
        }
        self.fields("path", &twoslash.path_params, &imtable.path_params);
        self.fields("query", &twoslash.query, &imtable.query);
        self.fields("headers", &twoslash.headers, &imtable.headers);
        self.fields("body", &twoslash.body.fields, &imtable.body.fields);
        self.fields(
            "response",
            &twoslash.response.fields,
            &imtable.response.fields,
        );
    }
}

/// `difference` lines, each followed by an indented `reason:` line.
fn allowed() -> BTreeMap<String, String> {
    common::reasoned_lines(include_str!("fixtures/twoslash_cross_format_allowed.txt"))
}

#[test]
fn twoslash_and_imtable_pages_agree() {
    let (Some(twoslash_root), Some(imtable_root)) = (
        common::corpus("wechatpay.js.org"),
        common::corpus("wechatpay.im"),
    ) else {
        return;
    };
    let files =
        spec_tree::markdown_files(&twoslash_root.join("openapi/v3")).expect("corpus is readable");
    let allowed = allowed();
    let mut comparison = Comparison::default();
    let mut unreadable = Vec::new();
    let (mut paired, mut agreeing) = (0, 0);
    for file in &files {
        let relative = file
            .strip_prefix(&twoslash_root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(twoslash_ops) = operations(&twoslash_root, &relative) else {
            continue;
        };
        let imtable_ops = match operations(&imtable_root, &relative) {
            Ok(ops) => ops,
            Err(error) => {
                unreadable.push(error);
                continue;
            }
        };
        for b in &twoslash_ops {
            let Some(a) = imtable_ops
                .iter()
                .find(|a| a.method == b.method && a.path == b.path)
            else {
                comparison.differences.push(format!(
                    "{relative} {} {}: no im-table operation with this method and path",
                    b.method.lower(),
                    b.path
                ));
                continue;
            };
            paired += 1;
            let mut one = Comparison::default();
            one.operation(b, a);
            let prefix = format!("{relative} {}", b.method.lower());
            if one.differences.is_empty() {
                agreeing += 1;
            }
            let mut adopted = b.clone();
            adopt_required_flags(&mut adopted, a);
            let mut after = Comparison::default();
            after.operation(&adopted, a);
            assert_eq!(
                after.required_disagreements, 0,
                "{prefix}: im-table required flags must win"
            );
            comparison.fields_compared += one.fields_compared;
            comparison.fields_agreeing += one.fields_agreeing;
            comparison.required_disagreements += one.required_disagreements;
            comparison
                .differences
                .extend(one.differences.into_iter().map(|d| format!("{prefix} {d}")));
        }
    }
    let unexpected: Vec<&String> = comparison
        .differences
        .iter()
        .filter(|d| !allowed.contains_key(*d))
        .collect();
    let stale: Vec<&String> = allowed
        .keys()
        .filter(|d| !comparison.differences.contains(d))
        .collect();
    eprintln!(
        "cross-format: {paired} operations paired, {agreeing} agree exactly ({:.1}%); \
         fields {}/{} agree; {} required-flag disagreements (im-table wins); \
         {} allowed differences; {} im-table pages unreadable",
        100.0 * agreeing as f64 / paired.max(1) as f64,
        comparison.fields_agreeing,
        comparison.fields_compared,
        comparison.required_disagreements,
        allowed.len(),
        unreadable.len(),
    );
    for error in &unreadable {
        eprintln!("  unreadable: {error}");
    }
    assert!(
        unexpected.is_empty(),
        "{} unexplained differences:\n{}",
        unexpected.len(),
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        stale.is_empty(),
        "allowed differences that no longer occur: {stale:#?}"
    );
}
