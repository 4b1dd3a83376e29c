//! Under faults, throttling and load: typed outcomes, retries that never repeat a write,
//! flow control, threads, and answers too large to read.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use top_api::apis::TaobaoBaodianDepositGet;
use top_api::sandbox::{Fault, Sandbox};
use top_api::{top_api, CallOptions, Error, RetryPolicy, TransportErrorKind};
use top_api_tests::{deposit_answer, loan_query, loan_user_query_answer};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemUpdateResponse {
    pub num_iid: Option<i64>,
    pub title: Option<String>,
}

/// A write: its last word, `update`, is not a read.
#[top_api(method = "taobao.item.update", response = ItemUpdateResponse)]
#[derive(Debug, Clone)]
pub struct ItemUpdate {
    pub num_iid: i64,
    pub title: String,
}

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::start().unwrap();
    sandbox.handle(|update: ItemUpdate| {
        Ok(ItemUpdateResponse { num_iid: Some(update.num_iid), title: Some(update.title) })
    });
    sandbox
}

fn retrying(sandbox: &Sandbox) -> top_api::Client {
    let policy = RetryPolicy::new(4).base_delay(Duration::from_millis(5)).max_ban_wait(Duration::from_secs(2));
    sandbox.client().retry(policy).read_timeout(Duration::from_millis(500)).build().unwrap()
}

fn update() -> ItemUpdate {
    ItemUpdate { num_iid: 45_248_893_776_176_307, title: "宝贝".into() }
}

/// The calls the sandbox received, and starts counting again.
fn received(sandbox: &Sandbox, since: &mut usize) -> usize {
    let now = sandbox.calls().len();
    let count = now - *since;
    *since = now;
    count
}

#[test]
fn each_fault_class_has_its_outcome_and_call_count() {
    let sandbox = sandbox();
    let client = retrying(&sandbox);
    let mut since = 0;
    let transient = [
        Fault::Delay(Duration::from_secs(2)),
        Fault::DropConnection,
        Fault::BadGateway,
        Fault::TruncatedBody,
        Fault::NotAnAnswer,
        Fault::ServerError { sub_code: "isp.remote-service-timeout".into() },
    ];
    for fault in transient {
        // A read is retried through a passing fault and succeeds.
        sandbox.fail_next(1, fault.clone());
        let answer = client.execute(&loan_query()).unwrap_or_else(|err| panic!("{fault:?}: {err:?}"));
        assert_eq!(answer.get(), &loan_user_query_answer());
        assert_eq!(received(&sandbox, &mut since), 2, "{fault:?}: the fault, then the retry");

        // A write is sent once: the fault may have come after the service acted.
        sandbox.fail_next(1, fault.clone());
        let err = client.execute(&update()).unwrap_err();
        assert!(err.is_transient(), "{fault:?}: {err:?}");
        assert_eq!(received(&sandbox, &mut since), 1, "{fault:?}: a write is never sent twice");
    }

    // Unless the caller says this write is safe to repeat.
    sandbox.fail_next(1, Fault::DropConnection);
    let options = CallOptions::new().idempotent(true);
    assert_eq!(client.execute_with(&update(), &options).unwrap().title.as_deref(), Some("宝贝"));
    assert_eq!(received(&sandbox, &mut since), 2);

    // A fault that outlasts the attempts: four tries, then the error.
    sandbox.fail_next(10, Fault::ServerError { sub_code: "isp.service-unavailable".into() });
    let err = client.execute(&loan_query()).unwrap_err();
    assert_eq!(err.api().and_then(|api| api.sub_code()), Some("isp.service-unavailable"));
    assert_eq!(received(&sandbox, &mut since), 4);
    sandbox.clear_faults();

    // The caller's mistake is not retried.
    let session = client.with_session("nobody");
    let err = session.execute(&TaobaoBaodianDepositGet).unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert_eq!(received(&sandbox, &mut since), 1);
}

#[test]
fn a_ban_is_waited_out_even_for_a_write_and_a_long_one_fails_at_once() {
    let sandbox = sandbox();
    let client = retrying(&sandbox);
    let mut since = 0;
    // Code 7 is the gateway refusing the call before the service sees it: a write may go again.
    sandbox.fail_next(1, Fault::Throttled { ban_seconds: 1 });
    let started = Instant::now();
    assert_eq!(client.execute(&update()).unwrap().num_iid, Some(45_248_893_776_176_307));
    assert!(started.elapsed() >= Duration::from_secs(1), "the ban was waited out");
    assert_eq!(received(&sandbox, &mut since), 2);

    sandbox.fail_next(1, Fault::Throttled { ban_seconds: 600 });
    let err = client.execute(&loan_query()).unwrap_err();
    assert!(err.is_throttled());
    assert_eq!(err.ban_seconds(), Some(600));
    assert_eq!(received(&sandbox, &mut since), 1, "a ban longer than the cap is not waited");
}

#[test]
fn a_write_under_a_dropped_connection_is_sent_exactly_once() {
    let sandbox = sandbox();
    let client = retrying(&sandbox);
    sandbox.fail_method("taobao.item.update", Fault::DropConnection);
    let err = client.execute(&update()).unwrap_err();
    assert!(matches!(&err, Error::Transport(_)), "{err:?}");
    let updates = sandbox.calls().iter().filter(|call| call.method.as_deref() == Some("taobao.item.update")).count();
    assert_eq!(updates, 1);
}

#[test]
fn the_rate_limit_is_shared_by_clones_and_threads() {
    let sandbox = sandbox();
    // 40 calls a second, 4 at once: 24 calls from 4 threads, each with its own clone, take at least
    // (24 - 4) / 40 = 0.5 s, however fast the machine.
    let client = sandbox.client().rate_limit(40.0, 4).build().unwrap();
    let started = Instant::now();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || {
                for _ in 0..6 {
                    client.execute(&loan_query()).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(500), "{:?}", started.elapsed());
    assert_eq!(sandbox.calls().len(), 24);
    assert!(matches!(sandbox.client().rate_limit(0.0, 1).build(), Err(Error::Config(_))));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EchoResponse {
    pub thread: Option<i64>,
    pub seq: Option<i64>,
    pub words: Vec<String>,
}

/// Echoes who asked.
#[top_api(method = "taobao.test.echo.get", response = EchoResponse)]
pub struct EchoGet {
    pub thread: i64,
    pub seq: i64,
}

#[test]
fn one_client_many_threads_each_gets_its_own_answers() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.handle(|echo: EchoGet| {
        Ok(EchoResponse {
            thread: Some(echo.thread),
            seq: Some(echo.seq),
            words: vec![format!("{}-{}", echo.thread, echo.seq)],
        })
    });
    let client = Arc::new(sandbox.client().build().unwrap());
    let threads: Vec<_> = (0..8)
        .map(|thread| {
            let client = client.clone();
            thread::spawn(move || {
                for seq in 0..200 {
                    let answer = client.execute(&EchoGet { thread, seq }).unwrap();
                    let expected =
                        EchoResponse { thread: Some(thread), seq: Some(seq), words: vec![format!("{thread}-{seq}")] };
                    assert_eq!(answer.get(), &expected);
                    assert!(answer.request_id().is_some());
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(sandbox.calls().len(), 1600);
}

#[test]
fn an_answer_over_the_limit_is_refused_unread() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.handle(|echo: EchoGet| {
        Ok(EchoResponse { thread: Some(echo.thread), seq: None, words: vec!["宝".repeat(100_000)] })
    });
    let client = sandbox.client().max_body(64 * 1024).build().unwrap();
    let err = client.execute(&EchoGet { thread: 1, seq: 1 }).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::TooLarge), "{err:?}");
    assert_eq!(err.to_string(), "the answer is larger than the client's max_body");
    // The same answer fits a larger limit.
    let roomy = sandbox.client().max_body(1024 * 1024).build().unwrap();
    assert_eq!(roomy.execute(&EchoGet { thread: 1, seq: 1 }).unwrap().words[0].chars().count(), 100_000);
    assert_eq!(client.execute(&loan_query()).unwrap().get(), &loan_user_query_answer());
    let deposit = client.with_session(sandbox.session()).execute(&TaobaoBaodianDepositGet).unwrap();
    assert_eq!(deposit.get(), &deposit_answer());
}
