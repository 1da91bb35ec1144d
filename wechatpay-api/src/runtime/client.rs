//! The async client and its builder.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::core::{Core, PreparedRequest, RequestParts, fill_path};
use super::error::Error;
use super::keys::{MerchantPrivateKey, WechatpayKey};
use super::operation::{Call, Decode, HttpMethod, Operation};
use super::verify::Verifier;

/// The production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";
/// Default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Configures a [`Client`] (or, with the `blocking` feature, a `blocking::Client`). Problems (bad PEM, bad key) are kept and
/// reported by `build`.
#[derive(Debug)]
pub struct ClientBuilder {
    merchant: Option<(String, String, Result<MerchantPrivateKey, Error>)>,
    keys: Vec<Result<WechatpayKey, Error>>,
    base_url: String,
    force_base_url: bool,
    timeout: Duration,
    connect_timeout: Duration,
    max_clock_skew: i64,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            merchant: None,
            keys: Vec::new(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            force_base_url: false,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_clock_skew: super::verify::MAX_CLOCK_SKEW_SECS,
        }
    }
}

impl ClientBuilder {
    /// The merchant: `mchid`, the serial of its API certificate, and its private key PEM
    /// (`apiclient_key.pem`, PKCS#8 or PKCS#1).
    pub fn merchant(
        mut self,
        mchid: impl Into<String>,
        merchant_serial: impl Into<String>,
        private_key_pem: &str,
    ) -> Self {
        self.merchant = Some((
            mchid.into(),
            merchant_serial.into(),
            MerchantPrivateKey::from_pem(private_key_pem),
        ));
        self
    }

    /// A WeChat Pay public key (`PUB_KEY_ID_…` and its PEM). May be combined with platform
    /// certificates during the migration: answers are verified by the key their serial names.
    pub fn wechatpay_public_key(mut self, public_key_id: impl Into<String>, pem: &str) -> Self {
        self.keys.push(WechatpayKey::public_key(public_key_id, pem));
        self
    }

    /// A platform certificate (PEM); its serial is read from the certificate.
    pub fn platform_certificate(mut self, pem: &str) -> Self {
        self.keys.push(WechatpayKey::platform_certificate(pem));
        self
    }

    /// An already parsed WeChat Pay key.
    pub fn wechatpay_key(mut self, key: WechatpayKey) -> Self {
        self.keys.push(Ok(key));
        self
    }

    /// The API host (default [`DEFAULT_BASE_URL`]), e.g. `http://127.0.0.1:8080` for a test
    /// server. Operations whose docs name another host (`base_uri`) still go there.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self.force_base_url = false;
        self
    }

    /// Sends every request to `url`, including operations that name another host — for
    /// loopback tests and forward proxies.
    pub fn force_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self.force_base_url = true;
        self
    }

    /// Whole-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest accepted distance between `Wechatpay-Timestamp` and the clock (default 300 s).
    pub fn max_clock_skew(mut self, seconds: u32) -> Self {
        self.max_clock_skew = i64::from(seconds);
        self
    }

    pub(crate) fn core(self) -> Result<(Core, Duration, Duration), Error> {
        let Some((mchid, merchant_serial, key)) = self.merchant else {
            return Err(Error::Config(
                "no merchant configured (call `.merchant(…)`)".into(),
            ));
        };
        if mchid.is_empty() || merchant_serial.is_empty() {
            return Err(Error::Config(
                "merchant id and certificate serial must not be empty".into(),
            ));
        }
        let merchant_key = key?;
        let mut verifier = Verifier::new();
        verifier.set_max_skew(self.max_clock_skew);
        for key in self.keys {
            verifier.add(key?);
        }
        if verifier.is_empty() {
            return Err(Error::Config(
                "no WeChat Pay key configured: add `.wechatpay_public_key(…)` or \
                 `.platform_certificate(…)` (answers cannot be verified without one)"
                    .into(),
            ));
        }
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("base URL `{base_url}`: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.path() != "/"
            || parsed.query().is_some()
        {
            return Err(Error::Config(format!(
                "base URL `{base_url}` must be http(s)://host[:port] without a path"
            )));
        }
        Ok((
            Core {
                mchid,
                merchant_serial,
                merchant_key,
                verifier,
                base_url,
                force_base_url: self.force_base_url,
            },
            self.timeout,
            self.connect_timeout,
        ))
    }

    /// Builds the async client.
    pub fn build(self) -> Result<Client, Error> {
        let (core, timeout, connect_timeout) = self.core()?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Client {
            core: Arc::new(core),
            http,
        })
    }

    /// Builds the blocking client.
    #[cfg(feature = "blocking")]
    pub fn build_blocking(self) -> Result<super::blocking::Client, Error> {
        let (core, timeout, connect_timeout) = self.core()?;
        super::blocking::Client::from_core(core, timeout, connect_timeout)
    }
}

/// The async WeChat Pay client. Cheap to clone (shared state behind an `Arc`).
///
/// A generated call is sent by awaiting it: `client.v3()….post(&body).await`.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) core: Arc<Core>,
    pub(crate) http: reqwest::Client,
}

impl Client {
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.core.mchid
    }

    /// The WeChat Pay keys this client trusts; also verifies webhooks
    /// ([`Verifier::verify`]).
    pub fn verifier(&self) -> &Verifier {
        &self.core.verifier
    }

    /// Verifies a signed answer or webhook (headers and raw body bytes).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), Error> {
        Ok(self.core.verifier.verify(headers, body)?)
    }

    /// Decrypts, in place, the fields at `paths` (same notation as
    /// [`OperationSpec::encrypted_response_fields`](super::OperationSpec)) with the merchant
    /// private key.
    pub fn decrypt_fields<P: AsRef<str>>(
        &self,
        value: &mut Value,
        paths: &[P],
    ) -> Result<(), Error> {
        self.core.decrypt_fields(value, paths)
    }

    /// Encrypts one sensitive value the docs do not mark (RSA-OAEP with the key requests are
    /// encrypted with); returns the base64 ciphertext and the key id to send in
    /// `Wechatpay-Serial`. Fields the docs mark are encrypted automatically.
    pub fn encrypt_field(&self, plain: &str) -> Result<(String, String), Error> {
        self.core.encrypt_field(plain)
    }

    /// Decrypts one RSA-OAEP field encrypted with the merchant's public key.
    pub fn decrypt_field(&self, ciphertext_base64: &str) -> Result<String, Error> {
        self.core.decrypt_field(ciphertext_base64)
    }

    /// Sends a prepared request and returns the checked (verified, decrypted) answer.
    pub async fn execute(&self, request: PreparedRequest) -> Result<VerifiedResponse, Error> {
        let response = self
            .http
            .request(reqwest_method(request.method), &request.url)
            .headers(request.headers)
            .body(request.body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        self.core.finish(
            request.response_body,
            &request.decrypt_response_fields,
            status,
            headers,
            body,
        )
    }
}

pub(crate) fn operation_parts<'a, C: ?Sized, O: Operation>(
    call: &'a mut Call<'_, C, O>,
) -> Result<RequestParts<'a>, Error> {
    if let Some(problem) = call.invalid.take() {
        return Err(Error::InvalidRequest(problem));
    }
    let spec = O::SPEC;
    Ok(RequestParts {
        method: spec.method,
        path: fill_path(spec.path, call.path_args.values())?,
        base_uri: spec.base_uri,
        request_body: spec.request_body,
        response_body: spec.response_body,
        encrypted_request_fields: spec.encrypted_request_fields,
        sends_wechatpay_serial: spec.sends_wechatpay_serial,
        decrypt_response_fields: if call.decrypt_response {
            spec.encrypted_response_fields
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            Vec::new()
        },
        body: call.body.take(),
        query: &call.query,
        headers: &call.headers,
        files: &call.files,
    })
}

pub(crate) fn reqwest_method(method: HttpMethod) -> reqwest::Method {
    match method {
        HttpMethod::Get => reqwest::Method::GET,
        HttpMethod::Post => reqwest::Method::POST,
        HttpMethod::Put => reqwest::Method::PUT,
        HttpMethod::Patch => reqwest::Method::PATCH,
        HttpMethod::Delete => reqwest::Method::DELETE,
    }
}

/// A 2xx answer that passed verification (or a download, which WeChat Pay does not sign).
#[derive(Debug, Clone)]
pub struct VerifiedResponse {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body exactly as received and verified (encrypted fields still encrypted).
    pub body: Vec<u8>,
    /// When answer fields were decrypted: the JSON document of `body` with those fields in
    /// plain text. Never re-serialised: decoding reads it directly.
    pub decrypted: Option<Value>,
}

impl VerifiedResponse {
    /// Decodes the answer as JSON (with decrypted fields, when any were decrypted).
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let decoded = match &self.decrypted {
            Some(document) => T::deserialize(document),
            None => serde_json::from_slice(&self.body),
        };
        decoded.map_err(|source| Error::Decode {
            status: self.status,
            source,
        })
    }

    /// Decodes the answer with an operation's [`Decode`].
    pub fn decode<D: Decode>(self) -> Result<D::Output, Error> {
        let status = self.status;
        D::decode(self).map_err(|source| Error::Decode { status, source })
    }
}

impl<O: Operation> Call<'_, Client, O> {
    /// Encrypts, serialises and signs the request without sending it.
    pub fn prepare(mut self) -> Result<PreparedRequest, Error> {
        let client = self.client;
        let parts = operation_parts(&mut self)?;
        client.core.prepare(parts)
    }

    /// Sends the call; the same as awaiting it.
    pub async fn send(self) -> Result<<O::Response as Decode>::Output, Error> {
        let client = self.client;
        let request = self.prepare()?;
        client.execute(request).await?.decode::<O::Response>()
    }
}

impl<'c, O: Operation + 'c> IntoFuture for Call<'c, Client, O>
where
    <O::Response as Decode>::Output: 'c,
{
    type Output = Result<<O::Response as Decode>::Output, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        // Prepared eagerly (no await in between), so the future holds no non-Send body state.
        let client = self.client;
        let prepared = self.prepare();
        Box::pin(async move { client.execute(prepared?).await?.decode::<O::Response>() })
    }
}
