//! Answers built mechanically from an API's facts, for `top sandbox`: every field of the
//! answer with a value of its type, lists of one item, objects named after their platform
//! type (so that lists are wrapped as the gateway wraps them); and the checks the gateway
//! makes of the params (required ones present, lists and text within their limits).

use top_api::sandbox::Node;
use top_api::{ApiError, Params, Violation};
use top_api_rules::Number;

use crate::model::{Api, Member, Type};

/// An answer of `api` with every field given.
pub fn answer(api: &Api) -> Node {
    Node::Object(None, fields(&api.response, 0))
}

/// How deep nested objects go: the catalog's own data is finite, but a type that holds
/// itself through a reused name is not.
const MAX_DEPTH: usize = 8;

fn fields(members: &[Member], depth: usize) -> Vec<(String, Node)> {
    members.iter().map(|member| (member.name.clone(), value(&member.ty, &member.name, depth))).collect()
}

fn value(ty: &Type, name: &str, depth: usize) -> Node {
    match ty {
        Type::String => Node::Text(name.to_owned()),
        Type::Number => Node::Int(1),
        Type::Byte => Node::Int(1),
        Type::Boolean => Node::Bool(true),
        Type::Date => Node::Text("2024-01-01 00:00:00".to_owned()),
        Type::Price | Type::BigDecimal => Node::Text("9.99".to_owned()),
        Type::Json | Type::Unknown => Node::Text("{}".to_owned()),
        Type::Bytes => Node::Text(String::new()),
        Type::Object { name: type_name, members } => {
            let members = if depth < MAX_DEPTH { fields(members, depth + 1) } else { Vec::new() };
            Node::object(type_name.clone(), members)
        }
        Type::List(item) => Node::List(vec![value(item, name, depth)]),
    }
}

/// The gateway's checks of a call's params, with the rules and words the client's own
/// checks use before sending ([`Violation`]): a required one missing is code 40
/// (`Missing required arguments`), a value over a limit or not of its type code 41
/// (`Invalid arguments`).
///
/// # Errors
///
/// The refusal the gateway would answer.
pub fn check(api: &Api, params: &Params) -> Result<(), ApiError> {
    for member in &api.request {
        let name = member.name.as_str();
        let Some(text) = params.get(name) else {
            if member.required && params.file(name).is_none() {
                return Err(ApiError::param_refusal(name, &Violation::Missing));
            }
            continue;
        };
        check_value(member, text).map_err(|violation| ApiError::param_refusal(name, &violation))?;
    }
    Ok(())
}

/// The checks of one param's text, read as its type.
fn check_value(member: &Member, text: &str) -> Result<(), Violation> {
    if let (Some(max), Type::String) = (member.limits.max_length, &member.ty) {
        Violation::check_len(text.chars().count(), max)?;
    }
    if let (Some(max), Type::List(item)) = (member.limits.max_list_size, &member.ty) {
        let items = if matches!(item.as_ref(), Type::Object { .. }) {
            serde_json::from_str::<Vec<serde_json::Value>>(text).map_or(1, |items| items.len())
        } else {
            text.split(',').count()
        };
        Violation::check_items(items, max)?;
    }
    if matches!(member.ty, Type::Number | Type::Byte) {
        let number = text.trim().parse::<i64>().map_err(|_| Violation::NotA { expected: "a number" })?;
        let bound = |limit: Option<i64>| limit.map(|limit| Number::Int(limit.into()));
        Violation::check_range(
            Number::Int(number.into()),
            bound(member.limits.min_value),
            bound(member.limits.max_value),
        )?;
    }
    Ok(())
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
        let answer = answer(&api(Vec::new()));
        let Node::Object(None, fields) = answer else { panic!("an object") };
        let Node::List(items) = &fields[0].1 else { panic!("a list") };
        assert!(matches!(&items[0], Node::Object(Some(name), _) if name == "NTbkItem"));
    }
}
