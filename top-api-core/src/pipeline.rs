//! The one road every call takes, single or batch, typed or not: the time bound, flow
//! control, tries and the pauses between them, the log records, and the redaction of what
//! comes back.

use std::time::{Duration, Instant};

use crate::{ApiError, Client, Error, Response};

/// What a successful exchange gives, as its log record names it.
pub(crate) trait Logged {
    /// The gateway's id of the call, when the answer has one.
    fn request_id(&self) -> Option<&str>;
}

impl<T> Logged for Response<T> {
    fn request_id(&self) -> Option<&str> {
        Response::request_id(self)
    }
}

/// One exchange as the pipeline runs it.
pub(crate) struct Job<'a> {
    /// What it is, for the log records: the method, or `batch`.
    pub(crate) what: &'a str,
    /// How many calls it counts for flow control: one, or a batch's calls.
    pub(crate) calls: u32,
    /// Whether it may be sent again after a fault that may have reached the service.
    pub(crate) idempotent: bool,
    /// The session it carries, to be kept out of errors.
    pub(crate) session: Option<&'a str>,
    /// The bound on the whole exchange, every try and pause included.
    pub(crate) timeout: Option<Duration>,
}

/// One try: when the call's time runs out, and the secrets it sends (to be kept out of
/// errors and logs): the session, and the signature once made.
pub(crate) struct Attempt<'a> {
    pub(crate) deadline: Option<Instant>,
    pub(crate) session: Option<&'a str>,
    pub(crate) sign: String,
}

impl Attempt<'_> {
    /// The time left now, for the transport: what building the request took is spent.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        left(self.deadline)
    }
}

/// The time left before `deadline`, now; `None` for no deadline.
fn left(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()))
}

impl Client {
    /// Runs `try_once` under the job's rules: it waits its turn under the rate limit
    /// (counting each call of a batch), gives each try the time left of the bound, tries
    /// again as the retry policy allows while time is left, redacts the secrets from every
    /// error, and logs each try: method, latency, request id, kind and codes, never the
    /// params, the session, the secret or the signature.
    pub(crate) fn run<T: Logged>(
        &self,
        job: &Job<'_>,
        mut try_once: impl FnMut(&mut Attempt<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let inner = &*self.inner;
        let started = Instant::now();
        let deadline = job.timeout.and_then(|timeout| started.checked_add(timeout));
        let mut tries = 1;
        loop {
            if let Some(limiter) = &inner.limiter {
                for _ in 0..job.calls.max(1) {
                    if !limiter.acquire_before(deadline) {
                        return Err(Client::timed_out(job.what));
                    }
                }
            }
            if left(deadline) == Some(Duration::ZERO) {
                return Err(Client::timed_out(job.what));
            }
            let mut attempt = Attempt { deadline, session: job.session, sign: String::new() };
            // The clock is read only for a record someone will see.
            let clock = (log::max_level() >= log::LevelFilter::Info).then(Instant::now);
            let result = try_once(&mut attempt);
            let millis = clock.map_or(0, |clock| clock.elapsed().as_millis());
            let err = match result {
                Ok(answer) => {
                    log::debug!(
                        target: "top_api",
                        "{} ok in {millis} ms, request_id {}, attempt {tries}",
                        job.what,
                        answer.request_id().unwrap_or("-")
                    );
                    return Ok(answer);
                }
                Err(err) => self.redact(err, job.session, &attempt.sign),
            };
            let api = err.api();
            let (code, sub_code, request_id) = (
                api.map_or(String::from("-"), |api| api.code().to_string()),
                api.and_then(ApiError::sub_code).unwrap_or("-"),
                api.and_then(ApiError::request_id).unwrap_or("-"),
            );
            let delay = inner.retry.delay(&err, tries, job.idempotent);
            // A pause that would outlast the bound is no retry.
            let delay = delay.filter(|delay| left(deadline).is_none_or(|left| *delay < left));
            let retrying = delay.map(|delay| format!("; retrying in {} ms", delay.as_millis()));
            log::info!(
                target: "top_api",
                "{} failed in {millis} ms, {:?}, code {code}, sub_code {sub_code}, request_id {request_id}, attempt {tries}{}",
                job.what,
                err.kind(),
                retrying.as_deref().unwrap_or("")
            );
            let Some(delay) = delay else { return Err(err) };
            std::thread::sleep(delay);
            tries += 1;
        }
    }
}
