//! How values travel, in the shapes users rely on: answers whose scalars come as text or
//! in another type, fields in any order, raw control characters; params of every
//! reference and smart-pointer type, and back; sessions and sign methods everywhere.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use top_api::sandbox::Sandbox;
use top_api::{decode, decode_simplified, is_response_key, top_api, Format, Params, Request, SignMethod};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapesResponse {
    pub flag: Option<bool>,
    pub other: Option<bool>,
    pub word: Option<String>,
    pub number_text: Option<String>,
    pub ratio: Option<f64>,
    pub count: Option<i64>,
    pub words: Vec<String>,
}

/// An API whose answer takes every shape of scalar.
#[top_api(method = "taobao.test.shapes.get", response = ShapesResponse)]
pub struct ShapesGet;

fn shapes(body: &str) -> ShapesResponse {
    decode::<ShapesGet>(body.as_bytes(), Format::Json).unwrap_or_else(|err| panic!("{body}: {err:?}")).into_inner()
}

#[test]
fn scalars_sent_as_text_or_as_another_type_are_read() {
    let answer = shapes(
        r#"{"test_shapes_get_response":{"flag":"false","other":"true","word":true,"number_text":2.5,"ratio":"0.125","count":"-7","words":{"string":[false,1.5,"x"]}}}"#,
    );
    assert_eq!(answer.flag, Some(false), "a boolean sent as \"false\"");
    assert_eq!(answer.other, Some(true), "a boolean sent as \"true\"");
    assert_eq!(answer.word.as_deref(), Some("true"), "a string sent as a boolean");
    assert_eq!(answer.number_text.as_deref(), Some("2.5"), "a string sent as a float");
    assert_eq!(answer.ratio, Some(0.125));
    assert_eq!(answer.count, Some(-7));
    assert_eq!(answer.words, ["false", "1.5", "x"]);
    // Negative and large integers where text belongs, too.
    let answer =
        shapes(r#"{"test_shapes_get_response":{"word":-7,"number_text":18446744073709551615,"words":[-1,2]}}"#);
    assert_eq!(answer.word.as_deref(), Some("-7"));
    assert_eq!(answer.number_text.as_deref(), Some("18446744073709551615"));
    assert_eq!(answer.words, ["-1", "2"]);
    // A value of no readable shape is an error saying what was expected, and where.
    let err = decode::<ShapesGet>(br#"{"test_shapes_get_response":{"count":[1]}}"#, Format::Json).unwrap_err();
    let top_api::Error::Decode(failure) = &err else { panic!("{err:?}") };
    assert_eq!(failure.path(), Some("count"), "{err:?}");
    assert!(err.to_string().contains("expected i64"), "{err}");
    // A mismatch of the whole answer has no field to name.
    for body in [&br#"{"test_shapes_get_response":5}"#[..], br#"{"test_shapes_get_response":"x"}"#] {
        let err = decode::<ShapesGet>(body, Format::Json).unwrap_err();
        let top_api::Error::Decode(failure) = &err else { panic!("{err:?}") };
        assert_eq!(failure.path(), None, "{err:?}");
    }
    // A boolean as text that is no boolean is an error naming the field.
    let err = decode::<ShapesGet>(br#"{"test_shapes_get_response":{"flag":"no"}}"#, Format::Json).unwrap_err();
    let top_api::Error::Decode(decode) = &err else { panic!("{err:?}") };
    assert_eq!(decode.path(), Some("flag"), "{err:?}");
}

#[test]
fn fields_in_any_order_are_read() {
    let forward = shapes(r#"{"test_shapes_get_response":{"flag":true,"word":"w","count":1,"words":["a"]}}"#);
    let backward = shapes(r#"{"test_shapes_get_response":{"words":["a"],"count":1,"word":"w","flag":true}}"#);
    let shuffled = shapes(r#"{"test_shapes_get_response":{"count":1,"words":["a"],"flag":true,"word":"w"}}"#);
    assert_eq!(forward, backward);
    assert_eq!(forward, shuffled);
    assert_eq!((forward.flag, forward.count, forward.word.as_deref()), (Some(true), Some(1), Some("w")));
    // The envelope's own members in another order too: request_id first.
    let answer = decode::<ShapesGet>(
        br#"{"test_shapes_get_response":{"request_id":"r1","count":2,"flag":false}}"#,
        Format::Json,
    )
    .unwrap();
    assert_eq!((answer.request_id(), answer.count, answer.flag), (Some("r1"), Some(2), Some(false)));
    // Simplified, with request_id last.
    let answer = decode_simplified::<ShapesGet>(br#"{"count":3,"flag":true,"request_id":"r2"}"#).unwrap();
    assert_eq!((answer.request_id(), answer.count), (Some("r2"), Some(3)));
}

#[test]
fn raw_control_characters_inside_strings_only_are_escaped() {
    // A raw tab and newline inside strings, an escaped quote and backslash before them,
    // and newlines and tabs between the tokens, which are JSON's own white space.
    let body = "{\n\t\"test_shapes_get_response\" : {\n\t\t\"word\":\"a\\\"b\tc\",\r\n\"number_text\":\"d\\\\\ne\u{1}\"\n}\n}\n";
    let answer = shapes(body);
    assert_eq!(answer.word.as_deref(), Some("a\"b\tc"));
    assert_eq!(answer.number_text.as_deref(), Some("d\\\ne\u{1}"));
    // A body broken elsewhere is still an error.
    assert!(decode::<ShapesGet>(b"{\"test_shapes_get_response\":{\"word\":\"a\tb\"", Format::Json).is_err());
}

#[test]
fn the_response_key_is_the_method_s_and_no_other() {
    assert!(is_response_key("baodian_deposit_get_response", "taobao.baodian.deposit.get"));
    assert!(is_response_key("miniapp_userInfo_get_response", "taobao.miniapp.userInfo.get"));
    assert!(is_response_key("push_aliyuncs_com_pushMsg_2015_03_18_response", "push.aliyuncs.com.pushMsg.2015-03-18"));
    // Same length, other words.
    assert!(!is_response_key("baodian_deposit_put_response", "taobao.baodian.deposit.get"));
    // Where the method has a `.` or `-`, the key has `_` (or the same mark), nothing else.
    assert!(is_response_key("baodian.deposit.get_response", "taobao.baodian.deposit.get"));
    assert!(!is_response_key("baodianxdeposit_get_response", "taobao.baodian.deposit.get"));
    assert!(!is_response_key("push_aliyuncs_com_pushMsg_2015x03_18_response", "push.aliyuncs.com.pushMsg.2015-03-18"));
    // A prefix or an extension of the name.
    assert!(!is_response_key("baodian_deposit_response", "taobao.baodian.deposit.get"));
    assert!(!is_response_key("baodian_deposit_get_x_response", "taobao.baodian.deposit.get"));
    // Not a response key at all, and the `taobao.` kept.
    assert!(!is_response_key("baodian_deposit_get", "taobao.baodian.deposit.get"));
    assert!(!is_response_key("taobao_baodian_deposit_get_response", "taobao.baodian.deposit.get"));
    // Another method's envelope is no answer of this one.
    let err = decode::<ShapesGet>(br#"{"test_shapes_put_response":{"flag":true}}"#, Format::Json).unwrap_err();
    assert!(err.is_decode(), "{err:?}");
}

#[test]
fn formats_print_as_the_format_param_names_them() {
    assert_eq!((Format::Json.to_string(), Format::Xml.to_string()), ("json".to_owned(), "xml".to_owned()));
    assert_eq!(format!("{:>5}|{:<4}|", Format::Xml, Format::Json), "  xml|json|", "width and alignment, as for text");
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EchoResponse {
    pub text: Option<String>,
}

/// Params of reference and smart-pointer types.
#[top_api(method = "taobao.test.pointers.get", response = EchoResponse)]
pub struct PointersGet {
    pub borrowed: &'static str,
    pub cow: Cow<'static, str>,
    pub boxed: Box<i64>,
    pub maybe: Option<i64>,
    pub maybe_not: Option<i64>,
    pub flag: bool,
    pub list: Vec<&'static str>,
}

fn pointers() -> PointersGet {
    PointersGet {
        borrowed: "b&r",
        cow: Cow::Owned("c o".into()),
        boxed: Box::new(45_248_893_776_176_307),
        maybe: Some(-3),
        maybe_not: None,
        flag: false,
        list: vec!["x", "y"],
    }
}

#[test]
fn params_of_every_pointer_type_are_sent_and_read_back() {
    let mut params = Params::new();
    pointers().write_params(&mut params).unwrap();
    let sent: Vec<(&str, &str)> = params.iter().collect();
    assert_eq!(
        sent,
        [
            ("borrowed", "b&r"),
            ("cow", "c o"),
            ("boxed", "45248893776176307"),
            ("maybe", "-3"),
            ("flag", "false"),
            ("list", "x,y"),
        ]
    );

    // The way back, as the sandbox reads a call: an absent Option is None, a present one
    // is read; the required ones are there.
    #[derive(Debug, PartialEq)]
    #[top_api(method = "taobao.test.options.get", response = EchoResponse)]
    pub struct OptionsGet {
        pub maybe: Option<i64>,
        pub maybe_not: Option<i64>,
        pub text: Option<String>,
        pub flag: bool,
        pub cow: Cow<'static, str>,
        pub price: top_api::Decimal,
        pub filter: top_api::Json,
    }
    let mut params = Params::new();
    params.push("maybe", "-3");
    params.push("flag", "false");
    params.push("text", "t");
    params.push("cow", "c o");
    params.push("price", "12.50");
    params.push("filter", r#"{"a":[1]}"#);
    let read = OptionsGet::from_params(&params).unwrap();
    let price = top_api::Decimal::parse("12.50").unwrap();
    assert_eq!(
        read,
        OptionsGet {
            maybe: Some(-3),
            maybe_not: None,
            text: Some("t".into()),
            flag: false,
            cow: Cow::Borrowed("c o"),
            price: price.clone(),
            filter: top_api::Json::new(r#"{"a":[1]}"#),
        }
    );
    // And out again, the exact decimal as it came.
    let mut again = Params::new();
    read.write_params(&mut again).unwrap();
    assert_eq!(again.get("price"), Some("12.50"));
    assert_eq!(again.get("cow"), Some("c o"));
    assert_eq!(again.get("filter"), Some(r#"{"a":[1]}"#));

    // Every wrapper reads through to its value, and an absent one is its empty value.
    assert_eq!(params.read::<Option<i64>>("maybe").unwrap(), Some(-3));
    assert_eq!(params.read::<Box<Option<i64>>>("maybe").unwrap(), Box::new(Some(-3)));
    assert_eq!(params.read::<Box<Option<i64>>>("nowhere").unwrap(), Box::new(None));
    assert_eq!(params.read::<Vec<Option<i64>>>("maybe").unwrap(), [Some(-3)]);
    assert_eq!(params.read::<Vec<i64>>("nowhere").unwrap(), Vec::<i64>::new());
    assert!(params.read::<Box<i64>>("nowhere").unwrap_err().is_missing());
    let mut params = Params::new();
    params.push("maybe", "many");
    params.push("flag", "true");
    params.push("cow", "c");
    params.push("price", "1");
    params.push("filter", "{}");
    let err = OptionsGet::from_params(&params).unwrap_err();
    assert_eq!(err.name(), "maybe", "{err}");
}

#[test]
fn a_blank_session_is_neither_sent_nor_signed() {
    let client = top_api::Client::builder("12345678", "secret").build().unwrap();
    for blank in ["", " ", "\t\n"] {
        let params = client.wire_params(&ShapesGet, Some(blank)).unwrap();
        assert_eq!(params.get("session"), None, "{blank:?}");
    }
    let params = client.wire_params(&ShapesGet, Some("s-1")).unwrap();
    assert_eq!(params.get("session"), Some("s-1"));
    let params = client.wire_params(&ShapesGet, None).unwrap();
    assert_eq!(params.get("session"), None);
}

#[test]
fn batches_are_signed_with_the_client_s_sign_method() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.handle(|_: ShapesGet| {
        Ok(ShapesResponse {
            flag: Some(true),
            other: None,
            word: None,
            number_text: None,
            ratio: None,
            count: Some(1),
            words: vec![],
        })
    });
    for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let client = sandbox.client().sign_method(method).build().unwrap();
        let mut batch = client.batch();
        let first = batch.add(&ShapesGet).unwrap();
        let second = batch.add(&ShapesGet).unwrap();
        let answers = batch.send().unwrap_or_else(|err| panic!("{method:?}: {err:?}"));
        assert_eq!(answers.get(&first).unwrap().count, Some(1), "{method:?}");
        assert_eq!(answers.get(&second).unwrap().flag, Some(true), "{method:?}");
        let last = sandbox.calls().last().cloned().unwrap();
        assert_eq!(last.param("sign_method"), Some(method.as_str()), "{method:?}");
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub name: Option<String>,
    pub level: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembersResponse {
    pub members: Vec<Member>,
    pub tags: Vec<String>,
    pub total: Option<i64>,
}

#[top_api(method = "taobao.test.members.get", response = MembersResponse)]
pub struct MembersGet;

#[test]
fn xml_list_containers_with_attributes_keep_every_item() {
    // As old official samples write them: the container carries `list="true"`.
    let body = r#"<?xml version="1.0" encoding="utf-8" ?>
<test_members_get_response>
  <members list="true"><member><name>a</name><level>1</level></member><member><name>b</name><level>2</level></member></members>
  <tags list="true" type="string"><string>x</string><string>y</string></tags>
  <total>2</total>
</test_members_get_response>"#;
    let answer = decode::<MembersGet>(body.as_bytes(), Format::Xml).unwrap();
    let names: Vec<_> = answer.members.iter().map(|m| (m.name.as_deref(), m.level)).collect();
    assert_eq!(names, [(Some("a"), Some(1)), (Some("b"), Some(2))]);
    assert_eq!(answer.tags, ["x", "y"]);
    assert_eq!(answer.total, Some(2));
    // An empty container with an attribute is an empty list.
    let body =
        r#"<test_members_get_response><members list="true"/><tags list="true"></tags></test_members_get_response>"#;
    let answer = decode::<MembersGet>(body.as_bytes(), Format::Xml).unwrap();
    assert!(answer.members.is_empty() && answer.tags.is_empty(), "{answer:?}");
}

/// An answer declared as the generated ones are.
#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct OptionalsResponse {
    pub count: Option<i64>,
    pub flag: Option<bool>,
    pub ratio: Option<f64>,
}

#[top_api(method = "taobao.test.optionals.get", response = OptionalsResponse)]
pub struct OptionalsGet;

#[test]
fn blank_optional_scalars_in_xml_are_none_and_wrong_ones_drift_or_fail_all_or_nothing() {
    let xml = |inner: &str| format!("<test_optionals_get_response>{inner}</test_optionals_get_response>");
    for blank in ["<count></count>", "<count/>", "<count> </count>", "<count>\n  </count>"] {
        let answer =
            decode::<OptionalsGet>(xml(&format!("{blank}<flag> </flag><ratio></ratio>")).as_bytes(), Format::Xml)
                .unwrap_or_else(|err| panic!("{blank}: {err:?}"));
        assert_eq!((answer.count, answer.flag, answer.ratio), (None, None, None), "{blank}");
        assert!(answer.drift().is_empty(), "a blank is a left-out value, no drift: {:?}", answer.drift());
    }
    for (wrong, path) in
        [("<count>many</count>", "count"), ("<flag>maybe</flag>", "flag"), ("<ratio>half</ratio>", "ratio")]
    {
        let body = xml(&format!("{wrong}<count>3</count>"));
        let answer =
            decode::<OptionalsGet>(body.as_bytes(), Format::Xml).unwrap_or_else(|err| panic!("{wrong}: {err:?}"));
        assert_eq!(answer.drift().iter().map(|d| d.path()).collect::<Vec<_>>(), [path], "{wrong}");
        let err = top_api::decode_strict::<OptionalsGet>(xml(wrong).as_bytes(), Format::Xml).unwrap_err();
        let top_api::Error::Decode(decode) = &err else { panic!("{wrong}: {err:?}") };
        assert_eq!(decode.path(), Some(path), "{wrong}: {err:?}");
    }
}

#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct BlanksResponse {
    pub count: Option<i64>,
    pub price: Option<top_api::Decimal>,
    pub flag: Option<bool>,
    pub at: Option<top_api::Date>,
}

#[top_api(method = "taobao.test.blanks.get", response = BlanksResponse)]
pub struct BlanksGet;

#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct PricedResponse {
    pub price: top_api::Decimal,
}

#[top_api(method = "taobao.test.priced.get", response = PricedResponse)]
pub struct PricedGet;

#[test]
fn a_blank_is_left_out_only_where_it_stands() {
    let json = |inner: &str| format!(r#"{{"test_blanks_get_response":{{{inner}}}}}"#);
    let read = |body: String| decode::<BlanksGet>(body.as_bytes(), Format::Json).unwrap();
    let strict = |body: String| top_api::decode_strict::<BlanksGet>(body.as_bytes(), Format::Json);
    // A blank where a value of another kind belongs, in an `Option` field: left out, no
    // drift, all or nothing too; the rest is read.
    for body in [json(r#""count":"","price":" ","flag":true,"at":"""#)] {
        for answer in [read(body.clone()), strict(body).unwrap()] {
            assert_eq!((answer.count, &answer.price, answer.flag, &answer.at), (None, &None, Some(true), &None));
            assert!(answer.drift().is_empty(), "{:?}", answer.drift());
        }
    }
    // A blank taken by one field does not make a wrong value in a later field read as left
    // out all or nothing: that is still an error, about that value. (Its path names the
    // field taken as left out: the path tracker keeps the first error it saw.)
    for wrong in [r#""count":"","flag":"maybe""#, r#""price":"","at":"","flag":"maybe""#] {
        let err = strict(json(wrong)).unwrap_err();
        let top_api::Error::Decode(decode) = &err else { panic!("{wrong}: {err:?}") };
        assert!(decode.message().contains("\"maybe\", expected a boolean"), "{wrong}: {err:?}");
        // Read leniently, the wrong value is the one drift.
        assert_eq!(read(json(wrong)).drift().iter().map(|d| d.path()).collect::<Vec<_>>(), ["flag"]);
    }
    // Nor does a blank that failed a whole answer (a required decimal, outside any
    // `Option`) make the next answer read on the thread lose a wrong value.
    let failed = decode::<PricedGet>(br#"{"test_priced_get_response":{"price":""}}"#, Format::Json);
    assert!(failed.is_err(), "{failed:?}");
    let err = strict(json(r#""flag":"maybe""#)).unwrap_err();
    assert!(matches!(&err, top_api::Error::Decode(decode) if decode.path() == Some("flag")), "{err:?}");
}

#[test]
fn types_that_read_text_differently_from_bytes_are_read_as_text() {
    // serde's `Ipv4Addr` (and others) read a string only from a human-readable format.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct AddrResponse {
        pub ip: Option<std::net::Ipv4Addr>,
    }
    #[top_api(method = "taobao.test.addr.get", response = AddrResponse)]
    pub struct AddrGet;
    let expected = Some(std::net::Ipv4Addr::new(10, 1, 2, 3));
    let json = decode::<AddrGet>(br#"{"test_addr_get_response":{"ip":"10.1.2.3"}}"#, Format::Json).unwrap();
    assert_eq!(json.into_inner().ip, expected);
    let xml =
        decode::<AddrGet>(b"<test_addr_get_response><ip>10.1.2.3</ip></test_addr_get_response>", Format::Xml).unwrap();
    assert_eq!(xml.into_inner().ip, expected);
}

#[test]
fn answers_with_fields_left_out_anywhere_are_read() {
    let read = |body: &str, format: Format| {
        decode::<OptionalsGet>(body.as_bytes(), format).unwrap_or_else(|err| panic!("{body}: {err:?}")).into_inner()
    };
    let all = OptionalsResponse { count: Some(3), flag: Some(true), ratio: Some(0.5) };
    for (json, xml, expected) in [
        (r#"{"count":3}"#, "<count>3</count>", OptionalsResponse { count: Some(3), ..Default::default() }),
        (r#"{"ratio":0.5}"#, "<ratio>0.5</ratio>", OptionalsResponse { ratio: Some(0.5), ..Default::default() }),
        (
            r#"{"count":3,"ratio":0.5}"#,
            "<count>3</count><ratio>0.5</ratio>",
            OptionalsResponse { flag: None, ..all.clone() },
        ),
        (r#"{"flag":true}"#, "<flag>true</flag>", OptionalsResponse { flag: Some(true), ..Default::default() }),
        (r#"{"ratio":0.5,"flag":true,"count":3}"#, "<ratio>0.5</ratio><flag>true</flag><count>3</count>", all.clone()),
        ("{}", "", OptionalsResponse::default()),
    ] {
        let json = format!(r#"{{"test_optionals_get_response":{json}}}"#);
        assert_eq!(read(&json, Format::Json), expected, "{json}");
        let xml = format!("<test_optionals_get_response>{xml}</test_optionals_get_response>");
        assert_eq!(read(&xml, Format::Xml), expected, "{xml}");
    }
}

/// An object type whose fields are neither `Option` nor `Vec`.
#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct PlainResponse {
    pub name: String,
    pub count: i64,
    pub inner: PlainInner,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct PlainInner {
    pub flag: bool,
    pub note: Option<String>,
}

#[top_api(method = "taobao.test.plain.get", response = PlainResponse)]
pub struct PlainGet;

#[test]
fn an_object_s_fields_left_out_keep_their_defaults_whatever_their_types() {
    let expected = PlainResponse {
        count: 7,
        inner: PlainInner { note: Some("n".into()), ..Default::default() },
        ..Default::default()
    };
    let json = r#"{"test_plain_get_response":{"count":"7","inner":{"note":"n"},"request_id":"r1"}}"#;
    let xml = "<test_plain_get_response><count>7</count><inner><note>n</note></inner><request_id>r1</request_id></test_plain_get_response>";
    for (body, format) in [(json, Format::Json), (xml, Format::Xml)] {
        let answer = decode::<PlainGet>(body.as_bytes(), format).unwrap_or_else(|err| panic!("{body}: {err:?}"));
        assert_eq!(answer.request_id(), Some("r1"), "{body}");
        assert!(answer.drift().is_empty(), "{body}: {:?}", answer.drift());
        assert_eq!(answer.into_inner(), expected, "{body}");
    }
    let simplified = decode_simplified::<PlainGet>(br#"{"count":7,"inner":{"note":"n"},"request_id":"r1"}"#).unwrap();
    assert_eq!(simplified.into_inner(), expected);
    // Read alone, as serde reads it, the same.
    let alone: PlainResponse = serde_json::from_str(r#"{"count":7,"inner":{"note":"n"}}"#).unwrap();
    assert_eq!(alone, expected);
}

#[test]
fn a_simplified_client_reads_a_wrapped_answer_and_its_refusal() {
    let answer =
        decode_simplified::<ShapesGet>(br#"{"test_shapes_get_response":{"flag":true,"request_id":"r"}}"#).unwrap();
    assert_eq!(answer.into_inner().flag, Some(true));
    let err =
        decode_simplified::<ShapesGet>(br#"{"error_response":{"code":7,"msg":"limit","request_id":"r"}}"#).unwrap_err();
    assert!(matches!(&err, top_api::Error::Api(api) if api.code() == 7), "{err:?}");
}

#[test]
fn escaped_keys_are_read_as_their_text() {
    let answer = shapes(r#"{"test_shapes_get_response":{"fl\u0061g":true,"w\u006frd":"x"}}"#);
    assert_eq!((answer.flag, answer.word.as_deref()), (Some(true), Some("x")));
}

#[test]
fn an_answer_of_another_shape_names_what_it_holds() {
    let body = br#"{"other_method_response":{},"b":2,"c":3,"d":4,"e":5,"f":6}"#;
    let err = decode::<ShapesGet>(body, Format::Json).unwrap_err();
    let text = err.to_string();
    for shown in ["`other_method_response`", "`b`", "`c`", "`d`"] {
        assert!(text.contains(shown), "{shown} not in {text}");
    }
    assert!(!text.contains("`e`"), "at most four named: {text}");
}
