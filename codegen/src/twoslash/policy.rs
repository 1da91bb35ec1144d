//! What the twoslash pages cannot say, decided once for every twoslash operation.
//!
//! - **Response fields are optional.** The TypeScript pages mark most fields required (no `?`),
//!   even where the maintained im-table docs say optional (FORMATS.md B.5). In a response, a
//!   field wrongly required makes a valid answer fail to decode, so every response field read
//!   from a twoslash page is optional. Request fields keep the page's flags: at worst the type
//!   asks for a value the server would accept without. Where an im-table page describes the same
//!   operation, its flags win (see [`super::adopt_required_flags`]).
//! - **Encrypted fields.** The pages carry no encryption markers. A request string field named
//!   `encrypted_…` on an operation that declares the `Wechatpay-Serial` header is encrypted
//!   (RSA-OAEP with the WeChat Pay key). Measured against the im-table markers of the same
//!   operations: 5 found, 0 wrong. Other sensitive fields must be encrypted by the caller with
//!   `Client::encrypt_field` (a broader name list guessed wrong 17 times out of 104).

use crate::ir::{Encryption, Field, FieldType, ItemType, Operation};

/// Applies both rules to an operation read from a twoslash page.
pub fn apply(op: &mut Operation) {
    make_optional(&mut op.response.fields);
    let names_key = op
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("Wechatpay-Serial"));
    if names_key {
        mark_encrypted(&mut op.body.fields);
    }
}

fn make_optional(fields: &mut [Field]) {
    for field in fields {
        field.required = false;
        make_optional(&mut field.fields);
    }
}

fn mark_encrypted(fields: &mut [Field]) {
    for field in fields {
        let is_text = field.ty == FieldType::String
            || (field.ty == FieldType::Array && field.items == Some(ItemType::String));
        if is_text && field.name.starts_with("encrypted_") {
            field.encrypted = Some(Encryption::RsaPubkey);
        }
        mark_encrypted(&mut field.fields);
    }
}
