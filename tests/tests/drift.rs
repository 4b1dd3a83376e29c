//! Answers that disagree with their types: nothing is lost for one field, and nothing is
//! dropped without a trace. Fixtures in `tests/fixtures/drift/`, in the shapes real answers
//! have (`alibaba.idle.isv.user.info`'s code string where the platform's data says
//! `Boolean`, `taobao.trade.fullinfo.get`'s `alipay_id` that its type lacks).

use top_api::transport::{FakeTransport, HttpResponse};
use top_api::{decode, decode_strict, top_api, Client, Date, Decimal, Drift, DriftKind, Error, Format};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drift").join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn places(drift: &[Drift]) -> Vec<&str> {
    drift.iter().map(Drift::path).collect()
}

/// What was expected and what came, of an unfit value.
fn unfit(drift: &Drift) -> (&str, &str) {
    match drift.kind() {
        DriftKind::Unfit { expected, came, .. } => (expected, came),
        other => panic!("{drift:?} is {other:?}"),
    }
}

/// `alibaba.idle.isv.user.info` as the catalog types it: `error_code` a Boolean.
#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct UserInfoResponse {
    pub result: Option<UserInfoResult>,
}

#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct UserInfoResult {
    pub data: Option<UserInfoData>,
    pub error_code: Option<bool>,
    pub error_msg: Option<String>,
    pub success: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct UserInfoData {
    pub nick: Option<String>,
}

#[top_api(method = "alibaba.idle.isv.user.info", response = UserInfoResponse)]
pub struct UserInfo;

#[test]
fn a_mistyped_field_costs_that_field_only() {
    for (name, format) in [("isv-user-info.json", Format::Json), ("isv-user-info.xml", Format::Xml)] {
        let answer = decode::<UserInfo>(&fixture(name), format).unwrap_or_else(|err| panic!("{name}: {err}"));
        let result = answer.result.as_ref().unwrap();
        assert_eq!(result.error_code, None, "{name}");
        assert_eq!(result.error_msg.as_deref(), Some("用户未登录"), "{name}");
        assert_eq!(result.success, Some(false), "{name}");
        assert_eq!(result.data.as_ref().and_then(|d| d.nick.as_deref()), Some("t***1"), "{name}");
        assert_eq!(answer.request_id(), Some("15rf8yv4cvdq0"), "{name}");
        // The code string that did not fit, and the member the type lacks, are both there.
        assert_eq!(places(answer.drift()), ["result.data.options", "result.error_code"], "{name}");
        assert!(answer.drift()[0].is_unknown_field());
        assert_eq!(unfit(&answer.drift()[1]), ("bool", "\"TOP_USER_NOT_LOGIN\""), "{name}");
        // All or nothing, the answer fails naming the field, as before.
        let err = decode_strict::<UserInfo>(&fixture(name), format).unwrap_err();
        assert!(matches!(&err, Error::Decode(f) if f.path() == Some("result.error_code")), "{name}: {err:?}");
    }
}

/// `taobao.trade.fullinfo.get`'s `Trade`, without `alipay_id` (as the catalog's copy of it
/// in that API lacks it).
#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct FullinfoResponse {
    pub trade: Option<Trade>,
}

#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct Trade {
    pub tid: Option<i64>,
    pub status: Option<String>,
    pub payment: Option<Decimal>,
    pub orders: Vec<Order>,
}

#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct Order {
    pub oid: Option<i64>,
    pub title: Option<String>,
    pub num: Option<i64>,
}

#[top_api(method = "taobao.trade.fullinfo.get", response = FullinfoResponse)]
pub struct Fullinfo;

#[test]
fn keys_the_type_lacks_are_listed_with_their_place() {
    for (name, format) in [("trade-fullinfo.json", Format::Json), ("trade-fullinfo.xml", Format::Xml)] {
        let answer = decode::<Fullinfo>(&fixture(name), format).unwrap_or_else(|err| panic!("{name}: {err}"));
        let trade = answer.trade.as_ref().unwrap();
        assert_eq!(trade.tid, Some(4_107_011_111_111_111_111), "{name}");
        assert_eq!(
            trade.orders.iter().map(|o| o.oid).collect::<Vec<_>>(),
            [Some(4_107_011_111_111_111_112), Some(4_107_011_111_111_111_113)]
        );
        assert_eq!(places(answer.drift()), ["trade.alipay_id", "trade.orders[1].gift_mids"], "{name}");
        assert!(answer.drift().iter().all(Drift::is_unknown_field), "{name}");
        // Reading all or nothing changes nothing for keys the type lacks: they are skipped.
        let strict = decode_strict::<Fullinfo>(&fixture(name), format).unwrap();
        assert_eq!(strict.drift(), answer.drift(), "{name}");
    }
}

#[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
pub struct KindsResponse {
    pub count: Option<i64>,
    pub flag: Option<bool>,
    pub ratio: Option<f64>,
    pub word: Option<String>,
    pub item: Option<Order>,
    pub items: Vec<Order>,
    pub prices: Vec<Decimal>,
    pub at: Option<Date>,
    pub ok_flag: Option<bool>,
    pub ok_text_flag: Option<bool>,
    pub total: Option<i64>,
}

#[top_api(method = "taobao.test.kinds.get", response = KindsResponse)]
pub struct Kinds;

#[test]
fn every_kind_of_misfit_is_left_out_and_listed() {
    let answer = decode::<Kinds>(&fixture("wrong-kinds.json"), Format::Json).unwrap();
    // `1` and `"0"` are booleans; what follows every misfit is still read.
    assert_eq!((answer.ok_flag, answer.ok_text_flag, answer.total), (Some(true), Some(false), Some(7)));
    let expected = [
        ("count", "i64", "\"many\""),
        ("flag", "bool", "\"success\""),
        ("ratio", "f64", "an object"),
        ("word", "String", "a list"),
        ("item", "Order", "\"not an object\""),
        ("items", "Vec<Order>", "\"abc\""),
        ("prices", "Vec<Decimal>", "an object"),
        ("at", "Date", "an object"),
    ];
    let found: Vec<(&str, &str, &str)> = answer
        .drift()
        .iter()
        .map(|drift| {
            let (what, came) = unfit(drift);
            (drift.path(), what, came)
        })
        .collect();
    assert_eq!(found, expected);
    assert_eq!((answer.count, answer.flag, answer.ratio, &answer.word), (None, None, None, &None));
    assert!(answer.item.is_none() && answer.items.is_empty() && answer.prices.is_empty() && answer.at.is_none());
    // Every drift says what is wrong.
    for drift in answer.drift() {
        let DriftKind::Unfit { reason, .. } = drift.kind() else { panic!("{drift:?}") };
        assert!(reason.starts_with("invalid type"), "{drift:?}");
        assert!(drift.to_string().starts_with(&format!("`{}`: ", drift.path())), "{drift}");
    }

    // XML the same, an element of elements where a value belongs included: the misfit is
    // skipped whole and what follows it is read.
    let answer = decode::<Kinds>(&fixture("wrong-kinds.xml"), Format::Xml).unwrap();
    assert_eq!((answer.ok_flag, answer.ok_text_flag, answer.total), (Some(true), Some(false), Some(7)));
    let found: Vec<(&str, &str)> = answer.drift().iter().map(|drift| (drift.path(), unfit(drift).0)).collect();
    let expected: Vec<(&str, &str)> = expected.iter().map(|(path, what, _)| (*path, *what)).collect();
    assert_eq!(found, expected);
    assert_eq!((answer.count, answer.flag, answer.ratio, &answer.word), (None, None, None, &None));
    assert!(answer.item.is_none() && answer.items.is_empty() && answer.prices.is_empty() && answer.at.is_none());
}

#[test]
fn an_answer_that_fits_has_no_drift() {
    let body = br#"{"taobao_test_kinds_get_response":{"count":"3","flag":"true","ratio":0.5,"word":7,"items":{"order":[{"oid":1}]},"prices":["1.50",2],"at":"2024-01-02 03:04:05","ok_flag":true,"total":null}}"#;
    let body = String::from_utf8_lossy(body).replace("taobao_test_kinds_get_response", "test_kinds_get_response");
    let answer = decode::<Kinds>(body.as_bytes(), Format::Json).unwrap();
    assert!(answer.drift().is_empty(), "{:?}", answer.drift());
    assert_eq!((answer.count, answer.word.as_deref(), answer.items.len()), (Some(3), Some("7"), 1));
}

#[test]
fn a_client_reads_leniently_unless_told_all_or_nothing() {
    let fake = FakeTransport::new();
    for _ in 0..2 {
        fake.push(HttpResponse::new(200, fixture("isv-user-info.json")));
    }
    let lenient = Client::builder("12345678", "secret").transport(fake.clone()).build().unwrap();
    let answer = lenient.execute(&UserInfo).unwrap();
    assert_eq!(places(answer.drift()), ["result.data.options", "result.error_code"]);
    let strict = Client::builder("12345678", "secret").transport(fake).strict_answers(true).build().unwrap();
    let err = strict.execute(&UserInfo).unwrap_err();
    assert!(err.is_decode(), "{err:?}");
}

#[test]
fn what_follows_a_value_left_out_is_read_in_objects_and_list_items() {
    let xml = "<test_kinds_get_response><count></count><flag>maybe</flag><items><order><oid></oid>\
        <title>first</title><num>x</num></order><order><oid>2</oid><title>second</title></order></items>\
        <word>w</word><total>7</total></test_kinds_get_response>";
    let json = r#"{"test_kinds_get_response":{"count":"","flag":"maybe","items":{"order":[{"oid":"","title":"first","num":"x"},{"oid":2,"title":"second"}]},"word":"w","total":7}}"#;
    for (body, format) in [(xml, Format::Xml), (json, Format::Json)] {
        let answer = decode::<Kinds>(body.as_bytes(), format).unwrap_or_else(|err| panic!("{format:?}: {err}"));
        let titles: Vec<_> = answer.items.iter().map(|o| (o.oid, o.title.as_deref(), o.num)).collect();
        assert_eq!(titles, [(None, Some("first"), None), (Some(2), Some("second"), None)], "{format:?}");
        assert_eq!((answer.word.as_deref(), answer.total), (Some("w"), Some(7)), "{format:?}");
        // A blank is a value left out, not a disagreement; a word for a number is one.
        assert_eq!(places(answer.drift()), ["flag", "items[0].num"], "{format:?}");
    }
}
