//! Client-side flow control: a token bucket every clone of a client shares.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A token bucket: `rate` calls a second on average, `burst` at once. Shared by a
/// client's clones and safe across threads.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    rate: f64,
    burst: f64,
    bucket: Mutex<(f64, Instant)>,
}

impl RateLimiter {
    pub(crate) fn new(rate: f64, burst: u32) -> RateLimiter {
        let burst = f64::from(burst.max(1));
        RateLimiter { rate, burst, bucket: Mutex::new((burst, Instant::now())) }
    }

    /// Blocks until a call may go, and says so; or says it may not before `deadline`,
    /// without waiting for a turn it could not use.
    pub(crate) fn acquire_before(&self, deadline: Option<Instant>) -> bool {
        loop {
            let now = Instant::now();
            let Some(wait) = self.take(now) else { return true };
            // `take` only takes a token when there is one: giving up leaves the bucket as it was.
            if deadline.is_some_and(|deadline| now.checked_add(wait).is_none_or(|turn| turn > deadline)) {
                return false;
            }
            std::thread::sleep(wait);
        }
    }

    /// Blocks until `calls` calls (at least one) may go, each in its turn; false when one
    /// of them may not before `deadline`.
    pub(crate) fn acquire_calls_before(&self, calls: u32, deadline: Option<Instant>) -> bool {
        (0..calls.max(1)).all(|_| self.acquire_before(deadline))
    }

    /// Takes a token at `now`, or says how long until one is there.
    fn take(&self, now: Instant) -> Option<Duration> {
        let mut bucket = self.bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let (tokens, last) = &mut *bucket;
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * self.rate).min(self.burst);
        *last = now.max(*last);
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            None
        } else {
            // A rate so small that the wait overflows a Duration waits "forever".
            Some(Duration::try_from_secs_f64((1.0 - *tokens) / self.rate).unwrap_or(Duration::MAX))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_refills_at_the_rate_up_to_the_burst() {
        // 10 calls a second, 3 at once.
        let limiter = RateLimiter::new(10.0, 3);
        let start = *limiter.bucket.lock().unwrap();
        let at = |millis: u64| start.1 + Duration::from_millis(millis);
        // The burst goes at once; the fourth waits a tenth of a second.
        for _ in 0..3 {
            assert_eq!(limiter.take(at(0)), None);
        }
        let wait = limiter.take(at(0)).expect("the bucket is empty");
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-9, "{wait:?}");
        // Half of that later, half the wait is left; then a token is there.
        let wait = limiter.take(at(50)).expect("half a token");
        assert!((wait.as_secs_f64() - 0.05).abs() < 1e-9, "{wait:?}");
        assert_eq!(limiter.take(at(100)), None);
        assert!(limiter.take(at(100)).is_some(), "one token a tenth of a second");
        // A long pause refills to the burst and no further.
        for _ in 0..3 {
            assert_eq!(limiter.take(at(60_000)), None);
        }
        assert!(limiter.take(at(60_000)).is_some());
        // A clock read out of order neither adds tokens nor moves the bucket back.
        assert!(limiter.take(at(30_000)).is_some());
        let (tokens, last) = *limiter.bucket.lock().unwrap();
        assert_eq!(last, at(60_000));
        assert!(tokens < 1.0);
    }

    #[test]
    fn giving_up_before_the_deadline_leaves_the_bucket_as_it_was() {
        let limiter = RateLimiter::new(1.0, 1);
        assert!(limiter.acquire_before(None));
        // The next token is a second away: a deadline sooner than that is given up at once.
        let soon = Instant::now() + Duration::from_millis(10);
        assert!(!limiter.acquire_before(Some(soon)));
        let (tokens, _) = *limiter.bucket.lock().unwrap();
        assert!((0.0..0.1).contains(&tokens), "{tokens}");
    }

    #[test]
    fn the_bucket_grants_a_burst_then_the_rate() {
        let limiter = RateLimiter::new(10.0, 2);
        let start = *limiter.bucket.lock().unwrap();
        let t0 = start.1;
        assert_eq!(limiter.take(t0), None);
        assert_eq!(limiter.take(t0), None);
        let wait = limiter.take(t0).unwrap();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-9, "{wait:?}");
        assert_eq!(limiter.take(t0 + Duration::from_millis(100)), None);
        // A long pause refills no more than the burst.
        let later = t0 + Duration::from_secs(60);
        assert_eq!((limiter.take(later), limiter.take(later)), (None, None));
        assert!(limiter.take(later).is_some());
    }

    #[test]
    fn a_tiny_rate_waits_without_overflowing() {
        let limiter = RateLimiter::new(1e-300, 1);
        let now = Instant::now();
        assert_eq!(limiter.take(now), None);
        assert_eq!(limiter.take(now), Some(Duration::MAX));
    }
}
