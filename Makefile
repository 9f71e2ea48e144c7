# The commands README names. `make run` and `make test` work on a fresh machine with Python 3.11+.
# `make run` installs what the server runs on (.venv/.runtime); `make test`, `lint` and `bench` add the test
# extras (playwright, mypy, matplotlib…; .venv/.installed). Each step says one line; pip and the build backend
# speak only on errors.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := PYTHONWARNINGS=ignore $(PY) -m pip install -qq --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run test lint bench clean

$(VENV)/.runtime: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Vitrine needs Python 3.11 or newer")'
	@echo "setup: installing Vitrine and the packages it runs on into $(VENV) (a minute the first time)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip
	@$(PIP) -e .
	@touch $@

$(VENV)/.installed: $(VENV)/.runtime
	@echo "setup: adding the test extras to $(VENV) (pytest, playwright, mypy, ruff…)"
	@$(PIP) -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# the server is the recipe's last command, run in the shell's place: Ctrl-C reaches it alone and it ends with 0
run: $(VENV)/.runtime
	@$(PY) -m server migrate --quiet
	@$(PY) -m server demo --quiet
	@exec $(PY) -m server serve --host $(HOST) --port $(PORT)

# Two workers, a test file each at a time (the files that start real processes keep their own ports and
# databases). `make test TEST_WORKERS=0` runs serially; PYTEST_ARGS adds options.
TEST_WORKERS ?= 2
PYTEST_ARGS ?=
test: install
	$(PY) -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check server tests migrations bench tools
	$(VENV)/bin/mypy server bench tools

bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
