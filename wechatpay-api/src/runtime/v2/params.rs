//! APIv2 parameters: the flat `name -> text` elements of an XML document (or a query string),
//! and how generated v2 structs write themselves into them and read themselves back.
//!
//! A v2 document is flat: nearly every element is text. Four kinds of struct field map onto it
//! (the `codec` of [`impl_params!`](crate::impl_params)):
//!
//! - [`Text`]: a scalar as its text (`total_fee` `1`, `trade_type` `JSAPI`);
//! - [`JsonText`]: a structure carried as JSON text in one element (`detail`, `scene_info`);
//! - [`Group`]: a numbered template group, a `Vec` of element structs whose field names are
//!   templates (`coupon_fee_$n`). Element `i` is written with `$n` replaced by `i`; a group
//!   nested in an element (`coupon_id_$n_$m`) binds `$m` inside the binding of `$n`. The
//!   group's own wire key names its index as its last `$x` (`coupon_$m` iterates `m`);
//! - [`XmlList`]: the one nested shape, a `Vec` of item structs read from and written as
//!   `<list><item><leaf>…</leaf>…</item>…</list>` (wire key `list.item`: `hblist.hbinfo`).
//!   Errors name the item by its position in the list: `hblist.hbinfo[1].amount`.
//!
//! Reading keeps the first error and hands back placeholders meanwhile, like
//! [`fields::Object`](crate::fields::Object); errors name the element (`coupon_fee_1`), never
//! its text (it may be personal data).

use std::collections::BTreeMap;

use serde_json::{Number, Value};

use crate::fields::{FieldError, FromJson, ToJson};

/// The elements of a v2 document, sorted by name (the order v2 signatures use).
///
/// Almost every element is text. The one nested shape v2 answers carry (`gethbinfo`'s
/// `<hblist><hbinfo><amount>…</amount>…</hbinfo>…</hblist>`) is a *list*: a child of the root
/// whose children are items of flat text elements, kept apart from the text elements
/// ([`Params::list`], [`Params::insert_list`]); a name is either text or a list, never both.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    elements: BTreeMap<String, String>,
    lists: BTreeMap<String, Vec<Item>>,
}

/// One item of a nested list: its element name and its flat elements.
pub type Item = (String, Params);

/// One child of a document, as [`Params::entries`] hands them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// A text element.
    Text(&'a str),
    /// A nested list: its items in document order.
    List(&'a [Item]),
}

impl std::fmt::Debug for Params {
    /// Names only: values can be personal data or secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct ListNames<'a>(&'a str, &'a [Item]);
        impl std::fmt::Debug for ListNames<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{:?}", self.0)?;
                let items: Vec<_> = self.1.iter().map(|(name, params)| (name, params)).collect();
                f.debug_list().entries(items).finish()
            }
        }
        let mut set = f.debug_set();
        for (name, entry) in self.entries() {
            match entry {
                Entry::Text(_) => set.entry(&name),
                Entry::List(items) => set.entry(&ListNames(name, items)),
            };
        }
        set.finish()
    }
}

impl Params {
    pub fn new() -> Params {
        Params::default()
    }

    /// The text of element `name` (`None` for an absent element or a list).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.elements.get(name).map(String::as_str)
    }

    /// Sets text element `name` (replacing a list of that name), returning the text it
    /// replaces.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) -> Option<String> {
        let name = name.into();
        self.lists.remove(&name);
        self.elements.insert(name, value.into())
    }

    /// Removes text element `name`, returning its text.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.elements.remove(name)
    }

    /// The items of nested list `name`, in document order.
    pub fn list(&self, name: &str) -> Option<&[Item]> {
        self.lists.get(name).map(Vec::as_slice)
    }

    /// Sets nested list `name` (replacing a text element of that name), returning the list
    /// it replaces.
    pub fn insert_list(&mut self, name: impl Into<String>, items: Vec<Item>) -> Option<Vec<Item>> {
        let name = name.into();
        self.elements.remove(&name);
        self.lists.insert(name, items)
    }

    /// Removes nested list `name`, returning its items.
    pub fn remove_list(&mut self, name: &str) -> Option<Vec<Item>> {
        self.lists.remove(name)
    }

    /// Whether there is an element `name`, text or list.
    pub fn contains(&self, name: &str) -> bool {
        self.elements.contains_key(name) || self.lists.contains_key(name)
    }

    /// The number of elements, text and lists.
    pub fn len(&self) -> usize {
        self.elements.len() + self.lists.len()
    }

    pub fn is_empty(&self) -> bool {
        self.elements.is_empty() && self.lists.is_empty()
    }

    /// Whether some element is a nested list.
    pub fn has_lists(&self) -> bool {
        !self.lists.is_empty()
    }

    /// Text elements in name order (nested lists are in [`Params::entries`]).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.elements.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Every element, text and lists, in name order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, Entry<'_>)> {
        let mut texts = self
            .elements
            .iter()
            .map(|(k, v)| (k.as_str(), Entry::Text(v)))
            .peekable();
        let mut lists = self
            .lists
            .iter()
            .map(|(k, v)| (k.as_str(), Entry::List(v)))
            .peekable();
        std::iter::from_fn(move || match (texts.peek(), lists.peek()) {
            (Some((text, _)), Some((list, _))) if list < text => lists.next(),
            (Some(_), _) => texts.next(),
            (None, _) => lists.next(),
        })
    }

    /// Writes `value` into a new set of elements.
    pub fn from_value(value: &impl ToParams) -> Result<Params, FieldError> {
        let mut writer = ParamWriter::new();
        value.to_params(&mut writer);
        writer.finish()
    }

    /// Reads a `T` out of these elements; elements `T` does not name are ignored.
    pub fn read<T: FromParams>(self) -> Result<T, FieldError> {
        let mut reader = ParamReader::new(self);
        let value = T::from_params(&mut reader);
        reader.finish(value)
    }
}

/// Text elements.
impl FromIterator<(String, String)> for Params {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Params {
            elements: iter.into_iter().collect(),
            lists: BTreeMap::new(),
        }
    }
}

/// The text elements (nested lists are dropped: see [`Params::remove_list`]).
impl IntoIterator for Params {
    type Item = (String, String);
    type IntoIter = std::collections::btree_map::IntoIter<String, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.elements.into_iter()
    }
}

/// A generated v2 struct writing its fields as elements.
pub trait ToParams {
    fn to_params(&self, out: &mut ParamWriter);
}

/// A generated v2 struct reading its fields from elements.
pub trait FromParams: Sized {
    fn from_params(input: &mut ParamReader) -> Self;
}

/// A scalar written as one element's text.
pub trait ToText {
    fn to_text(&self) -> String;
}

/// A scalar read from one element's text.
pub trait FromText: Sized {
    fn from_text(text: String) -> Result<Self, FieldError>;
    #[doc(hidden)]
    fn placeholder() -> Self;
}

impl ToText for String {
    fn to_text(&self) -> String {
        self.clone()
    }
}

impl FromText for String {
    fn from_text(text: String) -> Result<Self, FieldError> {
        Ok(text)
    }
    fn placeholder() -> Self {
        String::new()
    }
}

impl ToText for i64 {
    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl FromText for i64 {
    fn from_text(text: String) -> Result<Self, FieldError> {
        let digits = text.strip_prefix('-').unwrap_or(&text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                "invalid integer text, expected an integer (i64): an optional `-` and digits",
            ));
        }
        text.parse()
            .map_err(|_| FieldError::new("integer out of range for i64"))
    }
    fn placeholder() -> Self {
        0
    }
}

impl ToText for bool {
    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl FromText for bool {
    fn from_text(text: String) -> Result<Self, FieldError> {
        match text.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(FieldError::new(
                "invalid boolean text, expected `true` or `false`",
            )),
        }
    }
    fn placeholder() -> Self {
        false
    }
}

impl ToText for Number {
    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl FromText for Number {
    fn from_text(text: String) -> Result<Self, FieldError> {
        text.parse()
            .map_err(|_| FieldError::new("invalid number text"))
    }
    fn placeholder() -> Self {
        Number::from(0)
    }
}

/// How one struct field maps onto elements; see the module docs.
pub trait Codec<T> {
    fn write(out: &mut ParamWriter, wire: &'static str, value: &T);
    /// `None` when the field is absent (no element, or an empty one).
    fn read(input: &mut ParamReader, wire: &'static str) -> Option<Result<T, FieldError>>;
    fn placeholder() -> T;
}

/// A scalar as one element's text.
#[derive(Debug)]
pub struct Text;

/// A structure as JSON text in one element.
#[derive(Debug)]
pub struct JsonText;

/// A numbered template group (`Vec` of element structs).
#[derive(Debug)]
pub struct Group;

/// A nested list (`Vec` of item structs): wire key `list.item` reads and writes
/// `<list><item>…</item><item>…</item></list>`; items of another name are ignored.
#[derive(Debug)]
pub struct XmlList;

impl<T: ToText + FromText> Codec<T> for Text {
    fn write(out: &mut ParamWriter, wire: &'static str, value: &T) {
        out.put(wire, value.to_text());
    }

    fn read(input: &mut ParamReader, wire: &'static str) -> Option<Result<T, FieldError>> {
        input
            .take(wire)
            .map(|(name, text)| T::from_text(text).map_err(|e| e.within_element(name)))
    }

    fn placeholder() -> T {
        T::placeholder()
    }
}

impl<T: ToJson + FromJson> Codec<T> for JsonText {
    fn write(out: &mut ParamWriter, wire: &'static str, value: &T) {
        out.put(wire, value.to_json().to_string());
    }

    fn read(input: &mut ParamReader, wire: &'static str) -> Option<Result<T, FieldError>> {
        input.take(wire).map(|(name, text)| {
            crate::fields::from_json_text::<T>(&text).map_err(|e| e.within_element(name))
        })
    }

    fn placeholder() -> T {
        T::placeholder()
    }
}

impl<E: ToParams + FromParams> Codec<Vec<E>> for Group {
    fn write(out: &mut ParamWriter, wire: &'static str, value: &Vec<E>) {
        let index = group_index(wire);
        for (position, element) in value.iter().enumerate() {
            out.bindings.push((index, position));
            element.to_params(out);
            out.bindings.pop();
        }
    }

    fn read(input: &mut ParamReader, wire: &'static str) -> Option<Result<Vec<E>, FieldError>> {
        let index = group_index(wire);
        let mut elements = Vec::new();
        loop {
            input.bindings.push((index, elements.len()));
            let taken_before = input.taken;
            let error_before = input.error.is_some();
            let element = E::from_params(input);
            input.bindings.pop();
            if input.taken == taken_before {
                // Nothing of element `i` is present: the group ends. Errors of the probe
                // (missing required templates) are not errors of the document.
                if !error_before {
                    input.error = None;
                }
                break;
            }
            elements.push(element);
        }
        Some(Ok(elements))
    }

    fn placeholder() -> Vec<E> {
        Vec::new()
    }
}

impl<E: ToParams + FromParams> Codec<Vec<E>> for XmlList {
    fn write(out: &mut ParamWriter, wire: &'static str, value: &Vec<E>) {
        let (list, item) = list_and_item(wire);
        let mut items = Vec::with_capacity(value.len());
        for (position, element) in value.iter().enumerate() {
            match Params::from_value(element) {
                Ok(params) => items.push((item.to_owned(), params)),
                Err(e) => {
                    let e = e
                        .within_index(position)
                        .within_element(item.to_owned())
                        .within_element(list.to_owned());
                    out.error.get_or_insert(e);
                    return;
                }
            }
        }
        out.put_list(list, items);
    }

    fn read(input: &mut ParamReader, wire: &'static str) -> Option<Result<Vec<E>, FieldError>> {
        let (list, item) = list_and_item(wire);
        let items = match input.take_entry(list)? {
            Taken::List(items) => items,
            // `<hblist></hblist>` or layout only: no items.
            Taken::Text(text) if text.trim().is_empty() => return None,
            Taken::Text(_) => {
                return Some(Err(FieldError::new(format!(
                    "text where `<{item}>` elements were expected"
                ))
                .within_element(list.to_owned())));
            }
        };
        let mut elements = Vec::with_capacity(items.len());
        for (position, (name, params)) in items.into_iter().enumerate() {
            if name != item {
                continue;
            }
            let read = params.read::<E>().map_err(|e| {
                e.within_index(position)
                    .within_element(item.to_owned())
                    .within_element(list.to_owned())
            });
            match read {
                Ok(element) => elements.push(element),
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(elements))
    }

    fn placeholder() -> Vec<E> {
        Vec::new()
    }
}

/// `hblist.hbinfo` → (`hblist`, `hbinfo`); a key without a dot names its items alike.
fn list_and_item(wire: &'static str) -> (&'static str, &'static str) {
    wire.split_once('.').unwrap_or((wire, wire))
}

/// The index a group key iterates: its last `$x`.
fn group_index(wire: &'static str) -> &'static str {
    match wire.rfind('$') {
        Some(at) => &wire[at + 1..],
        None => wire,
    }
}

/// Replaces each `$x` of `template` by the position bound to index `x`.
fn resolve(template: &str, bindings: &[(&'static str, usize)]) -> Result<String, FieldError> {
    let mut name = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        name.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        let index = &after[..len];
        let Some((_, position)) = bindings.iter().rev().find(|(name, _)| *name == index) else {
            return Err(FieldError::new(format!(
                "template `{template}` uses `${index}` outside a group that binds it"
            )));
        };
        name.push_str(&position.to_string());
        rest = &after[len..];
    }
    name.push_str(rest);
    Ok(name)
}

/// Collects the elements of a struct being written; see [`ToParams`].
#[derive(Debug, Default)]
pub struct ParamWriter {
    params: Params,
    bindings: Vec<(&'static str, usize)>,
    error: Option<FieldError>,
}

impl ParamWriter {
    pub fn new() -> ParamWriter {
        ParamWriter::default()
    }

    /// Writes required field `wire` with codec `C`.
    pub fn required<T, C: Codec<T>>(&mut self, wire: &'static str, value: &T) {
        C::write(self, wire, value);
    }

    /// Writes optional field `wire` with codec `C`; `None` writes nothing.
    pub fn optional<T, C: Codec<T>>(&mut self, wire: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            C::write(self, wire, value);
        }
    }

    fn put(&mut self, template: &'static str, text: String) {
        match resolve(template, &self.bindings) {
            Ok(name) => {
                if self.params.insert(name.clone(), text).is_some() {
                    self.error.get_or_insert(FieldError::new(format!(
                        "element `{name}` is written twice"
                    )));
                }
            }
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    fn put_list(&mut self, template: &'static str, items: Vec<Item>) {
        let name = match resolve(template, &self.bindings) {
            Ok(name) => name,
            Err(e) => {
                self.error.get_or_insert(e);
                return;
            }
        };
        if self.params.contains(&name) {
            self.error.get_or_insert(FieldError::new(format!(
                "element `{name}` is written twice"
            )));
            return;
        }
        self.params.insert_list(name, items);
    }

    pub fn finish(self) -> Result<Params, FieldError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.params),
        }
    }
}

/// An element taken for a nested list: a list, or text where one was expected.
enum Taken {
    Text(String),
    List(Vec<Item>),
}

/// Hands out the elements of a document to a struct being read; see [`FromParams`].
#[derive(Debug)]
pub struct ParamReader {
    params: Params,
    bindings: Vec<(&'static str, usize)>,
    /// Elements taken so far (a group element that takes none does not exist).
    taken: usize,
    error: Option<FieldError>,
}

impl ParamReader {
    pub fn new(params: Params) -> ParamReader {
        ParamReader {
            params,
            bindings: Vec::new(),
            taken: 0,
            error: None,
        }
    }

    /// Reads required field `wire` with codec `C`; a placeholder once it is missing or
    /// unreadable (the error is kept for [`ParamReader::finish`]).
    pub fn required<T, C: Codec<T>>(&mut self, wire: &'static str) -> T {
        match C::read(self, wire) {
            Some(read) => self.keep(read).unwrap_or_else(C::placeholder),
            None => {
                let name = resolve(wire, &self.bindings).unwrap_or_else(|_| wire.to_owned());
                self.error
                    .get_or_insert(FieldError::new(format!("missing element `{name}`")));
                C::placeholder()
            }
        }
    }

    /// Reads optional field `wire` with codec `C`: absent and empty elements are `None`.
    pub fn optional<T, C: Codec<T>>(&mut self, wire: &'static str) -> Option<T> {
        let read = C::read(self, wire)?;
        self.keep(read)
    }

    /// Removes the element `template` names under the current bindings; an empty element
    /// counts as taken but absent.
    fn take(&mut self, template: &'static str) -> Option<(String, String)> {
        let name = match resolve(template, &self.bindings) {
            Ok(name) => name,
            Err(e) => {
                self.error.get_or_insert(e);
                return None;
            }
        };
        let text = self.params.remove(&name)?;
        self.taken += 1;
        (!text.is_empty()).then_some((name, text))
    }

    /// Removes element `name`, text or list (text only when not empty, like [`Self::take`]).
    fn take_entry(&mut self, template: &'static str) -> Option<Taken> {
        if let Ok(name) = resolve(template, &self.bindings)
            && let Some(items) = self.params.remove_list(&name)
        {
            self.taken += 1;
            return Some(Taken::List(items));
        }
        self.take(template).map(|(_, text)| Taken::Text(text))
    }

    fn keep<T>(&mut self, read: Result<T, FieldError>) -> Option<T> {
        match read {
            Ok(value) => Some(value),
            Err(error) => {
                self.error.get_or_insert(error);
                None
            }
        }
    }

    /// The struct read, or the first error met.
    pub fn finish<T>(self, value: T) -> Result<T, FieldError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }
}

impl ToText for Value {
    fn to_text(&self) -> String {
        match self {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }
}

impl FromText for Value {
    fn from_text(text: String) -> Result<Self, FieldError> {
        Ok(Value::String(text))
    }
    fn placeholder() -> Self {
        Value::Null
    }
}

/// Implements [`ToParams`] and [`FromParams`] for a generated v2 struct:
/// `Name { rust_name: "wire" required Text, list: "coupon_$n" required Group,
/// detail: "detail" optional JsonText, hblist: "hblist.hbinfo" optional XmlList }`. Optional
/// fields must have type `Option<_>`; group fields are `Vec<Element>` and always `required`
/// (an absent group is empty); list fields are `Vec<Item>`.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_params {
    ($name:ident { $( $field:ident : $wire:literal $presence:ident $codec:ident ),* $(,)? }) => {
        impl $crate::runtime::v2::params::ToParams for $name {
            #[allow(unused_variables)] // a struct without fields writes nothing
            fn to_params(&self, out: &mut $crate::runtime::v2::params::ParamWriter) {
                $( out.$presence::<_, $crate::runtime::v2::params::$codec>($wire, &self.$field); )*
            }
        }

        impl $crate::runtime::v2::params::FromParams for $name {
            #[allow(unused_variables)]
            fn from_params(input: &mut $crate::runtime::v2::params::ParamReader) -> Self {
                $name { $( $field: input.$presence::<_, $crate::runtime::v2::params::$codec>($wire) ),* }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Coupon {
        id: String,
        fee: Option<i64>,
    }
    crate::impl_params!(Coupon { id: "coupon_id_$n_$m" required Text, fee: "coupon_fee_$n_$m" optional Text });

    #[derive(Debug, PartialEq)]
    struct Refund {
        refund_id: String,
        coupons: Vec<Coupon>,
    }
    crate::impl_params!(Refund { refund_id: "refund_id_$n" required Text, coupons: "coupon_$m" required Group });

    #[derive(Debug, PartialEq)]
    struct Answer {
        total_fee: i64,
        refunds: Vec<Refund>,
        detail: Option<serde_json::Value>,
    }
    crate::impl_params!(Answer {
        total_fee: "total_fee" required Text,
        refunds: "$n" required Group,
        detail: "detail" optional JsonText,
    });

    fn sample() -> Answer {
        Answer {
            total_fee: 101,
            refunds: vec![
                Refund {
                    refund_id: "R0".into(),
                    coupons: vec![
                        Coupon {
                            id: "C00".into(),
                            fee: Some(1),
                        },
                        Coupon {
                            id: "C01".into(),
                            fee: None,
                        },
                    ],
                },
                Refund {
                    refund_id: "R1".into(),
                    coupons: vec![],
                },
            ],
            detail: Some(serde_json::json!({"cost_price": 1})),
        }
    }

    #[test]
    fn groups_expand_into_numbered_elements_and_back() {
        let params = Params::from_value(&sample()).unwrap();
        let names: Vec<_> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            names,
            [
                "coupon_fee_0_0=1",
                "coupon_id_0_0=C00",
                "coupon_id_0_1=C01",
                "detail={\"cost_price\":1}",
                "refund_id_0=R0",
                "refund_id_1=R1",
                "total_fee=101",
            ]
        );
        assert_eq!(params.read::<Answer>().unwrap(), sample());
    }

    #[test]
    fn errors_name_the_element() {
        let mut params = Params::from_value(&sample()).unwrap();
        params.insert("coupon_fee_0_1", "1.5");
        let err = params.read::<Answer>().unwrap_err();
        assert_eq!(err.path(), "coupon_fee_0_1");
        assert!(err.message().contains("integer"), "{err}");

        let mut params = Params::from_value(&sample()).unwrap();
        params.remove("coupon_id_0_1");
        params.insert("coupon_fee_0_1", "2");
        let err = params.read::<Answer>().unwrap_err();
        assert_eq!(err.to_string(), "missing element `coupon_id_0_1`");

        let mut params = Params::from_value(&sample()).unwrap();
        params.remove("total_fee");
        assert_eq!(
            params.read::<Answer>().unwrap_err().to_string(),
            "missing element `total_fee`"
        );
    }

    #[test]
    fn empty_optional_elements_are_absent_and_unknown_ones_ignored() {
        let params: Params = [("total_fee", "5"), ("detail", ""), ("something_new", "x")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let answer: Answer = params.read().unwrap();
        assert_eq!(answer.total_fee, 5);
        assert_eq!(answer.detail, None);
        assert!(answer.refunds.is_empty());
    }

    #[test]
    fn integer_text_is_strict() {
        for bad in ["", "1e2", "+1", " 1", "1.0", "99999999999999999999"] {
            assert!(i64::from_text(bad.into()).is_err(), "{bad:?}");
        }
        assert_eq!(i64::from_text("-7".into()).unwrap(), -7);
    }

    #[test]
    fn debug_shows_names_only() {
        let mut params = Params::new();
        params.insert("enc_true_name", "secret-name");
        assert_eq!(format!("{params:?}"), "{\"enc_true_name\"}");
        let mut item = Params::new();
        item.insert("openid", "secret-id");
        params.insert_list("hblist", vec![("hbinfo".to_owned(), item)]);
        assert_eq!(
            format!("{params:?}"),
            "{\"enc_true_name\", \"hblist\"[(\"hbinfo\", {\"openid\"})]}"
        );
    }

    #[derive(Debug, PartialEq)]
    struct Receipt {
        openid: String,
        amount: i64,
        note: Option<String>,
    }
    crate::impl_params!(Receipt {
        openid: "openid" required Text,
        amount: "amount" required Text,
        note: "note" optional Text,
    });

    #[derive(Debug, PartialEq)]
    struct Packet {
        total_num: i64,
        hblist: Option<Vec<Receipt>>,
    }
    crate::impl_params!(Packet {
        total_num: "total_num" required Text,
        hblist: "hblist.hbinfo" optional XmlList,
    });

    fn packet() -> Packet {
        Packet {
            total_num: 2,
            hblist: Some(vec![
                Receipt {
                    openid: "o1".into(),
                    amount: 100,
                    note: None,
                },
                Receipt {
                    openid: "o2".into(),
                    amount: 200,
                    note: Some("n".into()),
                },
            ]),
        }
    }

    #[test]
    fn xml_lists_are_nested_items_both_ways() {
        let params = Params::from_value(&packet()).unwrap();
        assert_eq!(params.get("hblist"), None);
        let items = params.list("hblist").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].0, "hbinfo");
        assert_eq!(items[1].1.get("amount"), Some("200"));
        assert_eq!(items[1].1.get("note"), Some("n"));
        assert_eq!(params.clone().read::<Packet>().unwrap(), packet());

        // Items of another name are ignored; absent, empty or blank lists are `None`.
        let mut other = params.clone();
        let mut items = other.remove_list("hblist").unwrap();
        items.insert(0, ("other".to_owned(), Params::new()));
        other.insert_list("hblist", items);
        assert_eq!(other.read::<Packet>().unwrap(), packet());
        for absent in [None, Some(""), Some(" \n ")] {
            let mut params = params.clone();
            params.remove_list("hblist");
            if let Some(text) = absent {
                params.insert("hblist", text);
            }
            assert_eq!(params.read::<Packet>().unwrap().hblist, None, "{absent:?}");
        }
        let mut empty = params.clone();
        empty.insert_list("hblist", Vec::new());
        assert_eq!(empty.read::<Packet>().unwrap().hblist, Some(Vec::new()));
    }

    #[test]
    fn xml_list_errors_name_the_item_and_never_the_value() {
        let with_item = |position: usize, name: &str, value: Option<&str>| {
            let mut params = Params::from_value(&packet()).unwrap();
            let mut items = params.remove_list("hblist").unwrap();
            match value {
                Some(value) => items[position].1.insert(name, value),
                None => items[position].1.remove(name),
            };
            params.insert_list("hblist", items);
            params.read::<Packet>().unwrap_err()
        };
        let err = with_item(1, "amount", Some("1.5-secret"));
        assert_eq!(err.path(), "hblist.hbinfo[1].amount");
        assert!(err.message().contains("integer"), "{err}");
        let err = with_item(0, "openid", None);
        assert_eq!(
            err.to_string(),
            "`hblist.hbinfo[0]`: missing element `openid`"
        );

        let mut text = Params::from_value(&packet()).unwrap();
        text.insert("hblist", "secret-text");
        let err = text.read::<Packet>().unwrap_err();
        assert_eq!(err.path(), "hblist");
        assert!(err.message().contains("`<hbinfo>` elements"), "{err}");
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
