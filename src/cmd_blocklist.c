/*
 * cmd_blocklist.c -- `authcheck blocklist IP|NET|DOMAIN...`: the blocklist
 * scan alone (the report's Reputation area without the rest).
 *
 * An address is looked up as a sending address; a network (192.0.2.0/28,
 * 2001:db8::/124) address by address up to REP_CMD_NET_CAP; a domain as
 * the report does it: the domain and its organisational domain on the
 * domain lists, the addresses of its MX hosts and those its own SPF record
 * authorises.  Every question of every target goes out at once.  Unlike
 * the report, the lists are queried without asking for it: that is what
 * the command is for.
 */
#include <stdlib.h>
#include <string.h>

#include "blocklist.h"
#include "cli.h"
#include "dns.h"
#include "render.h"
#include "reputation.h"

#define MAX_ARGS	256	/* targets on the command line */

enum {
	OPT_BLOCKLISTS = CLI_OPT__NEXT, OPT_DQS_KEY, OPT_ALL_LISTS, OPT_STRICT
};

static const struct option blocklist_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "blocklists", required_argument, NULL, OPT_BLOCKLISTS },
	{ "dqs-key", required_argument, NULL, OPT_DQS_KEY },
	{ "all-lists", no_argument, NULL, OPT_ALL_LISTS },
	{ "strict", no_argument, NULL, OPT_STRICT },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const struct cli_optval blocklist_values[] = {
	CLI_COMMON_VALUES,
	{ "blocklists", CLI_VAL_FILE, NULL },
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_blocklist_spec = {
	":h", blocklist_longopts, blocklist_values, CLI_VAL_TEXT, NULL
};

static const char blocklist_help[] =
"Usage: authcheck blocklist IP|NET|DOMAIN... [OPTIONS]\n"
"\n"
"Look addresses and domains up on DNS blocklists (RFC 5782): an IP as a\n"
"sending address, a NET (192.0.2.0/28) address by address up to 256, a\n"
"DOMAIN as the report does (the domain and its organisational domain on\n"
"domain lists, its MX addresses and the addresses its own SPF record\n"
"authorises).  Each list's test points are checked in the same run; an\n"
"error code (127.255.255.254: public resolver) is \"refused\", never\n"
"\"listed\".  Use your own resolver: most lists refuse public ones.\n"
"\n"
"      --blocklists FILE  the lists to query (default data/blocklists.json)\n"
"      --dqs-key KEY      query Spamhaus through its Data Query Service\n"
"      --all-lists        also the lists the file turns off by default\n"
"      --strict           exit 1 on warnings too\n";

static const char blocklist_exit_help[] =
"\n"
"Exit status: 0 not listed where it matters; 1 listed (error findings;\n"
"--strict: or warnings); 2 bad usage or an unreadable list file; 3 a DNS\n"
"query failed (some lookups unknown).\n";

/* "192.0.2.0/28" into net and prefix. */
static bool
parse_net(const char *s, struct ipaddr *net, unsigned *prefix)
{
	const char *slash = strchr(s, '/');
	unsigned long p;

	if (slash == NULL || !ip_parse(s, (size_t)(slash - s), net) ||
	    !cli_parse_uint(slash + 1, net->family == 4 ? 32 : 128, &p))
		return false;
	*prefix = (unsigned)p;
	return true;
}

int
cmd_blocklist(int argc, char **argv)
{
	const char *prog = argv[0];
	const char *path = NULL;
	struct cli_common c;
	struct rep_opts o;
	struct rep_result res;
	struct bl_set *bl = NULL;
	struct dns_resolver *r = NULL;
	struct diag_sink sink;
	char err[512];
	bool strict = false;
	int opt, rc = CLI_EXIT_USAGE;

	cli_common_init(&c);
	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	area_result_init(&res.area);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_blocklist_spec.shortopts,
	    blocklist_longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(blocklist_help, stdout);
			fputs(cli_common_help, stdout);
			fputs(blocklist_exit_help, stdout);
			rc = CLI_EXIT_OK;
			goto out;
		case OPT_BLOCKLISTS:
			path = optarg;
			continue;
		case OPT_DQS_KEY:
			if (!cli_dqs_key_ok(optarg)) {
				rc = cli_usage_error(prog, "--dqs-key: '%s' is "
				    "not a key (letters and digits, 1 to 63)",
				    optarg);
				goto out;
			}
			o.dqs_key = optarg;
			continue;
		case OPT_ALL_LISTS:
			o.all_lists = true;
			continue;
		case OPT_STRICT:
			strict = true;
			continue;
		default:
			break;
		}
		if (cli_common_opt(&c, prog, opt, optarg, argv[optind - 1]) < 0)
			goto out;
	}
	if (optind == argc) {
		rc = cli_usage_error(prog, "IP, NET or DOMAIN is required");
		goto out;
	}
	if (argc - optind > MAX_ARGS) {
		rc = cli_usage_error(prog, "at most %d targets", MAX_ARGS);
		goto out;
	}
	/* Every target is checked before any DNS work. */
	for (int i = optind; i < argc; i++) {
		struct ipaddr ip;
		unsigned p;
		size_t len = dns_name_trim(argv[i], strlen(argv[i]));

		if (ip_parse(argv[i], strlen(argv[i]), &ip) ||
		    parse_net(argv[i], &ip, &p))
			continue;
		if (len == 0 || !dns_name_valid(argv[i], len) ||
		    memchr(argv[i], '.', len) == NULL) {
			fprintf(stderr, "%s: '", prog);
			cli_put_safe(stderr, argv[i]);
			fprintf(stderr, "' is not an address, a network or a "
			    "domain name\nTry '%s --help'.\n", prog);
			goto out;
		}
	}
	if ((bl = blocklist_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: blocklists: %s\n", prog, err);
		goto out;
	}
	if ((r = cli_resolver_new(&c, prog)) == NULL)
		goto out;
	o.lists = bl;
	o.net_cap = REP_CMD_NET_CAP;
	o.lookup_failures = true;
	if (rep_begin(r, &o, &res) != 0)
		goto oom;
	for (int i = optind; i < argc; i++) {
		struct ipaddr ip;
		unsigned p;
		char norm[256];
		int k;

		if (ip_parse(argv[i], strlen(argv[i]), &ip))
			k = rep_add_ip(&res, &ip, BL_ROLE_SENDER,
			    "command line");
		else if (parse_net(argv[i], &ip, &p))
			k = rep_add_net(&res, &ip, p, BL_ROLE_SENDER, argv[i]);
		else if (dns_name_norm(norm, sizeof(norm), argv[i]) >= 0)
			k = rep_add_domain(&res, norm);
		else
			k = 0;
		if (k != 0)
			goto oom;
	}
	dns_run(r);
	diag_sink_init(&sink, diag_list_add, &res.area.findings);
	rep_finish(&res, &sink);
	if (sink.oom || res.area.findings.oom)
		res.area.oom = true;
	if (c.format == CLI_FMT_JSON) {
		if (render_json_blocklist(stdout, &res) != 0)
			fprintf(stderr, "%s: out of memory writing JSON\n", prog);
	} else {
		struct render_style st;

		render_style_init(&st, cli_use_color(&c));
		render_text_reputation(stdout, &res, &st);
		render_text_findings(stdout, &res.area.findings, st.color);
	}
	rc = cli_check_status(res.area.incomplete || res.area.oom,
	    sink.count[DIAG_ERROR] + (strict ? sink.count[DIAG_WARNING] : 0));
	rc = cli_finish(prog, rc);
	goto out;
oom:
	fprintf(stderr, "%s: out of memory\n", prog);
	rc = CLI_EXIT_DNS;
out:
	rep_result_free(&res);
	area_result_free(&res.area);
	dns_free(r);
	blocklist_free(bl);
	return rc;
}
