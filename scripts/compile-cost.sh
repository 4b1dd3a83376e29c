#!/usr/bin/env bash
# Compile cost of the attribute: generates a crate of 200 APIs declared with #[top_api] and
# the same 200 with hand-written trait impls, builds each from clean (dependencies built
# once beforehand, in the same target folder), and times it; then times a clean build of
# top-api-macros. Prints a table for BENCHMARKS.md.
#
#   bash scripts/compile-cost.sh [runs]   (default 3 runs each; the median is reported)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$repo" <<'PY'
import pathlib, sys
work, repo = pathlib.Path(sys.argv[1]), sys.argv[2]
N = 200
(work / "Cargo.toml").write_text('[workspace]\nresolver = "2"\nmembers = ["attr", "hand"]\n')
for name in ["attr", "hand"]:
    crate = work / name
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(f'''[package]
name = "gen-{name}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
top-api = {{ path = "{repo}/top-api" }}
serde = {{ version = "1", features = ["derive"] }}
''')

def response(i):
    return f'''
#[derive(Debug, serde::Deserialize)]
pub struct Api{i}Response {{
    pub items: Vec<Item{i}>,
    pub total: Option<i64>,
}}

#[derive(Debug, serde::Deserialize)]
pub struct Item{i} {{
    pub id: Option<i64>,
    pub title: Option<String>,
}}
'''

attr, hand = ["#![allow(dead_code)]\nuse top_api::top_api;\n"], ["#![allow(dead_code)]\n"]
for i in range(N):
    method = f"taobao.generated{i}.items.get"
    attr.append(response(i) + f'''
#[top_api(method = "{method}", response = Api{i}Response)]
pub struct Api{i} {{
    pub q: String,
    pub page: Option<u32>,
    pub ids: Vec<i64>,
    #[top(rename = "isMall")]
    pub is_mall: bool,
}}
''')
    hand.append(response(i) + f'''
pub struct Api{i} {{
    pub q: String,
    pub page: Option<u32>,
    pub ids: Vec<i64>,
    pub is_mall: bool,
}}

impl top_api::Request for Api{i} {{
    const METHOD: &'static str = "{method}";
    const SESSION: top_api::SessionNeed = top_api::SessionNeed::None;
    const IDEMPOTENT: bool = true;
    type Response = Api{i}Response;

    fn write_params(&self, params: &mut top_api::Params) -> Result<(), top_api::Error> {{
        top_api::Param::push_to(&self.q, "q", params);
        top_api::Param::push_to(&self.page, "page", params);
        top_api::Param::push_to(&self.ids, "ids", params);
        top_api::Param::push_to(&self.is_mall, "isMall", params);
        Ok(())
    }}

    fn from_params(params: &top_api::Params) -> Result<Self, top_api::ParamError> {{
        Ok(Api{i} {{
            q: top_api::Param::read_from(params, "q")?,
            page: top_api::Param::read_from(params, "page")?,
            ids: top_api::Param::read_from(params, "ids")?,
            is_mall: top_api::Param::read_from(params, "isMall")?,
        }})
    }}
}}

impl top_api::WithoutSession for Api{i} {{}}
''')
(work / "attr" / "src" / "lib.rs").write_text("".join(attr))
(work / "hand" / "src" / "lib.rs").write_text("".join(hand))
PY

cd "$work"
export CARGO_TARGET_DIR="$work/target"
cargo build -q -p gen-attr -p gen-hand 2>/dev/null  # dependencies, once

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_build() {  # package, runs
    for _ in $(seq "$2"); do
        cargo clean -q -p "$1"
        start=$(date +%s.%N)
        cargo build -q -p "$1"
        end=$(date +%s.%N)
        echo "$end - $start" | bc
    done | median
}
attr=$(time_build gen-attr "$runs")
hand=$(time_build gen-hand "$runs")

cd "$repo"
macros=$(for _ in $(seq "$runs"); do
    dir=$(mktemp -d)
    start=$(date +%s.%N)
    CARGO_TARGET_DIR="$dir" cargo build -q --release -p top-api-macros
    end=$(date +%s.%N)
    rm -rf "$dir"
    echo "$end - $start" | bc
done | median)

echo "| build (median of $runs) | seconds |"
echo "|---|---|"
echo "| 200 APIs with \`#[top_api]\` | $attr |"
echo "| the same 200, hand-written impls | $hand |"
echo "| ratio | $(echo "scale=2; $attr / $hand" | bc) |"
echo "| \`top-api-macros\` alone, clean, with its dependencies (release) | $macros |"
