# net-probe.py — the network client the net.sh harness runs inside (and
# outside) the sandbox.  One subcommand per kind of probe; each prints one
# line that the harness matches, never a traceback.
#
#   tcp HOST PORT [TEXT]         connect (5 s), send TEXT and shut the write
#                                side (if TEXT), read to EOF: "reply TEXT" or the errno name
#   send HOST PORT WAIT DATA [WAIT DATA...]
#                                connect, then for each pair sleep WAIT seconds
#                                and send DATA percent-decoded (%0D%0A: CRLF);
#                                shut the write side, read to EOF: an HTTP reply
#                                as "reply STATUS-LINE | LAST-BODY-LINE", or the errno name
#   udp HOST PORT                send one datagram, wait 2 s: "reply" / "noreply"
#   dns SERVER NAME [TYPE] [tcp] one query straight to SERVER:53: "RCODE addr..."
#   halfclose HOST PORT BYTES    send BYTES random bytes, shut the write side,
#                                read the echo: "match N" or "mismatch ..."
#   concurrent HOST PORT N       N connections open at once, each echoing its
#                                own 4 KiB: "N ok" (or how many failed)
#   get URL [CAFILE]             urllib GET: "status body" or the error
#   upload URL CAFILE BYTES      POST BYTES random bytes to URL (/sha256):
#                                "match" when the server's hash is ours
#   raw                          open a raw ICMP socket: "opened" or errno name
import errno
import hashlib
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request


def err_name(e):
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    if isinstance(e, socket.gaierror):
        return "GAIERROR"
    return errno.errorcode.get(getattr(e, "errno", 0) or 0, type(e).__name__)


def connect(host, port, timeout=5.0):
    return socket.create_connection((host, int(port)), timeout=timeout)


def recv_all(s):
    out = bytearray()
    while True:
        d = s.recv(65536)
        if not d:
            return bytes(out)
        out += d


def p_tcp(host, port, text=""):
    s = connect(host, port)
    if text:
        s.sendall(text.encode())
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            # A reset that arrived before the shutdown: report it as such.
            if e.errno == errno.ENOTCONN:
                print("ECONNRESET (reset before shutdown)")
                return
            raise
    print("reply", recv_all(s).decode(errors="replace").strip())


def p_send(host, port, *chunks):
    s = connect(host, port, 10)
    try:
        for wait, data in zip(chunks[::2], chunks[1::2]):
            time.sleep(float(wait))
            s.sendall(urllib.parse.unquote_to_bytes(data))
        s.shutdown(socket.SHUT_WR)
    except OSError as e:
        print(err_name(e), "(before the reply)")
        return
    got = recv_all(s).decode(errors="replace")
    head, _, body = got.partition("\r\n\r\n")
    lines = [l for l in body.splitlines() if l.strip()]
    print("reply", head.splitlines()[0] if head else "", "|", lines[-1] if lines else "")


def p_udp(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(b"x", (host, int(port)))
    try:
        s.recvfrom(512)
        print("reply")
    except socket.timeout:
        print("noreply")


TYPES = {"A": 1, "NS": 2, "CNAME": 5, "MX": 15, "TXT": 16, "AAAA": 28, "ANY": 255}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def p_dns(server, name, qtype="A", proto="udp"):
    qid = int.from_bytes(os.urandom(2), "big")
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", TYPES[qtype], 1)
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    if proto == "tcp":
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect((server, 53))
        s.sendall(struct.pack(">H", len(q)) + q)
        n = struct.unpack(">H", s.recv(2))[0]
        r = b""
        while len(r) < n:
            d = s.recv(n - len(r))
            if not d:
                break
            r += d
    else:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(5)
        s.sendto(q, (server, 53))
        r = s.recv(4096)
    rid, flags, qd, an = struct.unpack(">HHHH", r[:8])
    if rid != qid:
        print("BADID")
        return
    out = [RCODES.get(flags & 15, str(flags & 15))]
    at = 12
    for _ in range(qd):  # skip the question
        while r[at]:
            at += r[at] + 1
        at += 5
    for _ in range(an):
        while r[at] and r[at] < 192:
            at += r[at] + 1
        at += 2 if r[at] >= 192 else 1
        t, _c, _ttl, ln = struct.unpack(">HHIH", r[at:at + 10])
        at += 10
        if t == 1:
            out.append(socket.inet_ntop(socket.AF_INET, r[at:at + 4]))
        elif t == 28:
            out.append(socket.inet_ntop(socket.AF_INET6, r[at:at + 16]))
        else:
            out.append("type%d" % t)
        at += ln
    print(" ".join(out))


def p_halfclose(host, port, nbytes):
    data = os.urandom(int(nbytes))
    s = connect(host, port, 30)
    got = []

    def reader():
        got.append(recv_all(s))

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join()
    back = got[0] if got else b""
    if hashlib.sha256(back).digest() == hashlib.sha256(data).digest():
        print("match", len(back))
    else:
        print("mismatch sent=%d got=%d" % (len(data), len(back)))


def p_concurrent(host, port, n):
    n = int(n)
    barrier = threading.Barrier(n, timeout=60)
    results = [None] * n

    def one(i):
        try:
            s = connect(host, port, 30)
            s.settimeout(30)
            payload = (b"%06d" % i) * 683
            barrier.wait()  # every connection is open before any sends
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            results[i] = recv_all(s) == payload
        except Exception as e:  # noqa: BLE001 — any failure counts
            results[i] = err_name(e)
            barrier.abort()

    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ok = sum(1 for r in results if r is True)
    if ok == n:
        print(n, "ok")
    else:
        print(ok, "ok", n - ok, "failed:", sorted(set(str(r) for r in results if r is not True)))


def ctx_for(cafile):
    return ssl.create_default_context(cafile=cafile) if cafile else None


def p_get(url, cafile=None):
    with urllib.request.urlopen(url, timeout=10, context=ctx_for(cafile)) as r:
        print(r.status, r.read().decode(errors="replace").strip())


def p_upload(url, cafile, nbytes):
    data = os.urandom(int(nbytes))
    req = urllib.request.Request(url, data=data, method="POST")
    with urllib.request.urlopen(req, timeout=60, context=ctx_for(cafile)) as r:
        theirs = r.read().decode().strip()
    print("match" if theirs == hashlib.sha256(data).hexdigest() else "mismatch " + theirs)


def p_raw():
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    print("opened")


PROBES = {
    "tcp": p_tcp, "send": p_send, "udp": p_udp, "dns": p_dns, "halfclose": p_halfclose,
    "concurrent": p_concurrent, "get": p_get, "upload": p_upload, "raw": p_raw,
}

if __name__ == "__main__":
    try:
        PROBES[sys.argv[1]](*sys.argv[2:])
    except Exception as e:  # noqa: BLE001 — the harness matches the name
        print(err_name(e), str(e)[:200].replace("\n", " "))
        sys.exit(1)
