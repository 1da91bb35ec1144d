//! The seam between generated APIv2 endpoint modules and the runtime, like
//! [`runtime::operation`](crate::runtime::operation) is for APIv3.
//!
//! Each generated v2 operation is a marker type implementing [`Operation`] with a static
//! [`OperationSpec`]; its chain node builds a [`Call`] from the typed request. The runtime adds
//! the envelope (merchant id, app id, `nonce_str`, `sign_type`, `sign`), sends, checks the
//! answer (`return_code`, `result_code`, `sign`) and decodes it.

use std::fmt;
use std::marker::PhantomData;

use super::params::{FromParams, Params, ToParams};
use crate::fields::FieldError;
use crate::runtime::error::{RequestError, RequestPart};
use crate::runtime::operation::{FilePart, HttpMethod, PathArgs};

/// How a v2 request is signed (`sign_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignType {
    /// `MD5`: upper-case hex MD5 of the sorted pairs and `&key=…` (the default when a page
    /// has no `sign_type`).
    Md5,
    /// `HMAC-SHA256`: upper-case hex HMAC-SHA256 keyed with the APIv2 key.
    HmacSha256,
}

impl SignType {
    /// The wire value of `sign_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a v2 request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `<xml>…</xml>` body (`text/xml`).
    Xml,
    /// Signed parameters in the query string (the GET pages).
    Query,
    /// `multipart/form-data`: the parameters as form fields plus file parts (`uploadmedia`).
    Multipart,
}

/// What a successful v2 answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// An `<xml>…</xml>` document.
    Xml,
    /// A file (bill text, gzip on request); a failure is an XML document.
    Download,
    /// A JSON document (`appauth/getaccesstoken`).
    Json,
}

/// Static description of one v2 operation, emitted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationSpec {
    pub method: HttpMethod,
    /// The wire path: the documented path without its `/v2` marker, e.g. `/pay/orderquery`.
    pub path: &'static str,
    /// Host override from the docs (`base_uri`), e.g. `https://api.mch.weixin.qq.com/`.
    pub base_uri: Option<&'static str>,
    pub request: RequestKind,
    pub response: ResponseKind,
    /// The call needs the merchant's API client certificate (mTLS).
    pub security: bool,
    /// The signed parameters carry no `nonce_str`.
    pub nonceless: bool,
    /// The element that carries the merchant id (`mch_id`, `mchid`), filled by the runtime
    /// from the client's merchant id; absent from the generated request struct.
    pub merchant_id: Option<&'static str>,
    /// The element that carries the app id (`appid`, `wxappid`, `mch_appid`): optional in the
    /// generated request struct, filled with the client's app id when the call leaves it out.
    pub app_id: Option<&'static str>,
    /// The request carries `sign` (and, unless [`nonceless`](Self::nonceless), `nonce_str`).
    pub signed: bool,
    /// The values the page allows for `sign_type`; empty when the page has no `sign_type`
    /// element (then only MD5 is possible and no `sign_type` is sent).
    pub sign_types: &'static [SignType],
    /// Request elements RSA-OAEP-encrypted with the WeChat Pay RSA public key before signing
    /// (`enc_bank_no`, `enc_true_name`).
    pub encrypted_request_fields: &'static [&'static str],
    /// Answer elements encrypted with the merchant's public key (RSA PKCS#1 v1.5), decrypted
    /// by the runtime after the answer is verified.
    pub encrypted_response_fields: &'static [&'static str],
    /// Whether a successful answer of a [`signed`](Self::signed) operation must carry a
    /// `sign` (then a missing one is an error): the documented answer lists `sign`. `false`
    /// for the operations whose answer has none (`promotion/transfers`, `mmpaysptrans/pay_bank`
    /// …): their answers cannot be verified. An answer that carries a `sign` is always checked.
    pub answer_signed: bool,
}

/// Implemented by the marker type of every generated v2 operation.
pub trait Operation {
    const SPEC: &'static OperationSpec;
    /// How a successful answer is decoded: [`Xml`], [`Download`] or [`JsonAnswer`].
    type Response: Decode;
}

/// A successful, checked v2 answer.
#[derive(Clone, Default)]
pub struct Answer {
    /// The elements of an XML answer (decrypted fields already decrypted); empty otherwise.
    pub params: Params,
    /// The answer body as received.
    pub body: Vec<u8>,
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("params", &self.params)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Turns a checked answer into the operation's output.
pub trait Decode {
    type Output;
    fn decode(answer: Answer) -> Result<Self::Output, FieldError>;
}

/// An XML answer read into `T`.
pub struct Xml<T>(PhantomData<fn() -> T>);

impl<T> fmt::Debug for Xml<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Xml<{}>", std::any::type_name::<T>())
    }
}

impl<T: FromParams> Decode for Xml<T> {
    type Output = T;
    fn decode(answer: Answer) -> Result<T, FieldError> {
        answer.params.read()
    }
}

/// A file download, as raw bytes.
#[derive(Debug)]
pub struct Download;

impl Decode for Download {
    type Output = Vec<u8>;
    fn decode(answer: Answer) -> Result<Vec<u8>, FieldError> {
        Ok(answer.body)
    }
}

/// A JSON answer read into `T`.
pub struct JsonAnswer<T>(PhantomData<fn() -> T>);

impl<T> fmt::Debug for JsonAnswer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonAnswer<{}>", std::any::type_name::<T>())
    }
}

impl<T: crate::fields::FromJson> Decode for JsonAnswer<T> {
    type Output = T;
    fn decode(answer: Answer) -> Result<T, FieldError> {
        crate::fields::from_json_bytes(&answer.body)
    }
}

/// A v2 request being assembled for one operation on one client; sent by the runtime
/// (`.await` on the async client, `.send()` on the blocking one).
///
/// `Debug` shows the operation and the element names, never their values.
#[must_use = "a call does nothing until it is awaited (async client) or sent with `.send()` (blocking client)"]
pub struct Call<'c, C: ?Sized, O> {
    pub(crate) client: &'c C,
    pub(crate) path_args: PathArgs,
    pub(crate) params: Params,
    pub(crate) files: Vec<(String, FilePart)>,
    pub(crate) sign_type: Option<SignType>,
    pub(crate) invalid: Option<RequestError>,
    pub(crate) idempotent: bool,
    pub(crate) operation: PhantomData<fn() -> O>,
}

impl<C: ?Sized, O: Operation> fmt::Debug for Call<'_, C, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("v2::Call")
            .field("path", &O::SPEC.path)
            .field("path_args", &self.path_args.values().len())
            .field("params", &self.params)
            .field("files", &self.files)
            .field("sign_type", &self.sign_type)
            .field("invalid", &self.invalid.as_ref().map(|e| e.part))
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

impl<'c, C: ?Sized, O: Operation> Call<'c, C, O> {
    pub fn new(client: &'c C, path_args: PathArgs) -> Self {
        Call {
            client,
            path_args,
            params: Params::new(),
            files: Vec::new(),
            sign_type: None,
            invalid: None,
            idempotent: false,
            operation: PhantomData,
        }
    }

    /// The request elements (XML body, query string or form fields, by `SPEC.request`).
    pub fn params(mut self, request: &impl ToParams) -> Self {
        match Params::from_value(request) {
            Ok(params) => self.params = params,
            Err(e) => {
                self.invalid.get_or_insert(RequestError {
                    part: RequestPart::Body,
                    message: format!("request does not write as v2 elements: {e}"),
                });
            }
        }
        self
    }

    /// A file part of a multipart upload, under its form name.
    pub fn file(mut self, name: &str, part: FilePart) -> Self {
        self.files.push((name.to_owned(), part));
        self
    }

    /// Signs with `sign_type` instead of the client's default (it must be one the operation
    /// allows; checked when the call is sent).
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = Some(sign_type);
        self
    }

    /// Lets the client's retry policy send this call again after it may have reached WeChat
    /// Pay; see [`runtime::Call::idempotent`](crate::runtime::Call::idempotent).
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    pub fn spec(&self) -> &'static OperationSpec {
        O::SPEC
    }

    pub fn client(&self) -> &'c C {
        self.client
    }

    pub fn path_args(&self) -> &PathArgs {
        &self.path_args
    }

    pub fn request_params(&self) -> &Params {
        &self.params
    }

    pub fn file_parts(&self) -> &[(String, FilePart)] {
        &self.files
    }

    pub fn chosen_sign_type(&self) -> Option<SignType> {
        self.sign_type
    }

    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// The first problem met while assembling the call, if any.
    pub fn invalid(&self) -> Option<&RequestError> {
        self.invalid.as_ref()
    }
}
