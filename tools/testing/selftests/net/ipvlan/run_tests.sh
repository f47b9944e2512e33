#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every ipvlan selftest (or those named) and count the KTAP results.
# Ends with the line "N passed, N failed, N skipped".

cd "$(dirname "$0")" || exit 1

# the Makefile's TEST_PROGS, the one list of the tests, in order
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	mapfile -t tests < <(sed -n '/^TEST_PROGS :=/,/^# end of TEST_PROGS/{
		s/^[[:space:]]*\([^[:space:]]*\.\(sh\|py\)\) \\$/\1/p; }' Makefile)
	[ ${#tests[@]} -gt 0 ] || { echo "no TEST_PROGS in Makefile" >&2; exit 1; }
fi

# each script's time limit, kselftest's: settings' timeout
limit=$(sed -n 's/^timeout=//p' settings)

passed=0
failed=0
skipped=0
for t in "${tests[@]}"; do
	echo "# ---- $t (ipvlan: ${IPVLAN:-ours})"
	start=$(date +%s)
	out=$(timeout -k 10 "${limit:-45}" ./"$t" 2>&1)
	rc=$?
	echo "$out"
	case "$rc" in
	124|137) echo "# $t: stopped after its ${limit:-45}s (settings' timeout)" ;;
	esac
	p=$(echo "$out" | grep -E '^ok [0-9]+' | grep -vc '# SKIP')
	s=$(echo "$out" | grep -cE '^ok [0-9]+ .*# SKIP|^1\.\.0 # SKIP')
	f=$(echo "$out" | grep -cE '^not ok [0-9]+')
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		echo "# $t exited $rc without a failing test"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	echo "# $t: $p passed, $f failed, $s skipped in $(($(date +%s) - start))s"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
