//! TLS with client certificates for the test server, as WeChat Pay asks of the APIv2
//! operations that need the merchant's API certificate.
//!
//! [`TestCa`] mints, with rcgen, a certificate authority, the server certificate of a
//! [`TestServer`](super::TestServer) (for `127.0.0.1` and `localhost`) and merchant client
//! certificates ([`IssuedCertificate`]). A server started with
//! [`TestServerBuilder::tls_with_client_auth`](super::TestServerBuilder::tls_with_client_auth)
//! serves HTTPS and refuses, in the handshake, every connection that does not present a
//! client certificate issued by its CA; each [`RecordedRequest`](super::RecordedRequest)
//! names the certificate its connection presented ([`PresentedCertificate`]).
//!
//! ```
//! use wechatpay_api::testing::tls::TestCa;
//! use wechatpay_api::testing::keys;
//!
//! let ca = TestCa::new("another CA")?;
//! let issued = ca.issue_client_certificate(
//!     keys::MERCHANT_ID,
//!     keys::MERCHANT_SERIAL,
//!     keys::MERCHANT_PUBLIC_KEY_PEM,
//! )?;
//! assert_eq!(issued.serial(), keys::MERCHANT_SERIAL);
//! // With the merchant's private key, for `ClientBuilder::client_certificate`:
//! let certificate = issued.client_certificate(keys::MERCHANT_PRIVATE_KEY_PEM)?;
//! assert_eq!(certificate.serial(), keys::MERCHANT_SERIAL);
//! # Ok::<(), wechatpay_api::runtime::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, SerialNumber,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

use crate::runtime::client_certificate::ClientCertificate;
use crate::runtime::error::{ConfigItem, Error};
use crate::runtime::keys::serial_hex;

/// A certificate authority for tests: it issues the test server's certificate and merchant
/// client certificates. `Debug` shows its name only.
pub struct TestCa {
    name: String,
    issuer: Issuer<'static, KeyPair>,
    certificate_pem: String,
    certificate_der: CertificateDer<'static>,
}

impl fmt::Debug for TestCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestCa")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TestCa {
    /// A new CA (ECDSA P-256 key, valid from a day ago for ten years) named `name` (its
    /// common name).
    pub fn new(name: &str) -> Result<TestCa, Error> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
            .map_err(|e| problem(format!("CA key: {e}")))?;
        let mut params = CertificateParams::default();
        params.distinguished_name = names(&[
            (DnType::OrganizationName, "wechatpay-rs test"),
            (DnType::CommonName, name),
        ]);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        validity(&mut params, Duration::days(3650));
        let certificate = params
            .self_signed(&key)
            .map_err(|e| problem(format!("CA certificate: {e}")))?;
        Ok(TestCa {
            name: name.to_owned(),
            certificate_pem: certificate.pem(),
            certificate_der: certificate.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA's certificate (PEM), for
    /// [`ClientBuilder::add_root_certificate`](crate::runtime::ClientBuilder::add_root_certificate).
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// A merchant API client certificate for the RSA public key `public_key_pem` (SPKI,
    /// `BEGIN PUBLIC KEY`), as WeChat Pay issues them: `CN=<mchid>`, serial `serial_hex` (hex,
    /// at most 20 bytes), client authentication, valid from a day ago for a year.
    pub fn issue_client_certificate(
        &self,
        mchid: &str,
        serial_hex: &str,
        public_key_pem: &str,
    ) -> Result<IssuedCertificate, Error> {
        let serial = super::certificates::serial_bytes(serial_hex)?;
        let key = RsaPublicKey::from_pem(public_key_pem)?;
        let mut params = CertificateParams::default();
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        params.distinguished_name = names(&[
            (DnType::CountryName, "CN"),
            (DnType::OrganizationName, "wechatpay-rs test merchant"),
            (DnType::CommonName, mchid),
        ]);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        validity(&mut params, Duration::days(365));
        let certificate = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| problem(format!("client certificate: {e}")))?;
        let presented = PresentedCertificate::read(certificate.der())
            .ok_or_else(|| problem("the issued client certificate does not parse"))?;
        Ok(IssuedCertificate {
            certificate_pem: certificate.pem(),
            presented,
        })
    }

    /// The TLS configuration of a server with a certificate of this CA for `127.0.0.1` and
    /// `localhost`, which requires a client certificate issued by `client_ca`.
    pub(crate) fn server_config(&self, client_ca: &TestCa) -> Result<Arc<ServerConfig>, Error> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
            .map_err(|e| problem(format!("server key: {e}")))?;
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .map_err(|e| problem(format!("server certificate names: {e}")))?;
        params.distinguished_name = names(&[(DnType::CommonName, "wechatpay-rs test server")]);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        validity(&mut params, Duration::days(365));
        let certificate = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| problem(format!("server certificate: {e}")))?;
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));

        let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = RootCertStore::empty();
        roots
            .add(client_ca.certificate_der.clone())
            .map_err(|e| problem(format!("client CA: {e}")))?;
        // No `allow_unauthenticated`: a connection without a client certificate is refused.
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| problem(format!("client certificate verifier: {e}")))?;
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| problem(format!("TLS versions: {e}")))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![certificate.der().clone()], key_der)
            .map_err(|e| problem(format!("server certificate: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// A client certificate a [`TestCa`] issued.
#[derive(Debug, Clone)]
pub struct IssuedCertificate {
    certificate_pem: String,
    presented: PresentedCertificate,
}

impl IssuedCertificate {
    /// The certificate (PEM), like `apiclient_cert.pem`.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The serial, upper-case hex.
    pub fn serial(&self) -> &str {
        &self.presented.serial
    }

    /// The subject (`C=CN, O=…, CN=<mchid>`).
    pub fn subject(&self) -> &str {
        &self.presented.subject
    }

    /// The certificate with its private key (`apiclient_key.pem`), read as the client reads
    /// them: for [`ClientBuilder::client_certificate`](crate::runtime::ClientBuilder::client_certificate).
    pub fn client_certificate(&self, private_key_pem: &str) -> Result<ClientCertificate, Error> {
        ClientCertificate::from_pem(&self.certificate_pem, private_key_pem)
    }
}

/// The client certificate a request's connection presented in the TLS handshake
/// ([`RecordedRequest::client_certificate`](super::RecordedRequest::client_certificate)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PresentedCertificate {
    /// The subject (`C=CN, O=…, CN=<mchid>`).
    pub subject: String,
    /// The serial, upper-case hex without leading zero bytes.
    pub serial: String,
}

impl PresentedCertificate {
    pub(crate) fn read(der: &[u8]) -> Option<PresentedCertificate> {
        let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
        Some(PresentedCertificate {
            subject: certificate.subject().to_string(),
            serial: serial_hex(certificate.raw_serial()),
        })
    }
}

/// What a TLS test server holds: its CA and the merchant client certificate it issued.
pub(crate) struct ServerTls {
    pub ca: TestCa,
    pub client: IssuedCertificate,
    pub config: Arc<ServerConfig>,
}

impl ServerTls {
    /// A CA, a server certificate, and a client certificate for the merchant's public key.
    pub(crate) fn mint(
        mchid: &str,
        merchant_serial: &str,
        merchant_public_key_pem: &str,
    ) -> Result<ServerTls, Error> {
        let ca = TestCa::new("wechatpay-rs test CA")?;
        let client =
            ca.issue_client_certificate(mchid, merchant_serial, merchant_public_key_pem)?;
        let config = ca.server_config(&ca)?;
        Ok(ServerTls { ca, client, config })
    }
}

/// An RSA public key to issue a certificate for (rcgen needs only its `RSAPublicKey`).
struct RsaPublicKey(Vec<u8>);

impl RsaPublicKey {
    fn from_pem(pem: &str) -> Result<RsaPublicKey, Error> {
        use rustls_pki_types::pem::PemObject;
        use x509_parser::prelude::FromDer;
        let der = rustls_pki_types::SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| {
                problem(format!(
                    "client public key: not a `BEGIN PUBLIC KEY` PEM: {e}"
                ))
            })?;
        let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&der)
            .map_err(|e| problem(format!("client public key: {e}")))?;
        if spki.algorithm.algorithm != x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION {
            return Err(problem("client public key: not an RSA key"));
        }
        Ok(RsaPublicKey(spki.subject_public_key.data.to_vec()))
    }
}

impl rcgen::PublicKeyData for RsaPublicKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

fn names(parts: &[(DnType, &str)]) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    for (kind, value) in parts {
        name.push(kind.clone(), *value);
    }
    name
}

/// Valid from a day ago (clocks differ) for `length`.
fn validity(params: &mut CertificateParams, length: Duration) {
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + length;
}

fn problem(message: impl fmt::Display) -> Error {
    Error::config(ConfigItem::TestServer, format!("test TLS: {message}"))
}
