//! `top sandbox` refuses what the platform refuses: every param the catalog types is read as
//! its type, with its members and limits, before an answer is made; its clock is its own;
//! and the typed client's checks before sending agree with the gateway's on the same values.

use std::time::{Duration, SystemTime};

use serde::Deserialize;
use top_api::sandbox::Sandbox;
use top_api::tbk::{TaobaoTbkDgNewuserOrderSum, TaobaoTbkScAdzoneCreate};
use top_api::{top_api, DateTime, Error, File};
use top_cli::serve::serve_catalog;

/// A sandbox answering every API of the catalog, as `top sandbox` does.
fn catalog_sandbox() -> Sandbox {
    let sandbox = Sandbox::start().expect("a sandbox starts");
    serve_catalog(&sandbox);
    sandbox
}

/// What the gateway made of an untyped call: `Ok` for an answer, or the refusal's code and
/// the param its message names.
fn outcome(sandbox: &Sandbox, method: &str, params: &[(&str, &str)]) -> Result<(), (i64, String)> {
    let client = sandbox.client().build().expect("a client").with_session(sandbox.session());
    match client.call(method, params.iter().map(|(name, value)| (*name, *value))) {
        Ok(_) => Ok(()),
        Err(err) => Err(refusal(&err)),
    }
}

fn refusal(err: &Error) -> (i64, String) {
    let api = err.api().unwrap_or_else(|| panic!("not a refusal: {err:?}"));
    let param = api.msg().rsplit(':').next().unwrap_or_default().to_owned();
    (api.code(), param)
}

/// Each value of `valid` is answered and each of `malformed` refused with 41 naming
/// `param`, the other params being `rest`.
fn check_values(
    sandbox: &Sandbox,
    method: &str,
    param: &str,
    rest: &[(&str, &str)],
    valid: &[&str],
    malformed: &[&str],
) {
    let with = |value: &str| {
        let mut params = rest.to_vec();
        params.push((param, value));
        outcome(sandbox, method, &params)
    };
    for value in valid {
        assert_eq!(with(value), Ok(()), "{method} {param}={value:?} is valid");
    }
    for value in malformed {
        assert_eq!(with(value), Err((41, param.to_owned())), "{method} {param}={value:?} is malformed");
    }
}

#[test]
fn booleans_are_true_or_false() {
    let sandbox = catalog_sandbox();
    check_values(
        &sandbox,
        "tmall.car.contract.download",
        "html",
        &[],
        &["true", "false", "True", "FALSE"],
        &["maybe", "yes", "1", "t"],
    );
}

#[test]
fn dates_are_read_in_the_platform_s_forms() {
    let sandbox = catalog_sandbox();
    check_values(
        &sandbox,
        "taobao.simba.keywordids.changed.get",
        "start_time",
        &[],
        &["2024-01-01 00:00:00", "2024-02-29 23:59:59", "2024-01-01", "1733300100000"],
        &[
            "2024-13-45 99:99:99",
            "not-a-date",
            "2023-02-29",
            // A JavaScript `Date` as the official Node SDK sends it, quotes included.
            "\"2026-12-04T07:55:00.000Z\"",
            "2026-12-04T07:55:00.000Z",
        ],
    );
}

#[test]
fn numbers_decimals_and_their_lists_are_read_as_such() {
    let sandbox = catalog_sandbox();
    let sku = [("num_iid", "1"), ("properties", "1627207:28332"), ("quantity", "3")];
    check_values(&sandbox, "taobao.item.sku.add", "price", &sku, &["9.99", "10", "0.5"], &["abc", "9.9.9", "1e"]);
    check_values(
        &sandbox,
        "taobao.item.sku.add",
        "quantity",
        &[("num_iid", "1"), ("properties", "p"), ("price", "1")],
        &["3"],
        &["3.5", "three"],
    );
    check_values(
        &sandbox,
        "xiami.api.song.detail.get",
        "song_ids",
        &[],
        &["1,2", "7"],
        &["1,x", "1,,2", "1.5", &(1..=21).map(|n| n.to_string()).collect::<Vec<_>>().join(",")],
    );
    // Each item of a list within its minimum (1), and at most 10 of them.
    check_values(
        &sandbox,
        "taobao.crm.members.group.batchadd",
        "group_ids",
        &[("buyer_nicks", "a,b")],
        &["1,2", "5"],
        &["1,0", "-3", "1,2,3,4,5,6,7,8,9,10,11"],
    );
    // A `Number`'s `maxLength` counts its digits (3 here).
    check_values(&sandbox, "taobao.crm.groups.get", "current_page", &[], &["1", "999"], &["1000", "x"]);
    // Digits (1), and a range (0 to 3).
    check_values(
        &sandbox,
        "taobao.rds.db.get",
        "db_status",
        &[("instance_name", "i")],
        &["0", "3"],
        &["4", "-1", "10"],
    );
}

#[test]
fn json_params_are_json() {
    let sandbox = catalog_sandbox();
    check_values(
        &sandbox,
        "taobao.top.event.publish",
        "content",
        &[("trigger_code", "t")],
        &[r#"{"a":1}"#, "[1,2]", "\"text\"", "3"],
        &["{a:1}", "{\"a\":", "not json"],
    );
}

#[test]
fn objects_are_json_objects_with_their_required_members_of_their_types() {
    let sandbox = catalog_sandbox();
    check_values(
        &sandbox,
        "alibaba.alihealth.alidoc.drug.store.update",
        "drug_store_update_top_request",
        &[],
        &[
            r#"{"drug_store_code":"c1"}"#,
            r#"{"drug_store_code":"c1","status":1,"medicare_label":"0","drug_store_name":"A"}"#,
            // Members the catalog does not list are the service's business.
            r#"{"drug_store_code":"c1","extra":[1]}"#,
        ],
        &[
            "not json",
            "[]",
            "{}",
            r#"{"drug_store_code":null}"#,
            r#"{"drug_store_name":"no code"}"#,
            r#"{"drug_store_code":"c1","status":"x"}"#,
            r#"{"drug_store_code":"c1","status":1.5}"#,
            r#"{"drug_store_code":{"nested":true}}"#,
            r#"[{"drug_store_code":"c1"}]"#,
        ],
    );
    let order = [
        ("service_product_id", "1"),
        ("service_object_type", "t"),
        ("service_content", "c"),
        ("service_count", "1"),
        ("out_order_id", "o"),
        ("source", "s"),
    ];
    let with_buyer: Vec<(&str, &str)> =
        order.iter().copied().chain([("buyer", r#"{"buyer_name":"n","mobile":"1"}"#)]).collect();
    check_values(
        &sandbox,
        "tmall.servicecenter.spserviceorder.create",
        "service_properties",
        &with_buyer,
        &[r#"{"k":"v"}"#],
        &["k=v", "{"],
    );
    let with_properties: Vec<(&str, &str)> = order.iter().copied().chain([("service_properties", "{}")]).collect();
    check_values(
        &sandbox,
        "tmall.servicecenter.spserviceorder.create",
        "buyer",
        &with_properties,
        &[r#"{"buyer_name":"n","mobile":"1","location":7}"#],
        &[r#"{"buyer_name":"n"}"#, r#"{"buyer_name":"n","mobile":"1","location":"near"}"#, "[]"],
    );
}

#[test]
fn lists_of_objects_are_json_lists_of_objects() {
    let sandbox = catalog_sandbox();
    check_values(
        &sandbox,
        "taobao.tbk.spread.get",
        "requests",
        &[],
        &[r#"[{"url":"https://a.example/1"}]"#, r#"[{"url":"u1"},{"url":"u2"}]"#, "[]"],
        &[r#"{"url":"u"}"#, r#"[{}]"#, r#"[{"url":"u"},3]"#, "u", "not json"],
    );
}

#[test]
fn a_file_over_its_size_is_refused_and_the_typed_client_refuses_it_first() {
    /// `taobao.product.img.upload` as a user declares it, with no limit of their own.
    #[top_api(method = "taobao.product.img.upload", response = ImgUploadResponse)]
    struct ImgUpload {
        product_id: i64,
        image: File,
    }
    /// The same, with the limit the generated API carries (`max_len = 1048576`).
    #[top_api(method = "taobao.product.img.upload", response = ImgUploadResponse)]
    struct ImgUploadLimited {
        product_id: i64,
        #[top(max_len = 1048576)]
        image: File,
    }
    #[derive(Deserialize, Debug)]
    struct ImgUploadResponse {}

    let sandbox = catalog_sandbox();
    let client = sandbox.client().build().unwrap().with_session(sandbox.session());
    let image = |bytes: usize| File::from_bytes("a.jpg", vec![0xA5; bytes]);
    client.execute(&ImgUpload { product_id: 1, image: image(1_048_576) }).expect("at the limit");
    let err = client.execute(&ImgUpload { product_id: 1, image: image(1_048_577) }).unwrap_err();
    assert_eq!(refusal(&err), (41, "image".to_owned()), "{err}");
    let err = err.api().unwrap();
    assert_eq!(err.sub_msg(), Some("`image` is 1048577 bytes, over its limit of 1048576"));

    let calls = sandbox.calls().len();
    client.execute(&ImgUploadLimited { product_id: 1, image: image(1_048_576) }).expect("at the limit");
    let err = client.execute(&ImgUploadLimited { product_id: 1, image: image(1_048_577) }).unwrap_err();
    let Error::Check(check) = &err else { panic!("refused before sending: {err:?}") };
    assert_eq!((check.code(), check.param()), (41, "image"));
    assert_eq!(check.message(), "is 1048577 bytes, over its limit of 1048576");
    assert_eq!(sandbox.calls().len(), calls + 1, "the typed client sent nothing for the file over its limit");
}

/// A typed call's outcome as [`outcome`] gives an untyped one's: the client's own refusal
/// before sending, or the gateway's.
fn typed_outcome(result: Result<(), Error>) -> Result<(), (i64, String)> {
    result.map_err(|err| match &err {
        Error::Check(check) => (check.code(), check.param().to_owned()),
        other => refusal(other),
    })
}

#[test]
fn the_typed_client_and_the_gateway_agree_on_the_same_values() {
    let sandbox = catalog_sandbox();
    let client = sandbox.client().build().unwrap().with_session(sandbox.session());
    for page_size in [-1, 0, 1, 50, 100, 101, i64::MAX] {
        let typed = TaobaoTbkDgNewuserOrderSum { page_size, page_no: 1, activity_id: "a".into(), ..Default::default() };
        let typed = typed_outcome(client.execute(&typed).map(drop));
        let text = page_size.to_string();
        let untyped = outcome(
            &sandbox,
            "taobao.tbk.dg.newuser.order.sum",
            &[("page_size", &text), ("page_no", "1"), ("activity_id", "a")],
        );
        assert_eq!(typed, untyped, "page_size {page_size}");
        assert_eq!(typed.is_ok(), (1..=100).contains(&page_size), "page_size {page_size}");
    }
    for chars in [0, 1, 64, 65, 200] {
        let name = "宝".repeat(chars);
        let typed = TaobaoTbkScAdzoneCreate { site_id: 1, adzone_name: name.clone() };
        let typed = typed_outcome(client.execute(&typed).map(drop));
        let untyped = outcome(&sandbox, "taobao.tbk.sc.adzone.create", &[("site_id", "1"), ("adzone_name", &name)]);
        assert_eq!(typed, untyped, "adzone_name of {chars} characters");
    }
}

/// The gateway's time, read through `taobao.time.get`.
fn gateway_time(sandbox: &Sandbox) -> SystemTime {
    let client = sandbox.client().build().unwrap();
    let answer = client.call("taobao.time.get", [("fields", "time")]).expect("taobao.time.get answers");
    let text = answer.get()["time"].as_str().expect("a time").to_owned();
    DateTime::parse(&text).expect("yyyy-MM-dd HH:mm:ss").into()
}

fn apart(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b).or_else(|_| b.duration_since(a)).unwrap_or_default()
}

#[test]
fn time_get_answers_the_sandbox_s_clock_and_timestamps_are_checked_against_it() {
    let sandbox = catalog_sandbox();
    assert!(apart(gateway_time(&sandbox), SystemTime::now()) < Duration::from_secs(5));

    // Five minutes ahead: within the ten minutes the gateway takes, and what it answers.
    let ahead = SystemTime::now() + Duration::from_secs(300);
    sandbox.set_clock(ahead);
    assert!(apart(gateway_time(&sandbox), ahead) < Duration::from_secs(5));

    // A sample answer's times follow the same clock.
    let client = sandbox.client().build().unwrap().with_session(sandbox.session());
    let answer = client.call("alibaba.wdk.time.get", std::iter::empty::<(&str, &str)>()).unwrap();
    let date = answer.get()["date"].as_str().expect("a date").to_owned();
    let date: SystemTime = DateTime::parse(&date).expect("yyyy-MM-dd HH:mm:ss").into();
    assert!(apart(date, ahead) < Duration::from_secs(5));

    // A day ahead: a client on the machine's clock is refused as the platform refuses it.
    sandbox.set_clock(SystemTime::now() + Duration::from_secs(24 * 3600));
    let err = client.call("taobao.time.get", [("fields", "time")]).unwrap_err();
    assert_eq!(err.api().map(|api| api.code()), Some(31), "{err}");

    // Started a day behind, by the builder.
    let behind = Sandbox::builder().clock(SystemTime::now() - Duration::from_secs(24 * 3600)).start().unwrap();
    let err = behind.client().build().unwrap().call("taobao.time.get", [("fields", "time")]).unwrap_err();
    assert_eq!(err.api().map(|api| api.code()), Some(31), "{err}");
}

mod qimen {
    use std::io::{Read, Write};

    use top_api::{top_api, Object, SignMethod};

    use super::*;

    /// A part of `taobao.qimen.entryorder.create`'s request, every member optional here, so
    /// that what the catalog requires can be left out.
    #[derive(Debug, Clone, Default, PartialEq, Object)]
    pub struct Body {
        #[top(rename = "entryOrder")]
        pub entry_order: Option<Order>,
        #[top(rename = "orderLines")]
        pub order_lines: Option<Vec<OrderLine>>,
    }

    #[derive(Debug, Clone, Default, PartialEq, Object)]
    pub struct Order {
        #[top(rename = "entryOrderCode")]
        pub entry_order_code: Option<String>,
        #[top(rename = "ownerCode")]
        pub owner_code: Option<String>,
        #[top(rename = "warehouseCode")]
        pub warehouse_code: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq, Object)]
    pub struct OrderLine {
        #[top(rename = "ownerCode")]
        pub owner_code: Option<String>,
        #[top(rename = "itemCode")]
        pub item_code: Option<String>,
        #[top(rename = "planQty")]
        pub plan_qty: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq, Object)]
    pub struct Answer {
        pub flag: Option<String>,
        #[top(rename = "entryOrderId")]
        pub entry_order_id: Option<String>,
    }

    #[top_api(method = "taobao.qimen.entryorder.create", response = Answer, qimen = true)]
    #[derive(Debug, Clone, Default)]
    pub struct EntryOrderCreate {
        #[top(rename = "customerId")]
        pub customer_id: String,
        #[top(object)]
        pub request: Option<Body>,
    }

    fn order() -> Order {
        Order { entry_order_code: Some("E1".into()), owner_code: Some("O1".into()), warehouse_code: Some("W1".into()) }
    }

    fn line(plan_qty: &str) -> OrderLine {
        OrderLine { owner_code: Some("O1".into()), item_code: Some("I1".into()), plan_qty: Some(plan_qty.into()) }
    }

    fn call(sandbox: &Sandbox, body: Body) -> Result<Answer, (i64, String)> {
        let client = sandbox.client().build().unwrap();
        let request = EntryOrderCreate { customer_id: "C1".into(), request: Some(body) };
        client.execute(&request).map(top_api::Response::into_inner).map_err(|err| {
            let api = err.api().unwrap_or_else(|| panic!("not a refusal: {err:?}"));
            (api.code(), api.msg().to_owned())
        })
    }

    #[test]
    fn top_sandbox_serves_qimen_apis_at_the_router_with_the_catalog_s_checks_of_the_body() {
        let sandbox = catalog_sandbox();
        let ok = call(&sandbox, Body { entry_order: Some(order()), order_lines: Some(vec![line("2")]) }).unwrap();
        assert_eq!(ok.flag.as_deref(), Some("success"));
        assert_eq!(ok.entry_order_id.as_deref(), Some("entryOrderId"));

        let lacking = Order { owner_code: None, ..order() };
        let (code, message) = call(&sandbox, Body { entry_order: Some(lacking), order_lines: None }).unwrap_err();
        assert_eq!(code, 41, "{message}");
        assert!(message.contains("entryOrder.ownerCode"), "{message}");

        let not_a_number = Body { entry_order: Some(order()), order_lines: Some(vec![line("many")]) };
        let (code, message) = call(&sandbox, not_a_number).unwrap_err();
        assert_eq!(code, 41, "{message}");
        assert!(message.contains("orderLines[0].planQty"), "{message}");
    }

    #[test]
    fn top_sandbox_refuses_a_qimen_body_that_is_not_xml() {
        let sandbox = catalog_sandbox();
        let now = sandbox.clock().now_gmt8().to_string();
        let body = "{\"entryOrder\":{}}";
        let mut params: Vec<(String, String)> = [
            ("method", "taobao.qimen.entryorder.create"),
            ("app_key", sandbox.app_key()),
            ("timestamp", now.as_str()),
            ("v", "2.0"),
            ("format", "xml"),
            ("sign_method", "md5"),
            ("customerId", "C1"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let sign = top_api::sign::sign_batch(
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            body,
            sandbox.app_secret(),
            SignMethod::Md5,
        );
        params.push(("sign".to_owned(), sign));
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        let mut stream = std::net::TcpStream::connect(sandbox.addr()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            stream,
            "POST /router/qimen/service?{query} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.contains("<flag>failure</flag><code>41</code>"), "{answer}");
        assert!(answer.contains("not an XML document"), "{answer}");
    }
}
