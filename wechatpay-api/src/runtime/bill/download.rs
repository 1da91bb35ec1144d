//! Bill downloads on the async client.

use std::path::Path;

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::pipeline::Pipeline;
use super::temp_file::TempFile;
use super::{BillFile, BillSummary, url};
use crate::runtime::client::Client;
use crate::runtime::core::api_error;
use crate::runtime::error::{BillError, Error};

/// The most of a non-2xx answer's body read to build the [`Error::Api`].
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

impl Client {
    /// Downloads a bill into `writer`, gunzipping it if `bill.compression` says so, and checks
    /// its size cap and digest. Memory use does not depend on the bill's size.
    ///
    /// The bytes are written as they arrive: on any error after the download started —
    /// [`BillError::DigestMismatch`] above all — discard what was written.
    /// [`Client::download_bill_to_file`] does that itself.
    pub async fn download_bill<W>(
        &self,
        bill: &BillFile,
        writer: &mut W,
    ) -> Result<BillSummary, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut pipeline = Pipeline::new(bill)?;
        let request = url::prepare(&self.core, bill)?;
        let mut builder = request.send_with(&self.http);
        if let Some(timeout) = bill.timeout {
            builder = builder.timeout(timeout);
        }
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status().as_u16();
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
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            let mut input = &chunk[..];
            while !input.is_empty() {
                let output = pipeline.decode(&mut input)?;
                writer.write_all(output).await.map_err(BillError::Write)?;
            }
        }
        let output = pipeline.end_of_input()?;
        writer.write_all(output).await.map_err(BillError::Write)?;
        writer.flush().await.map_err(BillError::Write)?;
        Ok(pipeline.finish()?)
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

/// The download URL carries a token: transport errors do not repeat it.
fn transport(e: reqwest::Error) -> Error {
    Error::Transport(e.without_url())
}
