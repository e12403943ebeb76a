#!/bin/sh
# Serve a world of gen_world.py inside network namespace $NS (default acbench):
# NSD authoritative for every zone on 127.0.0.1:5300, the delay proxy on
# 127.0.0.1:53 in front of it (DELAY_MS per query, default 20), and
# /etc/netns/$NS/resolv.conf naming the proxy, so that a program run with
# `ip netns exec $NS ...` resolves through it.
#
#   sh tests/bench/ns_up.sh WORLD_DIR DELAYPROXY      (root; DELAYPROXY: make bench-tools)
#
# Everything it writes goes into WORLD_DIR (nsd-server.conf, nsd.pid, proxy.pid,
# count, the logs) except /etc/netns/$NS.  It refuses a namespace that exists
# already: ns_down.sh deletes the namespace, and another run may own it.
# Exit 0 when NSD and the proxy are running; 1 otherwise (ns_down.sh undoes
# whatever part was set up).

[ $# -eq 2 ] || { echo "usage: sh ns_up.sh WORLD_DIR DELAYPROXY" >&2; exit 2; }
W=$(cd "$1" && pwd) || exit 1
PROXY=$2
NS=${NS:-acbench}
DELAY_MS=${DELAY_MS:-20}
[ -x "$PROXY" ] || { echo "ns_up: $PROXY is not a program (make bench-tools)" >&2; exit 1; }
[ -d "$W/zones" ] || { echo "ns_up: no $W/zones (gen_world.py)" >&2; exit 1; }

# wait_for FILE: up to 5 s for a daemon's pid file.
wait_for() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.05
	done
}

if ip netns list | grep -q -E "^$NS( |\$)"; then
	echo "ns_up: network namespace $NS exists already" >&2
	exit 1
fi
ip netns add "$NS" || exit 1
echo "$NS" >"$W/netns"		# ns_down.sh deletes only a namespace made here
ip netns exec "$NS" ip link set lo up || exit 1
mkdir -p "/etc/netns/$NS" &&
    echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf" || exit 1

# NSD: no chroot, no privilege drop, no database, every file in the world.
{
	printf 'server:\n'
	printf '\tip-address: 127.0.0.1@5300\n'
	printf '\tusername: ""\n\tchroot: ""\n\tdatabase: ""\n'
	printf '\tzonesdir: "%s/zones"\n' "$W"
	printf '\tzonelistfile: "%s/zone.list"\n\txfrdfile: "%s/xfrd.state"\n' "$W" "$W"
	printf '\txfrdir: "%s"\n\tpidfile: "%s/nsd.pid"\n\tlogfile: "%s/nsd.log"\n' \
	    "$W" "$W" "$W"
	printf '\tserver-count: 1\n\trrl-ratelimit: 0\n\thide-version: yes\n\tverbosity: 1\n'
	printf 'remote-control:\n\tcontrol-enable: no\n'
	nzones=0
	for f in "$W"/zones/*.zone; do
		# shellcheck disable=SC2016 # a literal $ORIGIN
		origin=$(sed -n 's/^\$ORIGIN[[:space:]]*\([^[:space:]]*\).*/\1/p' "$f" | head -n 1)
		[ -n "$origin" ] || { echo "ns_up: no \$ORIGIN in $f" >&2; exit 1; }
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$origin" "$f"
		nzones=$((nzones + 1))
	done
} >"$W/nsd-server.conf" || exit 1
rm -f "$W/nsd.pid" "$W/proxy.pid"
ip netns exec "$NS" nsd -c "$W/nsd-server.conf" || exit 1
wait_for "$W/nsd.pid" || { echo "ns_up: NSD did not start (see $W/nsd.log)" >&2; exit 1; }
# NSD writes its pid file before it has read every zone: ask it (directly, so
# the proxy's count starts at 0) for the root SOA until it answers, up to 10 s.
ip netns exec "$NS" python3 -c '
import socket, struct, sys, time
q = struct.pack("!6H", 0xAC01, 0, 1, 0, 0, 0) + b"\0" + struct.pack("!2H", 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
end = time.monotonic() + 10
while time.monotonic() < end:
    try:
        s.sendto(q, ("127.0.0.1", 5300))
        a = s.recv(512)
        if a[:2] == q[:2] and a[3] & 15 == 0:
            sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)' || { echo "ns_up: NSD does not answer (see $W/nsd.log)" >&2; exit 1; }

# The proxy writes proxy.pid once its sockets are bound: then it answers.
ip netns exec "$NS" "$PROXY" -l 53 -u 5300 -d "$DELAY_MS" -c "$W/count" \
    -p "$W/proxy.pid" </dev/null >"$W/proxy.log" 2>&1 &
wait_for "$W/proxy.pid" || { echo "ns_up: the delay proxy did not start" >&2; exit 1; }
echo "ns_up: $NS serves $nzones zones behind ${DELAY_MS} ms"
