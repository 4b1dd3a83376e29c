//! `top sandbox` serves clients written without top-api, each call on a connection of its
//! own as the official Python SDK makes them, under a low limit of file descriptors. (A
//! Python client and Ctrl-C are in `cli.rs`.)
#![cfg(unix)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use top_api::apis::TaobaoBaodianDepositGet;

/// The standalone sandbox, killed when dropped: a failing test leaves no process behind.
struct Standalone {
    child: Child,
    settings: HashMap<String, String>,
    /// The rest of its output, kept open while it runs.
    _lines: std::io::Lines<BufReader<ChildStdout>>,
}

impl Standalone {
    /// Starts `top sandbox ARGS` under `sh -c PREFIX`, and reads the settings it prints.
    fn start(prefix: &str, args: &[&str]) -> Standalone {
        let script = format!("{prefix} exec \"$0\" \"$@\"");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_top"))
            .arg("sandbox")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut settings = HashMap::new();
        for line in lines.by_ref().take(6) {
            if let Some((name, value)) = line.unwrap().trim().split_once('=') {
                settings.insert(name.to_owned(), value.to_owned());
            }
        }
        Standalone { child, settings, _lines: lines }
    }

    fn setting(&self, name: &str) -> String {
        self.settings.get(name).cloned().unwrap_or_else(|| panic!("{name} not printed"))
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One call on a connection of its own, as the official Python SDK makes them: half ask
/// `Connection: close`, half are kept alive and dropped by the client after the answer.
fn call_on_a_new_connection(addr: &str, form: &str, close: bool) -> String {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|err| panic!("cannot connect: {err}"));
    // The client's default read timeout.
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let connection = if close { "Connection: close\r\n" } else { "" };
    let request = format!(
        "POST /router/rest HTTP/1.1\r\nHost: {addr}\r\n{connection}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.trim().parse().unwrap();
        }
        head.push_str(&line);
        if line == "\r\n" || line.is_empty() {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    String::from_utf8(body).unwrap()
}

#[test]
fn five_thousand_new_connections_under_a_limit_of_256_descriptors() {
    let sandbox = Standalone::start("ulimit -n 256 &&", &["--port", "0"]);
    let gateway = sandbox.setting("TOP_GATEWAY");
    let addr = gateway.trim_start_matches("http://").trim_end_matches("/router/rest").to_owned();
    let client = top_api::Client::builder(sandbox.setting("TOP_APP_KEY"), sandbox.setting("TOP_APP_SECRET"))
        .gateway(&gateway)
        .sign_method(top_api::SignMethod::Md5)
        .build()
        .unwrap();
    let session = sandbox.setting("TOP_SESSION");
    for call in 0..5_000 {
        let params = client.wire_params(&TaobaoBaodianDepositGet, Some(&session)).unwrap();
        let form = form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish();
        let body = call_on_a_new_connection(&addr, &form, call % 2 == 0);
        assert!(body.contains("baodian_deposit_get_response"), "call {call}: {body}");
    }
}
