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

/* {"domain", "verdict", "score", "incomplete", "counts": {error, warning,
 * info}, "providers", "findings" (every area's), "spf" (as for `spf
 * DOMAIN`), "dmarc" (as for `dmarc`, without domain and findings), "dkim":
 * [selectors named or found], "mx", "mta_sts", "tls_rpt", "bimi"} as one
 * line.  0, or -1 on out-of-memory or a write error. */
int render_json_check(FILE *out, const struct check_result *res);
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

/* Every "findings" array holds {"id", "severity", "message", "reference",
 * "domain", "record", "span": [offset, length] or null, "fix"}. */

/* ---- text (render_text.c) ---- */
struct diag_list;

/* Bytes for a terminal: printable ASCII as is, others as \xNN. */
void render_text_bytes(FILE *out, const char *p, size_t len);
/* "findings:" and each finding: severity, ID, reference, message, the
 * record with a caret under the span, the fix; "findings: none" if empty. */
void render_text_findings(FILE *out, const struct diag_list *l, bool color);
/* The findings alone, each line starting with indent (at most 27 bytes). */
void render_text_finding_list(FILE *out, const struct diag_list *l, bool color,
    const char *indent);

#endif
