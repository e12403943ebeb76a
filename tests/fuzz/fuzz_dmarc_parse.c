/* fuzz_dmarc_parse.c -- libFuzzer target: any bytes as a DMARC record,
 * parsed, linted and defaulted; every span must stay inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t insize;

static void
span_ok(const struct diag_span *s)
{
	if (s->off > insize || s->len > insize - s->off)
		__builtin_trap();
}

static void
check_finding(void *arg, const struct diag *d)
{
	(void)arg;
	if (diag_info(d->id) == NULL)
		__builtin_trap();
	if (d->has_span)
		span_ok(&d->span);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct dmarc_record rec;
	struct dmarc_effective eff;
	struct diag_sink sink;
	struct diag ctx;
	size_t i;

	insize = size;
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = "_dmarc.example.com";
	ctx.record = p;
	ctx.record_len = size;
	diag_sink_init(&sink, check_finding, NULL);
	(void)dmarc_is_record(p, size);
	if (dmarc_parse(p, size, &rec, &sink, &ctx)) {
		span_ok(&rec.p_span);
		span_ok(&rec.sp_span);
		span_ok(&rec.np_span);
		span_ok(&rec.t_span);
		if (rec.nuri > DMARC_MAX_URIS)
			__builtin_trap();
		for (i = 0; i < rec.nuri; i++) {
			span_ok(&rec.uri[i].span);
			span_ok(&rec.uri[i].host);
		}
		dmarc_lint(&rec, &sink, &ctx);
		dmarc_effective(&rec, &eff);
		(void)dmarc_policy_name(eff.p);
	}
	/* no sink at all must work too */
	(void)dmarc_parse(p, size, &rec, NULL, NULL);
	return 0;
}
