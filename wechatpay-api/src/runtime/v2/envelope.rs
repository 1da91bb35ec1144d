//! The signed parameters of a v2 request: the call's own, plus merchant id, app id,
//! `nonce_str`, `sign_type`, encrypted fields and `sign` (made anew for each attempt).

use super::config::V2Settings;
use super::operation::SignType;
use super::params::Params;
use super::route::Route;
use super::sign::{SIGN, SIGN_TYPE, sign};
use crate::runtime::error::{ConfigItem, Error, RequestPart};
use crate::runtime::signing::nonce;

/// The element that carries the nonce.
pub const NONCE_STR: &str = "nonce_str";

/// The sign type a request is signed with: the call's choice (which the operation must
/// allow), else the client's default when the operation allows it, else MD5 when allowed,
/// else the operation's first.
pub(crate) fn choose_sign_type(
    route: &Route<'_>,
    settings: &V2Settings,
    chosen: Option<SignType>,
) -> Result<SignType, Error> {
    let allowed = route.allowed_sign_types();
    if let Some(chosen) = chosen {
        if !allowed.contains(&chosen) {
            return Err(Error::request(
                RequestPart::Body,
                format!(
                    "`{}` does not allow sign_type {chosen} (it allows {})",
                    route.path,
                    allowed
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        return Ok(chosen);
    }
    Ok([settings.sign_type, Some(SignType::Md5)]
        .into_iter()
        .flatten()
        .find(|t| allowed.contains(t))
        .unwrap_or(allowed[0]))
}

/// The parameters sent for a call of `route` with the call's `params`.
pub(crate) fn envelope(
    route: &Route<'_>,
    mchid: &str,
    settings: &V2Settings,
    mut params: Params,
    sign_type: SignType,
) -> Result<Params, Error> {
    if let Some(element) = route.merchant_id
        && params.get(element).is_none_or(str::is_empty)
    {
        params.insert(element, mchid);
    }
    if let Some(element) = route.app_id
        && params.get(element).is_none_or(str::is_empty)
    {
        let app_id = settings.app_id.as_deref().ok_or_else(|| {
            Error::config(
                ConfigItem::AppId,
                format!(
                    "`{}` needs an app id in `{element}`: set it in the request or configure \
                     `ClientBuilder::app_id`",
                    route.path
                ),
            )
        })?;
        params.insert(element, app_id);
    }
    if route.signed && !route.nonceless {
        params.insert(NONCE_STR, nonce()?);
    }
    if !route.sign_types.is_empty() {
        params.insert(SIGN_TYPE, sign_type.as_str());
    }
    for &element in route.encrypted_request_fields {
        let Some(plain) = params.get(element).filter(|v| !v.is_empty()) else {
            continue;
        };
        let key = settings.rsa_public_key.as_ref().ok_or_else(|| {
            Error::request(
                RequestPart::EncryptionKey,
                format!(
                    "`{}` encrypts `{element}`, but no APIv2 RSA public key is configured \
                     (`ClientBuilder::v2_rsa_public_key`, the PEM of `risk/getpublickey`)",
                    route.path
                ),
            )
        })?;
        let ciphertext = key.encrypt(plain).map_err(|e| match e {
            Error::InvalidRequest(mut e) => {
                e.message = format!("`{element}`: {}", e.message);
                Error::InvalidRequest(e)
            }
            other => other,
        })?;
        params.insert(element, ciphertext);
    }
    params.remove(SIGN);
    if route.signed {
        let key = settings.key.as_ref().ok_or_else(|| {
            Error::config(
                ConfigItem::ApiV2Key,
                format!(
                    "`{}` is signed with the APIv2 key: configure `ClientBuilder::api_v2_key`",
                    route.path
                ),
            )
        })?;
        let signature = sign(&params, sign_type, key);
        params.insert(SIGN, signature);
    }
    Ok(params)
}
