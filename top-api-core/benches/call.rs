//! Per-call CPU, each measure paired in the same run with its floor:
//! - `params/<sign method>`: building and signing one call's params, vs `floor`: the bare
//!   digest of the same string to sign;
//! - `decode/<api>/<form>`: decoding an answer into its type, vs `floor`:
//!   `serde_json::from_slice` of the bare payload into the same type;
//! - `call/<api>`: a whole call through an in-memory transport (encode, sign, send, decode),
//!   vs the sum of its floors (digest + bare decode).
//!
//! `cargo bench -p top-api-core --bench call`; the figures are in BENCHMARKS.md.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use serde::de::DeserializeOwned;
use top_api::apis;
use top_api::{sign, Client, Format, Request, SignMethod};

use common::*;

const SECRET: &str = "bench-secret-0123456789";

fn client(answer: Vec<u8>, method: SignMethod, format: Format) -> Client {
    Client::builder("12345678", SECRET).sign_method(method).format(format).transport(Canned(answer)).build().unwrap()
}

/// The string a call of `request` signs, as the client builds it.
fn string_to_sign<R: Request>(client: &Client, request: &R) -> String {
    let params = client.wire_params(request, Some("session-token")).unwrap();
    sign::string_to_sign(params.iter().filter(|(n, _)| *n != "sign"), "")
}

fn params(c: &mut Criterion) {
    for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let mut group = c.benchmark_group(format!("params/{method}"));
        let client = client(Vec::new(), method, Format::Json);
        let request = author_query();
        group.bench_function("top-api", |b| {
            b.iter(|| client.wire_params(black_box(&request), Some("session-token")).unwrap())
        });
        let text = string_to_sign(&client, &request);
        group.bench_function("floor", |b| b.iter(|| sign::sign_string(black_box(&text), SECRET, method)));
        group.finish();
    }
}

fn decode_pair<R: Request>(c: &mut Criterion, name: &str, method: &str, xml_example: &str)
where
    R::Response: serde::Serialize + DeserializeOwned,
{
    let bare =
        serde_json::to_vec(&top_api::decode::<R>(&fixture(method, "ok.json"), Format::Json).unwrap().into_inner())
            .unwrap();
    let forms = [
        ("json", fixture(method, "ok.json"), Format::Json),
        ("simplify", fixture(method, "ok.simplify.json"), Format::Json),
        ("xml", xml(xml_example), Format::Xml),
    ];
    for (form, body, format) in forms {
        let mut group = c.benchmark_group(format!("decode/{name}/{form}"));
        // A simplified answer has no envelope: it is read by its own door.
        let simplified = form == "simplify";
        group.bench_function("top-api", |b| {
            b.iter(|| {
                if simplified {
                    top_api::decode_simplified::<R>(black_box(&body)).unwrap()
                } else {
                    top_api::decode::<R>(black_box(&body), format).unwrap()
                }
            })
        });
        group.bench_function("floor", |b| b.iter(|| serde_json::from_slice::<R::Response>(black_box(&bare)).unwrap()));
        // A second floor for XML: quick-xml's own deserializer on the same document, for
        // the answers it can read unaided (no list wrappers).
        if format == Format::Xml {
            let text = std::str::from_utf8(&body).unwrap();
            if quick_xml::de::from_str::<R::Response>(text).is_ok() {
                group.bench_function("quick-xml", |b| {
                    b.iter(|| quick_xml::de::from_str::<R::Response>(black_box(text)).unwrap())
                });
            }
        }
        group.finish();
    }
}

fn decode(c: &mut Criterion) {
    decode_pair::<apis::AlibabaIdleInteractLoanUserQuery>(
        c,
        "loan",
        "alibaba.idle.interact.loan.user.query",
        apis::alibaba_idle_interact_loan_user_query::EXAMPLE_XML,
    );
    decode_pair::<apis::AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(
        c,
        "author",
        "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo",
        apis::alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::EXAMPLE_XML,
    );
    decode_pair::<apis::TaobaoBaodianDepositGet>(
        c,
        "deposit",
        "taobao.baodian.deposit.get",
        apis::taobao_baodian_deposit_get::EXAMPLE_XML,
    );
}

fn call_pair<R: Request + Clone>(c: &mut Criterion, name: &str, method: &str, request: R)
where
    R::Response: serde::Serialize + DeserializeOwned,
{
    let answer = fixture(method, "ok.json");
    let client = client(answer.clone(), SignMethod::Md5, Format::Json);
    let session = client.with_session("session-token");
    let text = string_to_sign(&client, &request);
    let bare = serde_json::to_vec(&top_api::decode::<R>(&answer, Format::Json).unwrap().into_inner()).unwrap();
    let mut group = c.benchmark_group(format!("call/{name}"));
    group.bench_function("top-api", |b| b.iter(|| session.execute(black_box(&request)).unwrap()));
    group.bench_function("floor", |b| {
        b.iter(|| {
            let sign = sign::sign_string(black_box(&text), SECRET, SignMethod::Md5);
            (sign, serde_json::from_slice::<R::Response>(black_box(&bare)).unwrap())
        })
    });
    group.finish();
}

fn call(c: &mut Criterion) {
    call_pair(c, "loan", "alibaba.idle.interact.loan.user.query", loan_query());
    call_pair(c, "author", "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo", author_query());
    call_pair(c, "deposit", "taobao.baodian.deposit.get", deposit_query());
}

criterion_group!(benches, params, decode, call);
criterion_main!(benches);
