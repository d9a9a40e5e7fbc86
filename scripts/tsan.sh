#!/usr/bin/env bash
# The event, socket and conformance suites under the thread sanitizer
# (issue #24): a debug build with `--sanitize=thread` in its own scratch
# path (.build-tsan, so it never mixes with `swift build`'s), then those
# three test targets. The `gateway serve` processes the tests start are the
# sanitized build too. TSan writes its reports to .build-tsan/tsan-reports/
# (log_path, one file per process, the test runner's and every server's),
# and the run fails if there is any, printing them, as it fails on a failed
# test. Slow (about seven minutes on two cores, half of it building), so
# not part of CI. Extra arguments go to `swift test` in place of the
# suites' filter (`scripts/tsan.sh --filter OverloadTests`).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-tsan
swift build --build-tests --sanitize=thread --scratch-path "$scratch"

reports="$PWD/$scratch/tsan-reports"
rm -rf "$reports"
mkdir -p "$reports"
filter=(--filter '^(GatewayEventTests|GatewaySocketTests|ConformanceTests)\.')
if [ "$#" -gt 0 ]; then filter=("$@"); fi
status=0
TSAN_OPTIONS="log_path=$reports/report ${TSAN_OPTIONS:-}" \
  swift test --skip-build --sanitize=thread --scratch-path "$scratch" "${filter[@]}" || status=$?

if compgen -G "$reports/report*" >/dev/null; then
  cat "$reports"/report*
  echo "tsan: $(cat "$reports"/report* | grep -c '^WARNING: ThreadSanitizer') sanitizer warning(s)," \
    "in $reports" >&2
  exit 1
fi
[ "$status" -eq 0 ] && echo "tsan: no sanitizer warning" >&2
exit "$status"
