/*
 * test_providers.c -- the provider templates and the record generator:
 * every shipped template loads and validates; every provider's generated
 * SPF record parses (and its Return-Path record too); a combination over
 * 10 lookups is caught, by template costs and by costs resolved through
 * the zone backend; fingerprints recognise real include / MX / CNAME
 * names; broken templates are refused with the file and field named;
 * hostile patterns cannot run away; TXT strings are split correctly;
 * generated DMARC and DKIM records pass their linters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "crypto.h"
#include "diag.h"
#include "dmarc.h"
#include "dns.h"
#include "generate.h"
#include "pattern.h"
#include "providers.h"
#include "spf.h"

#define DATA "data/providers"

static struct provider_set *PS;

static int
setup(void **state)
{
	char err[512];

	(void)state;
	PS = providers_load(DATA, err, sizeof(err));
	if (PS == NULL)
		fprintf(stderr, "load: %s\n", err);
	return PS == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	providers_free(PS);
	return 0;
}

/* A sink that counts findings per ID. */
struct counts {
	unsigned n[DIAG__COUNT];
};

static void
count_cb(void *arg, const struct diag *d)
{
	((struct counts *)arg)->n[d->id]++;
}

static unsigned
errors_of(const struct diag_sink *s)
{
	return (unsigned)s->count[DIAG_ERROR];
}

static void
test_templates_valid(void **state)
{
	size_t n = providers_count(PS), mailbox = 0, sender = 0;

	(void)state;
	assert_true(n >= 25);
	for (size_t i = 0; i < n; i++) {
		const struct provider *p = providers_get(PS, i);

		assert_non_null(p->id);
		assert_non_null(p->name);
		assert_true(strncmp(p->docs, "https://", 8) == 0);
		if (strcmp(p->kind, "mailbox") == 0) {
			mailbox++;
			assert_true(p->nmx > 0);
		} else {
			assert_string_equal(p->kind, "sender");
			sender++;
		}
		assert_true(p->spf_lookups <= 10);
		assert_ptr_equal(providers_find(PS, p->id), p);
		/* Each fingerprint list that exists must recognise the
		 * provider's own published names. */
		for (size_t k = 0; k < p->nspf_includes; k++)
			if (p->nfp[PROVIDER_CLUE_SPF_INCLUDE] > 0)
				assert_ptr_equal(providers_recognise(PS,
				    PROVIDER_CLUE_SPF_INCLUDE,
				    p->spf_includes[k]), p);
	}
	assert_true(mailbox >= 5);
	assert_true(sender >= 15);
	assert_null(providers_get(PS, n));
	assert_null(providers_find(PS, "no-such-provider"));
	assert_non_null(providers_find(PS, "GOOGLE"));
}

/* Each provider alone: the apex record (and any Return-Path TXT record)
 * has no parse error; Return-Path providers stay out of the apex. */
static void
test_each_provider_spf(void **state)
{
	(void)state;
	for (size_t i = 0; i < providers_count(PS); i++) {
		const struct provider *p = providers_get(PS, i);
		struct gen_spf_opts o;
		struct gen_spf_result res;
		struct counts c;
		struct diag_sink sink;
		struct spf_record *sr;
		char err[256];

		memset(&o, 0, sizeof(o));
		memset(&c, 0, sizeof(c));
		o.domain = "example.com";
		o.providers = &p;
		o.nproviders = 1;
		diag_sink_init(&sink, count_cb, &c);
		assert_int_equal(gen_spf(&o, &res, &sink, err, sizeof(err)), 0);
		assert_int_equal(c.n[DIAG_SPF_SYNTAX], 0);
		assert_int_equal(errors_of(&sink), 0);
		sr = spf_parse(res.record, strlen(res.record));
		assert_non_null(sr);
		assert_int_equal(sr->nerrs, 0);
		assert_true(sr->all >= 0);
		spf_record_free(sr);
		if (strcmp(p->spf_where, "apex") == 0) {
			assert_non_null(strstr(res.record, p->spf_includes[0]));
			assert_int_equal(res.lookups, p->spf_lookups);
		} else {
			for (size_t k = 0; k < p->nspf_includes; k++)
				assert_null(strstr(res.record,
				    p->spf_includes[k]));
			assert_int_equal(res.lookups, 0);
			assert_true(res.nrp + res.nnotes == 1);
			for (size_t k = 0; k < res.nrp; k++) {
				assert_true(dns_name_within(res.rp[k].name,
				    "example.com"));
				if (strcmp(res.rp[k].type, "TXT") == 0) {
					sr = spf_parse(res.rp[k].value,
					    strlen(res.rp[k].value));
					assert_int_equal(sr->nerrs, 0);
					spf_record_free(sr);
				}
			}
		}
		gen_spf_result_free(&res);
	}
}

static void
gen_ids(const char *const *ids, size_t n, struct dns_resolver *r,
    const char *const *addrs, size_t naddrs, struct gen_spf_result *res,
    struct counts *c)
{
	const struct provider *p[GEN_MAX_PROVIDERS];
	struct gen_spf_opts o;
	struct diag_sink sink;
	char err[256];

	for (size_t i = 0; i < n; i++)
		assert_non_null(p[i] = providers_find(PS, ids[i]));
	memset(&o, 0, sizeof(o));
	memset(c, 0, sizeof(*c));
	o.domain = "example.com";
	o.providers = p;
	o.nproviders = n;
	o.addrs = addrs;
	o.naddrs = naddrs;
	o.mx = true;
	o.fail = true;
	o.resolver = r;
	diag_sink_init(&sink, count_cb, c);
	assert_int_equal(gen_spf(&o, res, &sink, err, sizeof(err)), 0);
}

static void
test_over_limit_templates(void **state)
{
	static const char *const ids[] = { "google", "microsoft365",
	    "freshdesk", "zoho" };
	static const char *const few[] = { "google", "sendgrid" };
	static const char *const addrs[] = { "192.0.2.0/24", "2001:db8::/32",
	    "198.51.100.7" };
	struct gen_spf_result res;
	struct counts c;

	(void)state;
	/* mx 1 + google 4 + microsoft 2 + freshdesk 3 + zoho 2 = 12 */
	gen_ids(ids, 4, NULL, addrs, 3, &res, &c);
	assert_int_equal(res.lookups, 12);
	assert_false(res.all_live);
	assert_int_equal(c.n[DIAG_SPF_LOOKUP_LIMIT], 1);
	assert_int_equal(c.n[DIAG_SPF_SYNTAX], 0);
	assert_non_null(strstr(res.record, "ip4:192.0.2.0/24 "));
	assert_non_null(strstr(res.record, "ip6:2001:db8::/32 "));
	assert_non_null(strstr(res.record, "ip4:198.51.100.7 "));
	assert_non_null(strstr(res.record, " -all"));
	gen_spf_result_free(&res);

	gen_ids(few, 2, NULL, NULL, 0, &res, &c);
	assert_int_equal(res.lookups, 5);	/* mx + google */
	assert_int_equal(c.n[DIAG_SPF_LOOKUP_LIMIT], 0);
	assert_int_equal(c.n[DIAG_SPF_LOOKUP_NEAR_LIMIT], 0);
	assert_int_equal(res.nrp, 1);
	assert_string_equal(res.rp[0].type, "CNAME");
	assert_string_equal(res.rp[0].name, "em1234.example.com");
	gen_spf_result_free(&res);
}

static void
add_txt(struct dns_resolver *r, const char *owner, const char *text)
{
	struct dns_str s;
	struct dns_rr rr;

	s.p = text;
	s.len = (uint8_t)strlen(text);
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.ttl = 300;
	rr.u.txt.n = 1;
	rr.u.txt.s = &s;
	rr.u.txt.total = s.len;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

/* Costs resolved through a resolver replace the template's, and a tree
 * that grew past the limit is caught even though the templates say 4. */
static void
test_over_limit_live(void **state)
{
	static const char *const ids[] = { "google" };
	struct dns_resolver *r = dns_zone_new();
	struct gen_spf_result res;
	struct counts c;

	(void)state;
	assert_non_null(r);
	add_txt(r, "_spf.google.com", "v=spf1 include:n1.google.test "
	    "include:n2.google.test include:n3.google.test "
	    "include:n4.google.test include:n5.google.test ~all");
	add_txt(r, "n1.google.test", "v=spf1 a:x.google.test mx ~all");
	add_txt(r, "n2.google.test", "v=spf1 ip4:192.0.2.1 ~all");
	add_txt(r, "n3.google.test", "v=spf1 exists:%{i}.e.google.test ~all");
	add_txt(r, "n4.google.test", "v=spf1 ip4:192.0.2.2 ~all");
	add_txt(r, "n5.google.test", "v=spf1 ip4:192.0.2.3 ~all");
	/* 1 (include) + 5 includes + a + mx + exists = 9; + our mx = 10 */
	gen_ids(ids, 1, r, NULL, 0, &res, &c);
	assert_true(res.all_live);
	assert_int_equal(res.terms[1].source, GEN_COST_LIVE);
	assert_int_equal(res.terms[1].cost, 9);
	assert_int_equal(res.lookups, 10);
	assert_int_equal(c.n[DIAG_SPF_LOOKUP_NEAR_LIMIT], 1);
	assert_int_equal(c.n[DIAG_SPF_LOOKUP_LIMIT], 0);
	gen_spf_result_free(&res);

	dns_free(r);
	/* A missing tree falls back to the template's cost. */
	r = dns_zone_new();
	gen_ids(ids, 1, r, NULL, 0, &res, &c);
	assert_false(res.all_live);
	assert_int_equal(res.terms[1].source, GEN_COST_TEMPLATE);
	assert_int_equal(res.terms[1].cost, 4);
	/* ... and the missing record is pointed out. */
	assert_int_equal(res.nnotes, 1);
	assert_non_null(strstr(res.notes[0], "_spf.google.com"));
	assert_non_null(strstr(res.notes[0], "permerror"));
	gen_spf_result_free(&res);
	dns_free(r);
}

static void
test_bad_input(void **state)
{
	static const char *const bad[] = { "192.0.2.0/33" };
	static const char *const bad2[] = { "192.0.2" };
	struct gen_spf_opts o;
	struct gen_spf_result res;
	struct diag_sink sink;
	char err[256];

	(void)state;
	diag_sink_init(&sink, NULL, NULL);
	memset(&o, 0, sizeof(o));
	o.domain = "example.com";
	o.addrs = bad;
	o.naddrs = 1;
	assert_int_equal(gen_spf(&o, &res, &sink, err, sizeof(err)), -1);
	o.addrs = bad2;
	assert_int_equal(gen_spf(&o, &res, &sink, err, sizeof(err)), -1);
	o.naddrs = 0;
	o.domain = "localhost";
	assert_int_equal(gen_spf(&o, &res, &sink, err, sizeof(err)), -1);
	o.domain = "exa mple.com";
	assert_int_equal(gen_spf(&o, &res, &sink, err, sizeof(err)), -1);
	assert_true(gen_valid_domain("Example.COM."));
	assert_false(gen_valid_domain("example.123"));
	assert_false(gen_valid_domain("-a.example.com"));
}

/* The one normalisation the builders and the command share. */
static void
test_domain_norm(void **state)
{
	char d[GEN_DOMAIN_SIZE];
	char in_place[] = "MAIL.Example.ORG.";
	char longest[GEN_DOMAIN_SIZE];

	(void)state;
	assert_true(gen_domain_norm("Example.COM.", d, sizeof(d)));
	assert_string_equal(d, "example.com");
	assert_true(gen_domain_norm(in_place, in_place, sizeof(in_place)));
	assert_string_equal(in_place, "mail.example.org");
	assert_false(gen_domain_norm("nodot", d, sizeof(d)));
	assert_false(gen_domain_norm("example.com", d, 11));
	/* 4 labels of 62 and one of 1: 253 octets, plus the root dot. */
	memset(longest, 'a', 253);
	for (size_t i = 62; i < 253; i += 63)
		longest[i] = '.';
	longest[253] = '.';
	longest[254] = '\0';
	assert_true(gen_domain_norm(longest, d, sizeof(d)));
	assert_int_equal(strlen(d), 253);
}

static void
test_recognise(void **state)
{
	static const struct {
		enum provider_clue clue;
		const char *name, *id;
	} cases[] = {
		{ PROVIDER_CLUE_SPF_INCLUDE, "_spf.google.com", "google" },
		{ PROVIDER_CLUE_SPF_INCLUDE, "_netblocks3.google.com", "google" },
		{ PROVIDER_CLUE_SPF_INCLUDE, "SPF.Protection.Outlook.com.",
		  "microsoft365" },
		{ PROVIDER_CLUE_SPF_INCLUDE, "sendgrid.net", "sendgrid" },
		{ PROVIDER_CLUE_SPF_INCLUDE, "amazonses.com", "amazonses" },
		{ PROVIDER_CLUE_SPF_INCLUDE, "mail.zendesk.com", "zendesk" },
		{ PROVIDER_CLUE_SPF_INCLUDE, "spf.sendinblue.com", "brevo" },
		{ PROVIDER_CLUE_MX, "aspmx.l.google.com", "google" },
		{ PROVIDER_CLUE_MX, "alt2.aspmx.l.google.com.", "google" },
		{ PROVIDER_CLUE_MX, "example-com.mail.protection.outlook.com",
		  "microsoft365" },
		{ PROVIDER_CLUE_MX, "in1-smtp.messagingengine.com", "fastmail" },
		{ PROVIDER_CLUE_MX, "mailsec.protonmail.ch", "proton" },
		{ PROVIDER_CLUE_MX, "mx02.mail.icloud.com", "icloud" },
		{ PROVIDER_CLUE_MX, "feedback-smtp.eu-west-1.amazonses.com",
		  "amazonses" },
		{ PROVIDER_CLUE_CNAME, "s1.domainkey.u1234.wl.sendgrid.net",
		  "sendgrid" },
		{ PROVIDER_CLUE_CNAME, "abcdef123.dkim.amazonses.com",
		  "amazonses" },
		{ PROVIDER_CLUE_CNAME, "fm1.example.com.dkim.fmhosted.com",
		  "fastmail" },
		{ PROVIDER_CLUE_CNAME,
		  "selector1-example-com._domainkey.contoso.onmicrosoft.com",
		  "microsoft365" },
		{ PROVIDER_CLUE_CNAME, "pm.mtasv.net", "postmark" },
	};
	static const struct {
		enum provider_clue clue;
		const char *name;
	} none[] = {
		{ PROVIDER_CLUE_SPF_INCLUDE, "_spf.google.com.evil.example" },
		{ PROVIDER_CLUE_SPF_INCLUDE, "x_spf.google.com" },
		{ PROVIDER_CLUE_MX, "aspmx.l.google.com.evil.example" },
		{ PROVIDER_CLUE_MX, "mail.example.com" },
		{ PROVIDER_CLUE_CNAME, "dkim.amazonses.com.example" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct provider *p = providers_recognise(PS,
		    cases[i].clue, cases[i].name);

		if (p == NULL || strcmp(p->id, cases[i].id) != 0)
			fail_msg("%s: got %s, want %s", cases[i].name,
			    p ? p->id : "none", cases[i].id);
	}
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		if (providers_recognise(PS, none[i].clue, none[i].name) != NULL)
			fail_msg("%s recognised", none[i].name);
	assert_null(providers_recognise(PS, PROVIDER_CLUE_MX, NULL));
}

/* ---- broken templates ---------------------------------------------------- */

static const char good_tpl[] =
"{\"id\": \"t\", \"name\": \"T\", \"kind\": \"sender\",\n"
" \"spf\": {\"includes\": [\"spf.t.example\"], \"where\": \"apex\", "
"\"lookups\": 1},\n"
" \"dkim\": {\"type\": \"txt\", \"selectors\": [\"s1\"], \"target\": null},\n"
" \"mx\": [], \"fingerprints\": {\"spf_include\": [\"^spf\\\\.t\\\\.example$\"],"
" \"mx\": [], \"cname\": []},\n"
" \"docs\": \"https://t.example/docs\", \"unverified\": []}\n";

/* Write text as DIR/t.json (after removing the old one) and load DIR. */
static struct provider_set *
load_text(const char *dir, const char *text, char *err, size_t errsize)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/t.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return providers_load(dir, err, errsize);
}

static char *
replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	assert_non_null(at);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return out;
}

static void
test_broken_templates(void **state)
{
	static const struct {
		const char *from, *to, *want;	/* want: in the message */
	} cases[] = {
		{ "\"apex\"", "\"root\"", "t.json: spf.where" },
		{ "\"lookups\": 1", "\"lookups\": 11", "t.json: spf.lookups" },
		{ "\"lookups\": 1", "\"lookups\": \"1\"", "spf.lookups" },
		{ "\"id\": \"t\"", "\"id\": \"other\"", "t.json: id" },
		{ "\"kind\": \"sender\"", "\"kind\": \"both\"", "t.json: kind" },
		{ "\"mx\": []", "\"mx\": [], \"mx\": []", "invalid JSON" },
		{ "\"unverified\": []", "\"unverfied\": []", "unverfied" },
		{ ", \"unverified\": []", "", "t.json: unverified" },
		{ "^spf", "(spf", "fingerprints.spf_include[0]" },
		{ "\"spf.t.example\"", "\"spf t.example\"", "spf.includes[0]" },
		{ "\"spf.t.example\"", "\"spf.t.123\"", "spf.includes[0]" },
		{ "\"spf.t.example\"", "\"-spf.t.example\"", "spf.includes[0]" },
		/* found by fuzz_provider_template: "_" is no top-label
		 * character (RFC 7208 domain-end) */
		{ "\"spf.t.example\"", "\"spf.t._bad2\"", "spf.includes[0]" },
		{ "\"https://t.example/docs\"", "\"http://t.example\"", "docs" },
		{ "\"kind\": \"sender\"", "\"kind\": \"mailbox\"", "t.json: mx" },
		{ "\"s1\"", "42", "dkim.selectors[0]" },
		{ "\"name\": \"T\"", "\"name\": \"T\\u001b[2J\"", "t.json: name: contains a control" },
		{ "\"txt\"", "\"cname\", \"type\": \"txt\"", "invalid JSON" },
		{ "{\"id\"", "[{\"id\"", "invalid JSON" },
	};
	char dir[] = "/tmp/test_providers.XXXXXX", err[512], path[600];
	struct provider_set *ps;

	(void)state;
	assert_non_null(mkdtemp(dir));
	ps = load_text(dir, good_tpl, err, sizeof(err));
	if (ps == NULL)
		fail_msg("good template refused: %s", err);
	assert_int_equal(providers_count(ps), 1);
	providers_free(ps);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = replace(good_tpl, cases[i].from, cases[i].to);

		err[0] = '\0';
		ps = load_text(dir, t, err, sizeof(err));
		free(t);
		if (ps != NULL) {
			providers_free(ps);
			fail_msg("case %zu accepted", i);
		}
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
			    cases[i].want);
	}
	/* Too big, and an empty directory. */
	{
		char *big = malloc(PROVIDERS_MAX_FILE + 10);

		assert_non_null(big);
		memset(big, ' ', PROVIDERS_MAX_FILE + 9);
		big[PROVIDERS_MAX_FILE + 9] = '\0';
		assert_null(load_text(dir, big, err, sizeof(err)));
		assert_non_null(strstr(err, "64 KiB"));
		free(big);
	}
	/* The same text from memory. */
	ps = providers_load_mem("t.json", good_tpl, strlen(good_tpl), err,
	    sizeof(err));
	assert_non_null(ps);
	providers_free(ps);
	assert_null(providers_load_mem("u.json", good_tpl, strlen(good_tpl),
	    err, sizeof(err)));
	assert_non_null(strstr(err, "u.json: id"));
	snprintf(path, sizeof(path), "%s/t.json", dir);
	unlink(path);
	assert_null(providers_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "no provider templates"));
	rmdir(dir);
	assert_null(providers_load("/nonexistent/dir", err, sizeof(err)));
}

static void
test_default_dir(void **state)
{
	(void)state;
	setenv("AUTHCHECK_DATADIR", "/opt/x", 1);
	assert_string_equal(providers_default_dir(), "/opt/x/providers");
	unsetenv("AUTHCHECK_DATADIR");
	/* The test program lives in build/san/tests: no data/ there, so
	 * the compiled-in directory is used. */
	assert_non_null(strstr(providers_default_dir(), "/providers"));
}

static void
test_pattern(void **state)
{
	char err[200], subject[4096];
	struct pattern *p;

	(void)state;
	p = pattern_compile("^_spf\\.google\\.com$", 19, err, sizeof(err));
	assert_non_null(p);
	assert_true(pattern_match(p, "_SPF.Google.COM", 15));
	assert_false(pattern_match(p, "x_spf.google.com", 16));
	pattern_free(p);
	assert_null(pattern_compile("(", 1, err, sizeof(err)));
	assert_non_null(strstr(err, "offset"));
	/* Catastrophic backtracking hits the match limit: no match, and
	 * the call returns. */
	p = pattern_compile("^(a+)+$", 7, err, sizeof(err));
	assert_non_null(p);
	memset(subject, 'a', sizeof(subject) - 2);
	subject[sizeof(subject) - 2] = 'b';
	subject[sizeof(subject) - 1] = '\0';
	assert_false(pattern_match(p, subject, sizeof(subject) - 1));
	pattern_free(p);
	/* NUL bytes in the subject are data, not an end. */
	p = pattern_compile("a\\x00b", 6, err, sizeof(err));
	assert_non_null(p);
	assert_true(pattern_match(p, "xa\0b", 4));
	pattern_free(p);
}

/* ---- TXT strings, DMARC, DKIM ----------------------------------------------- */

static void
test_txt_strings(void **state)
{
	struct buf b;
	char rec[1200];
	size_t n = 0, len;

	(void)state;
	n += (size_t)snprintf(rec, sizeof(rec), "v=spf1");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(rec + n, sizeof(rec) - n,
		    " ip4:198.51.100.%d", i);
	snprintf(rec + n, sizeof(rec) - n, " ~all");
	len = strlen(rec);
	assert_true(len > 510);
	assert_int_equal(gen_txt_nstrings(rec, len, true), 3);
	for (size_t i = 0; i < len;) {
		size_t k = gen_txt_chunk(rec, len, i, true);

		assert_true(k <= 255);
		if (i + k < len)
			assert_int_equal(rec[i + k - 1], ' ');
		i += k;
	}
	buf_init(&b, 4096);
	gen_txt_strings(&b, "say \"hi\"", 8, false);
	assert_string_equal(buf_str(&b), "\"say \\\"hi\\\"\"");
	buf_reset(&b);
	gen_txt_strings(&b, "", 0, true);
	assert_string_equal(buf_str(&b), "\"\"");
	buf_free(&b);
	/* Without spaces (a DKIM key) the cut falls at 255. */
	memset(rec, 'A', 600);
	assert_int_equal(gen_txt_chunk(rec, 600, 0, false), 255);
	assert_int_equal(gen_txt_nstrings(rec, 600, true), 3);
}

static void
test_dmarc(void **state)
{
	static const char *const rua[] = { "dmarc@example.com",
	    "mailto:Reports@Dmarc.Example.NET" };
	static const char *const bad[] = { "a,b@example.com" };
	struct gen_dmarc_opts o;
	struct gen_dmarc_result res;
	struct dmarc_record dr;
	struct counts c;
	struct diag_sink sink;
	char err[256];

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	o.domain = "example.com";
	o.policy = "quarantine";
	o.sp = "reject";
	o.adkim = "s";
	o.rua = rua;
	o.nrua = 2;
	o.testing = true;
	diag_sink_init(&sink, count_cb, &c);
	assert_int_equal(gen_dmarc(&o, &res, &sink, err, sizeof(err)), 0);
	assert_string_equal(res.rec[0].name, "_dmarc.example.com");
	assert_string_equal(res.rec[0].value, "v=DMARC1; p=quarantine; "
	    "sp=reject; adkim=s; t=y; rua=mailto:dmarc@example.com,"
	    "mailto:Reports@dmarc.example.net");
	assert_int_equal(res.nrec, 2);
	assert_string_equal(res.rec[1].name,
	    "example.com._report._dmarc.dmarc.example.net");
	assert_string_equal(res.rec[1].value, "v=DMARC1");
	assert_int_equal(errors_of(&sink), 0);
	assert_int_equal(c.n[DIAG_DMARC_TESTING], 1);
	assert_int_equal(c.n[DIAG_DMARC_RUA_MISSING], 0);
	/* Round trip through the parser. */
	memset(&dr, 0, sizeof(dr));
	assert_true(dmarc_parse(res.rec[0].value, strlen(res.rec[0].value),
	    &dr, NULL, NULL));
	assert_int_equal(dr.p, DMARC_POLICY_QUARANTINE);
	assert_int_equal(dr.sp, DMARC_POLICY_REJECT);
	assert_int_equal(dr.nuri, 2);
	gen_dmarc_result_free(&res);

	o.rua = bad;
	o.nrua = 1;
	assert_int_equal(gen_dmarc(&o, &res, &sink, err, sizeof(err)), -1);
	o.nrua = 0;
	o.policy = "monitor";
	assert_int_equal(gen_dmarc(&o, &res, &sink, err, sizeof(err)), -1);
	o.policy = "none";
	o.adkim = "x";
	assert_int_equal(gen_dmarc(&o, &res, &sink, err, sizeof(err)), -1);
	o.adkim = NULL;
	memset(&c, 0, sizeof(c));
	assert_int_equal(gen_dmarc(&o, &res, &sink, err, sizeof(err)), 0);
	assert_int_equal(c.n[DIAG_DMARC_POLICY_NONE], 1);
	assert_int_equal(c.n[DIAG_DMARC_RUA_MISSING], 1);
	gen_dmarc_result_free(&res);
}

static void
test_dkim(void **state)
{
	static const struct {
		enum crypto_key_type type;
		unsigned bits, b64len;
	} keys[] = {
		{ CRYPTO_KEY_RSA, 2048, 392 },
		{ CRYPTO_KEY_ED25519, 0, 44 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct crypto_keypair kp;
		struct counts c;
		struct diag_sink sink;
		char err[256], *rec;

		assert_int_equal(crypto_dkim_keygen(keys[i].type, keys[i].bits,
		    &kp, err, sizeof(err)), 0);
		assert_int_equal(strlen(kp.public_b64), keys[i].b64len);
		assert_non_null(strstr(kp.private_pem, "BEGIN PRIVATE KEY"));
		memset(&c, 0, sizeof(c));
		diag_sink_init(&sink, count_cb, &c);
		rec = gen_dkim_record(kp.public_b64,
		    keys[i].type == CRYPTO_KEY_ED25519, &sink,
		    "s._domainkey.example.com");
		assert_non_null(rec);
		assert_int_equal(errors_of(&sink), 0);
		assert_int_equal(sink.count[DIAG_WARNING], 0);
		free(rec);
		crypto_keypair_free(&kp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates_valid),
		cmocka_unit_test(test_each_provider_spf),
		cmocka_unit_test(test_over_limit_templates),
		cmocka_unit_test(test_over_limit_live),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_domain_norm),
		cmocka_unit_test(test_recognise),
		cmocka_unit_test(test_broken_templates),
		cmocka_unit_test(test_default_dir),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_txt_strings),
		cmocka_unit_test(test_dmarc),
		cmocka_unit_test(test_dkim),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
