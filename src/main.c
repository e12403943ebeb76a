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

static int cmd_findings(int argc, char **argv);

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;	/* shown by `authcheck --help` */
	const char *summary;
} commands[] = {
	{ "check", cmd_check,
	  "[check] DOMAIN... | --domains FILE|-",
	  "the full report: SPF tree, DMARC, DKIM, MX and reverse DNS,\n"
	  "      MTA-STS, TLS-RPT, BIMI, SMTP/TLS of every MX; a verdict and a\n"
	  "      score per domain" },
	{ "smtp", cmd_smtp,
	  "smtp DOMAIN|HOST[:PORT]... [--helo NAME] [--smtp-timeout SEC]",
	  "probe mail servers: greeting, EHLO, STARTTLS, the certificate\n"
	  "      (then QUIT: no mail is sent); :587 STARTTLS, :465 implicit TLS" },
	{ "spf", cmd_spf,
	  "spf [DOMAIN] --ip IP [--sender ADDR] [--helo NAME]",
	  "evaluate SPF check_host(): is IP authorised to send for DOMAIN?" },
	{ "spf", cmd_spf,
	  "spf DOMAIN",
	  "lint DOMAIN's whole SPF tree: lookups per node, every finding" },
	{ "record", cmd_record,
	  "record [--type TYPE] [--domain NAME] 'TEXT'",
	  "lint one record value offline (SPF, DMARC, DKIM, MTA-STS, TLS-RPT,\n"
	  "      BIMI; the type told from its version tag)" },
	{ "dmarc", cmd_dmarc,
	  "dmarc DOMAIN",
	  "find and lint the DMARC policy that applies to DOMAIN" },
	{ "dkim", cmd_dkim,
	  "dkim DOMAIN -s|--selector SELECTOR [-s SELECTOR]...",
	  "fetch and lint the DKIM key records of the named selectors" },
	{ "zone", cmd_zone,
	  "zone [--origin NAME] [--live] [--strict] [--ignore ID]... FILE...",
	  "lint zone files offline: SPF, DMARC, DKIM, MX records with file:line" },
	{ "zone", cmd_zone,
	  "zone --install-hook [--force]",
	  "install the git pre-commit hook that lints staged zone files" },
	{ "providers", cmd_providers,
	  "providers [--format text|json]",
	  "list the provider templates: SPF include, where it goes, DKIM" },
	{ "generate", cmd_generate,
	  "generate spf --domain D [--provider ID,...] [--ip4 ADDR]... "
	  "[--ip6 ADDR]...\n"
	  "                     [--a] [--mx] [--all fail|softfail] [--offline]",
	  "the SPF record from provider templates and own servers" },
	{ "generate", cmd_generate,
	  "generate dmarc --domain D --policy none|quarantine|reject "
	  "[--rua ADDR]...\n"
	  "                     [--ruf ADDR]... [--sp P] [--np P] [--adkim s|r] "
	  "[--aspf s|r] [--testing]",
	  "an RFC 9989 DMARC record and report authorisations" },
	{ "generate", cmd_generate,
	  "generate dkim -s|--selector S [--domain D] [--bits 2048|3072|4096] "
	  "[--ed25519] [--out FILE]",
	  "a DKIM key pair (private key file 0600) and its key record" },
	{ "generate", cmd_generate,
	  "generate [--interactive] [--format text|zone|json]",
	  "ask step by step (on a terminal, or --interactive: piped answers)" },
	{ "findings", cmd_findings,
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

/* `authcheck findings`: the catalogue, also the source of the man page's
 * FINDINGS section (`--format man`). */
static int
cmd_findings(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *prog = argv[0];
	const char *format = "text";
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
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
	if (strcmp(format, "text") == 0)
		rc = diag_catalogue_write(stdout, DIAG_CAT_TEXT);
	else if (strcmp(format, "man") == 0)
		rc = diag_catalogue_write(stdout, DIAG_CAT_MAN);
	else if (strcmp(format, "json") == 0)
		rc = render_json_catalogue(stdout);
	else
		return cli_usage_error(prog, "--format must be text, json or "
		    "man, not '%s'", format);
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
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(name, commands[i].name) != 0)
			continue;
		/* argv[0] = "authcheck NAME" for the subcommand's messages. */
		buf_init(&prog, 64);
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
