# The two commands: `make run` and `make test`. Each does all the set-up it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
# Links in emails are built from PUBLIC_URL; locally that is the address `make run` serves.
PUBLIC_URL ?= http://$(HOST):$(PORT)
export PUBLIC_URL

.PHONY: run test lint setup assets database clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

app/static/css/app.css: node_modules/.package-lock.json assets/scss/app.scss scripts/build-assets.mjs
	node scripts/build-assets.mjs

assets: app/static/css/app.css

setup: $(BIN)/.installed assets

database: setup
	$(BIN)/python -m app.instance_setup
	$(BIN)/als db upgrade
	$(BIN)/als programme

run: database
	@echo "Serving Action Learning Sets on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	@echo "Staff sign in at http://$(HOST):$(PORT)/staff/login; create an account with:"
	@echo "  $(BIN)/als create-user you@example.org --role organiser --generate"
	$(BIN)/als run --host $(HOST) --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

test: setup lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) node_modules app/static/css app/static/js/govuk-frontend.min.js app/static/govuk
