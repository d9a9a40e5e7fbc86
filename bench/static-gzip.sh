#!/usr/bin/env bash
# Compression ratio and throughput of `gateway serve --app static` on a
# 100 KB text file, gzip against identity: server pinned to CPU 0, wrk to
# CPU 1, median of 3 runs each. Needs a release build and wrk:
#   swift build -c release --product gateway && bench/static-gzip.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
BACKEND=${BACKEND:-event}   # event (libevent) or socket
CONNECTIONS=${CONNECTIONS:-50}
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
python3 - "$dir/page.txt" <<'PY'
import random, sys
random.seed(12)
words = "the gateway serves static files compressed with gzip when a client accepts it and plain otherwise".split()
text, size = [], 0
while size < 100_000:
    line = " ".join(random.choice(words) for _ in range(random.randint(6, 14))) + f" {random.randint(0, 10**6)}\n"
    text.append(line); size += len(line)
open(sys.argv[1], "w").write("".join(text)[:100_000])
PY
port=$((20000 + RANDOM % 20000))
taskset -c 0 .build/release/gateway serve --app static --root "$dir" --port "$port" --backend "$BACKEND" 2>/dev/null >/dev/null &
server=$!
sleep 1
url="http://127.0.0.1:$port/page.txt"
plain=$(curl -s --noproxy '*' "$url" | wc -c)
gz=$(curl -s --noproxy '*' -H 'Accept-Encoding: gzip' "$url" | wc -c)
echo "backend: $BACKEND, $CONNECTIONS connections, $DURATION per run"
echo "file: $plain bytes; gzip body: $gz bytes; ratio $(python3 -c "print(f'{$plain/$gz:.2f}')")"
median() { sort -n | sed -n 2p; }
run() {  # $1: label, rest: wrk headers
    local label=$1; shift
    local results=()
    for _ in 1 2 3; do
        results+=("$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "$@" "$url" | awk '/Requests\/sec/ {print $2}')")
    done
    echo "$label: runs ${results[*]} req/s; median $(printf '%s\n' "${results[@]}" | median)"
}
run identity
run gzip -H 'Accept-Encoding: gzip'
