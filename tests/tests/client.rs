//! The client through the in-memory transport: what goes on the wire, how it is signed,
//! and how answers and failures come back.

use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use top_api::apis::{AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo, TaobaoBaodianDepositGet};
use top_api::transport::{FakeTransport, HttpResponse, RecordedRequest};
use top_api::{top_api, Client, DateTime, Error, Format, SignMethod, TransportError, TransportErrorKind};
use top_api_tests::{authorinfo_answer, deposit_answer, fixture, page_example};

const SECRET: &str = "s3cr3t-APP-SECRET-7f1d";
const SESSION: &str = "sess-6100e2a9-USER-TOKEN";

fn client(fake: &FakeTransport) -> top_api::ClientBuilder {
    Client::builder("12345678", SECRET).transport(fake.clone())
}

fn ok(body: Vec<u8>) -> HttpResponse {
    HttpResponse::new(200, body)
}

/// Every param sent except `sign`, and `sign` itself.
fn sent(request: &RecordedRequest) -> (Vec<(String, String)>, String) {
    let mut form = request.form();
    let at = form.iter().position(|(name, _)| name == "sign").expect("a sign param");
    let (_, sign) = form.remove(at);
    (form, sign)
}

/// A structured param, sent as JSON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub tags: Vec<String>,
    pub min: i64,
}

#[derive(Debug, Deserialize)]
pub struct EchoResponse {
    pub ok: Option<bool>,
}

/// A declaration with every kind of field.
#[top_api(method = "taobao.test.echo", response = EchoResponse, session = "optional")]
#[derive(Debug, Clone, PartialEq)]
pub struct Echo {
    pub text: String,
    pub count: u32,
    pub flag: bool,
    pub ratio: f64,
    pub ids: Vec<i64>,
    pub since: DateTime,
    pub maybe: Option<String>,
    pub blank: Option<String>,
    #[top(rename = "camelName")]
    pub camel_name: String,
    pub r#type: String,
    #[top(json)]
    pub filter: Filter,
    #[top(json)]
    pub no_filter: Option<Filter>,
}

fn echo() -> Echo {
    Echo {
        text: "宝贝 & more=1".into(),
        count: 3,
        flag: false,
        ratio: 0.25,
        ids: vec![1, 2, 45_248_893_776_176_307],
        since: "2021-07-22 23:00:46".parse().unwrap(),
        maybe: None,
        blank: Some("   ".into()),
        camel_name: "c".into(),
        r#type: "t".into(),
        filter: Filter { tags: vec!["a".into(), "b".into()], min: -1 },
        no_filter: None,
    }
}

#[test]
fn every_param_is_sent_and_signed_once() {
    let fake = FakeTransport::new();
    fake.push(ok(br#"{"test_echo_response":{"ok":true,"request_id":"r1"}}"#.to_vec()));
    let noon = UNIX_EPOCH + Duration::from_secs(1_451_620_800); // 2016-01-01 04:00:00 UTC
    let client = client(&fake).sign_method(SignMethod::Md5).clock(move || noon).build().unwrap();
    let answer = client.execute(&echo()).unwrap();
    assert_eq!(answer.ok, Some(true));
    assert_eq!(answer.request_id(), Some("r1"));

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.url, "https://eco.taobao.com/router/rest");
    assert_eq!(request.content_type, "application/x-www-form-urlencoded;charset=UTF-8");
    let (params, sign) = sent(request);
    // The system params a call sets (the session would be among them), then those alike for
    // every call of the client, then the API's own in byte order of their names (the order
    // they are signed in).
    let expected: Vec<(String, String)> = [
        ("method", "taobao.test.echo"),
        ("timestamp", "2016-01-01 12:00:00"),
        ("app_key", "12345678"),
        ("format", "json"),
        ("partner_id", top_api::DEFAULT_PARTNER_ID),
        ("sign_method", "md5"),
        ("v", "2.0"),
        ("camelName", "c"),
        ("count", "3"),
        ("filter", r#"{"tags":["a","b"],"min":-1}"#),
        ("flag", "false"),
        ("ids", "1,2,45248893776176307"),
        ("ratio", "0.25"),
        ("since", "2021-07-22 23:00:46"),
        ("text", "宝贝 & more=1"),
        ("type", "t"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    assert_eq!(params, expected);
    // The signature covers exactly the params that were sent.
    assert_eq!(sign, top_api::sign::sign(params, SECRET, SignMethod::Md5));
}

/// A hand-written API whose method a form must escape: the road carries a typed API's
/// method as it is only when no byte of it needs escaping.
struct OddMethod;

impl top_api::Request for OddMethod {
    const METHOD: &'static str = "taobao.odd name/ü&x=1";
    const SESSION: top_api::SessionNeed = top_api::SessionNeed::None;
    const IDEMPOTENT: bool = true;
    type Response = EchoResponse;

    fn write_params(&self, params: &mut top_api::Params) -> Result<(), Error> {
        params.push("q", "1");
        Ok(())
    }

    fn from_params(_: &top_api::Params) -> Result<Self, top_api::ParamError> {
        Ok(OddMethod)
    }
}

impl top_api::WithoutSession for OddMethod {}

#[test]
fn a_method_a_form_escapes_is_sent_escaped_and_signed_as_it_is() {
    use top_api::Request;
    let fake = FakeTransport::new();
    fake.push(ok(r#"{"odd name/ü&x=1_response":{"ok":true}}"#.as_bytes().to_vec()));
    let client = client(&fake).sign_method(SignMethod::Md5).build().unwrap();
    client.execute(&OddMethod).unwrap();
    let request = &fake.requests()[0];
    let body = String::from_utf8(request.body.clone()).unwrap();
    assert!(body.contains("&method=taobao.odd+name%2F%C3%BC%26x%3D1&"), "{body}");
    let (params, sign) = sent(request);
    assert!(params.contains(&("method".to_owned(), OddMethod::METHOD.to_owned())));
    assert_eq!(sign, top_api::sign::sign(params, SECRET, SignMethod::Md5));
}

#[test]
fn the_transport_gets_the_whole_bound_on_a_first_try_and_what_is_left_on_a_retry() {
    let fake = FakeTransport::new();
    fake.push_error(TransportError::new(TransportErrorKind::Connect, "refused"));
    fake.push(ok(br#"{"baodian_deposit_get_response":{"user_coin_deposit":1}}"#.to_vec()));
    let bound = Duration::from_secs(20);
    let pause = Duration::from_millis(20);
    let policy = top_api::RetryPolicy::new(2).base_delay(pause).max_delay(pause);
    let client = client(&fake).timeout(bound).retry(policy).build().unwrap();
    client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap();
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    // Nothing waited before the first try: the bound is its whole.
    assert_eq!(requests[0].timeout, Some(bound));
    // The retry's is what the first try and the pause (jittered) left of it.
    let second = requests[1].timeout.expect("a bounded call");
    assert!(second < bound, "{second:?}");
}

#[test]
fn a_request_reads_back_from_its_params() {
    use top_api::Request;
    let mut original = echo();
    original.no_filter = Some(Filter { tags: vec![], min: 7 });
    original.maybe = Some("m".into());
    let mut params = top_api::Params::new();
    original.write_params(&mut params).unwrap();
    // `blank` holds only spaces, so it was not sent: read back, it is `None`.
    let mut expected = original.clone();
    expected.blank = None;
    assert_eq!(Echo::from_params(&params).unwrap(), expected);

    let mut missing = top_api::Params::new();
    missing.push("text", "t");
    let err = Echo::from_params(&missing).unwrap_err();
    assert_eq!((err.name(), err.is_missing()), ("count", true));
}

/// Checks declared on fields, made before any I/O.
#[top_api(method = "taobao.test.checked", response = EchoResponse)]
#[derive(Debug, Clone)]
pub struct Checked {
    #[top(max_len = 4)]
    pub title: String,
    #[top(max_len = 2)]
    pub note: Option<String>,
    #[top(max_items = 2)]
    pub ids: Vec<i64>,
    #[top(min = 1, max = 100)]
    pub page_size: i64,
    #[top(min = -0.5)]
    pub ratio: Option<f64>,
}

fn checked() -> Checked {
    Checked { title: "宝贝宝贝".into(), note: None, ids: vec![1, 2], page_size: 100, ratio: Some(-0.5) }
}

#[test]
fn checks_declared_on_fields_fail_before_any_io() {
    let fake = FakeTransport::new();
    fake.push(ok(br#"{"test_checked_response":{"ok":true}}"#.to_vec()));
    let client = client(&fake).build().unwrap();
    // At every limit, the call goes out; lengths count characters, not bytes.
    client.execute(&checked()).unwrap();
    assert_eq!(fake.requests().len(), 1);

    let cases: Vec<(Checked, &str, i64, &str)> = vec![
        (Checked { title: "宝贝宝贝x".into(), ..checked() }, "title", 41, "is 5 characters long, over its limit of 4"),
        (Checked { title: " ".into(), ..checked() }, "title", 40, "is required but blank or absent"),
        (Checked { note: Some("abc".into()), ..checked() }, "note", 41, "over its limit of 2"),
        (Checked { ids: vec![1, 2, 3], ..checked() }, "ids", 41, "has 3 items, over its limit of 2"),
        (Checked { ids: vec![], ..checked() }, "ids", 40, "is required"),
        (Checked { page_size: 0, ..checked() }, "page_size", 41, "is 0, under its minimum of 1"),
        (Checked { page_size: 101, ..checked() }, "page_size", 41, "is 101, over its maximum of 100"),
        (Checked { ratio: Some(-0.75), ..checked() }, "ratio", 41, "is -0.75, under its minimum of -0.5"),
    ];
    for (request, param, code, message) in cases {
        let err = client.execute(&request).unwrap_err();
        let Error::Check(check) = &err else { panic!("not a check error: {err:?}") };
        assert_eq!((check.param(), check.code()), (param, code), "{err}");
        assert!(check.message().contains(message), "{err}");
        assert!(err.to_string().contains(&format!("param `{param}`")), "{err}");
    }
    assert_eq!(fake.requests().len(), 1, "no checked call was sent");
}

#[test]
fn each_sign_method_signs_what_is_sent() {
    for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let fake = FakeTransport::new();
        let client = client(&fake).sign_method(method).build().unwrap();
        // Calls after the first sign from the same key as it: each of them is checked.
        for (call, user_id) in [406_797_230, 7, 406_797_230].into_iter().enumerate() {
            fake.push(ok(fixture("alibaba.shuqi.original.backend.ognvaliauthor.authorinfo", "ok.json")));
            let request = AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo {
                user_id,
                action_name: Some("jason_zb".into()),
                desensitization: Some(1),
                encrypt_list: None,
            };
            let answer = client.execute(&request).unwrap();
            assert_eq!(answer.get(), &authorinfo_answer());
            let (params, sign) = sent(&fake.requests()[call]);
            assert!(params.contains(&("sign_method".into(), method.as_str().into())));
            assert!(params.contains(&("user_id".into(), user_id.to_string())));
            assert!(!params.iter().any(|(n, _)| n == "encrypt_list"));
            assert_eq!(sign.len(), if method == SignMethod::HmacSha256 { 64 } else { 32 });
            assert_eq!(sign, top_api::sign::sign(params, SECRET, method), "{method}, call {call}");
        }
    }
}

#[test]
fn the_timestamp_is_gmt8_whatever_the_clock() {
    // 2015-12-31 16:30:00 UTC: still the old year in UTC and most of the world, but
    // already the new year in Beijing.
    let instant = UNIX_EPOCH + Duration::from_secs(1_451_579_400);
    let fake = FakeTransport::new();
    fake.push(ok(fixture("taobao.baodian.deposit.get", "ok.json")));
    let client = client(&fake).clock(move || instant).build().unwrap();
    client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap();
    assert_eq!(fake.requests()[0].param("timestamp").as_deref(), Some("2016-01-01 00:30:00"));
}

#[test]
fn each_call_s_timestamp_is_its_clock_s_second_forward_and_back() {
    // A client writes a second's text once and reuses it within that second: a clock that
    // steps over a second's edge, or back, must be written anew each time.
    let base = UNIX_EPOCH + Duration::from_secs(1_451_579_400); // 2016-01-01 00:30:00 in GMT+8
    let nanos = Duration::from_nanos;
    let readings = [
        (base + nanos(999_999_999), "2016-01-01 00:30:00"),
        (base + Duration::from_secs(1), "2016-01-01 00:30:01"),
        (base + Duration::from_secs(1) + nanos(500_000_000), "2016-01-01 00:30:01"),
        (base, "2016-01-01 00:30:00"),
        (base - nanos(1), "2016-01-01 00:29:59"),
        (base - Duration::from_secs(86_400), "2015-12-31 00:30:00"),
        (base + Duration::from_secs(2) - nanos(1), "2016-01-01 00:30:01"),
        (base + Duration::from_secs(2), "2016-01-01 00:30:02"),
    ];
    let now = Arc::new(Mutex::new(base));
    let fake = FakeTransport::new();
    let clock = Arc::clone(&now);
    let client = client(&fake).clock(move || *clock.lock().unwrap()).build().unwrap();
    for (at, (reading, _)) in readings.iter().enumerate() {
        *now.lock().unwrap() = *reading;
        fake.push(ok(fixture("taobao.baodian.deposit.get", "ok.json")));
        client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap();
        let sent = fake.requests()[at].param("timestamp");
        assert_eq!(sent.as_deref(), Some(readings[at].1), "reading {at}");
    }
}

#[test]
fn the_real_clock_is_read_in_gmt8() {
    let fake = FakeTransport::new();
    fake.push(ok(fixture("taobao.baodian.deposit.get", "ok.json")));
    let client = client(&fake).build().unwrap();
    let before = std::time::SystemTime::now();
    client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap();
    let sent: DateTime = fake.requests()[0].param("timestamp").unwrap().parse().unwrap();
    let skew = std::time::SystemTime::from(sent).duration_since(before - Duration::from_secs(1)).unwrap();
    assert!(skew < Duration::from_secs(60), "the timestamp {sent} is {skew:?} after the call");
}

#[test]
fn a_session_is_sent_and_signed() {
    let fake = FakeTransport::new();
    fake.push(ok(fixture("taobao.baodian.deposit.get", "ok.simplify.json")));
    let client = client(&fake).simplify(true).build().unwrap();
    let answer = client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap();
    assert_eq!(answer.get(), &deposit_answer());
    assert_eq!(answer.request_id(), Some("4b2kp0g5fdw1"));
    let request = &fake.requests()[0];
    assert_eq!(request.param("session").as_deref(), Some(SESSION));
    assert_eq!(request.param("simplify").as_deref(), Some("true"));
    let (params, sign) = sent(request);
    assert_eq!(sign, top_api::sign::sign(params, SECRET, SignMethod::HmacSha256));
}

#[test]
fn a_required_session_that_is_blank_fails_before_any_io() {
    let fake = FakeTransport::new();
    let client = client(&fake).build().unwrap();
    for blank in ["", "  "] {
        let err = client.with_session(blank).execute(&TaobaoBaodianDepositGet).unwrap_err();
        assert!(matches!(err, Error::MissingSession { method: "taobao.baodian.deposit.get" }), "{err:?}");
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn xml_answers_are_asked_for_and_read() {
    let fake = FakeTransport::new();
    fake.push(ok(page_example("taobao.baodian.deposit.get")));
    let client = client(&fake).format(Format::Xml).simplify(true).build().unwrap();
    let answer = client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap();
    assert_eq!(answer.get(), &deposit_answer());
    let request = &fake.requests()[0];
    assert_eq!(request.param("format").as_deref(), Some("xml"));
    // simplify only exists for JSON.
    assert_eq!(request.param("simplify"), None);
}

#[test]
fn a_refusal_is_an_api_error() {
    let fake = FakeTransport::new();
    fake.push(ok(fixture("taobao.baodian.deposit.get", "error.json")));
    let client = client(&fake).build().unwrap();
    let err = client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap_err();
    let api = err.api().expect("an api error");
    assert_eq!((api.code(), api.sub_code()), (50, Some("isv.invalid-parameter")));
    assert_eq!(api.request_id(), Some("ej6ptuzf712n"));
}

#[test]
fn another_http_status_is_a_status_error() {
    let fake = FakeTransport::new();
    let page = format!("<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>", "x".repeat(500));
    fake.push(HttpResponse::new(502, page));
    let client = client(&fake).build().unwrap();
    let err = client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap_err();
    let Error::Status { status, body } = &err else { panic!("not a status error: {err:?}") };
    assert_eq!(*status, 502);
    assert!(body.starts_with("<html><head><title>502 Bad Gateway"), "{body}");
    assert!(body.chars().count() < 300, "the body is cut short");
    assert!(err.to_string().starts_with("http status 502"), "{err}");
}

#[test]
fn a_transport_failure_is_a_transport_error() {
    let fake = FakeTransport::new();
    fake.push_error(TransportError::new(TransportErrorKind::Timeout, "read timed out"));
    let client = client(&fake).build().unwrap();
    let err = client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.to_string(), "the call timed out");
    assert_eq!(std::error::Error::source(&err).map(ToString::to_string).as_deref(), Some("read timed out"));
}

#[test]
fn bad_configuration_is_refused() {
    use top_api::ConfigError;
    for (key, secret, gateway, reason) in [
        ("", SECRET, "https://eco.taobao.com/router/rest", "key"),
        (" \t", SECRET, "https://eco.taobao.com/router/rest", "key"),
        ("12345678", "", "https://eco.taobao.com/router/rest", "secret"),
        ("12345678", " \n\t ", "https://eco.taobao.com/router/rest", "secret"),
        ("12345678", SECRET, "eco.taobao.com/router/rest", "url"),
        ("12345678", SECRET, "ftp://eco.taobao.com", "url"),
        ("12345678", SECRET, "http://", "url"),
        ("12345678", SECRET, "http://exa mple.com/\r\n", "url"),
        ("12345678", SECRET, "\u{0}garbage\u{7f}", "url"),
    ] {
        let err = Client::builder(key, secret).gateway(gateway).build().unwrap_err();
        let matched = match &err {
            Error::Config(ConfigError::BlankAppKey) => reason == "key",
            Error::Config(ConfigError::BlankAppSecret) => reason == "secret",
            Error::Config(ConfigError::BadUrl { what: "gateway", .. }) => reason == "url",
            _ => false,
        };
        assert!(matched, "{gateway:?}: {err:?}");
    }
    let builder = || Client::builder("12345678", SECRET);
    // Headers that HTTP cannot carry.
    for (name, value) in [("X-Token", "a\r\nInjected: yes"), ("X-Token", "a\nb"), ("Bad Name", "v"), ("", "v")] {
        let err = builder().header(name, value).build().unwrap_err();
        assert!(matches!(&err, Error::Config(ConfigError::BadHeader { name: shown }) if shown == name), "{err:?}");
        assert!(!err.to_string().contains("Injected"), "the value is not shown: {err}");
    }
    // Proxies: SOCKS as well as HTTP; anything else is refused, without its password.
    for proxy in
        ["http://127.0.0.1:3128", "socks5://user:pw@127.0.0.1:1080", "socks4://127.0.0.1:1080", "socks5h://h:1"]
    {
        builder().proxy(proxy).build().unwrap_or_else(|err| panic!("{proxy}: {err:?}"));
    }
    for proxy in ["ftp://user:Pw-SECRET@127.0.0.1:21", "not a url", "socks9://x:1"] {
        let err = builder().proxy(proxy).build().unwrap_err();
        assert!(matches!(&err, Error::Config(ConfigError::BadUrl { what: "proxy", .. })), "{proxy}: {err:?}");
        assert!(!format!("{err} {err:?}").contains("Pw-SECRET"), "{err}");
    }
    // Rate limits that are not a positive number of calls a second.
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = builder().rate_limit(rate, 1).build().unwrap_err();
        assert!(matches!(err, Error::Config(ConfigError::BadRateLimit)), "{rate}: {err:?}");
    }
    let client = Client::builder("1", "s").gateway("http://127.0.0.1:9/router/rest").build().unwrap();
    assert_eq!(client.gateway(), "http://127.0.0.1:9/router/rest");
}

#[test]
fn from_env_reads_the_top_variables() {
    // The only test of this binary that touches the environment.
    std::env::remove_var("TOP_APP_KEY");
    std::env::set_var("TOP_APP_SECRET", SECRET);
    let err = Client::from_env().unwrap_err();
    assert_eq!(err.to_string(), "invalid configuration: TOP_APP_KEY is not set");
    std::env::set_var("TOP_APP_KEY", "87654321");
    std::env::set_var("TOP_GATEWAY", "http://127.0.0.1:1/router/rest");
    let client = Client::from_env().unwrap();
    assert_eq!((client.app_key(), client.gateway()), ("87654321", "http://127.0.0.1:1/router/rest"));
    for name in ["TOP_APP_KEY", "TOP_APP_SECRET", "TOP_GATEWAY"] {
        std::env::remove_var(name);
    }
}

#[test]
fn secrets_never_show() {
    let fake = FakeTransport::new();
    // An answer that echoes the secrets back must not carry them into an error either.
    fake.push(ok(format!(
        "{{\"baodian_deposit_get_response\":{{\"user_coin_deposit\":{{\"deposit\":\"{SECRET} {SESSION}\"}}}}}}"
    )
    .into_bytes()));
    fake.push(HttpResponse::new(500, format!("session {SESSION} secret {SECRET}")));
    // Nor into the drift of an answer read leniently.
    fake.push(ok(format!(
        "{{\"baodian_deposit_get_response\":{{\"user_coin_deposit\":{{\"deposit\":\"{SECRET} {SESSION}\"}}}}}}"
    )
    .into_bytes()));
    let client = client(&fake).strict_answers(true).build().unwrap();
    let session = client.with_session(SESSION);
    let decode = session.execute(&TaobaoBaodianDepositGet).unwrap_err();
    let status = session.execute(&TaobaoBaodianDepositGet).unwrap_err();
    let lenient = self::client(&fake).build().unwrap().with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap();
    assert_eq!(lenient.drift().len(), 1, "{lenient:?}");
    let mut secrets = vec![SECRET.to_owned(), SESSION.to_owned()];
    secrets.extend(fake.requests().iter().map(|r| sent(r).1));
    assert!(matches!(decode, Error::Decode(_)) && matches!(status, Error::Status { .. }));

    let shown = [
        format!("{client:?}"),
        format!("{session:?}"),
        format!("{:?}", Client::builder("12345678", SECRET)),
        format!("{decode:?}"),
        format!("{decode}"),
        format!("{status:?}"),
        format!("{status}"),
        format!("{lenient:?}"),
        format!("{}", lenient.drift()[0]),
        format!("{:?}", fake.requests()),
        format!("{fake:?}"),
    ];
    for text in &shown {
        for secret in &secrets {
            assert!(!text.contains(secret), "{secret:?} shows in {text}");
        }
    }
    assert!(shown[0].contains("12345678") && shown[0].contains("***"), "{}", shown[0]);
}

#[test]
fn extreme_clocks_and_timeouts_never_panic() {
    // A clock past year 9999 sends the last second TOP can write.
    let fake = FakeTransport::new();
    fake.push(ok(fixture("taobao.baodian.deposit.get", "ok.json")));
    let far = UNIX_EPOCH.checked_add(Duration::from_secs(400_000_000_000)).expect("a far SystemTime");
    let client = client(&fake).clock(move || far).build().unwrap();
    client.with_session(SESSION).execute(&TaobaoBaodianDepositGet).unwrap();
    assert_eq!(fake.requests()[0].param("timestamp").as_deref(), Some("9999-12-31 23:59:59"));

    // Timeouts of Duration::MAX are no bound, through the real transport too.
    let sandbox = top_api::sandbox::Sandbox::start().unwrap();
    let client = sandbox
        .client()
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .write_timeout(Duration::MAX)
        .read_timeout(Duration::MAX)
        .build()
        .unwrap();
    let answer = client.with_session(sandbox.session()).execute(&TaobaoBaodianDepositGet).unwrap();
    assert_eq!(answer.get(), &deposit_answer());
    let options = top_api::CallOptions::new().timeout(Duration::MAX);
    client.with_session(sandbox.session()).execute_with(&TaobaoBaodianDepositGet, &options).unwrap();
    // And a zero bound fails at once, as a timeout, without sending.
    let options = top_api::CallOptions::new().timeout(Duration::ZERO);
    let err = client.with_session(sandbox.session()).execute_with(&TaobaoBaodianDepositGet, &options).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(sandbox.calls().len(), 2);
}
