#!/usr/bin/env bash
# What the generated APIs cost to build: clean build times of `top-api` with no API
# feature, with `tbk`, with the biggest package (`wdk`) and with everything; rustc's peak
# memory for each generated crate with all its features; the size of the generated source
# and of each packaged crate. Prints the tables of BENCHMARKS.md.
#
#   bash scripts/apis-cost.sh            # all of it (about 25 minutes on 2 cores)
#   SKIP_CLEAN=1 bash scripts/apis-cost.sh   # memory and sizes only
#   SKIP_CLEAN=1 SIZES_ONLY=1 bash scripts/apis-cost.sh   # sizes only
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mb() { python3 -c "print(f'{$1 / 1048576:.2f} MiB')"; }

# The size of the `.crate` of a generated crate: the gzipped tarball of the files `cargo
# package` would pack (it cannot pack them itself before `top-api-core` is on crates.io).
crate_size() {
    local files
    files=$(cd "$1" && cargo package --list --allow-dirty 2>/dev/null | grep -v -e '^Cargo.lock$' -e '^.cargo_vcs_info.json$' -e '^Cargo.toml.orig$')
    mb "$(cd "$1" && tar -czf - $files | wc -c)"
}

seconds() { # the wall-clock seconds of a command, from GNU time
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1
    cut -d' ' -f1 "$work/time"
}

if [ -z "${SKIP_CLEAN:-}" ]; then
    echo "| build of \`top-api\` (dev profile, every dependency from scratch) | seconds | ratio to no feature |"
    echo "|---|---|---|"
    base=""
    for features in "" tbk wdk full; do
        target="$work/clean-${features:-none}"
        args=(cargo build -p top-api --quiet)
        [ -n "$features" ] && args+=(--features "$features")
        secs=$(CARGO_TARGET_DIR="$target" seconds "${args[@]}")
        rm -rf "$target"
        [ -z "$base" ] && base=$secs
        ratio=$(python3 -c "print(f'{$secs / $base:.2f}')")
        echo "| ${features:-no API feature} | $secs | $ratio |"
    done
    echo
fi

# Each generated crate alone, its dependencies built first, so that the peak is its own rustc.
target="$work/memory"
if [ -n "${SIZES_ONLY:-}" ]; then
    for dir in $(ls -d apis/top-api-apis-* | sort -t- -k4 -n); do
        echo "| $(basename "$dir") | $(mb "$(cat "$dir"/src/*.rs | wc -c)") | $(crate_size "$dir") |"
    done
    echo "generated source in all: $(mb "$(cat apis/*/src/*.rs | wc -c)") ($(cat apis/*/src/*.rs | wc -l) lines)"
    exit 0
fi
CARGO_TARGET_DIR="$target" cargo build -p top-api-core --quiet
echo "| generated crate | packages | APIs | source | rustc peak, \`cargo check\` | rustc peak, \`cargo build\` | build seconds | \`.crate\` |"
echo "|---|---|---|---|---|---|---|---|"
for dir in $(ls -d apis/top-api-apis-* | sort -t- -k4 -n); do
    name=$(basename "$dir")
    packages=$(ls "$dir/src" | grep -vc '^lib.rs$')
    apis=$(grep -ho '^pub mod [a-z0-9_]* {' "$dir"/src/*.rs | grep -vc '^pub mod types {')
    source=$(cat "$dir"/src/*.rs | wc -c)
    CARGO_TARGET_DIR="$target" /usr/bin/time -f '%e %M' -o "$work/time" cargo check -p "$name" --all-features --quiet
    check_mb=$(( $(cut -d' ' -f2 "$work/time") / 1024 ))
    CARGO_TARGET_DIR="$target" /usr/bin/time -f '%e %M' -o "$work/time" cargo build -p "$name" --all-features --quiet
    build_mb=$(( $(cut -d' ' -f2 "$work/time") / 1024 ))
    build_s=$(cut -d' ' -f1 "$work/time")
    echo "| $name | $packages | $apis | $(mb "$source") | $check_mb MiB | $build_mb MiB | $build_s | $(crate_size "$dir") |"
done
echo
echo "generated source in all: $(mb "$(cat apis/*/src/*.rs | wc -c)") ($(cat apis/*/src/*.rs | wc -l) lines)"
