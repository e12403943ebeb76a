/*
 * smtp.h -- the SMTP probe: connect, greeting, EHLO, STARTTLS (or
 * implicit TLS), EHLO again, QUIT.  Never MAIL FROM, RCPT TO or DATA: the
 * probe sends no mail.
 *
 * smtp_run() carries every probe of a run at once in one poll() loop:
 * non-blocking sockets and non-blocking TLS handshakes (tls.c), a
 * deadline per step, at most `per_ip` connections to one address and
 * `max_conns` in all.  A hostile server is bounded: a reply line longer
 * than SMTP_MAX_LINE, a reply of more than SMTP_MAX_REPLY_LINES lines, a
 * certificate chain over TLS_MAX_CERT_LIST bytes, or a step that does not
 * end before its deadline end the probe with a result that says so.
 * The judgement (findings) is the caller's (transport.c).
 */
#ifndef AUTHCHECK_SMTP_H
#define AUTHCHECK_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "ip.h"
#include "tls.h"

#define SMTP_MAX_LINE		2048	/* bytes of one reply line */
#define SMTP_MAX_REPLY_LINES	100	/* lines of one reply */
#define SMTP_TEXT_SIZE		1024	/* greeting text kept */
#define SMTP_DEFAULT_TIMEOUT	10.0	/* seconds per step */
#define SMTP_DEFAULT_PER_IP	2
#define SMTP_DEFAULT_MAX_CONNS	64

/* How TLS is started. */
enum smtp_tls_mode {
	SMTP_TLS_STARTTLS,	/* port 25, 587: EHLO, STARTTLS (RFC 3207) */
	SMTP_TLS_IMPLICIT	/* port 465: TLS first (RFC 8314 §3) */
};

/* The steps of the dialogue, in order. */
enum smtp_step {
	SMTP_STEP_NONE = 0,
	SMTP_STEP_CONNECT,
	SMTP_STEP_TLS_IMPLICIT,
	SMTP_STEP_GREETING,
	SMTP_STEP_EHLO,
	SMTP_STEP_HELO,
	SMTP_STEP_STARTTLS,
	SMTP_STEP_TLS,
	SMTP_STEP_EHLO_TLS,
	SMTP_STEP_QUIT,
	SMTP_STEP_DONE
};

enum smtp_connect {
	SMTP_CONN_NOT_TRIED = 0,
	SMTP_CONN_OK,
	SMTP_CONN_TIMEOUT,
	SMTP_CONN_REFUSED,
	SMTP_CONN_ERROR,	/* host unreachable, reset, ... */
	SMTP_CONN_NO_ROUTE	/* this machine has no route to the
				 * address's network (often: no IPv6):
				 * says nothing about the server */
};

/* Why a dialogue stopped before QUIT (SMTP_END_OK: it did not). */
enum smtp_end {
	SMTP_END_OK = 0,
	SMTP_END_NOT_CONNECTED,		/* see connect */
	SMTP_END_GREETING_REFUSED,	/* not 220: greeting_code, greeting */
	SMTP_END_TIMEOUT,		/* at step `end_step` */
	SMTP_END_DROPPED,		/* the server closed the connection */
	SMTP_END_BAD_REPLY,		/* not SMTP, or over the limits */
	SMTP_END_TLS_FAILED,		/* handshake failed: tls_error */
	SMTP_END_INTERNAL		/* out of memory, no sockets */
};

/* EHLO keywords (RFC 5321 §4.1.1.1 and their own RFCs). */
enum {
	SMTP_EXT_STARTTLS = 1u << 0,
	SMTP_EXT_SIZE = 1u << 1,
	SMTP_EXT_PIPELINING = 1u << 2,
	SMTP_EXT_8BITMIME = 1u << 3,
	SMTP_EXT_SMTPUTF8 = 1u << 4,
	SMTP_EXT_REQUIRETLS = 1u << 5,
	SMTP_EXT_CHUNKING = 1u << 6,
	SMTP_EXT_AUTH = 1u << 7,
	SMTP_EXT_ENHANCEDSTATUSCODES = 1u << 8,
	SMTP_EXT_DSN = 1u << 9
};
#define SMTP_NEXT 10	/* keywords in the table (smtp_ext_name) */

/* One probe: what to reach (filled in by the caller) and what happened. */
struct smtp_probe {
	/* in */
	const char *host;		/* the name: SNI and certificate match */
	struct ipaddr ip;
	unsigned port;
	enum smtp_tls_mode mode;
	bool skip;			/* not probed (the caller says why) */
	const struct tls_tlsa *tlsa;	/* DANE: match the chain against
					 * these (tls.dane_* then says) */
	size_t ntlsa;
	const char *tlsa_base;		/* their TLSA base domain */
	/* out */
	enum smtp_connect connect;
	char connect_error[128];
	double connect_ms;
	enum smtp_end end;
	enum smtp_step end_step;	/* the step it ended at */
	char end_detail[160];		/* what happened there */
	int greeting_code;		/* 0: none received */
	char greeting[SMTP_TEXT_SIZE];	/* the lines, without codes, joined
					 * with "\n"; cut at the size */
	int ehlo_code;			/* 0: not sent */
	bool helo_fallback;		/* EHLO refused, HELO sent */
	unsigned ext;			/* SMTP_EXT_* before TLS */
	unsigned ext_tls;		/* ... in the EHLO after TLS */
	unsigned long size_limit;	/* SIZE value, 0 = none given */
	char auth[128];			/* AUTH mechanisms before TLS */
	char auth_tls[128];		/* ... after TLS */
	int starttls_code;		/* reply to STARTTLS, 0: not sent */
	bool tls_done;			/* handshake complete: tls valid */
	struct tls_info tls;
	char tls_error[256];
	double total_ms;
};

struct smtp_opts {
	const char *helo;		/* EHLO name */
	double timeout;			/* seconds per step; 0 = default */
	unsigned per_ip;		/* 0 = SMTP_DEFAULT_PER_IP */
	unsigned max_conns;		/* 0 = SMTP_DEFAULT_MAX_CONNS */
	const char *ca_file;		/* NULL: the system CA store */
};

/*
 * Run every probe of p[0..n) that is not `skip`, all at once.  Returns 0,
 * or -1 when the TLS context could not be made (err says why; the probes
 * are not run) or memory ran out (the probes not run say
 * SMTP_END_INTERNAL).
 */
int smtp_run(struct smtp_probe *p, size_t n, const struct smtp_opts *o,
    char *err, size_t errsize);

/*
 * The engine behind smtp_run(), for callers that learn their probes over
 * time (the domain report starts a probe as soon as DNS has given an MX
 * host's addresses, while the rest of the DNS work goes on):
 *   smtp_engine_new()    an engine with opts o (kept by pointer: it must
 *                        outlive the engine); NULL when out of memory;
 *   smtp_engine_add()    from any thread: one probe to run.  p is the
 *                        engine's until smtp_engine_run() has returned
 *                        (the caller must not read its results before);
 *                        -1 when out of memory or already closed;
 *   smtp_engine_close()  from any thread: no more adds;
 *   smtp_engine_run()    in one thread: the poll() loop, until closed and
 *                        every probe added has ended.  0, or -1 when no
 *                        TLS context could be made (err says why; no
 *                        probe was run) or out of memory;
 *   smtp_engine_free()   after run has returned (or was never called).
 * The caps (per_ip, max_conns) and the per-step deadline hold over every
 * probe of the engine, whenever it was added; probes start in the order
 * they were added.
 */
struct smtp_engine;

struct smtp_engine *smtp_engine_new(const struct smtp_opts *o);
int smtp_engine_add(struct smtp_engine *e, struct smtp_probe *p);
void smtp_engine_close(struct smtp_engine *e);
int smtp_engine_run(struct smtp_engine *e, char *err, size_t errsize);
void smtp_engine_free(struct smtp_engine *e);

/*
 * Parse one reply line p[0..len) without its CRLF (RFC 5321 §4.2): a code
 * 200..599, then nothing, ' ' (the last line) or '-' (more follow), then
 * text.  Fills *code, *last and *text_off (where the text starts, <= len).
 * False when the line is not a reply line.
 */
bool smtp_reply_line(const char *p, size_t len, int *code, bool *last,
    size_t *text_off);

/*
 * One line of an EHLO reply after the first, p[0..len) (the text after
 * the code): the keyword's SMTP_EXT_* bit into *ext; for AUTH its
 * mechanisms into auth[0..authsize) (printable ASCII, cut to fit), for
 * SIZE its value into *size (NULL: not wanted).  Unknown keywords are
 * ignored.
 */
void smtp_ehlo_line(const char *p, size_t len, unsigned *ext, char *auth,
    size_t authsize, unsigned long *size);

/* The machine's fully qualified name for EHLO (gethostname, then its
 * canonical name); "localhost" when it has none.  Into out. */
void smtp_default_helo(char *out, size_t outsize);

/* "STARTTLS", "SIZE", ... for bit i (0..SMTP_NEXT); NULL past the end. */
const char *smtp_ext_name(unsigned i);
/* "connect", "greeting", "EHLO", "STARTTLS", "TLS handshake", ... */
const char *smtp_step_name(enum smtp_step s);
/* "ok", "timeout", "refused", "error", "not tried" */
const char *smtp_connect_name(enum smtp_connect c);
/* What a refusing greeting code means, one line (421, 450, 554, ...). */
const char *smtp_code_meaning(int code);

#endif
