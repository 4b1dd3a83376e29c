//! The platform catalog as the `top` command carries it (`data/catalog.json`, written by
//! `cargo xtask codegen`): every package's APIs, with the `top-api` feature and the
//! generated crate that hold each package.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::catalog::{Entry, Overrides};
use crate::model::Api;

/// A package of the embedded catalog.
#[derive(Debug, Deserialize)]
pub struct Package {
    /// The `top-api` feature that enables it.
    pub feature: String,
    /// The generated crate that holds it.
    #[serde(rename = "crate")]
    pub krate: String,
    /// Its APIs, by method.
    pub apis: Vec<Entry>,
}

/// An API of the embedded catalog, with its package.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub package: &'static str,
    pub info: &'static Package,
    pub entry: &'static Entry,
}

impl Found {
    /// The API in the model. The session need is already the catalog's or the overrides'.
    pub fn api(&self) -> Api {
        self.entry.to_api(&Overrides::default())
    }

    /// The API as its generated types read its answer: the package's shared answer types
    /// (`crate::share`) with the union of their fields, where the catalog lists this API's
    /// own copies.
    pub fn typed_api(&self) -> Api {
        let apis: Vec<Api> = self.info.apis.iter().map(|entry| entry.to_api(&Overrides::default())).collect();
        crate::share::share(&apis).apply(&self.api())
    }

    /// The Rust path of its request type: `top_api::tbk::TaobaoTbkItemInfoGet`.
    pub fn rust_path(&self) -> String {
        format!("top_api::{}::{}", self.package, crate::emit::type_name(&self.entry.method))
    }
}

/// Every package of the embedded catalog, by name.
pub fn packages() -> &'static BTreeMap<String, Package> {
    static PACKAGES: OnceLock<BTreeMap<String, Package>> = OnceLock::new();
    PACKAGES.get_or_init(|| {
        // Written by `cargo xtask codegen` from the vendored catalog, and read by the tests.
        serde_json::from_str(include_str!("../data/catalog.json")).expect("the embedded catalog is valid")
    })
}

/// Every API of the embedded catalog.
pub fn all() -> impl Iterator<Item = Found> {
    packages().iter().flat_map(|(package, info)| info.apis.iter().map(move |entry| Found { package, info, entry }))
}

/// The API of `method`, if the catalog has it.
pub fn find(method: &str) -> Option<Found> {
    all().find(|found| found.entry.method == method)
}

/// The APIs whose method, title or package holds every one of `words` (case-insensitive).
pub fn search(words: &[String]) -> Vec<Found> {
    let words: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    all()
        .filter(|found| {
            let haystack = format!("{} {} {}", found.entry.method, found.entry.title, found.package).to_lowercase();
            words.iter().all(|word| haystack.contains(word.as_str()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_holds_every_api() {
        assert_eq!(all().count(), 5328);
        assert_eq!(packages().len(), 313);
        let found = find("taobao.tbk.item.info.get").unwrap();
        assert_eq!((found.package, found.info.feature.as_str()), ("tbk", "tbk"));
        assert_eq!(found.rust_path(), "top_api::tbk::TaobaoTbkItemInfoGet");
        // A tiny package is enabled by the package its name extends.
        assert_eq!(packages()["yunosdm"].feature, "yunos");
        assert_eq!(packages()["yunos"].feature, "yunos");
        let deposit = find("taobao.baodian.deposit.get").unwrap();
        assert_eq!(deposit.entry.session.as_deref(), Some("required"), "the overrides reach the embedded catalog");
    }

    #[test]
    fn search_matches_every_word() {
        let found = search(&["tbk".into(), "物料搜索".into()]);
        assert!(found.iter().any(|f| f.entry.method == "taobao.tbk.dg.material.optional"), "{found:?}");
        assert!(search(&["no-such-api-anywhere".into()]).is_empty());
    }
}
