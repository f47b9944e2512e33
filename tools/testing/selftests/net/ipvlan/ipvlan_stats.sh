#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A slave's counters as "ip -s -j link show" reports them: known traffic
# moves rx/tx packets and bytes by the right amounts, broadcasts count as
# multicast, and frames the driver cannot deliver count as drops.
#
#   +------ ns0 ------+
#   |  ipvl0          |   192.0.2.10 (l2) or 198.51.100.10 (l3)
#   +--------#--------+
#   +--------#------ ns host --------+
#   |  eth0 192.0.2.1 (veth)         |
#   +--------#-----------------------+
#            #  (veth: the wire)
#   +--------#------ ns router ------+
#   |  eth0 192.0.2.254              |   198.51.100.0/24 via 192.0.2.1
#   +--------------------------------+

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" ns0="" ns1="" router=""

require_root
require_cmd ip ping python3

# setup MODE: the topology above with one slave in MODE.
setup() {
	local mode=$1 route="default via 192.0.2.254"

	slave=192.0.2.10
	if [ "$mode" != l2 ]; then
		slave=198.51.100.10
		route="default dev ipvl0"
	fi
	make_ns host router ns0
	in_ns "$host" <<-EOF
	link add eth0 type veth peer name eth0 netns $router
	link set eth0 up
	addr add 192.0.2.1/24 dev eth0
	link add link eth0 name ipvl0 type ipvlan mode $mode
	link set ipvl0 netns $ns0
	EOF
	in_ns "$router" <<-EOF
	link set eth0 up
	addr add 192.0.2.254/24 dev eth0
	route add 198.51.100.0/24 via 192.0.2.1
	EOF
	in_ns "$ns0" <<-EOF
	link set ipvl0 up
	addr add $slave/24 dev ipvl0
	route add $route
	EOF
	wait_for ping_ok "$router" "$slave"
}

# stats NS DEV: "rx_packets rx_bytes rx_multicast tx_packets tx_bytes
# rx_dropped tx_dropped"
stats() {
	ip -n "$1" -s -j link show "$2" | python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print(s["rx"]["packets"], s["rx"]["bytes"], s["rx"]["multicast"],
      s["tx"]["packets"], s["tx"]["bytes"], s["rx"]["dropped"],
      s["tx"]["dropped"])'
}

# delta BEFORE AFTER FIELD: how much field FIELD (1-based) grew.
delta() {
	local b a

	b=$(echo "$1" | cut -d' ' -f"$3")
	a=$(echo "$2" | cut -d' ' -f"$3")
	echo $((a - b))
}

# in_range WHAT VALUE MIN MAX
in_range() {
	if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		fail "$1: $2, want $3..$4"
	fi
}

# check_counters BEFORE AFTER N LEN: N echo requests of IP length LEN
# received and N replies sent.  Bytes count the Ethernet header too, in
# l3 as in l2 (as stock does); a few packets of other traffic (ARP, ND)
# are tolerated.
check_counters() {
	local n=$3 len=$4

	echo "before: $1"
	echo "after:  $2"
	in_range "rx packets" "$(delta "$1" "$2" 1)" "$n" $((n + 6))
	in_range "tx packets" "$(delta "$1" "$2" 4)" "$n" $((n + 6))
	in_range "rx bytes" "$(delta "$1" "$2" 2)" $((n * (len + 14))) \
		$(((n + 6) * (len + 14) + 6 * 100))
	in_range "tx bytes" "$(delta "$1" "$2" 5)" $((n * (len + 14))) \
		$(((n + 6) * (len + 14) + 6 * 100))
}

# Pinged 10 times with 100 bytes of data: 10 packets of 128 bytes (IP) in,
# 10 out.
test_l2_counters() {
	local before after

	setup l2
	before=$(stats "$ns0" ipvl0)
	ip netns exec "$router" ping -q -c 10 -i 0.1 -s 100 "$slave" >/dev/null
	after=$(stats "$ns0" ipvl0)
	check_counters "$before" "$after" 10 128
}

# The slave pings out, 1000 bytes of data: 1028-byte IP packets.
test_l2_counters_tx() {
	local before after

	setup l2
	before=$(stats "$ns0" ipvl0)
	ip netns exec "$ns0" ping -q -c 10 -i 0.1 -s 1000 192.0.2.254 >/dev/null
	after=$(stats "$ns0" ipvl0)
	check_counters "$before" "$after" 10 1028
}

test_l3_counters() {
	local before after

	setup l3
	before=$(stats "$ns0" ipvl0)
	ip netns exec "$router" ping -q -c 10 -i 0.1 -s 100 "$slave" >/dev/null
	after=$(stats "$ns0" ipvl0)
	check_counters "$before" "$after" 10 128
}

# Broadcast pings are received as multicast, and counted so.
test_l2_broadcast_counts_multicast() {
	local before after

	setup l2
	ip netns exec "$router" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
	before=$(stats "$ns0" ipvl0)
	ip netns exec "$router" ping -b -q -c 10 -i 0.1 -W 2 192.0.2.255 \
		>/dev/null 2>&1 || true
	after=$(stats "$ns0" ipvl0)
	echo "before: $before"
	echo "after:  $after"
	in_range "rx multicast" "$(delta "$before" "$after" 3)" 10 30
	in_range "rx packets" "$(delta "$before" "$after" 1)" 10 30
	# ns0 answered each one
	in_range "tx packets" "$(delta "$before" "$after" 4)" 10 30
}

# Unicast traffic leaves the multicast counter alone.
test_unicast_not_multicast() {
	local before after

	setup l2
	before=$(stats "$ns0" ipvl0)
	ip netns exec "$router" ping -q -c 10 -i 0.1 "$slave" >/dev/null
	after=$(stats "$ns0" ipvl0)
	in_range "rx multicast for unicast pings" "$(delta "$before" "$after" 3)" 0 5
}

# setup_pair FLAG: two l3 slaves of one master, ns0 (198.51.100.10) and
# ns1 (198.51.100.11), with the port's FLAG.  No IPv6, whose start-up
# chatter (DAD, router and MLD solicitations) would move the counters.
setup_pair() {
	local i ns

	make_ns host
	make_ns ns0
	make_ns ns1
	ip -n "$host" link add eth0 type dummy
	ip -n "$host" link set eth0 up
	for i in 0 1; do
		ns=$ns0
		[ "$i" = 1 ] && ns=$ns1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$host" link add link eth0 name "ipvl$i" type ipvlan \
			mode l3 "$1"
		ip -n "$host" link set "ipvl$i" netns "$ns"
		ip -n "$ns" addr add "198.51.100.1$i/24" dev "ipvl$i"
		ip -n "$ns" link set "ipvl$i" up
	done
}

# private_drops MAX: ping the sibling 5 times through a private port; the
# sender's tx_dropped grows by 5..MAX and nothing reaches the sibling.
private_drops() {
	local b0 a0 b1 a1

	setup_pair private
	b0=$(stats "$ns0" ipvl0)
	b1=$(stats "$ns1" ipvl1)
	ip netns exec "$ns0" ping -q -c 5 -i 0.1 -W 1 198.51.100.11 \
		>/dev/null 2>&1 && fail "ping through private went through"
	a0=$(stats "$ns0" ipvl0)
	a1=$(stats "$ns1" ipvl1)
	echo "ns0 before: $b0 after: $a0"
	echo "ns1 before: $b1 after: $a1"
	in_range "sender tx dropped" "$(delta "$b0" "$a0" 7)" 5 "$1"
	in_range "sibling rx packets" "$(delta "$b1" "$a1" 1)" 0 0
}

# private: slave-to-slave frames are the sender's tx drops.  Stock counts
# about five drops per frame; ours counts one (the improvement below).
test_private_counts_tx_dropped() {
	private_drops 30
}

test_private_counts_each_drop_once() {
	private_drops 5
}

# A frame too big for the sibling's MTU is dropped on the way in, and
# counted once in the sibling's rx_dropped.  Improvement: stock counts each
# such drop twice (its own counter and the one dev_forward_skb() keeps).
test_sibling_mtu_counts_rx_dropped() {
	local b1 a1

	setup_pair bridge
	ip -n "$ns1" link set ipvl1 mtu 1000
	ip netns exec "$ns0" ping -q -c 2 -W 1 198.51.100.11 >/dev/null
	b1=$(stats "$ns1" ipvl1)
	ip netns exec "$ns0" ping -q -c 5 -i 0.1 -W 1 -s 1200 198.51.100.11 \
		>/dev/null 2>&1 && fail "1228-byte ping reached an MTU 1000 slave"
	a1=$(stats "$ns1" ipvl1)
	echo "ns1 before: $b1 after: $a1"
	in_range "sibling rx dropped" "$(delta "$b1" "$a1" 6)" 5 5
	in_range "sibling rx packets" "$(delta "$b1" "$a1" 1)" 0 0
}

ALL_TESTS=(
	"test_l2_counters|l2: 10 pings in: rx/tx packets and bytes"
	"test_l2_counters_tx|l2: 10 pings out: rx/tx packets and bytes"
	"test_l3_counters|l3: 10 pings in: rx/tx packets and bytes"
	"test_l2_broadcast_counts_multicast|l2: broadcast pings count as rx multicast"
	"test_unicast_not_multicast|l2: unicast pings do not count as multicast"
	"test_private_counts_tx_dropped|private: slave-to-slave counts as tx dropped"
	"improvement test_private_counts_each_drop_once|private: one tx drop per dropped frame"
	"improvement test_sibling_mtu_counts_rx_dropped|too big for a sibling's MTU: one rx drop each"
)

run_all_tests "${ALL_TESTS[@]}"
