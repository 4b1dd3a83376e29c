//! Allocations and bytes per call, counted by a global allocator: building and signing
//! params, decoding each answer form, and whole calls through an in-memory transport.
//!
//! `cargo bench -p top-api-core --bench allocations` prints a table (BENCHMARKS.md has the last
//! one). With `-- --loop N [--api loan|author|deposit]` it makes N whole calls and prints
//! nothing, as a driver for a profiler:
//! `valgrind --tool=callgrind target/release/deps/allocations-* --loop 20000`; with
//! `-- --decode-loop N [--xml]` it decodes one JSON (or XML) answer N times; with
//! `-- --floor-loop N [--api …]` it runs the call's floor N times (the digest of the string
//! to sign and `serde_json::from_slice` of the bare payload, as the `call` benchmark's floor).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::de::DeserializeOwned;
use top_api::apis;
use top_api::{Client, Format, Request, SignMethod};

use common::*;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const RUNS: usize = 1000;

/// Allocations and bytes per run of `f`, averaged over `RUNS` after a warm-up.
fn count(mut f: impl FnMut()) -> (f64, f64) {
    f();
    let (a, b) = (ALLOCATIONS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed));
    for _ in 0..RUNS {
        f();
    }
    let runs = RUNS as f64;
    ((ALLOCATIONS.load(Ordering::Relaxed) - a) as f64 / runs, (BYTES.load(Ordering::Relaxed) - b) as f64 / runs)
}

fn row(name: &str, (allocations, bytes): (f64, f64)) {
    println!("| `{name}` | {allocations:.1} | {bytes:.0} |");
}

fn client(answer: Vec<u8>, method: SignMethod) -> Client {
    Client::builder("12345678", "bench-secret").sign_method(method).transport(Canned(answer)).build().unwrap()
}

fn decode_rows<R: Request>(name: &str, method: &str, example: &str)
where
    R::Response: DeserializeOwned,
{
    for (form, body, format) in [
        ("json", fixture(method, "ok.json"), Format::Json),
        ("simplify", fixture(method, "ok.simplify.json"), Format::Json),
        ("xml", xml(example), Format::Xml),
    ] {
        row(
            &format!("decode/{name}/{form}"),
            count(|| {
                let answer = match form {
                    "simplify" => top_api::decode_simplified::<R>(black_box(&body)),
                    _ => top_api::decode::<R>(black_box(&body), format),
                };
                black_box(answer.unwrap());
            }),
        );
    }
}

fn call_row<R: Request>(name: &str, method: &str, request: R) {
    let client = client(fixture(method, "ok.json"), SignMethod::Md5);
    let session = client.with_session("session-token");
    row(
        &format!("call/{name}"),
        count(|| {
            black_box(session.execute(black_box(&request)).unwrap());
        }),
    );
}

/// `n` whole calls of one API with a session, as the `call` benchmark makes them, for a
/// profiler.
fn call_loop<R: Request>(n: usize, method: &str, request: impl Fn() -> R) {
    let client = client(fixture(method, "ok.json"), SignMethod::Md5);
    let session = client.with_session("session-token");
    let request = request();
    for _ in 0..n {
        black_box(session.execute(black_box(&request)).unwrap());
    }
}

/// `n` runs of a call's floor, as the `call` benchmark's: the digest of the string to sign
/// and `serde_json::from_slice` of the bare payload into the same type.
fn floor_loop<R: Request>(n: usize, method: &str, request: R)
where
    R::Response: serde::Serialize,
{
    let floor = Floor::new(&client(Vec::new(), SignMethod::Md5), &request, method, "bench-secret");
    for _ in 0..n {
        black_box(floor.run());
    }
}

fn main() {
    let mut decodes = std::env::args().skip_while(|a| a != "--decode-loop");
    if decodes.next().is_some() {
        let n: usize = decodes.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
        let format = if std::env::args().any(|a| a == "--xml") { Format::Xml } else { Format::Json };
        let body = match format {
            Format::Xml => xml(apis::alibaba_idle_interact_loan_user_query::EXAMPLE_XML),
            _ => fixture("alibaba.idle.interact.loan.user.query", "ok.json"),
        };
        for _ in 0..n {
            black_box(top_api::decode::<apis::AlibabaIdleInteractLoanUserQuery>(black_box(&body), format).unwrap());
        }
        return;
    }
    let api = std::env::args().skip_while(|a| a != "--api").nth(1).unwrap_or_else(|| "loan".to_owned());
    let mut floors = std::env::args().skip_while(|a| a != "--floor-loop");
    if floors.next().is_some() {
        let n: usize = floors.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
        match api.as_str() {
            "author" => floor_loop(n, "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo", author_query()),
            "deposit" => floor_loop(n, "taobao.baodian.deposit.get", deposit_query()),
            _ => floor_loop(n, "alibaba.idle.interact.loan.user.query", loan_query()),
        }
        return;
    }
    let mut args = std::env::args().skip_while(|a| a != "--loop");
    if args.next().is_some() {
        let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
        match api.as_str() {
            "author" => call_loop(n, "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo", author_query),
            "deposit" => call_loop(n, "taobao.baodian.deposit.get", deposit_query),
            _ => call_loop(n, "alibaba.idle.interact.loan.user.query", loan_query),
        }
        return;
    }
    println!("| measure | allocations per call | bytes per call |");
    println!("|---|---|---|");
    for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let client = client(Vec::new(), method);
        let request = author_query();
        row(
            &format!("params/{method}"),
            count(|| {
                black_box(client.wire_params(black_box(&request), Some("session-token")).unwrap());
            }),
        );
    }
    decode_rows::<apis::AlibabaIdleInteractLoanUserQuery>(
        "loan",
        "alibaba.idle.interact.loan.user.query",
        apis::alibaba_idle_interact_loan_user_query::EXAMPLE_XML,
    );
    decode_rows::<apis::AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(
        "author",
        "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo",
        apis::alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::EXAMPLE_XML,
    );
    decode_rows::<apis::TaobaoBaodianDepositGet>(
        "deposit",
        "taobao.baodian.deposit.get",
        apis::taobao_baodian_deposit_get::EXAMPLE_XML,
    );
    call_row("loan", "alibaba.idle.interact.loan.user.query", loan_query());
    call_row("author", "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo", author_query());
    call_row("deposit", "taobao.baodian.deposit.get", deposit_query());
}
