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
. ./topo.sh

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

	require_tcp_tools || return 0
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

require_tcp_tools() {
	command -v iperf3 >/dev/null && command -v tcpdump >/dev/null
}

NS_TMP=$(mktemp -d)
trap 'rm -rf "$NS_TMP"; lib_cleanup' EXIT

ktap_plan 5
run_test "ethtool -i: driver ipvlan" test_drvinfo
run_improvement_before 6.12 "ethtool: link follows the master" test_link_settings
run_test "ethtool: message level" test_msglevel
run_test "offloads inherited, VLAN-challenged" test_features_inherited
if require_tcp_tools; then
	run_test "a TCP stream through an L2 slave leaves as GSO packets" test_tcp_uses_gso
else
	ktap_skip "a TCP stream through an L2 slave leaves as GSO packets" "needs iperf3 and tcpdump"
fi
ktap_finish
