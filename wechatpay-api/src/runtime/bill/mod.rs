//! Bill downloads, streamed and checked against the digest WeChat Pay announces.
//!
//! `GET /v3/bill/tradebill` (and `fundflowbill`, `sub-merchant-fundflowbill`) answers with a
//! download URL and the SHA-1 of the uncompressed bill. The download itself is a signed GET
//! whose answer WeChat Pay does not sign: only the digest vouches for it. So the bill is
//! streamed chunk by chunk — gunzipped when it was requested with `tar_type=GZIP`, hashed,
//! written out — in memory that does not grow with the bill, and the digest is compared at
//! the end. On [`BillError::DigestMismatch`] (or any error after writing started) whatever
//! was written must be discarded; [`Client::download_bill_to_file`] does that itself by
//! writing to a temporary file and renaming it into place only when the digest matched.
//!
//! ```no_run
//! # async fn run(client: &wechatpay_api::runtime::Client) -> Result<(), wechatpay_api::runtime::Error> {
//! use wechatpay_api::runtime::BillFile;
//! // From the answer of `GET /v3/bill/tradebill?bill_date=2024-11-25&tar_type=GZIP`:
//! let bill = BillFile::new(
//!     "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzNJDFVB7E1",
//!     "SHA1",
//!     "8ac2e4ed8bd5d9c4d4dbd5b9d2e0b8bb7a9c2f15",
//! )
//! .gzip();
//! let summary = client.download_bill_to_file(&bill, "tradebill-2024-11-25.csv").await?;
//! println!("{} bytes, sha1 {}", summary.bytes, summary.digest);
//! # Ok(()) }
//! ```
//!
//! [`Client::download_bill_to_file`]: super::Client::download_bill_to_file

use std::io::{Read, Write};
use std::time::Duration;

use super::error::{BillError, Error};

mod digest;
mod download;
#[cfg(feature = "blocking")]
mod download_blocking;
mod gunzip;
mod pipeline;
mod temp_file;
mod url;

use pipeline::Pipeline;

/// How the downloaded file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BillCompression {
    /// Plain text (the bill was requested without `tar_type`).
    #[default]
    Plain,
    /// Gzip (the bill was requested with `tar_type=GZIP`); the digest covers the uncompressed
    /// bill.
    Gzip,
}

/// One bill file to fetch: where, which digest it must have, how it is encoded. Its setters
/// (`gzip`, `max_bytes`, `timeout`) take it and return it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct BillFile {
    /// `download_url` of the bill answer. Only its path and query are used: the download goes
    /// to the client's base URL, and the path must be under `/v3/billdownload/`.
    pub download_url: String,
    /// `hash_type` of the bill answer; only `SHA1` is known.
    pub hash_type: String,
    /// `hash_value` of the bill answer: hex digest of the uncompressed bill (any case).
    pub hash_value: String,
    /// How the file is encoded: gzip when the bill was requested with `tar_type=GZIP`.
    pub compression: BillCompression,
    /// Refuse a bill whose uncompressed size passes this many bytes (default: no cap).
    pub max_bytes: Option<u64>,
    /// Time allowed for the whole download, instead of the client's request timeout.
    pub timeout: Option<Duration>,
}

impl BillFile {
    /// A plain-text bill, no size cap, the client's timeout.
    pub fn new(
        download_url: impl Into<String>,
        hash_type: impl Into<String>,
        hash_value: impl Into<String>,
    ) -> BillFile {
        BillFile {
            download_url: download_url.into(),
            hash_type: hash_type.into(),
            hash_value: hash_value.into(),
            compression: BillCompression::Plain,
            max_bytes: None,
            timeout: None,
        }
    }

    /// The file is gzip-compressed (requested with `tar_type=GZIP`).
    pub fn gzip(mut self) -> BillFile {
        self.compression = BillCompression::Gzip;
        self
    }

    /// Refuses bills larger than `bytes` once uncompressed.
    pub fn max_bytes(mut self, bytes: u64) -> BillFile {
        self.max_bytes = Some(bytes);
        self
    }

    /// Time allowed for the whole download (the client's timeout counts the body too).
    pub fn timeout(mut self, timeout: Duration) -> BillFile {
        self.timeout = Some(timeout);
        self
    }
}

/// A bill that arrived whole and matched its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillSummary {
    /// Size of the uncompressed bill.
    pub bytes: u64,
    /// Its digest (the algorithm of `hash_type`), lowercase hex.
    pub digest: String,
}

/// Decodes a bill read from `source` (encoded as `bill.compression` says) into `sink`,
/// checking its size cap and digest; the download URL is not used. This is what the blocking
/// client does with the download; use it to check a bill file kept as it was downloaded.
///
/// On error, what was written to `sink` must be discarded.
pub fn copy_verified<R, W>(
    bill: &BillFile,
    source: &mut R,
    sink: &mut W,
) -> Result<BillSummary, Error>
where
    R: Read + ?Sized,
    W: Write + ?Sized,
{
    let mut pipeline = Pipeline::new(bill)?;
    let mut buffer = vec![0u8; pipeline::READ_CHUNK];
    loop {
        let read = match source.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(e)),
        };
        let mut input = &buffer[..read];
        while !input.is_empty() {
            let output = pipeline.decode(&mut input)?;
            sink.write_all(output).map_err(BillError::Write)?;
        }
    }
    let output = pipeline.end_of_input()?;
    sink.write_all(output).map_err(BillError::Write)?;
    sink.flush().map_err(BillError::Write)?;
    Ok(pipeline.finish()?)
}

/// A network failure surfaced through `Read` (the blocking response) stays a transport error.
fn read_error(e: std::io::Error) -> Error {
    if e.get_ref().is_none() {
        return BillError::Read(e).into();
    }
    let kind = e.kind();
    match e
        .into_inner()
        .map(|inner| inner.downcast::<reqwest::Error>())
    {
        Some(Ok(transport)) => Error::transport(*transport),
        Some(Err(other)) => BillError::Read(std::io::Error::new(kind, other)).into(),
        None => BillError::Read(kind.into()).into(),
    }
}
