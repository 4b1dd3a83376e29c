//! The message channel: a message frame decoded into a `Message` (through the owned `Frame`,
//! and in place through `FrameRef`, as the consumer does) vs a hand-written read of the same
//! bytes (criterion, `frame/*`); then, once criterion is done, messages per second
//! from the sandbox to the consumer over loopback vs `floor`: a bare tungstenite client that
//! reads each frame, decodes it and sends its confirm at once, on the same server; then the
//! peak memory while a burst of 100,000 queued messages is consumed.
//!
//! `cargo bench -p top-api-core --bench messages`; the figures are in BENCHMARKS.md.

use std::hint::black_box;
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use criterion::Criterion;
use top_api::messages::frame::{Frame, FrameRef, FrameType, Value};
use top_api::messages::{connect_sign, Consumer, Message};
use top_api::sandbox::Sandbox;
use top_api::DateTime;

/// A message as the platform pushes one: a trade paid, about 300 bytes of content.
fn pushed() -> Vec<u8> {
    let at = DateTime::parse("2026-12-05 10:00:00").unwrap();
    let content = r#"{"buyer_nick":"t**1","payment":"129.00","oid":1234567890123456789,"tid":1234567890123456789,"type":"guarantee_trade","seller_nick":"商家","post_fee":"0.00","status":"WAIT_SELLER_SEND_GOODS","buyer_open_uid":"AAF3sQ0gAAVrLmDN1OQ9dMeX"}"#;
    Message::new(9_000_000_001, "taobao_trade_TradeBuyerPay", content)
        .with_user(2_200_000_001, "商家")
        .with_times("12345678", at, at)
        .to_frame("tok-1", false)
        .encode()
}

/// The floor: reads the id, topic and content out of the bytes by hand, trusting their
/// layout, as a reader written for this one frame would.
fn by_hand(bytes: &[u8]) -> (i64, &str, &str) {
    let (mut at, mut id, mut topic, mut content) = (2, 0, "", "");
    let i32_at = |at: usize| i32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    loop {
        let header = i16::from_le_bytes([bytes[at], bytes[at + 1]]);
        at += 2;
        match header {
            0 => break,
            5 | 3 => at += 4 + i32_at(at),
            2 | 4 => at += 4,
            _ => {
                let len = i32_at(at);
                let key = &bytes[at + 4..at + 4 + len];
                at += 4 + len;
                let format = bytes[at];
                at += 1;
                match format {
                    1 | 7 => {
                        let len = i32_at(at);
                        let text = std::str::from_utf8(&bytes[at + 4..at + 4 + len]).unwrap();
                        match key {
                            b"topic" => topic = text,
                            b"content" => content = text,
                            _ => {}
                        }
                        at += 4 + len;
                    }
                    2 => at += 1,
                    3 => at += 2,
                    4 => at += 4,
                    5 | 6 => {
                        if key == b"id" {
                            id = i64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
                        }
                        at += 8;
                    }
                    _ => at += 0,
                }
            }
        }
    }
    (id, topic, content)
}

fn frames(c: &mut Criterion) {
    let bytes = pushed();
    assert_eq!(by_hand(&bytes).0, 9_000_000_001);
    let mut group = c.benchmark_group("frame/decode");
    group.bench_function("top-api", |b| {
        b.iter(|| Message::from_frame(&Frame::decode(black_box(&bytes)).unwrap()).unwrap())
    });
    group.bench_function("top-api-in-place", |b| {
        b.iter(|| Message::from_frame_ref(&FrameRef::decode(black_box(&bytes)).unwrap()).unwrap())
    });
    group.bench_function("floor", |b| {
        b.iter(|| {
            let (id, topic, content) = by_hand(black_box(&bytes));
            (id, topic.to_owned(), content.to_owned())
        })
    });
    group.finish();
}

/// How long the consumer takes to handle and confirm `n` queued messages.
fn consumer_run(n: usize) -> Duration {
    let workers: usize = std::env::var("BENCH_WORKERS").ok().and_then(|w| w.parse().ok()).unwrap_or(2);
    let sandbox = Sandbox::start().unwrap();
    for i in 0..n {
        sandbox.publish("taobao_trade_TradeBuyerPay", &format!(r#"{{"tid":"{i}"}}"#));
    }
    let handled = Arc::new(AtomicU64::new(0));
    let count = handled.clone();
    let started = Instant::now();
    let consumer = Consumer::builder(sandbox.app_key(), sandbox.app_secret())
        .url(sandbox.tmc_url())
        .workers(workers)
        .start(move |message: &Message| {
            black_box(message.content());
            count.fetch_add(1, Ordering::Relaxed);
            Ok::<(), String>(())
        })
        .unwrap();
    while sandbox.pending_messages("default") > 0 {
        thread::sleep(Duration::from_micros(200));
    }
    let took = started.elapsed();
    consumer.stop();
    took
}

/// How long a bare client takes to read, decode and confirm `n` queued messages.
fn floor_run(n: usize) -> Duration {
    let sandbox = Sandbox::start().unwrap();
    for i in 0..n {
        sandbox.publish("taobao_trade_TradeBuyerPay", &format!(r#"{{"tid":"{i}"}}"#));
    }
    let started = Instant::now();
    let url = sandbox.tmc_url();
    let stream = TcpStream::connect(url.trim_start_matches("ws://").trim_end_matches('/')).unwrap();
    stream.set_nodelay(true).unwrap();
    let (mut socket, _) = tungstenite::client::client(url.as_str(), stream).unwrap();
    let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    let mut connect = Frame::new(FrameType::Connect)
        .with("app_key", Value::Str(sandbox.app_key().to_owned()))
        .with("group_name", Value::Str("default".into()))
        .with("timestamp", Value::Str(timestamp.to_string()))
        .with("sign", Value::Str(connect_sign(sandbox.app_key(), sandbox.app_secret(), "default", timestamp)));
    connect.flag = 1;
    socket.send(tungstenite::Message::binary(connect.encode())).unwrap();
    let token = loop {
        if let tungstenite::Message::Binary(bytes) = socket.read().unwrap() {
            break Frame::decode(&bytes).unwrap().token.unwrap();
        }
    };
    let mut confirmed = 0;
    while confirmed < n {
        if let tungstenite::Message::Binary(bytes) = socket.read().unwrap() {
            let message = Message::from_frame_ref(&FrameRef::decode(&bytes).unwrap()).unwrap();
            black_box(message.content());
            let confirm =
                Frame::send(token.clone()).with("__kind", Value::Byte(2)).with("id", Value::I64(message.id()));
            socket.send(tungstenite::Message::binary(confirm.encode())).unwrap();
            confirmed += 1;
        }
    }
    while sandbox.pending_messages("default") > 0 {
        thread::sleep(Duration::from_micros(200));
    }
    started.elapsed()
}

/// A line of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`); 0 where there is none.
fn status_kib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A burst of `n` messages of about 300 bytes queued at once, consumed with a handler that
/// takes 20 µs: the process's resident memory once they are queued (the sandbox holds
/// them), and its peak while the consumer drains them (the peak reset first).
fn burst(n: usize) -> (u64, u64) {
    let sandbox = Sandbox::start().unwrap();
    let content = r#"{"buyer_nick":"t**1","payment":"129.00","oid":1234567890123456789,"tid":"TID","type":"guarantee_trade","seller_nick":"商家","post_fee":"0.00","status":"WAIT_SELLER_SEND_GOODS","buyer_open_uid":"AAF3sQ0gAAVrLmDN1OQ9dMeX"}"#;
    for i in 0..n {
        sandbox.publish("taobao_trade_TradeBuyerPay", &content.replace("TID", &i.to_string()));
    }
    // Linux: writing 5 resets the peak (VmHWM) to the current size.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let queued = status_kib("VmRSS");
    let consumer = Consumer::builder(sandbox.app_key(), sandbox.app_secret())
        .url(sandbox.tmc_url())
        .start(move |message: &Message| {
            black_box(message.content());
            let until = Instant::now() + Duration::from_micros(20);
            while Instant::now() < until {
                std::hint::spin_loop();
            }
            Ok::<(), String>(())
        })
        .unwrap();
    while sandbox.pending_messages("default") > 0 {
        thread::sleep(Duration::from_millis(5));
    }
    consumer.stop();
    (queued, status_kib("VmHWM"))
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    frames(&mut criterion);
    criterion.final_summary();

    // Throughput, in interleaved rounds.
    let n = 30_000;
    let rounds = 7;
    let rate = |took: Duration| n as f64 / took.as_secs_f64();
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        ours.push(rate(consumer_run(n)));
        floor.push(rate(floor_run(n)));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    // Each round's ratio, its two runs side by side: the machine's drift between rounds
    // moves both.
    let mut ratios: Vec<f64> = ours.iter().zip(&floor).map(|(ours, floor)| ours / floor).collect();
    let ratio = median(&mut ratios);
    let (low, high) = (ratios[0], ratios[ratios.len() - 1]);
    let (ours, floor) = (median(&mut ours), median(&mut floor));
    println!("messages/consumer: {ours:.0} messages/s (median of {rounds} rounds of {n})");
    println!("messages/floor:    {floor:.0} messages/s");
    println!("ratio: {ratio:.2} (median of the rounds' ratios; {low:.2} to {high:.2})");

    let n = 100_000;
    let (queued, peak) = burst(n);
    println!(
        "burst of {n}: {queued} KiB resident once queued in the sandbox, peak {peak} KiB while consumed: +{} KiB",
        peak.saturating_sub(queued)
    );
}
