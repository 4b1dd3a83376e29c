//! The page reader: an API's documentation page, as text the way a browser's copy or a
//! saved page gives it, into the model of an API ([`Api`](crate::model::Api)).
//!
//! Two steps: [`parse`] reads the page's parts (the title and session need, the request
//! table with its limits and the member rows of object params, the response table, the
//! request example's setters, the example answers); [`read`] nests the response rows as the
//! example answer shows them and makes the model. Both are linear in the size of the page,
//! and no input panics them: what does not read is a [`PageError`] naming its line.

mod check;
mod nest;
mod parse;

pub use self::check::{answer_drift, misfits};
pub use self::nest::{read, read_message, to_api, Generated};
pub use self::parse::{
    is_field_name, is_message_page, parse, parse_message, Element, MessagePage, Page, PageError, Row, TopType,
    MAX_DEPTH,
};
