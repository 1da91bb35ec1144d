//! Verification of WeChat Pay signatures on answers and webhooks.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

use super::error::VerifyError;
use super::keys::{KeySource, WechatpayKey};
use super::signing::response_message;

/// The largest distance, in seconds, allowed between `Wechatpay-Timestamp` and the clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// The four signature headers of an answer or webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureHeaders<'a> {
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub signature: &'a str,
    pub serial: &'a str,
}

impl<'a> SignatureHeaders<'a> {
    /// Reads `Wechatpay-Timestamp`, `-Nonce`, `-Signature` and `-Serial`.
    pub fn from_headers(headers: &'a HeaderMap) -> Result<SignatureHeaders<'a>, VerifyError> {
        fn get<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h str, VerifyError> {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .ok_or(VerifyError::MissingHeader(name))
        }
        Ok(SignatureHeaders {
            timestamp: get(headers, "Wechatpay-Timestamp")?,
            nonce: get(headers, "Wechatpay-Nonce")?,
            signature: get(headers, "Wechatpay-Signature")?,
            serial: get(headers, "Wechatpay-Serial")?,
        })
    }
}

/// Holds every WeChat Pay key a client trusts (public key and/or platform certificates) and
/// picks one by `Wechatpay-Serial`.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    keys: HashMap<String, Arc<WechatpayKey>>,
    max_skew: i64,
}

impl Verifier {
    pub fn new() -> Verifier {
        Verifier {
            keys: HashMap::new(),
            max_skew: MAX_CLOCK_SKEW_SECS,
        }
    }

    /// Adds (or replaces) a key under its id.
    pub fn add(&mut self, key: WechatpayKey) {
        self.keys.insert(key.id().to_owned(), Arc::new(key));
    }

    /// The allowed clock skew in seconds (default 300).
    pub fn set_max_skew(&mut self, seconds: i64) {
        self.max_skew = seconds;
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key with this serial (also matched case-insensitively, for certificate serials).
    pub fn key(&self, serial: &str) -> Option<&WechatpayKey> {
        self.keys
            .get(serial)
            .or_else(|| self.keys.get(&serial.to_ascii_uppercase()))
            .map(|k| &**k)
    }

    /// The key to encrypt request fields with: the WeChat Pay public key if one is
    /// configured, else the platform certificate valid most recently (newest `not_before`).
    pub fn encryption_key(&self) -> Option<&WechatpayKey> {
        let mut best: Option<(&WechatpayKey, (u8, i64))> = None;
        for key in self.keys.values() {
            let rank = match key.source() {
                KeySource::PublicKey => (1, 0),
                KeySource::PlatformCertificate { not_before, .. } => (0, not_before),
            };
            // Ties broken by id so the choice does not depend on hash order.
            let better = match &best {
                None => true,
                Some((b, r)) => rank > *r || (rank == *r && key.id() > b.id()),
            };
            if better {
                best = Some((key, rank));
            }
        }
        best.map(|(k, _)| k)
    }

    /// Verifies a signed answer or webhook against the local clock.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
        let parts = SignatureHeaders::from_headers(headers)?;
        self.verify_parts(&parts, body, unix_now())
    }

    /// Verifies with an explicit `now` (Unix seconds).
    pub fn verify_parts(
        &self,
        parts: &SignatureHeaders<'_>,
        body: &[u8],
        now: i64,
    ) -> Result<(), VerifyError> {
        let timestamp: i64 = parts
            .timestamp
            .parse()
            .map_err(|_| VerifyError::MalformedTimestamp(parts.timestamp.to_owned()))?;
        let key = self
            .key(parts.serial)
            .ok_or_else(|| VerifyError::UnknownSerial(parts.serial.to_owned()))?;
        let message = response_message(parts.timestamp, parts.nonce, body);
        if !key.verify(&message, parts.signature) {
            return Err(VerifyError::BadSignature {
                serial: parts.serial.to_owned(),
            });
        }
        // Checked after the signature so a forged timestamp is reported as a bad signature.
        if now.abs_diff(timestamp) > self.max_skew.unsigned_abs() {
            return Err(VerifyError::StaleTimestamp { timestamp, now });
        }
        Ok(())
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
