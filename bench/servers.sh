#!/usr/bin/env bash
# Real servers as Debian configures them, untraced and under `interleave trace`, with a bounded loopback load:
# throughput ratio, trace size and events, lost events (as `trace` and `report` say), the wall time and peak RSS
# of `interleave report`, and its findings. nginx, lighttpd, redis (BGSAVE during the load) and memcached from
# Debian's packages, each with the package's own configuration file where it has one, changed only where it must
# be: 127.0.0.1 and a free port, PID and log files in the run's temporary directory, in the foreground. Privileges
# are dropped as Debian does it: nginx `user www-data`, lighttpd `server.username`, memcached `-u memcache` (from
# /etc/memcached.conf), redis as user redis (systemd's User=redis, here setpriv).
#
# usage: bench/servers.sh [--rounds N] [--servers "nginx lighttpd redis memcached"] [--dir DIR] [--scale F]
#                         [--long PAIRS | --no-long] [--keep-traces DIR] [--out FILE | --no-save]
#   --rounds N     rounds (default 3); in each, every server runs untraced and traced, the order alternating
#   --servers L    which servers (default all four)
#   --dir DIR      where temporary directories and traces go (default /tmp; the dropped user must be able to
#                  enter it, so not /root)
#   --scale F      multiply every load's request count (default 1)
#   --long PAIRS   after the rounds, one long traced memcached load of PAIRS set+get pairs (default 2000000,
#                  bounded by 180 s) whose report runs with a 1 GiB heap (-Xmx1g); --no-long leaves it out
#   --keep-traces DIR  move each traced run into DIR/<server>-<round> instead of deleting it (for triage)
#   --out FILE     Markdown result (default bench/results/servers-<date>.md); --no-save: stdout only
# Needs root (the servers drop privileges from root), GNU time, ab (apache2-utils), redis-server and
# redis-benchmark (redis-server, redis-tools), nginx, lighttpd, memcached, gcc; installs missing ones from Debian.
# Every server is stopped by its pid (its pid file); whatever is left at exit is stopped by the trap.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
rounds=3 servers="nginx lighttpd redis memcached" base=/tmp scale=1 long=2000000 keep=""
out="$here/results/servers-$(date -u +%Y-%m-%d).md" save=1
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --servers) servers=$2; shift 2 ;;
    --dir) base=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    --long) long=$2; shift 2 ;;
    --no-long) long=0; shift ;;
    --keep-traces) keep=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-save) save=0; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "servers.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "servers.sh: run it as root: the servers drop privileges from root as Debian starts them" >&2; exit 2; }
notes=()
need() { # need TOOL PACKAGE...
    local t=$1; shift
    command -v "$t" >/dev/null 2>&1 && return 0
    if command -v apt-get >/dev/null; then
        echo "servers.sh: installing $* for $t" >&2
        apt-get install -y -q "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$@" >/dev/null 2>&1; } || true
    fi
    command -v "$t" >/dev/null 2>&1 && return 0
    echo "servers.sh: $t is missing (apt-get install $*)" >&2
    return 1
}
need /usr/bin/time time && need gcc gcc && need setpriv util-linux || exit 2
ok_servers=()
for s in $servers; do
    case $s in
    nginx) need ab apache2-utils && need /usr/sbin/nginx nginx-light && ok_servers+=(nginx) ;;
    lighttpd) need ab apache2-utils && need /usr/sbin/lighttpd lighttpd && ok_servers+=(lighttpd) ;;
    redis) need /usr/bin/redis-server redis-server && need redis-benchmark redis-tools && ok_servers+=(redis) ;;
    memcached) need /usr/bin/memcached memcached && ok_servers+=(memcached) ;;
    *) echo "servers.sh: unknown server $s (nginx, lighttpd, redis, memcached)" >&2; exit 2 ;;
    esac || notes+=("$s left out: a tool it needs is missing")
done
# The servers and the processes they forked, by pid, for the trap: a run that fails half-way stops them too.
live=()
cleanup() {
    local p
    for p in "${live[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    [ -n "${work:-}" ] && rm -rf "$work"
}
work=$(mktemp -d "$base/servers.XXXXXX")
chmod 755 "$work" # the dropped users must reach their own directories below it
trap cleanup EXIT
trap 'exit 130' INT TERM
gcc -O2 -pthread -o "$work/memcache-load" "$here/memcache-load.c"
make -s -C "$repo/agent" >/dev/null
"$repo/interleave" --version >/dev/null 2>&1 || true # build the engine before timing anything
dump=$repo/agent/build/itrace-dump

free_port() { # a port nothing listens on, from a range away from the usual ones
    local p
    for _ in $(seq 50); do
        p=$(( 20000 + RANDOM % 20000 ))
        ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}
n() { awk -v a="$1" -v s="$scale" 'BEGIN { printf "%d", a * s }'; } # a request count, scaled

# configure SERVER DIR PORT: writes DIR's configuration and sets cmd (the server's command line, in the
# foreground), pidfile and user (who the server runs as after dropping privileges).
configure() {
    local s=$1 d=$2 p=$3
    case $s in
    nginx)
        user=www-data pidfile=$d/nginx.pid
        # Debian's nginx.conf; its sites-enabled/default (port 80 on every address) becomes one server on 127.0.0.1
        sed -e "s|^pid .*|pid $d/nginx.pid;|" -e "s|^error_log .*|error_log $d/error.log;|" \
            -e "s|access_log .*|access_log $d/access.log;|" \
            -e "s|include /etc/nginx/sites-enabled/\*;|server { listen 127.0.0.1:$p; root /var/www/html; index index.html index.nginx-debian.html; }|" \
            /etc/nginx/nginx.conf >"$d/nginx.conf"
        cmd=(/usr/sbin/nginx -c "$d/nginx.conf" -g 'daemon off;') ;;
    lighttpd)
        user=www-data pidfile=$d/lighttpd.pid
        # Debian's lighttpd.conf; its error log is opened after the switch to www-data, so the directory is theirs.
        # use-ipv6.pl would add [::]:PORT on every address: left out.
        sed -e "s|^server.port .*|server.port = $p\nserver.bind = \"127.0.0.1\"|" \
            -e "s|^server.pid-file .*|server.pid-file = \"$d/lighttpd.pid\"|" \
            -e "s|^server.errorlog .*|server.errorlog = \"$d/error.log\"|" \
            -e "s|^server.upload-dirs .*|server.upload-dirs = ( \"$d\" )|" -e "/use-ipv6.pl/d" \
            /etc/lighttpd/lighttpd.conf >"$d/lighttpd.conf"
        cmd=(/usr/sbin/lighttpd -D -f "$d/lighttpd.conf") ;;
    redis)
        user=redis pidfile=$d/redis.pid
        # as Debian's redis-server.service starts it (User=redis, the package's redis.conf, --daemonize no)
        cmd=(/usr/bin/setpriv --reuid=redis --regid=redis --init-groups /usr/bin/redis-server /etc/redis/redis.conf
            --port "$p" --bind 127.0.0.1 --daemonize no --supervised no --pidfile "$d/redis.pid"
            --logfile "$d/redis.log" --dir "$d") ;;
    memcached)
        user=memcache pidfile=$d/memcached.pid
        # the options of /etc/memcached.conf (what Debian's wrapper passes), but not -d (daemon) or the log file
        local opts=()
        while read -r a b; do
            case $a in
            ''|'#'*|-d|logfile) ;;
            -p) opts+=(-p "$p") ;;
            -P) opts+=(-P "$d/memcached.pid") ;;
            -l) opts+=(-l 127.0.0.1) ;;
            *) opts+=("$a"); [ -n "$b" ] && opts+=("$b") ;;
            esac
        done </etc/memcached.conf
        printf '%s\n' "${opts[@]}" | grep -qx -- -P || opts+=(-P "$d/memcached.pid")
        printf '%s\n' "${opts[@]}" | grep -qx -- -u || opts+=(-u memcache)
        cmd=(/usr/bin/memcached "${opts[@]}") ;;
    esac
    chown "$user" "$d"
}

# load SERVER PORT DIR: the bounded load; prints "REQUESTS SECONDS" (completed requests and their wall time).
load() {
    local s=$1 p=$2 d=$3 t0 t1
    case $s in
    nginx|lighttpd)
        # keep-alive, 8 clients; ab stops at the count or after 30 s, timeout(1) after 60 s whatever happens
        timeout 60 ab -q -k -c 8 -t 30 -n "$(n 100000)" "http://127.0.0.1:$p/index.nginx-debian.html" >"$d/load.out" 2>&1 || true
        awk '/^Complete requests:/ { c = $3 } /^Time taken for tests:/ { t = $5 } /^Failed requests:/ { f = $3 }
             END { printf "%d %s %d\n", c - f, t, f }' "$d/load.out" ;;
    redis)
        # five commands of redis-benchmark, 8 clients, over 100,000 random keys, with a BGSAVE every 0.5 s
        # meanwhile (at most 20): each forks a child that writes the snapshot while the parent serves the clients
        (for _ in $(seq 20); do sleep 0.5; redis-cli -p "$p" bgsave >>"$d/bgsave.out" 2>&1 || true; done) &
        local saver=$!
        t0=$(date +%s%N)
        timeout 90 redis-benchmark -p "$p" -q -n "$(n 40000)" -c 8 -r 100000 -t set,get,incr,lpush,rpop \
            >"$d/load.out" 2>&1 || true
        t1=$(date +%s%N)
        kill "$saver" 2>/dev/null || true; wait "$saver" 2>/dev/null || true
        # each test's last line "SET: 31000.00 requests per second": its count is the -n given, if it finished
        local done_tests
        done_tests=$(tr '\r' '\n' <"$d/load.out" | grep -c 'requests per second' || true)
        echo "$(( done_tests * $(n 40000) )) $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $(( 5 - done_tests ))" ;;
    memcached)
        timeout 90 "$work/memcache-load" "$p" 4 "$(n 100000)" 60 >"$d/load.out" 2>&1 || true
        sed -n 's/^pairs=\([0-9]*\) seconds=\([0-9.]*\) .*errors=\([0-9]*\)/\1 \2 \3/p' "$d/load.out" ;;
    esac
}

wait_gone() { # wait_gone PID SECONDS: 0 when PID ended in time
    local i
    for ((i = 0; i < $2 * 10; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    return 1
}

declare -A rate size events lost lostr rwall rrss rstatus findings fails
# run_one SERVER VARIANT ROUND [REQUESTS-SCALE]: one start, load and stop; the figures go to the tables above
run_one() {
    local s=$1 v=$2 r=$3 d="$work/$1-$2-$3" p launcher master="" i
    mkdir -p "$d"; chmod 755 "$d"
    p=$(free_port) || { notes+=("$s $v round $r: no free port"); return 0; }
    configure "$s" "$d" "$p"
    if [ "$v" = traced ]; then
        # the run directory is created by trace; its parent is root's and enterable by the dropped user
        "$repo/interleave" trace --timeout 200 --out "$d/run" -- "${cmd[@]}" >"$d/server.out" 2>&1 &
    else
        "${cmd[@]}" >"$d/server.out" 2>&1 &
    fi
    launcher=$!
    live+=("$launcher")
    for ((i = 0; i < 300; i++)); do
        if [ -s "$pidfile" ] && ss -Htln "sport = :$p" | grep -q .; then master=$(cat "$pidfile"); break; fi
        kill -0 "$launcher" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$master" ]; then
        notes+=("$s $v round $r: did not start listening on 127.0.0.1:$p: $(tail -c 300 "$d/server.out" | tr '\n' ' ')")
        fails[$s/$v]=$(( ${fails[$s/$v]:-0} + 1 ))
        kill -TERM "$launcher" 2>/dev/null || true; wait_gone "$launcher" 10 || kill -KILL "$launcher" 2>/dev/null || true
        return 0
    fi
    live+=("$master")
    local got reqs secs failed
    got=$(load "$s" "$p" "$d")
    read -r reqs secs failed <<<"${got:-0 0 0}"
    if [ "${failed:-0}" != 0 ] || [ "${reqs:-0}" = 0 ]; then
        notes+=("$s $v round $r: the load had $failed failed request(s) or tests, $reqs completed ($(tail -c 200 "$d/load.out" | tr '\r\n' '  '))")
    fi
    rate[$s/$v]+="$(awk -v a="$reqs" -v b="$secs" 'BEGIN { printf "%.0f", (b > 0 ? a / b : 0) }') "
    # stop: SIGTERM to the master (nginx, lighttpd, redis and memcached all end cleanly on it), SIGKILL after 15 s
    kill -TERM "$master" 2>/dev/null || true
    if ! wait_gone "$master" 15; then
        notes+=("$s $v round $r: still running 15 s after SIGTERM: killed")
        kill -KILL "$master" 2>/dev/null || true
    fi
    wait_gone "$launcher" 30 || kill -KILL "$launcher" 2>/dev/null || true
    wait "$launcher" 2>/dev/null || true
    live=()
    [ "$v" = traced ] || { rm -rf "$d"; return 0; }
    measure_trace "$s" "$d" "$r"
    [ -z "$keep" ] || mv "$d/run" "$keep/$s-$r"
    rm -rf "$d"
}

# measure_trace SERVER DIR ROUND [XMX]: size, events, lost events, report time/RSS/status and findings of DIR/run
measure_trace() {
    local s=$1 d=$2 r=$3 xmx=${4:-} k=$1
    [ -n "$xmx" ] && k=$1-long
    size[$k]+="$(du -sb "$d/run" | cut -f1) "
    events[$k]+="$("$dump" --summary "$d/run" 2>&1 >/dev/null | sed -n 's/.* events=\([0-9]*\).*/\1/p' | tail -1) "
    # the long run: events by type too (what the agent's lock tables write)
    [ -n "$xmx" ] && "$dump" --summary "$d/run" 2>/dev/null | sort -k2 -nr >"$work/types-$k.txt"
    lost[$k]+="$(sed -n 's/.*could not store \([0-9]*\) event.*/\1/p' "$d/server.out" | head -1 | grep . || echo 0) "
    local rc=0
    JDK_JAVA_OPTIONS=${xmx:+-Xmx$xmx} /usr/bin/time -v "$repo/interleave" report "$d/run" -o "$d/report.html" \
        >/dev/null 2>"$d/report.time" || rc=$?
    rstatus[$k]+="$rc "
    rwall[$k]+="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$d/report.time") "
    rrss[$k]+="$(awk -F': ' '/Maximum resident set size/ { print int($2 / 1024) }' "$d/report.time") "
    if [ $rc -gt 1 ]; then
        notes+=("$s round $r: report exited with $rc: $(grep -v '^	' "$d/report.time" | grep -v 'Command exited' | head -3 | tr '\n' ' ')")
    fi
    # the findings (and the lost-event note) as text, not timed
    JDK_JAVA_OPTIONS=${xmx:+-Xmx$xmx} "$repo/interleave" report "$d/run" --format text >"$d/findings.txt" 2>&1 || true
    lostr[$k]+="$(sed -n 's/.*could not store \([0-9]*\) event.*/\1/p' "$d/findings.txt" | head -1 | grep . || echo 0) "
    findings[$k]+="$(grep -cE ': (error|warning): ' "$d/findings.txt" || true) "
    grep -E ': (error|warning): |: note: ' "$d/findings.txt" | sed "s/^/round $r: /" >>"$work/findings-$k.txt" || true
}

for ((r = 1; r <= rounds; r++)); do
    for s in "${ok_servers[@]}"; do
        if (( r % 2 )); then order=(untraced traced); else order=(traced untraced); fi
        for v in "${order[@]}"; do
            run_one "$s" "$v" "$r"
            echo "round $r: $s $v: $(echo "${rate[$s/$v]:-}" | awk '{ print $NF }') requests/s" >&2
        done
    done
done

if [ "$long" != 0 ] && printf '%s\n' "${ok_servers[@]}" | grep -qx memcached; then
    # the long load: one traced memcached, PAIRS pairs or 180 s; the report with a 1 GiB heap
    d="$work/memcached-long"; mkdir -p "$d"; chmod 755 "$d"
    p=$(free_port); configure memcached "$d" "$p"
    "$repo/interleave" trace --timeout 600 --out "$d/run" -- "${cmd[@]}" >"$d/server.out" 2>&1 &
    launcher=$!; live+=("$launcher"); master=""
    for ((i = 0; i < 300; i++)); do
        if [ -s "$pidfile" ] && ss -Htln "sport = :$p" | grep -q .; then master=$(cat "$pidfile"); break; fi
        sleep 0.1
    done
    if [ -n "$master" ]; then
        live+=("$master")
        timeout 240 "$work/memcache-load" "$p" 4 "$long" 180 >"$d/load.out" 2>&1 || true
        long_load=$(cat "$d/load.out")
        kill -TERM "$master" 2>/dev/null || true
        wait_gone "$master" 15 || kill -KILL "$master" 2>/dev/null || true
        wait_gone "$launcher" 60 || kill -KILL "$launcher" 2>/dev/null || true
        wait "$launcher" 2>/dev/null || true
        live=()
        measure_trace memcached "$d" long 1g
        echo "long memcached: $long_load; report $(echo "${rwall[memcached-long]}") s" >&2
    else
        notes+=("long memcached load: the server did not start: $(tail -c 300 "$d/server.out" | tr '\n' ' ')")
    fi
    rm -rf "$d"
fi

median() { tr ' ' '\n' | { grep -v '^$' || true; } | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mb() { awk '{ printf "%.1f", $1 / 1048576 }'; }
version() {
    case $1 in
    nginx) /usr/sbin/nginx -v 2>&1 | sed 's/.*version: //' ;;
    lighttpd) /usr/sbin/lighttpd -v 2>&1 | head -1 | cut -d' ' -f1 ;;
    redis) /usr/bin/redis-server --version | awk '{ print "redis", $3 }' ;;
    memcached) /usr/bin/memcached -V ;;
    esac
}
{
    echo "# Real servers under the agent ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/servers.sh --rounds $rounds --scale $scale\` at commit $(git -C "$repo" rev-parse --short HEAD), $(nproc) cores,"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Medians of $rounds rounds (untraced and traced alternating);"
    echo "directories under \`$base\`. Loads on 127.0.0.1: nginx and lighttpd \`ab -k -c 8 -n $(n 100000)\` of Debian's"
    echo "index page; redis \`redis-benchmark -c 8 -n $(n 40000) -r 100000 -t set,get,incr,lpush,rpop\` with \`BGSAVE\` every"
    echo "0.5 s; memcached \`memcache-load\` (bench/memcache-load.c), 4 connections, $(n 100000) set+get pairs."
    echo
    echo "| server | untraced req/s | traced req/s | throughput traced/untraced | trace (MB) | events | lost (trace / report) | \`report\` wall (s) | \`report\` peak RSS (MB) | report status | findings |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for s in "${ok_servers[@]}"; do
        u=$(echo "${rate[$s/untraced]:-}" | median); t=$(echo "${rate[$s/traced]:-}" | median)
        x=$(awk -v a="$t" -v b="$u" 'BEGIN { if (b > 0 && a != "-") printf "%.2f", a / b; else print "-" }')
        echo "| $(version "$s") | $u | $t | $x | $(echo "${size[$s]:-}" | median | mb) | $(echo "${events[$s]:-}" | median) |" \
            "$(echo "${lost[$s]:-}" | tr -s ' ' '/' | sed 's|/$||') / $(echo "${lostr[$s]:-}" | tr -s ' ' '/' | sed 's|/$||') |" \
            "$(echo "${rwall[$s]:-}" | median) | $(echo "${rrss[$s]:-}" | median) | ${rstatus[$s]:-} | ${findings[$s]:-} |"
    done
    echo
    echo "Throughput: completed requests (memcached: pairs) per second of the load as its client measured it, median of"
    echo "the rounds. Trace: \`du -sb\` of the run directory; events: \`itrace-dump --summary\`. Lost: the count of"
    echo "events the agent could not store, as \`interleave trace\` and \`interleave report\` print it, per round."
    echo "Report: \`/usr/bin/time -v ./interleave report DIR\` (the HTML report, JVM start included); status 0 = no"
    echo "finding, 1 = findings; findings: errors and warnings of \`report --format text\`, per round."
    if [ -n "${size[memcached-long]:-}" ]; then
        echo
        echo "## The long memcached load"
        echo
        echo "\`memcache-load PORT 4 $long 180\` under \`interleave trace\`: $long_load"
        echo
        echo "| trace (MB) | events | lost (trace / report) | \`report\` with \`-Xmx1g\`: wall (s) | peak RSS (MB) | status | findings |"
        echo "|---|---|---|---|---|---|---|"
        echo "| $(echo "${size[memcached-long]}" | mb) | ${events[memcached-long]} | ${lost[memcached-long]}/ ${lostr[memcached-long]} |" \
            "${rwall[memcached-long]} | ${rrss[memcached-long]} | ${rstatus[memcached-long]} | ${findings[memcached-long]} |"
        if [ -s "$work/types-memcached-long.txt" ]; then
            echo
            echo "Events by type (\`itrace-dump --summary\`, the ten most frequent, and every lock record):"
            echo
            echo '```'
            { head -10 "$work/types-memcached-long.txt"; grep '^LOCK_' "$work/types-memcached-long.txt"; } | awk '!seen[$0]++'
            echo '```'
        fi
    fi
    echo
    echo "## Findings"
    for k in "${ok_servers[@]}" memcached-long; do
        [ -s "$work/findings-$k.txt" ] || continue
        echo
        echo "### $k"
        echo
        echo '```'
        # the same finding in several rounds once, with the rounds that gave it
        sed 's/^round \([0-9a-z]*\): //' "$work/findings-$k.txt" | sed -E 's/[0-9]+ of [0-9]+ /N of M /; s/fd [0-9]+/fd N/; s/process [0-9]+/process N/' | sort | uniq -c | sort -rn | head -40
        echo '```'
    done
    if [ ${#notes[@]} -gt 0 ]; then
        echo
        echo "## Notes"
        echo
        for m in "${notes[@]}"; do echo "- $m"; done
    fi
} >"$work/result.md"
cat "$work/result.md"
if [ $save = 1 ]; then
    mkdir -p "$(dirname "$out")"
    cp "$work/result.md" "$out"
    echo "saved $out" >&2
fi
