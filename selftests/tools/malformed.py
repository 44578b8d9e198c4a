#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send crafted, mostly malformed, packets from a client toward the VIPs
and report, per case, how the router's counters moved.

    malformed.py RTR_NETNS RTR_MAC HLB SERVER_NETNS... [--only CASE...]
    malformed.py --list

Runs in the client's namespace (10.0.1.2, fd00:1::2 on eth0). Every case
is sent as a raw Ethernet frame to the router's MAC, so the client's own
IP stack fixes nothing. After each case a UDP datagram to VIP:80 must be
answered (a marker: the router has processed the case by then, and still
forwards traffic). Prints one line per case:

    NAME key=delta ...

with the growth of hlb's namespace counters (malformed, packets: the
marker's two packets left out), the router's IP-layer counters as nstat
names them (IpInHdrErrors, Ip6InTruncatedPkts, IpExtReasmOverlaps...),
the servers' summed UDP counters (srv.UdpInErrors, ...) and, for cases
that expect an answer, answered=1 or 0. Exits 1 if a marker went
unanswered.
"""
import argparse
import json
import re
import socket
import subprocess
import sys
import time

from pktlib import fix4
from scapy.all import (ICMP, IP, UDP, TCP, Ether, ICMPv6DestUnreach,
                       ICMPv6PacketTooBig, IPv6, IPv6ExtHdrFragment, Raw,
                       conf, fragment, fragment6, raw)

CL4, CL6 = "10.0.1.2", "fd00:1::2"
VIP4, VIP6 = "10.9.0.1", "fd09::1"

rtr = rtr_mac = hlb = None
servers = []
# The counters worth reporting: the router's drops and reassembly, the
# servers' UDP and TCP errors.
RTR_KEYS = re.compile(r"^Ip(6|Ext)?(InHdrErrors|InTruncatedPkts|InCsumErrors|"
                      r"InAddrErrors|InDiscards|Reasm(OKs|Fails|Overlaps))$")
SRV_KEYS = re.compile(r"^(Udp6?|Tcp)(InErrors|InErrs|InCsumErrors|NoPorts)$")


class NetnsReader:
    """Reads a namespace's /proc/net files through a process that lives
    in it: /proc/PID/net is PID's namespace, and a read is far cheaper
    than a process per snapshot (seconds per case under TCG)."""

    def __init__(self, ns):
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, "sleep",
                                      "3600"])
        for _ in range(300):
            with open(f"/proc/{self.proc.pid}/comm") as f:
                if f.read().strip() == "sleep":
                    return
            time.sleep(0.02)
        raise RuntimeError(f"no helper in {ns}")

    def counters(self):
        c = {}
        for name in ("snmp", "netstat", "snmp6"):
            hdr = {}
            with open(f"/proc/{self.proc.pid}/net/{name}") as f:
                for line in f:
                    fl = line.split()
                    if not fl:
                        continue
                    if fl[0].endswith(":"):
                        p = fl[0][:-1]
                        if p not in hdr:
                            hdr[p] = fl[1:]
                        else:
                            c.update({p + k: int(v)
                                      for k, v in zip(hdr.pop(p), fl[1:])})
                    elif len(fl) == 2:
                        c[fl[0]] = int(fl[1])
        return c

    def close(self):
        self.proc.kill()
        self.proc.wait()


def hlb_stats():
    out = subprocess.run([hlb, "-n", rtr, "-j", "stats"], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def snapshot(rtr_reader, srv_readers):
    snap = {"hlb." + k: v for k, v in hlb_stats().items()
            if k in ("malformed", "packets")}
    snap.update({k: v for k, v in rtr_reader.counters().items()
                 if RTR_KEYS.match(k)})
    for r in srv_readers:
        for k, v in r.counters().items():
            if SRV_KEYS.match(k):
                snap["srv." + k] = snap.get("srv." + k, 0) + v
    return snap


def eth4(b):
    return Ether(dst=rtr_mac, type=0x0800) / Raw(bytes(b))


def eth6(b):
    return Ether(dst=rtr_mac, type=0x86dd) / Raw(bytes(b))


def ip4(proto=None, **kw):
    if proto is not None:
        kw["proto"] = proto
    return IP(src=CL4, dst=VIP4, **kw)


def ip6(nh=None, **kw):
    if nh is not None:
        kw["nh"] = nh
    return IPv6(src=CL6, dst=VIP6, **kw)


def udp_ok(sport, payload=b"hello, hlb"):
    return UDP(sport=sport, dport=80) / payload


def case_ip4_short():
    return [eth4(raw(ip4() / udp_ok(25000))[:12])]


def case_ip4_ihl3():
    b = bytearray(raw(ip4() / udp_ok(25000)))
    b[0] = 0x43
    return [eth4(b)]


def case_ip4_ihl_beyond():
    # 60 bytes of header claimed, 38 bytes of packet (tot_len says so).
    b = bytearray(raw(ip4() / udp_ok(25000)))
    b[0] = 0x4f
    return [eth4(fix4(b))]


def case_ip4_bad_csum():
    return [eth4(raw(ip4(chksum=0x1234) / udp_ok(25000)))]


def case_ip4_totlen_long():
    return [eth4(raw(ip4(len=200) / udp_ok(25000)))]


def case_ip4_bad_option():
    # Timestamp option whose length (40) runs past the 4 option bytes.
    return [eth4(raw(IP(src=CL4, dst=VIP4, ihl=6, options=b"\x44\x28\x05\x00")
                     / udp_ok(25001)))]


def case_tcp_short():
    return [eth4(raw(ip4(6) / raw(TCP(sport=25002, dport=80))[:10]))]


def case_udp_short():
    return [eth4(raw(ip4(17) / b"\x9c\x43\x00"))]


def case_tcp_doff4():
    return [eth4(raw(ip4() / TCP(sport=25003, dport=80, dataofs=4)))]


def case_tcp_doff15():
    return [eth4(raw(ip4() / TCP(sport=25004, dport=80, dataofs=15)))]


def case_udp_len0():
    return [eth4(raw(ip4() / UDP(sport=25005, dport=80, len=0) / b"12345678"))]


def case_udp_csum0():
    # No checksum (IPv4 allows it): it must stay 0 through hlb, not be
    # "updated" into a wrong one that the server would drop.
    return [eth4(raw(ip4() / UDP(sport=25102, dport=80, chksum=0) /
                     b"no checksum, answered"))]


def case_icmp_short():
    return [eth4(raw(ip4(1) / b"\x03\x04\x00\x00"))]


def inner4(proto=17, **kw):
    return IP(src=VIP4, dst=CL4, proto=proto, **kw)


def case_icmp_inner_ip_short():
    return [eth4(raw(ip4() / ICMP(type=3, code=4, nexthopmtu=1300) /
                     raw(inner4() / UDP(sport=80, dport=25006))[:10]))]


def case_icmp_inner_ihl3():
    b = bytearray(raw(inner4() / UDP(sport=80, dport=25006)))
    b[0] = 0x43
    return [eth4(raw(ip4() / ICMP(type=3, code=4, nexthopmtu=1300) /
                     bytes(b)))]


def case_icmp_inner_udp_short():
    return [eth4(raw(ip4() / ICMP(type=3, code=4, nexthopmtu=1300) /
                     raw(inner4() / UDP(sport=80, dport=25006))[:24]))]


def case_icmp_inner_tcp8():
    # RFC 792: the first 8 bytes of the embedded header are enough.
    return [eth4(raw(ip4() / ICMP(type=3, code=4, nexthopmtu=1300) /
                     raw(inner4(6) / TCP(sport=80, dport=25007))[:28]))]


def case_frag_tiny():
    pkt = ip4(id=4242) / udp_ok(25100, b"tiny fragments, reassembled")
    return [eth4(raw(f)) for f in fragment(pkt, fragsize=8)]


def case_frag_overlap():
    pay = raw(udp_ok(25101, b"0123456789abcdef0123"))
    return [eth4(raw(ip4(17, id=4343, flags="MF", frag=0) / pay[:16])),
            eth4(raw(ip4(17, id=4343, frag=1) / pay[8:]))]


def case_frag_lone():
    return [eth4(raw(ip4(17, id=4444, flags="MF", frag=2) / (b"x" * 16)))]


def case_ip6_short():
    return [eth6(raw(ip6() / udp_ok(25000))[:30])]


def case_ip6_version5():
    b = bytearray(raw(ip6() / udp_ok(25000)))
    b[0] = (b[0] & 0x0f) | 0x50
    return [eth6(b)]


def case_ip6_plen_long():
    return [eth6(raw(ip6(plen=200) / udp_ok(25000)))]


def case_ip6_hbh_bad():
    # An option of length 10 in a hop-by-hop header with 6 bytes left.
    return [eth6(raw(ip6(0) / bytes([17, 0, 0x1e, 10, 0, 0, 0, 0]) /
                     udp_ok(25001)))]


def case_ip6_dstopt_beyond():
    # A destination options header claiming 88 bytes, 8 present; the
    # payload length agrees with the packet, so only hlb can notice.
    return [eth6(raw(ip6(60) / bytes([17, 10, 1, 4, 0, 0, 0, 0])))]


def case_tcp6_short():
    return [eth6(raw(ip6(6) / raw(TCP(sport=25002, dport=80))[:10]))]


def case_udp6_short():
    return [eth6(raw(ip6(17) / b"\x9c\x43\x00"))]


def case_tcp6_doff4():
    return [eth6(raw(ip6() / TCP(sport=25003, dport=80, dataofs=4)))]


def case_icmp6_short():
    return [eth6(raw(ip6(58) / b"\x02\x00\x00\x00"))]


def inner6(nh=17):
    return IPv6(src=VIP6, dst=CL6, nh=nh)


def case_icmp6_inner_ip6_short():
    return [eth6(raw(ip6() / ICMPv6PacketTooBig(mtu=1300) /
                     raw(inner6() / UDP(sport=80, dport=25006))[:20]))]


def case_icmp6_inner_udp_short():
    return [eth6(raw(ip6() / ICMPv6DestUnreach(code=4) /
                     raw(inner6() / UDP(sport=80, dport=25006))[:44]))]


def case_frag6_tiny():
    pkt = (ip6() / IPv6ExtHdrFragment(id=4242) /
           udp_ok(25100, b"tiny fragments, reassembled"))
    # 40 + 8 + 8: one 8-byte piece of the datagram per fragment.
    return [eth6(raw(f)) for f in fragment6(pkt, 56)]


def case_frag6_overlap():
    pay = raw(udp_ok(25101, b"0123456789abcdef0123"))
    return [eth6(raw(ip6(44) / IPv6ExtHdrFragment(nh=17, id=4343, m=1,
                                                  offset=0) / pay[:16])),
            eth6(raw(ip6(44) / IPv6ExtHdrFragment(nh=17, id=4343, m=0,
                                                  offset=1) / pay[8:]))]


# Cases that expect an answer from the VIP to the datagram they carry,
# and at which client port.
ANSWER = {"frag_tiny": (VIP4, 25100, b"reassembled"),
          "frag6_tiny": (VIP6, 25100, b"reassembled"),
          "udp_csum0": (VIP4, 25102, b"answered")}


def marker(fam, vip):
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.connect((vip, 80))
        for _ in range(3):
            s.send(b"marker")
            try:
                return s.recv(4096).endswith(b"marker")
            except socket.timeout:
                continue
    return False


def main():
    global rtr, rtr_mac, hlb, servers
    cases = [n[5:] for n in globals() if n.startswith("case_")]
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--only", nargs="+", choices=cases)
    ap.add_argument("rtr", nargs="?")
    ap.add_argument("rtr_mac", nargs="?")
    ap.add_argument("hlb", nargs="?")
    ap.add_argument("servers", nargs="*")
    a = ap.parse_args()
    if a.list:
        print("\n".join(cases))
        return 0
    rtr, rtr_mac, hlb, servers = a.rtr, a.rtr_mac, a.hlb, a.servers
    if a.only:
        cases = [c for c in cases if c in a.only]
    l2 = conf.L2socket(iface="eth0")
    rtr_reader = NetnsReader(rtr)
    srv_readers = [NetnsReader(ns) for ns in servers]
    failed = 0
    # Each snapshot ends one case and starts the next.
    before = snapshot(rtr_reader, srv_readers)
    for name in cases:
        want = ANSWER.get(name)
        sock = None
        if want:
            fam = socket.AF_INET6 if ":" in want[0] else socket.AF_INET
            sock = socket.socket(fam, socket.SOCK_DGRAM)
            sock.bind(("", want[1]))
            sock.settimeout(3)
        for pkt in globals()["case_" + name]():
            l2.send(pkt)
        res = {}
        if sock:
            try:
                data, addr = sock.recvfrom(4096)
                res["answered"] = int(addr[0] == want[0] and addr[1] == 80 and
                                      data.endswith(want[2]))
            except socket.timeout:
                res["answered"] = 0
            sock.close()
        v6 = "6" in name
        if not marker(socket.AF_INET6 if v6 else socket.AF_INET,
                      VIP6 if v6 else VIP4):
            print(f"# {name}: the marker datagram went unanswered")
            failed += 1
        after = snapshot(rtr_reader, srv_readers)
        for k in sorted(after):
            d = after[k] - before.get(k, 0)
            if k == "hlb.packets":
                d -= 2
            if d:
                res[k.replace("hlb.", "")] = d
        before = after
        res.setdefault("malformed", 0)
        res.setdefault("packets", 0)
        print(name + " " + " ".join(f"{k}={v}" for k, v in res.items()))
        sys.stdout.flush()
    for r in [rtr_reader] + srv_readers:
        r.close()
    return 1 if failed else 0


sys.exit(main())
