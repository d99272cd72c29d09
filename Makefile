# The README's two commands: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM := $(VENV)/.debian-packages
SYSTEM_TEST := $(VENV)/.debian-packages-test
INTEROP := tests/interop/node_modules/.package-lock.json

.PHONY: run test check lint typecheck format bench clean

# Debian packages (librsvg, fonts): installed when missing, re-checked when the list changes.
$(SYSTEM): scripts/debian-packages.txt
	bash scripts/ensure-debian-packages.sh scripts/debian-packages.txt
	@mkdir -p $(VENV) && touch $@

$(SYSTEM_TEST): scripts/debian-packages.txt scripts/debian-packages-test.txt
	bash scripts/ensure-debian-packages.sh scripts/debian-packages.txt scripts/debian-packages-test.txt
	@mkdir -p $(VENV) && touch $@

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Digital Bazaar's verifier for the interoperability tests (pinned by package-lock.json); npm
# comes with the test packages when missing.
$(INTEROP): tests/interop/package.json tests/interop/package-lock.json | $(SYSTEM_TEST)
	npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error

run: $(SYSTEM) $(STAMP)
	$(BIN)/certmint demo

# Every test runs: a service missing makes its tests fail, not skip (tests/conftest.py).
test: $(SYSTEM_TEST) $(STAMP) $(INTEROP)
	CERTMINT_TEST_EVERY_SERVICE=1 $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

check: lint typecheck test

bench: $(SYSTEM) $(STAMP)
	$(BIN)/python bench/import.py
	@for b in bench/sign.py bench/render.py; do [ -f $$b ] && $(BIN)/python $$b || true; done

clean:
	rm -rf $(VENV) certmint-data .pytest_cache .mypy_cache .ruff_cache tests/interop/node_modules
