# One entry point for people and CI. `make serve` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Tests mostly wait on real server processes and databases: three workers keep both lanes well under 10 minutes.
PYTEST_ARGS ?= -q -n 3 --dist loadfile
# Two distributions (server/ and sdk/, each with its own pyproject.toml) plus the repository's test tools
# (the `test` dependency group of ./pyproject.toml); reinstalled whenever one of the three files changes.
PROJECTS := pyproject.toml server/pyproject.toml sdk/pyproject.toml
STAMP  := $(VENV)/.installed-$(shell cat $(PROJECTS) | cksum | cut -d' ' -f1)

.PHONY: serve test test-sqlite test-postgres lint openapi bench clean

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
	$(BIN)/ruff check server sdk tests bench/samples_bench.py bench/releases_bench.py bench/vectors_bench.py bench/peer \
		bench/labelbox_bench.py bench/labelbox_imports_bench.py bench/web_bench.py bench/lb_export_bench.py

openapi: $(STAMP)
	$(BIN)/python -m labelhouse_server.openapi docs/openapi.json

clean:
	rm -rf $(VENV) labelhouse-data .pytest_cache
