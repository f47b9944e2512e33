#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The init of the VM that vm.sh boots, in the order of main() below: mount
# the filesystems, run the command, unload ipvtap and ipvlan, scan for
# leaks, power off.  It prints "ipvlan-vm: success" last, and only when the
# command exited 0 and every step of the teardown ended: vm.sh passes a VM
# on that line, so that one which dies midway fails.
#
# The kernel hands init the command line's "NAME=value" words as its
# environment: vm.sh sets IPVLAN_RUN, the run directory (cmd: the command,
# its words NUL-separated; lib/modules: the modules' tree), and the
# variables the command finds (IPVLAN, IPVLAN_KO, IPVLAN_TOP, IPVLAN_KDIR,
# IPVLAN_OURS_DIR, IPVLAN_STOCK_DIR).  Into the run directory it writes
# jiffies, dmesg, kmemleak, dmesg.stall and rc, which vm.sh reads.
#
# As PID 1 it must not exit: no "set -e", every step returns.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb

run=${IPVLAN_RUN:-}
rc=1
teardown=ok

# Each step is named with the VM's uptime, so that a stall shows where.
step() { echo "vm: [$(cut -d' ' -f1 /proc/uptime)] $*"; }

mount_filesystems() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mount -t tmpfs tmpfs /run
	mount -t devtmpfs devtmpfs /dev 2>/dev/null
	ln -sf /proc/self/fd /dev/fd
	# /lib/modules is where modprobe looks: the chosen ipvlan.ko there
	mount --bind "$run/lib/modules" /lib/modules
	ip link set lo up
}

# With panic_on_warn, a WARN()'s report (its "WARNING:" line, its message)
# must reach the console before the panic stops the VM: past the boot,
# the console prints warnings too (KERN_WARNING is 4).
console_warnings() {
	[ "$(cat /proc/sys/kernel/panic_on_warn)" = 1 ] || return 0
	dmesg -n 5
}

# kmemleak's reports name the jiffies of each allocation: those made
# before the command are the boot's, not the command's (6.1 UML reports
# a few radix and maple tree nodes of the boot's page cache and exec).
mark_jiffies() {
	grep -m1 '^jiffies:' /proc/timer_list | cut -d' ' -f2 >"$run/jiffies"
}

run_command() {
	local cmd=()

	mapfile -d '' -t cmd <"$run/cmd"
	cd "$IPVLAN_TOP" || return
	("${cmd[@]}")
	rc=$?
	echo "vm: command exited with $rc"
}

# Past two minutes of teardown, a watchdog logs the blocked tasks and
# keeps the kernel log, so that a VM stopped from outside still leaves its
# evidence.
start_watchdog() {
	(
		sleep 120
		while :; do
			step "teardown still running: blocked tasks in the kernel log"
			echo w >/proc/sysrq-trigger
			dmesg >"$run/dmesg.stall"
			sleep 120
		done
	) &
	watchdog=$!
}

stop_watchdog() {
	kill "$watchdog" 2>/dev/null
}

# rmmod, not modprobe -r: tap stays loaded, so that kmemleak names its
# frames rather than printing the bare addresses of an unloaded module.
# A test that never loaded one of them makes rmmod complain: what counts
# is that neither is loaded afterwards.
unload_modules() {
	local m

	step "unloading ipvtap, ipvlan"
	timeout 300 rmmod ipvtap ipvlan 2>/dev/null
	if [ $? -eq 124 ]; then
		step "rmmod ipvtap ipvlan timed out after 300 s"
		teardown=failed
		return
	fi
	for m in ipvtap ipvlan; do
		if [ -e "/sys/module/$m/refcnt" ]; then
			step "$m still loaded after rmmod, refcnt $(cat "/sys/module/$m/refcnt")"
			teardown=failed
		fi
	done
}

# Two scans, the second when what the command and the teardown allocated
# last is past kmemleak's minimum age (5 s).  A scan stops at a signal;
# one that does not end fails the run, as a leak would: its result is not
# known.
scan_leaks() {
	local scan

	[ -w /sys/kernel/debug/kmemleak ] || return 0
	: >"$run/kmemleak.cut"
	for scan in 1 2; do
		[ $scan = 1 ] || sleep 6
		step "kmemleak scan $scan"
		if ! timeout 300 sh -c 'echo scan > /sys/kernel/debug/kmemleak'; then
			echo "kmemleak scan $scan did not end in 300 s" >>"$run/kmemleak.cut"
			teardown=failed
		fi
	done
	cat "$run/kmemleak.cut" /sys/kernel/debug/kmemleak >"$run/kmemleak"
}

# The files vm.sh reads, then the line it passes the VM on.
report() {
	dmesg >"$run/dmesg"
	echo "$rc" >"$run/rc"
	sync
	if [ "$rc" = 0 ] && [ "$teardown" = ok ]; then
		echo "ipvlan-vm: success"
	fi
}

power_off() {
	echo o >/proc/sysrq-trigger
	sleep 10
}

main() {
	if [ -z "$run" ]; then
		echo "vm: no IPVLAN_RUN on the kernel command line"
		power_off
	fi
	mount_filesystems
	console_warnings
	mark_jiffies
	run_command
	start_watchdog
	unload_modules
	scan_leaks
	stop_watchdog
	step "teardown done"
	report
	power_off
}

main
