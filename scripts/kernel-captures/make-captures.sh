#!/usr/bin/env bash
# make-captures.sh [--fixtures] OUTDIR [SCENARIO...]
#
# Records Linux's own MPTCP in network namespaces (client, router, server; see netns-lib.sh), one
# small pcap per scenario (link type LINUX_SLL2, captured with `tcpdump -i any` in the client
# namespace; two-vantage also in the server namespace, as two files), checks each capture against
# its scenario's expectations with tshark, and writes OUTDIR/manifest.json. Without SCENARIO
# arguments all scenarios run; with --fixtures all but the CI-only ones (not committed). Exits non-zero, naming the
# scenario, when one did not produce what it should. Needs root, iproute2, tcpdump, tshark,
# ethtool, iptables (TCPOPTSTRIP) and python3. See docs/kernel-captures.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=netns-lib.sh
. "$HERE/netns-lib.sh"

ALL_SCENARIOS=(join-3paths addaddr-server-v4 addaddr-server-port addaddr-client-v4 addaddr-v6
  remove-addr mp-prio fastclose checksum strip-joins strip-all many-connections
  mobility ipv6-3paths strip-mixed two-vantage many-connections-large)
PORT=10000         # server's listening port
SIGNAL_PORT=10100  # port of the announced address in addaddr-server-port
PEER="$HERE/mptcp_peer.py"
CHECK="$HERE/check_capture.py"

# Made by a full run (CI) but not committed to tests/fixtures/kernel: --fixtures leaves them out.
CI_ONLY_SCENARIOS=(many-connections-large)

usage() {
  echo "usage: $0 [--fixtures] OUTDIR [SCENARIO...]" >&2
  echo "scenarios: ${ALL_SCENARIOS[*]}" >&2
  echo "--fixtures: all scenarios except the CI-only ones (${CI_ONLY_SCENARIOS[*]})" >&2
  exit 2
}
FIXTURES=0
if [ "${1:-}" = --fixtures ]; then FIXTURES=1; shift; fi
[ $# -ge 1 ] || usage
OUTDIR=$1; shift
SCENARIOS=("$@")
if [ ${#SCENARIOS[@]} = 0 ]; then
  for s in "${ALL_SCENARIOS[@]}"; do
    [ "$FIXTURES" = 1 ] && [[ " ${CI_ONLY_SCENARIOS[*]} " == *" $s "* ]] && continue
    SCENARIOS+=("$s")
  done
fi
for s in "${SCENARIOS[@]}"; do
  [[ " ${ALL_SCENARIOS[*]} " == *" $s "* ]] || { echo "unknown scenario: $s" >&2; usage; }
done
for tool in ip tcpdump tshark ethtool iptables ip6tables python3 ss timeout; do
  command -v "$tool" >/dev/null || { echo "make-captures: missing tool: $tool" >&2; exit 1; }
done
# The real interpreter (a pyenv shim or similar wrapper costs a second per start on a busy machine).
PY=$(python3 -c 'import sys; print(sys.executable)')
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

WORK=$(mktemp -d /tmp/mptcp-captures.XXXXXX)
nl_cleanup_hook() { rm -rf "$WORK"; }
nl_init mpk
SCENARIO=""
# Any failing command (set -e) also names the scenario; the EXIT trap then cleans up.
set -E
trap 'fail "command failed (line $LINENO): $BASH_COMMAND"' ERR

fail() {
  trap - ERR
  echo "make-captures: scenario ${SCENARIO:-?} FAILED: $*" >&2
  for f in "$WORK"/*.log; do [ -s "$f" ] && { echo "--- $(basename "$f")" >&2; tail -n 20 "$f" >&2; }; done
  exit 1
}

# ---- peers --------------------------------------------------------------------------------------
SERVER_PID="" CLIENT_PID=""
# server_start: start the echo server (the MPTCP endpoints and limits must be set before, as the
# in-kernel PM reads them per connection); server_ready: wait until it listens.
SERVER_PORTS=$PORT   # a scenario may set a comma-separated list before server_start
server_start() {
  rm -f "$WORK/server.ready"
  nl_bg SERVER_PID timeout 60 ip netns exec "$NL_S" "$PY" "$PEER" server --port "$SERVER_PORTS" \
    --ready "$WORK/server.ready" >"$WORK/server.log" 2>&1
}
server_ready() {
  nl_wait_until 10 "server listening" test -e "$WORK/server.ready" || fail "server did not start"
}
# client_start ADDR [--conns N] STEP...: start the client in the background.
client_start() {
  local addr=$1; shift
  rm -rf "$WORK/ctl"; mkdir -p "$WORK/ctl"
  nl_bg CLIENT_PID timeout 45 ip netns exec "$NL_C" "$PY" "$PEER" client --connect "$addr" \
    --port "$PORT" --ctl "$WORK/ctl" "$@" >"$WORK/client.log" 2>&1
}
# client_sync NAME CMD...: wait for the client to reach sync point NAME, run CMD, release it.
client_sync() {
  local name=$1; shift
  nl_wait_until 15 "client at sync point $name" \
    bash -c "test -e '$WORK/ctl/$name.ready' || ! kill -0 $CLIENT_PID" || fail "client never reached $name"
  [ -e "$WORK/ctl/$name.ready" ] || fail "client exited before sync point $name"
  "$@" || fail "action at sync point $name failed: $*"
  touch "$WORK/ctl/$name.go"
}
client_wait() {
  local rc=0
  wait "$CLIENT_PID" || rc=$?
  CLIENT_PID=""
  [ "$rc" = 0 ] || fail "client exited with status $rc"
}
# client_run ADDR STEP...: run the client in the foreground (no sync points).
client_run() { client_start "$@"; client_wait; }

# ---- scenario frame -----------------------------------------------------------------------------
# begin NPATHS: topology up (the scenario then configures it and calls server_start).
begin() { nl_topology_up "$1" router; }
# server_start ... then the capture: both start in parallel, the client starts once both are ready.
server_start_and_capture() {
  server_start
  nl_capture_start "$NL_C" "$WORK/capture.pcap" tcp "$WORK/tcpdump.log" || fail "tcpdump did not start"
  server_ready
}
# A second capture in the server namespace (two-vantage): $WORK/capture-server.pcap.
SERVER_CAPTURE_PID=""
server_start_and_capture_both() {
  server_start
  nl_capture_start "$NL_S" "$WORK/capture-server.pcap" tcp "$WORK/tcpdump-server.log" \
    || fail "tcpdump (server side) did not start"
  SERVER_CAPTURE_PID=$NL_CAPTURE_PID
  nl_capture_start "$NL_C" "$WORK/capture.pcap" tcp "$WORK/tcpdump.log" || fail "tcpdump did not start"
  server_ready
}
# finish: let the connections close, stop capture and server, remove the topology.
finish() {
  nl_wait_until 10 "client sockets closed" nl_no_open_tcp "$NL_C" \
    || nl_log "warning: $SCENARIO: sockets still open: $(nl_exec "$NL_C" ss -tanH | tr '\n' ';')"
  sleep 0.3   # let tcpdump write the last segments it has already received
  nl_capture_stop
  grep -q "^0 packets dropped by kernel" "$WORK/tcpdump.log" || fail "tcpdump lost packets: $(grep dropped "$WORK/tcpdump.log")"
  if [ -n "$SERVER_CAPTURE_PID" ]; then
    nl_kill "$SERVER_CAPTURE_PID" TERM
    SERVER_CAPTURE_PID=""
    grep -q "^0 packets dropped by kernel" "$WORK/tcpdump-server.log" \
      || fail "tcpdump (server side) lost packets: $(grep dropped "$WORK/tcpdump-server.log")"
  fi
  [ -n "$SERVER_PID" ] && nl_kill "$SERVER_PID" TERM
  SERVER_PID=""
  nl_topology_down
}
# client_ep ID PATH [FLAGS...]: endpoint on the client for path PATH's IPv4 address.
client_ep() {
  local id=$1 i=$2; shift 2
  nl_exec "$NL_C" ip mptcp endpoint add "${NL_C4[i]}" dev "c$i" id "$id" "$@"
}
# client_ep6 ID PATH [FLAGS...]: the same for path PATH's IPv6 address.
client_ep6() {
  local id=$1 i=$2; shift 2
  nl_exec "$NL_C" ip mptcp endpoint add "${NL_C6[i]}" dev "c$i" id "$id" "$@"
}
mib_wait() { # NS COUNTER N [TABLE]
  nl_wait_until 10 "$2 >= $3 in $1" nl_mib_at_least "$1" "$2" "$3" "${4:-}" \
    || fail "counter ${4:-MPTcpExt}.$2 in $1 never reached $3"
}

set_backup() { nl_exec "$NL_C" ip mptcp endpoint change id "$1" backup && mib_wait "$NL_C" MPPrioTx 1; }

# ---- scenarios ----------------------------------------------------------------------------------
sc_join-3paths() {
  begin 3
  nl_mptcp_limits "$NL_C" 2 0; nl_mptcp_limits "$NL_S" 2 0
  client_ep 2 2 subflow; client_ep 3 3 subflow
  # Paths 1 and 2 slower than path 3, so back-to-back writes spread over all three subflows.
  nl_shape "$NL_C" c1 2mbit; nl_shape "$NL_R" r1 2mbit; nl_shape "$NL_C" c2 4mbit; nl_shape "$NL_R" r2 4mbit
  server_start_and_capture
  client_run "$NL_SVC4" --chunk 2000 xchg:1000 estab:3 xchg:20000 close:clean
  finish
}

sc_addaddr-server-v4() {
  begin 2
  nl_mptcp_limits "$NL_C" 1 1; nl_mptcp_limits "$NL_S" 1 0
  nl_server_addr 192.0.2.2; nl_client_route_via 2 192.0.2.2
  nl_exec "$NL_S" ip mptcp endpoint add 192.0.2.2 id 2 signal
  server_start_and_capture
  client_run "$NL_SVC4" xchg:1000 estab:2 xchg:3000 close:clean
  finish
}

sc_addaddr-server-port() {
  begin 2
  nl_mptcp_limits "$NL_C" 1 1; nl_mptcp_limits "$NL_S" 1 0
  nl_server_addr 192.0.2.2; nl_client_route_via 2 192.0.2.2
  nl_exec "$NL_S" ip mptcp endpoint add 192.0.2.2 id 2 port "$SIGNAL_PORT" signal
  server_start_and_capture
  client_run "$NL_SVC4" xchg:1000 estab:2 xchg:3000 close:clean
  finish
}

# The endpoint is added once the server has accepted the connection: a server-side msk that no
# socket owns yet cannot open the join the server's PM tries (MPJoinSynTxCreatSkErr).
client_announce() {
  client_ep 2 2 signal
  mib_wait "$NL_C" EchoAdd 1          # the server echoed the ADD_ADDR
  mib_wait "$NL_S" MPJoinSynTx 1      # the server's PM sent its join SYN to 203.0.113.2
  mib_wait "$NL_C" OutRsts 1 Tcp      # which the client, not listening there, refused
}
sc_addaddr-client-v4() {
  begin 2
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 1
  server_start_and_capture
  client_start "$NL_SVC4" xchg:1000 sync:announce xchg:3000 close:clean
  client_sync announce client_announce
  client_wait
  finish
}

sc_addaddr-v6() {
  begin 2
  nl_mptcp_limits "$NL_C" 1 1; nl_mptcp_limits "$NL_S" 1 0
  nl_server_addr 2001:db8::2; nl_client_route_via 2 2001:db8::2
  nl_exec "$NL_S" ip mptcp endpoint add 2001:db8::2 id 2 signal
  server_start_and_capture
  client_run "$NL_SVC6" xchg:1000 estab:2 xchg:3000 close:clean
  finish
}

sc_remove-addr() {
  begin 2
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 0
  client_ep 2 2 subflow
  nl_shape "$NL_C" c1 2mbit; nl_shape "$NL_R" r1 2mbit   # so that the join carries data too
  server_start_and_capture
  client_start "$NL_SVC4" --chunk 2000 xchg:1000 estab:2 xchg:10000 sync:remove estab:1 xchg:4000 close:clean
  client_sync remove nl_exec "$NL_C" ip mptcp endpoint del id 2
  client_wait
  finish
}

sc_mp-prio() {
  begin 2
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 0
  client_ep 2 2 subflow
  server_start_and_capture
  client_start "$NL_SVC4" xchg:1000 estab:2 xchg:2000 sync:prio xchg:2000 close:clean
  client_sync prio set_backup 2
  client_wait
  finish
}

sc_fastclose() {
  begin 2
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 0
  client_ep 2 2 subflow
  server_start_and_capture
  client_run "$NL_SVC4" xchg:1000 estab:2 xchg:2000 close:abort
  mib_wait "$NL_C" MPFastcloseTx 1
  finish
}

sc_checksum() {
  begin 2
  nl_mptcp_checksum "$NL_C" 1; nl_mptcp_checksum "$NL_S" 1
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 0
  client_ep 2 2 subflow
  server_start_and_capture
  client_run "$NL_SVC4" xchg:1000 estab:2 xchg:3000 close:clean
  finish
}

sc_strip-joins() {
  begin 2
  nl_strip_mptcp "$NL_R" r2
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 0
  client_ep 2 2 subflow
  server_start_and_capture
  client_start "$NL_SVC4" xchg:1000 sync:joinfailed xchg:3000 close:clean
  client_sync joinfailed mib_wait "$NL_C" MPRstTx 1
  client_wait
  finish
}

sc_strip-all() {
  begin 2
  nl_strip_mptcp "$NL_R"
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 0
  client_ep 2 2 subflow
  server_start_and_capture
  client_run "$NL_SVC4" mptcp:0 xchg:4000 close:clean
  finish
}

# path_gone PATH ID: the client's address on PATH goes away the way a mobile host loses a network:
# its endpoint is deleted (REMOVE_ADDR; ID 0 = the initial subflow's address), the subflow closes,
# then the link goes down.
no_subflow_from() { [ -z "$(nl_exec "$NL_C" ss -tanH exclude time-wait exclude listening src "$1")" ]; }
path_gone() {
  local i=$1 id=$2
  if [ "$id" = 0 ]; then
    nl_exec "$NL_C" ip mptcp endpoint delete id 0 "${NL_C4[i]}"
  else
    nl_exec "$NL_C" ip mptcp endpoint delete id "$id"
  fi
  nl_wait_until 10 "subflow from ${NL_C4[i]} closed" no_subflow_from "${NL_C4[i]}" || return 1
  nl_exec "$NL_C" ip link set "c$i" down
}
sc_mobility() {
  begin 3
  nl_mptcp_limits "$NL_C" 2 0; nl_mptcp_limits "$NL_S" 2 0
  # The older path is the slower one, so that a burst spreads over both paths while two are up.
  nl_shape "$NL_C" c1 2mbit; nl_shape "$NL_R" r1 2mbit; nl_shape "$NL_C" c2 4mbit; nl_shape "$NL_R" r2 4mbit
  server_start_and_capture
  # Each phase: 6 small exchanges 100 ms apart; with two paths up, also a 10 kB burst.
  local phase=pace:6:300:100 burst=xchg:10000
  client_start "$NL_SVC4" --chunk 1000 "$phase" sync:up2 estab:2 "$phase" "$burst" sync:down1 estab:1 \
    "$phase" sync:up3 estab:2 "$phase" "$burst" sync:down2 estab:1 "$phase" close:clean
  client_sync up2 client_ep 2 2 subflow
  client_sync down1 path_gone 1 0
  client_sync up3 client_ep 3 3 subflow
  client_sync down2 path_gone 2 2
  client_wait
  finish
}

# The server withdraws its announced address, then the client its path 3 (REMOVE_ADDR each way).
withdraw_v6() {
  nl_exec "$NL_S" ip mptcp endpoint delete id 2 || return 1
  mib_wait "$NL_C" RmAddr 1                 # the client got the server's REMOVE_ADDR
  nl_exec "$NL_C" ip mptcp endpoint delete id 3 || return 1
  mib_wait "$NL_S" RmAddr 1
}
sc_ipv6-3paths() {
  begin 3
  nl_mptcp_limits "$NL_C" 3 1; nl_mptcp_limits "$NL_S" 3 0
  client_ep6 2 2 subflow; client_ep6 3 3 subflow
  # The announced address is reached over path 1 (the initial subflow's path), from its address.
  nl_server_addr 2001:db8::2; nl_client_route_via 1 2001:db8::2
  nl_exec "$NL_S" ip mptcp endpoint add 2001:db8::2 id 2 signal
  nl_shape "$NL_C" c1 2mbit; nl_shape "$NL_R" r1 2mbit; nl_shape "$NL_C" c2 4mbit; nl_shape "$NL_R" r2 4mbit
  server_start_and_capture
  client_start "$NL_SVC6" --chunk 2000 xchg:1000 estab:4 xchg:16000 sync:withdraw estab:2 xchg:6000 close:clean
  client_sync withdraw withdraw_v6
  client_wait
  finish
}

sc_strip-mixed() {
  begin 2
  nl_strip_mptcp_ports "$NL_R" r2 10001:10009
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 0
  client_ep 2 2 subflow
  SERVER_PORTS=$PORT,10001
  server_start_and_capture
  SERVER_PORTS=$PORT
  # Connections alternate between port 10000 (join succeeds) and 10001 (join stripped, reset).
  client_run "$NL_SVC4" --port "$PORT,10001" --conns 6 xchg:1000 @10000:estab:2 \
    @10001:mibdelta:MPRstTx:1 xchg:2000 close:clean
  finish
}

sc_two-vantage() {
  begin 3
  nl_mptcp_limits "$NL_C" 2 1; nl_mptcp_limits "$NL_S" 2 0
  client_ep 2 2 subflow
  nl_server_addr 192.0.2.2; nl_client_route_via 3 192.0.2.2
  nl_exec "$NL_S" ip mptcp endpoint add 192.0.2.2 id 2 signal
  # Paths 1 and 3 slower than path 2, so that the data spreads over the three subflows.
  nl_shape "$NL_C" c1 2mbit; nl_shape "$NL_R" r1 2mbit; nl_shape "$NL_C" c3 4mbit; nl_shape "$NL_R" r3 4mbit
  server_start_and_capture_both
  client_run "$NL_SVC4" --chunk 2000 xchg:1000 estab:3 xchg:12000 close:clean
  finish
}

sc_many-connections() {
  begin 2
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 0
  client_ep 2 2 subflow
  server_start_and_capture
  client_run "$NL_SVC4" --conns 20 xchg:100 estab:2 xchg:100 close:clean
  finish
}

# large_batch FAMILY JOINPATH N: N sequential connections over IPv4 or IPv6 (FAMILY 4|6), each
# joined from path JOINPATH (0: no join). The client's endpoints are set for the batch, once the
# previous batch's subflows are gone (so that changing them touches no live connection).
large_batch() {
  local fam=$1 jp=$2 n=$3 dst=$NL_SVC4
  [ "$fam" = 6 ] && dst=$NL_SVC6
  nl_wait_until 10 "previous batch closed" nl_no_open_tcp "$NL_C" || fail "connections still open"
  nl_exec "$NL_C" ip mptcp endpoint flush
  if [ "$jp" = 0 ]; then
    client_run "$dst" --conns "$n" xchg:40 xchg:40 close:clean
  else
    if [ "$fam" = 6 ]; then client_ep6 "$jp" "$jp" subflow; else client_ep "$jp" "$jp" subflow; fi
    client_run "$dst" --conns "$n" xchg:40 estab:2 xchg:40 close:clean
  fi
}
# Keep the totals in line with LARGE_BATCH_TOTALS in check_capture.py.
sc_many-connections-large() {
  begin 3
  nl_mptcp_limits "$NL_C" 1 0; nl_mptcp_limits "$NL_S" 1 0
  server_start_and_capture
  large_batch 4 2 35; large_batch 4 3 35; large_batch 4 0 20; large_batch 6 2 10
  large_batch 4 3 35; large_batch 6 0 10; large_batch 4 0 20; large_batch 4 2 35
  finish
}

# ---- main ---------------------------------------------------------------------------------------
prefix_args=()
for i in 1 2 3; do
  prefix_args+=(--prefix "${NL_C4[i]}=${NL_NET4[i]}" --prefix "${NL_C6[i]}=${NL_NET6[i]}")
done

# Each capture is checked in the background while the next scenario runs; results are collected
# at the end (a failing check still names its scenario and fails the run).
start=$(date +%s)
declare -A CHECK_PID=()
OUTPUTS=()   # file names (without .pcap) of the captures made, in order
for SCENARIO in "${SCENARIOS[@]}"; do
  t0=${EPOCHREALTIME/./}
  rm -f "$WORK"/*.log "$WORK/capture.pcap" "$WORK/capture-server.pcap"
  "sc_$SCENARIO"
  if [ -e "$WORK/capture-server.pcap" ]; then
    # Two vantage points: client namespace and server namespace, the same traffic.
    c="$SCENARIO-client" s="$SCENARIO-server"
    mv "$WORK/capture.pcap" "$WORK/$c.pcap"; mv "$WORK/capture-server.pcap" "$WORK/$s.pcap"
    nl_bg "CHECK_PID[$c]" "$PY" "$CHECK" check "$SCENARIO" "$WORK/$c.pcap" --name "$c" --pair "$s" \
      --entry "$WORK/$c.json" "${prefix_args[@]}" >"$WORK/$c.check" 2>&1
    nl_bg "CHECK_PID[$s]" "$PY" "$CHECK" check "$SCENARIO" "$WORK/$s.pcap" --name "$s" --pair "$c" \
      --server-side --same-traffic-as "$WORK/$c.pcap" --entry "$WORK/$s.json" "${prefix_args[@]}" \
      >"$WORK/$s.check" 2>&1
    OUTPUTS+=("$c" "$s")
    files=("$c" "$s")
  else
    mv "$WORK/capture.pcap" "$WORK/$SCENARIO.pcap"
    nl_bg "CHECK_PID[$SCENARIO]" "$PY" "$CHECK" check "$SCENARIO" "$WORK/$SCENARIO.pcap" \
      --entry "$WORK/$SCENARIO.json" "${prefix_args[@]}" >"$WORK/$SCENARIO.check" 2>&1
    OUTPUTS+=("$SCENARIO")
    files=("$SCENARIO")
  fi
  for f in "${files[@]}"; do
    echo "make-captures: $f recorded ($(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms," \
      "$(stat -c %s "$WORK/$f.pcap") bytes)"
  done
done
rm -f "$WORK"/*.log   # (peer logs of the last scenario; fail() would print them)
for SCENARIO in "${OUTPUTS[@]}"; do
  rc=0; wait "${CHECK_PID[$SCENARIO]}" || rc=$?
  if [ "$rc" != 0 ]; then
    cat "$WORK/$SCENARIO.check" >&2
    cp "$WORK/$SCENARIO.pcap" "$OUTDIR/$SCENARIO.failed.pcap"
    fail "capture does not match the scenario's expectations (kept as $OUTDIR/$SCENARIO.failed.pcap)"
  fi
  cp "$WORK/$SCENARIO.pcap" "$OUTDIR/$SCENARIO.pcap"
  rm -f "$OUTDIR/$SCENARIO.failed.pcap"
  echo "make-captures: $SCENARIO ok"
done
SCENARIO=manifest
entries=()
for s in "${OUTPUTS[@]}"; do entries+=("$WORK/$s.json"); done
"$PY" "$CHECK" manifest "$OUTDIR/manifest.json" "${entries[@]}" --order "${ALL_SCENARIOS[*]}" \
  || fail "could not write the manifest"
echo "make-captures: ${#SCENARIOS[@]} scenario(s) in $(( $(date +%s) - start )) s -> $OUTDIR"
