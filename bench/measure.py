#!/usr/bin/python3
"""bench/measure.py — the measurements of the benchmark (bench/run calls it,
as root, once the lab of bench/lab.sh is up).

  measure.py CONFIG.json OUT.json

CONFIG.json (written by bench/run): cli (the client namespace), uid, gid,
user, work (a 0755 directory: the clients' cwd), bench (this directory),
netbox (the binary), srv_ip, name (server.bench), quick (bool), fd_hard.

Every client runs in the client namespace as the unprivileged bench user
(bench/as-user), on one of these paths:
  direct       nothing in between (the baseline of every ratio)
  netbox       netbox --quiet --allow server.bench:80,5201,9000 -- CMD
  netbox --log the same with --log WORK/netbox-log.jsonl: attribution on,
               so each connect() and each datagram sent with an address is
               a seccomp user notification netbox answers, and each
               connection a line of the log (netbox truncates the file at
               every start); for the figures where a per-connection or
               per-request cost shows (req/s, connect, first byte, DNS) and
               one bulk figure (the HTTP download)
  slirp4netns  bench/slirp-run CMD (user + net namespace, slirp4netns)
  pasta        pasta --config-net -q --no-map-gw -- CMD
  tinyproxy    CMD told to use the forward proxy on 127.0.0.1:8888
               (curl -x, httpget.py --proxy, wrk through bench/wrk-proxy.lua);
               HTTP only
The HTTPS figures (nginx :443, a certificate from the lab's test CA) run on
three paths of their own:
  direct          the client trusts the test CA by name (--cacert)
  netbox          the same client, netbox splicing the TLS connection (the
                  SNI checked, nothing decrypted)
  netbox inspect  netbox --allow 'GET,HEAD https://server.bench/': netbox
                  ends the program's TLS with its run CA (the client trusts
                  it through the SSL_CERT_FILE / CURL_CA_BUNDLE netbox sets)
                  and makes its own verified TLS connection to nginx
both netbox paths with SSL_CERT_FILE=the test CA (netbox's upstream trust).
and, for startup time only: unshare -Urn, bubblewrap (--unshare-all and the
file isolation netbox gives), firejail --net=none.

Rounds are interleaved: round 1 runs every figure on every path, then round
2 ..., and the order of the paths rotates by one each round.  A figure's
value is the median over rounds.  Wall-clock figures come from the tools'
own clocks (iperf3, wrk, curl -w, bench/httpget.py, bench/startup.py,
bench/dnstime.py), never
from the time it takes to enter the namespace.  CPU time is kept too, for
the cost per request and per GB: of the whole run (the client, what it
reaped, the servers' share) and, on the netbox path, of the netbox process
itself (utime + stime, read from /proc when it exits, before it is reaped).

Writes OUT.json: {"meta", "results": [{"figure", "path", "round", "value",
...extra}], "rss": [...], "rules": [...], "notes": [...]}; bench/report.py
turns it into the tables.
"""
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time

CFG = json.load(open(sys.argv[1]))
OUT = sys.argv[2]
QUICK = CFG["quick"]
BENCH = CFG["bench"]
NB = CFG["netbox"]
NAME = CFG["name"]
CLK = os.sysconf("SC_CLK_TCK")

P = dict(
    rounds=1 if QUICK else 5,
    iperf_t=1,
    wrk_d="1s",
    http_file="256m" if QUICK else "1g",
    http_bytes=(256 << 20) if QUICK else (1 << 30),
    ttfb_n=10 if QUICK else 20,
    startup_true=5 if QUICK else 20,
    startup_node=2 if QUICK else 8,
    rules_rounds=3 if QUICK else 10,
    rss_counts=[1, 100, 1000] if QUICK else [1, 100, 1000, 10000],
    rss_peer_counts=[] if QUICK else [1, 1000],
)

results = []
notes = []
rss = []
rules = []


def note(msg):
    notes.append(msg)
    sys.stderr.write("bench: note: %s\n" % msg)


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


def user_argv(argv):
    return ["ip", "netns", "exec", CFG["cli"], os.path.join(BENCH, "as-user"),
            str(CFG["uid"]), str(CFG["gid"])] + list(argv)


def proc_cpu(pid, children=False):
    """utime + stime of @pid in seconds (works on a zombie too); with
    @children, also what its reaped descendants used (cutime + cstime)."""
    try:
        f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
        t = int(f[11]) + int(f[12])
        if children:
            t += int(f[13]) + int(f[14])
        return t / CLK
    except (OSError, IndexError, ValueError):
        return None


class Cpu:
    """CPU time of one measured run, all of it: the client side (the first
    process and everything it reaped: the client, netbox and its sandbox,
    slirp4netns, pasta) and the servers' side (nginx, iperf3 -s, tinyproxy:
    long-lived lab processes, read before and after).  The machine has 2
    cores shared by all of them, so throughput follows CPU per request."""

    servers = []

    @classmethod
    def find_servers(cls):
        for ns in (CFG["srv"], CFG["cli"]):
            r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
            for pid in r.stdout.split():
                try:
                    comm = open("/proc/%s/comm" % pid).read().strip()
                except OSError:
                    continue
                if comm in ("nginx", "iperf3", "tinyproxy"):
                    cls.servers.append(int(pid))

    @classmethod
    def servers_now(cls):
        return sum(proc_cpu(p) or 0 for p in cls.servers)


class Supervisor:
    """netbox's supervisor (its child, also named netbox) runs the proxy and
    the resolver: its CPU time, read every 20 ms while it lives (netbox
    reaps it, and its reaped time would carry the program's with it)."""

    def __init__(self, root):
        self.root, self.pid, self.cpu = root, None, None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch)
        self.thread.start()

    def watch(self):
        while not self.stop.is_set():
            if self.pid is None:
                self.pid = find_child(self.root, "netbox")
            if self.pid is not None:
                t = proc_cpu(self.pid)
                if t is not None:
                    self.cpu = t
            self.stop.wait(0.02)

    def done(self):
        self.stop.set()
        self.thread.join()
        return self.cpu


def find_child(pid, comm):
    """A child of @pid named @comm, from /proc/PID/task/*/children when the
    kernel has it, else by a scan of /proc."""
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            for c in open("/proc/%d/task/%s/children" % (pid, t)).read().split():
                if open("/proc/%s/comm" % c).read().strip() == comm:
                    return int(c)
        return None
    except OSError:
        pass
    for c, name in children_map().get(pid, []):
        if name == comm:
            return c
    return None


def run(argv, timeout=120, env=None, stdin=subprocess.DEVNULL):
    """Run @argv as the bench user in the client namespace.  Returns
    (exit status, stdout, stderr, cpu): cpu["self"] is the CPU time of the
    first process (netbox when the path is netbox), cpu["all"] the CPU time
    of the whole run (that process, all it reaped, and the servers' share
    during the run), read when it has exited, before it is reaped."""
    e = dict(os.environ, BENCH_USER=CFG["user"])
    e.update(env or {})
    p = subprocess.Popen(user_argv(argv), stdin=stdin, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=e, cwd=CFG["work"])
    out = {}

    def reader(name, f):
        out[name] = f.read()

    ts = [threading.Thread(target=reader, args=(n, f)) for n, f in (("o", p.stdout), ("e", p.stderr))]
    for t in ts:
        t.start()
    sup = Supervisor(p.pid) if argv and argv[0] == NB else None
    srv0 = Cpu.servers_now()
    timer = threading.Timer(timeout, lambda: p.kill())
    timer.start()
    try:
        os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    except ChildProcessError:
        pass
    cpu = dict(self=proc_cpu(p.pid), all=proc_cpu(p.pid, children=True))
    if sup is not None:  # netbox's own time and its supervisor's
        sup_cpu = sup.done()
        cpu["self"] = None if cpu["self"] is None or sup_cpu is None else cpu["self"] + sup_cpu
    if cpu["all"] is not None:
        cpu["all"] += Cpu.servers_now() - srv0
    rc = p.wait()
    timer.cancel()
    for t in ts:
        t.join()
    return rc, out.get("o", b"").decode(errors="replace"), out.get("e", b"").decode(errors="replace"), cpu


# ---- paths ------------------------------------------------------------------

NB_ALLOW = "%s:80,443,5201,9000" % NAME
NB_LOG = os.path.join(CFG["work"], "netbox-log.jsonl")


def nb_wrap(path, allow):
    """netbox's argv on @path ("netbox" or "netbox --log") with --allow @allow."""
    log_opt = ["--log", NB_LOG] if path == "netbox --log" else []
    return [NB, "--quiet"] + log_opt + ["--allow", allow, "--"]


WRAP = {
    "direct": [],
    "netbox": nb_wrap("netbox", NB_ALLOW),
    "netbox --log": nb_wrap("netbox --log", NB_ALLOW),
    "slirp4netns": [os.path.join(BENCH, "slirp-run")],
    "pasta": ["pasta", "--config-net", "-q", "--no-map-gw", "--"],
    "tinyproxy": [],
}
PROXY = "http://127.0.0.1:8888"
TLS_CA = os.path.join(CFG["work"], "tls", "ca.pem")
WRAP["netbox inspect"] = [NB, "--quiet", "--allow", "GET,HEAD https://%s/" % NAME, "--"]
TLS_PATHS = ["direct", "netbox", "netbox inspect"]


def tls_env(path):
    """netbox's own upstream trust: the test CA."""
    return {"SSL_CERT_FILE": TLS_CA} if path.startswith("netbox") else None


def tls_ca(path, opt):
    """The client's trust: the test CA by name, except where netbox inspects
    (its run CA then, which netbox's environment names)."""
    return [] if path == "netbox inspect" else [opt, TLS_CA]
TRAFFIC_PATHS = ["direct", "netbox", "netbox --log", "slirp4netns", "pasta", "tinyproxy"]
# the figures "netbox --log" runs; the others are the same as netbox's
# (no connection is made during them, or one: the same data path)
LOG_FIGURES = ("http", "wrk", "ttfb", "dns")


def have(prog):
    return any(os.access(os.path.join(d, prog), os.X_OK) for d in os.environ.get("PATH", "").split(":") if d)


def check_paths():
    """Drop a path whose tool is missing or that cannot fetch a page."""
    live = []
    need = {"slirp4netns": "slirp4netns", "pasta": "pasta", "tinyproxy": "tinyproxy"}
    for p in TRAFFIC_PATHS:
        if p in need and not have(need[p]):
            note("%s is not installed: skipped (bench/install-deps installs it)" % p)
            continue
        argv = WRAP[p] + ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}"]
        if p == "tinyproxy":
            argv += ["-x", PROXY]
        argv.append("http://%s/1k" % NAME)
        rc, o, e, _ = run(argv, timeout=30)
        if rc != 0 or o.strip() != "200":
            note("%s cannot fetch http://%s/1k here (exit %d: %s): skipped" % (p, NAME, rc, (e or o).strip()[-200:]))
            continue
        if p == "netbox --log" and not log_attributed():
            note("netbox --log wrote no connection record naming its process to %s: skipped" % NB_LOG)
            continue
        live.append(p)
    return live


def check_tls_paths():
    live = []
    for p in TLS_PATHS:
        argv = WRAP[p] + ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}"] + tls_ca(p, "--cacert")
        argv.append("https://%s/1k" % NAME)
        rc, o, e, _ = run(argv, timeout=30, env=tls_env(p))
        if rc != 0 or o.strip() != "200":
            note("%s cannot fetch https://%s/1k here (exit %d: %s): no HTTPS figures on it" % (
                p, NAME, rc, (e or o).strip()[-200:]))
            continue
        live.append(p)
    return live


def log_records(event="connection"):
    """The records of @event in the log of the last netbox --log run."""
    recs = []
    try:
        with open(NB_LOG) as f:
            for line in f:
                try:
                    d = json.loads(line)
                except ValueError:
                    continue
                if d.get("event") == event:
                    recs.append(d)
    except OSError:
        pass
    return recs


def log_attributed():
    return any(isinstance(r.get("proc"), dict) and r["proc"].get("pid") for r in log_records())


def log_extra(path, event="connection"):
    """On the netbox --log path: how many records of @event the log holds
    (a connection, a DNS query: one each)."""
    return {"log_%s_records" % event: len(log_records(event))} if path == "netbox --log" else {}


def rotated(paths, r):
    k = r % len(paths) if paths else 0
    return paths[k:] + paths[:k]


def add(figure, path, rnd, value, **extra):
    d = dict(figure=figure, path=path, round=rnd, value=value)
    d.update(extra)
    results.append(d)


# ---- figures ------------------------------------------------------------------

def cpu_extra(path, cpu, gb=None, reqs=None):
    """CPU per GB or per request: of the whole run, and of netbox itself."""
    e = {}
    for key, v in (("cpu", cpu.get("all")), ("netbox_cpu", cpu.get("self") if path.startswith("netbox") else None)):
        if v is None:
            continue
        if gb:
            e[key + "_s_per_gb"] = v / gb
        if reqs:
            e[key + "_us_per_req"] = v * 1e6 / max(1, reqs)
    return e


def fig_iperf(path, rnd):
    for fig, rev in (("iperf_up", []), ("iperf_down", ["-R"])):
        rc, o, e, cpu = run(WRAP[path] + ["iperf3", "-c", NAME, "-t", str(P["iperf_t"]), "-J"] + rev,
                            timeout=P["iperf_t"] + 30)
        try:
            s = json.loads(o)["end"]["sum_received"]
            gbps = s["bits_per_second"] / 1e9
            add(fig, path, rnd, gbps, **cpu_extra(path, cpu, gb=s["bytes"] / 1e9))
        except (ValueError, KeyError, TypeError):
            note("iperf3 %s on %s failed (exit %d): %s" % (fig, path, rc, (e or o).strip()[-200:]))
        time.sleep(0.2)  # the iperf3 server takes the next test after it cleaned up


def fig_http(path, rnd):
    argv = WRAP[path] + ["python3", "-I", "-B", os.path.join(BENCH, "httpget.py")]
    if path == "tinyproxy":
        argv += ["--proxy", PROXY[len("http://"):]]
    argv.append("http://%s/%s" % (NAME, P["http_file"]))
    rc, o, e, cpu = run(argv, timeout=120)
    try:
        d = json.loads(o.strip().splitlines()[-1])
        if d["bytes"] != P["http_bytes"]:
            raise ValueError("short download: %s bytes" % d["bytes"])
        add("http_bulk", path, rnd, d["gbps"], **cpu_extra(path, cpu, gb=P["http_bytes"] / 1e9), **log_extra(path))
    except (ValueError, IndexError, KeyError) as ex:
        note("HTTP download on %s failed (exit %d): %s %s" % (path, rc, ex, e.strip()[-200:]))


WRK_RE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_TOTAL = re.compile(r"(\d+) requests in ([\d.]+)(ms|s|m)")


def fig_wrk(path, rnd):
    for conns in (16, 256):
        for mode in ("ka", "new"):
            argv = WRAP[path] + ["wrk", "-t2", "-c%d" % conns, "-d" + P["wrk_d"]]
            if mode == "new":
                argv += ["-H", "Connection: close"]
            env = None
            if path == "tinyproxy":
                argv += ["-s", os.path.join(BENCH, "wrk-proxy.lua"), PROXY]
                env = {"BENCH_PROXY_TARGET": "http://%s/1k" % NAME}
            else:
                argv.append("http://%s/1k" % NAME)
            rc, o, e, cpu = run(argv, timeout=60, env=env)
            m = WRK_RE.search(o)
            if rc != 0 or not m:
                note("wrk %s/%d on %s failed (exit %d): %s" % (mode, conns, path, rc, (e or o).strip()[-200:]))
                continue
            t = WRK_TOTAL.search(o)
            extra = cpu_extra(path, cpu, reqs=int(t.group(1)) if t else None)
            extra.update(log_extra(path))
            if t:
                extra["requests"] = int(t.group(1))
            errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", o)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", o)
            if errs:
                extra["socket_errors"] = [int(x) for x in errs.groups()]
            if non2xx:
                extra["non_2xx"] = int(non2xx.group(1))
            add("rps_%s_%d" % (mode, conns), path, rnd, float(m.group(1)), **extra)


def ttfb_samples(wrap, extra_args=(), n=None):
    n = n or P["ttfb_n"]
    argv = wrap + ["curl", "-sS", "-H", "Connection: close", "-w", "%{time_connect} %{time_starttransfer}\\n"]
    argv += list(extra_args)
    for _ in range(n + 1):
        argv += ["-o", "/dev/null", "http://%s/1k" % NAME]
    rc, o, e, _ = run(argv, timeout=60)
    lines = [l.split() for l in o.strip().splitlines()]
    if rc != 0 or len(lines) != n + 1:
        return None, "exit %d: %s" % (rc, e.strip()[-200:])
    lines = lines[1:]  # the first includes the name lookup
    return [(float(a) * 1e3, float(b) * 1e3) for a, b in lines], None


def fig_ttfb(path, rnd):
    s, err = ttfb_samples(WRAP[path], ["-x", PROXY] if path == "tinyproxy" else [])
    if s is None:
        note("first-byte timing on %s failed: %s" % (path, err))
        return
    add("connect_ms", path, rnd, statistics.median(x[0] for x in s), samples=[x[0] for x in s], **log_extra(path))
    add("ttfb_ms", path, rnd, statistics.median(x[1] for x in s), samples=[x[1] for x in s])


def fig_keepalive_100k(path, rnd):
    """One connection, N requests of 100 KiB one after the other: the time
    of each (curl -w time_total).  A relay that adds Nagle on the program's
    side shows here as 40 ms stalls (the program's delayed ACK)."""
    n = P["ttfb_n"] * 2
    argv = WRAP[path] + ["curl", "-sS", "-w", "%{time_total}\\n"]
    if path == "tinyproxy":
        argv += ["-x", PROXY]
    for _ in range(n):
        argv += ["-o", "/dev/null", "http://%s/100k" % NAME]
    rc, o, e, _ = run(argv, timeout=120)
    try:
        ms = sorted(float(x) * 1e3 for x in o.split())
        if rc != 0 or len(ms) != n:
            raise ValueError("exit %d, %d answers" % (rc, len(ms)))
    except ValueError as ex:
        note("keep-alive 100 KiB requests on %s failed: %s %s" % (path, ex, e.strip()[-200:]))
        return
    add("ka100k_p50_ms", path, rnd, statistics.median(ms))
    add("ka100k_p90_ms", path, rnd, ms[int(len(ms) * 0.9)])


def fig_https(path, rnd):
    """HTTPS: one download (Gbit/s, CPU per GB), req/s with wrk (16
    connections, keep-alive and a new connection each: CPU per request; wrk
    does not verify certificates), and first byte over fresh connections
    (curl, a full handshake each: no session reuse)."""
    env = tls_env(path)
    argv = WRAP[path] + ["python3", "-I", "-B", os.path.join(BENCH, "httpget.py")] + tls_ca(path, "--cafile")
    argv.append("https://%s/%s" % (NAME, P["http_file"]))
    rc, o, e, cpu = run(argv, timeout=180, env=env)
    try:
        d = json.loads(o.strip().splitlines()[-1])
        if d["bytes"] != P["http_bytes"]:
            raise ValueError("short download: %s bytes" % d["bytes"])
        add("https_bulk", path, rnd, d["gbps"], **cpu_extra(path, cpu, gb=P["http_bytes"] / 1e9))
    except (ValueError, IndexError, KeyError) as ex:
        note("HTTPS download on %s failed (exit %d): %s %s" % (path, rc, ex, e.strip()[-200:]))

    for mode, hdr in (("ka", []), ("new", ["-H", "Connection: close"])):
        argv = WRAP[path] + ["wrk", "-t2", "-c16", "-d" + P["wrk_d"]] + hdr + ["https://%s/1k" % NAME]
        rc, o, e, cpu = run(argv, timeout=60, env=env)
        m, t = WRK_RE.search(o), WRK_TOTAL.search(o)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", o)
        if rc != 0 or not m or not t or non2xx:
            note("wrk https %s on %s failed (exit %d): %s" % (mode, path, rc, (e or o).strip()[-200:]))
            continue
        add("https_rps_%s_16" % mode, path, rnd, float(m.group(1)), requests=int(t.group(1)),
            **cpu_extra(path, cpu, reqs=int(t.group(1))))

    n = P["ttfb_n"]
    argv = WRAP[path] + ["curl", "-sS", "--no-sessionid", "-H", "Connection: close", "-w",
                         "%{time_connect} %{time_appconnect} %{time_starttransfer}\\n"] + tls_ca(path, "--cacert")
    for _ in range(n + 1):
        argv += ["-o", "/dev/null", "https://%s/1k" % NAME]
    rc, o, e, _ = run(argv, timeout=60, env=env)
    lines = [l.split() for l in o.strip().splitlines()]
    if rc != 0 or len(lines) != n + 1:
        note("HTTPS first byte on %s failed (exit %d): %s" % (path, rc, e.strip()[-200:]))
        return
    s = [[float(x) * 1e3 for x in l] for l in lines[1:]]  # the first includes the name lookup
    add("https_ttfb_ms", path, rnd, statistics.median(x[2] for x in s), samples=[x[2] for x in s],
        handshake_ms=statistics.median(x[1] - x[0] for x in s))


dns_seq = [0]


def fig_dns(path, rnd):
    if path == "tinyproxy":
        return
    dns_seq[0] += 1
    name = "d%d.bench" % dns_seq[0]
    wrap = WRAP[path]
    if path.startswith("netbox"):
        wrap = nb_wrap(path, "bench")
    rc, o, e, _ = run(wrap + ["python3", "-I", "-B", os.path.join(BENCH, "dnstime.py"), "--server",
                              CFG["srv_ip"], "--name", name, "--count", "6"], timeout=30)
    try:
        d = json.loads(o.strip().splitlines()[-1])
        if d["rcode"][0] != 0 or d["answers"][0] < 1:
            raise ValueError("rcode %s answers %s" % (d["rcode"], d["answers"]))
        add("dns_first_ms", path, rnd, d["ms"][0], **log_extra(path, "dns"))
        add("dns_cached_ms", path, rnd, statistics.median(d["ms"][1:]))
    except (ValueError, IndexError, KeyError) as ex:
        note("DNS timing on %s failed (exit %d): %s %s" % (path, rc, ex, e.strip()[-200:]))


# ---- startup ------------------------------------------------------------------

def bwrap_argv():
    """bubblewrap with the file isolation netbox gives by default: / read-only,
    homes, /root, /mnt, /media, /tmp, /var/tmp, /run empty, fresh /proc and
    /dev, the cwd read-write; every namespace unshared (--unshare-net)."""
    a = ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev",
         "--proc", "/proc"]
    # /home as a whole (netbox hides each home in it: the same view, and a
    # home that a test run elsewhere on the machine removes meanwhile cannot
    # make bwrap fail)
    for d in ["/tmp", "/var/tmp", "/run", "/root", "/mnt", "/media", "/home"]:
        if os.path.isdir(d):
            a += ["--tmpfs", d]
    a += ["--bind", CFG["work"], CFG["work"], "--chdir", CFG["work"]]
    return a


def startup_spec(cmd):
    spec = {
        "direct": cmd,
        "unshare -Urn": ["unshare", "-Urn"] + cmd,
        "bwrap": bwrap_argv() + cmd,
        "firejail": ["firejail", "--quiet", "--net=none"] + cmd,
        "slirp4netns": [os.path.join(BENCH, "slirp-run")] + cmd,
        "pasta": ["pasta", "--config-net", "-q", "--no-map-gw", "--"] + cmd,
        "netbox": [NB, "--quiet", "--allow", NAME] + cmd,
    }
    for p, prog in (("bwrap", "bwrap"), ("firejail", "firejail"), ("slirp4netns", "slirp4netns"),
                    ("pasta", "pasta"), ("unshare -Urn", "unshare")):
        if not have(prog):
            spec.pop(p)
    return spec


def run_startup(spec, rounds, warmup=1):
    f = os.path.join(CFG["work"], "startup-spec.json")
    with open(f, "w") as fh:
        json.dump(spec, fh)
    os.chmod(f, 0o644)
    rc, o, e, _ = run(["python3", "-I", "-B", os.path.join(BENCH, "startup.py"), f, str(rounds), str(warmup)],
                      timeout=600)
    if rc != 0:
        note("startup timing failed (exit %d): %s" % (rc, e.strip()[-300:]))
        return {}
    return json.loads(o)


def fig_startup():
    for fig, cmd, n in (("startup_true", ["true"], P["startup_true"]),
                        ("startup_node", ["node", "-e", "0"], P["startup_node"])):
        if cmd[0] == "node" and not have("node"):
            note("node is not installed: no `node -e 0` startup figure")
            continue
        log("startup: %s x %d" % (" ".join(cmd), n))
        spec = startup_spec(cmd)
        if cmd == ["true"]:
            # where netbox's startup goes: without the system call filter
            # (compiled by libseccomp at every start), without the network
            # (no listeners, resolver, proxy), without both
            spec["netbox --seccomp=off"] = [NB, "--quiet", "--seccomp=off", "--allow", NAME] + cmd
            spec["netbox --net=none"] = [NB, "--quiet", "--net=none"] + cmd
            spec["netbox --net=none --seccomp=off"] = [NB, "--quiet", "--net=none", "--seccomp=off"] + cmd
        r = run_startup(spec, n)
        for path, d in r.items():
            if "error" in d:
                note("startup of %s under %s fails here (%s): skipped" % (cmd[0], path, d["error"]))
                continue
            for i, ms in enumerate(d["ms"]):
                add(fig, path, i, ms)
            if d["failed"]:
                note("startup of %s under %s failed %d times" % (cmd[0], path, d["failed"]))


# ---- memory with idle connections -------------------------------------------

def children_map():
    m = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                s = open("/proc/%s/stat" % d).read()
                comm = s[s.index("(") + 1:s.rindex(")")]
                ppid = int(s.rsplit(")", 1)[1].split()[1])
                m.setdefault(ppid, []).append((int(d), comm))
            except (OSError, ValueError):
                pass
    return m


def find_desc(root, comm):
    m = children_map()
    todo = [root]
    while todo:
        p = todo.pop()
        for c, name in m.get(p, []):
            if name == comm:
                return c
            todo.append(c)
    return None


def status_kb(pid):
    out = {}
    try:
        for line in open("/proc/%d/status" % pid):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def rss_one(path, n):
    hold = ["python3", "-I", "-B", os.path.join(BENCH, "idle.py"), "hold", "--host", NAME, "--port", "9000",
            "--count", str(n), "--timeout", "90"]
    wrap = {"netbox": [NB, "--quiet", "--allow", "%s:9000" % NAME, "--"]}.get(path, WRAP[path])
    e = dict(os.environ, BENCH_USER=CFG["user"])
    p = subprocess.Popen(user_argv(wrap + hold), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=e, cwd=CFG["work"])
    got = {}

    def readline():
        got["line"] = p.stdout.readline().decode()

    t = threading.Thread(target=readline)
    t.start()
    t.join(120)
    line = got.get("line", "")
    pid = None
    if path == "netbox":  # the supervisor holds the connections
        pid = find_child(p.pid, "netbox")
    elif path == "pasta":
        pid = p.pid
    elif path == "slirp4netns":
        for _ in range(20):  # /proc is read while processes come and go
            pid = find_desc(p.pid, "slirp4netns")
            if pid:
                break
            time.sleep(0.05)
    kb = status_kb(pid) if pid else {}
    try:
        p.stdin.close()
    except OSError:
        pass
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    err = p.stderr.read().decode(errors="replace").strip()
    if not line.startswith("READY") or "VmHWM" not in kb:
        note("idle connections: %s with %d failed: %s" % (path, n, (err or line).strip()[-200:]))
        return None
    return kb


def fig_rss():
    # netbox needs two descriptors per idle connection (the pipes are pooled,
    # see netproxy/relay.c); the hard RLIMIT_NOFILE caps what can be held.
    cap = (CFG["fd_hard"] - 400) // 2
    plan = [("netbox", n) for n in P["rss_counts"]]
    plan += [(p, n) for p in ("pasta", "slirp4netns") for n in P["rss_peer_counts"] if p in LIVE]
    for path, want in plan:
        n = min(want, cap)
        if n < want:
            note("idle connections: %d asked, %d held (the hard RLIMIT_NOFILE here is %d and cannot be "
                 "raised)" % (want, n, CFG["fd_hard"]))
        log("idle connections: %s x %d" % (path, n))
        kb = rss_one(path, n)
        if kb:
            rss.append(dict(path=path, asked=want, conns=n, rss_kb=kb["VmRSS"], hwm_kb=kb["VmHWM"]))


# ---- rules ----------------------------------------------------------------------

def rules_profile(n):
    """A profile with @n rules, the one that matches (server.bench) last."""
    f = os.path.join(CFG["work"], "rules-%d.profile" % n)
    with open(f, "w") as fh:
        fh.write("# bench/measure.py: %d rules\n" % n)
        for i in range(n - 1):
            fh.write("allow r%d.rules.bench\n" % i)
        fh.write("allow %s:80\n" % NAME)
    os.chmod(f, 0o644)
    return ["--profile", f]


def fig_rules():
    counts = [1, 100, 10000]
    prof = {n: rules_profile(n) for n in counts}
    spec = {str(n): [NB, "--quiet"] + prof[n] + ["true"] for n in counts}
    log("rules: setup time")
    r = run_startup(spec, P["rules_rounds"])
    for n in counts:
        d = r.get(str(n), {})
        if d.get("ms"):
            rules.append(dict(rules=n, what="setup_ms", value=statistics.median(d["ms"]), samples=d["ms"]))
    log("rules: first byte")
    for rnd in range(P["rounds"]):
        for n in rotated(counts, rnd):
            s, err = ttfb_samples([NB, "--quiet"] + prof[n] + ["--"])
            if s is None:
                note("first byte with %d rules failed: %s" % (n, err))
                continue
            rules.append(dict(rules=n, what="ttfb_ms", round=rnd, value=statistics.median(x[1] for x in s)))


# ---- main ----------------------------------------------------------------------

def main():
    global LIVE, TLS_LIVE
    t0 = time.time()
    meta = dict(started=time.strftime("%Y-%m-%d %H:%M:%S %Z"), quick=QUICK, params=P,
                loadavg_start=loadavg(), netbox=NB, fd_hard=CFG["fd_hard"])
    Cpu.find_servers()
    LIVE = check_paths()
    TLS_LIVE = check_tls_paths()
    log("paths: %s; HTTPS: %s" % (" ".join(LIVE), " ".join(TLS_LIVE)))
    fig_startup()
    round_load = []
    for rnd in range(P["rounds"]):
        log("round %d/%d (load %s)" % (rnd + 1, P["rounds"], " ".join(loadavg())))
        round_load.append(loadavg())
        for fig, fn in (("iperf", fig_iperf), ("http", fig_http), ("wrk", fig_wrk), ("ttfb", fig_ttfb),
                        ("ka100k", fig_keepalive_100k), ("dns", fig_dns)):
            paths = [p for p in LIVE if (p != "netbox --log" or fig in LOG_FIGURES) and
                     (p != "tinyproxy" or fig != "iperf")]
            for path in rotated(paths, rnd):
                fn(path, rnd)
        for path in rotated(TLS_LIVE, rnd):
            fig_https(path, rnd)
    fig_rss()
    fig_rules()
    meta.update(loadavg_end=loadavg(), loadavg_rounds=round_load, seconds=round(time.time() - t0, 1),
                paths=LIVE, tls_paths=TLS_LIVE)
    with open(OUT, "w") as f:
        json.dump(dict(meta=meta, results=results, rss=rss, rules=rules, notes=notes), f, indent=1)
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
