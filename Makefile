# `make dataset` builds dist/ from seeds/; `make test` runs linters, type checks and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# setup.py compiles the package's per-seed modules at install, so a change to the package
# installs it again (corpus_tools/compiled.py keeps a stale compiled module from running).
SOURCES := $(wildcard corpus_tools/*.py corpus_tools/*/*.py)
# Seeds in the generated corpus of `make benchmark`.
N ?= 10000
# Floor and build pairs that `make benchmark` runs (it reports the median pair).
REPEAT ?= 3

.PHONY: dataset test lint typecheck validate benchmark docs clean

$(STAMP): pyproject.toml setup.py $(SOURCES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

dataset: $(STAMP)
	$(BIN)/corpus-tools build

lint: $(STAMP)
	$(BIN)/ruff check corpus_tools tests benchmarks setup.py
	$(BIN)/ruff format --check corpus_tools tests benchmarks setup.py
	$(BIN)/python -m corpus_tools.docs --check README.md

typecheck: $(STAMP)
	$(BIN)/mypy

validate: $(STAMP)
	$(BIN)/corpus-tools validate

test: lint typecheck validate
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(BIN)/python -m pytest

benchmark: $(STAMP)
	$(BIN)/python benchmarks/scale.py $(N) --repeat $(REPEAT)

docs: $(STAMP)
	$(BIN)/python -m corpus_tools.docs README.md

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build *.egg-info
	rm -f corpus_tools/_compiled*.txt *__mypyc*.so corpus_tools/*/*.so
