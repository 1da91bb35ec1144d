//! Bill downloads against `gunzip -c FILE | sha1sum`, side by side on the same synthetic
//! gzip trade bills (CSV lines like WeChat Pay's, 10 MB and 100 MB uncompressed).
//!
//! ```text
//! cargo bench -p wechatpay-api --features test-server,blocking --bench bill
//! cargo bench -p wechatpay-api --features test-server,blocking --bench bill -- --runs 9 --sizes 10,100,300
//! ```
//!
//! For each size, each measured `--runs` times (default 5), medians reported:
//! - `shell`: `sh -c "gunzip -c FILE | sha1sum"` (gzip's gunzip and coreutils' sha1sum in two
//!   processes, so two cores), timed from outside.
//! - `pipeline`: the decode + hash + cap path alone: `bill::copy_verified` from the gzip file
//!   into `io::sink()`.
//! - `async` / `blocking`: the whole runtime path: a signed GET to the loopback test server,
//!   the answer streamed, gunzipped, hashed and written into a sink (`tokio::io::sink()` on a
//!   default multi-thread runtime, `std::io::sink()`).
//!
//! Each runtime measurement runs in a child process of its own, which times the call alone
//! (not start-up, key parsing, or the client's first request, which loads the system's root
//! certificates once per client) and reports its peak resident memory (`VmHWM` from
//! `/proc/self/status`). The test server, which holds the whole compressed file in memory,
//! runs in another child process, so the figures are the client's alone. Throughput is in
//! MB/s (10^6 bytes) of uncompressed bill; `peak RSS` is the largest `VmHWM` over the runs
//! (the process's baseline included); `ratio` is the shell pipeline's median time over
//! the measured path's median time (above 1: faster than the shell). Bills are generated
//! once into `CARGO_TARGET_TMPDIR/bill-bench/` and reused.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{Context, SHA1_FOR_LEGACY_USE_ONLY};
use flate2::Compression;
use flate2::write::GzEncoder;
use wechatpay_api::runtime::{BillFile, Client, HttpMethod, bill};
use wechatpay_api::testing::{Route, TestServer, keys};

const DOWNLOAD_URL: &str = "https://api.mch.weixin.qq.com/v3/billdownload/file?token=BENCH";
/// Asked (and answered 404) before the measured download: a client's first request loads
/// the system's root certificates (about 50 ms here), once per client, whatever it asks.
const WARM_UP_PATH: &str = "/v3/warm-up";
const MB: u64 = 1_000_000;
/// Bumped whenever the generator changes, so cached bills are made anew.
const GENERATOR_VERSION: u32 = 2;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("--child-serve") => serve(Path::new(&args[1])),
        Some("--child-pipeline") => report(pipeline(Path::new(&args[1]), &args[2])),
        Some("--child-async") => report(download_async(&args[1], &args[2])),
        Some("--child-blocking") => report(download_blocking(&args[1], &args[2])),
        _ => compare(&args),
    }
}

// ---- The parent: generate, run the children, compare. ----

struct Options {
    runs: usize,
    sizes_mb: Vec<u64>,
}

fn options(args: &[String]) -> Options {
    let mut options = Options {
        runs: 5,
        sizes_mb: vec![10, 100],
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--runs" => options.runs = value.parse().expect("--runs N"),
            "--sizes" => {
                options.sizes_mb = value
                    .split(',')
                    .map(|s| s.parse().expect("--sizes MB,MB,…"))
                    .collect()
            }
            other => panic!("unknown argument `{other}` (known: --runs N, --sizes MB,MB)"),
        }
    }
    options
}

/// One measured run: wall time, peak memory of the measuring process (if a child), digest.
struct Sample {
    elapsed: Duration,
    vmhwm_kb: Option<u64>,
    digest: String,
}

fn compare(args: &[String]) {
    let options = options(args);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bill-bench");
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "{:>6} {:<9} {:>10} {:>10} {:>7} {:>12}",
        "bill", "path", "median", "MB/s", "ratio", "peak RSS"
    );
    for &size_mb in &options.sizes_mb {
        let (path, digest, bytes) = bill_file(&dir, size_mb);
        let shell_samples = measure(options.runs, &digest, || shell(&path));
        let shell = median(&shell_samples);
        let line = |name: &str, samples: &[Sample]| {
            let median = median(samples);
            let peak = samples.iter().filter_map(|s| s.vmhwm_kb).max();
            println!(
                "{:>4}MB {:<9} {:>8.1}ms {:>10.0} {:>6.2}x {:>12}",
                size_mb,
                name,
                median.as_secs_f64() * 1e3,
                bytes as f64 / median.as_secs_f64() / MB as f64,
                shell.as_secs_f64() / median.as_secs_f64(),
                peak.map(|kb| format!("{:.1} MiB", kb as f64 / 1024.0))
                    .unwrap_or_else(|| "-".to_owned()),
            );
        };
        line("shell", &shell_samples);
        let file = path.to_str().unwrap();
        line(
            "pipeline",
            &measure(options.runs, &digest, || {
                child(&["--child-pipeline", file, &digest])
            }),
        );
        let server = Server::start(&path);
        for mode in ["async", "blocking"] {
            let flag = format!("--child-{mode}");
            line(
                mode,
                &measure(options.runs, &digest, || {
                    child(&[&flag, &server.base_url, &digest])
                }),
            );
        }
    }
}

fn measure(runs: usize, digest: &str, mut run: impl FnMut() -> Sample) -> Vec<Sample> {
    (0..runs)
        .map(|_| {
            let sample = run();
            assert_eq!(sample.digest, digest, "a run produced another digest");
            sample
        })
        .collect()
}

fn median(samples: &[Sample]) -> Duration {
    let mut times: Vec<Duration> = samples.iter().map(|s| s.elapsed).collect();
    times.sort();
    times[times.len() / 2]
}

fn shell(path: &Path) -> Sample {
    let start = Instant::now();
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("gunzip -c '{}' | sha1sum", path.display()))
        .output()
        .expect("sh runs");
    let elapsed = start.elapsed();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    Sample {
        elapsed,
        vmhwm_kb: None,
        digest: stdout
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn child(args: &[&str]) -> Sample {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(args)
        .output()
        .expect("the bench binary runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let field = |name: &str| {
        stdout
            .split_whitespace()
            .find_map(|f| f.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in `{stdout}`"))
            .to_owned()
    };
    Sample {
        elapsed: Duration::from_nanos(field("elapsed_ns=").parse().unwrap()),
        vmhwm_kb: Some(field("vmhwm_kb=").parse().unwrap()),
        digest: field("digest="),
    }
}

/// The test server in a child process, stopped when dropped (its stdin closes).
struct Server {
    process: std::process::Child,
    base_url: String,
}

impl Server {
    fn start(bill: &Path) -> Server {
        let mut process = Command::new(std::env::current_exe().unwrap())
            .arg("--child-serve")
            .arg(bill)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server child starts");
        let mut base_url = String::new();
        BufReader::new(process.stdout.take().unwrap())
            .read_line(&mut base_url)
            .unwrap();
        Server {
            process,
            base_url: base_url.trim().to_owned(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.process.stdin.take());
        let _ = self.process.wait();
    }
}

/// The gzip bill of `size_mb` MB uncompressed (generated once): path, SHA-1, size.
fn bill_file(dir: &Path, size_mb: u64) -> (PathBuf, String, u64) {
    let path = dir.join(format!("tradebill-{size_mb}MB-v{GENERATOR_VERSION}.csv.gz"));
    let sidecar = path.with_extension("gz.sha1");
    let cached = std::fs::read_to_string(&sidecar).unwrap_or_default();
    if let Some((digest, bytes)) = cached.trim().split_once(' ') {
        return (path, digest.to_owned(), bytes.parse().unwrap());
    }
    let mut out = HashingWriter {
        inner: GzEncoder::new(
            BufWriter::new(File::create(&path).unwrap()),
            Compression::default(),
        ),
        hasher: Context::new(&SHA1_FOR_LEGACY_USE_ONLY),
        bytes: 0,
    };
    write_trade_bill(&mut out, size_mb * MB).unwrap();
    let digest = hex(out.hasher.finish().as_ref());
    out.inner.finish().unwrap().flush().unwrap();
    std::fs::write(&sidecar, format!("{digest} {}\n", out.bytes)).unwrap();
    (path, digest, out.bytes)
}

struct HashingWriter<W> {
    inner: W,
    hasher: Context,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A trade bill: the header, rows of back-quoted fields with pseudo-random ids and amounts
/// until `target` bytes, then the summary WeChat Pay appends.
fn write_trade_bill(out: &mut impl Write, target: u64) -> std::io::Result<()> {
    const HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n";
    const BANKS: [&str; 6] = [
        "CMB_CREDIT",
        "ICBC_DEBIT",
        "CCB_DEBIT",
        "OTHERS",
        "ABC_DEBIT",
        "BOC_CREDIT",
    ];
    const GOODS: [&str; 5] = ["会员卡充值", "咖啡", "停车费", "商品", "外卖订单"];
    let mut out = BufWriter::with_capacity(1 << 16, out);
    out.write_all(HEADER.as_bytes())?;
    let mut written = HEADER.len() as u64;
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        // xorshift64*: deterministic, and random enough that ids do not compress away.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut row = 0u64;
    let mut total_cents = 0u64;
    let mut line = Vec::with_capacity(512);
    while written < target {
        let (r1, r2, r3) = (next(), next(), next());
        let seconds = row * 86_400 / (target / 250 + 1);
        let cents = 1 + r1 % 50_000;
        total_cents += cents;
        line.clear();
        write!(
            line,
            "`2024-11-25 {:02}:{:02}:{:02},`wx2421b1c4370ec43b,`1900000109,`0,`013467007045{:03},`42000{:05}{:018},`ORDER{:016X},`oUpF8u{:022X},`JSAPI,`SUCCESS,`{},`CNY,`{}.{:02},`0.00,`0,`0,`0.00,`0.00,`,`,`{},`,`{}.{:05},`0.60%,`{}.{:02},`0.00,`\r\n",
            seconds / 3600 % 24,
            seconds / 60 % 60,
            seconds % 60,
            r2 % 40,
            row % 100_000,
            r1 % 1_000_000_000_000_000_000,
            r3,
            // Customers come back: openids from a pool of 20 000.
            u128::from((r3 % 20_000).wrapping_mul(0x9e37_79b9_7f4a_7c15)) * 0x10_0001,
            BANKS[(r3 % 6) as usize],
            cents / 100,
            cents % 100,
            GOODS[(r2 % 5) as usize],
            cents * 6 / 100_000,
            cents * 6 % 100_000,
            cents / 100,
            cents % 100,
        )?;
        out.write_all(&line)?;
        written += line.len() as u64;
        row += 1;
    }
    write!(
        out,
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n`{row},`{}.{:02},`0.00,`0.00,`{}.{:02},`{}.{:02},`0.00\r\n",
        total_cents / 100,
        total_cents % 100,
        total_cents * 6 / 100_000,
        total_cents * 6 / 1000 % 100,
        total_cents / 100,
        total_cents % 100,
    )?;
    out.flush()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- The children. ----

/// Serves the gzip bill at the download path, prints the base URL, serves until stdin closes.
fn serve(bill: &Path) {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Get, "/v3/billdownload/file").respond_bytes(
            200,
            "application/octet-stream",
            std::fs::read(bill).unwrap(),
        ),
    );
    println!("{}", server.base_url());
    std::io::stdout().flush().unwrap();
    let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
}

fn gzip_bill(digest: &str) -> BillFile {
    BillFile::new(DOWNLOAD_URL, "SHA1", digest)
        .gzip()
        .timeout(Duration::from_secs(600))
}

fn pipeline(path: &Path, digest: &str) -> (Duration, String) {
    let mut file = File::open(path).unwrap();
    let start = Instant::now();
    let summary = bill::copy_verified(&gzip_bill(digest), &mut file, &mut std::io::sink()).unwrap();
    (start.elapsed(), summary.digest)
}

fn download_async(base_url: &str, digest: &str) -> (Duration, String) {
    let client = client_builder(base_url).build().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let _ = client.request(HttpMethod::Get, WARM_UP_PATH).await;
        let start = Instant::now();
        let summary = client
            .download_bill(&gzip_bill(digest), &mut tokio::io::sink())
            .await
            .unwrap();
        (start.elapsed(), summary.digest)
    })
}

fn download_blocking(base_url: &str, digest: &str) -> (Duration, String) {
    let client = client_builder(base_url).build_blocking().unwrap();
    let _ = client.request(HttpMethod::Get, WARM_UP_PATH).send();
    let start = Instant::now();
    let summary = client
        .download_bill(&gzip_bill(digest), &mut std::io::sink())
        .unwrap();
    (start.elapsed(), summary.digest)
}

fn client_builder(base_url: &str) -> wechatpay_api::runtime::ClientBuilder {
    Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
        .base_url(base_url)
}

/// Prints what the parent reads: time of the measured call, peak memory, digest.
fn report((elapsed, digest): (Duration, String)) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let vmhwm_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status");
    println!(
        "elapsed_ns={} vmhwm_kb={vmhwm_kb} digest={digest}",
        elapsed.as_nanos()
    );
}
