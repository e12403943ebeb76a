/*
 * test_openspf.c -- run the openspf conformance suites (rfc7208-tests.yml,
 * rfc4408-tests.yml, shipped by python3-spf) against spf_check_host() over
 * the zone backend.
 *
 * Each YAML document is one section: its zonedata becomes a fresh zone
 * resolver, then every test runs check_host(host, mailfrom, helo) and the
 * result (and, when given, the explanation) is compared.  The zonedata
 * conventions follow pyspf's testspf.py, the suite's reference driver:
 *
 *   - entries of a name are read in order up to a TIMEOUT entry; a query
 *     for a type with no entry before TIMEOUT times out, entries after it
 *     are never seen (testspf returns or raises on reaching TIMEOUT);
 *   - a name with no TXT entry serves its SPF entries as TXT, but those
 *     generated TXT records come after TIMEOUT, so with a TIMEOUT at the
 *     name its TXT query times out;
 *   - "TXT: NONE" means no TXT record (and no generated one);
 *   - absent name: NXDOMAIN; present name without the type: NODATA;
 *   - TXT/SPF value: a string or a list of strings (the character-strings
 *     of ONE record).  Strings over 255 bytes cannot exist on the wire, so
 *     they are cut into 255-byte pieces, which join back to the same text.
 *
 * testspf also times out absent names whose first label is "error"; no
 * case of either suite uses such a name, so it is not mirrored.
 *
 * Environment: OPENSPF_RFC7208, OPENSPF_RFC4408 (suite files, gzip or
 * plain YAML), OPENSPF_EXCLUSIONS (the rfc4408 exclusion list),
 * OPENSPF_VERBOSE=1 (also print excluded cases' results), OPENSPF_ONLY=name
 * (run one test case only).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "dns.h"
#include "ip.h"
#include "spf.h"

#define DEFAULT_7208	"/usr/share/doc/python3-spf/rfc7208-tests.yml.gz"
#define DEFAULT_4408	"/usr/share/doc/python3-spf/rfc4408-tests.yml.gz"
#define DEFAULT_EXCL	"tests/suite/rfc4408-exclusions.txt"
#define MAX_EXCL	256
#define MAX_STRS	64	/* character-strings in one TXT record */

struct counts {
	unsigned pass, fail, excluded;
};

struct exclusions {
	size_t n;
	char *name[MAX_EXCL];
	bool used[MAX_EXCL];
};

static bool verbose;
static const char *only;

/* ---- YAML helpers ----------------------------------------------------- */

static yaml_node_t *
node(yaml_document_t *doc, yaml_node_item_t id)
{
	return yaml_document_get_node(doc, id);
}

/* Scalar text as a NUL-terminated string (libyaml terminates scalars). */
static const char *
scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static size_t
scalar_len(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

/* The value of key in a mapping node, or NULL. */
static yaml_node_t *
map_get(yaml_document_t *doc, const yaml_node_t *map, const char *key)
{
	const yaml_node_pair_t *pr;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = map->data.mapping.pairs.start;
	    pr < map->data.mapping.pairs.top; pr++) {
		const char *k = scalar(node(doc, pr->key));

		if (k != NULL && strcmp(k, key) == 0)
			return node(doc, pr->value);
	}
	return NULL;
}

/* ---- zonedata --------------------------------------------------------- */

/* Owner name as the zone wants it: no trailing dot. */
static char *
owner_name(const char *s)
{
	size_t len = strlen(s);
	char *o;

	while (len > 0 && s[len - 1] == '.')
		len--;
	o = malloc(len + 1);
	if (o == NULL)
		return NULL;
	memcpy(o, s, len);
	o[len] = '\0';
	return o;
}

/* Add one TXT record from a scalar or a sequence of scalars. */
static int
add_txt(struct dns_resolver *r, yaml_document_t *doc, const char *owner,
    const yaml_node_t *v)
{
	struct dns_str strs[MAX_STRS];
	struct dns_rr rr;
	const yaml_node_t *parts[MAX_STRS];
	size_t nparts = 0, n = 0, total = 0, i;

	if (v->type == YAML_SCALAR_NODE) {
		parts[nparts++] = v;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		const yaml_node_item_t *it;

		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			if (nparts == MAX_STRS)
				return -1;
			parts[nparts++] = node(doc, *it);
		}
	} else {
		return -1;
	}
	/* "SPF: [ ]" has no strings; a TXT RR needs one.  An empty string
	 * joins to the same empty text. */
	if (nparts == 0) {
		strs[n].p = "";
		strs[n].len = 0;
		n++;
	}
	for (i = 0; i < nparts; i++) {
		const char *p = scalar(parts[i]);
		size_t len, off = 0;

		if (p == NULL)
			return -1;
		len = scalar_len(parts[i]);
		do {	/* an empty string is still one character-string */
			size_t piece = len - off > 255 ? 255 : len - off;

			if (n == MAX_STRS)
				return -1;
			strs[n].p = p + off;
			strs[n].len = (uint8_t)piece;
			n++;
			off += piece;
			total += piece;
		} while (off < len);
	}
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.ttl = 3600;
	rr.owner = owner;
	rr.u.txt.n = n;
	rr.u.txt.s = strs;
	rr.u.txt.total = total;
	return dns_zone_add_rr(r, owner, &rr);
}

/* Add one non-TXT entry {TYPE: value}.  Returns 0, -1 on bad data. */
static int
add_entry(struct dns_resolver *r, yaml_document_t *doc, const char *owner,
    const char *type, const yaml_node_t *v)
{
	struct dns_rr rr;
	const char *s = scalar(v);

	memset(&rr, 0, sizeof(rr));
	rr.ttl = 3600;
	rr.owner = owner;
	if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
		int fam = type[1] == '\0' ? 4 : 6;

		if (s == NULL || !ip_parse_family(s, scalar_len(v), fam,
		    &rr.u.addr))
			return -1;
		rr.type = fam == 4 ? DNS_T_A : DNS_T_AAAA;
	} else if (strcmp(type, "MX") == 0) {
		const yaml_node_t *pref, *host;
		char *end;
		unsigned long p;

		if (v->type != YAML_SEQUENCE_NODE ||
		    v->data.sequence.items.top -
		    v->data.sequence.items.start != 2)
			return -1;
		pref = node(doc, v->data.sequence.items.start[0]);
		host = node(doc, v->data.sequence.items.start[1]);
		if (scalar(pref) == NULL || scalar(host) == NULL)
			return -1;
		p = strtoul(scalar(pref), &end, 10);
		if (*end != '\0' || p > 65535)
			return -1;
		rr.type = DNS_T_MX;
		rr.u.mx.pref = (uint16_t)p;
		rr.u.mx.host = scalar(host);
		/* "." is the null MX; dns.h spells it "". */
		if (strcmp(rr.u.mx.host, ".") == 0)
			rr.u.mx.host = "";
	} else if (strcmp(type, "PTR") == 0 || strcmp(type, "CNAME") == 0) {
		if (s == NULL)
			return -1;
		rr.type = type[0] == 'P' ? DNS_T_PTR : DNS_T_CNAME;
		rr.u.target = s;
	} else {
		return -1;
	}
	return dns_zone_add_rr(r, owner, &rr);
}

/* Load one name's entries (see the file comment for the conventions). */
static int
load_name(struct dns_resolver *r, yaml_document_t *doc, const char *owner,
    const yaml_node_t *list)
{
	const yaml_node_item_t *it;
	const yaml_node_t *spf[MAX_STRS];
	size_t nspf = 0, i;
	bool have_txt = false;

	if (scalar(list) != NULL) {	/* name: TIMEOUT */
		if (strcmp(scalar(list), "TIMEOUT") != 0)
			return -1;
		return dns_zone_add_timeout(r, owner, false);
	}
	if (list->type != YAML_SEQUENCE_NODE)
		return -1;
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		const yaml_node_t *e = node(doc, *it);
		const yaml_node_pair_t *pr;

		if (scalar(e) != NULL) {
			if (strcmp(scalar(e), "TIMEOUT") != 0)
				return -1;
			/* Entries after it, and generated TXT, are unseen. */
			return dns_zone_add_timeout(r, owner, false);
		}
		if (e->type != YAML_MAPPING_NODE)
			return -1;
		for (pr = e->data.mapping.pairs.start;
		    pr < e->data.mapping.pairs.top; pr++) {
			const char *type = scalar(node(doc, pr->key));
			const yaml_node_t *v = node(doc, pr->value);

			if (type == NULL || v == NULL)
				return -1;
			/* {TYPE: TIMEOUT} (one type timing out) is not used
			 * by either suite and has no zone-backend form. */
			if (scalar(v) != NULL && strcmp(scalar(v), "TIMEOUT") == 0)
				return -1;
			if (strcmp(type, "TXT") == 0) {
				have_txt = true;
				if (scalar(v) != NULL &&
				    strcmp(scalar(v), "NONE") == 0)
					continue;
				if (add_txt(r, doc, owner, v) != 0)
					return -1;
			} else if (strcmp(type, "SPF") == 0) {
				/* Type 99 is never queried under RFC 7208;
				 * served only as generated TXT. */
				if (nspf == MAX_STRS)
					return -1;
				spf[nspf++] = v;
			} else if (add_entry(r, doc, owner, type, v) != 0) {
				return -1;
			}
		}
	}
	if (!have_txt)
		for (i = 0; i < nspf; i++)
			if (add_txt(r, doc, owner, spf[i]) != 0)
				return -1;
	return 0;
}

static struct dns_resolver *
load_zone(yaml_document_t *doc, const yaml_node_t *zd, char *owner_out,
    size_t owner_size)
{
	struct dns_resolver *r = dns_zone_new();
	const yaml_node_pair_t *pr;

	if (r == NULL)
		return NULL;
	if (zd == NULL)		/* a section without zonedata: all NXDOMAIN */
		return r;
	if (zd->type != YAML_MAPPING_NODE)
		goto bad;
	for (pr = zd->data.mapping.pairs.start;
	    pr < zd->data.mapping.pairs.top; pr++) {
		const char *name = scalar(node(doc, pr->key));
		char *owner;
		int rc;

		if (name == NULL)
			goto bad;
		snprintf(owner_out, owner_size, "%s", name);
		owner = owner_name(name);
		if (owner == NULL)
			goto bad;
		rc = load_name(r, doc, owner, node(doc, pr->value));
		free(owner);
		if (rc != 0)
			goto bad;
	}
	return r;
bad:
	dns_free(r);
	return NULL;
}

/* ---- exclusions ------------------------------------------------------- */

/* Read "testname  # reason" lines.  Returns -1 when the file is missing:
 * running rfc4408 without its list would report changed cases as
 * failures, and silently running none would hide real ones. */
static int
load_exclusions(const char *path, struct exclusions *ex)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (f == NULL) {
		fprintf(stderr, "openspf: cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *e;

		e = strchr(p, '#');
		if (e == NULL)
			e = p + strlen(p);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\n' || e[-1] == '\r'))
			e--;
		if (e == p)
			continue;
		if (ex->n == MAX_EXCL)
			break;
		ex->name[ex->n] = strndup(p, (size_t)(e - p));
		if (ex->name[ex->n] == NULL)
			break;
		ex->n++;
	}
	fclose(f);
	return 0;
}

static bool
excluded(struct exclusions *ex, const char *name)
{
	size_t i;

	if (ex == NULL)
		return false;
	for (i = 0; i < ex->n; i++)
		if (strcmp(ex->name[i], name) == 0) {
			ex->used[i] = true;
			return true;
		}
	return false;
}

/* ---- running ---------------------------------------------------------- */

/* Does got match the expected result (a string or a list of them)? */
static bool
result_ok(yaml_document_t *doc, const yaml_node_t *want, const char *got)
{
	const yaml_node_item_t *it;

	if (scalar(want) != NULL)
		return strcmp(scalar(want), got) == 0;
	if (want->type != YAML_SEQUENCE_NODE)
		return false;
	for (it = want->data.sequence.items.start;
	    it < want->data.sequence.items.top; it++) {
		const char *s = scalar(node(doc, *it));

		if (s != NULL && strcmp(s, got) == 0)
			return true;
	}
	return false;
}

/* The expected result(s) as text for messages. */
static void
want_text(yaml_document_t *doc, const yaml_node_t *want, char *out,
    size_t size)
{
	const yaml_node_item_t *it;
	size_t used = 0;

	out[0] = '\0';
	if (scalar(want) != NULL) {
		snprintf(out, size, "%s", scalar(want));
		return;
	}
	if (want->type != YAML_SEQUENCE_NODE)
		return;
	for (it = want->data.sequence.items.start;
	    it < want->data.sequence.items.top && used < size; it++) {
		const char *s = scalar(node(doc, *it));
		int n = snprintf(out + used, size - used, "%s%s",
		    used > 0 ? "|" : "", s != NULL ? s : "?");

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Run one test; returns 1 pass, 0 fail (reported), -1 excluded. */
static int
run_test(struct dns_resolver *r, yaml_document_t *doc, const char *suite,
    const char *name, const yaml_node_t *t, struct exclusions *ex)
{
	const char *host = scalar(map_get(doc, t, "host"));
	const char *mailfrom = scalar(map_get(doc, t, "mailfrom"));
	const char *helo = scalar(map_get(doc, t, "helo"));
	const yaml_node_t *want = map_get(doc, t, "result");
	const char *wexp = scalar(map_get(doc, t, "explanation"));
	struct spf_eval_opts o;
	struct spf_eval_result res;
	char wtext[128];
	const char *got;
	bool ok, skip = excluded(ex, name);

	if (host == NULL || helo == NULL || want == NULL) {
		printf("FAIL %s %s: malformed test case\n", suite, name);
		return 0;
	}
	want_text(doc, want, wtext, sizeof(wtext));
	memset(&o, 0, sizeof(o));
	if (!ip_parse(host, strlen(host), &o.ip)) {
		printf("FAIL %s %s: bad host address '%s'\n", suite, name, host);
		return 0;
	}
	o.ip_text = host;
	o.ip_text = host;	/* as given: its case may show in %{i} */
	o.sender = mailfrom;	/* "" -> postmaster@helo, by the evaluator */
	o.helo = helo;
	o.domain = NULL;	/* derived from sender, then helo */
	memset(&res, 0, sizeof(res));
	if (spf_check_host(r, &o, &res) != 0) {
		printf("FAIL %s %s: spf_check_host internal failure\n",
		    suite, name);
		spf_eval_result_free(&res);
		return 0;
	}
	got = spf_result_name(res.result);
	ok = result_ok(doc, want, got);
	if (ok && wexp != NULL) {
		if (strcmp(wexp, "DEFAULT") == 0)
			ok = res.explanation == NULL;
		else
			ok = res.explanation != NULL &&
			    strcmp(res.explanation, wexp) == 0;
	}
	if (skip) {
		if (verbose)
			printf("excluded %s %s: rfc4408 expects %s, got %s%s\n",
			    suite, name, wtext, got, ok ? " (same)" : "");
	} else if (!ok) {
		printf("FAIL %s %s: expected %s", suite, name, wtext);
		if (wexp != NULL)
			printf(" exp=\"%s\"", wexp);
		printf(", got %s", got);
		if (wexp != NULL)
			printf(" exp=%s%s%s", res.explanation ? "\"" : "",
			    res.explanation ? res.explanation : "DEFAULT",
			    res.explanation ? "\"" : "");
		if (res.problem != NULL)
			printf(" (problem: %s)", res.problem);
		printf("\n");
	}
	spf_eval_result_free(&res);
	return skip ? -1 : ok ? 1 : 0;
}

static FILE *
open_suite(const char *path, bool *piped)
{
	size_t len = strlen(path);
	char cmd[1024];
	int n;

	*piped = len > 3 && strcmp(path + len - 3, ".gz") == 0;
	if (!*piped)
		return fopen(path, "rb");
	/* The path comes from our own default or the tester's environment;
	 * quote it for the shell all the same. */
	if (strchr(path, '\'') != NULL)
		return NULL;
	n = snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return NULL;
	return popen(cmd, "r");
}

/* Run every section of one suite file.  Returns -1 if it cannot be read. */
static int
run_suite(const char *suite, const char *path, struct exclusions *ex,
    struct counts *c)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	bool piped, done = false;
	int rc = 0;
	unsigned ntests = 0;
	FILE *f = open_suite(path, &piped);

	if (f == NULL) {
		fprintf(stderr, "openspf: cannot open %s\n", path);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	while (!done) {
		yaml_node_t *root, *tests;
		const yaml_node_pair_t *pr;
		struct dns_resolver *r;
		char lastname[256] = "";

		if (!yaml_parser_load(&parser, &doc)) {
			fprintf(stderr, "openspf: %s: YAML error: %s (line %lu)\n",
			    path, parser.problem ? parser.problem : "?",
			    (unsigned long)parser.problem_mark.line + 1);
			rc = -1;
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (root == NULL) {	/* end of the stream */
			yaml_document_delete(&doc);
			break;
		}
		tests = map_get(&doc, root, "tests");
		r = load_zone(&doc, map_get(&doc, root, "zonedata"),
		    lastname, sizeof(lastname));
		if (r == NULL || tests == NULL ||
		    tests->type != YAML_MAPPING_NODE) {
			const char *d = scalar(map_get(&doc, root,
			    "description"));

			fprintf(stderr, "openspf: %s: section '%s': bad "
			    "zonedata near '%s' or tests\n", path,
			    d ? d : "?", lastname);
			if (r != NULL)
				dns_free(r);
			yaml_document_delete(&doc);
			rc = -1;
			break;
		}
		for (pr = tests->data.mapping.pairs.start;
		    pr < tests->data.mapping.pairs.top; pr++) {
			const char *name = scalar(node(&doc, pr->key));

			if (name == NULL)
				continue;
			ntests++;
			if (only != NULL && strcmp(only, name) != 0)
				continue;
			switch (run_test(r, &doc, suite, name,
			    node(&doc, pr->value), ex)) {
			case 1: c->pass++; break;
			case 0: c->fail++; break;
			default: c->excluded++; break;
			}
		}
		dns_free(r);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (piped) {
		if (pclose(f) != 0 && rc == 0) {
			fprintf(stderr, "openspf: gzip failed on %s\n", path);
			rc = -1;
		}
	} else {
		fclose(f);
	}
	if (rc == 0 && ntests == 0) {
		fprintf(stderr, "openspf: %s holds no test cases\n", path);
		rc = -1;
	}
	return rc;
}

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

int
main(void)
{
	struct counts c7208 = { 0, 0, 0 }, c4408 = { 0, 0, 0 };
	static struct exclusions ex;
	unsigned pass, fail;
	size_t i;
	bool broken = false;

	verbose = getenv("OPENSPF_VERBOSE") != NULL;
	only = getenv("OPENSPF_ONLY");
	if (load_exclusions(env_or("OPENSPF_EXCLUSIONS", DEFAULT_EXCL),
	    &ex) != 0)
		broken = true;
	if (run_suite("rfc7208", env_or("OPENSPF_RFC7208", DEFAULT_7208),
	    NULL, &c7208) != 0)
		broken = true;
	if (run_suite("rfc4408", env_or("OPENSPF_RFC4408", DEFAULT_4408),
	    &ex, &c4408) != 0)
		broken = true;
	/* A stale exclusion would hide nothing but still mislead. */
	for (i = 0; i < ex.n; i++) {
		if (!ex.used[i] && only == NULL) {
			printf("FAIL rfc4408 exclusion '%s' matches no test\n",
			    ex.name[i]);
			c4408.fail++;
		}
		free(ex.name[i]);
	}
	printf("rfc4408: %u cases excluded as changed by RFC 7208\n",
	    c4408.excluded);
	printf("rfc7208: %u/%u, rfc4408: %u/%u\n", c7208.pass,
	    c7208.pass + c7208.fail, c4408.pass, c4408.pass + c4408.fail);
	pass = c7208.pass + c4408.pass;
	fail = c7208.fail + c4408.fail + (broken ? 1 : 0);
	printf("openspf: %u passed, %u failed\n", pass, fail);
	return fail == 0 ? 0 : 1;
}
