#!/usr/bin/env bash
# The lecture's printf-in-SIGCHLD-handler program, 20 times untraced and 20 times under the agent (with stdio
# tracing): every run must either complete or be caught by the sample's own watchdog as deadlocked (exit 3), never
# hang past it, and the agent must not make hangs more frequent than they are without it. In traced runs the trace
# must show the handler nested inside printf (or malloc/fork), which is what the timeline marks. Then 5 runs of the
# --malloc variant, which deadlocks in most runs: each deadlock must be caught, with the handler inside malloc or fork.
# Prints a table and ends with "N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
RUNS=${RUNS:-20}; CHILDREN=${CHILDREN:-1000}
make -s -C "$ROOT/agent" >/dev/null && make -s -C "$ROOT/sample-servers" >/dev/null || { echo "build failed"; exit 1; }
AGENT="$ROOT/agent/build/libinterleave-agent.so"; DUMP="$ROOT/agent/build/itrace-dump"
PROG="$ROOT/sample-servers/bin/fork-printf-handler"
TMP=$(mktemp -d /dev/shm/interleave-printf-XXXXXX 2>/dev/null || mktemp -d); trap 'rm -rf "$TMP"' EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "PASS $*"; }
ko() { failed=$((failed + 1)); echo "FAIL $*"; }

# How often a SIGNAL_HANDLER.enter happens while the same thread is inside STDIO / MALLOC / FORK.
nested() {
  "$DUMP" "$1" 2>/dev/null | awk '
    { tid = ""; ev = ""
      for (i = 1; i <= NF; i++) { if ($i ~ /^tid=/) tid = substr($i, 5); if ($i ~ /^ev=/) ev = substr($i, 4) } }
    ev ~ /\.enter$/ { name = ev; sub(/\.enter$/, "", name)
      if (name == "SIGNAL_HANDLER" && depth[tid] > 0) { top = stack[tid, depth[tid]]
        if (top == "STDIO" || top == "MALLOC" || top == "FORK") inside[top]++ }
      stack[tid, ++depth[tid]] = name }
    ev ~ /\.exit$/ { if (depth[tid] > 0) depth[tid]-- }
    END { printf "stdio=%d malloc=%d fork=%d\n", inside["STDIO"], inside["MALLOC"], inside["FORK"] }'
}

# run LABEL TRACED EXTRA_ARGS... -> prints "exit" status; 124 = hung past the watchdog
one_run() {
  local dir=$1; shift
  if [ -n "$dir" ]; then
    INTERLEAVE_TRACE_STDIO=1 INTERLEAVE_TRACE_DIR="$dir" LD_PRELOAD="$AGENT" timeout -k 2 30 "$PROG" "$@" >"$TMP/out" 2>&1
  else
    timeout -k 2 30 "$PROG" "$@" >"$TMP/out" 2>&1
  fi
  echo $?
}

declare -A count
for mode in untraced traced; do count[$mode,0]=0; count[$mode,3]=0; count[$mode,other]=0; done
nested_printf=0
for ((r = 1; r <= RUNS; r++)); do
  s=$(one_run "" "$CHILDREN" --timeout 5)
  case $s in 0|3) count[untraced,$s]=$((count[untraced,$s] + 1));; *) count[untraced,other]=$((count[untraced,other] + 1));; esac
  d="$TMP/run$r"
  s=$(one_run "$d" "$CHILDREN" --timeout 5)
  case $s in 0|3) count[traced,$s]=$((count[traced,$s] + 1));; *) count[traced,other]=$((count[traced,other] + 1)); echo "traced run $r: exit $s"; tail -3 "$TMP/out";; esac
  n=$(nested "$d"); k=${n#stdio=}; k=${k%% *}
  [ "$k" -gt 0 ] && nested_printf=$((nested_printf + 1))
  rm -rf "$d"
done
printf '| %-9s | completed | deadlock caught (exit 3) | other / hung |\n|---|---|---|---|\n' "$RUNS runs"
for mode in untraced traced; do
  printf '| %-9s | %9d | %24d | %12d |\n' "$mode" "${count[$mode,0]}" "${count[$mode,3]}" "${count[$mode,other]}"
done
[ "${count[untraced,other]}" -eq 0 ] && ok "untraced: every run completed or was caught by the watchdog" || ko "untraced runs ended otherwise"
[ "${count[traced,other]}" -eq 0 ] && ok "traced: every run completed or was caught (no hang, no crash added by the agent)" || ko "traced runs ended otherwise"
# with at most 20 runs each, "more hangs than untraced" is judged with slack: at most 3 more
if [ "${count[traced,3]}" -le $((count[untraced,3] + 3)) ]; then ok "traced hangs ${count[traced,3]} vs untraced ${count[untraced,3]}"; else ko "the agent made hangs more frequent: ${count[traced,3]} vs ${count[untraced,3]}"; fi
[ "$nested_printf" -gt 0 ] && ok "handler seen nested inside printf in $nested_printf of $RUNS traced runs" || ko "no traced run shows the handler inside printf"

# --malloc deadlocks in most runs, not all (the handler must hit main inside malloc or fork): every run must
# complete or be caught, at least one must deadlock, and every deadlocked trace must show the handler inside them.
caught=0; inside=0; other=0
for ((r = 1; r <= 5; r++)); do
  d="$TMP/malloc$r"
  s=$(one_run "$d" 2000 --malloc --timeout 3)
  case $s in
    3) caught=$((caught + 1))
       n=$(nested "$d"); m=${n#*malloc=}; m=${m%% *}; f=${n#*fork=}
       [ $((m + f)) -gt 0 ] && inside=$((inside + 1));;
    0) ;;
    *) other=$((other + 1)); echo "--malloc run $r: exit $s";;
  esac
  rm -rf "$d"
done
[ "$other" -eq 0 ] && [ "$caught" -ge 1 ] && ok "--malloc: $caught of 5 traced runs deadlocked and were caught, the rest completed" \
  || ko "--malloc: caught $caught, ended otherwise $other"
[ "$inside" -eq "$caught" ] && ok "--malloc: handler visible inside malloc or fork in all $caught deadlocked traces" \
  || ko "--malloc: handler inside malloc/fork in only $inside of $caught deadlocked traces"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
