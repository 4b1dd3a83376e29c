//! The blocking client.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::envelope;
use crate::error::body_prefix;
use crate::request::{Request, SessionNeed, WithoutSession};
use crate::transport::{HttpRequest, Transport, UreqTransport};
use crate::{sign, DateTime, Error, Format, Params, Response, SignMethod};

/// The production gateway.
pub const DEFAULT_GATEWAY: &str = "https://eco.taobao.com/router/rest";

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
    sign_method: SignMethod,
    format: Format,
    simplify: bool,
    transport: Box<dyn Transport>,
    clock: Clock,
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
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        };
        let app_key =
            var("TOP_APP_KEY").ok_or_else(|| Error::Config("TOP_APP_KEY is not set".to_owned()))?;
        let secret = var("TOP_APP_SECRET")
            .ok_or_else(|| Error::Config("TOP_APP_SECRET is not set".to_owned()))?;
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
    /// [`Error::Api`] when the gateway refuses the call; [`Error::Transport`],
    /// [`Error::Status`] and [`Error::Decode`] when the answer cannot be had or read.
    pub fn execute<R: Request + WithoutSession>(
        &self,
        request: &R,
    ) -> Result<Response<R::Response>, Error> {
        self.call(request, None)
    }

    /// A handle that sends `session` (the user's access token) with every call.
    pub fn with_session(&self, session: impl Into<String>) -> SessionClient {
        SessionClient {
            client: self.clone(),
            session: Secret(session.into()),
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

    fn call<R: Request>(
        &self,
        request: &R,
        session: Option<&Secret>,
    ) -> Result<Response<R::Response>, Error> {
        let inner = &*self.inner;
        let session = session
            .map(|s| s.0.as_str())
            .filter(|s| !s.trim().is_empty());
        if R::SESSION == SessionNeed::Required && session.is_none() {
            return Err(Error::MissingSession { method: R::METHOD });
        }
        let params = self.params(request, session)?;
        let sign = sign::sign(params.iter(), &inner.secret.0, inner.sign_method);
        let mut body = form_urlencoded::Serializer::new(String::with_capacity(512));
        body.extend_pairs(params.iter());
        body.append_pair("sign", &sign);
        let body = body.finish();

        let http = HttpRequest {
            url: &inner.gateway,
            content_type: FORM_CONTENT_TYPE,
            body: body.as_bytes(),
        };
        let answer = inner.transport.send(&http).map_err(Error::Transport)?;
        let secrets = [
            inner.secret.0.as_str(),
            session.unwrap_or(""),
            sign.as_str(),
        ];
        if answer.status != 200 {
            return Err(Error::Status {
                status: answer.status,
                body: redact(body_prefix(&answer.body), &secrets),
            });
        }
        envelope::decode::<R>(&answer.body, inner.format).map_err(|err| match err {
            Error::Decode(mut err) => {
                err.redact(&secrets);
                Error::Decode(err)
            }
            other => other,
        })
    }

    /// The system params followed by the API's own.
    fn params<R: Request>(&self, request: &R, session: Option<&str>) -> Result<Params, Error> {
        let inner = &*self.inner;
        let mut params = Params::with_capacity(16);
        params.push("method", R::METHOD);
        params.push("app_key", inner.app_key.as_str());
        params.push("timestamp", DateTime::from((inner.clock)()).to_string());
        params.push("v", "2.0");
        params.push("sign_method", inner.sign_method.as_str());
        params.push("format", inner.format.as_str());
        if inner.simplify && inner.format == Format::Json {
            params.push("simplify", "true");
        }
        if let Some(session) = session {
            params.push("session", session);
        }
        request.write_params(&mut params)?;
        Ok(params)
    }
}

fn redact(mut text: String, secrets: &[&str]) -> String {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "***");
    }
    text
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
        self.client.call(request, Some(&self.session))
    }

    /// The client underneath.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl fmt::Debug for SessionClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionClient")
            .field("client", &self.client)
            .field("session", &self.session)
            .finish()
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
/// | [`transport`](Self::transport) | a blocking ureq agent with keep-alive, rustls and gzip |
/// | [`clock`](Self::clock) | the system clock |
#[must_use]
pub struct ClientBuilder {
    app_key: String,
    secret: Secret,
    gateway: String,
    sign_method: SignMethod,
    format: Format,
    simplify: bool,
    connect_timeout: Duration,
    read_timeout: Duration,
    max_body: u64,
    transport: Option<Box<dyn Transport>>,
    clock: Clock,
}

impl ClientBuilder {
    fn new(app_key: String, secret: String) -> ClientBuilder {
        ClientBuilder {
            app_key,
            secret: Secret(secret),
            gateway: DEFAULT_GATEWAY.to_owned(),
            sign_method: SignMethod::default(),
            format: Format::default(),
            simplify: false,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            max_body: 10 * 1024 * 1024,
            transport: None,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// The gateway URL (default `https://eco.taobao.com/router/rest`).
    pub fn gateway(mut self, url: impl Into<String>) -> Self {
        self.gateway = url.into();
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
            self.gateway
                .get(..scheme.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
                && self.gateway.len() > scheme.len()
        });
        if !scheme_ok {
            return Err(Error::Config(format!(
                "the gateway `{}` is not an http:// or https:// URL",
                self.gateway
            )));
        }
        let transport = match self.transport {
            Some(transport) => transport,
            None => Box::new(UreqTransport::new(
                self.connect_timeout,
                self.read_timeout,
                self.max_body,
            )),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                app_key: self.app_key,
                secret: self.secret,
                gateway: self.gateway,
                sign_method: self.sign_method,
                format: self.format,
                simplify: self.simplify,
                transport,
                clock: self.clock,
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
