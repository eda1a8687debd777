#!/usr/bin/env bash
# Regenerates the committed trace fixtures: each sample program of sample-servers/ runs once under the agent
# (loopback only, port 0, bounded load, every server stopped by its pid), then every trace file is cut to its
# last written slot so the fixtures stay small. Usage: make-traces.sh [NAME...]   (default: all)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
agent=$repo/agent/build/libinterleave-agent.so
bin=$repo/sample-servers/bin
make -s -C "$repo/agent" >/dev/null
make -s -C "$repo/sample-servers" >/dev/null
tests=$repo/agent/build/tests

# Cut each *.trace file after its last non-zero slot (the agent grows files in zero-filled chunks).
shrink() {
    python3 - "$1" <<'PY'
import os, sys, glob, struct
for f in glob.glob(os.path.join(sys.argv[1], "*.trace")):
    data = open(f, "rb").read()
    if len(data) < 20 or data[:8] != b"ILVTRACE":
        continue
    hs, rs = struct.unpack_from("<II", data, 12)
    if struct.unpack_from("<H", data, 8)[0] == 2:
        # a shared thread file (format §2.1): cut after the last chunk, never inside one
        end, off = hs, hs
        while off + 64 <= len(data):
            magic, slots, own = struct.unpack_from("<IIQ", data, off)
            if magic == 0x43564C49 and own == off and slots >= 2:
                off += slots * 64
                end = min(off, len(data))
            else:
                off += 4096
        os.truncate(f, end)
        continue
    n = (len(data) - hs) // rs
    last = -1
    for i in range(n):
        if any(data[hs + i * rs: hs + i * rs + 4]):
            last = i
    os.truncate(f, hs + (last + 1) * rs)
PY
}

# traced NAME ENV... -- PROGRAM ARGS...: runs a program to its end under the agent.
traced() {
    local name=$1; shift
    local dir=$here/$name
    rm -rf "$dir"; mkdir -p "$dir"
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
    env "${envs[@]}" INTERLEAVE_TRACE_DIR="$dir" LD_PRELOAD="$agent" "$@" >/dev/null 2>&1 || true
    shrink "$dir"
    echo "$name: $(ls "$dir" | wc -l) files, $(du -sk "$dir" | cut -f1) KiB"
}

# traced_output NAME ENV... -- PROGRAM ARGS...: as traced, and keeps what the program printed (program-output.txt,
# a file the trace reader ignores) so a test can compare the program's own account with the trace's
traced_output() {
    local name=$1; shift
    local dir=$here/$name
    rm -rf "$dir"; mkdir -p "$dir"
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
    env "${envs[@]}" INTERLEAVE_TRACE_DIR="$dir" LD_PRELOAD="$agent" "$@" >"$dir/program-output.txt" 2>&1 || true
    shrink "$dir"
    echo "$name: $(ls "$dir" | wc -l) files, $(du -sk "$dir" | cut -f1) KiB"
}

# until_shows NAME PATTERN TRIES ENV... -- PROGRAM ARGS...: as traced, run again (at most TRIES times) until the
# run's events (itrace-dump) match PATTERN: for runs whose bug shows only in some runs (a signal landing inside
# printf, a deadlock that needs the signal inside fork or malloc)
until_shows() {
    local name=$1 pattern=$2 tries=$3; shift 3
    for ((k = 1; k <= tries; k++)); do
        traced "$name" "$@" >/dev/null
        # (not grep -q on the pipe: under pipefail the dump's SIGPIPE would count as no match)
        if "$repo/agent/build/itrace-dump" "$here/$name" 2>/dev/null | grep -E "$pattern" >/dev/null; then
            echo "$name: $(ls "$here/$name" | wc -l) files, $(du -sk "$here/$name" | cut -f1) KiB (run $k)"
            return 0
        fi
    done
    echo "$name: no run in $tries showed /$pattern/" >&2
    return 1
}

# server NAME PROGRAM CLIENT-ARGS...: starts a server on port 0 under the agent, runs the echo client against it,
# waits a little (so late reaping shows), then stops the server with SIGTERM by its pid.
server() {
    local name=$1 prog=$2; shift 2
    local dir=$here/$name out
    rm -rf "$dir"; mkdir -p "$dir"
    out=$(mktemp)
    INTERLEAVE_TRACE_DIR="$dir" LD_PRELOAD="$agent" "$bin/$prog" -p 0 >"$out" 2>&1 &
    local pid=$! port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out")
        [ -n "$port" ] && break
        sleep 0.05
    done
    if [ -z "$port" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" || true; cat "$out"; exit 1; fi
    "$bin/echo-client" -p "$port" "$@" >/dev/null 2>&1 || true
    sleep 0.5
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
    rm -f "$out"
    shrink "$dir"
    echo "$name: $(ls "$dir" | wc -l) files, $(du -sk "$dir" | cut -f1) KiB"
}

# lucky NAME PROGRAM ARGS...: like traced, but repeats the run (at most 20 times) until the program exits with 0,
# for a timing-dependent bug recorded in a run where it did not strike.
lucky() {
    local name=$1; shift
    local dir=$here/$name
    for _ in $(seq 20); do
        rm -rf "$dir"; mkdir -p "$dir"
        if INTERLEAVE_TRACE_DIR="$dir" LD_PRELOAD="$agent" "$@" >/dev/null 2>&1; then
            shrink "$dir"
            echo "$name: $(ls "$dir" | wc -l) files, $(du -sk "$dir" | cut -f1) KiB"
            return
        fi
    done
    echo "$name: every run failed" >&2
    exit 1
}

ONLY="${*:-}"
w() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }

w race                  && traced race -- "$bin/race" 20
# format 1.2: the argument watchpoint; the same run with watchpoints turned off shows the fallback and its note
w race-watch            && traced_output race-watch -- "$bin/race" 20
w race-nowatch          && traced_output race-nowatch INTERLEAVE_TRACE_WATCH=0 -- "$bin/race" 20
w badcnt                && traced_output badcnt -- "$bin/badcnt" 1000
# format 1.3: cnt watched in every thread (what `interleave trace --source badcnt.c` asks the agent for), re-run
# until the program itself lost increments; and the mutex-protected variant (programs/goodcnt.c), watched the same way
watch_vars() { echo "$1|cnt@0x$(readelf -sW "$1" | awk '$8 == "cnt" { print $2 }'):8"; }
w badcnt-watched        && { for k in $(seq 20); do
                               traced_output badcnt-watched INTERLEAVE_TRACE_WATCH_VARS="$(watch_vars "$bin/badcnt")" -- \
                                   "$bin/badcnt" 20000 >/dev/null
                               grep -q BOOM "$here/badcnt-watched/program-output.txt" && break
                             done; echo "badcnt-watched: run $k"; }
if w goodcnt-watched; then
    gbin=$(mktemp -d); gcc -O2 -g -pthread -o "$gbin/goodcnt" "$here/programs/goodcnt.c"
    traced_output goodcnt-watched INTERLEAVE_TRACE_WATCH_VARS="$(watch_vars "$gbin/goodcnt")" -- "$gbin/goodcnt" 1000
    rm -rf "$gbin"
fi
w deadlock              && traced deadlock -- "$bin/deadlock" --timeout 1
w deadlock-ordered      && traced deadlock-ordered -- "$bin/deadlock" --ordered --timeout 1
w deadlock-lucky        && lucky deadlock-lucky "$bin/deadlock" --sleep 0 --timeout 1
w fork-printf-handler   && traced fork-printf-handler INTERLEAVE_TRACE_STDIO=1 -- "$bin/fork-printf-handler" 200 --malloc --timeout 1
w fork-printf-reentry   && traced fork-printf-reentry INTERLEAVE_TRACE_STDIO=1 -- "$bin/fork-printf-handler" 100 --timeout 2
# without INTERLEAVE_TRACE_STDIO: only the handler's own printf/malloc are recorded, and the handler-entry record
# says the signal landed inside printf (flags=1) or malloc (flags=2)
w fork-printf-nostdio   && until_shows fork-printf-nostdio 'SIGNAL_HANDLER.enter flags=[13] ' 20 -- \
                               "$bin/fork-printf-handler" 150 --timeout 2
# the same deadlock as fork-printf-handler, recorded without --stdio; the watchdog's _exit(3) shows it happened
w fork-printf-malloc-nostdio && until_shows fork-printf-malloc-nostdio 'PROC_EXIT.point flags=2 status=3' 20 -- \
                               "$bin/fork-printf-handler" 200 --malloc --timeout 1
w thread-attrs          && traced thread-attrs -- "$tests/t_threadlife" loop
w echo-iterative        && server echo-iterative echo-iterative -c 1 -n 5 -m per-request
w echo-select           && server echo-select echo-select -c 3 -n 12 -m persistent
w echo-process          && server echo-process echo-process -c 3 -n 12 -m per-request
w echo-process-noclose  && server echo-process-noclose echo-process-noclose -c 1 -n 6 -m per-request
w echo-process-noreap   && server echo-process-noreap echo-process-noreap -c 3 -n 12 -m per-request
w echo-process-ifreap   && server echo-process-ifreap echo-process-ifreap -c 6 -n 40 -m per-request
w echo-thread           && server echo-thread echo-thread -c 3 -n 12 -m per-request
w echo-thread-nodetach  && server echo-thread-nodetach echo-thread-nodetach -c 3 -n 12 -m per-request
w echo-thread-stackarg  && server echo-thread-stackarg echo-thread-stackarg -c 8 -n 80 -t 2 -m per-request
w echo-thread-stackarg-watch && server echo-thread-stackarg-watch echo-thread-stackarg -c 8 -n 80 -t 2 -m per-request
# the lecture's "where does the second client block?": server and both clients traced into one folder by the command
w echo-iterative-second-client && { rm -rf "$here/echo-iterative-second-client"
                               "$repo/interleave" experiment second-client --samples "$repo/sample-servers" \
                                   -o "$here/echo-iterative-second-client" >/dev/null
                               shrink "$here/echo-iterative-second-client"; }
true
