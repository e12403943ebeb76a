/*
 * fuzz_tlsa.c -- libFuzzer target: any bytes as a TLSA record's text (a
 * zone file's rdata, `authcheck smtp --tlsa`), in both the "U S M HEX"
 * and the RFC 3597 "\# LEN HEX" forms; what parses is judged and printed
 * into a small buffer, as the report does.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dane.h"
#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[512];
	struct dns_rr rr;
	char out[64];

	if (dns_tlsa_parse((const char *)data, size, &rr, buf,
	    sizeof(buf)) == NULL) {
		struct tls_tlsa t = { rr.u.tlsa.usage, rr.u.tlsa.selector,
		    rr.u.tlsa.mtype, rr.u.tlsa.data, rr.u.tlsa.len };

		(void)dane_rec_unusable(&t);
		dane_rec_format(&t, out, sizeof(out));
		if (strlen(out) >= sizeof(out))
			__builtin_trap();
	}
	return 0;
}
