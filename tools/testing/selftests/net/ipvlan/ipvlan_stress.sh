#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Seeded, time-bounded chaos while traffic runs: 3 masters with 64 slaves
# each spread over 32 namespaces; in parallel and at random, workers add
# and delete slaves, add and delete IPv4/IPv6 addresses, toggle masters up
# and down, change mode and flags, move slaves and masters between
# namespaces, delete namespaces with slaves inside, delete and recreate a
# master, and try to remove and insert the module, while ping floods,
# broadcasts, multicast, pktgen (when built) and iperf3 (when installed)
# run from the wire.
#
# Afterwards: no address is live on two up slaves of one master, every
# device and namespace created is gone, and ipvlan's refcount is 0 (it
# unloads).  Kernel splats and leaks are caught by vm.sh.
#
#   DURATION: seconds of chaos (default 40); SEED (default 1)
#
#   +- c0 -+ +- c1 -+ ... +- c31 -+     slaves s<k>_<i> of master m<k>
#   +--#---+ +--#---+     +---#---+
#   +--#--------#-- host ----#----+     (host2: where masters move to)
#   |  m0        m1        m2     |
#   +--#---------#---------#------+
#   +--#---------#---------#------+
#   |  w0        w1        w2     |  wire: 10.10k.255.254/16
#   +-------------- wire ---------+

set -e
cd "$(dirname "$0")"
. ./lib.sh
. ./fuzz_lib.sh

require_root
require_cmd ip ping modprobe

DURATION=${DURATION:-40}
# seconds between module removals: a fifth of the run, 15 s at least
MODULE_EVERY=${MODULE_EVERY:-$((DURATION / 5 > 15 ? DURATION / 5 : 15))}
SEED=${SEED:-1}
NMASTERS=3
NSLAVES=64
NNS=32
POOL=24		# addresses per master and family: small, to collide

TAG=$(mktemp -u XXXXXX)
H=ipvl-str-$TAG-host
H2=ipvl-str-$TAG-host2
W=ipvl-str-$TAG-wire
STATE=$(mktemp -d)
have_iperf=0
command -v iperf3 >/dev/null && have_iperf=1

cns() { echo "ipvl-str-$TAG-c$1"; }

# every namespace of the run
ALL_NS=("$H" "$H2" "$W")
for ((j = 0; j < NNS; j++)); do
	ALL_NS+=("$(cns "$j")")
done

new_ns() {
	ip netns add "$1" 2>/dev/null || return 1
	ns_tune "$1"
	ns_harden "$1"
}

# Where master k is now (it moves between host and host2), or nothing.
master_ns() {
	if ip -n "$H" link show "m$1" >/dev/null 2>&1; then
		echo "$H"
	elif ip -n "$H2" link show "m$1" >/dev/null 2>&1; then
		echo "$H2"
	fi
}

make_master() {
	local k=$1

	ip -n "$H" link add "m$k" type veth peer name "w$k" netns "$W" || return 1
	ip -n "$H" link set "m$k" up
	ip -n "$W" link set "w$k" up 2>/dev/null || true
	# a recreated master has a new wire end: address it again
	ip -n "$W" addr add "10.10$k.255.254/16" dev "w$k" 2>/dev/null || true
	ip -n "$W" addr add "2001:db8:10$k::fffe/64" dev "w$k" nodad \
		2>/dev/null || true
	ip -n "$H" addr add "10.10$k.255.1/16" dev "m$k"
	ip -n "$H" addr add "2001:db8:10$k::ff01/64" dev "m$k" nodad
	wire_neigh "$k"
}

# The wire reaches the pool addresses at the master's MAC without asking:
# in L3 modes nobody answers ARP or ND for a slave.
wire_neigh() {
	local k=$1 mac a

	mac=$(dev_mac "$H" "m$k") || return 0
	for a in $(seq 1 "$POOL"); do
		echo "neigh replace 10.10$k.0.$a lladdr $mac dev w$k nud permanent"
		echo "neigh replace 2001:db8:10$k::$a lladdr $mac dev w$k nud permanent"
	done | ip -n "$W" -batch - 2>/dev/null || true
}

# add_slave K I: slave s<K>_<I> of master K in a random namespace, up.
add_slave() {
	local k=$1 i=$2 mns ns

	mns=$(master_ns "$k")
	[ -n "$mns" ] || return 1
	ns=$(cns $((RANDOM % NNS)))
	ip -n "$mns" link add link "m$k" name "s${k}_$i" type ipvlan \
		2>/dev/null || return 1
	ip -n "$mns" link set "s${k}_$i" netns "$ns" 2>/dev/null || {
		ip -n "$mns" link del "s${k}_$i" 2>/dev/null
		return 1
	}
	ip -n "$ns" link set "s${k}_$i" up
}

# rand_slave: "NS NAME" of a random slave, or nothing.
rand_slave() {
	local ns name

	ns=$(cns $((RANDOM % NNS)))
	name=$(ip -n "$ns" -o link show type ipvlan 2>/dev/null |
	       awk -F': ' '{sub(/@.*/, "", $2); print $2}' | shuf -n 1 \
	       --random-source=<(yes "$RANDOM"))
	[ -n "$name" ] && echo "$ns $name"
}

setup() {
	local -a modes=(l2 l3 l2) up=()
	local k i j batch mode

	printf -v batch 'netns add %s\n' "${ALL_NS[@]}"
	ip -batch - <<<"$batch"
	ns_tune "${ALL_NS[@]}"
	ns_harden "${ALL_NS[@]}"
	for ((k = 0; k < NMASTERS; k++)); do
		make_master "$k"
		ip -n "$H" link set "m$k" type veth 2>/dev/null || true
		# the first slave sets the port's mode, the others keep it;
		# slave i of master k goes to namespace (k * NSLAVES + i) % NNS
		batch=""
		mode="mode ${modes[k]}"
		for ((i = 0; i < NSLAVES; i++)); do
			j=$(((k * NSLAVES + i) % NNS))
			batch+="link add link m$k name s${k}_$i type ipvlan $mode"$'\n'
			batch+="link set s${k}_$i netns ${ALL_NS[j + 3]}"$'\n'
			up[j]+="link set s${k}_$i up"$'\n'
			mode=""
		done
		ip -n "$H" -batch - <<<"$batch"
	done
	for ((j = 0; j < NNS; j++)); do
		ip -n "${ALL_NS[j + 3]}" -batch - <<<"${up[j]}"
	done
}

# ---- workers: each loops until the deadline, counting what it did
count() {
	echo "$1" >>"$STATE/count.$BASHPID"
}

# Operations are "ok" or "refused" (by the kernel, often rightly: the
# slave is gone, the address taken); traffic is "clean" or "lossy".
worker() {
	local name=$1 id=$2 good=ok bad=refused

	case "$name" in
	ping*|bcast|mcast|iperf|pktgen) good=clean bad=lossy ;;
	esac
	RANDOM=$((SEED * 1000 + id))
	while [ "$(date +%s)" -lt "$DEADLINE" ]; do
		if "w_$name" >>"$STATE/out.$name" 2>&1; then
			count "$name $good"
		else
			count "$name $bad"
		fi
	done
}

w_slaves() {
	local k=$((RANDOM % NMASTERS)) s

	if [ $((RANDOM % 2)) -eq 0 ]; then
		add_slave "$k" $((NSLAVES + RANDOM % 64))
	else
		s=$(rand_slave) || return 1
		ip -n "${s% *}" link del "${s#* }"
	fi
}

w_addrs() {
	local s ns dev k a

	s=$(rand_slave) || return 1
	ns=${s% *}
	dev=${s#* }
	k=${dev#s}
	k=${k%%_*}
	# adds outnumber deletions, so that the pools fill up and collide
	case $((RANDOM % 5)) in
	0 | 1) ip -n "$ns" addr add "10.10$k.0.$((1 + RANDOM % POOL))/16" dev "$dev" ;;
	2 | 3) ip -n "$ns" addr add "2001:db8:10$k::$((1 + RANDOM % POOL))/64" \
		dev "$dev" nodad ;;
	*)
		a=$(ip -n "$ns" -o addr show dev "$dev" scope global |
		    awk '{print $4}' | shuf -n 1 --random-source=<(yes "$RANDOM"))
		[ -n "$a" ] && ip -n "$ns" addr del "$a" dev "$dev"
		;;
	esac
}

w_updown() {
	local k=$((RANDOM % NMASTERS)) mns

	mns=$(master_ns "$k")
	[ -n "$mns" ] || return 1
	ip -n "$mns" link set "m$k" down
	sleep 0.$((RANDOM % 3))
	ip -n "$mns" link set "m$k" up
}

w_mode() {
	local s modes=(l2 l3 l3s) flags=(bridge private vepa)

	s=$(rand_slave) || return 1
	ip -n "${s% *}" link set "${s#* }" type ipvlan \
		mode "${modes[RANDOM % 3]}" "${flags[RANDOM % 3]}"
}

w_move() {
	local s ns

	s=$(rand_slave) || return 1
	ns=$(cns $((RANDOM % NNS)))
	ip -n "${s% *}" link set "${s#* }" netns "$ns"
	ip -n "$ns" link set "${s#* }" up
}

w_master_move() {
	local k=$((RANDOM % NMASTERS)) mns to

	mns=$(master_ns "$k")
	[ -n "$mns" ] || return 1
	[ "$mns" = "$H" ] && to=$H2 || to=$H
	ip -n "$mns" link set "m$k" netns "$to"
	ip -n "$to" link set "m$k" up
	ip -n "$to" addr add "10.10$k.255.1/16" dev "m$k" 2>/dev/null || true
}

w_ns_del() {
	local ns

	sleep 1
	ns=$(cns $((RANDOM % NNS)))
	ip netns del "$ns"
	new_ns "$ns"
}

w_master_del() {
	local k=$((RANDOM % NMASTERS)) mns i

	sleep 2
	mns=$(master_ns "$k")
	[ -n "$mns" ] || return 1
	ip -n "$mns" link del "m$k"
	make_master "$k" || return 1
	for i in $(seq 0 7); do
		add_slave "$k" "$i" || true
	done
}

# Removing the module deletes every slave: do it now and then, and bring
# some slaves back, so that the other workers have something to work on.
w_module() {
	local k i rc

	sleep "$MODULE_EVERY"
	SECONDS=0
	# ipvtap (loaded by earlier tests) holds ipvlan
	rmmod ipvtap 2>/dev/null || true
	modprobe -r ipvlan || rc=1
	echo "module: removal ${rc:+refused }after $SECONDS s"
	modprobe ipvlan
	for k in $(seq 0 $((NMASTERS - 1))); do
		for i in $(seq 1 4); do
			add_slave "$k" $((NSLAVES + 100 + i)) || true
		done
	done
	return "${rc:-0}"
}

# traffic: ping floods from the wire to the pools, broadcasts, iperf3.
# A ping with a deadline and no count is clean when any reply came back.
w_ping() {
	local k=$((RANDOM % NMASTERS))

	ip netns exec "$W" ping -q -f -w 2 "10.10$k.0.$((1 + RANDOM % POOL))"
}

w_ping6() {
	local k=$((RANDOM % NMASTERS))

	ip netns exec "$W" ping -q -f -w 2 "2001:db8:10$k::$((1 + RANDOM % POOL))"
}

w_bcast() {
	local k=$((RANDOM % NMASTERS))

	ip netns exec "$W" ping -q -b -i 0.01 -w 2 "10.10$k.255.255"
}

# iperf3 from a slave that has an IPv4 address, to the wire
w_iperf() {
	local ns line dev addr k

	for _ in 1 2 3 4; do
		ns=$(cns $((RANDOM % NNS)))
		line=$(ip -n "$ns" -o -4 addr show scope global 2>/dev/null |
		       awk '$2 ~ /^s[0-9]+_/ { sub(/\/.*/, "", $4); print $2, $4 }' |
		       shuf -n 1 --random-source=<(yes "$RANDOM"))
		[ -n "$line" ] && break
	done
	[ -n "$line" ] || return 1
	dev=${line% *}
	addr=${line#* }
	k=${dev#s}
	k=${k%%_*}
	timeout 10 ip netns exec "$ns" iperf3 -c "10.10$k.255.254" -t 2 -B "$addr"
}

# multicast to all hosts, over IPv4 and IPv6, from the wire
w_mcast() {
	local k=$((RANDOM % NMASTERS))

	if [ $((RANDOM % 2)) -eq 0 ]; then
		ip netns exec "$W" ping -q -i 0.01 -w 2 -I "w$k" 224.0.0.1
	else
		ip netns exec "$W" ping -6 -q -i 0.01 -w 2 "ff02::1%w$k"
	fi
}

# pktgen injects UDP into a master as if from the wire (xmit_mode
# netif_receive), to random pool addresses, unicast or broadcast, IPv4 or
# IPv6.  Its frames are shared skbs: the driver must not change them.
w_pktgen() {
	local k=$((RANDOM % NMASTERS)) pg=/proc/net/pktgen mns mac dst n

	mns=$(master_ns "$k")
	[ -n "$mns" ] || return 1
	mac=$(dev_mac "$mns" "m$k") || return 1
	# a broadcast costs a copy per slave: fewer of them
	n=5000
	if [ $((RANDOM % 4)) -eq 0 ]; then
		mac=ff:ff:ff:ff:ff:ff
		n=500
	fi
	if [ $((RANDOM % 2)) -eq 0 ]; then
		dst="dst_min 10.10$k.0.1
dst_max 10.10$k.0.$POOL
flag IPDST_RND"
	else
		dst="dst6 2001:db8:10$k::$((1 + RANDOM % POOL))"
	fi
	timeout 10 ip netns exec "$mns" bash -c "
		[ -d $pg ] || exit 1
		echo rem_device_all >$pg/kpktgend_0
		echo 'add_device m$k' >$pg/kpktgend_0 || exit 1
		while read -r cmd; do
			echo \"\$cmd\" >$pg/m$k || exit 1
		done <<EOC
count $n
pkt_size 80
clone_skb 0
delay 0
xmit_mode netif_receive
udp_dst_min 9
udp_dst_max 9
dst_mac $mac
$dst
EOC
		echo start >$pg/pgctrl"
}

# ---- checks
# For each master, no address is on two up slaves.
check_unique() {
	local ns

	# "master address namespace slave" for each address of an up slave
	for ns in "${ALL_NS[@]}"; do
		echo "netns $ns"
		ip -n "$ns" -o addr show up scope global 2>/dev/null
	done | awk '
		$1 == "netns" { ns = $2; next }
		{ d = $2; sub(/@.*/, "", d) }
		d ~ /^s[0-9]+_[0-9]+$/ {
			k = d; sub(/^s/, "", k); sub(/_.*/, "", k)
			print k, $4, ns, d
		}' >"$STATE/addrs"
	awk '{ key = $1 " " $2; n[key]++; who[key] = who[key] " " $3 "/" $4 }
	     END { for (k in n) if (n[k] > 1) { print "master m" k " on" who[k]; bad = 1 }
		   exit bad }' "$STATE/addrs"
}

ipvlan_refs() {
	awk '$1 == "ipvlan" { print $3 }' /proc/modules
}

cleanup_all() {
	local ns

	for ns in "${ALL_NS[@]}"; do
		[ ! -e "/run/netns/$ns" ] || echo "netns del $ns"
	done | ip -force -batch - >/dev/null 2>&1 || true
}

on_exit() {
	cleanup_all
	rm -rf "$STATE"
}
trap on_exit EXIT

# What each worker did, and what one that never succeeded last said.
chaos_report() {
	local f w result
	local -A succeeded=()

	cat "$STATE"/count.* 2>/dev/null | sort | uniq -c |
		awk '{ printf "#   %-12s %-8s %d\n", $2, $3, $1 }'
	for f in "$STATE"/count.*; do
		while read -r w result; do
			[[ "$result" != ok && "$result" != clean ]] ||
				succeeded[$w]=1
		done <"$f"
	done
	for f in "$STATE"/out.*; do
		w=${f##*/out.}
		[ -z "${succeeded[$w]:-}" ] || continue
		echo "# $w never succeeded; it last said:"
		tail -n 3 "$f" | sed 's/^/#     /'
	done
	sed 's/^/# /' "$STATE/out.module" 2>/dev/null || true
}

# The run's four steps, in order: each one checks what the chaos left.
test_chaos() {
	local start rc=0 pids=() id=0 workers w p total iperf_pid=

	start=$(date +%s)
	setup
	echo "# setup: $NMASTERS masters x $NSLAVES slaves in $NNS namespaces in $(($(date +%s) - start)) s"
	if [ "$have_iperf" = 1 ]; then
		ip netns exec "$W" iperf3 -s >/dev/null 2>&1 &
		iperf_pid=$!
	else
		echo "# iperf3 not installed: ping floods only"
	fi

	DEADLINE=$(($(date +%s) + DURATION))
	workers=(slaves slaves addrs addrs addrs updown mode move move master_move
		 ns_del master_del module ping ping6 bcast mcast)
	if [ -d /proc/net/pktgen ]; then
		workers+=(pktgen)
	else
		echo "# no pktgen (CONFIG_NET_PKTGEN): no injected traffic"
	fi
	[ "$have_iperf" = 1 ] && workers+=(iperf)
	for w in "${workers[@]}"; do
		id=$((id + 1))
		worker "$w" "$id" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	[ -z "$iperf_pid" ] || kill "$iperf_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	echo "# seed $SEED, $DURATION s of chaos, ${#workers[@]} workers:"
	chaos_report
	total=$(cat "$STATE"/count.* 2>/dev/null | wc -l)
	echo "# $total operations; slaves now: $(for ns in "${ALL_NS[@]}"; do
		ip -n "$ns" -o link show type ipvlan 2>/dev/null; done | wc -l)"
	[ "$rc" -eq 0 ] || fail "a worker failed"
	[ "$total" -gt 0 ] || fail "no operation completed"
}

test_addresses_unique() {
	local out

	out=$(check_unique) || fail "$(echo "$out" | head -20)"
}

# everything goes: namespaces (with their slaves), then the module
test_all_gone() {
	local ns left=""

	cleanup_all
	for ns in "${ALL_NS[@]}"; do
		[ -e "/run/netns/$ns" ] && left="$left $ns"
	done
	[ -z "$(ip -o link show type ipvlan)" ] || left="$left ipvlan-links-in-init-ns"
	[ -z "$left" ] || fail "left behind:$left"
}

ipvlan_unused() {
	local refs

	refs=$(awk '$1 == "ipvlan" { print $3 }' /proc/modules)
	[ -z "$refs" ] || [ "$refs" = 0 ]
}

test_module_unloads() {
	rmmod ipvtap 2>/dev/null || true
	wait_for ipvlan_unused || fail "ipvlan refcount: $(ipvlan_refs)"
	modprobe -r ipvlan
	modprobe ipvlan
	modprobe -r ipvlan
}

ALL_TESTS=(
	"test_chaos|$DURATION s of chaos: every worker ran and none failed"
	"test_addresses_unique|after the chaos, no address is held by two slaves"
	"test_all_gone|the namespaces deleted, no slave is left"
	"test_module_unloads|ipvlan unloads, loads and unloads again"
)

run_all_tests "${ALL_TESTS[@]}"
