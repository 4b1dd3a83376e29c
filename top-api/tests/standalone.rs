//! The standalone `top-sandbox` binary serves clients written without top-api: here a
//! Python client that signs with its own md5, as the official Python SDK does. Ctrl-C
//! (SIGINT) stops it cleanly.
#![cfg(unix)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use top_api::apis::TaobaoBaodianDepositGet;

const CLIENT: &str = r#"
import hashlib, json, sys, time, urllib.parse, urllib.request
url, key, secret, session = sys.argv[1:5]
params = {
    "method": "taobao.baodian.deposit.get", "app_key": key, "session": session,
    "timestamp": str(int(time.time() * 1000)), "v": "2.0", "sign_method": "md5", "format": "json",
}
text = "".join(k + params[k] for k in sorted(params))
params["sign"] = hashlib.md5((secret + text + secret).encode()).hexdigest().upper()
body = urllib.parse.urlencode(params).encode()
with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10) as answer:
    print(json.load(answer)["baodian_deposit_get_response"]["user_coin_deposit"]["deposit"])
"#;

/// The standalone sandbox, killed when dropped: a failing test leaves no process behind.
struct Standalone {
    child: Child,
    settings: HashMap<String, String>,
    lines: std::io::Lines<BufReader<ChildStdout>>,
}

impl Standalone {
    /// Starts `top-sandbox ARGS` under `sh -c PREFIX`, and reads the settings it prints.
    fn start(prefix: &str, args: &[&str]) -> Standalone {
        let script = format!("{prefix} exec \"$0\" \"$@\"");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_top-sandbox"))
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
        Standalone { child, settings, lines }
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

#[test]
fn another_language_calls_the_standalone_sandbox() {
    let mut sandbox = Standalone::start("", &["--port", "0", "--secret", "py-secret"]);
    assert_eq!(sandbox.setting("TOP_APP_SECRET"), "py-secret");

    let python = Command::new("python3")
        .args([
            "-c",
            CLIENT,
            &sandbox.setting("TOP_GATEWAY"),
            &sandbox.setting("TOP_APP_KEY"),
            "py-secret",
            &sandbox.setting("TOP_SESSION"),
        ])
        .output()
        .expect("python3 runs the independent client");
    assert!(python.status.success(), "{}", String::from_utf8_lossy(&python.stderr));
    assert_eq!(String::from_utf8_lossy(&python.stdout).trim(), "1000");

    let interrupted = Command::new("kill").args(["-INT", &sandbox.child.id().to_string()]).status().unwrap();
    assert!(interrupted.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = sandbox.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the sandbox did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    let rest: Vec<String> = sandbox.lines.by_ref().map_while(Result::ok).collect();
    assert_eq!(rest, ["sandbox stopped"]);
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
