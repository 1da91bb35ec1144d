//! APIv2 signatures against `openssl dgst` at test time (skipped when openssl is not on PATH).

use std::io::Write as _;
use std::process::{Command, Stdio};

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

/// `openssl dgst ARGS` over `message`: the upper-case hex digest, `None` without openssl.
fn openssl_hex(args: &[&str], message: &str) -> Option<String> {
    let mut child = match Command::new("openssl")
        .arg("dgst")
        .args(args)
        .arg("-r")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("openssl did not start: {e}"),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "openssl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    Some(text.split_whitespace().next().unwrap().to_ascii_uppercase())
}

#[test]
fn md5_sign_matches_openssl() {
    let Some(expected) = openssl_hex(&["-md5"], STRING_TO_SIGN) else {
        println!("skipped: openssl is not on PATH");
        return;
    };
    let key = ApiV2Key::new(KEY).unwrap();
    assert_eq!(sign::sign(&params(), SignType::Md5, &key), expected);
}

#[test]
fn hmac_sha256_sign_matches_openssl() {
    let Some(expected) = openssl_hex(&["-sha256", "-hmac", KEY], STRING_TO_SIGN) else {
        println!("skipped: openssl is not on PATH");
        return;
    };
    let key = ApiV2Key::new(KEY).unwrap();
    assert_eq!(sign::sign(&params(), SignType::HmacSha256, &key), expected);
}
