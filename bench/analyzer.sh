#!/usr/bin/env bash
# Static analyzer speed in one run, one table row per C project:
#   - files and lines (.c and .h);
#   - Interleave cold: `./interleave analyze DIR` wall time (a fresh JVM each time, as CI runs it), median of N;
#   - Interleave warm: the same analysis inside one JVM once the JIT is warm (AnalyzerBenchmark), median of N;
#   - re-analysis after one edited file with the trees of the others cached (what the IDE does on save);
#   - clang-tidy on the same .c files with its checks closest to Interleave's rules, 2 jobs, wall time;
# then the command line's own start-up (`interleave rules`, `interleave analyze` of one tiny file) and the
# re-analysis figure on a project of about 1,000 files (redis + lighttpd + memcached analyzed together).
# Variants are interleaved per repetition so machine noise hits them alike; the load average is printed: on a
# shared machine the figures are noisy, compare them within one run only.
# Usage: bench/analyzer.sh [--reps N] [--no-clang-tidy] [DIR...]   (default: the corpus projects + sample-servers)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
CORPUS=${INTERLEAVE_CORPUS:-/work/corpus}
reps=3
tidy=1
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --no-clang-tidy) tidy=0; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -gt 0 ]; then
  dirs=("$@")
else
  dirs=()
  for p in redis nginx lighttpd1.4 memcached; do [ -d "$CORPUS/$p" ] && dirs+=("$CORPUS/$p"); done
  dirs+=("$ROOT/sample-servers")
fi
say() { printf 'bench: %s\n' "$*" >&2; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN {printf "%.3f", e - s}'; }

"$ROOT/interleave" rules >/dev/null   # builds the engine if needed, outside the measurement
# the JDK the launcher picks (its find_jdk)
# shellcheck disable=SC1090
JAVA=$(. <(sed -n '/^java_major()/p;/^jdk_major()/,/^}/p;/^find_jdk()/,/^}/p' "$ROOT/interleave"); echo "$(find_jdk)/bin/java")
CP=""
for b in core c trace reports cli; do CP+="$ROOT/plugin/interleave.$b/target/classes:$ROOT/plugin/interleave.$b/lib/*:"; done

# clang-tidy: the newest installed; installed from Debian when missing and we may (said on stderr).
find_tidy() { for t in clang-tidy-19 clang-tidy-18 clang-tidy-17 clang-tidy-16 clang-tidy-15 clang-tidy-14 clang-tidy; do
  command -v "$t" >/dev/null && { command -v "$t"; return 0; }; done; return 1; }
TIDY=""
if [ "$tidy" = 1 ]; then
  if ! TIDY=$(find_tidy); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "clang-tidy is missing: installing clang-tidy-19 from Debian (apt-get install -y clang-tidy-19)..."
      { apt-get install -y -qq clang-tidy-19 || { apt-get update -qq && apt-get install -y -qq clang-tidy-19; } \
        || apt-get install -y -qq clang-tidy; } >/dev/null 2>&1 || true
    fi
    TIDY=$(find_tidy) || { say "no clang-tidy (install clang-tidy-19); its column stays empty"; TIDY=""; }
  fi
fi
checks=""
if [ -n "$TIDY" ]; then
  # the checks of this version that look for what Interleave's rules look for (signal handlers, thread-unsafe
  # calls, asynchronous cancellation, signals sent to the whole process, unsafe functions)
  want="bugprone-signal-handler cert-sig30-c concurrency-mt-unsafe concurrency-thread-canceltype-asynchronous"
  want="$want bugprone-bad-signal-to-kill-thread bugprone-unsafe-functions cert-err33-c"
  have=$("$TIDY" --list-checks -checks='*' 2>/dev/null | sed 's/^ *//')
  for c in $want; do grep -qx "$c" <<<"$have" && checks="$checks,$c"; done
  checks="-*$checks"
fi

# clang-tidy over one project's .c files: 2 jobs, -w, -I every folder of the project that holds headers.
run_tidy() {
  local dir=$1 out=$2 incs
  incs=$(find "$dir" -name '*.h' -not -path '*/.*' -printf '-I%h\n' | sort -u | tr '\n' ' ')
  # the files go before "--", the compiler's options after it
  find "$dir" -name '*.c' -not -path '*/.*' -print0 | xargs -0 -P 2 -n 4 bash -c \
    'tidy=$1 checks=$2 incs=$3; shift 3; "$tidy" --quiet -checks="$checks" "$@" -- -w $incs' _ \
    "$TIDY" "$checks" "$incs" >"$out" 2>/dev/null || true
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'int main(void) { return 0; }\n' >"$tmp/tiny.c"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average $load_before; $(nproc) cores; $reps repetitions; clang-tidy: ${TIDY:-none}"

# Start-up of the command line, interleaved with nothing else: median of 2N+1 (cheap).
su_rules=(); su_tiny=()
for ((r = 0; r < 2 * reps + 1; r++)); do
  s=$(now); "$ROOT/interleave" rules >/dev/null; e=$(now); su_rules+=("$(secs "$s" "$e")")
  s=$(now); "$ROOT/interleave" analyze "$tmp/tiny.c" >/dev/null 2>&1 || true; e=$(now); su_tiny+=("$(secs "$s" "$e")")
done

# Cold CLI and clang-tidy, interleaved per repetition; clang-tidy once per project (it is slow), in repetition 1.
declare -A cold tidy_s tidy_warn files lines
for d in "${dirs[@]}"; do
  files[$d]=$(find "$d" -name '*.[ch]' -not -path '*/.*' | wc -l)
  lines[$d]=$(find "$d" -name '*.[ch]' -not -path '*/.*' -print0 | xargs -0 cat | wc -l)
done
for ((r = 0; r < reps; r++)); do
  for d in "${dirs[@]}"; do
    s=$(now); "$ROOT/interleave" analyze "$d" >/dev/null 2>&1 || true; e=$(now)   # exit 1 = findings
    cold[$d]="${cold[$d]:-} $(secs "$s" "$e")"
    if [ "$r" = 0 ] && [ -n "$TIDY" ]; then
      s=$(now); run_tidy "$d" "$tmp/tidy.out"; e=$(now)
      tidy_s[$d]=$(secs "$s" "$e")
      tidy_warn[$d]=$(grep -c 'warning: .*\[' "$tmp/tidy.out" || true)
    fi
  done
done

# Warm, in one JVM per project (its first analysis there is printed too: parsing with a cold JIT).
declare -A warm
for d in "${dirs[@]}"; do
  warm[$d]=$("$JAVA" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp "$CP" \
    interleave.engine.analysis.AnalyzerBenchmark --reps "$reps" --edits 10 --tsv "$d" 2>/dev/null | tail -1)
done

echo
echo "Interleave $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores, load average" \
  "$load_before at the start; medians of $reps; ${TIDY:+$("$TIDY" --version | sed -n 's/.*version \([0-9.]*\).*/clang-tidy \1/p' | head -1), 2 jobs, checks $checks}"
echo
echo "| project | files | lines | findings | Interleave cold CLI (s) | files/s | lines/s | Interleave warm (s) | files/s | lines/s | re-analysis after 1 edit (ms) | clang-tidy .c files (s) | clang-tidy warnings |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for d in "${dirs[@]}"; do
  c=$(tr ' ' '\n' <<<"${cold[$d]}" | grep . | median)
  IFS=$'\t' read -r wf wl wfind wfirst wsec wfps wlps wre _ <<<"${warm[$d]:-}"
  printf '| %s | %s | %s | %s | %.2f | %.0f | %.0f | %s | %s | %s | %s | %s | %s |\n' "$(basename "$d")" \
    "${files[$d]}" "${lines[$d]}" "${wfind:-?}" "$c" \
    "$(awk -v f="${files[$d]}" -v t="$c" 'BEGIN {print f / t}')" \
    "$(awk -v f="${lines[$d]}" -v t="$c" 'BEGIN {print f / t}')" \
    "${wsec:-?}" "${wfps:-?}" "${wlps:-?}" "${wre:-?}" "${tidy_s[$d]:--}" "${tidy_warn[$d]:--}"
done

echo
printf '| start-up | median of %d (s) |\n|---|---|\n' $((2 * reps + 1))
printf '| `interleave rules` | %s |\n' "$(printf '%s\n' "${su_rules[@]}" | median)"
printf '| `interleave analyze tiny.c` (one 1-line file) | %s |\n' "$(printf '%s\n' "${su_tiny[@]}" | median)"

# About 1,000 files analyzed as one project with a ParseCache, then one file edited: median of 10 re-analyses.
big=()
for p in redis lighttpd1.4 memcached; do [ -d "$CORPUS/$p" ] && big+=("$CORPUS/$p"); done
if [ ${#big[@]} -gt 0 ]; then
  IFS=$'\t' read -r bf bl _ _ bsec _ _ bre bedits <<<"$("$JAVA" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED \
    -cp "$CP" interleave.engine.analysis.AnalyzerBenchmark --reps 1 --edits 10 --tsv "${big[@]}" 2>/dev/null | tail -1)"
  echo
  printf '| one project of %s files (%s lines: %s) | full analysis, warm (s) | re-analysis after 1 edit, median of %s (ms) |\n|---|---|---|\n' \
    "$bf" "$bl" "$(for b in "${big[@]}"; do basename "$b"; done | tr '\n' ' ' | sed 's/ $//')" "$bedits"
  printf '| | %s | %s |\n' "$bsec" "$bre"
fi
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: the figures are noisy)"
