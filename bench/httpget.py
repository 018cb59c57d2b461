#!/usr/bin/python3
"""bench/httpget.py — one HTTP/1.1 GET, the body read with 1 MiB reads and
thrown away, timed from the request to the last byte.

  httpget.py URL [--proxy HOST:PORT] [--cafile PEM]

Prints one JSON object: {"status", "bytes" (body), "seconds", "gbps"}.  With
--proxy the request goes to that forward proxy in absolute form (as curl -x
does).  curl reads 16 KiB at a time, which on a veth path made curl itself
the limit of a 1 GiB download (and a noisy one); this client is not.  An https:// URL is fetched over TLS, verified against
--cafile, else against the default trust (SSL_CERT_FILE: what netbox sets in
a sandbox that inspects); the handshake is in the timing, and TLS reads
return at most one record (16 KiB) each.
Exit 1 on a status other than 200 or a short body.
"""
import argparse
import json
import socket
import ssl
import sys
import time
from urllib.parse import urlsplit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--proxy")
    ap.add_argument("--cafile")
    a = ap.parse_args()
    u = urlsplit(a.url)
    path = u.path or "/"
    if a.proxy:
        host, port = a.proxy.rsplit(":", 1)
        target = a.url
    else:
        host, port = u.hostname, u.port or (443 if u.scheme == "https" else 80)
        target = path
    buf = bytearray(1 << 20)
    s = socket.create_connection((host, int(port)))
    t0 = time.perf_counter()
    if u.scheme == "https":
        s = ssl.create_default_context(cafile=a.cafile).wrap_socket(s, server_hostname=u.hostname)
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (target, u.netloc)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        k = s.recv_into(buf)
        if not k:
            sys.stderr.write("httpget.py: closed before the headers\n")
            return 1
        head += bytes(buf[:k])
    head, _, body = head.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = None
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v)
    n = len(body)
    while True:
        try:
            k = s.recv_into(buf)
        except ssl.SSLEOFError:  # closed without close_notify: the length says if all came
            k = 0
        if not k:
            break
        n += k
    t1 = time.perf_counter()
    print(json.dumps(dict(status=status, bytes=n, seconds=t1 - t0, gbps=n * 8 / 1e9 / (t1 - t0))))
    return 0 if status == 200 and (length is None or n == length) else 1


if __name__ == "__main__":
    sys.exit(main())
