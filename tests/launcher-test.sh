#!/usr/bin/env bash
# The ./interleave launcher end to end: finds a JDK, runs the engine, exit statuses 0/1/2 as documented.
set -uo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
FIX="$ROOT/tests/interleave.engine.tests/fixtures/c"
fail=0
check() {  # check EXPECTED_STATUS DESCRIPTION ARGS...
  local want=$1 what=$2; shift 2
  out=$("$ROOT/interleave" "$@" 2>&1); got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, wanted $want"; echo "$out" | tail -5; fail=1
  else
    echo "ok: $what"
  fi
}
# A fresh checkout (no bundle built yet) builds the engine itself: the README's first command depends on it. Run on
# a copy of the tracked files, so this tree's build outputs do not hide a launcher that cannot build.
fresh=$(mktemp -d)
git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 cp --parents -t "$fresh") 2>/dev/null
if [ -x "$fresh/interleave" ]; then
  fresh_out=$("$fresh/interleave" analyze "$fresh/sample-servers/echo-thread-stackarg.c" 2>&1); got=$?
  if [ "$got" -ne 1 ] || ! grep -q "stack-address-to-thread" <<<"$fresh_out"; then
    echo "FAIL: a fresh checkout's launcher did not build and analyze: exit $got"; tail -15 <<<"$fresh_out"; fail=1
  else
    echo "ok: a fresh checkout builds the engine and analyzes"
  fi
else
  echo "FAIL: could not copy the checkout to $fresh"; fail=1
fi
rm -rf "$fresh"
check 1 "findings exit 1" analyze "$FIX/stack-address-to-thread/bad-loop-counter.c"
check 0 "clean file exits 0" analyze "$FIX/stack-address-to-thread/good-malloc-per-thread.c"
check 2 "missing file exits 2" analyze /nonexistent/x.c
check 0 "rules lists the rules" rules
out=$("$ROOT/interleave" analyze "$FIX" 2>/dev/null)
# a here-string, not a pipe: with pipefail, grep -q ending early would fail the pipe on a long output
grep -qE '^.+\.c:[0-9]+:[0-9]+: error: .+ \[(stack-address-to-thread|unsafe-call-in-signal-handler)\]$' <<<"$out" \
  || { echo "FAIL: no compiler-style line in the output"; fail=1; }
# trace: a program that does not exist is a clear error; a real one leaves trace files
check 2 "trace of a missing program exits 2" trace -- no-such-program-xyz
run=$(mktemp -d)/run
check 0 "trace /bin/true exits with its status" trace --out "$run" -- /bin/true
ls "$run"/*.trace >/dev/null 2>&1 || { echo "FAIL: no trace file in $run"; fail=1; }
check 3 "trace keeps the program's exit status" trace --out "$run-2" -- sh -c "exit 3"
# a program still running at --timeout: stopped, its end time and its stacks kept in the run directory
check 124 "trace --timeout stops a program that runs too long" trace --timeout 1 --out "$run-hang" -- sleep 30
[ -f "$run-hang/interleave-run.properties" ] && ls "$run-hang"/stacks-*.txt >/dev/null 2>&1 \
  || { echo "FAIL: no end time or stacks after the time limit in $run-hang"; ls "$run-hang"; fail=1; }
pgrep -f "sleep 30" >/dev/null && pgrep -fa "sleep 30" | grep -q "$run-hang" && { echo "FAIL: sleep survived"; fail=1; }
# demo on two samples: the static finding and a traced run each
demo_out=$("$ROOT/interleave" demo --only race,echo-thread --out "$(dirname "$run")/demo" 2>&1)
echo "$demo_out" | grep -qE '^race +.*1 stack-address-to-thread +1 observed-argument-race$' \
  || { echo "FAIL: demo summary for race:"; echo "$demo_out" | tail -6; fail=1; }
echo "$demo_out" | grep -qE '^echo-thread +.* - +-$' \
  || { echo "FAIL: demo summary for echo-thread:"; echo "$demo_out" | tail -6; fail=1; }
grep -q "observed-argument-race" "$(dirname "$run")/demo/report.html" \
  || { echo "FAIL: the demo report lacks the observed race"; fail=1; }
# The Java samples end to end, sources (Java front end) and classes (SpotBugs) in one run: each buggy sample flagged by
# the rule of its bug, nothing on the correct ones, no bug said twice (a SpotBugs finding on a line Interleave flags
# for the same bug is dropped)
make -s -C "$ROOT/sample-servers" java >/dev/null
sb_out=$("$ROOT/interleave" analyze --classes "$ROOT/sample-servers/bin/java/classes" "$ROOT/sample-servers/java" 2>&1)
expect_java() {  # expect_java FILE RULE [FRAGMENT]: a finding of RULE in FILE (whose line says FRAGMENT)
  grep -E "/$1:[0-9]+:[0-9]+: (error|warning|note): .*\[$2\]$" <<<"$sb_out" | grep -qF -- "${3:-}" \
    || { echo "FAIL: no $2 in $1:"; echo "$sb_out" | tail -8; fail=1; }
}
expect_java EchoSharedHolder.java unintended-sharing "same Connection 'current'"
expect_java EchoPoolCounter.java unsynchronized-shared-write "'linesEchoed++'"
grep -qE '/EchoPoolCounter\.java:[0-9]+:[0-9]+: note: fix available: Make linesEchoed an AtomicLong' <<<"$sb_out" \
  || { echo "FAIL: no AtomicLong fix for the counter:"; echo "$sb_out" | grep EchoPoolCounter; fail=1; }
expect_java EchoNoClose.java accepted-socket-not-closed "never closed by 'EchoNoClose.serve'"
expect_java Deadlock.java lock-order-inversion "takes m2 and then m1"
for good in EchoThread EchoPool EchoNio SampleServer; do
  ! grep -qE "/$good\.java:[0-9]+:[0-9]+: (error|warning):" <<<"$sb_out" \
    || { echo "FAIL: a finding on the correct sample $good.java:"; grep "/$good\.java" <<<"$sb_out"; fail=1; }
done
# SpotBugs' own findings on these bugs are the same bugs: merged away, never a second line for one bug
! grep -qE '\[spotbugs:(AT_NONATOMIC_OPERATIONS_ON_SHARED_VARIABLE|SWL_SLEEP_WITH_LOCK_HELD)\]$' <<<"$sb_out" \
  || { echo "FAIL: a bug reported by both Interleave and SpotBugs:"; grep spotbugs <<<"$sb_out"; fail=1; }
[ "$(grep -cE ': (error|warning): ' <<<"$sb_out")" -eq "$(grep -E ': (error|warning): ' <<<"$sb_out" | cut -d: -f1,2 | sort -u | wc -l)" ] \
  || { echo "FAIL: two findings on one line:"; echo "$sb_out"; fail=1; }
sarif=$("$ROOT/interleave" analyze --format sarif --classes "$ROOT/sample-servers/bin/java/classes" "$ROOT/sample-servers/java" 2>/dev/null)
# SpotBugs is named as a tool extension (its findings here all merged into Interleave's); the rule table lists the
# Java front end's rules beside C's
grep -A3 '"extensions"' <<<"$sarif" | grep -q '"name": "SpotBugs"' && grep -q '"version": "4.10.4"' <<<"$sarif" \
  || { echo "FAIL: SARIF does not name SpotBugs"; fail=1; }
grep -q '"id": "accepted-socket-not-closed"' <<<"$sarif" && grep -q '"id": "lock-order-inversion"' <<<"$sarif" \
  && [ "$(grep -c '"ruleId"' <<<"$sarif")" -eq 5 ] \
  || { echo "FAIL: SARIF of the Java samples: rule table or results"; fail=1; }
# the Java samples in the demo: the Java front end's finding (SpotBugs' same bug merged away) and each run's symptom
jdemo=$("$ROOT/interleave" demo --only java/echo-pool-counter,java/deadlock --out "$(dirname "$run")/jdemo" 2>&1)
grep -qE '^java/echo-pool-counter .* 1 unsynchronized-shared-write .*echoed 100000 lines; the volatile counter says [0-9]+' <<<"$jdemo" \
  || { echo "FAIL: demo row of java/echo-pool-counter:"; echo "$jdemo" | tail -6; fail=1; }
grep -qE '^java/deadlock .*1 lock-order-inversion.* deadlocked: thread A holds m1 waits m2, thread B holds m2 waits m1 .*\(exit 3\)$' <<<"$jdemo" \
  || { echo "FAIL: demo row of java/deadlock:"; echo "$jdemo" | tail -6; fail=1; }
! grep -q '^Java analysis not installed' <<<"$jdemo" || { echo "FAIL: the demo says the Java front end is missing"; fail=1; }
check 2 "--classes of a missing folder exits 2" analyze --classes /nonexistent/classes "$ROOT/sample-servers/java"
# SpotBugs' patterns are checks of the one registry: listed, explained, switched off by the settings file and silenced
# by an interleave-ignore comment like Interleave's own rules
rules_out=$("$ROOT/interleave" rules 2>&1)
grep -qE '^  spotbugs:RU_INVOKE_RUN +warning +Invokes run on a thread' <<<"$rules_out" && grep -q '^Imported checks, Java:$' <<<"$rules_out" \
  || { echo "FAIL: rules does not list SpotBugs' patterns:"; tail -5 <<<"$rules_out"; fail=1; }
explain_out=$("$ROOT/interleave" explain spotbugs:RU_INVOKE_RUN 2>&1)
grep -q '^`spotbugs:RU_INVOKE_RUN` · found by SpotBugs' <<<"$explain_out" && grep -q '^## What SpotBugs says$' <<<"$explain_out" \
  || { echo "FAIL: explain spotbugs:RU_INVOKE_RUN:"; head -5 <<<"$explain_out"; fail=1; }
check 2 "explain of a pattern SpotBugs does not have exits 2" explain spotbugs:NO_SUCH_PATTERN
sbp=$(dirname "$run")/spotbugs-project
mkdir -p "$sbp/src" "$sbp/classes"
cat >"$sbp/src/Starter.java" <<'JAVA'
public class Starter {
    public static void main(String[] args) {
        Thread worker = new Thread(() -> System.out.println("working"));
        worker.run();
    }
}
JAVA
jdk=$(for c in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do [ -n "$c" ] && [ -x "$c/bin/javac" ] && { echo "$c"; break; }; done)
"$jdk/bin/javac" --release 21 -g -d "$sbp/classes" "$sbp/src/Starter.java" || { echo "FAIL: javac Starter.java"; fail=1; }
check 1 "SpotBugs' run() instead of start() is found" analyze --classes "$sbp/classes" "$sbp/src"
grep -qE 'Starter\.java:4:[0-9]+: warning: .*\[spotbugs:RU_INVOKE_RUN\]$' <<<"$out" \
  || { echo "FAIL: no RU_INVOKE_RUN on Starter.java:4:"; echo "$out"; fail=1; }
printf '# a pattern switched off\nspotbugs:RU_INVOKE_RUN = off\n' >"$sbp/.interleave"
check 0 "spotbugs:RU_INVOKE_RUN = off in .interleave turns it off" analyze --classes "$sbp/classes" "$sbp/src"
rm "$sbp/.interleave"
sed -i 's|worker.run();|worker.run(); // interleave-ignore: spotbugs:RU_INVOKE_RUN runs inline on purpose|' "$sbp/src/Starter.java"
check 0 "an interleave-ignore comment silences a SpotBugs finding" analyze --classes "$sbp/classes" "$sbp/src"
sarif=$("$ROOT/interleave" analyze --format sarif --classes "$sbp/classes" "$sbp/src" 2>/dev/null)
grep -q '"justification": "runs inline on purpose"' <<<"$sarif" && grep -q '"name": "RU_INVOKE_RUN"' <<<"$sarif" \
  || { echo "FAIL: SARIF lacks the suppressed SpotBugs result or its rule:"; echo "$sarif" | head -40; fail=1; }
rm -rf "$(dirname "$run")"
exit $fail
