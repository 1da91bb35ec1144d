//! Downloaded bytes in, checked bill bytes out: decoding, the size cap and the running digest,
//! with no I/O so the async and the blocking download share it.

use super::digest::{ExpectedDigest, Tally};
use super::gunzip::Decoder;
use super::{BillFile, BillSummary};
use crate::runtime::error::BillError;

/// Bytes read from a `Read` source at a time.
pub(crate) const READ_CHUNK: usize = 64 * 1024;

pub(crate) struct Pipeline {
    decoder: Decoder,
    tally: Tally,
}

impl Pipeline {
    /// Fails before any download when `hash_type` or `hash_value` is unusable.
    pub(crate) fn new(bill: &BillFile) -> Result<Pipeline, BillError> {
        let expected = ExpectedDigest::parse(&bill.hash_type, &bill.hash_value)?;
        Ok(Pipeline {
            decoder: Decoder::new(bill.compression),
            tally: Tally::new(expected, bill.max_bytes),
        })
    }

    /// Consumes a prefix of `input` and returns the bill bytes to write next (counted and
    /// hashed already). Call until `input` is empty.
    pub(crate) fn decode<'out, 'input: 'out>(
        &'out mut self,
        input: &mut &'input [u8],
    ) -> Result<&'out [u8], BillError> {
        let output = self.decoder.decode(input)?;
        self.tally.add(output)?;
        Ok(output)
    }

    /// The download has ended: the last bill bytes to write.
    pub(crate) fn end_of_input(&mut self) -> Result<&[u8], BillError> {
        let output = self.decoder.end_of_input()?;
        self.tally.add(output)?;
        Ok(output)
    }

    /// Checks the digest of everything decoded.
    pub(crate) fn finish(self) -> Result<BillSummary, BillError> {
        self.tally.finish()
    }
}
