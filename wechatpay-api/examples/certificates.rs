//! Downloads the WeChat Pay platform certificates with nothing but the merchant key and the
//! APIv3 key (no WeChat Pay key is given: the answer is checked against the certificates it
//! carries, which the APIv3 key authenticates), and saves the valid ones.
//!
//! ```text
//! cargo run -p wechatpay-api --example certificates -- OUT_DIR
//! ```
//!
//! Reads `WECHATPAY_BASE_URL` (default the real host), `WECHATPAY_MCHID`,
//! `WECHATPAY_MCH_SERIAL`, `WECHATPAY_MCH_PRIVATE_KEY` (a PEM path) and `WECHATPAY_APIV3_KEY`.
//! Writes `OUT_DIR/<serial_no>.pem` for every certificate valid now and prints one JSON line
//! per saved certificate (`serial_no`, `not_after`, `path`); certificates outside their
//! validity period are reported on stderr and not saved. When the answer's signature does not
//! verify or a certificate does not decrypt, it exits non-zero having written nothing.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use wechatpay_api::runtime::verify::unix_now;
use wechatpay_api::runtime::{ApiV3Key, Client, beijing_time, client::DEFAULT_BASE_URL};

/// Reads configuration by name (the process environment, or a map in tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn required(env: Env<'_>, name: &str) -> Result<String, String> {
    env(name).ok_or_else(|| format!("environment variable {name} is not set"))
}

/// Downloads, checks and saves; `out` gets the JSON lines, `report` the skipped certificates.
pub async fn run(
    env: Env<'_>,
    out_dir: &Path,
    out: &mut dyn Write,
    report: &mut dyn Write,
) -> Result<(), String> {
    let key_path = required(env, "WECHATPAY_MCH_PRIVATE_KEY")?;
    let private_key = std::fs::read_to_string(&key_path)
        .map_err(|e| format!("WECHATPAY_MCH_PRIVATE_KEY: cannot read `{key_path}`: {e}"))?;
    let apiv3_key = ApiV3Key::new(required(env, "WECHATPAY_APIV3_KEY")?)
        .map_err(|e| format!("WECHATPAY_APIV3_KEY: {e}"))?;
    let client = Client::builder()
        .merchant(
            required(env, "WECHATPAY_MCHID")?,
            required(env, "WECHATPAY_MCH_SERIAL")?,
            &private_key,
        )
        .download_certificates(apiv3_key)
        .base_url(env("WECHATPAY_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.into()))
        .build()
        .map_err(|e| format!("client: {e}"))?;

    // Nothing is written unless the whole answer passed every check.
    let downloaded = client
        .refresh_certificates()
        .await
        .map_err(|e| format!("download: {e}"))?;
    let now = unix_now();
    for skipped in &downloaded.out_of_validity {
        let why = if skipped.not_after < now {
            "expired"
        } else {
            "not yet valid"
        };
        writeln!(
            report,
            "skipped {} ({why}: valid {} to {})",
            skipped.serial_no,
            beijing_time::rfc3339(skipped.not_before),
            beijing_time::rfc3339(skipped.not_after)
        )
        .map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("cannot create `{}`: {e}", out_dir.display()))?;
    for certificate in &downloaded.valid {
        let path = out_dir.join(format!("{}.pem", certificate.serial_no));
        std::fs::write(&path, &certificate.pem)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        let line = serde_json::json!({
            "serial_no": certificate.serial_no,
            "not_after": beijing_time::rfc3339(certificate.not_after),
            "path": path.display().to_string(),
        });
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[allow(dead_code)] // a test includes this file as a module and calls `run`
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(out_dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: cargo run -p wechatpay-api --example certificates -- OUT_DIR");
        return ExitCode::from(2);
    };
    let env = |name: &str| std::env::var(name).ok();
    let result = run(
        &env,
        Path::new(&out_dir),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("certificates: {message}");
            ExitCode::FAILURE
        }
    }
}
