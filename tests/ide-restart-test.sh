#!/usr/bin/env bash
# The ready product started by ./interleave ide: it is branded Interleave, has Help > Install New Software, and a
# restart brings it back. The product's check (-Dinterleave.productcheck) records each start, restarts after the first
# (File > Restart, exit code 23), switches workspace after the second (File > Switch Workspace, exit code 24 with a
# new command line) and closes after the third: the launcher's loop must start it three times, the last time in the
# new workspace, and end with 0.
set -uo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
PRODUCT="$ROOT/product/target/products/interleave.ide/linux/gtk/x86_64"
[ -d "$PRODUCT/plugins" ] || { echo "FAIL: no product in $PRODUCT (build first: ./mvnw verify)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check="$tmp/starts.txt"
display=()
[ -n "${DISPLAY:-}" ] || display=(xvfb-run -a -s "-screen 0 1600x1000x24")
# timeout signals its whole process group, so the JVM goes too if the product hangs
"${display[@]}" timeout -k 10 300 env INTERLEAVE_WORKSPACE="$tmp/workspace" \
  INTERLEAVE_JAVA_OPTS="-Dinterleave.productcheck=$check -Dinterleave.productcheck.switchto=$tmp/other" \
  "$ROOT/interleave" ide >"$tmp/log" 2>&1
rc=$?
fail=0
expect() {  # expect DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}
expect "the product ends with 0 after its restart (exit $rc)" test "$rc" -eq 0
starts=$(grep -c '^start ' "$check" 2>/dev/null || true)
expect "started three times: at first, after Restart, after Switch Workspace (started ${starts:-0})" \
  test "${starts:-0}" -eq 3
expect "the launcher said it restarts, once" test "$(grep -c '^interleave: restarting$' "$tmp/log")" -eq 1
expect "the launcher said it restarts in the new workspace, once" \
  test "$(grep -cF "interleave: restarting in $tmp/other" "$tmp/log")" -eq 1
expect "starts 1 and 2 in the first workspace" test "$(grep -cF $'\tworkspace='"$tmp/workspace"$'\t' "$check")" -eq 2
expect "start 3 in the workspace switched to" grep -qF $'\tworkspace='"$tmp/other"$'\t' "$check"
expect "no error in the check" bash -c "! grep -q '^error' '$check'"
for n in 1 2 3; do
  line=$(grep "^start $n	" "$check" 2>/dev/null || true)
  expect "start $n: product Interleave" grep -q $'\tproduct=interleave.ui.product|Interleave\t' <<<"$line"
  expect "start $n: About text and window icons" grep -q $'\tabout=true\twindowImages=true\t' <<<"$line"
  expect "start $n: Help > Install New Software" grep -q $'\tinstall=true\t' <<<"$line"
  expect "start $n: window title ends with Interleave" grep -qE $'\ttitle=.* - Interleave$' <<<"$line"
done
if [ "$fail" -ne 0 ]; then
  echo "--- starts:"; cat "$check" 2>/dev/null; echo "--- log (last 30 lines):"; tail -30 "$tmp/log"
fi
exit $fail
