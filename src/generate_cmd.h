/*
 * generate_cmd.h -- what cmd_generate.c shares with the interactive flow
 * (generate_wizard.c): the parsed options and the runners that print.
 */
#ifndef AUTHCHECK_GENERATE_CMD_H
#define AUTHCHECK_GENERATE_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "generate.h"

struct provider;
struct provider_set;
struct diag_list;

enum gen_format { GEN_FMT_TEXT, GEN_FMT_ZONE, GEN_FMT_JSON };

/* The options of `authcheck generate`; strings borrowed from argv (or
 * from the wizard's answers). */
struct gen_args {
	const char *prog;
	const char *kind;		/* "spf", "dmarc", "dkim", NULL */
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
	bool null_ok;		/* no sender at all gives "v=spf1 -all" */
	char domain_buf[256];	/* domain, lower case, no trailing dot */
};

/* "text", "zone", "json" -> *out; -1 when unknown. */
int gen_parse_format(const char *s, enum gen_format *out);
/* One record as a zone-file line ("NAME. 3600 IN TXT "..." ..."), each
 * line starting with indent. */
void gen_print_record(FILE *out, const struct gen_record *r, bool spf_strings,
    const char *indent);
/* Map provider ids to templates (duplicates dropped); -1 with a usage
 * message on stderr when an id is unknown. */
int gen_resolve_providers(const struct gen_args *g,
    const struct provider_set *ps, const struct provider **out, size_t *nout);
/* Build, lint and print (in g->format); return the exit status. */
int gen_run_spf(struct gen_args *g, const struct provider_set *ps);
int gen_run_dmarc(struct gen_args *g);
int gen_run_dkim(struct gen_args *g);
void gen_print_spf(FILE *out, const struct gen_args *g,
    const struct gen_spf_result *res, const struct diag_list *l);
void gen_print_dmarc(FILE *out, const struct gen_args *g,
    const struct gen_dmarc_result *res, const struct diag_list *l);

/*
 * The interactive flow (generate_wizard.c): asks for the domain, the
 * services that send mail, own servers, the policy for everything else and
 * a report address, re-asking on bad answers, then prints the SPF and
 * DMARC records to publish.  tty: stdin is a terminal (line editing);
 * otherwise one answer per line is read from stdin.  Returns the exit
 * status.
 */
int gen_wizard(struct gen_args *g, const struct provider_set *ps, bool tty);

#endif
