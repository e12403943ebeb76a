/*
 * render_reputation.c -- the blocklist scan as text: the report's
 * Reputation area and `authcheck blocklist`.  One line per address or
 * name looked up, then a line for each list that did not say "clear".
 * List data and TXT reasons come from outside: printed through
 * cli_put_safe().
 */
#include <stdio.h>
#include <string.h>

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

static bool
usable_list(const struct rep_result *r, const struct bl_list *l)
{
	size_t k = (size_t)(l - blocklist_get(r->o.lists, 0));

	return r->list_status == NULL || r->list_status[k] == REP_CLEAR;
}

/* The end of target i's entries; *clear and *usable count them on the
 * lists usable in this run. */
static size_t
target_end(const struct rep_result *r, size_t i, size_t *clear,
    size_t *usable)
{
	size_t j = i;

	*clear = *usable = 0;
	for (; j < r->ne && r->e[j].target == r->e[i].target; j++)
		if (usable_list(r, r->e[j].list)) {
			(*usable)++;
			*clear += r->e[j].status == REP_CLEAR;
		}
	return j;
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
	if (r->list_status != NULL)
		for (size_t k = 0; k < blocklist_count(r->o.lists); k++) {
			const struct bl_list *l = blocklist_get(r->o.lists, k);

			if ((!l->on && !r->o.all_lists) ||
			    r->list_status[k] == REP_CLEAR)
				continue;
			fprintf(out, "  %slist %s%s ", st->yellow,
			    rep_status_name(r->list_status[k]), st->reset);
			cli_put_safe(out, l->name);
			fputs(" (", out);
			cli_put_safe(out, l->zone);
			fputs("): its answers are not used\n", out);
		}
	while (i < r->ne) {
		const struct rep_entry *first = &r->e[i];
		size_t j, clear, usable, run = 1, last = i;

		j = target_end(r, i, &clear, &usable);
		/* all clear: fold the run of targets from the same source
		 * that are all clear too (an SPF network) into one line */
		if (clear == usable)
			for (size_t k = j, c2, u2, e2; k < r->ne; k = e2) {
				e2 = target_end(r, k, &c2, &u2);
				if (c2 != u2 || u2 != usable ||
				    strcmp(r->e[k].via, first->via) != 0)
					break;
				last = k;
				run++;
				j = e2;
			}
		fputs("  ", out);
		cli_put_safe(out, first->target);
		if (run > 1) {
			fputs(" .. ", out);
			cli_put_safe(out, r->e[last].target);
			fprintf(out, " (%zu addresses,", run);
		} else {
			fputs(" (", out);
		}
		if (first->role != BL_ROLE_DOMAIN)
			fprintf(out, "%s%s ", run > 1 ? " " : "",
			    role_word(first->role));
		cli_put_safe(out, first->via);
		if (clear == usable)
			fprintf(out, "): %sclear%s on %zu usable list(s)\n",
			    st->green, st->reset, usable);
		else
			fprintf(out, "): not clear on %zu of %zu usable "
			    "list(s)\n", usable - clear, usable);
		/* a list unusable for the run was said above */
		for (; i < j; i++)
			if (r->e[i].status != REP_CLEAR &&
			    usable_list(r, r->e[i].list))
				entry_line(out, &r->e[i], st);
	}
}

void
render_text_area_reputation(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	render_text_reputation(out, &res->reputation, st);
}
