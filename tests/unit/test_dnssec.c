/*
 * test_dnssec.c -- the validator (dnssec.c) on the live resolver against
 * the tree tests/lib/dnssec_world.sh signs at each run, served by NSD on
 * loopback: a late TLSA question (what DANE asks) validated on its own,
 * signed denials (NODATA, NXDOMAIN under NSEC and NSEC3), an alias
 * (CNAME) to a signed name, a TLSA in an
 * unsigned zone, an expired zone, the zone keys kept for the run (a
 * second name of a zone costs no DNSKEY question), the verdict written
 * into the answer, the report's items and findings, and the set-up's
 * refusals (no live resolver, a bad anchor file).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "dns.h"
#include "dnssec.h"

static char srvdir[] = "/tmp/authcheck-dnssec.XXXXXX";
static bool have_dir;
static int port;
static char anchor[300];

static int
group_setup(void **state)
{
	char cmd[1200], line[64];
	FILE *f;

	(void)state;
	if (mkdtemp(srvdir) == NULL)
		return -1;
	have_dir = true;
	snprintf(cmd, sizeof(cmd), "sh -c '. tests/lib/servers.sh && "
	    ". tests/lib/dnssec_world.sh && dnssec_world %s' >%s/world.log "
	    "2>&1", srvdir, srvdir);
	if (system(cmd) != 0) {
		fprintf(stderr, "could not sign the test tree (%s/world.log)\n",
		    srvdir);
		return -1;
	}
	snprintf(anchor, sizeof(anchor), "%s/anchor.ds", srvdir);
	snprintf(cmd, sizeof(cmd), "sh tests/lib/servers.sh nsd %s %ld "
	    "test=%s/test.zone.signed .=%s/root.zone.signed "
	    "good.test=%s/good.test.zone.signed plain.test=%s/plain.test.zone "
	    "expired.test=%s/expired.test.zone.signed", srvdir,
	    (long)getpid(), srvdir, srvdir, srvdir, srvdir, srvdir);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) != NULL)
		port = (int)strtol(line, NULL, 10);
	if (pclose(f) != 0 || port <= 0) {
		fprintf(stderr, "could not start NSD\n");
		return -1;
	}
	return 0;
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

struct fixture {
	struct dns_resolver *r;
	struct dnssec_ctx *v;
};

static int
setup(void **state)
{
	static struct fixture fx;
	char srv[32], err[256];
	const char *servers[1] = { srv };
	struct dns_live_opts o = { .servers = servers, .nservers = 1,
	    .timeout = 1, .retries = 2 };

	snprintf(srv, sizeof(srv), "127.0.0.1:%d", port);
	if ((fx.r = dns_live_new(&o, err, sizeof(err))) == NULL)
		return -1;
	if ((fx.v = dnssec_new(fx.r, anchor, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dnssec_new: %s\n", err);
		dns_free(fx.r);
		return -1;
	}
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	dnssec_free(fx->v);
	dns_free(fx->r);
	return 0;
}

/* Ask (name, type), validate it alone; the answer. */
static const struct dns_answer *
check(struct fixture *fx, const char *name, uint16_t type,
    enum dnssec_status want)
{
	struct dns_query *q = dns_submit(fx->r, name, type, NULL, NULL);
	enum dnssec_status st;
	const struct dns_answer *a;

	assert_non_null(q);
	st = dnssec_check(fx->v, q);
	a = dns_answer(q);
	assert_non_null(a);
	if (st != want)
		fail_msg("%s %s: %s (%s), not %s", name, dns_type_name(type),
		    dnssec_status_name(st), a->dnssec_why ? a->dnssec_why :
		    "-", dnssec_status_name(want));
	assert_int_equal(a->dnssec, st);
	return a;
}

/* What DANE asks late, after the report's batch: the TLSA record of a
 * signed MX host, validated on its own.  Secure answers carry no
 * reason. */
static void
test_tlsa_secure(void **state)
{
	const struct dns_answer *a = check(*state, "_25._tcp.mx.good.test",
	    DNS_T_TLSA, DNSSEC_SECURE);

	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->nrr, 1);
	assert_int_equal(a->rr[0].type, DNS_T_TLSA);
	assert_null(a->dnssec_why);
	/* judged: its message is given back, the verdict stays */
	assert_null(a->wire);
	assert_int_equal(dnssec_validate(((struct fixture *)*state)->v,
	    dns_find(((struct fixture *)*state)->r, "_25._tcp.mx.good.test",
	    DNS_T_TLSA)), DNSSEC_SECURE);
}

/* Signed denials: NODATA (NSEC), NXDOMAIN (NSEC), NXDOMAIN in the NSEC3
 * TLD. */
static void
test_denials(void **state)
{
	const struct dns_answer *a;

	a = check(*state, "mx.good.test", DNS_T_AAAA, DNSSEC_SECURE);
	assert_int_equal(a->status, DNS_NODATA);
	a = check(*state, "nothere.good.test", DNS_T_TXT, DNSSEC_SECURE);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	a = check(*state, "nothere.test", DNS_T_TXT, DNSSEC_SECURE);
	assert_int_equal(a->status, DNS_NXDOMAIN);
}

/* An alias: the CNAME and its target's A, both signed; the DS question
 * about the alias (it follows the CNAME) is no zone cut. */
static void
test_cname(void **state)
{
	const struct dns_answer *a = check(*state, "www.good.test", DNS_T_A,
	    DNSSEC_SECURE);

	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->ncname, 1);
	assert_string_equal(a->canon, "mx.good.test");
}

/* A TLSA in an unsigned zone: insecure, with the proof (DANE must ignore
 * it, RFC 7672 §2.2). */
static void
test_tlsa_insecure(void **state)
{
	const struct dns_answer *a = check(*state, "_25._tcp.mx.plain.test",
	    DNS_T_TLSA, DNSSEC_INSECURE);

	assert_non_null(a->dnssec_why);
	assert_string_equal(a->dnssec_why,
	    "no DS for plain.test in test (NSEC3)");
}

static void
test_expired(void **state)
{
	const struct dns_answer *a = check(*state, "expired.test", DNS_T_MX,
	    DNSSEC_BOGUS);

	assert_non_null(a->dnssec_why);
	assert_non_null(strstr(a->dnssec_why, "expired 2020-02-01"));
}

/* The zone keys are kept: after good.test TXT, mx.good.test A adds only
 * the questions about mx.good.test itself (its DS and DNSKEY), never
 * those of ., test or good.test again. */
static void
test_keys_kept(void **state)
{
	struct fixture *fx = *state;
	unsigned long before;

	check(fx, "good.test", DNS_T_TXT, DNSSEC_SECURE);
	before = dns_stats(fx->r)->queries;
	check(fx, "mx.good.test", DNS_T_A, DNSSEC_SECURE);
	assert_int_equal(dns_stats(fx->r)->queries - before, 3);
}

static void
count_cb(void *arg, const struct diag *d)
{
	unsigned *n = arg;

	n[d->id]++;
}

/* The report: one item per answer, one finding per fault (a zone's
 * broken chain is one finding, not one per name). */
static void
test_report(void **state)
{
	struct fixture *fx = *state;
	struct dnssec_report rep;
	struct diag_sink sink;
	static unsigned n[DIAG__COUNT];
	const char *names[] = { "expired.test", "mx.expired.test",
	    "plain.test" };

	memset(&rep, 0, sizeof(rep));
	for (size_t i = 0; i < 3; i++) {
		struct dns_query *q = dns_submit(fx->r, names[i], DNS_T_MX,
		    NULL, NULL);

		dnssec_check(fx->v, q);
		assert_int_equal(dnssec_report_add(&rep, fx->v, q), 0);
		/* twice is once */
		assert_int_equal(dnssec_report_add(&rep, fx->v, q), 0);
	}
	assert_int_equal(rep.n, 3);
	assert_int_equal(rep.item[0].st, DNSSEC_BOGUS);
	assert_int_equal(rep.item[2].st, DNSSEC_INSECURE);
	diag_sink_init(&sink, count_cb, n);
	dnssec_judge(&rep, "x.test", &sink);
	assert_int_equal(n[DIAG_DNSSEC_BOGUS], 1);
	assert_int_equal(n[DIAG_DNSSEC_INSECURE], 1);
	assert_int_equal(n[DIAG_DNSSEC_INDETERMINATE], 0);
	dnssec_report_free(&rep);
}

static void
test_setup_refusals(void **state)
{
	struct dns_resolver *z = dns_zone_new();
	char err[256], bad[400];
	FILE *f;

	(void)state;
	assert_non_null(z);
	assert_null(dnssec_new(z, anchor, err, sizeof(err)));
	assert_non_null(strstr(err, "live resolver"));
	dns_free(z);
	snprintf(bad, sizeof(bad), "%s/empty.anchor", srvdir);
	assert_non_null(f = fopen(bad, "w"));
	fputs("test. 3600 IN A 192.0.2.1\n", f);
	fclose(f);
	z = dns_zone_new();
	assert_null(dnssec_new(z, bad, err, sizeof(err)));
	assert_non_null(strstr(err, "no DS or DNSKEY"));
	dns_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tlsa_secure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_denials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cname, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tlsa_insecure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_report, setup, teardown),
		cmocka_unit_test(test_setup_refusals),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
