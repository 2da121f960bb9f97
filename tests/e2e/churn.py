#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Configuration churn for the svcnet family: one worker of several.

  churn.py WORKER COUNT SEED STABLE_VIP

Sends COUNT requests, each one configuration operation, and waits for
each answer: on svc0, services 10.96.1.(WORKER*40 + 0..39):80/tcp added,
deleted, re-scheduled, their backends (10.0.N.2:8080) added, deleted and
re-weighted, their flows flushed; the weights of the backends of the
service STABLE_VIP:80/tcp changed (never to 0); on svc1, APPLY of a
random set of services 10.96.2.(1..20):80/tcp. Errors EEXIST and ENOENT
are expected (the worker does not remember what it did); any other is
counted as unexpected. Prints {"sent", "ok", "errors": {...},
"unexpected"}.
"""
import errno
import json
import random
import socket
import struct
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from nlfuzz import (Sock, nla, nest, NLMSG_ERROR, A_IFNAME, A_SERVICE,  # noqa
                    A_BACKEND, S_ADDR, S_PORT, S_PROTO, S_SCHED, S_BACKENDS,
                    B_ADDR, B_PORT, B_WEIGHT, SVC_NEW, SVC_SET, SVC_DEL,
                    BE_NEW, BE_SET, BE_DEL, FLOW_FLUSH, APPLY)


def key(addr):
    return [nla(S_ADDR, addr), nla(S_PORT, struct.pack("=H", 80)),
            nla(S_PROTO, bytes([6]))]


def be(n, weight=None):
    parts = [nla(B_ADDR, bytes([10, 0, n, 2])),
             nla(B_PORT, struct.pack("=H", 8080))]
    if weight is not None:
        parts.append(nla(B_WEIGHT, struct.pack("=H", weight)))
    return parts


def main(argv):
    worker, count, seed = int(argv[1]), int(argv[2]), int(argv[3])
    stable = socket.inet_aton(argv[4])
    r = random.Random(seed)
    sock = Sock()
    svc0 = nla(A_IFNAME, b"svc0\0")
    svc1 = nla(A_IFNAME, b"svc1\0")
    res = {"sent": 0, "ok": 0, "errors": {}, "unexpected": 0}
    for _ in range(count):
        addr = bytes([10, 96, 1, worker * 40 + r.randrange(40)])
        k = r.randrange(10)
        if k == 0:
            cmd, p = SVC_NEW, svc0 + nest(A_SERVICE, key(addr) + [
                nla(S_SCHED, bytes([r.randrange(1, 7)]))])
        elif k == 1:
            cmd, p = SVC_DEL, svc0 + nest(A_SERVICE, key(addr))
        elif k == 2:
            cmd, p = SVC_SET, svc0 + nest(A_SERVICE, key(addr) + [
                nla(S_SCHED, bytes([r.randrange(1, 7)]))])
        elif k in (3, 4):
            cmd, p = BE_NEW, svc0 + nest(A_SERVICE, key(addr)) + \
                nest(A_BACKEND, be(r.randrange(1, 4), r.randrange(0, 4)))
        elif k == 5:
            cmd, p = BE_DEL, svc0 + nest(A_SERVICE, key(addr)) + \
                nest(A_BACKEND, be(r.randrange(1, 4)))
        elif k == 6:
            cmd, p = BE_SET, svc0 + nest(A_SERVICE, key(addr)) + \
                nest(A_BACKEND, be(r.randrange(1, 4), r.randrange(0, 4)))
        elif k == 7:
            cmd, p = BE_SET, svc0 + nest(A_SERVICE, key(stable)) + \
                nest(A_BACKEND, be(r.randrange(1, 4), r.randrange(1, 6)))
        elif k == 8:
            cmd, p = FLOW_FLUSH, svc0 + nest(A_SERVICE, key(addr))
        else:
            svcs = []
            for i in r.sample(range(1, 21), r.randrange(0, 8)):
                bes = [nest(0, be(n)) for n in
                       r.sample(range(1, 4), r.randrange(1, 4))]
                svcs.append(nest(A_SERVICE, key(bytes([10, 96, 2, i])) +
                                 [nest(S_BACKENDS, bes)]))
            cmd, p = APPLY, svc1 + b"".join(svcs)
        ans = [v for t, v in sock.request(cmd, p) if t == NLMSG_ERROR]
        res["sent"] += 1
        err = -ans[0] if ans else 0
        if not err:
            res["ok"] += 1
            continue
        name = errno.errorcode.get(err, str(err))
        res["errors"][name] = res["errors"].get(name, 0) + 1
        if err not in (errno.EEXIST, errno.ENOENT):
            res["unexpected"] += 1
    print(json.dumps(res))
    return 0 if res["unexpected"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
