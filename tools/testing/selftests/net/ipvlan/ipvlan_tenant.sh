#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The hostile tenant: root of a container (a user namespace of its own)
# that owns the netns its slave s0 was moved into, and nothing else.
# Whatever it tries, the port, the sibling s1 and the wire see only what a
# well-behaved container could have sent.  The wire side counts, with
# nftables at peer0's ingress, every frame of each attack that got out.
#
#   +--- user namespace U (unshare -U -r -n): the tenant ---+
#   |  s0  l2: 192.0.2.10  2001:db8:1::10                  |
#   |      l3: 198.51.100.10  2001:db8:2::10               |
#   +------#-------------------------------------------------+
#   +------#----- ns host ------+   +------ ns sib ---------------------+
#   |  eth0 192.0.2.1 (master) #####  s1  l2: 192.0.2.11 2001:db8:1::11 |
#   +------#--------------------+   |      l3: 198.51.100.11 ...::11    |
#          #  (veth: the wire)      +-----------------------------------+
#   +------#----- ns wire ---------------------------------------------+
#   |  peer0 192.0.2.254 2001:db8:1::254, nft ingress counters         |
#   +------------------------------------------------------------------+

set -e
cd "$(dirname "$0")"
. ./lib.sh
# set by make_ns and container
cpid="" host="" sib="" wire=""

require_root
require_cmd ip unshare nsenter python3 nft

# Destination MACs that tell the raw frames apart on the wire.
MAC_PROBE=02:00:00:00:99:01
MAC_FOREIGN=02:00:00:00:99:02
MAC_VLAN=02:00:00:00:99:03
MAC_ARP=02:00:00:00:99:04
FOREIGN=02:66:66:66:66:66

addr4() {
	case "$1" in
	l2) echo "192.0.2.$2" ;;
	*) echo "198.51.100.$2" ;;
	esac
}

addr6() {
	case "$1" in
	l2) echo "2001:db8:1::$2" ;;
	*) echo "2001:db8:2::$2" ;;
	esac
}

# tenant_setup MODE [FLAG]: the topology above, s0 handed to the tenant.
tenant_setup() {
	local mode=$1 flag=${2:-bridge}

	topo_wire
	make_ns sib
	container
	in_ns "$host" <<-EOF
	addr add 192.0.2.1/24 dev eth0
	addr add 2001:db8:1::1/64 dev eth0 nodad
	link add link eth0 name s0 type ipvlan mode $mode $flag
	link add link eth0 name s1 type ipvlan mode $mode $flag
	link set s0 netns $cpid
	link set s1 netns $sib
	EOF
	in_ns "$sib" <<-EOF
	link set s1 up
	addr add $(addr4 "$mode" 11)/24 dev s1
	addr add $(addr6 "$mode" 11)/64 dev s1 nodad
	EOF
	as_container ip -batch - <<-EOF
	link set lo up
	link set s0 up
	addr add $(addr4 "$mode" 10)/24 dev s0
	addr add $(addr6 "$mode" 10)/64 dev s0 nodad
	EOF
	if [ "$mode" != l2 ]; then
		as_container ip -batch - <<-EOF
		route add default dev s0
		route add ::/0 dev s0
		EOF
		topo_gateway "$wire" peer0
	else
		in_ns "$wire" <<-EOF
		addr add 192.0.2.254/24 dev peer0
		addr add 2001:db8:1::254/64 dev peer0 nodad
		EOF
	fi
	wire_counters
}

shared_mac() {
	ip netns exec "$host" cat /sys/class/net/eth0/address
}

# Named counters at the wire's ingress, one per kind of attack.
wire_counters() {
	wait_for sh -c "ip -n $host -6 addr show dev eth0 scope link | grep -q inet6"
	ip netns exec "$wire" nft -f - <<-EOF
	table netdev tenant {
		counter n_probe { }
		counter n_foreign { }
		counter n_vlan { }
		counter n_arp { }
		counter n_ra { }
		counter n_mcast6 { }
		counter n_bcast4 { }
		chain in {
			type filter hook ingress device peer0 priority 0;
			ether daddr $MAC_PROBE counter name n_probe
			ether daddr $MAC_FOREIGN counter name n_foreign
			ether daddr $MAC_VLAN counter name n_vlan
			ether daddr $MAC_ARP counter name n_arp
			icmpv6 type nd-router-advert counter name n_ra
			ip6 daddr ff00::/8 ip6 saddr != $(wire_host_ll) counter name n_mcast6
			ip daddr 198.51.100.255 counter name n_bcast4
		}
	}
	EOF
}

# The master's own link-local address: its multicast is not the tenant's.
wire_host_ll() {
	ip -n "$host" -6 addr show dev eth0 scope link |
		sed -n 's/.*inet6 \([^/]*\).*/\1/p'
}

# wire_count NAME: frames counted at the wire so far.
wire_count() {
	ip netns exec "$wire" nft list counter netdev tenant "n_$1" |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

expect_wire() {
	local n

	n=$(wire_count "$1")
	expect_eq "$2 (frames on the wire)" "$n" "$3"
}

# The tenant's /sys shows the initial netns: counters come from /proc.
tx_dropped() {
	as_container cat /proc/net/dev | sed -n 's/^ *s0://p' | awk '{ print $12 }'
}

# raw KIND DST [ARGS...]: the tenant sends 5 raw frames out of s0.
raw() {
	as_container python3 "$IPVLAN_SELFTESTS/ipvlan_raw.py" s0 "$@" --count 5
}

# tenant_nl ARGS...: a raw rtnetlink request from the tenant.
tenant_nl() {
	as_container python3 "$IPVLAN_SELFTESTS/ipvlan_nl.py" "$@"
}

# expect_refused ERRNO OUT: a request's answer, as ipvlan_nl.py prints it;
# our driver also names the reason (the extack message).
expect_refused() {
	case "$2" in
	"error $1:"*) ;;
	*) fail "answer '$2', want $1" ;;
	esac
	if improvement && [ "$2" = "error $1: " ]; then
		fail "$1 without a message"
	fi
	return 0
}

port_mode() {
	ip -n "$sib" -d link show s1 | grep -o "ipvlan  mode [a-z0-9]* [a-z]*"
}

all_ipvlan_links() {
	{
		ip -n "$host" -o link show type ipvlan
		ip -n "$sib" -o link show type ipvlan
		as_container ip -o link show type ipvlan
	} | wc -l
}

# 1. A newlink naming the tenant's own slave as its link would reach the
# master: refused, in every mode and flag (set by the host), the port
# unchanged and nothing created.
test_newlink_through_slave() {
	local mode flag before out answer n

	tenant_setup l2
	for mode in l2 l3 l3s; do
		for flag in bridge private vepa; do
			ip -n "$sib" link set s1 type ipvlan mode "$mode" "$flag"
			before=$(port_mode)
			out=$(tenant_nl - <<-EOF
			new --link s0 --name x --mode 0 --flags 2
			new --link s0 --name x --mode 2 --flags 0
			new --link s0 --name x
			EOF
			) || true
			n=0
			while read -r answer; do
				expect_refused EPERM "$answer"
				n=$((n + 1))
			done <<<"$out"
			expect_eq "answers to the 3 requests" "$n" 3
			expect_error "Operation not permitted|Error: " \
				as_container ip link add link s0 name x type ipvlan mode l2 vepa
			expect_eq "port after newlink from $mode $flag" "$(port_mode)" "$before"
			expect_eq "ipvlan links" "$(all_ipvlan_links)" 2
		done
	done
}

# 2. changelink from the tenant: refused in every mode, the port unchanged.
test_changelink_from_tenant() {
	local mode before out

	tenant_setup l2
	for mode in l2 l3 l3s; do
		ip -n "$sib" link set s1 type ipvlan mode "$mode"
		before=$(port_mode)
		out=$(tenant_nl set --name s0 --mode 0 --flags 2) || true
		expect_refused EPERM "$out"
		expect_eq "port after changelink from $mode" "$(port_mode)" "$before"
	done
}

# Host reach opens the host to every slave of the port: the tenant can
# neither turn it on nor off, and is told why.
test_host_reach_from_tenant() {
	local want="error EPERM: Host reach needs CAP_NET_ADMIN over the master's namespace"
	local out

	tenant_setup l2
	out=$(tenant_nl set --name s0 --flags 4) || true
	expect_eq "the tenant turns host reach on" "$out" "$want"
	ipvlan_nl "$sib" set --name s1 --flags 4 >/dev/null
	out=$(tenant_nl set --name s0 --flags 0) || true
	expect_eq "the tenant turns host reach off" "$out" "$want"
	expect_eq "the port" "$(ipvlan_nl "$sib" get --name s1)" "mode 0 flags 0x4"
}

# 3. A MAC change on the slave: refused with its reason.
test_mac_change() {
	local out

	tenant_setup l2
	out=$(tenant_nl set --name s0 --kind "" --address "$FOREIGN") || true
	expect_refused EOPNOTSUPP "$out"
	expect_eq "s0 MAC" "$(as_container ip -br link show s0 | awk '{ print $3 }')" \
		"$(shared_mac)"
}

# The tenant's MTU is its own: the master and the sibling keep theirs.
test_mtu_change() {
	tenant_setup l2
	as_container ip link set s0 mtu 1280
	expect_eq "master MTU" "$(ip netns exec "$host" cat /sys/class/net/eth0/mtu)" 1500
	expect_eq "sibling MTU" "$(ip netns exec "$sib" cat /sys/class/net/s1/mtu)" 1500
}

# 4. The slave as a bridge port or as a macvlan's lower device: refused
# with its reason.
test_enslave() {
	local out

	tenant_setup l2
	as_container ip link add br0 type bridge
	out=$(tenant_nl set --name s0 --kind "" --master br0) || true
	expect_refused EINVAL "$out"
	out=$(tenant_nl new --link s0 --name m0 --kind macvlan) || true
	expect_refused EINVAL "$out"
	if as_container ip link show m0 >/dev/null 2>&1; then
		fail "m0 was created"
	fi
	# the slave still works
	ping_tenant_ok 192.0.2.254
}

ping_tenant_ok() {
	as_container ping -q -c 1 -W 2 "$1" >/dev/null ||
		fail "the tenant's ping to $1 got no reply"
}

# 5a. The control: a frame from the shared MAC leaves, so the counters
# below can see frames.
test_raw_control() {
	tenant_setup l2
	raw probe "$MAC_PROBE"
	expect_wire probe "frames from the shared MAC" 5
}

# 5b. Frames with another source MAC or an 802.1Q tag never leave an L2
# slave; they count as tx_dropped.
test_raw_identity() {
	local before

	tenant_setup l2
	before=$(tx_dropped)
	raw probe "$MAC_FOREIGN" --src "$FOREIGN"
	expect_wire foreign "frames from a foreign MAC" 0
	raw probe "$MAC_VLAN" --vlan 5
	expect_wire vlan "frames with a VLAN tag" 0
	expect_eq "s0 tx_dropped" "$(tx_dropped)" $((before + 10))
}

# 5c. A forged ARP reply, "the router is at another MAC": dropped.
test_forged_arp() {
	tenant_setup l2
	raw arp "$MAC_ARP" --sha "$FOREIGN" --sip 192.0.2.254 --tip 192.0.2.1
	expect_wire arp "forged ARP replies" 0
	# a well-formed one, with the shared MAC, leaves
	raw arp "$MAC_ARP" --sip 192.0.2.10 --tip 192.0.2.254
	expect_wire arp "ARP replies from the shared MAC" 5
}

# 5d. A router advertisement from a slave: no container can route for the
# wire through ipvlan, so none leaves, in any mode.
test_forged_ra() {
	local mode ll

	for mode in l2 l3; do
		tenant_setup "$mode"
		ll=$(as_container ip -6 addr show dev s0 scope link |
			sed -n 's/.*inet6 \([^/]*\).*/\1/p')
		raw ra 33:33:00:00:00:01 --sip "${ll:-fe80::1}"
		expect_wire ra "router advertisements from $mode" 0
		lib_cleanup
	done
}

# 6. L3 and L3S: none of the slave's multicast or broadcast reaches the
# wire (router solicitations, MLD, pings to groups), and it is counted.
test_l3_no_multicast_out() {
	local mode before

	for mode in l3 l3s; do
		tenant_setup "$mode"
		before=$(tx_dropped)
		as_container ping -6 -q -c 3 -i 0.2 -W 1 ff02::1%s0 >/dev/null 2>&1 || true
		as_container ping -6 -q -c 3 -i 0.2 -W 1 -I s0 ff05::2 >/dev/null 2>&1 || true
		as_container ping -q -b -c 3 -i 0.2 -W 1 198.51.100.255 >/dev/null 2>&1 || true
		# coming up again: MLD reports and router solicitations
		as_container ip link set s0 down
		as_container ip link set s0 up
		sleep 1
		expect_wire mcast6 "IPv6 multicast from $mode" 0
		expect_wire bcast4 "IPv4 broadcast from $mode" 0
		[ "$(tx_dropped)" -ge $((before + 6)) ] ||
			fail "$mode: s0 tx_dropped $(tx_dropped), want >= $((before + 6))"
		# unicast still goes out (the routes went with the link)
		as_container ip route add default dev s0
		ping_tenant_ok 192.0.2.254
		lib_cleanup
	done
}

# tenant_rx_counter: counts echo requests reaching the tenant's s0.
tenant_rx_counter() {
	as_admin nft -f - <<-EOF
	table netdev t {
		counter echo { }
		chain in {
			type filter hook ingress device s0 priority 0;
			icmp type echo-request counter name echo
		}
	}
	EOF
}

tenant_echo_count() {
	as_admin nft list counter netdev t echo |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# 7. Claiming a sibling's address: EADDRINUSE in every form.  The port's
# table holds what the check checked: for "A peer B" that is B (the kernel
# shows address validators only B), as in Linux's ipvlan.
test_claim_sibling_address() {
	local out

	tenant_setup l2
	expect_error "Address already in use|Error: " \
		as_container ip addr add 192.0.2.11/24 dev s0
	expect_error "Address already in use|Error: " \
		as_container ip addr add 192.0.2.50 peer 192.0.2.11 dev s0
	expect_error "Address already in use|Error: " \
		as_container ip addr add 2001:db8:1::11/64 dev s0 nodad
	# the sibling's address as the local end of a point-to-point
	# address: the tenant gets its peer address, never the sibling's
	tenant_rx_counter
	as_container ip addr add 192.0.2.11 peer 192.0.2.51 dev s0
	ip -n "$wire" neigh replace 192.0.2.11 lladdr "$(shared_mac)" dev peer0
	ip -n "$wire" neigh replace 192.0.2.51 lladdr "$(shared_mac)" dev peer0
	ping_ok "$wire" 192.0.2.11
	expect_eq "echo requests for the sibling at the tenant" "$(tenant_echo_count)" 0
	ip netns exec "$wire" ping -q -c 2 -i 0.2 -W 1 192.0.2.51 >/dev/null 2>&1 || true
	expect_eq "echo requests for the tenant's peer address" "$(tenant_echo_count)" 2
}

# 7b. Improvement: the master's own addresses are the host's, not a
# tenant's to claim (stock hands the host's traffic to the tenant).
test_claim_host_address() {
	tenant_setup l2
	expect_error "Address already in use|Error: " \
		as_container ip addr add 192.0.2.1/24 dev s0
	expect_error "Address already in use|Error: " \
		as_container ip addr add 2001:db8:1::1/64 dev s0 nodad
	ping_ok "$wire" 192.0.2.1
}

# 8. private: the sibling hears nothing of the tenant, unicast, multicast
# or broadcast.
sib_counter() {
	ip netns exec "$sib" nft -f - <<-EOF
	table netdev t {
		counter from_tenant { }
		chain in {
			type filter hook ingress device s1 priority 0;
			ip saddr 192.0.2.10 counter name from_tenant
		}
	}
	EOF
}

sib_heard() {
	ip netns exec "$sib" nft list counter netdev t from_tenant |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

test_private_sibling() {
	tenant_setup l2 private
	sib_counter
	as_container ip neigh replace 192.0.2.11 lladdr "$(shared_mac)" dev s0 nud permanent
	if as_container ping -q -c 2 -i 0.2 -W 1 192.0.2.11 >/dev/null 2>&1; then
		fail "the tenant reached its private sibling by unicast"
	fi
	expect_eq "packets from the tenant at the sibling (unicast)" "$(sib_heard)" 0
	as_container ping -q -b -c 2 -i 0.2 -W 1 192.0.2.255 >/dev/null 2>&1 || true
	as_container ping -q -c 2 -i 0.2 -W 1 -I s0 224.0.0.1 >/dev/null 2>&1 || true
	if improvement; then
		expect_eq "packets from the tenant at the sibling (broadcast, multicast)" \
			"$(sib_heard)" 0
	fi
}

ALL_TESTS=(
	"test_newlink_through_slave|a newlink through the tenant's slave: EPERM, port unchanged, nothing created"
	"test_changelink_from_tenant|a changelink from the tenant: EPERM, port unchanged"
	"improvement test_host_reach_from_tenant|host reach from the tenant, on or off: EPERM, port unchanged"
	"test_mac_change|a MAC change on the tenant's slave: EOPNOTSUPP"
	"test_mtu_change|the tenant's MTU change stays on its slave"
	"test_enslave|the slave as bridge port or macvlan lower: EINVAL"
	"test_raw_control|control: the tenant's raw frames from the shared MAC reach the wire"
	"improvement test_raw_identity|frames with a foreign source MAC or a VLAN tag are dropped and counted"
	"improvement test_forged_arp|a forged ARP reply (foreign sender MAC) does not leave"
	"improvement test_forged_ra|a router advertisement from a slave does not leave"
	"test_l3_no_multicast_out|L3/L3S: a slave's multicast and broadcast never reach the wire"
	"test_claim_sibling_address|claiming a sibling's address: EADDRINUSE, the sibling keeps its traffic"
	"improvement test_claim_host_address|claiming the master's own address: EADDRINUSE"
	"test_private_sibling|private: the sibling hears nothing of the tenant"
)

run_all_tests "${ALL_TESTS[@]}"
