//! Retries and failover: which failed requests are sent again, when, and where.
//!
//! # What is retried
//!
//! A request is sent again only when that cannot pay, refund or create anything twice:
//!
//! - **Nothing reached the server** — DNS, TCP connect, TLS handshake or connect-timeout
//!   failures ([`TransportErrorKind::Connect`](super::TransportErrorKind::Connect)): any
//!   request, POSTs included.
//! - **Safe requests**, after any transport failure (timeout, connection dropped before or
//!   during the answer) or an answer of HTTP 5xx or 429:
//!   - every `GET` (queries of orders, refunds, bills, certificates; bill downloads up to the
//!     answer's head): reading changes nothing on WeChat Pay's side;
//!   - `POST …/close` (closing an order, e.g.
//!     `/v3/pay/transactions/out-trade-no/{out_trade_no}/close`): closing a closed order
//!     changes nothing;
//!   - any call the caller marks idempotent: [`Call::idempotent`](super::Call::idempotent),
//!     [`DynamicCall::idempotent`](super::DynamicCall::idempotent).
//!
//! Every other POST (orders, refunds, abnormal refunds, uploads, member-card imports…) and
//! every PATCH, PUT or DELETE that may have reached the server is **not** sent again: its
//! error is returned, and the outcome is unknown until you query it. WeChat Pay does treat
//! an order placed again with the same `out_trade_no` *and the same parameters* as the same
//! order (and a refund with the same `out_refund_no` as the same refund), so a retry of the
//! very same call is harmless there — mark such a call `.idempotent()` when you want it
//! retried; a retry always re-sends the same parameters. Never mark a call whose
//! parameters you would change between attempts.
//!
//! [`OperationSpec::is_safe_to_retry`](super::OperationSpec::is_safe_to_retry) tells which
//! generated operations are safe by default.
//!
//! # How
//!
//! Each attempt is signed anew (fresh timestamp and nonce; encrypted fields re-encrypted),
//! after an exponential backoff with jitter (`initial_backoff × 2ⁿ`, capped at
//! `max_backoff`, each delay drawn between half and all of it). No attempt starts after the
//! policy's deadline (counted from the first attempt), and each attempt's timeout is cut to
//! what remains of it. Errors that retrying cannot fix (4xx answers, verification failures,
//! bad requests) are returned at once.
//!
//! # Failover
//!
//! With [`ClientBuilder::backup_base_url`](super::ClientBuilder::backup_base_url) (e.g.
//! [`BACKUP_BASE_URL`](super::client::BACKUP_BASE_URL), `https://api2.mch.weixin.qq.com`), a
//! request to the client's base URL that cannot connect is sent at once to the backup host,
//! whatever the method (nothing reached the first host), and further retries of that call
//! go there too. This extra attempt does not count against `max_retries`. Requests whose
//! operation names its own host (`base_uri`: Hong Kong, global) keep it and never fail over.

use std::time::{Duration, Instant};

use super::error::Error;
use super::observe::Trace;
use super::operation::HttpMethod;

/// When and how often failed requests are sent again; see the [module docs](self) for what
/// is retried. The default: at most 2 retries of safe requests, backoff from 100 ms up to
/// 2 s, all attempts started within 60 s.
///
/// ```
/// use std::time::Duration;
/// use wechatpay_api::runtime::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_retries(4)
///     .initial_backoff(Duration::from_millis(200))
///     .deadline(Duration::from_secs(60));
/// let never = RetryPolicy::none();
/// assert_eq!(never.retries(), 0);
/// # let _ = patient;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    deadline: Duration,
}

/// The default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The default first backoff.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// The default longest backoff.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(2);
/// The default time within which all attempts of one call start.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            deadline: DEFAULT_DEADLINE,
        }
    }
}

impl RetryPolicy {
    /// The default policy (see the type's docs).
    pub fn new() -> RetryPolicy {
        RetryPolicy::default()
    }

    /// No retries at all: every request is sent once (failover to a backup host, when one is
    /// configured, still happens on connect failures).
    pub fn none() -> RetryPolicy {
        RetryPolicy::default().max_retries(0)
    }

    /// At most `retries` attempts after the first (0: none).
    pub fn max_retries(mut self, retries: u32) -> RetryPolicy {
        self.max_retries = retries;
        self
    }

    /// The backoff before the first retry; it doubles for each one after.
    pub fn initial_backoff(mut self, backoff: Duration) -> RetryPolicy {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> RetryPolicy {
        self.max_backoff = backoff;
        self
    }

    /// No attempt starts later than this after the first one started, and each attempt's
    /// timeout is cut to what remains.
    pub fn deadline(mut self, deadline: Duration) -> RetryPolicy {
        self.deadline = deadline;
        self
    }

    /// The most retries after the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The backoff before retry number `retry` (0-based), before jitter.
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// Whether an operation may be sent again after it may have reached the server, without
/// the caller saying so: GETs, and POSTs that close something (`…/close`).
pub(crate) fn safe_by_default(method: HttpMethod, path_template: &str) -> bool {
    match method {
        HttpMethod::Get => true,
        HttpMethod::Post => path_template.trim_end_matches('/').ends_with("/close"),
        HttpMethod::Put | HttpMethod::Patch | HttpMethod::Delete => false,
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Return the error.
    Stop,
    /// Send at once to the backup host.
    FailOver,
    /// Send again after this delay.
    RetryAfter(Duration),
}

/// The attempts of one call.
#[derive(Debug)]
pub(crate) struct Attempts<'p> {
    policy: &'p RetryPolicy,
    /// The request may be sent again after it may have reached the server.
    safe: bool,
    /// The request goes to the client's base URL and a backup host is configured.
    can_fail_over: bool,
    on_backup: bool,
    started: Instant,
    retries: u32,
    /// Attempts started so far.
    pub(crate) count: u32,
}

impl<'p> Attempts<'p> {
    pub(crate) fn new(policy: &'p RetryPolicy, safe: bool, can_fail_over: bool) -> Attempts<'p> {
        Attempts {
            policy,
            safe,
            can_fail_over,
            on_backup: false,
            started: Instant::now(),
            retries: 0,
            count: 0,
        }
    }

    /// Whether the next attempt goes to the backup host.
    pub(crate) fn on_backup(&self) -> bool {
        self.on_backup
    }

    /// Counts one more attempt; returns its timeout: `timeout`, cut to what remains of the
    /// deadline once retries are possible.
    pub(crate) fn start(&mut self, timeout: Duration) -> Duration {
        self.count += 1;
        if self.policy.max_retries == 0 && !self.can_fail_over {
            return timeout;
        }
        let left = self.policy.deadline.saturating_sub(self.started.elapsed());
        // An attempt already started gets at least a moment.
        timeout.min(left.max(Duration::from_millis(1)))
    }

    /// After the failed attempt that ended in `error` (reported to `trace`): the error back
    /// when no attempt follows, else `Ok` once the pause before the next one is over.
    pub(crate) async fn wait_for_next(&mut self, error: Error, trace: &Trace) -> Result<(), Error> {
        if let Some(delay) = self.decide(error, trace)? {
            tokio::time::sleep(delay).await;
        }
        Ok(())
    }

    /// [`wait_for_next`](Self::wait_for_next), blocking the thread for the pause.
    #[cfg(feature = "blocking")]
    pub(crate) fn wait_for_next_blocking(
        &mut self,
        error: Error,
        trace: &Trace,
    ) -> Result<(), Error> {
        if let Some(delay) = self.decide(error, trace)? {
            std::thread::sleep(delay);
        }
        Ok(())
    }

    /// The pause before the next attempt (`None`: send at once), or the error back.
    fn decide(&mut self, error: Error, trace: &Trace) -> Result<Option<Duration>, Error> {
        let next = self.next(&error);
        trace.failed(&error, next);
        match next {
            Next::Stop => Err(error),
            Next::FailOver => Ok(None),
            Next::RetryAfter(delay) => Ok(Some(delay)),
        }
    }

    /// Decides after `error`.
    pub(crate) fn next(&mut self, error: &Error) -> Next {
        let not_sent = matches!(error, Error::Transport(t) if t.is_connect());
        let elapsed = self.started.elapsed();
        if not_sent && self.can_fail_over && !self.on_backup {
            self.on_backup = true;
            return if elapsed < self.policy.deadline {
                Next::FailOver
            } else {
                Next::Stop
            };
        }
        let retryable = match error {
            Error::Transport(_) if not_sent => true,
            Error::Transport(_) => self.safe,
            Error::Api(api) => self.safe && (api.status >= 500 || api.status == 429),
            Error::V2(v2) => self.safe && v2.is_retryable(),
            _ => false,
        };
        if !retryable || self.retries >= self.policy.max_retries {
            return Next::Stop;
        }
        let delay = jitter(self.policy.backoff(self.retries));
        if elapsed.saturating_add(delay) >= self.policy.deadline {
            return Next::Stop;
        }
        self.retries += 1;
        Next::RetryAfter(delay)
    }
}

/// A delay drawn uniformly between half of `base` and `base` ("equal jitter"): concurrent
/// clients that failed together do not retry together.
fn jitter(base: Duration) -> Duration {
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; 4];
    let fraction = match SystemRandom::new().fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 1.0,
    };
    let half = base / 2;
    half + half.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(0), Duration::from_millis(100));
        assert_eq!(policy.backoff(1), Duration::from_millis(200));
        assert_eq!(policy.backoff(4), Duration::from_millis(1600));
        assert_eq!(policy.backoff(5), Duration::from_secs(2));
        assert_eq!(policy.backoff(100), Duration::from_secs(2));
        for _ in 0..100 {
            let delay = jitter(Duration::from_millis(100));
            assert!(delay >= Duration::from_millis(50) && delay <= Duration::from_millis(100));
        }
    }

    #[test]
    fn safe_operations() {
        assert!(safe_by_default(
            HttpMethod::Get,
            "/v3/pay/transactions/id/{transaction_id}"
        ));
        assert!(safe_by_default(
            HttpMethod::Post,
            "/v3/pay/transactions/out-trade-no/{out_trade_no}/close"
        ));
        assert!(!safe_by_default(
            HttpMethod::Post,
            "/v3/pay/transactions/jsapi"
        ));
        assert!(!safe_by_default(
            HttpMethod::Post,
            "/v3/refund/domestic/refunds"
        ));
        assert!(!safe_by_default(
            HttpMethod::Patch,
            "/v3/marketing/membercard-open/cards/{card_id}/codes/{code}"
        ));
    }

    fn api(status: u16) -> Error {
        Error::Api(Box::new(super::super::ApiError::from_response(
            status, None, b"{}",
        )))
    }

    #[test]
    fn unsafe_requests_are_not_retried_after_an_answer() {
        let policy = RetryPolicy::default();
        let mut attempts = Attempts::new(&policy, false, false);
        attempts.start(Duration::from_secs(1));
        assert_eq!(attempts.next(&api(500)), Next::Stop);
        let mut attempts = Attempts::new(&policy, true, false);
        attempts.start(Duration::from_secs(1));
        assert!(matches!(attempts.next(&api(503)), Next::RetryAfter(_)));
        assert!(matches!(attempts.next(&api(429)), Next::RetryAfter(_)));
        assert_eq!(attempts.next(&api(503)), Next::Stop, "two retries at most");
        let mut attempts = Attempts::new(&policy, true, false);
        assert_eq!(attempts.next(&api(400)), Next::Stop);
        let none = RetryPolicy::none();
        let mut attempts = Attempts::new(&none, true, false);
        assert_eq!(attempts.next(&api(503)), Next::Stop);
    }
}
