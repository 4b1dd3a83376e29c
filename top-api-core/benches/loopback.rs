//! Sequential calls per second against the sandbox over loopback, with connection reuse,
//! vs `floor`: a bare ureq loop posting pre-built, pre-signed bodies to the same server.
//!
//! `cargo bench -p top-api-core --bench loopback`; the figures are in BENCHMARKS.md.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use top_api::sandbox::Sandbox;
use top_api::{Format, SignMethod};

use common::*;

fn loopback(c: &mut Criterion) {
    let sandbox = Sandbox::start().unwrap();
    for (name, format) in [("json", Format::Json), ("xml", Format::Xml)] {
        let client = sandbox.client().format(format).sign_method(SignMethod::Md5).build().unwrap();
        let request = loan_query();
        let mut group = c.benchmark_group(format!("loopback/loan/{name}"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("top-api", |b| b.iter(|| client.execute(black_box(&request)).unwrap()));

        // The same call, built and signed once: its timestamp stays within the gateway's
        // ten minutes for the length of the run.
        let params = client.wire_params(&request, None).unwrap();
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish();
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let url = sandbox.url().to_owned();
        group.bench_function("floor", |b| {
            b.iter(|| {
                let mut answer = agent
                    .post(&url)
                    .header("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
                    .send(black_box(body.as_str()))
                    .unwrap();
                answer.body_mut().read_to_vec().unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, loopback);
criterion_main!(benches);
