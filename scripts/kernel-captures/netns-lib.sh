# shellcheck shell=bash
# netns-lib.sh: network-namespace topologies for driving Linux's own MPTCP.
#
# Source this file from a bash script that runs as root:
#
#   . scripts/kernel-captures/netns-lib.sh
#   nl_init                          # unique name prefix, cleanup trap (EXIT/INT/TERM/HUP)
#   nl_topology_up 3 router          # client, router, server namespaces; 3 paths
#   nl_exec "$NL_C" ip addr          # run a command in a namespace
#   ...
#   nl_topology_down                 # (also done by the trap)
#
# Topology (router mode; "direct" mode leaves the router out and ends each path in the server):
#
#   client ns ($NL_C)                 router ns ($NL_R)                  server ns ($NL_S)
#   c1 198.51.100.2/24  2001:db8:1::2 ---- r1 .1 / 2001:db8:1::1
#   c2 203.0.113.2/24   2001:db8:2::2 ---- r2 .1 / 2001:db8:2::1    rs 192.0.2.65/30 ---- s0 192.0.2.66/30
#   c3 192.0.2.130/25   2001:db8:3::2 ---- r3 .129 / 2001:db8:3::1     2001:db8:ff::1  ---- 2001:db8:ff::2
#                                                                    lo: 192.0.2.1/32, 2001:db8::1/128
#                                                                    (s0 has ifindex 10)
#
# Path i's client interface has ifindex i+1 (lo is 1), so in a `tcpdump -i any` capture taken in
# the client namespace (link type LINUX_SLL2) the interface index tells which path a packet used.
# Each client address has its own routing table (source-based policy routing), so a subflow bound
# to path i's address leaves through c<i>. Offloads (TSO/GSO/GRO, TX checksum) are off on every
# veth: packets are MTU-sized and captured checksums are correct.
#
# Only documentation prefixes are used: 198.51.100.0/24, 203.0.113.0/24, 192.0.2.0/24, 2001:db8::/32.
# Nothing is done in the root namespace besides creating and deleting the named namespaces.

# ---- globals ------------------------------------------------------------------------------------
NL_PREFIX=""          # unique namespace-name prefix (set by nl_init)
NL_NAMESPACES=()      # namespaces created through nl_ns_create (deleted by nl_cleanup)
NL_PIDS=()            # background processes started through nl_bg (killed by nl_cleanup)
NL_C="" NL_R="" NL_S="" NL_PATHS=0 NL_MODE=""

# Per-path addressing (index 1..3).
NL_C4=("" 198.51.100.2 203.0.113.2 192.0.2.130)
NL_R4=("" 198.51.100.1 203.0.113.1 192.0.2.129)
NL_LEN4=("" 24 24 25)
NL_NET4=("" 198.51.100.0/24 203.0.113.0/24 192.0.2.128/25)
NL_C6=("" 2001:db8:1::2 2001:db8:2::2 2001:db8:3::2)
NL_R6=("" 2001:db8:1::1 2001:db8:2::1 2001:db8:3::1)
NL_NET6=("" 2001:db8:1::/64 2001:db8:2::/64 2001:db8:3::/64)
# Router <-> server link and server service addresses.
NL_RS4_R=192.0.2.65 NL_RS4_S=192.0.2.66
NL_RS6_R=2001:db8:ff::1 NL_RS6_S=2001:db8:ff::2
NL_SVC4=192.0.2.1 NL_SVC6=2001:db8::1

nl_log() { echo "[netns-lib] $*" >&2; }
nl_die() { echo "[netns-lib] ERROR: $*" >&2; exit 1; }

# nl_exec NS CMD...: run CMD inside namespace NS.
nl_exec() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# nl_init [TAG]: choose a unique prefix (tag + PID) and install the cleanup trap.
nl_init() {
  [ "$(id -u)" = 0 ] || nl_die "must run as root"
  NL_PREFIX="${1:-mpk}$$"
  trap 'nl_cleanup' EXIT
  trap 'nl_log "interrupted"; exit 130' INT TERM HUP
}

# nl_ns_create NAME: new namespace with lo up and sane per-namespace sysctls.
nl_ns_create() {
  local ns=$1
  ip netns add "$ns" || nl_die "ip netns add $ns failed"
  NL_NAMESPACES+=("$ns")
  nl_exec "$ns" ip link set lo up
  nl_exec "$ns" sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    net.mptcp.enabled=1 >/dev/null
}

# nl_ns_delete NAME: kill what runs inside (only our namespaces) and delete it.
nl_ns_delete() {
  local ns=$1 pid
  if ip netns list | awk '{print $1}' | grep -qx -- "$ns"; then
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || nl_log "warning: could not delete namespace $ns"
  fi
}

# nl_bg VAR CMD...: start CMD in the background, remember its PID in NL_PIDS and in variable VAR.
nl_bg() {
  local var=$1; shift
  "$@" &
  local pid=$!
  NL_PIDS+=("$pid")
  printf -v "$var" '%s' "$pid"
}

# nl_kill PID [SIGNAL]: stop one process we started and reap it (bounded: KILL after 3 s).
nl_kill() {
  local pid=$1 sig=${2:-TERM} i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

# nl_cleanup: kill our background processes, delete our namespaces, then run the caller's
# nl_cleanup_hook function if it defines one. Installed as EXIT trap by nl_init.
nl_cleanup() {
  local pid ns
  for pid in "${NL_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${NL_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  NL_PIDS=()
  for ns in "${NL_NAMESPACES[@]}"; do nl_ns_delete "$ns"; done
  NL_NAMESPACES=()
  if declare -F nl_cleanup_hook >/dev/null; then nl_cleanup_hook || true; fi
}

# nl_wait_until TIMEOUT_S DESCRIPTION CMD...: poll CMD every 50 ms until it succeeds; fail after
# TIMEOUT_S seconds (returns 1 and logs DESCRIPTION).
nl_wait_until() {
  local timeout=$1 desc=$2; shift 2
  local now=${EPOCHREALTIME/./}
  local deadline=$(( now + timeout * 1000000 ))
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    now=${EPOCHREALTIME/./}
    [ "$now" -lt "$deadline" ] || { nl_log "timeout (${timeout}s) waiting for: $desc"; return 1; }
    sleep 0.05
  done
}

# nl_offloads_off NS DEV: MTU-sized packets, software checksums.
nl_offloads_off() {
  nl_exec "$1" ethtool -K "$2" tso off gso off gro off tx off >/dev/null 2>&1 \
    || nl_die "ethtool -K $2 in $1 failed"
}

# nl_veth NS_A IF_A NS_B IF_B [INDEX_A]: veth pair created directly inside the namespaces.
nl_veth() {
  local a=$1 ia=$2 b=$3 ib=$4 idx=${5:-}
  if [ -n "$idx" ]; then
    nl_exec "$a" ip link add "$ia" index "$idx" type veth peer name "$ib" netns "$b"
  else
    nl_exec "$a" ip link add "$ia" type veth peer name "$ib" netns "$b"
  fi || nl_die "veth $a/$ia <-> $b/$ib failed"
  nl_offloads_off "$a" "$ia"; nl_offloads_off "$b" "$ib"
  nl_exec "$a" ip link set "$ia" up; nl_exec "$b" ip link set "$ib" up
}

# nl_topology_up NPATHS [router|direct]: create client/(router)/server namespaces and N paths.
# Sets NL_C, NL_R (empty in direct mode), NL_S, NL_PATHS, NL_MODE.
nl_topology_up() {
  local n=${1:-3} mode=${2:-router} i
  [ "$n" -ge 1 ] && [ "$n" -le 3 ] || nl_die "nl_topology_up: 1..3 paths supported, not $n"
  [ -n "$NL_PREFIX" ] || nl_die "call nl_init first"
  NL_PATHS=$n NL_MODE=$mode
  NL_C="${NL_PREFIX}-c" NL_S="${NL_PREFIX}-s" NL_R=""
  nl_ns_create "$NL_C"; nl_ns_create "$NL_S"
  if [ "$mode" = router ]; then
    NL_R="${NL_PREFIX}-r"
    nl_ns_create "$NL_R"
    nl_exec "$NL_R" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
  fi
  # Server service addresses on lo.
  nl_exec "$NL_S" ip addr add "$NL_SVC4/32" dev lo
  nl_exec "$NL_S" ip addr add "$NL_SVC6/128" dev lo nodad

  for i in $(seq 1 "$n"); do
    local peer_ns=${NL_R:-$NL_S} peer_if
    if [ "$mode" = router ]; then peer_if="r$i"; else peer_if="s$i"; fi
    nl_veth "$NL_C" "c$i" "$peer_ns" "$peer_if" $((i + 1))
    nl_exec "$NL_C" ip addr add "${NL_C4[i]}/${NL_LEN4[i]}" dev "c$i"
    nl_exec "$NL_C" ip addr add "${NL_C6[i]}/64" dev "c$i" nodad
    nl_exec "$peer_ns" ip addr add "${NL_R4[i]}/${NL_LEN4[i]}" dev "$peer_if"
    nl_exec "$peer_ns" ip addr add "${NL_R6[i]}/64" dev "$peer_if" nodad
    # Source-based policy routing: table 100+i for path i's client address.
    nl_exec "$NL_C" ip route add default via "${NL_R4[i]}" dev "c$i" table $((100 + i))
    nl_exec "$NL_C" ip rule add from "${NL_C4[i]}" table $((100 + i)) pref $((1000 + i))
    nl_exec "$NL_C" ip -6 route add default via "${NL_R6[i]}" dev "c$i" table $((100 + i))
    nl_exec "$NL_C" ip -6 rule add from "${NL_C6[i]}" table $((100 + i)) pref $((1000 + i))
  done
  # Main table of the client: everything via path 1 unless a scenario adds more specific routes.
  nl_exec "$NL_C" ip route add default via "${NL_R4[1]}" dev c1
  nl_exec "$NL_C" ip -6 route add default via "${NL_R6[1]}" dev c1

  if [ "$mode" = router ]; then
    nl_veth "$NL_S" s0 "$NL_R" rs 10   # s0: ifindex 10 (not one of the client's path indexes)
    nl_exec "$NL_R" ip addr add "$NL_RS4_R/30" dev rs
    nl_exec "$NL_S" ip addr add "$NL_RS4_S/30" dev s0
    nl_exec "$NL_R" ip -6 addr add "$NL_RS6_R/64" dev rs nodad
    nl_exec "$NL_S" ip -6 addr add "$NL_RS6_S/64" dev s0 nodad
    # Service addresses (192.0.2.0/28, 2001:db8::/64) live behind the server.
    nl_exec "$NL_R" ip route add 192.0.2.0/28 via "$NL_RS4_S" dev rs
    nl_exec "$NL_R" ip -6 route add 2001:db8::/64 via "$NL_RS6_S" dev rs
    nl_exec "$NL_S" ip route add default via "$NL_RS4_R" dev s0
    nl_exec "$NL_S" ip -6 route add default via "$NL_RS6_R" dev s0
  fi
  # (direct mode: the server owns each path's .1 address; connected routes reach the clients.)
}

nl_topology_down() {
  local ns
  for ns in "$NL_C" "$NL_R" "$NL_S"; do [ -n "$ns" ] && nl_ns_delete "$ns"; done
  local keep=() x
  for x in "${NL_NAMESPACES[@]}"; do
    [ "$x" = "$NL_C" ] || [ "$x" = "$NL_R" ] || [ "$x" = "$NL_S" ] || keep+=("$x")
  done
  NL_NAMESPACES=("${keep[@]}")
  NL_C="" NL_R="" NL_S="" NL_PATHS=0
}

# nl_server_addr ADDR: add another service address (/32 or /128) on the server's lo.
nl_server_addr() {
  case $1 in
    *:*) nl_exec "$NL_S" ip -6 addr add "$1/128" dev lo nodad ;;
    *)   nl_exec "$NL_S" ip addr add "$1/32" dev lo ;;
  esac
}

# nl_client_route_via PATH DEST: in the client's main table, reach DEST through path PATH (with
# that path's address as preferred source, so the kernel's joins towards DEST use that path).
nl_client_route_via() {
  local i=$1 dst=$2
  case $dst in
    *:*) nl_exec "$NL_C" ip -6 route add "$dst" via "${NL_R6[i]}" dev "c$i" src "${NL_C6[i]}" ;;
    *)   nl_exec "$NL_C" ip route add "$dst" via "${NL_R4[i]}" dev "c$i" src "${NL_C4[i]}" ;;
  esac
}

# nl_mptcp_limits NS SUBFLOWS ADD_ADDR_ACCEPTED
nl_mptcp_limits() { nl_exec "$1" ip mptcp limits set subflows "$2" add_addr_accepted "$3"; }

# nl_mptcp_checksum NS 0|1
nl_mptcp_checksum() { nl_exec "$1" sysctl -q -w "net.mptcp.checksum_enabled=$2" >/dev/null; }

# nl_shape NS DEV RATE: HTB root qdisc limiting DEV's egress to RATE (e.g. 50mbit).
nl_shape() {
  local ns=$1 dev=$2 rate=$3
  nl_exec "$ns" tc qdisc replace dev "$dev" root handle 1: htb default 10 2>/dev/null \
    || nl_die "htb on $dev failed"
  nl_exec "$ns" tc class replace dev "$dev" parent 1: classid 1:10 htb rate "$rate" 2>/dev/null \
    || nl_die "htb class on $dev failed"
}

# nl_strip_mptcp NS [DEV]: strip TCP option 30 (MPTCP) from every forwarded TCP segment that enters
# or leaves through DEV (all forwarded segments if DEV is empty). Meant for the router namespace.
nl_strip_mptcp() {
  local ns=$1 dev=${2:-} ipt
  for ipt in iptables ip6tables; do
    if [ -n "$dev" ]; then
      nl_exec "$ns" "$ipt" -t mangle -A FORWARD -i "$dev" -p tcp -j TCPOPTSTRIP --strip-options 30 \
        && nl_exec "$ns" "$ipt" -t mangle -A FORWARD -o "$dev" -p tcp -j TCPOPTSTRIP --strip-options 30
    else
      nl_exec "$ns" "$ipt" -t mangle -A FORWARD -p tcp -j TCPOPTSTRIP --strip-options 30
    fi || nl_die "$ipt TCPOPTSTRIP in $ns failed"
  done
}

# nl_strip_mptcp_ports NS DEV PORTS: like nl_strip_mptcp NS DEV, but only for the segments of
# connections to server ports PORTS (a port or a range FIRST:LAST): towards the server through DEV
# (destination port), and back (source port).
nl_strip_mptcp_ports() {
  local ns=$1 dev=$2 ports=$3 ipt
  for ipt in iptables ip6tables; do
    nl_exec "$ns" "$ipt" -t mangle -A FORWARD -i "$dev" -p tcp --dport "$ports" -j TCPOPTSTRIP --strip-options 30 \
      && nl_exec "$ns" "$ipt" -t mangle -A FORWARD -o "$dev" -p tcp --sport "$ports" -j TCPOPTSTRIP --strip-options 30 \
      || nl_die "$ipt TCPOPTSTRIP (ports $ports) in $ns failed"
  done
}

# nl_mib NS NAME [TABLE]: print counter NAME of TABLE (default MPTcpExt; also TcpExt, IpExt from
# /proc/net/netstat, or Tcp, Ip, Udp... from /proc/net/snmp) in namespace NS.
nl_mib() {
  local table=${3:-MPTcpExt}
  nl_exec "$1" cat /proc/net/netstat /proc/net/snmp | awk -v want="$2" -v table="$table:" '
    $1 == table { if (!hdr) { for (i = 2; i <= NF; i++) name[i] = $i; hdr = 1 }
                  else { for (i = 2; i <= NF; i++) if (name[i] == want) print $i; hdr = 0 } }'
}

# nl_mib_at_least NS NAME N [TABLE]: true when counter NAME >= N.
nl_mib_at_least() { local v; v=$(nl_mib "$1" "$2" "${4:-}"); [ -n "$v" ] && [ "$v" -ge "$3" ]; }

# nl_capture_start NS FILE FILTER [LOG]: tcpdump -i any in NS (immediate mode, packet-buffered
# output); returns once tcpdump is listening. tcpdump's stderr goes to LOG (default FILE.log).
# Sets NL_CAPTURE_PID.
NL_CAPTURE_PID=""
nl_capture_start() {
  local ns=$1 file=$2 filter=$3 log=${4:-$2.log}
  : >"$log"
  nl_bg NL_CAPTURE_PID timeout 120 ip netns exec "$ns" tcpdump -i any --immediate-mode -s 2048 -B 8192 -U -n -Z root -w "$file" "$filter" 2>"$log"
  nl_wait_until 10 "tcpdump listening in $ns" grep -q "listening on" "$log" || return 1
}

# nl_capture_stop: SIGTERM tcpdump (timeout(1) forwards it; tcpdump flushes the file) and wait.
nl_capture_stop() {
  [ -n "$NL_CAPTURE_PID" ] || return 0
  nl_kill "$NL_CAPTURE_PID" TERM
  NL_CAPTURE_PID=""
}

# nl_no_open_tcp NS: true when NS has no TCP socket left other than in TIME-WAIT / listening.
nl_no_open_tcp() {
  [ -z "$(nl_exec "$1" ss -tanH exclude time-wait exclude listening 2>/dev/null)" ]
}
