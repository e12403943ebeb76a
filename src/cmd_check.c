/*
 * cmd_check.c -- `authcheck [check] DOMAIN...`: the full report of every
 * domain named on the command line or in --domains FILE|-.
 *
 * Domains are checked in batches of CHECK_BATCH on one resolver (so
 * providers shared between domains are asked about once); inside a batch
 * every check of every domain runs at once.  Reports come out in input
 * order, a batch at a time, so a long list streams.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "cli.h"
#include "dns.h"
#include "providers.h"
#include "render.h"

#define CHECK_BATCH	64	/* domains in flight at once */
#define MAX_DOMAINS	1000000	/* names read from --domains */
#define MAX_COMMON	64	/* common DKIM selectors read from data/ */

enum {
	OPT_DOMAINS = CLI_OPT__NEXT, OPT_IP, OPT_NO_HTTPS, OPT_CA_FILE,
	OPT_STRICT, OPT_STATS, OPT_NO_SMTP, OPT_HELO, OPT_SMTP_TIMEOUT,
	OPT_SMTP_PORT
};

static const struct option check_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "selector", required_argument, NULL, 's' },
	{ "domains", required_argument, NULL, OPT_DOMAINS },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "no-https", no_argument, NULL, OPT_NO_HTTPS },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "no-smtp", no_argument, NULL, OPT_NO_SMTP },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "smtp-timeout", required_argument, NULL, OPT_SMTP_TIMEOUT },
	{ "smtp-port", required_argument, NULL, OPT_SMTP_PORT },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const char check_help[] =
"Usage: authcheck [check] DOMAIN... [OPTIONS]\n"
"       authcheck [check] --domains FILE|- [OPTIONS]\n"
"\n"
"Check everything that decides whether DOMAIN's mail is trusted: the SPF\n"
"include tree and its lookup limits, DMARC, DKIM keys (named selectors,\n"
"those of recognised providers, common names), MX and reverse DNS,\n"
"MTA-STS (policy fetched over HTTPS), TLS-RPT, BIMI, and the transport:\n"
"an SMTP probe of every MX address (greeting, EHLO, STARTTLS, the\n"
"certificate; then QUIT, never a mail).  Prints a verdict and a 0-100\n"
"score per domain, then every finding with its fix.  Many domains are\n"
"checked at once.\n"
"\n"
"  -s, --selector NAME    DKIM selector to check (repeatable); without\n"
"                         one, selectors are discovered\n"
"      --domains FILE     read domains from FILE ('-': standard input), one\n"
"                         per line; '#' starts a comment\n"
"      --ip ADDR          a sending address whose reverse DNS (PTR and\n"
"                         forward confirmation) is checked (repeatable)\n"
"      --no-https         do not fetch MTA-STS policies\n"
"      --ca-file FILE     trust the CAs in FILE (PEM) for MTA-STS policies\n"
"                         and the MX certificates\n"
"      --no-smtp          do not probe the MX hosts (no connection to port 25)\n"
"      --helo NAME        the EHLO name of the probe (default: this machine's\n"
"                         fully qualified name)\n"
"      --smtp-timeout SEC seconds per SMTP step (default 10)\n"
"      --smtp-port PORT   probe PORT instead of 25, loopback addresses\n"
"                         included (test servers; also with --zone)\n"
"      --strict           exit 1 on warnings too\n"
"      --stats            print query counts and the cache hit rate to\n"
"                         standard error at the end\n";

static const char check_exit_help[] =
"\n"
"Exit status: 0 no error findings; 1 error findings (--strict: or\n"
"warnings); 2 bad usage, a bad domain name or unreadable input; 3 a DNS\n"
"query failed (results incomplete).\n";

static void
check_usage(FILE *out)
{
	fputs(check_help, out);
	fputs(cli_common_help, out);
	fputs(check_exit_help, out);
}

/* A growable list of strings, bounded. */
struct strlist {
	char **v;
	size_t n, cap, max;
};

static int
strlist_add(struct strlist *l, const char *p, size_t len)
{
	char **nv;

	if (l->n == l->max)
		return 1;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;

		if ((nv = realloc(l->v, ncap * sizeof(*nv))) == NULL)
			return -1;
		l->v = nv;
		l->cap = ncap;
	}
	if ((l->v[l->n] = buf_strndup(p, len)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static void
strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Read a list file: one entry per line, '#' to the end of the line is a
 * comment, surrounding blanks ignored.  A line longer than `linemax` is an
 * error (never silently cut).  Returns 0, or -1 with a message on stderr.
 */
static int
read_list(const char *prog, const char *path, FILE *f, size_t linemax,
    struct strlist *out)
{
	char line[1100];
	unsigned long lineno = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line), s = 0, e;
		char *hash;

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n' &&
		    !feof(f)) {
			fprintf(stderr, "%s: %s:%lu: line too long\n", prog,
			    path, lineno);
			return -1;
		}
		if ((hash = memchr(line, '#', len)) != NULL)
			len = (size_t)(hash - line);
		while (s < len && is_space(line[s]))
			s++;
		e = len;
		while (e > s && is_space(line[e - 1]))
			e--;
		if (e == s)
			continue;
		if (e - s > linemax) {
			fprintf(stderr, "%s: %s:%lu: '%.40s...' is too long\n",
			    prog, path, lineno, line + s);
			return -1;
		}
		switch (strlist_add(out, line + s, e - s)) {
		case 0:
			break;
		case 1:
			fprintf(stderr, "%s: %s: more than %zu entries\n", prog,
			    path, out->max);
			return -1;
		default:
			fprintf(stderr, "%s: out of memory\n", prog);
			return -1;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
read_domains(const char *prog, const char *path, struct strlist *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc;

	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	rc = read_list(prog, strcmp(path, "-") == 0 ? "standard input" : path,
	    f, 254, out);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* The common selector names shipped in data/dkim-selectors.txt (next to
 * the provider templates).  Missing file: discovery uses providers only. */
static void
read_common_selectors(const char *prog, struct strlist *out)
{
	struct buf path;
	const char *dir = providers_default_dir();
	const char *slash = strrchr(dir, '/');
	FILE *f;

	buf_init(&path, 4096);
	if (slash != NULL)
		buf_add(&path, dir, (size_t)(slash - dir));
	else
		buf_adds(&path, ".");
	buf_adds(&path, "/dkim-selectors.txt");
	if (!path.err && (f = fopen(buf_str(&path), "r")) != NULL) {
		if (read_list(prog, buf_str(&path), f, 63, out) != 0)
			strlist_free(out);
		fclose(f);
	}
	buf_free(&path);
}

struct check_args {
	struct cli_common c;
	struct strlist domains;
	struct strlist selectors;
	struct ipaddr ips[64];
	size_t nips;
	bool https, strict, stats, smtp;
	const char *ca_file;
	const char *helo;
	double smtp_timeout;
	unsigned smtp_port;
};

/* The bytes of a host name as mail domains use them (LDH, and '_' for
 * names such as _dmarc); anything else in a domain list is a mistake, and
 * must not reach a terminal. */
static bool
host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* A usage error about a name from the command line or a list, which is
 * shown with its control bytes escaped. */
static int
bad_domain(const char *prog, const char *d, const char *why)
{
	fprintf(stderr, "%s: '", prog);
	cli_put_safe(stderr, d);
	fprintf(stderr, "' %s\nTry '%s --help'.\n", why, prog);
	return CLI_EXIT_USAGE;
}

/* Parse argv.  Returns -1 to go on, else an exit status. */
static int
parse_args(int argc, char **argv, struct check_args *A)
{
	const char *prog = argv[0];
	const char *domains_file = NULL;
	int opt;

	cli_common_init(&A->c);
	A->https = true;
	A->smtp = true;
	A->domains.max = MAX_DOMAINS;
	A->selectors.max = DKIM_MAX_SELECTORS / 2;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hs:", check_longopts,
	    NULL)) != -1) {
		switch (opt) {
		case 'h':
			check_usage(stdout);
			return CLI_EXIT_OK;
		case 's':
			if (strlen(optarg) == 0 || strlen(optarg) > 63 ||
			    !dns_name_valid(optarg, strlen(optarg)))
				return cli_usage_error(prog, "bad selector "
				    "'%s'", optarg);
			if (strlist_add(&A->selectors, optarg,
			    strlen(optarg)) != 0)
				return cli_usage_error(prog, "at most %zu "
				    "selectors", A->selectors.max);
			continue;
		case OPT_DOMAINS:
			if (domains_file != NULL)
				return cli_usage_error(prog, "--domains may "
				    "be given once");
			domains_file = optarg;
			continue;
		case OPT_IP:
			if (A->nips == sizeof(A->ips) / sizeof(A->ips[0]))
				return cli_usage_error(prog, "at most %zu "
				    "--ip addresses", A->nips);
			if (!ip_parse(optarg, strlen(optarg),
			    &A->ips[A->nips]))
				return cli_usage_error(prog, "--ip: '%s' is "
				    "not an IPv4 or IPv6 address", optarg);
			A->nips++;
			continue;
		case OPT_NO_HTTPS:
			A->https = false;
			continue;
		case OPT_CA_FILE:
			if (access(optarg, R_OK) != 0)
				return cli_usage_error(prog, "--ca-file %s: %s",
				    optarg, strerror(errno));
			A->ca_file = optarg;
			continue;
		case OPT_STRICT:
			A->strict = true;
			continue;
		case OPT_STATS:
			A->stats = true;
			continue;
		case OPT_NO_SMTP:
			A->smtp = false;
			continue;
		case OPT_HELO:
			if (strlen(optarg) == 0 || strlen(optarg) > 253 ||
			    !dns_name_valid(optarg, strlen(optarg)))
				return cli_usage_error(prog, "--helo: '%s' is "
				    "not a host name", optarg);
			A->helo = optarg;
			continue;
		case OPT_SMTP_TIMEOUT:
			if (!cli_parse_seconds(optarg, 600, &A->smtp_timeout) ||
			    A->smtp_timeout <= 0)
				return cli_usage_error(prog, "--smtp-timeout "
				    "must be seconds (0 < SEC <= 600), not "
				    "'%s'", optarg);
			continue;
		case OPT_SMTP_PORT: {
			unsigned long port;

			if (!cli_parse_uint(optarg, 65535, &port) || port == 0)
				return cli_usage_error(prog, "--smtp-port must "
				    "be a port number, not '%s'", optarg);
			A->smtp_port = (unsigned)port;
			continue;
		}
		default:
			break;
		}
		if (cli_common_opt(&A->c, prog, opt, optarg,
		    argv[optind - 1]) < 0)
			return CLI_EXIT_USAGE;
	}
	for (; optind < argc; optind++)
		if (strlist_add(&A->domains, argv[optind],
		    strlen(argv[optind])) != 0)
			return cli_usage_error(prog, "out of memory");
	if (domains_file != NULL &&
	    read_domains(prog, domains_file, &A->domains) != 0)
		return CLI_EXIT_USAGE;
	if (A->domains.n == 0)
		return cli_usage_error(prog, domains_file != NULL ?
		    "%s holds no domain" : "DOMAIN is required%s",
		    domains_file != NULL ? domains_file : "");
	/* Every name is checked before any DNS work: a typo in a long list
	 * should not cost the whole run. */
	for (size_t i = 0; i < A->domains.n; i++) {
		const char *d = A->domains.v[i];
		size_t len = strlen(d);

		if (len > 1 && d[len - 1] == '.')
			len--;
		for (size_t k = 0; k < len; k++)
			if (!host_char(d[k]))
				return bad_domain(prog, d, "is not a host name: "
				    "letters, digits, '-', '_' and '.' only (an "
				    "international name in its xn-- form)");
		if (len == 0 || len > 253 || !dns_name_valid(d, len) ||
		    memchr(d, '.', len) == NULL)
			return bad_domain(prog, d, "is not a domain name (nor "
			    "a command)");
	}
	return -1;
}

int
cmd_check(int argc, char **argv)
{
	const char *prog = argv[0];
	struct check_args A;
	struct check_opts o;
	struct check_result *res = NULL;
	struct dns_resolver *r = NULL;
	struct provider_set *ps = NULL;
	struct strlist common;
	char err[512], helo[256] = "localhost";
	const char *env;
	unsigned long errors = 0, warnings = 0;
	bool incomplete = false, color, progress, said_blocked = false;
	int rc;

	memset(&A, 0, sizeof(A));
	memset(&common, 0, sizeof(common));
	common.max = MAX_COMMON;
	if ((rc = parse_args(argc, argv, &A)) >= 0)
		goto out;
	rc = CLI_EXIT_USAGE;
	if ((ps = providers_load(NULL, err, sizeof(err))) == NULL)
		fprintf(stderr, "%s: provider templates not loaded (%s): DKIM "
		    "selectors of providers are not discovered\n", prog, err);
	read_common_selectors(prog, &common);
	if ((r = cli_resolver_new(&A.c, prog)) == NULL)
		goto out;
	memset(&o, 0, sizeof(o));
	o.selectors = (const char *const *)A.selectors.v;
	o.nselectors = A.selectors.n;
	o.send_ips = A.ips;
	o.nsend_ips = A.nips;
	o.providers = ps;
	o.common_selectors = (const char *const *)common.v;
	o.ncommon = common.n;
	o.https = A.https;
	o.ca_file = A.ca_file;
	o.https_timeout = A.c.timeout > 0 ? A.c.timeout * 5 : 0;
	/* The probe reaches out to the MX hosts, so it never runs where
	 * the answers are not the Internet's: with --zone it is skipped
	 * unless --smtp-port points it at (loopback) test servers. */
	if (!A.smtp)
		o.smtp_skipped = "--no-smtp";
	else if (A.c.nzones > 0 && A.smtp_port == 0)
		o.smtp_skipped = "DNS answers come from zone files (--zone); "
		    "--smtp-port PORT probes test servers";
	o.transport.port = A.smtp_port;
	o.transport.allow_loopback = A.smtp_port != 0;
	if (A.helo != NULL)
		snprintf(helo, sizeof(helo), "%s", A.helo);
	else if (o.smtp_skipped == NULL)
		smtp_default_helo(helo, sizeof(helo));
	o.smtp.helo = helo;
	o.smtp.timeout = A.smtp_timeout;
	o.smtp.ca_file = A.ca_file;
	if ((env = getenv("AUTHCHECK_HTTPS_PORT")) != NULL && env[0] != '\0') {
		unsigned long port;

		/* For tests: a policy server on a high loopback port. */
		if (!cli_parse_uint(env, 65535, &port) || port == 0) {
			fprintf(stderr, "%s: AUTHCHECK_HTTPS_PORT must be a port "
			    "number, not '%s'\n", prog, env);
			goto out;
		}
		o.https_port = (unsigned)port;
	}
	if ((res = calloc(CHECK_BATCH, sizeof(*res))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	color = cli_use_color(&A.c);
	progress = A.domains.n > CHECK_BATCH && isatty(STDERR_FILENO);
	for (size_t at = 0; at < A.domains.n; at += CHECK_BATCH) {
		size_t n = A.domains.n - at < CHECK_BATCH ?
		    A.domains.n - at : CHECK_BATCH;

		if (check_run(r, (const char *const *)A.domains.v + at, n, &o,
		    res) != 0)
			fprintf(stderr, "%s: out of memory: some results "
			    "are partial\n", prog);
		for (size_t i = 0; i < n; i++) {
			if (A.c.format == CLI_FMT_JSON) {
				if (render_json_check(stdout, &res[i]) != 0)
					fprintf(stderr, "%s: %s: out of memory "
					    "writing JSON\n", prog,
					    res[i].domain);
			} else {
				render_text_check(stdout, &res[i], color);
			}
			if (res[i].transport.port25_blocked &&
			    !said_blocked) {
				/* once per run, where the user looks */
				fprintf(stderr, "%s: every SMTP connection "
				    "timed out: outbound port %u is probably "
				    "blocked on this network (--no-smtp skips "
				    "the probe)\n", prog, A.smtp_port ?
				    A.smtp_port : 25);
				said_blocked = true;
			}
			errors += res[i].count[DIAG_ERROR];
			warnings += res[i].count[DIAG_WARNING];
			incomplete = incomplete || res[i].incomplete ||
			    res[i].oom;
			check_free(&res[i]);
		}
		if (progress)
			fprintf(stderr, "%s: %zu of %zu domains checked\r",
			    prog, at + n, A.domains.n);
	}
	if (progress)
		fputc('\n', stderr);
	if (A.stats) {
		const struct dns_stats *st = dns_stats(r);

		fprintf(stderr, "%s: %zu domain(s): %lu questions, %lu answered "
		    "from the cache (%.1f%%), %lu queries sent, %lu packets, "
		    "%lu TCP, %lu timeouts, at most %lu in flight\n", prog,
		    A.domains.n, st->submitted, st->cache_hits,
		    st->submitted ? 100.0 * (double)st->cache_hits /
		    (double)st->submitted : 0.0, st->queries, st->packets,
		    st->tcp, st->timeouts, st->in_flight_max);
	}
	rc = cli_check_status(incomplete, errors +
	    (A.strict ? warnings : 0));
	rc = cli_finish(prog, rc);
out:
	free(res);
	dns_free(r);
	providers_free(ps);
	strlist_free(&common);
	strlist_free(&A.domains);
	strlist_free(&A.selectors);
	return rc;
}
