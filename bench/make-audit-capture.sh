#!/usr/bin/env bash
# bench/make-audit-capture.sh OUT.pcap [PACKETS]
#
# Records REAL Linux kernel MPTCP traffic for the audit's speed benchmark: headers only (snap length
# 128), at least PACKETS packets (default 5,000,000; tcpdump stops at exactly PACKETS). Run it by
# hand, as root; no test runs it (it takes about a minute and writes several hundred MB).
#
# Traffic: iperf3 under `mptcpize run` (iperf3 3.12 has no --mptcp), PARALLEL parallel MPTCP
# connections (plus iperf3's control connection, also MPTCP) from the client namespace to the
# server's 192.0.2.1, each joined from path 2 by the in-kernel path manager (`subflow` endpoint on
# 203.0.113.2). Topology and addresses: scripts/kernel-captures/netns-lib.sh (client, router,
# server namespaces, 2 paths, offloads off on every veth, so packets are MTU-sized and their
# checksums are computed). The capture is `tcpdump -i any` in the client namespace (LINUX_SLL2, the
# interface index gives the path), as for the fixtures in tests/fixtures/kernel.
#
# Environment: PARALLEL (default 4), RATE (HTB limit per path and direction, e.g. 500mbit; default
# none), SNAPLEN (128), BUFFER_KIB (tcpdump -B, default 524288 = 512 MiB), MAX_SECONDS (600: the
# whole recording is stopped after this time, PACKETS reached or not).
#
# Prints tcpdump's drop count (the run fails on drops unless ALLOW_DROPS=1), `capinfos -c`, the file
# size and the time taken. Needs iproute2, ethtool, tcpdump, iperf3, mptcpize (package mptcpd),
# capinfos and tshark (package tshark).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../scripts/kernel-captures/netns-lib.sh
. "$HERE/../scripts/kernel-captures/netns-lib.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 OUT.pcap [PACKETS]" >&2; exit 2; }
OUT=$1
PACKETS=${2:-5000000}
PARALLEL=${PARALLEL:-4}
RATE=${RATE:-}
SNAPLEN=${SNAPLEN:-128}
BUFFER_KIB=${BUFFER_KIB:-524288}
MAX_SECONDS=${MAX_SECONDS:-600}
[[ "$PACKETS" =~ ^[0-9]+$ ]] && [ "$PACKETS" -gt 0 ] || { echo "PACKETS must be a positive number" >&2; exit 2; }
for tool in ip ethtool tcpdump iperf3 mptcpize capinfos tshark timeout; do
  command -v "$tool" >/dev/null || { echo "make-audit-capture: missing tool: $tool" >&2; exit 1; }
done
mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")

WORK=$(mktemp -d /tmp/mptcp-audit-capture.XXXXXX)
nl_cleanup_hook() { rm -rf "$WORK"; }
nl_init mpb
log() { echo "make-audit-capture: $*" >&2; }

t_start=${EPOCHREALTIME/./}
nl_topology_up 2 router
nl_mptcp_limits "$NL_C" 1 0
nl_mptcp_limits "$NL_S" 1 0
nl_exec "$NL_C" ip mptcp endpoint add "${NL_C4[2]}" dev c2 id 2 subflow
if [ -n "$RATE" ]; then
  for i in 1 2; do nl_shape "$NL_C" "c$i" "$RATE"; nl_shape "$NL_R" "r$i" "$RATE"; done
fi

# iperf3 server (one test, then it exits).
nl_bg SERVER_PID timeout "$((MAX_SECONDS + 30))" ip netns exec "$NL_S" mptcpize run iperf3 -s -1 -p 5201 \
  >"$WORK/server.log" 2>&1
nl_wait_until 10 "iperf3 listening" bash -c "ip netns exec '$NL_S' ss -tlnH 'sport = :5201' | grep -q 5201" \
  || { cat "$WORK/server.log" >&2; nl_die "iperf3 server did not start"; }

# tcpdump: exactly PACKETS packets, then it exits and prints its statistics.
: >"$WORK/tcpdump.log"
nl_bg CAPTURE_PID timeout "$MAX_SECONDS" ip netns exec "$NL_C" tcpdump -i any -n -s "$SNAPLEN" \
  -B "$BUFFER_KIB" -c "$PACKETS" -Z root -w "$OUT" tcp 2>"$WORK/tcpdump.log"
nl_wait_until 10 "tcpdump listening" grep -q "listening on" "$WORK/tcpdump.log" \
  || { cat "$WORK/tcpdump.log" >&2; nl_die "tcpdump did not start"; }

t_traffic=${EPOCHREALTIME/./}
log "recording $PACKETS packets: iperf3 -P $PARALLEL over 2 paths${RATE:+, $RATE per path}"
nl_bg CLIENT_PID timeout "$((MAX_SECONDS + 10))" ip netns exec "$NL_C" mptcpize run iperf3 -c "$NL_SVC4" \
  -p 5201 -P "$PARALLEL" -t "$MAX_SECONDS" >"$WORK/client.log" 2>&1

# Wait (bounded by MAX_SECONDS through timeout(1)) for tcpdump to reach PACKETS.
capture_rc=0
wait "$CAPTURE_PID" || capture_rc=$?
t_end=${EPOCHREALTIME/./}
# Was the iperf3 client still running (i.e. tcpdump stopped at PACKETS, not for lack of traffic)?
client_alive=0
kill -0 "$CLIENT_PID" 2>/dev/null && client_alive=1
nl_kill "$CLIENT_PID" INT
nl_kill "$SERVER_PID" INT
[ "$client_alive" = 1 ] || { log "iperf3 client ended early:"; tail -n 15 "$WORK/client.log" >&2; }
[ "$capture_rc" = 0 ] || { cat "$WORK/tcpdump.log" >&2; nl_die "tcpdump exited with $capture_rc (124: MAX_SECONDS reached)"; }

# Joins: count the MP_JOIN SYNs at the start of the capture (the subflows open in the first few
# thousand packets).
head_stats=$(tshark -n -r "$OUT" -c 20000 -T fields -e tcp.flags -e tcp.options.mptcp.subtype 2>/dev/null \
  | awk -F'\t' '$1 == "0x0002" && $2 ~ /^0/ {c++} $1 == "0x0002" && $2 ~ /^1/ {j++}
                END {printf "%d %d", c, j}')
read -r capable_syns join_syns <<<"$head_stats"
nl_topology_down

dropped=$(awk '/packets dropped by kernel/ {print $1}' "$WORK/tcpdump.log")
ifdrop=$(awk '/packets dropped by interface/ {print $1}' "$WORK/tcpdump.log")
count=$(capinfos -c -M "$OUT" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
size=$(stat -c %s "$OUT")
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) / 1e6}'; }
echo "file:            $OUT"
echo "packets:         $count (capinfos -c; asked for $PACKETS)"
echo "size:            $size bytes ($(awk -v s="$size" 'BEGIN {printf "%.0f", s / 1048576}') MiB)"
echo "tcpdump:         ${dropped:-?} packets dropped by kernel${ifdrop:+, $ifdrop by interface}"
echo "MPTCP:           $capable_syns MP_CAPABLE SYNs, $join_syns MP_JOIN SYNs in the first 20000 packets"
echo "time:            $(secs "$t_traffic" "$t_end") s of traffic, $(secs "$t_start" "${EPOCHREALTIME/./}") s in all"
grep -E "^\[SUM\].*sender" "$WORK/client.log" | tail -n 1 || true   # (cut short: no receiver figures)
[ "${capable_syns:-0}" -ge "$PARALLEL" ] && [ "${join_syns:-0}" -ge 1 ] \
  || nl_die "expected MPTCP connections with joins (mptcpize not effective?)"
if [ "${dropped:-1}" != 0 ] && [ "${ALLOW_DROPS:-0}" != 1 ]; then
  nl_die "tcpdump dropped ${dropped:-?} packets (set RATE to slow the traffic, or ALLOW_DROPS=1)"
fi
