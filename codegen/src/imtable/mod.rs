//! Front end for wechatpay.im pages: one operation per method-anchored heading, each with a
//! request table and a response table (FORMATS.md part A).

mod blocks;
mod enums;
mod request;
mod rows;
mod tree;
mod webhook;

use crate::diag::{Diagnostic, LineIndex};
use crate::frontmatter::Frontmatter;
use crate::ir::{ApiVersion, Method, Operation, Page, Response, ResponseKind, SourceFormat};

use blocks::Block;
use rows::{Row, TableKind};

pub use tree::description_text;

const TITLE_PLACEHOLDER: &str = "{{ $frontmatter.title }}";
const DESCRIPTION_PLACEHOLDER: &str = "{{ $frontmatter.description }}";

/// Reads the operations of an im-table page.
pub fn parse(
    source: &str,
    text: &str,
    frontmatter: &Frontmatter,
    _body_start: usize,
) -> Result<Page, Vec<Diagnostic>> {
    let lines = LineIndex::new(text);
    let blocks = blocks::read_blocks(text);
    let page = PageContext {
        source,
        text,
        frontmatter,
        lines: &lines,
    };
    // A notification page: it documents the merchant's reply, or lives under `webhook/`.
    if source.split('/').any(|segment| segment == "webhook")
        || blocks.iter().any(
            |b| matches!(b, Block::Table { range } if text[range.clone()].starts_with("| 应答规范")),
        )
    {
        return webhook::parse(&page, &blocks);
    }
    let url =
        url_from_source(source).map_err(|message| vec![Diagnostic::new(source, 1, message)])?;

    let starts: Vec<(usize, Method)> = blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Heading {
                anchor: Some(anchor),
                ..
            } => Method::from_lower(anchor).map(|m| (i, m)),
            _ => None,
        })
        .collect();
    if starts.is_empty() {
        return Err(vec![Diagnostic::new(
            source,
            1,
            "no operation heading (`# title {#get|post|put|patch|delete}`) on the page",
        )]);
    }

    let mut operations = Vec::new();
    let mut errors = Vec::new();
    for (n, &(start, method)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(blocks.len(), |&(next, _)| next);
        match page.operation(&blocks[start..end], method, &url) {
            Ok(op) => operations.push(op),
            Err(mut diagnostics) => errors.append(&mut diagnostics),
        }
    }
    let mut seen = Vec::new();
    for op in &operations {
        if seen.contains(&op.method) {
            errors.push(Diagnostic::new(
                source,
                op.line,
                format!(
                    "a second `{}` operation on the same page",
                    op.method.lower()
                ),
            ));
        }
        seen.push(op.method);
    }
    if errors.is_empty() {
        Ok(Page {
            operations,
            notifications: Vec::new(),
        })
    } else {
        Err(errors)
    }
}

/// The URL path template of a page: its path from the `v3/` (or `v2/`) segment on, without
/// `.md`; an `index.md` page stands for the directory's trailing slash.
pub fn url_from_source(source: &str) -> Result<String, String> {
    let without_ext = source.strip_suffix(".md").unwrap_or(source);
    let segments: Vec<&str> = without_ext.split('/').collect();
    let Some(start) = segments.iter().position(|s| *s == "v3" || *s == "v2") else {
        return Err(format!(
            "cannot derive the URL from the page path `{source}`: it has no `v3/` directory"
        ));
    };
    let mut url = format!("/{}", segments[start..].join("/"));
    if let Some(dir) = url.strip_suffix("/index") {
        url = format!("{dir}/");
    }
    Ok(url)
}

struct PageContext<'a> {
    source: &'a str,
    text: &'a str,
    frontmatter: &'a Frontmatter,
    lines: &'a LineIndex,
}

/// The tables of one operation, with their kinds and first lines.
struct Table {
    kind: TableKind,
    line: u32,
    rows: Vec<Row>,
}

impl PageContext<'_> {
    fn error(&self, line: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.source, line, message)
    }

    fn operation(
        &self,
        scope: &[Block],
        method: Method,
        url: &str,
    ) -> Result<Operation, Vec<Diagnostic>> {
        let Block::Heading { line, title, .. } = &scope[0] else {
            unreachable!("an operation scope starts at its heading")
        };
        let line = *line;
        let summary = self.summary(title, line)?;

        let mut description = None;
        let mut doc_links = Vec::new();
        let mut notices = Vec::new();
        let mut chain = None;
        let mut request = None;
        let mut response = None;
        let mut errors = Vec::new();

        let mut i = 1;
        while i < scope.len() {
            match &scope[i] {
                Block::Table { range } => {
                    let (table, closed) = self.table_at(range, scope.get(i + 1));
                    match table {
                        Ok(table) => {
                            let slot = if table.kind == TableKind::Request {
                                &mut request
                            } else {
                                &mut response
                            };
                            if slot.is_some() {
                                errors.push(self.error(
                                    table.line,
                                    "a second table of this kind in one operation",
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
                    if let Some(notice) = notice_class(text) {
                        notices.push(notice);
                    } else if description.is_none() && request.is_none() && !text.starts_with(":::")
                    {
                        description = Some(text.replace(
                            DESCRIPTION_PLACEHOLDER,
                            self.frontmatter.description.as_deref().unwrap_or(""),
                        ));
                    }
                    for link in links {
                        if !doc_links.contains(link) {
                            doc_links.push(link.clone());
                        }
                    }
                }
                Block::Code { range, .. } => {
                    if chain.is_none() {
                        let raw = &self.text[range.clone()];
                        chain = chain_literal(raw)
                            .map(|(at, literal)| (literal, self.lines.line(range.start + at)));
                    }
                }
                Block::Heading { .. } => {}
            }
            i += 1;
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        let Some(request) = request else {
            errors.push(self.error(
                line,
                format!(
                    "operation `{}` has no request table (`{{.im-table #request}}`)",
                    method.lower()
                ),
            ));
            return Err(errors);
        };
        let Some(response) = response else {
            errors.push(self.error(
                line,
                format!(
                    "operation `{}` has no response table (`{{.im-table #response}}`)",
                    method.lower()
                ),
            ));
            return Err(errors);
        };
        if let Some((chain, chain_line)) = &chain {
            let chained = format!("/{}", chain.replace("{empty}", ""));
            if chained != url && !fixed_value_chain(&chained, url) {
                errors.push(self.error(
                    *chain_line,
                    format!(
                        "the example calls `chain('{chain}')`, but the page path gives `{url}`"
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let parts = request::classify(&request.rows, url, request.line)
            .map_err(|(l, m)| vec![self.error(l, m)])?;
        let api_version = ApiVersion::of_path(url);
        let response = self.response(&response, api_version)?;
        Ok(Operation {
            source: self.source.to_owned(),
            line,
            format: SourceFormat::ImTable,
            method,
            path: url.to_owned(),
            summary,
            description: description.map(|d| d.trim().to_owned()).unwrap_or_default(),
            doc_links,
            notices,
            base_uri: parts.base_uri,
            path_params: parts.path_params,
            query: parts.query,
            headers: parts.headers,
            body: parts.body,
            response,
            model: None,
            api_version,
            security: parts.security,
            nonceless: parts.nonceless,
            fragment: parts.fragment,
        })
    }

    fn summary(&self, title: &str, line: u32) -> Result<String, Vec<Diagnostic>> {
        let title = title.trim();
        if title.contains(TITLE_PLACEHOLDER) {
            let Some(fm_title) = self.frontmatter.title.as_deref() else {
                return Err(vec![self.error(
                    line,
                    "the heading uses `{{ $frontmatter.title }}` but the page has no frontmatter title",
                )]);
            };
            return Ok(title.replace(TITLE_PLACEHOLDER, fm_title).trim().to_owned());
        }
        Ok(title.to_owned())
    }

    /// Reads a table with the closer paragraph that must follow it (`next`); the flag says
    /// whether that closer was there (and so is consumed too).
    fn table_at(
        &self,
        range: &std::ops::Range<usize>,
        next: Option<&Block>,
    ) -> (Result<Table, Diagnostic>, bool) {
        let closer = match next {
            Some(Block::Paragraph { text, .. }) => closer_kind(text),
            _ => None,
        };
        (self.table(range, closer), closer.is_some())
    }

    fn table(
        &self,
        range: &std::ops::Range<usize>,
        closer: Option<TableKind>,
    ) -> Result<Table, Diagnostic> {
        let line = self.lines.line(range.start);
        let (kind, rows) =
            rows::read_table(&self.text[range.clone()], line).map_err(|(l, m)| self.error(l, m))?;
        let Some(closer) = closer else {
            return Err(self.error(
                line,
                "table is not closed by `{.im-table #request}` or `{.im-table #response}` after one blank line",
            ));
        };
        let expected = if kind == TableKind::Request {
            TableKind::Request
        } else {
            TableKind::Response
        };
        if closer != expected {
            return Err(self.error(
                line,
                "table header and its `{.im-table #…}` closer disagree",
            ));
        }
        Ok(Table { kind, line, rows })
    }

    /// The answer of an operation. Only an answer table whose placeholder says `文件流` (file
    /// stream) is a v3 download ([`ResponseKind::Binary`]): a download is the one answer the
    /// runtime does not verify, so no other table may make one. A v2 answer table describes
    /// XML (one v2 page answers JSON: its example decodes with `json_decode`, not
    /// `Transformer::toArray`), and a v2 `异常字典` table is a download whose error answer is XML.
    fn response(
        &self,
        table: &Table,
        api_version: ApiVersion,
    ) -> Result<Response, Vec<Diagnostic>> {
        let v2 = api_version == ApiVersion::V2;
        if table.kind == TableKind::Errors && v2 {
            let tree = tree::build(&table.rows).map_err(|(l, m)| vec![self.error(l, m)])?;
            return Ok(Response {
                kind: ResponseKind::Download,
                fields: tree.fields,
            });
        }
        if table.kind == TableKind::Errors {
            // `异常字典`: the rows document the error body; the success answer has no documented
            // content. Signed like every answer that is not a file stream.
            return Ok(Response {
                kind: ResponseKind::Empty,
                fields: Vec::new(),
            });
        }
        if let Some(text) = table.rows.iter().find_map(|r| match r {
            Row::Placeholder(text) => Some(text),
            _ => None,
        }) {
            let kind = if is_file_stream(text) {
                ResponseKind::Binary
            } else {
                ResponseKind::Empty
            };
            return Ok(Response {
                kind,
                fields: Vec::new(),
            });
        }
        let tree = tree::build(&table.rows).map_err(|(l, m)| vec![self.error(l, m)])?;
        if !tree.variants.is_empty() {
            return Err(vec![self.error(
                table.line,
                "response variants at the top level are not supported",
            )]);
        }
        let kind = if tree.fields.is_empty() {
            ResponseKind::Empty
        } else if v2 && !self.text.contains("json_decode(") {
            ResponseKind::Xml
        } else {
            ResponseKind::Json
        };
        let mut fields = tree.fields;
        tree::unique_rust_names(&mut fields);
        if v2 {
            fields = crate::indexed::group(fields).map_err(|(l, m)| vec![self.error(l, m)])?;
        }
        Ok(Response { kind, fields })
    }
}

/// Whether an answer table's placeholder row documents a file stream (`文件流(…)`).
fn is_file_stream(placeholder: &str) -> bool {
    placeholder.trim_start().starts_with("文件流")
}

fn closer_kind(paragraph: &str) -> Option<TableKind> {
    match paragraph.trim() {
        "{.im-table #request}" => Some(TableKind::Request),
        "{.im-table #response}" => Some(TableKind::Response),
        _ => None,
    }
}

/// A v2 chain naming a URL segment that holds capitals as a lower-case placeholder
/// (`v2/secapi/mch/{modifyinstitutionsub}` for `/v2/secapi/mch/modifyInstitutionsub`): the
/// SDK is handed the real segment as a fixed value, and the page path holds the real URL.
fn fixed_value_chain(chained: &str, url: &str) -> bool {
    let (chain, path): (Vec<&str>, Vec<&str>) =
        (chained.split('/').collect(), url.split('/').collect());
    chain.len() == path.len()
        && chain.iter().zip(&path).all(|(c, p)| {
            c == p
                || (request::fixed_value_placeholder(c)
                    .is_some_and(|name| name == p.to_lowercase()))
        })
}

/// `::: danger … {.im-deprecated}` → `deprecated`.
fn notice_class(paragraph: &str) -> Option<String> {
    let first_line = paragraph.lines().next()?.trim();
    if !first_line.starts_with(":::") {
        return None;
    }
    let start = first_line.find("{.im-")?;
    let class = first_line[start + 5..].split(['}', ' ']).next()?;
    Some(class.to_owned())
}

/// The offset and literal of the first `chain('…')` call in a code block.
fn chain_literal(code: &str) -> Option<(usize, String)> {
    let at = code.find("chain('")?;
    let start = at + "chain('".len();
    let len = code[start..].find('\'')?;
    Some((at, code[start..start + len].to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_from_page_paths() {
        assert_eq!(
            url_from_source("openapi/v3/marketing/membercard-open/cards/{card_id}/users/import.md")
                .unwrap(),
            "/v3/marketing/membercard-open/cards/{card_id}/users/import"
        );
        assert_eq!(
            url_from_source("v3/ecommerce/applyments/index.md").unwrap(),
            "/v3/ecommerce/applyments/"
        );
        assert!(url_from_source("guide/index.md").is_err());
    }

    #[test]
    fn notices_and_chains() {
        assert_eq!(
            notice_class("::: danger :no_entry_sign: {.im-deprecated}"),
            Some("deprecated".into())
        );
        assert_eq!(notice_class("普通段落"), None);
        assert_eq!(
            chain_literal("$i->chain('v3/a/{b}')->get()"),
            Some((4, "v3/a/{b}".into()))
        );
    }
}
