//! What `top gen` writes for the collected pages (`top-cli/tests/pages/more/`, and
//! `pages/edge/`: every naming case at once), compiled here; each page's XML example is
//! decoded by its generated answer, and the edge page's types are used as a caller would.
//! `cargo xtask codegen` writes the included file.

include!("../generated/pages.rs");

fn main() {
    decode_examples();
    {
        use taobao_edge_case_get::*;
        let request = TaobaoEdgeCaseGet {
            r#type: "t".into(),
            self_: Some(1),
            self_2: Some("s".into()),
            crate_: Some("c".into()),
            field: Some("u".into()),
            page_size: Some(10),
            page_size_2: Some(20),
            start: Some(top_api::DateTime::now()),
            image: Some(top_api::File::from_bytes("a.png", vec![1])),
            option: Some(OptionObject { some: "x".into(), count: None }),
            ids: vec![1, 2],
            ..Default::default()
        };
        let mut params = top_api::Params::new();
        top_api::Request::write_params(&request, &mut params).unwrap();
        for (wire, value) in [("type", "t"), ("self", "1"), ("Self", "s"), ("crate", "c"), ("_", "u"), ("pageSize", "10"), ("page_size", "20"), ("ids", "1,2")] {
            assert_eq!(params.get(wire), Some(value), "{wire}");
        }
        assert_eq!(params.get("option"), Some(r#"{"some":"x"}"#));
        let missing = TaobaoEdgeCaseGet { option: Some(OptionObject::default()), ..request.clone() };
        assert!(top_api::Request::write_params(&missing, &mut top_api::Params::new()).is_err(), "a required member");
        let answer = top_api::decode::<TaobaoEdgeCaseGet>(EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap().into_inner();
        let result = answer.result.unwrap();
        let _: Option<VecObject> = result.vec;
        assert_eq!(result.string, ["s", "t"]);
        assert_eq!(result.date_time.unwrap().file.unwrap().name.as_deref(), Some("f"));
        let _: Option<TaobaoEdgeCaseGet2> = result.same;
        assert_eq!(result.answer.unwrap().r#loop, Some(true));
        assert_eq!(result.boxed.unwrap().inner.as_deref(), Some("i"));
        assert_eq!(result.me.unwrap().id, Some(5));
        let (first, second): (Item, Item) = (answer.first_item.unwrap(), answer.second_item.unwrap());
        assert_eq!((first.id, second.id), (Some(1), Some(2)));
        let (sku, skus): (Sku, Vec<Sku2>) = (answer.sku.unwrap(), answer.skus);
        assert_eq!((sku.sku_id, skus.len()), (Some(7), 2));
        assert_eq!(answer.level, Some(1i8));
    }
}
