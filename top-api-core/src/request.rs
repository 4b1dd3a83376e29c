//! What an API is to the client: a method name, a session need, params and a response type.

use serde::de::DeserializeOwned;

use crate::{Error, ParamError, Params, SessionNeed};

/// A TOP API: implemented by `#[top_api]`.
///
/// Implement it by hand only for what the attribute cannot express; the attribute also
/// implements [`WithoutSession`] for APIs that need no session.
pub trait Request {
    /// The API's method name, such as `taobao.baodian.deposit.get`.
    const METHOD: &'static str;
    /// Whether the API needs a user's session.
    const SESSION: SessionNeed;
    /// Whether a call is safe to repeat (a read): the client retries only these, unless
    /// the failure shows the call never reached the service.
    const IDEMPOTENT: bool;
    /// Whether the API is a Qimen API (`qimen = true` in the attribute): its `request`
    /// param is sent as an XML body to the Qimen router, its other params in the query
    /// string, and its answer is a `<response>` with a `flag`; see [`crate::qimen_router`].
    const QIMEN: bool = false;
    /// The member a successful answer comes in, worked out from the method when the code is
    /// compiled (the attribute writes it); empty for "work it out when a call is read".
    #[doc(hidden)]
    const RESPONSE_KEY: &'static str = "";
    /// The payload of a successful answer.
    type Response: DeserializeOwned;

    /// Adds the API's own params, in declaration order.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] when a structured param cannot be written as JSON.
    fn write_params(&self, params: &mut Params) -> Result<(), Error>;

    /// Rebuilds the request from its params: the way back, as a gateway reads a call.
    /// The sandbox gateway uses it to hand typed requests to handlers.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the param that is missing or cannot be read.
    fn from_params(params: &Params) -> Result<Self, ParamError>
    where
        Self: Sized;
}

/// An API that can be called without a session: `client.execute(&request)`.
///
/// An API declared `session = "required"` lacks it, so calling it without a session
/// does not compile; call it through `client.with_session(token)` instead.
#[diagnostic::on_unimplemented(
    message = "`{Self}` needs a user session",
    label = "this API is declared `session = \"required\"`",
    note = "call it as `client.with_session(token).execute(&request)`"
)]
pub trait WithoutSession: Request {}

/// An API a batch can carry: the attribute implements it when no field's type is a
/// [`File`](crate::File) and the API is no Qimen API (those go to the Qimen router, one
/// call a request).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot go in a batch",
    label = "this API uploads a file, or is a Qimen API",
    note = "call it on its own: `client.execute(&request)`"
)]
pub trait WithoutFiles: Request {}
