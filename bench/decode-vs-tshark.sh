#!/usr/bin/env bash
# Times `mptcp-privacy decode --json` against `tshark -T json` on the same capture, in one run,
# and prints a Markdown table for docs/benchmarks.md.
# Usage: bench/decode-vs-tshark.sh [SOURCE_CAPTURE] [COPIES]
# The source capture (default: the kernel many-connections fixture, else tcpdump's mptcp-v0) is
# concatenated COPIES times with mergecap into one larger file.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-tests/fixtures/kernel/many-connections.pcap}
[ -f "$src" ] || src=tests/fixtures/tcpdump/mptcp-v0.pcap
copies=${2:-400}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build src/MptcpPrivacy.Cli -c Release -v q -nologo >/dev/null
cli=src/MptcpPrivacy.Cli/bin/Release/net10.0/mptcp-privacy.dll

files=()
for _ in $(seq "$copies"); do files+=("$src"); done
mergecap -a -F pcap -w "$work/big.pcap" "${files[@]}"
packets=$(capinfos -c -M "$work/big.pcap" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
mptcp=$(dotnet "$cli" decode --json "$work/big.pcap" | wc -l)

measure() { # name, command...
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { echo "$name failed: $(cat "$work/err")" >&2; exit 1; }
  end=$(date +%s.%N)
  local secs rss
  secs=$(echo "$end - $start" | bc -l)
  rss=$(tail -1 "$work/rss")
  printf '| %s | %.2f | %.0f | %d |\n' "$name" "$secs" "$(echo "$packets / $secs" | bc -l)" "$((rss / 1024))"
}

echo "Capture: $(basename "$src") x $copies = $packets packets ($mptcp with MPTCP options), $(du -h "$work/big.pcap" | cut -f1)"
echo
echo "| command | seconds | packets/s | max RSS (MiB) |"
echo "|---|---|---|---|"
measure "mptcp-privacy decode --json" dotnet "$cli" decode --json "$work/big.pcap"
measure "mptcp-privacy decode (text)" dotnet "$cli" decode "$work/big.pcap"
measure "tshark -T json -Y 'tcp.option_kind == 30'" tshark -r "$work/big.pcap" -n -T json -Y "tcp.option_kind == 30"
measure "tshark -T json" tshark -r "$work/big.pcap" -n -T json
