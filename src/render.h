/*
 * render.h -- output renderers that need a library (JSON via jansson).
 *
 * Renderers format what the checks produced; they never decide results or
 * invent findings.  jansson is included by render_json.c only.
 */
#ifndef AUTHCHECK_RENDER_H
#define AUTHCHECK_RENDER_H

#include <stdio.h>

#include "spf.h"

/* Everything `authcheck spf --ip` reports about one evaluation. */
struct render_spf_eval {
	const char *domain;	/* the checked domain */
	const char *ip;		/* the client address, text form */
	const char *sender;	/* the effective MAIL FROM */
	const char *helo;	/* NULL when not given */
	const struct spf_eval_result *res;
	unsigned long queries;	/* distinct DNS questions (dns_stats) */
};

/* Write one compact JSON object and a newline (JSON Lines).  Strings that
 * are not valid UTF-8 (hostile DNS data) have the bad bytes replaced by
 * U+FFFD.  Returns 0, or -1 on out-of-memory or a write error. */
int render_json_spf_eval(FILE *out, const struct render_spf_eval *e);

/* The findings catalogue as JSON Lines: one {"id", "severity",
 * "reference", "title", "hint"} object per finding.  0 or -1 as above. */
int render_json_catalogue(FILE *out);

/* ---- `authcheck spf DOMAIN` (render_json.c) ---- */
struct spf_lint_result;
struct diag_list;

/* {"domain", "spf": {"record", "lookups" (whole tree), "void_lookups",
 * "void_terms", "incomplete", "truncated", "tree"}, "findings": [...]}
 * as one line.  0, or -1 on out-of-memory or a write error. */
int render_json_spf_lint(FILE *out, const char *domain,
    const struct spf_lint_result *res, const struct diag_list *l);

/* ---- `authcheck dmarc` and `authcheck dkim` (render_json.c) ---- */
struct dmarc_result;
struct dkim_result;

/* {"domain", "record", "found_at", "policy": {p, sp, np, adkim, aspf, t,
 * psd, applies, effective}, "inherited", "org_domain",
 * "org_domain_rfc7489", "incomplete", "findings"} as one line. */
int render_json_dmarc(FILE *out, const struct dmarc_result *res,
    const struct diag_list *l);
/* {"domain", "domainkey", "dkim": [{"selector", "name", "found", "status",
 * "cname", "key_type", "bits", "revoked", "record", "findings"}],
 * "findings"} as one line. */
int render_json_dkim(FILE *out, const struct dkim_result *res);

/* ---- `authcheck DOMAIN` (render_json.c, render_report.c) ---- */
struct check_result;
struct json_t;

/* Escape sequences of the text report ("" each without colour). */
struct render_style {
	bool color;
	const char *bold, *red, *yellow, *green, *dim, *reset;
};
/* The report's ANSI escapes, or none. */
void render_style_init(struct render_style *st, bool color);

/* Each area's part of the report, named in its row of check_modules[]
 * (check.h): the text between its heading and its findings, and its keys
 * in the JSON object (0, or -1 when memory ran out). */
#define RENDER_AREA(a) \
	void render_text_area_##a(FILE *out, const struct check_result *res, \
	    const struct render_style *st); \
	int render_json_area_##a(struct json_t *report, \
	    const struct check_result *res);
RENDER_AREA(spf)
RENDER_AREA(dmarc)
RENDER_AREA(dkim)
RENDER_AREA(mx)
RENDER_AREA(mtasts)
RENDER_AREA(tlsrpt)
RENDER_AREA(bimi)
RENDER_AREA(transport)
RENDER_AREA(reputation)
#undef RENDER_AREA

/* {"domain", "verdict", "score", "incomplete", "counts": {error, warning,
 * info}, "providers", "findings" (every area's), "spf" (as for `spf
 * DOMAIN`), "dmarc" (as for `dmarc`, without domain and findings), "dkim":
 * [selectors named or found], "mx", "mta_sts", "tls_rpt", "bimi"} as one
 * line.  0, or -1 on out-of-memory or a write error. */
int render_json_check(FILE *out, const struct check_result *res);
/* The same object, for the caller to extend (--baseline adds "changes")
 * and print with render_json_emit(); NULL when memory ran out. */
struct json_t *render_json_check_new(const struct check_result *res);
/* Print o as one line and release it (o NULL: -1).  0, or -1 on a write
 * error. */
int render_json_emit(FILE *out, struct json_t *o);
/* Release an object of render_json_check_new() that is not printed. */
void render_json_free(struct json_t *o);
/* `authcheck smtp`: {"counts", "findings", "transport"} as one line (the
 * "transport" object as in the report).  0, or -1 on out-of-memory or a
 * write error. */
struct transport_result;
int render_json_smtp(FILE *out, const struct transport_result *t);
/* The probe's lines (one per address, then its details) for the report's
 * Transport area and for `authcheck smtp` (render_report.c). */
void render_text_transport(FILE *out, const struct transport_result *t,
    const struct render_style *st);
/* `authcheck blocklist`: {"incomplete", "counts", "findings",
 * "reputation" (as in the report), "reputation_scan"} as one line.  0, or
 * -1 on out-of-memory or a write error (render_json.c). */
struct rep_result;
int render_json_blocklist(FILE *out, const struct rep_result *r);
/* The scan's lines (one per target, its listings) for the report's
 * Reputation area and `authcheck blocklist` (render_reputation.c). */
void render_text_reputation(FILE *out, const struct rep_result *r,
    const struct render_style *st);
/* The text report: verdict and score, then each area's records and
 * findings. */
void render_text_check(FILE *out, const struct check_result *res,
    bool color);
/* ---- `authcheck zone FILE...` (render_json.c) ---- */
struct render_zone_file {
	const char *file;		/* as named on the command line */
	const char *error;		/* why it could not be read, or NULL */
	unsigned long records;
	unsigned long count[3];		/* by enum diag_severity */
	unsigned long suppressed;	/* by --ignore or inline comments */
	unsigned long dropped;		/* over the list's maximum */
	const size_t *order;		/* print order of the list, or NULL */
};
/* {"file", "error" (null when read), "records", "errors", "warnings",
 * "info", "suppressed", "dropped", "findings"} as one line; each finding
 * also has "file" and "line". */
int render_json_zone(FILE *out, const struct render_zone_file *z,
    const struct diag_list *l);

/* `authcheck record`: {"type", "record", "findings"} as one line. */
int render_json_record(FILE *out, const char *type, const char *text,
    size_t len, const struct diag_list *l);

/* Every "findings" array holds {"id", "severity", "message", "reference",
 * "domain", "record", "span": [offset, length] or null, "fix"}. */

/* ---- text (render_text.c) ---- */
struct diag_list;

/* Bytes for a terminal: printable ASCII as is, others as \xNN. */
void render_text_bytes(FILE *out, const char *p, size_t len);
struct diag;
/* d's record (needs d->record and d->has_span) after indent, and a line
 * of carets under the span, both cut to a window around the span. */
void render_text_caret(FILE *out, const struct diag *d, const char *indent);
/* "findings:" and each finding: severity, ID, reference, message, the
 * record with a caret under the span, the fix; "findings: none" if empty. */
void render_text_findings(FILE *out, const struct diag_list *l, bool color);
/* The findings alone, each line starting with indent (at most 27 bytes). */
void render_text_finding_list(FILE *out, const struct diag_list *l, bool color,
    const char *indent);

/* ---- `authcheck providers` and `authcheck generate` (render_json.c) ---- */
struct provider_set;
struct gen_record;
struct gen_spf_term;

/* One line per template: {"id", "name", "kind", "spf": {"includes",
 * "where", "lookups", "note", "return_path"}, "dkim": {"type",
 * "selectors", "target"}, "mx", "docs", "unverified": [{"field", "why"}]}.
 * 0, or -1 on out-of-memory or a write error. */
int render_json_providers(FILE *out, const struct provider_set *ps);

/* What one `generate` run produced. */
struct render_gen {
	const char *kind;		/* "spf", "dmarc", "dkim" */
	const char *domain;		/* NULL when not known (dkim) */
	const struct gen_record *records;
	size_t nrecords;
	bool spf_strings;		/* TXT split at term boundaries */
	int lookups;			/* -1: not an SPF run */
	bool lookups_live;
	const struct gen_spf_term *terms;
	size_t nterms;
	const char *const *notes;	/* advice lines */
	size_t nnotes;
	const char *selector, *key_type, *key_file;	/* dkim */
	unsigned bits;
	const struct diag_list *findings;
};
/* {"kind", "domain", "records": [{"name", "type", "value", "strings"
 * (TXT: the character-strings), "why"}], "lookups", "lookups_source"
 * ("live"|"templates"), "terms": [{"term", "lookups", "source",
 * "provider"}], "notes", "selector", "key_type", "bits", "private_key",
 * "findings"} as one line; keys that do not apply are left out. */
int render_json_generate(FILE *out, const struct render_gen *g);

#endif
