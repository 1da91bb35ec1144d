//! Entry points of the runtime's fuzz targets (`fuzz/`) and of the test that replays what they
//! found (`tests/fuzz_regressions.rs`): what arrives from the network, through the same code the
//! clients and webhook handlers run. Any input must give a value or a typed error, never a panic.
//!
//! Every target reads its input the same way (`split`): the first byte chooses a mode, then
//! `Name: value` header lines up to the first empty line, then the body. Signing modes sign the
//! body with the test WeChat Pay key inside the target (now, a fixed nonce), so that inputs get
//! past verification and reach decoding.

use std::sync::OnceLock;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::fields::{FromJson, ToJson};
use crate::runtime::ApiV3Key;
use crate::runtime::core::Core;
use crate::runtime::error::Error;
use crate::runtime::key_store::KeyStore;
use crate::runtime::keys::{MerchantPrivateKey, WechatpayKey};
use crate::runtime::operation::{Decode, Json, ResponseBodyKind};
use crate::runtime::signing::response_message;
use crate::runtime::verify::unix_now;
use crate::runtime::webhook::{WebhookError, WebhookHandler};
use crate::testing::{NotificationBuilder, keys};

/// The mode byte, the header pairs and the body of a fuzz input.
pub fn split(bytes: &[u8]) -> (u8, Vec<(String, String)>, &[u8]) {
    let Some((&mode, rest)) = bytes.split_first() else {
        return (0, Vec::new(), &[]);
    };
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&rest[..at], &rest[at + 2..]),
        None => (&[][..], rest),
    };
    let headers = String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    (mode, headers, body)
}

/// Signature headers the test WeChat Pay key gives `body` now: (name, value) pairs.
fn signature_headers(body: &[u8]) -> Vec<(&'static str, String)> {
    let signer = &state().wechatpay_signer;
    let timestamp = unix_now().to_string();
    let nonce = "fuzz-nonce-0123456789abcdef";
    let signature = signer
        .sign(&response_message(&timestamp, nonce, body))
        .unwrap_or_default();
    vec![
        ("Wechatpay-Timestamp", timestamp),
        ("Wechatpay-Nonce", nonce.to_owned()),
        ("Wechatpay-Serial", keys::PUBLIC_KEY_ID.to_owned()),
        ("Wechatpay-Signature", signature),
    ]
}

struct State {
    core: Core,
    handler: WebhookHandler,
    wechatpay_signer: MerchantPrivateKey,
}

fn state() -> &'static State {
    static STATE: OnceLock<State> = OnceLock::new();
    STATE.get_or_init(|| {
        let keys = KeyStore::new();
        let public = WechatpayKey::public_key(keys::PUBLIC_KEY_ID, keys::WECHATPAY_PUBLIC_KEY_PEM)
            .expect("the test WeChat Pay public key parses");
        keys.add(public)
            .expect("the test WeChat Pay public key is accepted");
        let core = Core {
            mchid: keys::MERCHANT_ID.to_owned(),
            merchant_serial: keys::MERCHANT_SERIAL.to_owned(),
            merchant_key: MerchantPrivateKey::from_pem(keys::MERCHANT_PRIVATE_KEY_PEM)
                .expect("the test merchant key parses"),
            keys: keys.clone(),
            base_url: "http://127.0.0.1:9".to_owned(),
            backup_base_url: None,
            force_base_url: true,
            max_response_bytes: crate::runtime::client::DEFAULT_MAX_RESPONSE_BYTES,
            timeout: crate::runtime::client::DEFAULT_TIMEOUT,
            retry: crate::runtime::RetryPolicy::none(),
            v2: Default::default(),
        };
        let handler = WebhookHandler::builder(
            ApiV3Key::new(keys::APIV3_KEY).expect("the test APIv3 key is 32 bytes"),
        )
        .key_store(keys)
        .build()
        .expect("a handler over the test key store");
        State {
            core,
            handler,
            wechatpay_signer: MerchantPrivateKey::from_pem(keys::WECHATPAY_PRIVATE_KEY_PEM)
                .expect("the test WeChat Pay private key parses"),
        }
    })
}

/// An answer as a client receives it: status and kind from the mode byte, headers and body from
/// the input (signed by the target when the mode's low bit is set), then the client's check
/// (status, signature), field decryption and decoding into a generated answer type.
///
/// Mode bits: `0` sign, `1..=2` status (200, 204, 400, 500), `3..=4` kind (JSON, empty,
/// download), `5` decrypt fields, `6..=7` answer type.
pub fn answer(bytes: &[u8]) -> Result<(), Error> {
    let (mode, pairs, body) = split(bytes);
    let mut headers = HeaderMap::new();
    for (name, value) in &pairs {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    if mode & 1 != 0 {
        for (name, value) in signature_headers(body) {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
    let status = [200, 204, 400, 500][usize::from((mode >> 1) & 3)];
    let kind = [
        ResponseBodyKind::Json,
        ResponseBodyKind::Empty,
        ResponseBodyKind::Binary,
        ResponseBodyKind::Json,
    ][usize::from((mode >> 3) & 3)];
    let decrypt: Vec<String> = if mode & 0x20 != 0 {
        [
            "payer.openid",
            "promotion_detail[].goods_detail[].goods_id",
            "a[]",
        ]
        .map(str::to_owned)
        .to_vec()
    } else {
        Vec::new()
    };
    let core = &state().core;
    core.check(kind, status, &headers, body)?;
    let answer = core.accept(kind, &decrypt, status, headers, body.to_vec())?;
    let decoded = match mode >> 6 {
        0 => Json::<crate::models::Transaction>::decode(answer).map(drop),
        1 => Json::<crate::models::Refund>::decode(answer).map(drop),
        2 => Json::<crate::models::PartnerTransaction>::decode(answer).map(drop),
        _ => return answer.json::<Value>().map(drop),
    };
    decoded.map_err(|source| Error::Decode { status, source })
}

/// A notification as a webhook handler receives it. Mode `& 3`: `0` headers and body as given;
/// `1` the body signed by the target (the envelope is fuzzed); `2`, `3` the body is the decrypted
/// resource, sealed and signed into a real notification of a documented event type (or of the
/// first header's value), so decoding into the generated `webhook::Event` is reached.
pub fn webhook(bytes: &[u8]) -> Result<(), WebhookError> {
    const EVENT_TYPES: [&str; 5] = [
        "TRANSACTION.SUCCESS",
        "REFUND.SUCCESS",
        "REFUND.ABNORMAL",
        "REFUND.CLOSED",
        "SOMETHING.NEW",
    ];
    let (mode, mut headers, body) = split(bytes);
    let handler = &state().handler;
    match mode & 3 {
        0 => {}
        1 => {
            for (name, value) in signature_headers(body) {
                headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                headers.push((name.to_owned(), value));
            }
        }
        _ => {
            let event_type = match headers.first() {
                Some((_, value)) if mode & 0x80 != 0 => value.clone(),
                _ => EVENT_TYPES[usize::from((mode >> 2) & 0x1f) % EVENT_TYPES.len()].to_owned(),
            };
            let sent = NotificationBuilder::with_plaintext(&event_type, body.to_vec())
                .build()
                .map_err(|e| WebhookError::MalformedEnvelope(e.to_string()))?;
            let notification =
                handler.handle_event::<crate::webhook::Event>(&sent.headers, &sent.body)?;
            // Decrypted, typed: the event type survives and `Debug` works on anything.
            assert_eq!(notification.resource.event_type(), event_type);
            let _ = format!("{notification:?} {:?}", notification.resource);
            // The same notification as the caller's own type and as JSON: errors, not panics.
            let _ = handler.handle_as::<crate::models::Transaction>(&sent.headers, &sent.body);
            let _ = handler.handle(&sent.headers, &sent.body);
            return Ok(());
        }
    }
    handler.handle(&headers, body)?;
    handler
        .handle_event::<crate::webhook::Event>(&headers, body)
        .map(|_| ())
}

/// The JSON layer on arbitrary bytes: generated types read them or say why, and what they read
/// writes back to JSON that reads again into an equal value, numbers keeping their text.
pub fn json(bytes: &[u8]) {
    round_trip::<crate::models::Transaction>(bytes);
    round_trip::<crate::models::Refund>(bytes);
    round_trip::<crate::models::PartnerTransaction>(bytes);
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        let text = value.to_string();
        let again: Value = serde_json::from_str(&text).expect("written JSON reads again");
        assert_eq!(again, value, "Value changed on a round trip through {text}");
        let _ = crate::models::Transaction::from_json(value.clone());
        let _ = serde_json::from_value::<crate::models::Refund>(value);
    }
    for event_type in ["TRANSACTION.SUCCESS", "REFUND.SUCCESS", "X"] {
        if let Ok(event) = crate::webhook::Event::decode(event_type, bytes) {
            let _ = format!("{event:?}");
            let _ = serde_json::to_string(&event);
        }
    }
}

fn round_trip<T: FromJson + ToJson + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    bytes: &[u8],
) {
    let Ok(value) = serde_json::from_slice::<T>(bytes) else {
        return;
    };
    let written = value.to_json().to_string();
    let again: T = serde_json::from_str(&written)
        .unwrap_or_else(|e| panic!("{written} does not read again: {e}"));
    assert_eq!(again, value, "changed on a round trip through {written}");
    let _ = format!("{value:?}");
}
