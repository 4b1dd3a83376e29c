//! The real ureq transport over loopback: keep-alive, statuses, timeouts, refused
//! connections. The server is a few lines of std, bounded in connections and time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use top_api::apis::TaobaoBaodianDepositGet;
use top_api::{Client, Error, TransportErrorKind};
use top_api_tests::{deposit_answer, fixture};

/// How the test server answers each request it reads.
#[derive(Clone, Copy)]
enum Behaviour {
    Answer { status: u16 },
    Silent,
}

/// Serves up to `connections` connections on 127.0.0.1, each until the client closes it;
/// returns the gateway URL and the count of accepted connections.
fn serve(behaviour: Behaviour, connections: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/router/rest", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(stream) = stream else { continue };
            count.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || handle(stream, behaviour));
        }
    });
    (url, accepted)
}

fn handle(stream: TcpStream, behaviour: Behaviour) {
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    for _ in 0..100 {
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        assert!(String::from_utf8(body).unwrap().contains("method=taobao.baodian.deposit.get"));
        match behaviour {
            Behaviour::Answer { status } => {
                let answer = if status == 200 {
                    fixture("taobao.baodian.deposit.get", "ok.json")
                } else {
                    b"<html>bad gateway</html>".to_vec()
                };
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    answer.len()
                );
                writer.write_all(head.as_bytes()).unwrap();
                writer.write_all(&answer).unwrap();
            }
            Behaviour::Silent => thread::sleep(Duration::from_secs(3)),
        }
    }
}

#[test]
fn calls_reuse_one_connection() {
    let (url, accepted) = serve(Behaviour::Answer { status: 200 }, 8);
    let client = Client::builder("12345678", "secret").gateway(url).build().unwrap();
    for _ in 0..3 {
        let answer = client.with_session("s").execute(&TaobaoBaodianDepositGet).unwrap();
        assert_eq!(answer.get(), &deposit_answer());
        assert_eq!(answer.request_id(), Some("4b2kp0g5fdw1"));
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn a_bad_gateway_page_is_a_status_error() {
    let (url, _) = serve(Behaviour::Answer { status: 502 }, 1);
    let client = Client::builder("12345678", "secret").gateway(url).build().unwrap();
    let err = client.with_session("s").execute(&TaobaoBaodianDepositGet).unwrap_err();
    assert!(matches!(&err, Error::Status { status: 502, body } if body == "<html>bad gateway</html>"), "{err:?}");
}

#[test]
fn a_silent_gateway_times_out() {
    let (url, _) = serve(Behaviour::Silent, 1);
    let client =
        Client::builder("12345678", "secret").gateway(url).read_timeout(Duration::from_millis(200)).build().unwrap();
    let err = client.with_session("s").execute(&TaobaoBaodianDepositGet).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[test]
fn a_refused_connection_is_a_connect_error() {
    // Bind then drop: the port is closed, so the connection is refused.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder("12345678", "secret")
        .gateway(format!("http://127.0.0.1:{port}/router/rest"))
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let err = client.with_session("s").execute(&TaobaoBaodianDepositGet).unwrap_err();
    let Error::Transport(transport) = &err else { panic!("not a transport error: {err:?}") };
    assert_eq!(transport.kind(), TransportErrorKind::Connect, "{err:?}");
}
