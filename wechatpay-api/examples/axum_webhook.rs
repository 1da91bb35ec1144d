//! The webhook handler mounted in axum: `POST /wechatpay/notify` verifies and decrypts each
//! notification and answers WeChat Pay as it expects (`200 {"code":"SUCCESS",…}`, or 4XX/5XX
//! with `{"code":"FAIL","message":…}` so that it sends the notification again).
//!
//! ```text
//! WECHATPAY_PUBLIC_KEY_ID=PUB_KEY_ID_… WECHATPAY_PUBLIC_KEY=pub_key.pem WECHATPAY_APIV3_KEY=… \
//!     LISTEN=127.0.0.1:8080 cargo run -p wechatpay-api --example axum_webhook
//! ```
//!
//! axum is only a dev-dependency of this crate: `WebhookHandler` takes any header container and
//! the raw body bytes, so the same few lines work in any framework. Hand it the body exactly as
//! received (`Bytes`), never a re-serialised JSON value: the signature covers the exact bytes.

use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use wechatpay_api::runtime::ApiV3Key;
use wechatpay_api::runtime::webhook::{Notification, Reply, WebhookHandler};

/// The app: one route for WeChat Pay's notifications.
pub fn router(handler: WebhookHandler) -> Router {
    Router::new()
        .route("/wechatpay/notify", post(notify))
        .with_state(Arc::new(handler))
}

async fn notify(
    State(handler): State<Arc<WebhookHandler>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply = match handler.handle(&headers, &body) {
        Ok(notification) => {
            // Business logic goes here. The same notification may arrive more than once: check
            // `notification.id` / the order state before acting, and answer success again.
            println!("{}", log_line(&notification));
            Reply::success()
        }
        Err(e) => {
            eprintln!("rejected notification: {e}");
            e.reply()
        }
    };
    into_response(reply)
}

/// What the example logs of a notification: its id, event type and size, never the decrypted
/// resource (order details, payer ids, amounts) that logs would keep.
pub fn log_line(notification: &Notification) -> String {
    format!(
        "{} {} ({} bytes decrypted)",
        notification.id,
        notification.event_type,
        notification.plaintext.len()
    )
}

fn into_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match reply.body {
        Some(body) => (status, [(header::CONTENT_TYPE, Reply::CONTENT_TYPE)], body).into_response(),
        None => status.into_response(),
    }
}

fn handler_from_env() -> Result<WebhookHandler, String> {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("environment variable {name} is not set"))
    };
    let pem_path = var("WECHATPAY_PUBLIC_KEY")?;
    let pem = std::fs::read_to_string(&pem_path)
        .map_err(|e| format!("WECHATPAY_PUBLIC_KEY: cannot read `{pem_path}`: {e}"))?;
    let key = ApiV3Key::new(var("WECHATPAY_APIV3_KEY")?.trim()).map_err(|e| e.to_string())?;
    WebhookHandler::builder(key)
        .wechatpay_public_key(var("WECHATPAY_PUBLIC_KEY_ID")?.trim(), &pem)
        .build()
        .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let handler = match handler_from_env() {
        Ok(handler) => handler,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("listening on http://{listen}/wechatpay/notify");
    match axum::serve(listener, router(handler)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
