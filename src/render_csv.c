/*
 * render_csv.c -- one CSV row per domain (RFC 4180), and the per-area
 * status words the many-domain outputs share.
 */
#include <string.h>

#include "baseline.h"
#include "buf.h"
#include "check.h"
#include "dmarc.h"
#include "render_hub.h"

static void cell(FILE *out, const char *s, bool text, bool first);

const char *
render_area_status(const struct check_result *res, enum check_area a)
{
	const struct area_result *ar = check_area(res, a);
	const struct diag_list *l;
	bool warn = false;

	for (size_t i = 0; (l = check_findings(res, a, i)) != NULL; i++)
		for (size_t k = 0; k < l->n; k++) {
			enum diag_severity sev =
			    diag_info(l->v[k].id)->severity;

			if (sev == DIAG_ERROR)
				return "fail";
			if (sev == DIAG_WARNING)
				warn = true;
		}
	if (ar != NULL && (ar->incomplete || ar->oom))
		return "incomplete";
	if (!warn && ar != NULL && ar->skipped)
		return "skipped";
	return warn ? "warn" : "pass";
}

int
render_verdict_rank(const char *v)
{
	if (strcmp(v, "fail") == 0)
		return 0;
	if (strcmp(v, "incomplete") == 0)
		return 1;
	if (strcmp(v, "warn") == 0)
		return 2;
	return 3;
}

void
render_csv_cell(FILE *out, const char *s)
{
	cell(out, s, true, true);
}

/* One cell: quoted when needed (RFC 4180 §2), a formula guard for text. */
static void
cell(FILE *out, const char *s, bool text, bool first)
{
	bool quote = false;

	if (!first)
		putc(',', out);
	if (s == NULL)
		return;
	for (const char *p = s; *p != '\0'; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
			quote = true;
	if (quote)
		putc('"', out);
	if (text && (s[0] == '=' || s[0] == '+' || s[0] == '-' ||
	    s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
		putc('\'', out);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			putc('"', out);
		putc(*p, out);
	}
	if (quote)
		putc('"', out);
}

static void
num(FILE *out, long v)
{
	fprintf(out, ",%ld", v);
}

int
render_csv_header(FILE *out, bool with_changes)
{
	fputs("domain,verdict,score", out);
	for (int a = 0; a < CHECK__AREAS; a++)
		cell(out, check_modules[a].name, true, false);
	fputs(",errors,warnings,spf_lookups,dmarc_policy,dkim_selectors,"
	    "mx_count,findings", out);
	if (with_changes)
		fputs(",score_change,findings_appeared,findings_fixed,"
		    "records_changed", out);
	fputs("\r\n", out);
	return ferror(out) ? -1 : 0;
}

/* IDs of a findings list, each once, space-separated. */
static void
add_ids(struct buf *b, const struct diag_list *l)
{
	for (size_t k = 0; k < l->n; k++) {
		const char *id = diag_info(l->v[k].id)->id;
		size_t n = strlen(id);
		const char *p = buf_str(b);
		bool seen = false;

		for (const char *q = p; (q = strstr(q, id)) != NULL; q += n)
			if ((q == p || q[-1] == ' ') &&
			    (q[n] == ' ' || q[n] == '\0'))
				seen = true;
		if (seen)
			continue;
		if (b->len > 0)
			buf_addc(b, ' ');
		buf_adds(b, id);
	}
}

int
render_csv_row(FILE *out, const struct check_result *res,
    const struct changes *ch, bool with_changes)
{
	const struct diag_list *l;
	struct buf b;
	int rc = 0;

	buf_init(&b, 1 << 20);
	cell(out, res->domain, true, true);
	cell(out, check_verdict(res), true, false);
	num(out, (long)res->score);
	for (int a = 0; a < CHECK__AREAS; a++)
		cell(out, render_area_status(res, a), true, false);
	num(out, (long)res->count[DIAG_ERROR]);
	num(out, (long)res->count[DIAG_WARNING]);
	if (res->spf.root != NULL && res->spf.root->record != NULL)
		num(out, (long)res->spf.lookups);
	else
		putc(',', out);
	cell(out, res->dmarc.found ? dmarc_policy_name(res->dmarc.policy) :
	    NULL, true, false);
	for (size_t i = 0; i < res->dkim.nsel; i++)
		if (res->dkim.sel[i].found) {
			if (b.len > 0)
				buf_addc(&b, ' ');
			buf_adds(&b, res->dkim.sel[i].selector);
		}
	cell(out, buf_str(&b), true, false);
	num(out, (long)res->mx.nhost);
	buf_reset(&b);
	for (int a = 0; a < CHECK__AREAS; a++)
		for (size_t i = 0; (l = check_findings(res, a, i)) != NULL;
		    i++)
			add_ids(&b, l);
	cell(out, buf_str(&b), true, false);
	if (with_changes) {
		if (ch != NULL && !ch->new_domain && ch->score_old >= 0 &&
		    ch->score_new >= 0)
			fprintf(out, ",%+ld", ch->score_new - ch->score_old);
		else
			putc(',', out);
		for (int k = 0; k < 2; k++) {
			const struct snap_finding *const *v = ch == NULL ? NULL :
			    k == 0 ? ch->appeared : ch->fixed;
			size_t n = ch == NULL ? 0 : k == 0 ? ch->nappeared :
			    ch->nfixed;

			buf_reset(&b);
			for (size_t i = 0; i < n; i++) {
				if (b.len > 0)
					buf_addc(&b, ' ');
				buf_adds(&b, v[i]->id);
			}
			cell(out, buf_str(&b), true, false);
		}
		buf_reset(&b);
		for (size_t i = 0; ch != NULL && i < ch->nrec; i++) {
			if (b.len > 0)
				buf_adds(&b, "; ");
			buf_adds(&b, ch->rec[i].what);
		}
		cell(out, buf_str(&b), true, false);
	}
	fputs("\r\n", out);
	if (b.err || ferror(out))
		rc = -1;
	buf_free(&b);
	return rc;
}
