//! Known-answer tests: fixed key + fixed message = fixed signature (computed with
//! `openssl dgst -sha256 -sign`), and the AES-256-GCM vector of the protocol docs.

use wechatpay_api::runtime::signing::{request_message, sign_request};
use wechatpay_api::runtime::{ApiV3Key, MerchantPrivateKey, WechatpayKey};

const PKCS8: &str = include_str!("../src/testing/keys/merchant_private_key.pem");
const PKCS1: &str = include_str!("fixtures/merchant_private_key_pkcs1.pem");
const PUBLIC: &str = include_str!("../src/testing/keys/merchant_public_key.pem");
const MESSAGE: &str = include_str!("fixtures/sign_message.txt");
const SIGNATURE: &str = include_str!("fixtures/sign_message.sig.b64");

#[test]
fn fixed_key_signs_fixed_message_like_openssl() {
    let key = MerchantPrivateKey::from_pem(PKCS8).unwrap();
    assert_eq!(key.sign(MESSAGE.as_bytes()).unwrap(), SIGNATURE.trim());
    let pkcs1 = MerchantPrivateKey::from_pem(PKCS1).unwrap();
    assert_eq!(pkcs1.sign(MESSAGE.as_bytes()).unwrap(), SIGNATURE.trim());
}

#[test]
fn request_signature_covers_the_protocol_message() {
    let body = br#"{"brand_id":"1000","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}"#;
    let message = request_message(
        "POST",
        "/v3/brand/partner/card-member/user-cards/import-by-openid",
        1554208460,
        "593BEC0C930BF1AFEB40B4A08C8FB242",
        body,
    );
    assert_eq!(message, MESSAGE.as_bytes());
    let key = MerchantPrivateKey::from_pem(PKCS8).unwrap();
    let header = sign_request(
        &key,
        "1900000001",
        "SERIAL",
        "POST",
        "/v3/brand/partner/card-member/user-cards/import-by-openid",
        1554208460,
        "593BEC0C930BF1AFEB40B4A08C8FB242",
        body,
    )
    .unwrap();
    assert_eq!(
        header,
        format!(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\",signature=\"{}\",timestamp=\"1554208460\",serial_no=\"SERIAL\"",
            SIGNATURE.trim()
        )
    );
}

#[test]
fn fixed_signature_verifies_and_a_changed_one_does_not() {
    let public = WechatpayKey::public_key("MERCHANT", PUBLIC).unwrap();
    assert!(public.verify(MESSAGE.as_bytes(), SIGNATURE.trim()));
    assert!(!public.verify(b"other message", SIGNATURE.trim()));
    assert!(!public.verify(MESSAGE.as_bytes(), "not base64 !"));
    let mut tampered = SIGNATURE.trim().to_owned();
    tampered.replace_range(0..1, if tampered.starts_with('A') { "B" } else { "A" });
    assert!(!public.verify(MESSAGE.as_bytes(), &tampered));
}

#[test]
fn oaep_round_trip_with_fixed_keys() {
    let public = WechatpayKey::public_key("MERCHANT", PUBLIC).unwrap();
    let private = MerchantPrivateKey::from_pem(PKCS8).unwrap();
    let a = public.encrypt("13800138000".as_bytes()).unwrap();
    let b = public.encrypt("13800138000".as_bytes()).unwrap();
    assert_ne!(a, b, "OAEP is randomised");
    assert_eq!(private.decrypt(&a).unwrap(), b"13800138000");
    assert!(
        public.encrypt(&[b'x'; 215]).is_err(),
        "over 214 bytes is refused"
    );
    assert!(public.encrypt(&[b'x'; 214]).is_ok());
}

#[test]
fn aes_256_gcm_vector_from_the_docs() {
    let key = ApiV3Key::new("a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
    assert_eq!(
        key.decrypt(
            "uluk4a9R25RW",
            "associatedData",
            "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="
        )
        .unwrap(),
        b"message"
    );
    assert_eq!(
        key.encrypt("uluk4a9R25RW", "associatedData", b"message")
            .unwrap(),
        "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="
    );
}

#[test]
fn debug_output_shows_no_key_material() {
    let key = MerchantPrivateKey::from_pem(PKCS8).unwrap();
    assert_eq!(format!("{key:?}"), "MerchantPrivateKey(<redacted>)");
    let public = WechatpayKey::public_key("PUB_KEY_ID_1", PUBLIC).unwrap();
    let shown = format!("{public:?}");
    assert!(shown.contains("PUB_KEY_ID_1"));
    assert!(!shown.contains("MII"), "{shown}");
}
