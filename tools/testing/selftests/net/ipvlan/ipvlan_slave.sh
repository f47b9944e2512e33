#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rules for slaves: their MAC is the master's and cannot be changed, an
# MTU given at creation is kept, each gets its own dev_id and IPv6
# link-local address, and a slave may be created straight into, or moved
# to, another namespace and keeps working there, naming its master's
# namespace in "ip -d link show".
#
#   +----- ns0 -----+   +----- ns1 -----+
#   | s0 192.0.2.10 |   | s0 (moved)    |
#   +-------#-------+   +-------#-------+
#           #####################
#   +-------#------- ns host ------------+
#   |  eth0 (veth)  s0 s1 s2 ...         |
#   +-------#----------------------------+
#           #  (veth: the wire)
#   +-------#------- ns wire ------------+
#   |    peer0 192.0.2.254               |
#   +------------------------------------+
#
# A slave as VLAN lower, bridge port or macvlan lower: see ipvlan_basic.sh.

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" wire=""

require_root
require_cmd ip ping python3

sysfs() {
	ip netns exec "$1" cat "/sys/class/net/$2/$3"
}

# The slave's MAC is the master's: setting it fails and changes nothing.
test_mac_change_refused() {
	local mac

	topo_wire
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l2
	mac=$(sysfs "$host" s0 address)
	expect_error "Operation not supported|Error: " \
		ip -n "$host" link set s0 address 02:12:34:56:78:9a
	expect_eq "s0 MAC after a refused change" "$(sysfs "$host" s0 address)" "$mac"
	ip -n "$host" link set s0 up
	expect_error "Operation not supported|Error: " \
		ip -n "$host" link set s0 address 02:12:34:56:78:9a
	expect_errno "$host" EOPNOTSUPP set --name s0 --kind "" \
		--address 02:12:34:56:78:9a
	expect_eq "s0 MAC after refused changes" "$(sysfs "$host" s0 address)" "$mac"
	expect_eq "eth0 MAC" "$(sysfs "$host" eth0 address)" "$mac"
}

# An MTU given at creation is the slave's MTU; the master's is untouched.
test_mtu_at_create() {
	topo_wire
	ip -n "$host" link add link eth0 name s0 mtu 1400 type ipvlan mode l2
	expect_eq "s0 MTU" "$(sysfs "$host" s0 mtu)" 1400
	expect_eq "eth0 MTU" "$(sysfs "$host" eth0 mtu)" 1500
	ip -n "$host" link add link eth0 name s1 type ipvlan mode l2
	expect_eq "s1 MTU" "$(sysfs "$host" s1 mtu)" 1500
	ipvlan_nl "$host" new --link eth0 --name s2 --mtu 1300 --mode 0 >/dev/null
	expect_eq "s2 MTU" "$(sysfs "$host" s2 mtu)" 1300
}

# link_locals NS: the IPv6 link-local addresses of NS's ipvlan slaves.
link_locals() {
	ip -n "$1" -6 -o addr show scope link |
		awk '$2 ~ /^s[0-9]/ { print $4 }' | sort -u
}

has_n_link_locals() {
	[ "$(link_locals "$1" | wc -l)" -eq "$2" ]
}

# Three slaves: three dev_ids and three link-local addresses, all distinct.
test_distinct_ids() {
	local i ids

	topo_wire
	for i in 0 1 2; do
		ip -n "$host" link add link eth0 name "s$i" type ipvlan mode l2
		ip -n "$host" link set "s$i" up
	done
	ids=$(for i in 0 1 2; do sysfs "$host" "s$i" dev_id; done | sort -u)
	expect_eq "distinct dev_ids (${ids//$'\n'/ })" "$(echo "$ids" | wc -l)" 3
	echo "$ids" | grep -qx 0x0 && fail "a slave has dev_id 0x0: ${ids//$'\n'/ }"
	wait_for has_n_link_locals "$host" 3 ||
		fail "link-local addresses: $(link_locals "$host" | tr '\n' ' ')"
}

# show_names_master_netns NS DEV MASTER_IFINDEX: "ip -d link show" of a
# slave in another netns than its master shows @ifN and the link netns.
shows_master_netns() {
	local out

	out=$(ip -n "$1" -d link show "$2")
	echo "$out" | grep -q "$2@if$3:" ||
		fail "no $2@if$3 in: $out"
	echo "$out" | grep -Eq "link-netns(id)? " ||
		fail "no link-netns/link-netnsid in: $out"
}

# A slave made straight into ns0 works there, and after moves.
test_create_in_netns() {
	local ns0 ns1 idx

	topo_wire
	make_ns ns0
	make_ns ns1
	ip -n "$wire" addr add 192.0.2.254/24 dev peer0
	idx=$(sysfs "$host" eth0 ifindex)
	ip -n "$host" link add link eth0 name s0 netns "$ns0" type ipvlan mode l2
	expect_eq "slaves in host" "$(link_count "$host")" 0
	expect_eq "slaves in ns0" "$(link_count "$ns0")" 1
	shows_master_netns "$ns0" s0 "$idx"
	ip -n "$ns0" -d link show s0 | grep -q "ipvlan  mode l2 bridge" ||
		fail "s0 details: $(ip -n "$ns0" -d link show s0)"
	ip -n "$ns0" link set s0 up
	ip -n "$ns0" addr add 192.0.2.10/24 dev s0
	wait_for ping_ok "$ns0" 192.0.2.254

	# on to ns1, then home to the master's namespace
	ip -n "$ns0" link set s0 netns "$ns1"
	ip -n "$ns1" link set s0 up
	ip -n "$ns1" addr add 192.0.2.10/24 dev s0
	wait_for ping_ok "$ns1" 192.0.2.254
	ip -n "$ns1" link set s0 netns "$host"
	ip -n "$host" link set s0 up
	ip -n "$host" addr add 192.0.2.10/24 dev s0
	wait_for ping_ok "$host" 192.0.2.254
}

# "ip -d link show" names the master's netns only when it is elsewhere.
test_link_netns_shown() {
	local ns0 idx

	topo_wire
	make_ns ns0
	idx=$(sysfs "$host" eth0 ifindex)
	ip -n "$host" link add link eth0 name s0 type ipvlan mode l3
	ip -n "$host" -d link show s0 | grep -q "s0@eth0:" ||
		fail "s0 in host: $(ip -n "$host" -d link show s0)"
	if ip -n "$host" -d link show s0 | grep -Eq "link-netns(id)? "; then
		fail "s0 in its master's netns names a link netns: $(ip -n "$host" -d link show s0)"
	fi
	ip -n "$host" link set s0 netns "$ns0"
	shows_master_netns "$ns0" s0 "$idx"
	ip -n "$ns0" -d link show s0 | grep -q "ipvlan  mode l3 bridge" ||
		fail "s0 details: $(ip -n "$ns0" -d link show s0)"
}

ALL_TESTS=(
	"test_mac_change_refused|slave MAC change refused (EOPNOTSUPP), MAC unchanged"
	"test_mtu_at_create|IFLA_MTU honoured at creation"
	"test_distinct_ids|3 slaves: distinct dev_id and IPv6 link-local"
	"test_create_in_netns|slave created into another netns works, and after moves"
	"test_link_netns_shown|ip -d link shows @ifN and link-netns for a slave elsewhere"
)

run_all_tests "${ALL_TESTS[@]}"
