#!/usr/bin/env bash
# Renders the web reference with `rebound codes site`, opens the 551 page and the index in
# headless Chromium (Debian package `chromium`) and checks what a person would see: the
# at-a-glance table and the key content of the 551 page, and that the index's filter box
# filters (the index is opened with ?q=TSS04, which the filter script applies on load).
# Screenshots are saved for a person to look at.
#
# Usage: tests/web/check-site.sh [REBOUND_BINARY] [OUTDIR]
#   REBOUND_BINARY  default: target/debug/rebound (built with cargo if missing)
#   OUTDIR          default: a temporary directory; screenshots go to OUTDIR/screenshots
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-"$root/target/debug/rebound"}
out=${2:-$(mktemp -d)}
chromium=${CHROMIUM:-chromium}

if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build -p rebound)
fi
command -v "$chromium" >/dev/null || { echo "check-site: $chromium not found (apt-get install -y chromium)" >&2; exit 2; }

site="$out/site"
shots="$out/screenshots"
mkdir -p "$site" "$shots"
"$bin" codes site "$site"

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
browse() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --virtual-time-budget=3000 "$@" 2>/dev/null
}

fail=0
expect() { # expect FILE TEXT...: each TEXT must occur in FILE
  local file=$1; shift
  for text in "$@"; do
    if ! grep -qF -- "$text" "$file"; then
      echo "check-site: FAIL: $(basename "$file") lacks: $text" >&2
      fail=1
    fi
  done
}

# The 551 page: the at-a-glance table and the sections, as rendered by the browser.
browse --dump-dom "file://$site/551.html" > "$out/551.dom.html"
expect "$out/551.dom.html" \
  '<table class="glance">' 'At a glance' '<span class="badge b-hard">hard</span>' \
  'What to do' 'RFC 5321, sections 3.4, 4.2.3 and 7.4' 'How it plays out' 'Soft or hard?' \
  'list-quality signal' 'never followed automatically' 'Questions people ask' '251.html'
browse --screenshot="$shots/551.png" --window-size=1280,1900 "file://$site/551.html"

# The index: every group present; with ?q=TSS04 the filter leaves exactly one code visible.
browse --dump-dom "file://$site/index.html" > "$out/index.dom.html"
expect "$out/index.dom.html" 'id="filter"' 'Basic reply codes 5xx' 'Enhanced status X.7.XXX' \
  'Provider codes: Yahoo' 'By category' "$(grep -o '<tr data-search' "$site/index.html" | wc -l) codes"
browse --dump-dom "file://$site/index.html?q=tss04" > "$out/index-filtered.dom.html"
expect "$out/index-filtered.dom.html" '<span id="count" class="muted">1 code</span>'
visible=$(grep -o '<tr data-search="[^"]*" data-category="[^"]*">' "$out/index-filtered.dom.html" | grep -c . || true)
hidden=$(grep -o '<tr data-search="[^"]*" data-category="[^"]*" hidden="">' "$out/index-filtered.dom.html" | grep -c . || true)
if [ "$visible" != 1 ] || [ "$hidden" -lt 200 ]; then
  echo "check-site: FAIL: filter ?q=tss04 shows $visible rows, hides $hidden" >&2
  fail=1
fi
browse --screenshot="$shots/index.png" --window-size=1280,1400 "file://$site/index.html"
browse --screenshot="$shots/index-filtered.png" --window-size=1280,900 "file://$site/index.html?q=tss04"

echo "check-site: pages in $site, screenshots in $shots"
[ "$fail" = 0 ] && echo "check-site: ok"
exit "$fail"
