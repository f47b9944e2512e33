# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The namespace variables are lib.sh's, set by make_ns:
# shellcheck disable=SC2154
#
# The named topologies the tests build on; lib.sh sources this file.
#
# topo_wire: a master and the wire behind it, nothing else.
#
#   +----- host -----+        +----- wire -----+
#   |      eth0  ==================  peer0     |
#   +----------------+  veth  +----------------+
#
# topo_wire_routed: topo_wire with the host on 192.0.2.1 and 2001:db8:1::1,
# the wire on .254/::254 routing the L3 slaves' prefixes (198.51.100.0/24,
# 2001:db8:2::/64) via the host, and the host's default routes via the wire.
#
# topo_setup and topo_slaves: the HOWTO's topology, shared by the traffic
# tests and "make demo":
#
#   +---- ns0 ----+  +---- ns1 ----+
#   |    ipvl0    |  |    ipvl1    |       +------- far -------+
#   +------#------+  +------#------+       |  eth0 203.0.113.1 |
#          #################               +---------#---------+
#   +------#------ host -----------+       +---------#---------+
#   |     eth0 192.0.2.1           |       |  eth1 203.0.113.254
#   +------#-----------------------+       |                   |
#          #------------------------------->  eth0 192.0.2.254 |
#                  (veth: the wire)        +------ router -----+
#
# L2 slaves sit on the wire's subnet (192.0.2.0/24, 2001:db8:1::/64).
# L3 slaves are routed by the host: they get 198.51.100.0/24 and
# 2001:db8:2::/64, which the router reaches via the host's 192.0.2.1.

topo_wire() {
	make_ns host wire
	make_wire "$host" eth0 "$wire" peer0
}

topo_wire_routed() {
	topo_wire
	ip -n "$host" addr add 192.0.2.1/24 dev eth0
	ip -n "$host" addr add 2001:db8:1::1/64 dev eth0 nodad
	ip -n "$wire" addr add 192.0.2.254/24 dev peer0
	ip -n "$wire" addr add 2001:db8:1::254/64 dev peer0 nodad
	ip -n "$wire" route add 198.51.100.0/24 via 192.0.2.1
	ip -n "$wire" route add 2001:db8:2::/64 via 2001:db8:1::1
	ip -n "$host" route add default via 192.0.2.254
	ip -n "$host" route add default via 2001:db8:1::254
}

# Addresses of ns0/ns1's slaves in each mode.
topo_addr4() {
	case "$1" in
	l2) echo "192.0.2.$2" ;;
	*) echo "198.51.100.$2" ;;
	esac
}

topo_addr6() {
	case "$1" in
	l2) echo "2001:db8:1::$2" ;;
	*) echo "2001:db8:2::$2" ;;
	esac
}

topo_ip() {
	ip -n "$1" "${@:2}"
}

# topo_setup: host, router, far, ns0 and ns1, no slaves yet.
topo_setup() {
	make_ns host
	make_ns router
	make_ns far
	make_ns ns0
	make_ns ns1
	make_wire "$host" eth0 "$router" eth0
	make_wire "$router" eth1 "$far" eth0
	ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$router" sysctl -qw net.ipv6.conf.all.forwarding=1

	topo_ip "$host" addr add 192.0.2.1/24 dev eth0
	topo_ip "$host" addr add 2001:db8:1::1/64 dev eth0 nodad
	topo_ip "$router" addr add 192.0.2.254/24 dev eth0
	topo_ip "$router" addr add 2001:db8:1::254/64 dev eth0 nodad
	topo_ip "$router" addr add 203.0.113.254/24 dev eth1
	topo_ip "$router" addr add 2001:db8:3::254/64 dev eth1 nodad
	topo_ip "$far" addr add 203.0.113.1/24 dev eth0
	topo_ip "$far" addr add 2001:db8:3::1/64 dev eth0 nodad
	topo_ip "$far" route add default via 203.0.113.254
	topo_ip "$far" route add default via 2001:db8:3::254

	# the host routes for L3 slaves; the router reaches them through it
	topo_ip "$host" route add default via 192.0.2.254
	topo_ip "$host" route add default via 2001:db8:1::254
	topo_ip "$router" route add 198.51.100.0/24 via 192.0.2.1
	topo_ip "$router" route add 2001:db8:2::/64 via 2001:db8:1::1
}

# topo_slaves MODE [FLAG]: ipvl0 in ns0 and ipvl1 in ns1, addressed and up,
# with default routes via the router as in the HOWTO.
topo_slaves() {
	local mode=$1
	local flag=${2:-bridge}
	local i ns

	for i in 0 1; do
		ns=ns$i
		ns=${!ns}
		topo_ip "$host" link add link eth0 name "ipvl$i" type ipvlan \
			mode "$mode" "$flag"
		topo_ip "$host" link set "ipvl$i" netns "$ns"
		topo_ip "$ns" link set "ipvl$i" up
		topo_ip "$ns" addr add "$(topo_addr4 "$mode" $((10 + i)))/24" \
			dev "ipvl$i"
		topo_ip "$ns" addr add "$(topo_addr6 "$mode" $((10 + i)))/64" \
			dev "ipvl$i" nodad
		if [ "$mode" = l2 ]; then
			topo_ip "$ns" route add default via 192.0.2.254
			topo_ip "$ns" route add default via 2001:db8:1::254
		else
			topo_ip "$ns" route add default dev "ipvl$i"
			topo_ip "$ns" -6 route add default dev "ipvl$i"
		fi
	done
}

topo_del_slaves() {
	topo_ip "$ns0" link del ipvl0 2>/dev/null || true
	topo_ip "$ns1" link del ipvl1 2>/dev/null || true
}
