#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted and malformed packets for the svcnet datapath.

  pktfuzz.py xmit IFNAME COUNT SEED
      COUNT packets straight into the svcnet device IFNAME (a packet
      socket on it, so no IP layer checks them first). Service 10.96.0.1
      and fd00:96::1, TCP and UDP port 80, with backends; clients
      198.18.0.0/24 and 2001:db8:18::/64 (fresh tuples; the caller routes
      them to a blackhole) and 10.0.9.2, fd00:9::2 (no flow). Prints one JSON object: how many
      packets of each kind were sent, and what the device must have done
      with them, by outcome: "tx" (balanced and sent on), "fragments"
      (taken into reassembly) or a drop reason as `svcnet -j -s show`
      names it.

  pktfuzz.py synflood IFNAME COUNT
      COUNT TCP SYNs into the svcnet device IFNAME, to 10.96.0.1:80, each
      from another client (10.0.9.0/24 and ports), as a SYN flood brings.

  pktfuzz.py udpflood IFNAME COUNT
      COUNT UDP datagrams into IFNAME, to 10.96.0.1:53, each from another
      spoofed client (198.18.0.0/16; the caller routes them to a
      blackhole), as a flood from spoofed sources brings.

  pktfuzz.py blindack IFNAME SRC SPORT
      A TCP SYN from SRC:SPORT to 10.96.0.1:80 into IFNAME, then, a second
      later, the ACK a blind sender completes a handshake with: its
      acknowledgment number guessed.

  pktfuzz.py rev IFNAME MAC COUNT SEED SRC4 SRC6 DST4 DST6 SPORT DPORT
      COUNT frames out of IFNAME (a backend's interface) to MAC (the
      host), from the backend SRC4/SRC6 port SPORT to the client DST4/DST6
      port DPORT: the reverse-NAT hook sees them. Headers truncated or
      inconsistent, bad checksums, IPv6 extension headers, ICMP errors
      quoting garbage or quoting a flow cut short. Prints the kinds sent.

  pktfuzz.py tooBig DST OUTER_SRC OUTER_DST INNER_SRC INNER_DST SPORT DPORT MTU
      One ICMP fragmentation needed (IPv6: packet too big) to DST, as a
      router on a tunnel's path sends it: quoting an IPIP (IPv6 in IPv6)
      packet OUTER_SRC -> OUTER_DST around a UDP datagram INNER_SRC:SPORT
      -> INNER_DST:DPORT, next hop MTU MTU. The family is DST's.
"""
import json
import random
import socket
import struct
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from lbtool import inet_csum as csum  # noqa: E402

ETH_P_IP, ETH_P_IPV6, ETH_P_ARP = 0x0800, 0x86DD, 0x0806
VIP4, VIP6 = socket.inet_aton("10.96.0.1"), socket.inet_pton(
    socket.AF_INET6, "fd00:96::1")
NOSVC4, NOSVC6 = socket.inet_aton("10.96.0.200"), socket.inet_pton(
    socket.AF_INET6, "fd00:96::200")


def ip4(src, dst, proto, payload, frag=0, opts=b"", tot=None, ihl=None,
        version=4, ident=0x1234):
    hl = 20 + len(opts)
    hdr = struct.pack("!BBHHHBBH4s4s",
                      (version << 4) | ((hl // 4 if ihl is None else ihl) & 15),
                      0, tot if tot is not None else hl + len(payload),
                      ident, frag, 64, proto, 0, src, dst) + opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ip6(src, dst, nh, payload, plen=None):
    return struct.pack("!IHBB16s16s", 6 << 28,
                       len(payload) if plen is None else plen, nh, 64,
                       src, dst) + payload


def tcp(sport, dport, flags, payload=b"", doff=5, seq=1, good=True,
        src=b"", dst=b"", ack=0):
    opts = b"\x01" * (max(doff, 5) * 4 - 20)
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (doff & 15) << 4,
                      flags, 65535, 0, 0) + opts
    seg = hdr + payload
    if good and src:
        ph = src + dst + (struct.pack("!BBH", 0, 6, len(seg)) if len(src) == 4
                          else struct.pack("!IxxxB", len(seg), 6))
        c = csum(ph + seg)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    elif not good:
        seg = seg[:16] + b"\xde\xad" + seg[18:]
    return seg


def udp(sport, dport, payload=b"", length=None):
    return struct.pack("!HHHH", sport, dport,
                       8 + len(payload) if length is None else length,
                       0xbeef) + payload


SYN, ACK, FIN, RST = 0x02, 0x10, 0x01, 0x04


class Xmit:
    """Kinds of packets into the device and what must become of each."""

    def __init__(self, r):
        self.r = r
        self.n = 0

    # Clients that send SYNs and UDP get fresh tuples from 198.18.0.0/24 and
    # 2001:db8:18::/64, which the suite routes to a blackhole: the
    # backends' answers to them vanish without a trace. (Were they on a
    # link, the failed neighbour resolution would answer each with an
    # ICMP error from the service address, some seconds later, into svc0.)
    def c4(self):
        return bytes([198, 18, 0, self.r.randrange(3, 255)])

    def c6(self):
        return socket.inet_pton(socket.AF_INET6, "2001:db8:18::%x" %
                                self.r.randrange(3, 0xffff))

    def port(self):
        self.n += 1
        return 1024 + self.n % 60000

    def frag_id(self):
        self.frag_n = getattr(self, "frag_n", 0) + 1
        return self.frag_n & 0xffff

    def kinds(self):
        r = self.r
        P = r.randrange
        fo6 = r.choice([1, 8, 9])
        return [
            # (kind, ethertype, packet, outcome)
            ("ip4-truncated", ETH_P_IP, ip4(self.c4(), VIP4, 6, b"")[:P(1, 20)],
             "malformed"),
            ("ip4-ihl-below-5", ETH_P_IP, ip4(self.c4(), VIP4, 6,
                                              tcp(P(1, 65535), 80, SYN),
                                              ihl=P(0, 5)), "malformed"),
            ("ip4-ihl-past-end", ETH_P_IP, ip4(self.c4(), VIP4, 6, b"",
                                               ihl=15), "malformed"),
            ("ip4-version-6", ETH_P_IP, ip4(self.c4(), VIP4, 6,
                                            tcp(1, 80, SYN), version=6),
             "malformed"),
            ("tcp4-truncated", ETH_P_IP,
             ip4(self.c4(), VIP4, 6, tcp(1, 80, SYN)[:P(0, 20)]), "malformed"),
            ("tcp4-doff-below-5", ETH_P_IP,
             ip4(self.c4(), VIP4, 6, tcp(P(1, 65535), 80, SYN, doff=P(0, 5))),
             "malformed"),
            ("udp4-truncated", ETH_P_IP,
             ip4(self.c4(), VIP4, 17, udp(1, 80)[:P(0, 8)]), "malformed"),
            # a fragment of a datagram of its own (a new IP ID): queued
            # for reassembly whatever its offset, never completed
            ("ip4-fragment", ETH_P_IP,
             ip4(self.c4(), VIP4, 6, tcp(1, 80, SYN),
                 frag=r.choice([0x2000, 0x0001, 0x2010, 0x3fff]),
                 ident=self.frag_id()), "fragments"),
            ("ip4-options-syn", ETH_P_IP,
             ip4(self.c4(), VIP4, 6, tcp(self.port(), 80, SYN),
                 opts=b"\x01\x01\x01\x00" * P(1, 11)), "tx"),
            ("ip4-length-lies-syn", ETH_P_IP,
             ip4(self.c4(), VIP4, 6, tcp(self.port(), 80, SYN),
                 tot=r.choice([0, 19, 40, 41, 1500, 65535])), "tx"),
            ("tcp4-bad-checksum-syn", ETH_P_IP,
             ip4(self.c4(), VIP4, 6, tcp(self.port(), 80, SYN, good=False)),
             "tx"),
            ("tcp4-ack-no-flow", ETH_P_IP,
             ip4(bytes([10, 0, 9, 2]), VIP4, 6,
                 tcp(P(1, 65535), 80, r.choice([ACK, ACK | FIN, RST, 0]))),
             "no-flow"),
            ("udp4-empty", ETH_P_IP,
             ip4(self.c4(), VIP4, 17, udp(self.port(), 80)), "tx"),
            ("udp4-length-lies", ETH_P_IP,
             ip4(self.c4(), VIP4, 17, udp(self.port(), 80, b"x" * P(0, 64),
                                          length=P(0, 65536))), "tx"),
            ("ip4-no-service", ETH_P_IP,
             ip4(self.c4(), NOSVC4, r.choice([6, 17]),
                 tcp(self.port(), 80, SYN)), "no-service"),
            ("icmp4-error-quoting-garbage", ETH_P_IP,
             ip4(self.c4(), VIP4, 1, bytes([3, r.choice([1, 3, 4]), 0, 0, 0, 0,
                                             0, 0]) +
                 bytes(P(256) for _ in range(P(0, 60)))), "no-service"),
            ("icmp4-error-quoting-truncated-tcp", ETH_P_IP,
             ip4(self.c4(), VIP4, 1, bytes([3, 3, 0, 0, 0, 0, 0, 0]) +
                 ip4(VIP4, self.c4(), 6, tcp(80, 1, SYN))[:P(20, 27)]),
             "no-service"),
            ("ip4-other-protocol", ETH_P_IP,
             ip4(self.c4(), VIP4, r.choice([0, 47, 50, 132, 255]),
                 bytes(P(0, 40))), "no-service"),
            ("ip6-truncated", ETH_P_IPV6,
             ip6(self.c6(), VIP6, 6, b"")[:P(1, 40)], "malformed"),
            ("ip6-version-4", ETH_P_IPV6,
             ip4(self.c4(), VIP4, 6, tcp(1, 80, SYN)) + bytes(20),
             "malformed"),
            ("tcp6-truncated", ETH_P_IPV6,
             ip6(self.c6(), VIP6, 6, tcp(1, 80, SYN)[:P(0, 20)]), "malformed"),
            # likewise; but a fragment with more to follow whose length
            # is no multiple of 8 is refused by reassembly (RFC 8200)
            ("ip6-fragment-header", ETH_P_IPV6,
             ip6(self.c6(), VIP6, 44, struct.pack("!BBHI", 6, 0, fo6,
                                                  self.frag_id()) +
                 tcp(1, 80, SYN)), "fragments" if fo6 == 8 else "fragment"),
            ("ip6-ext-headers-syn", ETH_P_IPV6,
             ip6(self.c6(), VIP6, 0,
                 bytes([60, 0, 1, 4, 0, 0, 0, 0]) +	# hop-by-hop, PadN
                 bytes([6, 0, 1, 4, 0, 0, 0, 0]) +	# destination opts
                 tcp(self.port(), 80, SYN)), "tx"),
            ("ip6-ext-header-past-end", ETH_P_IPV6,
             ip6(self.c6(), VIP6, 0, bytes([6, P(1, 255), 0, 0])), "malformed"),
            ("udp6-empty", ETH_P_IPV6,
             ip6(self.c6(), VIP6, 17, udp(self.port(), 80)), "tx"),
            ("tcp6-ack-no-flow", ETH_P_IPV6,
             ip6(socket.inet_pton(socket.AF_INET6, "fd00:9::2"), VIP6, 6,
                 tcp(P(1, 65535), 80, ACK)), "no-flow"),
            ("icmp6-error-quoting-garbage", ETH_P_IPV6,
             ip6(self.c6(), VIP6, 58, bytes([1, 4, 0, 0, 0, 0, 0, 0]) +
                 bytes(P(256) for _ in range(P(0, 60)))), "no-service"),
            ("not-ip", ETH_P_ARP, bytes(P(256) for _ in range(P(1, 60))),
             "protocol"),
        ]


def xmit(ifname, count, seed):
    r = random.Random(seed)
    gen = Xmit(r)
    socks = {}
    sent, want = {}, {}
    # one packet of each kind per round, freshly drawn each round
    kinds = gen.kinds()
    for i in range(count):
        if i and i % len(kinds) == 0:
            kinds = gen.kinds()
        kind, proto, pkt, outcome = kinds[i % len(kinds)]
        if proto not in socks:
            socks[proto] = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                         socket.htons(proto))
        socks[proto].sendto(pkt, (ifname, proto))
        sent[kind] = sent.get(kind, 0) + 1
        want[outcome] = want.get(outcome, 0) + 1
    print(json.dumps({"sent": sent, "want": want, "total": count}))


def rev(ifname, mac, count, seed, s4, s6, d4, d6, sport, dport):
    r = random.Random(seed)
    P = r.randrange
    s4, d4 = socket.inet_aton(s4), socket.inet_aton(d4)
    s6 = socket.inet_pton(socket.AF_INET6, s6)
    d6 = socket.inet_pton(socket.AF_INET6, d6)
    dst = bytes(int(x, 16) for x in mac.split(":"))
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((ifname, 0))
    src = sock.getsockname()[4]
    sent = {}

    def draw():
        seq = P(1 << 32)
        return [
            ("tcp4-truncated", ETH_P_IP,
             ip4(s4, d4, 6, tcp(sport, dport, ACK)[:P(0, 20)])),
            ("tcp4-doff-below-5", ETH_P_IP,
             ip4(s4, d4, 6, tcp(sport, dport, ACK, doff=P(0, 5)))),
            ("tcp4-bad-checksum", ETH_P_IP,
             ip4(s4, d4, 6, tcp(sport, dport, ACK, b"junk", seq=seq,
                                good=False))),
            ("tcp4-out-of-window", ETH_P_IP,
             ip4(s4, d4, 6, tcp(sport, dport, ACK, seq=seq, src=s4,
                                dst=d4))),
            ("udp4-truncated", ETH_P_IP, ip4(s4, d4, 17, udp(sport, dport)[:P(0, 8)])),
            ("ip4-options", ETH_P_IP,
             ip4(s4, d4, 6, tcp(sport, dport, ACK, good=False),
                 opts=b"\x01\x01\x01\x00" * P(1, 11))),
            ("icmp4-error-quoting-garbage", ETH_P_IP,
             ip4(s4, d4, 1, bytes([3, 3, 0, 0, 0, 0, 0, 0]) +
                 bytes(P(256) for _ in range(P(0, 60))))),
            ("icmp4-error-quoting-the-flow-cut-short", ETH_P_IP,
             ip4(s4, d4, 1, bytes([3, r.choice([1, 3, 4]), 0, 0, 0, 0, 0, 0]) +
                 ip4(d4, s4, 6, tcp(dport, sport, ACK))[:P(0, 28)])),
            ("tcp6-truncated", ETH_P_IPV6,
             ip6(s6, d6, 6, tcp(sport, dport, ACK)[:P(0, 20)])),
            ("ip6-ext-headers-bad-checksum", ETH_P_IPV6,
             ip6(s6, d6, 0, bytes([60, 0, 1, 4, 0, 0, 0, 0]) +
                 bytes([6, 0, 1, 4, 0, 0, 0, 0]) +
                 tcp(sport, dport, ACK, good=False))),
            ("ip6-ext-header-past-end", ETH_P_IPV6,
             ip6(s6, d6, 60, bytes([6, P(1, 255), 0, 0]))),
            ("ip6-fragment", ETH_P_IPV6,
             ip6(s6, d6, 44, struct.pack("!BBHI", 6, 0, 8, 7) +
                 tcp(sport, dport, ACK, good=False))),
            ("icmp6-error-quoting-garbage", ETH_P_IPV6,
             ip6(s6, d6, 58, bytes([1, 4, 0, 0, 0, 0, 0, 0]) +
                 bytes(P(256) for _ in range(P(0, 60))))),
            ("icmp6-error-quoting-the-flow-cut-short", ETH_P_IPV6,
             ip6(s6, d6, 58, bytes([1, 4, 0, 0, 0, 0, 0, 0]) +
                 ip6(d6, s6, 6, tcp(dport, sport, ACK))[:P(0, 60)])),
        ]
    # one frame of each kind per round, freshly drawn each round
    kinds = draw()
    for i in range(count):
        if i and i % len(kinds) == 0:
            kinds = draw()
        kind, proto, pkt = kinds[i % len(kinds)]
        sock.send(dst + src + struct.pack("!H", proto) + pkt)
        sent[kind] = sent.get(kind, 0) + 1
    print(json.dumps({"sent": sent, "total": count}))


def synflood(ifname, count):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                         socket.htons(ETH_P_IP))
    for i in range(count):
        src = bytes([10, 0, 9, 3 + i % 250])
        sock.sendto(ip4(src, VIP4, 6, tcp(1024 + i // 250 % 60000, 80, SYN,
                                          src=src, dst=VIP4)),
                    (ifname, ETH_P_IP))
    print(json.dumps({"sent": count}))


def udpflood(ifname, count):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                         socket.htons(ETH_P_IP))
    for i in range(count):
        src = bytes([198, 18, i // 250 % 250, 1 + i % 250])
        # checksum 0: none, so the backends answer each
        sock.sendto(ip4(src, VIP4, 17, struct.pack("!HHHH", 1024 + i // 62500,
                                                   53, 12, 0) + b"name"),
                    (ifname, ETH_P_IP))
    print(json.dumps({"sent": count}))


def blindack(ifname, src, sport):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                         socket.htons(ETH_P_IP))
    s = socket.inet_aton(src)
    sock.sendto(ip4(s, VIP4, 6, tcp(sport, 80, SYN, seq=1000, src=s,
                                    dst=VIP4)), (ifname, ETH_P_IP))
    time.sleep(1)
    # the SYN-ACK went to the spoofed source: its sequence number is a guess
    sock.sendto(ip4(s, VIP4, 6, tcp(sport, 80, ACK, seq=1001,
                                    ack=random.getrandbits(32), src=s,
                                    dst=VIP4)), (ifname, ETH_P_IP))
    print(json.dumps({"sent": 2}))


def too_big(dst, osrc, odst, isrc, idst, sport, dport, mtu):
    v6 = ":" in dst
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    a = [socket.inet_pton(fam, x) for x in (osrc, odst, isrc, idst)]
    dgram = udp(sport, dport, b"x" * 32)
    if v6:
        quote = ip6(a[0], a[1], 41, ip6(a[2], a[3], 17, dgram))
        # the kernel sums an ICMPv6 raw socket's messages
        msg = struct.pack("!BBHI", 2, 0, 0, mtu) + quote
        sock = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    else:
        quote = ip4(a[0], a[1], 4, ip4(a[2], a[3], 17, dgram))
        msg = struct.pack("!BBHHH", 3, 4, 0, 0, mtu) + quote
        msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
        sock = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.sendto(msg, (dst, 0))
    print(json.dumps({"sent": 1}))


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "xmit":
        xmit(a[2], int(a[3]), int(a[4]))
    elif a[1] == "synflood":
        synflood(a[2], int(a[3]))
    elif a[1] == "udpflood":
        udpflood(a[2], int(a[3]))
    elif a[1] == "blindack":
        blindack(a[2], a[3], int(a[4]))
    elif a[1] == "tooBig":
        too_big(a[2], a[3], a[4], a[5], a[6], int(a[7]), int(a[8]), int(a[9]))
    else:
        rev(a[2], a[3], int(a[4]), int(a[5]), a[6], a[7], a[8], a[9],
            int(a[10]), int(a[11]))
