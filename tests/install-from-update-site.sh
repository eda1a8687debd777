#!/usr/bin/env bash
# Installs Interleave the way a user does: from its update site into a plain Eclipse. Takes the interleave.base product
# (an Eclipse IDE built without Interleave), installs interleave.feature.feature.group from update-site/target/repository
# with the p2 director, then runs the installed plug-in's headless self check (-application interleave.ui.selfcheck:
# command contributed, analysis job on a buggy C program, markers, quick fix) and expects "SELFCHECK RESULT OK".
#
# Run after a full build:  ./mvnw -B verify   (under xvfb-run when there is no display), then  bash tests/install-from-update-site.sh
# Prints one "install-from-update-site: PASS" or "... FAIL: <why>" line; exit status 0 or 1. Everything happens in a
# temporary folder that is removed at the end (kept with INTERLEAVE_KEEP_TMP=1, to read its logs); each Eclipse run is
# limited to INTERLEAVE_INSTALL_TIMEOUT seconds (180).
set -uo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
BASE="$ROOT/product/target/products/interleave.base/linux/gtk/x86_64"
SITE="$ROOT/update-site/target/repository"
LIMIT=${INTERLEAVE_INSTALL_TIMEOUT:-180}
NAME=install-from-update-site

fail() {
  echo "$NAME: FAIL: $*"
  exit 1
}

for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$c" ] && [ -x "$c/bin/java" ]; then JAVA="$c/bin/java"; break; fi
done
[ -n "${JAVA:-}" ] || JAVA=$(command -v java) || fail "no Java found (set JAVA_HOME to a JDK 21 or newer)"
[ -d "$BASE/plugins" ] || fail "no base product at $BASE; build first: ./mvnw -B verify"
[ -f "$SITE/content.jar" ] || [ -f "$SITE/content.xml" ] || [ -f "$SITE/content.xml.xz" ] \
  || fail "no update site at $SITE; build first: ./mvnw -B verify"

TMP=$(mktemp -d -t interleave-install.XXXXXX) || fail "cannot create a temporary folder"
trap '[ -n "${INTERLEAVE_KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT
cp -a "$BASE" "$TMP/eclipse" || fail "cannot copy the base product to $TMP"
cd "$TMP/eclipse" || fail "cannot enter $TMP/eclipse"
LAUNCHER=$(ls plugins/org.eclipse.equinox.launcher_*.jar 2>/dev/null | head -n 1)
[ -n "$LAUNCHER" ] || fail "the base product has no plugins/org.eclipse.equinox.launcher_*.jar"

# The base product must not have Interleave yet, or the test proves nothing.
has_bundle() { compgen -G "plugins/$1_*" >/dev/null; }  # (ls | grep -q would trip pipefail with SIGPIPE)
if has_bundle interleave.ui; then
  fail "the base product already contains interleave.ui; the install would not be tested"
fi

# 1. install with the p2 director (the product's own p2: -data keeps its workspace in the temp folder)
echo "$NAME: installing interleave.feature.feature.group from $SITE"
timeout "$LIMIT" "$JAVA" -jar "$LAUNCHER" -nosplash -consolelog -data "$TMP/director-workspace" \
  -application org.eclipse.equinox.p2.director \
  -repository "file:$SITE" -installIU interleave.feature.feature.group >"$TMP/director.log" 2>&1
rc=$?
tail -n 5 "$TMP/director.log"
[ $rc -eq 124 ] && fail "the p2 director did not finish within $LIMIT s"
[ $rc -eq 0 ] || fail "the p2 director failed (exit $rc); its output: $(tail -n 20 "$TMP/director.log")"
has_bundle interleave.ui || fail "the director succeeded but plugins/ has no interleave.ui"
for b in interleave.core interleave.c interleave.trace interleave.reports interleave.cli; do
  has_bundle "$b" || fail "the director succeeded but plugins/ has no $b"
done

# 2. headless self check of the installed plug-in (under Xvfb when there is no display: the UI bundles load)
run_with_display() {
  if [ -n "${DISPLAY:-}" ]; then
    "$@"
  else
    command -v xvfb-run >/dev/null || fail "no DISPLAY and no xvfb-run (apt-get install xvfb xauth)"
    xvfb-run -a -s "-screen 0 1280x1024x24" "$@"
  fi
}
echo "$NAME: running -application interleave.ui.selfcheck"
run_with_display timeout "$LIMIT" "$JAVA" -jar "$LAUNCHER" -nosplash -consolelog -data "$TMP/selfcheck-workspace" \
  -application interleave.ui.selfcheck >"$TMP/selfcheck.log" 2>&1
rc=$?
grep '^SELFCHECK' "$TMP/selfcheck.log"
result=$(grep '^SELFCHECK RESULT' "$TMP/selfcheck.log" | tail -n 1)
if [ $rc -ne 0 ] || [[ "$result" != "SELFCHECK RESULT OK"* ]]; then
  echo "--- self check output (last 40 lines)"; tail -n 40 "$TMP/selfcheck.log"
  [ -f "$TMP/selfcheck-workspace/.metadata/.log" ] && { echo "--- workspace log"; tail -n 40 "$TMP/selfcheck-workspace/.metadata/.log"; }
  [ $rc -eq 124 ] && fail "the self check did not finish within $LIMIT s"
  fail "the self check ended with exit $rc and '${result:-no result line}'"
fi
echo "$NAME: PASS (${result#SELFCHECK RESULT })"
