//! An embedded TOP gateway for tests and offline runs: a real HTTP server on 127.0.0.1
//! that checks calls as the platform does and answers with typed handlers.
//!
//! It checks the encoding (UTF-8, or code 47), method, app key, timestamp (±10 minutes of
//! its [`Clock`], in GMT+8; epoch milliseconds too), version, format, signature (md5, hmac,
//! hmac-sha256), session and params (each read as its type, the way the client reads it:
//! a `Date` in `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd` or epoch milliseconds, a Boolean
//! `true`/`false`, JSON that is JSON), and answers the platform's own `error_response` for
//! each mistake, in the format asked for. `taobao.time.get` answers its clock; the three
//! seed APIs answer their documentation pages' examples out of the box; any `#[top_api]`
//! request type can get a handler. Faults can be injected on demand.
//!
//! Beside the gateway it serves the Qimen router (`/router/qimen/service`) and user
//! authorization: the authorize page (`/oauth/authorize`, where it plays a user who says
//! yes), `taobao.top.auth.token.create` and `.refresh`, and sessions that expire under its
//! [`Clock`] (see [`crate::oauth`]).
//!
//! # Examples
//!
//! ```
//! use top_api::apis::{AlibabaIdleInteractLoanUserQuery, TaobaoBaodianDepositGet};
//! use top_api::sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start()?;
//! let client = sandbox.client().build()?;
//! let deposit = client.with_session(sandbox.session()).execute(&TaobaoBaodianDepositGet)?;
//! assert_eq!(deposit.user_coin_deposit.as_ref().and_then(|d| d.deposit), Some(1000));
//!
//! // A call without the session the API needs: the gateway's own refusal.
//! let err = client.with_session("nobody").execute(&TaobaoBaodianDepositGet).unwrap_err();
//! assert_eq!(err.api().map(|api| api.code()), Some(27));
//! assert_eq!(sandbox.calls().len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod encode;
mod fault;
mod form;
mod gateway;
mod http;
mod oauth;
mod spi;
#[cfg(feature = "messages")]
mod tmc;

#[cfg(feature = "messages")]
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use self::fault::Faults;
use self::gateway::{param_refusal, State, PATH};
use self::http::{Limits, Server};
use crate::apis;
use crate::request::Request;
use crate::{ApiError, Client, ClientBuilder, DateTime, Format, Params, SessionNeed};

pub use self::encode::Node;
pub use self::fault::Fault;
pub use self::form::UploadedFile;
pub use self::oauth::{TokenLifetimes, CODE_LIFETIME, DEFAULT_USER_ID, DEFAULT_USER_NICK};
pub use self::spi::{SpiAnswer, SpiCall};

/// A message as `taobao.tmc.messages.consume` answers it.
#[cfg(feature = "messages")]
fn rest_message(message: &crate::messages::Message) -> Node {
    let mut fields = vec![
        ("id".to_owned(), Node::Int(message.id().into())),
        ("topic".to_owned(), Node::Text(message.topic().to_owned())),
        ("content".to_owned(), Node::Text(message.content().as_str().to_owned())),
    ];
    if let Some(user_id) = message.user_id() {
        fields.push(("user_id".to_owned(), Node::Int(user_id.into())));
    }
    if let Some(nick) = message.nick() {
        fields.push(("user_nick".to_owned(), Node::Text(nick.to_owned())));
    }
    if let Some(publisher) = message.publisher() {
        fields.push(("pub_app_key".to_owned(), Node::Text(publisher.to_owned())));
    }
    if let Some(at) = message.published() {
        fields.push(("pub_time".to_owned(), Node::Text(at.to_string())));
    }
    Node::object("TmcMessage", fields)
}

/// The API that tells the gateway's time.
const TIME_GET: &str = "taobao.time.get";

/// The app key a sandbox accepts unless told otherwise.
pub const DEFAULT_APP_KEY: &str = "12345678";
/// The app secret a sandbox checks signatures with unless told otherwise.
pub const DEFAULT_APP_SECRET: &str = "sandbox-secret";
/// The session a sandbox accepts unless told otherwise.
pub const DEFAULT_SESSION: &str = "sandbox-session";

/// One call the sandbox received. Its `Debug` shows no session.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Call {
    /// `GET` or `POST`.
    pub http_method: String,
    /// The `method` param, if one was sent.
    pub method: Option<String>,
    /// Every param sent except `sign`, query string first, in order.
    pub params: Vec<(String, String)>,
    /// The file parts of a multipart call.
    pub files: Vec<UploadedFile>,
    /// The code of the `error_response` the call got, if it got one.
    pub error_code: Option<i64>,
    /// True when it came in a batch.
    pub batch: bool,
    /// True when it came to the Qimen router (its XML body is the param `request`).
    pub qimen: bool,
    /// True when its answer was sent gzipped.
    pub gzipped: bool,
    /// When it was answered, by the sandbox's [`Clock`].
    pub at: SystemTime,
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|(name, value)| (name.as_str(), if name == "session" { "***" } else { value.as_str() }))
            .collect();
        f.debug_struct("Call")
            .field("http_method", &self.http_method)
            .field("method", &self.method)
            .field("params", &params)
            .field("files", &self.files)
            .field("error_code", &self.error_code)
            .field("batch", &self.batch)
            .field("qimen", &self.qimen)
            .field("gzipped", &self.gzipped)
            .field("at", &DateTime::from(self.at).to_string())
            .finish()
    }
}

impl Call {
    /// The value of one param.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The sandbox's clock: the machine's, moved by as much as
/// [`SandboxBuilder::clock`] or [`Sandbox::set_clock`] says. The gateway checks each call's
/// `timestamp` against it (ten minutes either way, as the platform does), `taobao.time.get`
/// answers it, and a handler that writes times can read it. Clones share one clock.
#[derive(Clone, Default)]
pub struct Clock {
    /// Milliseconds ahead of the machine's clock (behind when negative).
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Now, by this clock.
    pub fn now(&self) -> SystemTime {
        let offset = self.offset_ms.load(Ordering::Relaxed);
        let magnitude = Duration::from_millis(offset.unsigned_abs());
        let real = SystemTime::now();
        let moved = if offset >= 0 { real.checked_add(magnitude) } else { real.checked_sub(magnitude) };
        moved.unwrap_or(real)
    }

    /// Now, by this clock, as a wall-clock time in GMT+8 (the platform's).
    pub fn now_gmt8(&self) -> DateTime {
        DateTime::from(self.now())
    }

    /// Sets the clock to `at`; it runs on from there.
    pub fn set(&self, at: SystemTime) {
        self.offset_ms.store(offset_ms(at, SystemTime::now()), Ordering::Relaxed);
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Clock").field(&self.now_gmt8().to_string()).finish()
    }
}

/// How many milliseconds `at` is ahead of `real` (negative when behind), saturating.
fn offset_ms(at: SystemTime, real: SystemTime) -> i64 {
    let millis = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    match at.duration_since(real) {
        Ok(ahead) => millis(ahead),
        Err(behind) => -millis(behind.duration()),
    }
}

pub(super) type Handler = Arc<dyn Fn(&Params) -> Result<Node, ApiError> + Send + Sync>;

struct Registered {
    session: SessionNeed,
    /// A Qimen API: served at the Qimen router's path only, and the REST APIs only at the
    /// gateway's.
    qimen: bool,
    handler: Handler,
}

/// A running sandbox gateway; dropping it stops the server.
pub struct Sandbox {
    state: Arc<State>,
    server: Server,
    url: String,
    #[cfg(feature = "messages")]
    channel: Arc<tmc::Channel>,
    #[cfg(feature = "messages")]
    tmc: tmc::TmcServer,
}

/// Configures a [`Sandbox`].
///
/// | setting | default |
/// |---|---|
/// | [`port`](Self::port) | 0: an ephemeral port on 127.0.0.1 |
/// | [`app`](Self::app) | [`DEFAULT_APP_KEY`] `12345678`, [`DEFAULT_APP_SECRET`] `sandbox-secret` |
/// | [`session`](Self::session) | one valid session, [`DEFAULT_SESSION`] `sandbox-session`, that never expires |
/// | [`oauth_user`](Self::oauth_user) | [`DEFAULT_USER_ID`], [`DEFAULT_USER_NICK`] `sandbox_c_1` |
/// | [`token_lifetimes`](Self::token_lifetimes) | [`TokenLifetimes::default`]: a day, refresh 30 days, r2 and w2 30 minutes |
/// | [`seed_examples`](Self::seed_examples) | on: the seed APIs answer their pages' examples, `taobao.time.get` the clock |
/// | [`gzip`](Self::gzip) | off |
/// | [`call_log`](Self::call_log) | the last 10,000 calls |
/// | [`clock`](Self::clock) | the machine's clock |
/// | [`redelivery`](Self::redelivery) | 60 s (feature `messages`) |
/// | [`max_connections`](Self::max_connections) | 128 open at once |
/// | [`request_timeout`](Self::request_timeout) | 30 s for a request's head and body |
/// | [`idle_timeout`](Self::idle_timeout) | 60 s between the requests of a connection |
#[derive(Clone)]
#[must_use]
pub struct SandboxBuilder {
    addr: SocketAddr,
    app_key: String,
    app_secret: String,
    sessions: Vec<String>,
    oauth_user: (i64, String),
    token_lifetimes: TokenLifetimes,
    seed_examples: bool,
    gzip: bool,
    call_log: usize,
    limits: Limits,
    clock: Option<SystemTime>,
    #[cfg_attr(not(feature = "messages"), allow(dead_code))]
    redelivery: Duration,
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("addr", &self.addr)
            .field("app_key", &self.app_key)
            .field("app_secret", &"***")
            .field("sessions", &self.sessions.len())
            .field("seed_examples", &self.seed_examples)
            .field("gzip", &self.gzip)
            .field("call_log", &self.call_log)
            .field("limits", &self.limits)
            .field("clock", &self.clock.map(DateTime::from).map(|at| at.to_string()))
            .finish()
    }
}

impl Sandbox {
    /// Starts a sandbox with the defaults of [`SandboxBuilder`].
    ///
    /// # Errors
    ///
    /// When the port cannot be bound.
    pub fn start() -> io::Result<Sandbox> {
        Sandbox::builder().start()
    }

    /// Configures a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            app_key: DEFAULT_APP_KEY.to_owned(),
            app_secret: DEFAULT_APP_SECRET.to_owned(),
            sessions: vec![DEFAULT_SESSION.to_owned()],
            oauth_user: (DEFAULT_USER_ID, DEFAULT_USER_NICK.to_owned()),
            token_lifetimes: TokenLifetimes::default(),
            seed_examples: true,
            gzip: false,
            call_log: 10_000,
            limits: Limits::default(),
            clock: None,
            redelivery: Duration::from_secs(60),
        }
    }

    /// The gateway URL, such as `http://127.0.0.1:40123/router/rest`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The app key it accepts.
    pub fn app_key(&self) -> &str {
        &self.state.app_key
    }

    /// The secret it checks signatures with.
    pub fn app_secret(&self) -> &str {
        &self.state.app_secret
    }

    /// The first valid session.
    pub fn session(&self) -> &str {
        self.state.oauth.first_session()
    }

    /// The sandbox's clock (a handle sharing it): what the gateway checks timestamps
    /// against and `taobao.time.get` answers.
    pub fn clock(&self) -> Clock {
        self.state.clock.clone()
    }

    /// Moves the sandbox's clock to `at`; it runs on from there.
    pub fn set_clock(&self, at: SystemTime) {
        self.state.clock.set(at);
    }

    /// A client builder for this sandbox: its app key, secret and URL.
    pub fn client(&self) -> ClientBuilder {
        Client::builder(self.app_key(), self.app_secret()).gateway(self.url())
    }

    /// Answers calls of `R` with `handler`, which receives the decoded request and returns
    /// the typed answer or a refusal. A missing required param is refused with code 40, a
    /// param that cannot be read with code 41, before the handler is called.
    ///
    /// # Examples
    ///
    /// ```
    /// use top_api::apis::alibaba_idle_interact_loan_user_query::*;
    /// use top_api::sandbox::Sandbox;
    ///
    /// let sandbox = Sandbox::start()?;
    /// sandbox.handle(|query: AlibabaIdleInteractLoanUserQuery| {
    ///     if query.user == "0" {
    ///         return Err(top_api::ApiError::new(50, "Remote service error").with_sub("isv.user-not-exist", "no such user"));
    ///     }
    ///     Ok(AlibabaIdleInteractLoanUserQueryResponse {
    ///         idle_point_result: Some(IdlePointResult { success: Some(true), ..Default::default() }),
    ///     })
    /// });
    /// let client = sandbox.client().build()?;
    /// let query = AlibabaIdleInteractLoanUserQuery { user: "3".into(), scene_code: "s".into(), env: "pre".into() };
    /// let answer = client.execute(&query)?;
    /// assert_eq!(answer.idle_point_result.as_ref().and_then(|r| r.success), Some(true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle<R, F>(&self, handler: F)
    where
        R: Request + 'static,
        R::Response: Serialize,
        F: Fn(R) -> Result<R::Response, ApiError> + Send + Sync + 'static,
    {
        let handler: Handler = Arc::new(move |params: &Params| {
            let request = R::from_params(params).map_err(|err| param_refusal(&err))?;
            let response = handler(request)?;
            encode::to_node(&response).map_err(|err| {
                ApiError::new(15, "Remote service error").with_sub("isp.sandbox-encode-error", err.to_string())
            })
        });
        let registered = Registered { session: R::SESSION, qimen: R::QIMEN, handler };
        self.state.handlers.write().unwrap_or_else(PoisonError::into_inner).insert(R::METHOD.to_owned(), registered);
    }

    /// Answers calls of `method`, an API no type declares, with `handler`: it receives the
    /// call's own params (the system params left out) and returns the answer's payload or a
    /// refusal. The session is checked as `session` says, before the handler is called.
    ///
    /// # Examples
    ///
    /// ```
    /// use top_api::sandbox::{Node, Sandbox};
    /// use top_api::{ApiError, SessionNeed};
    ///
    /// let sandbox = Sandbox::start()?;
    /// sandbox.handle_untyped("taobao.time.get", SessionNeed::None, |params| {
    ///     match params.get("fields") {
    ///         Some(_) => Ok(Node::from_json(r#"{"time":"2016-09-26 08:30:00"}"#).expect("JSON")),
    ///         None => Err(ApiError::new(40, "Missing required arguments:fields")),
    ///     }
    /// });
    /// let client = sandbox.client().build()?;
    /// let answer = client.call("taobao.time.get", [("fields", "time")])?;
    /// assert_eq!(answer.get()["time"], "2016-09-26 08:30:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle_untyped<F>(&self, method: impl Into<String>, session: SessionNeed, handler: F)
    where
        F: Fn(&Params) -> Result<Node, ApiError> + Send + Sync + 'static,
    {
        let registered = Registered { session, qimen: false, handler: Arc::new(handler) };
        self.state.handlers.write().unwrap_or_else(PoisonError::into_inner).insert(method.into(), registered);
    }

    /// Calls an app's own server at `url` as the platform calls an SPI (or the Qimen router
    /// a WMS or an ERP): `call`'s params in the query with the system params (the
    /// sandbox's app key, a timestamp by its clock), signed with its app secret as
    /// [`crate::spi`] describes, within 30 seconds. Check it on the server with a
    /// [`crate::spi::Verifier`] of the sandbox's secret.
    ///
    /// # Errors
    ///
    /// [`Error::Transport`](crate::Error::Transport) when the server cannot be reached or
    /// does not answer in time.
    pub fn spi_call(&self, url: &str, call: &SpiCall) -> Result<SpiAnswer, crate::Error> {
        spi::send(url, call, self.app_key(), self.app_secret(), self.clock().now_gmt8(), Duration::from_secs(30))
    }

    /// Plays the user's browser on the authorize page: takes the URL a user would be sent
    /// to ([`Client::authorize_url`](crate::Client::authorize_url), at this sandbox's
    /// `/oauth/authorize`) and gives the callback URL the page redirects to, with `code`
    /// and `state` ([`crate::oauth::Callback::read`] reads it), or with
    /// `error=access_denied` while [`deny_authorization`](Self::deny_authorization) is on.
    ///
    /// # Errors
    ///
    /// [`Error::Status`](crate::Error::Status) 400, as the page answers, when the URL has
    /// no callback to send the browser to: a `client_id` other than the sandbox's app key
    /// (no code is given), a `redirect_uri` that is missing or not an http(s) URL, an
    /// unknown `view`.
    pub fn authorize(&self, url: &str) -> Result<String, crate::Error> {
        let query = url.split_once('?').map_or("", |(_, query)| query);
        self.state.oauth.authorize(query).map_err(|body| crate::Error::Status { status: 400, body })
    }

    /// A code, as the user's consent on the authorize page gives one: it is exchanged for a
    /// token by `taobao.top.auth.token.create` once, within [`CODE_LIFETIME`].
    pub fn authorization_code(&self) -> String {
        self.state.oauth.code()
    }

    /// Whether the user refuses on the authorize page (default off): the callback then gets
    /// `error=access_denied` and no code.
    pub fn deny_authorization(&self, on: bool) {
        self.state.oauth.set_denies(on);
    }

    /// Answers calls of `method`, a Qimen API no type declares, at the Qimen router
    /// (`/router/qimen/service`) with `handler`: it receives the query's own params
    /// (`customerId`) and the XML body as the param `request`, and returns the payload
    /// (written under `<response>`, with `flag` `success` unless it says otherwise) or a
    /// refusal (a `failure`).
    pub fn handle_qimen_untyped<F>(&self, method: impl Into<String>, handler: F)
    where
        F: Fn(&Params) -> Result<Node, ApiError> + Send + Sync + 'static,
    {
        let registered = Registered { session: SessionNeed::Optional, qimen: true, handler: Arc::new(handler) };
        self.state.handlers.write().unwrap_or_else(PoisonError::into_inner).insert(method.into(), registered);
    }

    /// Answers every call of `method`, an API no type declares, with `payload` (for one
    /// given as JSON text, [`Node::from_json`]).
    pub fn answer(&self, method: impl Into<String>, session: SessionNeed, payload: Node) {
        self.handle_untyped(method, session, move |_| Ok(payload.clone()));
    }

    /// True when calls of `method` have an answer: a handler, or one of the seed examples.
    pub fn handles(&self, method: &str) -> bool {
        self.state.handlers.read().unwrap_or_else(PoisonError::into_inner).contains_key(method)
    }

    /// How many APIs have an answer.
    pub fn handled(&self) -> usize {
        self.state.handlers.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// The calls received so far, in order: the last ones, as many as
    /// [`call_log`](SandboxBuilder::call_log) keeps.
    pub fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }

    /// Plays `fault` on the next `calls` calls, whatever their method; a batch counts as one
    /// call, and a fault plays on it as a whole.
    pub fn fail_next(&self, calls: usize, fault: Fault) {
        self.state.faults.lock().unwrap_or_else(PoisonError::into_inner).next.push((calls, fault));
    }

    /// Plays `fault` on every call of `method` until [`clear_faults`](Self::clear_faults).
    pub fn fail_method(&self, method: &str, fault: Fault) {
        self.state.faults.lock().unwrap_or_else(PoisonError::into_inner).by_method.insert(method.to_owned(), fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        *self.state.faults.lock().unwrap_or_else(PoisonError::into_inner) = Faults::default();
    }

    /// Stops the server and closes its connections.
    pub fn stop(mut self) {
        self.server.stop();
        #[cfg(feature = "messages")]
        self.tmc.stop();
    }
}

/// The message channel (feature `messages`).
#[cfg(feature = "messages")]
impl Sandbox {
    /// The URL of the sandbox's message channel (TMC), such as `ws://127.0.0.1:40124/`: a
    /// WebSocket server on a port of its own that checks a consumer's CONNECT as the
    /// platform does (app key, timestamp within ten minutes of the [`Clock`], sign) and
    /// refuses with a CONNECTACK status, keeps one queue per group, pushes each message to a
    /// connected consumer of its group, and delivers again what is not confirmed.
    pub fn tmc_url(&self) -> String {
        self.tmc.url()
    }

    /// Queues a message of `topic` with `content` (JSON text) for the group `default`;
    /// returns its id.
    pub fn publish(&self, topic: &str, content: &str) -> i64 {
        self.channel.publish("default", topic, content, None)
    }

    /// Queues a message of `topic` for `group`, concerning the user `user_id` (`nick`);
    /// returns its id.
    pub fn publish_to(&self, group: &str, topic: &str, content: &str, user_id: i64, nick: &str) -> i64 {
        self.channel.publish(group, topic, content, Some((user_id, nick)))
    }

    /// How many messages of `group` are not confirmed yet: queued, handed to a consumer, or
    /// failed and waiting to come again.
    pub fn pending_messages(&self, group: &str) -> usize {
        self.channel.pending(group)
    }

    /// How many confirms each message got, by id: a confirm of a message that was no longer
    /// handed out (already confirmed, or delivered again since) is not counted.
    pub fn message_confirms(&self) -> HashMap<i64, u32> {
        self.channel.confirms()
    }

    /// Drops every open connection of the message channel, as a network failure would.
    pub fn drop_tmc_connections(&self) {
        self.tmc.drop_connections();
    }

    /// The message channel's REST APIs, on the same queues as the WebSocket:
    /// `taobao.tmc.auth.get` (a CONNECT's token), `taobao.tmc.messages.consume`, `taobao.tmc.messages.confirm`,
    /// `taobao.tmc.message.produce` and `taobao.tmc.messages.produce`.
    fn answer_tmc_apis(&self) {
        fn group(params: &Params) -> String {
            params.get("group_name").filter(|g| !g.trim().is_empty()).unwrap_or("default").to_owned()
        }
        fn ids(params: &Params, name: &str) -> Result<Vec<i64>, ApiError> {
            let Some(text) = params.get(name) else { return Ok(Vec::new()) };
            let ids: Vec<i64> =
                text.split(',').map(|id| id.trim().parse()).collect::<Result<_, _>>().map_err(|_| {
                    ApiError::param_refusal(name, &crate::Violation::NotA { expected: "a list of message ids" })
                })?;
            crate::Violation::check_items(ids.len(), 200)
                .map_err(|violation| ApiError::param_refusal(name, &violation))?;
            Ok(ids)
        }
        fn required<'p>(params: &'p Params, name: &str) -> Result<&'p str, ApiError> {
            params.get(name).ok_or_else(|| ApiError::param_refusal(name, &crate::Violation::Missing))
        }
        let success = || Node::Object(None, vec![("is_success".to_owned(), Node::Bool(true))]);

        let channel = self.channel.clone();
        self.handle_untyped("taobao.tmc.auth.get", SessionNeed::None, move |params| {
            let group = params.get("group").filter(|g| !g.trim().is_empty()).unwrap_or("default");
            Ok(Node::Object(None, vec![("result".to_owned(), Node::Text(channel.issue_token(group)))]))
        });
        let channel = self.channel.clone();
        self.handle_untyped("taobao.tmc.messages.consume", SessionNeed::None, move |params| {
            let quantity = match params.get("quantity") {
                None => 100,
                Some(text) => text.trim().parse::<usize>().map_err(|_| {
                    ApiError::param_refusal("quantity", &crate::Violation::NotA { expected: "a number" })
                })?,
            };
            let messages = channel.consume(&group(params), quantity.clamp(1, 200));
            let nodes = messages.iter().map(rest_message).collect();
            Ok(Node::Object(None, vec![("messages".to_owned(), Node::List(nodes))]))
        });
        let channel = self.channel.clone();
        self.handle_untyped("taobao.tmc.messages.confirm", SessionNeed::None, move |params| {
            required(params, "s_message_ids")?;
            let (confirmed, failed) = (ids(params, "s_message_ids")?, ids(params, "f_message_ids")?);
            channel.acknowledge(&group(params), &confirmed, &failed);
            Ok(success())
        });
        let channel = self.channel.clone();
        self.handle_untyped("taobao.tmc.message.produce", SessionNeed::None, move |params| {
            let (topic, content) = (required(params, "topic")?, required(params, "content")?);
            let target = params.get("target_group").unwrap_or("default");
            let id = channel.publish(target, topic, content, None);
            Ok(Node::Object(
                None,
                vec![
                    ("is_success".to_owned(), Node::Bool(true)),
                    ("total".to_owned(), Node::Int(1)),
                    ("msg_ids".to_owned(), Node::List(vec![Node::Text(id.to_string())])),
                ],
            ))
        });
        let channel = self.channel.clone();
        self.handle_untyped("taobao.tmc.messages.produce", SessionNeed::None, move |params| {
            let text = required(params, "messages")?;
            let invalid = |why: &str| ApiError::param_refusal("messages", &crate::Violation::Invalid(why.to_owned()));
            let list: Vec<serde_json::Value> =
                serde_json::from_str(text).map_err(|_| invalid("is not a JSON list of messages"))?;
            crate::Violation::check_items(list.len(), 50)
                .map_err(|violation| ApiError::param_refusal("messages", &violation))?;
            let mut results = Vec::with_capacity(list.len());
            for item in &list {
                let field = |name: &str| item.get(name).and_then(serde_json::Value::as_str);
                let (Some(topic), Some(content)) = (field("topic"), field("content")) else {
                    return Err(invalid("has a message without its `topic` or `content`"));
                };
                channel.publish(field("target_group").unwrap_or("default"), topic, content, None);
                results.push(Node::object("TmcProduceResult", vec![("is_success".to_owned(), Node::Bool(true))]));
            }
            Ok(Node::Object(
                None,
                vec![("is_all_success".to_owned(), Node::Bool(true)), ("results".to_owned(), Node::List(results))],
            ))
        });
    }

    /// Whether messages are pushed with their content gzipped (default off).
    pub fn gzip_messages(&self, on: bool) {
        self.channel.set_gzip(on);
    }

    /// Refuses the next `count` CONNECTs of the message channel with CONNECTACK `status`
    /// (a busy server's refusal, such as 503, is tried again by the consumer after its
    /// backoff; 25, 27, 29 and 31 are the refusals of a wrong sign, token, app key and clock,
    /// which it does not retry).
    pub fn refuse_tmc_connects(&self, count: usize, status: i32) {
        self.channel.refuse_connects(count, status);
    }

    /// Holds each message pushed on the channel this long before sending it (zero, the
    /// default, for none): a slow or congested channel.
    pub fn delay_tmc_messages(&self, delay: Duration) {
        self.channel.set_delay(delay);
    }

    /// Whether each message pushed on the channel is sent twice in a row (default off): a
    /// redelivery racing the first copy, which a consumer must not handle twice.
    pub fn deliver_tmc_twice(&self, on: bool) {
        self.channel.set_twice(on);
    }

    /// Whether the channel refuses a CONNECT without the `token` of `taobao.tmc.auth.get`
    /// (default off: a token is checked when one comes). A token must be one the sandbox's
    /// `taobao.tmc.auth.get` gave for the group; the refusal's status is 27.
    pub fn require_tmc_token(&self, on: bool) {
        self.channel.set_require_token(on);
    }

    /// The text headers of the latest 256 CONNECTs the channel received (`app_key`,
    /// `group_name`, `timestamp`, `sdk`, `intranet_ip`, and `token`, `minor_group`,
    /// `filter_exp` when sent), oldest first; the sign is left out.
    pub fn tmc_connects(&self) -> Vec<std::collections::BTreeMap<String, String>> {
        self.channel.connects()
    }
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox").field("url", &self.url).field("app_key", &self.state.app_key).finish_non_exhaustive()
    }
}

impl SandboxBuilder {
    /// The port on 127.0.0.1 (0 for an ephemeral one).
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// The app key and secret it accepts.
    pub fn app(mut self, app_key: impl Into<String>, app_secret: impl Into<String>) -> Self {
        self.app_key = app_key.into();
        self.app_secret = app_secret.into();
        self
    }

    /// Replaces the valid sessions given here with `session` alone: it never expires. (The
    /// sessions of tokens the sandbox's OAuth gives are valid too, until they expire.)
    pub fn session(mut self, session: impl Into<String>) -> Self {
        self.sessions = vec![session.into()];
        self
    }

    /// The user the authorize page authorizes as, whose id and nick the tokens carry.
    pub fn oauth_user(mut self, user_id: i64, nick: impl Into<String>) -> Self {
        self.oauth_user = (user_id, nick.into());
        self
    }

    /// How long the tokens the sandbox's OAuth gives last, by its clock.
    pub fn token_lifetimes(mut self, lifetimes: TokenLifetimes) -> Self {
        self.token_lifetimes = lifetimes;
        self
    }

    /// Whether the seed APIs answer their documentation pages' examples, and
    /// `taobao.time.get` the sandbox's [`Clock`].
    pub fn seed_examples(mut self, on: bool) -> Self {
        self.seed_examples = on;
        self
    }

    /// Whether answers are gzipped for clients that send `Accept-Encoding: gzip` (default off).
    pub fn gzip(mut self, on: bool) -> Self {
        self.gzip = on;
        self
    }

    /// How many of the last calls [`Sandbox::calls`] keeps (default 10,000); 0 keeps none,
    /// as a long-running standalone server should.
    pub fn call_log(mut self, calls: usize) -> Self {
        self.call_log = calls;
        self
    }

    /// Starts the sandbox's [`Clock`] at `at` (default: the machine's clock); it runs on
    /// from there. Calls are then checked against it, and `taobao.time.get` answers it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use top_api::sandbox::Sandbox;
    ///
    /// let tomorrow = SystemTime::now() + Duration::from_secs(24 * 3600);
    /// let sandbox = Sandbox::builder().clock(tomorrow).start()?;
    /// // A client on the machine's clock is a day off the gateway's: refused with code 31.
    /// let client = sandbox.client().build()?;
    /// let err = client.call("taobao.time.get", [("fields", "time")]).unwrap_err();
    /// assert_eq!(err.api().map(|api| api.code()), Some(31));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clock(mut self, at: SystemTime) -> Self {
        self.clock = Some(at);
        self
    }

    /// How long a message handed to a consumer waits for its confirm before it is
    /// delivered again, and how long a "failed" one waits before it comes again (default
    /// 60 s).
    #[cfg(feature = "messages")]
    pub fn redelivery(mut self, after: Duration) -> Self {
        self.redelivery = after;
        self
    }

    /// How many connections may be open at once (default 128): one more is answered 503
    /// and closed at once.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// How long a request's head and body may take to arrive once its first byte has
    /// (default 30 s), however slowly they trickle in: then the connection is answered 408
    /// and closed. It also bounds each write of an answer.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request = timeout;
        self
    }

    /// How long a kept-alive connection may wait for its next request (default 60 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle = timeout;
        self
    }

    /// Binds the port and starts serving.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound.
    pub fn start(self) -> io::Result<Sandbox> {
        let clock = Clock::default();
        if let Some(at) = self.clock {
            clock.set(at);
        }
        let oauth = Arc::new(oauth::Authority::new(
            self.app_key.clone(),
            self.oauth_user,
            self.token_lifetimes,
            clock.clone(),
            self.sessions,
        ));
        let state = Arc::new(State {
            app_key: self.app_key,
            app_secret: self.app_secret,
            oauth,
            handlers: RwLock::default(),
            calls: Mutex::default(),
            call_log: self.call_log,
            faults: Mutex::default(),
            next_id: AtomicU64::new(1),
            gzip: self.gzip,
            clock,
        });
        let serving = state.clone();
        let server = Server::start(self.addr, self.limits, Arc::new(move |request| serving.answer(request)))?;
        let url = format!("http://{}{PATH}", server.addr());
        #[cfg(feature = "messages")]
        let channel = Arc::new(tmc::Channel::new(
            state.app_key.clone(),
            state.app_secret.clone(),
            state.clock.clone(),
            self.redelivery,
        ));
        #[cfg(feature = "messages")]
        let tmc = tmc::TmcServer::start(channel.clone())?;
        let sandbox = Sandbox {
            state,
            server,
            url,
            #[cfg(feature = "messages")]
            channel,
            #[cfg(feature = "messages")]
            tmc,
        };
        sandbox.answer_token_apis();
        if self.seed_examples {
            sandbox.answer_seed_examples();
        }
        Ok(sandbox)
    }
}

impl Sandbox {
    /// The token APIs of user authorization, on the sandbox's codes and sessions.
    fn answer_token_apis(&self) {
        let token = |text: String| Node::Object(None, vec![("token_result".to_owned(), Node::Text(text))]);
        let oauth = self.state.oauth.clone();
        self.handle_untyped(crate::oauth::TOKEN_CREATE, SessionNeed::Optional, move |params| {
            oauth.create(params).map(token)
        });
        let oauth = self.state.oauth.clone();
        self.handle_untyped(crate::oauth::TOKEN_REFRESH, SessionNeed::Optional, move |params| {
            oauth.refresh(params).map(token)
        });
    }

    fn answer_seed_examples(&self) {
        fn example<R>(sandbox: &Sandbox, xml: &str)
        where
            R: Request + 'static,
            R::Response: Serialize + Clone + Send + Sync,
        {
            let answer = crate::decode::<R>(xml.as_bytes(), Format::Xml)
                .expect("a seed page's example decodes (the seed tests check it)")
                .into_inner();
            sandbox.handle(move |_: R| Ok(answer.clone()));
        }
        example::<apis::AlibabaIdleInteractLoanUserQuery>(
            self,
            apis::alibaba_idle_interact_loan_user_query::EXAMPLE_XML,
        );
        example::<apis::AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(
            self,
            apis::alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::EXAMPLE_XML,
        );
        example::<apis::TaobaoBaodianDepositGet>(self, apis::taobao_baodian_deposit_get::EXAMPLE_XML);
        #[cfg(feature = "messages")]
        self.answer_tmc_apis();
        // The gateway's own clock, as the platform answers it.
        let clock = self.clock();
        self.handle_untyped(TIME_GET, SessionNeed::None, move |_| {
            Ok(Node::Object(None, vec![("time".to_owned(), Node::Text(clock.now_gmt8().to_string()))]))
        });
    }
}
