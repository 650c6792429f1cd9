# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
VENV_STAMP := .venv/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run dev install assets migrate demo serve worker scheduler test test-fast e2e browsers lint fmt bench eval clean

run: install assets migrate demo serve

install: $(VENV_STAMP) $(NODE_STAMP)

$(VENV_STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(NODE_STAMP) $(VENV_STAMP)
	$(PY) manage.py vendorassets
	$(PY) manage.py collectstatic --noinput -v0

migrate: $(VENV_STAMP)
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py loaddemo

# Serves the site with gunicorn (deploy/gunicorn.conf.py: several worker processes, WEB_CONCURRENCY),
# a task worker and the scheduler beside it; Ctrl-C stops all three. `make dev` uses Django's
# auto-reloading development server instead (one process: for editing code, not for real use).
serve:
	@trap 'kill 0' EXIT; \
	$(PY) manage.py db_worker --queue-name '*' >var/worker.log 2>&1 & \
	$(PY) manage.py scheduler >var/scheduler.log 2>&1 & \
	$(PY) manage.py showdemo --url http://$(HOST):$(PORT)/; \
	GUNICORN_BIND=$(HOST):$(PORT) WEB_CONCURRENCY=$${WEB_CONCURRENCY:-3} $(PY) -m gunicorn -c deploy/gunicorn.conf.py

dev: install assets migrate demo
	@trap 'kill 0' EXIT; \
	$(PY) manage.py db_worker --queue-name '*' >var/worker.log 2>&1 & \
	$(PY) manage.py scheduler >var/scheduler.log 2>&1 & \
	$(PY) manage.py showdemo --url http://$(HOST):$(PORT)/; \
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

# Debian's chromium drives the browser tests (Playwright downloads no browser here); CJK fonts make
# screenshots legible.
browsers:
	@(command -v chromium >/dev/null && fc-list :lang=zh | grep -q .) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

test: install assets browsers
	$(PY) -m pytest -n 2 --dist loadfile --durations=30

test-fast: install
	$(PY) -m pytest -n 2 --dist loadfile -m "not e2e"

e2e: install assets browsers
	$(PY) -m pytest -m e2e

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

fmt: install
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

bench: install
	$(PY) bench/run.py

# Near-duplicate retrieval on the real taidi2020 messages (../shared/data/taidi2020) against TF-IDF and
# BM25 baselines, the queues' 疑似重复 groups (bench/eval_duplicates.py) against a character 2-gram
# TF-IDF baseline, the 撰写助手 rules, and the 热点 clustering against a k-means baseline; `make bench`
# runs them too. Their sections of bench/RESULTS.md only.
eval: install
	$(PY) bench/run.py --only eval,hottopics

clean:
	rm -rf .venv node_modules zhengxie/static/vendor var/static
