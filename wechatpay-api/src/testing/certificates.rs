//! Platform certificates minted on demand, for tests of certificate download and rotation.
//!
//! [`mint_platform_certificate`] issues a self-signed X.509 certificate (SHA256withRSA) for
//! an RSA private key, with the serial and validity window a test asks for.
//! [`PlatformCertificate`] pairs a certificate with its private key: it is what a
//! [`TestServer`](super::TestServer) serves at `GET /v3/certificates` and signs answers with.
//!
//! ```
//! use wechatpay_api::runtime::{KeySource, WechatpayKey};
//! use wechatpay_api::testing::certificates::PlatformCertificate;
//! use wechatpay_api::testing::keys;
//!
//! let next = PlatformCertificate::mint(
//!     keys::WECHATPAY_PRIVATE_KEY_PEM,
//!     "3775B6A45ACD588826D15E583A95F5DD5A3E3C12",
//!     1_767_225_600, // 2026-01-01T00:00:00Z
//!     1_924_992_000, // 2031-01-01T00:00:00Z
//! )?;
//! let key = WechatpayKey::platform_certificate(next.certificate_pem())?;
//! assert_eq!(key.id(), "3775B6A45ACD588826D15E583A95F5DD5A3E3C12");
//! assert_eq!(
//!     key.source(),
//!     KeySource::PlatformCertificate { not_before: 1_767_225_600, not_after: 1_924_992_000 }
//! );
//! # Ok::<(), wechatpay_api::runtime::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_RSA_SHA256, SerialNumber};
use time::OffsetDateTime;

use crate::runtime::error::{ConfigItem, Error};
use crate::runtime::keys::{KeySource, MerchantPrivateKey, WechatpayKey};

/// The subject (and, self-signed, the issuer) of minted certificates.
const SUBJECT: [(DnType, &str); 4] = [
    (DnType::CountryName, "CN"),
    (DnType::OrganizationName, "wechatpay-rs test"),
    (DnType::OrganizationalUnitName, "test platform certificate"),
    (DnType::CommonName, "Tenpay.com sign (test)"),
];

/// Issues a self-signed X.509 v3 platform certificate (PEM), signed SHA256withRSA by
/// `private_key_pem` (an RSA key, PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
///
/// `serial_hex` is the serial as WeChat Pay writes it (hex, usually 40 digits; either
/// case). The certificate's serial is that number, so [`WechatpayKey::platform_certificate`]
/// reads it back as [`canonical_serial`]`(serial_hex)`: upper-case, without leading `00`
/// bytes. At most 20 bytes (RFC 5280), and not zero.
///
/// `not_before` and `not_after` are Unix seconds, between year 0 and year 9999 (UTC). They
/// are written as they are: a window that ends before it starts is a test's business.
pub fn mint_platform_certificate(
    private_key_pem: &str,
    serial_hex: &str,
    not_before: i64,
    not_after: i64,
) -> Result<String, Error> {
    let serial = serial_bytes(serial_hex)?;
    let key = KeyPair::from_pem_and_sign_algo(private_key_pem, &PKCS_RSA_SHA256).map_err(|e| {
        Error::config(
            ConfigItem::PlatformCertificate,
            format!("certificate key: not an RSA private key PEM: {e}"),
        )
    })?;
    let mut params = CertificateParams::default();
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    params.not_before = validity_time(not_before)?;
    params.not_after = validity_time(not_after)?;
    let mut subject = DistinguishedName::new();
    for (kind, value) in SUBJECT {
        subject.push(kind, value);
    }
    params.distinguished_name = subject;
    let certificate = params.self_signed(&key).map_err(|e| {
        Error::config(
            ConfigItem::PlatformCertificate,
            format!("certificate cannot be issued: {e}"),
        )
    })?;
    Ok(certificate.pem())
}

/// The serial the runtime reads from a certificate minted with `serial_hex`: upper-case
/// hex without leading `00` bytes (an odd number of digits is read as if led by a `0`).
pub fn canonical_serial(serial_hex: &str) -> Result<String, Error> {
    Ok(serial_bytes(serial_hex)?
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect())
}

/// The serial's bytes, big-endian, without leading zero bytes.
pub(crate) fn serial_bytes(serial_hex: &str) -> Result<Vec<u8>, Error> {
    let digits = serial_hex.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::config(
            ConfigItem::PlatformCertificate,
            format!("certificate serial `{serial_hex}` is not hex"),
        ));
    }
    let padded = if digits.len() % 2 == 1 {
        format!("0{digits}")
    } else {
        digits.to_owned()
    };
    let mut bytes = Vec::with_capacity(padded.len() / 2);
    for pair in padded.as_bytes().chunks(2) {
        let text = std::str::from_utf8(pair).unwrap_or("");
        let byte = u8::from_str_radix(text, 16).map_err(|_| {
            Error::config(
                ConfigItem::PlatformCertificate,
                format!("certificate serial `{serial_hex}` is not hex"),
            )
        })?;
        bytes.push(byte);
    }
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.drain(..first);
    if bytes.is_empty() {
        return Err(Error::config(
            ConfigItem::PlatformCertificate,
            "certificate serial must not be zero",
        ));
    }
    if bytes.len() > 20 {
        return Err(Error::config(
            ConfigItem::PlatformCertificate,
            format!("certificate serial `{serial_hex}` is longer than 20 bytes"),
        ));
    }
    Ok(bytes)
}

fn validity_time(unix: i64) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .filter(|time| (0..=9999).contains(&time.year()))
        .ok_or_else(|| {
            Error::config(
                ConfigItem::PlatformCertificate,
                format!("certificate validity {unix} is outside the years 0 to 9999"),
            )
        })
}

/// A platform certificate and its private key, checked to belong together: what a
/// [`TestServer`](super::TestServer) serves at `GET /v3/certificates` (encrypted with its
/// APIv3 key) and can sign answers and notifications with. Cheap to clone; `Debug` shows
/// the serial and validity, never the key.
#[derive(Clone)]
pub struct PlatformCertificate {
    inner: Arc<Inner>,
}

struct Inner {
    serial: String,
    not_before: i64,
    not_after: i64,
    certificate_pem: String,
    private_key_pem: String,
    private_key: Arc<MerchantPrivateKey>,
}

impl PlatformCertificate {
    /// A certificate PEM and its private key PEM. The serial and validity are read from the
    /// certificate (as [`WechatpayKey::platform_certificate`] reads them); the private key
    /// must be the certificate's (checked by signing and verifying a message).
    pub fn new(certificate_pem: &str, private_key_pem: &str) -> Result<PlatformCertificate, Error> {
        let public = WechatpayKey::platform_certificate(certificate_pem)?;
        let private_key = MerchantPrivateKey::from_pem(private_key_pem)?;
        let probe = b"wechatpay-rs test server: does this key belong to this certificate?";
        if !public.verify(probe, &private_key.sign(probe)?) {
            return Err(Error::config(
                ConfigItem::PlatformCertificate,
                format!(
                    "platform certificate {}: the private key is not the certificate's",
                    public.id()
                ),
            ));
        }
        let (not_before, not_after) = match public.source() {
            KeySource::PlatformCertificate {
                not_before,
                not_after,
            } => (not_before, not_after),
            KeySource::PublicKey => (0, 0),
        };
        Ok(PlatformCertificate {
            inner: Arc::new(Inner {
                serial: public.id().to_owned(),
                not_before,
                not_after,
                certificate_pem: certificate_pem.to_owned(),
                private_key_pem: private_key_pem.to_owned(),
                private_key: Arc::new(private_key),
            }),
        })
    }

    /// Mints a certificate for `private_key_pem` ([`mint_platform_certificate`]) and pairs
    /// them.
    pub fn mint(
        private_key_pem: &str,
        serial_hex: &str,
        not_before: i64,
        not_after: i64,
    ) -> Result<PlatformCertificate, Error> {
        let pem = mint_platform_certificate(private_key_pem, serial_hex, not_before, not_after)?;
        PlatformCertificate::new(&pem, private_key_pem)
    }

    /// The serial, as the runtime reads it and WeChat Pay writes it (`serial_no`,
    /// `Wechatpay-Serial`): upper-case hex.
    pub fn serial(&self) -> &str {
        &self.inner.serial
    }

    /// Start of validity, Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.inner.not_before
    }

    /// End of validity, Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.inner.not_after
    }

    /// The certificate, PEM (`BEGIN CERTIFICATE`): what `/v3/certificates` encrypts.
    pub fn certificate_pem(&self) -> &str {
        &self.inner.certificate_pem
    }

    /// The private key PEM, as given.
    pub fn private_key_pem(&self) -> &str {
        &self.inner.private_key_pem
    }

    /// The certificate as a client loads it.
    pub fn wechatpay_key(&self) -> Result<WechatpayKey, Error> {
        WechatpayKey::platform_certificate(&self.inner.certificate_pem)
    }

    pub(crate) fn private_key(&self) -> Arc<MerchantPrivateKey> {
        self.inner.private_key.clone()
    }
}

impl fmt::Debug for PlatformCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformCertificate")
            .field("serial", &self.inner.serial)
            .field("not_before", &self.inner.not_before)
            .field("not_after", &self.inner.not_after)
            .finish_non_exhaustive()
    }
}

impl PartialEq for PlatformCertificate {
    /// Same certificate and same private key text.
    fn eq(&self, other: &Self) -> bool {
        self.inner.certificate_pem == other.inner.certificate_pem
            && self.inner.private_key_pem == other.inner.private_key_pem
    }
}

impl Eq for PlatformCertificate {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::keys;

    #[test]
    fn serials_are_read_as_the_runtime_reads_them() {
        assert_eq!(canonical_serial("00ab").unwrap(), "AB");
        assert_eq!(canonical_serial("abc").unwrap(), "0ABC");
        assert_eq!(canonical_serial("0A12").unwrap(), "0A12");
        assert_eq!(canonical_serial(&"F".repeat(40)).unwrap(), "F".repeat(40));
        for bad in ["", "xyz", "00", "0x12", &"1".repeat(42), "é1"] {
            assert!(
                matches!(canonical_serial(bad), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let serial = "3775B6A45ACD588826D15E583A95F5DD5A3E3C12";
        let key = keys::WECHATPAY_PRIVATE_KEY_PEM;
        for (key, serial, not_before, not_after) in [
            ("not a key", serial, 0, 1),
            (keys::WECHATPAY_PUBLIC_KEY_PEM, serial, 0, 1),
            (key, "nothex", 0, 1),
            (key, serial, i64::MIN, 1),
            (key, serial, 0, i64::MAX),
            (key, serial, -62_167_219_201, 1), // one second before year 0
            (key, serial, 0, 253_402_300_800), // year 10000
        ] {
            assert!(
                mint_platform_certificate(key, serial, not_before, not_after).is_err(),
                "{serial} {not_before} {not_after}"
            );
        }
        // Year 0 and the last second of year 9999 are written (as GeneralizedTime).
        let pem = mint_platform_certificate(key, serial, -62_167_219_200, 253_402_300_799).unwrap();
        let source = WechatpayKey::platform_certificate(&pem).unwrap().source();
        assert_eq!(
            source,
            KeySource::PlatformCertificate {
                not_before: -62_167_219_200,
                not_after: 253_402_300_799
            }
        );
    }

    #[test]
    fn a_key_that_is_not_the_certificates_is_refused() {
        let result = PlatformCertificate::new(
            keys::PLATFORM_CERTIFICATE_PEM,
            keys::WECHATPAY_PRIVATE_KEY_PEM,
        );
        assert!(
            matches!(result, Err(Error::Config(m)) if m.message.contains("not the certificate's"))
        );
        let ok = PlatformCertificate::new(
            keys::PLATFORM_CERTIFICATE_PEM,
            keys::PLATFORM_PRIVATE_KEY_PEM,
        )
        .unwrap();
        assert_eq!(ok.serial(), keys::PLATFORM_SERIAL);
        assert!(!format!("{ok:?}").contains("PRIVATE"));
    }
}
