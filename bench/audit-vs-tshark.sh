#!/usr/bin/env bash
# Times `mptcp-privacy audit --json` against `tshark -T fields -e tcp.stream -e mptcp.stream` on
# the same capture, in one run, and prints a Markdown table for docs/benchmarks.md.
# Usage: bench/audit-vs-tshark.sh CAPTURE
# Make CAPTURE with bench/make-audit-capture.sh (real kernel MPTCP traffic, headers only, 5 million
# packets by default; needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
capture=${1:?usage: bench/audit-vs-tshark.sh CAPTURE (see bench/make-audit-capture.sh)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build src/MptcpPrivacy.Cli -c Release -v q -nologo >/dev/null
cli=src/MptcpPrivacy.Cli/bin/Release/net10.0/mptcp-privacy.dll
packets=$(capinfos -c -M "$capture" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')

measure() { # name, command...
  local name=$1; shift
  local start end secs rss
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >"$work/out" 2>"$work/err" || { echo "$name failed: $(tail -3 "$work/err")" >&2; exit 1; }
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  rss=$(tail -1 "$work/rss")
  printf '| %s | %.2f | %.0f | %d |\n' "$name" "$secs" "$(echo "$packets / $secs" | bc -l)" "$((rss / 1024))"
}

echo "Capture: $(basename "$capture"), $packets packets, $(du -h "$capture" | cut -f1)"
echo
echo "| command | seconds | packets/s | max RSS (MiB) |"
echo "|---|---|---|---|"
measure "mptcp-privacy audit --json" dotnet "$cli" audit --json "$capture"
measure "mptcp-privacy audit (text)" dotnet "$cli" audit "$capture"
measure "tshark -T fields -e tcp.stream -e mptcp.stream" tshark -r "$capture" -n -T fields -e tcp.stream -e mptcp.stream
