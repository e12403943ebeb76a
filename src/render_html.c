/*
 * render_html.c -- the many-domain run as one self-contained HTML page
 * (--html FILE): a summary, the changes since a baseline, and a table of
 * every domain, worst first, each with its details.
 *
 * The page's frame, style and script are the template data/report.html
 * (found like the provider templates); this file writes the parts between
 * its markers.  Rows are written to scratch space as domains finish, so
 * memory holds only a small index per domain; they are copied into the
 * page in worst-first order at the end.  Every byte that came from DNS
 * goes through html_bytes(): escaped, and shown as \xNN when it is a
 * control byte or not UTF-8.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baseline.h"
#include "buf.h"
#include "check.h"
#include "cli.h"
#include "dmarc.h"
#include "mx.h"
#include "providers.h"
#include "render_hub.h"
#include "spf_lint.h"

#define TEMPLATE_MAX (1u << 20)
#define HTML_MAX_DOMAINS 1000000

struct html_row {
	int rank;
	unsigned score;
	size_t order;
	long long off, len;	/* in the scratch file */
};

struct render_html {
	char *tmpl;			/* the template, NUL-terminated */
	char *title;
	char *baseline;			/* its path, or NULL */
	char *path, *tmppath;		/* the page, and where it is written
					 * until complete */
	FILE *page;			/* open on tmppath */
	FILE *rows, *changes;		/* scratch files */
	struct html_row *idx;
	size_t n, cap;
	size_t by_rank[4];
	size_t nchanged, nnew_errors;
	unsigned long domains_with[DIAG__COUNT];	/* per finding ID */
};


/* p[0..n) as HTML text or attribute value. */
static void
html_bytes(FILE *out, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t k;

	for (size_t i = 0; i < n; i += k) {
		k = 1;
		switch (u[i]) {
		case '&': fputs("&amp;", out); continue;
		case '<': fputs("&lt;", out); continue;
		case '>': fputs("&gt;", out); continue;
		case '"': fputs("&quot;", out); continue;
		case '\'': fputs("&#39;", out); continue;
		default: break;
		}
		if (u[i] < 0x20 || u[i] == 0x7f) {
			fprintf(out, "\\x%02x", u[i]);
			continue;
		}
		if (u[i] < 0x80) {
			putc(u[i], out);
			continue;
		}
		if ((k = cli_utf8_len(u + i, n - i)) == 0) {
			fprintf(out, "\\x%02x", u[i]);
			k = 1;
			continue;
		}
		/* C1 controls (U+0080..U+009F) are shown, not passed. */
		if (u[i] == 0xc2 && u[i + 1] < 0xa0) {
			fprintf(out, "\\x%02x\\x%02x", u[i], u[i + 1]);
			continue;
		}
		fwrite(p + i, 1, k, out);
	}
}

static void
html(FILE *out, const char *s)
{
	if (s != NULL)
		html_bytes(out, s, strlen(s));
}

/* The template: AUTHCHECK_DATADIR, data/ next to the binary, or the
 * compiled-in datadir, like the provider templates. */
static char *
read_template(char *err, size_t errsize)
{
	const char *dir = providers_default_dir();
	const char *slash = strrchr(dir, '/');
	struct buf path, b;
	char chunk[8192];
	size_t n;
	FILE *f;
	char *t = NULL;

	buf_init(&path, BUF_MAX_PATH);
	if (slash != NULL)
		buf_add(&path, dir, (size_t)(slash - dir));
	else
		buf_adds(&path, ".");
	buf_adds(&path, "/" RENDER_HTML_TEMPLATE);
	if (path.err || (f = fopen(buf_str(&path), "r")) == NULL) {
		buf_errf(err, errsize, "%s: %s", buf_str(&path), strerror(errno));
		buf_free(&path);
		return NULL;
	}
	buf_init(&b, TEMPLATE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f) || b.err)
		buf_errf(err, errsize, "%s: %s", buf_str(&path), ferror(f) ?
		    "read error" : "too large");
	else if ((t = buf_take(&b)) == NULL)
		buf_errf(err, errsize, "out of memory");
	fclose(f);
	buf_free(&b);
	buf_free(&path);
	return t;
}

struct render_html *
render_html_new(const char *path, const char *title, const char *baseline,
    char *err, size_t errsize)
{
	struct render_html *h = calloc(1, sizeof(*h));
	struct buf tmp;

	if (h == NULL) {
		buf_errf(err, errsize, "out of memory");
		return NULL;
	}
	if ((h->tmpl = read_template(err, errsize)) == NULL)
		goto fail;
	/* The page's file is created now: a bad path fails before the
	 * run, not after it. */
	buf_init(&tmp, BUF_MAX_PATH);
	buf_printf(&tmp, "%s.tmp", path);
	if ((h->tmppath = buf_take(&tmp)) == NULL ||
	    (h->path = buf_strdup(path)) == NULL) {
		buf_free(&tmp);
		buf_errf(err, errsize, "out of memory");
		goto fail;
	}
	buf_free(&tmp);
	if ((h->page = fopen(h->tmppath, "w")) == NULL) {
		buf_errf(err, errsize, "%s: %s", h->tmppath, strerror(errno));
		goto fail;
	}
	if ((h->title = buf_strdup(title)) == NULL ||
	    (baseline != NULL && (h->baseline = buf_strdup(baseline)) ==
	    NULL)) {
		buf_errf(err, errsize, "out of memory");
		goto fail;
	}
	if ((h->rows = tmpfile()) == NULL || (h->changes = tmpfile()) ==
	    NULL) {
		buf_errf(err, errsize, "scratch file: %s", strerror(errno));
		goto fail;
	}
	return h;
fail:
	render_html_free(h);
	return NULL;
}

void
render_html_free(struct render_html *h)
{
	if (h == NULL)
		return;
	free(h->tmpl);
	free(h->title);
	free(h->baseline);
	if (h->page != NULL) {
		/* Not written to the end: the page is not replaced. */
		fclose(h->page);
		remove(h->tmppath);
	}
	free(h->path);
	free(h->tmppath);
	if (h->rows != NULL)
		fclose(h->rows);
	if (h->changes != NULL)
		fclose(h->changes);
	free(h->idx);
	free(h);
}

static void
finding_html(FILE *out, const struct diag *d)
{
	const struct diag_info *in = diag_info(d->id);
	const char *sev = diag_severity_name(in->severity);

	fprintf(out, "<li class=\"f %s\"><span class=\"sev\">%s</span> "
	    "<code class=\"id\">%s</code> ", sev, sev, in->id);
	if (in->ref != NULL && strcmp(in->ref, "-") != 0) {
		fputs("<span class=\"ref\">[", out);
		html(out, in->ref);
		fputs("]</span> ", out);
	}
	html(out, d->message != NULL ? d->message : in->title);
	if (d->domain != NULL) {
		fputs(" <span class=\"at\">at ", out);
		html(out, d->domain);
		fputs("</span>", out);
	}
	if (d->record != NULL) {
		fputs("<div class=\"rec\"><code>", out);
		html_bytes(out, d->record, d->record_len);
		fputs("</code></div>", out);
	}
	fputs("<div class=\"fix\">fix: ", out);
	html(out, d->fix != NULL ? d->fix : in->hint);
	fputs("</div></li>\n", out);
}

/* One node of the SPF tree and its kids (depth bounded by the lint). */
static void
spf_node_html(FILE *out, const struct spf_tree_node *n)
{
	const char *note = spf_node_status_note(n->status);

	fputs("<li>", out);
	if (n->via != NULL)
		fprintf(out, "<span class=\"via\">%s:</span>", n->via);
	fputs("<b>", out);
	html(out, n->domain);
	fprintf(out, "</b> <span class=\"cost\">%u lookup%s</span>",
	    n->subtree_cost, n->subtree_cost == 1 ? "" : "s");
	if (note != NULL)
		fprintf(out, " <span class=\"note\">%s</span>", note);
	if (n->record != NULL) {
		fputs("<div class=\"rec\"><code>", out);
		html_bytes(out, n->record, n->record_len);
		fputs("</code></div>", out);
	}
	if (n->nkids > 0) {
		fputs("<ul>", out);
		for (size_t i = 0; i < n->nkids; i++)
			spf_node_html(out, n->kids[i]);
		fputs("</ul>", out);
	}
	fputs("</li>\n", out);
}

static void
changes_html(FILE *out, const struct changes *ch)
{
	if (ch->new_domain) {
		fputs("<p>not in the baseline</p>", out);
		return;
	}
	fputs("<ul class=\"changes\">", out);
	if (ch->score_old != ch->score_new)
		fprintf(out, "<li>score %ld &rarr; %ld (%+ld)</li>",
		    ch->score_old, ch->score_new, ch->score_new - ch->score_old);
	if (ch->lookups_old != ch->lookups_new)
		fprintf(out, "<li>SPF lookups %ld &rarr; %ld (%+ld)</li>",
		    ch->lookups_old, ch->lookups_new,
		    ch->lookups_new - ch->lookups_old);
	for (size_t i = 0; i < ch->nrec; i++) {
		fputs("<li>", out);
		html(out, ch->rec[i].what);
		fputs(": <code class=\"old\">", out);
		html(out, ch->rec[i].old != NULL ? ch->rec[i].old : "(none)");
		fputs("</code> &rarr; <code class=\"new\">", out);
		html(out, ch->rec[i].new != NULL ? ch->rec[i].new : "(none)");
		fputs("</code></li>", out);
	}
	for (size_t i = 0; i < ch->nappeared; i++) {
		fprintf(out, "<li class=\"%s\">appeared: ",
		    ch->appeared[i]->severity != NULL ?
		    ch->appeared[i]->severity : "");
		html(out, ch->appeared[i]->severity);
		fputs(" <code>", out);
		html(out, ch->appeared[i]->id);
		fputs("</code> ", out);
		html(out, ch->appeared[i]->domain);
		fputs("</li>", out);
	}
	for (size_t i = 0; i < ch->nfixed; i++) {
		fputs("<li class=\"pass\">fixed: ", out);
		html(out, ch->fixed[i]->severity);
		fputs(" <code>", out);
		html(out, ch->fixed[i]->id);
		fputs("</code> ", out);
		html(out, ch->fixed[i]->domain);
		fputs("</li>", out);
	}
	fputs("</ul>\n", out);
}

/* The details of one domain: its records, findings, SPF tree. */
static void
details_html(FILE *out, const struct check_result *res,
    const struct changes *ch)
{
	const struct diag_list *l;

	if (ch != NULL && changes_any(ch)) {
		fputs("<h4>Changes since the baseline</h4>", out);
		changes_html(out, ch);
	}
	fputs("<h4>Findings</h4>", out);
	for (int a = 0; a < CHECK__AREAS; a++) {
		size_t n = 0;

		for (size_t i = 0; (l = check_findings(res, a, i)) != NULL;
		    i++)
			n += l->n;
		if (n == 0)
			continue;
		fprintf(out, "<h5>%s</h5><ul class=\"findings\">\n",
		    check_modules[a].title);
		for (size_t i = 0; (l = check_findings(res, a, i)) != NULL;
		    i++)
			for (size_t k = 0; k < l->n; k++)
				finding_html(out, &l->v[k]);
		fputs("</ul>\n", out);
	}
	if (res->count[DIAG_ERROR] + res->count[DIAG_WARNING] +
	    res->count[DIAG_INFO] == 0)
		fputs("<p class=\"pass\">no problems found</p>", out);
	fputs("<h4>Records</h4><dl>", out);
	if (res->dmarc.found) {
		fputs("<dt>DMARC at _dmarc.", out);
		html(out, res->dmarc.found_at);
		fputs("</dt><dd><code>", out);
		html_bytes(out, res->dmarc.record, res->dmarc.record_len);
		fprintf(out, "</code> (policy %s)</dd>",
		    dmarc_policy_name(res->dmarc.policy));
	}
	for (size_t i = 0; i < res->dkim.nsel; i++) {
		const struct dkim_selector *s = &res->dkim.sel[i];

		if (!s->found)
			continue;
		fputs("<dt>DKIM ", out);
		html(out, s->name);
		fputs("</dt><dd><code>", out);
		if (s->record != NULL)
			html_bytes(out, s->record, s->record_len);
		fputs("</code></dd>", out);
	}
	for (size_t i = 0; i < res->mx.nhost; i++) {
		fprintf(out, "<dt>MX %u</dt><dd>", res->mx.host[i].pref);
		html(out, res->mx.host[i].name);
		fputs("</dd>", out);
	}
	fputs("</dl>\n", out);
	if (res->spf.root != NULL) {
		fprintf(out, "<h4>SPF include tree (%u/10 lookups)</h4>"
		    "<ul class=\"tree\">", res->spf.lookups);
		spf_node_html(out, res->spf.root);
		fputs("</ul>\n", out);
	}
}

int
render_html_add(struct render_html *h, const struct check_result *res,
    const struct changes *ch)
{
	FILE *out = h->rows;
	const char *verdict = check_verdict(res);
	const struct diag_list *l;
	bool seen[DIAG__COUNT];
	struct html_row *r;
	long long start;

	if (h->n == HTML_MAX_DOMAINS)
		return -1;
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 256;
		struct html_row *nv = realloc(h->idx, ncap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		h->idx = nv;
		h->cap = ncap;
	}
	start = (long long)ftello(out);
	r = &h->idx[h->n];
	r->rank = render_verdict_rank(verdict);
	r->score = res->score;
	r->order = h->n;
	r->off = start;
	h->by_rank[r->rank]++;

	memset(seen, 0, sizeof(seen));
	fprintf(out, "<tbody class=\"dom\" data-rank=\"%d\" data-score=\"%u\" "
	    "data-order=\"%zu\" data-name=\"", r->rank, res->score, h->n);
	html(out, res->domain);
	fputs("\" data-ids=\"", out);
	for (int a = 0; a < CHECK__AREAS; a++)
		for (size_t i = 0; (l = check_findings(res, a, i)) != NULL; i++)
			for (size_t k = 0; k < l->n; k++)
				if (!seen[l->v[k].id]) {
					seen[l->v[k].id] = true;
					fprintf(out, "%s ",
					    diag_info(l->v[k].id)->id);
				}
	for (int a = 0; a < CHECK__AREAS; a++)
		fprintf(out, "\" data-a%d=\"%d", a,
		    render_verdict_rank(render_area_status(res, a)));
	fprintf(out, "\">\n<tr class=\"row\"><td class=\"name\">");
	html(out, res->domain);
	fprintf(out, "</td><td class=\"v %s\">%s</td><td class=\"num\">%u</td>",
	    verdict, verdict, res->score);
	for (int a = 0; a < CHECK__AREAS; a++) {
		const char *st = render_area_status(res, a);

		/* The status words are also the page's style classes. */
		fprintf(out, "<td class=\"v %s\">%s</td>", st,
		    strcmp(st, "incomplete") == 0 ? "incompl." : st);
	}
	fprintf(out, "<td class=\"num\">%lu</td><td class=\"num\">%lu</td>",
	    res->count[DIAG_ERROR], res->count[DIAG_WARNING]);
	if (ch != NULL && changes_any(ch))
		fprintf(out, "<td class=\"%s\">%s</td>", ch->new_errors > 0 ?
		    "fail" : "warn", ch->new_domain ? "new" : ch->new_errors > 0 ?
		    "new errors" : "changed");
	else
		fputs("<td></td>", out);
	fprintf(out, "</tr>\n<tr class=\"details\" hidden><td colspan=\"%d\">",
	    CHECK__AREAS + 6);
	details_html(out, res, ch);
	fputs("</td></tr>\n</tbody>\n", out);
	for (size_t id = 0; id < DIAG__COUNT; id++)
		if (seen[id])
			h->domains_with[id]++;

	if (ch != NULL && changes_any(ch)) {
		h->nchanged++;
		if (ch->new_errors > 0)
			h->nnew_errors++;
		fprintf(h->changes, "<li class=\"%s\"><a href=\"#\" "
		    "data-goto=\"", ch->new_errors > 0 ? "fail" : "warn");
		html(h->changes, res->domain);
		fputs("\">", h->changes);
		html(h->changes, res->domain);
		fputs("</a>", h->changes);
		changes_html(h->changes, ch);
		fputs("</li>\n", h->changes);
	}
	r->len = (long long)ftello(out) - start;
	h->n++;
	return ferror(out) || ferror(h->changes) ? -1 : 0;
}

static int
cmp_rows(const void *a, const void *b)
{
	const struct html_row *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
copy_range(FILE *out, FILE *in, long long off, long long len)
{
	char chunk[65536];

	if (fseeko(in, (off_t)off, SEEK_SET) != 0)
		return -1;
	while (len > 0) {
		size_t want = len < (long long)sizeof(chunk) ? (size_t)len :
		    sizeof(chunk);

		if (fread(chunk, 1, want, in) != want ||
		    fwrite(chunk, 1, want, out) != want)
			return -1;
		len -= (long long)want;
	}
	return 0;
}

static int
cmp_ids(const void *a, const void *b, void *arg)
{
	const unsigned long *c = arg;
	const size_t *x = a, *y = b;

	if (c[*x] != c[*y])
		return c[*x] > c[*y] ? -1 : 1;
	return *x < *y ? -1 : *x > *y;
}

static void
summary_html(FILE *out, const struct render_html *h)
{
	static const char *const names[4] = { "fail", "incomplete", "warn",
	    "pass" };
	size_t ids[DIAG__COUNT], n = 0;
	const unsigned long *counts = h->domains_with;

	fprintf(out, "<p class=\"counts\"><b>%zu</b> domains:", h->n);
	for (int i = 0; i < 4; i++)
		fprintf(out, " <span class=\"chip %s\">%zu %s</span>",
		    names[i], h->by_rank[i], names[i]);
	if (h->baseline != NULL)
		fprintf(out, " <span class=\"chip warn\">%zu changed</span>"
		    " <span class=\"chip fail\">%zu with new errors</span>",
		    h->nchanged, h->nnew_errors);
	fputs("</p>\n", out);
	for (size_t id = 0; id < DIAG__COUNT; id++)
		if (counts[id] > 0)
			ids[n++] = id;
	/* qsort_r is a GNU extension; a simple insertion sort keeps this
	 * portable (at most DIAG__COUNT entries). */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp_ids(&ids[j - 1], &ids[j],
		    (void *)counts) > 0; j--) {
			size_t t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	if (n == 0) {
		fputs("<p>No findings in any domain.</p>\n", out);
		return;
	}
	fputs("<h3>Most common findings</h3>\n<table class=\"common\"><tr>"
	    "<th>domains</th><th>finding</th><th>severity</th><th>what</th>"
	    "</tr>\n", out);
	for (size_t i = 0; i < n && i < 15; i++) {
		const struct diag_info *in = diag_info((enum diag_id)ids[i]);
		const char *sev = diag_severity_name(in->severity);

		fprintf(out, "<tr><td class=\"num\">%lu</td><td><a href=\"#\" "
		    "data-filter=\"%s\"><code>%s</code></a></td><td class=\"%s\">"
		    "%s</td><td>", counts[ids[i]], in->id, in->id, sev, sev);
		html(out, in->title);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void
head_html(FILE *out)
{
	fputs("<tr><th data-sort=\"name\">domain</th><th data-sort=\"rank\">"
	    "verdict</th><th data-sort=\"score\">score</th>", out);
	for (int a = 0; a < CHECK__AREAS; a++) {
		fprintf(out, "<th data-sort=\"a%d\">", a);
		html(out, check_modules[a].title);
		fputs("</th>", out);
	}
	fputs("<th>errors</th><th>warnings</th><th>changes</th></tr>\n", out);
}

/* Write the template from *p up to the marker NAME (or the end); *p is
 * left after the marker.  Returns true when the marker was found. */
static bool
upto(FILE *out, const char **p, const char *name)
{
	char marker[64];
	const char *m;

	snprintf(marker, sizeof(marker), "<!--authcheck:%s-->", name);
	if ((m = strstr(*p, marker)) == NULL) {
		fputs(*p, out);
		*p += strlen(*p);
		return false;
	}
	fwrite(*p, 1, (size_t)(m - *p), out);
	*p = m + strlen(marker);
	return true;
}

int
render_html_write(struct render_html *h, char *err, size_t errsize)
{
	const char *p = h->tmpl;
	FILE *out = h->page;
	char when[64];
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	qsort(h->idx, h->n, sizeof(*h->idx), cmp_rows);
	if (upto(out, &p, "title"))
		html(out, h->title);
	if (upto(out, &p, "heading")) {
		html(out, h->title);
		fprintf(out, " <small>%s, authcheck %s</small>", when,
		    AUTHCHECK_VERSION);
	}
	if (upto(out, &p, "summary"))
		summary_html(out, h);
	if (upto(out, &p, "changes") && h->baseline != NULL) {
		fputs("<section id=\"changes\"><h2>Changes since ", out);
		html(out, h->baseline);
		fputs("</h2>\n", out);
		if (h->nchanged == 0)
			fputs("<p>None.</p>\n", out);
		else {
			fputs("<ul class=\"changed\">\n", out);
			if (copy_range(out, h->changes, 0,
			    (long long)ftello(h->changes)) != 0)
				goto fail;
			fputs("</ul>\n", out);
		}
		fputs("</section>\n", out);
	}
	if (upto(out, &p, "head"))
		head_html(out);
	if (upto(out, &p, "rows"))
		for (size_t i = 0; i < h->n; i++)
			if (copy_range(out, h->rows, h->idx[i].off,
			    h->idx[i].len) != 0)
				goto fail;
	upto(out, &p, "end");
	h->page = NULL;
	if (fflush(out) != 0 || ferror(out)) {
		fclose(out);
		goto fail_closed;
	}
	if (fclose(out) != 0)
		goto fail_closed;
	if (rename(h->tmppath, h->path) != 0) {
		buf_errf(err, errsize, "%s: %s", h->path, strerror(errno));
		remove(h->tmppath);
		return -1;
	}
	return 0;
fail:
	h->page = NULL;
	fclose(out);
fail_closed:
	buf_errf(err, errsize, "%s: write error: %s", h->tmppath,
	    strerror(errno));
	remove(h->tmppath);
	return -1;
}
