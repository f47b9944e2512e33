#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What scripts parse: "ip -j -d link show" of ipvlan and ipvtap links.
# linkinfo must be exactly what stock ipvlan gives, for every mode and
# flag: {"info_kind": "ipvlan", "info_data": {"mode": M, F: true}}.
# Skipped without jq.
#
#   +------------- ns host -------------+   +--- ns other ---+
#   |  s0  s1 (ipvlan)   t0 (ipvtap)    |   |  s9 (ipvlan)   |
#   |   \   |   /                       |   +-------+--------+
#   |   eth0 (veth), master of all  <---------------+
#   +-------+---------------------------+
#           +---- peer0 in ns wire

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" other=""

require_root
require_cmd ip jq
ip -j link show lo >/dev/null 2>&1 || skip_all "ip has no JSON output (-j)"

# linkinfo NS DEV: DEV's linkinfo object, keys sorted, on one line.
linkinfo() {
	ip -n "$1" -j -d link show "$2" | jq -cS '.[0].linkinfo'
}

# want KIND MODE FLAG: the linkinfo stock ipvlan gives.
want() {
	jq -ncS --arg k "$1" --arg m "$2" --arg f "$3" \
		'{info_kind: $k, info_data: {mode: $m, ($f): true}}'
}

# Every flag in MODE, on a fresh slave each time.
test_mode() {
	local mode=$1
	local flag

	topo_wire
	for flag in bridge private vepa; do
		ip -n "$host" link add link eth0 name s0 type ipvlan \
			mode "$mode" "$flag"
		expect_eq "s0 ($mode $flag)" "$(linkinfo "$host" s0)" \
			"$(want ipvlan "$mode" "$flag")"
		ip -n "$host" link del s0
	done
}

# Neither mode nor flag given: l3 bridge.
test_default() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan
	expect_eq "s0 (no mode, no flag)" "$(linkinfo "$host" s0)" \
		"$(want ipvlan l3 bridge)"
}

# A changelink on one slave shows in every slave's JSON: the port's.
test_changelink() {
	local mode flag

	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l2
	for mode in l3 l3s l2; do
		for flag in vepa private bridge; do
			ip -n "$host" link set s1 type ipvlan mode "$mode" "$flag"
			expect_eq "s0 after s1 -> $mode $flag" \
				"$(linkinfo "$host" s0)" "$(want ipvlan "$mode" "$flag")"
			expect_eq "s1" "$(linkinfo "$host" s1)" \
				"$(want ipvlan "$mode" "$flag")"
		done
	done
}

# ipvtap: its own info_kind, the same info_data.
test_ipvtap() {
	local mode flag

	topo_wire
	for mode in l2 l3 l3s; do
		for flag in bridge private vepa; do
			ip -n "$host" link add link eth0 name t0 type ipvtap \
				mode "$mode" "$flag"
			expect_eq "t0 ($mode $flag)" "$(linkinfo "$host" t0)" \
				"$(want ipvtap "$mode" "$flag")"
			ip -n "$host" link del t0
		done
	done
}

# A slave in another namespace than its master: the same linkinfo, and
# the master named by index and netnsid.
test_other_netns() {
	local idx

	topo_wire
	make_ns other
	ip -n "$host" link add link eth0 name s9 netns "$other" type ipvlan \
		mode l2 private
	expect_eq "s9 in its namespace" "$(linkinfo "$other" s9)" \
		"$(want ipvlan l2 private)"
	idx=$(ip -n "$host" -j link show eth0 | jq '.[0].ifindex')
	expect_eq "s9's link_index, link_netnsid present" \
		"$(ip -n "$other" -j -d link show s9 |
		   jq -c '.[0] | [.link_index, has("link_netnsid")]')" "[$idx,true]"
}

# "type ipvlan" lists exactly the ipvlan slaves, not the master or ipvtap.
test_filter_kind() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l2
	ip -n "$host" link add link eth0 name t0 type ipvtap mode l2
	expect_eq "ip -j link show type ipvlan" \
		"$(ip -n "$host" -j -d link show type ipvlan |
		   jq -c '[.[] | [.ifname, .link, .linkinfo.info_kind]] | sort')" \
		'[["s0","eth0","ipvlan"],["s1","eth0","ipvlan"]]'
	expect_eq "ip -j link show type ipvtap" \
		"$(ip -n "$host" -j link show type ipvtap | jq -c '[.[].ifname]')" \
		'["t0"]'
}

ALL_TESTS=(
	"test_mode l2|l2: bridge, private, vepa as stock's JSON"
	"test_mode l3|l3: bridge, private, vepa as stock's JSON"
	"test_mode l3s|l3s: bridge, private, vepa as stock's JSON"
	"test_default|no mode or flag given: l3 bridge"
	"test_changelink|changelink on one slave shows in every slave's JSON"
	"test_ipvtap|ipvtap: info_kind ipvtap, the same info_data"
	"test_other_netns|slave in another netns: linkinfo, link_index and link_netnsid"
	"test_filter_kind|ip -j link show type ipvlan lists only ipvlan slaves"
)

run_all_tests "${ALL_TESTS[@]}"
