/* fuzz_spf_macro.c -- libFuzzer target: any bytes as a macro-string,
 * expanded in both modes into a small and a large buffer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
ptr(void *arg)
{
	return arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_macro_ctx c = { .sender = "strong-bad@email.example.com",
	    .domain = "email.example.com", .helo = "mx.example.org",
	    .now = 1, .ptr_name = ptr, .ptr_arg = (void *)"a.example.org" };
	char small[16], big[300];
	size_t n, off, sizes[2] = { sizeof(small), sizeof(big) };
	int m, b;

	c.ip.family = size % 2 ? 6 : 4;
	memset(c.ip.a, 0xa5, sizeof(c.ip.a));
	for (m = 0; m < 2; m++)
		for (b = 0; b < 2; b++)
			if (spf_macro_expand((const char *)data, size, &c, m,
			    b ? big : small, sizes[b], &n, &off) == SPF_MACRO_OK &&
			    (n >= sizes[b] || (m == SPF_MACRO_DOMAIN && n > 253)))
				__builtin_trap();
	(void)spf_macro_check((const char *)data, size, SPF_MACRO_DOMAIN, &off);
	return 0;
}
