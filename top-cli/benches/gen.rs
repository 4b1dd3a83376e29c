//! `top gen` on pages of 1,000, 10,000 and 100,000 fields: the time grows with the page,
//! not with its square. Each page is half request rows, half answer fields nested under one
//! object, every field shown in the XML example (as `scripts/big-page.py` writes them).
//!
//! `cargo bench -p top-cli --bench gen`; figures in BENCHMARKS.md.

use std::fmt::Write as _;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn page(fields: usize) -> String {
    let mut page =
        String::from("taobao.big.page.get (大页面)\n\n大页面\n\n请求参数\n\n名称 类型 是否必须 示例值 更多限制 描述\n");
    for i in 0..fields / 2 {
        let _ = writeln!(page, "p{i} String 可选 x{i} 参数{i}");
    }
    page.push_str("\n响应参数\n\n名称 类型 示例值 描述\nresult Result 结果\n");
    let mut xml = String::from("<big_page_get_response>\n<result>\n");
    for i in 0..fields / 2 {
        let _ = writeln!(page, "  • └ f{i}\n  • String\n  • v{i}\n  • 字段{i}");
        let _ = writeln!(xml, "<f{i}>v{i}</f{i}>");
    }
    xml.push_str("</result>\n</big_page_get_response>\n");
    let _ = write!(page, "\n请求示例\n\nclient.execute(req)\n\n响应示例\n\n{xml}\n异常示例\n");
    page
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("top gen");
    group.sample_size(10);
    for fields in [1_000, 10_000, 100_000] {
        let text = page(fields);
        group.throughput(Throughput::Elements(fields as u64));
        group.bench_with_input(BenchmarkId::from_parameter(fields), &text, |b, text| {
            b.iter(|| top_cli::gen::module(text).unwrap().source.len());
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
