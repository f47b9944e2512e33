#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IFLA_IPVLAN_MODE and IFLA_IPVLAN_FLAGS over raw rtnetlink: the values
# iproute2 cannot send, and what the kernel answers.
#
#   +------------- ns host -------------+
#   |  s0 (ipvlan) -- eth0 (veth) ---------- peer0 in ns wire
#   +-----------------------------------+

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host=""

require_root
require_cmd ip python3

test_good_values() {
	local mode flags

	topo_wire
	# improvement: 4 is host reach, alone or with private
	for mode in 0 1; do
		for flags in 0 1 2 $(improvement && echo 4 5); do
			ipvlan_nl "$host" new --name s0 --link eth0 \
				--mode $mode --flags "$flags" >/dev/null ||
				fail "mode $mode flags $flags refused"
			ip -n "$host" link del s0
		done
	done
}

test_bad_mode() {
	local mode

	topo_wire
	for mode in 3 4 0x100 0xffff; do
		expect_errno "$host" EINVAL new --name s0 --link eth0 --mode $mode
	done
	expect_eq "ipvlan links" "$(link_count "$host")" 0
}

test_bad_flags() {
	local flags

	topo_wire
	for flags in 3 $(improvement || echo 4) 6 7 0x8 0x80 0x8000 0xffff; do
		expect_errno "$host" EINVAL new --name s0 --link eth0 --mode 0 \
			--flags "$flags"
	done
	expect_eq "ipvlan links" "$(link_count "$host")" 0
}

test_bad_changelink() {
	topo_wire
	ipvlan_nl "$host" new --name s0 --link eth0 --mode 0 >/dev/null
	expect_errno "$host" EINVAL set --name s0 --mode 3
	expect_errno "$host" EINVAL set --name s0 --flags 3
	ip -n "$host" -d link show s0 | grep -q "mode l2 bridge" ||
		fail "a refused changelink changed the port"
}

# Improvement: the refusals say why; unknown flags in the words of the
# kernel's attribute policy.
test_bad_values_explained() {
	local out

	topo_wire
	out=$(ipvlan_nl "$host" new --name s0 --link eth0 --mode 7) || true
	echo "$out" | grep -q "mode" || fail "no message for mode 7: $out"
	out=$(ipvlan_nl "$host" new --name s0 --link eth0 --flags 8) || true
	echo "$out" | grep -q "reserved bit" ||
		fail "no message for flags 8: $out"
	out=$(ipvlan_nl "$host" new --name s0 --link eth0 --flags 3) || true
	echo "$out" | grep -q "private and vepa" ||
		fail "no message for flags 3: $out"
}

ALL_TESTS=(
	"test_good_values|valid mode and flags values accepted"
	"test_bad_mode|mode >= 3 refused with EINVAL"
	"test_bad_flags|unknown flag bits or private|vepa refused with EINVAL"
	"test_bad_changelink|changelink with bad values refused, port unchanged"
	"improvement test_bad_values_explained|bad values refused with an extack message"
)

run_all_tests "${ALL_TESTS[@]}"
