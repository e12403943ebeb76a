/*
 * ascii.h -- lower case for protocol text.
 *
 * DNS names, SPF mechanism and modifier names, macro letters and tag values
 * compare case-insensitively in ASCII only (RFC 4343 §3, RFC 7208 §4.6.1):
 * bytes outside A-Z never change, whatever the locale, so <ctype.h> is not
 * used.  The one lower-casing rule of the tree; dns_name_norm() (dns.h)
 * builds the normal form of a name on it.
 */
#ifndef AUTHCHECK_ASCII_H
#define AUTHCHECK_ASCII_H

#include <stddef.h>

static inline char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Lower-case p[0..n) in place. */
static inline void
ascii_lower_n(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = ascii_lower(p[i]);
}

#endif
