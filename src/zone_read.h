/*
 * zone_read.h -- a streaming reader for RFC 1035 master (zone) files.
 *
 * Built for speed on large zones: the file is read in large blocks, each
 * entry (one line, or several joined by parentheses) is split into tokens
 * that point into the read buffer, and the record handed to the callback
 * lives in buffers the reader reuses.  Nothing is allocated per line.
 *
 * Every record is checked: a syntax error is reported with file and line
 * through the error callback and reading goes on with the next entry, so
 * one bad line does not hide the records after it.
 *
 * Supported: $ORIGIN, $TTL, $INCLUDE FILE [ORIGIN] (relative to the
 * including file's directory, nested at most ZONE_INCLUDE_DEPTH deep),
 * BIND's $GENERATE (as BIND 9 expands it; at most 65536 records per
 * directive, each reported at the directive's line),
 * "@", relative names, an omitted owner (the previous one), omitted TTL and
 * class in either order, TTL units ("1h30m"), parentheses, quoted strings
 * with \X and \DDD escapes, comments, CRLF, a missing final newline,
 * TYPEnnn / CLASSnnn and the RFC 3597 "\# LEN HEX" form.  Every type of
 * the IANA registry is known by its mnemonic; most have their number of
 * fields checked, the rarest none (ZONE_RR_UNCHECKED).
 */
#ifndef AUTHCHECK_ZONE_READ_H
#define AUTHCHECK_ZONE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip.h"

#define ZONE_INCLUDE_DEPTH 8
/* Longest owner/target text we hand out: 255 wire octets, each of which
 * may be written as "\DDD" in presentation form. */
#define ZONE_NAME_MAX 1024

enum zone_err_kind {
	ZONE_ERR_SYNTAX = 1,	/* a record or directive cannot be parsed */
	ZONE_ERR_STRING_TOO_LONG, /* a character-string over 255 octets */
	ZONE_ERR_INCLUDE,	/* an $INCLUDE file cannot be read, or too deep */
	ZONE_ERR_LIMIT		/* an entry too large to read: rest skipped */
};

/* A name in the record: absolute, presentation form (escapes kept), no
 * trailing dot; "" is the root. */
struct zone_name {
	const char *p;
	size_t len;
};

struct zone_error {
	const char *file;	/* the file (as opened) holding the error */
	unsigned long line;	/* 1-based */
	enum zone_err_kind kind;
	const char *msg;	/* without file and line */
	/* A record whose owner and type were read but whose rdata was
	 * rejected: type != 0 and owner (lowercase) set, so that the user
	 * can tell the name and type exist (a server refusing the line is
	 * the zone's one problem, not what lookups of it then miss). */
	uint16_t type;
	struct zone_name owner;
};

/* One character-string after unescaping (TXT, SPF, HINFO). */
struct zone_str {
	const char *p;
	size_t len;		/* > 255 only with ZONE_RR_STRING_TOO_LONG */
};

/* rr->flags */
#define ZONE_RR_GENERIC		0x1	/* rdata was given as "\# LEN HEX" */
#define ZONE_RR_STRING_TOO_LONG	0x2	/* a string over 255 octets (the error
					 * was reported; strings kept whole) */
#define ZONE_RR_UNCHECKED	0x4	/* a registered type known by name only
					 * (AMTRELAY, WALLET, ...): its rdata
					 * was not checked at all */

/*
 * One record.  Every pointer is valid only during the callback.
 * owner is lowercase; owner_orig is the same name in the file's case.
 * rdata_text is the rdata tokens joined by one space (quoted strings keep
 * their quotes), whatever the type.  The union is filled for A, AAAA, NS,
 * CNAME, PTR, MX, TXT, SPF and SOA (from text or from \# for A, AAAA, TXT
 * and SPF); other types are checked loosely and only rdata_text is set.
 */
struct zone_rr {
	struct zone_name owner;
	struct zone_name owner_orig;
	uint32_t ttl;
	uint16_t type;
	uint16_t class;
	unsigned flags;
	const char *rdata_text;
	size_t rdata_len;
	union {
		struct ipaddr addr;			/* A, AAAA */
		struct zone_name target;		/* NS, CNAME, PTR */
		struct {
			uint16_t pref;
			struct zone_name host;		/* "" for "." */
		} mx;
		struct {
			size_t n;
			const struct zone_str *s;
			size_t total;			/* sum of lengths */
		} txt;					/* TXT, SPF */
		struct {
			struct zone_name mname, rname;
			uint32_t serial, refresh, retry, expire, minimum;
		} soa;
	} u;
	const char *file;
	unsigned long line;		/* where the entry starts */
	const char *comment;		/* text after ';' on the first line, */
	size_t comment_len;		/* without ';' and line end; NULL if none */
};

/* Called for each record; a non-zero return stops the reader. */
typedef int zone_rr_cb(void *arg, const struct zone_rr *rr);
/* Called for each problem; may be NULL. */
typedef void zone_err_cb(void *arg, const struct zone_error *e);

/* zone_read_mem() flags */
#define ZONE_READ_NO_INCLUDE	0x1	/* $INCLUDE is an error (fuzzing,
					 * untrusted input) */

/*
 * Read the zone file at path.  origin (with or without the final dot; may
 * be NULL: then relative names are errors until an $ORIGIN) completes
 * relative names.  Returns -1 when path cannot be opened or read (errno
 * set, nothing reported), -2 when cb stopped the reading, else the number
 * of problems reported through errcb.
 */
int zone_read_file(const char *path, const char *origin, zone_rr_cb *cb,
    zone_err_cb *errcb, void *arg);

/*
 * The same on a zone held in memory (p, len; no NUL needed).  name is used
 * in messages and as the base for relative $INCLUDE paths.  Returns -2
 * when cb stopped the reading, else the number of problems reported.
 */
int zone_read_mem(const char *p, size_t len, const char *name,
    const char *origin, unsigned flags, zone_rr_cb *cb, zone_err_cb *errcb,
    void *arg);

/* The origin a file name implies, for files without $ORIGIN: "NAME.zone",
 * "NAME.db" or "db.NAME" give NAME (written into out); else NULL.  Shared
 * by --zone and `authcheck zone`, so both read a file the same way. */
const char *zone_origin_from_path(const char *path, char *out,
    size_t outsize);

/* The type code of a mnemonic ("TXT", "type99"), or 0 if unknown. */
uint16_t zone_type_code(const char *p, size_t len);
/* The mnemonic of a type code ("TXT"; static), or NULL if it has none. */
const char *zone_type_name(uint16_t code);

#endif
