//! APIv2 signatures against `openssl dgst` at test time (skipped when openssl is not on PATH).

#[path = "support/openssl.rs"]
mod openssl;

use wechatpay_api::runtime::v2::{ApiV2Key, Params, SignType, sign};

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

fn params() -> Params {
    [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "测试 & <商品>"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ("sign_type", "HMAC-SHA256"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The string the docs say is hashed, written out by hand.
const STRING_TO_SIGN: &str = "appid=wxd930ea5d5a258f4f&body=测试 & <商品>&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&sign_type=HMAC-SHA256&key=192006250b4c09247ec02edce69f6a2d";

#[test]
fn md5_sign_matches_openssl() {
    let Some(expected) = openssl::digest_hex(&["-md5"], STRING_TO_SIGN.as_bytes()) else {
        println!("skipped: openssl is not on PATH");
        return;
    };
    let key = ApiV2Key::new(KEY).unwrap();
    assert_eq!(sign::sign(&params(), SignType::Md5, &key), expected);
}

#[test]
fn hmac_sha256_sign_matches_openssl() {
    let Some(expected) = openssl::digest_hex(&["-sha256", "-hmac", KEY], STRING_TO_SIGN.as_bytes())
    else {
        println!("skipped: openssl is not on PATH");
        return;
    };
    let key = ApiV2Key::new(KEY).unwrap();
    assert_eq!(sign::sign(&params(), SignType::HmacSha256, &key), expected);
}
