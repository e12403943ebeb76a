/*
 * cmd_generate.c -- `authcheck generate spf|dmarc|dkim|tlsa`: the options; the
 * records from them (generate_run.c), or step by step (generate_wizard.c)
 * when values are missing and someone is there to answer.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "generate_run.h"
#include "generate_wizard.h"
#include "providers.h"

enum {
	OPT_DOMAIN = CLI_OPT__NEXT, OPT_PROVIDER, OPT_IP4, OPT_IP6, OPT_A,
	OPT_MX, OPT_ALL, OPT_OFFLINE, OPT_POLICY, OPT_RUA, OPT_RUF, OPT_SP,
	OPT_NP, OPT_ADKIM, OPT_ASPF, OPT_TESTING, OPT_BITS, OPT_ED25519,
	OPT_OUT, OPT_INTERACTIVE, OPT_CERT, OPT_HOST, OPT_USAGE, OPT_MTYPE,
	OPT_PORT
};

static const struct option gen_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "provider", required_argument, NULL, OPT_PROVIDER },
	{ "ip4", required_argument, NULL, OPT_IP4 },
	{ "ip6", required_argument, NULL, OPT_IP6 },
	{ "a", no_argument, NULL, OPT_A },
	{ "mx", no_argument, NULL, OPT_MX },
	{ "all", required_argument, NULL, OPT_ALL },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "rua", required_argument, NULL, OPT_RUA },
	{ "ruf", required_argument, NULL, OPT_RUF },
	{ "sp", required_argument, NULL, OPT_SP },
	{ "np", required_argument, NULL, OPT_NP },
	{ "adkim", required_argument, NULL, OPT_ADKIM },
	{ "aspf", required_argument, NULL, OPT_ASPF },
	{ "testing", no_argument, NULL, OPT_TESTING },
	{ "selector", required_argument, NULL, 's' },
	{ "bits", required_argument, NULL, OPT_BITS },
	{ "ed25519", no_argument, NULL, OPT_ED25519 },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "interactive", no_argument, NULL, OPT_INTERACTIVE },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "usage", required_argument, NULL, OPT_USAGE },
	{ "mtype", required_argument, NULL, OPT_MTYPE },
	{ "port", required_argument, NULL, OPT_PORT },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* Values the parser accepts (in enum gen_format order for --format). */
static const char *const gen_format_words[] = { "text", "zone", "json",
	NULL };
static const char *const gen_all_words[] = { "softfail", "fail", NULL };
static const char *const gen_bits_words[] = { "2048", "3072", "4096",
	NULL };
static const char *const gen_kind_words[] = { "spf", "dmarc", "dkim", "tlsa",
	NULL };
static const char *const gen_usage_words[] = { "3", "2", "1", "0", NULL };
static const char *const gen_mtype_words[] = { "1", "2", "0", NULL };

static const struct cli_optval gen_values[] = {
	{ "format", CLI_VAL_WORDS, gen_format_words },
	{ "provider", CLI_VAL_PROVIDERS, NULL },
	{ "all", CLI_VAL_WORDS, gen_all_words },
	{ "policy", CLI_VAL_WORDS, gen_policy_words },
	{ "sp", CLI_VAL_WORDS, gen_policy_words },
	{ "np", CLI_VAL_WORDS, gen_policy_words },
	{ "adkim", CLI_VAL_WORDS, gen_align_words },
	{ "aspf", CLI_VAL_WORDS, gen_align_words },
	{ "bits", CLI_VAL_WORDS, gen_bits_words },
	{ "out", CLI_VAL_FILE, NULL },
	{ "cert", CLI_VAL_FILE, NULL },
	{ "usage", CLI_VAL_WORDS, gen_usage_words },
	{ "mtype", CLI_VAL_WORDS, gen_mtype_words },
	CLI_COMMON_VALUES,
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_generate_spec = {
	":hs:", gen_longopts, gen_values, CLI_VAL_WORDS, gen_kind_words
};

static const char gen_help[] =
"Usage: authcheck generate spf|dmarc|dkim|tlsa [OPTIONS]\n"
"       authcheck generate [--interactive]\n"
"\n"
"Build SPF, DMARC and DKIM records from provider templates ('authcheck\n"
"providers' lists them), and DANE TLSA records from a certificate.  Every record is checked by the same linter as\n"
"'authcheck spf', 'dmarc' and 'dkim' before it is printed.  When stdin is a\n"
"terminal and required values are missing (or with --interactive, also\n"
"from piped answers, one per line) the values are asked for step by step.\n"
"\n"
"generate spf --domain D [--provider ID[,ID]...] [--ip4 ADDR[/N]]...\n"
"             [--ip6 ADDR[/N]]... [--a] [--mx] [--all fail|softfail]\n"
"  --provider ID,...      senders and mailbox hosts (repeatable); includes\n"
"                         that belong on a Return-Path subdomain get their\n"
"                         own record instead of joining the apex record\n"
"  --ip4, --ip6 ADDR[/N]  your own sending servers (repeatable)\n"
"  --a, --mx              authorise the domain's A / MX hosts\n"
"  --all fail|softfail    what the record says about everything else\n"
"                         (default softfail: ~all)\n"
"  --offline              no DNS: lookup counts from the templates\n"
"                         (default: resolved live, --zone works too)\n"
"\n"
"generate dmarc --domain D --policy none|quarantine|reject [--rua ADDR]...\n"
"               [--ruf ADDR]... [--sp P] [--np P] [--adkim s|r] [--aspf s|r]\n"
"               [--testing]\n"
"  --rua, --ruf ADDR      aggregate / failure report address (repeatable,\n"
"                         or comma-separated; user@host or mailto:user@host)\n"
"  --sp, --np P           policy for existing / non-existent subdomains\n"
"  --adkim, --aspf s|r    strict or relaxed alignment\n"
"  --testing              t=y: receivers apply the policy one level lower\n"
"\n"
"generate dkim -s|--selector S [--domain D] [--bits 2048|3072|4096]\n"
"              [--ed25519] [--out FILE]\n"
"  --bits N               RSA key size (default 2048)\n"
"  --ed25519              an Ed25519 key (RFC 8463) instead of RSA\n"
"  --out FILE             where the private key goes (default S.private);\n"
"                         written with mode 0600, never over an existing file\n"
"\n"
"generate tlsa --cert FILE --host MX [--usage 3|2] [--selector 1|0]\n"
"              [--mtype 1|2] [--port 25]\n"
"  --cert FILE            a PEM certificate: the mail server's own for\n"
"                         --usage 3 (DANE-EE, the default), the CA that\n"
"                         issued it for --usage 2 (DANE-TA)\n"
"  --host MX              the MX host name the record is published for\n"
"  --selector 1|0         1: the public key (default, survives renewals\n"
"                         that keep the key), 0: the whole certificate\n"
"  --mtype 1|2            SHA-256 (default) or SHA-512 (0: the full data)\n"
"  --port PORT            the record's port (default 25: _25._tcp.MX)\n"
"\n"
"  --format text|zone|json  for a person (default), zone-file lines with\n"
"                         strings of at most 255 octets, or JSON\n"
"  --interactive          ask for missing values even when stdin is not a\n"
"                         terminal\n";

static const char gen_exit_help[] =
"\n"
"Exit status: 0 records generated; 1 the SPF record needs more than 10\n"
"lookups, or a generated record failed the linter (a bug: please report\n"
"it); 2 bad usage, unreadable template, or the key file exists.\n";

static void
gen_usage(FILE *out)
{
	fputs(gen_help, out);
	fputs("\n", out);
	fputs(cli_common_help, out);
	fputs(gen_exit_help, out);
}

/* Split comma lists in place into v[]; false when there are too many. */
static bool
split_into(char *arg, const char **v, size_t *n, size_t max)
{
	char *p = arg;

	for (;;) {
		char *comma = strchr(p, ',');

		if (comma != NULL)
			*comma = '\0';
		if (*p != '\0') {
			if (*n >= max)
				return false;
			v[(*n)++] = p;
		}
		if (comma == NULL)
			return true;
		p = comma + 1;
	}
}

/* "text", "zone", "json" -> *out; -1 when unknown. */
static int
parse_format(const char *s, enum gen_format *out)
{
	int i = cli_word(gen_format_words, s);

	if (i < 0)
		return -1;
	*out = (enum gen_format)i;
	return 0;
}

static int
parse_args(int argc, char **argv, struct gen_args *g)
{
	const char *prog = argv[0];
	int opt;

	memset(g, 0, sizeof(*g));
	cli_common_init(&g->c);
	g->prog = prog;
	g->bits = 2048;
	g->usage = 3;
	g->mtype = 1;
	g->port = 25;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_generate_spec.shortopts,
	    gen_longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			gen_usage(stdout);
			return CLI_EXIT_OK;
		case OPT_DOMAIN:
			g->domain = optarg;
			continue;
		case OPT_PROVIDER:
			if (!split_into(optarg, g->provider_ids, &g->nprovider_ids,
			    GEN_MAX_PROVIDERS))
				return cli_usage_error(prog, "at most %d "
				    "providers", GEN_MAX_PROVIDERS);
			continue;
		case OPT_IP4:
		case OPT_IP6:
			if (g->naddrs >= GEN_MAX_ADDRS)
				return cli_usage_error(prog, "at most %d "
				    "addresses", GEN_MAX_ADDRS);
			/* Named here: argv[optind - 1] is the value when it
			 * came as a separate argument. */
			if ((strchr(optarg, ':') != NULL) != (opt == OPT_IP6))
				return cli_usage_error(prog, "%s '%s': wrong "
				    "address family", opt == OPT_IP6 ? "--ip6" :
				    "--ip4", optarg);
			g->addrs[g->naddrs++] = optarg;
			continue;
		case OPT_A:
			g->a = true;
			continue;
		case OPT_MX:
			g->mx = true;
			continue;
		case OPT_ALL:
			if (cli_word(gen_all_words, optarg) < 0)
				return cli_usage_error(prog, "--all must be "
				    "fail or softfail");
			g->fail = strcmp(optarg, "fail") == 0;
			continue;
		case OPT_OFFLINE:
			g->offline = true;
			continue;
		case OPT_POLICY:
			g->policy = optarg;
			continue;
		case OPT_RUA:
			if (!split_into(optarg, g->rua, &g->nrua, 8))
				return cli_usage_error(prog, "at most 8 --rua");
			continue;
		case OPT_RUF:
			if (!split_into(optarg, g->ruf, &g->nruf, 8))
				return cli_usage_error(prog, "at most 8 --ruf");
			continue;
		case OPT_SP:
			g->sp = optarg;
			continue;
		case OPT_NP:
			g->np = optarg;
			continue;
		case OPT_ADKIM:
			g->adkim = optarg;
			continue;
		case OPT_ASPF:
			g->aspf = optarg;
			continue;
		case OPT_TESTING:
			g->testing = true;
			continue;
		case 's':
			g->selector = optarg;
			continue;
		case OPT_BITS:
			if (cli_word(gen_bits_words, optarg) < 0 ||
			    !cli_parse_uint(optarg, 65536, &g->bits))
				return cli_usage_error(prog, "--bits must be "
				    "2048, 3072 or 4096");
			continue;
		case OPT_ED25519:
			g->ed25519 = true;
			continue;
		case OPT_OUT:
			g->out = optarg;
			continue;
		case OPT_INTERACTIVE:
			g->interactive = true;
			continue;
		case OPT_CERT:
			g->cert = optarg;
			continue;
		case OPT_HOST:
			g->host = optarg;
			continue;
		case OPT_USAGE:
			if (cli_word(gen_usage_words, optarg) < 0 ||
			    !cli_parse_uint(optarg, 3, &g->usage))
				return cli_usage_error(prog, "--usage must be 3 "
				    "or 2 (0 and 1 are not for SMTP)");
			continue;
		case OPT_MTYPE:
			if (cli_word(gen_mtype_words, optarg) < 0 ||
			    !cli_parse_uint(optarg, 2, &g->mtype))
				return cli_usage_error(prog, "--mtype must be 1 "
				    "(SHA-256), 2 (SHA-512) or 0 (full)");
			continue;
		case OPT_PORT:
			if (!cli_parse_uint(optarg, 65535, &g->port) ||
			    g->port == 0)
				return cli_usage_error(prog, "--port must be a "
				    "port number, not '%s'", optarg);
			continue;
		case CLI_OPT_FORMAT:
			/* Taken here, not by cli_common_opt(): generate has
			 * a third format, zone. */
			if (parse_format(optarg, &g->format) != 0)
				return cli_usage_error(prog, "--format must be "
				    "text, zone or json, not '%s'", optarg);
			continue;
		default:
			break;
		}
		if (cli_common_opt(&g->c, prog, opt, optarg,
		    argv[optind - 1]) < 0)
			return CLI_EXIT_USAGE;
	}
	if (optind < argc)
		g->kind = argv[optind++];
	if (optind < argc)
		return cli_usage_error(prog, "unexpected argument '%s'",
		    argv[optind]);
	if (g->kind != NULL && cli_word(gen_kind_words, g->kind) < 0)
		return cli_usage_error(prog, "unknown record type '%s' (spf, "
		    "dmarc, dkim or tlsa)", g->kind);
	return -1;
}
/* ---- the command ------------------------------------------------------------ */

int
cmd_generate(int argc, char **argv)
{
	struct gen_args g;
	struct provider_set *ps = NULL;
	char err[512];
	bool tty = isatty(STDIN_FILENO) != 0;
	bool missing;
	int rc;

	if ((rc = parse_args(argc, argv, &g)) >= 0)
		return rc;
	if (g.kind != NULL && strcmp(g.kind, "tlsa") == 0)
		return cli_finish(g.prog, gen_run_tlsa(&g));
	if (g.kind == NULL)
		missing = true;
	else if (strcmp(g.kind, "dkim") == 0)
		missing = g.selector == NULL;
	else if (strcmp(g.kind, "dmarc") == 0)
		missing = g.domain == NULL || g.policy == NULL;
	else
		missing = g.domain == NULL;
	if (missing && (tty || g.interactive)) {
		const struct provider *provs[GEN_MAX_PROVIDERS];
		size_t nprovs;

		if ((ps = providers_load(NULL, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s: %s\n", g.prog, err);
			return CLI_EXIT_USAGE;
		}
		/* An unknown --provider is a usage error before the first
		 * question: the wizard trusts every id it holds (it adds only
		 * ids it found). */
		if ((g.kind == NULL || strcmp(g.kind, "spf") == 0) &&
		    gen_resolve_providers(&g, ps, provs, &nprovs) != 0) {
			providers_free(ps);
			return CLI_EXIT_USAGE;
		}
		rc = gen_wizard(&g, ps, tty);
		providers_free(ps);
		return cli_finish(g.prog, rc);
	}
	if (g.kind == NULL)
		return cli_usage_error(g.prog, "say which record: spf, dmarc or "
		    "dkim (or --interactive)");
	if (strcmp(g.kind, "dkim") != 0 && g.domain == NULL)
		return cli_usage_error(g.prog, "--domain is required");
	if (strcmp(g.kind, "spf") == 0) {
		if ((ps = providers_load(NULL, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s: %s\n", g.prog, err);
			return CLI_EXIT_USAGE;
		}
		rc = gen_run_spf(&g, ps);
		providers_free(ps);
	} else if (strcmp(g.kind, "dmarc") == 0) {
		rc = gen_run_dmarc(&g);
	} else {
		rc = gen_run_dkim(&g);
	}
	return cli_finish(g.prog, rc);
}
