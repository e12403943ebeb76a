/*
 * generate.c -- record builders for `authcheck generate` (generate.h).
 *
 * Every record is built into a bounded buffer, then handed to the same
 * parser and linter the checks use before anyone sees it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "diag.h"
#include "dkim.h"
#include "dmarc.h"
#include "dns.h"
#include "generate.h"
#include "ip.h"
#include "providers.h"
#include "spf.h"
#include "spf_lint.h"

#define GEN_RECORD_MAX	4096	/* longest record we build */
#define TXT_ANSWER_MAX	450	/* RFC 7208 §3.4 */

const char gen_flatten_advice[] =
"More than 10 DNS lookups make receivers return permerror: SPF then fails\n"
"for all of your mail.  Ways out, best first:\n"
"  - move senders that support it to their own Return-Path subdomain\n"
"    (their include then lives on that subdomain, not here);\n"
"  - drop providers you no longer use;\n"
"  - replace an include with the provider's ip4:/ip6: ranges (flattening):\n"
"    no lookups, but you must follow every change the provider makes, so\n"
"    only with a tool that re-flattens automatically;\n"
"  - send some streams from a subdomain with its own SPF record.\n";

/* ---- names and addresses -------------------------------------------- */

static bool
is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool
gen_valid_domain(const char *s)
{
	size_t n = strlen(s), label = 0, labels = 0, lstart = 0;
	bool alpha_top = false;

	n = dns_name_trim(s, n);
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || s[lstart] == '-' || s[i - 1] == '-')
				return false;
			labels++;
			alpha_top = false;
			for (size_t j = lstart; j < i; j++) {
				unsigned char c = (unsigned char)s[j];

				if (!(c >= '0' && c <= '9'))
					alpha_top = true;
			}
			label = 0;
			lstart = i + 1;
			continue;
		}
		if (!is_ldh((unsigned char)s[i]) || ++label > 63)
			return false;
	}
	return labels >= 2 && alpha_top;
}

bool
gen_domain_norm(const char *s, char *out, size_t size)
{
	return gen_valid_domain(s) && dns_name_norm(out, size, s) >= 0;
}

/* "192.0.2.1", "192.0.2.0/24", "2001:db8::/32" -> "ip4:..." / "ip6:..."
 * appended to b.  False when it does not parse. */
static bool
add_addr_term(struct buf *b, const char *s)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct ipaddr ip;
	unsigned long prefix = 0;
	char text[IP_STRLEN];

	if (!ip_parse(s, alen, &ip))
		return false;
	if (slash != NULL) {
		const char *p = slash + 1;
		unsigned max = ip.family == 4 ? 32 : 128;

		if (*p == '\0' || (p[0] == '0' && p[1] != '\0') ||
		    strlen(p) > 3)
			return false;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				return false;
			prefix = prefix * 10 + (unsigned long)(*p - '0');
		}
		if (prefix > max)
			return false;
	}
	ip_format(&ip, text, sizeof(text));
	buf_printf(b, " ip%d:%s", ip.family, text);
	if (slash != NULL && prefix != (ip.family == 4 ? 32UL : 128UL))
		buf_printf(b, "/%lu", prefix);
	return true;
}

/* ---- SPF ---------------------------------------------------------------- */

enum live { LIVE_OK, LIVE_FAILED, LIVE_MISSING, LIVE_NXDOMAIN,
	LIVE_MULTIPLE };

/* Cost of include:dom -- the term itself plus its tree -- through DNS.
 * DNS answered, but: LIVE_NXDOMAIN, dom does not exist; LIVE_MISSING, it
 * has no SPF record; LIVE_MULTIPLE, it has several. */
static enum live
live_cost(struct dns_resolver *r, const char *dom, unsigned *cost)
{
	struct spf_lint_result lr;
	struct diag_sink quiet;
	enum live st = LIVE_FAILED;

	memset(&lr, 0, sizeof(lr));
	diag_sink_init(&quiet, NULL, NULL);
	if (spf_lint(r, dom, &quiet, &lr) == 0 && lr.root != NULL) {
		if (lr.root->status == SPF_NODE_OK && !lr.area.incomplete &&
		    !lr.truncated) {
			*cost = 1 + lr.lookups;
			st = LIVE_OK;
		} else if (lr.root->status == SPF_NODE_MULTIPLE) {
			st = LIVE_MULTIPLE;
		} else if (lr.root->status == SPF_NODE_MISSING) {
			/* The TXT answer is in the run's cache: which kind
			 * of missing costs no query. */
			struct dns_query *q = dns_submit(r, dom, DNS_T_TXT,
			    NULL, NULL);

			if (q != NULL)
				dns_run(r);
			st = q != NULL && dns_answer(q)->status ==
			    DNS_NXDOMAIN ? LIVE_NXDOMAIN : LIVE_MISSING;
		}
	}
	spf_lint_result_free(&lr);
	return st;
}

static int
add_note(struct gen_spf_result *res, struct buf *b)
{
	char *n;

	if (res->nnotes == sizeof(res->notes) / sizeof(res->notes[0])) {
		buf_free(b);
		return 0;	/* enough said */
	}
	n = buf_take(b);
	buf_free(b);
	if (n == NULL)
		return -1;
	res->notes[res->nnotes++] = n;
	return 0;
}

static int
add_term(struct gen_spf_result *res, const char *term, unsigned cost,
    enum gen_cost_source src, const struct provider *p)
{
	struct gen_spf_term *nt;

	nt = realloc(res->terms, (res->nterms + 1) * sizeof(*nt));
	if (nt == NULL)
		return -1;
	res->terms = nt;
	nt = &res->terms[res->nterms];
	if ((nt->term = buf_strdup(term)) == NULL)
		return -1;
	nt->cost = cost;
	nt->source = src;
	nt->provider = p;
	res->nterms++;
	return 0;
}

static bool
have_include(const struct gen_spf_result *res, const char *inc)
{
	for (size_t i = 0; i < res->nterms; i++)
		if (strncmp(res->terms[i].term, "include:", 8) == 0 &&
		    strcasecmp(res->terms[i].term + 8, inc) == 0)
			return true;
	return false;
}

/* Report every parse error of record rec as spf.syntax (a generator bug). */
static bool
spf_check_syntax(const char *owner, const char *text, struct diag_sink *sink)
{
	struct spf_record *sr = spf_parse(text, strlen(text));
	struct diag d;

	if (sr == NULL)
		return false;
	memset(&d, 0, sizeof(d));
	d.domain = owner;
	d.record = text;
	d.record_len = strlen(text);
	d.has_span = true;
	for (size_t i = 0; i < sr->nerrs; i++) {
		d.span.off = sr->errs[i].span.off;
		d.span.len = sr->errs[i].span.len;
		diag_reportf(sink, DIAG_SPF_SYNTAX, &d, "generated record: %s",
		    spf_err_str(sr->errs[i].code));
	}
	spf_record_free(sr);
	return true;
}

static int
add_provider(const struct gen_spf_opts *o, const char *domain,
    const struct provider *p, struct buf *rec, struct gen_spf_result *res)
{
	char term[300];

	if (strcmp(p->spf_where, "apex") == 0) {
		for (size_t k = 0; k < p->nspf_includes; k++) {
			const char *inc = p->spf_includes[k];
			enum gen_cost_source src = GEN_COST_TEMPLATE;
			unsigned cost = k == 0 ? p->spf_lookups : 1;
			enum live st = LIVE_FAILED;

			if (have_include(res, inc))
				continue;	/* two providers, one include */
			if (o->resolver != NULL)
				st = live_cost(o->resolver, inc, &cost);
			if (st == LIVE_OK)
				src = GEN_COST_LIVE;
			else if (cost == 0)
				cost = 1;	/* the include term itself */
			if (st == LIVE_MISSING || st == LIVE_NXDOMAIN ||
			    st == LIVE_MULTIPLE) {
				struct buf nb;

				/* Receivers would return permerror for the
				 * whole record: say so loudly. */
				buf_init(&nb, BUF_MAX_LINE);
				buf_printf(&nb, "%s: %s %s: an include of it "
				    "makes SPF fail (permerror).  The template "
				    "may be out of date; check %s", p->name, inc,
				    st == LIVE_NXDOMAIN ? "does not exist "
				    "(NXDOMAIN)" : st == LIVE_MULTIPLE ?
				    "publishes several SPF records" :
				    "has no SPF record", p->docs);
				if (add_note(res, &nb) != 0)
					return -1;
			}
			if (src != GEN_COST_LIVE)
				res->all_live = false;
			snprintf(term, sizeof(term), "include:%s", inc);
			buf_printf(rec, " %s", term);
			if (add_term(res, term, cost, src, p) != 0)
				return -1;
		}
		return 0;
	}
	/* Return-Path providers: SPF is checked on the envelope domain, so an
	 * apex include would cost lookups and authorise nothing that
	 * aligns. */
	if (p->rp_host != NULL) {
		struct gen_record *g = &res->rp[res->nrp];
		struct buf v, n;

		buf_init(&n, BUF_MAX_NAME);
		buf_printf(&n, "%s.%s", p->rp_host, domain);
		buf_init(&v, GEN_RECORD_MAX);
		if (strcmp(p->rp_type, "cname") == 0) {
			g->type = "CNAME";
			buf_adds(&v, p->rp_target);
		} else {
			g->type = "TXT";
			buf_adds(&v, "v=spf1");
			for (size_t k = 0; k < p->nspf_includes; k++)
				buf_printf(&v, " include:%s",
				    p->spf_includes[k]);
			buf_adds(&v, o->fail ? " -all" : " ~all");
		}
		g->name = buf_take(&n);
		g->value = buf_take(&v);
		buf_free(&n);
		buf_free(&v);
		g->why = buf_strdup(p->spf_note != NULL ? p->spf_note :
		    "the provider sends with this Return-Path domain");
		res->nrp++;
		if (g->name == NULL || g->value == NULL || g->why == NULL)
			return -1;
		return 0;
	}
	{
		struct buf nb;

		buf_init(&nb, BUF_MAX_TEXT);
		buf_printf(&nb, "%s: nothing to add to SPF. %s", p->name,
		    p->spf_note != NULL ? p->spf_note : "The provider sends "
		    "with its own envelope domain; DKIM gives alignment.");
		return add_note(res, &nb);
	}
}

int
gen_spf(const struct gen_spf_opts *o, struct gen_spf_result *res,
    struct diag_sink *sink, char *err, size_t errsize)
{
	struct buf rec;
	char domain[GEN_DOMAIN_SIZE];
	struct diag d;

	memset(res, 0, sizeof(*res));
	res->all_live = true;
	if (o->domain == NULL || !gen_domain_norm(o->domain, domain,
	    sizeof(domain))) {
		snprintf(err, errsize, "'%s' is not a valid domain name",
		    o->domain ? o->domain : "");
		return -1;
	}
	if (o->nproviders > GEN_MAX_PROVIDERS || o->naddrs > GEN_MAX_ADDRS) {
		snprintf(err, errsize, "at most %d providers and %d addresses",
		    GEN_MAX_PROVIDERS, GEN_MAX_ADDRS);
		return -1;
	}
	buf_init(&rec, GEN_RECORD_MAX);
	buf_adds(&rec, "v=spf1");
	for (size_t i = 0; i < o->naddrs; i++) {
		size_t before = rec.len;

		if (!add_addr_term(&rec, o->addrs[i])) {
			snprintf(err, errsize, "'%s' is not an IPv4 or IPv6 "
			    "address or network", o->addrs[i]);
			buf_free(&rec);
			gen_spf_result_free(res);
			return -1;
		}
		if (!rec.err && add_term(res, rec.p + before + 1, 0,
		    GEN_COST_FIXED, NULL) != 0)
			goto oom_rec;
	}
	if (o->a) {
		buf_adds(&rec, " a");
		if (add_term(res, "a", 1, GEN_COST_FIXED, NULL) != 0)
			goto oom_rec;
	}
	if (o->mx) {
		buf_adds(&rec, " mx");
		if (add_term(res, "mx", 1, GEN_COST_FIXED, NULL) != 0)
			goto oom_rec;
	}
	/* Put the first level of every include tree in flight at once; the
	 * spf_lint() calls below then find those answers in the cache. */
	for (size_t i = 0; o->resolver != NULL && i < o->nproviders; i++) {
		const struct provider *p = o->providers[i];

		if (strcmp(p->spf_where, "apex") != 0)
			continue;
		for (size_t k = 0; k < p->nspf_includes; k++)
			(void)dns_submit(o->resolver, p->spf_includes[k],
			    DNS_T_TXT, NULL, NULL);
	}
	for (size_t i = 0; i < o->nproviders; i++)
		if (add_provider(o, domain, o->providers[i], &rec, res) != 0)
			goto oom_rec;
	buf_adds(&rec, o->fail ? " -all" : " ~all");
	if (rec.err)
		goto oom_rec;
	res->record = buf_take(&rec);
	buf_free(&rec);
	if (res->record == NULL)
		goto oom;
	for (size_t i = 0; i < res->nterms; i++)
		res->lookups += res->terms[i].cost;

	/* The same checks `authcheck spf` applies, on what we built. */
	if (!spf_check_syntax(domain, res->record, sink))
		goto oom;
	for (size_t i = 0; i < res->nrp; i++)
		if (strcmp(res->rp[i].type, "TXT") == 0 &&
		    !spf_check_syntax(res->rp[i].name, res->rp[i].value, sink))
			goto oom;
	memset(&d, 0, sizeof(d));
	d.domain = domain;
	d.record = res->record;
	d.record_len = strlen(res->record);
	if (res->lookups > GEN_LOOKUP_LIMIT)
		diag_reportf(sink, DIAG_SPF_LOOKUP_LIMIT, &d,
		    "%s%u DNS lookups in the generated record (limit %d)",
		    res->all_live ? "" : "about ", res->lookups,
		    GEN_LOOKUP_LIMIT);
	else if (res->lookups >= GEN_LOOKUP_LIMIT - 1)
		diag_reportf(sink, DIAG_SPF_LOOKUP_NEAR_LIMIT, &d,
		    "%s%u DNS lookups in the generated record (limit %d)",
		    res->all_live ? "" : "about ", res->lookups,
		    GEN_LOOKUP_LIMIT);
	if (d.record_len > TXT_ANSWER_MAX)
		diag_reportf(sink, DIAG_SPF_RECORD_TOO_LONG, &d,
		    "the generated record is %zu octets (over %d)",
		    d.record_len, TXT_ANSWER_MAX);
	return 0;
oom_rec:
	buf_free(&rec);
oom:
	gen_spf_result_free(res);
	snprintf(err, errsize, "out of memory or record too long");
	return -1;
}

static void
record_free(struct gen_record *g)
{
	free(g->name);
	free(g->value);
	free(g->why);
	memset(g, 0, sizeof(*g));
}

void
gen_spf_result_free(struct gen_spf_result *res)
{
	free(res->record);
	for (size_t i = 0; i < res->nterms; i++)
		free(res->terms[i].term);
	free(res->terms);
	for (size_t i = 0; i < res->nrp; i++)
		record_free(&res->rp[i]);
	for (size_t i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	memset(res, 0, sizeof(*res));
}

/* ---- DMARC -------------------------------------------------------------- */

const char *const gen_policy_words[] = { "none", "quarantine", "reject",
	NULL };
const char *const gen_align_words[] = { "s", "r", NULL };

static bool
is_policy(const char *s)
{
	return cli_word(gen_policy_words, s) >= 0;
}

/* Local parts we write without percent-encoding: printable ASCII except
 * the characters the DMARC URI list or the tag list give meaning to. */
static bool
local_ok(const char *p, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c >= 0x7f || c == ',' || c == '!' ||
		    c == ';' || c == '"' || c == '\\' || c == '%' ||
		    c == '@' || c == '<' || c == '>')
			return false;
	}
	return true;
}

/* "a@b.example" or "mailto:a@b.example" -> "mailto:a@b.example" in out,
 * the host in host[].  False when malformed. */
static bool
report_uri(const char *in, struct buf *out, char host[256])
{
	const char *at, *addr = in;

	if (strncasecmp(addr, "mailto:", 7) == 0)
		addr += 7;
	if ((at = strrchr(addr, '@')) == NULL || !local_ok(addr,
	    (size_t)(at - addr)))
		return false;
	if (!gen_domain_norm(at + 1, host, 256))
		return false;
	buf_printf(out, "mailto:%.*s@%s", (int)(at - addr), addr, host);
	return true;
}

static int
add_uris(struct buf *rec, const char *tag, const char *const *list,
    size_t n, char hosts[][256], size_t *nhosts, char *err, size_t errsize)
{
	if (n == 0)
		return 0;
	buf_printf(rec, "; %s=", tag);
	for (size_t i = 0; i < n; i++) {
		char host[256];
		size_t j;

		if (i > 0)
			buf_addc(rec, ',');
		if (!report_uri(list[i], rec, host)) {
			snprintf(err, errsize, "--%s '%s': not an email address "
			    "(user@example.com or mailto:user@example.com)",
			    tag, list[i]);
			return -1;
		}
		for (j = 0; j < *nhosts; j++)
			if (strcmp(hosts[j], host) == 0)
				break;
		if (j == *nhosts && *nhosts < DMARC_MAX_URIS)
			memcpy(hosts[(*nhosts)++], host, sizeof(host));
	}
	return 0;
}

int
gen_dmarc(const struct gen_dmarc_opts *o, struct gen_dmarc_result *res,
    struct diag_sink *sink, char *err, size_t errsize)
{
	char hosts[DMARC_MAX_URIS][256];
	size_t nhosts = 0;
	struct dmarc_record dr;
	struct buf rec, name;
	char domain[GEN_DOMAIN_SIZE];
	struct diag ctx;

	memset(res, 0, sizeof(*res));
	if (o->domain == NULL || !gen_domain_norm(o->domain, domain,
	    sizeof(domain))) {
		snprintf(err, errsize, "'%s' is not a valid domain name",
		    o->domain ? o->domain : "");
		return -1;
	}
	if (o->policy == NULL || !is_policy(o->policy)) {
		snprintf(err, errsize, "--policy must be none, quarantine or "
		    "reject");
		return -1;
	}
	if ((o->sp != NULL && !is_policy(o->sp)) ||
	    (o->np != NULL && !is_policy(o->np))) {
		snprintf(err, errsize, "--sp and --np must be none, quarantine "
		    "or reject");
		return -1;
	}
	if ((o->adkim != NULL && cli_word(gen_align_words, o->adkim) < 0) ||
	    (o->aspf != NULL && cli_word(gen_align_words, o->aspf) < 0)) {
		snprintf(err, errsize, "--adkim and --aspf must be s (strict) "
		    "or r (relaxed)");
		return -1;
	}
	if (o->nrua + o->nruf > DMARC_MAX_URIS) {
		snprintf(err, errsize, "at most %d report addresses",
		    DMARC_MAX_URIS);
		return -1;
	}
	buf_init(&rec, GEN_RECORD_MAX);
	buf_printf(&rec, "v=DMARC1; p=%s", o->policy);
	if (o->sp != NULL)
		buf_printf(&rec, "; sp=%s", o->sp);
	if (o->np != NULL)
		buf_printf(&rec, "; np=%s", o->np);
	if (o->adkim != NULL)
		buf_printf(&rec, "; adkim=%s", o->adkim);
	if (o->aspf != NULL)
		buf_printf(&rec, "; aspf=%s", o->aspf);
	if (o->testing)
		buf_adds(&rec, "; t=y");
	if (add_uris(&rec, "rua", o->rua, o->nrua, hosts, &nhosts, err,
	    errsize) != 0 || add_uris(&rec, "ruf", o->ruf, o->nruf, hosts,
	    &nhosts, err, errsize) != 0) {
		buf_free(&rec);
		return -1;
	}
	buf_init(&name, BUF_MAX_NAME);
	buf_printf(&name, "_dmarc.%s", domain);
	res->rec[0].type = "TXT";
	res->rec[0].value = buf_take(&rec);
	res->rec[0].name = buf_take(&name);
	res->rec[0].why = NULL;
	res->nrec = 1;
	buf_free(&rec);
	buf_free(&name);
	if (res->rec[0].value == NULL || res->rec[0].name == NULL)
		goto oom;

	/* RFC 9990 / RFC 7489 §7.1: a destination outside the domain
	 * must agree to receive the reports. */
	for (size_t i = 0; i < nhosts; i++) {
		struct gen_record *g;

		/* Inside the domain, or its parent (reports for
		 * mail.example.com to example.com): same organization. */
		if (dns_name_within(hosts[i], domain) ||
		    dns_name_within(domain, hosts[i]))
			continue;
		g = &res->rec[res->nrec];
		buf_init(&name, BUF_MAX_NAME);
		buf_printf(&name, "%s._report._dmarc.%s", domain, hosts[i]);
		if (!name.err && name.len > 253) {
			snprintf(err, errsize, "the authorisation name for %s "
			    "would exceed 253 octets", hosts[i]);
			buf_free(&name);
			gen_dmarc_result_free(res);
			return -1;
		}
		g->name = buf_take(&name);
		buf_free(&name);
		g->type = "TXT";
		g->value = buf_strdup("v=DMARC1");
		buf_init(&name, BUF_MAX_NAME);
		buf_printf(&name, "published by %s (not by you): without it "
		    "receivers do not send reports there (not needed when %s "
		    "and %s share an organizational domain)", hosts[i],
		    hosts[i], domain);
		g->why = buf_take(&name);
		buf_free(&name);
		res->nrec++;
		if (g->name == NULL || g->value == NULL || g->why == NULL)
			goto oom;
	}

	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = res->rec[0].name;
	ctx.record = res->rec[0].value;
	ctx.record_len = strlen(res->rec[0].value);
	memset(&dr, 0, sizeof(dr));
	if (!dmarc_parse(ctx.record, ctx.record_len, &dr, sink, &ctx))
		diag_reportf(sink, DIAG_DMARC_SYNTAX, &ctx, "generated record "
		    "is not DMARC");
	else
		dmarc_lint(&dr, sink, &ctx);
	return 0;
oom:
	gen_dmarc_result_free(res);
	snprintf(err, errsize, "out of memory");
	return -1;
}

void
gen_dmarc_result_free(struct gen_dmarc_result *res)
{
	for (size_t i = 0; i < res->nrec; i++)
		record_free(&res->rec[i]);
	res->nrec = 0;
}

/* ---- DKIM ----------------------------------------------------------------- */

char *
gen_dkim_record(const char *public_b64, bool ed25519, struct diag_sink *sink,
    const char *owner)
{
	struct dkim_key key;
	struct diag ctx;
	struct buf b;
	char *rec;

	buf_init(&b, BUF_MAX_RECORD);
	buf_printf(&b, "v=DKIM1; k=%s; p=%s", ed25519 ? "ed25519" : "rsa",
	    public_b64);
	if ((rec = buf_take(&b)) == NULL) {
		buf_free(&b);
		return NULL;
	}
	buf_free(&b);
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = owner;
	ctx.record = rec;
	ctx.record_len = strlen(rec);
	memset(&key, 0, sizeof(key));
	if (dkim_lint(rec, ctx.record_len, &key, sink, &ctx) != 0) {
		free(rec);
		return NULL;
	}
	return rec;
}

/* ---- TXT character-strings ---------------------------------------------- */

/* Length of the next string starting at v[i]: at most 255, cut after the
 * last space within reach when at_spaces. */
size_t
gen_txt_chunk(const char *v, size_t len, size_t i, bool at_spaces)
{
	size_t n = len - i;

	if (n <= GEN_TXT_STRING_MAX)
		return n;
	if (at_spaces) {
		for (size_t k = GEN_TXT_STRING_MAX; k > 0; k--)
			if (v[i + k - 1] == ' ')
				return k;
	}
	return GEN_TXT_STRING_MAX;
}

size_t
gen_txt_nstrings(const char *v, size_t len, bool at_spaces)
{
	size_t n = 0;

	for (size_t i = 0; i < len; n++)
		i += gen_txt_chunk(v, len, i, at_spaces);
	return n == 0 ? 1 : n;
}

void
gen_txt_strings(struct buf *out, const char *v, size_t len, bool at_spaces)
{
	size_t i = 0;

	do {
		size_t n = gen_txt_chunk(v, len, i, at_spaces);

		if (i > 0)
			buf_addc(out, ' ');
		buf_addc(out, '"');
		for (size_t k = 0; k < n; k++) {
			if (v[i + k] == '"' || v[i + k] == '\\')
				buf_addc(out, '\\');
			buf_addc(out, v[i + k]);
		}
		buf_addc(out, '"');
		i += n;
	} while (i < len);
}
