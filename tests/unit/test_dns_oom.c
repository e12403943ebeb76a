/*
 * test_dns_oom.c -- running out of memory never loses part of a result
 * silently.  Linked with malloc, calloc, realloc and strdup wrapped (see
 * LDFLAGS_test_dns_oom in the Makefile): while armed, the Nth allocation
 * of our code fails.  For N = 1, 2, ... until a run makes fewer than N
 * allocations, an SPF lint, SPF evaluations (check_host with prefetching)
 * and a domain report over the demo world, the
 * SPF trees of a zone lint (zone_index.c answering them) and lookups on
 * the live backend (NSD on loopback, started by tests/lib/servers.sh)
 * must not crash or leak (ASan), and each result is either the same as
 * the run without failures or says it is incomplete or out of memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "check.h"
#include "diag.h"
#include "dns.h"
#include "providers.h"
#include "render.h"
#include "spf.h"
#include "spf_lint.h"
#include "zone_index.h"
#include "zone_lint.h"

#define DEMO	"data/demo/"

/* ---- the failing allocator ------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static bool armed;
static unsigned long nalloc, fail_at;
/* The zone lint counts only the allocations of its SPF trees: the zone
 * reader's own out-of-memory handling is not what this tests. */
static bool trees_only, in_tree;

/* Count this allocation; true when it is the one to fail. */
static bool
fail_now(void)
{
	return armed && (!trees_only || in_tree) && ++nalloc == fail_at;
}

/* zone_lint.c's SPF trees: the resolver over the index, the lint on it. */
struct dns_resolver *__real_zone_index_resolver_new(
    const struct zone_index *ix, struct zone_index_lookups *lk);
struct dns_resolver *__wrap_zone_index_resolver_new(
    const struct zone_index *ix, struct zone_index_lookups *lk);
int __real_spf_lint_record(struct dns_resolver *r, const char *domain,
    const char *text, size_t len, struct diag_sink *sink,
    struct spf_lint_result *out);
int __wrap_spf_lint_record(struct dns_resolver *r, const char *domain,
    const char *text, size_t len, struct diag_sink *sink,
    struct spf_lint_result *out);

struct dns_resolver *
__wrap_zone_index_resolver_new(const struct zone_index *ix,
    struct zone_index_lookups *lk)
{
	struct dns_resolver *r;

	in_tree = true;
	r = __real_zone_index_resolver_new(ix, lk);
	in_tree = false;
	return r;
}

int
__wrap_spf_lint_record(struct dns_resolver *r, const char *domain,
    const char *text, size_t len, struct diag_sink *sink,
    struct spf_lint_result *out)
{
	int rc;

	in_tree = true;
	rc = __real_spf_lint_record(r, domain, text, len, sink, out);
	in_tree = false;
	return rc;
}

void *
__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

/* Fail allocation number n (0: none) from now on. */
static void
arm(unsigned long n)
{
	nalloc = 0;
	fail_at = n;
	armed = true;
}

/* Stop failing; true when the run reached allocation fail_at. */
static bool
disarm(void)
{
	armed = false;
	return fail_at != 0 && nalloc >= fail_at;
}

/* ---- the world --------------------------------------------------------- */

static const char *const zones[] = {
	DEMO "example.test.zone", DEMO "shop.test.zone",
	DEMO "bulkmail.test.zone", DEMO "mailhost.test.zone",
	DEMO "reverse.zone",
	/* test blocklists (the Reputation area is asked for below) */
	"tests/zones/reputation/world.zone"
};
static const char *const domains[] = {
	"example.test", "shop.test", "bulkmail.test", "mailhost.test",
	"nonexistent.test"
};
#define NDOMAINS (sizeof(domains) / sizeof(domains[0]))

static struct dns_resolver *
world(void)
{
	struct dns_resolver *r = dns_zone_new();
	char err[256];
	size_t i;

	assert_non_null(r);
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (dns_zone_load(r, zones[i], NULL, err, sizeof(err)) != 0)
			fail_msg("%s: %s", zones[i], err);
	return r;
}

/* Text written by fn(out, arg) to a memory stream (malloc'd). */
static char *
capture(int (*fn)(FILE *, const void *), const void *arg)
{
	char *p = NULL;
	size_t len = 0;
	FILE *f;

	/* The stream's own buffers are not what is being tested. */
	assert_non_null(f = open_memstream(&p, &len));
	assert_int_equal(fn(f, arg), 0);
	assert_int_equal(fclose(f), 0);
	return p;
}

/* Fail when got (not flagged) differs from want: where they part. */
static void
assert_same(const char *what, unsigned long n, const char *got,
    const char *want)
{
	size_t i = 0;

	if (strcmp(got, want) == 0)
		return;
	while (got[i] == want[i])
		i++;
	i = i > 200 ? i - 200 : 0;
	fail_msg("allocation %lu failed: %s changed without incomplete or "
	    "oom:\n...%.400s\nwant:\n...%.400s", n, what, got + i, want + i);
}

/* One run with allocation n failing: its output, NULL when the run said it
 * was incomplete or out of memory; *reached whether allocation n came. */
typedef char *run_fn(unsigned long n, bool *reached);

/* Run with allocation 1, 2, ... failing until a run makes fewer
 * allocations; each output must be the unfailed one unless flagged. */
static void
fail_each(const char *what, run_fn *run)
{
	char *want, *got;
	unsigned long n, flagged = 0;
	bool reached;

	assert_non_null(want = run(0, &reached));
	for (n = 1;; n++) {
		got = run(n, &reached);
		if (!reached) {
			assert_non_null(got);
			assert_string_equal(got, want);
			free(got);
			break;
		}
		if (got == NULL)
			flagged++;
		else
			assert_same(what, n, got, want);
		free(got);
	}
	print_message("%s: %lu allocations, %lu runs flagged\n", what, n - 1,
	    flagged);
	free(want);
}

/* ---- SPF lint (spf_lint.c over the zone backend) ------------------------ */

struct spf_run {
	struct spf_lint_result res;
	struct diag_list l;
	int rc;
};

static int
render_spf(FILE *out, const void *arg)
{
	const struct spf_run *s = arg;

	return render_json_spf_lint(out, "example.test", &s->res, &s->l);
}

/* One SPF lint with allocation n failing; its JSON (NULL when the lint
 * said it ran out of memory or was incomplete), *reached whether the
 * failure happened. */
static char *
spf_once(unsigned long n, bool *reached)
{
	struct dns_resolver *r = world();
	struct diag_sink sink;
	struct spf_run s;
	char *json = NULL;

	memset(&s, 0, sizeof(s));
	diag_list_init(&s.l, 1000);
	diag_sink_init(&sink, diag_list_add, &s.l);
	arm(n);
	s.rc = spf_lint(r, "example.test", &sink, &s.res);
	*reached = disarm();
	if (s.rc == 0 && !s.res.area.incomplete && !s.l.oom)
		json = capture(render_spf, &s);
	spf_lint_result_free(&s.res);
	diag_list_free(&s.l);
	dns_free(r);
	return json;
}

static void
test_spf_lint(void **state)
{
	(void)state;
	fail_each("the SPF lint", spf_once);
}

/* ---- SPF evaluation (spf_eval.c over the zone backend) ----------------- */

/* mx match; fail with the exp= explanation (macros); ptr (validated
 * names), includes and a softfail. */
static const struct {
	const char *domain, *ip;
} eval_cases[] = {
	{ "example.test", "192.0.2.25" },
	{ "example.test", "203.0.113.7" },
	{ "shop.test", "192.0.2.25" },
	{ "shop.test", "2001:db8:1::25" },
	{ "bulkmail.test", "198.51.100.77" },
};
#define NEVAL (sizeof(eval_cases) / sizeof(eval_cases[0]))

struct eval_run {
	struct spf_eval_result res[NEVAL];
};

static int
render_evals(FILE *out, const void *arg)
{
	const struct eval_run *er = arg;
	struct render_spf_eval e;
	size_t i;

	for (i = 0; i < NEVAL; i++) {
		memset(&e, 0, sizeof(e));
		e.domain = eval_cases[i].domain;
		e.ip = eval_cases[i].ip;
		e.sender = "postmaster";
		/* Not e.queries: a prefetch lost to a failed allocation
		 * changes how many questions were asked, not the result. */
		e.res = &er->res[i];
		if (render_json_spf_eval(out, &e) != 0)
			return -1;
	}
	return 0;
}

/* Every evaluation with allocation n failing (each on a fresh resolver);
 * NULL when one failed internally or came out temperror. */
static char *
eval_once(unsigned long n, bool *reached)
{
	struct eval_run *er = calloc(1, sizeof(*er));
	struct dns_resolver *r[NEVAL];
	struct spf_eval_opts o;
	char *out = NULL;
	bool flagged = false;
	size_t i;

	assert_non_null(er);
	for (i = 0; i < NEVAL; i++)
		r[i] = world();
	arm(n);
	for (i = 0; i < NEVAL; i++) {
		memset(&o, 0, sizeof(o));
		assert_true(ip_parse(eval_cases[i].ip,
		    strlen(eval_cases[i].ip), &o.ip));
		o.domain = eval_cases[i].domain;
		o.sender = "postmaster";
		o.helo = "client.test";
		if (spf_check_host(r[i], &o, &er->res[i]) != 0 ||
		    er->res[i].result == SPF_TEMPERROR)
			flagged = true;
	}
	*reached = disarm();
	if (!flagged)
		out = capture(render_evals, er);
	for (i = 0; i < NEVAL; i++) {
		spf_eval_result_free(&er->res[i]);
		dns_free(r[i]);
	}
	free(er);
	return out;
}

static void
test_spf_eval(void **state)
{
	(void)state;
	fail_each("the SPF evaluation", eval_once);
}

/* ---- the domain report (check.c and every check over the zone backend) - */

struct report_run {
	struct check_result res[NDOMAINS];
};

static int
render_report(FILE *out, const void *arg)
{
	const struct report_run *rr = arg;
	size_t i;

	for (i = 0; i < NDOMAINS; i++)
		if (render_json_check(out, &rr->res[i]) != 0)
			return -1;
	return 0;
}

/* A provider the demo world's SPF includes and MX name: recognising it
 * adds DKIM selectors from inside the answers' callbacks. */
static const char provider_json[] =
    "{\"id\": \"mailhost\", \"name\": \"Mailhost\", \"kind\": \"mailbox\",\n"
    " \"spf\": {\"includes\": [\"_spf.mailhost.test\"], \"where\": \"apex\",\n"
    "  \"lookups\": 2},\n"
    " \"dkim\": {\"type\": \"txt\", \"selectors\": [\"mh1\", \"mh2\"]},\n"
    " \"mx\": [\"mx.mailhost.test\"],\n"
    " \"fingerprints\": {\"spf_include\": [\"^_spf\\\\.mailhost\\\\.test$\"],\n"
    "  \"mx\": [\"mailhost\\\\.test$\"], \"cname\": []},\n"
    " \"docs\": \"https://mailhost.test/\", \"unverified\": []}\n";

/* The reports of every domain with allocation n failing, as JSON Lines;
 * NULL when a report said it is incomplete or ran out of memory. */
static char *
report_once(unsigned long n, bool *reached)
{
	static const char *const common[] = { "mail", "default", "s1" };
	struct dns_resolver *r = world();
	struct report_run *rr = calloc(1, sizeof(*rr));
	struct provider_set *ps;
	struct bl_set *bl;
	char err[256];
	struct check_opts o;
	char *json = NULL;
	bool flagged;
	size_t i;
	int rc;

	assert_non_null(rr);
	if ((ps = providers_load_mem("mailhost.json", provider_json,
	    sizeof(provider_json) - 1, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	if ((bl = blocklist_load("tests/zones/reputation/blocklists.json",
	    err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	memset(&o, 0, sizeof(o));
	o.reputation.lists = bl;
	o.reputation.all_lists = true;
	o.common_selectors = common;
	o.ncommon = sizeof(common) / sizeof(common[0]);
	o.providers = ps;
	arm(n);
	rc = check_run(r, domains, NDOMAINS, &o, rr->res);
	*reached = disarm();
	flagged = rc != 0;
	for (i = 0; i < NDOMAINS; i++)
		flagged = flagged || rr->res[i].incomplete || rr->res[i].oom;
	if (!flagged)
		json = capture(render_report, rr);
	for (i = 0; i < NDOMAINS; i++)
		check_free(&rr->res[i]);
	free(rr);
	providers_free(ps);
	blocklist_free(bl);
	dns_free(r);
	return json;
}

static void
test_domain_report(void **state)
{
	(void)state;
	fail_each("the report", report_once);
}

/* ---- zone lint (zone_lint.c over zone_index.c) -------------------------- */

/* SPF trees inside the zone (include, redirect, a, mx, exists, exp, a
 * CNAME, a wildcard), names outside it, and the other record kinds. */
static const char zone_text[] =
    "$ORIGIN t.test.\n"
    "$TTL 300\n"
    "@ SOA ns h 1 2 3 4 5\n"
    "@ NS ns\n"
    "ns A 192.0.2.1\n"
    "@ MX 10 mx1\n"
    "@ MX 20 mx2\n"
    "mx1 A 192.0.2.25\n"
    "mx2 CNAME mx1\n"
    "@ TXT \"v=spf1 mx a:mx1.t.test include:_s1.t.test "
    "include:_s2.t.test exists:%{i}.e.t.test redirect=_r.t.test\" "
    "\" exp=why.t.test\"\n"
    "@ TXT \"google-site-verification=abc\"\n"
    "why TXT \"not allowed\"\n"
    "_s1 TXT \"v=spf1 ip4:192.0.2.0/24 include:_s3.t.test ?all\"\n"
    "_s2 CNAME _s2b\n"
    "_s2b TXT \"v=spf1 a:x.w.t.test include:example.test -all\"\n"
    "_s3 TXT \"v=spf1 a:nope.t.test mx:mx1.t.test include:_s1.t.test "
    "include:far.example ~all\"\n"
    "*.w A 192.0.2.9\n"
    "_r TXT \"v=spf1 ptr a -all\"\n"
    "_dmarc TXT \"v=DMARC1; p=none\"\n"
    "sel._domainkey TXT \"v=DKIM1; p=\"\n"
    "_mta-sts TXT \"v=STSv1; id=1\"\n"
    "x TXT \"v=spf1\" \"mx -all\"\n";

static void
print_findings(FILE *out, const struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		fprintf(out, "%s %s:%lu %s | %s | %s\n",
		    diag_info(l->v[i].id)->id, l->v[i].file ? l->v[i].file :
		    "", l->v[i].line, l->v[i].domain ? l->v[i].domain : "",
		    l->v[i].message ? l->v[i].message : "",
		    l->v[i].fix ? l->v[i].fix : "");
}

static int
render_zone(FILE *out, const void *arg)
{
	print_findings(out, arg);
	return 0;
}

/* The findings of a zone lint with allocation n failing (outside: the
 * resolver for names outside the zone, or NULL); NULL when flagged. */
static char *
zone_once(unsigned long n, bool outside, bool *reached)
{
	struct dns_resolver *r = outside ? world() : NULL;
	struct zone_lint_opts o;
	struct zone_lint_stats st;
	struct diag_sink sink;
	struct diag_list l;
	char *out = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.outside = r;
	diag_list_init(&l, 1000);
	diag_sink_init(&sink, diag_list_add, &l);
	trees_only = true;
	arm(n);
	rc = zone_lint_mem(zone_text, sizeof(zone_text) - 1, "t.test.zone",
	    &o, &sink, &st);
	*reached = disarm();
	trees_only = false;
	if (rc == 0 && !st.incomplete && !l.oom && !sink.oom)
		out = capture(render_zone, &l);
	diag_list_free(&l);
	dns_free(r);
	return out;
}

static char *
zone_offline_once(unsigned long n, bool *reached)
{
	return zone_once(n, false, reached);
}

static char *
zone_outside_once(unsigned long n, bool *reached)
{
	return zone_once(n, true, reached);
}

static void
test_zone_lint_offline(void **state)
{
	(void)state;
	fail_each("the zone lint (offline)", zone_offline_once);
}

static void
test_zone_lint_outside(void **state)
{
	(void)state;
	fail_each("the zone lint (outside names resolved)", zone_outside_once);
}

/* ---- the live backend (dns_live.c) ------------------------------------ */

static char srvdir[] = "/tmp/authcheck-dnsoom.XXXXXX";
static bool have_dir;
static int nsd_port;

static int
live_setup(void **state)
{
	char cmd[512], line[64];
	FILE *f;

	(void)state;
	if (mkdtemp(srvdir) == NULL)
		return -1;
	have_dir = true;
	snprintf(cmd, sizeof(cmd), "sh tests/lib/servers.sh nsd %s %ld "
	    "live.test=tests/zones/live.test.zone "
	    "other.test=tests/zones/other.test.zone", srvdir, (long)getpid());
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) != NULL)
		nsd_port = (int)strtol(line, NULL, 10);
	if (pclose(f) != 0 || nsd_port <= 0) {
		fprintf(stderr, "could not start: %s\n", cmd);
		return -1;
	}
	return 0;
}

static int
live_teardown(void **state)
{
	char cmd[256];

	(void)state;
	if (!have_dir)
		return 0;
	snprintf(cmd, sizeof(cmd), "sh tests/lib/servers.sh stop %s", srvdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Answers of every shape: records, a CNAME chain, a CNAME to a missing
 * name and one into another zone (asked again), NODATA, NXDOMAIN. */
static const struct {
	const char *name;
	uint16_t type;
} live_qs[] = {
	{ "live.test", DNS_T_A }, { "live.test", DNS_T_AAAA },
	{ "live.test", DNS_T_MX }, { "live.test", DNS_T_TXT },
	{ "c1.live.test", DNS_T_TXT }, { "dangling.live.test", DNS_T_A },
	{ "outside.live.test", DNS_T_A }, { "nodata.live.test", DNS_T_TXT },
	{ "nonexistent.live.test", DNS_T_A }, { "ptr.live.test", DNS_T_PTR },
	{ "bin.live.test", DNS_T_TXT }
};
#define NLIVE (sizeof(live_qs) / sizeof(live_qs[0]))

struct live_run {
	const struct dns_answer *a[NLIVE];
};

static int
render_live(FILE *out, const void *arg)
{
	const struct live_run *lr = arg;
	char text[IP_STRLEN];
	size_t i, j, k;

	for (i = 0; i < NLIVE; i++) {
		const struct dns_answer *a = lr->a[i];

		fprintf(out, "%s/%s: %s canon %s after %zu, %zu RRs\n",
		    a->qname, dns_type_name(a->qtype),
		    dns_status_name(a->status), a->canon, a->ncname, a->nrr);
		for (j = 0; j < a->nrr; j++) {
			const struct dns_rr *rr = &a->rr[j];

			fprintf(out, "  %s %s ", rr->owner,
			    dns_type_name(rr->type));
			switch (rr->type) {
			case DNS_T_A:
			case DNS_T_AAAA:
				ip_format(&rr->u.addr, text, sizeof(text));
				fprintf(out, "%s", text);
				break;
			case DNS_T_MX:
				fprintf(out, "%u %s", rr->u.mx.pref,
				    rr->u.mx.host);
				break;
			case DNS_T_TXT:
				for (k = 0; k < rr->u.txt.n; k++)
					fprintf(out, "[%.*s]",
					    (int)rr->u.txt.s[k].len,
					    rr->u.txt.s[k].p);
				break;
			default:
				fprintf(out, "%s", rr->u.target);
			}
			fputc('\n', out);
		}
	}
	return 0;
}

/* The answers with allocation n failing; NULL when one of them (or the
 * resolver) says it failed: a DNS failure status is what callers see. */
static char *
live_once(unsigned long n, bool *reached)
{
	char srv[32], err[256];
	const char *servers[1] = { srv };
	struct dns_live_opts o = { .servers = servers, .nservers = 1,
	    .timeout = 2.0, .retries = 1 };
	struct dns_query *q[NLIVE];
	struct dns_resolver *r;
	struct live_run lr;
	char *out = NULL;
	bool flagged = false;
	size_t i;

	snprintf(srv, sizeof(srv), "127.0.0.1:%d", nsd_port);
	arm(n);
	if ((r = dns_live_new(&o, err, sizeof(err))) != NULL) {
		for (i = 0; i < NLIVE; i++)
			q[i] = dns_submit(r, live_qs[i].name, live_qs[i].type,
			    NULL, NULL);
		dns_run(r);
	}
	*reached = disarm();
	if (r == NULL)
		return NULL;
	for (i = 0; i < NLIVE; i++) {
		if (q[i] == NULL || (lr.a[i] = dns_answer(q[i])) == NULL ||
		    lr.a[i]->status == DNS_ERROR ||
		    lr.a[i]->status == DNS_TIMEOUT)
			flagged = true;
	}
	if (!flagged)
		out = capture(render_live, &lr);
	dns_free(r);
	return out;
}

static void
test_live_lookups(void **state)
{
	(void)state;
	fail_each("the live answers", live_once);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spf_lint),
		cmocka_unit_test(test_spf_eval),
		cmocka_unit_test(test_domain_report),
		cmocka_unit_test(test_zone_lint_offline),
		cmocka_unit_test(test_zone_lint_outside),
		cmocka_unit_test_setup_teardown(test_live_lookups, live_setup,
		    live_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
