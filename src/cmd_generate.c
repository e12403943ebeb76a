/*
 * cmd_generate.c -- `authcheck generate spf|dmarc|dkim`: records from
 * provider templates and flags, or step by step (generate_wizard.c) when
 * values are missing and someone is there to answer.
 *
 * Every record is built by generate.c, which runs it through the parsers
 * and linters of the checks; an error finding there is a bug in authcheck
 * and is reported as one (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "crypto.h"
#include "diag.h"
#include "dkim.h"
#include "dns.h"
#include "generate.h"
#include "generate_cmd.h"
#include "providers.h"
#include "render.h"

#define MAX_FINDINGS 256

enum {
	OPT_DOMAIN = CLI_OPT__NEXT, OPT_PROVIDER, OPT_IP4, OPT_IP6, OPT_A,
	OPT_MX, OPT_ALL, OPT_OFFLINE, OPT_POLICY, OPT_RUA, OPT_RUF, OPT_SP,
	OPT_NP, OPT_ADKIM, OPT_ASPF, OPT_TESTING, OPT_BITS, OPT_ED25519,
	OPT_OUT, OPT_INTERACTIVE
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
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* Values the parser accepts (in enum gen_format order for --format). */
static const char *const gen_format_words[] = { "text", "zone", "json",
	NULL };
static const char *const gen_all_words[] = { "softfail", "fail", NULL };
static const char *const gen_bits_words[] = { "2048", "3072", "4096",
	NULL };
static const char *const gen_kind_words[] = { "spf", "dmarc", "dkim", NULL };

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
	CLI_COMMON_VALUES,
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_generate_spec = {
	":hs:", gen_longopts, gen_values, CLI_VAL_WORDS, gen_kind_words
};

static const char gen_help[] =
"Usage: authcheck generate spf|dmarc|dkim [OPTIONS]\n"
"       authcheck generate [--interactive]\n"
"\n"
"Build SPF, DMARC and DKIM records from provider templates ('authcheck\n"
"providers' lists them).  Every record is checked by the same linter as\n"
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

int
gen_parse_format(const char *s, enum gen_format *out)
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
			if ((strchr(optarg, ':') != NULL) != (opt == OPT_IP6))
				return cli_usage_error(prog, "%s '%s': wrong "
				    "address family", argv[optind - 1], optarg);
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
		case CLI_OPT_FORMAT:
			/* Taken here, not by cli_common_opt(): generate has
			 * a third format, zone. */
			if (gen_parse_format(optarg, &g->format) != 0)
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
		    "dmarc or dkim)", g->kind);
	return -1;
}

/* ---- output helpers ----------------------------------------------------- */

/* Use the domain in presentation form: lower case, no trailing dot (the
 * printers add the dot).  False, with a usage message, when invalid. */
static bool
norm_domain(struct gen_args *g)
{
	size_t n;

	if (g->domain == NULL)
		return true;
	n = strlen(g->domain);
	if (!gen_valid_domain(g->domain) || n >= sizeof(g->domain_buf)) {
		cli_usage_error(g->prog, "'%s' is not a valid domain name",
		    g->domain);
		return false;
	}
	if (n > 0 && g->domain[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n; i++) {
		char c = g->domain[i];

		g->domain_buf[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' :
		    c);
	}
	g->domain_buf[n] = '\0';
	g->domain = g->domain_buf;
	return true;
}

void
gen_print_record(FILE *out, const struct gen_record *r, bool spf_strings,
    const char *indent)
{
	struct buf b;

	buf_init(&b, 16384);
	buf_printf(&b, "%s%s%s 3600 IN %s ", indent, r->name,
	    r->relative ? "" : ".", r->type);
	if (strcmp(r->type, "TXT") == 0)
		gen_txt_strings(&b, r->value, strlen(r->value), spf_strings);
	else
		buf_printf(&b, "%s.", r->value);
	fprintf(out, "%s\n", b.err ? "(record too long to print)" :
	    buf_str(&b));
	buf_free(&b);
}

/* Findings that are advice print with the records; an error other than
 * the lookup limit means the generator built something the linter
 * rejects. */
static int
finish_findings(const struct gen_args *g, const struct diag_list *l,
    bool *bug)
{
	int rc = CLI_EXIT_OK;

	*bug = false;
	for (size_t i = 0; i < l->n; i++) {
		const struct diag_info *di = diag_info(l->v[i].id);

		if (di->severity != DIAG_ERROR)
			continue;
		rc = CLI_EXIT_FAIL;
		if (l->v[i].id != DIAG_SPF_LOOKUP_LIMIT)
			*bug = true;
	}
	if (*bug)
		fprintf(stderr, "%s: BUG: a generated record failed the "
		    "linter (see the findings); please report this\n",
		    g->prog);
	return rc;
}

static void
zone_findings(FILE *err, const char *prog, const struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct diag_info *di = diag_info(l->v[i].id);

		fprintf(err, "%s: %s: %s [%s]\n", prog,
		    diag_severity_name(di->severity),
		    l->v[i].message ? l->v[i].message : di->title, di->id);
	}
}

/* ---- spf ------------------------------------------------------------------ */

static const char *
source_word(enum gen_cost_source s)
{
	return s == GEN_COST_LIVE ? "resolved" : s == GEN_COST_TEMPLATE ?
	    "template" : "";
}

void
gen_print_spf(FILE *out, const struct gen_args *g,
    const struct gen_spf_result *res, const struct diag_list *l)
{
	struct gen_record apex;
	char name[300];

	snprintf(name, sizeof(name), "%s", g->domain);
	apex.name = name;
	apex.type = "TXT";
	apex.value = res->record;
	apex.why = NULL;
	apex.relative = false;
	if (g->format == GEN_FMT_ZONE) {
		gen_print_record(out, &apex, true, "");
		for (size_t i = 0; i < res->nrp; i++) {
			fprintf(out, "; %s\n", res->rp[i].why);
			gen_print_record(out, &res->rp[i], true, "");
		}
		for (size_t i = 0; i < res->nnotes; i++)
			fprintf(out, "; %s\n", res->notes[i]);
		zone_findings(stderr, g->prog, l);
		return;
	}
	fprintf(out, "SPF record for %s:\n", g->domain);
	gen_print_record(out, &apex, true, "  ");
	fprintf(out, "\nDNS lookups: %u of %d%s\n", res->lookups,
	    GEN_LOOKUP_LIMIT, res->all_live ? "" :
	    " (some costs from the templates: not resolved through DNS)");
	for (size_t i = 0; i < res->nterms; i++) {
		const struct gen_spf_term *t = &res->terms[i];

		fprintf(out, "  %-40s %2u  %s%s%s\n", t->term, t->cost,
		    t->provider ? t->provider->name : "your servers",
		    t->source == GEN_COST_FIXED ? "" : ", ",
		    source_word(t->source));
	}
	if (res->lookups > GEN_LOOKUP_LIMIT)
		fprintf(out, "\n%s", gen_flatten_advice);
	if (res->nrp > 0) {
		fputs("\nReturn-Path records (these providers' mail is checked "
		    "against their envelope domain, so the apex include would "
		    "not align):\n", out);
		for (size_t i = 0; i < res->nrp; i++) {
			gen_print_record(out, &res->rp[i], true, "  ");
			fprintf(out, "    %s\n", res->rp[i].why);
		}
	}
	for (size_t i = 0; i < res->nnotes; i++)
		fprintf(out, "\nnote: %s\n", res->notes[i]);
	putc('\n', out);
	render_text_findings(out, l, cli_use_color(&g->c));
}

/* Look up every --provider id; prints the error and returns -1 when one
 * is unknown. */
int
gen_resolve_providers(const struct gen_args *g, const struct provider_set *ps,
    const struct provider **out, size_t *nout)
{
	*nout = 0;
	for (size_t i = 0; i < g->nprovider_ids; i++) {
		const struct provider *p = providers_find(ps, g->provider_ids[i]);
		size_t j;

		if (p == NULL) {
			cli_usage_error(g->prog, "unknown provider '%s' (see "
			    "'authcheck providers')", g->provider_ids[i]);
			return -1;
		}
		for (j = 0; j < *nout; j++)
			if (out[j] == p)
				break;
		if (j == *nout)
			out[(*nout)++] = p;
	}
	return 0;
}

int
gen_run_spf(struct gen_args *g, const struct provider_set *ps)
{
	const struct provider *provs[GEN_MAX_PROVIDERS];
	struct gen_spf_opts o;
	struct gen_spf_result res;
	struct diag_list l;
	struct diag_sink sink;
	struct dns_resolver *r = NULL;
	char err[512];
	bool bug;
	int rc;

	memset(&o, 0, sizeof(o));
	if (!norm_domain(g))
		return CLI_EXIT_USAGE;
	if (gen_resolve_providers(g, ps, provs, &o.nproviders) != 0)
		return CLI_EXIT_USAGE;
	if (o.nproviders == 0 && g->naddrs == 0 && !g->a && !g->mx &&
	    !g->null_ok)
		return cli_usage_error(g->prog, "nothing sends mail: give "
		    "--provider, --ip4/--ip6, --a or --mx");
	if (!g->offline && (r = cli_resolver_new(&g->c, g->prog)) == NULL)
		return CLI_EXIT_USAGE;
	o.domain = g->domain;
	o.providers = provs;
	o.addrs = g->addrs;
	o.naddrs = g->naddrs;
	o.a = g->a;
	o.mx = g->mx;
	o.fail = g->fail;
	o.resolver = r;
	diag_list_init(&l, MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	if (gen_spf(&o, &res, &sink, err, sizeof(err)) != 0) {
		diag_list_free(&l);
		dns_free(r);
		return cli_usage_error(g->prog, "%s", err);
	}
	if (g->format == GEN_FMT_JSON) {
		struct render_gen rg;
		struct gen_record recs[1 + GEN_MAX_PROVIDERS];

		memset(&rg, 0, sizeof(rg));
		recs[0].name = (char *)g->domain;
		recs[0].type = "TXT";
		recs[0].value = res.record;
		recs[0].why = NULL;
		recs[0].relative = false;
		for (size_t i = 0; i < res.nrp; i++)
			recs[1 + i] = res.rp[i];
		rg.kind = "spf";
		rg.domain = g->domain;
		rg.records = recs;
		rg.nrecords = 1 + res.nrp;
		rg.spf_strings = true;
		rg.lookups = (int)res.lookups;
		rg.lookups_live = res.all_live;
		rg.terms = res.terms;
		rg.nterms = res.nterms;
		rg.notes = (const char *const *)res.notes;
		rg.nnotes = res.nnotes;
		rg.findings = &l;
		if (render_json_generate(stdout, &rg) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", g->prog);
	} else {
		gen_print_spf(stdout, g, &res, &l);
	}
	rc = finish_findings(g, &l, &bug);
	gen_spf_result_free(&res);
	diag_list_free(&l);
	dns_free(r);
	return rc;
}

/* ---- dmarc ------------------------------------------------------------- */

static const char rollout_advice[] =
"Rollout: publish p=none first and read the aggregate (rua) reports for a\n"
"few weeks until every legitimate sender passes SPF or DKIM aligned with\n"
"your domain; then p=quarantine (t=y first if you want a softer step);\n"
"then p=reject.  Domains whose users post to mailing lists should think\n"
"twice about p=reject (RFC 9989 §7.4).\n";

void
gen_print_dmarc(FILE *out, const struct gen_args *g,
    const struct gen_dmarc_result *res, const struct diag_list *l)
{
	if (g->format == GEN_FMT_ZONE) {
		gen_print_record(out, &res->rec[0], false, "");
		for (size_t i = 1; i < res->nrec; i++) {
			fprintf(out, "; in the zone of the report host: %s\n",
			    res->rec[i].why);
			fprintf(out, "; ");
			gen_print_record(out, &res->rec[i], false, "");
		}
		zone_findings(stderr, g->prog, l);
		return;
	}
	fprintf(out, "DMARC record for %s:\n", g->domain);
	gen_print_record(out, &res->rec[0], false, "  ");
	if (res->nrec > 1) {
		fputs("\nReport destinations outside your domain must "
		    "authorise your reports (RFC 9990):\n", out);
		for (size_t i = 1; i < res->nrec; i++) {
			gen_print_record(out, &res->rec[i], false, "  ");
			fprintf(out, "    %s\n", res->rec[i].why);
		}
	}
	fprintf(out, "\n%s\n", rollout_advice);
	render_text_findings(out, l, cli_use_color(&g->c));
}

int
gen_run_dmarc(struct gen_args *g)
{
	struct gen_dmarc_opts o;
	struct gen_dmarc_result res;
	struct diag_list l;
	struct diag_sink sink;
	char err[512];
	bool bug;
	int rc;

	if (g->policy == NULL)
		return cli_usage_error(g->prog, "--policy is required (none, "
		    "quarantine or reject)");
	if (!norm_domain(g))
		return CLI_EXIT_USAGE;
	memset(&o, 0, sizeof(o));
	o.domain = g->domain;
	o.policy = g->policy;
	o.sp = g->sp;
	o.np = g->np;
	o.adkim = g->adkim;
	o.aspf = g->aspf;
	o.rua = g->rua;
	o.nrua = g->nrua;
	o.ruf = g->ruf;
	o.nruf = g->nruf;
	o.testing = g->testing;
	diag_list_init(&l, MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	if (gen_dmarc(&o, &res, &sink, err, sizeof(err)) != 0) {
		diag_list_free(&l);
		return cli_usage_error(g->prog, "%s", err);
	}
	if (g->format == GEN_FMT_JSON) {
		struct render_gen rg;

		memset(&rg, 0, sizeof(rg));
		rg.kind = "dmarc";
		rg.domain = g->domain;
		rg.records = res.rec;
		rg.nrecords = res.nrec;
		rg.lookups = -1;
		rg.findings = &l;
		if (render_json_generate(stdout, &rg) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", g->prog);
	} else {
		gen_print_dmarc(stdout, g, &res, &l);
	}
	rc = finish_findings(g, &l, &bug);
	gen_dmarc_result_free(&res);
	diag_list_free(&l);
	return rc;
}

/* ---- dkim ----------------------------------------------------------------- */

/* Write the private key to a new file, mode 0600; never over an existing
 * one (a key in use would be lost). */
static int
write_key(const char *prog, const char *path, const char *pem, size_t len)
{
	int fd;
	size_t done = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			fprintf(stderr, "%s: %s exists; refusing to overwrite "
			    "a key (choose another --out)\n", prog, path);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, path,
			    strerror(errno));
		return -1;
	}
	/* The umask could only remove bits; make the mode exact anyway. */
	if (fchmod(fd, 0600) != 0)
		goto fail;
	while (done < len) {
		ssize_t n = write(fd, pem + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return -1;
}

int
gen_run_dkim(struct gen_args *g)
{
	struct crypto_keypair kp;
	struct gen_record rec;
	struct diag_list l;
	struct diag_sink sink;
	char owner[300], name[300], out_default[300], err[512];
	const char *out;
	char *record;
	bool bug;
	int rc;

	if (g->selector == NULL)
		return cli_usage_error(g->prog, "-s/--selector is required");
	if (!norm_domain(g))
		return CLI_EXIT_USAGE;
	if (!dkim_selector_name(g->selector, g->domain ? g->domain :
	    "example.com", name, sizeof(name)) || !gen_valid_domain(name))
		return cli_usage_error(g->prog, "'%s' is not a valid selector "
		    "(DNS labels)", g->selector);
	if (g->ed25519 && g->bits != 2048)
		return cli_usage_error(g->prog, "--bits applies to RSA keys, "
		    "not --ed25519");
	snprintf(owner, sizeof(owner), "%s._domainkey%s%s", g->selector,
	    g->domain ? "." : "", g->domain ? g->domain : "");
	snprintf(out_default, sizeof(out_default), "%s.private", g->selector);
	out = g->out != NULL ? g->out : out_default;
	if (access(out, F_OK) == 0) {
		fprintf(stderr, "%s: %s exists; refusing to overwrite a key "
		    "(choose another --out)\n", g->prog, out);
		return CLI_EXIT_USAGE;
	}
	if (crypto_dkim_keygen(g->ed25519 ? CRYPTO_KEY_ED25519 :
	    CRYPTO_KEY_RSA, (unsigned)g->bits, &kp, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", g->prog, err);
		return CLI_EXIT_FAIL;
	}
	diag_list_init(&l, MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	if ((record = gen_dkim_record(kp.public_b64, g->ed25519, &sink,
	    owner)) == NULL) {
		crypto_keypair_free(&kp);
		diag_list_free(&l);
		fprintf(stderr, "%s: out of memory\n", g->prog);
		return CLI_EXIT_FAIL;
	}
	rc = finish_findings(g, &l, &bug);
	/* A key whose record the linter rejects is not worth keeping. */
	if (!bug && write_key(g->prog, out, kp.private_pem,
	    kp.private_pem_len) != 0) {
		free(record);
		crypto_keypair_free(&kp);
		diag_list_free(&l);
		return CLI_EXIT_USAGE;
	}
	rec.name = owner;
	rec.type = "TXT";
	rec.value = record;
	rec.why = NULL;
	rec.relative = g->domain == NULL;
	if (g->format == GEN_FMT_JSON) {
		struct render_gen rg;

		memset(&rg, 0, sizeof(rg));
		rg.kind = "dkim";
		rg.domain = g->domain;
		rg.records = &rec;
		rg.nrecords = 1;
		rg.lookups = -1;
		rg.selector = g->selector;
		rg.key_type = g->ed25519 ? "ed25519" : "rsa";
		rg.bits = kp.bits;
		rg.key_file = bug ? NULL : out;
		rg.findings = &l;
		if (render_json_generate(stdout, &rg) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", g->prog);
	} else if (g->format == GEN_FMT_ZONE) {
		gen_print_record(stdout, &rec, false, "");
		zone_findings(stderr, g->prog, &l);
	} else {
		fprintf(stdout, "DKIM key, selector %s: %s, %u bits\n",
		    g->selector, g->ed25519 ? "Ed25519" : "RSA", kp.bits);
		if (!bug)
			fprintf(stdout, "private key written to %s (mode "
			    "0600): give it to your signer, keep it secret\n",
			    out);
		fprintf(stdout, "\npublish%s:\n", g->domain ? "" :
		    " (the name is relative to your domain's zone)");
		gen_print_record(stdout, &rec, false, "  ");
		if (g->ed25519)
			fputs("\nnote: many receivers do not verify Ed25519 "
			    "yet (RFC 8463); sign with an RSA key as well.\n",
			    stdout);
		putc('\n', stdout);
		render_text_findings(stdout, &l, cli_use_color(&g->c));
	}
	free(record);
	crypto_keypair_free(&kp);
	diag_list_free(&l);
	return rc;
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
	if (g.kind == NULL)
		missing = true;
	else if (strcmp(g.kind, "dkim") == 0)
		missing = g.selector == NULL;
	else if (strcmp(g.kind, "dmarc") == 0)
		missing = g.domain == NULL || g.policy == NULL;
	else
		missing = g.domain == NULL;
	if (missing && (tty || g.interactive)) {
		if ((ps = providers_load(NULL, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s: %s\n", g.prog, err);
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
