# SPDX-License-Identifier: GPL-2.0
#
# In a kernel tree (drivers/net/ipvlan/) only the kbuild part below is read.
# Out of tree, the rest builds the module against KDIR and runs the tests
# in a User-Mode Linux kernel that the project builds itself.

ifneq ($(KERNELRELEASE),)

ifneq ($(KBUILD_EXTMOD),)
obj-m += ipvlan.o
# ipvtap needs the kernel's tap library
obj-$(if $(CONFIG_TAP),m) += ipvtap.o
else
obj-$(CONFIG_IPVLAN) += ipvlan.o
obj-$(CONFIG_IPVTAP) += ipvtap.o
endif
ipvlan-y := ipvlan_main.o ipvlan_core.o ipvlan_netlink.o ipvlan_l3s.o

else

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
SELFTESTS := $(TOP)/tools/testing/selftests/net/ipvlan
UML := $(SELFTESTS)/uml
HOST_KDIR := /lib/modules/$(shell uname -r)/build

# The running kernel's headers when there are any, else our UML kernel.
ifeq ($(KDIR),)
ifneq ($(wildcard $(HOST_KDIR)/Makefile),)
KDIR := $(HOST_KDIR)
else
KDIR = $(shell $(UML)/kernel.sh debug)
endif
endif
KARCH = $(if $(shell grep -s '^CONFIG_UML=y' $(KDIR)/.config),um,)

# ours (default) or stock: the ipvlan.ko the tests run against
IPVLAN ?= ours
export IPVLAN

.PHONY: all modules clean check demo kernel fuzz stress bench

all: modules

modules:
	$(MAKE) -C $(KDIR) $(if $(KARCH),ARCH=$(KARCH)) M=$(TOP) modules

clean:
	rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers
	rm -f $(SELFTESTS)/ipvlan_nl

kernel:
	$(UML)/kernel.sh debug

# All selftests inside the UML kernel, against ours or IPVLAN=stock.
check:
	$(UML)/vm.sh --ipvlan $(IPVLAN) -- $(SELFTESTS)/run_tests.sh

# Long fuzzing runs (1,000,000 frames; 10,000 netlink requests) and a long
# stress run (DURATION=600), one VM each; the short versions are in check.
fuzz:
	$(UML)/vm.sh --ipvlan $(IPVLAN) -- env FRAMES=$${FRAMES:-1000000} \
		$(SELFTESTS)/run_tests.sh ipvlan_fuzz.sh
	$(UML)/vm.sh --ipvlan $(IPVLAN) -- env NL_REQUESTS=$${NL_REQUESTS:-10000} \
		NL_RACE=$${NL_RACE:-2000} $(SELFTESTS)/run_tests.sh ipvlan_nl_fuzz.py

stress:
	$(UML)/vm.sh --ipvlan $(IPVLAN) -- env DURATION=$${DURATION:-600} \
		$(SELFTESTS)/run_tests.sh ipvlan_stress.sh

# The HOWTO's example, for real, in L2 then L3 mode.
demo:
	$(UML)/vm.sh --ipvlan $(IPVLAN) -- $(SELFTESTS)/demo.sh

# ours vs stock vs macvlan vs a bare veth, on the kernel without debug
# options; BENCH_ARGS passes settings, e.g. BENCH_ARGS="REPS=9 PARTS='rx tx'"
bench:
	$(UML)/vm.sh --flavor perf --timeout 5400 -- \
		env $(BENCH_ARGS) $(SELFTESTS)/ipvlan_bench.sh

endif
