//! Checking a v2 answer: `return_code`, the answer's `sign`, `result_code`, then decrypting
//! the encrypted fields. Nothing of an answer whose `sign` does not verify is decoded.

use serde_json::Value;

use super::config::V2Settings;
use super::error::{V2Error, V2ErrorCode};
use super::operation::{Answer, ResponseKind, SignType};
use super::params::Params;
use super::route::Route;
use super::sign::{SIGN, SignatureError, verify};
use super::xml::{self, XmlError};
use crate::runtime::error::{ConfigItem, CryptoOperation, Error};
use crate::runtime::keys::MerchantPrivateKey;
use crate::runtime::sensitive_fields::transform_fields;

const SUCCESS: &str = "SUCCESS";

/// The checked answer to a request of `route` signed with `sign_type`.
pub(crate) fn check(
    route: &Route<'_>,
    settings: &V2Settings,
    merchant_key: &MerchantPrivateKey,
    sign_type: SignType,
    body: Vec<u8>,
) -> Result<Answer, Error> {
    let is_xml = xml::is_xml_document(&body);
    if route.response != ResponseKind::Xml && !is_xml {
        return Ok(Answer {
            params: Params::new(),
            body,
        });
    }
    let params = xml::parse(&body).map_err(|e| Error::from(V2Error::Malformed(e)))?;
    let mut params = check_params(route, settings, sign_type, params)?;
    if route.response != ResponseKind::Xml {
        return Err(V2Error::Malformed(XmlError {
            line: None,
            element: None,
            message: "a download or JSON answer came as an XML document that reports no failure"
                .to_owned(),
        })
        .into());
    }
    decrypt_fields(&mut params, route.encrypted_response_fields, merchant_key)?;
    Ok(Answer { params, body })
}

/// `return_code`, `sign` and `result_code` of an XML answer.
fn check_params(
    route: &Route<'_>,
    settings: &V2Settings,
    sign_type: SignType,
    params: Params,
) -> Result<Params, Error> {
    let verified = match params.get(SIGN).filter(|s| !s.is_empty()) {
        None => Err(SignatureError::Missing),
        Some(_) => {
            let key = settings.key.as_ref().ok_or_else(|| {
                Error::config(
                    ConfigItem::ApiV2Key,
                    "the v2 answer carries a `sign`, but no APIv2 key is configured to check it \
                     (`ClientBuilder::api_v2_key`)",
                )
            })?;
            verify(&params, key, sign_type)
        }
    };
    let Some(return_code) = params.get("return_code") else {
        return Err(V2Error::Malformed(XmlError {
            line: None,
            element: Some("return_code".to_owned()),
            message: "missing".to_owned(),
        })
        .into());
    };
    if return_code != SUCCESS {
        return Err(V2Error::Communication {
            return_code: return_code.to_owned(),
            return_msg: params.get("return_msg").map(str::to_owned),
            verified: verified.is_ok(),
        }
        .into());
    }
    let failed = params.get("result_code") == Some("FAIL");
    match verified {
        Ok(()) => {}
        // Unsigned answers of operations whose answers are unsigned, and unsigned refusals
        // (reported as unverified): nothing of them is decoded as a success.
        Err(SignatureError::Missing) if failed || !(route.signed && route.answer_signed) => {}
        Err(error) => return Err(V2Error::Signature { error, sign_type }.into()),
    }
    if failed {
        return Err(V2Error::Business {
            code: V2ErrorCode::from(params.get("err_code").unwrap_or_default()),
            description: params.get("err_code_des").map(str::to_owned),
            verified: verified.is_ok(),
        }
        .into());
    }
    Ok(params)
}

/// Decrypts, in place, the answer fields at `paths` (RSA PKCS#1 v1.5 with the merchant key):
/// `name` is an element, `outer.inner` a key inside the JSON text of element `outer`.
fn decrypt_fields(
    params: &mut Params,
    paths: &[&str],
    merchant_key: &MerchantPrivateKey,
) -> Result<(), Error> {
    let decrypt = |path: &str, ciphertext: &str| -> Result<String, Error> {
        let plain = merchant_key.decrypt_pkcs1(ciphertext).map_err(|e| {
            Error::crypto(
                CryptoOperation::RsaPkcs1Decrypt,
                format!("answer field `{path}`: {e}"),
            )
        })?;
        String::from_utf8(plain.to_vec()).map_err(|_| {
            Error::crypto(
                CryptoOperation::RsaPkcs1Decrypt,
                format!("answer field `{path}` is not UTF-8"),
            )
        })
    };
    for path in paths {
        match path.split_once('.') {
            None => {
                if let Some(ciphertext) = params.get(path).filter(|v| !v.is_empty()) {
                    let plain = decrypt(path, ciphertext)?;
                    params.insert(*path, plain);
                }
            }
            Some((outer, inner)) => {
                let Some(text) = params.get(outer).filter(|v| !v.is_empty()) else {
                    continue;
                };
                let mut document: Value = serde_json::from_str(text).map_err(|e| {
                    V2Error::Malformed(XmlError {
                        line: None,
                        element: Some(outer.to_owned()),
                        message: format!("not JSON text ({})", json_error_kind(&e)),
                    })
                })?;
                transform_fields(&mut document, &[inner], &mut |at, ciphertext| {
                    decrypt(&format!("{outer}.{at}"), ciphertext)
                })?;
                params.insert(outer, document.to_string());
            }
        }
    }
    Ok(())
}

/// What kind of JSON error, without the text around it (it may hold values).
fn json_error_kind(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "unexpected end",
    }
}
