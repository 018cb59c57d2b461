# inspect-client.py — the HTTP client the inspect.sh harness runs inside the
# sandbox, for what curl cannot show: requests pipelined in one write, a
# second Host on the same connection, upgrades, malformed bytes.  Prints one
# line the harness matches, never a traceback.
#
#   pipe HOST PORT tls|plain REQ...
#       connect (TLS with SNI HOST, ALPN http/1.1 and the default trust:
#       SSL_CERT_FILE, which netbox points at the run's bundle), send every
#       REQ in one write, read what comes back until the
#       server closes or 2 s pass in silence after the last response; print
#       each response as "STATUS FIRST-BODY-LINE", joined by " | ", then
#       "| closed" or "| open".
#       REQ: "METHOD PATH" then options, space-separated: host=NAME (the
#       Host header; HOST by default), body=TEXT (Content-Length), close
#       (Connection: close), upgrade=PROTO (Upgrade and Connection: Upgrade);
#       or "raw=PERCENT-ENCODED": these bytes instead (%0D%0A: CRLF).
#   urllib URL [METHOD [BODY]]
#       urllib.request with the default trust (SSL_CERT_FILE): "STATUS BODY"
#       or "HTTPError STATUS BODY" or the error's name.
import re
import socket
import ssl
import sys
import time
import urllib.parse
import urllib.request


def build(host, spec):
    if spec.startswith("raw="):
        return urllib.parse.unquote_to_bytes(spec[4:])
    words = spec.split(" ")
    method, path, opts = words[0], words[1] if len(words) > 1 else "/", words[2:]
    headers = {"Host": host, "User-Agent": "inspect-client"}
    body = b""
    for o in opts:
        k, _, v = o.partition("=")
        if k == "host":
            headers["Host"] = v
        elif k == "body":
            body = v.encode()
            headers["Content-Length"] = str(len(body))
        elif k == "close":
            headers["Connection"] = "close"
        elif k == "upgrade":
            headers["Connection"] = "Upgrade"
            headers["Upgrade"] = v
            headers["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ=="
            headers["Sec-WebSocket-Version"] = "13"
    head = "%s %s HTTP/1.1\r\n" % (method, path)
    head += "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
    return head.encode() + body


def parse(data, methods):
    """Responses in data: [(status, first body line)], and bytes left."""
    out = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            break
        head = data[:end].decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3})", head[0])
        if not m:
            out.append(("garbage", head[0][:60]))
            return out, b""
        status = int(m.group(1))
        fields = {}
        for line in head[1:]:
            k, _, v = line.partition(":")
            fields[k.strip().lower()] = v.strip()
        rest = data[end + 4:]
        method = methods[len(out)] if len(out) < len(methods) else "GET"
        if status < 200 or status in (204, 304) or method == "HEAD":
            body = b""
        elif "content-length" in fields:
            n = int(fields["content-length"])
            if len(rest) < n:
                break
            body, rest = rest[:n], rest[n:]
        else:
            body, rest = rest, b""
        if status >= 200:
            out.append((status, body.split(b"\n")[0].decode("utf-8", "replace")))
        data = rest
    return out, data


def cmd_pipe(host, port, mode, reqs):
    s = socket.create_connection((host, int(port)), timeout=10)
    if mode == "tls":
        ctx = ssl.create_default_context()
        ctx.set_alpn_protocols(["http/1.1"])
        s = ctx.wrap_socket(s, server_hostname=host)
    s.sendall(b"".join(build(host, r) for r in reqs))
    methods = [r.split(" ")[0] for r in reqs]
    data, closed, last = b"", False, time.monotonic()
    s.settimeout(0.2)
    while time.monotonic() - last < 2:
        try:
            d = s.recv(65536)
        except socket.timeout:
            if len(parse(data, methods)[0]) >= len(reqs):
                break
            continue
        except (ConnectionError, ssl.SSLError) as e:
            data += ("\r\n\r\n[%s]" % type(e).__name__).encode()
            closed = True
            break
        if not d:
            closed = True
            break
        data += d
        last = time.monotonic()
    if not closed:
        # all answered: does the server close now?
        s.settimeout(0.5)
        try:
            closed = s.recv(1) == b""
        except (socket.timeout, ssl.SSLError):
            pass
        except ConnectionError:
            closed = True
    got, _ = parse(data, methods)
    print(" | ".join("%s %s" % r for r in got) + (" | closed" if closed else " | open"))


def cmd_urllib(url, method="GET", body=None):
    req = urllib.request.Request(url, method=method, data=body.encode() if body else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            print(r.status, r.read().decode().strip())
    except urllib.error.HTTPError as e:
        print("HTTPError", e.code, e.read().decode().strip())
    except Exception as e:  # noqa: BLE001 — one line, never a traceback
        print(type(e).__name__, str(e)[:200])


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    try:
        if cmd == "pipe":
            cmd_pipe(args[0], args[1], args[2], args[3:])
        elif cmd == "urllib":
            cmd_urllib(*args)
    except Exception as e:  # noqa: BLE001
        print(type(e).__name__, str(e)[:200])


main()
