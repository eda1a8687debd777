#!/usr/bin/env bash
# Lock-heavy mixed workload (bench/lockheavy.c): untraced, under the Interleave agent, under strace
# and built with ThreadSanitizer, side by side in interleaved rounds; medians of wall time, trace
# size, and the time and peak memory of `interleave report` on the trace.
#
# usage: bench/lockheavy.sh [--rounds N] [--before AGENT.so] [--dir DIR] [--out FILE | --no-save] [-- LOCKHEAVY ARGS]
#   --rounds N        rounds (default 3); in each round every variant runs once, the order rotating
#   --before SO       also run this older agent build (e.g. built from an older commit) as "before"
#   --dir DIR         where run directories go (default /dev/shm: fork-heavy runs belong on tmpfs)
#   --out FILE        Markdown result file (default bench/results/lockheavy-<date>.md); --no-save: stdout only
# Needs gcc, make, GNU time (/usr/bin/time) and strace; installs the last two from Debian when run as
# root and they are missing, otherwise leaves their rows out and says so.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
rounds=3 before="" base=/dev/shm out="$here/results/lockheavy-$(date -u +%Y-%m-%d).md" save=1
args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --before) before=$(readlink -f "$2"); shift 2 ;;
    --dir) base=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-save) save=0; shift ;;
    --) shift; args=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "lockheavy.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
notes=()
need() { # need TOOL PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y -q "$2" >/dev/null 2>&1 || true
    fi
    command -v "$1" >/dev/null 2>&1 && return 0
    notes+=("$1 is not installed (apt-get install $2): its rows are left out")
    return 1
}
need /usr/bin/time time || { echo "lockheavy.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
have_strace=1; need strace strace || have_strace=0

work=$(mktemp -d "$base/lockheavy.XXXXXX")
trap 'rm -rf "$work"' EXIT
make -s -C "$repo/agent" >/dev/null
agent=$repo/agent/build/libinterleave-agent.so
gcc -O2 -g -pthread -o "$work/lockheavy" "$here/lockheavy.c"
have_tsan=1
gcc -O2 -g -fsanitize=thread -o "$work/lockheavy-tsan" "$here/lockheavy.c" 2>"$work/tsan.err" || {
    have_tsan=0; notes+=("gcc -fsanitize=thread failed: $(head -1 "$work/tsan.err")"); }
"$repo/interleave" --version >/dev/null 2>&1 || true # build the engine before timing anything

variants=(untraced interleave)
[ -n "$before" ] && variants+=(before)
variants+=(interleave-cli)
[ $have_strace = 1 ] && variants+=(strace)
[ $have_tsan = 1 ] && variants+=(tsan)
declare -A wall cpu size rtime rcpu rrss
now() { date +%s%N; }
run_one() { # run_one VARIANT ROUND
    local v=$1 r=$2 d="$work/run-$1-$2" t0 t1 rc=0 tf="$work/cpu-$1-$2"
    local T=(/usr/bin/time -o "$tf" -f "%U %S") # CPU (user + system) of the command and its children
    case $v in
    untraced) t0=$(now); "${T[@]}" "$work/lockheavy" "${args[@]}" >/dev/null 2>&1 || rc=$?; t1=$(now) ;;
    interleave|before)
        local so=$agent; [ "$v" = before ] && so=$before
        t0=$(now)
        INTERLEAVE_TRACE_DIR=$d LD_PRELOAD=$so "${T[@]}" "$work/lockheavy" "${args[@]}" >/dev/null 2>&1 || rc=$?
        t1=$(now) ;;
    interleave-cli) # the same, started through the command line (adds the JVM's start)
        t0=$(now); "${T[@]}" "$repo/interleave" trace --out "$d" -- "$work/lockheavy" "${args[@]}" >/dev/null 2>&1 || rc=$?; t1=$(now) ;;
    strace) t0=$(now); "${T[@]}" strace -f -o /dev/null "$work/lockheavy" "${args[@]}" >/dev/null 2>&1 || rc=$?; t1=$(now) ;;
    tsan) t0=$(now); TSAN_OPTIONS=report_signal_unsafe=0 "${T[@]}" "$work/lockheavy-tsan" "${args[@]}" >/dev/null 2>&1 || rc=$?; t1=$(now) ;;
    esac
    [ $rc = 0 ] || notes+=("round $r: $v exited with $rc")
    wall[$v]+="$(( (t1 - t0) / 1000000 )) "
    cpu[$v]+="$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$tf" 2>/dev/null) "
    if [ "$v" = interleave ] || [ "$v" = before ]; then
        size[$v]+="$(du -sb "$d" | cut -f1) "
        local tv="$work/time-$v-$r"
        /usr/bin/time -v "$repo/interleave" report "$d" >/dev/null 2>"$tv" || true
        rcpu[$v]+="$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%d", (u + s) * 1000 }' "$tv") "
        rtime[$v]+="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%d", s * 1000 }' "$tv") "
        rrss[$v]+="$(awk -F': ' '/Maximum resident set size/ { print int($2 / 1024) }' "$tv") "
    fi
    rm -rf "$d"
}
median() { tr ' ' '\n' | awk 'NF' | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# per-round ratios of two lists of numbers (same rounds, same order): "r1 r2 ..."
ratios() { awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " "); for (i = 1; i <= n; i++) if (y[i] > 0) printf "%.4f ", x[i] / y[i] }'; }
# the 25th and 75th percentiles of a list, as "p25-p75"
quartiles() { tr ' ' '\n' | awk 'NF' | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "-"; exit } lo = int((NR - 1) * 0.25) + 1; hi = int((NR - 1) * 0.75 + 0.5) + 1; printf "%.2f-%.2f", a[lo], a[hi] }'; }
for ((r = 1; r <= rounds; r++)); do
    n=${#variants[@]}
    for ((k = 0; k < n; k++)); do
        v=${variants[$(( (k + r - 1) % n ))]}
        run_one "$v" "$r"
        echo "round $r: $v $(echo "${wall[$v]}" | awk '{ print $NF }') ms" >&2
    done
done

{
    echo "# Lock-heavy workload: tracing overhead ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/lockheavy.sh --rounds $rounds${before:+ --before ...}\`, workload \`lockheavy ${args[*]:-8 400000 1600 2000}\`"
    echo "(8 threads x 400,000 acquisitions of one mutex, 1,600 short threads, 2,000 forks), run directories in \`$base\`,"
    echo "$(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Medians of $rounds interleaved rounds."
    echo
    echo "| variant | wall (ms) | x untraced | x untraced, middle half of rounds | CPU (ms) | x untraced | trace size (MB) | \`interleave report\` wall (s) | report CPU (s) | report peak RSS (MB) |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for v in "${variants[@]}"; do
        w=$(echo "${wall[$v]}" | median)
        rr=$(ratios "${wall[$v]}" "${wall[untraced]}")
        x=$(echo "$rr" | median | awk '$1 == "-" { print; next } { printf "%.2f", $1 }')
        q=$(echo "$rr" | quartiles)
        c=$(echo "${cpu[$v]}" | median)
        xc=$(ratios "${cpu[$v]}" "${cpu[untraced]}" | median | awk '$1 == "-" { print; next } { printf "%.2f", $1 }')
        s="-" t="-" m="-" tc="-"
        if [ -n "${size[$v]:-}" ]; then
            s=$(echo "${size[$v]}" | median | awk '{ printf "%.1f", $1 / 1048576 }')
            t=$(echo "${rtime[$v]}" | median | awk '{ printf "%.1f", $1 / 1000 }')
            tc=$(echo "${rcpu[$v]}" | median | awk '{ printf "%.1f", $1 / 1000 }')
            m=$(echo "${rrss[$v]}" | median)
        fi
        echo "| $v | $w | $x | $q | $c | $xc | $s | $t | $tc | $m |"
    done
    echo
    echo "*x untraced*: the median over rounds of the variant's time divided by the untraced run's in the same round"
    echo "(runs of one round follow each other, so a machine whose speed drifts between rounds, as a shared VM does,"
    echo "does not count as overhead); the next column gives the 25th and 75th percentiles of those ratios."
    echo
    echo "Variants: *untraced* the plain build; *interleave* the same binary with \`LD_PRELOAD\` of the agent and"
    echo "\`INTERLEAVE_TRACE_DIR\` (what \`interleave trace\` sets up); *interleave-cli* the whole \`./interleave trace\` command"
    echo "(includes starting the JVM); *before* an older agent build; *strace* \`strace -f -o /dev/null\`; *tsan* the"
    echo "program built with \`-fsanitize=thread\`. CPU = user + system time of the command and its children"
    echo "(\`/usr/bin/time\`); on a machine shared with other jobs it is steadier than wall time. Report columns:"
    echo "\`/usr/bin/time -v ./interleave report DIR\` (the HTML report, JVM start included)."
    for n in "${notes[@]}"; do echo "- $n"; done
} >"$work/result.md"
cat "$work/result.md"
if [ $save = 1 ]; then
    mkdir -p "$(dirname "$out")"
    cp "$work/result.md" "$out"
    echo "saved $out" >&2
fi
