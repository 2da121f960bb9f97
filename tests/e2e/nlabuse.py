#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hand-made hostile requests to the svcnet family, one case each.

  nlabuse.py IFNAME

IFNAME must be an svcnet device with no services. Each case sends one
request and wants the answer given (an errno and, for a refusal, the
words of its extended ack), and the device's services and backends
afterwards exactly as the case says (unchanged, for every refusal).
Prints one JSON object {CASE: "ok" or what went wrong}; exit status 0
when every case is "ok".
"""
import errno
import json
import socket
import struct
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from nlfuzz import (Sock, nla, nest, attrs, messages, dump_state,  # noqa
                    NLMSG_ERROR, NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP,
                    A_IFNAME, A_SERVICE, A_BACKEND, A_FLOW, A_CONFIG,
                    S_ADDR, S_PORT, S_PROTO, S_SCHED, S_BACKENDS, S_SOURCES,
                    B_ADDR, B_PORT, B_WEIGHT, SVC_NEW, SVC_SET,
                    SVC_GET, SVC_DEL,
                    BE_NEW, FLOW_DEL, FLOW_GET, CFG_SET, APPLY, DEV_GET,
                    DEV_SET, A_FAST_PATH)

SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11
NLMSGERR_ATTR_MSG = 1
TWICE = "attribute given twice"


def u16(v):
    return struct.pack("=H", v)


def u32(v):
    return struct.pack("=I", v)


def skey(last, port=80):
    return [nla(S_ADDR, bytes([10, 96, 0, last])), nla(S_PORT, u16(port)),
            nla(S_PROTO, bytes([6]))]


def be(i):
    return nest(0, [nla(B_ADDR, bytes([10, 1, i >> 8, i & 255])),
                    nla(B_PORT, u16(8080))])


def bes(n, start=0):
    return nest(S_BACKENDS, [be(i) for i in range(start, start + n)])


class AckSock(Sock):
    """A Sock whose errors come back with the kernel's message."""

    def __init__(self):
        super().__init__()
        # room for the largest case (an unprivileged user gets up to
        # twice wmem_max)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)

    def ask(self, cmd, payload, dump=False):
        """(errno, extack message) of one request; 0 when accepted."""
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        seq = self.send(self.family, flags, cmd, payload)
        while True:
            for t, _, sq, p in messages(self.s.recv(1 << 20)):
                if sq != seq or t not in (NLMSG_ERROR, 3):
                    continue
                if t == 3:	# NLMSG_DONE: its payload is the error
                    err = struct.unpack_from("=i", p)[0]
                    tlvs = p[4:]
                else:
                    err = struct.unpack_from("=i", p)[0]
                    tlvs = p[20:]	# nlmsgerr: error + the request's header
                msg = ""
                for at, val in attrs(tlvs):
                    if at == NLMSGERR_ATTR_MSG:
                        msg = val.rstrip(b"\0").decode()
                return -err, msg


def cases(dev):
    """(name, cmd, payload, dump, errno wanted, message wanted, state
    wanted as {last octet of 10.96.0.x: backends} or None: unchanged)."""
    k1, k2 = skey(1), skey(2)
    two = TWICE
    return [
        # the overflow: the count read the first BACKENDS, the parse the last
        ("SERVICE_NEW, BACKENDS twice (empty, then 200)", SVC_NEW,
         dev + nest(A_SERVICE, k1 + [bes(0), bes(200)]), False,
         errno.EINVAL, two, None),
        ("SERVICE_NEW, BACKENDS twice (200, then empty)", SVC_NEW,
         dev + nest(A_SERVICE, k1 + [bes(200), bes(0)]), False,
         errno.EINVAL, two, None),
        ("APPLY, BACKENDS twice in a service (empty, then 200)", APPLY,
         dev + nest(A_SERVICE, k1 + [bes(0), bes(200)]), False,
         errno.EINVAL, two, None),
        ("APPLY, the second service with BACKENDS twice", APPLY,
         dev + nest(A_SERVICE, k1 + [bes(2)]) +
         nest(A_SERVICE, k2 + [bes(1), bes(300, 10)]), False,
         errno.EINVAL, two, None),
        ("SERVICE_NEW, SERVICE nest twice at the top", SVC_NEW,
         dev + nest(A_SERVICE, k1) + nest(A_SERVICE, k2), False,
         errno.EINVAL, two, None),
        ("SERVICE_NEW, IFNAME twice", SVC_NEW,
         dev + dev + nest(A_SERVICE, k1), False, errno.EINVAL, two, None),
        ("SERVICE_NEW, the service's ADDR twice", SVC_NEW,
         dev + nest(A_SERVICE, k1 + [nla(S_ADDR, bytes([10, 96, 0, 9]))]),
         False, errno.EINVAL, two, None),
        ("SERVICE_NEW, SCHED twice", SVC_NEW,
         dev + nest(A_SERVICE, k1 + [nla(S_SCHED, bytes([1])),
                                     nla(S_SCHED, bytes([2]))]), False,
         errno.EINVAL, two, None),
        ("SERVICE_NEW, a backend entry with its PORT twice", SVC_NEW,
         dev + nest(A_SERVICE, k1 + [nest(S_BACKENDS, [
             be(1), nest(0, [nla(B_ADDR, bytes([10, 1, 0, 2])),
                             nla(B_PORT, u16(1)), nla(B_PORT, u16(2))])])]),
         False, errno.EINVAL, two, None),
        ("SERVICE_NEW, a source entry with its ADDR twice", SVC_NEW,
         dev + nest(A_SERVICE, k1 + [nest(S_SOURCES, [nest(0, [
             nla(1, bytes([10, 0, 0, 0])), nla(1, bytes([10, 9, 0, 0])),
             nla(2, bytes([8]))])])]), False, errno.EINVAL, two, None),
        ("SERVICE_NEW, SOURCES twice", SVC_NEW,
         dev + nest(A_SERVICE, k1 + [nest(S_SOURCES, []),
                                     nest(S_SOURCES, [])]), False,
         errno.EINVAL, two, None),
        ("BACKEND_NEW, the BACKEND nest's ADDR twice", BE_NEW,
         dev + nest(A_SERVICE, k1) + nest(A_BACKEND, [
             nla(B_ADDR, bytes([10, 1, 0, 2])), nla(B_PORT, u16(8080)),
             nla(B_ADDR, bytes([10, 1, 0, 3]))]), False,
         errno.EINVAL, two, None),
        ("BACKEND_NEW, BACKEND twice", BE_NEW,
         dev + nest(A_SERVICE, k1) + nest(A_BACKEND, [
             nla(B_ADDR, bytes([10, 1, 0, 2])), nla(B_PORT, u16(8080))]) +
         nest(A_BACKEND, [nla(B_ADDR, bytes([10, 1, 0, 3])),
                          nla(B_PORT, u16(8080))]), False,
         errno.EINVAL, two, None),
        ("FLOW_DEL, the flow's CLIENT_PORT twice", FLOW_DEL,
         dev + nest(A_FLOW, [nla(1, bytes([6])), nla(2, bytes([10, 0, 9, 2])),
                             nla(3, u16(4000)), nla(3, u16(4001)),
                             nla(4, bytes([10, 96, 0, 1])),
                             nla(5, u16(80))]), False,
         errno.EINVAL, two, None),
        ("CONFIG_SET, FLOW_MAX twice", CFG_SET,
         nest(A_CONFIG, [nla(1, u32(5)), nla(1, u32(7))]), False,
         errno.EINVAL, two, None),
        ("SERVICE_GET dump, IFNAME twice", SVC_GET, dev + dev, True,
         errno.EINVAL, two, None),
        ("FLOW_GET dump, IFNAME twice", FLOW_GET, dev + dev, True,
         errno.EINVAL, two, None),
        ("DEV_GET, IFNAME twice", DEV_GET, dev + dev, False,
         errno.EINVAL, two, None),
        # what may repeat still works
        ("APPLY, two services: accepted", APPLY,
         dev + nest(A_SERVICE, k1 + [bes(2)]) +
         nest(A_SERVICE, k2 + [bes(1)]), False, 0, "", {1: 2, 2: 1}),
        ("APPLY, a service continued by a second nest: accepted", APPLY,
         dev + nest(A_SERVICE, k1 + [bes(150)]) +
         nest(A_SERVICE, k1 + [bes(100, 150)]), False, 0, "", {1: 250}),
        ("SERVICE_SET, 200 backends: accepted", SVC_SET,
         dev + nest(A_SERVICE, k1 + [bes(200)]), False, 0, "", {1: 200}),
        ("SERVICE_SET, BACKENDS twice", SVC_SET,
         dev + nest(A_SERVICE, k1 + [bes(0), bes(300)]), False,
         errno.EINVAL, two, None),
        ("DEV_GET: accepted", DEV_GET, dev, False, 0, "", None),
        ("DEV_SET, FAST_PATH 4: out of range", DEV_SET,
         dev + nla(A_FAST_PATH, bytes([4])), False, errno.ERANGE, "", None),
        ("DEV_SET, FAST_PATH twice", DEV_SET,
         dev + nla(A_FAST_PATH, bytes([1])) + nla(A_FAST_PATH, bytes([0])),
         False, errno.EINVAL, two, None),
        ("DEV_SET without a setting", DEV_SET, dev, False, errno.EINVAL,
         "nothing to set", None),
        ("SERVICE_NEW with FAST_PATH: refused (DEV_SET's alone)", SVC_NEW,
         dev + nest(A_SERVICE, skey(9)) + nla(A_FAST_PATH, bytes([0])),
         False, errno.EINVAL, "", None),
        # counts beyond what a device may hold are refused before any
        # allocation is sized from them
        ("APPLY, 65537 empty service nests", APPLY,
         dev + nest(A_SERVICE, []) * 65537, False, errno.ENOSPC,
         "too many services on this device", None),
    ]


def get_do(sock, dev, key, want):
    """"ok" when SERVICE_GET (do) of KEY answers WANT backends."""
    got = None
    for t, p in sock.request(SVC_GET, dev + nest(A_SERVICE, key)):
        if t == NLMSG_ERROR:
            if p:
                return "error %d" % p
            continue
        for at, val in attrs(p[4:]):
            if at == A_SERVICE:
                got = len(list(attrs(dict(attrs(val)).get(S_BACKENDS, b""))))
    return "ok" if got == want else "got %s backends, want %d" % (got, want)


def main(argv):
    sock = AckSock()
    dev = nla(A_IFNAME, argv[1].encode() + b"\0")
    out = {}
    for name, cmd, payload, dump, want_err, want_msg, want_state in \
            cases(dev):
        before = dump_state(sock, argv[1])
        err, msg = sock.ask(cmd, payload, dump)
        after = dump_state(sock, argv[1])
        if want_state is None:
            state_ok = after == before
        else:
            got = {k[0][3]: len(v) for k, v in after.items()}
            state_ok = got == want_state
        problems = []
        if err != want_err:
            problems.append("errno %s, want %s" % (
                errno.errorcode.get(err, err), errno.errorcode.get(
                    want_err, want_err)))
        if want_msg and want_msg not in msg:
            problems.append("message %r, want %r" % (msg, want_msg))
        if not state_ok:
            problems.append("state changed: %d services" % len(after))
        out[name] = "; ".join(problems) or "ok"
        if name == "SERVICE_SET, 200 backends: accepted":
            out["SERVICE_GET do: the first 64 backends of 200"] = \
                get_do(sock, dev, skey(1), 64)
    # the largest reply: IPv6 backends, and 64 IPv6 source prefixes
    k6 = [nla(S_ADDR, bytes([0xfd, 0, 0, 0x96] + [0] * 11 + [9])),
          nla(S_PORT, u16(80)), nla(S_PROTO, bytes([6]))]
    b6 = nest(S_BACKENDS, [nest(0, [
        nla(B_ADDR, bytes([0xfd, 0, 0, 1] + [0] * 10 + [i >> 8, i & 255])),
        nla(B_PORT, u16(8080))]) for i in range(1, 201)])
    src6 = nest(S_SOURCES, [nest(0, [
        nla(1, bytes([0xfd, 0, 0, i] + [0] * 12)), nla(2, bytes([64]))])
        for i in range(64)])
    err, msg = sock.ask(SVC_NEW, dev + nest(A_SERVICE, k6 + [src6, b6]))
    out["SERVICE_GET do: the first 64 of 200 IPv6 backends, 64 sources"] = \
        get_do(sock, dev, k6, 64) if not err else "SERVICE_NEW: %s" % msg
    sock.ask(SVC_DEL, dev + nest(A_SERVICE, k6))
    print(json.dumps(out))
    return 0 if all(v == "ok" for v in out.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
