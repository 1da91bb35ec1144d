//! APIv2 notifications → `webhook::v2`: per notification page a module with its `Envelope`
//! (the elements of the XML document WeChat Pay posts), its `Resource` (the fields of the
//! encrypted element once decrypted; an empty struct when the page has none) and a
//! `Notification` marker implementing `wechatpay_api::runtime::v2::NotificationKind`, which the
//! v2 webhook handler reads.
//!
//! Like v3 resources, envelopes and resources are lenient: every element is optional (the docs'
//! required flags hold for the success shape only; a `FAIL` notification carries few elements),
//! numbered groups are `Vec`s (empty when absent).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::diag::Diagnostic;
use crate::ir::{Encryption, Field, Notification};
use crate::names::{Scope, field_ident};

use super::docs::{doc_attrs, paragraphs};
use super::format_file;
use super::notification::{lenient, merge_into};
use super::omission::Omission;
use super::operation_v2::flat_elements;
use super::types::{Role, TypeEmitter, ident};

/// The module (and directory) under `webhook` that v2 notifications are generated into.
pub const MODULE: &str = "v2";

/// `webhook/v2/mod.rs` and one `webhook/v2/<page>.rs` per notification page, and what was
/// left out of them.
pub fn generate(
    notifications: &[Notification],
) -> Result<(BTreeMap<String, String>, Vec<Omission>), Diagnostic> {
    let directory = format!("{}/{MODULE}", super::notification::MODULE);
    let mut ordered: Vec<&Notification> = notifications.iter().collect();
    ordered.sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
    let mut files = BTreeMap::new();
    let mut omissions = Vec::new();
    let mut module_scope = Scope::new();
    let mut declarations = Vec::new();
    for notification in ordered {
        let module = module_scope.unique_field(field_ident(page_stem(&notification.source)));
        let content = page_items(notification, &mut omissions)?;
        files.insert(
            format!("{directory}/{module}.rs"),
            format_file(content, &format!("{directory}/{module}"))?,
        );
        let doc = format!(
            " `{}`: {}",
            notification.event_types.join("`, `"),
            notification.summary
        );
        let module = ident(&module);
        declarations.push(quote!(#[doc = #doc] pub mod #module;));
    }
    let content = quote! {
        //! Typed APIv2 notifications: per page its XML elements (`Envelope`), its decrypted
        //! element (`Resource`) and a `Notification` marker implementing
        //! `wechatpay_api::runtime::v2::NotificationKind`.
        #![allow(rustdoc::bare_urls, clippy::module_inception)]
        #(#declarations)*
    };
    files.insert(
        format!("{directory}/mod.rs"),
        format_file(content, &directory)?,
    );
    Ok((files, omissions))
}

/// The file name without directories and `.md`: `refund-processed`.
fn page_stem(source: &str) -> &str {
    let name = source.rsplit('/').next().unwrap_or(source);
    name.strip_suffix(".md").unwrap_or(name)
}

fn page_items(
    notification: &Notification,
    omissions: &mut Vec<Omission>,
) -> Result<TokenStream, Diagnostic> {
    let label = format!("notification `{}`", notification.event_types.join("`, `"));
    let encrypted: Vec<&Field> = notification
        .envelope
        .iter()
        .filter(|f| matches!(f.encrypted, Some(Encryption::AesEcb | Encryption::AesGcm)))
        .collect();
    let encrypted = match encrypted.as_slice() {
        [] => None,
        [one] => Some(*one),
        [_, second, ..] => {
            return Err(Diagnostic::new(
                &notification.source,
                second.line,
                format!("{label}: more than one encrypted element"),
            ));
        }
    };

    let mut envelope = notification.envelope.clone();
    lenient(&mut envelope);
    flat_elements(&notification.source, &label, &mut envelope, omissions);
    let mut resource = notification.resource.clone();
    for variant in &notification.resource_variants {
        merge_into(&mut resource, variant.clone());
    }
    lenient(&mut resource);
    flat_elements(&notification.source, &label, &mut resource, omissions);

    let mut items = Vec::new();
    let mut scope = Scope::new();
    scope.reserve("Notification");
    let events = notification.event_types.join("`, `");
    let mut emitter = TypeEmitter {
        scope: &mut scope,
        items: &mut items,
        role: Role::V2Response,
        shared: None,
    };
    emitter.struct_for(
        "Envelope",
        &format!(
            "The elements of a `{events}` notification. Every element is optional: a notification can be a failure shape."
        ),
        &envelope,
    );
    let resource_doc = match encrypted {
        Some(field) => format!(
            "The decrypted `{}` of a `{events}` notification. Every field is optional.",
            field.name
        ),
        None => format!("A `{events}` notification encrypts nothing: an empty struct."),
    };
    emitter.struct_for("Resource", &resource_doc, &resource);

    let event_types = &notification.event_types;
    let encrypted = match encrypted {
        Some(field) => {
            let name = &field.name;
            let how = ident(match field.encrypted {
                Some(Encryption::AesEcb) => "AesEcb",
                _ => "AesGcm",
            });
            quote!(::std::option::Option::Some((#name, ::wechatpay_api::runtime::v2::NotificationEncryption::#how)))
        }
        None => quote!(::std::option::Option::None),
    };
    let module_doc = inner_doc(&page_doc(notification));
    let marker_doc = format!(" The `{events}` notification, for the v2 webhook handler.");
    Ok(quote! {
        #module_doc
        #![allow(rustdoc::bare_urls)]

        #[doc = #marker_doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Notification;

        impl ::wechatpay_api::runtime::v2::NotificationKind for Notification {
            const EVENT_TYPES: &'static [&'static str] = &[#(#event_types),*];
            const ENCRYPTED: ::std::option::Option<(&'static str, ::wechatpay_api::runtime::v2::NotificationEncryption)> = #encrypted;
            type Envelope = Envelope;
            type Resource = Resource;
        }

        #(#items)*
    })
}

/// `#![doc = …]` lines.
fn inner_doc(text: &str) -> TokenStream {
    doc_attrs(text)
        .into_iter()
        .map(|tt| match tt {
            proc_macro2::TokenTree::Punct(p) if p.as_char() == '#' => quote!(#p !),
            other => quote!(#other),
        })
        .collect()
}

fn page_doc(notification: &Notification) -> String {
    let mut parts = vec![
        notification.summary.clone(),
        format!(
            "Event types: `{}` (APIv2, XML).",
            notification.event_types.join("`, `")
        ),
    ];
    if !notification.description.is_empty() && notification.description != notification.summary {
        parts.push(notification.description.clone());
    }
    if !notification.doc_links.is_empty() {
        let links: Vec<String> = notification
            .doc_links
            .iter()
            .map(|l| format!("<{l}>"))
            .collect();
        parts.push(format!("Official documentation: {}", links.join(" ")));
    }
    paragraphs(parts.iter().map(String::as_str))
}
