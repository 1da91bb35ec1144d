//! The merchant's API client certificate, presented in the TLS handshake (mutual TLS).
//!
//! APIv2 operations the docs mark as needing the certificate (refunds, red packets,
//! transfers to balance…) are refused by WeChat Pay unless the connection presents the
//! merchant's API certificate (`apiclient_cert.pem`) and proves it holds its private key
//! (`apiclient_key.pem`). APIv3 never needs it: there the same key signs each request.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls_pki_types::pem::SectionKind;
use zeroize::Zeroizing;

use super::beijing_time::date;
use super::error::{ConfigItem, Error};
use super::keys::{pem_sections, serial_hex};
use super::verify::unix_now;

/// A certificate this close to its end is reported (`tracing` warning) when it is read.
const EXPIRY_WARNING_SECS: i64 = 30 * 24 * 60 * 60;

/// The merchant's API client certificate and its private key, for the TLS handshake of
/// APIv2 operations that require it. Give it to
/// [`ClientBuilder::client_certificate`](super::ClientBuilder::client_certificate).
///
/// Built from the two PEM files the merchant platform's certificate tool writes:
///
/// ```no_run
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use wechatpay_api::runtime::{Client, ClientCertificate};
///
/// let cert_pem = std::fs::read_to_string("apiclient_cert.pem")?;
/// let key_pem = std::fs::read_to_string("apiclient_key.pem")?;
/// let certificate = ClientCertificate::from_pem(&cert_pem, &key_pem)?;
/// let client = Client::builder()
///     .merchant("1900000001", certificate.serial(), &key_pem)
///     # .wechatpay_public_key("PUB_KEY_ID_…", &key_pem)
///     .client_certificate(certificate)
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
///
/// The private key is the one requests are signed with (`apiclient_key.pem`), so the same
/// PEM serves [`ClientBuilder::merchant`](super::ClientBuilder::merchant) and this type.
///
/// **`apiclient_cert.p12`.** Older merchant accounts were issued a PKCS#12 file (password:
/// the merchant id) instead of, or besides, the PEM files. This crate does not read PKCS#12:
/// the pure-Rust reader that handles the legacy RC2/3DES encryption those files use
/// (`p12-keystore`) depends on pre-release RustCrypto crates, which a payments library
/// should not ship. Convert the file once with OpenSSL:
///
/// ```text
/// openssl pkcs12 -in apiclient_cert.p12 -clcerts -nokeys -out apiclient_cert.pem -passin pass:MCHID
/// openssl pkcs12 -in apiclient_cert.p12 -nocerts -nodes -out apiclient_key.pem -passin pass:MCHID
/// ```
///
/// (OpenSSL 3 needs `-legacy` to open RC2-encrypted files.) Keep the key file private.
///
/// **Checks.** [`from_pem`](Self::from_pem) refuses, with an error naming the problem
/// ([`ConfigItem::ClientCertificate`]): a certificate PEM without a parseable X.509
/// certificate; a key PEM without an RSA private key (PKCS#8 `PRIVATE KEY` or PKCS#1
/// `RSA PRIVATE KEY`); a key that is not the certificate's; and a certificate outside its
/// validity period (expired, or not yet valid). An expired certificate is an error rather
/// than a warning because WeChat Pay refuses it in the handshake anyway: failing when the
/// client is configured names the cause instead of a TLS error on the first refund. A
/// certificate within 30 days of its end is accepted and reported as a `tracing` warning;
/// [`not_after`](Self::not_after) lets an application watch it.
///
/// **Secrets.** `Debug` shows the subject, serial and validity, never the key. The key's
/// DER bytes held here, and the PEM text handed to the TLS library when a pool is built, are
/// wiped when dropped. The TLS library keeps its own parsed key (in aws-lc, which wipes it
/// when freed) for the life of the pool; copies it makes while loading the key are outside
/// this crate's control.
#[derive(Clone)]
pub struct ClientCertificate {
    /// The certificate first, then any intermediates, as DER.
    chain: Vec<Vec<u8>>,
    /// The private key as PKCS#8 DER (a PKCS#1 key is re-encoded).
    key_pkcs8: Zeroizing<Vec<u8>>,
    serial: String,
    subject: String,
    not_before: i64,
    not_after: i64,
}

impl ClientCertificate {
    /// Reads the certificate (`apiclient_cert.pem`: the merchant certificate first, then any
    /// intermediate certificates) and its RSA private key (`apiclient_key.pem`, PKCS#8 or
    /// PKCS#1), and checks that they belong together and that the certificate is valid now.
    pub fn from_pem(certificate_pem: &str, private_key_pem: &str) -> Result<Self, Error> {
        let chain: Vec<Vec<u8>> = pem_sections(certificate_pem, ConfigItem::ClientCertificate)
            .map_err(|_| problem("the certificate PEM is not PEM (expected `BEGIN CERTIFICATE`)"))?
            .into_iter()
            .filter(|(kind, _)| *kind == SectionKind::Certificate)
            .map(|(_, der)| der.to_vec())
            .collect();
        let Some(leaf) = chain.first() else {
            return Err(problem(
                "the certificate PEM holds no `BEGIN CERTIFICATE` section (is it the key file?)",
            ));
        };
        let (_, certificate) = x509_parser::parse_x509_certificate(leaf)
            .map_err(|e| problem(format!("the certificate is not an X.509 certificate: {e}")))?;
        let certificate_key = certificate.public_key().subject_public_key.data.to_vec();
        let serial = serial_hex(certificate.raw_serial());
        let subject = certificate.subject().to_string();
        let validity = certificate.validity();
        let (not_before, not_after) = (
            validity.not_before.timestamp(),
            validity.not_after.timestamp(),
        );
        for extra in &chain[1..] {
            x509_parser::parse_x509_certificate(extra).map_err(|e| {
                problem(format!(
                    "a certificate after the first in the certificate PEM is not an X.509 \
                     certificate: {e}"
                ))
            })?;
        }

        let (key_pkcs8, key) = private_key(private_key_pem)?;
        if key.public_key().as_ref() != certificate_key.as_slice() {
            return Err(problem(format!(
                "the private key does not match the certificate (serial {serial}): give the \
                 apiclient_key.pem issued with this apiclient_cert.pem"
            )));
        }

        let now = unix_now();
        if now > not_after {
            return Err(problem(format!(
                "the certificate (serial {serial}) expired on {} (Beijing time): renew the API \
                 certificate on the merchant platform",
                date(not_after)
            )));
        }
        if now < not_before {
            return Err(problem(format!(
                "the certificate (serial {serial}) is not valid before {} (Beijing time)",
                date(not_before)
            )));
        }
        if not_after - now < EXPIRY_WARNING_SECS {
            tracing::warn!(
                serial = %serial,
                expires = %date(not_after),
                "the merchant API client certificate expires within 30 days: renew it on the \
                 merchant platform"
            );
        }
        Ok(ClientCertificate {
            chain,
            key_pkcs8,
            serial,
            subject,
            not_before,
            not_after,
        })
    }

    /// The certificate's serial number, upper-case hex without leading zero bytes: the
    /// merchant serial (`serial_no`) APIv3 requests name.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The certificate's subject (`CN=1900000001, O=…`): WeChat Pay puts the merchant id in
    /// the common name.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Start of the certificate's validity (Unix seconds).
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// End of the certificate's validity (Unix seconds).
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// The TLS identity for the HTTP library: certificates and key as PEM, in buffers wiped
    /// once the library has parsed them.
    pub(crate) fn identity(&self) -> Result<reqwest::Identity, Error> {
        reqwest::Identity::from_pem(self.identity_pem().as_bytes()).map_err(|e| {
            problem(format!(
                "the TLS library refused the certificate and key: {}",
                e.without_url()
            ))
        })
    }

    /// The certificates and the key as one PEM text.
    fn identity_pem(&self) -> Zeroizing<String> {
        let mut pem = Zeroizing::new(String::with_capacity(self.pem_capacity()));
        for der in &self.chain {
            push_pem(&mut pem, "CERTIFICATE", der);
        }
        push_pem(&mut pem, "PRIVATE KEY", &self.key_pkcs8);
        pem
    }

    /// Room for the whole PEM text, so that it is never reallocated (a reallocation would
    /// leave a copy of the key behind).
    fn pem_capacity(&self) -> usize {
        let section = |len: usize| len.div_ceil(3) * 4 + len / 48 + 80;
        self.chain
            .iter()
            .map(|der| section(der.len()))
            .sum::<usize>()
            + section(self.key_pkcs8.len())
    }
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("serial", &self.serial)
            .field("subject", &self.subject)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("chain_len", &self.chain.len())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

fn problem(message: impl fmt::Display) -> Error {
    Error::config(
        ConfigItem::ClientCertificate,
        format!("client certificate: {message}"),
    )
}

/// The RSA private key of a PEM: as PKCS#8 DER (wiped on drop) and parsed.
fn private_key(pem: &str) -> Result<(Zeroizing<Vec<u8>>, KeyPair), Error> {
    let sections = pem_sections(pem, ConfigItem::ClientCertificate)
        .map_err(|_| problem("the private key PEM is not PEM (expected `BEGIN PRIVATE KEY`)"))?;
    for (kind, der) in sections {
        match kind {
            SectionKind::PrivateKey => {
                let key = KeyPair::from_pkcs8(&der).map_err(|e| {
                    problem(format!("the private key is not an RSA PKCS#8 key: {e}"))
                })?;
                return Ok((der, key));
            }
            SectionKind::RsaPrivateKey => {
                let key = KeyPair::from_der(&der).map_err(|e| {
                    problem(format!("the private key is not an RSA PKCS#1 key: {e}"))
                })?;
                let pkcs8 = key
                    .as_der()
                    .map_err(|_| problem("the private key cannot be re-encoded as PKCS#8"))?;
                return Ok((Zeroizing::new(pkcs8.as_ref().to_vec()), key));
            }
            SectionKind::EcPrivateKey => {
                return Err(problem(
                    "the private key is an EC key; WeChat Pay merchant certificates are RSA",
                ));
            }
            _ => continue,
        }
    }
    Err(problem(
        "the private key PEM holds no `BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY` section \
         (is it the certificate file?)",
    ))
}

/// Appends one PEM section, its base64 in 64-character lines.
fn push_pem(out: &mut String, label: &str, der: &[u8]) {
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    // 48 bytes make one 64-character line.
    for chunk in der.chunks(48) {
        BASE64.encode_string(chunk, out);
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
}

#[cfg(all(test, feature = "test-server"))]
mod tests {
    use crate::testing::{keys, tls::TestCa};

    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}

    #[test]
    fn the_key_is_wiped_on_drop_and_never_shown() {
        let certificate = TestCa::new("unit test CA")
            .unwrap()
            .issue_client_certificate(
                keys::MERCHANT_ID,
                keys::MERCHANT_SERIAL,
                keys::MERCHANT_PUBLIC_KEY_PEM,
            )
            .unwrap()
            .client_certificate(keys::MERCHANT_PRIVATE_KEY_PEM)
            .unwrap();
        wiped_on_drop(&certificate.key_pkcs8);
        let debug = format!("{certificate:?}");
        let key_line = keys::MERCHANT_PRIVATE_KEY_PEM.lines().nth(1).unwrap();
        assert!(!debug.contains(key_line), "{debug}");
        assert!(debug.contains(keys::MERCHANT_SERIAL), "{debug}");
        // The identity built from it is accepted by the TLS library.
        certificate.identity().unwrap();
    }

    #[test]
    fn the_pem_text_is_never_reallocated() {
        let certificate = TestCa::new("unit test CA")
            .unwrap()
            .issue_client_certificate(
                keys::MERCHANT_ID,
                keys::MERCHANT_SERIAL,
                keys::MERCHANT_PUBLIC_KEY_PEM,
            )
            .unwrap()
            .client_certificate(keys::MERCHANT_PRIVATE_KEY_PEM)
            .unwrap();
        let pem = certificate.identity_pem();
        // A reallocation would have grown the capacity past the room asked for.
        assert_eq!(pem.capacity(), certificate.pem_capacity());
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
    }
}
