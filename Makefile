# The two commands: `make run` (set-up included) and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format venv setup demo worker clean screenshots loadtest wrk lock

venv: $(VENV)/.installed

# Find a Python >= 3.12 (python3.12 may exist only inside pyenv), or say clearly that none exists.
$(PY):
	@py=""; for c in $(PYTHON) python3.13 python3.12 python3 \
	  $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] 2>/dev/null); do \
	  if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then py="$$c"; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "error: Python 3.12 or newer is required and none was found (install it, or set PYTHON=/path/to/python3.12)." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)

# uv installs the pins in seconds (bootstrapped with pip, given pip's index settings); pip is
# the fallback, and INSTALL_WITH=pip forces it (requirements/install.py).
$(VENV)/.installed: $(PY) requirements/base.txt requirements/dev.txt requirements/install.py
	$(PY) requirements/install.py requirements/dev.txt
	@touch $@

# The image's hashed lock (Dockerfile: pip --require-hashes): every package base.txt pulls in,
# at one version, with the hashes of its files on the package index. Run after changing base.txt;
# tests/deploy/test_image.py checks that the two agree.
lock: venv
	$(VENV)/bin/uv pip compile --no-config --universal --python-version 3.12 --generate-hashes \
	  --custom-compile-command "make lock" requirements/base.txt -o requirements/base.lock

# The system checks run once, when the server starts (`run`), not in every set-up step.
setup: venv
	@mkdir -p "$${VAR_DIR:-var}"
	$(PY) manage.py migrate --noinput --skip-checks
	$(PY) manage.py setup_schedules --skip-checks
	$(PY) manage.py demo --url http://$(HOST):$(PORT)/ --skip-checks

# Web server and a django-q2 cluster together; Ctrl-C stops both. The cluster runs in its own
# process group so that Ctrl-C reaches only the web server; the trap then asks the cluster's
# main process to stop, which stops its workers cleanly (signalling them all at once can hang).
run: setup
	@echo "Starting the portal: team pages on http://$(HOST):$(PORT)/, admin on http://$(HOST):$(PORT)/admin/, and a background worker (Ctrl-C stops both)"
	@setsid $(PY) manage.py qcluster & qpid=$$!; \
	trap 'kill -TERM $$qpid 2>/dev/null; wait $$qpid 2>/dev/null' INT TERM EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: venv
	$(PY) manage.py qcluster

# The suite runs in one test process per core (pytest-xdist); TEST_PROCESSES=0 runs it in one.
TEST_PROCESSES ?= auto
test: venv
	$(VENV)/bin/pytest -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Load test (docs/load-test.md): gunicorn (WORKERS, DEBUG off) on 127.0.0.1 and headless locust
# with USERS for DURATION seconds, on the database DATABASE_URL names (it must hold the data:
# `make setup` loads the demo). Prints req/s, p50 and p95 per request and every error; fails on
# any error. `make loadtest LOAD_JSON=figures.json` also writes the figures as data.
USERS ?= 50
DURATION ?= 60
SPAWN_RATE ?= 10
WORKERS ?= 2
loadtest: venv
	$(PY) tests/load/run.py --users $(USERS) --duration $(DURATION) --spawn-rate $(SPAWN_RATE) \
	  --workers $(WORKERS) $(if $(LOAD_JSON),--json $(LOAD_JSON))

# Throughput of the API's 10-row task list under wrk (docs/load-test.md): gunicorn (WORKERS,
# THREADS per worker: 1 is sync), CONNECTIONS for WRK_DURATION seconds a run, the list and its
# floor (one SQL query for the same page) in turn, ROUNDS times. Needs the benchmark's kept data
# set (`manage.py benchmark --keep`) with LOAD_PEOPLE and LOAD_PASSWORD as it prints them.
CONNECTIONS ?= 16
WRK_DURATION ?= 20
ROUNDS ?= 2
THREADS ?= 1
wrk: venv
	@command -v wrk >/dev/null 2>&1 || { echo "wrk is not installed: sudo apt-get install wrk (Debian/Ubuntu), brew install wrk (macOS), or build it from https://github.com/wg/wrk" >&2; exit 2; }
	$(PY) tests/load/wrk.py --connections $(CONNECTIONS) --duration $(WRK_DURATION) \
	  --rounds $(ROUNDS) --workers $(WORKERS) --threads $(THREADS) $(if $(LOAD_JSON),--json $(LOAD_JSON))

# Screenshots of the admin and the team pages as people see them, kept in docs/screenshots/
screenshots: venv
	SCREENSHOT_DIR=docs/screenshots $(VENV)/bin/pytest -q -m browser tests/browser

clean:
	rm -rf $(VENV) var/portal.sqlite3
