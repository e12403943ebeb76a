/*
 * test_zone_read.c -- the zone-file reader: directives, syntax features,
 * parsed rdata, error kinds and their file:line, recovery after errors,
 * reading across the read buffer's refills.
 * Fixtures: tests/zones/unit/ (tests run from the top directory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "zone_read.h"

#define DIR "tests/zones/unit/"
#define MAXREC 64

struct rec {
	char owner[256], orig[256], rdata[1024], data[1024], comment[128];
	char file[128];
	uint32_t ttl;
	uint16_t type, class;
	unsigned flags;
	unsigned long line;
	bool has_comment;
};

struct err {
	char file[128], msg[320], owner[256];
	unsigned long line;
	enum zone_err_kind kind;
	uint16_t type;
};

/* What one read produced; `data` is a type-specific rendering of the
 * parsed rdata: strings joined by '|', targets, "pref host", addresses. */
struct got {
	struct rec rec[MAXREC];
	size_t nrec;
	struct err err[MAXREC];
	size_t nerr;
	unsigned long count;	/* records seen (also beyond MAXREC) */
	unsigned long lastline;
	bool lines_ok;		/* see test_big_file */
};

static void
render(const struct zone_rr *rr, char *out, size_t size)
{
	size_t i, o = 0;

	out[0] = '\0';
	switch (rr->type) {
	case 1: case 28:
		ip_format(&rr->u.addr, out, size);
		break;
	case 2: case 5: case 12:
		snprintf(out, size, "%.*s", (int)rr->u.target.len,
		    rr->u.target.p);
		break;
	case 15:
		snprintf(out, size, "%u %.*s", rr->u.mx.pref,
		    (int)rr->u.mx.host.len, rr->u.mx.host.p);
		break;
	case 16: case 99:
		for (i = 0; i < rr->u.txt.n && o + 2 < size; i++) {
			o += (size_t)snprintf(out + o, size - o, "%s%.*s",
			    i ? "|" : "", (int)rr->u.txt.s[i].len,
			    rr->u.txt.s[i].p);
		}
		break;
	case 6:
		snprintf(out, size, "%.*s %.*s %u %u %u %u %u",
		    (int)rr->u.soa.mname.len, rr->u.soa.mname.p,
		    (int)rr->u.soa.rname.len, rr->u.soa.rname.p,
		    rr->u.soa.serial, rr->u.soa.refresh, rr->u.soa.retry,
		    rr->u.soa.expire, rr->u.soa.minimum);
		break;
	}
}

static int
on_rr(void *arg, const struct zone_rr *rr)
{
	struct got *g = arg;
	struct rec *r;

	g->count++;
	if (rr->line < g->lastline)
		g->lines_ok = false;
	g->lastline = rr->line;
	/* test_big_file writes each record's line into its comment */
	if (rr->comment != NULL && rr->comment_len > 2 &&
	    memcmp(rr->comment, " L", 2) == 0 &&
	    strtoul(rr->comment + 2, NULL, 10) != rr->line)
		g->lines_ok = false;
	if (g->nrec == MAXREC)
		return 0;
	r = &g->rec[g->nrec++];
	assert_true(rr->owner.len < sizeof(r->owner));
	assert_int_equal(rr->owner.p[rr->owner.len], '\0');
	snprintf(r->owner, sizeof(r->owner), "%.*s", (int)rr->owner.len,
	    rr->owner.p);
	snprintf(r->orig, sizeof(r->orig), "%.*s", (int)rr->owner_orig.len,
	    rr->owner_orig.p);
	snprintf(r->rdata, sizeof(r->rdata), "%.*s", (int)rr->rdata_len,
	    rr->rdata_text);
	snprintf(r->file, sizeof(r->file), "%s", rr->file);
	render(rr, r->data, sizeof(r->data));
	r->ttl = rr->ttl;
	r->type = rr->type;
	r->class = rr->class;
	r->flags = rr->flags;
	r->line = rr->line;
	r->has_comment = rr->comment != NULL;
	if (rr->comment != NULL)
		snprintf(r->comment, sizeof(r->comment), "%.*s",
		    (int)rr->comment_len, rr->comment);
	return 0;
}

static void
on_err(void *arg, const struct zone_error *e)
{
	struct got *g = arg;
	struct err *x;

	if (g->nerr == MAXREC)
		return;
	x = &g->err[g->nerr++];
	snprintf(x->file, sizeof(x->file), "%s", e->file);
	snprintf(x->msg, sizeof(x->msg), "%s", e->msg);
	x->line = e->line;
	x->kind = e->kind;
	x->type = e->type;
	if (e->owner.p != NULL)
		snprintf(x->owner, sizeof(x->owner), "%.*s",
		    (int)e->owner.len, e->owner.p);
}

static struct got *
read_file(const char *path, const char *origin, int want_ret)
{
	struct got *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->lines_ok = true;
	assert_int_equal(zone_read_file(path, origin, on_rr, on_err, g),
	    want_ret);
	return g;
}

static struct got *
read_mem(const char *text, const char *origin, int want_ret)
{
	struct got *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->lines_ok = true;
	assert_int_equal(zone_read_mem(text, strlen(text), "mem", origin,
	    ZONE_READ_NO_INCLUDE, on_rr, on_err, g), want_ret);
	return g;
}

static const struct rec *
find(const struct got *g, const char *owner, uint16_t type)
{
	size_t i;

	for (i = 0; i < g->nrec; i++)
		if (strcmp(g->rec[i].owner, owner) == 0 && g->rec[i].type == type)
			return &g->rec[i];
	fail_msg("no %s/%u record", owner, type);
	return NULL;
}

static void
test_basic_features(void **state)
{
	struct got *g = read_file(DIR "basic.zone", NULL, 0);
	const struct rec *r;

	(void)state;
	assert_int_equal(g->nerr, 0);
	assert_int_equal(g->nrec, 22);
	/* SOA across parentheses with comments and TTL units */
	r = find(g, "example.com", 6);
	assert_int_equal(r->line, 4);
	assert_int_equal(r->ttl, 5400);		/* $TTL 1h30m */
	assert_string_equal(r->data, "ns1.example.com hostmaster.example.com "
	    "2024010101 7200 3600 1209600 300");
	assert_string_equal(r->rdata,
	    "ns1 hostmaster.example.com. 2024010101 2h 3600 2w 300");
	/* omitted owner is the previous one; comment kept */
	r = find(g, "example.com", 2);
	assert_string_equal(r->data, "ns1.example.com");
	assert_true(r->has_comment);
	assert_string_equal(r->comment, " apex NS, owner omitted");
	/* TTL then class, class then TTL */
	r = find(g, "ns1.example.com", 1);
	assert_int_equal(r->ttl, 300);
	assert_string_equal(r->data, "192.0.2.1");
	assert_false(r->has_comment);
	r = find(g, "www.example.com", 28);
	assert_int_equal(r->ttl, 60);
	assert_int_equal(r->class, 1);
	assert_string_equal(r->data, "2001:db8::1");
	r = find(g, "www.example.com", 15);
	assert_int_equal(r->ttl, 5400);
	assert_string_equal(r->data, "10 mail.example.net");
	/* owner lowercased, original kept */
	r = find(g, "mixed.case.example.com", 1);
	assert_string_equal(r->orig, "Mixed.Case.example.com");
	r = find(g, "abs.example.com", 1);
	assert_int_equal(r->ttl, 86400);
	/* quoted strings with escapes, unquoted strings */
	r = find(g, "txt.example.com", 16);
	assert_string_equal(r->data, "v=spf1 |a \"q\" \\ A|unquoted");
	assert_string_equal(r->rdata,
	    "\"v=spf1 \" \"a \\\"q\\\" \\\\ \\065\" unquoted");
	r = find(g, "multi.example.com", 16);
	assert_string_equal(r->data, "one|two|three");
	assert_int_equal(r->line, 17);
	/* RFC 3597 generic rdata, decoded for known types */
	r = find(g, "gen.example.com", 99);
	assert_string_equal(r->data, "hello");
	assert_true(r->flags & ZONE_RR_GENERIC);
	r = find(g, "gena.example.com", 1);
	assert_string_equal(r->data, "192.0.2.4");
	r = find(g, "alias.example.com", 5);
	assert_string_equal(r->data, "www.example.com");
	r = find(g, "ptr.example.com", 12);
	assert_string_equal(r->data, "www.example.com");
	r = find(g, "nullmx.example.com", 15);
	assert_string_equal(r->data, "0 ");
	/* loosely checked types keep their text */
	r = find(g, "srv.example.com", 33);
	assert_string_equal(r->rdata, "10 5 443 www");
	r = find(g, "caa.example.com", 257);
	assert_string_equal(r->rdata, "0 issue \"ca.example.net\"");
	r = find(g, "ds.example.com", 43);
	assert_string_equal(r->rdata,
	    "12345 13 2 0123456789abcdef 0123456789abcdef");
	r = find(g, "tlsa.example.com", 52);
	r = find(g, "spf.example.com", 99);
	assert_string_equal(r->data, "v=spf1 -all");
	/* $ORIGIN changes, "@" follows it */
	find(g, "x.sub.example.com", 1);
	r = find(g, "sub.example.com", 16);
	assert_string_equal(r->data, "at sub");
	r = find(g, "last.example.com", 16);
	assert_int_equal(r->class, 3);
	free(g);
}

static void
test_errors_and_recovery(void **state)
{
	struct got *g = read_file(DIR "errors.zone", NULL, 6);
	static const struct {
		unsigned long line;
		enum zone_err_kind kind;
	} want[] = {
		{4, ZONE_ERR_SYNTAX},		/* 192.0.2.300 */
		{9, ZONE_ERR_SYNTAX},		/* type FOO, after ( ) */
		{10, ZONE_ERR_SYNTAX},		/* MX ten */
		{12, ZONE_ERR_STRING_TOO_LONG},
		{13, ZONE_ERR_SYNTAX},		/* unterminated string */
		{15, ZONE_ERR_SYNTAX},		/* SOA with 5 fields */
	};
	const char *owners[] = {"one", "two", "paren", "four", "toolong",
	    "five", "six"};
	const struct rec *r;
	size_t i;

	(void)state;
	assert_int_equal(g->nerr, 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(g->err[i].file, DIR "errors.zone");
		assert_int_equal(g->err[i].line, want[i].line);
		assert_int_equal(g->err[i].kind, want[i].kind);
	}
	/* the records around and after every error are still read */
	assert_int_equal(g->nrec, 7);
	for (i = 0; i < 7; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s.example.com", owners[i]);
		assert_string_equal(g->rec[i].owner, name);
	}
	assert_int_equal(find(g, "six.example.com", 1)->line, 16);
	/* a string over 255 octets: reported, and the record kept whole */
	r = find(g, "toolong.example.com", 16);
	assert_true(r->flags & ZONE_RR_STRING_TOO_LONG);
	assert_int_equal(strlen(r->data), 300 + 3);
	assert_memory_equal(r->data + 300, "|ok", 3);
	free(g);
}

static void
test_include(void **state)
{
	struct got *g = read_file(DIR "include.zone", NULL, 3);
	const struct rec *r;

	(void)state;
	assert_int_equal(g->nrec, 6);
	/* $INCLUDE with an origin argument; path relative to the includer */
	r = find(g, "sub.example.org", 16);
	assert_string_equal(r->file, DIR "inc/sub.zone");
	assert_int_equal(r->line, 2);
	assert_int_equal(r->ttl, 600);		/* $TTL carries in */
	r = find(g, "host2.sub.example.org", 1);
	assert_int_equal(r->line, 6);
	/* the origin reverts after the included file */
	r = find(g, "after.example.org", 1);
	assert_string_equal(r->file, DIR "include.zone");
	assert_int_equal(r->line, 5);
	find(g, "end.example.org", 1);
	/* errors name the included file and its line */
	assert_int_equal(g->nerr, 3);
	assert_string_equal(g->err[0].file, DIR "inc/sub.zone");
	assert_int_equal(g->err[0].line, 5);
	assert_int_equal(g->err[0].kind, ZONE_ERR_SYNTAX);
	assert_string_equal(g->err[1].file, DIR "include.zone");
	assert_int_equal(g->err[1].line, 6);
	assert_int_equal(g->err[1].kind, ZONE_ERR_INCLUDE);
	/* a file including itself stops at the depth limit */
	assert_string_equal(g->err[2].file, DIR "inc/loop.zone");
	assert_int_equal(g->err[2].line, 1);
	assert_int_equal(g->err[2].kind, ZONE_ERR_INCLUDE);
	free(g);
}

static void
test_include_refused_in_mem(void **state)
{
	struct got *g = read_mem("$INCLUDE /etc/passwd\na A 192.0.2.1\n",
	    "example.com", 1);

	(void)state;
	assert_int_equal(g->err[0].kind, ZONE_ERR_INCLUDE);
	assert_int_equal(g->nrec, 1);
	free(g);
}

static void
test_crlf_and_no_final_newline(void **state)
{
	struct got *g = read_mem("$ORIGIN example.com.\r\n$TTL 60\r\n"
	    "a\tA 192.0.2.1 ; c\r\n\r\nb TXT ( \"x\"\r\n \"y\" )\r\n"
	    "c MX 5 a", NULL, 0);

	(void)state;
	assert_int_equal(g->nrec, 3);
	assert_string_equal(find(g, "a.example.com", 1)->data, "192.0.2.1");
	assert_string_equal(find(g, "a.example.com", 1)->comment, " c");
	assert_string_equal(find(g, "b.example.com", 16)->data, "x|y");
	assert_string_equal(find(g, "c.example.com", 15)->data,
	    "5 a.example.com");
	assert_int_equal(find(g, "c.example.com", 15)->line, 7);
	free(g);
}

static void
test_origin_and_names(void **state)
{
	struct got *g;

	(void)state;
	/* origin from the caller, with or without the dot */
	g = read_mem("@ 60 A 192.0.2.1\nwww 60 A 192.0.2.2\n", "Example.NET.",
	    0);
	find(g, "example.net", 1);
	assert_string_equal(find(g, "www.example.net", 1)->orig,
	    "www.Example.NET");
	free(g);
	/* no origin: relative names are errors, absolute ones fine */
	g = read_mem("www 60 A 192.0.2.2\nabs. 60 A 192.0.2.3\n", NULL, 1);
	assert_int_equal(g->nrec, 1);
	assert_int_equal(g->err[0].line, 1);
	free(g);
	/* label and name lengths */
	g = read_mem("$ORIGIN example.com.\n"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    " 60 A 192.0.2.1\n"			/* 63: fine */
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    " 60 A 192.0.2.1\n"			/* 64: error */
	    "a..b 60 A 192.0.2.1\n"
	    "x 60 CNAME a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    NULL, 3);
	assert_int_equal(g->nrec, 1);
	assert_int_equal(g->err[0].line, 3);
	assert_int_equal(g->err[1].line, 4);
	assert_int_equal(g->err[2].line, 5);
	free(g);
	{
		/* total length: 4 labels of 63 = 255 wire octets with the
		 * root: the limit; one more octet is over it */
		char text[1024], l63[64];

		memset(l63, 'a', 63);
		l63[63] = '\0';
		snprintf(text, sizeof(text), "%s.%s.%s.%.61s. 60 A 192.0.2.1\n"
		    "%s.%s.%s.%.62s. 60 A 192.0.2.1\n", l63, l63, l63, l63,
		    l63, l63, l63, l63);
		g = read_mem(text, NULL, 1);
		assert_int_equal(g->nrec, 1);
		assert_int_equal(g->err[0].line, 2);
		free(g);
	}
}

static void
test_ttl_and_class(void **state)
{
	struct got *g = read_mem("$ORIGIN example.com.\n"
	    "a 1h30m IN A 192.0.2.1\n"
	    "b IN 1w2d A 192.0.2.1\n"
	    "c A 192.0.2.1\n"			/* last explicit TTL */
	    "d 99999999999 A 192.0.2.1\n"	/* overflow */
	    "e 1x A 192.0.2.1\n"
	    "f CLASS1 60 TYPE1 192.0.2.9\n"
	    "$TTL 7\n"
	    "g A 192.0.2.1\n"
	    "h IN IN A 192.0.2.1\n",		/* class twice */
	    NULL, 3);

	(void)state;
	assert_int_equal(find(g, "a.example.com", 1)->ttl, 5400);
	assert_int_equal(find(g, "b.example.com", 1)->ttl, 9 * 86400);
	assert_int_equal(find(g, "c.example.com", 1)->ttl, 9 * 86400);
	assert_int_equal(find(g, "f.example.com", 1)->class, 1);
	assert_string_equal(find(g, "f.example.com", 1)->data, "192.0.2.9");
	assert_int_equal(find(g, "g.example.com", 1)->ttl, 7);
	assert_int_equal(g->nerr, 3);
	assert_int_equal(g->err[0].line, 5);
	assert_int_equal(g->err[1].line, 6);
	assert_int_equal(g->err[2].line, 10);
	free(g);
}

static void
test_lexical_errors(void **state)
{
	struct got *g = read_mem("$ORIGIN example.com.\n"
	    "a 60 TXT ( \"x\"\n"
	    "b A 192.0.2.1 )\n"		/* strings of a's TXT */
	    "c A 192.0.2.1 )\n"		/* ')' without '(' */
	    "  A 192.0.2.2\n"		/* owner c from the bad line */
	    "d TXT \"bad \\999\"\n"
	    "$FOO bar\n"
	    "$TTL\n"
	    "e TXT \"ok\" (\n"		/* unbalanced at end of input */
	    "f A 192.0.2.3\n", NULL, 5);

	(void)state;
	assert_int_equal(g->nerr, 5);
	assert_int_equal(g->err[0].line, 4);
	assert_int_equal(g->err[1].line, 6);
	assert_int_equal(g->err[2].line, 7);
	assert_int_equal(g->err[3].line, 8);
	assert_int_equal(g->err[4].line, 9);	/* where '(' opened */
	assert_int_equal(g->nrec, 2);
	assert_string_equal(find(g, "a.example.com", 16)->data,
	    "x|b|A|192.0.2.1");
	assert_string_equal(find(g, "c.example.com", 1)->data, "192.0.2.2");
	free(g);
	/* an omitted owner with no previous record */
	g = read_mem("  A 192.0.2.1\n", "example.com", 1);
	assert_int_equal(g->err[0].line, 1);
	free(g);
}

static void
test_generic_rdata(void **state)
{
	struct got *g = read_mem("$ORIGIN example.com.\n"
	    "a TYPE65280 \\# 3 abcdef\n"
	    "b TXT \\# 4 03616263\n"
	    "c CNAME \\# 17 03777777076578616d706c6503636f6d00\n"
	    "d A \\# 3 c00002\n"		/* wrong length */
	    "e TYPE99 \\# 2 0161 ff\n"		/* more data than length */
	    "f A \\# 4 c000020g\n",		/* bad hex */
	    NULL, 3);

	(void)state;
	assert_string_equal(find(g, "a.example.com", 65280)->rdata,
	    "\\# 3 abcdef");
	assert_string_equal(find(g, "b.example.com", 16)->data, "abc");
	assert_string_equal(find(g, "c.example.com", 5)->data,
	    "www.example.com");
	assert_int_equal(g->err[0].line, 5);
	assert_int_equal(g->err[1].line, 6);
	assert_int_equal(g->err[2].line, 7);
	assert_int_equal(zone_type_code("txt", 3), 16);
	assert_int_equal(zone_type_code("Type257", 7), 257);
	assert_int_equal(zone_type_code("TYPE0", 5), 0);
	assert_int_equal(zone_type_code("BOGUS", 5), 0);
	free(g);
}

static void
test_txt_strings(void **state)
{
	char text[1200], big[600];
	struct got *g;
	const struct rec *r;

	(void)state;
	/* a long value split into 255-octet strings keeps every string */
	memset(big, 'k', 510);
	big[510] = '\0';
	snprintf(text, sizeof(text), "dkim TXT ( \"v=DKIM1; p=%.244s\"\n"
	    "  \"%.255s\" \"%.10s\" )\n", big, big, big);
	g = read_mem(text, "example.com", 0);
	r = find(g, "dkim.example.com", 16);
	assert_int_equal(strlen(r->data), 255 + 1 + 255 + 1 + 10);
	assert_int_equal(r->data[255], '|');
	assert_int_equal(r->data[511], '|');
	free(g);
	/* exactly 255 is fine, 256 is not (escapes count as one octet) */
	snprintf(text, sizeof(text), "a TXT \"%.254s\\065\"\n"
	    "b SPF \"%.255s\\065\"\n", big, big);
	g = read_mem(text, "example.com", 1);
	assert_int_equal(g->nrec, 2);
	assert_int_equal(g->nerr, 1);
	assert_int_equal(g->err[0].kind, ZONE_ERR_STRING_TOO_LONG);
	assert_int_equal(g->err[0].line, 2);
	assert_false(find(g, "a.example.com", 16)->flags &
	    ZONE_RR_STRING_TOO_LONG);
	assert_true(find(g, "b.example.com", 99)->flags &
	    ZONE_RR_STRING_TOO_LONG);
	free(g);
	/* empty string, NUL by escape */
	g = read_mem("a TXT \"\" \"x\\000y\"\n", "example.com", 0);
	r = find(g, "a.example.com", 16);
	assert_int_equal(r->data[0], '|');
	free(g);
}

/* Many records, entries straddling the 1 MiB read-block boundaries:
 * every record comes back, in order, with the right line. */
static void
test_big_file(void **state)
{
	char path[] = "/tmp/test_zone_read_XXXXXX";
	unsigned long i, n = 30000, line = 2;
	struct got *g;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "$ORIGIN big.test.\n");
	for (i = 0; i < n; i++) {
		if (i % 3 == 0) {
			fprintf(f, "h%lu 60 TXT ( \"v=spf1 ip4:192.0.2.%lu"
			    " -all\" ; L%lu\n   \"second string padding "
			    "padding padding\" )\n", i, i % 256, line);
			line += 2;
		} else {
			fprintf(f, "h%lu 60 A 198.51.100.%lu ; L%lu\n", i,
			    i % 256, line);
			line++;
		}
	}
	fprintf(f, "bad 60 A 1.2.3\n");
	assert_int_equal(fclose(f), 0);
	g = read_file(path, NULL, 1);
	unlink(path);
	assert_int_equal(g->count, n);
	assert_true(g->lines_ok);
	assert_int_equal(g->err[0].line, line);
	assert_string_equal(g->rec[3].owner, "h3.big.test");
	assert_string_equal(g->rec[3].comment, " L6");
	free(g);
}

static void
test_unreadable(void **state)
{
	(void)state;
	assert_int_equal(zone_read_file(DIR "does-not-exist.zone", NULL,
	    on_rr, on_err, NULL), -1);
	assert_int_equal(zone_read_file(DIR, NULL, on_rr, on_err, NULL), -1);
}

static int
stop_cb(void *arg, const struct zone_rr *rr)
{
	(void)rr;
	return ++*(int *)arg == 2;
}

static void
test_callback_stops(void **state)
{
	const char *z = "a A 192.0.2.1\nb A 192.0.2.1\nc A 192.0.2.1\n";
	int n = 0;

	(void)state;
	assert_int_equal(zone_read_mem(z, strlen(z), "mem", "example.com", 0,
	    stop_cb, NULL, &n), -2);
	assert_int_equal(n, 2);
}

/* Every registered data type is read; the rarest are flagged unchecked;
 * RFC 3597 forms keep working; a name that is no type is an error. */
static void
test_registered_types(void **state)
{
	struct got *g;

	(void)state;
	g = read_mem("amt AMTRELAY 10 0 1 203.0.113.15\n"
	    "w IN WALLET \"BTC\" \"bc1q\"\n"
	    "d DSYNC CDS NOTIFY 5359 ds.example.net.\n"
	    "n NSAP-PTR foo.example.com.\n"
	    "r RESINFO qnamemin\n"
	    "h HHIT AAAA\n"
	    "b BRID AAAA\n"
	    "t TYPE262 \\# 2 0102\n"
	    "s SRV 0 5 5060 sip\n"
	    "f FOO 1\n", "example.com", 1);
	assert_int_equal(g->nrec, 9);
	assert_int_equal(find(g, "amt.example.com", 260)->flags,
	    ZONE_RR_UNCHECKED);
	assert_int_equal(find(g, "w.example.com", 262)->flags,
	    ZONE_RR_UNCHECKED);
	assert_true(find(g, "d.example.com", 66)->flags & ZONE_RR_UNCHECKED);
	assert_true(find(g, "n.example.com", 23)->flags & ZONE_RR_UNCHECKED);
	assert_true(find(g, "r.example.com", 261)->flags & ZONE_RR_UNCHECKED);
	assert_true(find(g, "h.example.com", 67)->flags & ZONE_RR_UNCHECKED);
	assert_true(find(g, "b.example.com", 68)->flags & ZONE_RR_UNCHECKED);
	assert_int_equal(find(g, "t.example.com", 262)->flags,
	    ZONE_RR_GENERIC);
	assert_int_equal(find(g, "s.example.com", 33)->flags, 0);
	assert_int_equal(g->nerr, 1);
	assert_int_equal(g->err[0].line, 10);
	assert_non_null(strstr(g->err[0].msg, "FOO"));
	assert_string_equal(zone_type_name(260), "AMTRELAY");
	assert_int_equal(zone_type_code("nsap-ptr", 8), 23);
	free(g);
}

/* $GENERATE as BIND 9.18 expands it (the expected names and data are
 * named-checkzone -D's output for the same lines). */
static void
test_generate(void **state)
{
	static const char *const want[][3] = {
		{ "host1.example.test", "1", "192.0.2.1" },
		{ "host2.example.test", "1", "192.0.2.2" },
		{ "host3.example.test", "1", "192.0.2.3" },
		{ "h010.example.test", "1", "192.0.2.0" },
		{ "h015.example.test", "1", "192.0.2.5" },
		{ "h020.example.test", "1", "192.0.2.10" },
		{ "x000ayAo12.example.test", "5", "host1.example.test" },
		{ "x000byBo13.example.test", "5", "host1.example.test" },
		{ "x000cyCo14.example.test", "5", "host1.example.test" },
		{ "0.0.4.example.test", "28", "2001:db8::400" },
		{ "1.0.4.example.test", "28", "2001:db8::401" },
		{ "F.F.0.0.rev.example.test", "12", "host255.example.test" },
		{ "0.0.1.0.rev.example.test", "12", "host256.example.test" },
		{ "esc\\$1.example.test", "16", "v=spf1|a:host1|-all" },
		{ "esc\\$2.example.test", "16", "v=spf1|a:host2|-all" },
		{ "q1.example.test", "15", "10 host1.example.test" },
		{ "q2.example.test", "15", "10 host2.example.test" },
		{ "d\\$.example.test", "1", "192.0.2.9" },
		{ "d\\$.example.test", "1", "192.0.2.9" },
		{ "t1.example.test", "16", "a$b|c\\\\d|e\\065" },
		{ "after.example.test", "16", "x" },
		{ "after.example.test", "16", "y" },
	};
	struct got *g;
	size_t i;

	(void)state;
	g = read_mem(
	    "$GENERATE 1-3 host$ A 192.0.2.$\n"
	    "$GENERATE 0-10/5 h${10,3,d} A 192.0.2.${0,0,d}\n"
	    "$GENERATE 10-12 x${0,4,x}y${0,0,X}o${0,0,o} CNAME host1\n"
	    "$GENERATE 1024-1025 ${0,3,n} AAAA 2001:db8::${0,4,x}\n"
	    "$GENERATE 255-256 ${0,7,N}.rev PTR host$.example.test.\n"
	    "$GENERATE 1-2 esc\\$$ 300 IN TXT \"v=spf1 a:host$ -all\"\n"
	    "$GENERATE 1-2 q$ MX \"10 host$\"\n"
	    "$GENERATE 1-2 d$$ A 192.0.2.9\n"
	    "$GENERATE 1-1 t$ TXT \"\\\"a\\$b\\\" \\\"c\\\\\\\\d\\\" e\\\\065\"\n"
	    "after TXT x\n"
	    " TXT y\n", "example.test", 0);
	assert_int_equal(g->nrec, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < g->nrec; i++) {
		assert_string_equal(g->rec[i].orig, want[i][0]);
		assert_int_equal(g->rec[i].type, atoi(want[i][1]));
		assert_string_equal(g->rec[i].data, want[i][2]);
	}
	assert_int_equal(g->rec[0].line, 1);
	assert_int_equal(g->rec[13].ttl, 300);
	assert_int_equal(g->rec[20].line, 10);
	free(g);

	/* errors: one per directive, at its line; the bound */
	g = read_mem(
	    "$GENERATE 3-1 h$ A 192.0.2.$\n"
	    "$GENERATE 1-300 h$ A 192.0.2.$\n"
	    "$GENERATE 0-65536 h$ TXT x\n"
	    "$GENERATE 1-2 h${1,2,q} A 192.0.2.1\n"
	    "$GENERATE 1-2 h$ A\n"
	    "$GENERATE 0-2147483647/65536 h$ TXT x\n"
	    "ok TXT x\n", "example.test", 5);
	assert_int_equal(g->nerr, 5);
	assert_int_equal(g->err[0].line, 1);
	assert_int_equal(g->err[1].line, 2);	/* 192.0.2.256 */
	assert_int_equal(g->err[2].line, 3);
	assert_non_null(strstr(g->err[2].msg, "65536"));
	assert_int_equal(g->err[2].kind, ZONE_ERR_LIMIT);
	assert_int_equal(g->err[3].line, 4);
	assert_int_equal(g->err[4].line, 5);
	/* 1-255 of line 2 were made; 32768 of line 6 */
	assert_int_equal(g->count, 255 + 32768 + 1);
	free(g);
}

/* No origin: one message saying what to pass, not one per record; the
 * records with absolute names are still read. */
static void
test_no_origin_once(void **state)
{
	struct got *g;

	(void)state;
	g = read_mem("$TTL 300\n"
	    "@ IN SOA ns hostmaster 1 2 3 4 5\n"
	    "  IN NS ns\n"
	    "ns IN A 192.0.2.1\n"
	    "abs.example. IN MX 10 mail\n"
	    "abs.example. IN TXT \"v=spf1 -all\"\n"
	    "  IN A 192.0.2.2\n"
	    "bad..name. IN A 192.0.2.3\n", NULL, 2);
	assert_int_equal(g->nerr, 2);
	assert_int_equal(g->err[0].line, 2);
	assert_non_null(strstr(g->err[0].msg, "--origin"));
	assert_non_null(strstr(g->err[0].msg, "$ORIGIN"));
	assert_int_equal(g->err[1].line, 8);	/* other errors as before */
	assert_int_equal(g->nrec, 2);
	assert_string_equal(g->rec[0].owner, "abs.example");
	assert_int_equal(g->rec[0].type, 16);
	assert_int_equal(g->rec[1].type, 1);
	free(g);
}

/* A rejected record's error carries its owner and type; an address
 * field that is not one says so (and a template, as such). */
static void
test_rejected_record(void **state)
{
	struct got *g;

	(void)state;
	g = read_mem("Mail A {{ hosts.ipv4 }}\n"
	    "web AAAA 192.0.2.1\n"
	    "spf TXT \"v=spf1 ip4:{{ net }} -all\n"
	    "$TTL x\n", "example.com", 4);
	assert_int_equal(g->nerr, 4);
	assert_non_null(strstr(g->err[0].msg, "unrendered template"));
	assert_int_equal(g->err[0].type, 1);
	assert_string_equal(g->err[0].owner, "mail.example.com");
	assert_non_null(strstr(g->err[1].msg, "not an IPv6 address"));
	assert_int_equal(g->err[1].type, 28);
	assert_int_equal(g->err[2].type, 16);	/* a lexical error */
	assert_string_equal(g->err[2].owner, "spf.example.com");
	assert_int_equal(g->err[3].type, 0);	/* not a record */
	assert_string_equal(g->err[3].owner, "");
	free(g);
	/* an unterminated '"' as the last byte: an empty first token (the
	 * fuzzer found the read past it) */
	g = read_mem("a TXT x\n\"", "example.com", 1);
	assert_int_equal(g->nerr, 1);
	assert_int_equal(g->err[0].type, 0);
	free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_features),
		cmocka_unit_test(test_errors_and_recovery),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_include_refused_in_mem),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_origin_and_names),
		cmocka_unit_test(test_ttl_and_class),
		cmocka_unit_test(test_lexical_errors),
		cmocka_unit_test(test_generic_rdata),
		cmocka_unit_test(test_txt_strings),
		cmocka_unit_test(test_big_file),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_registered_types),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_no_origin_once),
		cmocka_unit_test(test_rejected_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
