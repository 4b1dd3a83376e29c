//! Qimen (奇门), the router between ERPs and WMS/OMS: how its APIs are called, and how a server
//! that receives its calls reads and answers them. (The generated Qimen APIs are in the
//! package `top_api::qimen`, feature `qimen`.)
//!
//! A Qimen API is declared with `#[top_api(method = "…", response = …, qimen = true)]`: its
//! field `request` (an object) is the call's body, written as XML under a `<request>`
//! root (an element per member, named by its wire name; members without a value left out;
//! a list as a wrapper holding one element per item, named after the item's type in
//! lowerCamelCase, `<orderLines><orderLine>…</orderLine></orderLines>`, or `string`,
//! `number`, `boolean` for scalars; text escaped). Its other fields (`customerId`, the
//! customer the router routes by) go in the query string with the system params. The
//! signature covers the query's params, sorted, with the raw body appended. The call goes
//! to the Qimen router ([`ClientBuilder::qimen_gateway`](crate::ClientBuilder::qimen_gateway)),
//! whose answer is a `<response>` root: `flag` `success` (the whole element is read into
//! the response type, `flag`, `code` and `message` among its fields) or `failure` (an
//! [`crate::Error::Api`]: see [`crate::ApiError::qimen`]).
//!
//! Everything else takes the road of every call: retries, the rate limit, time bounds,
//! logs, secrets kept out of errors.
//!
//! # The server's side
//!
//! A WMS or an ERP that receives Qimen calls checks them with [`crate::spi::Verifier`], reads
//! the body into the same generated request type with [`read_request`], and answers with
//! [`write_response`] or [`write_failure`].
//!
//! ```
//! use top_api::qimen_router::{read_request, write_failure, write_response};
//! use top_api::{top_api, ApiError, Object};
//!
//! #[derive(Debug, Clone, Default, PartialEq, Object)]
//! pub struct StockoutNoticeRequest {
//!     #[top(rename = "deliveryOrderCode", required)]
//!     pub delivery_order_code: String,
//! }
//!
//! #[derive(Debug, Clone, Default, PartialEq, Object)]
//! pub struct StockoutNoticeResponse {
//!     pub flag: Option<String>,
//! }
//!
//! #[top_api(method = "taobao.qimen.stockout.notice", response = StockoutNoticeResponse, qimen = true)]
//! #[derive(Debug, Clone, Default, PartialEq)]
//! pub struct StockoutNotice {
//!     #[top(rename = "customerId")]
//!     pub customer_id: String,
//!     #[top(object)]
//!     pub request: Option<StockoutNoticeRequest>,
//! }
//!
//! let query = "method=taobao.qimen.stockout.notice&customerId=C1&sign=…";
//! let body = b"<request><deliveryOrderCode>D1</deliveryOrderCode></request>";
//! let notice: StockoutNotice = read_request(query, body)?;
//! assert_eq!(notice.request.unwrap().delivery_order_code, "D1");
//!
//! let ok = write_response(&StockoutNoticeResponse::default())?;
//! assert!(ok.contains("<flag>success</flag>"));
//! let refused = write_failure(&ApiError::qimen(Some("SYSTEM_ERROR"), Some("no such order")));
//! assert!(refused.contains("<flag>failure</flag><code>SYSTEM_ERROR</code><message>no such order</message>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::envelope;
use crate::lenient::Capture;
use crate::node::{self, Naming, Node};
use crate::{ApiError, Error, ParamError, Params, Request};

/// The content type of a Qimen body, and of its answer.
pub const CONTENT_TYPE: &str = "text/xml;charset=utf-8";

/// Reads an incoming Qimen call into its request type `R`: the query's params (the system
/// params and `sign` left out: `customerId` and the like) and the XML body as `request`.
/// Verify the call first ([`crate::spi::Verifier`]).
///
/// # Errors
///
/// A [`ParamError`]: a body that is not UTF-8 or not XML, a required member missing (named
/// by its place, `request.deliveryOrder.warehouseCode`), a member that does not fit.
pub fn read_request<R: Request>(query: &str, body: &[u8]) -> Result<R, ParamError> {
    let body =
        std::str::from_utf8(body).map_err(|_| ParamError::invalid(top_api_rules::QIMEN_BODY_PARAM, "is not UTF-8"))?;
    let mut params = Params::new();
    for (name, value) in form_urlencoded::parse(query.strip_prefix('?').unwrap_or(query).as_bytes()) {
        if !top_api_rules::is_reserved(&name) && name != top_api_rules::QIMEN_BODY_PARAM {
            params.push(name.into_owned(), &*value);
        }
    }
    params.push(top_api_rules::QIMEN_BODY_PARAM, body);
    R::from_params(&params)
}

/// A Qimen answer of success: `payload`'s fields under `<response>`, with `flag`
/// `success` (and `code` `0`, `message` `success`) unless the payload has its own.
///
/// # Errors
///
/// [`Error::Param`] when the payload has no XML form (a value that is no object, a map key
/// that is no XML name, text XML cannot carry).
pub fn write_response<T: serde::Serialize + ?Sized>(payload: &T) -> Result<String, Error> {
    let fail = |reason: String| Error::Param { name: "response", reason };
    let node = node::to_node(payload).map_err(|err| fail(err.to_string()))?;
    writable(&node, top_api_rules::QIMEN_ANSWER_ROOT).map_err(fail)?;
    Ok(success_document(&node))
}

/// A Qimen answer of failure: `flag` `failure`, with the refusal's `code` and `message` as
/// [`ApiError::qimen`] reads them back (build one with it: `ApiError::qimen(Some("SYSTEM_ERROR"), Some("…"))`).
pub fn write_failure(refusal: &ApiError) -> String {
    let (code, message) = refusal.qimen_parts();
    let fields =
        [("flag", Node::Text("failure".to_owned())), ("code", Node::Text(code)), ("message", Node::Text(message))];
    let fields: Vec<(&str, &Node)> = fields.iter().map(|(k, v)| (*k, v)).collect();
    answer_document(&fields)
}

/// [`write_response`] of a payload already made a [`Node`].
pub(crate) fn success_document(payload: &Node) -> String {
    let mut fields: Vec<(&str, &Node)> = match payload {
        Node::Object(_, fields) => {
            fields.iter().filter(|(_, v)| *v != Node::Null).map(|(k, v)| (k.as_str(), v)).collect()
        }
        Node::Null => Vec::new(),
        other => vec![("result", other)],
    };
    let status = [
        ("flag", Node::Text("success".to_owned())),
        ("code", Node::Text("0".to_owned())),
        ("message", Node::Text("success".to_owned())),
    ];
    for (i, (name, value)) in status.iter().enumerate() {
        if !fields.iter().any(|(key, _)| key == name) {
            fields.insert(i, (name, value));
        }
    }
    answer_document(&fields)
}

fn answer_document(fields: &[(&str, &Node)]) -> String {
    let root = top_api_rules::QIMEN_ANSWER_ROOT;
    let mut out = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><{root}>");
    for (key, value) in fields {
        node::xml_element(&mut out, key, value, Naming::Qimen);
    }
    out.push_str("</");
    out.push_str(root);
    out.push('>');
    out
}

/// The body of a Qimen call: `value` (an object, or `None`) as XML under `<request>`.
///
/// # Errors
///
/// What makes the value unwritable as XML: a value that is no object, a map key that is no
/// XML name, text holding a character XML cannot carry.
pub(crate) fn write_body<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    write_document(top_api_rules::QIMEN_BODY_PARAM, value)
}

/// `value` as an XML document with the root `root`, lists named as a Qimen body names them.
pub(crate) fn write_document<T: Serialize + ?Sized>(root: &str, value: &T) -> Result<String, String> {
    let node = node::to_node(value).map_err(|err| err.to_string())?;
    let fields = match &node {
        Node::Object(_, fields) => fields.as_slice(),
        Node::Null => &[],
        _ => return Err("the body is not an object".to_owned()),
    };
    writable(&node, root)?;
    let mut out = String::with_capacity(256);
    out.push('<');
    out.push_str(root);
    out.push('>');
    for (name, value) in fields {
        node::xml_element(&mut out, name, value, Naming::Qimen);
    }
    out.push_str("</");
    out.push_str(root);
    out.push('>');
    Ok(out)
}

/// Whether `node` can be written as well-formed XML: every element name an XML name, no
/// text with a character XML 1.0 cannot carry (control characters other than tab, line
/// feed and carriage return).
fn writable(node: &Node, at: &str) -> Result<(), String> {
    match node {
        Node::Text(text) => match text.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
            Some(c) => Err(format!("`{at}` holds the character U+{:04X}, which XML cannot carry", u32::from(c))),
            None => Ok(()),
        },
        Node::List(items) => items.iter().enumerate().try_for_each(|(i, item)| writable(item, &format!("{at}[{i}]"))),
        Node::Object(_, fields) => fields.iter().try_for_each(|(name, value)| {
            let here = format!("{at}.{name}");
            if is_xml_name(name) {
                writable(value, &here)
            } else {
                Err(format!("`{here}`: `{name}` cannot be the name of an XML element"))
            }
        }),
        Node::Null | Node::Bool(_) | Node::Int(_) | Node::Float(_) => Ok(()),
    }
}

/// An XML element name: a letter or `_` first, then letters, digits, `_`, `-` or `.`; no
/// `xml` prefix games, no `:` (no namespaces here).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Reads a Qimen body (the `<request>` document), the param `name`, into `T`, all or
/// nothing: a body whose root holds no element reads as no value (`None` for an `Option`).
///
/// # Errors
///
/// A [`ParamError`]: missing, naming the member a required one is (`request.entryOrder.ownerCode`);
/// invalid for malformed XML or a member that does not fit, with its path.
pub(crate) fn read_body<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, ParamError> {
    if is_empty_document(text).map_err(|why| ParamError::invalid(name, why))? {
        return serde_json::from_str("null").map_err(|_| ParamError::missing(name));
    }
    let capture = Capture { strict: true, ..Capture::default() };
    envelope::read_xml::<T>(text, &capture).map(crate::Response::into_inner).map_err(|err| {
        let place = err.path().map_or_else(|| name.to_owned(), |path| format!("{name}.{path}"));
        if err.message().starts_with("missing field") {
            ParamError::missing(place)
        } else {
            ParamError::invalid(place, err.message())
        }
    })
}

/// Whether the document is one root element with nothing in it; an error when it is not
/// well-formed XML with one root.
fn is_empty_document(text: &str) -> Result<bool, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0_usize;
    let mut roots = 0_usize;
    let mut empty = true;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                } else {
                    empty = false;
                }
                depth += 1;
            }
            Ok(Event::Empty(_)) => {
                if depth == 0 {
                    roots += 1;
                } else {
                    empty = false;
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Text(text)) if depth > 0 && !AsRef::<str>::as_ref(&text).trim().is_empty() => empty = false,
            Ok(Event::Text(text)) if depth == 0 && !AsRef::<str>::as_ref(&text).trim().is_empty() => {
                return Err("text outside the root element".to_owned());
            }
            Ok(Event::CData(_) | Event::GeneralRef(_)) if depth > 0 => empty = false,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(err) => return Err(format!("malformed XML: {err}")),
        }
    }
    match roots {
        0 => Err("no root element".to_owned()),
        1 if depth == 0 => Ok(empty),
        1 => Err("malformed XML: the root element is not closed".to_owned()),
        _ => Err("more than one root element".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emptiness_and_malformed_documents() {
        assert_eq!(is_empty_document("<request></request>"), Ok(true));
        assert_eq!(is_empty_document("<?xml version=\"1.0\"?><request/>"), Ok(true));
        assert_eq!(is_empty_document("<request> \n</request>"), Ok(true));
        assert_eq!(is_empty_document("<request><a>1</a></request>"), Ok(false));
        assert!(is_empty_document("<request><a>1</request>").is_err());
        assert!(is_empty_document("<request>").is_err());
        assert!(is_empty_document("").is_err());
        assert!(is_empty_document("<a/><b/>").is_err());
        assert!(is_empty_document("not xml").is_err());
    }

    #[test]
    fn xml_names() {
        assert!(is_xml_name("orderLines"));
        assert!(is_xml_name("_x-1.b"));
        assert!(is_xml_name("名字"));
        assert!(!is_xml_name(""));
        assert!(!is_xml_name("1a"));
        assert!(!is_xml_name("a b"));
        assert!(!is_xml_name("a<b"));
        assert!(!is_xml_name("ns:a"));
    }
}
