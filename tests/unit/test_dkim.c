/*
 * test_dkim.c -- DKIM key records: the tag-list parser and its spans, the
 * lint of every tag, keys of every size and form, and the selector lookup
 * through the zone backend (CNAME delegation, several records, missing
 * selectors, _domainkey NXDOMAIN).
 *
 * Keys are generated here, at test time, with OpenSSL (RSA 512, 1024,
 * 2048, 4096 and Ed25519); none is pasted from elsewhere.  The fixtures in
 * tests/zones/lint/dkim/ are named after the finding they trigger and hold
 * no key material.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto.h"
#include "diag.h"
#include "dkim.h"
#include "dns.h"

#define FIXTURES "tests/zones/lint/dkim/"

/* Base64 texts of the generated keys. */
static struct {
	char *rsa512, *rsa1024, *rsa2048, *rsa4096;	/* SPKI */
	char *pkcs1_2048;				/* RSAPublicKey */
	char *ed_raw, *ed_spki;
} K;

static char *
b64(const unsigned char *der, int n)
{
	char *out = malloc((size_t)(n + 2) / 3 * 4 + 1);

	assert_non_null(out);
	EVP_EncodeBlock((unsigned char *)out, der, n);
	return out;
}

/* i2d into a malloc'd base64 string: spki or PKCS#1. */
static char *
key_b64(EVP_PKEY *pk, int pkcs1)
{
	unsigned char *der = NULL;
	int n = pkcs1 ? i2d_PublicKey(pk, &der) : i2d_PUBKEY(pk, &der);
	char *s;

	assert_true(n > 0);
	s = b64(der, n);
	OPENSSL_free(der);
	return s;
}

static EVP_PKEY *
gen_rsa(unsigned bits)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);

	assert_non_null(pk);
	return pk;
}

static int
gen_keys(void **state)
{
	unsigned char raw[32];
	size_t rawlen = sizeof(raw);
	EVP_PKEY *pk;

	(void)state;
	pk = gen_rsa(512);
	K.rsa512 = key_b64(pk, 0);
	EVP_PKEY_free(pk);
	pk = gen_rsa(1024);
	K.rsa1024 = key_b64(pk, 0);
	EVP_PKEY_free(pk);
	pk = gen_rsa(2048);
	K.rsa2048 = key_b64(pk, 0);
	K.pkcs1_2048 = key_b64(pk, 1);
	EVP_PKEY_free(pk);
	pk = gen_rsa(4096);
	K.rsa4096 = key_b64(pk, 0);
	EVP_PKEY_free(pk);
	pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (pk == NULL || EVP_PKEY_get_raw_public_key(pk, raw, &rawlen) != 1)
		return -1;
	K.ed_raw = b64(raw, (int)rawlen);
	K.ed_spki = key_b64(pk, 0);
	EVP_PKEY_free(pk);
	return 0;
}

static int
free_keys(void **state)
{
	(void)state;
	free(K.rsa512);
	free(K.rsa1024);
	free(K.rsa2048);
	free(K.rsa4096);
	free(K.pkcs1_2048);
	free(K.ed_raw);
	free(K.ed_spki);
	return 0;
}

/* ---- helpers --------------------------------------------------------- */

static size_t
count_id(const struct diag_list *l, enum diag_id id)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			n++;
	return n;
}

static size_t
count_sev(const struct diag_list *l, enum diag_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if (diag_info(l->v[i].id)->severity == sev)
			n++;
	return n;
}

static const struct diag *
find_id(const struct diag_list *l, enum diag_id id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return &l->v[i];
	fail_msg("finding %s not reported", diag_info(id)->id);
	return NULL;
}

static void
dump(const struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		fprintf(stderr, "  %s: %s\n", diag_info(l->v[i].id)->id,
		    l->v[i].message ? l->v[i].message : "");
}

/* Lint text (a C string, so the test reads naturally) into l. */
static void
lint(const char *text, struct dkim_key *key, struct diag_list *l)
{
	struct diag_sink sink;
	struct diag ctx;

	diag_list_init(l, 64);
	diag_sink_init(&sink, diag_list_add, l);
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = "sel._domainkey.example.test";
	ctx.record = text;
	ctx.record_len = strlen(text);
	assert_int_equal(dkim_lint(text, strlen(text), key, &sink, &ctx), 0);
}

/* Lint and expect exactly `want` (DIAG__COUNT = no finding at all).
 * These records use an empty p= to test the other tags without a key, so
 * dkim.revoked is expected alongside and not counted. */
static void
expect_only(const char *text, enum diag_id want)
{
	struct dkim_key key;
	struct diag_list l;
	size_t other;

	lint(text, &key, &l);
	other = l.n - (want == DIAG_DKIM_REVOKED ? 0 :
	    count_id(&l, DIAG_DKIM_REVOKED));
	if (want == DIAG__COUNT ? other != 0 :
	    (other != 1 || count_id(&l, want) != 1)) {
		fprintf(stderr, "record: %s\n", text);
		dump(&l);
		fail_msg("want only %s", want == DIAG__COUNT ? "nothing" :
		    diag_info(want)->id);
	}
	diag_list_free(&l);
}

static char *
record(const char *prefix, const char *p, const char *suffix)
{
	size_t n = strlen(prefix) + strlen(p) + strlen(suffix) + 1;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s%s%s", prefix, p, suffix);
	return s;
}

/* ---- parser ---------------------------------------------------------- */

static void
test_parse_spans(void **state)
{
	/* Folding whitespace around '=' and ';', one trailing ';'. */
	static const char text[] = " v = DKIM1 ;\r\n\tk=rsa;  x_y1 = a b ;"
	    " p = AB CD ; ";
	struct dkim_record rec;
	struct diag_sink sink;

	(void)state;
	diag_sink_init(&sink, NULL, NULL);
	dkim_parse(text, sizeof(text) - 1, &rec, &sink, NULL);
	assert_true(rec.syntax_ok);
	assert_int_equal(sink.count[DIAG_ERROR], 0);
	assert_int_equal(rec.ntags, 4);
	assert_true(rec.tag[DKIM_TAG_V].present);
	assert_int_equal(rec.tag[DKIM_TAG_V].value.off, 5);
	assert_int_equal(rec.tag[DKIM_TAG_V].value.len, 5);
	assert_int_equal(rec.tag[DKIM_TAG_K].value.len, 3);
	assert_memory_equal(text + rec.tag[DKIM_TAG_K].value.off, "rsa", 3);
	/* Whitespace inside the value is kept, around it trimmed. */
	assert_int_equal(rec.tag[DKIM_TAG_P].value.len, 5);
	assert_memory_equal(text + rec.tag[DKIM_TAG_P].value.off, "AB CD",
	    5);
	assert_int_equal(rec.tag[DKIM_TAG_P].index, 3);
	assert_false(rec.tag[DKIM_TAG_H].present);
}

static void
test_parse_not_nul_terminated(void **state)
{
	/* The parser reads only p[0..len): the bytes after are garbage. */
	char buf[16];
	struct dkim_record rec;
	struct diag_sink sink;

	(void)state;
	memcpy(buf, "p=;k=rsa XXXXXX", 16);
	diag_sink_init(&sink, NULL, NULL);
	dkim_parse(buf, 2, &rec, &sink, NULL);
	assert_true(rec.syntax_ok);
	assert_true(rec.tag[DKIM_TAG_P].present);
	assert_int_equal(rec.tag[DKIM_TAG_P].value.len, 0);
	assert_false(rec.tag[DKIM_TAG_K].present);
}

static void
test_syntax(void **state)
{
	static const char *const bad[] = {
		"v=DKIM1; p=; p=",		/* duplicate tag */
		"k=rsa; v=DKIM1; p=",		/* v not first */
		"v=DKIM2; p=",			/* v not DKIM1 */
		"v=dkim1; p=",			/* values are case-sensitive */
		"v=DKIM1; k=rsa",		/* p absent */
		"",				/* empty record */
		"v=DKIM1;; p=",			/* empty tag-spec */
		"v=DKIM1; p=;;",		/* two trailing ';' */
		"v=DKIM1; 1x=2; p=",		/* tag name not ALPHA */
		"v=DKIM1; p",			/* no '=' */
		"v=DKIM1; n=caf\xc3\xa9; p=",	/* non-ASCII value */
	};
	struct dkim_key key;
	struct diag_list l;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lint(bad[i], &key, &l);
		if (count_id(&l, DIAG_DKIM_SYNTAX) == 0) {
			dump(&l);
			fail_msg("no dkim.syntax for '%s'", bad[i]);
		}
		diag_list_free(&l);
	}
}

static void
test_syntax_span(void **state)
{
	static const char text[] = "v=DKIM1; p=; n=x; p=";
	struct dkim_key key;
	struct diag_list l;
	const struct diag *d;

	(void)state;
	lint(text, &key, &l);
	d = find_id(&l, DIAG_DKIM_SYNTAX);
	assert_true(d->has_span);
	assert_int_equal(d->span.off, 18);	/* the second "p" */
	assert_int_equal(d->span.len, 1);
	assert_string_equal(d->domain, "sel._domainkey.example.test");
	diag_list_free(&l);
}

static void
test_tags(void **state)
{
	(void)state;
	/* Unknown tags and n= are ignored; no v= is fine. */
	expect_only("zz=1; n=a note; p=", DIAG_DKIM_REVOKED);
	expect_only("v=DKIM1; p=", DIAG_DKIM_REVOKED);
	expect_only("v=DKIM1; h=sha1; p=", DIAG_DKIM_SHA1_ONLY);
	expect_only("v=DKIM1; h=md5; p=", DIAG_DKIM_SHA1_ONLY);
	expect_only("v=DKIM1; h=sha1 : sha256; p=", DIAG_DKIM_REVOKED);
	expect_only("v=DKIM1; s=email; p=", DIAG_DKIM_REVOKED);
	expect_only("v=DKIM1; s=*; p=", DIAG_DKIM_REVOKED);
	expect_only("v=DKIM1; s=tlsrpt:foo; p=",
	    DIAG_DKIM_SERVICE_NOT_EMAIL);
	expect_only("v=DKIM1; t=s; p=", DIAG_DKIM_REVOKED);
	expect_only("v=DKIM1; k=dsa; p=AAAA", DIAG_DKIM_UNKNOWN_KEY_TYPE);
	expect_only("v=DKIM1; h=; p=", DIAG_DKIM_SYNTAX);
}

static void
test_testing_flag(void **state)
{
	struct dkim_key key;
	struct diag_list l;

	(void)state;
	lint("v=DKIM1; t=s:y; p=", &key, &l);
	assert_true(key.testing);
	assert_true(key.revoked);
	assert_int_equal(count_id(&l, DIAG_DKIM_TESTING), 1);
	diag_list_free(&l);
}

static void
test_base64(void **state)
{
	struct dkim_key key;
	struct diag_list l;
	const struct diag *d;
	static const char bad_char[] = "v=DKIM1; p=AAAA!AAA";

	(void)state;
	lint(bad_char, &key, &l);
	d = find_id(&l, DIAG_DKIM_INVALID_KEY);
	assert_int_equal(d->span.off, 15);	/* the '!' */
	diag_list_free(&l);
	expect_only("v=DKIM1; p=AAAAA", DIAG_DKIM_INVALID_KEY);
	expect_only("v=DKIM1; p=AA=A", DIAG_DKIM_INVALID_KEY);
	/* Valid base64, not a key. */
	expect_only("v=DKIM1; p=bm90IGEga2V5", DIAG_DKIM_INVALID_KEY);
	expect_only("v=DKIM1; k=ed25519; p=bm90IGEga2V5",
	    DIAG_DKIM_INVALID_KEY);
}

static void
test_base64_decoder(void **state)
{
	unsigned char *out;
	size_t n, bad;

	(void)state;
	assert_int_equal(crypto_base64_decode("aGVs\r\n bG8=", 11, 100, &out,
	    &n, &bad), CRYPTO_B64_OK);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "hello", 5);
	free(out);
	assert_int_equal(crypto_base64_decode("aGVsbG8=", 8, 4, &out, &n,
	    &bad), CRYPTO_B64_TOO_LONG);
	assert_int_equal(crypto_base64_decode("aG=s", 4, 100, &out, &n,
	    &bad), CRYPTO_B64_BAD);
	assert_int_equal(bad, 3);
	assert_int_equal(crypto_base64_decode("aGVsb", 5, 100, &out, &n,
	    &bad), CRYPTO_B64_BAD);
	assert_int_equal(bad, 5);
}

/* ---- keys ------------------------------------------------------------ */

static void
expect_key(const char *prefix, const char *p, enum diag_id want,
    unsigned bits)
{
	char *text = record(prefix, p, "");
	struct dkim_key key;
	struct diag_list l;

	lint(text, &key, &l);
	if (want == DIAG__COUNT ? l.n != 0 : count_id(&l, want) != 1) {
		dump(&l);
		fail_msg("%s: want %s", text, want == DIAG__COUNT ? "nothing" :
		    diag_info(want)->id);
	}
	assert_int_equal(key.bits, bits);
	assert_int_equal(key.decoded, bits != 0);
	diag_list_free(&l);
	free(text);
}

static void
test_rsa_sizes(void **state)
{
	(void)state;
	expect_key("v=DKIM1; k=rsa; p=", K.rsa512, DIAG_DKIM_WEAK_KEY, 512);
	expect_key("v=DKIM1; k=rsa; p=", K.rsa1024, DIAG_DKIM_KEY_UNDER_2048,
	    1024);
	expect_key("v=DKIM1; k=rsa; p=", K.rsa2048, DIAG__COUNT, 2048);
	expect_key("v=DKIM1; p=", K.rsa4096, DIAG__COUNT, 4096);
	/* Bare PKCS#1: a warning, but still decoded and sized. */
	expect_key("v=DKIM1; p=", K.pkcs1_2048, DIAG_DKIM_PKCS1_KEY, 2048);
}

static void
test_rsa_folded(void **state)
{
	/* p= split by folding whitespace every 64 characters. */
	size_t n = strlen(K.rsa2048);
	char text[1024];
	size_t o = 0;

	(void)state;
	o += (size_t)snprintf(text, sizeof(text), "v=DKIM1; p=");
	for (size_t i = 0; i < n; i += 64) {
		size_t k = n - i < 64 ? n - i : 64;

		memcpy(text + o, K.rsa2048 + i, k);
		o += k;
		memcpy(text + o, "\r\n\t", 3);
		o += 3;
	}
	text[o] = '\0';
	expect_key(text, "", DIAG__COUNT, 2048);
}

static void
test_ed25519(void **state)
{
	(void)state;
	assert_int_equal(strlen(K.ed_raw), 44);
	expect_key("v=DKIM1; k=ed25519; p=", K.ed_raw, DIAG__COUNT, 256);
	/* SPKI-wrapped Ed25519: an error (never verifies). */
	expect_key("v=DKIM1; k=ed25519; p=", K.ed_spki, DIAG_DKIM_INVALID_KEY,
	    0);
	/* Keys that do not match k=. */
	expect_key("v=DKIM1; k=rsa; p=", K.ed_spki, DIAG_DKIM_INVALID_KEY, 0);
	expect_key("v=DKIM1; p=", K.ed_raw, DIAG_DKIM_INVALID_KEY, 0);
	expect_key("v=DKIM1; k=ed25519; p=", K.rsa2048, DIAG_DKIM_INVALID_KEY,
	    0);
}

/* ---- lookup ---------------------------------------------------------- */

/* Add TXT text at owner, split into 255-octet strings as a zone would. */
static void
add_txt(struct dns_resolver *r, const char *owner, const char *text)
{
	struct dns_str s[16];
	size_t n = strlen(text), k = 0;
	struct dns_rr rr;

	for (size_t i = 0; i < n; i += 255, k++) {
		assert_true(k < 16);
		s[k].p = text + i;
		s[k].len = (uint8_t)(n - i < 255 ? n - i : 255);
	}
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.ttl = 300;
	rr.u.txt.n = k;
	rr.u.txt.s = s;
	rr.u.txt.total = n;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static void
add_cname(struct dns_resolver *r, const char *owner, const char *target)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_CNAME;
	rr.ttl = 300;
	rr.u.target = target;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static const struct dkim_selector *
sel(const struct dkim_result *res, const char *name)
{
	for (size_t i = 0; i < res->nsel; i++)
		if (strcmp(res->sel[i].selector, name) == 0)
			return &res->sel[i];
	fail_msg("selector %s not in the result", name);
	return NULL;
}

static void
test_lookup(void **state)
{
	static const char *const sels[] = {
		"good", "big", "weak", "provider", "multi", "absent", "ed",
		"a.b"
	};
	struct dns_resolver *r = dns_zone_new();
	struct dkim_result res;
	const struct dkim_selector *s;
	char *t;

	(void)state;
	assert_non_null(r);
	t = record("v=DKIM1; k=rsa; p=", K.rsa2048, "");
	add_txt(r, "good._domainkey.example.test", t);
	free(t);
	t = record("v=DKIM1; p=", K.rsa4096, "");	/* 3 strings */
	add_txt(r, "big._domainkey.example.test", t);
	free(t);
	t = record("v=DKIM1; p=", K.rsa512, "");
	add_txt(r, "weak._domainkey.example.test", t);
	free(t);
	add_cname(r, "provider._domainkey.example.test",
	    "k1.dkim.provider.test");
	t = record("v=DKIM1; p=", K.rsa1024, "");
	add_txt(r, "k1.dkim.provider.test", t);
	free(t);
	t = record("v=DKIM1; p=", K.rsa2048, "");
	add_txt(r, "multi._domainkey.example.test", t);
	add_txt(r, "multi._domainkey.example.test", "v=DKIM1; p=");
	free(t);
	t = record("v=DKIM1; k=ed25519; p=", K.ed_raw, "");
	add_txt(r, "ed._domainkey.example.test", t);
	free(t);
	t = record("v=DKIM1; p=", K.rsa2048, "");
	add_txt(r, "a.b._domainkey.example.test", t);	/* multi-label */
	free(t);

	assert_int_equal(dkim_lookup(r, "example.test", sels, 8, &res), 0);
	assert_false(res.area.incomplete);
	assert_int_equal(res.domainkey_status, DNS_NODATA);
	assert_int_equal(res.area.findings.n, 0);	/* keys were found */

	s = sel(&res, "good");
	assert_true(s->found);
	assert_int_equal(s->key.bits, 2048);
	assert_null(s->cname);
	assert_int_equal(s->findings.n, 0);
	assert_int_equal(count_sev(&s->findings, DIAG_ERROR), 0);
	assert_string_equal(s->name, "good._domainkey.example.test");

	s = sel(&res, "big");
	assert_int_equal(s->key.bits, 4096);
	assert_int_equal(s->findings.n, 0);
	assert_true(s->record_len > 510);	/* joined without spaces */

	s = sel(&res, "weak");
	assert_int_equal(s->key.bits, 512);
	assert_int_equal(count_sev(&s->findings, DIAG_ERROR), 1);
	assert_int_equal(count_id(&s->findings, DIAG_DKIM_WEAK_KEY), 1);

	s = sel(&res, "provider");
	assert_true(s->found);
	assert_non_null(s->cname);
	assert_string_equal(s->cname, "k1.dkim.provider.test");
	assert_int_equal(s->ncname, 1);
	assert_int_equal(s->key.bits, 1024);
	assert_int_equal(count_id(&s->findings, DIAG_DKIM_KEY_UNDER_2048), 1);

	s = sel(&res, "multi");
	assert_int_equal(s->nrecords, 2);
	assert_int_equal(count_id(&s->findings, DIAG_DKIM_MULTIPLE_RECORDS),
	    1);
	/* Every record is linted: the second is revoked. */
	assert_int_equal(count_id(&s->findings, DIAG_DKIM_REVOKED), 1);

	s = sel(&res, "absent");
	assert_false(s->found);
	assert_int_equal(s->status, DNS_NXDOMAIN);
	assert_int_equal(count_id(&s->findings, DIAG_DKIM_MISSING), 1);

	s = sel(&res, "ed");
	assert_int_equal(s->key.type, DKIM_KEY_ED25519);
	assert_int_equal(s->key.bits, 256);
	assert_int_equal(s->findings.n, 0);

	s = sel(&res, "a.b");
	assert_int_equal(s->key.bits, 2048);
	dkim_result_free(&res);
	dns_free(r);
}

/* Wildcards under _domainkey (RFC 4592): a discovered selector whose
 * answer is the wildcard's has no key; one with its own key keeps it; a
 * TXT record that is plainly not a key is "no key" for a discovered name
 * and dkim.not-a-key for a selector the user named. */
static void
test_wildcard(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct dkim_result res;
	const struct dkim_selector *s;
	char *t;

	(void)state;
	assert_non_null(r);
	add_txt(r, "*._domainkey.example.test", "v=DKIM1; p=");
	t = record("v=DKIM1; k=rsa; p=", K.rsa2048, "");
	add_txt(r, "google._domainkey.example.test", t);
	free(t);
	add_txt(r, "spf._domainkey.example.test", "v=spf1 -all");
	add_txt(r, "pasted._domainkey.example.test", "v=spf1 -all");

	assert_int_equal(dkim_start(r, "example.test", &res), 0);
	assert_int_equal(dkim_add(&res, "default", DKIM_SRC_COMMON, NULL), 0);
	assert_int_equal(dkim_add(&res, "google", DKIM_SRC_COMMON, NULL), 0);
	assert_int_equal(dkim_add(&res, "spf", DKIM_SRC_COMMON, NULL), 0);
	assert_int_equal(dkim_add(&res, "pasted", DKIM_SRC_USER, NULL), 0);
	assert_int_equal(dkim_add(&res, "named", DKIM_SRC_USER, NULL), 0);
	dns_run(r);
	assert_int_equal(dkim_finish(&res), 0);
	assert_true(res.wildcard);
	assert_int_equal(count_id(&res.area.findings, DIAG_DKIM_WILDCARD), 1);
	assert_int_equal(count_id(&res.area.findings, DIAG_DKIM_NONE_FOUND),
	    0);

	s = sel(&res, "default");	/* the wildcard's answer: no key */
	assert_true(s->wildcard);
	assert_false(s->found);
	assert_int_equal(s->findings.n, 0);
	s = sel(&res, "google");	/* its own key */
	assert_false(s->wildcard);
	assert_true(s->found);
	assert_int_equal(s->key.bits, 2048);
	assert_int_equal(s->findings.n, 0);
	s = sel(&res, "spf");		/* discovered, not a key: silent */
	assert_false(s->found);
	assert_int_equal(s->nforeign, 1);
	assert_int_equal(s->findings.n, 0);
	s = sel(&res, "pasted");	/* named: says what is there */
	assert_false(s->found);
	assert_int_equal(count_id(&s->findings, DIAG_DKIM_NOT_A_KEY), 1);
	assert_int_equal(count_id(&s->findings, DIAG_DKIM_SYNTAX), 0);
	s = sel(&res, "named");		/* named, only the wildcard answers:
					 * verifiers get a revoked key */
	assert_true(s->wildcard);
	assert_true(s->found);
	assert_int_equal(count_id(&s->findings, DIAG_DKIM_REVOKED), 1);
	dkim_result_free(&res);
	dns_free(r);

	assert_true(dkim_is_foreign("v=spf1 -all", 11));
	assert_true(dkim_is_foreign(" v = DMARC1; p=none", 19));
	assert_false(dkim_is_foreign("v=DKIM1; p=", 11));
	assert_false(dkim_is_foreign("v=dkim1; p=", 11));	/* dkim.syntax */
	assert_false(dkim_is_foreign("k=rsa; p=", 9));
	assert_false(dkim_is_foreign("", 0));
}

static void
test_lookup_none(void **state)
{
	static const char *const sels[] = { "s1", "s2" };
	struct dns_resolver *r = dns_zone_new();
	struct dkim_result res;

	(void)state;
	add_txt(r, "nokeys.test", "v=spf1 -all");
	assert_int_equal(dkim_lookup(r, "nokeys.test", sels, 2, &res), 0);
	assert_int_equal(res.domainkey_status, DNS_NXDOMAIN);
	assert_int_equal(count_id(&res.area.findings, DIAG_DKIM_NONE_FOUND), 1);
	assert_int_equal(count_id(&res.sel[0].findings, DIAG_DKIM_MISSING), 1);
	assert_int_equal(count_id(&res.sel[1].findings, DIAG_DKIM_MISSING), 1);
	dkim_result_free(&res);

	/* No selector at all: only the _domainkey probe. */
	assert_int_equal(dkim_lookup(r, "nokeys.test", NULL, 0, &res), 0);
	assert_int_equal(count_id(&res.area.findings, DIAG_DKIM_NONE_FOUND), 1);
	dkim_result_free(&res);
	dns_free(r);
}

static void
test_lookup_timeout(void **state)
{
	static const char *const sels[] = { "slow" };
	struct dns_resolver *r = dns_zone_new();
	struct dkim_result res;

	(void)state;
	assert_int_equal(dns_zone_add_timeout(r, "slow._domainkey.t.test",
	    false), 0);
	assert_int_equal(dkim_lookup(r, "t.test", sels, 1, &res), 0);
	assert_true(res.area.incomplete);
	assert_int_equal(count_id(&res.area.findings, DIAG_DNS_FAILURE), 1);
	assert_int_equal(count_id(&res.sel[0].findings, DIAG_DKIM_MISSING), 0);
	assert_int_equal(count_id(&res.area.findings, DIAG_DKIM_NONE_FOUND), 0);
	dkim_result_free(&res);
	dns_free(r);
}

/* With the resolver failing, the discovered names' failures are one
 * finding naming them all; a name the user asked for keeps its own. */
static void
test_lookup_timeout_grouped(void **state)
{
	static const char *const common[] = { "default", "mail", "k1" };
	struct dns_resolver *r = dns_zone_new();
	struct dkim_result res;
	const struct diag *d = NULL;

	(void)state;
	assert_int_equal(dns_zone_add_timeout(r, "t.test", true), 0);
	assert_int_equal(dkim_start(r, "t.test", &res), 0);
	assert_int_equal(dkim_add(&res, "mine", DKIM_SRC_USER, NULL), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(dkim_add(&res, common[i], DKIM_SRC_COMMON,
		    NULL), 0);
	dns_run(r);
	assert_int_equal(dkim_finish(&res), 0);
	assert_true(res.area.incomplete);
	/* mine's own, the 3 discovered together, _domainkey's */
	assert_int_equal(count_id(&res.area.findings, DIAG_DNS_FAILURE), 3);
	for (size_t i = 0; i < res.area.findings.n; i++)
		if (res.area.findings.v[i].id == DIAG_DNS_FAILURE &&
		    strstr(res.area.findings.v[i].message, "3 selector") != NULL)
			d = &res.area.findings.v[i];
	assert_non_null(d);
	assert_non_null(strstr(d->message, "(default, mail, k1)"));
	assert_non_null(strstr(d->message, "TIMEOUT"));
	assert_null(strstr(d->message, "mine"));
	dkim_result_free(&res);
	dns_free(r);
}

static void
test_bad_selector_name(void **state)
{
	char name[300], longsel[80];

	(void)state;
	memset(longsel, 'a', 64);
	longsel[64] = '\0';
	assert_false(dkim_selector_name(longsel, "example.test", name,
	    sizeof(name)));
	assert_false(dkim_selector_name("", "example.test", name,
	    sizeof(name)));
	assert_true(dkim_selector_name("s1", "example.test", name,
	    sizeof(name)));
	assert_string_equal(name, "s1._domainkey.example.test");
}

/* ---- fixtures: one zone per finding, named after it ------------------- */

static void
test_fixtures(void **state)
{
	static const struct {
		const char *id;		/* = file name and expected ID */
		const char *domain;
	} fx[] = {
		{ "dkim.syntax", "syntax.test" },
		{ "dkim.revoked", "revoked.test" },
		{ "dkim.invalid-key", "invalid-key.test" },
		{ "dkim.sha1-only", "sha1-only.test" },
		{ "dkim.unknown-key-type", "unknown-key-type.test" },
		{ "dkim.testing", "testing.test" },
		{ "dkim.service-not-email", "service-not-email.test" },
		{ "dkim.multiple-records", "multiple-records.test" },
		{ "dkim.missing", "missing.test" },
		{ "dkim.none-found", "none-found.test" },
		{ "dkim.wildcard", "dkim-wildcard.test" },
		{ "dkim.not-a-key", "not-a-key.test" },
	};
	static const char *const sels[] = { "sel" };

	(void)state;
	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		struct dns_resolver *r = dns_zone_new();
		const struct dns_zone_error *errs;
		struct dkim_result res;
		enum diag_id want;
		char path[256], err[256];
		size_t n;

		assert_true(diag_lookup(fx[i].id, strlen(fx[i].id), &want));
		snprintf(path, sizeof(path), FIXTURES "%s.zone", fx[i].id);
		assert_int_equal(dns_zone_load(r, path, NULL, err,
		    sizeof(err)), 0);
		assert_int_equal(dns_zone_errors(r, &errs), 0);
		assert_int_equal(dkim_lookup(r, fx[i].domain, sels, 1, &res),
		    0);
		n = count_id(&res.area.findings, want) +
		    count_id(&res.sel[0].findings, want);
		if (n == 0) {
			dump(&res.sel[0].findings);
			fail_msg("%s: finding not reported", path);
		}
		dkim_result_free(&res);
		dns_free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_spans),
		cmocka_unit_test(test_parse_not_nul_terminated),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_syntax_span),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_testing_flag),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64_decoder),
		cmocka_unit_test(test_rsa_sizes),
		cmocka_unit_test(test_rsa_folded),
		cmocka_unit_test(test_ed25519),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_lookup_none),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_lookup_timeout),
		cmocka_unit_test(test_lookup_timeout_grouped),
		cmocka_unit_test(test_bad_selector_name),
		cmocka_unit_test(test_fixtures),
	};

	return cmocka_run_group_tests(tests, gen_keys, free_keys);
}
