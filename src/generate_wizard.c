/*
 * generate_wizard.c -- `authcheck generate` step by step: domain, the
 * services that send mail (picked from the templates, searchable by part of
 * a name), own servers, the policy for everything else, a report address.
 * Each answer is validated and re-asked when wrong; the SPF record being
 * built is shown with its lookup count after every change; the end is the
 * list of records to publish, printed by the same code as the flags use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "dkim.h"
#include "generate.h"
#include "generate_wizard.h"
#include "ip.h"
#include "prompt.h"
#include "providers.h"

#define MAX_ANSWERS	64	/* answers kept (strings the args borrow) */
#define MAX_TRIES	20	/* bad answers to one question before giving up */

/* Where the dialogue goes: standard output for text, standard error when
 * the records are zone lines or JSON, so that stdout stays machine-
 * readable. */
static FILE *wout;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(wout, fmt, ap);
	va_end(ap);
}

static void
sayln(const char *s)
{
	fputs(s, wout);
	putc('\n', wout);
}

struct wiz {
	struct gen_args *g;
	const struct provider_set *ps;
	struct prompt *pr;
	char *kept[MAX_ANSWERS];
	size_t nkept;
};

/* Keep a copy of an answer for as long as the args point at it. */
static const char *
keep(struct wiz *w, const char *s)
{
	char *c;

	if (w->nkept == MAX_ANSWERS || (c = buf_strdup(s)) == NULL)
		return NULL;
	w->kept[w->nkept++] = c;
	return c;
}

static bool
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* The record being built, with its lookup count (template costs: the
 * dialog stays fast; the final records resolve them). */
static void
show_record(struct wiz *w)
{
	struct gen_spf_result res;

	if (gen_preview_spf(w->g, w->ps, &res) != 0)
		return;
	say("    SPF so far: %s\n    lookups: %u of %d%s\n", res.record,
	    res.lookups, GEN_LOOKUP_LIMIT, res.lookups > GEN_LOOKUP_LIMIT ?
	    "  -- OVER THE LIMIT: SPF would fail (permerror)" : "");
	for (size_t i = 0; i < res.nrp; i++)
		say("    plus %s %s %s (Return-Path)\n", res.rp[i].name,
		    res.rp[i].type, res.rp[i].value);
	gen_spf_result_free(&res);
}

/* Ask until check() accepts; NULL at end of input or after MAX_TRIES. */
static const char *
ask(struct wiz *w, const char *q, bool (*check)(struct wiz *, const char *,
    char *, size_t))
{
	char why[512];

	for (int tries = 0; tries < MAX_TRIES; tries++) {
		const char *a = prompt_ask(w->pr, q);

		if (a == NULL)
			return NULL;
		why[0] = '\0';
		if (a[0] != '\x01' && check(w, a, why, sizeof(why)))
			return a;
		say("  %s\n", why[0] ? why : "that answer cannot be used "
		    "(too long or control characters); try again");
	}
	say("  too many unusable answers; giving up\n");
	return NULL;
}

static bool
check_domain(struct wiz *w, const char *a, char *why, size_t n)
{
	(void)w;
	if (gen_valid_domain(a))
		return true;
	snprintf(why, n, "'%s' is not a domain name like example.com; try "
	    "again", a);
	return false;
}

/* The next comma-separated item of *p, without surrounding spaces, into
 * item (PROMPT_MAX_LINE + 1 bytes); advances *p.  False at the end. */
static bool
next_item(const char **p, char *item)
{
	while (**p != '\0') {
		size_t len = strcspn(*p, ",");
		const char *s = *p;

		*p += len;
		if (**p == ',')
			(*p)++;
		while (len > 0 && *s == ' ') {
			s++;
			len--;
		}
		while (len > 0 && s[len - 1] == ' ')
			len--;
		if (len == 0)
			continue;
		memcpy(item, s, len);	/* len <= PROMPT_MAX_LINE */
		item[len] = '\0';
		return true;
	}
	return false;
}

static bool
matches(const struct provider *q, const char *item)
{
	return contains_ci(q->name, item) || contains_ci(q->id, item);
}

/* The provider one item names -- its number in the list, its id, or the
 * only one whose name or id contains it -- or NULL; *nmatch gets how many
 * contain it (0: none, >1: ambiguous). */
static const struct provider *
pick(struct wiz *w, const char *item, size_t *nmatch)
{
	const struct provider *hit = NULL;
	unsigned long num;

	*nmatch = 0;
	if (cli_parse_uint(item, 100000, &num)) {
		if ((hit = providers_get(w->ps, num - 1)) != NULL)
			*nmatch = 1;
		return hit;
	}
	if ((hit = providers_find(w->ps, item)) != NULL) {
		*nmatch = 1;
		return hit;
	}
	for (size_t i = 0; i < providers_count(w->ps); i++) {
		const struct provider *q = providers_get(w->ps, i);

		if (matches(q, item)) {
			hit = q;
			(*nmatch)++;
		}
	}
	return *nmatch == 1 ? hit : NULL;
}

/* Service answers: empty (done), '?' (list), or items -- numbers, ids or
 * parts of a name -- separated by commas; each must pick exactly one. */
static bool
check_service(struct wiz *w, const char *a, char *why, size_t n)
{
	char item[PROMPT_MAX_LINE + 1];
	const char *p = a;
	size_t nmatch, off;

	if (a[0] == '\0' || strcmp(a, "?") == 0)
		return true;
	while (next_item(&p, item)) {
		if (pick(w, item, &nmatch) != NULL)
			continue;
		if (nmatch == 0) {
			/* An item can be a whole line: quote its start. */
			snprintf(why, n, "no service matches '%.64s'; '?' "
			    "lists them all", item);
			return false;
		}
		off = (size_t)snprintf(why, n, "'%s' matches several:", item);
		for (size_t i = 0; i < providers_count(w->ps) && off < n;
		    i++) {
			const struct provider *q = providers_get(w->ps, i);

			if (matches(q, item))
				off += (size_t)snprintf(why + off, n - off,
				    " %s (%s),", q->id, q->name);
		}
		if (off < n)
			snprintf(why + off - 1, n - off + 1, "; type more of "
			    "the name or the id");
		return false;
	}
	return true;
}

static void
list_services(struct wiz *w)
{
	for (size_t i = 0; i < providers_count(w->ps); i++) {
		const struct provider *p = providers_get(w->ps, i);

		say("  %2zu %-16s %s\n", i + 1, p->id, p->name);
	}
}

/* Add what an answer check_service() accepted. */
static void
add_services(struct wiz *w, const char *a)
{
	char item[PROMPT_MAX_LINE + 1];
	const char *p = a;
	size_t nmatch, j;

	while (next_item(&p, item)) {
		const struct provider *q = pick(w, item, &nmatch);

		if (q == NULL)
			continue;
		for (j = 0; j < w->g->nprovider_ids; j++)
			if (strcmp(w->g->provider_ids[j], q->id) == 0)
				break;
		if (j < w->g->nprovider_ids) {
			say("  = %s is already in\n", q->name);
			continue;
		}
		if (w->g->nprovider_ids == GEN_MAX_PROVIDERS) {
			say("  at most %d services\n", GEN_MAX_PROVIDERS);
			return;
		}
		w->g->provider_ids[w->g->nprovider_ids++] = q->id;
		say("  + %s\n", q->name);
	}
}

static bool
check_server(struct wiz *w, const char *a, char *why, size_t n)
{
	bool ok;
	const char *slash;
	struct ipaddr ip;

	(void)w;
	if (a[0] == '\0' || strcasecmp(a, "a") == 0 || strcasecmp(a, "mx") ==
	    0)
		return true;
	/* The same parser as --ip4/--ip6: generate one term and see. */
	slash = strchr(a, '/');
	ok = ip_parse(a, slash ? (size_t)(slash - a) : strlen(a), &ip);
	if (ok) {
		struct gen_spf_opts o;
		struct gen_spf_result res;
		struct diag_sink quiet;
		char err[128];

		memset(&o, 0, sizeof(o));
		o.domain = "example.com";
		o.addrs = &a;
		o.naddrs = 1;
		diag_sink_init(&quiet, NULL, NULL);
		ok = gen_spf(&o, &res, &quiet, err, sizeof(err)) == 0;
		if (ok)
			gen_spf_result_free(&res);
	}
	if (ok)
		return true;
	snprintf(why, n, "'%s' is not an IPv4/IPv6 address or network (e.g. "
	    "192.0.2.10, 198.51.100.0/24, 2001:db8::/32), nor 'a' or 'mx'; "
	    "try again", a);
	return false;
}

static bool
check_policy(struct wiz *w, const char *a, char *why, size_t n)
{
	(void)w;
	if (a[0] == '\0' || cli_word(gen_policy_words, a) >= 0)
		return true;
	snprintf(why, n, "answer none, quarantine or reject (empty: none); "
	    "try again");
	return false;
}

static bool
check_report(struct wiz *w, const char *a, char *why, size_t n)
{
	struct gen_dmarc_opts o;
	struct gen_dmarc_result res;
	struct diag_sink quiet;
	char err[256];

	if (a[0] == '\0')
		return true;
	memset(&o, 0, sizeof(o));
	o.domain = w->g->domain;
	o.policy = "none";
	o.rua = &a;
	o.nrua = 1;
	diag_sink_init(&quiet, NULL, NULL);
	if (gen_dmarc(&o, &res, &quiet, err, sizeof(err)) == 0) {
		gen_dmarc_result_free(&res);
		return true;
	}
	snprintf(why, n, "'%s' is not an email address like "
	    "dmarc@example.com; try again", a);
	return false;
}

static bool
check_selector(struct wiz *w, const char *a, char *why, size_t n)
{
	char name[300];

	(void)w;
	if (a[0] != '\0' && dkim_selector_name(a, "example.com", name,
	    sizeof(name)) && gen_valid_domain(name))
		return true;
	snprintf(why, n, "'%s' is not a selector (letters, digits, '-', "
	    "dots between labels); try again", a);
	return false;
}

static int
eof_exit(struct wiz *w)
{
	fprintf(stderr, "%s: no answer (end of input); nothing generated\n",
	    w->g->prog);
	return CLI_EXIT_USAGE;
}

static int
oom_exit(struct wiz *w)
{
	fprintf(stderr, "%s: too many answers or out of memory\n",
	    w->g->prog);
	return CLI_EXIT_USAGE;
}

static int
run(struct wiz *w)
{
	struct gen_args *g = w->g;
	const struct provider *provs[GEN_MAX_PROVIDERS];
	size_t nprovs;
	const char *a;
	bool want_spf, want_dmarc;
	int rc, rc2;

	if (g->kind != NULL && strcmp(g->kind, "dkim") == 0) {
		if (g->selector == NULL) {
			sayln("DKIM key: which selector name? (e.g. s1, "
			    "2026a; it becomes <selector>._domainkey)");
			if ((a = ask(w, "selector> ", check_selector)) == NULL)
				return eof_exit(w);
			if ((g->selector = keep(w, a)) == NULL)
				return oom_exit(w);
		}
		return gen_run_dkim(g);
	}

	if (g->domain == NULL) {
		sayln("Step 1/5: which domain do you send mail from?");
		if ((a = ask(w, "domain> ", check_domain)) == NULL)
			return eof_exit(w);
		if ((g->domain = keep(w, a)) == NULL)
			return oom_exit(w);
	}
	want_spf = g->kind == NULL || strcmp(g->kind, "spf") == 0;
	want_dmarc = g->kind == NULL || strcmp(g->kind, "dmarc") == 0;
	if (want_spf && g->nprovider_ids == 0) {
		say("\nStep 2/5: which services send mail as %s?\n"
		    "Type a number, an id or part of a name (\"goo\"), several "
		    "separated by commas;\n'?' lists them again; an empty line "
		    "when done.\n", g->domain);
		list_services(w);
		for (;;) {
			if ((a = ask(w, "service> ", check_service)) == NULL)
				return eof_exit(w);
			if (a[0] == '\0')
				break;
			if (strcmp(a, "?") == 0) {
				list_services(w);
				continue;
			}
			add_services(w, a);
			show_record(w);
		}
	}
	if (want_spf && g->naddrs == 0 && !g->a && !g->mx) {
		sayln("\nStep 3/5: do your own servers send mail too?  Give "
		    "their IPv4/IPv6 addresses or\nnetworks, 'a' (the "
		    "domain's web address), 'mx' (its mail servers), one per "
		    "line;\nan empty line when done.");
		for (;;) {
			if ((a = ask(w, "server> ", check_server)) == NULL)
				return eof_exit(w);
			if (a[0] == '\0')
				break;
			if (strcasecmp(a, "a") == 0)
				g->a = true;
			else if (strcasecmp(a, "mx") == 0)
				g->mx = true;
			else if (g->naddrs < GEN_MAX_ADDRS) {
				if ((g->addrs[g->naddrs] = keep(w, a)) == NULL)
					return oom_exit(w);
				g->naddrs++;
			} else
				say("  at most %d addresses\n",
				    GEN_MAX_ADDRS);
			show_record(w);
		}
	}
	if (want_spf && g->nprovider_ids == 0 && g->naddrs == 0 && !g->a &&
	    !g->mx)
		sayln("  nothing sends mail: the SPF record will say so "
		    "(v=spf1 -all)");
	if (want_dmarc && g->policy == NULL) {
		sayln("\nStep 4/5: what should receivers do with mail that "
		    "claims to be from you but\npasses neither SPF nor DKIM? "
		    "none (only report), quarantine (spam folder),\nreject.  "
		    "Start with none, read the reports, then tighten.");
		if ((a = ask(w, "policy [none]> ", check_policy)) == NULL)
			return eof_exit(w);
		if ((g->policy = keep(w, a[0] ? a : "none")) == NULL)
			return oom_exit(w);
	}
	if (g->policy != NULL && strcmp(g->policy, "reject") == 0)
		g->fail = true;
	if (want_dmarc && g->nrua == 0) {
		sayln("\nStep 5/5: where should aggregate DMARC reports go? "
		    "An email address, or an\nempty line for none.");
		if ((a = ask(w, "report address> ", check_report)) == NULL)
			return eof_exit(w);
		if (a[0] != '\0') {
			if ((g->rua[g->nrua] = keep(w, a)) == NULL)
				return oom_exit(w);
			g->nrua++;
		}
	}

	sayln("\n==== Records to publish ====\n");
	fflush(wout);
	rc = rc2 = CLI_EXIT_OK;
	if (want_spf) {
		if (g->nprovider_ids == 0 && g->naddrs == 0 && !g->a &&
		    !g->mx) {
			/* No sender at all: the null SPF record. */
			g->null_ok = true;
			g->fail = true;
		}
		rc = gen_run_spf(g, w->ps);
		if (g->format == GEN_FMT_TEXT)
			putchar('\n');
		fflush(stdout);
	}
	if (want_dmarc)
		rc2 = gen_run_dmarc(g);
	if (want_spf && gen_resolve_providers(g, w->ps, provs, &nprovs) == 0 &&
	    nprovs > 0) {
		sayln("DKIM: set up signing in each service's console; the "
		    "selectors to expect:");
		for (size_t i = 0; i < nprovs; i++) {
			const struct provider *p = provs[i];

			say("  %-16s %s:", p->id, p->dkim_type);
			for (size_t k = 0; k < p->ndkim_selectors; k++)
				say(" %s", p->dkim_selectors[k]);
			say("%s\n", p->ndkim_selectors ? "" : " (per "
			    "account)");
		}
		sayln("Your own servers: 'authcheck generate dkim -s "
		    "SELECTOR --domain DOMAIN' makes a key.");
	}
	return rc != CLI_EXIT_OK ? rc : rc2;
}

int
gen_wizard(struct gen_args *g, const struct provider_set *ps, bool tty)
{
	struct wiz w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.g = g;
	w.ps = ps;
	wout = g->format == GEN_FMT_TEXT ? stdout : stderr;
	if ((w.pr = prompt_new(tty, wout)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", g->prog);
		return CLI_EXIT_USAGE;
	}
	rc = run(&w);
	prompt_free(w.pr);
	for (size_t i = 0; i < w.nkept; i++)
		free(w.kept[i]);
	return rc;
}
