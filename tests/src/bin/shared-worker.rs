//! A worker process on one app key, for the shared limit's tests and figures: it calls
//! `taobao.time.get` from a number of threads for a number of seconds, under a limit shared
//! through Redis (or none), and prints how many calls it made and how many failed.
//!
//! `shared-worker GATEWAY APP_KEY APP_SECRET THREADS SECONDS [REDIS_URL PER_SECOND BURST]`

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use top_api::shared::SharedLimit;
use top_api::Client;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "shared-worker GATEWAY APP_KEY APP_SECRET THREADS SECONDS [REDIS_URL PER_SECOND BURST]";
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_else(|| panic!("usage: {usage}"));
    let threads: usize = arg(3).parse().expect("THREADS is a number");
    let seconds: f64 = arg(4).parse().expect("SECONDS is a number");
    let mut builder = Client::builder(arg(1), arg(2)).gateway(arg(0)).timeout(Duration::from_secs(30));
    if args.len() >= 8 {
        let rate: f64 = arg(6).parse().expect("PER_SECOND is a number");
        let burst: u32 = arg(7).parse().expect("BURST is a number");
        // Each exchange with Redis bounded by 5 s, not 250 ms: the workers run beside others
        // on a loaded machine, where a stall is no outage.
        let limit = SharedLimit::new(arg(5), rate, burst).timeout(Duration::from_secs(5));
        builder = builder.shared_limit(limit);
    }
    let client = builder.build().expect("the worker's client builds");
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let (ok, failed) = (AtomicU64::new(0), AtomicU64::new(0));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while Instant::now() < deadline {
                    match client.call("taobao.time.get", [("fields", "time")]) {
                        Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                        Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            });
        }
    });
    println!("{} {}", ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
}
