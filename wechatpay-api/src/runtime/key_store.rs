//! The WeChat Pay keys a client trusts — public keys and platform certificates — in one store
//! that `Client`, the blocking client and `WebhookHandler` share.
//!
//! Reads (every verification) load an immutable snapshot through an atomically swapped `Arc`
//! and take no lock; a refresh builds a new snapshot and swaps it in. A certificate verifies
//! and encrypts only within its validity period (widened by the clock-skew allowance for
//! verification).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use arc_swap::ArcSwap;
use http::HeaderMap;

use super::error::{ConfigItem, Error, VerifyError};
use super::keys::{KeySource, WechatpayKey};
use super::signing::response_message;
use super::verify::{MAX_CLOCK_SKEW_SECS, SignatureHeaders, unix_now};

/// A cheaply clonable, shared store of WeChat Pay keys. Clones share the keys: a key added or
/// refreshed through one is seen by all.
#[derive(Clone)]
pub struct KeyStore {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    keys: ArcSwap<KeySet>,
    /// Serialises writers (adding keys, refreshes); readers never take it.
    writer: Mutex<()>,
    max_skew: AtomicI64,
    /// Set once, when a client that downloads certificates is built on this store.
    #[cfg(feature = "certificates")]
    pub(crate) refresher: OnceLock<super::certificates::Refresher>,
    #[cfg(not(feature = "certificates"))]
    #[allow(dead_code)]
    refresher: OnceLock<()>,
}

/// One immutable snapshot of the keys, by serial.
#[derive(Default)]
struct KeySet {
    keys: HashMap<String, Arc<WechatpayKey>>,
}

impl Default for KeyStore {
    fn default() -> Self {
        KeyStore::new()
    }
}

impl KeyStore {
    /// An empty store (300 s clock-skew allowance).
    pub fn new() -> KeyStore {
        KeyStore {
            shared: Arc::new(Shared {
                keys: ArcSwap::from_pointee(KeySet::default()),
                writer: Mutex::new(()),
                max_skew: AtomicI64::new(MAX_CLOCK_SKEW_SECS),
                refresher: OnceLock::new(),
            }),
        }
    }

    /// Adds (or replaces) a key under its id. An expired platform certificate (beyond the
    /// clock-skew allowance) is refused; one not valid yet is kept, and used once it is.
    pub fn add(&self, key: WechatpayKey) -> Result<(), Error> {
        if let KeySource::PlatformCertificate { not_after, .. } = key.source() {
            let now = unix_now();
            if now > not_after.saturating_add(self.max_skew_secs()) {
                return Err(Error::config(
                    ConfigItem::PlatformCertificate,
                    format!(
                        "platform certificate {} expired at {not_after} (Unix seconds; now {now})",
                        key.id()
                    ),
                ));
            }
        }
        self.update(|keys| {
            keys.insert(key.id().to_owned(), Arc::new(key));
        });
        Ok(())
    }

    /// Replaces the snapshot with `change` applied to a copy of it.
    pub(crate) fn update(&self, change: impl FnOnce(&mut HashMap<String, Arc<WechatpayKey>>)) {
        let _writer = self
            .shared
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut keys = self.shared.keys.load().keys.clone();
        change(&mut keys);
        self.shared.keys.store(Arc::new(KeySet { keys }));
    }

    /// The allowed distance between `Wechatpay-Timestamp` and the clock (default 300 s; whole
    /// seconds count, the rest is dropped); it also widens each certificate's validity period
    /// for verification. Every user of the store (clients, webhook handlers) sees it.
    pub fn set_max_skew(&self, skew: Duration) {
        let seconds = i64::try_from(skew.as_secs()).unwrap_or(i64::MAX);
        self.shared.max_skew.store(seconds, Ordering::Relaxed);
    }

    /// The allowed distance between `Wechatpay-Timestamp` and the clock.
    pub fn max_skew(&self) -> Duration {
        Duration::from_secs(self.max_skew_secs().unsigned_abs())
    }

    /// [`max_skew`](Self::max_skew) in seconds.
    pub(crate) fn max_skew_secs(&self) -> i64 {
        self.shared.max_skew.load(Ordering::Relaxed)
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.shared.keys.load().keys.is_empty()
    }

    /// Every key, sorted by id.
    pub fn keys(&self) -> Vec<Arc<WechatpayKey>> {
        let mut keys: Vec<_> = self.shared.keys.load().keys.values().cloned().collect();
        keys.sort_by(|a, b| a.id().cmp(b.id()));
        keys
    }

    /// The key with this serial (certificate serials also match case-insensitively), whatever
    /// its validity.
    pub fn key(&self, serial: &str) -> Option<Arc<WechatpayKey>> {
        self.shared.keys.load().find(serial).cloned()
    }

    /// Whether a key with this serial is in the store.
    pub fn knows(&self, serial: &str) -> bool {
        self.shared.keys.load().find(serial).is_some()
    }

    /// The key request fields are encrypted with: the WeChat Pay public key when one is
    /// configured (the migration target: it wins over certificates when both are present),
    /// else the platform certificate valid now with the newest `not_before`. Certificates
    /// outside their validity period are never used.
    pub fn encryption_key(&self) -> Option<Arc<WechatpayKey>> {
        self.encryption_key_at(unix_now())
    }

    /// [`encryption_key`](Self::encryption_key) at `now` (Unix seconds).
    pub fn encryption_key_at(&self, now: i64) -> Option<Arc<WechatpayKey>> {
        let snapshot = self.shared.keys.load();
        let mut best: Option<(&Arc<WechatpayKey>, (u8, i64))> = None;
        for key in snapshot.keys.values() {
            let rank = match key.source() {
                KeySource::PublicKey => (1, 0),
                KeySource::PlatformCertificate {
                    not_before,
                    not_after,
                } if not_before <= now && now <= not_after => (0, not_before),
                KeySource::PlatformCertificate { .. } => continue,
            };
            // Ties broken by id so the choice does not depend on hash order.
            let better = match &best {
                None => true,
                Some((b, r)) => rank > *r || (rank == *r && key.id() > b.id()),
            };
            if better {
                best = Some((key, rank));
            }
        }
        best.map(|(k, _)| k.clone())
    }

    /// Verifies a signed answer or webhook against the local clock.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
        let parts = SignatureHeaders::from_headers(headers)?;
        self.verify_parts(&parts, body, unix_now())
    }

    /// Verifies with an explicit `now` (Unix seconds): the key `Wechatpay-Serial` names must be
    /// in the store and valid at `now` (within the skew allowance), the signature must match,
    /// and the timestamp must be within the allowance.
    pub fn verify_parts(
        &self,
        parts: &SignatureHeaders<'_>,
        body: &[u8],
        now: i64,
    ) -> Result<(), VerifyError> {
        let snapshot = self.shared.keys.load();
        let key = snapshot
            .find(parts.serial)
            .ok_or_else(|| VerifyError::UnknownSerial(parts.serial.to_owned()))?;
        verify_with(key, parts, body, now, self.max_skew_secs())
    }

    /// Keys and refresh state for `Debug`: ids and validity, never key material.
    fn describe(&self) -> Vec<String> {
        self.keys()
            .iter()
            .map(|k| format!("{}({:?})", k.id(), k.source()))
            .collect()
    }
}

impl KeySet {
    fn find(&self, serial: &str) -> Option<&Arc<WechatpayKey>> {
        self.keys
            .get(serial)
            .or_else(|| self.keys.get(&serial.to_ascii_uppercase()))
    }
}

/// Verifies one signature with `key`, which must be valid at `now` (within `max_skew`).
pub(crate) fn verify_with(
    key: &WechatpayKey,
    parts: &SignatureHeaders<'_>,
    body: &[u8],
    now: i64,
    max_skew: i64,
) -> Result<(), VerifyError> {
    let timestamp: i64 = parts
        .timestamp
        .parse()
        .map_err(|_| VerifyError::MalformedTimestamp(parts.timestamp.to_owned()))?;
    if let KeySource::PlatformCertificate {
        not_before,
        not_after,
    } = key.source()
        && (now < not_before.saturating_sub(max_skew) || now > not_after.saturating_add(max_skew))
    {
        return Err(VerifyError::KeyNotValid {
            serial: key.id().to_owned(),
            not_before,
            not_after,
            now,
        });
    }
    let message = response_message(parts.timestamp, parts.nonce, body);
    if !key.verify(&message, parts.signature) {
        return Err(VerifyError::BadSignature {
            serial: parts.serial.to_owned(),
        });
    }
    // Checked after the signature so a forged timestamp is reported as a bad signature.
    if now.abs_diff(timestamp) > max_skew.unsigned_abs() {
        return Err(VerifyError::StaleTimestamp { timestamp, now });
    }
    Ok(())
}

/// Why a certificate cannot be trusted at `now`, if it cannot.
#[cfg(feature = "certificates")]
pub(crate) fn validity_problem(key: &WechatpayKey, now: i64, max_skew: i64) -> Option<String> {
    match key.source() {
        KeySource::PlatformCertificate { not_after, .. }
            if now > not_after.saturating_add(max_skew) =>
        {
            Some(format!(
                "expired at {} (Unix seconds; now {now})",
                not_after
            ))
        }
        KeySource::PlatformCertificate { not_before, .. }
            if now < not_before.saturating_sub(max_skew) =>
        {
            Some(format!(
                "not valid before {} (Unix seconds; now {now})",
                not_before
            ))
        }
        _ => None,
    }
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("keys", &self.describe())
            .field("max_skew", &self.max_skew())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::keys::MerchantPrivateKey;

    const CERTIFICATE: &str = include_str!("../testing/keys/platform_certificate.pem");
    const CERTIFICATE_KEY: &str = include_str!("../testing/keys/platform_private_key.pem");
    const PUBLIC_KEY: &str = include_str!("../testing/keys/wechatpay_public_key.pem");
    const SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

    fn certificate() -> WechatpayKey {
        WechatpayKey::platform_certificate(CERTIFICATE).unwrap()
    }

    fn validity() -> (i64, i64) {
        match certificate().source() {
            KeySource::PlatformCertificate {
                not_before,
                not_after,
            } => (not_before, not_after),
            KeySource::PublicKey => unreachable!(),
        }
    }

    fn signed(now: i64) -> (String, String, &'static [u8]) {
        let body: &[u8] = b"{}";
        let timestamp = now.to_string();
        let signature = MerchantPrivateKey::from_pem(CERTIFICATE_KEY)
            .unwrap()
            .sign(&response_message(&timestamp, "n", body))
            .unwrap();
        (timestamp, signature, body)
    }

    fn verify_at(store: &KeyStore, now: i64) -> Result<(), VerifyError> {
        let (timestamp, signature, body) = signed(now);
        let parts = SignatureHeaders {
            timestamp: &timestamp,
            nonce: "n",
            signature: &signature,
            serial: SERIAL,
        };
        store.verify_parts(&parts, body, now)
    }

    #[test]
    fn a_certificate_verifies_only_within_its_validity_and_the_skew() {
        let store = KeyStore::new();
        store.add(certificate()).unwrap();
        let (not_before, not_after) = validity();
        assert_eq!(verify_at(&store, not_before + 10), Ok(()));
        assert_eq!(
            verify_at(&store, not_before - 300),
            Ok(()),
            "within the skew"
        );
        assert_eq!(
            verify_at(&store, not_after + 300),
            Ok(()),
            "within the skew"
        );
        for outside in [not_before - 301, not_after + 301] {
            assert_eq!(
                verify_at(&store, outside),
                Err(VerifyError::KeyNotValid {
                    serial: SERIAL.into(),
                    not_before,
                    not_after,
                    now: outside
                })
            );
        }
    }

    #[test]
    fn encryption_uses_a_valid_certificate_or_the_public_key() {
        let store = KeyStore::new();
        store.add(certificate()).unwrap();
        let (not_before, not_after) = validity();
        assert_eq!(
            store
                .encryption_key_at(not_before)
                .map(|k| k.id().to_owned()),
            Some(SERIAL.to_owned())
        );
        assert!(store.encryption_key_at(not_before - 1).is_none());
        assert!(store.encryption_key_at(not_after + 1).is_none());
        // Migration: with a public key too, the public key encrypts.
        store
            .add(WechatpayKey::public_key("PUB_KEY_ID_1", PUBLIC_KEY).unwrap())
            .unwrap();
        assert_eq!(
            store
                .encryption_key_at(not_before)
                .map(|k| k.id().to_owned()),
            Some("PUB_KEY_ID_1".to_owned())
        );
    }

    #[test]
    fn clones_share_keys_and_debug_shows_no_key_material() {
        let store = KeyStore::new();
        let clone = store.clone();
        store.add(certificate()).unwrap();
        assert!(clone.knows(SERIAL));
        assert!(clone.knows(&SERIAL.to_ascii_lowercase()));
        let debug = format!("{clone:?}");
        assert!(debug.contains(SERIAL), "{debug}");
        assert!(!debug.contains("BEGIN"), "{debug}");
    }
}
