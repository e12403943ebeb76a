/*
 * cmd_zone.c -- `authcheck zone FILE...`: lint zone files offline, one
 * line per finding in the form editors and CI annotate from
 * (FILE:LINE: SEVERITY: MESSAGE [ID]), or one JSON object per file; and
 * `--install-hook`, which installs the plain git pre-commit hook
 * (data/pre-commit-hook.sh, embedded below) into the current repository.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "dns.h"
#include "render.h"
#include "zone_lint.h"

#define MAX_FINDINGS	100000	/* JSON: kept per file; the rest are
				 * counted and reported as dropped */
#define TEXT_BATCH	20000	/* text: sorted and printed in batches of
				 * this many, so none is lost and memory
				 * stays bounded */
#define HOOK_MAX	(1u << 20)

enum {
	OPT_ORIGIN = CLI_OPT__NEXT, OPT_LIVE, OPT_STRICT, OPT_IGNORE,
	OPT_INSTALL_HOOK, OPT_FORCE
};

static const struct option zone_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	{ "install-hook", no_argument, NULL, OPT_INSTALL_HOOK },
	{ "force", no_argument, NULL, OPT_FORCE },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const struct cli_optval zone_values[] = {
	{ "ignore", CLI_VAL_FINDINGS, NULL },
	CLI_COMMON_VALUES,
	{ NULL, CLI_VAL_TEXT, NULL }
};

const struct cli_spec cmd_zone_spec = {
	":h", zone_longopts, zone_values, CLI_VAL_FILE, NULL
};

static const char zone_help[] =
"Usage: authcheck zone [OPTIONS] FILE...\n"
"       authcheck zone --install-hook [--force]\n"
"\n"
"Lint zone files offline: every SPF, DMARC and DKIM record with the same\n"
"checks as the live linter, plus what only a zone file shows (strings\n"
"split inside an SPF term, strings over 255 octets, several SPF records at\n"
"one name, type-99 SPF records, DMARC records at the wrong name, CNAMEs\n"
"next to other data, MX targets that are CNAMEs or addresses).  SPF\n"
"lookups are counted with includes resolved from the zone.  Output: one\n"
"line per finding, FILE:LINE: SEVERITY: MESSAGE [ID], then a summary.\n"
"The files are never modified.  A record's line may end with\n"
"'; authcheck: ignore ID[,ID]' to suppress findings about it.\n"
"\n"
"  --origin NAME          origin for relative names (else $ORIGIN, else the\n"
"                         file name: NAME.zone, NAME.db, db.NAME)\n"
"  --live                 resolve names outside the zone over the network\n"
"                         (else they are counted: zone.outside-lookups)\n"
"  --strict               warnings count as errors for the exit status\n"
"  --ignore ID            drop findings with this ID (repeatable)\n"
"  --install-hook         install the git pre-commit hook that lints staged\n"
"                         zone files (*.zone, *.db, db.*) in this repository\n"
"  --force                with --install-hook: replace an existing hook\n"
"  --zone FILE            answer names outside the zone from this file\n"
"\n";

static const char zone_exit_help[] =
"\n"
"Exit status: 0 no error findings; 1 error findings (--strict: or\n"
"warnings); 2 bad usage or an unreadable file; 3 a --live query failed.\n";

/* data/pre-commit-hook.sh; tests/integration/zone_hook.sh checks that the
 * installed hook equals that file. */
static const char hook_script[] =
"#!/bin/sh\n"
"# authcheck pre-commit hook: lint the zone files of a commit with\n"
"# `authcheck zone` and block the commit when they have error findings.\n"
"# It checks what is staged (the index), not the working tree, so a fix\n"
"# left unstaged does not let a broken zone through.\n"
"# Zone files: *.zone, *.db, db.*.  Install: `authcheck zone --install-hook`.\n"
"# AUTHCHECK names the program (default: authcheck from PATH); extra\n"
"# options for it go in AUTHCHECK_ZONE_ARGS (e.g. \"--strict\").\n"
"# Skip once with `git commit --no-verify`.\n"
"AUTHCHECK=${AUTHCHECK:-authcheck}\n"
"\n"
"# -z: names as they are (no C quoting); a name holding a newline is the\n"
"# one kind this cannot pass on.\n"
"files=$(git diff --cached --name-only --diff-filter=ACMR -z | tr '\\0' '\\n' |\n"
"    while IFS= read -r f; do\n"
"\tcase ${f##*/} in\n"
"\t*.zone|*.db|db.*) printf '%s\\n' \"$f\" ;;\n"
"\tesac\n"
"done)\n"
"[ -n \"$files\" ] || exit 0\n"
"\n"
"case $AUTHCHECK in /*) ;; */*) AUTHCHECK=$PWD/$AUTHCHECK ;; esac\n"
"if ! command -v \"$AUTHCHECK\" >/dev/null 2>&1; then\n"
"\techo \"authcheck pre-commit: '$AUTHCHECK' not found; set AUTHCHECK or install authcheck\" >&2\n"
"\texit 1\n"
"fi\n"
"\n"
"tmp=$(mktemp -d \"${TMPDIR:-/tmp}/authcheck-hook.XXXXXX\") || exit 1\n"
"trap 'rm -rf \"$tmp\"' EXIT HUP INT TERM\n"
"\n"
"# Export the staged version of every indexed file in the directories that\n"
"# hold the zone files, so that $INCLUDE sees staged content too.\n"
"dirs=$(printf '%s\\n' \"$files\" | while IFS= read -r f; do\n"
"\tcase $f in */*) printf '%s/\\n' \"${f%/*}\" ;; *) printf './\\n' ;; esac\n"
"done | sort -u)\n"
"set --\n"
"while IFS= read -r d; do\n"
"\tset -- \"$@\" \"$d\"\n"
"done <<LIST\n"
"$dirs\n"
"LIST\n"
"git ls-files -z -- \"$@\" | git checkout-index -z --prefix=\"$tmp/\" --stdin || exit 1\n"
"\n"
"set --\n"
"while IFS= read -r f; do\n"
"\tset -- \"$@\" \"$f\"\n"
"done <<LIST\n"
"$files\n"
"LIST\n"
"\n"
"# shellcheck disable=SC2086 # AUTHCHECK_ZONE_ARGS is split on purpose\n"
"(cd \"$tmp\" && \"$AUTHCHECK\" zone ${AUTHCHECK_ZONE_ARGS:-} -- \"$@\")\n"
"rc=$?\n"
"if [ \"$rc\" -ne 0 ]; then\n"
"\techo \"authcheck pre-commit: commit blocked (exit $rc); fix the findings above or use --no-verify\" >&2\n"
"\texit 1\n"
"fi\n"
"exit 0\n";

struct zone_args {
	struct cli_common c;
	const char *origin;
	bool live, strict, install_hook, force;
	bool ignore[DIAG__COUNT];
};

static void
zone_usage(FILE *out)
{
	fputs(zone_help, out);
	fputs(cli_common_help, out);
	fputs(zone_exit_help, out);
}

/* Parse argv.  Returns -1 to go on, else an exit status. */
static int
parse_args(int argc, char **argv, struct zone_args *a)
{
	const char *prog = argv[0];
	enum diag_id id;
	int opt;

	memset(a, 0, sizeof(*a));
	cli_common_init(&a->c);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cmd_zone_spec.shortopts,
	    zone_longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			zone_usage(stdout);
			return CLI_EXIT_OK;
		case OPT_ORIGIN:
			if (!dns_name_valid(optarg, strlen(optarg)) &&
			    strcmp(optarg, ".") != 0)
				return cli_usage_error(prog, "--origin '%s' is "
				    "not a valid domain name", optarg);
			a->origin = optarg;
			continue;
		case OPT_LIVE:
			a->live = true;
			continue;
		case OPT_STRICT:
			a->strict = true;
			continue;
		case OPT_IGNORE:
			if (!diag_lookup(optarg, strlen(optarg), &id))
				return cli_usage_error(prog, "--ignore: unknown "
				    "finding ID '%s' (see 'authcheck findings')",
				    optarg);
			a->ignore[id] = true;
			continue;
		case OPT_INSTALL_HOOK:
			a->install_hook = true;
			continue;
		case OPT_FORCE:
			a->force = true;
			continue;
		default:
			break;
		}
		if (cli_common_opt(&a->c, prog, opt, optarg,
		    argv[optind - 1]) < 0)
			return CLI_EXIT_USAGE;
	}
	if (a->install_hook) {
		if (optind < argc)
			return cli_usage_error(prog, "--install-hook takes no "
			    "FILE");
		return -1;
	}
	if (a->force)
		return cli_usage_error(prog, "--force only goes with "
		    "--install-hook");
	if (optind >= argc)
		return cli_usage_error(prog, "at least one zone FILE is "
		    "required");
	if (a->live && a->c.nzones > 0)
		return cli_usage_error(prog, "--live and --zone cannot be "
		    "combined");
	if (!a->live && a->c.nservers > 0)
		return cli_usage_error(prog, "--resolver needs --live");
	return -1;
}

/* ---- --install-hook -------------------------------------------------- */

/* The repository's hooks directory (`git rev-parse --git-path hooks`,
 * which honours core.hooksPath) into out; false with a message. */
static bool
hooks_dir(const char *prog, char *out, size_t outsize)
{
	FILE *p;
	size_t n;
	int st;

	if ((p = popen("git rev-parse --git-path hooks", "r")) == NULL) {
		fprintf(stderr, "%s: cannot run git: %s\n", prog,
		    strerror(errno));
		return false;
	}
	n = fread(out, 1, outsize - 1, p);
	st = pclose(p);
	if (st != 0 || n == 0 || n == outsize - 1) {
		fprintf(stderr, "%s: not inside a git repository (git "
		    "rev-parse --git-path hooks failed)\n", prog);
		return false;
	}
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		n--;
	out[n] = '\0';
	return n > 0;
}

/* Read at most max bytes of path into b; 1 read, 0 absent, -1 error. */
static int
read_small(const char *path, struct buf *b)
{
	char tmp[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(b, tmp, n);
	n = (size_t)ferror(f);
	fclose(f);
	return n != 0 || b->err ? -1 : 1;
}

static int
install_hook(const char *prog, bool force)
{
	char dir[4096];
	struct buf path, tmp, old;
	size_t len = sizeof(hook_script) - 1;
	int rc = CLI_EXIT_USAGE, fd = -1, have;

	if (!hooks_dir(prog, dir, sizeof(dir)))
		return CLI_EXIT_USAGE;
	buf_init(&path, sizeof(dir) + 64);
	buf_init(&tmp, sizeof(dir) + 64);
	buf_init(&old, HOOK_MAX);
	buf_printf(&path, "%s/pre-commit", dir);
	buf_printf(&tmp, "%s/pre-commit.authcheck-new", dir);
	if (path.err || tmp.err) {
		fprintf(stderr, "%s: hooks path too long\n", prog);
		goto out;
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(errno));
		goto out;
	}
	have = read_small(buf_str(&path), &old);
	if (have < 0 && !force) {
		fprintf(stderr, "%s: cannot read the existing %s; use --force "
		    "to replace it\n", prog, buf_str(&path));
		goto out;
	}
	if (have > 0 && old.len == len && memcmp(old.p, hook_script, len) == 0) {
		printf("authcheck pre-commit hook already installed: %s\n",
		    buf_str(&path));
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (have > 0 && !force) {
		fprintf(stderr, "%s: %s exists and is another hook; not "
		    "replaced (use --force, or call 'authcheck zone' from "
		    "it)\n", prog, buf_str(&path));
		goto out;
	}
	fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0 || write(fd, hook_script, len) != (ssize_t)len ||
	    fchmod(fd, 0755) != 0 || close(fd) != 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog,
		    buf_str(&tmp), strerror(errno));
		if (fd >= 0)
			unlink(buf_str(&tmp));
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(buf_str(&tmp), buf_str(&path)) != 0) {
		fprintf(stderr, "%s: cannot install %s: %s\n", prog,
		    buf_str(&path), strerror(errno));
		unlink(buf_str(&tmp));
		goto out;
	}
	printf("installed the authcheck pre-commit hook: %s\n",
	    buf_str(&path));
	rc = CLI_EXIT_OK;
out:
	buf_free(&path);
	buf_free(&tmp);
	buf_free(&old);
	return cli_finish(prog, rc);
}

/* ---- linting --------------------------------------------------------- */

struct sort_ctx {
	const struct diag_list *l;
	const char *main_file;
};

static struct sort_ctx sort_ctx;	/* qsort has no argument pointer */

/* Findings in file order: the named file first, then included files by
 * name; by line; ties keep the order they were reported in. */
static int
cmp_finding(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct diag *x = &sort_ctx.l->v[a], *y = &sort_ctx.l->v[b];
	const char *fx = x->file != NULL ? x->file : "";
	const char *fy = y->file != NULL ? y->file : "";
	int mx = strcmp(fx, sort_ctx.main_file) != 0;
	int my = strcmp(fy, sort_ctx.main_file) != 0;
	int c;

	if (mx != my)
		return mx - my;
	if ((c = strcmp(fx, fy)) != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Text that is printable ASCII goes out in one piece; anything else
 * through cli_put_safe() (a byte at a time), which would cost a tenth of
 * the run on a zone with many findings. */
static void
put_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p >= 0x20 && *p < 0x7f)
		p++;
	if (*p == '\0')
		fputs(s, stdout);
	else
		cli_put_safe(stdout, s);
}

static void
print_finding(const struct diag *d)
{
	const struct diag_info *in = diag_info(d->id);

	put_text(d->file != NULL ? d->file : "?");
	printf(":%lu: %s: ", d->line, diag_severity_name(in->severity));
	put_text(d->message != NULL ? d->message : in->title);
	printf(" [%s]\n", in->id);
	/* the record and a caret under the problem, as the domain report;
	 * indented, so FILE:LINE lines stay the only ones at the margin */
	if (d->has_span && d->record != NULL)
		render_text_caret(stdout, d, "    ");
}

/* The print order of l: indexes sorted by cmp_finding (malloc'd), or NULL
 * when empty or out of memory (list order then). */
static size_t *
sorted_order(const struct diag_list *l, const char *path)
{
	size_t *order, i;

	if (l->n == 0 || (order = malloc(l->n * sizeof(*order))) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++)
		order[i] = i;
	sort_ctx.l = l;
	sort_ctx.main_file = path;
	qsort(order, l->n, sizeof(*order), cmp_finding);
	return order;
}

static void
print_batch(const struct diag_list *l, const char *path)
{
	size_t *order = sorted_order(l, path), i;

	for (i = 0; i < l->n; i++)
		print_finding(&l->v[order != NULL ? order[i] : i]);
	free(order);
}

/* Findings of one file: a list, printed and emptied when full (text). */
struct collect {
	struct diag_list l;
	const char *path;
	bool text;
};

static void
collect_cb(void *arg, const struct diag *d)
{
	struct collect *c = arg;

	diag_list_add(&c->l, d);
	if (c->text && c->l.n >= c->l.max) {
		print_batch(&c->l, c->path);
		diag_list_free(&c->l);
		diag_list_init(&c->l, TEXT_BATCH);
	}
}

struct totals {
	unsigned long files, records, count[DIAG_SEV__COUNT], suppressed,
	    dropped;
	bool unreadable, incomplete;
};

static void
lint_one(const char *prog, const struct zone_args *a, const char *path,
    struct dns_resolver *outside, struct totals *t)
{
	struct zone_lint_opts o;
	struct zone_lint_stats st;
	struct collect c;
	struct diag_sink sink;
	struct render_zone_file rz;
	size_t *order;
	int rc, k;

	memset(&o, 0, sizeof(o));
	o.origin = a->origin;
	o.outside = outside;
	o.ignore = a->ignore;
	c.path = path;
	c.text = a->c.format != CLI_FMT_JSON;
	diag_list_init(&c.l, c.text ? TEXT_BATCH : MAX_FINDINGS);
	diag_sink_init(&sink, collect_cb, &c);
	rc = zone_lint_file(path, &o, &sink, &st);
	t->files++;
	memset(&rz, 0, sizeof(rz));
	rz.file = path;
	if (rc == -1) {
		t->unreadable = true;
		rz.error = strerror(errno);
		fprintf(stderr, "%s: %s: %s\n", prog, path, rz.error);
	} else if (rc == -2) {
		t->unreadable = true;
		rz.error = "out of memory: findings incomplete";
		fprintf(stderr, "%s: %s: %s\n", prog, path, rz.error);
	}
	t->records += st.records;
	t->suppressed += st.suppressed;
	t->dropped += c.l.dropped;
	t->incomplete |= st.incomplete;
	for (k = 0; k < DIAG_SEV__COUNT; k++)
		t->count[k] += sink.count[k];
	if (!c.text) {
		rz.records = st.records;
		rz.suppressed = st.suppressed;
		rz.dropped = c.l.dropped;
		for (k = 0; k < DIAG_SEV__COUNT; k++)
			rz.count[k] = sink.count[k];
		order = sorted_order(&c.l, path);
		rz.order = order;
		if (render_json_zone(stdout, &rz, &c.l) != 0)
			fprintf(stderr, "%s: cannot write JSON\n", prog);
		free(order);
	} else {
		print_batch(&c.l, path);
		if (c.l.oom)
			printf("%s: out of memory: some findings not shown\n",
			    path);
	}
	diag_list_free(&c.l);
}

int
cmd_zone(int argc, char **argv)
{
	const char *prog = argv[0];
	struct dns_resolver *outside = NULL;
	struct zone_args a;
	struct totals t;
	unsigned long bad;
	int rc, i;

	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	if (a.install_hook)
		return install_hook(prog, a.force);
	if ((a.live || a.c.nzones > 0) &&
	    (outside = cli_resolver_new(&a.c, prog)) == NULL)
		return CLI_EXIT_USAGE;
	memset(&t, 0, sizeof(t));
	for (i = optind; i < argc; i++)
		lint_one(prog, &a, argv[i], outside, &t);
	if (a.c.format == CLI_FMT_TEXT)
		printf("%lu file%s, %lu records: %lu error%s, %lu warning%s, "
		    "%lu info (%lu suppressed)\n", t.files,
		    t.files == 1 ? "" : "s", t.records,
		    t.count[DIAG_ERROR], t.count[DIAG_ERROR] == 1 ? "" : "s",
		    t.count[DIAG_WARNING],
		    t.count[DIAG_WARNING] == 1 ? "" : "s", t.count[DIAG_INFO],
		    t.suppressed);
	if (outside != NULL)
		dns_free(outside);
	bad = t.count[DIAG_ERROR] + (a.strict ? t.count[DIAG_WARNING] : 0);
	rc = t.unreadable ? CLI_EXIT_USAGE :
	    cli_check_status(t.incomplete, bad);
	return cli_finish(prog, rc);
}
