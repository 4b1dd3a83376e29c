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
    assert!(!stderr(&output).contains("drift"), "{}", stderr(&output));

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
fn apis_finds_an_api_and_its_feature() {
    let output = top(&["apis", "search", "tbk", "物料搜索"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("taobao.tbk.dg.material.optional  淘宝客-推广者-物料搜索  [feature `tbk`]"), "{text}");
    assert_eq!(top(&["apis", "search", "no-such-api-anywhere"]).status.code(), Some(1));

    let output = top(&["apis", "show", "yunos.dm.sys.get.domain"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("package `yunosdm`: enable it with the `top-api` feature `yunos`"), "{text}");
    let output = top(&["apis", "show", "taobao.tbk.item.info.get"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "Rust: top_api::tbk::TaobaoTbkItemInfoGet",
        "session: optional",
        "https://open.taobao.com/api.htm?docId=24518&docType=2",
        "num_iids String required",
        "results NTbkItem []",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    assert_eq!(top(&["apis", "show", "taobao.no.such.api"]).status.code(), Some(1));
}

#[test]
fn call_warns_of_params_the_catalog_does_not_have() {
    let sandbox = Sandbox::start().unwrap();
    let base = ["--app-key", sandbox.app_key(), "--app-secret", sandbox.app_secret(), "--gateway", sandbox.url()];
    let mut args = vec!["call", "taobao.baodian.deposit.get", "--session", sandbox.session()];
    args.extend(base);
    let output = top(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));

    let mut args = vec!["call", "taobao.tbk.item.info.get", "platfrom=1"];
    args.extend(base);
    let output = top(&args);
    let warnings = stderr(&output);
    assert!(
        warnings.contains("warning: `platfrom` is not a param of `taobao.tbk.item.info.get` in the catalog"),
        "{warnings}"
    );
    assert!(
        warnings.contains("warning: `taobao.tbk.item.info.get` requires num_iids, which the call does not send"),
        "{warnings}"
    );
    assert!(warnings.contains("code: 22"), "sent all the same, and refused by this sandbox: {warnings}");

    let mut args = vec!["call", "taobao.brand.new.api.2026", "x=1"];
    args.extend(base);
    let warnings = stderr(&top(&args));
    assert!(warnings.contains("warning: `taobao.brand.new.api.2026` is not in the platform catalog"), "{warnings}");
}

#[test]
fn gen_reads_a_catalog_entry() {
    let output = top(&["gen", "taobao.tbk.item.info.get"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "pub mod taobao_tbk_item_info_get {",
        "method = \"taobao.tbk.item.info.get\"",
        "session = \"optional\"",
        "pub num_iids: String,",
        "pub struct NTbkItem {",
        "https://open.taobao.com/api.htm?docId=24518&docType=2",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn gen_writes_one_module_per_namespace_with_progress() {
    let out = std::env::temp_dir().join(format!("top-gen-{}", std::process::id()));
    let pages = concat!(env!("CARGO_MANIFEST_DIR"), "/../top-api-core/pages");
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

    // A folder with good pages and bad ones: every good page is written, every bad one
    // reported with its file and line, and the status says some failed.
    let mixed = std::env::temp_dir().join(format!("top-gen-mixed-{}", std::process::id()));
    std::fs::create_dir_all(&mixed).unwrap();
    for entry in std::fs::read_dir(pages).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, mixed.join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(mixed.join("a-not-a-page.txt"), "this is not a page\n").unwrap();
    let deposit = std::fs::read_to_string(mixed.join("taobao.baodian.deposit.get.txt")).unwrap();
    let broken = deposit.replace("  • Number\n  • 1000", "  • Numbr\n  • 1000");
    let broken_line = broken.lines().position(|l| l.contains("Numbr")).unwrap() + 1;
    std::fs::write(mixed.join("taobao.baodian.deposit.get.txt"), broken).unwrap();
    let out = mixed.join("out");
    let output = top(&["gen", mixed.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let report = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{report}");
    assert!(report.contains("a-not-a-page.txt:1: error: no title like"), "{report}");
    let expected = format!("taobao.baodian.deposit.get.txt:{}: error: `deposit`", broken_line - 1);
    assert!(report.contains(&expected), "{expected} not in {report}");
    assert!(report.contains("top gen: 2 of 4 pages failed"), "{report}");
    let index = std::fs::read_to_string(out.join("mod.rs")).unwrap();
    assert_eq!(index.matches("pub mod").count(), 2, "{index}");
    assert!(out.join("alibaba_idle.rs").exists() && out.join("alibaba_shuqi.rs").exists());
    assert!(!out.join("taobao_baodian.rs").exists());
    std::fs::remove_dir_all(&mixed).unwrap();
}

/// A client of the sandbox that is not top-api: Python signing with md5 itself.
const PYTHON_CLIENT: &str = r#"
import hashlib, json, sys, time, urllib.parse, urllib.request
params = {
    "method": "taobao.tbk.item.info.get", "app_key": "12345678", "num_iids": "123",
    "timestamp": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 8 * 3600)),
    "v": "2.0", "sign_method": "md5", "format": "json", "simplify": "true",
}
text = "".join(k + params[k] for k in sorted(params))
params["sign"] = hashlib.md5(("sandbox-secret" + text + "sandbox-secret").encode()).hexdigest().upper()
body = urllib.parse.urlencode(params).encode()
with urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=body), timeout=10) as answer:
    print(json.load(answer)["results"][0]["num_iid"])
"#;

/// A child process killed when dropped: a failing test leaves no server behind.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[test]
fn sandbox_serves_until_ctrl_c() {
    let mut guard = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_top"))
            .args(["sandbox", "--port", "0", "--session", "cli-session"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut guard.0;
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

    // Every API of the catalog answers, typed here as a user would call it…
    let item = top_api::tbk::TaobaoTbkItemInfoGet { num_iids: "123".into(), ..Default::default() };
    let answer = client.execute(&item).unwrap();
    let first = answer.results.first().expect("the sample has a list of one item");
    assert_eq!(first.num_iid.as_deref(), Some("num_iid"));
    assert_eq!(first.volume, Some(1));
    // …after the gateway's checks of its params: the required `num_iids` is missing here.
    let err = client.call("taobao.tbk.item.info.get", [("platform", "1")]).unwrap_err();
    assert_eq!(err.api().map(|api| (api.code(), api.msg())), Some((40, "Missing required arguments:num_iids")));
    // …and to a client in another language, signing on its own.
    let python = Command::new("python3").arg("-c").arg(PYTHON_CLIENT).arg(client.gateway()).output().unwrap();
    assert!(python.status.success(), "{}", String::from_utf8_lossy(&python.stderr));
    assert_eq!(String::from_utf8_lossy(&python.stdout).trim(), "num_iid");

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

#[test]
fn a_closed_or_full_output_ends_quietly_with_a_failure_status() {
    // `top apis search taobao | head -1`: the reader goes away after one line, long before
    // the thousands of lines are written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_top"))
        .args(["apis", "search", "taobao"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.contains("taobao."), "{first}");
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success(), "a closed pipe is a failure");
    assert_eq!(stderr(&output), "", "quietly: no panic, no message");

    // `top apis search taobao > /dev/full`.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_top"))
        .args(["apis", "search", "taobao"])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = stderr(&output);
    assert!(said.contains("cannot write the output") && !said.contains("panicked"), "{said}");
}

#[test]
fn call_prints_where_the_answer_and_the_api_s_type_disagree() {
    let sandbox = Sandbox::start().unwrap();
    let payload =
        r#"{"result":{"result_code":"maybe","new_flag":1,"results":{"coupon_info":"x","category_id":"cat"}}}"#;
    let method = "taobao.tbk.coupon.convert";
    sandbox.answer(method, top_api::SessionNeed::None, top_api::sandbox::Node::from_json(payload).unwrap());
    let base = ["--app-key", sandbox.app_key(), "--app-secret", sandbox.app_secret(), "--gateway", sandbox.url()];
    let mut args = vec!["call", method, "adzone_id=7"];
    args.extend(base);
    let output = top(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    // The whole answer is printed; what the generated type would leave out is listed.
    let answer: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(answer["result"]["new_flag"], 1);
    let err = stderr(&output);
    let drift: Vec<&str> = err.lines().filter(|l| l.starts_with("drift: ")).collect();
    assert_eq!(drift.len(), 3, "{err}");
    assert!(drift[0].contains("`result.new_flag`: the type has no field for it"), "{err}");
    assert!(drift[1].contains("`result.results.category_id` is `cat`, which does not fit Number"), "{err}");
    assert!(drift[2].contains("`result.result_code` is `maybe`, which does not fit Number"), "{err}");
}

#[test]
fn call_reads_an_answer_through_the_package_s_shared_types() {
    // `taobao.trade.fullinfo.get`'s own copy of `Trade` lacks `alipay_id`; the package's
    // shared `Trade` (what the generated type reads) has it, so it is no drift. A key no copy
    // lists still is.
    let sandbox = Sandbox::start().unwrap();
    let payload = r#"{"trade":{"tid":4107011111111111111,"alipay_id":2088000000000000,"no_copy_lists_this":1}}"#;
    let method = "taobao.trade.fullinfo.get";
    sandbox.answer(method, top_api::SessionNeed::Required, top_api::sandbox::Node::from_json(payload).unwrap());
    let mut args =
        vec!["call", method, "fields=tid,alipay_id", "tid=4107011111111111111", "--session", sandbox.session()];
    args.extend(["--app-key", sandbox.app_key(), "--app-secret", sandbox.app_secret(), "--gateway", sandbox.url()]);
    let output = top(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    let drift: Vec<&str> = err.lines().filter(|l| l.starts_with("drift: ")).collect();
    assert_eq!(drift, ["drift: `trade.no_copy_lists_this`: the type has no field for it"], "{err}");
}

/// Runs `top ARGS` against `sandbox` (its gateway, message channel, app key and secret in
/// the environment), for at most 20 s.
fn top_against(sandbox: &Sandbox, args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_top"))
        .args(args)
        .env("TOP_GATEWAY", sandbox.url())
        .env("TOP_TMC_URL", sandbox.tmc_url())
        .env("TOP_APP_KEY", sandbox.app_key())
        .env("TOP_APP_SECRET", sandbox.app_secret())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = KillOnDrop(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while guard.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "top {args:?} did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
    let child = std::mem::replace(&mut guard.0, Command::new("true").spawn().unwrap());
    child.wait_with_output().unwrap()
}

#[test]
fn messages_publish_queues_a_message_and_listen_prints_then_confirms_each() {
    let sandbox = Sandbox::start().unwrap();
    let published = top_against(&sandbox, &["messages", "publish", "taobao_trade_TradeCreate", r#"{"tid":"9"}"#]);
    assert!(published.status.success(), "{}", String::from_utf8_lossy(&published.stderr));
    let answer: serde_json::Value = serde_json::from_str(stdout(&published).trim()).unwrap();
    assert_eq!(answer["is_success"], true);
    sandbox.publish("taobao_refund_RefundCreated", r#"{"refund_id":3}"#);
    assert_eq!(sandbox.pending_messages("default"), 2);

    // `--no-confirm` prints and leaves them queued.
    let peek = top_against(&sandbox, &["messages", "listen", "--count", "2", "--no-confirm"]);
    assert!(peek.status.success(), "{}", String::from_utf8_lossy(&peek.stderr));
    assert_eq!(stdout(&peek).lines().count(), 2);
    assert_eq!(sandbox.pending_messages("default"), 2);

    // Over the WebSocket: each line a message, confirmed once printed.
    let sandbox = Sandbox::builder().redelivery(Duration::from_millis(200)).start().unwrap();
    sandbox.publish("taobao_trade_TradeCreate", r#"{"tid":"9"}"#);
    sandbox.publish("taobao_refund_RefundCreated", r#"{"refund_id":3}"#);
    let listened = top_against(&sandbox, &["messages", "listen", "--count", "2"]);
    assert!(listened.status.success(), "{}", String::from_utf8_lossy(&listened.stderr));
    let lines: Vec<serde_json::Value> =
        stdout(&listened).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let mut topics: Vec<&str> = lines.iter().map(|line| line["topic"].as_str().unwrap()).collect();
    topics.sort_unstable();
    assert_eq!(topics, ["taobao_refund_RefundCreated", "taobao_trade_TradeCreate"]);
    assert!(lines.iter().any(|line| line["content"]["tid"] == "9"), "the content is JSON: {lines:?}");
    assert_eq!(sandbox.pending_messages("default"), 0);

    // Over REST, the same.
    sandbox.publish("taobao_item_ItemAdd", r#"{"num_iid":5}"#);
    let polled = top_against(&sandbox, &["messages", "listen", "--rest", "--count", "1"]);
    assert!(polled.status.success(), "{}", String::from_utf8_lossy(&polled.stderr));
    assert!(stdout(&polled).contains("taobao_item_ItemAdd"));
    assert_eq!(sandbox.pending_messages("default"), 0);

    // A wrong secret: refused at once, with the channel's words.
    let wrong = Command::new(env!("CARGO_BIN_EXE_top"))
        .args(["messages", "listen", "--url", &sandbox.tmc_url(), "--app-key", sandbox.app_key(), "--app-secret", "x"])
        .env_remove("TOP_TMC_URL")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("Invalid signature"));
}

#[test]
fn messages_listen_gets_its_token_through_the_gateway_where_the_channel_asks_for_one() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.require_tmc_token(true);
    sandbox.publish("taobao_trade_TradeCreate", r#"{"tid":"9"}"#);
    let refused = top_against(&sandbox, &["messages", "listen", "--count", "1"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("token"), "{}", String::from_utf8_lossy(&refused.stderr));
    let listened = top_against(
        &sandbox,
        &["messages", "listen", "--count", "1", "--auth", "--minor-group", "default", "--filter-exp", "*"],
    );
    assert!(listened.status.success(), "{}", String::from_utf8_lossy(&listened.stderr));
    assert!(stdout(&listened).contains("taobao_trade_TradeCreate"));
    let connect = sandbox.tmc_connects().pop().unwrap();
    assert!(connect["token"].starts_with("tmc-"), "{connect:?}");
    assert_eq!((connect["minor_group"].as_str(), connect["filter_exp"].as_str()), ("default", "*"));
}

/// One request to a loopback server that checks it as an SPI server would, and answers
/// 200 with `verified` or 403 with the reason.
fn spi_server(secret: &'static str) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/spi", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        let (stream, peer) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let mut headers = Vec::new();
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            if header.trim().is_empty() {
                break;
            }
            let (name, value) = header.trim_end().split_once(':').unwrap();
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let request = top_api::spi::SpiRequest::new(query, &body)
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .remote_addr(peer.ip());
        let (status, text) = match top_api::spi::Verifier::new(secret).verify(&request) {
            Ok(()) => (200, "verified".to_owned()),
            Err(err) => (403, err.to_string()),
        };
        let mut stream = stream;
        write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}", text.len())
            .unwrap();
    });
    (url, thread)
}

#[test]
fn top_spi_call_signs_as_the_platform_does() {
    let (url, server) = spi_server("spi-secret");
    let body = std::env::temp_dir().join(format!("top-spi-body-{}.xml", std::process::id()));
    std::fs::write(&body, "<request><a>1</a></request>").unwrap();
    let body_arg = body.to_string_lossy().into_owned();
    let args = ["spi", "call", &url, "--method", "taobao.qimen.x", "customerId=C1", "--header", "x-trace: t1"];
    let output = top(&[&args[..], &["--body", &body_arg, "--app-key", "k", "--app-secret", "spi-secret"]].concat());
    server.join().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout} {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout, "200\nverified\n");

    let (url, server) = spi_server("another-secret");
    let args = ["spi", "call", &url, "--method", "taobao.qimen.x", "--app-key", "k", "--app-secret", "spi-secret"];
    let output = top(&args);
    server.join().unwrap();
    let _ = std::fs::remove_file(&body);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("403"), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn oauth_url_token_and_refresh_make_a_whole_round_against_the_sandbox() {
    use top_api::oauth::{Callback, Token};
    let sandbox = Sandbox::builder().oauth_user(2_210_000_000_042, "沙箱店").start().unwrap();
    let output =
        top_against(&sandbox, &["oauth", "url", "--redirect-uri", "https://app.example.com/cb", "--state", "s1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let url = stdout(&output).trim().to_owned();
    assert!(
        url.starts_with(&format!("http://{}/oauth/authorize?response_type=code&client_id=", sandbox.addr())),
        "{url}"
    );
    let code = Callback::read(&sandbox.authorize(&url).unwrap(), Some("s1")).unwrap();

    let folder = std::env::temp_dir().join(format!("top-cli-oauth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let store = folder.to_string_lossy().into_owned();
    let output = top_against(&sandbox, &["oauth", "token", code.code(), "--store", &store]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("token of user 2210000000042 (沙箱店)"), "{}", stderr(&output));
    let token = Token::parse(&stdout(&output)).unwrap();
    let client = sandbox.client().build().unwrap();
    client.with_token(&token).unwrap().execute(&TaobaoBaodianDepositGet).unwrap();
    let kept = folder.join("2210000000042.json");
    assert_eq!(Token::parse(&std::fs::read_to_string(&kept).unwrap()).unwrap(), token);

    let output = top_against(&sandbox, &["oauth", "refresh", &kept.to_string_lossy()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let renewed = Token::parse(&stdout(&output)).unwrap();
    assert_ne!(renewed.access_token(), token.access_token());
    client.with_token(&renewed).unwrap().execute(&TaobaoBaodianDepositGet).unwrap();

    // A code used already: the gateway's refusal, exit 1.
    let output = top_against(&sandbox, &["oauth", "token", code.code()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("isv.code-invalid"), "{}", stderr(&output));
    // A file that is not a token: a usage mistake, exit 2, its text not repeated.
    std::fs::write(folder.join("bad.json"), "session=6101secret").unwrap();
    let output = top_against(&sandbox, &["oauth", "refresh", &folder.join("bad.json").to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not JSON") && !stderr(&output).contains("6101secret"), "{}", stderr(&output));
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn call_sends_a_qimen_api_s_body_to_the_router_and_prints_its_xml() {
    use top_api::sandbox::Node;
    let sandbox = Sandbox::start().unwrap();
    sandbox.handle_qimen_untyped("wms.custom.stock.query", |params| {
        match (params.get("customerId"), params.get("request")) {
            (Some("C1"), Some(body)) if body.contains("<itemCode>I1</itemCode>") => {
                Ok(Node::Object(None, vec![("quantity".into(), Node::Int(7))]))
            }
            _ => Err(top_api::ApiError::qimen(Some("ITEM_NOT_FOUND"), Some("no such item"))),
        }
    });
    let folder = std::env::temp_dir().join(format!("top-cli-qimen-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let (found, missing) = (folder.join("found.xml"), folder.join("missing.xml"));
    std::fs::write(&found, "<request><itemCode>I1</itemCode></request>").unwrap();
    std::fs::write(&missing, "<request><itemCode>I2</itemCode></request>").unwrap();

    let output =
        top_against(&sandbox, &["call", "wms.custom.stock.query", "customerId=C1", "--body", &found.to_string_lossy()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("<flag>success</flag>") && stdout(&output).contains("<quantity>7</quantity>"));
    let output = top_against(
        &sandbox,
        &["call", "wms.custom.stock.query", "customerId=C1", "--body", &missing.to_string_lossy()],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("ITEM_NOT_FOUND"), "{}", stderr(&output));
    // A Qimen API of the catalog without its body: told how to send it, nothing sent.
    let calls = sandbox.calls().len();
    let output = top_against(&sandbox, &["call", "taobao.qimen.entryorder.create", "customerId=C1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--body"), "{}", stderr(&output));
    assert_eq!(sandbox.calls().len(), calls);
    std::fs::remove_dir_all(&folder).unwrap();
}
