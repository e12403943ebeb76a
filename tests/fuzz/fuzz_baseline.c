/*
 * fuzz_baseline.c -- libFuzzer target: any bytes as two lines of an
 * earlier run's JSON Lines (--baseline).  Each line is read as a report
 * snapshot, the second compared with the first, and the changes added to
 * a report object: a hostile baseline must neither crash nor leak.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *nl = memchr(p, '\n', size);
	size_t n1 = nl != NULL ? (size_t)(nl - p) : size;
	json_t *o1 = json_loadb(p, n1, 0, NULL);
	json_t *o2 = nl != NULL ? json_loadb(nl + 1, size - n1 - 1, 0, NULL) :
	    NULL;
	struct snap s1, s2;
	struct changes ch;
	int r1 = snap_from_json(&s1, o1), r2 = snap_from_json(&s2, o2);

	if (r2 == 0 && changes_compute(&ch, r1 == 0 ? &s1 : NULL, &s2) == 0) {
		(void)changes_any(&ch);
		(void)changes_put_json(o2, &ch);
		changes_free(&ch);
	}
	if (r1 == 0)
		snap_free(&s1);
	if (r2 == 0)
		snap_free(&s2);
	json_decref(o1);
	json_decref(o2);
	return 0;
}
