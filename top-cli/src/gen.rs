//! `top gen`: from a documentation page (or a catalog entry) to annotated Rust, through the
//! one model of an API ([`model`](crate::model)) and the one emitter ([`emit`](crate::emit)).

use crate::emit::{self, EmitError, Options};
use crate::model::{Api, Member, Type};
use crate::page::{Element, Page, PageError, TopType};

pub use crate::emit::{module_name, type_name};

/// The namespace a method's module goes in: its first two words, `taobao_baodian`.
pub fn namespace(method: &str) -> String {
    method.split('.').take(2).map(crate::names::snake).collect::<Vec<_>>().join("_")
}

/// A page read into the model: the request table's rows as params, and the response
/// table's rows nested as the XML example nests them.
///
/// # Errors
///
/// A [`PageError`] when the XML example and the response table disagree: an element the
/// table does not list, a row the example does not show (so its place is unknown), a list
/// whose example has no item to show its type's fields.
pub fn to_api(page: &Page) -> Result<Api, PageError> {
    let mut used = vec![false; page.fields.len()];
    let response = members_of(page, &page.example, &mut used)?;
    if let Some(unused) = used.iter().position(|u| !u) {
        let row = &page.fields[unused];
        return Err(PageError {
            line: row.line,
            message: format!("the field `{}` is not in the XML example, so where it nests is unknown", row.name),
        });
    }
    let request = page
        .params
        .iter()
        .map(|param| Member {
            required: param.required,
            description: Some(param.description.clone()),
            example: param.example.clone(),
            line: Some(param.line),
            ..Member::new(param.name.clone(), model_type(&param.ty, Vec::new()))
        })
        .collect();
    Ok(Api {
        method: page.method.clone(),
        title: page.title.clone(),
        summary: Some(page.summary.clone()),
        doc_id: None,
        package: None,
        session: if page.session { crate::model::Session::Required } else { crate::model::Session::None },
        request,
        response,
        example_xml: page.example_xml.clone(),
    })
}

fn model_type(ty: &TopType, members: Vec<Member>) -> Type {
    match ty {
        TopType::String => Type::String,
        TopType::Number => Type::Number,
        TopType::Boolean => Type::Boolean,
        TopType::Date => Type::Date,
        TopType::Price => Type::Price,
        TopType::Object(name) => Type::Object { name: name.clone(), members },
        TopType::List(item) => Type::List(Box::new(model_type(item, members))),
    }
}

/// The members of the object the XML `element` shows, from the response table's rows.
fn members_of(page: &Page, element: &Element, used: &mut [bool]) -> Result<Vec<Member>, PageError> {
    let mut seen: Vec<&str> = Vec::new();
    let mut members = Vec::new();
    for child in &element.children {
        if seen.contains(&child.name.as_str()) {
            continue;
        }
        seen.push(&child.name);
        let row_index = (0..page.fields.len())
            .find(|&i| !used[i] && page.fields[i].name == child.name)
            .or_else(|| page.fields.iter().position(|f| f.name == child.name))
            .ok_or_else(|| PageError {
                line: page.fields.last().map_or(1, |f| f.line),
                message: format!("the XML example has `<{}>`, which the response table does not list", child.name),
            })?;
        used[row_index] = true;
        let row = &page.fields[row_index];
        let nested = match &row.ty {
            TopType::Object(_) => members_of(page, child, used)?,
            TopType::List(item) if matches!(item.as_ref(), TopType::Object(_)) => {
                let Some(first) = child.children.first() else {
                    return Err(PageError {
                        line: row.line,
                        message: format!(
                            "the XML example's `<{}>` has no item to show the fields of `{}`",
                            row.name,
                            row.ty.item_name()
                        ),
                    });
                };
                members_of(page, first, used)?
            }
            _ => Vec::new(),
        };
        members.push(Member {
            description: Some(row.description.clone()),
            example: row.example.clone(),
            line: Some(row.line),
            ..Member::new(row.name.clone(), model_type(&row.ty, nested))
        });
    }
    Ok(members)
}

/// Generates the module of one page.
///
/// # Errors
///
/// A [`PageError`] when the page does not make an API (see [`to_api`]), or the API cannot
/// be written.
pub fn generate(page: &Page) -> Result<String, PageError> {
    let api = to_api(page)?;
    emit::api_module(&api, &Options::default()).map_err(|err| page_error(page, err))
}

fn page_error(page: &Page, err: EmitError) -> PageError {
    PageError { line: err.line.unwrap_or(1), message: format!("{}: {}", page.method, err.message) }
}

/// The Rust of several pages, one module each.
///
/// # Errors
///
/// The first page whose generation fails.
pub fn render(pages: &[Page]) -> Result<String, PageError> {
    let mut out = String::from("// Generated by `top gen`.\n");
    for page in pages {
        out.push('\n');
        out.push_str(&generate(page)?);
    }
    Ok(out)
}
