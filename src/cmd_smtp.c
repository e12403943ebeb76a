/*
 * cmd_smtp.c -- `authcheck smtp DOMAIN | HOST[:PORT]...`: the SMTP probe
 * alone (the report's Transport area without the rest).
 *
 * A target with a port is a host (`mail.example.com:587`, `[::1]:2525`,
 * `192.0.2.1:465`); without one, a name is a mail domain whose MX hosts
 * are probed on port 25 (--port), or, when it has no MX, the name itself
 * (the implicit MX, RFC 5321 §5.1).  Port 465 (or --implicit-tls) starts
 * with TLS (RFC 8314); other ports use STARTTLS.  Every address of every
 * target is probed at once.  Unlike the report, the command probes what it
 * is told, loopback addresses and --zone answers included.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dane.h"
#include "dnssec.h"
#include "dns.h"
#include "render.h"
#include "transport.h"

#define MAX_TARGETS	TRANSPORT_MAX_HOSTS

enum {
	OPT_HELO = CLI_OPT__NEXT, OPT_SMTP_TIMEOUT, OPT_CA_FILE, OPT_PORT,
	OPT_IMPLICIT_TLS, OPT_STRICT, OPT_TLSA, OPT_TRUST_ANCHOR, OPT_NO_DNSSEC
};

static const struct option smtp_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "smtp-timeout", required_argument, NULL, OPT_SMTP_TIMEOUT },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "implicit-tls", no_argument, NULL, OPT_IMPLICIT_TLS },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "tlsa", required_argument, NULL, OPT_TLSA },
	{ "trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR },
	{ "no-dnssec", no_argument, NULL, OPT_NO_DNSSEC },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const struct cli_optval smtp_values[] = {
	CLI_COMMON_VALUES,
	{ "ca-file", CLI_VAL_FILE, NULL },
	{ "trust-anchor", CLI_VAL_FILE, NULL },
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_smtp_spec = {
	":h", smtp_longopts, smtp_values, CLI_VAL_TEXT, NULL
};

static const char smtp_help[] =
"Usage: authcheck smtp DOMAIN|HOST[:PORT]... [OPTIONS]\n"
"\n"
"Probe mail servers: TCP connect time, the greeting, EHLO and its\n"
"extensions, STARTTLS (or implicit TLS on port 465) with the protocol,\n"
"cipher, certificate chain, its verification and name, then QUIT.  Never\n"
"MAIL FROM or RCPT TO: no mail is sent.  A DOMAIN without a port means\n"
"its MX hosts on port 25; HOST:587 and HOST:465 probe submission ports\n"
"(AUTH offered before TLS is a finding).  Up to 4 addresses per host.\n"
"\n"
"      --helo NAME        the EHLO name (default: this machine's FQDN)\n"
"      --smtp-timeout SEC seconds per SMTP step (default 10)\n"
"      --ca-file FILE     trust the CAs in FILE (PEM) instead of the system's\n"
"      --port PORT        the port of targets given without one (default 25)\n"
"      --implicit-tls     start with TLS on every port (as on 465)\n"
"      --strict           exit 1 on warnings too\n"
"      --tlsa 'U S M HEX' match against this TLSA record instead of DNS's\n"
"                         (repeatable): test records before publishing them\n"
"      --trust-anchor FILE validate the TLSA answers (DNSSEC) from the DS or\n"
"                         DNSKEY records in FILE (default: " DNSSEC_DEFAULT_ANCHOR ")\n"
"      --no-dnssec        do not validate DNSSEC\n";

static const char smtp_exit_help[] =
"\n"
"Exit status: 0 no error findings; 1 error findings (--strict: or\n"
"warnings); 2 bad usage; 3 a DNS query failed or the probe could not run.\n";

struct target {
	char name[256];
	unsigned port;			/* 0: a mail domain (MX) */
	struct ipaddr lit;		/* an address literal */
	bool is_lit;
	struct dns_query *q_mx, *q_a, *q_aaaa;
	struct dane_lookup *dl;		/* its own TLSA (HOST:PORT, or the
					 * implicit MX) */
	struct dane_lookup *mxdl[MX_MAX_HOSTS];	/* its MX hosts' */
};

/* The TLSA of one host: from DNS, or the --tlsa records.  NULL when
 * memory ran out (said on stderr). */
static struct dane_lookup *
tlsa_of(struct dns_resolver *r, const char *prog, const char *host,
    unsigned port, const char *const *given, size_t ngiven)
{
	struct dane_lookup *dl = calloc(1, sizeof(*dl));
	char err[200];

	if (dl == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	if (ngiven > 0) {
		if (dane_lookup_given(dl, host, port, given, ngiven, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			dane_lookup_free(dl);
			free(dl);
			return NULL;
		}
	} else if (dane_lookup_start(r, host, port, dl, NULL, NULL) != 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;	/* its callbacks may still run: kept */
	}
	return dl;
}

static void
targets_free(struct target *tg, size_t n)
{
	for (size_t i = 0; tg != NULL && i < n; i++) {
		dane_lookup_free(tg[i].dl);
		free(tg[i].dl);
		for (size_t k = 0; k < MX_MAX_HOSTS; k++) {
			dane_lookup_free(tg[i].mxdl[k]);
			free(tg[i].mxdl[k]);
		}
	}
}

/* "[v6]:port", "v4:port", "name:port", "v6", "v4", "name". */
/* DNSSEC verdicts for what DANE relies on (RFC 7672 §2.2): each
 * lookup's TLSA answers and its host's addresses, every chain question
 * at once, then the verdicts into the lookups. */
static void
validate_dane(struct dnssec_ctx *v, struct dns_resolver *r,
    struct dane_lookup *const *dl, size_t n)
{
	static const uint16_t types[] = { DNS_T_TLSA, DNS_T_TLSA, DNS_T_A,
	    DNS_T_AAAA };

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			const char *names[4];

			if (dl[i] == NULL || dl[i]->given ||
			    !dane_has_tlsa(dl[i]))
				continue;
			names[0] = dl[i]->orig.asked ? dl[i]->orig.qname : NULL;
			names[1] = dl[i]->canon.asked ? dl[i]->canon.qname :
			    NULL;
			names[2] = names[3] = dl[i]->host;
			for (size_t k = 0; k < 4; k++) {
				struct dns_query *q;

				if (names[k] == NULL || (q = dns_find(r,
				    names[k], types[k])) == NULL)
					continue;
				if (pass == 0)
					(void)dnssec_prepare(v, q);
				else
					(void)dnssec_validate(v, q);
			}
		}
		if (pass == 0)
			dns_run(r);
	}
	for (size_t i = 0; i < n; i++)
		dane_lookup_refresh(dl[i], r);
}

static bool
parse_target(const char *s, struct target *t)
{
	const char *colon, *host = s, *port = NULL;
	size_t hlen = strlen(s);
	unsigned long pv;

	memset(t, 0, sizeof(*t));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return false;
		host = s + 1;
		hlen = (size_t)(close - host);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return false;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		hlen = (size_t)(colon - s);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(t->name))
		return false;
	memcpy(t->name, host, hlen);
	t->name[hlen] = '\0';
	hlen = dns_name_trim(t->name, hlen);
	t->name[hlen] = '\0';
	if (port != NULL) {
		if (!cli_parse_uint(port, 65535, &pv) || pv == 0)
			return false;
		t->port = (unsigned)pv;
	}
	if (ip_parse(t->name, hlen, &t->lit)) {
		t->is_lit = true;
		return true;
	}
	return s[0] != '[' && dns_name_valid(t->name, hlen) &&
	    strchr(t->name, '.') != NULL;
}

static size_t
addrs_of(const struct dns_query *qa, const struct dns_query *qaaaa,
    struct ipaddr *out, size_t max, bool *failed)
{
	const struct dns_query *qs[2] = { qa, qaaaa };
	size_t n = 0;

	for (int k = 0; k < 2; k++) {
		const struct dns_answer *a = qs[k] ? dns_answer(qs[k]) : NULL;

		if (a == NULL)
			continue;
		if (a->status != DNS_OK && a->status != DNS_NXDOMAIN &&
		    a->status != DNS_NODATA)
			*failed = true;
		for (size_t i = 0; i < a->nrr && n < max; i++)
			if (a->rr[i].type == DNS_T_A || a->rr[i].type ==
			    DNS_T_AAAA)
				out[n++] = a->rr[i].u.addr;
	}
	return n;
}

int
cmd_smtp(int argc, char **argv)
{
	const char *prog = argv[0];
	struct cli_common c;
	struct target *tg = NULL;
	size_t ntg = 0;
	struct dns_resolver *r = NULL;
	struct transport_result *t = NULL;
	struct smtp_opts so;
	struct diag_sink sink;
	struct dns_query *mxq[MAX_TARGETS][2 * MX_MAX_HOSTS];
	char helo[256] = "", mxnames[MAX_TARGETS][MX_MAX_HOSTS][256];
	size_t nmx[MAX_TARGETS];
	const char *ca_file = NULL, *helo_opt = NULL;
	const char *tlsa[DANE_MAX_TLSA];
	size_t ntlsa = 0;
	double timeout = 0;
	unsigned dport = 25;
	bool implicit = false, strict = false, incomplete = false;
	bool dnssec = true;
	const char *anchor = NULL, *dnssec_skipped = NULL;
	struct dnssec_ctx *dv = NULL;
	char err[300];
	int opt, rc = CLI_EXIT_USAGE;

	cli_common_init(&c);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_smtp_spec.shortopts,
	    smtp_longopts, NULL)) != -1) {
		unsigned long pv;

		switch (opt) {
		case 'h':
			fputs(smtp_help, stdout);
			fputs(cli_common_help, stdout);
			fputs(smtp_exit_help, stdout);
			return CLI_EXIT_OK;
		case OPT_HELO:
			if (strlen(optarg) == 0 || strlen(optarg) > 253 ||
			    !dns_name_valid(optarg, strlen(optarg)))
				return cli_usage_error(prog, "--helo: '%s' is "
				    "not a host name", optarg);
			helo_opt = optarg;
			continue;
		case OPT_SMTP_TIMEOUT:
			if (!cli_parse_seconds(optarg, 600, &timeout) ||
			    timeout <= 0)
				return cli_usage_error(prog, "--smtp-timeout "
				    "must be seconds (0 < SEC <= 600), not "
				    "'%s'", optarg);
			continue;
		case OPT_CA_FILE:
			if (access(optarg, R_OK) != 0)
				return cli_usage_error(prog, "--ca-file %s: %s",
				    optarg, strerror(errno));
			ca_file = optarg;
			continue;
		case OPT_PORT:
			if (!cli_parse_uint(optarg, 65535, &pv) || pv == 0)
				return cli_usage_error(prog, "--port must be a "
				    "port number, not '%s'", optarg);
			dport = (unsigned)pv;
			continue;
		case OPT_IMPLICIT_TLS:
			implicit = true;
			continue;
		case OPT_STRICT:
			strict = true;
			continue;
		case OPT_TRUST_ANCHOR:
			if (access(optarg, R_OK) != 0)
				return cli_usage_error(prog, "--trust-anchor "
				    "%s: %s", optarg, strerror(errno));
			anchor = optarg;
			continue;
		case OPT_NO_DNSSEC:
			dnssec = false;
			continue;
		case OPT_TLSA: {
			struct dns_rr rr;
			uint8_t *b = malloc(DNS_TLSA_MAX_DATA);
			const char *why = b == NULL ? "out of memory" :
			    dns_tlsa_parse(optarg, strlen(optarg), &rr, b,
			    DNS_TLSA_MAX_DATA);

			free(b);
			if (why != NULL)
				return cli_usage_error(prog, "--tlsa '%s': %s "
				    "(want 'USAGE SELECTOR MTYPE HEX', e.g. "
				    "'3 1 1 0a1b...')", optarg, why);
			if (ntlsa == DANE_MAX_TLSA)
				return cli_usage_error(prog, "at most %d --tlsa "
				    "records", DANE_MAX_TLSA);
			tlsa[ntlsa++] = optarg;
			continue;
		}
		default:
			break;
		}
		if (cli_common_opt(&c, prog, opt, optarg, argv[optind - 1]) < 0)
			return CLI_EXIT_USAGE;
	}
	if (optind == argc)
		return cli_usage_error(prog, "DOMAIN or HOST[:PORT] is required");
	if ((size_t)(argc - optind) > MAX_TARGETS)
		return cli_usage_error(prog, "at most %d targets", MAX_TARGETS);
	if ((tg = calloc((size_t)(argc - optind), sizeof(*tg))) == NULL ||
	    (t = calloc(1, sizeof(*t))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	for (int i = optind; i < argc; i++, ntg++)
		if (!parse_target(argv[i], &tg[ntg])) {
			fprintf(stderr, "%s: '", prog);
			cli_put_safe(stderr, argv[i]);
			fprintf(stderr, "' is not DOMAIN, HOST:PORT or "
			    "ADDRESS[:PORT]\nTry '%s --help'.\n", prog);
			goto out;
		}
	/* The records given are matched for a host name (the TLSA base);
	 * an address has none. */
	for (size_t i = 0; i < ntg && ntlsa > 0; i++)
		if (tg[i].is_lit) {
			rc = cli_usage_error(prog, "--tlsa needs host names "
			    "(the TLSA base domain), not the address '%s'",
			    tg[i].name);
			goto out;
		}
	if ((r = cli_resolver_new(&c, prog)) == NULL)
		goto out;
	/* Before the first question: validation asks with the DO bit.
	 * Records given with --tlsa need none. */
	if (ntlsa == 0 && (dv = dnssec_open(r, dnssec, c.nzones > 0, anchor,
	    &dnssec_skipped, err, sizeof(err))) == NULL &&
	    dnssec_skipped == NULL) {
		fprintf(stderr, "%s: --trust-anchor: %s\n", prog, err);
		goto out;
	}
	/* Wave 1: MX of the domains, A and AAAA of every name. */
	for (size_t i = 0; i < ntg; i++) {
		if (tg[i].is_lit)
			continue;
		if (tg[i].port == 0)
			tg[i].q_mx = dns_submit(r, tg[i].name, DNS_T_MX, NULL,
			    NULL);
		tg[i].q_a = dns_submit(r, tg[i].name, DNS_T_A, NULL, NULL);
		tg[i].q_aaaa = dns_submit(r, tg[i].name, DNS_T_AAAA, NULL,
		    NULL);
		/* A host's TLSA with its addresses (a domain's: with its
		 * MX hosts', or its own when it has none). */
		if (tg[i].port != 0 && (tg[i].dl = tlsa_of(r, prog,
		    tg[i].name, tg[i].port, tlsa, ntlsa)) == NULL)
			goto out;
	}
	dns_run(r);
	/* Wave 2: the MX hosts' addresses. */
	for (size_t i = 0; i < ntg; i++) {
		const struct dns_answer *a = tg[i].q_mx ?
		    dns_answer(tg[i].q_mx) : NULL;

		nmx[i] = 0;
		if (a == NULL)
			continue;
		if (a->nrr == 0 && (tg[i].dl = tlsa_of(r, prog, tg[i].name,
		    25, tlsa, ntlsa)) == NULL)
			goto out;
		if (a->status != DNS_OK && a->status != DNS_NXDOMAIN &&
		    a->status != DNS_NODATA)
			incomplete = true;
		for (size_t k = 0; k < a->nrr && nmx[i] < MX_MAX_HOSTS; k++) {
			const char *h = a->rr[k].u.mx.host;

			if (a->rr[k].type != DNS_T_MX || h == NULL ||
			    h[0] == '\0' || strlen(h) >= 256)
				continue;
			snprintf(mxnames[i][nmx[i]], 256, "%s", h);
			mxq[i][2 * nmx[i]] = dns_submit(r, h, DNS_T_A, NULL,
			    NULL);
			mxq[i][2 * nmx[i] + 1] = dns_submit(r, h, DNS_T_AAAA,
			    NULL, NULL);
			if (!mx_is_ip_literal(h, strlen(h)) &&
			    (tg[i].mxdl[nmx[i]] = tlsa_of(r, prog, h, 25, tlsa,
			    ntlsa)) == NULL)
				goto out;
			nmx[i]++;
		}
	}
	dns_run(r);
	if (dv != NULL) {
		struct dane_lookup *dls[MAX_TARGETS * (MX_MAX_HOSTS + 1)];
		size_t ndl = 0;

		for (size_t i = 0; i < ntg; i++) {
			dls[ndl++] = tg[i].dl;
			for (size_t k = 0; k < nmx[i]; k++)
				dls[ndl++] = tg[i].mxdl[k];
		}
		validate_dane(dv, r, dls, ndl);
		if (dnssec_run_problem(dv) != NULL)
			fprintf(stderr, "%s: DNSSEC not validated: %s "
			    "(--no-dnssec skips validation)\n", prog,
			    dnssec_run_problem(dv));
	}
	area_result_init(&t->area);
	transport_init(t, NULL);
	t->report_unresolved = true;
	for (size_t i = 0; i < ntg; i++) {
		struct ipaddr ips[MX_MAX_ADDRS];
		bool failed = false;
		size_t n;
		int arc = 0;

		if (tg[i].is_lit) {
			arc = transport_add_host(t, tg[i].name, tg[i].port ?
			    tg[i].port : dport, implicit, tg[i].port != 0 &&
			    tg[i].port != 25, &tg[i].lit, 1, NULL);
		} else if (nmx[i] > 0) {
			for (size_t k = 0; k < nmx[i] && arc == 0; k++) {
				failed = false;
				n = addrs_of(mxq[i][2 * k], mxq[i][2 * k + 1],
				    ips, MX_MAX_ADDRS, &failed);
				incomplete = incomplete || failed;
				arc = transport_add_host(t, mxnames[i][k],
				    dport, implicit, false, ips, n, n ? NULL :
				    failed ? "its address lookups failed" :
				    "no address");
				if (arc == 0)
					transport_host_dane(t, t->nhost - 1,
					    tg[i].mxdl[k]);
			}
		} else {
			n = addrs_of(tg[i].q_a, tg[i].q_aaaa, ips,
			    MX_MAX_ADDRS, &failed);
			incomplete = incomplete || failed;
			arc = transport_add_host(t, tg[i].name, tg[i].port ?
			    tg[i].port : dport, implicit, tg[i].port != 0 &&
			    tg[i].port != 25, ips, n, n ? NULL :
			    failed ? "its address lookups failed" :
			    "no address");
			if (arc == 0)
				transport_host_dane(t, t->nhost - 1, tg[i].dl);
		}
		if (arc < 0) {
			fprintf(stderr, "%s: out of memory\n", prog);
			goto out;
		}
	}
	if (helo_opt != NULL)
		snprintf(helo, sizeof(helo), "%s", helo_opt);
	else
		smtp_default_helo(helo, sizeof(helo));
	memset(&so, 0, sizeof(so));
	so.helo = helo;
	so.timeout = timeout;
	so.ca_file = ca_file;
	(void)transport_probe_all(&t, 1, &so);
	diag_sink_init(&sink, diag_list_add, &t->area.findings);
	transport_judge(t, NULL, &sink);
	incomplete = incomplete || t->area.incomplete;
	if (c.format == CLI_FMT_JSON) {
		if (render_json_smtp(stdout, t) != 0)
			fprintf(stderr, "%s: out of memory writing JSON\n",
			    prog);
	} else {
		struct render_style st;

		render_style_init(&st, cli_use_color(&c));
		render_text_transport(stdout, t, &st);
		if (t->area.findings.n == 0)
			fprintf(stdout, "  %sno problems found%s\n", st.green,
			    st.reset);
		else
			render_text_finding_list(stdout, &t->area.findings,
			    st.color, "  ");
	}
	rc = cli_check_status(incomplete, sink.count[DIAG_ERROR] +
	    (strict ? sink.count[DIAG_WARNING] : 0));
	rc = cli_finish(prog, rc);
out:
	if (t != NULL)
		transport_result_free(t);
	free(t);
	targets_free(tg, ntg);
	free(tg);
	dnssec_free(dv);
	dns_free(r);
	return rc;
}
