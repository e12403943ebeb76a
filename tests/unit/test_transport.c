/*
 * test_transport.c -- the parts of the SMTP probe that need no server:
 * certificate name matching (RFC 6125), which MX addresses are probed,
 * and the judgement of probe results (MTA-STS enforce turns a bad
 * certificate into an error; a run whose connects all timed out is one
 * port25-blocked warning), and the batch: a dialogue started early (from
 * the MX callback) is the one the plan later asks for, once however many
 * domains share it (counted at a real loopback listener).  The dialogues
 * themselves are tested against real servers in
 * tests/integration/smtp_probe.sh.
 */
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "mtasts.h"
#include "transport.h"
#include "tls.h"

static void
test_name_match(void **state)
{
	(void)state;
	assert_true(tls_name_match("mx.example.com", "mx.example.com"));
	assert_true(tls_name_match("MX.Example.COM", "mx.example.com."));
	assert_true(tls_name_match("*.example.com", "mx.example.com"));
	assert_false(tls_name_match("*.example.com", "example.com"));
	assert_false(tls_name_match("*.example.com", "a.mx.example.com"));
	assert_false(tls_name_match("*.com", "example.com"));
	assert_false(tls_name_match("m*.example.com", "mx.example.com"));
	assert_false(tls_name_match("mx.*.com", "mx.example.com"));
	assert_false(tls_name_match("*.*.example.com", "a.b.example.com"));
	assert_false(tls_name_match("", "mx.example.com"));
	assert_false(tls_name_match("other.example", "mx.example.com"));
}

static void
add_mx(struct mx_result *mx, const char *name, const char *const *ips,
    size_t n)
{
	struct mx_host *h = &mx->host[mx->nhost++];

	memset(h, 0, sizeof(*h));
	h->name = strdup(name);
	for (size_t i = 0; i < n; i++)
		assert_true(ip_parse(ips[i], strlen(ips[i]),
		    &h->addr[h->naddr++].ip));
}

static void
free_mx(struct mx_result *mx)
{
	for (size_t i = 0; i < mx->nhost; i++)
		free(mx->host[i].name);
	free(mx->host);
}

static void
test_plan(void **state)
{
	static const char *const many[] = { "198.18.0.1", "198.18.0.2",
	    "198.18.0.3", "2001:67c::1", "198.18.0.4", "2001:67c::2",
	    "2001:67c::3" };
	static const char *const odd[] = { "192.0.2.1", "127.0.0.1", "::1",
	    "224.0.0.1", "2001:db8::1" };
	struct mx_result mx;
	struct transport_result t;
	struct transport_opts o = { 0, false, false };

	(void)state;
	memset(&mx, 0, sizeof(mx));
	mx.host = calloc(4, sizeof(*mx.host));
	assert_non_null(mx.host);
	add_mx(&mx, "mx1.example.com", many, 7);
	add_mx(&mx, "mx2.example.com", odd, 5);
	memset(&t, 0, sizeof(t));
	area_result_init(&t.area);
	transport_init(&t, NULL);
	assert_int_equal(transport_plan(&t, &mx, &o), 0);
	assert_int_equal(t.nhost, 2);
	/* capped at 4, two of each family first, and said so */
	assert_int_equal(t.host[0].n, TRANSPORT_MAX_ADDRS);
	assert_int_equal(t.host[0].naddr_total, 7);
	assert_int_equal(t.probe[0].ip.family, 4);
	assert_int_equal(t.probe[1].ip.family, 4);
	assert_int_equal(t.probe[2].ip.family, 6);
	assert_int_equal(t.probe[3].ip.family, 6);
	for (size_t i = 0; i < 4; i++) {
		assert_false(t.probe[i].skip);
		assert_int_equal(t.probe[i].port, 25);
	}
	/* nothing of the second host is reachable from here */
	for (size_t i = t.host[1].first; i < t.host[1].first + t.host[1].n;
	    i++) {
		assert_true(t.probe[i].skip);
		assert_non_null(t.skip_why[i]);
	}
	assert_non_null(strstr(t.skip_why[t.host[1].first], "documentation"));
	assert_non_null(strstr(t.skip_why[t.host[1].first + 1], "loopback"));
	transport_result_free(&t);

	/* --smtp-port: loopback is probed, documentation still not */
	o.port = 2525;
	o.allow_loopback = true;
	memset(&t, 0, sizeof(t));
	area_result_init(&t.area);
	transport_init(&t, NULL);
	assert_int_equal(transport_plan(&t, &mx, &o), 0);
	assert_true(t.probe[t.host[1].first].skip);
	assert_false(t.probe[t.host[1].first + 1].skip);
	assert_int_equal(t.probe[t.host[1].first + 1].port, 2525);
	transport_result_free(&t);
	free_mx(&mx);
}

/* One host, one probed address that completed TLS with info. */
static void
one_tls(struct transport_result *t, const struct tls_info *ti)
{
	struct ipaddr ip;

	memset(t, 0, sizeof(*t));
	area_result_init(&t->area);
	transport_init(t, NULL);
	assert_true(ip_parse("198.18.0.1", 10, &ip));
	assert_int_equal(transport_add_host(t, "mx.example.com", 25, false,
	    false, &ip, 1, NULL), 0);
	t->probed = true;
	t->probe[0].host = t->host[0].name;
	t->probe[0].connect = SMTP_CONN_OK;
	t->probe[0].greeting_code = 220;
	t->probe[0].ehlo_code = 250;
	t->probe[0].ext = SMTP_EXT_STARTTLS;
	t->probe[0].starttls_code = 220;
	t->probe[0].tls_done = true;
	t->probe[0].tls = *ti;
	t->probe[0].end = SMTP_END_OK;
	t->probe[0].end_step = SMTP_STEP_DONE;
}

static size_t
count_id(const struct diag_list *l, enum diag_id id)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++)
		k += l->v[i].id == id;
	return k;
}

static void
test_judge_mtasts(void **state)
{
	struct transport_result t;
	struct mtasts_result sts;
	struct tls_info ti;
	struct diag_sink sink;

	(void)state;
	memset(&ti, 0, sizeof(ti));
	snprintf(ti.version, sizeof(ti.version), "TLSv1.3");
	ti.has_cert = true;
	ti.verified = true;
	ti.name_match = false;	/* names another host */
	ti.days_left = 60;
	ti.nnames = 1;
	snprintf(ti.names[0], sizeof(ti.names[0]), "other.example");

	/* no policy: a warning */
	one_tls(&t, &ti);
	diag_sink_init(&sink, diag_list_add, &t.area.findings);
	transport_judge(&t, NULL, &sink);
	assert_int_equal(count_id(&t.area.findings,
	    DIAG_TLS_CERT_NAME_MISMATCH), 1);
	assert_int_equal(t.area.findings.n, 1);
	transport_result_free(&t);

	/* enforce: the error, alone */
	memset(&sts, 0, sizeof(sts));
	sts.state = MTASTS_POLICY_OK;
	sts.pol.mode = MTASTS_MODE_ENFORCE;
	one_tls(&t, &ti);
	diag_sink_init(&sink, diag_list_add, &t.area.findings);
	transport_judge(&t, &sts, &sink);
	assert_int_equal(count_id(&t.area.findings,
	    DIAG_TLS_MTA_STS_CERT_INVALID), 1);
	assert_int_equal(t.area.findings.n, 1);
	transport_result_free(&t);

	/* testing: the warning, which says senders report it */
	sts.pol.mode = MTASTS_MODE_TESTING;
	one_tls(&t, &ti);
	diag_sink_init(&sink, diag_list_add, &t.area.findings);
	transport_judge(&t, &sts, &sink);
	assert_int_equal(t.area.findings.n, 1);
	assert_int_equal(t.area.findings.v[0].id, DIAG_TLS_CERT_NAME_MISMATCH);
	assert_non_null(strstr(t.area.findings.v[0].message, "testing"));
	transport_result_free(&t);

	/* a good certificate under enforce: nothing */
	ti.name_match = true;
	sts.pol.mode = MTASTS_MODE_ENFORCE;
	one_tls(&t, &ti);
	diag_sink_init(&sink, diag_list_add, &t.area.findings);
	transport_judge(&t, &sts, &sink);
	assert_int_equal(t.area.findings.n, 0);
	transport_result_free(&t);
}

static void
test_judge_blocked(void **state)
{
	struct transport_result t;
	struct diag_sink sink;
	struct ipaddr ips[2];

	(void)state;
	memset(&t, 0, sizeof(t));
	area_result_init(&t.area);
	transport_init(&t, NULL);
	assert_true(ip_parse("198.18.0.1", 10, &ips[0]));
	assert_true(ip_parse("198.18.0.2", 10, &ips[1]));
	assert_int_equal(transport_add_host(&t, "mx1.example.com", 25, false,
	    false, &ips[0], 1, NULL), 0);
	assert_int_equal(transport_add_host(&t, "mx2.example.com", 25, false,
	    false, &ips[1], 1, NULL), 0);
	t.probed = true;
	t.port25_blocked = true;
	for (size_t i = 0; i < 2; i++) {
		t.probe[i].connect = SMTP_CONN_TIMEOUT;
		t.probe[i].end = SMTP_END_NOT_CONNECTED;
	}
	diag_sink_init(&sink, diag_list_add, &t.area.findings);
	transport_judge(&t, NULL, &sink);
	/* said once, instead of two unreachable servers */
	assert_int_equal(t.area.findings.n, 1);
	assert_int_equal(t.area.findings.v[0].id, DIAG_SMTP_PORT25_BLOCKED);
	transport_result_free(&t);
}

/* A listener on 127.0.0.1 that never greets: the kernel completes each
 * connection, so the pending ones are the dialogues the batch ran. */
static int
listener(unsigned *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static size_t
accepted(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;
	int c;

	while (poll(&p, 1, 0) == 1 && (c = accept(fd, NULL, NULL)) >= 0) {
		close(c);
		n++;
	}
	return n;
}

static void
test_batch(void **state)
{
	static const char *const lo[] = { "127.0.0.1" };
	struct mx_result mx;
	struct transport_result t[3], *v[3];
	struct transport_opts o = { 0, true, false };
	struct smtp_opts so;
	struct transport_batch *b;
	struct ipaddr ip;
	int lfd;

	(void)state;
	lfd = listener(&o.port);
	memset(&so, 0, sizeof(so));
	so.helo = "probe.test";
	so.timeout = 0.3;
	memset(&mx, 0, sizeof(mx));
	mx.host = calloc(2, sizeof(*mx.host));
	assert_non_null(mx.host);
	add_mx(&mx, "mx.example.com", lo, 1);
	assert_non_null(b = transport_batch_new(&so));
	/* the MX callback: started now, and again for a second domain with
	 * the same MX (not run twice), in another case of the name */
	assert_true(ip_parse("127.0.0.1", 9, &ip));
	assert_int_equal(transport_batch_host(b, "mx.example.com", &ip, 1, NULL, &o),
	    0);
	assert_int_equal(transport_batch_host(b, "MX.example.com", &ip, 1, NULL, &o),
	    0);
	for (size_t i = 0; i < 3; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		area_result_init(&t[i].area);
		transport_init(&t[i], NULL);
		assert_int_equal(transport_plan(&t[i], &mx, &o), 0);
		v[i] = &t[i];
	}
	/* a third domain whose MX was never announced early: the seal
	 * finds its dialogue among the others */
	transport_batch_seal(b, v, 3);
	assert_int_equal(transport_batch_collect(b, v, 3), 0);
	transport_batch_free(b);
	assert_int_equal(accepted(lfd), 1);
	for (size_t i = 0; i < 3; i++) {
		const struct smtp_probe *p = &t[i].probe[0];

		assert_true(t[i].probed);
		assert_string_equal(p->host, "mx.example.com");
		assert_int_equal(p->connect, SMTP_CONN_OK);
		assert_int_equal(p->end, SMTP_END_TIMEOUT);
		assert_int_equal(p->end_step, SMTP_STEP_GREETING);
		transport_result_free(&t[i]);
	}

	/* a planned dialogue nobody announced: started at the seal */
	assert_non_null(b = transport_batch_new(&so));
	memset(&t[0], 0, sizeof(t[0]));
	area_result_init(&t[0].area);
	transport_init(&t[0], NULL);
	assert_int_equal(transport_plan(&t[0], &mx, &o), 0);
	transport_batch_seal(b, v, 1);
	assert_int_equal(transport_batch_collect(b, v, 1), 0);
	transport_batch_free(b);
	assert_int_equal(accepted(lfd), 1);
	assert_int_equal(t[0].probe[0].end, SMTP_END_TIMEOUT);
	transport_result_free(&t[0]);
	close(lfd);
	free_mx(&mx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_match),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_judge_mtasts),
		cmocka_unit_test(test_judge_blocked),
		cmocka_unit_test(test_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
