//! What a caller can see of a call: `send_with_meta` (status, `Request-ID`, headers) and the
//! `tracing` span of each call, captured by a hand-written subscriber that records every
//! span, field and event; sentinel values in bodies, path arguments, sensitive fields and
//! keys must appear in none of them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wechatpay_api::runtime::{HttpMethod, Operation, RetryPolicy};
use wechatpay_api::testing::{Misbehavior, Route, TestServer, keys};
use wechatpay_api::v3::pay::transactions::jsapi;
use wechatpay_api::v3::pay::transactions::out_trade_no::out_trade_no::{self, GetQuery};

// ---------------------------------------------------------------------------------------
// A subscriber that keeps everything.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct Captured {
    name: String,
    target: String,
    fields: BTreeMap<String, String>,
    /// For events: the span they belong to.
    parent: Option<u64>,
}

#[derive(Default)]
struct Capture {
    next_id: AtomicU64,
    spans: Mutex<BTreeMap<u64, Captured>>,
    events: Mutex<Vec<Captured>>,
    /// The span entered on this thread (the tests run one call at a time).
    current: Mutex<Vec<u64>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
}

#[derive(Clone, Default)]
struct Shared(Arc<Capture>);

impl Subscriber for Shared {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut captured = Captured {
            name: span.metadata().name().to_owned(),
            target: span.metadata().target().to_owned(),
            ..Default::default()
        };
        span.record(&mut Fields(&mut captured.fields));
        self.0.spans.lock().unwrap().insert(id, captured);
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(captured) = self.0.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(&mut captured.fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let parent = event
            .parent()
            .map(Id::into_u64)
            .or_else(|| self.0.current.lock().unwrap().last().copied());
        let mut captured = Captured {
            name: event.metadata().name().to_owned(),
            target: event.metadata().target().to_owned(),
            parent,
            ..Default::default()
        };
        event.record(&mut Fields(&mut captured.fields));
        self.0.events.lock().unwrap().push(captured);
    }
    fn enter(&self, span: &Id) {
        self.0.current.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, _: &Id) {
        self.0.current.lock().unwrap().pop();
    }
}

impl Shared {
    /// The `wechatpay.request` spans, in order of creation.
    fn calls(&self) -> Vec<(u64, Captured)> {
        self.0
            .spans
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, s)| s.name == "wechatpay.request")
            .map(|(id, s)| (*id, s.clone()))
            .collect()
    }

    /// The events recorded inside span `id`.
    fn events_of(&self, id: u64) -> Vec<Captured> {
        self.0
            .events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.parent == Some(id))
            .cloned()
            .collect()
    }

    /// Every text recorded: names, targets, field names and values of spans and events.
    fn everything(&self) -> String {
        let mut all = String::new();
        let spans = self.0.spans.lock().unwrap();
        let events = self.0.events.lock().unwrap();
        for captured in spans.values().chain(events.iter()) {
            all.push_str(&format!("{captured:?}\n"));
        }
        all
    }
}

// ---------------------------------------------------------------------------------------
// Sentinels and the server.
// ---------------------------------------------------------------------------------------

const SENTINEL_PATH: &str = "SENTINEL-PATH-c3f1";
const SENTINEL_BODY: &str = "SENTINEL-BODY-9a2e";
const SENTINEL_NAME: &str = "SENTINEL-NAME-71bd";
const SENTINEL_QUERY: &str = "1900SENTINEL77";
const SENTINEL_MESSAGE: &str = "SENTINEL-MESSAGE-5e0c";

fn server() -> TestServer {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(out_trade_no::Get::SPEC.method, out_trade_no::Get::SPEC.path).respond(
            200,
            json!({
                "appid": "wxd678efh567hg6787", "mchid": keys::MERCHANT_ID,
                "out_trade_no": SENTINEL_PATH, "trade_state": "SUCCESS",
                "amount": {"total": 100}
            }),
        ),
    );
    server.route(
        Route::new(jsapi::Post::SPEC.method, jsapi::Post::SPEC.path)
            .encrypted_request_fields(jsapi::Post::SPEC.encrypted_request_fields)
            .respond(
                200,
                json!({"prepay_id": "wx26112221580621e9b071c00d9e093b0000"}),
            ),
    );
    server
}

fn quick() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1))
}

fn order() -> jsapi::PostRequest {
    jsapi::PostRequest {
        appid: "wxd678efh567hg6787".into(),
        mchid: keys::MERCHANT_ID.into(),
        description: SENTINEL_BODY.into(),
        out_trade_no: "ORDER-1".into(),
        amount: jsapi::PostRequestAmount {
            total: 1,
            currency: Some("CNY".into()),
        },
        notify_url: "https://shop.example.com/notify".into(),
        payer: jsapi::PostRequestPayer {
            openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
            identity: Some(jsapi::PostRequestPayerIdentity {
                type_: jsapi::PostRequestPayerIdentityType::Idcard,
                number: "110101199003070000".into(),
                name: SENTINEL_NAME.into(),
            }),
        },
        ..Default::default()
    }
}

fn query() -> GetQuery {
    GetQuery {
        mchid: SENTINEL_QUERY.into(),
    }
}

/// No sentinel, key or signature anywhere in what was captured.
fn assert_no_secret(capture: &Shared, server: &TestServer) {
    let all = capture.everything();
    let mut secrets: Vec<String> = [
        SENTINEL_PATH,
        SENTINEL_BODY,
        SENTINEL_NAME,
        SENTINEL_QUERY,
        SENTINEL_MESSAGE,
        keys::APIV3_KEY,
        "110101199003070000",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // A line of the merchant private key's base64.
    secrets.push(
        keys::MERCHANT_PRIVATE_KEY_PEM
            .lines()
            .nth(3)
            .unwrap()
            .to_owned(),
    );
    // What `Authorization` carried: every signature and nonce the server saw.
    for request in server.requests() {
        secrets.push(request.authorization.signature.clone());
        secrets.push(request.authorization.nonce_str.clone());
        secrets.push("WECHATPAY2-SHA256-RSA2048".to_owned());
    }
    for secret in secrets {
        assert!(!all.contains(&secret), "`{secret}` was captured:\n{all}");
    }
}

// ---------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn send_with_meta_returns_the_request_id() {
    let server = server();
    let client = server.client_builder().build().unwrap();
    let answer = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(SENTINEL_PATH)
        .get(&query())
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.value.out_trade_no, SENTINEL_PATH);
    let request_id = answer.request_id.as_deref().expect("a Request-ID");
    assert!(request_id.starts_with("TEST-REQUEST-"), "{request_id}");
    assert_eq!(
        answer.headers.get("request-id").unwrap().to_str().unwrap(),
        request_id
    );
    assert!(answer.headers.contains_key("wechatpay-signature"));
    assert_eq!(
        answer
            .into_value()
            .trade_state
            .map(|s| s.as_str().to_owned()),
        Some("SUCCESS".to_owned())
    );
}

#[test]
fn the_blocking_client_returns_the_request_id_too() {
    let server = server();
    let client = server.client_builder().build_blocking().unwrap();
    let answer = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .send_with_meta()
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.value.prepay_id,
        "wx26112221580621e9b071c00d9e093b0000"
    );
    assert!(
        answer
            .request_id
            .as_deref()
            .is_some_and(|id| id.starts_with("TEST-REQUEST-"))
    );
}

#[tokio::test]
async fn each_call_is_one_span_with_the_path_template_and_no_secret() {
    let capture = Shared::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = server();
    let client = server.client_builder().retry(quick()).build().unwrap();

    // A query whose first attempt is dropped after reaching the server.
    server.misbehave_once(Misbehavior::DropConnection);
    let answer = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(SENTINEL_PATH)
        .get(&query())
        .send_with_meta()
        .await
        .unwrap();
    // An order with a sensitive field, encrypted on the way out.
    client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .await
        .unwrap();
    // An error answer whose message carries a sentinel.
    server.misbehave_once(Misbehavior::Error {
        status: 404,
        code: "ORDER_NOT_EXIST".into(),
        message: SENTINEL_MESSAGE.into(),
    });
    client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(SENTINEL_PATH)
        .get(&query())
        .await
        .unwrap_err();

    let calls = capture.calls();
    assert_eq!(calls.len(), 3, "one span per call: {calls:#?}");

    let (query_id, query_span) = &calls[0];
    let fields = &query_span.fields;
    assert_eq!(query_span.target, "wechatpay_api::request");
    assert_eq!(fields["method"], "GET");
    assert_eq!(
        fields["path"],
        "/v3/pay/transactions/out-trade-no/{out_trade_no}"
    );
    assert_eq!(fields["status"], "200");
    assert_eq!(
        Some(fields["request_id"].as_str()),
        answer.request_id.as_deref()
    );
    assert_eq!(fields["attempts"], "2");
    assert_eq!(fields["failover"], "false");
    assert_eq!(fields["outcome"], "ok");
    assert!(fields["latency_ms"].parse::<f64>().unwrap() > 0.0);
    assert!(!fields.contains_key("error"));
    let retries: Vec<_> = capture
        .events_of(*query_id)
        .into_iter()
        .filter(|e| e.fields.get("message").map(String::as_str) == Some("retrying"))
        .collect();
    assert_eq!(retries.len(), 1, "{retries:#?}");
    assert_eq!(retries[0].fields["attempt"], "1");
    assert_eq!(retries[0].fields["error"], "transport.request");

    let order_span = &calls[1].1.fields;
    assert_eq!(order_span["method"], "POST");
    assert_eq!(order_span["path"], "/v3/pay/transactions/jsapi");
    assert_eq!(order_span["attempts"], "1");
    assert_eq!(order_span["outcome"], "ok");

    let error_span = &calls[2].1.fields;
    assert_eq!(error_span["status"], "404");
    assert_eq!(error_span["outcome"], "error");
    assert_eq!(error_span["error"], "api");
    assert_eq!(error_span["code"], "ORDER_NOT_EXIST");
    assert!(error_span["request_id"].starts_with("TEST-REQUEST-"));

    assert_no_secret(&capture, &server);
}

#[test]
fn blocking_calls_and_dynamic_calls_are_spans_too() {
    let capture = Shared::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = server();
    let client = server
        .client_builder()
        .retry(quick())
        .build_blocking()
        .unwrap();
    client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .send()
        .unwrap();
    let answer = client
        .request(HttpMethod::Get, out_trade_no::Get::SPEC.path)
        .param("out_trade_no", SENTINEL_PATH)
        .query("mchid", SENTINEL_QUERY)
        .send()
        .unwrap();
    assert!(answer.request_id().is_some());

    let calls = capture.calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!(calls[0].1.fields["path"], "/v3/pay/transactions/jsapi");
    assert_eq!(calls[0].1.fields["outcome"], "ok");
    assert_eq!(
        calls[1].1.fields["path"],
        "/v3/pay/transactions/out-trade-no/{out_trade_no}"
    );
    assert_eq!(calls[1].1.fields["status"], "200");
    assert_no_secret(&capture, &server);
}

#[tokio::test]
async fn a_failover_is_in_the_span() {
    let capture = Shared::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let backup = server();
    let refusing = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let client = backup
        .client_builder()
        .base_url(refusing)
        .backup_base_url(backup.base_url())
        .build()
        .unwrap();
    client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .await
        .unwrap();
    let calls = capture.calls();
    assert_eq!(calls.len(), 1);
    let (id, span) = &calls[0];
    assert_eq!(span.fields["attempts"], "2");
    assert_eq!(span.fields["failover"], "true");
    let events = capture.events_of(*id);
    let retry = events
        .iter()
        .find(|e| e.fields.get("message").map(String::as_str) == Some("retrying"))
        .expect("the failover event");
    assert_eq!(retry.fields["error"], "transport.connect");
    assert_eq!(retry.fields["failover"], "true");
    assert_no_secret(&capture, &backup);
}

#[tokio::test]
async fn debug_output_never_shows_bodies_or_keys() {
    let server = server();
    let builder = server.client_builder();
    let client = server.client_builder().build().unwrap();
    let key_line = keys::MERCHANT_PRIVATE_KEY_PEM.lines().nth(3).unwrap();

    let call = client.v3().pay().transactions().jsapi().post(&order());
    let shown = format!("{call:?} {builder:?} {client:?}");
    for secret in [SENTINEL_BODY, SENTINEL_NAME, key_line] {
        assert!(!shown.contains(secret), "`{secret}` in {shown}");
    }
    assert!(shown.contains("/v3/pay/transactions/jsapi"), "{shown}");
    drop(call);

    let dynamic = client
        .request(HttpMethod::Get, out_trade_no::Get::SPEC.path)
        .param("out_trade_no", SENTINEL_PATH)
        .query("mchid", SENTINEL_QUERY);
    let shown = format!("{dynamic:?}");
    assert!(
        !shown.contains(SENTINEL_PATH) && !shown.contains(SENTINEL_QUERY),
        "{shown}"
    );
    let answer = dynamic.await.unwrap();
    let shown = format!("{answer:?}");
    assert!(!shown.contains(SENTINEL_PATH), "{shown}");

    // A proxy's credentials are never shown, by the pool or by its error.
    let http = wechatpay_api::runtime::HttpClient::builder()
        .proxy("http://user:SENTINEL-PASSWORD@127.0.0.1:3128")
        .build()
        .unwrap();
    assert!(!format!("{http:?}").contains("SENTINEL-PASSWORD"));
    let error = wechatpay_api::runtime::HttpClient::builder()
        .proxy("::not a url SENTINEL-PASSWORD")
        .build()
        .unwrap_err();
    assert!(!format!("{error} {error:?}").contains("SENTINEL-PASSWORD"));
}
