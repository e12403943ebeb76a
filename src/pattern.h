/*
 * pattern.h -- data-driven regular expressions (PCRE2), the one module that
 * includes PCRE2.
 *
 * Patterns come from data files (provider fingerprints) and users, so they
 * are compiled with limits: a match may not run away on hostile subjects.
 * Matching is case-insensitive and anchored only as the pattern says
 * ("^...$").
 */
#ifndef AUTHCHECK_PATTERN_H
#define AUTHCHECK_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

struct pattern;

/* Longest pattern text accepted (bytes). */
#define PATTERN_MAX_LEN 1024

/*
 * Compile p[0..len).  Returns the compiled pattern (free with
 * pattern_free), or NULL with a message in err ("missing ) at offset 4")
 * when the pattern is invalid, too long, or memory runs out.
 */
struct pattern *pattern_compile(const char *p, size_t len, char *err,
    size_t errsize);
/* True when the pattern matches somewhere in s[0..len).  A match that hits
 * the match or depth limit counts as no match. */
bool pattern_match(const struct pattern *pat, const char *s, size_t len);
void pattern_free(struct pattern *pat);

#endif
