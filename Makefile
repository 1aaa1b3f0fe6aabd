# The two commands: `make run` and `make test`. Both set up everything on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PUHUI_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install install-dev browser screenshots lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's chromium (never a downloaded browser); install it when missing.
browser:
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

# The console's screenshots in docs/screenshots (Chromium needs a Chinese font to draw them).
screenshots: install-dev browser
	@fc-list :lang=zh | grep -q . || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get install -y -q fonts-wqy-microhei; }
	$(BIN)/python scripts/console_screenshots.py --out docs/screenshots

run: install
	$(BIN)/puhui db upgrade
	$(BIN)/puhui demo
	$(BIN)/puhui serve --host $(HOST) --port $(PORT)

test: install-dev browser
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider tests

lint: install-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

bench: install-dev
	$(BIN)/python benchmarks/log_append.py --quick
	$(BIN)/python benchmarks/transfers.py --quick

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .hypothesis
