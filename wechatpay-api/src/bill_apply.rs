//! From the answer of a bill application (`GET /v3/bill/tradebill`, `…/fundflowbill`) to the
//! [`BillFile`] the runtime streams and checks.

use crate::runtime::bill::BillFile;
use crate::v3::bill::fundflowbill::GetResponse;

/// `tradebill` answers with the same type (`tradebill::GetResponse` is an alias of it). The
/// encoding is not in the answer: add `.gzip()` when the bill was asked for with `tar_type=GZIP`.
#[cfg_attr(docsrs, doc(cfg(feature = "bill")))]
impl From<&GetResponse> for BillFile {
    fn from(answer: &GetResponse) -> BillFile {
        BillFile::new(
            answer.download_url.as_str(),
            answer.hash_type.as_str(),
            answer.hash_value.as_str(),
        )
    }
}
