//! The response table nested: a page does not print how deep each nested row is, so the
//! example answer settles it; and the request rows with their members, as the model's
//! params.

use std::collections::{HashMap, HashSet};

use super::parse::{Element, MessagePage, Page, PageError, Row, TopType, MAX_DEPTH};
use crate::model::{Api, Member, Topic, Type};

/// A page read into the model: the request table's rows as params (object params with
/// their member rows), and the response table's rows nested as the example answer nests
/// them.
///
/// The response table is a tree written out parent first, but a page does not print how
/// deep each nested row is: a row goes in the deepest object open above it whose element
/// in the example has it; a row the example does not show goes in the object the rows
/// above it leave open, with a warning in [`Api`]'s place ([`Generated::warnings`]).
///
/// # Errors
///
/// A [`PageError`] with the line: an object type whose members the page does not list
/// (an unknown type), objects nested deeper than [`MAX_DEPTH`].
pub fn to_api(page: &Page) -> Result<Api, PageError> {
    read(page).map(|generated| generated.api)
}

/// An API read from a page, with what was read with a doubt.
#[derive(Debug, Clone)]
pub struct Generated {
    pub api: Api,
    /// The page's warnings and the nesting's, each with its line.
    pub warnings: Vec<PageError>,
    /// Where the page and the embedded catalog's entry of its API differ, each with the
    /// page's line: the page wins for what it states.
    pub notes: Vec<PageError>,
}

/// [`to_api`], keeping the warnings.
///
/// # Errors
///
/// As [`to_api`].
pub fn read(page: &Page) -> Result<Generated, PageError> {
    let mut warnings = page.warnings.clone();
    let request = page.params.iter().map(|row| request_member(row, 0)).collect::<Result<Vec<_>, _>>()?;
    // What the page cannot settle, the catalog's entry of the same API settles.
    let catalog = crate::embedded::find(&page.method).map(|found| found.api());
    let response = nest(page, catalog.as_ref().map(|c| c.response.as_slice()), &mut warnings)?;
    // The page's own examples, read as a call would read them into what was generated.
    if let Some(xml) = page.example.as_ref().filter(|_| page.example_xml.is_some()) {
        warnings.extend(super::misfits(&response, xml, "the XML example answer's"));
    }
    if let Some(json) = &page.example_json {
        warnings.extend(super::misfits(&response, json, "the JSON example answer's"));
    }
    let api = Api {
        method: page.method.clone(),
        title: page.title.clone(),
        summary: Some(page.summary.clone()),
        doc_id: None,
        package: None,
        session: page.session,
        request,
        response,
        example_xml: page.example_xml.clone(),
        qimen: false,
    }
    .qimen_shaped();
    let mut notes = Vec::new();
    if let Some(catalog) = &catalog {
        differences(&api.request, &catalog.request, "param", "", &mut notes);
        differences(&api.response, &catalog.response, "field", "", &mut notes);
    }
    Ok(Generated { api, warnings, notes })
}

/// A message page read into the model: its topic, with the content's fields (each object
/// with its member rows), and what was read with a doubt: the page's warnings, and each
/// value of the example content that does not fit its field, or that no field has.
///
/// # Errors
///
/// A [`PageError`] with the line: an object type whose members the page does not list,
/// objects nested deeper than [`MAX_DEPTH`].
pub fn read_message(page: &MessagePage) -> Result<(Topic, Vec<PageError>), PageError> {
    let mut warnings = page.warnings.clone();
    let fields = page.fields.iter().map(|row| request_member(row, 0)).collect::<Result<Vec<_>, _>>()?;
    if let Some(example) = &page.example {
        warnings.extend(super::misfits(&fields, example, "the example content's"));
        for child in example.children.iter().filter(|child| !fields.iter().any(|f| f.name == child.name)) {
            warnings.push(PageError {
                line: child.line,
                message: format!("the example content has `{}`, which the table does not list", child.name),
            });
        }
    }
    let topic = Topic { topic: page.topic.clone(), title: page.title.clone(), doc_id: None, source: None, fields };
    Ok((topic, warnings))
}

/// The members of an object member, or of a list of objects; none for a scalar.
fn inner(member: &Member) -> &[Member] {
    match &member.ty {
        Type::Object { members, .. } => members,
        Type::List(item) => match item.as_ref() {
            Type::Object { members, .. } => members,
            _ => &[],
        },
        _ => &[],
    }
}

/// Notes each difference between the page's members and the catalog's at `path`.
fn differences(page: &[Member], catalog: &[Member], what: &str, path: &str, notes: &mut Vec<PageError>) {
    let at = |name: &str| if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
    let line = |member: &Member| member.line.unwrap_or(1);
    for member in page {
        match catalog.iter().find(|c| c.name == member.name) {
            None => notes.push(PageError {
                line: line(member),
                message: format!("the page has the {what} `{}`, which the catalog does not", at(&member.name)),
            }),
            Some(known) => {
                if member.ty.top_name() != known.ty.top_name() {
                    notes.push(PageError {
                        line: line(member),
                        message: format!(
                            "the page says the {what} `{}` is {}, the catalog {}: the page's is used",
                            at(&member.name),
                            member.ty.top_name(),
                            known.ty.top_name()
                        ),
                    });
                }
                differences(inner(member), inner(known), what, &at(&member.name), notes);
            }
        }
    }
    for known in catalog.iter().filter(|c| !page.iter().any(|m| m.name == c.name)) {
        let line = page.first().map_or(1, line);
        notes.push(PageError {
            line,
            message: format!("the catalog has the {what} `{}`, which the page does not list", at(&known.name)),
        });
    }
}

fn unknown_type(row: &Row, name: &str) -> PageError {
    PageError {
        line: row.line,
        message: format!(
            "`{}` has the type `{name}`, which is no type the platform names (String, Number, Boolean, Date, Price, BigDecimal, Json, byte[], byte) and whose members the page does not list",
            row.name
        ),
    }
}

fn request_member(row: &Row, depth: usize) -> Result<Member, PageError> {
    if depth > MAX_DEPTH {
        return Err(PageError {
            line: row.line,
            message: format!("`{}` nests deeper than {MAX_DEPTH} objects", row.name),
        });
    }
    let members = row.members.iter().map(|m| request_member(m, depth + 1)).collect::<Result<Vec<_>, _>>()?;
    if let Some(name) = row.ty.object_name() {
        if members.is_empty() {
            return Err(unknown_type(row, name));
        }
    }
    Ok(Member { required: row.required, limits: row.limits, ..member(row, model_type(&row.ty, members)) })
}

fn member(row: &Row, ty: Type) -> Member {
    Member {
        description: Some(row.description.clone()),
        example: row.example.clone(),
        line: Some(row.line),
        ..Member::new(row.name.clone(), ty)
    }
}

fn model_type(ty: &TopType, members: Vec<Member>) -> Type {
    match ty {
        TopType::String => Type::String,
        TopType::Number => Type::Number,
        TopType::Boolean => Type::Boolean,
        TopType::Date => Type::Date,
        TopType::Price => Type::Price,
        TopType::BigDecimal => Type::BigDecimal,
        TopType::Json => Type::Json,
        TopType::Bytes => Type::Bytes,
        TopType::Byte => Type::Byte,
        TopType::Object(name) => Type::Object { name: name.clone(), members },
        TopType::List(item) => Type::List(Box::new(model_type(item, members))),
    }
}

/// An object being filled: its row (none for the answer itself), its rows' indices, and
/// the example's elements that show its fields, by name.
struct Node<'p> {
    row: Option<usize>,
    children: Vec<usize>,
    shown: HashMap<&'p str, Vec<&'p Element>>,
    used: HashSet<&'p str>,
}

impl<'p> Node<'p> {
    fn new(row: Option<usize>, elements: &[&'p Element]) -> Node<'p> {
        let mut shown: HashMap<&'p str, Vec<&'p Element>> = HashMap::new();
        for element in elements {
            for child in &element.children {
                shown.entry(child.name.as_str()).or_default().push(child);
            }
        }
        Node { row, children: Vec::new(), shown, used: HashSet::new() }
    }
}

/// The response rows nested (see [`read`]).
fn nest(page: &Page, catalog: Option<&[Member]>, warnings: &mut Vec<PageError>) -> Result<Vec<Member>, PageError> {
    let rows = &page.fields;
    let root: Vec<&Element> = page.example.iter().collect();
    let mut nodes = vec![Node::new(None, &root)];
    // The objects open above the current row, the answer first.
    let mut open: Vec<usize> = vec![0];
    for (i, row) in rows.iter().enumerate() {
        if row.top {
            open.truncate(1);
        } else {
            // The deepest open object whose element shows the name and has no field of it yet:
            // a name the answer uses at two places (`total` in `data` and beside it) is a
            // field at each.
            let name = row.name.as_str();
            let shows = |n: usize| nodes[n].shown.contains_key(name);
            let shown_at = open.iter().rposition(|&n| shows(n) && !nodes[n].used.contains(name));
            // Not in the example: the deepest open object the catalog gives that name.
            let known_at = || {
                let catalog = catalog?;
                let mut levels = vec![catalog];
                for &n in &open[1..] {
                    let name = nodes[n].row.map(|r| rows[r].name.as_str())?;
                    let Some(member) = levels.last().and_then(|m| m.iter().find(|m| m.name == name)) else { break };
                    levels.push(inner(member));
                }
                levels.iter().rposition(|members| members.iter().any(|m| m.name == row.name))
            };
            let known = if shown_at.is_none() { known_at() } else { None };
            match (shown_at, known) {
                (Some(at), _) | (None, Some(at)) => open.truncate(at + 1),
                (None, None) if page.example.is_none() => {}
                (None, None) => {
                    // The object above it, or the nearest above that has no field of its name
                    // yet (the deeper one has it from an earlier row).
                    if let Some(free) = open.iter().rposition(|&n| !nodes[n].used.contains(name)) {
                        open.truncate(free + 1);
                    }
                    let owner = &nodes[*open.last().expect("the answer stays open")];
                    let place = owner.row.map_or_else(|| "the answer".to_owned(), |r| format!("`{}`", rows[r].name));
                    warnings.push(PageError {
                        line: row.line,
                        message: format!(
                            "`{}` is not in the example answer: read as a field of {place}, the object above it",
                            row.name
                        ),
                    });
                }
            }
        }
        let parent = *open.last().expect("the answer stays open");
        let elements = nodes[parent].shown.get(row.name.as_str()).cloned().unwrap_or_default();
        nodes[parent].used.insert(row.name.as_str());
        nodes[parent].children.push(i);
        if row.ty.object_name().is_some() {
            if open.len() > MAX_DEPTH {
                return Err(PageError {
                    line: row.line,
                    message: format!("`{}` nests deeper than {MAX_DEPTH} objects", row.name),
                });
            }
            // A list's element holds its items, unless it is an item of a JSON array itself
            // (`"trades": [{…}]`); an object's element holds its fields.
            let elements: Vec<&Element> = if row.ty.is_list() {
                elements.iter().flat_map(|e| if e.item { std::slice::from_ref(*e) } else { &e.children[..] }).collect()
            } else {
                elements
            };
            nodes.push(Node::new(Some(i), &elements));
            open.push(nodes.len() - 1);
        }
    }
    // What the example shows that the table does not list is left out, with a warning.
    for node in &nodes {
        let mut unlisted: Vec<&Element> = node
            .shown
            .iter()
            .filter(|(name, _)| !(node.used.contains(*name) || node.row.is_none() && **name == "request_id"))
            .map(|(_, elements)| elements[0])
            .collect();
        unlisted.sort_by_key(|e| e.line);
        for element in unlisted {
            warnings.push(PageError {
                line: element.line,
                message: format!(
                    "the example answer has `{}`, which the response table does not list: left out",
                    element.name
                ),
            });
        }
    }
    // The tree, built from the leaves up: every object's node comes after its parent's.
    let mut built: Vec<Option<Vec<Member>>> = Vec::with_capacity(nodes.len());
    built.resize_with(nodes.len(), || None);
    let node_of: HashMap<usize, usize> =
        nodes.iter().enumerate().filter_map(|(n, node)| node.row.map(|r| (r, n))).collect();
    for n in (0..nodes.len()).rev() {
        let mut members = Vec::with_capacity(nodes[n].children.len());
        for &r in &nodes[n].children {
            let row = &rows[r];
            let inner = node_of.get(&r).and_then(|&m| built[m].take()).unwrap_or_default();
            if let Some(name) = row.ty.object_name() {
                if inner.is_empty() {
                    return Err(unknown_type(row, name));
                }
            }
            members.push(member(row, model_type(&row.ty, inner)));
        }
        built[n] = Some(members);
    }
    Ok(built[0].take().unwrap_or_default())
}
