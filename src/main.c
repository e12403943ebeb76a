/*
 * main.c -- authcheck's entry point: pick the subcommand from a table.
 *
 * A subcommand is a {name, function, summary} row; each parses its own
 * options (getopt_long) with argv[0] set to "authcheck NAME" so messages
 * name it.  New subcommands slot into `commands` below.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "dkim.h"
#include "dmarc.h"
#include "render.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const struct cli_spec *spec;	/* its options, for completion */
	const char *usage;	/* shown by `authcheck --help` */
	const char *summary;
} commands[] = {
	{ "check", cmd_check, &cmd_check_spec,
	  "[check] DOMAIN... | --domains FILE|-",
	  "the full report: SPF tree, DMARC, DKIM, MX and reverse DNS,\n"
	  "      MTA-STS, TLS-RPT, BIMI, SMTP/TLS of every MX; a verdict and a\n"
	  "      score per domain" },
	{ "smtp", cmd_smtp, &cmd_smtp_spec,
	  "smtp DOMAIN|HOST[:PORT]... [--helo NAME] [--smtp-timeout SEC] "
	  "[--tlsa REC]...",
	  "probe mail servers: greeting, EHLO, STARTTLS, the certificate\n"
	  "      (then QUIT: no mail is sent); :587 STARTTLS, :465 implicit TLS" },
	{ "blocklist", cmd_blocklist, &cmd_blocklist_spec,
	  "blocklist IP|NET|DOMAIN... [--blocklists FILE] [--dqs-key KEY]",
	  "look addresses and domains up on DNS blocklists (RFC 5782): listed,\n"
	  "      clear, refused (error codes) or unusable (test points)" },
	{ "spf", cmd_spf, &cmd_spf_spec,
	  "spf [DOMAIN] --ip IP [--sender ADDR] [--helo NAME]",
	  "evaluate SPF check_host(): is IP authorised to send for DOMAIN?" },
	{ "spf", cmd_spf, &cmd_spf_spec,
	  "spf DOMAIN",
	  "lint DOMAIN's whole SPF tree: lookups per node, every finding" },
	{ "record", cmd_record, &cmd_record_spec,
	  "record [--type TYPE] [--domain NAME] 'TEXT'",
	  "lint one record value offline (SPF, DMARC, DKIM, MTA-STS, TLS-RPT,\n"
	  "      BIMI; the type told from its version tag)" },
	{ "dmarc", cmd_dmarc, &cmd_dmarc_spec,
	  "dmarc DOMAIN",
	  "find and lint the DMARC policy that applies to DOMAIN" },
	{ "dkim", cmd_dkim, &cmd_dkim_spec,
	  "dkim DOMAIN -s|--selector SELECTOR [-s SELECTOR]...",
	  "fetch and lint the DKIM key records of the named selectors" },
	{ "zone", cmd_zone, &cmd_zone_spec,
	  "zone [--origin NAME] [--live] [--strict] [--ignore ID]... FILE...",
	  "lint zone files offline: SPF, DMARC, DKIM, MX, TLSA records with\n"
	  "      file:line" },
	{ "zone", cmd_zone, &cmd_zone_spec,
	  "zone --install-hook [--force]",
	  "install the git pre-commit hook that lints staged zone files" },
	{ "providers", cmd_providers, &cmd_providers_spec,
	  "providers [--format text|json]",
	  "list the provider templates: SPF include, where it goes, DKIM" },
	{ "generate", cmd_generate, &cmd_generate_spec,
	  "generate spf --domain D [--provider ID,...] [--ip4 ADDR]... "
	  "[--ip6 ADDR]...\n"
	  "                     [--a] [--mx] [--all fail|softfail] [--offline]",
	  "the SPF record from provider templates and own servers" },
	{ "generate", cmd_generate, &cmd_generate_spec,
	  "generate dmarc --domain D --policy none|quarantine|reject "
	  "[--rua ADDR]...\n"
	  "                     [--ruf ADDR]... [--sp P] [--np P] [--adkim s|r] "
	  "[--aspf s|r] [--testing]",
	  "an RFC 9989 DMARC record and report authorisations" },
	{ "generate", cmd_generate, &cmd_generate_spec,
	  "generate dkim -s|--selector S [--domain D] [--bits 2048|3072|4096] "
	  "[--ed25519] [--out FILE]",
	  "a DKIM key pair (private key file 0600) and its key record" },
	{ "generate", cmd_generate, &cmd_generate_spec,
	  "generate tlsa --cert FILE --host MX [--usage 3|2] [--selector 1|0] "
	  "[--mtype 1|2]\n"
	  "                     [--port PORT]",
	  "the DANE TLSA record of a certificate, for _25._tcp.MX" },
	{ "generate", cmd_generate, &cmd_generate_spec,
	  "generate [--interactive] [--format text|zone|json]",
	  "ask step by step (on a terminal, or --interactive: piped answers)" },
	{ "findings", cmd_findings, &cmd_findings_spec,
	  "findings [--format text|json|man]",
	  "list every finding ID with its severity and reference" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *out)
{
	fputs("Usage: authcheck COMMAND [OPTIONS] [ARGS]\n"
	    "\n"
	    "Check the DNS records that decide whether a domain's mail is "
	    "trusted.\n\nCommands:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  authcheck %s\n      %s\n", commands[i].usage,
		    commands[i].summary);
	fputs("\n", out);
	fputs(cli_common_help, out);
	fputs("  -V, --version          print the version\n"
	    "\n"
	    "'authcheck COMMAND --help' describes one command; see also "
	    "authcheck(1).\n"
	    "\n"
	    "Exit status: 0 pass / no error findings; 1 not authorised "
	    "(fail, softfail,\n"
	    "neutral, none, permerror) / error findings; 2 bad usage or "
	    "unreadable input;\n"
	    "3 incomplete because DNS failed (temperror).\n", out);
}

static const struct option findings_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const char *const findings_format_words[] = { "text", "json", "man",
	NULL };

static const struct cli_optval findings_values[] = {
	{ "format", CLI_VAL_WORDS, findings_format_words },
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_findings_spec = {
	":h", findings_longopts, findings_values, CLI_VAL_TEXT, NULL
};

/* `authcheck findings`: the catalogue, also the source of the man page's
 * FINDINGS section (`--format man`). */
int
cmd_findings(int argc, char **argv)
{
	const char *prog = argv[0];
	const char *format = "text";
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_findings_spec.shortopts,
	    findings_longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			printf("Usage: %s [--format text|json|man]\n"
			    "List every finding ID: severity, reference, "
			    "title (json: also the fix hint).\n", prog);
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
	switch (cli_word(findings_format_words, format)) {
	case 0:
		rc = diag_catalogue_write(stdout, DIAG_CAT_TEXT);
		break;
	case 1:
		rc = render_json_catalogue(stdout);
		break;
	case 2:
		rc = diag_catalogue_write(stdout, DIAG_CAT_MAN);
		break;
	default:
		return cli_usage_error(prog, "--format must be text, json or "
		    "man, not '%s'", format);
	}
	if (rc != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "%s: write error on standard output\n", prog);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

int
main(int argc, char **argv)
{
	const char *name;
	struct buf prog;
	int rc;

	if (argc < 2) {
		fputs("authcheck: no command given\n\n", stderr);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 ||
	    strcmp(name, "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
		printf("authcheck %s\n", AUTHCHECK_VERSION);
		return CLI_EXIT_OK;
	}
	/* Hidden: the shell completion scripts, made from the tables. */
	if (strcmp(name, "completion") == 0) {
		struct cli_command_info info[NCOMMANDS];

		for (size_t i = 0; i < NCOMMANDS; i++) {
			info[i].name = commands[i].name;
			info[i].spec = commands[i].spec;
			info[i].summary = commands[i].summary;
		}
		argv[1] = (char *)"authcheck completion";
		return cli_completion(argc - 1, argv + 1, info, NCOMMANDS);
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(name, commands[i].name) != 0)
			continue;
		/* argv[0] = "authcheck NAME" for the subcommand's messages. */
		buf_init(&prog, BUF_MAX_LINE);
		buf_printf(&prog, "authcheck %s", commands[i].name);
		argv[1] = prog.err ? argv[0] : (char *)buf_str(&prog);
		rc = commands[i].run(argc - 1, argv + 1);
		buf_free(&prog);
		return rc;
	}
	/* No command: the arguments are the domain report's ("authcheck
	 * example.com", "authcheck --domains list.txt"). */
	argv[0] = (char *)"authcheck";
	return cmd_check(argc, argv);
}
