/*
 * ip.h -- IPv4/IPv6 addresses and prefix matching.
 */
#ifndef AUTHCHECK_IP_H
#define AUTHCHECK_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipaddr {
	uint8_t family;		/* 4 or 6; 0 = no address */
	uint8_t a[16];		/* network order; IPv4 uses a[0..3] */
};

/* Longest text form, including the NUL (INET6_ADDRSTRLEN). */
#define IP_STRLEN 46

/* Parse a textual address of either family (no brackets, no prefix).
 * Strict: IPv4 needs four decimal octets.  Returns false on bad input. */
bool ip_parse(const char *p, size_t len, struct ipaddr *out);
/* Parse an address of one family only (4 or 6). */
bool ip_parse_family(const char *p, size_t len, int family, struct ipaddr *out);
/* True when the first `prefix` bits of `a` equal those of `net` and both
 * have the same family.  prefix is clamped to the family's width. */
bool ip_match(const struct ipaddr *a, const struct ipaddr *net, unsigned prefix);
/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes IPv4; others stay. */
struct ipaddr ip_unmap(const struct ipaddr *a);
/* Text form into out (at least IP_STRLEN bytes). */
void ip_format(const struct ipaddr *a, char *out, size_t outsize);
/* Reverse-lookup name: "4.3.2.1.in-addr.arpa" or the ip6.arpa nibble form
 * (at most 73 bytes with the NUL). */
void ip_reverse_name(const struct ipaddr *a, char *out, size_t outsize);
bool ip_equal(const struct ipaddr *a, const struct ipaddr *b);

#endif
