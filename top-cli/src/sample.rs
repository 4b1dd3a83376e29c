//! Answers built mechanically from an API's facts, for `top sandbox`: every field of the
//! answer with a value of its type (times by the sandbox's clock), lists of one item,
//! objects named after their platform type (so that lists are wrapped as the gateway wraps
//! them); and the checks the gateway makes of the params: each read as its type, with its
//! members and limits.

use std::borrow::Cow;

use serde_json::Value;
use top_api::sandbox::Node;
use top_api::{ApiError, DateTime, Decimal, Json, Param, Params, Violation};
use top_api_rules::Number;

use crate::model::{Api, Limits, Member, Type};

/// An answer of `api` with every field given; a `Date` is `now`. A Qimen API's leaves out
/// `flag`, `code` and `message`, which the router writes for a success.
pub fn answer(api: &Api, now: DateTime) -> Node {
    let now = now.to_string();
    let mut fields = fields(&api.response, 0, &now);
    if api.qimen {
        fields.retain(|(name, _)| !matches!(name.as_str(), "flag" | "code" | "message"));
    }
    Node::Object(None, fields)
}

/// How deep nested objects go: the catalog's own data is finite, but a type that holds
/// itself through a reused name is not.
const MAX_DEPTH: usize = 8;

fn fields(members: &[Member], depth: usize, now: &str) -> Vec<(String, Node)> {
    members.iter().map(|member| (member.name.clone(), value(&member.ty, &member.name, depth, now))).collect()
}

fn value(ty: &Type, name: &str, depth: usize, now: &str) -> Node {
    match ty {
        Type::String => Node::Text(name.to_owned()),
        Type::Number => Node::Int(1),
        Type::Byte => Node::Int(1),
        Type::Boolean => Node::Bool(true),
        Type::Date => Node::Text(now.to_owned()),
        Type::Price | Type::BigDecimal => Node::Text("9.99".to_owned()),
        Type::Json | Type::Unknown => Node::Text("{}".to_owned()),
        Type::Bytes => Node::Text(String::new()),
        Type::Object { name: type_name, members } => {
            let members = if depth < MAX_DEPTH { fields(members, depth + 1, now) } else { Vec::new() };
            Node::object(type_name.clone(), members)
        }
        Type::List(item) => Node::List(vec![value(item, name, depth, now)]),
    }
}

/// The gateway's checks of a call's params, with the rules and words the client's own
/// checks use before sending ([`Violation`]), and each text read as its type by the
/// client's own reading of it ([`Param::from_param`]): a required one missing is code 40
/// (`Missing required arguments`); a value not of its type (a Boolean `maybe`, a Date
/// `2024-13-45`, a Price `abc`, a Number list `1,x`, JSON that is not, an object that
/// is a list or lacks a required member), over a limit, or a file over its size, code 41
/// (`Invalid arguments`).
///
/// # Errors
///
/// The refusal the gateway would answer.
pub fn check(api: &Api, params: &Params) -> Result<(), ApiError> {
    for member in &api.request {
        if api.qimen && member.name == top_api_rules::QIMEN_BODY_PARAM {
            let body = params.get(&member.name).unwrap_or("");
            check_qimen_body(member, body).map_err(|violation| ApiError::param_refusal(&member.name, &violation))?;
            continue;
        }
        let name = member.name.as_str();
        if let (Type::Bytes, Some(file)) = (&member.ty, params.file(name)) {
            if let Some(max) = member.limits.max_length {
                Violation::check_size(file.bytes().len(), max)
                    .map_err(|violation| ApiError::param_refusal(name, &violation))?;
            }
            continue;
        }
        let Some(text) = params.get(name) else {
            if member.required {
                return Err(ApiError::param_refusal(name, &Violation::Missing));
            }
            continue;
        };
        check_text(member, text).map_err(|violation| ApiError::param_refusal(name, &violation))?;
    }
    Ok(())
}

/// The checks of one param's text, read as its type.
fn check_text(member: &Member, text: &str) -> Result<(), Violation> {
    let limits = &member.limits;
    match &member.ty {
        Type::Object { members, .. } => {
            let value = json(text)?;
            check_object(members, &value, "")
        }
        Type::List(item) => {
            let count = if let Type::Object { members, .. } = item.as_ref() {
                let value = json(text)?;
                let Value::Array(items) = &value else {
                    return Err(Violation::NotA { expected: "a JSON list of objects" });
                };
                for (index, item) in items.iter().enumerate() {
                    check_object(members, item, &format!("[{index}]"))?;
                }
                items.len()
            } else {
                let parts: Vec<&str> = text.split(',').collect();
                for part in &parts {
                    check_scalar(part, item, limits, false)?;
                }
                parts.len()
            };
            if let Some(max) = limits.max_list_size {
                Violation::check_items(count, max)?;
            }
            Ok(())
        }
        ty => check_scalar(text, ty, limits, true),
    }
}

/// The checks of one scalar text read as `ty`; `whole` for a param of its own (its
/// `maxLength` then counts its text), not an item of a list.
fn check_scalar(text: &str, ty: &Type, limits: &Limits, whole: bool) -> Result<(), Violation> {
    let range = |number: Number| {
        let bound = |limit: Option<i64>| limit.map(|limit| Number::Int(limit.into()));
        Violation::check_range(number, bound(limits.min_value), bound(limits.max_value))
    };
    let not_a = |expected| move |_| Violation::NotA { expected };
    match ty {
        Type::String | Type::Unknown | Type::Bytes => {}
        Type::Number | Type::Byte => {
            let number = i64::from_param(text).map_err(not_a("a number"))?;
            range(Number::Int(number.into()))?;
        }
        Type::Boolean => {
            bool::from_param(text).map_err(not_a("`true` or `false`"))?;
        }
        Type::Date => {
            DateTime::from_param(text).map_err(not_a("a date (yyyy-MM-dd HH:mm:ss in GMT+8)"))?;
        }
        Type::Price | Type::BigDecimal => {
            let decimal = Decimal::from_param(text).map_err(not_a("a decimal number"))?;
            range(Number::Float(decimal.to_f64()))?;
        }
        Type::Json => {
            Json::from_param(text).map_err(not_a("JSON"))?;
        }
        Type::Object { .. } | Type::List(_) => return Err(Violation::NotA { expected: "a single value" }),
    }
    if let (Some(max), true) = (limits.max_length, whole) {
        Violation::check_len(text.trim().chars().count(), max)?;
    }
    Ok(())
}

/// A Qimen call's body: well-formed XML under one root, whose members are checked as an
/// object param's are once read by the member's model (a list member's children are its
/// items, whatever their names).
fn check_qimen_body(member: &Member, body: &str) -> Result<(), Violation> {
    let tree = xml_tree(body).map_err(|why| Violation::Invalid(format!("is not an XML document: {why}")))?;
    match &member.ty {
        Type::Object { members, .. } => check_object(members, &tree_value(&member.ty, &tree), ""),
        _ => Ok(()),
    }
}

/// An XML element: its text and its child elements, in order.
#[derive(Debug, Default)]
struct Element {
    text: String,
    children: Vec<(String, Element)>,
}

/// The root element of an XML document.
fn xml_tree(text: &str) -> Result<Element, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<(String, Element)> = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(|err| err.to_string())?;
        match event {
            Event::Start(tag) => {
                if root.is_some() {
                    return Err("more than one root element".to_owned());
                }
                stack.push((tag.name().as_ref().to_owned(), Element::default()));
            }
            Event::Empty(tag) => {
                let name = tag.name().as_ref().to_owned();
                match stack.last_mut() {
                    Some((_, parent)) => parent.children.push((name, Element::default())),
                    None if root.is_none() => root = Some(Element::default()),
                    None => return Err("more than one root element".to_owned()),
                }
            }
            Event::End(_) => {
                let (name, element) = stack.pop().ok_or("an end tag without its start")?;
                match stack.last_mut() {
                    Some((_, parent)) => parent.children.push((name, element)),
                    None => root = Some(element),
                }
            }
            Event::Text(text) => {
                let text = text.xml10_content();
                match stack.last_mut() {
                    Some((_, element)) => element.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err("text outside the root element".to_owned()),
                }
            }
            Event::GeneralRef(reference) => {
                let name = reference.xml10_content();
                let resolved = quick_xml::escape::resolve_xml_entity(&name)
                    .map(str::to_owned)
                    .or_else(|| reference.resolve_char_ref().ok().flatten().map(String::from))
                    .ok_or_else(|| format!("an unknown entity `&{name};`"))?;
                if let Some((_, element)) = stack.last_mut() {
                    element.text.push_str(&resolved);
                }
            }
            Event::CData(data) => {
                if let Some((_, element)) = stack.last_mut() {
                    element.text.push_str(&data.xml10_content());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("the root element is not closed".to_owned());
    }
    root.ok_or_else(|| "no root element".to_owned())
}

/// An element read as JSON by the model: an object's members by name, a list's items
/// (its children), a scalar's text.
fn tree_value(ty: &Type, element: &Element) -> Value {
    match ty {
        Type::Object { members, .. } if !members.is_empty() => {
            let mut object = serde_json::Map::new();
            for (name, child) in &element.children {
                let ty = members.iter().find(|member| &member.name == name).map_or(&Type::Unknown, |m| &m.ty);
                object.insert(name.clone(), tree_value(ty, child));
            }
            Value::Object(object)
        }
        Type::List(item) => Value::Array(element.children.iter().map(|(_, child)| tree_value(item, child)).collect()),
        _ if !element.children.is_empty() => Value::Object(
            element.children.iter().map(|(name, child)| (name.clone(), tree_value(&Type::Unknown, child))).collect(),
        ),
        _ => Value::String(element.text.clone()),
    }
}

/// The text of an object param, read as JSON.
fn json(text: &str) -> Result<Value, Violation> {
    serde_json::from_str(text).map_err(|_| Violation::NotA { expected: "JSON" })
}

/// An object param's value (or a member's, at `path` inside the param): a JSON object
/// with its required members, each of its type and within its limits.
fn check_object(members: &[Member], value: &Value, path: &str) -> Result<(), Violation> {
    // A type whose members the platform's data does not list: any JSON value, as the
    // generated code takes it.
    if members.is_empty() {
        return Ok(());
    }
    let Value::Object(object) = value else {
        let what = if path.is_empty() { "a JSON object".to_owned() } else { format!("a JSON object at `{path}`") };
        return Err(Violation::Invalid(format!("is not {what}")));
    };
    for member in members {
        let at = if path.is_empty() { member.name.clone() } else { format!("{path}.{}", member.name) };
        match object.get(&member.name) {
            None | Some(Value::Null) if member.required => {
                return Err(Violation::Invalid(format!("lacks its required member `{at}`")));
            }
            None | Some(Value::Null) => {}
            Some(value) => check_member(member, &member.ty, value, &at)?,
        }
    }
    Ok(())
}

/// A member's JSON value, read as `ty` (the member's type, or its list's item type).
fn check_member(member: &Member, ty: &Type, value: &Value, at: &str) -> Result<(), Violation> {
    let wrong = |expected: &str| Violation::Invalid(format!("has `{at}` that is not {expected}"));
    match (ty, value) {
        (Type::Object { members, .. }, _) => check_object(members, value, at),
        (Type::List(item), Value::Array(items)) => {
            if let Some(max) = member.limits.max_list_size {
                Violation::check_items(items.len(), max).map_err(|why| member_violation(at, &why))?;
            }
            for (index, value) in items.iter().enumerate() {
                check_member(member, item, value, &format!("{at}[{index}]"))?;
            }
            Ok(())
        }
        // A list of scalars may come joined by commas, as a param's does.
        (Type::List(item), Value::String(text)) if !matches!(item.as_ref(), Type::Object { .. }) => {
            for part in text.split(',') {
                check_member(member, item, &Value::String(part.to_owned()), at)?;
            }
            Ok(())
        }
        (Type::List(_), _) => Err(wrong("a list")),
        (Type::Json | Type::Unknown, _) => Ok(()),
        (_, Value::Array(_) | Value::Object(_)) => Err(wrong("a single value")),
        (Type::String | Type::Bytes, value) => {
            if let (Some(max), Value::String(text)) = (member.limits.max_length, value) {
                Violation::check_len(text.chars().count(), max).map_err(|why| member_violation(at, &why))?;
            }
            Ok(())
        }
        (Type::Boolean, Value::Bool(_)) => Ok(()),
        (Type::Number | Type::Byte, Value::Number(number)) if !number.is_i64() && !number.is_u64() => {
            Err(wrong("an integer"))
        }
        (Type::Date, Value::Number(number)) if number.is_i64() || number.is_u64() => Ok(()),
        (Type::Date, Value::Number(_)) => Err(wrong("a date")),
        (_, Value::Null) => Ok(()),
        // A number, a text or a Boolean, read as the member's type by its text.
        (ty, scalar) => {
            let text = match scalar {
                Value::String(text) => Cow::Borrowed(text.as_str()),
                other => Cow::Owned(other.to_string()),
            };
            check_scalar(&text, ty, &member.limits, false).map_err(|why| member_violation(at, &why))
        }
    }
}

/// A member's violation, said of the param that holds it.
fn member_violation(at: &str, why: &Violation) -> Violation {
    Violation::Invalid(format!("has `{at}` that {why}"))
}

/// What the catalog says of params a caller is about to send: the ones it does not list,
/// and the required ones missing. The catalog dates from 2023: these are warnings.
pub fn warnings(api: &Api, names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        if !api.request.iter().any(|member| member.name == *name) {
            let known: Vec<&str> = api.request.iter().map(|m| m.name.as_str()).collect();
            out.push(format!(
                "`{name}` is not a param of `{}` in the catalog (its params: {})",
                api.method,
                if known.is_empty() { "none".to_owned() } else { known.join(", ") }
            ));
        }
    }
    let missing: Vec<&str> = api
        .request
        .iter()
        .filter(|member| member.required && !names.contains(&member.name.as_str()))
        .map(|member| member.name.as_str())
        .collect();
    if !missing.is_empty() {
        out.push(format!("`{}` requires {}, which the call does not send", api.method, missing.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Limits;
    use top_api::SessionNeed;

    fn api(request: Vec<Member>) -> Api {
        Api {
            method: "taobao.x.get".into(),
            title: String::new(),
            summary: None,
            doc_id: None,
            package: None,
            session: SessionNeed::None,
            request,
            response: vec![Member::new(
                "items",
                Type::List(Box::new(Type::Object {
                    name: "NTbkItem".into(),
                    members: vec![Member::new("id", Type::Number)],
                })),
            )],
            example_xml: None,
            qimen: false,
        }
    }

    fn member(name: &str, ty: Type, required: bool, limits: Limits) -> Member {
        Member { required, limits, ..Member::new(name, ty) }
    }

    #[test]
    fn the_gateway_checks_are_made() {
        let api = api(vec![
            member("q", Type::String, true, Limits { max_length: Some(3), ..Limits::default() }),
            member(
                "ids",
                Type::List(Box::new(Type::Number)),
                false,
                Limits { max_list_size: Some(2), ..Limits::default() },
            ),
            member(
                "page",
                Type::Number,
                false,
                Limits { min_value: Some(1), max_value: Some(10), ..Limits::default() },
            ),
        ]);
        let params = |pairs: &[(&str, &str)]| {
            let mut params = Params::new();
            for (name, value) in pairs {
                params.push(name.to_string(), *value);
            }
            params
        };
        assert_eq!(check(&api, &params(&[("q", "abc"), ("ids", "1,2"), ("page", "10")])), Ok(()));
        let code =
            |pairs: &[(&str, &str)]| check(&api, &params(pairs)).map_err(|err| (err.code(), err.msg().to_owned()));
        assert_eq!(code(&[]), Err((40, "Missing required arguments:q".to_owned())));
        assert_eq!(code(&[("q", "abcd")]), Err((41, "Invalid arguments:q".to_owned())));
        assert_eq!(code(&[("q", "a"), ("ids", "1,2,3")]), Err((41, "Invalid arguments:ids".to_owned())));
        assert_eq!(code(&[("q", "a"), ("page", "0")]), Err((41, "Invalid arguments:page".to_owned())));
        assert_eq!(code(&[("q", "a"), ("page", "x")]), Err((41, "Invalid arguments:page".to_owned())));
    }

    #[test]
    fn answers_name_their_lists_after_the_item_type() {
        let answer = answer(&api(Vec::new()), DateTime::now());
        let Node::Object(None, fields) = answer else { panic!("an object") };
        let Node::List(items) = &fields[0].1 else { panic!("a list") };
        assert!(matches!(&items[0], Node::Object(Some(name), _) if name == "NTbkItem"));
    }
}
