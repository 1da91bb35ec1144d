//! The blocking client (`blocking` feature), for callers without an async runtime.
//!
//! Built with [`ClientBuilder::build_blocking`](super::ClientBuilder::build_blocking); a
//! generated call is sent with `.send()`. Like `reqwest::blocking`, it must not be used from
//! inside an async runtime.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use serde_json::Value;

pub use super::http::BlockingHttpClient as HttpClient;

use super::client::{VerifiedResponse, WithMeta, no_client_certificate, operation_parts};
use super::core::{Core, PreparedRequest, RequestParts};
use super::error::Error;
use super::key_store::KeyStore;
use super::observe::Trace;
use super::operation::{Call, Decode, Operation};
use super::retry::Attempts;

/// The blocking WeChat Pay client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) core: Arc<Core>,
    pub(crate) http: HttpClient,
    /// The pool that presents the merchant's client certificate, when one was configured.
    pub(crate) security_http: Option<HttpClient>,
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> super::ClientBuilder {
        super::ClientBuilder::default()
    }

    pub(crate) fn from_core(built: super::client::BuiltCore) -> Result<Client, Error> {
        let given = built.blocking_http.as_ref().and_then(HttpClient::settings);
        let security_http = match built.security_pool(given) {
            Some(settings) => Some(settings.build_blocking()?),
            None => None,
        };
        let http = match built.blocking_http {
            Some(http) => http,
            None => built.own_pool().build_blocking()?,
        };
        #[cfg(feature = "certificates")]
        if let Some(download) = built.download {
            super::certificates::install_blocking(&built.core, &http.inner, download);
        }
        Ok(Client {
            core: built.core,
            http,
            security_http,
        })
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.core.mchid
    }

    /// The WeChat Pay keys this client trusts, shared with its clones and any webhook handler
    /// given the same store.
    pub fn key_store(&self) -> &KeyStore {
        &self.core.keys
    }

    /// Verifies a signed answer or webhook (headers and raw body bytes).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), Error> {
        Ok(self.core.keys.verify(headers, body)?)
    }

    /// Downloads the platform certificates now (client built with `download_certificates`);
    /// on failure the keys in use are kept.
    #[cfg(feature = "certificates")]
    #[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
    pub fn refresh_certificates(&self) -> Result<super::certificates::CertificateReport, Error> {
        let report = self
            .core
            .keys
            .refresh_blocking(super::certificates::Why::Explicit)?;
        Ok(report.unwrap_or_default())
    }

    /// Before a request: bootstraps the key store of a downloading client and refreshes stale
    /// keys.
    pub(crate) fn ready(&self) -> Result<(), Error> {
        #[cfg(feature = "certificates")]
        self.core.keys.prepare_blocking()?;
        Ok(())
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

    /// Sends a prepared request once and returns the checked answer. It is sent exactly as it
    /// was signed, so it is never retried: send calls (`.send()`) to have the
    /// [`RetryPolicy`](super::RetryPolicy) apply.
    pub fn execute(&self, request: PreparedRequest) -> Result<VerifiedResponse, Error> {
        self.attempt(request, self.core.timeout)
    }

    /// The pool that presents the merchant's API client certificate, for the operations
    /// that need it (APIv2 `security`); a configuration error naming how to set it up when
    /// the client has none.
    pub(crate) fn http_for_security(&self) -> Result<&HttpClient, Error> {
        self.security_http
            .as_ref()
            .ok_or_else(no_client_certificate)
    }

    /// One attempt: send, read, check.
    fn attempt(
        &self,
        request: PreparedRequest,
        timeout: Duration,
    ) -> Result<VerifiedResponse, Error> {
        self.attempt_via(&self.http, request, timeout)
    }

    /// One attempt through `http`: send, read, check.
    fn attempt_via(
        &self,
        http: &HttpClient,
        request: PreparedRequest,
        timeout: Duration,
    ) -> Result<VerifiedResponse, Error> {
        let response_body = request.response_body();
        let decrypt_response_fields = request.decrypt_response_fields().to_vec();
        let sent_to = request.parsed_url().clone();
        let response = request
            .send_blocking_with(&http.inner, timeout)
            .send()
            .map_err(Error::transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if *response.url() != sent_to {
            return Err(super::core::followed_redirect(status, response.url()));
        }
        let body = super::core::read_body_blocking(response, self.core.max_response_bytes)?;
        let checked = self.core.check(response_body, status, &headers, &body);
        // An unknown serial may be a rotated certificate: refresh once, then check again. When
        // the refresh fails (logged), the answer's own error stands.
        #[cfg(feature = "certificates")]
        let checked = match checked {
            Err(error) if self.core.keys.refresh_mode() == Some(false) => {
                match super::core::unknown_serial(&error) {
                    Some(serial) => {
                        let why = super::certificates::Why::UnknownSerial(&serial);
                        match self.core.keys.refresh_blocking(why) {
                            Ok(_) => self.core.check(response_body, status, &headers, &body),
                            Err(_) => Err(error),
                        }
                    }
                    None => Err(error),
                }
            }
            checked => checked,
        };
        checked?;
        self.core.accept(
            response_body,
            &decrypt_response_fields,
            status,
            headers,
            body,
        )
    }

    /// Sends a request, signed anew for each attempt, as the retry policy allows.
    pub(crate) fn send_parts(
        &self,
        parts: &RequestParts<'_>,
        safe: bool,
        trace: &Trace,
    ) -> Result<VerifiedResponse, Error> {
        self.send_parts_via(&self.http, parts, safe, trace)
    }

    /// [`send_parts`](Self::send_parts) through `http` (e.g. [`http_for_security`](Self::http_for_security)).
    pub(crate) fn send_parts_via(
        &self,
        http: &HttpClient,
        parts: &RequestParts<'_>,
        safe: bool,
        trace: &Trace,
    ) -> Result<VerifiedResponse, Error> {
        let mut attempts = Attempts::new(&self.core.retry, safe, self.core.can_fail_over(parts));
        loop {
            let request = self.core.prepare(parts, attempts.on_backup())?;
            let timeout = attempts.start(self.core.timeout);
            trace.attempt();
            let error = match self.attempt_via(http, request, timeout) {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            attempts.wait_for_next_blocking(error, trace)?;
        }
    }
}

impl<O: Operation> Call<'_, Client, O> {
    /// Encrypts, serialises and signs the request without sending it.
    pub fn prepare(self) -> Result<PreparedRequest, Error> {
        let parts = operation_parts(&self)?;
        self.client.core.prepare(&parts, false)
    }

    /// Sends the call (with the client's retry policy) and waits for the verified, decoded
    /// answer.
    pub fn send(self) -> Result<<O::Response as Decode>::Output, Error> {
        self.send_with_meta().map(WithMeta::into_value)
    }

    /// Sends the call like [`send`](Self::send) and returns the decoded answer with its
    /// status, `Request-ID` and headers.
    pub fn send_with_meta(self) -> Result<WithMeta<<O::Response as Decode>::Output>, Error> {
        let trace = Trace::start(O::SPEC.method, O::SPEC.path);
        let result = {
            let _entered = trace.enter();
            self.send_traced(&trace)
                .and_then(WithMeta::decode::<O::Response>)
        };
        match &result {
            Ok(meta) => trace.finish_ok(meta.status, meta.request_id.as_deref()),
            Err(error) => trace.finish_err(error),
        }
        result
    }

    fn send_traced(self, trace: &Trace) -> Result<VerifiedResponse, Error> {
        let client = self.client;
        client.ready()?;
        let safe = self.is_idempotent();
        let parts = operation_parts(&self)?;
        client.send_parts(&parts, safe, trace)
    }
}
