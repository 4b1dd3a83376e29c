//! One model of an API, filled from a documentation page or from a catalog entry, and
//! written as Rust by [`emit`](crate::emit).

use top_api::SessionNeed;

/// A message topic of the platform's message channel: its name, what the platform says of
/// it, and the fields of its messages' content.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// The topic, such as `taobao_trade_TradeBuyerPay`: its group (`taobao_trade`), then
    /// its name in `UpperCamelCase`.
    pub topic: String,
    /// The Chinese title, such as `买家付完款，或万人团买家付完尾款`.
    pub title: String,
    /// The id of its official documentation page.
    pub doc_id: Option<u64>,
    /// The address of the page it was read from, where that is not the page of `doc_id`.
    pub source: Option<String>,
    /// The content's fields, in order.
    pub fields: Vec<Member>,
}

impl Topic {
    /// The group and the name of a topic, split at the last `_`: `taobao_trade_TradeBuyerPay`
    /// → (`taobao_trade`, `TradeBuyerPay`). `None` for a name that is not one: no group, or
    /// a name that does not start with a capital letter.
    pub fn split(topic: &str) -> Option<(&str, &str)> {
        let (group, name) = topic.rsplit_once('_')?;
        let is_word = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        (is_word(group)
            && group.as_bytes()[0].is_ascii_lowercase()
            && name.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
            && is_word(name))
        .then_some((group, name))
    }
}

/// An API: its method, what the platform says of it, its params and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// The method, such as `taobao.tbk.item.info.get`.
    pub method: String,
    /// The Chinese title, such as `淘宝客-公用-淘宝客商品详情查询(简版)`.
    pub title: String,
    /// A sentence on what it does, when the source has one (a page's line under its title).
    pub summary: Option<String>,
    /// The id of its official documentation page.
    pub doc_id: Option<u64>,
    /// The platform package it belongs to, such as `tbk`.
    pub package: Option<String>,
    /// Whether it needs a user's session, and how that is known.
    pub session: SessionNeed,
    /// The request params, in order.
    pub request: Vec<Member>,
    /// The answer's fields, in order.
    pub response: Vec<Member>,
    /// The documentation page's example answer in XML, when there is one.
    pub example_xml: Option<String>,
    /// A Qimen API ([`Api::qimen_shaped`]): its `request` is the XML body sent to the
    /// Qimen router, `customerId` goes in the query, its answer is a `<response>`.
    pub qimen: bool,
}

impl Api {
    /// The API as it is declared: a Qimen API (`top_api_rules::is_qimen`, the one rule)
    /// takes the per-call `customerId` (required text) before its `request`, and its
    /// answer's fields are those of the `<response>` root (`flag`, `code`, `message` and
    /// the payload's), not a field `response` holding them. Any other API is left as it is.
    pub fn qimen_shaped(mut self) -> Api {
        let names: Vec<&str> = self.request.iter().map(|member| member.name.as_str()).collect();
        let object = self.request.first().is_some_and(|member| matches!(member.ty, Type::Object { .. }));
        if self.qimen || !top_api_rules::is_qimen(&self.method, &names, object) {
            return self;
        }
        self.qimen = true;
        let mut customer = Member::new(top_api_rules::QIMEN_CUSTOMER_PARAM, Type::String);
        customer.required = true;
        customer.description = Some("The customer (owner) code the Qimen router routes the call by.".to_owned());
        self.request.insert(0, customer);
        if let [Member { name, ty: Type::Object { members, .. }, .. }] = self.response.as_mut_slice() {
            if name == top_api_rules::QIMEN_ANSWER_ROOT {
                self.response = std::mem::take(members);
            }
        }
        self
    }
}

/// A request param, a member of an object, or a field of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The wire name.
    pub name: String,
    pub ty: Type,
    /// Required (requests only: an answer may leave anything out).
    pub required: bool,
    pub limits: Limits,
    /// What the source says it is, when it says.
    pub description: Option<String>,
    /// An example value, when the source gives one.
    pub example: Option<String>,
    /// The line of the source it was read from, for error messages.
    pub line: Option<usize>,
}

impl Member {
    /// A member with nothing more than a name and a type.
    pub fn new(name: impl Into<String>, ty: Type) -> Member {
        Member {
            name: name.into(),
            ty,
            required: false,
            limits: Limits::default(),
            description: None,
            example: None,
            line: None,
        }
    }
}

/// The limits a source puts on a request param.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Limits {
    /// `maxLength`: characters of text.
    pub max_length: Option<u64>,
    /// `maxListSize`: items of a list.
    pub max_list_size: Option<u64>,
    /// `minValue`.
    pub min_value: Option<i64>,
    /// `maxValue`.
    pub max_value: Option<i64>,
}

impl Limits {
    /// True when no limit is set.
    pub fn is_empty(&self) -> bool {
        *self == Limits::default()
    }
}

/// A param's or field's type, as the platform names it.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// `String`.
    String,
    /// `Number`: a 64-bit integer.
    Number,
    /// `Boolean`.
    Boolean,
    /// `Date`.
    Date,
    /// `Price`: an exact decimal.
    Price,
    /// `BigDecimal`: an exact decimal.
    BigDecimal,
    /// `Json`: JSON text.
    Json,
    /// `byte[]`: a file when it is a request param; base64 text elsewhere.
    Bytes,
    /// `byte`: a small integer.
    Byte,
    /// No type given: any text at the top of a request, any JSON value inside an object.
    Unknown,
    /// A structure, by its name on the platform, with its members.
    Object { name: String, members: Vec<Member> },
    /// A list.
    List(Box<Type>),
}

impl Type {
    /// Reads a scalar type name (`String`, `Number`, …); `None` for an object's name or
    /// anything else.
    pub fn scalar(name: &str) -> Option<Type> {
        Some(match name {
            "String" => Type::String,
            "Number" => Type::Number,
            "Boolean" => Type::Boolean,
            "Date" => Type::Date,
            "Price" => Type::Price,
            "BigDecimal" => Type::BigDecimal,
            "Json" => Type::Json,
            "byte[]" => Type::Bytes,
            "byte" => Type::Byte,
            _ => return None,
        })
    }

    /// The type's name as the platform writes it: `String`, `NTbkItem`, `String []`.
    pub fn top_name(&self) -> String {
        match self {
            Type::String => "String".into(),
            Type::Number => "Number".into(),
            Type::Boolean => "Boolean".into(),
            Type::Date => "Date".into(),
            Type::Price => "Price".into(),
            Type::BigDecimal => "BigDecimal".into(),
            Type::Json => "Json".into(),
            Type::Bytes => "byte[]".into(),
            Type::Byte => "byte".into(),
            Type::Unknown => "(none)".into(),
            Type::Object { name, .. } => name.clone(),
            Type::List(item) => format!("{} []", item.top_name()),
        }
    }

    /// True for a list.
    pub fn is_list(&self) -> bool {
        matches!(self, Type::List(_))
    }
}
