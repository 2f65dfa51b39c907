# Wraparound — two commands on a fresh machine:
#   make demo   install into .venv, create the SQLite database, load the demo, serve it
#   make test   run the test suite (SQLite; DATABASE_URL=postgres://… for PostgreSQL)

VENV := .venv
BIN := $(VENV)/bin
# The first Python 3.11/3.12 on the PATH (pyproject.toml: >=3.11,<3.13).
PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))' 2>/dev/null && { echo $$p; break; }; done)
PYTEST := $(BIN)/python -m pytest
# Measured on a 2-core machine: one process (65 s) beats `-n auto` (127 s), since each
# xdist worker builds its own test database. `make test PYTEST_ARGS="-n auto"` on big machines.
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: venv demo test test-postgres lint e2e schemathesis bench-seed bench bench-quick bench-imports

venv: $(VENV)/.installed

# Reinstalled when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Wraparound needs Python 3.11 or 3.12 (python3.12/python3.11/python3)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: venv
	$(BIN)/wraparound demo --host $(HOST) --port $(PORT)

test: venv
	$(PYTEST) -m "not e2e and not schemathesis" $(PYTEST_ARGS)

test-postgres: venv
	DATABASE_URL=$(PG_URL) $(PYTEST) -m "not e2e and not schemathesis" $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

e2e: venv
	$(PYTEST) -m e2e tests/e2e $(PYTEST_ARGS)

# Schemathesis against the API on a live test server (bounded: SCHEMATHESIS_MAX_EXAMPLES, default 5).
schemathesis: venv
	$(PYTEST) -m schemathesis tests/api $(PYTEST_ARGS)

# The benchmark harness (docs/performance.md): PostgreSQL, database BENCH_URL.
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/wraparound_bench
SCALE ?= 1.0
bench-seed: venv
	DATABASE_URL=$(BENCH_URL) $(BIN)/python -m bench.seed --scale $(SCALE)

bench: venv
	DATABASE_URL=$(BENCH_URL) $(BIN)/python -m bench.run

# A tiny scale, so that the harness cannot rot (CI runs it): well under a minute on a
# quiet machine, a few minutes while other work shares the cores.
bench-quick: venv
	DATABASE_URL=$(BENCH_URL)_quick $(BIN)/python -m bench.seed --scale 0.002
	DATABASE_URL=$(BENCH_URL)_quick $(BIN)/python -m bench.run --runs 3
	$(BIN)/python bench/import_bench.py --rows 1000 --iex-rows 100 --database-url $(BENCH_URL)_imports_quick

# The spreadsheet import's benchmark (docs/imports.md): rows/s of the pipeline beside
# django-import-export's defaults, bulk_create and COPY. MODE=all_or_nothing for that mode.
IMPORT_ROWS ?= 100000
MODE ?= valid_rows
bench-imports: venv
	$(BIN)/python bench/import_bench.py --rows $(IMPORT_ROWS) --iex-rows 5000 --mode $(MODE) \
		--database-url $(BENCH_URL)_imports
