# The two commands a newcomer needs: `make dev` runs the platform, `make test` passes the tests.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
UV := uv

.PHONY: install dev test test-fast bench lint contracts clean

install:
	@scripts/ensure-uv.sh
	@$(UV) sync --frozen --quiet

dev: install  ## embedded broker + every service + demo data; prints the URLs
	@$(UV) run --frozen civic dev

test: install  ## the whole suite, on the embedded broker, SQLite and PostgreSQL
	@scripts/ensure-test-system-deps.sh
	@$(UV) run --frozen pytest

test-fast: install  ## everything except tests that need the broker or a browser
	@$(UV) run --frozen pytest -m "not broker and not browser"

bench: install  ## throughput and latency benchmarks, printed against baselines
	@$(UV) run --frozen python -m benchmarks

lint: install
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen mypy shared/src/civic $(wildcard services/*/src)

contracts: install  ## regenerate JSON Schemas and the AsyncAPI document
	@$(UV) run --frozen civic contracts export

clean:
	rm -rf var .pytest_cache test-artifacts
