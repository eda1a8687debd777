#!/usr/bin/env bash
# Timeline view speed on a run of about a million events (issue 12): a real run of bench/timeline-load.c
# recorded by the agent, opened in the Concurrency Timeline of a real workbench under Xvfb
# (tests/interleave.ui.tests/.../TimelineSpeedBench): open to first painted frame, repaint after pan and
# zoom (median, p95), and zoom until a freshly queried frame is painted. Measures, never asserts.
#
# usage: bench/timeline.sh [--threads N] [--calls N] [--dir DIR] [--out FILE | --no-save]
#   --threads N, --calls N   timeline-load's writer threads and calls per thread (default 4 62500: ~1,000,000 events)
#   --dir DIR                where the run directory goes (default /dev/shm)
#   --out FILE               Markdown result file (default bench/results/timeline-<date>.md); --no-save: stdout only
# Needs gcc, make, xvfb-run and the Maven build's offline repository (as the UI tests do).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
threads=4 calls=62500 base=/dev/shm out="$here/results/timeline-$(date -u +%Y-%m-%d).md" save=1
while [ $# -gt 0 ]; do
    case "$1" in
    --threads) threads=$2; shift 2 ;;
    --calls) calls=$2; shift 2 ;;
    --dir) base=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-save) save=0; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "timeline.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
command -v xvfb-run >/dev/null || { echo "timeline.sh: needs xvfb-run (apt-get install xvfb)" >&2; exit 2; }
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

work=$(mktemp -d "$base/timeline-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
make -s -C "$repo/agent" >/dev/null
gcc -O2 -g -pthread -o "$work/timeline-load" "$here/timeline-load.c"
INTERLEAVE_TRACE_DIR="$work/run" LD_PRELOAD="$repo/agent/build/libinterleave-agent.so" \
    "$work/timeline-load" "$threads" "$calls"
echo "recorded $(du -sh "$work/run" | cut -f1) in $work/run" >&2

figures="$work/figures.txt"
(cd "$repo" && xvfb-run -a -s "-screen 0 1600x1000x24" ./mvnw -B -q -o \
    -pl plugin/interleave.trace,plugin/interleave.ui,tests/interleave.ui.tests -am verify \
    -Dtest=TimelineSpeedBench -Dsurefire.failIfNoSpecifiedTests=false \
    "-Dtycho.testArgLine=-Dinterleave.bench.run=$work/run -Dinterleave.bench.out=$figures") >"$work/maven.log" 2>&1 || {
    tail -40 "$work/maven.log" >&2; echo "timeline.sh: the benchmark failed (log above)" >&2; exit 1; }
[ -s "$figures" ] || { echo "timeline.sh: no figures written" >&2; exit 1; }

# the same run read and modelled on the command line, without the workbench (best of 5 after a warm-up)
engine=$("$JAVA_HOME/bin/java" -cp "$repo/plugin/interleave.core/target/classes:$repo/plugin/interleave.trace/target/classes" \
    interleave.engine.trace.ReadBenchmark "$work/run" 5 2>&1 || true)

report() {
    echo "# Timeline view speed ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/timeline.sh --threads $threads --calls $calls\`: a run of \`bench/timeline-load $threads $calls\` recorded by the"
    echo "agent into \`$base\`, opened in the Concurrency Timeline of a workbench under Xvfb (1600x1000, the view"
    echo "filling the window). $(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo '```'
    cat "$figures"
    echo '```'
    echo
    echo "The same run read and modelled without the workbench (\`ReadBenchmark\`, best of 5; no addr2line, no detectors):"
    echo
    echo '```'
    echo "$engine"
    echo '```'
}
if [ $save = 1 ]; then
    mkdir -p "$(dirname "$out")"
    report >"$out"
    echo "written to $out" >&2
fi
report
