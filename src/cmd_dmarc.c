/*
 * cmd_dmarc.c -- `authcheck dmarc DOMAIN`: find the DMARC record that
 * applies to DOMAIN (RFC 9989 tree walk), show it with the effective
 * policy, and list every finding with a caret under the offending bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "cli.h"
#include "diag.h"
#include "dmarc.h"
#include "render.h"
#include "dns.h"

static const struct option dmarc_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const struct cli_optval dmarc_values[] = {
	CLI_COMMON_VALUES,
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_dmarc_spec = {
	":h", dmarc_longopts, dmarc_values, CLI_VAL_TEXT, NULL
};

static const char dmarc_help[] =
"Usage: authcheck dmarc DOMAIN [OPTIONS]\n"
"\n"
"Find the DMARC record that applies to DOMAIN (RFC 9989 DNS tree walk),\n"
"show the effective policy (p, sp or np for DOMAIN) and the organizational\n"
"domain, lint every tag, and check that report destinations accept mail\n"
"and, when outside the organization, have authorised the reports.\n"
"\n";

static const char dmarc_exit_help[] =
"\n"
"Exit status: 0 no error findings; 1 error findings; 2 bad usage or an\n"
"unreadable --zone file; 3 a DNS query failed (result incomplete).\n";

static void
dmarc_usage(FILE *out)
{
	fputs(dmarc_help, out);
	fputs(cli_common_help, out);
	fputs(dmarc_exit_help, out);
}

/* Parse argv.  Returns -1 to go on, else an exit status. */
static int
parse_args(int argc, char **argv, struct cli_common *c, const char **domain)
{
	const char *prog = argv[0];
	int opt;

	cli_common_init(c);
	*domain = NULL;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_dmarc_spec.shortopts,
	    dmarc_longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			dmarc_usage(stdout);
			return CLI_EXIT_OK;
		default:
			break;
		}
		if (cli_common_opt(c, prog, opt, optarg,
		    argv[optind - 1]) < 0)
			return CLI_EXIT_USAGE;
	}
	if (optind >= argc)
		return cli_usage_error(prog, "DOMAIN is required");
	*domain = argv[optind++];
	if (optind < argc)
		return cli_usage_error(prog, "one DOMAIN only; unexpected '%s'",
		    argv[optind]);
	return -1;
}

/* ---- text output ----------------------------------------------------- */

static void
print_text(FILE *out, const struct dmarc_result *res,
    const struct diag_list *l, bool color)
{
	const char *bold = color ? "\033[1m" : "", *reset = color ?
	    "\033[0m" : "";
	const struct dmarc_effective *e = &res->eff;
	static const char *const applies[] = { "p", "sp", "np" };

	fprintf(out, "%sDMARC for ", bold);
	cli_put_safe(out, res->domain);
	fprintf(out, "%s\n", reset);
	if (res->found) {
		fputs("record at _dmarc.", out);
		cli_put_safe(out, res->found_at);
		if (res->inherited)
			fputs(" (inherited from a parent domain)", out);
		fputs(":\n  ", out);
		render_text_bytes(out, res->record, res->record_len);
		putc('\n', out);
		fprintf(out, "policy: p=%s sp=%s np=%s adkim=%c aspf=%c t=%c "
		    "psd=%c\n", dmarc_policy_name(e->p),
		    dmarc_policy_name(e->sp), dmarc_policy_name(e->np),
		    e->adkim, e->aspf, e->t, e->psd);
		fputs("applies to ", out);
		cli_put_safe(out, res->domain);
		fprintf(out, ": %s%s=%s%s (%s)\n", bold,
		    applies[res->applies], dmarc_policy_name(res->policy),
		    reset, res->applies == DMARC_APPLIES_P ?
		    "the record is at the domain itself" :
		    res->applies == DMARC_APPLIES_SP ?
		    "the domain exists" : "the domain does not exist");
	} else {
		fputs("no DMARC record found", out);
		if (res->area.incomplete)
			fputs(" (DNS failed: result incomplete)", out);
		putc('\n', out);
	}
	fputs("organizational domain: ", out);
	cli_put_safe(out, res->org_domain);
	if (res->psl_known &&
	    strcasecmp(res->psl_org_domain, res->org_domain) != 0) {
		/* Older receivers still use the PSL (RFC 7489 §3.2). */
		fputs(" (RFC 7489 receivers, by the Public Suffix List: ", out);
		cli_put_safe(out, res->psl_org_domain);
		putc(')', out);
	}
	fputs("\nqueried:", out);
	for (size_t i = 0; i < res->nqueried; i++) {
		fputs(" _dmarc.", out);
		cli_put_safe(out, res->walk[i]);
	}
	putc('\n', out);

	render_text_findings(out, l, color);
}

/* ---- the command ----------------------------------------------------- */

int
cmd_dmarc(int argc, char **argv)
{
	const char *prog = argv[0], *domain;
	struct cli_common c;
	struct dns_resolver *r;
	struct dmarc_result res;
	struct diag_list l;
	struct diag_sink sink;
	int rc;

	if ((rc = parse_args(argc, argv, &c, &domain)) >= 0)
		return rc;
	if ((r = cli_resolver_new(&c, prog)) == NULL)
		return CLI_EXIT_USAGE;
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	if (dmarc_check(r, domain, &res, &sink) != 0) {
		dmarc_result_free(&res);
		diag_list_free(&l);
		dns_free(r);
		if (res.domain[0] == '\0')
			return cli_usage_error(prog, "'%s' is not a valid "
			    "domain name", domain);
		fprintf(stderr, "%s: out of memory\n", prog);
		return CLI_EXIT_DNS;
	}
	if (c.format == CLI_FMT_JSON) {
		if (render_json_dmarc(stdout, &res, &l) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", prog);
	} else {
		print_text(stdout, &res, &l, cli_use_color(&c));
	}
	rc = cli_check_status(res.area.incomplete, sink.count[DIAG_ERROR]);
	dmarc_result_free(&res);
	diag_list_free(&l);
	dns_free(r);
	return cli_finish(prog, rc);
}
