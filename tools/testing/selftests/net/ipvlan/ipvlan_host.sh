#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host reach: the host, on the master, and its slaves reach each other
# inside the machine, by ping, TCP and UDP, IPv4 and IPv6, in l2, l3 and
# l3s, when the host turns it on (bit 0x4 of IFLA_IPVLAN_FLAGS); with it
# off, every check fails as it does with Linux's own ipvlan.
#
#   +---- ns0 ----+  +---- ns1 ----+
#   |    ipvl0    |  |    ipvl1    |       +------- far -------+
#   +------#------+  +------#------+       |  eth0 203.0.113.1 |
#          #################               +---------#---------+
#   +------#------ host -----------+       +---------#---------+
#   |     eth0 192.0.2.1           |       |  eth1 203.0.113.254
#   |          2001:db8:1::1       |       |                   |
#   +------#-----------------------+       |  eth0 192.0.2.254 |
#          #------------------------------->  (counts what the |
#                  (veth: the wire)        +---- router ------+ host sends)
#
# L2 slaves: 192.0.2.10/11, 2001:db8:1::10/11.  L3 and L3S slaves:
# 198.51.100.10/11, 2001:db8:2::10/11, which the host routes through eth0.

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
far="" host="" ns0="" ns1="" router=""

require_root
require_cmd ip nft python3

REACH="$IPVLAN_SELFTESTS/ipvlan_reach.py"

mode_num() {
	case "$1" in
	l2) echo 0 ;;
	l3) echo 1 ;;
	l3s) echo 2 ;;
	esac
}

# host_setup MODE: the topology, the host's routes for L3 slaves, and a
# counter on the wire's side of everything between the host and ns0.
host_setup() {
	local mode=$1
	local s4 s6

	topo_setup
	topo_slaves "$mode"
	s4=$(topo_addr4 "$mode" 10)
	s6=$(topo_addr6 "$mode" 10)
	if [ "$mode" != l2 ]; then
		in_ns "$host" <<-EOF
		route add 198.51.100.0/24 dev eth0
		route add 2001:db8:2::/64 dev eth0
		EOF
	fi
	ip netns exec "$router" nft -f - <<-EOF
	table netdev ipvlw {
		set a4 { type ipv4_addr; elements = { 192.0.2.1, $s4 } }
		set a6 { type ipv6_addr; elements = { 2001:db8:1::1, $s6 } }
		counter seen { }
		chain in {
			type filter hook ingress device "eth0" priority 0;
			arp saddr ip @a4 counter name "seen"
			arp daddr ip @a4 counter name "seen"
			ip saddr @a4 ip daddr @a4 counter name "seen"
			ip6 saddr @a6 ip6 daddr @a6 counter name "seen"
			icmpv6 type nd-neighbor-solicit ip6 saddr @a6 counter name "seen"
		}
	}
	EOF
}

# host_reach_on NS SLAVE: the host turns host reach on, with a changelink
# on one slave of the port.
host_reach_on() {
	local out

	out=$(ipvlan_nl "$1" set --name "$2" --flags 4) ||
		fail "turning host reach on: $out"
}

wire_seen() {
	ip netns exec "$router" nft list counter netdev ipvlw seen |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# reach_checks MODE: the 12 checks between the host and ns0, one a line.
reach_checks() {
	local s4 s6 a

	s4=$(topo_addr4 "$1" 10)
	s6=$(topo_addr6 "$1" 10)
	for a in "$s4" "$s6"; do
		echo "ping $host - $a"
		echo "tcp $host $ns0 $a"
		echo "udp $host $ns0 $a"
	done
	for a in 192.0.2.1 2001:db8:1::1; do
		echo "ping $ns0 - $a"
		echo "tcp $ns0 $host $a"
		echo "udp $ns0 $host $a"
	done
}

# expect_reach WANT CHECKS...: every check ends WANT (ok or fail); the
# checks that did not are listed.
expect_reach() {
	local want=$1 out bad

	shift
	out=$(python3 "$REACH" -t 2 "$@") || true
	bad=$(grep -v ": $want" <<<"$out" || true)
	[ -z "$bad" ] || fail "want every check $want, but:"$'\n'"$bad"
	echo "# ${#@} checks $want"
}

# host_reach MODE off|on: the 12 checks, and with it on nothing between
# the host and ns0 on the wire.
host_reach() {
	local mode=$1 state=$2
	local -a checks

	host_setup "$mode"
	mapfile -t checks < <(reach_checks "$mode")
	if [ "$state" = off ]; then
		expect_reach fail "${checks[@]}"
		return
	fi
	host_reach_on "$ns0" ipvl0
	expect_reach ok "${checks[@]}"
	expect_eq "packets between the host and ns0 on the wire" "$(wire_seen)" 0
}

# The host's bit is the port's: both slaves report it; unchanged iproute2
# still prints the flag it knows; a tenant-style newlink with flags 0 (as
# the CNI plugin and Docker send) keeps it; a changelink clears it.
test_flag_is_the_ports() {
	topo_setup
	topo_slaves l2
	host_reach_on "$ns0" ipvl0
	expect_eq "ipvl1's port" "$(ipvlan_nl "$ns1" get --name ipvl1)" \
		"mode 0 flags 0x4"
	ip -n "$ns1" -d link show ipvl1 | grep -q "ipvlan  mode l2 bridge" ||
		fail "ip -d link: $(ip -n "$ns1" -d link show ipvl1)"
	expect_eq "ip -j -d link" \
		"$(ip -n "$ns1" -j -d link show ipvl1 | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["linkinfo"]["info_data"])')" \
		"{'mode': 'l2', 'bridge': True}"
	ipvlan_nl "$host" new --link eth0 --name ipvl2 --mode 0 --flags 0 >/dev/null
	expect_eq "the port after a newlink with flags 0" \
		"$(ipvlan_nl "$host" get --name ipvl2)" "mode 0 flags 0x4"
	ip -n "$host" link set ipvl2 type ipvlan mode l2 private
	expect_eq "the port after 'ip link set ... private'" \
		"$(ipvlan_nl "$ns1" get --name ipvl1)" "mode 0 flags 0x1"
}

# Host reach and vepa exclude each other, either way round.
test_not_with_vepa() {
	local out

	topo_setup
	topo_slaves l2
	out=$(ipvlan_nl "$ns0" set --name ipvl0 --flags 6) || true
	expect_eq "flags 6" "$out" \
		"error EINVAL: ipvlan host reach and vepa exclude each other"
	host_reach_on "$ns0" ipvl0
	out=$(ipvlan_nl "$host" new --link eth0 --name ipvl2 --flags 2) || true
	expect_eq "a vepa newlink on a host reach port" "$out" \
		"error EINVAL: ipvlan host reach and vepa exclude each other"
	expect_eq "the port" "$(ipvlan_nl "$ns1" get --name ipvl1)" \
		"mode 0 flags 0x4"
}

# The module parameter is the default of the ports created from then on.
test_module_default() {
	local param=/sys/module/ipvlan/parameters/host_reach

	topo_setup
	echo 1 >"$param"
	topo_slaves l3
	echo 0 >"$param"
	expect_eq "a port created with host_reach=1" \
		"$(ipvlan_nl "$ns0" get --name ipvl0)" "mode 1 flags 0x4"
	in_ns "$host" <<-EOF
	route add 198.51.100.0/24 dev eth0
	route add 2001:db8:2::/64 dev eth0
	EOF
	expect_reach ok "ping $host - 198.51.100.10" "ping $host - 2001:db8:2::10"
}

# Turned off again, the host is cut off as before, and the hooks go.
test_off_again() {
	host_setup l3
	host_reach_on "$ns0" ipvl0
	expect_reach ok "ping $host - 198.51.100.10" "tcp $ns0 $host 192.0.2.1"
	ipvlan_nl "$ns0" set --name ipvl0 --flags 0 >/dev/null
	expect_reach fail "ping $host - 198.51.100.10" "tcp $ns0 $host 192.0.2.1"
}

# The hooks follow the master into another namespace.
test_master_moves() {
	local host2=""

	make_ns host2
	host_setup l3
	host_reach_on "$ns0" ipvl0
	topo_ip "$host" link set eth0 netns "$host2"
	in_ns "$host2" <<-EOF
	link set eth0 up
	addr add 192.0.2.1/24 dev eth0
	route add 198.51.100.0/24 dev eth0
	EOF
	expect_reach ok "ping $host2 - 198.51.100.10" "tcp $ns0 $host2 192.0.2.1"
}

# L3S, host reach on: a Service address DNATed in the host's namespace
# (kube-proxy's rule, in OUTPUT) from ns0 reaches a backend that is the
# sibling ns1, the host itself, or far on the wire, and the reply comes
# back from the Service address.
test_l3s_service_dnat() {
	host_setup l3s
	host_reach_on "$ns0" ipvl0
	ip netns exec "$host" nft -f - <<-EOF
	table ip kube {
		chain out {
			type nat hook output priority -100;
			ip daddr 10.96.0.1 tcp dport 80 dnat to 198.51.100.11:7701
			ip daddr 10.96.0.2 tcp dport 80 dnat to 192.0.2.1:7702
			ip daddr 10.96.0.3 tcp dport 80 dnat to 203.0.113.1:7703
			ip daddr 10.96.0.1 udp dport 53 dnat to 198.51.100.11:7704
		}
	}
	EOF
	expect_reach ok "tcp $ns0 $ns1 10.96.0.1:80@198.51.100.11:7701" \
		"tcp $ns0 $host 10.96.0.2:80@192.0.2.1:7702" \
		"tcp $ns0 $far 10.96.0.3:80@203.0.113.1:7703" \
		"udp $ns0 $ns1 10.96.0.1:53@198.51.100.11:7704"
}

# The same with host reach off: the sibling's reply skips the host's
# conntrack and the connection fails, as with Linux's ipvlan.
test_l3s_service_dnat_off() {
	host_setup l3s
	ip netns exec "$host" nft -f - <<-EOF
	table ip kube {
		chain out {
			type nat hook output priority -100;
			ip daddr 10.96.0.1 tcp dport 80 dnat to 198.51.100.11:7701
		}
	}
	EOF
	expect_reach fail "tcp $ns0 $ns1 10.96.0.1:80@198.51.100.11:7701"
}

# private keeps the slaves apart with host reach on, also in L3S, where
# their traffic goes through the host's routing; the host reaches both.
test_private_stays_private() {
	local mode

	for mode in l2 l3 l3s; do
		topo_setup
		topo_slaves "$mode" private
		in_ns "$host" <<-EOF
		route add 198.51.100.0/24 dev eth0
		route add 2001:db8:2::/64 dev eth0
		EOF
		host_reach_on "$ns0" ipvl0
		ipvlan_nl "$ns0" set --name ipvl0 --flags 5 >/dev/null
		expect_reach fail "ping $ns0 - $(topo_addr4 "$mode" 11)" \
			"tcp $ns0 $ns1 $(topo_addr6 "$mode" 11)"
		expect_reach ok "ping $host - $(topo_addr4 "$mode" 11)" \
			"tcp $ns0 $host 192.0.2.1"
		lib_cleanup
	done
}

# onlink_setup MODE: ns0's slave also has an address of the wire's own
# subnets, 192.0.2.20 and 2001:db8:1::20, which the router reaches on-link
# with no proxy ARP, proxy NDP or static neighbour anywhere.
onlink_setup() {
	topo_setup
	topo_slaves "$1"
	in_ns "$ns0" <<-EOF
	addr add 192.0.2.20/24 dev ipvl0
	addr add 2001:db8:1::20/64 dev ipvl0 nodad
	EOF
}

onlink_checks() {
	echo "ping $router - 192.0.2.20"
	echo "ping $router - 2001:db8:1::20"
	echo "tcp $router $ns0 192.0.2.20"
	echo "tcp $router $ns0 2001:db8:1::20"
}

# onlink off|on, in L3 and L3S: with host reach off nobody answers the
# router's ARP and neighbour solicitations for a slave in its subnet; with
# it on the port answers them with the shared MAC.
onlink() {
	local want=ok mode
	local -a checks

	[ "$1" = on ] || want=fail
	for mode in l3 l3s; do
		onlink_setup "$mode"
		mapfile -t checks < <(onlink_checks)
		[ "$1" = off ] || host_reach_on "$ns0" ipvl0
		expect_reach "$want" "${checks[@]}"
		lib_cleanup
	done
}

# router_lladdr ADDR: the MAC address of the router's entry for ADDR.
router_lladdr() {
	ip -n "$router" neigh show "$1" dev eth0 |
		sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p'
}

router_has() {
	[ "$(router_lladdr "$1")" = "$2" ]
}

# A slave's new address is announced: the router's stale entries for it,
# on another MAC, move to the shared one (gratuitous ARP, unsolicited NA).
test_onlink_announces() {
	local mac

	topo_setup
	topo_slaves l3
	host_reach_on "$ns0" ipvl0
	mac=$(ip -n "$host" -br link show eth0 | awk '{ print $3 }')
	in_ns "$router" <<-EOF
	neigh replace 192.0.2.20 lladdr 02:00:00:00:00:99 dev eth0 nud stale
	neigh replace 2001:db8:1::20 lladdr 02:00:00:00:00:99 dev eth0 nud stale
	EOF
	in_ns "$ns0" <<-EOF
	addr add 192.0.2.20/24 dev ipvl0
	addr add 2001:db8:1::20/64 dev ipvl0 nodad
	EOF
	wait_for router_has 192.0.2.20 "$mac" || true
	wait_for router_has 2001:db8:1::20 "$mac" || true
	expect_eq "the router's entry for 192.0.2.20" \
		"$(router_lladdr 192.0.2.20)" "$mac"
	expect_eq "the router's entry for 2001:db8:1::20" \
		"$(router_lladdr 2001:db8:1::20)" "$mac"
}

NS_TMP=$(mktemp -d)
trap 'rm -rf "$NS_TMP"; lib_cleanup' EXIT

ALL_TESTS=(
	"host_reach l2 off|l2, host reach off: host and slave do not reach each other (12 checks fail)"
	"host_reach l3 off|l3, host reach off: host and slave do not reach each other (12 checks fail)"
	"host_reach l3s off|l3s, host reach off: host and slave do not reach each other (12 checks fail)"
	"improvement host_reach l2 on|l2, host reach on: ping, TCP, UDP both ways, v4 and v6, none on the wire"
	"improvement host_reach l3 on|l3, host reach on: ping, TCP, UDP both ways, v4 and v6, none on the wire"
	"improvement host_reach l3s on|l3s, host reach on: ping, TCP, UDP both ways, v4 and v6, none on the wire"
	"improvement test_flag_is_the_ports|the bit is the port's, kept by newlinks, cleared by changelink, unseen by iproute2"
	"improvement test_not_with_vepa|host reach and vepa exclude each other: EINVAL"
	"improvement test_module_default|the host_reach parameter is the default of new ports"
	"improvement test_off_again|turned off again, the host is cut off again"
	"improvement test_master_moves|the hooks follow the master to another namespace"
	"improvement test_l3s_service_dnat|l3s: a DNATed Service reaches a sibling, the host and far, and replies come back"
	"improvement test_private_stays_private|l2, l3, l3s private, host reach on: the slaves stay apart, the host reaches them"
	"onlink off|l3, l3s, host reach off: the wire gets no answer for a slave in its subnet"
	"improvement onlink on|l3, l3s, host reach on: the port answers ARP and NS for a slave in the wire's subnet"
	"improvement test_onlink_announces|l3, host reach on: a slave's new address is announced (GARP, unsolicited NA)"
	"test_l3s_service_dnat_off|l3s, host reach off: a Service backed by a sibling fails"
)

run_all_tests "${ALL_TESTS[@]}"
