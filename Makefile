# SPDX-License-Identifier: GPL-2.0
#
#   make              build svcnet.ko against KDIR and the svcnet tool
#   make install      install both (modules_install, which runs depmod; /usr/sbin)
#   make check        every test, in VMs, counts sized for a gate (see README)
#   make check-full   the same at full counts, plus the kernel without
#                     CONFIG_TLS_DEVICE and make bench's smoke run
#   make demo         boot Debian's stock kernel, load svcnet, show it
#   make bench        svcnet against IPVS, iptables, nftables, no balancer
#                     in one VM run (see README): bench/results.json, .png
KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr

all: module tool

module:
	@test -d "$(KDIR)" || { echo "KDIR=$(KDIR) does not exist: install the kernel headers (apt-get install linux-headers-amd64) or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	$(MAKE) -C userspace-tools

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install	# runs depmod too
	$(MAKE) -C userspace-tools install PREFIX=$(PREFIX)

check:
	tests/check

check-full:
	tests/check --full

demo:
	tests/demo

bench:
	bench/run

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace-tools clean
	rm -rf .build

.PHONY: all module tool install check check-full demo bench clean
