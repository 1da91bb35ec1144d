//! One operation: its types, its `OperationSpec`, its `Operation` marker and the chain-node
//! method that starts a call.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{
    BodyKind, Encryption, Field, FieldType, Format, ItemType, Operation, ResponseKind,
};
use crate::names::{Scope, field_ident, type_ident};

use super::docs::{doc_attrs, paragraphs};
use super::types::{Role, Shared, TypeEmitter, ident};

/// Headers the runtime sets itself; they never become parameters.
pub const RUNTIME_HEADERS: &[&str] = &[
    "Wechatpay-Serial",
    "Authorization",
    "Accept",
    "Content-Type",
    "User-Agent",
];

/// Emits the items of `op` into `items`; returns the chain-node method that calls it.
pub fn emit(
    op: &Operation,
    scope: &mut Scope,
    items: &mut Vec<TokenStream>,
    shared: &mut Shared,
) -> TokenStream {
    let method = op.method.lower();
    let marker_name = scope.unique_type(type_ident(method));
    let marker = ident(&marker_name);
    let mut params = Vec::new();
    let mut assembly = Vec::new();

    match op.body.kind {
        BodyKind::Json => {
            let doc = format!("The JSON body of `{}`.", signature(op));
            let name = format!("{marker_name}Request");
            let body = struct_of(
                scope,
                items,
                shared,
                Role::Request,
                &name,
                &doc,
                &op.body.fields,
            );
            params.push(quote!(body: &#body));
            assembly.push(quote!(.json(body)));
        }
        BodyKind::Multipart => {
            for part in &op.body.fields {
                let arg = ident(&part.rust_name);
                let wire = &part.name;
                if part.format == Some(Format::Binary) {
                    params.push(quote!(#arg: ::wechatpay_api::runtime::FilePart));
                    assembly.push(quote!(.file(#wire, #arg)));
                } else if let Some(decoded) = part.decoded.as_ref().filter(|d| !d.fields.is_empty())
                {
                    let name = format!("{marker_name}{}", type_ident(&part.name));
                    let meta = struct_of(
                        scope,
                        items,
                        shared,
                        Role::Request,
                        &name,
                        &part.description,
                        &decoded.fields,
                    );
                    params.push(quote!(#arg: &#meta));
                    assembly.push(quote!(.json(#arg)));
                } else {
                    params.push(quote!(#arg: &::wechatpay_api::Value));
                    assembly.push(quote!(.json(#arg)));
                }
            }
        }
        // v2 bodies never get here: `emit::generate` refuses v2 operations first.
        BodyKind::None | BodyKind::Xml => {}
    }
    if !op.query.is_empty() {
        let doc = format!("Query parameters of `{}`.", signature(op));
        let name = format!("{marker_name}Query");
        let query = struct_of(scope, items, shared, Role::Request, &name, &doc, &op.query);
        params.push(quote!(query: &#query));
        assembly.push(quote!(.query(query)));
    }
    let headers: Vec<Field> = op
        .headers
        .iter()
        .filter(|h| !RUNTIME_HEADERS.contains(&h.name.as_str()))
        .cloned()
        .collect();
    if !headers.is_empty() {
        let doc = format!("Request headers of `{}`.", signature(op));
        let name = format!("{marker_name}Headers");
        let header_type = struct_of(scope, items, shared, Role::Request, &name, &doc, &headers);
        params.push(quote!(headers: &#header_type));
        assembly.push(quote!(.headers(headers)));
    }

    let response = match op.response.kind {
        ResponseKind::Json if op.model.is_some() => {
            let model = ident(op.model.as_deref().unwrap_or_default());
            let alias = ident(&scope.unique_type(format!("{marker_name}Response")));
            let doc = format!(
                " The answer to `{}`: the shared model [`crate::models::{model}`].",
                signature(op)
            );
            items.push(quote! {
                #[doc = #doc]
                pub type #alias = crate::models::#model;
            });
            quote!(::wechatpay_api::runtime::Json<#alias>)
        }
        ResponseKind::Json => {
            let doc = format!("The answer to `{}`.", signature(op));
            let name = format!("{marker_name}Response");
            let response = struct_of(
                scope,
                items,
                shared,
                Role::Response,
                &name,
                &doc,
                &op.response.fields,
            );
            quote!(::wechatpay_api::runtime::Json<#response>)
        }
        ResponseKind::Empty => quote!(::wechatpay_api::runtime::Empty),
        // v2 answers never get here: `emit::generate` refuses v2 operations first.
        ResponseKind::Binary | ResponseKind::Xml | ResponseKind::Download => {
            quote!(::wechatpay_api::runtime::Binary)
        }
    };

    items.push(spec_and_marker(op, &marker, &response));

    let fn_name = format_ident!("{}", field_ident(method));
    let mut doc = doc_attrs(&operation_doc(op));
    for link in &op.doc_links {
        let line = format!(" See <{link}>");
        doc.extend(quote!(#[doc = ""] #[doc = #line]));
    }
    quote! {
        #doc
        pub fn #fn_name(&self, #(#params),*) -> ::wechatpay_api::runtime::Call<'c, C, #marker> {
            ::wechatpay_api::runtime::Call::new(self.client, self.args.clone()) #(#assembly)*
        }
    }
}

/// `METHOD /path/{template}`
fn signature(op: &Operation) -> String {
    format!("{} {}", op.method.lower().to_uppercase(), op.path)
}

/// Emits a struct (and its nested types) into the module's items.
fn struct_of(
    scope: &mut Scope,
    items: &mut Vec<TokenStream>,
    shared: &mut Shared,
    role: Role,
    name: &str,
    doc: &str,
    fields: &[Field],
) -> proc_macro2::Ident {
    TypeEmitter {
        scope,
        items,
        role,
        shared: Some(shared),
    }
    .struct_for(name, doc, fields)
    .0
}

fn spec_and_marker(
    op: &Operation,
    marker: &proc_macro2::Ident,
    response: &TokenStream,
) -> TokenStream {
    let method = format_ident!("{}", type_ident(op.method.lower()));
    let path = &op.path;
    let base_uri = match &op.base_uri {
        Some(uri) => quote!(::std::option::Option::Some(#uri)),
        None => quote!(::std::option::Option::None),
    };
    let request_body = format_ident!(
        "{}",
        match op.body.kind {
            BodyKind::Json => "Json",
            BodyKind::Multipart => "Multipart",
            // v2 bodies never get here: `emit::generate` refuses v2 operations first.
            BodyKind::None | BodyKind::Xml => "None",
        }
    );
    let response_body = format_ident!(
        "{}",
        match op.response.kind {
            ResponseKind::Json => "Json",
            ResponseKind::Empty => "Empty",
            ResponseKind::Binary | ResponseKind::Xml | ResponseKind::Download => "Binary",
        }
    );
    let body_fields = match op.body.kind {
        BodyKind::Json => op.body.fields.as_slice(),
        _ => &[],
    };
    let encrypted_request = encrypted_paths(body_fields);
    let encrypted_response = encrypted_paths(&op.response.fields);
    let sends_serial = op
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("Wechatpay-Serial"));
    let doc = format!(
        " `{} {}`: {}",
        op.method.lower().to_uppercase(),
        op.path,
        op.summary
    );
    quote! {
        #[doc = #doc]
        pub struct #marker;

        impl ::wechatpay_api::runtime::Operation for #marker {
            const SPEC: &'static ::wechatpay_api::runtime::OperationSpec = &::wechatpay_api::runtime::OperationSpec {
                method: ::wechatpay_api::runtime::HttpMethod::#method,
                path: #path,
                base_uri: #base_uri,
                request_body: ::wechatpay_api::runtime::RequestBodyKind::#request_body,
                response_body: ::wechatpay_api::runtime::ResponseBodyKind::#response_body,
                encrypted_request_fields: &[#(#encrypted_request),*],
                encrypted_response_fields: &[#(#encrypted_response),*],
                sends_wechatpay_serial: #sends_serial,
            };
            type Response = #response;
        }
    }
}

/// Field paths (`a.b`, `list[].x`, `values[]`) of RSA-encrypted fields.
pub fn encrypted_paths(fields: &[Field]) -> Vec<String> {
    let mut paths = Vec::new();
    collect_encrypted(fields, "", &mut paths);
    paths
}

fn collect_encrypted(fields: &[Field], prefix: &str, paths: &mut Vec<String>) {
    for field in fields {
        let path = format!("{prefix}{}", field.name);
        if field.encrypted == Some(Encryption::RsaPubkey) {
            if field.ty == FieldType::Array {
                paths.push(format!("{path}[]"));
            } else {
                paths.push(path.clone());
            }
        }
        match (field.ty, field.items) {
            (FieldType::Object, _) => collect_encrypted(&field.fields, &format!("{path}."), paths),
            (FieldType::Array, Some(ItemType::Object)) => {
                collect_encrypted(&field.fields, &format!("{path}[]."), paths)
            }
            _ => {}
        }
    }
}

fn operation_doc(op: &Operation) -> String {
    let mut parts = vec![op.summary.clone()];
    if op.description != op.summary {
        parts.push(op.description.clone());
    }
    parts.push(format!(
        "`{} {}`",
        op.method.lower().to_uppercase(),
        op.path
    ));
    if !op.notices.is_empty() {
        parts.push(format!("Notices: {}.", op.notices.join(", ")));
    }
    let encrypted = encrypted_paths(&op.body.fields);
    if !encrypted.is_empty() {
        parts.push(format!(
            "Encrypted automatically before sending: `{}`.",
            encrypted.join("`, `")
        ));
    }
    paragraphs(parts.iter().map(String::as_str))
}
