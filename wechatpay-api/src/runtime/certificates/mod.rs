//! Platform certificates downloaded, checked, refreshed and rotated (feature `certificates`).
//!
//! A client built with [`ClientBuilder::download_certificates`](super::ClientBuilder::download_certificates)
//! fetches `GET /v3/certificates` through the generated operation and keeps its
//! [`KeyStore`] current:
//!
//! - **Checks.** Each entry's `encrypt_certificate` is decrypted (AEAD_AES_256_GCM with the
//!   APIv3 key, its nonce and associated data), parsed, and its `serial_no` must be the
//!   certificate's own serial. Certificates outside their validity period are not used. The
//!   answer's signature is verified with the key `Wechatpay-Serial` names: a key the store
//!   already trusts when it knows that serial, else the downloaded certificate of that serial
//!   (bootstrap and rotation; its content is authenticated by the AEAD under the APIv3 key,
//!   which only WeChat Pay and the merchant hold). Any failure changes nothing.
//! - **When.** On a schedule (default every 12 h: a background task for the async client,
//!   on use when stale for the blocking one); on demand when an answer or notification names a
//!   serial the store does not know (single-flight; at most one such download a minute); and
//!   on [`Client::refresh_certificates`](super::Client::refresh_certificates).
//! - **Failures** keep the keys that work: the store is never emptied; the error is returned
//!   to the caller that asked and logged (`tracing`, target `wechatpay_api::certificates`) for
//!   scheduled refreshes.
//! - **Cache.** With a cache directory, a restart verifies at once: every `<serial>.pem` there
//!   is re-validated on load, and each refresh writes the valid certificates atomically.

mod cache;
mod download;
mod refresher;
mod setup;

pub use download::{CertificateReport, DownloadedCertificate};
pub use refresher::RefreshStatus;
pub(crate) use refresher::{Refresher, Why};
#[cfg(feature = "blocking")]
pub(crate) use setup::install_blocking;
pub(crate) use setup::{DownloadConfig, install_async};

use super::error::{CertificateError, Error};
use super::key_store::KeyStore;

/// The default interval of scheduled refreshes.
pub const DEFAULT_REFRESH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

/// The shortest refresh interval a client accepts (a zero interval would spin).
pub const MIN_REFRESH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// The least time between two downloads caused by unknown serials.
pub const ON_DEMAND_MIN_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

impl KeyStore {
    /// What the store's certificate refresher has done (`None` without one).
    #[cfg_attr(docsrs, doc(cfg(feature = "certificates")))]
    pub fn refresh_status(&self) -> Option<RefreshStatus> {
        self.shared.refresher.get().map(Refresher::status)
    }

    /// Runs an async download for `why` when the store has an async refresher and still needs
    /// it (`Ok(None)` when it does not).
    pub(crate) async fn refresh_async(
        &self,
        why: Why<'_>,
    ) -> Result<Option<CertificateReport>, Error> {
        let refresher = self.refresher()?;
        refresher.start_schedule(self);
        refresher.run_async(self, why).await
    }

    /// Runs a blocking download for `why` (see [`refresh_async`](Self::refresh_async)).
    pub(crate) fn refresh_blocking(
        &self,
        why: Why<'_>,
    ) -> Result<Option<CertificateReport>, Error> {
        let refresher = self.refresher()?;
        refresher.run_blocking(self, why)
    }

    /// The store's refresher, installed by a client built with `download_certificates`.
    fn refresher(&self) -> Result<&Refresher, Error> {
        Ok(self
            .shared
            .refresher
            .get()
            .ok_or(CertificateError::NoDownloader)?)
    }

    /// Whether this store refreshes through an async (`Some(true)`) or blocking client.
    pub(crate) fn refresh_mode(&self) -> Option<bool> {
        self.shared.refresher.get().map(Refresher::is_async)
    }

    /// Before an async request: starts the schedule and bootstraps an empty store.
    pub(crate) async fn prepare_async(&self) -> Result<(), Error> {
        if self.refresh_mode() != Some(true) {
            return Ok(());
        }
        if let Some(refresher) = self.shared.refresher.get() {
            refresher.start_schedule(self);
        }
        if self.is_empty() {
            self.refresh_async(Why::Bootstrap).await?;
        }
        Ok(())
    }

    /// Before a blocking request: bootstraps an empty store, refreshes stale keys (not again
    /// within a minute of a failed attempt). A failed refresh of a store that still has keys is
    /// logged, not returned.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn prepare_blocking(&self) -> Result<(), Error> {
        let Some(refresher) = self.shared.refresher.get().filter(|r| !r.is_async()) else {
            return Ok(());
        };
        if self.is_empty() {
            self.refresh_blocking(Why::Bootstrap)?;
        } else if refresher.is_stale() {
            let _ = self.refresh_blocking(Why::Stale);
        }
        Ok(())
    }
}
