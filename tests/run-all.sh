#!/usr/bin/env bash
# Runs every test of Interleave: the Maven/Tycho build with engine tests and UI tests in a real workbench (under Xvfb
# when there is no display), the update site and products, the install from the update site into a plain Eclipse,
# the launcher, the sample servers and the tracing agent. Ends with one "N passed, M failed" line.
set -uo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  for c in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-2[1-9]*; do
    [ -x "$c/bin/java" ] && export JAVA_HOME="$c" && break
  done
fi
echo "run-all: JAVA_HOME=${JAVA_HOME:-unset}"

passed=0; failed=0; failures=()
suite() {   # suite NAME COMMAND...
  local name=$1; shift
  echo "=== $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); echo "=== $name: PASS ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAIL ($((SECONDS - start)) s)"
  fi
}

with_display() {
  if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s "-screen 0 1600x1000x24" "$@"; fi
}

suite "maven build, engine and UI tests, update site, products" with_display ./mvnw -B verify
suite "install from the update site into a plain Eclipse" bash tests/install-from-update-site.sh
suite "launcher: ./interleave analyze" bash tests/launcher-test.sh
suite "the product: branding, Install New Software, File > Restart" bash tests/ide-restart-test.sh
suite "sample servers" bash sample-servers/tests/run-tests.sh
suite "tracing agent" bash agent/tests/run-tests.sh
suite "printf in a SIGCHLD handler, 20 runs untraced and traced" bash tests/printf-handler-runs.sh

echo
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
