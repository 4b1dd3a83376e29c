//! The runtime of [top-api](https://docs.rs/top-api): the client and a call's road, params,
//! signing, envelopes, the lenient decoder, errors, the transport, the value types and the
//! sandbox gateway. Use it through the `top-api` crate, which re-exports all of it with the
//! generated APIs.
//!
//! ```no_run
//! use serde::Deserialize;
//! use top_api::top_api;
//!
//! /// Gets the platform's time (获取淘宝系统当前时间).
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
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate self as top_api;

pub mod batch;
mod builder;
mod client;
mod date;
mod datetime;
mod decimal;
mod drift;
mod envelope;
mod error;
mod file;
#[cfg(any(feature = "sandbox", feature = "messages"))]
mod gzip;
mod json;
mod lenient;
mod limiter;
mod node;
mod object;
mod options;
mod params;
mod plain;
pub mod qimen_router;
mod random;
mod request;
mod response;
mod retry;
mod road;
mod scratch;
mod settings;
mod stand_in;
mod xml;

pub mod apis;
#[cfg(feature = "messages")]
pub mod messages;
pub mod oauth;
#[cfg(feature = "sandbox")]
pub mod sandbox;
#[cfg(feature = "redis")]
pub mod shared;
pub mod sign;
pub mod spi;
pub mod transport;
mod wire;

pub use crate::builder::ClientBuilder;
pub use crate::client::{Client, SessionClient, DEFAULT_GATEWAY, DEFAULT_PARTNER_ID, DEFAULT_QIMEN_GATEWAY};
pub use crate::date::Date;
pub use crate::datetime::{DateTime, ParseDateTimeError, GMT8};
pub use crate::decimal::{Decimal, ParseDecimalError};
pub use crate::drift::{Drift, DriftKind};
pub use crate::envelope::{decode, decode_simplified, decode_strict, is_response_key, response_key};
pub use crate::error::{
    ApiError, CheckError, ConfigError, DecodeError, Error, ErrorKind, TransportError, TransportErrorKind,
};
pub use crate::file::File;
pub use crate::json::Json;
pub use crate::object::Object;
pub use crate::options::CallOptions;
pub use crate::params::{Param, ParamError, Params};
pub use crate::request::{Request, WithoutFiles, WithoutSession};
pub use crate::response::Response;
pub use crate::retry::RetryPolicy;
pub use crate::settings::{Format, SignMethod};
pub use top_api_macros::{top_api, Object};
pub use top_api_rules::{SessionNeed, Violation, SYSTEM_PARAMS};

/// The platform's rules the client, the attribute and the generator share: the method
/// grammar, which methods only read, session needs, the system params, the list wrapper key,
/// the checks of a param and the gateway's words when one fails.
#[doc(inline)]
pub use top_api_rules as rules;

/// What the expansions of `#[top_api]` and `#[derive(Object)]` name; not a public API.
#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;
