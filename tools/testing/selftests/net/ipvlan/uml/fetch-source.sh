#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian packages that this machine's own apt sources do not carry
# (a kernel's source or headers from unstable) with a private apt
# configuration, and print the path of each .deb on stdout, one a line.
#
#   fetch-source.sh [--update] [--unpack] PACKAGE...
#   fetch-source.sh [--update] [--unpack] --headers VERSION
#   fetch-source.sh --mirror
#
# PACKAGE is a binary package name, e.g. linux-source-7.2.  --headers 7.2
# fetches what DKMS needs to build against Debian's amd64 kernel of that
# version: the newest linux-headers-7.2*-amd64, its -common package and
# the linux-kbuild package they depend on.
#
# --unpack extracts what was fetched under BUILD: a linux-source package's
# tarball to BUILD/linux-source-<version>, as kernel.sh unpacks an
# installed one, and the headers packages' trees to
# BUILD/headers-<version>.  --update refreshes the package lists first;
# without it, the lists and the .debs fetched before are used as they are,
# with no network access.  --mirror prints the Debian mirror the private
# configuration uses (the machine's own), for debootstrap.
#
# apt runs on a configuration of its own, under BUILD/apt: its own sources
# list (unstable, on the first Debian mirror of the machine's sources,
# found at run time), lists, state and cache, and the .debs land in
# BUILD/apt/debs.  Of the machine's configuration it keeps the Debian
# keyring, the proxies and the Valid-Until policy; it reads it, never
# changes it, and installs nothing.  BUILD defaults to <repo>/build.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../../../.." && pwd)
build=${BUILD:-$top/build}
apt=$build/apt
debs=$apt/debs
suite=unstable
arch=amd64

log() { echo "fetch-source: $*" >&2; }

usage() {
	echo "usage: $0 [--update] [--unpack] PACKAGE..." >&2
	echo "       $0 [--update] [--unpack] --headers VERSION" >&2
	echo "       $0 --mirror" >&2
	exit 2
}

# The URIs of the machine's apt sources, in the order apt reads them: the
# one-line format (.list) and deb822 (.sources), disabled stanzas left out.
machine_uris() {
	local list parts f

	eval "$(apt-config shell list Dir::Etc::sourcelist/f \
				 parts Dir::Etc::sourceparts/d)"
	for f in "$list" "$parts"*; do
		[ -f "$f" ] || continue
		case "$f" in
		"$list"|*.list)
			sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
				awk '$1 == "deb" || $1 == "deb-src" { print $2 }'
			;;
		*.sources)
			awk '
			function flush() {
				if (enabled !~ /^no$/) printf "%s", uris
				uris = ""; enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			tolower($1) == "uris:" {
				for (i = 2; i <= NF; i++) uris = uris $i "\n"
			}
			tolower($1) == "enabled:" { enabled = tolower($2) }
			END { flush() }' "$f"
			;;
		esac
	done
}

# The first Debian mirror: a URI whose path ends in /debian.
mirror() {
	local uri

	uri=$(machine_uris | grep -m1 -E '^[a-z+]+://[^ ]*/debian/?$' || true)
	if [ -z "$uri" ]; then
		log "no Debian mirror (a URI ending in /debian) in the machine's apt sources"
		exit 1
	fi
	echo "${uri%/}"
}

# rewrite FILE: stdin into FILE, unless FILE holds it already (apt rebuilds
# its package cache when the time of its sources list changes).
rewrite() {
	local text

	text=$(cat)
	[ "$(cat "$1" 2>/dev/null)" = "$text" ] || echo "$text" >"$1"
}

# Writes the private configuration; apt reads it instead of the machine's
# (APT_CONFIG is read first, and it points the machine's apt.conf and
# apt.conf.d elsewhere).
configure() {
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	local signed_by="" trusted_parts=$apt/empty
	local url

	url=$(mirror)
	mkdir -p "$apt/empty" "$apt/state/lists/partial" \
		 "$apt/cache/archives/partial" "$debs"
	[ -f "$apt/state/status" ] || : >"$apt/state/status"
	# apt-get download writes to the current directory as _apt, the user
	# it drops to when run as root
	if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$debs"
	fi
	if [ -f "$keyring" ]; then
		signed_by=" [signed-by=$keyring]"
	else
		trusted_parts=/etc/apt/trusted.gpg.d
	fi
	echo "deb$signed_by $url $suite main" | rewrite "$apt/sources.list"
	rewrite "$apt/apt.conf" <<-EOF
	// written by fetch-source.sh: apt for $suite, private to $apt
	Dir::Etc::main "/dev/null";
	Dir::Etc::parts "$apt/empty";
	Dir::Etc::sourcelist "$apt/sources.list";
	Dir::Etc::sourceparts "$apt/empty";
	Dir::Etc::preferences "$apt/empty/preferences";
	Dir::Etc::preferencesparts "$apt/empty";
	Dir::Etc::trusted "$apt/empty/trusted.gpg";
	Dir::Etc::trustedparts "$trusted_parts";
	Dir::State "$apt/state";
	Dir::State::lists "$apt/state/lists";
	Dir::State::status "$apt/state/status";
	Dir::Cache "$apt/cache";
	Dir::Cache::archives "$apt/cache/archives";
	APT::Architecture "$arch";
	APT::Architectures { "$arch"; };
	Acquire::Languages "none";
	EOF
}

# What is kept of the machine's own configuration: its proxies, and
# whether it accepts a Release file past its Valid-Until (a machine whose
# mirror is a frozen snapshot does).  Signatures are checked either way.
kept=()
machine_settings() {
	local key value

	for key in Acquire::http::Proxy Acquire::https::Proxy \
		   Acquire::Check-Valid-Until Acquire::Check-Date; do
		value=""
		eval "$(apt-config shell value "$key")"
		[ -z "$value" ] || kept+=(-o "$key=$value")
	done
}

papt() {
	local cmd=$1

	shift
	APT_CONFIG=$apt/apt.conf "$cmd" "${kept[@]}" "$@"
}

update() {
	log "updating the $suite lists from $(awk '{ print $(NF - 2) }' \
		"$apt/sources.list")..."
	papt apt-get -q update >&2
}

have_lists() {
	compgen -G "$apt/state/lists/*_Packages*" >/dev/null
}

# fetch PACKAGE: prints the path of the candidate's .deb, fetched unless
# it is in debs already.  Its caller tests it, so errexit is off here.
fetch() {
	local pkg=$1 file

	file=$(papt apt-cache show --no-all-versions "$pkg" 2>/dev/null |
		sed -n 's/^Filename: //p' | head -n1)
	if [ -z "$file" ]; then
		log "$pkg: not in $suite"
		return 1
	fi
	file=$debs/${file##*/}
	if [ ! -f "$file" ]; then
		log "downloading ${file##*/}..."
		(cd "$debs" && papt apt-get -q download "$pkg" >&2) || return 1
	fi
	echo "$file"
}

# The packages of --headers VERSION: the newest generic amd64 headers of
# VERSION, and the -common and linux-kbuild packages they depend on.
headers_pkgs() {
	local version=$1 pkg

	pkg=$(papt apt-cache pkgnames "linux-headers-$version" |
		grep -E "^linux-headers-${version//./\\.}[-.+0-9a-z]*[0-9]-$arch\$" |
		sort -V | tail -n1)
	if [ -z "$pkg" ]; then
		log "no linux-headers-$version*-$arch in $suite"
		return 1
	fi
	echo "$pkg"
	papt apt-cache depends --no-recommends --no-suggests "$pkg" |
		sed -n -E 's/^ *Depends: (linux-(headers-[^ ]*-common|kbuild-[^ ]*))$/\1/p'
}

# unpack_source DEB: the tarball in linux-source-X's package,
# usr/src/linux-source-X.tar.xz, whose top directory is linux-source-X, to
# BUILD/linux-source-X.  The package's file name is kept beside the
# sources, in .debian-package, so that another version replaces them.
unpack_source() {
	local deb=$1 name tarball src

	name=${deb##*/}
	name=${name%%_*}
	tarball=./usr/src/$name.tar.xz
	src=$build/$name
	[ "$(cat "$src/.debian-package" 2>/dev/null)" != "${deb##*/}" ] ||
		return 0
	log "unpacking ${tarball#./} to $src..."
	rm -rf "$src.tmp" "$src.old"
	mkdir -p "$src.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" |
		tar -xJ -C "$src.tmp"
	echo "${deb##*/}" >"$src.tmp/$name/.debian-package"
	[ ! -e "$src" ] || mv "$src" "$src.old"
	mv "$src.tmp/$name" "$src"
	rm -rf "$src.tmp" "$src.old"
}

# unpack_tree DIR DEB...: the packages' files under DIR, as dpkg-deb -x
# lays them out (DIR/usr/src/linux-headers-...), with their file names
# in DIR/.debian-packages.
unpack_tree() {
	local dir=$1 deb names

	shift
	names=$(printf '%s\n' "${@##*/}")
	[ "$(cat "$dir/.debian-packages" 2>/dev/null)" != "$names" ] ||
		return 0
	log "unpacking $# packages to $dir..."
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$dir.tmp"
	done
	echo "$names" >"$dir.tmp/.debian-packages"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}

main() {
	local do_update=0 do_unpack=0 headers="" pkgs=() files=() pkg f

	while [ $# -gt 0 ]; do
		case "$1" in
		--mirror) mirror; return ;;
		--update) do_update=1; shift ;;
		--unpack) do_unpack=1; shift ;;
		--headers) [ $# -ge 2 ] || usage; headers=$2; shift 2 ;;
		-*) usage ;;
		*) pkgs+=("$1"); shift ;;
		esac
	done
	if [ -n "$headers" ]; then
		[ ${#pkgs[@]} -eq 0 ] || usage
	else
		[ ${#pkgs[@]} -gt 0 ] || usage
	fi

	configure
	machine_settings
	if [ "$do_update" = 1 ] || ! have_lists; then
		update
	fi
	if [ -n "$headers" ]; then
		mapfile -t pkgs < <(headers_pkgs "$headers")
		[ ${#pkgs[@]} -ge 3 ] || {
			log "incomplete headers for $headers: ${pkgs[*]}"
			exit 1
		}
	fi
	for pkg in "${pkgs[@]}"; do
		# a candidate gone from the mirror: the lists are old
		f=$(fetch "$pkg") || { update && f=$(fetch "$pkg"); }
		files+=("$f")
	done
	if [ "$do_unpack" = 1 ]; then
		if [ -n "$headers" ]; then
			unpack_tree "$build/headers-$headers" "${files[@]}"
		else
			for f in "${files[@]}"; do
				unpack_source "$f"
			done
		fi
	fi
	printf '%s\n' "${files[@]}"
}

main "$@"
