/*
 * cmd_record.c -- `authcheck record 'TEXT'`: lint one record value
 * offline.  The type is told by the record's version tag (v=spf1,
 * v=DMARC1, v=DKIM1 or a DKIM tag list, v=STSv1, v=TLSRPTv1, v=BIMI1) or
 * given with --type.  Nothing is looked up: SPF includes are not
 * followed, so only the record's own terms are judged.
 *
 * TEXT may be pasted as it stands in a zone file, as quoted
 * character-strings ("v=spf1 ..." "-all"): the zone reader reads them and
 * they are joined as a receiver joins them (RFC 7208 §3.3).
 */
#include <stdlib.h>
#include <string.h>

#include "bimi.h"
#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "dkim.h"
#include "dmarc.h"
#include "mtasts.h"
#include "render.h"
#include "spf.h"
#include "spf_lint.h"
#include "tlsrpt.h"
#include "zone_read.h"

#define RECORD_MAX	65535	/* the most a TXT RRset can carry */

enum { OPT_TYPE = CLI_OPT__NEXT, OPT_DOMAIN };

static const struct option record_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "format", required_argument, NULL, CLI_OPT_FORMAT },
	{ "no-color", no_argument, NULL, CLI_OPT_NO_COLOR },
	{ NULL, 0, NULL, 0 }
};

static const char record_help[] =
"Usage: authcheck record [--type TYPE] [--domain NAME] [--format text|json]\n"
"                        'TEXT'\n"
"\n"
"Lint one record value offline.  TYPE is spf, dmarc, dkim, mta-sts,\n"
"tls-rpt or bimi; without --type it is told from the version tag.  TEXT\n"
"may be quoted strings as in a zone file (\"v=spf1 ...\" \"-all\"): they\n"
"are joined.  Nothing is looked up (SPF includes are not followed).\n"
"\n"
"  --type TYPE      the record's type, when it has no version tag\n"
"  --domain NAME    the name the record is published at (for messages)\n"
"  --format FMT     text (default) or json\n"
"  --no-color       no colour even on a terminal\n"
"\n"
"Exit status: 0 no error findings; 1 error findings; 2 bad usage or a\n"
"record whose type cannot be told.\n";

enum rtype { RT_NONE, RT_SPF, RT_DMARC, RT_DKIM, RT_MTA_STS, RT_TLS_RPT,
	RT_BIMI };

static const char *const rtype_names[] = {
	[RT_NONE] = "?", [RT_SPF] = "spf", [RT_DMARC] = "dmarc",
	[RT_DKIM] = "dkim", [RT_MTA_STS] = "mta-sts",
	[RT_TLS_RPT] = "tls-rpt", [RT_BIMI] = "bimi", [RT_BIMI + 1] = NULL
};

static enum rtype
rtype_parse(const char *s)
{
	int i = cli_word(rtype_names + RT_SPF, s);

	return i < 0 ? RT_NONE : (enum rtype)(RT_SPF + i);
}

static const struct cli_optval record_values[] = {
	{ "type", CLI_VAL_WORDS, rtype_names + RT_SPF },
	{ "format", CLI_VAL_WORDS, cli_format_words },
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_record_spec = {
	":h", record_longopts, record_values, CLI_VAL_TEXT, NULL
};

/* "v=DKIM1" first, or a tag list with p= (v= is optional in DKIM). */
static bool
looks_dkim(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (len - i >= 7 && strncmp(p + i, "v=DKIM1", 7) == 0)
		return true;
	for (; i + 1 < len; i++)
		if (p[i] == 'p' && p[i + 1] == '=' &&
		    (i == 0 || p[i - 1] == ';' || p[i - 1] == ' ' ||
		    p[i - 1] == '\t'))
			return true;
	return false;
}

static enum rtype
rtype_detect(const char *p, size_t len)
{
	if (spf_is_record(p, len))
		return RT_SPF;
	if (dmarc_is_record(p, len))
		return RT_DMARC;
	if (mtasts_is_record(p, len))
		return RT_MTA_STS;
	if (tlsrpt_is_record(p, len))
		return RT_TLS_RPT;
	if (bimi_is_record(p, len))
		return RT_BIMI;
	if (looks_dkim(p, len))
		return RT_DKIM;
	return RT_NONE;
}

/* What zone_read makes of TEXT given as a TXT record's rdata. */
struct quoted {
	struct buf *out;
	char why[200];
	int nrr;
};

static int
on_rr(void *arg, const struct zone_rr *rr)
{
	struct quoted *q = arg;

	if (++q->nrr > 1)
		return 1;
	for (size_t i = 0; i < rr->u.txt.n; i++)
		buf_add(q->out, rr->u.txt.s[i].p, rr->u.txt.s[i].len);
	return 0;
}

static void
on_error(void *arg, const struct zone_error *e)
{
	struct quoted *q = arg;

	if (q->why[0] == '\0')
		snprintf(q->why, sizeof(q->why), "%s", e->msg);
}

/*
 * Join zone-file character-strings ("a" "b" -> ab) into out, read by the
 * zone reader as the rdata of one TXT record (so quoting and \X / \DDD
 * escapes mean what they mean in a zone).  Returns false with a reason in
 * why when TEXT is not such rdata.
 */
static bool
join_quoted(const char *text, struct buf *out, char *why, size_t whysize)
{
	struct quoted q = { out, "", 0 };
	struct buf zone;
	bool ok;

	buf_init(&zone, RECORD_MAX * 5 + 64);
	buf_adds(&zone, "@ TXT ");
	buf_adds(&zone, text);
	buf_addc(&zone, '\n');
	ok = !zone.err && zone_read_mem(buf_str(&zone), zone.len, "TEXT",
	    "record.invalid", ZONE_READ_NO_INCLUDE, on_rr, on_error, &q) == 0 &&
	    q.nrr == 1;
	if (!ok)
		snprintf(why, whysize, "%s", q.why[0] != '\0' ? q.why :
		    zone.err ? "longer than a TXT record can be" :
		    "not one TXT record's strings");
	buf_free(&zone);
	return ok;
}

/* Run the record's linter; findings to sink. */
static int
lint(enum rtype t, const char *domain, const char *p, size_t len,
    struct diag_sink *sink)
{
	struct diag ctx;
	unsigned cost;

	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = domain;
	ctx.record = p;
	ctx.record_len = len;
	switch (t) {
	case RT_SPF:
		return spf_lint_text(domain, p, len, sink, &cost);
	case RT_DMARC: {
		struct dmarc_record rec;

		if (dmarc_parse(p, len, &rec, sink, &ctx))
			dmarc_lint(&rec, sink, &ctx);
		return 0;
	}
	case RT_DKIM: {
		struct dkim_key key;

		return dkim_lint(p, len, &key, sink, &ctx);
	}
	case RT_MTA_STS: {
		struct mtasts_txt mt;

		mtasts_parse_txt(p, len, &mt, sink, &ctx);
		return 0;
	}
	case RT_TLS_RPT: {
		struct tlsrpt_record tr;

		tlsrpt_parse(p, len, &tr, sink, &ctx);
		return 0;
	}
	case RT_BIMI: {
		struct bimi_record br;

		bimi_parse(p, len, &br, sink, &ctx);
		return 0;
	}
	default:
		return -1;
	}
}

int
cmd_record(int argc, char **argv)
{
	const char *prog = argv[0], *domain = "", *text;
	char why[200];
	enum rtype type = RT_NONE;
	struct cli_common c;
	struct diag_list l;
	struct diag_sink sink;
	struct buf joined;
	const char *p;
	size_t len;
	int opt, rc;

	cli_common_init(&c);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_record_spec.shortopts,
	    record_longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(record_help, stdout);
			return CLI_EXIT_OK;
		case OPT_TYPE:
			if ((type = rtype_parse(optarg)) == RT_NONE)
				return cli_usage_error(prog, "--type must be "
				    "spf, dmarc, dkim, mta-sts, tls-rpt or "
				    "bimi");
			continue;
		case OPT_DOMAIN:
			if (!dns_name_valid(optarg, strlen(optarg)))
				return cli_usage_error(prog, "--domain: not "
				    "a domain name");
			domain = optarg;
			continue;
		default:
			break;
		}
		if (cli_common_opt(&c, prog, opt, optarg,
		    argv[optind - 1]) < 0)
			return CLI_EXIT_USAGE;
	}
	if (optind != argc - 1)
		return cli_usage_error(prog, "one TEXT argument is needed "
		    "(quote the record)");
	text = argv[optind];
	buf_init(&joined, RECORD_MAX);
	p = text;
	len = strlen(text);
	if (text[strspn(text, " \t")] == '"') {
		if (!join_quoted(text, &joined, why, sizeof(why)) ||
		    joined.err) {
			buf_free(&joined);
			return cli_usage_error(prog, "TEXT: %s", joined.err ?
			    "longer than a TXT record can be" : why);
		}
		p = buf_str(&joined);
		len = joined.len;
	} else if (len > RECORD_MAX) {
		buf_free(&joined);
		return cli_usage_error(prog, "TEXT: longer than a TXT record "
		    "can be");
	}
	if (type == RT_NONE && (type = rtype_detect(p, len)) == RT_NONE) {
		buf_free(&joined);
		return cli_usage_error(prog, "cannot tell the record's type "
		    "(no v=spf1, v=DMARC1, v=DKIM1/p=, v=STSv1, v=TLSRPTv1 or "
		    "v=BIMI1): give --type");
	}
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	rc = lint(type, domain, p, len, &sink);
	if (rc != 0 || l.oom) {
		fprintf(stderr, "%s: out of memory\n", prog);
	} else if (c.format == CLI_FMT_JSON) {
		if (render_json_record(stdout, rtype_names[type], p, len,
		    &l) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", prog);
	} else {
		fprintf(stdout, "%s record: ", rtype_names[type]);
		render_text_bytes(stdout, p, len);
		putc('\n', stdout);
		render_text_findings(stdout, &l, cli_use_color(&c));
	}
	rc = rc != 0 ? CLI_EXIT_USAGE : cli_check_status(false,
	    sink.count[DIAG_ERROR]);
	diag_list_free(&l);
	buf_free(&joined);
	return cli_finish(prog, rc);
}
