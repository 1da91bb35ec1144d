//! Notifications → a `webhook` module: one module per notification page holding the typed
//! plaintext of `resource.ciphertext` (`Resource`), and `webhook::Event`, an enum over every
//! documented event type that keeps unknown events (`Event::Unknown`) instead of failing.
//!
//! Resource structs are lenient on purpose: every field is optional. Notification pages flatten
//! several shapes into one table (direct vs partner merchants, combined orders, parking… the
//! `{#VARIANT}` lists of `TRANSACTION.SUCCESS`), and their `data-required` flags hold for one
//! shape only, so a required field would reject real notifications. Divider-separated
//! alternatives (`resource_variants`, nested `variants`) are merged into one struct, fields by
//! wire name (an untagged enum of all-optional structs would always pick its first member); a
//! name documented with two different types becomes free-form JSON. Unknown fields are ignored,
//! unknown enum values kept (`Unknown(String)`), and the runtime hands out the raw plaintext too.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::diag::Diagnostic;
use crate::ir::{Field, FieldType, Notification};
use crate::names::{Scope, field_ident, type_ident};

use super::docs::{doc_attrs, paragraphs};
use super::format_file;
use super::types::{Role, TypeEmitter, ident};

/// The module (and directory) notifications are generated into.
pub const MODULE: &str = "webhook";

/// Generates `webhook/mod.rs` and one `webhook/<page>.rs` per notification. Pages in a
/// subdirectory of the webhook tree (`webhook/v3/partner/…`) form a group of their own, with
/// its own module and `Event` (`webhook::partner::Event`): the same event type can carry
/// another resource there (a service provider's payment vs a direct merchant's). With
/// `declare_v2`, `webhook/mod.rs` also declares the APIv2 notifications' `webhook::v2` (see
/// `notification_v2`).
pub fn generate(
    notifications: &[Notification],
    declare_v2: bool,
) -> Result<BTreeMap<String, String>, Diagnostic> {
    if notifications.is_empty() && declare_v2 {
        let v2 = ident(super::notification_v2::MODULE);
        let content = quote! {
            //! Typed webhook notifications.
            #![allow(rustdoc::bare_urls, clippy::module_inception)]
            /// APIv2 notifications (XML): per page its envelope, its decrypted resource and a
            /// `NotificationKind` marker.
            pub mod #v2;
        };
        let file = format!("{MODULE}/mod.rs");
        return Ok(BTreeMap::from([(file, format_file(content, MODULE)?)]));
    }
    let mut groups: BTreeMap<Vec<String>, Vec<&Notification>> = BTreeMap::new();
    groups.entry(Vec::new()).or_default();
    for notification in notifications {
        let group = group_of(&notification.source);
        for depth in 1..group.len() {
            groups.entry(group[..depth].to_vec()).or_default();
        }
        groups.entry(group).or_default().push(notification);
    }
    let mut files = BTreeMap::new();
    for (group, members) in &groups {
        let children: Vec<&str> = groups
            .keys()
            .filter(|g| g.len() == group.len() + 1 && g.starts_with(group))
            .map(|g| g[group.len()].as_str())
            .collect();
        let v2 = declare_v2 && group.is_empty();
        generate_group(group, members, &children, v2, &mut files)?;
    }
    Ok(files)
}

/// The module path of a page's group: its directories below the last `v3`, `v2` or `webhook`
/// directory, as module names.
fn group_of(source: &str) -> Vec<String> {
    let directories: Vec<&str> = source.split('/').collect();
    let directories = &directories[..directories.len().saturating_sub(1)];
    let start = directories
        .iter()
        .rposition(|d| matches!(*d, "v3" | "v2" | "webhook"))
        .map_or(0, |i| i + 1);
    directories[start..]
        .iter()
        .map(|d| field_ident(d))
        .collect()
}

fn generate_group(
    group: &[String],
    members: &[&Notification],
    children: &[&str],
    declare_v2: bool,
    files: &mut BTreeMap<String, String>,
) -> Result<(), Diagnostic> {
    let directory = std::iter::once(MODULE)
        .chain(group.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("/");
    let mut ordered = members.to_vec();
    ordered.sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));

    let mut module_scope = Scope::new();
    module_scope.reserve("tests");
    module_scope.reserve(super::notification_v2::MODULE);
    for child in children {
        module_scope.reserve(child);
    }
    let mut modules = Vec::new();
    for notification in &ordered {
        let module = module_scope.unique_field(field_ident(page_stem(&notification.source)));
        let content = page_items(notification);
        files.insert(
            format!("{directory}/{module}.rs"),
            format_file(content, &format!("{directory}/{module}"))?,
        );
        modules.push((module, *notification));
    }

    // Each event type goes to the page named after it, else to the first page listing it.
    let mut dispatch: BTreeMap<&str, (&str, &Notification)> = BTreeMap::new();
    for (module, notification) in &modules {
        for event in &notification.event_types {
            let own_page = page_stem(&notification.source) == event;
            match dispatch.get(event.as_str()) {
                Some((_, holder)) if !own_page || page_stem(&holder.source) == event => {}
                _ => {
                    dispatch.insert(event, (module, notification));
                }
            }
        }
    }
    let mut content = root_items(group, &modules, &dispatch, children);
    if declare_v2 {
        let v2 = ident(super::notification_v2::MODULE);
        content.extend(quote! {
            /// APIv2 notifications (XML): per page its envelope, its decrypted resource and a
            /// `NotificationKind` marker.
            pub mod #v2;
        });
    }
    files.insert(
        format!("{directory}/mod.rs"),
        format_file(content, &directory)?,
    );
    Ok(())
}

/// The file name without directories and `.md`: `TRANSACTION.SUCCESS`.
fn page_stem(source: &str) -> &str {
    let name = source.rsplit('/').next().unwrap_or(source);
    name.strip_suffix(".md").unwrap_or(name)
}

fn page_items(notification: &Notification) -> TokenStream {
    let mut items = Vec::new();
    let mut scope = Scope::new();
    scope.reserve("EVENT_TYPES");
    let events = notification.event_types.join("`, `");
    if let Some(model) = &notification.model {
        let doc = format!(
            " The decrypted `resource.ciphertext` of a `{events}` notification: the shared model [`crate::models::{model}`]."
        );
        let model = ident(model);
        items.push(quote! {
            #[doc = #doc]
            pub type Resource = crate::models::#model;
        });
    } else {
        resource_struct(notification, &mut scope, &mut items);
    }
    if let Some(body) = reply_body(notification) {
        let mut emitter = TypeEmitter {
            scope: &mut scope,
            items: &mut items,
            role: Role::Request,
            shared: None,
        };
        emitter.struct_for(
            "Reply",
            "The JSON body the merchant answers this notification with (its `应答规范`): more than `code` and `message`.",
            &body,
        );
    }

    let event_types = &notification.event_types;
    let module_doc = doc_attrs(&page_doc(notification))
        .into_iter()
        .map(|tt| match tt {
            // `#[doc = …]` → `#![doc = …]`: module docs.
            proc_macro2::TokenTree::Punct(p) if p.as_char() == '#' => {
                quote!(#p !)
            }
            other => quote!(#other),
        });
    let mut module_doc: TokenStream = module_doc.collect();
    if !notification.doc_links.is_empty() {
        module_doc.extend(quote!(#![doc = ""] #![doc = " Official documentation:"]));
        for link in &notification.doc_links {
            let line = format!(" <{link}>");
            module_doc.extend(quote!(#![doc = #line]));
        }
    }
    quote! {
        #module_doc
        #![allow(rustdoc::bare_urls)]

        /// The event types of this page (`event_type` of the envelope).
        pub const EVENT_TYPES: &[&str] = &[#(#event_types),*];

        #(#items)*
    }
}

/// The lenient `Resource` struct of a page without a named model.
fn resource_struct(notification: &Notification, scope: &mut Scope, items: &mut Vec<TokenStream>) {
    let events = notification.event_types.join("`, `");
    let mut resource = notification.resource.clone();
    for variant in &notification.resource_variants {
        merge_into(&mut resource, variant.clone());
    }
    lenient(&mut resource);

    let mut emitter = TypeEmitter {
        scope,
        items,
        role: Role::Response,
        shared: None,
    };
    let mut resource_doc = vec![format!(
        "The decrypted `resource.ciphertext` of a `{events}` notification."
    )];
    if !notification.resource_variants.is_empty() {
        resource_doc.push(format!(
            "The page documents {} alternative shapes; their fields are merged here.",
            notification.resource_variants.len()
        ));
    }
    resource_doc.push(
        "Every field is optional: the docs flatten several notification shapes into one table."
            .to_owned(),
    );
    emitter.struct_for(
        "Resource",
        &paragraphs(resource_doc.iter().map(String::as_str)),
        &resource,
    );
}

fn page_doc(notification: &Notification) -> String {
    let mut parts = vec![
        notification.summary.clone(),
        format!("Event types: `{}`.", notification.event_types.join("`, `")),
    ];
    if !notification.description.is_empty() && notification.description != notification.summary {
        parts.push(notification.description.clone());
    }
    let reply: Vec<&str> = notification.reply.iter().map(|f| f.name.as_str()).collect();
    if reply.contains(&"headers") {
        parts.push(
            "The merchant's reply must carry headers (see `应答规范` in the docs), e.g. a signed `Authorization`."
                .to_owned(),
        );
    }
    paragraphs(parts.iter().map(String::as_str))
}

/// The reply `body` fields when the page asks for more than `code` and `message`.
fn reply_body(notification: &Notification) -> Option<Vec<Field>> {
    let body = notification
        .reply
        .iter()
        .find(|f| f.name == "body" && f.ty == FieldType::Object)?;
    body.fields
        .iter()
        .any(|f| f.name != "code" && f.name != "message")
        .then(|| body.fields.clone())
}

fn root_items(
    group: &[String],
    modules: &[(String, &Notification)],
    dispatch: &BTreeMap<&str, (&str, &Notification)>,
    children: &[&str],
) -> TokenStream {
    let mut variant_scope = Scope::new();
    variant_scope.reserve("Unknown");
    let mut variants = Vec::new();
    let mut type_arms = Vec::new();
    let mut decode_arms = Vec::new();
    let mut serialize_arms = Vec::new();
    let mut debug_arms = Vec::new();
    for (event, (module, notification)) in dispatch {
        let variant = ident(&variant_scope.unique_type(type_ident(event)));
        let module = ident(module);
        let doc = format!(" `{event}`: {}", notification.summary);
        variants.push(quote! {
            #[doc = #doc]
            #variant(::std::boxed::Box<#module::Resource>),
        });
        type_arms.push(quote!(Event::#variant(_) => #event,));
        decode_arms.push(quote! {
            #event => Event::#variant(::wechatpay_api::__private::serde_json::from_slice(plaintext)?),
        });
        serialize_arms.push(quote!(Event::#variant(resource) => resource.serialize(serializer),));
        let shown = format!("<decrypted {event} resource, redacted>");
        let variant_name = variant.to_string();
        debug_arms.push(quote! {
            Event::#variant(_) => f
                .debug_tuple(#variant_name)
                .field(&::std::format_args!(#shown))
                .finish(),
        });
    }
    let declarations = modules.iter().map(|(module, notification)| {
        let module = ident(module);
        let doc = format!(" {}", notification.summary);
        quote!(#[doc = #doc] pub mod #module;)
    });
    let groups = children.iter().map(|child| {
        let doc = format!(
            " The notifications of the `{child}` pages, with their own [`{child}::Event`]."
        );
        let child = ident(child);
        quote!(#[doc = #doc] pub mod #child;)
    });
    let title = if group.is_empty() {
        " Typed webhook notifications: the decrypted resource of every documented event type."
            .to_owned()
    } else {
        format!(
            " Typed webhook notifications of the `{}` pages: the decrypted resource of each of their event types.",
            group.join("/")
        )
    };
    let serde = quote!(::wechatpay_api::__private::serde);
    quote! {
        #![doc = #title]
        //!
        //! Verify and decrypt a notification with `wechatpay_api::runtime::webhook::WebhookHandler`,
        //! then ask it for an [`Event`] (`handler.handle_event::<Event>(&headers, &body)`).
        #![allow(rustdoc::bare_urls, clippy::module_inception)]

        #(#declarations)*
        #(#groups)*

        /// A verified notification's resource, by `event_type`. Event types this crate was not
        /// generated with are kept as [`Event::Unknown`], never an error. `Debug` shows the event
        /// type, never the decrypted resource.
        #[derive(Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants)*
            /// An event type not documented when this crate was generated.
            Unknown {
                event_type: ::std::string::String,
                /// The decrypted resource as JSON.
                resource: ::wechatpay_api::Value,
            },
        }

        impl Event {
            /// The `event_type` this resource arrived with.
            pub fn event_type(&self) -> &str {
                match self {
                    #(#type_arms)*
                    Event::Unknown { event_type, .. } => event_type,
                }
            }

            /// Decodes the plaintext of `resource.ciphertext` of an `event_type` notification.
            pub fn decode(
                event_type: &str,
                plaintext: &[u8],
            ) -> ::std::result::Result<Event, ::wechatpay_api::__private::serde_json::Error> {
                ::std::result::Result::Ok(match event_type {
                    #(#decode_arms)*
                    other => Event::Unknown {
                        event_type: other.to_owned(),
                        resource: ::wechatpay_api::__private::serde_json::from_slice(plaintext)?,
                    },
                })
            }
        }

        /// The variant and event type only: the resource is decrypted data.
        impl ::std::fmt::Debug for Event {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#debug_arms)*
                    Event::Unknown { event_type, resource } => {
                        let fields = resource.as_object().map_or(0, |object| object.len());
                        f.debug_struct("Unknown")
                            .field("event_type", event_type)
                            .field(
                                "resource",
                                &::std::format_args!("<decrypted JSON of {fields} fields, redacted>"),
                            )
                            .finish()
                    }
                }
            }
        }

        impl ::wechatpay_api::runtime::webhook::FromResource for Event {
            fn from_resource(
                event_type: &str,
                plaintext: &[u8],
            ) -> ::std::result::Result<Self, ::wechatpay_api::__private::serde_json::Error> {
                Event::decode(event_type, plaintext)
            }
        }

        /// Serialises the resource alone (as its JSON object).
        impl #serde::Serialize for Event {
            fn serialize<S: #serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                    Event::Unknown { resource, .. } => resource.serialize(serializer),
                }
            }
        }
    }
}

/// Every field optional, nested alternatives merged, Rust names unique among siblings.
pub(super) fn lenient(fields: &mut [Field]) {
    for field in fields.iter_mut() {
        field.required = false;
        let variants = std::mem::take(&mut field.variants);
        for variant in variants {
            merge_into(&mut field.fields, variant);
        }
        lenient(&mut field.fields);
    }
    let mut scope = Scope::new();
    for field in fields.iter_mut() {
        field.rust_name = scope.unique_field(std::mem::take(&mut field.rust_name));
    }
}

/// Adds `extra` to `target`, merging fields with the same wire name.
pub(super) fn merge_into(target: &mut Vec<Field>, extra: Vec<Field>) {
    for field in extra {
        match target.iter_mut().find(|t| t.name == field.name) {
            Some(existing) => merge_field(existing, field),
            None => target.push(field),
        }
    }
}

fn merge_field(target: &mut Field, other: Field) {
    if (target.ty, target.items) != (other.ty, other.items) {
        target.ty = FieldType::Object;
        target.items = None;
        target.fields.clear();
        target.variants.clear();
        target.enum_values.clear();
        target.decoded = None;
        target.description = paragraphs([
            target.description.as_str(),
            "Documented with different types in different shapes: kept as free-form JSON.",
        ]);
        return;
    }
    for value in other.enum_values {
        if !target.enum_values.contains(&value) {
            target.enum_values.push(value);
        }
    }
    if !other.description.is_empty() && !target.description.contains(&other.description) {
        target.description = paragraphs([target.description.as_str(), &other.description]);
    }
    merge_into(&mut target.fields, other.fields);
    target.variants.extend(other.variants);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: FieldType) -> Field {
        Field::new(name, ty, 1)
    }

    #[test]
    fn merging_unions_fields_and_enum_values() {
        let mut a = field("detail", FieldType::Object);
        a.fields = vec![field("bank_name", FieldType::String)];
        let mut s = field("status", FieldType::String);
        s.enum_values = vec!["A".into()];
        let mut target = vec![a, s];
        let mut b = field("detail", FieldType::Object);
        b.fields = vec![
            field("bank_name", FieldType::String),
            field("online_bank_type", FieldType::String),
        ];
        let mut s2 = field("status", FieldType::String);
        s2.enum_values = vec!["A".into(), "B".into()];
        merge_into(&mut target, vec![b, s2, field("extra", FieldType::Integer)]);
        let names: Vec<&str> = target[0].fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["bank_name", "online_bank_type"]);
        assert_eq!(target[1].enum_values, ["A", "B"]);
        assert_eq!(target[2].name, "extra");
    }

    #[test]
    fn conflicting_types_become_free_form_json() {
        let mut target = vec![field("amount", FieldType::Integer)];
        merge_into(&mut target, vec![field("amount", FieldType::Object)]);
        assert_eq!(target[0].ty, FieldType::Object);
        assert!(target[0].fields.is_empty());
    }

    #[test]
    fn lenient_fields_are_optional_all_the_way_down() {
        let mut outer = field("payer", FieldType::Object);
        outer.required = true;
        let mut inner = field("openid", FieldType::String);
        inner.required = true;
        outer.fields = vec![inner];
        outer.variants = vec![vec![field("sub_openid", FieldType::String)]];
        let mut fields = vec![outer];
        lenient(&mut fields);
        assert!(!fields[0].required && !fields[0].fields[0].required);
        assert_eq!(fields[0].fields.len(), 2);
        assert!(fields[0].variants.is_empty());
    }

    #[test]
    fn page_stems() {
        assert_eq!(page_stem("TRANSACTION.SUCCESS.md"), "TRANSACTION.SUCCESS");
        assert_eq!(page_stem("webhook/v3/REFUND.SUCCESS.md"), "REFUND.SUCCESS");
    }
}
