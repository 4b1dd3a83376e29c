//! An embedded TOP gateway for tests and offline runs: a real HTTP server on 127.0.0.1
//! that checks calls as the platform does and answers with typed handlers.
//!
//! It checks the method, app key, timestamp (±10 minutes of GMT+8; epoch milliseconds
//! too), version, format, signature (md5, hmac, hmac-sha256), session and params, and
//! answers the platform's own `error_response` for each mistake, in the format asked for.
//! The three seed APIs answer their documentation pages' examples out of the box; any
//! `#[top_api]` request type can get a handler. Faults can be injected on demand.
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
mod form;
mod http;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use self::encode::Style;
use self::form::Form;
use self::http::{Incoming, Limits, Outgoing, Server};
use crate::apis;
use crate::batch::{DEFAULT_SEPARATOR, PUBLIC_MARK, SEPARATOR_HEADER};
use crate::request::Request;
use crate::{sign, ApiError, Client, ClientBuilder, DateTime, File, Format, ParamError, Params, SignMethod};
use crate::{SessionNeed, Violation, SYSTEM_PARAMS};

pub use self::encode::Node;
pub use self::form::UploadedFile;

/// The app key a sandbox accepts unless told otherwise.
pub const DEFAULT_APP_KEY: &str = "12345678";
/// The app secret a sandbox checks signatures with unless told otherwise.
pub const DEFAULT_APP_SECRET: &str = "sandbox-secret";
/// The session a sandbox accepts unless told otherwise.
pub const DEFAULT_SESSION: &str = "sandbox-session";

/// The path the gateway serves.
const PATH: &str = "/router/rest";
/// The path batches go to.
const BATCH_PATH: &str = "/router/batch";
/// How far a call's timestamp may drift from the gateway's clock: the platform takes ten
/// minutes either way.
const DRIFT: Duration = Duration::from_secs(10 * 60);

/// A fault the sandbox plays instead of, or on top of, its normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer normally, but only after this long.
    Delay(Duration),
    /// Close the connection without answering.
    DropConnection,
    /// Answer HTTP 502 with an HTML page, as a proxy in front of the gateway does.
    BadGateway,
    /// Announce the whole answer, send half of it, and close.
    TruncatedBody,
    /// Answer HTTP 200 with a body that is neither JSON nor XML.
    NotAnAnswer,
    /// Refuse with code 7 "App Call Limited" and a ban of this many seconds in `sub_msg`.
    Throttled {
        /// How long the ban lasts.
        ban_seconds: u64,
    },
    /// Refuse with a server-side fault: code 15 and this `isp.*` sub code.
    ServerError {
        /// The sub code, such as `isp.remote-service-timeout`.
        sub_code: String,
    },
}

impl Fault {
    /// The gateway's refusal this fault plays instead of an answer, if it is one.
    fn refusal(&self) -> Option<ApiError> {
        match self {
            Fault::Throttled { ban_seconds } => Some(ApiError::new(7, "App Call Limited").with_sub(
                "accesscontrol.limited-by-app-access-count",
                format!("This ban will last for {ban_seconds} more seconds"),
            )),
            Fault::ServerError { sub_code } => {
                Some(ApiError::new(15, "Remote service error").with_sub(sub_code.clone(), "sandbox fault"))
            }
            _ => None,
        }
    }
}

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
    /// True when its answer was sent gzipped.
    pub gzipped: bool,
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
            .field("gzipped", &self.gzipped)
            .finish()
    }
}

impl Call {
    /// The value of one param.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

type Handler = Arc<dyn Fn(&Params) -> Result<Node, ApiError> + Send + Sync>;

struct Registered {
    session: SessionNeed,
    handler: Handler,
}

#[derive(Default)]
struct Faults {
    next: Vec<(usize, Fault)>,
    by_method: HashMap<String, Fault>,
}

struct State {
    app_key: String,
    app_secret: String,
    sessions: Vec<String>,
    handlers: RwLock<HashMap<String, Registered>>,
    /// The last `call_log` calls.
    calls: Mutex<VecDeque<Call>>,
    call_log: usize,
    faults: Mutex<Faults>,
    next_id: AtomicU64,
    gzip: bool,
}

/// A running sandbox gateway; dropping it stops the server.
pub struct Sandbox {
    state: Arc<State>,
    server: Server,
    url: String,
}

/// Configures a [`Sandbox`].
///
/// | setting | default |
/// |---|---|
/// | [`port`](Self::port) | 0: an ephemeral port on 127.0.0.1 |
/// | [`app`](Self::app) | [`DEFAULT_APP_KEY`] `12345678`, [`DEFAULT_APP_SECRET`] `sandbox-secret` |
/// | [`session`](Self::session) | one valid session, [`DEFAULT_SESSION`] `sandbox-session` |
/// | [`seed_examples`](Self::seed_examples) | on: the seed APIs answer their pages' examples |
/// | [`gzip`](Self::gzip) | off |
/// | [`call_log`](Self::call_log) | the last 10,000 calls |
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
    seed_examples: bool,
    gzip: bool,
    call_log: usize,
    limits: Limits,
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
            seed_examples: true,
            gzip: false,
            call_log: 10_000,
            limits: Limits::default(),
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
        self.state.sessions.first().map_or("", String::as_str)
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
        let registered = Registered { session: R::SESSION, handler };
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
        let registered = Registered { session, handler: Arc::new(handler) };
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
    }
}

/// Runs a sandbox until Ctrl-C, for clients in other languages: prints its URL, app key,
/// secret and session as `TOP_*` settings on `out`, then `sandbox stopped` once interrupted.
/// This is what the `top-sandbox` binary runs.
///
/// # Errors
///
/// When the port cannot be bound, Ctrl-C cannot be caught, or `out` cannot be written.
pub fn serve_until_ctrl_c(builder: SandboxBuilder, out: &mut dyn io::Write) -> io::Result<()> {
    run_until_ctrl_c(builder.start()?, out)
}

/// Runs a started sandbox (its handlers set) until Ctrl-C, as [`serve_until_ctrl_c`] does:
/// what `top sandbox` runs once it has given every catalog API an answer.
///
/// # Errors
///
/// When Ctrl-C cannot be caught, or `out` cannot be written.
pub fn run_until_ctrl_c(sandbox: Sandbox, out: &mut dyn io::Write) -> io::Result<()> {
    let (stop, stopped) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop.send(());
    })
    .map_err(|err| io::Error::other(format!("cannot catch Ctrl-C: {err}")))?;
    writeln!(out, "top-api sandbox gateway")?;
    writeln!(out, "  TOP_GATEWAY={}", sandbox.url())?;
    writeln!(out, "  TOP_APP_KEY={}", sandbox.app_key())?;
    writeln!(out, "  TOP_APP_SECRET={}", sandbox.app_secret())?;
    writeln!(out, "  TOP_SESSION={}", sandbox.session())?;
    writeln!(out, "serving {} APIs; Ctrl-C stops", sandbox.handled())?;
    out.flush()?;
    let _ = stopped.recv();
    sandbox.stop();
    writeln!(out, "sandbox stopped")?;
    out.flush()
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

    /// Replaces the valid sessions with `session` alone.
    pub fn session(mut self, session: impl Into<String>) -> Self {
        self.sessions = vec![session.into()];
        self
    }

    /// Whether the seed APIs answer their documentation pages' examples.
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
        let state = Arc::new(State {
            app_key: self.app_key,
            app_secret: self.app_secret,
            sessions: self.sessions,
            handlers: RwLock::default(),
            calls: Mutex::default(),
            call_log: self.call_log,
            faults: Mutex::default(),
            next_id: AtomicU64::new(1),
            gzip: self.gzip,
        });
        let serving = state.clone();
        let server = Server::start(self.addr, self.limits, Arc::new(move |request| serving.answer(request)))?;
        let url = format!("http://{}{PATH}", server.addr());
        let sandbox = Sandbox { state, server, url };
        if self.seed_examples {
            sandbox.answer_seed_examples();
        }
        Ok(sandbox)
    }
}

impl Sandbox {
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
    }
}

fn param_refusal(err: &ParamError) -> ApiError {
    let violation = if err.is_missing() { Violation::Missing } else { Violation::Invalid(err.to_string()) };
    ApiError::param_refusal(err.name(), &violation)
}

fn refuse(code: i64, msg: &str) -> ApiError {
    ApiError::new(code, msg)
}

impl State {
    fn answer(&self, request: Incoming) -> Outgoing {
        if request.method != "POST" && request.method != "GET" {
            return text(400, format!("the gateway takes GET or POST, not {}", request.method));
        }
        match request.target.split('?').next().unwrap_or("") {
            PATH => self.answer_call(&request),
            BATCH_PATH => self.answer_batch(&request),
            path => text(404, format!("no gateway at {path}; the sandbox serves {PATH} and {BATCH_PATH}")),
        }
    }

    fn answer_call(&self, request: &Incoming) -> Outgoing {
        let form = match form::read_form(request) {
            Ok(form) => form,
            Err(why) => return text(400, why),
        };
        let method = present(&form, "method").map(str::to_owned);
        let fault = self.take_fault(method.as_deref());
        let (format, format_refusal) = read_format(&form);
        let style = Style { format, simplify: format == Format::Json && form.get("simplify") == Some("true") };
        let outcome = match (format_refusal, &fault) {
            (Some(refused), _) => Err(refused),
            (None, Some(fault)) if fault.refusal().is_some() => Err(fault.refusal().expect("checked")),
            (None, _) => self.check_and_run(&form),
        };
        let (body, error_code) = self.encode(style, method.as_deref(), &outcome);
        let gzipped = self.gzip_for(request) && matches!(fault, None | Some(Fault::Delay(_)));
        self.record(request, &form, method, error_code, gzipped);

        self.play(fault, request, format, body)
    }

    /// Answers `body`, or what `fault` plays instead of it.
    fn play(&self, fault: Option<Fault>, request: &Incoming, format: Format, body: String) -> Outgoing {
        match fault {
            Some(Fault::Delay(delay)) => std::thread::sleep(delay),
            Some(Fault::DropConnection) => return Outgoing::Drop,
            Some(Fault::BadGateway) => {
                let page = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";
                return Outgoing::Answer { status: 502, content_type: "text/html", body: page.into(), gzip: false };
            }
            Some(Fault::TruncatedBody) => {
                return Outgoing::Truncated { content_type: content_type(format), body: body.into_bytes() }
            }
            Some(Fault::NotAnAnswer) => {
                let page = b"<html><body>maintenance</body></html>".to_vec();
                return Outgoing::Answer { status: 200, content_type: "text/html", body: page, gzip: false };
            }
            _ => {}
        }
        self.reply(request, format, body)
    }

    /// The platform's checks, in the order it makes them, then the handler.
    fn check_and_run(&self, form: &Form) -> Result<Node, ApiError> {
        if present(form, "method").is_none() {
            return Err(refuse(21, "Missing Method"));
        }
        self.check_call(form, "")?;
        self.run(form)
    }

    /// The checks of the call as a whole: app key, timestamp, version and signature (with
    /// `body` appended for a batch).
    fn check_call(&self, form: &Form, body: &str) -> Result<(), ApiError> {
        let app_key = present(form, "app_key").ok_or_else(|| refuse(28, "Missing App Key"))?;
        if app_key != self.app_key {
            return Err(refuse(29, "Invalid app Key").with_sub("isv.appkey-not-exists", "app key does not exist"));
        }
        let timestamp = present(form, "timestamp").ok_or_else(|| refuse(30, "Missing Timestamp"))?;
        check_timestamp(timestamp)?;
        match present(form, "v") {
            None => return Err(refuse(32, "Missing Version")),
            Some("2.0") => {}
            Some(v) if v.parse::<f64>().is_ok() => return Err(refuse(34, "Unsupported Version")),
            Some(_) => return Err(refuse(33, "Invalid Version")),
        }
        let sign = present(form, "sign").ok_or_else(|| refuse(24, "Missing Signature"))?;
        let sign_method = match present(form, "sign_method") {
            None => SignMethod::Md5,
            Some(name) => SignMethod::from_wire(name).ok_or_else(|| {
                refuse(25, "Invalid signature")
                    .with_sub("isv.invalid-sign-method", format!("unknown sign_method `{name}`"))
            })?,
        };
        // File parts are never signed: `form.params` holds text params only.
        let signed = form.params.iter().filter(|(name, _)| name != "sign");
        if !sign::sign_batch(signed, body, &self.app_secret, sign_method).eq_ignore_ascii_case(sign) {
            return Err(refuse(25, "Invalid signature"));
        }
        Ok(())
    }

    /// The checks of one API call (its method, session and params), then its handler.
    fn run(&self, form: &Form) -> Result<Node, ApiError> {
        let method = present(form, "method").ok_or_else(|| refuse(21, "Missing Method"))?;
        let handlers = self.handlers.read().unwrap_or_else(PoisonError::into_inner);
        let registered = handlers.get(method).ok_or_else(|| refuse(22, "Invalid Method"))?;
        match present(form, "session") {
            None if registered.session == SessionNeed::Required => return Err(refuse(26, "Missing Session")),
            Some(session) if !self.sessions.iter().any(|s| s == session) => {
                return Err(refuse(27, "Invalid session").with_sub("invalid-sessionkey", "SessionKey非法"));
            }
            _ => {}
        }
        let mut params = Params::with_capacity(form.params.len());
        for (name, value) in form.params.iter().filter(|(name, _)| !SYSTEM_PARAMS.contains(&name.as_str())) {
            if value.trim().is_empty() {
                return Err(ApiError::param_refusal(name, &Violation::Invalid("is blank".to_owned())));
            }
            params.push(name.clone(), value.clone());
        }
        for upload in &form.files {
            let file = File::from_bytes(upload.file_name.clone(), upload.bytes.clone())
                .content_type(upload.content_type.clone());
            params.push_file(upload.name.clone(), file);
        }
        let handler = registered.handler.clone();
        drop(handlers);
        handler(&params)
    }

    /// A batch: one HTTP request whose body holds several calls, form-encoded and joined by
    /// a separator, with the system params and signature in the query.
    fn answer_batch(&self, request: &Incoming) -> Outgoing {
        let system = form::read_query(&request.target);
        let (format, format_refusal) = read_format(&system);
        let style = Style { format, simplify: format == Format::Json && system.get("simplify") == Some("true") };
        let Ok(body) = std::str::from_utf8(&request.body) else {
            return text(400, "a batch body is UTF-8 text".to_owned());
        };
        let separator = request.header(SEPARATOR_HEADER).unwrap_or(DEFAULT_SEPARATOR);
        // A fault of the next calls plays on a batch as a whole.
        let fault = self.take_fault(None);
        let checked = match (format_refusal, &fault) {
            (Some(refusal), _) => Err(refusal),
            (None, Some(fault)) if fault.refusal().is_some() => Err(fault.refusal().expect("checked")),
            (None, _) => self.check_call(&system, body),
        };
        if let Err(refusal) = checked {
            // The whole batch is refused: one piece.
            let request_id = self.request_id();
            self.record(request, &system, None, Some(refusal.code()), false);
            return self.play(fault, request, format, encode::refusal(format, &refusal, &request_id));
        }
        let mut pieces = crate::batch::split(body.as_bytes(), separator.as_bytes());
        let mut public = Vec::new();
        if let Some(first) = pieces.first().and_then(|p| p.strip_prefix(PUBLIC_MARK.as_bytes())) {
            public = form::parse_pairs(first);
            pieces.remove(0);
        }
        let mut answers = Vec::with_capacity(pieces.len());
        for piece in pieces {
            let mut call = Form::default();
            for (name, value) in system.params.iter().filter(|(name, _)| name != "sign") {
                call.push(name.clone(), value.clone());
            }
            for (name, value) in form::parse_pairs(piece).into_iter().chain(public.iter().cloned()) {
                call.push(name, value);
            }
            let method = present(&call, "method").map(str::to_owned);
            let (answer, error_code) = self.encode(style, method.as_deref(), &self.run(&call));
            self.record(request, &call, method, error_code, false);
            answers.push(answer);
        }
        self.play(fault, request, format, answers.join(separator))
    }

    /// A request id for one answer.
    fn request_id(&self) -> String {
        format!("sbx{:x}", self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// An outcome written as the gateway writes it, and its error code if it is a refusal.
    fn encode(&self, style: Style, method: Option<&str>, outcome: &Result<Node, ApiError>) -> (String, Option<i64>) {
        let request_id = self.request_id();
        match outcome {
            Ok(payload) => (encode::success(style, method.unwrap_or(""), payload, &request_id), None),
            Err(refusal) => (encode::refusal(style.format, refusal, &request_id), Some(refusal.code())),
        }
    }

    /// A 200 answer, gzipped when the sandbox is set to and the client accepts it.
    fn reply(&self, request: &Incoming, format: Format, body: String) -> Outgoing {
        let content_type = content_type(format);
        if self.gzip_for(request) {
            return Outgoing::Answer { status: 200, content_type, body: gzip(body.as_bytes()), gzip: true };
        }
        Outgoing::Answer { status: 200, content_type, body: body.into_bytes(), gzip: false }
    }

    fn gzip_for(&self, request: &Incoming) -> bool {
        self.gzip
            && request
                .header("accept-encoding")
                .is_some_and(|v| v.split(',').any(|coding| coding.trim().split(';').next() == Some("gzip")))
    }

    fn take_fault(&self, method: Option<&str>) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(fault) = method.and_then(|m| faults.by_method.get(m)) {
            return Some(fault.clone());
        }
        let (left, fault) = faults.next.first_mut()?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            faults.next.remove(0);
        }
        Some(fault)
    }

    fn record(&self, request: &Incoming, form: &Form, method: Option<String>, error_code: Option<i64>, gzipped: bool) {
        if self.call_log == 0 {
            return;
        }
        let call = Call {
            http_method: request.method.clone(),
            batch: request.target.starts_with(BATCH_PATH),
            method,
            params: form.params.iter().filter(|(name, _)| name != "sign").cloned().collect(),
            files: form.files.clone(),
            error_code,
            gzipped,
        };
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        if calls.len() >= self.call_log {
            calls.pop_front();
        }
        calls.push_back(call);
    }
}

/// A timestamp is `yyyy-MM-dd HH:mm:ss` in GMT+8, or epoch milliseconds (as the official
/// Python SDK sends), within ten minutes of now.
fn check_timestamp(text: &str) -> Result<(), ApiError> {
    let invalid = |why: &str| refuse(31, "Invalid Timestamp").with_sub("isv.invalid-timestamp", why.to_owned());
    let at = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let millis: u64 = text.parse().map_err(|_| invalid("the epoch milliseconds are out of range"))?;
        UNIX_EPOCH
            .checked_add(Duration::from_millis(millis))
            .ok_or_else(|| invalid("the epoch milliseconds are out of range"))?
    } else {
        SystemTime::from(DateTime::parse(text).map_err(|_| invalid("expected yyyy-MM-dd HH:mm:ss in GMT+8"))?)
    };
    let now = SystemTime::now();
    let drift = at.duration_since(now).or_else(|_| now.duration_since(at)).unwrap_or_default();
    if drift > DRIFT {
        return Err(invalid("the timestamp is more than 10 minutes away from the gateway's clock"));
    }
    Ok(())
}

fn text(status: u16, body: String) -> Outgoing {
    Outgoing::Answer { status, content_type: "text/plain;charset=UTF-8", body: body.into_bytes(), gzip: false }
}

/// A param that is sent and not blank.
fn present<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    form.get(name).filter(|v| !v.trim().is_empty())
}

/// The format asked for; an unknown one is refused in the gateway's default, XML.
fn read_format(form: &Form) -> (Format, Option<ApiError>) {
    match form.get("format") {
        None | Some("xml") => (Format::Xml, None),
        Some("json") => (Format::Json, None),
        Some(_) => (Format::Xml, Some(refuse(23, "Invalid Format"))),
    }
}

fn content_type(format: Format) -> &'static str {
    match format {
        Format::Json => "application/json;charset=UTF-8",
        Format::Xml => "text/xml;charset=UTF-8",
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use proptest::prelude::*;

    use super::http::{read_request, Incoming};
    use super::*;

    /// A real, signed call to mutate.
    fn valid_request(sandbox: &Sandbox) -> Vec<u8> {
        let mut params = sandbox.client().build().unwrap().system_params(
            Some("alibaba.idle.interact.loan.user.query"),
            None,
            &crate::CallOptions::default(),
        );
        for (name, value) in [("user", "3"), ("scene_code", "xx"), ("env", "pre")] {
            params.push(name, value);
        }
        let sign = sign::sign(params.iter(), sandbox.app_secret(), SignMethod::HmacSha256);
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter())
            .append_pair("sign", &sign)
            .finish();
        format!(
            "POST /router/rest HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn answer(sandbox: &Sandbox, raw: &[u8]) {
        if let Ok(Some(request)) = read_request(&mut BufReader::new(raw)) {
            let _ = sandbox.state.answer(request);
        }
    }

    #[test]
    fn the_valid_request_is_answered() {
        let sandbox = Sandbox::start().unwrap();
        let request = read_request(&mut BufReader::new(&valid_request(&sandbox)[..])).unwrap().unwrap();
        let http::Outgoing::Answer { status, body, .. } = sandbox.state.answer(request) else { panic!("no answer") };
        assert_eq!(status, 200);
        // The mutations start from a call the gateway accepts, so they reach its deeper paths.
        let body = String::from_utf8(body).unwrap();
        assert!(body.contains("\"idle_point_result\":") && !body.contains("error_response"), "{body}");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_parser(raw in prop::collection::vec(any::<u8>(), 0..1024)) {
            let sandbox = Sandbox::builder().seed_examples(true).start().unwrap();
            answer(&sandbox, &raw);
        }

        #[test]
        fn mutated_calls_never_panic_the_gateway(
            edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..12),
        ) {
            let sandbox = Sandbox::start().unwrap();
            let mut raw = valid_request(&sandbox);
            for (at, byte, op) in edits {
                let at = at % raw.len().max(1);
                match op {
                    0 if !raw.is_empty() => raw[at] = byte,
                    1 => raw.insert(at, byte),
                    _ if !raw.is_empty() => { raw.remove(at); }
                    _ => {}
                }
            }
            answer(&sandbox, &raw);
        }

        #[test]
        fn arbitrary_params_never_panic_the_gateway(
            target in "/router/(rest|batch)(\\?[a-z_=&%0-9A-F.:-]{0,80})?",
            content_type in prop::sample::select(vec![
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "text/plain", "",
            ]),
            params in prop::collection::vec((
                prop::sample::select(vec!["method", "app_key", "timestamp", "v", "sign", "sign_method", "format",
                    "simplify", "session", "user", "scene_code", "env", "user_id", "x"]),
                ".{0,24}",
            ), 0..12),
            separator in prop::option::of("[-a-zA-Z \\r\\n]{0,6}"),
        ) {
            let sandbox = Sandbox::start().unwrap();
            let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
            let mut headers = vec![("Content-Type".to_owned(), content_type.to_owned())];
            if let Some(separator) = separator {
                headers.push((SEPARATOR_HEADER.to_owned(), separator));
            }
            let request = Incoming { method: "POST".into(), target, headers, body: body.into_bytes(), http10: false };
            let _ = sandbox.state.answer(request);
        }
    }
}
