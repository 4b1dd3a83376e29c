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
        // A request that is not the call the test makes is answered 400, so that the test,
        // not this thread, fails on it.
        let expected = String::from_utf8_lossy(&body).contains("method=taobao.baodian.deposit.get");
        match behaviour {
            Behaviour::Answer { .. } if !expected => {
                let _ = writer.write_all(b"HTTP/1.1 400 Not The Call\r\nContent-Length: 0\r\n\r\n");
            }
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

/// A gateway that takes connections and never reads from them: a client's upload stalls
/// once the socket buffers fill. Each connection is held for `hold`, then closed.
fn deaf_gateway(hold: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/router/rest", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(stream) = stream else { continue };
            thread::spawn(move || {
                thread::sleep(hold);
                drop(stream);
            });
        }
    });
    url
}

/// An upload far larger than the socket buffers between client and gateway.
fn big_upload() -> top_api::File {
    top_api::File::from_bytes("big.bin", vec![7; 64 * 1024 * 1024])
}

#[derive(Debug, serde::Deserialize)]
struct UploadAnswer {
    #[allow(dead_code)]
    url: Option<String>,
}

#[top_api::top_api(method = "taobao.picture.upload", response = UploadAnswer)]
struct PictureUpload {
    img: top_api::File,
}

#[test]
fn a_gateway_that_stops_reading_fails_the_send_at_the_write_timeout() {
    let url = deaf_gateway(Duration::from_secs(20));
    // Every other timeout at its default: only the write timeout can end this call early.
    let client =
        Client::builder("12345678", "secret").gateway(url).write_timeout(Duration::from_secs(1)).build().unwrap();
    // The bound is the call's: the upload is made before it starts.
    let upload = PictureUpload { img: big_upload() };
    let started = std::time::Instant::now();
    let err = client.with_session("s").execute(&upload).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "the send blocked for {:?}", started.elapsed());
}

#[test]
fn the_whole_call_bound_holds_within_ten_percent() {
    let bound = Duration::from_secs(3);
    // A gateway that never reads: with only per-read and per-write timeouts (30 s each, the
    // defaults), the upload would stall for 30 s.
    let url = deaf_gateway(Duration::from_secs(20));
    let client = Client::builder("12345678", "secret").gateway(url).timeout(bound).build().unwrap();
    // The bound is the call's: the upload is made before it starts.
    let upload = PictureUpload { img: big_upload() };
    let started = std::time::Instant::now();
    let err = client.with_session("s").execute(&upload).unwrap_err();
    let took = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(took <= bound + bound / 10, "a {bound:?} bound took {took:?}");

    // A silent gateway, a retry policy that would try four times, and a per-call bound:
    // the bound covers every try and every pause.
    let (url, _) = serve(Behaviour::Silent, 8);
    let policy = top_api::RetryPolicy::new(4).base_delay(Duration::from_millis(50));
    let client = Client::builder("12345678", "secret").gateway(url).retry(policy).build().unwrap();
    let options = top_api::CallOptions::new().timeout(Duration::from_secs(2)).idempotent(true);
    let started = std::time::Instant::now();
    let err = client.with_session("s").execute_with(&TaobaoBaodianDepositGet, &options).unwrap_err();
    let took = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(took <= Duration::from_millis(2200), "a 2 s bound took {took:?}");
}

#[test]
fn a_tls_failure_is_not_a_passing_fault() {
    // A gateway that answers a TLS handshake in plain HTTP: the handshake fails, and no
    // pause will mend it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/router/rest", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming().take(2) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            thread::sleep(Duration::from_millis(200));
        }
    });
    let client = Client::builder("12345678", "secret").gateway(url).build().unwrap();
    let err = client.with_session("s").execute(&TaobaoBaodianDepositGet).unwrap_err();
    let Error::Transport(transport) = &err else { panic!("not a transport error: {err:?}") };
    assert_eq!(transport.kind(), TransportErrorKind::Tls, "{err:?}");
    assert!(!err.is_transient(), "{err:?}");
}
