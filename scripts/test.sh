#!/usr/bin/env bash
# Runs every test of the project. Installs first what the tests need (Debian packages), when run as
# root; prints a last line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y tshark tcpdump iperf3 mptcpize iptables iproute2 ethtool
else
  echo "test.sh: not root: Debian packages not installed; tests that need them will report themselves skipped" >&2
fi

results=$(mktemp -d)
status=0
dotnet test tests/MptcpPrivacy.Tests/MptcpPrivacy.Tests.csproj -c Release \
  --logger "trx;LogFileName=results.trx" --results-directory "$results" || status=$?

python3 scripts/trx-summary.py "$results/results.trx" || status=1
exit $status
