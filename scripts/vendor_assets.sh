#!/usr/bin/env bash
# Copy the npm-installed front-end assets the templates use into static/vendor (served by Django/whitenoise).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=static/vendor
rm -rf "$dest" && mkdir -p "$dest/uswds" "$dest/htmx" "$dest/axe"
cp -r node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/js \
      node_modules/@uswds/uswds/dist/img node_modules/@uswds/uswds/dist/fonts "$dest/uswds/"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
cp node_modules/axe-core/axe.min.js "$dest/axe/"
