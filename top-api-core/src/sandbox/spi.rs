//! The sandbox's calls to an app's own server, signed as the platform signs them (SPI), so
//! that an SPI server or a Qimen WMS is tested offline end to end.

use std::time::Duration;

use crate::request::Request;
use crate::transport::{HttpRequest, Transport, UreqTransport};
use crate::{spi, DateTime, Error, Params};

/// A call the sandbox makes to an app's server ([`Sandbox::spi_call`](super::Sandbox::spi_call)):
/// the SPI's method and params in the query with the system params (`app_key`,
/// `timestamp` by the sandbox's clock, `v`, `sign_method`, `format`), a body of its type,
/// and headers, each named in `top-sign-list` and so signed.
#[derive(Debug, Clone)]
pub struct SpiCall {
    method: String,
    params: Vec<(String, String)>,
    content_type: String,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl SpiCall {
    /// A call of the SPI `method`, with no params, headers or body (a form post).
    pub fn new(method: impl Into<String>) -> SpiCall {
        SpiCall {
            method: method.into(),
            params: Vec::new(),
            content_type: "application/x-www-form-urlencoded;charset=utf-8".to_owned(),
            body: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// A Qimen call of `request`, as the Qimen router makes one to a WMS or an ERP: its
    /// query params (`customerId`) with the system params, its `request` as the XML body.
    ///
    /// # Errors
    ///
    /// What [`Client::execute`](crate::Client::execute) would refuse before sending: a
    /// required param or member missing, a body that has no XML form.
    pub fn qimen<R: Request>(request: &R) -> Result<SpiCall, Error> {
        let mut params = Params::new();
        request.write_params(&mut params)?;
        let body = params.take(top_api_rules::QIMEN_BODY_PARAM).unwrap_or_default();
        let mut call = SpiCall::new(R::METHOD).body(crate::qimen_router::CONTENT_TYPE, body);
        call.params.extend(params.iter().map(|(name, value)| (name.to_owned(), value.to_owned())));
        Ok(call)
    }

    /// Adds a param to the query.
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> SpiCall {
        self.params.push((name.into(), value.into()));
        self
    }

    /// The body and its content type (JSON, XML or text is signed with the params).
    #[must_use]
    pub fn body(mut self, content_type: impl Into<String>, body: impl Into<Vec<u8>>) -> SpiCall {
        self.content_type = content_type.into();
        self.body = body.into();
        self
    }

    /// Adds a header, named in `top-sign-list` and so signed.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> SpiCall {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Makes the call to `url` as the app `app_key` with the secret `app_secret`, the
    /// timestamp now, within 30 seconds: what `top spi call` does, and
    /// [`Sandbox::spi_call`](super::Sandbox::spi_call) with the sandbox's app and clock.
    ///
    /// # Errors
    ///
    /// [`Error::Transport`] when the server cannot be reached or does not answer in time.
    pub fn send(&self, url: &str, app_key: &str, app_secret: &str) -> Result<SpiAnswer, Error> {
        send(url, self, app_key, app_secret, DateTime::now(), Duration::from_secs(30))
    }
}

/// What the app's server answered an [`SpiCall`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpiAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// Makes `call` to `url`, signed with `secret` at `now`, bounded by `timeout`.
pub(super) fn send(
    url: &str,
    call: &SpiCall,
    app_key: &str,
    secret: &str,
    now: DateTime,
    timeout: Duration,
) -> Result<SpiAnswer, Error> {
    let mut query: Vec<(String, String)> = vec![
        ("method".to_owned(), call.method.clone()),
        ("app_key".to_owned(), app_key.to_owned()),
        ("timestamp".to_owned(), now.to_string()),
        ("v".to_owned(), "2.0".to_owned()),
        ("sign_method".to_owned(), "md5".to_owned()),
        ("format".to_owned(), "xml".to_owned()),
    ];
    query.extend(call.params.iter().cloned());
    let text: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&query).finish();
    let mut headers = call.headers.clone();
    if !headers.is_empty() {
        let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
        headers.push((spi::SIGN_LIST_HEADER.to_owned(), names.join(",")));
    }
    let request = spi::SpiRequest::new(&text, &call.body)
        .content_type(&call.content_type)
        .headers(headers.iter().map(|(name, value)| (name.as_str(), value.as_str())));
    let sign = spi::expected_sign(&request, secret);
    let target = format!("{url}{}{text}&sign={sign}", if url.contains('?') { '&' } else { '?' });
    let transport = UreqTransport::new(Some(timeout), Some(timeout), Some(timeout), Some(timeout), 10 << 20, None)?;
    let http = HttpRequest {
        url: &target,
        content_type: &call.content_type,
        body: &call.body,
        headers: &headers,
        timeout: Some(timeout),
        secrets: &[],
    };
    let answer = transport.send(&http).map_err(Error::Transport)?;
    Ok(SpiAnswer { status: answer.status, body: answer.body })
}
