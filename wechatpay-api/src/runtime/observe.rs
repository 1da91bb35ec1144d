//! One `tracing` span per call (feature `tracing`, on by default).
//!
//! The span is `wechatpay.request` (target `wechatpay_api::request`, level INFO) with the
//! fields:
//!
//! | field | value |
//! |---|---|
//! | `method` | `GET`, `POST`… |
//! | `path` | the path **template** (`/v3/pay/transactions/id/{transaction_id}`), never the filled path |
//! | `status` | the HTTP status of the last answer |
//! | `request_id` | its `Request-ID` |
//! | `attempts` | attempts made (1 without retries) |
//! | `failover` | `true` when the call went to the backup host |
//! | `latency_ms` | the whole call, retries and backoff included |
//! | `outcome` | `ok` or `error` |
//! | `error` | a fixed label of the error kind (`transport.connect`, `api`, `verification`…) |
//! | `code` | an error answer's `code` (`SYSTEM_ERROR`…) |
//!
//! Each retry is an INFO event `retrying` in the span (`attempt`, `error`, `delay_ms`,
//! `failover`), and the end of the call a DEBUG event `finished`. Nothing else is recorded:
//! never the `Authorization` header, bodies, path arguments, query values, keys, or any
//! field value; an error is recorded by its kind, not its message.

use std::time::Instant;

#[cfg(feature = "tracing")]
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use super::error::Error;
use super::operation::HttpMethod;
use super::retry::Next;

/// The trace of one call.
#[derive(Debug)]
pub(crate) struct Trace {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
    #[cfg(feature = "tracing")]
    attempts: AtomicU32,
    #[cfg(feature = "tracing")]
    failover: AtomicBool,
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    started: Instant,
}

impl Trace {
    /// Opens the span of a call of `method` on the path template `path`.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn start(method: HttpMethod, path: &str) -> Trace {
        Trace {
            #[cfg(feature = "tracing")]
            span: tracing::info_span!(
                target: "wechatpay_api::request",
                "wechatpay.request",
                method = method.as_str(),
                path = path,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
                attempts = tracing::field::Empty,
                failover = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
                outcome = tracing::field::Empty,
                error = tracing::field::Empty,
                code = tracing::field::Empty,
            ),
            #[cfg(feature = "tracing")]
            attempts: AtomicU32::new(0),
            #[cfg(feature = "tracing")]
            failover: AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    /// The span, to instrument the call's future with.
    #[cfg(feature = "tracing")]
    pub(crate) fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Enters the span (blocking calls) until the guard is dropped.
    #[cfg(feature = "tracing")]
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn enter(&self) -> tracing::span::Entered<'_> {
        self.span.enter()
    }

    /// Enters the span (blocking calls) until the guard is dropped.
    #[cfg(not(feature = "tracing"))]
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn enter(&self) {}

    /// One more attempt is starting.
    pub(crate) fn attempt(&self) {
        #[cfg(feature = "tracing")]
        self.attempts.fetch_add(1, Ordering::Relaxed);
    }

    /// An attempt failed and `next` says what follows.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn failed(&self, error: &Error, next: Next) {
        #[cfg(feature = "tracing")]
        {
            let attempt = self.attempts.load(Ordering::Relaxed);
            match next {
                Next::Stop => {}
                Next::FailOver => {
                    self.failover.store(true, Ordering::Relaxed);
                    tracing::info!(
                        target: "wechatpay_api::request",
                        parent: &self.span,
                        attempt,
                        error = error.label(),
                        delay_ms = 0u64,
                        failover = true,
                        "retrying"
                    );
                }
                Next::RetryAfter(delay) => {
                    tracing::info!(
                        target: "wechatpay_api::request",
                        parent: &self.span,
                        attempt,
                        error = error.label(),
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        failover = false,
                        "retrying"
                    );
                }
            }
        }
    }

    /// The call succeeded with this answer.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn finish_ok(&self, status: u16, request_id: Option<&str>) {
        #[cfg(feature = "tracing")]
        {
            if self.span.is_disabled() {
                return;
            }
            self.span.record("status", status);
            if let Some(request_id) = request_id {
                self.span.record("request_id", short(request_id));
            }
            self.span.record("outcome", "ok");
            self.close();
        }
    }

    /// The call failed with `error`.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn finish_err(&self, error: &Error) {
        #[cfg(feature = "tracing")]
        {
            if self.span.is_disabled() {
                return;
            }
            match error {
                Error::Api(api) => {
                    self.span.record("status", api.status);
                    if let Some(request_id) = &api.request_id {
                        self.span.record("request_id", short(request_id));
                    }
                    if let Some(code) = api.code_str() {
                        self.span.record("code", short(code));
                    }
                }
                Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => {
                    self.span.record("status", *status);
                }
                Error::Redirect { status, .. } => {
                    self.span.record("status", *status);
                }
                _ => {}
            }
            self.span.record("outcome", "error");
            self.span.record("error", error.label());
            self.close();
        }
    }

    #[cfg(feature = "tracing")]
    fn close(&self) {
        self.span
            .record("attempts", self.attempts.load(Ordering::Relaxed));
        self.span
            .record("failover", self.failover.load(Ordering::Relaxed));
        self.span
            .record("latency_ms", self.started.elapsed().as_secs_f64() * 1000.0);
        tracing::debug!(target: "wechatpay_api::request", parent: &self.span, "finished");
    }
}

/// Text from the network, recorded at most 64 characters long and without control
/// characters.
#[cfg(feature = "tracing")]
fn short(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// `future`, run inside the call's span.
#[cfg(feature = "tracing")]
pub(crate) fn instrument<F: std::future::Future>(
    future: F,
    trace: &Trace,
) -> tracing::instrument::Instrumented<F> {
    tracing::Instrument::instrument(future, trace.span().clone())
}

/// `future`, as it is (no `tracing` feature).
#[cfg(not(feature = "tracing"))]
pub(crate) fn instrument<F: std::future::Future>(future: F, _trace: &Trace) -> F {
    future
}
