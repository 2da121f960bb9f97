#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic helper for the e2e suites: backends that say who they are, and
clients that count who answered.

  serve NAME PORT           TCP and UDP, IPv4 and IPv6, on PORT. TCP
                            requests (first line): "name" -> NAME;
                            "echo" -> echo lines until EOF;
                            "sha N" -> read N bytes, answer their sha256;
                            "peer" -> NAME and the client's address as
                            this backend sees it ("be1 10.8.1.2").
                            UDP: "big N ..." -> N bytes, NAME first;
                            "peer" -> as for TCP; any other -> NAME.
  hits ADDR PORT N [--udp] [--sport P] [--one-flow] [--src A] [--list]
       [--peer] [--within S] [--time-file F]
                            N requests, each on a new connection or socket
                            (request i from source port P + i if given,
                            from P each with --one-flow, UDP: one flow;
                            keep P + N below the ephemeral port range);
                            prints JSON {"NAME": count, ...}, or with --list
                            the names in order; from source address A if
                            given; fails if a reply came from
                            another address than ADDR:PORT; --peer asks
                            "peer" and counts its answers. Each request
                            waits S seconds (default 5) for its answer; with
                            --time-file, the seconds from the first request
                            to the last answer are written to F (timed here,
                            without the interpreter's start).
  agent DIR                 runs the commands the shell writes to the FIFO
                            DIR/req in this process, answers on DIR/rep
                            (lbq in tests/lib.sh)
  refused ADDR PORT [--udp] [--filtered] [--count N] [--within S]
                            succeeds if the request is refused within 2
                            seconds: ECONNREFUSED, or with --filtered the
                            errors of ICMP "administratively prohibited"
                            (EHOSTUNREACH for IPv4, EACCES for IPv6); with
                            --count, N requests in a row, each refused
                            within S seconds (default 2).
  segment SRC SPORT ADDR PORT FLAGS SEQ
                            one TCP segment (IPv4, raw socket) from
                            SRC:SPORT, FLAGS a string of S, A, F, R, with
                            sequence number SEQ, as a blind sender injects.
  udpstream ADDR PORT DIR   one UDP socket, a request every 0.5 s, each
                            answer awaited, until DIR/stop exists; writes
                            DIR/streaming after 3 s; prints {"names": [...],
                            "sent": n, "answered": n}.
  bigudp ADDR PORT SIZE REPLY
                            one UDP datagram of SIZE bytes, asking for a
                            REPLY-byte answer; prints the answering
                            backend's name; fails unless the whole answer
                            came from ADDR:PORT.
  sha ADDR PORT BYTES       sends BYTES random bytes, checks the sha256.
  icmpfrom ADDR PORT        sends a UDP datagram, prints the source of the
                            ICMP error that comes back.
  syn SRC SPORT ADDR PORT   sends a bare TCP SYN (IPv4) from SRC:SPORT
                            through a raw socket.
  hold ADDR PORT N DIR      opens N echo connections, writes DIR/ready,
                            waits for DIR/go, then tries each connection and
                            prints {"ok": [...], "reset": [...], "broken":
                            [...]}, the backends' names by outcome.
  stream ADDR PORT DIR      one echo connection, kept busy with lines of
                            random text, each checked byte for byte when it
                            comes back, until DIR/stop exists; writes
                            DIR/streaming after the first line; prints
                            {"backend", "bytes", "lines", "ok", "error"}.
  loop ADDR PORT DIR        new connections ("name" requests) one after the
                            other until DIR/stop exists; prints {"ok": n,
                            "failed": n, "errors": {...}}.
  sameport SPORT PORT ADDR... [--udp]
                            one connection (or connected UDP socket) to
                            each address, all from source port SPORT and
                            all open at once; TCP ones echo a line each
                            while the others are open; prints a JSON list
                            of the backends' names, or "refused" or the
                            error's name, in the order of the addresses.
  probe PORT ADDR... [--sport N]
                            one TCP request to each address (from ports
                            N, N+1, ...); prints
                            {ADDR: "answered" | "refused" | error name}.
"""
import errno
import os
import socket
import struct
import sys
import time

# hashlib, random and threading are imported where they are used, and JSON
# is written by dumps below: each client run is a new process, and on the
# debug test kernel importing them (json pulls in re) costs half a second.


def dumps(o, sort_keys=False):
    """json.dumps(o, sort_keys=sort_keys) for what this tool prints: dicts,
    lists, strings, numbers, booleans and None."""
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, (int, float)):
        return repr(o)
    if isinstance(o, str):
        out = []
        for c in o:
            if c in '"\\':
                out.append("\\" + c)
            elif c in "\n\r\t\b\f":
                out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t",
                            "\b": "\\b", "\f": "\\f"}[c])
            elif ord(c) < 0x20 or ord(c) > 0x7e:
                out.append("\\u%04x" % ord(c) if ord(c) < 0x10000 else
                           "\\u%04x\\u%04x" % (
                               0xd800 + ((ord(c) - 0x10000) >> 10),
                               0xdc00 + ((ord(c) - 0x10000) & 0x3ff)))
            else:
                out.append(c)
        return '"' + "".join(out) + '"'
    if isinstance(o, dict):
        items = sorted(o.items()) if sort_keys else o.items()
        return "{" + ", ".join(dumps(str(k)) + ": " + dumps(v, sort_keys)
                               for k, v in items) + "}"
    if isinstance(o, (list, tuple)):
        return "[" + ", ".join(dumps(v, sort_keys) for v in o) + "]"
    raise TypeError("cannot write %r as JSON" % (o,))

# linux/in.h (not in every Python's socket module)
IP_PKTINFO = 8


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(name, port):
    import hashlib
    import threading

    def tcp_conn(c):
        with c:
            f = c.makefile("rwb")
            line = f.readline().strip().decode()
            if line == "name":
                f.write(name.encode() + b"\n")
            elif line == "peer":
                f.write(("%s %s\n" % (name, c.getpeername()[0])).encode())
            elif line == "echo":
                f.write(name.encode() + b"\n")
                f.flush()
                for ln in f:
                    f.write(ln)
                    f.flush()
            elif line.startswith("sha "):
                left = int(line.split()[1])
                h = hashlib.sha256()
                while left:
                    b = f.read(min(left, 65536))
                    if not b:
                        break
                    h.update(b)
                    left -= len(b)
                f.write(h.hexdigest().encode() + b"\n")
            f.flush()

    def tcp_loop(s):
        while True:
            c, _ = s.accept()
            threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()

    def udp_loop(s):
        # answers from the address each datagram was sent to (IP_PKTINFO),
        # as a service must behind direct server return (the service
        # address on lo, the route's source another)
        v4 = s.family == socket.AF_INET
        if v4:
            s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        else:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
        while True:
            data, anc, _, peer = s.recvmsg(65536, socket.CMSG_SPACE(32))
            out = []
            for level, typ, d in anc:
                if v4 and typ == IP_PKTINFO:
                    # struct in_pktinfo: ifindex, spec_dst, addr (the dst)
                    out = [(socket.IPPROTO_IP, IP_PKTINFO,
                            struct.pack("=i4s4s", 0, d[8:12], bytes(4)))]
                elif not v4 and typ == socket.IPV6_PKTINFO:
                    # struct in6_pktinfo: addr (the dst), ifindex
                    out = [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO,
                            struct.pack("=16si", d[:16], 0))]
            if data.startswith(b"big "):
                size = int(data.split()[1])
                reply = (name + " ").encode().ljust(size, b".")
            elif data == b"peer":
                reply = ("%s %s" % (name, peer[0])).encode()
            else:
                reply = name.encode()
            s.sendmsg([reply], out, 0, peer)

    threads = []
    for fam, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        for typ, loop in ((socket.SOCK_STREAM, tcp_loop),
                          (socket.SOCK_DGRAM, udp_loop)):
            s = socket.socket(fam, typ)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((host, port))
            if typ == socket.SOCK_STREAM:
                s.listen(128)
            t = threading.Thread(target=loop, args=(s,), daemon=True)
            t.start()
            threads.append(t)
    print("serving", flush=True)
    for t in threads:
        t.join()


def request(addr, port, udp, sport=None, src=None, timeout=5, ask=b"name"):
    fam = family_of(addr)
    s = socket.socket(fam, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    s.settimeout(timeout)
    with s:
        if sport or src:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((src or ("::" if fam == socket.AF_INET6 else "0.0.0.0"),
                    sport or 0))
        if udp:
            s.sendto(ask, (addr, port))
            data, peer = s.recvfrom(1024)
        else:
            s.connect((addr, port))
            peer = s.getpeername()
            s.sendall(ask + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                b = s.recv(1024)
                if not b:
                    break
                data += b
        if socket.inet_pton(fam, peer[0]) != socket.inet_pton(fam, addr) \
                or peer[1] != port:
            raise RuntimeError("reply from %s:%d, not the service" % peer[:2])
        return data.strip().decode()


def hits(addr, port, n, udp, sport, as_list, src, timeout=5, ask=b"name",
         time_file=None, one_flow=False):
    counts = {}
    names = []
    start = time.monotonic()
    for i in range(n):
        p = None if not sport else sport if one_flow else sport + i
        name = request(addr, port, udp, p, src, timeout, ask)
        counts[name] = counts.get(name, 0) + 1
        names.append(name)
    if time_file:
        with open(time_file, "w") as f:
            f.write("%.3f\n" % (time.monotonic() - start))
    print(dumps(names if as_list else counts, sort_keys=True))


def refused_many(addr, port, udp, filtered, count, within):
    times = []
    for i in range(count):
        start = time.monotonic()
        if refused(addr, port, udp, filtered, within, quiet=True):
            print("request %d of %d not refused" % (i + 1, count))
            return 1
        times.append(time.monotonic() - start)
    print("%d refusals, the slowest after %.3f s" % (count, max(times)))
    return 0


def refused(addr, port, udp, filtered, within=2, quiet=False):
    start = time.monotonic()
    want = (errno.EHOSTUNREACH, errno.EACCES) if filtered \
        else (errno.ECONNREFUSED,)
    try:
        if udp:
            s = socket.socket(family_of(addr), socket.SOCK_DGRAM)
            s.settimeout(within)
            s.connect((addr, port))
            s.send(b"name")
            s.recv(1024)
        else:
            socket.create_connection((addr, port), timeout=within).close()
    except OSError as e:
        if e.errno in want:
            if not quiet:
                print("refused (%s) after %.3f s" %
                      (e, time.monotonic() - start))
            return 0
        print("not refused: %s after %.3f s" % (e, time.monotonic() - start))
        return 1
    print("connected")
    return 1


def bigudp(addr, port, size, reply):
    fam = family_of(addr)
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(("big %d " % reply).encode().ljust(size, b"-"), (addr, port))
        data, peer = s.recvfrom(65536)
    if socket.inet_pton(fam, peer[0]) != socket.inet_pton(fam, addr) \
            or peer[1] != port:
        print("reply from %s:%d, not the service" % peer[:2])
        return 1
    if len(data) != reply:
        print("a %d-byte answer, not %d" % (len(data), reply))
        return 1
    print(data.split()[0].decode())
    return 0


def icmpfrom(addr, port):
    fam = family_of(addr)
    proto = socket.IPPROTO_ICMP if fam == socket.AF_INET \
        else socket.IPPROTO_ICMPV6
    raw = socket.socket(fam, socket.SOCK_RAW, proto)
    raw.settimeout(3)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.sendto(b"name", (addr, port))
    _, peer = raw.recvfrom(2048)
    print(peer[0])
    return 0


def inet_csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def syn(src, sport, addr, port):
    """A bare TCP SYN from SRC:SPORT, as a client reusing a port sends."""
    return segment(src, sport, addr, port, "S", 0x1000)


def segment(src, sport, addr, port, flags, seq):
    bits = {"F": 0x01, "S": 0x02, "R": 0x04, "A": 0x10}
    fl = sum(bits[c] for c in flags)
    hdr = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 5 << 4, fl,
                      64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(addr) + \
        struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", inet_csum(pseudo + hdr)) + hdr[18:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.bind((src, 0))
    s.sendto(hdr, (addr, 0))
    return 0


def udpstream(addr, port, d):
    names, sent, answered = set(), 0, 0
    start = time.monotonic()
    with socket.socket(family_of(addr), socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.connect((addr, port))
        while not os.path.exists(os.path.join(d, "stop")):
            s.send(b"name")
            sent += 1
            try:
                names.add(s.recv(1024).decode())
                answered += 1
            except OSError:
                pass
            if time.monotonic() - start > 3:
                open(os.path.join(d, "streaming"), "w").close()
            time.sleep(0.5)
    print(dumps({"names": sorted(names), "sent": sent,
                      "answered": answered}))
    return 0


def sha(addr, port, size):
    import hashlib

    data = os.urandom(size)
    s = socket.create_connection((addr, port), timeout=30)
    with s:
        s.sendall(b"sha %d\n" % size)
        s.sendall(data)
        f = s.makefile("rb")
        got = f.readline().strip().decode()
    want = hashlib.sha256(data).hexdigest()
    print("sent %d bytes, sha256 %s, backend says %s" % (size, want, got))
    return 0 if got == want else 1


def hold(addr, port, n, d):
    conns = []
    for _ in range(n):
        s = socket.create_connection((addr, port), timeout=10)
        s.sendall(b"echo\n")
        f = s.makefile("rwb")
        conns.append((s, f, f.readline().strip().decode()))
    open(os.path.join(d, "ready"), "w").close()
    deadline = time.monotonic() + 300
    while not os.path.exists(os.path.join(d, "go")):
        if time.monotonic() > deadline:
            return 1
        time.sleep(0.1)
    result = {"ok": [], "reset": [], "broken": []}
    for i, (s, f, name) in enumerate(conns):
        msg = b"still there %d\n" % i
        try:
            f.write(msg)
            f.flush()
            got = f.readline()
            result["ok" if got == msg else "broken"].append(name)
        except ConnectionResetError:
            result["reset"].append(name)
        except OSError:
            result["broken"].append(name)
        s.close()
    for k in result:
        result[k].sort()
    print(dumps(result, sort_keys=True))
    return 0


def stream(addr, port, d):
    import random

    res = {"backend": None, "bytes": 0, "lines": 0, "ok": False,
           "error": None}
    stop = os.path.join(d, "stop")
    try:
        s = socket.create_connection((addr, port), timeout=30)
        s.sendall(b"echo\n")
        f = s.makefile("rwb")
        res["backend"] = f.readline().strip().decode()
        while True:
            line = os.urandom(random.randrange(1, 1500)).hex().encode() + b"\n"
            f.write(line)
            f.flush()
            got = f.readline()
            if got != line:
                res["error"] = "line %d came back different (%d bytes, not %d)" \
                    % (res["lines"], len(got), len(line))
                break
            res["bytes"] += len(line)
            res["lines"] += 1
            if res["lines"] == 1:
                open(os.path.join(d, "streaming"), "w").close()
            if os.path.exists(stop):
                res["ok"] = True
                break
        s.close()
    except OSError as e:
        res["error"] = str(e)
    print(dumps(res))
    return 0 if res["ok"] else 1


def loop(addr, port, d):
    res = {"ok": 0, "failed": 0, "errors": {}}
    stop = os.path.join(d, "stop")
    while not os.path.exists(stop):
        try:
            s = socket.create_connection((addr, port), timeout=5)
            with s:
                s.sendall(b"name\n")
                if not s.recv(1024):
                    raise OSError("no answer")
            res["ok"] += 1
        except OSError as e:
            res["failed"] += 1
            k = type(e).__name__
            res["errors"][k] = res["errors"].get(k, 0) + 1
    print(dumps(res))
    return 0


def sameport(sport, port, addrs, udp):
    socks, res = [], []
    for addr in addrs:
        fam = family_of(addr)
        s = socket.socket(fam, socket.SOCK_DGRAM if udp
                          else socket.SOCK_STREAM)
        s.settimeout(3)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
        socks.append(s)
        res.append(None)
    files = []
    for i, (s, addr) in enumerate(zip(socks, addrs)):
        try:
            s.connect((addr, port))
            s.send(b"name" if udp else b"echo\n")
            if udp:
                res[i] = s.recv(1024).decode()
            else:
                f = s.makefile("rwb")
                files.append((i, f))
                res[i] = f.readline().strip().decode()
        except ConnectionRefusedError:
            res[i] = "refused"
        except OSError as e:
            res[i] = type(e).__name__
    # every connection is open now: each echoes its own line
    for i, f in files:
        msg = b"line of connection %d\n" % i
        try:
            f.write(msg)
            f.flush()
            if f.readline() != msg:
                res[i] = "mismatch"
        except OSError as e:
            res[i] = type(e).__name__
    for s in socks:
        s.close()
    print(dumps(res))
    return 0


def probe(port, addrs, sport):
    """One TCP connection to each address (from source port SPORT + i, if
    given): "answered", "refused" or the error; prints {address: outcome}."""
    res = {}
    for i, addr in enumerate(addrs):
        try:
            request(addr, port, False, sport + i if sport else None,
                    timeout=3)
            res[addr] = "answered"
        except ConnectionRefusedError:
            res[addr] = "refused"
        except (OSError, RuntimeError) as e:
            res[addr] = type(e).__name__
    print(dumps(res, sort_keys=True))
    return 0


def agent(d):
    """Run the commands the shell sends (lbq in tests/lib.sh) in
    this one process: starting Python in a namespace costs seconds on the
    debug kernel under emulation. Requests: lines of tab-separated
    arguments on the FIFO D/req. Each answer, on the FIFO D/rep: what the
    command printed, its stderr lines prefixed by \\x02, then \\x01 and its
    exit status. D/lock, the shell's claim on the agent, is removed before
    the answer ends."""
    import contextlib
    import io
    import traceback
    os.makedirs(d, exist_ok=True)
    req, rep = os.path.join(d, "req"), os.path.join(d, "rep")
    os.mkfifo(req)
    # read and write: the FIFO stays open between writers, never at EOF
    fd = os.open(req, os.O_RDWR)
    os.mkfifo(rep)     # the shell's sign that requests are read
    buf = b""
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            return 1
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            out, err = io.StringIO(), io.StringIO()
            try:
                with contextlib.redirect_stdout(out), \
                        contextlib.redirect_stderr(err):
                    rc = main(["lbtool"] + line.decode().split("\t"))
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else 1
            except BaseException:
                traceback.print_exc(file=err)
                rc = 1
            text = out.getvalue()
            if text and not text.endswith("\n"):
                text += "\n"
            with open(rep, "w") as w:
                w.write(text)
                for e in err.getvalue().splitlines():
                    w.write("\x02" + e + "\n")
                w.write("\x01%d\n" % (rc or 0))
                w.flush()
                try:
                    os.unlink(os.path.join(d, "lock"))
                except FileNotFoundError:
                    pass


def main(argv):
    cmd, args = argv[1], argv[2:]
    udp = "--udp" in args
    as_list = "--list" in args
    filtered = "--filtered" in args
    ask = b"peer" if "--peer" in args else b"name"
    one_flow = "--one-flow" in args
    args = [a for a in args
            if a not in ("--udp", "--list", "--filtered", "--peer",
                         "--one-flow")]
    sport = None
    if "--sport" in args:
        i = args.index("--sport")
        sport = int(args[i + 1])
        del args[i:i + 2]
    opts = {}
    for o in ("--count", "--within"):
        if o in args:
            i = args.index(o)
            opts[o] = args[i + 1]
            del args[i:i + 2]
    time_file = None
    if "--time-file" in args:
        i = args.index("--time-file")
        time_file = args[i + 1]
        del args[i:i + 2]
    src = None
    if "--src" in args:
        i = args.index("--src")
        src = args[i + 1]
        del args[i:i + 2]
    if cmd == "serve":
        serve(args[0], int(args[1]))
    elif cmd == "agent":
        return agent(args[0])
    elif cmd == "hits":
        hits(args[0], int(args[1]), int(args[2]), udp, sport, as_list, src,
             float(opts.get("--within", 5)), ask, time_file, one_flow)
    elif cmd == "refused" and "--count" in opts:
        return refused_many(args[0], int(args[1]), udp, filtered,
                            int(opts["--count"]),
                            float(opts.get("--within", 2)))
    elif cmd == "refused":
        return refused(args[0], int(args[1]), udp, filtered)
    elif cmd == "segment":
        return segment(args[0], int(args[1]), args[2], int(args[3]), args[4],
                       int(args[5], 0))
    elif cmd == "udpstream":
        return udpstream(args[0], int(args[1]), args[2])
    elif cmd == "bigudp":
        return bigudp(args[0], int(args[1]), int(args[2]), int(args[3]))
    elif cmd == "syn":
        return syn(args[0], int(args[1]), args[2], int(args[3]))
    elif cmd == "icmpfrom":
        return icmpfrom(args[0], int(args[1]))
    elif cmd == "sha":
        return sha(args[0], int(args[1]), int(args[2]))
    elif cmd == "hold":
        return hold(args[0], int(args[1]), int(args[2]), args[3])
    elif cmd == "stream":
        return stream(args[0], int(args[1]), args[2])
    elif cmd == "loop":
        return loop(args[0], int(args[1]), args[2])
    elif cmd == "sameport":
        return sameport(int(args[0]), int(args[1]), args[2:], udp)
    elif cmd == "probe":
        return probe(int(args[0]), args[1:], sport)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
