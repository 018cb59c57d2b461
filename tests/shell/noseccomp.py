#!/usr/bin/python3
"""noseccomp.py CMD [ARGS...] — run CMD where seccomp filters cannot be
loaded: a filter of its own makes seccomp(2) and prctl(PR_SET_SECCOMP) fail
with EINVAL, as a container's seccomp profile or a kernel without
CONFIG_SECCOMP_FILTER would (tests/shell/doctor.sh).  x86_64 only."""
import ctypes, os, struct, sys

AUDIT_ARCH_X86_64 = 0xC000003E
NR_SECCOMP, NR_PRCTL, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS = 317, 157, 22, 38
LD_ABS, JEQ, RET = 0x20, 0x15, 0x06
ERRNO_EINVAL, ALLOW = 0x00050000 | 22, 0x7FFF0000
insns = [
    (LD_ABS, 0, 0, 4),                       # 0: arch
    (JEQ, 0, 6, AUDIT_ARCH_X86_64),          # 1: else allow (8)
    (LD_ABS, 0, 0, 0),                       # 2: nr
    (JEQ, 3, 0, NR_SECCOMP),                 # 3: -> 7
    (JEQ, 0, 3, NR_PRCTL),                   # 4: else allow (8)
    (LD_ABS, 0, 0, 16),                      # 5: prctl's option
    (JEQ, 0, 1, PR_SET_SECCOMP),             # 6: -> 7, else 8
    (RET, 0, 0, ERRNO_EINVAL),               # 7
    (RET, 0, 0, ALLOW),                      # 8
]
code = b"".join(struct.pack("HBBI", *i) for i in insns)
buf = ctypes.create_string_buffer(code, len(code))


class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


prog = Fprog(len(insns), ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
        libc.prctl(PR_SET_SECCOMP, 2, ctypes.byref(prog), 0, 0) != 0:
    sys.exit("noseccomp: %s" % os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[1], sys.argv[1:])
