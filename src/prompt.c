/*
 * prompt.c -- question and answer lines (prompt.h); libedit lives here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <editline/readline.h>

#include "prompt.h"

struct prompt {
	bool tty;
	FILE *out;
	char line[PROMPT_MAX_LINE + 2];
};

struct prompt *
prompt_new(bool tty, FILE *out)
{
	struct prompt *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->tty = tty;
	p->out = out;
	if (tty) {
		rl_outstream = out;
		/* No file-name completion: answers are names, not paths. */
		rl_bind_key('\t', rl_insert);
		using_history();
	}
	return p;
}

void
prompt_free(struct prompt *p)
{
	if (p != NULL && p->tty)
		clear_history();
	free(p);
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The answer that is never valid, so that callers re-ask. */
static const char *
refuse(struct prompt *p)
{
	p->line[0] = '\x01';
	p->line[1] = '\0';
	return p->line;
}

/* Copy s[0..n) trimmed into p->line; "\x01" when too long or holding
 * control characters (terminal escapes must not come back out). */
static const char *
keep_line(struct prompt *p, const char *s, size_t n)
{
	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	while (n > 0 && is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	if (n > PROMPT_MAX_LINE)
		return refuse(p);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return refuse(p);
	}
	memmove(p->line, s, n);
	p->line[n] = '\0';
	return p->line;
}

/* One line of standard input, read byte by byte (fgets would stop
 * reading at a NUL's string end and take the next line for the rest of
 * this one).  A line that does not fit is read past and refused; the
 * answer is echoed, unless refused, so the transcript reads like a
 * session. */
static const char *
read_line(struct prompt *p)
{
	size_t n = 0;
	bool too_long = false;
	const char *r;
	int c;

	while ((c = getchar()) != EOF && c != '\n') {
		if (n < sizeof(p->line) - 1)
			p->line[n++] = (char)c;
		else
			too_long = true;
	}
	if (c == EOF && n == 0)
		return NULL;
	r = too_long ? refuse(p) : keep_line(p, p->line, n);
	if (r[0] != '\x01')
		fwrite(r, 1, strlen(r), p->out);
	putc('\n', p->out);
	return r;
}

const char *
prompt_ask(struct prompt *p, const char *question)
{
	if (p->tty) {
		char *l = readline(question);
		const char *r;

		if (l == NULL)
			return NULL;
		r = keep_line(p, l, strlen(l));
		if (r[0] != '\0' && r[0] != '\x01')
			add_history(l);
		free(l);
		return r;
	}
	fputs(question, p->out);
	fflush(p->out);
	return read_line(p);
}
