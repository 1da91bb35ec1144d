//! APIv2 signatures (`sign`): the sorted `name=value` pairs of a document and `&key=<APIv2 key>`,
//! hashed with MD5 or HMAC-SHA256 (keyed with the APIv2 key), upper-case hex.
//!
//! Pairs are sorted by element name in byte order, `sign` and empty values left out. An
//! answer's or notification's `sign` is compared in constant time.
//!
//! A nested list (`gethbinfo`'s `hblist`, see [`xml`](super::xml)) is one pair whose value is
//! its [canonical text](super::xml::canonical_list): `hblist=<hbinfo><amount>100</amount>
//! <openid>o1</openid><rcv_time>…</rcv_time></hbinfo><hbinfo>…</hbinfo>` (without the line
//! break), items in document order, leaves in name order, `&<>` escaped, no CDATA or
//! whitespace; a list without items is empty and left out. WeChat Pay documents no `sign` for
//! the answers that carry such a list, and no rule for one: this choice makes a `sign` that an
//! answer does carry cover every element the answer is decoded into, so that nothing of a
//! verified answer goes unverified (a `sign` computed over the text elements alone, as some
//! SDKs would, does not verify).

use std::fmt;
use std::fmt::Write as _;

use aws_lc_rs::hmac;
use md5::{Digest as _, Md5};
use zeroize::{Zeroize, Zeroizing};

use super::operation::SignType;
use super::params::{Entry, Params};
use super::xml::canonical_list;

/// The element that carries the signature.
pub const SIGN: &str = "sign";
/// The element that names the signature algorithm.
pub const SIGN_TYPE: &str = "sign_type";

/// The merchant's APIv2 key (`API密钥`, 32 letters and digits, set in the merchant platform).
/// Wiped on drop; `Debug` never shows it.
#[derive(Clone)]
pub struct ApiV2Key(String);

impl ApiV2Key {
    /// The key from its text: exactly 32 ASCII letters and digits. The error never quotes it.
    pub fn new(key: impl Into<String>) -> Result<ApiV2Key, InvalidApiV2Key> {
        let mut key = key.into();
        if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            let chars = key.chars().count();
            key.zeroize();
            return Err(InvalidApiV2Key { chars });
        }
        Ok(ApiV2Key(key))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::str::FromStr for ApiV2Key {
    type Err = InvalidApiV2Key;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ApiV2Key::new(text)
    }
}

impl Drop for ApiV2Key {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for ApiV2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV2Key(<redacted>)")
    }
}

/// A text that is not an APIv2 key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidApiV2Key {
    chars: usize,
}

impl fmt::Display for InvalidApiV2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "APIv2 key must be 32 ASCII letters and digits (got {} characters{})",
            self.chars,
            if self.chars == 32 {
                ", some of them not letters or digits"
            } else {
                ""
            }
        )
    }
}

impl std::error::Error for InvalidApiV2Key {}

/// Why a document's `sign` was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// The document has no `sign` element (or an empty one).
    Missing,
    /// `sign` is not the signature of the document with this key and algorithm.
    Mismatch,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "the document carries no `sign`",
            SignatureError::Mismatch => "`sign` does not match the document",
        })
    }
}

impl std::error::Error for SignatureError {}

/// The text that is hashed: `a=1&b=2&key=KEY` (wiped on drop: it holds the key).
fn string_to_sign(params: &Params, key: &ApiV2Key) -> Zeroizing<String> {
    let mut text = Zeroizing::new(String::with_capacity(256));
    for (name, entry) in params.entries() {
        let list;
        let value = match entry {
            Entry::Text(value) => value,
            Entry::List(items) => {
                list = canonical_list(items);
                list.as_str()
            }
        };
        if name == SIGN || value.is_empty() {
            continue;
        }
        text.push_str(name);
        text.push('=');
        text.push_str(value);
        text.push('&');
    }
    text.push_str("key=");
    text.push_str(&key.0);
    text
}

fn upper_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02X}");
    }
    out
}

/// The `sign` of `params` (its own `sign` element, if any, left out).
pub fn sign(params: &Params, sign_type: SignType, key: &ApiV2Key) -> String {
    let text = string_to_sign(params, key);
    match sign_type {
        SignType::Md5 => upper_hex(&Md5::digest(text.as_bytes())),
        SignType::HmacSha256 => {
            let hmac_key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
            upper_hex(hmac::sign(&hmac_key, text.as_bytes()).as_ref())
        }
    }
}

/// Checks the `sign` element of `params` against their signature, in constant time. The hex
/// is compared case-insensitively.
pub fn verify(params: &Params, key: &ApiV2Key, sign_type: SignType) -> Result<(), SignatureError> {
    let received = params
        .get(SIGN)
        .filter(|s| !s.is_empty())
        .ok_or(SignatureError::Missing)?;
    let expected = sign(params, sign_type, key);
    let received = received.to_ascii_uppercase();
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), received.as_bytes())
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of WeChat Pay's APIv2 signature docs.
    fn documented() -> (Params, ApiV2Key) {
        let params: Params = [
            ("appid", "wxd930ea5d5a258f4f"),
            ("mch_id", "10000100"),
            ("device_info", "1000"),
            ("body", "test"),
            ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        (
            params,
            ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap(),
        )
    }

    #[test]
    fn documented_md5_signature() {
        let (params, key) = documented();
        assert_eq!(
            sign(&params, SignType::Md5, &key),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
    }

    #[test]
    fn documented_hmac_sha256_signature() {
        let (params, key) = documented();
        assert_eq!(
            sign(&params, SignType::HmacSha256, &key),
            "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
        );
    }

    #[test]
    fn sign_and_empty_values_are_left_out() {
        let (mut params, key) = documented();
        let plain = sign(&params, SignType::Md5, &key);
        params.insert("sign", "ANYTHING");
        params.insert("attach", "");
        assert_eq!(sign(&params, SignType::Md5, &key), plain);
        params.insert("attach", "x");
        assert_ne!(sign(&params, SignType::Md5, &key), plain);
    }

    #[test]
    fn verify_accepts_the_signature_and_refuses_changes() {
        for sign_type in [SignType::Md5, SignType::HmacSha256] {
            let (mut params, key) = documented();
            assert_eq!(
                verify(&params, &key, sign_type),
                Err(SignatureError::Missing)
            );
            params.insert("sign", sign(&params, sign_type, &key));
            assert_eq!(verify(&params, &key, sign_type), Ok(()));
            let lower = params.get("sign").unwrap().to_ascii_lowercase();
            params.insert("sign", lower);
            assert_eq!(verify(&params, &key, sign_type), Ok(()));

            let mut tampered = params.clone();
            tampered.insert("body", "test2");
            assert_eq!(
                verify(&tampered, &key, sign_type),
                Err(SignatureError::Mismatch)
            );
            let other = ApiV2Key::new("a".repeat(32)).unwrap();
            assert_eq!(
                verify(&params, &other, sign_type),
                Err(SignatureError::Mismatch)
            );
        }
        let (mut params, key) = documented();
        params.insert("sign", sign(&params, SignType::Md5, &key));
        assert_eq!(
            verify(&params, &key, SignType::HmacSha256),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_nested_list_is_signed_as_its_canonical_text() {
        let (mut params, key) = documented();
        let plain = sign(&params, SignType::Md5, &key);
        params.insert_list("hblist", Vec::new());
        assert_eq!(sign(&params, SignType::Md5, &key), plain, "an empty list");

        let receipt = |amount: &str| {
            let leaves: Params = [("amount", amount), ("openid", "o1")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            ("hbinfo".to_owned(), leaves)
        };
        params.insert_list("hblist", vec![receipt("100"), receipt("200")]);
        let mut flat = params.clone();
        flat.remove_list("hblist");
        flat.insert(
            "hblist",
            "<hbinfo><amount>100</amount><openid>o1</openid></hbinfo><hbinfo><amount>200</amount><openid>o1</openid></hbinfo>",
        );
        assert_eq!(
            sign(&params, SignType::HmacSha256, &key),
            sign(&flat, SignType::HmacSha256, &key)
        );
        params.insert("sign", sign(&params, SignType::HmacSha256, &key));
        assert_eq!(verify(&params, &key, SignType::HmacSha256), Ok(()));

        for tampered_list in [
            vec![receipt("100"), receipt("201")],
            vec![receipt("200"), receipt("100")],
            vec![receipt("100")],
        ] {
            let mut tampered = params.clone();
            tampered.insert_list("hblist", tampered_list);
            assert_eq!(
                verify(&tampered, &key, SignType::HmacSha256),
                Err(SignatureError::Mismatch)
            );
        }
    }

    #[test]
    fn key_is_validated_and_never_shown() {
        for bad in ["short", &"a".repeat(31), &"a".repeat(33), &"é".repeat(16)] {
            let err = ApiV2Key::new(bad).unwrap_err();
            assert!(!err.to_string().contains(bad), "{err}");
        }
        assert!(ApiV2Key::new("").is_err());
        let err = ApiV2Key::new(format!("{}-", "a".repeat(31))).unwrap_err();
        assert!(err.to_string().contains("not letters or digits"), "{err}");
        let key: ApiV2Key = "192006250b4c09247ec02edce69f6a2d".parse().unwrap();
        assert_eq!(format!("{key:?}"), "ApiV2Key(<redacted>)");
    }
}
