-- bench/wrk-proxy.lua — make wrk talk to a forward HTTP proxy (tinyproxy):
-- wrk connects to the proxy's URL, and each request names the real target in
-- absolute form, as curl -x does.  The target comes from the environment:
-- BENCH_PROXY_TARGET=http://server.bench/1k
local target = os.getenv("BENCH_PROXY_TARGET") or "http://server.bench/1k"
local host = target:match("^https?://([^/]+)")
wrk.path = target
wrk.headers["Host"] = host
