#!/usr/bin/env bash
# Static analyzer speed: ./interleave analyze on the given C trees, 1 parsing thread vs all cores, alternated so
# machine noise hits both, median wall time of --reps runs (default 3). Usage: bench/analyzer.sh [--reps N] DIR...
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
reps=3
if [ "${1:-}" = "--reps" ]; then reps=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: bench/analyzer.sh [--reps N] DIR..." >&2; exit 2; }
"$ROOT/interleave" rules >/dev/null   # build the engine once, outside the measurement
cores=$(nproc)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| tree | files | MB | 1 thread (s) | %s threads (s) |\n|---|---|---|---|---|\n' "$cores"
for dir in "$@"; do
  files=$(find "$dir" -name '*.[ch]' -not -path '*/.*' | wc -l)
  mb=$(find "$dir" -name '*.[ch]' -not -path '*/.*' -print0 | xargs -0 cat | wc -c | awk '{printf "%.1f", $1/1048576}')
  t1=(); tn=()
  for ((r = 0; r < reps; r++)); do
    for j in 1 "$cores"; do
      s=$(date +%s.%N)
      "$ROOT/interleave" analyze -j "$j" "$dir" >/dev/null 2>&1 || true   # exit 1 = findings
      e=$(date +%s.%N)
      t=$(echo "$e - $s" | bc)
      if [ "$j" = 1 ]; then t1+=("$t"); else tn+=("$t"); fi
    done
  done
  printf '| %s | %s | %s | %.2f | %.2f |\n' "$(basename "$dir")" "$files" "$mb" \
    "$(printf '%s\n' "${t1[@]}" | median)" "$(printf '%s\n' "${tn[@]}" | median)"
done
