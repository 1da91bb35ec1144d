//! The APIv2 side of the test server: [`V2Route`]s answer v2 paths as WeChat Pay does.
//!
//! A request to a v2 route must be signed with the server's APIv2 key
//! ([`TestServerBuilder::api_v2_key`](super::TestServerBuilder::api_v2_key), by default
//! [`keys::APIV2_KEY`](super::keys::APIV2_KEY)) by the algorithm its `sign_type` names (MD5
//! without one); otherwise it is answered `return_code=FAIL`, `return_msg=签名错误` and not
//! recorded. Encrypted request fields are decrypted (RSA-OAEP, SHA-1) with the private half of
//! [`keys::V2_RSA_PUBLIC_KEY_PEM`](super::keys::V2_RSA_PUBLIC_KEY_PEM); encrypted answer
//! fields are encrypted (RSA PKCS#1 v1.5) with the merchant's public key; answers are signed
//! with the request's sign type. [`V2Misbehavior`] breaks the next v2 answer.

use std::collections::VecDeque;
use std::fmt;

use aws_lc_rs::rsa::{Pkcs1PublicEncryptingKey, PublicEncryptingKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http_body_util::Full;
use hyper::Response;
use hyper::body::Bytes;
use rustls_pki_types::SubjectPublicKeyInfoDer;
use rustls_pki_types::pem::PemObject;
use serde_json::Value;

use crate::runtime::error::{ConfigItem, Error};
use crate::runtime::keys::MerchantPrivateKey;
use crate::runtime::operation::{FilePart, HttpMethod};
use crate::runtime::sensitive_fields::transform_fields;
use crate::runtime::v2::sign::{SIGN, SIGN_TYPE, sign, verify};
use crate::runtime::v2::{ApiV2Key, NONCE_STR, Params, SignType, xml};

/// How the next v2 answer goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum V2Misbehavior {
    /// A value of the answer is changed after it was signed.
    TamperedAnswer,
    /// The answer carries no `sign`.
    MissingSign,
    /// `return_code=SUCCESS`, `result_code=FAIL` with this `err_code` and `err_code_des`,
    /// signed.
    BusinessFail {
        err_code: String,
        err_code_des: String,
    },
    /// `return_code=FAIL` with this `return_msg`, unsigned.
    CommunicationFail { return_msg: String },
}

/// What a v2 route answers.
#[derive(Clone)]
enum V2Answer {
    /// These elements (plus `sign`), as an XML document.
    Params(Params),
    /// These bytes as they are (a file download).
    Bytes { content_type: String, bytes: Bytes },
}

/// An answer the server gives to one v2 method and path (exact match, query aside).
#[derive(Clone)]
#[must_use = "a v2 route does nothing until given to `TestServer::v2_route`"]
pub struct V2Route {
    method: HttpMethod,
    path: String,
    answer: V2Answer,
    encrypted_request_fields: Vec<String>,
    encrypted_response_fields: Vec<String>,
    signs_answer: bool,
}

impl fmt::Debug for V2Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2Route")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl V2Route {
    /// A route answering `return_code=SUCCESS`, `result_code=SUCCESS` until
    /// [`respond`](Self::respond) says otherwise.
    pub fn new(method: HttpMethod, path: &str) -> V2Route {
        let params = [("return_code", "SUCCESS"), ("result_code", "SUCCESS")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        V2Route {
            method,
            path: path.to_owned(),
            answer: V2Answer::Params(params),
            encrypted_request_fields: Vec::new(),
            encrypted_response_fields: Vec::new(),
            signs_answer: true,
        }
    }

    /// The answer's elements (`return_code` & co. included); the server adds `sign`. A nested
    /// list ([`Params::insert_list`]) is written as nested elements and signed as its canonical
    /// text (see [`sign`](crate::runtime::v2::sign)).
    pub fn respond(mut self, params: Params) -> V2Route {
        self.answer = V2Answer::Params(params);
        self
    }

    /// Answers with these bytes as they are, unsigned (a bill or file download).
    pub fn respond_bytes(mut self, content_type: &str, bytes: impl Into<Vec<u8>>) -> V2Route {
        self.answer = V2Answer::Bytes {
            content_type: content_type.to_owned(),
            bytes: Bytes::from(bytes.into()),
        };
        self
    }

    /// Request elements that must arrive RSA-OAEP-encrypted (decrypted in
    /// [`V2RecordedRequest::decrypted`]; a request whose field does not decrypt is refused).
    pub fn encrypted_request_fields(mut self, elements: &[&str]) -> V2Route {
        self.encrypted_request_fields = elements.iter().map(|e| (*e).to_owned()).collect();
        self
    }

    /// Answer fields encrypted with the merchant's public key (RSA PKCS#1 v1.5): an element,
    /// or `outer.inner` for a key in the JSON text of element `outer`.
    pub fn encrypted_response_fields(mut self, paths: &[&str]) -> V2Route {
        self.encrypted_response_fields = paths.iter().map(|p| (*p).to_owned()).collect();
        self
    }

    /// Answers without `sign` (as `promotion/transfers` does).
    pub fn unsigned_answer(mut self) -> V2Route {
        self.signs_answer = false;
        self
    }
}

/// One v2 request the server accepted (its `sign` verified).
#[derive(Clone)]
pub struct V2RecordedRequest {
    pub method: String,
    /// Path and query.
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The elements as sent (encrypted fields still encrypted, `sign` included).
    pub params: Params,
    /// The elements with the encrypted fields decrypted.
    pub decrypted: Params,
    /// The sign type the request was verified with.
    pub sign_type: SignType,
    /// The file parts of a multipart request.
    pub files: Vec<(String, FilePart)>,
    /// The client certificate the connection presented (a server started with
    /// [`tls_with_client_auth`](super::TestServerBuilder::tls_with_client_auth)).
    pub client_certificate: Option<super::PresentedCertificate>,
}

impl fmt::Debug for V2RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2RecordedRequest")
            .field("method", &self.method)
            .field("params", &self.params)
            .field("sign_type", &self.sign_type)
            .field("body_len", &self.body.len())
            .field("client_certificate", &self.client_certificate)
            .finish_non_exhaustive()
    }
}

impl V2RecordedRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The server's v2 state.
pub(super) struct V2State {
    key: ApiV2Key,
    /// Decrypts OAEP request fields (the private half of the v2 RSA public key).
    rsa_private: MerchantPrivateKey,
    /// Encrypts PKCS#1 v1.5 answer fields.
    merchant_public: Pkcs1PublicEncryptingKey,
    routes: Vec<V2Route>,
    pub(super) requests: Vec<V2RecordedRequest>,
    misbehavior: VecDeque<V2Misbehavior>,
}

impl V2State {
    pub(super) fn new(
        api_v2_key: &str,
        rsa_private_pem: &str,
        merchant_public_pem: &str,
    ) -> Result<V2State, Error> {
        let key = ApiV2Key::new(api_v2_key)
            .map_err(|e| Error::config(ConfigItem::ApiV2Key, format!("test server: {e}")))?;
        let der = SubjectPublicKeyInfoDer::from_pem_slice(merchant_public_pem.as_bytes()).map_err(
            |e| {
                Error::config(
                    ConfigItem::TestServer,
                    format!("merchant public key PEM: {e}"),
                )
            },
        )?;
        let merchant_public = PublicEncryptingKey::from_der(der.as_ref())
            .ok()
            .and_then(|key| Pkcs1PublicEncryptingKey::new(key).ok())
            .ok_or_else(|| {
                Error::config(ConfigItem::TestServer, "merchant public key is not RSA")
            })?;
        Ok(V2State {
            key,
            rsa_private: MerchantPrivateKey::from_pem(rsa_private_pem)?,
            merchant_public,
            routes: Vec::new(),
            requests: Vec::new(),
            misbehavior: VecDeque::new(),
        })
    }

    pub(super) fn add_route(&mut self, route: V2Route) {
        self.routes.insert(0, route);
    }

    pub(super) fn misbehave_once(&mut self, misbehavior: V2Misbehavior) {
        self.misbehavior.push_back(misbehavior);
    }

    pub(super) fn route_for(&self, method: &str, path: &str) -> Option<V2Route> {
        self.routes
            .iter()
            .find(|r| r.method.as_str() == method && r.path == path)
            .cloned()
    }

    /// The answer to a request of `route`.
    pub(super) fn respond(
        &mut self,
        route: V2Route,
        method: String,
        url: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        client_certificate: Option<super::PresentedCertificate>,
    ) -> Response<Full<Bytes>> {
        let content_type = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone());
        let (params, files) = match request_params(&url, content_type.as_deref(), &body) {
            Ok(read) => read,
            Err(message) => return fail(&message),
        };
        let sign_type = match params.get(SIGN_TYPE) {
            None | Some("MD5") => SignType::Md5,
            Some("HMAC-SHA256") => SignType::HmacSha256,
            Some(_) => return fail("sign_type 参数错误"),
        };
        if verify(&params, &self.key, sign_type).is_err() {
            return fail("签名错误");
        }
        let mut decrypted = params.clone();
        for element in &route.encrypted_request_fields {
            let Some(ciphertext) = params.get(element) else {
                continue;
            };
            match self
                .rsa_private
                .decrypt(ciphertext)
                .ok()
                .and_then(|plain| String::from_utf8(plain).ok())
            {
                Some(plain) => {
                    decrypted.insert(element.clone(), plain);
                }
                None => return fail(&format!("{element} 解密失败")),
            }
        }
        self.requests.push(V2RecordedRequest {
            method,
            url,
            headers,
            body,
            params,
            decrypted,
            sign_type,
            files,
            client_certificate,
        });

        let misbehavior = self.misbehavior.pop_front();
        let mut answer = match (route.answer, &misbehavior) {
            (_, Some(V2Misbehavior::CommunicationFail { return_msg })) => {
                return fail(return_msg);
            }
            (
                _,
                Some(V2Misbehavior::BusinessFail {
                    err_code,
                    err_code_des,
                }),
            ) => [
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", err_code.as_str()),
                ("err_code_des", err_code_des.as_str()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            (
                V2Answer::Bytes {
                    content_type,
                    bytes,
                },
                _,
            ) => {
                return Response::builder()
                    .status(200)
                    .header("Content-Type", content_type)
                    .body(Full::new(bytes))
                    .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
            }
            (V2Answer::Params(params), _) => params,
        };
        if let Err(message) =
            self.encrypt_answer_fields(&mut answer, &route.encrypted_response_fields)
        {
            return fail(&message);
        }
        if route.signs_answer && misbehavior != Some(V2Misbehavior::MissingSign) {
            // Signed answers carry their own nonce, as WeChat Pay's do.
            if !answer.contains(NONCE_STR) {
                match crate::runtime::signing::nonce() {
                    Ok(nonce) => {
                        answer.insert(NONCE_STR, nonce);
                    }
                    Err(e) => return fail(&e.to_string()),
                }
            }
            let signature = sign(&answer, sign_type, &self.key);
            answer.insert(SIGN, signature);
        }
        if misbehavior == Some(V2Misbehavior::TamperedAnswer) {
            tamper(&mut answer);
        }
        xml_answer(&answer)
    }

    fn encrypt_answer_fields(&self, answer: &mut Params, paths: &[String]) -> Result<(), String> {
        let encrypt = |plain: &str| -> Result<String, Error> {
            let mut out = vec![0u8; self.merchant_public.ciphertext_size()];
            let ciphertext = self
                .merchant_public
                .encrypt(plain.as_bytes(), &mut out)
                .map_err(|_| Error::config(ConfigItem::TestServer, "PKCS#1 encryption failed"))?;
            Ok(BASE64.encode(ciphertext))
        };
        for path in paths {
            match path.split_once('.') {
                None => {
                    if let Some(plain) = answer.get(path) {
                        let ciphertext = encrypt(plain).map_err(|e| e.to_string())?;
                        answer.insert(path.clone(), ciphertext);
                    }
                }
                Some((outer, inner)) => {
                    let Some(text) = answer.get(outer) else {
                        continue;
                    };
                    let mut document: Value =
                        serde_json::from_str(text).map_err(|e| format!("{outer}: {e}"))?;
                    transform_fields(&mut document, &[inner], &mut |_, plain| encrypt(plain))
                        .map_err(|e| e.to_string())?;
                    answer.insert(outer, document.to_string());
                }
            }
        }
        Ok(())
    }
}

/// The elements of a request: XML body, query string or multipart form fields.
fn request_params(
    url: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(Params, Vec<(String, FilePart)>), String> {
    if let Some(parts) = super::multipart::parts(content_type, body) {
        let mut params = Params::new();
        let mut files = Vec::new();
        for part in parts {
            match part.file_name {
                Some(file_name) => files.push((
                    part.name,
                    FilePart::new(file_name, part.content_type.unwrap_or_default(), part.bytes),
                )),
                None => {
                    let value = String::from_utf8(part.bytes)
                        .map_err(|_| format!("{} 不是 UTF-8", part.name))?;
                    params.insert(part.name, value);
                }
            }
        }
        return Ok((params, files));
    }
    if body.is_empty() {
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let mut params = Params::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| {
                percent_encoding::percent_decode_str(text)
                    .decode_utf8()
                    .map(|t| t.into_owned())
                    .map_err(|_| "查询参数不是 UTF-8".to_owned())
            };
            params.insert(decode(name)?, decode(value)?);
        }
        return Ok((params, Vec::new()));
    }
    let params = xml::parse(body).map_err(|_| "XML格式错误".to_owned())?;
    Ok((params, Vec::new()))
}

/// Changes one value of a signed answer (the first element that is not `sign` or a code).
fn tamper(answer: &mut Params) {
    let target = answer
        .iter()
        .map(|(name, _)| name.to_owned())
        .find(|name| !matches!(name.as_str(), SIGN | "return_code" | "result_code"));
    match target {
        Some(name) => {
            let value = format!("{}1", answer.get(&name).unwrap_or_default());
            answer.insert(name, value);
        }
        None => {
            answer.insert("tampered", "1");
        }
    }
}

/// `return_code=FAIL` with `return_msg`, unsigned, as WeChat Pay refuses a request.
fn fail(return_msg: &str) -> Response<Full<Bytes>> {
    let params = [("return_code", "FAIL"), ("return_msg", return_msg)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    xml_answer(&params)
}

fn xml_answer(params: &Params) -> Response<Full<Bytes>> {
    let body = xml::write(params).unwrap_or_else(|_| {
        "<xml><return_code>FAIL</return_code><return_msg>test server: unwritable answer</return_msg></xml>"
            .to_owned()
    });
    Response::builder()
        .status(200)
        .header("Content-Type", "text/xml; charset=utf-8")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
