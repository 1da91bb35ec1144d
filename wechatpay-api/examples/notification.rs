//! Verifies and decrypts one received webhook notification.
//!
//! Reads `{"headers": {"Wechatpay-Serial": "…", …}, "body": "<raw body text>"}` on stdin and
//! prints the verified, decrypted notification as JSON on stdout:
//!
//! ```text
//! WECHATPAY_PUBLIC_KEY_ID=PUB_KEY_ID_… WECHATPAY_PUBLIC_KEY=pub_key.pem WECHATPAY_APIV3_KEY=… \
//!     cargo run -p wechatpay-api --example notification < received.json
//! ```
//!
//! | variable | meaning |
//! |---|---|
//! | `WECHATPAY_PUBLIC_KEY_ID`, `WECHATPAY_PUBLIC_KEY` | WeChat Pay public key id and PEM file |
//! | `WECHATPAY_PLATFORM_CERTIFICATE` | optional: a platform certificate PEM file (instead of, or besides, the public key) |
//! | `WECHATPAY_APIV3_KEY` | the 32-character APIv3 key |
//!
//! Anything forged, stale or undecryptable exits with status 1 and a readable error on stderr
//! (the reply WeChat Pay should get is printed too); bad input or configuration exits with 2.

use std::io::Read as _;
use std::process::ExitCode;

use serde_json::{Value, json};
use wechatpay_api::runtime::webhook::{WebhookError, WebhookHandler};
use wechatpay_api::runtime::{ApiV3Key, Error};

/// What went wrong, and which exit status it gets.
#[derive(Debug)]
pub enum Failure {
    /// Missing or unusable configuration, or input that is not the expected JSON (exit 2).
    Usage(String),
    /// The notification was rejected (exit 1).
    Rejected(WebhookError),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Usage(message) => f.write_str(message),
            Failure::Rejected(e) => {
                let reply = e.reply();
                write!(
                    f,
                    "rejected: {e}\nreply to WeChat Pay: HTTP {} {}",
                    reply.status,
                    reply.body.unwrap_or_default()
                )
            }
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Usage(e.to_string())
    }
}

/// Builds the handler from the environment (`var` looks a variable up).
pub fn handler_from_env(var: impl Fn(&str) -> Option<String>) -> Result<WebhookHandler, Failure> {
    let required = |name: &str| {
        var(name)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| Failure::Usage(format!("environment variable {name} is not set")))
    };
    let read = |name: &str, path: &str| {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("{name}: cannot read `{path}`: {e}")))
    };
    let apiv3_key = ApiV3Key::new(required("WECHATPAY_APIV3_KEY")?.trim())?;
    let mut handler = WebhookHandler::builder(apiv3_key);
    let certificate = var("WECHATPAY_PLATFORM_CERTIFICATE").filter(|v| !v.trim().is_empty());
    if let Some(path) = &certificate {
        handler = handler.platform_certificate(&read("WECHATPAY_PLATFORM_CERTIFICATE", path)?);
    }
    if certificate.is_none() || var("WECHATPAY_PUBLIC_KEY_ID").is_some() {
        let id = required("WECHATPAY_PUBLIC_KEY_ID")?;
        let path = required("WECHATPAY_PUBLIC_KEY")?;
        handler = handler.wechatpay_public_key(id.trim(), &read("WECHATPAY_PUBLIC_KEY", &path)?);
    }
    Ok(handler.build()?)
}

/// Verifies and decrypts the notification in `input`; returns the JSON to print.
pub fn run(handler: &WebhookHandler, input: &str) -> Result<String, Failure> {
    let input: Value = serde_json::from_str(input)
        .map_err(|e| Failure::Usage(format!("stdin is not JSON: {e}")))?;
    let Some(body) = input.get("body").and_then(Value::as_str) else {
        return Err(Failure::Usage(
            "stdin needs `body`: the raw body text, as a string".into(),
        ));
    };
    let Some(header_object) = input.get("headers").and_then(Value::as_object) else {
        return Err(Failure::Usage(
            "stdin needs `headers`: an object of header names to values".into(),
        ));
    };
    let mut headers = Vec::with_capacity(header_object.len());
    for (name, value) in header_object {
        let value = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => {
                return Err(Failure::Usage(format!(
                    "header `{name}` must be a string, not {other}"
                )));
            }
        };
        headers.push((name.clone(), value));
    }
    let notification = handler.handle(&headers, body).map_err(Failure::Rejected)?;
    let output = json!({
        "id": notification.id,
        "create_time": notification.create_time,
        "event_type": notification.event_type,
        "resource_type": notification.resource_type,
        "summary": notification.summary,
        "original_type": notification.original_type,
        "serial": notification.serial,
        "timestamp": notification.timestamp,
        "request_id": notification.request_id,
        "resource": notification.resource,
    });
    serde_json::to_string_pretty(&output).map_err(|e| Failure::Usage(e.to_string()))
}

fn main() -> ExitCode {
    let outcome = handler_from_env(|name| std::env::var(name).ok()).and_then(|handler| {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .map_err(|e| Failure::Usage(format!("cannot read stdin: {e}")))?;
        run(&handler, &input)
    });
    match outcome {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(match failure {
                Failure::Usage(_) => 2,
                Failure::Rejected(_) => 1,
            })
        }
    }
}
