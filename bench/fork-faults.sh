#!/usr/bin/env bash
# What a fork costs a traced program in page faults and system calls: bench/lockheavy.c with 2,000
# forks and nothing else, untraced and under the agent (or agents given), counted by `perf stat`,
# without address randomization (setarch -R) so that the counts repeat. Faults are what a fork
# costs on a VM: a new process has no page of the agent mapped until it touches it, and every page
# the parent writes after fork is copy-on-write.
#
# usage: bench/fork-faults.sh [AGENT.so ...]   (default: agent/build/libinterleave-agent.so)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
command -v perf >/dev/null || { echo "fork-faults.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
command -v setarch >/dev/null || { echo "fork-faults.sh: needs setarch (util-linux)" >&2; exit 2; }
work=$(mktemp -d /dev/shm/fork-faults.XXXXXX)
trap 'rm -rf "$work"' EXIT
agents=("$@")
if [ ${#agents[@]} = 0 ]; then
    make -s -C "$repo/agent" >/dev/null
    agents=("$repo/agent/build/libinterleave-agent.so")
fi
gcc -O2 -pthread -o "$work/lockheavy" "$here/lockheavy.c"
n=2000
count() { # count [AGENT]: "faults syscalls"
    local pre=()
    [ -n "${1:-}" ] && pre=(env INTERLEAVE_TRACE_DIR="$work/run" LD_PRELOAD="$1")
    rm -rf "$work/run"
    setarch -R perf stat -x, -e page-faults,raw_syscalls:sys_enter "${pre[@]}" "$work/lockheavy" 1 1 0 $n 2>&1 >/dev/null |
        awk -F, '/page-faults/ { f = $1 } /sys_enter/ { s = $1 } END { print f, s }'
}
read -r uf us < <(count)
printf '%-40s %10s %10s %16s %18s\n' variant faults syscalls "faults/fork more" "syscalls/fork more"
printf '%-40s %10d %10d %16s %18s\n' untraced "$uf" "$us" - -
for a in "${agents[@]}"; do
    read -r f s < <(count "$a")
    awk -v name="$(basename "$(dirname "$a")")/$(basename "$a")" -v f="$f" -v s="$s" -v uf="$uf" -v us="$us" -v n=$n \
        'BEGIN { printf "%-40s %10d %10d %16.1f %18.1f\n", name, f, s, (f - uf) / n, (s - us) / n }'
done
