//! How a call's bytes reach the gateway: a small trait, the real ureq transport, and an
//! in-memory fake for tests.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::{TransportError, TransportErrorKind};

/// One HTTP request the client wants sent.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct HttpRequest<'a> {
    /// The gateway URL. A batch's holds its system params and signature in the query:
    /// never log it whole.
    pub url: &'a str,
    /// The `Content-Type` header.
    pub content_type: &'a str,
    /// The body. It holds the session and the signature: never log it.
    pub body: &'a [u8],
    /// Extra headers, set on the client.
    pub headers: &'a [(String, String)],
    /// What is left of the call's time bound for this try: the transport must give up
    /// when it runs out.
    pub timeout: Option<Duration>,
    /// The secrets the URL and body hold (the session, the signature), for a transport that
    /// keeps them out of logs of its own.
    pub secrets: &'a [&'a str],
}

impl fmt::Debug for HttpRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body holds the session and the signature, a batch's query the signature.
        f.debug_struct("HttpRequest")
            .field("url", &self.url.split('?').next().unwrap_or(""))
            .field("content_type", &self.content_type)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("headers", &self.headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The status and body of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body, decompressed.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with `status` and `body`.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> HttpResponse {
        HttpResponse { status, body: body.into() }
    }
}

/// Sends one HTTP request and returns its answer, whatever the status.
///
/// The client uses a blocking ureq agent by default; tests plug in [`FakeTransport`].
pub trait Transport: Send + Sync + 'static {
    /// Sends `request`.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when no answer could be had.
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError>;
}

/// The real transport: a ureq agent with keep-alive, rustls and gzip, whose own logs never
/// see a secret (see `stand_in.rs`).
pub(crate) struct UreqTransport {
    agent: ureq::Agent,
    /// The whole-call bound every request of the agent has.
    bound: Option<Duration>,
    max_body: u64,
    stand_ins: std::sync::Arc<crate::stand_in::StandIns>,
}

impl UreqTransport {
    /// An agent whose every call, connect, write and read is bounded (`None`: no bound).
    pub(crate) fn new(
        bound: Option<Duration>,
        connect_timeout: Option<Duration>,
        write_timeout: Option<Duration>,
        read_timeout: Option<Duration>,
        max_body: u64,
        proxy: Option<&str>,
    ) -> Result<UreqTransport, crate::Error> {
        let proxy = proxy
            .map(|url| {
                ureq::Proxy::new(url).map_err(|_| crate::ConfigError::BadUrl {
                    what: "proxy",
                    url: crate::builder::without_credentials(url),
                    reason: "it is not a proxy URL: http://, https://, socks4://, socks4a://, socks5:// or socks5h://",
                })
            })
            .transpose()?;
        let config = ureq::Agent::config_builder()
            .timeout_global(bound)
            .timeout_connect(connect_timeout)
            .timeout_per_write(write_timeout)
            .timeout_per_read(read_timeout)
            .http_status_as_error(false)
            .proxy(proxy)
            .user_agent(concat!("top-api/", env!("CARGO_PKG_VERSION")))
            .build();
        let stand_ins = std::sync::Arc::new(crate::stand_in::StandIns::new());
        let connector = ureq::unversioned::transport::Connector::chain(
            ureq::unversioned::transport::DefaultConnector::new(),
            crate::stand_in::RestoreConnector(stand_ins.clone()),
        );
        let agent = ureq::Agent::with_parts(config, connector, ureq::unversioned::resolver::DefaultResolver::default());
        Ok(UreqTransport { agent, bound, max_body, stand_ins })
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        // ureq sees stand-ins; the secrets go back in below its logging (`_hidden` holds
        // them until the answer is read).
        let started = std::time::Instant::now();
        let (url, body, _hidden) = self.stand_ins.hide(request.url, request.body, request.secrets);
        // What is left of the bound once the stand-ins are made (a large upload is copied).
        let left = request.timeout.map(|timeout| timeout.saturating_sub(started.elapsed()));
        let mut builder = self.agent.post(url.as_ref()).header("Content-Type", request.content_type);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        // The agent's own bound serves a first try: the few microseconds spent building it
        // are within a hundredth of any bound. Another one (a later try, a call's own bound)
        // is set on the request, which costs ureq a copy of its configuration (about 50 µs,
        // most of a loopback call).
        let fits = match (left, self.bound) {
            (None, None) => true,
            (Some(timeout), Some(bound)) => timeout <= bound && timeout + bound / 100 >= bound,
            _ => false,
        };
        if !fits {
            builder = builder.config().timeout_global(left).build();
        }
        let mut answer = builder.send(body.as_ref()).map_err(transport_error)?;
        let status = answer.status().as_u16();
        let body = answer.body_mut().with_config().limit(self.max_body).read_to_vec().map_err(transport_error)?;
        Ok(HttpResponse { status, body })
    }
}

fn transport_error(err: ureq::Error) -> TransportError {
    let kind = match &err {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::BodyExceedsLimit(_) => TransportErrorKind::TooLarge,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => TransportErrorKind::Tls,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        // A failed handshake (a certificate the client does not trust, a peer that does not
        // speak TLS) reaches here as I/O around the TLS stack's own error.
        ureq::Error::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => TransportErrorKind::Tls,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
        ureq::Error::Io(_) | ureq::Error::Protocol(_) => TransportErrorKind::Io,
        _ => TransportErrorKind::Other,
    };
    TransportError::new(kind, err)
}

/// A request the [`FakeTransport`] received.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The URL it was sent to.
    pub url: String,
    /// Its `Content-Type`.
    pub content_type: String,
    /// Its extra headers.
    pub headers: Vec<(String, String)>,
    /// Its own timeout, if it had one.
    pub timeout: Option<Duration>,
    /// Its body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The body's form params, decoded, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }

    /// The value of one form param.
    pub fn param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(&self.body).find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body holds the session and the signature.
        f.debug_struct("RecordedRequest")
            .field("url", &self.url.split('?').next().unwrap_or(""))
            .field("content_type", &self.content_type)
            .field("headers", &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// An in-memory transport for tests: answers with queued responses, in order, and keeps
/// every request it received. Clones share the queue and the record.
///
/// # Examples
///
/// ```
/// use top_api::transport::{FakeTransport, HttpResponse};
///
/// let fake = FakeTransport::new();
/// fake.push(HttpResponse::new(200, r#"{"time_get_response":{"time":"2024-01-01 00:00:00"}}"#));
/// let client = top_api::Client::builder("12345678", "secret").transport(fake.clone()).build()?;
/// # let _ = client;
/// # Ok::<(), top_api::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct FakeTransport {
    state: Arc<Mutex<FakeState>>,
}

#[derive(Default)]
struct FakeState {
    answers: VecDeque<Result<HttpResponse, TransportError>>,
    requests: Vec<RecordedRequest>,
}

impl FakeTransport {
    /// A fake with nothing queued.
    pub fn new() -> FakeTransport {
        FakeTransport::default()
    }

    /// Queues an answer.
    pub fn push(&self, answer: HttpResponse) {
        self.lock().answers.push_back(Ok(answer));
    }

    /// Queues a transport failure.
    pub fn push_error(&self, err: TransportError) {
        self.lock().answers.push_back(Err(err));
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        // A panicking test thread leaves the record as it was; keep using it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for FakeTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("FakeTransport")
            .field("queued", &state.answers.len())
            .field("received", &state.requests.len())
            .finish()
    }
}

impl Transport for FakeTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let mut state = self.lock();
        state.requests.push(RecordedRequest {
            url: request.url.to_owned(),
            content_type: request.content_type.to_owned(),
            headers: request.headers.to_vec(),
            timeout: request.timeout,
            body: request.body.to_vec(),
        });
        state.answers.pop_front().unwrap_or_else(|| {
            Err(TransportError::new(TransportErrorKind::Other, "the fake transport has no answer queued"))
        })
    }
}
