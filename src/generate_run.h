/*
 * generate_run.h -- one `authcheck generate` run from its options to the
 * printed records: build them (generate.c), lint them, print them in the
 * chosen format, and the exit status.  The options come from flags
 * (cmd_generate.c) or from answers (generate_wizard.c); both call these.
 */
#ifndef AUTHCHECK_GENERATE_RUN_H
#define AUTHCHECK_GENERATE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "generate.h"

struct provider;
struct provider_set;

enum gen_format { GEN_FMT_TEXT, GEN_FMT_ZONE, GEN_FMT_JSON };

/* The options of `authcheck generate`; strings borrowed from argv (or
 * from the wizard's answers). */
struct gen_args {
	const char *prog;
	const char *kind;		/* "spf", "dmarc", "dkim", "tlsa",
					 * NULL */
	struct cli_common c;
	enum gen_format format;
	const char *domain;
	const char *provider_ids[GEN_MAX_PROVIDERS];
	size_t nprovider_ids;
	const char *addrs[GEN_MAX_ADDRS];
	size_t naddrs;
	bool a, mx, fail, offline;
	const char *policy, *sp, *np, *adkim, *aspf;
	const char *rua[8], *ruf[8];
	size_t nrua, nruf;
	bool testing;
	const char *selector, *out;
	unsigned long bits;
	bool ed25519;
	bool interactive;
	const char *cert, *host;	/* tlsa: the certificate, the MX */
	unsigned long usage, mtype, port;	/* tlsa: 3, 1 (the selector
					 * is `selector`, default 1), 25 */
	bool null_ok;		/* no sender at all gives "v=spf1 -all" */
	char domain_buf[GEN_DOMAIN_SIZE];	/* domain, normalised */
};

/* Map g->provider_ids to templates in ps (duplicates dropped) into out
 * (GEN_MAX_PROVIDERS entries, pointers into ps); -1 with a usage message
 * on stderr naming the first unknown id. */
int gen_resolve_providers(const struct gen_args *g,
    const struct provider_set *ps, const struct provider **out, size_t *nout);

/* The SPF record g's options give so far, from template costs (no DNS,
 * no findings), as the wizard shows it while it grows; g->domain as it
 * stands.  0 with *res to free with gen_spf_result_free(), or -1 (an
 * unknown provider id is said on stderr; other bad input is not). */
int gen_preview_spf(const struct gen_args *g, const struct provider_set *ps,
    struct gen_spf_result *res);

/*
 * Build, lint and print one record type (to stdout in g->format; zone
 * format sends the findings to stderr); return the exit status: 0; 1 when
 * the SPF record is over the lookup limit, a generated record fails the
 * linter (a bug) or a key cannot be made; 2 for bad options or a key file
 * that exists or cannot be written.  The lookup limit is a finding printed with the records;
 * the rest are said on stderr.  g->domain ends up pointing at
 * g->domain_buf, normalised (lower case, no trailing dot).  gen_run_dkim
 * also writes the private key to g->out (or <selector>.private), mode
 * 0600, never over an existing file.
 */
int gen_run_spf(struct gen_args *g, const struct provider_set *ps);
int gen_run_dmarc(struct gen_args *g);
int gen_run_dkim(struct gen_args *g);
/* The TLSA record (RFC 6698, for SMTP RFC 7672) of g->cert for g->host,
 * computed with OpenSSL and linted (usages 0 and 1, full data); 2 when
 * the certificate cannot be read. */
int gen_run_tlsa(struct gen_args *g);

#endif
