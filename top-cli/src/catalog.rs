//! Reading the platform catalog: one JSON file per package, each an array of APIs with
//! their params' names, types, required flags, limits and nested members.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use top_api::SessionNeed;

use crate::model::{Api, Limits, Member, Topic, Type};

/// One API as the catalog writes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entry {
    pub method: String,
    pub title: String,
    pub doc_id: Option<u64>,
    pub package: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_params: Option<Vec<Param>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_params: Option<Vec<Param>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_codes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_samples: Option<Samples>,
}

/// A param or field as the catalog writes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_list_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_params: Vec<Param>,
}

/// The example answers the catalog keeps for a few APIs.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Samples {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simplify_json: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xml: Option<String>,
}

/// What went wrong reading the catalog.
#[derive(Debug)]
pub struct CatalogError {
    pub file: PathBuf,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for CatalogError {}

/// The catalog: every package, by name, with its APIs in the order of the file.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub packages: BTreeMap<String, Vec<Entry>>,
}

impl Catalog {
    /// Reads every `*.json` file of `dir` (the catalog's `apis/` folder).
    ///
    /// # Errors
    ///
    /// A [`CatalogError`] naming the file that cannot be read or is not a catalog file.
    pub fn read(dir: &Path) -> Result<Catalog, CatalogError> {
        let fail = |file: &Path, message: String| CatalogError { file: file.to_owned(), message };
        let mut catalog = Catalog::default();
        for (file, package, entries) in json_files::<Entry>(dir)? {
            if let Some(wrong) = entries.iter().find(|entry| entry.package != package) {
                return Err(fail(
                    &file,
                    format!("`{}` is in package `{}`, not `{package}`", wrong.method, wrong.package),
                ));
            }
            catalog.packages.insert(package, entries);
        }
        Ok(catalog)
    }

    /// Every API, package by package.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.packages.values().flatten()
    }

    /// The API of `method`, if the catalog has it.
    pub fn find(&self, method: &str) -> Option<&Entry> {
        self.entries().find(|entry| entry.method == method)
    }
}

impl Entry {
    /// The API in the model, with its session need: the catalog's, else `overrides`', else
    /// optional (never `none` unless known).
    pub fn to_api(&self, overrides: &Overrides) -> Api {
        let session = match self.session.as_deref() {
            Some(wire) => SessionNeed::from_wire(wire).unwrap_or(SessionNeed::Optional),
            None => overrides.session(&self.method).unwrap_or(SessionNeed::Optional),
        };
        Api {
            method: self.method.clone(),
            title: self.title.clone(),
            summary: None,
            doc_id: self.doc_id,
            package: Some(self.package.clone()),
            session,
            request: members(self.request_params.as_deref().unwrap_or_default()),
            response: members(self.response_params.as_deref().unwrap_or_default()),
            example_xml: None,
            qimen: false,
        }
        .qimen_shaped()
    }
}

/// The members of a list of params. A param the list holds twice, alike (four APIs of the
/// catalog do), is one member; two unlike params of one name stay two, for the emitter to
/// refuse.
fn members(params: &[Param]) -> Vec<Member> {
    let mut out: Vec<Member> = Vec::with_capacity(params.len());
    for param in params {
        let member = member(param);
        if !out.contains(&member) {
            out.push(member);
        }
    }
    out
}

fn member(param: &Param) -> Member {
    let mut member = Member::new(param.name.clone(), ty(param));
    member.required = param.required;
    member.limits = Limits {
        max_length: param.max_length,
        max_list_size: param.max_list_size,
        min_value: param.min_value,
        max_value: param.max_value,
    };
    member
}

fn ty(param: &Param) -> Type {
    let Some(text) = param.ty.as_deref() else { return Type::Unknown };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (item, list) = match compact.strip_suffix("[]") {
        Some(item) if compact != "byte[]" => (item, true),
        _ => (compact.as_str(), false),
    };
    let item = Type::scalar(item)
        .unwrap_or_else(|| Type::Object { name: item.to_owned(), members: members(&param.sub_params) });
    if list {
        Type::List(Box::new(item))
    } else {
        item
    }
}

/// Every `*.json` file of `dir`, in name order: its path, its name without `.json`, and the
/// array it holds.
fn json_files<T: serde::de::DeserializeOwned>(dir: &Path) -> Result<Vec<(PathBuf, String, Vec<T>)>, CatalogError> {
    let fail = |file: &Path, message: String| CatalogError { file: file.to_owned(), message };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|err| fail(dir, err.to_string()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(|err| fail(&file, err.to_string()))?;
            let entries: Vec<T> = serde_json::from_str(&text).map_err(|err| fail(&file, err.to_string()))?;
            let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Ok((file, stem, entries))
        })
        .collect()
}

/// One message topic as the message catalog (`catalog/messages/`) writes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopicEntry {
    pub topic: String,
    pub title: String,
    pub doc_id: Option<u64>,
    /// The file it is in: the topic's group.
    pub group: String,
    /// The page it was read from (by `top messages read`), where that is not the platform's
    /// page of `docId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub fields: Vec<Param>,
}

impl TopicEntry {
    /// The topic in the model.
    pub fn to_topic(&self) -> Topic {
        Topic {
            topic: self.topic.clone(),
            title: self.title.clone(),
            doc_id: self.doc_id,
            source: self.source.clone(),
            fields: members(&self.fields),
        }
    }

    /// A topic of the model as the message catalog writes it: facts only (names, types,
    /// required flags, limits, nesting; no description or example), read from `source`.
    pub fn from_topic(topic: &Topic, source: Option<String>) -> Option<TopicEntry> {
        let (group, _) = Topic::split(&topic.topic)?;
        Some(TopicEntry {
            topic: topic.topic.clone(),
            title: topic.title.clone(),
            doc_id: topic.doc_id,
            group: group.to_owned(),
            source: source.or_else(|| topic.source.clone()),
            fields: topic.fields.iter().map(Param::from_member).collect(),
        })
    }
}

impl Param {
    /// A member as the catalog writes it: its name, type, required flag, limits and the
    /// members of an object.
    pub fn from_member(member: &Member) -> Param {
        let item = match &member.ty {
            Type::List(item) => item.as_ref(),
            other => other,
        };
        let sub_params = match item {
            Type::Object { members, .. } => members.iter().map(Param::from_member).collect(),
            _ => Vec::new(),
        };
        Param {
            name: member.name.clone(),
            ty: (member.ty != Type::Unknown).then(|| member.ty.top_name()),
            required: member.required,
            max_length: member.limits.max_length,
            max_list_size: member.limits.max_list_size,
            min_value: member.limits.min_value,
            max_value: member.limits.max_value,
            sub_params,
        }
    }
}

/// Reads every `*.json` file of `dir` (the message catalog): topics, group by group, each
/// file holding the topics of the group it is named after.
///
/// # Errors
///
/// A [`CatalogError`] naming the file that cannot be read, is not a message catalog file,
/// or holds a topic of another group or one whose name is not `group_Name`.
pub fn read_topics(dir: &Path) -> Result<Vec<TopicEntry>, CatalogError> {
    let fail = |file: &Path, message: String| CatalogError { file: file.to_owned(), message };
    let mut topics = Vec::new();
    for (file, group, entries) in json_files::<TopicEntry>(dir)? {
        for entry in &entries {
            match Topic::split(&entry.topic) {
                Some((of, _)) if of == group && entry.group == group => {}
                Some(_) => return Err(fail(&file, format!("`{}` is not of the group `{group}`", entry.topic))),
                None => {
                    return Err(fail(
                        &file,
                        format!("`{}` is not a topic name like `taobao_trade_TradeBuyerPay`", entry.topic),
                    ))
                }
            }
        }
        topics.extend(entries);
    }
    Ok(topics)
}

/// The hand-kept list of APIs whose session need is known from their documentation pages:
/// one line each, `method session source`, `#` for comments.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    lines: BTreeMap<String, (SessionNeed, String)>,
}

impl Overrides {
    /// Reads the overrides file's text.
    ///
    /// # Errors
    ///
    /// The line that is not `method none|optional|required source`.
    pub fn parse(text: &str) -> Result<Overrides, String> {
        let mut overrides = Overrides::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(method), Some(session), Some(source)) = (words.next(), words.next(), words.next()) else {
                return Err(format!("line {}: expected `method none|optional|required source`", i + 1));
            };
            let Some(session) = SessionNeed::from_wire(session) else {
                return Err(format!("line {}: `{session}` is not none, optional or required", i + 1));
            };
            if overrides.lines.insert(method.to_owned(), (session, source.to_owned())).is_some() {
                return Err(format!("line {}: `{method}` is listed twice", i + 1));
            }
        }
        Ok(overrides)
    }

    /// What the file says of `method`.
    pub fn session(&self, method: &str) -> Option<SessionNeed> {
        self.lines.get(method).map(|(session, _)| *session)
    }

    /// Every method the file lists.
    pub fn methods(&self) -> impl Iterator<Item = &str> {
        self.lines.keys().map(String::as_str)
    }
}
