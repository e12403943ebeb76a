/*
 * generate_run.c -- one `authcheck generate` run (generate_run.h): the
 * options checked, the record built by generate.c (which runs it through
 * the parsers and linters of the checks), printed for a person, as zone
 * lines or as JSON, and the exit status.  An error finding on a generated
 * record is a bug in authcheck and is reported as one (exit 1).
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
#include "dane.h"
#include "diag.h"
#include "dkim.h"
#include "dns.h"
#include "generate.h"
#include "generate_run.h"
#include "providers.h"
#include "render.h"

/* Use the domain in presentation form: lower case, no trailing dot (the
 * printers add the dot).  False, with a usage message, when invalid. */
static bool
norm_domain(struct gen_args *g)
{
	if (g->domain == NULL)
		return true;
	if (!gen_domain_norm(g->domain, g->domain_buf, sizeof(g->domain_buf))) {
		cli_usage_error(g->prog, "'%s' is not a valid domain name",
		    g->domain);
		return false;
	}
	g->domain = g->domain_buf;
	return true;
}

static void
print_record(FILE *out, const struct gen_record *r, bool spf_strings,
    const char *indent)
{
	struct buf b;

	buf_init(&b, BUF_MAX_ZONE_LINE);
	buf_printf(&b, "%s%s%s 3600 IN %s ", indent, r->name,
	    r->relative ? "" : ".", r->type);
	if (strcmp(r->type, "TXT") == 0)
		gen_txt_strings(&b, r->value, strlen(r->value), spf_strings);
	else if (strcmp(r->type, "TLSA") == 0)
		buf_printf(&b, "%s", r->value);
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

/* Write a run's JSON line: rg as the record type filled it, plus what
 * every type has. */
static void
print_json(const struct gen_args *g, struct render_gen *rg,
    const struct diag_list *l)
{
	rg->domain = g->domain;
	rg->findings = l;
	if (render_json_generate(stdout, rg) != 0)
		fprintf(stderr, "%s: cannot write JSON\n", g->prog);
}

/* ---- spf ------------------------------------------------------------------ */

static const char *
source_word(enum gen_cost_source s)
{
	return s == GEN_COST_LIVE ? "resolved" : s == GEN_COST_TEMPLATE ?
	    "template" : "";
}

static void
print_spf(FILE *out, const struct gen_args *g,
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
		print_record(out, &apex, true, "");
		for (size_t i = 0; i < res->nrp; i++) {
			fprintf(out, "; %s\n", res->rp[i].why);
			print_record(out, &res->rp[i], true, "");
		}
		for (size_t i = 0; i < res->nnotes; i++)
			fprintf(out, "; %s\n", res->notes[i]);
		zone_findings(stderr, g->prog, l);
		return;
	}
	fprintf(out, "SPF record for %s:\n", g->domain);
	print_record(out, &apex, true, "  ");
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
			print_record(out, &res->rp[i], true, "  ");
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

/* The builder's options for g's SPF record, no resolver; the templates
 * go to provs (GEN_MAX_PROVIDERS).  -1 (said on stderr) when a provider id
 * is unknown. */
static int
spf_opts(const struct gen_args *g, const struct provider_set *ps,
    const struct provider **provs, struct gen_spf_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (gen_resolve_providers(g, ps, provs, &o->nproviders) != 0)
		return -1;
	o->domain = g->domain;
	o->providers = provs;
	o->addrs = g->addrs;
	o->naddrs = g->naddrs;
	o->a = g->a;
	o->mx = g->mx;
	o->fail = g->fail;
	return 0;
}

int
gen_preview_spf(const struct gen_args *g, const struct provider_set *ps,
    struct gen_spf_result *res)
{
	const struct provider *provs[GEN_MAX_PROVIDERS];
	struct gen_spf_opts o;
	struct diag_sink quiet;
	char err[256];

	if (spf_opts(g, ps, provs, &o) != 0)
		return -1;
	diag_sink_init(&quiet, NULL, NULL);
	return gen_spf(&o, res, &quiet, err, sizeof(err));
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

	if (!norm_domain(g))
		return CLI_EXIT_USAGE;
	if (spf_opts(g, ps, provs, &o) != 0)
		return CLI_EXIT_USAGE;
	if (o.nproviders == 0 && g->naddrs == 0 && !g->a && !g->mx &&
	    !g->null_ok)
		return cli_usage_error(g->prog, "nothing sends mail: give "
		    "--provider, --ip4/--ip6, --a or --mx");
	if (!g->offline && (r = cli_resolver_new(&g->c, g->prog)) == NULL)
		return CLI_EXIT_USAGE;
	o.resolver = r;
	diag_list_init(&l, AREA_MAX_FINDINGS);
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
		rg.records = recs;
		rg.nrecords = 1 + res.nrp;
		rg.spf_strings = true;
		rg.lookups = (int)res.lookups;
		rg.lookups_live = res.all_live;
		rg.terms = res.terms;
		rg.nterms = res.nterms;
		rg.notes = (const char *const *)res.notes;
		rg.nnotes = res.nnotes;
		print_json(g, &rg, &l);
	} else {
		print_spf(stdout, g, &res, &l);
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

static void
print_dmarc(FILE *out, const struct gen_args *g,
    const struct gen_dmarc_result *res, const struct diag_list *l)
{
	if (g->format == GEN_FMT_ZONE) {
		print_record(out, &res->rec[0], false, "");
		for (size_t i = 1; i < res->nrec; i++) {
			fprintf(out, "; in the zone of the report host: %s\n",
			    res->rec[i].why);
			fprintf(out, "; ");
			print_record(out, &res->rec[i], false, "");
		}
		zone_findings(stderr, g->prog, l);
		return;
	}
	fprintf(out, "DMARC record for %s:\n", g->domain);
	print_record(out, &res->rec[0], false, "  ");
	if (res->nrec > 1) {
		fputs("\nReport destinations outside your domain must "
		    "authorise your reports (RFC 9990):\n", out);
		for (size_t i = 1; i < res->nrec; i++) {
			print_record(out, &res->rec[i], false, "  ");
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
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	if (gen_dmarc(&o, &res, &sink, err, sizeof(err)) != 0) {
		diag_list_free(&l);
		return cli_usage_error(g->prog, "%s", err);
	}
	if (g->format == GEN_FMT_JSON) {
		struct render_gen rg;

		memset(&rg, 0, sizeof(rg));
		rg.kind = "dmarc";
		rg.records = res.rec;
		rg.nrecords = res.nrec;
		rg.lookups = -1;
		print_json(g, &rg, &l);
	} else {
		print_dmarc(stdout, g, &res, &l);
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
	diag_list_init(&l, AREA_MAX_FINDINGS);
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
		rg.records = &rec;
		rg.nrecords = 1;
		rg.lookups = -1;
		rg.selector = g->selector;
		rg.key_type = g->ed25519 ? "ed25519" : "rsa";
		rg.bits = kp.bits;
		rg.key_file = bug ? NULL : out;
		print_json(g, &rg, &l);
	} else if (g->format == GEN_FMT_ZONE) {
		print_record(stdout, &rec, false, "");
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
		print_record(stdout, &rec, false, "  ");
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

/* ---- tlsa ------------------------------------------------------------- */

int
gen_run_tlsa(struct gen_args *g)
{
	struct crypto_cert_info ci;
	struct gen_record rec;
	struct tls_tlsa t;
	struct diag_list l;
	struct diag_sink sink;
	struct diag d;
	unsigned long sel = 1;
	unsigned char *data = NULL;
	size_t len = 0;
	char host[256], owner[300], err[512], *value;
	const char *note = NULL;
	bool bug;
	int rc;

	if (g->cert == NULL)
		return cli_usage_error(g->prog, "--cert FILE is required (the "
		    "server's certificate for --usage 3, the issuing CA's for "
		    "--usage 2)");
	if (g->host == NULL)
		return cli_usage_error(g->prog, "--host MX is required (the "
		    "mail server's name)");
	if (dns_name_norm(host, sizeof(host), g->host) < 0 ||
	    strchr(host, '.') == NULL)
		return cli_usage_error(g->prog, "--host '%s' is not a host "
		    "name", g->host);
	if (g->selector != NULL && (!cli_parse_uint(g->selector, 1, &sel)))
		return cli_usage_error(g->prog, "--selector must be 1 (the "
		    "public key) or 0 (the whole certificate) for tlsa");
	snprintf(owner, sizeof(owner), "_%lu._tcp.%s", g->port, host);
	if (crypto_tlsa_data(g->cert, (unsigned)sel, (unsigned)g->mtype,
	    &data, &len, &ci, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", g->prog, err);
		return CLI_EXIT_USAGE;
	}
	t.usage = (unsigned char)g->usage;
	t.selector = (unsigned char)sel;
	t.mtype = (unsigned char)g->mtype;
	t.data = data;
	t.len = len;
	if ((value = malloc(len * 2 + 16)) == NULL) {
		free(data);
		fprintf(stderr, "%s: out of memory\n", g->prog);
		return CLI_EXIT_FAIL;
	}
	dane_rec_format(&t, value, len * 2 + 16);
	/* The record's own lint: what a sender would make of it. */
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	memset(&d, 0, sizeof(d));
	d.domain = host;
	dane_lint_rec(&t, owner, &sink, &d);
	free(data);
	t.data = NULL;
	if (g->usage == 2 && !ci.ca)
		note = "--usage 2 (DANE-TA) matches the CA that issued the "
		    "server's certificate, but this certificate is not a CA's: "
		    "give the issuing CA's certificate (the server must send it "
		    "in its chain), or use --usage 3 with the server's own";
	else if (g->usage == 3 && ci.ca)
		note = "--usage 3 (DANE-EE) matches the server's own "
		    "certificate, but this is a CA certificate: give the "
		    "server's certificate, or use --usage 2 for the CA";
	else if (ci.days_left < 0)
		note = "this certificate has expired";
	rc = finish_findings(g, &l, &bug);
	rec.name = owner;
	rec.type = "TLSA";
	rec.value = value;
	rec.why = NULL;
	rec.relative = false;
	if (g->format == GEN_FMT_JSON) {
		struct render_gen rg;
		const char *notes[1] = { note };

		memset(&rg, 0, sizeof(rg));
		rg.kind = "tlsa";
		rg.records = &rec;
		rg.nrecords = 1;
		rg.lookups = -1;
		rg.notes = notes;
		rg.nnotes = note != NULL;
		g->domain = host;
		print_json(g, &rg, &l);
	} else if (g->format == GEN_FMT_ZONE) {
		print_record(stdout, &rec, false, "");
		if (note != NULL)
			fprintf(stderr, "%s: note: %s\n", g->prog, note);
		zone_findings(stderr, g->prog, &l);
	} else {
		fprintf(stdout, "TLSA record for %s port %lu (usage %lu %s, "
		    "selector %lu %s, matching type %lu %s) from:\n  ", host,
		    g->port, g->usage, g->usage == 3 ? "DANE-EE" :
		    g->usage == 2 ? "DANE-TA" : "PKIX, not for SMTP", sel,
		    sel ? "public key" : "certificate", g->mtype,
		    g->mtype == 1 ? "SHA-256" : g->mtype == 2 ? "SHA-512" :
		    "full");
		fputs(ci.subject, stdout);
		fprintf(stdout, " (%s%s, %s %ld days)\n", ci.ca ? "a CA" :
		    "not a CA", ci.self_signed ? ", self-signed" : "",
		    ci.days_left < 0 ? "expired" : "expires in",
		    ci.days_left < 0 ? -ci.days_left : ci.days_left);
		fputs("\npublish in a DNSSEC-signed zone (senders ignore TLSA "
		    "in an unsigned one):\n", stdout);
		print_record(stdout, &rec, false, "  ");
		if (note != NULL)
			fprintf(stdout, "\nnote: %s\n", note);
		fputs("\nBefore a certificate or key change, publish the new "
		    "record beside the old one and wait for the TTL.\n",
		    stdout);
		putc('\n', stdout);
		render_text_findings(stdout, &l, cli_use_color(&g->c));
	}
	free(value);
	diag_list_free(&l);
	return rc;
}
