//! The intermediate representation shared by every page front end and the emitter.
//!
//! Plain data, serde-serialisable, free of `syn`. Its JSON form is the `cargo xtask ir`
//! export format: keys documented there stay stable, new keys may be added.
//!
//! APIv2 facts (`codegen/SPEC_FORMAT.md`, "APIv2 pages") use keys written only when set, so the
//! export of a v3 page is unchanged: [`Operation::api_version`], [`Operation::security`],
//! [`Operation::nonceless`], [`Operation::fragment`], [`Notification::api_version`],
//! [`Field::indexed`], and the kinds [`BodyKind::Xml`], [`ResponseKind::Xml`] and
//! [`ResponseKind::Download`].

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;

/// What `cargo xtask ir` prints: every operation and notification read, and every page failure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Export {
    pub operations: Vec<Operation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<Notification>,
    pub errors: Vec<Diagnostic>,
}

/// The source format a page was written in; detected from its content, never configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// wechatpay.im pages: markdown request/response tables.
    ImTable,
    /// wechatpay.js.org pages: ```` ```js twoslash ```` TypeScript namespaces.
    Twoslash,
}

/// Everything a front end read from one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub operations: Vec<Operation>,
    pub notifications: Vec<Notification>,
}

/// One HTTP operation: a method on a path template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// The page's path relative to the spec root it was read from, `/`-separated.
    pub source: String,
    /// 1-based line of the heading that starts the operation.
    pub line: u32,
    pub format: SourceFormat,
    pub method: Method,
    /// URL path template, e.g. `/v3/marketing/membercard-open/cards/{card_id}/users/import`.
    pub path: String,
    /// One-line title of the operation.
    pub summary: String,
    /// Longer prose, when the page has any beyond the summary.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Links to the official documentation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc_links: Vec<String>,
    /// Notice classes of the page (`deprecated`, `redesigned`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// Host override (`base_uri`), e.g. `https://apihk.mch.weixin.qq.com/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_uri: Option<String>,
    pub path_params: Vec<Field>,
    pub query: Vec<Field>,
    pub headers: Vec<Field>,
    pub body: Body,
    pub response: Response,
    /// The named model (frontmatter `models`) the JSON answer is, shared with every other
    /// operation and notification naming it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The API generation: key `api_version`, written only for `"v2"` (absent means v3).
    /// v2 operations generate under the `v2` root (see `emit::generate`).
    #[serde(default, skip_serializing_if = "ApiVersion::is_v3")]
    pub api_version: ApiVersion,
    /// Key `security`, written only when true: a v2 call that needs the merchant's API client
    /// certificate (mutual TLS).
    #[serde(default, skip_serializing_if = "is_false")]
    pub security: bool,
    /// Key `nonceless`, written only when true: a v2 call whose signed parameters carry no
    /// `nonce_str`, so the SDK must not add one.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nonceless: bool,
    /// Key `fragment`, written only when set: the fixed URL fragment a v2 browser redirect
    /// ends with (`#wechat_redirect`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragment: Option<String>,
}

fn is_false(flag: &bool) -> bool {
    !*flag
}

/// The API generation of an operation or notification.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    /// APIv3: JSON bodies, `WECHATPAY2-SHA256-RSA2048` signatures.
    #[default]
    V3,
    /// APIv2: XML bodies signed with the APIv2 key (`MD5`/`HMAC-SHA256`), paths sent without
    /// their leading `/v2`.
    V2,
}

impl ApiVersion {
    pub fn is_v3(&self) -> bool {
        *self == ApiVersion::V3
    }

    /// The generation a URL path template belongs to: `/v2/…` is v2, anything else v3.
    pub fn of_path(path: &str) -> ApiVersion {
        if path.starts_with("/v2/") {
            ApiVersion::V2
        } else {
            ApiVersion::V3
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    /// The lower-case name used in heading anchors (`{#post}`) and Rust identifiers.
    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Patch => "patch",
            Method::Delete => "delete",
        }
    }

    pub fn from_lower(anchor: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.lower() == anchor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    Json,
    /// `multipart/form-data` upload: a `meta` JSON part (the signed body) plus a `file` part.
    Multipart,
    /// A v2 XML document (`<xml>…</xml>`, the request table's `xml` row); `fields` are its
    /// child elements.
    Xml,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    pub kind: BodyKind,
    pub fields: Vec<Field>,
}

impl Body {
    pub fn none() -> Body {
        Body {
            kind: BodyKind::None,
            fields: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseKind {
    Json,
    /// No content (HTTP 204).
    Empty,
    /// A file stream (bills, images, PDFs); not signed like JSON answers, so the runtime does
    /// not verify it. Only an answer the docs describe as a file stream is one (an im-table
    /// answer table reading `文件流…`, a twoslash answer interface extending `ReadStream`); a
    /// page documenting only its error answer (`异常字典`) is [`ResponseKind::Empty`].
    Binary,
    /// A v2 XML answer (`<xml>…</xml>`); `fields` are its child elements.
    Xml,
    /// A v2 download: success is a file (text, gzip-compressed on request), failure is an XML
    /// answer whose elements `fields` lists (the page's `异常字典` table).
    Download,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub kind: ResponseKind,
    pub fields: Vec<Field>,
}

/// The type of a field. Arrays carry their element type in [`Field::items`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

/// Element type of an array field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemType {
    String,
    Integer,
    Number,
    Boolean,
    Object,
}

/// How a field's value is protected on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encryption {
    /// RSA-OAEP with the WeChat Pay public key (requests) or the merchant key (responses).
    #[serde(rename = "by-rsa-pubkey")]
    RsaPubkey,
    /// AEAD_AES_256_GCM with the APIv3 key (notification resources).
    #[serde(rename = "by-aes-gcm")]
    AesGcm,
    /// AES-256-ECB (a v2 refund notification).
    #[serde(rename = "by-aes-ecb")]
    AesEcb,
}

/// How a string field's value encodes structured content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    #[serde(rename = "by-json_encode")]
    JsonEncode,
    #[serde(rename = "by-urlencode")]
    UrlEncode,
}

/// A value hint the type token alone does not carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// RFC 3339 date-time (`string | Date` in twoslash pages).
    DateTime,
    /// Binary upload part (a childless multipart `file` object).
    Binary,
}

/// One field of a request or response structure, a query or header parameter, or a path param.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The wire name, exactly as documented.
    pub name: String,
    /// The Rust identifier for the field (snake_case, sanitised, unique among its siblings).
    pub rust_name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<ItemType>,
    pub required: bool,
    #[serde(rename = "enum", default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<Encryption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded: Option<Encoding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    pub description: String,
    /// Children of objects and arrays of objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// Alternative child sets (one-of) separated by dividers; `fields` then holds the
    /// members common to all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Vec<Field>>,
    /// For strings whose value is itself structured (json-encoded, encrypted), the
    /// fields of the decoded content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded: Option<Box<Decoded>>,
    /// Key `indexed`, written only when set: this field stands for a v2 numbered template
    /// group (`coupon_fee_$n`, `coupon_id_$n` …). It is then an array of objects whose element
    /// fields (`fields`) keep the template names; see [`Indexed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexed: Option<Indexed>,
    /// 1-based source line of the row that declares the field.
    pub line: u32,
}

/// A v2 numbered template group: the wire carries `coupon_fee_0`, `coupon_fee_1` … for the
/// template `coupon_fee_$n`. The group field is an `array` of `object`s whose `fields` are the
/// element templates; a template with a second index (`coupon_refund_id_$n_$m`) sits in a
/// nested group inside the element, so an emitter can make `Vec<Struct>` and `Vec<Vec<Struct>>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indexed {
    /// The index this group iterates (`n`, then `m` for a nested group).
    pub index: String,
    /// The indices that address one element of this group, outermost first: `["n"]` for a
    /// top-level group, `["n", "m"]` for the group nested in its elements. The wire name of an
    /// element field is its template with each `$n`, `$m` replaced by the zero-based position
    /// (`coupon_refund_id_0_1`).
    pub indices: Vec<String>,
    /// What one element is, for names (key `element`): the common prefix of the element
    /// templates (`coupon` of `coupon_id_$n`, `coupon_fee_$n`), else the word most of them
    /// share (`refund` of `refund_id_$n`, `out_refund_no_$n` …), else `item`. The group's
    /// `rust_name` is its plural (`coupons`, `refunds`), the element struct is named after it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub element: String,
}

/// The structure carried inside a string field, revealed once decoded or decrypted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decoded {
    pub fields: Vec<Field>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Vec<Field>>,
}

impl Field {
    pub fn new(name: &str, ty: FieldType, line: u32) -> Field {
        Field {
            name: name.to_owned(),
            rust_name: crate::names::field_ident(name),
            ty,
            items: None,
            required: false,
            enum_values: Vec::new(),
            encrypted: None,
            encoded: None,
            format: None,
            description: String::new(),
            fields: Vec::new(),
            variants: Vec::new(),
            decoded: None,
            indexed: None,
            line,
        }
    }

    /// True for objects and arrays of objects: the fields that own a struct.
    pub fn has_struct(&self) -> bool {
        self.ty == FieldType::Object
            || (self.ty == FieldType::Array && self.items == Some(ItemType::Object))
    }
}

/// A webhook notification page: the envelope WeChat Pay posts and the decrypted resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub source: String,
    pub line: u32,
    /// Event types this page documents, e.g. `TRANSACTION.SUCCESS`.
    pub event_types: Vec<String>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc_links: Vec<String>,
    pub headers: Vec<Field>,
    /// The JSON envelope (`id`, `event_type`, `resource{…}` …).
    pub envelope: Vec<Field>,
    /// Fields of the plaintext of `resource.ciphertext`.
    pub resource: Vec<Field>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_variants: Vec<Vec<Field>>,
    /// The merchant's reply the page documents (`应答规范`): `status`, `body{code,message}`,
    /// sometimes `headers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reply: Vec<Field>,
    /// The named model (frontmatter `models: {resource: …}`) the decrypted resource is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The API generation: key `api_version`, written only for `"v2"`. A v2 notification
    /// posts XML: `envelope` holds the elements of the XML body (the encrypted
    /// `event_ciphertext`/`req_info` element included), `resource` the fields decrypted from
    /// that element (empty when the notification is not encrypted), and `event_types` the
    /// `event_type` values or, without that element, the page's file name (`refund-processed`).
    #[serde(default, skip_serializing_if = "ApiVersion::is_v3")]
    pub api_version: ApiVersion,
}
