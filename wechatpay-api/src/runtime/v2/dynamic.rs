//! v2 calls to any path, without a generated operation: [`Client::v2_request`].
//!
//! The request is described by flags instead of an [`OperationSpec`](super::OperationSpec);
//! the envelope, signing, answer checks and decryption are those of generated calls.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use super::operation::{Answer, RequestKind, ResponseKind, SignType};
use super::params::Params;
use super::route::Route;
use super::send::Parts;
use crate::runtime::client::{Client, WithMeta};
use crate::runtime::error::Error;
use crate::runtime::observe::Trace;
use crate::runtime::operation::{FilePart, HttpMethod};

/// A v2 request to any path, built by [`Client::v2_request`] (or the blocking client's).
///
/// Defaults: POST of an XML body, signed with the client's sign type (MD5 unless configured),
/// `nonce_str` added, the client's merchant id in `mch_id`, the client's app id in `appid`
/// when the request leaves it out, the answer an XML document that must be signed. `Debug`
/// shows the path and element names, never values.
#[must_use = "a v2 request does nothing until it is awaited or sent"]
pub struct V2Request<'c, C: ?Sized> {
    client: &'c C,
    path: String,
    base_uri: Option<String>,
    request: RequestKind,
    response: ResponseKind,
    params: Params,
    files: Vec<(String, FilePart)>,
    security: bool,
    nonceless: bool,
    signed: bool,
    answer_signed: bool,
    merchant_id: Option<String>,
    app_id: Option<String>,
    sign_type: Option<SignType>,
    encrypted_request_fields: Vec<String>,
    encrypted_response_fields: Vec<String>,
    idempotent: bool,
}

impl<C: ?Sized> fmt::Debug for V2Request<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2Request")
            .field("path", &self.path)
            .field("request", &self.request)
            .field("response", &self.response)
            .field("params", &self.params)
            .field("files", &self.files.len())
            .field("security", &self.security)
            .field("nonceless", &self.nonceless)
            .field("signed", &self.signed)
            .field("sign_type", &self.sign_type)
            .finish_non_exhaustive()
    }
}

impl<'c, C: ?Sized> V2Request<'c, C> {
    pub(crate) fn new(client: &'c C, path: &str) -> Self {
        V2Request {
            client,
            path: path.to_owned(),
            base_uri: None,
            request: RequestKind::Xml,
            response: ResponseKind::Xml,
            params: Params::new(),
            files: Vec::new(),
            security: false,
            nonceless: false,
            signed: true,
            answer_signed: true,
            merchant_id: Some("mch_id".to_owned()),
            app_id: Some("appid".to_owned()),
            sign_type: None,
            encrypted_request_fields: Vec::new(),
            encrypted_response_fields: Vec::new(),
            idempotent: false,
        }
    }

    /// The request's elements (replacing those set before).
    pub fn params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    /// One element.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.insert(name, value);
        self
    }

    /// Sends `sign_type` and signs with it.
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = Some(sign_type);
        self
    }

    /// Sends no `nonce_str`.
    pub fn nonceless(mut self) -> Self {
        self.nonceless = true;
        self
    }

    /// The operation needs the merchant API client certificate (mTLS).
    pub fn security(mut self) -> Self {
        self.security = true;
        self
    }

    /// Sends neither `sign` nor `nonce_str`.
    pub fn unsigned(mut self) -> Self {
        self.signed = false;
        self
    }

    /// A successful answer may come without `sign` (one that has a `sign` is still checked).
    pub fn unsigned_answer(mut self) -> Self {
        self.answer_signed = false;
        self
    }

    /// The element filled with the client's merchant id (default `mch_id`; `None`: none).
    pub fn merchant_id_element(mut self, element: Option<&str>) -> Self {
        self.merchant_id = element.map(str::to_owned);
        self
    }

    /// The element filled with the client's app id when the request leaves it out (default
    /// `appid`; `None`: none).
    pub fn app_id_element(mut self, element: Option<&str>) -> Self {
        self.app_id = element.map(str::to_owned);
        self
    }

    /// A GET with the signed parameters in the query string.
    pub fn query(mut self) -> Self {
        self.request = RequestKind::Query;
        self
    }

    /// The answer is a file (an XML answer is then the error).
    pub fn download(mut self) -> Self {
        self.response = ResponseKind::Download;
        self
    }

    /// A file part: the request becomes `multipart/form-data`, the elements form fields.
    pub fn file(mut self, name: &str, part: FilePart) -> Self {
        self.request = RequestKind::Multipart;
        self.files.push((name.to_owned(), part));
        self
    }

    /// Encrypts this element with the APIv2 RSA public key (RSA-OAEP) before signing.
    pub fn encrypt_request_field(mut self, element: &str) -> Self {
        self.encrypted_request_fields.push(element.to_owned());
        self
    }

    /// Decrypts this answer field with the merchant key (RSA PKCS#1 v1.5): an element, or
    /// `outer.inner` for a key in the JSON text of element `outer`.
    pub fn decrypt_response_field(mut self, path: &str) -> Self {
        self.encrypted_response_fields.push(path.to_owned());
        self
    }

    /// Another host for this request (checked like the base URL).
    pub fn base_uri(mut self, url: &str) -> Self {
        self.base_uri = Some(url.to_owned());
        self
    }

    /// May be sent again after it may have reached WeChat Pay.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    fn method(&self) -> HttpMethod {
        match self.request {
            RequestKind::Query => HttpMethod::Get,
            _ => HttpMethod::Post,
        }
    }

    /// The borrowed lists a [`Route`] points into.
    fn lists(&self) -> Lists<'_> {
        Lists {
            encrypted_request: self
                .encrypted_request_fields
                .iter()
                .map(String::as_str)
                .collect(),
            encrypted_response: self
                .encrypted_response_fields
                .iter()
                .map(String::as_str)
                .collect(),
            sign_types: self.sign_type.into_iter().collect(),
        }
    }

    /// The parts this request describes.
    pub(crate) fn parts<'a>(&'a self, lists: &'a Lists<'a>) -> Parts<'a> {
        Parts {
            route: Route {
                method: self.method(),
                path: &self.path,
                base_uri: self.base_uri.as_deref(),
                request: self.request,
                response: self.response,
                security: self.security,
                nonceless: self.nonceless,
                merchant_id: self.merchant_id.as_deref(),
                app_id: self.app_id.as_deref(),
                signed: self.signed,
                sign_types: &lists.sign_types,
                encrypted_request_fields: &lists.encrypted_request,
                encrypted_response_fields: &lists.encrypted_response,
                answer_signed: self.answer_signed,
            },
            path_args: &[],
            params: &self.params,
            files: &self.files,
            sign_type: self.sign_type,
            safe: self.idempotent,
        }
    }
}

/// The lists of a [`V2Request`] as the slices a [`Route`] holds.
pub(crate) struct Lists<'a> {
    encrypted_request: Vec<&'a str>,
    encrypted_response: Vec<&'a str>,
    sign_types: Vec<SignType>,
}

/// The answer as it is: [`Answer::params`] for XML, [`Answer::body`] for files and JSON.
struct Raw;

impl super::operation::Decode for Raw {
    type Output = Answer;
    fn decode(answer: Answer) -> Result<Answer, crate::fields::FieldError> {
        Ok(answer)
    }
}

impl Client {
    /// A v2 request to `path` (without `/v2`, e.g. `/pay/orderquery`); see [`V2Request`].
    pub fn v2_request(&self, path: &str) -> V2Request<'_, Client> {
        V2Request::new(self, path)
    }
}

impl V2Request<'_, Client> {
    /// Sends the request and returns the checked answer.
    pub async fn send(self) -> Result<Answer, Error> {
        self.send_with_meta().await.map(WithMeta::into_value)
    }

    /// Sends the request and returns the checked answer with its status and headers.
    pub async fn send_with_meta(self) -> Result<WithMeta<Answer>, Error> {
        let trace = Trace::start(self.method(), &self.path);
        let lists = self.lists();
        super::send::send_decoded::<Raw>(self.client, Ok(self.parts(&lists)), trace).await
    }
}

impl<'c> IntoFuture for V2Request<'c, Client> {
    type Output = Result<Answer, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(feature = "blocking")]
impl crate::runtime::blocking::Client {
    /// A v2 request to `path` (without `/v2`, e.g. `/pay/orderquery`); see [`V2Request`].
    pub fn v2_request(&self, path: &str) -> V2Request<'_, crate::runtime::blocking::Client> {
        V2Request::new(self, path)
    }
}

#[cfg(feature = "blocking")]
impl V2Request<'_, crate::runtime::blocking::Client> {
    /// Sends the request and returns the checked answer.
    pub fn send(self) -> Result<Answer, Error> {
        self.send_with_meta().map(WithMeta::into_value)
    }

    /// Sends the request and returns the checked answer with its status and headers.
    pub fn send_with_meta(self) -> Result<WithMeta<Answer>, Error> {
        let trace = Trace::start(self.method(), &self.path);
        let lists = self.lists();
        super::blocking::send_decoded::<Raw>(self.client, Ok(self.parts(&lists)), trace)
    }
}
