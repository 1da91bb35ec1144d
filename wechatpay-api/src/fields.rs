//! Compact serde impls for generated structs.
//!
//! `#[derive(Deserialize)]` expands to a field enum, a field visitor, `visit_seq` and
//! `visit_map`: some forty lines per field, and `#[derive(Serialize)]` to a length sum and a
//! branch per optional field. Over a thousand endpoints that is most of what the compiler
//! type-checks. Bodies and answers are JSON objects, so generated structs use
//! [`impl_serialize!`](crate::impl_serialize) and [`impl_deserialize!`](crate::impl_deserialize)
//! instead: one line per field, helpers shared by every struct. Same behaviour as the derives
//! for JSON: `None` optional fields are left out; unknown keys are skipped, a repeated key is an
//! error, a missing required field is `missing field`, a missing or `null` optional field is
//! `None`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct};

/// Writes a present optional field; leaves out an absent one.
pub fn optional_field<S: SerializeStruct, T: Serialize>(
    state: &mut S,
    wire: &'static str,
    value: &Option<T>,
) -> Result<(), S::Error> {
    match value {
        Some(value) => state.serialize_field(wire, value),
        None => state.skip_field(wire),
    }
}

/// Implements `Serialize` for a generated struct from its fields:
/// `Name { rust_name: "wire" required, other: "wire_2" optional }`. Optional fields must have
/// type `Option<_>`; `None` ones are left out.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_serialize {
    ($name:ident { $( $field:ident : $wire:literal $presence:ident ),* $(,)? }) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut state = $crate::__private::serde::Serializer::serialize_struct(
                    serializer,
                    stringify!($name),
                    0 $( + $crate::impl_serialize!(@one $field) )*,
                )?;
                $( $crate::impl_serialize!(@field state self $presence $field $wire); )*
                $crate::__private::serde::ser::SerializeStruct::end(state)
            }
        }
    };
    (@one $field:ident) => { 1 };
    (@field $state:ident $self:ident required $field:ident $wire:literal) => {
        $crate::__private::serde::ser::SerializeStruct::serialize_field(
            &mut $state, $wire, &$self.$field,
        )?
    };
    (@field $state:ident $self:ident optional $field:ident $wire:literal) => {
        $crate::fields::optional_field(&mut $state, $wire, &$self.$field)?
    };
}

/// Both [`impl_serialize!`](crate::impl_serialize) and
/// [`impl_deserialize!`](crate::impl_deserialize), for types that travel both ways.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_serde {
    ($name:ident { $( $field:ident : $wire:literal $presence:ident ),* $(,)? }) => {
        $crate::impl_serialize!($name { $( $field : $wire $presence ),* });
        $crate::impl_deserialize!($name { $( $field : $wire $presence ),* });
    };
}

/// A map key, borrowed from the input when it has no escapes.
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(String::from_utf8_lossy(v).into_owned())))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// Reads the value of `wire` into its slot; a second occurrence of the key is an error.
pub fn set<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    wire: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(wire));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a key no field has.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// A required field: present, or `missing field`.
pub fn required<T, E: de::Error>(slot: Option<T>, wire: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(wire))
}

/// An optional field: absent and `null` are both `None`.
pub fn optional<T>(slot: Option<Option<T>>) -> Option<T> {
    slot.flatten()
}

/// `expecting` of every generated struct's visitor.
pub fn expecting(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    write!(f, "struct {name}")
}

/// Implements `Deserialize` for a generated struct from its fields:
/// `Name { rust_name: "wire" required, other: "wire_2" optional }`. Optional fields must have
/// type `Option<_>`.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_deserialize {
    ($name:ident { $( $field:ident : $wire:literal $presence:ident ),* $(,)? }) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct __Visitor;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;
                    fn expecting(
                        &self,
                        f: &mut ::std::fmt::Formatter<'_>,
                    ) -> ::std::fmt::Result {
                        $crate::fields::expecting(f, stringify!($name))
                    }
                    #[allow(unused_mut)]
                    fn visit_map<A: $crate::__private::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$name, A::Error> {
                        $( let mut $field = ::std::option::Option::None; )*
                        while let ::std::option::Option::Some(key) =
                            map.next_key::<$crate::fields::Key<'de>>()?
                        {
                            match key.as_str() {
                                $( $wire => $crate::fields::set(&mut $field, &mut map, $wire)?, )*
                                _ => $crate::fields::skip(&mut map)?,
                            }
                        }
                        ::std::result::Result::Ok($name {
                            $( $field: $crate::impl_deserialize!(@take $presence $field $wire), )*
                        })
                    }
                }
                deserializer.deserialize_map(__Visitor)
            }
        }
    };
    (@take required $field:ident $wire:literal) => {
        $crate::fields::required($field, $wire)?
    };
    (@take optional $field:ident $wire:literal) => {
        $crate::fields::optional($field)
    };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[derive(Debug, PartialEq)]
    struct Inner {
        value: i64,
    }
    crate::impl_serde!(Inner { value: "value" required });

    #[derive(Debug, PartialEq)]
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
            serde_json::to_string(&outer).unwrap(),
            r#"{"type":"A","inner":{"value":2},"list":[{"value":1}]}"#
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
    fn errors_match_the_derive() {
        assert!(
            parse(r#"{"list":[]}"#)
                .unwrap_err()
                .contains("missing field `type`")
        );
        assert!(
            parse(r#"{"type":"A","type":"B","list":[]}"#)
                .unwrap_err()
                .contains("duplicate field `type`")
        );
        assert!(
            parse(r#"[1]"#)
                .unwrap_err()
                .contains("invalid type: sequence, expected struct Outer")
        );
        assert!(
            parse(r#"{"type":1,"list":[]}"#)
                .unwrap_err()
                .contains("invalid type: integer `1`")
        );
        assert!(
            serde_json::from_value::<Outer>(json!({"type": "A", "list": [{"value": "x"}]}))
                .is_err()
        );
    }
}
