//! Comparing one matched pair: an operation location by location, a notification by its
//! decrypted resource.

use serde_json::{Value, json};

use crate::emit::RUNTIME_HEADERS;
use crate::ir::{ApiVersion, BodyKind, Field, FieldType, Notification, Operation, ResponseKind};

use super::fields::{Level, Walk};
use super::report::{Change, ChangeKind, Location};
use super::rules::{self, Parent, Rule, Slot};

/// `METHOD /path/template`
pub fn operation_name(op: &Operation) -> String {
    format!("{} {}", op.method.lower().to_uppercase(), op.path)
}

/// An operation-level change: added, removed, a body or answer that changes kind.
#[allow(clippy::too_many_arguments)]
pub fn operation_change(
    operation: String,
    location: Location,
    change: ChangeKind,
    rule: Rule,
    before: Value,
    after: Value,
    old: Option<String>,
    new: Option<String>,
) -> Change {
    Change {
        operation,
        location,
        field: None,
        change,
        before,
        after,
        breaking: rule.breaking(),
        rule,
        old,
        new,
    }
}

fn at(source: &str, line: u32) -> Option<String> {
    Some(format!("{source}:{line}"))
}

/// Every change between two versions of one operation.
pub fn operations(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    let name = operation_name(new);
    flags(&name, old, new, out);
    let v2 = new.api_version == ApiVersion::V2;
    let mut walk = |location: Location, old_level: Level<'_>, new_level: Level<'_>| {
        Walk {
            operation: &name,
            location,
            old_source: &old.source,
            new_source: &new.source,
            v2,
            out: &mut *out,
        }
        .level("", &old_level, &new_level);
    };
    let (old_path, new_path) = (path_params(old), path_params(new));
    walk(
        Location::Path,
        Level::root(&old_path, Slot::Path, Parent::NotStruct, old.line),
        Level::root(&new_path, Slot::Path, Parent::NotStruct, new.line),
    );
    walk(
        Location::Query,
        Level::root(&old.query, Slot::Request, parameters(&old.query), old.line),
        Level::root(&new.query, Slot::Request, parameters(&new.query), new.line),
    );
    walk(
        Location::Header,
        headers(&old.headers, old.line),
        headers(&new.headers, new.line),
    );
    let lines = (at(&old.source, old.line), at(&new.source, new.line));
    if old.body.kind == new.body.kind {
        let slot = match old.body.kind {
            BodyKind::Multipart => Slot::Part,
            _ => Slot::Request,
        };
        let shape = Parent::Struct {
            default: rules::struct_is_default(&old.body.fields),
        };
        walk(
            Location::Request,
            Level::root(&old.body.fields, slot, shape, old.line),
            Level::root(&new.body.fields, slot, shape, new.line),
        );
    } else {
        out.push(operation_change(
            name.clone(),
            Location::Request,
            ChangeKind::TypeChanged,
            Rule::RequestBodyKindChanged,
            json!(old.body.kind),
            json!(new.body.kind),
            lines.0.clone(),
            lines.1.clone(),
        ));
    }
    if old.response.kind == new.response.kind {
        let shape = Parent::Struct { default: true };
        let mut walk = Walk {
            operation: &name,
            location: Location::Response,
            old_source: &old.source,
            new_source: &new.source,
            v2,
            out: &mut *out,
        };
        walk.level(
            "",
            &Level::root(&old.response.fields, Slot::Response, shape, old.line),
            &Level::root(&new.response.fields, Slot::Response, shape, new.line),
        );
    } else {
        out.push(operation_change(
            name,
            Location::Response,
            ChangeKind::TypeChanged,
            Rule::ResponseKindChanged,
            json!(response_kind(old.response.kind)),
            json!(response_kind(new.response.kind)),
            lines.0,
            lines.1,
        ));
    }
}

/// The APIv2 operation flags: `security`, `nonceless`, `fragment`.
fn flags(name: &str, old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    let lines = || (at(&old.source, old.line), at(&new.source, new.line));
    let mut push = |kind: ChangeKind, rule: Rule, before: Value, after: Value| {
        let (old_at, new_at) = lines();
        out.push(operation_change(
            name.to_owned(),
            Location::Operation,
            kind,
            rule,
            before,
            after,
            old_at,
            new_at,
        ));
    };
    if old.security != new.security {
        let rule = if new.security {
            Rule::SecurityAdded
        } else {
            Rule::SecurityRemoved
        };
        push(
            ChangeKind::SecurityChanged,
            rule,
            json!(old.security),
            json!(new.security),
        );
    }
    if old.nonceless != new.nonceless {
        push(
            ChangeKind::NoncelessChanged,
            Rule::NoncelessChanged,
            json!(old.nonceless),
            json!(new.nonceless),
        );
    }
    if old.fragment != new.fragment {
        push(
            ChangeKind::FragmentChanged,
            Rule::FragmentChanged,
            json!(old.fragment),
            json!(new.fragment),
        );
    }
}

fn response_kind(kind: ResponseKind) -> &'static str {
    match kind {
        ResponseKind::Json => "json",
        ResponseKind::Empty => "empty",
        ResponseKind::Binary => "binary",
        ResponseKind::Xml => "xml",
        ResponseKind::Download => "download",
    }
}

/// The placeholders of the path template, as the chain methods see them: the documented path
/// parameter of that name, or a string.
fn path_params(op: &Operation) -> Vec<Field> {
    op.path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            op.path_params
                .iter()
                .find(|p| p.name == name)
                .cloned()
                .unwrap_or_else(|| {
                    let mut field = Field::new(name, FieldType::String, op.line);
                    field.required = true;
                    field
                })
        })
        .collect()
}

/// A query or headers struct: absent without members.
fn parameters(fields: &[Field]) -> Parent {
    if fields.is_empty() {
        Parent::Absent
    } else {
        Parent::Struct {
            default: rules::struct_is_default(fields),
        }
    }
}

/// The headers: the runtime's own, and the caller's (the `headers` struct).
fn headers(fields: &[Field], line: u32) -> Level<'_> {
    let is_runtime = |f: &Field| RUNTIME_HEADERS.contains(&f.name.as_str());
    let callers: Vec<Field> = fields.iter().filter(|f| !is_runtime(f)).cloned().collect();
    Level {
        members: fields
            .iter()
            .map(|f| {
                let slot = if is_runtime(f) {
                    Slot::RuntimeHeader
                } else {
                    Slot::Request
                };
                (f, slot)
            })
            .collect(),
        shape: parameters(&callers),
        line,
    }
}

/// Every change between two versions of one notification event's resource.
/// An APIv2 notification's XML body is compared too: its elements are what the handler reads
/// (a v3 envelope is a runtime type).
pub fn notifications(key: &str, old: &Notification, new: &Notification, out: &mut Vec<Change>) {
    let v2 = new.api_version == ApiVersion::V2;
    if v2 {
        let shape = Parent::Struct { default: true };
        Walk {
            operation: key,
            location: Location::Envelope,
            old_source: &old.source,
            new_source: &new.source,
            v2,
            out: &mut *out,
        }
        .level(
            "",
            &Level::root(&old.envelope, Slot::Resource, shape, old.line),
            &Level::root(&new.envelope, Slot::Resource, shape, new.line),
        );
    }
    Walk {
        operation: key,
        location: Location::Response,
        old_source: &old.source,
        new_source: &new.source,
        v2,
        out,
    }
    .level("", &resource(old), &resource(new));
}

/// A notification's resource: its members and those of its alternatives (merged, as the
/// emitter's lenient `Resource` struct does).
fn resource(notification: &Notification) -> Level<'_> {
    let mut members: Vec<(&Field, Slot)> = Vec::new();
    let alternatives = notification.resource_variants.iter().flatten();
    for field in notification.resource.iter().chain(alternatives) {
        if !members.iter().any(|(f, _)| f.name == field.name) {
            members.push((field, Slot::Resource));
        }
    }
    Level {
        members,
        shape: Parent::Struct { default: true },
        line: notification.line,
    }
}
