# smtp_server.sh -- start tests/lib/smtp_server.py for a test script.
#
#   . tests/lib/smtp_server.sh
#   srv=; trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null' EXIT
#   smtp_server_start "$tmp" "$tmp/certs" || exit 1    # sets srv and port
#   good=$(smtp_server_addr "$tmp" good)
#
# The server's output goes to DIR/srv.out (the port, then "NAME ADDRESS"
# per scenario, then "good6 ..."), its errors to DIR/srv.err.  Returns 1
# (the errors on standard output) when it did not come up within 10 s.

smtp_server_start() {	# DIR CERTDIR
	# The files exist before the server starts: the background job
	# opens its redirections only after the fork, and reading them
	# earlier would end the wait at once.
	: >"$1/srv.out"
	: >"$1/srv.err"
	python3 tests/lib/smtp_server.py $$ "$2" >>"$1/srv.out" 2>>"$1/srv.err" &
	srv=$!
	_n=0
	# "good6" is the last line: every scenario's address is there then.
	while ! grep -q '^good6 ' "$1/srv.out" && [ $_n -lt 100 ]; do
		sleep 0.1; _n=$((_n + 1))
	done
	port=$(head -n 1 "$1/srv.out")
	if [ -z "$port" ] || ! grep -q '^good6 ' "$1/srv.out"; then
		echo "SMTP server did not start: $(cat "$1/srv.err")"
		return 1
	fi
}

smtp_server_addr() {	# DIR SCENARIO: its address
	sed -n "s/^$2 //p" "$1/srv.out"
}
