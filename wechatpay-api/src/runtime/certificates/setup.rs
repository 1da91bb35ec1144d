//! Download mode of a client: the cache read at build time, and the refresher it installs on
//! its key store, fetching through the generated `GET /v3/certificates` operation.

use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::refresher::{Fetch, RawAnswer, Refresher};
use super::{DEFAULT_REFRESH_INTERVAL, cache};
use crate::runtime::aead::ApiV3Key;
use crate::runtime::client::operation_parts;
use crate::runtime::core::{Core, PreparedRequest, read_body};
use crate::runtime::error::{CertificateError, Error};
use crate::runtime::key_store::KeyStore;
use crate::runtime::operation::{Call, PathArgs};
use crate::runtime::verify::unix_now;
use crate::v3::certificates::{Get, GetQuery};

/// How a client downloads platform certificates.
#[derive(Debug, Clone)]
pub(crate) struct DownloadConfig {
    pub apiv3_key: ApiV3Key,
    pub interval: Duration,
    pub cache: Option<PathBuf>,
}

impl DownloadConfig {
    pub(crate) fn new(apiv3_key: ApiV3Key) -> DownloadConfig {
        DownloadConfig {
            apiv3_key,
            interval: DEFAULT_REFRESH_INTERVAL,
            cache: None,
        }
    }

    /// Loads the cached certificates that are still valid into `store`; the others are
    /// reported in the log and left out.
    pub(crate) fn load_cache(&self, store: &KeyStore) -> Result<(), Error> {
        let Some(dir) = &self.cache else {
            return Ok(());
        };
        let (keys, skipped) = cache::load(dir, unix_now())?;
        for problem in skipped {
            tracing::warn!(target: "wechatpay_api::certificates", error = %problem, "cached certificate skipped");
        }
        for key in keys {
            store.update(|keys| {
                keys.insert(key.id().to_owned(), Arc::new(key));
            });
        }
        Ok(())
    }

    fn refresher(self, fetch: Fetch) -> Refresher {
        Refresher::new(self.apiv3_key, self.interval, self.cache, fetch)
    }
}

/// The signed request of the generated `GET /v3/certificates`.
fn certificates_request(core: &Weak<Core>) -> Result<(Arc<Core>, PreparedRequest), Error> {
    let core = core.upgrade().ok_or(CertificateError::NoDownloader)?;
    let call = Call::<Core, Get>::new(&*core, PathArgs::new()).query(&GetQuery::default());
    let request = core.prepare(&operation_parts(&call)?, false)?;
    Ok((core, request))
}

/// Gives the store of `core` a refresher that downloads through the async `http` client. A
/// store shared with a client installed earlier keeps that one.
pub(crate) fn install_async(core: &Arc<Core>, http: &reqwest::Client, config: DownloadConfig) {
    let weak = Arc::downgrade(core);
    let http = http.clone();
    let fetch = Fetch::Async(Box::new(move || {
        let prepared = certificates_request(&weak);
        let http = http.clone();
        Box::pin(async move {
            let (core, request) = prepared?;
            let response = request
                .send_with(&http, core.timeout)
                .send()
                .await
                .map_err(Error::transport)?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = read_body(response, core.max_response_bytes).await?;
            Ok(RawAnswer {
                status,
                headers,
                body,
            })
        })
    }));
    let _ = core.keys.shared.refresher.set(config.refresher(fetch));
}

/// [`install_async`] for the blocking client.
#[cfg(feature = "blocking")]
pub(crate) fn install_blocking(
    core: &Arc<Core>,
    http: &reqwest::blocking::Client,
    config: DownloadConfig,
) {
    let weak = Arc::downgrade(core);
    let http = http.clone();
    let fetch = Fetch::Blocking(Box::new(move || {
        let (core, request) = certificates_request(&weak)?;
        let response = request
            .send_blocking_with(&http, core.timeout)
            .send()
            .map_err(Error::transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = crate::runtime::core::read_body_blocking(response, core.max_response_bytes)?;
        Ok(RawAnswer {
            status,
            headers,
            body,
        })
    }));
    let _ = core.keys.shared.refresher.set(config.refresher(fetch));
}
