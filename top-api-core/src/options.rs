//! Options for one call.

use std::time::Duration;

/// Options for one call: its `target_app_key`, its own time bound, whether it is safe to
/// repeat.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use top_api::CallOptions;
///
/// let client = top_api::Client::builder("12345678", "app-secret").build()?;
/// let options = CallOptions::new().timeout(Duration::from_secs(5)).idempotent(true);
/// let answer = client.call_with("taobao.time.get", [("fields", "time")], &options)?;
/// # Ok::<(), top_api::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct CallOptions {
    pub(crate) target_app_key: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) idempotent: Option<bool>,
}

impl CallOptions {
    /// No options: the client's settings.
    pub fn new() -> CallOptions {
        CallOptions::default()
    }

    /// Sends `target_app_key`, for an API served by another ISV's app.
    pub fn target_app_key(mut self, app_key: impl Into<String>) -> CallOptions {
        self.target_app_key = Some(app_key.into());
        self
    }

    /// Bounds the whole call by `timeout`, over the client's
    /// [`timeout`](crate::ClientBuilder::timeout): connecting, sending, waiting for the
    /// answer and reading it, for every try, with the pauses between tries and the wait for
    /// the rate limit. A call that runs out of time fails with a timeout
    /// ([`Error::is_timeout`](crate::Error::is_timeout)).
    pub fn timeout(mut self, timeout: Duration) -> CallOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Says whether this call is safe to repeat, over what the API declares: `true` lets
    /// the retry policy send a write again after a transient fault.
    pub fn idempotent(mut self, idempotent: bool) -> CallOptions {
        self.idempotent = Some(idempotent);
        self
    }
}
