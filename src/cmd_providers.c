/*
 * cmd_providers.c -- `authcheck providers`: list the provider templates
 * (name, id, SPF include and where it goes, DKIM selectors).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "providers.h"
#include "render.h"

static const char providers_help[] =
"Usage: authcheck providers [--format text|json]\n"
"\n"
"List the provider templates `authcheck generate spf --provider ID` uses:\n"
"id, name, the SPF include and where it belongs (the domain itself, or the\n"
"provider's Return-Path subdomain), and the DKIM selectors.  Templates are\n"
"read from $AUTHCHECK_DATADIR/providers, else data/providers next to the\n"
"program, else the installed copy.\n"
"\n"
"  --format text|json     a table (default) or one JSON object per provider\n"
"  -h, --help             this help\n";

static void
print_list(FILE *out, const char *const *v, size_t n, const char *none)
{
	if (n == 0)
		fputs(none, out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? "," : "", v[i]);
}

static void
print_text(FILE *out, const struct provider_set *ps)
{
	fprintf(out, "%-16s %-34s %-44s %s\n", "ID", "NAME",
	    "SPF (where, typical lookups)", "DKIM selectors");
	for (size_t i = 0; i < providers_count(ps); i++) {
		const struct provider *p = providers_get(ps, i);
		char spf[160];
		size_t n = 0;

		spf[0] = '\0';
		for (size_t k = 0; k < p->nspf_includes && n < sizeof(spf);
		    k++)
			n += (size_t)snprintf(spf + n, sizeof(spf) - n, "%s%s",
			    k ? "," : "", p->spf_includes[k]);
		if (n < sizeof(spf)) {
			if (strcmp(p->spf_where, "apex") == 0)
				snprintf(spf + n, sizeof(spf) - n,
				    " (apex, %u)", p->spf_lookups);
			else if (p->rp_host != NULL)
				snprintf(spf + n, sizeof(spf) - n,
				    " (on %s.<domain>)", p->rp_host);
			else
				snprintf(spf + n, sizeof(spf) - n,
				    " (provider's envelope)");
		}
		fprintf(out, "%-16s %-34s %-44s %s: ", p->id, p->name, spf,
		    p->dkim_type);
		print_list(out, p->dkim_selectors, p->ndkim_selectors,
		    "(per account)");
		putc('\n', out);
	}
	fprintf(out, "\n%zu providers; 'authcheck providers --format json' "
	    "adds MX hosts, documentation and unconfirmed values.\n",
	    providers_count(ps));
}

static const struct option providers_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_optval providers_values[] = {
	{ "format", CLI_VAL_WORDS, cli_format_words },
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_providers_spec = {
	":h", providers_longopts, providers_values, CLI_VAL_TEXT, NULL
};

int
cmd_providers(int argc, char **argv)
{
	const char *prog = argv[0], *format = "text";
	struct provider_set *ps;
	char err[512];
	int opt, rc = CLI_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_providers_spec.shortopts,
	    providers_longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(providers_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error(prog, "option '%s' needs a value",
			    argv[optind - 1]);
		default:
			return cli_usage_error(prog, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(prog, "unexpected argument '%s'",
		    argv[optind]);
	if (cli_word(cli_format_words, format) < 0)
		return cli_usage_error(prog, "--format must be text or json, "
		    "not '%s'", format);
	if ((ps = providers_load(NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(format, "json") == 0) {
		if (render_json_providers(stdout, ps) != 0)
			rc = CLI_EXIT_USAGE;
	} else {
		print_text(stdout, ps);
	}
	providers_free(ps);
	return cli_finish(prog, rc);
}
