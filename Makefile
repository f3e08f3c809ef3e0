# Puls: `make run` starts the app on demo data, `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app tracker

.PHONY: run test lint migrations-check venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,prod]'
	touch $@

run: venv
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: venv
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .

# Applies every migration to an empty database and checks models agree.
migrations-check: venv
	rm -rf .ci-migrate && mkdir .ci-migrate
	DATABASE_URL=sqlite:///$(CURDIR)/.ci-migrate/check.db $(FLASK) db upgrade
	DATABASE_URL=sqlite:///$(CURDIR)/.ci-migrate/check.db $(FLASK) db check
	rm -rf .ci-migrate

clean:
	rm -rf $(VENV) .ci-migrate
