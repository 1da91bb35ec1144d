//! The test server's certificate side: platform certificates minted on demand.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use wechatpay_api::runtime::{KeySource, MerchantPrivateKey, WechatpayKey};
use wechatpay_api::testing::certificates::{canonical_serial, mint_platform_certificate};
use wechatpay_api::testing::{PlatformCertificate, keys};

/// 2026-01-01T00:00:00Z .. 2031-01-01T00:00:00Z.
const OLD_SERIAL: &str = "3775B6A45ACD588826D15E583A95F5DD5A3E3C12";
const OLD_NOT_BEFORE: i64 = 1_767_225_600;
const OLD_NOT_AFTER: i64 = 1_924_992_000;
/// 2027-01-01T00:00:00Z .. 2032-01-01T00:00:00Z; the high bit of the serial is set, so its
/// DER integer carries a leading zero byte that the serial leaves out.
const NEW_SERIAL: &str = "F0D1A2B3C4D5E6F708192A3B4C5D6E7F80918273";
const NEW_NOT_BEFORE: i64 = 1_798_761_600;
const NEW_NOT_AFTER: i64 = 1_956_528_000;

fn old_certificate() -> PlatformCertificate {
    PlatformCertificate::mint(
        keys::PLATFORM_PRIVATE_KEY_PEM,
        OLD_SERIAL,
        OLD_NOT_BEFORE,
        OLD_NOT_AFTER,
    )
    .unwrap()
}

// --- minting ---------------------------------------------------------------------------

#[test]
fn minted_certificates_load_in_the_runtime_with_their_serial_and_validity() {
    for (private_key, serial, not_before, not_after) in [
        (
            keys::PLATFORM_PRIVATE_KEY_PEM,
            OLD_SERIAL,
            OLD_NOT_BEFORE,
            OLD_NOT_AFTER,
        ),
        (
            keys::WECHATPAY_PRIVATE_KEY_PEM,
            NEW_SERIAL,
            NEW_NOT_BEFORE,
            NEW_NOT_AFTER,
        ),
        // Lower case in, upper case out; a leading zero digit is part of the serial.
        (
            keys::MERCHANT_PRIVATE_KEY_PEM,
            "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            0,
            4_102_444_800, // 2100-01-01: GeneralizedTime from 2050 on
        ),
    ] {
        let pem = mint_platform_certificate(private_key, serial, not_before, not_after).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"), "{pem}");
        let key = WechatpayKey::platform_certificate(&pem).unwrap();
        assert_eq!(key.id(), serial.to_ascii_uppercase());
        assert_eq!(key.id(), canonical_serial(serial).unwrap());
        assert_eq!(
            key.source(),
            KeySource::PlatformCertificate {
                not_before,
                not_after
            }
        );
        // The certificate's key is the private key's: it verifies what that key signs.
        let signer = MerchantPrivateKey::from_pem(private_key).unwrap();
        assert!(key.verify(b"message", &signer.sign(b"message").unwrap()));

        // Self-signed, SHA256withRSA.
        let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        let (_, certificate) = x509_parser::parse_x509_certificate(der.as_ref()).unwrap();
        assert_eq!(
            certificate.signature_algorithm.algorithm,
            x509_parser::oid_registry::OID_PKCS1_SHA256WITHRSA
        );
        assert_eq!(
            certificate.issuer().as_raw(),
            certificate.subject().as_raw()
        );
        let tbs: &[u8] = certificate.tbs_certificate.as_ref();
        let signature = BASE64.encode(&certificate.signature_value.data);
        assert!(key.verify(tbs, &signature));
    }
}

#[test]
fn a_platform_certificate_pairs_a_certificate_with_its_own_key() {
    let old = old_certificate();
    assert_eq!(old.serial(), OLD_SERIAL);
    assert_eq!(
        (old.not_before(), old.not_after()),
        (OLD_NOT_BEFORE, OLD_NOT_AFTER)
    );
    assert_eq!(old.private_key_pem(), keys::PLATFORM_PRIVATE_KEY_PEM);
    assert_eq!(old.wechatpay_key().unwrap().id(), OLD_SERIAL);
    let again = PlatformCertificate::new(old.certificate_pem(), old.private_key_pem()).unwrap();
    assert_eq!(again, old);
    assert!(
        PlatformCertificate::new(old.certificate_pem(), keys::MERCHANT_PRIVATE_KEY_PEM).is_err()
    );
    assert!(PlatformCertificate::new("not a certificate", keys::PLATFORM_PRIVATE_KEY_PEM).is_err());
    assert!(format!("{old:?}").contains(OLD_SERIAL));
}
