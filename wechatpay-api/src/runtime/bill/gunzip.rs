//! Downloaded bytes to bill bytes: passed through as they are, or gunzipped in steps whose
//! output stays small however well the input compresses.

use std::io::Write;

use flate2::write::MultiGzDecoder;

use super::BillCompression;
use crate::runtime::error::BillError;

pub(crate) enum Decoder {
    Plain,
    /// The decoder writes into its `Vec`, which is emptied before every step, so it holds
    /// one step's output (the decoder's 32 KiB window buffer, rarely twice that).
    Gzip(Box<MultiGzDecoder<Vec<u8>>>),
}

impl Decoder {
    pub(crate) fn new(compression: BillCompression) -> Decoder {
        match compression {
            BillCompression::Plain => Decoder::Plain,
            BillCompression::Gzip => Decoder::Gzip(Box::new(MultiGzDecoder::new(Vec::new()))),
        }
    }

    /// Consumes a prefix of `input` (all of it when plain) and returns the bill bytes it
    /// yields, possibly none yet.
    pub(crate) fn decode<'out, 'input: 'out>(
        &'out mut self,
        input: &mut &'input [u8],
    ) -> Result<&'out [u8], BillError> {
        match self {
            Decoder::Plain => Ok(std::mem::take(input)),
            Decoder::Gzip(decoder) => {
                decoder.get_mut().clear();
                let consumed = decoder.write(input).map_err(corrupt)?;
                if consumed == 0 && decoder.get_ref().is_empty() {
                    return Err(BillError::CorruptGzip(
                        "the decoder accepts no more input".into(),
                    ));
                }
                *input = &input[consumed..];
                Ok(decoder.get_ref())
            }
        }
    }

    /// The input has ended: returns the last bill bytes, or fails if the gzip stream is
    /// incomplete or its trailer (CRC-32, size) does not match. Call once.
    pub(crate) fn end_of_input(&mut self) -> Result<&[u8], BillError> {
        match self {
            Decoder::Plain => Ok(&[]),
            Decoder::Gzip(decoder) => {
                decoder.get_mut().clear();
                decoder.try_finish().map_err(corrupt)?;
                Ok(decoder.get_ref())
            }
        }
    }
}

fn corrupt(e: std::io::Error) -> BillError {
    BillError::CorruptGzip(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    /// Feeds `wire` in pieces of `piece` bytes; returns the output and the largest step.
    fn run(wire: &[u8], piece: usize) -> Result<(Vec<u8>, usize), BillError> {
        let mut decoder = Decoder::new(BillCompression::Gzip);
        let mut out = Vec::new();
        let mut largest = 0;
        for chunk in wire.chunks(piece) {
            let mut input = chunk;
            while !input.is_empty() {
                let step = decoder.decode(&mut input)?;
                largest = largest.max(step.len());
                out.extend_from_slice(step);
            }
        }
        let last = decoder.end_of_input()?;
        largest = largest.max(last.len());
        out.extend_from_slice(last);
        Ok((out, largest))
    }

    #[test]
    fn output_per_step_stays_small_for_a_highly_compressible_stream() {
        let bill = vec![b'0'; 8 << 20];
        let wire = gzip(&bill);
        assert!(wire.len() < 64 << 10);
        let (out, largest) = run(&wire, wire.len()).unwrap();
        assert!(out == bill);
        assert!(largest <= 64 << 10, "{largest}");
    }

    #[test]
    fn any_split_of_the_input_decodes_the_same() {
        let bill: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let wire = gzip(&bill);
        for piece in [1, 7, 4096, wire.len()] {
            assert!(run(&wire, piece).unwrap().0 == bill, "{piece}");
        }
    }

    #[test]
    fn concatenated_members_decode_whole() {
        let mut wire = gzip(b"first,");
        wire.extend(gzip(b"second"));
        assert_eq!(run(&wire, 5).unwrap().0, b"first,second");
    }

    #[test]
    fn truncated_corrupt_and_trailing_garbage_are_refused() {
        let bill: Vec<u8> = (0..20_000u32)
            .flat_map(|i| (i * i).to_string().into_bytes())
            .collect();
        let wire = gzip(&bill);
        let refused = |wire: &[u8]| matches!(run(wire, 1000), Err(BillError::CorruptGzip(_)));
        assert!(refused(&wire[..wire.len() - 1]), "truncated trailer");
        assert!(refused(&wire[..wire.len() / 2]), "truncated body");
        assert!(refused(&wire[..5]), "truncated header");
        assert!(refused(b""), "empty");
        assert!(refused(b"not gzip at all"), "not gzip");
        for at in [wire.len() / 2, wire.len() - 6, wire.len() - 2] {
            let mut flipped = wire.clone();
            flipped[at] ^= 0x55;
            assert!(refused(&flipped), "byte {at} of {} flipped", wire.len());
        }
        let mut trailing = wire.clone();
        trailing.extend_from_slice(&[0; 16]);
        assert!(refused(&trailing), "trailing zeros");
    }
}
