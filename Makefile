# The two commands a newcomer needs: `make serve` and `make test`.
HOST ?= 127.0.0.1
PORT ?= 8000
APP ?= demo

.PHONY: deps build serve test clean bench fuzz

deps:
	@scripts/install-deps.sh

build: deps
	swift build -c release --product gateway

serve: build
	.build/release/gateway serve --host $(HOST) --port $(PORT) --app $(APP)

test: deps
	swift test

clean:
	rm -rf .build

.PHONY: bench
bench:
	bench/run

# libFuzzer over the shared request parser, FUZZ_SECONDS (default 60) long.
fuzz:
	scripts/fuzz.sh
