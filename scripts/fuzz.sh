#!/usr/bin/env bash
# Builds the libFuzzer target over the shared request parser (GatewayHTTP)
# with AddressSanitizer and runs it for FUZZ_SECONDS (default 60), seeded
# with Fuzz/corpus. A crash is written to Fuzz/crashes/ and fails the run:
# turn each into a regression test in Tests/GatewayHTTPTests.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
out=.build-fuzz
mkdir -p "$out" Fuzz/crashes
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -package-name EventGateway)
swiftc "${flags[@]}" -emit-module -emit-library -static -module-name Gateway \
  -emit-module-path "$out/Gateway.swiftmodule" -o "$out/libGateway.a" Sources/Gateway/*.swift
swiftc "${flags[@]}" -emit-module -emit-library -static -module-name GatewayHTTP -I "$out" \
  -emit-module-path "$out/GatewayHTTP.swiftmodule" -o "$out/libGatewayHTTP.a" Sources/GatewayHTTP/*.swift
swiftc "${flags[@]}" -I "$out" -L "$out" -lGatewayHTTP -lGateway -o "$out/fuzz-request-parser" Fuzz/FuzzRequestParser.swift
work=$(mktemp -d)
cp Fuzz/corpus/* "$work"/
"$out/fuzz-request-parser" -max_total_time="$seconds" -max_len=8192 -artifact_prefix=Fuzz/crashes/ \
  -print_final_stats=1 "$work" Fuzz/corpus 2>&1 | tail -25
rm -rf "$work"
