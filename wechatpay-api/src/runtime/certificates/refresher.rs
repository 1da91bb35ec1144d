//! When downloads happen: one at a time (single flight), on-demand ones at most once a minute,
//! scheduled ones when the keys are stale (on use, not again within a minute of a failed
//! attempt); and what a download changes in the store.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

use super::download::{CertificateReport, read_answer};
use super::{ON_DEMAND_MIN_INTERVAL, cache};
use crate::runtime::aead::ApiV3Key;
use crate::runtime::error::{CertificateError, Error};
use crate::runtime::key_store::{KeyStore, validity_problem};
use crate::runtime::keys::KeySource;
use crate::runtime::verify::unix_now;

/// An answer of `GET /v3/certificates` as received, before any check.
pub(crate) struct RawAnswer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

type AsyncFetch =
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<RawAnswer, Error>> + Send>> + Send + Sync;
type BlockingFetch = dyn Fn() -> Result<RawAnswer, Error> + Send + Sync;

/// How the answer is fetched: by the async or the blocking client that installed the refresher.
pub(crate) enum Fetch {
    Async(Box<AsyncFetch>),
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    Blocking(Box<BlockingFetch>),
}

/// Why a download is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why<'a> {
    /// Asked for explicitly: always downloads.
    Explicit,
    /// The store is empty (download mode, first use).
    Bootstrap,
    /// The keys are older than the refresh interval (the async client's background task).
    Scheduled,
    /// The keys are older than the refresh interval, seen by a call about to be sent (the
    /// blocking client): held back for a minute after a failed attempt, so that while WeChat
    /// Pay fails every call does not wait for a download of its own first.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    Stale,
    /// An answer or notification named this serial, which the store does not know.
    UnknownSerial(&'a str),
}

#[derive(Default)]
struct State {
    last_download: Option<Instant>,
    /// The last download caused by an unknown serial: the on-demand rate limit counts these
    /// only, so a rotation right after a bootstrap, scheduled or explicit download is fetched.
    last_on_demand: Option<Instant>,
    last_success: Option<Instant>,
    /// When the last attempt failed; cleared by a success.
    last_failure: Option<Instant>,
    last_error: Option<String>,
    downloads: u64,
}

/// The certificate refresher of one key store.
pub(crate) struct Refresher {
    apiv3_key: ApiV3Key,
    pub(crate) interval: Duration,
    cache: Option<PathBuf>,
    fetch: Fetch,
    /// Async downloads, one at a time; the blocking ones use `blocking_flight`.
    flight: tokio::sync::Mutex<()>,
    blocking_flight: Mutex<()>,
    state: Mutex<State>,
    schedule_started: AtomicBool,
}

/// What the store's refresher has done so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshStatus {
    /// Downloads attempted (successful or not).
    pub downloads: u64,
    /// Time since the last successful refresh.
    pub since_success: Option<Duration>,
    /// The last refresh's error, cleared by the next success.
    pub last_error: Option<String>,
}

impl Refresher {
    pub(crate) fn new(
        apiv3_key: ApiV3Key,
        interval: Duration,
        cache: Option<PathBuf>,
        fetch: Fetch,
    ) -> Refresher {
        Refresher {
            apiv3_key,
            interval,
            cache,
            fetch,
            flight: tokio::sync::Mutex::new(()),
            blocking_flight: Mutex::new(()),
            state: Mutex::new(State::default()),
            schedule_started: AtomicBool::new(false),
        }
    }

    pub(crate) fn is_async(&self) -> bool {
        matches!(self.fetch, Fetch::Async(_))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn status(&self) -> RefreshStatus {
        let state = self.state();
        RefreshStatus {
            downloads: state.downloads,
            since_success: state.last_success.map(|t| t.elapsed()),
            last_error: state.last_error.clone(),
        }
    }

    pub(crate) fn is_stale(&self) -> bool {
        self.state()
            .last_success
            .is_none_or(|t| t.elapsed() >= self.interval)
    }

    /// How long the scheduled task sleeps: until the keys of the last success turn stale, or a
    /// whole interval when they are stale already (none yet, or the last attempt failed).
    fn until_due(&self) -> Duration {
        match self.state().last_success.map(|t| t.elapsed()) {
            Some(age) if age < self.interval => self.interval - age,
            _ => self.interval,
        }
    }

    /// Whether the download `why` asks for is still needed (checked under the flight lock, so
    /// callers that waited for another download see its result). `Err` when rate-limited: an
    /// unknown serial less than a minute after the last download for an unknown serial, an
    /// empty store less than a minute after the last download of any kind.
    fn needed(&self, store: &KeyStore, why: Why<'_>) -> Result<bool, Error> {
        let (needed, limited_since) = match why {
            Why::Explicit => return Ok(true),
            Why::Scheduled => return Ok(self.is_stale()),
            Why::Stale => {
                let failed_recently = self
                    .state()
                    .last_failure
                    .is_some_and(|t| t.elapsed() < ON_DEMAND_MIN_INTERVAL);
                return Ok(self.is_stale() && !failed_recently);
            }
            Why::Bootstrap => (store.is_empty(), self.state().last_download),
            Why::UnknownSerial(serial) => (!store.knows(serial), self.state().last_on_demand),
        };
        match limited_since.map(|t| t.elapsed()) {
            Some(elapsed) if needed && elapsed < ON_DEMAND_MIN_INTERVAL => {
                Err(CertificateError::RateLimited {
                    retry_after_secs: (ON_DEMAND_MIN_INTERVAL - elapsed).as_secs().max(1),
                }
                .into())
            }
            _ => Ok(needed),
        }
    }

    /// Downloads (through the async client) if `why` still calls for it; `None` when not.
    pub(crate) async fn run_async(
        &self,
        store: &KeyStore,
        why: Why<'_>,
    ) -> Result<Option<CertificateReport>, Error> {
        let Fetch::Async(fetch) = &self.fetch else {
            return Err(CertificateError::NoDownloader.into());
        };
        let _flight = self.flight.lock().await;
        if !self.needed(store, why)? {
            return Ok(None);
        }
        self.started(why);
        let answer = fetch().await;
        self.finish(store, answer, why).map(Some)
    }

    /// Downloads (through the blocking client) if `why` still calls for it.
    pub(crate) fn run_blocking(
        &self,
        store: &KeyStore,
        why: Why<'_>,
    ) -> Result<Option<CertificateReport>, Error> {
        let Fetch::Blocking(fetch) = &self.fetch else {
            return Err(CertificateError::NoDownloader.into());
        };
        let _flight = self
            .blocking_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !self.needed(store, why)? {
            return Ok(None);
        }
        self.started(why);
        let answer = fetch();
        self.finish(store, answer, why).map(Some)
    }

    fn started(&self, why: Why<'_>) {
        let mut state = self.state();
        let now = Instant::now();
        state.last_download = Some(now);
        if matches!(why, Why::UnknownSerial(_)) {
            state.last_on_demand = Some(now);
        }
        state.downloads += 1;
    }

    /// Checks the answer; on success installs the certificates (and caches them), on failure
    /// keeps every key and records the error.
    fn finish(
        &self,
        store: &KeyStore,
        answer: Result<RawAnswer, Error>,
        why: Why<'_>,
    ) -> Result<CertificateReport, Error> {
        let now = unix_now();
        let result = answer.and_then(|answer| read_answer(&answer, &self.apiv3_key, store, now));
        match result {
            Ok(report) => {
                install(store, &report, now);
                if let Some(dir) = &self.cache
                    && let Err(e) = cache::save(dir, &report.valid)
                {
                    tracing::warn!(target: "wechatpay_api::certificates", error = %e, "certificate cache not written");
                }
                let mut state = self.state();
                state.last_success = Some(Instant::now());
                state.last_failure = None;
                state.last_error = None;
                Ok(report)
            }
            Err(e) => {
                tracing::warn!(
                    target: "wechatpay_api::certificates",
                    reason = ?why,
                    error = %e,
                    "certificate refresh failed; the keys in use are kept"
                );
                let mut state = self.state();
                state.last_failure = Some(Instant::now());
                state.last_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    /// Starts the scheduled refresh task of an async store, once, when a Tokio runtime is
    /// running; it ends when the store is dropped. It wakes when the keys turn stale, counted
    /// from the last successful download of any kind (so the first one comes an interval
    /// after the bootstrap, not a tick that found the keys fresh and another interval later).
    pub(crate) fn start_schedule(&self, store: &KeyStore) {
        if !self.is_async() || self.schedule_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.schedule_started.store(false, Ordering::Release);
            return;
        };
        let weak = Arc::downgrade(&store.shared);
        let mut wait = self.interval;
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(wait).await;
                let Some(shared) = weak.upgrade() else {
                    return;
                };
                let store = KeyStore { shared };
                let Some(refresher) = store.shared.refresher.get() else {
                    return;
                };
                // Failures are logged and recorded in the status by `finish`.
                let _ = refresher.run_async(&store, Why::Scheduled).await;
                wait = refresher.until_due();
            }
        });
    }
}

/// The store after a successful download: public keys stay; when the download lists at least
/// one valid certificate, the certificates are exactly those (a certificate WeChat Pay no longer
/// lists is withdrawn, and an expired one gone); when it lists none, the certificates in use
/// are kept, less the expired ones (a refresh never empties the store).
fn install(store: &KeyStore, report: &CertificateReport, now: i64) {
    store.update(|keys| {
        let withdraw_unlisted = !report.valid.is_empty();
        keys.retain(|serial, key| match key.source() {
            KeySource::PublicKey => true,
            KeySource::PlatformCertificate { .. } if withdraw_unlisted => report
                .valid
                .iter()
                .any(|c| c.serial_no.eq_ignore_ascii_case(serial)),
            KeySource::PlatformCertificate { .. } => validity_problem(key, now, 0).is_none(),
        });
        for certificate in &report.valid {
            keys.insert(certificate.serial_no.clone(), certificate.key.clone());
        }
    });
}
