/* fuzz_mtasts_policy.c -- libFuzzer target: any bytes as an MTA-STS policy
 * file and as an _mta-sts TXT record; every span stays inside its record
 * and every kept mx pattern inside the input. */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "mtasts.h"

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
	struct mtasts_policy pol;
	struct mtasts_txt t;
	struct diag_sink sink;
	struct diag ctx = { 0 };
	size_t i;

	diag_sink_init(&sink, check_span, NULL);
	ctx.record = p;
	ctx.record_len = size;
	(void)mtasts_parse_policy(p, size, &pol, &sink, &ctx);
	for (i = 0; i < pol.nmx; i++) {
		if (pol.mx[i].off + pol.mx[i].len > size)
			__builtin_trap();
		/* a pattern matches its own text, minus the wildcard */
		if (pol.mx[i].len > 2 && p[pol.mx[i].off] != '*' &&
		    !mtasts_mx_match(p + pol.mx[i].off, pol.mx[i].len,
		    p + pol.mx[i].off, pol.mx[i].len))
			__builtin_trap();
	}
	(void)mtasts_parse_txt(p, size, &t, &sink, &ctx);
	if (t.ok && t.id.off + t.id.len > size)
		__builtin_trap();
	if (size > 1)
		(void)mtasts_mx_match(p, size / 2, p + size / 2,
		    size - size / 2);
	return 0;
}
