//! SPI: calls the platform (or the Qimen router) makes to an app's own server, verified.
//!
//! The platform signs each call it makes: the param set is every header named in the
//! call's `top-sign-list` header (comma-separated; a header it names that is missing
//! counts as empty), every query param, and for a form post the form fields the query
//! does not already have, `sign` left out; sorted by name, each name then its value; for a
//! body of type JSON, XML or text the raw body appended; then the upper hex MD5 of the
//! secret, that, and the secret again, whatever `sign_method` says. The call's `timestamp`
//! (GMT+8 text, or epoch milliseconds) must be within a window of the server's clock, and
//! its caller among the platform's egress ranges (`taobao.top.ipout.get` lists them).
//!
//! [`Verifier`] makes these checks from what any server framework gives: the query
//! string, the headers, the body's bytes and content type, the caller's address. A Qimen
//! call's body is read with [`crate::qimen_router::read_request`] once verified, and answered
//! with [`crate::qimen_router::write_response`] or [`crate::qimen_router::write_failure`].
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use top_api::spi::{SpiRequest, SpiError, Verifier};
//!
//! let verifier = Verifier::new("app-secret").timestamp_window(Duration::from_secs(5 * 60));
//! let call = SpiRequest::new("method=taobao.refund.spi.check&timestamp=2015-04-26%2000%3A00%3A07", b"");
//! // No `sign` in the query: refused, and the error says why.
//! assert_eq!(verifier.verify(&call), Err(SpiError::MissingSign));
//! ```

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{sign, DateTime};

/// The header that names the headers a call's signature covers.
pub const SIGN_LIST_HEADER: &str = "top-sign-list";

/// An incoming call as the server framework gives it. Built from the raw query string and
/// body; headers, content type and the caller's address added as known.
#[derive(Clone, Default)]
pub struct SpiRequest<'a> {
    query: &'a str,
    body: &'a [u8],
    content_type: Option<&'a str>,
    headers: Vec<(&'a str, &'a str)>,
    remote: Option<IpAddr>,
}

impl fmt::Debug for SpiRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query holds the signature, the body the caller's data.
        f.debug_struct("SpiRequest")
            .field("body_len", &self.body.len())
            .field("content_type", &self.content_type)
            .field("headers", &self.headers.iter().map(|(name, _)| *name).collect::<Vec<_>>())
            .field("remote", &self.remote)
            .finish_non_exhaustive()
    }
}

impl<'a> SpiRequest<'a> {
    /// A call with its raw query string (without the `?`; percent-encoded as it came) and
    /// its body's bytes.
    pub fn new(query: &'a str, body: &'a [u8]) -> SpiRequest<'a> {
        SpiRequest { query: query.strip_prefix('?').unwrap_or(query), body, ..SpiRequest::default() }
    }

    /// Its `Content-Type`: a form's fields are signed; a JSON, XML or text body is
    /// appended to what is signed.
    #[must_use]
    pub fn content_type(mut self, content_type: &'a str) -> SpiRequest<'a> {
        self.content_type = Some(content_type);
        self
    }

    /// One of its headers (the ones `top-sign-list` names are signed; names compare without
    /// regard to case). The `Content-Type` header stands for [`content_type`](Self::content_type)
    /// when that is not given.
    #[must_use]
    pub fn header(mut self, name: &'a str, value: &'a str) -> SpiRequest<'a> {
        self.headers.push((name, value));
        self
    }

    /// Its headers, as pairs.
    #[must_use]
    pub fn headers(mut self, headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> SpiRequest<'a> {
        self.headers.extend(headers);
        self
    }

    /// The caller's address, for the check against the allowed ranges.
    #[must_use]
    pub fn remote_addr(mut self, addr: IpAddr) -> SpiRequest<'a> {
        self.remote = Some(addr);
        self
    }

    fn header_value(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.trim().eq_ignore_ascii_case(name.trim())).map(|(_, v)| *v)
    }

    fn mime(&self) -> String {
        let content_type = self.content_type.or_else(|| self.header_value("content-type")).unwrap_or("");
        content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
    }

    /// The query's params, decoded.
    pub fn query_params(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes()).into_owned().collect()
    }

    /// The params the signature covers, `sign` left out, and whether the body is appended.
    fn signed(&self) -> (Vec<(String, String)>, bool) {
        let mut params: Vec<(String, String)> = self.query_params();
        let mime = self.mime();
        if mime == "application/x-www-form-urlencoded" {
            for (name, value) in form_urlencoded::parse(self.body) {
                if !params.iter().any(|(n, _)| *n == name) {
                    params.push((name.into_owned(), value.into_owned()));
                }
            }
        }
        if let Some(list) = self.header_value(SIGN_LIST_HEADER) {
            for name in list.split(',').map(str::trim).filter(|name| !name.is_empty()) {
                let raw = self.header_value(name).unwrap_or("");
                // URL-decoded, as the official SDKs decode it (`+` a space).
                let value: String = form_urlencoded::parse(format!("v={raw}").as_bytes())
                    .next()
                    .map(|(_, value)| value.into_owned())
                    .unwrap_or_default();
                params.push((name.to_owned(), value));
            }
        }
        params.retain(|(name, _)| name != "sign");
        (params, body_is_signed(&mime))
    }
}

/// Whether a body of this type is appended to what is signed: JSON, XML and text.
fn body_is_signed(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime == "application/json"
        || mime == "application/xml"
        || mime.ends_with("+json")
        || mime.ends_with("+xml")
}

/// The signature of an SPI call: the upper hex MD5 of `secret`, the params sorted by name
/// (each name then its value), `body` when its type is signed, and `secret`.
///
/// # Examples
///
/// ```
/// let params = [("method", "taobao.refund.spi.check"), ("timestamp", "2015-04-26 00:00:07")];
/// let sign = top_api::spi::sign(params, b"", "secret");
/// assert_eq!(sign.len(), 32);
/// ```
pub fn sign<I>(params: I, body: &[u8], secret: &str) -> String
where
    I: IntoIterator,
    I::Item: sign::Pair,
{
    let text = sign::string_to_sign(params, "");
    sign::md5_around(secret, &[text.as_bytes(), body])
}

/// The signature `request` should carry, by the rule above: what a server compares with
/// the query's `sign` (and what the sandbox signs its calls with).
pub fn expected_sign(request: &SpiRequest<'_>, secret: &str) -> String {
    let (params, with_body) = request.signed();
    sign(params.iter().map(|(n, v)| (n.as_str(), v.as_str())), if with_body { request.body } else { b"" }, secret)
}

/// Why an SPI call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpiError {
    /// The query has no `sign`.
    MissingSign,
    /// The `sign` is not the call's signature with this secret.
    WrongSign,
    /// The query has no `timestamp`.
    MissingTimestamp,
    /// The `timestamp` is neither `yyyy-MM-dd HH:mm:ss` (GMT+8) nor epoch milliseconds.
    BadTimestamp {
        /// The text, as it came.
        timestamp: String,
    },
    /// The `timestamp` is further from the server's clock than the window allows.
    StaleTimestamp {
        /// How far it is, in seconds.
        skew_secs: u64,
    },
    /// The caller's address is not in the allowed ranges.
    AddressNotAllowed {
        /// The address.
        addr: IpAddr,
    },
    /// Ranges are set, but the call's address is not known.
    UnknownAddress,
}

impl fmt::Display for SpiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpiError::MissingSign => f.write_str("the call has no `sign`"),
            SpiError::WrongSign => f.write_str("the call's `sign` is not its signature with this app secret"),
            SpiError::MissingTimestamp => f.write_str("the call has no `timestamp`"),
            SpiError::BadTimestamp { timestamp } => {
                write!(f, "the timestamp `{timestamp}` is neither `yyyy-MM-dd HH:mm:ss` nor epoch milliseconds")
            }
            SpiError::StaleTimestamp { skew_secs } => {
                write!(f, "the timestamp is {skew_secs} s away from this server's clock, beyond the window")
            }
            SpiError::AddressNotAllowed { addr } => write!(f, "the caller {addr} is not in the allowed ranges"),
            SpiError::UnknownAddress => f.write_str("the caller's address is not known, and ranges are set"),
        }
    }
}

impl std::error::Error for SpiError {}

/// A range of addresses, `140.205.144.0/24` or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    addr: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Whether `addr` is in the range.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = match (self.addr, addr) {
            (IpAddr::V4(_), IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
            _ => addr,
        };
        match (self.addr, addr) {
            (IpAddr::V4(range), IpAddr::V4(addr)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(range) & mask == u32::from(addr) & mask
            }
            (IpAddr::V6(range), IpAddr::V6(addr)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(range) & mask == u128::from(addr) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpRange {
    type Err = String;

    /// `a.b.c.d/n`, `a:b::/n`, or one address.
    fn from_str(text: &str) -> Result<IpRange, String> {
        let text = text.trim();
        let (addr, prefix) = text.split_once('/').map_or((text, None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = addr.parse().map_err(|_| format!("`{text}` is not an address or a range"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("`{text}`: a bad prefix"))?,
        };
        Ok(IpRange { addr, prefix })
    }
}

/// Checks incoming SPI calls: their signature with the app secret, their timestamp within
/// a window (five minutes by default), and, when ranges are given, the caller's address.
#[derive(Clone)]
pub struct Verifier {
    secret: String,
    window: Duration,
    ranges: Vec<IpRange>,
    clock: std::sync::Arc<dyn Fn() -> SystemTime + Send + Sync>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier").field("window", &self.window).field("ranges", &self.ranges).finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier with the app secret.
    pub fn new(app_secret: impl Into<String>) -> Verifier {
        Verifier {
            secret: app_secret.into(),
            window: Duration::from_secs(5 * 60),
            ranges: Vec::new(),
            clock: std::sync::Arc::new(SystemTime::now),
        }
    }

    /// How far a call's timestamp may be from this server's clock, either way.
    #[must_use]
    pub fn timestamp_window(mut self, window: Duration) -> Verifier {
        self.window = window;
        self
    }

    /// The addresses calls may come from (the platform's egress ranges, as
    /// `taobao.top.ipout.get` lists them): a call from elsewhere is refused.
    #[must_use]
    pub fn allow(mut self, ranges: impl IntoIterator<Item = IpRange>) -> Verifier {
        self.ranges.extend(ranges);
        self
    }

    /// The clock timestamps are checked against (the system clock by default).
    #[must_use]
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Verifier {
        self.clock = std::sync::Arc::new(clock);
        self
    }

    /// Checks `request`: the caller's address (when ranges are set), the signature, then
    /// the timestamp.
    ///
    /// # Errors
    ///
    /// The first check that fails, as an [`SpiError`].
    pub fn verify(&self, request: &SpiRequest<'_>) -> Result<(), SpiError> {
        if !self.ranges.is_empty() {
            let addr = request.remote.ok_or(SpiError::UnknownAddress)?;
            if !self.ranges.iter().any(|range| range.contains(addr)) {
                return Err(SpiError::AddressNotAllowed { addr });
            }
        }
        let query = request.query_params();
        let sign = query.iter().find(|(name, _)| name == "sign").map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
        let sign = sign.ok_or(SpiError::MissingSign)?;
        if !expected_sign(request, &self.secret).eq_ignore_ascii_case(sign) {
            return Err(SpiError::WrongSign);
        }
        let timestamp = query.iter().find(|(name, _)| name == "timestamp").map(|(_, v)| v.as_str());
        let timestamp = timestamp.filter(|t| !t.trim().is_empty()).ok_or(SpiError::MissingTimestamp)?;
        let at =
            parse_timestamp(timestamp).ok_or_else(|| SpiError::BadTimestamp { timestamp: timestamp.to_owned() })?;
        let now = (self.clock)();
        let skew = at.duration_since(now).or_else(|_| now.duration_since(at)).unwrap_or_default();
        if skew > self.window {
            return Err(SpiError::StaleTimestamp { skew_secs: skew.as_secs() });
        }
        Ok(())
    }
}

/// `yyyy-MM-dd HH:mm:ss` in GMT+8, or epoch milliseconds.
fn parse_timestamp(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return UNIX_EPOCH.checked_add(Duration::from_millis(text.parse().ok()?));
    }
    DateTime::parse(text).ok().map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let range: IpRange = "140.205.144.0/24".parse().unwrap();
        assert!(range.contains("140.205.144.9".parse().unwrap()));
        assert!(!range.contains("140.205.145.9".parse().unwrap()));
        assert!(range.contains("::ffff:140.205.144.1".parse().unwrap()));
        let one: IpRange = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()) && !one.contains("127.0.0.2".parse().unwrap()));
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        let v6: IpRange = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8::1".parse().unwrap()) && !v6.contains("2001:db9::1".parse().unwrap()));
        for bad in ["", "1.2.3.4/33", "x/8", "1.2.3/8", "::/129"] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad}");
        }
    }
}
