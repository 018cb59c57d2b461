#!/usr/bin/python3
"""bench/dnstime.py — time DNS answers over UDP, as a stub resolver sees them.

  dnstime.py --server IP --name NAME [--count K] [--type A]

Sends K queries for NAME, one after the other, each a fresh query id from a
fresh socket, and prints one JSON object: {"name", "ms": [K answer times in
milliseconds], "rcode": [...], "answers": [number of answer records]}.  The
first is the resolver's cold answer, the rest come from its cache (netbox
caches what it resolved upstream; the lab's dnsmasq answers from its hosts
file every time).  Exit 1 when a query gets no answer within 2 s.
Each time runs from the socket's connect() to the answer, as a stub
resolver (glibc's, c-ares) makes a lookup: connect, send, receive.  So the
round trip netbox's attribution (--log) adds to the connect() is in it.
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

TYPES = {"A": 1, "AAAA": 28}


def query(name, qtype):
    qid = int.from_bytes(os.urandom(2), "big")
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
    return qid, q


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--count", type=int, default=2)
    ap.add_argument("--type", default="A", choices=sorted(TYPES))
    args = ap.parse_args()
    out = {"name": args.name, "ms": [], "rcode": [], "answers": []}
    for _ in range(args.count):
        qid, q = query(args.name, TYPES[args.type])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        t0 = time.perf_counter_ns()
        s.connect((args.server, 53))
        s.send(q)
        while True:
            try:
                r = s.recv(4096)
            except socket.timeout:
                sys.stderr.write("dnstime.py: no answer for %s\n" % args.name)
                return 1
            if len(r) >= 12 and struct.unpack(">H", r[:2])[0] == qid:
                break
        t1 = time.perf_counter_ns()
        s.close()
        out["ms"].append((t1 - t0) / 1e6)
        out["rcode"].append(r[3] & 0xF)
        out["answers"].append(struct.unpack(">H", r[6:8])[0])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
