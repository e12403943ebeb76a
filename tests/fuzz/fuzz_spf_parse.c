/* fuzz_spf_parse.c -- libFuzzer target: any bytes as an SPF record. */
#include <stddef.h>
#include <stdint.h>

#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record *r = spf_parse((const char *)data, size);
	size_t i;

	for (i = 0; r != NULL && i < r->nerrs; i++)	/* spans stay inside */
		if (r->errs[i].span.off + r->errs[i].span.len > size)
			__builtin_trap();
	(void)spf_is_record((const char *)data, size);
	spf_record_free(r);
	return 0;
}
