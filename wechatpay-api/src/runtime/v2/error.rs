//! What a v2 answer can say went wrong ([`Error::V2`](crate::runtime::Error::V2)).

use std::fmt;

use super::operation::SignType;
use super::sign::SignatureError;
use super::xml::XmlError;
use crate::runtime::error::escaped;

/// A v2 answer that is not a success, or could not be trusted or read.
///
/// `Display` escapes control and bidirectional-formatting characters of the text the server
/// sent and shortens it; the fields hold it as received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum V2Error {
    /// `return_code` is not `SUCCESS`: the request was not processed (bad signature,
    /// parameter format, missing permission…). Such answers are usually unsigned: `verified`
    /// says whether this one carried a `sign` that matched.
    Communication {
        return_code: String,
        return_msg: Option<String>,
        verified: bool,
    },
    /// `result_code` is `FAIL`: the request was processed and refused (`err_code`).
    Business {
        code: V2ErrorCode,
        description: Option<String>,
        /// Whether the answer's `sign` matched (an answer without one is not verified).
        verified: bool,
    },
    /// A `SUCCESS` answer's `sign` is missing or wrong: it is not shown to come from WeChat
    /// Pay, and nothing of it was decoded.
    Signature {
        error: SignatureError,
        sign_type: SignType,
    },
    /// The answer is not a readable v2 document.
    Malformed(XmlError),
}

impl V2Error {
    /// Whether sending the request again may succeed: `SYSTEMERROR`, `BANKERROR`,
    /// `FREQ_LIMIT` business answers (and only those the answer's `sign` verified).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            V2Error::Business {
                code: V2ErrorCode::SystemError | V2ErrorCode::BankError | V2ErrorCode::FreqLimit,
                verified: true,
                ..
            }
        )
    }

    /// The business error code, if the answer was a `result_code=FAIL`.
    pub fn code(&self) -> Option<&V2ErrorCode> {
        match self {
            V2Error::Business { code, .. } => Some(code),
            _ => None,
        }
    }

    pub(crate) fn label(&self) -> &'static str {
        match self {
            V2Error::Communication { .. } => "v2.communication",
            V2Error::Business { .. } => "v2.business",
            V2Error::Signature { .. } => "v2.signature",
            V2Error::Malformed(_) => "v2.malformed",
        }
    }
}

impl fmt::Display for V2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = |verified: bool| {
            if verified {
                "WeChat Pay answered"
            } else {
                "unverified v2 answer, not shown to come from WeChat Pay:"
            }
        };
        match self {
            V2Error::Communication {
                return_code,
                return_msg,
                verified,
            } => {
                write!(
                    f,
                    "{} return_code {}",
                    origin(*verified),
                    escaped(return_code, 100)
                )?;
                if let Some(message) = return_msg {
                    write!(f, ": {}", escaped(message, 500))?;
                }
                Ok(())
            }
            V2Error::Business {
                code,
                description,
                verified,
            } => {
                write!(
                    f,
                    "{} result_code FAIL, err_code {}",
                    origin(*verified),
                    escaped(code.as_str(), 100)
                )?;
                if let Some(description) = description {
                    write!(f, ": {}", escaped(description, 500))?;
                }
                Ok(())
            }
            V2Error::Signature { error, sign_type } => {
                write!(f, "v2 answer refused ({sign_type} sign): {error}")
            }
            V2Error::Malformed(e) => write!(f, "v2 answer unreadable: {e}"),
        }
    }
}

impl std::error::Error for V2Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            V2Error::Signature { error, .. } => Some(error),
            V2Error::Malformed(e) => Some(e),
            _ => None,
        }
    }
}

crate::string_enum! {
    /// The `err_code` of a v2 `result_code=FAIL` answer: the common codes of the v2 docs and
    /// `Unknown(code)` for the rest.
    pub enum V2ErrorCode {
        /// `SYSTEMERROR`: WeChat Pay's side failed; query or retry with the same parameters.
        SystemError = "SYSTEMERROR",
        /// `USERPAYING`: the payer is entering the password (micropay); query later.
        UserPaying = "USERPAYING",
        /// `ORDERNOTEXIST`: no such order.
        OrderNotExist = "ORDERNOTEXIST",
        /// `NOTENOUGH`: the balance is not enough.
        NotEnough = "NOTENOUGH",
        /// `ORDERPAID`: the order is already paid.
        OrderPaid = "ORDERPAID",
        /// `ORDERCLOSED`: the order is closed.
        OrderClosed = "ORDERCLOSED",
        /// `ORDERREVERSED`: the order was reversed.
        OrderReversed = "ORDERREVERSED",
        /// `SIGNERROR`: the request's `sign` did not verify (key, sign type).
        SignError = "SIGNERROR",
        /// `PARAM_ERROR`: a parameter is missing or invalid.
        ParamError = "PARAM_ERROR",
        /// `NOAUTH`: the merchant lacks the permission.
        NoAuth = "NOAUTH",
        /// `APPID_NOT_EXIST`: no such app id.
        AppidNotExist = "APPID_NOT_EXIST",
        /// `MCHID_NOT_EXIST`: no such merchant id.
        MchidNotExist = "MCHID_NOT_EXIST",
        /// `APPID_MCHID_NOT_MATCH`: the app id is not bound to the merchant.
        AppidMchidNotMatch = "APPID_MCHID_NOT_MATCH",
        /// `LACK_PARAMS`: a required parameter is missing.
        LackParams = "LACK_PARAMS",
        /// `OUT_TRADE_NO_USED`: the merchant order number was used.
        OutTradeNoUsed = "OUT_TRADE_NO_USED",
        /// `XML_FORMAT_ERROR`: the request was not well-formed XML.
        XmlFormatError = "XML_FORMAT_ERROR",
        /// `REQUIRE_POST_METHOD`: the request must be a POST.
        RequirePostMethod = "REQUIRE_POST_METHOD",
        /// `POST_DATA_EMPTY`: the request body was empty.
        PostDataEmpty = "POST_DATA_EMPTY",
        /// `NOT_UTF8`: the request was not UTF-8.
        NotUtf8 = "NOT_UTF8",
        /// `BANKERROR`: the bank's system failed; retry later.
        BankError = "BANKERROR",
        /// `FREQ_LIMIT`: too many requests; slow down.
        FreqLimit = "FREQ_LIMIT",
        /// `AUTHCODEEXPIRE`: the payer's code expired (micropay).
        AuthCodeExpire = "AUTHCODEEXPIRE",
        /// `AUTH_CODE_INVALID`: the payer's code is invalid (micropay).
        AuthCodeInvalid = "AUTH_CODE_INVALID",
        /// `INVALID_TRANSACTIONID`: the WeChat Pay order number is invalid.
        InvalidTransactionId = "INVALID_TRANSACTIONID",
        /// `REFUNDNOTEXIST`: no such refund.
        RefundNotExist = "REFUNDNOTEXIST",
        /// `TRADE_STATE_ERROR`: the order is in a state that forbids this.
        TradeStateError = "TRADE_STATE_ERROR",
        /// `USER_ACCOUNT_ABNORMAL`: the payer's account is abnormal.
        UserAccountAbnormal = "USER_ACCOUNT_ABNORMAL",
        /// `AMOUNT_LIMIT`: the amount is outside the allowed range.
        AmountLimit = "AMOUNT_LIMIT",
        /// `CA_ERROR`: the merchant API client certificate was missing or wrong.
        CaError = "CA_ERROR",
    }
}
