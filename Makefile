# opsbot: `make run` sets everything up and starts the bot; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-stamp
# The suite on every core (pytest-xdist), one worker more than cores: on 2 workers a fifth of the cores'
# time went idle (tests wait on sockets, subprocesses, timers). Each worker has databases of its own.
# On 2 cores, 3 workers: 9 min (bench/RESULTS.md, "The test suite's time").
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN) + 1 )))
# Tests write bytecode (in __pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE is set: each
# worker and each process a test starts would otherwise compile the project and rewrite the tests again.
PYC := env -u PYTHONDONTWRITEBYTECODE

.PHONY: install install-dev run test lint format train bench bench-pipeline bench-load bench-nlu bench-replies clean

# `make run` installs what the bot needs; the test and lint tools come with the first `make test`/`lint`.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo ">> installing torch 2.13.0 (CPU build) first, then opsbot and its dependencies"
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	@echo ">> installing the development tools (the [dev] extra)"
	$(BIN)/pip install --disable-pip-version-check -q -e ".[dev]"
	@touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

run: install
	$(BIN)/opsbot run --setup

test: install-dev
	$(PYC) $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -m "not alone"
	$(PYC) $(BIN)/pytest -m alone

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy bot adapters dialogue nlu
	$(BIN)/lint-imports

format: install-dev
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
