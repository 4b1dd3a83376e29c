//! A successful answer: the typed payload and the gateway's request id.

use std::ops::{Deref, DerefMut};

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
    request_id: Option<String>,
    drift: Vec<Drift>,
}

impl<T> Response<T> {
    /// Wraps a payload; tests and sandbox handlers build answers with it.
    pub fn new(body: T, request_id: Option<String>) -> Response<T> {
        Response::boxed(Box::new(body), request_id)
    }

    /// [`Response::new`] of a payload on the heap already.
    pub(crate) fn boxed(body: Box<T>, request_id: Option<String>) -> Response<T> {
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
        self.request_id.as_deref()
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
