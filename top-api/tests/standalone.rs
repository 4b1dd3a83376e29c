//! The standalone `top-sandbox` binary serves clients written without top-api: here a
//! Python client that signs with its own md5, as the official Python SDK does. Ctrl-C
//! (SIGINT) stops it cleanly.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

#[test]
fn another_language_calls_the_standalone_sandbox() {
    let mut sandbox = Command::new(env!("CARGO_BIN_EXE_top-sandbox"))
        .args(["--port", "0", "--secret", "py-secret"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(sandbox.stdout.take().unwrap()).lines();
    let mut settings = std::collections::HashMap::new();
    for line in lines.by_ref().take(6) {
        if let Some((name, value)) = line.unwrap().trim().split_once('=') {
            settings.insert(name.to_owned(), value.to_owned());
        }
    }
    let setting = |name: &str| settings.get(name).cloned().unwrap_or_else(|| panic!("{name} not printed"));
    assert_eq!(setting("TOP_APP_SECRET"), "py-secret");

    let python = Command::new("python3")
        .args(["-c", CLIENT, &setting("TOP_GATEWAY"), &setting("TOP_APP_KEY"), "py-secret", &setting("TOP_SESSION")])
        .output()
        .expect("python3 runs the independent client");
    assert!(python.status.success(), "{}", String::from_utf8_lossy(&python.stderr));
    assert_eq!(String::from_utf8_lossy(&python.stdout).trim(), "1000");

    let interrupted = Command::new("kill").args(["-INT", &sandbox.id().to_string()]).status().unwrap();
    assert!(interrupted.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = sandbox.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the sandbox did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(rest, ["sandbox stopped"]);
}
