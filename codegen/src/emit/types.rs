//! Structs and enums for field trees.

use std::collections::HashMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Encoding, Encryption, Field, FieldType, Format, ItemType};
use crate::names::{Scope, type_ident};

use super::docs::{doc_attrs, paragraphs};

/// Which direction a type travels: requests are only serialised (and callers build them, so their
/// structs get a constructor, see [`constructor`]), responses also deserialised.
///
/// The APIv2 roles make flat XML element structs: besides the JSON impls (which give `Debug`
/// with sensitive fields redacted) they get `impl_params!` (see
/// `wechatpay_api::runtime::v2::params`): a field with numbered templates is a `Group` of
/// element structs, a JSON-encoded field (`by-json_encode`) a `JsonText` of its decoded
/// struct, a nested list (see [`xml_list_item`]) an `XmlList` of item structs, any other a
/// `Text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Request,
    Response,
    /// A JSON struct built by callers that also reads back (the decoded content of a v2
    /// request's JSON-encoded element: `JsonText` needs both ways).
    Both,
    /// A v2 request: its elements, which callers build.
    V2Request,
    /// A v2 answer or notification: its elements, read back.
    V2Response,
}

impl Role {
    /// Callers build values of it: a constructor, request-side docs.
    fn built_by_callers(self) -> bool {
        matches!(self, Role::Request | Role::Both | Role::V2Request)
    }

    fn is_v2(self) -> bool {
        matches!(self, Role::V2Request | Role::V2Response)
    }

    /// The role of a JSON-encoded element's decoded struct inside a v2 struct.
    fn json_inside(self) -> Role {
        if self.built_by_callers() {
            Role::Both
        } else {
            Role::Response
        }
    }
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
                "{}:{:?}:{}:{}:{:?}:{},",
                field.rust_name,
                field.name,
                field.required,
                field.encrypted.is_some(),
                field.encoded,
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
        let serde_macro = match self.role {
            Role::Request | Role::V2Request => quote!(impl_serialize),
            Role::Response | Role::Both | Role::V2Response => quote!(impl_serde),
        };
        let constructor = self
            .role
            .built_by_callers()
            .then(|| constructor(&struct_ident, fields, &types));
        let params = self.role.is_v2().then(|| {
            let entries = fields.iter().map(|field| {
                let name = ident(&field.rust_name);
                let (wire, presence, codec) = v2_codec(field);
                let (presence, codec) = (ident(presence), ident(codec));
                quote!(#name: #wire #presence #codec)
            });
            quote!(::wechatpay_api::impl_params!(#struct_ident { #(#entries),* });)
        });
        self.items[slot] = quote! {
            #doc
            #[derive(#derives)]
            pub struct #struct_ident {
                #(#members)*
            }
            ::wechatpay_api::#serde_macro!(#struct_ident { #(#entries),* } #sensitive);
            #params
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
            (Some(Encryption::RsaPubkey), Role::V2Request | Role::Both) => notes.push(
                "Sensitive: write the plain value; the client encrypts it with the WeChat Pay RSA public key before signing."
                    .to_owned(),
            ),
            (Some(Encryption::RsaPubkey), Role::V2Response) => notes.push(
                "Sensitive: WeChat Pay encrypts it with the merchant's public key; the client decrypts it after verifying the answer."
                    .to_owned(),
            ),
            (Some(other), _) => notes.push(format!("Encrypted on the wire ({other:?}).")),
            (None, _) => {}
        }
        if field.encoded == Some(Encoding::UrlEncode) {
            notes.push(
                "URL-encoded on the wire (`by-urlencode`): write the already encoded text."
                    .to_owned(),
            );
        }
        if field.encoded == Some(Encoding::JsonEncode) && self.role.is_v2() {
            notes.push("Carried as JSON text in the element (`by-json_encode`).".to_owned());
        }
        if let Some(indexed) = &field.indexed {
            let templates: Vec<&str> = field
                .fields
                .iter()
                .filter(|f| f.indexed.is_none())
                .map(|f| f.name.as_str())
                .collect();
            notes.push(format!(
                "A numbered group: element `i` is the elements `{}` with `${}` = `i` (from 0).",
                templates.join("`, `"),
                indexed.index
            ));
        }
        if self.role.is_v2()
            && let Some(item) = xml_list_item(field)
        {
            notes.push(format!(
                "A nested list: `<{0}><{1}>…</{1}><{1}>…</{1}></{0}>`, one value per `<{1}>`.",
                field.name, item.name
            ));
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
        let child_name = match &field.indexed {
            // A numbered group's element struct is named after what one element is.
            Some(indexed) if !indexed.element.is_empty() => {
                format!("{parent}{}", type_ident(&indexed.element))
            }
            // A v2 template (`refund_status_$n`) is named without its index.
            _ => format!("{parent}{}", type_ident(crate::indexed::stem(&field.name))),
        };
        if self.role.is_v2() && field.encoded == Some(Encoding::JsonEncode) {
            return self.json_encoded_type(&child_name, field);
        }
        if self.role.is_v2()
            && let Some(item) = xml_list_item(field)
        {
            let name = format!("{child_name}{}", type_ident(&item.name));
            let (ident, _, key) = self.struct_shared(&name, &item.description, &item.fields);
            return RustType {
                tokens: quote!(::std::vec::Vec<#ident>),
                default: true,
                key: format!("XmlList<{}:{key}>", item.name),
            };
        }
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

    /// The decoded struct of a v2 JSON-encoded element (JSON types all the way down), or free
    /// JSON when the docs list no decoded fields.
    fn json_encoded_type(&mut self, name: &str, field: &Field) -> RustType {
        let Some(decoded) = field.decoded.as_ref().filter(|d| !d.fields.is_empty()) else {
            return plain(quote!(::wechatpay_api::Value), true);
        };
        let mut json = TypeEmitter {
            scope: &mut *self.scope,
            items: &mut *self.items,
            role: self.role.json_inside(),
            shared: self.shared.as_deref_mut(),
        };
        let (ident, default, key) = json.struct_shared(name, &field.description, &decoded.fields);
        RustType {
            tokens: quote!(#ident),
            default,
            key,
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
        } else if ty.to_string() == quote!(::std::string::String).to_string() {
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

/// The `impl_params!` wire key, presence and codec of a v2 struct field.
fn v2_codec(field: &Field) -> (String, &'static str, &'static str) {
    let presence = if field.required {
        "required"
    } else {
        "optional"
    };
    if field.indexed.is_some() {
        (field.name.clone(), "required", "Group")
    } else if field.encoded == Some(Encoding::JsonEncode) {
        (field.name.clone(), presence, "JsonText")
    } else if let Some(item) = xml_list_item(field) {
        (format!("{}.{}", field.name, item.name), presence, "XmlList")
    } else {
        (field.name.clone(), presence, "Text")
    }
}

/// The item of a v2 nested list, the one nested shape a v2 document carries
/// (`<hblist><hbinfo><amount>…</amount>…</hbinfo>…</hblist>`): an object whose only child is
/// an object (or list of objects) of flat elements. `None` for any other field.
pub(super) fn xml_list_item(field: &Field) -> Option<&Field> {
    let flat = |f: &Field| {
        !f.has_struct()
            && f.indexed.is_none()
            && f.encoded.is_none()
            && f.format != Some(Format::Binary)
    };
    match field.fields.as_slice() {
        [item]
            if field.ty == FieldType::Object
                && field.indexed.is_none()
                && field.encoded.is_none()
                && item.has_struct()
                && item.indexed.is_none()
                && item.encoded.is_none()
                && !item.fields.is_empty()
                && item.fields.iter().all(flat) =>
        {
            Some(item)
        }
        _ => None,
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
