//! The sandbox closes every connection whose exchange has ended, at once, and bounds what
//! one client can hold: a request's whole head and body within one deadline, a cap on open
//! connections, a body that grows only as it arrives.
//!
//! The raw sockets here wait as long as the client's default read timeout (30 s): a
//! connection the sandbox failed to close makes the read time out, and the test fail.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use top_api::apis::TaobaoBaodianDepositGet;
use top_api::sandbox::{Fault, Sandbox};

/// The client's default read timeout.
const CLIENT_READ_TIMEOUT: Duration = Duration::from_secs(30);

fn connect(sandbox: &Sandbox) -> TcpStream {
    let stream = TcpStream::connect(sandbox.addr()).unwrap();
    stream.set_read_timeout(Some(CLIENT_READ_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(CLIENT_READ_TIMEOUT)).unwrap();
    stream
}

/// A signed call of the deposit API, as form text.
fn signed_form(sandbox: &Sandbox) -> String {
    let client = sandbox.client().build().unwrap();
    let params = client.wire_params(&TaobaoBaodianDepositGet, Some(sandbox.session())).unwrap();
    form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish()
}

fn post(version: &str, connection: Option<&str>, body: &str) -> String {
    let connection = connection.map(|value| format!("Connection: {value}\r\n")).unwrap_or_default();
    format!(
        "POST /router/rest {version}\r\nHost: 127.0.0.1\r\n{connection}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Everything the sandbox sends until it closes the connection; a read that times out
/// (the sandbox kept the connection open) fails the test.
fn until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => String::from_utf8_lossy(&answer).into_owned(),
        // A reset after the answer is a close too.
        Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => String::from_utf8_lossy(&answer).into_owned(),
        Err(err) => {
            panic!("the sandbox kept the connection open ({err}); read so far: {:?}", String::from_utf8_lossy(&answer))
        }
    }
}

#[test]
fn every_exchange_that_ends_closes_the_connection_at_once() {
    let sandbox = Sandbox::start().unwrap();
    let form = signed_form(&sandbox);
    let cases: Vec<(&str, String, &str)> = vec![
        ("Connection: close", post("HTTP/1.1", Some("close"), &form), "200 OK"),
        ("Connection: close among other tokens", post("HTTP/1.1", Some("TE, close"), &form), "200 OK"),
        ("HTTP/1.0", post("HTTP/1.0", None, &form), "200 OK"),
        ("a malformed request", "GARBAGE\r\n\r\n".to_owned(), "400 Bad Request"),
        ("HTTP/2 on a plain socket", "GET / HTTP/2\r\n\r\n".to_owned(), "400 Bad Request"),
        (
            "a body over the limit",
            "POST /router/rest HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n".to_owned(),
            "413 Payload Too Large",
        ),
    ];
    for (case, request, status) in cases {
        let mut stream = connect(&sandbox);
        stream.write_all(request.as_bytes()).unwrap();
        let answer = until_closed(&mut stream);
        assert!(answer.starts_with(&format!("HTTP/1.1 {status}")), "{case}: {answer:?}");
        assert!(answer.contains("Connection: close"), "{case} is answered with `Connection: close`: {answer:?}");
    }

    // A kept-alive connection stays open for the next request...
    let mut stream = connect(&sandbox);
    stream.write_all(post("HTTP/1.1", None, &form).as_bytes()).unwrap();
    stream.write_all(post("HTTP/1.1", Some("close"), &form).as_bytes()).unwrap();
    let answer = until_closed(&mut stream);
    assert_eq!(answer.matches("HTTP/1.1 200 OK").count(), 2, "{answer}");
    assert!(answer.contains("Connection: keep-alive"), "{answer}");

    // ...until the client closes its side.
    let mut stream = connect(&sandbox);
    stream.write_all(post("HTTP/1.1", None, &form).as_bytes()).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let answer = until_closed(&mut stream);
    assert_eq!(answer.matches("HTTP/1.1 200 OK").count(), 1, "{answer}");
}

#[test]
fn faults_that_drop_or_truncate_close_the_connection_at_once() {
    let sandbox = Sandbox::start().unwrap();
    let form = signed_form(&sandbox);

    sandbox.fail_next(1, Fault::DropConnection);
    let mut stream = connect(&sandbox);
    stream.write_all(post("HTTP/1.1", None, &form).as_bytes()).unwrap();
    assert_eq!(until_closed(&mut stream), "", "a dropped connection says nothing");

    sandbox.fail_next(1, Fault::TruncatedBody);
    let mut stream = connect(&sandbox);
    stream.write_all(post("HTTP/1.1", None, &form).as_bytes()).unwrap();
    let answer = until_closed(&mut stream);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let announced: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("Content-Length: "))
        .and_then(|length| length.parse().ok())
        .unwrap();
    assert_eq!(body.len(), announced / 2, "half the body, then the close: {answer:?}");

    // Through the client, with its default timeouts: the fault is a broken connection, not
    // a wait for the read timeout.
    let client = sandbox.client().build().unwrap();
    for fault in [Fault::DropConnection, Fault::TruncatedBody] {
        sandbox.fail_next(1, fault.clone());
        let err = client.with_session(sandbox.session()).execute(&TaobaoBaodianDepositGet).unwrap_err();
        let kind = match &err {
            top_api::Error::Transport(transport) => transport.kind(),
            other => panic!("{fault:?}: {other:?}"),
        };
        assert_eq!(kind, top_api::TransportErrorKind::Io, "{fault:?}: {err:?}");
    }
}

#[test]
fn a_request_gets_one_deadline_however_slowly_it_trickles() {
    let sandbox = Sandbox::builder().request_timeout(Duration::from_secs(1)).start().unwrap();
    let request = post("HTTP/1.1", None, &signed_form(&sandbox));
    let mut stream = connect(&sandbox);
    // One byte every 100 ms: an idle timer reset by every byte would never fire; the whole
    // request would take minutes to send. Between bytes, whatever the sandbox says is read.
    stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let started = Instant::now();
    let (mut sent, mut answer) = (0, Vec::new());
    for byte in request.as_bytes() {
        if stream.write_all(&[*byte]).is_err() {
            break;
        }
        sent += 1;
        let mut buf = [0; 1024];
        match stream.read(&mut buf) {
            Ok(read) => {
                answer.extend_from_slice(&buf[..read]);
                break;
            }
            Err(err) if matches!(err.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(err) => panic!("the connection broke without an answer: {err}"),
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no deadline after 20 s of trickling");
    }
    assert!(sent < request.len(), "the sandbox took the whole trickled request");
    stream.set_read_timeout(Some(CLIENT_READ_TIMEOUT)).unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned() + &until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 408 Request Timeout"), "{answer:?}");
}

#[test]
fn connections_over_the_cap_are_refused_with_a_clear_answer() {
    let sandbox = Sandbox::builder().max_connections(4).start().unwrap();
    let form = signed_form(&sandbox);
    let held: Vec<TcpStream> = (0..4).map(|_| connect(&sandbox)).collect();
    // Each held connection is served: it is open, and answers.
    let mut first = held[0].try_clone().unwrap();
    first.write_all(post("HTTP/1.1", None, &form).as_bytes()).unwrap();
    let mut head = [0; 15];
    first.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200 OK");

    let mut fifth = connect(&sandbox);
    let answer = until_closed(&mut fifth);
    assert!(answer.starts_with("HTTP/1.1 503 Service Unavailable"), "{answer:?}");
    assert!(answer.contains("too many open connections"), "{answer:?}");

    // A closed connection frees its place.
    drop(held);
    drop(first);
    let client = sandbox.client().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match client.with_session(sandbox.session()).execute(&TaobaoBaodianDepositGet) {
            Ok(answer) => {
                assert!(answer.user_coin_deposit.is_some());
                break;
            }
            Err(err) => assert!(Instant::now() < deadline, "no place freed: {err:?}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn many_params_are_read() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.handle_untyped("taobao.many.params.get", top_api::SessionNeed::None, |params| {
        Ok(top_api::sandbox::Node::from_json(&format!(r#"{{"count":{}}}"#, params.iter().count())).expect("JSON"))
    });
    let client = sandbox.client().build().unwrap();
    let params: Vec<(String, String)> = (0..100_000).map(|i| (format!("p{i}"), i.to_string())).collect();
    let answer = client.call("taobao.many.params.get", params).unwrap();
    assert_eq!(answer.get()["count"], 100_000);
}

#[test]
fn the_call_log_keeps_the_last_calls_or_none() {
    let sandbox = Sandbox::builder().call_log(3).start().unwrap();
    let client = sandbox.client().build().unwrap();
    for _ in 0..5 {
        client.with_session(sandbox.session()).execute(&TaobaoBaodianDepositGet).unwrap();
    }
    assert_eq!(sandbox.calls().len(), 3);

    let sandbox = Sandbox::builder().call_log(0).start().unwrap();
    let client = sandbox.client().build().unwrap();
    client.with_session(sandbox.session()).execute(&TaobaoBaodianDepositGet).unwrap();
    assert!(sandbox.calls().is_empty());
}
