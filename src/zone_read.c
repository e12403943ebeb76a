/*
 * zone_read.c -- streaming RFC 1035 master-file reader (see zone_read.h).
 *
 * Two steps per entry.  lex_entry() splits one entry (a line, or several
 * joined by parentheses) into tokens pointing into the input; when the
 * input ends inside an entry it asks for more, and the caller refills the
 * buffer and lexes the entry again from its start, so no lexer state has
 * to survive a refill.  Then do_entry() interprets the tokens: a directive
 * or a record.  Records are built in buffers owned by the reader and
 * reused, so reading a million records costs a handful of allocations.
 */
#include "ascii.h"
#include "zone_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "dns.h"

#define READ_BLOCK	(1u << 20)	/* first read buffer size */
#define ENTRY_MAX	(16u << 20)	/* longest entry we buffer */
#define TOK_MAX		65536		/* fields in one entry */
#define MSG_MAX		320

/* Character classes, indexed by unsigned char. */
enum {
	C_SPACE = 0x01,		/* separates tokens, not a line end */
	C_DELIM = 0x02,		/* ends an unquoted token */
	C_DIGIT = 0x04,
	C_HEX = 0x08,
	C_PRINT = 0x10		/* may stand unescaped in a name we print */
};

static unsigned char cls[256];
static unsigned char lower[256];
static bool tables_ready;

static void
tables_init(void)
{
	unsigned i;
	const char *d = " \t\r\n();\"";

	if (tables_ready)
		return;
	for (i = 0; i < 256; i++) {
		lower[i] = (unsigned char)ascii_lower((char)i);
		if (i > 0x20 && i < 0x7f)
			cls[i] |= C_PRINT;
		if (i >= '0' && i <= '9')
			cls[i] |= C_DIGIT | C_HEX;
		if ((i >= 'a' && i <= 'f') || (i >= 'A' && i <= 'F'))
			cls[i] |= C_HEX;
	}
	for (; *d != '\0'; d++)
		cls[(unsigned char)*d] |= C_DELIM;
	cls[' '] |= C_SPACE;
	cls['\t'] |= C_SPACE;
	cls['\r'] |= C_SPACE;
	/* '\0' ends a token too: the lexer reports it as an error */
	cls[0] |= C_DELIM;
	cls['\\'] |= C_DELIM;
	tables_ready = true;
}

struct tok {
	const char *p;
	size_t len;
	unsigned long line;
	bool quoted;
};

/* What lex_entry() learnt about one entry besides its tokens. */
struct entry {
	unsigned long line;	/* first line */
	unsigned long nlines;	/* line ends consumed */
	bool blank_start;	/* began with white space: owner omitted */
	const char *comment;
	size_t comment_len;
	const char *err;	/* first lexical error, a static string */
	unsigned long err_line;
};

/* State shared by all include levels. */
struct reader {
	bool origin_said;	/* "no origin: pass --origin" was reported */
	uint16_t rej_type;	/* the rejected record being reported */
	struct zone_name rej_owner;
	zone_rr_cb *cb;
	zone_err_cb *errcb;
	void *arg;
	unsigned flags;
	int nerr;
	bool stop;
	struct tok *tok;
	size_t ntok, tokcap;
	bool tok_full;
	char *text;		/* rdata_text */
	size_t textcap;
	char *sbuf;		/* decoded strings / generic rdata */
	size_t sbufcap;
	struct zone_str *str;
	size_t strcap;
	char owner[ZONE_NAME_MAX];
	char name[2][ZONE_NAME_MAX];	/* names in rdata */
};

/* State of one file (restored when an $INCLUDE ends, RFC 1035 §5.1). */
struct fstate {
	const char *name;
	int depth;
	unsigned long line;
	char origin[ZONE_NAME_MAX];
	size_t origin_len;
	bool have_origin;
	char prev[ZONE_NAME_MAX];	/* previous owner, file's case */
	size_t prev_len;
	bool have_prev;
	bool prev_no_origin;	/* the previous owner failed for want of one */
	uint32_t dollar_ttl, last_ttl, soa_min;
	bool have_dollar_ttl, have_last_ttl, have_soa_min;
	uint16_t last_class;
};

static void report(struct reader *rd, const char *file, unsigned long line,
    enum zone_err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
report(struct reader *rd, const char *file, unsigned long line,
    enum zone_err_kind kind, const char *fmt, ...)
{
	char msg[MSG_MAX];
	struct zone_error e;
	va_list ap;

	rd->nerr++;
	if (rd->errcb == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&e, 0, sizeof(e));
	e.file = file;
	e.line = line;
	e.kind = kind;
	e.msg = msg;
	e.type = rd->rej_type;
	e.owner = rd->rej_owner;
	rd->errcb(rd->arg, &e);
}

/* Show at most this much of a token in a message. */
static int
shown(size_t len)
{
	return len > 64 ? 64 : (int)len;
}

/* ---- lexer ---- */

static void
lex_error(struct entry *e, unsigned long line, const char *msg)
{
	if (e->err == NULL) {
		e->err = msg;
		e->err_line = line;
	}
}

static void
add_tok(struct reader *rd, struct entry *e, const char *p, size_t len,
    unsigned long line, bool quoted)
{
	struct tok *t;
	size_t cap;

	if (rd->ntok == rd->tokcap) {
		cap = rd->tokcap ? rd->tokcap * 2 : 64;
		if (cap > TOK_MAX ||
		    (t = realloc(rd->tok, cap * sizeof(*t))) == NULL) {
			lex_error(e, line, "too many fields in one entry");
			return;
		}
		rd->tok = t;
		rd->tokcap = cap;
	}
	t = &rd->tok[rd->ntok++];
	t->p = p;
	t->len = len;
	t->line = line;
	t->quoted = quoted;
}

enum { LEX_DONE, LEX_MORE };

/*
 * Split the entry starting at p into rd->tok.  Returns LEX_MORE when the
 * input ends inside the entry and more may come (!eof); else LEX_DONE with
 * *used set to the bytes of the entry, its line end included.
 */
static int
lex_entry(struct reader *rd, const char *p, const char *end, bool eof,
    unsigned long line0, struct entry *e, size_t *used)
{
	const char *s = p, *q;
	unsigned long line = line0, open_line = line0;
	int depth = 0;

	memset(e, 0, sizeof(*e));
	e->line = line0;
	rd->ntok = 0;
	e->blank_start = s < end && (*s == ' ' || *s == '\t');
	for (;;) {
		if (s == end) {
			if (!eof)
				return LEX_MORE;
			if (depth > 0)
				lex_error(e, open_line,
				    "'(' not closed by end of file");
			break;
		}
		switch (*s) {
		case ' ': case '\t': case '\r':
			s++;
			continue;
		case '\n':
			s++;
			line++;
			if (depth == 0)
				goto done;
			continue;
		case ';':
			q = memchr(s, '\n', (size_t)(end - s));
			if (q == NULL && !eof)
				return LEX_MORE;
			if (q == NULL)
				q = end;
			if (line == line0 && e->comment == NULL) {
				e->comment = s + 1;
				e->comment_len = (size_t)(q - s - 1);
				if (e->comment_len > 0 &&
				    e->comment[e->comment_len - 1] == '\r')
					e->comment_len--;
			}
			s = q;
			continue;
		case '(':
			if (depth++ == 0)
				open_line = line;
			s++;
			continue;
		case ')':
			if (depth == 0)
				lex_error(e, line, "')' without '('");
			else
				depth--;
			s++;
			continue;
		case '\0':
			lex_error(e, line, "NUL byte in zone file");
			s++;
			continue;
		case '"':
			q = ++s;
			while (q < end && *q != '"' && *q != '\n') {
				if (*q == '\\' && q + 1 < end && q[1] != '\n')
					q++;
				q++;
			}
			if (q == end && !eof)
				return LEX_MORE;
			add_tok(rd, e, s, (size_t)(q - s), line, true);
			if (q == end || *q == '\n') {
				lex_error(e, line, "unterminated quoted string");
				s = q;
			} else {
				s = q + 1;
			}
			continue;
		default:
			q = s;
			for (;;) {
				while (q < end && !(cls[(unsigned char)*q] & C_DELIM))
					q++;
				if (q < end && *q == '\\') {
					/* an escaped delimiter stays in the token */
					if (q + 1 < end && q[1] != '\n') {
						q += 2;
						continue;
					}
					if (q + 1 == end && !eof)
						return LEX_MORE;
					q++;
					continue;
				}
				break;
			}
			if (q == end && !eof)
				return LEX_MORE;
			add_tok(rd, e, s, (size_t)(q - s), line, false);
			s = q;
			continue;
		}
	}
done:
	e->nlines = line - line0;
	*used = (size_t)(s - p);
	return LEX_DONE;
}

/* ---- small parsers ---- */

static bool
tok_is(const struct tok *t, const char *s)
{
	size_t i, n = strlen(s);

	if (t->quoted || t->len != n)
		return false;
	for (i = 0; i < n; i++)
		if (lower[(unsigned char)t->p[i]] != lower[(unsigned char)s[i]])
			return false;
	return true;
}

static bool
parse_u32(const char *p, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return false;
	for (i = 0; i < len; i++) {
		if (!(cls[(unsigned char)p[i]] & C_DIGIT))
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A TTL: "3600", or numbers with units s/m/h/d/w ("1h30m"). */
static bool
parse_ttl(const char *p, size_t len, uint32_t *out)
{
	uint64_t total = 0, n;
	size_t i = 0, start;
	unsigned mul;

	if (len == 0)
		return false;
	while (i < len) {
		start = i;
		n = 0;
		while (i < len && (cls[(unsigned char)p[i]] & C_DIGIT)) {
			n = n * 10 + (uint64_t)(p[i] - '0');
			if (n > UINT32_MAX)
				return false;
			i++;
		}
		if (i == start)
			return false;
		mul = 1;
		if (i < len) {
			switch (lower[(unsigned char)p[i]]) {
			case 's': mul = 1; break;
			case 'm': mul = 60; break;
			case 'h': mul = 3600; break;
			case 'd': mul = 86400; break;
			case 'w': mul = 604800; break;
			default: return false;
			}
			i++;
		} else if (start > 0) {
			return false;	/* "1h30": a bare number after a unit */
		}
		total += n * mul;
		if (total > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)total;
	return true;
}

struct mnemonic {
	const char *name;
	uint16_t code;
	uint8_t min_fields;	/* least rdata fields in text form */
};

/* Common types first: the list is searched in order. */
static const struct mnemonic types[] = {
	{"A", 1, 1}, {"TXT", 16, 1}, {"MX", 15, 2}, {"CNAME", 5, 1},
	{"AAAA", 28, 1}, {"NS", 2, 1}, {"SOA", 6, 7}, {"PTR", 12, 1},
	{"SRV", 33, 4}, {"CAA", 257, 3}, {"SPF", 99, 1}, {"DS", 43, 4},
	{"DNSKEY", 48, 4}, {"RRSIG", 46, 9}, {"NSEC", 47, 1},
	{"NSEC3", 50, 5}, {"NSEC3PARAM", 51, 4}, {"TLSA", 52, 4},
	{"SSHFP", 44, 3}, {"HTTPS", 65, 2}, {"SVCB", 64, 2},
	{"NAPTR", 35, 6}, {"HINFO", 13, 2}, {"MD", 3, 1}, {"MF", 4, 1},
	{"MB", 7, 1}, {"MG", 8, 1}, {"MR", 9, 1}, {"NULL", 10, 1},
	{"WKS", 11, 2}, {"MINFO", 14, 2}, {"RP", 17, 2}, {"AFSDB", 18, 2},
	{"X25", 19, 1}, {"ISDN", 20, 1}, {"RT", 21, 2}, {"NSAP", 22, 1},
	{"SIG", 24, 9}, {"KEY", 25, 4}, {"PX", 26, 3}, {"GPOS", 27, 3},
	{"LOC", 29, 5}, {"NXT", 30, 2}, {"KX", 36, 2}, {"CERT", 37, 4},
	{"A6", 38, 2}, {"DNAME", 39, 1}, {"APL", 42, 0}, {"IPSECKEY", 45, 5},
	{"DHCID", 49, 1}, {"SMIMEA", 53, 4}, {"HIP", 55, 3}, {"CDS", 59, 4},
	{"CDNSKEY", 60, 4}, {"OPENPGPKEY", 61, 1}, {"CSYNC", 62, 2},
	{"ZONEMD", 63, 4}, {"NID", 104, 2}, {"L32", 105, 2}, {"L64", 106, 2},
	{"LP", 107, 2}, {"EUI48", 108, 1}, {"EUI64", 109, 1},
	{"URI", 256, 3}, {"AVC", 258, 1}, {"DLV", 32769, 4},
};

/* The rest of the IANA registry of data types (2025), known by name only
 * (ZONE_RR_UNCHECKED): a server loads them, so they must not fail a zone,
 * but their fields are not checked.  Meta types (OPT, TSIG, AXFR, ...)
 * are not data and stay unknown. */
static const struct mnemonic rare_types[] = {
	{"NSAP-PTR", 23, 1}, {"EID", 31, 1},
	{"NIMLOC", 32, 1}, {"ATMA", 34, 1}, {"SINK", 40, 1},
	{"NINFO", 56, 1}, {"RKEY", 57, 1},
	{"TALINK", 58, 1}, {"DSYNC", 66, 1},
	{"HHIT", 67, 1}, {"BRID", 68, 1}, {"UINFO", 100, 1},
	{"UID", 101, 1}, {"GID", 102, 1},
	{"UNSPEC", 103, 1}, {"DOA", 259, 1},
	{"AMTRELAY", 260, 1}, {"RESINFO", 261, 1},
	{"WALLET", 262, 1}, {"CLA", 263, 1},
	{"IPN", 264, 1}, {"TA", 32768, 1},
};

static bool
ieq(const char *p, size_t len, const char *s)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\0' ||
		    lower[(unsigned char)p[i]] != lower[(unsigned char)s[i]])
			return false;
	return s[len] == '\0';
}

/* "TYPE123" / "CLASS1": the number after prefix, 1..65535. */
static uint16_t
prefixed_code(const char *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	uint32_t v;

	if (len <= n || !ieq(p, n, prefix))
		return 0;
	if (p[n] == '0' || !parse_u32(p + n, len - n, &v) || v > 65535)
		return 0;
	return (uint16_t)v;
}

static const struct mnemonic *
type_find(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (ieq(p, len, types[i].name))
			return &types[i];
	for (i = 0; i < sizeof(rare_types) / sizeof(rare_types[0]); i++)
		if (ieq(p, len, rare_types[i].name))
			return &rare_types[i];
	return NULL;
}

static bool
type_unchecked(const struct mnemonic *m)
{
	return m >= rare_types &&
	    m < rare_types + sizeof(rare_types) / sizeof(rare_types[0]);
}

uint16_t
zone_type_code(const char *p, size_t len)
{
	const struct mnemonic *m;

	tables_init();
	if ((m = type_find(p, len)) != NULL)
		return m->code;
	return prefixed_code(p, len, "TYPE");
}

const char *
zone_type_name(uint16_t code)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].code == code)
			return types[i].name;
	for (i = 0; i < sizeof(rare_types) / sizeof(rare_types[0]); i++)
		if (rare_types[i].code == code)
			return rare_types[i].name;
	return NULL;
}

static uint16_t
class_code(const struct tok *t)
{
	if (t->quoted)
		return 0;
	if (ieq(t->p, t->len, "IN"))
		return 1;
	if (ieq(t->p, t->len, "CS"))
		return 2;
	if (ieq(t->p, t->len, "CH"))
		return 3;
	if (ieq(t->p, t->len, "HS"))
		return 4;
	return prefixed_code(t->p, t->len, "CLASS");
}

/* make_name()'s two reasons that mean "no origin": see no_origin(). */
static const char no_origin_at[] = "'@' used and no origin is known";
static const char no_origin_rel[] = "relative name and no origin is known";

/*
 * Make the absolute name of token t into out (file's case, no final dot,
 * NUL-terminated).  Returns NULL or a static error message.
 */
static const char *
make_name(const struct fstate *fs, const struct tok *t, char *out,
    size_t *outlen)
{
	const char *p = t->p;
	size_t len = t->len, i, o = 0, label = 0, wire = 1;
	bool absolute = false;
	unsigned v;

	if (t->quoted)
		return "a name cannot be quoted";
	if (len == 1 && p[0] == '@') {
		if (!fs->have_origin)
			return no_origin_at;
		memcpy(out, fs->origin, fs->origin_len + 1);
		*outlen = fs->origin_len;
		return NULL;
	}
	if (len == 1 && p[0] == '.') {
		out[0] = '\0';
		*outlen = 0;
		return NULL;
	}
	if (len >= ZONE_NAME_MAX)
		return "name too long";
	for (i = 0; i < len; i++) {
		if (p[i] == '.') {
			if (label == 0)
				return "empty label in name";
			wire += label + 1;
			label = 0;
			if (i + 1 == len) {
				absolute = true;
				break;
			}
			out[o++] = '.';
			continue;
		}
		out[o++] = p[i];
		if (p[i] == '\\') {
			if (i + 1 == len)
				return "name ends with '\\'";
			if (i + 3 < len && (cls[(unsigned char)p[i + 1]] & C_DIGIT)) {
				/* \DDD */
				if (!(cls[(unsigned char)p[i + 2]] & C_DIGIT) ||
				    !(cls[(unsigned char)p[i + 3]] & C_DIGIT))
					return "bad \\DDD escape in name";
				v = (unsigned)(p[i + 1] - '0') * 100 +
				    (unsigned)(p[i + 2] - '0') * 10 +
				    (unsigned)(p[i + 3] - '0');
				if (v > 255)
					return "bad \\DDD escape in name";
				memcpy(out + o, p + i + 1, 3);
				o += 3;
				i += 3;
			} else if (cls[(unsigned char)p[i + 1]] & C_DIGIT) {
				return "bad \\DDD escape in name";
			} else {
				out[o++] = p[++i];
			}
		}
		if (++label > 63)
			return "label longer than 63 octets";
	}
	if (label > 0)
		wire += label + 1;
	if (!absolute) {
		if (!fs->have_origin)
			return no_origin_rel;
		if (fs->origin_len > 0) {
			if (o + 1 + fs->origin_len >= ZONE_NAME_MAX)
				return "name too long";
			out[o++] = '.';
			memcpy(out + o, fs->origin, fs->origin_len);
			o += fs->origin_len;
			/* the origin's wire length minus its root octet */
			wire += fs->origin_len + 1;
		}
	}
	if (wire > 255)
		return "name longer than 255 octets";
	out[o] = '\0';
	*outlen = o;
	return NULL;
}

/* Set origin from text (absolute; may end with '.'); false if invalid. */
static bool
set_origin_text(struct fstate *fs, const char *origin)
{
	struct tok t;
	char tmp[ZONE_NAME_MAX];
	size_t n, len = strlen(origin);
	bool had = fs->have_origin;

	t.p = origin;
	t.len = len;
	t.quoted = false;
	t.line = 0;
	/* parse as if relative to the root */
	fs->have_origin = true;
	n = fs->origin_len;
	fs->origin_len = 0;
	fs->origin[0] = '\0';
	if (make_name(fs, &t, tmp, &len) != NULL) {
		fs->have_origin = had;
		fs->origin_len = n;
		return false;
	}
	memcpy(fs->origin, tmp, len + 1);
	fs->origin_len = len;
	return true;
}

/* Unescape a character-string (\X, \DDD) into out (room for t->len). */
static const char *
unescape(const struct tok *t, char *out, size_t *outlen)
{
	const char *p = t->p;
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i < t->len; i++) {
		if (p[i] != '\\') {
			out[o++] = p[i];
			continue;
		}
		if (++i == t->len)
			return "string ends with '\\'";
		if (cls[(unsigned char)p[i]] & C_DIGIT) {
			if (i + 2 >= t->len ||
			    !(cls[(unsigned char)p[i + 1]] & C_DIGIT) ||
			    !(cls[(unsigned char)p[i + 2]] & C_DIGIT))
				return "bad \\DDD escape";
			v = (unsigned)(p[i] - '0') * 100 +
			    (unsigned)(p[i + 1] - '0') * 10 +
			    (unsigned)(p[i + 2] - '0');
			if (v > 255)
				return "bad \\DDD escape";
			out[o++] = (char)v;
			i += 2;
		} else {
			out[o++] = p[i];
		}
	}
	*outlen = o;
	return NULL;
}

static unsigned
hexval(unsigned char c)
{
	if (c <= '9')
		return c - '0';
	return (unsigned)lower[c] - 'a' + 10;
}

/* Decode an uncompressed wire-format name at w[*off] into presentation. */
static const char *
wire_name(const unsigned char *w, size_t wlen, size_t *off, char *out,
    size_t *outlen)
{
	size_t o = 0, i = *off, n, k;
	unsigned char c;

	for (;;) {
		if (i >= wlen)
			return "truncated name in \\# rdata";
		n = w[i++];
		if (n == 0)
			break;
		if (n > 63)
			return "compressed or bad label in \\# rdata";
		if (i + n > wlen)
			return "truncated name in \\# rdata";
		/* bounds the output: at most 4 bytes per wire octet */
		if (i + n - *off > 254)
			return "name longer than 255 octets";
		if (o > 0)
			out[o++] = '.';
		for (k = 0; k < n; k++) {
			c = w[i + k];
			if (!(cls[c] & C_PRINT)) {
				o += (size_t)snprintf(out + o, 5, "\\%03u", c);
			} else {
				if (c == '.' || c == '\\' || c == '"' ||
				    c == ';' || c == '(' || c == ')')
					out[o++] = '\\';
				out[o++] = (char)c;
			}
		}
		i += n;
	}
	out[o] = '\0';
	*outlen = o;
	*off = i;
	return NULL;
}

/* ---- records ---- */

/* rdata as RFC 3597 "\# LEN HEX..." into rd->sbuf; *wlen gets LEN. */
static const char *
parse_generic(struct reader *rd, const struct tok *r, size_t nr, size_t *wlen)
{
	uint32_t len;
	size_t i, k, o = 0;
	unsigned char *w = (unsigned char *)rd->sbuf;
	int half = -1;

	if (nr < 2 || !parse_u32(r[1].p, r[1].len, &len) || len > 65535)
		return "bad length in \\# rdata";
	for (i = 2; i < nr; i++) {
		for (k = 0; k < r[i].len; k++) {
			unsigned char c = (unsigned char)r[i].p[k];

			if (!(cls[c] & C_HEX))
				return "bad hex digit in \\# rdata";
			if (half < 0) {
				half = (int)hexval(c);
			} else {
				if (o >= len)
					return "\\# rdata longer than its length";
				w[o++] = (unsigned char)(half << 4 | (int)hexval(c));
				half = -1;
			}
		}
	}
	if (half >= 0 || o != len)
		return "\\# rdata length does not match its data";
	*wlen = o;
	return NULL;
}

/* Fill rr->u from generic rdata for the types we decode. */
static const char *
decode_generic(struct reader *rd, struct zone_rr *rr, size_t wlen)
{
	const unsigned char *w = (const unsigned char *)rd->sbuf;
	size_t off = 0, n = 0, len;
	const char *why;

	switch (rr->type) {
	case 1: case 28:
		if (wlen != (rr->type == 1 ? 4u : 16u))
			return "bad address length in \\# rdata";
		memset(&rr->u.addr, 0, sizeof(rr->u.addr));
		rr->u.addr.family = rr->type == 1 ? 4 : 6;
		memcpy(rr->u.addr.a, w, wlen);
		return NULL;
	case 2: case 5: case 12:
		if ((why = wire_name(w, wlen, &off, rd->name[0], &len)) != NULL)
			return why;
		rr->u.target.p = rd->name[0];
		rr->u.target.len = len;
		break;
	case 15:
		if (wlen < 2)
			return "truncated MX in \\# rdata";
		rr->u.mx.pref = (uint16_t)(w[0] << 8 | w[1]);
		off = 2;
		if ((why = wire_name(w, wlen, &off, rd->name[0], &len)) != NULL)
			return why;
		rr->u.mx.host.p = rd->name[0];
		rr->u.mx.host.len = len;
		break;
	case 16: case 99:
		rr->u.txt.total = 0;
		while (off < wlen) {
			len = w[off++];
			if (off + len > wlen)
				return "truncated string in \\# rdata";
			if (!buf_grow_array((void **)&rd->str, &rd->strcap, n + 1,
			    sizeof(*rd->str)))
				return "out of memory";
			rd->str[n].p = (const char *)w + off;
			rd->str[n].len = len;
			rr->u.txt.total += len;
			n++;
			off += len;
		}
		if (n == 0)
			return "TXT rdata without a string";
		rr->u.txt.n = n;
		rr->u.txt.s = rd->str;
		return NULL;
	default:
		return NULL;
	}
	if (off != wlen)
		return "trailing bytes in \\# rdata";
	return NULL;
}

static const char *
parse_strings(struct reader *rd, struct fstate *fs, struct zone_rr *rr,
    const struct tok *r, size_t nr)
{
	size_t i, o = 0, len;
	const char *why;

	if (!buf_grow_array((void **)&rd->str, &rd->strcap, nr,
	    sizeof(*rd->str)))
		return "out of memory";
	rr->u.txt.total = 0;
	for (i = 0; i < nr; i++) {
		if ((why = unescape(&r[i], rd->sbuf + o, &len)) != NULL)
			return why;
		if (len > 255) {
			rr->flags |= ZONE_RR_STRING_TOO_LONG;
			report(rd, fs->name, r[i].line, ZONE_ERR_STRING_TOO_LONG,
			    "character-string of %zu octets: at most 255 "
			    "allowed (RFC 1035 §3.3)", len);
		}
		rd->str[i].p = rd->sbuf + o;
		rd->str[i].len = len;
		rr->u.txt.total += len;
		o += len;
	}
	rr->u.txt.n = nr;
	rr->u.txt.s = rd->str;
	return NULL;
}

/* Template syntax a zone generator left unrendered: {{ }}, {% %},
 * ${...}, <%= %>. */
static bool
looks_template(const char *p, size_t len)
{
	return len >= 2 && ((p[0] == '{' && (p[1] == '{' || p[1] == '%')) ||
	    (p[0] == '$' && p[1] == '{') || (p[0] == '<' && p[1] == '%'));
}

static const char *
parse_rdata(struct reader *rd, struct fstate *fs, struct zone_rr *rr,
    const struct tok *r, size_t nr, unsigned min_fields)
{
	const char *why;
	uint32_t v;
	size_t len;

	if (nr > 0 && !r[0].quoted && r[0].len == 2 && r[0].p[0] == '\\' &&
	    r[0].p[1] == '#') {
		if ((why = parse_generic(rd, r, nr, &len)) != NULL)
			return why;
		rr->flags |= ZONE_RR_GENERIC;
		return decode_generic(rd, rr, len);
	}
	if (nr == 0 && rr->type != 42)
		return "missing rdata";
	if (nr < min_fields)
		return "too few rdata fields";
	switch (rr->type) {
	case 1: case 28:
		/* the field first: "{{ hosts.ipv4 }}" is three tokens, and
		 * the problem is the first, not the "trailing" others */
		if (r[0].quoted || !ip_parse_family(r[0].p, r[0].len,
		    rr->type == 1 ? 4 : 6, &rr->u.addr)) {
			if (looks_template(r[0].p, r[0].len))
				return rr->type == 1 ? "the field is an "
				    "unrendered template, not an IPv4 address" :
				    "the field is an unrendered template, not "
				    "an IPv6 address";
			return rr->type == 1 ? "the field is not an IPv4 "
			    "address" : "the field is not an IPv6 address";
		}
		if (nr != 1)
			return "trailing data after the address";
		return NULL;
	case 2: case 5: case 12:
		if (nr != 1)
			return "trailing data after the name";
		if ((why = make_name(fs, &r[0], rd->name[0], &len)) != NULL)
			return why;
		rr->u.target.p = rd->name[0];
		rr->u.target.len = len;
		return NULL;
	case 15:
		if (nr != 2)
			return "MX needs a preference and a host";
		if (r[0].quoted || !parse_u32(r[0].p, r[0].len, &v) ||
		    v > 65535)
			return "bad MX preference";
		rr->u.mx.pref = (uint16_t)v;
		if ((why = make_name(fs, &r[1], rd->name[0], &len)) != NULL)
			return why;
		rr->u.mx.host.p = rd->name[0];
		rr->u.mx.host.len = len;
		return NULL;
	case 16: case 99:
		return parse_strings(rd, fs, rr, r, nr);
	case 6:
		if (nr != 7)
			return "SOA needs 7 fields";
		if ((why = make_name(fs, &r[0], rd->name[0], &len)) != NULL)
			return why;
		rr->u.soa.mname.p = rd->name[0];
		rr->u.soa.mname.len = len;
		if ((why = make_name(fs, &r[1], rd->name[1], &len)) != NULL)
			return why;
		rr->u.soa.rname.p = rd->name[1];
		rr->u.soa.rname.len = len;
		if (!parse_u32(r[2].p, r[2].len, &rr->u.soa.serial))
			return "bad SOA serial";
		if (!parse_ttl(r[3].p, r[3].len, &rr->u.soa.refresh) ||
		    !parse_ttl(r[4].p, r[4].len, &rr->u.soa.retry) ||
		    !parse_ttl(r[5].p, r[5].len, &rr->u.soa.expire) ||
		    !parse_ttl(r[6].p, r[6].len, &rr->u.soa.minimum))
			return "bad SOA timer";
		return NULL;
	default:
		return NULL;
	}
}

/* Join the rdata tokens for rr->rdata_text; reserve room for strings. */
static bool
rdata_text(struct reader *rd, const struct tok *r, size_t nr,
    struct zone_rr *rr)
{
	size_t i, need = 1, o = 0;

	for (i = 0; i < nr; i++)
		need += r[i].len + 3;
	if (!buf_grow_array((void **)&rd->text, &rd->textcap, need, 1) ||
	    !buf_grow_array((void **)&rd->sbuf, &rd->sbufcap, need, 1))
		return false;
	for (i = 0; i < nr; i++) {
		if (i > 0)
			rd->text[o++] = ' ';
		if (r[i].quoted)
			rd->text[o++] = '"';
		memcpy(rd->text + o, r[i].p, r[i].len);
		o += r[i].len;
		if (r[i].quoted)
			rd->text[o++] = '"';
	}
	rd->text[o] = '\0';
	rr->rdata_text = rd->text;
	rr->rdata_len = o;
	return true;
}

/*
 * A name failed for want of an origin (a file without $ORIGIN, read
 * without --origin): every relative name and '@' of the file fails alike,
 * so that is said once, with what to do, and the records that need it are
 * skipped without a message each.  True when why is such a failure.
 */
static bool
no_origin(struct reader *rd, struct fstate *fs, unsigned long line,
    const char *why)
{
	if (why != no_origin_at && why != no_origin_rel)
		return false;
	if (!rd->origin_said) {
		rd->origin_said = true;
		report(rd, fs->name, line, ZONE_ERR_SYNTAX,
		    "relative names or '@' and no origin known: pass --origin "
		    "NAME (or add \"$ORIGIN NAME.\" at the top); records "
		    "that need one are skipped");
	}
	return true;
}

static void
do_record(struct reader *rd, struct fstate *fs, const struct entry *e)
{
	const struct tok *t = rd->tok;
	size_t n = rd->ntok, i = 0, k, len;
	struct zone_rr rr;
	const struct mnemonic *m;
	const char *why;
	bool have_ttl = false, have_class = false;
	uint16_t code;

	memset(&rr, 0, sizeof(rr));
	rr.file = fs->name;
	rr.line = e->line;
	rr.comment = e->comment;
	rr.comment_len = e->comment_len;
	if (e->blank_start) {
		if (!fs->have_prev) {
			if (!fs->prev_no_origin)
				report(rd, fs->name, t[0].line,
				    ZONE_ERR_SYNTAX,
				    "no owner name, and no previous record");
			return;
		}
	} else {
		if ((why = make_name(fs, &t[0], fs->prev, &len)) != NULL) {
			fs->have_prev = false;
			fs->prev_no_origin = no_origin(rd, fs, t[0].line, why);
			if (!fs->prev_no_origin)
				report(rd, fs->name, t[0].line,
				    ZONE_ERR_SYNTAX, "bad owner name '%.*s': %s",
				    shown(t[0].len), t[0].p, why);
			return;
		}
		fs->prev_len = len;
		fs->have_prev = true;
		fs->prev_no_origin = false;
		i = 1;
	}
	for (k = 0; k < 2 && i < n; k++) {
		if (!have_ttl && !t[i].quoted &&
		    (cls[(unsigned char)t[i].p[0]] & C_DIGIT)) {
			if (!parse_ttl(t[i].p, t[i].len, &rr.ttl)) {
				report(rd, fs->name, t[i].line, ZONE_ERR_SYNTAX,
				    "bad TTL '%.*s'", shown(t[i].len), t[i].p);
				return;
			}
			have_ttl = true;
			i++;
		} else if (!have_class && (code = class_code(&t[i])) != 0) {
			rr.class = code;
			have_class = true;
			i++;
		} else {
			break;
		}
	}
	if (i == n) {
		report(rd, fs->name, t[n - 1].line, ZONE_ERR_SYNTAX,
		    "missing record type");
		return;
	}
	m = t[i].quoted ? NULL : type_find(t[i].p, t[i].len);
	code = m != NULL ? m->code :
	    t[i].quoted ? 0 : prefixed_code(t[i].p, t[i].len, "TYPE");
	if (code == 0) {
		report(rd, fs->name, t[i].line, ZONE_ERR_SYNTAX,
		    "unknown record type '%.*s': not in the IANA registry "
		    "(a provider's own type such as ALIAS is refused by other "
		    "servers; a new one is written TYPEnnn \\# LEN HEX)",
		    shown(t[i].len), t[i].p);
		return;
	}
	rr.type = code;
	i++;
	if (!have_class)
		rr.class = fs->last_class;
	fs->last_class = rr.class;
	if (!rdata_text(rd, t + i, n - i, &rr)) {
		report(rd, fs->name, e->line, ZONE_ERR_LIMIT, "out of memory");
		rd->stop = true;
		return;
	}
	why = parse_rdata(rd, fs, &rr, t + i, n - i, m ? m->min_fields : 1);
	if (why != NULL && no_origin(rd, fs, i < n ? t[i].line :
	    t[n - 1].line, why))
		return;
	if (why != NULL) {
		for (k = 0; k <= fs->prev_len; k++)
			rd->owner[k] = (char)lower[(unsigned char)fs->prev[k]];
		rd->rej_type = rr.type;
		rd->rej_owner.p = rd->owner;
		rd->rej_owner.len = fs->prev_len;
		report(rd, fs->name, i < n ? t[i].line : t[n - 1].line,
		    ZONE_ERR_SYNTAX, "bad %s rdata: %s",
		    m ? m->name : "generic", why);
		rd->rej_type = 0;
		rd->rej_owner.p = NULL;
		rd->rej_owner.len = 0;
		return;
	}
	if (m != NULL && type_unchecked(m) && !(rr.flags & ZONE_RR_GENERIC))
		rr.flags |= ZONE_RR_UNCHECKED;
	if (rr.type == 6 && !(rr.flags & ZONE_RR_GENERIC)) {
		fs->soa_min = rr.u.soa.minimum;
		fs->have_soa_min = true;
	}
	if (have_ttl) {
		fs->last_ttl = rr.ttl;
		fs->have_last_ttl = true;
	} else if (fs->have_dollar_ttl) {
		rr.ttl = fs->dollar_ttl;
	} else if (fs->have_last_ttl) {
		rr.ttl = fs->last_ttl;
	} else if (fs->have_soa_min) {
		rr.ttl = fs->soa_min;
	}
	for (k = 0; k <= fs->prev_len; k++)
		rd->owner[k] = (char)lower[(unsigned char)fs->prev[k]];
	rr.owner.p = rd->owner;
	rr.owner.len = fs->prev_len;
	rr.owner_orig.p = fs->prev;
	rr.owner_orig.len = fs->prev_len;
	if (rd->cb != NULL && rd->cb(rd->arg, &rr) != 0)
		rd->stop = true;
}

static void read_path(struct reader *rd, const struct fstate *parent,
    const char *path, const struct tok *origin, unsigned long line);

/* ---- $GENERATE (BIND) ---- */

/*
 * At most this many records from one $GENERATE.  BIND takes any range up
 * to 2^31-1; real zones use a /24's worth (256) or at most a /16's
 * (65536) per line.  A bound keeps one line from making a pre-commit hook
 * read two billion records; over it the directive is an error and makes
 * nothing (a cut range would leave some names missing, silently).
 */
#define GENERATE_MAX	65536u
#define GEN_LINE_MAX	(64u << 10)	/* one generated entry, bytes */

/* BIND's nibble form of v: hex digits lowest first, '.'-separated, at
 * least width characters (separators counted). */
static void
gen_nibbles(struct buf *b, unsigned width, bool upper, unsigned long v)
{
	static const char lo[] = "0123456789abcdef", hi[] = "0123456789ABCDEF";

	do {
		buf_addc(b, (upper ? hi : lo)[v & 0xf]);
		v >>= 4;
		if (width > 0)
			width--;
		if (width > 0 || v != 0) {
			buf_addc(b, '.');
			if (width > 0)
				width--;
		}
	} while (v != 0 || width > 0);
}

/* A decimal number at *i in p[0..n) (optional sign when sign); false if
 * none or out of range. */
static bool
gen_number(const char *p, size_t n, size_t *i, bool sign, long *out)
{
	long v = 0;
	bool neg = false;
	size_t s;

	if (sign && *i < n && (p[*i] == '-' || p[*i] == '+'))
		neg = p[(*i)++] == '-';
	s = *i;
	while (*i < n && (cls[(unsigned char)p[*i]] & C_DIGIT)) {
		v = v * 10 + (p[*i] - '0');
		if (v > 2147483647L)
			return false;
		(*i)++;
	}
	if (*i == s)
		return false;
	*out = neg ? -v : v;
	return true;
}

/*
 * Substitute the iterator it into the template p[0..n), as BIND's
 * genname(): "$" is the value, "${offset[,width[,base]]}" with bases d, o,
 * x, X, n, N (nibbles), "$$" a literal '$', and a backslash keeps the next
 * character as it is ("\$" stays an escaped '$'), but unquote makes \"
 * a plain '"' (the content of a quoted rhs).  NULL or an error.
 */
static const char *
gen_subst(struct buf *b, const char *p, size_t n, long it, bool unquote)
{
	size_t i = 0;
	long delta, width;
	char base;
	long long v;

	while (i < n) {
		if (unquote && p[i] == '\\' && i + 1 < n && p[i + 1] == '"') {
			buf_addc(b, '"');	/* BIND's lexer drops it */
			i += 2;
			continue;
		}
		if (p[i] == '\\') {
			buf_addc(b, p[i++]);
			if (i < n)
				buf_addc(b, p[i++]);
			continue;
		}
		if (p[i] != '$') {
			buf_addc(b, p[i++]);
			continue;
		}
		if (i + 1 < n && p[i + 1] == '$') {	/* "$$": escaped, as
							 * "\$" is */
			buf_add(b, "\\$", 2);
			i += 2;
			continue;
		}
		i++;
		delta = 0;
		width = 0;
		base = 'd';
		if (i < n && p[i] == '{') {
			i++;
			if (!gen_number(p, n, &i, true, &delta))
				return "bad ${offset,width,base} in $GENERATE";
			if (i < n && p[i] == ',') {
				i++;
				if (!gen_number(p, n, &i, false, &width) ||
				    width > 255)
					return "bad width in $GENERATE ${...}";
				if (i < n && p[i] == ',') {
					i++;
					if (i >= n || strchr("doxXnN", p[i]) ==
					    NULL || p[i] == '\0')
						return "bad base in $GENERATE "
						    "${...}: d, o, x, X, n or N";
					base = p[i++];
				}
			}
			if (i >= n || p[i] != '}')
				return "'}' missing in $GENERATE ${...}";
			i++;
		}
		v = (long long)it + delta;
		if (v < 0 || v > 2147483647LL)
			return "$GENERATE value out of range";
		if (base == 'n' || base == 'N') {
			gen_nibbles(b, (unsigned)width, base == 'N',
			    (unsigned long)v);
			continue;
		}
		switch (base) {
		case 'o':
			buf_printf(b, "%0*llo", (int)width, (unsigned long long)v);
			break;
		case 'x':
			buf_printf(b, "%0*llx", (int)width, (unsigned long long)v);
			break;
		case 'X':
			buf_printf(b, "%0*llX", (int)width, (unsigned long long)v);
			break;
		default:
			buf_printf(b, "%0*lld", (int)width, v);
			break;
		}
	}
	return NULL;
}

/* Append token t to b as it was written (quoted ones with their quotes). */
static void
gen_tok(struct buf *b, const struct tok *t)
{
	if (t->quoted)
		buf_addc(b, '"');
	buf_add(b, t->p, t->len);
	if (t->quoted)
		buf_addc(b, '"');
}

/*
 * $GENERATE range lhs [ttl] [class] type rhs: each generated line is
 * lexed and read as a record of this file at the directive's line, so
 * the names it makes exist for every check.  The first bad generated
 * record ends the directive (one error, not one per value).
 */
static void
do_generate(struct reader *rd, struct fstate *fs, const struct entry *e)
{
	struct tok *t = rd->tok, *copy = NULL;
	size_t n = rd->ntok, i, k, ti, used;
	long start, stop, step = 1, it;
	unsigned long count;
	struct buf line, text;
	struct entry ge;
	const char *why = NULL;
	char prev[ZONE_NAME_MAX];
	size_t prev_len = fs->prev_len;
	bool have_prev = fs->have_prev;
	uint16_t last_class = fs->last_class;
	uint32_t last_ttl = fs->last_ttl;
	bool have_last_ttl = fs->have_last_ttl;
	int nerr;

	i = 0;
	if (n < 5 || t[1].quoted || !gen_number(t[1].p, t[1].len, &i, false,
	    &start) || i >= t[1].len || t[1].p[i++] != '-' ||
	    !gen_number(t[1].p, t[1].len, &i, false, &stop) ||
	    (i < t[1].len && (t[1].p[i++] != '/' ||
	    !gen_number(t[1].p, t[1].len, &i, false, &step))) ||
	    i != t[1].len || step == 0 || start > stop) {
		report(rd, fs->name, e->line, ZONE_ERR_SYNTAX, n < 5 ?
		    "$GENERATE needs a range, an owner, a type and rdata" :
		    "bad $GENERATE range '%.*s': START-STOP or START-STOP/STEP",
		    n < 5 ? 0 : shown(t[1].len), n < 5 ? "" : t[1].p);
		return;
	}
	count = (unsigned long)((stop - start) / step) + 1;
	if (count > GENERATE_MAX) {
		report(rd, fs->name, e->line, ZONE_ERR_LIMIT,
		    "$GENERATE of %lu records: at most %u are read (more "
		    "than any real range per line); nothing generated",
		    count, GENERATE_MAX);
		return;
	}
	/* the type: after lhs, an optional TTL and class */
	for (ti = 3, k = 0; k < 2 && ti < n; k++) {
		if (!t[ti].quoted && t[ti].len > 0 &&
		    (cls[(unsigned char)t[ti].p[0]] & C_DIGIT))
			ti++;
		else if (class_code(&t[ti]) != 0)
			ti++;
	}
	if (ti + 1 >= n) {
		report(rd, fs->name, e->line, ZONE_ERR_SYNTAX,
		    "$GENERATE needs a range, an owner, a type and rdata");
		return;
	}
	/* lex_entry() reuses rd->tok: keep the directive's tokens */
	if ((copy = malloc(n * sizeof(*copy))) == NULL) {
		report(rd, fs->name, e->line, ZONE_ERR_LIMIT, "out of memory");
		rd->stop = true;
		return;
	}
	memcpy(copy, t, n * sizeof(*copy));
	memcpy(prev, fs->prev, sizeof(prev));
	buf_init(&line, GEN_LINE_MAX);
	buf_init(&text, GEN_LINE_MAX);
	for (it = start; it <= stop && !rd->stop; it += step) {
		buf_reset(&line);
		why = gen_subst(&line, copy[2].p, copy[2].len, it, false);
		for (k = 3; k <= ti && why == NULL; k++) {
			buf_addc(&line, ' ');
			gen_tok(&line, &copy[k]);
		}
		/* BIND reads the rhs as one field, a quoted one unwrapped,
		 * and then as the record's rdata text */
		for (k = ti + 1; k < n && why == NULL; k++) {
			buf_addc(&line, ' ');
			if (copy[k].quoted && n == ti + 2) {
				why = gen_subst(&line, copy[k].p, copy[k].len,
				    it, true);
				continue;
			}
			buf_reset(&text);
			if ((why = gen_subst(&text, copy[k].p, copy[k].len,
			    it, false)) == NULL) {
				struct tok q = copy[k];

				q.p = buf_str(&text);
				q.len = text.len;
				gen_tok(&line, &q);
			}
		}
		buf_addc(&line, '\n');
		if (why == NULL && (line.err || text.err))
			why = "generated record too long";
		if (why != NULL) {
			report(rd, fs->name, e->line, ZONE_ERR_SYNTAX, "%s", why);
			break;
		}
		if (lex_entry(rd, line.p, line.p + line.len, true, e->line,
		    &ge, &used) != LEX_DONE || rd->ntok == 0)
			break;
		if (ge.err != NULL) {
			report(rd, fs->name, e->line, ZONE_ERR_SYNTAX,
			    "$GENERATE makes a bad record: %s", ge.err);
			break;
		}
		ge.blank_start = false;
		ge.nlines = 0;
		ge.comment = e->comment;
		ge.comment_len = e->comment_len;
		nerr = rd->nerr;
		do_record(rd, fs, &ge);
		if (rd->nerr != nerr)
			break;		/* one error per directive */
	}
	buf_free(&line);
	buf_free(&text);
	free(copy);
	/* the lines after it continue from the record before it */
	memcpy(fs->prev, prev, sizeof(prev));
	fs->prev_len = prev_len;
	fs->have_prev = have_prev;
	fs->last_class = last_class;
	fs->last_ttl = last_ttl;
	fs->have_last_ttl = have_last_ttl;
}

static void
do_directive(struct reader *rd, struct fstate *fs, const struct entry *e)
{
	const struct tok *t = rd->tok;
	size_t n = rd->ntok, len;
	char tmp[ZONE_NAME_MAX];
	char path[4096];
	const char *why, *slash;
	int dirlen;

	if (tok_is(&t[0], "$ORIGIN")) {
		if (n != 2) {
			report(rd, fs->name, e->line, ZONE_ERR_SYNTAX,
			    "$ORIGIN needs one name");
			return;
		}
		if ((why = make_name(fs, &t[1], tmp, &len)) != NULL) {
			report(rd, fs->name, t[1].line, ZONE_ERR_SYNTAX,
			    "bad $ORIGIN '%.*s': %s", shown(t[1].len), t[1].p,
			    why);
			return;
		}
		memcpy(fs->origin, tmp, len + 1);
		fs->origin_len = len;
		fs->have_origin = true;
	} else if (tok_is(&t[0], "$TTL")) {
		if (n != 2 || t[1].quoted ||
		    !parse_ttl(t[1].p, t[1].len, &fs->dollar_ttl)) {
			report(rd, fs->name, e->line, ZONE_ERR_SYNTAX,
			    "$TTL needs one TTL value");
			return;
		}
		fs->have_dollar_ttl = true;
	} else if (tok_is(&t[0], "$INCLUDE")) {
		if (n < 2 || n > 3) {
			report(rd, fs->name, e->line, ZONE_ERR_SYNTAX,
			    "$INCLUDE needs a file name and an optional origin");
			return;
		}
		if (rd->flags & ZONE_READ_NO_INCLUDE) {
			report(rd, fs->name, e->line, ZONE_ERR_INCLUDE,
			    "$INCLUDE is not allowed here");
			return;
		}
		if (memchr(t[1].p, '\0', t[1].len) != NULL ||
		    t[1].len >= sizeof(path)) {
			report(rd, fs->name, e->line, ZONE_ERR_INCLUDE,
			    "bad $INCLUDE file name");
			return;
		}
		/* a relative path is relative to the including file */
		slash = strrchr(fs->name, '/');
		dirlen = t[1].p[0] == '/' || slash == NULL ? 0 :
		    (int)(slash - fs->name + 1);
		if (snprintf(path, sizeof(path), "%.*s%.*s", dirlen, fs->name,
		    (int)t[1].len, t[1].p) >= (int)sizeof(path)) {
			report(rd, fs->name, e->line, ZONE_ERR_INCLUDE,
			    "$INCLUDE path too long");
			return;
		}
		read_path(rd, fs, path, n == 3 ? &t[2] : NULL, e->line);
	} else if (tok_is(&t[0], "$GENERATE")) {
		do_generate(rd, fs, e);
	} else {
		report(rd, fs->name, e->line, ZONE_ERR_SYNTAX,
		    "unknown or unsupported directive '%.*s'",
		    shown(t[0].len), t[0].p);
	}
}

/* An entry the lexer rejected ("unterminated quoted string"): its owner
 * and type when they can be told, for the error (struct zone_error). */
static void
reject_lexed(struct reader *rd, const struct fstate *fs,
    const struct entry *e)
{
	const struct tok *t = rd->tok;
	const struct mnemonic *m;
	size_t i = e->blank_start ? 0 : 1, k;

	/* tokens may be empty (an unterminated '"' at the end): read a
	 * token's first byte only when it has one */
	if (!fs->have_prev || rd->ntok == 0 || (!e->blank_start &&
	    (t[0].quoted || t[0].len == 0 || t[0].p[0] == '$')))
		return;
	for (k = 0; k < 2 && i < rd->ntok && !t[i].quoted && t[i].len > 0 &&
	    ((cls[(unsigned char)t[i].p[0]] & C_DIGIT) ||
	    class_code(&t[i]) != 0); k++)
		i++;
	if (i >= rd->ntok || t[i].quoted ||
	    (m = type_find(t[i].p, t[i].len)) == NULL)
		return;
	for (k = 0; k <= fs->prev_len; k++)
		rd->owner[k] = (char)lower[(unsigned char)fs->prev[k]];
	rd->rej_type = m->code;
	rd->rej_owner.p = rd->owner;
	rd->rej_owner.len = fs->prev_len;
}

static void
do_entry(struct reader *rd, struct fstate *fs, const struct entry *e)
{
	const struct tok *t = rd->tok;
	size_t len;

	if (e->err != NULL) {
		/* the owner still counts for the lines after it */
		if (!e->blank_start && rd->ntok > 0 && !t[0].quoted &&
		    t[0].p[0] != '$') {
			fs->have_prev = make_name(fs, &t[0], fs->prev,
			    &len) == NULL;
			fs->prev_len = fs->have_prev ? len : 0;
		}
		reject_lexed(rd, fs, e);
		report(rd, fs->name, e->err_line, ZONE_ERR_SYNTAX, "%s",
		    e->err);
		rd->rej_type = 0;
		rd->rej_owner.p = NULL;
		rd->rej_owner.len = 0;
		return;
	}
	if (rd->ntok == 0)
		return;
	if (!e->blank_start && !rd->tok[0].quoted && rd->tok[0].p[0] == '$')
		do_directive(rd, fs, e);
	else
		do_record(rd, fs, e);
}

/* Read the complete entries of p[0..len); *used gets the bytes taken. */
static void
read_chunk(struct reader *rd, struct fstate *fs, const char *p, size_t len,
    bool eof, size_t *used)
{
	size_t pos = 0, n;
	struct entry e;

	while (pos < len && !rd->stop) {
		if (lex_entry(rd, p + pos, p + len, eof, fs->line, &e, &n) ==
		    LEX_MORE)
			break;
		fs->line += e.nlines;
		pos += n;
		do_entry(rd, fs, &e);
	}
	*used = pos;
}

static void
read_fd(struct reader *rd, struct fstate *fs, int fd)
{
	size_t cap = READ_BLOCK, have = 0, used;
	char *buf, *nb;
	ssize_t got;
	bool eof = false;

	if ((buf = malloc(cap)) == NULL) {
		report(rd, fs->name, fs->line, ZONE_ERR_LIMIT, "out of memory");
		rd->stop = true;
		return;
	}
	while (!eof && !rd->stop) {
		got = read(fd, buf + have, cap - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			report(rd, fs->name, fs->line, ZONE_ERR_LIMIT,
			    "read error: %s", strerror(errno));
			break;
		}
		eof = got == 0;
		have += (size_t)got;
		read_chunk(rd, fs, buf, have, eof, &used);
		memmove(buf, buf + used, have - used);
		have -= used;
		if (have == cap) {
			if (cap >= ENTRY_MAX ||
			    (nb = realloc(buf, cap * 2)) == NULL) {
				report(rd, fs->name, fs->line, ZONE_ERR_LIMIT,
				    "entry longer than %zu bytes: rest of the "
				    "file skipped", cap);
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	free(buf);
}

/* Start the state of a new file read from `parent` (NULL: top level). */
static void
fstate_init(struct fstate *fs, const struct fstate *parent, const char *name)
{
	if (parent != NULL) {
		*fs = *parent;
		fs->depth = parent->depth + 1;
	} else {
		memset(fs, 0, sizeof(*fs));
		fs->last_class = 1;
	}
	fs->name = name;
	fs->line = 1;
}

static void
read_path(struct reader *rd, const struct fstate *parent, const char *path,
    const struct tok *origin, unsigned long line)
{
	struct fstate fs;
	struct stat st;
	const char *why;
	char tmp[ZONE_NAME_MAX];
	size_t len;
	int fd;

	if (parent->depth + 1 >= ZONE_INCLUDE_DEPTH) {
		report(rd, parent->name, line, ZONE_ERR_INCLUDE,
		    "$INCLUDE nested more than %d deep", ZONE_INCLUDE_DEPTH);
		return;
	}
	fstate_init(&fs, parent, path);
	if (origin != NULL) {
		if ((why = make_name(parent, origin, tmp, &len)) != NULL) {
			report(rd, parent->name, line, ZONE_ERR_SYNTAX,
			    "bad $INCLUDE origin: %s", why);
			return;
		}
		memcpy(fs.origin, tmp, len + 1);
		fs.origin_len = len;
		fs.have_origin = true;
	}
	/* O_NONBLOCK: opening a FIFO must not hang us before the check */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		report(rd, parent->name, line, ZONE_ERR_INCLUDE,
		    "cannot read $INCLUDE file %s: %s", path, strerror(errno));
		return;
	}
	/* a device or FIFO could feed us forever */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		report(rd, parent->name, line, ZONE_ERR_INCLUDE,
		    "$INCLUDE file %s is not a regular file", path);
		close(fd);
		return;
	}
	read_fd(rd, &fs, fd);
	close(fd);
}

static void
reader_free(struct reader *rd)
{
	free(rd->tok);
	free(rd->text);
	free(rd->sbuf);
	free(rd->str);
}

static int
reader_result(struct reader *rd)
{
	int n = rd->stop ? -2 : rd->nerr;

	reader_free(rd);
	return n;
}

static void
reader_init(struct reader *rd, zone_rr_cb *cb, zone_err_cb *errcb,
    void *arg, unsigned flags)
{
	tables_init();
	memset(rd, 0, sizeof(*rd));
	rd->cb = cb;
	rd->errcb = errcb;
	rd->arg = arg;
	rd->flags = flags;
}

int
zone_read_file(const char *path, const char *origin, zone_rr_cb *cb,
    zone_err_cb *errcb, void *arg)
{
	struct reader *rd;
	struct fstate *fs;
	struct stat st;
	int fd, n, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	rd = malloc(sizeof(*rd));
	fs = malloc(sizeof(*fs));
	if (rd == NULL || fs == NULL) {
		saved = errno;
		free(rd);
		free(fs);
		close(fd);
		errno = saved;
		return -1;
	}
	reader_init(rd, cb, errcb, arg, 0);
	fstate_init(fs, NULL, path);
	if (origin != NULL && !set_origin_text(fs, origin))
		report(rd, path, 0, ZONE_ERR_SYNTAX, "bad origin '%s'", origin);
	read_fd(rd, fs, fd);
	close(fd);
	n = reader_result(rd);
	free(rd);
	free(fs);
	return n;
}

int
zone_read_mem(const char *p, size_t len, const char *name,
    const char *origin, unsigned flags, zone_rr_cb *cb, zone_err_cb *errcb,
    void *arg)
{
	struct reader *rd;
	struct fstate *fs;
	size_t used;
	int n;

	rd = malloc(sizeof(*rd));
	fs = malloc(sizeof(*fs));
	if (rd == NULL || fs == NULL) {
		free(rd);
		free(fs);
		return -2;
	}
	reader_init(rd, cb, errcb, arg, flags);
	fstate_init(fs, NULL, name != NULL ? name : "-");
	if (origin != NULL && !set_origin_text(fs, origin))
		report(rd, fs->name, 0, ZONE_ERR_SYNTAX, "bad origin '%s'",
		    origin);
	read_chunk(rd, fs, p, len, true, &used);
	n = reader_result(rd);
	free(rd);
	free(fs);
	return n;
}

const char *
zone_origin_from_path(const char *path, char *out, size_t outsize)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && memcmp(base + n - 5, ".zone", 5) == 0)
		n -= 5;
	else if (n > 3 && memcmp(base + n - 3, ".db", 3) == 0)
		n -= 3;
	else if (n > 3 && memcmp(base, "db.", 3) == 0) {
		base += 3;
		n -= 3;
	} else {
		return NULL;
	}
	if (n == 0 || n >= outsize || !dns_name_valid(base, n))
		return NULL;
	memcpy(out, base, n);
	out[n] = '\0';
	return out;
}
