#!/usr/bin/env bash
# Goodput over the interop topology: Linux's MPTCP to Linux's MPTCP, our stack to the kernel, and the
# kernel to our stack, over two veth paths shaped to 50 Mbit/s each with HTB and unshaped, in one
# run. Prints a Markdown table for docs/benchmarks.md.
#
# Usage (root): bench/interop-goodput.sh [SHAPED_BYTES] [UNSHAPED_BYTES] [ROUNDS]
#   SHAPED_BYTES    bytes per transfer over the shaped paths (default 64M: about 5 s at 2 x 50 Mbit/s)
#   UNSHAPED_BYTES  bytes per transfer over the unshaped paths (default 8G: about 3 s at 20 Gbit/s)
#   ROUNDS          transfers per row; the table shows the median (default 3)
# Every transfer is bounded in bytes (iperf3 -n) and in time (120 s, then killed); every topology
# in time (--timeout 900).
#
# One source of truth for the topology: the rows do not build namespaces themselves. Each runs
# under `mptcp-privacy interop-topology`, the C# harness the tests and the interop matrix use
# (src/MptcpPrivacy.Linux/Namespaces/InteropTopology.cs), which builds it, describes it in MPI_*
# variables, runs this script again with --inside, and deletes it afterwards, also on failure or
# Ctrl-C. The kernel rows use --stack-side kernel (the stack namespace's own MPTCP), the rows of
# our stack --stack-side tun; wires, addresses, shaping and routing are the same.
set -euo pipefail
cd "$(dirname "$0")/.."
self="$PWD/bench/interop-goodput.sh"
cli=(dotnet "$PWD/src/MptcpPrivacy.Cli/bin/Release/net10.0/mptcp-privacy.dll")
port=5201

# ---- inside a topology (run by mptcp-privacy interop-topology) ---------------------------------
# Waits (at most 10 s) until something listens on TCP port $port in the kernel host.
wait_listening() {
  local i
  for i in $(seq 1 200); do
    [ -n "$(ip netns exec "$MPI_KERNEL_NS" ss -Hltn "sport = :$port")" ] && return 0
    sleep 0.05
  done
  echo "interop-goodput: nothing listens on port $port in $MPI_KERNEL_NS after 10 s" >&2
  return 1
}

# Receiver-side goodput in Mbit/s from iperf3's JSON on stdin.
goodput_of_iperf3_json() {
  python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.1f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6))'
}

# Once per topology: both kernels allow two more subflows per connection.
setup() {
  ip -n "$MPI_STACK_NS" mptcp limits set subflows 2 add_addr_accepted 2
  ip -n "$MPI_KERNEL_NS" mptcp limits set subflows 2 add_addr_accepted 2
  if [ "$MPI_STACK_SIDE" = tun ]; then
    # The kernel host opens a join from its path-2 address when it is the client (kernel -> ours).
    ip -n "$MPI_KERNEL_NS" mptcp endpoint add "$MPI_KERNEL2_4" dev "$MPI_K2_DEV" subflow
  fi
  if [ "$MPI_STACK_SIDE" = kernel ]; then
    # The stack host's kernel opens a join from its path-2 address: the data crosses both paths,
    # and source routing keeps each subflow on its own path.
    ip -n "$MPI_STACK_NS" mptcp endpoint add "$MPI_STACK2_4" dev "$MPI_S2_DEV" subflow
  fi
}

# kernel -> kernel: iperf3 under mptcpize; the stack host's kernel sends to the kernel host.
row_kernel_to_kernel() {
  local bytes=$1 server
  timeout 150 ip netns exec "$MPI_KERNEL_NS" mptcpize run iperf3 -s -1 -B "$MPI_SERVICE4" -p "$port" >/dev/null 2>&1 &
  server=$!
  wait_listening
  timeout 120 ip netns exec "$MPI_STACK_NS" mptcpize run iperf3 -c "$MPI_SERVICE4" -p "$port" -n "$bytes" -J | goodput_of_iperf3_json
  wait "$server" || true
}

# ours -> kernel: our stack (mptcp-privacy connect on the TUN device of the stack host, with its
# path-1 and path-2 addresses: it joins from the second) sends $bytes of zeros to a kernel MPTCP
# sink on the kernel host's service address, which prints the goodput.
row_ours_to_kernel() {
  local bytes=$1 sink out
  out=$(mktemp)
  timeout 150 ip netns exec "$MPI_KERNEL_NS" python3 "$PWD/bench/kernel-mptcp-peer.py" sink "$MPI_SERVICE4" "$port" >"$out" &
  sink=$!
  wait_listening
  head -c "$(numfmt --from=iec "$bytes")" /dev/zero \
    | timeout 150 "${cli[@]}" connect --netns "$MPI_STACK_NS" --tun "$MPI_TUN" --address "$MPI_STACK1_4" --address "$MPI_STACK2_4" \
        --output /dev/null --timeout 140s "$MPI_SERVICE4" "$port" 2>/dev/null || true
  wait "$sink" || true
  cat "$out"
  rm -f "$out"
}

# kernel -> ours: our stack listens (mptcp-privacy listen on the TUN device, owning its service
# address and both path addresses); the kernel host sends $bytes from a kernel MPTCP socket with a
# subflow endpoint on its path-2 address, and prints the goodput up to our data-level acknowledgement.
row_kernel_to_ours() {
  local bytes=$1 listener i
  timeout 150 "${cli[@]}" listen --netns "$MPI_STACK_NS" --tun "$MPI_TUN" --address "$MPI_STACK_SERVICE4" \
    --address "$MPI_STACK1_4" --address "$MPI_STACK2_4" --port "$port" --input /dev/null --output /dev/null --timeout 140s 2>/dev/null &
  listener=$!
  # The sender retries its connection (at most 10 s) while our listener starts.
  timeout 150 ip netns exec "$MPI_KERNEL_NS" python3 "$PWD/bench/kernel-mptcp-peer.py" send "$MPI_STACK_SERVICE4" "$port" "$bytes" || echo n/a
  wait "$listener" || true
}

if [ "${1:-}" = --inside ]; then
  row=$2 bytes=$3 rounds=$4
  setup
  for _ in $(seq "$rounds"); do
    "row_${row//-/_}" "$bytes"
  done
  exit 0
fi

# ---- the run -------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || { echo "interop-goodput: run as root (network namespaces)" >&2; exit 2; }
for tool in iperf3 mptcpize python3 ethtool tc; do
  command -v "$tool" >/dev/null || { echo "interop-goodput: $tool is not installed" >&2; exit 2; }
done
shaped_bytes=${1:-64M}
unshaped_bytes=${2:-8G}
rounds=${3:-3}
dotnet build src/MptcpPrivacy.Cli -c Release -v q -nologo >/dev/null

results=$(mktemp)
trap 'rm -f "$results"' EXIT

# measure ROW SIDE RATE BYTES: appends "ROW|RATE|BYTES|goodput" lines, one per round.
measure() {
  local row=$1 side=$2 rate=$3 bytes=$4 rate_option=()
  [ "$rate" = none ] || rate_option=(--rate "$rate")
  "${cli[@]}" interop-topology --paths 2 --stack-side "$side" "${rate_option[@]}" --timeout 900 \
    -- bash "$self" --inside "$row" "$bytes" "$rounds" \
    | while read -r value; do echo "$row|$rate|$bytes|$value"; done >>"$results" \
    || echo "interop-goodput: row $row ($side side, rate $rate) failed; its transfers are missing from the table" >&2
}

for rate in 50M none; do
  bytes=$shaped_bytes
  [ "$rate" = none ] && bytes=$unshaped_bytes
  measure kernel-to-kernel kernel "$rate" "$bytes"
  measure ours-to-kernel tun "$rate" "$bytes"
  measure kernel-to-ours tun "$rate" "$bytes"
done

echo "Goodput over two veth paths ($(uname -r), iperf3 $(iperf3 --version | awk 'NR == 1 { print $2 }')); median of $rounds transfers per row."
echo
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    row, rate, nbytes, value = line.strip().split('|')
    rows.setdefault((row, rate, nbytes), []).append(value)
names = {'kernel-to-kernel': 'kernel → kernel', 'ours-to-kernel': 'our stack → kernel', 'kernel-to-ours': 'kernel → our stack'}
print('| sender → receiver | paths | shaping per path | bytes per transfer | goodput (Mbit/s) | transfers |')
print('|---|---|---|---|---|---|')
for (row, rate, nbytes), values in rows.items():
    numbers = [float(v) for v in values if v != 'n/a']
    goodput = f'{statistics.median(numbers):,.1f}' if numbers else 'n/a'
    shaping = 'unshaped' if rate == 'none' else f'HTB {rate}bit/s'
    print(f'| {names[row]} | 2 | {shaping} | {nbytes} | {goodput} | {len(numbers)} |')
PY
