//! A whole JSAPI payment, one compact JSON object per step on stdout:
//!
//! 1. `{"step":"prepay","out_trade_no":…,"prepay_id":…}`: a JSAPI order of 1 fen;
//! 2. `{"step":"request_payment","appId":…,"timeStamp":…,"nonceStr":…,"package":…,"signType":"RSA","paySign":…}`;
//! 3. `{"step":"query","out_trade_no":…,"trade_state":…,"transaction_id":…}`;
//! 4. `{"step":"refund","out_refund_no":…,"status":…}`: a full refund;
//! 5. `{"step":"bill","bytes":N,"lines":N}`: the trade bill of `WECHATPAY_BILL_DATE`, asked for
//!    gzipped, streamed, gunzipped and checked against its SHA-1.
//!
//! Anything that fails exits non-zero with the reason on stderr, and no later step is printed.
//!
//! Configured from the environment: `WECHATPAY_BASE_URL` (default the real host),
//! `WECHATPAY_MCHID`, `WECHATPAY_MCH_SERIAL`, `WECHATPAY_MCH_PRIVATE_KEY` (PEM file),
//! `WECHATPAY_PUBLIC_KEY_ID`, `WECHATPAY_PUBLIC_KEY` (PEM file), `WECHATPAY_APPID`,
//! `WECHATPAY_OPENID`, `WECHATPAY_BILL_DATE` (`YYYY-MM-DD`, default yesterday in Beijing time)
//! and, optionally, `WECHATPAY_NOTIFY_URL` (where payment notifications go).
//!
//! ```text
//! cargo run -p wechatpay-api --example payment
//! ```

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;
use wechatpay_api::runtime::verify::unix_now;
use wechatpay_api::runtime::{BillFile, Client, Error, beijing_time, client::DEFAULT_BASE_URL};
use wechatpay_api::v3::bill::tradebill::{GetQuery as BillQuery, GetQueryTarType};
use wechatpay_api::v3::pay::transactions::jsapi::{
    PostRequest as Order, PostRequestAmount as OrderAmount, PostRequestPayer as Payer,
};
use wechatpay_api::v3::pay::transactions::out_trade_no::out_trade_no::GetQuery as OrderQuery;
use wechatpay_api::v3::refund::domestic::refunds::{
    PostRequest as RefundRequest, PostRequestAmount as RefundAmount,
};

/// Where notifications go when `WECHATPAY_NOTIFY_URL` is not set (WeChat Pay requires one).
const DEFAULT_NOTIFY_URL: &str = "https://example.com/wechatpay/notify";

/// Reads configuration by name (the process environment, or a map in tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn required(env: Env<'_>, name: &str) -> Result<String, String> {
    env(name).ok_or_else(|| format!("environment variable {name} is not set"))
}

fn pem_file(env: Env<'_>, name: &str) -> Result<String, String> {
    let path = required(env, name)?;
    std::fs::read_to_string(&path).map_err(|e| format!("{name}: cannot read `{path}`: {e}"))
}

fn step(name: &str, error: Error) -> String {
    format!("{name}: {error}")
}

/// One output line: `{"step":…, <fields>}`.
#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    step: &'a str,
    #[serde(flatten)]
    fields: T,
}

fn print<T: Serialize>(out: &mut dyn Write, step: &str, fields: T) -> Result<(), String> {
    let line = serde_json::to_string(&Line { step, fields }).map_err(|e| e.to_string())?;
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| format!("stdout: {e}"))
}

/// Counts bytes and lines of what passes through; a final line break starts no new line.
#[derive(Default)]
struct LineCounter {
    bytes: u64,
    breaks: u64,
    ends_with_break: bool,
}

impl LineCounter {
    fn lines(&self) -> u64 {
        self.breaks + u64::from(self.bytes > 0 && !self.ends_with_break)
    }
}

impl Write for LineCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(&last) = buf.last() {
            self.bytes += buf.len() as u64;
            self.breaks += buf.iter().filter(|&&b| b == b'\n').count() as u64;
            self.ends_with_break = last == b'\n';
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn client(env: Env<'_>) -> Result<Client, String> {
    Client::builder()
        .merchant(
            required(env, "WECHATPAY_MCHID")?,
            required(env, "WECHATPAY_MCH_SERIAL")?,
            &pem_file(env, "WECHATPAY_MCH_PRIVATE_KEY")?,
        )
        .wechatpay_public_key(
            required(env, "WECHATPAY_PUBLIC_KEY_ID")?,
            &pem_file(env, "WECHATPAY_PUBLIC_KEY")?,
        )
        .base_url(env("WECHATPAY_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.into()))
        .build()
        .map_err(|e| format!("client: {e}"))
}

/// Runs the five steps, printing each line to `out` as soon as its step succeeded.
pub async fn run(env: Env<'_>, out: &mut dyn Write) -> Result<(), String> {
    let client = client(env)?;
    let appid = required(env, "WECHATPAY_APPID")?;
    let openid = required(env, "WECHATPAY_OPENID")?;
    let now = unix_now();
    let bill_date = env("WECHATPAY_BILL_DATE").unwrap_or_else(|| beijing_time::date(now - 86_400));
    let suffix = wechatpay_api::runtime::signing::nonce().map_err(|e| step("nonce", e))?;
    let out_trade_no = format!("WXRS{now}{}", &suffix[..8]);
    let out_refund_no = format!("WXRSR{now}{}", &suffix[8..16]);

    // The required fields in documented order; the optional ones start as `None`.
    let order = Order::new(
        &appid,
        client.mchid(),
        "wechatpay-rs payment example",
        &out_trade_no,
        OrderAmount {
            currency: Some("CNY".into()),
            ..OrderAmount::new(1)
        },
        env("WECHATPAY_NOTIFY_URL").unwrap_or_else(|| DEFAULT_NOTIFY_URL.into()),
        Payer::new(openid),
    );
    let prepay = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order)
        .await
        .map_err(|e| step("prepay", e))?;
    print(
        out,
        "prepay",
        serde_json::json!({"out_trade_no": out_trade_no, "prepay_id": prepay.prepay_id}),
    )?;

    let pay_params = client
        .jsapi_pay_params(&appid, &prepay.prepay_id)
        .map_err(|e| step("request_payment", e))?;
    print(out, "request_payment", &pay_params)?;

    let order = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(&out_trade_no)
        .get(&OrderQuery::new(client.mchid()))
        .await
        .map_err(|e| step("query", e))?;
    print(
        out,
        "query",
        serde_json::json!({
            "out_trade_no": order.out_trade_no,
            "trade_state": order.trade_state.as_ref().map(|s| s.as_str()),
            "transaction_id": order.transaction_id,
        }),
    )?;

    let refund = client
        .v3()
        .refund()
        .domestic()
        .refunds()
        .post(&RefundRequest {
            out_trade_no: Some(out_trade_no.clone()),
            ..RefundRequest::new(
                out_refund_no,
                RefundAmount::new(order.amount.total, order.amount.total, "CNY"),
            )
        })
        .await
        .map_err(|e| step("refund", e))?;
    print(
        out,
        "refund",
        serde_json::json!({
            "out_refund_no": refund.out_refund_no,
            "status": refund.status.as_ref().map(|s| s.as_str()),
        }),
    )?;

    let answer = client
        .v3()
        .bill()
        .tradebill()
        .get(&BillQuery {
            tar_type: Some(GetQueryTarType::Gzip),
            ..BillQuery::new(bill_date)
        })
        .await
        .map_err(|e| step("bill", e))?;
    let mut counter = LineCounter::default();
    let summary = client
        .download_bill(
            &BillFile::from(&answer).gzip(),
            &mut AsyncSink(&mut counter),
        )
        .await
        .map_err(|e| step("bill", e))?;
    print(
        out,
        "bill",
        serde_json::json!({"bytes": summary.bytes, "lines": counter.lines()}),
    )
}

/// Adapts a `Write` that never blocks (the line counter) to `AsyncWrite`.
struct AsyncSink<'a, W: Write>(&'a mut W);

impl<W: Write + Unpin> tokio::io::AsyncWrite for AsyncSink<'_, W> {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::task::Poll::Ready(self.get_mut().0.write(buf))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(self.get_mut().0.flush())
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

#[allow(dead_code)] // a test includes this file as a module and calls `run`
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let env = |name: &str| std::env::var(name).ok();
    match run(&env, &mut std::io::stdout().lock()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("payment: {message}");
            ExitCode::FAILURE
        }
    }
}
