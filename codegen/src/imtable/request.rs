//! Groups the top-level rows of a request table (FORMATS.md A.11): `json`, `query`, `headers`,
//! `body` (multipart), `base_uri`, and the APIv2 ones: `xml` (the XML body), the flags
//! `security` and `nonceless`, `fragment` and the client option `timeout`; every other
//! top-level row is a path parameter.

use crate::ir::{Body, BodyKind, Field, FieldType, Format};

use super::rows::Row;
use super::tree;

/// The request side of an operation.
#[derive(Debug)]
pub struct RequestParts {
    pub base_uri: Option<String>,
    pub path_params: Vec<Field>,
    pub query: Vec<Field>,
    pub headers: Vec<Field>,
    pub body: Body,
    /// v2 `security`: the call needs the merchant's client certificate.
    pub security: bool,
    /// v2 `nonceless`: the SDK must not add `nonce_str`.
    pub nonceless: bool,
    /// v2 `fragment`: the fixed URL fragment of a browser redirect.
    pub fragment: Option<String>,
}

/// Classifies the request rows of an operation whose URL template is `url`.
pub fn classify(rows: &[Row], url: &str, table_line: u32) -> Result<RequestParts, (u32, String)> {
    let tree = tree::build(rows)?;
    if let Some(first) = tree.variants.first().and_then(|v| v.first()) {
        return Err((
            first.line,
            "request variants at the top level are not supported".to_owned(),
        ));
    }
    let mut parts = RequestParts {
        base_uri: None,
        path_params: Vec::new(),
        query: Vec::new(),
        headers: Vec::new(),
        body: Body::none(),
        security: false,
        nonceless: false,
        fragment: None,
    };
    let mut path_rows = Vec::new();
    for field in tree.fields {
        match field.name.as_str() {
            "json" => {
                expect_object(&field)?;
                parts.body = Body {
                    kind: BodyKind::Json,
                    fields: field.fields,
                };
            }
            "body" => {
                expect_object(&field)?;
                let mut fields = field.fields;
                for part in &mut fields {
                    if part.ty == FieldType::Object && part.fields.is_empty() {
                        part.format = Some(Format::Binary);
                    }
                }
                parts.body = Body {
                    kind: BodyKind::Multipart,
                    fields,
                };
            }
            "query" => {
                expect_object(&field)?;
                parts.query = field.fields;
            }
            "headers" => {
                expect_object(&field)?;
                parts.headers = field.fields;
            }
            "base_uri" => {
                let uri = backticked_url(&field.description).ok_or_else(|| {
                    (
                        field.line,
                        "`base_uri` does not name a URL in backticks".to_owned(),
                    )
                })?;
                if field.required {
                    parts.base_uri = Some(uri);
                }
            }
            "xml" => {
                expect_object(&field)?;
                parts.body = Body {
                    kind: BodyKind::Xml,
                    fields: crate::indexed::group(field.fields)?,
                };
            }
            "security" => parts.security = flag(&field)?,
            "nonceless" => parts.nonceless = flag(&field)?,
            "fragment" => {
                let value = backticked(&field.description)
                    .filter(|v| v.starts_with('#'))
                    .ok_or_else(|| {
                        (
                            field.line,
                            "`fragment` does not name its `#…` value in backticks".to_owned(),
                        )
                    })?;
                parts.fragment = Some(value.to_owned());
            }
            // The sandbox example's HTTP client timeout: an SDK option, not part of the API.
            "timeout" => {}
            _ => path_rows.push(field),
        }
    }
    parts.path_params = path_params(
        path_rows,
        &mut parts.query,
        &parts.body.fields,
        url,
        table_line,
    )?;
    Ok(parts)
}

/// A v2 flag row: typed `` `true` ``, which the tree reads as a boolean.
fn flag(field: &Field) -> Result<bool, (u32, String)> {
    if field.ty == FieldType::Boolean && field.fields.is_empty() {
        Ok(true)
    } else {
        Err((
            field.line,
            format!("the v2 flag `{}` must be typed `` `true` ``", field.name),
        ))
    }
}

/// The first backticked span of a description.
fn backticked(description: &str) -> Option<&str> {
    description.split('`').nth(1).filter(|s| !s.is_empty())
}

fn expect_object(field: &Field) -> Result<(), (u32, String)> {
    if field.ty == FieldType::Object {
        Ok(())
    } else {
        Err((field.line, format!("`{}` must be an object", field.name)))
    }
}

/// Matches path-parameter rows to the URL placeholders, in placeholder order. A placeholder
/// documented under `query` instead (a known doc bug) is moved to the path; one documented only
/// as a body field is copied to the path (the body keeps it).
fn path_params(
    rows: Vec<Field>,
    query: &mut Vec<Field>,
    body: &[Field],
    url: &str,
    table_line: u32,
) -> Result<Vec<Field>, (u32, String)> {
    let placeholders = placeholders(url);
    // A v2 fixed-value "placeholder" (`modifyinstitutionsub`, 固定值`modifyInstitutionsub`):
    // the URL already holds the real segment, so the row is no parameter.
    let rows: Vec<Field> = rows
        .into_iter()
        .filter(|row| {
            !url.split('/').any(|segment| {
                segment != row.name
                    && segment.to_lowercase() == row.name
                    && backticked(&row.description) == Some(segment)
            })
        })
        .collect();
    for row in &rows {
        if row.has_struct() || row.ty == FieldType::Array {
            return Err((
                row.line,
                format!("path parameter `{}` must be a scalar", row.name),
            ));
        }
        if !placeholders.contains(&row.name.as_str()) {
            return Err((
                row.line,
                format!(
                    "top-level row `{}` is neither a request part nor a placeholder of `{url}`",
                    row.name
                ),
            ));
        }
    }
    let mut rows = rows;
    let mut ordered = Vec::with_capacity(placeholders.len());
    for name in placeholders {
        if let Some(i) = rows.iter().position(|r| r.name == name) {
            let mut param = rows.remove(i);
            param.required = true;
            ordered.push(param);
        } else if let Some(i) = query.iter().position(|q| q.name == name) {
            let mut param = query.remove(i);
            param.required = true;
            ordered.push(param);
        } else if let Some(field) = body.iter().find(|f| f.name == name && !f.has_struct()) {
            let mut param = field.clone();
            param.required = true;
            ordered.push(param);
        } else {
            return Err((
                table_line,
                format!(
                    "placeholder `{{{name}}}` of `{url}` is not documented in the request table"
                ),
            ));
        }
    }
    if let Some(duplicate) = rows.first() {
        return Err((
            duplicate.line,
            format!("path parameter `{}` is documented twice", duplicate.name),
        ));
    }
    Ok(ordered)
}

/// The name inside a `{name}` chain segment.
pub fn fixed_value_placeholder(segment: &str) -> Option<&str> {
    segment.strip_prefix('{')?.strip_suffix('}')
}

/// The `{name}` placeholders of a URL template, in order.
pub fn placeholders(url: &str) -> Vec<&str> {
    url.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

fn backticked_url(description: &str) -> Option<String> {
    description
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|s| s.starts_with("https://") || s.starts_with("http://"))
        .map(str::to_owned)
}
