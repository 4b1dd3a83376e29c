//! What `top_cli::emit` writes for an API of every edge case at once (`edge_cases` in
//! top-cli/tests/gen.rs), compiled here.
//! Rewritten by `TOP_BLESS=1 cargo test -p top-cli --test gen`.

/// `taobao.edge.case.get`: 边界\<情况\> \[查询\].
pub mod taobao_edge_case_get {
    /// 边界\<情况\> \[查询\]
    ///
    /// Every case at once.
    ///
    /// Takes a user's session when there is one (optional).
    ///
    /// Official documentation: <https://open.taobao.com/api.htm?docId=1&docType=2>
    #[top_api::top_api(
        method = "taobao.edge.case.get",
        response = TaobaoEdgeCaseGetResponse,
        session = "optional",
        idempotent = true
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoEdgeCaseGet {
        /// Required.
        pub r#type: String,
        #[top(rename = "self")]
        pub self_: Option<i64>,
        #[top(rename = "pageSize")]
        pub page_size: Option<i64>,
        #[top(rename = "page_size")]
        pub page_size_2: Option<i64>,
        #[top(rename = "3rd")]
        pub _3rd: Option<String>,
        #[top(rename = "dimission.employee")]
        pub dimission_employee: Option<String>,
        /// Required.
        #[top(required)]
        pub start: Option<top_api::DateTime>,
        /// Required.
        #[top(required)]
        pub image: Option<top_api::File>,
        pub dates: Option<Vec<top_api::DateTime>>,
        /// Required.
        #[top(max_len = 5)]
        pub q: String,
        #[top(min = 1, max = 100)]
        pub page: Option<i64>,
        /// Required.
        #[top(max_items = 3)]
        pub ids: Vec<i64>,
        /// Required.
        #[top(object)]
        pub sku: Sku,
        #[top(object, max_items = 2)]
        pub skus: Option<Vec<Sku2>>,
        /// The platform's data lists no members for `Filter`: any JSON value, kept as it came.
        pub filter: Option<top_api::Json>,
    }

    /// The answer of `taobao.edge.case.get`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoEdgeCaseGetResponse {
        pub result: Option<ResultObject>,
        pub items: Vec<Item>,
        pub other_items: Vec<Item2>,
        pub tree: Option<Node>,
        pub date_time: Option<DateTimeObject>,
        pub same: Option<TaobaoEdgeCaseGet2>,
        pub scalars: Vec<Scalars>,
        pub words: Vec<String>,
    }

    /// `Sku`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Sku {
        /// Required.
        #[top(required)]
        pub sku_id: i64,
        /// Required.
        #[top(required)]
        pub when: Option<top_api::DateTime>,
        pub tags: Option<Vec<String>>,
        /// The platform's data gives no type: any JSON value.
        pub data: Option<serde_json::Value>,
        /// Base64 text of the bytes.
        pub blob: Option<String>,
        /// The platform's data lists no members for `Opaque`: any JSON value, kept as it came.
        pub inner: Option<serde_json::Value>,
    }

    /// `Sku`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Sku")]
    pub struct Sku2 {
        /// Required.
        #[top(required)]
        pub sku_id: i64,
    }

    /// `Result`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Result")]
    pub struct ResultObject {
        pub option: Option<OptionObject>,
        pub string: Option<StringObject>,
    }

    /// `Option`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Option")]
    pub struct OptionObject {
        pub text: Option<String>,
        pub count: Option<i64>,
        pub flag: Option<bool>,
        pub at: Option<top_api::Date>,
        pub price: Option<top_api::Decimal>,
        pub amount: Option<top_api::Decimal>,
        pub extra: Option<top_api::Json>,
        pub small: Option<i8>,
        /// Base64 text of the bytes.
        pub bytes: Option<String>,
        /// The platform's data gives no type: any JSON value.
        pub unknown: Option<top_api::Json>,
    }

    /// `String`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "String")]
    pub struct StringObject {
        pub s: Option<String>,
    }

    /// `Item`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Item {
        pub id: Option<i64>,
    }

    /// `Item`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Item")]
    pub struct Item2 {
        pub id: Option<String>,
        #[top(rename = "Self")]
        pub self_: Option<String>,
    }

    /// `Node`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Node {
        pub name: Option<String>,
        pub child: Option<Box<Node>>,
        pub children: Vec<Node>,
    }

    /// `DateTime`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "DateTime")]
    pub struct DateTimeObject {
        #[top(rename = "_")]
        pub field: Option<String>,
    }

    /// `TaobaoEdgeCaseGet`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "TaobaoEdgeCaseGet")]
    pub struct TaobaoEdgeCaseGet2 {
        pub x: Option<i64>,
    }

    /// `Scalars`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Scalars {
        pub text: Option<String>,
        pub count: Option<i64>,
        pub flag: Option<bool>,
        pub at: Option<top_api::Date>,
        pub price: Option<top_api::Decimal>,
        pub amount: Option<top_api::Decimal>,
        pub extra: Option<top_api::Json>,
        pub small: Option<i8>,
        /// Base64 text of the bytes.
        pub bytes: Option<String>,
        /// The platform's data gives no type: any JSON value.
        pub unknown: Option<top_api::Json>,
    }
}

fn main() {
    use taobao_edge_case_get::*;
    let request = TaobaoEdgeCaseGet {
        r#type: "t".into(),
        start: Some(top_api::DateTime::now()),
        image: Some(top_api::File::from_bytes("a.png", vec![1, 2])),
        q: "q".into(),
        ids: vec![1],
        sku: Sku { sku_id: 1, when: Some(top_api::DateTime::now()), ..Default::default() },
        ..Default::default()
    };
    let mut params = top_api::Params::new();
    top_api::Request::write_params(&request, &mut params).unwrap();
    assert_eq!(params.get("type"), Some("t"));
    let answer: TaobaoEdgeCaseGetResponse = serde_json::from_str(
        r#"{"tree":{"name":"a","child":{"name":"b","child":{"name":"c"}}},"same":{"x":1},"date_time":{"_":"u"}}"#,
    )
    .unwrap();
    let tree = answer.tree.unwrap();
    assert_eq!(tree.child.unwrap().child.unwrap().name.as_deref(), Some("c"));
    assert_eq!(answer.same.unwrap().x, Some(1));
}
