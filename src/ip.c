/* ip.c -- IPv4/IPv6 addresses and prefix matching (see ip.h). */
#include "ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool
ip_parse_family(const char *p, size_t len, int family, struct ipaddr *out)
{
	char tmp[IP_STRLEN];

	memset(out, 0, sizeof(*out));
	if (len == 0 || len >= sizeof(tmp))
		return false;
	if (memchr(p, '\0', len) != NULL)
		return false;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	/* glibc's inet_pton(AF_INET) accepts only a.b.c.d with decimal
	 * octets 0-255, which is what RFC 7208's ip4-network asks for. */
	if (family == 4 && inet_pton(AF_INET, tmp, out->a) == 1) {
		out->family = 4;
		return true;
	}
	if (family == 6 && inet_pton(AF_INET6, tmp, out->a) == 1) {
		out->family = 6;
		return true;
	}
	return false;
}

bool
ip_parse(const char *p, size_t len, struct ipaddr *out)
{
	/* memchr() on a NULL pointer is undefined even for length 0. */
	if (len == 0) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	if (memchr(p, ':', len) != NULL)
		return ip_parse_family(p, len, 6, out);
	return ip_parse_family(p, len, 4, out);
}

bool
ip_match(const struct ipaddr *a, const struct ipaddr *net, unsigned prefix)
{
	unsigned width, full, rest;
	uint8_t mask;

	if (a->family == 0 || a->family != net->family)
		return false;
	width = a->family == 4 ? 32 : 128;
	if (prefix > width)
		prefix = width;
	full = prefix / 8;
	rest = prefix % 8;
	if (memcmp(a->a, net->a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a->a[full] & mask) == (net->a[full] & mask);
}

struct ipaddr
ip_unmap(const struct ipaddr *a)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct ipaddr r = *a;

	if (a->family == 6 && memcmp(a->a, pfx, sizeof(pfx)) == 0) {
		memset(&r, 0, sizeof(r));
		r.family = 4;
		memcpy(r.a, a->a + 12, 4);
	}
	return r;
}

void
ip_format(const struct ipaddr *a, char *out, size_t outsize)
{
	if (outsize == 0)
		return;
	out[0] = '\0';
	if (a->family == 4)
		inet_ntop(AF_INET, a->a, out, (socklen_t)outsize);
	else if (a->family == 6)
		inet_ntop(AF_INET6, a->a, out, (socklen_t)outsize);
}

void
ip_reverse_name(const struct ipaddr *a, char *out, size_t outsize)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	if (outsize == 0)
		return;
	out[0] = '\0';
	if (a->family == 4) {
		snprintf(out, outsize, "%u.%u.%u.%u.in-addr.arpa",
		    a->a[3], a->a[2], a->a[1], a->a[0]);
		return;
	}
	if (a->family != 6 || outsize < 73)
		return;
	for (i = 15; i >= 0; i--) {
		out[o++] = hex[a->a[i] & 0xf];
		out[o++] = '.';
		out[o++] = hex[a->a[i] >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", 9);
}

bool
ip_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	size_t n = a->family == 4 ? 4 : 16;

	return a->family == b->family && memcmp(a->a, b->a, n) == 0;
}
