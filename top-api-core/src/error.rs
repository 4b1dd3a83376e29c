//! The one error type of every call.

use std::fmt;

use serde::Deserialize;

use top_api_rules::{Violation, INVALID_PARAM_SUB_CODE};

use crate::Format;

/// Everything that can go wrong with a call.
///
/// When the gateway itself refused the call (an `error_response`), [`Error::api`] gives
/// its `code`, `msg`, `sub_code`, `sub_msg` and `request_id`. No variant ever holds the
/// app secret, the session or the signature.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The gateway refused the call with an `error_response`.
    #[error(transparent)]
    Api(ApiError),
    /// The gateway answered with an HTTP status other than 200.
    #[error("http status {status}; body starts {body:?}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// A short prefix of the body.
        body: String,
    },
    /// The call could not be sent, or its answer not received.
    #[error(transparent)]
    Transport(TransportError),
    /// The answer was not what the response type expects.
    #[error(transparent)]
    Decode(DecodeError),
    /// A param broke a check declared on its field (required, length, items, range); the
    /// call was not sent.
    #[error(transparent)]
    Check(CheckError),
    /// An API that needs a user's session was called without one.
    #[error("`{method}` needs a session: call it as `client.with_session(token).execute(..)`")]
    MissingSession {
        /// The API's method name.
        method: &'static str,
    },
    /// A request field could not be written as a parameter.
    #[error("param `{name}` cannot be encoded: {reason}")]
    Param {
        /// The param's wire name.
        name: &'static str,
        /// Why it cannot be encoded.
        reason: String,
    },
    /// The gateway answered 200 with something that is not a TOP answer at all: an HTML
    /// page, a maintenance notice, text, JSON without an envelope. Something in front of the
    /// gateway, or the gateway itself, is not serving: a passing fault.
    #[error("the answer is not a TOP answer ({reason}); body starts {body:?}")]
    NotAnAnswer {
        /// What it is instead.
        reason: &'static str,
        /// A short prefix of the body.
        body: String,
    },
    /// The client or a batch is configured wrongly; found before anything is sent.
    #[error("invalid configuration: {0}")]
    Config(#[source] ConfigError),
    /// A step of user authorization failed: the user said no, a callback or a token cannot
    /// be read, a token expired (see [`crate::oauth`]).
    #[error(transparent)]
    OAuth(crate::oauth::OAuthError),
    /// The rate limit shared through Redis (feature `redis`) could not be asked, and its
    /// policy is to fail the call: it was not sent.
    #[error("the shared rate limit's Redis cannot be reached: {reason}")]
    SharedLimit {
        /// What went wrong with Redis.
        reason: String,
    },
}

/// What is wrong with a client's configuration (or a batch's), found by
/// [`ClientBuilder::build`](crate::ClientBuilder::build) or before a batch is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The app key is blank.
    #[error("the app key is blank")]
    BlankAppKey,
    /// The app secret is blank or only white space.
    #[error("the app secret is blank")]
    BlankAppSecret,
    /// An environment variable the configuration reads is not set, or blank.
    #[error("{name} is not set")]
    MissingEnv {
        /// The variable.
        name: &'static str,
    },
    /// A URL cannot be used: the gateway's, the batch gateway's, the Qimen gateway's or the proxy's.
    #[error("the {what} `{url}` cannot be used: {reason}")]
    BadUrl {
        /// Which URL: `gateway`, `batch gateway`, `Qimen gateway`, `proxy`.
        what: &'static str,
        /// The URL, without any user name or password it held.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A header cannot be sent: its name or value holds what HTTP does not allow (a CR or
    /// LF, a control character, a space in the name).
    #[error("the header `{name}` cannot be sent: its name or value holds what HTTP does not allow")]
    BadHeader {
        /// The header's name, as given (its value is not shown: it may be a token).
        name: String,
    },
    /// The rate limit is not a positive number of calls a second.
    #[error("the rate limit must be a positive number of calls a second")]
    BadRateLimit,
    /// A certificate given to trust cannot be used (not DER, or not a CA's certificate).
    #[error("a root certificate cannot be used: {reason}")]
    BadCertificate {
        /// Why, as the TLS library says.
        reason: String,
    },
    /// A batch with no call in it.
    #[error("a batch needs at least one call")]
    EmptyBatch,
    /// A batch separator that cannot be used.
    #[error("the batch separator cannot be used: {reason}")]
    BadSeparator {
        /// Why.
        reason: &'static str,
    },
}

impl From<ConfigError> for Error {
    fn from(err: ConfigError) -> Error {
        Error::Config(err)
    }
}

impl Error {
    /// The gateway's refusal, when that is what this error is.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// True when the call timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(t) if t.kind == TransportErrorKind::Timeout)
    }

    /// What kind of failure this is, for deciding what to do about it.
    ///
    /// | kind | what | what to do |
    /// |---|---|---|
    /// | [`Throttled`](ErrorKind::Throttled) | code 7 "App Call Limited", `accesscontrol.*`, HTTP 429 | wait [`ban_seconds`](Error::ban_seconds), then call again |
    /// | [`Transient`](ErrorKind::Transient) | `isp.*`, code 10, timeouts, broken connections, HTTP 5xx, a page that is not an answer (HTML, maintenance) | retry after a pause, if the call is safe to repeat |
    /// | [`Auth`](ErrorKind::Auth) | codes 24–29: signature, session (missing, invalid, expired), app key | fix the credentials or renew the session |
    /// | [`Caller`](ErrorKind::Caller) | `isv.*`, codes 40, 41, 43, checks before sending, a missing session | fix the request |
    /// | [`Permission`](ErrorKind::Permission) | codes 11–13 | ask for the permission |
    /// | [`Decode`](ErrorKind::Decode) | the answer was not what the type expects | fix the response type, or report it |
    /// | [`Other`](ErrorKind::Other) | anything else: configuration, other statuses and codes | read the message |
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(api) => api.kind(),
            Error::Status { status: 429, .. } => ErrorKind::Throttled,
            Error::Status { status, .. } if *status >= 500 => ErrorKind::Transient,
            Error::NotAnAnswer { .. } => ErrorKind::Transient,
            Error::Transport(t) if !matches!(t.kind, TransportErrorKind::TooLarge | TransportErrorKind::Tls) => {
                ErrorKind::Transient
            }
            Error::Decode(_) => ErrorKind::Decode,
            Error::Check(_) | Error::MissingSession { .. } | Error::Param { .. } => ErrorKind::Caller,
            Error::OAuth(err) => err.kind(),
            Error::SharedLimit { .. } => ErrorKind::Transient,
            _ => ErrorKind::Other,
        }
    }

    /// True for flow control: code 7 "App Call Limited", an `accesscontrol.*` sub code, or
    /// HTTP 429 Too Many Requests.
    pub fn is_throttled(&self) -> bool {
        self.kind() == ErrorKind::Throttled
    }

    /// True for a fault worth retrying after a pause: `isp.*`, timeouts, broken
    /// connections, HTTP 5xx, a page that is not an answer. A TLS failure (a certificate
    /// the client does not trust) is not: it does not pass by waiting.
    pub fn is_transient(&self) -> bool {
        self.kind() == ErrorKind::Transient
    }

    /// True when the signature, the session or the app key was refused (codes 24–29).
    pub fn is_auth(&self) -> bool {
        self.kind() == ErrorKind::Auth
    }

    /// True for the caller's mistake: `isv.*`, codes 40, 41, 43, a check before sending.
    pub fn is_caller_mistake(&self) -> bool {
        self.kind() == ErrorKind::Caller
    }

    /// True when the app or the user lacks a permission (codes 11–13).
    pub fn is_permission(&self) -> bool {
        self.kind() == ErrorKind::Permission
    }

    /// True when the answer could not be read as the response type.
    pub fn is_decode(&self) -> bool {
        self.kind() == ErrorKind::Decode
    }

    /// How long a flow-control ban lasts, from `sub_msg`'s `This ban will last for N more
    /// seconds`.
    pub fn ban_seconds(&self) -> Option<u64> {
        self.api().and_then(ApiError::ban_seconds)
    }
}

/// What kind of failure an [`Error`] is; see [`Error::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Flow control: wait the ban out.
    Throttled,
    /// A passing fault: retry after a pause, if the call is safe to repeat.
    Transient,
    /// The signature, session or app key was refused.
    Auth,
    /// The caller's mistake: fix the request.
    Caller,
    /// A missing permission.
    Permission,
    /// The answer was not what the type expects.
    Decode,
    /// Anything else.
    Other,
}

impl From<CheckError> for Error {
    fn from(err: CheckError) -> Error {
        Error::Check(err)
    }
}

/// The gateway's `error_response`: why it refused a call.
///
/// `code` is the platform's code (25 invalid signature, 27 invalid session, 50 remote
/// service error, …); `sub_code` is the service's own (`isv.*` for the caller's mistakes,
/// `isp.*` for server faults).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiError {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    sub_code: Option<String>,
    #[serde(default)]
    sub_msg: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
}

impl ApiError {
    /// Builds a refusal, as a test double or a sandbox handler would answer it.
    pub fn new(code: i64, msg: impl Into<String>) -> ApiError {
        ApiError { code, msg: msg.into(), sub_code: None, sub_msg: None, request_id: None }
    }

    /// A Qimen answer's refusal (`flag` `failure`) as an `ApiError`: a numeric `code` is
    /// the code, as the router's own refusals give TOP's codes; a code in words (the
    /// service's own, such as `SYSTEM_ERROR`) is the `sub_code` of code 15, TOP's code for
    /// a refusal of the service behind the gateway. `message` is the `msg` (and the
    /// `sub_msg` beside a sub code).
    ///
    /// # Examples
    ///
    /// ```
    /// use top_api::ApiError;
    ///
    /// let refused = ApiError::qimen(Some("SYSTEM_ERROR"), Some("no such order"));
    /// assert_eq!((refused.code(), refused.sub_code(), refused.msg()), (15, Some("SYSTEM_ERROR"), "no such order"));
    /// assert_eq!(ApiError::qimen(Some("25"), Some("Invalid signature")).code(), 25);
    /// ```
    pub fn qimen(code: Option<&str>, message: Option<&str>) -> ApiError {
        let (code, message) = (code.map(str::trim).unwrap_or(""), message.unwrap_or(""));
        match code.parse::<i64>() {
            Ok(number) => ApiError::new(number, message),
            Err(_) if code.is_empty() => ApiError::new(15, message),
            Err(_) => ApiError::new(15, message).with_sub(code, message),
        }
    }

    /// The `code` and `message` a Qimen `<response>` says this refusal with, as
    /// [`ApiError::qimen`] reads them back: a code 15 with a sub code is the service's
    /// refusal (its sub code and sub message); any other is its number and message, the
    /// sub message after it.
    pub(crate) fn qimen_parts(&self) -> (String, String) {
        match (self.code, &self.sub_code) {
            (15, Some(sub_code)) => (sub_code.clone(), self.sub_msg.clone().unwrap_or_else(|| self.msg.clone())),
            _ => {
                let message = match &self.sub_msg {
                    Some(sub_msg) if !sub_msg.is_empty() => format!("{}: {sub_msg}", self.msg),
                    _ => self.msg.clone(),
                };
                (self.code.to_string(), message)
            }
        }
    }

    /// The gateway's refusal of the param `name` for `violation`: code 40 `Missing required
    /// arguments:name`, or code 41 `Invalid arguments:name` with the sub code
    /// `isv.invalid-parameter` and what is wrong; as a sandbox handler answers a param it
    /// cannot take.
    ///
    /// # Examples
    ///
    /// ```
    /// use top_api::{ApiError, Violation};
    ///
    /// let refusal = ApiError::param_refusal("page_size", &Violation::TooLong { chars: 4, max: 3 });
    /// assert_eq!((refusal.code(), refusal.msg()), (41, "Invalid arguments:page_size"));
    /// assert_eq!(refusal.sub_msg(), Some("`page_size` is 4 characters long, over its limit of 3"));
    /// ```
    pub fn param_refusal(name: &str, violation: &Violation) -> ApiError {
        let refusal = ApiError::new(violation.code(), violation.gateway_msg(name));
        match violation {
            Violation::Missing => refusal,
            _ => refusal.with_sub(INVALID_PARAM_SUB_CODE, format!("`{name}` {violation}")),
        }
    }

    /// Sets the service's `sub_code` and `sub_msg`.
    pub fn with_sub(mut self, sub_code: impl Into<String>, sub_msg: impl Into<String>) -> ApiError {
        self.sub_code = Some(sub_code.into());
        self.sub_msg = Some(sub_msg.into());
        self
    }

    /// Sets the `request_id`.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> ApiError {
        self.request_id = Some(request_id.into());
        self
    }

    /// The platform's error code (`code`).
    pub fn code(&self) -> i64 {
        self.code
    }

    /// The platform's message (`msg`).
    pub fn msg(&self) -> &str {
        &self.msg
    }

    /// The service's error code (`sub_code`), such as `isv.invalid-parameter`.
    pub fn sub_code(&self) -> Option<&str> {
        self.sub_code.as_deref()
    }

    /// The service's message (`sub_msg`).
    pub fn sub_msg(&self) -> Option<&str> {
        self.sub_msg.as_deref()
    }

    /// The id the gateway gave the call (`request_id`), for support requests.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The refusal with every one of `secrets` replaced in its messages: a gateway may
    /// echo what it was sent.
    pub(crate) fn redacted(self, secrets: &[&str]) -> ApiError {
        ApiError {
            msg: redact(&self.msg, secrets),
            sub_msg: self.sub_msg.map(|sub_msg| redact(&sub_msg, secrets)),
            ..self
        }
    }

    /// What kind of refusal this is; see [`Error::kind`].
    pub fn kind(&self) -> ErrorKind {
        let sub = self.sub_code.as_deref().unwrap_or("");
        match self.code {
            7 => ErrorKind::Throttled,
            _ if sub.starts_with("accesscontrol.") => ErrorKind::Throttled,
            24..=29 => ErrorKind::Auth,
            11..=13 => ErrorKind::Permission,
            _ if sub.starts_with("isp.") => ErrorKind::Transient,
            _ if sub.starts_with("isv.") => ErrorKind::Caller,
            40 | 41 | 43 => ErrorKind::Caller,
            10 => ErrorKind::Transient,
            _ => ErrorKind::Other,
        }
    }

    /// How long a flow-control ban lasts: the `N` of `This ban will last for N more
    /// seconds` in `sub_msg` (or in `msg`, where a Qimen answer's one message says it).
    pub fn ban_seconds(&self) -> Option<u64> {
        [self.sub_msg.as_deref(), Some(self.msg.as_str())].into_iter().flatten().find_map(|text| {
            let (_, rest) = text.split_once("will last for ")?;
            rest.split_whitespace().next()?.parse().ok()
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gateway error {} ({})", self.code, self.msg)?;
        if let Some(sub_code) = &self.sub_code {
            write!(f, ", {sub_code}")?;
        }
        if let Some(sub_msg) = &self.sub_msg {
            write!(f, ": {sub_msg}")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " (request_id {request_id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A param that broke a check declared on its field, found before any I/O.
///
/// Its [`code`](CheckError::code) is what the official SDKs report for the same mistake:
/// 40 for a required param that is missing or blank, 41 for a value over a limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    param: String,
    code: i64,
    message: String,
}

impl CheckError {
    pub(crate) fn new(param: impl Into<String>, violation: &Violation) -> CheckError {
        CheckError { param: param.into(), code: violation.code(), message: violation.to_string() }
    }

    /// Where the mistake is: the param's wire name, then the member's for a structured
    /// param (`item.skus[2].price`).
    pub fn param(&self) -> &str {
        &self.param
    }

    /// 40 (missing required argument) or 41 (invalid argument).
    pub fn code(&self) -> i64 {
        self.code
    }

    /// What is wrong, naming the limit.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "param `{}` {} (code {})", self.param, self.message, self.code)
    }
}

impl std::error::Error for CheckError {}

/// What kind of transport failure a [`TransportError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made (DNS, refused, TLS).
    Connect,
    /// A timeout expired: connecting, sending, the gateway's silence, or the whole call.
    Timeout,
    /// The TLS handshake failed: a certificate the client does not trust, a protocol it
    /// does not speak. Not a passing fault.
    Tls,
    /// The connection broke while the call was under way.
    Io,
    /// The answer was larger than the client's `max_body`: it was not read.
    TooLarge,
    /// Anything else the HTTP stack reported.
    Other,
}

/// The call could not be sent, or its answer not received.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    /// Wraps an HTTP stack's error.
    pub fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> TransportError {
        TransportError { kind, source: source.into() }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            TransportErrorKind::Connect => "cannot connect to the gateway",
            TransportErrorKind::Timeout => "the call timed out",
            TransportErrorKind::Tls => "the TLS handshake with the gateway failed",
            TransportErrorKind::Io => "the connection broke",
            TransportErrorKind::TooLarge => "the answer is larger than the client's max_body",
            TransportErrorKind::Other => "http transport failed",
        })
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// The answer could not be read as the response type.
#[derive(Debug)]
pub struct DecodeError {
    format: Format,
    path: Option<String>,
    message: String,
    body: String,
}

/// How much of a body an error keeps: enough to recognise it, short enough for a log line.
const BODY_PREFIX_CHARS: usize = 200;

impl DecodeError {
    pub(crate) fn new(format: Format, path: Option<String>, message: impl fmt::Display, body: &[u8]) -> DecodeError {
        DecodeError { format, path, message: message.to_string(), body: body_prefix(body) }
    }

    /// The format that was being read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The path of the field at fault, such as `result.data.user_id`, when it is known.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A short prefix of the body.
    pub fn body(&self) -> &str {
        &self.body
    }

    pub(crate) fn redact(&mut self, secrets: &[&str]) {
        self.body = redact(&self.body, secrets);
        self.message = redact(&self.message, secrets);
    }
}

/// `text` with every non-empty secret replaced by `***`: an answer that echoes the secret,
/// the session or the signature back must not carry them into an error.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "***");
    }
    text
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode the {} answer", self.format)?;
        if let Some(path) = &self.path {
            write!(f, " at `{path}`")?;
        }
        write!(f, ": {}; body starts {:?}", self.message, self.body)
    }
}

impl std::error::Error for DecodeError {}

/// The first characters of a body, as text, for an error message.
pub(crate) fn body_prefix(body: &[u8]) -> String {
    let end = body.len().min(BODY_PREFIX_CHARS * 4);
    let text = String::from_utf8_lossy(&body[..end]);
    match text.char_indices().nth(BODY_PREFIX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_prefix_cuts_on_a_char_boundary() {
        let body = "宝".repeat(300);
        let prefix = body_prefix(body.as_bytes());
        assert_eq!(prefix.chars().count(), BODY_PREFIX_CHARS + 1);
        assert!(prefix.ends_with('…'));
        assert_eq!(body_prefix(b"short"), "short");
    }

    #[test]
    fn refusals_are_classified_by_code_and_sub_code() {
        let cases = [
            (ApiError::new(7, "App Call Limited"), ErrorKind::Throttled),
            (ApiError::new(50, "x").with_sub("accesscontrol.limited-by-api-access-count", "x"), ErrorKind::Throttled),
            (ApiError::new(25, "Invalid signature"), ErrorKind::Auth),
            (ApiError::new(27, "Invalid session").with_sub("invalid-sessionkey", "x"), ErrorKind::Auth),
            (ApiError::new(12, "Insufficient User Permissions"), ErrorKind::Permission),
            (
                ApiError::new(15, "Remote service error").with_sub("isp.remote-service-timeout", "x"),
                ErrorKind::Transient,
            ),
            (ApiError::new(10, "Service Currently Unavailable"), ErrorKind::Transient),
            (ApiError::new(50, "Remote service error").with_sub("isv.invalid-parameter", "x"), ErrorKind::Caller),
            (ApiError::new(41, "Invalid Arguments"), ErrorKind::Caller),
            (ApiError::new(43, "Parameter Error"), ErrorKind::Caller),
            (ApiError::new(99, "?"), ErrorKind::Other),
        ];
        for (api, kind) in cases {
            assert_eq!(Error::Api(api.clone()).kind(), kind, "{api}");
        }
        let banned =
            ApiError::new(7, "App Call Limited").with_sub("accesscontrol.x", "This ban will last for 71 more seconds");
        assert_eq!(Error::Api(banned).ban_seconds(), Some(71));
        assert_eq!(Error::Api(ApiError::new(7, "x").with_sub("a", "no number")).ban_seconds(), None);
    }

    #[test]
    fn transport_and_status_failures_are_classified() {
        let status = |status| Error::Status { status, body: String::new() };
        assert!(status(502).is_transient() && status(503).is_transient());
        assert_eq!(status(404).kind(), ErrorKind::Other);
        let transport = |kind| Error::Transport(TransportError::new(kind, "x"));
        assert!(transport(TransportErrorKind::Timeout).is_transient());
        assert!(transport(TransportErrorKind::Io).is_transient());
        assert_eq!(transport(TransportErrorKind::TooLarge).kind(), ErrorKind::Other);
        assert_eq!(transport(TransportErrorKind::Tls).kind(), ErrorKind::Other, "a bad certificate does not pass");
        assert!(status(429).is_throttled());
        let page = Error::NotAnAnswer { reason: "an HTML page", body: "<html>".into() };
        assert!(page.is_transient() && !page.is_decode());
        assert!(Error::MissingSession { method: "a.b" }.is_caller_mistake());
    }

    #[test]
    fn api_error_display_names_every_part() {
        let err = ApiError::new(50, "Remote service error")
            .with_sub("isv.invalid-parameter", "非法参数")
            .with_request_id("ej6ptuzf712n");
        assert_eq!(
            err.to_string(),
            "gateway error 50 (Remote service error), isv.invalid-parameter: 非法参数 (request_id ej6ptuzf712n)"
        );
    }
}
