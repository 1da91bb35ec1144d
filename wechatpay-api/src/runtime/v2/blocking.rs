//! Sending v2 calls with the blocking client (`blocking` feature).

use http::HeaderMap;

use super::envelope::choose_sign_type;
use super::operation::{Call, Decode, Operation};
use super::send::{Checked, Parts, check_received, http_for, prepare_attempt};
use crate::runtime::blocking::Client;
use crate::runtime::client::WithMeta;
use crate::runtime::core::{Core, PreparedRequest, followed_redirect, read_body_blocking};
use crate::runtime::error::Error;
use crate::runtime::observe::Trace;
use crate::runtime::retry::Attempts;

/// One attempt with the blocking client.
fn attempt(
    core: &Core,
    http: &reqwest::blocking::Client,
    request: PreparedRequest,
    timeout: std::time::Duration,
) -> Result<(u16, HeaderMap, Vec<u8>), Error> {
    let sent_to = request.parsed_url().clone();
    let response = request
        .send_blocking_with(http, timeout)
        .send()
        .map_err(Error::transport)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    if *response.url() != sent_to {
        return Err(followed_redirect(status, response.url()));
    }
    let body = read_body_blocking(response, core.max_response_bytes)?;
    Ok((status, headers, body))
}

/// Sends a v2 call with the blocking client, as the retry policy allows.
pub(crate) fn send(client: &Client, parts: &Parts<'_>, trace: &Trace) -> Result<Checked, Error> {
    client.ready()?;
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
        let result = attempt(core, http, request, timeout).and_then(|(status, headers, body)| {
            check_received(core, parts, sign_type, status, headers, body)
        });
        let error = match result {
            Ok(checked) => return Ok(checked),
            Err(error) => error,
        };
        attempts.wait_for_next_blocking(error, trace)?;
    }
}

/// Sends `parts` in a traced span and decodes the answer with `D`.
pub(crate) fn send_decoded<D: Decode>(
    client: &Client,
    parts: Result<Parts<'_>, Error>,
    trace: Trace,
) -> Result<WithMeta<D::Output>, Error> {
    let result = {
        let _entered = trace.enter();
        parts.and_then(|parts| send(client, &parts, &trace)?.decode::<D>())
    };
    match &result {
        Ok(meta) => trace.finish_ok(meta.status, meta.request_id.as_deref()),
        Err(error) => trace.finish_err(error),
    }
    result
}

impl<O: Operation> Call<'_, Client, O> {
    /// Sends the call (with the client's retry policy), checks the answer and decodes it.
    pub fn send(self) -> Result<<O::Response as Decode>::Output, Error> {
        self.send_with_meta().map(WithMeta::into_value)
    }

    /// Sends the call like [`send`](Self::send) and returns the decoded answer with its
    /// status, `Request-ID` and headers.
    pub fn send_with_meta(self) -> Result<WithMeta<<O::Response as Decode>::Output>, Error> {
        let trace = Trace::start(O::SPEC.method, O::SPEC.path);
        send_decoded::<O::Response>(self.client, Parts::of(&self), trace)
    }
}
