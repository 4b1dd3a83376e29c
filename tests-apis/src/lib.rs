//! The harness of the generated APIs' tests.
//!
//! From the catalog's facts alone (names, types, limits: never from the generated Rust), it
//! builds a value for every field of an API's answer and every param of its request; then it
//! checks that the generated types keep every one of them, and carry them through the
//! sandbox gateway unchanged in JSON, simplified JSON and XML.

use std::collections::HashMap;
use std::fmt::Debug;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};
use top_api::sandbox::Sandbox;
use top_api::{File, Format, Params, Request};

/// The catalog's APIs by method, as the vendored files write them.
pub fn catalog() -> &'static HashMap<String, Value> {
    static CATALOG: OnceLock<HashMap<String, Value>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/apis");
        let mut apis = HashMap::new();
        for entry in std::fs::read_dir(&dir).expect("the vendored catalog") {
            let path = entry.expect("a catalog file").path();
            let text = std::fs::read_to_string(&path).expect("a catalog file");
            let list: Vec<Value> = serde_json::from_str(&text).expect("a catalog file is JSON");
            for api in list {
                apis.insert(api["method"].as_str().expect("a method").to_owned(), api);
            }
        }
        apis
    })
}

/// The catalog entry of `method`.
pub fn entry(method: &str) -> &'static Value {
    catalog().get(method).unwrap_or_else(|| panic!("`{method}` is not in the catalog"))
}

/// Checks every generated API's declared idempotence (`(METHOD, IDEMPOTENT)` pairs, one an
/// API) against the one read rule applied to the catalog's method and title; panics naming
/// every API that differs.
pub fn check_idempotence(declared: &[(&str, bool)]) {
    assert_eq!(declared.len(), catalog().len(), "one declared pair an API of the catalog");
    let differ: Vec<String> = declared
        .iter()
        .filter(|(method, idempotent)| {
            let title = entry(method)["title"].as_str();
            top_api_rules::is_read(method, title) != *idempotent
        })
        .map(|(method, idempotent)| format!("{method} is declared idempotent = {idempotent}"))
        .collect();
    assert!(differ.is_empty(), "{} APIs differ from the read rule:\n{}", differ.len(), differ.join("\n"));
}

fn params(value: &Value, key: &str) -> Vec<Value> {
    value.get(key).and_then(Value::as_array).cloned().unwrap_or_default()
}

/// A type as the catalog writes it: the item type and whether it is a list.
fn type_of(param: &Value) -> (String, bool) {
    let text: String = param.get("type").and_then(Value::as_str).unwrap_or("").split_whitespace().collect();
    match text.strip_suffix("[]") {
        Some(item) if text != "byte[]" => (item.to_owned(), true),
        _ => (text, false),
    }
}

fn is_scalar(ty: &str) -> bool {
    matches!(ty, "String" | "Number" | "Boolean" | "Date" | "Price" | "BigDecimal" | "Json" | "byte[]" | "byte" | "")
}

/// A number that differs by field, beyond 2^53 so that a float would lose it.
fn big_number(name: &str) -> i64 {
    let spread: i64 = name.bytes().map(i64::from).sum::<i64>() % 1000;
    9_007_199_254_740_993 + 2 * spread
}

const DATE: &str = "2024-02-29 13:45:56";

/// Whether the catalog's `method` is a Qimen API, by the one rule: a `taobao.qimen.*`
/// method whose only param is an object named `request`.
pub fn is_qimen(method: &str) -> bool {
    let request = params(entry(method), "requestParams");
    let names: Vec<&str> = request.iter().filter_map(|param| param["name"].as_str()).collect();
    let object = request.first().is_some_and(|param| !params(param, "subParams").is_empty());
    top_api_rules::is_qimen(method, &names, object)
}

/// The answer's fields as the catalog lists them: a Qimen API's are those of its
/// `<response>` root, the catalog's one field `response`.
fn answer_params(method: &str) -> Vec<Value> {
    let fields = params(entry(method), "responseParams");
    match fields.as_slice() {
        [one] if is_qimen(method) && one["name"] == top_api_rules::QIMEN_ANSWER_ROOT => params(one, "subParams"),
        _ => fields,
    }
}

/// An answer's payload with every field given: each value differs by field where it can
/// (strings are the field's name), lists hold two items.
pub fn answer_sample(method: &str) -> Value {
    let mut fields = answer_fields(&answer_params(method));
    // A Qimen answer's `flag` says `success` or `failure`: a sample answer succeeds.
    if is_qimen(method) && fields.contains_key("flag") {
        fields.insert("flag".to_owned(), Value::from("success"));
    }
    Value::Object(fields)
}

fn answer_fields(fields: &[Value]) -> Map<String, Value> {
    let mut out = Map::new();
    for field in fields {
        let name = field["name"].as_str().expect("a name");
        let (ty, list) = type_of(field);
        let one = |i: usize| answer_value(field, &ty, name, i);
        let value = if list { Value::Array(vec![one(0), one(1)]) } else { one(0) };
        out.insert(name.to_owned(), value);
    }
    out
}

fn answer_value(field: &Value, ty: &str, name: &str, i: usize) -> Value {
    match ty {
        "String" => Value::from(format!("{name}-{i}")),
        "Number" => Value::from(big_number(name) + i as i64),
        "Boolean" => Value::from(i == 0),
        "Date" => Value::from(DATE),
        "Price" | "BigDecimal" => Value::from(format!("12.3{i}")),
        "Json" | "" => Value::from(format!(r#"{{"k":[{i},2]}}"#)),
        "byte[]" => Value::from("aGVsbG8="),
        "byte" => Value::from(7 + i as i64),
        _ => Value::Object(answer_fields(&params(field, "subParams"))),
    }
}

/// The request's params with every one given, within its limits: what a caller would send.
/// A Qimen API's are its `customerId` and its `request` as the XML body
/// ([`qimen_body`]).
pub fn request_params(method: &str) -> Params {
    let mut out = Params::new();
    if is_qimen(method) {
        out.push(top_api_rules::QIMEN_CUSTOMER_PARAM, "customer-1");
        out.push(top_api_rules::QIMEN_BODY_PARAM, qimen_body(method));
        return out;
    }
    for param in params(entry(method), "requestParams") {
        let name = param["name"].as_str().expect("a name").to_owned();
        let (ty, list) = type_of(&param);
        let max_items = param.get("maxListSize").and_then(Value::as_u64).unwrap_or(2).clamp(1, 2) as usize;
        if ty == "byte[]" && !list {
            out.push_file(name, File::from_bytes("sample.bin", (0..=255u8).collect::<Vec<_>>()));
            continue;
        }
        let text = if !is_scalar(&ty) && !params(&param, "subParams").is_empty() {
            // An object, or a list of them, sent as JSON.
            let one = |i| member_value(&param, &ty, i);
            let value = if list { Value::Array((0..max_items).map(one).collect()) } else { one(0) };
            value.to_string()
        } else if list {
            (0..max_items).map(|i| param_text(&param, &ty, &name, i)).collect::<Vec<_>>().join(",")
        } else {
            param_text(&param, &ty, &name, 0)
        };
        out.push(name, text);
    }
    out
}

fn param_text(param: &Value, ty: &str, name: &str, i: usize) -> String {
    match ty {
        "String" => {
            let max = param.get("maxLength").and_then(Value::as_u64).unwrap_or(64).max(1) as usize;
            format!("{name}{i}").chars().take(max).collect()
        }
        "Number" | "byte" => {
            let min = param.get("minValue").and_then(Value::as_i64).unwrap_or(i64::MIN);
            let max = param.get("maxValue").and_then(Value::as_i64).unwrap_or(i64::MAX);
            (7 + i as i64).clamp(min, max).to_string()
        }
        "Boolean" => "true".to_owned(),
        "Date" => DATE.to_owned(),
        "Price" | "BigDecimal" => format!("12.3{i}"),
        // `Json`, no type, or an object whose members the catalog does not list.
        _ => format!(r#"{{"k":{i}}}"#),
    }
}

/// A Qimen API's body with every member given, written here from the catalog as the
/// platform's XML writer writes it: `<request>`, an element per member by its wire name, a
/// list as a wrapper holding an element per item named after the item's type in
/// lowerCamelCase (`string`, `number` for scalars).
pub fn qimen_body(method: &str) -> String {
    let request = &params(entry(method), "requestParams")[0];
    let value = member_value(request, &type_of(request).0, 0);
    let mut out = String::from("<request>");
    xml_members(&mut out, request, &value);
    out.push_str("</request>");
    out
}

fn xml_members(out: &mut String, param: &Value, value: &Value) {
    let Value::Object(fields) = value else { return };
    let members = params(param, "subParams");
    // In the catalog's order; a map whose members the catalog does not list, in its own.
    // A member the catalog lists twice is one.
    let mut names: Vec<&str> = if members.is_empty() {
        fields.keys().map(String::as_str).collect()
    } else {
        members.iter().filter_map(|member| member["name"].as_str()).filter(|name| fields.contains_key(*name)).collect()
    };
    let mut seen = std::collections::HashSet::new();
    names.retain(|name| seen.insert(*name));
    for name in names {
        let value = &fields[name];
        let member = members.iter().find(|member| member["name"] == name);
        out.push_str(&format!("<{name}>"));
        match (member.map(type_of), value) {
            (Some((item, true)), Value::Array(items)) => {
                let element = match item.as_str() {
                    "String" => "string".to_owned(),
                    "Number" => "number".to_owned(),
                    other => top_api_rules::qimen_item_name(other),
                };
                for value in items {
                    out.push_str(&format!("<{element}>"));
                    xml_value(out, member.expect("a list member"), value);
                    out.push_str(&format!("</{element}>"));
                }
            }
            (_, value) => match member {
                Some(member) => xml_value(out, member, value),
                None => xml_value(out, &Value::Null, value),
            },
        }
        out.push_str(&format!("</{name}>"));
    }
}

fn xml_value(out: &mut String, member: &Value, value: &Value) {
    match value {
        Value::Object(_) => xml_members(out, member, value),
        Value::String(text) => out.push_str(&quick_xml::escape::escape(text.as_str())),
        other => out.push_str(&other.to_string()),
    }
}

/// A member of an object sent in a request, as JSON.
fn member_value(param: &Value, ty: &str, i: usize) -> Value {
    match ty {
        "String" => Value::from(format!("{}-{i}", param["name"].as_str().unwrap_or(""))),
        "Number" | "byte" => Value::from(7 + i as i64),
        "Boolean" => Value::from(true),
        "Date" => Value::from(DATE),
        "Price" | "BigDecimal" => Value::from(format!("12.3{i}")),
        "Json" => Value::from(format!(r#"{{"k":{i}}}"#)),
        "byte[]" => Value::from("aGVsbG8="),
        "" => json!({ "k": i }),
        _ => {
            let members = params(param, "subParams");
            if members.is_empty() {
                return json!({ "k": i });
            }
            let mut out = Map::new();
            for member in members {
                let name = member["name"].as_str().expect("a name").to_owned();
                let (ty, list) = type_of(&member);
                let one = |i| member_value(&member, &ty, i);
                out.insert(name, if list { Value::Array(vec![one(0), one(1)]) } else { one(0) });
            }
            Value::Object(out)
        }
    }
}

/// True when the typed value, written back as JSON, holds everything the sample holds: no
/// field was dropped or renamed on the way in. A field typed as JSON text (a type whose
/// members the catalog does not list) holds the sample's value as text.
pub fn holds(sample: &Value, typed: &Value) -> Result<(), String> {
    fn walk(sample: &Value, typed: &Value, at: &str) -> Result<(), String> {
        match (sample, typed) {
            (Value::Object(s), Value::Object(t)) => {
                for (key, value) in s {
                    let inner = t.get(key).ok_or_else(|| format!("{at}.{key} was dropped"))?;
                    walk(value, inner, &format!("{at}.{key}"))?;
                }
                Ok(())
            }
            (Value::Array(s), Value::Array(t)) if s.len() == t.len() => {
                s.iter().zip(t).enumerate().try_for_each(|(i, (s, t))| walk(s, t, &format!("{at}[{i}]")))
            }
            (sample, Value::String(text)) if !sample.is_string() => {
                let parsed: Value =
                    serde_json::from_str(text).map_err(|_| format!("{at}: {sample} became {text:?}"))?;
                walk(sample, &parsed, at)
            }
            (sample, typed) if sample == typed => Ok(()),
            (sample, typed) => Err(format!("{at}: {sample} became {typed}")),
        }
    }
    walk(sample, typed, "")
}

/// A sandbox and the requests its handlers received, for checking APIs one after another.
pub struct Harness {
    sandbox: Sandbox,
}

impl Default for Harness {
    fn default() -> Self {
        Harness::start()
    }
}

impl Harness {
    /// Starts the sandbox.
    pub fn start() -> Harness {
        Harness { sandbox: Sandbox::builder().seed_examples(false).start().expect("the sandbox starts") }
    }

    /// Checks one API: its answer built from the catalog is typed without loss, served by
    /// the sandbox and read back equal in JSON, simplified JSON and XML; its request built
    /// from the catalog reaches the handler equal, through the sandbox's checks.
    pub fn check<R>(&self)
    where
        R: Request + PartialEq + Debug + Clone + Send + 'static,
        R::Response: Serialize + DeserializeOwned + PartialEq + Debug + Clone + Default + Send + Sync,
    {
        let method = R::METHOD;
        let sample = answer_sample(method);
        let answer: R::Response = serde_json::from_value(sample.clone())
            .unwrap_or_else(|err| panic!("{method}: the sample is not typed: {err}"));
        let written = serde_json::to_value(&answer).unwrap();
        if let Err(err) = holds(&sample, &written) {
            panic!("{method}: {err}");
        }
        if sample.as_object().is_some_and(|o| !o.is_empty()) {
            assert_ne!(answer, R::Response::default(), "{method}: the sample read as nothing");
        }
        let request = R::from_params(&request_params(method))
            .unwrap_or_else(|err| panic!("{method}: the request is not typed: {err}"));

        let received: Arc<Mutex<Vec<R>>> = Arc::default();
        let (served, seen) = (answer.clone(), received.clone());
        self.sandbox.handle(move |request: R| {
            seen.lock().unwrap_or_else(PoisonError::into_inner).push(request);
            Ok(served.clone())
        });
        for (format, simplify) in [(Format::Json, false), (Format::Json, true), (Format::Xml, false)] {
            let client = self.sandbox.client().format(format).simplify(simplify).build().unwrap();
            let got = client
                .with_session(self.sandbox.session())
                .execute(&request)
                .unwrap_or_else(|err| panic!("{method} ({format}, simplify {simplify}): {err}"));
            assert_eq!(got.get(), &answer, "{method} ({format}, simplify {simplify})");
        }
        if is_qimen(method) {
            let calls = self.sandbox.calls();
            let call = calls.last().expect("a call");
            assert!(call.qimen, "{method}: not sent to the Qimen router");
            let body = call.params.iter().find(|(name, _)| name == top_api_rules::QIMEN_BODY_PARAM);
            assert_eq!(body.map(|(_, body)| body.as_str()), Some(qimen_body(method).as_str()), "{method}: the body");
        }
        let received = received.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(received.len(), 3, "{method}: the handler was not called for every call");
        for got in received.iter() {
            assert_eq!(got, &request, "{method}: the request changed on the way");
        }
    }
}
