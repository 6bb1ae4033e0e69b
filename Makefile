# Two commands set up a fresh machine: `make demo` (the main job) and `make test` (the suite).
# Both create .venv on first use and install the project with its dev extras.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test test-fast lint typecheck bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/python demo/run_demo.py

lint: setup
	$(BIN)/ruff check compiler warehouse_tests benchmarks demo tools

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -n 2 warehouse_tests

# The inner loop: no database server, no parity matrix, no dbt (about a minute on 2 cores).
test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not server and not sqlite and not duckdb and not dbt and not slow" warehouse_tests

# The differential fuzzer on every engine: FUZZ_SECONDS=600 FUZZ_SEED=7 make fuzz
FUZZ_SECONDS ?= 300
FUZZ_SEED ?= $(shell date +%s)
FUZZ_ENGINES ?= duckdb,sqlite,postgres,mariadb
fuzz: setup
	$(BIN)/python warehouse_tests/fuzzing.py --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --engines $(FUZZ_ENGINES)

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run_benchmarks.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist compiler/*.egg-info
