#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The HOWTO's example with traffic: ns0 and ns1 reach each other, the
# router and a host beyond it, over IPv4 and IPv6, in L2 and L3 mode.
# Topology: see topo.sh.

set -e
cd "$(dirname "$0")"
. ./lib.sh
. ./topo.sh

require_root
require_cmd ip ping

pings_all() {
	local mode=$1
	local a4 a6

	a4=$(topo_addr4 "$mode" 11)
	a6=$(topo_addr6 "$mode" 11)
	ping_ok "$ns0" "$a4"
	ping_ok "$ns0" "$a6"
	ping_ok "$ns1" "$(topo_addr4 "$mode" 10)"
	ping_ok "$ns0" 192.0.2.254
	ping_ok "$ns0" 2001:db8:1::254
	ping_ok "$ns0" 203.0.113.1
	ping_ok "$ns0" 2001:db8:3::1
	ping_ok "$far" "$(topo_addr4 "$mode" 10)"
	ping_ok "$far" "$(topo_addr6 "$mode" 10)"
}

test_l2_pings() {
	topo_setup
	topo_slaves l2
	pings_all l2
}

test_l3_pings() {
	topo_setup
	topo_slaves l3
	pings_all l3
}

# L3 traffic is routed by the master's namespace: without the host's
# route to the far network, ns0 cannot reach it.
test_l3_routed_by_host() {
	topo_setup
	topo_slaves l3
	ping_ok "$ns0" 203.0.113.1
	topo_ip "$host" route del default via 192.0.2.254
	ping_fails "$ns0" 203.0.113.1
	topo_ip "$host" route add 203.0.113.0/24 via 192.0.2.254
	ping_ok "$ns0" 203.0.113.1
}

# Switching a running port between modes keeps slave-to-slave traffic.
test_mode_switch_live() {
	topo_setup
	topo_slaves l2
	ping_ok "$ns0" 192.0.2.11
	topo_ip "$ns1" link set ipvl1 type ipvlan mode l3
	ping_ok "$ns0" 192.0.2.11
	topo_ip "$ns1" link set ipvl1 type ipvlan mode l2
	ping_ok "$ns0" 192.0.2.11
}

# A slave that is down owns its address but receives nothing.
test_down_slave_unreachable() {
	topo_setup
	topo_slaves l2
	ping_ok "$ns1" 192.0.2.10
	topo_ip "$ns0" link set ipvl0 down
	ping_fails "$ns1" 192.0.2.10
	ping_fails "$router" 192.0.2.10
	topo_ip "$ns0" link set ipvl0 up
	topo_ip "$ns0" route add default via 192.0.2.254 2>/dev/null || true
	wait_for ping_ok "$router" 192.0.2.10
}

ktap_plan 5
run_test "l2: ns0, ns1, router and far host reach each other (v4, v6)" test_l2_pings
run_test "l3: ns0, ns1, router and far host reach each other (v4, v6)" test_l3_pings
run_test "l3: routed by the master's namespace" test_l3_routed_by_host
run_test "mode switch l2 -> l3 -> l2 keeps slave traffic" test_mode_switch_live
run_test "a down slave's address is not live" test_down_slave_unreachable
ktap_finish
