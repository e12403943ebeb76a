/*
 * spf_macro.c -- SPF macro-string expansion (RFC 7208 §7, RFC 8616 §4).
 *
 * The expander parses and writes in one pass through a small writer that
 * refuses to go past its bound.  libspf2 sized its output in a first pass
 * and wrote it with a raw pointer in a second; its CVEs came from the two
 * passes disagreeing, so there is no second pass here.
 *
 * Domain mode (§7.3) keeps only the last RING bytes of the expansion in a
 * ring buffer: shortening a name to 253 octets drops labels from the left,
 * so the right-hand 255 bytes are all the answer can ever contain, however
 * long the intermediate expansion was.
 */
#include "ascii.h"
#include "spf.h"

#include <stdio.h>
#include <string.h>

#define DOMAIN_MAX	253		/* §7.3: longest name in text form */
#define RING		512		/* > DOMAIN_MAX + trailing dot + a dot */
#define WORK_MAX	65536		/* expansion work cap for hostile input */

/* Character classes, indexed by unsigned char. */
enum {
	C_LIT = 1,	/* macro-literal: %x21-24 / %x26-7E */
	C_DIGIT = 2,
	C_DELIM = 4,	/* . - + , / _ = */
	C_UNRES = 8,	/* RFC 3986 unreserved: ALPHA DIGIT - . _ ~ */
	C_ALPHA = 16
};

/* 0x00-0x7f; bytes >= 0x80 are in no class. */
static const unsigned char cls[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  1,  1,  1,  1,  0,  1,  1,  1,  1,  1,  5,  5, 13, 13,  5,
	11, 11, 11, 11, 11, 11, 11, 11, 11, 11,  1,  1,  1,  5,  1,  1,
	 1, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25,
	25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25,  1,  1,  1,  1, 13,
	 1, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25,
	25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25,  1,  1,  1,  9,  0,
};

/* ---- bounded writer -------------------------------------------------- */

struct out {
	char *p;
	size_t cap;	/* direct: usable bytes (outsize - 1); ring: RING */
	size_t total;	/* bytes produced so far */
	bool ring;	/* keep the last RING bytes instead of failing */
	bool over;	/* sticky: did not fit (direct) or too much work */
};

static void
put(struct out *o, unsigned char c)
{
	if (o == NULL || o->over)
		return;
	if (o->ring) {
		if (o->total >= WORK_MAX) {
			o->over = true;
			return;
		}
		o->p[o->total % RING] = (char)c;
		o->total++;
		return;
	}
	if (o->total >= o->cap) {
		o->over = true;
		return;
	}
	o->p[o->total++] = (char)c;
}

static void
puts_n(struct out *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put(o, (unsigned char)s[i]);
}

/* Upper-case macro letters URL-escape their expansion (§7.3). */
static void
put_esc(struct out *o, unsigned char c, bool esc)
{
	static const char hex[] = "0123456789ABCDEF";

	if (!esc || (cls[c] & C_UNRES)) {
		put(o, c);
		return;
	}
	put(o, '%');
	put(o, (unsigned char)hex[c >> 4]);
	put(o, (unsigned char)hex[c & 0xf]);
}

/* ---- macro values ------------------------------------------------------ */

/* A value is up to two pieces so that "postmaster@" + domain needs no
 * copy of a caller string of unknown length. */
struct val {
	const char *a, *b;
	size_t alen, blen;
};

static unsigned char
val_at(const struct val *v, size_t k)
{
	return (unsigned char)(k < v->alen ? v->a[k] : v->b[k - v->alen]);
}

static void
val_set(struct val *v, const char *a, size_t alen, const char *b, size_t blen)
{
	v->a = a;
	v->alen = alen;
	v->b = b;
	v->blen = blen;
}

struct delims {
	bool set[256];
};

/*
 * Split v on the delimiters, optionally reverse, keep the `keep` right-hand
 * parts (0 = all), join with "." (§7.3).  Works on indexes, without a parts
 * array, so the number of parts is not limited.
 */
static void
emit_value(struct out *o, const struct val *v, unsigned long keep, bool rev,
    const struct delims *d, bool esc)
{
	size_t n = v->alen + v->blen, s, e, k;
	unsigned long seen;
	bool first = true;

	if (!rev) {
		/* Start after the keep-th delimiter counted from the right. */
		s = 0;
		if (keep != 0) {
			seen = 0;
			for (k = n; k > 0; k--) {
				if (d->set[val_at(v, k - 1)] && ++seen == keep) {
					s = k;
					break;
				}
			}
		}
		for (k = s; k < n; k++) {
			unsigned char c = val_at(v, k);

			put_esc(o, d->set[c] ? '.' : c, esc);
		}
		return;
	}
	/* Reversed: the right-hand parts of the reversed list are the first
	 * `keep` parts of the original, written last to first. */
	e = n;
	if (keep != 0) {
		seen = 0;
		for (k = 0; k < n; k++) {
			if (d->set[val_at(v, k)] && ++seen == keep) {
				e = k;
				break;
			}
		}
	}
	for (;;) {
		s = e;
		while (s > 0 && !d->set[val_at(v, s - 1)])
			s--;
		if (!first)
			put_esc(o, '.', esc);
		first = false;
		for (k = s; k < e; k++)
			put_esc(o, val_at(v, k), esc);
		if (s == 0)
			break;
		e = s - 1;
	}
}

static bool
has_non_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* State of one expansion: the context and the %{p} answer, fetched once. */
struct exp {
	const struct spf_macro_ctx *ctx;
	bool ptr_done;
	const char *ptr;
	bool nomatch;
	char tmp[80];	/* i, c, t: IPv6 nibbles need 63 bytes */
};

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* The value of one macro letter (lower case). */
static void
letter_value(struct exp *x, char letter, struct val *v)
{
	const struct spf_macro_ctx *c = x->ctx;
	const char *snd = nz(c->sender), *at;
	static const char pm[] = "postmaster";
	size_t slen = strlen(snd), llen;
	const struct ipaddr *ip = &c->ip;
	int i, o;

	/* The local-part may itself hold a quoted '@': split at the last. */
	at = NULL;
	for (llen = slen; llen > 0; llen--)
		if (snd[llen - 1] == '@') {
			at = snd + llen - 1;
			break;
		}
	llen = at != NULL ? (size_t)(at - snd) : 0;
	switch (letter) {
	case 's':
		if (at != NULL && llen > 0)
			val_set(v, snd, slen, "", 0);
		else if (at != NULL)		/* "@domain" */
			val_set(v, pm, sizeof(pm) - 1, at, slen - llen);
		else				/* bare domain */
			val_set(v, "postmaster@", 11, snd, slen);
		if (has_non_ascii(snd, llen))
			x->nomatch = true;
		break;
	case 'l':
		if (llen > 0)
			val_set(v, snd, llen, "", 0);
		else
			val_set(v, pm, sizeof(pm) - 1, "", 0);
		if (has_non_ascii(snd, llen))
			x->nomatch = true;
		break;
	case 'o':
		if (at != NULL)
			val_set(v, at + 1, slen - llen - 1, "", 0);
		else
			val_set(v, snd, slen, "", 0);
		break;
	case 'd':
		val_set(v, nz(c->domain), strlen(nz(c->domain)), "", 0);
		break;
	case 'h':
		val_set(v, nz(c->helo), strlen(nz(c->helo)), "", 0);
		break;
	case 'r':
		if (c->receiver != NULL)
			val_set(v, c->receiver, strlen(c->receiver), "", 0);
		else
			val_set(v, "unknown", 7, "", 0);
		break;
	case 'p':
		if (!x->ptr_done) {
			x->ptr_done = true;
			x->ptr = c->ptr_name != NULL ? c->ptr_name(c->ptr_arg) : NULL;
		}
		if (x->ptr != NULL)
			val_set(v, x->ptr, strlen(x->ptr), "", 0);
		else
			val_set(v, "unknown", 7, "", 0);
		break;
	case 'v':
		if (ip->family == 6)
			val_set(v, "ip6", 3, "", 0);
		else
			val_set(v, "in-addr", 7, "", 0);
		break;
	case 'i':
		x->tmp[0] = '\0';
		if (ip->family == 4) {
			snprintf(x->tmp, sizeof(x->tmp), "%u.%u.%u.%u",
			    ip->a[0], ip->a[1], ip->a[2], ip->a[3]);
		} else if (ip->family == 6) {
			const char *hex = x->ctx->ip_upper ?
			    "0123456789ABCDEF" : "0123456789abcdef";

			/* 32 nibbles, most significant first, dotted */
			for (i = 0, o = 0; i < 16; i++) {
				x->tmp[o++] = hex[ip->a[i] >> 4];
				x->tmp[o++] = '.';
				x->tmp[o++] = hex[ip->a[i] & 0xf];
				x->tmp[o++] = i < 15 ? '.' : '\0';
			}
		}
		val_set(v, x->tmp, strlen(x->tmp), "", 0);
		break;
	case 'c':
		ip_format(ip, x->tmp, sizeof(x->tmp));
		val_set(v, x->tmp, strlen(x->tmp), "", 0);
		break;
	case 't':
		snprintf(x->tmp, sizeof(x->tmp), "%lld", c->now);
		val_set(v, x->tmp, strlen(x->tmp), "", 0);
		break;
	default:
		val_set(v, "", 0, "", 0);
		break;
	}
}


/*
 * Parse (and, when o != NULL, expand) the macro-string.  Stops at the
 * first syntax error, reporting the offset of the offending '%' or byte.
 */
static enum spf_macro_status
run(const char *p, size_t len, struct exp *x, enum spf_macro_mode mode,
    struct out *o, size_t *erroff)
{
	size_t i = 0, j;
	unsigned char c;

	while (i < len) {
		c = (unsigned char)p[i];
		if (c == ' ' && mode == SPF_MACRO_EXPLAIN) {
			put(o, c);
			i++;
			continue;
		}
		if (c != '%') {
			if (!(cls[c] & C_LIT))
				goto bad;
			put(o, c);
			i++;
			continue;
		}
		if (i + 1 >= len)
			goto bad;
		switch (p[i + 1]) {
		case '%':
			put(o, '%');
			i += 2;
			continue;
		case '_':
			put(o, ' ');
			i += 2;
			continue;
		case '-':
			puts_n(o, "%20", 3);
			i += 2;
			continue;
		case '{':
			break;
		default:
			goto bad;
		}

		/* "%{" letter *DIGIT ["r"] *delimiter "}" */
		{
			unsigned long keep = 0;
			bool digits = false, rev = false, upper, anydelim = false;
			struct delims d;
			char letter;
			struct val v;

			j = i + 2;
			if (j >= len)
				goto bad;
			c = (unsigned char)p[j];
			letter = ascii_lower((char)c);
			upper = letter != (char)c;
			if (strchr("slodiphvcrt", letter) == NULL || letter == '\0')
				goto bad;
			if (mode == SPF_MACRO_DOMAIN && strchr("crt", letter) != NULL)
				goto bad;
			j++;
			while (j < len && (cls[(unsigned char)p[j]] & C_DIGIT)) {
				/* Saturate: more parts than exist keeps all. */
				if (keep < 100000)
					keep = keep * 10 + (unsigned long)(p[j] - '0');
				digits = true;
				j++;
			}
			if (digits && keep == 0)
				goto bad;	/* §7.1: the number must be non-zero */
			if (j < len && (p[j] == 'r' || p[j] == 'R')) {
				rev = true;
				j++;
			}
			memset(&d, 0, sizeof(d));
			while (j < len && (cls[(unsigned char)p[j]] & C_DELIM)) {
				d.set[(unsigned char)p[j]] = true;
				anydelim = true;
				j++;
			}
			if (j >= len || p[j] != '}')
				goto bad;
			if (!anydelim)
				d.set['.'] = true;
			if (o != NULL && x != NULL) {
				letter_value(x, letter, &v);
				emit_value(o, &v, keep, rev, &d, upper);
			}
			i = j + 1;
		}
	}
	return SPF_MACRO_OK;
bad:
	if (erroff != NULL)
		*erroff = i;
	return SPF_MACRO_SYNTAX;
}

enum spf_macro_status
spf_macro_check(const char *p, size_t len, enum spf_macro_mode mode,
    size_t *erroff)
{
	return run(p, len, NULL, mode, NULL, erroff);
}

/* §7.3: drop a trailing dot, then whole labels from the left until the
 * name fits in 253 octets.  Works on the last RING bytes only. */
static enum spf_macro_status
finish_domain(const struct out *ring, char *out, size_t outsize, size_t *outlen)
{
	char lin[RING];
	size_t total = ring->total, n, k, x, rlen;

	n = total < RING ? total : RING;
	for (k = 0; k < n; k++)
		lin[k] = ring->p[(total - n + k) % RING];
	if (n > 0 && lin[n - 1] == '.') {
		n--;
		total--;
	}
	x = 0;
	if (total > DOMAIN_MAX) {
		/* The first label boundary leaving at most 253 bytes. */
		for (x = n - DOMAIN_MAX; x < n; x++)
			if (x > 0 && lin[x - 1] == '.')
				break;
		if (x >= n)
			return SPF_MACRO_TOOLONG;	/* one huge label */
	}
	rlen = n - x;
	if (rlen + 1 > outsize)
		return SPF_MACRO_TOOLONG;
	memcpy(out, lin + x, rlen);
	out[rlen] = '\0';
	*outlen = rlen;
	return SPF_MACRO_OK;
}

enum spf_macro_status
spf_macro_expand(const char *p, size_t len, const struct spf_macro_ctx *ctx,
    enum spf_macro_mode mode, char *out, size_t outsize, size_t *outlen,
    size_t *erroff)
{
	static const struct spf_macro_ctx empty;
	enum spf_macro_status st;
	char ring[RING];
	struct out o;
	struct exp x;
	size_t dummy;

	if (outlen == NULL)
		outlen = &dummy;
	*outlen = 0;
	memset(&x, 0, sizeof(x));
	x.ctx = ctx != NULL ? ctx : &empty;
	memset(&o, 0, sizeof(o));
	if (mode == SPF_MACRO_DOMAIN) {
		o.p = ring;
		o.cap = RING;
		o.ring = true;
	} else {
		o.p = out;
		o.cap = outsize > 0 ? outsize - 1 : 0;
		o.over = outsize == 0;
	}
	st = run(p, len, &x, mode, &o, erroff);
	if (st == SPF_MACRO_OK && x.nomatch)
		st = SPF_MACRO_NOMATCH;
	if (st == SPF_MACRO_OK && o.over)
		st = SPF_MACRO_TOOLONG;
	if (st == SPF_MACRO_OK && mode == SPF_MACRO_DOMAIN)
		st = finish_domain(&o, out, outsize, outlen);
	else if (st == SPF_MACRO_OK) {
		out[o.total] = '\0';
		*outlen = o.total;
	}
	if (st != SPF_MACRO_OK) {
		*outlen = 0;
		if (outsize > 0)
			out[0] = '\0';
	}
	return st;
}
