//! Named models → a `models` module: one Rust type per business object, whichever answers and
//! notifications carry it (frontmatter `models`, see `codegen/SPEC_FORMAT.md`).
//!
//! The sources of one model are merged field by field, by wire name: a field keeps its
//! documented type and encryption, which every source documenting it must agree on (else the
//! generation fails, naming both places); enum values are the union; a field is required only
//! when every source documents it and documents it as required. Each model gets a module of its
//! own (`models::transaction::{Transaction, TransactionAmount, …}`) and is re-exported as
//! `models::Transaction`; the operations' answer types and the notifications' `Resource` are
//! aliases of it.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::diag::Diagnostic;
use crate::ir::{Field, Method, Notification, Operation};
use crate::names::{Scope, field_ident};

use super::docs::{doc_attrs, paragraphs};
use super::types::{Role, Shared, TypeEmitter, ident};

/// The module (and file, `models.rs`) models are generated into.
pub const MODULE: &str = "models";

/// One place a model is documented.
struct Source<'a> {
    /// `GET /v3/…` or `notification TRANSACTION.SUCCESS`.
    label: String,
    file: &'a str,
    fields: &'a [Field],
}

/// The `models.rs` file for every model named by `operations` (first of each method and path,
/// as [`super::generate`] keeps them) and `notifications`; `None` when none names a model.
pub fn generate(
    operations: &[Operation],
    notifications: &[Notification],
) -> Result<Option<String>, Diagnostic> {
    let models = collect(operations, notifications)?;
    if models.is_empty() {
        return Ok(None);
    }
    let mut items = Vec::new();
    for (name, sources) in &models {
        items.push(model_items(name, sources)?);
    }
    let content = quote! {
        //! Named models: one type per business object, shared by every answer and notification
        //! that carries it (the operations' answer types and the notifications' `Resource` are
        //! aliases of these).
        #![allow(rustdoc::bare_urls, clippy::module_inception)]
        #(#items)*
    };
    super::format_file(content, MODULE).map(Some)
}

fn collect<'a>(
    operations: &'a [Operation],
    notifications: &'a [Notification],
) -> Result<BTreeMap<&'a str, Vec<Source<'a>>>, Diagnostic> {
    let mut ordered: Vec<&Operation> = operations.iter().collect();
    ordered.sort_by(|a, b| (&a.path, a.method).cmp(&(&b.path, b.method)));
    let mut seen: Vec<(&str, Method)> = Vec::new();
    let mut models: BTreeMap<&str, Vec<Source<'_>>> = BTreeMap::new();
    for op in ordered {
        if seen.contains(&(op.path.as_str(), op.method)) {
            continue;
        }
        seen.push((op.path.as_str(), op.method));
        if let Some(model) = &op.model {
            models.entry(model).or_default().push(Source {
                label: format!("{} {}", op.method.lower().to_uppercase(), op.path),
                file: &op.source,
                fields: &op.response.fields,
            });
        }
    }
    let mut ordered: Vec<&Notification> = notifications.iter().collect();
    ordered.sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
    for notification in ordered {
        let Some(model) = &notification.model else {
            continue;
        };
        if !notification.resource_variants.is_empty() {
            return Err(Diagnostic::new(
                &notification.source,
                notification.line,
                format!(
                    "model `{model}`: a notification whose resource has alternative shapes cannot be a model"
                ),
            ));
        }
        models.entry(model).or_default().push(Source {
            label: format!("notification {}", notification.event_types.join(" / ")),
            file: &notification.source,
            fields: &notification.resource,
        });
    }
    Ok(models)
}

fn model_items(name: &str, sources: &[Source<'_>]) -> Result<TokenStream, Diagnostic> {
    let mut fields = sources[0].fields.to_vec();
    for source in &sources[1..] {
        merge(&mut fields, source.fields, "", source.file)?;
    }
    let mut carriers: Vec<String> = vec![format!(
        "`{name}`: one type for every answer and notification that carries it:"
    )];
    carriers.extend(
        sources
            .iter()
            .map(|s| format!("- {} (`{}`)", s.label, s.file)),
    );
    let doc = paragraphs([
        carriers.join("\n").as_str(),
        "A field is required only when all of them document it as required.",
    ]);
    let mut scope = Scope::new();
    let mut inner = Vec::new();
    let mut shared = Shared::default();
    TypeEmitter {
        scope: &mut scope,
        items: &mut inner,
        role: Role::Response,
        shared: Some(&mut shared),
    }
    .struct_for(name, &doc, &fields);
    let module = ident(&field_ident(name));
    let model = ident(name);
    let module_doc = doc_attrs(&format!("`{name}` and the types of its fields."));
    Ok(quote! {
        #module_doc
        pub mod #module {
            #(#inner)*
        }
        pub use #module::#model;
    })
}

/// Merges the fields of a further source into `into` (see the module docs for the rules).
fn merge(
    into: &mut Vec<Field>,
    from: &[Field],
    prefix: &str,
    file: &str,
) -> Result<(), Diagnostic> {
    for field in into.iter_mut() {
        if !from.iter().any(|f| f.name == field.name) {
            field.required = false;
        }
    }
    for other in from {
        let path = format!("{prefix}{}", other.name);
        if !other.variants.is_empty() {
            return Err(Diagnostic::new(
                file,
                other.line,
                format!("`{path}` has alternative shapes, which a model cannot hold"),
            ));
        }
        let Some(field) = into.iter_mut().find(|f| f.name == other.name) else {
            let mut added = other.clone();
            added.required = false;
            if into.iter().any(|f| f.rust_name == added.rust_name) {
                return Err(Diagnostic::new(
                    file,
                    other.line,
                    format!("`{path}` has the Rust name of another field of the model"),
                ));
            }
            into.push(added);
            continue;
        };
        if (field.ty, field.items) != (other.ty, other.items) {
            return Err(Diagnostic::new(
                file,
                other.line,
                format!(
                    "`{path}` is {} here but {} in an earlier source of the model (line {})",
                    type_name(other),
                    type_name(field),
                    field.line
                ),
            ));
        }
        if field.encrypted != other.encrypted {
            return Err(Diagnostic::new(
                file,
                other.line,
                format!(
                    "`{path}`: encryption {:?} here but {:?} in an earlier source of the model (line {})",
                    other.encrypted, field.encrypted, field.line
                ),
            ));
        }
        field.required &= other.required;
        for value in &other.enum_values {
            if !field.enum_values.contains(value) {
                field.enum_values.push(value.clone());
            }
        }
        if field.description.is_empty() {
            field.description = other.description.clone();
        }
        if field.has_struct() {
            merge(&mut field.fields, &other.fields, &format!("{path}."), file)?;
        }
    }
    Ok(())
}

fn type_name(field: &Field) -> String {
    match field.items {
        Some(items) => format!("{:?}[]", items).to_lowercase(),
        None => format!("{:?}", field.ty).to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{FieldType, ItemType};

    fn field(name: &str, ty: FieldType, required: bool) -> Field {
        let mut f = Field::new(name, ty, 1);
        f.required = required;
        f
    }

    #[test]
    fn required_only_when_every_source_requires_it() {
        let mut amount = field("amount", FieldType::Object, true);
        amount.fields = vec![field("total", FieldType::Integer, true)];
        let mut a = vec![
            field("id", FieldType::String, true),
            field("status", FieldType::String, true),
            amount.clone(),
        ];
        let mut amount_b = amount.clone();
        amount_b
            .fields
            .push(field("refund", FieldType::Integer, true));
        let b = vec![
            field("id", FieldType::String, true),
            field("refund_status", FieldType::String, true),
            amount_b,
        ];
        merge(&mut a, &b, "", "b.md").unwrap();
        let summary: Vec<(&str, bool)> = a.iter().map(|f| (f.name.as_str(), f.required)).collect();
        assert_eq!(
            summary,
            [
                ("id", true),
                ("status", false),
                ("amount", true),
                ("refund_status", false)
            ]
        );
        let nested: Vec<(&str, bool)> = a[2]
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.required))
            .collect();
        assert_eq!(nested, [("total", true), ("refund", false)]);
    }

    #[test]
    fn enum_values_are_united() {
        let mut state = field("state", FieldType::String, true);
        state.enum_values = vec!["A".into(), "B".into()];
        let mut other = state.clone();
        other.enum_values = vec!["B".into(), "C".into()];
        let mut a = vec![state];
        merge(&mut a, &[other], "", "b.md").unwrap();
        assert_eq!(a[0].enum_values, ["A", "B", "C"]);
    }

    #[test]
    fn conflicting_types_name_the_field_and_both_places() {
        let mut amount = field("amount", FieldType::Object, true);
        amount.fields = vec![field("total", FieldType::Integer, true)];
        let mut other = amount.clone();
        other.fields = vec![field("total", FieldType::String, true)];
        other.fields[0].line = 42;
        let err = merge(&mut vec![amount], &[other], "", "b.md").unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.md:42: `amount.total` is string here but integer in an earlier source of the model (line 1)"
        );
    }

    #[test]
    fn arrays_compare_their_items() {
        let mut list = field("list", FieldType::Array, false);
        list.items = Some(ItemType::String);
        let mut other = list.clone();
        other.items = Some(ItemType::Integer);
        let err = merge(&mut vec![list], &[other], "", "b.md").unwrap_err();
        assert!(
            err.to_string()
                .contains("`list` is integer[] here but string[]"),
            "{err}"
        );
    }
}
