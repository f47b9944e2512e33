# SPDX-License-Identifier: GPL-2.0
#
# In a kernel tree (drivers/net/ipvlan/) only the kbuild part below is read.
# Out of tree, the rest builds the module against KDIR and runs the tests
# in a User-Mode Linux kernel that the project builds itself.

# The release, written here only: modinfo shows it, DKMS names the
# package after it and installs these modules over the kernel's own
# because they have a version and the kernel's have none.
IPVLAN_VERSION := 0.1.0

ifneq ($(KERNELRELEASE),)

ifneq ($(KBUILD_EXTMOD),)
obj-m += ipvlan.o
# ipvtap needs the kernel's tap library
obj-$(if $(CONFIG_TAP),m) += ipvtap.o
# Only a kernel configured with IPVLAN has CONFIG_IPVLAN_L3S.  Out of
# tree, L3S is built on Kconfig's condition, plus the NET_L3_MASTER_DEV
# that Kconfig would select and a module cannot, and the sources see the
# option as if Kconfig had set it.
ifeq ($(CONFIG_NETFILTER)$(CONFIG_NET_L3_MASTER_DEV),yy)
ifneq ($(CONFIG_IPVLAN_L3S),y)
CONFIG_IPVLAN_L3S := y
ccflags-y += -DCONFIG_IPVLAN_L3S=1
endif
endif
else
obj-$(CONFIG_IPVLAN) += ipvlan.o
obj-$(CONFIG_IPVTAP) += ipvtap.o
endif
ipvlan-y := ipvlan_main.o ipvlan_dev.o ipvlan_port.o ipvlan_core.o ipvlan_addr.o
ipvlan-$(CONFIG_IPVLAN_L3S) += ipvlan_l3s.o
ipvlan-$(CONFIG_NETFILTER) += ipvlan_host.o
ccflags-y += -DIPVLAN_VERSION='"$(IPVLAN_VERSION)"'

else

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
SELFTESTS := $(TOP)/tools/testing/selftests/net/ipvlan
UML := $(SELFTESTS)/uml
HOST_KDIR := /lib/modules/$(shell uname -r)/build

# The UML kernel of KVER when it is given, else the running kernel's
# headers when there are any, else the UML kernel of 6.12.
ifeq ($(KDIR),)
ifneq ($(KVER),)
KDIR = $(shell KVER=$(KVER) $(UML)/kernel.sh debug)
else ifneq ($(wildcard $(HOST_KDIR)/Makefile),)
KDIR := $(HOST_KDIR)
else
KDIR = $(shell $(UML)/kernel.sh debug)
endif
endif
KARCH = $(if $(shell grep -s '^CONFIG_UML=y' $(KDIR)/.config),um,)

DKMS_SRC := /usr/src/ipvlan-$(IPVLAN_VERSION)
# the kernels make dkms-install builds for; DKMS adds later ones itself
DKMS_KERNELS ?= $(shell uname -r)
DKMS_FILES = $(TOP)/Makefile $(TOP)/Kconfig \
	     $(filter-out %.mod.c,$(wildcard $(TOP)/*.c)) $(wildcard $(TOP)/*.h)

.PHONY: all modules clean lint matrix check-all
.PHONY: dkms-install dkms-remove

all: modules

modules:
	$(MAKE) -C $(KDIR) $(if $(KARCH),ARCH=$(KARCH)) M=$(TOP) modules

# kbuild's output here (6.12 adds .module-common.o), what the selftests
# build beside their sources, and the harness's leftovers under build/:
# the module builds vm.sh boots and the run directories of VMs that were
# killed.  The kernels and the logs stay.
clean:
	rm -f $(addprefix $(TOP)/,*.o .*.o *.ko *.mod *.mod.c .*.cmd .*.d \
		modules.order Module.symvers)
	rm -rf $(TOP)/.tmp_versions
	rm -f $(SELFTESTS)/ipvlan_fuzz_frames $(SELFTESTS)/ipvlan_fuzz_frames.[0-9]* \
	      $(SELFTESTS)/ipvlan_nsctl $(SELFTESTS)/ipvlan_nsctl.[0-9]*
	rm -rf $(SELFTESTS)/__pycache__
	rm -rf $(UML_BUILD)/run.* $(UML_BUILD)/mod-*

# checkpatch --strict, W=1, sparse and docutils; any finding fails.
lint:
	$(TOP)/.ci/lint $(KDIR)

# The in-tree build matrix alone, in KVER's source (6.12 unless set; 7.2
# comes from unstable), with no UML kernel to build.
matrix:
	$(TOP)/.ci/matrix $(KVER)

# What CI leaves out: every test on each kernel, ours and stock, and DKMS
# against Debian's headers (.ci/dkms, as root).  Runs them all, then fails
# if any failed.
check-all:
	@failed=0; \
	for k in 6.12 6.1 7.2; do for i in ours stock; do \
		$(MAKE) --no-print-directory check KVER=$$k IPVLAN=$$i || failed=1; \
	done; done; \
	$(TOP)/.ci/dkms || failed=1; \
	exit $$failed

# The sources under /usr/src, then DKMS builds and installs them for each
# of DKMS_KERNELS.  Run again, it replaces what an earlier run installed.
dkms-install: dkms-remove
	mkdir -p $(DKMS_SRC)
	cp $(DKMS_FILES) $(DKMS_SRC)/
	sed 's/@IPVLAN_VERSION@/$(IPVLAN_VERSION)/' $(TOP)/dkms.conf \
		>$(DKMS_SRC)/dkms.conf
	dkms add -m ipvlan -v $(IPVLAN_VERSION)
	set -e; for k in $(DKMS_KERNELS); do \
		dkms build -m ipvlan -v $(IPVLAN_VERSION) -k $$k; \
		dkms install -m ipvlan -v $(IPVLAN_VERSION) -k $$k; \
	done

dkms-remove:
	@command -v dkms >/dev/null || \
		{ echo "dkms not found: apt-get install dkms" >&2; exit 1; }
	@[ -w /usr/src ] || { echo "DKMS needs root" >&2; exit 1; }
	if dkms status -m ipvlan -v $(IPVLAN_VERSION) | grep -q .; then \
		dkms remove -m ipvlan -v $(IPVLAN_VERSION) --all; \
	fi
	rm -rf $(DKMS_SRC)

# The UML harness: make kernel, check, demo, fuzz, stress, bench; KVER
# (6.12 unless set) and IPVLAN (ours unless set) pick the kernel and the
# ipvlan.ko.
include $(UML)/Makefile

endif
