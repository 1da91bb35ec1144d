//! Verification of WeChat Pay signatures on answers and webhooks.

use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderMap;

use super::error::VerifyError;

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

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
