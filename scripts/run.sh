#!/usr/bin/env bash
# `make run`: the embedded portal. Web server, a real Celery worker with beat on the filesystem broker.
# Ctrl-C stops exactly the processes this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/broker var/broker-processed var/media

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/celery -A exportai worker --beat --loglevel=INFO --concurrency=2 \
  -Q intake,commerce,exim,documents,notify --schedule var/celerybeat-schedule &
pids+=($!)
$PY manage.py runserver --noreload "$HOST:$PORT" &
pids+=($!)

cat <<MSG

  ExportAI Portal is running at http://$HOST:$PORT/
  API docs: http://$HOST:$PORT/api/docs/    Admin: http://$HOST:$PORT/admin/

  Demo logins (password for all: exportai-demo-2026)
    atlas.lead      Atlas consortium, anchor lead (may submit)
    atlas.editor    Atlas consortium, editor
    meridian.lead   Meridian consortium, anchor lead
    commerce        Commerce reviewer (BIS)
    exim            EXIM officer
    admin           Program administrator (Django admin)

  Ctrl-C stops the web server, the worker and beat.

MSG
wait -n "${pids[@]}"
