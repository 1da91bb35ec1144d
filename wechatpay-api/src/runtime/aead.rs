//! AEAD_AES_256_GCM with the APIv3 key: webhook `resource` and `/v3/certificates` payloads.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::error::{ConfigItem, CryptoOperation, Error};

/// The 32-byte APIv3 key set in the merchant platform. Never shown by `Debug`; wiped from
/// memory when dropped (every clone too).
#[derive(Clone)]
pub struct ApiV3Key([u8; 32]);

impl Zeroize for ApiV3Key {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for ApiV3Key {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for ApiV3Key {}

impl ApiV3Key {
    /// The key as configured (32 ASCII characters).
    pub fn new(key: impl AsRef<[u8]>) -> Result<ApiV3Key, Error> {
        let key = key.as_ref();
        if key.len() != 32 {
            return Err(Error::config(
                ConfigItem::ApiV3Key,
                "the APIv3 key must be exactly 32 bytes",
            ));
        }
        let mut out = ApiV3Key([0; 32]);
        out.0.copy_from_slice(key);
        Ok(out)
    }

    fn key(&self, operation: CryptoOperation) -> Result<LessSafeKey, Error> {
        UnboundKey::new(&AES_256_GCM, &self.0)
            .map(LessSafeKey::new)
            .map_err(|_| Error::crypto(operation, "AES-256-GCM key rejected"))
    }

    /// Decrypts `ciphertext` (base64 of ciphertext + 16-byte tag) with `nonce` (12 bytes) and
    /// `associated_data`.
    pub fn decrypt(
        &self,
        nonce: &str,
        associated_data: &str,
        ciphertext_base64: &str,
    ) -> Result<Vec<u8>, Error> {
        let mut plain = self.open(nonce, associated_data, ciphertext_base64)?;
        Ok(std::mem::take(&mut *plain))
    }

    /// [`decrypt`](Self::decrypt) into a buffer wiped on drop: the plaintext is never copied,
    /// and a failed decryption leaves nothing behind.
    pub(crate) fn open(
        &self,
        nonce: &str,
        associated_data: &str,
        ciphertext_base64: &str,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let nonce = nonce_of(nonce, CryptoOperation::AesGcmDecrypt)?;
        let mut in_out = Zeroizing::new(BASE64.decode(ciphertext_base64.trim()).map_err(|_| {
            Error::crypto(
                CryptoOperation::AesGcmDecrypt,
                "AES-GCM ciphertext is not base64",
            )
        })?);
        let len = self
            .key(CryptoOperation::AesGcmDecrypt)?
            .open_in_place(nonce, Aad::from(associated_data.as_bytes()), &mut in_out)
            .map_err(|_| {
                Error::crypto(
                    CryptoOperation::AesGcmDecrypt,
                    "AES-GCM authentication failed (wrong APIv3 key or data)",
                )
            })?
            .len();
        in_out.truncate(len);
        Ok(in_out)
    }

    /// Encrypts `plaintext` the way WeChat Pay does; returns base64 of ciphertext + tag.
    pub fn encrypt(
        &self,
        nonce: &str,
        associated_data: &str,
        plaintext: &[u8],
    ) -> Result<String, Error> {
        let nonce = nonce_of(nonce, CryptoOperation::AesGcmEncrypt)?;
        // Room for the tag up front: appending it never moves (and leaves behind) a copy; the
        // buffer is wiped if sealing fails with the plaintext still in it.
        let mut in_out = Zeroizing::new(Vec::with_capacity(plaintext.len() + 16));
        in_out.extend_from_slice(plaintext);
        self.key(CryptoOperation::AesGcmEncrypt)?
            .seal_in_place_append_tag(nonce, Aad::from(associated_data.as_bytes()), &mut *in_out)
            .map_err(|_| {
                Error::crypto(CryptoOperation::AesGcmEncrypt, "AES-GCM encryption failed")
            })?;
        Ok(BASE64.encode(&*in_out))
    }
}

fn nonce_of(nonce: &str, operation: CryptoOperation) -> Result<Nonce, Error> {
    let bytes: [u8; NONCE_LEN] = nonce
        .as_bytes()
        .try_into()
        .map_err(|_| Error::crypto(operation, "AES-GCM nonce must be 12 bytes"))?;
    Ok(Nonce::assume_unique_for_key(bytes))
}

impl fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV3Key(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

    #[test]
    fn design_vector_encrypts_and_decrypts() {
        let key = ApiV3Key::new(KEY).unwrap();
        assert_eq!(
            key.encrypt("uluk4a9R25RW", "associatedData", b"message")
                .unwrap(),
            "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="
        );
        assert_eq!(
            key.decrypt(
                "uluk4a9R25RW",
                "associatedData",
                "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="
            )
            .unwrap(),
            b"message"
        );
    }

    #[test]
    fn tampering_and_bad_input_are_errors() {
        let key = ApiV3Key::new(KEY).unwrap();
        for (nonce, aad, ct) in [
            (
                "uluk4a9R25RW",
                "associatedDatA",
                "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
            ),
            (
                "uluk4a9R25RX",
                "associatedData",
                "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
            ),
            (
                "uluk4a9R25RW",
                "associatedData",
                "vlwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
            ),
            (
                "short",
                "associatedData",
                "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
            ),
            ("uluk4a9R25RW", "associatedData", "%%%"),
            ("uluk4a9R25RW", "associatedData", ""),
        ] {
            assert!(matches!(key.decrypt(nonce, aad, ct), Err(Error::Crypto(_))));
        }
        assert!(matches!(ApiV3Key::new("short"), Err(Error::Config(_))));
        assert_eq!(format!("{key:?}"), "ApiV3Key(<redacted>)");
    }

    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}

    #[test]
    fn the_key_and_the_plaintext_buffer_are_wiped() {
        let mut key = ApiV3Key::new(KEY).unwrap();
        wiped_on_drop(&key);
        let plain = key
            .open(
                "uluk4a9R25RW",
                "associatedData",
                "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
            )
            .unwrap();
        wiped_on_drop(&plain);
        assert_eq!(plain.as_slice(), b"message");
        // What drop does: every key byte zero.
        zeroize::Zeroize::zeroize(&mut key);
        assert_eq!(key.0, [0u8; 32]);
    }
}
