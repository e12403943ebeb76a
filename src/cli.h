/*
 * cli.h -- what the subcommands share: exit statuses, the common options
 * (--format, --resolver, --timeout, --retries, --max-inflight, --qps,
 * --zone, --no-color), the
 * resolver they select, colour and usage-error helpers.
 *
 * Each subcommand is `int cmd_NAME(int argc, char **argv)` with argv[0] the
 * program and subcommand ("authcheck spf"); main.c dispatches from a table.
 */
#ifndef AUTHCHECK_CLI_H
#define AUTHCHECK_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifndef AUTHCHECK_VERSION
#define AUTHCHECK_VERSION "0.1.0"
#endif

struct dns_resolver;

/* Exit statuses (the command-line contract, HACKING.md); documented in
 * --help and authcheck(1). */
enum cli_exit {
	CLI_EXIT_OK = 0,	/* no error findings; spf --ip: pass */
	CLI_EXIT_FAIL = 1,	/* error findings; spf --ip: not pass */
	CLI_EXIT_USAGE = 2,	/* bad usage or unreadable input */
	CLI_EXIT_DNS = 3	/* incomplete because DNS failed */
};

enum cli_format { CLI_FMT_TEXT, CLI_FMT_JSON };

#define CLI_MAX_SERVERS 16
#define CLI_MAX_ZONES 256
#define CLI_MAX_INFLIGHT 65536		/* --max-inflight */
#define CLI_DEFAULT_INFLIGHT 2048	/* the live backend's default */
#define CLI_MAX_QPS 1000000		/* --qps */

/* The common options, as parsed. */
struct cli_common {
	enum cli_format format;
	const char *servers[CLI_MAX_SERVERS];	/* --resolver, borrowed argv */
	size_t nservers;
	double timeout;				/* 0 = backend default */
	int retries;				/* -1 = backend default */
	unsigned long max_inflight;		/* 0 = backend default */
	double qps;				/* 0 = no cap */
	const char *zones[CLI_MAX_ZONES];	/* --zone, borrowed argv */
	size_t nzones;
	bool no_color;
};

/* getopt_long codes of the common options (beyond any short option). */
enum {
	CLI_OPT_FORMAT = 0x100, CLI_OPT_RESOLVER, CLI_OPT_TIMEOUT,
	CLI_OPT_RETRIES, CLI_OPT_ZONE, CLI_OPT_NO_COLOR,
	CLI_OPT_MAX_INFLIGHT, CLI_OPT_QPS,
	CLI_OPT__NEXT		/* first code free for a subcommand */
};

/* Entries for a subcommand's `struct option` array. */
#define CLI_COMMON_LONGOPTS \
	{ "format", required_argument, NULL, CLI_OPT_FORMAT }, \
	{ "resolver", required_argument, NULL, CLI_OPT_RESOLVER }, \
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT }, \
	{ "retries", required_argument, NULL, CLI_OPT_RETRIES }, \
	{ "max-inflight", required_argument, NULL, CLI_OPT_MAX_INFLIGHT }, \
	{ "qps", required_argument, NULL, CLI_OPT_QPS }, \
	{ "zone", required_argument, NULL, CLI_OPT_ZONE }, \
	{ "no-color", no_argument, NULL, CLI_OPT_NO_COLOR }

/*
 * A subcommand's options as its parser reads them, for shell completion
 * (`authcheck completion bash|zsh`, cmd_completion.c): its getopt short
 * option string, its getopt_long table, and what the values of some
 * options are.  The word lists are the ones the parser checks values
 * against (cli_word()), so completion cannot offer a value the parser
 * refuses.  Options not named in `values` take free text (CLI_VAL_TEXT)
 * when they take a value.
 */
enum cli_value {
	CLI_VAL_TEXT,		/* free text: a domain, an address, a number */
	CLI_VAL_WORDS,		/* one of `words` */
	CLI_VAL_FILE,		/* a file name */
	CLI_VAL_PROVIDERS,	/* provider IDs, comma-separated */
	CLI_VAL_FINDINGS	/* finding IDs, comma-separated */
};

struct cli_optval {
	const char *name;		/* long option name, NULL ends */
	enum cli_value kind;
	const char *const *words;	/* CLI_VAL_WORDS: NULL-terminated */
};

struct cli_spec {
	const char *shortopts;		/* what getopt_long is given */
	const struct option *longopts;	/* likewise */
	const struct cli_optval *values;
	enum cli_value args;		/* the operands */
	const char *const *arg_words;	/* args == CLI_VAL_WORDS */
};

/* --format of most subcommands: text, json (in enum cli_format order). */
extern const char *const cli_format_words[];

/* Entries for a subcommand's `struct cli_optval` array. */
#define CLI_COMMON_VALUES \
	{ "format", CLI_VAL_WORDS, cli_format_words }, \
	{ "zone", CLI_VAL_FILE, NULL }

/* The index of s in the NULL-terminated words, or -1. */
int cli_word(const char *const *words, const char *s);

/* Help text for the common options, for each subcommand's --help. */
extern const char cli_common_help[];

/* Set the defaults. */
void cli_common_init(struct cli_common *c);
/* Handle a getopt_long result that the subcommand does not take itself:
 * a common option, a missing value (':') or an unknown option ('?' or any
 * other code).  `optname` is argv[optind - 1], for messages.  Returns 0
 * when it was a common option with a good value, -1 otherwise (the
 * message is already on stderr; exit CLI_EXIT_USAGE). */
int cli_common_opt(struct cli_common *c, const char *prog, int opt,
    const char *arg, const char *optname);

/* Build the resolver the options ask for: the zone backend loaded with
 * every --zone file, else the live backend.  Zone-file syntax errors are
 * printed to stderr as zone.syntax findings and loading goes on.  Returns
 * NULL (message on stderr) when a file is unreadable or a --resolver is
 * bad; the caller exits CLI_EXIT_USAGE.  Free with dns_free(). */
struct dns_resolver *cli_resolver_new(const struct cli_common *c,
    const char *prog);

/* True when text output may use ANSI colour: stdout is a terminal, NO_COLOR
 * is unset or empty, and --no-color was not given. */
bool cli_use_color(const struct cli_common *c);

/* Print "PROG: MESSAGE" and "Try 'PROG --help'." to stderr; returns
 * CLI_EXIT_USAGE so callers can `return cli_usage_error(...)`. */
int cli_usage_error(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Strict number parsers for option values (whole string, no sign, no
 * spaces).  Seconds: digits with an optional fraction, in (0, max]. */
bool cli_parse_seconds(const char *s, double max, double *out);
bool cli_parse_uint(const char *s, unsigned long max, unsigned long *out);

/* Length of the well-formed UTF-8 sequence at p[0..n) (RFC 3629), or 0
 * when the bytes there are not one (or n is 0). */
size_t cli_utf8_len(const unsigned char *p, size_t n);

/* Write s with control characters (C0, DEL, C1) and bytes that are not
 * well-formed UTF-8 shown as \xNN, so DNS data cannot drive the terminal.
 * Returns 0, or EOF on a write error. */
int cli_put_safe(FILE *out, const char *s);

/* A Spamhaus Data Query Service key as --dqs-key takes it: letters and
 * digits, 1 to 63 (one DNS label). */
bool cli_dqs_key_ok(const char *s);

/* Subcommands. */
int cmd_spf(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_smtp(int argc, char **argv);	/* cmd_smtp.c */
int cmd_record(int argc, char **argv);	/* cmd_record.c */
int cmd_zone(int argc, char **argv);	/* cmd_zone.c */
int cmd_blocklist(int argc, char **argv);	/* cmd_blocklist.c */
/* `authcheck providers` (cmd_providers.c) and `authcheck generate`
 * (cmd_generate.c). */
int cmd_providers(int argc, char **argv);
int cmd_generate(int argc, char **argv);
/* `authcheck findings` (main.c). */
int cmd_findings(int argc, char **argv);

/* The option specs of the subcommands (next to each parser). */
extern const struct cli_spec cmd_check_spec, cmd_spf_spec, cmd_record_spec,
    cmd_dmarc_spec, cmd_dkim_spec, cmd_zone_spec, cmd_providers_spec,
    cmd_generate_spec, cmd_findings_spec, cmd_smtp_spec, cmd_blocklist_spec;

/* `authcheck completion bash|zsh` (cmd_completion.c): print a completion
 * script for the shell.  names[i] runs the subcommand specs[i] (a name
 * may repeat); summaries[i] describes it (first line used). */
struct cli_command_info {
	const char *name;
	const struct cli_spec *spec;
	const char *summary;
};
int cli_completion(int argc, char **argv, const struct cli_command_info *cmds,
    size_t ncmds);

/* Flush standard output: a write error (disk full, closed pipe) is
 * reported and turns rc into CLI_EXIT_USAGE, so output is never silently
 * cut.  Returns the exit status. */
int cli_finish(const char *prog, int rc);
/* The exit status of a check (HACKING.md): 3 when DNS failed and the result
 * is incomplete, else 1 with error findings, else 0. */
int cli_check_status(bool incomplete, unsigned long errors);

#endif
