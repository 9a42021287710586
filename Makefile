# Opvangloket: two commands on a fresh machine.
#   make demo   set up, migrate, seed the demo region and serve on 0.0.0.0:8000
#   make test   install what the tests need and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# `make test` runs the suite on this many processes (pytest-xdist, a test module per
# process, each with its own test database); PYTEST_WORKERS=0 runs it in this one.
PYTEST_WORKERS ?= 2
export OPVANGLOKET_BASE_DOMAIN ?= localhost

.PHONY: demo test install migrate seed serve jobs lint format messages db-stop bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate_platform

seed: migrate
	$(BIN)/python manage.py seed_demo --port $(PORT)

demo: seed
	DEBUG=1 EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend OPVANGLOKET_PUBLIC_PORT=$(PORT) \
		OPVANGLOKET_PLATFORM_CONTACT=$${OPVANGLOKET_PLATFORM_CONTACT:-contact@demo.test} \
		$(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

# Background jobs (reminders, lapses, expiring offers, draft purge) every 5 minutes,
# beside `make demo` in a second terminal; e-mail is printed to the console.
jobs: migrate
	DEBUG=1 EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend OPVANGLOKET_PUBLIC_PORT=$(PORT) \
		OPVANGLOKET_PLATFORM_CONTACT=$${OPVANGLOKET_PLATFORM_CONTACT:-contact@demo.test} \
		$(BIN)/python manage.py run_jobs --every 300

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate translation catalogues (needs GNU gettext: apt-get install gettext).
messages: install
	$(BIN)/python manage.py makemessages -l nl -l fr --no-obsolete \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'staticfiles/*' --ignore '.local/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv'

db-stop:
	-$(BIN)/python -c "import pgserver; pgserver.get_server('.local/pgdata', cleanup_mode='stop')"

clean:
	rm -rf $(VENV) .local staticfiles test-artifacts
