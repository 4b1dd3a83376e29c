//! One platform type, one shape: the rule over the whole catalog, and what the emitter writes
//! for a package whose answers share a type.

use top_cli::emit::{self, Options};
use top_cli::model::{Api, Member, Type};
use top_cli::share::share;

/// Every field `own` lists is in `typed` with the same type, all the way down.
fn keeps(own: &[Member], typed: &[Member], at: &str, depth: usize) -> Result<(), String> {
    if depth > 12 {
        return Ok(());
    }
    for member in own {
        let here = format!("{at}.{}", member.name);
        let Some(found) = typed.iter().find(|t| t.name == member.name) else {
            return Err(format!("{here} is gone"));
        };
        if found.ty.top_name() != member.ty.top_name() {
            return Err(format!("{here} was {} and is {}", member.ty.top_name(), found.ty.top_name()));
        }
        let inner = |ty: &Type| match ty {
            Type::List(item) => match item.as_ref() {
                Type::Object { members, .. } => Some(members.clone()),
                _ => None,
            },
            Type::Object { members, .. } => Some(members.clone()),
            _ => None,
        };
        if let (Some(own), Some(typed)) = (inner(&member.ty), inner(&found.ty)) {
            // Where the typed model stops (a type that holds itself), the catalog's does too or
            // the shared type is read the same further up.
            if !typed.is_empty() {
                keeps(&own, &typed, &here, depth + 1)?;
            }
        }
    }
    Ok(())
}

#[test]
fn sharing_never_drops_or_retypes_a_field_any_api_lists() {
    let mut shared_types = 0;
    let mut gained = 0;
    for (package, info) in top_cli::embedded::packages() {
        let apis: Vec<Api> = info.apis.iter().map(|entry| entry.to_api(&Default::default())).collect();
        let shared = share(&apis);
        shared_types += shared.types().len();
        for api in &apis {
            let typed = shared.apply(api);
            assert_eq!(typed.request, api.request, "{}: requests are not shared", api.method);
            if let Err(err) = keeps(&api.response, &typed.response, &api.method, 0) {
                panic!("{package}: {err}");
            }
        }
        for (name, ty) in shared.types() {
            assert!(!ty.methods.is_empty(), "{package}: {name} is held by no API");
            gained += ty.added.len();
            // Each addition is a field of the union.
            for (method, fields) in &ty.added {
                for field in fields {
                    assert!(ty.members.iter().any(|m| &m.name == field), "{package}: {name} in {method}: {field}");
                }
            }
        }
        // A type kept per API has copies that disagree, or holds one that does.
        for (name, why) in shared.kept() {
            assert!(shared.get(name).is_none(), "{package}: {name} is both kept and shared");
            assert!(why.contains(" is `") || why.contains("which is kept"), "{package}: {name}: {why}");
        }
    }
    // The catalog has many: a rule that shared nothing would pass the loop above.
    assert!(shared_types > 500, "{shared_types} shared types");
    assert!(gained > 500, "{gained} copies gained fields");
}

fn api(method: &str, response: Vec<Member>) -> Api {
    let entry = format!(r#"{{"method":"{method}","title":"t","docId":1,"package":"p"}}"#);
    let entry: top_cli::catalog::Entry = serde_json::from_str(&entry).unwrap();
    Api { response, ..entry.to_api(&Default::default()) }
}

fn trade(fields: &[(&str, Type)]) -> Member {
    Member::new(
        "trade",
        Type::Object {
            name: "Trade".into(),
            members: fields.iter().map(|(name, ty)| Member::new(*name, ty.clone())).collect(),
        },
    )
}

#[test]
fn a_package_file_writes_a_shared_type_once_and_each_api_re_exports_it() {
    let apis = [
        api("p.trade.get", vec![trade(&[("tid", Type::Number)])]),
        api("p.trade.full.get", vec![trade(&[("tid", Type::Number), ("alipay_id", Type::Number)])]),
    ];
    let options = Options { share: true, ..Options::default() };
    let source = emit::package_file(&[], &apis, &options).unwrap();
    assert_eq!(source.matches("pub struct Trade {").count(), 1, "{source}");
    let types = &source[source.find("pub mod types {").expect("a types module")..];
    let body = &types[types.find("pub struct Trade {").unwrap()..];
    let body = &body[..body.find('}').unwrap()];
    assert!(body.contains("pub tid: Option<i64>") && body.contains("pub alipay_id: Option<i64>"), "{body}");
    assert_eq!(source.matches("pub use super::types::Trade;").count(), 2, "{source}");

    // Copies that disagree: one struct per API, as without sharing.
    let apis = [
        api("p.trade.get", vec![trade(&[("tid", Type::Number)])]),
        api("p.trade.full.get", vec![trade(&[("tid", Type::String)])]),
    ];
    let source = emit::package_file(&[], &apis, &options).unwrap();
    assert!(!source.contains("pub mod types"), "{source}");
    assert_eq!(source.matches("pub struct Trade {").count(), 2, "{source}");
    assert_eq!(source, emit::package_file(&[], &apis, &Options::default()).unwrap());
}
