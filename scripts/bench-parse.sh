#!/usr/bin/env bash
# Throughput of `rebound parse` against Sisimai (Perl, Debian's libsisimai-perl) on the same
# files, one thread each; prints messages per second and the ratio. Optionally (--memory)
# builds a ~1 GB mbox in /tmp by repeating the corpus and reports rebound's peak memory
# (/usr/bin/time -v). Not part of `cargo test`; needs ../shared (the Sisimai corpus).
#
#   scripts/bench-parse.sh [--repeat N] [--memory] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${SHARED:-$(cd .. && pwd)/shared}"
[ -d "$SHARED/corpus/sisimai" ] || SHARED=/work/shared
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
repeat=20; memory=0; build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift ;;
    --memory) memory=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--repeat N] [--memory] [--no-build]" >&2; exit 2 ;;
  esac
  shift
done
[ "$build" = 1 ] && cargo build --release -q -p rebound
BIN="$CARGO_TARGET_DIR/release/rebound"
perl -MSisimai -e1 2>/dev/null || { echo "needs Sisimai: apt-get install -y libsisimai-perl" >&2; exit 2; }
SET="$SHARED/corpus/sisimai/emails/maildir/bsd"
msgs=$(ls "$SET"/*.eml | wc -l)
# Sisimai: one pass over the files (it is the slow side), wall clock.
t0=$(date +%s.%N)
perl "$SHARED/tools/sisimai/run_sisimai.pl" --out /dev/null "$SET" 2>/dev/null
t1=$(date +%s.%N)
# Rebound: the same files given `repeat` times in one run, one thread (page cache hot).
args=(); for _ in $(seq "$repeat"); do args+=("$SET"); done
"$BIN" parse --json "$SET" > /dev/null   # warm the cache
t2=$(date +%s.%N)
"$BIN" parse --json --jobs 1 "${args[@]}" > /dev/null
t3=$(date +%s.%N)
python3 - "$msgs" "$repeat" "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
m, r = int(sys.argv[1]), int(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:])
s = m / (t1 - t0); rb = m * r / (t3 - t2)
print("sisimai  %8d messages in %6.2f s  %10.0f messages/s" % (m, t1 - t0, s))
print("rebound  %8d messages in %6.2f s  %10.0f messages/s" % (m * r, t3 - t2, rb))
print("ratio    %.1fx Sisimai (one thread each, --json output to /dev/null)" % (rb / s))
PY
if [ "$memory" = 1 ]; then
  mbox=/tmp/rebound-bench-1g.mbox
  if [ ! -s "$mbox" ]; then
    one=$(mktemp)
    for f in "$SET"/*.eml; do echo "From MAILER-DAEMON Thu Jan  1 00:00:00 2026"; sed 's/^From />From /' "$f"; echo; done > "$one"
    size=$(stat -c %s "$one"); n=$(( (1 << 30) / size + 1 ))
    for _ in $(seq "$n"); do cat "$one"; done > "$mbox"; rm -f "$one"
  fi
  /usr/bin/time -v "$BIN" parse --json "$mbox" 2> /tmp/rebound-bench-time.txt > /dev/null || true
  echo "1 GB mbox: $(stat -c %s "$mbox") bytes, $(grep -E 'Maximum resident' /tmp/rebound-bench-time.txt | sed 's/^\s*//'), $(grep -E 'Elapsed' /tmp/rebound-bench-time.txt | sed 's/^\s*//')"
fi
