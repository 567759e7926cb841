# Tenure: `make demo` runs the app on http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME ?= $(CURDIR)/.tenure/demo
TEST_HOME := $(CURDIR)/.tenure/test
# Tests talk plain HTTP to their servers; production's HTTPS settings have their own tests.
TEST_ENV := TENURE_HOME=$(TEST_HOME) TENURE_HTTPS=0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint test-sqlite test-postgres test-browser install clean benchmarks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	TENURE_HOME=$(DEMO_HOME) TENURE_HTTPS=0 $(BIN)/tenure demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	TENURE_HOME=$(TEST_HOME) $(BIN)/tenure makemigrations --check --dry-run

# Each run is its own target so `make test` shows the SQLite and PostgreSQL runs apart.
test-sqlite: $(VENV)/.installed-test
	@echo "=== Test suite on SQLite ==="
	$(TEST_ENV) TENURE_DATABASE_URL= $(BIN)/pytest -m "not browser" -q

test-postgres: $(VENV)/.installed-test
	@echo "=== Test suite on PostgreSQL ==="
	$(TEST_ENV) $(BIN)/python scripts/throwaway_postgres.py -- $(BIN)/pytest -m "not browser" -q

test-browser: $(VENV)/.installed-test
	@echo "=== Browser tests in headless Chromium ==="
	$(TEST_ENV) TENURE_DATABASE_URL= $(BIN)/pytest -m browser -q

test: $(VENV)/.installed-test
	bash scripts/system-deps.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-browser

clean:
	rm -rf $(VENV) .tenure .pytest_cache .mypy_cache .ruff_cache
