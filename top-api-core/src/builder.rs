//! Configuring a [`Client`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::client::{Clock, Inner, Secret};
use crate::limiter::RateLimiter;
use crate::retry::RetryPolicy;
use crate::transport::{Transport, UreqTransport};
use crate::{Client, ConfigError, Error, Format, SignMethod, DEFAULT_GATEWAY, DEFAULT_PARTNER_ID};

/// A timeout at least this long bounds nothing: it is taken as no bound, rather than
/// overflowing the clock arithmetic of the HTTP stack (`Duration::MAX` means "no limit").
const UNBOUNDED: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// `timeout`, or `None` when it bounds nothing.
pub(crate) fn bound(timeout: Duration) -> Option<Duration> {
    (timeout < UNBOUNDED).then_some(timeout)
}

/// Configures a [`Client`]; made by [`Client::builder`].
///
/// | setting | default |
/// |---|---|
/// | [`gateway`](Self::gateway) | `https://eco.taobao.com/router/rest` |
/// | [`sign_method`](Self::sign_method) | [`SignMethod::HmacSha256`] |
/// | [`format`](Self::format) | [`Format::Json`] |
/// | [`simplify`](Self::simplify) | `false` |
/// | [`strict_answers`](Self::strict_answers) | `false`: a value that does not fit an `Option` field leaves it `None`, as a drift |
/// | [`timeout`](Self::timeout) | none: each phase is bounded by the three below |
/// | [`connect_timeout`](Self::connect_timeout) | 15 s |
/// | [`write_timeout`](Self::write_timeout) | 30 s: the longest the gateway may stop taking what is sent |
/// | [`read_timeout`](Self::read_timeout) | 30 s: the longest the gateway may stay silent |
/// | [`max_body`](Self::max_body) | 10 MiB |
/// | [`batch_gateway`](Self::batch_gateway) | the gateway with `/rest` turned into `/batch` |
/// | [`qimen_gateway`](Self::qimen_gateway) | the platform's Qimen router, `https://qimen.api.taobao.com/router/qimen/service` (a gateway of one's own: its `/router/rest` turned into `/router/qimen/service`) |
/// | [`authorize_url`](Self::authorize_url) | the platform's authorize page, `https://oauth.taobao.com/authorize` (a gateway of one's own: its `/router/rest` turned into `/oauth/authorize`) |
/// | [`partner_id`](Self::partner_id) | `top-api-rust-<version>` |
/// | [`header`](Self::header) | none |
/// | [`proxy`](Self::proxy) | none |
/// | [`retry`](Self::retry) | [`RetryPolicy::none`]: no retries |
/// | [`rate_limit`](Self::rate_limit) | none |
/// | [`transport`](Self::transport) | a blocking ureq agent with keep-alive, rustls and gzip |
/// | [`clock`](Self::clock) | the system clock |
///
/// # Timeouts
///
/// Every call is bounded in time. [`connect_timeout`](Self::connect_timeout) bounds
/// connecting (DNS, TCP and TLS), [`write_timeout`](Self::write_timeout) each write of the
/// request (a gateway that stops reading an upload fails the call), and
/// [`read_timeout`](Self::read_timeout) each read of the answer (a gateway that falls silent
/// fails it); retries are bounded in number. [`timeout`](Self::timeout) bounds the whole
/// call besides: every try, the pauses between tries and the wait for the rate limit, and a
/// gateway that trickles its answer a byte at a time; a call that runs out of time fails
/// with a timeout ([`Error::is_timeout`]) rather than start a try it cannot finish.
/// [`CallOptions::timeout`](crate::CallOptions::timeout) sets it for one call. It is off by
/// default because ureq's whole-call timer costs about 50 µs a call (about half a round
/// trip on loopback). A timeout of ten years or more (`Duration::MAX`) is no bound.
#[must_use]
pub struct ClientBuilder {
    app_key: String,
    secret: Secret,
    gateway: String,
    batch_gateway: Option<String>,
    qimen_gateway: Option<String>,
    authorize_url: Option<String>,
    partner_id: String,
    headers: Vec<(String, String)>,
    proxy: Option<String>,
    sign_method: SignMethod,
    format: Format,
    simplify: bool,
    strict_answers: bool,
    timeout: Duration,
    connect_timeout: Duration,
    write_timeout: Duration,
    read_timeout: Duration,
    max_body: u64,
    transport: Option<Box<dyn Transport>>,
    clock: Clock,
    retry: RetryPolicy,
    rate_limit: Option<(f64, u32)>,
    #[cfg(feature = "redis")]
    shared_limit: Option<crate::shared::SharedLimit>,
}

impl ClientBuilder {
    pub(crate) fn new(app_key: String, secret: String) -> ClientBuilder {
        ClientBuilder {
            app_key,
            secret: Secret(secret),
            gateway: DEFAULT_GATEWAY.to_owned(),
            batch_gateway: None,
            qimen_gateway: None,
            authorize_url: None,
            partner_id: DEFAULT_PARTNER_ID.to_owned(),
            headers: Vec::new(),
            proxy: None,
            sign_method: SignMethod::default(),
            format: Format::default(),
            simplify: false,
            strict_answers: false,
            timeout: Duration::MAX,
            connect_timeout: Duration::from_secs(15),
            write_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            max_body: 10 * 1024 * 1024,
            transport: None,
            clock: Arc::new(crate::datetime::wall_clock),
            retry: RetryPolicy::none(),
            rate_limit: None,
            #[cfg(feature = "redis")]
            shared_limit: None,
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

    /// Where Qimen APIs (`#[top_api(qimen = true)]`, see [`crate::qimen_router`]) are sent.
    /// Default: the platform's Qimen router (`https://qimen.api.taobao.com/router/qimen/service`)
    /// for a gateway on `taobao.com`, its sandbox's (`http://qimenapi.tbsandbox.com/router/qimen/service`)
    /// for one on `tbsandbox.com`, and for any other gateway its `/router/rest` turned into
    /// `/router/qimen/service` (as the embedded sandbox serves it).
    pub fn qimen_gateway(mut self, url: impl Into<String>) -> Self {
        self.qimen_gateway = Some(url.into());
        self
    }

    /// The platform's authorize page, where [`Client::authorize_url`] sends users to grant
    /// the app a session. Default: `https://oauth.taobao.com/authorize` for a gateway on
    /// `taobao.com`, `https://oauth.tbsandbox.com/authorize` for one on `tbsandbox.com`, and
    /// for any other gateway its `/router/rest` turned into `/oauth/authorize` (as the
    /// embedded sandbox serves it).
    pub fn authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = Some(url.into());
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

    /// Sends through a proxy: HTTP (`http://127.0.0.1:3128`, tunnelled with `CONNECT`) or
    /// SOCKS (`socks5://127.0.0.1:1080`, also `socks4`, `socks4a`, `socks5h`), with
    /// `user:password@` when it asks for them (default: none; the `ALL_PROXY`/`HTTPS_PROXY`
    /// environment is not read).
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

    /// Reads answers all or nothing (default `false`). By default a value that does not fit
    /// an `Option` field of a `#[derive(Object)]` type (a code string where the platform's
    /// data says `Boolean`, a word for a number) leaves that field `None`, the rest of the
    /// answer is read, and [`Response::drift`](crate::Response::drift) says where; strict, it
    /// fails the call with [`Error::Decode`](crate::Error::Decode) instead. A blank value is
    /// a left-out one either way.
    pub fn strict_answers(mut self, strict: bool) -> Self {
        self.strict_answers = strict;
        self
    }

    /// Bounds every call as a whole (default: no bound beyond each phase's): every try, the
    /// pauses between tries, the wait for the rate limit. See [Timeouts](Self#timeouts).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take: DNS, TCP and TLS (default 15 s, as the official SDKs).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the gateway may stop taking what is sent, at each write (default 30 s): a
    /// gateway that stops reading an upload fails the call.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// How long the gateway may stay silent while the answer is awaited and read, at each
    /// read (default 30 s, as the official SDKs).
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
    /// [`FakeTransport`](crate::transport::FakeTransport)). The connect, write and read
    /// timeouts and `max_body` then are the transport's business; it receives each try's
    /// share of the whole-call bound.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Box::new(transport));
        self
    }

    /// Reads the time for the `timestamp` param from `clock` (default the system clock; on
    /// Linux its coarse reading, behind by a clock tick at most: a timestamp is to the
    /// second). Whatever the clock, the timestamp is written in GMT+8.
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
    /// the client and every thread (default: no limit). Calls wait their turn; a batch
    /// counts one call for each call it holds.
    pub fn rate_limit(mut self, per_second: f64, burst: u32) -> Self {
        self.rate_limit = Some((per_second, burst));
        self
    }

    /// Shares a rate limit, and the platform's bans, with every client on this app key
    /// through Redis (feature `redis`; see [`crate::shared`]). Each call takes its turn from
    /// Redis before the local [`rate_limit`](Self::rate_limit), if there is one too.
    #[cfg(feature = "redis")]
    pub fn shared_limit(mut self, limit: crate::shared::SharedLimit) -> Self {
        self.shared_limit = Some(limit);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] ([`ConfigError`]) when the app key or the secret is blank, a URL
    /// (the gateway, the batch gateway, the proxy) cannot be used, a header cannot be sent,
    /// or the rate limit is not a positive number.
    pub fn build(self) -> Result<Client, Error> {
        if self.app_key.trim().is_empty() {
            return Err(ConfigError::BlankAppKey.into());
        }
        if self.secret.0.trim().is_empty() {
            return Err(ConfigError::BlankAppSecret.into());
        }
        check_url("gateway", &self.gateway)?;
        let batch_gateway = self.batch_gateway.unwrap_or_else(|| match self.gateway.strip_suffix("/rest") {
            Some(base) => format!("{base}/batch"),
            None => self.gateway.clone(),
        });
        check_url("batch gateway", &batch_gateway)?;
        let qimen_gateway = self.qimen_gateway.unwrap_or_else(|| crate::client::qimen_gateway_for(&self.gateway));
        check_url("Qimen gateway", &qimen_gateway)?;
        let authorize_url = self.authorize_url.unwrap_or_else(|| crate::client::authorize_url_for(&self.gateway));
        check_url("authorize page", &authorize_url)?;
        for (name, value) in &self.headers {
            let name_ok = ureq::http::HeaderName::from_bytes(name.as_bytes()).is_ok();
            if !name_ok || ureq::http::HeaderValue::from_bytes(value.as_bytes()).is_err() {
                return Err(ConfigError::BadHeader { name: name.clone() }.into());
            }
        }
        let limiter = match self.rate_limit {
            None => None,
            Some((rate, burst)) if rate.is_finite() && rate > 0.0 => Some(RateLimiter::new(rate, burst)),
            Some(_) => return Err(ConfigError::BadRateLimit.into()),
        };
        #[cfg(feature = "redis")]
        let shared = match self.shared_limit {
            Some(limit) => Some(crate::shared::SharedLimiter::new(limit, &self.app_key)?),
            None => None,
        };
        let transport = match self.transport {
            Some(transport) => transport,
            None => Box::new(UreqTransport::new(
                bound(self.timeout),
                bound(self.connect_timeout),
                bound(self.write_timeout),
                bound(self.read_timeout),
                self.max_body,
                self.proxy.as_deref(),
            )?),
        };
        let mut inner = Inner {
            app_key: self.app_key,
            key: crate::sign::Key::new(&self.secret.0, self.sign_method),
            secret: self.secret,
            gateway: self.gateway,
            batch_gateway,
            qimen_gateway,
            authorize_url,
            partner_id: self.partner_id,
            headers: self.headers,
            sign_method: self.sign_method,
            format: self.format,
            simplify: self.simplify,
            strict_answers: self.strict_answers,
            timeout: bound(self.timeout),
            transport,
            clock: self.clock,
            retry: self.retry,
            limiter,
            #[cfg(feature = "redis")]
            shared,
            form_constant: Vec::new(),
        };
        inner.form_constant = crate::road::constant_form(&inner);
        Ok(Client { inner: Arc::new(inner) })
    }
}

/// A gateway URL is `http://` or `https://` with a host.
fn check_url(what: &'static str, url: &str) -> Result<(), ConfigError> {
    let fail = |reason| ConfigError::BadUrl { what, url: without_credentials(url), reason };
    let uri: ureq::http::Uri = url.parse().map_err(|_| fail("it is not a URL"))?;
    match uri.scheme_str() {
        Some(scheme) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => {}
        _ => return Err(fail("it is not an http:// or https:// URL")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(fail("it has no host"));
    }
    Ok(())
}

/// A URL as it may be shown: without the `user:password@` it may hold.
pub(crate) fn without_credentials(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let shown = if scheme.is_empty() { format!("{host}{tail}") } else { format!("{scheme}://{host}{tail}") };
    shown.chars().filter(|c| !c.is_control()).collect()
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_key", &self.app_key)
            .field("app_secret", &self.secret)
            .field("gateway", &self.gateway)
            .field("batch_gateway", &self.batch_gateway)
            .field("qimen_gateway", &self.qimen_gateway)
            .field("authorize_url", &self.authorize_url)
            .field("partner_id", &self.partner_id)
            .field("headers", &self.headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("proxy", &self.proxy.as_deref().map(without_credentials))
            .field("sign_method", &self.sign_method)
            .field("format", &self.format)
            .field("simplify", &self.simplify)
            .field("strict_answers", &self.strict_answers)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_body", &self.max_body)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_never_shown() {
        assert_eq!(without_credentials("socks5://u:p@127.0.0.1:1080"), "socks5://127.0.0.1:1080");
        assert_eq!(without_credentials("http://u@host/x?y"), "http://host/x?y");
        assert_eq!(without_credentials("http://host:80/a@b"), "http://host:80/a@b");
        assert_eq!(without_credentials("garbage\r\n"), "garbage");
    }
}
