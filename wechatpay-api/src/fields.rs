//! How generated structs travel as JSON, print and compare.
//!
//! A generated crate holds thousands of structs, so what each one costs the compiler decides how
//! long the crate takes to build. `#[derive(Serialize, Deserialize, Debug, PartialEq)]` give
//! every struct four generic or per-field bodies; even a compact hand-written visitor leaves a
//! generic `?` per field. Here every generated struct gets two small non-generic functions
//! instead, through [`impl_serialize!`](crate::impl_serialize) and
//! [`impl_deserialize!`](crate::impl_deserialize):
//!
//! - [`Fields::fields`] shows each field once, by wire name, as a `&dyn` [`FieldValue`]. JSON
//!   output ([`ToJson`]), `Debug` and `PartialEq` are written once, here, over it;
//! - [`FromJson::from_json`] takes the fields out of a JSON object one by one with an
//!   [`Object`] that keeps the first error and hands back a placeholder meanwhile, so no field
//!   needs a `?`; [`Object::finish`] returns that error, naming the field path.
//!
//! Serde's `Serialize` and `Deserialize` are one-line bridges over these, so generated types
//! still work with any serde format. Behaviour matches the derives on JSON: `None` optional
//! fields are left out; unknown keys are skipped; a repeated key, a missing required field and
//! a value of the wrong type are errors; a missing or `null` optional field is `None`. `Debug`
//! names fields by their wire names and leaves out `None` ones.

use std::any::Any;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Number, Value};

/// A type that writes itself as a JSON value.
pub trait ToJson {
    fn to_json(&self) -> Value;

    /// True for `None`: an optional field that is left out of its object.
    fn is_absent(&self) -> bool {
        false
    }
}

/// A type that reads itself from a JSON value.
pub trait FromJson: Sized {
    fn from_json(value: Value) -> Result<Self, FieldError>;

    /// A value that stands in for a field that failed to read, while the error travels on to
    /// [`Object::finish`]; never handed to callers.
    #[doc(hidden)]
    fn placeholder() -> Self;
}

/// Why a JSON value did not read into a generated type, and where: the field path from the
/// outermost struct (`amount.from[0].account`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Innermost segment first (errors grow their path on the way out).
    path: Vec<Segment>,
    message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(&'static str),
    Index(usize),
    /// A v2 element, by its resolved name (`coupon_fee_1`).
    Element(String),
}

impl FieldError {
    pub fn new(message: impl Into<String>) -> Self {
        FieldError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    fn invalid_type(found: &Value, expected: &str) -> Self {
        FieldError::new(format!(
            "invalid type: {}, expected {expected}",
            describe(found)
        ))
    }

    fn within(mut self, segment: Segment) -> Self {
        self.path.push(segment);
        self
    }

    /// This error, inside v2 element `name`.
    pub(crate) fn within_element(self, name: String) -> Self {
        self.within(Segment::Element(name))
    }

    /// This error, inside item `index` of a v2 nested list.
    pub(crate) fn within_index(self, index: usize) -> Self {
        self.within(Segment::Index(index))
    }

    /// The field path, outermost first (`amount.from[0].account`); empty at the top level.
    pub fn path(&self) -> String {
        let mut path = String::new();
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Field(name) if path.is_empty() => path.push_str(name),
                Segment::Field(name) => {
                    path.push('.');
                    path.push_str(name);
                }
                Segment::Index(index) => path.push_str(&format!("[{index}]")),
                Segment::Element(name) if path.is_empty() => path.push_str(name),
                Segment::Element(name) => {
                    path.push('.');
                    path.push_str(name);
                }
            }
        }
        path
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path() {
            path if path.is_empty() => f.write_str(&self.message),
            path => write!(f, "`{path}`: {}", self.message),
        }
    }
}

impl std::error::Error for FieldError {}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "array".to_owned(),
        Value::Object(_) => "object".to_owned(),
    }
}

/// A generated struct's fields, for [`ToJson`], `Debug` and `PartialEq`.
pub trait Fields {
    /// Calls `visit` with each field's wire name and value, in declaration order (optional
    /// fields as their `Option`).
    fn fields<'a>(&'a self, visit: &mut dyn FnMut(&'static str, &'a dyn FieldValue));

    /// Wire names of the fields `Debug` must not show: those the docs mark encrypted on the wire
    /// (ID numbers, names, phone numbers, …), which hold plain text before the client encrypts
    /// them or after an answer is decrypted.
    fn sensitive(&self) -> &'static [&'static str] {
        &[]
    }
}

/// What a struct field's type can do behind `&dyn`: JSON, `Debug`, and comparison with another
/// field value of the same type.
pub trait FieldValue: fmt::Debug + ToJson {
    fn as_any(&self) -> &dyn Any;
    fn eq_value(&self, other: &dyn FieldValue) -> bool;
}

impl<T: fmt::Debug + ToJson + PartialEq + 'static> FieldValue for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn eq_value(&self, other: &dyn FieldValue) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
}

impl<T: Fields> ToJson for T {
    fn to_json(&self) -> Value {
        let mut map = Map::new();
        self.fields(&mut |wire, value| {
            if !value.is_absent() {
                map.insert(wire.to_owned(), value.to_json());
            }
        });
        Value::Object(map)
    }
}

/// `Debug` of every generated struct: `Name { wire: value, .. }`, present fields only, the
/// [sensitive](Fields::sensitive) ones as `<redacted>`.
pub fn debug(value: &dyn Fields, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let sensitive = value.sensitive();
    let mut out = f.debug_struct(name);
    value.fields(&mut |wire, value| {
        if value.is_absent() {
        } else if sensitive.contains(&wire) {
            out.field(wire, &format_args!("<redacted>"));
        } else {
            out.field(wire, value);
        }
    });
    out.finish()
}

/// `PartialEq` of every generated struct: field by field.
pub fn eq(a: &dyn Fields, b: &dyn Fields) -> bool {
    let mut left = Vec::new();
    a.fields(&mut |_, value| left.push(value));
    let mut right = Vec::new();
    b.fields(&mut |_, value| right.push(value));
    left.len() == right.len() && left.iter().zip(&right).all(|(a, b)| a.eq_value(*b))
}

/// The fields of a JSON object being read into a struct; see the module docs.
pub struct Object {
    map: Map<String, Value>,
    error: Option<FieldError>,
}

impl Object {
    /// `value` as the object of struct `name`.
    pub fn new(value: Value, name: &str) -> Result<Object, FieldError> {
        match value {
            Value::Object(map) => Ok(Object { map, error: None }),
            other => Err(FieldError::invalid_type(
                &other,
                &format!("an object (struct {name})"),
            )),
        }
    }

    /// Takes required field `wire`; a placeholder once it is missing or unreadable.
    pub fn required<T: FromJson>(&mut self, wire: &'static str) -> T {
        let read = match self.map.remove(wire) {
            Some(value) => T::from_json(value).map_err(|e| e.within(Segment::Field(wire))),
            None => Err(FieldError::new(format!("missing field `{wire}`"))),
        };
        self.keep(read).unwrap_or_else(T::placeholder)
    }

    /// Takes optional field `wire`: absent and `null` are `None`.
    pub fn optional<T: FromJson>(&mut self, wire: &'static str) -> Option<T> {
        match self.map.remove(wire) {
            None | Some(Value::Null) => None,
            Some(value) => {
                let read = T::from_json(value).map_err(|e| e.within(Segment::Field(wire)));
                self.keep(read)
            }
        }
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

    /// The struct built from the fields taken, or the first error met.
    pub fn finish<T>(self, value: T) -> Result<T, FieldError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }
}

/// `Serialize` of every generated struct.
pub fn serialize<T: ToJson, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    value.to_json().serialize(serializer)
}

/// `Deserialize` of every generated struct: the input as JSON (a repeated key is an error),
/// then [`FromJson`].
pub fn deserialize<'de, T: FromJson, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let value = StrictValue.deserialize(deserializer)?;
    T::from_json(value).map_err(de::Error::custom)
}

/// Reads JSON text into `T` (a repeated key is an error), as [`deserialize`] does.
pub(crate) fn from_json_text<T: FromJson>(text: &str) -> Result<T, FieldError> {
    from_json_bytes(text.as_bytes())
}

/// Reads a JSON document into `T` (a repeated key is an error), as [`deserialize`] does.
pub(crate) fn from_json_bytes<T: FromJson>(bytes: &[u8]) -> Result<T, FieldError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| FieldError::new(format!("invalid JSON: {e}")))?;
    T::from_json(value)
}

/// Reads any self-describing input into a [`Value`] like `Value`'s own `Deserialize`, except
/// that an object with a repeated key is an error instead of keeping the last value. Numbers keep
/// their exact text (serde_json's `arbitrary_precision`, which this crate turns on).
struct StrictValue;

/// The key under which serde_json's `arbitrary_precision` passes a number's text through
/// `deserialize_any` (what `Value` and `Number` recognise too).
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Number::from_i128(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format_args!("number {v} out of range")))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Number::from_u128(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format_args!("number {v} out of range")))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        StrictValue.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Value::Object(object));
        };
        if first == NUMBER_TOKEN {
            // serde_json (`arbitrary_precision`) hands a number over as a one-entry map holding
            // its exact text, as it does to `Value`'s own `Deserialize`.
            let text = map.next_value::<String>()?;
            return text
                .parse::<Number>()
                .map(Value::Number)
                .map_err(|e| de::Error::custom(format_args!("invalid number: {e}")));
        }
        let value = map.next_value_seed(StrictValue)?;
        object.insert(first, value);
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            let value = map.next_value_seed(StrictValue)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, FieldError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(FieldError::invalid_type(&other, "a string")),
        }
    }

    fn placeholder() -> Self {
        String::new()
    }
}

/// The known value of a string enum spelled `wire`, or `unknown(wire)`.
pub fn known_or<T: Clone>(known: &[(&str, T)], wire: &str, unknown: fn(String) -> T) -> T {
    match lookup(known, wire) {
        Some(value) => value.clone(),
        None => unknown(wire.to_owned()),
    }
}

/// [`FromJson::from_json`] of the string enums: any string, unknown values kept.
pub fn string_enum<T: Clone>(
    value: Value,
    known: &[(&str, T)],
    unknown: fn(String) -> T,
) -> Result<T, FieldError> {
    let wire = String::from_json(value)?;
    Ok(match lookup(known, &wire) {
        Some(value) => value.clone(),
        None => unknown(wire),
    })
}

fn lookup<'a, T>(known: &'a [(&str, T)], wire: &str) -> Option<&'a T> {
    known
        .iter()
        .find(|(spelling, _)| *spelling == wire)
        .map(|(_, value)| value)
}

impl ToJson for i64 {
    fn to_json(&self) -> Value {
        Value::Number((*self).into())
    }
}

impl FromJson for i64 {
    fn from_json(value: Value) -> Result<Self, FieldError> {
        value
            .as_i64()
            .ok_or_else(|| FieldError::invalid_type(&value, "an integer (i64)"))
    }

    fn placeholder() -> Self {
        0
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, FieldError> {
        value
            .as_bool()
            .ok_or_else(|| FieldError::invalid_type(&value, "a boolean"))
    }

    fn placeholder() -> Self {
        false
    }
}

impl ToJson for Number {
    fn to_json(&self) -> Value {
        Value::Number(self.clone())
    }
}

impl FromJson for Number {
    fn from_json(value: Value) -> Result<Self, FieldError> {
        match value {
            Value::Number(n) => Ok(n),
            other => Err(FieldError::invalid_type(&other, "a number")),
        }
    }

    fn placeholder() -> Self {
        Number::from(0)
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, FieldError> {
        Ok(value)
    }

    fn placeholder() -> Self {
        Value::Null
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToJson::to_json)
    }

    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, FieldError> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| {
                    T::from_json(item).map_err(|e| e.within(Segment::Index(index)))
                })
                .collect(),
            other => Err(FieldError::invalid_type(&other, "an array")),
        }
    }

    fn placeholder() -> Self {
        Vec::new()
    }
}

/// Implements [`Fields`] (hence [`ToJson`]), `Serialize`, `Debug` and `PartialEq` for a
/// generated struct from its fields: `Name { rust_name: "wire" required, other: "wire_2"
/// optional }`, then optionally `sensitive ["wire_2"]`. Optional fields must have type
/// `Option<_>`; `None` ones are left out.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_serialize {
    (
        $name:ident { $( $field:ident : $wire:literal $presence:ident ),* $(,)? }
        $( sensitive [ $( $secret:literal ),* ] )?
    ) => {
        impl $crate::fields::Fields for $name {
            #[allow(unused_variables)] // a struct without fields visits nothing
            fn fields<'a>(
                &'a self,
                visit: &mut dyn FnMut(&'static str, &'a dyn $crate::fields::FieldValue),
            ) {
                $( visit($wire, &self.$field); )*
            }

            $(
                fn sensitive(&self) -> &'static [&'static str] {
                    &[ $( $secret ),* ]
                }
            )?
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::fields::serialize(self, serializer)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::fields::debug(self, stringify!($name), f)
            }
        }

        impl ::std::cmp::PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                $crate::fields::eq(self, other)
            }
        }
    };
}

/// Implements [`FromJson`] and `Deserialize` for a generated struct from its fields:
/// `Name { rust_name: "wire" required, other: "wire_2" optional }`. Optional fields must have
/// type `Option<_>`.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_deserialize {
    ($name:ident { $( $field:ident : $wire:literal $presence:ident ),* $(,)? }) => {
        impl $crate::fields::FromJson for $name {
            #[allow(unused_mut)]
            fn from_json(
                value: $crate::Value,
            ) -> ::std::result::Result<Self, $crate::fields::FieldError> {
                let mut object = $crate::fields::Object::new(value, stringify!($name))?;
                let value = $name { $( $field: object.$presence($wire) ),* };
                object.finish(value)
            }

            fn placeholder() -> Self {
                $name { $( $field: $crate::fields::placeholder::$presence() ),* }
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::fields::deserialize(deserializer)
            }
        }
    };
}

/// Both [`impl_serialize!`](crate::impl_serialize) and
/// [`impl_deserialize!`](crate::impl_deserialize), for types that travel both ways.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_serde {
    (
        $name:ident { $( $field:ident : $wire:literal $presence:ident ),* $(,)? }
        $( sensitive [ $( $secret:literal ),* ] )?
    ) => {
        $crate::impl_serialize!(
            $name { $( $field : $wire $presence ),* } $( sensitive [ $( $secret ),* ] )?
        );
        $crate::impl_deserialize!($name { $( $field : $wire $presence ),* });
    };
}

/// Placeholders of [`FromJson::placeholder`] for struct fields, by presence.
pub mod placeholder {
    use super::FromJson;

    pub fn required<T: FromJson>() -> T {
        T::placeholder()
    }

    pub fn optional<T>() -> Option<T> {
        None
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    struct Inner {
        value: i64,
    }
    crate::impl_serde!(Inner { value: "value" required });

    struct Outer {
        r#type: String,
        out_trade_no: Option<String>,
        inner: Option<Inner>,
        list: Vec<Inner>,
    }
    crate::impl_serde!(Outer {
        r#type: "type" required,
        out_trade_no: "outTradeNo" optional,
        inner: "inner" optional,
        list: "list" required,
    });

    fn parse(text: &str) -> Result<Outer, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_required_optional_nested_and_skips_unknown_keys() {
        let outer =
            parse(r#"{"type":"A","extra":{"x":[1,2]},"list":[{"value":1}],"inner":{"value":2}}"#)
                .unwrap();
        assert_eq!(
            outer,
            Outer {
                r#type: "A".into(),
                out_trade_no: None,
                inner: Some(Inner { value: 2 }),
                list: vec![Inner { value: 1 }],
            }
        );
        let outer = parse(r#"{"type":"B","outTradeNo":null,"list":[]}"#).unwrap();
        assert_eq!(outer.out_trade_no, None);
        let outer = parse(r#"{"type":"B","outTradeNo":"x","list":[]}"#).unwrap();
        assert_eq!(outer.out_trade_no.as_deref(), Some("x"));
    }

    #[test]
    fn serializes_like_the_derive() {
        let outer = Outer {
            r#type: "A".into(),
            out_trade_no: None,
            inner: Some(Inner { value: 2 }),
            list: vec![Inner { value: 1 }],
        };
        assert_eq!(
            serde_json::to_value(&outer).unwrap(),
            json!({"type": "A", "inner": {"value": 2}, "list": [{"value": 1}]})
        );
        let outer = Outer {
            out_trade_no: Some("x".into()),
            inner: None,
            ..outer
        };
        assert_eq!(
            serde_json::to_value(&outer).unwrap(),
            json!({"type": "A", "outTradeNo": "x", "list": [{"value": 1}]})
        );
        assert_eq!(
            serde_json::from_value::<Outer>(serde_json::to_value(&outer).unwrap()).unwrap(),
            outer
        );
    }

    #[test]
    fn escaped_keys_match() {
        let outer = parse(r#"{"\u0074ype":"A","list":[]}"#).unwrap();
        assert_eq!(outer.r#type, "A");
    }

    #[test]
    fn errors_name_the_field_path() {
        assert_eq!(parse(r#"{"list":[]}"#).unwrap_err(), "missing field `type`");
        assert_eq!(
            parse(r#"{"type":"A","type":"B","list":[]}"#).unwrap_err(),
            "duplicate field `type` at line 1 column 18"
        );
        assert_eq!(
            parse(r#"[1]"#).unwrap_err(),
            "invalid type: array, expected an object (struct Outer)"
        );
        assert_eq!(
            parse(r#"{"type":1,"list":[]}"#).unwrap_err(),
            "`type`: invalid type: number `1`, expected a string"
        );
        assert_eq!(
            parse(r#"{"type":"A","list":[{"value":1},{"value":"x"}]}"#).unwrap_err(),
            "`list[1].value`: invalid type: string \"x\", expected an integer (i64)"
        );
        assert_eq!(
            parse(r#"{"type":"A","list":[],"inner":{}}"#).unwrap_err(),
            "`inner`: missing field `value`"
        );
        assert_eq!(
            parse(r#"{"type":"A","list":[],"inner":{"value":1,"value":2}}"#).unwrap_err(),
            "duplicate field `value` at line 1 column 48"
        );
    }

    #[test]
    fn debug_shows_present_fields_by_wire_name() {
        let outer = Outer {
            r#type: "A".into(),
            out_trade_no: None,
            inner: Some(Inner { value: 2 }),
            list: vec![Inner { value: 1 }],
        };
        assert_eq!(
            format!("{outer:?}"),
            r#"Outer { type: "A", inner: Some(Inner { value: 2 }), list: [Inner { value: 1 }] }"#
        );
    }

    #[test]
    fn equality_compares_every_field() {
        let outer = || Outer {
            r#type: "A".into(),
            out_trade_no: None,
            inner: Some(Inner { value: 2 }),
            list: vec![Inner { value: 1 }],
        };
        assert_eq!(outer(), outer());
        assert_ne!(
            outer(),
            Outer {
                out_trade_no: Some(String::new()),
                ..outer()
            }
        );
        assert_ne!(
            outer(),
            Outer {
                inner: Some(Inner { value: 3 }),
                ..outer()
            }
        );
        assert_ne!(
            outer(),
            Outer {
                list: vec![],
                ..outer()
            }
        );
    }

    struct Payee {
        name: String,
        id_card_number: Option<String>,
        amount: i64,
    }
    crate::impl_serde!(Payee {
        name: "name" required,
        id_card_number: "id_card_number" optional,
        amount: "amount" required,
    } sensitive ["name", "id_card_number"]);

    #[test]
    fn debug_redacts_sensitive_fields_but_json_keeps_them() {
        let payee = Payee {
            name: "张三".into(),
            id_card_number: Some("110101199003071234".into()),
            amount: 100,
        };
        assert_eq!(
            format!("{payee:?}"),
            "Payee { name: <redacted>, id_card_number: <redacted>, amount: 100 }"
        );
        assert_eq!(
            serde_json::to_value(&payee).unwrap(),
            json!({"name": "张三", "id_card_number": "110101199003071234", "amount": 100})
        );
    }

    struct Money {
        balance: serde_json::Number,
        bonus: Option<serde_json::Number>,
        total: i64,
    }
    crate::impl_serde!(Money {
        balance: "balance" required,
        bonus: "bonus" optional,
        total: "total" required,
    });

    #[test]
    fn numbers_keep_their_exact_wire_text() {
        for text in [
            r#"{"balance":123456789012345678901234567890,"total":1}"#,
            r#"{"balance":0.30000000000000000000000000001,"bonus":-1e+400,"total":-9223372036854775808}"#,
            r#"{"balance":1.10,"bonus":1e+2,"total":9223372036854775807}"#,
            r#"{"balance":-0.0,"bonus":18446744073709551616,"total":0}"#,
        ] {
            // Straight from the bytes (a verified answer or a webhook plaintext)…
            let money: Money = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&money).unwrap(), text);
            // …and through a `Value` (an answer whose encrypted fields were decrypted in place).
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(value.to_string(), text);
            let money: Money = serde_json::from_value(value).unwrap();
            assert_eq!(serde_json::to_string(&money).unwrap(), text);
        }
        let money: Money =
            serde_json::from_str(r#"{"balance":123456789012345678901234567890,"total":1}"#)
                .unwrap();
        assert_eq!(money.balance.to_string(), "123456789012345678901234567890");
        // Digits are kept as sent; an exponent is spelled `e+`/`e-` (serde_json's parser).
        let money: Money = serde_json::from_str(r#"{"balance":1E2,"total":1}"#).unwrap();
        assert_eq!(money.balance.to_string(), "1e+2");
    }

    #[test]
    fn integer_fields_take_only_integers() {
        for (text, shown) in [
            (r#"{"balance":1,"total":1.5}"#, "1.5"),
            (r#"{"balance":1,"total":1e2}"#, "1e+2"),
            (r#"{"balance":1,"total":100.0}"#, "100.0"),
            (
                r#"{"balance":1,"total":9223372036854775808}"#,
                "9223372036854775808",
            ),
        ] {
            let error = serde_json::from_str::<Money>(text).unwrap_err().to_string();
            assert_eq!(
                error,
                format!("`total`: invalid type: number `{shown}`, expected an integer (i64)")
            );
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let error = serde_json::from_value::<Money>(value)
                .unwrap_err()
                .to_string();
            assert!(
                error.starts_with("`total`: invalid type: number"),
                "{error}"
            );
        }
        assert_eq!(
            serde_json::from_str::<Money>(r#"{"balance":"1","total":1}"#)
                .unwrap_err()
                .to_string(),
            "`balance`: invalid type: string \"1\", expected a number"
        );
    }

    crate::string_enum! {
        pub enum State {
            Used = "USED",
            Sent = "SENT",
        }
    }

    #[test]
    fn string_enums_keep_unknown_values_and_reject_other_types() {
        assert_eq!(
            serde_json::from_str::<State>(r#""SENT""#).unwrap(),
            State::Sent
        );
        assert_eq!(
            serde_json::from_str::<State>(r#""NEW""#).unwrap(),
            State::Unknown("NEW".into())
        );
        assert_eq!(State::from("USED").to_string(), "USED");
        assert_eq!(serde_json::to_value(State::Sent).unwrap(), json!("SENT"));
        assert_eq!(
            serde_json::from_str::<State>("1").unwrap_err().to_string(),
            "invalid type: number `1`, expected a string"
        );
    }

    #[test]
    fn the_first_error_wins() {
        let error = parse(r#"{"type":2,"list":"no"}"#).unwrap_err();
        assert!(
            error.starts_with("`type`: invalid type: number `2`"),
            "{error}"
        );
    }
}
