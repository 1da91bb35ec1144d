//! APIv2 documents: a flat `<xml><name>text</name>…</xml>` read into [`Params`] and written
//! from them.
//!
//! Reading is strict, since answers and notifications are hostile until their `sign` is
//! checked: one root named `xml`, children holding text or CDATA only, each name once, nothing
//! after the root, no DOCTYPE (so no declared entities: only the five predefined ones and
//! character references are read), no processing instructions, no attributes, UTF-8, at most
//! [`MAX_DOCUMENT_BYTES`]. Errors name the line and the element, never a value.
//!
//! One nested shape is read (`gethbinfo`'s red packet receipts): a child of the root holding
//! only elements (*items*, any name, repeated or not) that each hold only text elements
//! (*leaves*, each name once per item): `<xml><hblist><hbinfo><amount>1</amount></hbinfo>
//! <hbinfo>…</hbinfo></hblist></xml>`, a [nested list](Params::list). Layout whitespace
//! between the elements is allowed; text or CDATA beside elements, and any element deeper
//! than a leaf, are refused. Element paths in errors read `hblist.hbinfo[1].amount` (the
//! position among the list's items).
//!
//! Writing puts every value in CDATA (a `]]>` inside is split over two sections, a carriage
//! return written as `&#13;` so that no reader normalises it away), a nested list as nested
//! elements, and refuses element names that are not `[A-Za-z_][A-Za-z0-9_]*` and characters
//! XML cannot carry.

use std::fmt;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::params::{Entry, Item, Params};

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

/// Writes `params` as `<xml>…</xml>`, every value in CDATA, nested lists as elements.
pub fn write(params: &Params) -> Result<String, XmlError> {
    let mut out = String::with_capacity(64 + params.len() * 48);
    out.push_str("<xml>");
    write_entries(&mut out, params, "")?;
    out.push_str("</xml>");
    Ok(out)
}

fn write_entries(out: &mut String, params: &Params, prefix: &str) -> Result<(), XmlError> {
    for (name, entry) in params.entries() {
        let error = |message: &str| XmlError {
            line: None,
            element: Some(format!("{prefix}{name}")),
            message: message.to_owned(),
        };
        if !is_element_name(name) {
            return Err(error(
                "not an element name (letters, digits and `_`, not starting with a digit)",
            ));
        }
        out.push('<');
        out.push_str(name);
        out.push('>');
        match entry {
            Entry::Text(value) => {
                if let Some(position) = value.chars().position(|c| !is_xml_char(c)) {
                    return Err(error(&format!(
                        "character {} of the value cannot be carried by XML",
                        position + 1
                    )));
                }
                out.push_str("<![CDATA[");
                // `]]>` would end the section; a raw `\r` would be normalised away by the
                // reader's line-end handling (and the signed value changed): both leave the
                // section.
                out.push_str(
                    &value
                        .replace("]]>", "]]]]><![CDATA[>")
                        .replace('\r', "]]>&#13;<![CDATA["),
                );
                out.push_str("]]>");
            }
            Entry::List(items) => {
                for (position, (item, leaves)) in items.iter().enumerate() {
                    let path = format!("{prefix}{name}.{item}[{position}]");
                    if !is_element_name(item) {
                        return Err(XmlError {
                            line: None,
                            element: Some(path),
                            message: "not an element name (letters, digits and `_`, not \
                                      starting with a digit)"
                                .to_owned(),
                        });
                    }
                    out.push('<');
                    out.push_str(item);
                    out.push('>');
                    write_entries(out, leaves, &format!("{path}."))?;
                    out.push_str("</");
                    out.push_str(item);
                    out.push('>');
                }
            }
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    Ok(())
}

/// The canonical text of a nested list, which its `sign` covers (see
/// [`sign`](super::sign)): `<item><leaf>text</leaf>…</item>…`, items in document order, leaves
/// in name order, `&`, `<` and `>` of a text escaped, no CDATA, no whitespace between elements.
/// A list without items is empty text.
pub fn canonical_list(items: &[Item]) -> String {
    let mut out = String::new();
    canonical_items(&mut out, items);
    out
}

fn canonical_items(out: &mut String, items: &[Item]) {
    for (item, leaves) in items {
        out.push('<');
        out.push_str(item);
        out.push('>');
        for (name, entry) in leaves.entries() {
            out.push('<');
            out.push_str(name);
            out.push('>');
            match entry {
                Entry::Text(text) => {
                    for c in text.chars() {
                        match c {
                            '&' => out.push_str("&amp;"),
                            '<' => out.push_str("&lt;"),
                            '>' => out.push_str("&gt;"),
                            c => out.push(c),
                        }
                    }
                }
                Entry::List(inner) => canonical_items(out, inner),
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        out.push_str("</");
        out.push_str(item);
        out.push('>');
    }
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
    /// In a child of the root: its text so far, and whether that is layout whitespace only
    /// (an element may then start in it, making it a nested list).
    InChild {
        name: String,
        text: String,
        layout_only: bool,
    },
    /// In a nested list, between its items.
    InList(List),
    /// In an item of a nested list, between its leaves.
    InItem(List, Leaves),
    /// In a leaf of an item.
    InLeaf(List, Leaves, String, String),
    AfterRoot,
}

/// A nested list being read: its name and its items so far.
struct List {
    name: String,
    items: Vec<Item>,
}

/// An item being read: its name and its leaves so far.
struct Leaves {
    name: String,
    params: Params,
}

impl List {
    fn item_path(&self, item: &str) -> String {
        format!("{}.{item}[{}]", self.name, self.items.len())
    }
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
            State::InList(list) => Some(list.name.clone()),
            State::InItem(list, item) => Some(list.item_path(&item.name)),
            State::InLeaf(list, item, leaf, _) => {
                Some(format!("{}.{leaf}", list.item_path(&item.name)))
            }
            State::BeforeRoot | State::AfterRoot => None,
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
        let name = start.name().as_ref().to_owned();
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
                    // As written: no end-of-line normalisation, so a signed value is checked as
                    // sent.
                    let raw = text.into_inner();
                    self.text_content(&raw, true)?;
                }
                Event::CData(data) => {
                    let raw = data.into_inner();
                    self.text_content(&raw, false)?;
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) if is_xml_char(c) => c.to_string(),
                        Ok(Some(_)) | Err(_) => {
                            return Err(self.error("invalid character reference"));
                        }
                        Ok(None) => {
                            let name = reference.into_inner();
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
        match std::mem::replace(&mut self.state, State::AfterRoot) {
            State::BeforeRoot if name == self.root => {
                self.state = State::InRoot;
                Ok(())
            }
            State::BeforeRoot => {
                self.state = State::BeforeRoot;
                Err(XmlError {
                    element: Some(name),
                    ..self.error(format!("the root element must be `{}`", self.root))
                })
            }
            State::InRoot => {
                self.state = State::InRoot;
                if self.params.contains(&name) {
                    return Err(XmlError {
                        element: Some(name),
                        ..self.error("element appears twice")
                    });
                }
                self.state = State::InChild {
                    name,
                    text: String::new(),
                    layout_only: true,
                };
                Ok(())
            }
            State::InChild {
                name: list,
                text,
                layout_only,
            } => {
                if !layout_only {
                    self.state = State::InChild {
                        name: list,
                        text,
                        layout_only,
                    };
                    return Err(self.error(format!(
                        "element `{}` beside text: an element holds text or elements, not both",
                        name.escape_debug()
                    )));
                }
                let list = List {
                    name: list,
                    items: Vec::new(),
                };
                self.state = State::InItem(
                    list,
                    Leaves {
                        name,
                        params: Params::new(),
                    },
                );
                Ok(())
            }
            State::InList(list) => {
                self.state = State::InItem(
                    list,
                    Leaves {
                        name,
                        params: Params::new(),
                    },
                );
                Ok(())
            }
            State::InItem(list, item) => {
                if item.params.contains(&name) {
                    let path = format!("{}.{name}", list.item_path(&item.name));
                    self.state = State::InItem(list, item);
                    return Err(XmlError {
                        element: Some(path),
                        ..self.error("element appears twice in one item")
                    });
                }
                self.state = State::InLeaf(list, item, name, String::new());
                Ok(())
            }
            state @ State::InLeaf(..) => {
                self.state = state;
                Err(self.error(format!(
                    "nested element `{}`: v2 elements nest at most as \
                     `<xml><list><item><leaf>` (a leaf holds text only)",
                    name.escape_debug()
                )))
            }
            State::AfterRoot => Err(XmlError {
                element: Some(name),
                ..self.error(format!("content after the `</{}>` root", self.root))
            }),
        }
    }

    fn close(&mut self) -> Result<(), XmlError> {
        match std::mem::replace(&mut self.state, State::AfterRoot) {
            State::InChild { name, text, .. } => {
                self.params.insert(name, text);
                self.state = State::InRoot;
            }
            State::InLeaf(list, mut item, leaf, text) => {
                item.params.insert(leaf, text);
                self.state = State::InItem(list, item);
            }
            State::InItem(mut list, item) => {
                list.items.push((item.name, item.params));
                self.state = State::InList(list);
            }
            State::InList(list) => {
                self.params.insert_list(list.name, list.items);
                self.state = State::InRoot;
            }
            State::InRoot => {}
            other => {
                self.state = other;
                return Err(self.error("unexpected end tag"));
            }
        }
        Ok(())
    }

    /// Text, CDATA or a resolved reference; outside a child or leaf only whitespace text is
    /// allowed.
    fn text_content(&mut self, content: &str, may_be_layout: bool) -> Result<(), XmlError> {
        let layout = may_be_layout && content.chars().all(|c| c.is_ascii_whitespace());
        match &mut self.state {
            State::InChild {
                text, layout_only, ..
            } => {
                text.push_str(content);
                *layout_only &= layout;
                return Ok(());
            }
            State::InLeaf(.., text) => {
                text.push_str(content);
                return Ok(());
            }
            _ if layout => return Ok(()),
            _ => {}
        }
        let message = match self.state {
            State::AfterRoot => format!("content after the `</{}>` root", self.root),
            State::InList(_) | State::InItem(..) => {
                "text beside elements: an element holds text or elements, not both".to_owned()
            }
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
        assert!(e.message.contains("text beside elements"), "{e}");
        assert_eq!(e.element.as_deref(), Some("a.b[0]"));

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

    fn receipt(openid: &str, amount: &str) -> Item {
        (
            "hbinfo".to_owned(),
            params(&[
                ("amount", amount),
                ("openid", openid),
                ("rcv_time", "2015-04-21 20:00:00"),
            ]),
        )
    }

    #[test]
    fn reads_a_nested_list_of_receipts() {
        let doc = "<xml>\n<return_code><![CDATA[SUCCESS]]></return_code>\n<hblist>\n  <hbinfo>\n    <openid><![CDATA[o-1]]></openid>\n    <amount>100</amount>\n    <rcv_time><![CDATA[2015-04-21 20:00:00]]></rcv_time>\n  </hbinfo>\n  <!-- second -->\n  <hbinfo><openid>o&amp;2</openid><amount>200</amount><rcv_time>2015-04-21 20:00:00</rcv_time></hbinfo>\n</hblist>\n<total_num>2</total_num>\n</xml>";
        let read = parse(doc.as_bytes()).unwrap();
        assert_eq!(read.get("return_code"), Some("SUCCESS"));
        assert_eq!(read.get("total_num"), Some("2"));
        assert_eq!(read.get("hblist"), None);
        assert!(read.contains("hblist"));
        assert_eq!(
            read.list("hblist").unwrap(),
            [receipt("o-1", "100"), receipt("o&2", "200")]
        );
        assert_eq!(read.len(), 3);

        // Items of any name, empty items and empty leaves.
        let read = parse(b"<xml><l><a><x/></a><b/><a><x>1</x><y></y></a></l></xml>").unwrap();
        assert_eq!(
            read.list("l").unwrap(),
            [
                ("a".to_owned(), params(&[("x", "")])),
                ("b".to_owned(), Params::new()),
                ("a".to_owned(), params(&[("x", "1"), ("y", "")])),
            ]
        );
        // Without elements, a child is text, whitespace included.
        let read = parse(b"<xml><hblist>\n</hblist></xml>").unwrap();
        assert_eq!(read.get("hblist"), Some("\n"));
    }

    #[test]
    fn refuses_nested_shapes_other_than_list_item_leaf() {
        let e = err("<xml><l><i><leaf><deep>1</deep></leaf></i></l></xml>");
        assert!(e.message.contains("nested element `deep`"), "{e}");
        assert_eq!(e.element.as_deref(), Some("l.i[0].leaf"));
        let e = err("<xml><l><i/><i><leaf><deep/></leaf></i></l></xml>");
        assert_eq!(e.element.as_deref(), Some("l.i[1].leaf"));

        let e = err("<xml><l>text<i/></l></xml>");
        assert!(e.message.contains("beside text"), "{e}");
        assert_eq!(e.element.as_deref(), Some("l"));
        let e = err("<xml><l><![CDATA[ ]]><i/></l></xml>");
        assert!(e.message.contains("beside text"), "{e}");
        let e = err("<xml><l><i/>text</l></xml>");
        assert!(e.message.contains("text beside elements"), "{e}");
        assert_eq!(e.element.as_deref(), Some("l"));
        let e = err("<xml><l><i><a>1</a>text</i></l></xml>");
        assert!(e.message.contains("text beside elements"), "{e}");
        assert_eq!(e.element.as_deref(), Some("l.i[0]"));
        let e = err("<xml><l><i><a>1</a>&amp;</i></l></xml>");
        assert!(e.message.contains("text beside elements"), "{e}");

        let e = err("<xml><l><i x=\"1\"><a>1</a></i></l></xml>");
        assert!(e.message.contains("attributes"), "{e}");
        assert_eq!(e.element.as_deref(), Some("i"));
        let e = err("<xml><l><i><a x=\"1\"/></i></l></xml>");
        assert!(e.message.contains("attributes"), "{e}");

        let e = err("<xml><l><i><a>1</a>\n<b/><a>2</a></i></l></xml>");
        assert!(e.message.contains("twice in one item"), "{e}");
        assert_eq!((e.line, e.element.as_deref()), (Some(2), Some("l.i[0].a")));
        let e = err("<xml><l><i/></l><l><i/></l></xml>");
        assert!(e.message.contains("twice"), "{e}");
        assert_eq!(e.element.as_deref(), Some("l"));
        let e = err("<xml><l><i/></l><l>1</l></xml>");
        assert!(e.message.contains("twice"), "{e}");

        let e = err("<xml><l><i><a>&x;</a></i></l></xml>");
        assert!(e.message.contains("`&x;`"), "{e}");
        assert_eq!(e.element.as_deref(), Some("l.i[0].a"));
        let e = err("<xml><l><i><a>1</a></i>");
        assert!(e.message.contains("ends inside"), "{e}");
        let e = err("<xml><l><i><a>secret-value<b/></a></i></l></xml>");
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn nested_lists_are_written_as_elements_and_read_back() {
        let mut original = params(&[("return_code", "SUCCESS"), ("zz", "a]]>b")]);
        original.insert_list("hblist", vec![receipt("o<1>", "100"), receipt("o2", "200")]);
        let doc = write(&original).unwrap();
        assert!(
            doc.starts_with(
                "<xml><hblist><hbinfo><amount><![CDATA[100]]></amount><openid><![CDATA[o<1>]]></openid>"
            ),
            "{doc}"
        );
        assert_eq!(parse(doc.as_bytes()).unwrap(), original);

        let mut bad = Params::new();
        bad.insert_list("l", vec![("i".to_owned(), params(&[("a b", "1")]))]);
        let e = write(&bad).unwrap_err();
        assert_eq!(e.element.as_deref(), Some("l.i[0].a b"));
        bad.insert_list("l", vec![("1i".to_owned(), Params::new())]);
        assert_eq!(write(&bad).unwrap_err().element.as_deref(), Some("l.1i[0]"));
        bad.insert_list(
            "l",
            vec![("i".to_owned(), params(&[("a", "x\u{1}secret")]))],
        );
        let e = write(&bad).unwrap_err();
        assert_eq!(e.element.as_deref(), Some("l.i[0].a"));
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn canonical_list_text() {
        let items = [
            receipt("o&<1>", "100"),
            ("hbinfo".to_owned(), Params::new()),
        ];
        assert_eq!(
            canonical_list(&items),
            "<hbinfo><amount>100</amount><openid>o&amp;&lt;1&gt;</openid><rcv_time>2015-04-21 20:00:00</rcv_time></hbinfo><hbinfo></hbinfo>"
        );
        assert_eq!(canonical_list(&[]), "");
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
