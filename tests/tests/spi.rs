//! SPI: calls the platform makes to an app's server, verified by `top_api::spi::Verifier`;
//! the sandbox calling a loopback server signed as the platform does; a Qimen WMS reading
//! its calls and answering them, typed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use md5::{Digest, Md5};
use top_api::qimen_router::{read_request, write_failure, write_response};
use top_api::sandbox::{Sandbox, SpiCall};
use top_api::spi::{IpRange, SpiError, SpiRequest, Verifier};
use top_api::{ApiError, Error, Format};
use top_api_tests::qimen::*;

/// `2015-04-26 00:00:07` in GMT+8.
fn vector_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_429_977_607)
}

const VECTOR_QUERY: &str = "method=taobao.qimen.entryorder.create&timestamp=2015-04-26%2000%3A00%3A07&format=xml\
    &app_key=testerp_appkey&v=2.0&sign_method=md5&customerId=stub-cust-code";
const VECTOR_BODY: &str = "<request><entryOrder><entryOrderCode>E1</entryOrderCode><ownerCode>O1</ownerCode>\
    <warehouseCode>W1</warehouseCode></entryOrder></request>";

/// The rule written out here: sorted `name value`, the body, MD5 with the secret around.
fn md5_sign(mut params: Vec<(&str, &str)>, body: &str, secret: &str) -> String {
    params.sort();
    let text: String = params.iter().map(|(n, v)| format!("{n}{v}")).collect();
    Md5::digest(format!("{secret}{text}{body}{secret}")).iter().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn the_protocol_vector_a_signed_header_and_the_body() {
    let query = format!("{VECTOR_QUERY}&sign=2FB3E84F961DF7B4E4A06A9D95655727");
    let call = SpiRequest::new(&query, VECTOR_BODY.as_bytes())
        .content_type("text/xml;charset=utf-8")
        .header("top-sign-list", "x-custom")
        .header("X-Custom", "abc")
        .header("x-unsigned", "whatever");
    assert_eq!(top_api::spi::expected_sign(&call, "test"), "2FB3E84F961DF7B4E4A06A9D95655727");
    let verifier = Verifier::new("test").clock(vector_time);
    assert_eq!(verifier.verify(&call), Ok(()));
    // The same signature without the header's part is another one.
    let unsigned = SpiRequest::new(&query, VECTOR_BODY.as_bytes()).content_type("text/xml");
    assert_eq!(verifier.verify(&unsigned), Err(SpiError::WrongSign));
}

#[test]
fn form_fields_are_signed_and_a_form_body_is_not_appended() {
    let body = "refund_id=7&reason=%E8%B4%A7&status=ok";
    let query = "method=taobao.refund.spi.check&timestamp=2015-04-26%2000%3A00%3A07&status=shown";
    let expected = md5_sign(
        vec![
            ("method", "taobao.refund.spi.check"),
            ("timestamp", "2015-04-26 00:00:07"),
            ("status", "shown"),
            ("refund_id", "7"),
            ("reason", "货"),
        ],
        "",
        "s",
    );
    let signed = format!("{query}&sign={expected}");
    let call = SpiRequest::new(&signed, body.as_bytes()).header("Content-Type", "application/x-www-form-urlencoded");
    assert_eq!(Verifier::new("s").clock(vector_time).verify(&call), Ok(()));
    // JSON is appended; a type that is neither is not.
    let json = "{\"a\":1}";
    let with_json = format!(
        "{query}&sign={}",
        md5_sign(
            vec![("method", "taobao.refund.spi.check"), ("timestamp", "2015-04-26 00:00:07"), ("status", "shown")],
            json,
            "s"
        )
    );
    let call = SpiRequest::new(&with_json, json.as_bytes()).content_type("application/json; charset=utf-8");
    assert_eq!(Verifier::new("s").clock(vector_time).verify(&call), Ok(()));
    let call = SpiRequest::new(&with_json, json.as_bytes()).content_type("application/octet-stream");
    assert_eq!(Verifier::new("s").clock(vector_time).verify(&call), Err(SpiError::WrongSign));
}

#[test]
fn every_failure_is_named_and_bad_input_never_panics() {
    let verifier = Verifier::new("test").clock(vector_time);
    let good = format!("{VECTOR_QUERY}&sign={}", md5_sign(vector_pairs(), VECTOR_BODY, "test"));
    fn call<'a>(query: &'a str, body: &'a [u8]) -> SpiRequest<'a> {
        SpiRequest::new(query, body).content_type("text/xml").remote_addr([127, 0, 0, 1].into())
    }
    assert_eq!(verifier.verify(&call(&good, VECTOR_BODY.as_bytes())), Ok(()));

    assert_eq!(verifier.verify(&call(VECTOR_QUERY, VECTOR_BODY.as_bytes())), Err(SpiError::MissingSign));
    assert_eq!(verifier.verify(&call(&format!("{VECTOR_QUERY}&sign="), b"")), Err(SpiError::MissingSign));
    let tampered = VECTOR_BODY.replace("W1", "W2");
    assert_eq!(verifier.verify(&call(&good, tampered.as_bytes())), Err(SpiError::WrongSign));
    assert_eq!(
        verifier.verify(&call(&good.replace("stub-cust-code", "other"), VECTOR_BODY.as_bytes())),
        Err(SpiError::WrongSign)
    );
    assert_eq!(Verifier::new("other").verify(&call(&good, VECTOR_BODY.as_bytes())), Err(SpiError::WrongSign));

    let signed = |query: &str| {
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let pairs: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        format!("{query}&sign={}", md5_sign(pairs, VECTOR_BODY, "test"))
    };
    let no_time = signed("method=taobao.qimen.entryorder.create&customerId=c");
    assert_eq!(verifier.verify(&call(&no_time, VECTOR_BODY.as_bytes())), Err(SpiError::MissingTimestamp));
    let bad_time = signed("method=m&timestamp=yesterday");
    assert_eq!(
        verifier.verify(&call(&bad_time, VECTOR_BODY.as_bytes())),
        Err(SpiError::BadTimestamp { timestamp: "yesterday".into() })
    );
    let late = Verifier::new("test").clock(|| vector_time() + Duration::from_secs(3600));
    assert_eq!(late.verify(&call(&good, VECTOR_BODY.as_bytes())), Err(SpiError::StaleTimestamp { skew_secs: 3600 }));
    let millis = signed("method=m&timestamp=1429977607000");
    assert_eq!(verifier.verify(&call(&millis, VECTOR_BODY.as_bytes())), Ok(()));

    let ranges = ["140.205.144.0/24".parse::<IpRange>().unwrap()];
    let guarded = Verifier::new("test").clock(vector_time).allow(ranges);
    let from: IpAddr = [127, 0, 0, 1].into();
    assert_eq!(guarded.verify(&call(&good, VECTOR_BODY.as_bytes())), Err(SpiError::AddressNotAllowed { addr: from }));
    assert_eq!(guarded.verify(&SpiRequest::new(&good, VECTOR_BODY.as_bytes())), Err(SpiError::UnknownAddress));
    let inside = call(&good, VECTOR_BODY.as_bytes()).remote_addr([140, 205, 144, 9].into());
    assert_eq!(guarded.verify(&inside), Ok(()));

    // Garbage: never a panic, always a refusal.
    for (query, body) in [
        ("%%%&&==&sign=%ZZ", &b"\xff\xfe"[..]),
        ("sign=AB&timestamp=%FF%FE", b""),
        ("", b""),
        ("sign=x&timestamp=99999999999999999999999", b"<"),
    ] {
        let result = verifier
            .verify(&SpiRequest::new(query, body).header("top-sign-list", ",,x-none,").content_type("text/plain"));
        assert!(result.is_err(), "{query:?}");
        assert!(!result.unwrap_err().to_string().is_empty());
    }
}

fn vector_pairs() -> Vec<(&'static str, &'static str)> {
    vec![
        ("method", "taobao.qimen.entryorder.create"),
        ("timestamp", "2015-04-26 00:00:07"),
        ("format", "xml"),
        ("app_key", "testerp_appkey"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("customerId", "stub-cust-code"),
    ]
}

/// A request as a loopback server received it.
struct Received {
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    peer: IpAddr,
}

impl Received {
    fn spi(&self) -> SpiRequest<'_> {
        SpiRequest::new(&self.query, &self.body)
            .headers(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .remote_addr(self.peer)
    }
}

/// A loopback HTTP server an app would run, answering each request with `answer`; it stops
/// when dropped.
struct AppServer {
    url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AppServer {
    fn start(answer: impl Fn(&Received) -> (u16, String) + Send + 'static) -> AppServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/spi", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !stopping.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, peer)) => serve(stream, peer.ip(), &answer),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        AppServer { url, stop, thread: Some(thread) }
    }
}

impl Drop for AppServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, peer: IpAddr, answer: &impl Fn(&Received) -> (u16, String)) {
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let query = target.split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default();
    let (status, text) = answer(&Received { query, headers, body, peer });
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: text/xml;charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

/// A server that answers 200 `ok` to a call its verifier takes, 403 and the reason otherwise.
fn checking(verifier: Verifier) -> AppServer {
    AppServer::start(move |received| match verifier.verify(&received.spi()) {
        Ok(()) => (200, "ok".to_owned()),
        Err(err) => (403, format!("{err:?}")),
    })
}

fn text(answer: &top_api::sandbox::SpiAnswer) -> String {
    String::from_utf8_lossy(&answer.body).into_owned()
}

#[test]
fn the_sandbox_calls_an_spi_server_signed_as_the_platform_does() {
    let sandbox = Sandbox::start().unwrap();
    let local: IpRange = "127.0.0.0/8".parse().unwrap();
    let server = checking(Verifier::new(sandbox.app_secret()).allow([local]));
    let call = SpiCall::new("taobao.refund.spi.check")
        .param("refund_id", "7 & 8")
        .body("application/json", r#"{"reason":"货不对版"}"#)
        .header("x-trace", "a b+c");
    let answer = sandbox.spi_call(&server.url, &call).unwrap();
    assert_eq!((answer.status, text(&answer).as_str()), (200, "ok"));
    let form =
        SpiCall::new("taobao.refund.spi.check").body("application/x-www-form-urlencoded", "refund_id=9&memo=%E5%A5%BD");
    assert_eq!(sandbox.spi_call(&server.url, &form).unwrap().status, 200);

    // Another app's secret, a server clock an hour ahead, a caller outside the ranges.
    let other = checking(Verifier::new("another-secret"));
    assert_eq!(text(&sandbox.spi_call(&other.url, &call).unwrap()), "WrongSign");
    let ahead = checking(Verifier::new(sandbox.app_secret()).clock(|| SystemTime::now() + Duration::from_secs(3600)));
    assert!(text(&sandbox.spi_call(&ahead.url, &call).unwrap()).starts_with("StaleTimestamp"));
    let elsewhere = checking(Verifier::new(sandbox.app_secret()).allow(["10.0.0.0/8".parse().unwrap()]));
    assert!(text(&sandbox.spi_call(&elsewhere.url, &call).unwrap()).starts_with("AddressNotAllowed"));
    // The sandbox's clock is the one its timestamps follow.
    sandbox.set_clock(SystemTime::now() - Duration::from_secs(3600));
    assert!(text(&sandbox.spi_call(&server.url, &call).unwrap()).starts_with("StaleTimestamp"));
    // Nothing listening: a transport error, in the bound.
    drop(server);
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/spi", closed.local_addr().unwrap());
    drop(closed);
    assert!(matches!(sandbox.spi_call(&url, &call), Err(Error::Transport(_))));
}

#[test]
fn a_qimen_wms_reads_the_router_s_call_into_its_request_type_and_answers_typed() {
    let sandbox = Sandbox::start().unwrap();
    let verifier = Verifier::new(sandbox.app_secret());
    let wms = AppServer::start(move |received| {
        if let Err(err) = verifier.verify(&received.spi()) {
            return (403, format!("{err}"));
        }
        match read_request::<EntryOrderCreate>(&received.query, &received.body) {
            Ok(call) if call.customer_id == "C9" => {
                let order = call.request.and_then(|r| r.entry_order).map(|o| o.entry_order_code).unwrap_or_default();
                let answer =
                    EntryOrderCreateResponse { entry_order_id: Some(format!("WMS-{order}")), ..Default::default() };
                (200, write_response(&answer).unwrap())
            }
            Ok(_) => (200, write_failure(&ApiError::qimen(Some("CUSTOMER_UNKNOWN"), Some("no such customer")))),
            Err(err) => (200, write_failure(&ApiError::param_refusal(err.name(), &top_api::Violation::Missing))),
        }
    });
    let mut request = EntryOrderCreate { customer_id: "C9".into(), ..Default::default() };
    request.request = Some(EntryOrderCreateRequest {
        entry_order: Some(EntryOrder {
            entry_order_code: "E<1>".into(),
            owner_code: "O".into(),
            warehouse_code: "W".into(),
            remark: Some("宝 & 贝".into()),
        }),
        ..Default::default()
    });
    let answer = sandbox.spi_call(&wms.url, &SpiCall::qimen(&request).unwrap()).unwrap();
    let read = top_api::decode::<EntryOrderCreate>(&answer.body, Format::Xml).unwrap();
    assert_eq!(read.entry_order_id.as_deref(), Some("WMS-E<1>"));
    assert_eq!(read.flag.as_deref(), Some("success"));

    let stranger = EntryOrderCreate { customer_id: "C1".into(), ..request.clone() };
    let answer = sandbox.spi_call(&wms.url, &SpiCall::qimen(&stranger).unwrap()).unwrap();
    let err = top_api::decode::<EntryOrderCreate>(&answer.body, Format::Xml).unwrap_err();
    assert_eq!(err.api().and_then(ApiError::sub_code), Some("CUSTOMER_UNKNOWN"));

    // A body the WMS cannot read: its refusal names what is missing.
    let lacking = SpiCall::new("taobao.qimen.entryorder.create")
        .param("customerId", "C9")
        .body("text/xml", "<request><entryOrder><entryOrderCode>E</entryOrderCode></entryOrder></request>");
    let answer = sandbox.spi_call(&wms.url, &lacking).unwrap();
    let err = top_api::decode::<EntryOrderCreate>(&answer.body, Format::Xml).unwrap_err();
    assert_eq!(err.api().map(ApiError::code), Some(40), "{err:?}");
    assert!(err.api().unwrap().msg().contains("request.entryOrder.ownerCode"), "{err:?}");
}
