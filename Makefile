# The whole set-up on a fresh Debian 12 machine is `make run` or `make test` (see README.md).
# Each step below is skipped when its result is already there, so repeated runs are quick.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

# Fonts and the Pango/HarfBuzz stack that WeasyPrint needs for PDFs (Liberation Serif: the Latin
# letters of formulas, with a real italic); libcairo2 for CairoSVG, which draws SVG figures for Word;
# git for the publication repository. Chromium for the browser tests; poppler-utils (pdftotext,
# pdffonts, pdftoppm) to read the PDFs back; LibreOffice Writer with its formula module to open the
# Word files as a committee member would (tests/test_publishing_word.py converts them to PDF).
RUN_PACKAGES  := fonts-noto-cjk fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 git
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils libreoffice-writer-nogui libreoffice-math-nogui
# wrk: the HTTP load generator of benchmarks/bench_load.py.
BENCH_PACKAGES := $(RUN_PACKAGES) wrk

PO_FILES := $(wildcard workbench/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test bench messages system-packages system-packages-test system-packages-bench translations

run: system-packages $(VENV)/.run-installed translations
	$(BIN)/workbench db upgrade
	$(BIN)/workbench demo
	$(BIN)/workbench serve --host $(HOST) --port $(PORT)

# The suite runs on the embedded SQLite database, and once more on PostgreSQL when
# WORKBENCH_TEST_DATABASE_URL names a server (.ci/run sets it when one answers).
test: system-packages-test $(VENV)/.test-installed translations
	$(BIN)/ruff check workbench tests benchmarks migrations
	$(BIN)/lint-imports --no-cache
	@echo "== 测试数据库 test database: SQLite =="
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then \
	    echo "== 测试数据库 test database: PostgreSQL =="; \
	    $(BIN)/pytest $(PYTEST_ARGS) || exit $$?; \
	    echo "== 测试通过 suite passed on: SQLite, PostgreSQL =="; \
	else \
	    echo "== 测试通过 suite passed on: SQLite (set WORKBENCH_TEST_DATABASE_URL to add PostgreSQL) =="; \
	fi

# Measured figures (not pass/fail); record them in docs/benchmarks.md with date and machine.
bench: system-packages-bench $(VENV)/.bench-installed translations
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_audit.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_audit.py; fi
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_registry.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_registry.py; fi
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_catalogue.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_catalogue.py; fi
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_evaluation.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_evaluation.py; fi
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_checks.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_checks.py; fi
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_live_check.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_live_check.py; fi
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_trials.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_trials.py; fi
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_publishing.py
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_jobs.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_jobs.py; fi
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_exchange.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_exchange.py; fi
	$(BIN)/python benchmarks/bench_engine.py
# The pages under load (wrk, 50 connections, BENCH_LOAD_SECONDS per page, default 60).
	env -u WORKBENCH_TEST_DATABASE_URL $(BIN)/python benchmarks/bench_load.py
	@if [ -n "$$WORKBENCH_TEST_DATABASE_URL" ]; then $(BIN)/python benchmarks/bench_load.py; fi

system-packages:
	@tools/ensure-debian-packages $(RUN_PACKAGES) $(if $(shell $(PYTHON) -c 'import ensurepip' 2>/dev/null || echo no),python3-venv)

system-packages-test:
	@tools/ensure-debian-packages $(TEST_PACKAGES) $(if $(shell $(PYTHON) -c 'import ensurepip' 2>/dev/null || echo no),python3-venv)

system-packages-bench:
	@tools/ensure-debian-packages $(BENCH_PACKAGES) $(if $(shell $(PYTHON) -c 'import ensurepip' 2>/dev/null || echo no),python3-venv)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable .
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable '.[test]'
	@touch $@ $(VENV)/.run-installed

# The benchmarks' extras too: pypardiso (with mkl, ~230 MB), the solver bw2calc uses when it can, so
# that benchmarks/bench_engine.py compares with bw2calc at its best. Not for `make test` (CI).
$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable '.[test,bench]'
	@touch $@ $(VENV)/.test-installed $(VENV)/.run-installed

translations: $(MO_FILES)

# After adding or changing interface text: collect the strings and merge them into the catalogue,
# then translate what `make test` (tests/test_i18n.py) reports as missing.
messages: $(VENV)/.run-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k lazy_pgettext:1c,2 -k pgettext:1c,2 --no-location --sort-output -o workbench/translations/messages.pot .
	$(BIN)/pybabel update -i workbench/translations/messages.pot -d workbench/translations --no-fuzzy-matching --ignore-obsolete

%.mo: %.po $(VENV)/.run-installed
	$(BIN)/pybabel compile --statistics -i $< -o $@
