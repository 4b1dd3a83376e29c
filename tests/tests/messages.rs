//! The message channel end to end: the sandbox's TMC server and the blocking consumer,
//! through their public faces, with the timeouts users have.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use top_api::messages::{ConfirmMode, Consumer, ConsumerBuilder, Message};
use top_api::sandbox::Sandbox;
use top_api::Error;

/// A sandbox whose unconfirmed messages come again after `redelivery`.
fn sandbox(redelivery: Duration) -> Sandbox {
    Sandbox::builder().redelivery(redelivery).start().expect("a sandbox starts")
}

/// A consumer of the sandbox's channel, quick to notice and mend a lost connection.
fn consumer(sandbox: &Sandbox) -> ConsumerBuilder {
    Consumer::builder(sandbox.app_key(), sandbox.app_secret())
        .url(sandbox.tmc_url())
        .pull_every(Duration::from_millis(200))
        .reconnect(Duration::from_millis(50), Duration::from_millis(400))
        .connect_timeout(Duration::from_secs(5))
        .stop_within(Duration::from_secs(5))
}

/// Waits until `done` holds, for at most `within`.
fn wait_until(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if done() {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    done()
}

/// What a handler saw: how many times each message id ran, and which ids returned `Ok`.
#[derive(Default)]
struct Seen {
    runs: Mutex<HashMap<i64, u32>>,
    ok: Mutex<HashSet<i64>>,
}

impl Seen {
    fn run(&self, message: &Message) -> u32 {
        let mut runs = self.runs.lock().unwrap();
        let count = runs.entry(message.id()).or_default();
        *count += 1;
        *count
    }

    fn ok(&self, message: &Message) {
        self.ok.lock().unwrap().insert(message.id());
    }
}

#[test]
fn every_message_is_handled_and_confirmed_once() {
    let sandbox = sandbox(Duration::from_secs(30));
    let ids: Vec<i64> =
        (0..300).map(|n| sandbox.publish("taobao_trade_TradeBuyerPay", &format!(r#"{{"tid":"{n}"}}"#))).collect();
    let seen = Arc::new(Seen::default());
    let handler_seen = seen.clone();
    let consumer = consumer(&sandbox)
        .start(move |message: &Message| -> Result<(), String> {
            handler_seen.run(message);
            let tid: serde_json::Value = message.parse().map_err(|err| err.to_string())?;
            assert!(tid["tid"].is_string());
            handler_seen.ok(message);
            Ok(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(20), || sandbox.pending_messages("default") == 0), "all confirmed");
    let stats = consumer.stop();
    let confirms = sandbox.message_confirms();
    for id in &ids {
        assert_eq!(confirms.get(id), Some(&1), "message {id} confirmed once");
        assert!(seen.ok.lock().unwrap().contains(id));
    }
    // No connection was lost, so no message came twice.
    assert!(seen.runs.lock().unwrap().values().all(|&runs| runs == 1));
    assert_eq!((stats.received, stats.handled, stats.failed), (300, 300, 0));
}

#[test]
fn a_failed_or_panicking_handler_is_never_confirmed_and_its_message_comes_again() {
    let sandbox = sandbox(Duration::from_millis(300));
    let ids: Vec<i64> =
        (0..30).map(|n| sandbox.publish("taobao_item_ItemUpdate", &format!(r#"{{"num_iid":{n}}}"#))).collect();
    let seen = Arc::new(Seen::default());
    let (handler_seen, confirms_at_failure) = (seen.clone(), Arc::new(AtomicUsize::new(0)));
    let confirmed_early = confirms_at_failure.clone();
    let sandbox = Arc::new(sandbox);
    let handler_sandbox = sandbox.clone();
    let consumer = consumer(&sandbox)
        .start(move |message: &Message| -> Result<(), String> {
            let run = handler_seen.run(message);
            if run == 1 {
                // Whatever happens next, the message was not confirmed before this run.
                if handler_sandbox.message_confirms().contains_key(&message.id()) {
                    confirmed_early.fetch_add(1, Ordering::SeqCst);
                }
                match message.id() % 3 {
                    0 => return Err(format!("not yet: {}", message.id())),
                    1 => panic!("the handler's own bug"),
                    _ => {}
                }
            }
            handler_seen.ok(message);
            Ok(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(20), || sandbox.pending_messages("default") == 0), "all confirmed");
    let stats = consumer.stop();
    assert_eq!(confirms_at_failure.load(Ordering::SeqCst), 0);
    let confirms = sandbox.message_confirms();
    let runs = seen.runs.lock().unwrap();
    for id in &ids {
        assert_eq!(confirms.get(id), Some(&1), "message {id}");
        let expected = if id % 3 == 2 { 1 } else { 2 };
        assert_eq!(runs.get(id), Some(&expected), "message {id} ran once more for each failure");
    }
    assert_eq!(stats.failed, 20);
    assert_eq!(stats.handled, 30);
}

#[test]
fn connections_dropped_at_random_lose_nothing_and_duplicates_are_counted() {
    let sandbox = Arc::new(sandbox(Duration::from_secs(60)));
    let ids: Vec<i64> =
        (0..400).map(|n| sandbox.publish("taobao_refund_RefundCreated", &format!(r#"{{"refund_id":{n}}}"#))).collect();
    let seen = Arc::new(Seen::default());
    let handler_seen = seen.clone();
    let consumer = consumer(&sandbox)
        .workers(2)
        .capacity(16)
        .start(move |message: &Message| -> Result<(), String> {
            handler_seen.run(message);
            thread::sleep(Duration::from_millis(2));
            handler_seen.ok(message);
            Ok(())
        })
        .unwrap();
    let dropper = {
        let sandbox = sandbox.clone();
        thread::spawn(move || {
            for n in 0..6u64 {
                thread::sleep(Duration::from_millis(60 + (n * 37) % 90));
                sandbox.drop_tmc_connections();
            }
        })
    };
    dropper.join().unwrap();
    assert!(wait_until(Duration::from_secs(30), || sandbox.pending_messages("default") == 0), "all confirmed");
    let stats = consumer.stop();
    let confirms = sandbox.message_confirms();
    let runs = seen.runs.lock().unwrap();
    for id in &ids {
        assert!(confirms.contains_key(id), "message {id} confirmed");
        assert!(runs.contains_key(id), "message {id} handled");
    }
    assert!(stats.reconnects >= 1, "{stats:?}");
    // What a lost connection held came again; the consumer knew those ids (being handled,
    // or confirmed on a connection that was lost) and answered for them itself: the handler
    // ran once per message, and the copies show in the count.
    assert!(runs.values().all(|&n| n == 1), "a handler ran twice");
    assert_eq!(stats.handled, 400, "{stats:?}");
    assert_eq!(stats.received, 400 + stats.duplicates, "{stats:?}");
    println!("{} reconnects, {} copies of 400 messages came again", stats.reconnects, stats.duplicates);
}

#[test]
fn a_wrong_secret_or_app_key_fails_the_start_at_once() {
    let sandbox = sandbox(Duration::from_secs(60));
    let started = Instant::now();
    let refused = |builder: ConsumerBuilder| match builder.start(|_: &Message| Ok::<(), String>(())) {
        Err(Error::Api(err)) => (err.code(), err.msg().to_owned()),
        other => panic!("expected a refusal: {other:?}"),
    };
    let wrong_secret = Consumer::builder(sandbox.app_key(), "not-the-secret").url(sandbox.tmc_url());
    assert_eq!(refused(wrong_secret), (25, "Invalid signature".to_owned()));
    let wrong_key = Consumer::builder("999", sandbox.app_secret()).url(sandbox.tmc_url());
    assert_eq!(refused(wrong_key).0, 29);
    assert!(started.elapsed() < Duration::from_secs(5));
    // Nothing listens: a transport error, not a hang.
    let nobody = Consumer::builder("1", "s").url("ws://127.0.0.1:9/").connect_timeout(Duration::from_secs(2));
    assert!(matches!(nobody.start(|_: &Message| Ok::<(), String>(())), Err(Error::Transport(_))));
}

#[test]
fn a_burst_never_holds_more_than_the_capacity() {
    let sandbox = Arc::new(sandbox(Duration::from_secs(60)));
    for n in 0..3000 {
        sandbox.publish("taobao_trade_TradeCreate", &format!(r#"{{"tid":"{n}"}}"#));
    }
    let (capacity, workers) = (8_u64, 2_u64);
    let consumer = consumer(&sandbox)
        .capacity(8)
        .workers(2)
        .start(|_: &Message| {
            thread::sleep(Duration::from_micros(300));
            Ok::<(), String>(())
        })
        .unwrap();
    let mut most = 0;
    let done = wait_until(Duration::from_secs(60), || {
        let stats = consumer.stats();
        // Received and not yet handled: in the pool's queue, in a handler, or held back.
        most = most.max(stats.received - stats.handled - stats.duplicates);
        sandbox.pending_messages("default") == 0
    });
    assert!(done, "all 3000 confirmed");
    assert!(most <= capacity + workers + 1, "{most} held at once");
    consumer.stop();
}

#[test]
fn in_manual_mode_the_caller_confirms() {
    let sandbox = Arc::new(sandbox(Duration::from_secs(60)));
    let id = sandbox.publish("taobao_trade_TradeSuccess", r#"{"tid":"1"}"#);
    let builder = consumer(&sandbox).confirm(ConfirmMode::Manual);
    let confirmer = builder.confirmer();
    let handled = Arc::new(Mutex::new(Vec::new()));
    let got = handled.clone();
    let consumer = builder
        .start(move |message: &Message| {
            got.lock().unwrap().push(message.id());
            Ok::<(), String>(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(5), || handled.lock().unwrap().contains(&id)));
    thread::sleep(Duration::from_millis(300));
    assert_eq!(sandbox.pending_messages("default"), 1, "handled, not confirmed");
    confirmer.confirm(id);
    assert!(wait_until(Duration::from_secs(5), || sandbox.pending_messages("default") == 0));
    consumer.stop();
}

#[test]
fn stopping_finishes_the_handlers_in_flight_and_sends_their_confirms() {
    let sandbox = Arc::new(sandbox(Duration::from_secs(60)));
    for n in 0..6 {
        sandbox.publish("taobao_trade_TradeCreate", &format!(r#"{{"tid":"{n}"}}"#));
    }
    let started = Arc::new(AtomicUsize::new(0));
    let running = started.clone();
    let consumer = consumer(&sandbox)
        .workers(3)
        .start(move |_: &Message| {
            running.fetch_add(1, Ordering::SeqCst);
            thread::sleep(Duration::from_millis(300));
            Ok::<(), String>(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(5), || started.load(Ordering::SeqCst) >= 3));
    let stats = consumer.stop();
    // Every message a handler finished was confirmed before `stop` returned.
    assert_eq!(stats.handled, stats.confirms_sent, "{stats:?}");
    // Sent, they reach the channel, which reads them before the connection's close.
    let reached = wait_until(Duration::from_secs(5), || sandbox.message_confirms().len() as u64 == stats.handled);
    assert!(reached, "{} of {} confirms reached the channel", sandbox.message_confirms().len(), stats.handled);
    assert_eq!(sandbox.pending_messages("default") as u64, 6 - stats.handled, "{stats:?}");
}

#[test]
fn duplicates_by_business_key_are_confirmed_without_running_the_handler_again() {
    let sandbox = Arc::new(sandbox(Duration::from_secs(60)));
    sandbox.publish("taobao_trade_TradeBuyerPay", r#"{"tid":"42"}"#);
    sandbox.publish("taobao_trade_TradeBuyerPay", r#"{"tid":"42"}"#);
    sandbox.publish("taobao_trade_TradeBuyerPay", r#"{"tid":"43"}"#);
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let consumer = consumer(&sandbox)
        .workers(1)
        .dedup(Duration::from_secs(60))
        .start(move |_: &Message| {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok::<(), String>(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(10), || sandbox.pending_messages("default") == 0));
    let stats = consumer.stop();
    assert_eq!((runs.load(Ordering::SeqCst), stats.duplicates), (2, 1));
}

#[test]
fn gzipped_content_and_the_message_s_details_arrive_intact() {
    let sandbox = Arc::new(sandbox(Duration::from_secs(60)));
    sandbox.gzip_messages(true);
    let id = sandbox.publish_to(
        "erp",
        "taobao_trade_TradeCreate",
        r#"{"tid":"7","buyer_nick":"买家"}"#,
        3_000_000_001,
        "商家",
    );
    let got = Arc::new(Mutex::new(None));
    let slot = got.clone();
    let consumer = consumer(&sandbox)
        .group("erp")
        .start(move |message: &Message| {
            *slot.lock().unwrap() = Some(message.clone());
            Ok::<(), String>(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(5), || got.lock().unwrap().is_some()));
    consumer.stop();
    let message = got.lock().unwrap().clone().unwrap();
    assert_eq!(message.id(), id);
    assert_eq!(message.content().as_str(), r#"{"tid":"7","buyer_nick":"买家"}"#);
    assert_eq!((message.user_id(), message.nick()), (Some(3_000_000_001), Some("商家")));
    assert_eq!(message.publisher(), Some(sandbox.app_key()));
    let published = message.published().expect("a publish time");
    let now = sandbox.clock().now_gmt8();
    assert!(published <= now);
    // The other group's queue is its own.
    assert_eq!(sandbox.pending_messages("default"), 0);
}

#[test]
fn a_consumer_stopped_and_started_again_loses_nothing() {
    let sandbox = Arc::new(sandbox(Duration::from_secs(60)));
    let ids: Vec<i64> =
        (0..200).map(|n| sandbox.publish("taobao_trade_TradeClose", &format!(r#"{{"tid":"{n}"}}"#))).collect();
    let seen = Arc::new(Seen::default());
    let start = |seen: Arc<Seen>| {
        consumer(&sandbox)
            .workers(2)
            .capacity(8)
            .start(move |message: &Message| {
                seen.run(message);
                thread::sleep(Duration::from_millis(1));
                seen.ok(message);
                Ok::<(), String>(())
            })
            .unwrap()
    };
    let first = start(seen.clone());
    assert!(wait_until(Duration::from_secs(10), || seen.ok.lock().unwrap().len() >= 50));
    let first = first.stop();
    let second = start(seen.clone());
    assert!(wait_until(Duration::from_secs(20), || sandbox.pending_messages("default") == 0), "all confirmed");
    let second = second.stop();
    let runs = seen.runs.lock().unwrap();
    assert!(ids.iter().all(|id| runs.contains_key(id)), "every message handled");
    // A message runs twice only where its confirm was lost: here `stop` sent every confirm
    // of what it handled, so none is.
    let twice: u32 = runs.values().map(|&n| n - 1).sum();
    assert_eq!(twice, 0, "{first:?} {second:?}");
    assert_eq!(first.handled + second.handled, 200);
}

#[test]
fn over_rest_every_message_is_handled_and_confirmed_in_batches_of_at_most_200() {
    let sandbox = sandbox(Duration::from_secs(60));
    let ids: Vec<i64> =
        (0..450).map(|n| sandbox.publish("taobao_trade_TradeCreate", &format!(r#"{{"tid":"{n}"}}"#))).collect();
    let seen = Arc::new(Seen::default());
    let handler_seen = seen.clone();
    let client = sandbox.client().build().unwrap();
    let consumer = consumer(&sandbox)
        .capacity(300)
        .start_polling(client, move |message: &Message| {
            handler_seen.run(message);
            handler_seen.ok(message);
            Ok::<(), String>(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(20), || sandbox.pending_messages("default") == 0), "all confirmed");
    let stats = consumer.stop();
    let confirms = sandbox.message_confirms();
    assert!(ids.iter().all(|id| confirms.get(id) == Some(&1)));
    assert_eq!(stats.handled, 450);
    let calls = sandbox.calls();
    let confirm_calls: Vec<_> =
        calls.iter().filter(|c| c.method.as_deref() == Some("taobao.tmc.messages.confirm")).collect();
    assert!(!confirm_calls.is_empty());
    for call in &confirm_calls {
        let batch = call.param("s_message_ids").unwrap().split(',').count();
        assert!((1..=200).contains(&batch), "{batch} ids in one confirm");
        assert_eq!(call.error_code, None);
    }
    for call in calls.iter().filter(|c| c.method.as_deref() == Some("taobao.tmc.messages.consume")) {
        let quantity: usize = call.param("quantity").unwrap().parse().unwrap();
        assert!((10..=200).contains(&quantity), "{quantity}");
    }
}

#[test]
fn over_rest_a_failed_message_is_not_confirmed_and_comes_again() {
    let sandbox = Arc::new(sandbox(Duration::from_millis(300)));
    let ids: Vec<i64> =
        (0..40).map(|n| sandbox.publish("taobao_item_ItemAdd", &format!(r#"{{"num_iid":{n}}}"#))).collect();
    let seen = Arc::new(Seen::default());
    let (handler_seen, handler_sandbox) = (seen.clone(), sandbox.clone());
    let early = Arc::new(AtomicUsize::new(0));
    let confirmed_early = early.clone();
    let consumer = consumer(&sandbox)
        .start_polling(sandbox.client().build().unwrap(), move |message: &Message| {
            if handler_seen.run(message) == 1 {
                if handler_sandbox.message_confirms().contains_key(&message.id()) {
                    confirmed_early.fetch_add(1, Ordering::SeqCst);
                }
                if message.id() % 2 == 0 {
                    return Err("not yet".to_owned());
                }
            }
            handler_seen.ok(message);
            Ok(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(20), || sandbox.pending_messages("default") == 0), "all confirmed");
    consumer.stop();
    assert_eq!(early.load(Ordering::SeqCst), 0);
    let runs = seen.runs.lock().unwrap();
    for id in &ids {
        assert_eq!(runs.get(id), Some(&if id % 2 == 0 { 2 } else { 1 }), "message {id}");
    }
}

#[test]
fn over_rest_a_wrong_secret_fails_the_start_at_once() {
    let sandbox = sandbox(Duration::from_secs(60));
    let client = top_api::Client::builder(sandbox.app_key(), "not-the-secret").gateway(sandbox.url()).build().unwrap();
    let err = consumer(&sandbox).start_polling(client, |_: &Message| Ok::<(), String>(())).unwrap_err();
    assert_eq!(err.api().map(|api| api.code()), Some(25), "{err}");
}

#[test]
fn messages_published_through_the_gateway_reach_the_websocket_consumer_of_their_group() {
    let sandbox = sandbox(Duration::from_secs(60));
    let client = sandbox.client().build().unwrap();
    let one = client
        .call("taobao.tmc.message.produce", [("topic", "taobao_trade_TradeCreate"), ("content", r#"{"tid":"1"}"#)])
        .unwrap();
    assert_eq!(one.get()["is_success"], true);
    let list = r#"[{"topic":"taobao_refund_RefundCreated","content":"{\"refund_id\":2}"},{"topic":"taobao_item_ItemAdd","content":"{}","target_group":"erp"}]"#;
    let many = client.call("taobao.tmc.messages.produce", [("messages", list)]).unwrap();
    assert_eq!(many.get()["is_all_success"], true);
    let topics = Arc::new(Mutex::new(Vec::new()));
    let got = topics.clone();
    let consumer = consumer(&sandbox)
        .start(move |message: &Message| {
            got.lock().unwrap().push(message.topic().to_owned());
            Ok::<(), String>(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(5), || sandbox.pending_messages("default") == 0));
    consumer.stop();
    let mut topics = topics.lock().unwrap().clone();
    topics.sort();
    assert_eq!(topics, ["taobao_refund_RefundCreated", "taobao_trade_TradeCreate"]);
    assert_eq!(sandbox.pending_messages("erp"), 1, "the other group's message waits for its own consumer");
}

#[test]
fn a_manual_consumer_whose_messages_are_never_confirmed_stops_within_its_bound() {
    let sandbox = sandbox(Duration::from_secs(60));
    for n in 0..3 {
        sandbox.publish("taobao_trade_TradeCreate", &format!(r#"{{"tid":"{n}"}}"#));
    }
    let consumer = consumer(&sandbox)
        .confirm(ConfirmMode::Manual)
        .stop_within(Duration::from_millis(300))
        .start(|_: &Message| Ok::<(), String>(()))
        .unwrap();
    assert!(wait_until(Duration::from_secs(5), || consumer.stats().handled == 3));
    let stopping = Instant::now();
    let stats = consumer.stop();
    assert!(stopping.elapsed() < Duration::from_secs(3), "stop took {:?}", stopping.elapsed());
    assert_eq!(stats.confirms_sent, 0);
    assert_eq!(sandbox.pending_messages("default"), 3, "nothing confirmed, nothing lost");
}

#[test]
fn a_consumer_whose_clock_is_a_day_off_the_channel_s_is_refused_with_31() {
    let ahead = std::time::SystemTime::now() + Duration::from_secs(24 * 3600);
    let sandbox = Sandbox::builder().clock(ahead).start().unwrap();
    match consumer(&sandbox).start(|_: &Message| Ok::<(), String>(())) {
        Err(Error::Api(err)) => {
            assert_eq!(err.code(), 31);
            assert!(err.msg().contains("10 minutes"), "{}", err.msg());
        }
        other => panic!("expected a refusal: {other:?}"),
    }
}

#[test]
fn pushed_messages_read_as_their_topic_s_type_keeping_what_does_not_fit_as_drift() {
    use top_api::messages::topics::{taobao_refund::RefundCreated, taobao_trade::TradeBuyerPay};

    let sandbox = sandbox(Duration::from_secs(30));
    // The platform writes ids as text or numbers; a field it sends that the type does not
    // know, and a value that does not fit its field, cost the message nothing.
    let paid = sandbox.publish(
        "taobao_trade_TradeBuyerPay",
        r#"{"tid":"4000000000000001","oid":4000000000000002,"payment":"19.90","seller_nick":"shop","post_fee":{"oops":1},"brand_new":"x"}"#,
    );
    let refund = sandbox.publish(
        "taobao_refund_RefundCreated",
        r#"{"refund_id":"77","tid":5,"refund_fee":"1.00","modified":"2026-12-05 10:20:30"}"#,
    );
    let read: Arc<Mutex<Vec<String>>> = Arc::default();
    let into = read.clone();
    let consumer = consumer(&sandbox)
        .start(move |message: &Message| -> Result<(), String> {
            let mut read = into.lock().unwrap();
            if let Some(paid) = message.read::<TradeBuyerPay>().map_err(|err| err.to_string())? {
                assert!(message.read::<RefundCreated>().map_err(|err| err.to_string())?.is_none());
                let mut drift: Vec<&str> = paid.drift().iter().map(|drift| drift.path()).collect();
                drift.sort_unstable();
                read.push(format!(
                    "{} {:?} {:?} {:?} {:?} {drift:?}",
                    message.id(),
                    paid.tid,
                    paid.oid,
                    paid.payment,
                    paid.post_fee
                ));
            } else if let Some(refund) = message.read::<RefundCreated>().map_err(|err| err.to_string())? {
                assert!(refund.drift().is_empty(), "{:?}", refund.drift());
                read.push(format!(
                    "{} {:?} {:?} {}",
                    message.id(),
                    refund.refund_id,
                    refund.tid,
                    refund.modified.as_ref().map(ToString::to_string).unwrap_or_default()
                ));
            }
            Ok(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(20), || sandbox.pending_messages("default") == 0), "both confirmed");
    consumer.stop();
    let mut read = read.lock().unwrap().clone();
    read.sort();
    let mut expected = vec![
        format!(r#"{paid} Some(4000000000000001) Some(4000000000000002) Some("19.90") None ["brand_new", "post_fee"]"#),
        format!(r#"{refund} Some(77) Some(5) 2026-12-05 10:20:30"#),
    ];
    expected.sort();
    assert_eq!(read, expected);
}

#[test]
fn a_content_that_is_not_an_object_of_its_topic_is_a_decode_error_naming_the_field() {
    use top_api::messages::topics::taobao_trade::TradeBuyerPay;

    let message = Message::new(1, "taobao_trade_TradeBuyerPay", r#"["tid", 1]"#);
    assert!(message.read::<TradeBuyerPay>().is_err());
    let message = Message::new(2, "taobao_trade_TradeBuyerPay", "not json");
    assert!(message.read::<TradeBuyerPay>().is_err());

    // A required field of a type of one's own names its path when it cannot be read.
    #[derive(Debug, Default, top_api::Object)]
    struct Strict {
        tid: i64,
    }
    impl top_api::messages::Topic for Strict {
        const TOPIC: &'static str = "taobao_trade_TradeBuyerPay";
    }
    let message = Message::new(3, "taobao_trade_TradeBuyerPay", r#"{"tid":"many"}"#);
    let err = message.read::<Strict>().unwrap_err();
    assert_eq!(err.path(), Some("tid"), "{err}");
}

#[test]
fn where_the_channel_asks_for_a_token_taobao_tmc_auth_get_gives_a_fresh_one_to_each_connect() {
    let sandbox = sandbox(Duration::from_secs(30));
    sandbox.require_tmc_token(true);
    let refused = |builder: ConsumerBuilder| match builder.start(|_: &Message| Ok::<(), String>(())) {
        Err(Error::Api(err)) => err.code(),
        other => panic!("expected a refusal: {other:?}"),
    };
    // No token, or one the channel never gave: refused at once, not retried.
    assert_eq!(refused(consumer(&sandbox)), 27);
    assert_eq!(refused(consumer(&sandbox).auth_token("tmc-forged")), 27);
    // A token given for another group does not open this one.
    let client = sandbox.client().build().unwrap();
    let other = client.call("taobao.tmc.auth.get", [("group", "other")]).unwrap();
    let other = other.get()["result"].as_str().unwrap().to_owned();
    assert_eq!(refused(consumer(&sandbox).auth_token(other)), 27);

    let handled = Arc::new(AtomicUsize::new(0));
    let count = handled.clone();
    let consumer = consumer(&sandbox)
        .auth_with(client)
        .minor_group("default")
        .filter_exp("*")
        .start(move |_: &Message| {
            count.fetch_add(1, Ordering::SeqCst);
            Ok::<(), String>(())
        })
        .unwrap();
    sandbox.publish("taobao_trade_TradeCreate", r#"{"tid":"1"}"#);
    assert!(wait_until(Duration::from_secs(10), || handled.load(Ordering::SeqCst) == 1));
    // A lost connection is made again with a token of its own.
    sandbox.drop_tmc_connections();
    sandbox.publish("taobao_trade_TradeCreate", r#"{"tid":"2"}"#);
    assert!(wait_until(Duration::from_secs(10), || handled.load(Ordering::SeqCst) == 2));
    consumer.stop();

    let accepted: Vec<_> = sandbox
        .tmc_connects()
        .into_iter()
        .filter(|connect| connect.get("token").is_some_and(|token| token.starts_with("tmc-") && token != "tmc-forged"))
        .filter(|connect| connect.get("minor_group").is_some())
        .collect();
    assert!(accepted.len() >= 2, "{accepted:?}");
    for connect in &accepted {
        assert_eq!((connect["minor_group"].as_str(), connect["filter_exp"].as_str()), ("default", "*"));
        assert_eq!(connect["group_name"], "default");
        assert!(!connect.contains_key("sign"));
    }
    let tokens: HashSet<&String> = accepted.iter().map(|connect| &connect["token"]).collect();
    assert_eq!(tokens.len(), accepted.len(), "each CONNECT has its own token");
}

#[test]
fn a_busy_channel_s_refused_reconnects_are_tried_again_and_a_refused_start_is_an_error() {
    let sandbox = sandbox(Duration::from_secs(30));
    sandbox.refuse_tmc_connects(1, 503);
    match consumer(&sandbox).start(|_: &Message| Ok::<(), String>(())) {
        Err(Error::Api(err)) => assert_eq!(err.code(), 503),
        other => panic!("expected the refusal: {other:?}"),
    }
    let handled = Arc::new(AtomicUsize::new(0));
    let count = handled.clone();
    let consumer = consumer(&sandbox)
        .start(move |_: &Message| {
            count.fetch_add(1, Ordering::SeqCst);
            Ok::<(), String>(())
        })
        .unwrap();
    let before = sandbox.tmc_connects().len();
    // The next three CONNECTs are refused as a busy server refuses: the consumer keeps trying.
    sandbox.refuse_tmc_connects(3, 503);
    sandbox.drop_tmc_connections();
    let id = sandbox.publish("taobao_trade_TradeCreate", r#"{"tid":"1"}"#);
    assert!(wait_until(Duration::from_secs(15), || sandbox.message_confirms().get(&id) == Some(&1)));
    assert!(consumer.failure().is_none(), "{:?}", consumer.failure());
    let stats = consumer.stop();
    assert_eq!(handled.load(Ordering::SeqCst), 1);
    assert!(sandbox.tmc_connects().len() >= before + 4, "three refused, then one accepted");
    assert!(stats.reconnects >= 1, "{stats:?}");
}

#[test]
fn messages_delivered_twice_and_late_are_handled_once_each() {
    let sandbox = sandbox(Duration::from_secs(30));
    sandbox.deliver_tmc_twice(true);
    sandbox.delay_tmc_messages(Duration::from_millis(10));
    let ids: Vec<i64> =
        (0..40).map(|n| sandbox.publish("taobao_trade_TradeCreate", &format!(r#"{{"tid":"{n}"}}"#))).collect();
    let seen = Arc::new(Seen::default());
    let handler_seen = seen.clone();
    let consumer = consumer(&sandbox)
        .start(move |message: &Message| {
            handler_seen.run(message);
            thread::sleep(Duration::from_millis(5));
            handler_seen.ok(message);
            Ok::<(), String>(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(20), || sandbox.pending_messages("default") == 0), "all confirmed");
    let stats = consumer.stop();
    let runs = seen.runs.lock().unwrap();
    for id in &ids {
        assert_eq!(runs.get(id), Some(&1), "message {id} ran once");
    }
    assert_eq!(stats.received, 80, "{stats:?}");
    assert_eq!(stats.handled, 40, "{stats:?}");
}

/// A TLS server on loopback in front of the sandbox's channel, with a self-signed
/// certificate for `localhost`: what `wss://` reaches. Returns its port and the certificate
/// (DER) to trust. Each connection is served until either side closes, within a bound.
fn tls_front(sandbox: &Sandbox) -> (u16, Vec<u8>) {
    use std::io::{ErrorKind, Read, Write};
    use std::net::{TcpListener, TcpStream};

    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = certified.cert.der().to_vec();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.clone().into()], key)
            .unwrap(),
    );
    let upstream_port: u16 =
        sandbox.tmc_url().trim_start_matches("ws://127.0.0.1:").split('/').next().unwrap().parse().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for client in listener.incoming().take(8) {
            let Ok(client) = client else { return };
            let config = config.clone();
            thread::spawn(move || {
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", upstream_port)) else { return };
                let quick = Some(Duration::from_millis(2));
                let (_, _) = (client.set_read_timeout(quick), upstream.set_read_timeout(quick));
                let mut tls = rustls::StreamOwned::new(rustls::ServerConnection::new(config).unwrap(), client);
                let mut upstream = upstream;
                let mut buf = vec![0u8; 64 * 1024];
                let until = Instant::now() + Duration::from_secs(30);
                let idle = |err: &std::io::Error| matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
                while Instant::now() < until {
                    match tls.read(&mut buf) {
                        Ok(0) => return,
                        Ok(n) => {
                            if upstream.write_all(&buf[..n]).is_err() {
                                return;
                            }
                        }
                        Err(err) if idle(&err) => {}
                        Err(_) => return,
                    }
                    match upstream.read(&mut buf) {
                        Ok(0) => return,
                        Ok(n) => {
                            if tls.write_all(&buf[..n]).and_then(|()| tls.flush()).is_err() {
                                return;
                            }
                        }
                        Err(err) if idle(&err) => {}
                        Err(_) => return,
                    }
                }
            });
        }
    });
    (port, cert)
}

#[test]
fn over_wss_messages_are_handled_and_confirmed_and_an_unknown_certificate_is_refused() {
    let sandbox = sandbox(Duration::from_secs(30));
    let (port, cert) = tls_front(&sandbox);
    let url = format!("wss://localhost:{port}/");
    // A certificate nobody vouches for: a TLS error, at once.
    let untrusted = consumer(&sandbox).url(&url).start(|_: &Message| Ok::<(), String>(()));
    match untrusted {
        Err(Error::Transport(err)) => assert_eq!(err.kind(), top_api::TransportErrorKind::Tls, "{err}"),
        other => panic!("expected a TLS error: {other:?}"),
    }
    // Bytes that are no certificate are a configuration error.
    let garbage =
        consumer(&sandbox).url(&url).root_certificate(vec![1, 2, 3]).start(|_: &Message| Ok::<(), String>(()));
    assert!(matches!(garbage, Err(Error::Config(top_api::ConfigError::BadCertificate { .. }))), "{garbage:?}");

    let ids: Vec<i64> =
        (0..50).map(|n| sandbox.publish("taobao_trade_TradeCreate", &format!(r#"{{"tid":"{n}"}}"#))).collect();
    let seen = Arc::new(Seen::default());
    let handler_seen = seen.clone();
    let consumer = consumer(&sandbox)
        .url(&url)
        .root_certificate(cert)
        .start(move |message: &Message| {
            handler_seen.run(message);
            handler_seen.ok(message);
            Ok::<(), String>(())
        })
        .unwrap();
    assert!(wait_until(Duration::from_secs(20), || sandbox.pending_messages("default") == 0), "all confirmed");
    consumer.stop();
    let confirms = sandbox.message_confirms();
    for id in &ids {
        assert_eq!(confirms.get(id), Some(&1), "message {id}");
        assert_eq!(seen.runs.lock().unwrap().get(id), Some(&1), "message {id}");
    }
}

/// A client of the channel written as the other SDKs write theirs (the Node one's frames):
/// a masked CONNECT with `sdk` and `intranet_ip` and no token, a pull request every
/// `pull_every`, each pushed message confirmed by the id it came with, written in `id_as`;
/// `__kind` in the width `kind_as` gives; no SENDACK unless `sendack`. Returns the ids it
/// received, once it has `n` or `within` is over.
fn hand_written_client(
    sandbox: &Sandbox,
    n: usize,
    kind_as: fn(u8) -> top_api::messages::frame::Value,
    id_as: fn(i64) -> top_api::messages::frame::Value,
    sendack: bool,
) -> Vec<i64> {
    use top_api::messages::frame::{Frame, FrameRef, FrameType, Value};
    use top_api::messages::{connect_sign, kind};

    let url = sandbox.tmc_url();
    let stream = std::net::TcpStream::connect(url.trim_start_matches("ws://").split('/').next().unwrap()).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let (mut socket, _) = tungstenite::client::client(url.as_str(), stream).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let connect = Frame::new(FrameType::Connect)
        .with("app_key", Value::Str(sandbox.app_key().to_owned()))
        .with("group_name", Value::Str("default".to_owned()))
        .with("timestamp", Value::Str(now.to_string()))
        .with("sign", Value::Str(connect_sign(sandbox.app_key(), sandbox.app_secret(), "default", now)))
        .with("sdk", Value::Str("TaoMessageConsumer".to_owned()))
        .with("intranet_ip", Value::Str("10.0.0.8".to_owned()));
    socket.send(tungstenite::Message::binary(connect.encode())).unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    let mut token = None;
    let mut received = Vec::new();
    let mut last_pull = Instant::now();
    while received.len() < n && Instant::now() < until {
        if let Some(token) = token.as_ref().filter(|_| last_pull.elapsed() > Duration::from_millis(100)) {
            let pull = Frame::send(String::clone(token)).with("__kind", kind_as(kind::PULL));
            socket.send(tungstenite::Message::binary(pull.encode())).unwrap();
            last_pull = Instant::now();
        }
        let bytes = match socket.read() {
            Ok(tungstenite::Message::Binary(bytes)) => bytes,
            Ok(_) => continue,
            Err(tungstenite::Error::Io(err))
                if matches!(err.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
            {
                continue
            }
            Err(err) => panic!("the channel closed: {err}"),
        };
        let frame = FrameRef::decode(&bytes).unwrap();
        match frame.kind {
            FrameType::ConnectAck => {
                assert_eq!(frame.status_code, 0, "{:?}", frame.status_phrase);
                token = frame.token.map(str::to_owned);
            }
            FrameType::Send => {
                let id = frame.header("id").and_then(|v| v.as_i64()).unwrap();
                let token = token.clone().unwrap();
                if sendack {
                    let mut ack = Frame::new(FrameType::SendAck);
                    ack.token = Some(token.clone());
                    socket.send(tungstenite::Message::binary(ack.encode())).unwrap();
                }
                let confirm = Frame::send(token).with("__kind", kind_as(kind::CONFIRM)).with("id", id_as(id));
                socket.send(tungstenite::Message::binary(confirm.encode())).unwrap();
                received.push(id);
            }
            _ => {}
        }
    }
    let _ = socket.close(None);
    let _ = socket.flush();
    received
}

#[test]
fn clients_written_as_other_sdks_write_theirs_are_served() {
    use top_api::messages::frame::Value;

    type Kind = fn(u8) -> Value;
    type Id = fn(i64) -> Value;
    let cases: [(&str, Kind, Id, bool); 3] = [
        // As the official clients: `__kind` a byte, the id as it came, no SENDACK.
        ("byte kinds, i64 ids", Value::Byte, Value::I64, false),
        // Numbers in another width, or as text, as some clients write them.
        ("i32 kinds, text ids", |k| Value::I32(k.into()), |id| Value::Str(id.to_string()), false),
        // A client that answers each push with a SENDACK too.
        ("with SENDACKs", Value::Byte, Value::I64, true),
    ];
    for (what, kind_as, id_as, sendack) in cases {
        let sandbox = sandbox(Duration::from_secs(30));
        let ids: Vec<i64> =
            (0..40).map(|n| sandbox.publish("taobao_trade_TradeCreate", &format!(r#"{{"tid":"{n}"}}"#))).collect();
        let received = hand_written_client(&sandbox, ids.len(), kind_as, id_as, sendack);
        let mut sorted = received.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, ids, "{what}: every message pushed once");
        assert!(
            wait_until(Duration::from_secs(5), || sandbox.pending_messages("default") == 0),
            "{what}: every confirm counted"
        );
        assert!(sandbox.message_confirms().values().all(|&n| n == 1), "{what}");
        // Its CONNECT, as the channel saw it.
        let connect = sandbox.tmc_connects().pop().unwrap();
        assert_eq!((connect["sdk"].as_str(), connect.get("token")), ("TaoMessageConsumer", None), "{what}");
    }
}
