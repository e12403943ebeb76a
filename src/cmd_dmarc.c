/*
 * cmd_dmarc.c -- `authcheck dmarc DOMAIN`: find the DMARC record that
 * applies to DOMAIN (RFC 9989 tree walk), show it with the effective
 * policy, and list every finding with a caret under the offending bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
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

#define MAX_FINDINGS 256

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
	while ((opt = getopt_long(argc, argv, ":h", dmarc_longopts,
	    NULL)) != -1) {
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
		if (res->incomplete)
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

/* ---- JSON output (the lead may move this into render_json.c) ---------- */

/* A JSON string of p[0..n); bytes that are not well-formed UTF-8 become
 * U+FFFD so hostile DNS data cannot make invalid JSON. */
static json_t *
jstr(const char *p, size_t n)
{
	struct buf b;
	json_t *j;
	size_t i = 0, k;

	buf_init(&b, 4 * n + 16);
	while (i < n) {
		k = cli_utf8_len((const unsigned char *)p + i, n - i);
		if (k == 0 || p[i] == '\0') {
			buf_adds(&b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_add(&b, p + i, k);
			i += k;
		}
	}
	j = b.err ? NULL : json_stringn(buf_str(&b), b.len);
	buf_free(&b);
	return j != NULL ? j : json_null();
}

static json_t *
jname(const char *s)
{
	return jstr(s, strlen(s));
}

static int
print_json(FILE *out, const struct dmarc_result *res,
    const struct diag_list *l)
{
	static const char *const applies[] = { "p", "sp", "np" };
	const struct dmarc_effective *e = &res->eff;
	json_t *o = json_object(), *fs = json_array(), *pol;
	char c[2] = { 0, 0 };
	int rc = -1;

	if (o == NULL || fs == NULL)
		goto out;
	json_object_set_new(o, "domain", jname(res->domain));
	if (res->found) {
		json_object_set_new(o, "record",
		    jstr(res->record, res->record_len));
		json_object_set_new(o, "found_at", jname(res->found_at));
		pol = json_object();
		json_object_set_new(pol, "p", json_string(
		    dmarc_policy_name(e->p)));
		json_object_set_new(pol, "sp", json_string(
		    dmarc_policy_name(e->sp)));
		json_object_set_new(pol, "np", json_string(
		    dmarc_policy_name(e->np)));
		c[0] = e->adkim;
		json_object_set_new(pol, "adkim", json_string(c));
		c[0] = e->aspf;
		json_object_set_new(pol, "aspf", json_string(c));
		c[0] = e->t;
		json_object_set_new(pol, "t", json_string(c));
		c[0] = e->psd;
		json_object_set_new(pol, "psd", json_string(c));
		json_object_set_new(pol, "applies", json_string(
		    applies[res->applies]));
		json_object_set_new(pol, "effective", json_string(
		    dmarc_policy_name(res->policy)));
		json_object_set_new(o, "policy", pol);
	} else {
		json_object_set_new(o, "record", json_null());
		json_object_set_new(o, "found_at", json_null());
		json_object_set_new(o, "policy", json_null());
	}
	json_object_set_new(o, "inherited", json_boolean(res->inherited));
	json_object_set_new(o, "org_domain", jname(res->org_domain));
	json_object_set_new(o, "org_domain_rfc7489", res->psl_known ?
	    jname(res->psl_org_domain) : json_null());
	json_object_set_new(o, "incomplete", json_boolean(res->incomplete));
	for (size_t i = 0; i < l->n; i++) {
		const struct diag *d = &l->v[i];
		const struct diag_info *in = diag_info(d->id);
		json_t *f = json_object();
		const char *m = d->message != NULL ? d->message : in->title;

		json_object_set_new(f, "id", json_string(in->id));
		json_object_set_new(f, "severity", json_string(
		    diag_severity_name(in->severity)));
		json_object_set_new(f, "message", jname(m));
		if (d->has_span)
			json_object_set_new(f, "span", json_pack("[I,I]",
			    (json_int_t)d->span.off,
			    (json_int_t)d->span.len));
		json_array_append_new(fs, f);
	}
	json_object_set_new(o, "findings", fs);
	fs = NULL;
	if (json_dumpf(o, out, JSON_COMPACT) == 0 && putc('\n', out) != EOF)
		rc = 0;
out:
	json_decref(fs);
	json_decref(o);
	return rc;
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
	diag_list_init(&l, MAX_FINDINGS);
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
		if (print_json(stdout, &res, &l) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", prog);
	} else {
		print_text(stdout, &res, &l, cli_use_color(&c));
	}
	if (res.incomplete)
		rc = CLI_EXIT_DNS;
	else if (sink.count[DIAG_ERROR] > 0)
		rc = CLI_EXIT_FAIL;
	else
		rc = CLI_EXIT_OK;
	dmarc_result_free(&res);
	diag_list_free(&l);
	dns_free(r);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: write error on standard output\n", prog);
		return CLI_EXIT_USAGE;
	}
	return rc;
}
