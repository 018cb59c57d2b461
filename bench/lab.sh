# bench/lab.sh — the benchmark's lab: two network namespaces joined by a veth
# pair, sourced by bench/run (bash, root).  Same shape as the tests' lab
# (tests/lab/lab.sh), with fast servers instead of test servers:
#
#   CLI ns ($BL_CLI)  veth 198.51.100.1/24, lo up, default route via the veth;
#                     /etc/netns/$BL_CLI/{resolv.conf,hosts,nsswitch.conf}:
#                     the lab's DNS is the system resolver.  Every client runs
#                     here (bl_cli CMD...), netbox and the peers too; the
#                     forward proxy (tinyproxy, 127.0.0.1:8888) as well.
#   SRV ns ($BL_SRV)  veth 198.51.100.2/24, lo up, no route anywhere else.
#                     nginx :80 (/1k: 1 KiB, /100k: 100 KiB, /1g and /256m:
#                     sparse files, sendfile) and :443 (the same files over
#                     TLS, a certificate for server.bench from the run's test
#                     CA, $BL_WORK/tls/ca.pem; no session resumption, so each
#                     connection is a full handshake), iperf3 -s :5201, dnsmasq :53
#                     (server.bench and d1..d400.bench -> 198.51.100.2, no
#                     AAAA; every other name NXDOMAIN), and an idle-connection
#                     holder on :9000 (bench/idle.py serve).
#   Addresses are TEST-NET-2 (198.51.100.0/24, documentation space): nothing
#   here can reach any other network, and no traffic leaves these namespaces
#   (and the sandboxes that netbox and the peers make inside CLI).
#
# Functions:
#   bl_up            build it (needs $BL_WORK: a 0755 directory, and $BL_USER:
#                    the unprivileged user the clients run as); loud on error.
#   bl_down          kill every lab process (its pids and whatever runs in its
#                    namespaces), delete the namespaces, the veth and the
#                    /etc/netns dirs.  Idempotent; bench/run calls it from its
#                    EXIT trap.
#   bl_cli CMD...    run CMD in CLI as root;  bl_cli_user CMD...  as $BL_USER
#   bl_srv CMD...    run CMD in SRV as root
# shellcheck shell=bash

BL_SRV_IP=198.51.100.2
BL_CLI_IP=198.51.100.1
BL_NAME=server.bench
BL_UP=0
BL_PIDS=()
_BL_LOCK=/run/netbox-lab.lock # the tests' lab uses it for /etc/netns too

bl_cli() { ip netns exec "$BL_CLI" "$@"; }
bl_srv() { ip netns exec "$BL_SRV" "$@"; }
bl_cli_user() {
	ip netns exec "$BL_CLI" setpriv --reuid="$BL_UID" --regid="$BL_GID" --clear-groups \
		--inh-caps=-all env HOME=/nonexistent USER="$BL_USER" LOGNAME="$BL_USER" "$@"
}

_bl_etc_netns() { # NS
	local e=/etc/netns/$1
	flock -w 10 "$_BL_LOCK" mkdir -p "$e" || return 1
	printf 'nameserver %s\n' "$BL_SRV_IP" >"$e/resolv.conf"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$e/hosts"
	if [ -f /etc/nsswitch.conf ]; then
		sed 's/^hosts:.*/hosts:          files dns/' /etc/nsswitch.conf >"$e/nsswitch.conf"
	fi
}

_bl_start() { # LOGNAME NS CMD...: a server in the background, its pid kept
	local log=$BL_WORK/$1.log ns=$2
	shift 2
	ip netns exec "$ns" "$@" </dev/null >>"$log" 2>&1 &
	BL_PIDS+=("$!")
	disown "$!" 2>/dev/null || true
}

_bl_nginx_conf() {
	cat >"$BL_WORK/nginx.conf" <<-EOF
		# nginx for the benchmark (bench/lab.sh): one worker, as little
		# logging as nginx allows, keep-alive without limits.
		worker_processes 1;
		worker_rlimit_nofile $(ulimit -Hn);
		daemon off;
		master_process on;
		pid $BL_WORK/nginx.pid;
		error_log $BL_WORK/nginx-error.log crit;
		events { worker_connections $(( $(ulimit -Hn) - 100 )); multi_accept on; }
		http {
		    access_log off;
		    sendfile on;
		    tcp_nopush on;
		    tcp_nodelay on;
		    keepalive_requests 100000000;
		    keepalive_timeout 300s;
		    client_header_timeout 600s;
		    client_body_temp_path $BL_WORK/ngx-tmp;
		    proxy_temp_path $BL_WORK/ngx-tmp;
		    fastcgi_temp_path $BL_WORK/ngx-tmp;
		    uwsgi_temp_path $BL_WORK/ngx-tmp;
		    scgi_temp_path $BL_WORK/ngx-tmp;
		    types { application/octet-stream bin; text/plain txt; }
		    default_type application/octet-stream;
		    server {
		        listen $BL_SRV_IP:80 backlog=4096 reuseport;
		        server_name _;
		        root $BL_WORK/www;
		    }
		    server {
		        listen $BL_SRV_IP:443 ssl backlog=4096 reuseport;
		        server_name _;
		        root $BL_WORK/www;
		        ssl_certificate $BL_WORK/tls/server.pem;
		        ssl_certificate_key $BL_WORK/tls/server.key;
		        ssl_protocols TLSv1.2 TLSv1.3;
		        ssl_session_cache off;
		        ssl_session_tickets off;
		    }
		}
	EOF
}

# The run's test CA and a certificate for $BL_NAME signed by it (ECDSA P-256,
# valid two days): clients trust the CA by name (curl --cacert), netbox
# through SSL_CERT_FILE for its own upstream connections.  The keys stay
# root's; the CA certificate is readable by the bench user.
_bl_tls() {
	local d=$BL_WORK/tls
	mkdir -p "$d" || return 1
	if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout "$d/ca.key" -out "$d/ca.pem" -subj "/CN=netbox bench test CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		>"$d/openssl.log" 2>&1 ||
		! openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=$BL_NAME" >>"$d/openssl.log" 2>&1 ||
		! printf 'subjectAltName=DNS:%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
			"$BL_NAME" >"$d/server.ext" ||
		! openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
			-days 2 -extfile "$d/server.ext" -out "$d/server.pem" >>"$d/openssl.log" 2>&1; then
		echo "bench: could not make the test CA:" >&2
		cat "$d/openssl.log" >&2
		return 1
	fi
	chmod 0755 "$d" && chmod 0644 "$d/ca.pem" && chmod 0600 "$d/ca.key" "$d/server.key"
}

bl_up() {
	local i
	BL_ID=$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	BL_SRV=nbbench-$BL_ID-srv
	BL_CLI=nbbench-$BL_ID-cli
	BL_VS=nbs${BL_ID#*-}
	BL_VC=nbc${BL_ID#*-}
	BL_UP=1
	BL_UID=$(id -u "$BL_USER") BL_GID=$(id -g "$BL_USER")
	mkdir -p "$BL_WORK/www" "$BL_WORK/ngx-tmp"
	head -c 1024 /dev/urandom >"$BL_WORK/www/1k"
	head -c 102400 /dev/urandom >"$BL_WORK/www/100k"
	truncate -s 1G "$BL_WORK/www/1g"
	truncate -s 256M "$BL_WORK/www/256m"
	{
		printf '%s %s\n' "$BL_SRV_IP" "$BL_NAME"
		for i in $(seq 1 400); do printf '%s d%d.bench\n' "$BL_SRV_IP" "$i"; done
	} >"$BL_WORK/hosts"
	# sparse files: page cache of zero pages, made now rather than during
	# the first download (which would pay for it alone)
	cat "$BL_WORK/www/1g" "$BL_WORK/www/256m" >/dev/null
	chmod -R a+rX "$BL_WORK"
	_bl_tls || return 1
	_bl_nginx_conf

	flock -w 10 "$_BL_LOCK" ip netns add "$BL_SRV" &&
		flock -w 10 "$_BL_LOCK" ip netns add "$BL_CLI" &&
		_bl_etc_netns "$BL_SRV" && _bl_etc_netns "$BL_CLI" || return 1
	ip -n "$BL_CLI" link add "$BL_VC" type veth peer name "$BL_VS" netns "$BL_SRV" || return 1
	ip -n "$BL_SRV" -batch - <<-EOF || return 1
		link set lo up
		link set $BL_VS up
		addr add $BL_SRV_IP/24 dev $BL_VS
	EOF
	ip -n "$BL_CLI" -batch - <<-EOF || return 1
		link set lo up
		link set $BL_VC up
		addr add $BL_CLI_IP/24 dev $BL_VC
		route add default via $BL_SRV_IP
	EOF
	for ns in "$BL_SRV" "$BL_CLI"; do
		# many short connections per second from few addresses
		ip netns exec "$ns" sysctl -q -w net.ipv4.ip_local_port_range="1024 65000" \
			net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=8192 \
			net.ipv4.tcp_max_syn_backlog=8192 >/dev/null || return 1
	done

	_bl_start nginx "$BL_SRV" nginx -c "$BL_WORK/nginx.conf" -p "$BL_WORK"
	_bl_start iperf3 "$BL_SRV" iperf3 -s -B "$BL_SRV_IP" -p 5201
	_bl_start dnsmasq "$BL_SRV" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
		--addn-hosts="$BL_WORK/hosts" --local=/bench/ --listen-address="$BL_SRV_IP" \
		--bind-interfaces --user=root --group=root --cache-size=1000
	_bl_start idle "$BL_SRV" python3 -I -B "$BL_DIR/idle.py" serve \
		--addr "$BL_SRV_IP" --port 9000
	# the forward proxy peer: tinyproxy with a host filter, in CLI
	cat >"$BL_WORK/tinyproxy.conf" <<-EOF
		Port 8888
		Listen 127.0.0.1
		Timeout 600
		MaxClients 1024
		LogLevel Critical
		LogFile "$BL_WORK/tinyproxy.log"
		PidFile "$BL_WORK/tinyproxy.pid"
		Filter "$BL_WORK/tinyproxy.filter"
		FilterDefaultDeny Yes
		FilterExtended On
		DisableViaHeader Yes
		ConnectPort 443
	EOF
	printf '^server\\.bench$\n' >"$BL_WORK/tinyproxy.filter"
	chmod a+r "$BL_WORK/tinyproxy.conf" "$BL_WORK/tinyproxy.filter"
	chown "$BL_USER" "$BL_WORK"
	if command -v tinyproxy >/dev/null; then
		ip netns exec "$BL_CLI" setpriv --reuid="$BL_UID" --regid="$BL_GID" --clear-groups \
			tinyproxy -d -c "$BL_WORK/tinyproxy.conf" </dev/null >>"$BL_WORK/tinyproxy.out" 2>&1 &
		BL_PIDS+=("$!")
		disown "$!" 2>/dev/null || true
	fi

	# ready: every server answers from CLI
	for i in $(seq 1 100); do
		if bl_cli curl -sf -o /dev/null "http://$BL_NAME/1k" &&
			bl_cli curl -sf -o /dev/null --cacert "$BL_WORK/tls/ca.pem" "https://$BL_NAME/1k" &&
			bl_cli python3 -I -B "$BL_DIR/dnstime.py" --server "$BL_SRV_IP" --name "$BL_NAME" --count 1 >/dev/null 2>&1 &&
			bl_cli bash -c "exec 3<>/dev/tcp/$BL_SRV_IP/5201 && exec 4<>/dev/tcp/$BL_SRV_IP/9000" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "bench: the lab's servers do not answer; logs in $BL_WORK:" >&2
	tail -n 5 "$BL_WORK"/*.log >&2 2>/dev/null || true
	return 1
}

bl_down() {
	[ "${BL_UP:-0}" = 1 ] || return 0
	BL_UP=0
	local pid ns i pids=(${BL_PIDS[@]+"${BL_PIDS[@]}"})
	for ns in "$BL_SRV" "$BL_CLI"; do
		if [ -e "/run/netns/$ns" ]; then
			for pid in $(ip netns pids "$ns" 2>/dev/null); do pids+=("$pid"); done
		fi
	done
	for pid in ${pids[@]+"${pids[@]}"}; do
		if [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ]; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	for ((i = 0; i < 100; i++)); do
		local alive=0
		for pid in ${pids[@]+"${pids[@]}"}; do
			[ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && alive=1
		done
		[ "$alive" = 1 ] || break
		sleep 0.02
	done
	ip -n "$BL_CLI" link del "$BL_VC" 2>/dev/null || true
	for ns in "$BL_SRV" "$BL_CLI"; do
		if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
		rm -rf "/etc/netns/$ns"
	done
	flock -w 10 "$_BL_LOCK" rmdir /etc/netns 2>/dev/null || true
	BL_PIDS=()
}

# Remove labs of dead (SIGKILLed) bench runs: their names carry the run's pid.
bl_gc() {
	local f ns pid p
	for f in /run/netns/nbbench-* /etc/netns/nbbench-*; do
		[ -e "$f" ] || continue
		ns=${f##*/}
		pid=${ns#nbbench-}
		pid=${pid%%-*}
		case $pid in '' | *[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null && continue
		if [ -e "/run/netns/$ns" ]; then
			for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
			ip netns del "$ns" 2>/dev/null || true
		fi
		rm -rf "/etc/netns/$ns"
	done
}
