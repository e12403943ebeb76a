/*
 * render_text.c -- findings for people: severity, ID, reference, message,
 * the offending record with a caret line under the problem, and the fix.
 * Shared by every subcommand that prints findings.
 */
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "diag.h"
#include "render.h"

/* Columns one byte takes when printed by put_byte(). */
static size_t
byte_width(unsigned char c)
{
	return c >= 0x20 && c < 0x7f ? 1 : 4;
}

/* Printable ASCII as is, everything else as \xNN: DNS data must not drive
 * the terminal, and a fixed width per byte keeps the caret aligned. */
static void
put_byte(FILE *out, unsigned char c)
{
	if (byte_width(c) == 1)
		putc(c, out);
	else
		fprintf(out, "\\x%02x", (unsigned)c);
}

void
render_text_bytes(FILE *out, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put_byte(out, (unsigned char)p[i]);
}

/*
 * The record, and a caret line under the finding's span.  A long record (a
 * DKIM key runs to 700 characters) is cut to a window around the span, with
 * "..." where text was left out, so the caret stays on screen.
 */
void
render_text_caret(FILE *out, const struct diag *d, const char *indent)
{
	enum { WIDTH = 72, BEFORE = 16 };
	size_t len = d->record_len, off, end, start, stop, i, col = 0, w = 0;

	off = d->span.off < len ? d->span.off : len;
	end = d->span.len < len - off ? off + d->span.len : len;
	start = len <= WIDTH || off <= BEFORE ? 0 : off - BEFORE;
	stop = len - start > WIDTH ? start + WIDTH : len;
	if (stop < off)		/* keep at least the span's first byte */
		stop = off + 1 < len ? off + 1 : len;
	fputs(indent, out);
	if (start > 0) {
		fputs("...", out);
		col = 3;
	}
	render_text_bytes(out, d->record + start, stop - start);
	if (stop < len)
		fputs("...", out);
	putc('\n', out);
	for (i = start; i < off; i++)
		col += byte_width((unsigned char)d->record[i]);
	for (; i < end && i < stop; i++)
		w += byte_width((unsigned char)d->record[i]);
	fprintf(out, "%s%*s", indent, (int)col, "");
	if (w == 0)
		w = 1;
	while (w-- > 0)
		putc('^', out);
	putc('\n', out);
}

static const char *
sev_color(enum diag_severity s)
{
	switch (s) {
	case DIAG_ERROR:	return "\033[1;31m";
	case DIAG_WARNING:	return "\033[1;33m";
	default:		return "\033[1;36m";
	}
}

void
render_text_finding_list(FILE *out, const struct diag_list *l, bool color,
    const char *indent)
{
	const char *reset = color ? "\033[0m" : "";
	char deeper[32];

	snprintf(deeper, sizeof(deeper), "%s    ", indent);
	for (size_t i = 0; i < l->n; i++) {
		const struct diag *d = &l->v[i];
		const struct diag_info *in = diag_info(d->id);

		fprintf(out, "%s%s%s%s %s [%s]: ", indent, color ?
		    sev_color(in->severity) : "",
		    diag_severity_name(in->severity), reset, in->id, in->ref);
		cli_put_safe(out, d->message != NULL ? d->message : in->title);
		putc('\n', out);
		if (d->has_span && d->record != NULL)
			render_text_caret(out, d, deeper);
		fprintf(out, "%sfix: ", deeper);
		/* A computed fix may quote the record: DNS bytes. */
		cli_put_safe(out, d->fix != NULL ? d->fix : in->hint);
		putc('\n', out);
	}
	if (l->dropped > 0)
		fprintf(out, "%s... %lu more findings not shown\n", indent,
		    l->dropped);
}

void
render_text_findings(FILE *out, const struct diag_list *l, bool color)
{
	if (l->n == 0) {
		fputs("findings: none\n", out);
		return;
	}
	fputs("findings:\n", out);
	render_text_finding_list(out, l, color, "  ");
}
