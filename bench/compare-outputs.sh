#!/usr/bin/env bash
# Runs `report --format text`, `report --format html` and `export --perfetto` of two builds of the command line on
# the same run directories and compares every output (and stderr) byte for byte.
#
#   bench/compare-outputs.sh BEFORE_CP AFTER_CP OUT_DIR RUN_DIR...
#
# BEFORE_CP / AFTER_CP: the engine's class path of each build (classes folders and lib jars, ':'-separated).
# Each run's outputs go to OUT_DIR/{before,after}/NAME.*; the differences are listed, and the exit status is the
# number of runs that differ (0: all identical). The HTML names the run directory: both builds read the same one.
set -uo pipefail
[ $# -ge 4 ] || { echo "usage: $0 BEFORE_CP AFTER_CP OUT_DIR RUN_DIR..." >&2; exit 2; }
BEFORE=$1 AFTER=$2 OUT=$3
shift 3
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
mkdir -p "$OUT/before" "$OUT/after"

run() { # CP DEST NAME DIR
  local cp=$1 dest=$2 name=$3 dir=$4
  local j=("$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp "$cp"
    interleave.engine.cli.Main)
  "${j[@]}" report --format text "$dir" >"$dest/$name.txt" 2>"$dest/$name.txt.err"
  echo "status $?" >>"$dest/$name.txt.err"
  "${j[@]}" report --format html -o "$dest/$name.html" "$dir" >/dev/null 2>"$dest/$name.html.err"
  echo "status $?" >>"$dest/$name.html.err"
  "${j[@]}" export --perfetto -o "$dest/$name.perfetto.json" "$dir" >/dev/null 2>"$dest/$name.perfetto.err"
  # the export names its output file on stderr: the same for both builds once the folder is taken out
  sed -i "s#$dest/##" "$dest/$name.perfetto.err" "$dest/$name.html.err"
}

differ=0
for dir in "$@"; do
  name=$(basename "$dir")
  run "$BEFORE" "$OUT/before" "$name" "$dir"
  run "$AFTER" "$OUT/after" "$name" "$dir"
  bad=""
  for f in "$OUT/before/$name".*; do
    g="$OUT/after/$(basename "$f")"
    cmp -s "$f" "$g" || bad="$bad $(basename "$f")"
  done
  if [ -n "$bad" ]; then
    echo "DIFFERS $name:$bad"
    differ=$((differ + 1))
  else
    echo "same    $name ($(wc -c <"$OUT/after/$name.html") bytes of HTML)"
  fi
done
echo "$differ of $# runs differ"
exit "$differ"
