#!/usr/bin/python3
"""nouserns.py CMD [ARGS...] — run CMD where user namespaces are refused, for
real: in a user namespace of its own whose user.max_user_namespaces is 0
(the sysctl is per namespace, and writable by the namespace's owner), so
that CMD's unshare(CLONE_NEWUSER) fails with ENOSPC (tests/shell/doctor.sh)."""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
uid, gid = os.getuid(), os.getgid()
if libc.unshare(0x10000000) != 0: sys.exit("unshare: %s" % os.strerror(ctypes.get_errno()))
open('/proc/self/uid_map','w').write(f'{uid} {uid} 1\n')
open('/proc/self/setgroups','w').write('deny')
open('/proc/self/gid_map','w').write(f'{gid} {gid} 1\n')
open('/proc/sys/user/max_user_namespaces','w').write('0\n')
os.execvp(sys.argv[1], sys.argv[1:])
