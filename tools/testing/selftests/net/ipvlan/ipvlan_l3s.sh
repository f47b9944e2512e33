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
# set by make_ns
far="" host="" ns0="" ns1="" router=""

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

# udp_bound NS PORT: a UDP socket in NS is bound to PORT.
udp_bound() {
	ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q .
}

# bound_udp FAMILY ADDR: a UDP socket in ns0 bound to ipvl0 receives
# what far sends to ADDR, and IP_PKTINFO/IPV6_PKTINFO names ipvl0 as the
# input device.  Prints "hello <device>".
bound_udp() {
	ip netns exec "$ns0" python3 -c '
import socket, struct, sys
v6 = sys.argv[1] == "6"
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"ipvl0")
if v6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
else:
    s.setsockopt(socket.IPPROTO_IP, 8, 1)  # IP_PKTINFO
s.bind(("::" if v6 else "0.0.0.0", 4242))
s.settimeout(5)
data, anc, _, _ = s.recvmsg(100, 256)
idx = 0
for level, kind, val in anc:
    if v6 and kind == socket.IPV6_PKTINFO:
        idx = struct.unpack("16sI", val[:20])[1]
    elif not v6 and kind == 8:
        idx = struct.unpack("I", val[:4])[0]
try:
    dev = socket.if_indextoname(idx)
except OSError:
    dev = "ifindex %d" % idx
print(data.decode(), dev)
' "$1" >"$NS_TMP/got" 2>&1 &
	# sent once the socket is bound, and again until the neighbours on
	# the way are resolved
	wait_for udp_bound "$ns0" 4242
	ip netns exec "$far" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET,
                  socket.SOCK_DGRAM)
for i in range(10):
    s.sendto(b"hello", (sys.argv[1], 4242))
    time.sleep(0.2)
' "$2"
	wait
	cat "$NS_TMP/got"
}

# bound_tcp ADDR: a TCP listener in ns0 bound to ipvl0 accepts far's
# connection to ADDR.  Prints what it read.
bound_tcp() {
	ip netns exec "$ns0" python3 -c '
import socket, sys
v6 = ":" in sys.argv[1]
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"ipvl0")
s.bind(("::" if v6 else "0.0.0.0", 4243))
s.listen(1)
s.settimeout(5)
c, _ = s.accept()
print(c.recv(100).decode())
' "$1" >"$NS_TMP/got" 2>&1 &
	sleep 0.5
	ip netns exec "$far" python3 -c '
import socket, sys
v6 = ":" in sys.argv[1]
s = socket.create_connection((sys.argv[1], 4243), timeout=5)
s.sendall(b"hello")
s.close()
' "$1" || true
	wait
	cat "$NS_TMP/got"
}

# Sockets bound to the slave receive: the packet's input device is the
# slave, for IPv4 and IPv6 alike (UDP with its PKTINFO, TCP, ping).
test_l3s_bound_socket() {
	local got

	topo_setup
	topo_slaves l3s
	got=$(bound_udp 4 198.51.100.10)
	# improvement: stock's IP_PKTINFO names the master's ifindex
	improvement || got=${got%% *}
	expect_eq "UDP on a socket bound to ipvl0" "$got" \
		"$(improvement && echo "hello ipvl0" || echo hello)"
	expect_eq "TCP on a socket bound to ipvl0" "$(bound_tcp 198.51.100.10)" hello
	ip netns exec "$ns0" ping -q -c 1 -W 2 -I ipvl0 203.0.113.1 >/dev/null ||
		fail "ping -I ipvl0 203.0.113.1 got no reply"
}

test_l3s_bound_socket6() {
	topo_setup
	topo_slaves l3s
	expect_eq "UDP on a socket bound to ipvl0" \
		"$(bound_udp 6 2001:db8:2::10)" "hello ipvl0"
	expect_eq "TCP on a socket bound to ipvl0" "$(bound_tcp 2001:db8:2::10)" hello
	ip netns exec "$ns0" ping -6 -q -c 1 -W 2 -I ipvl0 2001:db8:3::1 >/dev/null ||
		fail "ping -6 -I ipvl0 2001:db8:3::1 got no reply"
}

# L3 and L3S: a slave with an address of the wire's own /64 is reachable
# through the host's proxy NDP: the router's neighbour solicitations for
# it are the host's to answer.  Only DAD probes (from ::) go to the slave.
test_l3_proxy_ndp() {
	local mode

	for mode in l3 l3s; do
		topo_setup
		topo_slaves "$mode"
		topo_ip "$ns0" addr add 2001:db8:1::30/128 dev ipvl0 nodad
		ip netns exec "$host" sysctl -qw net.ipv6.conf.all.forwarding=1 \
			net.ipv6.conf.eth0.proxy_ndp=1
		topo_ip "$host" -6 neigh add proxy 2001:db8:1::30 dev eth0
		ip netns exec "$router" ping -q -c 3 -i 0.5 -W 2 2001:db8:1::30 \
			>/dev/null ||
			fail "$mode: the router cannot reach 2001:db8:1::30 through proxy NDP"
		lib_cleanup
	done
}

# The hooks follow the master into another namespace, and go with it.
test_l3s_master_moves() {
	local host2=""

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

ALL_TESTS=(
	"test_l3s_pings|l3s: ns0, ns1, router and far reach each other (v4, v6)"
	"test_l3s_netfilter_sees_both_ways|l3s: host netfilter sees PREROUTING, INPUT, established replies"
	"test_l3_netfilter_blind|l3: host netfilter does not see slave traffic"
	"test_l3s_bound_socket|l3s: sockets bound to the slave receive (IPv4: UDP, PKTINFO, TCP, ping)"
	"test_l3s_bound_socket6|l3s: sockets bound to the slave receive (IPv6: UDP, PKTINFO, TCP, ping)"
	"test_l3_proxy_ndp|l3, l3s: proxy NDP on the host answers for a slave on the wire's /64"
	"test_l3s_master_moves|l3s: hooks follow the master to another netns"
	"test_l3s_mode_switches|l3s <-> l3 <-> l2 switches keep traffic"
)

run_all_tests "${ALL_TESTS[@]}"
