//! The one sanitiser every generated identifier goes through.
//!
//! Wire names are arbitrary (kebab-case headers, `$n` templates, spaces, CJK, leading digits,
//! Rust keywords); Rust identifiers are not. Every function here is total and deterministic.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Replaces everything that cannot appear in an identifier: ASCII punctuation and spaces
/// become word breaks, other characters their code point (`一` → `u4e00`).
fn ascii_words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_ascii() {
            out.push('_');
        } else {
            let _ = write!(out, "_u{:x}_", u32::from(c));
        }
    }
    out
}

/// A snake_case identifier for a field, module or function.
pub fn field_ident(wire: &str) -> String {
    let mut ident = ascii_words(wire).to_snake_case();
    if ident.is_empty() {
        ident.push_str("field");
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert_str(0, "n_");
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// An UpperCamelCase identifier for a type or enum variant.
pub fn type_ident(wire: &str) -> String {
    let mut ident = ascii_words(wire).to_upper_camel_case();
    if ident.is_empty() {
        ident.push_str("Value");
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, 'N');
    }
    if ident == "Self" {
        ident.push('_');
    }
    ident
}

/// Hands out identifiers unique within one scope, in the order they are asked for:
/// the first `x` stays `x`, later ones become `x_2`, `x_3` (types: `X2`, `X3`).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeMap<String, u32>,
}

impl Scope {
    pub fn new() -> Scope {
        Scope::default()
    }

    /// Reserves a name so later requests for it get a suffix.
    pub fn reserve(&mut self, ident: &str) {
        self.taken.entry(ident.to_owned()).or_insert(1);
    }

    pub fn unique_field(&mut self, ident: String) -> String {
        self.unique(ident, "_")
    }

    pub fn unique_type(&mut self, ident: String) -> String {
        self.unique(ident, "")
    }

    fn unique(&mut self, ident: String, separator: &str) -> String {
        if !self.taken.contains_key(&ident) {
            self.taken.insert(ident.clone(), 1);
            return ident;
        }
        let mut n = self.taken[&ident];
        loop {
            n += 1;
            let candidate = format!("{ident}{separator}{n}");
            if !self.taken.contains_key(&candidate) {
                self.taken.insert(ident, n);
                self.taken.insert(candidate.clone(), 1);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_idents() {
        assert_eq!(field_ident("openid"), "openid");
        assert_eq!(field_ident("Wechatpay-Serial"), "wechatpay_serial");
        assert_eq!(field_ident("payAuthNo"), "pay_auth_no");
        assert_eq!(field_ident("coupon_fee_$n"), "coupon_fee_n");
        assert_eq!(field_ident("payer _currency"), "payer_currency");
        assert_eq!(field_ident("type"), "type_");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("gen"), "gen_");
        assert_eq!(field_ident("20X"), "n_20x");
        assert_eq!(field_ident("一级"), "u4e00_u7ea7");
        assert_eq!(field_ident(""), "field");
        assert_eq!(field_ident("{card_id}"), "card_id");
    }

    #[test]
    fn type_idents() {
        assert_eq!(type_ident("USER_FORM_FLAG_SEX"), "UserFormFlagSex");
        assert_eq!(
            type_ident("WECHATPAY2-SHA256-RSA2048"),
            "Wechatpay2Sha256Rsa2048"
        );
        assert_eq!(type_ident("PARKING SPACE"), "ParkingSpace");
        assert_eq!(type_ident("20X"), "N20x");
        assert_eq!(type_ident("self"), "Self_");
        assert_eq!(type_ident("二级"), "U4e8cU7ea7");
        assert_eq!(type_ident("-"), "Value");
    }

    #[test]
    fn scopes_suffix_collisions_deterministically() {
        let mut scope = Scope::new();
        assert_eq!(scope.unique_field("a".into()), "a");
        assert_eq!(scope.unique_field("a".into()), "a_2");
        assert_eq!(scope.unique_field("a_2".into()), "a_2_2");
        assert_eq!(scope.unique_field("a".into()), "a_3");
        let mut types = Scope::new();
        types.reserve("Node");
        assert_eq!(types.unique_type("Node".into()), "Node2");
    }
}
