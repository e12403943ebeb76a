/*
 * test_fixture_ids.c -- every finding ID in the table (src/diag.h) has a
 * fixture that produces it.  Run from the top of the tree.
 *
 * A fixture is a zone file named after the ID:
 *   tests/zones/lint/AREA/ID.zone  served by NSD to the domain report in
 *                                  tests/integration/check_fixtures.sh
 *                                  (every file there); the unit test of the
 *                                  area loads most of them too
 *   tests/zones/zonelint/ID.zone   read by `authcheck zone` in
 *                                  tests/integration/zone_lint.sh (every
 *                                  file there)
 * or, for the few IDs a zone file in the tree cannot carry, the test that
 * makes the fixture when it runs (the list below).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <glob.h>

#include "diag.h"

/*
 * IDs whose fixture is made at test time, and the test that makes it and
 * requires the ID.  Keep it short: an ID that can be shown by DNS data
 * alone gets a zone file instead (and must then leave this list).
 */
static const struct {
	const char *id;
	const char *where;
} made_by_test[] = {
	/* DKIM keys are made with OpenSSL at each run, never pasted: RSA
	 * 512, RSA 1024 and a bare RSAPublicKey (also in zone_lint.sh,
	 * dkim_keys.sh and test_dkim.c) */
	{ "dkim.weak-key", "tests/integration/check_fixtures.sh" },
	{ "dkim.key-under-2048", "tests/integration/check_fixtures.sh" },
	{ "dkim.pkcs1-key", "tests/integration/check_fixtures.sh" },
	/* findings about the policy file, which comes over HTTPS, not DNS:
	 * served by tests/lib/https_server.py (also test_https.c) */
	{ "mta-sts.policy-invalid", "tests/integration/check_mtasts.sh" },
	{ "mta-sts.mx-not-covered", "tests/integration/check_mtasts.sh" },
	{ "mta-sts.testing", "tests/integration/check_mtasts.sh" },
	/* findings about what a mail server says and presents, not DNS:
	 * the scripted servers of tests/lib/smtp_server.py with
	 * certificates made at each run (tests/lib/smtp_certs.sh) */
	{ "smtp.unreachable", "tests/integration/smtp_probe.sh" },
	{ "smtp.address-unreachable", "tests/integration/smtp_probe.sh" },
	{ "smtp.port25-blocked", "tests/integration/smtp_probe.sh" },
	{ "smtp.greeting-refused", "tests/integration/smtp_probe.sh" },
	{ "smtp.timeout", "tests/integration/smtp_probe.sh" },
	{ "smtp.dropped", "tests/integration/smtp_probe.sh" },
	{ "smtp.bad-reply", "tests/integration/smtp_probe.sh" },
	{ "smtp.no-starttls", "tests/integration/smtp_probe.sh" },
	{ "smtp.auth-before-tls", "tests/integration/smtp_probe.sh" },
	{ "tls.handshake-failed", "tests/integration/smtp_probe.sh" },
	{ "tls.cert-untrusted", "tests/integration/smtp_probe.sh" },
	{ "tls.cert-name-mismatch", "tests/integration/smtp_probe.sh" },
	{ "tls.cert-expired", "tests/integration/smtp_probe.sh" },
	{ "tls.cert-expiring", "tests/integration/smtp_probe.sh" },
	{ "tls.old-protocol", "tests/integration/smtp_probe.sh" },
	{ "tls.mta-sts-cert-invalid", "tests/integration/smtp_probe.sh" },
	/* DNSSEC needs signatures made now (ldns-signzone) and a server
	 * that answers with them: tests/lib/dnssec_world.sh and NSD */
	{ "dnssec.bogus", "tests/integration/dnssec.sh" },
	{ "dnssec.insecure", "tests/integration/dnssec.sh" },
	{ "dnssec.indeterminate", "tests/integration/dnssec.sh" },
	/* DANE: TLSA records made at each run from the test certificates
	 * and matched against the scripted servers' chains; a TLSA answer
	 * of an unsigned zone needs a validating resolver, which the zone
	 * backend is not: the signed tree of dnssec_world.sh through NSD */
	{ "dane.mismatch", "tests/integration/dane.sh" },
	{ "dane.bad-usage", "tests/integration/dane.sh" },
	{ "dane.partial", "tests/integration/dane.sh" },
	{ "dane.unusable-tlsa", "tests/integration/dane.sh" },
	{ "dane.full-data", "tests/integration/dane.sh" },
	{ "dane.insecure-tlsa", "tests/integration/dane_dnssec.sh" },
};

#define NMADE (sizeof(made_by_test) / sizeof(made_by_test[0]))

/* The zone fixture of id, if there is one: its path in out. */
static bool
zone_fixture(const char *id, char *out, size_t outsize)
{
	char pat[256];
	glob_t g;
	FILE *f;
	bool found;

	snprintf(out, outsize, "tests/zones/zonelint/%s.zone", id);
	if ((f = fopen(out, "r")) != NULL) {
		fclose(f);
		return true;
	}
	/* IDs are [a-z0-9.-]: nothing in them is a glob character */
	snprintf(pat, sizeof(pat), "tests/zones/lint/*/%s.zone", id);
	found = glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0;
	if (found)
		snprintf(out, outsize, "%s", g.gl_pathv[0]);
	globfree(&g);
	return found;
}

/* True when the file at path contains the string s. */
static bool
file_mentions(const char *path, const char *s)
{
	FILE *f = fopen(path, "r");
	char *text;
	long n = 0;
	bool yes;

	if (f == NULL)
		fail_msg("%s: cannot open", path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		fail_msg("%s: cannot size", path);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		fail_msg("%s: short read", path);
	text[n] = '\0';
	fclose(f);
	yes = strstr(text, s) != NULL;
	free(text);
	return yes;
}

static const char *
made_where(const char *id)
{
	for (size_t i = 0; i < NMADE; i++)
		if (strcmp(made_by_test[i].id, id) == 0)
			return made_by_test[i].where;
	return NULL;
}

/* Every ID has a zone fixture or a test that makes one. */
static void
test_every_id_has_a_fixture(void **state)
{
	char path[512];
	size_t missing = 0;

	(void)state;
	for (int i = 0; i < DIAG__COUNT; i++) {
		const char *id = diag_info((enum diag_id)i)->id;

		if (zone_fixture(id, path, sizeof(path)) ||
		    made_where(id) != NULL)
			continue;
		print_message("%s: no tests/zones/lint/*/%s.zone nor "
		    "tests/zones/zonelint/%s.zone\n", id, id, id);
		missing++;
	}
	if (missing > 0)
		fail_msg("%zu finding IDs without a fixture", missing);
}

/* The list of fixtures made at test time stays true: each entry is a
 * real ID, without a zone fixture, named by the test said to make it. */
static void
test_made_by_test_list(void **state)
{
	char path[512];
	enum diag_id id;

	(void)state;
	for (size_t i = 0; i < NMADE; i++) {
		const char *s = made_by_test[i].id;

		if (!diag_lookup(s, strlen(s), &id))
			fail_msg("%s: not a finding ID", s);
		if (zone_fixture(s, path, sizeof(path)))
			fail_msg("%s has the zone fixture %s: drop it from "
			    "made_by_test", s, path);
		if (!file_mentions(made_by_test[i].where, s))
			fail_msg("%s does not mention %s", made_by_test[i].where,
			    s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_id_has_a_fixture),
		cmocka_unit_test(test_made_by_test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
