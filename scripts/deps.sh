#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that hlb's build, tests, benchmarks and docs
# need. Idempotent: when everything is present it only checks and returns.
#
#   deps.sh [style]   style: also the cross compilers of `make style`
set -euo pipefail

PKGS=(
	# build
	build-essential make gcc libc6-dev pkg-config kmod cpio file
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	sparse
	# VM runner
	qemu-system-x86 busybox-static
	# tests and benchmarks
	iproute2 socat nftables ipvsadm iperf3 conntrack tcpdump curl
	python3 python3-scapy procps psmisc util-linux coreutils
	xz-utils bc valgrind python3-docutils jq
	# the netlink spec check (make netlink-check)
	python3-yaml
	# the kernel's kselftest lib.mk installs with rsync
	rsync
	# benchmarks (make bench): plots, profiles
	gnuplot-nox linux-perf
	# docs (make docs, make man) and installing (dkms.conf, man -l)
	python3-sphinx dkms man-db
	# the debug kernel (make debug-kernel)
	flex bison libelf-dev libssl-dev
)
# make style's cross builds of the module (i386, arm64): only there, so
# that make check and CI do not install two compilers they never run.
case ${1:-} in
'') ;;
style) PKGS+=(gcc-i686-linux-gnu gcc-aarch64-linux-gnu) ;;
*) echo "usage: deps.sh [style]" >&2; exit 2 ;;
esac

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $st == "install ok installed" ]] || missing+=("$p")
done

# The kernel image and headers must be the same version; the metapackages
# only guarantee that when they are installed together.
img=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
if [[ -n $img ]]; then
	ver=${img#/boot/vmlinuz-}
	[[ -d /usr/src/linux-headers-$ver ]] || missing+=("linux-headers-$ver")
fi

# kselftest_harness.h, checkpatch.pl and the debug kernel come from the
# unpacked source of the Debian kernel the tests boot.
SRC=/usr/src/linux-source-6.1
unpack_source()
{
	[[ -f $SRC/tools/testing/selftests/kselftest_harness.h ]] && return 0
	echo "deps: unpacking $SRC.tar.xz"
	tar -C /usr/src -xf "$SRC.tar.xz"
}

if ((${#missing[@]} == 0)); then
	unpack_source
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing packages (need root to install): ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
unpack_source
