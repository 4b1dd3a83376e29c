//! The rate limit and bans shared through a real Redis (`redis-server`, started here on a
//! free loopback port and stopped at the end): clients built apart, as separate worker
//! processes are, against one sandbox.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use top_api::sandbox::{Fault, Sandbox};
use top_api::shared::{SharedLimit, WhenDown};
use top_api::{Client, ConfigError, Error, RetryPolicy};

/// A `redis-server` of this test's own, killed when dropped.
struct Redis {
    child: Option<Child>,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
        Redis::start_on(port)
    }

    fn start_on(port: u16) -> Redis {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (Debian's package `redis-server`; .ci/run installs it)");
        let redis = Redis { child: Some(child), port };
        let deadline = Instant::now() + Duration::from_secs(10);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen on {port} within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A limit shared through `redis`, each exchange with it bounded by 5 s: these tests run
/// beside others on a loaded machine, where a stall of the default 250 ms is no outage.
/// The tests of outages set bounds of their own.
fn limit(redis: &Redis, per_second: f64, burst: u32) -> SharedLimit {
    SharedLimit::new(redis.url(), per_second, burst).timeout(Duration::from_secs(5))
}

/// A client of `sandbox` sharing `limit`, bounded as users bound theirs.
fn worker(sandbox: &Sandbox, limit: SharedLimit) -> Client {
    sandbox.client().shared_limit(limit).timeout(Duration::from_secs(20)).build().unwrap()
}

fn time_get(client: &Client) -> Result<(), Error> {
    client.call("taobao.time.get", [("fields", "time")]).map(drop)
}

#[test]
fn clients_built_apart_share_one_rate_through_redis() {
    let redis = Redis::start();
    let sandbox = Sandbox::start().unwrap();
    // 20 calls a second for the app key, one at a time; two workers, two threads each.
    let limit = limit(&redis, 20.0, 1);
    let workers = [worker(&sandbox, limit.clone()), worker(&sandbox, limit)];
    let started = Instant::now();
    std::thread::scope(|scope| {
        for client in workers.iter().chain(workers.iter()) {
            scope.spawn(move || (0..10).for_each(|_| time_get(client).unwrap()));
        }
    });
    let took = started.elapsed();
    assert_eq!(sandbox.calls().len(), 40);
    // 40 calls one at a time at 20 a second: 39 intervals of 50 ms at the least. Each
    // worker alone would have let its 20 go at once.
    assert!(took >= Duration::from_millis(1900), "40 calls in {took:?}");
}

#[test]
fn a_method_s_own_limit_holds_beside_the_app_key_s() {
    let redis = Redis::start();
    let sandbox = Sandbox::start().unwrap();
    let limit = limit(&redis, 1000.0, 100).method("taobao.time.get", 10.0, 1).key_prefix("t:{m}");
    let (a, b) = (worker(&sandbox, limit.clone()), worker(&sandbox, limit));
    let started = Instant::now();
    for _ in 0..5 {
        time_get(&a).unwrap();
        time_get(&b).unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(850), "10 calls at 10 a second in {:?}", started.elapsed());
}

#[test]
fn a_ban_one_client_meets_holds_every_other_until_it_ends() {
    let redis = Redis::start();
    let sandbox = Sandbox::start().unwrap();
    let limit = limit(&redis, 100.0, 10);
    let (met, other) = (worker(&sandbox, limit.clone()), worker(&sandbox, limit.clone()));
    sandbox.fail_next(1, Fault::Throttled { ban_seconds: 2 });
    let banned = time_get(&met).unwrap_err();
    assert!(banned.is_throttled(), "{banned}");
    let calls = sandbox.calls().len();
    // The other worker is refused as the platform would, without sending.
    let held = time_get(&other).unwrap_err();
    let api = held.api().expect("the platform's refusal");
    assert_eq!(api.code(), 7);
    assert!((1..=2).contains(&api.ban_seconds().unwrap()), "{api}");
    assert!(api.sub_msg().unwrap().contains("shared through Redis"));
    assert_eq!(sandbox.calls().len(), calls, "nothing was sent during the ban");
    // A worker whose retry policy waits bans out gets through once it ends.
    let patient = sandbox
        .client()
        .shared_limit(limit)
        .retry(RetryPolicy::new(3).max_ban_wait(Duration::from_secs(5)))
        .build()
        .unwrap();
    let started = Instant::now();
    time_get(&patient).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(500), "the ban was waited out: {:?}", started.elapsed());
    assert_eq!(sandbox.calls().len(), calls + 1);
}

#[test]
fn a_ban_of_any_length_the_network_names_is_shared_and_held_for_a_day_at_most() {
    let redis = Redis::start();
    let sandbox = Sandbox::start().unwrap();
    let limit = limit(&redis, 100.0, 10);
    let (met, other) = (worker(&sandbox, limit.clone()), worker(&sandbox, limit));
    sandbox.fail_next(1, Fault::Throttled { ban_seconds: u64::MAX });
    assert!(time_get(&met).unwrap_err().is_throttled());
    let held = time_get(&other).unwrap_err();
    let seconds = held.api().and_then(top_api::ApiError::ban_seconds).expect("a ban's refusal");
    assert!((86_399..=86_400).contains(&seconds), "{held}");
}

#[test]
fn a_ban_met_while_redis_cannot_be_told_holds_its_client_and_is_shared_once_redis_answers() {
    let redis = Redis::start();
    let sandbox = Sandbox::start().unwrap();
    // A frozen Redis never answers: any bound shows it; 2 s keeps a loaded machine's stall
    // from passing for an outage once Redis runs again.
    let limit = SharedLimit::new(redis.url(), 100.0, 10).timeout(Duration::from_secs(2));
    let (met, other) = (worker(&sandbox, limit.clone()), worker(&sandbox, limit));
    time_get(&met).unwrap();
    time_get(&other).unwrap();
    // Redis frozen: the call goes by the local limit and meets a ban Redis cannot be told of.
    let pid = redis.child.as_ref().unwrap().id().to_string();
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    sandbox.fail_next(1, Fault::Throttled { ban_seconds: 30 });
    let banned = time_get(&met);
    // Meanwhile the client that met it holds itself, without sending.
    let calls = sandbox.calls().len();
    let held_alone = time_get(&met);
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    assert!(banned.unwrap_err().is_throttled());
    let held_alone = held_alone.unwrap_err();
    assert_eq!(held_alone.api().map(top_api::ApiError::code), Some(7), "{held_alone}");
    assert_eq!(sandbox.calls().len(), calls);
    // Redis answers again (asked a second after it failed): the ban is written with the
    // time it has left, and holds the other client too.
    std::thread::sleep(Duration::from_millis(1100));
    let _ = time_get(&met);
    let held = time_get(&other).unwrap_err();
    let api = held.api().expect("the platform's refusal");
    assert_eq!(api.code(), 7);
    assert!(api.sub_msg().unwrap().contains("shared through Redis"), "{api}");
    assert!((25..=30).contains(&api.ban_seconds().unwrap()), "{api}");
    assert_eq!(sandbox.calls().len(), calls);
}

#[test]
fn redis_stopped_then_started_again_calls_go_on_by_the_policy_and_the_shared_limit_returns() {
    let mut redis = Redis::start();
    let port = redis.port;
    let sandbox = Sandbox::start().unwrap();
    let limit = SharedLimit::new(redis.url(), 100.0, 10).timeout(Duration::from_secs(1));
    let local = worker(&sandbox, limit.clone().when_down(WhenDown::Local));
    let strict = worker(&sandbox, limit.clone().when_down(WhenDown::Fail));
    time_get(&local).unwrap();
    time_get(&strict).unwrap();

    redis.stop();
    // Local: the call goes on, after a bounded wait for Redis.
    let started = Instant::now();
    time_get(&local).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // Fail: a typed error, nothing sent.
    let calls = sandbox.calls().len();
    let err = time_get(&strict).unwrap_err();
    assert!(matches!(err, Error::SharedLimit { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(sandbox.calls().len(), calls);

    // Redis back on the same port: within a few seconds each client asks it again, and a
    // ban written by one holds the other.
    let _redis = Redis::start_on(port);
    let deadline = Instant::now() + Duration::from_secs(10);
    while time_get(&strict).is_err() {
        assert!(Instant::now() < deadline, "the shared limit did not come back");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(1100));
    sandbox.fail_next(1, Fault::Throttled { ban_seconds: 30 });
    assert!(time_get(&strict).unwrap_err().is_throttled());
    let calls = sandbox.calls().len();
    let held = time_get(&local).unwrap_err();
    assert!(held.api().and_then(|api| api.sub_msg()).is_some_and(|m| m.contains("shared through Redis")), "{held}");
    assert_eq!(sandbox.calls().len(), calls);
}

#[test]
fn a_limit_that_cannot_work_is_refused_when_the_client_is_built() {
    let build = |limit: SharedLimit| Client::builder("k", "s").shared_limit(limit).build().map(drop);
    assert!(matches!(
        build(SharedLimit::new("http://127.0.0.1:6379", 10.0, 1)),
        Err(Error::Config(ConfigError::BadUrl { what: "Redis", .. }))
    ));
    assert!(matches!(
        build(SharedLimit::new("redis://127.0.0.1:1/0", 0.0, 1)),
        Err(Error::Config(ConfigError::BadRateLimit))
    ));
    assert!(matches!(
        build(SharedLimit::new("redis://127.0.0.1:1/0", 10.0, 1).method("m", f64::NAN, 1)),
        Err(Error::Config(ConfigError::BadRateLimit))
    ));
    // A Redis nobody listens on: the client builds; its calls go by the policy.
    assert!(build(SharedLimit::new("redis://127.0.0.1:1/0", 10.0, 1)).is_ok());
}

#[test]
fn four_processes_of_two_threads_hold_a_shared_fifty_calls_a_second() {
    let redis = Redis::start();
    let sandbox = Sandbox::start().unwrap();
    let (rate, seconds) = (50.0, 10.0);
    let workers: Vec<Child> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_shared-worker"))
                .args([sandbox.url(), sandbox.app_key(), sandbox.app_secret(), "2", &seconds.to_string()])
                .args([redis.url(), rate.to_string(), "1".to_owned()])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut made = 0;
    for worker in workers {
        let output = worker.wait_with_output().unwrap();
        assert!(output.status.success());
        let printed = String::from_utf8(output.stdout).unwrap();
        let (ok, failed) = printed.trim().split_once(' ').unwrap();
        assert_eq!(failed, "0", "no call failed: {printed}");
        made += ok.parse::<usize>().unwrap();
    }
    // The aggregate, timed from the sandbox's call log: every call of the four processes.
    let calls = sandbox.calls();
    assert_eq!(calls.len(), made);
    let (first, last) = (calls.first().unwrap().at, calls.last().unwrap().at);
    let span = last.duration_since(first).unwrap().as_secs_f64();
    let aggregate = (calls.len() - 1) as f64 / span;
    eprintln!(
        "4 processes × 2 threads, shared {rate}/s: {} calls in {span:.2} s, {aggregate:.2} a second",
        calls.len()
    );
    assert!(span > seconds * 0.9, "the workers ran {span} s");
    assert!((aggregate - rate).abs() <= rate * 0.1, "{} calls in {span:.2} s: {aggregate:.1} a second", calls.len());
}

/// A consumer of the sandbox's channel, as the messages tests make one.
fn consumer(sandbox: &Sandbox) -> top_api::messages::ConsumerBuilder {
    top_api::messages::Consumer::builder(sandbox.app_key(), sandbox.app_secret())
        .url(sandbox.tmc_url())
        .pull_every(Duration::from_millis(200))
        .connect_timeout(Duration::from_secs(5))
        .stop_within(Duration::from_secs(5))
}

/// Runs a consumer of the group until the sandbox holds nothing for it; how many times its
/// handler ran, and how many duplicates it dropped.
fn consume_all(sandbox: &Sandbox, builder: top_api::messages::ConsumerBuilder) -> (usize, u64) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let consumer = builder
        .start(move |_: &top_api::messages::Message| {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok::<(), String>(())
        })
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while sandbox.pending_messages("default") > 0 {
        assert!(Instant::now() < deadline, "the messages were not all confirmed");
        std::thread::sleep(Duration::from_millis(20));
    }
    let stats = consumer.stop();
    (runs.load(Ordering::SeqCst), stats.duplicates)
}

#[test]
fn a_business_key_one_consumer_handled_is_not_handled_again_by_another_process() {
    use top_api::shared::SharedDedup;
    let redis = Redis::start();
    let sandbox = Sandbox::start().unwrap();
    let window = Duration::from_secs(60);
    let through = SharedDedup::new(&redis.url()).unwrap();
    // The first consumer handles trade 42, then stops.
    sandbox.publish("taobao_trade_TradeBuyerPay", r#"{"tid":"42"}"#);
    assert_eq!(consume_all(&sandbox, consumer(&sandbox).dedup_shared(window, through.clone())), (1, 0));
    // The same trade again, to a consumer of another process (a window of its own empty):
    // confirmed without running its handler.
    sandbox.publish("taobao_trade_TradeBuyerPay", r#"{"tid":"42"}"#);
    sandbox.publish("taobao_trade_TradeBuyerPay", r#"{"tid":"43"}"#);
    assert_eq!(consume_all(&sandbox, consumer(&sandbox).dedup_shared(window, through.clone())), (1, 1));
    // A window kept in each process alone would have handled it again.
    sandbox.publish("taobao_trade_TradeBuyerPay", r#"{"tid":"42"}"#);
    assert_eq!(consume_all(&sandbox, consumer(&sandbox).dedup(window)), (1, 0));
    // Redis down: the message is handled, never dropped.
    drop(redis);
    sandbox.publish("taobao_trade_TradeBuyerPay", r#"{"tid":"43"}"#);
    assert_eq!(consume_all(&sandbox, consumer(&sandbox).dedup_shared(window, through)), (1, 0));
    assert!(matches!(SharedDedup::new("mysql://x"), Err(Error::Config(ConfigError::BadUrl { .. }))));
}

#[test]
fn a_redis_that_stops_answering_costs_each_call_at_most_its_timeout() {
    let redis = Redis::start();
    let sandbox = Sandbox::start().unwrap();
    let limit = SharedLimit::new(redis.url(), 100.0, 10).timeout(Duration::from_millis(300));
    let client = worker(&sandbox, limit);
    time_get(&client).unwrap();
    // Frozen, as a Redis swapping or stuck is: the connection is open, nothing answers.
    let pid = redis.child.as_ref().unwrap().id().to_string();
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let started = Instant::now();
    let outcome = time_get(&client);
    let took = started.elapsed();
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    outcome.unwrap();
    assert!(took < Duration::from_secs(3), "a frozen Redis held the call {took:?}");
}
