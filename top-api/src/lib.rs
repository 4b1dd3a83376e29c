#![cfg_attr(not(doctest), doc = include_str!("../README.md"))]
//! ## In one example
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
#![cfg_attr(docsrs, feature(doc_cfg))]

#[doc(inline)]
pub use top_api_core::*;

include!("packages.rs");
