//! Bill downloads on the blocking client.

use std::io::{Read, Write};
use std::path::Path;

use super::download::ERROR_BODY_LIMIT;
use super::pipeline::Pipeline;
use super::temp_file::TempFile;
use super::{BillFile, BillSummary, copy_verified, url};
use crate::runtime::blocking::Client;
use crate::runtime::core::api_error;
use crate::runtime::error::Error;

impl Client {
    /// Downloads a bill into `writer`, gunzipping it if `bill.compression` says so, and checks
    /// its size cap and digest; see the async client's `download_bill`.
    ///
    /// The bytes are written as they arrive: on any error after the download started,
    /// discard what was written. [`Client::download_bill_to_file`] does that itself.
    pub fn download_bill<W>(&self, bill: &BillFile, writer: &mut W) -> Result<BillSummary, Error>
    where
        W: Write + ?Sized,
    {
        Pipeline::new(bill)?;
        let request = url::prepare(&self.core, bill)?;
        let mut builder = request.send_blocking_with(&self.http);
        if let Some(timeout) = bill.timeout {
            builder = builder.timeout(timeout);
        }
        let mut response = builder
            .send()
            .map_err(|e| Error::Transport(e.without_url()))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let headers = response.headers().clone();
            let mut body = Vec::new();
            // A body that cannot be read whole still names the status.
            let _ = (&mut response)
                .take(ERROR_BODY_LIMIT as u64)
                .read_to_end(&mut body);
            return Err(api_error(&self.core.keys, status, &headers, &body));
        }
        copy_verified(bill, &mut response, writer)
    }

    /// Downloads a bill to the file at `path`: written to a temporary file beside it, synced,
    /// and renamed over `path` only when the digest matched. On any error the temporary file
    /// is removed and `path` is left as it was.
    pub fn download_bill_to_file(
        &self,
        bill: &BillFile,
        path: impl AsRef<Path>,
    ) -> Result<BillSummary, Error> {
        Pipeline::new(bill)?;
        url::download_path(&bill.download_url)?;
        let temp = TempFile::beside(path.as_ref())?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp.path)
            .map_err(|e| temp.error("create", e))?;
        let summary = self.download_bill(bill, &mut file)?;
        file.sync_all().map_err(|e| temp.error("sync", e))?;
        drop(file);
        std::fs::rename(&temp.path, &temp.destination)
            .map_err(|e| temp.error("rename into place", e))?;
        temp.kept();
        Ok(summary)
    }
}
