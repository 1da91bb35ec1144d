//! The hand-written runtime: everything generated code calls into.
//!
//! - [`Client`] (async; send a generated call with `.await`) and, with the `blocking`
//!   feature, `blocking::Client` (send with `.send()`), both built by [`ClientBuilder`];
//!   `.send_with_meta()` also returns the answer's status, `Request-ID` and headers
//!   ([`WithMeta`]).
//! - Failed requests are sent again when that is safe ([`RetryPolicy`], [`retry`]), to a
//!   backup host when the first cannot be reached; clients may share one HTTP connection pool
//!   ([`HttpClient`]). With the `tracing` feature (on by default) every call is a `tracing`
//!   span ([`observe`]).
//! - Requests are signed (`Authorization: WECHATPAY2-SHA256-RSA2048 …`), the fields an
//!   operation marks sensitive are RSA-OAEP-encrypted with the WeChat Pay key (and
//!   `Wechatpay-Serial` set), every 2xx answer except downloads is verified by the key its
//!   `Wechatpay-Serial` names, and non-2xx answers become [`Error::Api`].
//! - Encrypted answer fields are decrypted with the merchant key once the answer is verified
//!   ([`Call::keep_ciphertext`] opts out; [`Client::decrypt_fields`] decrypts afterwards).
//! - [`Client::request`] calls any path template ([`dynamic::DynamicCall`]).
//! - [`Client::jsapi_pay_params`] and [`Client::app_pay_params`] sign the parameters a front
//!   end needs to start a payment ([`paysign`]).
//! - [`media::MediaFile`] prepares an image or video for the media upload endpoints.
//! - [`Client::download_bill`] streams a bill file, gunzips it and checks its digest
//!   ([`bill`]).
//! - [`webhook::WebhookHandler`] verifies, decrypts and decodes webhook notifications (with
//!   [`aead::ApiV3Key`] and a [`KeyStore`]) and says what to reply ([`webhook::Reply`]).
//! - The WeChat Pay keys live in one [`KeyStore`] shared by clients and webhook handlers; with
//!   the `certificates` feature it can download, check, refresh and rotate platform
//!   certificates by itself ([`certificates`]).

pub mod aead;
pub mod beijing_time;
pub mod bill;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
#[cfg(feature = "certificates")]
#[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
pub mod certificates;
pub mod client;
pub mod client_certificate;
pub(crate) mod core;
pub mod dynamic;
pub mod error;
mod form_data;
pub mod http;
pub mod key_store;
pub mod keys;
pub mod media;
pub mod observe;
pub mod operation;
pub mod paysign;
pub mod retry;
pub mod sensitive_fields;
pub mod signing;
pub mod v2;
pub mod verify;
pub mod webhook;

pub use self::core::{PreparedRequest, USER_AGENT};
pub use aead::ApiV3Key;
pub use bill::{BillCompression, BillFile, BillSummary};
pub use client::{Client, ClientBuilder, VerifiedResponse, WithMeta};
pub use client_certificate::ClientCertificate;
pub use dynamic::DynamicCall;
pub use error::{
    ApiError, ApiErrorCode, BillError, CertificateError, ConfigError, ConfigItem, CryptoError,
    CryptoOperation, Error, ErrorAuthenticity, RequestError, RequestPart, TransportError,
    TransportErrorKind, VerifyError,
};
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub use http::BlockingHttpClient;
pub use http::{HttpClient, HttpClientBuilder};
pub use key_store::KeyStore;
pub use keys::{KeySource, MerchantPrivateKey, WechatpayKey};
pub use media::{MediaError, MediaFile, MediaKind, MediaMeta};
pub use operation::{
    Binary, Call, Decode, Empty, FilePart, HttpMethod, Json, Operation, OperationSpec, PathArgs,
    RequestBodyKind, ResponseBodyKind,
};
pub use paysign::{AppPayParams, JsapiPayParams};
pub use retry::RetryPolicy;
pub use verify::SignatureHeaders;
pub use webhook::{
    FromResource, HeaderSource, Notification, Reply, WebhookError, WebhookHandler,
    WebhookHandlerBuilder,
};
