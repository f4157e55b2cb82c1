# The verbs a newcomer needs. Every target installs what it needs first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

export CX_LANDING_ROOT ?= $(CURDIR)/data/landing
export CX_WAREHOUSE_DIR ?= $(CURDIR)/data/warehouse
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home

.PHONY: install run test test-fast dev docs compact erase lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Bytecode is compiled at install, as pip does and uv does not by default: where PYTHONDONTWRITEBYTECODE is
# set (as on these machines), no process ever writes a .pyc, so every process (each dbt build, Dagster,
# each test) compiled every module it imported. Importing dbt took 3.7 s instead of 2.0 s, Dagster 2.0 s
# instead of 0.9 s. The project's own modules are compiled by `install` each time (up-to-date ones are
# skipped).
$(VENV)/.installed: $(BIN)/activate pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# The dbt manifest is prepared on purpose, never at import of the code location.
dbt_project/target/manifest.json: $(VENV)/.installed $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' | grep -v target/)
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir . --quiet
	touch $@

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $@

install: $(VENV)/.installed dbt_project/target/manifest.json $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/python -m compileall -q orchestration benchmarks tests > /dev/null

run: install  ## set up, generate the sample exports if none, build every day, publish, print KPIs
	$(BIN)/python -m orchestration.cli run

test: install  ## the whole test suite
	$(BIN)/python -m pytest

test-fast: install  ## everything but the slow end-to-end tests
	$(BIN)/python -m pytest -m "not slow"

dev: install  ## the Dagster UI over workspace.yaml, run history kept in data/dagster_home
	$(BIN)/dagster dev -w workspace.yaml

docs: install  ## the dbt docs site as one static page: data/warehouse/docs/index.html
	$(BIN)/python -m orchestration.cli docs

compact: install  ## the weekly compaction now: rewrite the warehouse tables deleted rows left sparse
	$(BIN)/python -m orchestration.cli compact

# The identifier goes through the environment and stdin, so it shows in neither the echoed recipe nor `ps`.
erase: install  ## erase a customer everywhere: make erase CUSTOMER=<CRM id | e-mail | phone> [CLIENT=<client_id>]
	@if [ -z "$$CUSTOMER" ]; then echo "usage: make erase CUSTOMER=<CRM id | e-mail | phone> [CLIENT=<client_id>]" >&2; exit 2; fi
	@printenv CUSTOMER | $(BIN)/python -m orchestration.cli erase - $(if $(CLIENT),--client $(CLIENT))

lint: install
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks

bench: install  ## the 1M-interactions-a-day benchmark (see benchmarks/)
	$(BIN)/python -m benchmarks.daily_run $(BENCH_ARGS)

clean:
	rm -rf data/warehouse data/dagster_home dbt_project/target dbt_project/logs
