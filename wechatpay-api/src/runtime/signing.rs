//! Request signing: the message, the nonce and the `Authorization` header of APIv3.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use super::error::{CryptoOperation, Error};
use super::keys::MerchantPrivateKey;

const NONCE_ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// 32 characters of `[0-9A-Za-z]` from the system CSPRNG (unbiased: rejection sampling).
pub fn nonce() -> Result<String, Error> {
    let rng = SystemRandom::new();
    let mut out = String::with_capacity(32);
    let mut buf = [0u8; 48];
    while out.len() < 32 {
        rng.fill(&mut buf).map_err(|_| {
            Error::crypto(CryptoOperation::Random, "system random generator failed")
        })?;
        for &b in &buf {
            // 248 = 4 * 62: values at or above it would bias the choice.
            if b < 248 && out.len() < 32 {
                out.push(NONCE_ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

/// `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`, the text a request signature covers.
/// `url` is the path plus `?query` (no scheme, no host); `body` the exact bytes sent
/// (empty for GET; the `meta` JSON for uploads).
pub fn request_message(
    method: &str,
    url: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut message = Vec::with_capacity(method.len() + url.len() + nonce.len() + body.len() + 24);
    message.extend_from_slice(method.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(url.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(timestamp.to_string().as_bytes());
    message.push(b'\n');
    message.extend_from_slice(nonce.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// `TIMESTAMP\nNONCE\nBODY\n`, the text an answer or webhook signature covers.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(nonce.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// The value of the `Authorization` header.
pub fn authorization(
    mchid: &str,
    serial_no: &str,
    nonce: &str,
    timestamp: i64,
    signature: &str,
) -> String {
    format!(
        "WECHATPAY2-SHA256-RSA2048 mchid=\"{mchid}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{serial_no}\""
    )
}

/// Signs one request and returns the `Authorization` header value.
#[allow(clippy::too_many_arguments)] // one argument per protocol field
pub fn sign_request(
    key: &MerchantPrivateKey,
    mchid: &str,
    serial_no: &str,
    method: &str,
    url: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Result<String, Error> {
    let message = request_message(method, url, timestamp, nonce, body);
    let signature = key.sign(&message)?;
    Ok(authorization(
        mchid, serial_no, nonce, timestamp, &signature,
    ))
}

/// The parts of an `Authorization: WECHATPAY2-SHA256-RSA2048 …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader {
    pub mchid: String,
    pub nonce_str: String,
    pub signature: String,
    pub timestamp: String,
    pub serial_no: String,
}

impl AuthorizationHeader {
    /// Parses the header; `None` if the scheme or any of the five fields is missing.
    pub fn parse(value: &str) -> Option<AuthorizationHeader> {
        let rest = value.strip_prefix("WECHATPAY2-SHA256-RSA2048 ")?;
        let (mut mchid, mut nonce_str, mut signature, mut timestamp, mut serial_no) =
            (None, None, None, None, None);
        for item in rest.split(',') {
            let (name, quoted) = item.trim().split_once('=')?;
            let text = quoted.strip_prefix('"')?.strip_suffix('"')?.to_owned();
            match name {
                "mchid" => mchid = Some(text),
                "nonce_str" => nonce_str = Some(text),
                "signature" => signature = Some(text),
                "timestamp" => timestamp = Some(text),
                "serial_no" => serial_no = Some(text),
                _ => {}
            }
        }
        Some(AuthorizationHeader {
            mchid: mchid?,
            nonce_str: nonce_str?,
            signature: signature?,
            timestamp: timestamp?,
            serial_no: serial_no?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_is_32_alphanumerics_and_varies() {
        let a = nonce().unwrap();
        let b = nonce().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn messages_have_the_protocol_shape() {
        assert_eq!(
            request_message("GET", "/v3/certificates?a=1", 1554208460, "N", b""),
            b"GET\n/v3/certificates?a=1\n1554208460\nN\n\n"
        );
        assert_eq!(response_message("1", "N", b"{}"), b"1\nN\n{}\n");
    }

    #[test]
    fn authorization_round_trips() {
        let header = authorization("1900000001", "SERIAL", "NONCE", 42, "c2ln");
        assert_eq!(
            header,
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="NONCE",signature="c2ln",timestamp="42",serial_no="SERIAL""#
        );
        let parsed = AuthorizationHeader::parse(&header).unwrap();
        assert_eq!(parsed.mchid, "1900000001");
        assert_eq!(parsed.signature, "c2ln");
        assert_eq!(parsed.timestamp, "42");
        assert!(AuthorizationHeader::parse("Bearer x").is_none());
        assert!(AuthorizationHeader::parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\"").is_none());
    }
}
