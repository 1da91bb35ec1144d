//! Groups the top-level rows of a request table (FORMATS.md A.11): `json`, `query`, `headers`,
//! `body` (multipart), `base_uri`; every other top-level row is a path parameter.

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
            "xml" | "security" | "nonceless" | "fragment" | "timeout" => {
                return Err((
                    field.line,
                    format!("APIv2 pseudo-parameter `{}` is not supported", field.name),
                ));
            }
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
