/*
 * render_summary.c -- the end of a text run over many domains: counts by
 * verdict and a table of the domains, worst first; and each domain's
 * changes since a baseline.
 *
 * The table keeps the worst `max` domains in a heap whose top is the best
 * of those kept, so a list of a million names costs `max` rows of memory.
 */
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "check.h"
#include "cli.h"
#include "render.h"
#include "render_hub.h"

struct sum_row {
	char domain[256];
	int rank;			/* render_verdict_rank() */
	unsigned score;
	unsigned long errors, warnings;
	char status[CHECK__AREAS];	/* first letter of each area's status */
	long change;			/* score change; LONG_MIN: none */
	bool has_change, new_errors;
	size_t order;			/* input order */
};

struct render_summary {
	struct sum_row *v;		/* heap: v[0] the best kept */
	size_t n, max;
	size_t total, by_rank[4], changed, with_new_errors;
};

/* a before b in the table: worse verdict, lower score, earlier input. */
static bool
worse(const struct sum_row *a, const struct sum_row *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank;
	if (a->score != b->score)
		return a->score < b->score;
	return a->order < b->order;
}

static void
swap(struct sum_row *a, struct sum_row *b)
{
	struct sum_row t = *a;

	*a = *b;
	*b = t;
}

/* Max-heap by "better": the root is the row that leaves first. */
static void
sift_up(struct sum_row *v, size_t i)
{
	while (i > 0 && worse(&v[(i - 1) / 2], &v[i])) {
		swap(&v[(i - 1) / 2], &v[i]);
		i = (i - 1) / 2;
	}
}

static void
sift_down(struct sum_row *v, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && worse(&v[m], &v[l]))
			m = l;
		if (r < n && worse(&v[m], &v[r]))
			m = r;
		if (m == i)
			return;
		swap(&v[i], &v[m]);
		i = m;
	}
}

struct render_summary *
render_summary_new(size_t max)
{
	struct render_summary *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->v = calloc(max ? max : 1, sizeof(*s->v))) ==
	    NULL) {
		free(s);
		return NULL;
	}
	s->max = max;
	return s;
}

void
render_summary_free(struct render_summary *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s);
}

int
render_summary_add(struct render_summary *s, const struct check_result *res,
    const struct changes *ch)
{
	struct sum_row r;

	memset(&r, 0, sizeof(r));
	snprintf(r.domain, sizeof(r.domain), "%s", res->domain);
	r.rank = render_verdict_rank(check_verdict(res));
	r.score = res->score;
	r.errors = res->count[DIAG_ERROR];
	r.warnings = res->count[DIAG_WARNING];
	for (int a = 0; a < CHECK__AREAS; a++)
		r.status[a] = render_area_status(res, a)[0];
	r.order = s->total++;
	s->by_rank[r.rank]++;
	if (ch != NULL && changes_any(ch)) {
		r.has_change = true;
		s->changed++;
	}
	if (ch != NULL && ch->new_errors > 0) {
		r.new_errors = true;
		s->with_new_errors++;
	}
	if (ch != NULL && !ch->new_domain && ch->score_old >= 0)
		r.change = ch->score_new - ch->score_old;
	if (s->n < s->max) {
		s->v[s->n] = r;
		sift_up(s->v, s->n++);
	} else if (s->n > 0 && worse(&r, &s->v[0])) {
		s->v[0] = r;
		sift_down(s->v, s->n, 0);
	}
	return 0;
}

static int
cmp_rows(const void *a, const void *b)
{
	return worse(a, b) ? -1 : worse(b, a) ? 1 : 0;
}

/* A status column: as wide as its area's name, 7 at least ("incompl"). */
static int
area_width(int a)
{
	size_t n = strlen(check_modules[a].name);

	return n < 7 ? 7 : (int)n;
}

void
render_summary_print(FILE *out, const struct render_summary *s, bool color)
{
	static const char *const names[4] = { "fail", "incomplete", "warn",
	    "pass" };
	const char *red = color ? "\033[31m" : "", *yel = color ? "\033[33m" :
	    "", *grn = color ? "\033[32m" : "", *rst = color ? "\033[0m" : "";
	struct sum_row *v;
	size_t w = 6;

	fprintf(out, "summary: %zu domains: %zu fail, %zu incomplete, %zu "
	    "warn, %zu pass", s->total, s->by_rank[0], s->by_rank[1],
	    s->by_rank[2], s->by_rank[3]);
	if (s->changed > 0 || s->with_new_errors > 0)
		fprintf(out, "; %zu changed, %zu with new errors", s->changed,
		    s->with_new_errors);
	fputc('\n', out);
	if ((v = malloc((s->n ? s->n : 1) * sizeof(*v))) == NULL) {
		fputs("  (out of memory: no table)\n", out);
		return;
	}
	memcpy(v, s->v, s->n * sizeof(*v));
	qsort(v, s->n, sizeof(*v), cmp_rows);
	for (size_t i = 0; i < s->n; i++)
		if (strlen(v[i].domain) > w)
			w = strlen(v[i].domain) > 40 ? 40 : strlen(v[i].domain);
	fprintf(out, "  %-*s  %-10s  %5s  %6s  %8s ", (int)w, "domain",
	    "verdict", "score", "errors", "warnings");
	for (int a = 0; a < CHECK__AREAS; a++)
		fprintf(out, a + 1 < CHECK__AREAS ? " %-*s" : " %.*s",
		    area_width(a), check_modules[a].name);
	fputs(s->changed > 0 || s->with_new_errors > 0 ? "  changes\n" : "\n",
	    out);
	for (size_t i = 0; i < s->n; i++) {
		const struct sum_row *r = &v[i];
		const char *c = r->rank == 0 ? red : r->rank == 3 ? grn : yel;
		size_t len = strlen(r->domain);

		fputs("  ", out);
		cli_put_safe(out, r->domain);
		fprintf(out, "%*s  %s%-10s%s  %5u  %6lu  %8lu ",
		    len < w ? (int)(w - len) : 0, "", c, names[r->rank], rst,
		    r->score, r->errors, r->warnings);
		for (int a = 0; a < CHECK__AREAS; a++)
			fprintf(out, a + 1 < CHECK__AREAS || r->has_change ?
			    " %-*s" : " %.*s", area_width(a),
			    r->status[a] == 'f' ? "FAIL" :
			    r->status[a] == 'w' ? "warn" : r->status[a] == 's' ?
			    "skip" : r->status[a] == 'i' ?
			    "incompl" : "ok");
		if (r->has_change) {
			fputs("  ", out);
			if (r->change != 0)
				fprintf(out, "score %+ld ", r->change);
			fputs(r->new_errors ? "NEW ERRORS" : "changed", out);
		}
		fputc('\n', out);
	}
	if (s->total > s->n)
		fprintf(out, "  ... %zu better-scored domains not shown (the "
		    "table keeps the worst %zu)\n", s->total - s->n, s->max);
	free(v);
}

static void
opt_text(FILE *out, const char *s)
{
	if (s == NULL) {
		fputs("(none)", out);
		return;
	}
	putc('"', out);
	render_text_bytes(out, s, strlen(s));
	putc('"', out);
}

void
render_text_changes(FILE *out, const char *domain, const struct changes *ch,
    const char *baseline_path)
{
	fputs("Changes since ", out);
	cli_put_safe(out, baseline_path);
	if (!changes_any(ch)) {
		fputs(": none\n\n", out);
		return;
	}
	fputs("\n", out);
	if (ch->new_domain)
		fputs("  not in the baseline: every finding is new\n", out);
	if (ch->score_old != ch->score_new && !ch->new_domain)
		fprintf(out, "  score %ld -> %ld (%+ld)\n", ch->score_old,
		    ch->score_new, ch->score_new - ch->score_old);
	if (ch->lookups_old != ch->lookups_new && !ch->new_domain)
		fprintf(out, "  SPF lookups %ld -> %ld (%+ld)\n",
		    ch->lookups_old, ch->lookups_new,
		    ch->lookups_new - ch->lookups_old);
	for (size_t i = 0; i < ch->nrec; i++) {
		fprintf(out, "  %s: ", ch->rec[i].what);
		opt_text(out, ch->rec[i].old);
		fputs(" -> ", out);
		opt_text(out, ch->rec[i].new);
		putc('\n', out);
	}
	for (size_t i = 0; i < ch->nappeared && !ch->new_domain; i++) {
		fprintf(out, "  appeared: %s %s", ch->appeared[i]->severity,
		    ch->appeared[i]->id);
		if (ch->appeared[i]->domain != NULL &&
		    strcmp(ch->appeared[i]->domain, domain) != 0) {
			fputs(" (", out);
			cli_put_safe(out, ch->appeared[i]->domain);
			putc(')', out);
		}
		putc('\n', out);
	}
	for (size_t i = 0; i < ch->nfixed; i++) {
		fprintf(out, "  fixed: %s %s", ch->fixed[i]->severity,
		    ch->fixed[i]->id);
		if (ch->fixed[i]->domain != NULL &&
		    strcmp(ch->fixed[i]->domain, domain) != 0) {
			fputs(" (", out);
			cli_put_safe(out, ch->fixed[i]->domain);
			putc(')', out);
		}
		putc('\n', out);
	}
	putc('\n', out);
}
