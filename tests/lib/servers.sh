# servers.sh -- start and stop the DNS servers the tests talk to, on
# 127.0.0.1 only, on free high ports.
#
# Two ways to use it:
#
#  1. Sourced by a test script (functions only):
#       . tests/lib/servers.sh
#       dir=$(srv_dir) ; trap 'srv_stop "$dir"' EXIT INT TERM
#       port=$(srv_nsd "$dir" live.test=tests/zones/live.test.zone) || exit 1
#       tport=$(srv_testns "$dir" tests/dns/truncated.rpl) || exit 1
#
#  2. Run as a command (what the C tests do through popen()):
#       sh tests/lib/servers.sh nsd    DIR OWNER_PID ORIGIN=ZONEFILE...
#       sh tests/lib/servers.sh testns DIR OWNER_PID SCRIPT
#       sh tests/lib/servers.sh stop   DIR
#     nsd/testns print the port.  OWNER_PID (0 for none) is watched: when
#     that process dies -- a crashed test never reaches its teardown -- the
#     servers started for it are stopped and DIR is removed.
#
# Every server's pid goes into DIR/*.pid; srv_stop kills exactly those.
# ldns-testns cannot be told an address and binds 0.0.0.0, so it runs with
# a small LD_PRELOAD shim (built once into DIR) that turns a wildcard
# bind() into a loopback one.

# A fresh private directory for one test's servers.
srv_dir() {
	mktemp -d "${TMPDIR:-/tmp}/authcheck-srv.XXXXXX"
}

# A random port in 20000-60999 that nothing listens on (UDP or TCP).
srv_port() {
	_n=0
	while [ $_n -lt 50 ]; do
		_p=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		_p=$((20000 + _p % 41000))
		if ! ss -Htuln 2>/dev/null | awk '{print $5}' | grep -q ":$_p\$"; then
			echo "$_p"
			return 0
		fi
		_n=$((_n + 1))
	done
	return 1
}

# Wait (at most 5 s) until a server on $1 answers NAME $2 with NOERROR.
srv_wait_answer() {
	_n=0
	while [ $_n -lt 50 ]; do
		# drill retries a silent port for 15 s: bound each try.
		if timeout 1 drill -p "$1" @127.0.0.1 "$2" SOA 2>/dev/null |
		    grep -q 'rcode: NOERROR'; then
			return 0
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

# srv_nsd DIR ORIGIN=ZONEFILE... -- NSD serving the zones; prints the port.
srv_nsd() {
	_d=$1; shift
	_first=
	_try=0
	while [ $_try -lt 5 ]; do
		_try=$((_try + 1))
		_port=$(srv_port) || return 1
		_conf=$_d/nsd.conf
		cat >"$_conf" <<EOF
server:
	ip-address: 127.0.0.1@$_port
	server-count: 1
	# response rate limiting (compiled into Debian's NSD, 200/s per /24 by
	# default) would drop answers to the loopback client of a fast test
	rrl-ratelimit: 0
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$_d"
	xfrdir: "$_d"
	zonelistfile: "$_d/zone.list"
	xfrdfile: "$_d/xfrd.state"
	pidfile: "$_d/nsd.daemon.pid"
	logfile: "$_d/nsd.log"
	do-ip6: no
	verbosity: 1
	hide-version: yes
remote-control:
	control-enable: no
EOF
		for _z in "$@"; do
			_origin=${_z%%=*}
			_file=${_z#*=}
			case $_file in /*) ;; *) _file=$(pwd)/$_file ;; esac
			[ -n "$_first" ] || _first=$_origin
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' \
			    "$_origin" "$_file" >>"$_conf"
		done
		nsd -d -c "$_conf" >>"$_d/nsd.out" 2>&1 &
		echo $! >"$_d/nsd.pid"
		if srv_wait_answer "$_port" "$_first"; then
			echo "$_port"
			return 0
		fi
		# Port taken meanwhile, or a bad zone: show why, try again.
		kill "$(cat "$_d/nsd.pid")" 2>/dev/null
		wait "$(cat "$_d/nsd.pid")" 2>/dev/null
		rm -f "$_d/nsd.pid"
		tail -n 5 "$_d/nsd.out" "$_d/nsd.log" >&2 2>/dev/null
	done
	return 1
}

# Build the bind()-to-loopback shim for ldns-testns.
srv_shim() {
	[ -f "$1/bindlo.so" ] && return 0
	cat >"$1/bindlo.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	static int (*real)(int, const struct sockaddr *, socklen_t);
	struct sockaddr_storage ss;

	if (real == NULL)
		real = (int (*)(int, const struct sockaddr *, socklen_t))
		    dlsym(RTLD_NEXT, "bind");
	if (sa != NULL && len <= sizeof(ss)) {
		memcpy(&ss, sa, len);
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s = (struct sockaddr_in *)&ss;
			if (s->sin_addr.s_addr == htonl(INADDR_ANY))
				s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
			if (IN6_IS_ADDR_UNSPECIFIED(&s->sin6_addr))
				s->sin6_addr = in6addr_loopback;
		}
		return real(fd, (struct sockaddr *)&ss, len);
	}
	return real(fd, sa, len);
}
EOF
	${CC:-cc} -shared -fPIC -O2 -o "$1/bindlo.so" "$1/bindlo.c" -ldl
}

# srv_testns DIR SCRIPT [FORKS] -- ldns-testns answering from SCRIPT;
# prints the port.  FORKS extra processes share the socket, so an entry that
# sleeps (ADJUST sleep=N) does not hold up the others.  Several may run in
# one DIR (testns.1.pid, testns.2.pid, ...).
srv_testns() {
	_d=$1
	_script=$2
	_forks=${3:-0}
	srv_shim "$_d" || return 1
	_i=1
	while [ -e "$_d/testns.$_i.pid" ]; do _i=$((_i + 1)); done
	_log=$_d/testns.$_i.log
	if [ "$_forks" -gt 0 ]; then
		LD_PRELOAD=$_d/bindlo.so ldns-testns -r -f "$_forks" "$_script" >"$_log" 2>&1 &
	else
		LD_PRELOAD=$_d/bindlo.so ldns-testns -r "$_script" >"$_log" 2>&1 &
	fi
	echo $! >"$_d/testns.$_i.pid"
	_n=0
	while [ $_n -lt 50 ]; do
		_port=$(sed -n 's/^Listening on port \([0-9]*\).*/\1/p' "$_log")
		if [ -n "$_port" ]; then
			echo "$_port"
			return 0
		fi
		kill -0 "$(cat "$_d/testns.$_i.pid")" 2>/dev/null || break
		sleep 0.1
		_n=$((_n + 1))
	done
	cat "$_log" >&2
	return 1
}

# srv_stop DIR -- stop every server started in DIR and remove it.
srv_stop() {
	[ -n "$1" ] && [ -d "$1" ] || return 0
	for _f in "$1"/*.pid; do
		[ -f "$_f" ] || continue
		case $_f in *nsd.daemon.pid) continue ;; esac
		_pid=$(cat "$_f")
		# ldns-testns -f: the extra instances are its children.
		[ -n "$_pid" ] && pkill -P "$_pid" 2>/dev/null
		[ -n "$_pid" ] && kill "$_pid" 2>/dev/null
	done
	# Give NSD a moment to exit cleanly before its files go.
	_n=0
	for _f in "$1"/*.pid; do
		[ -f "$_f" ] || continue
		case $_f in *nsd.daemon.pid) continue ;; esac
		_pid=$(cat "$_f")
		while [ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null && [ $_n -lt 20 ]; do
			sleep 0.1
			_n=$((_n + 1))
		done
		[ -n "$_pid" ] && kill -9 "$_pid" 2>/dev/null
	done
	rm -rf "$1"
}

# Stop DIR's servers once process $2 is gone.
srv_watch() {
	[ "$2" -gt 0 ] 2>/dev/null || return 0
	[ -f "$1/watch.pidw" ] && return 0
	(
		trap '' HUP
		while kill -0 "$2" 2>/dev/null && [ -d "$1" ]; do
			sleep 1
		done
		srv_stop "$1"
	) </dev/null >/dev/null 2>&1 &
	echo $! >"$1/watch.pidw"
}

# Command mode (not when sourced by another script).
if [ "${0##*/}" = servers.sh ]; then
	_cmd=${1:-}
	case $_cmd in
	nsd|testns)
		[ $# -ge 4 ] || { echo "usage: $0 $_cmd DIR OWNER_PID ARG..." >&2; exit 2; }
		_dir=$2; _owner=$3; shift 3
		mkdir -p "$_dir" || exit 1
		if [ "$_cmd" = nsd ]; then
			srv_nsd "$_dir" "$@" || exit 1
		else
			srv_testns "$_dir" "$1" || exit 1
		fi
		srv_watch "$_dir" "$_owner"
		;;
	stop)
		srv_stop "${2:-}"
		;;
	*)
		echo "usage: $0 nsd|testns|stop DIR ..." >&2
		exit 2
		;;
	esac
fi
