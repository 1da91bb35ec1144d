//! Bill downloads against the loopback WeChat Pay: the signed GET of the download URL, the
//! unsigned answer streamed, gunzipped and checked against the announced SHA-1.

use std::io::Write as _;
use std::path::PathBuf;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::json;
use wechatpay_api::runtime::{BillError, BillFile, Client, Error, HttpMethod};
use wechatpay_api::testing::{Route, TestServer};

const DOWNLOAD_PATH: &str = "/v3/billdownload/file";
/// WeChat Pay names its own host; the download must still go to the client's base URL.
const DOWNLOAD_URL: &str = "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzNJDFVB7E1";

/// A trade bill of `rows` rows, shaped like WeChat Pay's CSV.
fn trade_bill(rows: usize) -> Vec<u8> {
    let mut bill = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率\r\n".as_bytes().to_vec();
    for row in 0..rows {
        writeln!(
            bill,
            "`2024-11-25 {:02}:{:02}:{:02},`wx2421b1c4370ec43b,`1900000109,`0,`013467007045764,`42000000002024112{row:011},`ORDER{row:012},`oUpF8uMuAJO_M2pxb1Q9zNjW{:04},`JSAPI,`SUCCESS,`CMB_CREDIT,`CNY,`{}.{:02},`0.00,`商品{},`,`0.00000,`0.60%\r",
            row / 3600 % 24,
            row / 60 % 60,
            row % 60,
            row % 9973,
            row % 500,
            row % 100,
            row % 37
        )
        .unwrap();
    }
    bill
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn sha1_hex(bytes: &[u8]) -> String {
    digest(&SHA1_FOR_LEGACY_USE_ONLY, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A server whose download path answers `wire` (unsigned, like WeChat Pay).
fn serving(wire: Vec<u8>) -> TestServer {
    let server = TestServer::builder().start().unwrap();
    server.route(Route::new(HttpMethod::Get, DOWNLOAD_PATH).respond_bytes(
        200,
        "application/octet-stream",
        wire,
    ));
    server
}

/// A client whose base URL is the server (not `force_base_url`: the download must go there
/// on its own).
fn client(server: &TestServer) -> Client {
    server
        .client_builder()
        .base_url(server.base_url())
        .build()
        .unwrap()
}

fn gzip_bill(bill: &[u8]) -> BillFile {
    BillFile::new(DOWNLOAD_URL, "SHA1", sha1_hex(bill)).gzip()
}

fn bill_error(err: Error) -> BillError {
    match err {
        Error::Bill(e) => e,
        other => panic!("expected a bill error, got {other:?}"),
    }
}

/// A fresh, empty directory under the target dir.
fn empty_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bill-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn dir_entries(dir: &PathBuf) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn gzip_bill_is_streamed_gunzipped_and_checked() {
    let bill = trade_bill(20_000);
    let server = serving(gzip(&bill));
    let client = client(&server);
    let mut out = Vec::new();
    let summary = client
        .download_bill(&gzip_bill(&bill), &mut out)
        .await
        .unwrap();
    assert!(out == bill, "the downloaded bill differs");
    assert_eq!(summary.bytes, bill.len() as u64);
    assert_eq!(summary.digest, sha1_hex(&bill));

    // Signed with the merchant key over the path and query of the download URL, and sent
    // to the base URL rather than the host the URL names.
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[0].url,
        DOWNLOAD_URL.trim_start_matches("https://api.mch.weixin.qq.com")
    );
    assert!(requests[0].header("authorization").is_some());
}

#[tokio::test]
async fn plain_bill_is_streamed_and_checked() {
    let bill = trade_bill(5_000);
    let server = serving(bill.clone());
    let client = client(&server);
    let mut out = Vec::new();
    let summary = client
        .download_bill(
            &BillFile::new(DOWNLOAD_URL, "SHA1", sha1_hex(&bill).to_uppercase()),
            &mut out,
        )
        .await
        .unwrap();
    assert!(out == bill, "the downloaded bill differs");
    assert_eq!(summary.bytes, bill.len() as u64);
}

#[tokio::test]
async fn wrong_digest_is_refused_naming_both() {
    let bill = trade_bill(1_000);
    let server = serving(gzip(&bill));
    let client = client(&server);
    let wrong = sha1_hex(b"another bill");
    let err = client
        .download_bill(
            &BillFile::new(DOWNLOAD_URL, "SHA1", wrong.clone()).gzip(),
            &mut Vec::new(),
        )
        .await
        .unwrap_err();
    let message = err.to_string();
    let BillError::DigestMismatch {
        expected,
        actual,
        bytes,
        ..
    } = bill_error(err)
    else {
        panic!("{message}");
    };
    assert_eq!(expected, wrong);
    assert_eq!(actual, sha1_hex(&bill));
    assert_eq!(bytes, bill.len() as u64);
    assert!(
        message.contains(&expected) && message.contains(&actual),
        "{message}"
    );
    assert!(message.contains("discard what was written"), "{message}");
}

#[tokio::test]
async fn truncated_or_corrupt_gzip_is_refused() {
    let bill = trade_bill(2_000);
    let wire = gzip(&bill);
    let mut flipped = wire.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    for (what, wire) in [
        ("truncated", wire[..wire.len() - 100].to_vec()),
        ("flipped byte", flipped),
        ("not gzip", bill.clone()),
    ] {
        let server = serving(wire);
        let err = client(&server)
            .download_bill(&gzip_bill(&bill), &mut Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(bill_error(err), BillError::CorruptGzip(_)),
            "{what}"
        );
    }
}

#[tokio::test]
async fn unknown_hash_type_and_malformed_value_are_refused_before_downloading() {
    let bill = trade_bill(10);
    let server = serving(bill.clone());
    let client = client(&server);
    let err = client
        .download_bill(
            &BillFile::new(DOWNLOAD_URL, "SM3", sha1_hex(&bill)),
            &mut Vec::new(),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`SM3`"), "{err}");
    assert!(matches!(bill_error(err), BillError::UnknownHashType(name) if name == "SM3"));
    let err = client
        .download_bill(
            &BillFile::new(DOWNLOAD_URL, "SHA1", "not-hex"),
            &mut Vec::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(bill_error(err), BillError::MalformedHashValue(_)));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn download_url_outside_billdownload_is_refused() {
    let bill = trade_bill(10);
    let server = serving(bill.clone());
    server.route(
        Route::new(HttpMethod::Get, "/v3/merchant/secret").respond(200, json!({"secret": 1})),
    );
    let client = client(&server);
    for url in [
        "https://api.mch.weixin.qq.com/v3/merchant/secret",
        "https://api.mch.weixin.qq.com/v3/billdownload/../merchant/secret",
        "not a url",
    ] {
        let err = client
            .download_bill(
                &BillFile::new(url, "SHA1", sha1_hex(&bill)),
                &mut Vec::new(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(bill_error(err), BillError::DownloadUrl(_)),
            "{url}"
        );
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn error_answer_is_an_api_error() {
    let server = TestServer::builder().start().unwrap();
    server.route(Route::new(HttpMethod::Get, DOWNLOAD_PATH).respond(
        400,
        json!({"code": "INVALID_REQUEST", "message": "token expired"}),
    ));
    let err = client(&server)
        .download_bill(&gzip_bill(b""), &mut Vec::new())
        .await
        .unwrap_err();
    let api = err.as_api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.status, 400);
    assert_eq!(api.code_str(), Some("INVALID_REQUEST"));
}

#[tokio::test]
async fn size_cap_is_enforced() {
    let bill = trade_bill(1_000);
    let server = serving(gzip(&bill));
    let client = client(&server);
    let cap = bill.len() as u64 - 1;
    let mut out = Vec::new();
    let err = client
        .download_bill(&gzip_bill(&bill).max_bytes(cap), &mut out)
        .await
        .unwrap_err();
    assert!(matches!(bill_error(err), BillError::TooLarge { limit } if limit == cap));
    assert!(out.len() as u64 <= cap);
    let exact = client
        .download_bill(&gzip_bill(&bill).max_bytes(cap + 1), &mut Vec::new())
        .await
        .unwrap();
    assert_eq!(exact.bytes, cap + 1);
}

#[tokio::test]
async fn file_helper_renames_into_place_only_when_the_digest_matched() {
    let bill = trade_bill(3_000);
    let server = serving(gzip(&bill));
    let client = client(&server);
    let dir = empty_dir("async-file");
    let path = dir.join("tradebill.csv");

    client
        .download_bill_to_file(&gzip_bill(&bill), &path)
        .await
        .unwrap();
    assert!(std::fs::read(&path).unwrap() == bill);
    assert_eq!(dir_entries(&dir), ["tradebill.csv"]);

    let wrong = BillFile::new(DOWNLOAD_URL, "SHA1", sha1_hex(b"x")).gzip();
    let err = client
        .download_bill_to_file(&wrong, dir.join("other.csv"))
        .await
        .unwrap_err();
    assert!(matches!(bill_error(err), BillError::DigestMismatch { .. }));
    // Nothing left behind, and an existing file is not replaced by a bad download.
    assert_eq!(dir_entries(&dir), ["tradebill.csv"]);
    let err = client
        .download_bill_to_file(&wrong, &path)
        .await
        .unwrap_err();
    assert!(matches!(bill_error(err), BillError::DigestMismatch { .. }));
    assert_eq!(dir_entries(&dir), ["tradebill.csv"]);
    assert!(std::fs::read(&path).unwrap() == bill);
}

#[test]
fn download_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let server = serving(Vec::new());
    let client = client(&server);
    let bill = gzip_bill(b"");
    let mut out = Vec::new();
    assert_send(&client.download_bill(&bill, &mut out));
    assert_send(&client.download_bill_to_file(&bill, "bill.csv"));
}

#[cfg(feature = "blocking")]
mod blocking {
    use super::*;
    use wechatpay_api::runtime::blocking;

    fn client(server: &TestServer) -> blocking::Client {
        server
            .client_builder()
            .base_url(server.base_url())
            .build_blocking()
            .unwrap()
    }

    #[test]
    fn gzip_and_plain_bills_are_streamed_and_checked() {
        let bill = trade_bill(20_000);
        let server = serving(gzip(&bill));
        let mut out = Vec::new();
        let summary = client(&server)
            .download_bill(&gzip_bill(&bill), &mut out)
            .unwrap();
        assert!(out == bill, "the downloaded bill differs");
        assert_eq!(summary.digest, sha1_hex(&bill));

        let server = serving(bill.clone());
        let mut out = Vec::new();
        client(&server)
            .download_bill(
                &BillFile::new(DOWNLOAD_URL, "SHA1", sha1_hex(&bill)),
                &mut out,
            )
            .unwrap();
        assert!(out == bill, "the downloaded bill differs");
        assert_eq!(
            server.requests()[0].url,
            DOWNLOAD_URL.trim_start_matches("https://api.mch.weixin.qq.com")
        );
    }

    #[test]
    fn mismatch_corruption_and_bad_descriptions_are_refused() {
        let bill = trade_bill(2_000);
        let wire = gzip(&bill);
        let server = serving(wire.clone());
        let client = client(&server);
        let err = client
            .download_bill(
                &BillFile::new(DOWNLOAD_URL, "SHA1", sha1_hex(b"x")).gzip(),
                &mut Vec::new(),
            )
            .unwrap_err();
        assert!(matches!(bill_error(err), BillError::DigestMismatch { .. }));

        let truncated = serving(wire[..wire.len() / 2].to_vec());
        let err = super::blocking::client(&truncated)
            .download_bill(&gzip_bill(&bill), &mut Vec::new())
            .unwrap_err();
        assert!(matches!(bill_error(err), BillError::CorruptGzip(_)));

        let err = client
            .download_bill(
                &BillFile::new(DOWNLOAD_URL, "MD5", sha1_hex(&bill)),
                &mut Vec::new(),
            )
            .unwrap_err();
        assert!(matches!(bill_error(err), BillError::UnknownHashType(_)));
        let err = client
            .download_bill(
                &BillFile::new(
                    "https://api.mch.weixin.qq.com/v3/pay/transactions",
                    "SHA1",
                    sha1_hex(&bill),
                ),
                &mut Vec::new(),
            )
            .unwrap_err();
        assert!(matches!(bill_error(err), BillError::DownloadUrl(_)));
        assert_eq!(server.requests().len(), 1);
    }

    #[test]
    fn file_helper_leaves_nothing_behind_on_a_mismatch() {
        let bill = trade_bill(3_000);
        let server = serving(gzip(&bill));
        let client = client(&server);
        let dir = empty_dir("blocking-file");
        let path = dir.join("tradebill.csv.gz.csv");
        let err = client
            .download_bill_to_file(
                &BillFile::new(DOWNLOAD_URL, "SHA1", sha1_hex(b"x")).gzip(),
                &path,
            )
            .unwrap_err();
        assert!(matches!(bill_error(err), BillError::DigestMismatch { .. }));
        assert!(dir_entries(&dir).is_empty());

        let summary = client
            .download_bill_to_file(&gzip_bill(&bill), &path)
            .unwrap();
        assert_eq!(summary.bytes, bill.len() as u64);
        assert!(std::fs::read(&path).unwrap() == bill);
        assert_eq!(dir_entries(&dir), ["tradebill.csv.gz.csv"]);
    }
}
