//! Qimen APIs: the XML body, the query string signed with the body appended, the router's
//! `<response>` read into the answer or a typed refusal; through the public API.

use std::time::{Duration, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use top_api::transport::{FakeTransport, HttpResponse, RecordedRequest};
use top_api::{Client, Error, SignMethod, DEFAULT_QIMEN_GATEWAY};
use top_api_tests::qimen::*;

/// `2015-04-26 00:00:07` in GMT+8.
fn vector_clock() -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_429_977_607)
}

fn vector_request() -> EntryOrderCreate {
    EntryOrderCreate {
        customer_id: "stub-cust-code".into(),
        request: Some(EntryOrderCreateRequest {
            entry_order: Some(EntryOrder {
                entry_order_code: "E1".into(),
                owner_code: "O1".into(),
                warehouse_code: "W1".into(),
                remark: None,
            }),
            ..Default::default()
        }),
    }
}

fn vector_client(fake: &FakeTransport, method: SignMethod) -> Client {
    Client::builder("testerp_appkey", "test")
        .transport(fake.clone())
        .sign_method(method)
        .partner_id("")
        .clock(vector_clock)
        .build()
        .unwrap()
}

const SUCCESS: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>success</flag><code>0</code>\
    <message>ok</message><entryOrderId>EO-42</entryOrderId></response>";

/// The query's params, `sign` apart.
fn query(request: &RecordedRequest) -> (Vec<(String, String)>, String) {
    let (_, query) = request.url.split_once('?').expect("a query string");
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let at = params.iter().position(|(name, _)| name == "sign").expect("a sign");
    let (_, sign) = params.remove(at);
    (params, sign)
}

/// The rule, written out here: the params sorted by name, each name then value, then the
/// body; MD5 with the secret around it, or an HMAC keyed by the secret; upper hex.
fn expected_sign(params: &[(String, String)], body: &str, secret: &str, method: SignMethod) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut text: String = sorted.iter().map(|(name, value)| format!("{name}{value}")).collect();
    text.push_str(body);
    let bytes = match method {
        SignMethod::Md5 => Md5::digest(format!("{secret}{text}{secret}")).to_vec(),
        SignMethod::Hmac => {
            let mut mac = Hmac::<Md5>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        SignMethod::HmacSha256 => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        _ => unreachable!("no other sign method"),
    };
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn the_protocol_vector_the_body_in_xml_and_the_query_signed_with_it() {
    let fake = FakeTransport::new();
    fake.push(HttpResponse::new(200, SUCCESS));
    let answer = vector_client(&fake, SignMethod::Md5).execute(&vector_request()).unwrap();
    assert_eq!(answer.entry_order_id.as_deref(), Some("EO-42"));
    assert_eq!(answer.flag.as_deref(), Some("success"));

    let request = &fake.requests()[0];
    let body = "<request><entryOrder><entryOrderCode>E1</entryOrderCode><ownerCode>O1</ownerCode>\
                <warehouseCode>W1</warehouseCode></entryOrder></request>";
    assert_eq!(String::from_utf8_lossy(&request.body), body);
    assert_eq!(request.content_type, "text/xml;charset=utf-8");
    assert!(request.url.starts_with(&format!("{DEFAULT_QIMEN_GATEWAY}?")), "{}", request.url);
    let (params, sign) = query(request);
    let mut names: Vec<&str> = params.iter().map(|(name, _)| name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["app_key", "customerId", "format", "method", "sign_method", "timestamp", "v"]);
    let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(get("format"), Some("xml"));
    assert_eq!(get("timestamp"), Some("2015-04-26 00:00:07"));
    assert_eq!(get("customerId"), Some("stub-cust-code"));
    assert_eq!(sign, "DB1ECDDED9F7154F154E40349BBDEF6F");
}

#[test]
fn wire_params_show_what_a_qimen_call_sends_signed_as_the_router_checks_it() {
    let fake = FakeTransport::new();
    let params = vector_client(&fake, SignMethod::Md5).wire_params(&vector_request(), None).unwrap();
    let pairs: Vec<(String, String)> = params.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
    let (last, rest) = pairs.split_last().unwrap();
    assert_eq!(last.0, "sign");
    assert_eq!(last.1, "DB1ECDDED9F7154F154E40349BBDEF6F", "the protocol's vector, as the call itself signs");
    let (body, query) = rest.split_last().unwrap();
    assert_eq!(body.0, "request");
    assert!(body.1.starts_with("<request><entryOrder>"), "{}", body.1);
    assert_eq!(last.1, expected_sign(query, &body.1, "test", SignMethod::Md5));
    assert!(query.iter().any(|(n, v)| n == "format" && v == "xml"));
    assert!(fake.requests().is_empty(), "nothing is sent");
}

#[test]
fn every_sign_method_signs_the_query_and_the_body() {
    for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let fake = FakeTransport::new();
        fake.push(HttpResponse::new(200, SUCCESS));
        let client = Client::builder("k", "secret-x").transport(fake.clone()).sign_method(method).build().unwrap();
        client.with_session("sess-1").execute(&vector_request()).unwrap();
        let request = &fake.requests()[0];
        let (params, sign) = query(request);
        assert!(params.iter().any(|(n, v)| n == "session" && v == "sess-1"));
        let body = String::from_utf8(request.body.clone()).unwrap();
        assert_eq!(sign, expected_sign(&params, &body, "secret-x", method), "{method:?}");
    }
}

#[test]
fn lists_are_wrapped_and_their_items_named_after_their_type_and_text_is_escaped() {
    let fake = FakeTransport::new();
    fake.push(HttpResponse::new(200, SUCCESS));
    let mut request = vector_request();
    let inner = request.request.as_mut().unwrap();
    inner.entry_order.as_mut().unwrap().remark = Some("a & b <c> \"d\"".into());
    inner.order_lines = Some(vec![
        OrderLine {
            item_code: "I1".into(),
            plan_qty: Some(2),
            sn_list: Some(SnList { sn: Some(vec!["S1".into(), "S2".into()]) }),
        },
        OrderLine { item_code: "I2".into(), plan_qty: None, sn_list: None },
    ]);
    inner.extend_props = Some(serde_json::json!({"k": "v", "n": 3}));
    vector_client(&fake, SignMethod::Md5).execute(&request).unwrap();
    let body = String::from_utf8(fake.requests()[0].body.clone()).unwrap();
    assert!(body.contains("<remark>a &amp; b &lt;c&gt; &quot;d&quot;</remark>"), "{body}");
    assert!(
        body.contains(
            "<orderLines><orderLine><itemCode>I1</itemCode><planQty>2</planQty><snList><sn><string>S1</string>\
             <string>S2</string></sn></snList></orderLine><orderLine><itemCode>I2</itemCode></orderLine></orderLines>"
        ),
        "{body}"
    );
    assert!(body.contains("<extendProps><k>v</k><n>3</n></extendProps>"), "{body}");
}

#[test]
fn a_request_whose_body_cannot_be_written_or_lacks_a_required_member_is_not_sent() {
    let fake = FakeTransport::new();
    let client = vector_client(&fake, SignMethod::Md5);

    let mut missing = vector_request();
    missing.request.as_mut().unwrap().entry_order.as_mut().unwrap().owner_code = " ".into();
    let err = client.execute(&missing).unwrap_err();
    assert!(matches!(&err, Error::Check(check) if check.param() == "request.entryOrder.ownerCode"), "{err:?}");

    let mut control = vector_request();
    control.request.as_mut().unwrap().entry_order.as_mut().unwrap().remark = Some("bell \u{7}".into());
    let err = client.execute(&control).unwrap_err();
    assert!(matches!(&err, Error::Param { name: "request", reason } if reason.contains("U+0007")), "{err:?}");

    let mut key = vector_request();
    key.request.as_mut().unwrap().extend_props = Some(serde_json::json!({"not a name": 1}));
    let err = client.execute(&key).unwrap_err();
    assert!(matches!(&err, Error::Param { name: "request", reason } if reason.contains("not a name")), "{err:?}");

    let no_customer = EntryOrderCreate { customer_id: String::new(), ..vector_request() };
    let err = client.execute(&no_customer).unwrap_err();
    assert!(matches!(&err, Error::Check(check) if check.param() == "customerId"), "{err:?}");
    assert!(fake.requests().is_empty(), "nothing was sent");
}

/// The answer to one call of the vector's request, or the failure.
fn answer(body: &str) -> Result<top_api::Response<EntryOrderCreateResponse>, Error> {
    let fake = FakeTransport::new();
    fake.push(HttpResponse::new(200, body.as_bytes().to_vec()));
    vector_client(&fake, SignMethod::Md5).execute(&vector_request())
}

#[test]
fn a_failure_flag_is_a_refusal_with_the_router_s_code_and_message() {
    let err = answer("<response><flag>failure</flag><code>SYSTEM_ERROR</code><message>库存不足</message></response>")
        .unwrap_err();
    let api = err.api().expect("a refusal");
    assert_eq!((api.code(), api.sub_code(), api.msg()), (15, Some("SYSTEM_ERROR"), "库存不足"));

    let err = answer("<response><flag>failure</flag><code>25</code><message>Invalid signature</message></response>")
        .unwrap_err();
    assert_eq!(err.api().map(|api| api.code()), Some(25));
    assert!(err.is_auth());

    let err = answer("<error_response><code>29</code><msg>Invalid app Key</msg></error_response>").unwrap_err();
    assert_eq!(err.api().map(|api| api.code()), Some(29));
}

#[test]
fn what_is_no_qimen_answer_is_a_typed_error_never_a_panic() {
    let no_flag = answer("<response><code>0</code><entryOrderId>E</entryOrderId></response>").unwrap_err();
    assert!(matches!(&no_flag, Error::Decode(failure) if failure.path() == Some("flag")), "{no_flag:?}");
    let odd_flag = answer("<response><flag>maybe</flag></response>").unwrap_err();
    assert!(matches!(&odd_flag, Error::Decode(failure) if failure.message().contains("maybe")), "{odd_flag:?}");
    for (body, reason) in [
        ("", "an empty body"),
        ("<html><body>502 Bad Gateway</body></html>", "an HTML page"),
        ("upstream timed out", "text, not XML"),
        ("<response", "malformed XML"),
        ("<result><flag>success</flag></result>", "an XML document without a <response> root"),
    ] {
        let err = answer(body).unwrap_err();
        assert!(matches!(&err, Error::NotAnAnswer { reason: got, .. } if *got == reason), "{body:?}: {err:?}");
    }
    // An answer cut short is an answer that cannot be read.
    let cut = answer("<response><flag>success</flag>").unwrap_err();
    assert!(matches!(&cut, Error::Decode(failure) if failure.message().contains("not closed")), "{cut:?}");
    let bytes = answer("<response><flag>success</flag><entryOrderId>\u{fffd}</entryOrderId></response>");
    assert!(bytes.is_ok());
}

#[test]
fn a_success_answer_s_misfit_is_a_drift_and_strict_answers_refuse_it() {
    let body = "<response><flag>success</flag><code>0</code><message/><totalLines>many</totalLines>\
                <entryOrderId>E9</entryOrderId><extra>x</extra></response>";
    let read = answer(body).unwrap();
    assert_eq!((read.total_lines, read.entry_order_id.as_deref()), (None, Some("E9")));
    let places: Vec<&str> = read.drift().iter().map(|drift| drift.path()).collect();
    assert!(places.contains(&"totalLines") && places.contains(&"extra"), "{places:?}");

    let fake = FakeTransport::new();
    fake.push(HttpResponse::new(200, body.as_bytes().to_vec()));
    let strict = Client::builder("k", "s").transport(fake.clone()).strict_answers(true).build().unwrap();
    let err = strict.execute(&vector_request()).unwrap_err();
    assert!(matches!(&err, Error::Decode(failure) if failure.path() == Some("totalLines")), "{err:?}");
}

#[test]
fn the_qimen_gateway_follows_the_gateway_unless_given() {
    let client = |gateway: &str| Client::builder("k", "s").gateway(gateway).build().unwrap();
    assert_eq!(client("https://eco.taobao.com/router/rest").qimen_gateway(), DEFAULT_QIMEN_GATEWAY);
    assert_eq!(client("http://gw.api.taobao.com/router/rest").qimen_gateway(), DEFAULT_QIMEN_GATEWAY);
    assert_eq!(
        client("https://gw.api.tbsandbox.com/router/rest").qimen_gateway(),
        "http://qimenapi.tbsandbox.com/router/qimen/service"
    );
    assert_eq!(client("http://127.0.0.1:9/router/rest").qimen_gateway(), "http://127.0.0.1:9/router/qimen/service");
    let given = Client::builder("k", "s").qimen_gateway("http://127.0.0.1:7/q").build().unwrap();
    assert_eq!(given.qimen_gateway(), "http://127.0.0.1:7/q");
    let bad = Client::builder("k", "s").qimen_gateway("ftp://x").build().unwrap_err();
    assert!(matches!(bad, Error::Config(top_api::ConfigError::BadUrl { what: "Qimen gateway", .. })));
}

mod sandbox {
    use std::sync::{Arc, Mutex};

    use top_api::sandbox::{Fault, Sandbox};
    use top_api::{ApiError, CallOptions, Client, Error, RetryPolicy, SignMethod};

    use super::*;

    fn full_request() -> EntryOrderCreate {
        let mut request = vector_request();
        let inner = request.request.as_mut().unwrap();
        inner.entry_order.as_mut().unwrap().remark = Some("a & b <c> 宝贝".into());
        inner.order_lines = Some(vec![OrderLine {
            item_code: "I1".into(),
            plan_qty: Some(9_007_199_254_740_993),
            sn_list: Some(SnList { sn: Some(vec!["S1".into(), "S2".into()]) }),
        }]);
        inner.extend_props = Some(serde_json::json!({"k": "v"}));
        request
    }

    fn ok_answer() -> EntryOrderCreateResponse {
        EntryOrderCreateResponse { entry_order_id: Some("EO-7".into()), ..Default::default() }
    }

    #[test]
    fn the_sandbox_router_hands_the_handler_the_request_sent_in_every_sign_method() {
        let sandbox = Sandbox::start().unwrap();
        let seen: Arc<Mutex<Vec<EntryOrderCreate>>> = Arc::default();
        let into = seen.clone();
        sandbox.handle(move |request: EntryOrderCreate| {
            into.lock().unwrap().push(request);
            Ok(ok_answer())
        });
        for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
            let client = sandbox.client().sign_method(method).build().unwrap();
            let answer = client.execute(&full_request()).unwrap_or_else(|err| panic!("{method:?}: {err}"));
            assert_eq!(answer.entry_order_id.as_deref(), Some("EO-7"));
            assert_eq!((answer.flag.as_deref(), answer.code.as_deref()), (Some("success"), Some("0")));
        }
        assert_eq!(*seen.lock().unwrap(), vec![full_request(); 3]);
        let calls = sandbox.calls();
        assert!(calls.iter().all(|call| call.qimen && call.error_code.is_none()), "{calls:?}");
        let body = calls[0].params.iter().find(|(name, _)| name == "request").map(|(_, body)| body.as_str());
        assert!(body.is_some_and(|body| body.starts_with("<request><entryOrder>")), "{body:?}");
    }

    #[test]
    fn a_refusal_of_the_handler_or_a_fault_comes_back_as_a_typed_refusal() {
        let sandbox = Sandbox::start().unwrap();
        sandbox.handle(|_: EntryOrderCreate| {
            Err(ApiError::new(15, "Remote service error").with_sub("SYSTEM_ERROR", "库存不足"))
        });
        let client = sandbox.client().build().unwrap();
        let err = client.execute(&vector_request()).unwrap_err();
        let api = err.api().expect("a refusal");
        assert_eq!((api.code(), api.sub_code(), api.msg()), (15, Some("SYSTEM_ERROR"), "库存不足"));

        sandbox.fail_next(1, Fault::Throttled { ban_seconds: 3 });
        let err = client.execute(&vector_request()).unwrap_err();
        assert!(err.is_throttled(), "{err:?}");
        assert_eq!(err.ban_seconds(), Some(3));

        // The road's retries are a Qimen call's too.
        sandbox.handle(|_: EntryOrderCreate| Ok(ok_answer()));
        sandbox.fail_next(1, Fault::BadGateway);
        let retrying = sandbox.client().retry(RetryPolicy::default()).build().unwrap();
        let read = retrying.execute_with(&vector_request(), &CallOptions::new().idempotent(true)).unwrap();
        assert_eq!(read.entry_order_id.as_deref(), Some("EO-7"));
    }

    /// Posts `body` to the sandbox's router with `query` (signed unless it has a `sign`).
    fn post(sandbox: &Sandbox, query: &[(&str, &str)], body: &str, secret: &str) -> String {
        let mut params: Vec<(String, String)> = query.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        if !params.iter().any(|(name, _)| name == "sign") {
            let sign = expected_sign(&params, body, secret, SignMethod::Md5);
            params.push(("sign".to_owned(), sign));
        }
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        let url = sandbox.url().replace("/router/rest", &format!("/router/qimen/service?{query}"));
        let mut answer =
            ureq::post(&url).header("Content-Type", "text/xml;charset=utf-8").send(body.as_bytes()).expect("answered");
        answer.body_mut().read_to_string().unwrap()
    }

    #[test]
    fn the_router_checks_the_sign_the_body_and_its_members_as_the_platform_does() {
        let sandbox = Sandbox::start().unwrap();
        sandbox.handle(|_: EntryOrderCreate| Ok(ok_answer()));
        let now = sandbox.clock().now_gmt8().to_string();
        let base = [
            ("method", "taobao.qimen.entryorder.create"),
            ("app_key", sandbox.app_key()),
            ("timestamp", now.as_str()),
            ("v", "2.0"),
            ("format", "xml"),
            ("sign_method", "md5"),
            ("customerId", "C1"),
        ];
        let good = "<request><entryOrder><entryOrderCode>E1</entryOrderCode><ownerCode>O1</ownerCode>\
                    <warehouseCode>W1</warehouseCode></entryOrder></request>";
        let secret = sandbox.app_secret().to_owned();
        let ok = post(&sandbox, &base, good, &secret);
        assert!(ok.contains("<flag>success</flag>") && ok.contains("<entryOrderId>EO-7</entryOrderId>"), "{ok}");

        let code = |answer: &str| -> Option<String> {
            let start = answer.find("<code>")? + 6;
            let end = answer[start..].find("</code>")? + start;
            assert!(answer.contains("<flag>failure</flag>"), "{answer}");
            Some(answer[start..end].to_owned())
        };
        // Signed without the body: the body is part of the signature.
        let mut unsigned = base.to_vec();
        let sign_without_body = expected_sign(
            &base.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>(),
            "",
            &secret,
            SignMethod::Md5,
        );
        unsigned.push(("sign", sign_without_body.as_str()));
        assert_eq!(code(&post(&sandbox, &unsigned, good, &secret)).as_deref(), Some("25"));
        // A body that is not XML, a required member left out, no customer.
        let not_xml = post(&sandbox, &base, "{\"entryOrder\":{}}", &secret);
        assert_eq!(code(&not_xml).as_deref(), Some("41"), "{not_xml}");
        let missing = post(&sandbox, &base, &good.replace("<ownerCode>O1</ownerCode>", ""), &secret);
        assert_eq!(code(&missing).as_deref(), Some("40"), "{missing}");
        assert!(missing.contains("request.entryOrder.ownerCode"), "{missing}");
        let no_customer: Vec<(&str, &str)> = base.iter().copied().filter(|(k, _)| *k != "customerId").collect();
        let answer = post(&sandbox, &no_customer, good, &secret);
        assert!(code(&answer).as_deref() == Some("40") && answer.contains("customerId"), "{answer}");
        // The wrong app key, an old timestamp.
        let mut other = base.to_vec();
        other[1] = ("app_key", "nobody");
        assert_eq!(code(&post(&sandbox, &other, good, &secret)).as_deref(), Some("29"));
        let mut old = base.to_vec();
        old[2] = ("timestamp", "2015-04-26 00:00:07");
        assert_eq!(code(&post(&sandbox, &old, good, &secret)).as_deref(), Some("31"));
    }

    #[test]
    fn a_qimen_api_is_served_by_the_router_only() {
        let sandbox = Sandbox::start().unwrap();
        sandbox.handle(|_: EntryOrderCreate| Ok(ok_answer()));
        // Sent as a form to the REST gateway, as a client that does not know Qimen would.
        let rest = sandbox.client().build().unwrap();
        let err = rest.call("taobao.qimen.entryorder.create", [("customerId", "C1"), ("request", "{}")]).unwrap_err();
        assert_eq!(err.api().map(|api| api.code()), Some(22), "{err:?}");
        // A client pointed at a router elsewhere does not reach this one.
        let elsewhere = Client::builder(sandbox.app_key(), sandbox.app_secret())
            .gateway(sandbox.url())
            .qimen_gateway(sandbox.url().replace("/router/rest", "/router/nowhere"))
            .build()
            .unwrap();
        assert!(matches!(elsewhere.execute(&vector_request()), Err(Error::Status { status: 404, .. })));
    }
}
