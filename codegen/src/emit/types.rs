//! Structs and enums for field trees.

use std::collections::HashMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Encryption, Field, FieldType, Format, ItemType};
use crate::names::{Scope, type_ident};

use super::docs::{doc_attrs, paragraphs};

/// Which direction a type travels: requests are only serialised (and callers build them, so their
/// structs get a constructor, see [`constructor`]), responses also deserialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Request,
    Response,
}

/// Types already emitted in one generated file (a business area), by shape, so that a struct or
/// string enum identical to an earlier one (same fields, wire names, presence, types and
/// direction; docs aside) becomes `pub type Name = path::To::First;` instead of a second
/// definition with its own impls. The first one emitted (operations in path order) is canonical.
#[derive(Default)]
pub struct Shared {
    /// The module path of the items being emitted, relative to the file's root module.
    pub module: Vec<String>,
    /// Shape key → path of the canonical type (modules relative to the file root, then its name).
    seen: HashMap<String, Vec<String>>,
}

impl Shared {
    /// The canonical type of `key` as a path from the current module, or `None` (after
    /// recording `name` as canonical) when this shape is new; with the canonical type's path
    /// from the file root, which stands for the type in the keys of enclosing structs.
    fn canonical(&mut self, key: String, name: &str) -> (Option<TokenStream>, String) {
        if let Some(target) = self.seen.get(&key) {
            let full = target.join("::");
            let (modules, last) = target.split_at(target.len() - 1);
            let common = modules
                .iter()
                .zip(&self.module)
                .take_while(|(a, b)| a == b)
                .count();
            let supers = (common..self.module.len()).map(|_| quote!(super::));
            let downs = modules[common..].iter().map(|m| {
                let m = format_ident!("{}", m);
                quote!(#m::)
            });
            let last = format_ident!("{}", last[0]);
            return (Some(quote!(#(#supers)* #(#downs)* #last)), full);
        }
        let mut path = self.module.clone();
        path.push(name.to_owned());
        let full = path.join("::");
        self.seen.insert(key, path);
        (None, full)
    }
}

/// Collects the items of one module, naming types uniquely within it.
pub struct TypeEmitter<'a> {
    pub scope: &'a mut Scope,
    pub items: &'a mut Vec<TokenStream>,
    pub role: Role,
    /// Share identical types with earlier ones of the same file; `None` emits every type.
    pub shared: Option<&'a mut Shared>,
}

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A Rust type, whether it implements `Default`, and its shape key (see [`Shared`]).
struct RustType {
    tokens: TokenStream,
    default: bool,
    key: String,
}

impl TypeEmitter<'_> {
    /// Emits `pub struct <name>` for `fields`; returns its identifier and whether it is `Default`.
    pub fn struct_for(&mut self, name: &str, doc: &str, fields: &[Field]) -> (Ident, bool) {
        let (struct_ident, default, _) = self.struct_shared(name, doc, fields);
        (struct_ident, default)
    }

    /// [`Self::struct_for`], also returning the struct's shape key.
    fn struct_shared(&mut self, name: &str, doc: &str, fields: &[Field]) -> (Ident, bool, String) {
        let name = self.scope.unique_type(name.to_owned());
        let struct_ident = ident(&name);
        let slot = self.items.len();
        self.items.push(TokenStream::new());
        let mut members = Vec::with_capacity(fields.len());
        let mut types = Vec::with_capacity(fields.len());
        let mut default = true;
        let mut key = format!("struct {:?} {{", self.role);
        for field in fields {
            let member = self.member(&name, field);
            default &= member.default;
            members.push(member.tokens);
            key.push_str(&format!(
                "{}:{:?}:{}:{}:{},",
                field.rust_name,
                field.name,
                field.required,
                field.encrypted.is_some(),
                member.key
            ));
            types.push(member.ty);
        }
        key.push('}');
        let doc = doc_attrs(doc);
        if let Some(shared) = self.shared.as_deref_mut() {
            let (target, canonical) = shared.canonical(key, &name);
            key = canonical;
            if let Some(target) = target {
                self.items[slot] = quote! {
                    #doc
                    pub type #struct_ident = #target;
                };
                return (struct_ident, default, key);
            }
        }
        let derives = if default {
            quote!(Clone, Default)
        } else {
            quote!(Clone)
        };
        // serde, `Debug` and `PartialEq` come from the runtime's compact macros (see
        // `wechatpay_api::fields`): the derives' per-field generic bodies are most of a
        // generated crate's check time. Requests are only serialised; answers both ways.
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
        let secrets: Vec<&str> = fields
            .iter()
            .filter(|field| field.encrypted.is_some())
            .map(|field| field.name.as_str())
            .collect();
        let sensitive = (!secrets.is_empty()).then(|| quote!(sensitive [#(#secrets),*]));
        let (serde_macro, constructor) = match self.role {
            Role::Request => (
                quote!(impl_serialize),
                Some(constructor(&struct_ident, fields, &types)),
            ),
            Role::Response => (quote!(impl_serde), None),
        };
        self.items[slot] = quote! {
            #doc
            #[derive(#derives)]
            pub struct #struct_ident {
                #(#members)*
            }
            ::wechatpay_api::#serde_macro!(#struct_ident { #(#entries),* } #sensitive);
            #constructor
        };
        (struct_ident, default, key)
    }

    /// One struct member.
    fn member(&mut self, parent: &str, field: &Field) -> Member {
        let ty = self.field_type(parent, field);
        let name = ident(&field.rust_name);
        let doc = doc_attrs(&self.field_doc(field));
        let inner = ty.tokens;
        let tokens = if field.required {
            quote!(#doc pub #name: #inner,)
        } else {
            quote! {
                #doc
                pub #name: ::std::option::Option<#inner>,
            }
        };
        Member {
            tokens,
            default: ty.default || !field.required,
            key: ty.key,
            ty: inner,
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
                "Sensitive: WeChat Pay encrypts it (RSA-OAEP) for the merchant; the client decrypts it after verifying the answer, unless the call asked for `keep_ciphertext()`."
                    .to_owned(),
            ),
            (Some(other), _) => notes.push(format!("Encrypted on the wire ({other:?}).")),
            (None, _) => {}
        }
        if field.encrypted.is_some() {
            notes.push("`Debug` shows it as `<redacted>`.".to_owned());
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
                RustType {
                    tokens: quote!(::std::vec::Vec<#inner>),
                    default: true,
                    key: format!("Vec<{}>", item.key),
                }
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
        let (ident, default, key) = self.struct_shared(name, &field.description, &field.fields);
        RustType {
            tokens: quote!(#ident),
            default,
            key,
        }
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
        if let Some(shared) = self.shared.as_deref_mut() {
            let (target, here) = shared.canonical(format!("enum {:?}", field.enum_values), &name);
            if let Some(target) = target {
                self.items.push(quote! {
                    #doc
                    pub type #enum_ident = #target;
                });
            } else {
                self.items
                    .push(string_enum(&doc, &enum_ident, &variants, &pairs));
            }
            return RustType {
                tokens: quote!(#enum_ident),
                default: false,
                key: here,
            };
        }
        self.items
            .push(string_enum(&doc, &enum_ident, &variants, &pairs));
        plain(quote!(#enum_ident), false)
    }
}

/// One member of a struct being emitted.
struct Member {
    /// The member's declaration (docs, name, type).
    tokens: TokenStream,
    /// Whether the member's type is `Default` (optional members always are).
    default: bool,
    /// The shape key of the member's type (see [`Shared`]).
    key: String,
    /// The member's type without `Option`.
    ty: TokenStream,
}

/// `impl Name { pub fn new(required fields…) -> Self }` for a request struct: the required
/// fields in wire order (string ones as `impl Into<String>`), every optional one `None`.
///
/// The parameters are the fields' own identifiers, already unique, keyword-free snake_case
/// (see [`crate::names::field_ident`]), and shorthand-initialise them; nothing else is bound in
/// the function, and every path in it is absolute, so no field name can shadow or collide
/// (a field named `new` lives in another namespace than the associated function).
fn constructor(struct_ident: &Ident, fields: &[Field], types: &[TokenStream]) -> TokenStream {
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut required = Vec::new();
    let mut optional = 0;
    for (field, ty) in fields.iter().zip(types) {
        let name = ident(&field.rust_name);
        if !field.required {
            optional += 1;
            inits.push(quote!(#name: ::std::option::Option::None));
        } else if field.ty == FieldType::String && !is_string_enum(field) {
            params.push(quote!(#name: impl ::std::convert::Into<::std::string::String>));
            inits.push(quote!(#name: #name.into()));
            required.push(format!("`{}`", field.rust_name));
        } else {
            params.push(quote!(#name: #ty));
            inits.push(quote!(#name));
            required.push(format!("`{}`", field.rust_name));
        }
    }
    let name = struct_ident.to_string();
    let doc = match (required.is_empty(), optional) {
        (true, _) => format!(
            "Creates a `{name}` with every field `None` (all are optional), like `{name}::default()`."
        ),
        (false, 0) => format!(
            "Creates a `{name}` from its fields, in wire order: {}.",
            required.join(", ")
        ),
        (false, _) => format!(
            "Creates a `{name}` from its required fields, in wire order: {}.\n\nThe optional fields start as `None`: set them on the value, or write `{name} {{ field: Some(…), ..{name}::new(…) }}`.",
            required.join(", ")
        ),
    };
    let doc = doc_attrs(&doc);
    // Clippy's limit is seven; the docs decide how many fields a request requires.
    let allow = (params.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        impl #struct_ident {
            #doc
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
        }
    }
}

/// A string enum's definition and impls.
fn string_enum(
    doc: &TokenStream,
    enum_ident: &Ident,
    variants: &[TokenStream],
    pairs: &[TokenStream],
) -> TokenStream {
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #enum_ident {
            #(#variants)*
            /// A value this version of the crate does not know.
            Unknown(::std::string::String),
        }
        ::wechatpay_api::impl_string_enum!(#enum_ident { #(#pairs),* });
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
    let key = tokens.to_string();
    RustType {
        tokens,
        default,
        key,
    }
}
