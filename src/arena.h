/*
 * arena.h -- bump allocator in large chunks, freed all at once.
 *
 * For data that lives exactly as long as its owner (a resolver's cache, a
 * loaded zone): millions of small names and records cost one malloc per
 * chunk instead of one each, and nothing is freed piecemeal.
 */
#ifndef AUTHCHECK_ARENA_H
#define AUTHCHECK_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;	/* current chunk first */
	size_t chunk_size;		/* bytes per chunk; 0 = 64 KiB */
};

/* n bytes aligned to 16, or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of s[0..n) (any bytes), packed without alignment. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Free every chunk; the arena is empty and reusable afterwards. */
void arena_free(struct arena *a);

#endif
