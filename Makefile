# trainset: two commands from a fresh clone.
#   make dataset   set up .venv, build ticket_triage on the bundled sample, export it
#   make test      every check: lint, dbt build (models, unit and data tests), pytest
#   make test-slow   the tests that build desks of their own (minutes; CI runs them)
#   make test-spark  the same project on Apache Spark, compared with DuckDB

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark

# dbt reads profiles.yml from the project, and never phones home.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
# Spark binds to loopback: this machine's name resolves there anyway.
export SPARK_LOCAL_IP ?= 127.0.0.1

# make test's own dbt target and database: the user's build in target/ (its
# artifacts, its DuckDB file and the build record in it) stays as it was.
TEST_DBT := DBT_TARGET_PATH=$(CURDIR)/target/make-test DBT_LOG_PATH=$(CURDIR)/target/make-test/logs \
	TRAINSET_DB=$(CURDIR)/target/make-test/trainset.duckdb TRAINSET_TEMP_DIR=$(CURDIR)/target/make-test/tmp

.PHONY: setup spark-setup dataset build test test-slow test-spark lint lint-sql lint-python dbt-test pytest browser sample docs docs-site bench bench-spark clean

setup: $(STAMP)

# One constraints file pins every package, so no later install breaks lint.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# The Spark extras, pinned in the same constraints file.
spark-setup: $(SPARK_STAMP)

$(SPARK_STAMP): $(STAMP)
	@command -v java >/dev/null || { echo "error: java not found: Spark needs Java 17" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,spark]'
	touch $@

dataset: setup
	$(BIN)/trainset build
	$(BIN)/trainset export ticket_triage

build: setup
	$(BIN)/trainset build

lint: lint-sql lint-python

# Its own target and database: it runs beside dbt-test, and dbt's templater
# opens both.
LINT_DBT := DBT_TARGET_PATH=$(CURDIR)/target/lint DBT_LOG_PATH=$(CURDIR)/target/lint/logs \
	TRAINSET_DB=$(CURDIR)/target/lint/trainset.duckdb TRAINSET_TEMP_DIR=$(CURDIR)/target/lint/tmp

lint-sql: setup
	$(LINT_DBT) $(BIN)/sqlfluff lint --processes 2 models tests macros

# mypy --strict on python/trainset (the config is in pyproject.toml).
lint-python: setup
	$(BIN)/ruff check python bench
	$(BIN)/ruff format --check python bench
	$(BIN)/mypy --cache-dir target/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline --min-severity medium --quiet .github

# pytest on both cores; a module's tests stay on one worker, so its
# fixtures are built once.
PYTEST := $(BIN)/pytest -n $(or $(WORKERS),2) --dist loadscope

# From an empty database, so the build is the one a fresh clone makes.
dbt-test: setup
	rm -f target/make-test/trainset.duckdb target/make-test/trainset.duckdb.wal
	$(TEST_DBT) $(BIN)/trainset build

# The fast tier reads the sample build dbt-test has just made, not a second.
pytest: setup browser dbt-test
	TRAINSET_SAMPLE_BUILD=$(CURDIR)/target/make-test $(PYTEST)

# The tests marked slow: each builds desks of its own, and says why.
test-slow: setup browser
	$(PYTEST) -m slow

# The profile report's browser test needs Debian's chromium and chromedriver.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium and chromium-driver for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "warning: chromium missing and not root: the browser test will skip" >&2; fi; }

# Lint and the sample's build run side by side (each one's output kept
# together), then the fast tier of pytest over that build.
test: setup browser
	@$(MAKE) --no-print-directory --output-sync=target -j3 lint-sql lint-python dbt-test
	TRAINSET_SAMPLE_BUILD=$(CURDIR)/target/make-test $(PYTEST)

# dbt build --target spark on the sample, its export, and the comparison
# with DuckDB's export (python/tests/test_spark.py). Its own target folder,
# so DuckDB's build and exports stay as they are.
test-spark: spark-setup
	$(BIN)/pytest -m spark

# Regenerate the bundled sample in seeds/desk_sample (deterministic).
sample: setup
	$(BIN)/trainset sample --out seeds/desk_sample

# Benchmarks report what they measure in one run; they are never timed tests.
bench: setup
	$(BIN)/python bench/run.py $(if $(SMALL),--small)

# The Spark row of docs/benchmarks.md: 1M tickets on both engines.
bench-spark: spark-setup
	$(BIN)/python bench/spark.py

# docs/profile.png, the profile report's screenshot, made by trainset itself.
docs: dataset browser
	TRAINSET_WRITE_RELIABILITY=1 $(BIN)/pytest -q -m reliability
	$(BIN)/trainset baseline exports/ticket_triage/v2
	$(BIN)/trainset audit exports/ticket_triage/v2
	$(BIN)/trainset profile exports/ticket_triage/v2 --screenshot docs/profile.png

# dbt's docs site, in its own target folder, for the user's build (built
# first when there is none), served on loopback only until Ctrl-C.
# DOCS_FLAGS=--no-compile skips compiling the SQL (faster; the browser
# test uses it on a copy of a build's target, which has it compiled).
DOCS_PORT ?= 8080
DOCS_SITE ?= target/docs-site
DOCS_FLAGS ?=
docs-site: setup
	test -f "$${TRAINSET_DB:-target/trainset.duckdb}" || $(BIN)/trainset build
	$(BIN)/dbt docs generate --target-path $(abspath $(DOCS_SITE)) $(DOCS_FLAGS)
	@echo "dbt docs: http://127.0.0.1:$(DOCS_PORT)/ (Ctrl-C stops)"
	$(BIN)/python -m http.server $(DOCS_PORT) --bind 127.0.0.1 --directory $(DOCS_SITE)

clean:
	rm -rf target logs exports
