#!/usr/bin/env bash
# Builds the libFuzzer target over the shared request parser (GatewayHTTP),
# Fuzz/FuzzRequestParser.swift, with AddressSanitizer and runs it for
# FUZZ_SECONDS (default 60), seeded with a copy of Fuzz/corpus; extra
# arguments go to libFuzzer (`scripts/fuzz.sh -seed=1`). A crash is written
# to Fuzz/crashes/ and fails the run: replay it with
# `SWIFT_BACKTRACE=enable=no .build-fuzz/release/FuzzRequestParser FILE`,
# then turn it into a regression test in Tests/GatewayHTTPTests.
#
# Built by SwiftPM, as the package's `FuzzRequestParser` target, not by
# swiftc over a list of files: GatewayHTTP is the server kit and keeps gaining
# files and dependencies (swift-log already), and only the package manifest
# knows them all. `--sanitize fuzzer` has SwiftPM compile the target as a
# library and link libFuzzer's main; the `-Xswiftc -sanitize=fuzzer,address`
# beside it is needed as well: SwiftPM passes each sanitizer as its own
# `-sanitize=`, in no fixed order, and the driver hands the compiler only the
# last, so the modules came out with ASan but no coverage (or the reverse).
# The run below fails unless libFuzzer sees coverage counters. Its own scratch
# path, so the instrumented build never mixes with `swift build`'s.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
scratch=.build-fuzz
build=(swift build -c release --scratch-path "$scratch"
  --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address)
"${build[@]}" --product FuzzRequestParser
binary="$("${build[@]}" --show-bin-path)/FuzzRequestParser"

# Fuzz/crashes keeps a .gitignore (Package.swift excludes the folder from the target).
work="$scratch/corpus"
rm -rf "$work"
mkdir -p "$work" Fuzz/crashes
cp Fuzz/corpus/* "$work"/
log="$scratch/fuzz.log"
# Swift's own backtracer would hold the process (and this script) on a
# crash; libFuzzer and ASan report it instead.
status=0
SWIFT_BACKTRACE=enable=no "$binary" -max_total_time="$seconds" -max_len=8192 -artifact_prefix=Fuzz/crashes/ \
  -print_final_stats=1 "$@" "$work" >"$log" 2>&1 || status=$?
if ((status != 0)); then
  grep -m1 -E 'Fatal error|ERROR: AddressSanitizer' "$log" || true
  tail -15 "$log"
  echo "fuzz: failed ($status); full output in $log, the input in Fuzz/crashes/" >&2
  exit "$status"
fi
if ! grep -q 'inline 8-bit counters' "$log"; then
  echo "fuzz: the target was built without coverage instrumentation; see $log" >&2
  exit 1
fi
grep -E '^(Done|stat::)' "$log"
