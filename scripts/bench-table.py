#!/usr/bin/env python3
"""Prints the criterion results under target/criterion as a table: each measure, its floor,
and their ratio. Run after `cargo bench -p top-api-core --bench call` (or any bench whose groups
hold a `top-api` and a `floor` function)."""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")


def mean_ns(path):
    estimates = json.loads((path / "new" / "estimates.json").read_text())
    return estimates["mean"]["point_estimate"]


def show(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


rows = []
for benchmark in sorted(root.glob("*/top-api/new/benchmark.json")):
    info = json.loads(benchmark.read_text())
    ours_dir = benchmark.parent.parent
    floor = ours_dir.parent / "floor"
    if not (floor / "new" / "estimates.json").exists():
        continue
    rows.append((info["group_id"], mean_ns(ours_dir), mean_ns(floor)))

print("| measure | top-api | floor | ratio |")
print("|---|---|---|---|")
for name, ours, base in rows:
    print(f"| `{name}` | {show(ours)} | {show(base)} | {ours / base:.2f}× |")
