/* fuzz_dkim_parse.c -- libFuzzer target: any bytes as a DKIM key record,
 * through the tag-list parser and the lint (key decoding included); every
 * span must stay inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dkim.h"

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
	struct dkim_record rec;
	struct dkim_key key;
	struct diag_sink sink;
	struct diag ctx;
	int t;

	insize = size;
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = "sel._domainkey.example.com";
	ctx.record = p;
	ctx.record_len = size;
	diag_sink_init(&sink, check_finding, NULL);
	dkim_parse(p, size, &rec, &sink, &ctx);
	for (t = 0; t < DKIM_TAG__COUNT; t++)
		if (rec.tag[t].present) {
			span_ok(&rec.tag[t].name);
			span_ok(&rec.tag[t].value);
		}
	memset(&key, 0, sizeof(key));
	(void)dkim_lint(p, size, &key, &sink, &ctx);
	(void)dkim_key_type_name(key.type);
	return 0;
}
