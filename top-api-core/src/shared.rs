//! One app key, many processes: a rate limit and the platform's bans shared through Redis.
//!
//! The platform counts an app key's calls across every process that calls with it, and a
//! ban (code 7, "This ban will last for N more seconds") holds for the whole key. A client
//! given a [`SharedLimit`] ([`ClientBuilder::shared_limit`](crate::ClientBuilder::shared_limit))
//! takes its turn from Redis before each call: one script, run atomically by the server,
//! keeps a GCRA schedule per app key (and per method where one is set) and tells the
//! client how long to wait, one round trip a call. A ban a call meets is written to Redis
//! with its remaining time (a day at most); every client on the key then gets the
//! platform's refusal (code 7, with the time left) without sending, until it ends.
//!
//! When Redis cannot be reached or answers late, each wait is bounded by the limit's
//! [`timeout`](SharedLimit::timeout), then the client does as [`WhenDown`] says: limits
//! itself alone at the same rate with a warning (the default), or fails the call with
//! [`Error::SharedLimit`]. It asks Redis again a second later, and the shared limit holds
//! again once Redis answers. A ban met while Redis cannot be told holds the client that met
//! it, and is written, with the time it has left, once Redis answers.
//!
//! # Examples
//!
//! ```no_run
//! use top_api::shared::{SharedLimit, WhenDown};
//!
//! // Every worker on this app key: 40 calls a second in all, 5 at once.
//! let limit = SharedLimit::new("redis://127.0.0.1:6379/0", 40.0, 5).when_down(WhenDown::Local);
//! let client = top_api::Client::builder("12345678", "app-secret").shared_limit(limit).build()?;
//! # Ok::<(), top_api::Error>(())
//! ```

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::limiter::RateLimiter;
use crate::{ApiError, ConfigError, Error};

/// What a client does while Redis cannot be reached or answers late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WhenDown {
    /// Limits itself alone, at the shared rate, and logs a warning once per outage.
    #[default]
    Local,
    /// Fails each call with [`Error::SharedLimit`] without sending it.
    Fail,
}

/// A rate limit shared by every client that names the same Redis and key prefix.
#[derive(Debug, Clone)]
#[must_use]
pub struct SharedLimit {
    url: String,
    rate: f64,
    burst: u32,
    methods: Vec<(String, f64, u32)>,
    prefix: Option<String>,
    timeout: Duration,
    when_down: WhenDown,
}

impl SharedLimit {
    /// `per_second` calls a second on average for the whole app key, `burst` at once, kept
    /// in the Redis at `redis_url` (`redis://host:port/db`, with `user:password@` if it
    /// needs them).
    pub fn new(redis_url: impl Into<String>, per_second: f64, burst: u32) -> SharedLimit {
        SharedLimit {
            url: redis_url.into(),
            rate: per_second,
            burst,
            methods: Vec::new(),
            prefix: None,
            timeout: Duration::from_millis(250),
            when_down: WhenDown::Local,
        }
    }

    /// A limit of its own for `method` besides the app key's (the platform limits some APIs
    /// apart): a call of it waits for both.
    pub fn method(mut self, method: impl Into<String>, per_second: f64, burst: u32) -> Self {
        self.methods.push((method.into(), per_second, burst));
        self
    }

    /// The prefix of the Redis keys (default `top-api:{<app key>}`: the braces keep an app
    /// key's keys in one slot of a Redis cluster).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// How long connecting to Redis, and each exchange with it, may take (default 250 ms).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// What to do while Redis is down (default [`WhenDown::Local`]).
    pub fn when_down(mut self, when_down: WhenDown) -> Self {
        self.when_down = when_down;
        self
    }
}

/// A de-duplication window shared through Redis by every consumer of a message group
/// (feature `messages` too): a message whose business key any of them handled within the
/// window is confirmed without running the handler again
/// (`ConsumerBuilder::dedup_shared` of `top_api::messages`).
/// While Redis cannot be reached, a message is taken as not seen and handled (a message is
/// never lost for a de-duplication), with a warning.
#[derive(Clone)]
pub struct SharedDedup {
    pool: std::sync::Arc<Pool>,
    prefix: Option<String>,
}

impl fmt::Debug for SharedDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedDedup").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

impl SharedDedup {
    /// The window kept in the Redis at `redis_url`; each exchange with it bounded by 250 ms.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the URL is not a `redis://` one.
    pub fn new(redis_url: &str) -> Result<SharedDedup, Error> {
        Ok(SharedDedup { pool: std::sync::Arc::new(Pool::open(redis_url, Duration::from_millis(250))?), prefix: None })
    }

    /// The prefix of its keys (default `top-api:{<app key>}:seen:<group>`).
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// The prefix, given the consumer's app key and group.
    #[cfg_attr(not(feature = "messages"), allow(dead_code))]
    pub(crate) fn prefix_for(&self, app_key: &str, group: &str) -> String {
        self.prefix.clone().unwrap_or_else(|| format!("top-api:{{{app_key}}}:seen:{group}"))
    }

    /// Whether `key` was handled within its window; not known (Redis down) is `false`.
    #[cfg_attr(not(feature = "messages"), allow(dead_code))]
    pub(crate) fn seen(&self, key: &str) -> bool {
        match self.pool.with_connection(|connection| redis::cmd("EXISTS").arg(key).query::<bool>(connection)) {
            Ok(seen) => seen,
            Err(reason) => {
                log::warn!(target: "top_api", "the shared de-duplication's Redis is down ({reason}): the message is handled");
                false
            }
        }
    }

    /// Notes that `key` was handled, for `window`.
    #[cfg_attr(not(feature = "messages"), allow(dead_code))]
    pub(crate) fn remember(&self, key: &str, window: Duration) {
        if let Err(reason) = self.pool.mark(key, window) {
            log::warn!(target: "top_api", "a handled message could not be noted in Redis: {reason}");
        }
    }
}

/// The schedule and the ban, in one atomic step. KEYS[1] is the ban; KEYS[2..] the
/// schedules. ARGV[1] is how many calls; ARGV[2] the longest wait (µs) the caller can use;
/// then each schedule's interval and tolerance (µs). Answers {0, wait µs} with the turn
/// taken, {1, ban ms left}, or {2, wait µs} when the turn would come too late (not taken).
const SCRIPT: &str = r"
local ban = redis.call('PTTL', KEYS[1])
if ban > 0 then return {1, ban} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local calls = tonumber(ARGV[1])
local wait = 0
local tats = {}
for i = 2, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local tolerance = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  local at = tat + interval * (calls - 1) - tolerance - now
  if at > wait then wait = at end
  tats[i] = tat + interval * calls
end
if wait > tonumber(ARGV[2]) then return {2, math.floor(wait)} end
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], string.format('%.0f', tats[i]), 'PX', math.floor((tats[i] - now) / 1000) + 1000)
end
return {0, math.floor(wait)}
";

/// A ban met, written for every client: KEYS[1] set for ARGV[1] ms, unless a ban already
/// there lasts as long (a shorter ban met later never cuts a longer one short).
const BAN: &str = r"
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], 1, 'PX', ARGV[1])
end
return 0
";

/// How long a client waits before asking Redis again after it failed.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The longest ban shared: a day, the longest the platform gives (a day's quota spent).
const LONGEST_BAN_SECONDS: u64 = 86_400;

/// The longest wait a call with no bound of its own takes its turn for.
const LONGEST_WAIT: Duration = Duration::from_secs(3600);

/// One schedule: its key, the interval between calls and the tolerance of a burst (µs).
#[derive(Debug)]
struct Schedule {
    key: String,
    interval: u64,
    tolerance: u64,
}

impl Schedule {
    fn new(key: String, rate: f64, burst: u32) -> Schedule {
        // A rate checked positive and finite; a tiny one spaces calls by at most a year.
        let interval = (1e6 / rate).min(365.0 * 86400.0 * 1e6) as u64;
        Schedule { key, interval: interval.max(1), tolerance: interval * u64::from(burst.max(1) - 1) }
    }
}

/// A client's side of the shared limit.
pub(crate) struct SharedLimiter {
    pool: Pool,
    script: redis::Script,
    ban_script: redis::Script,
    ban_key: String,
    /// When a ban this client met and could not write ends: written once Redis answers.
    unwritten_ban: Mutex<Option<Instant>>,
    app: Schedule,
    methods: Vec<(String, Schedule)>,
    when_down: WhenDown,
    warned: AtomicBool,
    /// The limit while Redis is down, at the shared rate.
    local: RateLimiter,
}

impl fmt::Debug for SharedLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedLimiter").field("ban_key", &self.ban_key).finish_non_exhaustive()
    }
}

/// What Redis said of a call.
enum Turn {
    Go(Duration),
    Banned(Duration),
    TooLate,
}

impl SharedLimiter {
    pub(crate) fn new(limit: SharedLimit, app_key: &str) -> Result<SharedLimiter, ConfigError> {
        let rate_ok = |rate: f64| rate.is_finite() && rate > 0.0;
        if !rate_ok(limit.rate) || limit.methods.iter().any(|(_, rate, _)| !rate_ok(*rate)) {
            return Err(ConfigError::BadRateLimit);
        }
        let pool = Pool::open(&limit.url, limit.timeout)?;
        let prefix = limit.prefix.unwrap_or_else(|| format!("top-api:{{{app_key}}}"));
        Ok(SharedLimiter {
            pool,
            script: redis::Script::new(SCRIPT),
            ban_script: redis::Script::new(BAN),
            ban_key: format!("{prefix}:ban"),
            unwritten_ban: Mutex::default(),
            app: Schedule::new(format!("{prefix}:rate"), limit.rate, limit.burst),
            methods: limit
                .methods
                .into_iter()
                .map(|(method, rate, burst)| {
                    let schedule = Schedule::new(format!("{prefix}:rate:{method}"), rate, burst);
                    (method, schedule)
                })
                .collect(),
            when_down: limit.when_down,
            warned: AtomicBool::new(false),
            local: RateLimiter::new(limit.rate, limit.burst),
        })
    }

    /// Waits for the turn of `calls` calls of `method`, before `deadline`.
    ///
    /// # Errors
    ///
    /// A ban's refusal (code 7) while one holds (in Redis, or met by this client while Redis
    /// was down); `timed_out` when the turn comes after the deadline; [`Error::SharedLimit`]
    /// when Redis is down and the policy says fail.
    pub(crate) fn acquire(
        &self,
        method: &str,
        calls: u32,
        deadline: Option<Instant>,
        timed_out: impl Fn() -> Error,
    ) -> Result<(), Error> {
        let longest = deadline.map_or(LONGEST_WAIT, |deadline| deadline.saturating_duration_since(Instant::now()));
        match self.ask(method, calls, longest) {
            Ok(Turn::Go(wait)) => {
                std::thread::sleep(wait);
                Ok(())
            }
            Ok(Turn::Banned(left)) => Err(banned(left)),
            Ok(Turn::TooLate) => Err(timed_out()),
            Err(reason) => match (self.unwritten_ban_left(), self.when_down) {
                // A ban this client met, and Redis was not told of, holds it meanwhile.
                (Some(left), _) => Err(banned(left)),
                (None, WhenDown::Fail) => Err(Error::SharedLimit { reason }),
                (None, WhenDown::Local) => {
                    if !self.warned.swap(true, Ordering::Relaxed) {
                        log::warn!(target: "top_api", "the shared limit's Redis is down ({reason}): each client limits itself");
                    }
                    if self.local.acquire_calls_before(calls, deadline) {
                        Ok(())
                    } else {
                        Err(timed_out())
                    }
                }
            },
        }
    }

    /// Writes a ban of `seconds` a call met, for every client on the key. When Redis cannot
    /// be told now, the ban is kept and written, with the time it has left, as soon as Redis
    /// answers again; the call's own error stands either way.
    pub(crate) fn ban(&self, seconds: u64) {
        // The number is the network's: a ban longer than the longest the platform gives (to
        // the day's end) is held for a day, and cannot overflow the clock.
        let until = Instant::now() + Duration::from_secs(seconds.min(LONGEST_BAN_SECONDS));
        if let Err(reason) = self.write_ban(until) {
            log::warn!(target: "top_api", "the ban could not be shared through Redis yet ({reason}): it will be once Redis answers");
            let mut unwritten = self.unwritten_ban.lock().unwrap_or_else(PoisonError::into_inner);
            *unwritten = (*unwritten).max(Some(until));
        }
    }

    /// Sets the ban's key to last until `until` (nothing when it has passed).
    fn write_ban(&self, until: Instant) -> Result<(), String> {
        let left = until.saturating_duration_since(Instant::now());
        let millis = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
        if millis == 0 {
            return Ok(());
        }
        let mut invocation = self.ban_script.key(&self.ban_key);
        invocation.arg(millis);
        self.pool.with_connection(|connection| invocation.invoke::<i64>(connection)).map(drop)
    }

    /// The time left of the ban kept while Redis could not be told, if it still runs.
    fn unwritten_ban_left(&self) -> Option<Duration> {
        let kept = *self.unwritten_ban.lock().unwrap_or_else(PoisonError::into_inner);
        kept.map(|until| until.saturating_duration_since(Instant::now())).filter(|left| !left.is_zero())
    }

    /// Writes the ban kept while Redis could not be told, if there is one.
    fn write_unwritten_ban(&self) -> Result<(), String> {
        let kept = *self.unwritten_ban.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(until) = kept else { return Ok(()) };
        self.write_ban(until)?;
        let mut unwritten = self.unwritten_ban.lock().unwrap_or_else(PoisonError::into_inner);
        // A later ban kept meanwhile stays to be written.
        if *unwritten == kept {
            *unwritten = None;
        }
        Ok(())
    }

    /// Asks Redis for the turn (after writing a ban kept while it could not be told),
    /// unless it failed less than a second ago.
    fn ask(&self, method: &str, calls: u32, longest: Duration) -> Result<Turn, String> {
        self.write_unwritten_ban()?;
        let mut invocation = self.script.key(&self.ban_key);
        let longest_us = u64::try_from(longest.as_micros()).unwrap_or(u64::MAX);
        invocation.arg(calls.max(1)).arg(longest_us);
        invocation.key(&self.app.key).arg(self.app.interval).arg(self.app.tolerance);
        for (name, schedule) in &self.methods {
            if name == method {
                invocation.key(&schedule.key).arg(schedule.interval).arg(schedule.tolerance);
            }
        }
        let (kind, amount): (i64, i64) = self.pool.with_connection(|connection| invocation.invoke(connection))?;
        if self.warned.swap(false, Ordering::Relaxed) {
            log::info!(target: "top_api", "the shared limit's Redis answers again");
        }
        let amount = u64::try_from(amount).unwrap_or(0);
        Ok(match kind {
            0 => Turn::Go(Duration::from_micros(amount)),
            1 => Turn::Banned(Duration::from_millis(amount)),
            _ => Turn::TooLate,
        })
    }
}

/// The platform's refusal of a call while a ban met by a client on the app key has `left`
/// to run.
fn banned(left: Duration) -> Error {
    let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    Error::Api(ApiError::new(7, "App Call Limited").with_sub(
        "accesscontrol.limited-by-app-access-count",
        format!(
            "This ban will last for {seconds} more seconds (met by a client on this app key, shared through Redis)"
        ),
    ))
}

/// Connections to one Redis: each wait bounded by the timeout; after a failure, Redis is
/// left alone for a second and the connections it had are dropped.
struct Pool {
    redis: redis::Client,
    timeout: Duration,
    /// Open connections not in use.
    idle: Mutex<Vec<redis::Connection>>,
    /// Until when Redis is not asked, after a failure.
    down_until: Mutex<Option<Instant>>,
}

impl Pool {
    fn open(url: &str, timeout: Duration) -> Result<Pool, ConfigError> {
        let redis = redis::Client::open(url).map_err(|_| ConfigError::BadUrl {
            what: "Redis",
            url: crate::builder::without_credentials(url),
            reason: "it is not a redis:// URL",
        })?;
        Ok(Pool {
            redis,
            timeout: timeout.max(Duration::from_millis(1)),
            idle: Mutex::default(),
            down_until: Mutex::default(),
        })
    }

    /// Runs `exchange` on an idle connection or a new one, every wait bounded by the
    /// timeout; a connection that failed is dropped, and Redis is left alone for a second.
    fn with_connection<T>(
        &self,
        exchange: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, String> {
        {
            let mut down = self.down_until.lock().unwrap_or_else(PoisonError::into_inner);
            match *down {
                Some(until) if Instant::now() < until => return Err("Redis failed less than a second ago".to_owned()),
                Some(_) => *down = None,
                None => {}
            }
        }
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let outcome = match idle {
            Some(connection) => Ok(connection),
            None => self.connect(),
        }
        .and_then(|mut connection| exchange(&mut connection).map(|value| (value, connection)));
        match outcome {
            Ok((value, connection)) => {
                self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(connection);
                Ok(value)
            }
            Err(err) => {
                *self.down_until.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + RETRY_AFTER);
                // The others are likely as stale (a Redis restarted): connect anew next time.
                self.idle.lock().unwrap_or_else(PoisonError::into_inner).clear();
                Err(err.to_string())
            }
        }
    }

    /// Sets `key` for `lasting` (at least a millisecond): a message handled.
    fn mark(&self, key: &str, lasting: Duration) -> Result<(), String> {
        let millis = u64::try_from(lasting.as_millis()).unwrap_or(u64::MAX).max(1);
        self.with_connection(|connection| {
            redis::cmd("SET").arg(key).arg(1).arg("PX").arg(millis).query::<()>(connection)
        })
    }

    fn connect(&self) -> redis::RedisResult<redis::Connection> {
        let connection = self.redis.get_connection_with_timeout(self.timeout)?;
        connection.set_read_timeout(Some(self.timeout))?;
        connection.set_write_timeout(Some(self.timeout))?;
        Ok(connection)
    }
}
