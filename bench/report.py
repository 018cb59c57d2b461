#!/usr/bin/python3
"""bench/report.py — turn bench/measure.py's raw results into the tables.

  report.py RAW.json OUT.md OUT.json

Each figure's value on a path is the median over its rounds (startup: over
its runs); the ratio is to the direct path of the same run.  OUT.md holds the
markdown (the machine, the kernel, the date, the load, the main table, what
attribution costs (netbox --log against netbox), the netbox targets with
met/missed, idle-connection memory, rules, notes);
OUT.json the same numbers, the machine description and the raw samples.
"""
import json
import os
import platform
import statistics
import sys
import time

FIGURES = [
    # id, label, unit, better, digits
    ("startup_true", "startup: `true`", "ms", "lower", 2),
    ("startup_node", "startup: `node -e 0`", "ms", "lower", 1),
    ("iperf_up", "bulk, iperf3 client → server", "Gbit/s", "higher", 2),
    ("iperf_down", "bulk, iperf3 server → client (-R)", "Gbit/s", "higher", 2),
    ("http_bulk", "bulk, one HTTP download", "Gbit/s", "higher", 2),
    ("rps_ka_16", "HTTP req/s, keep-alive, 16 conns", "req/s", "higher", 0),
    ("rps_ka_256", "HTTP req/s, keep-alive, 256 conns", "req/s", "higher", 0),
    ("rps_new_16", "HTTP req/s, new conn each, 16", "req/s", "higher", 0),
    ("rps_new_256", "HTTP req/s, new conn each, 256", "req/s", "higher", 0),
    ("connect_ms", "time to connect, fresh conn", "ms", "lower", 3),
    ("ttfb_ms", "time to first byte, fresh conn", "ms", "lower", 3),
    ("ka100k_p50_ms", "100 KiB requests, keep-alive, median", "ms", "lower", 3),
    ("ka100k_p90_ms", "100 KiB requests, keep-alive, 90th pct", "ms", "lower", 3),
    ("dns_first_ms", "DNS answer, allowed name, first", "ms", "lower", 3),
    ("dns_cached_ms", "DNS answer, allowed name, cached", "ms", "lower", 3),
]
# CPU time of whole runs (client, servers, and whatever is between them),
# per unit of work: derived from the figures above, shown after them.
CPU_FIGURES = [
    ("cpu_rps_ka_16", "rps_ka_16", "cpu_us_per_req", "CPU per request, keep-alive, 16", "µs", 1),
    ("cpu_rps_new_16", "rps_new_16", "cpu_us_per_req", "CPU per request, new conn, 16", "µs", 1),
    ("cpu_iperf_up", "iperf_up", "cpu_s_per_gb", "CPU per GB, iperf3 client → server", "s", 2),
    ("cpu_http_bulk", "http_bulk", "cpu_s_per_gb", "CPU per GB, HTTP download", "s", 2),
]
# HTTPS (nginx :443, the lab's test CA) on paths of its own: its own table
HTTPS_FIGURES = [
    ("https_bulk", "HTTPS download (one connection)", "Gbit/s", "higher", 2),
    ("https_rps_ka_16", "HTTPS req/s, keep-alive, 16 conns", "req/s", "higher", 0),
    ("https_rps_new_16", "HTTPS req/s, new conn each, 16", "req/s", "higher", 0),
    ("https_ttfb_ms", "first byte, fresh HTTPS connection", "ms", "lower", 3),
]
HTTPS_DERIVED = [
    ("https_handshake_ms", "https_ttfb_ms", "handshake_ms", "TLS handshake, fresh connection", "ms", 3),
    ("cpu_https_bulk", "https_bulk", "cpu_s_per_gb", "CPU per GB, HTTPS download", "s", 2),
    ("cpu_https_ka", "https_rps_ka_16", "cpu_us_per_req", "CPU per request, keep-alive", "µs", 1),
    ("cpu_https_new", "https_rps_new_16", "cpu_us_per_req", "CPU per request, new conn", "µs", 1),
    ("nbcpu_https_bulk", "https_bulk", "netbox_cpu_s_per_gb", "netbox's own CPU per GB", "s", 2),
    ("nbcpu_https_ka", "https_rps_ka_16", "netbox_cpu_us_per_req", "netbox's own CPU per request, keep-alive",
     "µs", 1),
    ("nbcpu_https_new", "https_rps_new_16", "netbox_cpu_us_per_req", "netbox's own CPU per request, new conn",
     "µs", 1),
]
HTTPS_PATHS = ["direct", "netbox", "netbox inspect"]
PATHS = ["direct", "netbox", "netbox --log", "bwrap", "firejail", "unshare -Urn", "slirp4netns", "pasta", "tinyproxy"]


def fmt(v, digits):
    if v is None:
        return "—"
    if digits == 0:
        return "{:,.0f}".format(v)
    return "{:.{}f}".format(v, digits)


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    distro = ""
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    mem = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // (1024 * 1024)
    except OSError:
        pass
    return dict(cpu=cpu, cores=os.cpu_count(), mem_gib=mem, kernel=platform.release(), distro=distro)


def aggregate(raw):
    figs = {}
    for fid, label, unit, better, digits in FIGURES + HTTPS_FIGURES:
        per = {}
        for r in raw["results"]:
            if r["figure"] == fid and r["value"] is not None:
                per.setdefault(r["path"], []).append(r)
        if not per:
            continue
        d = dict(label=label, unit=unit, better=better, paths={})
        base = statistics.median(x["value"] for x in per["direct"]) if "direct" in per else None
        for p, rs in per.items():
            med = statistics.median(x["value"] for x in rs)
            e = dict(median=med, n=len(rs), ratio=(med / base) if base else None,
                     values=[x["value"] for x in rs])
            for k in ("netbox_cpu_us_per_req", "netbox_cpu_s_per_gb", "log_connection_records", "requests"):
                vals = [x[k] for x in rs if k in x]
                if vals:
                    e[k] = statistics.median(vals)
            errs = [x["socket_errors"] for x in rs if "socket_errors" in x]
            if errs:
                e["socket_errors"] = errs
            d["paths"][p] = e
        figs[fid] = d
    for fid, src, key, label, unit, digits in CPU_FIGURES + HTTPS_DERIVED:
        per = {}
        for r in raw["results"]:
            if r["figure"] == src and key in r:
                per.setdefault(r["path"], []).append(r[key])
        if not per:
            continue
        base = statistics.median(per["direct"]) if "direct" in per else None
        figs[fid] = dict(label=label, unit=unit, better="lower", paths={
            p: dict(median=statistics.median(v), n=len(v), values=v,
                    ratio=statistics.median(v) / base if base else None) for p, v in per.items()})
    return figs


def cell(figs, fid, path, digits):
    d = figs.get(fid, {}).get("paths", {}).get(path)
    if not d:
        return "—"
    s = fmt(d["median"], digits)
    if path != "direct" and d["ratio"] is not None:
        s += " (%.2f×)" % d["ratio"]
    return s


def rss_fit(rss):
    pts = [(x["conns"], x["hwm_kb"]) for x in rss if x["path"] == "netbox"]
    if len(pts) < 2:
        return None
    n = len(pts)
    mx = sum(p[0] for p in pts) / n
    my = sum(p[1] for p in pts) / n
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    slope = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx
    icpt = my - slope * mx
    resid = max(abs(p[1] - (icpt + slope * p[0])) for p in pts)
    return dict(kib_per_conn=slope, base_kib=icpt, max_residual_kib=resid)


def ratio(figs, fid, path="netbox"):
    return figs.get(fid, {}).get("paths", {}).get(path, {}).get("ratio")


def med(figs, fid, path):
    return figs.get(fid, {}).get("paths", {}).get(path, {}).get("median")


# netbox --log against netbox: the figures both ran, in this order
LOG_ROWS = ["rps_new_16", "rps_new_256", "connect_ms", "ttfb_ms", "dns_first_ms", "dns_cached_ms",
            "rps_ka_16", "rps_ka_256", "http_bulk", "cpu_rps_new_16"]


def attribution(figs):
    """The markdown lines on what --log costs: each figure with and
    without it, the difference, netbox's own CPU per new connection, and
    how many connections the log recorded."""
    rows = []
    for fid in LOG_ROWS:
        a, b = med(figs, fid, "netbox"), med(figs, fid, "netbox --log")
        if a is None or b is None:
            continue
        f = figs[fid]
        digits = next((x[4] for x in FIGURES if x[0] == fid), None)
        if digits is None:
            digits = next(x[5] for x in CPU_FIGURES if x[0] == fid)
        diff = fmt(b - a, digits)
        if not diff.startswith("-"):
            diff = "+" + diff
        if f["unit"] == "ms":
            diff += " ms (%+.0f µs)" % ((b - a) * 1e3)
        else:
            diff += " " + f["unit"]
        rows.append("| %s | %s | %s | %.2f× | %s |" % (f["label"], cell(figs, fid, "netbox", digits),
                                                     cell(figs, fid, "netbox --log", digits), b / a, diff))
    if not rows:
        return []
    out = ["What attribution costs: `netbox --log FILE` (each connect() and each datagram sent with an address "
           "is a seccomp user notification the supervisor answers, each connection a line of the log) against "
           "`netbox` without it, same rounds; in parentheses the ratio to direct:", "",
           "| figure | netbox | netbox --log | --log / netbox | difference |", "|---|---|---|---|---|"] + rows
    extra = []
    nc = [figs.get("rps_new_16", {}).get("paths", {}).get(p, {}).get("netbox_cpu_us_per_req")
          for p in ("netbox", "netbox --log")]
    if None not in nc:
        extra.append("netbox's own CPU per new connection (new conn/16) %.1f µs without --log, %.1f µs with "
                     "(%+.1f µs)" % (nc[0], nc[1], nc[1] - nc[0]))
    d = figs.get("rps_new_16", {}).get("paths", {}).get("netbox --log", {})
    if d.get("log_connection_records") is not None and d.get("requests"):
        extra.append("the log held %s connection records for %s requests in a new conn/16 run (medians)" % (
            fmt(d["log_connection_records"], 0), fmt(d["requests"], 0)))
    if extra:
        out += ["", "; ".join(extra) + "."]
    return out + [""]


def https_table(figs, m):
    """HTTPS: direct TLS, netbox splicing it, netbox inspecting it."""
    rows = [(f[0], f[1], f[2], f[4]) for f in HTTPS_FIGURES] + [(f[0], f[3], f[4], f[5]) for f in HTTPS_DERIVED]
    rows = [r for r in rows if r[0] in figs]
    if not rows:
        return []
    out = ["HTTPS (nginx with a certificate from the run's test CA, TLS 1.2 and 1.3 offered, no session resumption): *direct* "
           "and *netbox* (`--allow server.bench:443`: the SNI checked, the TLS spliced through) with the client "
           "trusting the test CA; *netbox inspect* (`--allow 'GET,HEAD https://server.bench/'`): netbox ends the "
           "program's TLS with its run CA and makes its own verified connection to nginx (SSL_CERT_FILE=the test "
           "CA).  Download of %s with Python's ssl (16 KiB TLS reads: the client is the limit on every path, so "
           "the CPU per GB is the figure to compare); req/s: wrk, 2 threads, 16 connections, %s; first byte: curl, "
           "%d fresh connections per round.  In parentheses the ratio to direct:" % (
               "1 GiB" if m["params"]["http_file"] == "1g" else "256 MiB", m["params"]["wrk_d"],
               m["params"]["ttfb_n"]), "",
           "| figure | unit | " + " | ".join(HTTPS_PATHS) + " |", "|---|---|" + "---|" * len(HTTPS_PATHS)]
    for fid, label, unit, digits in rows:
        out.append("| %s | %s | " % (label, unit) + " | ".join(cell(figs, fid, p, digits) for p in HTTPS_PATHS) + " |")
    return out + [""]


def targets(figs, rss, rules, fit):
    t = []

    def yes(ok):
        return "—" if ok is None else ("**met**" if ok else "**missed**")

    nb, bw = med(figs, "startup_true", "netbox"), med(figs, "startup_true", "bwrap")
    t.append(("startup `true` ≤ bubblewrap's, proxy ready",
              "netbox %s ms, bwrap %s ms" % (fmt(nb, 2), fmt(bw, 2)),
              yes(None if nb is None or bw is None else nb <= bw)))
    rs = [ratio(figs, f) for f in ("iperf_up", "iperf_down", "http_bulk")]
    t.append(("bulk ≥ 0.90× direct, both directions",
              "up %s, down %s, HTTP %s" % tuple(fmt(x, 2) + "×" if x else "—" for x in rs),
              yes(None if None in rs else min(rs) >= 0.90)))
    rs = [ratio(figs, f) for f in ("rps_ka_16", "rps_ka_256")]
    t.append(("req/s keep-alive ≥ 0.95× direct", "16: %s, 256: %s" % tuple(fmt(x, 2) + "×" if x else "—" for x in rs),
              yes(None if None in rs else min(rs) >= 0.95)))
    rs = [ratio(figs, f) for f in ("rps_new_16", "rps_new_256")]
    t.append(("req/s new connection each ≥ 0.80× direct",
              "16: %s, 256: %s" % tuple(fmt(x, 2) + "×" if x else "—" for x in rs),
              yes(None if None in rs else min(rs) >= 0.80)))
    r = ratio(figs, "ttfb_ms")
    t.append(("first byte, fresh connection ≤ 1.15× direct",
              "%s× (%s ms vs %s ms)" % (fmt(r, 2), fmt(med(figs, "ttfb_ms", "netbox"), 3),
                                       fmt(med(figs, "ttfb_ms", "direct"), 3)) if r else "—",
              yes(None if r is None else r <= 1.15)))
    at1k = [x for x in rss if x["path"] == "netbox" and x["conns"] == 1000]
    if at1k:
        mib = at1k[0]["hwm_kb"] / 1024
        lin = ""
        if fit:
            lin = "; %.2f KiB per connection over %.1f MiB (least squares, worst residual %.0f KiB)" % (
                fit["kib_per_conn"], fit["base_kib"] / 1024, fit["max_residual_kib"])
        t.append(("netbox RSS ≤ 8 MiB at 1,000 connections, linear", "%.1f MiB%s" % (mib, lin), yes(mib <= 8)))
    setup = {x["rules"]: x["value"] for x in rules if x["what"] == "setup_ms"}
    tt = {}
    for x in rules:
        if x["what"] == "ttfb_ms":
            tt.setdefault(x["rules"], []).append(x["value"])
    tt = {k: statistics.median(v) for k, v in tt.items()}
    if setup:
        # "flat": within 25 % or 1 ms for setup, within 15 % for the decision
        t.append(("setup time flat, 1 → 10,000 rules",
                  "%s ms (1 / 100 / 10,000 rules)" % " / ".join(fmt(setup.get(n), 2) for n in (1, 100, 10000)),
                  yes(None if 1 not in setup or 10000 not in setup else
                      setup[10000] <= max(setup[1] * 1.25, setup[1] + 1.0))))
    if tt:
        t.append(("per-connection decision flat, 1 → 10,000 rules",
                  "first byte %s ms (1 / 100 / 10,000 rules)" % " / ".join(fmt(tt.get(n), 3) for n in (1, 100, 10000)),
                  yes(None if 1 not in tt or 10000 not in tt else tt[10000] <= tt[1] * 1.15)))
    return t


def markdown(raw, figs, mach, fit, tgts):
    m = raw["meta"]
    main = set(f[0] for f in FIGURES) | set(f[0] for f in CPU_FIGURES)
    paths = [p for p in PATHS if any(p in f["paths"] for fid, f in figs.items() if fid in main)]
    out = []
    out.append("Measured %s on %s (%d cores, %d GiB), %s, Linux %s; load average %s at the start, %s at the end "
               "(the machine is shared: other jobs ran beside the benchmark)%s." % (
                   m["started"], mach["cpu"], mach["cores"], mach["mem_gib"], mach["distro"], mach["kernel"],
                   " ".join(m["loadavg_start"]), " ".join(m["loadavg_end"]),
                   "; **quick mode**: one round, short runs, not for comparison" if m["quick"] else ""))
    out.append("")
    out.append("Medians of %d interleaved rounds (startup: of %d runs of `true`, %d of `node -e 0`); "
               "in parentheses the ratio to *direct* (no sandbox) of the same run.  Every client runs in the "
               "lab's client namespace as an unprivileged user; the servers (nginx, iperf3, dnsmasq) in "
               "a second namespace behind a veth pair.  Bulk: iperf3 for %d s each way, one HTTP download of %s with 1 MiB reads; \
req/s: wrk, 2 threads, %s per run, a 1 KiB file; first byte: curl, %d fresh connections per round." % (
                   m["params"]["rounds"], m["params"]["startup_true"], m["params"]["startup_node"],
                   m["params"]["iperf_t"], "1 GiB" if m["params"]["http_file"] == "1g" else "256 MiB",
                   m["params"]["wrk_d"], m["params"]["ttfb_n"]))
    out.append("")
    out.append("| figure | unit | " + " | ".join(paths) + " |")
    out.append("|---|---|" + "---|" * len(paths))
    rows = [(f[0], f[1], f[2], f[4]) for f in FIGURES] + [(f[0], f[3], f[4], f[5]) for f in CPU_FIGURES]
    for fid, label, unit, digits in rows:
        if fid not in figs:
            continue
        out.append("| %s | %s | " % (label, unit) + " | ".join(cell(figs, fid, p, digits) for p in paths) + " |")
    out.append("")
    out.append("CPU rows: CPU time of the whole run (client, servers, and the sandbox or proxy between them, "
               "from /proc) per request or per GB; the two cores are shared by all of them, so a path's "
               "throughput ratio follows the inverse of its CPU ratio.")
    out.append("")
    out += attribution(figs)
    out += https_table(figs, m)
    out.append("netbox against its targets (issue 5; ratios to direct):")
    out.append("")
    out.append("| target | measured | |")
    out.append("|---|---|---|")
    for a, b, c in tgts:
        out.append("| %s | %s | %s |" % (a, b, c))
    out.append("")
    cpu = []
    for fid in ("rps_ka_16", "rps_ka_256", "rps_new_16", "rps_new_256"):
        v = figs.get(fid, {}).get("paths", {}).get("netbox", {}).get("netbox_cpu_us_per_req")
        if v is not None:
            cpu.append("%s %.1f µs" % (fid.replace("rps_", "").replace("_", "/"), v))
    gb = [figs.get(f, {}).get("paths", {}).get("netbox", {}).get("netbox_cpu_s_per_gb")
          for f in ("iperf_up", "iperf_down", "http_bulk")]
    if cpu or any(gb):
        out.append("CPU time of netbox itself (its process and its supervisor, which runs the proxy): per HTTP request %s; per GB relayed %s." % (
            ", ".join(cpu) or "—",
            ", ".join("%s %.2f s" % (n, v) for n, v in zip(("up", "down", "HTTP"), gb) if v is not None) or "—"))
        out.append("")
    extra = [(p, d) for p, d in figs.get("startup_true", {}).get("paths", {}).items() if p.startswith("netbox ")]
    if extra:
        out.append("Where netbox's startup goes (`true`, same interleaved runs):")
        out.append("")
        out.append("| netbox | startup |")
        out.append("|---|---|")
        out.append("| as in the table (`--allow %s`) | %s ms |" % (
            "server.bench", fmt(med(figs, "startup_true", "netbox"), 2)))
        for p, d in sorted(extra):
            out.append("| `%s` | %s ms |" % (p, fmt(d["median"], 2)))
        out.append("")
    if raw["rss"]:
        out.append("Memory with idle connections (VmHWM, peak resident set of the proxy process; netbox: "
                   "its supervisor, outside the sandbox):")
        out.append("")
        out.append("| connections | process | peak RSS |")
        out.append("|---|---|---|")
        for x in raw["rss"]:
            n = "{:,}".format(x["conns"])
            if x["conns"] != x["asked"]:
                n += " (of {:,} asked: fd limit)".format(x["asked"])
            out.append("| %s | %s | %.1f MiB |" % (n, x["path"], x["hwm_kb"] / 1024))
        if fit:
            out.append("")
            out.append("netbox: %.1f MiB + %.2f KiB per connection (least-squares fit)." % (
                fit["base_kib"] / 1024, fit["kib_per_conn"]))
        out.append("")
    if raw["rules"]:
        out.append("Rules (netbox with a profile of N `allow` rules, the one that matches last):")
        out.append("")
        out.append("| rules | setup: `netbox ... true` | first byte, fresh connection |")
        out.append("|---|---|---|")
        setup = {x["rules"]: x["value"] for x in raw["rules"] if x["what"] == "setup_ms"}
        tt = {}
        for x in raw["rules"]:
            if x["what"] == "ttfb_ms":
                tt.setdefault(x["rules"], []).append(x["value"])
        for n in sorted(set(setup) | set(tt)):
            out.append("| {:,} | {} ms | {} ms |".format(
                n, fmt(setup.get(n), 2), fmt(statistics.median(tt[n]) if n in tt else None, 3)))
        out.append("")
    if raw["notes"]:
        out.append("Notes from this run:")
        out.append("")
        for n in raw["notes"]:
            out.append("- " + n)
        out.append("")
    out.append("Reproduce: `sudo bench/install-deps && sudo bench/run` (about %d s here; `bench/run --quick` "
               "for a smoke run under a minute)." % round(m["seconds"]))
    return "\n".join(out) + "\n"


def main():
    raw = json.load(open(sys.argv[1]))
    mach = machine()
    figs = aggregate(raw)
    fit = rss_fit(raw["rss"])
    tgts = targets(figs, raw["rss"], raw["rules"], fit)
    md = markdown(raw, figs, mach, fit, tgts)
    with open(sys.argv[2], "w") as f:
        f.write(md)
    with open(sys.argv[3], "w") as f:
        json.dump(dict(meta=raw["meta"], machine=mach, figures=figs, targets=[dict(target=a, measured=b, verdict=c.strip("*"))
                                                                              for a, b, c in tgts],
                       rss=raw["rss"], rss_fit=fit, rules=raw["rules"], notes=raw["notes"],
                       generated=time.strftime("%Y-%m-%dT%H:%M:%S%z")), f, indent=1)
        f.write("\n")
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
