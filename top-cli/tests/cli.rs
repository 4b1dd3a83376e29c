//! The `top` command, run as a user runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use top_api::apis::TaobaoBaodianDepositGet;
use top_api::sandbox::Sandbox;

fn top(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_top"))
        .args(args)
        .env_remove("TOP_APP_KEY")
        .env_remove("TOP_APP_SECRET")
        .env_remove("TOP_GATEWAY")
        .env_remove("TOP_SESSION")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const VECTOR: [&str; 9] = [
    "app_key=12345678",
    "method=taobao.item.seller.get",
    "timestamp=2016-01-01 12:00:00",
    "format=json",
    "v=2.0",
    "session=test",
    "fields=num_iid,title,nick,price,num",
    "num_iid=11223344",
    "sign_method=md5",
];

#[test]
fn sign_prints_the_protocol_vectors() {
    let mut args = vec!["sign"];
    args.extend(VECTOR);
    args.extend(["--secret", "helloworld"]);
    let output = top(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "66987CB115214E59E6EC978214934FB8");

    let mut hmac: Vec<&str> = VECTOR[..8].to_vec();
    hmac.extend(["sign_method=hmac", "--secret", "helloworld", "--verbose"]);
    hmac.insert(0, "sign");
    let output = top(&hmac);
    let text = stdout(&output);
    assert!(text.ends_with("D56D7858309C31B6251083A874D48273\n"), "{text}");
    assert!(text.contains("string to sign: app_key12345678fieldsnum_iid,title,nick,price,numformatjson"), "{text}");
    assert!(!text.contains("helloworld"), "the secret is not printed");

    let output = top(&["sign", "no-equals", "--secret", "s"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("expected `name=value`, found `no-equals`"));
}

#[test]
fn call_prints_the_answer_and_exits_with_the_refusal() {
    let sandbox = Sandbox::start().unwrap();
    let base = ["--app-key", sandbox.app_key(), "--app-secret", sandbox.app_secret(), "--gateway", sandbox.url()];
    let mut args = vec!["call", "alibaba.idle.interact.loan.user.query", "user=3", "scene_code=xx", "env=pre"];
    args.extend(base);
    let output = top(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let answer: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(answer["idle_point_result"]["idle_loan_personal_info"]["real_name_info"]["gender"], 6);

    let mut args = vec!["call", "taobao.baodian.deposit.get", "--session", "stolen", "--format", "xml"];
    args.extend(base);
    let output = top(&args);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("code: 27") && err.contains("sub_code: invalid-sessionkey"), "{err}");

    let mut args =
        vec!["call", "taobao.baodian.deposit.get", "--raw", "--session", sandbox.session(), "--sign-method", "md5"];
    args.extend(base);
    let output = top(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("{\"baodian_deposit_get_response\":{\"user_coin_deposit\":"),
        "{}",
        stdout(&output)
    );

    let mut args = vec!["call", "taobao.baodian.deposit.get", "--raw"];
    args.extend(base);
    let output = top(&args);
    assert_eq!(output.status.code(), Some(1), "a raw refusal still fails");
    assert!(stdout(&output).contains("\"code\":26"));

    let output = top(&["call", "taobao.time.get"]);
    assert_eq!(output.status.code(), Some(2), "no credentials is a usage mistake");
}

#[test]
fn gen_writes_one_module_per_namespace_with_progress() {
    let out = std::env::temp_dir().join(format!("top-gen-{}", std::process::id()));
    let pages = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pages");
    let output = top(&["gen", pages, "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let progress = stderr(&output);
    assert!(progress.contains("[1/3] alibaba.idle.interact.loan.user.query -> alibaba_idle.rs"), "{progress}");
    assert!(progress.contains("[3/3] taobao.baodian.deposit.get -> taobao_baodian.rs"), "{progress}");
    let index = std::fs::read_to_string(out.join("mod.rs")).unwrap();
    assert!(index.contains("pub mod alibaba_idle;\npub mod alibaba_shuqi;\npub mod taobao_baodian;\n"), "{index}");
    let deposit = std::fs::read_to_string(out.join("taobao_baodian.rs")).unwrap();
    assert!(deposit.contains("pub struct TaobaoBaodianDepositGet;"), "{deposit}");
    std::fs::remove_dir_all(&out).unwrap();

    // A bad page fails the run, naming the file and the line.
    let bad = std::env::temp_dir().join(format!("top-gen-bad-{}.txt", std::process::id()));
    std::fs::write(&bad, "this is not a page\n").unwrap();
    let output = top(&["gen", bad.to_str().unwrap()]);
    std::fs::remove_file(&bad).unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains(".txt: line 1: no title like"), "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn sandbox_serves_until_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_top"))
        .args(["sandbox", "--port", "0", "--session", "cli-session"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .take(6)
        .map_while(Result::ok)
        .find_map(|line| line.trim().strip_prefix("TOP_GATEWAY=").map(str::to_owned))
        .expect("the URL is printed");
    let client = top_api::Client::builder(top_api::sandbox::DEFAULT_APP_KEY, top_api::sandbox::DEFAULT_APP_SECRET)
        .gateway(url)
        .build()
        .unwrap();
    let answer = client.with_session("cli-session").execute(&TaobaoBaodianDepositGet).unwrap();
    assert_eq!(answer.user_coin_deposit.as_ref().and_then(|d| d.deposit), Some(1000));

    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "top sandbox did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(rest.last().map(String::as_str), Some("sandbox stopped"), "{rest:?}");
}
