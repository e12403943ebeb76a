/*
 * prompt.h -- ask a question, read one answer line: with line editing and
 * history (libedit) when a person is at a terminal, else one line per
 * answer from standard input (scripts, tests).  The only libedit user.
 */
#ifndef AUTHCHECK_PROMPT_H
#define AUTHCHECK_PROMPT_H

#include <stdbool.h>
#include <stdio.h>

/* Longest answer accepted; a longer line is refused and read past. */
#define PROMPT_MAX_LINE 1024

struct prompt;

/* Start prompting; tty selects libedit.  Questions (and, without a
 * terminal, the echoed answers) are written to out.  NULL when out of
 * memory. */
struct prompt *prompt_new(bool tty, FILE *out);
void prompt_free(struct prompt *p);
/*
 * Print question (no newline needed) and read the answer, with leading
 * and trailing white space removed.  Returns a string owned by p, valid
 * until the next call; NULL at end of input.  A line longer than
 * PROMPT_MAX_LINE or holding control characters yields "\x01" (never a
 * valid answer), so callers re-ask.
 */
const char *prompt_ask(struct prompt *p, const char *question);

#endif
