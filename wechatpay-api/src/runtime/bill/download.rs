//! Bill downloads on the async client.

use std::path::Path;

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::pipeline::Pipeline;
use super::temp_file::TempFile;
use super::{BillFile, BillSummary, url};
use crate::runtime::client::{Client, request_id};
use crate::runtime::core::{PreparedRequest, api_error, followed_redirect};
use crate::runtime::error::{BillError, Error};
use crate::runtime::observe::{Trace, instrument};
use crate::runtime::operation::HttpMethod;
use crate::runtime::retry::Attempts;

/// The path template of bill downloads, for spans.
pub(crate) const BILL_DOWNLOAD_PATH: &str = "/v3/billdownload/file";

/// The most of a non-2xx answer's body read to build the [`Error::Api`].
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

impl Client {
    /// Downloads a bill into `writer`, gunzipping it if `bill.compression` says so, and checks
    /// its size cap and digest. Memory use does not depend on the bill's size.
    ///
    /// The bytes are written as they arrive: on any error after the download started —
    /// [`BillError::DigestMismatch`] above all — discard what was written.
    /// [`Client::download_bill_to_file`] does that itself.
    ///
    /// The client's [`RetryPolicy`](crate::runtime::RetryPolicy) applies until the answer's
    /// head arrives (nothing is written before): connect failures, timeouts and 5xx answers
    /// are retried, signed anew; once the bill streams, a failure is returned.
    pub async fn download_bill<W>(
        &self,
        bill: &BillFile,
        writer: &mut W,
    ) -> Result<BillSummary, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let trace = Trace::start(HttpMethod::Get, BILL_DOWNLOAD_PATH);
        let result = instrument(self.download_bill_traced(bill, writer, &trace), &trace).await;
        match &result {
            Ok((_, status, request_id)) => trace.finish_ok(*status, request_id.as_deref()),
            Err(error) => trace.finish_err(error),
        }
        result.map(|(summary, _, _)| summary)
    }

    async fn download_bill_traced<W>(
        &self,
        bill: &BillFile,
        writer: &mut W,
        trace: &Trace,
    ) -> Result<(BillSummary, u16, Option<String>), Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut pipeline = Pipeline::new(bill)?;
        let parts = url::parts(bill)?;
        let timeout = bill.timeout.unwrap_or(self.core.timeout);
        let mut attempts = Attempts::new(&self.core.retry, true, self.core.can_fail_over(&parts));
        let mut response = loop {
            let request = self.core.prepare(&parts, attempts.on_backup())?;
            // The bill's own timeout is for the whole download: the retry deadline does not
            // cut it.
            attempts.start(timeout);
            trace.attempt();
            let error = match self.bill_head(request, timeout).await {
                Ok(response) => break response,
                Err(error) => error,
            };
            attempts.wait_for_next(error, trace).await?;
        };
        let status = response.status().as_u16();
        let request_id = request_id(response.headers()).map(str::to_owned);
        while let Some(chunk) = response.chunk().await.map_err(Error::transport)? {
            let mut input = &chunk[..];
            while !input.is_empty() {
                let output = pipeline.decode(&mut input)?;
                writer.write_all(output).await.map_err(BillError::Write)?;
            }
        }
        let output = pipeline.end_of_input()?;
        writer.write_all(output).await.map_err(BillError::Write)?;
        writer.flush().await.map_err(BillError::Write)?;
        Ok((pipeline.finish()?, status, request_id))
    }

    /// Sends a bill's GET and waits for a 2xx head; an error answer is read (at most
    /// [`ERROR_BODY_LIMIT`] bytes) into its [`Error::Api`].
    async fn bill_head(
        &self,
        request: PreparedRequest,
        timeout: std::time::Duration,
    ) -> Result<reqwest::Response, Error> {
        let sent_to = request.parsed_url().clone();
        let mut response = request
            .send_with(&self.http.inner, timeout)
            .send()
            .await
            .map_err(Error::transport)?;
        let status = response.status().as_u16();
        if *response.url() != sent_to {
            return Err(followed_redirect(status, response.url()));
        }
        if !(200..300).contains(&status) {
            let headers = response.headers().clone();
            let mut body = Vec::new();
            // A body that cannot be read whole still names the status.
            while body.len() < ERROR_BODY_LIMIT {
                let Ok(Some(chunk)) = response.chunk().await else {
                    break;
                };
                body.extend_from_slice(&chunk);
            }
            body.truncate(ERROR_BODY_LIMIT);
            return Err(api_error(&self.core.keys, status, &headers, &body));
        }
        Ok(response)
    }

    /// Downloads a bill to the file at `path`: written to a temporary file beside it, synced,
    /// and renamed over `path` only when the digest matched. On any error (or if the future
    /// is dropped) the temporary file is removed and `path` is left as it was.
    pub async fn download_bill_to_file(
        &self,
        bill: &BillFile,
        path: impl AsRef<Path>,
    ) -> Result<BillSummary, Error> {
        // Refuse a bad hash or URL before creating anything.
        Pipeline::new(bill)?;
        url::download_path(&bill.download_url)?;
        let temp = TempFile::beside(path.as_ref())?;
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp.path)
            .await
            .map_err(|e| temp.error("create", e))?;
        let summary = self.download_bill(bill, &mut file).await?;
        file.sync_all().await.map_err(|e| temp.error("sync", e))?;
        drop(file);
        tokio::fs::rename(&temp.path, &temp.destination)
            .await
            .map_err(|e| temp.error("rename into place", e))?;
        temp.kept();
        Ok(summary)
    }
}
