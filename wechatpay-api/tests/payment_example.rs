//! The `payment` example runs its whole contract against the test server: order, pay
//! parameters, query, refund and a gzipped bill checked against its SHA-1.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use serde_json::{Value, json};
use wechatpay_api::runtime::{HttpMethod, Operation, WechatpayKey};
use wechatpay_api::testing::{Route, TestServer, keys};

#[allow(dead_code)]
#[path = "../examples/payment.rs"]
mod payment_example;

const PREPAY_ID: &str = "wx26112221580621e9b071c00d9e093b0000";
const BILL: &[u8] = b"trade time,appid,mchid,out_trade_no,amount\n\
`2024-11-25 10:00:00,`wxd678efh567hg6787,`1900000001,`T-1,`0.01\n\
total orders,total amount\n`1,`0.01\n";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn server(bill_hash: &str) -> TestServer {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Post, "/v3/pay/transactions/jsapi")
            .encrypted_request_fields(
                wechatpay_api::v3::pay::transactions::jsapi::Post::SPEC.encrypted_request_fields,
            )
            .respond(200, json!({ "prepay_id": PREPAY_ID })),
    );
    server.route(
        Route::new(
            HttpMethod::Get,
            "/v3/pay/transactions/out-trade-no/{out_trade_no}",
        )
        .respond(
            200,
            json!({
                "appid": "wxd678efh567hg6787", "mchid": keys::MERCHANT_ID,
                "out_trade_no": "WXRS-ANSWERED", "transaction_id": "4200000000202411250000000001",
                "trade_type": "JSAPI", "trade_state": "SUCCESS", "trade_state_desc": "paid",
                "bank_type": "OTHERS", "success_time": "2024-11-25T10:00:05+08:00",
                "payer": { "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
                "amount": { "total": 1, "payer_total": 1, "currency": "CNY", "payer_currency": "CNY" }
            }),
        ),
    );
    server.route(
        Route::new(HttpMethod::Post, "/v3/refund/domestic/refunds").respond(
            200,
            json!({
                "refund_id": "50000000382019052709732678859", "out_refund_no": "WXRSR-ANSWERED",
                "transaction_id": "4200000000202411250000000001", "out_trade_no": "WXRS-ANSWERED",
                "channel": "ORIGINAL", "user_received_account": "招商银行信用卡0403",
                "create_time": "2024-11-25T10:01:00+08:00", "status": "PROCESSING",
                "amount": { "total": 1, "refund": 1, "payer_total": 1, "payer_refund": 1,
                            "settlement_refund": 1, "settlement_total": 1, "discount_refund": 0,
                            "currency": "CNY" }
            }),
        ),
    );
    server.route(Route::new(HttpMethod::Get, "/v3/bill/tradebill").respond(
        200,
        json!({
            "hash_type": "SHA1", "hash_value": bill_hash,
            "download_url": "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUP"
        }),
    ));
    server.route(
        Route::new(HttpMethod::Get, "/v3/billdownload/file").respond_bytes(
            200,
            "application/octet-stream",
            gzip(BILL),
        ),
    );
    server
}

/// The example's environment: the test server and the test keys, written to PEM files.
fn environment(server: &TestServer, dir: &str) -> HashMap<&'static str, String> {
    let dir = std::env::temp_dir().join(format!("wechatpay-payment-{}-{dir}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, pem: &str| -> String {
        let path: PathBuf = dir.join(name);
        std::fs::write(&path, pem).unwrap();
        path.display().to_string()
    };
    HashMap::from([
        ("WECHATPAY_BASE_URL", server.base_url()),
        ("WECHATPAY_MCHID", keys::MERCHANT_ID.to_owned()),
        ("WECHATPAY_MCH_SERIAL", keys::MERCHANT_SERIAL.to_owned()),
        (
            "WECHATPAY_MCH_PRIVATE_KEY",
            write("merchant.pem", keys::MERCHANT_PRIVATE_KEY_PEM),
        ),
        ("WECHATPAY_PUBLIC_KEY_ID", keys::PUBLIC_KEY_ID.to_owned()),
        (
            "WECHATPAY_PUBLIC_KEY",
            write("wechatpay.pem", keys::WECHATPAY_PUBLIC_KEY_PEM),
        ),
        ("WECHATPAY_APPID", "wxd678efh567hg6787".to_owned()),
        (
            "WECHATPAY_OPENID",
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".to_owned(),
        ),
        ("WECHATPAY_BILL_DATE", "2024-11-25".to_owned()),
    ])
}

async fn run(env: &HashMap<&'static str, String>) -> (Result<(), String>, Vec<Value>) {
    let lookup = |name: &str| env.get(name).cloned();
    let mut out = Vec::new();
    let result = payment_example::run(&lookup, &mut out).await;
    let lines = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    (result, lines)
}

#[tokio::test]
async fn the_payment_example_runs_the_whole_lifecycle() {
    let server = server(&hex(digest(&SHA1_FOR_LEGACY_USE_ONLY, BILL).as_ref()));
    let (result, lines) = run(&environment(&server, "ok")).await;
    result.unwrap();
    assert_eq!(lines.len(), 5, "{lines:?}");
    let requests = server.requests();

    // 1. A JSAPI order of 1 fen.
    let out_trade_no = lines[0]["out_trade_no"].as_str().unwrap();
    assert_eq!(
        lines[0],
        json!({"step": "prepay", "out_trade_no": out_trade_no, "prepay_id": PREPAY_ID})
    );
    let order = requests[0].json.as_ref().unwrap();
    assert_eq!(order["out_trade_no"], out_trade_no);
    assert_eq!(order["amount"]["total"], 1);
    assert_eq!(order["appid"], "wxd678efh567hg6787");
    assert_eq!(order["mchid"], keys::MERCHANT_ID);
    assert_eq!(order["payer"]["openid"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");

    // 2. Pay parameters signed with the merchant key.
    let pay = &lines[1];
    assert_eq!(pay["step"], "request_payment");
    assert_eq!(pay["appId"], "wxd678efh567hg6787");
    assert_eq!(pay["package"], format!("prepay_id={PREPAY_ID}"));
    assert_eq!(pay["signType"], "RSA");
    let message = format!(
        "{}\n{}\n{}\n{}\n",
        pay["appId"].as_str().unwrap(),
        pay["timeStamp"].as_str().unwrap(),
        pay["nonceStr"].as_str().unwrap(),
        pay["package"].as_str().unwrap()
    );
    let merchant = WechatpayKey::public_key("merchant", keys::MERCHANT_PUBLIC_KEY_PEM).unwrap();
    assert!(merchant.verify(message.as_bytes(), pay["paySign"].as_str().unwrap()));

    // 3. The order queried by the number the example chose.
    assert_eq!(
        requests[1].url,
        format!(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={}",
            keys::MERCHANT_ID
        )
    );
    assert_eq!(
        lines[2],
        json!({"step": "query", "out_trade_no": "WXRS-ANSWERED", "trade_state": "SUCCESS",
               "transaction_id": "4200000000202411250000000001"})
    );

    // 4. A full refund of that order.
    let refund = requests[2].json.as_ref().unwrap();
    assert_eq!(refund["out_trade_no"], out_trade_no);
    assert_eq!(
        refund["amount"],
        json!({"refund": 1, "total": 1, "currency": "CNY"})
    );
    assert_eq!(
        lines[3],
        json!({"step": "refund", "out_refund_no": "WXRSR-ANSWERED", "status": "PROCESSING"})
    );

    // 5. The gzipped trade bill of the date, fetched from the configured host and checked.
    assert_eq!(
        requests[3].url,
        "/v3/bill/tradebill?bill_date=2024-11-25&tar_type=GZIP"
    );
    assert_eq!(requests[4].url, "/v3/billdownload/file?token=6XIv5TUP");
    assert_eq!(
        lines[4],
        json!({"step": "bill", "bytes": BILL.len(), "lines": 4})
    );
}

#[tokio::test]
async fn a_bill_that_does_not_match_its_hash_fails_after_the_refund() {
    let server = server(&"0".repeat(40));
    let (result, lines) = run(&environment(&server, "bad-hash")).await;
    let message = result.unwrap_err();
    assert!(message.starts_with("bill: "), "{message}");
    assert!(message.contains("discard"), "{message}");
    let steps: Vec<&str> = lines.iter().map(|l| l["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["prepay", "request_payment", "query", "refund"]);
}

#[tokio::test]
async fn missing_configuration_prints_nothing() {
    let server = server(&"0".repeat(40));
    let mut env = environment(&server, "missing");
    env.remove("WECHATPAY_OPENID");
    let (result, lines) = run(&env).await;
    assert_eq!(
        result.unwrap_err(),
        "environment variable WECHATPAY_OPENID is not set"
    );
    assert!(lines.is_empty());
    assert!(server.requests().is_empty());
}
