//! The client against servers that behave as an attacker or a broken proxy would: real
//! loopback servers (the test server told to misbehave, or a plain `TcpListener` writing raw
//! HTTP where the test server cannot misbehave that way), and the test server fed hostile
//! requests.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use wechatpay_api::runtime::signing::{AuthorizationHeader, nonce, sign_request};
use wechatpay_api::runtime::{
    ApiError, ApiV3Key, BillFile, Call, Client, ClientBuilder, Error, ErrorAuthenticity,
    HttpMethod, Json, MerchantPrivateKey, Operation, OperationSpec, PathArgs, RequestBodyKind,
    ResponseBodyKind, VerifyError,
};
use wechatpay_api::testing::{Misbehavior, Route, TestServer, keys};
use wechatpay_api::v3::pay::transactions::out_trade_no::out_trade_no::GetQuery;

// ---------------------------------------------------------------------------------------
// A raw loopback server: it reports every connection it accepts, and answers each with
// whatever its handler writes.
// ---------------------------------------------------------------------------------------

struct RawServer {
    addr: SocketAddr,
    accepted: mpsc::UnboundedReceiver<SocketAddr>,
}

impl RawServer {
    async fn start<F, Fut>(handler: F) -> RawServer
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (report, accepted) = mpsc::unbounded_channel();
        let handler = Arc::new(handler);
        tokio::spawn(async move {
            while let Ok((stream, peer)) = listener.accept().await {
                let _ = report.send(peer);
                tokio::spawn(handler(stream));
            }
        });
        RawServer { addr, accepted }
    }

    /// A server that accepts connections and never answers.
    async fn silent() -> RawServer {
        RawServer::start(|stream| async move {
            let _held = stream;
            std::future::pending::<()>().await;
        })
        .await
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Asserts that no connection reached the server so far: a probe connection is made,
    /// and it must be the first one the server accepted (its accept queue is in order).
    async fn assert_no_connection(&mut self, context: &str) {
        let probe = TcpStream::connect(self.addr).await.unwrap();
        let first = self.accepted.recv().await.unwrap();
        assert_eq!(
            first,
            probe.local_addr().unwrap(),
            "{context}: a connection reached the server"
        );
    }
}

/// Reads one request (head and `Content-Length` body); `None` when the peer closed first.
async fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = data[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some((head, body))
}

/// A server answering every request with `head` (status line and headers) and an empty body.
async fn answering(head: String) -> RawServer {
    RawServer::start(move |mut stream| {
        let answer = format!("{head}Content-Length: 0\r\n\r\n");
        async move {
            while read_request(&mut stream).await.is_some() {
                if stream.write_all(answer.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    })
    .await
}

/// A server answering every request with `status` and a chunked body of `total` bytes made up
/// on the fly (one 64 KiB buffer, written again and again), until the client hangs up. Each
/// connection reports the body bytes it managed to write.
async fn streaming(status: u16, total: u64) -> (RawServer, mpsc::UnboundedReceiver<u64>) {
    let (report, written) = mpsc::unbounded_channel();
    let server = RawServer::start(move |mut stream| {
        let report = report.clone();
        async move {
            let mut sent = 0u64;
            if read_request(&mut stream).await.is_some() {
                let head = format!(
                    "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\n\
                     Transfer-Encoding: chunked\r\n\r\n"
                );
                let chunk = [b' '; 64 * 1024];
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                if stream.write_all(head.as_bytes()).await.is_ok() {
                    while sent < total && stream.write_all(&framed).await.is_ok() {
                        sent += chunk.len() as u64;
                    }
                    let _ = stream.write_all(b"0\r\n\r\n").await;
                }
            }
            let _ = report.send(sent);
        }
    })
    .await;
    (server, written)
}

/// A client of the test merchant that downloads the platform certificates from `base_url`.
fn downloading_client(base_url: &str) -> Client {
    Client::builder()
        .merchant(
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            keys::MERCHANT_PRIVATE_KEY_PEM,
        )
        .download_certificates(ApiV3Key::new(keys::APIV3_KEY).unwrap())
        .base_url(base_url)
        .build()
        .unwrap()
}

/// A client of the test merchant sending everything to `base_url`.
fn client_for(base_url: &str) -> Client {
    merchant(keys::MERCHANT_ID, keys::MERCHANT_SERIAL)
        .base_url(base_url)
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// The test server itself, fed hostile requests.
// ---------------------------------------------------------------------------------------

/// A signed request whose timestamp is `i64::MIN`: the test server refuses it as expired
/// (`401`) instead of overflowing on `now - timestamp`.
#[tokio::test]
async fn test_server_refuses_a_timestamp_at_i64_min() {
    let server = TestServer::builder().start().unwrap();
    server.route(Route::new(HttpMethod::Get, "/v3/ping").respond(200, serde_json::json!({})));
    let key = MerchantPrivateKey::from_pem(keys::MERCHANT_PRIVATE_KEY_PEM).unwrap();
    for timestamp in [i64::MIN, i64::MAX] {
        let authorization = sign_request(
            &key,
            keys::MERCHANT_ID,
            keys::MERCHANT_SERIAL,
            "GET",
            "/v3/ping",
            timestamp,
            &nonce().unwrap(),
            b"",
        )
        .unwrap();
        let answer = reqwest::Client::new()
            .get(format!("{}/v3/ping", server.base_url()))
            .header("Authorization", authorization)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("timestamp {timestamp}: the server dropped the request: {e}")
            });
        assert_eq!(answer.status().as_u16(), 401, "timestamp {timestamp}");
        let body: serde_json::Value =
            serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
        assert_eq!(body["code"], "SIGN_ERROR", "{body}");
        assert_eq!(body["message"], "timestamp expired", "{body}");
    }
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------------------------------
// Configuration that would end up in the Authorization header.
// ---------------------------------------------------------------------------------------

fn merchant(mchid: &str, serial: &str) -> ClientBuilder {
    Client::builder()
        .merchant(mchid, serial, keys::MERCHANT_PRIVATE_KEY_PEM)
        .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
}

/// `mchid` and the merchant serial are quoted into `Authorization`: a quote or comma in them
/// would add a second `serial_no` (or any parameter). Only digits, and `[0-9A-Za-z_]`, build.
#[test]
fn authorization_parameters_cannot_be_injected_from_configuration() {
    for mchid in [
        "1900000001\",serial_no=\"EVIL",
        "1900000001\"",
        "1900000001,nonce_str=\"x\"",
        "1900000001\r\nX-Evil: 1",
        "19000 0001",
        "１９０００００００１",
        "",
    ] {
        let err = merchant(mchid, keys::MERCHANT_SERIAL).build().unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.message.contains("merchant id")),
            "{mchid:?}: {err:?}"
        );
    }
    for serial in [
        "1DDE55AD\",serial_no=\"EVIL",
        "1DDE55AD\"",
        "1DDE55AD,mchid=\"1\"",
        "1DDE 55AD",
        "1DDE-55AD",
        "1DDE55AD\n",
        "",
    ] {
        let err = merchant(keys::MERCHANT_ID, serial).build().unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.message.contains("serial")),
            "{serial:?}: {err:?}"
        );
    }
    merchant(keys::MERCHANT_ID, keys::MERCHANT_SERIAL)
        .build()
        .unwrap();
    merchant("1900000001", "Serial_0123abc").build().unwrap();
}

// ---------------------------------------------------------------------------------------
// A prepared request cannot change after signing.
// ---------------------------------------------------------------------------------------

/// Its parts are read-only, `execute` sends exactly them, and `Debug` hides `Authorization`.
#[tokio::test]
async fn a_prepared_request_is_sent_as_signed_and_its_debug_hides_authorization() {
    let server = TestServer::builder().start().unwrap();
    server.route(Route::new(HttpMethod::Post, "/v3/things/{id}").respond(200, json!({"ok": 1})));
    let client = server.client_builder().build().unwrap();
    let prepared = client
        .request(HttpMethod::Post, "/v3/things/{id}")
        .param("id", "A 1")
        .query("q", "x")
        .json(&json!({"a": 1}))
        .prepare()
        .unwrap();
    assert_eq!(prepared.method(), HttpMethod::Post);
    assert_eq!(prepared.signed_url(), "/v3/things/A%201?q=x");
    assert_eq!(
        prepared.url(),
        format!("{}/v3/things/A%201?q=x", server.base_url())
    );
    assert_eq!(prepared.body(), br#"{"a":1}"#);

    let authorization = prepared.headers()["authorization"].to_str().unwrap();
    let signature = AuthorizationHeader::parse(authorization).unwrap().signature;
    let debug = format!("{prepared:?}");
    assert!(!debug.contains(&signature), "{debug}");
    assert!(!debug.contains("WECHATPAY2"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");

    let (signed_url, body) = (prepared.signed_url().to_owned(), prepared.body().to_vec());
    let answer = client.execute(prepared).await.unwrap();
    assert_eq!(
        answer.json::<serde_json::Value>().unwrap(),
        json!({"ok": 1})
    );
    let received = server.requests();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].url, signed_url);
    assert_eq!(received[0].body, body);
}

// ---------------------------------------------------------------------------------------
// Path arguments and base URIs cannot move the request away from what is signed.
// ---------------------------------------------------------------------------------------

const DOT_SEGMENTS: &[&str] = &[
    "..",
    ".",
    "%2e%2e",
    "%2E%2E",
    "%2e",
    "%2E",
    ".%2e",
    "%2e.",
    "%2E.",
    ".%2E",
    "%252e%252e",
    "%25252E",
];

/// `out_trade_no = ".."` would be signed as `/v3/pay/transactions/out-trade-no/..` but sent
/// to `/v3/pay/transactions/`: every dot segment, percent-encoded or not, is refused before
/// any byte is sent, naming the placeholder.
#[tokio::test]
async fn dot_segment_path_arguments_are_refused_before_sending() {
    let mut server = RawServer::silent().await;
    let client = client_for(&server.base_url());
    for arg in DOT_SEGMENTS {
        let err = client
            .v3()
            .pay()
            .transactions()
            .out_trade_no()
            .out_trade_no(*arg)
            .get(&GetQuery {
                mchid: keys::MERCHANT_ID.into(),
            })
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.message.contains("{out_trade_no}") && m.message.contains("`..`")),
            "{arg}: {err:?}"
        );
        let err = client
            .request(HttpMethod::Get, "/v3/things/{id}/detail")
            .param("id", arg)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.message.contains("{id}")),
            "{arg}: {err:?}"
        );
    }
    server.assert_no_connection("dot segments").await;

    // Dots inside a value are fine, and encoded as they are.
    let prepared = client
        .request(HttpMethod::Get, "/v3/things/{id}")
        .param("id", "...")
        .prepare()
        .unwrap();
    assert_eq!(prepared.signed_url(), "/v3/things/...");
    let prepared = client
        .request(HttpMethod::Get, "/v3/things/{id}")
        .param("id", "a..b")
        .prepare()
        .unwrap();
    assert_eq!(prepared.signed_url(), "/v3/things/a..b");
}

/// What is signed is the path and query of the parsed URL that is sent, so a template the URL
/// parser rewrites (dot segments, characters it encodes) still verifies on the server.
#[tokio::test]
async fn the_signature_covers_the_url_as_sent() {
    let server = TestServer::builder().start().unwrap();
    server.route(Route::new(HttpMethod::Get, "/v3/things/{id}").respond(200, json!({"ok": 1})));
    let client = server.client_builder().build().unwrap();
    let prepared = client
        .request(HttpMethod::Get, "/v3/other/../things/{id}")
        .param("id", "A1")
        .prepare()
        .unwrap();
    assert_eq!(prepared.signed_url(), "/v3/things/A1");
    assert!(
        prepared.url().ends_with("/v3/things/A1"),
        "{}",
        prepared.url()
    );
    let answer = client.execute(prepared).await.unwrap();
    assert_eq!(
        answer.json::<serde_json::Value>().unwrap(),
        json!({"ok": 1})
    );

    // A character the URL parser encodes is signed encoded, as it is sent. The server's
    // route is matched against the encoded path, so the answer is a 404, and not the 401 of a
    // signature over another path.
    let call = || {
        client
            .request(HttpMethod::Get, "/v3/数/{id}")
            .param("id", "A1")
    };
    assert_eq!(call().prepare().unwrap().signed_url(), "/v3/%E6%95%B0/A1");
    let err = call().await.unwrap_err();
    assert!(
        matches!(err.as_api(), Some(api) if api.status == 404),
        "{err:?}"
    );
}

struct ElsewhereWithPath;
impl Operation for ElsewhereWithPath {
    const SPEC: &'static OperationSpec = &OperationSpec {
        method: HttpMethod::Get,
        path: "/v3/global/ping",
        base_uri: Some("https://apihk.mch.weixin.qq.com/v3/evil/"),
        request_body: RequestBodyKind::None,
        response_body: ResponseBodyKind::Json,
        encrypted_request_fields: &[],
        encrypted_response_fields: &[],
        sends_wechatpay_serial: false,
    };
    type Response = Json<serde_json::Value>;
}

/// A `base_uri` (an operation's or a dynamic call's) is checked like the client's base URL.
#[tokio::test]
async fn base_uris_are_checked_like_the_base_url() {
    let mut server = RawServer::silent().await;
    let client = client_for(&server.base_url());
    for base_uri in [
        "ftp://apihk.mch.weixin.qq.com",
        "https://apihk.mch.weixin.qq.com/v3",
        "https://apihk.mch.weixin.qq.com/?x=1",
        "https://apihk.mch.weixin.qq.com/#x",
        "https://user:secret-password@apihk.mch.weixin.qq.com/",
        "apihk.mch.weixin.qq.com",
        "",
    ] {
        let err = client
            .request(HttpMethod::Get, "/v3/global/ping")
            .base_uri(base_uri)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.message.contains("base_uri")),
            "{base_uri}: {err:?}"
        );
        assert!(!err.to_string().contains("secret-password"), "{err}");
    }
    let err = Call::<_, ElsewhereWithPath>::new(&client, PathArgs::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.message.contains("base_uri")),
        "{err:?}"
    );
    let err = merchant(keys::MERCHANT_ID, keys::MERCHANT_SERIAL)
        .base_url("https://user:secret-password@api.mch.weixin.qq.com")
        .build()
        .unwrap_err();
    assert!(matches!(&err, Error::Config(_)), "{err:?}");
    assert!(!err.to_string().contains("secret-password"), "{err}");
    server.assert_no_connection("bad base URIs").await;
}

// ---------------------------------------------------------------------------------------
// Redirects are never followed; plain http only to loopback.
// ---------------------------------------------------------------------------------------

fn assert_redirect(err: &Error, status: u16, elsewhere: &RawServer, context: &str) {
    match err {
        Error::Redirect {
            status: got,
            location: Some(location),
        } => {
            assert_eq!(*got, status, "{context}");
            assert!(
                location.contains(&elsewhere.addr.port().to_string()),
                "{context}: {location}"
            );
        }
        other => panic!("{context}: expected a redirect error, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains(&status.to_string()), "{shown}");
    assert!(shown.contains(&elsewhere.base_url()), "{shown}");
}

const BILL_URL: &str = "https://api.mch.weixin.qq.com/v3/billdownload/file?token=T";

/// A 307 or 308 would make reqwest resend the POST, its body, `Authorization`,
/// `Wechatpay-Serial` and the caller's headers to `Location`: the call fails naming the status
/// and the location, and nothing reaches the other port. Bill downloads too.
#[tokio::test]
async fn redirects_are_not_followed() {
    let mut elsewhere = RawServer::silent().await;
    for status in [301, 302, 303, 307, 308] {
        let server = answering(format!(
            "HTTP/1.1 {status} Moved\r\nLocation: {}/v3/stolen\r\n",
            elsewhere.base_url()
        ))
        .await;
        let client = client_for(&server.base_url());
        let err = client
            .request(HttpMethod::Post, "/v3/things")
            .header("X-Caller", "secret-ish")
            .json(&json!({"a": 1}))
            .await
            .unwrap_err();
        assert_redirect(&err, status, &elsewhere, "dynamic POST");
        let err = client
            .v3()
            .pay()
            .transactions()
            .out_trade_no()
            .out_trade_no("ORDER-1")
            .get(&GetQuery {
                mchid: keys::MERCHANT_ID.into(),
            })
            .await
            .unwrap_err();
        assert_redirect(&err, status, &elsewhere, "generated GET");
        let bill = BillFile::new(BILL_URL, "SHA1", "0".repeat(40));
        let err = client
            .download_bill(&bill, &mut Vec::new())
            .await
            .unwrap_err();
        assert_redirect(&err, status, &elsewhere, "bill download");
        let downloading = downloading_client(&server.base_url());
        let err = downloading.refresh_certificates().await.unwrap_err();
        assert_redirect(&err, status, &elsewhere, "certificate download");
    }
    elsewhere.assert_no_connection("redirect target").await;
}

/// The blocking client (and its bill downloads) does not follow redirects either.
#[cfg(feature = "blocking")]
#[test]
fn the_blocking_client_does_not_follow_redirects() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut elsewhere = runtime.block_on(RawServer::silent());
    let server = runtime.block_on(answering(format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {}/v3/stolen\r\n",
        elsewhere.base_url()
    )));
    let client = merchant(keys::MERCHANT_ID, keys::MERCHANT_SERIAL)
        .base_url(server.base_url())
        .build_blocking()
        .unwrap();
    let err = client
        .request(HttpMethod::Post, "/v3/things")
        .json(&json!({"a": 1}))
        .send()
        .unwrap_err();
    assert_redirect(&err, 307, &elsewhere, "blocking POST");
    let bill = BillFile::new(BILL_URL, "SHA1", "0".repeat(40));
    let err = client.download_bill(&bill, &mut Vec::new()).unwrap_err();
    assert_redirect(&err, 307, &elsewhere, "blocking bill download");
    runtime.block_on(elsewhere.assert_no_connection("redirect target"));
}

/// Plain http is a configuration error except to loopback hosts (test servers).
#[tokio::test]
async fn plain_http_is_only_for_loopback() {
    for base_url in [
        "http://api.mch.weixin.qq.com",
        "http://10.0.0.1:8080",
        "http://192.168.1.1",
        "http://localhost.example.com",
        "http://[fe80::1]:80",
    ] {
        let err = merchant(keys::MERCHANT_ID, keys::MERCHANT_SERIAL)
            .base_url(base_url)
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.message.contains("https")),
            "{base_url}: {err:?}"
        );
    }
    for base_url in [
        "https://api.mch.weixin.qq.com",
        "http://127.0.0.1:1",
        "http://127.9.8.7:1",
        "http://localhost:1",
        "http://LOCALHOST:1",
        "http://[::1]:1",
    ] {
        merchant(keys::MERCHANT_ID, keys::MERCHANT_SERIAL)
            .base_url(base_url)
            .build()
            .unwrap_or_else(|e| panic!("{base_url}: {e}"));
    }
    let mut server = RawServer::silent().await;
    let client = client_for(&server.base_url());
    let err = client
        .request(HttpMethod::Get, "/v3/global/ping")
        .base_uri("http://apihk.mch.weixin.qq.com/")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.message.contains("base_uri") && m.message.contains("https")),
        "{err:?}"
    );
    server.assert_no_connection("plain http base_uri").await;
}

// ---------------------------------------------------------------------------------------
// Answers are read into memory only up to a limit.
// ---------------------------------------------------------------------------------------

const GIB: u64 = 1 << 30;

fn assert_too_large(err: &Error, status: u16, limit: u64, context: &str) {
    assert!(
        matches!(err, Error::ResponseTooLarge { status: s, limit: l } if *s == status && *l == limit),
        "{context}: {err:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains(&limit.to_string()), "{shown}");
}

/// A 1 GiB body, streamed without a length: reading stops at the limit (4 MiB by default)
/// with an error naming it, and the connection is dropped, so the server could write only a
/// small part of the gigabyte.
#[tokio::test]
async fn an_endless_answer_stops_at_the_limit() {
    for status in [200, 500] {
        let (server, mut written) = streaming(status, GIB).await;
        let client = client_for(&server.base_url());
        let err = client
            .request(HttpMethod::Get, "/v3/things")
            .await
            .unwrap_err();
        assert_too_large(
            &err,
            status,
            wechatpay_api::runtime::client::DEFAULT_MAX_RESPONSE_BYTES,
            "default limit",
        );
        drop(client);
        let sent = written.recv().await.unwrap();
        assert!(
            sent < GIB / 8,
            "HTTP {status}: the server wrote {sent} bytes before the client hung up"
        );
    }

    // The limit is configurable; the certificate download obeys it too.
    let (server, _written) = streaming(200, GIB).await;
    let client = merchant(keys::MERCHANT_ID, keys::MERCHANT_SERIAL)
        .base_url(server.base_url())
        .max_response_bytes(100_000)
        .build()
        .unwrap();
    let err = client
        .request(HttpMethod::Get, "/v3/things")
        .await
        .unwrap_err();
    assert_too_large(&err, 200, 100_000, "configured limit");
    let err = downloading_client(&server.base_url())
        .refresh_certificates()
        .await
        .unwrap_err();
    assert_too_large(
        &err,
        200,
        wechatpay_api::runtime::client::DEFAULT_MAX_RESPONSE_BYTES,
        "certificate download",
    );
}

/// A `Content-Length` over the limit is refused before anything of the body is read.
#[tokio::test]
async fn an_announced_length_over_the_limit_is_refused_at_once() {
    let server = RawServer::start(|mut stream| async move {
        if read_request(&mut stream).await.is_some() {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n")
                .await;
            // No body follows: a client waiting for it would wait for its timeout.
            std::future::pending::<()>().await;
        }
    })
    .await;
    let err = client_for(&server.base_url())
        .request(HttpMethod::Get, "/v3/things")
        .await
        .unwrap_err();
    assert_too_large(
        &err,
        200,
        wechatpay_api::runtime::client::DEFAULT_MAX_RESPONSE_BYTES,
        "Content-Length",
    );
}

/// Answers within the limit are read whole.
#[tokio::test]
async fn answers_within_the_limit_are_read() {
    let server = TestServer::builder().start().unwrap();
    let big = "x".repeat(50_000);
    server.route(Route::new(HttpMethod::Get, "/v3/things").respond(200, json!({ "big": big })));
    let client = server
        .client_builder()
        .max_response_bytes(60_000)
        .build()
        .unwrap();
    let answer = client.request(HttpMethod::Get, "/v3/things").await.unwrap();
    assert_eq!(answer.json::<serde_json::Value>().unwrap()["big"], big);
    let client = server
        .client_builder()
        .max_response_bytes(40_000)
        .build()
        .unwrap();
    let Err(err) = client.request(HttpMethod::Get, "/v3/things").await else {
        panic!("an answer over the limit was accepted");
    };
    assert_too_large(&err, 200, 40_000, "signed answer over the limit");
}

/// The blocking client stops at the limit too.
#[cfg(feature = "blocking")]
#[test]
fn the_blocking_client_stops_at_the_limit() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (server, mut written) = runtime.block_on(streaming(200, GIB));
    let client = merchant(keys::MERCHANT_ID, keys::MERCHANT_SERIAL)
        .base_url(server.base_url())
        .build_blocking()
        .unwrap();
    let err = client
        .request(HttpMethod::Get, "/v3/things")
        .send()
        .unwrap_err();
    assert_too_large(
        &err,
        200,
        wechatpay_api::runtime::client::DEFAULT_MAX_RESPONSE_BYTES,
        "blocking",
    );
    drop(client);
    let sent = runtime.block_on(written.recv()).unwrap();
    assert!(sent < GIB / 8, "the server wrote {sent} bytes");
}

// ---------------------------------------------------------------------------------------
// Error answers say whether they were shown to come from WeChat Pay.
// ---------------------------------------------------------------------------------------

fn api(err: Error) -> ApiError {
    match err {
        Error::Api(api) => *api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// `404 ORDER_NOT_EXIST` for the order query, from the test server: signed (verified), forged
/// without signature (unsigned), signed then tampered with (rejected: bad signature), signed
/// by a key the client does not know (rejected: unknown serial). The tampered answer is still
/// an `Error::Api` (the call failed), marked unverified: its content must not be acted on.
#[tokio::test]
async fn error_answers_say_whether_they_were_verified() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(
            HttpMethod::Get,
            "/v3/pay/transactions/out-trade-no/{out_trade_no}",
        )
        .respond(
            404,
            json!({"code": "ORDER_NOT_EXIST", "message": "订单不存在"}),
        ),
    );
    let client = server.client_builder().build().unwrap();
    let query = || {
        client
            .v3()
            .pay()
            .transactions()
            .out_trade_no()
            .out_trade_no("ORDER-1")
            .get(&GetQuery {
                mchid: keys::MERCHANT_ID.into(),
            })
    };

    let signed = api(query().await.unwrap_err());
    assert_eq!(signed.code_str(), Some("ORDER_NOT_EXIST"));
    assert_eq!(signed.authenticity, ErrorAuthenticity::Verified);
    assert!(signed.is_verified());
    assert!(
        signed
            .to_string()
            .starts_with("WeChat Pay answered HTTP 404 ORDER_NOT_EXIST")
    );

    server.misbehave_once(Misbehavior::Unsigned);
    let forged = api(query().await.unwrap_err());
    assert_eq!(forged.code_str(), Some("ORDER_NOT_EXIST"));
    assert_eq!(forged.authenticity, ErrorAuthenticity::Unsigned);
    assert!(!forged.is_verified());
    let shown = forged.to_string();
    assert!(shown.starts_with("unverified HTTP 404"), "{shown}");
    assert!(shown.contains("unsigned"), "{shown}");

    server.misbehave_once(Misbehavior::TamperedBody);
    let tampered = api(query().await.unwrap_err());
    assert!(
        matches!(
            &tampered.authenticity,
            ErrorAuthenticity::Rejected(VerifyError::BadSignature { .. })
        ),
        "{tampered:?}"
    );
    assert!(!tampered.is_verified());

    server.misbehave_once(Misbehavior::WrongSerial);
    let unknown = api(query().await.unwrap_err());
    assert!(
        matches!(
            &unknown.authenticity,
            ErrorAuthenticity::Rejected(VerifyError::UnknownSerial(_))
        ),
        "{unknown:?}"
    );

    server.misbehave_once(Misbehavior::StaleTimestamp);
    let stale = api(query().await.unwrap_err());
    assert!(
        matches!(
            &stale.authenticity,
            ErrorAuthenticity::Rejected(VerifyError::StaleTimestamp { .. })
        ),
        "{stale:?}"
    );
}

/// A raw server's forged error: control characters and bidirectional overrides in its text
/// are escaped in `Display`; a lone signature header is a rejected signature, not "unsigned".
#[tokio::test]
async fn forged_error_text_is_escaped_when_displayed() {
    let body = json!({
        "code": "ORDER_NOT_EXIST\u{1b}[2J",
        "message": "gone\r\nX-Injected: 1\u{202e}txt.exe",
        "detail": {"field": "\u{7}\u{202e}"},
    })
    .to_string();
    let server = answering(format!(
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nRequest-ID: R1\r\n\
         Wechatpay-Serial: {}\r\nContent-Length: {}\r\n\r\n{body}",
        keys::PUBLIC_KEY_ID,
        body.len()
    ))
    .await;
    let err = client_for(&server.base_url())
        .request(HttpMethod::Get, "/v3/things")
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        !shown.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{shown:?}"
    );
    assert!(shown.contains("ORDER_NOT_EXIST\\u{1b}[2J"), "{shown}");
    assert!(
        shown.contains("gone\\r\\nX-Injected: 1\\u{202e}txt.exe"),
        "{shown}"
    );
    let api = api(err);
    assert_eq!(
        api.message.as_deref(),
        Some("gone\r\nX-Injected: 1\u{202e}txt.exe")
    );
    assert_eq!(
        api.authenticity,
        ErrorAuthenticity::Rejected(VerifyError::MissingHeader("Wechatpay-Timestamp"))
    );
}

/// The bill download's error answers are checked too.
#[tokio::test]
async fn bill_download_errors_are_checked() {
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Get, "/v3/billdownload/file").respond(
            400,
            json!({"code": "INVALID_REQUEST", "message": "expired token"}),
        ),
    );
    let client = server
        .client_builder()
        .base_url(server.base_url())
        .build()
        .unwrap();
    let bill = BillFile::new(BILL_URL, "SHA1", "0".repeat(40));
    let err = api(client
        .download_bill(&bill, &mut Vec::new())
        .await
        .unwrap_err());
    assert_eq!(err.code_str(), Some("INVALID_REQUEST"));
    assert!(err.is_verified(), "{err:?}");
    server.misbehave_once(Misbehavior::Unsigned);
    let err = api(client
        .download_bill(&bill, &mut Vec::new())
        .await
        .unwrap_err());
    assert_eq!(err.authenticity, ErrorAuthenticity::Unsigned);
}

// ---------------------------------------------------------------------------------------
// A mistyped encrypt path cannot send personal data in plain text.
// ---------------------------------------------------------------------------------------

const PHONE: &str = "13800138000";

/// A dynamic call's encrypt path that names a key the body lacks is refused before sending,
/// naming the path; `null`, empty arrays and omitted paths are fine.
#[tokio::test]
async fn a_mistyped_encrypt_path_is_refused() {
    let server = TestServer::builder().start().unwrap();
    server.route(Route::new(HttpMethod::Post, "/v3/cards/import").respond(200, json!({})));
    let client = server.client_builder().build().unwrap();
    let import = |body: serde_json::Value, paths: &[&str]| {
        client
            .request(HttpMethod::Post, "/v3/cards/import")
            .json(&body)
            .encrypt_fields(paths)
    };
    let refused = [
        (json!({"phone_number": PHONE}), "phone_numbr", "phone_numbr"),
        (
            json!({"user": {"phone_number": PHONE}}),
            "user.phone_numbr",
            "phone_numbr",
        ),
        (
            json!({"user": {"phone_number": PHONE}}),
            "usr.phone_number",
            "usr",
        ),
        (
            json!({"fields": [{"value": PHONE}, {"value": PHONE}]}),
            "fields[].valeu",
            "valeu",
        ),
        (
            json!({"fields": [{"value": PHONE}, {"name": "x"}]}),
            "fields[].value",
            "value",
        ),
    ];
    for (body, path, missing) in refused {
        let err = import(body, &[path]).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.message.contains(&format!("`{path}`")) && m.message.contains(&format!("`{missing}`"))),
            "{path}: {err:?}"
        );
    }
    let err = client
        .request(HttpMethod::Post, "/v3/cards/import")
        .encrypt_fields(&["phone_number"])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.message.contains("no JSON body")),
        "{err:?}"
    );
    assert!(server.requests().is_empty(), "a refused call was sent");

    // Present, null, empty, or left out: sent, and what is there is encrypted.
    for (body, paths) in [
        (json!({"phone_number": PHONE}), vec!["phone_number"]),
        (json!({"phone_number": null}), vec!["phone_number"]),
        (json!({"user": null}), vec!["user.phone_number"]),
        (json!({"fields": []}), vec!["fields[].value"]),
        (json!({"fields": null}), vec!["fields[].value"]),
        (
            json!({"fields": [{"value": PHONE}, {"value": null}]}),
            vec!["fields[].value"],
        ),
        (json!({"name": "x"}), vec![]),
    ] {
        import(body.clone(), &paths)
            .await
            .unwrap_or_else(|e| panic!("{body} {paths:?}: {e}"));
        let sent = server.requests().pop().unwrap();
        assert!(
            !String::from_utf8_lossy(&sent.body).contains(PHONE),
            "{body}: sent in plain text"
        );
    }
}

/// Generated operations keep skipping absent optional fields: a JSAPI prepay without
/// `payer.identity` (whose `number` and `name` the docs mark encrypted) is sent.
#[tokio::test]
async fn generated_calls_skip_absent_optional_encrypted_fields() {
    use wechatpay_api::v3::pay::transactions::jsapi;
    let server = TestServer::builder().start().unwrap();
    server.route(
        Route::new(HttpMethod::Post, jsapi::Post::SPEC.path).respond(
            200,
            json!({"prepay_id": "wx201410272009395522657a690389285100"}),
        ),
    );
    let client = server.client_builder().build().unwrap();
    assert!(
        jsapi::Post::SPEC
            .encrypted_request_fields
            .contains(&"payer.identity.name")
    );
    let answer = Call::<_, jsapi::Post>::new(&client, PathArgs::new())
        .json(&json!({
            "appid": "wxd678efh567hg6787",
            "mchid": keys::MERCHANT_ID,
            "description": "Image形象店-深圳腾大-QQ公仔",
            "out_trade_no": "1217752501201407033233368018",
            "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
            "amount": {"total": 100},
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        }))
        .await
        .unwrap();
    assert_eq!(answer.prepay_id, "wx201410272009395522657a690389285100");
    assert_eq!(server.requests().len(), 1);
}
