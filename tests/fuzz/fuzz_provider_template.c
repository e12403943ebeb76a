/*
 * fuzz_provider_template.c -- libFuzzer target: any bytes as a provider
 * template.  A template the validator accepts must never make the
 * generator build an SPF record the SPF parser rejects.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "generate.h"
#include "providers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_finding(void *arg, const struct diag *d)
{
	(void)arg;
	if (d->id == DIAG_SPF_SYNTAX || d->id == DIAG_SPF_NON_ASCII)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "_spf.google.com",
	    "aspmx.l.google.com", "x.dkim.amazonses.com", "" };
	struct provider_set *ps;
	char err[512];

	/* The id must match the file name; try the one the seeds use. */
	ps = providers_load_mem("t.json", (const char *)data, size, err,
	    sizeof(err));
	if (ps == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (int clue = 0; clue < 3; clue++)
			(void)providers_recognise(ps, (enum provider_clue)clue,
			    names[i]);
	{
		const struct provider *p = providers_get(ps, 0);
		struct gen_spf_opts o;
		struct gen_spf_result res;
		struct diag_sink sink;

		memset(&o, 0, sizeof(o));
		o.domain = "example.com";
		o.providers = &p;
		o.nproviders = 1;
		o.mx = true;
		diag_sink_init(&sink, on_finding, NULL);
		if (gen_spf(&o, &res, &sink, err, sizeof(err)) == 0)
			gen_spf_result_free(&res);
	}
	providers_free(ps);
	return 0;
}
