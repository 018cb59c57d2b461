#!/usr/bin/python3
"""upstream-proxy.py — the tests' own upstream proxy (tests/shell/upstreamproxy.sh),
python3 stdlib only: HTTP CONNECT and SOCKS5 (RFC 1928, RFC 1929), each
with optional credentials, and a plain HTTP responder for names that must
be reached directly (NO_PROXY).

    upstream-proxy.py --log FILE --bind ADDR [--parent PID]
        [--http PORT[:USER:PASSWORD]]... [--socks PORT[:USER:PASSWORD]]...
        [--direct PORT] [--dns NAME[=IP]]...

One JSON line per request in FILE: {"proto": "http"|"socks5", "port": the
proxy's port, "method": "CONNECT", "target": as sent ("registry.test:443",
"198.51.100.7:80"), "atyp": SOCKS5's address type (1, 3, 4) or null,
"auth": "ok"|"bad"|"none", "user", "password": what the client sent (or
null), "status": what the proxy answered (200, 407, 502; SOCKS5's reply
code)}.  The direct responder writes {"proto": "direct", "host": Host,
"path"} and answers "direct NAME" to any GET.
--dns NAME[=IP]: a DNS server on port 53 (UDP) of ADDR answering NAME's A
with IP (default ADDR), and REFUSED for everything else: the names the EDGE
namespace can resolve itself (NO_PROXY's direct destination; names it
resolves to a lab address, which the proxy may resolve otherwise).
Targets are resolved with the namespace's resolver (the lab's DNS).
"""
import base64
import json
import os
import signal
import socket
import sys
import threading

LOCK = threading.Lock()
LOG = None


def log(rec):
    with LOCK:
        LOG.write(json.dumps(rec) + "\n")
        LOG.flush()


def pump(a, b):
    def one(src, dst):
        try:
            while True:
                d = src.recv(65536)
                if not d:
                    break
                dst.sendall(d)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    t = threading.Thread(target=one, args=(b, a), daemon=True)
    t.start()
    one(a, b)
    t.join(60)
    a.close()
    b.close()


def recv_exact(c, n):
    d = b""
    while len(d) < n:
        x = c.recv(n - len(d))
        if not x:
            raise OSError("short")
        d += x
    return d


def serve_http(c, port, cred):
    rec = {"proto": "http", "port": port, "method": None, "target": None, "atyp": None,
           "auth": "none", "user": None, "password": None, "status": None}
    head = b""
    while b"\r\n\r\n" not in head:
        x = c.recv(4096)
        if not x:
            return
        head += x
        if len(head) > 16384:
            return
    lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    rec["method"], rec["target"] = parts[0], parts[1] if len(parts) > 1 else None
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "proxy-authorization":
            scheme, _, b64 = v.strip().partition(" ")
            try:
                u, _, p = base64.b64decode(b64).decode().partition(":")
            except ValueError:
                u, p = None, None
            rec["user"], rec["password"] = u, p
            rec["auth"] = "ok" if cred and scheme.lower() == "basic" and (u, p) == cred else "bad"
    if cred and rec["auth"] != "ok":
        rec["status"] = 407
        log(rec)
        c.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                  b"Proxy-Authenticate: Basic realm=\"lab\"\r\nContent-Length: 0\r\n\r\n")
        return
    if rec["method"] != "CONNECT":
        rec["status"] = 405
        log(rec)
        c.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        return
    host, _, p = rec["target"].rpartition(":")
    try:
        up = socket.create_connection((host.strip("[]"), int(p)), timeout=10)
        up.settimeout(None)
    except (OSError, ValueError):
        rec["status"] = 502
        log(rec)
        c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        return
    rec["status"] = 200
    log(rec)
    c.sendall(b"HTTP/1.1 200 Connection established\r\nProxy-agent: lab\r\n\r\n")
    pump(c, up)


def serve_socks(c, port, cred):
    rec = {"proto": "socks5", "port": port, "method": None, "target": None, "atyp": None,
           "auth": "none", "user": None, "password": None, "status": None}
    ver, n = recv_exact(c, 2)
    methods = recv_exact(c, n)
    want = 2 if cred else 0
    if ver != 5 or want not in methods:
        rec["status"] = "no method"
        log(rec)
        c.sendall(b"\x05\xff")
        return
    c.sendall(bytes([5, want]))
    if cred:
        _, ul = recv_exact(c, 2)
        u = recv_exact(c, ul).decode("latin-1")
        pl = recv_exact(c, 1)[0]
        p = recv_exact(c, pl).decode("latin-1")
        rec["user"], rec["password"] = u, p
        rec["auth"] = "ok" if (u, p) == cred else "bad"
        c.sendall(b"\x01\x00" if rec["auth"] == "ok" else b"\x01\x01")
        if rec["auth"] != "ok":
            rec["status"] = "auth failed"
            log(rec)
            return
    _, cmd, _, atyp = recv_exact(c, 4)
    rec["atyp"] = atyp
    if atyp == 1:
        host = socket.inet_ntop(socket.AF_INET, recv_exact(c, 4))
    elif atyp == 4:
        host = socket.inet_ntop(socket.AF_INET6, recv_exact(c, 16))
    else:
        host = recv_exact(c, recv_exact(c, 1)[0]).decode("latin-1")
    dport = int.from_bytes(recv_exact(c, 2), "big")
    rec["method"] = "CONNECT" if cmd == 1 else "CMD%d" % cmd
    rec["target"] = "%s:%d" % (host, dport)
    try:
        up = socket.create_connection((host, dport), timeout=10)
        up.settimeout(None)
    except OSError:
        rec["status"] = 5
        log(rec)
        c.sendall(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
        return
    rec["status"] = 0
    log(rec)
    c.sendall(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
    pump(c, up)


def serve_direct(c, port, _cred):
    head = b""
    while b"\r\n\r\n" not in head:
        x = c.recv(4096)
        if not x:
            return
        head += x
    lines = head.decode("latin-1").split("\r\n")
    host = next((l.split(":", 1)[1].strip() for l in lines[1:] if l.lower().startswith("host:")), "")
    log({"proto": "direct", "port": port, "host": host, "path": lines[0].split(" ")[1]})
    body = ("direct %s\n" % host.split(":")[0]).encode()
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


def serve_dns(bind, names):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((bind, 53))
    addrs = {}
    for n in names:
        name, _, ip = n.partition("=")
        addrs[name.lower()] = socket.inet_aton(ip or bind)
    while True:
        q, peer = s.recvfrom(4096)
        if len(q) < 12:
            continue
        off, labels = 12, []
        while off < len(q) and q[off]:
            labels.append(q[off + 1:off + 1 + q[off]].decode("latin-1").lower())
            off += 1 + q[off]
        qend = off + 5
        qtype = int.from_bytes(q[off + 1:off + 3], "big")
        known = ".".join(labels) in addrs
        rcode = 0 if known else 5
        an = b""
        if known and qtype == 1:
            an = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x1e\x00\x04" + addrs[".".join(labels)]
        head = q[:2] + bytes([0x84 | (q[2] & 1), 0x80 | rcode]) + b"\x00\x01" + \
            (b"\x00\x01" if an else b"\x00\x00") + b"\x00\x00\x00\x00"
        s.sendto(head + q[12:qend] + an, peer)


def conn_thread(fn, c, port, cred):
    try:
        c.settimeout(30)
        fn(c, port, cred)
    except (OSError, ValueError, IndexError):
        pass
    finally:
        try:
            c.close()
        except OSError:
            pass


def listen(bind, port, fn, cred):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((bind, port))
    s.listen(256)

    def loop():
        while True:
            c, _ = s.accept()
            threading.Thread(target=conn_thread, args=(fn, c, port, cred), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def spec(v):
    port, _, rest = v.partition(":")
    u, _, p = rest.partition(":")
    return int(port), ((u, p) if rest else None)


def main(argv):
    global LOG
    args = {"--http": [], "--socks": [], "--direct": [], "--dns": []}
    bind, parent, logf = "0.0.0.0", 0, None
    i = 0
    while i < len(argv):
        k, v = argv[i], argv[i + 1]
        if k in args:
            args[k].append(v)
        elif k == "--bind":
            bind = v
        elif k == "--parent":
            parent = int(v)
        elif k == "--log":
            logf = v
        else:
            sys.exit("upstream-proxy: unknown option %s" % k)
        i += 2
    if parent:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            sys.exit("upstream-proxy: the parent %d is gone" % parent)
    LOG = open(logf, "a", encoding="utf-8")
    for kind, fn in (("--http", serve_http), ("--socks", serve_socks)):
        for v in args[kind]:
            port, cred = spec(v)
            listen(bind, port, fn, cred)
    for v in args["--direct"]:
        listen(bind, int(v), serve_direct, None)
    if args["--dns"]:
        threading.Thread(target=serve_dns, args=(bind, set(args["--dns"])), daemon=True).start()
    print("upstream-proxy ready", file=sys.stderr, flush=True)
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
