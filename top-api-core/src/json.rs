//! TOP's `Json` type: JSON text carried inside a param or an answer field.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// JSON text, as TOP's `Json` params and answer fields carry it: a string that holds JSON.
///
/// It keeps the text as sent; [`parse`](Json::parse) reads it into any `Deserialize`
/// type when you need its content, and [`from_value`](Json::from_value) writes one.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use top_api::Json;
///
/// let extra = Json::from_value(&BTreeMap::from([("channel", "app")]))?;
/// assert_eq!(extra.as_str(), r#"{"channel":"app"}"#);
/// let back: BTreeMap<String, String> = extra.parse()?;
/// assert_eq!(back["channel"], "app");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Json(String);

impl Json {
    /// Wraps JSON text as it is; it is checked only when [parsed](Json::parse).
    pub fn new(text: impl Into<String>) -> Json {
        Json(text.into())
    }

    /// Writes `value` as compact JSON text.
    ///
    /// # Errors
    ///
    /// When `value` cannot be written as JSON (a map with non-text keys, say).
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> Result<Json, serde_json::Error> {
        serde_json::to_string(value).map(Json)
    }

    /// Reads the text into `T`.
    ///
    /// # Errors
    ///
    /// When the text is not JSON of a `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The JSON text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Json({})", self.0)
    }
}

impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Json {
        Json(value.to_string())
    }
}

impl Serialize for Json {
    /// As a string holding the JSON text, the way TOP sends it.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Json {
    /// From a string holding JSON (kept as it is), or from JSON itself when an answer
    /// carries the value unquoted (written back as compact text).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        struct JsonVisitor;

        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON, or a string holding JSON")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Json, E> {
                Ok(Json(text.to_owned()))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<Json, E> {
                Ok(Json(text))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
                Ok(Json(v.to_string()))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
                Ok(Json(v.to_string()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
                Ok(Json(v.to_string()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
                Ok(Json(serde_json::Value::from(v).to_string()))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json("null".to_owned()))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Json, A::Error> {
                let value = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Json::from(value))
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Json, A::Error> {
                let value = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Json::from(value))
            }
        }

        deserializer.deserialize_any(JsonVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_holding_json_is_kept_as_sent() {
        let json: Json = serde_json::from_str(r#""{\"a\": [1, 2]}""#).unwrap();
        assert_eq!(json.as_str(), r#"{"a": [1, 2]}"#);
        assert_eq!(json.parse::<serde_json::Value>().unwrap()["a"][1], 2);
        assert_eq!(serde_json::to_string(&json).unwrap(), r#""{\"a\": [1, 2]}""#);
    }

    #[test]
    fn unquoted_json_is_kept_as_compact_text() {
        let json: Json = serde_json::from_str(r#"{"a": {"b": null}, "c": [true, 1.5]}"#).unwrap();
        assert_eq!(json.as_str(), r#"{"a":{"b":null},"c":[true,1.5]}"#);
        assert_eq!(serde_json::from_str::<Json>("7").unwrap().as_str(), "7");
    }

    #[test]
    fn parse_reports_what_is_not_json() {
        assert!(Json::new("{not json").parse::<serde_json::Value>().is_err());
        assert_eq!(Json::from_value(&vec!["宝"]).unwrap().as_str(), r#"["宝"]"#);
    }
}
