//! Writing answers as the gateway does: a serializer that keeps struct names (list
//! wrappers are named after their element type), then JSON, wrapped or simplified, or XML.

use std::fmt::Write as _;

pub(crate) use crate::node::to_node;
pub use crate::node::Node;
use crate::node::{xml_element, Naming};
use crate::{response_key, ApiError, Format};

/// How an answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Style {
    pub(crate) format: Format,
    pub(crate) simplify: bool,
}

/// A successful answer of `method`: `payload`'s fields and the request id.
pub(crate) fn success(style: Style, method: &str, payload: &Node, request_id: &str) -> String {
    let mut fields: Vec<(&str, &Node)> = match payload {
        Node::Object(_, fields) => fields.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        Node::Null => Vec::new(),
        other => vec![("result", other)],
    };
    let id = Node::Text(request_id.to_owned());
    // An answer whose payload has a `request_id` of its own carries that one.
    if !fields.iter().any(|(key, _)| *key == "request_id") {
        fields.push(("request_id", &id));
    }
    let key = response_key(method);
    match style.format {
        Format::Xml => xml_document(&key, &fields),
        Format::Json if style.simplify => {
            let mut out = String::new();
            json_fields(&mut out, &fields, true);
            out
        }
        Format::Json => {
            let mut out = format!("{{\"{key}\":");
            json_fields(&mut out, &fields, false);
            out.push('}');
            out
        }
    }
}

/// The gateway's refusal, wrapped in `error_response` whatever `simplify` says.
pub(crate) fn refusal(format: Format, err: &ApiError, request_id: &str) -> String {
    let mut fields = vec![("code", Node::Int(err.code().into())), ("msg", Node::Text(err.msg().to_owned()))];
    if let Some(sub_code) = err.sub_code() {
        fields.push(("sub_code", Node::Text(sub_code.to_owned())));
    }
    if let Some(sub_msg) = err.sub_msg() {
        fields.push(("sub_msg", Node::Text(sub_msg.to_owned())));
    }
    fields.push(("request_id", Node::Text(err.request_id().unwrap_or(request_id).to_owned())));
    let fields: Vec<(&str, &Node)> = fields.iter().map(|(k, v)| (*k, v)).collect();
    match format {
        Format::Xml => xml_document("error_response", &fields),
        Format::Json => {
            let mut out = String::from("{\"error_response\":");
            json_fields(&mut out, &fields, false);
            out.push('}');
            out
        }
    }
}

fn json_string(out: &mut String, text: &str) {
    // serde_json escapes exactly as JSON requires; writing to a String cannot fail.
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

fn json_fields(out: &mut String, fields: &[(&str, &Node)], simplify: bool) {
    out.push('{');
    let mut first = true;
    for (key, value) in fields.iter().filter(|(_, v)| **v != Node::Null) {
        if !first {
            out.push(',');
        }
        first = false;
        json_string(out, key);
        out.push(':');
        json_value(out, value, simplify);
    }
    out.push('}');
}

fn json_value(out: &mut String, node: &Node, simplify: bool) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Node::Float(x) if x.is_finite() => {
            let _ = write!(out, "{x}");
        }
        Node::Float(_) => out.push_str("null"),
        Node::Text(text) => json_string(out, text),
        Node::Object(_, fields) => {
            let fields: Vec<(&str, &Node)> = fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
            json_fields(out, &fields, simplify);
        }
        Node::List(items) if simplify => json_array(out, items, simplify),
        // Without simplify a list is an object whose one member, named after the element
        // type, holds the array; an empty list is `{}` (as the platform writes lists).
        Node::List(items) if items.is_empty() => out.push_str("{}"),
        Node::List(items) => {
            out.push('{');
            json_string(out, &Node::element_name(items, Naming::Top));
            out.push(':');
            json_array(out, items, simplify);
            out.push('}');
        }
    }
}

fn json_array(out: &mut String, items: &[Node], simplify: bool) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_value(out, item, simplify);
    }
    out.push(']');
}

fn xml_document(root: &str, fields: &[(&str, &Node)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\" ?>");
    out.push('<');
    out.push_str(root);
    out.push('>');
    for (key, value) in fields {
        xml_element(&mut out, key, value, Naming::Top);
    }
    let _ = write!(out, "</{root}><!--top-api sandbox-->");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct MarkItem {
        filed: &'static str,
    }

    #[derive(Serialize)]
    struct Payload {
        audit_list: Vec<MarkItem>,
        words: Vec<&'static str>,
        empty: Vec<u8>,
        gone: Option<u8>,
        text: &'static str,
    }

    fn payload() -> Node {
        to_node(&Payload {
            audit_list: vec![MarkItem { filed: "a" }, MarkItem { filed: "b" }],
            words: vec![""],
            empty: vec![],
            gone: None,
            text: "<&\"宝\">",
        })
        .unwrap()
    }

    #[test]
    fn wrapped_json_names_list_wrappers_after_the_element_type() {
        let json = success(Style { format: Format::Json, simplify: false }, "taobao.x.get", &payload(), "r1");
        assert_eq!(
            json,
            r#"{"x_get_response":{"audit_list":{"mark_item":[{"filed":"a"},{"filed":"b"}]},"words":{"string":[""]},"empty":{},"text":"<&\"宝\">","request_id":"r1"}}"#
        );
    }

    #[test]
    fn simplified_json_has_plain_arrays_and_no_envelope() {
        let json = success(Style { format: Format::Json, simplify: true }, "taobao.x.get", &payload(), "r1");
        assert_eq!(
            json,
            r#"{"audit_list":[{"filed":"a"},{"filed":"b"}],"words":[""],"empty":[],"text":"<&\"宝\">","request_id":"r1"}"#
        );
    }

    #[test]
    fn xml_repeats_elements_and_escapes_text() {
        let xml = success(Style { format: Format::Xml, simplify: true }, "alibaba.x.get", &payload(), "r1");
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\" ?><alibaba_x_get_response><audit_list><mark_item><filed>a</filed></mark_item>\
             <mark_item><filed>b</filed></mark_item></audit_list><words><string></string></words><empty></empty>\
             <text>&lt;&amp;&quot;宝&quot;&gt;</text><request_id>r1</request_id></alibaba_x_get_response><!--top-api sandbox-->"
        );
    }

    #[test]
    fn refusals_stay_wrapped() {
        let err = ApiError::new(7, "App Call Limited").with_sub("accesscontrol.limited-by-app-access-count", "ban");
        assert_eq!(
            refusal(Format::Json, &err, "r9"),
            r#"{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count","sub_msg":"ban","request_id":"r9"}}"#
        );
        assert!(refusal(Format::Xml, &err, "r9").contains("<error_response><code>7</code><msg>App Call Limited</msg>"));
    }
}
