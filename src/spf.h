/*
 * spf.h -- SPF (RFC 7208): record parser, macro expander, check_host().
 *
 *   spf_parse.c   record text -> terms, every syntax error with its span
 *   spf_macro.c   macro-string expansion into a bounded buffer, one pass
 *   spf_eval.c    check_host() over the resolver interface, with prefetch
 */
#ifndef AUTHCHECK_SPF_H
#define AUTHCHECK_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip.h"

struct dns_resolver;
struct dns_answer;

/* ---- parser ---------------------------------------------------------- */

enum spf_mech {
	SPF_M_ALL, SPF_M_INCLUDE, SPF_M_A, SPF_M_MX, SPF_M_PTR,
	SPF_M_IP4, SPF_M_IP6, SPF_M_EXISTS
};

enum spf_term_kind { SPF_T_MECH, SPF_T_MOD };

enum spf_mod { SPF_MOD_REDIRECT, SPF_MOD_EXP, SPF_MOD_OTHER };

/* A span of the record text: offset and length in bytes. */
struct spf_span {
	size_t off, len;
};

struct spf_term {
	enum spf_term_kind kind;
	struct spf_span span;		/* the whole term */
	/* mechanisms */
	enum spf_mech mech;
	char qual;			/* '+', '-', '~', '?' ('+' if omitted) */
	bool has_domain;		/* a domain-spec was given */
	struct spf_span domain;		/* the domain-spec (macro-string) */
	struct ipaddr addr;		/* ip4/ip6 network */
	int cidr4, cidr6;		/* prefix lengths, -1 when absent */
	/* modifiers */
	enum spf_mod mod;
	struct spf_span name, value;	/* name=value */
};

/* Error classes; each becomes a finding (spf.syntax unless noted). */
enum spf_err {
	SPF_E_NONE = 0,
	SPF_E_VERSION,		/* not "v=spf1" followed by space or end */
	SPF_E_NON_ASCII,	/* byte >= 0x80 or a control char: spf.non-ascii */
	SPF_E_UNKNOWN_MECH,	/* "foo", "a-b:..." */
	SPF_E_BAD_QUALIFIER,	/* qualifier on a modifier, "++a" */
	SPF_E_MISSING_ARG,	/* "include", "ip4", "exists" with no value */
	SPF_E_UNEXPECTED_ARG,	/* "all:x", "all/24", "include:x/24" */
	SPF_E_BAD_IP4,
	SPF_E_BAD_IP6,
	SPF_E_BAD_CIDR,		/* out of range or leading zero */
	SPF_E_BAD_MACRO,	/* "%x", "%{z}", unterminated "%{" */
	SPF_E_MACRO_LETTER,	/* c, r, t outside an explanation */
	SPF_E_BAD_DOMAIN,	/* domain-end: no toplabel, numeric toplabel */
	SPF_E_BAD_MODIFIER,	/* bad modifier name or value */
	SPF_E_EMPTY_EXP,	/* "exp=" */
	SPF_E_DUP_MODIFIER,	/* redirect= or exp= twice: spf.duplicate-modifier */
	SPF_E__COUNT
};

struct spf_error {
	enum spf_err code;
	struct spf_span span;	/* where, in the record text */
};

struct spf_record {
	char *text;		/* copy of the record, NUL-terminated */
	size_t len;
	size_t nterms;
	struct spf_term *terms;
	size_t nerrs;		/* every problem, not just the first */
	struct spf_error *errs;
	int redirect;		/* index of redirect= in terms, or -1 */
	int exp;		/* index of exp=, or -1 */
	int all;		/* index of the first "all", or -1 */
};

/* True when the text is an SPF record by RFC 7208 §4.5: "v=spf1" (any case)
 * followed by a space or the end.  Used for record selection. */
bool spf_is_record(const char *p, size_t len);
/* Parse a record (beginning with its version).  Always returns a record
 * (NULL only on out-of-memory); check ->nerrs.  Free with spf_record_free. */
struct spf_record *spf_parse(const char *p, size_t len);
void spf_record_free(struct spf_record *rec);
/* Short English description of an error class ("invalid CIDR length"). */
const char *spf_err_str(enum spf_err e);
const char *spf_mech_name(enum spf_mech m);	/* "include" ... */

/* ---- macros (RFC 7208 §7) ------------------------------------------- */

/* Expansion inputs.  `sender` is the full "local@domain" (already defaulted
 * to postmaster@helo by the caller when MAIL FROM is empty). */
struct spf_macro_ctx {
	const char *sender;
	const char *domain;	/* current <domain>, %{d} */
	struct ipaddr ip;	/* %{i}, %{c}, %{v} */
	bool ip_upper;		/* write IPv6 %{i} nibbles in upper case: the
				 * client address was given so (RFC 7208 is
				 * silent; the openspf suite expects the case
				 * to carry through) */
	const char *helo;	/* %{h} */
	const char *receiver;	/* %{r}; "unknown" when NULL */
	long long now;		/* %{t}, seconds since the epoch */
	/* %{p}: the validated PTR name (§5.5 rules), or NULL for "unknown".
	 * Called at most once per expansion, only when %{p} occurs. */
	const char *(*ptr_name)(void *arg);
	void *ptr_arg;
};

enum spf_macro_mode {
	SPF_MACRO_DOMAIN,	/* domain-spec: c, r, t are errors; result
				 * shortened to 253 octets (§7.3) */
	SPF_MACRO_EXPLAIN	/* explain-string: all letters allowed */
};

enum spf_macro_status {
	SPF_MACRO_OK,
	SPF_MACRO_SYNTAX,	/* malformed macro-string (permerror) */
	SPF_MACRO_TOOLONG,	/* output did not fit outsize */
	SPF_MACRO_NOMATCH	/* uses %{s} or %{l} with a non-ASCII local
				 * part: the term matches nothing (RFC 8616) */
};

/* Expand the macro-string p[0..len) into out (NUL-terminated, *outlen
 * bytes).  One pass, never writes past outsize.  On SPF_MACRO_SYNTAX,
 * *erroff (if not NULL) gets the offset of the bad macro within p. */
enum spf_macro_status spf_macro_expand(const char *p, size_t len,
    const struct spf_macro_ctx *ctx, enum spf_macro_mode mode,
    char *out, size_t outsize, size_t *outlen, size_t *erroff);
/* Syntax check only (no context needed). */
enum spf_macro_status spf_macro_check(const char *p, size_t len,
    enum spf_macro_mode mode, size_t *erroff);

/* ---- check_host() (RFC 7208 §4) -------------------------------------- */

enum spf_result {
	SPF_NONE, SPF_NEUTRAL, SPF_PASS, SPF_FAIL, SPF_SOFTFAIL,
	SPF_TEMPERROR, SPF_PERMERROR
};
const char *spf_result_name(enum spf_result r);	/* "pass" ... */

struct spf_eval_opts {
	struct ipaddr ip;
	const char *ip_text;	/* the address as given, or NULL (only its
				 * letter case is used, for %{i}) */
	const char *domain;	/* NULL: from sender, else helo */
	const char *sender;	/* MAIL FROM; NULL or "" = postmaster@helo */
	const char *helo;
	const char *receiver;	/* for %{r}; NULL = "unknown" */
	bool no_prefetch;	/* strictly lazy queries (for comparison) */
	unsigned max_lookups;	/* 0 = 10 */
	unsigned max_void;	/* 0 = 2 */
};

/* One line of the evaluation trace, in order. */
struct spf_trace {
	unsigned depth;		/* 0 = the checked domain, 1 = included ... */
	char *domain;		/* <domain> at this point */
	char *record;		/* record text, or NULL */
	char *term;		/* the term, or NULL for record-level events */
	char *note;		/* what happened ("match", "no match", "void
				 * lookup", "include: pass -> match" ...) */
};

struct spf_eval_result {
	enum spf_result result;
	char *explanation;	/* from the domain's exp=, else NULL */
	char *problem;		/* for permerror/temperror: why */
	unsigned lookups;	/* DNS terms evaluated (the §4.6.4 count) */
	unsigned void_lookups;
	char *decided_by;	/* the term that decided, or NULL */
	char *decided_domain;	/* the domain whose record held it */
	size_t ntrace;
	struct spf_trace *trace;
};

/* Record selection (RFC 7208 §4.5) over a TXT answer: returns how many of
 * its TXT records are SPF records.  When exactly one is, *text gets its
 * strings joined (malloc'd, NUL-terminated; the caller frees) and *len
 * their length; *text stays NULL otherwise.  Out of memory reads as one
 * record with *text NULL. */
size_t spf_select_txt(const struct dns_answer *a, char **text, size_t *len);

/* Evaluate check_host(ip, domain, sender).  Fills *res (free with
 * spf_eval_result_free).  Returns 0, or -1 on internal failure: memory, or
 * a local resolver failure (DNS_ERROR) where RFC 7208 would read a DNS
 * error as no match or no explanation; *res is then partial. */
int spf_check_host(struct dns_resolver *r, const struct spf_eval_opts *o,
    struct spf_eval_result *res);
void spf_eval_result_free(struct spf_eval_result *res);

#endif
