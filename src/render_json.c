/*
 * render_json.c -- JSON Lines output (jansson lives here only).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "render.h"
#include "spf_lint.h"

/* A JSON string of s (null for NULL): DNS data is any bytes, JSON text is
 * UTF-8, so each byte that starts no valid sequence becomes U+FFFD. */
static json_t *
jstr(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i, k;
	struct buf b;
	json_t *j;

	if (s == NULL)
		return json_null();
	n = strlen(s);
	for (i = 0; i < n; i += k)
		if ((k = cli_utf8_len(p + i, n - i)) == 0)
			break;
	if (i == n)
		return json_stringn(s, n);
	/* Each bad byte grows to 3: bounded by 3n. */
	buf_init(&b, 3 * n + 1);
	for (i = 0; i < n; i += k) {
		if ((k = cli_utf8_len(p + i, n - i)) == 0) {
			buf_adds(&b, "\xef\xbf\xbd");
			k = 1;
		} else {
			buf_add(&b, s + i, k);
		}
	}
	j = b.err ? NULL : json_stringn(buf_str(&b), b.len);
	buf_free(&b);
	return j;
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
	put(o, "record", jstr(n->record), ok);
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

/* The findings of a list as a JSON array. */
static json_t *
findings_json(const struct diag_list *l, bool *ok)
{
	json_t *arr = json_array(), *f, *span;
	size_t i;

	if (arr == NULL) {
		*ok = false;
		return NULL;
	}
	for (i = 0; i < l->n; i++) {
		const struct diag *d = &l->v[i];
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
		put(f, "record", jstr(d->record), ok);
		if (d->has_span) {
			span = json_pack("[II]", (json_int_t)d->span.off,
			    (json_int_t)d->span.len);
			put(f, "span", span, ok);
		} else {
			put(f, "span", json_null(), ok);
		}
		put(f, "fix", json_string(in->hint), ok);
		if (json_array_append_new(arr, f) != 0)
			*ok = false;
	}
	return arr;
}

int
render_json_spf_lint(FILE *out, const char *domain,
    const struct spf_lint_result *res, const struct diag_list *l)
{
	json_t *o = json_object(), *spf = json_object(), *voids = json_array();
	bool ok = o != NULL && spf != NULL && voids != NULL;
	size_t i;

	if (!ok) {
		json_decref(o);
		json_decref(spf);
		json_decref(voids);
		return -1;
	}
	put(o, "domain", jstr(domain), &ok);
	put(spf, "record", jstr(res->root != NULL ? res->root->record : NULL),
	    &ok);
	put(spf, "lookups", json_integer(res->lookups), &ok);
	put(spf, "void_lookups", json_integer(res->void_lookups), &ok);
	for (i = 0; i < res->nvoid_terms; i++)
		if (json_array_append_new(voids, jstr(res->void_terms[i])) != 0)
			ok = false;
	put(spf, "void_terms", voids, &ok);
	put(spf, "incomplete", json_boolean(res->incomplete), &ok);
	put(spf, "truncated", json_boolean(res->truncated), &ok);
	put(spf, "tree", res->root != NULL ? tree_json(res->root, &ok) :
	    json_null(), &ok);
	put(o, "spf", spf, &ok);
	put(o, "findings", findings_json(l, &ok), &ok);
	return emit(out, o, ok);
}
