# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the fuzz, stress and regression scripts: the frame fuzzer
# binary, built on the fly, and namespaces that ignore what fuzzed frames
# tell them (router advertisements, redirects).

FUZZ_FRAMES_SRC=$IPVLAN_SELFTESTS/ipvlan_fuzz_frames.c
FUZZ_FRAMES=$IPVLAN_SELFTESTS/ipvlan_fuzz_frames

# Build ipvlan_fuzz_frames when missing or older than its source; skip the
# whole script (exit 4) when that needs gcc and there is none.
require_fuzz_frames() {
	[ -x "$FUZZ_FRAMES" ] && [ ! "$FUZZ_FRAMES_SRC" -nt "$FUZZ_FRAMES" ] &&
		return 0
	command -v gcc >/dev/null || skip_all "needs gcc to build ipvlan_fuzz_frames"
	# into a private name first: VMs running side by side share this
	# directory, and one must not run the half-written binary of another
	gcc -O2 -Wall -o "$FUZZ_FRAMES.$$" "$FUZZ_FRAMES_SRC" ||
		skip_all "ipvlan_fuzz_frames does not build"
	mv -f "$FUZZ_FRAMES.$$" "$FUZZ_FRAMES"
}

# A namespace that a fuzzer's RAs, redirects and ARP cannot reconfigure.
ns_harden() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.accept_redirects=0 \
		net.ipv6.conf.default.accept_redirects=0 \
		net.ipv4.conf.all.accept_redirects=0 \
		net.ipv4.conf.default.accept_redirects=0 >/dev/null
}

# The MAC address of DEV in namespace NS.
dev_mac() {
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}
