//! A call's road, top to bottom: what happens to every call, single or batch, typed or
//! not, between the client's public method and the decoded answer.
//!
//! 1. **Before anything is sent**: the API's own params are written and checked once
//!    ([`execute`]); an API that needs a session refuses a blank one.
//! 2. **The run** ([`run`]): the bound on the whole call; for each try, the turn under the
//!    rate limit (each call of a batch counted), the time left, the try itself; then the
//!    retry policy's pause, if time is left for it. Every error is redacted of the
//!    secrets ([`redact`]) and every try logged: method, latency, request id, kind and
//!    codes, never the params, the session, the secret or the signature.
//! 3. **A try** ([`exchange`], or the batch's in [`send_batch`]): the system params
//!    ([`system_params`]), then the API's own; the signature; the body (form, multipart or
//!    a batch's); the send through the transport ([`send`]), which gets stand-ins for the
//!    session and signature; the status check.
//! 4. **The hand-off**: the body to the envelope decoder, as the client's format and
//!    shape say ([`decode`]).

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime};

use crate::batch::{self, SEPARATOR_HEADER};
use crate::client::Inner;
use crate::error::{body_prefix, redact as redact_text};
use crate::request::Request;
use crate::transport::HttpRequest;
use crate::wire::Method;
use crate::{envelope, sign, wire, ApiError, CallOptions, Client, DateTime, DecodeError, Error, Format, Params};
use crate::{CheckError, Response, SessionNeed, TransportError, TransportErrorKind, Violation};

/// What a successful run gives, as its log record names it.
pub(crate) trait Logged {
    /// The gateway's id of the call, when the answer has one.
    fn request_id(&self) -> Option<&str>;
}

impl<T> Logged for Response<T> {
    fn request_id(&self) -> Option<&str> {
        Response::request_id(self)
    }
}

/// One exchange as the run makes it.
pub(crate) struct Job<'a> {
    /// What it is, for the log records: the method, or `batch`.
    what: &'a str,
    /// How many calls it counts for flow control: one, or a batch's calls.
    calls: u32,
    /// Whether it may be sent again after a fault that may have reached the service.
    idempotent: bool,
    /// The session it carries, to be kept out of errors.
    session: Option<&'a str>,
    /// The bound on the whole exchange, every try and pause included.
    timeout: Option<Duration>,
}

impl<'a> Job<'a> {
    pub(crate) fn new(
        client: &Client,
        what: &'a str,
        calls: u32,
        idempotent: bool,
        session: Option<&'a str>,
        options: &CallOptions,
    ) -> Job<'a> {
        let timeout = options.timeout.map_or(client.inner.timeout, crate::builder::bound);
        Job { what, calls, idempotent, session, timeout }
    }
}

/// One try: when the call's time runs out, and the secrets it sends (to be kept out of
/// errors and logs): the session, and the signature once made.
pub(crate) struct Attempt<'a> {
    deadline: Option<Instant>,
    /// The time left, known without reading the clock: `Some` on a first try that waited
    /// for nothing, whose time left is the whole bound (what passed since the bound began
    /// is the call's building and signing, microseconds).
    whole: Option<Option<Duration>>,
    session: Option<&'a str>,
    sign: String,
}

/// The time left before `deadline`, now; `None` for no deadline.
fn left(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()))
}

/// A typed call: its params written and checked before anything is sent, then the run.
pub(crate) fn execute<R: Request>(
    client: &Client,
    request: &R,
    session: Option<&str>,
    options: &CallOptions,
) -> Result<Response<R::Response>, Error> {
    if R::SESSION == SessionNeed::Required && session.is_none() {
        return Err(Error::MissingSession { method: R::METHOD });
    }
    let mut own = crate::scratch::params();
    let answer = execute_with(client, request, session, options, &mut own);
    crate::scratch::give_back_params(own);
    answer
}

/// [`execute`], writing the API's params into `own`.
fn execute_with<R: Request>(
    client: &Client,
    request: &R,
    session: Option<&str>,
    options: &CallOptions,
    own: &mut Params,
) -> Result<Response<R::Response>, Error> {
    request.write_params(own)?;
    no_clash(own, options)?;
    let idempotent = options.idempotent.unwrap_or(R::IDEMPOTENT);
    let job = Job::new(client, R::METHOD, 1, idempotent, session, options);
    if R::QIMEN {
        let body = own.take(top_api_rules::QIMEN_BODY_PARAM).unwrap_or_default();
        return run(client, &job, |attempt| {
            let answer = exchange_qimen(client, R::METHOD, own, &body, options, attempt)?;
            decode::<R::Response>(client, &answer, Method::of::<R>(), Some(Qimen), attempt.session, &attempt.sign)
        });
    }
    // In the order they are signed in: merged with the system params, not sorted, by each try.
    own.sort_by_name();
    run(client, &job, |attempt| {
        let method = Method::of::<R>();
        let body = exchange(client, method, (&*own, true), options, attempt)?;
        decode::<R::Response>(client, &body, method, None, attempt.session, &attempt.sign)
    })
}

/// The mark of a Qimen call, where the road differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Qimen;

/// An API whose own param is named like a system param a call option sends
/// (`target_app_key`) takes it as its param: the option may not send the client's too.
fn no_clash(own: &Params, options: &CallOptions) -> Result<(), Error> {
    if options.target_app_key.is_some() && own.contains("target_app_key") {
        let problem = "is this API's own param: the call option `target_app_key` cannot send another value of it";
        return Err(CheckError::new("target_app_key", &Violation::Invalid(problem.to_owned())).into());
    }
    Ok(())
}

/// A call by name, answering the payload as JSON. Nothing declares whether such an API
/// reads: it is taken for a write unless the options say otherwise.
pub(crate) fn call(
    client: &Client,
    method: &str,
    own: &Params,
    session: Option<&str>,
    options: &CallOptions,
) -> Result<Response<serde_json::Value>, Error> {
    no_clash(own, options)?;
    let job = Job::new(client, method, 1, options.idempotent.unwrap_or(false), session, options);
    let (own, method) = ((own, own.is_sorted_by_name()), Method::named(method));
    run(client, &job, |attempt| {
        let body = exchange(client, method, own, options, attempt)?;
        decode(client, &body, method, None, attempt.session, &attempt.sign)
    })
}

/// A call by name, answering the body as it came once the status is 200.
pub(crate) fn call_raw(
    client: &Client,
    method: &str,
    own: &Params,
    session: Option<&str>,
    options: &CallOptions,
) -> Result<String, Error> {
    no_clash(own, options)?;
    let job = Job::new(client, method, 1, options.idempotent.unwrap_or(false), session, options);
    let (own, method) = ((own, own.is_sorted_by_name()), Method::named(method));
    run(client, &job, |attempt| {
        let body = exchange(client, method, own, options, attempt)?;
        Ok(Response::new(String::from_utf8_lossy(&body).into_owned(), None))
    })
    .map(Response::into_inner)
}

/// A Qimen call by name: `own` in the query with the system params, `body` as it is; the
/// answer as it came once its flag said `success`.
pub(crate) fn call_qimen(
    client: &Client,
    method: &str,
    own: &Params,
    body: &str,
    options: &CallOptions,
) -> Result<String, Error> {
    no_clash(own, options)?;
    let job = Job::new(client, method, 1, options.idempotent.unwrap_or(false), None, options);
    run(client, &job, |attempt| {
        let answer = exchange_qimen(client, method, own, body, options, attempt)?;
        let status =
            decode::<serde::de::IgnoredAny>(client, &answer, Method::named(method), Some(Qimen), None, &attempt.sign)?;
        Ok(Response::new(String::from_utf8_lossy(&answer).into_owned(), status.request_id().map(str::to_owned)))
    })
    .map(Response::into_inner)
}

/// The params a call of `request` would send now, `sign` last; nothing is sent.
pub(crate) fn wire_params<R: Request>(client: &Client, request: &R, session: Option<&str>) -> Result<Params, Error> {
    let options = CallOptions::default();
    let mut params = system_params(client, Some(R::METHOD), session, &options, R::QIMEN.then_some(Qimen));
    request.write_params(&mut params)?;
    let (secret, key) = (&client.inner.secret.0, &client.inner.key);
    let sign = if R::QIMEN {
        // The query's params signed with the XML body appended; the body goes back as the
        // param it came from, after them.
        let body = params.take(top_api_rules::QIMEN_BODY_PARAM).unwrap_or_default();
        let sign = sign::sign_with(params.iter(), &body, secret, key);
        params.push(top_api_rules::QIMEN_BODY_PARAM, body);
        sign
    } else {
        sign::sign_with(params.iter(), "", secret, key)
    };
    params.push("sign", sign);
    Ok(params)
}

/// What a batch sends: its body, and what the run needs to know of it.
pub(crate) struct BatchCall<'a> {
    pub(crate) body: &'a str,
    pub(crate) calls: usize,
    pub(crate) idempotent: bool,
    pub(crate) session: Option<&'a str>,
    pub(crate) separator: &'a str,
    pub(crate) options: &'a CallOptions,
}

/// The pieces of a batch's answer, one per call, and the signature to keep out of their
/// errors.
pub(crate) struct BatchPieces {
    pub(crate) pieces: Vec<Vec<u8>>,
    pub(crate) sign: String,
}

impl Logged for BatchPieces {
    fn request_id(&self) -> Option<&str> {
        None
    }
}

/// A batch: `POST /router/batch` with the system params (no `method`) and the signature in
/// the query, the signature covering the sorted system params and then the whole body; the
/// answer split on the separator into one piece per call.
pub(crate) fn send_batch(client: &Client, batch: &BatchCall<'_>) -> Result<BatchPieces, Error> {
    let announced = batch.separator != batch::DEFAULT_SEPARATOR;
    let headers = if announced { vec![(SEPARATOR_HEADER.to_owned(), batch.separator.to_owned())] } else { Vec::new() };
    let calls = u32::try_from(batch.calls).unwrap_or(u32::MAX);
    let job = Job::new(client, "batch", calls, batch.idempotent, batch.session, batch.options);
    run(client, &job, |attempt| {
        let inner = &*client.inner;
        let system = system_params(client, None, None, batch.options, None);
        let sign = sign::sign_with(system.iter(), batch.body, &inner.secret.0, &inner.key);
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(system.iter());
        query.append_pair("sign", &sign);
        let url = format!("{}?{}", inner.batch_gateway, query.finish());
        attempt.sign.clone_from(&sign);
        let answer = send(client, &url, "text/plain;charset=UTF-8", batch.body.as_bytes(), &headers, attempt)?;

        let pieces = batch::split(&answer, batch.separator.as_bytes());
        if pieces.len() != batch.calls {
            // A single piece for several calls is the gateway's refusal of the whole batch.
            if pieces.len() == 1 {
                let whole = envelope::decode_as::<serde_json::Value>(
                    pieces[0],
                    inner.format,
                    Method::named(""),
                    envelope::Shape::Wrapped,
                    false,
                );
                if let Err(err @ (Error::Api(_) | Error::NotAnAnswer { .. })) = whole {
                    return Err(err);
                }
            }
            let message = format!("the batch answered {} pieces for {} calls", pieces.len(), batch.calls);
            return Err(Error::Decode(DecodeError::new(inner.format, None, message, &answer)));
        }
        Ok(BatchPieces { pieces: pieces.into_iter().map(<[u8]>::to_vec).collect(), sign })
    })
}

/// One call's piece of a batch's answer, decoded as `R`'s answer, with the batch's secrets
/// kept out of its error.
pub(crate) fn decode_piece<R: Request>(
    client: &Client,
    piece: &[u8],
    session: Option<&str>,
    sign: &str,
) -> Result<Response<R::Response>, Error> {
    decode::<R::Response>(client, piece, Method::of::<R>(), None, session, sign)
        .map_err(|err| redact(client, err, session, sign))
}

/// Runs `try_once` under the job's rules: it waits its turn under the rate limit
/// (counting each call of a batch), gives each try the time left of the bound, tries
/// again as the retry policy allows while time is left, redacts the secrets from every
/// error, and logs each try.
fn run<T: Logged>(
    client: &Client,
    job: &Job<'_>,
    mut try_once: impl FnMut(&mut Attempt<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let inner = &*client.inner;
    // The clock is read for a bound only (a client has none unless it sets one).
    let deadline = job.timeout.and_then(|timeout| Instant::now().checked_add(timeout));
    let mut tries = 1;
    loop {
        // The turn from the limit shared through Redis: a ban it holds is this try's
        // refusal, as the platform's own would be, and goes through the same retry rule.
        #[cfg(feature = "redis")]
        let held = match &inner.shared {
            Some(shared) => match shared.acquire(job.what, job.calls, deadline, || timed_out(job.what)) {
                Ok(()) => None,
                Err(ban) if ban.is_throttled() => Some(ban),
                Err(err) => return Err(err),
            },
            None => None,
        };
        #[cfg(not(feature = "redis"))]
        let held: Option<Error> = None;
        let sent = held.is_none();
        if let (Some(limiter), true) = (&inner.limiter, sent) {
            if !limiter.acquire_calls_before(job.calls, deadline) {
                return Err(timed_out(job.what));
            }
        }
        // Time passes before a try only in a pause or a wait for a turn: a first try without
        // a limit has its whole bound (but a bound of nothing), and the clock is not read.
        let may_have_waited = tries > 1 || inner.limiter.is_some() || job.timeout == Some(Duration::ZERO);
        #[cfg(feature = "redis")]
        let may_have_waited = may_have_waited || inner.shared.is_some();
        if may_have_waited && left(deadline) == Some(Duration::ZERO) {
            return Err(timed_out(job.what));
        }
        let whole = (!may_have_waited).then_some(job.timeout.filter(|_| deadline.is_some()));
        let mut attempt = Attempt { deadline, whole, session: job.session, sign: String::new() };
        // The clock is read only for a record someone will see.
        let clock = (log::max_level() >= log::LevelFilter::Info).then(Instant::now);
        let result = match held {
            Some(ban) => Err(ban),
            None => try_once(&mut attempt),
        };
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
            Err(err) => err,
        };
        let delay = failed(client, job, err, &attempt.sign, Failed { tries, deadline, sent, millis })?;
        std::thread::sleep(delay);
        tries += 1;
    }
}

/// How a try of [`run`] went, as its failure is looked at.
struct Failed {
    tries: u32,
    deadline: Option<Instant>,
    /// Whether the try was sent (not refused by a ban the shared limit holds).
    sent: bool,
    millis: u128,
}

/// A failed try of [`run`]: the error with its secrets redacted, the ban it holds shared,
/// the try logged; the pause before the next try, or the error when there is none. Out of
/// line: a call that succeeds runs none of it, and its code lies closer together without.
#[cold]
#[inline(never)]
fn failed(client: &Client, job: &Job<'_>, err: Error, sign: &str, how: Failed) -> Result<Duration, Error> {
    let Failed { tries, deadline, sent, millis } = how;
    let inner = &*client.inner;
    let err = redact(client, err, job.session, sign);
    // A ban the platform sent holds for every client on the app key.
    #[cfg(feature = "redis")]
    if let (Some(shared), Some(seconds), true) = (&inner.shared, err.api().and_then(ApiError::ban_seconds), sent) {
        if err.is_throttled() {
            shared.ban(seconds);
        }
    }
    #[cfg(not(feature = "redis"))]
    let _ = sent;
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
    delay.ok_or(err)
}

/// The system params of a try (`method` left out for a batch), borrowed from the client,
/// the call and its timestamp: in byte order of their names, the order they are signed in.
/// A Qimen call's are in XML, whatever the client's format. A blank value is neither sent
/// nor signed, as in [`Params`]. Those that every call of a client sends alike are
/// form-encoded once, when it is built ([`constant_form`]); the others are marked as
/// varying.
struct System<'a> {
    pairs: [(&'static str, &'a str, Varying); System::MOST],
    len: usize,
    /// The timestamp as a form carries it: see [`Varying::Encoded`].
    form_timestamp: &'a str,
}

/// Whether a system param's value changes from call to call of one client.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Varying {
    Yes,
    /// It does, and a form carries it as `System::form_timestamp` (the timestamp's, written
    /// once a second).
    Encoded,
    /// It does, and a form carries it as it is (a typed API's method, see [`Method::of`]).
    Plain,
    No,
}

/// A call's timestamp, as it is signed and as a form carries it: written once a second on
/// each thread, and shared by that second's calls (a count, not a copy: the text is not
/// checked again each time it is read).
#[derive(Clone)]
struct Timestamp(Rc<TimestampText>);

struct TimestampText {
    text: String,
    form: String,
}

impl Timestamp {
    fn of(time: DateTime) -> Timestamp {
        let text = time.stamp().as_str().to_owned();
        let mut form = Vec::with_capacity(32);
        wire::form_encode(&mut form, &text);
        // Form-encoded text is ASCII.
        let form = String::from_utf8(form).unwrap_or_default();
        Timestamp(Rc::new(TimestampText { text, form }))
    }

    /// The timestamp at `now`, written once a second on each thread: calls come many a
    /// second, and the same second is the same text.
    fn at(now: SystemTime) -> Timestamp {
        thread_local! {
            /// The last second written: from its start, up to the next's, and its text.
            static LAST: RefCell<Option<(SystemTime, SystemTime, Timestamp)>> = const { RefCell::new(None) };
        }
        LAST.with(|last| {
            let Ok(mut last) = last.try_borrow_mut() else { return Timestamp::of(DateTime::from(now)) };
            match &*last {
                // Two comparisons: cheaper than the seconds since the epoch worked out anew.
                Some((from, to, timestamp)) if *from <= now && now < *to => timestamp.clone(),
                _ => {
                    let timestamp = Timestamp::of(DateTime::from(now));
                    // Kept for a clock after the epoch whose second's end a `SystemTime` holds.
                    let second = now.duration_since(SystemTime::UNIX_EPOCH).ok().and_then(|since| {
                        let from = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(since.as_secs()))?;
                        Some((from, from.checked_add(Duration::from_secs(1))?))
                    });
                    *last = second.map(|(from, to)| (from, to, timestamp.clone()));
                    timestamp
                }
            }
        })
    }

    fn text(&self) -> &str {
        &self.0.text
    }

    fn form(&self) -> &str {
        &self.0.form
    }
}

impl<'a> System<'a> {
    /// As many as a call sends.
    const MOST: usize = 10;

    /// None yet: see [`System::fill`].
    fn empty() -> System<'a> {
        System { pairs: [("", "", Varying::No); System::MOST], len: 0, form_timestamp: "" }
    }

    /// Writes the system params of a try in place (they would otherwise be copied whole out
    /// of a constructor): those of `inner`'s client, the call's `method` (none for a batch),
    /// its `timestamp`, `session` and options; in XML for a Qimen call.
    fn fill(
        &mut self,
        inner: &'a Inner,
        method: Option<Method<'a>>,
        timestamp: Option<&'a Timestamp>,
        session: Option<&'a str>,
        options: &'a CallOptions,
        qimen: Option<Qimen>,
    ) {
        use Varying::{Encoded, No, Plain, Yes};
        let format = if qimen.is_some() { Format::Xml } else { inner.format };
        let system = self;
        system.push("app_key", &inner.app_key, No);
        system.push("format", format.as_str(), No);
        if let Some(method) = method {
            system.push("method", method.name, if method.plain { Plain } else { Yes });
        }
        system.push("partner_id", &inner.partner_id, No);
        if let Some(session) = session {
            system.push("session", session, Yes);
        }
        system.push("sign_method", inner.sign_method.as_str(), No);
        if inner.simplify && format == Format::Json {
            system.push("simplify", "true", No);
        }
        if let Some(target) = &options.target_app_key {
            system.push("target_app_key", target, Yes);
        }
        if let Some(timestamp) = timestamp {
            system.form_timestamp = timestamp.form();
            system.push("timestamp", timestamp.text(), Encoded);
        }
        system.push("v", "2.0", No);
    }

    #[inline]
    fn push(&mut self, name: &'static str, value: &'a str, varying: Varying) {
        debug_assert!(self.len == 0 || self.pairs[self.len - 1].0 < name, "system params in byte order");
        if !crate::params::is_blank(value) {
            self.pairs[self.len] = (name, value, varying);
            self.len += 1;
        }
    }

    /// Every system param, in byte order of the names.
    fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.pairs[..self.len].iter().map(|&(name, value, _)| (name, value))
    }

    /// The system params whose values vary from call to call, each with whether it is
    /// form-encoded already.
    fn varying(&self) -> impl Iterator<Item = (&'static str, &'a str, bool)> + '_ {
        self.pairs[..self.len].iter().filter_map(|&(name, value, varying)| match varying {
            Varying::Yes => Some((name, value, false)),
            Varying::Encoded => Some((name, self.form_timestamp, true)),
            Varying::Plain => Some((name, value, true)),
            Varying::No => None,
        })
    }

    /// The same as a list, for what is built from one (a batch's query, a Qimen call's,
    /// [`wire_params`]).
    fn to_params(&self) -> Params {
        let mut params = Params::with_capacity(16);
        for &(name, value, _) in &self.pairs[..self.len] {
            params.push(name, value);
        }
        params
    }
}

/// The system params that every call of a client sends alike (its app key, format, sign
/// method…), form-encoded as a form body carries them, each after a `&`: a call's body
/// copies them whole.
pub(crate) fn constant_form(inner: &Inner) -> Vec<u8> {
    let options = CallOptions::default();
    let mut system = System::empty();
    system.fill(inner, None, None, None, &options, None);
    let mut form = Vec::new();
    for &(name, value, varying) in &system.pairs[..system.len] {
        if varying == Varying::No {
            wire::form_pair(&mut form, name, value);
        }
    }
    form
}

/// The system params as a list: see [`System`].
fn system_params(
    client: &Client,
    method: Option<&str>,
    session: Option<&str>,
    options: &CallOptions,
    qimen: Option<Qimen>,
) -> Params {
    let timestamp = Timestamp::at((client.inner.clock)());
    let mut system = System::empty();
    system.fill(&client.inner, method.map(Method::named), Some(&timestamp), session, options, qimen);
    system.to_params()
}

/// Signs and sends one call: the system params, then the API's own (with whether they are
/// in byte order of their names, told once for every try); the signature is kept in
/// `attempt` for the redaction of what comes back.
fn exchange(
    client: &Client,
    method: Method<'_>,
    (own, sorted): (&Params, bool),
    options: &CallOptions,
    attempt: &mut Attempt<'_>,
) -> Result<Vec<u8>, Error> {
    let inner = &*client.inner;
    let timestamp = Timestamp::at((inner.clock)());
    let mut system = System::empty();
    system.fill(inner, Some(method), Some(&timestamp), attempt.session, options, None);
    // The system params are in byte order of their names; the API's own, sorted once by a
    // typed call, are merged with them as they are signed.
    debug_assert_eq!(sorted, own.is_sorted_by_name());
    let sign = if sorted {
        sign::sign_runs(system.iter(), own.iter(), &inner.secret.0, &inner.key)
    } else {
        sign::sign_with(system.iter().chain(own.iter()), "", &inner.secret.0, &inner.key)
    };
    if own.files().len() > 0 {
        let (content_type, body) = wire::multipart(system.iter().chain(own.iter()), own.files(), &sign);
        attempt.sign = sign;
        return send(client, &inner.gateway, &content_type, &body, &[], attempt);
    }
    // The secrets first: the signature, then the session among the varying params.
    let mut body = crate::scratch::bytes();
    wire::form(&mut body, &sign, system.varying(), &inner.form_constant, own.iter());
    attempt.sign = sign;
    let answer = send(client, &inner.gateway, wire::FORM_CONTENT_TYPE, &body, &[], attempt);
    crate::scratch::give_back(body);
    answer
}

/// Signs and sends one Qimen call: the system params and the API's own (`customerId`) in
/// the query string, signed with the XML body appended; the body as it is.
fn exchange_qimen(
    client: &Client,
    method: &str,
    own: &Params,
    body: &str,
    options: &CallOptions,
    attempt: &mut Attempt<'_>,
) -> Result<Vec<u8>, Error> {
    let inner = &*client.inner;
    let mut params = system_params(client, Some(method), attempt.session, options, Some(Qimen));
    params.extend(own);
    let sign = sign::sign_with(params.iter(), body, &inner.secret.0, &inner.key);
    let mut query = form_urlencoded::Serializer::new(String::with_capacity(256));
    query.extend_pairs(params.iter());
    query.append_pair("sign", &sign);
    let url = format!("{}?{}", inner.qimen_gateway, query.finish());
    attempt.sign = sign;
    send(client, &url, crate::qimen_router::CONTENT_TYPE, body.as_bytes(), &[], attempt)
}

/// Sends a body through the transport and checks the status. The transport gets the
/// session and signature as secrets to hand the HTTP stack stand-ins for.
fn send(
    client: &Client,
    url: &str,
    content_type: &str,
    body: &[u8],
    extra_headers: &[(String, String)],
    attempt: &Attempt<'_>,
) -> Result<Vec<u8>, Error> {
    let inner = &*client.inner;
    let headers = if extra_headers.is_empty() {
        Cow::Borrowed(inner.headers.as_slice())
    } else {
        Cow::Owned([inner.headers.as_slice(), extra_headers].concat())
    };
    let timeout = attempt.whole.unwrap_or_else(|| left(attempt.deadline));
    if timeout == Some(Duration::ZERO) {
        return Err(timed_out("the call"));
    }
    // On the stack: this runs on every call.
    let both;
    let sign = [attempt.sign.as_str()];
    let secrets: &[&str] = match attempt.session {
        Some(session) => {
            both = [session, attempt.sign.as_str()];
            &both
        }
        None => &sign,
    };
    let http = HttpRequest { url, content_type, body, headers: &headers, timeout, secrets };
    let answer = inner.transport.send(&http).map_err(Error::Transport)?;
    if answer.status != 200 {
        return Err(Error::Status { status: answer.status, body: body_prefix(&answer.body) });
    }
    Ok(answer.body)
}

/// The answer's body handed to the envelope decoder, in the client's format and shape (a
/// Qimen call's to the Qimen one); its drift, if any, kept clear of the secrets and logged
/// once per place.
fn decode<T: serde::de::DeserializeOwned>(
    client: &Client,
    body: &[u8],
    method: Method<'_>,
    qimen: Option<Qimen>,
    session: Option<&str>,
    sign: &str,
) -> Result<Response<T>, Error> {
    let inner = &*client.inner;
    // A simplified answer is asked for in JSON only.
    let shape = if inner.simplify && inner.format == Format::Json {
        envelope::Shape::Simplified
    } else {
        envelope::Shape::Wrapped
    };
    let mut answer = match qimen {
        Some(Qimen) => envelope::decode_qimen::<T>(body, inner.strict_answers)?,
        None => envelope::decode_as::<T>(body, inner.format, method, shape, inner.strict_answers)?,
    };
    if !answer.drift().is_empty() {
        answer.redact_drift(&[inner.secret.0.as_str(), session.unwrap_or(""), sign]);
        crate::drift::log_once(method.name, answer.drift());
    }
    Ok(answer)
}

/// `err` with every secret it could carry replaced: the app secret, the session and the
/// signature, in whatever the gateway echoed back.
fn redact(client: &Client, err: Error, session: Option<&str>, sign: &str) -> Error {
    let secrets = [client.inner.secret.0.as_str(), session.unwrap_or(""), sign];
    match err {
        Error::Decode(mut decode) => {
            decode.redact(&secrets);
            Error::Decode(decode)
        }
        Error::Api(api) => Error::Api(api.redacted(&secrets)),
        Error::Status { status, body } => Error::Status { status, body: redact_text(&body, &secrets) },
        Error::NotAnAnswer { reason, body } => Error::NotAnAnswer { reason, body: redact_text(&body, &secrets) },
        other => other,
    }
}

fn timed_out(what: &str) -> Error {
    Error::Transport(TransportError::new(TransportErrorKind::Timeout, format!("{what} ran out of its time bound")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_params_sent_are_the_rules_and_in_name_order() {
        let client =
            Client::builder("12345678", "secret").sign_method(crate::SignMethod::Md5).simplify(true).build().unwrap();
        let options = CallOptions::new().target_app_key("87654321");
        let timestamp = Timestamp::of("2026-01-01 00:00:00".parse().unwrap());
        let mut system = System::empty();
        system.fill(&client.inner, Some(Method::named("taobao.a.b")), Some(&timestamp), Some("s"), &options, None);
        let names: Vec<&str> = system.iter().map(|(name, _)| name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "signed and sent in byte order of names");
        let mut with_sign = names.clone();
        with_sign.push("sign");
        with_sign.sort_unstable();
        let mut rules = top_api_rules::SYSTEM_PARAMS.to_vec();
        rules.sort_unstable();
        assert_eq!(with_sign, rules, "every system param of the rules, and no other");
        // The varying ones and the client's constant run make up the whole, each once.
        let varying: Vec<&str> = system.varying().map(|(name, _, _)| name).collect();
        assert_eq!(varying, ["method", "session", "target_app_key", "timestamp"]);
        // The timestamp as a form carries it, its text as it is signed.
        let (_, form, encoded) = system.varying().last().unwrap();
        assert_eq!((form, encoded), ("2026-01-01+00%3A00%3A00", true));
        assert!(system.iter().any(|pair| pair == ("timestamp", "2026-01-01 00:00:00")));
        let constant = String::from_utf8(client.inner.form_constant.clone()).unwrap();
        let partner = crate::DEFAULT_PARTNER_ID;
        assert_eq!(
            constant,
            format!("&app_key=12345678&format=json&partner_id={partner}&sign_method=md5&simplify=true&v=2.0")
        );
    }
}
