/*
 * cli.c -- common options, resolver selection, colour and usage helpers.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dns.h"

const char cli_common_help[] =
"Common options:\n"
"  --format text|json     output for a person (default) or JSON Lines\n"
"  --resolver HOST[:PORT] ask this DNS server (repeatable; IPv6 as [ADDR]:PORT;\n"
"                         default: /etc/resolv.conf)\n"
"  --timeout SEC          seconds to wait for each DNS attempt (default 2)\n"
"  --retries N            extra attempts after the first (default 2)\n"
"  --max-inflight N       DNS queries in flight at most (1-65536, default 2048;\n"
"                         fewer if file descriptors are short)\n"
"  --qps N                send at most N new DNS questions per second\n"
"  --zone FILE            answer DNS from this zone file instead of the network\n"
"                         (repeatable; offline)\n"
"  --no-color             no ANSI colour (also when NO_COLOR is set)\n"
"  -h, --help             this help\n";

const char *const cli_format_words[] = { "text", "json", NULL };

int
cli_word(const char *const *words, const char *s)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], s) == 0)
			return i;
	return -1;
}

void
cli_common_init(struct cli_common *c)
{
	memset(c, 0, sizeof(*c));
	c->format = CLI_FMT_TEXT;
	c->timeout = 0;
	c->retries = -1;
}

int
cli_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return CLI_EXIT_USAGE;
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

bool
cli_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (!is_digit((unsigned char)*s))
			return false;
		d = (unsigned)(*s - '0');
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool
cli_parse_seconds(const char *s, double max, double *out)
{
	/* Our own digits-and-fraction reader: strtod would accept "inf",
	 * "1e9", hex and leading spaces, and depends on the locale. */
	double v = 0, scale = 1;
	bool digits = false, frac = false;

	for (; *s != '\0'; s++) {
		if (is_digit((unsigned char)*s)) {
			digits = true;
			if (frac) {
				scale /= 10;
				v += (*s - '0') * scale;
			} else {
				v = v * 10 + (*s - '0');
				if (v > max)
					return false;
			}
		} else if (*s == '.' && !frac) {
			frac = true;
		} else {
			return false;
		}
	}
	if (!digits || v <= 0 || v > max)
		return false;
	*out = v;
	return true;
}

int
cli_common_opt(struct cli_common *c, const char *prog, int opt,
    const char *arg, const char *optname)
{
	unsigned long n;

	switch (opt) {
	case CLI_OPT_FORMAT:
		switch (cli_word(cli_format_words, arg)) {
		case 0:
			c->format = CLI_FMT_TEXT;
			break;
		case 1:
			c->format = CLI_FMT_JSON;
			break;
		default:
			cli_usage_error(prog,
			    "--format must be text or json, not '%s'", arg);
			return -1;
		}
		return 0;
	case CLI_OPT_RESOLVER:
		if (*arg == '\0') {
			cli_usage_error(prog, "--resolver needs HOST[:PORT]");
			return -1;
		}
		if (c->nservers == CLI_MAX_SERVERS) {
			cli_usage_error(prog, "at most %d --resolver options",
			    CLI_MAX_SERVERS);
			return -1;
		}
		c->servers[c->nservers++] = arg;
		return 0;
	case CLI_OPT_TIMEOUT:
		if (!cli_parse_seconds(arg, 3600, &c->timeout)) {
			cli_usage_error(prog, "--timeout must be a number of "
			    "seconds above 0 and at most 3600, not '%s'", arg);
			return -1;
		}
		return 0;
	case CLI_OPT_RETRIES:
		if (!cli_parse_uint(arg, 20, &n)) {
			cli_usage_error(prog, "--retries must be a whole number "
			    "from 0 to 20, not '%s'", arg);
			return -1;
		}
		c->retries = (int)n;
		return 0;
	case CLI_OPT_MAX_INFLIGHT:
		if (!cli_parse_uint(arg, CLI_MAX_INFLIGHT, &n) || n == 0) {
			cli_usage_error(prog, "--max-inflight must be a whole "
			    "number from 1 to %d, not '%s'", CLI_MAX_INFLIGHT,
			    arg);
			return -1;
		}
		c->max_inflight = n;
		return 0;
	case CLI_OPT_QPS:
		if (!cli_parse_seconds(arg, CLI_MAX_QPS, &c->qps)) {
			cli_usage_error(prog, "--qps must be a number above 0 "
			    "and at most %d, not '%s'", CLI_MAX_QPS, arg);
			return -1;
		}
		return 0;
	case CLI_OPT_ZONE:
		if (*arg == '\0') {
			cli_usage_error(prog, "--zone needs a file name");
			return -1;
		}
		if (c->nzones == CLI_MAX_ZONES) {
			cli_usage_error(prog, "at most %d --zone options",
			    CLI_MAX_ZONES);
			return -1;
		}
		c->zones[c->nzones++] = arg;
		return 0;
	case CLI_OPT_NO_COLOR:
		c->no_color = true;
		return 0;
	case ':':
		cli_usage_error(prog, "option '%s' needs a value", optname);
		return -1;
	default:	/* '?' or an option the subcommand did not take */
		cli_usage_error(prog, "unknown option '%s'", optname);
		return -1;
	}
}

struct dns_resolver *
cli_resolver_new(const struct cli_common *c, const char *prog)
{
	struct dns_resolver *r;
	const struct dns_zone_error *errs;
	char err[512];
	size_t n;

	if (c->nzones > 0 && c->nservers > 0) {
		cli_usage_error(prog, "--zone and --resolver cannot be combined "
		    "(--zone answers from files, offline)");
		return NULL;
	}
	if (c->nzones == 0) {
		struct dns_live_opts o = {
			.servers = c->servers,
			.nservers = c->nservers,
			.timeout = c->timeout > 0 ? c->timeout : 2,
			.retries = c->retries >= 0 ? c->retries : 2,
			.max_inflight = c->max_inflight,
			.qps = c->qps,
		};
		size_t want = c->max_inflight > 0 ? c->max_inflight :
		    CLI_DEFAULT_INFLIGHT, fds = 0,
		    cap = dns_live_inflight_cap(want, &fds);

		if (cap < want)
			fprintf(stderr, "%s: at most %zu DNS queries in flight, "
			    "not %zu: only %zu file descriptors may be open "
			    "(ulimit -n)\n", prog, cap, want, fds);
		err[0] = '\0';
		r = dns_live_new(&o, err, sizeof(err));
		if (r == NULL)
			fprintf(stderr, "%s: %s\n", prog,
			    err[0] ? err : "cannot start the resolver");
		return r;
	}
	r = dns_zone_new();
	if (r == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	for (size_t i = 0; i < c->nzones; i++) {
		err[0] = '\0';
		if (dns_zone_load(r, c->zones[i], NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", prog,
			    err[0] ? err : c->zones[i]);
			dns_free(r);
			return NULL;
		}
	}
	/* Same line format as zone linting, so editors can jump to it. */
	n = dns_zone_errors(r, &errs);
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "%s:%lu: error: ", errs[i].file ? errs[i].file
		    : "?", errs[i].line);
		cli_put_safe(stderr, errs[i].msg ? errs[i].msg : "syntax error");
		fputs(" [zone.syntax]\n", stderr);
	}
	return r;
}

bool
cli_use_color(const struct cli_common *c)
{
	const char *nc = getenv("NO_COLOR");

	if (c->no_color || (nc != NULL && *nc != '\0'))
		return false;
	return isatty(STDOUT_FILENO) == 1;
}

size_t
cli_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* no overlong forms */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

int
cli_put_safe(FILE *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	while (n > 0) {
		k = cli_utf8_len(p, n);
		/* Printable ASCII, and UTF-8 above the C1 controls (our own
		 * messages cite "§"), go out as they are. */
		if ((k == 1 && p[0] >= 0x20 && p[0] < 0x7f) ||
		    (k == 2 && (p[0] > 0xc2 || p[1] >= 0xa0)) || k > 2) {
			if (fwrite(p, 1, k, out) != k)
				return EOF;
			p += k;
			n -= k;
			continue;
		}
		if (putc('\\', out) == EOF || putc('x', out) == EOF ||
		    putc(hex[*p >> 4], out) == EOF ||
		    putc(hex[*p & 15], out) == EOF)
			return EOF;
		p++;
		n--;
	}
	return 0;
}

int
cli_finish(const char *prog, int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: write error on standard output\n", prog);
		return CLI_EXIT_USAGE;
	}
	return rc;
}

int
cli_check_status(bool incomplete, unsigned long errors)
{
	if (incomplete)
		return CLI_EXIT_DNS;
	return errors > 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

bool
cli_dqs_key_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}
