/*
 * spf_lint.c -- SPF lint over the whole include/redirect tree.
 *
 * Two phases.  Expansion: when a record arrives (a dns_submit callback) it
 * is parsed and, at once, the TXT query of every include/redirect target
 * and the query of every a/mx/exists name is submitted; targets recurse the
 * same way as their answers arrive, so the wall time follows the depth of
 * the tree, not the number of queries.  Checking: after dns_run() the tree
 * is walked in term order and every finding is reported; doing it after the
 * fact keeps the findings' order independent of the network.
 *
 * What is counted: a term the evaluator could reach.  Mechanisms after the
 * first "all" are never evaluated, and redirect= is ignored when the record
 * has "all" (RFC 7208 §6.1), so those cost nothing (and get a warning).
 */
#include "ascii.h"
#include "spf_lint.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "buf.h"
#include "dns.h"
#include "spf.h"

#define LOOKUP_LIMIT	10	/* RFC 7208 §4.6.4 */
#define VOID_LIMIT	2
#define MX_LIMIT	10
#define TXT_ANSWER_MAX	450	/* §3.4: fits a 512-octet UDP reply */
#define WIDE_IP4	8
#define WIDE_IP6	24
#define MAX_CREATED	(SPF_LINT_MAX_NODES * 4)

/* The a/mx/exists queries of one term; read after dns_run(). */
struct termq {
	size_t term;			/* index in the record's terms */
	struct dns_query *q[2];		/* a: A and AAAA; mx: MX; exists: A */
};


/* A node with what only this file needs; pub is first so that a
 * struct spf_tree_node * converts back. */
struct lnode {
	struct spf_tree_node pub;
	struct spf_lint *L;
	size_t pterm;			/* the term of the parent leading here */
	struct spf_record *spf;
	enum dns_status txt_status;
	char *why;			/* DNS failure reason, owned */
	size_t txt_total;		/* octets of all TXT strings at the name */
	struct termq *tq;
	size_t ntq;
	struct dns_query *expq;		/* exp= target, or NULL */
};

struct spf_lint {
	struct dns_resolver *r;
	struct dns_query *q99;		/* the type-99 question */
	struct diag_sink *sink;
	struct spf_lint_result *res;
	unsigned nodes;			/* fetched records */
	unsigned created;		/* nodes in the tree, placeholders too:
					 * a few huge records must not make
					 * hundreds of thousands of them */
	bool oom;
	/* include targets already seen, for spf.duplicate-include */
	const char *seen[MAX_CREATED];
	size_t nseen;
};

/* Copy a domain name lowercased and without a trailing dot, so that loop
 * and duplicate checks compare like with like. */
static char *
name_dup(const char *s, size_t n)
{
	char *p;

	n = dns_name_trim(s, n);
	if ((p = buf_strndup(s, n)) == NULL)
		return NULL;
	ascii_lower_n(p, n);
	return p;
}

static bool
has_macro(const char *p, size_t len)
{
	return memchr(p, '%', len) != NULL;
}

/* Does the macro-string use %{p} (any case)?  "%%" is a literal percent. */
static bool
uses_p_macro(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] != '%')
			continue;
		if (p[i + 1] == '{' && i + 2 < len &&
		    (p[i + 2] == 'p' || p[i + 2] == 'P'))
			return true;
		i++;		/* skip the escape's second byte */
	}
	return false;
}

static bool
is_dns_mech(enum spf_mech m)
{
	return m == SPF_M_INCLUDE || m == SPF_M_A || m == SPF_M_MX ||
	    m == SPF_M_PTR || m == SPF_M_EXISTS;
}

/* Could check_host() reach term i?  See the file comment. */
static bool
reachable(const struct spf_record *rec, size_t i)
{
	const struct spf_term *t = &rec->terms[i];

	if (t->kind == SPF_T_MECH)
		return rec->all < 0 || i <= (size_t)rec->all;
	return t->mod == SPF_MOD_REDIRECT && rec->all < 0 &&
	    (int)i == rec->redirect;
}

static bool
leads_to_kid(const struct spf_record *rec, size_t i)
{
	const struct spf_term *t = &rec->terms[i];

	if (!reachable(rec, i))
		return false;
	if (t->kind == SPF_T_MECH)
		return t->mech == SPF_M_INCLUDE && t->has_domain;
	return t->has_domain;
}

static bool
failed(enum dns_status s)
{
	return s != DNS_OK && s != DNS_NODATA && s != DNS_NXDOMAIN &&
	    s != DNS_PENDING;
}

static bool
is_void(enum dns_status s)
{
	return s == DNS_NODATA || s == DNS_NXDOMAIN;
}

static struct lnode *
node_new(struct spf_lint *L, struct lnode *parent, const char *via,
    const char *name, size_t len)
{
	struct lnode *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	if ((n->pub.domain = name_dup(name, len)) == NULL) {
		free(n);
		return NULL;
	}
	n->L = L;
	n->pub.via = via;
	n->pub.parent = parent != NULL ? &parent->pub : NULL;
	n->pub.depth = parent != NULL ? parent->pub.depth + 1 : 0;
	n->txt_status = DNS_PENDING;
	return n;
}

static bool
on_path(const struct lnode *n, const char *domain)
{
	const struct spf_tree_node *p;

	for (p = &n->pub; p != NULL; p = p->parent)
		if (strcasecmp(p->domain, domain) == 0)
			return true;
	return false;
}

static void fetch(struct spf_lint *L, struct lnode *n);
static void use_record(struct spf_lint *L, struct lnode *n, char *text,
    size_t len);

/* Create the kids of n (include and redirect targets) and the term queries,
 * then submit them all.  Submission comes last: an answer already known
 * is delivered from the resolver's ready queue, after this returns. */
static void
expand(struct spf_lint *L, struct lnode *n)
{
	const struct spf_record *rec = n->spf;
	const struct spf_term *t;
	struct lnode *kid;
	struct termq *tq;
	size_t i, nk = 0, nq = 0;
	char *name;

	for (i = 0; i < rec->nterms; i++) {
		t = &rec->terms[i];
		if (leads_to_kid(rec, i))
			nk++;
		else if (reachable(rec, i) && t->kind == SPF_T_MECH &&
		    (t->mech == SPF_M_A || t->mech == SPF_M_MX ||
		    t->mech == SPF_M_EXISTS))
			nq++;
	}
	if (nk > 0 && (n->pub.kids = calloc(nk, sizeof(*n->pub.kids))) == NULL)
		goto oom;
	if (nq > 0 && (n->tq = calloc(nq, sizeof(*n->tq))) == NULL)
		goto oom;
	for (i = 0; i < rec->nterms; i++) {
		t = &rec->terms[i];
		if (leads_to_kid(rec, i)) {
			if (L->created >= MAX_CREATED) {
				L->res->truncated = true;
				continue;
			}
			L->created++;
			kid = node_new(L, n, t->kind == SPF_T_MECH ?
			    "include" : "redirect", rec->text + t->domain.off,
			    t->domain.len);
			if (kid == NULL)
				goto oom;
			kid->pterm = i;
			n->pub.kids[n->pub.nkids++] = &kid->pub;
			if (has_macro(rec->text + t->domain.off, t->domain.len)) {
				kid->pub.status = SPF_NODE_MACRO;
				n->pub.macros++;
				L->res->macros = true;
			} else if (on_path(n, kid->pub.domain)) {
				kid->pub.status = SPF_NODE_LOOP;
				L->res->loop = true;
			} else if (kid->pub.depth > SPF_LINT_MAX_DEPTH) {
				kid->pub.status = SPF_NODE_DEPTH_LIMIT;
				L->res->truncated = true;
			} else if (L->nodes >= SPF_LINT_MAX_NODES) {
				kid->pub.status = SPF_NODE_NODE_LIMIT;
				L->res->truncated = true;
			} else {
				L->nodes++;
			}
			continue;
		}
		if (!reachable(rec, i) || t->kind != SPF_T_MECH ||
		    (t->mech != SPF_M_A && t->mech != SPF_M_MX &&
		    t->mech != SPF_M_EXISTS))
			continue;
		if (t->has_domain &&
		    has_macro(rec->text + t->domain.off, t->domain.len)) {
			n->pub.macros++;
			L->res->macros = true;
			continue;
		}
		n->tq[n->ntq++].term = i;
	}
	/* exp= is fetched even though it costs no lookup: it is checked. */
	if (rec->exp >= 0) {
		t = &rec->terms[rec->exp];
		if (t->value.len > 0 &&
		    !has_macro(rec->text + t->value.off, t->value.len)) {
			if ((name = name_dup(rec->text + t->value.off,
			    t->value.len)) == NULL)
				goto oom;
			n->expq = dns_submit(L->r, name, DNS_T_TXT, NULL, NULL);
			free(name);
			if (n->expq == NULL)
				goto oom;
		}
	}
	for (i = 0; i < n->ntq; i++) {
		tq = &n->tq[i];
		t = &rec->terms[tq->term];
		name = t->has_domain ?
		    name_dup(rec->text + t->domain.off, t->domain.len) :
		    name_dup(n->pub.domain, strlen(n->pub.domain));
		if (name == NULL)
			goto oom;
		if (t->mech == SPF_M_MX) {
			tq->q[0] = dns_submit(L->r, name, DNS_T_MX, NULL, NULL);
		} else {
			tq->q[0] = dns_submit(L->r, name, DNS_T_A, NULL, NULL);
			if (t->mech == SPF_M_A)
				tq->q[1] = dns_submit(L->r, name, DNS_T_AAAA,
				    NULL, NULL);
		}
		free(name);
		/* check_lookups() cannot tell an unasked AAAA from none. */
		if (tq->q[0] == NULL ||
		    (t->mech == SPF_M_A && tq->q[1] == NULL))
			L->oom = true;
	}
	for (i = 0; i < n->pub.nkids; i++) {
		kid = (struct lnode *)n->pub.kids[i];
		if (kid->pub.status == SPF_NODE_OK)
			fetch(L, kid);
	}
	return;
oom:
	L->oom = true;
}

static void
set_failure(struct lnode *n, const struct dns_answer *a)
{
	char buf[256];

	n->pub.status = SPF_NODE_DNS_FAILURE;
	snprintf(buf, sizeof(buf), "%s%s%s", dns_status_name(a->status),
	    a->why != NULL ? ": " : "", a->why != NULL ? a->why : "");
	n->why = buf_strndup(buf, strlen(buf));
}

/*
 * The root publishes several v=spf1 records (a permerror for receivers):
 * each one becomes a kid reached "via" the pseudo-term "record", linted
 * and expanded like the one record would be, so that its own problems
 * are not hidden and the root's lookup count is what merging them would
 * cost.
 */
static void
lint_each(struct spf_lint *L, struct lnode *n, const struct dns_answer *a)
{
	size_t i, len, count = 0;
	char *text;

	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].type == DNS_T_TXT)
			count++;
	if (count > SPF_LINT_MAX_RECORDS)
		count = SPF_LINT_MAX_RECORDS;
	if ((n->pub.kids = calloc(count, sizeof(*n->pub.kids))) == NULL)
		goto oom;
	for (i = 0; i < a->nrr; i++) {
		struct lnode *kid;

		if (a->rr[i].type != DNS_T_TXT)
			continue;
		if ((text = dns_txt_join(&a->rr[i], &len)) == NULL)
			goto oom;
		if (!spf_is_record(text, len)) {
			free(text);
			continue;
		}
		if (n->pub.nkids == count || L->created >= MAX_CREATED) {
			free(text);
			L->res->truncated = true;
			continue;
		}
		if ((kid = node_new(L, n, "record", n->pub.domain,
		    strlen(n->pub.domain))) == NULL) {
			free(text);
			goto oom;
		}
		L->created++;
		L->nodes++;
		kid->pterm = SIZE_MAX;
		kid->txt_status = DNS_OK;
		n->pub.kids[n->pub.nkids++] = &kid->pub;
		use_record(L, kid, text, len);
	}
	return;
oom:
	L->oom = true;
}

/* A TXT answer for node n: select the record, parse it, expand it. */
static void
txt_done(void *arg, struct dns_query *q)
{
	struct lnode *n = arg;
	struct spf_lint *L = n->L;
	const struct dns_answer *a = dns_answer(q);
	char *chosen = NULL;
	size_t i, chosen_len = 0, nspf;

	n->txt_status = a->status;
	if (failed(a->status)) {
		set_failure(n, a);
		return;
	}
	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].type == DNS_T_TXT)
			n->txt_total += a->rr[i].u.txt.total;
	nspf = spf_select_txt(a, &chosen, &chosen_len);
	if (nspf == 0) {
		n->pub.status = SPF_NODE_MISSING;
		return;
	}
	if (nspf > 1) {
		n->pub.status = SPF_NODE_MULTIPLE;
		if (n->pub.parent == NULL)
			lint_each(L, n, a);
		return;
	}
	if (chosen == NULL) {
		L->oom = true;
		return;
	}
	use_record(L, n, chosen, chosen_len);
}

/* n's record is text[0..len) (malloc'd, now owned by n): parse it, count
 * its cost and expand it. */
static void
use_record(struct spf_lint *L, struct lnode *n, char *text, size_t len)
{
	const struct spf_term *t;
	size_t i;

	n->pub.record = text;
	n->pub.record_len = len;
	if ((n->spf = spf_parse(text, len)) == NULL) {
		L->oom = true;
		return;
	}
	for (i = 0; i < n->spf->nterms; i++) {
		t = &n->spf->terms[i];
		if (!reachable(n->spf, i))
			continue;
		if ((t->kind == SPF_T_MECH && is_dns_mech(t->mech)) ||
		    t->kind == SPF_T_MOD)
			n->pub.cost++;
	}
	expand(L, n);
}

static void
fetch(struct spf_lint *L, struct lnode *n)
{
	if (dns_submit(L->r, n->pub.domain, DNS_T_TXT, txt_done, n) == NULL) {
		n->pub.status = SPF_NODE_DNS_FAILURE;
		n->why = buf_strndup("out of memory", 13);
		L->oom = true;
	}
}

/* ---- checking ------------------------------------------------------ */

static void
ctx_node(struct diag *d, const struct lnode *n)
{
	memset(d, 0, sizeof(*d));
	d->domain = n->pub.domain;
	d->record = n->pub.record;
	d->record_len = n->pub.record_len;
}

static void
ctx_term(struct diag *d, const struct lnode *n, size_t term)
{
	ctx_node(d, n);
	if (n->spf != NULL && term < n->spf->nterms) {
		d->has_span = true;
		d->span.off = n->spf->terms[term].span.off;
		d->span.len = n->spf->terms[term].span.len;
	}
}

static int
term_len(const struct lnode *n, size_t term)
{
	size_t l = n->spf->terms[term].span.len;

	return l > 200 ? 200 : (int)l;
}

static const char *
term_text(const struct lnode *n, size_t term)
{
	return n->pub.record + n->spf->terms[term].span.off;
}

static void
add_void_term(struct spf_lint *L, const struct lnode *n, size_t term)
{
	struct spf_lint_result *res = L->res;
	char buf[512], **v;
	int k;

	k = snprintf(buf, sizeof(buf), "%s: %.*s", n->pub.domain,
	    term_len(n, term), term_text(n, term));
	if (k < 0)
		return;
	v = realloc(res->void_terms, (res->nvoid_terms + 1) * sizeof(*v));
	if (v == NULL) {
		L->oom = true;
		return;
	}
	res->void_terms = v;
	if ((v[res->nvoid_terms] = buf_strndup(buf, strlen(buf))) != NULL)
		res->nvoid_terms++;
}

static void
check_syntax(struct spf_lint *L, const struct lnode *n)
{
	const struct spf_error *e;
	enum diag_id id;
	struct diag d;
	size_t i;

	for (i = 0; i < n->spf->nerrs; i++) {
		e = &n->spf->errs[i];
		id = e->code == SPF_E_NON_ASCII ? DIAG_SPF_NON_ASCII :
		    e->code == SPF_E_DUP_MODIFIER ?
		    DIAG_SPF_DUPLICATE_MODIFIER : DIAG_SPF_SYNTAX;
		ctx_node(&d, n);
		d.has_span = true;
		d.span.off = e->span.off;
		d.span.len = e->span.len;
		diag_reportf(L->sink, id, &d, "%s at offset %zu",
		    spf_err_str(e->code), e->span.off);
	}
}

/* Checks on the terms themselves, independent of DNS. */
/*
 * The record with term `t` replaced by rep, or removed (rep NULL, with the
 * space before it), or moved to the end (rep == MOVE_TO_END), as
 * "publish: <record>": the corrected record a fix can show.  NULL when
 * out of memory (the catalogue's hint is shown then).
 */
static const char MOVE_TO_END[] = "";

static char *
corrected(const struct lnode *n, size_t term, const char *rep,
    const char *note)
{
	const char *text = n->pub.record;
	const struct spf_span *sp = &n->spf->terms[term].span;
	size_t off = sp->off, len = sp->len;
	struct buf b;

	if (text == NULL)
		return NULL;
	buf_init(&b, BUF_MAX_TEXT);
	buf_adds(&b, "publish: ");
	if (rep == NULL || rep == MOVE_TO_END) {
		/* drop the term and the blank before it */
		size_t start = off;

		while (start > 0 && text[start - 1] == ' ')
			start--;
		buf_add(&b, text, start);
		buf_add(&b, text + off + len, n->pub.record_len - off - len);
		if (rep == MOVE_TO_END) {
			buf_addc(&b, ' ');
			buf_add(&b, text + off, len);
		}
	} else {
		buf_add(&b, text, off);
		buf_adds(&b, rep);
		buf_add(&b, text + off + len, n->pub.record_len - off - len);
	}
	if (note != NULL)
		buf_adds(&b, note);
	if (b.err || memchr(buf_str(&b), '\0', b.len) != NULL) {
		if (b.oom)
			n->L->oom = true;	/* the hint is not the same */
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

static void report_fixed(struct spf_lint *L, enum diag_id id,
    struct diag *d, char *fix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Report with a computed fix (freed here; NULL: the catalogue hint). */
static void
report_fixed(struct spf_lint *L, enum diag_id id, struct diag *d, char *fix,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	d->fix = fix;
	diag_reportf(L->sink, id, d, "%s", msg);
	d->fix = NULL;
	free(fix);
}

static void
check_terms(struct spf_lint *L, const struct lnode *n)
{
	const struct spf_record *rec = n->spf;
	const struct spf_term *t;
	const char *p;
	struct diag d;
	size_t i;

	for (i = 0; i < rec->nterms; i++) {
		t = &rec->terms[i];
		ctx_term(&d, n, i);
		if (t->kind == SPF_T_MECH && t->mech == SPF_M_ALL &&
		    (int)i == rec->all) {
			if (t->qual == '+')
				report_fixed(L, DIAG_SPF_PASS_ALL, &d,
				    corrected(n, i, "~all", "  (-all once "
				    "every sender is listed)"),
				    "'%.*s' lets every host pass",
				    term_len(n, i), term_text(n, i));
			else if (t->qual == '?')
				report_fixed(L, DIAG_SPF_NEUTRAL_ALL, &d,
				    corrected(n, i, "~all", "  (-all once "
				    "every sender is listed)"),
				    "'%.*s': unauthorised senders get neutral",
				    term_len(n, i), term_text(n, i));
		}
		if (t->kind == SPF_T_MECH && rec->all >= 0 &&
		    i > (size_t)rec->all)
			report_fixed(L, DIAG_SPF_TERMS_AFTER_ALL, &d,
			    corrected(n, (size_t)rec->all, MOVE_TO_END, NULL),
			    "'%.*s' comes after all and is never evaluated",
			    term_len(n, i), term_text(n, i));
		if (t->kind == SPF_T_MOD && t->mod == SPF_MOD_REDIRECT &&
		    rec->all >= 0 && (int)i == rec->redirect)
			report_fixed(L, DIAG_SPF_REDIRECT_WITH_ALL, &d,
			    corrected(n, i, NULL, "  (or drop the all term "
			    "if the redirect target is meant to decide)"),
			    "'%.*s' is ignored: the record has all",
			    term_len(n, i), term_text(n, i));
		if (t->kind == SPF_T_MECH && t->mech == SPF_M_IP4 &&
		    t->cidr4 >= 0 && t->cidr4 < WIDE_IP4)
			diag_reportf(L->sink, DIAG_SPF_WIDE_NETWORK, &d,
			    "'%.*s' authorises a /%d network",
			    term_len(n, i), term_text(n, i), t->cidr4);
		if (t->kind == SPF_T_MECH && t->mech == SPF_M_IP6 &&
		    t->cidr6 >= 0 && t->cidr6 < WIDE_IP6)
			diag_reportf(L->sink, DIAG_SPF_WIDE_NETWORK, &d,
			    "'%.*s' authorises a /%d network",
			    term_len(n, i), term_text(n, i), t->cidr6);
		p = rec->text + t->domain.off;
		if ((t->kind == SPF_T_MECH && t->mech == SPF_M_PTR) ||
		    (t->has_domain && uses_p_macro(p, t->domain.len)))
			diag_reportf(L->sink, DIAG_SPF_PTR, &d,
			    "'%.*s' relies on reverse DNS",
			    term_len(n, i), term_text(n, i));
	}
	if (n->pub.parent == NULL && rec->all < 0 && rec->redirect < 0) {
		struct buf b;

		ctx_node(&d, n);
		buf_init(&b, BUF_MAX_TEXT);
		buf_adds(&b, "publish: ");
		if (n->pub.record != NULL)
			buf_add(&b, n->pub.record, n->pub.record_len);
		buf_adds(&b, " ~all  (-all once every sender is listed)");
		d.fix = !b.err && n->pub.record != NULL &&
		    memchr(n->pub.record, '\0', n->pub.record_len) == NULL ?
		    buf_str(&b) : NULL;
		if (b.oom)
			L->oom = true;
		diag_reportf(L->sink, DIAG_SPF_NO_ALL, &d,
		    "the record%s%s ends without all or redirect=",
		    n->pub.domain[0] != '\0' ? " of " : "", n->pub.domain);
		buf_free(&b);
	}
}

static void
report_query_failure(struct spf_lint *L, const struct diag *ctx,
    const struct dns_query *q)
{
	const struct dns_answer *a = dns_answer(q);

	L->res->area.incomplete = true;
	diag_reportf(L->sink, DIAG_DNS_FAILURE, ctx, "%s/%s: %s%s%s",
	    dns_query_name(q), dns_type_name(dns_query_type(q)),
	    a != NULL ? dns_status_name(a->status) : "no answer",
	    a != NULL && a->why != NULL ? ": " : "",
	    a != NULL && a->why != NULL ? a->why : "");
}

/* a/mx/exists answers: void lookups, the MX name limit, failures. */
static void
check_lookups(struct spf_lint *L, struct lnode *n)
{
	const struct dns_answer *a[2];
	struct termq *tq;
	struct diag d;
	size_t i, k;
	bool isvoid, bad;

	for (i = 0; i < n->ntq; i++) {
		tq = &n->tq[i];
		ctx_term(&d, n, tq->term);
		isvoid = true;
		bad = false;
		for (k = 0; k < 2; k++) {
			a[k] = tq->q[k] != NULL ? dns_answer(tq->q[k]) : NULL;
			if (k == 1 && tq->q[1] == NULL)
				continue;
			if (a[k] == NULL || failed(a[k]->status)) {
				bad = true;
				if (tq->q[k] != NULL)
					report_query_failure(L, &d, tq->q[k]);
				else
					L->res->area.incomplete = true;
			}
			if (a[k] == NULL || !is_void(a[k]->status))
				isvoid = false;
		}
		if (bad)
			continue;
		if (isvoid) {
			n->pub.voids++;
			L->res->void_lookups++;
			add_void_term(L, n, tq->term);
			diag_reportf(L->sink, DIAG_SPF_VOID_LOOKUP, &d,
			    "'%.*s' in %s: %s is %s", term_len(n, tq->term),
			    term_text(n, tq->term), n->pub.domain,
			    dns_query_name(tq->q[0]),
			    dns_status_name(a[0]->status));
		}
		if (n->spf->terms[tq->term].mech == SPF_M_MX &&
		    a[0]->status == DNS_OK && a[0]->nrr > MX_LIMIT)
			diag_reportf(L->sink, DIAG_SPF_MX_LIMIT, &d,
			    "'%.*s': %s has %zu MX names (limit %d)",
			    term_len(n, tq->term), term_text(n, tq->term),
			    dns_query_name(tq->q[0]), a[0]->nrr, MX_LIMIT);
	}
}

static void
check_exp(struct spf_lint *L, const struct lnode *n)
{
	const struct dns_answer *a;
	struct diag d;
	size_t i, ntxt = 0, len, off;
	char *text = NULL;

	if (n->expq == NULL)
		return;
	ctx_term(&d, n, (size_t)n->spf->exp);
	if ((a = dns_answer(n->expq)) == NULL || failed(a->status)) {
		report_query_failure(L, &d, n->expq);
		return;
	}
	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].type == DNS_T_TXT)
			ntxt++;
	if (ntxt != 1) {
		diag_reportf(L->sink, DIAG_SPF_EXP_INVALID, &d,
		    "exp= target %s has %zu TXT records (want exactly one)",
		    dns_query_name(n->expq), ntxt);
		return;
	}
	for (i = 0; i < a->nrr && text == NULL; i++)
		if (a->rr[i].type == DNS_T_TXT &&
		    (text = dns_txt_join(&a->rr[i], &len)) == NULL)
			L->oom = true;
	if (text != NULL && spf_macro_check(text, len, SPF_MACRO_EXPLAIN,
	    &off) != SPF_MACRO_OK)
		diag_reportf(L->sink, DIAG_SPF_EXP_INVALID, &d,
		    "exp= target %s: invalid macro text at offset %zu",
		    dns_query_name(n->expq), off);
	free(text);
}

/* The DNS-querying terms of n's record and of all below it (as
 * subtree_cost, before check_node() has set it). */
static unsigned
tree_cost(const struct spf_tree_node *n)
{
	unsigned c = n->cost;

	for (size_t i = 0; i < n->nkids; i++)
		c += tree_cost(n->kids[i]);
	return c;
}

/* Findings about how n was reached: missing target, loop, failure. */
static void
check_status(struct spf_lint *L, struct lnode *n)
{
	struct lnode *parent = (struct lnode *)n->pub.parent;
	bool redirect = n->pub.via != NULL && strcmp(n->pub.via, "redirect") == 0;
	struct diag d;

	if (parent != NULL)
		ctx_term(&d, parent, n->pterm);
	else
		ctx_node(&d, n);
	switch (n->pub.status) {
	case SPF_NODE_MISSING:
		if (parent == NULL)
			diag_reportf(L->sink, DIAG_SPF_MISSING, &d,
			    "no v=spf1 TXT record at %s (%s)", n->pub.domain,
			    dns_status_name(n->txt_status));
		else
			diag_reportf(L->sink, redirect ?
			    DIAG_SPF_REDIRECT_MISSING : DIAG_SPF_INCLUDE_MISSING,
			    &d, "%s target %s has no SPF record (%s)",
			    n->pub.via, n->pub.domain,
			    dns_status_name(n->txt_status));
		break;
	case SPF_NODE_MULTIPLE:
		d.domain = n->pub.domain;
		if (n->pub.nkids > 0)
			diag_reportf(L->sink, DIAG_SPF_MULTIPLE_RECORDS, &d,
			    "%s publishes %zu v=spf1 records (each is checked "
			    "as \"record\"); merged into one, their terms "
			    "would cost %u DNS lookups", n->pub.domain,
			    n->pub.nkids, tree_cost(&n->pub));
		else
			diag_reportf(L->sink, DIAG_SPF_MULTIPLE_RECORDS, &d,
			    "%s publishes several v=spf1 records",
			    n->pub.domain);
		break;
	case SPF_NODE_DNS_FAILURE:
		L->res->area.incomplete = true;
		diag_reportf(L->sink, DIAG_DNS_FAILURE, &d, "%s/TXT: %s",
		    n->pub.domain, n->why != NULL ? n->why : "failed");
		break;
	case SPF_NODE_LOOP:
		diag_reportf(L->sink, DIAG_SPF_INCLUDE_LOOP, &d,
		    "%s:%s returns to a domain already on the path",
		    n->pub.via, n->pub.domain);
		break;
	default:
		break;
	}
}

static void
check_duplicate(struct spf_lint *L, struct lnode *n)
{
	struct lnode *parent = (struct lnode *)n->pub.parent;
	struct diag d;
	size_t i;

	if (parent == NULL || n->pub.status == SPF_NODE_MACRO ||
	    strcmp(n->pub.via, "include") != 0)
		return;
	for (i = 0; i < L->nseen; i++) {
		if (strcmp(L->seen[i], n->pub.domain) == 0) {
			ctx_term(&d, parent, n->pterm);
			diag_reportf(L->sink, DIAG_SPF_DUPLICATE_INCLUDE, &d,
			    "include:%s appears again in %s", n->pub.domain,
			    parent->pub.domain);
			return;
		}
	}
	if (L->nseen < sizeof(L->seen) / sizeof(L->seen[0]))
		L->seen[L->nseen++] = n->pub.domain;
}

/* Pre-order walk: report n's findings, then its kids'; sums the costs on
 * the way back.  Depth is bounded by SPF_LINT_MAX_DEPTH + 1. */
static unsigned
check_node(struct spf_lint *L, struct lnode *n)
{
	struct diag d;
	size_t i;

	check_duplicate(L, n);
	check_status(L, n);
	if (n->txt_total > TXT_ANSWER_MAX) {
		ctx_node(&d, n);
		diag_reportf(L->sink, DIAG_SPF_RECORD_TOO_LONG, &d,
		    "the TXT answer at %s holds %zu octets (over %d)",
		    n->pub.domain, n->txt_total, TXT_ANSWER_MAX);
	}
	if (n->spf != NULL) {
		check_syntax(L, n);
		check_terms(L, n);
		check_lookups(L, n);
		check_exp(L, n);
	}
	n->pub.subtree_cost = n->pub.cost;
	for (i = 0; i < n->pub.nkids; i++)
		n->pub.subtree_cost += check_node(L,
		    (struct lnode *)n->pub.kids[i]);
	return n->pub.subtree_cost;
}

static void
check_totals(struct spf_lint *L)
{
	struct spf_lint_result *res = L->res;
	struct lnode *root = (struct lnode *)res->root;
	struct diag d;
	const char *atleast = res->truncated || res->area.incomplete ?
	    "at least " : "";

	ctx_node(&d, root);
	if (res->lookups > LOOKUP_LIMIT)
		diag_reportf(L->sink, DIAG_SPF_LOOKUP_LIMIT, &d,
		    "%s%u DNS lookups over the tree of %s (limit %d)",
		    atleast, res->lookups, root->pub.domain, LOOKUP_LIMIT);
	else if (res->lookups >= LOOKUP_LIMIT - 1)
		diag_reportf(L->sink, DIAG_SPF_LOOKUP_NEAR_LIMIT, &d,
		    "%s%u DNS lookups over the tree of %s (limit %d)",
		    atleast, res->lookups, root->pub.domain, LOOKUP_LIMIT);
	if (res->void_lookups > VOID_LIMIT)
		diag_reportf(L->sink, DIAG_SPF_VOID_LIMIT, &d,
		    "%u void lookups over the tree (limit %d)",
		    res->void_lookups, VOID_LIMIT);
}

static void
check_type99(struct spf_lint *L, struct lnode *root, struct dns_query *q)
{
	const struct dns_answer *a = q != NULL ? dns_answer(q) : NULL;
	struct diag d;

	if (a == NULL || a->status != DNS_OK)
		return;	/* a failing type-99 query is not worth a finding */
	ctx_node(&d, root);
	d.record = NULL;
	d.record_len = 0;
	diag_reportf(L->sink, DIAG_SPF_TYPE99, &d,
	    "%s has %zu SPF (type 99) record(s)", root->pub.domain, a->nrr);
}

/* Start the tree: given is NULL to fetch the root's record, else the
 * record text (given_len bytes; a zone file's record). */
static struct spf_lint *
start_tree(struct dns_resolver *r, const char *domain, const char *given,
    size_t given_len, struct spf_lint_result *out)
{
	struct spf_lint *L;
	struct lnode *root;
	char *text;

	memset(out, 0, sizeof(*out));
	area_result_init(&out->area);
	if (r == NULL || domain == NULL || domain[0] == '\0')
		return NULL;
	if ((L = calloc(1, sizeof(*L))) == NULL)
		return NULL;
	L->r = r;
	L->res = out;
	if ((root = node_new(L, NULL, NULL, domain, strlen(domain))) == NULL) {
		free(L);
		return NULL;
	}
	out->root = &root->pub;
	L->nodes = 1;
	if (given == NULL) {
		if ((L->q99 = dns_submit(r, root->pub.domain, DNS_T_SPF, NULL,
		    NULL)) == NULL)
			L->oom = true;
		fetch(L, root);
	} else if ((text = buf_strndup(given, given_len)) == NULL) {
		L->oom = true;
	} else {
		root->txt_status = DNS_OK;
		use_record(L, root, text, given_len);
	}
	return L;
}

struct spf_lint *
spf_lint_start(struct dns_resolver *r, const char *domain,
    struct spf_lint_result *out)
{
	return start_tree(r, domain, NULL, 0, out);
}

int
spf_lint_finish(struct spf_lint *L, struct diag_sink *sink)
{
	struct diag_sink nosink;
	struct spf_lint_result *out;
	struct lnode *root;
	int rc = 0;

	if (L == NULL)
		return -1;
	if (sink == NULL) {
		diag_sink_init(&nosink, NULL, NULL);
		sink = &nosink;
	}
	L->sink = sink;
	out = L->res;
	root = (struct lnode *)out->root;
	out->nodes = L->nodes;
	out->lookups = check_node(L, root);
	check_totals(L);
	check_type99(L, root, L->q99);
	if (L->oom)
		rc = -1;
	free(L);
	return rc;
}

void
spf_lint_abandon(struct spf_lint *L)
{
	free(L);
}

int
spf_lint(struct dns_resolver *r, const char *domain, struct diag_sink *sink,
    struct spf_lint_result *out)
{
	struct spf_lint *L = spf_lint_start(r, domain, out);

	if (L == NULL)
		return -1;
	dns_run(r);
	return spf_lint_finish(L, sink);
}

int
spf_lint_record(struct dns_resolver *r, const char *domain, const char *text,
    size_t len, struct diag_sink *sink, struct spf_lint_result *out)
{
	struct spf_lint *L;

	if (text == NULL) {
		memset(out, 0, sizeof(*out));
		area_result_init(&out->area);
		return -1;
	}
	if ((L = start_tree(r, domain, text, len, out)) == NULL)
		return -1;
	dns_run(r);
	return spf_lint_finish(L, sink);
}

static void
node_free(struct spf_tree_node *p)
{
	struct lnode *n = (struct lnode *)p;
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < p->nkids; i++)
		node_free(p->kids[i]);
	free(p->kids);
	free(p->domain);
	free(p->record);
	free(n->why);
	free(n->tq);
	spf_record_free(n->spf);
	free(n);
}

void
spf_lint_result_free(struct spf_lint_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	node_free(res->root);
	for (i = 0; i < res->nvoid_terms; i++)
		free(res->void_terms[i]);
	free(res->void_terms);
	area_result_free(&res->area);
	memset(res, 0, sizeof(*res));
}

/* ---- printing ------------------------------------------------------ */

const char *
spf_node_status_note(enum spf_node_status s)
{
	switch (s) {
	case SPF_NODE_OK:		return NULL;
	case SPF_NODE_MISSING:		return "no SPF record";
	case SPF_NODE_MULTIPLE:		return "several SPF records";
	case SPF_NODE_DNS_FAILURE:	return "DNS failure";
	case SPF_NODE_LOOP:		return "loop: already on the path";
	case SPF_NODE_MACRO:		return "macro: not expanded";
	case SPF_NODE_DEPTH_LIMIT:	return "depth limit: not fetched";
	case SPF_NODE_NODE_LIMIT:	return "node limit: not fetched";
	}
	return NULL;
}

static void
print_notes(FILE *out, const struct spf_tree_node *n)
{
	const char *s = spf_node_status_note(n->status);

	if (s != NULL)
		fprintf(out, "  [%s]", s);
	if (n->macros > 0)
		fprintf(out, "  [%u term(s) with macros, not resolved]",
		    n->macros);
	if (n->voids > 0)
		fprintf(out, "  [%u void]", n->voids);
	fputc('\n', out);
}

static void
print_kids(FILE *out, const struct spf_tree_node *n, unsigned indent)
{
	const struct spf_tree_node *k;
	size_t i;

	for (i = 0; i < n->nkids; i++) {
		k = n->kids[i];
		/* A "record" kid (several records at the root) is reached by
		 * no term: it costs only its own. */
		if (strcmp(k->via, "record") == 0)
			fprintf(out, "%*srecord %zu of %zu  %u", (int)indent, "",
			    i + 1, n->nkids, k->subtree_cost);
		else
			fprintf(out, "%*s%s:%s  %u", (int)indent, "", k->via,
			    k->domain, 1 + k->subtree_cost);
		print_notes(out, k);
		if (indent < 2 * (SPF_LINT_MAX_DEPTH + 2))
			print_kids(out, k, indent + 2);
	}
}

void
spf_tree_print(FILE *out, const struct spf_tree_node *root,
    const struct spf_lint_result *res, unsigned indent)
{
	if (root == NULL)
		return;
	if (indent > 16)
		indent = 16;
	fprintf(out, "%*s%s  (total %s%u lookup%s", (int)indent, "",
	    root->domain,
	    res != NULL && (res->truncated || res->area.incomplete) ?
	    "at least " : "", root->subtree_cost,
	    root->subtree_cost == 1 ? "" : "s");
	if (res != NULL && res->void_lookups > 0)
		fprintf(out, ", %u void", res->void_lookups);
	fputc(')', out);
	print_notes(out, root);
	print_kids(out, root, indent + 2);
}

/* ---- one record, no DNS ---------------------------------------------- */

int
spf_lint_text(const char *domain, const char *text, size_t len,
    struct diag_sink *sink, unsigned *cost)
{
	struct spf_lint L;
	struct lnode *n;
	struct diag d;
	char *copy;

	*cost = 0;
	memset(&L, 0, sizeof(L));
	L.sink = sink;
	if ((n = node_new(&L, NULL, NULL, domain, strlen(domain))) == NULL)
		return -1;
	if ((copy = buf_strndup(text, len)) == NULL ||
	    (n->spf = spf_parse(copy, len)) == NULL) {
		free(copy);
		node_free(&n->pub);
		return -1;
	}
	n->pub.record = copy;
	n->pub.record_len = len;
	for (size_t i = 0; i < n->spf->nterms; i++) {
		const struct spf_term *t = &n->spf->terms[i];

		if (reachable(n->spf, i) && ((t->kind == SPF_T_MECH &&
		    is_dns_mech(t->mech)) || t->kind == SPF_T_MOD))
			n->pub.cost++;
	}
	*cost = n->pub.cost;
	check_syntax(&L, n);
	check_terms(&L, n);
	if (n->pub.cost > LOOKUP_LIMIT) {
		ctx_node(&d, n);
		diag_reportf(sink, DIAG_SPF_LOOKUP_LIMIT, &d, "the record "
		    "alone has %u DNS-querying terms (limit %d)",
		    n->pub.cost, LOOKUP_LIMIT);
	}
	if (len > TXT_ANSWER_MAX) {
		ctx_node(&d, n);
		diag_reportf(sink, DIAG_SPF_RECORD_TOO_LONG, &d, "the record "
		    "is %zu octets (over %d: it may not fit a UDP answer)",
		    len, TXT_ANSWER_MAX);
	}
	node_free(&n->pub);
	return L.oom ? -1 : 0;
}
