#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every svcnet command once, well formed, naming IFNAME (or IFINDEX).

  nlperm.py IFNAME|--ifindex N

Prints {"COMMAND": "OK" or the errno name}: run without CAP_NET_ADMIN to
see which commands are refused, or from another namespace to see what it
may reach.
"""
import errno
import json
import struct
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from nlfuzz import (Sock, nla, nest, NLMSG_ERROR, A_IFNAME, A_IFINDEX,  # noqa
                    A_SERVICE, A_BACKEND, A_FLOW, A_CONFIG, S_ADDR, S_PORT,
                    S_PROTO, S_SCHED, S_BACKENDS, B_ADDR, B_PORT, B_WEIGHT,
                    DEV_GET, SVC_NEW, SVC_SET, SVC_DEL, SVC_GET, BE_NEW,
                    BE_SET, BE_DEL, FLOW_GET, FLOW_DEL, FLOW_FLUSH, CFG_GET,
                    CFG_SET, APPLY, DEV_SET, A_FAST_PATH)

if sys.argv[1] == "--ifindex":
    dev = nla(A_IFINDEX, struct.pack("=I", int(sys.argv[2])))
else:
    dev = nla(A_IFNAME, sys.argv[1].encode() + b"\0")
key = [nla(S_ADDR, bytes([10, 96, 0, 1])), nla(S_PORT, struct.pack("=H", 80)),
       nla(S_PROTO, bytes([6]))]
newkey = [nla(S_ADDR, bytes([10, 96, 0, 77])),
          nla(S_PORT, struct.pack("=H", 80)), nla(S_PROTO, bytes([6]))]
be = [nla(B_ADDR, bytes([10, 0, 1, 2])), nla(B_PORT, struct.pack("=H", 8080))]
# SVCNET_A_FLOW_PROTO, _CLIENT_ADDR, _CLIENT_PORT, _SVC_ADDR, _SVC_PORT
flow = [nla(1, bytes([6])), nla(2, bytes([10, 0, 9, 2])),
        nla(3, struct.pack("=H", 40000)), nla(4, bytes([10, 96, 0, 1])),
        nla(5, struct.pack("=H", 80))]
cmds = [
    ("DEV_GET", DEV_GET, dev, False),
    ("SERVICE_GET", SVC_GET, dev + nest(A_SERVICE, key), False),
    ("FLOW_GET", FLOW_GET, dev, True),
    ("CONFIG_GET", CFG_GET, b"", False),
    ("SERVICE_NEW", SVC_NEW, dev + nest(A_SERVICE, newkey), False),
    ("SERVICE_SET", SVC_SET, dev + nest(A_SERVICE, key + [
        nla(S_SCHED, bytes([2]))]), False),
    ("BACKEND_NEW", BE_NEW, dev + nest(A_SERVICE, key) + nest(A_BACKEND, [
        nla(B_ADDR, bytes([10, 0, 2, 2])),
        nla(B_PORT, struct.pack("=H", 8080))]), False),
    ("BACKEND_SET", BE_SET, dev + nest(A_SERVICE, key) + nest(A_BACKEND, be + [
        nla(B_WEIGHT, struct.pack("=H", 7))]), False),
    ("BACKEND_DEL", BE_DEL, dev + nest(A_SERVICE, key) + nest(A_BACKEND, be),
     False),
    ("FLOW_DEL", FLOW_DEL, dev + nest(A_FLOW, flow), False),
    ("FLOW_FLUSH", FLOW_FLUSH, dev, False),
    ("CONFIG_SET", CFG_SET, nest(A_CONFIG, [nla(1, struct.pack("=I", 5))]),
     False),
    ("APPLY", APPLY, dev, False),
    ("DEV_SET", DEV_SET, dev + nla(A_FAST_PATH, bytes([1])), False),
    ("SERVICE_DEL", SVC_DEL, dev + nest(A_SERVICE, key), False),
]
sock = Sock()
res = {}
for name, cmd, payload, dump in cmds:
    ans = [v for t, v in sock.request(cmd, payload, dump=dump)
           if t == NLMSG_ERROR]
    err = -ans[0] if ans and ans[0] else 0
    res[name] = errno.errorcode.get(err, str(err)) if err else "OK"
print(json.dumps(res))
