//! Comparing two field trees: members matched by wire name, level by level; each difference
//! becomes a [`Change`] judged by [`rules`](super::rules).

use serde_json::{Value, json};

use crate::indexed;
use crate::ir::{Encoding, Encryption, Field, FieldType, ItemType};

use super::report::{Change, ChangeKind, Location};
use super::rules::{self, Parent, Rule, Slot};

/// The members of one level (a location's root or one field's children) on one side.
pub struct Level<'a> {
    pub members: Vec<(&'a Field, Slot)>,
    /// What the level is in the generated API (decides the rule of a member added to it).
    pub shape: Parent,
    /// The line that stands for the level: the parent field's row, or the operation heading.
    pub line: u32,
}

impl<'a> Level<'a> {
    /// A location root whose members all sit in `slot`.
    pub fn root(fields: &'a [Field], slot: Slot, shape: Parent, line: u32) -> Level<'a> {
        Level {
            members: fields.iter().map(|f| (f, slot)).collect(),
            shape,
            line,
        }
    }

    /// The children of `field`, which sits in `slot`: its members, the members of its one-of
    /// alternatives not among them, and the fields of its decoded content (generated for an
    /// APIv2 (`v2`) `by-json_encode` element, documentation elsewhere).
    pub fn children(field: &'a Field, slot: Slot, v2: bool) -> Level<'a> {
        let resource = slot == Slot::Resource;
        let has_members =
            !field.fields.is_empty() || (resource && field.variants.iter().any(|v| !v.is_empty()));
        // The emitter makes a struct of an object's (or object array's) documented members; a
        // notification resource merges the alternatives in too.
        let structured = matches!(
            slot,
            Slot::Request | Slot::Meta | Slot::Response | Slot::Resource
        ) && field.has_struct()
            && has_members;
        let member_slot = if structured { slot } else { Slot::DocOnly };
        let variant_slot = if structured && resource {
            slot
        } else {
            Slot::DocOnly
        };
        // A multipart part's decoded content is the `meta` struct; elsewhere it is prose.
        // The decrypted content of a v2 notification's encrypted element is its resource,
        // compared on its own.
        let resource_element = v2 && resource && field.encrypted.is_some();
        let decoded = field.decoded.as_deref().filter(|_| !resource_element);
        let documented = decoded.is_some_and(|d| !d.fields.is_empty());
        let meta = slot == Slot::Part && documented;
        // An APIv2 JSON-in-a-string element is a struct carried as JSON text (`JsonText`).
        let json_text = v2 && slot.typed() && json_encoded(field) && documented;
        let decoded_slot = if meta {
            Slot::Meta
        } else if json_text {
            slot
        } else {
            Slot::DocOnly
        };

        let mut members: Vec<(&Field, Slot)> = Vec::new();
        let mut push = |field: &'a Field, slot: Slot| {
            if !members.iter().any(|(f, _)| f.name == field.name) {
                members.push((field, slot));
            }
        };
        for child in &field.fields {
            push(child, member_slot);
        }
        for child in field.variants.iter().flatten() {
            push(child, variant_slot);
        }
        if let Some(decoded) = decoded {
            for child in &decoded.fields {
                push(child, decoded_slot);
            }
            for child in decoded.variants.iter().flatten() {
                push(child, Slot::DocOnly);
            }
        }
        let shape = if structured {
            Parent::Struct {
                default: rules::struct_is_default(&field.fields),
            }
        } else if meta || json_text {
            Parent::Struct {
                default: rules::struct_is_default(decoded.map_or(&[][..], |d| &d.fields)),
            }
        } else {
            Parent::NotStruct
        };
        Level {
            members,
            shape,
            line: field.line,
        }
    }
}

/// Compares field trees of one location of one operation, appending to `out`.
pub struct Walk<'a> {
    pub operation: &'a str,
    pub location: Location,
    pub old_source: &'a str,
    pub new_source: &'a str,
    /// An APIv2 operation or notification: its JSON-in-a-string content is generated.
    pub v2: bool,
    pub out: &'a mut Vec<Change>,
}

/// How the members of two levels correspond.
struct Matching {
    /// For each new member, the old member it continues, by index.
    paired: Vec<Option<usize>>,
    /// `(old, new)`: an old plain field that turned into (an element of) a new numbered
    /// template group, or an old group that turned into a new plain field.
    flipped: Vec<(usize, usize)>,
}

impl Matching {
    /// Members match by wire name; then a numbered template group by its index (its name
    /// follows the common prefix of its templates); then what is left of plain fields and
    /// groups by [`belongs`] (`coupon_fee_0` or `coupon_fee` to the group of `coupon_fee_$n`).
    fn new(old: &Level<'_>, new: &Level<'_>) -> Matching {
        let mut paired: Vec<Option<usize>> = new
            .members
            .iter()
            .map(|(n, _)| old.members.iter().position(|(o, _)| o.name == n.name))
            .collect();
        let free_old = |paired: &[Option<usize>], i: usize| {
            !paired.contains(&Some(i))
                && !new
                    .members
                    .iter()
                    .any(|(n, _)| n.name == old.members[i].0.name)
        };
        for (j, (n, _)) in new.members.iter().enumerate() {
            let Some(index) = n.indexed.as_ref().filter(|_| paired[j].is_none()) else {
                continue;
            };
            // Groups pair by their index, whatever their templates now name them after.
            paired[j] =
                (0..old.members.len()).find(|&i| {
                    free_old(&paired, i)
                        && old.members[i].0.indexed.as_ref().is_some_and(|o| {
                            (&o.index, &o.indices) == (&index.index, &index.indices)
                        })
                });
        }
        // An old plain field flips into one group; a new plain field comes out of one group.
        let mut flipped: Vec<(usize, usize)> = Vec::new();
        for (j, (n, _)) in new.members.iter().enumerate() {
            if paired[j].is_some() {
                continue;
            }
            for (i, (o, _)) in old.members.iter().enumerate() {
                let flips = match (o.indexed.is_some(), n.indexed.is_some()) {
                    (false, true) => belongs(&o.name, n),
                    (true, false) => belongs(&n.name, o),
                    _ => false,
                };
                let taken = flipped.iter().any(|&(x, _)| x == i) && o.indexed.is_none();
                if flips && !taken && free_old(&paired, i) {
                    flipped.push((i, j));
                    if n.indexed.is_none() {
                        break;
                    }
                }
            }
        }
        Matching { paired, flipped }
    }
}

/// Whether the plain field `name` stands for (an element of) the numbered template `group`:
/// its name, its stem (`coupon_id` for `coupon_id_$n`), or one of its templates, by stem or
/// numbered (`coupon_fee_0` for `coupon_fee_$n`).
fn belongs(name: &str, group: &Field) -> bool {
    let stem = indexed::stem(&group.name);
    name == group.name
        || (!stem.is_empty() && name == stem)
        || group.fields.iter().any(|template| {
            name == indexed::stem(&template.name)
                || numbered(name, &template.name)
                || (template.indexed.is_some() && belongs(name, template))
        })
}

/// `coupon_refund_id_0_1` is an element name of the template `coupon_refund_id_$n_$m`.
fn numbered(name: &str, template: &str) -> bool {
    let (names, templates): (Vec<&str>, Vec<&str>) =
        (name.split('_').collect(), template.split('_').collect());
    names.len() == templates.len()
        && templates.iter().any(|t| t.starts_with('$'))
        && names.iter().zip(&templates).all(|(n, t)| {
            if t.starts_with('$') {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
            } else {
                n == t
            }
        })
}

fn json_encoded(field: &Field) -> bool {
    field.encoded == Some(Encoding::JsonEncode)
}

impl Walk<'_> {
    /// Compares two levels whose members are named from `prefix` (`""` or `a.b.`).
    pub fn level(&mut self, prefix: &str, old: &Level<'_>, new: &Level<'_>) {
        let matching = Matching::new(old, new);
        for (j, &(n, new_slot)) in new.members.iter().enumerate() {
            let flips: Vec<usize> = matching
                .flipped
                .iter()
                .filter(|&&(_, x)| x == j)
                .map(|&(i, _)| i)
                .collect();
            match matching.paired[j].map(|i| old.members[i]) {
                // A member that starts or stops being generated is added or removed, as
                // far as the Rust API goes.
                Some((o, old_slot)) if old_slot == Slot::DocOnly && new_slot != Slot::DocOnly => {
                    self.added(prefix, n, new_slot, old.shape, o.line)
                }
                Some((o, old_slot)) if old_slot != Slot::DocOnly && new_slot == Slot::DocOnly => {
                    self.removed(prefix, o, old_slot, n.line)
                }
                Some((o, old_slot)) => self.pair(prefix, o, old_slot, n, new_slot),
                None if !flips.is_empty() => {
                    for i in flips {
                        let (o, old_slot) = old.members[i];
                        self.flipped(prefix, o, old_slot, n, new_slot);
                    }
                }
                None => self.added(prefix, n, new_slot, old.shape, old.line),
            }
        }
        for (i, &(o, old_slot)) in old.members.iter().enumerate() {
            let continued =
                matching.paired.contains(&Some(i)) || matching.flipped.iter().any(|&(x, _)| x == i);
            if !continued {
                self.removed(prefix, o, old_slot, new.line);
            }
        }
    }

    /// A plain field that turned into a numbered template group, or back (`old` and `new`
    /// name the field and the group, whichever way).
    fn flipped(&mut self, prefix: &str, old: &Field, old_slot: Slot, new: &Field, slot: Slot) {
        let slot = if old_slot == Slot::DocOnly {
            old_slot
        } else {
            slot
        };
        let to_group = new.indexed.is_some();
        let plain = if to_group { old } else { new };
        self.push(
            &format!("{prefix}{}", plain.name),
            ChangeKind::IndexedChanged,
            rules::indexed_changed(slot, to_group),
            (old.line, new.line),
            json!(old.name),
            json!(new.name),
        );
    }

    fn pair(&mut self, prefix: &str, old: &Field, old_slot: Slot, new: &Field, slot: Slot) {
        let path = format!("{prefix}{}", new.name);
        let lines = (old.line, new.line);
        if old.indexed.is_some() != new.indexed.is_some() {
            // The whole type changes: nothing below compares.
            return self.flipped(prefix, old, old_slot, new, slot);
        }
        if old.name != new.name {
            self.push(
                &path,
                ChangeKind::IndexedChanged,
                rules::indexed_renamed(slot),
                lines,
                json!(old.name),
                json!(new.name),
            );
        }
        if old.required != new.required {
            let rule = rules::required_changed(slot);
            self.push(
                &path,
                ChangeKind::RequiredChanged,
                rule,
                lines,
                json!(old.required),
                json!(new.required),
            );
        }
        if type_name(old) != type_name(new) {
            let rule = rules::type_changed(slot, new);
            self.push(
                &path,
                ChangeKind::TypeChanged,
                rule,
                lines,
                json!(type_name(old)),
                json!(type_name(new)),
            );
        }
        let gained = new.enum_values.iter().any(|v| !old.enum_values.contains(v));
        let lost = old.enum_values.iter().any(|v| !new.enum_values.contains(v));
        for (differs, kind, added) in [
            (gained, ChangeKind::EnumValuesAdded, true),
            (lost, ChangeKind::EnumValuesRemoved, false),
        ] {
            if differs {
                let rule = rules::enum_changed(slot, old, new, added);
                self.push(
                    &path,
                    kind,
                    rule,
                    lines,
                    json!(old.enum_values),
                    json!(new.enum_values),
                );
            }
        }
        if old.encrypted != new.encrypted {
            let rule = rules::encryption_marker_changed(slot, old.encrypted, new.encrypted);
            self.push(
                &path,
                ChangeKind::EncryptionChanged,
                rule,
                lines,
                encryption_name(old.encrypted),
                encryption_name(new.encrypted),
            );
        }
        if self.v2 && json_encoded(old) != json_encoded(new) {
            // The type changes between `String` and a struct: its content is not compared.
            return self.push(
                &path,
                ChangeKind::EncodingChanged,
                rules::json_encoding_changed(slot),
                lines,
                encoding_name(old.encoded),
                encoding_name(new.encoded),
            );
        }
        let old_children = Level::children(old, old_slot, self.v2);
        let new_children = Level::children(new, slot, self.v2);
        self.level(&format!("{path}."), &old_children, &new_children);
    }

    fn added(&mut self, prefix: &str, field: &Field, slot: Slot, parent: Parent, old_line: u32) {
        let rule = rules::added(slot, field.required, parent);
        self.push(
            &format!("{prefix}{}", field.name),
            ChangeKind::FieldAdded,
            rule,
            (old_line, field.line),
            Value::Null,
            shape_of(field),
        );
    }

    fn removed(&mut self, prefix: &str, field: &Field, slot: Slot, new_line: u32) {
        let rule = rules::removed(slot);
        self.push(
            &format!("{prefix}{}", field.name),
            ChangeKind::FieldRemoved,
            rule,
            (field.line, new_line),
            shape_of(field),
            Value::Null,
        );
    }

    fn push(
        &mut self,
        path: &str,
        change: ChangeKind,
        rule: Rule,
        (old_line, new_line): (u32, u32),
        before: Value,
        after: Value,
    ) {
        self.out.push(Change {
            operation: self.operation.to_owned(),
            location: self.location,
            field: Some(path.to_owned()),
            change,
            before,
            after,
            breaking: rule.breaking(),
            rule,
            old: Some(format!("{}:{old_line}", self.old_source)),
            new: Some(format!("{}:{new_line}", self.new_source)),
        });
    }
}

/// The documented type as the docs write it: `string`, `integer`, `object[]`, `array`.
pub fn type_name(field: &Field) -> String {
    match (field.ty, field.items) {
        (FieldType::Array, Some(item)) => format!("{}[]", item_name(item)),
        (ty, _) => type_token(ty).to_owned(),
    }
}

fn type_token(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String => "string",
        FieldType::Integer => "integer",
        FieldType::Number => "number",
        FieldType::Boolean => "boolean",
        FieldType::Object => "object",
        FieldType::Array => "array",
    }
}

fn item_name(item: ItemType) -> &'static str {
    match item {
        ItemType::String => "string",
        ItemType::Integer => "integer",
        ItemType::Number => "number",
        ItemType::Boolean => "boolean",
        ItemType::Object => "object",
    }
}

/// `{"type": "object[]", "required": true}`: what an added or removed field was.
fn shape_of(field: &Field) -> Value {
    json!({"type": type_name(field), "required": field.required})
}

fn encoding_name(encoding: Option<Encoding>) -> Value {
    encoding.map_or(Value::Null, |e| {
        serde_json::to_value(e).unwrap_or(Value::Null)
    })
}

fn encryption_name(encryption: Option<Encryption>) -> Value {
    encryption.map_or(Value::Null, |e| {
        serde_json::to_value(e).unwrap_or(Value::Null)
    })
}
