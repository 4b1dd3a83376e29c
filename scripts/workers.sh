#!/usr/bin/env bash
# Aggregate calls a second of 1, 2 and 4 worker processes (2 threads each) against one
# `top sandbox`, with no limit, and with a limit shared through Redis that they never wait
# for: `bash scripts/workers.sh [SECONDS]`. Needs redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
cargo build --release -q -p top-cli -p top-api-tests --bins
sandbox_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/release/top sandbox --port "$sandbox_port" >/dev/null &
sandbox=$!
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
redis=$!
trap 'kill $sandbox $redis 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$sandbox_port") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break
    sleep 0.1
done
gateway="http://127.0.0.1:$sandbox_port/router/rest"
echo "| processes × 2 threads | limit | calls a second | failed |"
echo "|---|---|---|---|"
for limit in none shared; do
    for processes in 1 2 4; do
        extra=()
        if [ "$limit" = shared ]; then extra=("redis://127.0.0.1:$redis_port/0" 1000000000 1000000); fi
        total=0
        lost=0
        pids=()
        outs=()
        for p in $(seq "$processes"); do
            out=$(mktemp)
            outs+=("$out")
            target/release/shared-worker "$gateway" 12345678 sandbox-secret 2 "$seconds" "${extra[@]}" >"$out" &
            pids+=($!)
        done
        wait "${pids[@]}"
        for out in "${outs[@]}"; do
            read -r ok failed <"$out"
            rm -f "$out"
            total=$((total + ok))
            lost=$((lost + failed))
        done
        echo "| $processes | $limit | $(python3 -c "print(round($total / $seconds))") | $lost |"
    done
done
