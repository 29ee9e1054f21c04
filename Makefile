# The two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install bench clean federation federation-down

# pip is kept quiet; these lines say what it is doing meanwhile.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "coordination needs Python 3.11 or newer (found $$($(PYTHON) --version)); set PYTHON=..."; exit 1; }
	@echo "setting up the virtual environment $(VENV) with $$($(PYTHON) --version)..."
	@$(PYTHON) -m venv $(VENV)
	@echo "updating pip in $(VENV)..."
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "installing coordination and its dependencies into $(VENV) (about a minute the first time)..."
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)
	@echo "installed: $(BIN)/coordination"

## GraphiQL's files too (fetched once with npm, hashes checked): the node serves them
## itself, so GraphiQL works offline. Without npm the rest still installs, and the page
## at /graphql says what is missing.
install: $(STAMP)
	-$(BIN)/coordination ide install

## Serve the API on the embedded SQLite store, with the demo partnership loaded.
run: install
	$(BIN)/coordination migrate
	$(BIN)/coordination demo --if-empty
	$(BIN)/coordination serve

## Lint, type-check, check the layer contracts, then the whole suite on SQLite and PostgreSQL,
## in two processes (`$(BIN)/python -m pytest` alone runs it in one).
test: lint
	$(BIN)/python -m pytest -n 2

lint: install
	$(BIN)/ruff check coordination coordination_demo tests bench infra
	$(BIN)/ruff format --check coordination coordination_demo tests bench infra
	$(BIN)/mypy coordination coordination_demo
	$(BIN)/lint-imports

## Every benchmark, on a durable throwaway PostgreSQL and on SQLite (slow: tens of minutes).
bench: install
	$(BIN)/python infra/throwaway_postgres.py --durable -- $(BIN)/python bench/append.py
	$(BIN)/python infra/throwaway_postgres.py --durable -- $(BIN)/python bench/projections.py
	$(BIN)/python infra/throwaway_postgres.py --durable -- $(BIN)/python bench/graphql.py
	$(BIN)/python infra/throwaway_postgres.py --durable -- $(BIN)/python bench/audit.py
	$(BIN)/python infra/throwaway_postgres.py --durable -- $(BIN)/python bench/federation.py
	$(BIN)/python infra/throwaway_postgres.py --durable -- $(BIN)/python bench/privacy.py

## Five partner nodes (se, it, gr, nl, fi) on localhost, introduced to each other, playing
## the federation's scenario; starts clean each time (var/federation). Stop them with
## `make federation-down`, which keeps their data.
federation: install
	$(BIN)/python -m infra.federation up

federation-down:
	$(BIN)/python -m infra.federation down

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
