# twin — run `make help` for the targets. The README's two commands are `make serve` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 5006
export UV_COMPILE_BYTECODE := 1

.PHONY: help setup browser axe serve lab test lint bench data clean-venv

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v uv >/dev/null 2>&1 || $(PY) -m pip install --quiet uv
	uv venv --quiet --python $(PY) $(VENV)

setup: $(BIN)/python  ## install the pinned environment (uv, seconds) and twin itself
	uv pip install --quiet --python $(BIN)/python -r requirements.txt
	uv pip install --quiet --python $(BIN)/python --no-deps -e .

browser:  ## install Debian's Chromium (browser tests) and PostgreSQL (workshop store tests); needs root/apt
	@{ command -v chromium >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium postgresql >/dev/null; }

#: axe-core (accessibility rules) from the npm registry, served to the browser tests from here
AXE     := .cache/axe/node_modules/axe-core/axe.min.js

axe: $(AXE)  ## install axe-core 4 from the npm registry (browser accessibility tests); npm via apt

$(AXE):
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	npm install --prefix .cache/axe --no-audit --no-fund --silent axe-core@4

serve: setup  ## install everything and serve the dashboards on http://127.0.0.1:$(PORT)/
	$(BIN)/twin serve --port $(PORT)

lab: setup  ## open JupyterLab on notebooks/
	$(BIN)/jupyter lab --notebook-dir=notebooks

lint: setup  ## ruff
	$(BIN)/ruff check .

test: setup browser axe  ## install everything and run the whole test suite (lint, unit, notebooks, browser)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: setup browser  ## benchmarks (pytest-benchmark), results in .benchmarks/
	$(BIN)/python -m pytest benchmarks --benchmark-enable --benchmark-only \
	  --benchmark-columns=min,median,max,rounds -p no:randomly

data: setup  ## rebuild data/ from ../shared/data
	$(BIN)/twin data build

clean-venv:  ## remove the environment
	rm -rf $(VENV)
