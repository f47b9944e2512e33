# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the ipvlan selftests, over the kernel's own: a script
# lists its tests in ALL_TESTS, one "function|sentence" each, and ends
# with run_all_tests.  Each test runs in its own subshell with errexit,
# makes its namespaces with make_ns, and fails with what it saw against
# what it expected (fail, expect_eq, expect_error...).
#
# IPVLAN=stock marks a run against Linux's own ipvlan.ko: an entry
# "improvement fn|..." is one of this project's improvements and skipped
# there, "since X.Y fn|..." what Linux's ipvlan learned in X.Y, skipped on
# older stock modules.

# The kernel's own helpers: net/lib.sh (setup_ns, cleanup_ns, busywait...)
# and kselftest/ktap_helpers.sh (KTAP output and its totals).  In a kernel
# tree they sit beside this directory; out of tree, in the unpacked Linux
# source the harness builds its kernels from (build/linux-source-*), the
# newest first.  KSFT_DIR names another tools/testing/selftests.
IPVLAN_SELFTESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ksft_dir() {
	local top=$IPVLAN_SELFTESTS/../../../../..
	local d

	for d in "${KSFT_DIR:-}" "$IPVLAN_SELFTESTS/../.." \
		 $(printf '%s\n' "${BUILD:-$top/build}"/linux-source-*/tools/testing/selftests |
		   sort -rV); do
		if [ -f "$d/net/lib.sh" ] && [ -f "$d/kselftest/ktap_helpers.sh" ] &&
		   grep -q '^setup_ns()' "$d/net/lib.sh"; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

if ! KSFT_DIR=$(ksft_dir); then
	echo "TAP version 13"
	echo "1..0 # SKIP needs the kernel's net/lib.sh and ktap_helpers.sh: make kernel unpacks them"
	exit 4
fi
# shellcheck source=/dev/null
. "$KSFT_DIR/net/lib.sh"
# shellcheck source=/dev/null
. "$KSFT_DIR/kselftest/ktap_helpers.sh"
# shellcheck source=topo.sh
. "$IPVLAN_SELFTESTS/topo.sh"

IPVLAN=${IPVLAN:-ours}
CONTAINERS=()

# Skip the whole script (exit 4) when something it needs is missing.
skip_all() {
	ktap_print_header
	ktap_skip_all "$*"
	exit "$KSFT_SKIP"
}

# build_helper NAME: NAME.c beside this file built into NAME when that is
# missing or older than its source; fails when that needs gcc and there
# is none, or it does not build.
build_helper() {
	local bin=$IPVLAN_SELFTESTS/$1

	[ -x "$bin" ] && [ ! "$bin.c" -nt "$bin" ] && return 0
	command -v gcc >/dev/null || return 1
	# into a private name first: VMs running side by side share this
	# directory, and one must not run the half-written binary of another
	if ! gcc -O2 -Wall -o "$bin.$$" "$bin.c"; then
		rm -f "$bin.$$"
		return 1
	fi
	mv -f "$bin.$$" "$bin"
}

# ipvlan_nsctl, for ns_sysctl; without it, ip and sysctl do the same
NSCTL=$IPVLAN_SELFTESTS/ipvlan_nsctl
build_helper ipvlan_nsctl 2>/dev/null || NSCTL=""

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
}

require_cmd() {
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null || skip_all "needs $c"
	done
}

# make_ns VAR...: what the kernel's setup_ns does, a namespace with a
# unique name in each VAR, its loopback up, listed in NS_LIST (so deleted
# when the test ends), each tuned for traffic tests (ns_tune); all of them
# with one ipvlan_nsctl (or one ip and ns_tune without it), where setup_ns
# starts four processes a namespace, and under UML a process costs 70 to
# 200 ms.
make_ns() {
	local var ns add
	local -a names=()

	for var in "$@"; do
		printf -v ns '%s-%04x%04x' "${var,,}" "$RANDOM" "$RANDOM"
		printf -v "$var" '%s' "$ns"
		NS_LIST+=("$ns")
		names+=("$ns")
	done
	if [ -n "$NSCTL" ]; then
		"$NSCTL" -l "${names[@]/#/-a}" "${NS_TUNE[@]}"
		return
	fi
	# a pipe from printf would cost a process too
	printf -v add 'netns add %s\n' "${names[@]}"
	ip -batch - <<<"$add"
	ns_tune "${names[@]}"
}

# delete_all_ns: what the kernel's cleanup_all_ns does (kill what runs in
# each namespace of NS_LIST, delete it), with one process in all where
# cleanup_all_ns starts seven per namespace, which under UML cost more
# than most tests: a process is in a namespace when its /proc/PID/ns/net
# is the file bound at /var/run/netns/NAME.
delete_all_ns() {
	local ns proc batch=""
	local -a names=()

	for ns in "${NS_LIST[@]}"; do
		[ -e "/var/run/netns/$ns" ] || continue
		for proc in /proc/[0-9]*; do
			if [ "$proc/ns/net" -ef "/var/run/netns/$ns" ]; then
				kill "${proc#/proc/}" 2>/dev/null || true
			fi
		done
		names+=("$ns")
		batch+="netns delete $ns"$'\n'
	done
	NS_LIST=()
	if [ "${#names[@]}" -eq 0 ]; then
		return 0
	elif [ -n "$NSCTL" ]; then
		"$NSCTL" "${names[@]/#/-d}" 2>/dev/null || true
	else
		ip -force -batch - <<<"$batch" >/dev/null 2>&1 || true
	fi
}

lib_cleanup() {
	local pid

	for pid in "${CONTAINERS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	CONTAINERS=()
	delete_all_ns
}

# A test that cannot run here ends itself with skip REASON.
skip() {
	echo "$*"
	exit "$KSFT_SKIP"
}

# Run one test function in a subshell with errexit: any failing command
# fails the test, exit 4 (skip) skips it, and its lines that start with
# "# " (figures) are printed when it passes.  Namespaces and containers it
# makes are gone when it ends.
run_test() {
	local name=$1
	local out line rc start=$SECONDS

	shift
	set +e
	# shellcheck disable=SC2030,SC2034 # the test's own, in its subshell
	out=$(NS_LIST=(); CONTAINERS=(); trap lib_cleanup EXIT; set -e; "$@" 2>&1)
	rc=$?
	set -e
	case "$rc" in
	0)
		# what a passing test has to say: its "# " lines, or all
		if [ -n "${VERBOSE:-}" ]; then
			[ -z "$out" ] || echo "# ${out//$'\n'/$'\n'# }"
		else
			while IFS= read -r line; do
				[[ "$line" != "# "* ]] || echo "$line"
			done <<<"$out"
		fi
		ktap_test_pass "$name"
		;;
	"$KSFT_SKIP")
		echo "$out" | tail -n 1 | sed 's/^/# skipped: /'
		ktap_test_skip "$name"
		;;
	*)
		echo "$out" | tail -n 20 | sed 's/^/# /'
		ktap_test_fail "$name"
		;;
	esac
	echo "# in $((SECONDS - start)) s"
	return 0
}

# A behaviour where this project deliberately differs from stock.
improvement() {
	[ "$IPVLAN" != stock ]
}

# kernel_before X.Y: is the running kernel older than Linux X.Y?
kernel_before() {
	local want=$1 have

	have=$(uname -r | cut -d. -f1,2)
	[ "$have" != "$want" ] &&
		[ "$(printf '%s\n%s\n' "$have" "$want" | sort -V | head -n 1)" = "$have" ]
}

# run_entry "[improvement|since X.Y] fn [args]|sentence": one ALL_TESTS
# entry.  An improvement is skipped on stock; "since X.Y" marks what Linux's
# own ipvlan learned in X.Y, skipped on older stock modules.
run_entry() {
	local name=${1#*|}
	local -a spec

	read -r -a spec <<<"${1%%|*}"
	case "${spec[0]}" in
	improvement)
		if ! improvement; then
			echo "# skipped: an improvement over stock ipvlan"
			ktap_test_skip "$name"
			return
		fi
		spec=("${spec[@]:1}")
		;;
	since)
		if ! improvement && kernel_before "${spec[1]}"; then
			echo "# skipped: stock ipvlan has it since Linux ${spec[1]}"
			ktap_test_skip "$name"
			return
		fi
		spec=("${spec[@]:2}")
		;;
	esac
	run_test "$name" "${spec[@]}"
}

# run_all_tests "${ALL_TESTS[@]}": every entry, in order, as KTAP with the
# plan counted from the list; exits with the kselftest status.
run_all_tests() {
	local entry

	ktap_print_header
	ktap_set_plan "$#"
	for entry in "$@"; do
		run_entry "$entry"
	done
	lib_cleanup
	ktap_finished
}

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# Run a command that must fail; check the message it prints.
# expect_error PATTERN cmd...
expect_error() {
	local pattern=$1
	local out

	shift
	if out=$("$@" 2>&1); then
		fail "'$*' succeeded, expected an error matching '$pattern'"
		return 1
	fi
	echo "$out" | grep -Eq -- "$pattern" ||
		fail "'$*' said '$out', expected '$pattern'"
}

# Poll for up to ~10 s instead of sleeping a fixed time.
wait_for() {
	local i

	for ((i = 0; i < 100; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}

# ping_ok NS ADDR: one reply within 2 s.
ping_ok() {
	ip netns exec "$1" ping -q -c 1 -W 2 "$2" >/dev/null ||
		fail "ping from $1 to $2 got no reply"
}

ping_fails() {
	if ip netns exec "$1" ping -q -c 1 -W 1 "$2" >/dev/null 2>&1; then
		fail "ping from $1 to $2 got a reply"
		return 1
	fi
}

# in_ns NS <<EOF: ip's commands, one a line, in NS, in one ip process
# (under UML, each process costs as much as a small test).
in_ns() {
	ip -n "$1" -batch -
}

# A master for slaves: one end of a veth pair in $1, named $2; the other
# end, named $4, in namespace $3.
make_wire() {
	in_ns "$1" <<-EOF
	link add $2 type veth peer name $4 netns $3
	link set $2 up
	EOF
	ip -n "$3" link set "$4" up
}

no_slaves_in() {
	[ "$(link_count "$1")" -eq 0 ]
}

link_count() {
	ip -n "$1" -o link show type ipvlan 2>/dev/null | wc -l
}

ipvlan_loaded() {
	[ -d /sys/module/ipvlan ]
}

# ipvlan_nl NS ARGS...: raw rtnetlink request from namespace NS.
ipvlan_nl() {
	local ns=$1

	shift
	ip netns exec "$ns" python3 "$IPVLAN_SELFTESTS/ipvlan_nl.py" "$@"
}

# expect_errno NS ERRNO ARGS...: the request fails with exactly ERRNO.
expect_errno() {
	local ns=$1
	local want=$2
	local out

	shift 2
	out=$(ipvlan_nl "$ns" "$@") && fail "'$*' succeeded, want $want"
	case "$out" in
	"error $want:"*) ;;
	*) fail "'$*' said '$out', want $want" ;;
	esac
}

# ns_tune NS...: quiet and quick for traffic tests: loopback up, no DAD,
# answers to broadcast and multicast echo requests.
NS_TUNE=(net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	 net.ipv4.icmp_echo_ignore_broadcasts=0)

ns_tune() {
	ns_sysctl -l "$@" -- "${NS_TUNE[@]}"
}

# ns_sysctl [-l] NS... -- KEY=VALUE...: the loopback up (-l) and each
# sysctl set in every NS; one process in all when ipvlan_nsctl is built
# (NSCTL), else two a namespace.
ns_sysctl() {
	local lo="" ns
	local -a names=()

	if [ "$1" = -l ]; then
		lo=-l
		shift
	fi
	while [ "$1" != -- ]; do
		names+=("$1")
		shift
	done
	shift
	if [ -n "$NSCTL" ]; then
		"$NSCTL" $lo "${names[@]/#/-n}" "$@"
		return
	fi
	for ns in "${names[@]}"; do
		[ -z "$lo" ] || ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw "$@" >/dev/null
	done
}

# responders NS ARGS...: the distinct addresses that answered a ping.
responders() {
	local ns=$1

	shift
	ip netns exec "$ns" ping -q -c 2 -i 0.3 -w 2 "$@" 2>/dev/null >/dev/null || true
	ip netns exec "$ns" ping -c 2 -i 0.3 -w 2 "$@" 2>/dev/null |
		sed -n 's/^[0-9]* bytes from \([^ ]*\): .*/\1/p' |
		sed 's/%.*//; s/:$//' | sort -u
}

# container: a process in a new user namespace (root mapped to root) and
# a new netns owned by it.  Sets $cpid; lib_cleanup kills it.
container() {
	unshare --user --map-root-user --net sleep 300 >/dev/null 2>&1 &
	cpid=$!
	# shellcheck disable=SC2031 # in the test's subshell, as run_test
	CONTAINERS+=("$cpid")
	wait_for in_own_userns "$cpid"
}

in_own_userns() {
	[ "$(readlink "/proc/$1/ns/user")" != "$(readlink /proc/self/ns/user)" ] &&
		[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

# as_container CMD...: run CMD as the container's root.
as_container() {
	nsenter --target "$cpid" --user --net -- "$@"
}

# as_admin CMD...: run CMD in the container's netns with all capabilities
# of the initial user namespace.
as_admin() {
	nsenter --target "$cpid" --net -- "$@"
}
