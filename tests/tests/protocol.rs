//! The rest of the protocol against the sandbox over real HTTP: file uploads, batch calls,
//! gzip, untyped calls, and the remaining system params and knobs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use top_api::apis::{
    AlibabaIdleInteractLoanUserQueryResponse, AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo,
    TaobaoBaodianDepositGet,
};
use top_api::sandbox::{Fault, Sandbox};
use top_api::{top_api, ApiError, CallOptions, Client, ConfigError, Error, File, Format, SignMethod};
use top_api_tests::{authorinfo_answer, deposit_answer, loan_query, loan_user_query_answer, AuthorQueryByName};

fn every_byte() -> Vec<u8> {
    (0..4).flat_map(|_| 0..=255u8).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadResponse {
    pub size: Option<i64>,
    pub file_name: Option<String>,
}

/// Uploads an image.
#[top_api(method = "taobao.picture.upload", response = UploadResponse)]
#[derive(Debug, Clone)]
pub struct PictureUpload {
    pub title: String,
    pub image: File,
    pub thumbnail: Option<File>,
}

#[test]
fn a_file_upload_carries_every_byte_and_is_not_signed() {
    let sandbox = Sandbox::start().unwrap();
    let received = Arc::new(Mutex::new(None));
    let keep = received.clone();
    sandbox.handle(move |upload: PictureUpload| {
        let answer = UploadResponse {
            size: Some(upload.image.bytes().len() as i64),
            file_name: Some(upload.image.file_name().into()),
        };
        *keep.lock().unwrap() = Some(upload);
        Ok(answer)
    });
    let path = std::env::temp_dir().join(format!("top-api-upload-{}.bin", std::process::id()));
    std::fs::write(&path, every_byte()).unwrap();
    let from_disk = File::from_path(&path).unwrap().content_type("image/png");
    std::fs::remove_file(&path).unwrap();

    for sign in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let client = sandbox.client().sign_method(sign).build().unwrap();
        let request = PictureUpload { title: "宝贝 \"图\"".into(), image: from_disk.clone(), thumbnail: None };
        let answer = client.execute(&request).unwrap();
        assert_eq!(answer.size, Some(1024), "{sign}");
        let upload = received.lock().unwrap().take().unwrap();
        assert_eq!(upload.image.bytes(), &every_byte()[..]);
        assert_eq!(upload.image.content_type_str(), "image/png");
        assert_eq!(upload.image.file_name(), path.file_name().unwrap().to_str().unwrap());
        assert_eq!(upload.title, "宝贝 \"图\"");
        assert_eq!(upload.thumbnail, None);
    }
    let call = sandbox.calls().pop().unwrap();
    assert_eq!(call.files.len(), 1);
    assert_eq!(call.files[0].bytes, every_byte());
    assert_eq!(call.param("image"), None, "a file is not a text param");

    // A second file from memory, and the gateway sees both.
    let client = sandbox.client().build().unwrap();
    let thumbnail = File::from_bytes("t.bin", vec![0u8, 13, 10, 255]);
    let request = PictureUpload { title: "t".into(), image: from_disk, thumbnail: Some(thumbnail.clone()) };
    client.execute(&request).unwrap();
    assert_eq!(received.lock().unwrap().take().unwrap().thumbnail, Some(thumbnail));
}

/// The loan query without `env`, which a batch's public part supplies.
#[top_api(method = "alibaba.idle.interact.loan.user.query", response = AlibabaIdleInteractLoanUserQueryResponse)]
struct LoanQueryWithoutEnv {
    user: String,
    scene_code: String,
}

#[test]
fn a_batch_answers_each_call_on_its_own_in_order() {
    let sandbox = Sandbox::start().unwrap();
    for (format, simplify) in [(Format::Json, false), (Format::Json, true), (Format::Xml, false)] {
        let client = sandbox.client().format(format).simplify(simplify).build().unwrap();
        let mut batch = client.batch();
        let loan = batch.add(&loan_query()).unwrap();
        let refused = batch.add(&AuthorQueryByName { user_id: "jason".into() }).unwrap();
        let author = batch
            .add(&AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo { user_id: 406_797_230, ..Default::default() })
            .unwrap();
        assert_eq!(batch.len(), 3);
        let answers = batch.send().unwrap();
        assert_eq!(answers.len(), 3);
        assert_eq!(answers.get(&loan).unwrap().get(), &loan_user_query_answer(), "{format} {simplify}");
        assert_eq!(answers.get(&author).unwrap().get(), &authorinfo_answer());
        let err = answers.get(&refused).unwrap_err();
        assert_eq!(err.api().map(ApiError::code), Some(41), "{err:?}");
    }
    let calls = sandbox.calls();
    assert_eq!(calls.len(), 9);
    assert!(calls.iter().all(|call| call.batch));
    assert_eq!(calls[0].method.as_deref(), Some("alibaba.idle.interact.loan.user.query"));
    assert_eq!(calls[1].error_code, Some(41));
}

#[test]
fn a_batch_with_a_session_public_params_and_its_own_separator() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().build().unwrap();
    let session = client.with_session(sandbox.session());
    let mut batch = session.batch();
    batch.public_param("env", "pre").separator("--next--");
    let deposit = batch.add(&TaobaoBaodianDepositGet).unwrap();
    let loan = batch.add(&LoanQueryWithoutEnv { user: "3".into(), scene_code: "xx".into() }).unwrap();
    let answers = batch.send().unwrap();
    assert_eq!(answers.get(&deposit).unwrap().get(), &deposit_answer());
    assert_eq!(answers.get(&loan).unwrap().get(), &loan_user_query_answer());
    let calls = sandbox.calls();
    assert_eq!(calls[1].param("env"), Some("pre"));
    assert_eq!(calls[0].param("session"), Some(sandbox.session()));
}

#[test]
fn a_whole_batch_refusal_is_an_api_error() {
    let sandbox = Sandbox::start().unwrap();
    let client = Client::builder(sandbox.app_key(), "wrong").gateway(sandbox.url()).build().unwrap();
    let mut batch = client.batch();
    batch.add(&loan_query()).unwrap();
    batch.add(&loan_query()).unwrap();
    let err = batch.send().unwrap_err();
    assert_eq!(err.api().map(ApiError::code), Some(25), "{err:?}");
    // An empty batch is refused before any I/O.
    assert!(matches!(client.batch().send(), Err(Error::Config(ConfigError::EmptyBatch))));
    // A separator that cannot travel in a header is refused.
    let mut crlf = client.batch();
    crlf.add(&loan_query()).unwrap();
    crlf.separator("\r\n-X-\r\n");
    let err = crlf.send().unwrap_err();
    assert!(
        matches!(&err, Error::Config(ConfigError::BadSeparator { .. })) && err.to_string().contains("header"),
        "{err}"
    );
    // So is one that appears in a call's params: the pieces would not split back.
    let mut inside = client.batch();
    inside.add(&LoanQueryWithoutEnv { user: "a-X-b".into(), scene_code: "xx".into() }).unwrap();
    inside.add(&loan_query()).unwrap();
    inside.separator("-X-");
    let err = inside.send().unwrap_err();
    assert!(
        matches!(&err, Error::Config(ConfigError::BadSeparator { .. })) && err.to_string().contains("params"),
        "{err}"
    );
    // A file param in a batch does not compile: tests/ui/fail/file-param-in-a-batch.rs.
}

#[test]
fn gzipped_answers_are_asked_for_and_read() {
    let sandbox = Sandbox::builder().gzip(true).start().unwrap();
    for format in [Format::Json, Format::Xml] {
        let client = sandbox.client().format(format).build().unwrap();
        assert_eq!(client.execute(&loan_query()).unwrap().get(), &loan_user_query_answer());
        assert!(sandbox.calls().last().unwrap().gzipped, "the answer went gzipped");
    }
    // The sandbox only gzips for a client that asks.
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut plain = agent.get(sandbox.url()).header("Accept-Encoding", "identity").call().unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert!(plain.body_mut().read_to_string().unwrap().contains("error_response"));
    assert!(!sandbox.calls().last().unwrap().gzipped);
}

#[test]
fn untyped_calls_use_the_same_params_signing_and_envelopes() {
    let sandbox = Sandbox::start().unwrap();
    for (format, simplify) in [(Format::Json, false), (Format::Json, true), (Format::Xml, false)] {
        let client = sandbox.client().format(format).simplify(simplify).build().unwrap();
        let params = [("user", "3"), ("scene_code", "xx"), ("env", "pre")];
        let answer = client.call("alibaba.idle.interact.loan.user.query", params).unwrap();
        assert!(answer.request_id().is_some_and(|id| id.starts_with("sbx")));
        let result = &answer.get()["idle_point_result"];
        let scene = &result["idle_loan_personal_info"]["scene_code"];
        assert_eq!(scene, "xxxxx", "{format} {simplify}: {}", answer.get());
        if format == Format::Json {
            assert_eq!(result["success"], false);
            assert_eq!(result["idle_loan_personal_info"]["real_name_info"]["gender"], 6);
        } else {
            // XML has no types: untyped values are its text.
            assert_eq!(result["success"], "false");
            assert_eq!(result["idle_loan_personal_info"]["real_name_info"]["gender"], "6");
        }
        let err = client.call("taobao.nothing.here", [("a", "b")]).unwrap_err();
        assert_eq!(err.api().map(ApiError::code), Some(22));
    }
    let client = sandbox.client().build().unwrap();
    let raw = client.with_session(sandbox.session()).call_raw("taobao.baodian.deposit.get", [("", "")]).unwrap();
    assert!(
        raw.starts_with("{\"baodian_deposit_get_response\":{\"user_coin_deposit\":{\"userAuthCode\":\"demo\""),
        "{raw}"
    );
    let deposit = client.with_session(sandbox.session()).call("taobao.baodian.deposit.get", [("", "")]).unwrap();
    assert_eq!(deposit.get()["user_coin_deposit"]["deposit"], 1000);
}

#[test]
fn untyped_calls_take_options_and_refuse_what_would_break_the_signature() {
    let sandbox = Sandbox::start().unwrap();
    let client =
        sandbox.client().retry(top_api::RetryPolicy::new(3).base_delay(Duration::from_millis(5))).build().unwrap();
    let loan = [("user", "3"), ("scene_code", "xx"), ("env", "pre")];
    let method = "alibaba.idle.interact.loan.user.query";

    // A param named like a system param, or given twice, is refused before sending: sent,
    // it would be answered "Invalid signature".
    for params in [
        vec![("user", "3"), ("sign", "x")],
        vec![("timestamp", "2020-01-01 00:00:00")],
        vec![("session", "s")],
        vec![("method", "taobao.other.get")],
        vec![("user", "3"), ("user", "4")],
    ] {
        let err = client.call(method, params.clone()).unwrap_err();
        assert!(matches!(&err, Error::Check(_)) && err.is_caller_mistake(), "{params:?}: {err:?}");
        let err = client.call_raw(method, params.clone()).unwrap_err();
        assert!(matches!(&err, Error::Check(_)), "{params:?}: {err:?}");
    }
    assert!(sandbox.calls().is_empty(), "nothing was sent");

    // Options: target_app_key, and whether the call may go again.
    let options = CallOptions::new().target_app_key("87654321").idempotent(true);
    client.call_with(method, loan, &options).unwrap();
    assert_eq!(sandbox.calls()[0].param("target_app_key"), Some("87654321"));
    // An untyped call is a write unless it says otherwise: a dropped connection is not
    // retried, unless the call is declared safe to repeat.
    sandbox.fail_next(1, Fault::DropConnection);
    assert!(client.call(method, loan).unwrap_err().is_transient());
    assert_eq!(sandbox.calls().len(), 2);
    sandbox.fail_next(1, Fault::DropConnection);
    let raw = client.call_raw_with(method, loan, &options).unwrap();
    assert!(raw.contains("idle_point_result"), "{raw}");
    assert_eq!(sandbox.calls().len(), 4, "the fault, then the retry");
    // Their own time bound.
    sandbox.fail_next(1, Fault::Delay(Duration::from_secs(3)));
    let quick = CallOptions::new().timeout(Duration::from_millis(300));
    assert!(client.call_with(method, loan, &quick).unwrap_err().is_timeout());
}

#[test]
fn partner_id_target_app_key_and_a_per_call_timeout() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().build().unwrap();
    client.execute(&loan_query()).unwrap();
    let options = CallOptions::new().target_app_key("87654321");
    client.execute_with(&loan_query(), &options).unwrap();
    let custom = sandbox.client().partner_id("my-shop-1.0").build().unwrap();
    custom.execute(&loan_query()).unwrap();
    let none = sandbox.client().partner_id("").build().unwrap();
    none.execute(&loan_query()).unwrap();
    let calls = sandbox.calls();
    assert_eq!(calls[0].param("partner_id"), Some(top_api::DEFAULT_PARTNER_ID));
    assert!(top_api::DEFAULT_PARTNER_ID.starts_with("top-api-rust-"));
    assert_eq!(calls[0].param("target_app_key"), None);
    assert_eq!(calls[1].param("target_app_key"), Some("87654321"));
    assert_eq!(calls[2].param("partner_id"), Some("my-shop-1.0"));
    assert_eq!(calls[3].param("partner_id"), None);
    assert!(calls.iter().all(|call| call.error_code.is_none()), "all were signed correctly");

    // The client's read timeout is 30 s; the call's own bound is what fires.
    sandbox.fail_next(1, Fault::Delay(Duration::from_secs(3)));
    let err = client.execute_with(&loan_query(), &CallOptions::new().timeout(Duration::from_millis(300))).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

/// A loopback CONNECT proxy that tunnels to 127.0.0.1 only and records each CONNECT line
/// and each tunnelled request's head.
fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(client) = stream else { continue };
            client.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut reader = BufReader::new(client.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            record.lock().unwrap().push(line.trim().to_owned());
            let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
            }
            let mut client_out = client.try_clone().unwrap();
            // The test proxy only tunnels to loopback; anything else is refused, which
            // fails the call and so the test.
            let upstream = match target.starts_with("127.0.0.1:").then(|| TcpStream::connect(&target)) {
                Some(Ok(upstream)) => upstream,
                _ => {
                    let _ = client_out.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
                    continue;
                }
            };
            client_out.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap();
            let (mut up_in, mut up_out) = (upstream.try_clone().unwrap(), upstream);
            let heads = record.clone();
            thread::spawn(move || {
                let _ = std::io::copy(&mut up_in, &mut client_out);
            });
            // Forward the client's bytes, keeping the first request head for the record.
            let mut first = [0u8; 4096];
            let n = reader.read(&mut first).unwrap_or(0);
            heads
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&first[..n]).lines().take(12).collect::<Vec<_>>().join("\n"));
            up_out.write_all(&first[..n]).unwrap();
            let _ = std::io::copy(&mut reader, &mut up_out);
        }
    });
    (url, seen)
}

#[test]
fn calls_go_through_a_proxy_with_extra_headers() {
    let sandbox = Sandbox::start().unwrap();
    let (proxy, seen) = connect_proxy();
    let client = sandbox.client().proxy(proxy).header("X-Shop", "宝贝-shop").build().unwrap();
    assert_eq!(client.execute(&loan_query()).unwrap().get(), &loan_user_query_answer());
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0], format!("CONNECT {} HTTP/1.1", sandbox.addr()));
    let head = seen[1].to_ascii_lowercase();
    assert!(head.starts_with("post /router/rest http/1.1"), "{head}");
    assert!(head.contains("x-shop: 宝贝-shop"), "{head}");
    assert!(head.contains("accept-encoding: gzip"), "{head}");
}

#[test]
fn a_bad_proxy_url_is_a_config_error() {
    let err = Client::builder("1", "s").proxy("not a url at all").build().unwrap_err();
    assert!(matches!(err, Error::Config(ConfigError::BadUrl { what: "proxy", .. })), "{err:?}");
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestTmcSendResponse {
    pub sent: Option<bool>,
}

/// An API whose own param is named like the system param a call option sends.
#[top_api(method = "taobao.opencrm.testtmc.send", response = TestTmcSendResponse)]
#[derive(Debug, Clone)]
pub struct TestTmcSend {
    pub target_app_key: String,
    pub topic: String,
}

#[test]
fn an_api_s_own_target_app_key_is_its_param_and_the_option_may_not_add_another() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.handle(|send: TestTmcSend| Ok(TestTmcSendResponse { sent: Some(send.target_app_key == "23456789") }));
    let client = sandbox.client().build().unwrap();
    let send = TestTmcSend { target_app_key: "23456789".into(), topic: "taobao_crm_Demo".into() };
    // The API's own value goes out once, signed like any param, and reaches its handler.
    assert_eq!(client.execute(&send).unwrap().sent, Some(true));
    assert_eq!(sandbox.calls()[0].param("target_app_key"), Some("23456789"));
    assert!(sandbox.calls()[0].error_code.is_none());

    // The client's own value of it would be a second one: refused before anything is sent,
    // for a typed call and a call by name alike.
    let options = CallOptions::new().target_app_key("87654321");
    let err = client.execute_with(&send, &options).unwrap_err();
    let Error::Check(check) = &err else { panic!("{err:?}") };
    assert_eq!(check.param(), "target_app_key", "{err}");
    let err = client
        .call_with("taobao.opencrm.testtmc.send", [("target_app_key", "23456789"), ("topic", "t")], &options)
        .unwrap_err();
    assert!(matches!(&err, Error::Check(check) if check.param() == "target_app_key"), "{err:?}");
    assert_eq!(sandbox.calls().len(), 1, "nothing more was sent");
    // Every other API takes the option as before.
    client.execute_with(&loan_query(), &options).unwrap();
    assert_eq!(sandbox.calls()[1].param("target_app_key"), Some("87654321"));
}
