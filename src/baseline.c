/*
 * baseline.c -- an earlier run's JSON Lines (--baseline, --resume): read
 * with a bound per line, reduced to snapshots, compared.
 *
 * The third user of jansson (HACKING.md): it reads what render_json.c
 * wrote, and adds the "changes" object to this run's report.
 */
#include "baseline.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "ascii.h"
#include "buf.h"
#include "dns.h"

/* Most findings and DKIM selectors kept per snapshot: a report never has
 * more (AREA_MAX_FINDINGS per area); a hostile file is cut there. */
#define SNAP_MAX_FINDINGS 4096
#define SNAP_MAX_DKIM 256
#define SNAP_MAX_MX 64


/* ---- snapshots ---------------------------------------------------------- */

/* A copy of the string at o.key (NULL when absent, null or not a
 * string); *ok false when memory ran out. */
static char *
dupstr(const json_t *o, const char *key, bool *ok)
{
	const json_t *v = json_object_get(o, key);
	char *s;

	if (!json_is_string(v))
		return NULL;
	if ((s = buf_strndup(json_string_value(v), json_string_length(v))) ==
	    NULL)
		*ok = false;
	return s;
}

static long
getlong(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 1000000)
		return -1;
	return (long)json_integer_value(v);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The MX set as one text: "PREF HOST" sorted, joined by ", ". */
static char *
mx_text(const json_t *mx, bool *ok)
{
	char *items[SNAP_MAX_MX];
	size_t n = 0, i;
	struct buf b;
	char *s;

	if (!json_is_array(mx) || json_array_size(mx) == 0)
		return NULL;
	buf_init(&b, 64 * 300);
	for (i = 0; i < json_array_size(mx) && n < SNAP_MAX_MX; i++) {
		const json_t *e = json_array_get(mx, i);
		const json_t *h = json_object_get(e, "host");
		char one[320];

		if (!json_is_string(h))
			continue;
		snprintf(one, sizeof(one), "%lld %.255s",
		    (long long)json_integer_value(json_object_get(e, "pref")),
		    json_string_value(h));
		if ((items[n] = buf_strdup(one)) == NULL) {
			*ok = false;
			break;
		}
		n++;
	}
	qsort(items, n, sizeof(items[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, items[i]);
		free(items[i]);
	}
	if (n == 0) {
		buf_free(&b);
		return NULL;
	}
	if ((s = buf_take(&b)) == NULL)
		*ok = false;
	buf_free(&b);
	return s;
}

int
snap_from_json(struct snap *s, const json_t *o)
{
	const json_t *spf, *dmarc, *mta, *arr;
	bool ok = true;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->score = s->spf_lookups = -1;
	if (!json_is_object(o) || !json_is_string(json_object_get(o,
	    "domain")))
		return 1;
	s->domain = dupstr(o, "domain", &ok);
	s->verdict = dupstr(o, "verdict", &ok);
	s->score = getlong(o, "score");
	if ((spf = json_object_get(o, "spf")) != NULL) {
		s->record[SNAP_SPF] = dupstr(spf, "record", &ok);
		s->spf_lookups = getlong(spf, "lookups");
	}
	if ((dmarc = json_object_get(o, "dmarc")) != NULL)
		s->record[SNAP_DMARC] = dupstr(dmarc, "record", &ok);
	s->record[SNAP_MX] = mx_text(json_object_get(o, "mx"), &ok);
	if ((mta = json_object_get(o, "mta_sts")) != NULL)
		s->record[SNAP_MTASTS_ID] = dupstr(mta, "id", &ok);
	arr = json_object_get(o, "dkim");
	if (json_is_array(arr) && json_array_size(arr) > 0 &&
	    (s->dkim = calloc(json_array_size(arr) < SNAP_MAX_DKIM ?
	    json_array_size(arr) : SNAP_MAX_DKIM, sizeof(*s->dkim))) == NULL)
		ok = false;
	for (i = 0; ok && s->dkim != NULL && i < json_array_size(arr) &&
	    s->ndkim < SNAP_MAX_DKIM; i++) {
		const json_t *e = json_array_get(arr, i);

		if (!json_is_true(json_object_get(e, "found")) ||
		    !json_is_string(json_object_get(e, "selector")))
			continue;
		s->dkim[s->ndkim].selector = dupstr(e, "selector", &ok);
		s->dkim[s->ndkim].record = dupstr(e, "record", &ok);
		s->ndkim++;
	}
	arr = json_object_get(o, "findings");
	if (json_is_array(arr) && json_array_size(arr) > 0 &&
	    (s->f = calloc(json_array_size(arr) < SNAP_MAX_FINDINGS ?
	    json_array_size(arr) : SNAP_MAX_FINDINGS, sizeof(*s->f))) == NULL)
		ok = false;
	for (i = 0; ok && s->f != NULL && i < json_array_size(arr) &&
	    s->nf < SNAP_MAX_FINDINGS; i++) {
		const json_t *e = json_array_get(arr, i);

		if (!json_is_string(json_object_get(e, "id")))
			continue;
		s->f[s->nf].id = dupstr(e, "id", &ok);
		s->f[s->nf].severity = dupstr(e, "severity", &ok);
		s->f[s->nf].domain = dupstr(e, "domain", &ok);
		s->nf++;
	}
	if (!ok) {
		snap_free(s);
		return -1;
	}
	return 0;
}

void
snap_free(struct snap *s)
{
	size_t i;

	free(s->domain);
	free(s->verdict);
	for (i = 0; i < SNAP__RECORDS; i++)
		free(s->record[i]);
	for (i = 0; i < s->ndkim; i++) {
		free(s->dkim[i].selector);
		free(s->dkim[i].record);
	}
	free(s->dkim);
	for (i = 0; i < s->nf; i++) {
		free(s->f[i].id);
		free(s->f[i].severity);
		free(s->f[i].domain);
	}
	free(s->f);
	memset(s, 0, sizeof(*s));
	s->score = s->spf_lookups = -1;
}

/* ---- comparison --------------------------------------------------------- */

static bool
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
same_finding(const struct snap_finding *a, const struct snap_finding *b)
{
	return streq(a->id, b->id) && streq(a->domain, b->domain);
}

/* The findings of `from` that `to` does not have, counted as a multiset
 * (two weak keys before, one now: one was fixed). */
static int
findings_minus(const struct snap *from, const struct snap *to,
    const struct snap_finding ***out, size_t *nout)
{
	bool *used = NULL;
	size_t i, j;

	*out = NULL;
	*nout = 0;
	if (from->nf == 0)
		return 0;
	if ((*out = calloc(from->nf, sizeof(**out))) == NULL ||
	    (to->nf > 0 && (used = calloc(to->nf, sizeof(*used))) == NULL)) {
		free(*out);
		*out = NULL;
		return -1;
	}
	for (i = 0; i < from->nf; i++) {
		for (j = 0; j < to->nf; j++)
			if (!used[j] && same_finding(&from->f[i], &to->f[j]))
				break;
		if (j < to->nf)
			used[j] = true;
		else
			(*out)[(*nout)++] = &from->f[i];
	}
	free(used);
	return 0;
}

static const char *const record_names[SNAP__RECORDS] = {
	"spf", "dmarc", "mx", "mta-sts id"
};

static void
add_rec(struct changes *ch, const char *what, const char *sel,
    const char *old, const char *cur)
{
	struct change_record *r = &ch->rec[ch->nrec++];

	snprintf(r->what, sizeof(r->what), "%s%s%.63s", what,
	    sel != NULL ? " " : "", sel != NULL ? sel : "");
	r->old = old;
	r->new = cur;
}

static const struct snap_dkim *
find_dkim(const struct snap *s, const char *sel)
{
	for (size_t i = 0; i < s->ndkim; i++)
		if (streq(s->dkim[i].selector, sel))
			return &s->dkim[i];
	return NULL;
}

int
changes_compute(struct changes *ch, const struct snap *old,
    const struct snap *cur)
{
	static const struct snap empty = { .score = -1, .spf_lookups = -1 };
	size_t i;

	memset(ch, 0, sizeof(*ch));
	ch->score_new = cur->score;
	ch->lookups_new = cur->spf_lookups;
	if (old == NULL) {
		ch->new_domain = true;
		old = &empty;
	}
	ch->score_old = old->score;
	ch->lookups_old = old->spf_lookups;
	if (findings_minus(cur, old, &ch->appeared, &ch->nappeared) != 0 ||
	    findings_minus(old, cur, &ch->fixed, &ch->nfixed) != 0)
		goto oom;
	for (i = 0; i < ch->nappeared; i++) {
		if (streq(ch->appeared[i]->severity, "error"))
			ch->new_errors++;
		else if (streq(ch->appeared[i]->severity, "warning"))
			ch->new_warnings++;
	}
	if (ch->new_domain)
		return 0;
	if ((ch->rec = calloc(SNAP__RECORDS + old->ndkim + cur->ndkim,
	    sizeof(*ch->rec))) == NULL)
		goto oom;
	for (i = 0; i < SNAP__RECORDS; i++)
		if (!streq(old->record[i], cur->record[i]))
			add_rec(ch, record_names[i], NULL, old->record[i],
			    cur->record[i]);
	for (i = 0; i < old->ndkim; i++) {
		const struct snap_dkim *n = find_dkim(cur, old->dkim[i].selector);

		if (n == NULL || !streq(n->record, old->dkim[i].record))
			add_rec(ch, "dkim", old->dkim[i].selector,
			    old->dkim[i].record, n != NULL ? n->record : NULL);
	}
	for (i = 0; i < cur->ndkim; i++)
		if (find_dkim(old, cur->dkim[i].selector) == NULL)
			add_rec(ch, "dkim", cur->dkim[i].selector, NULL,
			    cur->dkim[i].record);
	return 0;
oom:
	changes_free(ch);
	return -1;
}

void
changes_free(struct changes *ch)
{
	free(ch->appeared);
	free(ch->fixed);
	free(ch->rec);
	memset(ch, 0, sizeof(*ch));
}

bool
changes_any(const struct changes *ch)
{
	return ch->new_domain || ch->nappeared > 0 || ch->nfixed > 0 ||
	    ch->nrec > 0 || ch->score_old != ch->score_new ||
	    ch->lookups_old != ch->lookups_new;
}

static json_t *
jopt(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
jnum(long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *
findings_json(const struct snap_finding *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++) {
		json_t *e = json_pack("{s:o,s:o,s:o}", "id", jopt(v[i]->id),
		    "severity", jopt(v[i]->severity), "domain",
		    jopt(v[i]->domain));

		if (e == NULL || json_array_append_new(a, e) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Strings come from JSON that jansson read or wrote: valid UTF-8, so
 * json_string() takes them. */
int
changes_put_json(json_t *o, const struct changes *ch)
{
	json_t *c, *recs = json_array();
	size_t i;

	if (recs == NULL)
		return -1;
	for (i = 0; i < ch->nrec; i++) {
		json_t *e = json_pack("{s:s,s:o,s:o}", "what", ch->rec[i].what,
		    "old", jopt(ch->rec[i].old), "new", jopt(ch->rec[i].new));

		if (e == NULL || json_array_append_new(recs, e) != 0) {
			json_decref(recs);
			return -1;
		}
	}
	c = json_pack("{s:b,s:{s:o,s:o},s:{s:o,s:o},s:o,s:o,s:o,s:I,s:I}",
	    "new_domain", ch->new_domain,
	    "score", "old", jnum(ch->score_old), "new", jnum(ch->score_new),
	    "spf_lookups", "old", jnum(ch->lookups_old), "new",
	    jnum(ch->lookups_new),
	    "appeared", findings_json(ch->appeared, ch->nappeared),
	    "fixed", findings_json(ch->fixed, ch->nfixed),
	    "records", recs,
	    "new_errors", (json_int_t)ch->new_errors,
	    "new_warnings", (json_int_t)ch->new_warnings);
	if (c == NULL || json_object_set_new(o, "changes", c) != 0)
		return -1;
	return 0;
}

/* ---- the set of domains ------------------------------------------------- */

struct bl_entry {
	char *key;		/* lowercase, no trailing dot */
	struct snap *snap;	/* NULL until loaded */
};

struct baseline {
	struct bl_entry *v;
	size_t n, cap;		/* cap: a power of two */
};

struct baseline *
baseline_new(void)
{
	return calloc(1, sizeof(struct baseline));
}

void
baseline_free(struct baseline *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->cap; i++) {
		free(b->v[i].key);
		if (b->v[i].snap != NULL) {
			snap_free(b->v[i].snap);
			free(b->v[i].snap);
		}
	}
	free(b->v);
	free(b);
}

/* The name as a key: lowercase, no trailing dot, at most 255 bytes. */
static size_t
norm(const char *d, char key[256])
{
	size_t n = dns_name_trim(d, strnlen(d, 255));

	memcpy(key, d, n);
	key[n] = '\0';
	ascii_lower_n(key, n);
	return n;
}

static uint64_t
hash(const char *k)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	for (; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

static struct bl_entry *
slot(const struct baseline *b, const char *key)
{
	size_t i;

	if (b->cap == 0)
		return NULL;
	for (i = hash(key) & (b->cap - 1); b->v[i].key != NULL;
	    i = (i + 1) & (b->cap - 1))
		if (strcmp(b->v[i].key, key) == 0)
			return &b->v[i];
	return &b->v[i];
}

int
baseline_want(struct baseline *b, const char *domain)
{
	char key[256];
	struct bl_entry *e;

	norm(domain, key);
	if ((b->n + 1) * 2 > b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		struct baseline nb = { calloc(ncap, sizeof(*nb.v)), 0, ncap };

		if (nb.v == NULL)
			return -1;
		for (size_t i = 0; i < b->cap; i++)
			if (b->v[i].key != NULL) {
				*slot(&nb, b->v[i].key) = b->v[i];
				nb.n++;
			}
		free(b->v);
		*b = nb;
	}
	e = slot(b, key);
	if (e->key != NULL)
		return 0;
	if ((e->key = buf_strdup(key)) == NULL)
		return -1;
	b->n++;
	return 0;
}

static struct bl_entry *
lookup(const struct baseline *b, const char *domain)
{
	char key[256];
	struct bl_entry *e;

	norm(domain, key);
	e = slot(b, key);
	return e != NULL && e->key != NULL ? e : NULL;
}

bool
baseline_has(const struct baseline *b, const char *domain)
{
	return lookup(b, domain) != NULL;
}

const struct snap *
baseline_find(const struct baseline *b, const char *domain)
{
	const struct bl_entry *e = lookup(b, domain);

	return e != NULL ? e->snap : NULL;
}

/* ---- reading JSON Lines --------------------------------------------------- */

/* Read one line into b (without its newline), at most BASELINE_MAX_LINE
 * bytes.  Returns 1 with a line ending in a newline, 2 with a last line
 * that has none, 0 at the end, -1 when too long, -2 on a read error. */
static int
read_line(FILE *f, struct buf *b)
{
	char chunk[65536];

	buf_reset(b);
	while (fgets(chunk, sizeof(chunk), f) != NULL) {
		size_t n = strlen(chunk);

		if (n > 0 && chunk[n - 1] == '\n') {
			buf_add(b, chunk, n - 1);
			return b->err ? -1 : 1;
		}
		buf_add(b, chunk, n);
		if (b->err)
			return -1;
	}
	if (ferror(f))
		return -2;
	return b->len > 0 ? 2 : 0;
}

int
baseline_load(struct baseline *b, const char *path, char *err,
    size_t errsize)
{
	FILE *f = fopen(path, "r");
	unsigned long lineno = 0;
	unsigned long long kept = 0;
	struct buf line;
	int rc = -1, got;

	if (f == NULL) {
		buf_errf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&line, BASELINE_MAX_LINE);
	while ((got = read_line(f, &line)) > 0) {
		json_error_t je;
		json_t *o;
		struct bl_entry *e;
		struct snap s;

		lineno++;
		if (line.len == 0)
			continue;
		o = json_loadb(line.p, line.len, 0, &je);
		if (o == NULL || snap_from_json(&s, o) == 1) {
			buf_errf(err, errsize, "%s:%lu: not a report of "
			    "`authcheck --format json`%s%s", path, lineno,
			    o == NULL ? ": " : "", o == NULL ? je.text : "");
			json_decref(o);
			goto out;
		}
		json_decref(o);
		if (s.domain == NULL) {
			buf_errf(err, errsize, "out of memory");
			goto out;
		}
		if ((e = lookup(b, s.domain)) == NULL) {
			snap_free(&s);
			continue;
		}
		/* A snapshot is smaller than its line: this bounds memory. */
		if ((kept += line.len) > BASELINE_MAX_KEPT) {
			snap_free(&s);
			buf_errf(err, errsize, "%s:%lu: the reports of this run's "
			    "domains exceed %llu bytes: compare fewer domains "
			    "per run", path, lineno, BASELINE_MAX_KEPT);
			goto out;
		}
		if (e->snap == NULL && (e->snap = calloc(1, sizeof(s))) == NULL) {
			snap_free(&s);
			buf_errf(err, errsize, "out of memory");
			goto out;
		}
		if (e->snap->domain != NULL)
			snap_free(e->snap);
		*e->snap = s;
	}
	if (got == -1)
		buf_errf(err, errsize, "%s:%lu: line longer than %u bytes: not "
		    "a report of `authcheck --format json`", path, lineno + 1,
		    BASELINE_MAX_LINE);
	else if (got == -2)
		buf_errf(err, errsize, "%s: %s", path, strerror(errno));
	else
		rc = 0;
out:
	buf_free(&line);
	fclose(f);
	return rc;
}

long
baseline_resume_scan(struct baseline *b, const char *path, char *err,
    size_t errsize)
{
	FILE *f = fopen(path, "r");
	unsigned long lineno = 0;
	long n = 0;
	off_t good = 0;
	struct buf line;
	int got;

	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		buf_errf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&line, BASELINE_MAX_LINE);
	while ((got = read_line(f, &line)) == 1) {
		json_error_t je;
		json_t *o;
		const json_t *d;

		lineno++;
		if (line.len == 0) {
			good = ftello(f);
			continue;
		}
		o = json_loadb(line.p, line.len, 0, &je);
		d = json_object_get(o, "domain");
		if (!json_is_string(d)) {
			buf_errf(err, errsize, "%s:%lu: not a report of "
			    "`authcheck --format json`: refusing to append "
			    "to it", path, lineno);
			json_decref(o);
			n = -1;
			break;
		}
		if (baseline_want(b, json_string_value(d)) != 0) {
			buf_errf(err, errsize, "out of memory");
			json_decref(o);
			n = -1;
			break;
		}
		json_decref(o);
		good = ftello(f);
		n++;
	}
	if (n >= 0 && got == -1) {
		buf_errf(err, errsize, "%s:%lu: line longer than %u bytes: not "
		    "a report of `authcheck --format json`", path, lineno + 1,
		    BASELINE_MAX_LINE);
		n = -1;
	} else if (n >= 0 && got == -2) {
		buf_errf(err, errsize, "%s: %s", path, strerror(errno));
		n = -1;
	}
	buf_free(&line);
	fclose(f);
	/* A half-written last line: cut it, its domain is checked again. */
	if (n >= 0 && got == 2 && truncate(path, good) != 0) {
		buf_errf(err, errsize, "%s: cannot cut the unfinished last "
		    "line: %s", path, strerror(errno));
		n = -1;
	}
	return n;
}
