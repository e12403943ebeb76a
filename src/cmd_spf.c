/*
 * cmd_spf.c -- `authcheck spf [DOMAIN] --ip IP`: evaluate check_host()
 * (RFC 7208 §4) and say who decided, through which records.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "dns.h"
#include "ip.h"
#include "render.h"
#include "spf.h"
#include "spf_lint.h"

enum { OPT_IP = CLI_OPT__NEXT, OPT_SENDER, OPT_HELO, OPT_NO_PREFETCH };

static const struct option spf_longopts[] = {
	{ "ip", required_argument, NULL, OPT_IP },
	{ "sender", required_argument, NULL, OPT_SENDER },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "no-prefetch", no_argument, NULL, OPT_NO_PREFETCH },
	{ "help", no_argument, NULL, 'h' },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const struct cli_optval spf_values[] = {
	CLI_COMMON_VALUES,
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_spf_spec = {
	":h", spf_longopts, spf_values, CLI_VAL_TEXT, NULL
};

static const char spf_help[] =
"Usage: authcheck spf [DOMAIN] --ip IP [--sender ADDR] [--helo NAME] [OPTIONS]\n"
"       authcheck spf DOMAIN [OPTIONS]\n"
"\n"
"Evaluate SPF (RFC 7208 check_host) for mail from IP: is the address\n"
"authorised to send for DOMAIN?  Prints the result, the chain of records\n"
"that decided it, the explanation (exp=) and the DNS lookup counts.\n"
"Without --ip, lint DOMAIN's whole SPF tree: every include and redirect\n"
"with its lookup cost, the counts over the tree, and every finding.\n"
"\n"
"  DOMAIN                 the domain to check; default: the domain of\n"
"                         --sender, else --helo\n"
"  --ip IP                the connecting client's IPv4 or IPv6 address\n"
"                         (required)\n"
"  --sender ADDR          MAIL FROM address (local@domain); '' means the\n"
"                         null sender, checked as postmaster@HELO; default:\n"
"                         postmaster@DOMAIN\n"
"  --helo NAME            the HELO/EHLO name (for %{h} and the null sender)\n"
"  --no-prefetch          ask DNS strictly in evaluation order: never a\n"
"                         query the result did not need, but one round trip\n"
"                         per lookup instead of per include level\n"
"\n";

static const char spf_exit_help[] =
"\n"
"Exit status: 0 pass; 1 fail, softfail, neutral, none or permerror (the\n"
"address is not authorised, or the record is broken); 2 bad usage or an\n"
"unreadable --zone file; 3 temperror (DNS failed, result incomplete).\n";

/* What the user asked for, after validation. */
struct spf_args {
	struct cli_common common;
	const char *domain_arg;		/* positional DOMAIN, or NULL */
	const char *ip_arg;
	const char *sender;		/* NULL = option absent */
	const char *helo;
	struct ipaddr ip;
	char domain[256];		/* the checked domain, no final dot */
	bool lint;			/* no --ip: lint the SPF tree */
	bool no_prefetch;		/* --no-prefetch */
	bool domain_invalid;		/* from an identity, not a valid name:
					 * check_host() says none (§4.3) */
	char ip_text[IP_STRLEN];
};

static void
spf_usage(FILE *out)
{
	fputs(spf_help, out);
	fputs(cli_common_help, out);
	fputs(spf_exit_help, out);
}

/* Copy name into out without one trailing dot; false when it is not a
 * presentation-format domain name. */
static bool
take_domain(const char *name, char *out, size_t outsize)
{
	size_t len = dns_name_trim(name, strlen(name));

	if (len == 0 || len >= outsize || !dns_name_valid(name, len))
		return false;
	memcpy(out, name, len);
	out[len] = '\0';
	return true;
}

/* Parse and validate argv.  Returns -1 to go on, else an exit status. */
static int
parse_args(int argc, char **argv, struct spf_args *a)
{
	const char *prog = argv[0];
	const char *from, *what, *given;
	int opt;

	memset(a, 0, sizeof(*a));
	cli_common_init(&a->common);
	optind = 1;
	opterr = 0;	/* our own messages, with the subcommand's name */
	while ((opt = getopt_long(argc, argv, cmd_spf_spec.shortopts,
	    spf_longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_IP:
			a->ip_arg = optarg;
			continue;
		case OPT_SENDER:
			a->sender = optarg;
			continue;
		case OPT_HELO:
			a->helo = optarg;
			continue;
		case OPT_NO_PREFETCH:
			a->no_prefetch = true;
			continue;
		case 'h':
			spf_usage(stdout);
			return CLI_EXIT_OK;
		default:
			break;
		}
		if (cli_common_opt(&a->common, prog, opt, optarg,
		    argv[optind - 1]) < 0)
			return CLI_EXIT_USAGE;
	}
	if (optind < argc)
		a->domain_arg = argv[optind++];
	if (optind < argc)
		return cli_usage_error(prog, "one DOMAIN only; unexpected '%s'",
		    argv[optind]);

	if (a->ip_arg == NULL) {
		/* No client: lint the domain's whole SPF tree. */
		if (a->domain_arg == NULL)
			return cli_usage_error(prog, "give DOMAIN to lint its SPF "
			    "tree, or --ip IP to evaluate a client");
		if (a->sender != NULL || a->helo != NULL || a->no_prefetch)
			return cli_usage_error(prog, "--sender, --helo and "
			    "--no-prefetch need --ip IP");
		if (!take_domain(a->domain_arg, a->domain, sizeof(a->domain)))
			return cli_usage_error(prog, "DOMAIN: '%s' is not a valid "
			    "domain name", a->domain_arg);
		a->lint = true;
		return -1;
	}
	if (!ip_parse(a->ip_arg, strlen(a->ip_arg), &a->ip))
		return cli_usage_error(prog, "--ip: '%s' is not an IPv4 or "
		    "IPv6 address", a->ip_arg);
	ip_format(&a->ip, a->ip_text, sizeof(a->ip_text));

	if (a->sender != NULL && a->sender[0] == '\0' && a->helo == NULL)
		return cli_usage_error(prog, "--sender '' (the null sender) "
		    "needs --helo: it is checked as postmaster@HELO");

	/* The checked domain: DOMAIN, else the sender's, else the HELO's. */
	if (a->domain_arg != NULL) {
		from = given = a->domain_arg;
		what = "DOMAIN";
	} else if (a->sender != NULL && a->sender[0] != '\0') {
		const char *at = strrchr(a->sender, '@');

		from = at != NULL ? at + 1 : a->sender;
		given = a->sender;
		what = "--sender";
	} else if (a->helo != NULL) {
		from = given = a->helo;
		what = "--helo";
	} else {
		return cli_usage_error(prog, "no domain to check: give DOMAIN, "
		    "--sender or --helo");
	}
	if (!take_domain(from, a->domain, sizeof(a->domain))) {
		/* A bad DOMAIN argument is the user's typo; a bad domain in
		 * the identities is what SMTP handed over, and RFC 7208 §4.3
		 * says check_host() returns "none" for it. */
		if (a->domain_arg != NULL || from[0] == '\0')
			return cli_usage_error(prog, "%s: '%s' has no valid "
			    "domain name", what, given);
		snprintf(a->domain, sizeof(a->domain), "%s", from);
		a->domain_invalid = true;
	}
	return -1;
}

/* ---- text output ----------------------------------------------------- */

struct style {
	const char *bold, *dim, *reset, *result;
};

static const char *
result_color(enum spf_result r)
{
	switch (r) {
	case SPF_PASS:		return "\033[1;32m";
	case SPF_FAIL:		return "\033[1;31m";
	case SPF_SOFTFAIL:	return "\033[1;33m";
	case SPF_TEMPERROR:
	case SPF_PERMERROR:	return "\033[1;35m";
	default:		return "\033[1m";
	}
}

/* The one-line verdict after "RESULT: ". */
static void
print_verdict(FILE *out, const struct spf_args *a, enum spf_result r)
{
	const char *ip = a->ip_text;

	switch (r) {
	case SPF_PASS:
		fprintf(out, "%s is authorised to send mail for ", ip);
		break;
	case SPF_FAIL:
		fprintf(out, "%s is not authorised to send mail for ", ip);
		break;
	case SPF_SOFTFAIL:
		fprintf(out, "%s is probably not authorised to send mail for ",
		    ip);
		break;
	case SPF_NEUTRAL:
		fprintf(out, "%s is neither authorised nor refused "
		    "(neutral) by ", ip);
		break;
	case SPF_NONE:
		fprintf(out, "no SPF policy for %s at ", ip);
		break;
	case SPF_TEMPERROR:
		fprintf(out, "DNS failed; could not check %s for ", ip);
		break;
	case SPF_PERMERROR:
		fprintf(out, "the SPF record is broken; could not check %s "
		    "for ", ip);
		break;
	}
	cli_put_safe(out, a->domain);
	putc('\n', out);
}

/* The index of the trace line holding the deciding term: the last one
 * with that term at that domain (evaluation stops at the first match, and
 * an include's own line comes after its sub-tree). */
static size_t
decided_line(const struct spf_eval_result *res)
{
	size_t i, found = res->ntrace;

	if (res->decided_by == NULL || res->decided_domain == NULL)
		return found;
	for (i = 0; i < res->ntrace; i++) {
		const struct spf_trace *t = &res->trace[i];

		if (t->term != NULL && t->domain != NULL &&
		    strcmp(t->term, res->decided_by) == 0 &&
		    strcmp(t->domain, res->decided_domain) == 0)
			found = i;
	}
	return found;
}

/* The records as a tree: a domain and its record, then its terms one
 * level in, an include's sub-tree under the include. */
static void
print_tree(FILE *out, const struct spf_eval_result *res,
    const struct style *st)
{
	size_t dec = decided_line(res);

	for (size_t i = 0; i < res->ntrace; i++) {
		const struct spf_trace *t = &res->trace[i];
		unsigned depth = t->depth > 32 ? 32 : t->depth;
		int indent = 2 + 4 * (int)depth;

		if (t->term == NULL) {
			fprintf(out, "%*s%s", indent, "", st->bold);
			cli_put_safe(out, t->domain ? t->domain : "?");
			fputs(st->reset, out);
			if (t->record != NULL) {
				fputs("  \"", out);
				cli_put_safe(out, t->record);
				putc('"', out);
			}
			if (t->note != NULL && strcmp(t->note, "record") != 0) {
				fprintf(out, "  %s(", st->dim);
				cli_put_safe(out, t->note);
				fprintf(out, ")%s", st->reset);
			}
			putc('\n', out);
			continue;
		}
		fprintf(out, "%*s", indent + 2, "");
		if (i == dec)
			fputs(st->result, out);
		cli_put_safe(out, t->term);
		if (i == dec)
			fputs(st->reset, out);
		if (t->note != NULL) {
			fprintf(out, "  %s", st->dim);
			cli_put_safe(out, t->note);
			fputs(st->reset, out);
		}
		if (i == dec)
			fprintf(out, "  %s<= decided%s", st->result, st->reset);
		putc('\n', out);
	}
}

static void
print_text(FILE *out, const struct spf_args *a,
    const struct spf_eval_result *res, bool color)
{
	struct style st = { "", "", "", "" };

	if (color) {
		st.bold = "\033[1m";
		st.dim = "\033[2m";
		st.reset = "\033[0m";
		st.result = result_color(res->result);
	}
	fprintf(out, "%s%s%s: ", st.result, spf_result_name(res->result),
	    st.reset);
	print_verdict(out, a, res->result);

	if (res->ntrace > 0) {
		fputs("records:\n", out);
		print_tree(out, res, &st);
	}

	fputs("why: ", out);
	if (res->problem != NULL) {
		cli_put_safe(out, res->problem);
	} else if (res->decided_by != NULL) {
		fputs("'", out);
		cli_put_safe(out, res->decided_by);
		fputs("' in the record of ", out);
		cli_put_safe(out, res->decided_domain ? res->decided_domain :
		    a->domain);
		fputs(" matched", out);
	} else if (res->result == SPF_NEUTRAL) {
		fputs("no term matched and there is no 'all' term (the "
		    "default result is neutral)", out);
	} else if (res->result == SPF_NONE) {
		fputs("no v=spf1 TXT record at ", out);
		cli_put_safe(out, a->domain);
	} else {
		fputs("no reason given", out);
	}
	putc('\n', out);
	if (res->explanation != NULL) {
		fputs("explanation: ", out);
		cli_put_safe(out, res->explanation);
		putc('\n', out);
	}
	fprintf(out, "lookups: %u/10, void lookups: %u/2\n", res->lookups,
	    res->void_lookups);
}

/* ---- the command ----------------------------------------------------- */

static int
exit_status(enum spf_result r)
{
	switch (r) {
	case SPF_PASS:
		return CLI_EXIT_OK;
	case SPF_TEMPERROR:
		return CLI_EXIT_DNS;
	default:
		return CLI_EXIT_FAIL;
	}
}

/* `authcheck spf DOMAIN`: the whole include/redirect tree with the cost
 * of every node, the lookup counts over the tree, and the findings. */
static int
spf_lint_cmd(const char *prog, const struct spf_args *a)
{
	struct spf_lint_result lr;
	struct diag_sink sink;
	struct diag_list l;
	struct dns_resolver *r;
	bool color = cli_use_color(&a->common);
	int rc;

	if ((r = cli_resolver_new(&a->common, prog)) == NULL)
		return CLI_EXIT_USAGE;
	diag_list_init(&l, SPF_LINT_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	if (spf_lint(r, a->domain, &sink, &lr) != 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		rc = CLI_EXIT_DNS;
		goto out;
	}
	if (a->common.format == CLI_FMT_JSON) {
		if (render_json_spf_lint(stdout, a->domain, &lr, &l) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", prog);
	} else {
		fprintf(stdout, "%sSPF for %s%s\n", color ? "\033[1m" : "",
		    a->domain, color ? "\033[0m" : "");
		if (lr.root != NULL)
			spf_tree_print(stdout, lr.root, &lr, 0);
		fprintf(stdout, "lookups: %u/10 over the whole tree%s, void "
		    "lookups: %u/2\n", lr.lookups, lr.area.incomplete ?
		    " (at least: DNS failed)" : "", lr.void_lookups);
		render_text_findings(stdout, &l, color);
	}
	rc = cli_check_status(lr.area.incomplete, sink.count[DIAG_ERROR]);
	spf_lint_result_free(&lr);
out:
	diag_list_free(&l);
	dns_free(r);
	return cli_finish(prog, rc);
}

int
cmd_spf(int argc, char **argv)
{
	const char *prog = argv[0];
	struct spf_args a;
	struct spf_eval_opts o;
	struct spf_eval_result res;
	struct dns_resolver *r;
	struct buf sender;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	if (a.lint)
		return spf_lint_cmd(prog, &a);

	/* The MAIL FROM the evaluator sees (shown in the output).  With no
	 * --sender the check is as for postmaster@DOMAIN; '' is passed on
	 * as the null sender (postmaster@HELO, RFC 7208 §4.3). */
	buf_init(&sender, BUF_MAX_LINE);
	if (a.sender == NULL)
		buf_printf(&sender, "postmaster@%s", a.domain);
	else if (a.sender[0] == '\0')
		buf_printf(&sender, "postmaster@%s", a.helo);
	else if (a.sender[0] == '@')
		buf_printf(&sender, "postmaster%s", a.sender);
	else if (strchr(a.sender, '@') == NULL)
		buf_printf(&sender, "postmaster@%s", a.sender);
	else
		buf_adds(&sender, a.sender);
	if (sender.err) {
		buf_free(&sender);
		return cli_usage_error(prog, "--sender is too long");
	}

	if ((r = cli_resolver_new(&a.common, prog)) == NULL) {
		buf_free(&sender);
		return CLI_EXIT_USAGE;
	}

	memset(&o, 0, sizeof(o));
	o.ip = a.ip;
	o.ip_text = a.ip_arg;
	o.domain = a.domain_invalid ? NULL : a.domain;
	o.sender = a.sender != NULL && a.sender[0] == '\0' ? "" :
	    buf_str(&sender);
	o.helo = a.helo;
	o.no_prefetch = a.no_prefetch;
	if (spf_check_host(r, &o, &res) != 0) {
		fprintf(stderr, "%s: evaluation incomplete: out of memory or a "
		    "local resolver failure\n", prog);
		spf_eval_result_free(&res);
		dns_free(r);
		buf_free(&sender);
		return CLI_EXIT_DNS;
	}

	if (a.common.format == CLI_FMT_JSON) {
		struct render_spf_eval e = {
			.domain = a.domain,
			.ip = a.ip_text,
			.sender = buf_str(&sender),
			.helo = a.helo,
			.res = &res,
			.queries = dns_stats(r)->queries,
		};

		if (render_json_spf_eval(stdout, &e) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", prog);
	} else {
		print_text(stdout, &a, &res, cli_use_color(&a.common));
	}
	rc = exit_status(res.result);
	spf_eval_result_free(&res);
	dns_free(r);
	buf_free(&sender);
	return cli_finish(prog, rc);
}
