/*
 * zone_lint.h -- the checks of `authcheck zone`: email-authentication
 * records linted offline, straight from zone files.
 *
 * One streaming pass over the file (zone_read, $INCLUDEs followed) keeps
 * only what the checks need: a compact hash index of the owner names
 * (zone_index.h: types present, counts of SPF/DMARC/DKIM/MX records,
 * CNAMEs), the TXT records that SPF may look up, and the in-zone MX
 * targets.  DMARC and DKIM records
 * and everything a single record shows are checked during the pass; the
 * SPF trees (spf_lint_record() over a resolver answering from the index),
 * MX targets that are CNAMEs and the TXT answer sizes after it.
 *
 * Records are taken as a server loads them: an identical copy (same
 * owner, class, type and rdata) is dropped with an info finding before any
 * check counts it; a rejected line leaves its name and type known, so it
 * causes no findings beyond its own zone.syntax.  After the pass, DKIM
 * selectors and _dmarc names that are CNAMEs are followed to the record
 * they lead to, an apex with MX records is checked for SPF and DMARC
 * records, and a SOA not at the zone's top is reported.
 *
 * Every finding carries the file and line of the record it is about (the
 * $INCLUDEd file's own name and line when it came from one).  A finding is
 * dropped when its ID is in opts->ignore or named on the record's line by
 * a comment "; authcheck: ignore ID[,ID]...".  The files are only read.
 */
#ifndef AUTHCHECK_ZONE_LINT_H
#define AUTHCHECK_ZONE_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct dns_resolver;

struct zone_lint_opts {
	const char *origin;	/* --origin; NULL: the file name's (NAME.zone,
				 * NAME.db, db.NAME), $ORIGIN overriding */
	struct dns_resolver *outside;	/* answers names outside the zone
				 * (--live, --zone OTHER); NULL: offline, such
				 * names are counted (zone.outside-lookups) */
	const bool *ignore;	/* DIAG__COUNT flags (--ignore), or NULL */
};

struct zone_lint_stats {
	unsigned long records;		/* records read */
	unsigned long suppressed;	/* findings dropped by an ignore */
	bool incomplete;		/* a query through opts->outside failed */
};

/* Words of a set of finding IDs. */
#define ZONE_LINT_IDSET_WORDS ((DIAG__COUNT + 63) / 64)

/*
 * Parse the inline suppression comment p[0..len) (the text after ';'):
 * "authcheck: ignore ID[,ID]..." (IDs separated by commas and/or blanks).
 * Sets the bits of the known IDs in set (unknown names are skipped) and
 * returns true when the comment is such a directive.
 */
bool zone_lint_parse_ignore(const char *p, size_t len,
    uint64_t set[ZONE_LINT_IDSET_WORDS]);

/*
 * Lint the zone file at path; findings go to sink (may be NULL).  *st is
 * filled (may be NULL).  Returns 0; -1 when path cannot be opened or read
 * (errno set, nothing reported); -2 when memory ran out (the findings are
 * then incomplete).
 */
int zone_lint_file(const char *path, const struct zone_lint_opts *opts,
    struct diag_sink *sink, struct zone_lint_stats *st);

/*
 * The same on a zone held in memory (p, len; no NUL needed); name is used
 * in findings and for the origin guess.  $INCLUDE is refused (reported as
 * zone.syntax), so untrusted input cannot reach the file system.  Returns
 * 0 or -2 as above.
 */
int zone_lint_mem(const char *p, size_t len, const char *name,
    const struct zone_lint_opts *opts, struct diag_sink *sink,
    struct zone_lint_stats *st);

#endif
