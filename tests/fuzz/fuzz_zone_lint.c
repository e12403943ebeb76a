/*
 * fuzz_zone_lint.c -- libFuzzer target: the zone-file checks (index, SPF
 * trees resolved from it, DMARC/DKIM lint, ignores) on arbitrary bytes, in
 * memory, $INCLUDE refused.  Findings are read so ASan sees bad pointers.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "zone_lint.h"

static void
on_finding(void *arg, const struct diag *d)
{
	size_t *sum = arg;

	*sum += d->line + (d->message != NULL ? strlen(d->message) : 0) +
	    (d->file != NULL ? strlen(d->file) : 0) +
	    (d->domain != NULL ? strlen(d->domain) : 0);
	if (d->record != NULL && d->record_len > 0)
		*sum += (unsigned char)d->record[d->record_len - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zone_lint_opts o;
	struct diag_sink sink;
	size_t sum = 0;

	memset(&o, 0, sizeof(o));
	diag_sink_init(&sink, on_finding, &sum);
	zone_lint_mem((const char *)data, size, "example.com.zone", &o, &sink,
	    NULL);
	return 0;
}
