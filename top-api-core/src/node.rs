//! A value as the platform writes it, with the type names of its objects (a list is named
//! after its items' type): what the sandbox's answers and a Qimen call's XML body are
//! written from.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use serde::ser::{self, Serialize};

/// A value of an answer as the sandbox writes it: it knows the platform type names of its
/// objects, so that a list is wrapped as the gateway wraps it (`{"n_tbk_item":[…]}`
/// without simplify, repeated `<n_tbk_item>` elements in XML).
///
/// Handlers of typed APIs never see it: their answers are serialized into one. Build one to
/// answer an API no type declares ([`Sandbox::answer`](crate::sandbox::Sandbox::answer)), from JSON
/// text ([`Node::from_json`]) or field by field.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Node {
    /// No value: the field is left out.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A number with a fraction.
    Float(f64),
    /// Text.
    Text(String),
    /// A list.
    List(Vec<Node>),
    /// An object: its type name on the platform, when known (it names the wrapper of a list
    /// of these), and its fields in order.
    Object(Option<Cow<'static, str>>, Vec<(String, Node)>),
}

#[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
impl Node {
    /// Reads JSON text: objects without type names (a list of them is wrapped in `map`).
    ///
    /// # Errors
    ///
    /// When the text is not JSON.
    pub fn from_json(text: &str) -> Result<Node, serde_json::Error> {
        serde_json::from_str::<serde_json::Value>(text).map(Node::from)
    }

    /// An object of the type `type_name` with `fields`.
    pub fn object(type_name: impl Into<Cow<'static, str>>, fields: Vec<(String, Node)>) -> Node {
        Node::Object(Some(type_name.into()), fields)
    }
}

impl From<serde_json::Value> for Node {
    fn from(value: serde_json::Value) -> Node {
        use serde_json::Value;
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Node::Int(i.into()),
                None => match n.as_u64() {
                    Some(u) => Node::Int(u.into()),
                    None => Node::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
            },
            Value::String(text) => Node::Text(text),
            Value::Array(items) => Node::List(items.into_iter().map(Node::from).collect()),
            Value::Object(fields) => Node::Object(None, fields.into_iter().map(|(k, v)| (k, Node::from(v))).collect()),
        }
    }
}

impl Node {
    /// The name each item of `items` is written under: in TOP's answers the element type in
    /// snake case (the member a JSON list is wrapped in, the element an XML list repeats),
    /// in a Qimen body in lowerCamelCase; `string`, `number`, `boolean` for scalars.
    pub(crate) fn element_name(items: &[Node], naming: Naming) -> String {
        match items.iter().find(|item| **item != Node::Null) {
            Some(Node::Object(Some(name), _)) => match naming {
                Naming::Top => top_api_rules::list_key(name),
                Naming::Qimen => top_api_rules::qimen_item_name(name),
            },
            Some(Node::Int(_) | Node::Float(_)) => "number".to_owned(),
            Some(Node::Bool(_)) => "boolean".to_owned(),
            Some(Node::List(_)) => "list".to_owned(),
            Some(Node::Object(None, _)) => "map".to_owned(),
            _ => "string".to_owned(),
        }
    }
}

/// How the items of a list are named: as TOP's answers name them, or as a Qimen body does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
pub(crate) enum Naming {
    /// `n_tbk_item`: the type name in snake case.
    Top,
    /// `orderLine`: the type name in lowerCamelCase.
    Qimen,
}

/// Serializes `value` into a [`Node`].
pub(crate) fn to_node<T: Serialize + ?Sized>(value: &T) -> Result<Node, EncodeError> {
    value.serialize(NodeSerializer)
}

/// A value that has no TOP form (an enum variant with fields, say).
#[derive(Debug)]
pub(crate) struct EncodeError(String);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncodeError {}

impl ser::Error for EncodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        EncodeError(msg.to_string())
    }
}

struct NodeSerializer;

struct ListBuilder(Vec<Node>);

struct FieldsBuilder {
    name: Option<Cow<'static, str>>,
    fields: Vec<(String, Node)>,
    key: Option<String>,
}

impl ser::Serializer for NodeSerializer {
    type Ok = Node;
    type Error = EncodeError;
    type SerializeSeq = ListBuilder;
    type SerializeTuple = ListBuilder;
    type SerializeTupleStruct = ListBuilder;
    type SerializeTupleVariant = ser::Impossible<Node, EncodeError>;
    type SerializeMap = FieldsBuilder;
    type SerializeStruct = FieldsBuilder;
    type SerializeStructVariant = ser::Impossible<Node, EncodeError>;

    fn serialize_bool(self, v: bool) -> Result<Node, EncodeError> {
        Ok(Node::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Node, EncodeError> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Node, EncodeError> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Node, EncodeError> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Node, EncodeError> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i128(self, v: i128) -> Result<Node, EncodeError> {
        Ok(Node::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Node, EncodeError> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Node, EncodeError> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Node, EncodeError> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Node, EncodeError> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_f32(self, v: f32) -> Result<Node, EncodeError> {
        Ok(Node::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Node, EncodeError> {
        Ok(Node::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Node, EncodeError> {
        Ok(Node::Text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Node, EncodeError> {
        Ok(Node::Text(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node, EncodeError> {
        Ok(Node::List(v.iter().map(|b| Node::Int((*b).into())).collect()))
    }
    fn serialize_none(self) -> Result<Node, EncodeError> {
        Ok(Node::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Node, EncodeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Node, EncodeError> {
        Ok(Node::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Node, EncodeError> {
        Ok(Node::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Node, EncodeError> {
        Ok(Node::Text(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Node, EncodeError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Node, EncodeError> {
        Ok(Node::Object(None, vec![(variant.to_owned(), value.serialize(self)?)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<ListBuilder, EncodeError> {
        Ok(ListBuilder(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<ListBuilder, EncodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<ListBuilder, EncodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, EncodeError> {
        Err(EncodeError(format!("`{name}::{variant}` has no TOP form: TOP answers have no tuple variants")))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<FieldsBuilder, EncodeError> {
        Ok(FieldsBuilder { name: None, fields: Vec::with_capacity(len.unwrap_or(0)), key: None })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<FieldsBuilder, EncodeError> {
        Ok(FieldsBuilder { name: Some(Cow::Borrowed(name)), fields: Vec::with_capacity(len), key: None })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, EncodeError> {
        Err(EncodeError(format!("`{name}::{variant}` has no TOP form: TOP answers have no struct variants")))
    }
}

impl ListBuilder {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.0.push(value.serialize(NodeSerializer)?);
        Ok(())
    }
}

impl ser::SerializeSeq for ListBuilder {
    type Ok = Node;
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.push(value)
    }
    fn end(self) -> Result<Node, EncodeError> {
        Ok(Node::List(self.0))
    }
}

impl ser::SerializeTuple for ListBuilder {
    type Ok = Node;
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.push(value)
    }
    fn end(self) -> Result<Node, EncodeError> {
        Ok(Node::List(self.0))
    }
}

impl ser::SerializeTupleStruct for ListBuilder {
    type Ok = Node;
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.push(value)
    }
    fn end(self) -> Result<Node, EncodeError> {
        Ok(Node::List(self.0))
    }
}

impl ser::SerializeMap for FieldsBuilder {
    type Ok = Node;
    type Error = EncodeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), EncodeError> {
        self.key = Some(match key.serialize(NodeSerializer)? {
            Node::Text(text) => text,
            Node::Int(n) => n.to_string(),
            Node::Bool(b) => b.to_string(),
            other => return Err(EncodeError(format!("a map key must be text or a number, not {other:?}"))),
        });
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        let key = self.key.take().ok_or_else(|| EncodeError("a map value came before its key".to_owned()))?;
        self.fields.push((key, value.serialize(NodeSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Node, EncodeError> {
        Ok(Node::Object(self.name, self.fields))
    }
}

impl ser::SerializeStruct for FieldsBuilder {
    type Ok = Node;
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), EncodeError> {
        self.fields.push((key.to_owned(), value.serialize(NodeSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Node, EncodeError> {
        Ok(Node::Object(self.name, self.fields))
    }
}

/// `node` as the element `name` (nothing for a `Null`), lists as a wrapper element whose
/// items repeat as `naming` names them, text escaped.
pub(crate) fn xml_element(out: &mut String, name: &str, node: &Node, naming: Naming) {
    if *node == Node::Null {
        return;
    }
    let _ = write!(out, "<{name}>");
    match node {
        Node::Null => {}
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Node::Float(x) => {
            let _ = write!(out, "{x}");
        }
        Node::Text(text) => out.push_str(&quick_xml::escape::escape(text.as_str())),
        Node::Object(_, fields) => {
            for (key, value) in fields {
                xml_element(out, key, value, naming);
            }
        }
        Node::List(items) => {
            let element = Node::element_name(items, naming);
            for item in items {
                xml_element(out, &element, item, naming);
            }
        }
    }
    let _ = write!(out, "</{name}>");
}
