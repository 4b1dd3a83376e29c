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

pub mod batch;
mod client;
mod datetime;
mod envelope;
mod error;
mod file;
mod lenient;
mod params;
mod request;
mod response;
mod retry;

pub mod apis;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod sign;
pub mod transport;

pub use crate::client::{CallOptions, Client, ClientBuilder, SessionClient, DEFAULT_GATEWAY, DEFAULT_PARTNER_ID};
pub use crate::datetime::{DateTime, ParseDateTimeError, GMT8};
pub use crate::envelope::{decode, is_response_key, response_key, Format};
pub use crate::error::{ApiError, CheckError, DecodeError, Error, ErrorKind, TransportError, TransportErrorKind};
pub use crate::file::File;
pub use crate::params::{Param, ParamError, Params};
pub use crate::request::{Request, SessionNeed, WithoutSession};
pub use crate::response::Response;
pub use crate::retry::RetryPolicy;
pub use crate::sign::SignMethod;
pub use top_api_macros::top_api;

/// What the attribute's expansion names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use core::result::Result;

    use crate::error::CheckError;
    use crate::{Error, Param, ParamError, Params};

    /// How the expansion writes and reads one field. Only the constructors carry the
    /// bound, so that a field type that cannot be a param raises one error, at the type,
    /// however many times the expansion uses it.
    pub struct FieldOps<T> {
        write: fn(&mut Params, &'static str, &T) -> Result<(), Error>,
        read: fn(&Params, &'static str) -> Result<T, ParamError>,
    }

    impl<T> FieldOps<T> {
        pub fn write(&self, params: &mut Params, name: &'static str, value: &T) -> Result<(), Error> {
            (self.write)(params, name, value)
        }

        pub fn read(&self, params: &Params, name: &'static str) -> Result<T, ParamError> {
            (self.read)(params, name)
        }
    }

    /// A plain field: written with [`Param`]; a required one must not end up unsent.
    pub const fn param<T: Param>() -> FieldOps<T> {
        FieldOps {
            write: |params, name, value| {
                value.push_to(name, params);
                if T::required() && !params.contains(name) {
                    return Err(Error::Check(CheckError::missing(name)));
                }
                Ok(())
            },
            read: |params, name| T::read_from(params, name),
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

    /// A text whose length in characters can be limited by `max_len`.
    #[diagnostic::on_unimplemented(
        message = "`max_len` does not apply to `{Self}`",
        label = "`max_len` limits text: `String` or `Option<String>`"
    )]
    pub trait Length {
        fn char_count(&self) -> Option<usize>;
    }

    impl Length for String {
        fn char_count(&self) -> Option<usize> {
            Some(self.chars().count())
        }
    }

    impl<T: Length> Length for Option<T> {
        fn char_count(&self) -> Option<usize> {
            self.as_ref().and_then(Length::char_count)
        }
    }

    /// A list whose size can be limited by `max_items`.
    #[diagnostic::on_unimplemented(
        message = "`max_items` does not apply to `{Self}`",
        label = "`max_items` limits lists: `Vec<T>` or `Option<Vec<T>>`"
    )]
    pub trait Items {
        fn items(&self) -> Option<usize>;
    }

    impl<T> Items for Vec<T> {
        fn items(&self) -> Option<usize> {
            Some(self.len())
        }
    }

    impl<T: Items> Items for Option<T> {
        fn items(&self) -> Option<usize> {
            self.as_ref().and_then(Items::items)
        }
    }

    /// A number that `min` and `max` can bound.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub enum Number {
        Int(i128),
        Float(f64),
    }

    impl Number {
        fn below(self, other: Number) -> bool {
            match (self, other) {
                (Number::Int(a), Number::Int(b)) => a < b,
                (a, b) => a.as_f64() < b.as_f64(),
            }
        }

        fn as_f64(self) -> f64 {
            match self {
                Number::Int(n) => n as f64,
                Number::Float(x) => x,
            }
        }
    }

    impl core::fmt::Display for Number {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            match self {
                Number::Int(n) => n.fmt(f),
                Number::Float(x) => x.fmt(f),
            }
        }
    }

    /// A value that `min` and `max` can bound.
    #[diagnostic::on_unimplemented(
        message = "`min` and `max` do not apply to `{Self}`",
        label = "`min` and `max` bound numbers: an integer, a float, or an `Option` of one"
    )]
    pub trait Bounded {
        fn number(&self) -> Option<Number>;
    }

    macro_rules! bounded {
        ($variant:ident: $($ty:ty)*) => {
            $(
                impl Bounded for $ty {
                    fn number(&self) -> Option<Number> {
                        Some(Number::$variant((*self).into()))
                    }
                }
            )*
        };
    }

    bounded!(Int: i8 i16 i32 i64 u8 u16 u32 u64);
    bounded!(Float: f32 f64);

    impl<T: Bounded> Bounded for Option<T> {
        fn number(&self) -> Option<Number> {
            self.as_ref().and_then(Bounded::number)
        }
    }

    pub fn check_max_len<T: Length>(name: &'static str, value: &T, max: usize) -> Result<(), Error> {
        match value.char_count() {
            Some(len) if len > max => Err(Error::Check(CheckError::invalid(
                name,
                format!("is {len} characters long, over its limit of {max}"),
            ))),
            _ => Ok(()),
        }
    }

    pub fn check_max_items<T: Items>(name: &'static str, value: &T, max: usize) -> Result<(), Error> {
        match value.items() {
            Some(items) if items > max => {
                Err(Error::Check(CheckError::invalid(name, format!("has {items} items, over its limit of {max}"))))
            }
            _ => Ok(()),
        }
    }

    pub fn check_range<T: Bounded>(
        name: &'static str,
        value: &T,
        min: Option<Number>,
        max: Option<Number>,
    ) -> Result<(), Error> {
        let Some(number) = value.number() else { return Ok(()) };
        if let Some(min) = min.filter(|min| number.below(*min)) {
            return Err(Error::Check(CheckError::invalid(name, format!("is {number}, under its minimum of {min}"))));
        }
        if let Some(max) = max.filter(|max| max.below(number)) {
            return Err(Error::Check(CheckError::invalid(name, format!("is {number}, over its maximum of {max}"))));
        }
        Ok(())
    }
}
