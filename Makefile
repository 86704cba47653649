# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check -q
export FLASK_APP := wsgi
# apt-get needs these in scripts (CI has no standard input).
export DEBIAN_FRONTEND := noninteractive
IS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: run test lint install install-test assets system-deps system-test-deps bench-deps db demo worker clean

# `make run PORT=5050` serves elsewhere; links in the demo's emails follow it.
PORT ?= 5000
run: export BASE_URL ?= http://localhost:$(PORT)
run: install assets system-deps
	APP_ENV=development $(BIN)/flask db upgrade
	APP_ENV=development $(BIN)/flask seed-demo
	@echo "Serving http://localhost:$(PORT) (Ctrl+C to stop); emails sent go to http://localhost:$(PORT)/dev/outbox"
	APP_ENV=development $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Two workers (pytest-xdist) on a two-core machine; each has its own database and Redis db.
TEST_WORKERS ?= 2
# Then the tests that name calendar dates (deadlines, admission clocks, digests, expiry dates) run
# again with the clock a year ahead (tests/clock.py), so a test that only passes until some date
# fails the day it is written, not the day that date goes by. `make test CLOCK_AHEAD_DAYS=0`
# skips that run.
CLOCK_AHEAD_DAYS ?= 365
# The tests whose rules turn on calendar dates (tender periods, standstills, admission clocks,
# renewals, digests, records retention); the page tests of the same rules run once, to keep
# `make test` under 10 minutes.
CLOCK_AHEAD_PATHS ?= tests/lots/opportunities tests/lots/awards tests/dps/services \
  tests/dps/views/test_working_days.py tests/dps/views/test_admin_pages.py tests/notifications \
  $(addprefix --ignore=,$(CLOCK_ONCE))
# The page tests in those folders: they show the rules the tests beside them check, and run once.
# So do the alert delivery tests (a worker killed mid-send, Redis down, the demo on SQLite): they
# turn on processes, not dates, and were a third of the second run's time.
CLOCK_ONCE := $(addprefix tests/lots/opportunities/,test_admin_and_onboarding_pages.py \
  test_buyer_pages.py test_public_and_supplier_pages.py) \
  $(addprefix tests/lots/awards/,test_pages.py test_conditions_pages.py test_return_pages.py \
  test_letter_pdfs.py test_register_download.py) \
  $(addprefix tests/notifications/,test_alert_pages.py test_alert_fanout.py test_alerts_sqlite.py)
test: install-test assets system-deps system-test-deps lint
	APP_ENV=test $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)
	if [ "$(CLOCK_AHEAD_DAYS)" != 0 ]; then APP_ENV=test TEST_CLOCK_AHEAD_DAYS=$(CLOCK_AHEAD_DAYS) \
	  $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS) $(CLOCK_AHEAD_PATHS); fi

# The house rules: ruff (lint and format) and the import-linter contracts in pyproject.toml.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(BIN)/lint-imports

# --- Python --------------------------------------------------------------------------------
$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$(IS_ROOT)" = yes ]; then apt-get update -qq && apt-get install -y -qq python3-venv \
	    && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	  else echo "Install python3-venv (apt-get install python3-venv), then try again." >&2; exit 1; fi; }
	$(PIP) install --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt constraints.txt
	$(PIP) install -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PIP) install -r requirements-test.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# --- Front end: GOV.UK Frontend from npm, pinned by package-lock.json ----------------------
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$(IS_ROOT)" = yes ]; then apt-get update -qq && apt-get install -y -qq nodejs npm; \
	  else echo "Install Node.js and npm (apt-get install nodejs npm), then try again." >&2; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# GOV.UK Frontend built with the system's fonts (app/static/src/govuk.scss): only GOV.UK may use
# GDS Transport.
BUILT_CSS := app/static/build/govuk.css
assets: node_modules/.installed $(BUILT_CSS)
$(BUILT_CSS): app/static/src/govuk.scss node_modules/.installed
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps $< $@

# --- What the app needs from Debian: Pango and a font for WeasyPrint (PDF letters) ---------
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || ! ls /usr/share/fonts/truetype/dejavu >/dev/null 2>&1; then \
	  if [ "$(IS_ROOT)" = yes ]; then \
	    echo "Installing Pango and fonts for PDF letters from Debian"; \
	    apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	  else echo "Please install: libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core (apt-get install ...)" >&2; exit 1; fi; \
	fi

# --- What the tests need from Debian: Chromium, and PostgreSQL and Redis when none answers --
system-test-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing="$$missing postgresql"; fi; \
	if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && ! command -v redis-server >/dev/null; then missing="$$missing redis-server"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$(IS_ROOT)" = yes ]; then \
	    echo "Installing$$missing from Debian"; apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install:$$missing (apt-get install$$missing)" >&2; exit 1; fi; \
	fi

# --- What the benchmarks in bench/ need from Debian: wrk, to drive load from another process --
bench-deps: install-test
	@if ! command -v wrk >/dev/null; then \
	  if [ "$(IS_ROOT)" = yes ]; then \
	    echo "Installing wrk from Debian"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
	  else echo "Please install: wrk (apt-get install wrk)" >&2; exit 1; fi; \
	fi

# --- Conveniences ---------------------------------------------------------------------------
db: install
	$(BIN)/flask db upgrade

demo: install
	$(BIN)/flask seed-demo

worker: install
	$(BIN)/flask worker

clean:
	rm -rf $(VENV) node_modules instance
