# One entry point for people and CI. `make serve` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Three workers, each given whole test files (module fixtures start once), in collection order: the modules marked
# `slow` first (tests/conftest.py), so that no long module is left to run alone at the end.
PYTEST_ARGS ?= -q -n 3 --dist loadfile --no-loadscope-reorder
# Two distributions (server/ and sdk/, each with its own pyproject.toml) plus the repository's test tools
# (the `test` dependency group of ./pyproject.toml); reinstalled whenever one of the three files changes.
PROJECTS := pyproject.toml server/pyproject.toml sdk/pyproject.toml
STAMP  := $(VENV)/.installed-$(shell cat $(PROJECTS) | cksum | cut -d' ' -f1)

.PHONY: serve test lint typecheck check openapi sdk-types clean

$(STAMP): $(PROJECTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ./server -e ./sdk --group test
	rm -f $(VENV)/.installed-* && touch $@

## Start the server on the embedded default (SQLite + local files in ./labelhouse-data).
serve: $(STAMP)
	$(BIN)/labelhouse serve $(ARGS)

## Run the whole test suite: SQLite always, PostgreSQL too when LABELHOUSE_TEST_DATABASE_URL is set.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check server sdk tests bench

## mypy at default strictness on each distribution, with its own settings ([tool.mypy] in its pyproject.toml).
typecheck: $(STAMP)
	cd server && ../$(BIN)/mypy
	cd sdk && ../$(BIN)/mypy

## What CI checks besides the tests.
check: lint typecheck

openapi: $(STAMP)
	$(BIN)/python -m labelhouse_server.openapi docs/openapi.json

## Regenerate the async client's typed surface from the sync resource mixins (sdk/scripts/gen_async_api.py).
sdk-types: $(STAMP)
	$(BIN)/python sdk/scripts/gen_async_api.py

clean:
	rm -rf $(VENV) labelhouse-data .pytest_cache
