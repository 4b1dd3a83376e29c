//! The catalog keeps the documentation's example answers of 12 APIs, in JSON, simplified
//! JSON and XML. Each form decodes through the generated types to the same value, and every
//! field the example shows lands in that value: written back as JSON, it holds the
//! example's every key and value (list wrappers unwrapped, numbers compared as numbers).

use std::fmt::Debug;

use serde::Serialize;
use serde_json::{Map, Value};
use top_api::{decode, Format, Request};
use top_api_apis_tests::entry;

/// An element being read: its name, its children so far, its text so far.
type Open = (String, Vec<(String, Value)>, String);

/// An XML document as JSON: an element with children is an object (a name that repeats is
/// a list), a leaf is its text.
fn xml_value(text: &str) -> Value {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Open> = vec![(String::new(), Vec::new(), String::new())];
    loop {
        match reader.read_event().expect("the sample is XML") {
            Event::Start(tag) => stack.push((tag.name().into_inner().to_owned(), Vec::new(), String::new())),
            Event::Empty(tag) => {
                let name = tag.name().into_inner().to_owned();
                stack.last_mut().expect("open").1.push((name, Value::from("")));
            }
            Event::Text(text) => {
                let text: &str = text.as_ref();
                stack.last_mut().expect("open").2.push_str(text.trim());
            }
            Event::GeneralRef(reference) => {
                let name: &str = reference.as_ref();
                let resolved = quick_xml::escape::unescape(&format!("&{name};")).expect("an entity").into_owned();
                stack.last_mut().expect("open").2.push_str(&resolved);
            }
            Event::End(_) => {
                let (name, children, text) = stack.pop().expect("open");
                let value = if children.is_empty() { Value::from(text) } else { object(children) };
                stack.last_mut().expect("a parent").1.push((name, value));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let (_, mut root, _) = stack.pop().expect("the document");
    root.pop().expect("a root element").1
}

fn object(children: Vec<(String, Value)>) -> Value {
    let mut map = Map::new();
    for (name, value) in children {
        match map.get_mut(&name) {
            Some(Value::Array(items)) => items.push(value),
            Some(first) => {
                let first = first.take();
                map.insert(name, Value::Array(vec![first, value]));
            }
            None => {
                map.insert(name, value);
            }
        }
    }
    Value::Object(map)
}

/// The payload of a JSON answer: inside its `<name>_response` member when it has one.
fn payload(answer: Value) -> Value {
    match answer {
        Value::Object(map) if map.len() == 1 && map.keys().all(|k| k.ends_with("_response")) => {
            map.into_iter().next().map(|(_, v)| v).unwrap_or_default()
        }
        other => other,
    }
}

/// Whether everything the example shows is in the typed value written back as JSON.
fn holds(sample: &Value, typed: &Value, at: &str) -> Result<(), String> {
    match (sample, typed) {
        (Value::Null, _) => Ok(()),
        (Value::Object(s), Value::Object(t)) => {
            for (key, value) in s {
                if key == "request_id" {
                    continue;
                }
                match t.get(key) {
                    Some(inner) => holds(value, inner, &format!("{at}.{key}"))?,
                    None if value == "" || *value == Value::Null => {}
                    None => return Err(format!("{at}.{key} was dropped: {value}")),
                }
            }
            Ok(())
        }
        // A list: a plain array, a wrapper object around it, or one XML element.
        (Value::Array(s), Value::Array(t)) => {
            if s.len() != t.len() {
                return Err(format!("{at}: {} items became {}", s.len(), t.len()));
            }
            s.iter().zip(t).enumerate().try_for_each(|(i, (s, t))| holds(s, t, &format!("{at}[{i}]")))
        }
        (Value::Object(wrapper), Value::Array(_)) if wrapper.len() == 1 => {
            let inner = wrapper.values().next().expect("one");
            let items = match inner {
                Value::Array(_) => inner.clone(),
                one => Value::Array(vec![one.clone()]),
            };
            holds(&items, typed, at)
        }
        (Value::Object(_) | Value::Array(_), Value::String(text)) => {
            let parsed: Value = serde_json::from_str(text).map_err(|_| format!("{at}: {sample} became {text:?}"))?;
            holds(sample, &parsed, at)
        }
        (sample, typed) => {
            let text = |v: &Value| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let (s, t) = (text(sample), text(typed));
            let numeric = s.parse::<f64>().ok().zip(t.parse::<f64>().ok()).is_some_and(|(a, b)| a == b);
            if s == t || numeric {
                Ok(())
            } else {
                Err(format!("{at}: {sample} became {typed}"))
            }
        }
    }
}

/// The examples' own mistakes: a value that is not of its field's type. Read leniently, the
/// field is left out and the drift names it; all or nothing, the decoder refuses it, naming
/// the field; with a value of the right type, the example decodes like the rest. (method,
/// field, the value printed, a value of its type)
const MISTAKES: &[(&str, &str, &str, &str)] = &[("alibaba.taobao.ud.smart.order.detail.pull", "brand_id", "xxx", "1")];

/// One example is not JSON as printed (`"special_id": ,`): a JSON decoder must refuse it.
/// Repaired as little as can be (the missing value `null`), it decodes like the rest.
fn repaired(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_end();
        let fixed = if let Some(head) = trimmed.strip_suffix(':') {
            format!("{head}:null")
        } else {
            trimmed.replace(": ,", ": null,").replace(":,", ":null,")
        };
        out.push_str(&fixed);
        out.push('\n');
    }
    out
}

fn check<R: Request>()
where
    R::Response: Serialize + PartialEq + Debug,
{
    let method = R::METHOD;
    let samples = &entry(method)["responseSamples"];
    let printed =
        |form: &str| samples[form].as_str().unwrap_or_else(|| panic!("{method}: no {form} sample")).to_owned();
    let text = |form: &str| {
        let mut text = printed(form);
        for (_, field, wrong, right) in MISTAKES.iter().filter(|m| m.0 == method) {
            let (bad, good) = if form == "xml" {
                (format!("<{field}>{wrong}</{field}>"), format!("<{field}>{right}</{field}>"))
            } else {
                (format!("\"{field}\":{wrong}"), format!("\"{field}\":{right}"))
            };
            assert!(text.contains(&bad), "{method} {form}: the mistake is gone from the example");
            if form == "xml" {
                let answer = decode::<R>(text.as_bytes(), Format::Xml).unwrap();
                assert!(
                    answer.drift().iter().any(|d| d.path().ends_with(*field)),
                    "{method} {form}: {:?}",
                    answer.drift()
                );
                let err = top_api::decode_strict::<R>(text.as_bytes(), Format::Xml).unwrap_err();
                assert!(err.is_decode() && err.to_string().contains(*field), "{method} {form}: {err}");
            }
            text = text.replace(&bad, &good);
        }
        text
    };

    let xml = decode::<R>(text("xml").as_bytes(), Format::Xml).unwrap_or_else(|err| panic!("{method} xml: {err}"));
    let written = serde_json::to_value(xml.get()).unwrap();
    holds(&xml_value(&text("xml")), &written, "").unwrap_or_else(|err| panic!("{method} xml: {err}"));
    assert!(written.as_object().is_some_and(|o| !o.is_empty()), "{method}: the XML example read as nothing");

    for form in ["json", "simplifyJson"] {
        let mut json = text(form);
        if serde_json::from_str::<Value>(&json).is_err() {
            let err = decode::<R>(json.as_bytes(), Format::Json).unwrap_err();
            assert!(err.is_decode(), "{method} {form}: {err}");
            json = repaired(&json);
        }
        let sample: Value = serde_json::from_str(&json).unwrap_or_else(|err| panic!("{method} {form}: {err}"));
        let typed = decode::<R>(json.as_bytes(), Format::Json).unwrap_or_else(|err| panic!("{method} {form}: {err}"));
        let written = serde_json::to_value(typed.get()).unwrap();
        holds(&payload(sample), &written, "").unwrap_or_else(|err| panic!("{method} {form}: {err}"));
        assert_eq!(typed.get(), xml.get(), "{method}: {form} and XML decode alike");
    }
}

#[test]
fn the_catalog_samples_decode_in_every_form() {
    use top_api::{tbk, tbtrade};
    check::<tbk::TaobaoTbkCouponConvert>();
    check::<tbk::TaobaoTbkDgGeneralLinkConvert>();
    check::<tbk::TaobaoTbkDgGeneralLinkParse>();
    check::<tbk::TaobaoTbkOrderDetailsGet>();
    check::<tbk::TaobaoTbkOrderRefundGet>();
    check::<tbk::TaobaoTbkRelationRefund>();
    check::<tbk::TaobaoTbkScGeneralLinkConvert>();
    check::<tbk::TaobaoTbkScGeneralLinkParse>();
    check::<tbtrade::AlibabaTaobaoUdSmartMonitorUrlCreate>();
    check::<tbtrade::AlibabaTaobaoUdSmartOrderCollectCartDetailPull>();
    check::<tbtrade::AlibabaTaobaoUdSmartOrderDetailPull>();
    check::<tbtrade::AlibabaUdUdsmartdataGet>();
}

#[test]
fn the_repair_touches_only_what_is_not_json() {
    assert_eq!(repaired("{\n  \"b\": ,\n  \"c\":\n}\n"), "{\n  \"b\": null,\n  \"c\":null\n}\n");
    assert_eq!(repaired("{\"a\":\"x\"}"), "{\"a\":\"x\"}\n");
}
