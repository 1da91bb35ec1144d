//! Real webhook notifications for tests: the resource encrypted with an APIv3 key
//! (AEAD_AES_256_GCM), the body signed with a WeChat Pay private key, exactly as WeChat Pay
//! posts them.
//!
//! ```
//! use wechatpay_api::runtime::{ApiV3Key, WebhookHandler};
//! use wechatpay_api::testing::{keys, NotificationBuilder};
//!
//! let sent = NotificationBuilder::new("TRANSACTION.SUCCESS", serde_json::json!({"out_trade_no": "T1"}))
//!     .build()?;
//! let handler = WebhookHandler::builder(ApiV3Key::new(keys::APIV3_KEY)?)
//!     .wechatpay_public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
//!     .build()?;
//! let notification = handler.handle(&sent.headers, &sent.body).unwrap();
//! assert_eq!(notification.resource["out_trade_no"], "T1");
//! # Ok::<(), wechatpay_api::runtime::Error>(())
//! ```

use http::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::runtime::aead::ApiV3Key;
use crate::runtime::error::Error;
use crate::runtime::keys::MerchantPrivateKey;
use crate::runtime::signing::{nonce, response_message};
use crate::runtime::verify::unix_now;

use super::certificates::PlatformCertificate;
use super::keys;

/// Builds one signed, encrypted notification. Defaults: the test APIv3 key
/// ([`keys::APIV3_KEY`]), signed with the test WeChat Pay public key's private half
/// ([`keys::PUBLIC_KEY_ID`]), the current time, random nonces.
///
/// `Debug` never shows the resource's plaintext, the APIv3 key or the signing key.
#[derive(Clone)]
#[must_use]
pub struct NotificationBuilder {
    event_type: String,
    plaintext: Vec<u8>,
    id: String,
    create_time: String,
    resource_type: String,
    summary: String,
    original_type: Option<String>,
    associated_data: String,
    resource_nonce: Option<String>,
    algorithm: String,
    apiv3_key: String,
    serial: String,
    private_key_pem: String,
    timestamp: Option<i64>,
}

impl std::fmt::Debug for NotificationBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationBuilder")
            .field("event_type", &self.event_type)
            .field("id", &self.id)
            .field("resource_type", &self.resource_type)
            .field("algorithm", &self.algorithm)
            .field("serial", &self.serial)
            .field("plaintext_len", &self.plaintext.len())
            .finish_non_exhaustive()
    }
}

impl NotificationBuilder {
    /// A notification of `event_type` whose resource is `resource` (serialised as JSON).
    pub fn new(event_type: &str, resource: Value) -> NotificationBuilder {
        NotificationBuilder::with_plaintext(event_type, resource.to_string().into_bytes())
    }

    /// A notification whose resource plaintext is exactly `plaintext` (need not be JSON).
    pub fn with_plaintext(event_type: &str, plaintext: impl Into<Vec<u8>>) -> NotificationBuilder {
        NotificationBuilder {
            event_type: event_type.to_owned(),
            plaintext: plaintext.into(),
            id: "EV-2018022511223320873".to_owned(),
            create_time: "2015-05-20T13:29:35+08:00".to_owned(),
            resource_type: "encrypt-resource".to_owned(),
            summary: "测试通知".to_owned(),
            original_type: Some("transaction".to_owned()),
            associated_data: "transaction".to_owned(),
            resource_nonce: None,
            algorithm: crate::runtime::webhook::AEAD_AES_256_GCM.to_owned(),
            apiv3_key: keys::APIV3_KEY.to_owned(),
            serial: keys::PUBLIC_KEY_ID.to_owned(),
            private_key_pem: keys::WECHATPAY_PRIVATE_KEY_PEM.to_owned(),
            timestamp: None,
        }
    }

    /// The envelope's `id`.
    pub fn id(mut self, id: &str) -> Self {
        self.id = id.to_owned();
        self
    }

    /// The envelope's `summary`.
    pub fn summary(mut self, summary: &str) -> Self {
        self.summary = summary.to_owned();
        self
    }

    /// `resource.original_type` (`None` leaves it out).
    pub fn original_type(mut self, original_type: Option<&str>) -> Self {
        self.original_type = original_type.map(str::to_owned);
        self
    }

    /// `resource.associated_data` (authenticated by AES-GCM).
    pub fn associated_data(mut self, associated_data: &str) -> Self {
        self.associated_data = associated_data.to_owned();
        self
    }

    /// `resource.nonce` (12 characters; random by default).
    pub fn resource_nonce(mut self, nonce: &str) -> Self {
        self.resource_nonce = Some(nonce.to_owned());
        self
    }

    /// `resource.algorithm` as written in the envelope (encryption is always AES-256-GCM).
    pub fn algorithm(mut self, algorithm: &str) -> Self {
        self.algorithm = algorithm.to_owned();
        self
    }

    /// Encrypts with this APIv3 key (32 bytes).
    pub fn apiv3_key(mut self, key: &str) -> Self {
        self.apiv3_key = key.to_owned();
        self
    }

    /// Signs with this private key and names `serial` in `Wechatpay-Serial`.
    pub fn signed_by(mut self, serial: &str, private_key_pem: &str) -> Self {
        self.serial = serial.to_owned();
        self.private_key_pem = private_key_pem.to_owned();
        self
    }

    /// Signs with the test platform certificate's key ([`keys::PLATFORM_SERIAL`]).
    pub fn signed_by_platform_certificate(self) -> Self {
        self.signed_by(keys::PLATFORM_SERIAL, keys::PLATFORM_PRIVATE_KEY_PEM)
    }

    /// Signs with this platform certificate's key and names its serial in
    /// `Wechatpay-Serial` (a certificate minted for the test, or one a
    /// [`TestServer`](super::TestServer) serves).
    pub fn signed_by_certificate(self, certificate: &PlatformCertificate) -> Self {
        self.signed_by(certificate.serial(), certificate.private_key_pem())
    }

    /// `Wechatpay-Timestamp` (Unix seconds; now by default).
    pub fn timestamp(mut self, unix_seconds: i64) -> Self {
        self.timestamp = Some(unix_seconds);
        self
    }

    /// Encrypts the resource, writes the envelope and signs it.
    pub fn build(&self) -> Result<SentNotification, Error> {
        self.build_with(|_| {})
    }

    /// Like [`build`](Self::build), with `edit` applied to the body text before it is signed:
    /// flip a ciphertext byte, drop a field, send something that is not JSON…
    pub fn build_with(&self, edit: impl FnOnce(&mut String)) -> Result<SentNotification, Error> {
        let key = ApiV3Key::new(&self.apiv3_key)?;
        let resource_nonce = match &self.resource_nonce {
            Some(n) => n.clone(),
            None => nonce()?[..12].to_owned(),
        };
        let ciphertext = key.encrypt(&resource_nonce, &self.associated_data, &self.plaintext)?;
        let mut resource = json!({
            "algorithm": self.algorithm,
            "ciphertext": ciphertext,
            "associated_data": self.associated_data,
            "nonce": resource_nonce,
        });
        if let (Some(original_type), Some(object)) = (&self.original_type, resource.as_object_mut())
        {
            object.insert("original_type".into(), Value::from(original_type.as_str()));
        }
        let body = json!({
            "id": self.id,
            "create_time": self.create_time,
            "resource_type": self.resource_type,
            "event_type": self.event_type,
            "summary": self.summary,
            "resource": resource,
        })
        .to_string();
        let mut body = body;
        edit(&mut body);
        let timestamp = self.timestamp.unwrap_or_else(unix_now).to_string();
        let header_nonce = nonce()?;
        let signer = MerchantPrivateKey::from_pem(&self.private_key_pem)?;
        let signature = signer.sign(&response_message(
            &timestamp,
            &header_nonce,
            body.as_bytes(),
        ))?;
        Ok(SentNotification {
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                (
                    "Request-ID".into(),
                    format!("08F78BB5AF0610{}", &header_nonce[..8]),
                ),
                ("Wechatpay-Nonce".into(), header_nonce),
                ("Wechatpay-Serial".into(), self.serial.clone()),
                ("Wechatpay-Signature".into(), signature),
                (
                    "Wechatpay-Signature-Type".into(),
                    crate::runtime::webhook::SIGNATURE_TYPE.into(),
                ),
                ("Wechatpay-Timestamp".into(), timestamp),
            ],
            body,
        })
    }
}

/// A notification as it travels: headers and the exact body text that was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentNotification {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl SentNotification {
    /// The value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Replaces (or adds) a header; `None` removes it.
    pub fn set_header(&mut self, name: &str, value: Option<&str>) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            self.headers.push((name.to_owned(), value.to_owned()));
        }
    }

    /// The headers as an `http::HeaderMap` (headers that are not valid HTTP are left out).
    pub fn header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                map.append(name, value);
            }
        }
        map
    }

    /// `{"headers": {name: value, …}, "body": "<raw body>"}`: the input of the
    /// `notification` example.
    pub fn to_json(&self) -> Value {
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        json!({"headers": headers, "body": self.body})
    }
}
