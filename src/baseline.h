/*
 * baseline.h -- an earlier run's JSON Lines: what `--baseline` compares
 * with and what `--resume` skips.
 *
 * A report is reduced to a snapshot of what monitoring cares about (the
 * score, the SPF lookup count, the record texts, the findings), taken the
 * same way from a line of an earlier run and from this run's JSON object,
 * so both sides of a comparison are read by one piece of code.  The file
 * is read line by line with a hard maximum per line and kept only for the
 * domains of the current run: a huge or hostile baseline is an error or is
 * skipped, never an unbounded allocation.
 */
#ifndef AUTHCHECK_BASELINE_H
#define AUTHCHECK_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

struct json_t;

#define BASELINE_MAX_LINE (16u << 20)	/* bytes of one JSON line */
#define BASELINE_MAX_KEPT (1ull << 30)	/* bytes of lines kept, in all */

/* The record texts compared, in the order changes are shown. */
enum snap_record {
	SNAP_SPF, SNAP_DMARC, SNAP_MX, SNAP_MTASTS_ID, SNAP__RECORDS
};

struct snap_finding {
	char *id;		/* "spf.ptr" */
	char *severity;		/* "error", "warning", "info" */
	char *domain;		/* the name it is about, or NULL */
};

struct snap_dkim {
	char *selector;
	char *record;		/* the key record found */
};

/* What one report says, as far as monitoring compares it. */
struct snap {
	char *domain;
	char *verdict;
	long score;			/* -1: not in the report */
	long spf_lookups;		/* -1: not in the report */
	char *record[SNAP__RECORDS];	/* NULL: none published */
	struct snap_dkim *dkim;		/* selectors found */
	size_t ndkim;
	struct snap_finding *f;
	size_t nf;
};

/* One record text that changed ("spf", "dmarc", "mx", "mta-sts id",
 * "dkim SELECTOR"); old or new NULL when it appeared or went away. */
struct change_record {
	char what[80];
	const char *old, *new;	/* borrowed from the snapshots */
};

/* The differences between a domain's earlier and current report.  Strings
 * are borrowed from both snapshots, which must outlive it. */
struct changes {
	bool new_domain;		/* not in the baseline */
	long score_old, score_new;
	long lookups_old, lookups_new;
	const struct snap_finding **appeared, **fixed;
	size_t nappeared, nfixed;
	struct change_record *rec;
	size_t nrec;
	unsigned long new_errors;	/* appeared with severity error */
	unsigned long new_warnings;
};

/* Fill s from one report object (render_json_check_new()).  Returns 0,
 * -1 when memory ran out, 1 when o is not a report (no "domain"). */
int snap_from_json(struct snap *s, const struct json_t *o);
void snap_free(struct snap *s);

/* Compare: old may be NULL (the domain is new).  Returns 0, or -1 when
 * memory ran out.  Free with changes_free(). */
int changes_compute(struct changes *ch, const struct snap *old,
    const struct snap *cur);
void changes_free(struct changes *ch);
/* Something to report (a new domain counts). */
bool changes_any(const struct changes *ch);
/* Add "changes" to a report object: {new_domain, score: {old, new},
 * spf_lookups: {old, new}, appeared, fixed, records, new_errors,
 * new_warnings} (authcheck(1), JSON OUTPUT).  0, or -1 when memory ran
 * out. */
int changes_put_json(struct json_t *o, const struct changes *ch);

/* A set of domain names (compared case-insensitively, without a trailing
 * dot), each with the snapshot an earlier run held for it. */
struct baseline;

struct baseline *baseline_new(void);
void baseline_free(struct baseline *b);
/* Add a name to the set (no snapshot yet).  0, or -1 out of memory. */
int baseline_want(struct baseline *b, const char *domain);
/* Whether the name is in the set; its snapshot (NULL if none loaded). */
bool baseline_has(const struct baseline *b, const char *domain);
const struct snap *baseline_find(const struct baseline *b,
    const char *domain);

/* Read an earlier run's JSON Lines from path and keep the snapshots of
 * the names already in the set (baseline_want()); later lines win.
 * Returns 0, or -1 with a message in err (unreadable file, a line longer
 * than BASELINE_MAX_LINE, lines kept longer than BASELINE_MAX_KEPT in all,
 * a line that is not a report, out of memory). */
int baseline_load(struct baseline *b, const char *path, char *err,
    size_t errsize);

/*
 * --resume: add every domain reported in the JSON Lines file path to the
 * set.  A last line without its newline (the run was killed while
 * writing it) is cut off the file, so its domain is checked again.  A
 * missing file is an empty one.  Returns the number of domains read, or
 * -1 with a message in err.
 */
long baseline_resume_scan(struct baseline *b, const char *path, char *err,
    size_t errsize);

#endif
