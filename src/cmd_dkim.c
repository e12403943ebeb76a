/*
 * cmd_dkim.c -- `authcheck dkim DOMAIN -s SELECTOR...`: fetch and lint the
 * DKIM key records of the named selectors (RFC 6376 §3.6, RFC 8301,
 * RFC 8463).
 */
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "diag.h"
#include "dkim.h"
#include "dns.h"
#include "render.h"

static const struct option dkim_longopts[] = {
	{ "selector", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const struct cli_optval dkim_values[] = {
	CLI_COMMON_VALUES,
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_dkim_spec = {
	":hs:", dkim_longopts, dkim_values, CLI_VAL_TEXT, NULL
};

static const char dkim_help[] =
"Usage: authcheck dkim DOMAIN -s SELECTOR [-s SELECTOR]... [OPTIONS]\n"
"\n"
"Fetch the DKIM key record of each selector (TXT at\n"
"SELECTOR._domainkey.DOMAIN, following CNAMEs), check its tags and decode\n"
"its public key: key type and size, revoked and testing keys, sha1-only\n"
"and service restrictions.  Also reports when _domainkey.DOMAIN does not\n"
"exist (RFC 8020: no keys are published under it).\n"
"\n"
"  DOMAIN                 the signing domain (d=)\n"
"  -s, --selector NAME    a selector (s=) to check; repeatable\n"
"\n";

static const char dkim_exit_help[] =
"\n"
"Exit status: 0 no error findings; 1 error findings (missing or broken\n"
"keys); 2 bad usage or an unreadable --zone file; 3 DNS failed (the\n"
"result is incomplete).\n";

struct dkim_args {
	struct cli_common common;
	const char *selectors[DKIM_MAX_SELECTORS];
	size_t nsel;
	char domain[256];
};

static void
dkim_usage(FILE *out)
{
	fputs(dkim_help, out);
	fputs(cli_common_help, out);
	fputs(dkim_exit_help, out);
}

/* Parse and validate argv.  Returns -1 to go on, else an exit status. */
static int
parse_args(int argc, char **argv, struct dkim_args *a)
{
	const char *prog = argv[0];
	char name[256];
	int opt;

	memset(a, 0, sizeof(*a));
	cli_common_init(&a->common);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_dkim_spec.shortopts,
	    dkim_longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (a->nsel == DKIM_MAX_SELECTORS)
				return cli_usage_error(prog, "at most %d "
				    "selectors", DKIM_MAX_SELECTORS);
			a->selectors[a->nsel++] = optarg;
			continue;
		case 'h':
			dkim_usage(stdout);
			return CLI_EXIT_OK;
		default:
			break;
		}
		if (cli_common_opt(&a->common, prog, opt, optarg,
		    argv[optind - 1]) < 0)
			return CLI_EXIT_USAGE;
	}
	if (optind >= argc)
		return cli_usage_error(prog, "DOMAIN is required");
	if (optind + 1 < argc)
		return cli_usage_error(prog, "one DOMAIN only; unexpected '%s'",
		    argv[optind + 1]);
	if (dns_name_norm(a->domain, sizeof(a->domain), argv[optind]) < 0)
		return cli_usage_error(prog, "'%s' is not a valid domain name",
		    argv[optind]);
	for (size_t i = 0; i < a->nsel; i++)
		if (!dkim_selector_name(a->selectors[i], a->domain, name,
		    sizeof(name)))
			return cli_usage_error(prog, "selector '%s': "
			    "'%s._domainkey.%s' is not a valid DNS name",
			    a->selectors[i], a->selectors[i], a->domain);
	return -1;
}

/* ---- text output ----------------------------------------------------- */

struct style {
	const char *bold, *reset;
};

/* Write p[0..n) with every byte outside printable ASCII as '?', one
 * column per byte, so the caret line below stays aligned. */
static void
put_cols(FILE *out, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		putc(c >= 0x20 && c < 0x7f ? c : '?', out);
	}
}

/* The record with a long p= value shortened to its ends. */
static void
put_record(FILE *out, const struct dkim_selector *s)
{
	const struct dkim_tagpos *pt = &s->parsed.tag[DKIM_TAG_P];

	putc('"', out);
	if (pt->present && pt->value.len > 48) {
		size_t a = pt->value.off + 24, b = pt->value.off +
		    pt->value.len - 12;

		put_cols(out, s->record, a);
		fprintf(out, "...(%zu chars)...", pt->value.len);
		put_cols(out, s->record + b, s->record_len - b);
	} else {
		put_cols(out, s->record, s->record_len);
	}
	putc('"', out);
}

static void
print_text(FILE *out, const struct dkim_result *res, bool color)
{
	struct style st = { "", "" };

	if (color) {
		st.bold = "\033[1m";
		st.reset = "\033[0m";
	}
	fprintf(out, "%sDKIM for ", st.bold);
	cli_put_safe(out, res->domain);
	fprintf(out, "%s\n", st.reset);
	for (size_t i = 0; i < res->nsel; i++) {
		const struct dkim_selector *s = &res->sel[i];

		fprintf(out, "  selector %s", st.bold);
		cli_put_safe(out, s->selector);
		fprintf(out, "%s (", st.reset);
		cli_put_safe(out, s->name);
		fputs(")\n", out);
		if (s->cname != NULL) {
			fputs("    delegated by CNAME to ", out);
			cli_put_safe(out, s->cname);
			fprintf(out, " (%zu hop%s)\n", s->ncname,
			    s->ncname == 1 ? "" : "s");
		}
		if (!s->found) {
			fprintf(out, "    no key record (%s)\n",
			    dns_status_name(s->status));
		} else {
			fputs("    record: ", out);
			put_record(out, s);
			putc('\n', out);
			fputs("    key: ", out);
			if (s->key.revoked)
				fputs("revoked (empty p=)", out);
			else if (s->key.decoded)
				fprintf(out, "%s, %u bits%s",
				    dkim_key_type_name(s->key.type),
				    s->key.bits, s->key.pkcs1 ?
				    " (PKCS#1 RSAPublicKey)" : "");
			else
				fprintf(out, "%s, not decodable",
				    dkim_key_type_name(s->key.type));
			putc('\n', out);
		}
		render_text_finding_list(out, &s->findings, color, "    ");
	}
	if (res->area.findings.n > 0) {
		fputs("  domain:\n", out);
		render_text_finding_list(out, &res->area.findings, color, "    ");
	}
}

/* ---- the command ----------------------------------------------------- */

static bool
has_error(const struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (diag_info(l->v[i].id)->severity == DIAG_ERROR)
			return true;
	return false;
}

static int
exit_status(const struct dkim_result *res)
{
	if (res->area.incomplete)
		return CLI_EXIT_DNS;
	if (has_error(&res->area.findings))
		return CLI_EXIT_FAIL;
	for (size_t i = 0; i < res->nsel; i++)
		if (has_error(&res->sel[i].findings))
			return CLI_EXIT_FAIL;
	return CLI_EXIT_OK;
}


int
cmd_dkim(int argc, char **argv)
{
	const char *prog = argv[0];
	struct dkim_args a;
	struct dkim_result res;
	struct dns_resolver *r;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	if ((r = cli_resolver_new(&a.common, prog)) == NULL)
		return CLI_EXIT_USAGE;
	if (dkim_lookup(r, a.domain, a.selectors, a.nsel, &res) != 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		dns_free(r);
		return CLI_EXIT_DNS;
	}
	if (a.common.format == CLI_FMT_JSON) {
		if (render_json_dkim(stdout, &res) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", prog);
	} else {
		print_text(stdout, &res, cli_use_color(&a.common));
	}
	if (res.area.oom)
		fprintf(stderr, "%s: out of memory: some findings were lost\n",
		    prog);
	rc = exit_status(&res);
	dkim_result_free(&res);
	dns_free(r);
	return cli_finish(prog, rc);
}
