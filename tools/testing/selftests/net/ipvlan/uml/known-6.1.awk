# SPDX-License-Identifier: GPL-2.0
#
# Linux 6.1's UML reports bugs of its own in every boot, whatever the
# driver; they are gone in 6.12, where every report counts.  Reads a 6.1
# kernel log and prints it back, the line of each such report that vm.sh's
# splat patterns match (its header) prefixed with "known 6.1 report: ".
# Exactly these two reports:
# - force_flush_all() (arch/um, on fork) walks the maple tree outside RCU:
#   "suspicious RCU usage" at lib/maple_tree.c, once per call site;
# - a page fault taken in a hard interrupt (a lazily mapped vmalloc page)
#   re-enables interrupts in the fault's signal handler (arch/um/os-Linux/
#   signal.c): lockdep's "DEBUG_LOCKS_WARN_ON(lockdep_hardirq_context())",
#   whose stack UML cannot print from its signal stack ("Received SIGSEGV
#   in SIGSEGV handler").  Seen once, in the teardown's rmmod; ipvlan runs
#   no code in hard interrupt context.  Lockdep is off for the rest of that
#   boot.
# kmemleak.awk marks 6.1's kmemleak reports.

{ line[NR] = $0 }

# within the len lines after line i: does any match re?
function ahead(i, len, re,	j) {
	for (j = i + 1; j <= i + len && j <= NR; j++)
		if (line[j] ~ re)
			return 1
	return 0
}

END {
	for (i = 1; i <= NR; i++) {
		if (line[i] ~ /WARNING: suspicious RCU usage/ &&
		    ahead(i, 4, "lib/maple_tree\\.c:[0-9]+ suspicious rcu_dereference") &&
		    ahead(i, 60, "force_flush_all"))
			known[i] = 1
		if (line[i] ~ /WARNING: .* lockdep_hardirqs_on_prepare/ &&
		    ahead(i, 2, "DEBUG_LOCKS_WARN_ON\\(lockdep_hardirq_context\\(\\)\\)") &&
		    ahead(i, 6, "Received SIGSEGV in SIGSEGV handler"))
			known[i] = 1
	}
	for (i = 1; i <= NR; i++)
		print (known[i] ? "known 6.1 report: " : "") line[i]
}
