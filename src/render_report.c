/*
 * render_report.c -- the text form of the domain report (`authcheck
 * DOMAIN`): one verdict line with the score, then per area the records
 * found and the findings, each with its fix and a caret under the problem.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "cli.h"
#include "render.h"

struct style {
	const char *bold, *red, *yellow, *green, *dim, *reset;
};

static void
area_head(FILE *out, const struct style *st, const char *title)
{
	fprintf(out, "\n%s%s%s\n", st->bold, title, st->reset);
}

/* The findings of one area, or "no problems found". */
static void
area_findings(FILE *out, const struct diag_list *l, bool color,
    const struct style *st)
{
	if (l->n == 0) {
		fprintf(out, "  %sno problems found%s\n", st->green, st->reset);
		return;
	}
	render_text_finding_list(out, l, color, "  ");
}

static void
spf_section(FILE *out, const struct check_result *res, bool color,
    const struct style *st)
{
	const struct spf_lint_result *s = &res->spf;

	area_head(out, st, "SPF");
	if (s->root != NULL && s->root->record != NULL) {
		fputs("  record: ", out);
		render_text_bytes(out, s->root->record, s->root->record_len);
		putc('\n', out);
		spf_tree_print(out, s->root, s, 2);
	}
	fprintf(out, "  lookups: %u/10 over the whole tree%s, void lookups: "
	    "%u/2\n", s->lookups, s->incomplete || s->truncated ?
	    " (at least)" : "", s->void_lookups);
	area_findings(out, &res->findings[CHECK_SPF], color, st);
}

static void
dmarc_section(FILE *out, const struct check_result *res, bool color,
    const struct style *st)
{
	const struct dmarc_result *d = &res->dmarc;
	static const char *const applies[] = { "p", "sp", "np" };

	area_head(out, st, "DMARC");
	if (d->found) {
		fputs("  record at _dmarc.", out);
		cli_put_safe(out, d->found_at);
		fputs(": ", out);
		render_text_bytes(out, d->record, d->record_len);
		fputs("\n  policy for ", out);
		cli_put_safe(out, res->domain);
		fprintf(out, ": %s%s=%s%s", st->bold,
		    applies[d->applies], dmarc_policy_name(d->policy),
		    st->reset);
		if (d->inherited)
			fputs(" (inherited from a parent domain)", out);
		putc('\n', out);
	}
	if (d->psl_known && d->org_domain[0] != '\0' &&
	    strcasecmp(d->psl_org_domain, d->org_domain) != 0) {
		fputs("  organizational domain: ", out);
		cli_put_safe(out, d->org_domain);
		fputs(" (RFC 7489 receivers, by the Public Suffix List: ", out);
		cli_put_safe(out, d->psl_org_domain);
		fputs(")\n", out);
	}
	area_findings(out, &res->findings[CHECK_DMARC], color, st);
}

static void
dkim_section(FILE *out, const struct check_result *res, bool color,
    const struct style *st)
{
	const struct dkim_result *k = &res->dkim;
	size_t shown = 0, nfind = k->findings.n;

	area_head(out, st, "DKIM");
	for (size_t i = 0; i < k->nsel; i++) {
		const struct dkim_selector *s = &k->sel[i];

		nfind += s->findings.n;
		if (!s->found && s->source == DKIM_SRC_COMMON)
			continue;	/* a guess that missed: noise */
		shown++;
		fputs("  selector ", out);
		cli_put_safe(out, s->selector);
		if (s->provider != NULL) {
			fputs(" (", out);
			cli_put_safe(out, s->provider);
			putc(')', out);
		}
		if (!s->found) {
			fprintf(out, ": no key (%s)\n",
			    dns_status_name(s->status));
			continue;
		}
		if (s->key.revoked)
			fputs(": revoked (empty p=)", out);
		else if (s->key.decoded)
			fprintf(out, ": %s %u bits", dkim_key_type_name(
			    s->key.type), s->key.bits);
		else
			fputs(": key not usable", out);
		if (s->cname != NULL) {
			fputs(", delegated by CNAME to ", out);
			cli_put_safe(out, s->cname);
		}
		putc('\n', out);
	}
	if (shown == 0)
		fprintf(out, "  no selector found (%zu names tried)\n", k->nsel);
	if (nfind == 0) {
		fprintf(out, "  %sno problems found%s\n", st->green, st->reset);
		return;
	}
	render_text_finding_list(out, &k->findings, color, "  ");
	for (size_t i = 0; i < k->nsel; i++)
		render_text_finding_list(out, &k->sel[i].findings, color, "  ");
}

static void
addr_line(FILE *out, const struct mx_addr *a, const char *indent)
{
	char ip[64];

	ip_format(&a->ip, ip, sizeof(ip));
	fprintf(out, "%s%s", indent, ip);
	if (a->nptr > 0) {
		fputs(" PTR", out);
		for (size_t i = 0; i < a->nptr; i++) {
			putc(' ', out);
			cli_put_safe(out, a->ptr[i].name);
		}
	}
	fprintf(out, "  iprev %s\n", mx_iprev_name(a->iprev));
}

static void
mx_section(FILE *out, const struct check_result *res, bool color,
    const struct style *st)
{
	const struct mx_result *m = &res->mx;

	area_head(out, st, "MX and reverse DNS");
	if (m->null_mx && m->nmx == 1)
		fputs("  null MX: the domain accepts no mail\n", out);
	for (size_t i = 0; i < m->nhost; i++) {
		const struct mx_host *h = &m->host[i];

		if (h->null_mx)
			continue;
		fprintf(out, "  MX %u ", h->pref);
		cli_put_safe(out, h->name);
		if (h->cname != NULL) {
			fputs(" (CNAME to ", out);
			cli_put_safe(out, h->cname);
			putc(')', out);
		}
		if (h->duplicate)
			fputs(" (duplicate)", out);
		putc('\n', out);
		for (size_t j = 0; j < h->naddr; j++)
			addr_line(out, &h->addr[j], "    ");
	}
	if (m->nmx > m->nhost)
		fprintf(out, "  (%zu more MX records not examined)\n",
		    m->nmx - m->nhost);
	for (size_t i = 0; i < m->nsend; i++)
		addr_line(out, &m->send[i], "  sending address ");
	area_findings(out, &res->findings[CHECK_MX], color, st);
}

/* A one-record area: the record (or "none published") and findings. */
static void
record_section(FILE *out, const char *title, const char *name,
    const char *record, size_t len, const struct diag_list *l, bool color,
    const struct style *st)
{
	area_head(out, st, title);
	fputs("  ", out);
	cli_put_safe(out, name);
	if (record != NULL) {
		fputs(": ", out);
		render_text_bytes(out, record, len);
		putc('\n', out);
	} else {
		fputs(": none published\n", out);
	}
	area_findings(out, l, color, st);
}

static void
mtasts_section(FILE *out, const struct check_result *res, bool color,
    const struct style *st)
{
	const struct mtasts_result *m = &res->mtasts;

	area_head(out, st, "MTA-STS");
	fputs("  ", out);
	cli_put_safe(out, m->txt_name);
	if (m->record != NULL) {
		fputs(": ", out);
		render_text_bytes(out, m->record, m->record_len);
		putc('\n', out);
		fputs("  policy https://", out);
		cli_put_safe(out, m->host);
		fprintf(out, "%s: %s", MTASTS_PATH,
		    mtasts_policy_state_name(m->state));
		if (m->state == MTASTS_POLICY_OK)
			fprintf(out, ", mode %s, max_age %lu, %zu mx pattern%s",
			    mtasts_mode_name(m->pol.mode), m->pol.max_age,
			    m->pol.nmx, m->pol.nmx == 1 ? "" : "s");
		putc('\n', out);
	} else {
		fputs(": none published\n", out);
	}
	area_findings(out, &res->findings[CHECK_MTA_STS], color, st);
}

void
render_text_check(FILE *out, const struct check_result *res, bool color)
{
	struct style st = { "", "", "", "", "", "" };
	const char *verdict = check_verdict(res), *vc;

	if (color) {
		st.bold = "\033[1m";
		st.red = "\033[1;31m";
		st.yellow = "\033[1;33m";
		st.green = "\033[32m";
		st.dim = "\033[2m";
		st.reset = "\033[0m";
	}
	vc = strcmp(verdict, "pass") == 0 ? st.green :
	    strcmp(verdict, "warn") == 0 ? st.yellow : st.red;
	/* The name comes from the user or a --domains file: shown safely. */
	fputs(st.bold, out);
	cli_put_safe(out, res->domain);
	fprintf(out, "%s  %s%s%s  score %u/100  (%lu error%s, %lu "
	    "warning%s, %lu info)\n", st.reset, vc,
	    strcmp(verdict, "pass") == 0 ? "PASS" :
	    strcmp(verdict, "warn") == 0 ? "WARN" :
	    strcmp(verdict, "fail") == 0 ? "FAIL" : "INCOMPLETE", st.reset,
	    res->score, res->count[DIAG_ERROR],
	    res->count[DIAG_ERROR] == 1 ? "" : "s", res->count[DIAG_WARNING],
	    res->count[DIAG_WARNING] == 1 ? "" : "s", res->count[DIAG_INFO]);
	if (strcmp(verdict, "fail") == 0)
		fputs("  mail from this domain is likely to be rejected or "
		    "filtered as spam until the errors below are fixed\n", out);
	else if (strcmp(verdict, "warn") == 0)
		fputs("  mail authenticates; the warnings below leave it weak "
		    "or fragile\n", out);
	else if (strcmp(verdict, "pass") == 0)
		fputs("  SPF, DKIM and DMARC are in order\n", out);
	if (res->incomplete || res->oom)
		fprintf(out, "  %sincomplete:%s %s; the results below are "
		    "partial\n", st.red, st.reset, res->oom ?
		    "out of memory" : "DNS queries failed (see dns.failure)");
	if (res->nproviders > 0) {
		fputs("  providers recognised:", out);
		for (size_t i = 0; i < res->nproviders; i++) {
			fputs(i ? ", " : " ", out);
			cli_put_safe(out, res->providers[i]);
		}
		putc('\n', out);
	}
	spf_section(out, res, color, &st);
	dmarc_section(out, res, color, &st);
	dkim_section(out, res, color, &st);
	mx_section(out, res, color, &st);
	mtasts_section(out, res, color, &st);
	record_section(out, "TLS-RPT", res->tlsrpt.name, res->tlsrpt.record,
	    res->tlsrpt.record_len, &res->findings[CHECK_TLS_RPT], color, &st);
	record_section(out, "BIMI", res->bimi.name, res->bimi.record,
	    res->bimi.record_len, &res->findings[CHECK_BIMI], color, &st);
	putc('\n', out);
}
