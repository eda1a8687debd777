#!/usr/bin/env bash
# SpotBugs alone vs SpotBugs through Interleave, on the same compiled classes, in one run:
#   - SpotBugs alone: its own command line (edu.umd.cs.findbugs.FindBugs2 from the jar Interleave embeds,
#     -effort:max -low), a fresh JVM per run;
#   - through Interleave: `./interleave analyze --classes CLASSES SOURCES` (the same detectors, then the merge into
#     Interleave's findings), a fresh JVM per run;
#   - SpotBugs alone with the launcher's JVM options, and Interleave's one-file C analysis (its start-up);
#   - cold = the first run of each (JIT and class-data caches cold; the OS file cache may be warm), warm = the
#     median of the next N runs. Variants alternate per repetition so machine noise hits them alike.
# Writes a Markdown table to bench/results/spotbugs-DATE.md (or --out FILE) and prints it.
# Usage: bench/spotbugs.sh [--reps N] [--out FILE] [CLASSES SOURCES]   (default: the Java samples, reps 3)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
reps=3
out="$ROOT/bench/results/spotbugs-$(date -u +%Y-%m-%d).md"
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
classes=${1:-$ROOT/sample-servers/bin/java/classes}
sources=${2:-$ROOT/sample-servers/java}
make -s -C "$ROOT/sample-servers" java >/dev/null
# builds the engine and the SpotBugs bundle when needed (and checks the command works) before anything is timed
"$ROOT/interleave" analyze --classes "$classes" "$sources" >/dev/null 2>&1 || [ $? -eq 1 ] ||
  { echo "interleave analyze --classes failed" >&2; exit 2; }
for c in ${JAVA_HOME:-} /usr/lib/jvm/temurin-25-jdk-amd64; do [ -x "$c/bin/java" ] && JAVA="$c/bin/java" && break; done
LIB="$ROOT/plugin/interleave.spotbugs/lib"
CP=$(printf '%s:' "$LIB"/*.jar)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ms() { local t0 t1; t0=$(date +%s%N); "$@" >"$tmp/out" 2>&1 || true; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
alone() { "$JAVA" -Dslf4j.internal.verbosity=ERROR -cp "$CP" edu.umd.cs.findbugs.FindBugs2 \
  -effort:max -low -sourcepath "$sources" "$classes"; }
# the same, with the JVM options the launcher gives Interleave (serial GC, C1 only): separates their effect
alone_flags() { "$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dslf4j.internal.verbosity=ERROR -cp "$CP" \
  edu.umd.cs.findbugs.FindBugs2 -effort:max -low -sourcepath "$sources" "$classes"; }
# Interleave's own start and a one-file C analysis: what the command line costs without SpotBugs
c_only() { "$ROOT/interleave" analyze "$ROOT/sample-servers/echo-thread.c"; }
through() { "$ROOT/interleave" analyze --classes "$classes" "$sources"; }
# Interleave's Java front end and rules on the sources alone (no SpotBugs): its files/s, and SpotBugs' share by difference
java_only() { "$ROOT/interleave" analyze "$sources"; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

cold_alone=$(ms alone); alone_bugs=$(grep -c ' At ' "$tmp/out" || true)
cold_flags=$(ms alone_flags)
cold_through=$(ms through); through_findings=$(grep -c '\[spotbugs:' "$tmp/out" || true)
cold_c=$(ms c_only)
cold_java=$(ms java_only); java_findings=$(sed -n 's/^\([0-9]*\) finding(s).*/\1/p' "$tmp/out")
: >"$tmp/a"; : >"$tmp/f"; : >"$tmp/t"; : >"$tmp/c"; : >"$tmp/j"
for ((i = 0; i < reps; i++)); do
  if ((i % 2)); then ms through >>"$tmp/t"; ms alone_flags >>"$tmp/f"; ms alone >>"$tmp/a"
  else ms alone >>"$tmp/a"; ms alone_flags >>"$tmp/f"; ms through >>"$tmp/t"; fi
  ms c_only >>"$tmp/c"; ms java_only >>"$tmp/j"
done
warm_alone=$(median <"$tmp/a"); warm_flags=$(median <"$tmp/f"); warm_through=$(median <"$tmp/t")
warm_c=$(median <"$tmp/c"); warm_java=$(median <"$tmp/j")
njava=$(find "$sources" -name '*.java' | wc -l)
rate() { awk -v n="$njava" -v ms="$1" 'BEGIN {printf "%.1f", n * 1000 / ms}'; }
nclasses=$(find "$classes" -name '*.class' | wc -l)
{
  echo "# SpotBugs alone vs through Interleave ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`bench/spotbugs.sh --reps $reps\`. Classes: \`${classes#"$ROOT"/}\` ($nclasses class files);"
  echo "sources: \`${sources#"$ROOT"/}\`. Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "SpotBugs $(unzip -p "$LIB/spotbugs.jar" META-INF/MANIFEST.MF | sed -n 's/^Bundle-Version: //p' | tr -d '\r'),"
  echo "all its default detectors at \`-effort:max -low\` in both rows; Interleave keeps the multithreaded-correctness"
  echo "and resource findings and merges them into its own."
  echo
  echo "| variant | cold (ms) | warm, median of $reps (ms) | reported |"
  echo "|---|---|---|---|"
  echo "| SpotBugs alone (FindBugs2 command line) | $cold_alone | $warm_alone | $alone_bugs bug instances, all categories |"
  echo "| SpotBugs alone, launcher's JVM options (serial GC, C1 only) | $cold_flags | $warm_flags | same |"
  echo "| \`interleave analyze --classes\` | $cold_through | $warm_through | $through_findings SpotBugs findings left (threads, resources) after dropping those Interleave also reports |"
  echo "| \`interleave analyze SOURCES\`: Java front end and rules, no SpotBugs ($njava files) | $cold_java | $warm_java | $java_findings findings; $(rate "$cold_java") files/s cold, $(rate "$warm_java") warm (JVM start included) |"
  echo "| \`interleave analyze\` of one C file (no SpotBugs) | $cold_c | $warm_c | start-up of the command line alone |"
  echo
  echo "Each run is a fresh JVM (\"warm\": caches of the OS and the engine's class-data archive warm, the JIT not)."
  echo "SpotBugs' share of \`analyze --classes\` (which also runs the Java front end on SOURCES) is its time minus the"
  echo "Java-only row: warm $((warm_through - warm_java)) of $warm_through ms. Figures from a shared 2-core machine: compare"
  echo "within one run only."
} | tee "$out"
