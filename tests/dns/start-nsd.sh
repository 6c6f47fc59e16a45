#!/usr/bin/env bash
# Starts Debian's nsd as an authoritative server for the test zones on 127.0.0.1:PORT.
#
#   tests/dns/start-nsd.sh [PORT]     start (PORT defaults to 53535); prints shell exports
#   tests/dns/start-nsd.sh --stop DIR stop the server whose state directory is DIR
#
# Usage from a CI script:  eval "$(bash tests/dns/start-nsd.sh 53535)"
# which sets REBOUND_TEST_NS=127.0.0.1:PORT (read by the tests) and REBOUND_TEST_NSD_DIR.
#
# Zones served:
#   test.           tests/dns/test.zone: every case of issue 6 (see the comments there)
#   servfail.test.  a secondary zone whose primary (127.0.0.1@9) never answers, so it is never
#                   loaded and nsd answers SERVFAIL for every name in it: a real SERVFAIL
#   bench.test.     10,000 generated domains, each with one MX and its A record (benchmarks)
# Config, pid, log and the generated zone live in a fresh temp directory; nsd runs as the
# calling user, listens on loopback only and talks to nothing but loopback.
set -euo pipefail

if [[ "${1:-}" == "--stop" ]]; then
    dir="${2:?usage: start-nsd.sh --stop DIR}"
    if [[ -f "$dir/nsd.pid" ]]; then
        pid="$(cat "$dir/nsd.pid")"
        kill "$pid" 2>/dev/null || true
        # nsd writes its files while it shuts down: wait for it before removing them.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    case "$dir" in */rebound-nsd.*) rm -rf "$dir" ;; esac
    exit 0
fi

port="${1:-53535}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
    echo "start-nsd.sh: PORT must be a number from 1 to 65535, not '$port'" >&2
    exit 2
fi
nsd_bin="$(command -v nsd || echo /usr/sbin/nsd)"
if [[ ! -x "$nsd_bin" ]]; then
    echo "start-nsd.sh: nsd not found; install it with: apt-get install -y nsd" >&2
    exit 1
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$(mktemp -d "${TMPDIR:-/tmp}/rebound-nsd.XXXXXX")"

# bench.test: d00000 .. d09999, each MX 10 mx.dNNNNN.bench.test with an A record.
{
    printf '$ORIGIN bench.test.\n$TTL 300\n'
    printf '@ SOA ns.test. hostmaster.test. 1 3600 600 86400 60\n@ NS ns.test.\n'
    for ((i = 0; i < 10000; i++)); do
        printf 'd%05d MX 10 mx.d%05d\nmx.d%05d A 192.0.2.%d\n' "$i" "$i" "$i" $((i % 250 + 1))
    done
} > "$dir/bench.zone"

cat > "$dir/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@$port
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$dir"
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    pidfile: "$dir/nsd.pid"
    logfile: "$dir/nsd.log"
    verbosity: 1
    hide-version: yes
    tcp-count: 200
remote-control:
    control-enable: no
zone:
    name: "test"
    zonefile: "$here/test.zone"
zone:
    name: "bench.test"
    zonefile: "$dir/bench.zone"
zone:
    name: "servfail.test"
    request-xfr: 127.0.0.1@9 NOKEY
CONF

if ! "$nsd_bin" -c "$dir/nsd.conf"; then
    echo "start-nsd.sh: nsd did not start on 127.0.0.1:$port (port in use?); its log:" >&2
    cat "$dir/nsd.log" >&2 || true
    rm -rf "$dir"
    exit 1
fi

# Ready when an authoritative SOA answer for test. comes back over TCP (bash's /dev/tcp).
soa_query='\x00\x16\x52\x42\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04test\x00\x00\x06\x00\x01'
for _ in $(seq 1 50); do
    head="$(timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf '$soa_query' >&3 && head -c 6 <&3 | od -An -tx1" 2>/dev/null || true)"
    # bytes: length(2) id(2) flags(2): AA set (0x04 in the first flag byte), RCODE 0
    read -r _ _ _ _ f1 f2 <<<"$head" || true
    if [[ -n "${f2:-}" ]] && (( (0x$f1 & 0x04) && (0x$f2 & 0x0f) == 0 )); then
        echo "export REBOUND_TEST_NS=127.0.0.1:$port"
        echo "export REBOUND_TEST_NSD_DIR=$dir"
        exit 0
    fi
    sleep 0.2
done
echo "start-nsd.sh: nsd did not answer on 127.0.0.1:$port; log: $dir/nsd.log" >&2
cat "$dir/nsd.log" >&2 || true
exit 1
