# evroam — the README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test test-slow check lint types imports system-deps bench readme clean web messages screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

## web: the web app's generated files (ADR 0033): pinned npm packages (frontend/
##   package-lock.json) copied into src/evroam/web/static/vendor/, and the Babel .po
##   catalogues compiled into src/evroam/web/static/i18n/<lang>.json
WEB_DIR := src/evroam/web
WEB_STAMP := $(WEB_DIR)/static/vendor/.built
$(WEB_STAMP): $(STAMP) frontend/package-lock.json $(wildcard $(WEB_DIR)/locale/*/LC_MESSAGES/*.po)
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund --silent
	$(BIN)/python -m evroam.web.build --node-modules frontend/node_modules
	touch $(WEB_STAMP)
web: $(WEB_STAMP)

## messages: extract the page's strings into messages.pot and merge them into each .po
messages: $(STAMP)
	$(BIN)/pybabel extract -F $(WEB_DIR)/babel.cfg -k t -k nt:1,2 -k _ --no-location \
	  --sort-output -o $(WEB_DIR)/locale/messages.pot $(WEB_DIR)
	$(BIN)/pybabel update -i $(WEB_DIR)/locale/messages.pot -d $(WEB_DIR)/locale \
	  --no-fuzzy-matching

## demo: generate the reference scenario and serve map + API at http://127.0.0.1:8000
demo: $(STAMP) $(WEB_STAMP)
	$(BIN)/evroam demo

## system-deps: the OS packages some tests need (run it yourself; `make test` never installs them)
##   chromium (browser tests), postgresql-15-postgis-3 (PostGIS tests), fonts-noto-cjk (Chinese text)
SYSTEM_PACKAGES := chromium postgresql-15-postgis-3 fonts-noto-cjk
system-deps:
	@need=""; \
	[ -x /usr/bin/chromium ] || need="$$need chromium"; \
	ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || \
	  need="$$need postgresql-15-postgis-3"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need="$$need fonts-noto-cjk"; \
	if [ -z "$$need" ]; then echo "system-deps: all present ($(SYSTEM_PACKAGES))"; exit 0; fi; \
	echo "system-deps: will install:$$need (Debian packages)"; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "system-deps: not root; run: sudo apt-get install -y$$need"; exit 1; \
	fi; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$need

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

check: lint types imports

## test: lint, types, import contracts, then the whole suite (slow scale tests excluded);
##   tests whose OS packages are missing skip with one line saying `make system-deps`
test: $(STAMP) $(WEB_STAMP) check
	$(BIN)/pytest -n 2 --dist loadgroup -m "not slow" $(PYTEST_ARGS)

## test-slow: only the slow scale tests `make test` leaves out (long interleaving runs,
##   every size and language of the browser journey, national-scale runs)
test-slow: $(STAMP) $(WEB_STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup -m slow $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/geo_search.py

## readme: render the README's generated parts (figures table, `make test` output and
##   counts) from benchmarks/results/*.json; tests/docs checks the README equals it
readme: $(STAMP)
	$(BIN)/python benchmarks/readme.py

## screenshots: refresh the screenshots docs/ and the README show (Debian chromium)
screenshots: $(STAMP) $(WEB_STAMP)
	$(BIN)/python benchmarks/screenshots.py docs/img

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache frontend/node_modules \
	  $(WEB_DIR)/static/vendor $(WEB_DIR)/static/i18n
