#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ethtool on a slave, and offloads inherited from the master: a TCP stream
# through an L2 slave reaches the wire as GSO packets, larger than the MTU.
#
#   ns0: ipvl0 (l2) --+
#                     +-- eth0 (host, veth) ---- eth0 (router) 192.0.2.254
#   (topo.sh, without ns1's part being used)

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
host="" ns0="" router=""

require_root
require_cmd ip ethtool

test_drvinfo() {
	topo_setup
	topo_slaves l2
	ip netns exec "$ns0" ethtool -i ipvl0 | grep -qx "driver: ipvlan" ||
		fail "$(ip netns exec "$ns0" ethtool -i ipvl0)"
}

test_link_settings() {
	topo_setup
	topo_slaves l2
	ip netns exec "$ns0" ethtool ipvl0 | grep -q "Link detected: yes" ||
		fail "$(ip netns exec "$ns0" ethtool ipvl0)"
	topo_ip "$host" link set eth0 down
	ip netns exec "$ns0" ethtool ipvl0 | grep -q "Link detected: no" ||
		fail "link still detected with the master down"
}

test_msglevel() {
	topo_setup
	topo_slaves l2
	ip netns exec "$ns0" ethtool -s ipvl0 msglvl 0x7
	ip netns exec "$ns0" ethtool ipvl0 | grep -q "message level: 0x00000007" ||
		fail "$(ip netns exec "$ns0" ethtool ipvl0 | grep -i message)"
}

# What the master offloads, the slave offloads; what it turns off, too.
test_features_inherited() {
	local k

	topo_setup
	topo_slaves l2
	k=$(ip netns exec "$ns0" ethtool -k ipvl0)
	echo "$k" | grep -q "^tcp-segmentation-offload: on" || fail "TSO off: $k"
	echo "$k" | grep -q "^scatter-gather: on" || fail "SG off: $k"
	echo "$k" | grep -q "^tx-checksumming: on" || fail "csum off: $k"
	echo "$k" | grep -q "^vlan-challenged: on \[fixed\]" ||
		fail "slave would carry VLANs: $k"
}

test_tcp_uses_gso() {
	local big

	require_tcp_tools || skip "needs iperf3 and tcpdump"
	topo_setup
	topo_slaves l2
	ip netns exec "$router" iperf3 -s -1 -D -B 192.0.2.254 >/dev/null
	sleep 0.5
	ip netns exec "$router" timeout 10 tcpdump -n -i eth0 -c 5 \
		'tcp and src host 192.0.2.10 and greater 3000' \
		>"$NS_TMP/big" 2>/dev/null &
	sleep 1
	ip netns exec "$ns0" iperf3 -c 192.0.2.254 -t 2 >/dev/null
	wait || true
	big=$(grep -c "length" "$NS_TMP/big" || true)
	[ "$big" -ge 1 ] || fail "no TCP packet above 3000 bytes on the wire"
}

# tx_packets NS DEV
tx_packets() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_packets"
}

# master_without_tso: the host's eth0 segments nothing in hardware
master_without_tso() {
	ip netns exec "$host" ethtool -K eth0 tso off gso off \
		tx-udp_tnl-segmentation off tx-gre-segmentation off >/dev/null
}

# A slave offers TSO and tunnel segmentation whatever its master offers:
# the master's own transmit path segments in software what it cannot.
test_features_deferred() {
	local k f

	topo_setup
	master_without_tso
	topo_slaves l2
	k=$(ip netns exec "$ns0" ethtool -k ipvl0)
	for f in tcp-segmentation-offload tx-udp_tnl-segmentation \
		 tx-gre-segmentation scatter-gather tx-checksumming; do
		echo "$k" | grep -q "^$f: on" ||
			fail "$f: $(echo "$k" | grep "^$f:"), want on"
	done
}

# stream_counts NS ADDR: a 2 s TCP stream from NS to the router's ADDR;
# prints the packets the slave sent and those the master sent.
stream_counts() {
	local s0 m0

	ip netns exec "$router" iperf3 -s -1 -D -B "$2" >/dev/null
	sleep 0.5
	s0=$(tx_packets "$1" ipvl0)
	m0=$(tx_packets "$host" eth0)
	ip netns exec "$1" iperf3 -c "$2" -t 2 >/dev/null ||
		fail "no TCP stream to $2"
	echo "$(($(tx_packets "$1" ipvl0) - s0)) $(($(tx_packets "$host" eth0) - m0))"
}

# expect_gso WHAT "SLAVE WIRE" (as stream_counts prints them): the slave
# handed over large packets, each of which the master sent as several
# segments.
expect_gso() {
	local slave wire

	read -r slave wire <<<"$2"
	[ $((slave * 2)) -lt "$wire" ] ||
		fail "$1: the slave sent $slave packets for $wire from the master: segmented before the master"
}

# Over a master without TSO, a TCP stream still leaves the slave as GSO
# packets; only the master segments them.
test_gso_deferred_to_master() {
	local n

	topo_setup
	master_without_tso
	topo_slaves "$1"
	n=$(stream_counts "$ns0" 192.0.2.254)
	expect_gso "$1" "$n"
}

# A VXLAN tunnel in the slave's namespace: its TCP leaves the slave as
# one encapsulated GSO packet per burst, not segment by segment.
test_tunnel_gso() {
	local n

	topo_setup
	master_without_tso
	topo_slaves l2
	ip -n "$ns0" link add vx0 type vxlan id 42 dstport 4789 \
		local 192.0.2.10 remote 192.0.2.254 dev ipvl0 ||
		fail "cannot bind a VXLAN to the slave"
	ip -n "$router" link add vx0 type vxlan id 42 dstport 4789 \
		local 192.0.2.254 remote 192.0.2.10 dev eth0
	ip -n "$ns0" addr add 10.42.0.10/24 dev vx0
	ip -n "$router" addr add 10.42.0.254/24 dev vx0
	ip -n "$ns0" link set vx0 up
	ip -n "$router" link set vx0 up
	n=$(stream_counts "$ns0" 10.42.0.254)
	expect_gso "VXLAN" "$n"
}

require_tcp_tools() {
	command -v iperf3 >/dev/null && command -v tcpdump >/dev/null
}

NS_TMP=$(mktemp -d)
trap 'rm -rf "$NS_TMP"; lib_cleanup' EXIT

ALL_TESTS=(
	"test_drvinfo|ethtool -i: driver ipvlan"
	"since 6.12 test_link_settings|ethtool: link follows the master"
	"test_msglevel|ethtool: message level"
	"test_features_inherited|offloads inherited, VLAN-challenged"
	"test_tcp_uses_gso|a TCP stream through an L2 slave leaves as GSO packets"
	"test_features_deferred|a slave offers TSO and tunnel GSO over a master without them"
	"test_gso_deferred_to_master l2|l2: over a master without TSO, the master segments a slave's TCP"
	"test_gso_deferred_to_master l3|l3: over a master without TSO, the master segments a slave's TCP"
	"test_tunnel_gso|a VXLAN tunnel over a slave leaves it as GSO packets"
)

run_all_tests "${ALL_TESTS[@]}"
