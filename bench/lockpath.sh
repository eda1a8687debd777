#!/usr/bin/env bash
# The agent's lock path: ns per uncontended acquisition (bench/lockpath.c pairs), the same added work
# inside and outside a contended critical section (lockpath hold), and bench/lockheavy.c's workloads,
# untraced / an older agent ("before") / this agent, in interleaved runs under `perf stat` (task-clock,
# context switches, futex calls). Medians (and, for the microbenchmark, minima) with the load average.
#
# usage: bench/lockpath.sh [--runs N] [--before AGENT.so] [--dir DIR] [--out FILE | --no-save]
#   --runs N      runs of every variant (default 7), alternating
#   --before SO   also measure this agent build (e.g. built from main into /tmp)
#   --dir DIR     where the run directories go (default /dev/shm); each is removed after its run
#   --out FILE    Markdown result (default bench/results/lockpath-<date>.md); --no-save: stdout only
# Needs gcc and make; perf (linux-perf) for the task-clock / futex columns (left empty without it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=7 before="" base=/dev/shm out="$here/results/lockpath-$(date -u +%Y-%m-%d).md" save=1
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --before) before=$(readlink -f "$2"); shift 2 ;;
    --dir) base=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-save) save=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "lockpath.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
work=$(mktemp -d "$base/lockpath.XXXXXX")
trap 'rm -rf "$work"' EXIT
make -s -C "$repo/agent" >/dev/null
agent=$repo/agent/build/libinterleave-agent.so
gcc -O2 -g -pthread -o "$work/lockpath" "$here/lockpath.c"
gcc -O2 -g -pthread -o "$work/lockheavy" "$here/lockheavy.c"
have_perf=0
perf stat -x, -e task-clock true >/dev/null 2>&1 && have_perf=1
futex_ev=syscalls:sys_enter_futex
perf stat -x, -e $futex_ev true >/dev/null 2>&1 || futex_ev=""

variants=(untraced)
[ -n "$before" ] && variants+=(before)
variants+=(after)
so_of() { case $1 in before) echo "$before" ;; after) echo "$agent" ;; *) echo "" ;; esac; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
minimum() { tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }

# run VARIANT CMD... : the command with the variant's agent (trace in a fresh directory, removed after);
# sets R_WALL (ms), R_OUT (stdout+stderr), R_TASK (ms), R_CS, R_FUTEX
run() {
    local v=$1 so d=$work/run
    shift
    so=$(so_of "$v")
    rm -rf "$d"
    local pre=() ps=()
    [ -n "$so" ] && pre=(env INTERLEAVE_TRACE_DIR="$d" LD_PRELOAD="$so")
    if [ $have_perf = 1 ]; then
        ps=(perf stat -x, -o "$work/perf" -e "task-clock,context-switches${futex_ev:+,$futex_ev}")
    fi
    local t0 t1
    t0=$(date +%s%N)
    R_OUT=$("${ps[@]}" "${pre[@]}" "$@" 2>&1) || true
    t1=$(date +%s%N)
    R_WALL=$(((t1 - t0) / 1000000))
    R_TASK="" R_CS="" R_FUTEX=""
    if [ $have_perf = 1 ]; then
        R_TASK=$(awk -F, '/task-clock/ { printf "%d", $1 }' "$work/perf")
        R_CS=$(awk -F, '/context-switches/ { print $1 }' "$work/perf")
        R_FUTEX=$(awk -F, '/sys_enter_futex/ { print $1 }' "$work/perf")
    fi
    rm -rf "$d"
}

{
echo "# The agent's lock path ($(date -u +%Y-%m-%d))"
echo
echo "\`bench/lockpath.sh --runs $runs${before:+ --before ...}\`: $(nproc) cores, run directories in \`$base\`, variants alternating"
echo "in every round. Load average at the start: $(load)."
echo
echo "## Uncontended: ns per loop iteration (\`lockpath pairs\`, one thread)"
echo
} >"$work/result.md"

declare -A P
for ((r = 1; r <= runs; r++)); do
    for v in "${variants[@]}"; do
        run "$v" "$work/lockpath" pairs
        while read -r k ns; do P[$v.$k]+="$ns "; done <<<"$R_OUT"
    done
done
{
    printf "| loop |"; for v in "${variants[@]}"; do printf " %s min | %s median |" "$v" "$v"; done; echo
    printf "|---|"; for v in "${variants[@]}"; do printf -- "---|---|"; done; echo
    for k in mutex two-in-turn nested-pair semaphore; do
        printf "| %s |" "$k"
        for v in "${variants[@]}"; do printf " %s | %s |" "$(echo "${P[$v.$k]}" | minimum)" "$(echo "${P[$v.$k]}" | median)"; done
        echo
    done
    echo
    echo "mutex: one lock+unlock; two-in-turn: two mutexes from two call sites (two pairs); nested-pair: m1 then m2"
    echo "(two pairs and a lock-order edge); semaphore: sem_wait+sem_post of a free semaphore. Best batch of 200 in each"
    echo "run; the table gives the minimum and the median of the runs' best batches (ns per iteration). Load: $(load)."
    echo
    echo "## The same work inside or after a contended critical section (\`lockpath hold 8 400000 IN OUT\`, untraced)"
    echo
} >>"$work/result.md"

# what 20 steps cost alone: one thread, no contention
b0=1e9 b1=1e9
for i in 1 2 3; do
    x=$("$work/lockpath" hold 1 3000000 0 0); b0=$(awk -v a="$b0" -v b="$x" 'BEGIN { print (b < a ? b : a) }')
    x=$("$work/lockpath" hold 1 3000000 0 20); b1=$(awk -v a="$b1" -v b="$x" 'BEGIN { print (b < a ? b : a) }')
done
step=$(awk -v a="$b0" -v b="$b1" 'BEGIN { printf "%.1f", (b - a) * 1e6 / 3000000 }')
declare -A H HT HC HF
cfgs=("0 0" "20 0" "0 20")
for ((r = 1; r <= runs; r++)); do
    for c in "${cfgs[@]}"; do
        # shellcheck disable=SC2086
        run untraced "$work/lockpath" hold 8 400000 $c
        H[$c]+="$(echo "$R_OUT" | head -1) "; HT[$c]+="$R_TASK "; HC[$c]+="$R_CS "; HF[$c]+="$R_FUTEX "
    done
done
{
    echo "| added steps | loop wall (ms) | task-clock (ms) | context switches | futex calls |"
    echo "|---|---|---|---|---|"
    for c in "${cfgs[@]}"; do
        set -- $c
        echo "| ${1} inside, ${2} after | $(echo "${H[$c]}" | median) | $(echo "${HT[$c]}" | median) | $(echo "${HC[$c]}" | median) | $(echo "${HF[$c]}" | median) |"
    done
    echo
    echo "Medians of $runs runs. 20 steps cost $step ns (one thread, 3 million iterations with and without them, best of 3),"
    echo "so $(awk -v s="$step" 'BEGIN { printf "%.0f", s * 3.2 }') ms of CPU over the 3.2 million acquisitions. Load: $(load)."
    echo
    echo "## bench/lockheavy.c"
    echo
    echo "| workload | variant | wall (ms) | lock phase (ms) | task-clock (ms) | context switches | futex calls |"
    echo "|---|---|---|---|---|---|---|"
} >>"$work/result.md"

# wall and lock phase from plain runs; CPU, context switches and futex calls from separate runs under perf stat
# (counting in 3,600 threads and processes slows the whole workload down, so it gets plain runs only)
for wl in "8 400000 0 0" "2 1000000 0 0" "8 400000 1600 2000"; do
    declare -A W L T C F
    W=() L=() T=() C=() F=()
    for ((r = 1; r <= runs; r++)); do
        for v in "${variants[@]}"; do
            hp=$have_perf
            have_perf=0
            # shellcheck disable=SC2086
            run "$v" "$work/lockheavy" $wl
            have_perf=$hp
            W[$v]+="$R_WALL "
            L[$v]+="$(echo "$R_OUT" | sed -n 's/.*locks \([0-9.]*\) s.*/\1/p' | awk '{ print $1 * 1000 }') "
            if [ $have_perf = 1 ] && [[ $wl == *" 0 0" ]]; then
                # shellcheck disable=SC2086
                run "$v" "$work/lockheavy" $wl
                T[$v]+="$R_TASK "; C[$v]+="$R_CS "; F[$v]+="$R_FUTEX "
            fi
        done
    done
    for v in "${variants[@]}"; do
        echo "| \`$wl\` | $v | $(echo "${W[$v]}" | median) | $(echo "${L[$v]}" | median) | $(echo "${T[$v]:-}" | median) | $(echo "${C[$v]:-}" | median) | $(echo "${F[$v]:-}" | median) |" >>"$work/result.md"
    done
    echo "round of \`$wl\` done, load $(load)" >&2
done
{
    echo
    echo "Medians of $runs alternating runs. Wall and lock phase (the program's own measure of its first phase) from plain"
    echo "runs; task-clock, context switches and futex calls from separate runs under \`perf stat\` (not for the whole"
    echo "workload, which perf's counting in 3,600 threads and processes slows down). Load at the end: $(load)."
} >>"$work/result.md"
cat "$work/result.md"
if [ $save = 1 ]; then
    mkdir -p "$(dirname "$out")"
    cp "$work/result.md" "$out"
    echo "saved $out" >&2
fi
