//! The announced digest, and the running count and hash of the uncompressed bill.

use aws_lc_rs::digest::{Context, SHA1_FOR_LEGACY_USE_ONLY, SHA1_OUTPUT_LEN};

use crate::runtime::error::BillError;

/// The digest WeChat Pay announced, parsed before anything is downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExpectedDigest {
    hash_type: String,
    bytes: [u8; SHA1_OUTPUT_LEN],
}

impl ExpectedDigest {
    pub(crate) fn parse(hash_type: &str, hash_value: &str) -> Result<ExpectedDigest, BillError> {
        if !hash_type.eq_ignore_ascii_case("SHA1") {
            return Err(BillError::UnknownHashType(hash_type.to_owned()));
        }
        let malformed = || BillError::MalformedHashValue(hash_value.to_owned());
        let digits = hash_value.as_bytes();
        if digits.len() != 2 * SHA1_OUTPUT_LEN {
            return Err(malformed());
        }
        let mut bytes = [0u8; SHA1_OUTPUT_LEN];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let high = hex_value(pair[0]).ok_or_else(malformed)?;
            let low = hex_value(pair[1]).ok_or_else(malformed)?;
            *byte = high << 4 | low;
        }
        Ok(ExpectedDigest {
            hash_type: "SHA1".to_owned(),
            bytes,
        })
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    out
}

/// Counts and hashes the uncompressed bill as it passes, refusing it past the size cap.
pub(crate) struct Tally {
    expected: ExpectedDigest,
    hasher: Context,
    bytes: u64,
    limit: Option<u64>,
}

impl Tally {
    pub(crate) fn new(expected: ExpectedDigest, limit: Option<u64>) -> Tally {
        Tally {
            expected,
            hasher: Context::new(&SHA1_FOR_LEGACY_USE_ONLY),
            bytes: 0,
            limit,
        }
    }

    /// Takes the next run of bill bytes; fails, before they are written anywhere, when they
    /// would pass the cap.
    pub(crate) fn add(&mut self, bill_bytes: &[u8]) -> Result<(), BillError> {
        let total = self.bytes.saturating_add(bill_bytes.len() as u64);
        if let Some(limit) = self.limit.filter(|limit| total > *limit) {
            return Err(BillError::TooLarge { limit });
        }
        self.bytes = total;
        self.hasher.update(bill_bytes);
        Ok(())
    }

    /// Compares the digest of everything added with the announced one.
    pub(crate) fn finish(self) -> Result<super::BillSummary, BillError> {
        let actual = self.hasher.finish();
        if actual.as_ref() != self.expected.bytes {
            return Err(BillError::DigestMismatch {
                hash_type: self.expected.hash_type,
                expected: hex(&self.expected.bytes),
                actual: hex(actual.as_ref()),
                bytes: self.bytes,
            });
        }
        Ok(super::BillSummary {
            bytes: self.bytes,
            digest: hex(actual.as_ref()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC_SHA1: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";

    #[test]
    fn matching_digest_in_any_case_passes() {
        let expected = ExpectedDigest::parse("sha1", &ABC_SHA1.to_uppercase()).unwrap();
        let mut tally = Tally::new(expected, None);
        tally.add(b"a").unwrap();
        tally.add(b"bc").unwrap();
        let summary = tally.finish().unwrap();
        assert_eq!(summary.bytes, 3);
        assert_eq!(summary.digest, ABC_SHA1);
    }

    #[test]
    fn mismatch_names_both_digests() {
        let expected = ExpectedDigest::parse("SHA1", ABC_SHA1).unwrap();
        let mut tally = Tally::new(expected, None);
        tally.add(b"abd").unwrap();
        let err = tally.finish().unwrap_err();
        let BillError::DigestMismatch {
            expected, actual, ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(expected, ABC_SHA1);
        assert_ne!(actual, ABC_SHA1);
        let message = err.to_string();
        assert!(message.contains(ABC_SHA1) && message.contains(actual.as_str()));
        assert!(message.contains("discard"), "{message}");
    }

    #[test]
    fn cap_refuses_the_run_that_passes_it() {
        let expected = ExpectedDigest::parse("SHA1", ABC_SHA1).unwrap();
        let mut tally = Tally::new(expected, Some(3));
        tally.add(b"ab").unwrap();
        tally.add(b"c").unwrap();
        assert!(matches!(
            tally.add(b"d"),
            Err(BillError::TooLarge { limit: 3 })
        ));
    }

    #[test]
    fn unknown_type_and_malformed_values_are_refused() {
        assert!(matches!(
            ExpectedDigest::parse("SHA256", ABC_SHA1),
            Err(BillError::UnknownHashType(name)) if name == "SHA256"
        ));
        for value in [
            "",
            "a9993e",
            &format!("{ABC_SHA1}00"),
            &ABC_SHA1.replace('a', "g"),
        ] {
            assert!(
                matches!(
                    ExpectedDigest::parse("SHA1", value),
                    Err(BillError::MalformedHashValue(_))
                ),
                "{value}"
            );
        }
        // Multi-byte characters of the right byte length are not hex digits either.
        assert!(ExpectedDigest::parse("SHA1", &"é".repeat(20)).is_err());
    }
}
