/*
 * pattern.c -- PCRE2 behind a three-function interface (see pattern.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "pattern.h"

/* Backtracking budget per match: provider names are short, so a pattern
 * that needs more than this is pathological ((a+)+$ on a long subject). */
#define PATTERN_MATCH_LIMIT	100000
#define PATTERN_DEPTH_LIMIT	1000

struct pattern {
	pcre2_code *code;
	pcre2_match_context *mctx;
};

struct pattern *
pattern_compile(const char *p, size_t len, char *err, size_t errsize)
{
	struct pattern *pat;
	int ecode;
	PCRE2_SIZE eoff;

	if (len > PATTERN_MAX_LEN) {
		snprintf(err, errsize, "pattern longer than %d bytes",
		    PATTERN_MAX_LEN);
		return NULL;
	}
	if ((pat = calloc(1, sizeof(*pat))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	/* PCRE2_NEVER_UTF: data patterns are ASCII names; a (*UTF) in the
	 * text cannot switch modes on us. */
	pat->code = pcre2_compile((PCRE2_SPTR)p, len,
	    PCRE2_CASELESS | PCRE2_NEVER_UTF | PCRE2_NEVER_BACKSLASH_C,
	    &ecode, &eoff, NULL);
	if (pat->code == NULL) {
		PCRE2_UCHAR msg[128];

		if (pcre2_get_error_message(ecode, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", ecode);
		snprintf(err, errsize, "%s at offset %zu", (char *)msg,
		    (size_t)eoff);
		free(pat);
		return NULL;
	}
	if ((pat->mctx = pcre2_match_context_create(NULL)) == NULL) {
		pcre2_code_free(pat->code);
		free(pat);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	pcre2_set_match_limit(pat->mctx, PATTERN_MATCH_LIMIT);
	pcre2_set_depth_limit(pat->mctx, PATTERN_DEPTH_LIMIT);
	return pat;
}

bool
pattern_match(const struct pattern *pat, const char *s, size_t len)
{
	pcre2_match_data *md;
	int rc;

	if (pat == NULL)
		return false;
	if ((md = pcre2_match_data_create_from_pattern(pat->code, NULL)) ==
	    NULL)
		return false;
	rc = pcre2_match(pat->code, (PCRE2_SPTR)s, len, 0, 0, md, pat->mctx);
	pcre2_match_data_free(md);
	/* Negative: no match, or a limit was hit (PCRE2_ERROR_MATCHLIMIT,
	 * _DEPTHLIMIT): both read as "not this provider". */
	return rc >= 0;
}

void
pattern_free(struct pattern *pat)
{
	if (pat == NULL)
		return;
	pcre2_match_context_free(pat->mctx);
	pcre2_code_free(pat->code);
	free(pat);
}
