//! What the generator's emitter writes for an API of every edge case at once (the catalog
//! entry `top-cli/tests/pages/edge/taobao.edge.case.get.json`), compiled and used as a
//! caller would: keywords, names with no raw form, one Rust name from two wire names,
//! prelude and top-api type names, one type name with two shapes, a type that holds
//! itself, required params of types with no empty value, objects sent in a request.
//! `cargo xtask codegen` writes the included file.

include!("../generated/edge-cases.rs");

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
