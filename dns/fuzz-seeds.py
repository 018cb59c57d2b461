#!/usr/bin/env python3
# fuzz-seeds.py — (re)write the seed corpus of the `dns` fuzz target,
# fuzz/corpus/dns/: queries captured from glibc 2.36 (getent ahosts against a
# loopback listener), queries and upstream answers built here, and malformed
# packets for each parser error path.  Usage: dns/fuzz-seeds.py [OUTDIR]
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', 'fuzz', 'corpus', 'dns')
os.makedirs(out, exist_ok=True)


def name(n):
    b = b''
    for label in n.split('.') if n else []:
        b += bytes([len(label)]) + label.encode('latin-1')
    return b + b'\0'


def hdr(id_, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack('>HHHHHH', id_, flags, qd, an, ns, ar)


def q(n, t=1, c=1):
    return name(n) + struct.pack('>HH', t, c)


def opt(udp=1232, ttl=0, rdata=b''):
    return b'\0' + struct.pack('>HHIH', 41, udp, ttl, len(rdata)) + rdata


def rr(owner, t, rdata, ttl=300):
    return owner + struct.pack('>HHIH', t, 1, ttl, len(rdata)) + rdata


seeds = {
    # captured from glibc
    'glibc-edns-a': bytes.fromhex('23c401200001000000000001076578616d706c6503636f6d000001000100002904b0000000000000'),
    'glibc-edns-aaaa': bytes.fromhex('73c801200001000000000001076578616d706c6503636f6d00001c000100002904b0000000000000'),
    'glibc-edns-mixed-aaaa': bytes.fromhex('e38201200001000000000001074578416d506c4503436f4d00001c000100002904b0000000000000'),
    'glibc-plain-a': bytes.fromhex('56ba0100000100000000000003777777076578616d706c65036f72670000010001'),
    'glibc-plain-aaaa': bytes.fromhex('ef590100000100000000000003777777076578616d706c65036f726700001c0001'),
    # built
    'dig-cookie': hdr(0xbeef, 0x0120, ar=1) + q('example.net') + opt(1232, 0, struct.pack('>HH', 10, 8) + bytes(range(8))),
    'do-cd-https': hdr(2, 0x0110, ar=1) + q('www.Example.org', 65) + opt(4096, 0x8000),
    'edns-v1': hdr(3, 0x0100, ar=1) + q('a.example', 1) + opt(512, 0x00010000),
    'root-ns': hdr(4, 0x0100) + q('', 2),
    'srv': hdr(5, 0x0100) + q('_443._tcp.example.com', 33),
    'long-name': hdr(6, 0x0100) + q('.'.join(['a' * 63] * 3 + ['b' * 61])),
    'bad-space': hdr(7, 0x0100) + q('a b.example'),
    'bad-dot': hdr(8, 0x0100) + b'\3a.b\7example\0\0\1\0\1',
    'opcode-status': hdr(9, 0x1100) + q('example.com'),
    'opcode-update': hdr(10, 0x2800, 1, 0, 1, 0) + q('example.com', 6) + rr(b'\xc0\x0c', 1, b'\1\2\3\4'),
    'ptr-loop': hdr(11, 0x0100) + b'\xc0\x0c\0\1\0\1',
    'ptr-header': hdr(12, 0x0100) + b'\1a\xc0\x02\0\1\0\1',
    'label-0x40': hdr(13, 0x0100) + b'\x41' + b'x' * 65 + b'\0\0\1\0\1',
    'two-opt': hdr(14, 0x0100, ar=2) + q('example.com') + opt() + opt(),
    'trailing': hdr(15, 0x0100) + q('example.com') + b'junk',
    'truncated-q': hdr(16, 0x0100) + b'\7exam',
    'qdcount-2': hdr(17, 0x0100, qd=2) + q('a.example') + q('b.example'),
    'extra-ar': hdr(18, 0x0100, ar=2) + q('example.com') + rr(b'\1k\xc0\x0c', 250, b'x' * 10) + opt(),
    # reverse names, for dns_ptr_name_parse() and dns_build_ptr_reply()
    'ptr-v4': hdr(20, 0x0100, ar=1) + q('1.0.18.198.in-addr.arpa', 12) + opt(),
    'ptr-v4-zeros': hdr(21, 0x0100) + q('01.0.18.198.In-Addr.Arpa', 12),
    'ptr-v6': hdr(22, 0x0100) + q('b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6.ARPA', 12),
}

# additional records whose owner names chain back through pointers
chain = hdr(19, 0x0100, ar=17) + q('example.com')
prev = 12
for _ in range(17):
    here = len(chain)
    chain += rr(b'\1x' + struct.pack('>H', 0xc000 | prev), 16, b'')
    prev = here
seeds['ptr-chain-17'] = chain

# upstream answers, for dns_fixup_forwarded()
txt = hdr(0x0101, 0x8180, an=10, ar=1) + q('Example.com', 16)
for _ in range(10):
    txt += rr(b'\xc0\x0c', 16, b'\xc8' + b't' * 200)
seeds['resp-txt-big'] = txt + opt()
cn = hdr(0x0202, 0x8180, an=3) + q('www.example.com')
cn += rr(b'\xc0\x0c', 5, name('cdn.example.net'))
cdn = 12 + len(q('www.example.com')) + 12
cn += rr(struct.pack('>H', 0xc000 | cdn), 1, bytes([93, 184, 216, 34]))
cn += rr(struct.pack('>H', 0xc000 | cdn), 1, bytes([93, 184, 216, 35]))
seeds['resp-cname-a'] = cn
seeds['resp-nxdomain-soa'] = (hdr(0x0303, 0x8183, ns=1) + q('nope.example.com') +
                              rr(b'\xc0\x11', 6, name('ns.example.com') + b'\xc0\x11' + struct.pack('>IIIII', 1, 2, 3, 4, 5)))
seeds['resp-short'] = hdr(0x0404, 0x8182, qd=0)

for k, v in seeds.items():
    with open(os.path.join(out, k), 'wb') as f:
        f.write(v)
print(f'{len(seeds)} seeds in {out}')
