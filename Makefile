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
#   make deb          the Debian packages svcnet and svcnet-dkms in .build/deb
KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr
VERSION := $(shell cat VERSION)
DEB := .build/deb/svcnet-$(VERSION)

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

# the packages svcnet and svcnet-dkms, into .build/deb, from the working
# tree (needs debhelper, dh-dkms, dkms: tests/deps installs them); set
# MAINTAINER to the address of whoever distributes the packages
MAINTAINER ?= svcnet developers <svcnet@example.org>
deb:
	@for c in dpkg-buildpackage dh_dkms rsync; do \
		command -v $$c >/dev/null || { echo "make deb needs $$c: apt-get install debhelper dh-dkms dkms rsync" >&2; exit 1; }; \
	done
	rm -rf .build/deb && mkdir -p $(DEB)
	rsync -a --exclude '*.o' --exclude '*.ko' --exclude '*.mod*' --exclude '.*.cmd' \
		--exclude userspace-tools/svcnet Kbuild VERSION kmod uapi userspace-tools $(DEB)/
	cp -r packaging/debian $(DEB)/debian
	sed -i 's|^Maintainer: .*|Maintainer: $(MAINTAINER)|' $(DEB)/debian/control
	cp packaging/dkms.conf $(DEB)/debian/svcnet-dkms.dkms
	# the changelog's date: the last commit's, so that a build is reproducible
	printf 'svcnet (%s) unstable; urgency=medium\n\n  * svcnet %s.\n\n -- %s  %s\n' \
		$(VERSION) $(VERSION) "$(MAINTAINER)" \
		"$$(git log -1 --format=%aD 2>/dev/null || date -R)" >$(DEB)/debian/changelog
	cd $(DEB) && dpkg-buildpackage -us -uc -b
	@ls .build/deb/*.deb

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace-tools clean
	rm -rf .build

.PHONY: all module tool install check check-full demo bench deb clean
