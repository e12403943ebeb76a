/*
 * taglist.c -- character classes and lexing steps of tag=value records
 * (see taglist.h).
 */
#include <stdint.h>
#include <string.h>

#include "ascii.h"
#include "taglist.h"

/*
 * The table is a constant built by the preprocessor, so nothing has to be
 * initialised before the first parse (the per-module tables it replaces
 * each needed a cclass_init() call on every entry point).
 */
#define IN(c, a, b)	((c) >= (a) && (c) <= (b))
#define ALPHA_(c)	(IN(c, 'a', 'z') || IN(c, 'A', 'Z'))
#define DIGIT_(c)	IN(c, '0', '9')
#define ALNUM_(c)	(ALPHA_(c) || DIGIT_(c))
/* RFC 5322 atext specials: !#$%&'*+-/=?^_`{|}~ */
#define ATEXT_(c)	(ALNUM_(c) || (c) == '!' || IN(c, '#', '\'') || \
			 (c) == '*' || (c) == '+' || (c) == '-' || \
			 (c) == '/' || (c) == '=' || (c) == '?' || \
			 IN(c, '^', '`') || IN(c, '{', '~'))
/* RFC 3986 unreserved + reserved + '%': -._~:/?#[]@!$&'()*+,;=% */
#define URI_(c)		(ALNUM_(c) || (c) == '-' || (c) == '.' || \
			 (c) == '_' || (c) == '~' || (c) == ':' || \
			 (c) == '/' || (c) == '?' || (c) == '#' || \
			 (c) == '[' || (c) == ']' || (c) == '@' || \
			 (c) == '!' || (c) == '$' || IN(c, '%', ',') || \
			 (c) == ';' || (c) == '=')
#define CLS(c) (uint16_t)( \
	(ALPHA_(c) ? TL_ALPHA : 0) | \
	(DIGIT_(c) ? TL_DIGIT : 0) | \
	(DIGIT_(c) || IN(c, 'a', 'f') || IN(c, 'A', 'F') ? TL_HEX : 0) | \
	((c) == ' ' || (c) == '\t' ? TL_WSP : 0) | \
	((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n' ? \
	    TL_FWS : 0) | \
	(ALNUM_(c) || (c) == '_' ? TL_TNAME : 0) | \
	(IN(c, 0x21, 0x3a) || IN(c, 0x3c, 0x7e) ? TL_TVAL : 0) | \
	(ALNUM_(c) || (c) == '_' || (c) == '-' || (c) == '.' ? \
	    TL_EXTNAME : 0) | \
	(IN(c, 0x21, 0x3a) || (c) == 0x3c || IN(c, 0x3e, 0x7e) ? \
	    TL_EXTVAL : 0) | \
	(IN(c, 0x21, 0x7e) || (c) >= 0x80 ? TL_VCHAR8 : 0) | \
	(ALNUM_(c) || (c) == '-' ? TL_LDH : 0) | \
	(ATEXT_(c) ? TL_ATEXT : 0) | \
	(URI_(c) ? TL_URI : 0))
#define R4(b)	CLS(b), CLS((b) + 1), CLS((b) + 2), CLS((b) + 3)
#define R16(b)	R4(b), R4((b) + 4), R4((b) + 8), R4((b) + 12)
#define R64(b)	R16(b), R16((b) + 16), R16((b) + 32), R16((b) + 48)

static const uint16_t cclass[256] = {
	R64(0), R64(64), R64(128), R64(192)
};

bool
tl_is(char c, unsigned cls)
{
	return (cclass[(unsigned char)c] & cls) != 0;
}


size_t
tl_skip_wsp(const char *p, size_t len, size_t i)
{
	while (i < len && tl_is(p[i], TL_WSP))
		i++;
	return i;
}

size_t
tl_find_char(const char *p, size_t len, size_t i, char c)
{
	while (i < len && p[i] != c)
		i++;
	return i;
}

bool
tl_prefix_ci(const char *p, size_t len, const char *w)
{
	size_t n = strlen(w);

	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(p[i]) != w[i])
			return false;
	return true;
}

bool
tl_eq_word(const char *p, size_t len, const char *w)
{
	return strlen(w) == len && tl_prefix_ci(p, len, w);
}

size_t
tl_version_end(const char *p, size_t len, const char *version)
{
	size_t i, n = strlen(version);

	if (len == 0 || p[0] != 'v')
		return 0;
	i = tl_skip_wsp(p, len, 1);
	if (i >= len || p[i] != '=')
		return 0;
	i = tl_skip_wsp(p, len, i + 1);
	if (len - i < n || memcmp(p + i, version, n) != 0)
		return 0;
	i += n;
	if (i < len && p[i] != ';' && !tl_is(p[i], TL_WSP))
		return 0;
	return i;
}

enum tl_step
tl_next(const char *p, size_t len, size_t *pos, struct tl_item *it)
{
	size_t i = tl_skip_wsp(p, len, *pos), s, e, fe;

	/* Filled on TL_END too, so that no caller reads an unset item. */
	it->sep = it->off = it->end = it->raw_end = len;
	if (i >= len)
		return TL_END;
	if (p[i] != ';') {
		e = tl_find_char(p, len, i, ';');
		it->sep = i;
		it->off = i;
		it->end = it->raw_end = e;
		*pos = e;
		return TL_JUNK;
	}
	s = tl_skip_wsp(p, len, i + 1);
	if (s >= len)
		return TL_END;		/* one trailing ';' is allowed */
	fe = tl_find_char(p, len, s, ';');
	e = fe;
	while (e > s && tl_is(p[e - 1], TL_WSP))
		e--;
	it->sep = i;
	it->off = s;
	it->end = e;
	it->raw_end = fe;
	*pos = fe;
	return TL_FIELD;
}

bool
tl_host(const char *p, size_t n)
{
	size_t i = 0;

	if (n == 0 || n > 253)
		return false;
	while (i < n) {
		size_t s = i;

		while (i < n && p[i] != '.') {
			if (!tl_is(p[i], TL_LDH))
				return false;
			i++;
		}
		if (i == s || i - s > 63 || p[s] == '-' || p[i - 1] == '-')
			return false;
		if (i < n && ++i == n)
			return false;	/* trailing dot */
	}
	return true;
}
