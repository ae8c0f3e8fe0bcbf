#!/usr/bin/env bash
# `make run`: the embedded portal. Web server, a real Celery worker with beat on the embedded broker
# (kombu's filesystem transport; its files live in var/broker, see exportai/broker.py).
# Ctrl-C stops exactly the processes this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/media
# Links in e-mail point at this server unless the environment names the portal's public address.
export EXPORTAI_SITE_URL=${EXPORTAI_SITE_URL:-http://$HOST:$PORT}

# The fixed TOTP secret the demo seed enrolled the staff logins with (exportai/settings.py, docs/security.md).
TOTP_SECRET=$($PY manage.py shell -v0 -c "from django.conf import settings; print(settings.EXPORTAI_DEMO_TOTP_SECRET)")

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

  commerce, exim and admin then need a two-factor code (TOTP). Add this secret to any
  authenticator app, or get the current code from the command line:
    secret  $TOTP_SECRET
    code    oathtool --totp -b $TOTP_SECRET   (or: .venv/bin/python manage.py demo_totp_code)

  Ctrl-C stops the web server, the worker and beat.

MSG
wait -n "${pids[@]}"
