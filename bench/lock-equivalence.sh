#!/usr/bin/env bash
# Do two agent builds record the same locks? Runs lock programs (the deadlock sample, the agent's lock tests,
# bench/lockheavy.c) under each build and compares
#   - the lock facts that do not depend on timing: per lock, acquisitions, semaphore posts and failed trylocks
#     summed over threads and windows (grouped locks as one sum); every lock-order edge with its call sites and
#     callers (without the thread id);
#   - `interleave report --format text` with every number and address masked (pids, times, lines stay comparable).
# Where a program's outcome depends on timing (deadlock --sleep 0 deadlocks in some runs), a difference is expected:
# the script says which outcome each run had.
#
# usage: bench/lock-equivalence.sh OLD_AGENT.so NEW_AGENT.so [OUT_DIR]
# Runs without address randomization (setarch -R) so both builds see the same addresses. Exit status: the number of
# programs whose lock facts differ.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 OLD_AGENT.so NEW_AGENT.so [OUT_DIR]" >&2; exit 2; }
old=$(readlink -f "$1") new=$(readlink -f "$2")
out=${3:-$(mktemp -d /tmp/lock-equivalence.XXXXXX)}
mkdir -p "$out"
make -s -C "$repo/agent" >/dev/null
make -s -C "$repo/sample-servers" >/dev/null 2>&1 || true
gcc -O2 -g -pthread -o "$out/lockheavy" "$here/lockheavy.c"
T=$repo/agent/build/tests S=$repo/sample-servers/bin
progs=(
    "deadlock|$S/deadlock --timeout 1"
    "deadlock-ordered|$S/deadlock --ordered --timeout 1"
    "deadlock-sleep0|$S/deadlock --sleep 0 --timeout 1"
    "t_lockorder|$T/t_lockorder 20000"
    "t_lockcounts|$T/t_lockcounts 20000"
    "t_manylocks|$T/t_manylocks 4096 3 2"
    "t_waits|$T/t_waits 200 60"
    "t_mutexkinds|$T/t_mutexkinds"
    "lockheavy|$out/lockheavy 8 100000 16 4"
)
mask() { sed -E 's/0x[0-9a-f]+/ADDR/g; s/[0-9]+(\.[0-9]+)?/N/g'; }
facts() {
    "$repo/agent/build/itrace-dump" "$1" 2>/dev/null | awk '
    function hex(s,  v, i) { v = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
    { delete f; for (i = 1; i <= NF; i++) { j = index($i, "="); if (j) f[substr($i, 1, j - 1)] = substr($i, j + 1) } }
    f["ev"] == "LOCK_STATS.point" && f["flags"] % 8 < 4 { n[f["obj"]] += f["count"]; tf[f["obj"]] += int(hex(f["waits_tryfails"]) / 4294967296)
        if (f["flags"] % 2) p[f["obj"]] += f["hold_ns"] }
    f["ev"] == "LOCK_STATS.point" && f["flags"] % 8 >= 4 { g += f["count"] }
    f["ev"] == "LOCK_EDGE.point" { e[f["held"] ">" f["taken"] " " f["held_ra"] " " f["held_caller"] " " f["ra"] " " f["caller"]]++ }
    END { for (o in n) print "lock", o, "acquisitions", n[o], "posts", p[o] + 0, "tryfails", tf[o]
          print "grouped acquisitions", g + 0; for (k in e) print "edge", k, "x" e[k] }' | sort
}
differ=0
for pr in "${progs[@]}"; do
    name=${pr%%|*} cmd=${pr#*|}
    for v in old new; do
        so=$old; [ $v = new ] && so=$new
        d=$out/$name-$v
        rm -rf "$d"
        # shellcheck disable=SC2086
        INTERLEAVE_TRACE_DIR=$d LD_PRELOAD=$so timeout 60 setarch -R $cmd >"$d.out" 2>&1
        echo "exit $?" >>"$d.out"
        "$repo/interleave" report --format text "$d" >"$d.report" 2>&1
        echo "status $?" >>"$d.report"
        mask <"$d.report" >"$d.masked"
        facts "$d" >"$d.facts"
    done
    r=same f=same outcome="" o1=0 o2=0
    if [[ $name == deadlock* ]]; then
        o1=$(grep -c '^deadlocked' "$out/$name-old.out") o2=$(grep -c '^deadlocked' "$out/$name-new.out")
        outcome=" (deadlocked: old $o1, new $o2)"
    fi
    cmp -s "$out/$name-old.masked" "$out/$name-new.masked" || r=differs
    if ! cmp -s "$out/$name-old.facts" "$out/$name-new.facts"; then
        if [ "$o1" != "$o2" ]; then
            f="differ, as the outcome does"
        else
            f=DIFFER
            differ=$((differ + 1))
        fi
    fi
    echo "$name: lock facts $f ($(grep -c '^lock' "$out/$name-new.facts") locks, $(grep -c '^edge' "$out/$name-new.facts") edges), masked report $r$outcome"
done
echo "outputs in $out; $differ program(s) with different lock facts"
exit "$differ"
