/*
 * taglist.h -- character classes and the lexing steps shared by the
 * "tag=value; tag=value" records (RFC 6376 §3.2 and its descendants: DKIM,
 * DMARC, BIMI, TLS-RPT, the MTA-STS TXT record).
 *
 * One constant table for every class these grammars use, indexed by
 * unsigned char: <ctype.h> depends on the locale and is undefined for
 * negative plain chars.  Every helper takes (p, len) and stays inside it.
 */
#ifndef AUTHCHECK_TAGLIST_H
#define AUTHCHECK_TAGLIST_H

#include <stdbool.h>
#include <stddef.h>

enum {
	TL_ALPHA = 1u << 0,	/* A-Z a-z */
	TL_DIGIT = 1u << 1,	/* 0-9 */
	TL_HEX = 1u << 2,	/* 0-9 A-F a-f */
	TL_WSP = 1u << 3,	/* SP HTAB */
	TL_FWS = 1u << 4,	/* SP HTAB CR LF (DKIM folding white space) */
	TL_TNAME = 1u << 5,	/* ALPHA DIGIT "_" (RFC 6376 ALNUMPUNC) */
	TL_TVAL = 1u << 6,	/* %x21-3A / %x3C-7E (RFC 6376 tval) */
	TL_EXTNAME = 1u << 7,	/* ALPHA DIGIT "_" "-" "." (RFC 8460/8461) */
	TL_EXTVAL = 1u << 8,	/* %x21-3A / %x3C / %x3E-7E (RFC 8460/8461) */
	TL_VCHAR8 = 1u << 9,	/* %x21-7E and every byte >= 0x80 */
	TL_LDH = 1u << 10,	/* ALPHA DIGIT "-" */
	TL_ATEXT = 1u << 11,	/* RFC 5322 atext */
	TL_URI = 1u << 12	/* RFC 3986 unreserved + reserved + "%" */
};

/* True when c is in any of the classes cls (TL_ALPHA | TL_DIGIT ...). */
bool tl_is(char c, unsigned cls);
/* The first offset >= i where p[] is not SP/HTAB, at most len. */
size_t tl_skip_wsp(const char *p, size_t len, size_t i);
/* The first offset >= i holding c, or len. */
size_t tl_find_char(const char *p, size_t len, size_t i, char c);
/* p[0..len) equals the lower-case word w, ignoring ASCII case. */
bool tl_eq_word(const char *p, size_t len, const char *w);
/* p[0..len) starts with the lower-case word w, ignoring ASCII case. */
bool tl_prefix_ci(const char *p, size_t len, const char *w);

/* Offset just past the version tag "v" *WSP "=" *WSP version (the
 * literal case-sensitive: %s"DMARC1", %s"BIMI1"), which must end the
 * record or be followed by WSP or ';'; 0 when the record does not begin
 * so. */
size_t tl_version_end(const char *p, size_t len, const char *version);
/* Is p[0..n) a host name (RFC 1123 §2.1): labels of letters, digits and
 * inner hyphens, 1..63 octets each, at most 253 in all, no trailing dot?
 * The mail-address and policy hosts of DMARC, MTA-STS and TLS-RPT. */
bool tl_host(const char *p, size_t n);

/* One step of the walk over the tags after a record's version. */
enum tl_step {
	TL_END,		/* only WSP and at most one ';' were left */
	TL_FIELD,	/* the next field is in the item */
	TL_JUNK		/* no ';' where one must be: [off, end) runs to the
			 * next ';' (or len) */
};

struct tl_item {
	size_t sep;	/* TL_FIELD: offset of the ';' before the field */
	size_t off;	/* the field's first byte after WSP */
	size_t end;	/* its end with trailing WSP trimmed (off == end:
			 * an empty field, two ';' in a row) */
	size_t raw_end;	/* the next ';' or len */
};

/*
 * Lex the next field of a tag list from *pos: *WSP ";" *WSP field, the
 * field running to the next ';'.  Fills *it, moves *pos to raw_end (the
 * ';' that may start the next field) and says what it found.  The caller
 * judges the field itself; every grammar here differs in that.  On
 * TL_END the item's offsets are all len.
 */
enum tl_step tl_next(const char *p, size_t len, size_t *pos,
    struct tl_item *it);

#endif
