/*
 * dkim.h -- DKIM key records (RFC 6376 §3.2, §3.6.1; RFC 8301; RFC 8463):
 * the tag-list parser, the record lint, and the selector lookup.
 *
 * Parse, lint and lookup are separate steps (like rpki-client's
 * parse / validate / print): dkim_parse() only reads the tag list,
 * dkim_lint() judges the tags and decodes the key (through crypto.h),
 * dkim_lookup() queries every selector at once and lints what it finds.
 * All findings go through diag.h.
 */
#ifndef AUTHCHECK_DKIM_H
#define AUTHCHECK_DKIM_H

#include <stdbool.h>
#include <stddef.h>

#include "area.h"
#include "diag.h"
#include "dns.h"

/* The tags RFC 6376 §3.6.1 defines; every other tag is ignored. */
enum dkim_tag {
	DKIM_TAG_V, DKIM_TAG_H, DKIM_TAG_K, DKIM_TAG_N, DKIM_TAG_P,
	DKIM_TAG_S, DKIM_TAG_T, DKIM_TAG__COUNT
};

/* Where a known tag sits in the record (byte offsets into the record). */
struct dkim_tagpos {
	bool present;
	unsigned index;		/* position in the tag list, from 0 */
	struct diag_span name;	/* the tag name */
	struct diag_span value;	/* the value, surrounding whitespace
				 * trimmed; len 0 for an empty value */
};

struct dkim_record {
	struct dkim_tagpos tag[DKIM_TAG__COUNT];
	unsigned ntags;		/* tag-specs seen, known or not */
	bool syntax_ok;		/* no dkim.syntax finding was reported */
};

/*
 * Parse a key record's tag list p[0..len) into *rec.  Syntax problems
 * (malformed tag-spec, duplicate tag, v= not first or not "DKIM1", p=
 * absent) are reported to sink as dkim.syntax with a span; ctx (may be
 * NULL) supplies domain and record for the findings.  Never fails
 * otherwise; rec->syntax_ok says whether the record is well-formed.
 */
void dkim_parse(const char *p, size_t len, struct dkim_record *rec,
    struct diag_sink *sink, const struct diag *ctx);

enum dkim_key_type { DKIM_KEY_NONE, DKIM_KEY_RSA, DKIM_KEY_ED25519 };

/* What the lint learned about the key. */
struct dkim_key {
	enum dkim_key_type type;	/* from k= (default rsa); NONE for an
					 * unknown k= */
	bool decoded;		/* p= decoded to a key matching k= */
	bool revoked;		/* empty p= */
	bool pkcs1;		/* RSA key as bare RSAPublicKey */
	bool testing;		/* t=y */
	unsigned bits;		/* RSA modulus bits, 256 for Ed25519 */
};

/*
 * Parse and lint p[0..len): dkim_parse() plus the tag semantics (k, h, s,
 * t) and the key in p= (dkim.revoked, dkim.invalid-key, dkim.weak-key,
 * dkim.key-under-2048, dkim.pkcs1-key, dkim.sha1-only,
 * dkim.unknown-key-type, dkim.service-not-email, dkim.testing).
 *
 * An Ed25519 key wrapped in SubjectPublicKeyInfo is reported as
 * dkim.invalid-key (an error, not a warning): RFC 8463 verifiers take p=
 * as the raw 32 bytes, so such a key never verifies.
 * Returns 0, or -1 when out of memory (findings may be incomplete).
 */
int dkim_lint(const char *p, size_t len, struct dkim_key *key,
    struct diag_sink *sink, const struct diag *ctx);

/* Why a selector is asked about, strongest first: a user's or a detected
 * provider's selector must exist (dkim.missing); a common name tried by
 * discovery may not. */
enum dkim_source { DKIM_SRC_USER, DKIM_SRC_PROVIDER, DKIM_SRC_COMMON };

/* One selector's outcome. */
struct dkim_selector {
	char *selector;		/* as given */
	enum dkim_source source;
	const char *provider;	/* DKIM_SRC_PROVIDER: the provider's name
				 * (borrowed from the caller) */
	struct dns_query *q;	/* its TXT question */
	char *name;		/* <selector>._domainkey.<domain> */
	enum dns_status status;	/* of the TXT query */
	bool found;		/* at least one TXT record */
	char *cname;		/* CNAME target (canonical name) when the
				 * selector is delegated, else NULL */
	size_t ncname;		/* CNAME hops */
	size_t nrecords;	/* TXT records at the name */
	char *record;		/* the first record, joined; NULL if none */
	size_t record_len;
	bool wildcard;		/* the answer is the wildcard's under
				 * _domainkey (wildcard.h): for a discovered
				 * name, no key of its own */
	size_t nforeign;	/* TXT records that are plainly not DKIM
				 * keys (v= other than DKIM1: SPF, ...) */
	char *foreign;		/* the first of those, joined, or NULL */
	size_t foreign_len;
	struct dkim_key key;	/* lint of the first record */
	struct dkim_record parsed;	/* its tag positions (for display) */
	struct diag_list findings;	/* this selector's findings */
};

struct dkim_result {
	struct area_result area;	/* findings (domain-wide: none-found,
					 * DNS; each selector has its own),
					 * incomplete, oom (area.h) */
	struct dns_resolver *r;
	struct dns_query *domainkey_q;
	char *domain;
	struct dkim_selector *sel;
	size_t nsel;
	enum dns_status domainkey_status;	/* of _domainkey.<domain> */
	struct dns_query *wildcard_q;	/* TXT <random>._domainkey.<domain>
					 * (wildcard.h) */
	bool wildcard;		/* a wildcard answers TXT under _domainkey */
};

/* Most selectors one lookup takes (bounded work for hostile input). */
#define DKIM_MAX_SELECTORS 64

/*
 * Query TXT at <selector>._domainkey.<domain> for every selector (all
 * submitted before waiting), _domainkey.<domain> and a random name under
 * it (wildcard.h), then lint each record.  A discovered selector whose
 * answer is the wildcard's, or holds only records that are plainly not
 * keys (dkim_is_foreign), has no key; for a selector the user named
 * those are dkim.not-a-key.  Missing selectors are dkim.missing, several records
 * dkim.multiple-records, no selector found at all dkim.none-found (saying
 * when _domainkey is NXDOMAIN, RFC 8020), failed queries dns.failure.
 * Returns 0 with *res filled (free with dkim_result_free()), or -1 on
 * out-of-memory or when a name is invalid (*res is then freed already).
 */
int dkim_lookup(struct dns_resolver *r, const char *domain,
    const char *const *selectors, size_t nsel, struct dkim_result *res);
void dkim_result_free(struct dkim_result *res);

/*
 * The same lookup in steps, for a resolver that carries many checks at
 * once: dkim_start() submits the _domainkey question; dkim_add() submits
 * one selector (any time before dkim_finish(): a selector learnt from
 * another check's answer joins late), ignoring repeats; after the
 * caller's dns_run(), dkim_finish() lints every answer.  start returns 0
 * or -1 (bad domain, out of memory; *res already freed); add returns 0, 1
 * when DKIM_MAX_SELECTORS are taken, -1 on a bad selector name or out of
 * memory (then res->oom is set too); finish returns 0 or -1 (out of
 * memory).  Free with
 * dkim_result_free() (after dns_run()).
 */
int dkim_start(struct dns_resolver *r, const char *domain,
    struct dkim_result *res);
int dkim_add(struct dkim_result *res, const char *selector,
    enum dkim_source source, const char *provider);
int dkim_finish(struct dkim_result *res);

/* Write "<selector>._domainkey.<domain>" into out; false when it does not
 * fit or is not a valid DNS name (labels 1..63, total <= 253). */
bool dkim_selector_name(const char *selector, const char *domain, char *out,
    size_t outsize);

/* True when the joined TXT text p[0..len) is plainly another kind of
 * record: its first tag is v= with a value that does not begin with
 * "DKIM" (an SPF, DMARC, MTA-STS... record).  A malformed key record is
 * still a key record (dkim.syntax). */
bool dkim_is_foreign(const char *p, size_t len);

/* Short name of a key type: "rsa", "ed25519", "unknown". */
const char *dkim_key_type_name(enum dkim_key_type t);

/* `authcheck dkim DOMAIN -s SELECTOR...` (cmd_dkim.c). */
int cmd_dkim(int argc, char **argv);

#endif
