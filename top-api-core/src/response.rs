//! A successful answer: the typed payload and the gateway's request id.

use std::ops::{Deref, DerefMut};

/// A successful answer: the response type, plus the `request_id` the gateway gave the call.
///
/// It dereferences to the payload, so its fields read directly:
/// `client.execute(&request)?.user_coin_deposit`.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    body: T,
    request_id: Option<String>,
}

impl<T> Response<T> {
    /// Wraps a payload; tests and sandbox handlers build answers with it.
    pub fn new(body: T, request_id: Option<String>) -> Response<T> {
        Response { body, request_id }
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
        self.body
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
