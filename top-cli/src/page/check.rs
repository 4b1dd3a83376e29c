//! `top gen` checks its work: the page's own example answers read against the types it
//! generated, by the rules a call's reader applies to each value (a blank is a value left
//! out; a number is a whole number in the range of its Rust type; a Boolean is `true`,
//! `false`, `1` or `0`; a decimal reads as `top_api::Decimal`; an object has members, not
//! text). A value that does not fit is what a call would leave out as a drift: a warning
//! naming the example's line and the field, never silence.

use top_api::Decimal;

use super::parse::{Element, PageError};
use crate::model::{Member, Type};

/// The values of `example` (an answer's root element) that do not fit `fields`, each as a
/// warning with its line, told as `whose` value (`the XML example answer's`). Names the
/// fields do not have are the nesting's to report.
pub fn misfits(fields: &[Member], example: &Element, whose: &str) -> Vec<PageError> {
    let mut out = Vec::new();
    check_object(fields, example, "", whose, &mut out);
    out
}

/// Where a JSON answer (its payload) and the catalog's type of it disagree, as a call
/// through the generated type lists them (`Response::drift`): each key the type has no
/// field for, and each value that does not fit.
pub fn answer_drift(fields: &[Member], payload: &serde_json::Value) -> Vec<String> {
    let answer = super::parse::json_element("", payload, 1);
    let mut out = Vec::new();
    unknown_keys(fields, &answer, "", &mut out);
    out.extend(misfits(fields, &answer, "the answer's").into_iter().map(|m| m.message));
    out
}

fn unknown_keys(fields: &[Member], element: &Element, path: &str, out: &mut Vec<String>) {
    for child in &element.children {
        let at = if path.is_empty() { child.name.clone() } else { format!("{path}.{}", child.name) };
        match fields.iter().find(|f| f.name == child.name) {
            None if path.is_empty() && child.name == "request_id" => {}
            None => out.push(format!("`{at}`: the type has no field for it")),
            Some(field) => {
                let ty = match &field.ty {
                    Type::List(item) => item.as_ref(),
                    other => other,
                };
                if let Type::Object { members, .. } = ty {
                    let items: &[Element] = match (&field.ty, child.item) {
                        (Type::List(_), false) => &child.children,
                        _ => std::slice::from_ref(child),
                    };
                    for item in items {
                        unknown_keys(members, item, &at, out);
                    }
                }
            }
        }
    }
}

fn check_object(fields: &[Member], element: &Element, path: &str, whose: &str, out: &mut Vec<PageError>) {
    for field in fields {
        let at = if path.is_empty() { field.name.clone() } else { format!("{path}.{}", field.name) };
        for child in element.children.iter().filter(|c| c.name == field.name) {
            check_value(&field.ty, child, &at, whose, out);
        }
    }
}

fn check_value(ty: &Type, element: &Element, path: &str, whose: &str, out: &mut Vec<PageError>) {
    match ty {
        Type::List(item) => {
            // A JSON array's items repeat the list's name; otherwise the element holds them.
            let items: &[Element] = if element.item { std::slice::from_ref(element) } else { &element.children };
            for (i, item_element) in items.iter().enumerate() {
                check_item(item, item_element, &format!("{path}[{i}]"), whose, out);
            }
        }
        other => check_item(other, element, path, whose, out),
    }
}

fn check_item(ty: &Type, element: &Element, path: &str, whose: &str, out: &mut Vec<PageError>) {
    let text = element.text.trim();
    if let Type::Object { members, .. } = ty {
        if element.children.is_empty() && !text.is_empty() {
            out.push(misfit(element, path, whose, "an object", text));
        }
        check_object(members, element, path, whose, out);
        return;
    }
    if !element.children.is_empty() {
        if !matches!(ty, Type::Json | Type::Unknown) {
            out.push(misfit(element, path, whose, type_name(ty), "an object"));
        }
        return;
    }
    // A blank is a value left out, whatever the type.
    if text.is_empty() {
        return;
    }
    let fits = match ty {
        Type::Number => text.parse::<i64>().is_ok(),
        Type::Byte => text.parse::<i8>().is_ok(),
        Type::Boolean => matches!(text, "true" | "false" | "1" | "0"),
        Type::Price | Type::BigDecimal => Decimal::parse(text).is_ok(),
        _ => true,
    };
    if !fits {
        out.push(misfit(element, path, whose, type_name(ty), text));
    }
}

fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::Number => "Number",
        Type::Byte => "byte",
        Type::Boolean => "Boolean",
        Type::Price => "Price",
        Type::BigDecimal => "BigDecimal",
        Type::Object { .. } => "an object",
        _ => "text",
    }
}

fn misfit(element: &Element, path: &str, whose: &str, expected: &str, came: &str) -> PageError {
    let came: String = came.chars().take(48).collect();
    PageError {
        line: element.line,
        message: format!(
            "{whose} `{path}` is `{came}`, which does not fit {expected}: a call would leave it out (a drift)"
        ),
    }
}
