#!/usr/bin/env bash
# test_check_layers.sh SCRIPT FIXTURES: scripts/check-layers on two tiny
# trees. clean/ (every include down or sideways within a folder, a missing
# sim/ and io/, a header of no library folder) passes silently; up/ fails
# and names exactly its three bad includes: core -> column, oscillations ->
# analysis (a level above), column -> a configure_file template in io/.
set -u
check=$1
fx=$2
fail=0
no() { echo "FAIL: $*"; fail=1; }

out=$("$check" --root "$fx/clean" 2>&1)
rc=$?
[ $rc -eq 0 ] || no "clean tree: exit $rc, want 0: $out"
[ -z "$out" ] || no "clean tree printed: $out"

out=$("$check" --root "$fx/up" 2>/dev/null)
rc=$?
[ $rc -eq 1 ] || no "up tree: exit $rc, want 1"
want='core/fx_core.h:3: core -> column (fx_col.h)
column/fx_io.c:2: column -> io (fx_commit.h)
oscillations/fx_clock.c:2: oscillations -> analysis (fx_spec.h)'
[ "$out" = "$want" ] || no "up tree printed:
$out
want:
$want"

out=$("$check" --root "$fx/clean" --list)
rc=$?
[ $rc -eq 0 ] || no "--list: exit $rc"
echo "$out" | grep -q '^cli  *-> oscillations  *1$' || no "--list lacks cli -> oscillations 1: $out"
echo "$out" | grep -q '^circuits  *-> core  *1$' || no "--list lacks circuits -> core 1: $out"
echo "$out" | grep -q 'UP' && no "--list marks an edge of the clean tree: $out"
echo "$out" | tail -1 | grep -q '^8 includes across folders, 0 of them breaking the order$' ||
  no "--list total: $out"

out=$("$check" --root "$fx/up" --list)
[ $? -eq 0 ] || no "--list of the up tree must exit 0"
echo "$out" | grep -q '^core  *-> column  *1  UP$' || no "--list does not mark core -> column: $out"

"$check" --root "$fx/none" >/dev/null 2>&1
[ $? -eq 2 ] || no "a missing root must exit 2"
[ $fail -eq 0 ] && echo "ok"
exit $fail
