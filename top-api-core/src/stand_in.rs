//! Keeping the secrets out of the HTTP stack's own logs.
//!
//! At `TRACE`, ureq writes each request's URL and a hex dump of every byte it sends. So the
//! bytes handed to ureq carry stand-ins, random text of the same length, where the session
//! and the signature go; a layer below ureq's logging and above TLS puts the secrets back
//! into the bytes just before they are encrypted and sent. The gateway receives the real
//! values; the logs hold stand-ins that mean nothing outside the call.

use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The shortest secret worth a stand-in: a shorter one could not be told from other text.
const SHORTEST: usize = 12;

/// How far into a body secrets are looked for. The client writes them first (`sign` is the
/// first param, the session is among the system params that come before the API's own), so
/// they sit in its first few hundred bytes whatever the call uploads; looking no further
/// keeps a large upload from being searched.
const BODY_WINDOW: usize = 16 * 1024;

/// How far into each request's bytes stand-ins are looked for: the body's window, after the
/// request head.
const WIRE_WINDOW: usize = 64 * 1024;

/// The stand-ins of the calls in flight on one agent, and what each stands for.
#[derive(Debug)]
pub(crate) struct StandIns {
    /// What every stand-in of this agent starts with, so that finding them is one search.
    mark: [u8; 6],
    table: Mutex<Vec<(Vec<u8>, Vec<u8>)>>,
}

/// A call's stand-ins, taken off the table when the call ends.
pub(crate) struct Hidden<'a> {
    stand_ins: &'a StandIns,
    made: Vec<Vec<u8>>,
}

impl Drop for Hidden<'_> {
    fn drop(&mut self) {
        if self.made.is_empty() {
            return;
        }
        let mut table = self.stand_ins.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.retain(|(stand_in, _)| !self.made.contains(stand_in));
    }
}

/// Random letters and digits.
fn random_text(len: usize) -> Vec<u8> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let mut bits = std::collections::hash_map::RandomState::new().build_hasher().finish();
        for _ in 0..10 {
            if out.len() == len {
                break;
            }
            out.push(ALPHABET[(bits % 62) as usize]);
            bits /= 62;
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// `haystack` with every `needle` replaced by `with`, of the same length.
fn replace_all(haystack: &mut [u8], needle: &[u8], with: &[u8]) {
    let mut at = 0;
    while let Some(found) = find(&haystack[at..], needle) {
        let start = at + found;
        haystack[start..start + needle.len()].copy_from_slice(with);
        at = start + needle.len();
    }
}

impl StandIns {
    pub(crate) fn new() -> StandIns {
        let mut mark = [0; 6];
        mark.copy_from_slice(&random_text(6));
        StandIns { mark, table: Mutex::default() }
    }

    /// `url` and `body` with every secret, as sent (form-encoded or not), replaced by a
    /// stand-in of the same length; the stand-ins are on the table until `Hidden` drops.
    pub(crate) fn hide<'b>(
        &self,
        url: &'b str,
        body: &'b [u8],
        secrets: &[&str],
    ) -> (Cow<'b, str>, Cow<'b, [u8]>, Hidden<'_>) {
        let mut hidden = Hidden { stand_ins: self, made: Vec::new() };
        let (mut url, mut body) = (Cow::Borrowed(url), Cow::Borrowed(body));
        let mut pairs = Vec::new();
        for secret in secrets.iter().filter(|secret| secret.len() >= SHORTEST) {
            let mut encoded = Vec::new();
            crate::wire::form_encode(&mut encoded, secret);
            let forms =
                if encoded == secret.as_bytes() { vec![encoded] } else { vec![secret.as_bytes().to_vec(), encoded] };
            for form in forms {
                let window = body.len().min(BODY_WINDOW);
                let in_body = find(&body[..window], &form).is_some();
                let in_url = find(url.as_bytes(), &form).is_some();
                if !in_body && !in_url {
                    continue;
                }
                let mut stand_in = self.mark.to_vec();
                stand_in.extend(random_text(form.len() - self.mark.len()));
                if in_body {
                    replace_all(&mut body.to_mut()[..window], &form, &stand_in);
                }
                if in_url {
                    // Letters and digits in place of form-encoded text: still a valid URL.
                    let mut bytes = url.as_bytes().to_vec();
                    replace_all(&mut bytes, &form, &stand_in);
                    url = Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| url.to_string()));
                }
                hidden.made.push(stand_in.clone());
                pairs.push((stand_in, form));
            }
        }
        if !pairs.is_empty() {
            self.table.lock().unwrap_or_else(PoisonError::into_inner).extend(pairs);
        }
        (url, body, hidden)
    }

    /// Puts the secrets back in place of their stand-ins in `bytes`.
    fn restore(&self, bytes: &mut [u8]) {
        if find(bytes, &self.mark).is_none() {
            return;
        }
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        for (stand_in, secret) in table.iter() {
            replace_all(bytes, stand_in, secret);
        }
    }
}

/// The last link of the agent's connector chain: it wraps whatever the links before made
/// (TCP, a proxy tunnel, TLS) in a [`Restoring`] transport.
#[derive(Debug)]
pub(crate) struct RestoreConnector(pub(crate) Arc<StandIns>);

impl<In: Transport> Connector<In> for RestoreConnector {
    type Out = Restoring<In>;

    fn connect(&self, _: &ConnectionDetails, chained: Option<In>) -> Result<Option<Restoring<In>>, ureq::Error> {
        Ok(chained.map(|inner| Restoring { inner, stand_ins: self.0.clone(), sent: 0 }))
    }
}

/// A transport that puts the secrets back into what ureq wrote, then sends it.
#[derive(Debug)]
pub(crate) struct Restoring<T> {
    inner: T,
    stand_ins: Arc<StandIns>,
    /// How many bytes of the current request have gone: a request starts once the answer to
    /// the one before has been awaited, and only its first [`WIRE_WINDOW`] bytes can hold
    /// stand-ins.
    sent: usize,
}

impl<T: Transport> Transport for Restoring<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.sent < WIRE_WINDOW {
            let output = self.inner.buffers().output();
            let end = amount.min(output.len()).min(WIRE_WINDOW - self.sent);
            self.stand_ins.restore(&mut output[..end]);
        }
        self.sent = self.sent.saturating_add(amount);
        self.inner.transmit_output(amount, timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.sent = 0;
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.sent = 0;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_hidden_and_put_back() {
        let stand_ins = StandIns::new();
        let session = "6100e2a9-USER/TOKEN+x";
        let sign = "0123456789ABCDEF0123456789ABCDEF";
        let mut encoded = Vec::new();
        crate::wire::form_encode(&mut encoded, session);
        let encoded = String::from_utf8(encoded).unwrap();
        let body = format!("sign={sign}&session={encoded}&text=short&again={sign}");
        let url = format!("http://h/router/batch?sign={sign}&v=2.0");
        let (hidden_url, hidden_body, guard) = stand_ins.hide(&url, body.as_bytes(), &[session, sign, "short"]);
        let shown = String::from_utf8(hidden_body.to_vec()).unwrap();
        assert!(!shown.contains(sign) && !shown.contains(&encoded) && !hidden_url.contains(sign), "{shown}");
        assert_eq!((shown.len(), hidden_url.len()), (body.len(), url.len()));
        assert!(shown.contains("text=short"), "a secret too short to hide is left: {shown}");
        // What reaches the socket is the call as made.
        let mut wire = format!("POST {hidden_url}\r\n\r\n{shown}").into_bytes();
        stand_ins.restore(&mut wire);
        assert_eq!(String::from_utf8(wire).unwrap(), format!("POST {url}\r\n\r\n{body}"));
        // Once the call ends, its stand-ins mean nothing.
        drop(guard);
        let mut late = shown.clone().into_bytes();
        stand_ins.restore(&mut late);
        assert_eq!(String::from_utf8(late).unwrap(), shown);
    }
}
