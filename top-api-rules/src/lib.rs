//! The rules of the Taobao Open Platform that several parts of top-api need, each written
//! once: the runtime (`top-api-core`), the `#[top_api]` attribute (`top-api-macros`), the
//! generator and the `top` command (`top-cli`), and the generated APIs' tests.
//!
//! Use it through the `top-api` crate, which re-exports what users need
//! ([`SessionNeed`], [`SYSTEM_PARAMS`]); the rest is here so that no rule drifts between
//! two copies.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod check;
mod method;
mod names;
mod qimen;
mod session;
mod slots;
mod system;

pub use crate::check::{Number, Violation, INVALID_PARAM_SUB_CODE};
pub use crate::method::{is_method, is_read, response_key};
pub use crate::names::list_key;
pub use crate::qimen::{is_qimen, qimen_item_name, QIMEN_ANSWER_ROOT, QIMEN_BODY_PARAM, QIMEN_CUSTOMER_PARAM};
pub use crate::session::SessionNeed;
pub use crate::slots::{slot_of, SLOTS};
pub use crate::system::{is_reserved, OPTIONAL_SYSTEM_PARAMS, SYSTEM_PARAMS};
