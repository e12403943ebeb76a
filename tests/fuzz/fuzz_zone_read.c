/*
 * fuzz_zone_read.c -- libFuzzer target: the zone-file reader on arbitrary
 * bytes.  $INCLUDE is refused so the input cannot reach the file system.
 */
#include <stddef.h>
#include <stdint.h>

#include "zone_read.h"

static int
on_rr(void *arg, const struct zone_rr *rr)
{
	size_t i, *sum = arg;

	/* touch what the reader hands out so ASan sees bad pointers */
	*sum += rr->owner.len + rr->rdata_len + rr->comment_len;
	if (rr->owner.len > 0)
		*sum += (unsigned char)rr->owner.p[rr->owner.len - 1];
	if (rr->type == 16 || rr->type == 99)
		for (i = 0; i < rr->u.txt.n; i++)
			*sum += rr->u.txt.s[i].len > 0 ?
			    (unsigned char)rr->u.txt.s[i].p[0] : 0;
	return 0;
}

/* the owner of a rejected record must be valid too */
static void
on_err(void *arg, const struct zone_error *e)
{
	size_t *sum = arg;

	*sum += e->line + e->type;
	if (e->owner.p != NULL && e->owner.len > 0)
		*sum += (unsigned char)e->owner.p[e->owner.len - 1] +
		    (unsigned char)e->owner.p[0];
	if (e->msg[0] != '\0')
		*sum += 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;

	zone_read_mem((const char *)data, size, "fuzz", "example.com",
	    ZONE_READ_NO_INCLUDE, on_rr, on_err, &sum);
	return 0;
}
