# Child contact centres API. The two commands a newcomer needs:
#   make run    start a local PostgreSQL (unless DATABASE_URL is set), migrate, serve
#   make test   everything CI checks, against a real PostgreSQL
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO   ?= cargo
VENV    := .tools/venv
REDOCLY := tools/node_modules/.bin/redocly
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true
export CARGO_TERM_COLOR ?= never

# The database URL the service uses: DATABASE_URL, or the project-local cluster.
APP_DB  = $${DATABASE_URL:-$$(scripts/pg.sh url ccc)}
# The server integration tests make their databases on.
TEST_DB = $${TEST_DATABASE_URL:-$${DATABASE_URL:-$$(scripts/pg.sh url postgres)}}

.PHONY: help run stop db migrate import-postcodes seed-demo schema openapi test fmt-check clippy nextest pg-restart spec-lint clients schemathesis bench tools

help:
	@echo "make run      start PostgreSQL if needed, migrate, serve on http://127.0.0.1:8080 (docs at /docs/)"
	@echo "make stop     stop the project-local PostgreSQL"
	@echo "make import-postcodes [POSTCODES=path]  (re)load OS Code-Point Open"
	@echo "make seed-demo [DEMO=force]             load the demo directory"
	@echo "make test     fmt, clippy, unit + integration tests, spec checks, schemathesis"
	@echo "make bench    release build under load (wrk, 64 connections): req/s, p50, p99"
	@echo "make openapi  regenerate openapi/openapi.json"
	@echo "make schema   regenerate src/schema.rs from the migrations"

# Starts the project-local cluster unless DATABASE_URL names another database.
db:
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/pg.sh start; fi

# Local development secrets: made once per checkout, random, git-ignored.
DEV_SECRETS := .tools/dev-secrets.env
$(DEV_SECRETS):
	@mkdir -p .tools
	@{ echo "JWT_SECRET=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"; \
	   echo "BOOTSTRAP_ADMIN_EMAIL=admin@ccc.localhost"; \
	   echo "BOOTSTRAP_ADMIN_PASSWORD=$$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')"; } > $@
	@chmod 600 $@

# OS Code-Point Open, imported by `make run` when present (see README, Postcodes).
POSTCODES ?= ../shared/data/codepoint-open/postcodes.csv.gz
# `make run DEMO=force` loads the demo directory even when other centres exist;
# DEMO=no skips it.
DEMO ?= yes
# Where `make run` writes each message the service sends (MAIL_TRANSPORT=files).
MAIL_DIR ?= $(CURDIR)/.tools/mail

run: db $(DEV_SECRETS)
	@command -v $(CARGO) >/dev/null || { echo "cargo is required (https://rustup.rs)"; exit 1; }
	$(CARGO) build --bin ccc
	DATABASE_URL="$(APP_DB)" ./target/debug/ccc migrate
	@if [ -f "$(POSTCODES)" ]; then DATABASE_URL="$(APP_DB)" ./target/debug/ccc import-postcodes --if-empty "$(POSTCODES)"; \
	  else echo "$(POSTCODES) not found: postcode districts only (see README, Postcodes)"; fi
	@case "$(DEMO)" in \
	  no) ;; \
	  force) DATABASE_URL="$(APP_DB)" ./target/debug/ccc seed-demo --force ;; \
	  *) DATABASE_URL="$(APP_DB)" ./target/debug/ccc seed-demo ;; \
	esac
	@set -a; . ./$(DEV_SECRETS); set +a; \
	  echo "First network admin (created if none exists): $$BOOTSTRAP_ADMIN_EMAIL / $$BOOTSTRAP_ADMIN_PASSWORD (from $(DEV_SECRETS))"; \
	  echo "Messages (invitations, one-time codes, word of letters) are written to $(MAIL_DIR)/ as .eml files: open the newest."; \
	  DATABASE_URL="$(APP_DB)" JWT_SECRET="$${JWT_SECRET}" MAIL_TRANSPORT="$${MAIL_TRANSPORT:-files}" MAIL_DIR="$(MAIL_DIR)" \
	    JOBS_INTERVAL_SECS="$${JOBS_INTERVAL_SECS:-5}" exec ./target/debug/ccc serve

migrate: db
	DATABASE_URL="$(APP_DB)" $(CARGO) run -q --bin ccc -- migrate

# Loads (or reloads) the full postcode table: make import-postcodes [POSTCODES=path]
import-postcodes: db
	DATABASE_URL="$(APP_DB)" $(CARGO) run -q --bin ccc -- import-postcodes "$(POSTCODES)"

# Loads the demo directory if the database has no centres (DEMO=force: even if it has).
seed-demo: db
	DATABASE_URL="$(APP_DB)" $(CARGO) run -q --bin ccc -- seed-demo $(if $(filter force,$(DEMO)),--force,)

# Regenerates src/schema.rs from the migrations (installs diesel_cli if missing).
schema: db
	@command -v diesel >/dev/null || $(CARGO) install diesel_cli --no-default-features --features postgres --locked
	scripts/pg.sh psql -d postgres -qc "DROP DATABASE IF EXISTS ccc_schema WITH (FORCE)" -c "CREATE DATABASE ccc_schema"
	diesel migration run --database-url "$$(scripts/pg.sh url ccc_schema)" --migration-dir migrations
	diesel print-schema --database-url "$$(scripts/pg.sh url ccc_schema)" > src/schema.rs

stop:
	@scripts/pg.sh stop

openapi:
	$(CARGO) run -q --bin gen_openapi -- openapi/openapi.json

# --- test -------------------------------------------------------------------

test: fmt-check clippy db tools nextest pg-restart spec-lint clients schemathesis
	@echo "make test: all checks passed"

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --all-targets --locked -- -D warnings

# Unit and integration tests (these include: the committed spec is fresh, and
# every migration goes up, down and up again).
nextest: db
	@command -v cargo-nextest >/dev/null || $(CARGO) install cargo-nextest --locked
	scripts/test-dbs.sh "$(TEST_DB)"
	TEST_DATABASE_URL="$(TEST_DB)" $(CARGO) nextest run --locked --no-fail-fast
	scripts/test-dbs.sh "$(TEST_DB)"

# The project-local cluster comes back on its own port after a stop.
pg-restart:
	scripts/test-pg-restart.sh

# Clients generated from the committed spec, as partners make them: the Python
# client, @hey-api/openapi-ts and orval must generate without a warning, and a
# TypeScript program using the openapi-typescript types must type-check under
# --strict.
clients: tools
	rm -rf target/clients && mkdir -p target/clients tools/clients/generated
	$(VENV)/bin/openapi-python-client generate --path openapi/openapi.json \
	  --output-path target/clients/python --config tools/clients/openapi-python-client.yaml \
	  --fail-on-warning
	tools/node_modules/.bin/openapi-typescript openapi/openapi.json -o tools/clients/generated/api.d.ts
	tools/node_modules/.bin/tsc -p tools/clients/tsconfig.json
	cd tools/clients && ../node_modules/.bin/openapi-ts -i ../../openapi/openapi.json \
	  -o ../../target/clients/heyapi >../../target/clients/heyapi.log 2>&1
	cd tools/clients && ../node_modules/.bin/orval --config orval.config.cjs >../../target/clients/orval.log 2>&1
	@! grep -i -B2 -A2 warn target/clients/heyapi.log target/clients/orval.log

spec-lint: tools
	$(VENV)/bin/openapi-spec-validator openapi/openapi.json
	$(REDOCLY) lint --config tools/redocly.yaml openapi/openapi.json

schemathesis: db tools clients
	$(CARGO) build --locked --bin ccc
	scripts/schemathesis.sh "$(TEST_DB)"

# --- bench -------------------------------------------------------------------

bench: db
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(CARGO) build --release --locked --bin ccc --example openloop
	scripts/bench.sh "$(TEST_DB)"

# --- tools (installed on first use, idempotent) ------------------------------

tools: $(VENV)/.installed tools/node_modules/.installed

$(VENV)/.installed: tools/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	touch $@

tools/node_modules/.installed: tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	touch $@
