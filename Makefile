# The commands README.md shows. `make run` and `make test` work on a fresh machine with Python and Node.
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv

.PHONY: run test bench lint fmt docs deps assets migrate seed clean

$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet uv==0.13.9
	$(UV) sync --frozen --quiet
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

static/vendor/.copied: node_modules/.installed scripts/vendor_assets.sh
	./scripts/vendor_assets.sh
	touch $@

deps: $(VENV)/.synced
assets: static/vendor/.copied

migrate: deps
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_reference_data

seed: migrate
	$(PY) manage.py seed_demo

run: deps assets seed
	./scripts/run.sh

test: deps assets
	$(PY) scripts/test_env.py $(PYTEST_ARGS)

# The bench's own database (never a test database); EXPORTAI_BENCH_PROPOSALS sets the size (100000).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/exportai_bench

bench: deps
	DATABASE_URL=$(BENCH_DATABASE_URL) EXPORTAI_BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) \
	$(PY) scripts/test_env.py bench --ds=bench.settings -o python_files="bench_*.py" \
	-o python_functions="bench_*" -p no:cacheprovider -s -q $(BENCH_ARGS)
	# Screening, the dossier PDF and the pipeline CSV's memory at 500-10,000 rows, and the worst
	# bill-of-materials files' CPU and memory: their own test database (pytest-django), not the
	# seeded one; so without bench/conftest.py.
	$(PY) scripts/test_env.py --noconftest -p no:cacheprovider -s -q \
	bench/bench_screening.py bench/bench_dossier.py bench/bench_exim_csv.py bench/bench_bom_import.py \
	bench/bench_bom_load.py

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

# docs/api.md from the OpenAPI schema; tests/docs fails until it is regenerated after an API change.
docs: deps
	$(PY) scripts/api_docs.py

fmt: deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var db.sqlite3 db.sqlite3-* staticfiles
