#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generic netlink fuzzer for the svcnet family.

  nlfuzz.py IFNAME COUNT SEED
  nlfuzz.py --dumps IFNAME SERVICES ABANDON

Sends COUNT requests to the family, in batches of several messages per
send: random commands with attribute trees that are mostly well formed
(so that many are accepted) and, one in four, mutated: wrong types and
lengths, attributes without their nest flag, unknown attributes, random
attribute trees, deep nests, truncation, junk genetlink headers, dump
flags on commands that have no dump, messages whose length lies.
It keeps a model of the services and backends the accepted requests ask
for (SERVICE_NEW/DEL, BACKEND_NEW/DEL, APPLY; SET only changes settings).
A request whose effect the model cannot know (mutated, or with junk in
its header) is sent alone, after the device has been compared with the
model; if it is accepted, the model becomes the device's state
(unverifiable). Every other accepted request is verified: a comparison
after it, before any such resync, found the device equal to the model.
Prints one JSON line: {"sent", "accepted", "verified", "unverifiable",
"checks", "must_refuse", "errors": {errno: count}, "model_ok", "diff"}.
Requests that must be refused whatever else they hold (an attribute
given twice at any level; a service named again after another in APPLY)
count in must_refuse; one accepted fails the run. Exit status 0 when
every comparison found the device equal to the model.

With --dumps: installs SERVICES services of 4 backends each with one
APPLY, dumps them while another socket adds a service after the first
part (the dump must flag NLM_F_DUMP_INTR), abandons ABANDON dumps half
way (closing the socket), and checks the device's state afterwards.
"""
import errno
import json
import os
import random
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000

# enum svcnet_cmd
DEV_GET, SVC_NEW, SVC_SET, SVC_DEL, SVC_GET = 1, 2, 3, 4, 5
BE_NEW, BE_SET, BE_DEL = 6, 7, 8
FLOW_GET, FLOW_DEL, FLOW_FLUSH, CFG_GET, CFG_SET, APPLY = 9, 10, 11, 12, 13, 14
DEV_SET = 15
# enum svcnet_attr
A_IFINDEX, A_IFNAME, A_GENERATION, A_STATS, A_SERVICE, A_BACKEND = 1, 2, 3, 4, 5, 6
A_FLOW, A_CONFIG, A_PURGED, A_FAST_PATH, A_HASH_KEY = 7, 8, 9, 10, 11
# enum svcnet_svc_attr
S_ADDR, S_PORT, S_PROTO, S_SCHED, S_MSIZE, S_STATS, S_BACKENDS = 1, 2, 3, 4, 5, 6, 7
S_AFF, S_AFFP, S_POLICY, S_SOURCES = 8, 9, 10, 11
S_FORWARD = 14
# enum svcnet_be_attr
B_ADDR, B_PORT, B_WEIGHT, B_STATS, B_DRAIN, B_LOCAL = 1, 2, 3, 4, 5, 6


def nla(t, payload):
    hdr = struct.pack("=HH", 4 + len(payload), t)
    pad = (-len(payload)) % 4
    return hdr + payload + b"\0" * pad


def nest(t, parts):
    return nla(t | NLA_F_NESTED, b"".join(parts))


def messages(data):
    """The netlink messages in one datagram: (type, flags, seq, payload)."""
    off = 0
    while off + 16 <= len(data):
        ln, t, fl, sq, _ = struct.unpack_from("=IHHII", data, off)
        yield t, fl, sq, data[off + 16:off + ln]
        off += (ln + 3) & ~3


class Sock:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.bind((0, 0))
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        try:	# SO_SNDBUFFORCE, for the large APPLY of --dumps
            self.s.setsockopt(socket.SOL_SOCKET, 32, 1 << 22)
        except PermissionError:
            pass
        self.seq = 1
        self.family = self.resolve()

    def send(self, mtype, flags, cmd, payload):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), mtype, flags,
                          self.seq, 0) + body
        self.s.send(msg)
        return self.seq

    def replies(self, seq):
        """Yield (type, payload) until the ack or DONE of seq."""
        while True:
            for t, _, sq, payload in messages(self.s.recv(1 << 20)):
                if sq != seq:
                    continue
                if t == NLMSG_ERROR:
                    yield t, struct.unpack_from("=i", payload)[0]
                    return
                if t == NLMSG_DONE:
                    # a dump that failed says so in its DONE
                    err = struct.unpack_from("=i", payload)[0] \
                        if len(payload) >= 4 else 0
                    if err:
                        yield NLMSG_ERROR, err
                    return
                yield t, payload

    def request(self, cmd, payload, dump=False):
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        seq = self.send(self.family, flags, cmd, payload)
        return list(self.replies(seq))

    @staticmethod
    def header(rnd):
        """Header changes for one request: (extra flags, version,
        reserved, junk). junk: the request may do something else."""
        k = rnd.random()
        if k < 0.02:
            return NLM_F_DUMP, 1, 0, False
        if k < 0.04:
            return rnd.choice([0x100, 0x200, 0x400, 0x800]), 1, 0, True
        if k < 0.06:
            return 0, rnd.randrange(256), rnd.randrange(65536), True
        return 0, 1, 0, False

    def batch(self, reqs, rnd):
        """Send REQS [(cmd, payload, header)] in one buffer, the last
        perhaps with a length that lies (the kernel then stops reading
        the buffer there: that request is never processed). Returns, per
        request, its error (0 when accepted), or None when it got no
        answer."""
        buf = b""
        seqs = []
        odd = []
        for i, (cmd, payload, hdr) in enumerate(reqs):
            self.seq += 1
            extra, version, reserved, _ = hdr
            flags = NLM_F_REQUEST | NLM_F_ACK | extra
            body = struct.pack("=BBH", cmd, version, reserved) + payload
            ln = 16 + len(body)
            if i == len(reqs) - 1 and rnd.random() < 0.05:
                ln = rnd.choice([0, 8, 15, ln + 4096])
                odd.append(i)
            buf += struct.pack("=IHHII", ln, self.family, flags, self.seq,
                               0) + body
            buf += b"\0" * ((-len(buf)) % 4)
            seqs.append(self.seq)
        self.s.send(buf)
        want = {sq for i, sq in enumerate(seqs) if i not in odd}
        res = {}
        while want:
            for t, _, sq, payload in messages(self.s.recv(1 << 22)):
                if sq not in want:
                    continue
                if t == NLMSG_ERROR:
                    res[sq] = -struct.unpack_from("=i", payload)[0]
                    want.discard(sq)
                elif t == NLMSG_DONE:
                    res[sq] = -struct.unpack_from("=i", payload)[0] \
                        if len(payload) >= 4 else 0
                    want.discard(sq)
        return [res.get(sq) for sq in seqs]

    def resolve(self):
        seq = self.send(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
                        CTRL_CMD_GETFAMILY,
                        nla(CTRL_ATTR_FAMILY_NAME, b"svcnet\0"))
        for t, p in self.replies(seq):
            if t == NLMSG_ERROR:
                continue
            for at, val in attrs(p[4:]):
                if at == CTRL_ATTR_FAMILY_ID:
                    return struct.unpack("=H", val[:2])[0]
        raise SystemExit("no svcnet family")


def split_attrs(buf):
    """The raw attributes of BUF, each with its header and padding."""
    out = []
    off = 0
    while off + 4 <= len(buf):
        ln = struct.unpack_from("=H", buf, off)[0]
        if ln < 4 or off + ln > len(buf):
            return None
        out.append(buf[off:off + ((ln + 3) & ~3)])
        off += (ln + 3) & ~3
    return out if off == len(buf) else None


def dup_somewhere(rnd, buf, depth=0):
    """BUF with one attribute, at a random level, given twice in its nest
    (the copy right after it, or at the end). None if BUF has none, or if
    a nest would outgrow an attribute's 64 KiB."""
    parts = split_attrs(buf)
    if not parts:
        return None
    i = rnd.randrange(len(parts))
    a = parts[i]
    t = struct.unpack_from("=H", a, 2)[0]
    if t & NLA_F_NESTED and depth < 3 and rnd.random() < 0.6:
        inner = a[4:struct.unpack_from("=H", a, 0)[0]]
        entries = split_attrs(inner)
        if entries:
            # inside an array entry, or the nest itself
            j = rnd.randrange(len(entries))
            e = entries[j]
            et = struct.unpack_from("=H", e, 2)[0]
            if et & NLA_F_NESTED and rnd.random() < 0.5:
                ein = dup_somewhere(rnd, e[4:struct.unpack_from("=H", e, 0)[0]],
                                    depth + 2)
                if ein is not None and \
                        len(b"".join(entries)) + len(ein) - len(e) + 8 < 65536:
                    entries[j] = nla(et, ein)
                    parts[i] = nla(t, b"".join(entries))
                    return b"".join(parts)
            new = dup_somewhere(rnd, inner, depth + 1)
            if new is not None and len(new) + 4 < 65536:
                parts[i] = nla(t, new)
                return b"".join(parts)
    if depth and len(buf) + len(a) + 4 >= 65536:
        return None
    if rnd.random() < 0.5:
        parts.insert(i + 1, a)
    else:
        parts.append(a)
    return b"".join(parts)


def attrs(buf):
    off = 0
    while off + 4 <= len(buf):
        ln, t = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            return
        yield t & 0x3fff, buf[off + 4:off + ln]
        off += (ln + 3) & ~3


class Kcov:
    """Coverage of this thread's system calls by KCOV (the debug kernel
    instruments svcnet.ko alone, so every PC recorded is svcnet's)."""
    INIT_TRACE, ENABLE, DISABLE, TRACE_PC = 0x80086301, 0x6364, 0x6365, 0
    WORDS = 1 << 18

    def __init__(self):
        import ctypes
        import fcntl
        import mmap
        self.fd = os.open("/sys/kernel/debug/kcov", os.O_RDWR)
        fcntl.ioctl(self.fd, self.INIT_TRACE, self.WORDS)
        # (python's mmap module refuses a file whose size reads 0)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                              ctypes.c_int, ctypes.c_int, ctypes.c_long]
        addr = libc.mmap(None, self.WORDS * 8,
                         mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED,
                         self.fd, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap of kcov")
        self.area = (ctypes.c_uint64 * self.WORDS).from_address(addr)
        fcntl.ioctl(self.fd, self.ENABLE, self.TRACE_PC)

    def reset(self):
        self.area[0] = 0

    def pcs(self):
        n = min(self.area[0], self.WORDS - 1)
        return set(self.area[1:n + 1])


def coverage(files):
    """Union of the PCs in FILES, mapped to svcnet's functions."""
    pcs = set()
    for f in files:
        with open(f) as fh:
            pcs |= {int(x, 16) for x in fh.read().split()}
    syms = []
    with open("/proc/kallsyms") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 4 and parts[3] == "[svcnet]" and \
                    parts[1] in "tT":
                syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    hit = set()
    import bisect
    addrs = [a for a, _ in syms]
    for pc in pcs:
        i = bisect.bisect_right(addrs, pc) - 1
        if i >= 0:
            hit.add(syms[i][1])
    return {"pcs": len(pcs), "functions_hit": len(hit),
            "functions": len(syms),
            "netlink_functions_hit": len([h for h in hit
                                          if h.startswith("svcnet_nl_")]),
            "netlink_functions": len([n for _, n in syms
                                      if n.startswith("svcnet_nl_")])}


class Gen:
    """Requests drawn from a small space, so that they collide."""

    def __init__(self, rnd, ifname):
        self.r = rnd
        self.ifname = ifname.encode() + b"\0"
        self.corpus = []	# (cmd, payload) that reached new code

    def v4(self, net):
        return bytes([10, net, 0, self.r.randrange(1, 5)])

    def svc_key(self):
        r = self.r
        fam6 = r.random() < 0.2
        addr = (bytes(15) + bytes([r.randrange(1, 4)])) if fam6 else \
            bytes([10, 96, 0, r.randrange(1, 6)])
        return addr, r.choice([80, 443, 53]), r.choice([6, 17])

    def be(self, fam6):
        r = self.r
        addr = (bytes(15) + bytes([r.randrange(1, 9)])) if fam6 else \
            bytes([10, 0, r.randrange(1, 4), r.randrange(2, 6)])
        parts = [nla(B_ADDR, addr), nla(B_PORT, struct.pack("=H", r.choice([8080, 9090])))]
        if r.random() < 0.5:
            parts.append(nla(B_WEIGHT, struct.pack("=H", r.randrange(0, 5))))
        return (addr, parts)

    def tree(self, depth):
        """A random attribute tree: any type, any length, nests inside."""
        r = self.r
        parts = []
        for _ in range(r.randrange(0, 5)):
            t = r.randrange(0, 20)
            if depth and r.random() < 0.4:
                parts.append(nest(t, self.tree(depth - 1)))
            else:
                parts.append(nla(t, os.urandom(r.choice([0, 1, 2, 3, 4, 5, 8, 16, 17, 40]))))
        return parts

    def wrong(self):
        """A known attribute with a payload of the wrong length or type."""
        r = self.r
        t = r.choice([S_ADDR, S_PORT, S_PROTO, S_SCHED, S_MSIZE, S_AFF,
                      S_AFFP, S_POLICY, 12])
        return nla(t, os.urandom(r.choice([0, 1, 2, 3, 5, 6, 15, 17, 32])))

    def mutate(self, blob):
        r = self.r
        if r.random() < 0.75 or not blob:
            return blob
        b = bytearray(blob)
        k = r.randrange(9)
        if k == 0:
            del b[r.randrange(len(b)):]
        elif k == 1:
            for _ in range(r.randrange(1, 4)):
                b[r.randrange(len(b))] = r.randrange(256)
        elif k == 2:
            b += nla(r.randrange(0, 40), os.urandom(r.randrange(0, 12)))
        elif k == 3:
            b += nest(A_SERVICE, [self.wrong()] + self.tree(1))
        elif k == 4:
            b += nest(r.choice([A_SERVICE, A_BACKEND, A_FLOW, A_CONFIG]),
                      self.tree(3))
        elif k == 5:
            inner = b""
            for _ in range(r.randrange(2, 40)):
                inner = nest(r.choice([A_SERVICE, S_BACKENDS, 0, 1]), [inner])
            b += inner
        elif k == 6:
            # the nest flag cleared on the first nested attribute
            off = 0
            while off + 4 <= len(b):
                ln, t = struct.unpack_from("=HH", b, off)
                if ln < 4:
                    break
                if t & NLA_F_NESTED:
                    struct.pack_into("=HH", b, off, ln, t & ~NLA_F_NESTED)
                    break
                off += (ln + 3) & ~3
        elif k == 7:
            # an attribute length pointing past the end
            if len(b) >= 4:
                struct.pack_into("=H", b, 0, len(b) + r.randrange(1, 200))
        else:
            b = bytearray(os.urandom(r.randrange(0, 64)))
        return bytes(b)

    @staticmethod
    def apply_service_dup(cmd, payload, dup):
        """Whether DUP only repeats a top-level SERVICE of an APPLY."""
        if cmd != APPLY:
            return False
        top = split_attrs(dup) or []
        return len(top) == len(split_attrs(payload) or []) + 1 and all(
            a in split_attrs(payload) for a in top)

    def request(self):
        """(cmd, payload, effect) — effect tells the model what an accepted
        request does: ("add", key), ("del", key), ("be_add", key, be),
        ("be_del", key, be), ("apply", {key: set(be)}), or None."""
        r = self.r
        if self.corpus and r.random() < 0.15:
            # an input that reached new code, changed again
            cmd, payload = r.choice(self.corpus)
            changed = dup_somewhere(r, payload) if r.random() < 0.3 else \
                self.mutate(payload)
            if changed is not None and changed != payload:
                return cmd, changed, ("maybe", None)
        dev = nla(A_IFNAME, self.ifname)
        addr, port, proto = self.svc_key()
        key = (addr, port, proto)
        fam6 = len(addr) == 16
        skey = [nla(S_ADDR, addr), nla(S_PORT, struct.pack("=H", port)),
                nla(S_PROTO, bytes([proto]))]
        cmd = r.choice([SVC_NEW, SVC_NEW, SVC_SET, SVC_DEL, SVC_GET,
                        BE_NEW, BE_NEW, BE_SET, BE_DEL, FLOW_GET, FLOW_DEL,
                        FLOW_FLUSH, CFG_GET, DEV_GET, APPLY, DEV_SET,
                        r.randrange(0, 20)])
        effect = None
        if cmd == SVC_NEW:
            opts = []
            if r.random() < 0.5:
                opts.append(nla(S_SCHED, bytes([r.randrange(0, 8)])))
            if r.random() < 0.3:
                # 0 and 3 are out of range: refused
                opts.append(nla(S_FORWARD, bytes([r.randrange(0, 4)])))
            payload = dev + nest(A_SERVICE, skey + opts)
            effect = ("add", key)
        elif cmd == SVC_SET:
            payload = dev + nest(A_SERVICE, skey + [
                nla(S_SCHED, bytes([r.randrange(1, 7)]))])
        elif cmd in (SVC_DEL, SVC_GET, FLOW_FLUSH):
            payload = dev + nest(A_SERVICE, skey)
            effect = ("del", key) if cmd == SVC_DEL else None
        elif cmd in (BE_NEW, BE_SET, BE_DEL):
            baddr, bparts = self.be(fam6)
            payload = dev + nest(A_SERVICE, skey) + nest(A_BACKEND, bparts)
            bkey = (baddr, struct.unpack("=H", bparts[1][4:6])[0])
            if cmd == BE_NEW:
                effect = ("be_add", key, bkey)
            elif cmd == BE_DEL:
                effect = ("be_del", key, bkey)
        elif cmd == APPLY:
            want = {}
            parts = [dev]
            for _ in range(r.randrange(0, 4)):
                a, p, pr = self.svc_key()
                k = (a, p, pr)
                if k in want:
                    continue
                bes = {}
                for _ in range(r.randrange(0, 4)):
                    baddr, bparts = self.be(len(a) == 16)
                    bk = (baddr, struct.unpack("=H", bparts[1][4:6])[0])
                    bes.setdefault(bk, bparts)
                if r.random() < 0.03:
                    # many backends at once (a count near the limits)
                    for j in range(r.randrange(100, 2000)):
                        bk = (bytes([10, 2, j >> 8, j & 255]) if len(a) == 4
                              else bytes(14) + bytes([j >> 8, j & 255]), 8080)
                        bes.setdefault(bk, [nla(B_ADDR, bk[0]),
                                            nla(B_PORT, struct.pack("=H", 8080))])
                want[k] = set(bes)
                skey = [nla(S_ADDR, a), nla(S_PORT, struct.pack("=H", p)),
                        nla(S_PROTO, bytes([pr]))]
                blist = [nest(0, bp) for bp in bes.values()]
                cut = r.randrange(len(blist) + 1) if r.random() < 0.2 else None
                if cut is None:
                    parts.append(nest(A_SERVICE, skey + [nest(S_BACKENDS, blist)]))
                else:
                    # the same service continued by the next nest
                    parts.append(nest(A_SERVICE, skey + [nest(S_BACKENDS, blist[:cut])]))
                    parts.append(nest(A_SERVICE, skey + [nest(S_BACKENDS, blist[cut:])]))
            if r.random() < 0.1:
                # a hash key, at times of the wrong length: refused
                parts.append(nla(A_HASH_KEY, os.urandom(r.choice([16, 16, 15, 17]))))
            payload = b"".join(parts)
            effect = ("apply", want)
            ln, t = struct.unpack_from("=HH", parts[-1])
            if t == A_HASH_KEY and ln != 4 + 16:
                effect = ("refuse",)
            if len(want) >= 2 and r.random() < 0.1:
                # a service named again after another one: refused
                payload += parts[1]
                effect = ("refuse",)
        elif cmd == DEV_SET:
            # 2 is out of range: refused
            payload = dev + nla(A_FAST_PATH, bytes([r.randrange(0, 3)]))
            if r.random() < 0.3:
                payload += nla(A_HASH_KEY, os.urandom(r.choice([16, 16, 8])))
        else:
            payload = dev + os.urandom(r.randrange(0, 32))
        if cmd in (SVC_NEW, SVC_SET, SVC_DEL, SVC_GET, BE_NEW, BE_SET,
                   BE_DEL, APPLY) and r.random() < 0.08:
            # an attribute given twice, at any level: always refused,
            # whatever the rest (APPLY's services may repeat: not those)
            dup = dup_somewhere(r, payload)
            if dup is not None and not self.apply_service_dup(cmd, payload,
                                                               dup):
                return cmd, dup, ("refuse",)
        mutated = self.mutate(payload)
        if mutated != payload:
            effect = ("maybe", effect)
        return cmd, mutated, effect


def dump_state(sock, ifname):
    state = {}
    for t, p in sock.request(SVC_GET, nla(A_IFNAME, ifname.encode() + b"\0"),
                             dump=True):
        if t == NLMSG_ERROR:
            continue
        for at, val in attrs(p[4:]):
            if at != A_SERVICE:
                continue
            sa = dict(attrs(val))
            key = (sa[S_ADDR], struct.unpack("=H", sa[S_PORT][:2])[0],
                   sa[S_PROTO][0])
            bes = state.setdefault(key, set())
            for _, b in attrs(sa.get(S_BACKENDS, b"")):
                ba = dict(attrs(b))
                bes.add((ba[B_ADDR], struct.unpack("=H", ba[B_PORT][:2])[0]))
    return state


def svc_nest(i, nbe):
    addr = bytes([10, 97, i >> 8, i & 255])
    bes = [nest(0, [nla(B_ADDR, bytes([10, 1, j, 2])),
                    nla(B_PORT, struct.pack("=H", 8080))])
           for j in range(nbe)]
    return nest(A_SERVICE, [nla(S_ADDR, addr),
                            nla(S_PORT, struct.pack("=H", 80)),
                            nla(S_PROTO, bytes([6])),
                            nest(S_BACKENDS, bes)])


def dumps(ifname, nsvc, abandon):
    """Dumps interrupted by changes and dumps abandoned half way."""
    sock = Sock()
    dev = nla(A_IFNAME, ifname.encode() + b"\0")
    res = sock.request(APPLY, dev + b"".join(svc_nest(i, 4)
                                             for i in range(nsvc)))
    if [v for t, v in res if t == NLMSG_ERROR and v]:
        raise SystemExit("apply refused: %r" % res)
    # A dump that sees a change between two of its parts says so.
    seq = sock.send(sock.family, NLM_F_REQUEST | NLM_F_DUMP, SVC_GET, dev)
    other = Sock()
    intr = parts = 0
    changed = False
    done = False
    while not done:
        parts += 1
        for t, fl, sq, _ in messages(sock.s.recv(65536)):
            if sq != seq:
                continue
            if fl & 0x10:	# NLM_F_DUMP_INTR
                intr += 1
            if t == NLMSG_DONE:
                done = True
        if not changed:
            other.request(SVC_NEW, dev + svc_nest(nsvc, 1))
            changed = True
    # Dumps left half way: the socket closes with the dump running.
    for _ in range(abandon):
        s = Sock()
        s.send(s.family, NLM_F_REQUEST | NLM_F_DUMP, SVC_GET, dev)
        s.s.recv(4096)
        s.s.close()
    got = dump_state(sock, ifname)
    want = nsvc + 1
    ok = len(got) == want and all(len(got[k]) == 4 for k in got
                                 if k[0] != bytes([10, 97, nsvc >> 8, nsvc & 255]))
    print(json.dumps({"services": len(got), "dump_parts": parts,
                      "intr_flagged": intr, "abandoned": abandon,
                      "state_ok": ok}))
    return 0 if ok and intr and parts > 1 else 1


def main(argv):
    if argv[1] == "--dumps":
        return dumps(argv[2], int(argv[3]), int(argv[4]))
    if argv[1] == "--coverage":
        print(json.dumps(coverage(argv[2:])))
        return 0
    kcov_out = None
    if argv[1] == "--kcov":
        kcov_out = argv[2]
        argv = argv[2:]
    ifname, count, seed = argv[1], int(argv[2]), int(argv[3])
    sock = Sock()
    rnd = random.Random(seed)
    gen = Gen(rnd, ifname)
    kcov = Kcov() if kcov_out else None
    seen = set()
    model = dump_state(sock, ifname)
    st = {"sent": 0, "accepted": 0, "verified": 0, "unverifiable": 0,
          "checks": 0}
    errors = {}
    diff = []
    unverified = [0]

    def verify():
        """Compare the device with the model: every request since the
        last comparison did what the model says (refused ones nothing)."""
        nonlocal model
        got = dump_state(sock, ifname)
        st["checks"] += 1
        d = sorted(str(k) for k in set(got) ^ set(model)) + \
            sorted(str(k) for k in got if k in model and got[k] != model[k])
        if d:
            diff.extend(d[:10 - len(diff)] if len(diff) < 10 else [])
            st["mismatches"] = st.get("mismatches", 0) + 1
            model = got
        else:
            st["verified"] += unverified[0]
        unverified[0] = 0

    def send(batch):
        """Send certain requests; the model follows the accepted ones."""
        nonlocal model
        if kcov:
            kcov.reset()
        answers = sock.batch([(c, p, h) for c, p, _, h in batch], rnd)
        if kcov:
            new = kcov.pcs() - seen
            if new:
                seen.update(new)
                gen.corpus.extend((c, p) for c, p, _, _ in batch)
                st["corpus"] = len(gen.corpus)
        for (cmd, payload, effect, hdr), err in zip(batch, answers):
            st["sent"] += 1
            refuse = effect and effect[0] == "refuse"
            if refuse:
                st["must_refuse"] = st.get("must_refuse", 0) + 1
                if err == 0:
                    st["must_refuse_accepted"] = \
                        st.get("must_refuse_accepted", 0) + 1
                    diff.append("accepted: %r" % payload[:64])
                    model = dump_state(sock, ifname)
                    continue
            if err is None:
                errors["none"] = errors.get("none", 0) + 1
                continue
            if err:
                name = errno.errorcode.get(err, str(err))
                errors[name] = errors.get(name, 0) + 1
                continue
            st["accepted"] += 1
            unverified[0] += 1
            if not effect:
                continue
            kind = effect[0]
            if kind == "add":
                model.setdefault(effect[1], set())
            elif kind == "del":
                model.pop(effect[1], None)
            elif kind == "be_add":
                model.setdefault(effect[1], set()).add(effect[2])
            elif kind == "be_del":
                model.get(effect[1], set()).discard(effect[2])
            elif kind == "apply":
                model = {k: set(v) for k, v in effect[1].items()}
        return answers

    pending = []
    while st["sent"] + len(pending) < count:
        cmd, payload, effect = gen.request()
        hdr = Sock.header(rnd)
        uncertain = hdr[3] or (effect and effect[0] == "maybe")
        if not uncertain:
            pending.append((cmd, payload, effect, hdr))
            if len(pending) == 32:
                send(pending)
                pending = []
            continue
        # A request that may do something the model cannot tell goes
        # alone, after a check of everything before it; if accepted, the
        # model becomes the device's state.
        if pending:
            send(pending)
            pending = []
        if unverified[0]:
            verify()
        if send([(cmd, payload, None, hdr)]) == [0]:
            unverified[0] -= 1
            st["unverifiable"] += 1
            model = dump_state(sock, ifname)
    if pending:
        send(pending)
    verify()
    if kcov:
        with open(kcov_out, "w") as fh:
            fh.write("\n".join("%x" % pc for pc in sorted(seen)))
        st["pcs"] = len(seen)
    out = dict(st)
    out["errors"] = dict(sorted(errors.items()))
    out["model_ok"] = not diff and not st.get("mismatches") and \
        not st.get("must_refuse_accepted")
    out["diff"] = diff
    print(json.dumps(out))
    return 0 if out["model_ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
