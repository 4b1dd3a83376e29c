//! One platform type, one shape: within a package, the copies of an answer type of one
//! name (`Trade` in `taobao.trades.sold.get`, in `taobao.trade.fullinfo.get`, …) become one
//! type holding the union of their fields, as the official SDKs' shared domain classes are.
//!
//! The platform's data lists an answer type's fields anew in every API that returns it, and
//! the lists differ: `taobao.trade.fullinfo.get`'s `Trade` lacks the `alipay_id` that its
//! real answers carry and that `taobao.trades.sold.get`'s `Trade` lists. The rule:
//! - a type is shared when every field that two of its copies both list has one type in
//!   both (an object field is named by its type's name), every object type it holds is
//!   shared too (or lists no members anywhere), and the answers of two APIs or more hold it
//!   (or a shared type holds it);
//! - a shared type's fields are the union of its copies', in the order first seen;
//! - any other type stays as each API lists it, one copy per API.
//!
//! Only answers are shared: a request's objects are what that API checks before sending.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use crate::model::{Api, Member, Type};

/// What the APIs of one package share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shared {
    types: BTreeMap<String, SharedType>,
    kept: BTreeMap<String, String>,
}

/// A type the answers of a package share.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedType {
    /// The union of its copies' fields, in the order first seen. A field holding an object
    /// names the object's type and lists no members: that type is shared too, or has no
    /// members anywhere.
    pub members: Vec<Member>,
    /// The APIs whose answers hold it, in the package's order.
    pub methods: Vec<String>,
    /// For each API that lists it with fewer fields than the union: the fields it gains.
    pub added: Vec<(String, Vec<String>)>,
}

/// The copies of one type name, as the APIs list them.
#[derive(Default)]
struct Copies<'a> {
    /// Each field of any copy, in the order first seen: the first copy's member, and every
    /// type it has in some copy (with the first API listing it so).
    fields: Vec<(&'a Member, Vec<(String, &'a str)>)>,
    index: HashMap<&'a str, usize>,
    /// The APIs holding it, in order, and the field names of each copy with members.
    methods: Vec<&'a str>,
    lists: Vec<(&'a str, BTreeSet<&'a str>)>,
}

/// The object type an item is, if it is one.
fn object_of(ty: &Type) -> Option<(&str, &[Member])> {
    match ty {
        Type::List(item) => object_of(item),
        Type::Object { name, members } => Some((name, members)),
        _ => None,
    }
}

/// The name of the object type `ty` is, or holds in a list.
pub fn object_name(ty: &Type) -> Option<&str> {
    object_of(ty).map(|(name, _)| name)
}

/// How a field's type is compared between copies: its platform name (`Trade`,
/// `Order []`, `Number`), which names an object by its type's name.
fn signature(ty: &Type) -> String {
    ty.top_name()
}

/// Shares the answer types of `apis`, the APIs of one package.
pub fn share(apis: &[Api]) -> Shared {
    let mut copies: BTreeMap<&str, Copies<'_>> = BTreeMap::new();
    fn walk<'a>(members: &'a [Member], method: &'a str, copies: &mut BTreeMap<&'a str, Copies<'a>>) {
        for member in members {
            let Some((name, inner)) = object_of(&member.ty) else { continue };
            let entry = copies.entry(name).or_default();
            if !entry.methods.contains(&method) {
                entry.methods.push(method);
            }
            if !inner.is_empty() {
                let mut names = BTreeSet::new();
                for field in inner {
                    names.insert(field.name.as_str());
                    let sig = signature(&field.ty);
                    let at = match entry.index.get(field.name.as_str()) {
                        Some(&at) => at,
                        None => {
                            entry.index.insert(&field.name, entry.fields.len());
                            entry.fields.push((field, Vec::new()));
                            entry.fields.len() - 1
                        }
                    };
                    let types = &mut entry.fields[at].1;
                    if !types.iter().any(|(known, _)| *known == sig) {
                        types.push((sig, method));
                    }
                }
                entry.lists.push((method, names));
                walk(inner, method, copies);
            }
        }
    }
    for api in apis {
        walk(&api.response, &api.method, &mut copies);
    }

    // Types whose copies agree field by field; the others are kept, with the reason.
    let mut kept: BTreeMap<String, String> = BTreeMap::new();
    let mut agree: BTreeSet<&str> = BTreeSet::new();
    for (name, entry) in &copies {
        if entry.fields.is_empty() {
            continue;
        }
        match entry.fields.iter().find(|(_, types)| types.len() > 1) {
            Some((field, types)) => {
                let said: Vec<String> = types.iter().map(|(ty, method)| format!("`{ty}` in `{method}`")).collect();
                kept.insert((*name).to_owned(), format!("`{}` is {}", field.name, said.join(", ")));
            }
            None => {
                agree.insert(name);
            }
        }
    }
    // A type holding a kept type is kept too, until nothing changes.
    let holds = |name: &str| -> Vec<&str> {
        copies[name].fields.iter().filter_map(|(field, _)| object_of(&field.ty).map(|(inner, _)| inner)).collect()
    };
    loop {
        let falls: Vec<(&str, &str)> = agree
            .iter()
            .filter_map(|&name| {
                holds(name)
                    .into_iter()
                    .find(|inner| !agree.contains(inner) && !copies[inner].fields.is_empty())
                    .map(|inner| (name, inner))
            })
            .collect();
        if falls.is_empty() {
            break;
        }
        for (name, inner) in falls {
            agree.remove(name);
            kept.insert(name.to_owned(), format!("it holds `{inner}`, which is kept"));
        }
    }
    // Shared: held by two APIs' answers, or by a shared type.
    let mut shared: BTreeSet<&str> = agree.iter().copied().filter(|name| copies[name].methods.len() >= 2).collect();
    let mut todo: Vec<&str> = shared.iter().copied().collect();
    while let Some(name) = todo.pop() {
        for inner in holds(name) {
            if agree.contains(inner) && shared.insert(inner) {
                todo.push(inner);
            }
        }
    }

    let types = shared
        .iter()
        .map(|&name| {
            let entry = &copies[name];
            let members = entry.fields.iter().map(|(field, _)| without_members(field)).collect();
            let mut added: Vec<(String, Vec<String>)> = Vec::new();
            for (method, names) in &entry.lists {
                let missing: Vec<String> = entry
                    .fields
                    .iter()
                    .map(|(field, _)| field.name.as_str())
                    .filter(|field| !names.contains(field))
                    .map(str::to_owned)
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                match added.iter_mut().find(|(known, _)| known == method) {
                    // Another copy in the same answer: what it lacks as well.
                    Some((_, known)) => {
                        for field in missing {
                            if !known.contains(&field) {
                                known.push(field);
                            }
                        }
                    }
                    None => added.push(((*method).to_owned(), missing)),
                }
            }
            let methods = entry.methods.iter().map(|method| (*method).to_owned()).collect();
            (name.to_owned(), SharedType { members, methods, added })
        })
        .collect();
    kept.retain(|name, _| copies[name.as_str()].methods.len() >= 2);
    Shared { types, kept }
}

/// A field as a shared type holds it: an object is named, its members are the shared type's.
fn without_members(member: &Member) -> Member {
    fn strip(ty: &Type) -> Type {
        match ty {
            Type::List(item) => Type::List(Box::new(strip(item))),
            Type::Object { name, .. } => Type::Object { name: name.clone(), members: Vec::new() },
            other => other.clone(),
        }
    }
    Member { ty: strip(&member.ty), ..member.clone() }
}

impl Shared {
    /// The shared types, by their platform names.
    pub fn types(&self) -> &BTreeMap<String, SharedType> {
        &self.types
    }

    /// The shared type of `name`, if it is one.
    pub fn get(&self, name: &str) -> Option<&SharedType> {
        self.types.get(name)
    }

    /// The types that two APIs or more hold but that stay one per API, each with why.
    pub fn kept(&self) -> &BTreeMap<String, String> {
        &self.kept
    }

    /// True when nothing is shared.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// `api` as its generated types read it: every shared type in its answer with the
    /// union's fields, all the way down (a type that holds itself lists no members where it
    /// comes back).
    pub fn apply(&self, api: &Api) -> Api {
        let mut api = api.clone();
        api.response = self.members(&api.response, &mut Vec::new());
        api
    }

    fn members(&self, members: &[Member], open: &mut Vec<String>) -> Vec<Member> {
        members.iter().map(|member| Member { ty: self.ty(&member.ty, open), ..member.clone() }).collect()
    }

    fn ty(&self, ty: &Type, open: &mut Vec<String>) -> Type {
        match ty {
            Type::List(item) => Type::List(Box::new(self.ty(item, open))),
            Type::Object { name, members } => {
                let members = match self.types.get(name) {
                    Some(_) if open.contains(name) => Vec::new(),
                    Some(shared) => {
                        open.push(name.clone());
                        let members = self.members(&shared.members, open);
                        open.pop();
                        members
                    }
                    None => self.members(members, open),
                };
                Type::Object { name: name.clone(), members }
            }
            other => other.clone(),
        }
    }

    /// What sharing changed in a package, for a reviewer: per shared type, each API's
    /// copy and the fields the union gives it; then the types kept one per API, and why.
    pub fn report(&self, package: &str) -> String {
        let mut out = String::new();
        for (name, shared) in &self.types {
            for (method, fields) in &shared.added {
                let _ = writeln!(out, "{package} {name} {method} + {}", fields.join(" "));
            }
        }
        for (name, why) in &self.kept {
            let _ = writeln!(out, "{package} {name} kept per API: {why}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(name: &str, members: Vec<Member>) -> Type {
        Type::Object { name: name.into(), members }
    }

    fn api(method: &str, response: Vec<Member>) -> Api {
        Api {
            method: method.into(),
            title: String::new(),
            summary: None,
            doc_id: None,
            package: Some("p".into()),
            session: top_api::SessionNeed::None,
            request: Vec::new(),
            response,
            example_xml: None,
            qimen: false,
        }
    }

    fn names(members: &[Member]) -> Vec<&str> {
        members.iter().map(|m| m.name.as_str()).collect()
    }

    #[test]
    fn copies_that_agree_take_the_union_of_their_fields() {
        let sold = api(
            "p.sold",
            vec![Member::new(
                "trades",
                Type::List(Box::new(object(
                    "Trade",
                    vec![Member::new("tid", Type::Number), Member::new("alipay_id", Type::Number)],
                ))),
            )],
        );
        let full = api(
            "p.full",
            vec![Member::new(
                "trade",
                object(
                    "Trade",
                    vec![
                        Member::new("tid", Type::Number),
                        Member::new(
                            "orders",
                            Type::List(Box::new(object("Order", vec![Member::new("oid", Type::Number)]))),
                        ),
                    ],
                ),
            )],
        );
        let shared = share(&[sold, full.clone()]);
        let trade = shared.get("Trade").unwrap();
        assert_eq!(names(&trade.members), ["tid", "alipay_id", "orders"]);
        assert_eq!(trade.methods, ["p.sold", "p.full"]);
        assert_eq!(
            trade.added,
            [("p.sold".to_owned(), vec!["orders".to_owned()]), ("p.full".to_owned(), vec!["alipay_id".to_owned()])]
        );
        // Held by a shared type, so shared, though one API holds it.
        assert!(shared.get("Order").is_some());
        let applied = shared.apply(&full);
        let Type::Object { members, .. } = &applied.response[0].ty else { panic!() };
        assert_eq!(names(members), ["tid", "alipay_id", "orders"]);
        assert!(shared.report("p").contains("p Trade p.full + alipay_id"));
    }

    #[test]
    fn copies_that_disagree_stay_one_per_api_and_so_does_what_holds_them() {
        let a = api(
            "p.a",
            vec![Member::new(
                "outer",
                object("Outer", vec![Member::new("inner", object("Inner", vec![Member::new("x", Type::Number)]))]),
            )],
        );
        let b = api(
            "p.b",
            vec![Member::new(
                "outer",
                object(
                    "Outer",
                    vec![
                        Member::new("inner", object("Inner", vec![Member::new("x", Type::String)])),
                        Member::new("y", Type::String),
                    ],
                ),
            )],
        );
        let shared = share(&[a.clone(), b]);
        assert!(shared.is_empty());
        assert!(shared.kept()["Inner"].contains("`x` is `Number` in `p.a`, `String` in `p.b`"), "{:?}", shared.kept());
        assert!(shared.kept()["Outer"].contains("`Inner`"));
        assert_eq!(shared.apply(&a), a);
    }

    #[test]
    fn a_type_of_one_api_stays_its_own() {
        let a = api("p.a", vec![Member::new("only", object("Only", vec![Member::new("x", Type::Number)]))]);
        let b = api("p.b", vec![Member::new("n", Type::Number)]);
        let shared = share(&[a, b]);
        assert!(shared.is_empty());
        assert!(shared.kept().is_empty());
    }

    #[test]
    fn a_type_that_holds_itself_is_shared_and_applied_to_a_finite_depth() {
        let node = |extra: &str| {
            object(
                "Node",
                vec![
                    Member::new(extra, Type::String),
                    Member::new("children", Type::List(Box::new(object("Node", vec![])))),
                ],
            )
        };
        let a = api("p.a", vec![Member::new("root", node("a"))]);
        let b = api("p.b", vec![Member::new("root", node("b"))]);
        let shared = share(&[a.clone(), b]);
        assert_eq!(names(&shared.get("Node").unwrap().members), ["a", "children", "b"]);
        let applied = shared.apply(&a);
        let Type::Object { members, .. } = &applied.response[0].ty else { panic!() };
        assert_eq!(names(members), ["a", "children", "b"]);
        let Type::List(item) = &members[1].ty else { panic!() };
        assert_eq!(**item, object("Node", vec![]));
    }
}
