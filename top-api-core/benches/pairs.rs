//! A whole call against its floor, timed in pairs: `runs` calls, then `runs` of the floor
//! (the order swapped from pair to pair), for many pairs, each pair's ratio kept; the
//! median and the spread printed as a table row (BENCHMARKS.md).
//!
//! The `call` benchmark measures a call and its floor seconds apart, and on a shared
//! machine whose speed drifts from second to second their ratio drifts with it (rounds of
//! one binary an hour apart differ by a quarter). The two halves of a pair are a
//! millisecond apart and see the same machine; the median of many pairs' ratios is the
//! steadier reading of the same question: what a call costs over the least its work
//! needs.
//!
//! The call and the floor are the `call` benchmark's: a call of each seed API through a
//! client answering from memory (MD5, JSON, a session), and the digest of its string to
//! sign with `serde_json::from_slice` of the bare payload into the same type.
//!
//! `cargo bench -p top-api-core --bench pairs` (`-- --pairs P --runs N` to change the
//! 1,000 pairs of 100 runs).

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use top_api::{Client, Request, SignMethod};

use common::*;

/// The value after `flag` on the command line, or `default`.
fn arg(flag: &str, default: usize) -> usize {
    std::env::args().skip_while(|a| a != flag).nth(1).and_then(|n| n.parse().ok()).unwrap_or(default)
}

fn pairs<R: Request>(name: &str, method: &str, request: R, pairs: usize, runs: usize)
where
    R::Response: serde::Serialize + DeserializeOwned,
{
    let answer = fixture(method, "ok.json");
    let client = Client::builder("12345678", SECRET)
        .sign_method(SignMethod::Md5)
        .transport(Canned(answer.clone()))
        .build()
        .unwrap();
    let session = client.with_session("session-token");
    let floor = Floor::new(&client, &request, method, SECRET);

    let call = || {
        black_box(session.execute(black_box(&request)).unwrap());
    };
    let floor = || {
        black_box(floor.run());
    };
    let time = |run: &dyn Fn()| -> Duration {
        let start = Instant::now();
        for _ in 0..runs {
            run();
        }
        start.elapsed()
    };
    // Warmed up as the pairs are run.
    for _ in 0..pairs / 10 {
        time(&call);
        time(&floor);
    }
    let mut ratios: Vec<f64> = (0..pairs)
        .map(|pair| {
            let (call, floor) = if pair % 2 == 0 {
                let call = time(&call);
                (call, time(&floor))
            } else {
                let floor = time(&floor);
                (time(&call), floor)
            };
            call.as_secs_f64() / floor.as_secs_f64()
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |quantile: f64| ratios[((ratios.len() - 1) as f64 * quantile).round() as usize];
    println!("| `{name}` | {:.3} | {:.3}–{:.3} | {:.3}–{:.3} |", at(0.5), at(0.25), at(0.75), at(0.05), at(0.95));
}

fn main() {
    // `cargo bench` hands a harness-less bench `--bench`; the list it asks for is empty.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let (count, runs) = (arg("--pairs", 1000).max(1), arg("--runs", 100).max(1));
    println!("{count} pairs of {runs} calls and {runs} floors, each pair's call time / floor time:\n");
    println!("| call | median | quartiles | 5th–95th percentile |");
    println!("|---|---|---|---|");
    pairs("loan", "alibaba.idle.interact.loan.user.query", loan_query(), count, runs);
    pairs("author", "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo", author_query(), count, runs);
    pairs("deposit", "taobao.baodian.deposit.get", deposit_query(), count, runs);
}
