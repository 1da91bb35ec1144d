//! A loopback server that plays WeChat Pay, for tests of this crate and of downstream apps
//! (feature `test-server`).
//!
//! It plays the protocol for real: it verifies each request's `Authorization` signature
//! with the merchant's public key (and its timestamp), decrypts the request fields a route
//! declares encrypted with the private key named by `Wechatpay-Serial`, encrypts declared
//! answer fields with the merchant's public key, and signs every answer with its WeChat Pay
//! key. Like WeChat Pay, it refuses (`400 PARAM_ERROR`) an upload whose `meta.sha256` is not
//! the SHA-256 of its `file` part. It can be told to misbehave ([`Misbehavior`]) to exercise
//! a client's checks.
//!
//! ```no_run
//! use wechatpay_api::runtime::HttpMethod;
//! use wechatpay_api::testing::{Route, TestServer};
//!
//! let server = TestServer::builder().start()?;
//! server.route(Route::new(HttpMethod::Get, "/v3/ping").respond(200, serde_json::json!({"ok": true})));
//! let client = server.client_builder().build()?;
//! # Ok::<(), wechatpay_api::runtime::Error>(())
//! ```

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{Value, json};

use crate::runtime::client::{Client, ClientBuilder};
use crate::runtime::error::Error;
use crate::runtime::fields::transform_fields;
use crate::runtime::keys::{MerchantPrivateKey, WechatpayKey};
use crate::runtime::media::sha256_hex;
use crate::runtime::operation::{FilePart, HttpMethod};
use crate::runtime::signing::{AuthorizationHeader, nonce, request_message, response_message};
use crate::runtime::verify::{MAX_CLOCK_SKEW_SECS, unix_now};

pub mod keys;
mod multipart;
pub mod notification;

pub use notification::{NotificationBuilder, SentNotification};

/// How the next answer goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misbehavior {
    /// The body is changed after it was signed (an empty answer's signed nonce, since an empty
    /// body cannot change on the wire).
    TamperedBody,
    /// `Wechatpay-Serial` names a key the client cannot know.
    WrongSerial,
    /// Signed correctly, with a timestamp ten minutes in the past.
    StaleTimestamp,
    /// A 2xx without any `Wechatpay-*` signature header.
    Unsigned,
    /// Signed with another key than the one `Wechatpay-Serial` names.
    WrongKey,
    /// A (signed) error answer: `{"code", "message"}` with this status.
    Error {
        status: u16,
        code: String,
        message: String,
    },
}

/// An answer the server gives for one method and path template (`{x}` matches a segment).
#[derive(Debug, Clone)]
pub struct Route {
    method: HttpMethod,
    template: String,
    encrypted_request_fields: Vec<String>,
    encrypted_response_fields: Vec<String>,
    status: u16,
    body: Option<Value>,
    raw: Option<RawAnswer>,
}

/// An unsigned answer of raw bytes, like WeChat Pay's file downloads.
#[derive(Clone)]
struct RawAnswer {
    content_type: String,
    bytes: Bytes,
}

impl std::fmt::Debug for RawAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} bytes)", self.content_type, self.bytes.len())
    }
}

impl Route {
    /// A route answering `204 No Content` until [`Route::respond`] says otherwise.
    pub fn new(method: HttpMethod, template: &str) -> Route {
        Route {
            method,
            template: template.to_owned(),
            encrypted_request_fields: Vec::new(),
            encrypted_response_fields: Vec::new(),
            status: 204,
            body: None,
            raw: None,
        }
    }

    /// Request fields that must arrive encrypted with a WeChat Pay key (they are decrypted
    /// in [`RecordedRequest::json`]; a request whose field does not decrypt is answered 400).
    pub fn encrypted_request_fields(mut self, paths: &[&str]) -> Route {
        self.encrypted_request_fields = paths.iter().map(|p| (*p).to_owned()).collect();
        self
    }

    /// Answer fields to encrypt with the merchant's public key.
    pub fn encrypted_response_fields(mut self, paths: &[&str]) -> Route {
        self.encrypted_response_fields = paths.iter().map(|p| (*p).to_owned()).collect();
        self
    }

    /// The status and JSON body of the answer.
    pub fn respond(mut self, status: u16, body: Value) -> Route {
        self.status = status;
        self.body = Some(body);
        self.raw = None;
        self
    }

    /// Answers with these bytes as they are and no `Wechatpay-*` signature headers, as WeChat
    /// Pay serves file downloads (`/v3/billdownload/file`). The request must still be signed.
    /// The bytes are shared, not copied, between answers.
    pub fn respond_bytes(
        mut self,
        status: u16,
        content_type: &str,
        bytes: impl Into<Vec<u8>>,
    ) -> Route {
        self.status = status;
        self.body = None;
        self.raw = Some(RawAnswer {
            content_type: content_type.to_owned(),
            bytes: Bytes::from(bytes.into()),
        });
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        if self.method.as_str() != method {
            return false;
        }
        let mut want = self.template.trim_start_matches('/').split('/');
        let mut got = path.trim_start_matches('/').split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return true,
                (Some(w), Some(g))
                    if (w.starts_with('{') && w.ends_with('}') && !g.is_empty()) || w == g => {}
                _ => return false,
            }
        }
    }
}

/// One request the server received and accepted as signed.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, as signed.
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The raw body bytes.
    pub body: Vec<u8>,
    /// The JSON body (the `meta` part of uploads) with encrypted fields decrypted.
    pub json: Option<Value>,
    /// The file parts of an upload, by form name (`file`).
    pub files: Vec<(String, FilePart)>,
    pub authorization: AuthorizationHeader,
}

impl RecordedRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first file part with this form name.
    pub fn file(&self, name: &str) -> Option<&FilePart> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, part)| part)
    }
}

struct ServerKey {
    id: String,
    private: MerchantPrivateKey,
}

struct State {
    mchid: String,
    merchant_serial: String,
    merchant_public: WechatpayKey,
    keys: Vec<ServerKey>,
    signing: usize,
    routes: Vec<Route>,
    misbehavior: VecDeque<Misbehavior>,
    requests: Vec<RecordedRequest>,
    counter: u64,
}

/// Configures a [`TestServer`]; by default it uses the bundled [`keys`] and signs with the
/// WeChat Pay public key (`keys::PUBLIC_KEY_ID`), also knowing the platform certificate.
pub struct TestServerBuilder {
    mchid: String,
    merchant_serial: String,
    merchant_public_key_pem: String,
    keys: Vec<(Option<String>, String, String)>,
}

impl Default for TestServerBuilder {
    fn default() -> Self {
        TestServerBuilder {
            mchid: keys::MERCHANT_ID.to_owned(),
            merchant_serial: keys::MERCHANT_SERIAL.to_owned(),
            merchant_public_key_pem: keys::MERCHANT_PUBLIC_KEY_PEM.to_owned(),
            keys: vec![
                (
                    Some(keys::PUBLIC_KEY_ID.to_owned()),
                    String::new(),
                    keys::WECHATPAY_PRIVATE_KEY_PEM.to_owned(),
                ),
                (
                    None,
                    keys::PLATFORM_CERTIFICATE_PEM.to_owned(),
                    keys::PLATFORM_PRIVATE_KEY_PEM.to_owned(),
                ),
            ],
        }
    }
}

impl TestServerBuilder {
    /// The merchant whose requests are accepted: id, certificate serial, public key PEM.
    pub fn merchant(mut self, mchid: &str, serial: &str, public_key_pem: &str) -> Self {
        self.mchid = mchid.to_owned();
        self.merchant_serial = serial.to_owned();
        self.merchant_public_key_pem = public_key_pem.to_owned();
        self
    }

    /// Forgets the default WeChat Pay keys (add others with the methods below).
    pub fn clear_keys(mut self) -> Self {
        self.keys.clear();
        self
    }

    /// A WeChat Pay public key: its id and the matching private key PEM.
    pub fn wechatpay_key(mut self, id: &str, private_key_pem: &str) -> Self {
        self.keys.push((
            Some(id.to_owned()),
            String::new(),
            private_key_pem.to_owned(),
        ));
        self
    }

    /// A platform certificate (its serial becomes the key id) and its private key PEM.
    pub fn platform_certificate(mut self, certificate_pem: &str, private_key_pem: &str) -> Self {
        self.keys
            .push((None, certificate_pem.to_owned(), private_key_pem.to_owned()));
        self
    }

    /// Binds 127.0.0.1 on a free port and serves on a background thread until dropped.
    pub fn start(self) -> Result<TestServer, Error> {
        let merchant_public =
            WechatpayKey::public_key(self.merchant_serial.clone(), &self.merchant_public_key_pem)?;
        let mut keys = Vec::new();
        for (id, certificate, private_pem) in self.keys {
            let id = match id {
                Some(id) => id,
                None => WechatpayKey::platform_certificate(&certificate)?
                    .id()
                    .to_owned(),
            };
            keys.push(ServerKey {
                id,
                private: MerchantPrivateKey::from_pem(&private_pem)?,
            });
        }
        if keys.is_empty() {
            return Err(Error::Config(
                "the test server needs a WeChat Pay key".into(),
            ));
        }
        let state = Arc::new(Mutex::new(State {
            mchid: self.mchid,
            merchant_serial: self.merchant_serial,
            merchant_public,
            keys,
            signing: 0,
            routes: Vec::new(),
            misbehavior: VecDeque::new(),
            requests: Vec::new(),
            counter: 0,
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Error::Config(format!("test server cannot bind: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Config(format!("test server address: {e}")))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::Config(format!("test server socket: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .map_err(|e| Error::Config(format!("test server runtime: {e}")))?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        let thread = std::thread::Builder::new()
            .name(format!("wechatpay-test-server-{}", addr.port()))
            .spawn(move || runtime.block_on(serve(listener, serve_state, stopped)))
            .map_err(|e| Error::Config(format!("test server thread: {e}")))?;
        Ok(TestServer {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A running loopback WeChat Pay; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client builder for a server started with the default [`keys`]: the test merchant's
    /// key, the test WeChat Pay public key, and every request sent here (`force_base_url`, so
    /// operations with a `base_uri` come here too).
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .merchant(
                keys::MERCHANT_ID,
                keys::MERCHANT_SERIAL,
                keys::MERCHANT_PRIVATE_KEY_PEM,
            )
            .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
            .force_base_url(self.base_url())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Adds a route (later routes win over earlier ones for the same request).
    pub fn route(&self, route: Route) {
        self.state().routes.insert(0, route);
    }

    /// Signs answers with the key of this id from now on.
    pub fn sign_with(&self, key_id: &str) -> Result<(), Error> {
        let mut state = self.state();
        let index = state
            .keys
            .iter()
            .position(|k| k.id == key_id)
            .ok_or_else(|| Error::Config(format!("the test server has no key `{key_id}`")))?;
        state.signing = index;
        Ok(())
    }

    /// Makes the next answer misbehave (queued: one misbehaviour per answer).
    pub fn misbehave_once(&self, misbehavior: Misbehavior) {
        self.state().misbehavior.push_back(misbehavior);
    }

    /// The requests accepted so far (signature verified).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panicking test thread must not take the server down with it.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<Mutex<State>>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        // Without it, Nagle's algorithm and the client's delayed ACK hold the end of an
        // answer back for up to 40 ms.
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(&state, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(state: &Mutex<State>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let mut state = lock(state);
    let method = parts.method.as_str().to_owned();
    let url = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };

    // 1. The merchant's signature (over the `meta` part, for uploads).
    let upload = multipart::parts(header("content-type"), &body).map(Upload::new);
    let signed_body = match &upload {
        Some(upload) => upload.meta.clone(),
        None => body.clone(),
    };
    let authorization =
        match check_authorization(&state, &method, &url, header("authorization"), &signed_body) {
            Ok(authorization) => authorization,
            Err(message) => return state.answer(401, Some(error_json("SIGN_ERROR", &message))),
        };

    // 2. The route.
    let path = url.split('?').next().unwrap_or("/");
    let Some(route) = state
        .routes
        .iter()
        .find(|r| r.matches(&method, path))
        .cloned()
    else {
        return state.answer(
            404,
            Some(error_json(
                "RESOURCE_NOT_EXISTS",
                &format!("no route for {method} {path}"),
            )),
        );
    };

    // 3. The JSON body, encrypted request fields decrypted.
    let mut json: Option<Value> = if signed_body.is_empty() {
        None
    } else {
        match serde_json::from_slice(&signed_body) {
            Ok(value) => Some(value),
            Err(e) => {
                return state.answer(
                    400,
                    Some(error_json("PARAM_ERROR", &format!("body is not JSON: {e}"))),
                );
            }
        }
    };
    if !route.encrypted_request_fields.is_empty() {
        let serial = header("wechatpay-serial").unwrap_or_default().to_owned();
        let Some(key) = state.keys.iter().find(|k| k.id == serial) else {
            return state.answer(
                400,
                Some(error_json(
                    "PARAM_ERROR",
                    &format!("Wechatpay-Serial `{serial}` names no WeChat Pay key"),
                )),
            );
        };
        if let Some(value) = json.as_mut() {
            let result = transform_fields(
                value,
                &route.encrypted_request_fields,
                &mut |path, ciphertext| {
                    let plain = key
                        .private
                        .decrypt(ciphertext)
                        .map_err(|_| Error::Crypto(format!("`{path}` does not decrypt")))?;
                    String::from_utf8(plain)
                        .map_err(|_| Error::Crypto(format!("`{path}` is not UTF-8")))
                },
            );
            if let Err(e) = result {
                return state.answer(400, Some(error_json("PARAM_ERROR", &e.to_string())));
            }
        }
    }

    // 4. The digest of an upload.
    if let (Some(upload), Some(meta)) = (&upload, &json) {
        if let Err(message) = upload.check_sha256(meta) {
            return state.answer(400, Some(error_json("PARAM_ERROR", &message)));
        }
    }
    state.requests.push(RecordedRequest {
        method,
        url,
        headers: headers.clone(),
        body,
        json,
        files: upload.map(|upload| upload.files).unwrap_or_default(),
        authorization,
    });

    // 5. The answer.
    if let Some(raw) = route.raw {
        return state.raw_answer(route.status, raw);
    }
    let mut answer = route.body.clone();
    if let Some(value) = answer.as_mut() {
        let merchant = &state.merchant_public;
        if let Err(e) =
            transform_fields(value, &route.encrypted_response_fields, &mut |_, plain| {
                merchant.encrypt(plain.as_bytes())
            })
        {
            return state.answer(500, Some(error_json("SYSTEM_ERROR", &e.to_string())));
        }
    }
    state.answer(route.status, answer)
}

fn error_json(code: &str, message: &str) -> Value {
    json!({ "code": code, "message": message })
}

fn check_authorization(
    state: &State,
    method: &str,
    url: &str,
    header: Option<&str>,
    body: &[u8],
) -> Result<AuthorizationHeader, String> {
    let header = header.ok_or("missing Authorization")?;
    let auth = AuthorizationHeader::parse(header).ok_or("malformed Authorization")?;
    if auth.mchid != state.mchid {
        return Err(format!("unknown mchid `{}`", auth.mchid));
    }
    if auth.serial_no != state.merchant_serial {
        return Err(format!("unknown merchant serial `{}`", auth.serial_no));
    }
    if auth.nonce_str.len() != 32 || !auth.nonce_str.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("nonce_str must be 32 alphanumerics".into());
    }
    let timestamp: i64 = auth
        .timestamp
        .parse()
        .map_err(|_| "timestamp is not seconds")?;
    // `abs_diff`: a hostile timestamp near `i64::MIN` must not overflow.
    if unix_now().abs_diff(timestamp) > MAX_CLOCK_SKEW_SECS.unsigned_abs() {
        return Err("timestamp expired".into());
    }
    let message = request_message(method, url, timestamp, &auth.nonce_str, body);
    if !state.merchant_public.verify(&message, &auth.signature) {
        return Err("signature verification failed".into());
    }
    Ok(auth)
}

/// A multipart request: the `meta` part (the signed text; empty if absent) and the files.
struct Upload {
    meta: Vec<u8>,
    files: Vec<(String, FilePart)>,
}

impl Upload {
    fn new(parts: Vec<multipart::Part>) -> Upload {
        let mut meta = Vec::new();
        let mut files = Vec::new();
        for part in parts {
            match part.into_file() {
                Ok(file) => files.push(file),
                Err(part) if part.name == "meta" => meta = part.bytes,
                Err(_) => {}
            }
        }
        Upload { meta, files }
    }

    /// A `meta.sha256` must be the SHA-256 (hex) of the `file` part.
    fn check_sha256(&self, meta: &Value) -> Result<(), String> {
        let Some(claimed) = meta.get("sha256") else {
            return Ok(());
        };
        let Some(claimed) = claimed.as_str() else {
            return Err("meta.sha256 must be a string".into());
        };
        let Some((_, file)) = self.files.iter().find(|(name, _)| name == "file") else {
            return Err("meta.sha256 is given but the upload has no `file` part".into());
        };
        let actual = sha256_hex(&file.bytes);
        if !claimed.eq_ignore_ascii_case(&actual) {
            return Err(format!(
                "meta.sha256 `{claimed}` does not match the SHA-256 of the file part `{actual}`"
            ));
        }
        Ok(())
    }
}

impl State {
    fn next_request_id(&mut self) -> String {
        self.counter += 1;
        format!("TEST-REQUEST-{:08}", self.counter)
    }

    /// An unsigned answer of raw bytes (misbehaviours are left for the next signed answer).
    fn raw_answer(&mut self, status: u16, raw: RawAnswer) -> Response<Full<Bytes>> {
        Response::builder()
            .status(status)
            .header("Request-ID", self.next_request_id())
            .header("Content-Type", raw.content_type)
            .body(Full::new(raw.bytes))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }

    /// A signed answer (or a misbehaving one, if one is queued).
    fn answer(&mut self, status: u16, body: Option<Value>) -> Response<Full<Bytes>> {
        let request_id = self.next_request_id();
        let misbehavior = self.misbehavior.pop_front();
        let (status, body) = match &misbehavior {
            Some(Misbehavior::Error {
                status,
                code,
                message,
            }) => (*status, Some(error_json(code, message))),
            _ => (status, body),
        };
        // A 204 carries no content whatever the route says: sign what is actually sent.
        let bytes = body
            .filter(|_| status != 204)
            .map(|b| serde_json::to_vec(&b).unwrap_or_default())
            .unwrap_or_default();
        let now = unix_now();
        let timestamp = match misbehavior {
            Some(Misbehavior::StaleTimestamp) => now - 600,
            _ => now,
        }
        .to_string();
        let nonce = nonce().unwrap_or_else(|_| "0".repeat(32));
        let signing = &self.keys[self.signing];
        let signer = match misbehavior {
            Some(Misbehavior::WrongKey) => &self.keys[(self.signing + 1) % self.keys.len()].private,
            _ => &signing.private,
        };
        let signature = signer
            .sign(&response_message(&timestamp, &nonce, &bytes))
            .unwrap_or_default();
        let serial = match misbehavior {
            Some(Misbehavior::WrongSerial) => "UNKNOWN_SERIAL_0000000000000000".to_owned(),
            _ => signing.id.clone(),
        };
        // An empty answer (204) has no body to change on the wire: the signed nonce changes
        // instead, so the tampering is still there for the client to catch.
        let (bytes, nonce) = match misbehavior {
            Some(Misbehavior::TamperedBody) if bytes.is_empty() => (bytes, tamper_text(nonce)),
            Some(Misbehavior::TamperedBody) => (tamper(bytes), nonce),
            _ => (bytes, nonce),
        };
        let mut response = Response::builder()
            .status(status)
            .header("Request-ID", request_id);
        if !bytes.is_empty() {
            response = response.header("Content-Type", "application/json");
        }
        if misbehavior != Some(Misbehavior::Unsigned) {
            response = response
                .header("Wechatpay-Timestamp", timestamp)
                .header("Wechatpay-Nonce", nonce)
                .header("Wechatpay-Signature", signature)
                .header("Wechatpay-Serial", serial);
        }
        response
            .body(Full::new(Bytes::from(bytes)))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }
}

fn tamper_text(text: String) -> String {
    let mut tampered: String = text.chars().rev().collect();
    if tampered == text {
        tampered.push('0');
    }
    tampered
}

fn tamper(bytes: Vec<u8>) -> Vec<u8> {
    if bytes.len() > 2 && bytes[0] == b'{' {
        let mut out = b"{\"tampered\":true,".to_vec();
        out.extend_from_slice(&bytes[1..]);
        out
    } else {
        let mut out = bytes;
        out.extend_from_slice(b" ");
        out
    }
}
