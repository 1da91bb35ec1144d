//! Calls to any path, without generated types — like the PHP SDK's
//! `chain('v3/…/{card_id}/…')`. Signed, encrypted and verified exactly like generated calls.
//!
//! ```no_run
//! # async fn run(client: &wechatpay_api::runtime::Client) -> Result<(), wechatpay_api::runtime::Error> {
//! use wechatpay_api::runtime::HttpMethod;
//! let answer = client
//!     .request(HttpMethod::Post, "v3/marketing/membercard-open/cards/{card_id}/users/import")
//!     .param("card_id", "pY7Pq1fGdzeyMoZNwwVoTfL5Ovmo")
//!     .json(&serde_json::json!({ "phone_number": "13800138000" }))
//!     .encrypt_fields(&["phone_number"])
//!     .await?;
//! let value: serde_json::Value = answer.json()?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use serde::Serialize;
use serde_json::Value;

use super::client::{Client, VerifiedResponse, request_id};
use super::core::{PreparedRequest, RequestParts, fill_path, placeholders};
use super::error::{Error, RequestError, RequestPart};
use super::observe::{Trace, instrument};
use super::operation::{FilePart, HttpMethod, RequestBodyKind, ResponseBodyKind};

/// A request to a path template, with named path parameters. Sent by awaiting it (async
/// client) or with `.send()` (blocking client), with the client's
/// [`RetryPolicy`](super::RetryPolicy): GETs and `POST …/close` are retried when safe, other
/// requests only once marked [`idempotent`](Self::idempotent).
///
/// `Debug` shows the method, the template and the shape of the call, never parameter or
/// body values.
#[must_use = "a call does nothing until it is awaited (async client) or sent with `.send()` (blocking client)"]
pub struct DynamicCall<'c, C: ?Sized> {
    client: &'c C,
    method: HttpMethod,
    template: String,
    params: Vec<(String, String)>,
    base_uri: Option<String>,
    body: Option<serde_json::Value>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    files: Vec<(String, FilePart)>,
    encrypt: Vec<String>,
    decrypt: Vec<String>,
    download: bool,
    idempotent: bool,
    client_certificate: bool,
    invalid: Option<RequestError>,
}

impl<C: ?Sized> fmt::Debug for DynamicCall<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.params.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("DynamicCall")
            .field("method", &self.method)
            .field("template", &self.template)
            .field("params", &names)
            .field("base_uri", &self.base_uri)
            .field("body", &self.body.as_ref().map(|_| "<redacted>"))
            .field("query_pairs", &self.query.len())
            .field("header_pairs", &self.headers.len())
            .field("files", &self.files)
            .field("encrypt_fields", &self.encrypt)
            .field("decrypt_response_fields", &self.decrypt)
            .field("download", &self.download)
            .field("idempotent", &self.idempotent)
            .field("client_certificate", &self.client_certificate)
            .field("invalid", &self.invalid.as_ref().map(|e| e.part))
            .finish()
    }
}

/// A dynamic call's path filled and checked, and its encrypted fields' paths.
struct Checked<'a> {
    path: String,
    encrypt: Vec<&'a str>,
}

impl<'c, C: ?Sized> DynamicCall<'c, C> {
    /// A call of `method` on `template` (`/v3/…/{name}/…`; the leading `/` is optional).
    pub fn new(client: &'c C, method: HttpMethod, template: impl Into<String>) -> Self {
        DynamicCall {
            client,
            method,
            template: template.into(),
            params: Vec::new(),
            base_uri: None,
            body: None,
            query: Vec::new(),
            headers: Vec::new(),
            files: Vec::new(),
            encrypt: Vec::new(),
            decrypt: Vec::new(),
            download: false,
            idempotent: false,
            client_certificate: false,
            invalid: None,
        }
    }

    /// The value of the `{name}` placeholder.
    pub fn param(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        self.params.push((name.to_owned(), value.to_string()));
        self
    }

    /// The JSON body (for uploads with [`DynamicCall::file`], the `meta` part).
    pub fn json(mut self, body: &impl Serialize) -> Self {
        match serde_json::to_value(body) {
            Ok(value) => self.body = Some(value),
            Err(e) => {
                self.invalid.get_or_insert(RequestError {
                    part: RequestPart::Body,
                    message: format!("request body does not serialise: {e}"),
                });
            }
        }
        self
    }

    /// One query parameter (kept in the order given).
    pub fn query(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// One extra request header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A file part; makes the request a multipart upload whose `meta` is the JSON body.
    pub fn file(mut self, name: &str, part: FilePart) -> Self {
        self.files.push((name.to_owned(), part));
        self
    }

    /// Body fields to encrypt with the WeChat Pay key (paths like `a.b`, `list[].value`).
    ///
    /// A path must name fields the body has, so a mistyped path cannot send the value it meant
    /// to protect in plain text: every key it names must be present wherever the path leads,
    /// or the call fails before sending ([`Error::InvalidRequest`] naming the path and the
    /// key). A `null` (at the end or on the way) and an empty array end the path without
    /// error: nothing is sent in plain text there. Leave out the paths of fields the body
    /// does not carry. (Generated operations, whose paths come from the docs, skip absent
    /// optional fields instead.)
    pub fn encrypt_fields(mut self, paths: &[&str]) -> Self {
        self.encrypt.extend(paths.iter().map(|p| (*p).to_owned()));
        self
    }

    /// Answer fields to decrypt with the merchant key after verification.
    pub fn decrypt_response_fields(mut self, paths: &[&str]) -> Self {
        self.decrypt.extend(paths.iter().map(|p| (*p).to_owned()));
        self
    }

    /// Sends to another host than the client's base URL (the docs' `base_uri`): an absolute
    /// http(s) URL of a host and port, checked like the client's base URL.
    pub fn base_uri(mut self, base_uri: &str) -> Self {
        self.base_uri = Some(base_uri.to_owned());
        self
    }

    /// Marks the answer as an unsigned download (not verified; check its digest).
    pub fn download(mut self) -> Self {
        self.download = true;
        self
    }

    /// Lets the client's [`RetryPolicy`](super::RetryPolicy) send this call again after a
    /// failure where it may have reached WeChat Pay; see
    /// [`Call::idempotent`](super::Call::idempotent) for which calls may be marked.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Sends the call through the connection pool that presents the merchant's API client
    /// certificate in the TLS handshake
    /// ([`ClientBuilder::client_certificate`](super::ClientBuilder::client_certificate)), as
    /// the APIv2 operations that need the certificate must be. Fails before sending
    /// ([`Error::Config`], [`ConfigItem::ClientCertificate`](super::ConfigItem::ClientCertificate))
    /// when the client has no certificate.
    pub fn client_certificate(mut self) -> Self {
        self.client_certificate = true;
        self
    }

    /// Whether the call may be sent again after it may have reached the server: marked
    /// [`idempotent`](Self::idempotent), a GET, or a `POST …/close`.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent || super::retry::safe_by_default(self.method, &self.template)
    }

    /// Checks the call and fills its path.
    fn check(&self) -> Result<Checked<'_>, Error> {
        if let Some(problem) = &self.invalid {
            return Err(Error::InvalidRequest(problem.clone()));
        }
        let names = placeholders(&self.template);
        let mut args = Vec::with_capacity(names.len());
        for name in &names {
            let value = self.params.iter().find(|(n, _)| n == name).ok_or_else(|| {
                Error::request(
                    RequestPart::Path,
                    format!("no value for path parameter `{name}`"),
                )
            })?;
            args.push(value.1.clone());
        }
        if let Some((unknown, _)) = self
            .params
            .iter()
            .find(|(n, _)| !names.contains(&n.as_str()))
        {
            return Err(Error::request(
                RequestPart::Path,
                format!("path `{}` has no parameter `{unknown}`", self.template),
            ));
        }
        let encrypt: Vec<&str> = self.encrypt.iter().map(String::as_str).collect();
        check_encrypt_paths(self.body.as_ref(), &encrypt)?;
        Ok(Checked {
            path: fill_path(&self.template, &args)?,
            encrypt,
        })
    }

    /// The request's parts.
    fn parts<'a>(&'a self, checked: &'a Checked<'a>) -> RequestParts<'a> {
        RequestParts {
            method: self.method,
            path: checked.path.clone(),
            base_uri: self.base_uri.as_deref(),
            request_body: if self.files.is_empty() {
                RequestBodyKind::Json
            } else {
                RequestBodyKind::Multipart
            },
            response_body: if self.download {
                ResponseBodyKind::Binary
            } else {
                ResponseBodyKind::Json
            },
            encrypted_request_fields: &checked.encrypt,
            sends_wechatpay_serial: false,
            decrypt_response_fields: self.decrypt.clone(),
            body: self.body.as_ref(),
            query: &self.query,
            headers: &self.headers,
            files: &self.files,
        }
    }

    fn prepare_with(self, core: &super::core::Core) -> Result<PreparedRequest, Error> {
        let checked = self.check()?;
        core.prepare(&self.parts(&checked), false)
    }
}

/// The rule of [`DynamicCall::encrypt_fields`]: every key a path names is present wherever
/// the path leads (`null` and empty arrays end it).
fn check_encrypt_paths(body: Option<&Value>, paths: &[&str]) -> Result<(), Error> {
    let Some(first) = paths.first() else {
        return Ok(());
    };
    let Some(body) = body else {
        return Err(Error::request(
            RequestPart::EncryptedField,
            format!("encrypt_fields: `{first}` is to be encrypted but the call has no JSON body"),
        ));
    };
    for path in paths {
        let segments: Vec<&str> = path.split('.').collect();
        if let Some(missing) = missing_key(body, &segments) {
            return Err(Error::request(
                RequestPart::EncryptedField,
                format!(
                    "encrypt_fields: path `{path}` names `{missing}`, which the body does not \
                 have (a mistyped path would send the field in plain text); leave out the paths \
                 of absent fields"
                ),
            ));
        }
    }
    Ok(())
}

/// The first key of `segments` missing under an object of `value`, if any. Other mismatches
/// (a string where an object is expected…) are reported when the fields are encrypted.
fn missing_key<'p>(value: &Value, segments: &[&'p str]) -> Option<&'p str> {
    let (first, rest) = segments.split_first()?;
    let Value::Object(map) = value else {
        return None;
    };
    let (name, each) = match first.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (*first, false),
    };
    let Some(child) = map.get(name) else {
        return Some(name);
    };
    match child {
        Value::Array(items) if each => items.iter().find_map(|item| missing_key(item, rest)),
        _ if each => None,
        child => missing_key(child, rest),
    }
}

impl Client {
    /// A call to any path; see [`DynamicCall`].
    pub fn request(&self, method: HttpMethod, template: &str) -> DynamicCall<'_, Client> {
        DynamicCall::new(self, method, template)
    }
}

impl DynamicCall<'_, Client> {
    /// Encrypts, serialises and signs the request without sending it.
    pub fn prepare(self) -> Result<PreparedRequest, Error> {
        let core = &self.client.core;
        self.prepare_with(core)
    }
}

impl DynamicCall<'_, Client> {
    /// Sends the call (with the client's retry policy) and returns the verified answer (its
    /// status, headers and [`request_id`](VerifiedResponse::request_id) with it); the same as
    /// awaiting it.
    pub async fn send(self) -> Result<VerifiedResponse, Error> {
        let trace = Trace::start(self.method, &self.template);
        let result = instrument(self.send_traced(&trace), &trace).await;
        finish(&trace, &result);
        result
    }

    async fn send_traced(self, trace: &Trace) -> Result<VerifiedResponse, Error> {
        let client = self.client;
        let http = if self.client_certificate {
            client.http_for_security()?
        } else {
            &client.http
        };
        client.ready().await?;
        let checked = self.check()?;
        client
            .send_parts_via(http, &self.parts(&checked), self.is_idempotent(), trace)
            .await
    }
}

fn finish(trace: &Trace, result: &Result<VerifiedResponse, Error>) {
    match result {
        Ok(answer) => trace.finish_ok(answer.status, request_id(&answer.headers)),
        Err(error) => trace.finish_err(error),
    }
}

impl<'c> IntoFuture for DynamicCall<'c, Client> {
    type Output = Result<VerifiedResponse, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
impl super::blocking::Client {
    /// A call to any path; see [`DynamicCall`].
    pub fn request(
        &self,
        method: HttpMethod,
        template: &str,
    ) -> DynamicCall<'_, super::blocking::Client> {
        DynamicCall::new(self, method, template)
    }
}

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
impl DynamicCall<'_, super::blocking::Client> {
    /// Encrypts, serialises and signs the request without sending it.
    pub fn prepare(self) -> Result<PreparedRequest, Error> {
        let core = &self.client.core;
        self.prepare_with(core)
    }

    /// Sends the call (with the client's retry policy) and waits for the verified answer (its
    /// status, headers and [`request_id`](VerifiedResponse::request_id) with it).
    pub fn send(self) -> Result<VerifiedResponse, Error> {
        let trace = Trace::start(self.method, &self.template);
        let result = {
            let _entered = trace.enter();
            self.send_traced(&trace)
        };
        finish(&trace, &result);
        result
    }

    fn send_traced(self, trace: &Trace) -> Result<VerifiedResponse, Error> {
        let client = self.client;
        let http = if self.client_certificate {
            client.http_for_security()?
        } else {
            &client.http
        };
        client.ready()?;
        let checked = self.check()?;
        client.send_parts_via(http, &self.parts(&checked), self.is_idempotent(), trace)
    }
}
