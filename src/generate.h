/*
 * generate.h -- build SPF, DMARC and DKIM records (authcheck generate).
 *
 * The builders take plain options (from flags or the interactive prompts),
 * produce record text, and run it through the same parsers and linters the
 * checks use (spf_parse, dmarc_parse + dmarc_lint, dkim_lint); their
 * findings go to the caller's sink.  A syntax error there means the
 * generator is wrong, never the user: callers treat it as a bug.
 */
#ifndef AUTHCHECK_GENERATE_H
#define AUTHCHECK_GENERATE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct dns_resolver;
struct diag_sink;
struct provider;

#define GEN_MAX_PROVIDERS	32
#define GEN_MAX_ADDRS		32	/* --ip4 plus --ip6 */
#define GEN_MAX_RECORDS		48
#define GEN_LOOKUP_LIMIT	10	/* RFC 7208 §4.6.4 */
#define GEN_TXT_STRING_MAX	255	/* RFC 1035 §3.3 */

/* One DNS record to publish.  Strings owned by the result. */
struct gen_record {
	char *name;		/* owner, absolute, no trailing dot */
	const char *type;	/* "TXT", "CNAME", "MX" */
	char *value;		/* TXT text unquoted; CNAME/MX target */
	char *why;		/* one line for the user, or NULL */
	bool relative;		/* name is relative to the zone's origin */
};

/* Where the lookup cost of a term came from. */
enum gen_cost_source {
	GEN_COST_FIXED,		/* a, mx: 1; ip4, ip6: 0 */
	GEN_COST_LIVE,		/* the include tree resolved through DNS */
	GEN_COST_TEMPLATE	/* DNS failed or was not asked: template */
};

struct gen_spf_term {
	char *term;		/* "include:_spf.google.com" */
	unsigned cost;		/* lookups, the term itself included */
	enum gen_cost_source source;
	const struct provider *provider;	/* NULL for own servers */
};

struct gen_spf_opts {
	const char *domain;
	const struct provider *const *providers;
	size_t nproviders;
	const char *const *addrs;	/* IPv4/IPv6 addresses or networks
					 * ("192.0.2.0/24", "2001:db8::/32") */
	size_t naddrs;
	bool a, mx;			/* authorise the domain's A / MX hosts */
	bool fail;			/* -all (else ~all) */
	struct dns_resolver *resolver;	/* NULL: template costs only */
};

struct gen_spf_result {
	char *record;			/* the record for the domain itself */
	struct gen_spf_term *terms;	/* the terms that cost lookups or
					 * name addresses, in record order */
	size_t nterms;
	unsigned lookups;		/* total over the tree */
	bool all_live;			/* no cost came from a template */
	struct gen_record rp[GEN_MAX_PROVIDERS];  /* Return-Path records */
	size_t nrp;
	char *notes[2 * GEN_MAX_PROVIDERS];	/* why a provider needs
					 * nothing here; includes that DNS
					 * says have no SPF record */
	size_t nnotes;
};

/*
 * Build the SPF record for o->domain.  Providers whose include belongs on
 * their Return-Path domain are left out of the apex record: their
 * subdomain record goes to res->rp (or a note to res->notes when the
 * provider's envelope is its own domain).  Include costs are resolved
 * live with spf_lint() when a resolver is given, else (or when that
 * fails) taken from the template.  Findings: spf.syntax (a generator bug),
 * spf.lookup-limit / spf.lookup-near-limit, spf.record-too-long.
 * Returns 0, or -1 with a message in err for bad input (an address that
 * does not parse, an invalid domain) or out-of-memory; *res is then
 * already freed.
 */
int gen_spf(const struct gen_spf_opts *o, struct gen_spf_result *res,
    struct diag_sink *sink, char *err, size_t errsize);
void gen_spf_result_free(struct gen_spf_result *res);

/* Lookups of the apex terms and advice when over the limit, for the
 * renderers: a short paragraph (static text). */
extern const char gen_flatten_advice[];

struct gen_dmarc_opts {
	const char *domain;
	const char *policy;		/* none | quarantine | reject */
	const char *sp, *np;		/* NULL = absent */
	const char *adkim, *aspf;	/* "s" | "r" | NULL */
	const char *const *rua;		/* addresses or mailto: URIs */
	size_t nrua;
	const char *const *ruf;
	size_t nruf;
	bool testing;			/* t=y */
};

struct gen_dmarc_result {
	struct gen_record rec[GEN_MAX_RECORDS];	/* [0] = _dmarc.<domain>;
						 * then the _report._dmarc
						 * authorisations */
	size_t nrec;
};

/*
 * Build the RFC 9989 record and, for every report address outside the
 * domain, the "<domain>._report._dmarc.<host>" authorisation record the
 * destination must publish.  The record goes through dmarc_parse and
 * dmarc_lint (findings to sink: policy-none, testing, rua-missing are
 * advice; an error is a generator bug).  Returns 0, or -1 with err set
 * for bad input (unknown policy, malformed address).
 */
int gen_dmarc(const struct gen_dmarc_opts *o, struct gen_dmarc_result *res,
    struct diag_sink *sink, char *err, size_t errsize);
void gen_dmarc_result_free(struct gen_dmarc_result *res);

/*
 * The DKIM key record for a public key ("v=DKIM1; k=rsa; p=..."), linted
 * with dkim_lint (findings to sink).  Returns the malloc'd record, or NULL
 * when out of memory.
 */
char *gen_dkim_record(const char *public_b64, bool ed25519,
    struct diag_sink *sink, const char *owner);

/*
 * Append TXT value v[0..len) as zone-file character-strings ("..." "...")
 * of at most 255 octets each.  With at_spaces the cuts fall after a space
 * (SPF: a term never straddles two strings, RFC 7208 §3.3); a term longer
 * than a string is cut where it must.  '"' and '\' are escaped.
 */
void gen_txt_strings(struct buf *out, const char *v, size_t len,
    bool at_spaces);
/* Length of the character-string that starts at v[i] (i < len). */
size_t gen_txt_chunk(const char *v, size_t len, size_t i, bool at_spaces);
/* Number of character-strings gen_txt_strings would write. */
size_t gen_txt_nstrings(const char *v, size_t len, bool at_spaces);

/* The values --policy, --sp and --np accept, and --adkim and --aspf
 * (NULL-terminated; the parser and shell completion share them). */
extern const char *const gen_policy_words[];
extern const char *const gen_align_words[];

/* True when s is a host name we accept from the user: LDH labels (and
 * '_'), at least two labels, valid lengths; a trailing dot is allowed. */
bool gen_valid_domain(const char *s);
/* Bytes that hold any name gen_valid_domain() accepts, normalised. */
#define GEN_DOMAIN_SIZE		256
/* s in the form the records use -- lower case, no trailing dot -- into
 * out (size bytes; out may be s).  False, out untouched, when
 * gen_valid_domain() refuses s or it does not fit. */
bool gen_domain_norm(const char *s, char *out, size_t size);

#endif
