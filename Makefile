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
# hlb's version, one for the module, the CLI, the docs and dkms.conf: the
# file VERSION (kmod/Kbuild and tools/hlb/Makefile read it too).
VERSION := $(strip $(file <VERSION))
# WERROR=1 makes compiler warnings errors in the module and the CLI: make
# check (and so CI) sets it; builds for a router (make, make install,
# dkms) do not, so that a newer compiler's new warning breaks nothing.
WERROR ?=
# Debian's, not whatever else is first in PATH.
SPHINXBUILD ?= /usr/bin/sphinx-build
RST2MAN ?= /usr/bin/rst2man

all: module cli

# kbuild's output goes to build/kbuild, the module to kmod/hlb.ko
# (scripts/kbuild.sh says how, and how a path with a space is handled).
module:
	+@bash scripts/kbuild.sh "$(KDIR)" W=$(W) WERROR=$(WERROR)

cli:
	$(MAKE) -C tools/hlb WERROR=$(WERROR)

deps:
	@bash scripts/deps.sh

unit:
	$(MAKE) -C kmod/core/tests run

# Everything: packages, build, unit tests, then every selftest in one VM.
check: deps
	$(MAKE) all WERROR=1
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

# checkpatch, sparse, layering, the netlink spec, and the module built for
# i386 and arm64 (Documentation/testing.rst), whose cross compilers
# `deps.sh style` installs; HLB_STYLE_CROSS=0 (make check) leaves them out.
style:
	@bash scripts/deps.sh $(if $(filter 0,$(HLB_STYLE_CROSS)),,style)
	@bash scripts/style.sh

# Documentation/netlink/specs/hlb.yaml, the uapi header and the tables of
# Documentation/netlink.rst describe the same API (exit 0), or the first
# difference is named (exit 1). Also run by style and check.
netlink-check:
	@python3 scripts/netlink_check.py

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
	kver=$$(modinfo -F vermagic "$(KO)" | cut -d' ' -f1) && \
	test -n "$$kver" && \
	install -D -m 0644 "$(KO)" \
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
# dkms.conf is packaging/dkms.conf.in with VERSION filled in.
DKMS_SRC = $(DESTDIR)/usr/src/hlb-$(VERSION)
dkms:
	$(if $(DESTDIR),,test ! -d /var/lib/dkms/hlb/$(VERSION) || \
		dkms remove hlb/$(VERSION) --all)
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp --parents VERSION Kbuild kmod/Kbuild include/uapi/linux/hlb.h \
		$(filter-out %.mod.c,$(wildcard kmod/*.[ch] kmod/core/*.[ch])) \
		$(DKMS_SRC)/
	sed 's/@VERSION@/$(VERSION)/g' packaging/dkms.conf.in \
		>$(DKMS_SRC)/dkms.conf
	$(if $(DESTDIR),,dkms install hlb/$(VERSION))

# Also what kbuild left in the tree before it built in build/kbuild.
clean:
	$(MAKE) -C tools/hlb clean
	rm -rf build kmod/hlb.ko
	rm -f Module.symvers modules.order .Module.symvers.cmd \
		.modules.order.cmd kmod/modules.order kmod/hlb.mod* \
		kmod/*.o kmod/.*.cmd kmod/core/*.o kmod/core/.*.cmd

.PHONY: all module cli deps unit check debug-kernel check-debug demo bench style \
	install clean \
	docs man install-files uninstall dkms netlink-check
