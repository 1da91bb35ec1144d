//! Webhook notification pages (`webhook/v3/*.md`): a `{#post}` heading, a request table that
//! documents what WeChat Pay posts (`headers`, `body` = the envelope with `resource`), the
//! fields of the plaintext hidden in `resource.ciphertext` after a `{colspan=3 .im-table-line}`
//! divider, and an `应答规范` table: the merchant's reply (FORMATS.md A.3, A.8, A.9, A.11).
//!
//! APIv2 notifications (`webhook/v2/*.md`) post an XML `body` instead: its elements are the
//! envelope, an `event_ciphertext` (`by-aes-gcm`) or `req_info` (`by-aes-ecb`) element, when
//! there is one, carries the resource, and pages without an `event_type` element are keyed by
//! their file name (`refund-processed`).

use crate::diag::Diagnostic;
use crate::ir::{ApiVersion, Encryption, Field, FieldType, Notification, Page};

use super::blocks::Block;
use super::rows::TableKind;
use super::{DESCRIPTION_PLACEHOLDER, PageContext, Table, notice_class, tree};

/// The name under which the docs' PHP handler stores the decrypted resource; a variant made
/// of this one object stands for its children.
const ORIGINAL_DATA: &str = "original_data";

/// Reads the notification of a webhook page.
pub(super) fn parse(page: &PageContext<'_>, blocks: &[Block]) -> Result<Page, Vec<Diagnostic>> {
    let headings: Vec<usize> = blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Heading {
                anchor: Some(anchor),
                ..
            } if crate::ir::Method::from_lower(anchor).is_some() => Some(i),
            _ => None,
        })
        .collect();
    let Some(&start) = headings.first() else {
        return Err(vec![page.error(
            1,
            "no notification heading (`# title {#post}`) on the page",
        )]);
    };
    if let Some(&second) = headings.get(1) {
        let Block::Heading { line, .. } = &blocks[second] else {
            unreachable!("filtered on headings")
        };
        return Err(vec![page.error(
            *line,
            "a second method heading on a notification page (one notification per page)",
        )]);
    }
    let Block::Heading { line, title, .. } = &blocks[start] else {
        unreachable!("filtered on headings")
    };
    let line = *line;
    let summary = page.summary(title, line)?;

    let mut description = None;
    let mut doc_links = Vec::new();
    let mut request: Option<Table> = None;
    let mut reply: Option<Table> = None;
    let mut errors = Vec::new();
    let scope = &blocks[start + 1..];
    let mut i = 0;
    while i < scope.len() {
        match &scope[i] {
            Block::Table { range } => {
                let (table, closed) = page.table_at(range, scope.get(i + 1));
                match table {
                    Ok(table) => {
                        let slot = match table.kind {
                            TableKind::Request => &mut request,
                            TableKind::Reply => &mut reply,
                            TableKind::Response | TableKind::Errors => {
                                errors.push(page.error(
                                    table.line,
                                    "a notification page documents the merchant's reply (`| 应答规范`), not a `| 返回字典` or `| 异常字典` answer",
                                ));
                                i += 1 + usize::from(closed);
                                continue;
                            }
                        };
                        if slot.is_some() {
                            errors.push(page.error(
                                table.line,
                                "a second table of this kind on a notification page",
                            ));
                        } else {
                            *slot = Some(table);
                        }
                    }
                    Err(e) => errors.push(e),
                }
                if closed {
                    i += 1;
                }
            }
            Block::Paragraph { text, links, .. } => {
                if notice_class(text).is_none()
                    && description.is_none()
                    && request.is_none()
                    && !text.starts_with(":::")
                {
                    description = Some(text.replace(
                        DESCRIPTION_PLACEHOLDER,
                        page.frontmatter.description.as_deref().unwrap_or(""),
                    ));
                }
                for link in links {
                    if !doc_links.contains(link) {
                        doc_links.push(link.clone());
                    }
                }
            }
            Block::Code { .. } | Block::Heading { .. } => {}
        }
        i += 1;
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let Some(request) = request else {
        return Err(vec![page.error(
            line,
            "notification has no request table (`| 请求参数` … `{.im-table #request}`)",
        )]);
    };
    let Some(reply) = reply else {
        return Err(vec![page.error(
            line,
            "notification has no reply table (`| 应答规范` … `{.im-table #response}`)",
        )]);
    };

    let api_version = if page.source.split('/').any(|segment| segment == "v2") {
        ApiVersion::V2
    } else {
        ApiVersion::V3
    };
    let parts = if api_version == ApiVersion::V2 {
        v2_request_parts(&request, page.source)
    } else {
        request_parts(&request)
    }
    .map_err(|(l, m)| vec![page.error(l, m)])?;
    let reply_tree = tree::build(&reply.rows).map_err(|(l, m)| vec![page.error(l, m)])?;
    let mut reply_fields = reply_tree.fields;
    reply_fields.extend(reply_tree.variants.into_iter().flatten());
    tree::unique_rust_names(&mut reply_fields);

    Ok(Page {
        operations: Vec::new(),
        notifications: vec![Notification {
            source: page.source.to_owned(),
            line,
            event_types: parts.event_types,
            summary,
            description: description.map(|d| d.trim().to_owned()).unwrap_or_default(),
            doc_links,
            headers: parts.headers,
            envelope: parts.envelope,
            resource: parts.resource,
            resource_variants: parts.resource_variants,
            reply: reply_fields,
            model: None,
            api_version,
        }],
    })
}

struct Parts {
    event_types: Vec<String>,
    headers: Vec<Field>,
    envelope: Vec<Field>,
    resource: Vec<Field>,
    resource_variants: Vec<Vec<Field>>,
}

/// Splits the request table of a v2 notification: `headers`, the XML `body` (the envelope),
/// and the fields decrypted from its `event_ciphertext`/`req_info` element (none when the
/// notification is not encrypted).
fn v2_request_parts(table: &Table, source: &str) -> Result<Parts, (u32, String)> {
    let (headers, body) = headers_and_body(table, "envelope")?;
    if !body.variants.is_empty() {
        return Err((
            body.line,
            "`body` variants are not supported: the XML notification has one shape".to_owned(),
        ));
    }
    let mut envelope = body.fields;
    let event_types = match envelope.iter().find(|f| f.name == "event_type") {
        Some(field) if !field.enum_values.is_empty() => field.enum_values.clone(),
        Some(field) => {
            return Err((
                field.line,
                "`event_type` names no event type (expected `` `TRANSACTION.SUCCESS` 枚举值 ``)"
                    .to_owned(),
            ));
        }
        None => {
            let file = source.rsplit('/').next().unwrap_or(source);
            vec![file.strip_suffix(".md").unwrap_or(file).to_owned()]
        }
    };
    let mut resource = Plaintext {
        fields: Vec::new(),
        variants: Vec::new(),
    };
    let encrypted =
        |f: &Field| matches!(f.encrypted, Some(Encryption::AesGcm | Encryption::AesEcb));
    if let Some(ciphertext) = envelope.iter_mut().find(|f| encrypted(f)) {
        let Some(decoded) = ciphertext.decoded.take() else {
            return Err((
                ciphertext.line,
                format!(
                    "`{}` is not followed by a `{{colspan=3 .im-table-line}}` divider and the decrypted fields",
                    ciphertext.name
                ),
            ));
        };
        resource = unwrap_original_data(decoded.fields, decoded.variants);
    }
    Ok(Parts {
        event_types,
        headers,
        envelope: crate::indexed::group(envelope)?,
        resource: crate::indexed::group(resource.fields)?,
        resource_variants: resource.variants,
    })
}

/// The `headers` fields and the `body` object of a notification's request table; `posted`
/// names what the body is, for the error of a table without one.
fn headers_and_body(table: &Table, posted: &str) -> Result<(Vec<Field>, Field), (u32, String)> {
    let tree = tree::build(&table.rows)?;
    if let Some(first) = tree.variants.first().and_then(|v| v.first()) {
        return Err((
            first.line,
            "notification variants at the top level are not supported".to_owned(),
        ));
    }
    let mut headers = Vec::new();
    let mut body = None;
    for field in tree.fields {
        match field.name.as_str() {
            "headers" if field.ty == FieldType::Object => headers = field.fields,
            "body" if field.ty == FieldType::Object => body = Some(field),
            "headers" | "body" => {
                return Err((field.line, format!("`{}` must be an object", field.name)));
            }
            other => {
                return Err((
                    field.line,
                    format!(
                        "top-level row `{other}` of a notification is neither `headers` nor `body`"
                    ),
                ));
            }
        }
    }
    let Some(body) = body else {
        return Err((
            table.line,
            format!("the notification's request table has no `body` object (the posted {posted})"),
        ));
    };
    Ok((headers, body))
}

/// Splits the request table: `headers`, the `body` envelope, and the decrypted resource.
fn request_parts(table: &Table) -> Result<Parts, (u32, String)> {
    let (headers, body) = headers_and_body(table, "JSON envelope")?;
    let body_line = body.line;
    let mut envelope = body.fields;
    if !body.variants.is_empty() {
        return Err((
            body_line,
            "`body` variants are not supported: the envelope has one shape".to_owned(),
        ));
    }

    let event_types = match envelope.iter().find(|f| f.name == "event_type") {
        Some(field) if !field.enum_values.is_empty() => field.enum_values.clone(),
        Some(field) => {
            return Err((
                field.line,
                "`event_type` names no event type (expected `` `TRANSACTION.SUCCESS` 枚举值 ``)"
                    .to_owned(),
            ));
        }
        None => {
            return Err((
                body_line,
                "the envelope has no `event_type` field".to_owned(),
            ));
        }
    };

    let Some(resource) = envelope
        .iter_mut()
        .find(|f| f.name == "resource" && f.ty == FieldType::Object)
    else {
        return Err((
            body_line,
            "the envelope has no `resource` object (the encrypted notification data)".to_owned(),
        ));
    };
    let plaintext = split_resource(resource)?;
    Ok(Parts {
        event_types,
        headers,
        envelope,
        resource: plaintext.fields,
        resource_variants: plaintext.variants,
    })
}

/// Takes the decrypted content out of `resource`, leaving the envelope's own fields
/// (`algorithm`, `nonce`, `ciphertext`, …).
fn split_resource(resource: &mut Field) -> Result<Plaintext, (u32, String)> {
    let is_ciphertext = |f: &Field| f.encrypted == Some(Encryption::AesGcm);
    // ECOMMERCE_ENTRUST.SIGN/TERMINATE put the divider one row late, after a plain sibling
    // (`original_type`): its decoded content belongs to the encrypted string.
    if let Some(at) = resource
        .fields
        .iter()
        .position(|f| is_ciphertext(f) && f.decoded.is_none())
        && let Some(late) = resource
            .fields
            .iter()
            .position(|f| f.encrypted.is_none() && f.encoded.is_none() && f.decoded.is_some())
    {
        let moved = resource.fields[late].decoded.take();
        resource.fields[at].decoded = moved;
    }
    // The usual shape: the decrypted fields hang under `ciphertext` as decoded content.
    if let Some(ciphertext) = resource.fields.iter_mut().find(|f| is_ciphertext(f)) {
        let Some(decoded) = ciphertext.decoded.take() else {
            return Err((
                ciphertext.line,
                format!(
                    "`{}` is not followed by a `{{colspan=3 .im-table-line}}` divider and the decrypted fields",
                    ciphertext.name
                ),
            ));
        };
        let Plaintext { fields, variants } = unwrap_original_data(decoded.fields, decoded.variants);
        if fields.is_empty() && variants.iter().all(Vec::is_empty) {
            return Err((
                ciphertext.line,
                format!(
                    "`{}` has a divider but no decrypted fields",
                    ciphertext.name
                ),
            ));
        }
        return Ok(Plaintext { fields, variants });
    }
    // The decrypted shapes written as siblings of `ciphertext`, each after a divider
    // (MCHWITHDRAW.CHANGE): the group holding `ciphertext` is the envelope, the others are the
    // alternatives of the plaintext.
    if let Some(at) = resource
        .variants
        .iter()
        .position(|group| group.iter().any(is_ciphertext))
    {
        let mut groups = std::mem::take(&mut resource.variants);
        let own = groups.remove(at);
        resource.fields = own;
        let Plaintext { fields, variants } = unwrap_original_data(Vec::new(), groups);
        if fields.is_empty() && variants.is_empty() {
            let line = resource
                .fields
                .iter()
                .find(|f| is_ciphertext(f))
                .map_or(resource.line, |f| f.line);
            return Err((
                line,
                "`ciphertext` has no decrypted fields after it".to_owned(),
            ));
        }
        return Ok(Plaintext { fields, variants });
    }
    Err((
        resource.line,
        "`resource` has no `ciphertext` string marked `data-encrypted=by-aes-gcm`".to_owned(),
    ))
}

/// The decrypted fields of `resource.ciphertext`, and their alternatives.
struct Plaintext {
    fields: Vec<Field>,
    variants: Vec<Vec<Field>>,
}

/// A decrypted shape documented as one `original_data` object (where the docs' PHP handler puts
/// the plaintext) is that object's children.
fn unwrap_original_data(fields: Vec<Field>, variants: Vec<Vec<Field>>) -> Plaintext {
    fn unwrap(group: Vec<Field>) -> Vec<Field> {
        match <[Field; 1]>::try_from(group) {
            Ok([only])
                if only.name == ORIGINAL_DATA
                    && only.ty == FieldType::Object
                    && only.variants.is_empty() =>
            {
                only.fields
            }
            Ok([only]) => vec![only],
            Err(group) => group,
        }
    }
    Plaintext {
        fields: unwrap(fields),
        variants: variants.into_iter().map(unwrap).collect(),
    }
}
