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
	topo_host_side "$host"
	topo_gateway "$wire" peer0
}

# topo_end NS NET4 NET6 HOST: an end host on its eth0, up, HOST in both
# prefixes (NET4.HOST/24, NET6::HOST/64), its default routes via .254/::254.
topo_end() {
	local cmds

	topo_end_cmds cmds "${@:2}"
	in_ns "$1" <<<"$cmds"
}

# topo_end_cmds VAR NET4 NET6 HOST: topo_end's commands, in VAR; with
# printf -v, as $(...) would cost a process.
topo_end_cmds() {
	printf -v "$1" '%s\n' "link set eth0 up" \
		"addr add $2.$4/24 dev eth0" \
		"addr add $3::$4/64 dev eth0 nodad" \
		"route add default via $2.254" \
		"route add default via $3::254"
}

# topo_host_side NS: the host, .1/::1 on the wire's prefixes.
topo_host_side() {
	topo_end "$1" 192.0.2 2001:db8:1 1
}

# topo_gateway NS DEV: the gateway's side of the wire, which routes the L3
# slaves' prefixes via the host.
topo_gateway() {
	local cmds

	topo_gateway_cmds cmds "$2"
	in_ns "$1" <<<"$cmds"
}

# topo_gateway_cmds VAR DEV: topo_gateway's commands, in VAR.
topo_gateway_cmds() {
	printf -v "$1" '%s\n' "addr add 192.0.2.254/24 dev $2" \
		"addr add 2001:db8:1::254/64 dev $2 nodad" \
		"route add 198.51.100.0/24 via 192.0.2.1" \
		"route add 2001:db8:2::/64 via 2001:db8:1::1"
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

# topo_setup: host, router, far, ns0 and ns1, no slaves yet; one ip
# process a namespace that has links (under UML a process costs 70 to 200
# ms, as much as the rest of a short test).
topo_setup() {
	local host_end far_end gateway

	topo_end_cmds host_end 192.0.2 2001:db8:1 1
	topo_end_cmds far_end 203.0.113 2001:db8:3 1
	topo_gateway_cmds gateway eth0
	make_ns host router far ns0 ns1
	ns_sysctl "$router" -- net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	in_ns "$host" <<-EOF
	link add eth0 type veth peer name eth0 netns $router
	$host_end
	EOF
	# the host routes for L3 slaves; the router reaches them through it
	in_ns "$router" <<-EOF
	link set eth0 up
	$gateway
	link add eth1 type veth peer name eth0 netns $far
	link set eth1 up
	addr add 203.0.113.254/24 dev eth1
	addr add 2001:db8:3::254/64 dev eth1 nodad
	EOF
	in_ns "$far" <<<"$far_end"
}

# topo_slaves MODE [FLAG]: ipvl0 in ns0 and ipvl1 in ns1, addressed and up,
# with default routes via the router as in the HOWTO.
topo_slaves() {
	local mode=$1
	local flag=${2:-bridge}

	in_ns "$host" <<-EOF
	link add link eth0 name ipvl0 type ipvlan mode $mode $flag
	link add link eth0 name ipvl1 type ipvlan mode $mode $flag
	link set ipvl0 netns $ns0
	link set ipvl1 netns $ns1
	EOF
	topo_slave_up "$ns0" 0 "$mode"
	topo_slave_up "$ns1" 1 "$mode"
}

# topo_slave_up NS I MODE: slave ipvlI, moved to NS, up there on the mode's
# prefixes (.10+I and ::10+I, topo_addr4/6), its default routes via the
# router in L2, through the device in L3 and L3S.
topo_slave_up() {
	local ns=$1 i=$2 mode=$3
	local net4=192.0.2 net6=2001:db8:1
	local gw4="default via 192.0.2.254" gw6="default via 2001:db8:1::254"

	if [ "$mode" != l2 ]; then
		net4=198.51.100
		net6=2001:db8:2
		gw4="0.0.0.0/0 dev ipvl$i"
		gw6="::/0 dev ipvl$i"
	fi
	in_ns "$ns" <<-EOF
	link set ipvl$i up
	addr add $net4.$((10 + i))/24 dev ipvl$i
	addr add $net6::$((10 + i))/64 dev ipvl$i nodad
	route add $gw4
	route add $gw6
	EOF
}

topo_del_slaves() {
	topo_ip "$ns0" link del ipvl0 2>/dev/null || true
	topo_ip "$ns1" link del ipvl1 2>/dev/null || true
}
