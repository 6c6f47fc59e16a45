#!/usr/bin/env bash
# The whole CLI over a hostile corpus: the small files of tests/fixtures/hostile/ (NUL and
# control bytes in every field of a DSN, a Postfix log and an SES webhook) and what is
# generated here because it is large or cannot be committed (a notice listing 300,000
# recipients, 1,000-part and 64-level MIME, a directory with symlink loops, a PostgreSQL
# "server" on loopback that accepts connections and never answers).
#
# Each run is checked for its exit code, for answering in time (`timeout`), for memory
# (the "Maximum resident set size" of `/usr/bin/time -v`, under 200 MB), and for raw control
# bytes in what reaches a terminal; ingesting the corpus twice must store every event once.
#
# Usage: tests/hostile/run.sh [path/to/rebound]   (default target/debug/rebound)
# Needs: bash, awk, perl (for the silent server), GNU timeout, /usr/bin/time (Debian `time`).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=$(realpath "${1:-target/debug/rebound}")
limit_kb=$((200 * 1024))
[[ -x $bin ]] || { echo "no rebound binary at $bin (cargo build first)"; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (apt-get install time)"; exit 1; }

work=$(mktemp -d)
silent_pid=
cleanup() {
    [[ -n $silent_pid ]] && kill "$silent_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export XDG_DATA_HOME=$work/data
unset REBOUND_DB
failed=0

fail() {
    echo "FAIL $*"
    failed=1
}

# run NAME WANT_EXIT SECONDS COMMAND...: runs under timeout and /usr/bin/time -v with no
# standard input; output in $work/NAME.{out,err}.
run() {
    local name=$1 want=$2 secs=$3 rc=0
    shift 3
    timeout -k 5 "$secs" /usr/bin/time -v -o "$work/$name.time" "$@" \
        >"$work/$name.out" 2>"$work/$name.err" </dev/null || rc=$?
    if [[ $rc == 124 || $rc == 137 ]]; then
        fail "$name: no answer within ${secs}s"
        return
    fi
    local kb wall
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
    wall=$(awk -F'): ' '/Elapsed \(wall clock\)/ {print $2}' "$work/$name.time")
    if [[ $rc != "$want" ]]; then
        fail "$name: exit $rc, expected $want"
        sed 's/^/    /' "$work/$name.err" | head -5
    elif ((kb > limit_kb)); then
        fail "$name: ${kb} kB resident, over $limit_kb kB"
    else
        echo "ok   $name: exit $rc, ${kb} kB, $wall"
    fi
}

# no_raw_controls NAME FILE: the file holds no C0 control byte but tab and newline.
no_raw_controls() {
    if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f]' "$2" || LC_ALL=C grep -qaP '\x00' "$2"; then
        fail "$1: raw control bytes reach the terminal"
    fi
}

# contains NAME FILE TEXT
contains() {
    grep -qF -- "$3" "$2" || fail "$1: no \`$3\` in $(basename "$2")"
}

echo "== the corpus"
corpus=$work/corpus
mkdir -p "$corpus/mail/loop/a/b" "$corpus/other"
cp tests/fixtures/hostile/control-bytes.eml "$corpus/mail/"
cp tests/fixtures/hostile/control-bytes.eml "$corpus/mail/loop/a/b/"
cp tests/fixtures/hostile/control-bytes.postfix.log tests/fixtures/hostile/control-bytes.ses.json \
    "$corpus/other/"
# Two loops: links to the two directories above.
ln -s ../.. "$corpus/mail/loop/a/b/up"
ln -s ../../a "$corpus/mail/loop/a/b/again"
head='From: MAILER-DAEMON@mx.example.org
To: list@example.org
Date: Thu, 1 Jan 2026 00:00:00 +0000'
{
    printf '%s\nSubject: Undelivered Mail Returned to Sender\n\n' "$head"
    printf 'Your message could not be delivered to one or more recipients.\n\n'
    awk 'BEGIN { for (i = 0; i < 300000; i++) printf "<user%d@example.com>: 550 5.1.1 user unknown\n", i }'
} >"$corpus/mail/notice-300000.eml"
{
    printf '%s\nSubject: Undelivered Mail\nContent-Type: multipart/report; boundary=b\n\n' "$head"
    awk 'BEGIN { for (i = 0; i < 1000; i++) printf "--b\nContent-Type: text/plain\n\npart %d\n", i }'
    printf -- '--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n'
    printf 'Final-Recipient: rfc822; late@example.com\nAction: failed\nStatus: 5.1.1\n--b--\n'
} >"$corpus/mail/parts-1000.eml"
{
    printf '%s\nSubject: Undelivered Mail\n' "$head"
    awk 'BEGIN { for (i = 0; i < 64; i++) printf "Content-Type: multipart/mixed; boundary=l%d\n\n--l%d\n", i, i }'
    printf 'Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n'
    printf 'Final-Recipient: rfc822; deep@example.com\nAction: failed\nStatus: 5.1.1\n'
    awk 'BEGIN { for (i = 63; i >= 0; i--) printf "--l%d--\n", i }'
} >"$corpus/mail/depth-64.eml"
ls -l "$corpus/mail" | sed 's/^/    /'

echo "== parse"
run parse-json 0 300 "$bin" parse --json --header X-Lead-Source "$corpus/mail"
# 100,000 of the notice (the limit), 2 + 2 of the control-byte DSN and its copy under the
# loop (read once), 1 each for the cut MIME messages.
events=$(wc -l <"$work/parse-json.out")
[[ $events == 100006 ]] || fail "parse-json: $events events, expected 100006"
for name in recipients mime-parts mime-depth; do
    contains parse-json "$work/parse-json.err" "$name"
done
contains parse-json "$work/parse-json.err" "loop"
run parse-table 0 300 "$bin" parse "$corpus/mail" "$corpus/other/control-bytes.postfix.log" \
    "$corpus/other/control-bytes.ses.json"
no_raw_controls parse-table "$work/parse-table.out"
no_raw_controls parse-table "$work/parse-table.err"
contains parse-table "$work/parse-table.out" "cut by reading limits"

echo "== ingest twice into SQLite: every event stored once"
db=$work/store.db
inputs=("$corpus/mail" "$corpus/other/control-bytes.postfix.log" "$corpus/other/control-bytes.ses.json")
run ingest-1 0 600 "$bin" ingest --db "$db" "${inputs[@]}"
run report-1 0 120 "$bin" report --db "$db" --by reason --csv
run ingest-2 0 600 "$bin" ingest --db "$db" "${inputs[@]}"
run report-2 0 120 "$bin" report --db "$db" --by reason --csv
count() { awk -F, 'NR > 1 { n += $2 } END { print n + 0 }' "$work/$1.out"; }
first=$(count report-1)
second=$(count report-2)
echo "    stored after the first ingest: $first; after the second: $second"
# 100,009 events read (100,006 of the mail, 2 of the log, 1 of the webhook), of which the
# copy of the control-byte DSN under the loop is the same two bounces: 100,007 stored.
[[ $first == 100007 ]] || fail "ingest: $first events stored, expected 100007"
[[ $first == "$second" ]] || fail "ingest: $first events after one ingest, $second after two"
contains ingest-2 "$work/ingest-2.err" " 0 new,"

echo "== reading commands over what was stored"
run report-table 0 120 "$bin" report --db "$db"
no_raw_controls report-table "$work/report-table.out"
run suppressions-list 0 120 "$bin" suppressions list --db "$db"
no_raw_controls suppressions-list "$work/suppressions-list.out"
run hints-list 0 120 "$bin" hints list --db "$db"
no_raw_controls hints-list "$work/hints-list.out"
run check-hostile 1 60 "$bin" suppressions check --db "$db" $'bad\x1b]0;x\x07@example.com'
no_raw_controls check-hostile "$work/check-hostile.out"
no_raw_controls check-hostile "$work/check-hostile.err"

echo "== classify and diagnose"
run classify 0 60 "$bin" classify $'550 5.1.1 \x1b]0;owned\x07 user unknown\x01'
no_raw_controls classify "$work/classify.out"
# A name server that is not there: diagnose says the lookup failed (exit 1), promptly.
run diagnose 1 60 "$bin" diagnose "$corpus/mail/control-bytes.eml" \
    --nameserver 127.0.0.1:9 --timeout-ms 300 --attempts 1
no_raw_controls diagnose "$work/diagnose.out"

echo "== a PostgreSQL server that accepts and never answers"
port_file=$work/port
perl -MIO::Socket::INET -e '
    my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 16,
        ReuseAddr => 1) or die "listen: $!";
    open(my $f, ">", $ARGV[0]) or die; print $f $s->sockport; close $f;
    my @held; while (my $c = $s->accept) { push @held, $c }' "$port_file" &
silent_pid=$!
for _ in $(seq 50); do [[ -s $port_file ]] && break; sleep 0.1; done
port=$(cat "$port_file")
silent="postgres://rebound@127.0.0.1:$port/rebound"
# The default connect timeout (10 s), and one given in the URL.
run pg-silent-report 1 60 "$bin" report --db "$silent"
run pg-silent-ingest 1 60 "$bin" ingest --db "$silent?connect_timeout=2" \
    "$corpus/mail/control-bytes.eml"
run pg-silent-check 1 60 "$bin" suppressions check --db "$silent" someone@example.com
contains pg-silent-report "$work/pg-silent-report.err" "127.0.0.1:$port"

if ((failed)); then
    echo "hostile corpus: FAILED"
    exit 1
fi
echo "hostile corpus: all runs answered, in time and under $((limit_kb / 1024)) MB"
