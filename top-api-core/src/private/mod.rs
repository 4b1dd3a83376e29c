//! What the expansions of `#[top_api]` and `#[derive(Object)]` name; not a public API.
//! Each helper lives in the room named after what it does.

mod field;
mod limits;
mod member;
mod object;
mod path;

pub use core::result::Result;
pub use serde;
pub use top_api_rules::Number;

pub use self::field::{check_sent, json, object, param, qimen_body, FieldOps, JsonParam, ObjectParam};
pub use self::limits::{check_max_items, check_max_len, check_range, Bounded, Items, Length};
pub use self::member::{check_required, Member};
pub use self::object::{read_object, write_field, write_object};
pub use self::path::Path;
pub use crate::lenient::{blank, read_list, read_optional};
