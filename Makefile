# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test fuzz browser install install-dev demo fixtures benchmarks clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Install, migrate, load the corpus and the demo users, start the server on SQLite.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py setup_demo
	@echo ""
	@echo "  Public portal: http://$(HOST):$(PORT)/    members: http://$(HOST):$(PORT)/my/"
	@echo "  Admin (staff, liaisons): http://$(HOST):$(PORT)/admin/    API: http://$(HOST):$(PORT)/api/"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

## Production-like: PostgreSQL, DEBUG off, collected static files served by WhiteNoise, gunicorn
## (config/gunicorn_conf.py). No demo data. DATABASE_URL must name a PostgreSQL database; without
## DJANGO_SECRET_KEY one is made once and kept in var/secret_key.
serve: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make serve: set DATABASE_URL=postgres://USER@HOST:5432/NAME (PostgreSQL is the production database)" >&2; exit 2;; esac
	@mkdir -p var && test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	@chmod 600 var/secret_key
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)} $(PY) manage.py migrate --noinput
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)} $(PY) manage.py createcachetable
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)} $(PY) manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "  Tracker: http://$(HOST):$(PORT)/   health: http://$(HOST):$(PORT)/health/   (plain HTTP: DJANGO_SECURE_SSL_REDIRECT=false here; put HTTPS in front in production)"
	@echo ""
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)} DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-false} \
	  GUNICORN_BIND=$${GUNICORN_BIND:-$(HOST):$(PORT)} $(VENV)/bin/gunicorn -c config/gunicorn_conf.py config.wsgi

## Run the whole test suite (SQLite unless DATABASE_URL says otherwise).
# No createcachetable here: Django creates the test database's cache table with its tables.
test: install-dev browser
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q $(PYTEST_ARGS)

## Debian's Chromium and CJK fonts for the browser tests (tests/browser), when missing. Playwright
## drives this browser; `playwright install` (a download from outside) is never used.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

## Fuzz the API from its OpenAPI schema for every role (Schemathesis; needs PostgreSQL, see .ci/fuzz_api.py).
fuzz: install-dev
	$(PY) .ci/fuzz_api.py $(FUZZ_ARGS)

## Regenerate fixtures/ from the bundled corpus, in a throwaway database so that the output
## depends on the corpus alone (tests/replies/test_import_command.py checks it is up to date).
FIXTURES_DB := sqlite:///$(CURDIR)/.fixtures-build.sqlite3
fixtures: install
	rm -f .fixtures-build.sqlite3
	DATABASE_URL=$(FIXTURES_DB) $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(FIXTURES_DB) $(PY) manage.py import_corpus fixtures/corpus --dry-run --fixtures fixtures/corpus.json
	rm -f .fixtures-build.sqlite3

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
