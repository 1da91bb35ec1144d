//! APIv2 parameters: the flat `name -> text` elements of an XML document (or a query string),
//! and how generated v2 structs write themselves into them and read themselves back.
//!
//! A v2 document is flat: every element is text. Three kinds of struct field map onto it
//! (the `codec` of [`impl_params!`](crate::impl_params)):
//!
//! - [`Text`]: a scalar as its text (`total_fee` `1`, `trade_type` `JSAPI`);
//! - [`JsonText`]: a structure carried as JSON text in one element (`detail`, `scene_info`);
//! - [`Group`]: a numbered template group, a `Vec` of element structs whose field names are
//!   templates (`coupon_fee_$n`). Element `i` is written with `$n` replaced by `i`; a group
//!   nested in an element (`coupon_id_$n_$m`) binds `$m` inside the binding of `$n`. The
//!   group's own wire key names its index as its last `$x` (`coupon_$m` iterates `m`).
//!
//! Reading keeps the first error and hands back placeholders meanwhile, like
//! [`fields::Object`](crate::fields::Object); errors name the element (`coupon_fee_1`).

use std::collections::BTreeMap;

use serde_json::{Number, Value};

use crate::fields::{FieldError, FromJson, ToJson};

/// The elements of a v2 document, sorted by name (the order v2 signatures use).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl std::fmt::Debug for Params {
    /// Names only: values can be personal data or secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Params {
    pub fn new() -> Params {
        Params::default()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Sets `name`, returning the value it replaces.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) -> Option<String> {
        self.0.insert(name.into(), value.into())
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Elements in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
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

impl FromIterator<(String, String)> for Params {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Params(iter.into_iter().collect())
    }
}

impl IntoIterator for Params {
    type Item = (String, String);
    type IntoIter = std::collections::btree_map::IntoIter<String, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
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
            return Err(FieldError::new(format!(
                "invalid integer text {text:?}, expected an integer (i64)"
            )));
        }
        text.parse()
            .map_err(|_| FieldError::new(format!("integer {text:?} out of range for i64")))
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
            _ => Err(FieldError::new(format!(
                "invalid boolean text {text:?}, expected `true` or `false`"
            ))),
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
            .map_err(|_| FieldError::new(format!("invalid number text {text:?}")))
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

    pub fn finish(self) -> Result<Params, FieldError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.params),
        }
    }
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
/// detail: "detail" optional JsonText }`. Optional fields must have type `Option<_>`; group
/// fields are `Vec<Element>` and always `required` (an absent group is empty).
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
    }
}
