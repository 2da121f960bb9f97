#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kTLS helper for the e2e suites: sockets with fixed TLS keys (no
handshake), so that each end knows the keys of the other.

  rx PORT                   serves kTLS: every connection gets the kernel's
                            TLS RX with the fixed keys; it reads records up
                            to EOF and answers in plaintext with one JSON
                            line {"sha256", "bytes", "types"} (types: the
                            record types in order, runs merged).
  raw PORT MARKER           serves raw TCP: reads the bytes on the wire up
                            to EOF, decrypts the TLS 1.2 AES-GCM-128 records
                            itself (python3-cryptography) and answers
                            {"sha256", "bytes", "records", "headers_ok",
                            "marker_seen"}.
  tls PORT CERT KEY         serves TLS 1.2 (Python's ssl, no kTLS): reads a
                            length line and that many bytes, answers with
                            {"sha256", "bytes"}.
  send ADDR PORT SIZE [--cipher aes128|aes256|chacha] [--tls13]
       [--mode send|sendfile|more|types] [--hold DIR]
                            connects, turns on kTLS TX, sends SIZE bytes
                            (each 16 KiB block starts with "svcnet-marker"),
                            closes its sending side and checks the answer;
                            prints {"ok": bool, "sent_sha256", "answer"}.
                            --mode types also sends a 5-byte record of type
                            22 between two halves of data. --hold DIR: the
                            connection waits for DIR/go before it sends,
                            after writing DIR/ready.
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time

# (tempfile and threading are imported where they are used: on the debug
# test kernel each import costs, and send, run once per claim, needs neither)

SOL_TLS = 282
TCP_ULP = 31
TLS_TX = 1
TLS_RX = 2
TLS_SET_RECORD_TYPE = 1
TLS_GET_RECORD_TYPE = 2
TLS_1_2 = 0x0303
TLS_1_3 = 0x0304
CIPHERS = {"aes128": 51, "aes256": 52, "chacha": 54}
KEY = bytes(range(1, 33))
IV = bytes(range(0x40, 0x4c))
SALT = bytes(range(0x80, 0x84))
MARKER = b"svcnet-marker"


def crypto_info(cipher, version):
    c = CIPHERS[cipher]
    head = struct.pack("=HH", version, c)
    seq = bytes(8)
    if cipher == "aes128":
        return head + IV[:8] + KEY[:16] + SALT + seq
    if cipher == "aes256":
        return head + IV[:8] + KEY + SALT + seq
    return head + IV[:12] + KEY + seq


def ktls(sock, direction, cipher="aes128", version=TLS_1_2):
    sock.setsockopt(socket.SOL_TCP, TCP_ULP, b"tls")
    sock.setsockopt(SOL_TLS, direction, crypto_info(cipher, version))


def read_line(sock, chunk):
    """Bytes up to a newline (or EOF), read @chunk bytes at a time."""
    line = b""
    while not line.endswith(b"\n"):
        b = sock.recv(chunk)
        if not b:
            break
        line += b
    return line


def listener(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(64)
    print("serving", flush=True)
    return s


def serve_rx(port):
    import threading

    """Each connection in a thread of its own: one whose client went away
    unheard (its device deleted) must not hold up the next."""
    srv = listener(port)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=rx_one, args=(c,), daemon=True).start()


def rx_one(c):
    try:
        # the version and cipher come first, in plaintext: read no
        # byte of the records that follow before kTLS RX is on
        cipher, ver = read_line(c, 1).decode().split()
        ktls(c, TLS_RX, cipher, int(ver))
        # only now may records (and the client's FIN) come: TLS RX
        # cannot be set on a socket that has seen its peer's FIN
        c.sendall(b"ready\n")
        h = hashlib.sha256()
        n = 0
        types = []
        while True:
            data, anc, _, _ = c.recvmsg(65536, socket.CMSG_SPACE(1))
            rtype = 23
            for lvl, typ, val in anc:
                if lvl == SOL_TLS and typ == TLS_GET_RECORD_TYPE:
                    rtype = val[0]
            if not data:
                break
            if rtype == 23:
                h.update(data)
                n += len(data)
            if not types or types[-1] != rtype:
                types.append(rtype)
        ans = {"sha256": h.hexdigest(), "bytes": n, "types": types}
    except OSError as e:
        ans = {"error": str(e)}
    c.sendall((json.dumps(ans) + "\n").encode())
    c.close()


def serve_raw(port, marker):
    import threading

    srv = listener(port)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=raw_one, args=(c, marker),
                         daemon=True).start()


def raw_one(c, marker):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    aead = AESGCM(KEY[:16])
    c.sendall(b"ready\n")	# as serve_rx: the client waits for it
    wire = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        wire += b
    # the header line is plaintext; records follow
    hdr, _, rest = wire.partition(b"\n")
    h = hashlib.sha256()
    n = 0
    seq = 0
    records = 0
    ok = True
    off = 0
    try:
        while off < len(rest):
            rtype, ver, ln = struct.unpack("!BHH", rest[off:off + 5])
            if ver != TLS_1_2 or off + 5 + ln > len(rest):
                ok = False
                break
            body = rest[off + 5:off + 5 + ln]
            nonce = SALT + body[:8]
            plain_len = ln - 8 - 16
            aad = struct.pack("!QBHH", seq, rtype, ver, plain_len)
            plain = aead.decrypt(nonce, body[8:], aad)
            if rtype == 23:
                h.update(plain)
                n += len(plain)
            records += 1
            seq += 1
            off += 5 + ln
        ans = {"sha256": h.hexdigest(), "bytes": n, "records": records,
               "headers_ok": ok and rest[:3] == b"\x17\x03\x03",
               "marker_seen": marker.encode() in rest}
    except Exception as e:  # a bad tag, a short record
        ans = {"error": repr(e)}
    c.sendall((json.dumps(ans) + "\n").encode())
    c.close()


def serve_tls(port, cert, key):
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    srv = listener(port)
    while True:
        raw, _ = srv.accept()
        try:
            c = ctx.wrap_socket(raw, server_side=True)
            f = c.makefile("rb")
            size = int(f.readline())
            data = f.read(size)
            ans = {"sha256": hashlib.sha256(data).hexdigest(),
                   "bytes": len(data)}
            c.sendall((json.dumps(ans) + "\n").encode())
            c.close()
        except (OSError, ValueError) as e:
            print("tls:", e, flush=True)
            raw.close()


def payload(size):
    out = bytearray()
    i = 0
    while len(out) < size:
        block = MARKER + b" %08d " % i
        block += os.urandom(16384 - len(block))
        out += block
        i += 1
    return bytes(out[:size])


def send(addr, port, size, cipher, version, mode, hold):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    # Blocking, with kernel timeouts: a non-blocking kTLS send may return
    # while a record still waits in the TLS layer for room on the socket,
    # and shutdown(SHUT_WR) would then send the FIN before it.
    # (120 s: behind the suite's 256 kbit/s link the last of 2 MiB may
    # wait a minute in the socket before the backend can answer)
    tv = struct.pack("@ll", 120, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    s.connect((addr, port))
    s.sendall(b"%s %d\n" % (cipher.encode(), version))
    # the backend says when it can take records (serve_rx, serve_raw)
    if read_line(s, 1) != b"ready\n":
        print(json.dumps({"ok": False, "answer": {"error": "no ready"}}))
        return 1
    ktls(s, TLS_TX, cipher, version)
    if hold:
        open(os.path.join(hold, "ready"), "w").close()
        deadline = time.monotonic() + 300
        while not os.path.exists(os.path.join(hold, "go")):
            if time.monotonic() > deadline:
                return 1
            time.sleep(0.1)
    data = payload(size)
    if mode == "send":
        s.sendall(data)
    elif mode == "more":
        for i in range(0, len(data), 1000):
            last = i + 1000 >= len(data)
            s.sendall(data[i:i + 1000], 0 if last else socket.MSG_MORE)
    elif mode == "sendfile":
        import tempfile

        with tempfile.TemporaryFile() as f:
            f.write(data)
            f.flush()
            off = 0
            while off < len(data):
                off += os.sendfile(s.fileno(), f.fileno(), off,
                                   len(data) - off)

    elif mode == "types":
        half = len(data) // 2
        s.sendall(data[:half])
        s.sendmsg([b"hello"], [(SOL_TLS, TLS_SET_RECORD_TYPE, bytes([22]))])
        s.sendall(data[half:])
    s.shutdown(socket.SHUT_WR)
    answer = read_line(s, 4096)
    s.close()
    ans = json.loads(answer or b"{}")
    want = hashlib.sha256(data).hexdigest()
    ok = ans.get("sha256") == want and ans.get("bytes") == len(data)
    print(json.dumps({"ok": ok, "sent_sha256": want, "answer": ans}))
    return 0 if ok else 1


def main(argv):
    cmd, args = argv[1], argv[2:]
    opt = {"--cipher": "aes128", "--mode": "send", "--hold": None}
    tls13 = "--tls13" in args
    args = [a for a in args if a != "--tls13"]
    for k in list(opt):
        if k in args:
            i = args.index(k)
            opt[k] = args[i + 1]
            del args[i:i + 2]
    if cmd == "rx":
        return serve_rx(int(args[0]))
    if cmd == "tls":
        return serve_tls(int(args[0]), args[1], args[2])
    if cmd == "raw":
        return serve_raw(int(args[0]), args[1])
    if cmd == "send":
        return send(args[0], int(args[1]), int(args[2]), opt["--cipher"],
                    TLS_1_3 if tls13 else TLS_1_2, opt["--mode"],
                    opt["--hold"])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
