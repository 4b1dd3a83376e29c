//! The one error type of every call.

use std::fmt;

use serde::Deserialize;

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
    /// The client is configured wrongly: a missing environment variable, a bad gateway URL.
    #[error("invalid configuration: {0}")]
    Config(String),
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
}

/// The gateway's `error_response`: why it refused a call.
///
/// `code` is the platform's code (25 invalid signature, 27 invalid session, 50 remote
/// service error, …); `sub_code` is the service's own (`isv.*` for the caller's mistakes,
/// `isp.*` for server faults).
#[derive(Clone, PartialEq, Eq, Deserialize)]
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
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.code)
            .field("msg", &self.msg)
            .field("sub_code", &self.sub_code)
            .field("sub_msg", &self.sub_msg)
            .field("request_id", &self.request_id)
            .finish()
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
    param: &'static str,
    code: i64,
    message: String,
}

impl CheckError {
    pub(crate) fn missing(param: &'static str) -> CheckError {
        CheckError { param, code: 40, message: "is required but blank or absent".to_owned() }
    }

    pub(crate) fn invalid(param: &'static str, message: String) -> CheckError {
        CheckError { param, code: 41, message }
    }

    /// The param's wire name.
    pub fn param(&self) -> &'static str {
        self.param
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
    /// A connect or read timeout expired.
    Timeout,
    /// The connection broke while the call was under way.
    Io,
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
            TransportErrorKind::Io => "the connection broke",
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
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            self.body = self.body.replace(secret, "***");
            self.message = self.message.replace(secret, "***");
        }
    }
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
