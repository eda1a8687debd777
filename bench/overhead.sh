#!/usr/bin/env bash
# Tracing overhead on the sample echo servers: untraced vs the Interleave agent vs strace vs ltrace.
#
#   bench/overhead.sh [--reps N] [--quick] [--time S] [--out FILE | --no-save]
#
# Servers echo-process (fork per connection), echo-thread (thread per connection) and echo-select (one
# select loop), each loaded by sample-servers/bin/echo-client (untraced) on 127.0.0.1 with 8 clients and
# 64-byte lines, in two modes: persistent connections and connect-per-request. Each server runs under
#   untraced   the plain binary
#   traced     LD_PRELOAD=libinterleave-agent.so, INTERLEAVE_TRACE_DIR on tmpfs (/dev/shm), deleted after
#   strace     strace -f -o /dev/null
#   ltrace     ltrace -f -o <tmpfs file> (deleted after)
# The variants are interleaved (untraced, traced, strace, ltrace, untraced, ...) inside every repetition,
# so machine noise hits them alike; the table shows medians over the repetitions of round-trips/s,
# p50/p99 latency and the server-side CPU per request, and slowdown = median untraced rt/s / median
# variant rt/s. The agent's micro-benchmark (agent/bench/run-bench.sh, ns per recorded event) runs once
# per repetition in the same run. Markdown goes to stdout and to bench/results/overhead-<date>.md;
# progress goes to stderr. See bench/README.md.
#
# Bounds: every measurement is limited to REQUESTS requests and --time seconds (echo-client adds at most
# 2 s of grace for a request in flight, and is killed after another 15 s); every server is started on
# port 0 and stopped by its pid (trap on exit). Default run (5 repetitions): about 5-8 minutes on 2 cores.
set -euo pipefail
export LC_ALL=C
trap 'echo "overhead.sh: command failed (status $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
SS=$ROOT/sample-servers
AGENT=$ROOT/agent

usage() {
    sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'
  --reps N     repetitions per measurement (default 5; --quick: 2)
  --quick      short run: 2 repetitions, 1 s per measurement, fewer requests (a smoke test, ~1 min)
  --time S     time limit per measurement in seconds (default 3; --quick: 1)
  --out FILE   also write the Markdown here (default bench/results/overhead-YYYY-MM-DD.md)
  --no-save    Markdown to stdout only
EOF
}

reps="" quick=0 tlimit="" out="" save=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --reps) reps=${2:?--reps needs a number}; shift 2 ;;
        --reps=*) reps=${1#*=}; shift ;;
        --quick) quick=1; shift ;;
        --time) tlimit=${2:?--time needs seconds}; shift 2 ;;
        --time=*) tlimit=${1#*=}; shift ;;
        --out) out=${2:?--out needs a file}; shift 2 ;;
        --out=*) out=${1#*=}; shift ;;
        --no-save) save=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "overhead.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
if [[ $quick == 1 ]]; then
    : "${reps:=2}" "${tlimit:=1}"
    n_persistent=30000 n_perrequest=3000 bench_iters=500000
else
    : "${reps:=5}" "${tlimit:=3}"
    n_persistent=120000 n_perrequest=10000 bench_iters=2000000
fi
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "overhead.sh: --reps wants a positive integer, got '$reps'" >&2; exit 2; }
[[ $tlimit =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "overhead.sh: --time wants seconds, got '$tlimit'" >&2; exit 2; }
CLIENTS=8 LINE=64
SERVERS=(echo-process echo-thread echo-select)
MODES=(persistent per-request)

log() { echo "$*" >&2; }
NOTES=()
note() { NOTES+=("$*"); log "note: $*"; }

# ---------------------------------------------------------------- tools, build, run directory
VARIANTS=(untraced traced)
for tool in strace ltrace; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is not installed: its rows are skipped (install with: apt-get install -y $tool)"
    elif ! err=$("$tool" -f -o /dev/null true 2>&1); then
        note "$tool is installed but cannot trace here ($(echo "$err" | head -1)): its rows are skipped"
    else
        VARIANTS+=("$tool")
    fi
done

log "building the agent and the sample servers (make -C agent, make -C sample-servers) ..."
make -s -C "$AGENT" >/dev/null || { echo "overhead.sh: make -C agent failed" >&2; exit 1; }
make -s -C "$SS" >/dev/null || { echo "overhead.sh: make -C sample-servers failed" >&2; exit 1; }

# tmpfs for trace output; falls back (with a note) if /dev/shm is not tmpfs
SHM=/dev/shm
if [[ $(stat -f -c %T "$SHM" 2>/dev/null) != tmpfs ]]; then
    SHM=${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}
    note "/dev/shm is not tmpfs; trace output goes to $SHM ($(stat -f -c %T "$SHM" 2>/dev/null))"
fi
RUN=$(mktemp -d "$SHM/interleave-overhead.XXXXXX")
TPID="" SPID="" CPID=""   # launched pid (server or tracer), server pid, client pid

alive() { [[ -r /proc/$1/stat ]] && [[ $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) != Z ]]; }
stop_pid() { # stop_pid PID: SIGTERM, up to 5 s, then SIGKILL
    local p=$1 i
    [[ -n $p ]] || return 0
    kill -TERM "$p" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do alive "$p" || return 0; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
}
stop_all() {
    stop_pid "$CPID"
    stop_pid "$SPID"
    [[ $TPID != "$SPID" ]] && stop_pid "$TPID"
    [[ -n $TPID ]] && wait "$TPID" 2>/dev/null || true
    [[ -n $CPID ]] && wait "$CPID" 2>/dev/null || true
    TPID="" SPID="" CPID=""
}
cleanup() { stop_all; rm -rf "$RUN"; }
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# private snapshot of the binaries: a rebuild by someone else during the run cannot change them
mkdir -p "$RUN/bin"
for p in "${SERVERS[@]}" echo-client; do cp "$SS/bin/$p" "$RUN/bin/$p"; done
cp "$AGENT/build/libinterleave-agent.so" "$RUN/bin/"
LIB=$RUN/bin/libinterleave-agent.so
TCK=$(getconf CLK_TCK)

# CPU ticks of a process: utime+stime+cutime+cstime (reaped children included)
ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }' || echo 0; }

# ---------------------------------------------------------------- one measurement
RAW=$RUN/raw.tsv # rep server mode variant rate p50 p99 cpu_us_per_req completed errors status
measure() {
    local rep=$1 server=$2 mode=$3 variant=$4 n=$5
    local slog=$RUN/server.log clog=$RUN/client.log tdir=$RUN/trace.$rep.$server.$mode port="" status=ok i
    : >"$slog"
    case $variant in
        untraced) "$RUN/bin/$server" -p 0 >"$slog" 2>&1 & ;;
        traced) INTERLEAVE_TRACE_DIR=$tdir LD_PRELOAD=$LIB "$RUN/bin/$server" -p 0 >"$slog" 2>&1 & ;;
        strace) strace -f -o /dev/null "$RUN/bin/$server" -p 0 >"$slog" 2>&1 & ;;
        ltrace) ltrace -f -o "$RUN/ltrace.out" "$RUN/bin/$server" -p 0 >"$slog" 2>&1 & ;;
    esac
    TPID=$!
    for ((i = 0; i < 200; i++)); do # up to 10 s (ltrace starts slowly)
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$slog" | head -1)
        [[ -n $port ]] && break
        alive "$TPID" || break
        sleep 0.05
    done
    SPID=$TPID
    if [[ $variant == strace || $variant == ltrace ]]; then # the server is the tracer's child
        SPID=$(cat "/proc/$TPID/task/$TPID/children" 2>/dev/null | awk '{ print $1 }')
        [[ -n $SPID ]] || SPID=$(pgrep -P "$TPID" | head -1 || true)
    fi
    local rate=0 p50=NA p99=NA cpu=NA done_=0 errs=0
    if [[ -z $port || -z $SPID ]]; then
        status="server-did-not-start"
        log "  $server $mode $variant: server did not start: $(head -c 300 "$slog" | tr '\n' ' ')"
    else
        local t0 t1
        t0=$(( $(ticks "$SPID") + $(ticks "$TPID") * (TPID != SPID) ))
        timeout -k 2 "$(awk -v t="$tlimit" 'BEGIN { print t + 15 }')" \
            "$RUN/bin/echo-client" -p "$port" -c $CLIENTS -s $LINE -n "$n" -t "$tlimit" -m "$mode" >"$clog" 2>&1 &
        CPID=$!
        local crc=0
        wait "$CPID" || crc=$?
        CPID=""
        sleep 0.2 # let the last children exit and be reaped
        if ! alive "$SPID"; then status="server-died"; fi
        t1=$(( $(ticks "$SPID") + $(ticks "$TPID") * (TPID != SPID) ))
        rate=$(sed -n 's/^round-trips per second: \([0-9.]*\).*/\1/p' "$clog" | head -1)
        p50=$(sed -n 's/^latency_us: p50=\([0-9]*\).*/\1/p' "$clog" | head -1)
        p99=$(sed -n 's/^latency_us: .*p99=\([0-9]*\).*/\1/p' "$clog" | head -1)
        done_=$(sed -n 's/^result: .*completed=\([0-9]*\).*/\1/p' "$clog" | head -1)
        errs=$(sed -n 's/^result: .*errors=\([0-9]*\).*/\1/p' "$clog" | head -1)
        : "${rate:=0}" "${p50:=NA}" "${p99:=NA}" "${done_:=0}" "${errs:=0}"
        [[ $crc == 124 || $crc == 137 ]] && status="client-killed"
        [[ $status == ok && $errs != 0 ]] && status="client-errors"
        [[ $status == ok && $crc != 0 ]] && status="client-exit-$crc"
        if [[ $status == ok && $variant == traced ]] && ! compgen -G "$tdir/*.trace" >/dev/null; then
            status="no-trace-written"
        fi
        if [[ $status != server-died ]] && ((done_ > 0 && t1 >= t0)); then # a dead server's CPU is gone
            cpu=$(awk -v d=$((t1 - t0)) -v t="$TCK" -v n="$done_" 'BEGIN { printf "%.1f", d * 1e6 / t / n }')
        fi
        if [[ $status != ok ]]; then
            log "  $server $mode $variant: $status: $(grep -m3 'echo-client: client' "$clog" | tr '\n' ' ')"
        fi
    fi
    stop_all
    rm -rf "$tdir" "$RUN/ltrace.out"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$server" "$mode" "$variant" "$rate" "$p50" "$p99" \
        "$cpu" "$done_" "$errs" "$status" >>"$RAW"
    log "$(printf '  rep %d/%d %-12s %-11s %-8s %10.1f rt/s  p50 %6s us  p99 %7s us  cpu %6s us/req  %s' \
        "$rep" "$reps" "$server" "$mode" "$variant" "$rate" "$p50" "$p99" "$cpu" "$status")"
}

# ---------------------------------------------------------------- the run
START=$(date +%s)
DATE=$(date +%Y-%m-%d)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
nmeas=$(( ${#SERVERS[@]} * ${#MODES[@]} * ${#VARIANTS[@]} * reps ))
log "variants: ${VARIANTS[*]}; $reps repetitions, $nmeas measurements of at most ${tlimit} s + startup/stop;"
log "requests per measurement: persistent $n_persistent, per-request $n_perrequest; trace output under $RUN"

# warm-up, not counted (caches, CPU frequency, first page faults of the binaries)
"$RUN/bin/echo-thread" -p 0 >"$RUN/server.log" 2>&1 &
TPID=$! SPID=$!
for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$RUN/server.log" | head -1)
    [[ -n $port ]] && break; sleep 0.05
done
[[ -n $port ]] && timeout 20 "$RUN/bin/echo-client" -p "$port" -c $CLIENTS -s $LINE -n 20000 -t 1 >/dev/null 2>&1 || true
stop_all

BENCH=$RUN/microbench.txt # rep name wall user sys (ns per event)
for ((rep = 1; rep <= reps; rep++)); do
    log "repetition $rep/$reps: agent micro-benchmark (agent/bench/run-bench.sh $bench_iters, trace on tmpfs)"
    mkdir -p "$RUN/mb"
    if mb=$(bash "$AGENT/bench/run-bench.sh" "$bench_iters" "$RUN/mb" 2>&1); then
        echo "$mb" | awk -v r="$rep" '/ns per recorded event/ {
            printf "%s\t%s\t%s\t%s\t%s\n", r, $1, $2, $(NF-6), $(NF-3) }' >>"$BENCH"
        [[ $rep == 1 ]] && echo "$mb" >"$RUN/microbench-first.txt"
    else
        note "agent/bench/run-bench.sh failed in repetition $rep: $(echo "$mb" | tail -1)"
    fi
    rm -rf "$RUN/mb"
    for server in "${SERVERS[@]}"; do
        for mode in "${MODES[@]}"; do
            n=$n_persistent
            [[ $mode == per-request ]] && n=$n_perrequest
            for variant in "${VARIANTS[@]}"; do
                measure "$rep" "$server" "$mode" "$variant" "$n"
            done
        done
    done
done
END=$(date +%s)
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
ver() { "$@" 2>&1 | head -1 | sed 's/[.]$//' || true; }
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain -- agent sample-servers 2>/dev/null | wc -l)
report() {
    echo "# Interleave tracing overhead, $DATE"
    echo
    echo "\`bench/overhead.sh$([[ $quick == 1 ]] && echo ' --quick') --reps $reps --time $tlimit\`, commit" \
        "$COMMIT$([[ $DIRTY != 0 ]] && echo " (agent/ or sample-servers/ with $DIRTY uncommitted changes)")," \
        "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(uname -sr)," \
        "load average $LOAD0 at start, $LOAD1 at end, $(( (END - START) / 60 )) min $(( (END - START) % 60 )) s."
    echo "Client: \`echo-client -c $CLIENTS -s $LINE -t $tlimit -n N\` (untraced; N = $n_persistent persistent," \
        "$n_perrequest per-request), on 127.0.0.1. Trace output on $(stat -f -c %T "$SHM") ($SHM)." \
        "strace: $(command -v strace >/dev/null && ver strace -V || echo 'not installed');" \
        "ltrace: $(command -v ltrace >/dev/null && ver ltrace -V || echo 'not installed')."
    echo
    echo "Medians of $reps repetitions. **slowdown** = median untraced rt/s / median rt/s of the variant." \
        "**CPU/req** = CPU time of the server, its children and the tracer per completed round-trip" \
        "(client not included). rt/s range = min-max over the repetitions."
    echo
    awk -F'\t' -v reps="$reps" '
        function med(s,   a, n, i, j, t) { n = split(s, a, " ")
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
            if (n == 0) return "NA"; return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        function mn(s,   a, n, i, m) { n = split(s, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
        function mx(s,   a, n, i, m) { n = split(s, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
        function add(arr, k, v) { if (v != "NA") arr[k] = arr[k] " " v }
        { k = $2 SUBSEP $3 SUBSEP $4
          if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
          add(rate, k, $5); add(p50, k, $6); add(p99, k, $7); add(cpu, k, $8); rr[k, $1] = $5
          if ($11 != "ok") { bad[k]++; why[k] = why[k] (why[k] == "" ? "" : ", ") "rep " $1 ": " $11 " (" $10 " client errors)" } }
        END {
          print "| server | mode | variant | rt/s (median) | rt/s range | p50 us | p99 us | CPU/req us | slowdown | target | met? |"
          print "|---|---|---|---:|---|---:|---:|---:|---:|---|---|"
          for (i = 1; i <= nk; i++) {
            k = order[i]; split(k, f, SUBSEP)
            base = med(rate[f[1] SUBSEP f[2] SUBSEP "untraced"]); r = med(rate[k])
            sd = (r > 0 && base > 0) ? sprintf("%.2fx", base / r) : "n/a"
            tgt = ""; met = ""
            if (f[3] == "traced") {
              if (f[2] == "persistent") tgt = 1.05; else if (f[1] == "echo-process") tgt = 1.3
              if (tgt != "" && r > 0) met = (base / r <= tgt) ? "yes" : "**no**"
              if (tgt != "") tgt = "<= " tgt "x"
            }
            name = f[3] == "traced" ? "**Interleave agent**" : f[3]
            if (f[3] == "untraced") sd = "1 (base)"
            flag = (k in bad) ? " (!" bad[k] ")" : ""
            printf "| %s | %s | %s%s | %.0f | %.0f-%.0f | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], name, flag, r,
              mn(rate[k]), mx(rate[k]), med(p50[k]), med(p99[k]), med(cpu[k]), sd, tgt, met
          }
          print ""
          print "### The agent against the targets"
          print ""
          print "| server | mode | slowdown (median rt/s) | paired per-repetition ratios untraced/agent | untraced rt/s max/min | CPU/req untraced -> agent | target | met? |"
          print "|---|---|---:|---|---:|---|---|---|"
          for (i = 1; i <= nk; i++) {
            k = order[i]; split(k, f, SUBSEP)
            if (f[3] != "traced") continue
            u = f[1] SUBSEP f[2] SUBSEP "untraced"
            base = med(rate[u]); r = med(rate[k])
            pr = ""; for (j = 1; j <= reps; j++) if (((u, j) in rr) && ((k, j) in rr) && rr[k, j] > 0) pr = pr (pr == "" ? "" : " ") sprintf("%.2f", rr[u, j] / rr[k, j])
            tgt = "none stated"; met = ""
            if (f[2] == "persistent") tgt = 1.05; else if (f[1] == "echo-process") tgt = 1.3
            if (tgt != "none stated") { met = (r > 0 && base / r <= tgt) ? "yes" : "**no**"; tgt = "<= " tgt "x" }
            cu = med(cpu[u]); ct = med(cpu[k])
            printf "| %s | %s | %s | %s | %s | %s -> %s us (%s) | %s | %s |\n", f[1], f[2],
              (r > 0 ? sprintf("%.2fx", base / r) : "n/a"), pr, (mn(rate[u]) > 0 ? sprintf("%.2f", mx(rate[u]) / mn(rate[u])) : "n/a"),
              cu, ct, (cu > 0 ? sprintf("%.2fx", ct / cu) : "n/a"), tgt, met
          }
          nb = 0
          for (i = 1; i <= nk; i++) if (order[i] in bad) nb++
          if (nb) {
            print ""
            print "(!n) = n of the " reps " repetitions did not end cleanly (the medians include them, with what completed):"
            print ""
            for (i = 1; i <= nk; i++) if (order[i] in bad) { split(order[i], f, SUBSEP)
              print "- " f[1] " " f[2] " " f[3] ": " why[order[i]] }
          }
        }' "$RAW"
    echo
    echo "## Agent micro-benchmark (agent/bench/run-bench.sh $bench_iters, trace directory on tmpfs)"
    echo
    if [[ -s $BENCH ]]; then
        echo "ns per recorded event, median of $(cut -f1 "$BENCH" | sort -u | wc -l) runs (one per repetition, min-max in brackets):"
        echo
        echo "| loop | wall ns/event | user ns/event (agent code) | system ns/event (kernel, trace pages) |"
        echo "|---|---:|---:|---:|"
        awk -F'\t' '
            function med(s,   a, n, i, j, t) { n = split(s, a, " ")
                for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
                lo = a[1]; hi = a[n]; return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
            function cell(s,   m) { m = med(s); return sprintf("%.1f [%.1f-%.1f]", m, lo, hi) }
            { if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }; w[$2] = w[$2] " " $3; u[$2] = u[$2] " " $4; s[$2] = s[$2] " " $5 }
            END { for (i = 1; i <= n; i++) { k = order[i]; printf "| %s | %s | %s | %s |\n", k, cell(w[k]), cell(u[k]), cell(s[k]) } }' "$BENCH"
        echo
        echo "First run, as printed by run-bench.sh:"
        echo
        echo '```'
        cat "$RUN/microbench-first.txt"
        echo '```'
    else
        echo "not available (see notes)"
    fi
    if [[ ${#NOTES[@]} -gt 0 ]]; then
        echo
        echo "## Notes"
        echo
        for n in "${NOTES[@]}"; do echo "- $n"; done
    fi
    echo
    echo "## Raw measurements"
    echo
    echo "| rep | server | mode | variant | rt/s | p50 us | p99 us | CPU/req us | completed | client errors | status |"
    echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|"
    awk -F'\t' '{ printf "| %s |\n", $1 " | " $2 " | " $3 " | " $4 " | " $5 " | " $6 " | " $7 " | " $8 " | " $9 " | " $10 " | " $11 }' "$RAW"
}

report >"$RUN/report.md"
cat "$RUN/report.md"
if [[ $save == 1 ]]; then
    if [[ -z $out ]]; then
        mkdir -p "$ROOT/bench/results"
        out=$ROOT/bench/results/overhead-$DATE.md
        if [[ $quick == 1 ]]; then out=$ROOT/bench/results/overhead-$DATE-quick.md; fi
    fi
    cp "$RUN/report.md" "$out"
    log "written to $out"
fi
