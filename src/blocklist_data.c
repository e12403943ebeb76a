/*
 * blocklist_data.c -- read data/blocklists.json (or --blocklists FILE) into
 * the plain structs of blocklist.h, and answer what a return code means.
 *
 * The file is data a user may replace, so every field is checked and a
 * bad one is refused with its path ("lists[2].codes[0].code: not an
 * address in 127.0.0.0/8"), never half-used.  jansson is used here only
 * (as providers.c does for the templates); the set is one arena.
 */
#include "blocklist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "dns.h"
#include "ip.h"
#include "providers.h"

struct bl_set {
	struct arena a;
	struct bl_list list[BL_MAX_LISTS];
	size_t n;
};

struct ctx {
	struct bl_set *s;
	const char *file;
	char *err;
	size_t errsize;
	char where[128];	/* "lists[3].codes[1]" */
};

static bool
bad(struct ctx *c, const char *field, const char *why)
{
	buf_errf(c->err, c->errsize, "%s: %s%s%s: %s", c->file, c->where,
	    field[0] ? "." : "", field, why);
	return false;
}

static const char *
dup(struct ctx *c, const char *s)
{
	return arena_strndup(&c->s->a, s, strlen(s));
}

/* A string member; required or not.  *out NULL when absent. */
static bool
get_str(struct ctx *c, json_t *o, const char *key, bool required,
    const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return bad(c, key, "missing");
		return true;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > 1000)
		return bad(c, key, "must be a non-empty string (at most 1000 "
		    "bytes)");
	if (memchr(json_string_value(v), '\0', json_string_length(v)) != NULL)
		return bad(c, key, "holds a NUL byte");
	if ((*out = dup(c, json_string_value(v))) == NULL)
		return bad(c, key, "out of memory");
	return true;
}

/* A DNS name member in normal form (dns_name_norm). */
static bool
get_name(struct ctx *c, json_t *o, const char *key, bool required,
    const char **out)
{
	char norm[256];

	if (!get_str(c, o, key, required, out))
		return false;
	if (*out == NULL)
		return true;
	if (dns_name_norm(norm, sizeof(norm), *out) < 0)
		return bad(c, key, "not a domain name");
	if ((*out = dup(c, norm)) == NULL)
		return bad(c, key, "out of memory");
	return true;
}

/* An address in 127.0.0.0/8, in host order. */
static bool
get_code(struct ctx *c, json_t *o, const char *key, bool required,
    uint32_t *out)
{
	const char *s;
	struct ipaddr ip;

	if (!get_str(c, o, key, required, &s))
		return false;
	if (s == NULL)
		return true;
	if (!ip_parse_family(s, strlen(s), 4, &ip) || ip.a[0] != 127)
		return bad(c, key, "not an address in 127.0.0.0/8");
	*out = (uint32_t)ip.a[0] << 24 | (uint32_t)ip.a[1] << 16 |
	    (uint32_t)ip.a[2] << 8 | ip.a[3];
	return true;
}

static bool
get_roles(struct ctx *c, json_t *o, unsigned *out)
{
	static const char *const names[] = { "mx", "sender", "spf", "domain" };
	json_t *v = json_object_get(o, "matters"), *e;
	size_t i;

	*out = 0;
	if (v == NULL)
		return bad(c, "matters", "missing (an empty list: the code "
		    "is informational for every role)");
	if (!json_is_array(v))
		return bad(c, "matters", "must be a list of roles");
	json_array_foreach(v, i, e) {
		unsigned k;

		for (k = 0; k < 4; k++)
			if (json_is_string(e) &&
			    strcmp(json_string_value(e), names[k]) == 0)
				break;
		if (k == 4)
			return bad(c, "matters", "roles are mx, sender, spf "
			    "and domain");
		*out |= 1u << k;
	}
	return true;
}

/* "codes" or "errors": a list of {code, last?, meaning, matters}. */
static bool
get_codes(struct ctx *c, json_t *o, const char *key, bool errors,
    bool bitmask, const struct bl_code **out, size_t *n)
{
	json_t *v = json_object_get(o, key), *e;
	struct bl_code *v_out;
	size_t i, len = strlen(c->where);

	*out = NULL;
	*n = 0;
	if (v == NULL && errors)
		return true;
	if (!json_is_array(v) || (!errors && json_array_size(v) == 0))
		return bad(c, key, "must be a non-empty list");
	if (json_array_size(v) > BL_MAX_CODES)
		return bad(c, key, "too many entries");
	if (json_array_size(v) == 0)
		return true;
	v_out = arena_alloc(&c->s->a, json_array_size(v) * sizeof(*v_out));
	if (v_out == NULL)
		return bad(c, key, "out of memory");
	json_array_foreach(v, i, e) {
		struct bl_code *k = &v_out[i];

		snprintf(c->where + len, sizeof(c->where) - len, ".%s[%zu]",
		    key, i);
		if (!json_is_object(e))
			return bad(c, "", "must be an object");
		if (!get_code(c, e, "code", true, &k->lo))
			return false;
		k->hi = k->lo;
		if (!get_code(c, e, "last", false, &k->hi))
			return false;
		if (k->hi < k->lo)
			return bad(c, "last", "below code");
		if (!errors && bitmask && (k->lo != k->hi ||
		    (k->lo & 0xff) == 0 || ((k->lo & 0xff) & ((k->lo & 0xff) -
		    1)) != 0))
			return bad(c, "code", "a bitmask list's codes are "
			    "single bits of the last octet");
		if (!get_str(c, e, "meaning", true, &k->meaning))
			return false;
		if (!errors && !get_roles(c, e, &k->matters))
			return false;
	}
	c->where[len] = '\0';
	*out = v_out;
	*n = json_array_size(v);
	return true;
}

static bool
parse_list(struct ctx *c, json_t *o, struct bl_list *l)
{
	const char *kind = NULL, *match = NULL;
	json_t *test, *on, *unv;

	if (!json_is_object(o))
		return bad(c, "", "must be an object");
	if (!get_str(c, o, "id", true, &l->id) ||
	    !get_str(c, o, "name", true, &l->name) ||
	    !get_name(c, o, "zone", true, &l->zone) ||
	    !get_name(c, o, "dqs_zone", false, &l->dqs_zone) ||
	    !get_str(c, o, "kind", true, &kind) ||
	    !get_str(c, o, "match", false, &match) ||
	    !get_str(c, o, "delist", true, &l->delist) ||
	    !get_str(c, o, "terms", false, &l->terms) ||
	    !get_str(c, o, "source", true, &l->source))
		return false;
	if (strcmp(kind, "ipv4") == 0)
		l->kind = BL_IPV4;
	else if (strcmp(kind, "ipv6") == 0)
		l->kind = BL_IPV6;
	else if (strcmp(kind, "domain") == 0)
		l->kind = BL_DOMAIN;
	else
		return bad(c, "kind", "must be ipv4, ipv6 or domain");
	if (match != NULL && strcmp(match, "bitmask") != 0 &&
	    strcmp(match, "exact") != 0)
		return bad(c, "match", "must be exact or bitmask");
	l->bitmask = match != NULL && strcmp(match, "bitmask") == 0;
	if ((on = json_object_get(o, "default")) == NULL || !json_is_boolean(on))
		return bad(c, "default", "must be true or false");
	l->on = json_is_true(on);
	if (!get_codes(c, o, "codes", false, l->bitmask, &l->codes,
	    &l->ncodes) ||
	    !get_codes(c, o, "errors", true, false, &l->errors, &l->nerrors))
		return false;
	/* RFC 5782 §5 test points unless the list documents others. */
	if (l->kind == BL_IPV4) {
		l->test_listed = "127.0.0.2";
		l->test_clean = "127.0.0.1";
	} else if (l->kind == BL_IPV6) {
		l->test_listed = "::ffff:7f00:2";
		l->test_clean = "::ffff:7f00:1";
	} else {
		l->test_listed = "test";
		l->test_clean = "invalid";
	}
	if ((test = json_object_get(o, "test")) != NULL) {
		const char *tl, *tc;
		struct ipaddr ip;

		if (!json_is_object(test))
			return bad(c, "test", "must be an object {listed, "
			    "clean}");
		if (!get_str(c, test, "listed", true, &tl) ||
		    !get_str(c, test, "clean", true, &tc))
			return false;
		if (l->kind == BL_DOMAIN ? !dns_name_valid(tl, strlen(tl)) ||
		    !dns_name_valid(tc, strlen(tc)) :
		    !ip_parse_family(tl, strlen(tl), l->kind == BL_IPV4 ? 4 :
		    6, &ip) || !ip_parse_family(tc, strlen(tc),
		    l->kind == BL_IPV4 ? 4 : 6, &ip))
			return bad(c, "test", "test points must be of the "
			    "list's kind");
		l->test_listed = tl;
		l->test_clean = tc;
	}
	if ((unv = json_object_get(o, "unverified")) != NULL) {
		if (!json_is_array(unv))
			return bad(c, "unverified", "must be a list of "
			    "{field, why}");
		l->nunverified = json_array_size(unv);
	}
	return true;
}

static struct bl_set *
parse(const char *name, const char *data, size_t len, char *err,
    size_t errsize)
{
	struct bl_set *s;
	struct ctx c;
	json_error_t jerr;
	json_t *root, *lists, *e;
	size_t i;
	bool ok = true;

	if (len > BL_MAX_FILE) {
		buf_errf(err, errsize, "%s: larger than %u bytes", name,
		    BL_MAX_FILE);
		return NULL;
	}
	if ((root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		buf_errf(err, errsize, "%s:%d:%d: invalid JSON: %s", name,
		    jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		json_decref(root);
		buf_errf(err, errsize, "%s: out of memory", name);
		return NULL;
	}
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.file = name;
	c.err = err;
	c.errsize = errsize;
	lists = json_object_get(root, "lists");
	if (!json_is_array(lists) || json_array_size(lists) == 0)
		ok = bad(&c, "lists", "must be a non-empty list");
	else if (json_array_size(lists) > BL_MAX_LISTS)
		ok = bad(&c, "lists", "too many lists");
	if (ok) {
		json_array_foreach(lists, i, e) {
			snprintf(c.where, sizeof(c.where), "lists[%zu]", i);
			if (!(ok = parse_list(&c, e, &s->list[i])))
				break;
			for (size_t k = 0; k < i; k++)
				if (strcmp(s->list[k].id, s->list[i].id) == 0) {
					ok = bad(&c, "id", "repeats an earlier "
					    "list's");
					break;
				}
			if (!ok)
				break;
			s->n++;
		}
	}
	json_decref(root);
	if (!ok) {
		blocklist_free(s);
		return NULL;
	}
	return s;
}

struct bl_set *
blocklist_load_mem(const char *name, const char *data, size_t len, char *err,
    size_t errsize)
{
	return parse(name, data, len, err, errsize);
}

struct bl_set *
blocklist_load(const char *path, char *err, size_t errsize)
{
	struct bl_set *s;
	FILE *f;
	char *data;
	size_t n;

	if (path == NULL)
		path = blocklist_default_path();
	if ((f = fopen(path, "rb")) == NULL) {
		buf_errf(err, errsize, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((data = malloc(BL_MAX_FILE + 1)) == NULL) {
		fclose(f);
		buf_errf(err, errsize, "%s: out of memory", path);
		return NULL;
	}
	n = fread(data, 1, BL_MAX_FILE + 1, f);
	if (ferror(f)) {
		fclose(f);
		free(data);
		buf_errf(err, errsize, "%s: read error", path);
		return NULL;
	}
	fclose(f);
	s = parse(path, data, n, err, errsize);
	free(data);
	return s;
}

void
blocklist_free(struct bl_set *s)
{
	if (s == NULL)
		return;
	arena_free(&s->a);
	free(s);
}

size_t
blocklist_count(const struct bl_set *s)
{
	return s != NULL ? s->n : 0;
}

const struct bl_list *
blocklist_get(const struct bl_set *s, size_t i)
{
	return s != NULL && i < s->n ? &s->list[i] : NULL;
}

const char *
blocklist_default_path(void)
{
	static char path[4200];
	const char *dir = providers_default_dir();
	const char *slash = strrchr(dir, '/');

	/* data/providers/ -> data/blocklists.json */
	snprintf(path, sizeof(path), "%.*s/blocklists.json",
	    slash != NULL ? (int)(slash - dir) : 1, slash != NULL ? dir : ".");
	return path;
}

const char *
blocklist_kind_name(enum bl_kind k)
{
	return k == BL_IPV4 ? "ipv4" : k == BL_IPV6 ? "ipv6" : "domain";
}

const char *
blocklist_role_name(unsigned role)
{
	switch (role) {
	case BL_ROLE_MX:
		return "mx";
	case BL_ROLE_SENDER:
		return "sender";
	case BL_ROLE_SPF:
		return "spf";
	case BL_ROLE_DOMAIN:
		return "domain";
	default:
		return "?";
	}
}

const struct bl_code *
blocklist_error(const struct bl_list *l, uint32_t code)
{
	for (size_t i = 0; i < l->nerrors; i++)
		if (code >= l->errors[i].lo && code <= l->errors[i].hi)
			return &l->errors[i];
	return NULL;
}

size_t
blocklist_match(const struct bl_list *l, uint32_t code,
    const struct bl_code **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < l->ncodes && n < max; i++) {
		const struct bl_code *k = &l->codes[i];

		if (l->bitmask ? (code & 0xff & k->lo) != 0 :
		    code >= k->lo && code <= k->hi)
			out[n++] = k;
	}
	return n;
}
