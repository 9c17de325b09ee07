# Everything runs from a project-local virtualenv that `make` creates on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CTMOCK := tests/third_party/commercetools-mock
CTMOCK_STAMP := $(CTMOCK)/node_modules/.installed

.PHONY: install test lint format demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The third-party commercetools emulator the client tests also run against (needs Node.js + npm).
$(CTMOCK_STAMP): $(CTMOCK)/package.json $(CTMOCK)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(CTMOCK) --no-audit --no-fund --loglevel=error && touch $(CTMOCK_STAMP); \
	else \
		echo "npm not found: tests against @labdigital/commercetools-mock will be skipped"; \
	fi

install: $(STAMP)

test: $(STAMP) $(CTMOCK_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: $(STAMP)
	$(BIN)/python starter.py demo $(DEMO_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(CTMOCK)/node_modules .pytest_cache .mypy_cache .ruff_cache
