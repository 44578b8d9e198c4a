#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a device's TX checksum offload or GRO on or off, and print the
new state; what `ethtool -K DEV tx|gro on|off` does, through the legacy
SIOCETHTOOL commands, for hosts without ethtool. Run it in the device's
network namespace.

    offload.py DEV tx|gro on|off

Why the tests want it: veth passes CHECKSUM_PARTIAL packets on without
ever computing their checksum, and the receiver trusts them, so a wrong
incremental checksum update goes unnoticed. With TX checksum offload off
on the router's egress veth, the kernel computes every checksum there
(and segments GSO packets in software) from what hlb left in the
packet, and the receiving host verifies it.
"""
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
CMDS = {  # feature: (get, set)
    "tx": (0x16, 0x17),   # ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM
    "gro": (0x2b, 0x2c),  # ETHTOOL_GGRO, ETHTOOL_SGRO
}


def ethtool_value(sock, dev, cmd, data=0):
    buf = ctypes.create_string_buffer(struct.pack("II", cmd, data), 8)
    ifr = struct.pack("16sP", dev.encode(), ctypes.addressof(buf))
    fcntl.ioctl(sock, SIOCETHTOOL, ifr)
    return struct.unpack("II", buf.raw)[1]


def main():
    dev, feature, state = sys.argv[1:4]
    get, set_ = CMDS[feature]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ethtool_value(s, dev, set_, 1 if state == "on" else 0)
        now = ethtool_value(s, dev, get)
    print(f"{dev} {feature} {'on' if now else 'off'}")
    return 0 if bool(now) == (state == "on") else 1


sys.exit(main())
