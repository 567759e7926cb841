# Tenure: `make demo` runs the app on http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME ?= $(CURDIR)/.tenure/demo
TEST_HOME := $(CURDIR)/.tenure/test
# Tests talk plain HTTP to their servers; production's HTTPS settings have their own tests.
# One thread per test worker: with two workers on two cores, LightGBM's OpenMP threads spin
# waiting for a core the other worker holds (a demo scoring test took 64 CPU-s with the
# default threads and 35 with one). Each run has a home of its own (named after its target), so
# that a run started beside another never shares its secret key file or its ledger.
TEST_ENV = TENURE_HOME=$(TEST_HOME)/$@ TENURE_HTTPS=0 OMP_NUM_THREADS=1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Every test worker and every `tenure` subprocess a test starts imports Django, scikit-learn,
# LightGBM, Polars and DuckDB: compiling them from source each time cost about 6 CPU-seconds a
# process (measured 10.2 s against 4.4 s to import them). Environments that set
# PYTHONDONTWRITEBYTECODE (CI images often do) get the bytecode cache back here; the caches
# land in __pycache__ folders, which git ignores.
unexport PYTHONDONTWRITEBYTECODE

# pytest-xdist processes, one test database each (test_gw0, test_gw1, …), on the two cores
# the suite is built for. Measured on 2026-12-07 in `make test` on a quiet 2-core machine:
# the shifted-clock and PostgreSQL runs wait on coverage's data files, the database server
# and subprocesses, and take 146 s and 109 s with three workers against 165 s and 114 s
# with two; the SQLite run, whose Spark JVMs and Chromium already use the cores its workers
# leave, takes 343 s with two and 376 s with three. One run each: the same configuration run
# again gave 361 s, 171 s and 138 s, so the spread between runs here is about 15 %.
WORKERS ?= 3
SQLITE_WORKERS ?= 2
PYTEST_ON = $(BIN)/pytest -q -p no:cacheprovider -n $(1) --dist loadgroup
PYTEST := $(call PYTEST_ON,$(WORKERS))
# The coverage floor is the level measured when it was set, in the shifted-clock run (91.65 %
# of 16,357 statements on 2026-12-07; see docs/development.md).
COVERAGE_FLOOR := 91
# The shifted-clock run proves no test reads the machine's date. It leaves out the slow
# end-to-end tests (contract fuzzing, demo-size scoring runs, server starts: all on explicit
# dates) to keep `make test` under ten minutes; CLOCK_MARKS="not browser and not spark" runs
# them too.
CLOCK_SHIFT ?= +400 days
CLOCK_MARKS ?= not browser and not spark and not slow

.PHONY: demo test lint lint-style lint-types lint-layers lint-migrations test-sqlite test-postgres test-browser test-clock test-fast benchmarks screenshots install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --no-compile -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --no-compile -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	TENURE_HOME=$(DEMO_HOME) TENURE_HTTPS=0 $(BIN)/tenure demo

# The checks are independent; `make test` runs them two at a time (mypy alone takes a core).
lint: lint-style lint-types lint-layers lint-migrations

lint-style: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-types: $(VENV)/.installed-test
	$(BIN)/mypy

lint-layers: $(VENV)/.installed-test
	$(BIN)/lint-imports

lint-migrations: $(VENV)/.installed-test
	TENURE_HOME=$(TEST_HOME) $(BIN)/tenure makemigrations --check --dry-run

# Each run is its own target so `make test` shows the SQLite and PostgreSQL runs apart.
# `make test` adds the browser tests to this run (SQLITE_MARKS empty): one pool of workers
# balances them with the rest, instead of a third start-up and a third pair of test
# databases. (The databases are not kept for the next run: a live-server test flushes its
# tables when it ends, the rows the data migrations seeded with them, and pytest-django
# runs those tests last for that reason.)
SQLITE_MARKS ?= not browser
test-sqlite: $(VENV)/.installed-test
	@echo "=== Test suite on SQLite$(if $(SQLITE_MARKS),, with the browser tests in headless Chromium) ==="
	$(TEST_ENV) TENURE_DATABASE_URL= $(call PYTEST_ON,$(SQLITE_WORKERS)) -m "$(SQLITE_MARKS)"

# On PostgreSQL: the tests that use a database (tests/conftest.py leaves out the others), and
# of the slow end-to-end ones those marked `store` (backup and restore through the server).
test-postgres: $(VENV)/.installed-test
	@echo "=== Test suite on PostgreSQL ==="
	$(TEST_ENV) $(BIN)/python scripts/throwaway_postgres.py -- $(PYTEST) \
		-m "not browser and not spark and (not slow or store)" --ignore=tests/insights

test-browser: $(VENV)/.installed-test
	@echo "=== Browser tests in headless Chromium ==="
	$(TEST_ENV) TENURE_DATABASE_URL= $(PYTEST) -m browser

# Coverage is measured here: this run executes every test but the slow end-to-end ones, and
# tracing them a second time would cost more than the lines they alone reach.
test-clock: $(VENV)/.installed-test
	@echo "=== Test suite on SQLite under a shifted clock (faketime '$(CLOCK_SHIFT)'), with coverage ==="
	$(TEST_ENV) TENURE_DATABASE_URL= faketime '$(CLOCK_SHIFT)' $(PYTEST) -m "$(CLOCK_MARKS)" \
		--cov=tenure --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)

# The edit-test loop: SQLite, no browser, no Spark, no slow end-to-end tests, in parallel.
test-fast: $(VENV)/.installed-test
	$(TEST_ENV) TENURE_DATABASE_URL= $(PYTEST) -m "not browser and not spark and not slow"

# The static checks run beside the SQLite run rather than before it: measured on 2026-12-07
# on a quiet 2-core machine, the SQLite run took 355 s alone and 359 s with the checks beside
# it (mypy alone holds a core for about 40 s). The pytest runs themselves go one after the
# other: run side by side they took longer than in turn (the shifted-clock and PostgreSQL
# runs together 300 s against 157 s and 135 s; the SQLite run 583 s beside the PostgreSQL
# run). Each target's output is printed whole when it ends; a failed check still fails
# `make test`, once the SQLite run has finished.
test: $(VENV)/.installed-test
	bash scripts/system-deps.sh
	$(MAKE) --no-print-directory -j3 --output-sync=target test-sqlite lint SQLITE_MARKS=
	$(MAKE) --no-print-directory test-clock
	$(MAKE) --no-print-directory test-postgres

# Every benchmark at a small size, so none rots: each prints its figures and its ratio against
# the obvious alternative, then the run prints each one's wall and CPU time (72 s of CPU on
# two cores on 2026-12-07, see docs/development.md). One migrated CRM store is kept in
# .tenure/bench-cache, so the time is the benchmarks' and not migrations replayed in every
# process.
benchmarks: $(VENV)/.installed-test
	env -u TENURE_DATABASE_URL TENURE_BENCH_CACHE=$(CURDIR)/.tenure/bench-cache TENURE_HTTPS=0 \
		$(BIN)/python benchmarks/run_all.py

# Refresh the documentation's screenshots on purpose (tests otherwise write to build/).
screenshots: $(VENV)/.installed-test
	$(TEST_ENV) TENURE_DATABASE_URL= TENURE_SCREENSHOTS=$(CURDIR)/docs/img $(PYTEST) -m browser

clean:
	rm -rf $(VENV) .tenure .pytest_cache .mypy_cache .ruff_cache
