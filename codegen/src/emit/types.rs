//! Structs and enums for field trees.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Encryption, Field, FieldType, Format, ItemType};
use crate::names::{Scope, type_ident};

use super::docs::{doc_attrs, paragraphs};

/// Which direction a type travels: requests are only serialised, responses also deserialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Request,
    Response,
}

/// Collects the items of one module, naming types uniquely within it.
pub struct TypeEmitter<'a> {
    pub scope: &'a mut Scope,
    pub items: &'a mut Vec<TokenStream>,
    pub role: Role,
}

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A Rust type and whether it implements `Default`.
struct RustType {
    tokens: TokenStream,
    default: bool,
}

impl TypeEmitter<'_> {
    /// Emits `pub struct <name>` for `fields`; returns its identifier and whether it is `Default`.
    pub fn struct_for(&mut self, name: &str, doc: &str, fields: &[Field]) -> (Ident, bool) {
        let name = self.scope.unique_type(name.to_owned());
        let struct_ident = ident(&name);
        let slot = self.items.len();
        self.items.push(TokenStream::new());
        let mut members = Vec::with_capacity(fields.len());
        let mut default = true;
        for field in fields {
            let member = self.member(&name, field);
            default &= member.1;
            members.push(member.0);
        }
        let doc = doc_attrs(doc);
        let derives = if default {
            quote!(Clone, Debug, Default, PartialEq)
        } else {
            quote!(Clone, Debug, PartialEq)
        };
        // serde impls come from the runtime's compact macros rather than the derives, whose
        // field enums, visitors, `visit_seq` and per-field branches are most of a generated
        // crate's check time. Requests are only serialised; answers both ways.
        let entries = fields.iter().map(|field| {
            let name = ident(&field.rust_name);
            let wire = &field.name;
            let presence = ident(if field.required {
                "required"
            } else {
                "optional"
            });
            quote!(#name: #wire #presence)
        });
        let serde_macro = match self.role {
            Role::Request => quote!(impl_serialize),
            Role::Response => quote!(impl_serde),
        };
        self.items[slot] = quote! {
            #doc
            #[derive(#derives)]
            pub struct #struct_ident {
                #(#members)*
            }
            ::wechatpay_api::#serde_macro!(#struct_ident { #(#entries),* });
        };
        (struct_ident, default)
    }

    /// One struct member; the flag says whether its type is `Default`.
    fn member(&mut self, parent: &str, field: &Field) -> (TokenStream, bool) {
        let ty = self.field_type(parent, field);
        let name = ident(&field.rust_name);
        let doc = doc_attrs(&self.field_doc(field));
        let inner = ty.tokens;
        if field.required {
            (quote!(#doc pub #name: #inner,), ty.default)
        } else {
            (
                quote! {
                    #doc
                    pub #name: ::std::option::Option<#inner>,
                },
                true,
            )
        }
    }

    fn field_doc(&self, field: &Field) -> String {
        let mut notes = Vec::new();
        match (field.encrypted, self.role) {
            (Some(Encryption::RsaPubkey), Role::Request) => notes.push(
                "Sensitive: write the plain value; the client encrypts it with the WeChat Pay public key (RSA-OAEP) before sending."
                    .to_owned(),
            ),
            (Some(Encryption::RsaPubkey), Role::Response) => notes.push(
                "Sensitive: arrives encrypted (RSA-OAEP, base64); decrypt it with the merchant private key."
                    .to_owned(),
            ),
            (Some(other), _) => notes.push(format!("Encrypted on the wire ({other:?}).")),
            (None, _) => {}
        }
        if field.format == Some(Format::DateTime) {
            notes.push("An RFC 3339 date-time.".to_owned());
        }
        if !field.enum_values.is_empty() && !is_string_enum(field) {
            notes.push(format!("Values: `{}`.", field.enum_values.join("`, `")));
        }
        if let Some(decoded) = &field.decoded {
            let names: Vec<&str> = decoded.fields.iter().map(|f| f.name.as_str()).collect();
            if !names.is_empty() {
                notes.push(format!(
                    "Its decoded content holds: `{}`.",
                    names.join("`, `")
                ));
            }
        }
        if !field.variants.is_empty() {
            notes.push(format!(
                "One of {} documented shapes.",
                field.variants.len()
            ));
        }
        paragraphs(
            std::iter::once(field.description.as_str()).chain(notes.iter().map(String::as_str)),
        )
    }

    fn field_type(&mut self, parent: &str, field: &Field) -> RustType {
        let child_name = format!("{parent}{}", type_ident(&field.name));
        match field.ty {
            FieldType::Object => self.object_type(&child_name, field),
            FieldType::Array => {
                let item = match field.items {
                    Some(ItemType::Object) => self.object_type(&child_name, field),
                    Some(ItemType::String) if is_string_enum(field) => {
                        self.enum_type(&child_name, field)
                    }
                    Some(item) => scalar(item),
                    None => plain(quote!(::wechatpay_api::Value), true),
                };
                let inner = item.tokens;
                plain(quote!(::std::vec::Vec<#inner>), true)
            }
            FieldType::String if is_string_enum(field) => self.enum_type(&child_name, field),
            FieldType::String => scalar(ItemType::String),
            FieldType::Integer => scalar(ItemType::Integer),
            FieldType::Number => scalar(ItemType::Number),
            FieldType::Boolean => scalar(ItemType::Boolean),
        }
    }

    fn object_type(&mut self, name: &str, field: &Field) -> RustType {
        if field.fields.is_empty() {
            return plain(quote!(::wechatpay_api::Value), true);
        }
        let (ident, default) = self.struct_for(name, &field.description, &field.fields);
        plain(quote!(#ident), default)
    }

    fn enum_type(&mut self, name: &str, field: &Field) -> RustType {
        let name = self.scope.unique_type(name.to_owned());
        let enum_ident = ident(&name);
        let mut variant_scope = Scope::new();
        variant_scope.reserve("Unknown");
        let mut variants = Vec::new();
        let mut pairs = Vec::new();
        for value in &field.enum_values {
            let variant = ident(&variant_scope.unique_type(type_ident(value)));
            let doc = format!(" `{value}`");
            variants.push(quote!(#[doc = #doc] #variant,));
            pairs.push(quote!(#variant = #value));
        }
        let doc = doc_attrs(&field.description);
        self.items.push(quote! {
            #doc
            #[derive(Clone, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #enum_ident {
                #(#variants)*
                /// A value this version of the crate does not know.
                Unknown(::std::string::String),
            }
            ::wechatpay_api::impl_string_enum!(#enum_ident { #(#pairs),* });
        });
        plain(quote!(#enum_ident), false)
    }
}

/// String fields with documented values become enums; other types keep the values in docs.
fn is_string_enum(field: &Field) -> bool {
    !field.enum_values.is_empty()
        && (field.ty == FieldType::String
            || (field.ty == FieldType::Array && field.items == Some(ItemType::String)))
}

fn scalar(item: ItemType) -> RustType {
    match item {
        ItemType::String => plain(quote!(::std::string::String), true),
        ItemType::Integer => plain(quote!(i64), true),
        ItemType::Number => plain(quote!(::wechatpay_api::Number), false),
        ItemType::Boolean => plain(quote!(bool), true),
        ItemType::Object => plain(quote!(::wechatpay_api::Value), true),
    }
}

fn plain(tokens: TokenStream, default: bool) -> RustType {
    RustType { tokens, default }
}
