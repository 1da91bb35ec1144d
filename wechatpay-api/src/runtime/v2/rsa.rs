//! The RSA public key APIv2 bank transfers encrypt `enc_bank_no` / `enc_true_name` with
//! (fetched from `risk/getpublickey`): RSA-OAEP (SHA-1, MGF1-SHA-1), base64.

use std::fmt;

use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::runtime::error::{ConfigItem, Error};
use crate::runtime::keys::oaep_encrypt;

/// The APIv2 RSA public key: a `BEGIN RSA PUBLIC KEY` (PKCS#1, what `risk/getpublickey`
/// returns) or `BEGIN PUBLIC KEY` (SPKI) PEM.
pub struct V2RsaPublicKey {
    key: OaepPublicEncryptingKey,
}

impl fmt::Debug for V2RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "V2RsaPublicKey({} bits)", self.key.key_size_bits())
    }
}

impl V2RsaPublicKey {
    /// Reads the PEM; the key must be RSA, 2048 bits or more.
    pub fn from_pem(pem: &str) -> Result<V2RsaPublicKey, Error> {
        let error = |message: String| Error::config(ConfigItem::V2RsaPublicKey, message);
        let spki = if let Some(der) = pem_section(pem, "RSA PUBLIC KEY").map_err(&error)? {
            spki_of_pkcs1(&der)
        } else if let Some(der) = pem_section(pem, "PUBLIC KEY").map_err(&error)? {
            der
        } else {
            return Err(error(
                "APIv2 RSA public key: no `RSA PUBLIC KEY` or `PUBLIC KEY` PEM section".to_owned(),
            ));
        };
        let key = PublicEncryptingKey::from_der(&spki)
            .map_err(|e| error(format!("APIv2 RSA public key rejected: {e}")))?;
        if key.key_size_bits() < 2048 {
            return Err(error(format!(
                "APIv2 RSA public key of {} bits is shorter than 2048",
                key.key_size_bits()
            )));
        }
        let key = OaepPublicEncryptingKey::new(key)
            .map_err(|_| error("APIv2 RSA public key cannot encrypt (OAEP)".to_owned()))?;
        Ok(V2RsaPublicKey { key })
    }

    /// RSA-OAEP (SHA-1, MGF1-SHA-1) of `plain`, base64.
    pub fn encrypt(&self, plain: &str) -> Result<String, Error> {
        oaep_encrypt(&self.key, plain.as_bytes())
    }
}

/// The DER of the first `label` section of `pem` (`None` when there is none).
fn pem_section(pem: &str, label: &str) -> Result<Option<Vec<u8>>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let Some(start) = pem.find(&begin) else {
        return Ok(None);
    };
    let body = &pem[start + begin.len()..];
    let Some(stop) = body.find(&end) else {
        return Err(format!("APIv2 RSA public key: `{begin}` without `{end}`"));
    };
    let text: String = body[..stop]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    BASE64
        .decode(text)
        .map(Some)
        .map_err(|_| format!("APIv2 RSA public key: the `{label}` section is not base64"))
}

/// `SubjectPublicKeyInfo { rsaEncryption, NULL, BIT STRING pkcs1 }` around a PKCS#1
/// `RSAPublicKey`.
fn spki_of_pkcs1(pkcs1: &[u8]) -> Vec<u8> {
    const RSA_ALGORITHM: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bit_string = vec![0x00];
    bit_string.extend_from_slice(pkcs1);
    let mut content = RSA_ALGORITHM.to_vec();
    content.extend(der_tlv(0x03, &bit_string));
    der_tlv(0x30, &content)
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::keys::MerchantPrivateKey;

    const PKCS1: &str = include_str!("../../testing/keys/v2_rsa_public_key.pem");
    const SPKI: &str = include_str!("../../testing/keys/wechatpay_public_key.pem");
    const PRIVATE: &str = include_str!("../../testing/keys/wechatpay_private_key.pem");

    #[test]
    fn pkcs1_and_spki_pems_encrypt_for_the_private_key() {
        let private = MerchantPrivateKey::from_pem(PRIVATE).unwrap();
        for pem in [PKCS1, SPKI] {
            let key = V2RsaPublicKey::from_pem(pem).unwrap();
            let ciphertext = key.encrypt("6222 0000 1234").unwrap();
            assert_eq!(private.decrypt(&ciphertext).unwrap(), b"6222 0000 1234");
            assert_eq!(format!("{key:?}"), "V2RsaPublicKey(2048 bits)");
        }
    }

    #[test]
    fn other_pems_are_refused() {
        let e = V2RsaPublicKey::from_pem(PRIVATE).unwrap_err();
        assert!(e.to_string().contains("no `RSA PUBLIC KEY`"), "{e}");
        let e = V2RsaPublicKey::from_pem(
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("rejected"), "{e}");
    }
}
