//! The client against the embedded sandbox gateway over real HTTP, and the gateway's
//! own checks through raw requests the client would never send.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use top_api::apis::alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::MarkItem;
use top_api::apis::{AlibabaIdleInteractLoanUserQuery, TaobaoBaodianDepositGet};
use top_api::sandbox::{Fault, Sandbox};
use top_api::{top_api, ApiError, CallOptions, Client, DateTime, Error, Format, SignMethod, TransportErrorKind};
use top_api_tests::{
    author_query, authorinfo_answer, deposit_answer, loan_query, loan_user_query_answer, AuthorQueryByName,
};

const FORMATS: [(Format, bool); 3] = [(Format::Json, false), (Format::Json, true), (Format::Xml, false)];
const SIGNS: [SignMethod; 3] = [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256];

fn code(err: &Error) -> i64 {
    err.api().unwrap_or_else(|| panic!("not a gateway refusal: {err:?}")).code()
}

#[test]
fn every_seed_api_in_every_format_and_sign_method() {
    let sandbox = Sandbox::start().unwrap();
    let mut calls = 0;
    for (format, simplify) in FORMATS {
        for sign in SIGNS {
            let client = sandbox.client().format(format).simplify(simplify).sign_method(sign).build().unwrap();
            let case = format!("{format} simplify={simplify} {sign}");

            let answer = client.execute(&loan_query()).unwrap();
            assert_eq!(answer.get(), &loan_user_query_answer(), "{case}");
            assert!(answer.request_id().is_some_and(|id| id.starts_with("sbx")), "{case}");

            let answer = client.execute(&author_query()).unwrap();
            assert_eq!(answer.get(), &authorinfo_answer(), "{case}");

            let answer = client.with_session(sandbox.session()).execute(&TaobaoBaodianDepositGet).unwrap();
            assert_eq!(answer.get(), &deposit_answer(), "{case}");
            calls += 3;

            // What the gateway received: every param but the sign, as the client wrote it.
            let log = sandbox.calls();
            let last = log.last().unwrap();
            assert_eq!(last.method.as_deref(), Some("taobao.baodian.deposit.get"));
            assert_eq!(last.param("session"), Some(sandbox.session()));
            assert_eq!(last.param("sign_method"), Some(sign.as_str()));
            assert_eq!(last.param("format"), Some(format.as_str()));
            assert_eq!(last.param("simplify"), simplify.then_some("true"));
            assert_eq!(last.param("sign"), None);
            assert_eq!(last.error_code, None);
            let author = &log[log.len() - 2];
            assert_eq!(author.param("user_id"), Some("406797230"));
            assert_eq!(author.param("action_name"), Some("jason_zb"));
        }
    }
    assert_eq!(sandbox.calls().len(), calls);
}

#[test]
fn a_wrong_secret_is_an_invalid_signature() {
    let sandbox = Sandbox::start().unwrap();
    for sign in SIGNS {
        let client = Client::builder(sandbox.app_key(), "wrong-secret")
            .gateway(sandbox.url())
            .sign_method(sign)
            .build()
            .unwrap();
        let err = client.execute(&loan_query()).unwrap_err();
        assert_eq!(code(&err), 25, "{sign}");
        assert_eq!(err.api().unwrap().msg(), "Invalid signature");
    }
}

#[test]
fn a_clock_eleven_minutes_off_is_an_invalid_timestamp() {
    let sandbox = Sandbox::start().unwrap();
    let eleven = Duration::from_secs(11 * 60);
    let nine = Duration::from_secs(9 * 60);
    let ahead = sandbox.client().clock(move || SystemTime::now() + eleven).build().unwrap();
    let behind = sandbox.client().clock(move || SystemTime::now() - eleven).build().unwrap();
    assert_eq!(code(&ahead.execute(&loan_query()).unwrap_err()), 31);
    assert_eq!(code(&behind.execute(&loan_query()).unwrap_err()), 31);
    // Within the ten minutes the gateway allows, the call goes through.
    let close = sandbox.client().clock(move || SystemTime::now() - nine).build().unwrap();
    close.execute(&loan_query()).unwrap();
}

/// The deposit API declared, wrongly, as needing no session: the gateway must refuse it.
#[top_api(method = "taobao.baodian.deposit.get", response = top_api::apis::TaobaoBaodianDepositGetResponse)]
struct DepositWithoutSession;

#[test]
fn a_missing_or_unknown_session_is_refused() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().build().unwrap();
    let err = client.execute(&DepositWithoutSession).unwrap_err();
    assert_eq!((code(&err), err.api().unwrap().msg()), (26, "Missing Session"));
    let err = client.with_session("stolen").execute(&TaobaoBaodianDepositGet).unwrap_err();
    assert_eq!(code(&err), 27);
    assert_eq!(err.api().unwrap().sub_code(), Some("invalid-sessionkey"));
}

/// The loan query without its required `user`.
#[top_api(method = "alibaba.idle.interact.loan.user.query", response = top_api::apis::AlibabaIdleInteractLoanUserQueryResponse)]
struct LoanQueryWithoutUser {
    scene_code: String,
    env: String,
}

#[test]
fn a_missing_or_unreadable_param_is_refused() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().format(Format::Xml).build().unwrap();
    let err = client.execute(&LoanQueryWithoutUser { scene_code: "xx".into(), env: "pre".into() }).unwrap_err();
    assert_eq!((code(&err), err.api().unwrap().msg()), (40, "Missing required arguments:user"));
    let err = client.execute(&AuthorQueryByName { user_id: "jason".into() }).unwrap_err();
    assert_eq!((code(&err), err.api().unwrap().msg()), (41, "Invalid arguments:user_id"));
}

// A typed handler for an API the crate does not ship.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemsSearchResponse {
    pub items: Vec<Item>,
    pub total: Option<i64>,
    pub words: Vec<String>,
    pub searched_at: Option<DateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub num_iid: i64,
    pub title: String,
    pub price: String,
    pub marks: Vec<MarkItem>,
}

/// Searches items.
#[top_api(method = "taobao.items.search", response = ItemsSearchResponse, session = "optional")]
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsSearch {
    pub q: String,
    pub num_iids: Vec<i64>,
    pub page: Option<u32>,
    #[top(rename = "isMall")]
    pub is_mall: bool,
    #[top(json)]
    pub filter: Option<Filter>,
}

fn search() -> ItemsSearch {
    ItemsSearch {
        q: "宝贝 & co".into(),
        num_iids: vec![45_248_893_776_176_307, 2],
        page: None,
        is_mall: true,
        filter: Some(Filter { tags: vec!["a".into()] }),
    }
}

fn search_answer() -> ItemsSearchResponse {
    ItemsSearchResponse {
        items: vec![
            Item {
                num_iid: 45_248_893_776_176_307,
                title: "<宝贝>".into(),
                price: "19.90".into(),
                marks: vec![MarkItem { filed: Some("title".into()), rules: None }],
            },
            Item { num_iid: 2, title: "".into(), price: "0.01".into(), marks: vec![] },
        ],
        total: Some(2),
        words: vec!["a".into(), "b".into()],
        searched_at: Some("2024-02-29 23:59:59".parse().unwrap()),
    }
}

#[test]
fn a_handler_gets_the_typed_request_and_its_answer_comes_back_typed() {
    let sandbox = Sandbox::start().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    sandbox.handle(move |request: ItemsSearch| {
        record.lock().unwrap().push(request.clone());
        if request.q == "nothing" {
            return Err(ApiError::new(50, "Remote service error").with_sub("isv.item-not-exist", "没有商品"));
        }
        Ok(search_answer())
    });
    for (format, simplify) in FORMATS {
        let client = sandbox.client().format(format).simplify(simplify).build().unwrap();
        let answer = client.execute(&search()).unwrap();
        assert_eq!(answer.get(), &search_answer(), "{format} simplify={simplify}");
        let answer = client.with_session(sandbox.session()).execute(&search()).unwrap();
        assert_eq!(answer.get(), &search_answer());

        let err = client.execute(&ItemsSearch { q: "nothing".into(), ..search() }).unwrap_err();
        let api = err.api().unwrap();
        assert_eq!((api.code(), api.sub_code(), api.sub_msg()), (50, Some("isv.item-not-exist"), Some("没有商品")));
        assert!(api.request_id().is_some());
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 9);
    assert_eq!(seen[0], search());
}

#[test]
fn faults_on_demand() {
    let sandbox = Sandbox::start().unwrap();
    // The client's default timeouts: a fault that left the connection open would show as a
    // timeout, not as the broken connection each fault is.
    let client = sandbox.client().build().unwrap();
    let session = client.with_session(sandbox.session());
    let broken = |err: Error| matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::Io);

    sandbox.fail_next(1, Fault::Delay(Duration::from_secs(2)));
    let quick = CallOptions::new().timeout(Duration::from_millis(300));
    assert!(client.execute_with(&loan_query(), &quick).unwrap_err().is_timeout());

    sandbox.fail_next(1, Fault::DropConnection);
    assert!(broken(client.execute(&loan_query()).unwrap_err()));

    sandbox.fail_next(1, Fault::BadGateway);
    let err = client.execute(&loan_query()).unwrap_err();
    assert!(matches!(&err, Error::Status { status: 502, body } if body.contains("502 Bad Gateway")), "{err:?}");

    sandbox.fail_next(1, Fault::TruncatedBody);
    assert!(broken(client.execute(&loan_query()).unwrap_err()));

    // A maintenance page is the gateway not serving: a passing fault, not "fix your type".
    sandbox.fail_next(1, Fault::NotAnAnswer);
    let err = client.execute(&loan_query()).unwrap_err();
    assert!(matches!(&err, Error::NotAnAnswer { body, .. } if body.contains("maintenance")), "{err:?}");
    assert!(err.is_transient() && !err.is_decode(), "{err:?}");

    sandbox.fail_next(2, Fault::Throttled { ban_seconds: 30 });
    for _ in 0..2 {
        let err = client.execute(&loan_query()).unwrap_err();
        let api = err.api().unwrap();
        assert_eq!((api.code(), api.sub_msg()), (7, Some("This ban will last for 30 more seconds")));
    }

    sandbox.fail_method(
        "taobao.baodian.deposit.get",
        Fault::ServerError { sub_code: "isp.remote-service-timeout".into() },
    );
    for _ in 0..2 {
        let err = session.execute(&TaobaoBaodianDepositGet).unwrap_err();
        assert_eq!(err.api().unwrap().sub_code(), Some("isp.remote-service-timeout"));
        // The fault is the deposit API's alone.
        assert_eq!(client.execute(&loan_query()).unwrap().get(), &loan_user_query_answer());
    }
    sandbox.clear_faults();
    assert_eq!(session.execute(&TaobaoBaodianDepositGet).unwrap().get(), &deposit_answer());

    let codes: Vec<Option<i64>> = sandbox.calls().iter().map(|call| call.error_code).collect();
    assert_eq!(codes.len(), 12, "one call each, none repeated");
    assert_eq!(&codes[5..7], &[Some(7), Some(7)]);
}

// The gateway's checks, through raw requests.

#[derive(Clone, Copy, Debug)]
enum Via {
    Body,
    Query,
    Both,
    Get,
    Multipart,
}

fn now_gmt8() -> String {
    DateTime::now().to_string()
}

/// Params as sent, in order.
type Form = Vec<(String, String)>;

/// The system params of a valid md5 call of the loan query, with its own params.
fn base(sandbox: &Sandbox) -> Form {
    [
        ("method", "alibaba.idle.interact.loan.user.query"),
        ("app_key", sandbox.app_key()),
        ("timestamp", &now_gmt8()),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("format", "json"),
        ("user", "3"),
        ("scene_code", "xx"),
        ("env", "pre"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect()
}

fn with(mut params: Vec<(String, String)>, name: &str, value: Option<&str>) -> Vec<(String, String)> {
    params.retain(|(n, _)| n != name);
    if let Some(value) = value {
        params.push((name.to_owned(), value.to_owned()));
    }
    params
}

/// Signs `params` by their own sign_method (md5 when absent).
fn signed(params: Form, secret: &str) -> Form {
    let method = params
        .iter()
        .find(|(n, _)| n == "sign_method")
        .and_then(|(_, v)| SignMethod::from_wire(v))
        .unwrap_or(SignMethod::Md5);
    let sign = top_api::sign::sign(&params, secret, method);
    with(params, "sign", Some(&sign))
}

fn encode(params: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish()
}

/// Sends `params` as given; returns the status and body.
fn raw(sandbox: &Sandbox, params: &[(String, String)], via: Via) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let url = sandbox.url();
    let half = params.len() / 2;
    let result = match via {
        Via::Body => agent
            .post(url)
            .header("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
            .send(encode(params)),
        Via::Query => agent.post(format!("{url}?{}", encode(params))).send_empty(),
        Via::Both => agent
            .post(format!("{url}?{}", encode(&params[..half])))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(encode(&params[half..])),
        Via::Get => agent.get(format!("{url}?{}", encode(params))).call(),
        Via::Multipart => {
            let boundary = "----top-api-test-7MA4YWxkTrZu0gW";
            let mut body = Vec::new();
            for (n, v) in params {
                body.extend(
                    format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n").bytes(),
                );
            }
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
            body.extend((0..=255u8).collect::<Vec<_>>());
            body.extend(format!("\r\n--{boundary}--\r\n").bytes());
            agent.post(url).header("Content-Type", format!("multipart/form-data; boundary={boundary}")).send(&body[..])
        }
    };
    let mut answer = result.unwrap();
    let status = answer.status().as_u16();
    (status, answer.body_mut().read_to_string().unwrap())
}

/// The `error_response` code of the answer to `params` sent as they are, or None for a
/// success.
fn raw_code(sandbox: &Sandbox, params: Form) -> Option<i64> {
    let (status, body) = raw(sandbox, &params, Via::Body);
    assert_eq!(status, 200, "{body}");
    if body.trim_start().starts_with('<') {
        let start = body.find("<code>")? + 6;
        return body[start..body.find("</code>")?].parse().ok();
    }
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    value["error_response"]["code"].as_i64()
}

#[test]
fn params_are_read_from_the_query_the_body_or_both() {
    let sandbox = Sandbox::start().unwrap();
    for via in [Via::Body, Via::Query, Via::Both, Via::Get, Via::Multipart] {
        let (status, body) = raw(&sandbox, &signed(base(&sandbox), sandbox.app_secret()), via);
        assert_eq!(status, 200, "{via:?}");
        let answer = top_api::decode::<AlibabaIdleInteractLoanUserQuery>(body.as_bytes(), Format::Json).unwrap();
        assert_eq!(answer.get(), &loan_user_query_answer(), "{via:?}");
    }
    let calls = sandbox.calls();
    assert_eq!(calls[3].http_method, "GET");
    // File parts are kept apart and never signed.
    let upload = &calls[4];
    assert_eq!(upload.files.len(), 1);
    assert_eq!(upload.files[0].bytes, (0..=255u8).collect::<Vec<_>>());
    assert_eq!(upload.param("image"), None);
}

#[test]
fn the_gateway_refuses_each_mistake_with_its_code() {
    let sandbox = Sandbox::start().unwrap();
    let secret = sandbox.app_secret().to_owned();
    // A valid call with one thing changed, signed as changed.
    let change = |name: &str, value: Option<&str>| signed(with(base(&sandbox), name, value), &secret);
    assert_eq!(raw_code(&sandbox, signed(base(&sandbox), &secret)), None);
    let cases: Vec<(&str, Form, i64)> = vec![
        ("no method", change("method", None), 21),
        ("unknown method", change("method", Some("taobao.nothing.here")), 22),
        ("bad format", change("format", Some("yaml")), 23),
        ("no sign", base(&sandbox), 24),
        ("wrong sign", with(signed(base(&sandbox), &secret), "sign", Some("00000000000000000000000000000000")), 25),
        ("unknown sign method", change("sign_method", Some("sha1")), 25),
        ("no app key", change("app_key", None), 28),
        ("unknown app key", change("app_key", Some("99999999")), 29),
        ("no timestamp", change("timestamp", None), 30),
        ("malformed timestamp", change("timestamp", Some("2024/01/01 00:00")), 31),
        ("old epoch millis", change("timestamp", Some("1451620800000")), 31),
        ("no version", change("v", None), 32),
        ("malformed version", change("v", Some("two")), 33),
        ("unsupported version", change("v", Some("1.0")), 34),
        ("missing required param", change("user", None), 40),
        ("blank param", change("env", Some("  ")), 41),
        ("unknown session", change("session", Some("nope")), 27),
    ];
    for (case, params, expected) in cases {
        assert_eq!(raw_code(&sandbox, params), Some(expected), "{case}");
    }
    // Epoch milliseconds, as the official Python SDK sends them, are a valid timestamp.
    let millis = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_millis().to_string();
    assert_eq!(raw_code(&sandbox, change("timestamp", Some(&millis))), None);
    // Each sign method is checked.
    for sign in ["md5", "hmac", "hmac-sha256"] {
        assert_eq!(raw_code(&sandbox, change("sign_method", Some(sign))), None, "{sign}");
        let wrong = signed(with(base(&sandbox), "sign_method", Some(sign)), "not-the-secret");
        assert_eq!(raw_code(&sandbox, wrong), Some(25), "{sign}");
    }
    // Errors come in the format asked for; without one, in the gateway's default XML.
    let xml_default = signed(with(with(base(&sandbox), "format", None), "app_key", Some("1")), &secret);
    assert_eq!(raw_code(&sandbox, xml_default), Some(29));
    let (_, xml) = raw(&sandbox, &signed(with(base(&sandbox), "format", Some("xml")), "x"), Via::Body);
    assert!(xml.starts_with("<?xml") && xml.contains("<error_response><code>25</code>"), "{xml}");
}

#[test]
fn errors_stay_wrapped_and_successes_follow_simplify() {
    let sandbox = Sandbox::start().unwrap();
    let simplified = with(base(&sandbox), "simplify", Some("true"));
    let (_, body) = raw(&sandbox, &signed(simplified.clone(), sandbox.app_secret()), Via::Body);
    assert!(body.starts_with("{\"idle_point_result\":"), "{body}");
    let (_, body) = raw(&sandbox, &signed(with(simplified, "app_key", Some("1")), sandbox.app_secret()), Via::Body);
    assert!(body.starts_with("{\"error_response\":{\"code\":29"), "{body}");
    let (_, body) = raw(&sandbox, &signed(base(&sandbox), sandbox.app_secret()), Via::Body);
    assert!(body.starts_with("{\"alibaba_idle_interact_loan_user_query_response\":{\"idle_point_result\":"), "{body}");
}

#[test]
fn what_is_not_a_gateway_call_is_refused() {
    let sandbox = Sandbox::start().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let other = sandbox.url().replace("/router/rest", "/elsewhere");
    assert_eq!(agent.get(&other).call().unwrap().status().as_u16(), 404);
    let mut answer = agent
        .post(sandbox.url())
        .header("Content-Type", "multipart/form-data; boundary=x")
        .send("not multipart")
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    assert!(answer.body_mut().read_to_string().unwrap().contains("boundary"));
}

/// The `error_response` code of the answer to a form body sent as it is, with `content_type`.
fn body_code(sandbox: &Sandbox, body: &[u8], content_type: &str) -> Option<i64> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut answer = agent.post(sandbox.url()).header("Content-Type", content_type).send(body).unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let body = answer.body_mut().read_to_string().unwrap();
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    value["error_response"]["code"].as_i64()
}

#[test]
fn text_that_is_not_utf8_is_an_invalid_encoding() {
    let sandbox = Sandbox::start().unwrap();
    // A valid call, its params in UTF-8 (a user named `宝`), is answered.
    let valid = signed(with(base(&sandbox), "user", Some("宝")), sandbox.app_secret());
    let form = "application/x-www-form-urlencoded;charset=UTF-8";
    assert_eq!(body_code(&sandbox, encode(&valid).as_bytes(), form), None);
    // `宝` in GBK (`%B1%A6`), escaped or raw, signed or not: code 47, not 25.
    let utf8 = encode(&valid);
    let gbk_escaped = utf8.replace("%E5%AE%9D", "%B1%A6");
    assert_ne!(utf8, gbk_escaped);
    assert_eq!(body_code(&sandbox, gbk_escaped.as_bytes(), form), Some(47));
    let gbk_raw: Vec<u8> = gbk_escaped
        .replace("%B1%A6", "\u{0}")
        .bytes()
        .flat_map(|b| if b == 0 { vec![0xB1, 0xA6] } else { vec![b] })
        .collect();
    assert_eq!(body_code(&sandbox, &gbk_raw, "application/x-www-form-urlencoded;charset=GBK"), Some(47));
    // In the query string too.
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut answer = agent.post(format!("{}?{gbk_escaped}", sandbox.url())).send_empty().unwrap();
    let body = answer.body_mut().read_to_string().unwrap();
    assert!(body.contains("\"code\":47"), "{body}");
    // A `%` that escapes nothing is read as itself (as the signature expects), not as an
    // encoding error.
    let percent = signed(with(base(&sandbox), "user", Some("100%")), sandbox.app_secret());
    assert_eq!(body_code(&sandbox, encode(&percent).replace("100%25", "100%").as_bytes(), form), None);
}
