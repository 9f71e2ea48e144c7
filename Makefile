# The commands README names. `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run test lint bench clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Vitrine needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m server migrate
	$(PY) -m server demo
	$(PY) -m server serve --host $(HOST) --port $(PORT)

# Two workers, a test file each at a time (the files that start real processes keep their own ports and
# databases). `make test TEST_WORKERS=0` runs serially; PYTEST_ARGS adds options.
TEST_WORKERS ?= 2
PYTEST_ARGS ?=
test: install
	$(PY) -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check server tests migrations bench
	$(VENV)/bin/mypy server bench

bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
