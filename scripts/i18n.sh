#!/usr/bin/env bash
# Translations of the user interface (Flask-Babel). For maintainers. Only the .po files are committed, sorted
# and without source locations, so that parallel branches adding strings rarely conflict; `make install`
# and the Dockerfile compile them into .mo files.
#
#   scripts/i18n.sh extract   # templates + Python -> lti_tool/translations/messages.pot
#   scripts/i18n.sh update    # extract, then merge new/changed msgids into every language's .po
#   scripts/i18n.sh compile   # .po -> .mo (`make install` does this; the .mo files are build output, not committed)
#   scripts/i18n.sh init LANG # start a new language (also add it to SUPPORTED_LOCALES in lti_tool/web/i18n.py)
#   scripts/i18n.sh           # update + compile
#
# After `update`, translate every empty or "fuzzy" entry before compiling: tests/unit/web/test_i18n.py
# fails on an empty or fuzzy msgstr, and on a msgstr whose %(name)s placeholders differ from its msgid.
set -euo pipefail
cd "$(dirname "$0")/.."

PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
DIR=lti_tool/translations
POT="$DIR/messages.pot"
LANGUAGES=(it es fi bg fr nl)

# The creation dates change on every run and would make every branch touch the same header line.
drop_dates() {
  sed -i -e '/^"POT-Creation-Date: /d' -e '/^"PO-Revision-Date: /d' "$@"
}

extract() {
  "$PYBABEL" extract -F babel.cfg -k lazy_gettext -k _l -k N_ --add-comments=TRANSLATORS: \
    --no-location --sort-output --project="MASTERY Tool" --copyright-holder="MASTERY consortium" -o "$POT" .
  drop_dates "$POT"
}

update() {
  extract
  for lang in "${LANGUAGES[@]}"; do
    if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
      "$PYBABEL" update --ignore-obsolete -i "$POT" -d "$DIR" -l "$lang"
    else
      "$PYBABEL" init -i "$POT" -d "$DIR" -l "$lang"
    fi
  done
  drop_dates "$DIR"/*/LC_MESSAGES/messages.po
}

compile() {
  "$PYBABEL" compile -d "$DIR" --statistics
}

case "${1:-all}" in
  extract) extract ;;
  update) update ;;
  compile) compile ;;
  init) extract; "$PYBABEL" init -i "$POT" -d "$DIR" -l "${2:?usage: scripts/i18n.sh init LANG}" ;;
  all) update; compile ;;
  *) echo "usage: scripts/i18n.sh [extract|update|compile|init LANG]" >&2; exit 2 ;;
esac
