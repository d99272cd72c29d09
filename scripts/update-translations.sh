#!/usr/bin/env bash
# Extract the pages' translatable text and merge it into every catalogue under
# src/certmint/web/locale: new messages arrive untranslated, removed ones are dropped.
# Then translate the empty msgstr entries (docs/translations.md); tests/web/test_i18n.py fails
# while any is missing. Usage: scripts/update-translations.sh [LANG-TO-ADD]
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
LOCALE=src/certmint/web/locale
pot=$(mktemp --suffix .pot)
trap 'rm -f "$pot"' EXIT
"$PYBABEL" extract -F "$LOCALE/babel.cfg" --no-location --sort-output --omit-header \
  --project Certmint -o "$pot" src/certmint
if [ $# -gt 0 ]; then
  "$PYBABEL" init -i "$pot" -d "$LOCALE" -l "$1" --no-wrap
fi
"$PYBABEL" update -i "$pot" -d "$LOCALE" --no-wrap --no-fuzzy-matching --ignore-obsolete \
  --ignore-pot-creation-date
