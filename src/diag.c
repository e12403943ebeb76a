/*
 * diag.c -- the findings table, sinks, and the catalogue printer.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"

static const struct diag_info diag_table[DIAG__COUNT] = {
#define DIAG_X_INFO(e, id_, sev, ref_, title_, hint_) \
	[DIAG_##e] = { .id = id_, .severity = DIAG_##sev, .ref = ref_, \
		.title = title_, .hint = hint_ },
	DIAG_TABLE(DIAG_X_INFO)
#undef DIAG_X_INFO
};

static const char *const severity_names[DIAG_SEV__COUNT] = {
	[DIAG_ERROR] = "error",
	[DIAG_WARNING] = "warning",
	[DIAG_INFO] = "info",
};

const struct diag_info *
diag_info(enum diag_id id)
{
	if ((unsigned)id >= DIAG__COUNT)
		return NULL;
	return &diag_table[id];
}

bool
diag_lookup(const char *p, size_t len, enum diag_id *out)
{
	/* About 80 entries, looked up when reading user suppressions: a
	 * linear scan is plenty. */
	for (size_t i = 0; i < DIAG__COUNT; i++) {
		const char *id = diag_table[i].id;
		if (strlen(id) == len && memcmp(id, p, len) == 0) {
			*out = (enum diag_id)i;
			return true;
		}
	}
	return false;
}

const char *
diag_severity_name(enum diag_severity s)
{
	if ((unsigned)s >= DIAG_SEV__COUNT)
		return "?";
	return severity_names[s];
}

bool
diag_severity_parse(const char *p, size_t len, enum diag_severity *out)
{
	for (size_t i = 0; i < DIAG_SEV__COUNT; i++) {
		if (strlen(severity_names[i]) == len &&
		    memcmp(severity_names[i], p, len) == 0) {
			*out = (enum diag_severity)i;
			return true;
		}
	}
	return false;
}

void
diag_sink_init(struct diag_sink *s, diag_cb *cb, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->cb = cb;
	s->arg = arg;
}

void
diag_report(struct diag_sink *s, const struct diag *d)
{
	const struct diag_info *info = diag_info(d->id);

	if (info == NULL)
		return;
	s->count[info->severity]++;
	if (s->cb != NULL)
		s->cb(s->arg, d);
}

void
diag_reportf(struct diag_sink *s, enum diag_id id, const struct diag *ctx,
    const char *fmt, ...)
{
	char msg[1024];
	struct diag d;
	va_list ap;

	if (ctx != NULL)
		d = *ctx;
	else
		memset(&d, 0, sizeof(d));
	d.id = id;
	va_start(ap, fmt);
	/* vsnprintf truncates; a cut message is better than none. */
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	d.message = msg;
	diag_report(s, &d);
}

void
diag_vreport_at(struct diag_sink *s, const struct diag *ctx, enum diag_id id,
    const char *rec, size_t rec_len, size_t off, size_t n, const char *fmt,
    va_list ap)
{
	struct diag d;
	char msg[512];

	if (s == NULL)
		return;
	if (ctx != NULL)
		d = *ctx;
	else
		memset(&d, 0, sizeof(d));
	d.id = id;
	d.record = rec;
	d.record_len = rec_len;
	d.has_span = rec != NULL;
	if (off > rec_len)
		off = rec_len;
	if (n > rec_len - off)
		n = rec_len - off;
	d.span.off = off;
	d.span.len = n;
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	d.message = msg;
	diag_report(s, &d);
}

void
diag_report_at(struct diag_sink *s, const struct diag *ctx, enum diag_id id,
    const char *rec, size_t rec_len, size_t off, size_t n, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport_at(s, ctx, id, rec, rec_len, off, n, fmt, ap);
	va_end(ap);
}

/* ---- diag_list ------------------------------------------------------- */

void
diag_list_init(struct diag_list *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
}

static void
diag_free_copy(struct diag *d)
{
	free((char *)d->message);
	free((char *)d->domain);
	free((char *)d->record);
	free((char *)d->file);
	free((char *)d->fix);
}

void
diag_list_free(struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		diag_free_copy(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

size_t
diag_list_drop(struct diag_list *l, bool (*drop)(enum diag_id id))
{
	size_t k = 0, n0 = l->n;

	for (size_t i = 0; i < l->n; i++) {
		if (drop(l->v[i].id))
			diag_free_copy(&l->v[i]);
		else
			l->v[k++] = l->v[i];
	}
	l->n = k;
	return n0 - k;
}

/* Copy n bytes and a NUL; *ok turns false on allocation failure. */
static char *
dup_bytes(const char *p, size_t n, bool *ok)
{
	char *s;

	if (p == NULL)
		return NULL;
	s = malloc(n + 1);
	if (s == NULL) {
		*ok = false;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static char *
dup_str(const char *p, bool *ok)
{
	return p == NULL ? NULL : dup_bytes(p, strlen(p), ok);
}

void
diag_list_add(void *arg, const struct diag *d)
{
	struct diag_list *l = arg;
	struct diag c = *d;
	bool ok = true;

	if (l->n >= l->max) {
		l->dropped++;
		return;
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		struct diag *nv;

		if (ncap > l->max)
			ncap = l->max;
		nv = realloc(l->v, ncap * sizeof(*nv));
		if (nv == NULL) {
			l->oom = true;
			return;
		}
		l->v = nv;
		l->cap = ncap;
	}
	c.message = dup_str(d->message, &ok);
	c.domain = dup_str(d->domain, &ok);
	c.record = dup_bytes(d->record, d->record_len, &ok);
	c.file = dup_str(d->file, &ok);
	c.fix = dup_str(d->fix, &ok);
	if (!ok) {
		diag_free_copy(&c);
		l->oom = true;
		return;
	}
	l->v[l->n++] = c;
}

/* ---- catalogue ------------------------------------------------------- */

/* Section headings of the man page, by ID prefix. */
static const struct {
	const char *prefix;
	const char *heading;
} areas[] = {
	{ "spf.", "SPF" },
	{ "dmarc.", "DMARC" },
	{ "dkim.", "DKIM" },
	{ "mx.", "MX and reverse DNS" },
	{ "ptr.", "MX and reverse DNS" },
	{ "mta-sts.", "MTA-STS, TLS-RPT, BIMI" },
	{ "tlsrpt.", "MTA-STS, TLS-RPT, BIMI" },
	{ "bimi.", "MTA-STS, TLS-RPT, BIMI" },
	{ "smtp.", "Transport (SMTP and TLS)" },
	{ "tls.", "Transport (SMTP and TLS)" },
	{ "dane.", "Transport (SMTP and TLS)" },
	{ "dnssec.", "Transport (SMTP and TLS)" },
	{ "blocklist.", "Reputation (blocklists)" },
	{ "zone.", "Zone files and DNS" },
	{ "dns.", "Zone files and DNS" },
};

static const char *
area_heading(const char *id)
{
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		if (strncmp(id, areas[i].prefix, strlen(areas[i].prefix)) == 0)
			return areas[i].heading;
	}
	return "Other";
}

/*
 * Append s to b as roff text: backslashes escaped, the UTF-8 characters
 * the table uses turned into roff glyph names (man pages are read on
 * terminals of any encoding), a line never starting with a control
 * character.
 */
static void
roff_add(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '.' || *p == '\'')
		buf_adds(b, "\\&");
	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			buf_adds(b, "\\e");
		} else if (*p == '-') {
			buf_adds(b, "\\-");
		} else if (p[0] == 0xc2 && p[1] == 0xa7) {	/* § */
			buf_adds(b, "\\(sc");
			p++;
		} else {
			buf_addc(b, (char)*p);
		}
	}
}

/* Append s and spaces up to `width` characters (UTF-8 continuation bytes
 * take no column), then one space. */
static void
add_padded(struct buf *b, const char *s, size_t width)
{
	size_t cols = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		cols += (*p & 0xc0) != 0x80;
	buf_adds(b, s);
	do
		buf_addc(b, ' ');
	while (++cols < width + 1);
}

int
diag_catalogue_write(FILE *out, enum diag_catalogue_format fmt)
{
	const char *heading = NULL;
	struct buf b;
	int rc = 0;

	buf_init(&b, BUF_MAX_OUTPUT);
	for (size_t i = 0; i < DIAG__COUNT; i++) {
		const struct diag_info *d = &diag_table[i];
		const char *h = area_heading(d->id);

		if (fmt == DIAG_CAT_TEXT) {
			add_padded(&b, d->id, 28);
			add_padded(&b, severity_names[d->severity], 8);
			add_padded(&b, d->ref, 25);
			buf_adds(&b, d->title);
			buf_addc(&b, '\n');
			continue;
		}
		if (heading == NULL || strcmp(heading, h) != 0) {
			heading = h;
			buf_adds(&b, ".SS ");
			roff_add(&b, h);
			buf_addc(&b, '\n');
		}
		buf_adds(&b, ".TP\n.B ");
		roff_add(&b, d->id);
		buf_addc(&b, '\n');
		buf_adds(&b, severity_names[d->severity]);
		buf_adds(&b, " (");
		roff_add(&b, d->ref);
		buf_adds(&b, "): ");
		roff_add(&b, d->title);
		buf_adds(&b, ".\n.br\nFix: ");
		roff_add(&b, d->hint);
		buf_adds(&b, ".\n");
	}
	if (b.err ||
	    fwrite(buf_str(&b), 1, b.len, out) != b.len)
		rc = -1;
	buf_free(&b);
	return rc;
}
