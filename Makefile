# The two commands: `make run` serves the demo, `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app deliberate

.PHONY: run serve topology test install install-test browser-tools screenshots lint audit bench bench-topology clean

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

# Production: gunicorn with gunicorn.conf.py (workers from the cores, timeouts, graceful
# restarts, the access log). Needs SECRET_KEY, DATABASE_URL and Redis (README, "Deploying");
# run `flask db upgrade` first, once per deploy.
serve: install
	DELIBERATE_ENV=production $(BIN)/gunicorn --config gunicorn.conf.py

# The production topology of deploy/ on this machine: nginx (TLS, a certificate of its own),
# two app instances, the worker, a PostgreSQL database of its own (dropped when it stops) and
# the local Redis. `make topology TOPOLOGY_ARGS="--https-port 9443"`; Ctrl-C stops it all.
topology: install
	$(BIN)/python deploy/topology.py $(TOPOLOGY_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check deliberate tests bench deploy config.py gunicorn.conf.py
	$(BIN)/mypy  # what it checks and how strictly: [tool.mypy] in pyproject.toml

audit: install-test
	$(BIN)/pip-audit --progress-spinner off --no-deps --disable-pip -r requirements.lock -r requirements-test.lock

# `-m ""`: the sweeps always run here, even if PYTEST_ADDOPTS deselects them for local work.
# `-n auto --dist loadfile`: one worker per core, each with its own database, a file per worker.
# `-rfEs`: failures, errors, and why each skip was skipped (the browser tests skip where
# Chromium is missing).
PYTEST_RUN := $(BIN)/pytest -m "" -rfEs -n auto --dist loadfile
# The topology's tests (tests/deploy/test_topology.py, PostgreSQL only) run once: on the
# PostgreSQL pass when there is one (TEST_DATABASE_URL), else in the first pass, where they
# skip without PostgreSQL.
test: install-test lint audit
	$(PYTEST_RUN) $(if $(TEST_DATABASE_URL),-m "not topology")
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again against PostgreSQL =="; \
		DELIBERATE_TEST_DB="$$TEST_DATABASE_URL" $(PYTEST_RUN); \
	fi

# Renew the README's screenshots (docs/screenshots), taken by the browser tests.
screenshots: install-test browser-tools
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest -m "" tests/browser/test_pages.py

bench: install-test
	$(BIN)/python bench/bench_counting.py

# bench_voting's casting and bench_serve's pages through nginx and two instances, beside one
# instance read directly, in the same run.
bench-topology: install-test
	$(BIN)/python bench/bench_topology.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis .browser-tools
