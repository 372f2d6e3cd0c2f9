# opsbot: `make run` sets everything up and starts the bot; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint format train bench bench-pipeline bench-load bench-nlu bench-replies clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo ">> installing torch 2.13.0 (CPU build) first, then opsbot and its dependencies"
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/opsbot run --setup

test: install
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy bot adapters dialogue nlu
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

train: install
	$(BIN)/opsbot train all

bench: bench-pipeline bench-load bench-nlu bench-replies

bench-pipeline: install
	$(BIN)/python bench/pipeline_throughput.py

bench-load: install
	$(BIN)/python bench/load.py --big

bench-nlu: install
	$(BIN)/python bench/nlu_bench.py

bench-replies: install
	$(BIN)/python bench/replies_bench.py

clean:
	rm -rf var/models var/cache
