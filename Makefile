# Each target sets itself up on a fresh machine: a project virtualenv in .venv with
# the package (editable) and its dev tools; `make test` also installs Chromium from
# the distribution for the report's browser test when run as root.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_OUT ?= out/demo
JOBS ?= 2

.PHONY: setup demo test lint typecheck fixtures bench browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "browser: chromium could not be installed; the HTML browser test will be skipped"; \
	else echo "browser: chromium absent and not root; the HTML browser test will be skipped"; fi

demo: $(STAMP)
	mkdir -p $(DEMO_OUT)
	$(VENV)/bin/segurcheck check examples/demo --trust examples/demo-trust --as-of 2026-11-29 \
	  --json $(DEMO_OUT)/report.json --html $(DEMO_OUT)/report.html --pdf $(DEMO_OUT)/report.pdf \
	  --sarif $(DEMO_OUT)/report.sarif --junit $(DEMO_OUT)/report.junit.xml
	@echo "demo: reports written to $(DEMO_OUT)/ (report.html, report.pdf, report.json, report.sarif, report.junit.xml)"

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: $(STAMP) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -n $(JOBS) -p no:cacheprovider

fixtures: $(STAMP)
	$(PY) -m fixtures.generate

PKILINT_VENV := bench/.venv-pkilint

# pkilint is only a point of comparison for the PKI bench: its own virtualenv keeps
# it out of the product's dependencies.
$(PKILINT_VENV)/bin/python:
	$(PYTHON) -m venv $(PKILINT_VENV)
	$(PKILINT_VENV)/bin/python -m pip install --quiet pkilint || echo "bench: pkilint unavailable, its comparison will be skipped"

bench: $(STAMP) $(PKILINT_VENV)/bin/python
	@for script in bench/bench_*.py; do echo "== $$script"; PKILINT_PYTHON=$(PKILINT_VENV)/bin/python $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) $(PKILINT_VENV) out bench/data .mypy_cache .ruff_cache .pytest_cache
