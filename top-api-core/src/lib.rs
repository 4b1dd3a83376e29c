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
mod builder;
mod client;
mod date;
mod datetime;
mod decimal;
mod envelope;
mod error;
mod file;
mod json;
mod lenient;
mod limiter;
mod object;
mod options;
mod params;
mod random;
mod request;
mod response;
mod retry;
mod road;
mod settings;
mod stand_in;

pub mod apis;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod sign;
pub mod transport;
mod wire;

pub use crate::builder::ClientBuilder;
pub use crate::client::{Client, SessionClient, DEFAULT_GATEWAY, DEFAULT_PARTNER_ID};
pub use crate::date::Date;
pub use crate::datetime::{DateTime, ParseDateTimeError, GMT8};
pub use crate::decimal::{Decimal, ParseDecimalError};
pub use crate::envelope::{decode, decode_simplified, is_response_key, response_key};
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

/// What the expansions of `#[top_api]` and `#[derive(Object)]` name; not a public API.
#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;
