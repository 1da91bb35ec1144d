//! Bill downloads on the blocking client.

use std::io::{Read, Write};
use std::path::Path;

use super::download::BILL_DOWNLOAD_PATH;
use super::download::ERROR_BODY_LIMIT;
use super::pipeline::Pipeline;
use super::temp_file::TempFile;
use super::{BillFile, BillSummary, copy_verified, url};
use crate::runtime::blocking::Client;
use crate::runtime::client::request_id;
use crate::runtime::core::{PreparedRequest, api_error, followed_redirect};
use crate::runtime::error::Error;
use crate::runtime::observe::Trace;
use crate::runtime::operation::HttpMethod;
use crate::runtime::retry::Attempts;

#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
impl Client {
    /// Downloads a bill into `writer`, gunzipping it if `bill.compression` says so, and checks
    /// its size cap and digest; see the async client's `download_bill`.
    ///
    /// The bytes are written as they arrive: on any error after the download started,
    /// discard what was written. [`Client::download_bill_to_file`] does that itself. The
    /// retry policy applies until the answer's head arrives, as on the async client.
    pub fn download_bill<W>(&self, bill: &BillFile, writer: &mut W) -> Result<BillSummary, Error>
    where
        W: Write + ?Sized,
    {
        let trace = Trace::start(HttpMethod::Get, BILL_DOWNLOAD_PATH);
        let result = {
            let _entered = trace.enter();
            self.download_bill_traced(bill, writer, &trace)
        };
        match &result {
            Ok((_, status, request_id)) => trace.finish_ok(*status, request_id.as_deref()),
            Err(error) => trace.finish_err(error),
        }
        result.map(|(summary, _, _)| summary)
    }

    fn download_bill_traced<W>(
        &self,
        bill: &BillFile,
        writer: &mut W,
        trace: &Trace,
    ) -> Result<(BillSummary, u16, Option<String>), Error>
    where
        W: Write + ?Sized,
    {
        Pipeline::new(bill)?;
        let parts = url::parts(bill)?;
        let timeout = bill.timeout.unwrap_or(self.core.timeout);
        let mut attempts = Attempts::new(&self.core.retry, true, self.core.can_fail_over(&parts));
        let mut response = loop {
            let request = self.core.prepare(&parts, attempts.on_backup())?;
            attempts.start(timeout);
            trace.attempt();
            let error = match self.bill_head(request, timeout) {
                Ok(response) => break response,
                Err(error) => error,
            };
            attempts.wait_for_next_blocking(error, trace)?;
        };
        let status = response.status().as_u16();
        let request_id = request_id(response.headers()).map(str::to_owned);
        let summary = copy_verified(bill, &mut response, writer)?;
        Ok((summary, status, request_id))
    }

    /// Sends a bill's GET and waits for a 2xx head.
    fn bill_head(
        &self,
        request: PreparedRequest,
        timeout: std::time::Duration,
    ) -> Result<reqwest::blocking::Response, Error> {
        let sent_to = request.parsed_url().clone();
        let mut response = request
            .send_blocking_with(&self.http.inner, timeout)
            .send()
            .map_err(Error::transport)?;
        let status = response.status().as_u16();
        if *response.url() != sent_to {
            return Err(followed_redirect(status, response.url()));
        }
        if !(200..300).contains(&status) {
            let headers = response.headers().clone();
            let mut body = Vec::new();
            // A body that cannot be read whole still names the status.
            let _ = (&mut response)
                .take(ERROR_BODY_LIMIT as u64)
                .read_to_end(&mut body);
            return Err(api_error(&self.core.keys, status, &headers, &body));
        }
        Ok(response)
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
