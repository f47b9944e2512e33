#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loading and unloading: "ip link add ... type ipvlan" loads the module,
# removing it deletes every slave in every namespace, even under traffic.
#
#   ns0: ipvl0 (l2) --+
#   ns1: ipvl1 (l3) --+-- eth0 (host) --- wire --- peer0 (wire)
#   host: ipvl2 (on a second master, eth1)

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" ns0="" ns1="" wire=""

require_root
require_cmd ip modprobe

setup() {
	topo_wire
	make_ns ns0 ns1
	ip -n "$wire" addr add 192.0.2.254/24 dev peer0
	ip -n "$host" link add link eth0 name ipvl0 type ipvlan mode l2
	ip -n "$host" link add link eth0 name ipvl1 type ipvlan mode l2
	ip -n "$host" link set ipvl0 netns "$ns0"
	ip -n "$host" link set ipvl1 netns "$ns1"
	ip -n "$ns0" addr add 192.0.2.10/24 dev ipvl0
	ip -n "$ns1" addr add 192.0.2.11/24 dev ipvl1
	ip -n "$ns0" link set ipvl0 up
	ip -n "$ns1" link set ipvl1 up
	ip -n "$host" link add eth1 type veth peer name peer1
	ip -n "$host" link add link eth1 name ipvl2 type ipvlan mode l3
}

unload() {
	for _ in $(seq 50); do
		modprobe -r ipvlan 2>/dev/null && return 0
		sleep 0.1
	done
	modprobe -r ipvlan
}

test_autoload() {
	unload
	setup
	ipvlan_loaded || fail "ipvlan not loaded by ip link add"
	ping_ok "$wire" 192.0.2.10
}

test_unload_with_slaves() {
	setup
	unload
	expect_eq "slaves in ns0" "$(link_count "$ns0")" 0
	expect_eq "slaves in ns1" "$(link_count "$ns1")" 0
	expect_eq "slaves in host" "$(link_count "$host")" 0
	ip -n "$host" link show eth0 >/dev/null
	ip -n "$host" link show eth1 >/dev/null
	# the masters are free for other drivers again
	ip -n "$host" link add link eth0 name mv0 type macvlan
}

test_unload_under_traffic() {
	local pid

	setup
	ip netns exec "$wire" ping -q -f -w 3 192.0.2.10 >/dev/null 2>&1 &
	pid=$!
	ip netns exec "$ns0" ping -q -f -w 3 192.0.2.11 >/dev/null 2>&1 &
	sleep 1
	unload
	wait "$pid" || true
	wait || true
	expect_eq "slaves in ns0" "$(link_count "$ns0")" 0
}

test_reload() {
	for _ in 1 2 3; do
		setup
		unload
		lib_cleanup
	done
	modprobe ipvlan
	ipvlan_loaded
}

ALL_TESTS=(
	"test_autoload|ip link add loads the module"
	"test_unload_with_slaves|module removal deletes slaves in every namespace"
	"test_unload_under_traffic|module removal under traffic"
	"test_reload|load, use and unload three times"
)

run_all_tests "${ALL_TESTS[@]}"
