#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The HOWTO's example with traffic: ns0 and ns1 reach each other, the
# router and a host beyond it, over IPv4 and IPv6, in L2 and L3 mode.
# Topology: see topo.sh.

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns
far="" host="" ns0="" ns1="" router=""

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

# dscp_rule NS FAMILY DSCP TABLE: an "ip rule" with the DSCP selector
# (FRA_DSCP, Linux 6.12), which iproute2 before 6.13 cannot write.
dscp_rule() {
	ip netns exec "$1" python3 -c '
import socket, struct, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
def attr(kind, payload):
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return struct.pack("HH", 4 + len(payload), kind) + payload + pad
# fib_rule_hdr, action FR_ACT_TO_TBL; FRA_PRIORITY, FRA_TABLE, FRA_DSCP
body = struct.pack("BBBBBBBBI", fam, 0, 0, 0, 0, 0, 0, 1, 0)
body += attr(6, struct.pack("I", 100)) + attr(15, struct.pack("I", int(sys.argv[3])))
body += attr(25, struct.pack("B", int(sys.argv[2])))
msg = struct.pack("IHHII", 16 + len(body), 32, 0x1 | 0x4 | 0x200 | 0x400, 1, 0)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.send(msg + body)
err = struct.unpack("i", s.recv(4096)[16:20])[0]
sys.exit(1 if err else 0)
' "$2" "$3" "$4" || fail "RTM_NEWRULE with FRA_DSCP $3 failed"
}

# L3 routes a slave's packets with their whole DSCP, so that the master's
# rules on DSCP (here EF, 46, to a table that prohibits the far subnet)
# see them, IPv4 and IPv6 alike.
test_l3_dscp_rules() {
	! kernel_before 6.12 || skip "FRA_DSCP is Linux 6.12's"
	topo_setup
	topo_slaves l3
	topo_ip "$host" route add prohibit 203.0.113.0/24 table 100
	topo_ip "$host" -6 route add prohibit 2001:db8:3::/64 table 100
	dscp_rule "$host" 4 46 100
	dscp_rule "$host" 6 46 100
	ping_ok "$ns0" 203.0.113.1
	ping_ok "$ns0" 2001:db8:3::1
	if ip netns exec "$ns0" ping -q -c 1 -W 1 -Q 0xb8 203.0.113.1 >/dev/null 2>&1; then
		fail "an EF (DSCP 46) IPv4 ping passed the master's DSCP rule"
	fi
	if ip netns exec "$ns0" ping -6 -q -c 1 -W 1 -Q 0xb8 2001:db8:3::1 >/dev/null 2>&1; then
		fail "an EF (DSCP 46) IPv6 ping passed the master's DSCP rule"
	fi
	# a TOS-only value still routes by the main table
	ip netns exec "$ns0" ping -q -c 1 -W 2 -Q 0x10 203.0.113.1 >/dev/null ||
		fail "a ping with TOS 0x10 (no DSCP 46) got no reply"
}

# A mark belongs to the namespace that set it: L3 routes a slave's packets
# in the master's namespace without it, so that a tenant cannot choose the
# host's fwmark rules (here: mark 1 to a table that prohibits the far
# subnet).
test_l3_mark_stays_behind() {
	topo_setup
	topo_slaves l3
	topo_ip "$host" route add prohibit 203.0.113.0/24 table 100
	topo_ip "$host" rule add fwmark 1 table 100
	ip netns exec "$ns0" nft -f - <<-EOF2
		table inet tenant {
			chain out {
				type filter hook output priority 0;
				meta mark set 1 counter
			}
		}
	EOF2
	ping_ok "$ns0" 203.0.113.1
	ip netns exec "$ns0" nft list chain inet tenant out | grep -q "packets [1-9]" ||
		fail "the slave's namespace marked no packet"
}

ALL_TESTS=(
	"test_l2_pings|l2: ns0, ns1, router and far host reach each other (v4, v6)"
	"test_l3_pings|l3: ns0, ns1, router and far host reach each other (v4, v6)"
	"test_l3_routed_by_host|l3: routed by the master's namespace"
	"test_mode_switch_live|mode switch l2 -> l3 -> l2 keeps slave traffic"
	"test_down_slave_unreachable|a down slave's address is not live"
	"test_l3_mark_stays_behind|l3: a slave's mark does not select the master's fwmark rules"
	"test_l3_dscp_rules|l3: the master's DSCP rules see a slave's packets"
)

run_all_tests "${ALL_TESTS[@]}"
