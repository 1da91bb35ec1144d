//! Reading one `GET /v3/certificates` answer: status, decryption, parsing, serials, validity,
//! and the answer's signature. Pure: nothing is stored here.

use std::sync::Arc;

use super::refresher::RawAnswer;
use crate::runtime::aead::ApiV3Key;
use crate::runtime::core::api_error;
use crate::runtime::error::{CertificateError, Error, VerifyError};
use crate::runtime::key_store::{KeyStore, validity_problem, verify_with};
use crate::runtime::keys::{KeySource, WechatpayKey};
use crate::runtime::verify::SignatureHeaders;
use crate::v3::certificates::GetResponse;

/// The algorithm WeChat Pay encrypts certificates with.
const ALGORITHM: &str = "AEAD_AES_256_GCM";

/// One certificate of an answer, decrypted and checked.
#[derive(Clone)]
pub struct DownloadedCertificate {
    /// The serial (upper-case hex), equal to the certificate's own.
    pub serial_no: String,
    /// Validity period (Unix seconds).
    pub not_before: i64,
    pub not_after: i64,
    /// The certificate PEM as WeChat Pay sent it.
    pub pem: String,
    pub(crate) key: Arc<WechatpayKey>,
}

impl std::fmt::Debug for DownloadedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadedCertificate")
            .field("serial_no", &self.serial_no)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

/// What one download brought: the certificates valid now, and those it listed outside their
/// validity period (never used).
#[derive(Debug, Clone, Default)]
pub struct CertificateReport {
    pub valid: Vec<DownloadedCertificate>,
    pub out_of_validity: Vec<DownloadedCertificate>,
}

/// Checks a whole answer; any problem rejects all of it.
pub(crate) fn read_answer(
    answer: &RawAnswer,
    apiv3_key: &ApiV3Key,
    trusted: &KeyStore,
    now: i64,
) -> Result<CertificateReport, Error> {
    if !(200..300).contains(&answer.status) {
        return Err(api_error(
            trusted,
            answer.status,
            &answer.headers,
            &answer.body,
        ));
    }
    let parsed: GetResponse =
        serde_json::from_slice(&answer.body).map_err(|source| Error::Decode {
            status: answer.status,
            source,
        })?;
    let mut report = CertificateReport::default();
    for entry in &parsed.data {
        let certificate = open_entry(entry, apiv3_key)?;
        if validity_problem(&certificate.key, now, 0).is_some() {
            report.out_of_validity.push(certificate);
        } else {
            report.valid.push(certificate);
        }
    }
    verify_answer(answer, trusted, &report, now)?;
    Ok(report)
}

fn open_entry(
    entry: &crate::v3::certificates::GetResponseData,
    apiv3_key: &ApiV3Key,
) -> Result<DownloadedCertificate, Error> {
    let listed = entry.serial_no.as_str();
    let sealed = &entry.encrypt_certificate;
    if sealed.algorithm != ALGORITHM {
        return Err(CertificateError::Algorithm {
            serial_no: listed.to_owned(),
            algorithm: sealed.algorithm.clone(),
        }
        .into());
    }
    let plain = apiv3_key
        .decrypt(&sealed.nonce, &sealed.associated_data, &sealed.ciphertext)
        .map_err(|_| CertificateError::Decrypt {
            serial_no: listed.to_owned(),
        })?;
    let pem = String::from_utf8(plain).map_err(|_| CertificateError::Parse {
        serial_no: listed.to_owned(),
        reason: "the decrypted certificate is not UTF-8 PEM".into(),
    })?;
    let key = WechatpayKey::platform_certificate(&pem).map_err(|e| CertificateError::Parse {
        serial_no: listed.to_owned(),
        reason: e.to_string(),
    })?;
    if !key.id().eq_ignore_ascii_case(listed) {
        return Err(CertificateError::SerialMismatch {
            listed: listed.to_owned(),
            actual: key.id().to_owned(),
        }
        .into());
    }
    let KeySource::PlatformCertificate {
        not_before,
        not_after,
    } = key.source()
    else {
        unreachable!("a platform certificate key")
    };
    Ok(DownloadedCertificate {
        serial_no: key.id().to_owned(),
        not_before,
        not_after,
        pem,
        key: Arc::new(key),
    })
}

/// The answer's signature: by a key the store trusts when it knows the serial, else by the
/// downloaded (AEAD-authenticated) certificate of that serial.
fn verify_answer(
    answer: &RawAnswer,
    trusted: &KeyStore,
    report: &CertificateReport,
    now: i64,
) -> Result<(), Error> {
    let parts = SignatureHeaders::from_headers(&answer.headers)?;
    if trusted.knows(parts.serial) {
        return Ok(trusted.verify_parts(&parts, &answer.body, now)?);
    }
    let Some(downloaded) = report
        .valid
        .iter()
        .find(|c| c.serial_no.eq_ignore_ascii_case(parts.serial))
    else {
        return Err(VerifyError::UnknownSerial(parts.serial.to_owned()).into());
    };
    Ok(verify_with(
        &downloaded.key,
        &parts,
        &answer.body,
        now,
        trusted.max_skew_secs(),
    )?)
}
