# MASTERY Tool — two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app lti_tool

.PHONY: run test install install-test migrate content lint bench clean

# `make run` needs the tool's own dependencies only; `make test` adds the test tools (pytest, Playwright, …).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# The compiled catalogues are build output (only the .po files are committed).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard lti_tool/translations/*/LC_MESSAGES/messages.po))
%.mo: %.po $(VENV)/.installed
	@$(VENV)/bin/pybabel -q compile -i $< -o $@

install: $(VENV)/.installed $(MO_FILES)

install-test: install $(VENV)/.installed-test

migrate: install
	$(FLASK) db upgrade

content: migrate
	$(FLASK) content load

## make run: install, migrate, load content, then the tool, its two workers and the local LRS under one supervisor
## (PORT=… or TOOL_BASE_URL=… to serve elsewhere; remembered in instance/run.env).
run: content
	@bash scripts/run-local.sh

## make test: the whole suite on SQLite and PostgreSQL, with the services it needs started here.
test: install-test
	@bash scripts/test.sh

lint: install-test
	$(VENV)/bin/ruff check lti_tool tests bench

bench: install-test
	@bash scripts/bench.sh

clean:
	rm -rf $(VENV) .lrs-venv instance/*.sqlite3* tests/js_verifier/node_modules
