//! `req_info` of APIv2 refund notifications: base64 of AES-256-ECB with PKCS#7 padding, keyed
//! with the lower-case hex MD5 of the APIv2 key (its 32 ASCII hex characters are the 256-bit
//! key). The plaintext is a flat `<root>…</root>` XML document.
//!
//! ECB is unauthenticated: a changed ciphertext decrypts to other bytes without any error, so
//! the padding and the XML that comes out are the only signs that the sender knew the key.
//! Callers must not move money on a refund notification alone: query the refund first.
//!
//! AES comes from aws-lc-rs (already the crate's crypto library): its
//! `cipher::DecryptingKey::ecb` / `EncryptingKey::ecb` run raw ECB over whole blocks; padding
//! is checked here so that a bad length and bad padding are told apart.

use std::fmt;

use aws_lc_rs::cipher::{
    AES_256, DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext, UnboundCipherKey,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::{Digest as _, Md5};
use zeroize::Zeroizing;

use super::sign::ApiV2Key;

/// The AES block size.
pub const BLOCK_LEN: usize = 16;

/// Why `req_info` did not decrypt. Never carries ciphertext or plaintext bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReqInfoError {
    /// Not standard base64.
    Base64,
    /// The decoded ciphertext is empty or its length is not a multiple of 16 bytes.
    Length { bytes: usize },
    /// The last block does not end in PKCS#7 padding (a wrong APIv2 key, or a changed
    /// ciphertext).
    Padding,
    /// The AES implementation refused the key or the data.
    Cipher,
}

impl fmt::Display for ReqInfoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReqInfoError::Base64 => f.write_str("`req_info` is not base64"),
            ReqInfoError::Length { bytes } => write!(
                f,
                "`req_info` ciphertext of {bytes} bytes is not a positive multiple of {BLOCK_LEN}"
            ),
            ReqInfoError::Padding => f.write_str(
                "`req_info` does not end in PKCS#7 padding once decrypted (wrong APIv2 key or changed ciphertext)",
            ),
            ReqInfoError::Cipher => f.write_str("AES-256-ECB refused the key or the data"),
        }
    }
}

impl std::error::Error for ReqInfoError {}

/// The AES-256 key of `req_info`: the 32 ASCII bytes of the lower-case hex MD5 of the APIv2
/// key. Wiped on drop.
fn cipher_key(key: &ApiV2Key) -> Zeroizing<[u8; 32]> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Zeroizing::new(<[u8; 16]>::from(Md5::digest(key.as_bytes())));
    let mut out = Zeroizing::new([0u8; 32]);
    for (i, byte) in digest.iter().enumerate() {
        out[2 * i] = HEX[usize::from(byte >> 4)];
        out[2 * i + 1] = HEX[usize::from(byte & 0x0f)];
    }
    out
}

/// Decrypts `req_info` (base64) into its plaintext, in a buffer wiped on drop. Nothing of the
/// plaintext survives a failure.
pub fn decrypt(key: &ApiV2Key, req_info: &str) -> Result<Zeroizing<Vec<u8>>, ReqInfoError> {
    let mut data = Zeroizing::new(
        BASE64
            .decode(req_info.trim())
            .map_err(|_| ReqInfoError::Base64)?,
    );
    if data.is_empty() || data.len() % BLOCK_LEN != 0 {
        return Err(ReqInfoError::Length { bytes: data.len() });
    }
    let unbound =
        UnboundCipherKey::new(&AES_256, &*cipher_key(key)).map_err(|_| ReqInfoError::Cipher)?;
    let decrypting = DecryptingKey::ecb(unbound).map_err(|_| ReqInfoError::Cipher)?;
    decrypting
        .decrypt(&mut data, DecryptionContext::None)
        .map_err(|_| ReqInfoError::Cipher)?;
    let len = unpadded_len(&data).ok_or(ReqInfoError::Padding)?;
    data.truncate(len);
    Ok(data)
}

/// The length without PKCS#7 padding: the last byte `n` is 1..=16 and the last `n` bytes
/// all equal `n`. Every padding byte is looked at whatever the verdict.
fn unpadded_len(data: &[u8]) -> Option<usize> {
    let pad = *data.last()?;
    let n = usize::from(pad);
    if n == 0 || n > BLOCK_LEN || n > data.len() {
        return None;
    }
    let tail = &data[data.len() - BLOCK_LEN.min(data.len())..];
    let mut diff = 0u8;
    for (i, byte) in tail.iter().rev().enumerate() {
        if i < n {
            diff |= byte ^ pad;
        }
    }
    (diff == 0).then_some(data.len() - n)
}

/// Encrypts `plaintext` as WeChat Pay does (PKCS#7, AES-256-ECB, base64): the sender's side,
/// for the test server and tests.
pub fn encrypt(key: &ApiV2Key, plaintext: &[u8]) -> Result<String, ReqInfoError> {
    let pad = BLOCK_LEN - plaintext.len() % BLOCK_LEN;
    let mut data = Zeroizing::new(Vec::with_capacity(plaintext.len() + pad));
    data.extend_from_slice(plaintext);
    data.resize(plaintext.len() + pad, u8::try_from(pad).unwrap_or(0));
    let unbound =
        UnboundCipherKey::new(&AES_256, &*cipher_key(key)).map_err(|_| ReqInfoError::Cipher)?;
    let encrypting = EncryptingKey::ecb(unbound).map_err(|_| ReqInfoError::Cipher)?;
    encrypting
        .less_safe_encrypt(&mut data, EncryptionContext::None)
        .map_err(|_| ReqInfoError::Cipher)?;
    Ok(BASE64.encode(&*data))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    fn key() -> ApiV2Key {
        ApiV2Key::new(KEY).unwrap()
    }

    /// `printf %s 192006250b4c09247ec02edce69f6a2d | md5sum`.
    #[test]
    fn the_cipher_key_is_the_lower_hex_md5_of_the_apiv2_key() {
        assert_eq!(&*cipher_key(&key()), b"d96eb16afdd491fa1e705096edbc2205");
    }

    /// `printf '<root><refund_id>R1</refund_id></root>' | openssl enc -aes-256-ecb -K
    /// $(printf %s d96eb16afdd491fa1e705096edbc2205 | xxd -p -c 64) | base64 -w0`
    const VECTOR: &str = "4fMiDl0PUR5HfKwMuCzpjkUEAY83kU9oqX7k7QH4v/piLozCdYds5DTd3H5JKlqQ";

    #[test]
    fn known_answer_of_openssl() {
        let plain = decrypt(&key(), VECTOR).unwrap();
        assert_eq!(plain.as_slice(), b"<root><refund_id>R1</refund_id></root>");
        assert_eq!(
            encrypt(&key(), b"<root><refund_id>R1</refund_id></root>").unwrap(),
            VECTOR
        );
    }

    #[test]
    fn round_trips_every_padding_length() {
        for len in 0..=48 {
            let plain = vec![b'x'; len];
            let sealed = encrypt(&key(), &plain).unwrap();
            assert_eq!(decrypt(&key(), &sealed).unwrap().as_slice(), plain);
        }
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert_eq!(decrypt(&key(), "%%%"), Err(ReqInfoError::Base64));
        assert_eq!(decrypt(&key(), ""), Err(ReqInfoError::Length { bytes: 0 }));
        assert_eq!(
            decrypt(&key(), &BASE64.encode([0u8; 17])),
            Err(ReqInfoError::Length { bytes: 17 })
        );
        let other = ApiV2Key::new("a".repeat(32)).unwrap();
        // A wrong key almost always leaves no valid padding; this vector's does not.
        assert_eq!(decrypt(&other, VECTOR), Err(ReqInfoError::Padding));
    }

    #[test]
    fn padding_is_checked_byte_by_byte() {
        assert_eq!(
            unpadded_len(&[b'a'; 15].iter().copied().chain([1]).collect::<Vec<_>>()),
            Some(15)
        );
        let mut block = [16u8; 16];
        assert_eq!(unpadded_len(&block), Some(0));
        block[3] = 15;
        assert_eq!(unpadded_len(&block), None);
        let mut block = [b'a'; 16];
        block[14] = 3;
        block[15] = 3;
        assert_eq!(unpadded_len(&block), None);
        block[13] = 3;
        assert_eq!(unpadded_len(&block), Some(13));
        block[15] = 0;
        assert_eq!(unpadded_len(&block), None);
        block[15] = 17;
        assert_eq!(unpadded_len(&block), None);
    }
}
