/*
 * cmd_check.c -- `authcheck [check] DOMAIN...`: the full report of every
 * domain named on the command line or in --domains FILE|-.
 *
 * Domains are checked in batches of CHECK_BATCH on one resolver (so
 * providers shared between domains are asked about once); inside a batch
 * every check of every domain runs at once, and CHECK_AHEAD batches are
 * in flight together (DNS tags, dns_tag()) so that one batch's last
 * round trips overlap the next ones' work.  Reports come out in input
 * order, a batch at a time, so a long list streams; every CHECK_ERA
 * batches the resolver forgets its answers, so memory stays flat.
 *
 * A run over many domains can also write CSV (--format csv), one HTML page
 * (--html), compare with an earlier JSON run (--baseline), continue a run
 * that was stopped (--resume) and take one shard of the list (--shard);
 * text output ends with a summary table, worst first.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "ascii.h"
#include "baseline.h"
#include "blocklist.h"
#include "buf.h"
#include "check.h"
#include "cli.h"
#include "dns.h"
#include "providers.h"
#include "render.h"
#include "render_hub.h"

#define CHECK_BATCH	256	/* domains started together.  Each batch pays
				 * its deepest dependency chain (~6 round
				 * trips) at its end, and runs the SMTP probe
				 * and the policy fetch once (each run loads
				 * the CA store: fewer, larger batches); */
#define CHECK_AHEAD	2	/* ... batches in flight at once hide the
				 * chain: while the older waits for its last
				 * answers, the other keeps the window full
				 * (at 20 ms per query one batch of 64 at a
				 * time made ~230/s, of 256 ~500/s;
				 * tests/bench/README.md) */
#define CHECK_ERA	8	/* batches sharing one cache (2048 domains):
				 * then the pipeline drains (one dependency
				 * chain, ~150 ms at 20 ms per query) and
				 * dns_forget() empties it: flat memory */
_Static_assert(CHECK_AHEAD <= DNS_TAGS, "batches in flight need a DNS tag "
    "each");
#define MAX_DOMAINS	1000000	/* names read from --domains */
#define MAX_COMMON	64	/* common DKIM selectors read from data/ */
#define SUMMARY_ROWS	1000	/* rows of the text summary table */

enum {
	OPT_DOMAINS = CLI_OPT__NEXT, OPT_IP, OPT_NO_HTTPS, OPT_CA_FILE,
	OPT_STRICT, OPT_STATS, OPT_HTML, OPT_BASELINE, OPT_RESUME, OPT_SHARD,
	OPT_NO_SMTP, OPT_HELO, OPT_SMTP_TIMEOUT, OPT_SMTP_PORT,
	OPT_TRUST_ANCHOR, OPT_NO_DNSSEC,
	OPT_REPUTATION, OPT_BLOCKLISTS, OPT_DQS_KEY,
	OPT_DKIM_DISCOVERY
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
	{ "html", required_argument, NULL, OPT_HTML },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "no-smtp", no_argument, NULL, OPT_NO_SMTP },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "smtp-timeout", required_argument, NULL, OPT_SMTP_TIMEOUT },
	{ "smtp-port", required_argument, NULL, OPT_SMTP_PORT },
	{ "trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR },
	{ "no-dnssec", no_argument, NULL, OPT_NO_DNSSEC },
	{ "reputation", no_argument, NULL, OPT_REPUTATION },
	{ "blocklists", required_argument, NULL, OPT_BLOCKLISTS },
	{ "dqs-key", required_argument, NULL, OPT_DQS_KEY },
	{ "dkim-discovery", required_argument, NULL, OPT_DKIM_DISCOVERY },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* --dkim-discovery, in enum check_dkim_discovery order. */
static const char *const dkim_discovery_words[] = {
	"common", "providers", "none", NULL
};

static const struct cli_optval check_values[] = {
	{ "domains", CLI_VAL_FILE, NULL },
	{ "dkim-discovery", CLI_VAL_WORDS, dkim_discovery_words },
	{ "ca-file", CLI_VAL_FILE, NULL },
	{ "trust-anchor", CLI_VAL_FILE, NULL },
	{ "blocklists", CLI_VAL_FILE, NULL },
	CLI_COMMON_VALUES,
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_check_spec = {
	":hs:", check_longopts, check_values, CLI_VAL_TEXT, NULL
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
"      --dkim-discovery common|providers|none\n"
"                         selectors tried besides -s: those of recognised\n"
"                         providers and common names (default), the\n"
"                         providers' only, or none\n"
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
"      --trust-anchor FILE validate DNSSEC from the DS or DNSKEY records in\n"
"                         FILE (default: " DNSSEC_DEFAULT_ANCHOR ")\n"
"      --no-dnssec        do not validate DNSSEC\n"
"      --reputation       look the MX, --ip and SPF-authorised addresses and\n"
"                         the domain up on DNS blocklists (off by default:\n"
"                         lists refuse public resolvers; see authcheck(1))\n"
"      --blocklists FILE  the lists to query (default data/blocklists.json);\n"
"                         implies --reputation\n"
"      --dqs-key KEY      query Spamhaus through its Data Query Service with\n"
"                         KEY; implies --reputation\n"
"      --strict           exit 1 on warnings too\n"
"      --stats            print query counts and the cache hit rate to\n"
"                         standard error at the end\n"
"\n"
"Many domains (text output ends with a summary table, worst first; a\n"
"progress line goes to standard error when it is a terminal):\n"
"      --format csv       one CSV row per domain, with a header row\n"
"      --html FILE        also write one self-contained HTML page: summary,\n"
"                         sortable table, each domain's details\n"
"      --baseline FILE    compare with an earlier --format json run: what\n"
"                         appeared, was fixed or changed; exit 1 only when\n"
"                         new errors appeared\n"
"      --resume FILE      append JSON Lines to FILE, skipping the domains\n"
"                         it already holds (an unfinished last line is\n"
"                         checked again)\n"
"      --shard K/N        check only the K-th of N shards of the list (a\n"
"                         hash of each name; K from 1 to N)\n";

static const char check_exit_help[] =
"\n"
"Exit status: 0 no error findings; 1 error findings (--strict: or\n"
"warnings; --baseline: errors that were not in the baseline); 2 bad\n"
"usage, a bad domain name or unreadable input; 3 a DNS query failed\n"
"(results incomplete).\n";

static void
check_usage(FILE *out)
{
	fputs(check_help, out);
	fputs(cli_common_help, out);
	fputs(check_exit_help, out);
}

/* A growable list of strings, bounded.  The strings are packed in an
 * arena: a million names cost their bytes and a pointer each, not a
 * malloc each (tests/bench/mem_bench.sh). */
struct strlist {
	char **v;
	size_t n, cap, max;
	struct arena arena;
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
	if ((l->v[l->n] = arena_strndup(&l->arena, p, len)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static void
strlist_free(struct strlist *l)
{
	free(l->v);
	arena_free(&l->arena);
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

	buf_init(&path, BUF_MAX_PATH);
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
	bool https, strict, stats, csv, smtp;
	const char *ca_file;
	const char *html;		/* --html FILE */
	const char *baseline;		/* --baseline FILE */
	const char *resume;		/* --resume FILE */
	unsigned long shard_k, shard_n;	/* --shard K/N; n 0: all */
	const char *helo;
	double smtp_timeout;
	unsigned smtp_port;
	const char *trust_anchor;	/* --trust-anchor FILE, or NULL */
	bool dnssec;			/* not --no-dnssec */
	bool reputation;		/* --reputation (or the two below) */
	const char *blocklists;		/* --blocklists FILE */
	const char *dqs_key;		/* --dqs-key KEY */
	enum check_dkim_discovery dkim_discovery;
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

/* "K/N", 1 <= K <= N <= 1000000. */
static bool
parse_shard(const char *s, unsigned long *k, unsigned long *n)
{
	const char *slash = strchr(s, '/');
	char kbuf[16];

	if (slash == NULL || (size_t)(slash - s) >= sizeof(kbuf))
		return false;
	memcpy(kbuf, s, (size_t)(slash - s));
	kbuf[slash - s] = '\0';
	return cli_parse_uint(kbuf, 1000000, k) &&
	    cli_parse_uint(slash + 1, 1000000, n) && *k >= 1 && *k <= *n;
}

/* The shard of a name, 0..n-1: FNV-1a (64 bits) of the name in lower
 * case without a trailing dot, modulo n (documented in authcheck(1), so
 * other tools can split a list the same way). */
static unsigned long
shard_of(const char *d, unsigned long n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t len = dns_name_trim(d, strlen(d));

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)ascii_lower(d[i])) * 1099511628211ULL;
	return (unsigned long)(h % n);
}

/* Keep the domains for which keep() is true, in order. */
static void
strlist_filter(struct strlist *l, bool (*keep)(const char *, const void *),
    const void *arg)
{
	size_t j = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (keep(l->v[i], arg))
			l->v[j++] = l->v[i];
	}
	l->n = j;
}

static bool
in_shard(const char *d, const void *arg)
{
	const struct check_args *A = arg;

	return shard_of(d, A->shard_n) == A->shard_k - 1;
}

static bool
not_done(const char *d, const void *arg)
{
	return !baseline_has(arg, d);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "authcheck: 640/2000 domains, 212.4/s, ETA 0:06" on one line, redrawn. */
static void
progress_show(const char *prog, size_t done, size_t total, double t0)
{
	double el = now_seconds() - t0, rate = el > 0 ? (double)done / el : 0;
	unsigned long eta = rate > 0 ? (unsigned long)((double)(total - done) /
	    rate + 0.5) : 0;

	fprintf(stderr, "\r%s: %zu/%zu domains, %.1f/s, ETA %lu:%02lu\033[K",
	    prog, done, total, rate, eta / 60, eta % 60);
	fflush(stderr);
}

/* Parse argv.  Returns -1 to go on, else an exit status. */
static int
parse_args(int argc, char **argv, struct check_args *A)
{
	const char *prog = argv[0];
	const char *domains_file = NULL;
	const char *format = NULL;
	int opt;

	cli_common_init(&A->c);
	A->https = true;
	A->smtp = true;
	A->dnssec = true;
	A->domains.max = MAX_DOMAINS;
	A->selectors.max = DKIM_MAX_SELECTORS / 2;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_check_spec.shortopts,
	    check_longopts, NULL)) != -1) {
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
		case OPT_TRUST_ANCHOR:
			if (access(optarg, R_OK) != 0)
				return cli_usage_error(prog, "--trust-anchor "
				    "%s: %s", optarg, strerror(errno));
			A->trust_anchor = optarg;
			continue;
		case OPT_NO_DNSSEC:
			A->dnssec = false;
			continue;
		case OPT_DKIM_DISCOVERY: {
			int w = cli_word(dkim_discovery_words, optarg);

			if (w < 0)
				return cli_usage_error(prog, "--dkim-discovery "
				    "must be common, providers or none, not "
				    "'%s'", optarg);
			A->dkim_discovery = (enum check_dkim_discovery)w;
			continue;
		}
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
		case OPT_REPUTATION:
			A->reputation = true;
			continue;
		case OPT_BLOCKLISTS:
			A->blocklists = optarg;
			A->reputation = true;
			continue;
		case OPT_DQS_KEY:
			if (!cli_dqs_key_ok(optarg))
				return cli_usage_error(prog, "--dqs-key: '%s' is "
				    "not a key (letters and digits, 1 to 63)",
				    optarg);
			A->dqs_key = optarg;
			A->reputation = true;
			continue;
		case OPT_HTML:
			A->html = optarg;
			continue;
		case OPT_BASELINE:
			A->baseline = optarg;
			continue;
		case OPT_RESUME:
			A->resume = optarg;
			continue;
		case OPT_SHARD:
			if (!parse_shard(optarg, &A->shard_k, &A->shard_n))
				return cli_usage_error(prog, "--shard: '%s' is "
				    "not K/N with 1 <= K <= N", optarg);
			continue;
		case CLI_OPT_FORMAT:
			/* csv is this command's own format. */
			format = optarg;
			A->csv = strcmp(optarg, "csv") == 0;
			if (A->csv)
				continue;
			break;
		default:
			break;
		}
		if (cli_common_opt(&A->c, prog, opt, optarg,
		    argv[optind - 1]) < 0)
			return CLI_EXIT_USAGE;
	}
	if (A->resume != NULL && format != NULL && strcmp(format, "json") != 0)
		return cli_usage_error(prog, "--resume writes JSON Lines: "
		    "--format %s does not go with it", format);
	if (A->resume != NULL)
		A->c.format = CLI_FMT_JSON;
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
		size_t len = dns_name_trim(d, strlen(d));

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

/* Everything one run writes, besides the text or JSON per domain. */
struct run_out {
	const char *prog;
	const struct check_args *A;
	FILE *out;			/* stdout, or the --resume file */
	bool color;
	struct baseline *bl;		/* --baseline, or NULL */
	struct render_summary *sum;	/* text over many domains, or NULL */
	struct render_html *html;	/* --html, or NULL */
	unsigned long errors, warnings;	/* counted for the exit status */
	bool incomplete, failed;
	bool told_curl;			/* MTA-STS fetching skipped: said */
	bool told_blocked;		/* port 25 blocked: said */
	bool told_dnssec;		/* DNSSEC not validated at all: said */
	const struct check_opts *o;
};

/* One domain's output in every form asked for. */
static void
emit_domain(struct run_out *R, const struct check_result *res)
{
	const struct check_args *A = R->A;
	struct json_t *o = NULL;
	struct snap cur;
	struct changes ch;
	bool have_ch = false, json = A->c.format == CLI_FMT_JSON && !A->csv;

	memset(&cur, 0, sizeof(cur));
	if (res->mtasts.skipped[0] != '\0' && !R->told_curl) {
		fprintf(stderr, "%s: MTA-STS policy fetching skipped: %s "
		    "(install libcurl4)\n", R->prog, res->mtasts.skipped);
		R->told_curl = true;
	}
	if (res->transport.port25_blocked && !R->told_blocked) {
		/* once per run, where the user looks */
		fprintf(stderr, "%s: every SMTP connection timed out: outbound "
		    "port %u is probably blocked on this network (--no-smtp "
		    "skips the probe)\n", R->prog, A->smtp_port ? A->smtp_port :
		    25);
		R->told_blocked = true;
	}
	if (res->dnssec.ran && R->o->dnssec != NULL &&
	    dnssec_run_problem(R->o->dnssec) != NULL && !R->told_dnssec) {
		/* once per run: it is the network's, not the domain's */
		fprintf(stderr, "%s: DNSSEC not validated: %s (--no-dnssec "
		    "skips validation)\n", R->prog,
		    dnssec_run_problem(R->o->dnssec));
		R->told_dnssec = true;
	}
	if ((json || R->bl != NULL) &&
	    (o = render_json_check_new(res)) == NULL)
		fprintf(stderr, "%s: %s: out of memory writing JSON\n",
		    R->prog, res->domain);
	if (R->bl != NULL && o != NULL) {
		if (snap_from_json(&cur, o) == 0 &&
		    changes_compute(&ch, baseline_find(R->bl, res->domain),
		    &cur) == 0)
			have_ch = true;
		else
			fprintf(stderr, "%s: %s: out of memory comparing "
			    "with the baseline\n", R->prog, res->domain);
	}
	if (json) {
		if (o != NULL && have_ch && changes_put_json(o, &ch) != 0)
			fprintf(stderr, "%s: %s: out of memory writing the "
			    "changes\n", R->prog, res->domain);
		if (o != NULL && render_json_emit(R->out, o) != 0)
			R->failed = true;
		o = NULL;
	} else if (A->csv) {
		if (render_csv_row(R->out, res, have_ch ? &ch : NULL,
		    R->bl != NULL) != 0)
			R->failed = true;
	} else {
		render_text_check(R->out, res, R->color);
		if (have_ch)
			render_text_changes(R->out, res->domain, &ch,
			    A->baseline);
	}
	if (R->html != NULL && render_html_add(R->html, res, have_ch ? &ch :
	    NULL) != 0) {
		fprintf(stderr, "%s: --html: out of memory or scratch space\n",
		    R->prog);
		render_html_free(R->html);
		R->html = NULL;
		R->failed = true;
	}
	if (R->sum != NULL)
		render_summary_add(R->sum, res, have_ch ? &ch : NULL);
	if (R->bl == NULL) {
		R->errors += res->count[DIAG_ERROR];
		R->warnings += res->count[DIAG_WARNING];
	} else if (have_ch) {
		R->errors += ch.new_errors;
		R->warnings += ch.new_warnings;
	} else {
		R->errors++;	/* not compared: do not report "no change" */
	}
	R->incomplete = R->incomplete || res->incomplete || res->oom;
	if (have_ch)
		changes_free(&ch);
	snap_free(&cur);
	if (o != NULL)
		render_json_free(o);
}

/*
 * DNSSEC validation is on by default when a trust anchor can be read:
 * --trust-anchor FILE (which must load), else the system's root anchor
 * (skipped, and said, when it is not installed).  Never with --zone: the
 * zone backend's answers carry no signatures.  False when an explicit
 * anchor does not load (message on stderr).
 */
static bool
dnssec_setup(const struct check_args *A, struct dns_resolver *r,
    struct check_opts *o, const char *prog)
{
	char err[300];

	o->dnssec = dnssec_open(r, A->dnssec, A->c.nzones > 0,
	    A->trust_anchor, &o->dnssec_skipped, err, sizeof(err));
	if (o->dnssec != NULL || o->dnssec_skipped != NULL)
		return true;
	fprintf(stderr, "%s: --trust-anchor: %s\n", prog, err);
	return false;
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
	struct bl_set *bl = NULL;
	struct baseline *done = NULL;
	struct strlist common;
	struct run_out R;
	char err[512], helo[256] = "localhost";
	const char *env;
	bool progress, oom = false;
	size_t total, nbatch;
	double t0;
	int rc;

	memset(&A, 0, sizeof(A));
	memset(&R, 0, sizeof(R));
	memset(&o, 0, sizeof(o));
	R.o = &o;
	memset(&common, 0, sizeof(common));
	common.max = MAX_COMMON;
	if ((rc = parse_args(argc, argv, &A)) >= 0)
		goto out;
	rc = CLI_EXIT_USAGE;
	R.prog = prog;
	R.A = &A;
	R.out = stdout;
	if (A.shard_n > 0)
		strlist_filter(&A.domains, in_shard, &A);
	if (A.resume != NULL) {
		long n;

		if ((done = baseline_new()) == NULL) {
			fprintf(stderr, "%s: out of memory\n", prog);
			goto out;
		}
		if ((n = baseline_resume_scan(done, A.resume, err,
		    sizeof(err))) < 0) {
			fprintf(stderr, "%s: --resume: %s\n", prog, err);
			goto out;
		}
		strlist_filter(&A.domains, not_done, done);
		if ((R.out = fopen(A.resume, "a")) == NULL) {
			fprintf(stderr, "%s: --resume: %s: %s\n", prog,
			    A.resume, strerror(errno));
			goto out;
		}
	}
	if (A.baseline != NULL) {
		if ((R.bl = baseline_new()) == NULL) {
			fprintf(stderr, "%s: out of memory\n", prog);
			goto out;
		}
		for (size_t i = 0; i < A.domains.n; i++)
			if (baseline_want(R.bl, A.domains.v[i]) != 0) {
				fprintf(stderr, "%s: out of memory\n", prog);
				goto out;
			}
		if (baseline_load(R.bl, A.baseline, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: --baseline: %s\n", prog, err);
			goto out;
		}
	}
	if (A.html != NULL && (R.html = render_html_new(A.html, "authcheck: "
	    "mail authentication of many domains", A.baseline, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "%s: --html: %s\n", prog, err);
		goto out;
	}
	if (A.c.format == CLI_FMT_TEXT && !A.csv && A.domains.n > 1 &&
	    (R.sum = render_summary_new(SUMMARY_ROWS)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	if ((ps = providers_load(NULL, err, sizeof(err))) == NULL)
		fprintf(stderr, "%s: provider templates not loaded (%s): DKIM "
		    "selectors of providers are not discovered\n", prog, err);
	if (A.dkim_discovery == CHECK_DKIM_COMMON)
		read_common_selectors(prog, &common);
	if (A.reputation && (bl = blocklist_load(A.blocklists, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "%s: blocklists: %s\n", prog, err);
		goto out;
	}
	if ((r = cli_resolver_new(&A.c, prog)) == NULL)
		goto out;
	o.selectors = (const char *const *)A.selectors.v;
	o.nselectors = A.selectors.n;
	o.send_ips = A.ips;
	o.nsend_ips = A.nips;
	o.providers = ps;
	o.common_selectors = (const char *const *)common.v;
	o.ncommon = common.n;
	o.dkim_discovery = A.dkim_discovery;
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
	if (!dnssec_setup(&A, r, &o, prog))
		goto out;
	/* Off by default: the lists refuse public resolvers (a warning for
	 * most users, for no fault of the domain) and their free use is for
	 * low volumes, which a --domains run of thousands would exceed. */
	o.reputation.lists = bl;
	o.reputation.dqs_key = A.dqs_key;
	o.reputation_skipped = "not asked (--reputation looks the domain's "
	    "addresses up on DNS blocklists)";
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
	if ((res = calloc(CHECK_AHEAD * CHECK_BATCH, sizeof(*res))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	R.color = !A.csv && A.resume == NULL && cli_use_color(&A.c);
	if (A.csv && render_csv_header(R.out, R.bl != NULL) != 0)
		R.failed = true;
	total = A.domains.n;
	/* On a terminal only: a pipe or a log file gets no progress line. */
	progress = total > 1 && isatty(STDERR_FILENO);
	t0 = now_seconds();
	nbatch = (total + CHECK_BATCH - 1) / CHECK_BATCH;
	for (size_t started = 0, ended = 0; ended < nbatch; ended++) {
		size_t at = ended * CHECK_BATCH, n;
		struct check_result *b;

		/* Keep CHECK_AHEAD batches in flight: while one waits for its
		 * last answers, the next ones keep the window full.  A new
		 * era starts on an empty resolver. */
		while (started < nbatch && started - ended < CHECK_AHEAD &&
		    (started % CHECK_ERA != 0 || started == ended)) {
			size_t s = started * CHECK_BATCH;

			n = total - s < CHECK_BATCH ? total - s : CHECK_BATCH;
			if (check_batch_start(r, (const char *const *)
			    A.domains.v + s, n, &o, res + started % CHECK_AHEAD *
			    CHECK_BATCH, (unsigned)started) != 0)
				oom = true;
			started++;
		}
		n = total - at < CHECK_BATCH ? total - at : CHECK_BATCH;
		b = res + ended % CHECK_AHEAD * CHECK_BATCH;
		if (check_batch_end(r, n, &o, b, (unsigned)ended) != 0)
			oom = true;
		if (oom)
			fprintf(stderr, "%s: out of memory: some results "
			    "are partial\n", prog);
		oom = false;
		if (progress && at > 0 && R.out == stdout &&
		    isatty(STDOUT_FILENO))
			fputs("\r\033[K", stderr);	/* reports follow */
		for (size_t i = 0; i < n; i++) {
			emit_domain(&R, &b[i]);
			check_free(&b[i]);
		}
		/* A stopped run loses at most the batches in flight. */
		if (fflush(R.out) != 0)
			R.failed = true;
		if (progress)
			progress_show(prog, at + n, total, t0);
		/* The end of an era: nothing in flight, nothing kept from
		 * it; its answers go, so memory stays flat however long the
		 * list. */
		if (ended + 1 == started && started % CHECK_ERA == 0)
			(void)dns_forget(r);
	}
	if (progress)
		fputs("\r\033[K", stderr);
	if (R.sum != NULL) {
		render_summary_print(R.out, R.sum, R.color);
	}
	if (R.html != NULL && render_html_write(R.html, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "%s: --html: %s\n", prog, err);
		R.failed = true;
	}
	if (A.stats) {
		const struct dns_stats *st = dns_stats(r);

		fprintf(stderr, "%s: %zu domain(s): %lu questions, %lu answered "
		    "from the cache (%.1f%%), %lu queries sent, %lu packets, "
		    "%lu TCP, %lu timeouts, at most %lu in flight\n", prog,
		    total, st->submitted, st->cache_hits,
		    st->submitted ? 100.0 * (double)st->cache_hits /
		    (double)st->submitted : 0.0, st->queries, st->packets,
		    st->tcp, st->timeouts, st->in_flight_max);
	}
	rc = cli_check_status(R.incomplete, R.errors +
	    (A.strict ? R.warnings : 0));
	if (R.out != stdout) {
		if (fclose(R.out) != 0)
			R.failed = true;
		R.out = stdout;
	}
	if (R.failed) {
		fprintf(stderr, "%s: some output could not be written\n", prog);
		rc = CLI_EXIT_USAGE;
	}
	rc = cli_finish(prog, rc);
out:
	if (R.out != NULL && R.out != stdout)
		fclose(R.out);
	free(res);
	dnssec_free(o.dnssec);
	dns_free(r);
	providers_free(ps);
	blocklist_free(bl);
	baseline_free(done);
	baseline_free(R.bl);
	render_summary_free(R.sum);
	render_html_free(R.html);
	strlist_free(&common);
	strlist_free(&A.domains);
	strlist_free(&A.selectors);
	return rc;
}
