//! One `{#method}` section and its parsed block → one IR operation.

use super::ast::{Interface, Module, Namespace, Property, Type};
use super::markdown::{self, Section};
use super::types::{Resolver, TypeError, type_offset};
use super::url::{self, Endpoint, ExampleCall};
use crate::diag::{Diagnostic, LineIndex};
use crate::frontmatter::Frontmatter;
use crate::ir::{
    Body, BodyKind, Field, FieldType, Format, Operation, Response, ResponseKind, SourceFormat,
};

const FRONTMATTER_TITLE: &str = "{{ $frontmatter.title }}";
const FRONTMATTER_DESCRIPTION: &str = "{{ $frontmatter.description }}";

/// RequestConfig members that configure axios rather than name a path parameter.
const AXIOS_OPTIONS: &[&str] = &[
    "data",
    "params",
    "headers",
    "baseURL",
    "responseType",
    "transformResponse",
    "security",
    "timeout",
    "empty",
];

/// What lowering one section needs.
pub struct Context<'a> {
    pub source: &'a str,
    pub lines: &'a LineIndex,
    pub frontmatter: &'a Frontmatter,
    pub section: &'a Section,
    pub module: &'a Module,
    /// Offset of the block's opening fence.
    pub block_offset: usize,
    pub example: Option<ExampleCall>,
}

impl Context<'_> {
    fn diagnostic(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.source, self.lines.line(offset), message)
    }

    fn type_diagnostic(&self, error: TypeError) -> Diagnostic {
        self.diagnostic(error.offset, error.message)
    }
}

pub fn operation(cx: &Context<'_>) -> Result<Operation, Vec<Diagnostic>> {
    let (namespace, endpoint) = choose_namespace(cx).map_err(|d| vec![d])?;
    let mut diagnostics = Vec::new();
    let interface = |name: &str| {
        namespace.interface(name).ok_or_else(|| {
            cx.diagnostic(
                namespace.offset,
                format!(
                    "namespace `{}` has no `{name}` interface",
                    namespace.path.join(".")
                ),
            )
        })
    };
    let (request_config, response_interface) =
        match (interface("RequestConfig"), interface("WellformedResponse")) {
            (Ok(rc), Ok(wr)) => (rc, wr),
            (rc, wr) => {
                diagnostics.extend(rc.err());
                diagnostics.extend(wr.err());
                return Err(diagnostics);
            }
        };
    let resolver = Resolver {
        module: cx.module,
        namespace,
        line_of: &|offset| cx.lines.line(offset),
    };

    let mut config = RequestParts::default();
    for property in request_config.properties() {
        if let Err(d) = config.add(cx, &resolver, &endpoint, property) {
            diagnostics.push(d);
        }
    }
    let path = match resolve_path(cx, namespace, &endpoint, config.base_uri.is_some()) {
        Ok(path) => path,
        Err(d) => {
            diagnostics.push(d);
            endpoint.path.clone()
        }
    };
    diagnostics.extend(check_example(cx, &endpoint));
    let path_params = match order_path_params(cx, namespace, &endpoint, &mut config) {
        Ok(params) => params,
        Err(errors) => {
            diagnostics.extend(errors);
            Vec::new()
        }
    };
    let body = match body(cx, &resolver, namespace, request_config, config.data.take()) {
        Ok(body) => body,
        Err(d) => {
            diagnostics.push(d);
            Body::none()
        }
    };
    let v2 = namespace.path.get(2).is_some_and(|root| root == "V2");
    let response = match response(cx, &resolver, response_interface, v2) {
        Ok(response) => response,
        Err(d) => {
            diagnostics.push(d);
            Response {
                kind: ResponseKind::Empty,
                fields: Vec::new(),
            }
        }
    };
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }

    let section = cx.section;
    let summary = if section.title == FRONTMATTER_TITLE {
        cx.frontmatter.title.clone().unwrap_or_default()
    } else {
        section.title.clone()
    };
    let mut operation = Operation {
        source: cx.source.to_owned(),
        line: cx.lines.line(section.heading_offset),
        format: SourceFormat::Twoslash,
        method: endpoint.method,
        path,
        description: description(cx, &summary),
        summary,
        doc_links: doc_links(cx, namespace, &endpoint),
        notices: section.notices.clone(),
        base_uri: config.base_uri,
        path_params,
        query: config.query,
        headers: config.headers,
        body,
        response,
        model: None,
        api_version: crate::ir::ApiVersion::V3,
        security: config.security,
        nonceless: false,
        fragment: None,
    };
    operation.api_version = crate::ir::ApiVersion::of_path(&operation.path);
    super::policy::apply(&mut operation);
    Ok(operation)
}

/// The `…HttpMethod` namespace whose verb matches the heading anchor.
fn choose_namespace<'m>(cx: &Context<'m>) -> Result<(&'m Namespace, Endpoint), Diagnostic> {
    let candidates: Vec<(&Namespace, Endpoint)> = cx
        .module
        .namespaces
        .iter()
        .filter_map(|n| Some((n, url::endpoint(&n.path)?)))
        .collect();
    if candidates.is_empty() {
        return Err(cx.diagnostic(
            cx.block_offset,
            "no `WeChatPay.OpenAPI.….<Verb>HttpMethod` namespace in this ```js twoslash block",
        ));
    }
    let wanted = cx.section.method;
    candidates.into_iter().find(|(_, e)| e.method == wanted).ok_or_else(|| {
        cx.diagnostic(
            cx.section.heading_offset,
            format!("heading anchor `{{#{}}}` has no matching `{}HttpMethod` namespace in its block", wanted.lower(), capitalised(wanted.lower())),
        )
    })
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// The operation's path: the namespace's, checked against the page's file path. Roots other than
/// `V2`/`V3` (the fapiao download's `Invoicing`) are relative to a `baseURL`; the page path then
/// names the operation, as it does for the im-table page of the same operation.
fn resolve_path(
    cx: &Context<'_>,
    namespace: &Namespace,
    endpoint: &Endpoint,
    has_base_url: bool,
) -> Result<String, Diagnostic> {
    let page_path = url::from_page_path(cx.source);
    if !endpoint.api_root {
        if !has_base_url {
            return Err(cx.diagnostic(namespace.offset, format!("namespace root `{}` is neither `V2` nor `V3` and RequestConfig has no `baseURL`", namespace.path.get(2).map_or("", String::as_str))));
        }
        return Ok(page_path.unwrap_or_else(|| endpoint.path.clone()));
    }
    match page_path {
        Some(page_path) if page_path != endpoint.path => Err(cx.diagnostic(
            namespace.offset,
            format!(
                "namespace `{}` names the path `{}` but the page path names `{page_path}`",
                namespace.path.join("."),
                endpoint.path
            ),
        )),
        _ => Ok(endpoint.path.clone()),
    }
}

/// The `wxpay.….verb(` (or `axios.verb('…'`) example must name the namespace's method and path.
fn check_example(cx: &Context<'_>, endpoint: &Endpoint) -> Option<Diagnostic> {
    let call = cx.example.as_ref()?;
    if call.method == Some(endpoint.method) && call.path == endpoint.path {
        return None;
    }
    Some(cx.diagnostic(
        call.offset,
        format!(
            "the example call names {} `{}` but the namespace names {} `{}`",
            call.method.map_or("an unknown method", |m| m.lower()),
            call.path,
            endpoint.method.lower(),
            endpoint.path
        ),
    ))
}

/// RequestConfig members sorted by role.
#[derive(Default)]
struct RequestParts<'m> {
    data: Option<&'m Property>,
    query: Vec<Field>,
    headers: Vec<Field>,
    /// Direct members: path parameters.
    members: Vec<Field>,
    base_uri: Option<String>,
    /// `security: true`: the v2 call needs the merchant's client certificate.
    security: bool,
}

impl<'m> RequestParts<'m> {
    fn add(
        &mut self,
        cx: &Context<'_>,
        resolver: &Resolver<'_>,
        endpoint: &Endpoint,
        property: &'m Property,
    ) -> Result<(), Diagnostic> {
        let object_fields = |what: &str| match &property.ty {
            Type::Object(properties) => resolver
                .fields(properties)
                .map_err(|e| cx.type_diagnostic(e)),
            _ => Err(cx.diagnostic(
                property.offset,
                format!("`{what}` must be an inline object type `{{ … }}`"),
            )),
        };
        match property.name.as_str() {
            "data" => self.data = Some(property),
            "params" => self.query = object_fields("params")?,
            "headers" => self.headers.extend(object_fields("headers")?),
            "baseURL" => match &property.ty {
                Type::StringLiteral(url) => self.base_uri = Some(url.clone()),
                _ => {
                    return Err(
                        cx.diagnostic(property.offset, "`baseURL` must be a string literal type")
                    );
                }
            },
            "empty" if endpoint.path.ends_with('/') => {}
            "security" => match &property.ty {
                Type::BooleanLiteral(true) => self.security = true,
                _ => {
                    return Err(cx.diagnostic(
                        property.offset,
                        "`security` (the v2 client-certificate flag) must be typed `true`",
                    ));
                }
            },
            name if AXIOS_OPTIONS.contains(&name) => {}
            // A header declared outside `headers` (ecommerce/profitsharing/orders).
            name if name.contains('-') => self.headers.push(
                resolver
                    .field(property)
                    .map_err(|e| cx.type_diagnostic(e))?,
            ),
            name if endpoint.placeholders.iter().any(|p| p == name) => {
                let mut field = resolver
                    .field(property)
                    .map_err(|e| cx.type_diagnostic(e))?;
                field.required = true;
                self.members.push(field);
            }
            name => {
                return Err(cx.diagnostic(
                    property.offset,
                    format!("RequestConfig member `{name}` is neither an axios option nor a placeholder of `{}`", endpoint.path),
                ));
            }
        }
        Ok(())
    }
}

/// Path parameters in the order of their placeholders. A placeholder declared under `params`
/// instead (payscore terminate, a doc bug shared by both sites) moves to the path.
fn order_path_params(
    cx: &Context<'_>,
    namespace: &Namespace,
    endpoint: &Endpoint,
    parts: &mut RequestParts<'_>,
) -> Result<Vec<Field>, Vec<Diagnostic>> {
    let mut params = Vec::new();
    let mut errors = Vec::new();
    for placeholder in &endpoint.placeholders {
        if let Some(i) = parts.members.iter().position(|f| &f.name == placeholder) {
            params.push(parts.members.remove(i));
        } else if let Some(i) = parts.query.iter().position(|f| &f.name == placeholder) {
            let mut field = parts.query.remove(i);
            field.required = true;
            params.push(field);
        } else {
            errors.push(cx.diagnostic(
                namespace.offset,
                format!(
                    "placeholder `{{{placeholder}}}` of `{}` has no RequestConfig member",
                    endpoint.path
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(errors)
    }
}

fn body(
    cx: &Context<'_>,
    resolver: &Resolver<'_>,
    namespace: &Namespace,
    request_config: &Interface,
    data: Option<&Property>,
) -> Result<Body, Diagnostic> {
    let named = match data.map(|d| &d.ty) {
        None => ["JsonDataRequest", "BinaryDataRequest", "XmlDataRequest"]
            .into_iter()
            .find(|name| namespace.interface(name).is_some())
            .map(str::to_owned),
        Some(Type::Object(properties)) => {
            let fields = resolver
                .fields(properties)
                .map_err(|e| cx.type_diagnostic(e))?;
            return Ok(Body {
                kind: BodyKind::Json,
                fields,
            });
        }
        Some(Type::Named { path, args, .. }) if path.len() == 1 && args.is_empty() => {
            let name = &path[0];
            let default = request_config
                .type_params
                .iter()
                .find(|p| &p.name == name)
                .and_then(|p| p.default.as_ref());
            match default {
                Some(Type::Named { path, .. }) if path.len() == 1 => Some(path[0].clone()),
                Some(_) => {
                    return Err(cx.diagnostic(
                        request_config.offset,
                        format!("type parameter `{name}` needs an interface name as its default"),
                    ));
                }
                None => Some(name.clone()),
            }
        }
        Some(other) => {
            return Err(cx.diagnostic(
                type_offset(other).max(data.map_or(0, |d| d.offset)),
                "`data` must name a `…DataRequest` interface or be an inline object type",
            ));
        }
    };
    let Some(name) = named else {
        return Ok(Body::none());
    };
    let offset = data.map_or(request_config.offset, |d| d.offset);
    let interface = namespace
        .interface(&name)
        .ok_or_else(|| cx.diagnostic(offset, format!("unknown type `{name}`")))?;
    let properties: Vec<Property> = interface.properties().cloned().collect();
    match name.as_str() {
        "JsonDataRequest" => Ok(Body {
            kind: BodyKind::Json,
            fields: resolver
                .fields(&properties)
                .map_err(|e| cx.type_diagnostic(e))?,
        }),
        "BinaryDataRequest" => multipart(cx, interface),
        "XmlDataRequest" => Ok(Body {
            kind: BodyKind::Xml,
            fields: crate::indexed::group(
                resolver
                    .fields(&properties)
                    .map_err(|e| cx.type_diagnostic(e))?,
            )
            .map_err(|(line, message)| Diagnostic::new(cx.source, line, message))?,
        }),
        _ => Err(cx.diagnostic(
            offset,
            format!(
                "`data` names `{name}`, not a `JsonDataRequest` or `BinaryDataRequest` interface"
            ),
        )),
    }
}

/// `{ meta: string; file: ReadStream }`: the signed `meta` JSON part plus the file part.
fn multipart(cx: &Context<'_>, interface: &Interface) -> Result<Body, Diagnostic> {
    let is_named = |property: Option<&Property>, name: &str| matches!(property.map(|p| &p.ty), Some(Type::Named { path, .. }) if path.len() == 1 && path[0] == name);
    let meta = interface.property("meta");
    let file = interface.property("file");
    if !is_named(meta, "string")
        || !is_named(file, "ReadStream")
        || interface.properties().count() != 2
    {
        return Err(cx.diagnostic(
            interface.offset,
            "`BinaryDataRequest` must be exactly `{ meta: string; file: ReadStream }`",
        ));
    }
    let mut meta_field = Field::new(
        "meta",
        FieldType::String,
        cx.lines.line(meta.map_or(interface.offset, |p| p.offset)),
    );
    meta_field.required = true;
    let mut file_field = Field::new(
        "file",
        FieldType::Object,
        cx.lines.line(file.map_or(interface.offset, |p| p.offset)),
    );
    file_field.required = true;
    file_field.format = Some(Format::Binary);
    Ok(Body {
        kind: BodyKind::Multipart,
        fields: vec![meta_field, file_field],
    })
}

/// The answer: a v2 answer (the namespace root `V2`) is XML, and a v2 file stream a download
/// (whose XML error answer these pages do not document).
fn response(
    cx: &Context<'_>,
    resolver: &Resolver<'_>,
    interface: &Interface,
    v2: bool,
) -> Result<Response, Diagnostic> {
    if interface
        .extends
        .iter()
        .any(|path| path.last().is_some_and(|n| n == "ReadStream"))
    {
        return Ok(Response {
            kind: if v2 {
                ResponseKind::Download
            } else {
                ResponseKind::Binary
            },
            fields: Vec::new(),
        });
    }
    let properties: Vec<Property> = interface.properties().cloned().collect();
    if properties.is_empty() {
        return Ok(Response {
            kind: ResponseKind::Empty,
            fields: Vec::new(),
        });
    }
    let fields = resolver
        .fields(&properties)
        .map_err(|e| cx.type_diagnostic(e))?;
    if !v2 {
        return Ok(Response {
            kind: ResponseKind::Json,
            fields,
        });
    }
    Ok(Response {
        kind: ResponseKind::Xml,
        fields: crate::indexed::group(fields)
            .map_err(|(line, message)| Diagnostic::new(cx.source, line, message))?,
    })
}

/// The prose under the heading with `{{ $frontmatter.description }}` filled in and the doc links
/// removed; empty when it only repeats the summary.
fn description(cx: &Context<'_>, summary: &str) -> String {
    let frontmatter_description = cx.frontmatter.description.as_deref().unwrap_or("");
    let text = cx
        .section
        .prose
        .iter()
        .map(|line| {
            markdown::without_doc_links(
                &line.replace(FRONTMATTER_DESCRIPTION, frontmatter_description),
            )
        })
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    if text == summary { String::new() } else { text }
}

/// `[官方文档](…)` links of the section and `@link`s of the operation's JSDoc, in page order,
/// each once.
fn doc_links(cx: &Context<'_>, namespace: &Namespace, endpoint: &Endpoint) -> Vec<String> {
    let mut links: Vec<(usize, String)> = cx.section.links.clone();
    if let [parent @ .., node, _] = namespace.path.as_slice() {
        let verb = endpoint.method.lower();
        let signatures = cx
            .module
            .namespaces
            .iter()
            .filter(|n| n.path == parent)
            .filter_map(|n| n.interface(node))
            .flat_map(Interface::signatures)
            .filter(|s| s.name.as_deref().is_none_or(|name| name == verb));
        for signature in signatures {
            for doc in &signature.docs {
                links.extend(jsdoc_links(doc).map(|link| (signature.offset, link)));
            }
        }
    }
    links.sort_by_key(|(offset, _)| *offset);
    let mut unique: Vec<String> = Vec::new();
    for (_, link) in links {
        if !unique.contains(&link) {
            unique.push(link);
        }
    }
    unique
}

fn jsdoc_links(doc: &str) -> impl Iterator<Item = String> + '_ {
    doc.split("@link")
        .skip(1)
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
}
