#!/bin/sh
# Undo ns_up.sh: stop the delay proxy and NSD it started (by their pid files
# in WORLD_DIR, nothing else), then delete the namespace and its
# /etc/netns directory if ns_up.sh made them (WORLD_DIR/netns names it).
#
#   sh tests/bench/ns_down.sh WORLD_DIR       (root)

[ $# -eq 1 ] || { echo "usage: sh ns_down.sh WORLD_DIR" >&2; exit 2; }
W=$1

# stop PIDFILE: TERM the process it names, wait up to 5 s for it to go.
stop() {
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	kill "$pid" 2>/dev/null || return 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	rm -f "$1"
}

stop "$W/proxy.pid"
stop "$W/nsd.pid"
NS=$(cat "$W/netns" 2>/dev/null)
case $NS in
'' | */* | .*) ;;
*)
	ip netns del "$NS" 2>/dev/null
	rm -rf "/etc/netns/$NS"
	rm -f "$W/netns" ;;
esac
exit 0
