# SPDX-License-Identifier: GPL-2.0
#
# hlb: build the module and the CLI, run the tests, install.

# The kernel the tests boot: the newest Debian kernel installed. Its
# headers are the default build tree; otherwise the running kernel's.
KVER ?= $(shell ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | sort -V | tail -n1)
KDIR ?= $(firstword $(wildcard /usr/src/linux-headers-$(KVER)) \
		    /lib/modules/$(shell uname -r)/build)
W ?= 1
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
VERSION := $(shell sed -n 's/^\#define HLB_VERSION "\(.*\)"$$/\1/p' kmod/hlb.h)
# Debian's, not whatever else is first in PATH.
SPHINXBUILD ?= /usr/bin/sphinx-build
RST2MAN ?= /usr/bin/rst2man

all: module cli

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) modules

cli:
	$(MAKE) -C tools/hlb

deps:
	@bash scripts/deps.sh

unit:
	$(MAKE) -C kmod/core/tests run

# Everything: packages, build, unit tests, then every selftest in one VM.
check: deps
	$(MAKE) all
	@bash selftests/check.sh

# The debug kernel (KASAN, UBSAN, lockdep, kmemleak...), built once and
# cached in ~/.cache/hlb; check-debug runs every selftest on it.
debug-kernel: deps
	@tools/debug-kernel/build >/dev/null

check-debug: deps
	$(MAKE) cli
	@bash selftests/check-debug.sh

# hlb balancing real HTTP traffic in a VM, narrated; fails if anything
# does not behave as it says (HLB_DEMO_BREAK=1 shows that it can fail).
demo: deps
	$(MAKE) all
	tools/vm/run -- demo/demo.sh

# Benchmarks, in one VM boot (~15-20 min, not part of check): a table on
# stdout, $(BENCH_OUT) (default build/bench.json) and plots in build/.
# See Documentation/performance.rst.
bench: deps
	$(MAKE) all
	tools/bench/run

style:
	@bash scripts/style.sh

# Documentation/ as HTML in build/docs/html; any warning fails the build.
docs:
	$(SPHINXBUILD) -W -n --keep-going -E -q -b html \
		-d build/docs/doctrees Documentation build/docs/html

man: build/hlb.8

build/hlb.8: Documentation/hlb.8.rst
	@mkdir -p build
	$(RST2MAN) --halt=warning $< $@.tmp
	mv $@.tmp $@

# The module into /lib/modules/<the kernel it was built for>/updates, then
# depmod (modprobe and autoloading find it by name); the CLI, its man page
# and bash completion; hlb.service, which restores /etc/hlb/hlb.conf at
# boot. With DESTDIR (staging a package) there is no depmod and no
# systemctl. install-files installs what is built without building; KO=
# names another build of the module (the debug kernel's, in the tests).
KO ?= kmod/hlb.ko
install: all
	$(MAKE) install-files

install-files: build/hlb.8
	kver=$$(modinfo -F vermagic $(KO) | cut -d' ' -f1) && \
	test -n "$$kver" && \
	install -D -m 0644 $(KO) \
		$(DESTDIR)/lib/modules/$$kver/updates/hlb.ko && \
	$(if $(DESTDIR),true,depmod -a $$kver)
	install -D -m 0755 tools/hlb/hlb $(DESTDIR)$(SBINDIR)/hlb
	install -D -m 0644 build/hlb.8 $(DESTDIR)$(MANDIR)/man8/hlb.8
	install -D -m 0644 tools/hlb/hlb.bash-completion \
		$(DESTDIR)$(COMPLETIONDIR)/hlb
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)/etc/hlb
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/hlb.service.in \
		>$(DESTDIR)$(UNITDIR)/hlb.service
	$(if $(DESTDIR),,test ! -d /run/systemd/system || systemctl daemon-reload)

# Everything install-files installed, from every kernel's updates/; a saved
# configuration in /etc/hlb stays, and so does a loaded module.
uninstall:
	$(if $(DESTDIR),,test ! -d /run/systemd/system -o \
		! -f $(UNITDIR)/hlb.service || systemctl disable hlb.service)
	rm -f $(DESTDIR)$(SBINDIR)/hlb $(DESTDIR)$(MANDIR)/man8/hlb.8 \
		$(DESTDIR)$(COMPLETIONDIR)/hlb $(DESTDIR)$(UNITDIR)/hlb.service
	for ko in $(DESTDIR)/lib/modules/*/updates/hlb.ko; do \
		test -f "$$ko" || continue; \
		rm -f "$$ko"; \
		kver=$${ko%/updates/hlb.ko}; \
		$(if $(DESTDIR),true,depmod -a $${kver##*/}); \
	done
	test ! -d $(DESTDIR)/etc/hlb || \
		rmdir --ignore-fail-on-non-empty $(DESTDIR)/etc/hlb
	$(if $(DESTDIR),,test ! -d /run/systemd/system || systemctl daemon-reload)

# The module's sources into /usr/src/hlb-VERSION for dkms, which then builds
# and installs it for the running kernel and every kernel installed later.
# An earlier registration of the same version is removed first, so that
# the current sources are built. With DESTDIR, only the sources.
DKMS_SRC = $(DESTDIR)/usr/src/hlb-$(VERSION)
dkms:
	@grep -qx 'PACKAGE_VERSION="$(VERSION)"' dkms.conf || \
		{ echo "dkms.conf: PACKAGE_VERSION is not $(VERSION)" >&2; exit 1; }
	$(if $(DESTDIR),,test ! -d /var/lib/dkms/hlb/$(VERSION) || \
		dkms remove hlb/$(VERSION) --all)
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp --parents dkms.conf Kbuild kmod/Kbuild include/uapi/linux/hlb.h \
		$(filter-out %.mod.c,$(wildcard kmod/*.[ch] kmod/core/*.[ch])) \
		$(DKMS_SRC)/
	$(if $(DESTDIR),,dkms install hlb/$(VERSION))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/hlb clean
	rm -rf build

.PHONY: all module cli deps unit check debug-kernel check-debug demo bench style \
	install clean \
	docs man install-files uninstall dkms
