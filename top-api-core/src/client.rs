//! The blocking client.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::batch::{self, Batch};
use crate::envelope;
use crate::error::{body_prefix, redact};
use crate::request::{Request, SessionNeed, WithoutSession};
use crate::retry::{RateLimiter, RetryPolicy};
use crate::transport::{HttpRequest, Transport, UreqTransport};
use crate::{sign, ApiError, DateTime, Error, Format, Params, Response, SignMethod};

/// The production gateway.
pub const DEFAULT_GATEWAY: &str = "https://eco.taobao.com/router/rest";

/// The `partner_id` the client sends unless told otherwise: the crate's name and version.
pub const DEFAULT_PARTNER_ID: &str = concat!("top-api-rust-", env!("CARGO_PKG_VERSION"));

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=UTF-8";

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A text that must never be shown: the app secret or a session.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// A TOP client: signs calls with the app's key and secret and sends them to the gateway.
///
/// Cloning is cheap (one `Arc`); clones share the connection pool.
///
/// # Examples
///
/// ```no_run
/// use top_api::apis::{AlibabaIdleInteractLoanUserQuery, TaobaoBaodianDepositGet};
///
/// let client = top_api::Client::builder("12345678", "app-secret").build()?;
/// let answer = client.execute(&AlibabaIdleInteractLoanUserQuery {
///     user: "3".into(),
///     scene_code: "xx".into(),
///     env: "pre".into(),
/// })?;
/// println!("{:?} (request {:?})", answer.idle_point_result, answer.request_id());
///
/// let deposit = client.with_session("user-session").execute(&TaobaoBaodianDepositGet)?;
/// println!("{:?}", deposit.user_coin_deposit);
/// # Ok::<(), top_api::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    app_key: String,
    secret: Secret,
    gateway: String,
    batch_gateway: String,
    partner_id: String,
    headers: Vec<(String, String)>,
    sign_method: SignMethod,
    format: Format,
    simplify: bool,
    transport: Box<dyn Transport>,
    clock: Clock,
    retry: RetryPolicy,
    limiter: Option<RateLimiter>,
}

impl Client {
    /// Starts a client for the app `app_key` signing with `app_secret`.
    pub fn builder(app_key: impl Into<String>, app_secret: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(app_key.into(), app_secret.into())
    }

    /// A client configured from `TOP_APP_KEY`, `TOP_APP_SECRET` and, when set, `TOP_GATEWAY`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the key or the secret is not set, or the gateway is not an
    /// HTTP(S) URL.
    pub fn from_env() -> Result<Client, Error> {
        Client::builder_from_env()?.build()
    }

    /// A builder configured from the environment, as [`Client::from_env`], to adjust further.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `TOP_APP_KEY` or `TOP_APP_SECRET` is not set.
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.trim().is_empty());
        let app_key = var("TOP_APP_KEY").ok_or_else(|| Error::Config("TOP_APP_KEY is not set".to_owned()))?;
        let secret = var("TOP_APP_SECRET").ok_or_else(|| Error::Config("TOP_APP_SECRET is not set".to_owned()))?;
        let mut builder = Client::builder(app_key, secret);
        if let Some(gateway) = var("TOP_GATEWAY") {
            builder = builder.gateway(gateway);
        }
        Ok(builder)
    }

    /// Calls an API that needs no session.
    ///
    /// An API declared `session = "required"` does not compile here: call it through
    /// [`Client::with_session`].
    ///
    /// # Errors
    ///
    /// [`Error::Api`] when the gateway refuses the call; [`Error::Check`] when a param
    /// breaks a check declared on its field (nothing is sent); [`Error::Transport`],
    /// [`Error::Status`] and [`Error::Decode`] when the answer cannot be had or read.
    pub fn execute<R: Request + WithoutSession>(&self, request: &R) -> Result<Response<R::Response>, Error> {
        self.execute_typed(request, None, &CallOptions::default())
    }

    /// Calls an API that needs no session, with per-call options.
    ///
    /// # Errors
    ///
    /// As [`Client::execute`].
    pub fn execute_with<R: Request + WithoutSession>(
        &self,
        request: &R,
        options: &CallOptions,
    ) -> Result<Response<R::Response>, Error> {
        self.execute_typed(request, None, options)
    }

    /// Calls any API by name, for APIs no struct declares yet: the same params, signing
    /// and envelope code as a typed call, answering the payload as JSON.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let client = top_api::Client::builder("12345678", "app-secret").build()?;
    /// let answer = client.call("taobao.time.get", [("fields", "time")])?;
    /// println!("{} (request {:?})", answer.get(), answer.request_id());
    /// # Ok::<(), top_api::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Client::execute`].
    pub fn call<I, K, V>(&self, method: &str, params: I) -> Result<Response<serde_json::Value>, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.call_untyped(method, params, None, &CallOptions::default())
    }

    /// Calls any API by name and returns the answer's body as it came, once the HTTP
    /// status is 200: for tools that print or store it.
    ///
    /// # Errors
    ///
    /// [`Error::Transport`] and [`Error::Status`]; the body is not read, so a refusal is
    /// returned as text.
    pub fn call_raw<I, K, V>(&self, method: &str, params: I) -> Result<String, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.call_raw_inner(method, params, None, &CallOptions::default())
    }

    /// The params a call of `request` would send now, `sign` last: for checking a
    /// signature by hand, or seeing what goes on the wire. Nothing is sent.
    ///
    /// # Errors
    ///
    /// As [`Client::execute`] for a request whose params cannot be written.
    pub fn wire_params<R: Request>(&self, request: &R, session: Option<&str>) -> Result<Params, Error> {
        let session = session.filter(|s| !s.trim().is_empty());
        let mut params = self.system_params(Some(R::METHOD), session, &CallOptions::default());
        request.write_params(&mut params)?;
        let sign = sign::sign(params.iter(), &self.inner.secret.0, self.inner.sign_method);
        params.push("sign", sign);
        Ok(params)
    }

    /// A handle that sends `session` (the user's access token) with every call.
    pub fn with_session(&self, session: impl Into<String>) -> SessionClient {
        SessionClient { client: self.clone(), session: Secret(session.into()) }
    }

    /// Starts a batch of calls sent in one HTTP request to `/router/batch`.
    pub fn batch(&self) -> Batch<'_, batch::NoSession> {
        Batch::new(self, None)
    }

    /// The shape JSON answers come in: as asked with `simplify`.
    pub(crate) fn shape(&self) -> envelope::Shape {
        if self.inner.simplify && self.inner.format == Format::Json {
            envelope::Shape::Simplified
        } else {
            envelope::Shape::Wrapped
        }
    }

    /// The app key.
    pub fn app_key(&self) -> &str {
        &self.inner.app_key
    }

    /// The gateway URL calls go to.
    pub fn gateway(&self) -> &str {
        &self.inner.gateway
    }

    /// The URL batches go to.
    pub fn batch_gateway(&self) -> &str {
        &self.inner.batch_gateway
    }

    fn execute_typed<R: Request>(
        &self,
        request: &R,
        session: Option<&Secret>,
        options: &CallOptions,
    ) -> Result<Response<R::Response>, Error> {
        let session = live(session);
        if R::SESSION == SessionNeed::Required && session.is_none() {
            return Err(Error::MissingSession { method: R::METHOD });
        }
        let idempotent = options.idempotent.unwrap_or(R::IDEMPOTENT);
        self.with_retries(R::METHOD, idempotent, || {
            let mut params = self.system_params(Some(R::METHOD), session, options);
            request.write_params(&mut params)?;
            let (body, sign) = self.exchange(params, session, options)?;
            envelope::decode_as::<R::Response>(&body, self.inner.format, R::METHOD, self.shape())
                .map_err(|err| self.redact(err, session, &sign))
        })
    }

    /// Runs one call, under flow control, as many times as the retry policy allows, and
    /// logs each attempt: method, latency, request id and error code, never the params,
    /// the session, the secret or the signature.
    fn with_retries<T>(
        &self,
        method: &str,
        idempotent: bool,
        mut attempt_call: impl FnMut() -> Result<Response<T>, Error>,
    ) -> Result<Response<T>, Error> {
        let mut attempt = 1;
        loop {
            if let Some(limiter) = &self.inner.limiter {
                limiter.acquire();
            }
            // The clock is read only for a record someone will see.
            let started = (log::max_level() >= log::LevelFilter::Info).then(Instant::now);
            let result = attempt_call();
            let millis = started.map_or(0, |started| started.elapsed().as_millis());
            let err = match result {
                Ok(response) => {
                    log::debug!(
                        target: "top_api",
                        "{method} ok in {millis} ms, request_id {}, attempt {attempt}",
                        response.request_id().unwrap_or("-")
                    );
                    return Ok(response);
                }
                Err(err) => err,
            };
            let api = err.api();
            let (code, sub_code, request_id) = (
                api.map_or(String::from("-"), |api| api.code().to_string()),
                api.and_then(ApiError::sub_code).unwrap_or("-"),
                api.and_then(ApiError::request_id).unwrap_or("-"),
            );
            let Some(delay) = self.inner.retry.delay(&err, attempt, idempotent) else {
                log::info!(
                    target: "top_api",
                    "{method} failed in {millis} ms, {:?}, code {code}, sub_code {sub_code}, request_id {request_id}, attempt {attempt}",
                    err.kind()
                );
                return Err(err);
            };
            log::info!(
                target: "top_api",
                "{method} failed in {millis} ms, {:?}, code {code}, sub_code {sub_code}, request_id {request_id}, attempt {attempt}; retrying in {} ms",
                err.kind(),
                delay.as_millis()
            );
            std::thread::sleep(delay);
            attempt += 1;
        }
    }

    fn call_untyped<I, K, V>(
        &self,
        method: &str,
        pairs: I,
        session: Option<&Secret>,
        options: &CallOptions,
    ) -> Result<Response<serde_json::Value>, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let session = live(session);
        self.untyped(method, pairs, session, options, |body, sign| {
            envelope::decode_as(body, self.inner.format, method, self.shape())
                .map_err(|err| self.redact(err, session, sign))
        })
    }

    fn call_raw_inner<I, K, V>(
        &self,
        method: &str,
        pairs: I,
        session: Option<&Secret>,
        options: &CallOptions,
    ) -> Result<String, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let session = live(session);
        self.untyped(method, pairs, session, options, |body, _| {
            Ok(Response::new(String::from_utf8_lossy(body).into_owned(), None))
        })
        .map(Response::into_inner)
    }

    /// A call of an API that no type declares, under the same flow control, retries and
    /// logging as a typed one; `read` makes the answer of the body and the signature.
    fn untyped<I, K, V, T>(
        &self,
        method: &str,
        pairs: I,
        session: Option<&str>,
        options: &CallOptions,
        read: impl Fn(&[u8], &str) -> Result<Response<T>, Error>,
    ) -> Result<Response<T>, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let pairs: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        // Nothing declares whether an untyped API reads: it is treated as a write.
        let idempotent = options.idempotent.unwrap_or(false);
        self.with_retries(method, idempotent, || {
            let mut params = self.system_params(Some(method), session, options);
            for (name, value) in &pairs {
                params.push(name.clone(), value);
            }
            let (body, sign) = self.exchange(params, session, options)?;
            read(&body, &sign)
        })
    }

    /// The system params (`method` left out for a batch), in the order they are sent.
    pub(crate) fn system_params(&self, method: Option<&str>, session: Option<&str>, options: &CallOptions) -> Params {
        let inner = &*self.inner;
        let mut params = Params::with_capacity(16);
        if let Some(method) = method {
            params.push("method", method);
        }
        params.push("app_key", inner.app_key.as_str());
        params.push_value("timestamp", &DateTime::from((inner.clock)()));
        params.push("v", "2.0");
        params.push("sign_method", inner.sign_method.as_str());
        params.push("format", inner.format.as_str());
        if inner.simplify && inner.format == Format::Json {
            params.push("simplify", "true");
        }
        if let Some(session) = session {
            params.push("session", session);
        }
        params.push("partner_id", inner.partner_id.as_str());
        if let Some(target) = &options.target_app_key {
            params.push("target_app_key", target.as_str());
        }
        params
    }

    /// Signs and sends one call; returns the body of a 200 answer and the signature.
    fn exchange(
        &self,
        params: Params,
        session: Option<&str>,
        options: &CallOptions,
    ) -> Result<(Vec<u8>, String), Error> {
        let inner = &*self.inner;
        let sign = sign::sign(params.iter(), &inner.secret.0, inner.sign_method);
        let (content_type, body) = if params.files().len() == 0 {
            let mut form = Vec::with_capacity(512);
            for (name, value) in params.iter().chain(std::iter::once(("sign", sign.as_str()))) {
                if !form.is_empty() {
                    form.push(b'&');
                }
                form_encode(&mut form, name);
                form.push(b'=');
                form_encode(&mut form, value);
            }
            (FORM_CONTENT_TYPE.to_owned(), form)
        } else {
            multipart(&params, &sign)
        };
        let body = self.send(&inner.gateway, &content_type, &body, &[], options, session, &sign)?;
        Ok((body, sign))
    }

    /// Sends a body and checks the status; errors are redacted of the secrets.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn send(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        extra_headers: &[(String, String)],
        options: &CallOptions,
        session: Option<&str>,
        sign: &str,
    ) -> Result<Vec<u8>, Error> {
        let inner = &*self.inner;
        let mut headers = inner.headers.clone();
        headers.extend_from_slice(extra_headers);
        let http = HttpRequest { url, content_type, body, headers: &headers, timeout: options.timeout };
        let answer = inner.transport.send(&http).map_err(Error::Transport)?;
        if answer.status != 200 {
            let body = redact(&body_prefix(&answer.body), &self.secrets(session, sign));
            return Err(Error::Status { status: answer.status, body });
        }
        Ok(answer.body)
    }

    pub(crate) fn redact(&self, err: Error, session: Option<&str>, sign: &str) -> Error {
        match err {
            Error::Decode(mut decode) => {
                decode.redact(&self.secrets(session, sign));
                Error::Decode(decode)
            }
            other => other,
        }
    }

    /// What an error must never show: the app secret, the session, the signature.
    fn secrets<'a>(&'a self, session: Option<&'a str>, sign: &'a str) -> [&'a str; 3] {
        [self.inner.secret.0.as_str(), session.unwrap_or(""), sign]
    }

    pub(crate) fn secret(&self) -> &str {
        &self.inner.secret.0
    }

    pub(crate) fn sign_method(&self) -> SignMethod {
        self.inner.sign_method
    }

    pub(crate) fn format(&self) -> Format {
        self.inner.format
    }
}

/// Appends `text` form-encoded (`application/x-www-form-urlencoded`, as the WHATWG URL
/// standard and `form_urlencoded` write it: space as `+`, `*-._` and alphanumerics as they
/// are, every other byte as `%XX`). Every call encodes a dozen params: the profile showed the
/// general-purpose encoder at a tenth of a call's instructions, this one at a fraction.
fn form_encode(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(byte),
            b' ' => out.push(b'+'),
            _ => out.extend_from_slice(&[b'%', HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]]),
        }
    }
}

/// A session that is not blank.
fn live(session: Option<&Secret>) -> Option<&str> {
    session.map(|s| s.0.as_str()).filter(|s| !s.trim().is_empty())
}

/// A `multipart/form-data` body: each text param a part, each file a part with its file
/// name and content type (protocol.md section 1).
fn multipart(params: &Params, sign: &str) -> (String, Vec<u8>) {
    use std::hash::{BuildHasher, Hasher};
    // A boundary that no content will hold: 128 random bits.
    let random = || std::collections::hash_map::RandomState::new().build_hasher().finish();
    let boundary = format!("top-api-{:016x}{:016x}", random(), random());
    let mut body = Vec::with_capacity(1024);
    let quote = |text: &str| text.replace('"', "%22").replace(['\r', '\n'], " ");
    for (name, value) in params.iter().chain(std::iter::once(("sign", sign))) {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n", quote(name)).as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    for (name, file) in params.files() {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                quote(name),
                quote(file.file_name()),
                quote(file.content_type_str())
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Options for one call: its `target_app_key`, its own timeout, whether it is safe to repeat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct CallOptions {
    target_app_key: Option<String>,
    timeout: Option<Duration>,
    idempotent: Option<bool>,
}

impl CallOptions {
    /// No options: the client's settings.
    pub fn new() -> CallOptions {
        CallOptions::default()
    }

    /// Sends `target_app_key`, for an API served by another ISV's app.
    pub fn target_app_key(mut self, app_key: impl Into<String>) -> CallOptions {
        self.target_app_key = Some(app_key.into());
        self
    }

    /// Bounds the whole call (connect, send, answer) by `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> CallOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Says whether this call is safe to repeat, over what the API declares: `true` lets
    /// the retry policy send a write again after a transient fault.
    pub fn idempotent(mut self, idempotent: bool) -> CallOptions {
        self.idempotent = Some(idempotent);
        self
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("app_key", &inner.app_key)
            .field("app_secret", &inner.secret)
            .field("gateway", &inner.gateway)
            .field("sign_method", &inner.sign_method)
            .field("format", &inner.format)
            .field("simplify", &inner.simplify)
            .field("partner_id", &inner.partner_id)
            .finish_non_exhaustive()
    }
}

/// A client that sends a user's session with every call; made by [`Client::with_session`].
#[derive(Clone)]
pub struct SessionClient {
    client: Client,
    session: Secret,
}

impl SessionClient {
    /// Calls any API with the session.
    ///
    /// # Errors
    ///
    /// As [`Client::execute`], and [`Error::MissingSession`] when the API needs a session
    /// and the one given is blank.
    pub fn execute<R: Request>(&self, request: &R) -> Result<Response<R::Response>, Error> {
        self.client.execute_typed(request, Some(&self.session), &CallOptions::default())
    }

    /// Calls any API with the session and per-call options.
    ///
    /// # Errors
    ///
    /// As [`SessionClient::execute`].
    pub fn execute_with<R: Request>(&self, request: &R, options: &CallOptions) -> Result<Response<R::Response>, Error> {
        self.client.execute_typed(request, Some(&self.session), options)
    }

    /// Calls any API by name with the session, as [`Client::call`].
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub fn call<I, K, V>(&self, method: &str, params: I) -> Result<Response<serde_json::Value>, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.client.call_untyped(method, params, Some(&self.session), &CallOptions::default())
    }

    /// Calls any API by name with the session, as [`Client::call_raw`].
    ///
    /// # Errors
    ///
    /// As [`Client::call_raw`].
    pub fn call_raw<I, K, V>(&self, method: &str, params: I) -> Result<String, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.client.call_raw_inner(method, params, Some(&self.session), &CallOptions::default())
    }

    /// Starts a batch whose calls all carry the session.
    pub fn batch(&self) -> Batch<'_, batch::WithSession> {
        Batch::new(&self.client, Some(self.session.0.as_str()))
    }

    /// The client underneath.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl fmt::Debug for SessionClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionClient").field("client", &self.client).field("session", &self.session).finish()
    }
}

/// Configures a [`Client`]; made by [`Client::builder`].
///
/// | setting | default |
/// |---|---|
/// | [`gateway`](Self::gateway) | `https://eco.taobao.com/router/rest` |
/// | [`sign_method`](Self::sign_method) | [`SignMethod::HmacSha256`] |
/// | [`format`](Self::format) | [`Format::Json`] |
/// | [`simplify`](Self::simplify) | `false` |
/// | [`connect_timeout`](Self::connect_timeout) | 15 s |
/// | [`read_timeout`](Self::read_timeout) | 30 s |
/// | [`max_body`](Self::max_body) | 10 MiB |
/// | [`batch_gateway`](Self::batch_gateway) | the gateway with `/rest` turned into `/batch` |
/// | [`partner_id`](Self::partner_id) | `top-api-rust-<version>` |
/// | [`header`](Self::header) | none |
/// | [`proxy`](Self::proxy) | none |
/// | [`retry`](Self::retry) | [`RetryPolicy::none`]: no retries |
/// | [`rate_limit`](Self::rate_limit) | none |
/// | [`transport`](Self::transport) | a blocking ureq agent with keep-alive, rustls and gzip |
/// | [`clock`](Self::clock) | the system clock |
#[must_use]
pub struct ClientBuilder {
    app_key: String,
    secret: Secret,
    gateway: String,
    batch_gateway: Option<String>,
    partner_id: String,
    headers: Vec<(String, String)>,
    proxy: Option<String>,
    sign_method: SignMethod,
    format: Format,
    simplify: bool,
    connect_timeout: Duration,
    read_timeout: Duration,
    max_body: u64,
    transport: Option<Box<dyn Transport>>,
    clock: Clock,
    retry: RetryPolicy,
    rate_limit: Option<(f64, u32)>,
}

impl ClientBuilder {
    fn new(app_key: String, secret: String) -> ClientBuilder {
        ClientBuilder {
            app_key,
            secret: Secret(secret),
            gateway: DEFAULT_GATEWAY.to_owned(),
            batch_gateway: None,
            partner_id: DEFAULT_PARTNER_ID.to_owned(),
            headers: Vec::new(),
            proxy: None,
            sign_method: SignMethod::default(),
            format: Format::default(),
            simplify: false,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            max_body: 10 * 1024 * 1024,
            transport: None,
            clock: Arc::new(SystemTime::now),
            retry: RetryPolicy::none(),
            rate_limit: None,
        }
    }

    /// The gateway URL (default `https://eco.taobao.com/router/rest`).
    pub fn gateway(mut self, url: impl Into<String>) -> Self {
        self.gateway = url.into();
        self
    }

    /// Where batches go (default: the gateway with a trailing `/rest` turned into `/batch`,
    /// `https://eco.taobao.com/router/batch`).
    pub fn batch_gateway(mut self, url: impl Into<String>) -> Self {
        self.batch_gateway = Some(url.into());
        self
    }

    /// The `partner_id` sent and signed with every call (default `top-api-rust-<version>`);
    /// a blank one is not sent.
    pub fn partner_id(mut self, partner_id: impl Into<String>) -> Self {
        self.partner_id = partner_id.into();
        self
    }

    /// Adds an HTTP header to every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends through an HTTP proxy, such as `http://127.0.0.1:3128` (default: none; the
    /// `ALL_PROXY`/`HTTPS_PROXY` environment is not read).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// How calls are signed (default [`SignMethod::HmacSha256`]).
    pub fn sign_method(mut self, method: SignMethod) -> Self {
        self.sign_method = method;
        self
    }

    /// The format answers are asked in (default [`Format::Json`]).
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Asks for simplified JSON answers (default `false`; ignored for XML). Answers decode
    /// to the same types either way.
    pub fn simplify(mut self, simplify: bool) -> Self {
        self.simplify = simplify;
        self
    }

    /// How long connecting may take (default 15 s, as the official SDKs).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the gateway may stay silent while the answer is read (default 30 s, as the
    /// official SDKs).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// The largest answer body read, in bytes (default 10 MiB); a larger one is a
    /// transport error, not read into memory.
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sends calls through `transport` instead of the ureq agent (tests use
    /// [`FakeTransport`](crate::transport::FakeTransport)). Timeouts and `max_body` then
    /// are the transport's business.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Box::new(transport));
        self
    }

    /// Reads the time for the `timestamp` param from `clock` (default the system clock).
    /// Whatever the clock, the timestamp is written in GMT+8.
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Retries failed calls by `policy` (default [`RetryPolicy::none`]: no retries).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Limits calls to `per_second` on average and `burst` at once, across every clone of
    /// the client and every thread (default: no limit). Calls wait their turn.
    pub fn rate_limit(mut self, per_second: f64, burst: u32) -> Self {
        self.rate_limit = Some((per_second, burst));
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the app key or secret is blank, or the gateway is not an
    /// `http://` or `https://` URL.
    pub fn build(self) -> Result<Client, Error> {
        if self.app_key.trim().is_empty() {
            return Err(Error::Config("the app key is blank".to_owned()));
        }
        if self.secret.0.is_empty() {
            return Err(Error::Config("the app secret is blank".to_owned()));
        }
        let scheme_ok = ["http://", "https://"].iter().any(|scheme| {
            self.gateway.get(..scheme.len()).is_some_and(|head| head.eq_ignore_ascii_case(scheme))
                && self.gateway.len() > scheme.len()
        });
        if !scheme_ok {
            return Err(Error::Config(format!("the gateway `{}` is not an http:// or https:// URL", self.gateway)));
        }
        let transport = match self.transport {
            Some(transport) => transport,
            None => Box::new(UreqTransport::new(
                self.connect_timeout,
                self.read_timeout,
                self.max_body,
                self.proxy.as_deref(),
            )?),
        };
        let limiter = match self.rate_limit {
            None => None,
            Some((rate, burst)) if rate.is_finite() && rate > 0.0 => Some(RateLimiter::new(rate, burst)),
            Some((rate, _)) => {
                return Err(Error::Config(format!(
                    "the rate limit must be a positive number of calls a second, not {rate}"
                )))
            }
        };
        let batch_gateway = self.batch_gateway.unwrap_or_else(|| match self.gateway.strip_suffix("/rest") {
            Some(base) => format!("{base}/batch"),
            None => self.gateway.clone(),
        });
        Ok(Client {
            inner: Arc::new(Inner {
                app_key: self.app_key,
                secret: self.secret,
                gateway: self.gateway,
                batch_gateway,
                partner_id: self.partner_id,
                headers: self.headers,
                sign_method: self.sign_method,
                format: self.format,
                simplify: self.simplify,
                transport,
                clock: self.clock,
                retry: self.retry,
                limiter,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_key", &self.app_key)
            .field("app_secret", &self.secret)
            .field("gateway", &self.gateway)
            .field("sign_method", &self.sign_method)
            .field("format", &self.format)
            .field("simplify", &self.simplify)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_form_urlencoded() {
        let samples = ["", "plain", "a b", "宝贝 & co=1", "*-._~!'()%+/?#[]@", "\r\n\t\u{0}", "😀"];
        for sample in samples {
            let mut ours = Vec::new();
            form_encode(&mut ours, sample);
            let theirs: String = form_urlencoded::byte_serialize(sample.as_bytes()).collect();
            assert_eq!(String::from_utf8(ours).unwrap(), theirs, "{sample:?}");
        }
        let every: String = (0..=0x7f_u8).map(char::from).chain(['é', '宝']).collect();
        let mut ours = Vec::new();
        form_encode(&mut ours, &every);
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            form_urlencoded::byte_serialize(every.as_bytes()).collect::<String>()
        );
    }
}
