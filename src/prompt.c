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
		goto bad;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			goto bad;
	}
	memmove(p->line, s, n);
	p->line[n] = '\0';
	return p->line;
bad:
	p->line[0] = '\x01';
	p->line[1] = '\0';
	return p->line;
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
	if (fgets(p->line, sizeof(p->line), stdin) == NULL)
		return NULL;
	if (strchr(p->line, '\n') == NULL && !feof(stdin)) {
		int c;

		/* Longer than the buffer: read past the rest, refuse it. */
		while ((c = getchar()) != EOF && c != '\n')
			;
		p->line[0] = '\x01';
		p->line[1] = '\0';
		putc('\n', p->out);
		return p->line;
	}
	/* Echo the answer so the transcript reads like a session. */
	fputs(p->line, p->out);
	if (strchr(p->line, '\n') == NULL)
		putc('\n', p->out);
	return keep_line(p, p->line, strlen(p->line));
}
