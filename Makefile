# evroam — the README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test check lint types imports system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

## demo: generate the reference scenario and serve map + API at http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/evroam demo

## system-deps: Debian's chromium (browser tests) and PostGIS (scale-out tests), as root
system-deps:
	@need=""; \
	[ -x /usr/bin/chromium ] || need="$$need chromium"; \
	ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || \
	  need="$$need postgresql-15-postgis-3"; \
	if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$need"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need; \
	  else \
	    echo "WARNING: missing$$need; browser/PostGIS tests will skip"; \
	  fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

check: lint types imports

## test: lint, types, import contracts, then the whole suite (slow scale tests excluded)
test: $(STAMP) system-deps check
	$(BIN)/pytest -n 2 --dist loadgroup -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/geo_search.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
