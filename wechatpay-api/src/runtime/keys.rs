//! Key material: the merchant's private key, WeChat Pay's public keys and platform
//! certificates. All RSA work goes through aws-lc-rs (constant-time, maintained); none of
//! these types shows key material in `Debug`.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    KeyPair, OAEP_SHA1_MGF1SHA1, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    Pkcs1PrivateDecryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls_pki_types::pem::{PemObject, SectionKind};
use zeroize::Zeroizing;

use super::error::{ConfigItem, CryptoOperation, Error, RequestPart};

/// One decoded PEM section, in a buffer wiped on drop (the DER of a private key is the key).
type Section = (SectionKind, Zeroizing<Vec<u8>>);

/// The sections of a PEM text.
pub(crate) fn pem_sections(pem: &str, item: ConfigItem) -> Result<Vec<Section>, Error> {
    let mut reader = pem.as_bytes();
    let mut sections = Vec::new();
    loop {
        match rustls_pki_types::pem::from_buf(&mut reader) {
            Ok(Some((kind, der))) => sections.push((kind, Zeroizing::new(der))),
            Ok(None) => break,
            Err(e) => return Err(Error::config(item, format!("{item}: malformed PEM: {e}"))),
        }
    }
    if sections.is_empty() {
        return Err(Error::config(item, format!("{item}: no PEM section found")));
    }
    Ok(sections)
}

/// The merchant's API private key (`apiclient_key.pem`): signs requests and decrypts the
/// response fields WeChat Pay encrypts with the merchant certificate's public key. The PEM's
/// decoded DER is wiped once parsed; the parsed key lives in aws-lc, which wipes it when freed.
pub struct MerchantPrivateKey {
    signing: KeyPair,
    decrypting: OaepPrivateDecryptingKey,
    /// APIv2 answers (`getrealnameinfo`, `querymchrisk`) encrypt with PKCS#1 v1.5 padding.
    decrypting_pkcs1: Pkcs1PrivateDecryptingKey,
    rng: SystemRandom,
}

impl MerchantPrivateKey {
    /// Reads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, what WeChat Pay's tool writes)
    /// or PKCS#1 (`BEGIN RSA PRIVATE KEY`). The key must be RSA, 2048 bits or more.
    pub fn from_pem(pem: &str) -> Result<MerchantPrivateKey, Error> {
        for (kind, der) in pem_sections(pem, ConfigItem::MerchantPrivateKey)? {
            match kind {
                SectionKind::PrivateKey => return MerchantPrivateKey::from_pkcs8_der(&der),
                SectionKind::RsaPrivateKey => return MerchantPrivateKey::from_pkcs1_der(&der),
                _ => continue,
            }
        }
        Err(Error::config(
            ConfigItem::MerchantPrivateKey,
            "merchant private key: no `PRIVATE KEY` or `RSA PRIVATE KEY` PEM section",
        ))
    }

    /// Reads a DER PKCS#8 RSA private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<MerchantPrivateKey, Error> {
        let signing = KeyPair::from_pkcs8(der).map_err(|e| {
            Error::config(
                ConfigItem::MerchantPrivateKey,
                format!("merchant private key rejected: {e}"),
            )
        })?;
        let decrypting_pkcs1 = PrivateDecryptingKey::from_pkcs8(der)
            .ok()
            .and_then(|key| Pkcs1PrivateDecryptingKey::new(key).ok())
            .ok_or_else(|| {
                Error::config(
                    ConfigItem::MerchantPrivateKey,
                    "merchant private key cannot decrypt (PKCS#1 v1.5)",
                )
            })?;
        let decrypting = PrivateDecryptingKey::from_pkcs8(der)
            .ok()
            .and_then(|key| OaepPrivateDecryptingKey::new(key).ok())
            .ok_or_else(|| {
                Error::config(
                    ConfigItem::MerchantPrivateKey,
                    "merchant private key cannot decrypt (OAEP)",
                )
            })?;
        Ok(MerchantPrivateKey {
            signing,
            decrypting,
            decrypting_pkcs1,
            rng: SystemRandom::new(),
        })
    }

    /// Reads a DER PKCS#1 `RSAPrivateKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<MerchantPrivateKey, Error> {
        let key = KeyPair::from_der(der).map_err(|e| {
            Error::config(
                ConfigItem::MerchantPrivateKey,
                format!("merchant private key rejected: {e}"),
            )
        })?;
        let pkcs8 = key.as_der().map_err(|_| {
            Error::config(
                ConfigItem::MerchantPrivateKey,
                "merchant private key cannot be re-encoded",
            )
        })?;
        MerchantPrivateKey::from_pkcs8_der(pkcs8.as_ref())
    }

    /// SHA256withRSA (PKCS#1 v1.5) over `message`, base64 — deterministic for a given key.
    pub fn sign(&self, message: &[u8]) -> Result<String, Error> {
        let mut signature = vec![0u8; self.signing.public_modulus_len()];
        self.signing
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
            .map_err(|_| Error::crypto(CryptoOperation::Sign, "RSA signing failed"))?;
        Ok(BASE64.encode(signature))
    }

    /// Decrypts one base64 RSA-OAEP (SHA-1, MGF1-SHA-1) ciphertext encrypted with the
    /// merchant's public key.
    pub fn decrypt(&self, ciphertext_base64: &str) -> Result<Vec<u8>, Error> {
        let mut plain = oaep_decrypt(&self.decrypting, ciphertext_base64)?;
        Ok(std::mem::take(&mut *plain))
    }
}

impl MerchantPrivateKey {
    /// Decrypts one base64 RSA PKCS#1 v1.5 ciphertext encrypted with the merchant's public key
    /// (APIv2 answer fields), into a buffer wiped on drop.
    pub(crate) fn decrypt_pkcs1(
        &self,
        ciphertext_base64: &str,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let ciphertext = BASE64.decode(ciphertext_base64.trim()).map_err(|_| {
            Error::crypto(CryptoOperation::RsaPkcs1Decrypt, "ciphertext is not base64")
        })?;
        let key = &self.decrypting_pkcs1;
        let mut plaintext = Zeroizing::new(vec![0u8; key.min_output_size()]);
        let len = key
            .decrypt(&ciphertext, &mut plaintext)
            .map_err(|_| {
                Error::crypto(
                    CryptoOperation::RsaPkcs1Decrypt,
                    "RSA PKCS#1 v1.5 decryption failed (wrong key or data)",
                )
            })?
            .len();
        plaintext.truncate(len);
        Ok(plaintext)
    }
}

impl fmt::Debug for MerchantPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MerchantPrivateKey(<redacted>)")
    }
}

/// RSA-OAEP decryption into a buffer wiped on drop (the plaintext is never copied).
pub(crate) fn oaep_decrypt(
    key: &OaepPrivateDecryptingKey,
    ciphertext_base64: &str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let ciphertext = BASE64
        .decode(ciphertext_base64.trim())
        .map_err(|_| Error::crypto(CryptoOperation::RsaOaepDecrypt, "ciphertext is not base64"))?;
    let mut plaintext = Zeroizing::new(vec![0u8; key.min_output_size()]);
    let len = key
        .decrypt(&OAEP_SHA1_MGF1SHA1, &ciphertext, &mut plaintext, None)
        .map_err(|_| {
            Error::crypto(
                CryptoOperation::RsaOaepDecrypt,
                "RSA-OAEP decryption failed (wrong key or data)",
            )
        })?
        .len();
    plaintext.truncate(len);
    Ok(plaintext)
}

pub(crate) fn oaep_encrypt(
    key: &OaepPublicEncryptingKey,
    plaintext: &[u8],
) -> Result<String, Error> {
    let max = key.max_plaintext_size(&OAEP_SHA1_MGF1SHA1);
    if plaintext.len() > max {
        return Err(Error::request(
            RequestPart::EncryptedField,
            format!(
                "value of {} bytes is too long for RSA-OAEP (at most {max})",
                plaintext.len()
            ),
        ));
    }
    let mut ciphertext = vec![0u8; key.ciphertext_size()];
    let out = key
        .encrypt(&OAEP_SHA1_MGF1SHA1, plaintext, &mut ciphertext, None)
        .map_err(|_| {
            Error::crypto(
                CryptoOperation::RsaOaepEncrypt,
                "RSA-OAEP encryption failed",
            )
        })?;
    Ok(BASE64.encode(out))
}

/// Where a WeChat Pay key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// A WeChat Pay public key (`PUB_KEY_ID_…`).
    PublicKey,
    /// A platform certificate; `not_before` is its start of validity (Unix seconds).
    PlatformCertificate { not_before: i64, not_after: i64 },
}

/// One WeChat Pay key, named by the serial WeChat Pay puts in `Wechatpay-Serial`: verifies
/// answer and webhook signatures and encrypts sensitive request fields.
pub struct WechatpayKey {
    id: String,
    source: KeySource,
    verifying: ParsedPublicKey,
    encrypting: OaepPublicEncryptingKey,
}

impl WechatpayKey {
    /// A WeChat Pay public key: its id (`PUB_KEY_ID_…`) and its `BEGIN PUBLIC KEY` PEM.
    pub fn public_key(id: impl Into<String>, pem: &str) -> Result<WechatpayKey, Error> {
        let id = id.into();
        if id.is_empty() {
            return Err(Error::config(
                ConfigItem::WechatpayPublicKey,
                "WeChat Pay public key id is empty",
            ));
        }
        for (kind, der) in pem_sections(pem, ConfigItem::WechatpayPublicKey)? {
            if kind == SectionKind::PublicKey {
                return WechatpayKey::from_spki_der(id, KeySource::PublicKey, &der);
            }
        }
        Err(Error::config(
            ConfigItem::WechatpayPublicKey,
            format!("WeChat Pay public key {id}: no `PUBLIC KEY` PEM section"),
        ))
    }

    /// A WeChat Pay platform certificate (`BEGIN CERTIFICATE`); its id is the certificate's
    /// serial number in upper-case hex, as WeChat Pay sends it.
    pub fn platform_certificate(pem: &str) -> Result<WechatpayKey, Error> {
        let der =
            rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| {
                Error::config(
                    ConfigItem::PlatformCertificate,
                    format!("platform certificate: {e}"),
                )
            })?;
        WechatpayKey::platform_certificate_der(der.as_ref())
    }

    /// Every certificate of a PEM bundle (at least one), each named by its serial.
    pub fn platform_certificates(pem: &str) -> Result<Vec<WechatpayKey>, Error> {
        let keys = pem_sections(pem, ConfigItem::PlatformCertificate)?
            .into_iter()
            .filter(|(kind, _)| *kind == SectionKind::Certificate)
            .map(|(_, der)| WechatpayKey::platform_certificate_der(&der))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(Error::config(
                ConfigItem::PlatformCertificate,
                "platform certificate: no `CERTIFICATE` PEM section",
            ));
        }
        Ok(keys)
    }

    /// A DER platform certificate.
    pub fn platform_certificate_der(der: &[u8]) -> Result<WechatpayKey, Error> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| {
            Error::config(
                ConfigItem::PlatformCertificate,
                format!("platform certificate does not parse: {e}"),
            )
        })?;
        let serial = serial_hex(cert.raw_serial());
        let validity = cert.validity();
        let source = KeySource::PlatformCertificate {
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
        };
        WechatpayKey::from_spki_der(serial, source, cert.public_key().raw)
    }

    fn from_spki_der(id: String, source: KeySource, spki: &[u8]) -> Result<WechatpayKey, Error> {
        let item = match source {
            KeySource::PublicKey => ConfigItem::WechatpayPublicKey,
            KeySource::PlatformCertificate { .. } => ConfigItem::PlatformCertificate,
        };
        let verifying = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki)
            .map_err(|e| Error::config(item, format!("WeChat Pay key {id} rejected: {e}")))?;
        let encrypting = PublicEncryptingKey::from_der(spki)
            .ok()
            .and_then(|key| OaepPublicEncryptingKey::new(key).ok())
            .ok_or_else(|| {
                Error::config(item, format!("WeChat Pay key {id} cannot encrypt (OAEP)"))
            })?;
        Ok(WechatpayKey {
            id,
            source,
            verifying,
            encrypting,
        })
    }

    /// The key's serial: `PUB_KEY_ID_…` or the certificate serial.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn source(&self) -> KeySource {
        self.source
    }

    /// Checks a base64 SHA256withRSA signature over `message`.
    pub fn verify(&self, message: &[u8], signature_base64: &str) -> bool {
        let Ok(signature) = BASE64.decode(signature_base64.trim()) else {
            return false;
        };
        self.verifying.verify_sig(message, &signature).is_ok()
    }

    /// Encrypts a sensitive value: RSA-OAEP, SHA-1, MGF1-SHA-1, empty label, base64.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<String, Error> {
        oaep_encrypt(&self.encrypting, plaintext)
    }
}

impl fmt::Debug for WechatpayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatpayKey")
            .field("id", &self.id)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

pub(crate) fn serial_hex(raw: &[u8]) -> String {
    let mut raw = raw;
    while raw.len() > 1 && raw[0] == 0 {
        raw = &raw[1..];
    }
    raw.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pem_is_a_config_error() {
        for pem in [
            "",
            "not a pem",
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        ] {
            assert!(matches!(
                MerchantPrivateKey::from_pem(pem),
                Err(Error::Config(_))
            ));
            assert!(matches!(
                WechatpayKey::public_key("PUB_KEY_ID_1", pem),
                Err(Error::Config(_))
            ));
            assert!(matches!(
                WechatpayKey::platform_certificate(pem),
                Err(Error::Config(_))
            ));
        }
    }

    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}

    const MERCHANT_KEY: &str = include_str!("../testing/keys/merchant_private_key.pem");
    const MERCHANT_PUBLIC_KEY: &str = include_str!("../testing/keys/merchant_public_key.pem");

    #[test]
    fn decoded_key_and_plaintext_buffers_are_wiped() {
        // The DER bytes decoded from the merchant key's PEM.
        let sections = pem_sections(MERCHANT_KEY, ConfigItem::MerchantPrivateKey).unwrap();
        for (_, der) in &sections {
            wiped_on_drop(der);
        }
        // The RSA-OAEP output buffer of a decrypted field.
        let key = MerchantPrivateKey::from_pem(MERCHANT_KEY).unwrap();
        let public = WechatpayKey::public_key("merchant", MERCHANT_PUBLIC_KEY).unwrap();
        let ciphertext = public.encrypt(b"13800138000").unwrap();
        let plain = oaep_decrypt(&key.decrypting, &ciphertext).unwrap();
        wiped_on_drop(&plain);
        assert_eq!(plain.as_slice(), b"13800138000");
        assert_eq!(key.decrypt(&ciphertext).unwrap(), b"13800138000");
    }

    #[test]
    fn serial_is_upper_hex_without_sign_byte() {
        assert_eq!(serial_hex(&[0x00, 0x9a, 0x01]), "9A01");
        assert_eq!(serial_hex(&[0x00]), "00");
    }
}
