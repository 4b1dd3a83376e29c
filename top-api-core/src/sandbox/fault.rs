//! The faults a sandbox plays on demand: delays, dropped connections, bad gateways, cut
//! answers, pages that are no answer, flow control and server faults.

use std::collections::HashMap;
use std::time::Duration;

use super::gateway::content_type;
use super::http::Outgoing;
use crate::{ApiError, Format};

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
    pub(super) fn refusal(&self) -> Option<ApiError> {
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

/// The faults set on a sandbox: those of the next calls, and those of a method.
#[derive(Default)]
pub(super) struct Faults {
    pub(super) next: Vec<(usize, Fault)>,
    pub(super) by_method: HashMap<String, Fault>,
}

impl Faults {
    /// The fault the next call of `method` plays, if any: the method's own, else the first
    /// of the next calls' (one call fewer left for it).
    pub(super) fn take(&mut self, method: Option<&str>) -> Option<Fault> {
        if let Some(fault) = method.and_then(|m| self.by_method.get(m)) {
            return Some(fault.clone());
        }
        let (left, fault) = self.next.first_mut()?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            self.next.remove(0);
        }
        Some(fault)
    }
}

/// Answers `body` as `reply` writes it, or what `fault` plays instead of it.
pub(super) fn play(
    fault: Option<Fault>,
    format: Format,
    body: String,
    reply: impl FnOnce(String) -> Outgoing,
) -> Outgoing {
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
    reply(body)
}
