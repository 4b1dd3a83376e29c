//! Batches follow the rules of single calls: the rate limit counts each call in them, a
//! batch of reads is tried again after a passing fault and one holding a write is not,
//! they are logged, and secrets are kept out of their URLs and errors.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use top_api::apis::TaobaoBaodianDepositGet;
use top_api::sandbox::{Fault, Sandbox};
use top_api::{top_api, ApiError, RetryPolicy};
use top_api_tests::{deposit_answer, loan_query, loan_user_query_answer};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteResponse {
    pub ok: Option<bool>,
}

/// A write.
#[top_api(method = "taobao.note.add", response = NoteResponse)]
pub struct NoteAdd {
    pub text: String,
}

fn retrying(sandbox: &Sandbox) -> top_api::Client {
    sandbox.client().retry(RetryPolicy::new(3).base_delay(Duration::from_millis(5))).build().unwrap()
}

#[test]
fn the_rate_limit_counts_each_call_of_a_batch() {
    let sandbox = Sandbox::start().unwrap();
    // 10 calls a second, 5 at once: a batch of 5 takes the whole burst, so the next batch
    // of 5 waits for 5 new tokens, half a second. Counted as one call each, both would go
    // at once.
    let client = sandbox.client().rate_limit(10.0, 5).build().unwrap();
    let started = Instant::now();
    for _ in 0..2 {
        let mut batch = client.batch();
        for _ in 0..5 {
            batch.add(&loan_query()).unwrap();
        }
        assert_eq!(batch.send().unwrap().len(), 5);
    }
    assert!(started.elapsed() >= Duration::from_millis(450), "{:?}", started.elapsed());
    assert_eq!(sandbox.calls().len(), 10);
}

#[test]
fn a_batch_of_reads_is_retried_and_one_with_a_write_is_not() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.handle(|_: NoteAdd| Ok(NoteResponse { ok: Some(true) }));
    let client = retrying(&sandbox);
    let session = client.with_session(sandbox.session());

    for fault in [Fault::DropConnection, Fault::BadGateway, Fault::NotAnAnswer, Fault::TruncatedBody] {
        // Reads only: the batch goes again, and answers.
        sandbox.fail_next(1, fault.clone());
        let mut batch = session.batch();
        let loan = batch.add(&loan_query()).unwrap();
        let deposit = batch.add(&TaobaoBaodianDepositGet).unwrap();
        let answers = batch.send().unwrap_or_else(|err| panic!("{fault:?}: {err:?}"));
        assert_eq!(answers.get(&loan).unwrap().get(), &loan_user_query_answer(), "{fault:?}");
        assert_eq!(answers.get(&deposit).unwrap().get(), &deposit_answer(), "{fault:?}");

        // A write among them: sent once, whatever came back.
        let before = sandbox.calls().iter().filter(|call| call.method.as_deref() == Some("taobao.note.add")).count();
        sandbox.fail_next(1, fault.clone());
        let mut batch = session.batch();
        batch.add(&loan_query()).unwrap();
        batch.add(&NoteAdd { text: "once".into() }).unwrap();
        let err = batch.send().unwrap_err();
        assert!(err.is_transient(), "{fault:?}: {err:?}");
        let after = sandbox.calls().iter().filter(|call| call.method.as_deref() == Some("taobao.note.add")).count();
        assert!(after - before <= 1, "{fault:?}: a write in a batch went {} times", after - before);
    }

    // Flow control refuses a batch as a whole, before the service sees it: it goes again.
    // (With one call in it, a whole refusal would read as that call's own.)
    sandbox.fail_next(1, Fault::Throttled { ban_seconds: 0 });
    let mut batch = session.batch();
    let note = batch.add(&NoteAdd { text: "after a ban".into() }).unwrap();
    batch.add(&loan_query()).unwrap();
    assert_eq!(batch.send().unwrap().get(&note).unwrap().ok, Some(true));
}

#[test]
fn a_batch_keeps_its_session_out_of_the_url_and_its_errors() {
    const SESSION: &str = "Bq7-BATCH-SESSION";
    let sandbox = Sandbox::builder().session(SESSION).start().unwrap();
    // A service whose message echoes what it was sent.
    sandbox.handle_untyped("taobao.note.add", top_api::SessionNeed::Required, |_| {
        Err(ApiError::new(15, format!("bad call from {SESSION}")).with_sub("isv.echo", format!("session {SESSION}")))
    });
    let client = sandbox.client().build().unwrap();
    let session = client.with_session(SESSION);
    let mut batch = session.batch();
    let note = batch.add(&NoteAdd { text: "x".into() }).unwrap();
    let deposit = batch.add(&TaobaoBaodianDepositGet).unwrap();
    let answers = batch.send().unwrap();
    assert_eq!(answers.get(&deposit).unwrap().get(), &deposit_answer(), "the session reached the gateway");
    let err = answers.get(&note).unwrap_err();
    let api = err.api().expect("the service's refusal");
    assert_eq!(api.code(), 15);
    for shown in [format!("{err}"), format!("{err:?}"), api.msg().to_owned(), api.sub_msg().unwrap_or("").to_owned()] {
        assert!(!shown.contains(SESSION), "the session shows in: {shown}");
    }
    let calls = sandbox.calls();
    let batch_calls: Vec<_> = calls.iter().filter(|call| call.batch).collect();
    assert_eq!(batch_calls.len(), 2);
    assert!(batch_calls.iter().all(|call| call.param("session") == Some(SESSION)));

    // The batch's URL carries no session: it travels in the body.
    let fake = top_api::transport::FakeTransport::new();
    let piece = r#"{"baodian_deposit_get_response":{"request_id":"r"}}"#;
    fake.push(top_api::transport::HttpResponse::new(200, format!("{piece}\r\n-S-\r\n{piece}")));
    let client = top_api::Client::builder("12345678", "secret").transport(fake.clone()).build().unwrap();
    let session = client.with_session(SESSION);
    let mut batch = session.batch();
    batch.add(&TaobaoBaodianDepositGet).unwrap();
    batch.add(&TaobaoBaodianDepositGet).unwrap();
    batch.send().unwrap();
    let sent = &fake.requests()[0];
    assert!(!sent.url.contains(SESSION) && !sent.url.contains("session="), "{}", sent.url);
    assert!(String::from_utf8_lossy(&sent.body).contains(&format!("session={SESSION}")));
}
