//! What the client logs, and what never shows: with distinctive secret and session
//! values, every error path, `Debug`, `Display` and log record is searched for them.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use top_api::apis::{AlibabaIdleInteractLoanUserQuery, TaobaoBaodianDepositGet};
use top_api::sandbox::{Fault, Sandbox};
use top_api::{top_api, Client, Error, RetryPolicy, TransportErrorKind};

const SECRET: &str = "Zq8-SECRET-c0ffee";
const SESSION: &str = "Kx2-SESSION-d00d";
const PARAM: &str = "Pw7-PARAM-VALUE";

struct Capture;

fn records() -> &'static Mutex<Vec<String>> {
    static RECORDS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    RECORDS.get_or_init(Mutex::default)
}

/// Every record of every crate (the HTTP stack's too), at every level down to TRACE.
fn every_record() -> &'static Mutex<Vec<String>> {
    static RECORDS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    RECORDS.get_or_init(Mutex::default)
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        every_record().lock().unwrap().push(format!("{} {} {}", record.target(), record.level(), record.args()));
        if record.target().starts_with("top_api") {
            records().lock().unwrap().push(format!("{} {}", record.level(), record.args()));
        }
    }

    fn flush(&self) {}
}

/// Installs the capture once per test binary; tests that read records run one by one.
fn capture() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_logger(&Capture).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
    let guard = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    records().lock().unwrap().clear();
    every_record().lock().unwrap().clear();
    guard
}

fn taken() -> Vec<String> {
    std::mem::take(&mut *records().lock().unwrap())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteResponse {
    pub ok: Option<bool>,
}

/// A write whose param carries a distinctive value.
#[top_api(method = "taobao.note.add", response = NoteResponse, session = "required")]
pub struct NoteAdd {
    #[top(max_len = 40)]
    pub text: String,
}

#[test]
fn records_name_the_call_but_never_a_secret() {
    let _guard = capture();
    let sandbox = Sandbox::builder().app("12345678", SECRET).session(SESSION).start().unwrap();
    sandbox.handle(|_: NoteAdd| Ok(NoteResponse { ok: Some(true) }));
    let policy = RetryPolicy::new(2).base_delay(Duration::from_millis(1));
    let client = sandbox.client().retry(policy).read_timeout(Duration::from_millis(300)).build().unwrap();
    let session = client.with_session(SESSION);
    let note = || NoteAdd { text: PARAM.into() };
    let query = AlibabaIdleInteractLoanUserQuery { user: PARAM.into(), scene_code: "xx".into(), env: "pre".into() };

    // Every path: success, refusal, each fault, a check, a missing session, bad credentials.
    let mut errors: Vec<Error> = Vec::new();
    session.execute(&note()).unwrap();
    client.execute(&query).unwrap();
    for fault in [
        Fault::Delay(Duration::from_secs(1)),
        Fault::DropConnection,
        Fault::BadGateway,
        Fault::TruncatedBody,
        Fault::NotAnAnswer,
        Fault::Throttled { ban_seconds: 600 },
        Fault::ServerError { sub_code: "isp.remote-service-timeout".into() },
    ] {
        sandbox.fail_next(1, fault);
        errors.push(session.execute(&note()).unwrap_err());
    }
    errors.push(session.execute(&NoteAdd { text: format!("{PARAM}{}", "x".repeat(40)) }).unwrap_err());
    errors.push(client.with_session(" ").execute(&note()).unwrap_err());
    errors.push(client.with_session("other").execute(&TaobaoBaodianDepositGet).unwrap_err());
    let wrong = Client::builder("12345678", format!("{SECRET}x")).gateway(sandbox.url()).build().unwrap();
    errors.push(wrong.with_session(SESSION).execute(&note()).unwrap_err());
    errors.push(wrong.call("taobao.note.add", [("text", PARAM)]).unwrap_err());
    // A session given as a param is refused before sending, without showing it.
    let refused = client.call("taobao.note.add", [("text", PARAM), ("session", SESSION)]).unwrap_err();
    assert!(refused.is_caller_mistake(), "{refused:?}");
    errors.push(refused);

    let records = taken();
    assert!(records.len() >= 12, "{records:#?}");
    assert!(records.iter().any(|r| r.starts_with("DEBUG taobao.note.add ok in ") && r.contains("request_id sbx")));
    assert!(records.iter().any(|r| r.contains("taobao.note.add failed in") && r.contains("code 7")));
    assert!(records.iter().any(|r| r.contains("sub_code isp.remote-service-timeout")));

    let every = std::mem::take(&mut *every_record().lock().unwrap());
    assert!(every.iter().any(|r| r.starts_with("ureq")), "the HTTP stack's records are captured too");
    let mut shown: Vec<String> = records;
    shown.extend(every);
    for err in &errors {
        shown.push(format!("{err}"));
        shown.push(format!("{err:?}"));
        let mut source = std::error::Error::source(err);
        while let Some(inner) = source {
            shown.push(format!("{inner} {inner:?}"));
            source = inner.source();
        }
    }
    shown.push(format!("{client:?} {session:?} {sandbox:?}"));
    for text in &shown {
        for secret in [SECRET, SESSION, PARAM] {
            assert!(!text.contains(secret), "{secret} shows in: {text}");
        }
    }
}

#[test]
fn a_refused_connection_is_retried_even_for_a_write() {
    let _guard = capture();
    // Nothing listens: the write never left, so trying again cannot send it twice.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder("12345678", SECRET)
        .gateway(format!("http://127.0.0.1:{port}/router/rest"))
        .retry(RetryPolicy::new(3).base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = client.with_session(SESSION).execute(&NoteAdd { text: PARAM.into() }).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::Connect), "{err:?}");
    let attempts: Vec<String> = taken().into_iter().filter(|r| r.contains("taobao.note.add failed")).collect();
    assert_eq!(attempts.len(), 3, "{attempts:#?}");
    assert!(attempts[0].contains("attempt 1; retrying in") && attempts[2].ends_with("attempt 3"), "{attempts:#?}");
}

#[test]
fn raw_and_untyped_calls_are_logged_like_typed_ones() {
    let _guard = capture();
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().build().unwrap();
    let params = [("user", "3"), ("scene_code", "xx"), ("env", "pre")];
    client.call_raw("alibaba.idle.interact.loan.user.query", params).unwrap();
    client.call("alibaba.idle.interact.loan.user.query", params).unwrap();
    let records = taken();
    let calls = records.iter().filter(|r| r.starts_with("DEBUG alibaba.idle.interact.loan.user.query ok in ")).count();
    assert_eq!(calls, 2, "{records:#?}");
}

/// A transport that keeps the `Debug` of each request it is handed.
struct Peek {
    inner: top_api::transport::FakeTransport,
    seen: std::sync::Arc<Mutex<Vec<String>>>,
}

impl top_api::transport::Transport for Peek {
    fn send(
        &self,
        request: &top_api::transport::HttpRequest<'_>,
    ) -> Result<top_api::transport::HttpResponse, top_api::TransportError> {
        self.seen.lock().unwrap().push(format!("{request:?}"));
        self.inner.send(request)
    }
}

#[test]
fn no_public_type_shows_a_secret_in_debug() {
    const PROXY_PASSWORD: &str = "Pp9-PROXYPASS";
    const HEADER_VALUE: &str = "Hv3-HEADER-TOKEN";
    let sandbox = Sandbox::builder().app("12345678", SECRET).session(SESSION).start().unwrap();
    sandbox.handle(|_: NoteAdd| Ok(NoteResponse { ok: Some(true) }));
    let builder =
        sandbox.client().header("X-Token", HEADER_VALUE).proxy(format!("http://user:{PROXY_PASSWORD}@127.0.0.1:9"));
    let mut shown = vec![format!("{builder:?}"), format!("{:?}", Sandbox::builder().app("1", SECRET).session(SESSION))];

    let client = sandbox.client().header("X-Token", HEADER_VALUE).build().unwrap();
    let session = client.with_session(SESSION);
    let params = client.wire_params(&NoteAdd { text: PARAM.into() }, Some(SESSION)).unwrap();
    let sign = params.get("sign").unwrap().to_owned();
    assert!(!sign.is_empty());
    shown.push(format!("{params:?}"));
    session.execute(&NoteAdd { text: PARAM.into() }).unwrap();
    shown.push(format!("{client:?} {session:?} {sandbox:?} {:?}", sandbox.calls()));

    let mut batch = session.batch();
    batch.public_param("text", PARAM);
    let item = batch.add(&NoteAdd { text: PARAM.into() }).unwrap();
    shown.push(format!("{batch:?} {item:?}"));
    let answers = batch.send().unwrap();
    shown.push(format!("{answers:?} {:?}", answers.get(&item)));
    shown.push(format!("{:?}", top_api::CallOptions::new().target_app_key("87654321")));

    // The transport's view: the request as handed over, and as a fake transport keeps it.
    let fake = top_api::transport::FakeTransport::new();
    fake.push(top_api::transport::HttpResponse::new(200, r#"{"note_add_response":{"ok":true,"request_id":"r"}}"#));
    let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
    let peeking = Client::builder("12345678", SECRET)
        .header("X-Token", HEADER_VALUE)
        .transport(Peek { inner: fake.clone(), seen: seen.clone() })
        .build()
        .unwrap();
    peeking.with_session(SESSION).execute(&NoteAdd { text: PARAM.into() }).unwrap();
    shown.extend(seen.lock().unwrap().iter().cloned());
    shown.push(format!("{fake:?} {:?}", fake.requests()));
    assert!(fake.requests()[0].param("session").as_deref() == Some(SESSION), "the session was sent");

    for text in &shown {
        assert!(!text.is_empty());
        for secret in [SECRET, SESSION, sign.as_str(), PROXY_PASSWORD, HEADER_VALUE] {
            assert!(!text.contains(secret), "{secret} shows in: {text}");
        }
    }
    // Each shows what it is: an empty or placeholder `Debug` would pass the search above.
    let joined = shown.join("\n");
    for expected in [
        "ClientBuilder",
        "app_key",
        "X-Token",
        "127.0.0.1:9",
        "SandboxBuilder",
        "Client {",
        "SessionClient",
        "Call {",
        "taobao.note.add",
        "Batch",
        "HttpRequest",
        "RecordedRequest",
    ] {
        assert!(joined.contains(expected), "no `{expected}` in:\n{joined}");
    }
}

#[test]
fn batches_are_logged_like_single_calls() {
    let _guard = capture();
    let sandbox = Sandbox::builder().app("12345678", SECRET).session(SESSION).start().unwrap();
    sandbox.handle(|_: NoteAdd| Ok(NoteResponse { ok: Some(true) }));
    let client = sandbox.client().build().unwrap();
    let session = client.with_session(SESSION);
    let mut batch = session.batch();
    batch.add(&NoteAdd { text: PARAM.into() }).unwrap();
    batch.send().unwrap();
    sandbox.fail_next(1, Fault::BadGateway);
    let session = client.with_session(SESSION);
    let mut batch = session.batch();
    batch.add(&NoteAdd { text: PARAM.into() }).unwrap();
    assert!(batch.send().is_err());
    let records = taken();
    assert!(records.iter().any(|r| r.starts_with("DEBUG batch ok in ")), "{records:#?}");
    assert!(records.iter().any(|r| r.starts_with("INFO batch failed in ") && r.contains("Transient")), "{records:#?}");
    for record in records.iter().chain(every_record().lock().unwrap().iter()) {
        for secret in [SECRET, SESSION, PARAM] {
            assert!(!record.contains(secret), "{secret} shows in: {record}");
        }
    }
}

/// An upload that needs the session.
#[top_api(method = "taobao.picture.add", response = NoteResponse, session = "required")]
pub struct PictureAdd {
    pub picture: top_api::File,
    pub title: String,
}

/// The bytes the HTTP stack dumped at TRACE (ureq_proto writes 16 a row, in hex first).
fn dumped_bytes(records: &[String]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for record in records.iter().filter(|r| r.starts_with("ureq_proto") && r.contains(" TRACE ")) {
        let row = record.splitn(3, ' ').nth(2).unwrap_or("");
        let hex: String = row.chars().take(40).filter(|c| c.is_ascii_hexdigit()).collect();
        for pair in hex.as_bytes().chunks(2).filter(|pair| pair.len() == 2) {
            bytes.push(u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap());
        }
    }
    bytes
}

#[test]
fn the_http_stack_never_sees_a_secret_even_at_trace() {
    let _guard = capture();
    let sandbox = Sandbox::builder().app("12345678", SECRET).session(SESSION).start().unwrap();
    sandbox.handle(|_: NoteAdd| Ok(NoteResponse { ok: Some(true) }));
    sandbox.handle(|add: PictureAdd| Ok(NoteResponse { ok: Some(add.picture.bytes().len() == 1 << 20) }));
    // A fixed clock, so that the signature of the call can be known here.
    let now = std::time::SystemTime::now();
    let client = sandbox.client().clock(move || now).build().unwrap();
    let sign =
        client.wire_params(&NoteAdd { text: PARAM.into() }, Some(SESSION)).unwrap().get("sign").unwrap().to_owned();
    let session = client.with_session(SESSION);
    assert_eq!(session.execute(&NoteAdd { text: PARAM.into() }).unwrap().ok, Some(true), "the gateway got the secrets");
    let mut batch = session.batch();
    batch.add(&NoteAdd { text: PARAM.into() }).unwrap();
    batch.add(&NoteAdd { text: PARAM.into() }).unwrap();
    let answers = batch.send().unwrap();
    assert_eq!(answers.len(), 2);
    // Large params and uploads, in a form and in multipart, on the same kept-alive
    // connection: the secrets still reach the gateway, which checks both.
    sandbox.handle_untyped("taobao.note.big", top_api::SessionNeed::Required, |params| {
        let sizes = params.iter().map(|(_, value)| value.len()).sum::<usize>();
        Ok(top_api::sandbox::Node::from_json(&format!(r#"{{"size":{sizes}}}"#)).expect("JSON"))
    });
    let big = "x".repeat(300_000);
    let answer = session.call("taobao.note.big", [("a", big.as_str()), ("b", big.as_str())]).unwrap();
    assert_eq!(answer.get()["size"], 600_000);
    let upload = PictureAdd { picture: top_api::File::from_bytes("p.bin", vec![9; 1 << 20]), title: big.clone() };
    assert_eq!(session.execute(&upload).unwrap().ok, Some(true));

    let every = std::mem::take(&mut *every_record().lock().unwrap());
    let dumped = dumped_bytes(&every);
    let shown = String::from_utf8_lossy(&dumped);
    // The dump is real: the requests are there, the batch's with its query...
    assert!(shown.contains("POST /router/rest") && shown.contains("POST /router/batch?"), "{shown}");
    // ...whose signature is a stand-in: the real one is upper-case hex, as the gateway
    // checked it (the batch was answered).
    let logged_sign = shown.split("&sign=").nth(1).and_then(|rest| rest.split(' ').next()).unwrap_or("");
    assert_eq!(logged_sign.len(), 64, "{shown}");
    assert!(!logged_sign.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)), "{logged_sign}");
    // No secret shows, in text or in the dumps.
    for secret in [SECRET, SESSION, sign.as_str()] {
        assert!(!shown.contains(secret), "{secret} is in the dump: {shown}");
        for record in &every {
            assert!(!record.contains(secret), "{secret} shows in: {record}");
        }
    }
}

#[test]
fn drift_is_logged_once_per_method_and_place_without_secrets() {
    use top_api::transport::{FakeTransport, HttpResponse};
    let _guard = capture();
    /// An answer whose `deposit` does not fit, echoing the session, and with a key the type
    /// lacks in each item of a list.
    fn body(item: u32) -> Vec<u8> {
        format!(
            r#"{{"baodian_deposit_get_response":{{"user_coin_deposit":{{"deposit":"{SESSION}","extra_{item}":1,"new_user":true}}}}}}"#
        )
        .into_bytes()
    }
    let fake = FakeTransport::new();
    for item in [1, 1, 2] {
        fake.push(HttpResponse::new(200, body(item)));
    }
    let client = Client::builder("12345678", SECRET).transport(fake).build().unwrap();
    let session = client.with_session(SESSION);
    for _ in 0..3 {
        let answer = session.execute(&TaobaoBaodianDepositGet).unwrap();
        assert_eq!(answer.user_coin_deposit.as_ref().and_then(|d| d.new_user), Some(true));
        assert_eq!(answer.drift().len(), 2, "{:?}", answer.drift());
        assert!(!format!("{:?}", answer.drift()).contains(SESSION));
    }
    let warnings: Vec<String> = taken().into_iter().filter(|record| record.starts_with("WARN")).collect();
    // The unfit deposit once, and each key the type lacks once: three places in all.
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.contains("user_coin_deposit.deposit") && w.contains("does not fit `i64`")));
    assert!(warnings.iter().any(|w| w.contains("user_coin_deposit.extra_1")));
    assert!(warnings.iter().any(|w| w.contains("user_coin_deposit.extra_2")));
    for warning in &warnings {
        assert!(warning.contains("taobao.baodian.deposit.get") && !warning.contains(SESSION), "{warning}");
    }
}
