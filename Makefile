# make run  — set up .venv and run the pipeline on data/raw/
# make test — set up .venv and run the tests
# make bench — also install the bench extra (py-spy), then time the pipeline at 10k/100k/500k rows (benchmarks/README.md)
# make notebook — also install the notebook extra, then open the year-over-year notebook in JupyterLab
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

notebook: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[notebook]"
	$(BIN)/jupyter lab notebooks/year_over_year.ipynb

bench: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[bench]"
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf data/processed/* $(VENV)
