/*
 * area.c -- the header every check's result starts with (area.h).
 */
#include "area.h"

#include <string.h>

void
area_result_init(struct area_result *a)
{
	memset(a, 0, sizeof(*a));
	diag_list_init(&a->findings, AREA_MAX_FINDINGS);
}

void
area_result_free(struct area_result *a)
{
	diag_list_free(&a->findings);
	memset(a, 0, sizeof(*a));
}
