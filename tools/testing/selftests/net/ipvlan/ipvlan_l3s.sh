#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# L3S: like L3, but received packets cross the master namespace's netfilter
# PREROUTING and INPUT, so that an nftables counter and conntrack in the
# host namespace see a slave's traffic in both directions.
# Topology: see topo.sh (slaves on 198.51.100.0/24, routed by the host).

set -e
cd "$(dirname "$0")"
. ./lib.sh
. ./topo.sh

require_root
require_cmd ip ping nft python3

# Counters in the namespace of the master, for traffic to/from ns0's slave.
nft_counters() {
	ip netns exec "$1" nft -f - <<NFT
table inet ipvlt {
	chain pre {
		type filter hook prerouting priority 0;
		ip daddr 198.51.100.10 counter name "pre"
	}
	chain in {
		type filter hook input priority 0;
		ip daddr 198.51.100.10 counter name "in"
	}
	chain out {
		type filter hook output priority 0;
		ip saddr 198.51.100.10 ct state established counter name "est"
	}
	counter pre { }
	counter in { }
	counter est { }
}
NFT
}

nft_count() {
	ip netns exec "$1" nft list counter inet ipvlt "$2" |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# n >= 5 for L3S, 0 for L3
expect_counts() {
	local ns=$1
	local want=$2
	local c n

	for c in pre in est; do
		n=$(nft_count "$ns" $c)
		if [ "$want" = some ]; then
			[ "$n" -ge 5 ] || fail "counter $c: $n packets, want >= 5"
		else
			[ "$n" -eq 0 ] || fail "counter $c: $n packets, want 0"
		fi
	done
}

ping5() {
	ip netns exec "$far" ping -q -c 5 -i 0.1 -W 2 198.51.100.10 >/dev/null ||
		fail "far cannot ping ns0 (198.51.100.10)"
}

test_l3s_pings() {
	topo_setup
	topo_slaves l3s
	ping_ok "$ns0" 198.51.100.11
	ping_ok "$ns0" 2001:db8:2::11
	ping_ok "$ns0" 192.0.2.254
	ping_ok "$ns0" 2001:db8:1::254
	ping_ok "$far" 198.51.100.10
	ping_ok "$far" 2001:db8:2::10
}

test_l3s_netfilter_sees_both_ways() {
	topo_setup
	topo_slaves l3s
	nft_counters "$host"
	ping5
	expect_counts "$host" some
}

test_l3_netfilter_blind() {
	topo_setup
	topo_slaves l3
	nft_counters "$host"
	ping5
	expect_counts "$host" none
}

# A socket bound to the slave receives: the packet's input device is it.
test_l3s_bound_socket() {
	local got

	topo_setup
	topo_slaves l3s
	ip netns exec "$ns0" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"ipvl0")
s.bind(("0.0.0.0", 4242))
s.settimeout(5)
print(s.recv(100).decode())
' >"$NS_TMP/got" 2>&1 &
	sleep 0.5
	ip netns exec "$far" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"hello", ("198.51.100.10", 4242))
'
	wait
	got=$(cat "$NS_TMP/got")
	expect_eq "received on the bound socket" "$got" hello
}

# The hooks follow the master into another namespace, and go with it.
test_l3s_master_moves() {

	make_ns host2
	topo_setup
	topo_slaves l3s
	topo_ip "$host" link set eth0 netns "$host2"
	topo_ip "$host2" link set eth0 up
	topo_ip "$host2" addr add 192.0.2.1/24 dev eth0
	topo_ip "$host2" route add default via 192.0.2.254
	nft_counters "$host2"
	ping5
	expect_counts "$host2" some
	# the namespace goes, with the master and so the slaves
	ip netns del "$host2"
	wait_for no_slaves_in "$ns0"
}

test_l3s_mode_switches() {
	topo_setup
	topo_slaves l3s
	ping_ok "$far" 198.51.100.10
	topo_ip "$ns0" link set ipvl0 type ipvlan mode l3
	ping_ok "$far" 198.51.100.10
	topo_ip "$ns0" link set ipvl0 type ipvlan mode l3s
	ping_ok "$far" 198.51.100.10
	topo_ip "$ns1" link set ipvl1 type ipvlan mode l2
	topo_ip "$ns1" link set ipvl1 type ipvlan mode l3s
	ping_ok "$far" 198.51.100.10
}

NS_TMP=$(mktemp -d)
trap 'rm -rf "$NS_TMP"; lib_cleanup' EXIT

ktap_plan 6
run_test "l3s: ns0, ns1, router and far reach each other (v4, v6)" test_l3s_pings
run_test "l3s: host netfilter sees PREROUTING, INPUT, established replies" test_l3s_netfilter_sees_both_ways
run_test "l3: host netfilter does not see slave traffic" test_l3_netfilter_blind
run_test "l3s: a socket bound to the slave receives" test_l3s_bound_socket
run_test "l3s: hooks follow the master to another netns" test_l3s_master_moves
run_test "l3s <-> l3 <-> l2 switches keep traffic" test_l3s_mode_switches
ktap_finish
