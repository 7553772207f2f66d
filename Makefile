# caseseries — make run: build the evidence report on the bundled case series; make test: the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= sqlite:///caseseries.db
OUT    ?= report
# pytest-xdist: two workers, each test file on one worker (its module fixtures and screenshots stay together)
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: run test lint bench install dev docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setup.py builds the compiled PubMed reader from its .pyx: a change to either reinstalls
COMPILED := setup.py src/caseseries/sources/_pubmed_parts.pyx

$(VENV)/.installed: pyproject.toml $(COMPILED) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml $(COMPILED) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

dev: $(VENV)/.dev

run: install
	$(BIN)/caseseries --db $(DB) init
	$(BIN)/caseseries --db $(DB) report --out $(OUT)

lint: dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: dev
	$(BIN)/python benchmarks/run.py

docs: dev
	$(BIN)/python -m caseseries.commands._docs --index > src/caseseries/commands/_index.py.new
	mv src/caseseries/commands/_index.py.new src/caseseries/commands/_index.py
	$(BIN)/python -m caseseries.commands._docs > docs/cli.md

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	rm -f src/caseseries/sources/_pubmed_parts.c src/caseseries/sources/_pubmed_parts.*.so
