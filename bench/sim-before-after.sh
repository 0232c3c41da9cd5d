#!/usr/bin/env bash
# Runs the simulation figures (`--sim-figures`) of a base revision and of the working tree
# alternately, in one run, and prints a Markdown table of the medians for docs/benchmarks.md.
# Usage: bench/sim-before-after.sh BASE_REVISION [ROUNDS] [RUNS]
# Each of ROUNDS rounds (default 7) runs the base then the working tree, each RUNS scenario runs
# (default 10) after 10 warm-up runs in a fresh process; alternating gives both the same machine.
# Both sides measure with the working tree's harness (bench/MptcpPrivacy.Benchmarks/Program.cs and
# Simulation/, copied over the base's), which uses only public APIs; only src/ differs.
# With CHECKS="sha256 pattern" (environment) the working tree also runs with each content check
# named (`--check`), in rows labelled "after (pattern)"; the base runs the documented sha256 only.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: bench/sim-before-after.sh BASE_REVISION [ROUNDS] [RUNS]}
rounds=${2:-7}
runs=${3:-10}
work=$(mktemp -d)
git worktree add -q --detach "$work/base" "$base"
trap 'git worktree remove --force "$work/base"; rm -rf "$work"' EXIT
rm -rf "$work/base/bench/MptcpPrivacy.Benchmarks/Simulation"
cp -r bench/MptcpPrivacy.Benchmarks/Program.cs bench/MptcpPrivacy.Benchmarks/Simulation "$work/base/bench/MptcpPrivacy.Benchmarks/"

dotnet build "$work/base/bench/MptcpPrivacy.Benchmarks" -c Release -v q -nologo >/dev/null
dotnet build bench/MptcpPrivacy.Benchmarks -c Release -v q -nologo >/dev/null

checks=${CHECKS:-sha256}

figures() { # tree label [check [--stack-only]]
  local dll=$1/bench/MptcpPrivacy.Benchmarks/bin/Release/net10.0/MptcpPrivacy.Benchmarks.dll
  # The stack table's rows have nine columns, the simulator-alone table's seven.
  dotnet "$dll" --sim-figures --runs "$runs" --warmup 10 --check "${3:-sha256}" ${4:-} \
    | awk -F'|' -v side="$2" '$2 !~ /scenario|---/ && NF == 11 { print "stack|" side "|" $0 } $2 !~ /scenario|---/ && NF == 9 { print "alone|" side "|" $0 }'
}

for _ in $(seq "$rounds"); do
  figures "$work/base" before >>"$work/rows"
  for check in $checks; do
    if [ "$check" = sha256 ]; then
      figures . after >>"$work/rows"
    else
      figures . "after ($check)" "$check" --stack-only >>"$work/rows"
    fi
  done
done

echo "Base $(git rev-parse --short "$base"), working tree $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench || echo '+changes'); medians of $rounds processes of $runs runs each."
python3 - "$work/rows" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    table, side, _, *cells = [c.strip() for c in line.split('|')]
    rows.setdefault(table, {}).setdefault((cells[0], side), []).append(cells)

def median(values, column):
    return statistics.median(float(v[column].replace(',', '')) for v in values)

def order(kv):
    return (kv[0][0], kv[0][1] != 'before', kv[0][1])

print()
print('| scenario | code | packets per run | events per run | CPU s per run (median) | packets per CPU-second | allocated per run | B per segment (whole run) | B per segment (marginal) |')
print('|---|---|---|---|---|---|---|---|---|')
for (scenario, side), values in sorted(rows.get('stack', {}).items(), key=order):
    last = values[-1]
    print(f'| {scenario} | {side} | {last[1]} | {last[3]} | {median(values, 4):.3f} | {median(values, 5):,.0f} | {last[6]} | {last[7]} | {last[8]} |')

print()
print('The simulator alone:')
print()
print('| scenario | code | packets per run | CPU s per run (median) | packets per CPU-second | allocated per run | B per datagram |')
print('|---|---|---|---|---|---|---|')
for (scenario, side), values in sorted(rows.get('alone', {}).items(), key=order):
    last = values[-1]
    print(f'| {scenario} | {side} | {last[1]} | {median(values, 3):.3f} | {median(values, 4):,.0f} | {last[5]} | {last[6]} |')
PY
