#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Broadcast and multicast from the wire reach L2 slaves, and no L3 slave.
# The router pings the subnet broadcast, 224.0.0.1 and ff02::1 and counts
# who answers.  Topology: see topo.sh.

set -e
cd "$(dirname "$0")"
. ./lib.sh
. ./topo.sh

require_root
require_cmd ip ping

link_local() {
	topo_ip "$1" -6 addr show dev "$2" scope link |
		sed -n 's/.*inet6 \([^/]*\).*/\1/p'
}

test_l2_broadcast() {
	local got

	topo_setup
	topo_slaves l2
	got=$(responders "$router" -b 192.0.2.255)
	echo "$got" | grep -qx 192.0.2.10 || fail "ns0 missing: $got"
	echo "$got" | grep -qx 192.0.2.11 || fail "ns1 missing: $got"
	echo "$got" | grep -qx 192.0.2.1 || fail "host missing: $got"
}

test_l2_multicast() {
	local got ll0 ll1

	topo_setup
	topo_slaves l2
	got=$(responders "$router" -I eth0 224.0.0.1)
	echo "$got" | grep -qx 192.0.2.10 || fail "ns0 missing: $got"
	echo "$got" | grep -qx 192.0.2.11 || fail "ns1 missing: $got"
	ll0=$(link_local "$ns0" ipvl0)
	ll1=$(link_local "$ns1" ipvl1)
	[ -n "$ll0" ] && [ "$ll0" != "$ll1" ] ||
		fail "link-local addresses '$ll0' and '$ll1'"
	got=$(responders "$router" -6 ff02::1%eth0)
	echo "$got" | grep -qx "$ll0" || fail "ns0 ($ll0) missing: $got"
	echo "$got" | grep -qx "$ll1" || fail "ns1 ($ll1) missing: $got"
}

test_l3_no_multicast() {
	local got ll0

	topo_setup
	topo_slaves l3
	ping_ok "$router" 198.51.100.10
	got=$(responders "$router" -I eth0 224.0.0.1)
	if echo "$got" | grep -q 198.51.100; then
		fail "an l3 slave answered 224.0.0.1: $got"
	fi
	echo "$got" | grep -qx 192.0.2.1 || fail "host missing: $got"
	ll0=$(link_local "$ns0" ipvl0)
	got=$(responders "$router" -6 ff02::1%eth0)
	if [ -n "$ll0" ] && echo "$got" | grep -qx "$ll0"; then
		fail "an l3 slave answered ff02::1: $got"
	fi
}

ktap_plan 3
run_test "l2: broadcast reaches slaves and master" test_l2_broadcast
run_test "l2: IPv4 and IPv6 multicast reach slaves" test_l2_multicast
run_test "l3: no multicast reaches slaves" test_l3_no_multicast
ktap_finish
