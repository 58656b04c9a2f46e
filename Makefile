# The two commands: `make run` serves the demo, `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app deliberate

.PHONY: run test install install-test browser-tools screenshots lint audit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/pip install --quiet -r requirements-test.lock
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# axe-core for the accessibility checks of the browser tests, from the npm registry into a
# git-ignored folder (the tests also fetch it themselves when it is missing).
AXE_CORE := axe-core@4.14.1
browser-tools:
	npm install --no-save --no-audit --no-fund --prefix .browser-tools $(AXE_CORE)

PORT ?= 5000
# The worker (mail, notifications, the schedule) runs beside the web server and stops with it.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Serving on http://127.0.0.1:$(PORT); the worker sends mail to the letter box (/admin/mail/)"
	SITE_URL=http://127.0.0.1:$(PORT) $(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	SITE_URL=http://127.0.0.1:$(PORT) $(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check deliberate tests bench config.py
	$(BIN)/mypy  # what it checks and how strictly: [tool.mypy] in pyproject.toml

audit: install-test
	$(BIN)/pip-audit --progress-spinner off --no-deps --disable-pip -r requirements.lock -r requirements-test.lock

# `-m ""`: the sweeps always run here, even if PYTEST_ADDOPTS deselects them for local work.
# `-n auto --dist loadfile`: one worker per core, each with its own database, a file per worker.
# `-rfEs`: failures, errors, and why each skip was skipped (the browser tests skip where
# Chromium is missing).
PYTEST_RUN := $(BIN)/pytest -m "" -rfEs -n auto --dist loadfile
test: install-test lint audit
	$(PYTEST_RUN)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again against PostgreSQL =="; \
		DELIBERATE_TEST_DB="$$TEST_DATABASE_URL" $(PYTEST_RUN); \
	fi

# Renew the README's screenshots (docs/screenshots), taken by the browser tests.
screenshots: install-test browser-tools
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest -m "" tests/browser/test_pages.py

bench: install-test
	$(BIN)/python bench/bench_counting.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis .browser-tools
