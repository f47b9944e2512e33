#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and cache a User-Mode Linux kernel from Debian's
# linux-source-6.12, with CONFIG_IPVLAN=m so that the stock ipvlan.ko is
# built beside ours.  Prints the kernel's build directory on stdout.
#
#   kernel.sh [debug|perf]
#
# The kernel is rebuilt only when the config fragments or the source change.
# BUILD (default: <repo>/build) holds the unpacked source and the kernels.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../../../.." && pwd)
flavor=${1:-debug}
build=${BUILD:-$top/build}
kver=${KVER:-6.12}
tarball=/usr/src/linux-source-$kver.tar.xz
src=$build/linux-source-$kver
out=$build/uml-$kver-$flavor
jobs=$(($(nproc) + 1))

log() { echo "uml: $*" >&2; }

case "$flavor" in
debug|perf) ;;
*) log "unknown flavor '$flavor' (debug or perf)"; exit 2 ;;
esac

# Everything a fresh Debian machine lacks to build the kernel and run tests.
need_pkgs() {
	local pkgs=(linux-source-$kver bc flex bison libelf-dev libssl-dev
		    make gcc kmod iproute2 iputils-ping iperf3 ethtool
		    nftables tcpdump python3 xz-utils
		    containernetworking-plugins python3-pyroute2 jq)
	local missing=()
	local p

	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		log "not root: install these packages first"
		exit 4
	fi
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		"${missing[@]}" >&2
}

unpack() {
	[ -f "$src/Makefile" ] && return 0
	log "unpacking $tarball"
	mkdir -p "$build"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp"
	mv "$src.tmp/linux-source-$kver" "$src"
	rmdir "$src.tmp"
}

fragments() {
	echo "$here/../config"
	echo "$here/uml.config"
	echo "$here/$flavor.config"
	# what an older kernel cannot have, e.g. debug-6.1.config
	[ ! -f "$here/$flavor-$kver.config" ] || echo "$here/$flavor-$kver.config"
}

# The key names the source version and every fragment's content.
cache_key() {
	{
		stat -c '%s %Y' "$tarball"
		fragments | xargs cat
	} | sha256sum | cut -d' ' -f1
}

# Fail loudly when a fragment asked for an option the kernel refused.  A
# later fragment overrides an earlier one, as merge_config.sh does; "# X is
# not set" asks for n.
check_config() {
	local -A want=()
	local line opt got bad=0

	while read -r line; do
		case "$line" in
		CONFIG_*=*) want[${line%%=*}]=${line#*=} ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			want[${opt%% *}]=n
			;;
		esac
	done < <(fragments | xargs cat)
	for opt in "${!want[@]}"; do
		got=$(grep -E "^$opt=|^# $opt is not set" "$out/.config" || true)
		if [ "${want[$opt]}" = n ]; then
			case "$got" in "$opt="*) bad=1 ;; esac
		elif [ "$got" != "$opt=${want[$opt]}" ]; then
			log "$opt: asked ${want[$opt]}, got '${got:-nothing}'"
			bad=1
		fi
	done
	return $bad
}

build_kernel() {
	local key=$1

	log "building UML $kver ($flavor) in $out"
	mkdir -p "$out"
	rm -f "$out/.ipvlan-key"
	make -s -C "$src" O="$out" ARCH=um defconfig >&2
	# shellcheck disable=SC2046
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
		"$out/.config" $(fragments)) >/dev/null
	make -s -C "$src" O="$out" ARCH=um olddefconfig >&2
	check_config || { log "config check failed"; exit 1; }
	make -s -C "$out" ARCH=um -j"$jobs" >&2
	echo "$key" >"$out/.ipvlan-key"
}

need_pkgs
unpack
key=$(cache_key)
if [ ! -x "$out/linux" ] || [ "$(cat "$out/.ipvlan-key" 2>/dev/null)" != "$key" ]; then
	build_kernel "$key"
fi
echo "$out"
