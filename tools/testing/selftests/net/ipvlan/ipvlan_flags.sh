#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The port's flags with traffic: bridge switches slave-to-slave traffic
# inside the driver, private drops it, vepa sends it out through the
# master for the switch behind it to reflect back.  Flags belong to the
# port: a changelink on one slave shows on its siblings.
# Topology: see topo.sh; for vepa the router's eth0 becomes the port of a
# bridge in hairpin mode, the "external switch":
#
#   ns0 ipvl0 192.0.2.10 --+                +-- router -------------+
#                          +-- host eth0 ===|= eth0 (hairpin) - br0 |
#   ns1 ipvl1 192.0.2.11 --+                |   192.0.2.254 on br0  |
#                                           +-----------------------+

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" ns0="" ns1="" router=""

require_root
require_cmd ip ping

# rx_of NS DEV: packets DEV received.
rx_of() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}

shared_mac() {
	ip netns exec "$host" cat /sys/class/net/eth0/address
}

# ns0 and ns1 know each other's (shared) MAC without asking.
static_neighbours() {
	local mac

	mac=$(shared_mac)
	topo_ip "$ns0" neigh replace 192.0.2.11 lladdr "$mac" dev ipvl0 nud permanent
	topo_ip "$ns1" neigh replace 192.0.2.10 lladdr "$mac" dev ipvl1 nud permanent
}

# router_rx_during N: packets the router's eth0 receives while ns0 sends N
# pings to ns1 (after one warm-up ping, not counted).
router_rx_during() {
	local before after

	ip netns exec "$ns0" ping -q -c 1 -W 2 192.0.2.11 >/dev/null 2>&1 || true
	before=$(rx_of "$router" eth0)
	ip netns exec "$ns0" ping -q -c "$1" -i 0.1 -W 2 192.0.2.11 >/dev/null ||
		fail "ping -c $1 from ns0 to ns1 lost packets"
	after=$(rx_of "$router" eth0)
	echo $((after - before))
}

# bridge: switched inside the driver, nothing reaches the wire.
test_bridge() {
	local n

	topo_setup
	topo_slaves l2 bridge
	ping_ok "$ns0" 192.0.2.11
	ping_ok "$ns1" 192.0.2.10
	ping_ok "$ns0" 2001:db8:1::11
	n=$(router_rx_during 10)
	[ "$n" -lt 10 ] || fail "router received $n packets for 10 bridged pings"
}

# private: no unicast between slaves, even with the neighbours known;
# the master's side is still reachable.
test_private() {
	local mode

	for mode in l2 l3; do
		topo_setup
		topo_slaves "$mode" private
		static_neighbours 2>/dev/null || true
		ping_fails "$ns0" "$(topo_addr4 "$mode" 11)"
		ping_fails "$ns1" "$(topo_addr4 "$mode" 10)"
		ping_fails "$ns0" "$(topo_addr6 "$mode" 11)"
		ping_ok "$ns0" 192.0.2.254
		ping_ok "$ns1" 192.0.2.254
		ping_ok "$ns0" 2001:db8:1::254
		ping_ok "$ns0" 203.0.113.1
		ping_ok "$router" "$(topo_addr4 "$mode" 10)"
		lib_cleanup
	done
}

# Improvement: private also keeps a slave's broadcasts (here ARP requests)
# from its siblings: ns1 never hears of ns0.
test_private_broadcast() {
	local before after

	topo_setup
	topo_slaves l2 private
	ping_ok "$ns0" 192.0.2.254
	before=$(rx_of "$ns1" ipvl1)
	ping_fails "$ns0" 192.0.2.11
	after=$(rx_of "$ns1" ipvl1)
	if topo_ip "$ns1" neigh show 192.0.2.10 | grep -q .; then
		fail "ns1 learnt ns0 from its ARP request: $(topo_ip "$ns1" neigh show 192.0.2.10)"
	fi
	[ "$after" -eq "$before" ] ||
		fail "ipvl1 received $((after - before)) packets from a private sibling"
	# the same request does reach the router
	ping_ok "$ns0" 192.0.2.254
}

# The router's port becomes a hairpinning bridge port: the external switch.
router_hairpin_switch() {
	topo_ip "$router" link add br0 type bridge
	topo_ip "$router" addr flush dev eth0
	topo_ip "$router" link set eth0 master br0
	topo_ip "$router" link set br0 up
	topo_ip "$router" addr add 192.0.2.254/24 dev br0
	topo_ip "$router" addr add 2001:db8:1::254/64 dev br0 nodad
	topo_ip "$router" link set dev eth0 type bridge_slave hairpin "$1"
}

# vepa: ns0 -> ns1 goes out of the master and only works when the switch
# reflects it; bridge, on the same topology, keeps it off the wire.
test_vepa() {
	local n

	topo_setup
	router_hairpin_switch off
	topo_slaves l2 vepa
	static_neighbours
	wait_for ping_ok "$ns0" 192.0.2.254
	ping_fails "$ns0" 192.0.2.11
	topo_ip "$router" link set dev eth0 type bridge_slave hairpin on
	wait_for ping_ok "$ns0" 192.0.2.11
	n=$(router_rx_during 10)
	[ "$n" -ge 20 ] ||
		fail "router's eth0 received $n packets for 10 vepa pings, want >= 20"

	topo_ip "$ns1" link set ipvl1 type ipvlan mode l2 bridge
	n=$(router_rx_during 10)
	[ "$n" -lt 10 ] ||
		fail "router's eth0 received $n packets for 10 bridged pings"
}

# bcast_counter NS DEV: counts broadcast echo requests DEV receives from
# the wire or a sibling.  The sender's own local copy does not count: it
# has no Ethernet header, so "ether saddr" does not match it.
bcast_counter() {
	ip netns exec "$1" nft -f - <<-EOF
	table netdev t {
		counter bcast { }
		chain in {
			type filter hook ingress device $2 priority 0;
			ether saddr $(shared_mac) icmp type echo-request \
				meta pkttype broadcast counter name bcast
		}
	}
	EOF
}

bcast_count() {
	ip netns exec "$1" nft list counter netdev t bcast |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# copies_of_one_broadcast FLAG HAIRPIN: how many times ns0's one
# broadcast reaches ipvl0 and ipvl1, as "ipvl0 ipvl1".
copies_of_one_broadcast() {
	topo_setup
	router_hairpin_switch "$2"
	topo_slaves l2 "$1"
	bcast_counter "$ns0" ipvl0
	bcast_counter "$ns1" ipvl1
	ip netns exec "$ns0" ping -q -b -c 1 -W 1 192.0.2.255 >/dev/null 2>&1 || true
	sleep 0.5
	echo "$(bcast_count "$ns0") $(bcast_count "$ns1")"
	lib_cleanup
}

# A slave's broadcast reaches each sibling once and never its sender, also
# when the switch on the wire reflects it (hairpin): reflected frames from
# the port's own slaves are recognised by the shared source MAC and a
# slave's source address.
test_bridge_broadcast_once() {
	expect_eq "copies at (sender, sibling), no hairpin" \
		"$(copies_of_one_broadcast bridge off)" "0 1"
	expect_eq "copies at (sender, sibling), hairpin" \
		"$(copies_of_one_broadcast bridge on)" "0 1"
}

# vepa: the switch decides; with a hairpin the sibling hears the sender
# once.  Without one, ours delivers nothing between slaves, broadcast as
# unicast; stock copies the broadcast to the siblings itself.
test_vepa_broadcast_once() {
	local without=0

	improvement || without=1
	expect_eq "copies at (sender, sibling), hairpin" \
		"$(copies_of_one_broadcast vepa on)" "0 1"
	expect_eq "copies at (sender, sibling), no hairpin" \
		"$(copies_of_one_broadcast vepa off)" "0 $without"
}

# Improvement: private, even through a hairpin: no sibling hears it.
test_private_broadcast_hairpin() {
	expect_eq "copies at (sender, sibling), hairpin" \
		"$(copies_of_one_broadcast private on)" "0 0"
}

# dad_over NS ADDR: ipvl0's ADDR is no longer tentative, or DAD failed.
dad_over() {
	local state

	state=$(topo_ip "$1" -6 addr show dev ipvl0 | grep "$2")
	case "$state" in
	*dadfailed* | "") return 0 ;;
	*tentative*) return 1 ;;
	esac
}

# IPv6 DAD without nonces (enhanced_dad=0) succeeds behind a hairpinning
# switch: the slave's own probe, reflected, is not taken for another
# node's.
test_dad_behind_hairpin() {
	local flag state

	for flag in bridge vepa; do
		topo_setup
		router_hairpin_switch on
		topo_slaves l2 "$flag"
		ip netns exec "$ns0" sysctl -qw net.ipv6.conf.all.enhanced_dad=0 \
			net.ipv6.conf.ipvl0.enhanced_dad=0 \
			net.ipv6.conf.ipvl0.accept_dad=1
		topo_ip "$ns0" addr add 2001:db8:1::20/64 dev ipvl0
		wait_for dad_over "$ns0" 2001:db8:1::20 || true
		state=$(topo_ip "$ns0" -6 addr show dev ipvl0 | grep 2001:db8:1::20)
		case "$state" in
		*dadfailed*) fail "$flag: DAD failed on the slave's own probe: $state" ;;
		*tentative*) fail "$flag: DAD did not end: $state" ;;
		esac
		lib_cleanup
	done
}

flags_of() {
	ip -n "$1" -d link show "$2" | grep -o "ipvlan  mode [a-z0-9]* [a-z]*"
}

# A changelink of the flags on ipvl1 shows on ipvl0, and behaves so.
test_changelink_flags_port() {
	local flag

	topo_setup
	topo_slaves l2 bridge
	for flag in private vepa bridge private bridge; do
		topo_ip "$ns1" link set ipvl1 type ipvlan mode l2 "$flag"
		expect_eq "ipvl0 after ipvl1 -> $flag" "$(flags_of "$ns0" ipvl0)" \
			"ipvlan  mode l2 $flag"
		expect_eq "ipvl1" "$(flags_of "$ns1" ipvl1)" "ipvlan  mode l2 $flag"
	done
	static_neighbours
	ping_ok "$ns0" 192.0.2.11
	topo_ip "$ns0" link set ipvl0 type ipvlan mode l2 private
	expect_eq "ipvl1 after ipvl0 -> private" "$(flags_of "$ns1" ipvl1)" \
		"ipvlan  mode l2 private"
	ping_fails "$ns0" 192.0.2.11
	topo_ip "$ns0" link set ipvl0 type ipvlan mode l2 bridge
	ping_ok "$ns0" 192.0.2.11
}

ALL_TESTS=(
	"test_bridge|bridge: slaves reach each other, nothing on the wire"
	"test_private|private: no slave-to-slave unicast, outside still reachable (l2, l3)"
	"improvement test_private_broadcast|private: a slave's broadcast ARP does not reach its sibling"
	"test_vepa|vepa: slave-to-slave goes through the wire, needs the hairpin"
	"test_changelink_flags_port|changelink of the flags on one slave changes the port"
	"test_bridge_broadcast_once|bridge: a broadcast reaches the sibling once, not the sender, with or without hairpin"
	"test_vepa_broadcast_once|vepa: a broadcast reaches the sibling once through a hairpin, never the sender"
	"improvement test_private_broadcast_hairpin|private: a broadcast reflected by a hairpin reaches no sibling"
	"test_dad_behind_hairpin|IPv6 DAD (enhanced_dad=0) succeeds behind a hairpinning switch"
)

run_all_tests "${ALL_TESTS[@]}"
