# make run  — set up .venv and run the pipeline on data/raw/
# make test — set up .venv and run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test bench notebook clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	touch $(STAMP)

run: install
	$(BIN)/pipeline run

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf data/processed/* $(VENV)
