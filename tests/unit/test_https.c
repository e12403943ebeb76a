/*
 * test_https.c -- the HTTPS policy fetch against a REAL HTTPS server on
 * 127.0.0.1 (tests/lib/https_server.py), with a CA and certificates made
 * by the openssl CLI when the server starts: a valid policy, a certificate
 * for another host name, a self-signed certificate, a redirect, bodies
 * over the cap (with and without Content-Length), 404, a wrong media type,
 * a time-out -- first through https_fetch_all() alone, then end to end
 * through the MTA-STS check with the zone backend supplying 127.0.0.1.
 *
 * The server is started once for the group; it prints "PORT CAFILE" when
 * it listens, is stopped in the group teardown, and stops by itself if
 * this process dies first.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "diag.h"
#include "dns.h"
#include "https.h"
#include "mtasts.h"
#include "unit/findings_test.h"

static pid_t server_pid = -1;
static unsigned server_port;
static char ca_file[512];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
start_server(void **state)
{
	int fd[2];
	char line[700], pidarg[32];
	size_t n = 0;
	double deadline = now() + 60;

	(void)state;
	if (pipe(fd) != 0)
		return -1;
	snprintf(pidarg, sizeof(pidarg), "%ld", (long)getpid());
	if ((server_pid = fork()) < 0)
		return -1;
	if (server_pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp("python3", "python3", "tests/lib/https_server.py",
		    pidarg, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	/* one line, "PORT CAFILE", once the server listens */
	while (n < sizeof(line) - 1 && now() < deadline) {
		struct pollfd p = { fd[0], POLLIN, 0 };
		ssize_t k;

		if (poll(&p, 1, 1000) <= 0)
			continue;
		if ((k = read(fd[0], line + n, 1)) <= 0)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	close(fd[0]);
	if (sscanf(line, "%u %511s", &server_port, ca_file) != 2) {
		fprintf(stderr, "https server did not start: \"%s\"\n", line);
		return -1;
	}
	return 0;
}

static int
stop_server(void **state)
{
	(void)state;
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
	diag_list_free(&found);
	return 0;
}

static struct https_opts
opts(void)
{
	struct https_opts o;

	memset(&o, 0, sizeof(o));
	o.timeout = 5;
	o.ca_file = ca_file;
	o.port = server_port;
	return o;
}

static const struct ipaddr *
loopback(void)
{
	static struct ipaddr a;

	assert_true(ip_parse("127.0.0.1", 9, &a));
	return &a;
}

static void
req_init(struct https_req *r, const char *host)
{
	memset(r, 0, sizeof(*r));
	r->host = host;
	r->path = MTASTS_PATH;
	r->addrs = loopback();
	r->naddrs = 1;
}

/* Every case in one batch: they run concurrently. */
static void
test_fetch(void **state)
{
	enum { GOOD, WRONGHOST, SELF, REDIR, BIG, STREAM, NOTFOUND, NOADDR,
	    NREQ };
	static const char *hosts[NREQ] = {
		"mta-sts.good.test", "mta-sts.wronghost.test",
		"mta-sts.selfsigned.test", "mta-sts.redirect.test",
		"mta-sts.big.test", "mta-sts.stream.test",
		"mta-sts.notfound.test", "mta-sts.noaddr.test"
	};
	struct https_req r[NREQ];
	struct https_opts o = opts();
	size_t i;

	(void)state;
	for (i = 0; i < NREQ; i++)
		req_init(&r[i], hosts[i]);
	r[NOADDR].naddrs = 0;
	assert_int_equal(https_fetch_all(r, NREQ, &o), 0);
	for (i = 0; i < NREQ; i++)
		print_message("  %s: ok=%d status=%ld err=%s\n", hosts[i],
		    r[i].ok, r[i].status, r[i].err);

	assert_true(r[GOOD].ok);
	assert_int_equal(r[GOOD].status, 200);
	assert_string_equal(r[GOOD].content_type, "text/plain; charset=utf-8");
	assert_non_null(strstr(r[GOOD].body, "mode: enforce"));
	assert_int_equal(r[GOOD].body_len, strlen(r[GOOD].body));

	/* certificate problems: never a response */
	assert_false(r[WRONGHOST].ok);
	assert_int_equal(r[WRONGHOST].status, 0);
	assert_non_null(strstr(r[WRONGHOST].err, "mta-sts.wronghost.test"));
	assert_false(r[SELF].ok);
	assert_int_equal(r[SELF].status, 0);
	assert_non_null(strstr(r[SELF].err, "certificate"));

	/* a redirect is not followed and says so */
	assert_false(r[REDIR].ok);
	assert_int_equal(r[REDIR].status, 301);
	assert_non_null(strstr(r[REDIR].err, "redirect"));
	assert_non_null(strstr(r[REDIR].err, "mta-sts.good.test"));
	assert_null(r[REDIR].body);

	/* over the cap: refused, never truncated */
	assert_false(r[BIG].ok);
	assert_non_null(strstr(r[BIG].err, "larger than 65536 bytes"));
	assert_null(r[BIG].body);
	assert_false(r[STREAM].ok);
	assert_non_null(strstr(r[STREAM].err, "larger than 65536 bytes"));
	assert_null(r[STREAM].body);

	assert_false(r[NOTFOUND].ok);
	assert_int_equal(r[NOTFOUND].status, 404);
	assert_non_null(strstr(r[NOTFOUND].err, "404"));

	assert_false(r[NOADDR].ok);
	assert_non_null(strstr(r[NOADDR].err, "no address"));
	for (i = 0; i < NREQ; i++)
		https_req_free(&r[i]);

	/* the system CAs do not know the test CA */
	o.ca_file = NULL;
	req_init(&r[0], "mta-sts.good.test");
	assert_int_equal(https_fetch_all(r, 1, &o), 0);
	assert_false(r[0].ok);
	https_req_free(&r[0]);

	/* an IPv6 address goes to curl in brackets; nothing listens on
	 * ::1 here, so curl moves on to 127.0.0.1 */
	{
		struct ipaddr two[2];

		assert_true(ip_parse("::1", 3, &two[0]));
		assert_true(ip_parse("127.0.0.1", 9, &two[1]));
		req_init(&r[0], "mta-sts.good.test");
		r[0].addrs = two;
		r[0].naddrs = 2;
		o = opts();
		assert_int_equal(https_fetch_all(r, 1, &o), 0);
		if (!r[0].ok)
			fail_msg("via [::1],127.0.0.1: %s", r[0].err);
		https_req_free(&r[0]);
	}

	/* a smaller cap refuses even the good policy */
	o = opts();
	o.max_size = 32;
	req_init(&r[0], "mta-sts.good.test");
	assert_int_equal(https_fetch_all(r, 1, &o), 0);
	assert_false(r[0].ok);
	assert_non_null(strstr(r[0].err, "larger than 32 bytes"));
	https_req_free(&r[0]);
}

static void
test_timeout(void **state)
{
	struct https_req r[2];
	struct https_opts o = opts();
	double t0;

	(void)state;
	o.timeout = 1.0;
	req_init(&r[0], "mta-sts.slow.test");	/* answers after 6 s */
	req_init(&r[1], "mta-sts.good.test");
	t0 = now();
	assert_int_equal(https_fetch_all(r, 2, &o), 0);
	assert_true(now() - t0 < 5.5);	/* the server answers at 6 s */
	assert_false(r[0].ok);
	assert_non_null(strstr(r[0].err, "timed out"));
	/* the slow one does not hold up the other */
	assert_true(r[1].ok);
	https_req_free(&r[0]);
	https_req_free(&r[1]);
}

/* ---- end to end: the MTA-STS check ----------------------------------- */

struct e2e {
	const char *domain;
	enum diag_id want[5];
	size_t nwant;
	enum mtasts_policy_state state;
};

static const struct e2e cases[] = {
	{ "good.test", { 0 }, 0, MTASTS_POLICY_OK },
	{ "none.test", { 0 }, 0, MTASTS_POLICY_OK },
	{ "testing.test", { DIAG_MTA_STS_TESTING }, 1, MTASTS_POLICY_OK },
	{ "uncovered.test", { DIAG_MTA_STS_MX_NOT_COVERED }, 1,
	    MTASTS_POLICY_OK },
	/* bad version, bad mode; then version, mode, max_age missing */
	{ "invalid.test", { DIAG_MTA_STS_POLICY_INVALID,
	    DIAG_MTA_STS_POLICY_INVALID, DIAG_MTA_STS_POLICY_INVALID,
	    DIAG_MTA_STS_POLICY_INVALID, DIAG_MTA_STS_POLICY_INVALID }, 5,
	    MTASTS_POLICY_INVALID },
	{ "ctype.test", { DIAG_MTA_STS_POLICY_UNREACHABLE }, 1,
	    MTASTS_POLICY_UNREACHABLE },
	{ "redirect.test", { DIAG_MTA_STS_POLICY_UNREACHABLE }, 1,
	    MTASTS_POLICY_UNREACHABLE },
	{ "notfound.test", { DIAG_MTA_STS_POLICY_UNREACHABLE }, 1,
	    MTASTS_POLICY_UNREACHABLE },
	{ "big.test", { DIAG_MTA_STS_POLICY_UNREACHABLE }, 1,
	    MTASTS_POLICY_UNREACHABLE },
	{ "wronghost.test", { DIAG_MTA_STS_POLICY_UNREACHABLE }, 1,
	    MTASTS_POLICY_UNREACHABLE },
	{ "selfsigned.test", { DIAG_MTA_STS_POLICY_UNREACHABLE }, 1,
	    MTASTS_POLICY_UNREACHABLE },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
test_mtasts_end_to_end(void **state)
{
	/* good.test comes from the clean fixture; the rest are added */
	struct dns_resolver *r = load_zone("tests/zones/lint/mta-sts/clean.zone");
	struct mtasts_result res[NCASES];
	struct https_req reqs[NCASES];
	struct https_opts o = opts();
	size_t i, n = 0;
	char name[300];

	(void)state;
	for (i = 1; i < NCASES; i++) {
		const char *d = cases[i].domain;

		snprintf(name, sizeof(name), "_mta-sts.%s", d);
		add_txt(r, name, "v=STSv1; id=1");
		snprintf(name, sizeof(name), "mta-sts.%s", d);
		add_addr(r, name, "127.0.0.1");
	}
	add_mx(r, "testing.test", 10, "mail.testing.test");
	add_mx(r, "testing.test", 20, "mx.other.example.");
	add_mx(r, "uncovered.test", 10, "mail.uncovered.test");
	add_mx(r, "uncovered.test", 20, "mail.good.test");

	/* every check starts, then one dns_run, then one HTTPS batch */
	for (i = 0; i < NCASES; i++)
		assert_int_equal(mtasts_start(r, cases[i].domain, &res[i]), 0);
	dns_run(r);
	for (i = 0; i < NCASES; i++)
		n += mtasts_requests(&res[i], &reqs[n]);
	assert_int_equal(n, NCASES);
	assert_int_equal(https_fetch_all(reqs, n, &o), 0);
	for (i = 0; i < NCASES; i++) {
		reset_sink();
		mtasts_finish(&res[i], true, &sink);
		print_message("  %s: %s\n", cases[i].domain,
		    mtasts_policy_state_name(res[i].state));
		assert_only(cases[i].want, cases[i].nwant);
		assert_int_equal(res[i].state, cases[i].state);
		if (strcmp(cases[i].domain, "testing.test") == 0)
			assert_non_null(strstr(
			    first_id(DIAG_MTA_STS_TESTING)->message,
			    "mx.other.example"));
		if (strcmp(cases[i].domain, "uncovered.test") == 0)
			assert_non_null(strstr(
			    first_id(DIAG_MTA_STS_MX_NOT_COVERED)->message,
			    "mail.uncovered.test"));
	}
	assert_int_equal(res[0].pol.mode, MTASTS_MODE_ENFORCE);
	assert_int_equal(res[0].nmx_hosts, 2);
	assert_int_equal(res[0].nmx_uncovered, 0);
	assert_int_equal(res[0].pol.max_age, 604800);
	assert_int_equal(res[1].pol.mode, MTASTS_MODE_NONE);
	for (i = 0; i < n; i++)
		https_req_free(&reqs[i]);
	for (i = 0; i < NCASES; i++)
		mtasts_result_free(&res[i]);
	dns_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_mtasts_end_to_end),
	};

	diag_list_init(&found, 256);
	return cmocka_run_group_tests(tests, start_server, stop_server);
}
