/* fuzz_bimi_tlsrpt.c -- libFuzzer target: any bytes as a BIMI record and
 * as a TLS-RPT record; every span stays inside the record. */
#include <stddef.h>
#include <stdint.h>

#include "bimi.h"
#include "diag.h"
#include "tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_span(void *arg, const struct diag *d)
{
	(void)arg;
	if (d->has_span && (d->record == NULL ||
	    d->span.off + d->span.len > d->record_len))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct bimi_record b;
	struct tlsrpt_record t;
	struct diag_sink sink;
	size_t i;

	diag_sink_init(&sink, check_span, NULL);
	(void)bimi_parse(p, size, &b, &sink, NULL);
	if ((b.has_l && b.l.off + b.l.len > size) ||
	    (b.has_a && b.a.off + b.a.len > size))
		__builtin_trap();
	(void)tlsrpt_parse(p, size, &t, &sink, NULL);
	for (i = 0; i < t.nrua; i++)
		if (t.rua[i].span.off + t.rua[i].span.len > size)
			__builtin_trap();
	return 0;
}
