# Suqiu 诉求通. `make run` serves the demo; `make test` runs every test. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test bench lint format translations system-deps clean prod-local prod-local-stop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

translations: $(VENV)/.runtime-installed
	$(BIN)/pybabel compile -D "messages admin" -d app/translations

run: $(VENV)/.runtime-installed translations
	$(FLASK) db upgrade
	$(FLASK) calendar seed --if-empty
	$(FLASK) seed-demo --if-empty
	$(FLASK) seed-policies
	$(FLASK) seed-settings
	$(FLASK) reports catch-up
	$(FLASK) analyze
	@echo "Suqiu is serving on http://$(HOST):$(PORT)/  (log in with a demo account above; Ctrl-C stops it)"
	SUQIU_SCHEDULER=1 $(FLASK) run --host $(HOST) --port $(PORT)

# The production topology on this machine (README "Trying the production topology"): PostgreSQL, redis-server,
# gunicorn (2 workers, PORT), `flask jobs run`; all state under instance/prod-local/.
prod-local: $(VENV)/.dev-installed translations system-deps
	$(BIN)/python -m deploy.prod_local start --port $(PORT)

prod-local-stop:
	$(BIN)/python -m deploy.prod_local stop

# Browser tests need Debian's Chromium; database tests need PostgreSQL 15's server binaries.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || [ ! -x /usr/lib/postgresql/15/bin/initdb ] \
			|| ! command -v redis-server >/dev/null 2>&1; then \
		echo "Installing chromium, postgresql-15 and redis-server with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql-15 \
			redis-server >/dev/null; \
	fi

test: $(VENV)/.dev-installed translations system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

bench: $(VENV)/.dev-installed translations
	$(BIN)/python -m bench
	$(BIN)/python -m bench.reports
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.search --pg
	$(BIN)/python -m bench.open311

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
