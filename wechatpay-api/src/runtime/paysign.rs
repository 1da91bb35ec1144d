//! The signed parameters a front end hands to WeChat to start a payment, once the back end
//! has a `prepay_id`: JSAPI and mini-programs (`requestPayment`), and APP (`PayReq`).
//!
//! Both are signed SHA256withRSA with the merchant private key the client already holds.
//! The structs serialise to exactly the JSON the front end expects, so they can be returned
//! to the browser or app as they are.
//!
//! ```no_run
//! # fn run(client: &wechatpay_api::runtime::Client) -> Result<(), wechatpay_api::runtime::Error> {
//! let params = client.jsapi_pay_params("wx8888888888888888", "wx201410272009395522657a690389285100")?;
//! // {"appId":"wx…","timeStamp":"…","nonceStr":"…","package":"prepay_id=wx…","signType":"RSA","paySign":"…"}
//! let json = serde_json::to_string(&params).expect("plain strings serialise");
//! # Ok(()) }
//! ```

use serde::Serialize;

use super::client::Client;
use super::core::Core;
use super::error::{Error, RequestPart};
use super::keys::MerchantPrivateKey;
use super::signing::nonce;
use super::verify::unix_now;

/// `signType` of JSAPI payments signed with an APIv3 (RSA) key.
pub const JSAPI_SIGN_TYPE: &str = "RSA";
/// `package` of APP payments.
pub const APP_PACKAGE: &str = "Sign=WXPay";

const PREPAY_ID_PREFIX: &str = "prepay_id=";
/// WeChat Pay accepts at most 32 characters of nonce.
const MAX_NONCE_LEN: usize = 32;

/// The parameters of `wx.requestPayment` (mini-programs) and of
/// `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` (JSAPI, in WeChat's browser).
///
/// Serialises to `{"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}`;
/// `paySign` covers `appId\ntimeStamp\nnonceStr\npackage\n`. Mini-programs do not pass
/// `appId` to `wx.requestPayment`, but it is signed all the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsapiPayParams {
    #[serde(rename = "appId")]
    app_id: String,
    #[serde(rename = "timeStamp")]
    time_stamp: String,
    #[serde(rename = "nonceStr")]
    nonce_str: String,
    package: String,
    #[serde(rename = "signType")]
    sign_type: &'static str,
    #[serde(rename = "paySign")]
    pay_sign: String,
}

impl JsapiPayParams {
    /// Signs the parameters for `prepay_id` (bare, or already as `prepay_id=…`) with an
    /// explicit timestamp (Unix seconds) and nonce (1 to 32 ASCII letters and digits).
    /// The client's [`Client::jsapi_pay_params`] picks both for you.
    pub fn new(
        key: &MerchantPrivateKey,
        app_id: &str,
        prepay_id: &str,
        timestamp: i64,
        nonce_str: &str,
    ) -> Result<JsapiPayParams, Error> {
        check_text("appId", app_id)?;
        let prepay_id = bare_prepay_id(prepay_id)?;
        check_timestamp(timestamp)?;
        check_nonce(nonce_str)?;
        let mut params = JsapiPayParams {
            app_id: app_id.to_owned(),
            time_stamp: timestamp.to_string(),
            nonce_str: nonce_str.to_owned(),
            package: format!("{PREPAY_ID_PREFIX}{prepay_id}"),
            sign_type: JSAPI_SIGN_TYPE,
            pay_sign: String::new(),
        };
        params.pay_sign = key.sign(params.signed_message().as_bytes())?;
        Ok(params)
    }

    /// The text `paySign` covers: `appId\ntimeStamp\nnonceStr\npackage\n`.
    pub fn signed_message(&self) -> String {
        signed_lines(&[
            &self.app_id,
            &self.time_stamp,
            &self.nonce_str,
            &self.package,
        ])
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// Unix seconds, as a string (the wire form).
    pub fn time_stamp(&self) -> &str {
        &self.time_stamp
    }

    pub fn nonce_str(&self) -> &str {
        &self.nonce_str
    }

    /// `prepay_id=…`.
    pub fn package(&self) -> &str {
        &self.package
    }

    /// Always [`JSAPI_SIGN_TYPE`].
    pub fn sign_type(&self) -> &str {
        self.sign_type
    }

    /// The base64 SHA256withRSA signature.
    pub fn pay_sign(&self) -> &str {
        &self.pay_sign
    }
}

/// The parameters of the APP SDK's payment request (`PayReq`).
///
/// Serialises to `{"appid", "partnerid", "prepayid", "package", "noncestr", "timestamp",
/// "sign"}`; `sign` covers `appid\ntimestamp\nnoncestr\nprepayid\n`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppPayParams {
    #[serde(rename = "appid")]
    app_id: String,
    #[serde(rename = "partnerid")]
    partner_id: String,
    #[serde(rename = "prepayid")]
    prepay_id: String,
    package: &'static str,
    #[serde(rename = "noncestr")]
    nonce_str: String,
    timestamp: String,
    sign: String,
}

impl AppPayParams {
    /// Signs the parameters with an explicit timestamp (Unix seconds) and nonce (1 to 32
    /// ASCII letters and digits). `partner_id` is the merchant id, or the sub-merchant id
    /// when a service provider pays for a sub-merchant. The client's
    /// [`Client::app_pay_params`] picks the timestamp and nonce for you.
    pub fn new(
        key: &MerchantPrivateKey,
        app_id: &str,
        partner_id: &str,
        prepay_id: &str,
        timestamp: i64,
        nonce_str: &str,
    ) -> Result<AppPayParams, Error> {
        check_text("appid", app_id)?;
        check_text("partnerid", partner_id)?;
        let prepay_id = bare_prepay_id(prepay_id)?;
        check_timestamp(timestamp)?;
        check_nonce(nonce_str)?;
        let mut params = AppPayParams {
            app_id: app_id.to_owned(),
            partner_id: partner_id.to_owned(),
            prepay_id: prepay_id.to_owned(),
            package: APP_PACKAGE,
            nonce_str: nonce_str.to_owned(),
            timestamp: timestamp.to_string(),
            sign: String::new(),
        };
        params.sign = key.sign(params.signed_message().as_bytes())?;
        Ok(params)
    }

    /// The text `sign` covers: `appid\ntimestamp\nnoncestr\nprepayid\n`.
    pub fn signed_message(&self) -> String {
        signed_lines(&[
            &self.app_id,
            &self.timestamp,
            &self.nonce_str,
            &self.prepay_id,
        ])
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    pub fn partner_id(&self) -> &str {
        &self.partner_id
    }

    pub fn prepay_id(&self) -> &str {
        &self.prepay_id
    }

    /// Always [`APP_PACKAGE`].
    pub fn package(&self) -> &str {
        self.package
    }

    pub fn nonce_str(&self) -> &str {
        &self.nonce_str
    }

    /// Unix seconds, as a string (the wire form).
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// The base64 SHA256withRSA signature.
    pub fn sign(&self) -> &str {
        &self.sign
    }
}

fn signed_lines(lines: &[&str]) -> String {
    let mut message = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        message.push_str(line);
        message.push('\n');
    }
    message
}

/// A field of the signed text: not empty, and no control character (a line break would
/// shift the lines the signature covers).
fn check_text(name: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::request(
            RequestPart::PaymentParams,
            format!("{name} is empty"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::request(
            RequestPart::PaymentParams,
            format!(
                "{name} `{}` contains a control character",
                value.escape_debug()
            ),
        ));
    }
    Ok(())
}

fn bare_prepay_id(prepay_id: &str) -> Result<&str, Error> {
    let bare = prepay_id
        .strip_prefix(PREPAY_ID_PREFIX)
        .unwrap_or(prepay_id);
    check_text("prepay_id", bare)?;
    Ok(bare)
}

fn check_timestamp(timestamp: i64) -> Result<(), Error> {
    if timestamp < 0 {
        return Err(Error::request(
            RequestPart::PaymentParams,
            format!("timestamp {timestamp} is before 1970"),
        ));
    }
    Ok(())
}

fn check_nonce(nonce_str: &str) -> Result<(), Error> {
    if nonce_str.is_empty()
        || nonce_str.len() > MAX_NONCE_LEN
        || !nonce_str.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Error::request(
            RequestPart::PaymentParams,
            format!(
                "nonce `{}` must be 1 to {MAX_NONCE_LEN} ASCII letters and digits",
                nonce_str.escape_debug()
            ),
        ));
    }
    Ok(())
}

fn jsapi_now(core: &Core, app_id: &str, prepay_id: &str) -> Result<JsapiPayParams, Error> {
    JsapiPayParams::new(&core.merchant_key, app_id, prepay_id, unix_now(), &nonce()?)
}

fn app_now(
    core: &Core,
    app_id: &str,
    partner_id: &str,
    prepay_id: &str,
) -> Result<AppPayParams, Error> {
    AppPayParams::new(
        &core.merchant_key,
        app_id,
        partner_id,
        prepay_id,
        unix_now(),
        &nonce()?,
    )
}

impl Client {
    /// The signed `requestPayment` parameters for a JSAPI or mini-program order (now, fresh
    /// nonce); see [`JsapiPayParams`].
    pub fn jsapi_pay_params(&self, app_id: &str, prepay_id: &str) -> Result<JsapiPayParams, Error> {
        jsapi_now(&self.core, app_id, prepay_id)
    }

    /// The signed APP payment parameters, `partnerid` being this client's merchant id (now,
    /// fresh nonce); see [`AppPayParams`].
    pub fn app_pay_params(&self, app_id: &str, prepay_id: &str) -> Result<AppPayParams, Error> {
        app_now(&self.core, app_id, &self.core.mchid, prepay_id)
    }

    /// The signed APP payment parameters a service provider hands out for a sub-merchant:
    /// `partnerid` is `sub_mchid`, the signature is the provider's.
    pub fn sub_merchant_app_pay_params(
        &self,
        sub_mchid: &str,
        app_id: &str,
        prepay_id: &str,
    ) -> Result<AppPayParams, Error> {
        app_now(&self.core, app_id, sub_mchid, prepay_id)
    }
}

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
impl super::blocking::Client {
    /// The signed `requestPayment` parameters; see [`Client::jsapi_pay_params`].
    pub fn jsapi_pay_params(&self, app_id: &str, prepay_id: &str) -> Result<JsapiPayParams, Error> {
        jsapi_now(&self.core, app_id, prepay_id)
    }

    /// The signed APP payment parameters; see [`Client::app_pay_params`].
    pub fn app_pay_params(&self, app_id: &str, prepay_id: &str) -> Result<AppPayParams, Error> {
        app_now(&self.core, app_id, &self.core.mchid, prepay_id)
    }

    /// The signed APP payment parameters for a sub-merchant; see
    /// [`Client::sub_merchant_app_pay_params`].
    pub fn sub_merchant_app_pay_params(
        &self,
        sub_mchid: &str,
        app_id: &str,
        prepay_id: &str,
    ) -> Result<AppPayParams, Error> {
        app_now(&self.core, app_id, sub_mchid, prepay_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_text_is_one_line_per_field() {
        assert_eq!(signed_lines(&["a", "1", "n", "p"]), "a\n1\nn\np\n");
    }

    #[test]
    fn inputs_that_would_change_the_signed_text_are_refused() {
        assert!(check_text("appId", "").is_err());
        assert!(check_text("appId", "wx1\nwx2").is_err());
        assert!(check_text("appId", "wx1").is_ok());
        assert!(bare_prepay_id("prepay_id=").is_err());
        assert_eq!(bare_prepay_id("prepay_id=wx1").unwrap(), "wx1");
        assert_eq!(bare_prepay_id("wx1").unwrap(), "wx1");
        assert!(check_timestamp(-1).is_err());
        assert!(check_nonce("").is_err());
        assert!(check_nonce(&"a".repeat(33)).is_err());
        assert!(check_nonce("abc-123").is_err());
        assert!(check_nonce(&"a".repeat(32)).is_ok());
    }
}
