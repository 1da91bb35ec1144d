//! The seam between generated endpoint modules and the hand-written runtime.
//!
//! Generated code describes each operation with a static [`OperationSpec`] and a marker type
//! implementing [`Operation`]; its chain nodes build a [`Call`] from path arguments and the
//! typed body/query/headers. Everything protocol-related (signing, encryption, transport,
//! verification, decoding) happens in the runtime when the call is sent.

use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::client::VerifiedResponse;
use super::error::{RequestError, RequestPart};

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the request carries as its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestBodyKind {
    /// `application/json`; the JSON text is what gets signed.
    Json,
    /// `multipart/form-data` with a `meta` JSON part (the signed text) and file parts.
    Multipart,
    None,
}

/// What a successful answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseBodyKind {
    /// A signed JSON document.
    Json,
    /// No content (HTTP 204), still signed.
    Empty,
    /// A file download; WeChat Pay does not sign these (they are checked by their digest).
    Binary,
}

/// Static description of one operation, emitted by the generator for every endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationSpec {
    pub method: HttpMethod,
    /// Path template, e.g. `/v3/marketing/membercard-open/cards/{card_id}/users/import`.
    pub path: &'static str,
    /// Host override from the docs (`base_uri`), e.g. `https://apihk.mch.weixin.qq.com/`.
    pub base_uri: Option<&'static str>,
    pub request_body: RequestBodyKind,
    pub response_body: ResponseBodyKind,
    /// Request fields encrypted with the WeChat Pay public key before sending, as field paths
    /// into the JSON body: `a.b` for nested objects, `a[]` for every element of an array,
    /// e.g. `user_information.common_field_list[].value`.
    pub encrypted_request_fields: &'static [&'static str],
    /// Response fields that arrive encrypted with the merchant's public key (same notation).
    pub encrypted_response_fields: &'static [&'static str],
    /// The docs list the `Wechatpay-Serial` request header: the request names the WeChat Pay
    /// key (public key id or platform certificate serial) even when no field is encrypted.
    pub sends_wechatpay_serial: bool,
}

impl OperationSpec {
    /// Whether the request must carry `Wechatpay-Serial` naming the WeChat Pay key.
    pub fn sends_serial(&self) -> bool {
        self.sends_wechatpay_serial || !self.encrypted_request_fields.is_empty()
    }

    /// Whether the client's [`RetryPolicy`](super::RetryPolicy) may send this operation
    /// again after it may have reached WeChat Pay, without the call being marked
    /// [`idempotent`](Call::idempotent): every `GET`, and the `POST …/close` operations
    /// (closing an order twice changes nothing). Orders, refunds and other POSTs are not (see
    /// [`retry`](super::retry)).
    pub fn is_safe_to_retry(&self) -> bool {
        super::retry::safe_by_default(self.method, self.path)
    }
}

/// Implemented by the marker type of every generated operation.
pub trait Operation {
    const SPEC: &'static OperationSpec;
    /// How a successful answer is decoded; see [`Json`], [`Empty`], [`Binary`].
    type Response: Decode;
}

/// Turns a verified successful answer into the operation's output.
pub trait Decode {
    type Output;
    fn decode(answer: VerifiedResponse) -> Result<Self::Output, serde_json::Error>;
}

/// A JSON answer decoded into `T`; from the document with decrypted fields when the runtime
/// decrypted any, else from the verified bytes.
pub struct Json<T>(PhantomData<fn() -> T>);

impl<T> fmt::Debug for Json<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Json<{}>", std::any::type_name::<T>())
    }
}

impl<T: DeserializeOwned> Decode for Json<T> {
    type Output = T;
    fn decode(answer: VerifiedResponse) -> Result<T, serde_json::Error> {
        match answer.decrypted {
            Some(document) => serde_json::from_value(document),
            None => serde_json::from_slice(&answer.body),
        }
    }
}

/// An answer without content.
#[derive(Debug)]
pub struct Empty;

impl Decode for Empty {
    type Output = ();
    fn decode(_answer: VerifiedResponse) -> Result<(), serde_json::Error> {
        Ok(())
    }
}

/// A file download, returned as raw bytes.
#[derive(Debug)]
pub struct Binary;

impl Decode for Binary {
    type Output = Vec<u8>;
    fn decode(answer: VerifiedResponse) -> Result<Vec<u8>, serde_json::Error> {
        Ok(answer.body)
    }
}

/// Values of the URL path placeholders, in template order, collected along a chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathArgs(Vec<String>);

impl PathArgs {
    pub fn new() -> PathArgs {
        PathArgs(Vec::new())
    }

    /// A copy with one more placeholder value.
    pub fn with(&self, value: impl fmt::Display) -> PathArgs {
        let mut values = self.0.clone();
        values.push(value.to_string());
        PathArgs(values)
    }

    pub fn values(&self) -> &[String] {
        &self.0
    }
}

/// A file part of a multipart upload.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl FilePart {
    pub fn new(
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> FilePart {
        FilePart {
            file_name: file_name.into(),
            content_type: content_type.into(),
            bytes: bytes.into(),
        }
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A request being assembled for one operation on one client; sent by the runtime
/// (`.await` on the async client, `.send()` on the blocking one).
///
/// `Debug` shows the operation and the shape of the call, never the body, query or header
/// values (the body holds sensitive fields in plain text until it is sent).
#[must_use = "a call does nothing until it is awaited (async client) or sent with `.send()` (blocking client)"]
pub struct Call<'c, C: ?Sized, O> {
    pub(crate) client: &'c C,
    pub(crate) path_args: PathArgs,
    pub(crate) body: Option<serde_json::Value>,
    pub(crate) files: Vec<(String, FilePart)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    /// The first error met while assembling; reported when the call is sent.
    pub(crate) invalid: Option<RequestError>,
    /// Whether `SPEC.encrypted_response_fields` are decrypted with the merchant key (the
    /// default) or kept as ciphertext.
    pub(crate) decrypt_response: bool,
    /// The caller said the call may be sent again after it may have reached the server.
    pub(crate) idempotent: bool,
    pub(crate) operation: PhantomData<fn() -> O>,
}

impl<C: ?Sized, O: Operation> fmt::Debug for Call<'_, C, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("method", &O::SPEC.method)
            .field("path", &O::SPEC.path)
            .field("path_args", &self.path_args.values().len())
            .field("body", &self.body.as_ref().map(|_| "<redacted>"))
            .field("query_pairs", &self.query.len())
            .field("header_pairs", &self.headers.len())
            .field("files", &self.files)
            .field("invalid", &self.invalid.as_ref().map(|e| e.part))
            .field("decrypts_response", &self.decrypt_response)
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

impl<'c, C: ?Sized, O: Operation> Call<'c, C, O> {
    pub fn new(client: &'c C, path_args: PathArgs) -> Self {
        Call {
            client,
            path_args,
            body: None,
            files: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            invalid: None,
            decrypt_response: true,
            idempotent: false,
            operation: PhantomData,
        }
    }

    /// The JSON body (or, for uploads, the `meta` part).
    pub fn json(mut self, body: &impl Serialize) -> Self {
        match serde_json::to_value(body) {
            Ok(value) => self.body = Some(value),
            Err(e) => self.fail(
                RequestPart::Body,
                format!("request body does not serialise: {e}"),
            ),
        }
        self
    }

    /// A file part of a multipart upload, under its form name.
    pub fn file(mut self, name: &str, part: FilePart) -> Self {
        self.files.push((name.to_owned(), part));
        self
    }

    /// Query parameters from a struct whose fields are scalars or lists of scalars.
    pub fn query(mut self, query: &impl Serialize) -> Self {
        match flatten_params(query, "query") {
            Ok(pairs) => self.query = pairs,
            Err(e) => self.fail(RequestPart::Query, e),
        }
        self
    }

    /// Extra request headers from a struct whose (renamed) fields are header names.
    pub fn headers(mut self, headers: &impl Serialize) -> Self {
        match flatten_params(headers, "headers") {
            Ok(pairs) => self.headers = pairs,
            Err(e) => self.fail(RequestPart::Headers, e),
        }
        self
    }

    /// Keeps the answer fields the operation declares encrypted
    /// (`SPEC.encrypted_response_fields`) as WeChat Pay's base64 RSA-OAEP ciphertext. By
    /// default the runtime decrypts them with the merchant private key after verifying the
    /// answer, so the typed answer holds plain values and ciphertext is never stored by mistake.
    pub fn keep_ciphertext(mut self) -> Self {
        self.decrypt_response = false;
        self
    }

    /// Whether the answer's encrypted fields will be decrypted (see [`Call::keep_ciphertext`]).
    pub fn decrypts_response(&self) -> bool {
        self.decrypt_response
    }

    /// Lets the client's [`RetryPolicy`](super::RetryPolicy) send this call again after a
    /// failure where it may have reached WeChat Pay (a timeout, a dropped connection, a 5xx
    /// answer). Each attempt is signed anew and carries the same parameters.
    ///
    /// Mark only calls that WeChat Pay treats as the same request when repeated: e.g. an
    /// order with the same `out_trade_no` and the same parameters, or a refund with the same
    /// `out_refund_no`. GETs and `POST …/close` are retried without it
    /// ([`OperationSpec::is_safe_to_retry`]); see [`retry`](super::retry).
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Whether the call may be sent again after it may have reached the server: marked
    /// [`idempotent`](Self::idempotent), or safe by its operation.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent || O::SPEC.is_safe_to_retry()
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

    pub fn body(&self) -> Option<&serde_json::Value> {
        self.body.as_ref()
    }

    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    pub fn header_pairs(&self) -> &[(String, String)] {
        &self.headers
    }

    pub fn file_parts(&self) -> &[(String, FilePart)] {
        &self.files
    }

    /// The first problem met while assembling the call, if any.
    pub fn invalid(&self) -> Option<&RequestError> {
        self.invalid.as_ref()
    }

    fn fail(&mut self, part: RequestPart, message: String) {
        self.invalid.get_or_insert(RequestError { part, message });
    }
}

/// Flattens a serialised struct of scalars (or lists of scalars, joined by commas) into
/// name/value pairs; `None` fields are left out.
fn flatten_params(value: &impl Serialize, what: &str) -> Result<Vec<(String, String)>, String> {
    let value = serde_json::to_value(value).map_err(|e| format!("{what} do not serialise: {e}"))?;
    let serde_json::Value::Object(map) = value else {
        return Err(format!("{what} must serialise to an object, got {value}"));
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (name, value) in map {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::Array(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    parts.push(scalar_text(item).ok_or_else(|| {
                        format!("{what} field `{name}` holds a nested structure")
                    })?);
                }
                parts.join(",")
            }
            other => scalar_text(other)
                .ok_or_else(|| format!("{what} field `{name}` holds a nested structure"))?,
        };
        pairs.push((name, text));
    }
    Ok(pairs)
}

fn scalar_text(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Declares a string enum that keeps values it does not know instead of failing.
///
/// ```
/// wechatpay_api::string_enum! {
///     /// Card type.
///     pub enum CardType {
///         /// Prepaid.
///         Purchase = "PURCHASE",
///         Normal = "NORMAL",
///     }
/// }
/// assert_eq!(CardType::from("NORMAL"), CardType::Normal);
/// assert_eq!(CardType::from("NEW").as_str(), "NEW");
/// ```
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the crate does not know.
            Unknown(::std::string::String),
        }

        $crate::impl_string_enum!($name { $( $variant = $value ),* });
    };
}

/// The conversions and serde impls of a string enum declared with an `Unknown(String)` variant
/// (what [`string_enum!`] and generated code use). Reading goes through a table of the known
/// values rather than a `match` on strings: a generated crate has hundreds of these enums.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_string_enum {
    ($name:ident { $( $variant:ident = $value:literal ),* $(,)? }) => {
        impl $name {
            const KNOWN: &'static [(&'static str, $name)] = &[ $( ($value, $name::$variant) ),* ];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                $crate::fields::known_or(Self::KNOWN, value, $name::Unknown)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::fields::ToJson for $name {
            fn to_json(&self) -> $crate::Value {
                $crate::Value::String(self.as_str().to_owned())
            }
        }

        impl $crate::runtime::v2::params::ToText for $name {
            fn to_text(&self) -> ::std::string::String {
                self.as_str().to_owned()
            }
        }

        impl $crate::runtime::v2::params::FromText for $name {
            fn from_text(
                text: ::std::string::String,
            ) -> ::std::result::Result<Self, $crate::fields::FieldError> {
                ::std::result::Result::Ok($crate::fields::known_or(Self::KNOWN, &text, $name::Unknown))
            }

            fn placeholder() -> Self {
                $name::Unknown(::std::string::String::new())
            }
        }

        impl $crate::fields::FromJson for $name {
            fn from_json(
                value: $crate::Value,
            ) -> ::std::result::Result<Self, $crate::fields::FieldError> {
                $crate::fields::string_enum(value, Self::KNOWN, $name::Unknown)
            }

            fn placeholder() -> Self {
                $name::Unknown(::std::string::String::new())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::fields::deserialize(deserializer)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Query {
        limit: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        offset: Option<i64>,
        status: Vec<&'static str>,
    }

    #[test]
    fn query_pairs_flatten_scalars_and_lists() {
        let pairs = flatten_params(
            &Query {
                limit: 10,
                offset: None,
                status: vec!["A", "B"],
            },
            "query",
        )
        .unwrap();
        assert_eq!(
            pairs,
            vec![
                ("limit".to_owned(), "10".to_owned()),
                ("status".to_owned(), "A,B".to_owned())
            ]
        );
    }

    #[test]
    fn nested_query_is_reported() {
        #[derive(Serialize)]
        struct Bad {
            inner: Query,
        }
        let err = flatten_params(
            &Bad {
                inner: Query {
                    limit: 1,
                    offset: None,
                    status: vec![],
                },
            },
            "query",
        )
        .unwrap_err();
        assert_eq!(err, "query field `inner` holds a nested structure");
    }

    crate::string_enum! {
        pub enum Color { Red = "RED", Blue = "BLUE" }
    }

    #[test]
    fn string_enum_keeps_unknown_values() {
        let parsed: Vec<Color> = serde_json::from_str(r#"["RED","GREEN"]"#).unwrap();
        assert_eq!(parsed, vec![Color::Red, Color::Unknown("GREEN".into())]);
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            r#"["RED","GREEN"]"#
        );
    }
}
