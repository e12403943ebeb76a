/* buf.c -- growable byte buffer with a hard maximum (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->err = b->oom = false;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = b->oom = false;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static bool
buf_grow(struct buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->err)
		return false;
	if (need > b->max - b->len) {
		b->err = true;
		return false;
	}
	if (b->len + need + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + need + 1)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->err = b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (!buf_grow(b, n))
		return;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_grow(b, (size_t)n)) {
		b->err = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
buf_str(const struct buf *b)
{
	return b->p != NULL ? b->p : "";
}

char *
buf_take(struct buf *b)
{
	char *p;

	if (b->err) {
		buf_free(b);
		b->err = false;
		return NULL;
	}
	p = b->p != NULL ? b->p : strdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

char *
buf_strndup(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s != NULL) {
		if (n > 0)
			memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

char *
buf_strdup(const char *s)
{
	return s != NULL ? buf_strndup(s, strlen(s)) : NULL;
}

bool
buf_grow_array(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	if ((np = realloc(*p, ncap * size)) == NULL)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

void
buf_errf(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	if (errsize == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
}
