//! Table rows: splitting cells on unescaped pipes and reading the `{…}` attribute blocks of the
//! name and type cells (markdown-it-attrs syntax).

use crate::ir::{Encoding, Encryption};

/// The kind of table, from its header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// `请求参数`
    Request,
    /// `返回字典`
    Response,
    /// `应答规范`: a webhook's reply to WeChat Pay.
    Reply,
    /// `异常字典`: only the error answer is documented.
    Errors,
}

impl TableKind {
    pub fn from_header(first_cell: &str) -> Option<TableKind> {
        match first_cell {
            "请求参数" => Some(TableKind::Request),
            "返回字典" => Some(TableKind::Response),
            "应答规范" => Some(TableKind::Reply),
            "异常字典" => Some(TableKind::Errors),
            _ => None,
        }
    }
}

/// One body row of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Field(FieldRow),
    /// `| {colspan=3 .im-table-line}`: decoded content follows, or a new variant starts.
    Divider,
    /// `| text {align=center colspan=3}`: the table has no fields; the text says what comes.
    Placeholder(String),
}

/// The type token of a type cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeToken {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    ObjectArray,
    StringArray,
    NumberArray,
    IntegerArray,
    /// `` `true` ``: a v2 SDK flag.
    TrueLiteral,
}

impl TypeToken {
    fn parse(token: &str) -> Option<TypeToken> {
        Some(match token {
            "string" => TypeToken::String,
            "integer" => TypeToken::Integer,
            "number" | "float" => TypeToken::Number,
            "boolean" => TypeToken::Boolean,
            "object" => TypeToken::Object,
            "object[]" => TypeToken::ObjectArray,
            "string[]" => TypeToken::StringArray,
            "number[]" => TypeToken::NumberArray,
            "integer[]" => TypeToken::IntegerArray,
            "`true`" => TypeToken::TrueLiteral,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldRow {
    pub line: u32,
    pub name: String,
    pub required: bool,
    pub indent: usize,
    pub ty: TypeToken,
    pub encrypted: Option<Encryption>,
    pub encoded: Option<Encoding>,
    /// The raw description cell (markdown with `<br/>` and `\|`).
    pub description: String,
}

/// Splits a table's source into its kind and rows. Errors are `(line, message)`.
pub fn read_table(source: &str, first_line: u32) -> Result<(TableKind, Vec<Row>), (u32, String)> {
    let mut lines = source.lines().map(str::trim_end).filter(|l| !l.is_empty());
    let header = lines.next().unwrap_or("");
    let header_cells = split_cells(header);
    let kind = header_cells
        .first()
        .and_then(|cell| TableKind::from_header(cell.trim()))
        .ok_or_else(|| {
            (
                first_line,
                format!("unknown table header `{}`", header.trim()),
            )
        })?;
    let separator = lines.next().unwrap_or("");
    if !separator.trim_start_matches('|').trim().starts_with("--") {
        return Err((
            first_line.saturating_add(1),
            format!("expected a `| --- |` separator row, found `{separator}`"),
        ));
    }
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let line_no = first_line
            .saturating_add(2)
            .saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        rows.push(read_row(line, line_no)?);
    }
    Ok((kind, rows))
}

fn read_row(line: &str, line_no: u32) -> Result<Row, (u32, String)> {
    let cells = split_cells(line);
    let first = cells.first().map(|c| c.trim()).unwrap_or("");
    if cells.len() == 1 {
        if let Some((text, attrs)) = split_attrs(first) {
            if attrs.split_whitespace().any(|a| a == ".im-table-line") {
                return Ok(Row::Divider);
            }
            if attrs.split_whitespace().any(|a| a.starts_with("colspan=")) {
                return Ok(Row::Placeholder(text.trim().to_owned()));
            }
        }
        return Err((
            line_no,
            format!("row has one cell, expected `name | type | description`: `{line}`"),
        ));
    }
    let (name, name_attrs) = split_attrs(first).unwrap_or((first, ""));
    let name = name.trim();
    if name.is_empty() {
        return Err((line_no, "row has an empty name cell".to_owned()));
    }
    let mut required = false;
    let mut indent = 0usize;
    for attr in attr_tokens(name_attrs) {
        match attr.split_once('=') {
            None if attr == "data-required" => required = true,
            Some(("data-indent", value)) => {
                indent = value.parse().map_err(|_| {
                    (
                        line_no,
                        format!("`{name}`: data-indent=`{value}` is not a number"),
                    )
                })?;
            }
            _ => {
                return Err((
                    line_no,
                    format!("`{name}`: unknown name-cell attribute `{attr}`"),
                ));
            }
        }
    }

    let type_cell = cells[1].trim();
    let (type_text, type_attrs) = split_attrs(type_cell).unwrap_or((type_cell, ""));
    let type_text = type_text.trim();
    let ty = TypeToken::parse(type_text)
        .ok_or_else(|| (line_no, format!("`{name}`: unknown type `{type_text}`")))?;
    let mut encrypted = None;
    let mut encoded = None;
    for attr in attr_tokens(type_attrs) {
        match attr.split_once('=') {
            None if attr == "data-required" => required = true,
            Some(("data-tooltip" | "data-signed", _)) => {}
            Some(("data-encrypted", value)) => {
                encrypted = Some(match value {
                    "by-rsa-pubkey" => Encryption::RsaPubkey,
                    "by-aes-gcm" => Encryption::AesGcm,
                    "by-aes-ecb" => Encryption::AesEcb,
                    other => {
                        return Err((
                            line_no,
                            format!("`{name}`: unknown data-encrypted `{other}`"),
                        ));
                    }
                });
            }
            Some(("data-encoded" | "data-encoded-by", value)) => {
                encoded = Some(match value.trim_start_matches("by-") {
                    "json_encode" => Encoding::JsonEncode,
                    "urlencode" => Encoding::UrlEncode,
                    other => {
                        return Err((line_no, format!("`{name}`: unknown data-encoded `{other}`")));
                    }
                });
            }
            _ => {
                return Err((
                    line_no,
                    format!("`{name}`: unknown type-cell attribute `{attr}`"),
                ));
            }
        }
    }
    let description = if cells.len() > 2 {
        cells[2..].join("|")
    } else {
        String::new()
    };
    Ok(Row::Field(FieldRow {
        line: line_no,
        name: name.to_owned(),
        required,
        indent,
        ty,
        encrypted,
        encoded,
        description: description.trim().to_owned(),
    }))
}

/// Splits a row on unescaped `|` (a leading pipe opens the row; a trailing one closes it).
/// Backticks are not honoured, as in GFM.
pub fn split_cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push_str("\\|");
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    if !cell.trim().is_empty() || cells.is_empty() {
        cells.push(cell);
    }
    cells
}

/// Splits `text {attrs}` into its text and the attribute block's content.
fn split_attrs(cell: &str) -> Option<(&str, &str)> {
    let cell = cell.trim_end();
    let inner_end = cell.strip_suffix('}')?;
    let open = inner_end.rfind('{')?;
    Some((&cell[..open], &inner_end[open + 1..]))
}

/// Attribute tokens separated by whitespace; quoted values may contain spaces.
fn attr_tokens(attrs: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut token = String::new();
    let mut quoted = false;
    for c in attrs.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !token.is_empty() {
                    tokens.push(std::mem::take(&mut token));
                }
            }
            c => token.push(c),
        }
    }
    if !token.is_empty() {
        tokens.push(token);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(line: &str) -> FieldRow {
        match read_row(line, 7).unwrap() {
            Row::Field(f) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn splits_on_unescaped_pipes_only() {
        assert_eq!(
            split_cells("| a | b \\| c | d"),
            vec![" a ", " b \\| c ", " d"]
        );
        assert_eq!(split_cells("| a | b | "), vec![" a ", " b "]);
        assert_eq!(
            split_cells("| a | b | c | d"),
            vec![" a ", " b ", " c ", " d"]
        );
    }

    #[test]
    fn reads_name_and_type_attributes() {
        let f = field(
            "| phone_number {data-required data-indent=1} | string {data-tooltip=微信支付公钥/平台证书加密后的BASE64字符串 data-encrypted=by-rsa-pubkey} | 加密的手机号",
        );
        assert_eq!(f.name, "phone_number");
        assert!(f.required);
        assert_eq!(f.indent, 1);
        assert_eq!(f.ty, TypeToken::String);
        assert_eq!(f.encrypted, Some(Encryption::RsaPubkey));
        assert_eq!(f.description, "加密的手机号");
    }

    #[test]
    fn quoted_tooltips_and_misplaced_required() {
        let f = field("| query | object {data-required data-tooltip=\"对应PHP的 array\"} | x");
        assert!(f.required);
        assert_eq!(f.ty, TypeToken::Object);
    }

    #[test]
    fn four_cells_rejoin_the_description() {
        let f = field("| t {data-indent=3} | string | 收款方式类型<br/>`CFT` | `WPHK` 枚举值之一");
        assert_eq!(f.description, "收款方式类型<br/>`CFT` | `WPHK` 枚举值之一");
    }

    #[test]
    fn two_cells_and_spacing_quirks() {
        let f = field("| create_time  {data-required}| string");
        assert_eq!(
            (f.name.as_str(), f.required, f.description.as_str()),
            ("create_time", true, "")
        );
        let f = field("| a {data-required } | boolean | x");
        assert!(f.required);
    }

    #[test]
    fn dividers_and_placeholders() {
        assert_eq!(
            read_row("| {colspan=3 .im-table-line}", 1).unwrap(),
            Row::Divider
        );
        assert_eq!(
            read_row("| 空字符串(无返回内容) {align=center colspan=3}", 1).unwrap(),
            Row::Placeholder("空字符串(无返回内容)".into())
        );
    }

    #[test]
    fn unknown_types_and_attributes_are_errors() {
        assert_eq!(
            read_row("| a | map | x", 9).unwrap_err(),
            (9, "`a`: unknown type `map`".into())
        );
        assert_eq!(
            read_row("| a {data-depth=2} | string | x", 9).unwrap_err(),
            (9, "`a`: unknown name-cell attribute `data-depth=2`".into())
        );
    }
}
