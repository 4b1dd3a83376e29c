//! Writing an API of the model as Rust: the request struct under `#[top_api]`, the answer
//! and every nested type under `#[derive(Object)]`, one module per API.
//!
//! Types map as the platform's data says, with no guesswork left to the user: `Number` is
//! `i64`, `Price` and `BigDecimal` are [`Decimal`](top_api::Decimal), `Date` is
//! [`DateTime`](top_api::DateTime) in requests and [`Date`](top_api::Date) in answers,
//! `Json` is [`Json`](top_api::Json), a `byte[]` request param is a [`File`](top_api::File).
//! Every answer field is an `Option` or a `Vec`, since the gateway leaves out what has no
//! value. Nested types are scoped per API, because the same type name has different shapes
//! in different APIs.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::{self, Write as _};

use top_api::SessionNeed;

use crate::model::{Api, Member, Topic, Type};
use crate::names;
use crate::share::{self, Shared};

/// Why an API cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitError {
    /// The line of the source the problem is at, when the source has lines.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for EmitError {}

/// How the Rust is written.
#[derive(Debug, Clone)]
pub struct Options {
    /// The path the code names top-api by: `top_api`, or `crate` inside top-api itself.
    pub krate: String,
    /// Where the code came from, for the docs: "the platform catalog", "its documentation page".
    pub source: &'static str,
    /// The feature of `top-api` that enables the code, when one does: the docs say so.
    pub feature: Option<String>,
    /// APIs a package does not write again but re-exports from where they already are
    /// (method → module path): one type per API.
    pub reexports: BTreeMap<String, String>,
    /// Whether [`package_file`] shares its APIs' answer types ([`crate::share`]): the
    /// APIs are one platform package's.
    pub share: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            krate: "top_api".to_owned(),
            source: "its documentation page",
            feature: None,
            reexports: BTreeMap::new(),
            share: false,
        }
    }
}

impl Options {
    /// The sentence that says which feature enables the code, if one does.
    fn enabled_by(&self) -> Option<String> {
        self.feature.as_ref().map(|feature| format!("Enabled by the `{feature}` feature of `top-api`."))
    }
}

/// The Rust type name of a method's request: `taobao.tbk.item.info.get` → `TaobaoTbkItemInfoGet`.
pub fn type_name(method: &str) -> String {
    names::camel(method)
}

/// The module of a method: `taobao.tbk.item.info.get` → `taobao_tbk_item_info_get`.
pub fn module_name(method: &str) -> String {
    names::module(method)
}

/// The official documentation page of an API.
pub fn doc_url(doc_id: u64) -> String {
    format!("https://open.taobao.com/api.htm?docId={doc_id}&docType=2")
}

/// Which side of a call a type is on: request params and the objects they hold are checked
/// before sending; answers may leave anything out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// A param of the request struct itself.
    Param,
    /// A member of an object sent in a request.
    Member,
    /// A field of an answer.
    Answer,
}

/// A struct to write.
struct StructDef {
    rust: String,
    top: String,
    doc: String,
    /// Where it sits: each place the answer or request holds it, first one first.
    places: Vec<String>,
    fields: Vec<FieldDef>,
}

struct FieldDef {
    ident: String,
    /// The type, `{}` standing where the object's name goes: known once all are named.
    ty: FieldType,
    attrs: Vec<String>,
    doc: Vec<String>,
}

/// A field's type: text, or an optional or required object, a list of objects, or a type
/// of the package's shared ones (by its Rust name).
enum FieldType {
    Text(String),
    Object { index: usize, wrap: Wrap },
    Shared { rust: String, wrap: Wrap },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Wrap {
    Plain,
    Option,
    Vec,
    OptionVec,
}

/// The objects of one API, each named once.
struct Scope<'a> {
    krate: &'a str,
    structs: Vec<StructDef>,
    by_shape: HashMap<String, usize>,
    used: HashSet<String>,
    /// The members of each object type name, from the first place it has any: a place that
    /// lists none (where the catalog stops inlining a deep or recursive type) takes these.
    known_members: HashMap<String, &'a [Member]>,
    /// Struct indexes under construction, to detect a type that holds itself.
    building: Vec<usize>,
    /// The method, and the wire names from the root down to the member being written.
    method: &'a str,
    path: Vec<String>,
    /// The package's shared answer types, when its APIs share them.
    sharing: Option<&'a Sharing>,
    /// Writing the shared types themselves: an object is its shared type, by name.
    writing_shared: bool,
    /// What the fields on the answer side are the fields of, for the docs: `answer`, or a
    /// message's `content`.
    answer: &'static str,
}

/// A package's shared answer types ([`crate::share`]) and their Rust names.
struct Sharing {
    shared: Shared,
    rust: HashMap<String, String>,
}

impl Sharing {
    fn new(shared: Shared) -> Sharing {
        let mut used = HashSet::new();
        let rust = shared
            .types()
            .keys()
            .map(|name| {
                let base = type_base(name);
                let mut rust = base.clone();
                let mut n = 2;
                while !used.insert(rust.clone()) {
                    rust = format!("{base}{n}");
                    n += 1;
                }
                (name.clone(), rust)
            })
            .collect();
        Sharing { shared, rust }
    }

    /// The Rust names of the shared types `from` hold (by Rust name), and theirs, with `from`.
    fn reachable(&self, from: BTreeSet<&str>) -> BTreeSet<String> {
        let platform: HashMap<&str, &str> =
            self.rust.iter().map(|(name, rust)| (rust.as_str(), name.as_str())).collect();
        let mut todo: Vec<&str> = from.iter().filter_map(|rust| platform.get(rust).copied()).collect();
        let mut seen: BTreeSet<&str> = todo.iter().copied().collect();
        while let Some(name) = todo.pop() {
            for member in self.shared.get(name).map(|shared| &shared.members[..]).unwrap_or_default() {
                if let Some(inner) = share::object_name(&member.ty) {
                    if self.rust.contains_key(inner) && seen.insert(inner) {
                        todo.push(inner);
                    }
                }
            }
        }
        seen.into_iter().map(|name| self.rust[name].clone()).collect()
    }
}

/// The Rust name a platform type name starts from: `NTbkItem`, `ResultObject` for `Result`.
fn type_base(name: &str) -> String {
    let base = names::camel(name);
    if names::RESERVED_TYPES.contains(&base.as_str()) {
        format!("{base}Object")
    } else {
        base
    }
}

/// Writes the module of one API.
///
/// # Errors
///
/// An [`EmitError`] when the API cannot be written: a param named like a system param,
/// a type that has no Rust form (a list of lists, a list of files), a method that is not
/// one.
pub fn api_module(api: &Api, options: &Options) -> Result<String, EmitError> {
    module(api, options, None)
}

fn module(api: &Api, options: &Options, sharing: Option<&Sharing>) -> Result<String, EmitError> {
    let fail = |line: Option<usize>, message: String| EmitError { line, message };
    if !top_api_rules::is_method(&api.method) {
        return Err(fail(None, format!("`{}` is not a method name", api.method)));
    }
    let krate = options.krate.as_str();
    let request = type_name(&api.method);
    let response = format!("{request}Response");
    let mut scope = Scope {
        krate,
        structs: Vec::new(),
        by_shape: HashMap::new(),
        used: [request.clone(), response.clone()].into_iter().collect(),
        known_members: HashMap::new(),
        building: Vec::new(),
        method: &api.method,
        path: Vec::new(),
        sharing,
        writing_shared: false,
        answer: "answer",
    };
    for member in api.request.iter().chain(&api.response) {
        collect_known(member, &mut scope.known_members);
    }

    for member in &api.request {
        if top_api::rules::is_reserved(&member.name) {
            return Err(fail(
                member.line,
                format!("the param `{}` is named like a system param, which the client sends itself", member.name),
            ));
        }
    }
    let params = fields(&mut scope, &api.request, Side::Param)?;
    let answer_fields = fields(&mut scope, &api.response, Side::Answer)?;
    let answer = StructDef {
        rust: response.clone(),
        top: response.clone(),
        doc: format!("The answer of `{}`.", api.method),
        places: Vec::new(),
        fields: answer_fields,
    };
    let boxed = boxed_fields(&scope.structs, &answer);
    // The shared types its answer holds, all the way down, under their own names where no
    // type of its own has them.
    let mut uses: BTreeSet<&str> = BTreeSet::new();
    for def in std::iter::once(&answer).chain(&scope.structs) {
        for field in &def.fields {
            if let FieldType::Shared { rust, .. } = &field.ty {
                uses.insert(rust);
            }
        }
    }
    let uses = sharing.map(|sharing| sharing.reachable(uses)).unwrap_or_default();
    let imported: HashSet<String> = uses.into_iter().filter(|rust| !scope.used.contains(rust)).collect();

    let mut out = String::new();
    let title = api.title.trim();
    let _ = writeln!(out, "/// `{}`: {}.", api.method, escape_doc(title.trim_end_matches('.')));
    let module = module_name(&api.method);
    let _ = writeln!(out, "pub mod {module} {{");

    // The request.
    let mut doc = vec![escape_doc(title)];
    if let Some(summary) = api.summary.as_deref().map(str::trim).filter(|s| !s.is_empty() && *s != title) {
        doc.push(String::new());
        doc.push(escape_doc(summary));
    }
    doc.push(String::new());
    doc.push(match api.session {
        SessionNeed::None => "Needs no session.".to_owned(),
        SessionNeed::Optional => "Takes a user's session when there is one (optional).".to_owned(),
        _ => format!("Needs a user's session: call it as `client.with_session(token).execute(&{request} {{ .. }})`."),
    });
    if api.qimen {
        doc.push(String::new());
        doc.push(format!(
            "A Qimen API: `request` goes as an XML body to the Qimen router, `customerId` in its query \
             ([`{krate}::qimen_router`]); the answer is its `<response>`, a `failure` flag a refusal."
        ));
    }
    if let Some(doc_id) = api.doc_id {
        doc.push(String::new());
        doc.push(format!("Official documentation: <{}>", doc_url(doc_id)));
    }
    if let Some(package) = &api.package {
        doc.push(String::new());
        doc.push(format!("Generated from {} (package `{package}`).", options.source));
    }
    if let Some(enabled) = options.enabled_by() {
        doc.push(String::new());
        doc.push(enabled);
    }
    write_doc(&mut out, 1, &doc);
    let mut args = vec![format!("method = {:?}", api.method), format!("response = {response}")];
    if api.session != SessionNeed::None {
        args.push(format!("session = {:?}", api.session.as_str()));
    }
    args.push(format!("idempotent = {}", top_api_rules::is_read(&api.method, Some(&api.title))));
    if api.qimen {
        args.push("qimen = true".to_owned());
    }
    let _ = writeln!(out, "    #[{krate}::top_api(\n        {}\n    )]", args.join(",\n        "));
    let _ = writeln!(out, "    #[derive(Debug, Clone, PartialEq, Default)]");
    if params.is_empty() {
        let _ = writeln!(out, "    pub struct {request};");
    } else {
        let _ = writeln!(out, "    pub struct {request} {{");
        write_fields(&mut out, &scope.structs, &params, &HashSet::new(), &imported);
        let _ = writeln!(out, "    }}");
    }
    if let Some(xml) = &api.example_xml {
        let _ = writeln!(out);
        let _ = writeln!(out, "    /// The documentation page's example answer, exactly as printed there (XML).");
        let _ = writeln!(out, "    pub const EXAMPLE_XML: &str = {};", raw_string(xml));
    }

    if !imported.is_empty() {
        let mut names: Vec<&String> = imported.iter().collect();
        names.sort();
        let names: Vec<&str> = names.into_iter().map(String::as_str).collect();
        let _ = writeln!(out);
        let _ = writeln!(out, "    #[doc(no_inline)]");
        match names.as_slice() {
            [one] => {
                let _ = writeln!(out, "    pub use super::types::{one};");
            }
            more => {
                let _ = writeln!(out, "    pub use super::types::{{{}}};", more.join(", "));
            }
        }
    }

    // The answer, then every nested type.
    write_structs(&mut out, std::iter::once(&answer).chain(&scope.structs), &scope.structs, &boxed, options, &imported);
    let _ = writeln!(out, "}}");
    Ok(out)
}

/// Writes structs: `defs` is the answer (when there is one) then `structs`, whose indexes
/// `boxed` counts in that order.
fn write_structs<'a>(
    out: &mut String,
    defs: impl Iterator<Item = &'a StructDef>,
    structs: &[StructDef],
    boxed: &HashMap<usize, HashSet<usize>>,
    options: &Options,
    imported: &HashSet<String>,
) {
    let krate = options.krate.as_str();
    for (index, def) in defs.enumerate() {
        let _ = writeln!(out);
        let mut doc = vec![def.doc.clone()];
        if let Some((first, more)) = def.places.split_first() {
            let mut place = format!("{}{}", first[..1].to_uppercase(), &first[1..]);
            match more.len() {
                0 => {}
                1 => place.push_str(&format!("; also {}", more[0])),
                n => place.push_str(&format!("; also {} and {} more places", more[0], n - 1)),
            }
            doc.push(String::new());
            doc.push(format!("{place}."));
        }
        if let Some(enabled) = options.enabled_by().filter(|_| def.places.is_empty()) {
            doc.push(String::new());
            doc.push(enabled);
        }
        write_doc(out, 1, &doc);
        let _ = writeln!(out, "    #[derive(Debug, Clone, PartialEq, Default, {krate}::Object)]");
        if def.top != def.rust {
            let _ = writeln!(out, "    #[top(name = {:?})]", def.top);
        }
        if def.fields.is_empty() {
            let _ = writeln!(out, "    pub struct {} {{}}", def.rust);
            continue;
        }
        let _ = writeln!(out, "    pub struct {} {{", def.rust);
        let boxes = boxed.get(&index).cloned().unwrap_or_default();
        write_fields(out, structs, &def.fields, &boxes, imported);
        let _ = writeln!(out, "    }}");
    }
}

fn collect_known<'a>(member: &'a Member, known: &mut HashMap<String, &'a [Member]>) {
    let ty = match &member.ty {
        Type::List(item) => item.as_ref(),
        other => other,
    };
    if let Type::Object { name, members } = ty {
        if !members.is_empty() {
            known.entry(name.clone()).or_insert(members.as_slice());
        }
        for inner in members {
            collect_known(inner, known);
        }
    }
}

/// The fields of a struct, from its members.
fn fields(scope: &mut Scope<'_>, members: &[Member], side: Side) -> Result<Vec<FieldDef>, EmitError> {
    let mut out: Vec<FieldDef> = Vec::with_capacity(members.len());
    let mut idents: HashSet<String> = HashSet::new();
    let mut wires: HashSet<&str> = HashSet::new();
    for member in members {
        if !wires.insert(member.name.as_str()) {
            return Err(EmitError { line: member.line, message: format!("`{}` is listed twice", member.name) });
        }
        // Two wire names that make one Rust name (`pageSize`, `page_size`): the later one
        // gets a number.
        let base = names::field(&member.name);
        let mut ident = base.clone();
        let mut n = 2;
        while !idents.insert(names::unraw(&ident).to_owned()) {
            // `self_` and `self` make `self_2`, not `self__2` (which is not snake case).
            ident = format!("{}_{n}", names::unraw(&base).trim_end_matches('_'));
            n += 1;
        }
        scope.path.push(member.name.clone());
        let typed = field_type(scope, member, side);
        scope.path.pop();
        let (ty, mut attrs, doc) = typed?;
        if names::unraw(&ident) != member.name {
            attrs.insert(0, format!("rename = {:?}", member.name));
        }
        out.push(FieldDef { ident, ty, attrs, doc });
    }
    Ok(out)
}

/// A field's type, its `#[top(...)]` arguments and its doc lines.
fn field_type(
    scope: &mut Scope<'_>,
    member: &Member,
    side: Side,
) -> Result<(FieldType, Vec<String>, Vec<String>), EmitError> {
    let krate = scope.krate;
    let mut attrs = Vec::new();
    let mut doc = Vec::new();
    let description = member.description.as_deref().map(str::trim).filter(|d| !d.is_empty());
    if let Some(description) = description {
        doc.push(escape_doc(description));
    }
    let fail = |message: String| EmitError { line: member.line, message };
    let (item, list) = match &member.ty {
        Type::List(item) => (item.as_ref(), true),
        other => (other, false),
    };
    // What the attribute checks before sending, said where a reader of the docs looks.
    let mut facts = Vec::new();
    if member.required && side != Side::Answer {
        facts.push("Required.".to_owned());
    }
    let limits = member.limits;
    match (limits.max_length, item, list) {
        (Some(max), Type::String, false) => facts.push(format!("At most {max} characters.")),
        (Some(max), Type::Number | Type::Byte, false) => {
            facts.push(format!("At most {max} {}.", if max == 1 { "digit" } else { "digits" }))
        }
        (Some(max), Type::Bytes, false) if side == Side::Param => facts.push(format!("At most {max} bytes.")),
        _ => {}
    }
    if let (Some(max), true) = (limits.max_list_size, list) {
        facts.push(format!("At most {max} items."));
    }
    if matches!(item, Type::Number | Type::Byte) {
        let each = if list { "Each " } else { "" };
        match (limits.min_value, limits.max_value) {
            (Some(min), Some(max)) => {
                facts.push(format!("{each}{} {min} to {max}.", if list { "from" } else { "From" }))
            }
            (Some(min), None) => facts.push(format!("{each}{} {min}.", if list { "at least" } else { "At least" })),
            (None, Some(max)) => facts.push(format!("{each}{} {max}.", if list { "at most" } else { "At most" })),
            (None, None) => {}
        }
    }
    if let Some(example) = member.example.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        facts.push(format!("Example: `{}`.", example.replace('`', "'")));
    }
    if !facts.is_empty() {
        doc.push(facts.join(" "));
    }
    if matches!(item, Type::List(_)) {
        return Err(fail(format!("`{}` is a list of lists, which TOP has no wire form for", member.name)));
    }
    let required = member.required && side != Side::Answer;
    let mut unapplied = Vec::new();

    // A shared type of the package, when the API's answer holds one (and the type being
    // written is not one of them).
    let shared = match (item, scope.sharing) {
        (Type::Object { name, .. }, Some(sharing)) if side == Side::Answer && !scope.writing_shared => {
            sharing.rust.get(name).cloned()
        }
        _ => None,
    };
    // The object of an item, when it is one whose members are known.
    let object = match item {
        _ if shared.is_some() => None,
        Type::Object { name, .. }
            if scope.writing_shared && scope.sharing.is_some_and(|s| s.rust.contains_key(name)) =>
        {
            let members = &scope.sharing.expect("sharing").shared.get(name).expect("shared").members;
            Some(object(scope, name, members, side, description, list)?)
        }
        Type::Object { name, members } => {
            let members = if members.is_empty() { scope.known_members.get(name).copied() } else { Some(&members[..]) };
            match members {
                Some(members) => Some(object(scope, name, members, side, description, list)?),
                None => {
                    doc.push(format!(
                        "The platform's data lists no members for `{}`: any JSON value, kept as it came.",
                        escape_doc(name)
                    ));
                    None
                }
            }
        }
        _ => None,
    };
    let scalar = |item: &Type| -> Result<String, EmitError> {
        Ok(match (item, side) {
            (Type::String, _) => "String".to_owned(),
            (Type::Number, _) => "i64".to_owned(),
            (Type::Boolean, _) => "bool".to_owned(),
            (Type::Byte, _) => "i8".to_owned(),
            (Type::Price | Type::BigDecimal, _) => format!("{krate}::Decimal"),
            (Type::Json, _) => format!("{krate}::Json"),
            (Type::Date, Side::Answer) => format!("{krate}::Date"),
            (Type::Date, _) => format!("{krate}::DateTime"),
            (Type::Bytes, Side::Param) if !list => format!("{krate}::File"),
            (Type::Bytes, Side::Param) => {
                return Err(fail(format!("`{}` is a list of files, which TOP has no wire form for", member.name)))
            }
            (Type::Bytes, _) => "String".to_owned(),
            (Type::Unknown | Type::Object { .. }, Side::Member) => "serde_json::Value".to_owned(),
            (Type::Unknown | Type::Object { .. }, _) => format!("{krate}::Json"),
            (Type::List(_), _) => unreachable!("lists of lists are refused above"),
        })
    };
    if matches!(item, Type::Bytes) && side != Side::Param {
        doc.push("Base64 text of the bytes.".to_owned());
    }
    if matches!(item, Type::Unknown) {
        doc.push("The platform's data gives no type: any JSON value.".to_owned());
    }

    // Limits, where they apply to the Rust type; the others are told in the docs.
    // A list's numbers are bounded one by one; a `maxLength` limits a text's characters, a
    // number's digits, a file's bytes.
    let numeric = matches!(item, Type::Number | Type::Byte);
    let lengthy = !list
        && (matches!(item, Type::String | Type::Number | Type::Byte)
            || (matches!(item, Type::Bytes) && side == Side::Param));
    if let Some(max) = limits.max_length {
        if lengthy {
            attrs.push(format!("max_len = {max}"));
        } else {
            unapplied.push(format!("a maximum length of {max}"));
        }
    }
    if let Some(max) = limits.max_list_size {
        if list {
            attrs.push(format!("max_items = {max}"));
        } else {
            unapplied.push(format!("at most {max} items"));
        }
    }
    for (value, key, words) in [(limits.min_value, "min", "a minimum"), (limits.max_value, "max", "a maximum")] {
        if let Some(value) = value {
            if numeric {
                attrs.push(format!("{key} = {value}"));
            } else {
                unapplied.push(format!("{words} of {value}"));
            }
        }
    }
    if !unapplied.is_empty() {
        doc.push(format!("The platform also lists {} for it.", unapplied.join(", ")));
    }

    let has_default = !matches!((item, side), (Type::Date, Side::Param | Side::Member) | (Type::Bytes, Side::Param));
    let ty = match (object, shared) {
        (None, Some(rust)) => FieldType::Shared { rust, wrap: if list { Wrap::Vec } else { Wrap::Option } },
        (Some(index), _) => {
            if side == Side::Param {
                attrs.insert(0, "object".to_owned());
            }
            let wrap = match (list, side, required) {
                (true, Side::Answer, _) | (true, _, true) => Wrap::Vec,
                (true, _, false) => Wrap::OptionVec,
                (false, Side::Answer, _) | (false, _, false) => Wrap::Option,
                (false, _, true) => Wrap::Plain,
            };
            if required && side == Side::Member {
                attrs.push("required".to_owned());
            }
            FieldType::Object { index, wrap }
        }
        (None, None) => {
            let base = scalar(item)?;
            let text = match (list, side, required) {
                (true, Side::Answer, _) => format!("Vec<{base}>"),
                (true, _, true) => format!("Vec<{base}>"),
                (true, _, false) => format!("Option<Vec<{base}>>"),
                (false, Side::Answer, _) | (false, _, false) => format!("Option<{base}>"),
                (false, _, true) if has_default => base,
                (false, _, true) => format!("Option<{base}>"),
            };
            // A required param is a plain field (the attribute checks it is not blank), or
            // an `Option` marked required for a type with no empty value; a required member
            // of an object is always marked.
            if required && (side == Side::Member || (!has_default && !list)) {
                attrs.push("required".to_owned());
            }
            FieldType::Text(text)
        }
    };
    Ok((ty, attrs, doc))
}

/// The index of the struct for an object type, named and written once per shape.
fn object(
    scope: &mut Scope<'_>,
    name: &str,
    members: &[Member],
    side: Side,
    description: Option<&str>,
    list: bool,
) -> Result<usize, EmitError> {
    let place = format!(
        "{} `{}` in the {} of `{}`",
        if list { "an item of" } else { "found at" },
        scope.path.join("."),
        if side == Side::Answer { scope.answer } else { "request" },
        scope.method
    );
    let side = if side == Side::Answer { Side::Answer } else { Side::Member };
    // A shared type is one struct, whatever the place lists.
    let key = if scope.writing_shared { name.to_owned() } else { shape(name, members, side, scope, &mut Vec::new()) };
    if let Some(&index) = scope.by_shape.get(&key) {
        scope.structs[index].places.push(place);
        return Ok(index);
    }
    let rust = match scope.sharing.filter(|_| scope.writing_shared).and_then(|sharing| sharing.rust.get(name)) {
        Some(rust) => rust.clone(),
        None => {
            let base = type_base(name);
            let mut rust = base.clone();
            let mut n = 2;
            while !scope.used.insert(rust.clone()) {
                rust = format!("{base}{n}");
                n += 1;
            }
            rust
        }
    };
    let index = scope.structs.len();
    let doc = match description {
        Some(description) => format!("`{}`: {}", escape_doc(name), escape_doc(description)),
        None => format!("`{}`.", escape_doc(name)),
    };
    scope.structs.push(StructDef { rust, top: name.to_owned(), doc, places: vec![place], fields: Vec::new() });
    scope.by_shape.insert(key, index);
    scope.building.push(index);
    let fields = fields(scope, members, side)?;
    scope.building.pop();
    scope.structs[index].fields = fields;
    Ok(index)
}

/// A key that two uses of an object type share exactly when they would be the same struct:
/// its name, and its members' names, types, required flags and limits, all the way down.
fn shape(name: &str, members: &[Member], side: Side, scope: &Scope<'_>, seen: &mut Vec<String>) -> String {
    let mut key = format!("{name}{{");
    if seen.iter().any(|s| s == name) {
        // A type that holds itself: its name is its shape from here on.
        key.push_str("..}");
        return key;
    }
    seen.push(name.to_owned());
    for member in members {
        let _ = write!(key, "{}:", member.name);
        let (item, list) = match &member.ty {
            Type::List(item) => (item.as_ref(), true),
            other => (other, false),
        };
        if list {
            key.push('[');
        }
        match item {
            Type::Object { name, members } => {
                let members =
                    if members.is_empty() { scope.known_members.get(name).copied() } else { Some(&members[..]) };
                match members {
                    Some(members) => key.push_str(&shape(name, members, side, scope, seen)),
                    None => key.push('?'),
                }
            }
            other => key.push_str(&other.top_name()),
        }
        if side != Side::Answer {
            let _ = write!(key, "{}{:?}", if member.required { "!" } else { "" }, member.limits);
        }
        key.push(';');
    }
    seen.pop();
    key.push('}');
    key
}

/// For each struct (by its index in `answer` then `structs` order), the fields that must
/// be boxed because the struct holds itself through them, without a list in between.
fn boxed_fields(structs: &[StructDef], answer: &StructDef) -> HashMap<usize, HashSet<usize>> {
    // Node 0 is the answer; node i + 1 is structs[i].
    let all: Vec<&StructDef> = std::iter::once(answer).chain(structs).collect();
    let edges = |node: usize| -> Vec<(usize, usize)> {
        all[node]
            .fields
            .iter()
            .enumerate()
            .filter_map(|(f, field)| match field.ty {
                FieldType::Object { index, wrap: Wrap::Plain | Wrap::Option } => Some((f, index + 1)),
                _ => None,
            })
            .collect()
    };
    let mut boxed: HashMap<usize, HashSet<usize>> = HashMap::new();
    // Depth-first; an edge back into the path is boxed.
    let mut state = vec![0u8; all.len()];
    fn visit(
        node: usize,
        state: &mut [u8],
        edges: &dyn Fn(usize) -> Vec<(usize, usize)>,
        boxed: &mut HashMap<usize, HashSet<usize>>,
    ) {
        state[node] = 1;
        for (field, next) in edges(node) {
            match state[next] {
                0 => visit(next, state, edges, boxed),
                1 => {
                    boxed.entry(node).or_default().insert(field);
                }
                _ => {}
            }
        }
        state[node] = 2;
    }
    for node in 0..all.len() {
        if state[node] == 0 {
            visit(node, &mut state, &edges, &mut boxed);
        }
    }
    boxed
}

/// Writes fields; a shared type is named by its name where the module imports it.
fn write_fields(
    out: &mut String,
    structs: &[StructDef],
    fields: &[FieldDef],
    boxed: &HashSet<usize>,
    imported: &HashSet<String>,
) {
    let wrapped = |inner: String, wrap: Wrap| match wrap {
        Wrap::Plain => inner,
        Wrap::Option => format!("Option<{inner}>"),
        Wrap::Vec => format!("Vec<{inner}>"),
        Wrap::OptionVec => format!("Option<Vec<{inner}>>"),
    };
    for (i, field) in fields.iter().enumerate() {
        write_doc(out, 2, &field.doc);
        if !field.attrs.is_empty() {
            let _ = writeln!(out, "        #[top({})]", field.attrs.join(", "));
        }
        let ty = match &field.ty {
            FieldType::Text(text) => text.clone(),
            FieldType::Object { index, wrap } => {
                let name = &structs[*index].rust;
                let inner = if boxed.contains(&i) { format!("Box<{name}>") } else { name.clone() };
                wrapped(inner, *wrap)
            }
            FieldType::Shared { rust, wrap } => {
                let inner = if imported.contains(rust) { rust.clone() } else { format!("super::types::{rust}") };
                wrapped(inner, *wrap)
            }
        };
        let _ = writeln!(out, "        pub {}: {ty},", field.ident);
    }
}

fn write_doc(out: &mut String, depth: usize, lines: &[String]) {
    let indent = "    ".repeat(depth);
    for line in lines {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// Text made safe for a one-line doc comment: no line breaks, and nothing rustdoc would
/// read as a link or an HTML tag.
pub fn escape_doc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' | '\t' => out.push(' '),
            '[' | ']' | '<' | '>' | '\\' | '`' | '*' | '_' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// A raw string literal holding `text`, with enough `#` that nothing inside ends it.
fn raw_string(text: &str) -> String {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let hashes = "#".repeat(hashes);
    format!("r{hashes}\"{text}\"{hashes}")
}

/// The file of one package: its APIs' modules, and their request and answer types at the
/// package's level.
///
/// # Errors
///
/// The first API that cannot be written, named.
pub fn package_file(header: &[&str], apis: &[Api], options: &Options) -> Result<String, EmitError> {
    let mut out = module_doc(header);
    let mut modules: BTreeMap<String, &str> = BTreeMap::new();
    for api in apis {
        let module = module_name(&api.method);
        if let Some(other) = modules.insert(module.clone(), &api.method) {
            return Err(EmitError {
                line: None,
                message: format!("`{}` and `{other}` would both be the module `{module}`", api.method),
            });
        }
    }
    let sharing = options.share.then(|| Sharing::new(share::share(apis)));
    let _ = writeln!(out);
    for api in apis {
        let _ = writeln!(out, "#[doc(inline)]");
        let _ = writeln!(
            out,
            "pub use self::{}::{{{}, {}Response}};",
            module_name(&api.method),
            type_name(&api.method),
            type_name(&api.method)
        );
    }
    if let Some(sharing) = sharing.as_ref().filter(|sharing| !sharing.shared.is_empty()) {
        out.push_str(&shared_module(sharing, options)?);
    }
    for api in apis {
        let _ = writeln!(out);
        // An API already written elsewhere is re-exported from there: one type per API.
        if let Some(path) = options.reexports.get(&api.method) {
            let _ = writeln!(
                out,
                "/// `{}`: {}; the types of [`{path}`], generated from its documentation page.",
                api.method,
                escape_doc(api.title.trim().trim_end_matches('.'))
            );
            let _ = writeln!(out, "pub use {path};");
            continue;
        }
        let module = module(api, options, sharing.as_ref())
            .map_err(|err| EmitError { line: err.line, message: format!("{}: {}", api.method, err.message) })?;
        out.push_str(&module);
    }
    Ok(out)
}

/// The Rust path of a topic's type below the topics module: its group's module and the type,
/// `taobao_trade::TradeBuyerPay` for `taobao_trade_TradeBuyerPay`; `None` for a name that is
/// not a topic's.
pub fn topic_path(topic: &str) -> Option<String> {
    let (group, _, rust) = topic_names(topic)?;
    Some(format!("{group}::{rust}"))
}

/// The Rust names of a topic: its group's module, its own module, and its type;
/// (`taobao_trade`, `trade_buyer_pay`, `TradeBuyerPay`) for `taobao_trade_TradeBuyerPay`.
pub fn topic_names(topic: &str) -> Option<(String, String, String)> {
    let (group, name) = Topic::split(topic)?;
    Some((names::field(group), names::field(&names::snake(name)), type_base(name)))
}

/// The official documentation page of a message topic.
pub fn topic_doc_url(doc_id: u64) -> String {
    format!("https://open.taobao.com/tmc.htm?docId={doc_id}&docType=9")
}

/// Writes the module of one message topic: the content's type under `#[derive(Object)]`
/// with every nested type, and its `Topic` impl naming the topic. The module is named after
/// the type (`trade_buyer_pay` for `taobao_trade_TradeBuyerPay`), which it holds.
///
/// # Errors
///
/// An [`EmitError`] when the topic cannot be written: a name that is not `group_Name`, a
/// field listed twice, a type that has no Rust form.
pub fn topic_module(topic: &Topic, options: &Options) -> Result<String, EmitError> {
    let fail = |message: String| EmitError { line: None, message };
    let Some((_, module, rust)) = topic_names(&topic.topic) else {
        return Err(fail(format!("`{}` is not a topic name like `taobao_trade_TradeBuyerPay`", topic.topic)));
    };
    let mut scope = Scope {
        krate: &options.krate,
        structs: Vec::new(),
        by_shape: HashMap::new(),
        used: std::iter::once(rust.clone()).collect(),
        known_members: HashMap::new(),
        building: Vec::new(),
        method: &topic.topic,
        path: Vec::new(),
        sharing: None,
        writing_shared: false,
        answer: "content",
    };
    for member in &topic.fields {
        collect_known(member, &mut scope.known_members);
    }
    let fields = fields(&mut scope, &topic.fields, Side::Answer)?;
    let title = escape_doc(topic.title.trim().trim_end_matches(['.', '。']));
    let def = StructDef {
        rust: rust.clone(),
        top: rust.clone(),
        doc: format!("The content of a `{}` message: {title}.", topic.topic),
        places: Vec::new(),
        fields,
    };
    let boxed = boxed_fields(&scope.structs, &def);
    let krate = options.krate.as_str();
    let mut out = String::new();
    let mut doc = vec![format!("`{}`: {title}.", topic.topic)];
    if let Some(doc_id) = topic.doc_id {
        doc.push(String::new());
        doc.push(format!("Official documentation: <{}>", topic_doc_url(doc_id)));
    } else if let Some(source) = topic
        .source
        .as_deref()
        .filter(|s| s.starts_with("https://") && !s.contains(|c: char| c.is_whitespace() || c == '>'))
    {
        doc.push(String::new());
        doc.push(format!("Read from its documentation page: <{source}>"));
    }
    write_doc(&mut out, 0, &doc);
    let _ = writeln!(out, "pub mod {module} {{");
    let mut types = String::new();
    write_structs(
        &mut types,
        std::iter::once(&def).chain(&scope.structs),
        &scope.structs,
        &boxed,
        options,
        &HashSet::new(),
    );
    out.push_str(types.trim_start_matches('\n'));
    let _ = writeln!(out);
    let _ = writeln!(out, "    impl {krate}::messages::Topic for {rust} {{");
    let _ = writeln!(out, "        const TOPIC: &'static str = {:?};", topic.topic);
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
    Ok(out)
}

/// Writes the message topics as one file: a module per group (`taobao_trade`), holding a
/// module per topic ([`topic_module`]) whose type it re-exports.
///
/// # Errors
///
/// An [`EmitError`] naming the topic that cannot be written, or two topics whose types
/// would take one name.
pub fn topics_file(header: &[&str], topics: &[Topic], options: &Options) -> Result<String, EmitError> {
    let mut out = module_doc(header);
    let mut groups: BTreeMap<&str, Vec<&Topic>> = BTreeMap::new();
    for topic in topics {
        let Some((group, _)) = Topic::split(&topic.topic) else {
            return Err(EmitError {
                line: None,
                message: format!("`{}` is not a topic name like `taobao_trade_TradeBuyerPay`", topic.topic),
            });
        };
        groups.entry(group).or_default().push(topic);
    }
    for (group, topics) in groups {
        let mut modules: BTreeMap<String, &str> = BTreeMap::new();
        for topic in &topics {
            let (_, module, _) = topic_names(&topic.topic).expect("checked above");
            if let Some(other) = modules.insert(module.clone(), &topic.topic) {
                return Err(EmitError {
                    line: None,
                    message: format!("`{}` and `{other}` would both be the module `{module}`", topic.topic),
                });
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "/// The `{group}_*` topics.");
        let _ = writeln!(out, "pub mod {} {{", names::field(group));
        for topic in &topics {
            let (_, module, rust) = topic_names(&topic.topic).expect("checked above");
            let _ = writeln!(out, "    #[doc(inline)]");
            let _ = writeln!(out, "    pub use self::{module}::{rust};");
        }
        for topic in topics {
            let module = topic_module(topic, options)
                .map_err(|err| EmitError { line: err.line, message: format!("{}: {}", topic.topic, err.message) })?;
            let _ = writeln!(out);
            for line in module.lines() {
                if line.is_empty() {
                    let _ = writeln!(out);
                } else {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        let _ = writeln!(out, "}}");
    }
    Ok(out)
}

/// A file's inner doc comment: each line as `//! line`, an empty one as `//!`.
fn module_doc(header: &[&str]) -> String {
    let mut out = String::new();
    for line in header {
        if line.is_empty() {
            out.push_str("//!\n");
        } else {
            let _ = writeln!(out, "//! {line}");
        }
    }
    out
}

/// The module of a package's shared answer types (`types`), each one struct.
fn shared_module(sharing: &Sharing, options: &Options) -> Result<String, EmitError> {
    let mut scope = Scope {
        krate: &options.krate,
        structs: Vec::new(),
        by_shape: HashMap::new(),
        used: HashSet::new(),
        known_members: HashMap::new(),
        building: Vec::new(),
        method: "",
        path: Vec::new(),
        sharing: Some(sharing),
        writing_shared: true,
        answer: "answer",
    };
    for (name, shared) in sharing.shared.types() {
        scope.path = vec![name.clone()];
        object(&mut scope, name, &shared.members, Side::Answer, None, false).map_err(|err| EmitError {
            line: err.line,
            message: format!("the shared type `{name}`: {}", err.message),
        })?;
    }
    for def in &mut scope.structs {
        let shared = sharing.shared.get(&def.top).expect("every struct here is a shared type");
        let methods: Vec<String> = shared.methods.iter().take(2).map(|method| format!("`{method}`")).collect();
        let lists = match shared.methods.len() {
            1 => methods[0].clone(),
            2 => format!("{} and {}", methods[0], methods[1]),
            n => format!("{}, {} and {} more", methods[0], methods[1], n - 2),
        };
        def.doc = format!(
            "`{}`: one type for every answer of this package that holds it, with every field any of them \
             lists (the platform's data lists it in the answers of {lists}).",
            escape_doc(&def.top)
        );
        def.places.clear();
    }
    let none = StructDef {
        rust: String::new(),
        top: String::new(),
        doc: String::new(),
        places: Vec::new(),
        fields: Vec::new(),
    };
    // Node 0 is the answer, here none.
    let boxed: HashMap<usize, HashSet<usize>> = boxed_fields(&scope.structs, &none)
        .into_iter()
        .filter_map(|(node, fields)| Some((node.checked_sub(1)?, fields)))
        .collect();
    let mut out = String::new();
    let _ = writeln!(out);
    let _ = writeln!(out, "/// The answer types that several APIs of this package hold, each one type: the platform's");
    let _ = writeln!(out, "/// data lists a type's fields anew in each API that returns it, and not always alike;");
    let _ = writeln!(out, "/// where the lists agree on every field they share, the type here has every field any of");
    let _ = writeln!(out, "/// them lists. Each API's module re-exports the ones its answer holds.");
    let _ = writeln!(out, "pub mod types {{");
    write_structs(&mut out, scope.structs.iter(), &scope.structs, &boxed, options, &HashSet::new());
    let _ = writeln!(out, "}}");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_strings_hold_anything() {
        assert_eq!(raw_string("a"), "r#\"a\"#");
        assert_eq!(raw_string("say \"#hi\""), "r##\"say \"#hi\"\"##");
    }

    #[test]
    fn docs_are_escaped() {
        assert_eq!(escape_doc("a [b] <c>\nd"), "a \\[b\\] \\<c\\> d");
    }
}
