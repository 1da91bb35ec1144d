//! What a client needs for APIv2 beside its v3 settings (`ClientBuilder::api_v2_key` & co.).

use super::operation::SignType;
use super::rsa::V2RsaPublicKey;
use super::sign::ApiV2Key;

/// The APIv2 settings of a client. `Debug` shows which are set, never the key.
#[derive(Debug, Default)]
pub(crate) struct V2Settings {
    /// Signs requests and verifies answers.
    pub key: Option<ApiV2Key>,
    /// Filled into the app id element of operations that have one, when a call leaves it out.
    pub app_id: Option<String>,
    /// The sign type used when a call chooses none and the operation allows it.
    pub sign_type: Option<SignType>,
    /// Encrypts bank-transfer request fields.
    pub rsa_public_key: Option<V2RsaPublicKey>,
}
