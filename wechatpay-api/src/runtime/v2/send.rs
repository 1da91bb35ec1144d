//! Sending v2 calls with the async client: each attempt signs anew (fresh `nonce_str` and
//! ciphertexts), goes through the client's retry policy, size cap and redirect refusal, and
//! its answer is checked before anything is decoded.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use http::HeaderMap;

use super::answer;
use super::envelope::{choose_sign_type, envelope};
use super::operation::{Answer, Call, Decode, Operation, SignType};
use super::params::Params;
use super::request;
use super::route::Route;
use crate::runtime::client::{Client, WithMeta, request_id};
use crate::runtime::core::{Core, PreparedRequest, api_error, followed_redirect, read_body};
use crate::runtime::error::{ConfigItem, Error};
use crate::runtime::observe::{Trace, instrument};
use crate::runtime::operation::FilePart;
use crate::runtime::retry::Attempts;

/// Everything each attempt of one v2 call needs.
pub(crate) struct Parts<'a> {
    pub route: Route<'a>,
    pub path_args: &'a [String],
    pub params: &'a Params,
    pub files: &'a [(String, FilePart)],
    pub sign_type: Option<SignType>,
    /// May be sent again after it may have reached WeChat Pay.
    pub safe: bool,
}

impl<'a> Parts<'a> {
    /// The parts of a generated call.
    pub(crate) fn of<C: ?Sized, O: Operation>(call: &'a Call<'_, C, O>) -> Result<Self, Error> {
        if let Some(problem) = call.invalid() {
            return Err(Error::InvalidRequest(problem.clone()));
        }
        Ok(Parts {
            route: Route::of(O::SPEC),
            path_args: call.path_args().values(),
            params: call.request_params(),
            files: call.file_parts(),
            sign_type: call.chosen_sign_type(),
            safe: call.is_idempotent(),
        })
    }
}

/// A checked answer with what came with it.
pub(crate) struct Checked {
    pub answer: Answer,
    pub status: u16,
    pub headers: HeaderMap,
}

impl Checked {
    /// Decodes the answer with `D`, keeping its status and headers.
    pub(crate) fn decode<D: Decode>(self) -> Result<WithMeta<D::Output>, Error> {
        let status = self.status;
        let request_id = request_id(&self.headers).map(str::to_owned);
        let value = D::decode(self.answer).map_err(|e| Error::Decode {
            status,
            source: <serde_json::Error as serde::de::Error>::custom(e),
        })?;
        Ok(WithMeta {
            value,
            status,
            request_id,
            headers: self.headers,
        })
    }
}

/// The HTTP client a call goes through: operations marked `security` need the merchant API
/// client certificate (mTLS), which only the client's certificate pool presents
/// (`ClientBuilder::client_certificate`); without one they are refused before anything is sent.
pub(crate) fn http_for<'h, H>(
    route: &Route<'_>,
    plain: &'h H,
    with_certificate: Result<&'h H, Error>,
) -> Result<&'h H, Error> {
    if !route.security {
        return Ok(plain);
    }
    with_certificate.map_err(|_| {
        Error::config(
            ConfigItem::ClientCertificate,
            format!(
                "operation `{}` needs the merchant's API client certificate (mutual TLS), and \
                 none is configured: read apiclient_cert.pem and apiclient_key.pem with \
                 ClientCertificate::from_pem(…) and give it to ClientBuilder::client_certificate(…)",
                route.path
            ),
        )
    })
}

/// The signed request of one attempt and the sign type it was signed with.
pub(crate) fn prepare_attempt(
    core: &Core,
    parts: &Parts<'_>,
    sign_type: SignType,
    backup: bool,
) -> Result<PreparedRequest, Error> {
    let params = envelope(
        &parts.route,
        &core.mchid,
        &core.v2,
        parts.params.clone(),
        sign_type,
    )?;
    request::prepare(
        core,
        &parts.route,
        parts.path_args,
        &params,
        parts.files,
        backup,
    )
}

/// Checks a received answer: non-2xx is [`Error::Api`] (3xx [`Error::Redirect`]), a 2xx is
/// checked as the operation says.
pub(crate) fn check_received(
    core: &Core,
    parts: &Parts<'_>,
    sign_type: SignType,
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
) -> Result<Checked, Error> {
    if !(200..300).contains(&status) {
        return Err(api_error(&core.keys, status, &headers, &body));
    }
    let answer = answer::check(&parts.route, &core.v2, &core.merchant_key, sign_type, body)?;
    Ok(Checked {
        answer,
        status,
        headers,
    })
}

/// One attempt with the async client.
async fn attempt(
    core: &Core,
    http: &reqwest::Client,
    request: PreparedRequest,
    timeout: std::time::Duration,
) -> Result<(u16, HeaderMap, Vec<u8>), Error> {
    let sent_to = request.parsed_url().clone();
    let response = request
        .send_with(http, timeout)
        .send()
        .await
        .map_err(Error::transport)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    if *response.url() != sent_to {
        return Err(followed_redirect(status, response.url()));
    }
    let body = read_body(response, core.max_response_bytes).await?;
    Ok((status, headers, body))
}

/// Sends a v2 call with the async client, as the retry policy allows.
pub(crate) async fn send(
    client: &Client,
    parts: &Parts<'_>,
    trace: &Trace,
) -> Result<Checked, Error> {
    client.ready().await?;
    let core = &*client.core;
    let http = http_for(
        &parts.route,
        &client.http.inner,
        client.http_for_security().map(|pool| &pool.inner),
    )?;
    let sign_type = choose_sign_type(&parts.route, &core.v2, parts.sign_type)?;
    let mut attempts = Attempts::new(
        &core.retry,
        parts.safe,
        core.fails_over(parts.route.base_uri),
    );
    loop {
        let request = prepare_attempt(core, parts, sign_type, attempts.on_backup())?;
        let timeout = attempts.start(core.timeout);
        trace.attempt();
        let result =
            attempt(core, http, request, timeout)
                .await
                .and_then(|(status, headers, body)| {
                    check_received(core, parts, sign_type, status, headers, body)
                });
        let error = match result {
            Ok(checked) => return Ok(checked),
            Err(error) => error,
        };
        attempts.wait_for_next(error, trace).await?;
    }
}

/// Sends `parts` in a traced span and decodes the answer with `D`.
pub(crate) async fn send_decoded<D: Decode>(
    client: &Client,
    parts: Result<Parts<'_>, Error>,
    trace: Trace,
) -> Result<WithMeta<D::Output>, Error> {
    let result = async {
        let parts = parts?;
        send(client, &parts, &trace).await?.decode::<D>()
    };
    let result = instrument(result, &trace).await;
    match &result {
        Ok(meta) => trace.finish_ok(meta.status, meta.request_id.as_deref()),
        Err(error) => trace.finish_err(error),
    }
    result
}

impl<O: Operation> Call<'_, Client, O> {
    /// Sends the call (with the client's retry policy), checks the answer and decodes it; the
    /// same as awaiting it.
    pub async fn send(self) -> Result<<O::Response as Decode>::Output, Error> {
        self.send_with_meta().await.map(WithMeta::into_value)
    }

    /// Sends the call like [`send`](Self::send) and returns the decoded answer with its
    /// status, `Request-ID` and headers.
    pub async fn send_with_meta(self) -> Result<WithMeta<<O::Response as Decode>::Output>, Error> {
        let trace = Trace::start(O::SPEC.method, O::SPEC.path);
        send_decoded::<O::Response>(self.client, Parts::of(&self), trace).await
    }
}

impl<'c, O: Operation + 'c> IntoFuture for Call<'c, Client, O>
where
    <O::Response as Decode>::Output: 'c,
{
    type Output = Result<<O::Response as Decode>::Output, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
