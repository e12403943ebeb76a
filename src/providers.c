/*
 * providers.c -- load and validate the provider templates (providers.h).
 *
 * jansson is included here as well as in render_json.c: an agreed exception
 * to the one-module-per-library rule (HACKING.md), because render_json.c
 * writes JSON while this module reads the template files.  Everything is
 * copied into plain structs so no jansson type leaves this file.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "dns.h"
#include "pattern.h"
#include "providers.h"
#include "spf.h"

#ifndef AUTHCHECK_DATADIR
#define AUTHCHECK_DATADIR "/usr/local/share/authcheck"
#endif

/* One provider plus the memory behind its const pointers. */
struct provider_priv {
	struct provider pub;
	char **strs;			/* every string we allocated */
	size_t nstrs, capstrs;
	char **arrays[4];		/* includes, selectors, mx (+ spare) */
	struct provider_unverified *unv;
	struct pattern **fp[3];
};

struct provider_set {
	struct provider_priv *v;
	size_t n;
};

/* ---- small helpers ---------------------------------------------------- */


static bool
is_lower_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Template ids: [a-z0-9-]{1,32}, not starting with '-'. */
static bool
valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* A host name as templates write it: letters, digits, '-', '_', '.', and
 * '{' '}' around placeholders; 1..253 bytes, no empty label. */
static bool
valid_hostish(const char *s, bool placeholders)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!(is_lower_alnum(c) || (c >= 'A' && c <= 'Z') ||
		    c == '-' || c == '_' ||
		    (placeholders && (c == '{' || c == '}'))))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

/* A name an SPF record can use as include target (RFC 7208 §7.1
 * domain-end): host name syntax and a top label that is not all digits. */
static bool
valid_spf_domain(const char *s)
{
	struct buf rec;
	struct spf_record *sr;
	bool ok;

	/* The SPF parser is the judge: an accepted include must make a
	 * record that parses (RFC 7208 domain-end: the top label is letters,
	 * digits and inner hyphens, not all digits). */
	if (!valid_hostish(s, false) || strchr(s, '.') == NULL)
		return false;
	/* Host-name labels (RFC 1123): no hyphen at either end.  The SPF
	 * grammar itself allows them below the top label. */
	for (const char *p = s; *p != '\0'; p++)
		if (*p == '-' && (p == s || p[-1] == '.' || p[1] == '\0' ||
		    p[1] == '.'))
			return false;
	buf_init(&rec, BUF_MAX_NAME);
	buf_adds(&rec, "v=spf1 include:");
	buf_adds(&rec, s);
	if (rec.err) {
		buf_free(&rec);
		return false;
	}
	sr = spf_parse(buf_str(&rec), rec.len);
	ok = sr != NULL && sr->nerrs == 0;
	spf_record_free(sr);
	buf_free(&rec);
	return ok;
}

static char *
keep(struct provider_priv *pp, const char *s)
{
	char *c;

	if (pp->nstrs == pp->capstrs) {
		size_t ncap = pp->capstrs ? pp->capstrs * 2 : 32;
		char **nv = realloc(pp->strs, ncap * sizeof(*nv));

		if (nv == NULL)
			return NULL;
		pp->strs = nv;
		pp->capstrs = ncap;
	}
	if ((c = buf_strdup(s)) == NULL)
		return NULL;
	pp->strs[pp->nstrs++] = c;
	return c;
}

static void
priv_free(struct provider_priv *pp)
{
	for (size_t i = 0; i < pp->nstrs; i++)
		free(pp->strs[i]);
	free(pp->strs);
	for (size_t i = 0; i < 4; i++)
		free(pp->arrays[i]);
	free(pp->unv);
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < pp->pub.nfp[k]; i++)
			pattern_free(pp->fp[k][i]);
		free(pp->fp[k]);
	}
	memset(pp, 0, sizeof(*pp));
}

/* ---- one template ------------------------------------------------------ */

struct ctx {
	const char *file;	/* base name, for messages */
	char *err;
	size_t errsize;
	struct provider_priv *pp;
};

static bool
fail(struct ctx *c, const char *field, const char *what)
{
	buf_errf(c->err, c->errsize, "%s: %s: %s", c->file, field, what);
	return false;
}

/* Only the listed keys may appear in obj (typos are errors, not silence). */
static bool
only_keys(struct ctx *c, json_t *obj, const char *where,
    const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		size_t i;

		(void)v;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			char f[160];

			snprintf(f, sizeof(f), "%s%s%s", where,
			    where[0] ? "." : "", key);
			return fail(c, f, "unknown field");
		}
	}
	return true;
}

/* A required (or, with optional, possibly absent/null) string field. */
static bool
get_str(struct ctx *c, json_t *obj, const char *key, const char *field,
    bool optional, size_t max, const char **out)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (optional)
			return true;
		return fail(c, field, "missing");
	}
	if (!json_is_string(v))
		return fail(c, field, "must be a string");
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return fail(c, field, "contains a NUL byte");
	if (s[0] == '\0' || json_string_length(v) > max)
		return fail(c, field, "empty or too long");
	/* Names and notes reach terminals: no escape sequences. */
	for (const char *q = s; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q == 0x7f)
			return fail(c, field, "contains a control character");
	if ((*out = keep(c->pp, s)) == NULL)
		return fail(c, field, "out of memory");
	return true;
}

static bool
one_of(struct ctx *c, const char *field, const char *s, const char *a,
    const char *b)
{
	char what[96];

	if (s == NULL || strcmp(s, a) == 0 || strcmp(s, b) == 0)
		return true;
	snprintf(what, sizeof(what), "must be \"%s\" or \"%s\"", a, b);
	return fail(c, field, what);
}

enum str_kind { SK_DOMAIN, SK_HOST_PLACEHOLDER, SK_SELECTOR };

/* An array of strings into a NULL-free char * array (slot in arrays[]). */
static bool
get_str_array(struct ctx *c, json_t *obj, const char *key, const char *field,
    enum str_kind kind, size_t slot, const char *const **out, size_t *nout)
{
	json_t *arr = json_object_get(obj, key), *v;
	char **vec;
	size_t i;

	*out = NULL;
	*nout = 0;
	if (arr == NULL)
		return fail(c, field, "missing");
	if (!json_is_array(arr))
		return fail(c, field, "must be an array of strings");
	if (json_array_size(arr) > PROVIDERS_MAX_LIST)
		return fail(c, field, "too many entries");
	if (json_array_size(arr) == 0)
		return true;
	if ((vec = calloc(json_array_size(arr), sizeof(*vec))) == NULL)
		return fail(c, field, "out of memory");
	c->pp->arrays[slot] = vec;
	json_array_foreach(arr, i, v) {
		const char *s;
		char f[96];
		bool ok;

		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		if (!json_is_string(v))
			return fail(c, f, "must be a string");
		s = json_string_value(v);
		if (strlen(s) != json_string_length(v))
			return fail(c, f, "contains a NUL byte");
		switch (kind) {
		case SK_DOMAIN:
			ok = valid_spf_domain(s);
			break;
		case SK_HOST_PLACEHOLDER:
			ok = valid_hostish(s, true);
			break;
		default:
			ok = valid_hostish(s, true) && strlen(s) <= 63 * 4;
			break;
		}
		if (!ok)
			return fail(c, f, "not a valid host name");
		if ((vec[i] = keep(c->pp, s)) == NULL)
			return fail(c, f, "out of memory");
	}
	*out = (const char *const *)vec;
	*nout = json_array_size(arr);
	return true;
}

static bool
get_patterns(struct ctx *c, json_t *fps, const char *key, int clue)
{
	json_t *arr = json_object_get(fps, key), *v;
	struct provider_priv *pp = c->pp;
	size_t i;
	char field[64];

	snprintf(field, sizeof(field), "fingerprints.%s", key);
	if (arr == NULL)
		return fail(c, field, "missing");
	if (!json_is_array(arr))
		return fail(c, field, "must be an array of patterns");
	if (json_array_size(arr) > PROVIDERS_MAX_LIST)
		return fail(c, field, "too many entries");
	if (json_array_size(arr) == 0)
		return true;
	if ((pp->fp[clue] = calloc(json_array_size(arr),
	    sizeof(*pp->fp[clue]))) == NULL)
		return fail(c, field, "out of memory");
	json_array_foreach(arr, i, v) {
		char f[96], perr[160];
		struct pattern *pat;

		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		if (!json_is_string(v))
			return fail(c, f, "must be a string");
		pat = pattern_compile(json_string_value(v),
		    json_string_length(v), perr, sizeof(perr));
		if (pat == NULL)
			return fail(c, f, perr);
		pp->fp[clue][pp->pub.nfp[clue]++] = pat;
	}
	pp->pub.fp[clue] = (struct pattern *const *)pp->fp[clue];
	return true;
}

static bool
get_unverified(struct ctx *c, json_t *root)
{
	json_t *arr = json_object_get(root, "unverified"), *v;
	struct provider_priv *pp = c->pp;
	size_t i;
	static const char *const keys[] = { "field", "why", NULL };

	if (arr == NULL)
		return fail(c, "unverified", "missing (use [] when every value "
		    "was confirmed)");
	if (!json_is_array(arr))
		return fail(c, "unverified", "must be an array");
	if (json_array_size(arr) > PROVIDERS_MAX_LIST)
		return fail(c, "unverified", "too many entries");
	if (json_array_size(arr) == 0)
		return true;
	if ((pp->unv = calloc(json_array_size(arr), sizeof(*pp->unv))) ==
	    NULL)
		return fail(c, "unverified", "out of memory");
	json_array_foreach(arr, i, v) {
		char f[64], ff[80], fw[80];

		snprintf(f, sizeof(f), "unverified[%zu]", i);
		snprintf(ff, sizeof(ff), "%s.field", f);
		snprintf(fw, sizeof(fw), "%s.why", f);
		if (!json_is_object(v))
			return fail(c, f, "must be an object {field, why}");
		if (!only_keys(c, v, f, keys) ||
		    !get_str(c, v, "field", ff, false, 64, &pp->unv[i].field) ||
		    !get_str(c, v, "why", fw, false, 1024, &pp->unv[i].why))
			return false;
	}
	pp->pub.unverified = pp->unv;
	pp->pub.nunverified = json_array_size(arr);
	return true;
}

static bool
parse_template(struct ctx *c, json_t *root, const char *stem)
{
	static const char *const top[] = { "id", "name", "kind", "spf", "dkim",
	    "mx", "fingerprints", "docs", "unverified", NULL };
	static const char *const spfk[] = { "includes", "where", "lookups",
	    "note", "return_path", NULL };
	static const char *const rpk[] = { "host", "type", "target", NULL };
	static const char *const dkimk[] = { "type", "selectors", "target",
	    NULL };
	static const char *const fpk[] = { "spf_include", "mx", "cname",
	    NULL };
	struct provider *p = &c->pp->pub;
	json_t *spf, *dkim, *fps, *rp, *lk;

	if (!json_is_object(root))
		return fail(c, "(top)", "must be a JSON object");
	if (!only_keys(c, root, "", top))
		return false;
	if (!get_str(c, root, "id", "id", false, 32, &p->id))
		return false;
	if (!valid_id(p->id))
		return fail(c, "id", "must be 1..32 of [a-z0-9-]");
	if (strcmp(p->id, stem) != 0)
		return fail(c, "id", "must equal the file name without .json");
	if (!get_str(c, root, "name", "name", false, 128, &p->name) ||
	    !get_str(c, root, "kind", "kind", false, 16, &p->kind) ||
	    !one_of(c, "kind", p->kind, "mailbox", "sender"))
		return false;

	if ((spf = json_object_get(root, "spf")) == NULL || !json_is_object(spf))
		return fail(c, "spf", "missing or not an object");
	if (!only_keys(c, spf, "spf", spfk) ||
	    !get_str_array(c, spf, "includes", "spf.includes", SK_DOMAIN, 0,
	    &p->spf_includes, &p->nspf_includes) ||
	    !get_str(c, spf, "where", "spf.where", false, 16, &p->spf_where) ||
	    !one_of(c, "spf.where", p->spf_where, "apex", "return-path") ||
	    !get_str(c, spf, "note", "spf.note", true, 1024, &p->spf_note))
		return false;
	lk = json_object_get(spf, "lookups");
	if (lk == NULL || !json_is_integer(lk) || json_integer_value(lk) < 0 ||
	    json_integer_value(lk) > 10)
		return fail(c, "spf.lookups", "must be an integer 0..10");
	p->spf_lookups = (unsigned)json_integer_value(lk);
	if ((rp = json_object_get(spf, "return_path")) != NULL) {
		if (!json_is_object(rp))
			return fail(c, "spf.return_path", "must be an object");
		if (!only_keys(c, rp, "spf.return_path", rpk) ||
		    !get_str(c, rp, "host", "spf.return_path.host", false, 63,
		    &p->rp_host) ||
		    !get_str(c, rp, "type", "spf.return_path.type", false, 8,
		    &p->rp_type) ||
		    !one_of(c, "spf.return_path.type", p->rp_type, "cname",
		    "txt") ||
		    !get_str(c, rp, "target", "spf.return_path.target", true,
		    253, &p->rp_target))
			return false;
		if (!valid_hostish(p->rp_host, false) ||
		    strchr(p->rp_host, '.') != NULL)
			return fail(c, "spf.return_path.host", "must be one "
			    "DNS label");
		if (strcmp(p->rp_type, "cname") == 0 && p->rp_target == NULL)
			return fail(c, "spf.return_path.target", "required "
			    "when type is \"cname\"");
		if (p->rp_target != NULL && !valid_spf_domain(p->rp_target))
			return fail(c, "spf.return_path.target", "not a valid "
			    "host name");
	}
	if (strcmp(p->spf_where, "apex") == 0 && p->nspf_includes == 0)
		return fail(c, "spf.includes", "an apex provider needs at "
		    "least one include");

	if ((dkim = json_object_get(root, "dkim")) == NULL ||
	    !json_is_object(dkim))
		return fail(c, "dkim", "missing or not an object");
	if (!only_keys(c, dkim, "dkim", dkimk) ||
	    !get_str(c, dkim, "type", "dkim.type", false, 8, &p->dkim_type) ||
	    !one_of(c, "dkim.type", p->dkim_type, "txt", "cname") ||
	    !get_str_array(c, dkim, "selectors", "dkim.selectors",
	    SK_SELECTOR, 1, &p->dkim_selectors, &p->ndkim_selectors) ||
	    !get_str(c, dkim, "target", "dkim.target", true, 253,
	    &p->dkim_target))
		return false;
	if (p->dkim_target != NULL && !valid_hostish(p->dkim_target, true))
		return fail(c, "dkim.target", "not a host name pattern");

	if (!get_str_array(c, root, "mx", "mx", SK_HOST_PLACEHOLDER, 2, &p->mx,
	    &p->nmx))
		return false;
	if (strcmp(p->kind, "mailbox") == 0 && p->nmx == 0)
		return fail(c, "mx", "a mailbox provider needs its MX hosts");

	if ((fps = json_object_get(root, "fingerprints")) == NULL ||
	    !json_is_object(fps))
		return fail(c, "fingerprints", "missing or not an object");
	if (!only_keys(c, fps, "fingerprints", fpk) ||
	    !get_patterns(c, fps, "spf_include", PROVIDER_CLUE_SPF_INCLUDE) ||
	    !get_patterns(c, fps, "mx", PROVIDER_CLUE_MX) ||
	    !get_patterns(c, fps, "cname", PROVIDER_CLUE_CNAME))
		return false;

	if (!get_str(c, root, "docs", "docs", false, 512, &p->docs))
		return false;
	if (strncmp(p->docs, "https://", 8) != 0)
		return fail(c, "docs", "must be an https:// URL");
	return get_unverified(c, root);
}

/* Parse one template held in data[0..n) as file `name` into pp. */
static bool
parse_buf(const char *name, const char *data, size_t n,
    struct provider_priv *pp, char *err, size_t errsize)
{
	struct ctx c = { name, err, errsize, pp };
	char stem[64];
	json_error_t jerr;
	json_t *root;
	size_t sl;
	bool ok;

	sl = strlen(name);
	if (sl <= 5 || strcmp(name + sl - 5, ".json") != 0 ||
	    sl - 5 >= sizeof(stem)) {
		buf_errf(err, errsize, "%s: not a NAME.json file name", name);
		return false;
	}
	memcpy(stem, name, sl - 5);
	stem[sl - 5] = '\0';
	if (n > PROVIDERS_MAX_FILE) {
		buf_errf(err, errsize, "%s: larger than 64 KiB", name);
		return false;
	}
	root = json_loadb(data, n, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		buf_errf(err, errsize, "%s:%d:%d: invalid JSON: %s", name,
		    jerr.line, jerr.column, jerr.text);
		return false;
	}
	ok = parse_template(&c, root, stem);
	json_decref(root);
	return ok;
}

/* Read path (at most PROVIDERS_MAX_FILE bytes) and parse it into pp. */
static bool
load_file(const char *dir, const char *name, struct provider_priv *pp,
    char *err, size_t errsize)
{
	char path[4096];
	FILE *f;
	char *data;
	size_t n;
	bool ok;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		buf_errf(err, errsize, "%s: path too long", name);
		return false;
	}
	if ((f = fopen(path, "rb")) == NULL) {
		buf_errf(err, errsize, "%s: %s", path, strerror(errno));
		return false;
	}
	if ((data = malloc(PROVIDERS_MAX_FILE + 1)) == NULL) {
		fclose(f);
		buf_errf(err, errsize, "%s: out of memory", name);
		return false;
	}
	n = fread(data, 1, PROVIDERS_MAX_FILE + 1, f);
	ok = !ferror(f);
	fclose(f);
	if (!ok) {
		free(data);
		buf_errf(err, errsize, "%s: read error", name);
		return false;
	}
	ok = parse_buf(name, data, n, pp, err, errsize);
	free(data);
	return ok;
}

struct provider_set *
providers_load_mem(const char *name, const char *data, size_t len, char *err,
    size_t errsize)
{
	struct provider_set *ps = calloc(1, sizeof(*ps));

	if (ps == NULL || (ps->v = calloc(1, sizeof(*ps->v))) == NULL) {
		free(ps);
		buf_errf(err, errsize, "out of memory");
		return NULL;
	}
	ps->n = 1;
	if (!parse_buf(name, data, len, &ps->v[0], err, errsize)) {
		providers_free(ps);
		return NULL;
	}
	return ps;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
has_json_suffix(const char *s)
{
	size_t n = strlen(s);

	return n > 5 && strcmp(s + n - 5, ".json") == 0 && s[0] != '.';
}

struct provider_set *
providers_load(const char *dir, char *err, size_t errsize)
{
	struct provider_set *ps = NULL;
	char *names[PROVIDERS_MAX];
	size_t nnames = 0;
	struct dirent *de;
	DIR *d;

	if (dir == NULL)
		dir = providers_default_dir();
	if ((d = opendir(dir)) == NULL) {
		buf_errf(err, errsize, "cannot read provider templates in %s: %s",
		    dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (!has_json_suffix(de->d_name))
			continue;
		if (nnames == PROVIDERS_MAX) {
			buf_errf(err, errsize, "%s: more than %d templates", dir,
			    PROVIDERS_MAX);
			goto out;
		}
		if ((names[nnames] = buf_strdup(de->d_name)) == NULL) {
			buf_errf(err, errsize, "out of memory");
			goto out;
		}
		nnames++;
	}
	if (nnames == 0) {
		buf_errf(err, errsize, "no provider templates (*.json) in %s",
		    dir);
		goto out;
	}
	qsort(names, nnames, sizeof(names[0]), cmp_names);
	if ((ps = calloc(1, sizeof(*ps))) == NULL ||
	    (ps->v = calloc(nnames, sizeof(*ps->v))) == NULL) {
		free(ps);
		ps = NULL;
		buf_errf(err, errsize, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nnames; i++) {
		ps->n = i + 1;	/* so providers_free releases this one too */
		if (!load_file(dir, names[i], &ps->v[i], err, errsize)) {
			providers_free(ps);
			ps = NULL;
			goto out;
		}
	}
out:
	closedir(d);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	return ps;
}

void
providers_free(struct provider_set *ps)
{
	if (ps == NULL)
		return;
	for (size_t i = 0; i < ps->n; i++)
		priv_free(&ps->v[i]);
	free(ps->v);
	free(ps);
}

size_t
providers_count(const struct provider_set *ps)
{
	return ps == NULL ? 0 : ps->n;
}

const struct provider *
providers_get(const struct provider_set *ps, size_t i)
{
	if (ps == NULL || i >= ps->n)
		return NULL;
	return &ps->v[i].pub;
}

const struct provider *
providers_find(const struct provider_set *ps, const char *id)
{
	for (size_t i = 0; i < providers_count(ps); i++)
		if (strcasecmp(ps->v[i].pub.id, id) == 0)
			return &ps->v[i].pub;
	return NULL;
}

const struct provider *
providers_recognise(const struct provider_set *ps, enum provider_clue clue,
    const char *name)
{
	size_t n;

	if (name == NULL || (unsigned)clue > PROVIDER_CLUE_CNAME)
		return NULL;
	n = dns_name_trim(name, strlen(name));
	for (size_t i = 0; i < providers_count(ps); i++) {
		const struct provider *p = &ps->v[i].pub;

		for (size_t k = 0; k < p->nfp[clue]; k++)
			if (pattern_match(p->fp[clue][k], name, n))
				return p;
	}
	return NULL;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *
providers_default_dir(void)
{
	static char dir[4096];
	const char *env = getenv("AUTHCHECK_DATADIR");
	char exe[4096];
	ssize_t n;

	if (env != NULL && env[0] != '\0') {
		snprintf(dir, sizeof(dir), "%s/providers", env);
		return dir;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(dir, sizeof(dir),
			    "%s/data/providers", exe) < sizeof(dir) &&
			    is_dir(dir))
				return dir;
		}
	}
	snprintf(dir, sizeof(dir), "%s/providers", AUTHCHECK_DATADIR);
	return dir;
}
