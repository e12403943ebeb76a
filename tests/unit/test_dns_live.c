/*
 * test_dns_live.c -- the live backend against real servers on loopback:
 * NSD serving tests/zones/live.test.zone (ordinary answers, CNAME chains,
 * 50 queries at once), ldns-testns playing the tests/dns scripts (truncation,
 * silence, SERVFAIL/REFUSED, garbage, mismatched answers, 63 KB over TCP),
 * and a forked fake server for spoofed IDs and source ports.
 *
 * The servers are started by tests/lib/servers.sh, which also stops them
 * if this program dies before its teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"

static char srvdir[] = "/tmp/authcheck-dnslive.XXXXXX";
static bool have_dir;
static int nsd_port, testns_port, big_port;

static int server_start(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Run servers.sh with args; its output is the port. */
static int
server_start(const char *fmt, ...)
{
	char args[512], cmd[700], line[64];
	va_list ap;
	FILE *f;
	int port = 0;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "sh tests/lib/servers.sh %s", args);
	if ((f = popen(cmd, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) != NULL)
		port = (int)strtol(line, NULL, 10);
	if (pclose(f) != 0)
		port = 0;
	if (port <= 0)
		fprintf(stderr, "could not start: %s\n", cmd);
	return port;
}

static int
group_setup(void **state)
{
	(void)state;
	if (mkdtemp(srvdir) == NULL)
		return -1;
	have_dir = true;
	nsd_port = server_start("nsd %s %ld live.test=tests/zones/live.test.zone "
	    "other.test=tests/zones/other.test.zone", srvdir, (long)getpid());
	testns_port = server_start("testns %s %ld tests/dns/live.rpl", srvdir,
	    (long)getpid());
	big_port = server_start("testns %s %ld tests/dns/big.rpl", srvdir,
	    (long)getpid());
	return nsd_port > 0 && testns_port > 0 && big_port > 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	char cmd[256];

	(void)state;
	if (have_dir) {
		snprintf(cmd, sizeof(cmd), "sh tests/lib/servers.sh stop %s",
		    srvdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static struct dns_resolver *
resolver(int port, double timeout, int retries)
{
	char srv[32], err[256];
	const char *servers[1] = { srv };
	struct dns_live_opts o = { .servers = servers, .nservers = 1,
	    .timeout = timeout, .retries = retries };
	struct dns_resolver *r;

	snprintf(srv, sizeof(srv), "127.0.0.1:%d", port);
	r = dns_live_new(&o, err, sizeof(err));
	if (r == NULL)
		fprintf(stderr, "dns_live_new: %s\n", err);
	assert_non_null(r);
	return r;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
assert_addr(const struct dns_rr *rr, const char *text)
{
	struct ipaddr ip;

	assert_true(ip_parse(text, strlen(text), &ip));
	assert_true(ip_equal(&rr->u.addr, &ip));
}

/*
 * NSD.
 */
static void
test_nsd_records(void **state)
{
	struct dns_resolver *r = resolver(nsd_port, 2, 1);
	const struct dns_answer *a;
	size_t i;
	bool mx1 = false, mx2 = false;

	(void)state;
	a = dns_lookup(r, "live.test", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->rcode, 0);
	assert_int_equal(a->nrr, 1);
	assert_int_equal(a->rr[0].type, DNS_T_A);
	assert_int_equal(a->rr[0].ttl, 300);
	assert_string_equal(a->rr[0].owner, "live.test");
	assert_addr(&a->rr[0], "192.0.2.1");
	assert_int_equal(a->ncname, 0);
	assert_false(a->tcp);

	a = dns_lookup(r, "live.test", DNS_T_AAAA);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->nrr, 1);
	assert_addr(&a->rr[0], "2001:db8::1");

	a = dns_lookup(r, "live.test", DNS_T_MX);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->nrr, 2);
	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].u.mx.pref == 10) {
			assert_string_equal(a->rr[i].u.mx.host, "mx1.live.test");
			mx1 = true;
		} else if (a->rr[i].u.mx.pref == 20) {
			assert_string_equal(a->rr[i].u.mx.host, "mx2.live.test");
			mx2 = true;
		}
	}
	assert_true(mx1 && mx2);

	a = dns_lookup(r, "nullmx.live.test", DNS_T_MX);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->nrr, 1);
	assert_int_equal(a->rr[0].u.mx.pref, 0);
	assert_string_equal(a->rr[0].u.mx.host, "");

	a = dns_lookup(r, "live.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->nrr, 1);
	assert_int_equal(a->rr[0].u.txt.n, 3);
	assert_int_equal(a->rr[0].u.txt.s[1].len, 23);
	assert_memory_equal(a->rr[0].u.txt.s[1].p, "include:_spf.live.test ", 23);
	assert_int_equal(a->rr[0].u.txt.total, 24 + 23 + 4);

	a = dns_lookup(r, "ptr.live.test", DNS_T_PTR);
	assert_int_equal(a->status, DNS_OK);
	assert_string_equal(a->rr[0].u.target, "host.example");

	a = dns_lookup(r, "live.test", DNS_T_NS);
	assert_int_equal(a->status, DNS_OK);
	assert_string_equal(a->rr[0].u.target, "ns.live.test");

	/* SOA: decoded as type, TTL and owner only. */
	a = dns_lookup(r, "live.test", DNS_T_SOA);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->rr[0].type, DNS_T_SOA);
	assert_string_equal(a->rr[0].owner, "live.test");
	dns_free(r);
}

static void
test_nsd_negative(void **state)
{
	struct dns_resolver *r = resolver(nsd_port, 2, 1);
	const struct dns_answer *a;

	(void)state;
	a = dns_lookup(r, "nodata.live.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_NODATA);
	assert_int_equal(a->rcode, 0);
	assert_int_equal(a->nrr, 0);

	a = dns_lookup(r, "nope.live.test", DNS_T_A);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_int_equal(a->rcode, 3);
	assert_int_equal(a->nrr, 0);
	dns_free(r);
}

static void
test_nsd_cname(void **state)
{
	struct dns_resolver *r = resolver(nsd_port, 2, 1);
	const struct dns_answer *a;

	(void)state;
	a = dns_lookup(r, "c1.live.test", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->ncname, 3);
	assert_string_equal(a->canon, "target.live.test");
	assert_int_equal(a->nrr, 1);
	assert_string_equal(a->rr[0].owner, "target.live.test");
	assert_addr(&a->rr[0], "192.0.2.4");

	a = dns_lookup(r, "c2.live.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->ncname, 2);
	assert_memory_equal(a->rr[0].u.txt.s[0].p, "at the end of the chain", 23);

	/* Asking for the CNAME itself does not follow it. */
	a = dns_lookup(r, "c1.live.test", DNS_T_CNAME);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->ncname, 0);
	assert_string_equal(a->rr[0].u.target, "c2.live.test");

	/* NXDOMAIN after a CNAME is the target's. */
	a = dns_lookup(r, "dangling.live.test", DNS_T_A);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_int_equal(a->ncname, 1);
	assert_string_equal(a->canon, "missing.live.test");

	/* NODATA at the end of a chain. */
	a = dns_lookup(r, "c1.live.test", DNS_T_MX);
	assert_int_equal(a->status, DNS_NODATA);
	assert_string_equal(a->canon, "target.live.test");

	/* Into the other zone NSD serves. */
	a = dns_lookup(r, "outside.live.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_OK);
	assert_string_equal(a->canon, "www.other.test");

	a = dns_lookup(r, "loop1.live.test", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_non_null(a->why);
	assert_non_null(strstr(a->why, "CNAME loop"));
	dns_free(r);
}

static void
test_nsd_binary_txt(void **state)
{
	struct dns_resolver *r = resolver(nsd_port, 2, 1);
	const struct dns_answer *a;
	char *joined;
	size_t len;

	(void)state;
	a = dns_lookup(r, "bin.live.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->rr[0].u.txt.n, 1);
	assert_int_equal(a->rr[0].u.txt.s[0].len, 6);
	assert_memory_equal(a->rr[0].u.txt.s[0].p, "a\0b\"c\xff", 6);
	joined = dns_txt_join(&a->rr[0], &len);
	assert_non_null(joined);
	assert_int_equal(len, 6);
	free(joined);
	dns_free(r);
}

/* Fifty questions submitted together are all on the wire at once. */
static void
test_nsd_concurrent(void **state)
{
	struct dns_resolver *r = resolver(nsd_port, 2, 1);
	struct dns_query *q[50];
	const struct dns_answer *a;
	char name[64], addr[32];
	int i;

	(void)state;
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "n%d.live.test", i + 1);
		q[i] = dns_submit(r, name, DNS_T_A, NULL, NULL);
		assert_non_null(q[i]);
	}
	dns_run(r);
	for (i = 0; i < 50; i++) {
		a = dns_answer(q[i]);
		assert_non_null(a);
		assert_int_equal(a->status, DNS_OK);
		snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
		assert_addr(&a->rr[0], addr);
	}
	assert_true(dns_stats(r)->in_flight_max >= 50);
	assert_true(dns_stats(r)->packets >= 50);
	dns_free(r);
}

/* More questions than sockets: the rest wait in the queue. */
static void
test_nsd_queue(void **state)
{
	struct dns_resolver *r = resolver(nsd_port, 2, 1);
	struct dns_query *q[300];
	const struct dns_answer *a;
	char name[64];
	int i;

	(void)state;
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "q%d.live.test", i);
		q[i] = dns_submit(r, name, DNS_T_TXT, NULL, NULL);
		assert_non_null(q[i]);
	}
	dns_run(r);
	for (i = 0; i < 300; i++) {
		a = dns_answer(q[i]);
		assert_non_null(a);
		assert_int_equal(a->status, DNS_NXDOMAIN);
	}
	/* The congestion window starts at 64 and grows by one per answer
	 * (no loss on loopback), never past the 256 sockets. */
	assert_true(dns_stats(r)->in_flight_max > 64);
	assert_true(dns_stats(r)->in_flight_max <= 256);
	assert_true(dns_stats(r)->packets >= 300);
	dns_free(r);
}

static void
test_badname(void **state)
{
	struct dns_resolver *r = resolver(nsd_port, 2, 1);
	const struct dns_answer *a;
	char label[80];

	(void)state;
	memset(label, 'a', 64);
	memcpy(label + 64, ".live.test", 11);
	a = dns_lookup(r, label, DNS_T_A);
	assert_int_equal(a->status, DNS_BADNAME);
	a = dns_lookup(r, "a..live.test", DNS_T_A);
	assert_int_equal(a->status, DNS_BADNAME);
	assert_int_equal(dns_stats(r)->packets, 0);
	dns_free(r);
}

/*
 * Options.
 */
static void
test_servers_parse(void **state)
{
	static const char *const good[] = { "127.0.0.1", "127.0.0.1:5353",
		"::1", "[::1]:5353", "[2001:db8::1]", "2001:db8::53" };
	static const char *const bad[] = { "ns.example", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:", "[::1", "[::1]:x", "1.2.3",
		"::1:53:zz", "", "[127.0.0.1]:53", "127.0.0.1:53x" };
	struct dns_live_opts o = { .servers = NULL, .nservers = 1,
	    .timeout = 1, .retries = 0 };
	struct dns_resolver *r;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		o.servers = &good[i];
		r = dns_live_new(&o, err, sizeof(err));
		if (r == NULL)
			fail_msg("'%s' refused: %s", good[i], err);
		dns_free(r);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.servers = &bad[i];
		err[0] = '\0';
		r = dns_live_new(&o, err, sizeof(err));
		if (r != NULL)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(err, "bad --resolver"));
	}
	/* No servers: /etc/resolv.conf (or 127.0.0.1). */
	o.servers = NULL;
	o.nservers = 0;
	r = dns_live_new(&o, err, sizeof(err));
	assert_non_null(r);
	dns_free(r);
	r = dns_live_new(NULL, err, sizeof(err));
	assert_non_null(r);
	dns_free(r);
}

/* A port nobody listens on (bound, then closed). */
static int
closed_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Retries go to the next server: the first refuses, the second answers. */
static void
test_rotation(void **state)
{
	char s1[32], s2[32], err[256];
	const char *servers[2] = { s1, s2 };
	struct dns_live_opts o = { .servers = servers, .nservers = 2,
	    .timeout = 2, .retries = 1 };
	struct dns_resolver *r;
	const struct dns_answer *a;
	double t0;

	(void)state;
	snprintf(s1, sizeof(s1), "127.0.0.1:%d", closed_port());
	snprintf(s2, sizeof(s2), "127.0.0.1:%d", nsd_port);
	r = dns_live_new(&o, err, sizeof(err));
	assert_non_null(r);
	t0 = now_s();
	a = dns_lookup(r, "mx1.live.test", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	assert_addr(&a->rr[0], "192.0.2.25");
	/* ICMP port unreachable ends the first attempt early. */
	assert_true(now_s() - t0 < 1.0);
	assert_int_equal(dns_stats(r)->packets, 2);
	dns_free(r);

	/* Only the refusing server: every attempt fails, fast. */
	o.nservers = 1;
	o.retries = 2;
	r = dns_live_new(&o, err, sizeof(err));
	assert_non_null(r);
	a = dns_lookup(r, "mx1.live.test", DNS_T_A);
	assert_int_equal(a->status, DNS_TIMEOUT);
	assert_non_null(a->why);
	assert_non_null(strstr(a->why, "3 attempts"));
	assert_int_equal(dns_stats(r)->packets, 3);
	dns_free(r);
}

/*
 * ldns-testns.
 */
static void
test_truncated(void **state)
{
	struct dns_resolver *r = resolver(testns_port, 0.5, 1);
	const struct dns_answer *a;

	(void)state;
	a = dns_lookup(r, "trunc.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_OK);
	assert_true(a->tcp);
	assert_int_equal(a->rr[0].u.txt.n, 2);
	assert_memory_equal(a->rr[0].u.txt.s[0].p, "only over TCP", 13);
	assert_int_equal(dns_stats(r)->tcp, 1);
	assert_int_equal(dns_stats(r)->packets, 2);

	/* Truncated in the middle of a record: the header says TC. */
	a = dns_lookup(r, "cut.test", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	assert_true(a->tcp);
	assert_addr(&a->rr[0], "192.0.2.7");
	assert_int_equal(dns_stats(r)->tcp, 2);

	/* TCP closed without an answer: the next attempt, then TIMEOUT. */
	a = dns_lookup(r, "tconly.test", DNS_T_A);
	assert_int_equal(a->status, DNS_TIMEOUT);
	assert_non_null(strstr(a->why, "TCP connection closed"));
	assert_int_equal(dns_stats(r)->tcp, 4);
	dns_free(r);
}

static void
test_edns(void **state)
{
	struct dns_resolver *r = resolver(testns_port, 0.5, 1);
	const struct dns_answer *a;

	(void)state;
	a = dns_lookup(r, "edns.test", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	assert_addr(&a->rr[0], "192.0.2.12");
	assert_int_equal(dns_stats(r)->packets, 1);

	/* FORMERR to EDNS: asked again without it. */
	a = dns_lookup(r, "formerr.test", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	assert_addr(&a->rr[0], "192.0.2.13");
	assert_int_equal(dns_stats(r)->packets, 3);
	dns_free(r);
}

static void
test_big_txt(void **state)
{
	struct dns_resolver *r = resolver(big_port, 2, 1);
	const struct dns_answer *a;
	bool seen[240];
	size_t i, total = 0;
	unsigned n;

	(void)state;
	memset(seen, 0, sizeof(seen));
	a = dns_lookup(r, "big.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_OK);
	assert_true(a->tcp);
	assert_int_equal(a->nrr, 240);
	for (i = 0; i < a->nrr; i++) {
		assert_int_equal(a->rr[i].u.txt.n, 1);
		assert_int_equal(a->rr[i].u.txt.s[0].len, 250);
		n = (unsigned)(a->rr[i].u.txt.s[0].p[0] - '0') * 100 +
		    (unsigned)(a->rr[i].u.txt.s[0].p[1] - '0') * 10 +
		    (unsigned)(a->rr[i].u.txt.s[0].p[2] - '0');
		assert_true(n < 240);
		assert_int_equal(a->rr[i].u.txt.s[0].p[249], 'a' + n % 26);
		seen[n] = true;
		total += a->rr[i].u.txt.total;
	}
	for (i = 0; i < 240; i++)
		assert_true(seen[i]);
	assert_int_equal(total, 240 * 250);
	dns_free(r);
}

static void
test_rcodes(void **state)
{
	struct dns_resolver *r = resolver(testns_port, 0.5, 1);
	const struct dns_answer *a;
	char want[64];

	(void)state;
	a = dns_lookup(r, "servfail.test", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_int_equal(a->rcode, 2);
	snprintf(want, sizeof(want), "SERVFAIL from 127.0.0.1:%d", testns_port);
	assert_string_equal(a->why, want);

	a = dns_lookup(r, "refused.test", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_int_equal(a->rcode, 5);
	snprintf(want, sizeof(want), "REFUSED from 127.0.0.1:%d", testns_port);
	assert_string_equal(a->why, want);
	/* No retry after a definite answer. */
	assert_int_equal(dns_stats(r)->packets, 2);
	dns_free(r);
}

/* Silence, garbage and QR-less replies all end in TIMEOUT, together, after
 * timeout x (retries + 1). */
static void
test_timeouts(void **state)
{
	static const char *const names[] = { "silent.test", "garbageonly.test",
		"noqr.test" };
	struct dns_resolver *r = resolver(testns_port, 0.3, 2);
	struct dns_query *q[3];
	const struct dns_answer *a;
	double t0, dt;
	size_t i;

	(void)state;
	t0 = now_s();
	for (i = 0; i < 3; i++)
		q[i] = dns_submit(r, names[i], DNS_T_A, NULL, NULL);
	dns_run(r);
	dt = now_s() - t0;
	for (i = 0; i < 3; i++) {
		a = dns_answer(q[i]);
		assert_non_null(a);
		if (a->status != DNS_TIMEOUT)
			fail_msg("%s: %s", names[i], dns_status_name(a->status));
		assert_non_null(a->why);
	}
	assert_true(dt >= 0.85);
	assert_true(dt < 2.5);
	assert_int_equal(dns_stats(r)->packets, 9);
	assert_int_equal(dns_stats(r)->timeouts, 3);
	dns_free(r);
}

/* Garbage or an answer to another question first: ignored, the real
 * answer after it counts. */
static void
test_ignored_then_answer(void **state)
{
	struct dns_resolver *r = resolver(testns_port, 1, 0);
	const struct dns_answer *a;

	(void)state;
	a = dns_lookup(r, "garbage.test", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	assert_addr(&a->rr[0], "192.0.2.8");
	a = dns_lookup(r, "wrongname.test", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	assert_addr(&a->rr[0], "192.0.2.9");
	assert_int_equal(dns_stats(r)->packets, 2);
	dns_free(r);
}

static void
test_cname_restart(void **state)
{
	struct dns_resolver *r = resolver(testns_port, 0.5, 1);
	const struct dns_answer *a;

	(void)state;
	a = dns_lookup(r, "alias.test", DNS_T_A);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->ncname, 1);
	assert_string_equal(a->canon, "real.test");
	assert_string_equal(a->qname, "alias.test");
	assert_addr(&a->rr[0], "192.0.2.10");
	assert_int_equal(dns_stats(r)->packets, 2);

	/* The SOA proves the target empty: no second query. */
	a = dns_lookup(r, "alias2.test", DNS_T_A);
	assert_int_equal(a->status, DNS_NODATA);
	assert_string_equal(a->canon, "empty.test");
	assert_int_equal(dns_stats(r)->packets, 3);

	a = dns_lookup(r, "ra.test", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_string_equal(a->why, "CNAME loop");
	dns_free(r);
}

static void
test_spf_type(void **state)
{
	struct dns_resolver *r = resolver(testns_port, 0.5, 1);
	const struct dns_answer *a;

	(void)state;
	a = dns_lookup(r, "spf.test", DNS_T_SPF);
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->rr[0].type, DNS_T_SPF);
	assert_int_equal(a->rr[0].u.txt.n, 1);
	assert_memory_equal(a->rr[0].u.txt.s[0].p, "v=spf1 -all", 11);
	dns_free(r);
}

/*
 * A fake server for what ldns-testns cannot do: answer from the wrong
 * port, and with the wrong ID, before the right answer.
 */
static int
udp_socket(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
fake_server(int fd, int spoof)
{
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	struct pollfd pfd = { fd, POLLIN, 0 };
	uint8_t m[512];
	ssize_t n;

	if (poll(&pfd, 1, 5000) != 1)
		_exit(1);
	n = recvfrom(fd, m, sizeof(m), 0, (struct sockaddr *)&from, &flen);
	if (n < 12 + 11)
		_exit(1);
	/* The query ends with an OPT RR advertising 1232 bytes. */
	if (m[n - 11] != 0 || m[n - 10] != 0 || m[n - 9] != 41 ||
	    m[n - 8] != 1232 >> 8 || m[n - 7] != (1232 & 0xff))
		_exit(2);
	m[2] |= 0x80;				/* QR */
	m[3] = (uint8_t)((m[3] & 0xf0) | 5);	/* REFUSED, wrong port */
	sendto(spoof, m, (size_t)n, 0, (struct sockaddr *)&from, flen);
	m[3] = (uint8_t)((m[3] & 0xf0) | 3);	/* NXDOMAIN, wrong ID */
	m[0] ^= 0x55;
	sendto(fd, m, (size_t)n, 0, (struct sockaddr *)&from, flen);
	m[0] ^= 0x55;
	m[3] = (uint8_t)(m[3] & 0xf0);		/* NOERROR, no RRs */
	sendto(fd, m, (size_t)n, 0, (struct sockaddr *)&from, flen);
	_exit(0);
}

static void
test_spoofed(void **state)
{
	struct dns_resolver *r;
	const struct dns_answer *a;
	int port, sport, fd, spoof, status;
	pid_t pid;

	(void)state;
	fd = udp_socket(&port);
	spoof = udp_socket(&sport);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		fake_server(fd, spoof);
	close(fd);
	close(spoof);
	r = resolver(port, 2, 0);
	a = dns_lookup(r, "spoof.test", DNS_T_A);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(a->status, DNS_NODATA);
	assert_int_equal(a->rcode, 0);
	dns_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nsd_records),
		cmocka_unit_test(test_nsd_negative),
		cmocka_unit_test(test_nsd_cname),
		cmocka_unit_test(test_nsd_binary_txt),
		cmocka_unit_test(test_nsd_concurrent),
		cmocka_unit_test(test_nsd_queue),
		cmocka_unit_test(test_badname),
		cmocka_unit_test(test_servers_parse),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_big_txt),
		cmocka_unit_test(test_rcodes),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_ignored_then_answer),
		cmocka_unit_test(test_cname_restart),
		cmocka_unit_test(test_spf_type),
		cmocka_unit_test(test_spoofed),
	};

	return cmocka_run_group_tests_name("dns_live", tests, group_setup,
	    group_teardown);
}
