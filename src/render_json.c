/*
 * render_json.c -- JSON Lines output (jansson lives here only).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "cli.h"
#include "diag.h"
#include "dkim.h"
#include "dmarc.h"
#include "dns.h"
#include "generate.h"
#include "providers.h"
#include "render.h"
#include "spf_lint.h"

/* A JSON string of p[0..n) (null for NULL): DNS data is any bytes, JSON
 * text is UTF-8, so each byte that starts no valid sequence, and each NUL,
 * becomes U+FFFD. */
static json_t *
jstrn(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i, k;
	struct buf b;
	json_t *j;

	if (p == NULL)
		return json_null();
	for (i = 0; i < n; i += k)
		if (u[i] == 0 || (k = cli_utf8_len(u + i, n - i)) == 0)
			break;
	if (i == n)
		return json_stringn(p, n);
	/* Each bad byte grows to 3: bounded by 3n. */
	buf_init(&b, 3 * n + 1);
	for (i = 0; i < n; i += k) {
		if (u[i] == 0 || (k = cli_utf8_len(u + i, n - i)) == 0) {
			buf_adds(&b, "\xef\xbf\xbd");
			k = 1;
		} else {
			buf_add(&b, p + i, k);
		}
	}
	j = b.err ? NULL : json_stringn(buf_str(&b), b.len);
	buf_free(&b);
	return j;
}

static json_t *
jstr(const char *s)
{
	return s != NULL ? jstrn(s, strlen(s)) : json_null();
}

/* Add key: value to o; a NULL value (out of memory) marks *ok false. */
static void
put(json_t *o, const char *key, json_t *v, bool *ok)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		*ok = false;
}

/* Print one object as a line; consumes o. */
static int
emit(FILE *out, json_t *o, bool ok)
{
	int rc = -1;

	if (ok && json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0 &&
	    putc('\n', out) != EOF)
		rc = 0;
	json_decref(o);
	return rc;
}

int
render_json_spf_eval(FILE *out, const struct render_spf_eval *e)
{
	const struct spf_eval_result *res = e->res;
	json_t *o = json_object(), *trace = json_array(), *dec;
	bool ok = o != NULL && trace != NULL;

	if (!ok) {
		json_decref(o);
		json_decref(trace);
		return -1;
	}
	put(o, "domain", jstr(e->domain), &ok);
	put(o, "ip", jstr(e->ip), &ok);
	put(o, "sender", jstr(e->sender), &ok);
	put(o, "helo", jstr(e->helo), &ok);
	put(o, "result", json_string(spf_result_name(res->result)), &ok);
	put(o, "explanation", jstr(res->explanation), &ok);
	put(o, "problem", jstr(res->problem), &ok);
	put(o, "lookups", json_integer(res->lookups), &ok);
	put(o, "void_lookups", json_integer(res->void_lookups), &ok);
	if (res->decided_by != NULL) {
		dec = json_object();
		if (dec != NULL) {
			put(dec, "domain", jstr(res->decided_domain), &ok);
			put(dec, "term", jstr(res->decided_by), &ok);
		}
		put(o, "decided_by", dec, &ok);
	} else {
		put(o, "decided_by", json_null(), &ok);
	}
	for (size_t i = 0; i < res->ntrace && ok; i++) {
		const struct spf_trace *t = &res->trace[i];
		json_t *line = json_object();

		if (line == NULL) {
			ok = false;
			break;
		}
		put(line, "depth", json_integer(t->depth), &ok);
		put(line, "domain", jstr(t->domain), &ok);
		put(line, "record", jstr(t->record), &ok);
		put(line, "term", jstr(t->term), &ok);
		put(line, "note", jstr(t->note), &ok);
		if (json_array_append_new(trace, line) != 0)
			ok = false;
	}
	put(o, "trace", trace, &ok);
	put(o, "queries", json_integer((json_int_t)e->queries), &ok);
	return emit(out, o, ok);
}

int
render_json_catalogue(FILE *out)
{
	for (size_t i = 0; i < DIAG__COUNT; i++) {
		const struct diag_info *d = diag_info((enum diag_id)i);
		json_t *o = json_object();
		bool ok = o != NULL;

		if (!ok)
			return -1;
		put(o, "id", json_string(d->id), &ok);
		put(o, "severity", json_string(diag_severity_name(d->severity)),
		    &ok);
		put(o, "reference", json_string(d->ref), &ok);
		put(o, "title", json_string(d->title), &ok);
		put(o, "hint", json_string(d->hint), &ok);
		if (emit(out, o, ok) != 0)
			return -1;
	}
	return 0;
}

/* ---- `authcheck spf DOMAIN`: the lint ---------------------------------- */

static const char *
node_status_name(enum spf_node_status s)
{
	static const char *const names[] = {
		[SPF_NODE_OK] = "ok", [SPF_NODE_MISSING] = "missing",
		[SPF_NODE_MULTIPLE] = "multiple", [SPF_NODE_DNS_FAILURE] =
		"dns-failure", [SPF_NODE_LOOP] = "loop", [SPF_NODE_MACRO] =
		"macro", [SPF_NODE_DEPTH_LIMIT] = "depth-limit",
		[SPF_NODE_NODE_LIMIT] = "node-limit",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* One tree node and its kids; depth is bounded by SPF_LINT_MAX_DEPTH. */
static json_t *
tree_json(const struct spf_tree_node *n, bool *ok)
{
	json_t *o = json_object(), *kids = json_array();
	size_t i;

	if (o == NULL || kids == NULL) {
		*ok = false;
		json_decref(o);
		json_decref(kids);
		return NULL;
	}
	put(o, "domain", jstr(n->domain), ok);
	put(o, "via", jstr(n->via), ok);
	put(o, "status", json_string(node_status_name(n->status)), ok);
	put(o, "record", jstrn(n->record, n->record_len), ok);
	put(o, "cost", json_integer(n->cost), ok);
	put(o, "subtree_cost", json_integer(n->subtree_cost), ok);
	put(o, "voids", json_integer(n->voids), ok);
	for (i = 0; i < n->nkids; i++) {
		json_t *k = tree_json(n->kids[i], ok);

		if (k == NULL || json_array_append_new(kids, k) != 0)
			*ok = false;
	}
	put(o, "kids", kids, ok);
	return o;
}

/* Append the findings of a list to arr, in the order given by
 * order[0..l->n) (indexes into l), or the list's own order when order is
 * NULL.  Zone findings add file and line. */
static void
findings_append(json_t *arr, const struct diag_list *l, const size_t *order,
    bool *ok)
{
	json_t *f, *span;
	size_t i;

	if (arr == NULL) {
		*ok = false;
		return;
	}
	for (i = 0; i < l->n; i++) {
		const struct diag *d = &l->v[order != NULL ? order[i] : i];
		const struct diag_info *in = diag_info(d->id);

		if ((f = json_object()) == NULL) {
			*ok = false;
			break;
		}
		put(f, "id", json_string(in->id), ok);
		put(f, "severity", json_string(diag_severity_name(in->severity)),
		    ok);
		put(f, "message", jstr(d->message != NULL ? d->message :
		    in->title), ok);
		put(f, "reference", json_string(in->ref), ok);
		put(f, "domain", jstr(d->domain), ok);
		put(f, "record", jstrn(d->record, d->record_len), ok);
		if (d->has_span) {
			span = json_pack("[II]", (json_int_t)d->span.off,
			    (json_int_t)d->span.len);
			put(f, "span", span, ok);
		} else {
			put(f, "span", json_null(), ok);
		}
		put(f, "fix", jstr(d->fix != NULL ? d->fix : in->hint), ok);
		if (d->file != NULL) {
			put(f, "file", jstr(d->file), ok);
			put(f, "line", json_integer((json_int_t)d->line), ok);
		}
		if (json_array_append_new(arr, f) != 0)
			*ok = false;
	}
}

/* The findings of a list as a JSON array. */
static json_t *
findings_json(const struct diag_list *l, bool *ok)
{
	json_t *arr = json_array();

	findings_append(arr, l, NULL, ok);
	return arr;
}

/* The same in a given order (see findings_append). */
static json_t *
findings_json_ordered(const struct diag_list *l, const size_t *order,
    bool *ok)
{
	json_t *arr = json_array();

	findings_append(arr, l, order, ok);
	return arr;
}

/* The "spf" object of the lint: record, whole-tree counts, the tree. */
static json_t *
spf_lint_json(const struct spf_lint_result *res, bool *ok)
{
	json_t *spf = json_object(), *voids = json_array();
	size_t i;

	if (spf == NULL || voids == NULL) {
		json_decref(spf);
		json_decref(voids);
		*ok = false;
		return NULL;
	}
	put(spf, "record", res->root != NULL ?
	    jstrn(res->root->record, res->root->record_len) : json_null(), ok);
	put(spf, "lookups", json_integer(res->lookups), ok);
	put(spf, "void_lookups", json_integer(res->void_lookups), ok);
	for (i = 0; i < res->nvoid_terms; i++)
		if (json_array_append_new(voids, jstr(res->void_terms[i])) != 0)
			*ok = false;
	put(spf, "void_terms", voids, ok);
	put(spf, "incomplete", json_boolean(res->area.incomplete), ok);
	put(spf, "truncated", json_boolean(res->truncated), ok);
	put(spf, "tree", res->root != NULL ? tree_json(res->root, ok) :
	    json_null(), ok);
	return spf;
}

int
render_json_spf_lint(FILE *out, const char *domain,
    const struct spf_lint_result *res, const struct diag_list *l)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	if (!ok)
		return -1;
	put(o, "domain", jstr(domain), &ok);
	put(o, "spf", spf_lint_json(res, &ok), &ok);
	put(o, "findings", findings_json(l, &ok), &ok);
	return emit(out, o, ok);
}

/* ---- `authcheck dmarc DOMAIN` ---------------------------------------- */

/* A one-letter tag value ("r", "s", "y" ...) as a JSON string. */
static json_t *
jchar(char c)
{
	char s[2] = { c, '\0' };

	return json_string(s);
}

/* The DMARC result's fields (record, found_at, policy, ...) into o. */
static void
dmarc_fill(json_t *o, const struct dmarc_result *res, bool *ok)
{
	static const char *const applies[] = { "p", "sp", "np" };
	const struct dmarc_effective *e = &res->eff;
	json_t *pol;

	if (res->found) {
		put(o, "record", jstrn(res->record, res->record_len), ok);
		put(o, "found_at", jstr(res->found_at), ok);
		if ((pol = json_object()) == NULL)
			*ok = false;
		else {
			put(pol, "p", json_string(dmarc_policy_name(e->p)), ok);
			put(pol, "sp", json_string(dmarc_policy_name(e->sp)), ok);
			put(pol, "np", json_string(dmarc_policy_name(e->np)), ok);
			put(pol, "adkim", jchar(e->adkim), ok);
			put(pol, "aspf", jchar(e->aspf), ok);
			put(pol, "t", jchar(e->t), ok);
			put(pol, "psd", jchar(e->psd), ok);
			put(pol, "applies", json_string(applies[res->applies]),
			    ok);
			put(pol, "effective", json_string(
			    dmarc_policy_name(res->policy)), ok);
		}
		put(o, "policy", pol, ok);
	} else {
		put(o, "record", json_null(), ok);
		put(o, "found_at", json_null(), ok);
		put(o, "policy", json_null(), ok);
	}
	put(o, "inherited", json_boolean(res->inherited), ok);
	put(o, "org_domain", jstr(res->org_domain), ok);
	put(o, "org_domain_rfc7489", res->psl_known ?
	    jstr(res->psl_org_domain) : json_null(), ok);
	put(o, "incomplete", json_boolean(res->area.incomplete), ok);
}

int
render_json_dmarc(FILE *out, const struct dmarc_result *res,
    const struct diag_list *l)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	if (!ok)
		return -1;
	put(o, "domain", jstr(res->domain), &ok);
	dmarc_fill(o, res, &ok);
	put(o, "findings", findings_json(l, &ok), &ok);
	return emit(out, o, ok);
}

/* ---- `authcheck dkim DOMAIN -s SELECTOR` --------------------------- */

static const char *
dkim_source_name(enum dkim_source src)
{
	switch (src) {
	case DKIM_SRC_USER:	return "user";
	case DKIM_SRC_PROVIDER:	return "provider";
	default:		return "common";
	}
}

/* One selector; with_findings adds its own "findings" array. */
static json_t *
dkim_sel_json(const struct dkim_selector *s, bool with_findings, bool *ok)
{
	json_t *e = json_object();

	if (e == NULL) {
		*ok = false;
		return NULL;
	}
	put(e, "selector", jstr(s->selector), ok);
	put(e, "name", jstr(s->name), ok);
	put(e, "source", json_string(dkim_source_name(s->source)), ok);
	put(e, "provider", jstr(s->provider), ok);
	put(e, "found", json_boolean(s->found), ok);
	put(e, "status", json_string(dns_status_name(s->status)), ok);
	put(e, "cname", jstr(s->cname), ok);
	put(e, "key_type", s->found ? json_string(
	    dkim_key_type_name(s->key.type)) : json_null(), ok);
	put(e, "bits", s->key.decoded ? json_integer(s->key.bits) :
	    json_null(), ok);
	put(e, "revoked", json_boolean(s->key.revoked), ok);
	put(e, "record", jstrn(s->record, s->record_len), ok);
	if (with_findings)
		put(e, "findings", findings_json(&s->findings, ok), ok);
	return e;
}

int
render_json_dkim(FILE *out, const struct dkim_result *res)
{
	json_t *o = json_object(), *arr = json_array(), *e;
	bool ok = o != NULL && arr != NULL;

	if (!ok) {
		json_decref(o);
		json_decref(arr);
		return -1;
	}
	put(o, "domain", jstr(res->domain), &ok);
	put(o, "domainkey", json_string(dns_status_name(
	    res->domainkey_status)), &ok);
	put(o, "dkim", arr, &ok);
	for (size_t i = 0; i < res->nsel && ok; i++) {
		if ((e = dkim_sel_json(&res->sel[i], true, &ok)) == NULL ||
		    json_array_append_new(arr, e) != 0)
			ok = false;
	}
	put(o, "findings", findings_json(&res->area.findings, &ok), &ok);
	return emit(out, o, ok);
}

/* ---- `authcheck DOMAIN`: the domain report -------------------------- */

static json_t *
addr_json(const struct mx_addr *a, bool *ok)
{
	json_t *o = json_object(), *ptr = json_array();
	char ip[64];

	if (o == NULL || ptr == NULL) {
		json_decref(o);
		json_decref(ptr);
		*ok = false;
		return NULL;
	}
	ip_format(&a->ip, ip, sizeof(ip));
	put(o, "ip", jstr(ip), ok);
	for (size_t i = 0; i < a->nptr; i++)
		if (json_array_append_new(ptr, jstr(a->ptr[i].name)) != 0)
			*ok = false;
	put(o, "ptr", ptr, ok);
	put(o, "iprev", json_string(mx_iprev_name(a->iprev)), ok);
	return o;
}

/* "mx": the hosts with their addresses; "sending": the --ip addresses. */
static void
mx_fill(json_t *o, const struct mx_result *m, bool *ok)
{
	json_t *hosts = json_array(), *send = json_array();

	if (hosts == NULL || send == NULL) {
		json_decref(hosts);
		json_decref(send);
		*ok = false;
		return;
	}
	for (size_t i = 0; i < m->nhost; i++) {
		const struct mx_host *h = &m->host[i];
		json_t *e = json_object(), *addrs = json_array();

		if (e == NULL || addrs == NULL ||
		    json_array_append_new(hosts, e) != 0) {
			json_decref(addrs);
			*ok = false;
			break;
		}
		put(e, "pref", json_integer(h->pref), ok);
		put(e, "host", jstr(h->name), ok);
		put(e, "null", json_boolean(h->null_mx), ok);
		put(e, "cname", jstr(h->cname), ok);
		for (size_t j = 0; j < h->naddr; j++)
			if (json_array_append_new(addrs,
			    addr_json(&h->addr[j], ok)) != 0)
				*ok = false;
		put(e, "addresses", addrs, ok);
	}
	for (size_t i = 0; i < m->nsend; i++)
		if (json_array_append_new(send, addr_json(&m->send[i], ok)) != 0)
			*ok = false;
	put(o, "mx", hosts, ok);
	put(o, "sending", send, ok);
}

static json_t *
mtasts_json(const struct mtasts_result *m, bool *ok)
{
	json_t *o = json_object(), *mx = json_array();

	if (o == NULL || mx == NULL) {
		json_decref(o);
		json_decref(mx);
		*ok = false;
		return NULL;
	}
	put(o, "record", jstrn(m->txt.record, m->txt.record_len), ok);
	put(o, "id", m->record_ok ? jstr(m->id) : json_null(), ok);
	put(o, "policy", json_string(mtasts_policy_state_name(m->state)), ok);
	put(o, "policy_skipped", m->skipped[0] ? jstr(m->skipped) : json_null(),
	    ok);
	put(o, "mode", m->state == MTASTS_POLICY_OK ?
	    json_string(mtasts_mode_name(m->pol.mode)) : json_null(), ok);
	put(o, "max_age", m->state == MTASTS_POLICY_OK && m->pol.has_max_age ?
	    json_integer((json_int_t)m->pol.max_age) : json_null(), ok);
	for (size_t i = 0; m->policy != NULL && i < m->pol.nmx; i++)
		if (json_array_append_new(mx, jstrn(m->policy +
		    m->pol.mx[i].off, m->pol.mx[i].len)) != 0)
			*ok = false;
	put(o, "mx", mx, ok);
	put(o, "incomplete", json_boolean(m->area.incomplete), ok);
	return o;
}

/* {"record", "incomplete"}: TLS-RPT and BIMI. */
static json_t *
record_json(const struct txt_check *t, bool incomplete, bool *ok)
{
	json_t *o = json_object();

	if (o == NULL) {
		*ok = false;
		return NULL;
	}
	put(o, "record", jstrn(t->record, t->record_len), ok);
	put(o, "incomplete", json_boolean(incomplete), ok);
	return o;
}

/* ---- each area's keys in the report (check_modules[]) ---- */

int
render_json_area_spf(json_t *o, const struct check_result *res)
{
	bool ok = true;

	put(o, "spf", spf_lint_json(&res->spf, &ok), &ok);
	return ok ? 0 : -1;
}

int
render_json_area_dmarc(json_t *o, const struct check_result *res)
{
	json_t *dmarc = json_object();
	bool ok = dmarc != NULL;

	if (ok)
		dmarc_fill(dmarc, &res->dmarc, &ok);
	put(o, "dmarc", dmarc, &ok);
	return ok ? 0 : -1;
}

/* Selectors that were named or found; common names that missed are
 * noise. */
int
render_json_area_dkim(json_t *o, const struct check_result *res)
{
	json_t *dkim = json_array();
	bool ok = dkim != NULL;

	for (size_t i = 0; ok && i < res->dkim.nsel; i++) {
		const struct dkim_selector *s = &res->dkim.sel[i];
		json_t *e;

		if (!s->found && s->source == DKIM_SRC_COMMON)
			continue;
		if ((e = dkim_sel_json(s, false, &ok)) == NULL ||
		    json_array_append_new(dkim, e) != 0)
			ok = false;
	}
	put(o, "dkim", dkim, &ok);
	return ok ? 0 : -1;
}

int
render_json_area_mx(json_t *o, const struct check_result *res)
{
	bool ok = true;

	mx_fill(o, &res->mx, &ok);
	return ok ? 0 : -1;
}

int
render_json_area_mtasts(json_t *o, const struct check_result *res)
{
	bool ok = true;

	put(o, "mta_sts", mtasts_json(&res->mtasts, &ok), &ok);
	return ok ? 0 : -1;
}

int
render_json_area_tlsrpt(json_t *o, const struct check_result *res)
{
	bool ok = true;

	put(o, "tls_rpt", record_json(&res->tlsrpt.txt,
	    res->tlsrpt.area.incomplete, &ok), &ok);
	return ok ? 0 : -1;
}

int
render_json_area_bimi(json_t *o, const struct check_result *res)
{
	bool ok = true;

	put(o, "bimi", record_json(&res->bimi.txt, res->bimi.area.incomplete,
	    &ok), &ok);
	return ok ? 0 : -1;
}

void
render_json_free(json_t *o)
{
	json_decref(o);
}

int
render_json_emit(FILE *out, json_t *o)
{
	return emit(out, o, o != NULL);
}

/* ---- the Transport area and `authcheck smtp` ---- */

static json_t *
tls_json(const struct tls_info *t, bool *ok)
{
	json_t *o = json_object(), *names = json_array(), *chain = json_array();
	json_t *key = json_object();

	if (o == NULL || names == NULL || chain == NULL || key == NULL) {
		json_decref(o);
		json_decref(names);
		json_decref(chain);
		json_decref(key);
		*ok = false;
		return NULL;
	}
	put(o, "version", jstr(t->version), ok);
	put(o, "cipher", jstr(t->cipher), ok);
	put(o, "verified", json_boolean(t->verified), ok);
	put(o, "verify_error", t->verified ? json_null() :
	    jstr(t->verify_error), ok);
	for (size_t i = 0; i < t->nnames; i++)
		if (json_array_append_new(names, jstr(t->names[i])) != 0)
			*ok = false;
	put(o, "names", names, ok);
	put(o, "name_match", json_boolean(t->name_match), ok);
	put(o, "subject", jstr(t->subject), ok);
	put(o, "issuer", jstr(t->issuer), ok);
	put(o, "not_before", json_integer((json_int_t)t->not_before), ok);
	put(o, "not_after", json_integer((json_int_t)t->not_after), ok);
	put(o, "days_left", json_integer((json_int_t)t->days_left), ok);
	put(key, "type", jstr(t->key_type), ok);
	put(key, "bits", json_integer(t->key_bits), ok);
	put(o, "key", key, ok);
	for (size_t i = 0; i < t->chain_len && i < TLS_MAX_CHAIN; i++)
		if (json_array_append_new(chain, jstr(t->chain[i])) != 0)
			*ok = false;
	put(o, "chain", chain, ok);
	put(o, "chain_length", json_integer((json_int_t)t->chain_len), ok);
	return o;
}

static json_t *
ext_json(unsigned ext, bool *ok)
{
	json_t *a = json_array();

	if (a == NULL) {
		*ok = false;
		return NULL;
	}
	for (unsigned i = 0; i < SMTP_NEXT; i++)
		if ((ext & (1u << i)) &&
		    json_array_append_new(a, json_string(smtp_ext_name(i))) != 0)
			*ok = false;
	return a;
}

static const char *
end_name(enum smtp_end e)
{
	switch (e) {
	case SMTP_END_OK: return "ok";
	case SMTP_END_NOT_CONNECTED: return "not-connected";
	case SMTP_END_GREETING_REFUSED: return "greeting-refused";
	case SMTP_END_TIMEOUT: return "timeout";
	case SMTP_END_DROPPED: return "dropped";
	case SMTP_END_BAD_REPLY: return "bad-reply";
	case SMTP_END_TLS_FAILED: return "tls-failed";
	default: return "internal-error";
	}
}

static json_t *
probe_json(const struct smtp_probe *p, const char *skip_why, bool *ok)
{
	json_t *o = json_object();
	char ip[IP_STRLEN];

	if (o == NULL) {
		*ok = false;
		return NULL;
	}
	ip_format(&p->ip, ip, sizeof(ip));
	put(o, "ip", jstr(ip), ok);
	put(o, "port", json_integer(p->port), ok);
	put(o, "tls_mode", json_string(p->mode == SMTP_TLS_IMPLICIT ?
	    "implicit" : "starttls"), ok);
	put(o, "probed", json_boolean(skip_why == NULL), ok);
	put(o, "not_probed_because", jstr(skip_why), ok);
	if (skip_why != NULL)
		return o;
	put(o, "connect", json_string(smtp_connect_name(p->connect)), ok);
	put(o, "connect_error", p->connect == SMTP_CONN_OK ? json_null() :
	    jstr(p->connect_error), ok);
	put(o, "connect_ms", p->connect == SMTP_CONN_OK ?
	    json_real(p->connect_ms) : json_null(), ok);
	put(o, "greeting_code", p->greeting_code ?
	    json_integer(p->greeting_code) : json_null(), ok);
	put(o, "greeting", p->greeting_code ? jstr(p->greeting) : json_null(),
	    ok);
	put(o, "ehlo_code", p->ehlo_code ? json_integer(p->ehlo_code) :
	    json_null(), ok);
	put(o, "extensions", ext_json(p->ext, ok), ok);
	put(o, "auth", p->auth[0] ? jstr(p->auth) : json_null(), ok);
	put(o, "starttls_code", p->starttls_code ?
	    json_integer(p->starttls_code) : json_null(), ok);
	put(o, "tls", p->tls_done ? tls_json(&p->tls, ok) : json_null(), ok);
	put(o, "tls_error", p->tls_error[0] ? jstr(p->tls_error) : json_null(),
	    ok);
	put(o, "extensions_after_tls", p->tls_done ? ext_json(p->ext_tls, ok) :
	    json_null(), ok);
	put(o, "auth_after_tls", p->auth_tls[0] ? jstr(p->auth_tls) :
	    json_null(), ok);
	put(o, "end", json_string(end_name(p->end)), ok);
	put(o, "end_step", p->end == SMTP_END_OK ? json_null() :
	    json_string(smtp_step_name(p->end_step)), ok);
	put(o, "end_detail", p->end_detail[0] ? jstr(p->end_detail) :
	    json_null(), ok);
	put(o, "total_ms", json_real(p->total_ms), ok);
	return o;
}

/* An address's DANE verdict: {status, matched_record, depth, tlsa_name,
 * dnssec, note}; null when the host had no TLSA lookup. */
static json_t *
dane_json(const struct transport_host *H, const struct dane_verdict *v,
    bool *ok)
{
	const struct dane_set *s;
	json_t *o;

	if (H->dane == NULL || v == NULL || v->status == DANE_NONE)
		return json_null();
	if ((o = json_object()) == NULL) {
		*ok = false;
		return NULL;
	}
	s = dane_lookup_set(H->dane);
	put(o, "status", json_string(dane_status_name(v->status)), ok);
	if (v->rec >= 0 && (size_t)v->rec < s->n) {
		/* whole, even a full certificate (matching type 0) */
		size_t size = s->rec[v->rec].len * 2 + 16;
		char *rec = malloc(size);

		if (rec == NULL) {
			*ok = false;
		} else {
			dane_rec_format(&s->rec[v->rec], rec, size);
			put(o, "matched_record", jstr(rec), ok);
			free(rec);
		}
	} else {
		put(o, "matched_record", json_null(), ok);
	}
	put(o, "depth", v->depth >= 0 ? json_integer(v->depth) : json_null(),
	    ok);
	put(o, "tlsa_name", jstr(s->qname), ok);
	put(o, "records", json_integer((json_int_t)s->n), ok);
	put(o, "records_total", json_integer((json_int_t)s->ntotal), ok);
	put(o, "dnssec", H->dane->given ? json_string("given") :
	    json_string(dane_dnssec_name(s->dnssec)), ok);
	put(o, "note", jstr(v->why), ok);
	return o;
}

static json_t *
transport_json(const struct transport_result *t, bool *ok)
{
	json_t *o = json_object(), *hosts = json_array();

	if (o == NULL || hosts == NULL) {
		json_decref(o);
		json_decref(hosts);
		*ok = false;
		return NULL;
	}
	put(o, "probed", json_boolean(t->probed), ok);
	put(o, "skipped", jstr(t->skipped), ok);
	put(o, "error", t->error[0] ? jstr(t->error) : json_null(), ok);
	put(o, "port25_blocked", json_boolean(t->port25_blocked), ok);
	put(o, "hosts_total", json_integer((json_int_t)t->nhost_total), ok);
	for (size_t h = 0; h < t->nhost; h++) {
		const struct transport_host *H = &t->host[h];
		json_t *e = json_object(), *addrs = json_array();

		if (e == NULL || addrs == NULL) {
			json_decref(e);
			json_decref(addrs);
			*ok = false;
			break;
		}
		put(e, "host", jstr(H->name), ok);
		put(e, "port", json_integer(H->port), ok);
		put(e, "submission", json_boolean(H->submission), ok);
		put(e, "addresses_total", json_integer(
		    (json_int_t)H->naddr_total), ok);
		put(e, "unresolved", jstr(H->unresolved), ok);
		for (size_t a = 0; a < H->n; a++) {
			json_t *pj = probe_json(&t->probe[H->first + a],
			    t->skip_why[H->first + a], ok);

			if (pj != NULL && t->skip_why[H->first + a] == NULL)
				put(pj, "dane", dane_json(H, t->dane ?
				    &t->dane[H->first + a] : NULL, ok), ok);
			if (json_array_append_new(addrs, pj) != 0)
				*ok = false;
		}
		put(e, "addresses", addrs, ok);
		if (json_array_append_new(hosts, e) != 0)
			*ok = false;
	}
	put(o, "hosts", hosts, ok);
	return o;
}

/* {"validated", "skipped", "names": [{name, type, status, reason}],
 * "names_total"}: what DNSSEC validation said of each answer relied on. */
static json_t *
dnssec_json(const struct dnssec_report *rep, bool *ok)
{
	json_t *o = json_object(), *names = json_array();

	if (o == NULL || names == NULL) {
		json_decref(o);
		json_decref(names);
		*ok = false;
		return NULL;
	}
	put(o, "validated", json_boolean(rep->ran), ok);
	put(o, "skipped", jstr(rep->skipped), ok);
	for (size_t i = 0; i < rep->n; i++) {
		const struct dnssec_item *it = &rep->item[i];
		json_t *e = json_object();

		if (e == NULL) {
			*ok = false;
			break;
		}
		put(e, "name", jstr(it->name), ok);
		put(e, "type", jstr(dns_type_name(it->type)), ok);
		put(e, "status", jstr(dnssec_status_name(it->st)), ok);
		put(e, "reason", it->why[0] ? jstr(it->why) : json_null(), ok);
		if (json_array_append_new(names, e) != 0)
			*ok = false;
	}
	put(o, "names", names, ok);
	put(o, "names_total", json_integer((json_int_t)rep->ntotal), ok);
	return o;
}

int
render_json_area_transport(json_t *o, const struct check_result *res)
{
	bool ok = true;

	put(o, "transport", transport_json(&res->transport, &ok), &ok);
	put(o, "dnssec", dnssec_json(&res->dnssec, &ok), &ok);
	return ok ? 0 : -1;
}

/* The top of a one-area command's document (authcheck smtp, authcheck
 * blocklist): "incomplete" when asked, the counts of a's findings by
 * severity and the findings.  NULL when memory ran out. */
static json_t *
area_doc_new(const struct area_result *a, bool say_incomplete, bool *ok)
{
	json_t *o = json_object(), *all = json_array(), *counts = json_object();
	unsigned long c[DIAG_SEV__COUNT] = { 0 };

	if (o == NULL || all == NULL || counts == NULL) {
		json_decref(o);
		json_decref(all);
		json_decref(counts);
		return NULL;
	}
	for (size_t i = 0; i < a->findings.n; i++)
		c[diag_info(a->findings.v[i].id)->severity]++;
	if (say_incomplete)
		put(o, "incomplete", json_boolean(a->incomplete || a->oom), ok);
	put(counts, "error", json_integer((json_int_t)c[DIAG_ERROR]), ok);
	put(counts, "warning", json_integer((json_int_t)c[DIAG_WARNING]), ok);
	put(counts, "info", json_integer((json_int_t)c[DIAG_INFO]), ok);
	put(o, "counts", counts, ok);
	findings_append(all, &a->findings, NULL, ok);
	put(o, "findings", all, ok);
	return o;
}

int
render_json_smtp(FILE *out, const struct transport_result *t)
{
	bool ok = true;
	json_t *o = area_doc_new(&t->area, false, &ok);

	if (o == NULL)
		return -1;
	put(o, "transport", transport_json(t, &ok), &ok);
	return emit(out, o, ok);
}

int
render_json_check(FILE *out, const struct check_result *res)
{
	return render_json_emit(out, render_json_check_new(res));
}

json_t *
render_json_check_new(const struct check_result *res)
{
	json_t *o = json_object(), *counts = json_object();
	json_t *all = json_array(), *prov = json_array();
	const struct diag_list *l;
	bool ok = o && counts && all && prov;

	if (!ok) {
		json_decref(o);
		json_decref(counts);
		json_decref(all);
		json_decref(prov);
		return NULL;
	}
	put(o, "domain", jstr(res->domain), &ok);
	put(o, "verdict", json_string(check_verdict(res)), &ok);
	put(o, "score", json_integer(res->score), &ok);
	put(o, "incomplete", json_boolean(res->incomplete || res->oom), &ok);
	put(counts, "error", json_integer((json_int_t)res->count[DIAG_ERROR]),
	    &ok);
	put(counts, "warning", json_integer(
	    (json_int_t)res->count[DIAG_WARNING]), &ok);
	put(counts, "info", json_integer((json_int_t)res->count[DIAG_INFO]),
	    &ok);
	put(o, "counts", counts, &ok);
	if (res->parked) {
		/* Only for a parked domain: other reports keep their shape. */
		json_t *pk = json_object(), *miss = json_array();

		if (pk == NULL || miss == NULL) {
			json_decref(pk);
			json_decref(miss);
			ok = false;
		} else {
			for (unsigned b = 0; b < CHECK_PARKED__BITS; b++)
				if ((res->parked_missing & (1u << b)) &&
				    json_array_append_new(miss, json_string(
				    check_parked_item(1u << b))) != 0)
					ok = false;
			put(pk, "protected", json_boolean(
			    res->parked_missing == 0), &ok);
			put(pk, "missing", miss, &ok);
			put(o, "parked", pk, &ok);
		}
	}
	for (size_t i = 0; i < res->nproviders; i++)
		if (json_array_append_new(prov, jstr(res->providers[i])) != 0)
			ok = false;
	put(o, "providers", prov, &ok);

	/* Every finding in one array, area by area. */
	for (int a = 0; a < CHECK__AREAS; a++)
		for (size_t i = 0; (l = check_findings(res, a, i)) != NULL;
		    i++)
			findings_append(all, l, NULL, &ok);
	put(o, "findings", all, &ok);
	for (int a = 0; a < CHECK__AREAS && ok; a++)
		if (check_modules[a].render_json(o, res) != 0)
			ok = false;
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- `authcheck zone FILE` ------------------------------------------- */

int
render_json_zone(FILE *out, const struct render_zone_file *z,
    const struct diag_list *l)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	if (!ok)
		return -1;
	put(o, "file", jstr(z->file), &ok);
	put(o, "error", jstr(z->error), &ok);
	put(o, "records", json_integer((json_int_t)z->records), &ok);
	put(o, "errors", json_integer((json_int_t)z->count[DIAG_ERROR]), &ok);
	put(o, "warnings", json_integer((json_int_t)z->count[DIAG_WARNING]),
	    &ok);
	put(o, "info", json_integer((json_int_t)z->count[DIAG_INFO]), &ok);
	put(o, "suppressed", json_integer((json_int_t)z->suppressed), &ok);
	put(o, "dropped", json_integer((json_int_t)z->dropped), &ok);
	put(o, "findings", findings_json_ordered(l, z->order, &ok), &ok);
	return emit(out, o, ok);
}

/* ---- providers and generate -------------------------------------------- */

static json_t *
jstr_array(const char *const *v, size_t n, bool *ok)
{
	json_t *a = json_array();

	if (a == NULL) {
		*ok = false;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(a, jstr(v[i])) != 0)
			*ok = false;
	return a;
}

int
render_json_providers(FILE *out, const struct provider_set *ps)
{
	for (size_t i = 0; i < providers_count(ps); i++) {
		const struct provider *p = providers_get(ps, i);
		json_t *o = json_object(), *spf, *dkim, *unv, *rp;
		bool ok = o != NULL;

		if (!ok)
			return -1;
		put(o, "id", jstr(p->id), &ok);
		put(o, "name", jstr(p->name), &ok);
		put(o, "kind", jstr(p->kind), &ok);
		if ((spf = json_object()) != NULL) {
			put(spf, "includes", jstr_array(p->spf_includes,
			    p->nspf_includes, &ok), &ok);
			put(spf, "where", jstr(p->spf_where), &ok);
			put(spf, "lookups", json_integer(p->spf_lookups), &ok);
			put(spf, "note", jstr(p->spf_note), &ok);
			if (p->rp_host != NULL &&
			    (rp = json_object()) != NULL) {
				put(rp, "host", jstr(p->rp_host), &ok);
				put(rp, "type", jstr(p->rp_type), &ok);
				put(rp, "target", jstr(p->rp_target), &ok);
				put(spf, "return_path", rp, &ok);
			} else {
				put(spf, "return_path", json_null(), &ok);
			}
		}
		put(o, "spf", spf, &ok);
		if ((dkim = json_object()) != NULL) {
			put(dkim, "type", jstr(p->dkim_type), &ok);
			put(dkim, "selectors", jstr_array(p->dkim_selectors,
			    p->ndkim_selectors, &ok), &ok);
			put(dkim, "target", jstr(p->dkim_target), &ok);
		}
		put(o, "dkim", dkim, &ok);
		put(o, "mx", jstr_array(p->mx, p->nmx, &ok), &ok);
		put(o, "docs", jstr(p->docs), &ok);
		if ((unv = json_array()) != NULL) {
			for (size_t k = 0; k < p->nunverified; k++) {
				json_t *u = json_object();

				if (u == NULL) {
					ok = false;
					break;
				}
				put(u, "field", jstr(p->unverified[k].field), &ok);
				put(u, "why", jstr(p->unverified[k].why), &ok);
				if (json_array_append_new(unv, u) != 0)
					ok = false;
			}
		}
		put(o, "unverified", unv, &ok);
		if (emit(out, o, ok) != 0)
			return -1;
	}
	return 0;
}

static const char *
cost_source_name(enum gen_cost_source s)
{
	switch (s) {
	case GEN_COST_FIXED:
		return "fixed";
	case GEN_COST_LIVE:
		return "live";
	default:
		return "template";
	}
}

int
render_json_generate(FILE *out, const struct render_gen *g)
{
	json_t *o = json_object(), *recs;
	bool ok = o != NULL;

	if (!ok)
		return -1;
	put(o, "kind", jstr(g->kind), &ok);
	if (g->domain != NULL)
		put(o, "domain", jstr(g->domain), &ok);
	if ((recs = json_array()) == NULL)
		ok = false;
	for (size_t i = 0; recs != NULL && i < g->nrecords; i++) {
		const struct gen_record *r = &g->records[i];
		json_t *jr = json_object();

		if (jr == NULL) {
			ok = false;
			break;
		}
		put(jr, "name", jstr(r->name), &ok);
		put(jr, "type", jstr(r->type), &ok);
		put(jr, "value", jstr(r->value), &ok);
		if (strcmp(r->type, "TXT") == 0) {
			json_t *ss = json_array();
			size_t len = strlen(r->value), k = 0;

			if (ss == NULL)
				ok = false;
			while (ss != NULL && k < len) {
				size_t n = gen_txt_chunk(r->value, len, k,
				    g->spf_strings);

				if (json_array_append_new(ss, jstrn(r->value +
				    k, n)) != 0)
					ok = false;
				k += n;
			}
			put(jr, "strings", ss, &ok);
		}
		put(jr, "why", jstr(r->why), &ok);
		if (json_array_append_new(recs, jr) != 0)
			ok = false;
	}
	put(o, "records", recs, &ok);
	if (g->lookups >= 0) {
		json_t *terms = json_array();

		put(o, "lookups", json_integer(g->lookups), &ok);
		put(o, "lookups_source", json_string(g->lookups_live ? "live" :
		    "templates"), &ok);
		for (size_t i = 0; terms != NULL && i < g->nterms; i++) {
			const struct gen_spf_term *t = &g->terms[i];
			json_t *jt = json_object();

			if (jt == NULL) {
				ok = false;
				break;
			}
			put(jt, "term", jstr(t->term), &ok);
			put(jt, "lookups", json_integer(t->cost), &ok);
			put(jt, "source", json_string(cost_source_name(
			    t->source)), &ok);
			put(jt, "provider", t->provider ? jstr(t->provider->id) :
			    json_null(), &ok);
			if (json_array_append_new(terms, jt) != 0)
				ok = false;
		}
		put(o, "terms", terms, &ok);
	}
	if (g->nnotes > 0)
		put(o, "notes", jstr_array(g->notes, g->nnotes, &ok), &ok);
	if (g->selector != NULL) {
		put(o, "selector", jstr(g->selector), &ok);
		put(o, "key_type", jstr(g->key_type), &ok);
		put(o, "bits", json_integer(g->bits), &ok);
		put(o, "private_key", jstr(g->key_file), &ok);
	}
	put(o, "findings", findings_json(g->findings, &ok), &ok);
	return emit(out, o, ok);
}

/* ---- `authcheck record 'TEXT'` --------------------------------------- */

int
render_json_record(FILE *out, const char *type, const char *text,
    size_t len, const struct diag_list *l)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	if (!ok)
		return -1;
	put(o, "type", json_string(type), &ok);
	put(o, "record", jstrn(text, len), &ok);
	put(o, "findings", findings_json(l, &ok), &ok);
	return emit(out, o, ok);
}

/* ---- the Reputation area and `authcheck blocklist` --------------------- */

/* [{"target", "role", "via", "list", "zone", "listed", "codes", "meaning",
 * "reason", "status"}]: one row per target and list. */
static json_t *
reputation_json(const struct rep_result *r, bool *ok)
{
	json_t *arr = json_array();

	if (arr == NULL) {
		*ok = false;
		return NULL;
	}
	for (size_t i = 0; i < r->ne; i++) {
		const struct rep_entry *e = &r->e[i];
		json_t *o = json_object(), *codes = json_array();
		char c[16];

		if (o == NULL || codes == NULL) {
			json_decref(o);
			json_decref(codes);
			*ok = false;
			break;
		}
		for (size_t k = 0; k < e->ncodes; k++) {
			rep_code_text(e->codes[k], c, sizeof(c));
			if (json_array_append_new(codes, json_string(c)) != 0)
				*ok = false;
		}
		put(o, "target", jstr(e->target), ok);
		put(o, "role", json_string(blocklist_role_name(e->role)), ok);
		put(o, "via", jstr(e->via), ok);
		put(o, "list", jstr(e->list->id), ok);
		put(o, "zone", jstr(e->list->zone), ok);
		put(o, "listed", json_boolean(e->status == REP_LISTED), ok);
		put(o, "matters", json_boolean(e->status == REP_LISTED &&
		    e->matters), ok);
		put(o, "codes", codes, ok);
		put(o, "meaning", jstr(e->meaning), ok);
		put(o, "reason", jstr(e->reason), ok);
		put(o, "status", json_string(rep_status_name(e->status)), ok);
		if (json_array_append_new(arr, o) != 0)
			*ok = false;
	}
	return arr;
}

static void
reputation_put(json_t *o, const struct rep_result *r, bool *ok)
{
	json_t *sum = json_object();

	put(o, "reputation", reputation_json(r, ok), ok);
	if (sum == NULL) {
		*ok = false;
		return;
	}
	put(sum, "skipped", jstr(r->area.skipped ? r->skipped_why : NULL), ok);
	put(sum, "lists", json_integer((json_int_t)r->nlists_used), ok);
	put(sum, "targets", json_integer((json_int_t)r->ntargets), ok);
	put(sum, "not_checked", json_integer((json_int_t)r->not_checked), ok);
	put(o, "reputation_scan", sum, ok);
}

int
render_json_area_reputation(json_t *o, const struct check_result *res)
{
	bool ok = true;

	reputation_put(o, &res->reputation, &ok);
	return ok ? 0 : -1;
}

int
render_json_blocklist(FILE *out, const struct rep_result *r)
{
	bool ok = true;
	json_t *o = area_doc_new(&r->area, true, &ok);

	if (o == NULL)
		return -1;
	reputation_put(o, r, &ok);
	return emit(out, o, ok);
}
