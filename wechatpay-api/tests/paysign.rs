//! Front-end payment parameters: known answers with a fixed key, timestamp and nonce, the same
//! answers from `openssl` at test time, verification with the public key, and the exact JSON
//! the front end receives.

#[path = "support/openssl.rs"]
mod openssl;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::json;
use wechatpay_api::runtime::{
    AppPayParams, Client, ClientBuilder, Error, JsapiPayParams, MerchantPrivateKey, WechatpayKey,
};

const KEY_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/testing/keys/merchant_private_key.pem"
);
const PRIVATE: &str = include_str!("../src/testing/keys/merchant_private_key.pem");
const PUBLIC: &str = include_str!("../src/testing/keys/merchant_public_key.pem");
const WECHATPAY_PUBLIC: &str = include_str!("../src/testing/keys/wechatpay_public_key.pem");

const APP_ID: &str = "wx8888888888888888";
const MCHID: &str = "1900000001";
const PREPAY_ID: &str = "wx201410272009395522657a690389285100";
const APP_PREPAY_ID: &str = "WX1217752501201407033233368018";
const TIMESTAMP: i64 = 1414561699;
const NONCE: &str = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";

const JSAPI_MESSAGE: &str = "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n";
/// printf 'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n' \
///   | openssl dgst -sha256 -sign wechatpay-api/src/testing/keys/merchant_private_key.pem | base64 -w0
const JSAPI_PAY_SIGN: &str = "UH0pk5CjPAgCj8C2z+r34D9IbTzCbFKjy1pMnEcgEw2otUM3s4vbLNIg2PtOrxj1Rv69aWVHQjCk9KW8vt7QKse+nLBKwASyEz14V7DqCt4vNdeFiCusMNQAeRuN3S1QqkM+w/EOJXGbKKcgBtuolDU/RsXGqfnicELRo9wlEos4Jv495mr8aJoXz4Ny1OjsKLrNeU3J7NNwkTOwp8CO3M0ZpLbZ/MaaWamZGtKC8K6tZpRFPG60idqatwfE9s4e5r3Vsskj61NWQRLiqWtVeTpYimH6tCowf1rsxQduFN+vjaFQKOUjQq4uSIgraK+eVfG7QtC5CIFCVA61QkkYJA==";

const APP_MESSAGE: &str = "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nWX1217752501201407033233368018\n";
/// printf 'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nWX1217752501201407033233368018\n' \
///   | openssl dgst -sha256 -sign wechatpay-api/src/testing/keys/merchant_private_key.pem | base64 -w0
const APP_SIGN: &str = "fY5BymoPZbPPLQdIpJ/N1vWtakfn0JgrlRDabZFJmRTKbFyRPmlNhmehjOGmWIfjFwT6PW1iDTnPtBuE+hGnNBegutBwPjMz/s3owoQoAcjR55q6+pGmnekXLTySmp5ZoZ/J9ZjMlikKCoY6ZlOi5i71HEr/J5kfnrhFqgzsAqfIEwTxjY8Tkbr0TjqSAE/F8GuY0uE+ujqHQkkEwnHAvTxTmfaJqb/36KtvcCmQpCW7eG/5TrPXA/7B/SFxeLyEDErXzAIkvbr2lYxS0qzrLchmJYGS9HY+YHx4XaCAP5Zi0kcwQsRKSN0IKUWUsQ2dMCyWeg4J2Shhznrc2QYrdg==";

fn key() -> MerchantPrivateKey {
    MerchantPrivateKey::from_pem(PRIVATE).unwrap()
}

fn merchant_public_key() -> WechatpayKey {
    WechatpayKey::public_key("MERCHANT", PUBLIC).unwrap()
}

fn jsapi() -> JsapiPayParams {
    JsapiPayParams::new(&key(), APP_ID, PREPAY_ID, TIMESTAMP, NONCE).unwrap()
}

fn app() -> AppPayParams {
    AppPayParams::new(&key(), APP_ID, MCHID, APP_PREPAY_ID, TIMESTAMP, NONCE).unwrap()
}

fn builder() -> ClientBuilder {
    Client::builder()
        .merchant(MCHID, "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", PRIVATE)
        .wechatpay_public_key(
            "PUB_KEY_ID_0119000000012024112500000000000000",
            WECHATPAY_PUBLIC,
        )
}

/// `openssl dgst -sha256 -sign KEY` over `message`, base64; `None` when openssl is not on
/// PATH.
fn openssl_signature(message: &str) -> Option<String> {
    openssl::run(&["dgst", "-sha256", "-sign", KEY_PATH], message.as_bytes())
        .map(|signature| BASE64.encode(signature))
}

#[test]
fn jsapi_pay_sign_is_the_known_answer() {
    let params = jsapi();
    assert_eq!(params.signed_message(), JSAPI_MESSAGE);
    assert_eq!(params.pay_sign(), JSAPI_PAY_SIGN);
    assert_eq!(params.package(), format!("prepay_id={PREPAY_ID}"));
    assert_eq!(params.sign_type(), "RSA");
    assert_eq!(params.time_stamp(), "1414561699");
    // A prepay_id already in `package` form gives the same parameters.
    let from_package = JsapiPayParams::new(
        &key(),
        APP_ID,
        &format!("prepay_id={PREPAY_ID}"),
        TIMESTAMP,
        NONCE,
    )
    .unwrap();
    assert_eq!(from_package, params);
}

#[test]
fn app_sign_is_the_known_answer() {
    let params = app();
    assert_eq!(params.signed_message(), APP_MESSAGE);
    assert_eq!(params.sign(), APP_SIGN);
    assert_eq!(params.package(), "Sign=WXPay");
    assert_eq!(params.partner_id(), MCHID);
}

#[test]
fn signatures_match_openssl_at_test_time() {
    let Some(jsapi_signature) = openssl_signature(JSAPI_MESSAGE) else {
        println!("skipped: openssl is not on PATH");
        return;
    };
    assert_eq!(jsapi().pay_sign(), jsapi_signature);
    assert_eq!(app().sign(), openssl_signature(APP_MESSAGE).unwrap());
}

#[test]
fn signatures_verify_with_the_merchant_public_key() {
    let public = merchant_public_key();
    let jsapi = jsapi();
    assert!(public.verify(jsapi.signed_message().as_bytes(), jsapi.pay_sign()));
    let app = app();
    assert!(public.verify(app.signed_message().as_bytes(), app.sign()));
    assert!(!public.verify(APP_MESSAGE.as_bytes(), jsapi.pay_sign()));
    let other = WechatpayKey::public_key("OTHER", WECHATPAY_PUBLIC).unwrap();
    assert!(!other.verify(jsapi.signed_message().as_bytes(), jsapi.pay_sign()));
}

#[test]
fn jsapi_json_has_exactly_the_requestpayment_keys() {
    assert_eq!(
        serde_json::to_value(jsapi()).unwrap(),
        json!({
            "appId": APP_ID,
            "timeStamp": "1414561699",
            "nonceStr": NONCE,
            "package": format!("prepay_id={PREPAY_ID}"),
            "signType": "RSA",
            "paySign": JSAPI_PAY_SIGN,
        })
    );
}

#[test]
fn app_json_has_exactly_the_payreq_keys() {
    assert_eq!(
        serde_json::to_value(app()).unwrap(),
        json!({
            "appid": APP_ID,
            "partnerid": MCHID,
            "prepayid": APP_PREPAY_ID,
            "package": "Sign=WXPay",
            "noncestr": NONCE,
            "timestamp": "1414561699",
            "sign": APP_SIGN,
        })
    );
}

#[test]
fn client_signs_with_its_own_key_now_and_a_fresh_nonce() {
    let client = builder().build().unwrap();
    let public = merchant_public_key();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();

    let jsapi = client.jsapi_pay_params(APP_ID, PREPAY_ID).unwrap();
    assert!(public.verify(jsapi.signed_message().as_bytes(), jsapi.pay_sign()));
    let timestamp: u64 = jsapi.time_stamp().parse().unwrap();
    assert!(timestamp.abs_diff(before) <= 5, "{timestamp} vs {before}");
    assert_eq!(jsapi.nonce_str().len(), 32);
    let again = client.jsapi_pay_params(APP_ID, PREPAY_ID).unwrap();
    assert_ne!(again.nonce_str(), jsapi.nonce_str());

    let app = client.app_pay_params(APP_ID, APP_PREPAY_ID).unwrap();
    assert_eq!(app.partner_id(), MCHID);
    assert!(public.verify(app.signed_message().as_bytes(), app.sign()));

    let sub = client
        .sub_merchant_app_pay_params("1900000109", APP_ID, APP_PREPAY_ID)
        .unwrap();
    assert_eq!(sub.partner_id(), "1900000109");
    assert!(public.verify(sub.signed_message().as_bytes(), sub.sign()));
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_client_signs_the_same_way() {
    let client = builder().build_blocking().unwrap();
    let public = merchant_public_key();
    let jsapi = client.jsapi_pay_params(APP_ID, PREPAY_ID).unwrap();
    assert!(public.verify(jsapi.signed_message().as_bytes(), jsapi.pay_sign()));
    let app = client.app_pay_params(APP_ID, APP_PREPAY_ID).unwrap();
    assert_eq!(app.partner_id(), MCHID);
    assert!(public.verify(app.signed_message().as_bytes(), app.sign()));
    let sub = client
        .sub_merchant_app_pay_params("1900000109", APP_ID, APP_PREPAY_ID)
        .unwrap();
    assert_eq!(sub.partner_id(), "1900000109");
    assert!(public.verify(sub.signed_message().as_bytes(), sub.sign()));
}

#[test]
fn bad_input_is_an_invalid_request_not_a_panic() {
    let key = key();
    let cases = [
        JsapiPayParams::new(&key, "", PREPAY_ID, TIMESTAMP, NONCE).err(),
        JsapiPayParams::new(&key, "wx1\nwx2", PREPAY_ID, TIMESTAMP, NONCE).err(),
        JsapiPayParams::new(&key, APP_ID, "", TIMESTAMP, NONCE).err(),
        JsapiPayParams::new(&key, APP_ID, "prepay_id=", TIMESTAMP, NONCE).err(),
        JsapiPayParams::new(&key, APP_ID, PREPAY_ID, -1, NONCE).err(),
        JsapiPayParams::new(&key, APP_ID, PREPAY_ID, TIMESTAMP, "").err(),
        JsapiPayParams::new(&key, APP_ID, PREPAY_ID, TIMESTAMP, &"N".repeat(33)).err(),
        JsapiPayParams::new(&key, APP_ID, PREPAY_ID, TIMESTAMP, "a b").err(),
        AppPayParams::new(&key, APP_ID, "", APP_PREPAY_ID, TIMESTAMP, NONCE).err(),
        AppPayParams::new(&key, APP_ID, MCHID, "x\r", TIMESTAMP, NONCE).err(),
    ];
    for (i, error) in cases.into_iter().enumerate() {
        assert!(
            matches!(error, Some(Error::InvalidRequest(_))),
            "case {i}: {error:?}"
        );
    }
    let client = builder().build().unwrap();
    assert!(matches!(
        client.sub_merchant_app_pay_params("", APP_ID, APP_PREPAY_ID),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn debug_shows_the_parameters_and_no_key() {
    let shown = format!("{:?} {:?}", jsapi(), app());
    assert!(shown.contains(APP_ID), "{shown}");
    assert!(!shown.contains("MII"), "{shown}");
    let private_body: String = PRIVATE.lines().nth(1).unwrap().to_owned();
    assert!(!shown.contains(&private_body), "{shown}");
}
