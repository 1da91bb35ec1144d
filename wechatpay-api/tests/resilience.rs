//! Retries, failover and shared HTTP pools, against the loopback test server: what is sent
//! again (and signed anew), what never is, where it goes when the first host is down.

use std::time::Duration;

use serde_json::json;
use wechatpay_api::runtime::{
    ClientBuilder, Error, HttpClient, HttpMethod, Operation, RetryPolicy, TransportErrorKind,
};
use wechatpay_api::testing::{Misbehavior, Route, TestServer, keys};
use wechatpay_api::v3::pay::transactions::jsapi;
use wechatpay_api::v3::pay::transactions::out_trade_no::out_trade_no::{self, GetQuery, close};

const OUT_TRADE_NO: &str = "1217752501201407033233368018";

/// Retries without waiting long: the backoff is what a test would otherwise spend.
fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

fn server() -> TestServer {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(out_trade_no::Get::SPEC.method, out_trade_no::Get::SPEC.path).respond(
            200,
            json!({
                "appid": "wxd678efh567hg6787", "mchid": keys::MERCHANT_ID,
                "out_trade_no": OUT_TRADE_NO, "trade_state": "SUCCESS",
                "amount": {"total": 100}
            }),
        ),
    );
    server.route(
        Route::new(jsapi::Post::SPEC.method, jsapi::Post::SPEC.path).respond(
            200,
            json!({"prepay_id": "wx26112221580621e9b071c00d9e093b0000"}),
        ),
    );
    server.route(Route::new(close::Post::SPEC.method, close::Post::SPEC.path));
    server
}

fn builder(server: &TestServer) -> ClientBuilder {
    server.client_builder().retry(quick())
}

fn query() -> GetQuery {
    GetQuery {
        mchid: keys::MERCHANT_ID.into(),
    }
}

fn order() -> jsapi::PostRequest {
    jsapi::PostRequest {
        appid: "wxd678efh567hg6787".into(),
        mchid: keys::MERCHANT_ID.into(),
        description: "Blue mug".into(),
        out_trade_no: OUT_TRADE_NO.into(),
        amount: jsapi::PostRequestAmount {
            total: 1,
            currency: Some("CNY".into()),
        },
        notify_url: "https://shop.example.com/notify".into(),
        payer: jsapi::PostRequestPayer {
            openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A loopback address where nothing listens: bound, then closed, so connecting is refused.
fn refusing_base_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// The nonces of the requests the server accepted, in order.
fn nonces(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| r.authorization.nonce_str.clone())
        .collect()
}

#[tokio::test]
async fn a_get_dropped_after_reaching_the_server_is_retried_and_signed_anew() {
    let server = server();
    server.misbehave_once(Misbehavior::DropConnection);
    let client = builder(&server).build().unwrap();
    let order = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&query())
        .await
        .unwrap();
    assert_eq!(order.out_trade_no, OUT_TRADE_NO);

    // The server saw (and checked the signature of) both attempts; the second carried its
    // own nonce and signature.
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let nonces = nonces(&server);
    assert_ne!(nonces[0], nonces[1]);
    assert_ne!(
        requests[0].authorization.signature,
        requests[1].authorization.signature
    );
    assert_eq!(requests[0].url, requests[1].url);
}

#[test]
fn the_blocking_client_retries_a_dropped_get_too() {
    let server = server();
    server.misbehave_once(Misbehavior::DropConnection);
    let client = builder(&server).build_blocking().unwrap();
    let order = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&query())
        .send()
        .unwrap();
    assert_eq!(order.out_trade_no, OUT_TRADE_NO);
    let nonces = nonces(&server);
    assert_eq!(nonces.len(), 2);
    assert_ne!(nonces[0], nonces[1]);
}

#[tokio::test]
async fn a_post_that_reached_the_server_is_not_sent_again() {
    let server = server();
    server.misbehave_once(Misbehavior::DropConnection);
    let client = builder(&server).build().unwrap();
    let error = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}");
    };
    assert!(transport.may_have_reached_server(), "{transport:?}");
    assert_ne!(transport.kind(), TransportErrorKind::Connect);
    assert!(error.is_retryable(), "retrying may succeed…");
    // …but the order may exist now: it was sent once, and only once.
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_blocking_client_does_not_resend_a_post_either() {
    let server = server();
    server.misbehave_once(Misbehavior::DropConnection);
    let client = builder(&server).build_blocking().unwrap();
    let result = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .send();
    assert!(matches!(result, Err(Error::Transport(_))), "{result:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_post_answered_5xx_is_not_sent_again() {
    let server = server();
    server.misbehave_once(Misbehavior::Error {
        status: 500,
        code: "SYSTEM_ERROR".into(),
        message: "busy".into(),
    });
    let client = builder(&server).build().unwrap();
    let error = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .await
        .unwrap_err();
    let api = error.as_api().expect("the error answer");
    assert_eq!(api.status, 500);
    assert!(api.is_verified() && error.is_retryable());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_post_marked_idempotent_is_sent_again_with_the_same_parameters() {
    let server = server();
    server.misbehave_once(Misbehavior::DropConnection);
    let client = builder(&server).build().unwrap();
    let answer = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .idempotent()
        .await
        .unwrap();
    assert_eq!(answer.prepay_id, "wx26112221580621e9b071c00d9e093b0000");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].json, requests[1].json, "the same order, twice");
    assert_ne!(
        requests[0].authorization.nonce_str,
        requests[1].authorization.nonce_str
    );
}

#[tokio::test]
async fn closing_an_order_is_retried_without_being_marked() {
    let server = server();
    server.misbehave_once(Misbehavior::DropConnection);
    let client = builder(&server).build().unwrap();
    let call = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .close()
        .post(&close::PostRequest {
            mchid: keys::MERCHANT_ID.into(),
        });
    assert!(call.is_idempotent());
    call.await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_get_that_timed_out_is_retried_and_a_post_is_not() {
    let server = server();
    let client = builder(&server)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    server.misbehave_once(Misbehavior::Slow(Duration::from_secs(2)));
    client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&query())
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 2);

    server.misbehave_once(Misbehavior::Slow(Duration::from_secs(2)));
    let error = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .await
        .unwrap_err();
    let transport = error.as_transport().expect("a transport error");
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    assert!(transport.is_timeout() && transport.may_have_reached_server());
    assert_eq!(server.requests().len(), 3, "the order was sent once");
}

#[tokio::test]
async fn a_get_answered_503_is_retried_until_the_limit() {
    let server = server();
    for _ in 0..3 {
        server.misbehave_once(Misbehavior::Error {
            status: 503,
            code: "SYSTEM_ERROR".into(),
            message: "busy".into(),
        });
    }
    let client = builder(&server).build().unwrap();
    let call = || {
        client
            .v3()
            .pay()
            .transactions()
            .out_trade_no()
            .out_trade_no(OUT_TRADE_NO)
            .get(&query())
    };
    // Three answers of 503: the first attempt and two retries; the last error is returned.
    let error = call().await.unwrap_err();
    assert_eq!(error.as_api().map(|api| api.status), Some(503));
    assert_eq!(server.requests().len(), 3);
    // The next call is answered at once.
    call().await.unwrap();
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_client_error_is_not_retried() {
    let server = server();
    server.misbehave_once(Misbehavior::Error {
        status: 404,
        code: "ORDER_NOT_EXIST".into(),
        message: "no such order".into(),
    });
    let client = builder(&server).build().unwrap();
    let error = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&query())
        .await
        .unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(
        api.code,
        Some(wechatpay_api::runtime::ApiErrorCode::OrderNotExist)
    );
    assert!(!error.is_retryable());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn no_retries_sends_once() {
    let server = server();
    server.misbehave_once(Misbehavior::DropConnection);
    let client = server.client_builder().no_retries().build().unwrap();
    let result = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&query())
        .await;
    assert!(matches!(result, Err(Error::Transport(_))), "{result:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn dynamic_calls_follow_the_same_rules() {
    let server = server();
    let client = builder(&server).build().unwrap();
    // A GET: retried.
    server.misbehave_once(Misbehavior::DropConnection);
    let answer = client
        .request(HttpMethod::Get, out_trade_no::Get::SPEC.path)
        .param("out_trade_no", OUT_TRADE_NO)
        .query("mchid", keys::MERCHANT_ID)
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.request_id().is_some());
    assert_eq!(server.requests().len(), 2);
    // A POST: not, unless marked.
    server.misbehave_once(Misbehavior::DropConnection);
    let post = || {
        client
            .request(HttpMethod::Post, jsapi::Post::SPEC.path)
            .json(&order())
    };
    assert!(post().await.is_err());
    assert_eq!(server.requests().len(), 3);
    server.misbehave_once(Misbehavior::DropConnection);
    post().idempotent().await.unwrap();
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn a_host_that_refuses_connections_fails_over_to_the_backup() {
    let backup = server();
    // Nothing reached the first host: even an order (a POST) goes to the backup at once,
    // with retries off.
    let client = backup
        .client_builder()
        .base_url(refusing_base_url())
        .backup_base_url(backup.base_url())
        .no_retries()
        .build()
        .unwrap();
    let answer = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .await
        .unwrap();
    assert_eq!(answer.prepay_id, "wx26112221580621e9b071c00d9e093b0000");
    assert_eq!(backup.requests().len(), 1);
}

#[test]
fn the_blocking_client_fails_over_too() {
    let backup = server();
    let client = backup
        .client_builder()
        .base_url(refusing_base_url())
        .backup_base_url(backup.base_url())
        .build_blocking()
        .unwrap();
    let order = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&query())
        .send()
        .unwrap();
    assert_eq!(order.out_trade_no, OUT_TRADE_NO);
    assert_eq!(backup.requests().len(), 1);
}

#[tokio::test]
async fn without_a_backup_a_refused_connection_is_a_connect_error() {
    let client = TestServer::builder()
        .start()
        .unwrap()
        .client_builder()
        .base_url(refusing_base_url())
        .retry(quick())
        .build()
        .unwrap();
    let error = client
        .v3()
        .pay()
        .transactions()
        .jsapi()
        .post(&order())
        .await
        .unwrap_err();
    let transport = error.as_transport().expect("a transport error");
    assert!(transport.is_connect() && !transport.may_have_reached_server());
    assert!(error.to_string().contains("cannot connect"), "{error}");
}

#[tokio::test]
async fn a_call_with_its_own_host_does_not_fail_over() {
    let backup = server();
    let client = backup
        .client_builder()
        .base_url(backup.base_url())
        .backup_base_url(backup.base_url())
        .retry(quick())
        .build()
        .unwrap();
    // The operation names its own host (`base_uri`, as the Hong Kong and global APIs do):
    // it keeps it, and its failure is returned.
    let result = client
        .request(HttpMethod::Get, out_trade_no::Get::SPEC.path)
        .base_uri(&refusing_base_url())
        .param("out_trade_no", OUT_TRADE_NO)
        .query("mchid", keys::MERCHANT_ID)
        .await;
    assert!(
        matches!(&result, Err(Error::Transport(t)) if t.is_connect()),
        "{result:?}"
    );
    assert!(backup.requests().is_empty());
}

#[tokio::test]
async fn a_backup_url_is_checked_like_the_base_url() {
    let server = server();
    let error = server
        .client_builder()
        .backup_base_url("http://api2.example.com")
        .build()
        .unwrap_err();
    let config = error.as_config().expect("a configuration error");
    assert_eq!(
        config.item,
        wechatpay_api::runtime::ConfigItem::BackupBaseUrl
    );
    assert!(config.message.contains("https"), "{config}");
}

#[tokio::test]
async fn merchants_share_one_http_pool() {
    const OTHER_MCHID: &str = "1900000002";
    let server = TestServer::builder()
        .add_merchant(
            OTHER_MCHID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PUBLIC_KEY_PEM,
        )
        .start()
        .unwrap();
    server.route(
        Route::new(jsapi::Post::SPEC.method, jsapi::Post::SPEC.path)
            .respond(200, json!({"prepay_id": "wx1"})),
    );
    let http = HttpClient::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let merchant = |mchid: &str, http: Option<&HttpClient>| {
        let builder = server.client_builder().merchant(
            mchid,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        );
        match http {
            Some(http) => builder.http_client(http.clone()),
            None => builder,
        }
        .build()
        .unwrap()
    };
    let first = merchant(keys::MERCHANT_ID, Some(&http));
    let second = merchant(OTHER_MCHID, Some(&http));
    for client in [&first, &second, &first, &second] {
        let mut order = order();
        order.mchid = client.mchid().into();
        client
            .v3()
            .pay()
            .transactions()
            .jsapi()
            .post(&order)
            .await
            .unwrap();
    }
    let signers: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.authorization.mchid.clone())
        .collect();
    assert_eq!(
        signers,
        [
            keys::MERCHANT_ID,
            OTHER_MCHID,
            keys::MERCHANT_ID,
            OTHER_MCHID
        ]
    );
    // Each merchant signed its own requests, and all four went over one kept-alive
    // connection of the shared pool.
    assert_eq!(server.connections(), 1);

    // Two clients with pools of their own open a connection each.
    let third = merchant(keys::MERCHANT_ID, None);
    let fourth = merchant(OTHER_MCHID, None);
    for client in [&third, &fourth] {
        client
            .v3()
            .pay()
            .transactions()
            .jsapi()
            .post(&order())
            .await
            .unwrap();
    }
    assert_eq!(server.connections(), 3);
}

#[tokio::test]
async fn the_retry_deadline_bounds_the_attempts() {
    let server = server();
    for _ in 0..3 {
        server.misbehave_once(Misbehavior::Error {
            status: 503,
            code: "SYSTEM_ERROR".into(),
            message: "busy".into(),
        });
    }
    // Backoff of 200 ms, deadline of 100 ms: no retry fits.
    let client = server
        .client_builder()
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(200))
                .deadline(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let result = client
        .v3()
        .pay()
        .transactions()
        .out_trade_no()
        .out_trade_no(OUT_TRADE_NO)
        .get(&query())
        .await;
    assert!(result.is_err());
    assert_eq!(server.requests().len(), 1);
}
