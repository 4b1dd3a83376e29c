//! Retries that are safe: which failures are tried again, and after how long.

use std::time::Duration;

use crate::error::TransportErrorKind;
use crate::{Error, ErrorKind};

/// When a failed call is tried again.
///
/// Only failures that may pass are retried: flow control (after its ban, when the ban is
/// no longer than [`max_ban_wait`](Self::max_ban_wait)) and transient faults (`isp.*`,
/// timeouts, broken connections, HTTP 5xx, after an exponential backoff with jitter). A
/// transient fault is retried only for a call that is safe to repeat (an API declared or
/// known as a read, or one marked with [`CallOptions::idempotent`](crate::CallOptions::idempotent)),
/// or when the connection was never made, so that a write is never sent twice.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use top_api::RetryPolicy;
///
/// let policy = RetryPolicy::new(4).base_delay(Duration::from_millis(100)).max_ban_wait(Duration::from_secs(30));
/// let client = top_api::Client::builder("12345678", "secret").retry(policy).build()?;
/// # let _ = client;
/// # Ok::<(), top_api::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_ban_wait: Duration,
}

impl RetryPolicy {
    /// One attempt: no retries. The client's default.
    pub fn none() -> RetryPolicy {
        RetryPolicy::new(1)
    }

    /// Up to `attempts` tries in all (at least one); backoff from 100 ms doubling up to 5 s,
    /// bans waited out up to 10 s.
    pub fn new(attempts: u32) -> RetryPolicy {
        RetryPolicy {
            attempts: attempts.max(1),
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            max_ban_wait: Duration::from_secs(10),
        }
    }

    /// The first backoff, doubled after each further failure (default 100 ms).
    pub fn base_delay(mut self, delay: Duration) -> RetryPolicy {
        self.base_delay = delay;
        self
    }

    /// The longest backoff (default 5 s).
    pub fn max_delay(mut self, delay: Duration) -> RetryPolicy {
        self.max_delay = delay;
        self
    }

    /// The longest flow-control ban waited out; a longer ban fails the call (default 10 s).
    pub fn max_ban_wait(mut self, wait: Duration) -> RetryPolicy {
        self.max_ban_wait = wait;
        self
    }

    /// How long to wait before trying again after `attempt` tries (1 for the first) ended
    /// in `err`, or `None` to give up.
    pub(crate) fn delay(&self, err: &Error, attempt: u32, idempotent: bool) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        match err.kind() {
            // The gateway refused the call before the service saw it: safe for writes too.
            ErrorKind::Throttled => match err.ban_seconds() {
                Some(ban) => Some(Duration::from_secs(ban)).filter(|ban| *ban <= self.max_ban_wait),
                None => Some(self.backoff(attempt)),
            },
            ErrorKind::Transient => {
                let never_sent = matches!(err, Error::Transport(t) if t.kind() == TransportErrorKind::Connect);
                (idempotent || never_sent).then(|| self.backoff(attempt))
            }
            _ => None,
        }
    }

    /// Exponential backoff with "equal jitter": half the delay fixed, half random, so that
    /// clients that failed together do not retry together.
    fn backoff(&self, attempt: u32) -> Duration {
        let doubled = self.base_delay.saturating_mul(1u32 << (attempt - 1).min(16));
        let delay = doubled.min(self.max_delay);
        let half = delay / 2;
        half + half.mul_f64(crate::random::fraction())
    }
}

impl Default for RetryPolicy {
    /// Four tries in all, as the official auto-retry client (three more after the first).
    fn default() -> RetryPolicy {
        RetryPolicy::new(4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiError, TransportError};

    fn api(code: i64, sub: &str, sub_msg: &str) -> Error {
        Error::Api(ApiError::new(code, "x").with_sub(sub, sub_msg))
    }

    #[test]
    fn only_passing_failures_are_retried() {
        let policy = RetryPolicy::new(3).base_delay(Duration::from_millis(100));
        let isp = api(15, "isp.remote-service-timeout", "x");
        assert!(policy.delay(&isp, 1, true).is_some());
        assert!(policy.delay(&isp, 1, false).is_none(), "a write is not repeated after a server fault");
        assert!(policy.delay(&isp, 3, true).is_none(), "the attempts are bounded");
        assert!(policy.delay(&api(50, "isv.invalid-parameter", "x"), 1, true).is_none());
        assert!(policy.delay(&api(27, "invalid-sessionkey", "x"), 1, true).is_none());
        let refused = Error::Transport(TransportError::new(TransportErrorKind::Connect, "refused"));
        assert!(policy.delay(&refused, 1, false).is_some(), "a write that never left may go again");
        let broken = Error::Transport(TransportError::new(TransportErrorKind::Io, "reset"));
        assert!(policy.delay(&broken, 1, false).is_none(), "a write that may have arrived is not repeated");
    }

    #[test]
    fn bans_are_waited_out_up_to_the_cap() {
        let policy = RetryPolicy::new(3).max_ban_wait(Duration::from_secs(30));
        let ban = |n: u64| api(7, "accesscontrol.limited", &format!("This ban will last for {n} more seconds"));
        assert_eq!(policy.delay(&ban(12), 1, false), Some(Duration::from_secs(12)));
        assert_eq!(policy.delay(&ban(31), 1, true), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let policy = RetryPolicy::new(10).base_delay(Duration::from_millis(100)).max_delay(Duration::from_millis(350));
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200), "{second:?}");
            let capped = policy.backoff(9);
            assert!(capped >= Duration::from_millis(175) && capped <= Duration::from_millis(350), "{capped:?}");
        }
    }

    #[test]
    fn clients_that_failed_together_do_not_retry_together() {
        // The jitter spreads the pauses over the upper half of the delay.
        let policy = RetryPolicy::new(4).base_delay(Duration::from_millis(1000));
        let pauses: std::collections::HashSet<Duration> = (0..64).map(|_| policy.backoff(1)).collect();
        assert!(pauses.len() > 32, "{} distinct pauses in 64", pauses.len());
        let fractions: Vec<f64> = (0..64).map(|_| crate::random::fraction()).collect();
        assert!(fractions.iter().all(|f| (0.0..1.0).contains(f)), "{fractions:?}");
        assert!(fractions.iter().any(|f| *f < 0.5) && fractions.iter().any(|f| *f >= 0.5), "{fractions:?}");
    }
}
