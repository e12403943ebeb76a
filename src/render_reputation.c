/*
 * render_reputation.c -- the blocklist scan as text: the report's
 * Reputation area and `authcheck blocklist`.  One line per address or
 * name looked up, then a line for each list that did not say "clear".
 * List data and TXT reasons come from outside: printed through
 * cli_put_safe().
 */
#include <stdio.h>

#include "check.h"
#include "cli.h"
#include "render.h"
#include "reputation.h"

static const char *
role_word(unsigned role)
{
	switch (role) {
	case BL_ROLE_MX:
		return "MX";
	case BL_ROLE_SENDER:
		return "sender";
	case BL_ROLE_SPF:
		return "SPF";
	default:
		return "domain";
	}
}

static void
entry_line(FILE *out, const struct rep_entry *e,
    const struct render_style *st)
{
	const char *col = e->status == REP_LISTED && e->matters ? st->red :
	    e->status == REP_CLEAR || e->status == REP_LISTED ? "" : st->yellow;

	fprintf(out, "      %s%s%s on ", col, rep_status_name(e->status),
	    st->reset);
	cli_put_safe(out, e->list->name);
	fputs(" (", out);
	cli_put_safe(out, e->list->zone);
	putc(')', out);
	if (e->ncodes > 0) {
		fputs(":", out);
		for (size_t k = 0; k < e->ncodes; k++) {
			char c[16];

			rep_code_text(e->codes[k], c, sizeof(c));
			fprintf(out, " %s", c);
		}
	}
	if (e->meaning != NULL) {
		fputs(" -- ", out);
		cli_put_safe(out, e->meaning);
	}
	if (e->reason != NULL) {
		fputs(" \"", out);
		cli_put_safe(out, e->reason);
		putc('"', out);
	}
	putc('\n', out);
}

void
render_text_reputation(FILE *out, const struct rep_result *r,
    const struct render_style *st)
{
	size_t i = 0;

	if (r->area.skipped) {
		fprintf(out, "  not checked: %s\n", r->skipped_why != NULL ?
		    r->skipped_why : "not asked");
		return;
	}
	fprintf(out, "  %zu list(s) queried, %zu address(es) and name(s) "
	    "looked up", r->nlists_used, r->ntargets);
	if (r->not_checked > 0)
		fprintf(out, ", %zu not looked up", r->not_checked);
	putc('\n', out);
	while (i < r->ne) {
		const struct rep_entry *first = &r->e[i];
		size_t j = i, clear = 0;

		while (j < r->ne && r->e[j].target == first->target)
			clear += r->e[j++].status == REP_CLEAR;
		fputs("  ", out);
		cli_put_safe(out, first->target);
		fprintf(out, " (%s ", role_word(first->role));
		cli_put_safe(out, first->via);
		fprintf(out, "): %s%zu of %zu clear%s\n", clear == j - i ?
		    st->green : "", clear, j - i, clear == j - i ? st->reset :
		    "");
		for (; i < j; i++)
			if (r->e[i].status != REP_CLEAR)
				entry_line(out, &r->e[i], st);
	}
}

void
render_text_area_reputation(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	render_text_reputation(out, &res->reputation, st);
}
