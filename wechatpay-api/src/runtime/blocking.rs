//! The blocking client (`blocking` feature), for callers without an async runtime.
//!
//! Built with [`ClientBuilder::build_blocking`](super::ClientBuilder::build_blocking); a
//! generated call is sent with `.send()`. Like `reqwest::blocking`, it must not be used from
//! inside an async runtime.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::client::{VerifiedResponse, operation_parts, reqwest_method};
use super::core::{Core, PreparedRequest};
use super::error::Error;
use super::operation::{Call, Decode, Operation};
use super::verify::Verifier;

/// The blocking WeChat Pay client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) core: Arc<Core>,
    pub(crate) http: reqwest::blocking::Client,
}

impl Client {
    pub fn builder() -> super::ClientBuilder {
        super::ClientBuilder::default()
    }

    pub(crate) fn from_core(
        core: Core,
        timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Client, Error> {
        let http = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Client {
            core: Arc::new(core),
            http,
        })
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.core.mchid
    }

    /// The WeChat Pay keys this client trusts.
    pub fn verifier(&self) -> &Verifier {
        &self.core.verifier
    }

    /// Verifies a signed answer or webhook (headers and raw body bytes).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), Error> {
        Ok(self.core.verifier.verify(headers, body)?)
    }

    /// Decrypts, in place, the fields at `paths` with the merchant private key.
    pub fn decrypt_fields<P: AsRef<str>>(
        &self,
        value: &mut Value,
        paths: &[P],
    ) -> Result<(), Error> {
        self.core.decrypt_fields(value, paths)
    }

    /// Encrypts one sensitive value the docs do not mark; returns the base64 ciphertext and the
    /// key id to send in `Wechatpay-Serial` (see the async client's `encrypt_field`).
    pub fn encrypt_field(&self, plain: &str) -> Result<(String, String), Error> {
        self.core.encrypt_field(plain)
    }

    /// Decrypts one RSA-OAEP field encrypted with the merchant's public key.
    pub fn decrypt_field(&self, ciphertext_base64: &str) -> Result<String, Error> {
        self.core.decrypt_field(ciphertext_base64)
    }

    /// Sends a prepared request and returns the checked answer.
    pub fn execute(&self, request: PreparedRequest) -> Result<VerifiedResponse, Error> {
        let response = self
            .http
            .request(reqwest_method(request.method), &request.url)
            .headers(request.headers)
            .body(request.body)
            .send()?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes()?.to_vec();
        self.core.finish(
            request.response_body,
            &request.decrypt_response_fields,
            status,
            headers,
            body,
        )
    }
}

impl<O: Operation> Call<'_, Client, O> {
    /// Encrypts, serialises and signs the request without sending it.
    pub fn prepare(mut self) -> Result<PreparedRequest, Error> {
        let client = self.client;
        let parts = operation_parts(&mut self)?;
        client.core.prepare(parts)
    }

    /// Sends the call and waits for the verified, decoded answer.
    pub fn send(self) -> Result<<O::Response as Decode>::Output, Error> {
        let client = self.client;
        let request = self.prepare()?;
        client.execute(request)?.decode::<O::Response>()
    }
}
