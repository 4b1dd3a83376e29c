//! Qimen (奇门), the router between ERPs and WMS/OMS.
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
//! [`Error::Api`](crate::Error::Api): see [`ApiError::qimen`](crate::ApiError::qimen)).
//!
//! Everything else takes the road of every call: retries, the rate limit, time bounds,
//! logs, secrets kept out of errors.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::envelope;
use crate::lenient::Capture;
use crate::node::{self, Naming, Node};
use crate::ParamError;

/// The content type of a Qimen body.
pub(crate) const CONTENT_TYPE: &str = "text/xml;charset=utf-8";

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
