//! A successful answer: the typed payload and the gateway's request id.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::Drift;

/// A successful answer: the response type, plus the `request_id` the gateway gave the call.
///
/// It dereferences to the payload, so its fields read directly:
/// `client.execute(&request)?.user_coin_deposit`.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// On the heap: an answer is handed up through several layers of a call's road, and a
    /// pointer moves where a large payload would be copied at each.
    body: Box<T>,
    request_id: Option<RequestId>,
    drift: Vec<Drift>,
}

impl<T> Response<T> {
    /// Wraps a payload; tests and sandbox handlers build answers with it.
    pub fn new(body: T, request_id: Option<String>) -> Response<T> {
        Response::boxed(Box::new(body), request_id.map(RequestId::from))
    }

    /// [`Response::new`] of a payload on the heap already.
    pub(crate) fn boxed(body: Box<T>, request_id: Option<RequestId>) -> Response<T> {
        Response { body, request_id, drift: Vec::new() }
    }

    pub(crate) fn set_drift(&mut self, drift: Vec<Drift>) {
        self.drift = drift;
    }

    /// The drift with each of `secrets` replaced in what came: an answer may echo what it
    /// was sent.
    pub(crate) fn redact_drift(&mut self, secrets: &[&str]) {
        let drift = std::mem::take(&mut self.drift);
        self.drift = drift.into_iter().map(|drift| drift.redacted(secrets)).collect();
    }

    /// Every place where the answer and its type disagreed: a key the type has no field
    /// for (skipped), a value that does not fit its `Option` field (left `None`). Empty for
    /// an answer that fits its type. The client also logs each place once per method, at
    /// warn level.
    ///
    /// # Examples
    ///
    /// ```
    /// use top_api::apis::TaobaoBaodianDepositGet;
    ///
    /// let body = br#"{"baodian_deposit_get_response":{"user_coin_deposit":{"deposit":"many","gold":1}}}"#;
    /// let answer = top_api::decode::<TaobaoBaodianDepositGet>(body, top_api::Format::Json)?;
    /// assert_eq!(answer.user_coin_deposit.as_ref().and_then(|d| d.deposit), None);
    /// let places: Vec<&str> = answer.drift().iter().map(|drift| drift.path()).collect();
    /// assert_eq!(places, ["user_coin_deposit.deposit", "user_coin_deposit.gold"]);
    /// # Ok::<(), top_api::Error>(())
    /// ```
    pub fn drift(&self) -> &[Drift] {
        &self.drift
    }

    /// The id the gateway gave the call, for support requests and logs.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_ref().map(RequestId::as_str)
    }

    /// The payload.
    pub fn get(&self) -> &T {
        &self.body
    }

    /// The payload, without the request id.
    pub fn into_inner(self) -> T {
        *self.body
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.body
    }
}

/// A gateway's request id, held without an allocation when short, as the gateway's are
/// (a dozen letters and digits): every answer carries one.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RequestId(Held);

#[derive(Clone, PartialEq, Eq)]
enum Held {
    Short { len: u8, bytes: [u8; RequestId::SHORT] },
    Long(Box<str>),
}

impl RequestId {
    /// The longest id held in place.
    const SHORT: usize = 30;

    pub(crate) fn as_str(&self) -> &str {
        match &self.0 {
            // Copied from a `str` whole: always text.
            Held::Short { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default(),
            Held::Long(id) => id,
        }
    }
}

impl From<&str> for RequestId {
    fn from(id: &str) -> RequestId {
        match u8::try_from(id.len()) {
            Ok(len) if id.len() <= RequestId::SHORT => {
                let mut bytes = [0; RequestId::SHORT];
                bytes[..id.len()].copy_from_slice(id.as_bytes());
                RequestId(Held::Short { len, bytes })
            }
            _ => RequestId(Held::Long(id.into())),
        }
    }
}

impl From<String> for RequestId {
    fn from(id: String) -> RequestId {
        if id.len() <= RequestId::SHORT {
            RequestId::from(id.as_str())
        } else {
            RequestId(Held::Long(id.into_boxed_str()))
        }
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<RequestId, D::Error> {
        struct Text;

        impl Visitor<'_> for Text {
            type Value = RequestId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a request id")
            }

            fn visit_str<E: de::Error>(self, id: &str) -> Result<RequestId, E> {
                Ok(RequestId::from(id))
            }

            fn visit_string<E: de::Error>(self, id: String) -> Result<RequestId, E> {
                Ok(RequestId::from(id))
            }
        }

        de.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_id_reads_back_as_it_came_short_or_long() {
        for id in [
            "",
            "4b2kp0g5fdw1",
            "宝",
            &"x".repeat(RequestId::SHORT),
            &"y".repeat(RequestId::SHORT + 1),
            &"宝".repeat(11),
        ] {
            assert_eq!(RequestId::from(id).as_str(), id);
            assert_eq!(RequestId::from(id.to_owned()).as_str(), id);
            assert_eq!(format!("{:?}", RequestId::from(id)), format!("{id:?}"));
            let json = serde_json::to_string(id).unwrap();
            assert_eq!(serde_json::from_str::<RequestId>(&json).unwrap().as_str(), id);
            assert_eq!(Response::new((), Some(id.to_owned())).request_id(), Some(id));
        }
        assert!(matches!(RequestId::from("4b2kp0g5fdw1").0, Held::Short { .. }), "a gateway's id is held in place");
    }
}
