# attempts-probe.py — the program the attempts.sh harness runs in the
# sandbox.  Each attempt prints one line the harness matches, never a
# traceback.
#
#   denied [v6]   TCP to 198.51.100.30:4444 (a raw address, a port no rule
#                 names), to www.google.com:4444 (an allowed name, an
#                 unserved port), to 198.51.100.32:4447 (a port a rule
#                 denies), to 127.0.0.1:4446 (nothing listens there), and
#                 with v6 to [2001:db8::30]:4445; UDP sendto() twice to
#                 198.51.100.30:5555 from an unconnected socket, send() on
#                 one connected to 198.51.100.31:5556:
#                 "tcp HOST PORT ERRNO-NAME", "udp HOST PORT sent|ERRNO-NAME"
#   allowed       an HTTP GET of http://www.google.com/hello, then the
#                 program's own loopback: a TCP and a UDP (IPv4 and IPv6)
#                 exchange with itself: "get STATUS BODY", "loop tcp ok", ...
import errno
import socket
import sys
import urllib.request


def err_name(e):
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    if isinstance(e, socket.gaierror):
        return "GAIERROR"
    return errno.errorcode.get(getattr(e, "errno", 0) or 0, type(e).__name__)


def tcp(host, port):
    try:
        with socket.create_connection((host, port), timeout=5):
            print("tcp %s %d connected" % (host, port))
    except OSError as e:
        print("tcp %s %d %s" % (host, port, err_name(e)))


def udp(host, port, connected, times=1):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            if connected:
                s.connect((host, port))
            for _ in range(times):
                if connected:
                    s.send(b"attempt")
                else:
                    s.sendto(b"attempt", (host, port))
        print("udp %s %d sent" % (host, port))
    except OSError as e:
        print("udp %s %d %s" % (host, port, err_name(e)))


def denied(v6):
    tcp("198.51.100.30", 4444)
    tcp("www.google.com", 4444)
    tcp("198.51.100.32", 4447)
    tcp("127.0.0.1", 4446)
    if v6:
        tcp("2001:db8::30", 4445)
    udp("198.51.100.30", 5555, False, times=2)
    udp("198.51.100.31", 5556, True)


def loop_udp(family, addr):
    with socket.socket(family, socket.SOCK_DGRAM) as srv, socket.socket(family, socket.SOCK_DGRAM) as cli:
        srv.bind((addr, 0))
        srv.settimeout(5)
        cli.sendto(b"ping", srv.getsockname()[:2])
        data, peer = srv.recvfrom(100)
        srv.sendto(data, peer)
        cli.settimeout(5)
        return cli.recv(100) == b"ping"


def allowed():
    try:
        with urllib.request.urlopen("http://www.google.com/hello", timeout=10) as r:
            print("get %d %s" % (r.status, r.read().decode().strip()))
    except OSError as e:
        print("get %s" % err_name(e))
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        with socket.create_connection(srv.getsockname(), timeout=5) as cli:
            conn, _ = srv.accept()
            cli.sendall(b"x" * 100000)
            got = 0
            while got < 100000:
                got += len(conn.recv(65536))
            conn.close()
    print("loop tcp ok")
    print("loop udp %s" % ("ok" if loop_udp(socket.AF_INET, "127.0.0.1") else "bad"))
    if len(sys.argv) > 2 and sys.argv[2] == "v6":
        print("loop udp6 %s" % ("ok" if loop_udp(socket.AF_INET6, "::1") else "bad"))


if sys.argv[1] == "denied":
    denied(len(sys.argv) > 2 and sys.argv[2] == "v6")
else:
    allowed()
