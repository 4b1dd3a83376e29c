//! What a call pays for the limit shared through Redis (feature `redis`), over loopback:
//! the loan call through a transport that answers from memory, without and with the shared
//! limit (a rate it never waits for), against the floor of one Redis round trip (`PING` on
//! an open connection). It starts a `redis-server` of its own on a free port.
//!
//! `cargo bench -p top-api-core --features redis --bench shared`

mod common;

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use top_api::shared::SharedLimit;
use top_api::Client;

use common::*;

struct Redis(Child, u16);

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn redis() -> Redis {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server runs");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    Redis(child, port)
}

fn shared(c: &mut Criterion) {
    let server = redis();
    let url = format!("redis://127.0.0.1:{}/0", server.1);
    let answer = fixture("alibaba.idle.interact.loan.user.query", "ok.json");
    let plain = Client::builder("12345678", "bench-secret").transport(Canned(answer.clone())).build().unwrap();
    let limited = Client::builder("12345678", "bench-secret")
        .transport(Canned(answer))
        .shared_limit(SharedLimit::new(url.as_str(), 1e9, 1_000_000))
        .build()
        .unwrap();
    let mut connection = redis::Client::open(url.as_str()).unwrap().get_connection().unwrap();
    let mut group = c.benchmark_group("shared");
    group.bench_function("call/loan/plain", |b| b.iter(|| black_box(plain.execute(black_box(&loan_query())).unwrap())));
    group.bench_function("call/loan/shared-limit", |b| {
        b.iter(|| black_box(limited.execute(black_box(&loan_query())).unwrap()))
    });
    group.bench_function("redis/ping", |b| b.iter(|| redis::cmd("PING").query::<String>(&mut connection).unwrap()));
    group.finish();
}

criterion_group!(benches, shared);
criterion_main!(benches);
