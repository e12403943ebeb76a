/*
 * buf.h -- growable byte buffer with a hard maximum and a sticky error.
 *
 * Modelled on curl's dynbuf: every buffer has a maximum size chosen by its
 * owner; appending past it sets `err` and further appends are ignored, so a
 * caller checks once at the end instead of after every append.  The content
 * is always NUL-terminated (the NUL is not counted in `len`).
 */
#ifndef AUTHCHECK_BUF_H
#define AUTHCHECK_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *p;	/* content, NUL-terminated; NULL until the first append */
	size_t len;	/* bytes used, not counting the NUL */
	size_t cap;	/* bytes allocated */
	size_t max;	/* hard limit on len */
	bool err;	/* an append failed (over max or out of memory) */
	bool oom;	/* ... because memory ran out: what the caller built
			 * is lost, not merely too long */
};

/*
 * The maxima, named for what a buffer holds (as curl's DYN_* limits): a
 * buffer is started with one of these or with a limit named in its own
 * module (RECORD_MAX, JOIN_MAX, GEN_RECORD_MAX ...), never a bare number,
 * so each limit has one reason and one place to change it.
 */
#define BUF_MAX_LINE	1024	/* one line: a message, a mail address, a
				 * provider note, a list of host names */
#define BUF_MAX_NAME	600	/* a DNS name built from parts (a 253-byte
				 * domain under a selector, a report host,
				 * with room to spare) or one short record
				 * around it ("v=spf1 include:NAME") */
#define BUF_MAX_TEXT	4096	/* a few lines: a computed fix with the
				 * record it corrects, curl's resolve entry */
#define BUF_MAX_PATH	4096	/* a file path (PATH_MAX on Linux) */
#define BUF_MAX_RECORD	8192	/* a record built for display: a DKIM key
				 * record of an 8192-bit RSA key fits */
#define BUF_MAX_ZONE_LINE 16384	/* one zone-file line of a generated record,
				 * its TXT strings quoted and split */
#define BUF_MAX_OUTPUT	(1u << 20)	/* a whole output built in memory
					 * (the findings catalogue) */

/* Write a message into the caller's fixed error buffer err[0..errsize)
 * (the "char *err, size_t errsize" convention of loaders); truncated to
 * fit, nothing written when errsize is 0. */
void buf_errf(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Start an empty buffer that may hold at most `max` bytes. */
void buf_init(struct buf *b, size_t max);
/* Release the memory; the buffer may be reused after buf_init(). */
void buf_free(struct buf *b);
/* Forget the content, keep the allocation and the maximum. */
void buf_reset(struct buf *b);
/* Append bytes; on overflow sets b->err and appends nothing. */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The content as a C string ("" when empty); valid until the next append. */
const char *buf_str(const struct buf *b);
/* Hand the content to the caller (malloc'd, NUL-terminated), or NULL when
 * b->err is set; the buffer is left empty. */
char *buf_take(struct buf *b);

/* A malloc'd NUL-terminated copy of p[0..n) (any bytes), or NULL when out
 * of memory.  buf_strdup(NULL) is NULL. */
char *buf_strndup(const char *p, size_t n);
char *buf_strdup(const char *s);

/* Room for `need` elements of `size` bytes in the malloc'd array *p of
 * *cap elements (grown by doubling, from 64); false when out of memory,
 * the array then untouched. */
bool buf_grow_array(void **p, size_t *cap, size_t need, size_t size);

#endif
