//! The blocking client's public surface: the calls it makes, typed and untyped, with or
//! without a session. What happens to each call is in [`road`](crate::road).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use top_api_rules::Violation;

use crate::batch::{Batch, NoSession, WithSession};
use crate::builder::ClientBuilder;
use crate::error::CheckError;
use crate::limiter::RateLimiter;
use crate::request::{Request, WithoutSession};
use crate::retry::RetryPolicy;
use crate::transport::Transport;
use crate::{road, CallOptions, ConfigError, Error, Format, Params, Response, SignMethod};

/// The production gateway.
pub const DEFAULT_GATEWAY: &str = "https://eco.taobao.com/router/rest";

/// The Qimen router's URL on the platform, where Qimen APIs are sent.
pub const DEFAULT_QIMEN_GATEWAY: &str = "https://qimen.api.taobao.com/router/qimen/service";

/// The Qimen router of the platform's own sandbox.
const SANDBOX_QIMEN_GATEWAY: &str = "http://qimenapi.tbsandbox.com/router/qimen/service";

/// The authorize page of the platform's OAuth, where a user grants an app a session.
pub const DEFAULT_AUTHORIZE_URL: &str = "https://oauth.taobao.com/authorize";

/// The authorize page of the platform's own sandbox.
const SANDBOX_AUTHORIZE_URL: &str = "https://oauth.tbsandbox.com/authorize";

/// Where a service beside the gateway is when the builder does not say: `platform` for a
/// gateway on `taobao.com`, `sandbox` for one on the platform's sandbox (`tbsandbox.com`);
/// for any other gateway (a sandbox of one's own, a proxy) the gateway with `/router/rest`
/// turned into `path`, and `platform` when it does not end so.
fn beside_gateway(gateway: &str, platform: &str, sandbox: &str, path: &str) -> String {
    let rest = gateway.split_once("://").map_or(gateway, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let on = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if on("taobao.com") {
        return platform.to_owned();
    }
    if on("tbsandbox.com") {
        return sandbox.to_owned();
    }
    match gateway.strip_suffix("/router/rest") {
        Some(base) => format!("{base}{path}"),
        None => platform.to_owned(),
    }
}

/// Where Qimen calls go when the builder does not say (the embedded sandbox serves them at
/// `/router/qimen/service`).
pub(crate) fn qimen_gateway_for(gateway: &str) -> String {
    beside_gateway(gateway, DEFAULT_QIMEN_GATEWAY, SANDBOX_QIMEN_GATEWAY, "/router/qimen/service")
}

/// Where users authorize the app when the builder does not say (the embedded sandbox
/// serves the page at `/oauth/authorize`).
pub(crate) fn authorize_url_for(gateway: &str) -> String {
    beside_gateway(gateway, DEFAULT_AUTHORIZE_URL, SANDBOX_AUTHORIZE_URL, "/oauth/authorize")
}

/// The `partner_id` the client sends unless told otherwise: the crate's name and version.
pub const DEFAULT_PARTNER_ID: &str = concat!("top-api-rust-", env!("CARGO_PKG_VERSION"));

pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A text that must never be shown: the app secret or a session.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// A TOP client: signs calls with the app's key and secret and sends them to the gateway.
///
/// Cloning is cheap (one `Arc`); clones share the connection pool and the rate limit.
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
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) app_key: String,
    pub(crate) secret: Secret,
    pub(crate) gateway: String,
    pub(crate) batch_gateway: String,
    pub(crate) qimen_gateway: String,
    pub(crate) authorize_url: String,
    pub(crate) partner_id: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) sign_method: SignMethod,
    /// The secret made ready for `sign_method`.
    pub(crate) key: crate::sign::Key,
    pub(crate) format: Format,
    pub(crate) simplify: bool,
    /// Answers are read all or nothing.
    pub(crate) strict_answers: bool,
    /// The bound on a whole call, unless the call sets its own.
    pub(crate) timeout: Option<Duration>,
    pub(crate) transport: Box<dyn Transport>,
    pub(crate) clock: Clock,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<RateLimiter>,
    /// The limit shared through Redis.
    #[cfg(feature = "redis")]
    pub(crate) shared: Option<crate::shared::SharedLimiter>,
    /// The system params every call of this client sends alike, form-encoded once: see
    /// `road::constant_form`.
    pub(crate) form_constant: Vec<u8>,
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
    /// [`Error::Config`] when the key or the secret is not set, or the gateway cannot be
    /// used.
    pub fn from_env() -> Result<Client, Error> {
        Client::builder_from_env()?.build()
    }

    /// A builder configured from the environment, as [`Client::from_env`], to adjust further.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] ([`ConfigError::MissingEnv`]) when `TOP_APP_KEY` or
    /// `TOP_APP_SECRET` is not set.
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        let var = |name: &'static str| {
            std::env::var(name).ok().filter(|value| !value.trim().is_empty()).ok_or(ConfigError::MissingEnv { name })
        };
        let mut builder = Client::builder(var("TOP_APP_KEY")?, var("TOP_APP_SECRET")?);
        if let Ok(gateway) = var("TOP_GATEWAY") {
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
    /// [`Error::Status`], [`Error::NotAnAnswer`] and [`Error::Decode`] when the answer
    /// cannot be had or read.
    pub fn execute<R: Request + WithoutSession>(&self, request: &R) -> Result<Response<R::Response>, Error> {
        road::execute(self, request, None, &CallOptions::default())
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
        road::execute(self, request, None, options)
    }

    /// Calls any API by name, for APIs no struct declares yet: the same params, signing,
    /// flow control, retries and envelope code as a typed call, answering the payload as
    /// JSON. Such a call is taken for a write (never repeated after a transient fault)
    /// unless [`CallOptions::idempotent`] says otherwise.
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
    /// As [`Client::execute`], and [`Error::Check`] (nothing sent) for a param named like a
    /// system param (`sign`, `timestamp`, …) or given twice.
    pub fn call<I, K, V>(&self, method: &str, params: I) -> Result<Response<serde_json::Value>, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.call_with(method, params, &CallOptions::default())
    }

    /// [`Client::call`] with per-call options.
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub fn call_with<I, K, V>(
        &self,
        method: &str,
        params: I,
        options: &CallOptions,
    ) -> Result<Response<serde_json::Value>, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        road::call(self, method, &untyped_params(params)?, None, options)
    }

    /// Calls any API by name and returns the answer's body as it came, once the HTTP
    /// status is 200: for tools that print or store it.
    ///
    /// # Errors
    ///
    /// [`Error::Transport`] and [`Error::Status`]; the body is not read, so a refusal is
    /// returned as text. [`Error::Check`] as [`Client::call`].
    pub fn call_raw<I, K, V>(&self, method: &str, params: I) -> Result<String, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.call_raw_with(method, params, &CallOptions::default())
    }

    /// [`Client::call_raw`] with per-call options.
    ///
    /// # Errors
    ///
    /// As [`Client::call_raw`].
    pub fn call_raw_with<I, K, V>(&self, method: &str, params: I, options: &CallOptions) -> Result<String, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        road::call_raw(self, method, &untyped_params(params)?, None, options)
    }

    /// Calls a Qimen API by name, one no type declares (a WMS's or an ERP's own method):
    /// `params` go in the query with the system params (`customerId` among them), `body`
    /// (the `<request>` XML document) as it is, signed with it, to the
    /// [Qimen gateway](ClientBuilder::qimen_gateway). Returns the answer's XML as it came,
    /// once its `flag` said `success`. Not retried unless `options` say it is idempotent.
    ///
    /// # Examples
    ///
    /// ```
    /// use top_api::sandbox::{Node, Sandbox};
    ///
    /// let sandbox = Sandbox::start()?;
    /// sandbox.handle_qimen_untyped("wms.custom.stock.query", |params| {
    ///     let body = params.get("request").unwrap_or("");
    ///     Ok(Node::Object(None, vec![("echo".into(), Node::Text(body.len().to_string()))]))
    /// });
    /// let client = sandbox.client().build()?;
    /// let body = "<request><itemCode>I1</itemCode></request>";
    /// let xml = client.call_qimen("wms.custom.stock.query", [("customerId", "C1")], body, &Default::default())?;
    /// assert!(xml.contains("<flag>success</flag>") && xml.contains("<echo>42</echo>"), "{xml}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Client::execute`]: a `failure` flag is an [`Error::Api`] with the answer's
    /// `code` and `message`.
    pub fn call_qimen<I, K, V>(
        &self,
        method: &str,
        params: I,
        body: &str,
        options: &CallOptions,
    ) -> Result<String, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        road::call_qimen(self, method, &untyped_params(params)?, body, options)
    }

    /// The params a call of `request` would send now, `sign` last: for checking a
    /// signature by hand, or seeing what goes on the wire. Nothing is sent. For a Qimen
    /// API, `request` holds the XML body, and `sign` covers the other params with that body
    /// appended, as the Qimen router checks it.
    ///
    /// # Errors
    ///
    /// As [`Client::execute`] for a request whose params cannot be written.
    pub fn wire_params<R: Request>(&self, request: &R, session: Option<&str>) -> Result<Params, Error> {
        road::wire_params(self, request, session.filter(|s| !s.trim().is_empty()))
    }

    /// Starts a batch of calls sent in one HTTP request to `/router/batch`.
    pub fn batch(&self) -> Batch<'_, NoSession> {
        Batch::new(self, None)
    }

    /// A handle that sends `session` (the user's access token) with every call.
    pub fn with_session(&self, session: impl Into<String>) -> SessionClient {
        SessionClient { client: self.clone(), session: Secret(session.into()) }
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

    /// The URL Qimen calls go to.
    pub fn qimen_gateway(&self) -> &str {
        &self.inner.qimen_gateway
    }

    /// The platform's authorize page, where [`authorize_url`](Self::authorize_url) sends
    /// users.
    pub fn authorize_page(&self) -> &str {
        &self.inner.authorize_url
    }
}

/// The params of an untyped call: each name at most once, none a system param's.
fn untyped_params<I, K, V>(pairs: I) -> Result<Params, Error>
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    let mut params = Params::new();
    let mut seen = std::collections::HashSet::new();
    for (name, value) in pairs {
        let name: String = name.into();
        if top_api_rules::is_reserved(&name) {
            return Err(CheckError::new(
                name,
                &Violation::Invalid("is a system param, which the client sends itself".to_owned()),
            )
            .into());
        }
        if !seen.insert(name.clone()) {
            return Err(CheckError::new(name, &Violation::Invalid("is given twice".to_owned())).into());
        }
        params.push(name, value.into());
    }
    Ok(params)
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("app_key", &inner.app_key)
            .field("app_secret", &inner.secret)
            .field("gateway", &inner.gateway)
            .field("batch_gateway", &inner.batch_gateway)
            .field("qimen_gateway", &inner.qimen_gateway)
            .field("authorize_url", &inner.authorize_url)
            .field("sign_method", &inner.sign_method)
            .field("format", &inner.format)
            .field("simplify", &inner.simplify)
            .field("strict_answers", &inner.strict_answers)
            .field("partner_id", &inner.partner_id)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .finish_non_exhaustive()
    }
}

/// A client that sends a user's session with every call; made by [`Client::with_session`].
#[derive(Clone)]
pub struct SessionClient {
    pub(crate) client: Client,
    pub(crate) session: Secret,
}

impl SessionClient {
    /// Calls any API with the session.
    ///
    /// # Errors
    ///
    /// As [`Client::execute`], and [`Error::MissingSession`] when the API needs a session
    /// and the one given is blank.
    pub fn execute<R: Request>(&self, request: &R) -> Result<Response<R::Response>, Error> {
        road::execute(&self.client, request, self.live(), &CallOptions::default())
    }

    /// Calls any API with the session and per-call options.
    ///
    /// # Errors
    ///
    /// As [`SessionClient::execute`].
    pub fn execute_with<R: Request>(&self, request: &R, options: &CallOptions) -> Result<Response<R::Response>, Error> {
        road::execute(&self.client, request, self.live(), options)
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
        self.call_with(method, params, &CallOptions::default())
    }

    /// Calls any API by name with the session and per-call options, as [`Client::call_with`].
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub fn call_with<I, K, V>(
        &self,
        method: &str,
        params: I,
        options: &CallOptions,
    ) -> Result<Response<serde_json::Value>, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        road::call(&self.client, method, &untyped_params(params)?, self.live(), options)
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
        self.call_raw_with(method, params, &CallOptions::default())
    }

    /// Calls any API by name with the session and per-call options, as
    /// [`Client::call_raw_with`].
    ///
    /// # Errors
    ///
    /// As [`Client::call_raw`].
    pub fn call_raw_with<I, K, V>(&self, method: &str, params: I, options: &CallOptions) -> Result<String, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        road::call_raw(&self.client, method, &untyped_params(params)?, self.live(), options)
    }

    /// The client underneath.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Starts a batch whose calls all carry the session.
    pub fn batch(&self) -> Batch<'_, WithSession> {
        Batch::new(&self.client, self.live())
    }

    /// The session, unless it is blank.
    fn live(&self) -> Option<&str> {
        Some(self.session.0.as_str()).filter(|session| !crate::params::is_blank(session))
    }
}

impl fmt::Debug for SessionClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionClient").field("client", &self.client).field("session", &self.session).finish()
    }
}
