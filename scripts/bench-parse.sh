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
# Sisimai: its own messages/s from run_sisimai.pl's summary line (timed inside Perl, after
# start-up and module loading), best of 3 passes so a noisy neighbour does not count.
sis=0
for _ in 1 2 3; do
  line=$(perl "$SHARED/tools/sisimai/run_sisimai.pl" --out /dev/null "$SET" 2>&1 >/dev/null | grep 'msgs_per_s=' | tail -1)
  r=$(sed -n 's/.*msgs_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
  sis=$(python3 -c "print(max($sis, ${r:-0}))")
done
# Rebound: the same files given `repeat` times in one run, one thread (page cache hot), best
# of 3; the classifier's one-time start-up is inside the timing.
args=(); for _ in $(seq "$repeat"); do args+=("$SET"); done
"$BIN" parse --json "$SET" > /dev/null   # warm the cache
best=0
for _ in 1 2 3; do
  t2=$(date +%s.%N)
  "$BIN" parse --json --jobs 1 "${args[@]}" > /dev/null
  t3=$(date +%s.%N)
  best=$(python3 -c "print(max($best, $msgs * $repeat / ($t3 - $t2)))")
done
python3 - "$msgs" "$repeat" "$sis" "$best" <<'PY'
import sys
m, r = int(sys.argv[1]), int(sys.argv[2])
s, rb = float(sys.argv[3]), float(sys.argv[4])
print("sisimai  %8d messages/pass  %10.0f messages/s (run_sisimai.pl's own figure, best of 3)" % (m, s))
print("rebound  %8d messages/run   %10.0f messages/s (--jobs 1, --json to /dev/null, best of 3)" % (m * r, rb))
print("ratio    %.1fx Sisimai (one thread each)" % (rb / s if s else float("nan")))
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
