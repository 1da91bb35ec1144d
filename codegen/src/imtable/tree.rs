//! Builds field trees from table rows: `data-indent` nesting, decoded content after a divider
//! under a string, and one-of variants separated by dividers (FORMATS.md A.8, A.9).

use crate::ir::{Decoded, Field, FieldType, ItemType};
use crate::names::{self, Scope};

use super::enums::enum_values;
use super::rows::{FieldRow, Row, TypeToken};

/// A node of the tree being built; `parent` indexes the arena.
struct Node {
    field: Field,
    indent: usize,
    parent: Option<usize>,
    /// Variant group within the parent container.
    group: u32,
    /// The node's own children are decoded content (it is a string followed by a divider).
    decoded: bool,
    /// Variant group counter of this node as a container.
    groups: u32,
}

/// The result of a table: its top-level fields, and top-level variants if any.
#[derive(Debug, Default)]
pub struct Tree {
    pub fields: Vec<Field>,
    pub variants: Vec<Vec<Field>>,
}

/// Builds the tree of a table's rows. Errors are `(line, message)`.
pub fn build(rows: &[Row]) -> Result<Tree, (u32, String)> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut root_groups = 0u32;
    // Node most recently seen at each indent: the parent for the next indent level.
    let mut last_at_indent: Vec<usize> = Vec::new();
    let mut divider_pending = false;

    for row in rows {
        let row = match row {
            Row::Divider => {
                divider_pending = true;
                continue;
            }
            Row::Placeholder(_) => continue,
            Row::Field(row) => row,
        };
        let previous = nodes.len().checked_sub(1);
        let previous_indent = previous.map_or(0, |p| nodes[p].indent);
        if row.indent > previous_indent + 1 || (previous.is_none() && row.indent > 0) {
            return Err((
                row.line,
                format!(
                    "`{}` jumps from indent {} to {}: its parent is missing",
                    row.name,
                    if previous.is_none() {
                        0
                    } else {
                        previous_indent
                    },
                    row.indent
                ),
            ));
        }
        last_at_indent.truncate(row.indent + 1);

        if std::mem::take(&mut divider_pending) {
            let starts_decoded = previous
                .filter(|_| row.indent == previous_indent + 1)
                .and_then(|p| decoded_owner(&nodes, p));
            match starts_decoded {
                Some(owner) => {
                    nodes[owner].decoded = true;
                    last_at_indent[row.indent - 1] = owner;
                }
                None => {
                    let container = row.indent.checked_sub(1).map(|i| last_at_indent[i]);
                    match container {
                        Some(c) => nodes[c].groups += 1,
                        None => root_groups += 1,
                    }
                }
            }
        }

        let parent = row.indent.checked_sub(1).map(|i| last_at_indent[i]);
        if let Some(p) = parent {
            let owner = &nodes[p];
            if !owner.field.has_struct() && !owner.decoded {
                return Err((
                    row.line,
                    format!(
                        "`{}` is nested under `{}`, a {} without children, and no `{{colspan=3 .im-table-line}}` divider announces decoded content",
                        row.name,
                        owner.field.name,
                        type_name(&owner.field)
                    ),
                ));
            }
        }
        let group = parent.map_or(root_groups, |p| nodes[p].groups);
        if let Some(twin) = nodes
            .iter()
            .find(|n| n.parent == parent && n.group == group && n.field.name == row.name)
        {
            return Err((
                row.line,
                format!(
                    "duplicate field `{}` (first declared on line {}) without a divider separating variants",
                    row.name, twin.field.line
                ),
            ));
        }
        let field = field_of(row)?;
        if row.indent < last_at_indent.len() {
            last_at_indent[row.indent] = nodes.len();
        } else {
            last_at_indent.push(nodes.len());
        }
        nodes.push(Node {
            field,
            indent: row.indent,
            parent,
            group,
            decoded: false,
            groups: 0,
        });
    }
    Ok(assemble(nodes, root_groups))
}

/// The string field that owns decoded content after a divider following node `p`: `p` itself
/// when it is a string; otherwise its nearest earlier encrypted/encoded sibling (two webhook pages
/// put the divider one row late).
fn decoded_owner(nodes: &[Node], p: usize) -> Option<usize> {
    let is_string = |n: &Node| n.field.ty == FieldType::String && n.field.fields.is_empty();
    if is_string(&nodes[p]) && !nodes[p].field.has_struct() {
        return Some(p);
    }
    (0..p).rev().find(|&i| {
        nodes[i].parent == nodes[p].parent
            && is_string(&nodes[i])
            && (nodes[i].field.encrypted.is_some() || nodes[i].field.encoded.is_some())
    })
}

fn type_name(field: &Field) -> &'static str {
    match (field.ty, field.items) {
        (FieldType::String, _) => "string",
        (FieldType::Integer, _) => "integer",
        (FieldType::Number, _) => "number",
        (FieldType::Boolean, _) => "boolean",
        (FieldType::Object, _) => "object",
        (FieldType::Array, _) => "array of scalars",
    }
}

fn field_of(row: &FieldRow) -> Result<Field, (u32, String)> {
    let (ty, items) = match row.ty {
        TypeToken::String => (FieldType::String, None),
        TypeToken::Integer => (FieldType::Integer, None),
        TypeToken::Number => (FieldType::Number, None),
        TypeToken::Boolean | TypeToken::TrueLiteral => (FieldType::Boolean, None),
        TypeToken::Object => (FieldType::Object, None),
        TypeToken::ObjectArray => (FieldType::Array, Some(ItemType::Object)),
        TypeToken::StringArray => (FieldType::Array, Some(ItemType::String)),
        TypeToken::NumberArray => (FieldType::Array, Some(ItemType::Number)),
        TypeToken::IntegerArray => (FieldType::Array, Some(ItemType::Integer)),
    };
    let mut field = Field::new(&row.name, ty, row.line);
    field.items = items;
    field.required = row.required;
    field.encrypted = row.encrypted;
    field.encoded = row.encoded;
    field.description = description_text(&row.description);
    field.enum_values =
        enum_values(&row.description).map_err(|e| (row.line, format!("`{}`: {e}", row.name)))?;
    Ok(field)
}

/// Plain text of a description cell: `<br/>` as line breaks, `\|` unescaped.
pub fn description_text(raw: &str) -> String {
    raw.replace("<br/>", "\n")
        .replace("\\|", "|")
        .trim()
        .to_owned()
}

fn assemble(nodes: Vec<Node>, root_groups: u32) -> Tree {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        match node.parent {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let (fields, variants) = collect(&roots, root_groups, &children, &mut slots);
    Tree { fields, variants }
}

/// Fields of one container; with variant groups, all of them go to `variants`.
fn collect(
    members: &[usize],
    groups: u32,
    children: &[Vec<usize>],
    slots: &mut [Option<Node>],
) -> (Vec<Field>, Vec<Vec<Field>>) {
    let mut by_group: Vec<Vec<Field>> = vec![Vec::new(); groups as usize + 1];
    for &i in members {
        let Some(node) = slots[i].take() else {
            continue;
        };
        let group = node.group as usize;
        let field = finish(node, &children[i], children, slots);
        by_group[group].push(field);
    }
    if groups == 0 {
        (by_group.pop().unwrap_or_default(), Vec::new())
    } else {
        by_group.retain(|g| !g.is_empty());
        (Vec::new(), by_group)
    }
}

fn finish(
    node: Node,
    members: &[usize],
    children: &[Vec<usize>],
    slots: &mut [Option<Node>],
) -> Field {
    let mut field = node.field;
    let (mut fields, mut variants) = collect(members, node.groups, children, slots);
    unique_rust_names(&mut fields);
    variants.iter_mut().for_each(|v| unique_rust_names(v));
    if node.decoded {
        field.decoded = Some(Box::new(Decoded { fields, variants }));
    } else {
        field.fields = fields;
        field.variants = variants;
    }
    field
}

/// Makes sibling Rust names unique (wire names may differ only in case or punctuation).
pub fn unique_rust_names(fields: &mut [Field]) {
    let mut scope = Scope::new();
    for field in fields {
        field.rust_name = scope.unique_field(names::field_ident(&field.name));
    }
}
