//! Real APIv2 notifications for tests: XML documents signed with an APIv2 key (MD5 or
//! HMAC-SHA256), refund notifications whose `req_info` is AES-256-ECB-encrypted with the MD5
//! of the APIv2 key, and event notifications whose `event_ciphertext` is AES-256-GCM with the
//! APIv3 key, exactly as WeChat Pay posts them.
//!
//! ```
//! use wechatpay_api::testing::V2NotificationBuilder;
//!
//! let sent = V2NotificationBuilder::payment([("out_trade_no", "T1"), ("total_fee", "101")])
//!     .build()?;
//! assert!(sent.body.contains("<sign>"));
//! # Ok::<(), wechatpay_api::runtime::Error>(())
//! ```

use std::fmt;

use crate::runtime::aead::ApiV3Key;
use crate::runtime::error::{ConfigItem, Error};
use crate::runtime::signing::nonce;
use crate::runtime::v2::notification::NotificationEncryption;
use crate::runtime::v2::operation::SignType;
use crate::runtime::v2::params::Params;
use crate::runtime::v2::sign::{self, ApiV2Key};
use crate::runtime::v2::webhook::AEAD_AES_256_GCM;
use crate::runtime::v2::{req_info, xml};

use super::keys;

/// How the document is signed: the algorithm, and the element that states it (if any).
#[derive(Debug, Clone, Copy)]
struct Signing {
    sign_type: SignType,
    stated_in: Option<&'static str>,
}

/// Builds one v2 notification. Defaults: the test keys ([`keys::APIV2_KEY`],
/// [`keys::APIV3_KEY`]), the test merchant ([`keys::MERCHANT_ID`]), a random `nonce_str`.
///
/// `Debug` shows element names only, never values or keys.
#[derive(Clone)]
#[must_use]
pub struct V2NotificationBuilder {
    elements: Params,
    encrypted: Option<(&'static str, NotificationEncryption, Params)>,
    signing: Option<Signing>,
    api_v2_key: String,
    api_v3_key: String,
}

impl fmt::Debug for V2NotificationBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2NotificationBuilder")
            .field("elements", &self.elements)
            .field(
                "encrypted",
                &self.encrypted.as_ref().map(|(e, how, p)| (e, how, p)),
            )
            .field("signing", &self.signing)
            .finish_non_exhaustive()
    }
}

fn params<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Params {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

impl V2NotificationBuilder {
    fn with(elements: Params) -> V2NotificationBuilder {
        V2NotificationBuilder {
            elements,
            encrypted: None,
            signing: None,
            api_v2_key: keys::APIV2_KEY.to_owned(),
            api_v3_key: keys::APIV3_KEY.to_owned(),
        }
    }

    /// A payment result notification: `return_code`/`result_code` `SUCCESS`, the test
    /// `appid` and `mch_id`, then `elements`; signed with MD5 (no `sign_type` element, as the
    /// payment notifications are).
    pub fn payment<'a>(elements: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut all = params([
            ("return_code", "SUCCESS"),
            ("result_code", "SUCCESS"),
            ("appid", keys::APPID),
            ("mch_id", keys::MERCHANT_ID),
        ]);
        for (name, value) in elements {
            all.insert(name, value);
        }
        let mut builder = V2NotificationBuilder::with(all);
        builder.signing = Some(Signing {
            sign_type: SignType::Md5,
            stated_in: None,
        });
        builder
    }

    /// A refund notification: `return_code` `SUCCESS`, the test `appid` and `mch_id`, then
    /// `elements`, and `req_info`: `refund` written as `<root>…</root>` and AES-256-ECB
    /// encrypted with the MD5 of the APIv2 key. Not signed, as WeChat Pay sends them.
    pub fn refund<'a, 'b>(
        elements: impl IntoIterator<Item = (&'a str, &'a str)>,
        refund: impl IntoIterator<Item = (&'b str, &'b str)>,
    ) -> Self {
        let mut all = params([
            ("return_code", "SUCCESS"),
            ("appid", keys::APPID),
            ("mch_id", keys::MERCHANT_ID),
        ]);
        for (name, value) in elements {
            all.insert(name, value);
        }
        let mut builder = V2NotificationBuilder::with(all);
        builder.encrypted = Some(("req_info", NotificationEncryption::AesEcb, params(refund)));
        builder
    }

    /// An event notification (`TRANSACTION.SUCCESS`, …): `event_type`, `event_id`,
    /// `event_create_time`, `event_algorithm`, `event_nonce`, `event_associated_data`, the test
    /// `mch_id` and `appid`, then `elements`; `resource` written as `<xml>…</xml>` and
    /// AES-256-GCM encrypted with the APIv3 key into `event_ciphertext`; signed with
    /// HMAC-SHA256 stated in `algorithm`, as the docs show.
    pub fn event<'a, 'b>(
        event_type: &str,
        elements: impl IntoIterator<Item = (&'a str, &'a str)>,
        resource: impl IntoIterator<Item = (&'b str, &'b str)>,
    ) -> Self {
        let mut all = params([
            ("mch_id", keys::MERCHANT_ID),
            ("appid", keys::APPID),
            ("event_type", event_type),
            ("event_id", "EV-2018022511223320873"),
            ("event_create_time", "20180225112233"),
            ("event_algorithm", AEAD_AES_256_GCM),
            ("event_associated_data", "transaction"),
        ]);
        for (name, value) in elements {
            all.insert(name, value);
        }
        let mut builder = V2NotificationBuilder::with(all);
        builder.encrypted = Some((
            "event_ciphertext",
            NotificationEncryption::AesGcm,
            params(resource),
        ));
        builder.signing = Some(Signing {
            sign_type: SignType::HmacSha256,
            stated_in: Some("algorithm"),
        });
        builder
    }

    /// Sets (or replaces) an element of the document.
    pub fn element(mut self, name: &str, value: &str) -> Self {
        self.elements.insert(name, value);
        self
    }

    /// Leaves an element out of the document.
    pub fn without_element(mut self, name: &str) -> Self {
        self.elements.remove(name);
        self
    }

    /// Signs and encrypts `req_info` with this APIv2 key (32 letters and digits).
    pub fn api_v2_key(mut self, key: &str) -> Self {
        self.api_v2_key = key.to_owned();
        self
    }

    /// Encrypts `event_ciphertext` with this APIv3 key (32 bytes).
    pub fn api_v3_key(mut self, key: &str) -> Self {
        self.api_v3_key = key.to_owned();
        self
    }

    /// Signs with `sign_type` and states it in the `sign_type` element.
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.signing = Some(Signing {
            sign_type,
            stated_in: Some(sign::SIGN_TYPE),
        });
        self
    }

    /// Signs with `sign_type` without stating it (the receiver must know).
    pub fn sign_type_unstated(mut self, sign_type: SignType) -> Self {
        self.signing = Some(Signing {
            sign_type,
            stated_in: None,
        });
        self
    }

    /// No `sign` element.
    pub fn unsigned(mut self) -> Self {
        self.signing = None;
        self
    }

    /// Encrypts, signs and writes the document.
    pub fn build(&self) -> Result<SentV2Notification, Error> {
        self.build_with(|_| {})
    }

    /// Like [`build`](Self::build), with `edit` applied to the elements after they are signed
    /// and encrypted: change a value, flip a `req_info` byte, drop `sign`…
    pub fn build_with(&self, edit: impl FnOnce(&mut Params)) -> Result<SentV2Notification, Error> {
        let bad_key = |e: &dyn fmt::Display| Error::config(ConfigItem::TestServer, e.to_string());
        let api_v2_key = ApiV2Key::new(self.api_v2_key.as_str()).map_err(|e| bad_key(&e))?;
        let mut elements = self.elements.clone();
        if !elements.contains("nonce_str") {
            elements.insert("nonce_str", nonce()?);
        }
        if let Some((element, how, resource)) = &self.encrypted {
            let ciphertext = match how {
                NotificationEncryption::AesEcb => {
                    let plain = root_document(resource).map_err(|e| bad_key(&e))?;
                    req_info::encrypt(&api_v2_key, plain.as_bytes()).map_err(|e| bad_key(&e))?
                }
                NotificationEncryption::AesGcm => {
                    let plain = xml::write(resource).map_err(|e| bad_key(&e))?;
                    let event_nonce = match elements.get("event_nonce") {
                        Some(n) => n.to_owned(),
                        None => nonce()?[..12].to_owned(),
                    };
                    elements.insert("event_nonce", event_nonce.as_str());
                    let aad = elements.get("event_associated_data").unwrap_or("");
                    ApiV3Key::new(&self.api_v3_key)?.encrypt(&event_nonce, aad, plain.as_bytes())?
                }
            };
            elements.insert(*element, ciphertext);
        }
        if let Some(signing) = self.signing {
            if let Some(stated_in) = signing.stated_in {
                elements.insert(stated_in, signing.sign_type.as_str());
            }
            let signature = sign::sign(&elements, signing.sign_type, &api_v2_key);
            elements.insert(sign::SIGN, signature);
        }
        edit(&mut elements);
        let body = xml::write(&elements).map_err(|e| bad_key(&e))?;
        Ok(SentV2Notification { body })
    }
}

/// `<root>…</root>`: the plaintext form of `req_info`.
fn root_document(resource: &Params) -> Result<String, xml::XmlError> {
    let document = xml::write(resource)?;
    let inner = document
        .strip_prefix("<xml>")
        .and_then(|d| d.strip_suffix("</xml>"))
        .unwrap_or_default();
    Ok(format!("<root>{inner}</root>"))
}

/// A v2 notification as it travels: `Content-Type: text/xml` and this body.
#[derive(Clone, PartialEq, Eq)]
pub struct SentV2Notification {
    /// The XML document.
    pub body: String,
}

impl fmt::Debug for SentV2Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SentV2Notification")
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// What a notify URL answered to [`SentV2Notification::post`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2NotifyAnswer {
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    pub body: String,
}

impl SentV2Notification {
    /// The `Content-Type` WeChat Pay posts v2 notifications with.
    pub const CONTENT_TYPE: &'static str = "text/xml";

    /// POSTs the notification to `url` as WeChat Pay does (`Content-Type: text/xml`) and
    /// returns the answer.
    pub async fn post(&self, url: &str) -> Result<V2NotifyAnswer, Error> {
        let response = reqwest::Client::new()
            .post(url)
            .header("Content-Type", Self::CONTENT_TYPE)
            .body(self.body.clone())
            .send()
            .await
            .map_err(Error::transport)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("Content-Type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await.map_err(Error::transport)?;
        Ok(V2NotifyAnswer {
            status,
            content_type,
            body,
        })
    }
}
