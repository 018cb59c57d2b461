#!/usr/bin/python3
"""faults-helper.py — the servers and clients of tests/shell/faults.sh.
Python 3 standard library only.  Every client prints one line per check
that the harness matches, never a traceback; every wait is bounded.

Servers (run as root in the lab's INET namespace; they die with --parent PID):
  fakedns ADDR UPSTREAM LOG       a DNS server on ADDR:53 (UDP) that
                                  misbehaves by the first label of the name:
                                  slow.*      answers after 1.5 s
                                  late.*      answers after 9 s (past netbox's timeout)
                                  drop.*      never answers
                                  servfail.*  SERVFAIL
                                  garbage.*   a reply whose answer name is a
                                              compression loop
                                  otherwise   forwards to UPSTREAM:53
                                  Logs "QTYPE name" per query to LOG.
                                  Synthesized answers: A 203.0.113.11.
  tcpserv ADDR PORT MODE LOG      a TCP server; MODE:
                                  reset       sends 256 KiB, then resets (SO_LINGER 0)
                                  sink        reads to the end; logs "eof N" or
                                              "reset N" (bytes read) per connection
                                  stream      writes until the peer goes; logs
                                              "gone N" per connection

Clients (run inside netbox, as the test user):
  dnsq SERVER NAME [TYPE] [--tcp] [--timeout S]
                                  one query: "RCODE [ADDR...] t=SECONDS" or "TIMEOUT t=S"
  dnsburst SERVER NAME N          N queries for NAME at once (50 per socket):
                                  "burst N RCODE:COUNT... t=S"
  tcpread HOST PORT [--timeout S] connect, read to the end:
                                  "eof N t=S" / "ECONNRESET N t=S" / errno name
  upreset HOST PORT BYTES         send BYTES then close with a reset: "sent N"
  inflight HOST PORT N EXIT       N connections streaming from HOST:PORT; once
                                  all are flowing, print "flowing N" and
                                  _exit(EXIT) at once (transfers in flight);
                                  EXIT -1: keep reading until killed
  slowloris NAME HTTP-OK-URL      concurrent clients on NAME's ports 80/443
                                  that say nothing, or one byte every 0.2 s,
                                  and 50 silent ones, while a normal request
                                  runs; one line per kind: "KIND OUTCOME t=S"
  hostile-dns SERVER ALLOWED DENIED FLOODDOMAIN
                                  malformed DNS over UDP and TCP, floods; one
                                  line per case "CASE RESULT", then
                                  "after udp RCODE ADDR" and "after tcp RCODE ADDR"
"""
import errno
import os
import random
import signal
import socket
import ssl
import struct
import sys
import threading
import time

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
TYPES = {"A": 1, "AAAA": 28, "MX": 15, "TXT": 16}


def die_with_parent(argv):
    if "--parent" not in argv:
        return argv
    i = argv.index("--parent")
    parent = int(argv[i + 1])
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
    return argv[:i] + argv[i + 2:]


def errname(e):
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    return errno.errorcode.get(getattr(e, "errno", 0) or 0, type(e).__name__)


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(name, qtype="A", qid=None, flags=0x0100):
    qid = random.randrange(65536) if qid is None else qid
    return qid, struct.pack("!6H", qid, flags, 1, 0, 0, 0) + encode_name(name) + struct.pack(
        "!HH", TYPES.get(qtype, 1), 1)


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1
        if n == 0:
            return off
        off += n


def parse_reply(r):
    """-> (id, rcode name, [addresses])"""
    rid, flags, qd, an = struct.unpack("!4H", r[:8])
    addrs = []
    try:
        off = 12
        for _ in range(qd):
            off = skip_name(r, off) + 4
        for _ in range(an):
            off = skip_name(r, off)
            t, _, _, ln = struct.unpack("!HHIH", r[off:off + 10])
            off += 10
            if t == 1 and ln == 4:
                addrs.append(socket.inet_ntoa(r[off:off + 4]))
            off += ln
    except (IndexError, struct.error):
        addrs.append("?")
    return rid, RCODES.get(flags & 15, str(flags & 15)), addrs


# ------------------------------------------------------------------ servers

def cmd_fakedns(addr, upstream, log):
    lock = threading.Lock()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))

    def logline(line):
        with lock, open(log, "a") as f:
            f.write(line + "\n")

    def synth(q, rcode=0, garbage=False):
        qid, flags = struct.unpack("!HH", q[:4])
        qend = skip_name(q, 12) + 4
        question = q[12:qend]
        if garbage:
            # one answer whose owner name is a pointer to itself
            at = 12 + len(question)
            rr = struct.pack("!H", 0xC000 | at) + struct.pack("!HHIH", 1, 1, 30, 4) + bytes([203, 0, 113, 11])
            return struct.pack("!6H", qid, 0x8180, 1, 1, 0, 0) + question + rr
        if rcode:
            return struct.pack("!6H", qid, 0x8180 | rcode, 1, 0, 0, 0) + question
        qtype = struct.unpack("!H", q[qend - 4:qend - 2])[0]
        if qtype != 1:
            return struct.pack("!6H", qid, 0x8180, 1, 0, 0, 0) + question
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 30, 4) + bytes([203, 0, 113, 11])
        return struct.pack("!6H", qid, 0x8180, 1, 1, 0, 0) + question + rr

    def forward(q):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(3)
            u.sendto(q, (upstream, 53))
            return u.recv(65535)

    def handle(q, peer):
        try:
            off, labels = 12, []
            while q[off]:
                labels.append(q[off + 1:off + 1 + q[off]].decode("ascii", "replace").lower())
                off += 1 + q[off]
            qtype = struct.unpack("!H", q[off + 1:off + 3])[0]
            name = ".".join(labels)
            logline("%s %s" % ({1: "A", 28: "AAAA"}.get(qtype, "TYPE%d" % qtype), name))
            first = labels[0] if labels else ""
            if first == "drop":
                return
            if first == "slow":
                time.sleep(1.5)
                r = synth(q)
            elif first == "late":
                time.sleep(9)
                r = synth(q)
            elif first == "servfail":
                r = synth(q, rcode=2)
            elif first == "garbage":
                r = synth(q, garbage=True)
            else:
                r = forward(q)
            s.sendto(r, peer)
        except Exception as e:  # noqa: BLE001 — one bad query never stops the server
            print("fakedns:", repr(e), file=sys.stderr, flush=True)

    print("fakedns ready", file=sys.stderr, flush=True)
    while True:
        q, peer = s.recvfrom(65535)
        threading.Thread(target=handle, args=(q, peer), daemon=True).start()


def cmd_tcpserv(addr, port, mode, log):
    lock = threading.Lock()
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(128)

    def logline(line):
        with lock, open(log, "a") as f:
            f.write(line + "\n")

    def serve(c):
        n = 0
        try:
            c.settimeout(30)
            if mode == "reset":
                c.sendall(b"r" * (256 * 1024))
                time.sleep(0.2)
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                c.close()
                logline("reset-sent")
                return
            if mode == "sink":
                try:
                    while True:
                        d = c.recv(65536)
                        if not d:
                            logline("eof %d" % n)
                            return
                        n += len(d)
                except OSError as e:
                    logline("%s %d" % ("reset" if e.errno == errno.ECONNRESET else errname(e), n))
                    return
            if mode == "stream":
                chunk = b"s" * 65536
                try:
                    while True:
                        c.sendall(chunk)
                        n += len(chunk)
                except OSError as e:
                    logline("gone %d %s" % (n, errname(e)))
                    return
        finally:
            c.close()

    print("tcpserv ready", file=sys.stderr, flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


# ------------------------------------------------------------------ clients

def opt(argv, name, default):
    if name in argv:
        i = argv.index(name)
        v = argv[i + 1]
        del argv[i:i + 2]
        return v
    return default


def cmd_dnsq(argv):
    timeout = float(opt(argv, "--timeout", "15"))
    tcp = "--tcp" in argv
    argv = [a for a in argv if a != "--tcp"]
    server, name = argv[0], argv[1]
    qtype = argv[2] if len(argv) > 2 else "A"
    qid, q = query(name, qtype)
    t = time.monotonic()
    try:
        if tcp:
            s = socket.create_connection((server, 53), timeout=timeout)
            s.sendall(struct.pack("!H", len(q)) + q)
            r = recv_frame(s)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(timeout)
            s.sendto(q, (server, 53))
            r = s.recv(65535)
        rid, rcode, addrs = parse_reply(r)
        print(" ".join([rcode if rid == qid else "BADID"] + addrs + ["t=%.1f" % (time.monotonic() - t)]))
    except Exception as e:  # noqa: BLE001
        print("%s t=%.1f" % (errname(e), time.monotonic() - t))


def cmd_dnsburst(argv):
    """N queries for NAME sent at once (from N/50 sockets, so that no
    socket buffer overflows): they all wait on the same upstream lookup.
    "burst N RCODE:COUNT... t=S"."""
    import select
    server, name, n = argv[0], argv[1], int(argv[2])
    socks = {}
    t = time.monotonic()
    for i in range(n):
        if i % 50 == 0:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks[s] = set()
        qid, q = query(name, "A", qid=i)
        socks[s].add(qid)
        s.sendto(q, (server, 53))
    rcodes = {}
    end = time.monotonic() + 8
    while any(socks.values()) and time.monotonic() < end:
        for s in select.select([s for s, ids in socks.items() if ids], [], [], 0.5)[0]:
            rid, rcode, _ = parse_reply(s.recv(4096))
            if rid in socks[s]:
                socks[s].discard(rid)
                rcodes[rcode] = rcodes.get(rcode, 0) + 1
    left = sum(len(ids) for ids in socks.values())
    if left:
        rcodes["none"] = left
    print("burst %d %s t=%.1f" % (n, " ".join("%s:%d" % kv for kv in sorted(rcodes.items())),
                                  time.monotonic() - t))


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            raise ConnectionError("EOF")
        buf += d
    return buf


def recv_frame(s):
    n = struct.unpack("!H", recv_exact(s, 2))[0]
    return recv_exact(s, n)


def read_to_end(s):
    n = 0
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return "eof", n
            n += len(d)
    except OSError as e:
        return errname(e), n


def cmd_tcpread(argv):
    timeout = float(opt(argv, "--timeout", "30"))
    host, port = argv[0], int(argv[1])
    t = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=timeout)
        how, n = read_to_end(s)
        print("%s %d t=%.1f" % (how, n, time.monotonic() - t))
    except OSError as e:
        print("%s t=%.1f" % (errname(e), time.monotonic() - t))


def cmd_upreset(argv):
    host, port, nbytes = argv[0], int(argv[1]), int(argv[2])
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(os.urandom(nbytes))
    time.sleep(0.3)  # let it reach the server before the reset
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("sent", nbytes)


def cmd_inflight(argv):
    host, port, n, code = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    socks = [socket.create_connection((host, port), timeout=10) for _ in range(n)]
    for s in socks:  # each has data flowing
        s.recv(65536)
    print("flowing", n, flush=True)
    if code < 0:  # keep them flowing until killed
        while True:
            for s in socks:
                s.recv(65536)
    os._exit(code)


def client_hello(name):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=name)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def cmd_slowloris(argv):
    name, ok_url = argv[0], argv[1]
    results = {}
    lock = threading.Lock()

    def record(kind, outcome, t0):
        with lock:
            results.setdefault(kind, []).append((outcome, time.monotonic() - t0))

    def dripper(kind, port, data, pause):
        t0 = time.monotonic()
        try:
            s = socket.create_connection((name, port), timeout=5)
            s.settimeout(30)
            for i in range(len(data)):
                if pause is None:
                    break
                s.send(data[i:i + 1])
                time.sleep(pause)
            if pause is None:  # silent: wait for netbox to give up
                how, _ = read_to_end(s)
                record(kind, how, t0)
                return
            record(kind, "all-sent", t0)  # netbox never cut it off
        except OSError as e:
            record(kind, errname(e), t0)

    request = ("GET /hello HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n\r\n" % (name, "x" * 60)).encode()
    hello = client_hello(name)
    threads = [
        threading.Thread(target=dripper, args=("silent-443", 443, b"", None)),
        threading.Thread(target=dripper, args=("silent-80", 80, b"", None)),
        threading.Thread(target=dripper, args=("drip-80", 80, request, 0.2)),
        threading.Thread(target=dripper, args=("drip-443", 443, hello, 0.2)),
    ]
    threads += [threading.Thread(target=dripper, args=("silent-443-x50", 443, b"", None)) for _ in range(50)]
    for t in threads:
        t.start()
    time.sleep(1)
    t0 = time.monotonic()
    try:
        import urllib.request
        with urllib.request.urlopen(ok_url, timeout=10) as r:
            record("normal-request", "%d" % r.status, t0)
    except Exception as e:  # noqa: BLE001
        record("normal-request", errname(e), t0)
    for t in threads:
        t.join(40)
    for kind in sorted(results):
        outs = results[kind]
        kinds = sorted(set(o for o, _ in outs))
        print("%s %s t=%.1f..%.1f n=%d" % (kind, ",".join(kinds), min(t for _, t in outs),
                                          max(t for _, t in outs), len(outs)))


def cmd_hostile_dns(argv):
    server, allowed, denied, flood_domain = argv
    out = []

    def udp_case(case, pkt, wait=1.0):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(wait)
        s.sendto(pkt, (server, 53))
        try:
            r = s.recv(65535)
        except socket.timeout:
            out.append("%s drop" % case)
            return
        finally:
            s.close()
        if len(r) < 12:
            out.append("%s short-reply" % case)
            return
        rid, rcode, addrs = parse_reply(r)
        sent_id = struct.unpack("!H", pkt[:2])[0] if len(pkt) >= 2 else -1
        out.append("%s %s%s" % (case, rcode, "" if rid == sent_id else " BADID"))

    def hdr(qid, flags=0x0100, qd=1, an=0, ns=0, ar=0):
        return struct.pack("!6H", qid, flags, qd, an, ns, ar)

    tail = struct.pack("!HH", 1, 1)
    qn = encode_name(allowed)
    cases = [
        ("short-5-bytes", b"\x12\x34\x01\x00\x00"),
        ("empty", b""),
        ("response-bit", hdr(0x1001, flags=0x8100) + qn + tail),
        ("qdcount-0", hdr(0x1002, qd=0)),
        ("qdcount-2", hdr(0x1003, qd=2) + qn + tail),
        ("pointer-to-itself", hdr(0x1004) + b"\xc0\x0c" + tail),
        ("pointer-loop-2", hdr(0x1005) + b"\x01a\xc0\x0c" + tail),
        ("pointer-past-end", hdr(0x1006) + b"\x01a\xc3\xff" + tail),
        ("label-past-end", hdr(0x1007) + b"\x3fabc"),
        ("name-over-255", hdr(0x1008) + (b"\x3f" + b"a" * 63) * 5 + b"\0" + tail),
        ("bad-label-type", hdr(0x1009) + b"\x41abc\0" + tail),
        ("no-type-class", hdr(0x100a) + qn),
        ("arcount-65535", hdr(0x100b, ar=65535) + qn + tail),
        ("opt-rdlen-past-end", hdr(0x100c, ar=1) + qn + tail + b"\0" + struct.pack("!HHIH", 41, 4096, 0, 0xFFFF)),
        ("opcode-status", hdr(0x100d, flags=0x1100) + qn + tail),
        ("oversized-65000", hdr(0x100e) + qn + tail + b"\0" * 65000),
        ("ancount-1-in-query", hdr(0x100f, an=1) + qn + tail),
    ]
    for case, pkt in cases:
        udp_case(case, pkt, 0.5)

    def tcp_case(case, data, half_close=False, wait=3.0):
        t0 = time.monotonic()
        try:
            s = socket.create_connection((server, 53), timeout=wait)
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
            s.settimeout(wait)
            got = b""
            how = "eof"
            try:
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    got += d
            except OSError as e:
                how = errname(e)
            s.close()
            replies = {}
            while len(got) >= 2:
                n = struct.unpack("!H", got[:2])[0]
                if len(got) < 2 + n or n < 12:
                    break
                rc = parse_reply(got[2:2 + n])[1]
                replies[rc] = replies.get(rc, 0) + 1
                got = got[2 + n:]
            out.append("%s %s replies=%s t=%.1f" % (case, how, ",".join(
                "%s:%d" % kv for kv in sorted(replies.items())) or "-", time.monotonic() - t0))
        except OSError as e:
            out.append("%s %s t=%.1f" % (case, errname(e), time.monotonic() - t0))

    loop = hdr(0x2001) + b"\x01a\xc0\x0c" + tail
    results = {}

    def idle_case():
        # a length prefix promising more than ever comes: closed when idle
        tcp_case("tcp-short-frame-idle", struct.pack("!H", 100) + b"x" * 10, wait=20)

    idle = threading.Thread(target=idle_case)
    idle.start()
    tcp_case("tcp-length-65535", struct.pack("!H", 65535) + b"x" * 20)
    tcp_case("tcp-short-frame-eof", struct.pack("!H", 100) + b"x" * 10, half_close=True)
    tcp_case("tcp-length-5", struct.pack("!H", 5) + b"x" * 5 + struct.pack("!H", len(loop)) + loop)
    tcp_case("tcp-pointer-loop", struct.pack("!H", len(loop)) + loop, half_close=True)
    _, dq = query(denied)
    tcp_case("tcp-pipeline-500", (struct.pack("!H", len(dq)) + dq) * 500, half_close=True, wait=10)

    # UDP floods: a denied name 5000 times (random case), then 2000
    # different names under an allowed domain (each one goes upstream).
    def flood(case, names):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.setblocking(False)
        sent = got = 0
        rcodes = {}
        t0 = time.monotonic()
        for nm in names:
            _, q = query(nm)
            try:
                s.sendto(q, (server, 53))
                sent += 1
            except BlockingIOError:
                time.sleep(0.001)
            while True:
                try:
                    r = s.recv(65535)
                except BlockingIOError:
                    break
                got += 1
                rc = parse_reply(r)[1]
                rcodes[rc] = rcodes.get(rc, 0) + 1
        # then read until nothing came for 2 s (UDP: some replies may be
        # dropped by full socket buffers, on purpose)
        s.settimeout(2)
        end = time.monotonic() + 15
        while time.monotonic() < end and got < sent:
            try:
                r = s.recv(65535)
            except socket.timeout:
                break
            got += 1
            rc = parse_reply(r)[1]
            rcodes[rc] = rcodes.get(rc, 0) + 1
        out.append("%s sent=%d replies=%d %s t=%.1f" % (case, sent, got, ",".join(
            "%s:%d" % kv for kv in sorted(rcodes.items())), time.monotonic() - t0))

    def rcase(nm):
        return "".join(c.upper() if random.random() < 0.5 else c for c in nm)

    flood("udp-flood-denied", [rcase(denied) for _ in range(5000)])
    flood("udp-flood-allowed", ["n%d.%s" % (i, flood_domain) for i in range(2000)])

    idle.join(30)
    # 300 TCP connections left open (more than netbox keeps): then a query
    conns = []
    for _ in range(300):
        try:
            conns.append(socket.create_connection((server, 53), timeout=3))
        except OSError as e:
            out.append("tcp-flood-connect %s" % errname(e))
            break
    out.append("tcp-flood opened=%d" % len(conns))
    qid, q = query(allowed)
    try:
        s = socket.create_connection((server, 53), timeout=5)
        s.settimeout(5)
        s.sendall(struct.pack("!H", len(q)) + q)
        rid, rcode, addrs = parse_reply(recv_frame(s))
        out.append("tcp-after-flood %s %s" % (rcode if rid == qid else "BADID", " ".join(addrs)))
        s.close()
    except Exception as e:  # noqa: BLE001
        out.append("tcp-after-flood %s" % errname(e))
    for c in conns:
        c.close()

    for fam_case, tcp in (("after udp", False), ("after tcp", True)):
        qid, q = query(allowed)
        try:
            if tcp:
                s = socket.create_connection((server, 53), timeout=5)
                s.settimeout(5)
                s.sendall(struct.pack("!H", len(q)) + q)
                r = recv_frame(s)
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(5)
                s.sendto(q, (server, 53))
                r = s.recv(65535)
            rid, rcode, addrs = parse_reply(r)
            out.append("%s %s %s" % (fam_case, rcode if rid == qid else "BADID", " ".join(addrs)))
        except Exception as e:  # noqa: BLE001
            out.append("%s %s" % (fam_case, errname(e)))
    print("\n".join(out))


def main(argv):
    argv = die_with_parent(argv)
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, rest = argv[0], argv[1:]
    # servers take their arguments one by one, clients as a list
    commands = {
        "fakedns": lambda: cmd_fakedns(*rest),
        "tcpserv": lambda: cmd_tcpserv(*rest),
        "dnsq": lambda: cmd_dnsq(rest),
        "dnsburst": lambda: cmd_dnsburst(rest),
        "tcpread": lambda: cmd_tcpread(rest),
        "upreset": lambda: cmd_upreset(rest),
        "inflight": lambda: cmd_inflight(rest),
        "slowloris": lambda: cmd_slowloris(rest),
        "hostile-dns": lambda: cmd_hostile_dns(rest),
    }
    if cmd not in commands:
        print("faults-helper: unknown command %r" % cmd, file=sys.stderr)
        return 2
    try:
        commands[cmd]()
    except Exception as e:  # noqa: BLE001 — the harness matches the name
        print("%s %s" % (errname(e), str(e)[:200].replace("\n", " ")))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
