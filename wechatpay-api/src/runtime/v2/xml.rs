//! APIv2 documents: a flat `<xml><name>text</name>…</xml>` read into [`Params`] and written
//! from them.
//!
//! Reading is strict, since answers and notifications are hostile until their `sign` is
//! checked: one root named `xml`, children holding text or CDATA only, each name once, nothing
//! after the root, no DOCTYPE (so no declared entities: only the five predefined ones and
//! character references are read), no processing instructions, no attributes, UTF-8, at most
//! [`MAX_DOCUMENT_BYTES`]. Errors name the line and the element, never a value.
//!
//! Writing puts every value in CDATA (a `]]>` inside is split over two sections, a carriage
//! return written as `&#13;` so that no reader normalises it away) and refuses
//! element names that are not `[A-Za-z_][A-Za-z0-9_]*` and characters XML cannot carry.

use std::fmt;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::params::Params;

/// The largest document read (1 MiB; WeChat Pay's v2 documents are a few KiB).
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// A document that could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// The 1-based line where reading stopped (`None` when writing).
    pub line: Option<u64>,
    /// The element being read or written, when there was one.
    pub element: Option<String>,
    /// What is wrong (never a value of the document).
    pub message: String,
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("v2 XML")?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(element) = &self.element {
            write!(f, " element `{}`", element.escape_debug())?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for XmlError {}

/// Whether `name` may be written as an element name.
pub fn is_element_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether XML 1.0 can carry `c` (`Char` of the spec).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Writes `params` as `<xml>…</xml>`, every value in CDATA.
pub fn write(params: &Params) -> Result<String, XmlError> {
    let mut out = String::with_capacity(64 + params.len() * 48);
    out.push_str("<xml>");
    for (name, value) in params.iter() {
        let error = |message: &str| XmlError {
            line: None,
            element: Some(name.to_owned()),
            message: message.to_owned(),
        };
        if !is_element_name(name) {
            return Err(error(
                "not an element name (letters, digits and `_`, not starting with a digit)",
            ));
        }
        if let Some(position) = value.chars().position(|c| !is_xml_char(c)) {
            return Err(error(&format!(
                "character {} of the value cannot be carried by XML",
                position + 1
            )));
        }
        out.push('<');
        out.push_str(name);
        out.push_str("><![CDATA[");
        // `]]>` would end the section; a raw `\r` would be normalised away by the reader's
        // line-end handling (and the signed value changed): both leave the section.
        out.push_str(
            &value
                .replace("]]>", "]]]]><![CDATA[>")
                .replace('\r', "]]>&#13;<![CDATA["),
        );
        out.push_str("]]></");
        out.push_str(name);
        out.push('>');
    }
    out.push_str("</xml>");
    Ok(out)
}

/// Whether `body` is an XML document (starts with `<xml`, after whitespace or a BOM), as a
/// download's error answer is.
pub fn is_xml_document(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let rest = &body[start..];
    rest.starts_with(b"<xml>") || rest.starts_with(b"<?xml") || rest.starts_with(b"<xml ")
}

enum State {
    BeforeRoot,
    InRoot,
    InChild { name: String, text: String },
    AfterRoot,
}

/// Reads a flat `<xml>` document.
pub fn parse(body: &[u8]) -> Result<Params, XmlError> {
    parse_with_root(body, "xml")
}

/// Reads a flat document whose root element is `root` (the decrypted `req_info` of refund
/// notifications is `<root>…</root>`), with the rules of [`parse`].
pub fn parse_with_root(body: &[u8], root: &'static str) -> Result<Params, XmlError> {
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(XmlError {
            line: None,
            element: None,
            message: format!(
                "document of {} bytes is over the {MAX_DOCUMENT_BYTES}-byte limit",
                body.len()
            ),
        });
    }
    let text = std::str::from_utf8(body).map_err(|e| XmlError {
        line: Some(line_of(body, e.valid_up_to())),
        element: None,
        message: "not UTF-8".to_owned(),
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    Parser {
        reader: Reader::from_str(text),
        text,
        root,
        params: Params::new(),
        state: State::BeforeRoot,
        seen_anything: false,
    }
    .run()
}

fn line_of(body: &[u8], position: usize) -> u64 {
    let end = position.min(body.len());
    1 + body[..end].iter().filter(|&&b| b == b'\n').count() as u64
}

struct Parser<'a> {
    reader: Reader<&'a [u8]>,
    text: &'a str,
    root: &'static str,
    params: Params,
    state: State,
    /// Whether an event other than the declaration has been read (it must come first).
    seen_anything: bool,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> XmlError {
        let element = match &self.state {
            State::InChild { name, .. } => Some(name.clone()),
            State::InRoot => Some(self.root.to_owned()),
            _ => None,
        };
        XmlError {
            line: Some(line_of(
                self.text.as_bytes(),
                usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX),
            )),
            element,
            message: message.into(),
        }
    }

    fn name_of(&self, start: &BytesStart<'_>) -> Result<String, XmlError> {
        let name = std::str::from_utf8(start.name().as_ref())
            .map_err(|_| self.error("element name is not UTF-8"))?
            .to_owned();
        if start.attributes().next().is_some() {
            return Err(XmlError {
                element: Some(name),
                ..self.error("attributes are not part of a v2 document")
            });
        }
        Ok(name)
    }

    fn run(mut self) -> Result<Params, XmlError> {
        loop {
            let event = self.reader.read_event().map_err(|e| {
                let message = format!("malformed XML: {e}");
                self.error(message)
            })?;
            let first = !self.seen_anything;
            self.seen_anything = true;
            match event {
                Event::Eof => {
                    return match self.state {
                        State::AfterRoot => Ok(self.params),
                        State::BeforeRoot => {
                            let message = format!("no `<{}>` root element", self.root);
                            Err(self.error(message))
                        }
                        _ => Err(self.error("document ends inside an element")),
                    };
                }
                Event::Decl(_) if first => {}
                Event::Decl(_) => return Err(self.error("XML declaration not at the start")),
                Event::DocType(_) => {
                    return Err(self.error("DOCTYPE (and entity declarations) refused"));
                }
                Event::PI(_) => return Err(self.error("processing instruction refused")),
                Event::Comment(_) => {}
                Event::Start(start) => {
                    let name = self.name_of(&start)?;
                    self.open(name)?;
                }
                Event::Empty(start) => {
                    let name = self.name_of(&start)?;
                    match self.state {
                        State::BeforeRoot if name == self.root => self.state = State::AfterRoot,
                        _ => {
                            self.open(name)?;
                            self.close()?;
                        }
                    }
                }
                Event::End(_) => self.close()?,
                Event::Text(text) => {
                    let raw = text
                        .decode()
                        .map_err(|e| self.error(format!("bad text: {e}")))?;
                    self.text_content(&raw, true)?;
                }
                Event::CData(data) => {
                    let raw = data
                        .decode()
                        .map_err(|e| self.error(format!("bad CDATA: {e}")))?;
                    self.text_content(&raw, false)?;
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) if is_xml_char(c) => c.to_string(),
                        Ok(Some(_)) | Err(_) => {
                            return Err(self.error("invalid character reference"));
                        }
                        Ok(None) => {
                            let name = reference
                                .decode()
                                .map_err(|e| self.error(format!("bad entity reference: {e}")))?;
                            match resolve_predefined_entity(&name) {
                                Some(text) => text.to_owned(),
                                None => {
                                    let message = format!(
                                        "entity `&{};` is not one of the five XML predefines",
                                        name.escape_debug()
                                    );
                                    return Err(self.error(message));
                                }
                            }
                        }
                    };
                    self.text_content(&resolved, false)?;
                }
            }
        }
    }

    fn open(&mut self, name: String) -> Result<(), XmlError> {
        match &self.state {
            State::BeforeRoot if name == self.root => {
                self.state = State::InRoot;
                Ok(())
            }
            State::BeforeRoot => Err(XmlError {
                element: Some(name),
                ..self.error(format!("the root element must be `{}`", self.root))
            }),
            State::InRoot => {
                if self.params.contains(&name) {
                    return Err(XmlError {
                        element: Some(name),
                        ..self.error("element appears twice")
                    });
                }
                self.state = State::InChild {
                    name,
                    text: String::new(),
                };
                Ok(())
            }
            State::InChild { .. } => Err(self.error(format!(
                "nested element `{}`: v2 elements hold text only",
                name.escape_debug()
            ))),
            State::AfterRoot => Err(XmlError {
                element: Some(name),
                ..self.error(format!("content after the `</{}>` root", self.root))
            }),
        }
    }

    fn close(&mut self) -> Result<(), XmlError> {
        match std::mem::replace(&mut self.state, State::AfterRoot) {
            State::InChild { name, text } => {
                self.params.insert(name, text);
                self.state = State::InRoot;
                Ok(())
            }
            State::InRoot => Ok(()),
            other => {
                self.state = other;
                Err(self.error("unexpected end tag"))
            }
        }
    }

    /// Text, CDATA or a resolved reference; outside a child only whitespace text is allowed.
    fn text_content(&mut self, content: &str, may_be_layout: bool) -> Result<(), XmlError> {
        if let State::InChild { text, .. } = &mut self.state {
            text.push_str(content);
            return Ok(());
        }
        if may_be_layout && content.chars().all(|c| c.is_ascii_whitespace()) {
            return Ok(());
        }
        let message = match self.state {
            State::AfterRoot => format!("content after the `</{}>` root", self.root),
            _ => "text outside an element".to_owned(),
        };
        Err(self.error(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn err(doc: &str) -> XmlError {
        parse(doc.as_bytes()).expect_err(doc)
    }

    #[test]
    fn reads_a_wechat_pay_answer() {
        let doc = "<?xml version=\"1.0\"?>\n<xml>\n  <return_code><![CDATA[SUCCESS]]></return_code>\n  <total_fee>1</total_fee>\n  <attach>a &amp; b &lt;c&gt; &#x4E2D;&#25991;</attach>\n  <empty></empty><also_empty/>\n  <!-- note -->\n</xml>\n";
        let read = parse(doc.as_bytes()).unwrap();
        assert_eq!(
            read,
            params(&[
                ("also_empty", ""),
                ("attach", "a & b <c> 中文"),
                ("empty", ""),
                ("return_code", "SUCCESS"),
                ("total_fee", "1"),
            ])
        );
    }

    #[test]
    fn write_then_read_round_trips_hostile_values() {
        let original = params(&[
            ("body", "a]]>b]]]]>c<d>&e;"),
            ("detail", "{\"k\":\"<v>\"}"),
            ("multi_line", "x\r\ny\tz"),
            ("zh", "中文 😀"),
        ]);
        let doc = write(&original).unwrap();
        assert!(doc.starts_with("<xml><body><![CDATA["), "{doc}");
        assert!(doc.contains("x]]>&#13;<![CDATA[\ny"), "{doc}");
        assert_eq!(parse(doc.as_bytes()).unwrap(), original);
    }

    #[test]
    fn write_refuses_bad_names_and_characters() {
        for bad in ["", "1a", "a b", "a<b", "x:y", "名"] {
            let e = write(&params(&[(bad, "v")])).unwrap_err();
            assert_eq!(e.element.as_deref(), Some(bad));
        }
        let e = write(&params(&[("body", "a\u{0}secret")])).unwrap_err();
        assert_eq!(e.element.as_deref(), Some("body"));
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn refuses_doctype_and_entities() {
        let e = err("<!DOCTYPE xml [<!ENTITY x \"boom\">]><xml><a>&x;</a></xml>");
        assert!(e.message.contains("DOCTYPE"), "{e}");
        let e = err("<xml><a>&x;</a></xml>");
        assert!(e.message.contains("`&x;`"), "{e}");
        assert_eq!(e.element.as_deref(), Some("a"));
        let e = err("<xml><a>&#0;</a></xml>");
        assert!(e.message.contains("character reference"), "{e}");
        let e = err("<?xml-stylesheet href=\"x\"?><xml></xml>");
        assert!(e.message.contains("processing instruction"), "{e}");
    }

    #[test]
    fn refuses_structure_other_than_flat() {
        let e = err("<xml><a>1</a>\n<a>2</a></xml>");
        assert_eq!((e.line, e.element.as_deref()), (Some(2), Some("a")));
        assert!(e.message.contains("twice"), "{e}");

        let e = err("<xml><a><b>1</b></a></xml>");
        assert!(e.message.contains("nested element `b`"), "{e}");
        assert_eq!(e.element.as_deref(), Some("a"));

        let e = err("<root><a>1</a></root>");
        assert!(e.message.contains("root element must be `xml`"), "{e}");

        let e = err("<xml><a>1</a></xml><xml></xml>");
        assert!(e.message.contains("after the `</xml>`"), "{e}");
        let e = err("<xml><a>1</a></xml>garbage");
        assert!(e.message.contains("after the `</xml>`"), "{e}");

        let e = err("<xml>loose<a>1</a></xml>");
        assert!(e.message.contains("outside an element"), "{e}");
        let e = err("<xml><a x=\"1\">1</a></xml>");
        assert!(e.message.contains("attributes"), "{e}");
        let e = err("<xml><a>1</b></xml>");
        assert!(e.message.contains("malformed"), "{e}");
        let e = err("<xml><a>1</a>");
        assert!(e.message.contains("ends inside"), "{e}");
        assert!(err("").message.contains("no `<xml>`"));
        assert!(err("{\"json\":1}").message.contains("outside an element"));
    }

    #[test]
    fn refuses_over_long_and_non_utf8_input() {
        let long = format!("<xml><a>{}</a></xml>", "x".repeat(MAX_DOCUMENT_BYTES));
        assert!(err(&long).message.contains("limit"));
        let e = parse(b"<xml>\n<a>\xFF</a></xml>").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("UTF-8"));
    }

    #[test]
    fn reads_another_root_when_asked() {
        let doc = b"<root><refund_id><![CDATA[R1]]></refund_id></root>";
        assert_eq!(
            parse_with_root(doc, "root").unwrap(),
            params(&[("refund_id", "R1")])
        );
        let e = parse(doc).unwrap_err();
        assert!(e.message.contains("must be `xml`"), "{e}");
        let e = parse_with_root(b"<xml><a>1</a></xml>", "root").unwrap_err();
        assert!(e.message.contains("must be `root`"), "{e}");
        let e = parse_with_root(b"<root/><root/>", "root").unwrap_err();
        assert!(e.message.contains("after the `</root>`"), "{e}");
        assert!(
            parse_with_root(b"", "root")
                .unwrap_err()
                .message
                .contains("no `<root>`")
        );
    }

    #[test]
    fn errors_never_show_values() {
        let e = err("<xml><a>secret-value<b/></a></xml>");
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn xml_documents_are_told_from_files() {
        assert!(is_xml_document(
            b"  <xml><return_code>FAIL</return_code></xml>"
        ));
        assert!(is_xml_document(b"\xEF\xBB\xBF<xml>"));
        assert!(!is_xml_document(
            b"\xE4\xBA\xA4\xE6\x98\x93\xE6\x97\xB6\xE9\x97\xB4,"
        ));
        assert!(!is_xml_document(b"\x1f\x8b\x08"));
        assert!(!is_xml_document(b"<xmlfoo>"));
    }
}
