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

/* An area's findings, all its lists (check_findings()), or "no problems
 * found". */
static void
area_findings(FILE *out, const struct check_result *res, enum check_area a,
    const struct render_style *st)
{
	const struct diag_list *l;
	size_t n = 0;

	for (size_t i = 0; (l = check_findings(res, a, i)) != NULL; i++)
		n += l->n;
	if (n == 0) {
		fprintf(out, "  %sno problems found%s\n", st->green, st->reset);
		return;
	}
	for (size_t i = 0; (l = check_findings(res, a, i)) != NULL; i++)
		render_text_finding_list(out, l, st->color, "  ");
}

void
render_text_area_spf(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	const struct spf_lint_result *s = &res->spf;

	(void)st;

	if (s->root != NULL && s->root->record != NULL) {
		fputs("  record: ", out);
		render_text_bytes(out, s->root->record, s->root->record_len);
		putc('\n', out);
	}
	/* Several records: no "record:", but each one's tree. */
	if (s->root != NULL && (s->root->record != NULL || s->root->nkids > 0))
		spf_tree_print(out, s->root, s, 2);
	fprintf(out, "  lookups: %u/10 over the whole tree%s, void lookups: "
	    "%u/2\n", s->lookups, s->area.incomplete || s->truncated ?
	    " (at least)" : "", s->void_lookups);
}

void
render_text_area_dmarc(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	const struct dmarc_result *d = &res->dmarc;
	static const char *const applies[] = { "p", "sp", "np" };

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
}

void
render_text_area_dkim(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	const struct dkim_result *k = &res->dkim;
	size_t shown = 0;

	(void)st;

	for (size_t i = 0; i < k->nsel; i++) {
		const struct dkim_selector *s = &k->sel[i];

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
			if (s->wildcard)
				fputs(": no key of its own (the wildcard "
				    "under _domainkey answers)\n", out);
			else if (s->nforeign > 0)
				fputs(": no key (its TXT record is not a "
				    "DKIM key)\n", out);
			else
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
	if (shown == 0) {
		size_t failed = 0;

		/* Names whose lookup failed were not tried to the end. */
		for (size_t i = 0; i < k->nsel; i++)
			if (k->sel[i].status != DNS_OK &&
			    k->sel[i].status != DNS_NODATA &&
			    k->sel[i].status != DNS_NXDOMAIN)
				failed++;
		if (failed > 0)
			fprintf(out, "  no selector found (%zu names tried, "
			    "%zu of the lookups failed)\n", k->nsel, failed);
		else
			fprintf(out, "  no selector found (%zu names tried)\n",
			    k->nsel);
	}
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

void
render_text_area_mx(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	const struct mx_result *m = &res->mx;

	(void)st;

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
}

/* A one-record area: the record, or "none published". */
static void
record_line(FILE *out, const struct txt_check *t)
{
	fputs("  ", out);
	cli_put_safe(out, t->name);
	if (t->record != NULL) {
		fputs(": ", out);
		render_text_bytes(out, t->record, t->record_len);
		putc('\n', out);
	} else {
		fputs(": none published\n", out);
	}
}

void
render_text_area_tlsrpt(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	(void)st;
	record_line(out, &res->tlsrpt.txt);
}

void
render_text_area_bimi(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	(void)st;
	record_line(out, &res->bimi.txt);
}

void
render_text_area_mtasts(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	const struct mtasts_result *m = &res->mtasts;

	(void)st;
	record_line(out, &m->txt);
	if (m->txt.record == NULL)
		return;
	fputs("  policy https://", out);
	cli_put_safe(out, m->host);
	fprintf(out, "%s: %s", MTASTS_PATH, mtasts_policy_state_name(m->state));
	if (m->skipped[0] != '\0') {
		fputs(" (MTA-STS policy fetching skipped: ", out);
		cli_put_safe(out, m->skipped);
		fputs("; install libcurl4)", out);
	}
	if (m->state == MTASTS_POLICY_OK)
		fprintf(out, ", mode %s, max_age %lu, %zu mx pattern%s",
		    mtasts_mode_name(m->pol.mode), m->pol.max_age,
		    m->pol.nmx, m->pol.nmx == 1 ? "" : "s");
	putc('\n', out);
}

/* One probed address: what happened at each step, then TLS. */
static void
probe_lines(FILE *out, const struct smtp_probe *p, const char *host,
    const struct render_style *st)
{
	struct ipaddr lit;
	bool is_ip = ip_parse(host, strlen(host), &lit);

	if (p->connect == SMTP_CONN_NO_ROUTE) {
		fputs("not reached: no route from this machine (", out);
		cli_put_safe(out, p->connect_error);
		fputs("); not judged\n", out);
		return;
	}
	if (p->connect != SMTP_CONN_OK) {
		fprintf(out, "connect %s%s%s: ", st->red,
		    smtp_connect_name(p->connect), st->reset);
		cli_put_safe(out, p->connect_error);
		putc('\n', out);
		return;
	}
	fprintf(out, "connect %.1f ms", p->connect_ms);
	if (p->mode == SMTP_TLS_IMPLICIT)
		fputs(", implicit TLS", out);
	if (p->greeting_code != 0) {
		const char *nl = strchr(p->greeting, '\n');

		fprintf(out, ", greeting %d ", p->greeting_code);
		if (nl != NULL)
			fprintf(out, "%.*s (+ more lines)",
			    (int)(nl - p->greeting), p->greeting);
		else
			fputs(p->greeting, out);
	}
	putc('\n', out);
	if (p->ehlo_code != 0) {
		fprintf(out, "      %s %d:", p->helo_fallback ? "EHLO refused, "
		    "HELO" : "EHLO", p->helo_fallback ? p->ehlo_code :
		    p->ehlo_code);
		for (unsigned i = 0; i < SMTP_NEXT; i++)
			if (p->ext & (1u << i))
				fprintf(out, " %s", smtp_ext_name(i));
		if (p->size_limit)
			fprintf(out, " (SIZE %lu)", p->size_limit);
		if (p->auth[0])
			fprintf(out, " (AUTH %s)", p->auth);
		if (p->ext == 0)
			fputs(" no extensions", out);
		putc('\n', out);
	}
	if (p->tls_done) {
		const struct tls_info *t = &p->tls;

		fprintf(out, "      TLS: %s %s", t->version, t->cipher);
		if (t->has_cert) {
			fprintf(out, "; %s %d-bit key; ", t->key_type,
			    t->key_bits);
			fputs(t->verified ? "chain verified" :
			    "chain NOT verified", out);
			if (!t->verified)
				fprintf(out, " (%s)", t->verify_error);
			fprintf(out, "; %s; %s %ld days\n", is_ip ?
			    "name not checked (an address)" : t->name_match ?
			    "names the host" : "does NOT name the host",
			    t->days_left < 0 ? "expired" : "expires in",
			    t->days_left < 0 ? -t->days_left : t->days_left);
			fputs("      certificate: ", out);
			fputs(t->subject, out);
			fputs(" issued by ", out);
			fputs(t->issuer, out);
			fprintf(out, "; %zu in the chain; names:",
			    t->chain_len);
			for (size_t i = 0; i < t->nnames; i++)
				fprintf(out, " %s", t->names[i]);
			if (t->nnames_total > t->nnames)
				fprintf(out, " (+%zu more)",
				    t->nnames_total - t->nnames);
		} else {
			fputs("; no certificate", out);
		}
		putc('\n', out);
	}
	/* A submission server that offers AUTH only under TLS (as it should)
	 * names its mechanisms in the EHLO after STARTTLS. */
	if (p->auth_tls[0])
		fprintf(out, "      AUTH after TLS: %s\n", p->auth_tls);
	if (p->end != SMTP_END_OK && p->end != SMTP_END_NOT_CONNECTED)
		fprintf(out, "      %sended at %s%s: %s\n", st->red,
		    smtp_step_name(p->end_step), st->reset, p->end_detail);
	else if (p->end == SMTP_END_OK)
		fprintf(out, "      QUIT after %.0f ms\n", p->total_ms);
}

/* The DANE line of an address: what its TLSA records say. */
static void
dane_line(FILE *out, const struct transport_host *H,
    const struct dane_verdict *v, const struct render_style *st)
{
	const struct dane_set *s;
	char rec[120];

	if (H->dane == NULL || v == NULL || v->status == DANE_NONE)
		return;
	s = dane_lookup_set(H->dane);
	fputs("      DANE: ", out);
	switch (v->status) {
	case DANE_NO_TLSA:
		fputs("no TLSA at ", out);
		cli_put_safe(out, s->qname);
		break;
	case DANE_MATCHED:
	case DANE_INSECURE:
	case DANE_MISMATCH:
		fprintf(out, "%s%s%s", v->status == DANE_MATCHED ? st->green :
		    v->status == DANE_MISMATCH ? st->red : st->yellow,
		    v->status == DANE_MATCHED ? "matched" : v->status ==
		    DANE_MISMATCH ? "NO MATCH" : "insecure", st->reset);
		if (v->rec >= 0 && (size_t)v->rec < s->n) {
			dane_rec_format(&s->rec[v->rec], rec, sizeof(rec));
			fprintf(out, " %s at depth %d", rec, v->depth);
		}
		fputs(H->dane->given ? " (records given with --tlsa" :
		    " (TLSA at ", out);
		if (!H->dane->given)
			cli_put_safe(out, s->qname);
		if (!H->dane->given)
			fprintf(out, ", DNSSEC %s", dane_dnssec_name(s->dnssec));
		putc(')', out);
		break;
	default:
		fputs("not checked", out);
		break;
	}
	if (s->ntotal > s->n)
		fprintf(out, " (the first %zu of %zu records)", s->n,
		    s->ntotal);
	if (v->why != NULL)
		fprintf(out, ": %s", v->why);
	putc('\n', out);
}

void
render_text_transport(FILE *out, const struct transport_result *t,
    const struct render_style *st)
{
	if (t->skipped != NULL) {
		fprintf(out, "  not probed: %s\n", t->skipped);
		return;
	}
	if (t->error[0] != '\0')
		fprintf(out, "  %sthe probe could not run:%s %s\n", st->red,
		    st->reset, t->error);
	if (t->nhost == 0)
		fputs("  no mail server to probe\n", out);
	if (t->port25_blocked)
		fprintf(out, "  %severy connection timed out: outbound port "
		    "%u looks blocked on this network%s\n", st->yellow,
		    t->host[0].port, st->reset);
	for (size_t h = 0; h < t->nhost; h++) {
		const struct transport_host *H = &t->host[h];

		fprintf(out, "  %s ", H->submission ? "host" : "MX");
		cli_put_safe(out, H->name);
		fprintf(out, " port %u", H->port);
		if (H->naddr_total > H->n)
			fprintf(out, " (%zu of %zu addresses probed: at most "
			    "%d per host)", H->n, H->naddr_total,
			    TRANSPORT_MAX_ADDRS);
		if (H->unresolved != NULL)
			fprintf(out, ": %s", H->unresolved);
		putc('\n', out);
		for (size_t a = 0; a < H->n; a++) {
			const struct smtp_probe *p = &t->probe[H->first + a];
			const char *why = t->skip_why[H->first + a];
			char ip[IP_STRLEN];

			ip_format(&p->ip, ip, sizeof(ip));
			fprintf(out, "    %s  ", ip);
			if (why != NULL)
				fprintf(out, "not probed: %s\n", why);
			else if (!t->probed)
				fputs("not probed\n", out);
			else {
				probe_lines(out, p, H->name, st);
				dane_line(out, H, t->dane ?
				    &t->dane[H->first + a] : NULL, st);
			}
		}
	}
	if (t->nhost_total > t->nhost)
		fprintf(out, "  (%zu more hosts not probed)\n",
		    t->nhost_total - t->nhost);
}

/* One line per name validated: "DNSSEC good.test: TXT secure, MX
 * secure", then the reasons (the proof of an unsigned zone, why an answer
 * is bogus). */
static void
render_text_dnssec(FILE *out, const struct dnssec_report *rep,
    const struct render_style *st)
{
	const struct dnssec_item *it;
	const char *col;

	if (rep->skipped != NULL) {
		fprintf(out, "  DNSSEC not validated: %s\n", rep->skipped);
		return;
	}
	if (!rep->ran)
		return;
	for (size_t i = 0; i < rep->n; i++) {
		bool first = true;

		for (size_t j = 0; j < i && first; j++)
			first = strcmp(rep->item[j].name, rep->item[i].name) != 0;
		if (!first)
			continue;
		fputs("  DNSSEC ", out);
		cli_put_safe(out, rep->item[i].name);
		fputc(':', out);
		for (size_t j = i; j < rep->n; j++) {
			it = &rep->item[j];
			if (strcmp(it->name, rep->item[i].name) != 0)
				continue;
			col = it->st == DNSSEC_BOGUS ? st->red :
			    it->st == DNSSEC_INDETERMINATE ? st->yellow : "";
			fprintf(out, "%s %s %s%s%s", j == i ? "" : ",",
			    dns_type_name(it->type), col,
			    dnssec_status_name(it->st), col[0] ? st->reset : "");
		}
		for (size_t j = i; j < rep->n; j++) {
			it = &rep->item[j];
			if (strcmp(it->name, rep->item[i].name) != 0 ||
			    it->why[0] == '\0')
				continue;
			fputs(" (", out);
			cli_put_safe(out, it->why);
			fputc(')', out);
			break;
		}
		fputc('\n', out);
	}
	if (rep->ntotal > rep->n)
		fprintf(out, "  (%zu more answers not shown)\n",
		    rep->ntotal - rep->n);
}

void
render_text_area_transport(FILE *out, const struct check_result *res,
    const struct render_style *st)
{
	render_text_transport(out, &res->transport, st);
	render_text_dnssec(out, &res->dnssec, st);
}

void
render_style_init(struct render_style *st, bool color)
{
	static const struct render_style plain = {
		false, "", "", "", "", "", ""
	}, ansi = {
		true, "\033[1m", "\033[1;31m", "\033[1;33m", "\033[32m",
		"\033[2m", "\033[0m"
	};

	*st = color ? ansi : plain;
}

void
render_text_check(FILE *out, const struct check_result *res, bool color)
{
	struct render_style st;
	const char *verdict = check_verdict(res), *vc;

	render_style_init(&st, color);
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
	if (res->parked && res->parked_missing == 0 &&
	    strcmp(verdict, "pass") == 0) {
		fputs("  parked, fully protected: the domain sends and "
		    "receives no mail, and says so\n", out);
	} else if (res->parked) {
		fputs("  parked (sends and receives no mail)", out);
		for (unsigned b = 0, n = 0; b < CHECK_PARKED__BITS; b++)
			if (res->parked_missing & (1u << b))
				fprintf(out, "%s%s", n++ ? ", " :
				    "; missing: ", check_parked_item(1u << b));
		putc('\n', out);
	}
	if (res->parked && strcmp(verdict, "fail") != 0)
		;	/* said above */
	else if (strcmp(verdict, "fail") == 0)
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
	for (int a = 0; a < CHECK__AREAS; a++) {
		fprintf(out, "\n%s%s%s\n", st.bold, check_modules[a].title,
		    st.reset);
		check_modules[a].render_text(out, res, &st);
		area_findings(out, res, a, &st);
	}
	putc('\n', out);
}
