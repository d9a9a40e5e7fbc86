# The two commands a newcomer needs: `make serve` and `make test`.
HOST ?= 127.0.0.1
PORT ?= 8000
APP ?= demo

.PHONY: deps test-deps build serve test clean bench deb check-deb fuzz

deps:
	@scripts/install-deps.sh

# Programs the integration tests drive (systemd-socket-activate, nginx).
test-deps:
	@scripts/install-test-deps.sh

build: deps
	swift build -c release --product gateway

serve: build
	.build/release/gateway serve --host $(HOST) --port $(PORT) --app $(APP)

test: deps test-deps
	swift test

clean:
	rm -rf .build .build-deb

# eventgateway_<version>_amd64.deb: release build, Swift stdlib linked statically.
deb: deps
	scripts/build-deb.sh

# Builds, installs, runs and purges the package (CI runs it; needs root).
check-deb:
	scripts/check-deb.sh

.PHONY: bench
bench:
	bench/run

# libFuzzer over the shared request parser, FUZZ_SECONDS (default 60) long.
fuzz:
	scripts/fuzz.sh
