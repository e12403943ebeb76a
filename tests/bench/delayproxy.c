/*
 * delayproxy.c -- the benchmarks' network: a DNS forwarder on 127.0.0.1 that
 * holds every query a fixed time before passing it to the server behind it
 * (a round trip of that length, paid on the way out; answers go back at
 * once) and counts the queries it receives.
 *
 *   delayproxy -l PORT -u PORT -d MS -c COUNTFILE [-p PIDFILE]
 *
 * UDP: one event loop; a query is given a fresh ID (the upstream socket is
 * shared by every client), waits in a FIFO (the delay is constant, so the
 * queue is in due order) and is sent upstream when due.  TCP: one thread
 * per connection, each with its own upstream connection; queries on it are
 * answered in turn.  SIGUSR1 writes the running total to COUNTFILE (to a
 * temporary name first, so a reader sees the whole line or nothing);
 * SIGTERM/SIGINT end it.  Limits are fixed and visible: a query longer than
 * QUERY_MAX or arriving while HELD_MAX are held is dropped, as a congested
 * network would; at most TCP_MAX connections at once.
 *
 * Not part of authcheck: built by `make bench-tools` for tests/bench/.
 */
#define _GNU_SOURCE		/* ppoll */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define QUERY_MAX	2048	/* octets: a DNS query is far shorter */
#define HELD_MAX	8192	/* queries waiting out the delay */
#define TCP_MAX		64	/* concurrent TCP connections */
#define MSG_MAX		65535	/* a DNS message over TCP, and a UDP answer */
#define ID_STALE_NS	(10 * 1000000000LL) /* an unanswered ID is reused after */
#define SOCKBUF		(4 << 20)

struct held {
	int64_t due;			/* CLOCK_MONOTONIC, ns */
	size_t len;
	unsigned char pkt[QUERY_MAX];	/* ID already rewritten */
};

struct client {
	struct sockaddr_in addr;
	int64_t since;			/* 0: free */
	unsigned char id[2];		/* the client's own ID */
};

struct opts {
	int listen_port, up_port;
	int64_t delay_ns;
	const char *countfile, *pidfile;
};

static struct opts opt;
static atomic_ulong queries;
static atomic_ulong dropped;
static atomic_int tcp_open;
static volatile sig_atomic_t want_count, want_exit;

static struct held *held;		/* ring of HELD_MAX */
static size_t held_head, held_n;
static struct client clients[65536];	/* upstream ID -> client */
static unsigned next_id;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_count = 1;
	else
		want_exit = 1;
}

/* A whole decimal number in [lo, hi], or -1. */
static long
number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	return v;
}

/* COUNTFILE gets "N\n", written under a temporary name and renamed. */
static void
write_count(void)
{
	char tmp[PATH_MAX];
	FILE *f;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", opt.countfile);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return;
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "%lu\n", atomic_load(&queries));
	if (fclose(f) != 0 || rename(tmp, opt.countfile) != 0)
		unlink(tmp);
}

static struct sockaddr_in
loopback(int port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static void
big_buffers(int fd)
{
	int size = SOCKBUF;

	/* FORCE passes net.core.rmem_max (we run as root); else the capped size. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/* ------------------------------------------------------------------ TCP */

static int
read_full(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const unsigned char *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = write(fd, buf + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/* One length-prefixed message into buf (MSG_MAX + 2 octets); its length or -1. */
static long
read_msg(int fd, unsigned char *buf)
{
	size_t len;

	if (read_full(fd, buf, 2) != 0)
		return -1;
	len = (size_t)buf[0] << 8 | buf[1];
	if (len < 12 || read_full(fd, buf + 2, len) != 0)
		return -1;
	return (long)len + 2;
}

static void
sleep_until(int64_t due)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(due / 1000000000LL);
	ts.tv_nsec = (long)(due % 1000000000LL);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		continue;
}

static void *
tcp_conn(void *arg)
{
	int fd = (int)(intptr_t)arg, up = -1;
	unsigned char *q = malloc(MSG_MAX + 2), *a = malloc(MSG_MAX + 2);
	struct sockaddr_in ua = loopback(opt.up_port);
	struct timeval idle = { 30, 0 };
	long qn, an;
	int64_t due;

	if (q == NULL || a == NULL)
		goto out;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
	while ((qn = read_msg(fd, q)) > 0) {
		due = now_ns() + opt.delay_ns;
		atomic_fetch_add(&queries, 1);
		sleep_until(due);
		if (up < 0) {
			up = socket(AF_INET, SOCK_STREAM, 0);
			if (up < 0 || connect(up, (struct sockaddr *)&ua, sizeof(ua)) != 0)
				break;
			(void)setsockopt(up, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
		}
		if (write_full(up, q, (size_t)qn) != 0 || (an = read_msg(up, a)) < 0 ||
		    write_full(fd, a, (size_t)an) != 0)
			break;
	}
out:
	if (up >= 0)
		close(up);
	close(fd);
	free(q);
	free(a);
	atomic_fetch_sub(&tcp_open, 1);
	return NULL;
}

static void
tcp_accept(int lfd)
{
	pthread_attr_t attr;
	pthread_t t;
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (atomic_fetch_add(&tcp_open, 1) >= TCP_MAX) {
			atomic_fetch_sub(&tcp_open, 1);
			close(fd);
			continue;
		}
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, tcp_conn, (void *)(intptr_t)fd) != 0) {
			atomic_fetch_sub(&tcp_open, 1);
			close(fd);
		}
		pthread_attr_destroy(&attr);
	}
}

/* ------------------------------------------------------------------ UDP */

/* A free upstream ID (or one whose answer never came), or -1. */
static long
take_id(int64_t now)
{
	unsigned k, id;

	for (k = 0; k < 65536; k++) {
		id = (next_id + k) & 0xffff;
		if (clients[id].since == 0 || now - clients[id].since > ID_STALE_NS) {
			next_id = id + 1;
			return (long)id;
		}
	}
	return -1;
}

/* Read every queued query from the clients into the FIFO. */
static void
udp_from_clients(int front, unsigned char *buf)
{
	struct sockaddr_in from;
	socklen_t fromlen;
	struct held *h;
	ssize_t r;
	int64_t now;
	long id;

	for (;;) {
		fromlen = sizeof(from);
		r = recvfrom(front, buf, MSG_MAX, MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fromlen);
		if (r < 0)
			return;
		if (r < 12)
			continue;
		atomic_fetch_add(&queries, 1);
		now = now_ns();
		if ((size_t)r > QUERY_MAX || held_n == HELD_MAX ||
		    (id = take_id(now)) < 0) {
			atomic_fetch_add(&dropped, 1);
			continue;
		}
		clients[id].addr = from;
		clients[id].since = now;
		memcpy(clients[id].id, buf, 2);
		h = &held[(held_head + held_n++) % HELD_MAX];
		h->due = now + opt.delay_ns;
		h->len = (size_t)r;
		memcpy(h->pkt, buf, (size_t)r);
		h->pkt[0] = (unsigned char)(id >> 8);
		h->pkt[1] = (unsigned char)id;
	}
}

/* Send upstream what is due. */
static void
udp_release(int up)
{
	int64_t now = now_ns();
	struct held *h;

	while (held_n > 0 && (h = &held[held_head])->due <= now) {
		if (send(up, h->pkt, h->len, MSG_DONTWAIT) < 0)
			atomic_fetch_add(&dropped, 1);
		held_head = (held_head + 1) % HELD_MAX;
		held_n--;
	}
}

/* Hand every answer waiting upstream back to its client. */
static void
udp_from_server(int up, int front, unsigned char *buf)
{
	struct client *c;
	ssize_t r;

	for (;;) {
		r = recv(up, buf, MSG_MAX, MSG_DONTWAIT);
		if (r < 0)
			return;
		if (r < 12)
			continue;
		c = &clients[buf[0] << 8 | buf[1]];
		if (c->since == 0)
			continue;
		memcpy(buf, c->id, 2);
		c->since = 0;
		(void)sendto(front, buf, (size_t)r, MSG_DONTWAIT,
		    (struct sockaddr *)&c->addr, sizeof(c->addr));
	}
}

/* --------------------------------------------------------------- set-up */

static int
usage(void)
{
	fprintf(stderr, "usage: delayproxy -l PORT -u PORT -d MS -c COUNTFILE "
	    "[-p PIDFILE]\n");
	return 2;
}

static int
parse_args(int argc, char **argv)
{
	long v;
	int c;

	opt.listen_port = opt.up_port = -1;
	opt.delay_ns = -1;
	while ((c = getopt(argc, argv, "l:u:d:c:p:")) != -1) {
		switch (c) {
		case 'l':
			opt.listen_port = (int)number(optarg, 1, 65535);
			break;
		case 'u':
			opt.up_port = (int)number(optarg, 1, 65535);
			break;
		case 'd':
			v = number(optarg, 0, 10000);
			opt.delay_ns = v < 0 ? -1 : v * 1000000LL;
			break;
		case 'c':
			opt.countfile = optarg;
			break;
		case 'p':
			opt.pidfile = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || opt.listen_port < 0 || opt.up_port < 0 ||
	    opt.delay_ns < 0 || opt.countfile == NULL)
		return -1;
	return 0;
}

static int
open_sockets(int *front, int *up, int *lfd)
{
	struct sockaddr_in la = loopback(opt.listen_port);
	struct sockaddr_in ua = loopback(opt.up_port);
	int one = 1;

	*front = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	*up = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	*lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*front < 0 || *up < 0 || *lfd < 0) {
		perror("delayproxy: socket");
		return -1;
	}
	big_buffers(*front);
	big_buffers(*up);
	(void)setsockopt(*lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(*front, (struct sockaddr *)&la, sizeof(la)) != 0 ||
	    bind(*lfd, (struct sockaddr *)&la, sizeof(la)) != 0 ||
	    listen(*lfd, 128) != 0) {
		perror("delayproxy: 127.0.0.1");
		return -1;
	}
	if (connect(*up, (struct sockaddr *)&ua, sizeof(ua)) != 0) {
		perror("delayproxy: upstream");
		return -1;
	}
	return 0;
}

static int
write_pidfile(void)
{
	FILE *f;

	if (opt.pidfile == NULL)
		return 0;
	f = fopen(opt.pidfile, "w");
	if (f == NULL) {
		perror(opt.pidfile);
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

/* Block the signals everywhere but inside ppoll (threads inherit the mask). */
static void
catch_signals(sigset_t *during_poll)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, during_poll);
	sigdelset(during_poll, SIGUSR1);
	sigdelset(during_poll, SIGTERM);
	sigdelset(during_poll, SIGINT);
}

int
main(int argc, char **argv)
{
	static unsigned char buf[MSG_MAX];
	struct pollfd pfd[3];
	struct timespec wait, *waitp;
	sigset_t during_poll;
	int front, up, lfd;
	int64_t left;

	if (parse_args(argc, argv) != 0)
		return usage();
	held = calloc(HELD_MAX, sizeof(*held));
	if (held == NULL) {
		fprintf(stderr, "delayproxy: out of memory\n");
		return 1;
	}
	catch_signals(&during_poll);
	if (open_sockets(&front, &up, &lfd) != 0 || write_pidfile() != 0)
		return 1;
	pfd[0].fd = front;
	pfd[1].fd = up;
	pfd[2].fd = lfd;
	while (!want_exit) {
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		waitp = NULL;
		if (held_n > 0) {
			left = held[held_head].due - now_ns();
			if (left < 0)
				left = 0;
			wait.tv_sec = (time_t)(left / 1000000000LL);
			wait.tv_nsec = (long)(left % 1000000000LL);
			waitp = &wait;
		}
		if (ppoll(pfd, 3, waitp, &during_poll) < 0 && errno != EINTR) {
			perror("delayproxy: ppoll");
			return 1;
		}
		if (want_count) {
			want_count = 0;
			write_count();
		}
		if (pfd[0].revents & POLLIN)
			udp_from_clients(front, buf);
		if (pfd[1].revents & POLLIN)
			udp_from_server(up, front, buf);
		if (pfd[2].revents & POLLIN)
			tcp_accept(lfd);
		udp_release(up);
	}
	if (opt.pidfile != NULL)
		unlink(opt.pidfile);
	fprintf(stderr, "delayproxy: %lu queries, %lu dropped\n",
	    atomic_load(&queries), atomic_load(&dropped));
	return 0;
}
