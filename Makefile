# The README's two commands: `make run` (demo on embedded defaults) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Emailed links (score buttons, unsubscribe, alerts, invitations, the public link) are built
# from SITE_URL. honcho gives each process its own PORT (web PORT, worker PORT+100, …), so the
# address is fixed here, once, for all three: the web server's port unless SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)
PROCFILE ?= Procfile.dev
export DJANGO_SETTINGS_MODULE ?= nps_platform.settings.local

.PHONY: install run serve test lint migrate seed clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Web server, Celery worker and Celery beat together; Ctrl-C stops all three.
run: seed
	@$(MAKE) --no-print-directory serve

# The processes alone (run without install/migrate/seed).
serve:
	@echo "Open http://127.0.0.1:$(PORT)/ (mail goes to http://127.0.0.1:$(PORT)/dev/outbox/; links in it use $(SITE_URL))"
	PORT=$(PORT) SITE_URL=$(SITE_URL) $(BIN)/honcho --procfile $(PROCFILE) --app-root . start

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

# Two processes (pytest-xdist), one per core: half the suite's time is waiting (real workers,
# browsers, mail). Each has its own test database and Redis database (nps_platform/settings/test.py).
# PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2
test: install node_modules/.installed
	DJANGO_SETTINGS_MODULE=nps_platform.settings.test $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf var/ $(VENV)

# Benchmarks against the real stack (PostgreSQL, Redis) on 127.0.0.1; figures in var/bench/.
bench: install
	psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'nps_bench'" | grep -q 1 || \
		psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE nps_bench"
	@command -v wrk >/dev/null || echo "wrk is not installed (apt-get install wrk): the submission load falls back to benchmarks/load.py"
	$(BIN)/python benchmarks/run.py
