#!/usr/bin/python3
"""tests/lab/labnet.py — the servers (and a few client helpers) of netbox's
test "fake internet".  lab.sh starts them; nothing here should be run by hand
except the client helpers.  Python 3 standard library only.

Servers (run inside the lab's namespaces, configured by the LAB_* variables
that lab.sh exports, see there):
  dns     [--parent PID]  authoritative DNS on LAB_DNS_IP4/LAB_DNS_IP6 port 53,
                          UDP and TCP, for the names in $LAB_DIR/names; logs
                          "QTYPE name" for every query to LAB_DNS_LOG
  web     [--parent PID]  HTTP :80 and HTTPS :443 on every address, content by
                          Host header (see Handler); HTTP :LAB_HTTP_ANY_PORT
                          (8080) the same, for any method and after empty
                          lines (AnyMethodHandler); TCP echo LAB_ECHO_PORT_TCP
                          and UDP echo LAB_ECHO_PORT_UDP on evil.test
  secret  [--parent PID]  HOST namespace: 127.0.0.1 and ::1 port LAB_SECRET_PORT,
                          writes LAB_SECRET + newline and closes
  probe   [--timeout S] [--watch PID,PID...]
                          HOST namespace: waits until every server answers
                          (gives up at once if a watched server exits)

Client helpers (any namespace):
  bytes N [SEED]          write the N deterministic bytes that /bytes?n=N serves
  bytes-sha256 N [SEED]   print their sha256 (hex)
  query NAME [TYPE] [--tcp] [--server IP] [--no-edns]
                          one DNS query; prints "rcode=X tc=N" then one line
                          per answer "TYPE ADDRESS"

--parent PID: the server dies with that process (PR_SET_PDEATHSIG), so a test
script killed with SIGKILL leaves no server behind.
"""

import base64
import gzip
import hashlib
import io
import json
import os
import random
import signal
import socket
import socketserver
import ssl
import struct
import sys
import tarfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENV = os.environ
LOG_LOCK = threading.Lock()
_logs = {}


def env(name, default=None):
    v = ENV.get(name, default)
    if v is None:
        sys.exit("labnet: %s is not set (lab.sh sets it)" % name)
    return v


def log_line(var, line):
    """Append one line to the log file named by environment variable VAR."""
    path = ENV.get(var)
    if not path:
        return
    with LOG_LOCK:
        f = _logs.get(path)
        if f is None:
            f = _logs[path] = open(path, "a", buffering=1, encoding="utf-8")
        f.write(line + "\n")
        f.flush()


def err(*a):
    print("labnet[%d]:" % os.getpid(), *a, file=sys.stderr, flush=True)


def die_with_parent(parent):
    if not parent:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


# ---------------------------------------------------------------- bytes

BYTES_CHUNK = 1 << 20


def lab_bytes(n, seed=0):
    """The deterministic stream: successive random.Random(seed).randbytes()
    blocks, cut to n bytes.  Fast (C Mersenne Twister, ~1 GB/s)."""
    r = random.Random(seed)
    while n > 0:
        b = r.randbytes(BYTES_CHUNK)
        if n < len(b):
            b = b[:n]
        yield b
        n -= len(b)


# ---------------------------------------------------------------- names

def read_names():
    """$LAB_DIR/names: "NAME IPV4|- IPV6|-" per line."""
    table = {}
    with open(os.path.join(env("LAB_DIR"), "names"), encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3 or parts[0].startswith("#"):
                continue
            name, v4, v6 = parts
            table[name.lower().rstrip(".")] = (
                None if v4 == "-" else socket.inet_pton(socket.AF_INET, v4),
                None if v6 == "-" else socket.inet_pton(socket.AF_INET6, v6),
            )
    return table


# ---------------------------------------------------------------- DNS

QTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT",
          28: "AAAA", 33: "SRV", 41: "OPT", 64: "SVCB", 65: "HTTPS", 255: "ANY"}
QTYPE_NUM = {v: k for k, v in QTYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
          5: "REFUSED", 16: "BADVERS"}
TTL = 30


def qtype_name(t):
    return QTYPES.get(t, "TYPE%d" % t)


def parse_name(msg, off):
    """-> (list of label bytes, offset after the name).  Follows pointers."""
    labels, end, hops, total = [], None, 0, 0
    while True:
        if off >= len(msg):
            raise ValueError("name runs off the message")
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise ValueError("truncated pointer")
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            hops += 1
            if hops > 32:
                raise ValueError("pointer loop")
            continue
        if n & 0xC0:
            raise ValueError("bad label type")
        off += 1
        if n == 0:
            break
        if off + n > len(msg):
            raise ValueError("label runs off the message")
        labels.append(msg[off:off + n])
        total += n + 1
        if total > 255:
            raise ValueError("name too long")
        off += n
    return labels, (end if end is not None else off)


def encode_name(labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


SOA_RDATA = (encode_name([b"ns", b"lab"]) + encode_name([b"hostmaster", b"lab"])
             + struct.pack("!5I", 1, 3600, 600, 86400, TTL))


class DNS:
    def __init__(self):
        self.names_path = os.path.join(env("LAB_DIR"), "names")
        self.mtime = None
        self.table = {}
        self.lock = threading.Lock()

    def lookup(self, name):
        with self.lock:
            try:
                m = os.stat(self.names_path).st_mtime_ns
                if m != self.mtime:
                    self.table, self.mtime = read_names(), m
            except OSError as e:
                err("names:", e)
            return self.table.get(name)

    def answer(self, q, transport):
        """Reply to query bytes q, or None to stay silent."""
        if len(q) < 12:
            return None
        qid, flags, qd, an, ns, ar = struct.unpack("!6H", q[:12])
        if flags & 0x8000:
            return None
        opcode = (flags >> 11) & 0xF
        rd = flags & 0x0100

        def header(rcode, nq, nan, nns, nar, tc=0):
            f = 0x8000 | (opcode << 11) | 0x0400 | (tc << 9) | rd | 0x0080 | (rcode & 0xF)
            return struct.pack("!6H", qid, f, nq, nan, nns, nar)

        if opcode != 0:
            return header(4, 0, 0, 0, 0)
        if qd != 1:
            log_line("LAB_DNS_LOG", "FORMERR -")
            return header(1, 0, 0, 0, 0)
        try:
            labels, off = parse_name(q, 12)
            if off + 4 > len(q):
                raise ValueError("truncated question")
            qtype, qclass = struct.unpack("!HH", q[off:off + 4])
            off += 4
            edns = None
            for i in range(an + ns + ar):
                _, off = parse_name(q, off)
                if off + 10 > len(q):
                    raise ValueError("truncated record")
                rtype, rclass, rttl, rdlen = struct.unpack("!HHIH", q[off:off + 10])
                off += 10 + rdlen
                if off > len(q):
                    raise ValueError("truncated rdata")
                if rtype == 41 and i >= an + ns:
                    edns = (rclass, (rttl >> 16) & 0xFF)
        except ValueError:
            log_line("LAB_DNS_LOG", "FORMERR -")
            return header(1, 0, 0, 0, 0)

        name = b".".join(labels).decode("ascii", "backslashreplace").lower()
        log_line("LAB_DNS_LOG", "%s %s" % (qtype_name(qtype), name or "."))
        question = encode_name(labels) + struct.pack("!HH", qtype, qclass)

        limit = 65535
        opt = b""
        if transport == "udp":
            limit = 512 if edns is None else max(512, min(edns[0], 4096))
        if edns is not None:
            if edns[1] != 0:  # BADVERS: extended rcode 1 in the OPT TTL
                opt = b"\0" + struct.pack("!HHIH", 41, 1232, 1 << 24, 0)
                return header(0, 1, 0, 0, 1) + question + opt
            opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
        nar = 1 if opt else 0

        if qclass not in (1, 255):
            return header(5, 1, 0, 0, nar) + question + opt
        entry = self.lookup(name)
        soa = b"\0" + struct.pack("!HHIH", 6, 1, TTL, len(SOA_RDATA)) + SOA_RDATA
        if entry is None:
            return header(3, 1, 0, 1, nar) + question + soa + opt
        if name == "tc.test" and transport == "udp":
            return header(0, 1, 0, 0, nar, tc=1) + question + opt
        rrs = []
        v4, v6 = entry
        if v4 and qtype in (1, 255):
            rrs.append(b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, TTL, 4) + v4)
        if v6 and qtype in (28, 255):
            rrs.append(b"\xc0\x0c" + struct.pack("!HHIH", 28, 1, TTL, 16) + v6)
        if not rrs:
            return header(0, 1, 0, 1, nar) + question + soa + opt
        msg = header(0, 1, len(rrs), 0, nar) + question + b"".join(rrs) + opt
        if len(msg) > limit:
            return header(0, 1, 0, 0, nar, tc=1) + question + opt
        return msg


def serve_dns_udp(dns, sock):
    while True:
        try:
            q, peer = sock.recvfrom(65535)
        except OSError as e:
            err("dns udp recv:", e)
            time.sleep(0.01)
            continue
        try:
            r = dns.answer(q, "udp")
            if r is not None:
                sock.sendto(r, peer)
        except Exception as e:  # never let one packet stop the server
            err("dns udp:", repr(e))


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        d = conn.recv(n - len(buf))
        if not d:
            return None
        buf += d
    return buf


def serve_dns_tcp_conn(dns, conn):
    try:
        conn.settimeout(10)
        while True:
            h = recv_exact(conn, 2)
            if h is None:
                return
            q = recv_exact(conn, struct.unpack("!H", h)[0])
            if q is None:
                return
            r = dns.answer(q, "tcp")
            if r is None:
                return
            conn.sendall(struct.pack("!H", len(r)) + r)
    except (OSError, ValueError):
        pass
    finally:
        conn.close()


def accept_loop(sock, handler, *args):
    while True:
        try:
            conn, peer = sock.accept()
        except OSError as e:
            err("accept:", e)
            time.sleep(0.01)
            continue
        threading.Thread(target=handler, args=args + (conn, peer), daemon=True).start()


def listen(family, addr, port, kind=socket.SOCK_STREAM, dual=False):
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if dual else 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(1024)
    return s


def cmd_dns():
    dns = DNS()
    dns.lookup("")  # load the table now
    socks = []
    for fam, addr in ((socket.AF_INET, env("LAB_DNS_IP4")), (socket.AF_INET6, env("LAB_DNS_IP6"))):
        u = listen(fam, addr, 53, socket.SOCK_DGRAM)
        t = listen(fam, addr, 53)
        socks.append(threading.Thread(target=serve_dns_udp, args=(dns, u), daemon=True))
        socks.append(threading.Thread(
            target=accept_loop, args=(t, lambda d, c, p: serve_dns_tcp_conn(d, c), dns), daemon=True))
    for t in socks:
        t.start()
    err("dns ready")
    while True:
        time.sleep(3600)


def dns_query(name, qtype="A", tcp=False, server=None, edns=True, timeout=3.0):
    """-> (rcode, tc, [(type, address or hex)])"""
    server = server or env("LAB_DNS_IP4")
    qt = QTYPE_NUM.get(qtype.upper()) or int(qtype.upper().replace("TYPE", ""))
    qid = random.randrange(65536)
    labels = [l.encode() for l in name.rstrip(".").split(".") if l]
    q = struct.pack("!6H", qid, 0x0100, 1, 0, 0, 1 if edns else 0) + encode_name(labels) + struct.pack("!HH", qt, 1)
    if edns:
        q += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.connect((server, 53))
        if tcp:
            s.sendall(struct.pack("!H", len(q)) + q)
            n = struct.unpack("!H", recv_exact(s, 2))[0]
            r = recv_exact(s, n)
        else:
            s.send(q)
            r = s.recv(65535)
    rid, flags, nq, nan, _, _ = struct.unpack("!6H", r[:12])
    if rid != qid:
        raise ValueError("reply id mismatch")
    off = 12
    for _ in range(nq):
        _, off = parse_name(r, off)
        off += 4
    answers = []
    for _ in range(nan):
        _, off = parse_name(r, off)
        t, _, _, rdlen = struct.unpack("!HHIH", r[off:off + 10])
        off += 10
        rdata = r[off:off + rdlen]
        off += rdlen
        if t == 1:
            answers.append(("A", socket.inet_ntop(socket.AF_INET, rdata)))
        elif t == 28:
            answers.append(("AAAA", socket.inet_ntop(socket.AF_INET6, rdata)))
        else:
            answers.append((qtype_name(t), rdata.hex()))
    return RCODES.get(flags & 0xF, str(flags & 0xF)), (flags >> 9) & 1, answers


# ---------------------------------------------------------------- npm registry

NPM_MTIME = 499162500  # npm's own fixed tarball time (1985-10-26)


def make_tgz(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, content in files:
            data = content.encode()
            ti = tarfile.TarInfo("package/" + path)
            ti.size, ti.mtime, ti.mode = len(data), NPM_MTIME, 0o644
            tar.addfile(ti, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def build_packages(outdir):
    """{name: {version, tgz, shasum, integrity, manifest}}; tarballs also
    written to outdir."""
    specs = [
        ("lab-hello", "1.0.0", {}, 'module.exports = "hello from lab-hello 1.0.0";\n'),
        ("@lab/scoped", "1.0.0", {"lab-hello": "^1.0.0"},
         'module.exports = "hello from @lab/scoped 1.0.0 + " + require("lab-hello");\n'),
    ]
    pkgs = {}
    os.makedirs(outdir, exist_ok=True)
    for name, ver, deps, index in specs:
        manifest = {"name": name, "version": ver, "description": "netbox lab test package",
                    "main": "index.js", "license": "MIT", "dependencies": deps}
        tgz = make_tgz([("package.json", json.dumps(manifest, indent=2) + "\n"),
                        ("index.js", index),
                        ("README.md", "# %s\n\nA package of netbox's test lab.\n" % name)])
        base = name.split("/")[-1]
        fname = "%s-%s.tgz" % (base, ver)
        with open(os.path.join(outdir, fname.replace("/", "_")), "wb") as f:
            f.write(tgz)
        pkgs[name] = {
            "version": ver, "tgz": tgz, "file": fname, "manifest": manifest,
            "shasum": hashlib.sha1(tgz).hexdigest(),
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode(),
        }
    return pkgs


def package_doc(name, p, base_url):
    ver = p["version"]
    v = dict(p["manifest"])
    v.update({"_id": "%s@%s" % (name, ver), "dist": {
        "tarball": "%s/%s/-/%s" % (base_url, name, p["file"]),
        "shasum": p["shasum"], "integrity": p["integrity"]}})
    t = "2024-01-01T00:00:00.000Z"
    return {"_id": name, "name": name, "description": v["description"],
            "dist-tags": {"latest": ver}, "versions": {ver: v},
            "time": {"created": t, "modified": t, ver: t}, "license": "MIT"}


# ---------------------------------------------------------------- HTTP(S)

class Handler(BaseHTTPRequestHandler):
    """Content by Host header.  Every host:
      GET /hello          "hello from NAME\\n"
      GET /bytes?n=N[&seed=S]  N deterministic bytes (labnet.py bytes N S)
      POST|PUT /sha256    hex sha256 of the body + "\\n" (Content-Length or chunked)
      GET /echo-host      the Host header + "\\n"
      GET /echo-sni       the TLS SNI seen ("" over http) + "\\n"
      GET /whoami         "scheme= host= sni= local=ADDR port= peer=ADDR\\n"
      GET /headers        the request headers as received
      GET /slow?ms=N      sleeps N ms, then "slept N ms\\n"
      GET /               "lab NAME\\n" (200)
    google.com: any other path -> 301 to SCHEME://www.google.com/PATH
    www.google.com: any other path -> 200 html containing "lab www.google.com"
    registry.test: npm registry (/NAME, /@scope%2fname, /NAME/-/FILE.tgz)
    git.test: /repo.git/... files of the bare repo (git "dumb HTTP")
    anything else: 404."""

    protocol_version = "HTTP/1.1"
    server_version = "netbox-lab/1"
    sys_version = ""
    timeout = 120

    def log_message(self, fmt, *args):
        err("http %s:" % self.server.scheme, fmt % args)

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        sock = self.connection
        try:
            local = sock.getsockname()[0]
        except OSError:
            local = "?"
        log_line("LAB_HTTP_LOG", "%s %s %s %s %s local=%s peer=%s sni=%s" % (
            self.server.scheme, self.hostname() or "-", self.command, self.path, code,
            norm_addr(local), norm_addr(self.client_address[0]), self.sni() or "-"))

    # -- helpers
    def sni(self):
        return getattr(self.connection, "lab_sni", None)

    def hostname(self):
        h = (self.headers.get("Host") or "").strip().lower() if self.headers else ""
        if h.startswith("["):
            return h[1:h.find("]")] if "]" in h else h
        if h.count(":") == 1:
            h = h.split(":")[0]
        return h.rstrip(".")

    def reply(self, code, body, ctype="text/plain; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body_chunks(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("eof in chunked body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while True:
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            return
                left = size
                while left:
                    d = self.rfile.read(min(left, 1 << 20))
                    if not d:
                        raise ConnectionError("eof in chunk")
                    yield d
                    left -= len(d)
                self.rfile.readline(3)
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left > 0:
                d = self.rfile.read(min(left, 1 << 20))
                if not d:
                    raise ConnectionError("eof in body")
                yield d
                left -= len(d)

    def has_body(self):
        return bool(self.headers.get("Content-Length") not in (None, "0")
                    or self.headers.get("Transfer-Encoding"))

    # -- dispatch
    def do_GET(self):
        self.route()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET

    def route(self):
        host = self.hostname()
        u = urllib.parse.urlsplit(self.path)
        path = u.path
        qs = urllib.parse.parse_qs(u.query)
        m = self.command
        scheme = self.server.scheme

        def arg(k, d):
            return int(qs.get(k, [d])[0])

        if path == "/sha256" and m in ("POST", "PUT"):
            h = hashlib.sha256()
            n = 0
            for d in self.body_chunks():
                h.update(d)
                n += len(d)
            return self.reply(200, h.hexdigest() + "\n", headers=[("X-Lab-Length", str(n))])
        if self.has_body():  # an unread body would corrupt the next request
            self.close_connection = True
        if path == "/hello":
            return self.reply(200, "hello from %s\n" % host)
        if path == "/echo-host":
            return self.reply(200, (self.headers.get("Host") or "") + "\n")
        if path == "/echo-sni":
            return self.reply(200, (self.sni() or "") + "\n")
        if path == "/headers":
            return self.reply(200, str(self.headers))
        if path == "/whoami":
            loc = self.connection.getsockname()
            return self.reply(200, "scheme=%s host=%s sni=%s local=%s port=%d peer=%s\n" % (
                scheme, host, self.sni() or "", norm_addr(loc[0]), loc[1],
                norm_addr(self.client_address[0])))
        if path == "/slow":
            ms = arg("ms", 1000)
            time.sleep(ms / 1000.0)
            return self.reply(200, "slept %d ms\n" % ms)
        if path == "/bytes":
            n, seed = arg("n", 1024), arg("seed", 0)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            if m != "HEAD":
                for b in lab_bytes(n, seed):
                    self.wfile.write(b)
            return
        if host == "google.com":
            loc = "%s://www.google.com%s" % (scheme, self.path if self.path.startswith("/") else "/")
            return self.reply(301, '<a href="%s">moved</a>\n' % loc, "text/html; charset=utf-8",
                              [("Location", loc)])
        if host == "www.google.com":
            return self.reply(200, "<!doctype html><html><head><title>lab www.google.com</title>"
                              "</head><body>lab www.google.com</body></html>\n",
                              "text/html; charset=utf-8")
        if host == "registry.test" and path != "/":
            return self.registry(path, scheme, host)
        if host == "git.test" and path.startswith("/repo.git/"):
            return self.git_file(path)
        if path == "/":
            return self.reply(200, "lab %s\n" % host)
        return self.reply(404, "not found\n")

    def registry(self, path, scheme, host):
        pkgs = self.server.packages
        name = urllib.parse.unquote(path[1:])
        if name in pkgs:
            doc = package_doc(name, pkgs[name], "%s://%s" % (scheme, host))
            return self.reply(200, json.dumps(doc), "application/json")
        if "/-/" in name:
            pname, fname = name.split("/-/", 1)
            p = pkgs.get(pname)
            if p and fname == p["file"]:
                return self.reply(200, p["tgz"], "application/octet-stream")
        return self.reply(404, '{"error":"Not found"}', "application/json")

    def git_file(self, path):
        root = self.server.git_root
        rel = os.path.normpath(urllib.parse.unquote(path[len("/repo.git/"):]))
        full = os.path.join(root, rel)
        if rel.startswith("..") or os.path.isabs(rel) or not os.path.isfile(full):
            return self.reply(404, "not found\n")
        ctype = "text/plain" if rel in ("info/refs", "HEAD", "objects/info/packs") else "application/octet-stream"
        with open(full, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if self.command != "HEAD":
                while True:
                    d = f.read(1 << 20)
                    if not d:
                        break
                    self.wfile.write(d)


class AnyMethodHandler(Handler):
    """Port LAB_HTTP_ANY_PORT: Handler's content for any method token, in any
    case (PROPFIND, get, M-SEARCH), and empty lines before the request line
    skipped (RFC 9112, 2.2): a server as lenient as the ones netbox's Host
    check must not be fooled by on a port a rule names.  The virtual host of
    an absolute-form target (GET http://evil.test/ ...) is its host, whatever
    the Host header says (RFC 9112, 3.2.2; nginx and Apache do so, in
    HTTP/0.9 too, which BaseHTTPRequestHandler serves for GET)."""

    def hostname(self):
        u = urllib.parse.urlsplit(self.path or "")
        if u.scheme and u.netloc and u.hostname:
            return u.hostname.rstrip(".")
        return super().hostname()

    def parse_request(self):
        for _ in range(16):
            if self.raw_requestline not in (b"\r\n", b"\n"):
                break
            self.raw_requestline = self.rfile.readline(65537)
        return super().parse_request()

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self.route
        raise AttributeError(name)


def norm_addr(a):
    return a[7:] if a.startswith("::ffff:") and "." in a else a


class LabServer(ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, port, scheme, ctx, packages, git_root, handler=Handler):
        self.scheme, self.ctx, self.packages, self.git_root = scheme, ctx, packages, git_root
        super().__init__(("::", port), handler)

    def server_bind(self):
        # dual stack; and no getfqdn() (HTTPServer.server_bind would resolve)
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "lab", self.server_address[1]

    def finish_request(self, request, client_address):
        # runs in the connection's thread: a slow TLS client holds only itself
        if self.ctx is None:
            return super().finish_request(request, client_address)
        request.settimeout(30)
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError) as e:
            err("tls handshake from %s: %s" % (norm_addr(client_address[0]), e))
            return
        try:
            tls.settimeout(Handler.timeout)
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        if not isinstance(e, (ConnectionError, TimeoutError, ssl.SSLError, BrokenPipeError)):
            err("http error from %s: %r" % (client_address[0], e))


def serve_echo_tcp(conn, peer):
    try:
        log_line("LAB_ECHO_LOG", "tcp %s %s" % (norm_addr(peer[0]), norm_addr(conn.getsockname()[0])))
        conn.settimeout(60)
        while True:
            d = conn.recv(65536)
            if not d:
                break
            conn.sendall(d)
    except OSError:
        pass
    finally:
        conn.close()


def serve_echo_udp(sock):
    while True:
        try:
            d, peer = sock.recvfrom(65535)
            log_line("LAB_ECHO_LOG", "udp %s %s %d" % (norm_addr(peer[0]), sock.getsockname()[0], len(d)))
            sock.sendto(d, peer)
        except OSError as e:
            err("udp echo:", e)


def cmd_web():
    d = env("LAB_DIR")
    packages = build_packages(os.path.join(d, "npm"))
    git_root = env("LAB_GIT_DIR")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(env("LAB_CERT"), env("LAB_KEY"))
    ctx.set_alpn_protocols(["http/1.1"])
    # expired.test and selfsigned.test present their own (bad) certificate
    bad = {}
    for name, cert, key in (("expired.test", "LAB_CERT_EXPIRED", "LAB_KEY_EXPIRED"),
                            ("selfsigned.test", "LAB_CERT_SELF", "LAB_KEY_SELF")):
        if ENV.get(cert):
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            c.load_cert_chain(env(cert), env(key))
            c.set_alpn_protocols(["http/1.1"])
            bad[name] = c

    def on_sni(sslsock, name, _ctx):
        sslsock.lab_sni = name
        if name in bad:
            sslsock.context = bad[name]
        return None
    ctx.sni_callback = on_sni

    threads = []
    servers = ((80, "http", None, Handler), (443, "https", ctx, Handler),
               (int(env("LAB_HTTP_ANY_PORT")), "http", None, AnyMethodHandler))
    for port, scheme, c, handler in servers:
        srv = LabServer(port, scheme, c, packages, git_root, handler)
        threads.append(threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 3600}, daemon=True))
    tport, uport = int(env("LAB_ECHO_PORT_TCP")), int(env("LAB_ECHO_PORT_UDP"))
    for fam, addr in ((socket.AF_INET, env("LAB_ECHO_IP4")), (socket.AF_INET6, env("LAB_ECHO_IP6"))):
        threads.append(threading.Thread(target=accept_loop, args=(listen(fam, addr, tport), serve_echo_tcp), daemon=True))
        threads.append(threading.Thread(target=serve_echo_udp, args=(listen(fam, addr, uport, socket.SOCK_DGRAM),), daemon=True))
    for t in threads:
        t.start()
    err("web ready")
    while True:
        time.sleep(3600)


# ---------------------------------------------------------------- host loopback secret

def serve_secret(conn, peer):
    try:
        log_line("LAB_SECRET_LOG", "tcp %s" % norm_addr(peer[0]))
        conn.sendall((env("LAB_SECRET") + "\n").encode())
    except OSError:
        pass
    finally:
        conn.close()


def cmd_secret():
    port = int(env("LAB_SECRET_PORT"))
    for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        threading.Thread(target=accept_loop, args=(listen(fam, addr, port), serve_secret), daemon=True).start()
    err("secret ready")
    while True:
        time.sleep(3600)


# ---------------------------------------------------------------- probe

def http_get(addr, port, host, path, tls_ctx=None, timeout=3.0):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((addr, port))
        if tls_ctx:
            s = tls_ctx.wrap_socket(s, server_hostname=host)
        s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)).encode())
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def server_exited(pids):
    """The first of pids that is no longer running (gone or a zombie), or None."""
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return pid
        except (OSError, IndexError):
            return pid
    return None


def cmd_probe(timeout, pids=()):
    ip = lambda name, v: ENV["LAB_IP%d_%s" % (v, name.upper().replace(".", "_").replace("-", "_"))]
    ctx = ssl.create_default_context(cafile=env("LAB_CA"))
    secret = env("LAB_SECRET") + "\n"

    def expect(what, got, want):
        if got != want:
            raise AssertionError("%s: got %r, want %r" % (what, got, want))

    def udp_echo(addr):
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.settimeout(0.5)
            s.sendto(b"lab-probe", (addr, int(env("LAB_ECHO_PORT_UDP"))))
            return s.recv(100)

    def tcp_read(addr, port, send=b""):
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        with socket.create_connection((addr, port), timeout=2) as s:
            if send:
                s.sendall(send)
                s.shutdown(socket.SHUT_WR)
            data = b""
            while True:
                d = s.recv(100)
                if not d:
                    return data
                data += d

    checks = [
        ("dns udp v4", lambda: expect("rcode", dns_query("lab-probe.invalid", timeout=0.5)[0], "NXDOMAIN")),
        ("dns udp v6", lambda: expect("rcode", dns_query("lab-probe.invalid", server=env("LAB_DNS_IP6"), timeout=0.5)[0], "NXDOMAIN")),
        ("dns tcp", lambda: expect("rcode", dns_query("lab-probe.invalid", tcp=True, timeout=0.5)[0], "NXDOMAIN")),
        ("http v4", lambda: expect("body", http_get(ip("www.google.com", 4), 80, "www.google.com", "/hello"),
                                   (200, b"hello from www.google.com\n"))),
        ("http any method", lambda: expect("body", http_get(ip("allowed.test", 4), int(env("LAB_HTTP_ANY_PORT")),
                                                            "allowed.test", "/hello"),
                                           (200, b"hello from allowed.test\n"))),
        ("https v4", lambda: expect("body", http_get(ip("www.google.com", 4), 443, "www.google.com", "/hello", ctx),
                                    (200, b"hello from www.google.com\n"))),
        ("https v6", lambda: expect("body", http_get(ip("registry.test", 6), 443, "registry.test", "/hello", ctx),
                                    (200, b"hello from registry.test\n"))),
        ("registry", lambda: expect("status", http_get(ip("registry.test", 4), 443, "registry.test", "/lab-hello", ctx)[0], 200)),
        ("tcp echo", lambda: expect("echo", tcp_read(env("LAB_ECHO_IP4"), int(env("LAB_ECHO_PORT_TCP")), b"x"), b"x")),
        ("udp echo", lambda: expect("echo", udp_echo(env("LAB_ECHO_IP6")), b"lab-probe")),
        ("secret v4", lambda: expect("secret", tcp_read("127.0.0.1", int(env("LAB_SECRET_PORT"))).decode(), secret)),
        ("secret v6", lambda: expect("secret", tcp_read("::1", int(env("LAB_SECRET_PORT"))).decode(), secret)),
    ]
    deadline = time.monotonic() + timeout
    for what, check in checks:
        while True:
            try:
                check()
                break
            except Exception as e:
                dead = server_exited(pids)
                if dead or time.monotonic() > deadline:
                    print("labnet probe: %s does not answer: %r%s" % (
                        what, e, " (server pid %d exited)" % dead if dead else ""), file=sys.stderr)
                    return 1
                time.sleep(0.02)
    return 0


# ---------------------------------------------------------------- main

def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, rest = argv[0], argv[1:]
    parent = 0
    if "--parent" in rest:
        i = rest.index("--parent")
        parent = int(rest[i + 1])
        del rest[i:i + 2]
    os.umask(0o022)
    if cmd in ("dns", "web", "secret"):
        die_with_parent(parent)
        {"dns": cmd_dns, "web": cmd_web, "secret": cmd_secret}[cmd]()
        return 0
    if cmd == "probe":
        t = 10.0
        if "--timeout" in rest:
            t = float(rest[rest.index("--timeout") + 1])
        pids = ()
        if "--watch" in rest:
            pids = [int(p) for p in rest[rest.index("--watch") + 1].split(",") if p]
        return cmd_probe(t, pids)
    if cmd in ("bytes", "bytes-sha256"):
        n = int(rest[0])
        seed = int(rest[1]) if len(rest) > 1 else 0
        if cmd == "bytes":
            out = sys.stdout.buffer
            try:
                for b in lab_bytes(n, seed):
                    out.write(b)
                out.flush()
            except BrokenPipeError:
                return 1
            return 0
        h = hashlib.sha256()
        for b in lab_bytes(n, seed):
            h.update(b)
        print(h.hexdigest())
        return 0
    if cmd == "query":
        tcp = "--tcp" in rest
        edns = "--no-edns" not in rest
        server = None
        if "--server" in rest:
            server = rest[rest.index("--server") + 1]
            rest.remove(server)
        pos = [a for a in rest if not a.startswith("--")]
        rcode, tc, answers = dns_query(pos[0], pos[1] if len(pos) > 1 else "A", tcp, server, edns)
        print("rcode=%s tc=%d" % (rcode, tc))
        for t, a in answers:
            print(t, a)
        return 0
    print("labnet: unknown command %r" % cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
