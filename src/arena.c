/* arena.c -- bump allocator in large chunks (see arena.h). */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	/* data follows at HDR */
};

#define HDR	((sizeof(struct arena_chunk) + 15) & ~(size_t)15)
#define ALIGN(n) (((n) + 15) & ~(size_t)15)

static void *
chunk_data(struct arena_chunk *c)
{
	return (char *)c + HDR;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t csize = a->chunk_size ? a->chunk_size : 64 * 1024, size;
	struct arena_chunk *c = a->head;
	void *p;

	if (n > ((size_t)-1) / 2)
		return NULL;
	n = ALIGN(n);
	if (c != NULL)	/* arena_strndup() leaves it unaligned */
		c->used = ALIGN(c->used) < c->size ? ALIGN(c->used) : c->size;
	if (c == NULL || c->size - c->used < n) {
		size = n > csize - HDR ? n + HDR : csize;
		if ((c = malloc(size)) == NULL)
			return NULL;
		c->size = size - HDR;
		c->used = 0;
		/* A one-off big block goes behind the current chunk, whose
		 * free space stays in use. */
		if (a->head != NULL && size > csize) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (char *)chunk_data(c) + c->used;
	c->used += n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	struct arena_chunk *c = a->head;
	char *p;

	if (c != NULL && c->size - c->used >= n + 1) {
		p = (char *)chunk_data(c) + c->used;
		c->used += n + 1;
	} else if ((p = arena_alloc(a, n + 1)) == NULL) {
		return NULL;
	}
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}
