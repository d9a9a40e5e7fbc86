# The two commands a newcomer needs: `make serve` and `make test`.
HOST ?= 127.0.0.1
PORT ?= 8000
APP ?= demo

.PHONY: deps test-deps build serve test check-layout clean bench deb check-deb fuzz fuzz-smoke soak bench-bodies docs tsan

deps:
	@scripts/install-deps.sh

# Programs the integration tests drive (systemd-socket-activate, nginx).
test-deps:
	@scripts/install-test-deps.sh

build: deps
	swift build -c release --product gateway

serve: build
	.build/release/gateway serve --host $(HOST) --port $(PORT) --app $(APP)

# `build` first: the stop tests run the release `gateway`, the program users run (#20).
# The servers' log lines go to .build/test-server.log, shown on failure
# (VERBOSE=1 make test: everything on the terminal).
test: build test-deps check-layout
	scripts/test-output.py .build/test-server.log -- swift test

# The event, socket and conformance suites under the thread sanitizer, from a
# build of their own in .build-tsan; fails on a sanitizer report as on a failed
# test. Slow (the build alone takes minutes), so not part of CI (issue #24).
tsan: deps
	scripts/tsan.sh

# Each file under Sources named after the type it holds (issue #15).
check-layout:
	@scripts/check-layout.sh

clean:
	rm -rf .build .build-deb .build-fuzz .build-tsan

# DocC for each library product, into .build/docs/<Module>.doccarchive; fails on any
# DocC warning, and on a public declaration without a doc comment in the modules listed.
DOC_TARGETS = Gateway GatewayEvent GatewaySocket GatewayMiddleware GatewayTesting GatewayServiceLifecycle GatewayProbe GatewayCommand
DOC_COMMENTED = Gateway GatewayHTTP GatewayEvent GatewaySocket GatewayMiddleware GatewayTesting GatewayServiceLifecycle GatewayProbe GatewayCommand
docs: deps
	scripts/check-doc-comments.py $(addprefix Sources/,$(DOC_COMMENTED))
	mkdir -p .build/docs
	for target in $(DOC_TARGETS); do \
		rm -rf .build/docs/$$target.doccarchive; \
		swift package --allow-writing-to-directory .build/docs generate-documentation --target $$target \
			--output-path .build/docs/$$target.doccarchive --warnings-as-errors || exit 1; \
	done

# eventgateway_<version>_amd64.deb: release build, Swift stdlib linked statically.
deb: deps
	scripts/build-deb.sh

# Builds, installs, runs and purges the package (CI runs it; needs root).
check-deb:
	scripts/check-deb.sh

# Issue #14: every figure beside the C evhttp server's of the same run and the
# previous run's (ROUNDS=5, DURATION=5s, CORES=1, ...: see bench/bench.py).
.PHONY: bench bench-quick bench-async
bench:
	bench/run

# A smoke test of the whole benchmark (a minute or two); writes to bench/out/quick,
# not to docs/ or bench/results/.
bench-quick:
	ROUNDS=1 OTHER_ROUNDS=1 DURATION=1s WARMUP=1s IDLE_CONNECTIONS=1000 REQUESTS=300 \
	RESULTS_DIR=bench/out/quick DOCS_DIR=bench/out/quick bench/run

# Issue #23: /async/sleep inline against Hummingbird 2 and sync --threads 64, and RSS per
# request with 10,000 held (bench/async.py; writes bench/out/async.json and async.md).
bench-async:
	bench/run-async

# libFuzzer over the shared request parser, FUZZ_SECONDS (default 60) long.
fuzz:
	scripts/fuzz.sh

# CI's short run of the same (its build under a minute, then 15 s), so that
# the fuzz target, its build and the parser's promises cannot rot unnoticed.
fuzz-smoke:
	FUZZ_SECONDS=15 scripts/fuzz.sh

# Issue #11: ~1,000,000 keep-alive requests through the pool, RSS growth and errors.
soak: build
	scripts/soak.py

# Issue #11: body memory with 100 connections holding 59 of 60 MB, and 50 x 10 MB uploads.
bench-bodies: build
	scripts/bench-body-memory.py held
	scripts/bench-body-memory.py held -- --max-spooled-body-bytes 8000000000
	scripts/bench-body-memory.py uploads -- --threads 4 --max-pending 64
	scripts/bench-body-memory.py uploads -- --threads 4
