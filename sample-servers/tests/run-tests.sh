#!/usr/bin/env bash
# run-tests.sh - build the sample programs and check that they behave as
# documented: the correct servers echo, the buggy ones show their one bug.
#
# Usage: sample-servers/tests/run-tests.sh      (or: make -C sample-servers test)
#
# All traffic goes to 127.0.0.1; every server is started on port 0 (any free
# port) and its real port is read from its "listening on 127.0.0.1:PORT"
# line.  Every run is bounded in count and time, and every process the
# script starts is stopped by its pid (a trap kills leftovers on exit).
# The last line is "N passed, M failed"; the exit status is 1 if any failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$HERE/bin
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sample-servers-tests.XXXXXX")
PASSED=0
FAILED=0
PIDS=()            # processes started in the background, not yet waited for

SERVERS="echo-iterative echo-process echo-thread echo-select echo-thread-stackarg
         echo-process-noclose echo-process-noreap echo-process-ifreap echo-thread-nodetach"
# the Java samples (java/*.java), run through their launcher scripts in bin/java
JSERVERS="java/echo-thread java/echo-pool java/echo-nio java/echo-shared-holder java/echo-pool-counter
          java/echo-noclose"
mkdir -p "$TMP/java"

# ---------------------------------------------------------------- plumbing

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        # only our own programs, still running
        # (a Java sample's script execs the JVM, whose command line names bin/java/classes)
        if [[ -r /proc/$p/cmdline ]] && tr '\0' ' ' </proc/"$p"/cmdline | grep -q -e "^$BIN/" -e " $BIN/java/classes "; then
            kill -KILL "$p" 2>/dev/null || true
            wait "$p" 2>/dev/null || true
        fi
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

forget_pid() {
    local p keep=()
    for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# alive PID: the process exists and is not a zombie
alive() {
    local st
    st=$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null) || return 1
    [[ -n $st && $st != Z ]]
}

# run_test NAME FUNCTION [ARGS...]: a test passes if FUNCTION returns 0.
# Test functions run in this shell (so PIDS stays right); they check every
# step themselves and return 1 with a message on the first failure.
run_test() {
    local name=$1 log=$TMP/test.log
    shift
    if "$@" >"$log" 2>&1; then
        PASSED=$((PASSED + 1))
        echo "PASS  $name"
        grep '^note:' "$log" | sed 's/^/      /' || true
    else
        FAILED=$((FAILED + 1))
        echo "FAIL  $name"
        sed 's/^/      | /' "$log" | tail -25
    fi
}

# start_server NAME [ARGS...]: start bin/NAME -p 0, wait for its listening
# line; sets SERVER_PID, SERVER_PORT, SERVER_OUT, SERVER_ERR.
start_server() {
    local name=$1 i
    shift
    SERVER_OUT=$TMP/$name.$RANDOM.out
    SERVER_ERR=$SERVER_OUT.err
    "$BIN/$name" -p 0 "$@" >"$SERVER_OUT" 2>"$SERVER_ERR" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    SERVER_PORT=
    for ((i = 0; i < 100; i++)); do
        SERVER_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$SERVER_OUT")
        [[ -n $SERVER_PORT ]] && return 0
        if ! alive "$SERVER_PID"; then
            echo "$name exited at start: $(cat "$SERVER_ERR")"
            return 1
        fi
        sleep 0.1
    done
    echo "$name printed no 'listening on 127.0.0.1:PORT' line within 10 s"
    return 1
}

# wait_exit PID SECONDS: wait for PID to end; sets EXIT_STATUS.
wait_exit() {
    local pid=$1 i
    for ((i = 0; i < $2 * 10; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        echo "pid $pid still running after $2 s"
        return 1
    fi
    EXIT_STATUS=0
    wait "$pid" || EXIT_STATUS=$?
    forget_pid "$pid"
}

# stop_server PID: SIGTERM, then expect a clean exit with status 0.
stop_server() {
    kill -TERM "$1"
    wait_exit "$1" 5 || return 1
    if [[ $EXIT_STATUS -ne 0 ]]; then
        echo "exit status $EXIT_STATUS after SIGTERM (want 0)"
        return 1
    fi
}

# client NAME-OF-RUN ARGS...: run echo-client against SERVER_PORT (bounded
# by `timeout`), expect success and "result: ok" with all requests done.
client() {
    local out=$TMP/client.$RANDOM.out status=0 n
    timeout 40 "$BIN/echo-client" -p "$SERVER_PORT" "$@" >"$out" 2>&1 || status=$?
    n=$(sed -n 's/^result: ok completed=\([0-9]*\) requests=\1 errors=0$/\1/p' "$out")
    if [[ $status -ne 0 || -z $n ]]; then
        echo "echo-client $* failed (exit $status):"
        cat "$out"
        return 1
    fi
    echo "echo-client $*: $(grep -E '^(round-trips|latency)' "$out" | tr '\n' ' ')"
}

zombie_children() {   # zombie_children PID: how many of PID's children are zombies
    local c n=0
    for c in $(cat /proc/"$1"/task/"$1"/children 2>/dev/null); do
        [[ $(awk '{print $3}' /proc/"$c"/stat 2>/dev/null) == Z ]] && n=$((n + 1))
    done
    echo "$n"
}

fd_count() { ls /proc/"$1"/fd | wc -l; }
vmsize_kb() { awk '/^VmSize:/ {print $2}' /proc/"$1"/status; }

# ---------------------------------------------------------------- tests

test_echo() {   # test_echo SERVER: echo in both modes, split and long lines
    local s=$1
    start_server "$s" || return 1
    client -m persistent -c 4 -n 400 -t 20 || return 1
    client -m per-request -c 4 -n 100 -t 20 || return 1
    client -m persistent -c 2 -n 10 -t 20 --split 30 || return 1     # half lines not echoed early
    client -m persistent -c 2 -n 20 -t 20 -s 20000 || return 1      # lines longer than the buffer
    stop_server "$SERVER_PID"
}

test_stackarg() {
    local out=$TMP/stackarg.out status=0
    start_server echo-thread-stackarg || return 1
    # One client at a time: no other accept() can overwrite connfd in between.
    client -m persistent -c 1 -n 100 -t 20 || return 1
    client -m per-request -c 1 -n 50 -t 20 || return 1
    # Many clients at once: the bug may strike (clients served twice or not at all).
    timeout 20 "$BIN/echo-client" -p "$SERVER_PORT" -m per-request -c 8 -n 400 -t 3 >"$out" 2>&1 || status=$?
    if [[ $status -ne 0 && $status -ne 1 ]] || ! grep -q '^result: ' "$out"; then
        echo "concurrent echo-client did not finish normally (exit $status)"; cat "$out"; return 1
    fi
    echo "note: with 8 concurrent clients: $(grep '^errors:' "$out")"
    stop_server "$SERVER_PID"
}

test_selfcheck_select_partial() {   # raw bytes: pipelined lines and a split line
    local fd a b c d status=0
    start_server "${1:-echo-select}" || return 1
    exec {fd}<>/dev/tcp/127.0.0.1/"$SERVER_PORT"
    printf 'one\ntwo\nthr' >&"$fd"
    read -r -t 2 a <&"$fd" || true
    read -r -t 2 b <&"$fd" || true
    read -r -t 0.5 c <&"$fd" || status=$?
    printf 'ee\n' >&"$fd"
    read -r -t 2 d <&"$fd" || true
    exec {fd}>&-
    [[ $a == one && $b == two ]] || { echo "pipelined lines echoed as '$a' '$b'"; return 1; }
    [[ $status -gt 128 && -z $c ]] || { echo "partial line echoed before its newline: '$c'"; return 1; }
    [[ $d == three ]] || { echo "split line echoed as '$d' (want 'three')"; return 1; }
    stop_server "$SERVER_PID"
}

test_iterative_second_client_waits() {   # connect and write succeed, the read waits
    local a b line status=0
    start_server echo-iterative || return 1
    exec {a}<>/dev/tcp/127.0.0.1/"$SERVER_PORT"
    printf 'first\n' >&"$a"
    read -r -t 3 line <&"$a" || true
    [[ $line == first ]] || { echo "first client: got '$line'"; return 1; }
    exec {b}<>/dev/tcp/127.0.0.1/"$SERVER_PORT" ||
        { echo "second client could not connect (the listen backlog should queue it)"; return 1; }
    printf 'second\n' >&"$b"
    read -r -t 0.5 line <&"$b" || status=$?
    [[ $status -gt 128 ]] || { echo "second client was served while the first was connected ('$line')"; return 1; }
    exec {a}>&-                                 # first client leaves ...
    read -r -t 3 line <&"$b" || true            # ... and the second one is served
    exec {b}>&-
    [[ $line == second ]] || { echo "second client after the first left: got '$line'"; return 1; }
    stop_server "$SERVER_PID"
}

test_process_child_fds() {   # the child holds its connection, not the listening socket
    local fd line kids child listen_sock socks
    start_server echo-process || return 1
    exec {fd}<>/dev/tcp/127.0.0.1/"$SERVER_PORT"
    printf 'x\n' >&"$fd"
    read -r -t 3 line <&"$fd" || true
    kids=$(cat /proc/"$SERVER_PID"/task/"$SERVER_PID"/children)
    child=${kids%% *}
    [[ -n $child ]] || { echo "no child process"; exec {fd}>&-; return 1; }
    listen_sock=$(for f in /proc/"$SERVER_PID"/fd/*; do readlink "$f"; done | grep '^socket:' || true)
    socks=$(for f in /proc/"$child"/fd/*; do readlink "$f"; done | grep -c '^socket:' || true)
    [[ $(wc -w <<<"$listen_sock") -eq 1 ]] || { echo "parent holds sockets: $listen_sock (want only the listening one)"; exec {fd}>&-; return 1; }
    [[ $socks -eq 1 ]] && ! (for f in /proc/"$child"/fd/*; do readlink "$f"; done | grep -qF "$listen_sock") ||
        { echo "child $child holds $socks sockets (want 1, not the listening one)"; exec {fd}>&-; return 1; }
    exec {fd}>&-
    stop_server "$SERVER_PID"
}

test_zombies() {   # echo-process reaps; -noreap and -ifreap leave zombies
    local n z i
    start_server echo-process || return 1
    client -m per-request -c 8 -n 100 -t 20 || return 1
    for ((i = 0; i < 30; i++)); do z=$(zombie_children "$SERVER_PID"); [[ $z -eq 0 ]] && break; sleep 0.1; done
    [[ $z -eq 0 ]] || { echo "echo-process: $z zombie children (want 0)"; return 1; }
    stop_server "$SERVER_PID" || return 1

    start_server echo-process-noreap || return 1
    client -m per-request -c 8 -n 100 -t 20 || return 1
    for ((i = 0; i < 50; i++)); do z=$(zombie_children "$SERVER_PID"); [[ $z -ge 100 ]] && break; sleep 0.1; done
    [[ $z -eq 100 ]] || { echo "echo-process-noreap: $z zombie children after 100 connections (want 100)"; return 1; }
    echo "note: echo-process-noreap: $z zombies after 100 connections, echo-process: 0"
    stop_server "$SERVER_PID" || return 1

    start_server echo-process-ifreap || return 1
    client -m per-request -c 8 -n 200 -t 20 || return 1
    sleep 0.5
    z=$(zombie_children "$SERVER_PID")
    [[ $z -gt 0 ]] || { echo "echo-process-ifreap: no zombies after 200 connections from 8 clients"; return 1; }
    echo "note: echo-process-ifreap: $z zombies left after 200 connections (SIGCHLDs merged)"
    n=$(cat /proc/"$SERVER_PID"/task/"$SERVER_PID"/children | wc -w)
    stop_server "$SERVER_PID" || return 1
    echo "stopped with $n children left; all reaped at stop"
}

test_fd_leak() {   # -noclose keeps one descriptor per connection; echo-process none
    local before after
    start_server echo-process || return 1
    before=$(fd_count "$SERVER_PID")
    client -m per-request -c 4 -n 50 -t 20 || return 1
    after=$(fd_count "$SERVER_PID")
    [[ $after -eq $before ]] || { echo "echo-process: $before -> $after descriptors"; return 1; }
    client -m per-request -c 1 -n 5 -t 20 --wait-eof=2 || return 1
    stop_server "$SERVER_PID" || return 1

    start_server echo-process-noclose || return 1
    before=$(fd_count "$SERVER_PID")
    client -m per-request -c 4 -n 50 -t 20 || return 1
    after=$(fd_count "$SERVER_PID")
    [[ $after -ge $((before + 50)) ]] ||
        { echo "echo-process-noclose: $before -> $after descriptors (want +50)"; return 1; }
    echo "note: echo-process-noclose: $before -> $after open descriptors after 50 connections, echo-process: unchanged"
    # The child closes and exits, but the parent's copy keeps the connection open.
    local out=$TMP/noeof.out status=0
    timeout 20 "$BIN/echo-client" -p "$SERVER_PORT" -m per-request -c 1 -n 3 -t 10 --wait-eof=1 >"$out" 2>&1 || status=$?
    [[ $status -eq 1 ]] && grep -q 'did not close the connection' "$out" ||
        { echo "want echo-client --wait-eof to fail with 'did not close the connection' (exit $status):"; cat "$out"; return 1; }
    stop_server "$SERVER_PID"
}

test_nodetach() {   # a joinable, never joined thread keeps its stack
    local s v0 v1 grow_thread grow_nodetach
    for s in echo-thread echo-thread-nodetach; do
        start_server "$s" || return 1
        client -m per-request -c 4 -n 20 -t 20 >/dev/null || return 1    # warm up: arenas, stack cache
        sleep 0.2
        v0=$(vmsize_kb "$SERVER_PID")
        client -m per-request -c 1 -n 30 -t 20 >/dev/null || return 1
        sleep 0.2
        v1=$(vmsize_kb "$SERVER_PID")
        stop_server "$SERVER_PID" || return 1
        if [[ $s == echo-thread ]]; then grow_thread=$(((v1 - v0) / 1024)); else grow_nodetach=$(((v1 - v0) / 1024)); fi
    done
    echo "note: VmSize growth over 30 connections: echo-thread ${grow_thread} MiB, echo-thread-nodetach ${grow_nodetach} MiB"
    [[ $grow_thread -lt 40 ]] || { echo "echo-thread grew by $grow_thread MiB (want < 40)"; return 1; }
    [[ $grow_nodetach -ge 120 ]] || { echo "echo-thread-nodetach grew by $grow_nodetach MiB (want >= 120)"; return 1; }
}

test_stop_with_client() {   # SIGTERM while a client is connected: exit 0, client sees EOF
    local s=$1 fd line kids k status=0
    start_server "$s" || return 1
    exec {fd}<>/dev/tcp/127.0.0.1/"$SERVER_PORT"
    printf 'hello\n' >&"$fd"
    read -r -t 3 line <&"$fd" || true
    [[ $line == hello ]] || { echo "no echo before stopping (got '$line')"; exec {fd}>&-; return 1; }
    kids=$(cat /proc/"$SERVER_PID"/task/"$SERVER_PID"/children 2>/dev/null || true)
    stop_server "$SERVER_PID" || { exec {fd}>&-; return 1; }
    read -r -t 3 line <&"$fd" || status=$?
    exec {fd}>&-
    [[ $status -eq 1 ]] || { echo "client did not see EOF after the server stopped (read status $status)"; return 1; }
    for k in $kids; do
        [[ -e /proc/$k ]] && { echo "child $k still exists after the server stopped"; return 1; }
    done
    return 0
}

test_max_clients() {   # --max-clients N: exit 0 by itself after N connections
    local s
    for s in ${1:-$SERVERS}; do
        start_server "$s" --max-clients 3 || return 1
        client -m per-request -c 1 -n 3 -t 20 >/dev/null || { echo "$s"; return 1; }
        wait_exit "$SERVER_PID" 5 || { echo "$s did not exit after --max-clients 3"; return 1; }
        [[ $EXIT_STATUS -eq 0 ]] || { echo "$s: exit status $EXIT_STATUS after --max-clients"; return 1; }
    done
}

test_port_in_use() {
    local s err status
    start_server echo-thread || return 1
    for s in ${1:-$SERVERS}; do
        status=0
        err=$(timeout 10 "$BIN/$s" -p "$SERVER_PORT" 2>&1 >/dev/null) || status=$?
        [[ $status -eq 2 ]] || { echo "$s: exit status $status on a taken port (want 2)"; return 1; }
        [[ $err == "${s#java/}: cannot listen on 127.0.0.1:$SERVER_PORT: Address already in use" ]] ||
            { echo "$s: message was: $err"; return 1; }
    done
    echo "e.g. $err"
    stop_server "$SERVER_PID"
}

test_bad_args() {
    local s status args
    for s in ${1:-$SERVERS}; do
        for args in "-p abc" "-p 70000" "--bogus" "-p" "1 2" "--max-clients 0"; do
            status=0
            # shellcheck disable=SC2086
            timeout 10 "$BIN/$s" $args >/dev/null 2>"$TMP/usage.err" || status=$?
            [[ $status -eq 2 ]] && grep -q '^usage:' "$TMP/usage.err" ||
                { echo "$s $args: exit $status, stderr: $(cat "$TMP/usage.err")"; return 1; }
        done
        timeout 10 "$BIN/$s" --help | grep -q '^usage:' || { echo "$s --help"; return 1; }
    done
    [[ -z ${1:-} ]] || return 0
    for args in "echo-client" "echo-client -p 0" "echo-client -p 1 -m sideways" "echo-client -p 1 -c 0" \
                "race abc" "race 0" "badcnt -5" "badcnt 1 2" "deadlock --timeout x" "deadlock extra" \
                "fork-printf-handler --bogus" "fork-printf-handler 0"; do
        status=0
        # shellcheck disable=SC2086
        timeout 5 "$BIN"/$args >/dev/null 2>"$TMP/usage.err" || status=$?
        [[ $status -eq 2 ]] && grep -q 'usage:' "$TMP/usage.err" ||
            { echo "$args: exit $status, stderr: $(cat "$TMP/usage.err")"; return 1; }
    done
}

test_positional_port() {   # "echo-select 0" is the same as "-p 0"
    local out=$TMP/positional.out pid i port=
    "$BIN/echo-select" 0 >"$out" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for ((i = 0; i < 50; i++)); do
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$out")
        [[ -n $port ]] && break
        sleep 0.1
    done
    [[ -n $port && $port -ne 0 ]] || { echo "no listening line: $(cat "$out")"; return 1; }
    stop_server "$pid"
}

test_default_ports() {   # --help defaults agree with the README table
    local s want got
    for s in $SERVERS $JSERVERS; do
        want=$(sed -n "s#^| \`$s\` .*| \([0-9][0-9]*\) |\$#\1#p" "$HERE/README.md")
        got=$("$BIN/$s" --help | sed -n 's/.*(default \([0-9][0-9]*\), 0 = any free port).*/\1/p')
        [[ -n $want && $want == "$got" ]] || { echo "$s: README says '$want', --help says '$got'"; return 1; }
    done
    [[ $(for s in $SERVERS $JSERVERS; do "$BIN/$s" --help | sed -n 's/.*(default \([0-9]*\),.*/\1/p'; done | sort | uniq -d) == "" ]] ||
        { echo "two servers share a default port"; return 1; }
}

test_client_cannot_connect() {
    local port out=$TMP/refused.out status=0
    start_server echo-thread || return 1
    port=$SERVER_PORT
    stop_server "$SERVER_PID" || return 1       # the port is free again now
    timeout 20 "$BIN/echo-client" -p "$port" -c 2 -n 4 -t 3 >"$out" 2>&1 || status=$?
    [[ $status -eq 1 ]] || { echo "exit status $status (want 1)"; cat "$out"; return 1; }
    grep -q "cannot connect to 127.0.0.1:$port: Connection refused" "$out" || { cat "$out"; return 1; }
    grep -q '^result: FAILED completed=0 ' "$out" || { cat "$out"; return 1; }
}

test_race() {
    local out=$TMP/race.out n mism sum
    for n in 100 1000; do
        timeout 30 "$BIN/race" "$n" >"$out" || { echo "race $n failed"; return 1; }
        mism=$(sed -n "s/^threads that saw a value different from their index: \([0-9]*\) of $n\$/\1/p" "$out")
        [[ -n $mism && $mism -le $n ]] || { cat "$out"; return 1; }
        grep -Eq "^result: threads=$n mismatched=$mism never_seen=[0-9]+ seen_more_than_once=[0-9]+$" "$out" ||
            { cat "$out"; return 1; }
        sum=$(awk '/^  i=/ {sub(/^[^:]*:/, ""); for (k = 1; k <= NF; k++) s += $k} END {print s + 0}' "$out")
        [[ $sum -eq $n ]] || { echo "histogram counts add up to $sum, not $n"; cat "$out"; return 1; }
        echo "note: race $n: $mism threads saw a value different from their index"
    done
}

test_badcnt() {
    local out=$TMP/badcnt.out line wrong=0 i
    for i in 1 2 3; do
        timeout 60 "$BIN/badcnt" 10000000 >"$out" || { echo "badcnt failed"; return 1; }
        line=$(tail -1 "$out")
        [[ $line =~ ^expected\ cnt=20000000\ actual\ cnt=([0-9]+):\ (OK|BOOM!\ ([0-9]+)\ increments\ lost)$ ]] ||
            { echo "unexpected output:"; cat "$out"; return 1; }
        if [[ ${BASH_REMATCH[2]} != OK ]]; then
            wrong=$((wrong + 1))
            [[ $((BASH_REMATCH[1] + BASH_REMATCH[3])) -eq 20000000 ]] || { echo "lost count wrong: $line"; return 1; }
        fi
    done
    timeout 10 "$BIN/badcnt" 1000 | grep -Eq '^expected cnt=2000 actual cnt=[0-9]+: ' || return 1
    echo "note: badcnt 10000000: wrong total in $wrong of 3 runs (last: $line)"
}

test_deadlock() {
    local out=$TMP/deadlock.out status=0 t0 t1
    t0=$(date +%s%N)
    timeout 20 "$BIN/deadlock" --timeout 2 >"$out" 2>&1 || status=$?
    t1=$(date +%s%N)
    [[ $status -eq 3 ]] || { echo "exit status $status (want 3)"; cat "$out"; return 1; }
    grep -q '^deadlocked: thread A holds m1 waits m2, thread B holds m2 waits m1 ' "$out" || { cat "$out"; return 1; }
    (((t1 - t0) / 1000000 >= 1900 && (t1 - t0) / 1000000 < 8000)) ||
        { echo "took $(((t1 - t0) / 1000000)) ms for --timeout 2"; return 1; }
    status=0
    timeout 20 "$BIN/deadlock" --ordered --timeout 5 >"$out" 2>&1 || status=$?
    [[ $status -eq 0 ]] && grep -q '^finished: ' "$out" || { echo "--ordered: exit $status"; cat "$out"; return 1; }
}

test_printf_handler() {   # corruption (usually) or the rare real deadlock
    local out=$TMP/printf.out err=$TMP/printf.err status=0 n=5000 pid
    "$BIN/fork-printf-handler" "$n" --timeout 5 >"$out" 2>"$err" &
    pid=$!
    PIDS+=("$pid")
    wait_exit "$pid" 60 || return 1
    status=$EXIT_STATUS
    if [[ $status -eq 0 ]]; then
        grep -q "^fork-printf-handler: forked $n children, handler reaped $n\$" "$err" || { cat "$err"; return 1; }
        awk -v n="$n" -f "$HERE/count-printf-damage.awk" "$out" >"$out.damage"
        grep -Eq '^damage: duplicated=[0-9]+ garbled=[0-9]+ lost=[0-9]+$' "$out.damage" || { cat "$out.damage"; return 1; }
        echo "note: fork-printf-handler $n: $(tail -1 "$out.damage")"
    elif [[ $status -eq 3 ]]; then
        grep -q 'deadlocked, main is stuck in the SIGCHLD handler' "$err" || { cat "$err"; return 1; }
        echo "note: fork-printf-handler $n: this run hit the real deadlock: $(cat "$err")"
    else
        echo "exit status $status"; cat "$err"; return 1
    fi
}

test_printf_handler_malloc() {   # malloc in the handler + a second thread: deadlock
    local out=$TMP/printf-malloc.out err=$TMP/printf-malloc.err pid
    "$BIN/fork-printf-handler" 20000 --malloc --timeout 2 >"$out" 2>"$err" &
    pid=$!
    PIDS+=("$pid")
    wait_exit "$pid" 60 || return 1
    [[ $EXIT_STATUS -eq 3 ]] || { echo "exit status $EXIT_STATUS (want 3 = deadlock detected)"; cat "$err"; return 1; }
    grep -q 'no progress for 2 s .*deadlocked, main is stuck in the SIGCHLD handler' "$err" || { cat "$err"; return 1; }
    echo "note: $(cat "$err")"
}

# ---------------------------------------------------------------- Java samples

test_java_shared_holder() {   # one client at a time works; many at once: served twice or never
    local out=$TMP/holder.out status=0 i errs=
    start_server java/echo-shared-holder || return 1
    client -m persistent -c 1 -n 100 -t 20 || return 1
    client -m per-request -c 1 -n 50 -t 20 || return 1
    for i in 1 2 3; do
        status=0
        timeout 20 "$BIN/echo-client" -p "$SERVER_PORT" -m per-request -c 8 -n 400 -t 3 >"$out" 2>&1 || status=$?
        if [[ $status -ne 0 && $status -ne 1 ]] || ! grep -q '^result: ' "$out"; then
            echo "concurrent echo-client did not finish normally (exit $status)"; cat "$out"; return 1
        fi
        errs=$(sed -n 's/^errors: \([1-9][0-9]*\) .*/&/p' "$out")
        [[ -n $errs ]] && break
    done
    [[ -n $errs ]] || { echo "8 concurrent clients, 3 runs: never a failed client (the shared holder should show)"; return 1; }
    echo "note: java/echo-shared-holder with 8 concurrent clients (run $i): $errs"
    stop_server "$SERVER_PID"
}

test_java_lost_updates() {   # echo-pool-counter: the volatile count ends below the exact one
    local i line lost=0
    for i in 1 2 3; do
        start_server java/echo-pool-counter || return 1
        client -m persistent -c 8 -n 100000 -t 30 -s 8 >/dev/null || return 1
        stop_server "$SERVER_PID" || return 1
        line=$(grep '^echo-pool-counter: ' "$SERVER_OUT")
        [[ $line =~ ^echo-pool-counter:\ echoed\ 100000\ lines\;\ the\ volatile\ counter\ says\ ([0-9]+)\ \((no\ update\ lost\ this\ time|([0-9]+)\ updates\ lost)\)$ ]] ||
            { echo "unexpected count line: '$line'"; cat "$SERVER_OUT"; return 1; }
        if [[ -n ${BASH_REMATCH[3]} ]]; then
            [[ $((BASH_REMATCH[1] + BASH_REMATCH[3])) -eq 100000 ]] || { echo "lost count wrong: $line"; return 1; }
            lost=${BASH_REMATCH[3]}
            break
        fi
    done
    [[ $lost -gt 0 ]] || { echo "3 runs of 100000 lines from 8 clients, no update lost"; return 1; }
    echo "note: $line (run $i)"
}

test_java_fd_leak() {   # -noclose keeps one socket per connection; echo-pool none
    local s before after out=$TMP/jnoeof.out status
    for s in java/echo-pool java/echo-noclose; do
        start_server "$s" || return 1
        before=$(sockets "$SERVER_PID")
        client -m per-request -c 4 -n 100 -t 20 >/dev/null || return 1
        after=$(sockets "$SERVER_PID")
        status=0
        timeout 20 "$BIN/echo-client" -p "$SERVER_PORT" -m per-request -c 1 -n 3 -t 10 --wait-eof=1 >"$out" 2>&1 || status=$?
        stop_server "$SERVER_PID" || return 1
        if [[ $s == java/echo-pool ]]; then
            [[ $after -eq $before ]] || { echo "$s: $before -> $after sockets after 100 connections"; return 1; }
            [[ $status -eq 0 ]] || { echo "$s: --wait-eof failed (exit $status)"; cat "$out"; return 1; }
        else
            [[ $after -ge $((before + 100)) ]] ||
                { echo "$s: $before -> $after sockets after 100 connections (want +100)"; return 1; }
            [[ $status -eq 1 ]] && grep -q 'did not close the connection' "$out" ||
                { echo "want --wait-eof to fail with 'did not close the connection' (exit $status):"; cat "$out"; return 1; }
            echo "note: java/echo-noclose: $before -> $after open sockets after 100 connections, java/echo-pool: unchanged"
        fi
    done
}

test_java_deadlock() {
    local out=$TMP/jdeadlock.out status=0 t0 t1
    t0=$(date +%s%N)
    timeout 20 "$BIN/java/deadlock" --timeout 2 >"$out" 2>&1 || status=$?
    t1=$(date +%s%N)
    [[ $status -eq 3 ]] || { echo "exit status $status (want 3)"; cat "$out"; return 1; }
    grep -q '^deadlocked: thread A holds m1 waits m2, thread B holds m2 waits m1 ' "$out" || { cat "$out"; return 1; }
    (((t1 - t0) / 1000000 >= 1900 && (t1 - t0) / 1000000 < 10000)) ||
        { echo "took $(((t1 - t0) / 1000000)) ms for --timeout 2"; return 1; }
    status=0
    timeout 20 "$BIN/java/deadlock" --ordered --timeout 5 >"$out" 2>&1 || status=$?
    [[ $status -eq 0 ]] && grep -q '^finished: ' "$out" || { echo "--ordered: exit $status"; cat "$out"; return 1; }
    status=0
    timeout 10 "$BIN/java/deadlock" --timeout x >/dev/null 2>"$out" || status=$?
    [[ $status -eq 2 ]] && grep -q '^usage:' "$out" || { echo "--timeout x: exit $status"; cat "$out"; return 1; }
}

sockets() { ls -l /proc/"$1"/fd | grep -c 'socket:'; }

# ---------------------------------------------------------------- main

echo "building in $HERE"
if ! make -C "$HERE" >"$TMP/make.log" 2>&1; then
    cat "$TMP/make.log"
    echo "0 passed, 1 failed"
    exit 1
fi
if grep -q 'warning:' "$TMP/make.log"; then
    grep 'warning:' "$TMP/make.log"
fi

for s in echo-iterative echo-process echo-thread echo-select echo-process-noclose \
         echo-process-noreap echo-process-ifreap echo-thread-nodetach; do
    run_test "echo: $s" test_echo "$s"
done
run_test "echo: echo-thread-stackarg (one client works; many clients race)" test_stackarg
run_test "echo-select: pipelined lines, a line split across reads" test_selfcheck_select_partial
for s in echo-iterative echo-process echo-thread echo-select; do
    run_test "stop: $s exits 0 on SIGTERM with a client connected" test_stop_with_client "$s"
done
run_test "echo-iterative: second client connects, then waits for the first" test_iterative_second_client_waits
run_test "echo-process: parent keeps only listenfd, child only its connection" test_process_child_fds
run_test "zombies: echo-process none, -noreap one per client, -ifreap some" test_zombies
run_test "descriptors: echo-process closes, -noclose leaks and never sends EOF" test_fd_leak
run_test "threads: -nodetach leaks a stack per client, echo-thread does not" test_nodetach
run_test "--max-clients: every server exits 0 by itself" test_max_clients
run_test "port in use: clear message, exit 2" test_port_in_use
run_test "bad arguments: usage, exit 2" test_bad_args
run_test "positional port argument" test_positional_port
run_test "default ports: distinct, as in README.md" test_default_ports
run_test "echo-client: cannot connect -> clear error, exit 1" test_client_cannot_connect
run_test "race: counts and histogram" test_race
run_test "badcnt: expected vs actual line" test_badcnt
run_test "deadlock: reported after --timeout, exit 3; --ordered finishes" test_deadlock
run_test "fork-printf-handler: damage counted (or deadlock reported)" test_printf_handler
run_test "fork-printf-handler --malloc: deadlock detected, exit 3" test_printf_handler_malloc

for s in java/echo-thread java/echo-pool java/echo-nio java/echo-pool-counter java/echo-noclose; do
    run_test "echo: $s" test_echo "$s"
done
run_test "echo: java/echo-shared-holder (one client works; many clients: served twice or never)" test_java_shared_holder
run_test "java/echo-nio: pipelined lines, a line split across reads" test_selfcheck_select_partial java/echo-nio
for s in java/echo-thread java/echo-pool java/echo-nio; do
    run_test "stop: $s exits 0 on SIGTERM with a client connected" test_stop_with_client "$s"
done
run_test "java/echo-pool-counter: ++ on a volatile loses updates" test_java_lost_updates
run_test "descriptors: java/echo-pool closes, java/echo-noclose leaks and never sends EOF" test_java_fd_leak
run_test "java/deadlock: reported by the JVM after --timeout, exit 3; --ordered finishes" test_java_deadlock
run_test "--max-clients: every Java server exits 0 by itself" test_max_clients "$JSERVERS"
run_test "port in use: Java servers, clear message, exit 2" test_port_in_use "$JSERVERS"
run_test "bad arguments: Java servers, usage, exit 2" test_bad_args "$JSERVERS"

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
