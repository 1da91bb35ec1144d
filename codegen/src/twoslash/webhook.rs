//! APIv2 notification pages of wechatpay.js.org (`webhook/v2/*.md`, FORMATS.md B): no
//! namespace, but a handler block whose JSDoc declares the posted XML as
//! `@typedef XmlDataRequest` and the decrypted or decoded content as a second typedef
//! (`eventPlainObject`, `ReqInfo`, `SubOrders`), each member an `@prop {type} name description`;
//! and a `## 应答报文 {#resp}` XML sample of the merchant's reply.

use crate::diag::{Diagnostic, LineIndex};
use crate::frontmatter::Frontmatter;
use crate::ir::{
    ApiVersion, Decoded, Encoding, Encryption, Field, FieldType, ItemType, Notification, Page,
};

use super::markdown::Section;

/// One `@typedef` of the handler's JSDoc and its `@prop` members.
struct Typedef {
    name: String,
    line: u32,
    fields: Vec<Field>,
}

/// Reads the notification of a js.org `webhook/v2` page from its first twoslash block.
pub fn parse_v2(
    source: &str,
    text: &str,
    lines: &LineIndex,
    frontmatter: &Frontmatter,
    section: &Section,
) -> Result<Page, Vec<Diagnostic>> {
    let line = lines.line(section.heading_offset);
    let error = |line: u32, message: String| vec![Diagnostic::new(source, line, message)];
    let Some(block) = section.blocks.first() else {
        return Err(error(
            line,
            "v2 notification page has no ```js twoslash handler".into(),
        ));
    };
    let code = &text[block.content.clone()];
    let first_line = lines.line(block.content.start);
    let mut typedefs = typedefs(code, first_line).map_err(|(l, m)| error(l, m))?;
    if typedefs.first().is_none_or(|t| t.name != "XmlDataRequest") {
        return Err(error(
            lines.line(block.fence_offset),
            "the handler's JSDoc does not start with `@typedef XmlDataRequest` (the posted XML)"
                .into(),
        ));
    }
    let mut envelope = typedefs.remove(0).fields;
    let mut resource = Vec::new();
    for typedef in typedefs {
        if let Some(field) = envelope
            .iter_mut()
            .find(|f| matches!(f.name.as_str(), "event_ciphertext" | "req_info"))
            .filter(|f| f.encrypted.is_none())
        {
            field.encrypted = Some(if field.name == "req_info" {
                Encryption::AesEcb
            } else {
                Encryption::AesGcm
            });
            resource = typedef.fields;
        } else if let Some(field) = envelope
            .iter_mut()
            .find(|f| code.contains(&format!("JSON.parse(obj.{})", f.name)))
            .filter(|f| f.decoded.is_none())
        {
            field.encoded = Some(Encoding::JsonEncode);
            field.decoded = Some(Box::new(Decoded {
                fields: typedef.fields,
                variants: Vec::new(),
            }));
        } else {
            return Err(error(
                typedef.line,
                format!(
                    "`@typedef {}` belongs to no `event_ciphertext`/`req_info` element and no \
                     `JSON.parse(obj.…)` of the handler",
                    typedef.name
                ),
            ));
        }
    }
    let envelope =
        crate::indexed::group(envelope).map_err(|(line, message)| error(line, message))?;
    let resource =
        crate::indexed::group(resource).map_err(|(line, message)| error(line, message))?;
    let event_types = match envelope.iter().find(|f| f.name == "event_type") {
        Some(f) if !f.enum_values.is_empty() => f.enum_values.clone(),
        Some(f) => {
            return Err(error(
                f.line,
                "`event_type` must be typed with its string literal".into(),
            ));
        }
        None => {
            let file = source.rsplit('/').next().unwrap_or(source);
            vec![file.strip_suffix(".md").unwrap_or(file).to_owned()]
        }
    };
    let reply = reply(text, lines).map_err(|(l, m)| error(l, m))?;
    Ok(Page {
        operations: Vec::new(),
        notifications: vec![Notification {
            source: source.to_owned(),
            line,
            event_types,
            summary: if section.title == "{{ $frontmatter.title }}" {
                frontmatter.title.clone().unwrap_or_default()
            } else {
                section.title.clone()
            },
            description: frontmatter.description.clone().unwrap_or_default(),
            doc_links: section.links.iter().map(|(_, l)| l.clone()).collect(),
            headers: Vec::new(),
            envelope,
            resource,
            resource_variants: Vec::new(),
            reply,
            model: None,
            api_version: ApiVersion::V2,
        }],
    })
}

/// The `@typedef`s of the block's first JSDoc comment.
fn typedefs(code: &str, first_line: u32) -> Result<Vec<Typedef>, (u32, String)> {
    let mut out: Vec<Typedef> = Vec::new();
    let Some(start) = code.find("/**") else {
        return Ok(out);
    };
    let before = code[..start].matches('\n').count() as u32;
    let end = code[start..].find("*/").map_or(code.len(), |e| start + e);
    for (i, raw) in code[start..end].lines().enumerate() {
        let line = first_line + before + i as u32;
        let tag = raw
            .trim()
            .trim_start_matches("/**")
            .trim_start_matches('*')
            .trim();
        if let Some(name) = tag.strip_prefix("@typedef ") {
            out.push(Typedef {
                name: name.trim().to_owned(),
                line,
                fields: Vec::new(),
            });
        } else if let Some(prop) = tag.strip_prefix("@prop ") {
            let Some(typedef) = out.last_mut() else {
                return Err((line, "`@prop` before any `@typedef`".into()));
            };
            typedef.fields.push(prop_field(prop, line)?);
        }
    }
    Ok(out)
}

/// `{'A'|'B'=} name description` → a field.
fn prop_field(prop: &str, line: u32) -> Result<Field, (u32, String)> {
    let malformed = || {
        (
            line,
            format!("malformed `@prop {prop}`: expected `{{type}} name`"),
        )
    };
    let rest = prop.strip_prefix('{').ok_or_else(malformed)?;
    let close = matching_brace(rest).ok_or_else(malformed)?;
    let (ty, rest) = (&rest[..close], rest[close + 1..].trim());
    let (name, description) = rest.split_once(' ').unwrap_or((rest, ""));
    if name.is_empty() {
        return Err(malformed());
    }
    let (ty, optional) = match ty.strip_suffix('=') {
        Some(ty) => (ty, true),
        None => (ty, false),
    };
    let mut field = typed_field(name, ty.trim(), line)?;
    field.required = !optional;
    field.description = description.trim().to_owned();
    Ok(field)
}

fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `string`, `number`, a union of string literals, or an inline `{a: string, b?: number}[]`.
fn typed_field(name: &str, ty: &str, line: u32) -> Result<Field, (u32, String)> {
    if ty == "string" {
        return Ok(Field::new(name, FieldType::String, line));
    }
    if ty == "number" {
        return Ok(Field::new(name, FieldType::Number, line));
    }
    let literals: Option<Vec<String>> = ty
        .split('|')
        .map(|v| {
            let v = v.trim();
            v.strip_prefix('\'')?.strip_suffix('\'').map(str::to_owned)
        })
        .collect();
    if let Some(values) = literals {
        let mut field = Field::new(name, FieldType::String, line);
        field.enum_values = values;
        return Ok(field);
    }
    if let Some(members) = ty.strip_prefix('{').and_then(|t| t.strip_suffix("}[]")) {
        let mut field = Field::new(name, FieldType::Array, line);
        field.items = Some(ItemType::Object);
        for member in members.split(',') {
            let (key, member_ty) = member
                .split_once(':')
                .ok_or_else(|| (line, format!("`{name}`: member `{member}` has no type")))?;
            let key = key.trim();
            let (key, optional) = match key.strip_suffix('?') {
                Some(key) => (key, true),
                None => (key, false),
            };
            let mut child = typed_field(key, member_ty.trim(), line)?;
            child.required = !optional;
            field.fields.push(child);
        }
        return Ok(field);
    }
    Err((
        line,
        format!(
            "`@prop` `{name}`: type `{ty}` is not `string`, `number`, string literals or `{{…}}[]`"
        ),
    ))
}

/// The elements of the `## 应答报文 {#resp}` XML sample, as the `body` object of the reply.
fn reply(text: &str, lines: &LineIndex) -> Result<Vec<Field>, (u32, String)> {
    let Some(heading) = text.find("{#resp}") else {
        return Ok(Vec::new());
    };
    let Some(fence) = text[heading..].find("```xml").map(|f| heading + f) else {
        return Err((
            lines.line(heading),
            "`{#resp}` has no ```xml reply sample".into(),
        ));
    };
    let body_line = lines.line(fence);
    let end = text[fence + 6..]
        .find("```")
        .map_or(text.len(), |e| fence + 6 + e);
    let mut body = Field::new("body", FieldType::Object, body_line);
    body.description = "应答的`XML`数据结构".to_owned();
    for (i, raw) in text[fence..end].lines().enumerate() {
        let element = raw.trim();
        let Some(tag) = element
            .strip_prefix('<')
            .and_then(|t| t.split_once('>'))
            .map(|(t, _)| t)
        else {
            continue;
        };
        if tag == "xml" || tag.starts_with('/') {
            continue;
        }
        let mut field = Field::new(tag, FieldType::String, body_line + i as u32);
        field.required = true;
        body.fields.push(field);
    }
    Ok(vec![body])
}
