//! A Rust SDK for the Taobao Open Platform (TOP).
//!
//! An API is a plain struct with one attribute; a blocking client signs it, sends it and
//! decodes the answer into a plain `#[derive(Deserialize)]` type:
//!
//! ```no_run
//! use serde::Deserialize;
//! use top_api::top_api;
//!
//! /// Queries the server time (获取前台展示的店铺类目).
//! #[top_api(method = "taobao.time.get", response = TimeGetResponse)]
//! pub struct TimeGet;
//!
//! #[derive(Debug, Deserialize)]
//! pub struct TimeGetResponse {
//!     pub time: top_api::DateTime,
//! }
//!
//! let client = top_api::Client::builder("12345678", "app-secret").build()?;
//! let answer = client.execute(&TimeGet)?;
//! println!("{} (request {:?})", answer.time, answer.request_id());
//! # Ok::<(), top_api::Error>(())
//! ```
//!
//! How a call flows: the request's params and the system params form one ordered list,
//! which is signed and then sent as the form body; the answer's envelope
//! (`<name>_response` or `error_response`, JSON wrapped or simplified, or XML) is read
//! straight from the bytes into the response type. See the README for the error model
//! and the attribute's arguments.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate self as top_api;

mod client;
mod datetime;
mod envelope;
mod error;
mod lenient;
mod params;
mod request;
mod response;

pub mod apis;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod sign;
pub mod transport;

pub use crate::client::{Client, ClientBuilder, SessionClient, DEFAULT_GATEWAY};
pub use crate::datetime::{DateTime, ParseDateTimeError, GMT8};
pub use crate::envelope::{decode, is_response_key, response_key, Format};
pub use crate::error::{ApiError, DecodeError, Error, TransportError, TransportErrorKind};
pub use crate::params::{Param, ParamError, Params};
pub use crate::request::{Request, SessionNeed, WithoutSession};
pub use crate::response::Response;
pub use crate::sign::SignMethod;
pub use top_api_macros::top_api;

/// What the attribute's expansion names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use core::result::Result;

    use crate::{Error, Param, ParamError, Params};

    /// How the expansion writes and reads one field. Only the constructors carry the
    /// bound, so that a field type that cannot be a param raises one error, at the type,
    /// however many times the expansion uses it.
    pub struct FieldOps<T> {
        write: fn(&mut Params, &'static str, &T) -> Result<(), Error>,
        read: fn(&Params, &'static str) -> Result<T, ParamError>,
    }

    impl<T> FieldOps<T> {
        pub fn write(
            &self,
            params: &mut Params,
            name: &'static str,
            value: &T,
        ) -> Result<(), Error> {
            (self.write)(params, name, value)
        }

        pub fn read(&self, params: &Params, name: &'static str) -> Result<T, ParamError> {
            (self.read)(params, name)
        }
    }

    /// A plain field: written with [`Param`].
    pub const fn param<T: Param>() -> FieldOps<T> {
        FieldOps {
            write: |params, name, value| {
                params.push_value(name, value);
                Ok(())
            },
            read: |params, name| params.read(name),
        }
    }

    /// A `#[top(json)]` field: written and read as JSON text.
    pub const fn json<T: JsonParam>() -> FieldOps<T> {
        FieldOps {
            write: |params, name, value| params.push_json(name, value),
            read: |params, name| params.read_json(name),
        }
    }

    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be a `#[top(json)]` param",
        label = "not `Serialize` and `Deserialize`",
        note = "a `#[top(json)]` field's type derives `serde::Serialize` and `serde::Deserialize`"
    )]
    pub trait JsonParam: serde::Serialize + serde::de::DeserializeOwned {}

    impl<T: serde::Serialize + serde::de::DeserializeOwned> JsonParam for T {}
}
