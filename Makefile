# Every target creates .venv and installs the project first, so each works on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLAY_STAMP := $(VENV)/.installed-play

.PHONY: install play test lint bench soak clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

install: $(STAMP)

# playing needs the bot only, not the test and lint tools
$(PLAY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(PLAY_STAMP)

play: $(PLAY_STAMP)
	$(BIN)/dailyq play

lint: $(STAMP)
	$(BIN)/ruff check bot adapters tests $(wildcard bench)
	$(BIN)/ruff format --check bot adapters bench
	$(BIN)/mypy bot adapters bench

test: lint
	$(BIN)/python -m pytest -q -m "not soak"

soak: $(STAMP)
	$(BIN)/python -m pytest -q -m soak

bench: $(STAMP)
	$(BIN)/python -m bench

# requirements.txt: every runtime dependency (with the postgres extra) pinned, for a PaaS buildpack
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --strip-extras --extra postgres --no-emit-index-url --no-emit-find-links \
		--output-file requirements.txt pyproject.toml

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
