# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test lint typecheck i18n clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The real bot (`coopbot serve`) when Slack credentials are configured, else the local sandbox (it says which),
# on port 3000 unless given another: `make run PORT=3001`.
PORT ?= 3000
run: $(STAMP)
	$(BIN)/python -m bot.devtools.run_or_sandbox --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite runs in parallel, a worker a core up to four (pytest-xdist; each worker migrates its own SQLite file
# and PostgreSQL schema, and holds its own connections: PostgreSQL allows 100 by default). The test that restarts
# PostgreSQL (COOPBOT_TEST_PG_RESTART=1, as CI sets) would cut every other worker's connections: it runs first, alone.
PARALLEL = -n auto --maxprocesses 4 --dist worksteal
test: $(STAMP) lint typecheck
ifeq ($(COOPBOT_TEST_PG_RESTART),1)
	$(BIN)/pytest -m pg_restart
	$(BIN)/pytest $(PARALLEL) -m "not pg_restart"
else
	$(BIN)/pytest $(PARALLEL)
endif

# Translations: extract every string from the source into bot/locale/coopbot.pot, then merge it into
# each language's .po (new entries arrive empty, changed ones fuzzy: translate them, tests/test_i18n.py checks).
POT     = bot/locale/coopbot.pot
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k gettext -k ngettext:1,2 -k N_ -k _ \
		--project coopbot --width 120 --sort-by-file -o $(POT) bot handlers scheduler
	test -f bot/locale/zh_CN/LC_MESSAGES/coopbot.po || \
		$(BIN)/pybabel init -i $(POT) -d bot/locale -D coopbot -l zh_CN --width 120
	$(BIN)/pybabel update -i $(POT) -d bot/locale -D coopbot --width 120 --previous

bench: $(STAMP)
	$(BIN)/python bench/request_path.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/fanout.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
