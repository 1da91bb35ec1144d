//! One APIv2 operation: its request and answer structs, its `v2::OperationSpec`, its
//! `v2::Operation` marker and the chain-node method that starts a `v2::Call`.
//!
//! The request struct holds what the caller decides: the runtime fills the envelope (the
//! merchant-id element, `nonce_str`, `sign_type`, `sign`) and the app id when the caller leaves
//! it out. The answer struct holds every documented answer element (`return_code` included).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::diag::Diagnostic;
use crate::ir::{
    BodyKind, Encoding, Encryption, Field, FieldType, Format, Operation, ResponseKind,
};
use crate::names::{Scope, field_ident, type_ident};

use super::docs::{doc_attrs, paragraphs};
use super::omission::{Omission, Policy};
use super::types::{Role, Shared, TypeEmitter, ident, xml_list_item};

/// Elements that carry the merchant id, filled by the runtime.
const MERCHANT_ID: &[&str] = &["mch_id", "mchid"];
/// Elements that carry the app id, optional in the request struct.
const APP_ID: &[&str] = &["appid", "wxappid", "mch_appid"];
/// Envelope elements the runtime writes itself.
const ENVELOPE: &[&str] = &["sign", "nonce_str", "sign_type"];

/// What [`prepare`] decided for one v2 operation.
pub enum Prepared {
    /// Generate this operation (a copy with unsupported fields removed), and report these.
    Emit(Box<Operation>, Vec<Omission>),
    /// Generate nothing for it.
    Skip(Omission),
}

/// Decides whether a v2 operation generates, and removes what the v2 runtime cannot carry
/// (nested XML elements, request headers), each removal reported.
pub fn prepare(op: &Operation) -> Prepared {
    let at = |policy, message: String| Omission::new(policy, &op.source, op.line, message);
    let name = signature(op);
    if let Some(fragment) = &op.fragment {
        return Prepared::Skip(at(
            Policy::BrowserRedirect,
            format!("`{name}` is a browser redirect (`{fragment}`): no call to generate"),
        ));
    }
    if op.response.kind == ResponseKind::Empty && op.body.kind == BodyKind::None {
        return Prepared::Skip(at(
            Policy::BrowserRedirect,
            format!("`{name}` documents no answer and no body: a browser redirect"),
        ));
    }
    let answers = match op.response.kind {
        ResponseKind::Xml | ResponseKind::Json => !op.response.fields.is_empty(),
        ResponseKind::Download | ResponseKind::Binary => true,
        ResponseKind::Empty => false,
    };
    if !answers {
        return Prepared::Skip(at(
            Policy::NoAnswer,
            format!("`{name}` documents no answer elements"),
        ));
    }
    if op.body.kind != BodyKind::None && !op.query.is_empty() {
        let names: Vec<&str> = op.query.iter().map(|f| f.name.as_str()).collect();
        return Prepared::Skip(at(
            Policy::QueryBesideXml,
            format!(
                "`{name}` has query parameters (`{}`) beside its request elements",
                names.join("`, `")
            ),
        ));
    }
    let mut omissions = Vec::new();
    let mut op = op.clone();
    for header in std::mem::take(&mut op.headers) {
        omissions.push(Omission::new(
            Policy::RequestHeader,
            &op.source,
            header.line,
            format!("`{name}`: request header `{}` is not sent", header.name),
        ));
    }
    flat_elements(&op.source, &name, &mut op.body.fields, &mut omissions);
    flat_elements(&op.source, &name, &mut op.query, &mut omissions);
    if op.response.kind == ResponseKind::Xml {
        flat_elements(&op.source, &name, &mut op.response.fields, &mut omissions);
    }
    Prepared::Emit(Box::new(op), omissions)
}

/// Removes nested XML elements (objects and lists that are no numbered group, JSON-encoded
/// text, upload part or, as a child of the document, nested list of flat items: see
/// [`xml_list_item`]); numbered groups become required (an absent group is empty).
pub(super) fn flat_elements(
    source: &str,
    name: &str,
    fields: &mut Vec<Field>,
    out: &mut Vec<Omission>,
) {
    document_elements(source, name, fields, true, out);
}

fn document_elements(
    source: &str,
    name: &str,
    fields: &mut Vec<Field>,
    top_level: bool,
    out: &mut Vec<Omission>,
) {
    fields.retain(|field| {
        let nested = field.has_struct()
            && field.indexed.is_none()
            && field.encoded.is_none()
            && field.format != Some(Format::Binary)
            && !(top_level && xml_list_item(field).is_some());
        if nested {
            out.push(Omission::new(
                Policy::NestedXmlElement,
                source,
                field.line,
                format!(
                    "`{name}`: element `{}` nests XML elements; it is left out of the struct",
                    field.name
                ),
            ));
        }
        !nested
    });
    for field in fields.iter_mut().filter(|f| f.indexed.is_some()) {
        field.required = true;
        document_elements(source, name, &mut field.fields, false, out);
    }
}

/// Emits the items of a prepared v2 `op` into `items`; returns the chain-node method.
pub fn emit(
    op: &Operation,
    scope: &mut Scope,
    items: &mut Vec<TokenStream>,
    shared: &mut Shared,
) -> Result<TokenStream, Diagnostic> {
    let method = op.method.lower();
    let marker_name = scope.unique_type(type_ident(method));
    let marker = ident(&marker_name);

    let (request_kind, parts) = match op.body.kind {
        BodyKind::Xml => ("Xml", op.body.fields.as_slice()),
        BodyKind::Multipart => ("Multipart", op.body.fields.as_slice()),
        BodyKind::None => ("Query", op.query.as_slice()),
        BodyKind::Json => {
            return Err(Diagnostic::new(
                &op.source,
                op.line,
                format!(
                    "`{}`: a v2 operation cannot send a JSON body",
                    signature(op)
                ),
            ));
        }
    };
    let (files, elements): (Vec<&Field>, Vec<&Field>) =
        parts.iter().partition(|f| f.format == Some(Format::Binary));
    let facts = Facts::of(op, &elements)?;
    let request_fields: Vec<Field> = elements
        .iter()
        .filter(|f| !facts.is_envelope(&f.name))
        .map(|f| {
            let mut field = (*f).clone();
            if facts.app_id == Some(f.name.as_str()) {
                field.required = false;
            }
            field
        })
        .collect();

    let request_doc = paragraphs([
        format!("The request elements of `{}`.", signature(op)).as_str(),
        &facts.envelope_doc(),
    ]);
    let request = TypeEmitter {
        scope: &mut *scope,
        items: &mut *items,
        role: Role::V2Request,
        shared: Some(&mut *shared),
    }
    .struct_for(
        &format!("{marker_name}Request"),
        &request_doc,
        &request_fields,
    )
    .0;
    let request_arg = if request_kind == "Query" {
        format_ident!("query")
    } else {
        format_ident!("request")
    };
    let mut params = vec![quote!(#request_arg: &#request)];
    let mut assembly = vec![quote!(.params(#request_arg))];
    let mut arg_scope = Scope::new();
    arg_scope.reserve(&request_arg.to_string());
    for file in &files {
        let arg = ident(&arg_scope.unique_field(field_ident(&file.name)));
        let wire = &file.name;
        params.push(quote!(#arg: ::wechatpay_api::runtime::FilePart));
        assembly.push(quote!(.file(#wire, #arg)));
    }

    let response_doc = format!("The answer to `{}`.", signature(op));
    let (response_kind, response) = match op.response.kind {
        ResponseKind::Xml => {
            let answer = TypeEmitter {
                scope: &mut *scope,
                items: &mut *items,
                role: Role::V2Response,
                shared: Some(&mut *shared),
            }
            .struct_for(
                &format!("{marker_name}Response"),
                &response_doc,
                &op.response.fields,
            )
            .0;
            ("Xml", quote!(::wechatpay_api::runtime::v2::Xml<#answer>))
        }
        ResponseKind::Json => {
            let answer = TypeEmitter {
                scope: &mut *scope,
                items: &mut *items,
                role: Role::Response,
                shared: Some(&mut *shared),
            }
            .struct_for(
                &format!("{marker_name}Response"),
                &response_doc,
                &op.response.fields,
            )
            .0;
            (
                "Json",
                quote!(::wechatpay_api::runtime::v2::JsonAnswer<#answer>),
            )
        }
        ResponseKind::Download | ResponseKind::Binary => {
            ("Download", quote!(::wechatpay_api::runtime::v2::Download))
        }
        ResponseKind::Empty => {
            return Err(Diagnostic::new(
                &op.source,
                op.line,
                format!(
                    "internal error: `{}` answers nothing; `prepare` skips it",
                    signature(op)
                ),
            ));
        }
    };

    let encrypted_request = encrypted_elements(op, &request_fields)?;
    let encrypted_response = match op.response.kind {
        ResponseKind::Xml => encrypted_elements(op, &op.response.fields)?,
        _ => Vec::new(),
    };
    items.push(spec_and_marker(
        op,
        &marker,
        &facts,
        request_kind,
        response_kind,
        &response,
        &encrypted_request,
        &encrypted_response,
    ));

    let fn_name = format_ident!("{}", field_ident(method));
    let mut doc = doc_attrs(&operation_doc(op, &facts, &encrypted_request, &files));
    for link in &op.doc_links {
        let line = format!(" See <{link}>");
        doc.extend(quote!(#[doc = ""] #[doc = #line]));
    }
    Ok(quote! {
        #doc
        pub fn #fn_name(&self, #(#params),*) -> ::wechatpay_api::runtime::v2::Call<'c, C, #marker> {
            ::wechatpay_api::runtime::v2::Call::new(self.client, self.args.clone()) #(#assembly)*
        }
    })
}

/// The envelope facts of an operation's `OperationSpec`.
struct Facts<'a> {
    merchant_id: Option<&'a str>,
    app_id: Option<&'a str>,
    signed: bool,
    nonceless: bool,
    /// `SignType` variants, in the page's order.
    sign_types: Vec<&'static str>,
}

impl<'a> Facts<'a> {
    fn of(op: &Operation, elements: &[&'a Field]) -> Result<Facts<'a>, Diagnostic> {
        let named = |names: &[&str]| {
            elements
                .iter()
                .find(|f| names.contains(&f.name.as_str()))
                .map(|f| f.name.as_str())
        };
        let mut sign_types = Vec::new();
        if let Some(sign_type) = elements.iter().find(|f| f.name == "sign_type") {
            for value in &sign_type.enum_values {
                let variant = match value.as_str() {
                    "MD5" => "Md5",
                    "HMAC-SHA256" => "HmacSha256",
                    other => {
                        return Err(Diagnostic::new(
                            &op.source,
                            sign_type.line,
                            format!(
                                "`{}`: unknown `sign_type` value `{other}` (known: `MD5`, `HMAC-SHA256`)",
                                signature(op)
                            ),
                        ));
                    }
                };
                if !sign_types.contains(&variant) {
                    sign_types.push(variant);
                }
            }
        }
        Ok(Facts {
            merchant_id: named(MERCHANT_ID),
            app_id: named(APP_ID),
            // The SDK signs every XML and upload request; a query (the GET pages) carries a
            // signature only where the page lists `sign`.
            signed: op.body.kind != BodyKind::None || named(&["sign"]).is_some(),
            nonceless: op.nonceless,
            sign_types,
        })
    }

    /// Elements the runtime writes: never fields of the request struct.
    fn is_envelope(&self, name: &str) -> bool {
        ENVELOPE.contains(&name) || self.merchant_id == Some(name)
    }

    fn envelope_doc(&self) -> String {
        let mut filled: Vec<&str> = self.merchant_id.into_iter().collect();
        if self.signed && !self.nonceless {
            filled.push("nonce_str");
        }
        if !self.sign_types.is_empty() {
            filled.push("sign_type");
        }
        if self.signed {
            filled.push("sign");
        }
        let mut doc = String::new();
        if !filled.is_empty() {
            doc.push_str(&format!(
                "The client writes `{}` itself; they are no fields here.",
                filled.join("`, `")
            ));
        }
        if let Some(app_id) = self.app_id {
            doc.push_str(&format!(
                " `{app_id}` is optional: left out, the client writes its own app id."
            ));
        }
        doc.trim().to_owned()
    }
}

/// Names of RSA-encrypted elements; inside a JSON-encoded element, `outer.inner`.
fn encrypted_elements(op: &Operation, fields: &[Field]) -> Result<Vec<String>, Diagnostic> {
    let mut paths = Vec::new();
    collect_encrypted(op, fields, "", false, &mut paths)?;
    Ok(paths)
}

fn collect_encrypted(
    op: &Operation,
    fields: &[Field],
    prefix: &str,
    in_group: bool,
    paths: &mut Vec<String>,
) -> Result<(), Diagnostic> {
    for field in fields {
        let path = format!("{prefix}{}", field.name);
        if field.encrypted == Some(Encryption::RsaPubkey) {
            if in_group {
                return Err(Diagnostic::new(
                    &op.source,
                    field.line,
                    format!(
                        "`{}`: encrypted element `{}` inside a numbered group is not supported",
                        signature(op),
                        field.name
                    ),
                ));
            }
            paths.push(path.clone());
        }
        if field.indexed.is_some() {
            collect_encrypted(op, &field.fields, "", true, paths)?;
        } else if field.encoded == Some(Encoding::JsonEncode)
            && let Some(decoded) = &field.decoded
        {
            collect_encrypted(op, &decoded.fields, &format!("{path}."), in_group, paths)?;
        } else if field.ty == FieldType::Object {
            collect_encrypted(op, &field.fields, &format!("{path}."), in_group, paths)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn spec_and_marker(
    op: &Operation,
    marker: &proc_macro2::Ident,
    facts: &Facts<'_>,
    request_kind: &str,
    response_kind: &str,
    response: &TokenStream,
    encrypted_request: &[String],
    encrypted_response: &[String],
) -> TokenStream {
    let method = format_ident!("{}", type_ident(op.method.lower()));
    let path = wire_path(&op.path);
    let base_uri = optional_str(op.base_uri.as_deref());
    let request_kind = format_ident!("{request_kind}");
    let response_kind = format_ident!("{response_kind}");
    let security = op.security;
    let nonceless = facts.nonceless;
    let merchant_id = optional_str(facts.merchant_id);
    let app_id = optional_str(facts.app_id);
    let signed = facts.signed;
    let answer_signed = op.response.fields.iter().any(|f| f.name == "sign");
    let sign_types = facts.sign_types.iter().map(|v| format_ident!("{v}"));
    let doc = format!(" `{}`: {}", signature(op), op.summary);
    let v2 = quote!(::wechatpay_api::runtime::v2);
    quote! {
        #[doc = #doc]
        pub struct #marker;

        impl #v2::Operation for #marker {
            const SPEC: &'static #v2::OperationSpec = &#v2::OperationSpec {
                method: ::wechatpay_api::runtime::HttpMethod::#method,
                path: #path,
                base_uri: #base_uri,
                request: #v2::RequestKind::#request_kind,
                response: #v2::ResponseKind::#response_kind,
                security: #security,
                nonceless: #nonceless,
                merchant_id: #merchant_id,
                app_id: #app_id,
                signed: #signed,
                sign_types: &[#(#v2::SignType::#sign_types),*],
                encrypted_request_fields: &[#(#encrypted_request),*],
                encrypted_response_fields: &[#(#encrypted_response),*],
                answer_signed: #answer_signed,
            };
            type Response = #response;
        }
    }
}

fn optional_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => quote!(::std::option::Option::Some(#value)),
        None => quote!(::std::option::Option::None),
    }
}

/// The path v2 sends: the documented path without its `/v2` marker.
pub fn wire_path(documented: &str) -> &str {
    documented.strip_prefix("/v2").unwrap_or(documented)
}

/// `METHOD /v2/documented/path`
fn signature(op: &Operation) -> String {
    format!("{} {}", op.method.lower().to_uppercase(), op.path)
}

fn operation_doc(
    op: &Operation,
    facts: &Facts<'_>,
    encrypted: &[String],
    files: &[&Field],
) -> String {
    let mut parts = vec![op.summary.clone()];
    if op.description != op.summary {
        parts.push(op.description.clone());
    }
    parts.push(format!(
        "`{}` (sent to `{}`)",
        signature(op),
        wire_path(&op.path)
    ));
    if !op.notices.is_empty() {
        parts.push(format!("Notices: {}.", op.notices.join(", ")));
    }
    if op.security {
        parts.push("Needs the merchant's API client certificate (mutual TLS).".to_owned());
    }
    if !facts.sign_types.is_empty() {
        let values: Vec<&str> = facts
            .sign_types
            .iter()
            .map(|v| if *v == "Md5" { "MD5" } else { "HMAC-SHA256" })
            .collect();
        parts.push(format!("Signed with `{}`.", values.join("` or `")));
    }
    if !encrypted.is_empty() {
        parts.push(format!(
            "Encrypted automatically before signing: `{}`.",
            encrypted.join("`, `")
        ));
    }
    for file in files {
        let note = paragraphs([
            format!("`{}`: the file part.", file.name).as_str(),
            &file.description,
        ]);
        parts.push(note);
    }
    paragraphs(parts.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Indexed, ItemType};

    fn leaf(name: &str) -> Field {
        Field::new(name, FieldType::String, 1)
    }

    fn object(name: &str, ty: FieldType, fields: Vec<Field>) -> Field {
        let mut field = Field::new(name, ty, 1);
        if ty == FieldType::Array {
            field.items = Some(ItemType::Object);
        }
        field.fields = fields;
        field
    }

    /// `hblist > hbinfo[] > leaves`
    fn receipts() -> Field {
        object(
            "hblist",
            FieldType::Object,
            vec![object(
                "hbinfo",
                FieldType::Array,
                vec![leaf("openid"), leaf("amount")],
            )],
        )
    }

    /// The names kept and the names left out under `nested-xml-element`.
    fn flatten(fields: Vec<Field>) -> (Vec<String>, Vec<String>) {
        let mut fields = fields;
        let mut out = Vec::new();
        flat_elements("p.md", "POST /v2/p", &mut fields, &mut out);
        assert!(out.iter().all(|o| o.policy == Policy::NestedXmlElement));
        let kept = fields.iter().map(|f| f.name.clone()).collect();
        let left_out = out
            .iter()
            .map(|o| {
                let message = &o.diagnostic.message;
                message.split('`').nth(3).unwrap_or_default().to_owned()
            })
            .collect();
        (kept, left_out)
    }

    #[test]
    fn a_list_of_flat_items_is_kept_other_nested_elements_are_left_out() {
        let (kept, left_out) = flatten(vec![leaf("total_num"), receipts()]);
        assert_eq!(
            (kept, left_out),
            (vec!["total_num".into(), "hblist".into()], vec![])
        );
        let single = object(
            "hblist",
            FieldType::Object,
            vec![object("hbinfo", FieldType::Object, vec![leaf("openid")])],
        );
        assert_eq!(flatten(vec![single]).1, Vec::<String>::new());

        let others = vec![
            // wechatpay.js.org's shape of the same element: no item name.
            object("bare", FieldType::Array, vec![leaf("openid")]),
            // An object of text elements.
            object("plain", FieldType::Object, vec![leaf("a")]),
            // Two kinds of item.
            object(
                "two",
                FieldType::Object,
                vec![
                    object("a", FieldType::Array, vec![leaf("x")]),
                    object("b", FieldType::Array, vec![leaf("y")]),
                ],
            ),
            // Four levels deep.
            object(
                "deep",
                FieldType::Object,
                vec![object(
                    "item",
                    FieldType::Array,
                    vec![object("inner", FieldType::Object, vec![leaf("x")])],
                )],
            ),
            // Items without elements.
            object(
                "empty",
                FieldType::Object,
                vec![object("item", FieldType::Array, vec![])],
            ),
        ];
        let (kept, left_out) = flatten(others);
        assert!(kept.is_empty(), "{kept:?}");
        assert_eq!(left_out, ["bare", "plain", "two", "deep", "empty"]);

        // Inside a numbered group, even the list shape is left out.
        let mut group = object(
            "coupon_$n",
            FieldType::Array,
            vec![leaf("coupon_id_$n"), receipts()],
        );
        group.indexed = Some(Indexed {
            index: "n".into(),
            indices: vec!["n".into()],
            element: "coupon".into(),
        });
        let (kept, left_out) = flatten(vec![group]);
        assert_eq!(
            (kept, left_out),
            (vec!["coupon_$n".into()], vec!["hblist".into()])
        );
    }
}
