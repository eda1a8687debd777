#!/usr/bin/env bash
# Tests of the Interleave tracing agent. Builds everything, runs small programs with and
# without the agent, and checks the traces through itrace-dump's output.
# Usage: bash agent/tests/run-tests.sh   (from anywhere). Ends with "N passed, M failed".
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AGENT_DIR=$(cd "$HERE/.." && pwd)
make -s -C "$AGENT_DIR" >/dev/null
B=$AGENT_DIR/build
AGENT=$B/libinterleave-agent.so
DUMP=$B/itrace-dump
T=$B/tests
WORK=$(mktemp -d "${TMPDIR:-/tmp}/interleave-agent-tests.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "PASS $1"; }
ko() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }

# wait for one pid we started, at most $2 seconds, then SIGKILL it; returns its exit status
wait_pid() {
    local pid=$1 tmo=$2 end=$((SECONDS + $2))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= end)); then
            kill -9 "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            return 124
        fi
        sleep 0.02
    done
    local rc=0
    wait "$pid" || rc=$?
    return $rc
}

# run_traced DIR TIMEOUT OUTFILE CMD... : the agent only in CMD's environment
run_traced() {
    local dir=$1 tmo=$2 out=$3
    shift 3
    INTERLEAVE_TRACE_DIR=$dir LD_PRELOAD=$AGENT "$@" >"$out" 2>&1 &
    wait_pid $! "$tmo"
}

run_plain() {
    local tmo=$1 out=$2
    shift 2
    "$@" >"$out" 2>&1 &
    wait_pid $! "$tmo"
}

# dump DIR -> DIR.txt ; returns itrace-dump's status (3 = damage)
dump() {
    local rc=0
    "$DUMP" "$1" >"$1.txt" 2>"$1.err" || rc=$?
    return $rc
}

count() { grep -c -- "$1" "$2" || true; }
# total acquisitions in the LOCK_STATS summaries of a dump
statsum() { awk '/ev=LOCK_STATS.point/ { for (i = 1; i <= NF; i++) if ($i ~ /^count=/) { sub(/count=/, "", $i); n += $i } } END { print n + 0 }' "$1"; }

# ---------------------------------------------------------------------------------------------
test_echo() {
    local d=$WORK/echo rc=0
    run_traced "$d" 60 "$WORK/echo.out" "$T/t_echo" 20 || rc=$?
    [[ $rc == 0 ]] || { ko "echo: every accept has its close, every fork its exit" "exit $rc"; return; }
    dump "$d" || { ko "echo" "dump reported damage"; return; }
    local res
    res=$(awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        f["ev"] == "ACCEPT.exit" && f["res"] >= 0 { acc++; open[f["pid"] "/" f["res"]] = 1 }
        f["ev"] == "CLOSE.call" && ((f["pid"] "/" f["fd"]) in open) { delete open[f["pid"] "/" f["fd"]]; closed++ }
        f["ev"] == "FORK.exit" && f["child"] > 0 { forks++; child[f["child"]] = 1 }
        f["ev"] == "FORK_CHILD.point" { fc[f["pid"]] = 1 }
        f["ev"] == "PROC_EXIT.point" { ex[f["pid"]] = 1 }
        f["ev"] == "WAIT.exit" && f["result"] > 0 { reaped[f["result"]] = 1 }
        { delete f }
        END {
            left = 0; for (k in open) left++
            bad = 0; for (c in child) if (!(c in fc) || !(c in ex) || !(c in reaped)) bad++
            printf "%d %d %d %d %d\n", acc, closed, left, forks, bad
        }' "$d.txt")
    if [[ $res == "20 20 0 20 0" ]] && grep -q "served 20 clients, 0 bad" "$WORK/echo.out"; then
        ok "echo: 20 accepts each closed, 20 forks each started/exited/reaped"
    else
        ko "echo: every accept has its close, every fork its exit" "accepted closed left forks bad = $res"
    fi
}

test_shared_window() {
    # 18 million events of 3 threads in the shared thread file: their chunks, up to 2 MiB each,
    # interleave and go past the file's first 1 GiB window (a chunk never crosses it); nothing lost
    local d=$WORK/shared-window rc=0 n=6000000
    run_traced "$d" 120 "$WORK/shared-window.out" "$T/t_bigthreads" $n 3 || rc=$?
    local sum threads size
    sum=$("$DUMP" --summary "$d" 2>"$d.err" | tr '\n' ' ' || true)
    threads=$("$DUMP" --headers "$d" 2>/dev/null | grep -c '^# file=.*threads.trace#' || true)
    size=$(find "$d" -name '*-threads.trace' -printf '%s\n')
    rm -rf "$d"
    if [[ $rc == 0 && $sum == *"CLOSE.call $((3 * n)) "* && $threads == 3 && $size -gt 1073741824 ]] &&
        grep -q 'damaged=0' "$d.err"; then
        ok "18 million events of 3 threads, shared thread file past its first 1 GiB window ($size bytes), none lost"
    else
        ko "shared window" "rc=$rc threads=$threads size=$size summary: $sum $(tr '\n' ' ' <"$d.err")"
    fi
}

test_threads() {
    local d=$WORK/threads rc=0
    run_traced "$d" 120 "$WORK/threads.out" "$T/t_threads" 1000 || rc=$?
    [[ $rc == 0 ]] || { ko "1000 threads" "exit $rc"; return; }
    dump "$d" || { ko "1000 threads" "dump reported damage"; return; }
    local c s e e1 e2 l u files threads unmatched
    c=$(grep 'ev=THREAD_CREATE.exit' "$d.txt" | grep -vc ' err=' || true)
    s=$(count 'ev=THREAD_START.point' "$d.txt")
    e=$(count 'ev=THREAD_EXIT.point' "$d.txt")
    e1=$(grep 'ev=THREAD_EXIT.point' "$d.txt" | grep -c ' flags=1 ' || true)
    e2=$(grep 'ev=THREAD_EXIT.point' "$d.txt" | grep -c ' flags=2 ' || true)
    # uncontended locks are counted, not written: one LOCK_STATS per thread, counts adding up
    l=$(statsum "$d.txt")
    u=$(count 'ev=LOCK_STATS.point' "$d.txt")
    # one file of the main thread's and the shared thread file; a header per thread
    files=$(find "$d" -name '*.trace' | wc -l)
    threads=$("$DUMP" --headers "$d" 2>/dev/null | grep -c '^# file=' || true)
    unmatched=$(awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        f["ev"] == "THREAD_CREATE.enter" { cr[f["pid"] "/" f["id"]] = 1 }
        f["ev"] == "THREAD_START.point" { st[f["pid"] "/" f["id"]] = 1 }
        { delete f }
        END { n = 0; for (k in st) if (!(k in cr)) n++; for (k in cr) if (!(k in st)) n++; print n }' "$d.txt")
    if [[ "$c $s $e $e1 $e2 $l $u $threads $files $unmatched" == "1000 1000 1000 500 500 1000 1000 1001 2 0" ]]; then
        ok "1000 threads: created = started = exited (500 return, 500 pthread_exit), 1000 acquisitions in 1000 lock summaries, 1001 thread headers in 2 files"
    else
        ko "1000 threads" "created started exited ret exit acquisitions summaries threads files unmatched = $c $s $e $e1 $e2 $l $u $threads $files $unmatched"
    fi
}

test_forks() {
    local d=$WORK/forks rc=0 t0=$SECONDS
    run_traced "$d" 240 "$WORK/forks.out" "$T/t_forks" 10000 || rc=$?
    [[ $rc == 0 ]] || { ko "10000 forks" "exit $rc"; return; }
    dump "$d" || { ko "10000 forks" "dump reported damage"; return; }
    local res
    res=$(awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        f["ev"] == "FORK.exit" && f["child"] > 0 { forks++; child[f["child"]] = 1 }
        f["ev"] == "FORK_CHILD.point" { fc++; inchild[f["pid"]] = 1 }
        f["ev"] == "PROC_EXIT.point" && (f["pid"] in inchild) { ex++ }
        f["ev"] == "WAIT.exit" && f["result"] > 0 { w++ }
        { delete f }
        END { bad = 0; for (c in child) if (!(c in inchild)) bad++; printf "%d %d %d %d %d\n", forks, fc, ex, w, bad }' "$d.txt")
    if [[ $res == "10000 10000 10000 10000 0" ]]; then
        ok "10000 forks: all forked, started, exited, reaped ($((SECONDS - t0)) s)"
    else
        ko "10000 forks" "forks child_starts child_exits reaped missing = $res"
    fi
}

test_race() {
    local d=$WORK/race rc=0
    run_traced "$d" 60 "$WORK/race.out" "$T/t_race" 50 || rc=$?
    [[ $rc == 0 ]] || { ko "&i race" "exit $rc"; return; }
    dump "$d" || { ko "&i race" "dump reported damage"; return; }
    local res
    res=$(awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        f["ev"] == "THREAD_CREATE.enter" { at_create[f["pid"] "/" f["id"]] = f["b0"]; arg[f["pid"] "/" f["id"]] = f["arg"] }
        f["ev"] == "THREAD_START.point" { at_start[f["pid"] "/" f["id"]] = f["b0"]; sarg[f["pid"] "/" f["id"]] = f["arg"] }
        { delete f }
        END {
            n = 0; diff = 0; same_arg = 0
            for (k in at_start) { n++; if (at_start[k] != at_create[k]) diff++; if (sarg[k] == arg[k]) same_arg++ }
            printf "%d %d %d\n", n, diff, same_arg
        }' "$d.txt")
    local n diff same
    read -r n diff same <<<"$res"
    if [[ $n == 50 && $same == 50 && $diff -gt 0 ]]; then
        ok "&i race: arg bytes changed between create and start for $diff of 50 threads"
    else
        ko "&i race" "threads differing same_arg = $res"
    fi
}

# per thread: the ARG_WATCH value of thread id k+1 against what thread k said it read ("k=value" lines)
argwatch_compare() {
    awk '
        FNR == NR && /=/ { split($0, kv, "="); said[kv[1] + 1] = kv[2]; n++; next }
        FNR == NR { next }
        { delete f; for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        f["ev"] == "THREAD_START.point" { id[f["tid"]] = f["id"] }
        f["ev"] == "ARG_WATCH.point" && (f["flags"] == 3 || f["flags"] == 19) { read_[f["tid"]] = f["value"] }
        f["ev"] == "ARG_WATCH.point" && f["flags"] == 1 { armed++ }
        f["ev"] == "ARG_WATCH.point" && f["flags"] == 2 { unavailable++ }
        END {
            match_ = 0; got = 0
            for (t in read_) { got++; if (read_[t] == said[id[t]]) match_++ }
            printf "%d %d %d %d %d\n", n, armed + 0, unavailable + 0, got, match_
        }' "$1" "$2"
}

test_argwatch() {
    local d rc n armed unav got same
    d=$WORK/argwatch-stack; rc=0
    run_traced "$d" 60 "$d.out" "$T/t_argwatch" stack 40 || rc=$?
    [[ $rc == 0 ]] && dump "$d" || { ko "argument watchpoint" "exit $rc or damage"; return; }
    read -r n armed unav got same <<<"$(argwatch_compare "$d.out" "$d.txt")"
    if [[ $n == 40 && $armed == 40 && $got == 40 && $same == 40 ]]; then
        ok "argument watchpoint: &i watched in 40 threads, every recorded read equals what the thread saw"
    elif [[ $unav == 40 ]]; then
        ok "argument watchpoint unavailable here ($(grep -m1 -o 'ARG_WATCH.point flags=2 err=[A-Z]*' "$d.txt")), recorded as such"
    else
        ko "argument watchpoint" "threads armed unavailable read equal = $n $armed $unav $got $same"
    fi
    d=$WORK/argwatch-off; rc=0
    INTERLEAVE_TRACE_WATCH=0 run_traced "$d" 60 "$d.out" "$T/t_argwatch" stack 10 || rc=$?
    [[ $rc == 0 ]] && dump "$d" || { ko "argument watchpoint off" "exit $rc or damage"; return; }
    read -r n armed unav got same <<<"$(argwatch_compare "$d.out" "$d.txt")"
    [[ $armed == 0 && $unav == 10 && $got == 0 ]] && ok "INTERLEAVE_TRACE_WATCH=0: 10 threads say 'watchpoint unavailable'" \
        || ko "argument watchpoint off" "armed unavailable read = $armed $unav $got"
    d=$WORK/argwatch-heap; rc=0
    run_traced "$d" 60 "$d.out" "$T/t_argwatch" heap 10 || rc=$?
    [[ $rc == 0 ]] && dump "$d" || { ko "heap argument" "exit $rc or damage"; return; }
    [[ $(count "ev=ARG_WATCH" "$d.txt") == 0 ]] && ok "a malloc'd argument is not watched" \
        || ko "heap argument" "$(count "ev=ARG_WATCH" "$d.txt") ARG_WATCH records"
    d=$WORK/argwatch-shared; rc=0
    run_traced "$d" 60 "$d.out" "$T/t_argwatch" shared 10 || rc=$?
    [[ $rc == 0 ]] && dump "$d" || { ko "shared read-only argument" "exit $rc or damage"; return; }
    read -r n armed unav got same <<<"$(argwatch_compare "$d.out" "$d.txt")"
    [[ $unav == 10 || ($got == 10 && $same == 10) ]] && ok "a never-changing stack value: 10 reads of 7 recorded" \
        || ko "shared read-only argument" "armed unavailable read equal = $armed $unav $got $same"
    # every thread's first event carries its CPU, a CPU this machine has
    local first bad
    first=$(count "ev=CPU.point owner_slot=0 " "$WORK/argwatch-stack.txt")
    bad=$(grep -o "ev=CPU.point owner_slot=[0-9]* cpu=[0-9]*" "$WORK/argwatch-stack.txt" | awk -v n="$(nproc)" -F'cpu=' '$2 >= n' | wc -l)
    [[ $first == 41 && $bad == 0 ]] && ok "CPU records: all 41 threads' first events have a CPU below $(nproc)" \
        || ko "CPU records" "first-event CPU records $first of 41, $bad out of range"
    # no perf descriptor left behind once the watched threads have ended
    grep -q "^next-fd 3$" "$WORK/argwatch-stack.out" && ok "no descriptor left open by the watchpoints" \
        || ko "descriptors after watched threads" "$(grep next-fd "$WORK/argwatch-stack.out")"
}

test_sigread() {
    local d=$WORK/sigread rc=0
    run_traced "$d" 30 "$WORK/sigread.out" "$T/t_sigread" || rc=$?
    [[ $rc == 0 ]] || { ko "handler nested in read" "exit $rc"; return; }
    dump "$d" || { ko "handler nested in read" "dump reported damage"; return; }
    local tid seq sender child
    tid=$(awk '/ev=READ.enter/ { for (i = 1; i <= NF; i++) if ($i ~ /^tid=/) { print substr($i, 5); exit } }' "$d.txt")
    seq=$(grep " tid=$tid " "$d.txt" | grep -oE 'ev=(READ|WRITE|SIGNAL_HANDLER)\.[a-z]+' | tr '\n' ' ')
    sender=$(grep " tid=$tid " "$d.txt" | grep -oE 'ev=SIGNAL_HANDLER.enter.* sender=[0-9]+' | grep -oE 'sender=[0-9]+' | head -1 | cut -d= -f2)
    child=$(grep " tid=$tid " "$d.txt" | grep -oE 'ev=FORK.exit.* child=[0-9]+' | grep -oE 'child=[0-9]+' | head -1 | cut -d= -f2)
    if [[ $seq == "ev=READ.enter ev=SIGNAL_HANDLER.enter ev=WRITE.enter ev=WRITE.exit ev=SIGNAL_HANDLER.exit ev=READ.exit " && -n $sender && $sender == "$child" ]]; then
        ok "signal handler (sent by child $child) nested between read enter and read exit"
    else
        ko "handler nested in read" "sequence '$seq' sender=$sender child=$child"
    fi
}

test_printf_handler() {
    # The program may deadlock for real (handler waits for the stdio lock that the interrupted
    # printf is taking): then it is killed after 5 s, and the trace must show why.
    local d=$WORK/printf rc=0
    INTERLEAVE_TRACE_STDIO=1 run_traced "$d" 5 "$WORK/printf.out" "$T/t_printf_sig" || rc=$?
    [[ $rc == 0 || $rc == 124 ]] || { ko "printf in handler" "exit $rc"; return; }
    dump "$d" || { ko "printf in handler" "dump reported damage"; return; }
    local res
    res=$(awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        f["ev"] == "STDIO.enter" { depth[f["tid"]]++; if (inh[f["tid"]] > 0) hprint++ }
        f["ev"] == "STDIO.exit" { depth[f["tid"]]-- }
        f["ev"] == "SIGNAL_HANDLER.enter" { inh[f["tid"]]++; if (depth[f["tid"]] > 0) nested++; h++ }
        f["ev"] == "SIGNAL_HANDLER.exit" { inh[f["tid"]]-- }
        { delete f }
        END { printf "%d %d %d\n", h, nested, hprint }' "$d.txt")
    local h nested hprint
    read -r h nested hprint <<<"$res"
    # without INTERLEAVE_TRACE_STDIO: stdio/heap records only inside handlers (the handler's own
    # printf), and the handler-entry records say when main was inside printf (flags bit 0)
    local d2=$WORK/printf-off rc2=0 off
    run_traced "$d2" 5 "$WORK/printf-off.out" "$T/t_printf_sig" || rc2=$?
    [[ $rc2 == 124 ]] && rc2=0
    dump "$d2" || true
    off=$(awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        f["ev"] ~ /^(STDIO|MALLOC|FREE)\./ { if (inh[f["tid"]] > 0) inside++; else outside++ }
        f["ev"] == "SIGNAL_HANDLER.enter" { inh[f["tid"]]++; h++; if (f["flags"] % 2 == 1) instdio++ }
        f["ev"] == "SIGNAL_HANDLER.exit" { inh[f["tid"]]-- }
        { delete f }
        END { printf "%d %d %d %d\n", h, instdio, inside, outside }' "$d2.txt")
    local h2 instdio inside outside
    read -r h2 instdio inside outside <<<"$off"
    if [[ $h -gt 0 && $nested -gt 0 && $hprint -gt 0 && $rc2 == 0 && $h2 -gt 0 && $instdio -gt 0 && $inside -gt 0 && $outside == 0 ]]; then
        local how="completed"
        [[ $rc == 124 ]] && how="deadlocked and was killed"
        ok "printf in handler: $nested of $h handler runs nested inside printf (program $how); without INTERLEAVE_TRACE_STDIO $instdio of $h2 handler entries marked inside stdio, $inside stdio records all inside handlers"
    else
        ko "printf in handler" "handlers nested printf-in-handler = $res; without STDIO rc=$rc2 handlers/in-stdio/inside/outside = $off"
    fi
}

test_sigkill() {
    local d=$WORK/kill out=$WORK/kill.out n=5000
    INTERLEAVE_TRACE_DIR=$d LD_PRELOAD=$AGENT "$T/t_kill" $n >"$out" 2>&1 &
    local pid=$! end=$((SECONDS + 30))
    while ! grep -q ready "$out" 2>/dev/null; do
        if ((SECONDS >= end)) || ! kill -0 $pid 2>/dev/null; then break; fi
        sleep 0.02
    done
    kill -9 $pid 2>/dev/null || true
    local rc=0
    wait $pid 2>/dev/null || rc=$?
    local drc=0
    dump "$d" || drc=$?
    local l u ts te j sl
    # the worker's counters were written when it ended; the main thread's last window (not yet
    # summarized when it was killed) may be missing
    l=$(statsum "$d.txt")
    u=$(count 'ev=LOCK_STATS.point' "$d.txt")
    ts=$(count 'ev=THREAD_START.point' "$d.txt")
    te=$(count 'ev=THREAD_EXIT.point' "$d.txt")
    j=$(count 'ev=PTHREAD_JOIN.exit' "$d.txt")
    sl=$(count 'ev=SLEEP.enter' "$d.txt")
    if [[ $rc == 137 && $drc == 0 && $l -ge $n && $l -le $((2 * n)) && $u -ge 1 && "$ts $te $j" == "1 1 1" && $sl -ge 1 ]]; then
        ok "SIGKILL: the events up to the kill are readable ($l of $((2 * n)) acquisitions summarized)"
    else
        ko "SIGKILL" "rc=$rc dump=$drc locks=$l unlocks=$u start=$ts exit=$te join=$j sleep=$sl"
    fi
}

test_same_behaviour() {
    local prog rc1 rc2 bad=""
    for prog in "t_output x y" "t_echo 5" "t_exec" "t_threads 10" "t_forks 50" "t_sigread" "t_vfork"; do
        local name=${prog%% *} args=${prog#* }
        [[ $args == "$prog" ]] && args=""
        rc1=0
        rc2=0
        # shellcheck disable=SC2086
        run_plain 60 "$WORK/plain.$name" "$T/$name" $args || rc1=$?
        # shellcheck disable=SC2086
        run_traced "$WORK/same.$name" 60 "$WORK/traced.$name" "$T/$name" $args || rc2=$?
        if [[ $rc1 != "$rc2" ]] || ! cmp -s "$WORK/plain.$name" "$WORK/traced.$name"; then
            bad="$bad $name(rc $rc1/$rc2)"
        fi
    done
    if [[ -z $bad ]] && grep -q "fails=0" "$WORK/traced.t_output"; then
        ok "output, stderr and exit status unchanged by the agent (7 programs incl. vfork; errno and sigaction results preserved)"
    else
        ko "same behaviour" "differs:$bad; $(grep fails= "$WORK/traced.t_output" || true)"
    fi
}

test_mutex_kinds() {
    # recursive, error-checking, robust (owner died while another thread waited) and priority-inheritance
    # mutexes return the same with the agent, also when every wait goes through its timed lock first
    local rc1=0 rc2=0 rc3=0 d=$WORK/kinds
    run_plain 60 "$WORK/plain.kinds" "$T/t_mutexkinds" || rc1=$?
    run_traced "$d" 60 "$WORK/traced.kinds" "$T/t_mutexkinds" || rc2=$?
    INTERLEAVE_TRACE_LOCK_WAITS=0 run_traced "$d.timed" 60 "$WORK/timed.kinds" "$T/t_mutexkinds" || rc3=$?
    dump "$d.timed" || true
    local long
    long=$(count 'ev=MUTEX_LOCK.enter' "$d.timed.txt")
    if [[ "$rc1 $rc2 $rc3" == "0 0 0" && $(wc -l <"$WORK/plain.kinds") == 40 ]] &&
       cmp -s "$WORK/plain.kinds" "$WORK/traced.kinds" && cmp -s "$WORK/plain.kinds" "$WORK/timed.kinds" && [[ $long -ge 20 ]]; then
        ok "mutex kinds: recursive, errorcheck, robust, priority-inheritance results unchanged (timed waits: $long long ones written)"
    else
        ko "mutex kinds" "rc $rc1/$rc2/$rc3, long waits written $long; $(diff "$WORK/plain.kinds" "$WORK/timed.kinds" | head -3 | tr '\n' ' ')"
    fi
}

test_trivial_programs() {
    local d=$WORK/trivial bad=""
    local rc1 rc2
    for cmd in /bin/true /bin/false "$WORK/does-not-exist" "/bin/sh -c exit\ 42"; do
        rc1=0
        rc2=0
        (eval "$cmd") >"$WORK/triv1" 2>&1 || rc1=$?
        (export INTERLEAVE_TRACE_DIR=$d LD_PRELOAD=$AGENT; eval "$cmd") >"$WORK/triv2" 2>&1 || rc2=$?
        [[ $rc1 == "$rc2" ]] || bad="$bad [$cmd rc $rc1/$rc2]"
    done
    # agent loaded but no INTERLEAVE_TRACE_DIR: nothing written, same output
    local rc3=0 before after
    mkdir -p "$WORK/nodir"
    before=$(find "$WORK/nodir" | wc -l)
    (cd "$WORK/nodir" && LD_PRELOAD=$AGENT "$T/t_output" x y >"$WORK/nodir.out" 2>&1) || rc3=$?
    after=$(find "$WORK/nodir" | wc -l)
    [[ $rc3 == 7 && $before == "$after" ]] || bad="$bad [no-dir rc=$rc3 files $before/$after]"
    dump "$d" || bad="$bad [dump]"
    grep -q 'ev=PROC_START.point.*argv="/bin/true"' "$d.txt" || bad="$bad [no PROC_START of true]"
    grep -q 'ev=PROC_EXIT.point.*status=42' "$d.txt" || bad="$bad [no exit 42]"
    if [[ -z $bad ]]; then
        ok "missing program / programs that exit at once behave as without the agent"
    else
        ko "trivial programs" "$bad"
    fi
}

test_exec() {
    local d=$WORK/exec rc=0
    run_traced "$d" 30 "$WORK/exec.out" "$T/t_exec" || rc=$?
    dump "$d" || true
    local child echo_pid failed
    child=$(grep -oE 'ev=FORK.exit.* child=[0-9]+' "$d.txt" | grep -oE 'child=[0-9]+' | cut -d= -f2 | head -1)
    echo_pid=$(grep 'ev=PROC_START.point' "$d.txt" | grep 'argv="echo from exec"' | grep -oE ' pid=[0-9]+' | cut -d= -f2)
    failed=$(grep 'ev=EXEC.exit' "$d.txt" | grep -c 'err=ENOENT' || true)
    if [[ $rc == 0 && -n $child && $child == "$echo_pid" && $failed == 1 ]] &&
        grep -q "ev=EXEC.enter.* path=\"/bin/echo\" argv=\"echo from exec\"" "$d.txt"; then
        ok "exec: child $child's new image traced from PROC_START, failed exec recorded with ENOENT"
    else
        ko "exec" "rc=$rc child=$child echo_pid=$echo_pid failed_execs=$failed"
    fi
}

test_vfork() {
    local d=$WORK/vfork rc=0
    run_traced "$d" 30 "$WORK/vfork.out" "$T/t_vfork" || rc=$?
    dump "$d" || true
    local child echo_pid
    child=$(grep 'ev=FORK.exit flags=1 ' "$d.txt" | grep -oE 'child=[0-9]+' | head -1 | cut -d= -f2)
    echo_pid=$(grep 'ev=PROC_START.point' "$d.txt" | grep 'argv="echo vforked"' | grep -oE ' pid=[0-9]+' | cut -d= -f2)
    if [[ $rc == 0 && -n $child && $child == "$echo_pid" ]] && grep -q "shared=42 status=0" "$WORK/vfork.out"; then
        ok "vfork stays vfork (child's writes seen by the parent), its exec'd child $child traced"
    else
        ko "vfork" "rc=$rc child=$child echo_pid=$echo_pid $(tr '\n' ' ' <"$WORK/vfork.out")"
    fi
}

test_damage() {
    local d=$WORK/damage rc=0
    run_traced "$d" 30 "$WORK/damage.out" "$T/t_threads" 3 || true
    local f1 f2 f3 d2=$WORK/damage2
    # the main thread's own file and the shared file of the 3 threads (one chunk each)
    f1=$(find "$d" -name '*.trace' ! -name '*-threads.trace')
    f2=$(find "$d" -name '*-threads.trace')
    cp -r "$d" "$d2"
    f3=$d2/$(basename "$f1")
    printf 'XXXXXXXX' | dd of="$f1" bs=1 seek=0 conv=notrunc status=none
    printf 'XXXXXXXX' | dd of="$f2" bs=1 seek=$((4096 + 8)) conv=notrunc status=none # first chunk's offset
    truncate -s $((2 * 4096 + 64 + 10)) "$f2"                                       # into the second
    truncate -s $((256 + 64 + 10)) "$f3"
    "$DUMP" "$d" "$d2" >"$d.txt" 2>"$d.err" || rc=$?
    if [[ $rc == 3 ]] && grep -q "DAMAGE $f1 offset 0: bad magic" "$d.err" &&
        grep -q "DAMAGE $f2 offset 4096: bad chunk header" "$d.err" &&
        grep -q "DAMAGE $f2 offset 8192: chunk cut short" "$d.err" &&
        grep -q "DAMAGE $f3 offset 320: truncated record" "$d.err"; then
        ok "itrace-dump reports bad magic, a bad or cut chunk and a cut file with file name and offset"
    else
        ko "damage" "rc=$rc $(tr '\n' ' ' <"$d.err")"
    fi
}

test_window() {
    # 17 million events in one thread: the file grows through ~20 chunks and past the first
    # 1 GiB mapping window; nothing may be lost
    local d=$WORK/window rc=0 n=8500000
    run_traced "$d" 120 "$WORK/window.out" "$T/t_many" $n || rc=$?
    local sum
    sum=$("$DUMP" --summary "$d" 2>"$d.err" | tr '\n' ' ' || true)
    local size
    size=$(find "$d" -name '*.trace' -printf '%s\n' | sort -n | tail -1)
    rm -rf "$d"
    if [[ $rc == 0 && $sum == *"CLOSE.call $((2 * n)) "* && $size -gt 1073741824 ]]; then
        ok "17 million events in one thread, file past the first 1 GiB window ($size bytes), none lost"
    else
        ko "big file" "rc=$rc size=$size summary: $sum"
    fi
}

test_badptr() {
    # argument bytes are read without faulting: partial reads before an inaccessible page, bad
    # pointers give the program its own EFAULT, never a crash in the agent
    local d=$WORK/badptr rc=0 rc0=0
    run_plain 30 "$WORK/badptr.plain" "$T/t_badptr" || rc0=$?
    run_traced "$d" 30 "$WORK/badptr.out" "$T/t_badptr" || rc=$?
    [[ $rc == 0 && $rc0 == 0 ]] || { ko "bad pointers" "exit traced $rc untraced $rc0"; return; }
    cmp -s "$WORK/badptr.plain" "$WORK/badptr.out" || { ko "bad pointers" "output differs from untraced"; return; }
    dump "$d" || { ko "bad pointers" "dump reported damage"; return; }
    local res
    res=$(awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        f["ev"] == "THREAD_CREATE.enter" || f["ev"] == "THREAD_START.point" { out = out " " f["id"] ":" (f["flags"] == "" ? 0 : f["flags"]) }
        f["ev"] == "CONNECT.enter" { out = out " c:" f["addr"] }
        { delete f }
        END { print out }' "$d.txt")
    if [[ $res == " 1:4 1:4 2:13 2:13 3:0 3:0 4:0 4:0 5:0 5:0 c:none c:family23130" ]]; then
        ok "bad pointers: partial argument reads (4, 13 bytes), EFAULT kept, no crash"
    else
        ko "bad pointers" "got:$res"
    fi
}

test_thrfork() {
    # finished threads' windows are kept and reused; forks in between (parent and child)
    local d=$WORK/thrfork rc=0
    run_traced "$d" 60 "$WORK/thrfork.out" "$T/t_thrfork" 600 || rc=$?
    [[ $rc == 0 ]] || { ko "threads and forks" "exit $rc"; return; }
    dump "$d" || { ko "threads and forks" "dump reported damage"; return; }
    local c s e fc files threads
    c=$(count 'ev=THREAD_CREATE.exit' "$d.txt")
    s=$(count 'ev=THREAD_START.point' "$d.txt")
    e=$(count 'ev=THREAD_EXIT.point' "$d.txt")
    fc=$(count 'ev=FORK_CHILD.point' "$d.txt")
    files=$(find "$d" -name '*.trace' | wc -l)
    threads=$("$DUMP" --headers "$d" 2>/dev/null | grep -c '^# file=' || true)
    # 600 + 1 threads in the parent, 12 children with 20 threads each; the parent's main thread has
    # its own file, every other thread (the children's included) is in the shared thread file
    if [[ "$c $s $e $fc $threads $files" == "841 841 841 12 854 2" ]]; then
        ok "threads and forks mixed: 841 threads created = started = exited, 12 children, 854 thread headers in 2 files"
    else
        ko "threads and forks" "created started exited children threads files = $c $s $e $fc $threads $files"
    fi
}

# format 1.1 thread records: detached attr, timed/try/clock joins, names
test_threadlife() {
    local d=$WORK/threadlife rc=0
    run_traced "$d" 20 "$WORK/threadlife.out" "$T/t_threadlife" || rc=$?
    [[ $rc == 0 ]] || { ko "thread records" "exit $rc"; return; }
    dump "$d" || { ko "thread records" "dump reported damage"; return; }
    local det timed busy tried clock names
    det=$(grep -c 'ev=THREAD_CREATE.exit flags=1 ' "$d.txt" || true)
    timed=$(grep 'ev=PTHREAD_JOIN.exit flags=1 ' "$d.txt" | grep -vc ' err=' || true)
    busy=$(grep -c 'ev=PTHREAD_JOIN.exit flags=2 err=EBUSY' "$d.txt" || true)
    tried=$(grep 'ev=PTHREAD_JOIN.exit flags=2 ' "$d.txt" | grep -vc ' err=' || true)
    clock=$(grep 'ev=PTHREAD_JOIN.exit flags=3 ' "$d.txt" | grep -vc ' err=' || true)
    # flags= is printed only when non-zero, err= only when errno happened to be set: parse neither by position
    names=$(grep -o 'ev=THREAD_NAME.point[^"]*name="[^"]*"' "$d.txt" \
        | awk '{f = 0; if (match($0, /flags=[0-9]/)) f = substr($0, RSTART + 6, 1); sub(/.*name=/, ""); printf "%s:%s ", f, $0}')
    if [[ "$det $timed $tried $clock" == "1 1 1 1" && $busy -ge 1 && "$names" == '0:"timed-joined" 1:"by-prctl" 1:"main-renamed" ' ]]; then
        ok "thread records: 1 thread created detached, timed/try/clock joins ($busy EBUSY tries), names $names"
    else
        ko "thread records" "detached=$det timed=$timed try=$tried busy=$busy clock=$clock names=$names"
    fi
}

# a root program that switches to nobody keeps recording: 14000 lock events after the switch,
# in the main thread past its first window and in two threads created after it, none lost
test_identity_switch() {
    if [[ $(id -u) != 0 ]] || ! id nobody >/dev/null 2>&1; then
        echo "SKIP identity switch: needs root and a user nobody"
        return
    fi
    local top d rc=0
    top=$(mktemp -d /tmp/interleave-agent-drop.XXXXXX)
    chmod 755 "$top"
    d=$top/run
    run_traced "$d" 20 "$WORK/drop.out" "$T/t_threadlife" drop || rc=$?
    local uid
    uid=$(sed -n 's/.*uid=\([0-9]*\).*/\1/p' "$WORK/drop.out")
    dump "$d" || true
    "$DUMP" --headers "$d" 2>/dev/null | grep '^# file' >"$d.hdr" || true
    local locks lost files threads
    locks=$(grep -c 'ev=CLOSE' "$d.txt" || true)
    lost=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^lost=/) { split($i, kv, "="); n += kv[2] } } END { print n + 0 }' "$d.hdr")
    files=$(find "$d" -name '*.trace' | wc -l)
    threads=$(wc -l <"$d.hdr")
    rm -rf "$top"
    if [[ $rc == 0 && $uid == $(id -u nobody) && $locks == 14000 && $lost == 0 && $threads == 7 ]]; then
        ok "identity switch: after setuid(nobody) all 14000 close events recorded by 7 threads in $files files, 0 lost"
    else
        ko "identity switch" "rc=$rc uid=$uid locks=$locks lost=$lost threads=$threads files=$files"
    fi
}

# the same under a directory the new user cannot enter: nothing more can be written by path, and
# every event from the switch on is counted as lost (header through the kept mapping; the new
# threads' events, which have no file, in the count of the thread that exits)
test_identity_switch_lost() {
    if [[ $(id -u) != 0 ]] || ! id nobody >/dev/null 2>&1; then
        echo "SKIP identity switch, lost events: needs root and a user nobody"
        return
    fi
    local top d rc=0
    top=$(mktemp -d /tmp/interleave-agent-drop.XXXXXX)
    chmod 700 "$top"
    d=$top/run
    run_traced "$d" 20 "$WORK/drop2.out" "$T/t_threadlife" drop || rc=$?
    dump "$d" || true
    "$DUMP" --headers "$d" 2>/dev/null | grep '^# file' >"$d.hdr" || true
    local rec lost
    rec=$(grep -c 'ev=CLOSE' "$d.txt" || true)
    lost=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^lost=/) { split($i, kv, "="); n += kv[2] } } END { print n + 0 }' "$d.hdr")
    rm -rf "$top"
    # 14000 close events after the switch, plus the threads' start/exit and joins
    if [[ $rc == 0 && $rec -lt 14000 && $((rec + lost)) -ge 14000 ]]; then
        ok "identity switch into an unreachable directory: $rec close events recorded, $lost events counted as lost"
    else
        ko "identity switch, lost events" "rc=$rc recorded=$rec lost=$lost"
    fi
}

test_lockorder() {
    # uncontended locks only counted; contended ones waited for (ENTER/EXIT, holder's tid), the
    # inversion a->b / b->a written as two LOCK_EDGEs with the helper's callers
    local d=$WORK/lockorder rc=0 n=20000
    run_traced "$d" 60 "$WORK/lockorder.out" "$T/t_lockorder" $n || rc=$?
    [[ $rc == 0 ]] || { ko "lock order" "exit $rc"; return; }
    dump "$d" || { ko "lock order" "dump reported damage"; return; }
    local sum en ex hold waits counted edges ev
    sum=$(statsum "$d.txt")
    en=$(count 'ev=MUTEX_LOCK.enter' "$d.txt")
    ex=$(grep 'ev=MUTEX_LOCK.exit' "$d.txt" | grep -vc ' err=' || true)
    hold=$(grep 'ev=MUTEX_LOCK.enter' "$d.txt" | grep -vc ' holder=0 ' || true)
    # waits = low 32 bits of the hex field (the last 8 digits)
    waits=$(awk 'function hex(s,  v, i) { v = 0; s = tolower(s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
        /ev=LOCK_STATS.point/ { for (i = 1; i <= NF; i++) if ($i ~ /^waits_tryfails=0x/) { v = substr($i, 18); if (length(v) > 8) v = substr(v, length(v) - 7); n += hex(v) } }
        END { print n + 0 }' "$d.txt")
    # waits counted instead of written (format 1.4: past a thread's first 8 per lock, the short ones)
    counted=$(awk '/ev=LOCK_WAITS.point/ { for (i = 1; i <= NF; i++) if ($i ~ /^waits=/) { sub(/waits=/, "", $i); n += $i } } END { print n + 0 }' "$d.txt")
    edges=$(awk '/ev=LOCK_EDGE.point/ {
        for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        ok = f["caller"] != "0x0" && f["held_caller"] != "0x0" && f["caller"] != f["ra"]
        print f["held"] ">" f["taken"] (ok ? "" : "?"); delete f }' "$d.txt" | sort | tr '\n' ' ')
    ev=$(wc -l <"$d.txt")
    local a b
    a=$(echo "$edges" | cut -d' ' -f1); b=$(echo "$edges" | cut -d' ' -f2)
    # the holder can release between the failed trylock and the read of its tid: on a loaded machine one wait
    # in ten or more misses it, so ask for half (a broken read gives none). Compact: far fewer events than
    # acquisitions, and a bounded number per wait (how many waits there are depends on the machine's load)
    # past a thread's first 8 waits, only waits of 1 ms or more are written
    local short
    short=$(awk '{ delete f; for (i = 1; i <= NF; i++) { k = index($i, "="); if (k) f[substr($i, 1, k - 1)] = substr($i, k + 1) } }
        f["ev"] == "MUTEX_LOCK.enter" { n[f["tid"]]++; st[f["tid"]] = f["ts"] }
        f["ev"] == "MUTEX_LOCK.exit" && n[f["tid"]] > 8 && f["ts"] - st[f["tid"]] < 900000 { bad++ }
        END { print bad + 0 }' "$d.txt")
    if [[ $sum == $((4 * n + 4)) && $en == "$ex" && $waits == $((en + counted)) && $short == 0 && $hold -ge $((en / 2)) &&
          $(echo "$edges" | wc -w) == 2 && $edges != *"?"* && "${a#*>}>${a%>*}" == "$b" && $ev -lt $((sum / 2)) && $ev -le $((4 * en + 200)) ]]; then
        ok "lock order: $sum acquisitions counted in $ev events, $waits waits ($en written, holder known in $hold; $counted counted), edges $edges"
    else
        ko "lock order" "acquisitions=$sum (want $((4 * n + 4))) enter=$en exit=$ex waits=$waits counted=$counted short-written=$short holder=$hold edges=[$edges] events=$ev"
    fi
}

test_lockcounts() {
    # the counters are exact whichever path counted them: one lock again and again, two in turn, a
    # nested pair (one edge), failed trylocks, semaphores taken with and without waiting
    local d=$WORK/lockcounts rc=0 n=20000
    run_traced "$d" 60 "$WORK/lockcounts.out" "$T/t_lockcounts" $n || rc=$?
    [[ $rc == 0 ]] || { ko "lock counts" "exit $rc"; return; }
    dump "$d" || { ko "lock counts" "dump reported damage"; return; }
    local addrs got want
    addrs=$(head -1 "$WORK/lockcounts.out")
    # per lock (by name): acquisitions, posts (semaphores), waits, failed trylocks over all threads and windows;
    # waits of items: written (SEM_WAIT enter) plus counted (LOCK_WAITS)
    got=$(awk -v addrs="$addrs" 'function hex(s,  v, i) { v = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
        BEGIN { k = split(addrs, p, " "); for (i = 1; i <= k; i++) { split(p[i], kv, "="); name[kv[2]] = kv[1] } }
        { delete f; for (i = 1; i <= NF; i++) { j = index($i, "="); if (j) f[substr($i, 1, j - 1)] = substr($i, j + 1) } }
        f["ev"] == "LOCK_STATS.point" && (f["obj"] in name) { o = name[f["obj"]]; n[o] += f["count"]; w = hex(f["waits_tryfails"])
            tf[o] += int(w / 4294967296); wt[o] += w % 4294967296; if (f["flags"] % 2) posts[o] += f["hold_ns"] }
        f["ev"] == "LOCK_WAITS.point" && (f["obj"] in name) { cw[name[f["obj"]]] += f["waits"] }
        f["ev"] == "SEM_WAIT.enter" && (f["sem"] in name) { en[name[f["sem"]]]++ }
        f["ev"] == "LOCK_EDGE.point" { e = e (e ? "," : "") name[f["held"]] ">" name[f["taken"]] }
        END { printf "a=%d b=%d btry=%d one=%d/%d empty=%d/%d/%d items=%d/%d waits=%s edges=%s\n", n["a"], n["b"], tf["b"],
              n["one"], posts["one"], n["empty"], posts["empty"], tf["empty"], n["items"], posts["items"],
              (wt["items"] == en["items"] + cw["items"] && wt["one"] + wt["a"] == 0 ? "ok" : wt["items"] "!=" en["items"] "+" cw["items"]), e }' "$d.txt")
    want="a=$((3 * n)) b=$((2 * n + 1)) btry=$n one=$n/$n empty=1/1/5 items=$n/$n waits=ok edges=a>b"
    if [[ $got == "$want" ]]; then
        ok "lock counts exact: $got"
    else
        ko "lock counts" "got [$got], want [$want]"
    fi
}

test_manylocks() {
    # 4,096 bucket locks taken under one global lock by 2 threads, 3 rounds 250 ms apart: each edge
    # (global -> bucket i) written once per thread, the buckets' counters summarized as groups (a few
    # records per thread and window, not one per lock), every acquisition counted
    local d=$WORK/manylocks rc=0 nb=4096 nt=2
    run_traced "$d" 60 "$WORK/manylocks.out" "$T/t_manylocks" $nb 3 $nt || rc=$?
    [[ $rc == 0 ]] || { ko "many locks" "exit $rc"; return; }
    dump "$d" || { ko "many locks" "dump reported damage"; return; }
    local want sum edges distinct stats groups biggest lost
    want=$(cat "$WORK/manylocks.out")
    sum=$(statsum "$d.txt")
    edges=$(count 'ev=LOCK_EDGE.point' "$d.txt")
    distinct=$(awk '/ev=LOCK_EDGE.point/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        k[f["tid"] " " f["held"] " " f["taken"]] = 1; delete f } END { print length(k) }' "$d.txt")
    stats=$(count 'ev=LOCK_STATS.point' "$d.txt")
    groups=$(count 'ev=LOCK_GROUP.point' "$d.txt")
    biggest=$(awk '/ev=LOCK_GROUP.point/ { for (i = 1; i <= NF; i++) if ($i ~ /^locks=/) { sub(/locks=/, "", $i); if ($i + 0 > m) m = $i + 0 } } END { print m + 0 }' "$d.txt")
    lost=$("$DUMP" --headers "$d" 2>/dev/null | grep -o ' lost=[0-9]*' | awk -F= '{ n += $2 } END { print n + 0 }')
    # per thread and window: the global lock's record and a group (with its LOCK_STATS); at most 8 windows
    if [[ $sum == "$want" && $edges == $((nb * nt)) && $distinct == $((nb * nt)) && $groups -ge $nt &&
          $biggest -ge $((nb - 64)) && $stats -le $((nt * 8 * 3)) && $lost == 0 ]]; then
        ok "many locks: $sum acquisitions of $((nb + 1)) locks counted, $edges edges each written once, $stats LOCK_STATS ($groups groups of up to $biggest locks)"
    else
        ko "many locks" "acquisitions $sum (want $want), edges $edges (distinct $distinct, want $((nb * nt))), LOCK_STATS $stats, groups $groups (largest $biggest), lost $lost"
    fi
}

test_waits() {
    # past a thread's first 8 waits for a lock, short waits are counted (LOCK_WAITS), long ones still
    # written from their start; every wait is either written or counted; a release is written only
    # while a written wait for the mutex is under way
    local d=$WORK/waits rc=0
    run_traced "$d" 60 "$WORK/waits.out" "$T/t_waits" 200 60 || rc=$?
    [[ $rc == 0 ]] && grep -q "rounds=200" "$WORK/waits.out" || { ko "waits" "exit $rc"; return; }
    dump "$d" || { ko "waits" "dump reported damage"; return; }
    local res
    res=$(awk '
        function hex(s,  v, i) { v = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
        { delete f; for (i = 1; i <= NF; i++) { k = index($i, "="); if (k) f[substr($i, 1, k - 1)] = substr($i, k + 1) } }
        f["tid"] != f["pid"] && f["ev"] == "MUTEX_LOCK.enter" { m = f["mutex"]; n++; start = f["ts"]; inwait = 1; holder += f["holder"] == f["pid"] }
        f["tid"] != f["pid"] && f["ev"] == "MUTEX_LOCK.exit" { dur = f["ts"] - start; inwait = 0
            handed = f["released_by"] == f["pid"] && f["released_at"] >= start && f["released_at"] <= f["ts"]
            hn += handed
            if (n > 8 && dur < 900000) short++
            if (dur > 40000000) { long++; longhand += handed } }
        f["ev"] == "MUTEX_UNLOCK.call" { unl++ }
        f["tid"] != f["pid"] && f["ev"] == "LOCK_STATS.point" && !f["flags"] { w += hex(f["waits_tryfails"]) % 4294967296; s = f["obj"] }
        f["tid"] != f["pid"] && f["ev"] == "LOCK_WAITS.point" && !f["flags"] { c += f["waits"]; if (f["max_wait_ns"] > mx) mx = f["max_wait_ns"]; tot += f["wait_ns"] }
        f["tid"] == f["pid"] && f["ev"] == "LOCK_WAITS.point" && !f["flags"] { h += f["handoffs"] }
        END { printf "written=%d counted=%d waits=%d short_written_after_8=%d long=%d long_handoff=%d unlocks=%d handed=%d holder_known=%d handoffs_counted=%d total_ns=%d max_ns=%d\n", n, c, w, short, long, longhand, unl, hn, holder, h, tot, mx }' "$d.txt")
    local n c w short long lh unl h hn
    n=$(echo "$res" | sed 's/^written=\([0-9]*\).*/\1/'); c=$(echo "$res" | sed 's/.* counted=\([0-9]*\).*/\1/')
    w=$(echo "$res" | sed 's/.* waits=\([0-9]*\).*/\1/'); short=$(echo "$res" | sed 's/.*short_written_after_8=\([0-9]*\).*/\1/')
    long=$(echo "$res" | sed 's/.* long=\([0-9]*\).*/\1/'); lh=$(echo "$res" | sed 's/.*long_handoff=\([0-9]*\).*/\1/')
    unl=$(echo "$res" | sed 's/.*unlocks=\([0-9]*\).*/\1/'); h=$(echo "$res" | sed 's/.*handoffs_counted=\([0-9]*\).*/\1/')
    hn=$(echo "$res" | sed 's/.*handed=\([0-9]*\).*/\1/')
    # the worker waits in most of the 201 rounds (main holds m ~200 us after letting it ask); all
    # but 8 (and those longer than 1 ms on a loaded machine) counted, none lost, the 60 ms one
    # written with the release that ended it (main's, named in the EXIT: no MUTEX_UNLOCK records)
    if [[ $((n + c)) == "$w" && $w -ge 20 && $c -ge 1 && $short == 0 && $long -ge 1 && $lh -ge 1 &&
          $unl == 0 && $hn -ge $((n / 2)) && $h -ge 1 && $n -le $((w / 2 + 8)) ]]; then
        ok "waits: $w contended acquisitions, $n written (8 first + long ones, the 60 ms one with its hand-off), $c counted; $hn written waits name main's release that ended them, $h releases counted"
    else
        ko "waits" "$res"
    fi
}

test_handoff() {
    # the worker's waits are ended by main's release, half by pthread_mutex_unlock, half inside
    # pthread_cond_wait; each written wait (all of them: 2 ms or more) names main in its EXIT, with
    # a release time within the wait
    local d=$WORK/handoff rc=0
    run_traced "$d" 60 "$WORK/handoff.out" "$T/t_handoff" 12 || rc=$?
    [[ $rc == 0 ]] && grep -q "rounds=12" "$WORK/handoff.out" || { ko "hand-off named" "exit $rc"; return; }
    dump "$d" || { ko "hand-off named" "dump reported damage"; return; }
    local res
    res=$(awk '
        { delete f; for (i = 1; i <= NF; i++) { k = index($i, "="); if (k) f[substr($i, 1, k - 1)] = substr($i, k + 1) } }
        f["tid"] != f["pid"] && f["ev"] == "MUTEX_LOCK.enter" { start = f["ts"] }
        f["tid"] != f["pid"] && f["ev"] == "MUTEX_LOCK.exit" { n++
            if (f["released_by"] == f["pid"] && f["released_at"] >= start && f["released_at"] <= f["ts"]) named++
            else if (f["released_by"] != 0) wrong++ }
        END { printf "%d %d %d\n", n, named, wrong }' "$d.txt")
    local n named wrong
    read -r n named wrong <<<"$res"
    if [[ $n == 12 && $named == 12 && $wrong == 0 ]]; then
        ok "hand-off named: 12 written waits, each names main's release (6 by unlock, 6 inside pthread_cond_wait)"
    else
        ko "hand-off named" "written $n, naming main $named, naming another thread $wrong (want 12 12 0)"
    fi
}

test_deadlock_written() {
    # a wait that never ends is written even when its thread writes no waits but long ones
    local d=$WORK/deadlock rc=0
    INTERLEAVE_TRACE_LOCK_WAITS=0 run_traced "$d" 3 "$WORK/deadlock.out" "$T/t_waits" deadlock || rc=$?
    [[ $rc == 124 ]] && grep -q deadlocked "$WORK/deadlock.out" || { ko "deadlock written" "exit $rc (want 124: killed)"; return; }
    dump "$d" || { ko "deadlock written" "dump reported damage"; return; }
    local res
    res=$(awk '
        { delete f; for (i = 1; i <= NF; i++) { k = index($i, "="); if (k) f[substr($i, 1, k - 1)] = substr($i, k + 1) } }
        f["ev"] == "MUTEX_LOCK.enter" { en[f["tid"]] = f["holder"]; ne++ }
        f["ev"] == "MUTEX_LOCK.exit" { nx++ }
        f["ev"] == "THREAD_START.point" { st[f["tid"]] = f["ts"] }
        END { cross = 0; for (t in en) if (en[t] in en && en[en[t]] == t) cross++; printf "%d %d %d\n", ne, nx + 0, cross }' "$d.txt")
    if [[ $res == "2 0 2" ]]; then
        ok "deadlock written: both threads' waits (ENTER, no EXIT), each naming the other as holder"
    else
        ko "deadlock written" "enters exits crossed = $res"
    fi
}

# watched shared variable: every thread's accesses with the locks it held (VAR_WATCH)
test_varwatch() {
    local prog=$T/t_varwatch off
    off=$(readelf -sW "$prog" | awk '$8 == "counter" { print "0x" $2 }')
    [[ -n $off ]] || { ko "varwatch" "no symbol counter in $prog"; return; }
    local mode
    for mode in nolock mutex two sem; do
        local d=$WORK/varwatch-$mode rc=0
        INTERLEAVE_TRACE_WATCH_VARS="$prog|counter@$off:8" run_traced "$d" 30 "$d.out" "$prog" "$mode" 300 || rc=$?
        [[ $rc == 0 ]] || { ko "varwatch $mode" "exit $rc"; continue; }
        dump "$d" || { ko "varwatch $mode" "dump reported damage"; continue; }
        if grep -q "VAR_WATCH.point flags=2 " "$d.txt"; then
            ok "varwatch $mode: skipped, watchpoints unavailable here"
            continue
        fi
        local res
        res=$(awk -v mode="$mode" '
            / ev=VAR_WATCH.point flags=1 / { armed++ }
            / ev=VAR_WATCH.point flags=4 / {
                for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
                if (f["tid"] != f["pid"]) { writers[f["tid"]]++; w++; if (f["held"] > 0) { locked++; lock[f["lock"]] = 1 }; if (f["held"] == 2) two++ }
                delete f
            }
            / ev=VAR_WATCH.point flags=3 / { reads++ }
            / ev=VAR_WATCH.point flags=6 / { done++ }
            / ev=VAR_WATCH.point flags=7 / { for (i = 1; i <= NF; i++) if ($i ~ /^locks=0x[0-9a-f]+,0x0,/) more++ }
            END {
                nl = 0; for (k in lock) nl++
                nw = 0; for (k in writers) nw++
                if (armed != 3) { print "armed " armed " times, want 3 (main + 2 threads)"; exit }
                if (done != 3) { print "DONE records " done ", want 3"; exit }
                if (nw != 2) { print "writes from " nw " threads, want 2"; exit }
                if (reads < w) { print reads " reads for " w " writes"; exit }
                if (mode == "nolock" && locked != 0) { print locked " writes with a lock held"; exit }
                if (mode == "two" && (two != w || more < w)) { print two " of " w " writes with 2 locks, " more " HELD records"; exit }
                if (mode != "nolock" && (locked != w || nl != 1)) { print locked " of " w " writes under " nl " lock(s), want all under one"; exit }
                print "ok"
            }' "$d.txt")
        if [[ $res != ok ]]; then ko "varwatch $mode" "$res"; continue; fi
        # the value written is the value read plus one, in every thread (cnt++ decoded)
        local bad
        bad=$(awk '/ ev=VAR_WATCH.point flags=[34] / {
                for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
                if ($0 ~ /flags=3 /) last[f["tid"]] = f["value"]
                else if (f["tid"] in last && f["value"] != last[f["tid"]] + 1) n++
                delete f
            } END { print n + 0 }' "$d.txt")
        [[ $bad == 0 ]] || { ko "varwatch $mode" "$bad writes are not the value read + 1"; continue; }
        ok "varwatch $mode: both threads' writes recorded with their held locks"
    done
    # another executable (exec'd program) ignores the list
    local d=$WORK/varwatch-other rc=0
    INTERLEAVE_TRACE_WATCH_VARS="/not/this/program|counter@$off:8" run_traced "$d" 30 "$d.out" "$prog" nolock 10 || rc=$?
    dump "$d" || true
    if [[ $rc == 0 ]] && ! grep -q "VAR_WATCH" "$d.txt"; then
        ok "varwatch: a list for another executable is ignored"
    else
        ko "varwatch: a list for another executable is ignored" "exit $rc or VAR_WATCH records present"
    fi
}

test_echo
test_threadlife
test_identity_switch
test_identity_switch_lost
test_lockorder
test_lockcounts
test_manylocks
test_waits
test_handoff
test_deadlock_written
test_window
test_shared_window
test_threads
test_thrfork
test_forks
test_race
test_argwatch
test_varwatch
test_badptr
test_sigread
test_printf_handler
test_sigkill
test_same_behaviour
test_mutex_kinds
test_trivial_programs
test_exec
test_vfork
test_damage

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
