/*
 * smtp.c -- the SMTP probe (smtp.h): every dialogue of a run in one
 * poll() loop.  Each connection is a small state machine driven by
 * readiness and by its step's deadline; nothing blocks.
 */
#include "smtp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
	struct smtp_probe *p;
	int fd;
	struct tls_conn *tls;
	enum smtp_step step;
	bool handshaking;
	enum tls_step want;		/* of the handshake */
	bool active, done;
	double t_start, t_step, deadline;
	char line[SMTP_MAX_LINE];
	size_t linelen;
	size_t nlines;			/* of the current reply */
	char out[600];
	size_t outlen, outoff;
};

/*
 * The engine (struct smtp_engine is `struct smtp_engine`): probes arrive from
 * other threads through a queue guarded by `mu` and a wake-up pipe; the
 * thread in smtp_engine_run() alone owns everything below `wait`.
 */
struct smtp_engine {
	pthread_mutex_t mu;
	struct smtp_probe **queue;	/* added, not yet seen by the loop */
	size_t nqueue, queue_cap;
	bool closed;			/* no more smtp_engine_add() */
	int wake[2];			/* pipe: a byte per add and close */
	/* the loop's own */
	struct smtp_probe **wait;	/* not started yet, in order (NULL:
					 * started) */
	size_t nwait, wait_head, wait_cap;
	struct conn **act;		/* connections under way */
	size_t nact;
	struct pollfd *pfd;		/* nact + 1 */
	const struct smtp_opts *o;
	unsigned per_ip, max_conns;
	struct tls_ctx *ctx;
	double timeout;
	const char *helo;
};

static const char *const ext_names[SMTP_NEXT] = {
	"STARTTLS", "SIZE", "PIPELINING", "8BITMIME", "SMTPUTF8",
	"REQUIRETLS", "CHUNKING", "AUTH", "ENHANCEDSTATUSCODES", "DSN"
};

const char *
smtp_ext_name(unsigned i)
{
	return i < SMTP_NEXT ? ext_names[i] : NULL;
}

const char *
smtp_step_name(enum smtp_step s)
{
	switch (s) {
	case SMTP_STEP_CONNECT: return "connect";
	case SMTP_STEP_TLS_IMPLICIT: return "TLS handshake (implicit TLS)";
	case SMTP_STEP_GREETING: return "greeting";
	case SMTP_STEP_EHLO: return "EHLO";
	case SMTP_STEP_HELO: return "HELO";
	case SMTP_STEP_STARTTLS: return "STARTTLS";
	case SMTP_STEP_TLS: return "TLS handshake";
	case SMTP_STEP_EHLO_TLS: return "EHLO after TLS";
	case SMTP_STEP_QUIT: return "QUIT";
	case SMTP_STEP_DONE: return "done";
	default: return "not started";
	}
}

const char *
smtp_connect_name(enum smtp_connect c)
{
	switch (c) {
	case SMTP_CONN_OK: return "ok";
	case SMTP_CONN_TIMEOUT: return "timeout";
	case SMTP_CONN_REFUSED: return "refused";
	case SMTP_CONN_ERROR: return "error";
	case SMTP_CONN_NO_ROUTE: return "no-route";
	default: return "not tried";
	}
}

const char *
smtp_code_meaning(int code)
{
	switch (code) {
	case 220: return "ready";
	case 421: return "the server is not accepting connections now "
	    "(overloaded, shutting down, or rate limiting this client): "
	    "senders queue the mail and retry";
	case 450: return "the server defers this client for now: senders "
	    "queue the mail and retry";
	case 554: return "the server refuses this client (often a blocklist "
	    "or a policy): senders bounce the mail";
	default:
		if (code >= 400 && code < 500)
			return "a temporary refusal: senders queue the mail and "
			    "retry";
		if (code >= 500 && code < 600)
			return "a permanent refusal: senders bounce the mail";
		return "not a greeting code of RFC 5321 §4.2";
	}
}

void
smtp_default_helo(char *out, size_t outsize)
{
	char name[256];
	struct addrinfo hints, *ai = NULL;

	snprintf(out, outsize, "localhost");
	if (gethostname(name, sizeof(name) - 1) != 0)
		return;
	name[sizeof(name) - 1] = '\0';
	if (strchr(name, '.') != NULL) {
		snprintf(out, outsize, "%s", name);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &ai) == 0 && ai != NULL &&
	    ai->ai_canonname != NULL && strchr(ai->ai_canonname, '.') != NULL)
		snprintf(out, outsize, "%s", ai->ai_canonname);
	else
		snprintf(out, outsize, "%s", name);
	if (ai != NULL)
		freeaddrinfo(ai);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Printable ASCII only: server text reaches terminals. */
static void
copy_safe(char *dst, size_t size, const char *src, size_t len)
{
	size_t k = len < size - 1 ? len : size - 1;

	for (size_t i = 0; i < k; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[k] = '\0';
}

static void
conn_close(struct conn *c)
{
	if (c->tls != NULL) {
		tls_conn_free(c->tls);
		c->tls = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

static void
finish(struct conn *c, enum smtp_end end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* End the dialogue: the result is final, the socket closed. */
static void
finish(struct conn *c, enum smtp_end end, const char *fmt, ...)
{
	struct smtp_probe *p = c->p;
	va_list ap;

	if (c->done)
		return;
	p->end = end;
	p->end_step = end == SMTP_END_OK ? SMTP_STEP_DONE : c->step;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(p->end_detail, sizeof(p->end_detail), fmt, ap);
		va_end(ap);
	}
	p->total_ms = now_ms() - c->t_start;
	conn_close(c);
	c->done = true;
	c->active = false;
}

static void
new_step(struct smtp_engine *L, struct conn *c, enum smtp_step s)
{
	c->step = s;
	c->t_step = now_ms();
	/* QUIT is a courtesy: a server that does not answer it costs at
	 * most two seconds. */
	c->deadline = c->t_step + (s == SMTP_STEP_QUIT && L->timeout > 2000 ?
	    2000 : L->timeout);
	c->nlines = 0;
}

/* Write what is queued; false when the connection failed (finished). */
static bool
flush(struct conn *c)
{
	while (c->outoff < c->outlen) {
		long w;

		if (c->tls != NULL) {
			w = tls_write(c->tls, c->out + c->outoff,
			    c->outlen - c->outoff);
		} else {
			w = send(c->fd, c->out + c->outoff,
			    c->outlen - c->outoff, MSG_NOSIGNAL);
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR))
				w = 0;
		}
		if (w < 0) {
			finish(c, SMTP_END_DROPPED, "the connection failed "
			    "while sending %s", smtp_step_name(c->step));
			return false;
		}
		if (w == 0)
			return true;
		c->outoff += (size_t)w;
	}
	c->outoff = c->outlen = 0;
	return true;
}

static void
send_cmd(struct smtp_engine *L, struct conn *c, enum smtp_step s, const char *cmd,
    const char *arg)
{
	int n = snprintf(c->out, sizeof(c->out), "%s%s%s\r\n", cmd,
	    arg ? " " : "", arg ? arg : "");

	new_step(L, c, s);
	c->outlen = n > 0 && (size_t)n < sizeof(c->out) ? (size_t)n : 0;
	c->outoff = 0;
	(void)flush(c);
}

static void after_tls(struct smtp_engine *L, struct conn *c);

static void
tls_progress(struct smtp_engine *L, struct conn *c)
{
	struct smtp_probe *p = c->p;

	c->want = tls_handshake(c->tls);
	switch (c->want) {
	case TLS_DONE:
		c->handshaking = false;
		p->tls_done = true;
		tls_inspect(c->tls, p->host, time(NULL), &p->tls);
		after_tls(L, c);
		break;
	case TLS_FAILED:
		snprintf(p->tls_error, sizeof(p->tls_error), "%s",
		    tls_error(c->tls));
		finish(c, SMTP_END_TLS_FAILED, "%s", p->tls_error);
		break;
	default:
		break;
	}
}

static void
begin_tls(struct smtp_engine *L, struct conn *c, enum smtp_step s)
{
	struct smtp_probe *p = c->p;
	struct ipaddr dummy;

	new_step(L, c, s);
	c->linelen = 0;		/* nothing sent in clear before TLS counts */
	c->outlen = c->outoff = 0;
	/* SNI is a host name, never an address (RFC 6066 §3). */
	c->tls = tls_conn_new(L->ctx, c->fd, p->host != NULL &&
	    !ip_parse(p->host, strlen(p->host), &dummy) ? p->host : NULL);
	if (c->tls == NULL) {
		finish(c, SMTP_END_INTERNAL, "out of memory");
		return;
	}
	/* The chain is matched against the host's TLSA records during the
	 * handshake (RFC 7672 §3); an address literal has none. */
	if (p->ntlsa > 0 && p->tlsa_base != NULL &&
	    tls_conn_dane(c->tls, p->tlsa_base, p->host, p->tlsa,
	    p->ntlsa) < 0) {
		finish(c, SMTP_END_INTERNAL, "cannot enable DANE");
		return;
	}
	c->handshaking = true;
	tls_progress(L, c);
}

static void
after_tls(struct smtp_engine *L, struct conn *c)
{
	if (c->p->mode == SMTP_TLS_IMPLICIT)
		new_step(L, c, SMTP_STEP_GREETING);
	else
		send_cmd(L, c, SMTP_STEP_EHLO_TLS, "EHLO", L->helo);
}

static void
connected(struct smtp_engine *L, struct conn *c)
{
	struct smtp_probe *p = c->p;

	p->connect = SMTP_CONN_OK;
	p->connect_ms = now_ms() - c->t_start;
	if (p->mode == SMTP_TLS_IMPLICIT)
		begin_tls(L, c, SMTP_STEP_TLS_IMPLICIT);
	else
		new_step(L, c, SMTP_STEP_GREETING);
}

/* A connect error that is about this machine, not the server. */
static enum smtp_connect
classify(int e, int family)
{
	if (e == ECONNREFUSED)
		return SMTP_CONN_REFUSED;
	if (e == ETIMEDOUT)
		return SMTP_CONN_TIMEOUT;
	/* No IPv6 on this machine shows as "host unreachable" from its own
	 * stack; for IPv4 that error usually comes from the far side. */
	if (e == ENETUNREACH || e == EADDRNOTAVAIL || e == EAFNOSUPPORT ||
	    (e == EHOSTUNREACH && family == 6))
		return SMTP_CONN_NO_ROUTE;
	return SMTP_CONN_ERROR;
}

static void
start(struct smtp_engine *L, struct conn *c)
{
	struct smtp_probe *p = c->p;
	struct sockaddr_storage ss;
	socklen_t sl;
	int e;

	c->active = true;
	c->t_start = now_ms();
	new_step(L, c, SMTP_STEP_CONNECT);
	memset(&ss, 0, sizeof(ss));
	if (p->ip.family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p->port);
		memcpy(&s4->sin_addr, p->ip.a, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p->port);
		memcpy(&s6->sin6_addr, p->ip.a, 16);
		sl = sizeof(*s6);
	}
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->fd < 0) {
		p->connect = classify(errno, p->ip.family);
		snprintf(p->connect_error, sizeof(p->connect_error), "%s",
		    strerror(errno));
		finish(c, SMTP_END_NOT_CONNECTED, "socket: %s", strerror(errno));
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0) {
		connected(L, c);
		return;
	}
	if (errno == EINPROGRESS)
		return;
	e = errno;
	p->connect = classify(e, p->ip.family);
	snprintf(p->connect_error, sizeof(p->connect_error), "%s",
	    strerror(e));
	finish(c, SMTP_END_NOT_CONNECTED, "%s", strerror(e));
}

static void
connect_done(struct smtp_engine *L, struct conn *c)
{
	struct smtp_probe *p = c->p;
	int e = 0;
	socklen_t el = sizeof(e);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
		e = errno;
	if (e == 0) {
		connected(L, c);
		return;
	}
	p->connect = classify(e, p->ip.family);
	snprintf(p->connect_error, sizeof(p->connect_error), "%s",
	    strerror(e));
	finish(c, SMTP_END_NOT_CONNECTED, "%s", strerror(e));
}

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static char
upper(char ch)
{
	return ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
}

void
smtp_ehlo_line(const char *t, size_t len, unsigned *ext, char *auth,
    size_t authsize, unsigned long *size)
{
	size_t kl = 0;
	char kw[32];

	while (kl < len && t[kl] != ' ' && t[kl] != '=' && kl < sizeof(kw) - 1) {
		kw[kl] = upper(t[kl]);
		kl++;
	}
	kw[kl] = '\0';
	for (unsigned i = 0; i < SMTP_NEXT; i++) {
		if (strcmp(kw, ext_names[i]) != 0)
			continue;
		*ext |= 1u << i;
		if (i == 7 && auth != NULL && authsize > 0 && kl < len &&
		    t[kl] == ' ')	/* AUTH */
			copy_safe(auth, authsize, t + kl + 1, len - kl - 1);
		if (i == 1 && size != NULL && kl < len && t[kl] == ' ') {
			unsigned long v = 0;

			for (size_t k = kl + 1; k < len && is_digit(t[k]) &&
			    v < 1000000000000UL; k++)
				v = v * 10 + (unsigned long)(t[k] - '0');
			*size = v;
		}
	}
}

bool
smtp_reply_line(const char *s, size_t len, int *code, bool *last,
    size_t *text_off)
{
	if (len < 3 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) ||
	    s[0] < '2' || s[0] > '5' || (len > 3 && s[3] != ' ' &&
	    s[3] != '-'))
		return false;
	*code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	*last = len == 3 || s[3] == ' ';
	*text_off = len > 3 ? 4 : 3;
	return true;
}

static void reply_done(struct smtp_engine *L, struct conn *c, int code);

/* One complete reply line (without CRLF). */
static void
got_line(struct smtp_engine *L, struct conn *c, const char *s, size_t len)
{
	struct smtp_probe *p = c->p;
	char preview[48];
	int code;
	bool last;
	size_t off;

	if (!smtp_reply_line(s, len, &code, &last, &off)) {
		copy_safe(preview, sizeof(preview), s, len);
		finish(c, SMTP_END_BAD_REPLY, "not an SMTP reply at %s: \"%s\"",
		    smtp_step_name(c->step), preview);
		return;
	}
	if (++c->nlines > SMTP_MAX_REPLY_LINES) {
		finish(c, SMTP_END_BAD_REPLY, "a reply of more than %d lines "
		    "at %s", SMTP_MAX_REPLY_LINES, smtp_step_name(c->step));
		return;
	}
	s += off;
	len -= off;
	if (c->step == SMTP_STEP_GREETING) {
		size_t have = strlen(p->greeting);

		if (have > 0 && have + 1 < sizeof(p->greeting))
			p->greeting[have++] = '\n';
		if (have < sizeof(p->greeting) - 1)
			copy_safe(p->greeting + have, sizeof(p->greeting) - have,
			    s, len);
	} else if ((c->step == SMTP_STEP_EHLO ||
	    c->step == SMTP_STEP_EHLO_TLS) && c->nlines > 1 &&
	    code >= 200 && code < 300) {
		if (c->step == SMTP_STEP_EHLO_TLS)
			smtp_ehlo_line(s, len, &p->ext_tls, p->auth_tls,
			    sizeof(p->auth_tls), NULL);
		else
			smtp_ehlo_line(s, len, &p->ext, p->auth,
			    sizeof(p->auth), &p->size_limit);
	}
	if (last)
		reply_done(L, c, code);
}

static void
reply_done(struct smtp_engine *L, struct conn *c, int code)
{
	struct smtp_probe *p = c->p;

	switch (c->step) {
	case SMTP_STEP_GREETING:
		p->greeting_code = code;
		if (code != 220) {
			/* RFC 5321 §3.1: the client should send QUIT; the
			 * connection ends here either way. */
			finish(c, SMTP_END_GREETING_REFUSED, "%d", code);
			return;
		}
		send_cmd(L, c, SMTP_STEP_EHLO, "EHLO", L->helo);
		break;
	case SMTP_STEP_EHLO:
		p->ehlo_code = code;
		if (code < 200 || code >= 300) {
			p->helo_fallback = true;
			p->ext = 0;
			send_cmd(L, c, SMTP_STEP_HELO, "HELO", L->helo);
		} else if (p->mode == SMTP_TLS_STARTTLS &&
		    (p->ext & SMTP_EXT_STARTTLS)) {
			send_cmd(L, c, SMTP_STEP_STARTTLS, "STARTTLS", NULL);
		} else {
			send_cmd(L, c, SMTP_STEP_QUIT, "QUIT", NULL);
		}
		break;
	case SMTP_STEP_STARTTLS:
		p->starttls_code = code;
		if (code == 220)
			begin_tls(L, c, SMTP_STEP_TLS);
		else
			send_cmd(L, c, SMTP_STEP_QUIT, "QUIT", NULL);
		break;
	case SMTP_STEP_HELO:
	case SMTP_STEP_EHLO_TLS:
		send_cmd(L, c, SMTP_STEP_QUIT, "QUIT", NULL);
		break;
	case SMTP_STEP_QUIT:
		finish(c, SMTP_END_OK, NULL);
		break;
	default:
		break;
	}
}

/* Split what arrived into lines; stops when the dialogue ends or TLS
 * begins (bytes after a STARTTLS reply are not SMTP). */
static void
feed(struct smtp_engine *L, struct conn *c, const char *b, size_t n)
{
	for (size_t i = 0; i < n && !c->done && !c->handshaking; i++) {
		if (b[i] == '\n') {
			size_t len = c->linelen;

			if (len > 0 && c->line[len - 1] == '\r')
				len--;
			c->linelen = 0;
			got_line(L, c, c->line, len);
			continue;
		}
		if (c->linelen == sizeof(c->line)) {
			finish(c, SMTP_END_BAD_REPLY, "a reply line longer than "
			    "%d bytes at %s", SMTP_MAX_LINE,
			    smtp_step_name(c->step));
			return;
		}
		c->line[c->linelen++] = b[i];
	}
}

static void
readable(struct smtp_engine *L, struct conn *c)
{
	char b[4096];

	/* Bounded: a fast server cannot keep one connection here. */
	for (int rounds = 0; rounds < 64 && !c->done && !c->handshaking;
	    rounds++) {
		long r;

		if (c->tls != NULL) {
			r = tls_read(c->tls, b, sizeof(b));
			if (r == 0)
				return;
		} else {
			r = recv(c->fd, b, sizeof(b), 0);
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR))
				return;
			if (r == 0)
				r = -1;
		}
		if (r < 0) {
			if (c->step == SMTP_STEP_QUIT)
				finish(c, SMTP_END_OK, NULL);
			else
				finish(c, SMTP_END_DROPPED, "the server closed "
				    "the connection at %s",
				    smtp_step_name(c->step));
			return;
		}
		feed(L, c, b, (size_t)r);
	}
}

static void
timed_out(struct conn *c)
{
	struct smtp_probe *p = c->p;

	if (c->step == SMTP_STEP_CONNECT) {
		p->connect = SMTP_CONN_TIMEOUT;
		snprintf(p->connect_error, sizeof(p->connect_error),
		    "no answer to the connection attempt");
		finish(c, SMTP_END_NOT_CONNECTED, "connect timed out");
	} else if (c->step == SMTP_STEP_QUIT) {
		finish(c, SMTP_END_OK, NULL);
	} else {
		finish(c, SMTP_END_TIMEOUT, "no complete answer at %s within "
		    "%.0f s", smtp_step_name(c->step),
		    (c->deadline - c->t_step) / 1000.0);
	}
}

/* ---- the engine --------------------------------------------------------- */

struct smtp_engine *
smtp_engine_new(const struct smtp_opts *o)
{
	struct smtp_engine *L;

	if ((L = calloc(1, sizeof(*L))) == NULL)
		return NULL;
	if (pipe(L->wake) != 0) {
		free(L);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		(void)fcntl(L->wake[i], F_SETFL, O_NONBLOCK);
		(void)fcntl(L->wake[i], F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_init(&L->mu, NULL);
	L->o = o;
	L->helo = o->helo ? o->helo : "localhost";
	L->timeout = (o->timeout > 0 ? o->timeout : SMTP_DEFAULT_TIMEOUT) *
	    1000;
	L->per_ip = o->per_ip ? o->per_ip : SMTP_DEFAULT_PER_IP;
	L->max_conns = o->max_conns ? o->max_conns : SMTP_DEFAULT_MAX_CONNS;
	return L;
}

static void
wake(struct smtp_engine *L)
{
	char b = 0;

	/* A full pipe already holds a wake-up: nothing is lost. */
	(void)!write(L->wake[1], &b, 1);
}

int
smtp_engine_add(struct smtp_engine *e, struct smtp_probe *p)
{
	struct smtp_engine *L = e;
	int rc = 0;

	pthread_mutex_lock(&L->mu);
	if (L->closed) {
		rc = -1;
	} else if (L->nqueue == L->queue_cap) {
		size_t cap = L->queue_cap ? 2 * L->queue_cap : 16;
		struct smtp_probe **q = realloc(L->queue, cap * sizeof(*q));

		if (q == NULL)
			rc = -1;
		else {
			L->queue = q;
			L->queue_cap = cap;
		}
	}
	if (rc == 0)
		L->queue[L->nqueue++] = p;
	pthread_mutex_unlock(&L->mu);
	if (rc == 0)
		wake(L);
	return rc;
}

void
smtp_engine_close(struct smtp_engine *e)
{
	struct smtp_engine *L = e;

	pthread_mutex_lock(&L->mu);
	L->closed = true;
	pthread_mutex_unlock(&L->mu);
	wake(L);
}

void
smtp_engine_free(struct smtp_engine *e)
{
	struct smtp_engine *L = e;

	if (L == NULL)
		return;
	for (size_t i = 0; i < L->nact; i++) {
		conn_close(L->act[i]);
		free(L->act[i]);
	}
	free(L->act);
	free(L->pfd);
	free(L->wait);
	free(L->queue);
	close(L->wake[0]);
	close(L->wake[1]);
	pthread_mutex_destroy(&L->mu);
	free(L);
}

/* A probe the engine could not carry (out of memory). */
static void
lost(struct smtp_probe *p)
{
	p->end = SMTP_END_INTERNAL;
	snprintf(p->end_detail, sizeof(p->end_detail), "out of memory");
}

/* Take what was added since the last look into the wait list; true when
 * the engine is closed (nothing more will come). */
static bool
take_queue(struct smtp_engine *L)
{
	bool closed;
	char b[64];

	while (read(L->wake[0], b, sizeof(b)) > 0)
		;
	pthread_mutex_lock(&L->mu);
	closed = L->closed;
	if (L->nqueue > 0 && L->nwait + L->nqueue > L->wait_cap) {
		/* Drop the started prefix first, then grow. */
		size_t live = L->nwait - L->wait_head;
		size_t cap = L->wait_cap ? L->wait_cap : 16;
		struct smtp_probe **w;

		if (live > 0)
			memmove(L->wait, L->wait + L->wait_head,
			    live * sizeof(*w));
		L->nwait = live;
		L->wait_head = 0;
		while (cap < live + L->nqueue)
			cap *= 2;
		if (cap > L->wait_cap) {
			if ((w = realloc(L->wait, cap * sizeof(*w))) == NULL) {
				for (size_t i = 0; i < L->nqueue; i++)
					lost(L->queue[i]);
				L->nqueue = 0;
			} else {
				L->wait = w;
				L->wait_cap = cap;
			}
		}
	}
	for (size_t i = 0; i < L->nqueue; i++)
		L->wait[L->nwait++] = L->queue[i];
	L->nqueue = 0;
	pthread_mutex_unlock(&L->mu);
	return closed;
}

static size_t
ip_count(const struct smtp_engine *L, const struct ipaddr *ip)
{
	size_t k = 0;

	for (size_t i = 0; i < L->nact; i++)
		if (ip_equal(&L->act[i]->p->ip, ip))
			k++;
	return k;
}

/* Start what the caps allow, in the order the probes were added. */
static void
start_waiting(struct smtp_engine *L)
{
	for (size_t i = L->wait_head; i < L->nwait &&
	    L->nact < L->max_conns; i++) {
		struct smtp_probe *p = L->wait[i];
		struct conn *c;

		if (p == NULL || ip_count(L, &p->ip) >= L->per_ip)
			continue;
		L->wait[i] = NULL;
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			lost(p);
			continue;
		}
		c->p = p;
		c->fd = -1;
		start(L, c);
		if (c->active)
			L->act[L->nact++] = c;
		else
			free(c);
	}
	while (L->wait_head < L->nwait && L->wait[L->wait_head] == NULL)
		L->wait_head++;
}

/* Drop the connections that ended; their probes hold the results. */
static void
reap(struct smtp_engine *L)
{
	size_t k = 0;

	for (size_t i = 0; i < L->nact; i++) {
		if (L->act[i]->done) {
			conn_close(L->act[i]);
			free(L->act[i]);
		} else
			L->act[k++] = L->act[i];
	}
	L->nact = k;
}

int
smtp_engine_run(struct smtp_engine *e, char *err, size_t errsize)
{
	struct smtp_engine *L = e;
	sigset_t pipe_set, old_mask;
	bool closed = false;

	if ((L->ctx = tls_ctx_new(L->o->ca_file, err, errsize)) == NULL)
		return -1;
	L->act = calloc(L->max_conns, sizeof(*L->act));
	L->pfd = calloc(L->max_conns + 1, sizeof(*L->pfd));
	if (L->act == NULL || L->pfd == NULL) {
		snprintf(err, errsize, "out of memory");
		tls_ctx_free(L->ctx);
		L->ctx = NULL;
		return -1;
	}
	/* A server that closes while we write must not kill the run: SIGPIPE
	 * is blocked in this thread (the writes' EPIPE is enough) and any
	 * pending one is taken away before the mask is restored.  The
	 * process-wide disposition is left alone, so the probe may run
	 * beside the resolver and the HTTPS fetch. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
	for (;;) {
		size_t np = 0;
		double now, soonest = -1;
		int wait;

		if (!closed)
			closed = take_queue(L);
		now = now_ms();
		for (size_t i = 0; i < L->nact; i++)
			if (now >= L->act[i]->deadline)
				timed_out(L->act[i]);
		reap(L);
		start_waiting(L);
		if (closed && L->nact == 0 && L->wait_head == L->nwait)
			break;
		/* The wake-up pipe first (a probe added, or the close), then
		 * pfd[k] is act[k - 1]. */
		L->pfd[np].fd = closed ? -1 : L->wake[0];
		L->pfd[np].events = POLLIN;
		L->pfd[np++].revents = 0;
		for (size_t i = 0; i < L->nact; i++) {
			struct conn *c = L->act[i];
			short ev;

			if (c->step == SMTP_STEP_CONNECT)
				ev = POLLOUT;
			else if (c->handshaking)
				ev = c->want == TLS_WANT_WRITE ? POLLOUT : POLLIN;
			else
				ev = (short)(POLLIN | (c->outlen > c->outoff ?
				    POLLOUT : 0));
			L->pfd[np].fd = c->fd;
			L->pfd[np].events = ev;
			L->pfd[np++].revents = 0;
			if (soonest < 0 || c->deadline < soonest)
				soonest = c->deadline;
		}
		if (soonest < 0)
			wait = -1;	/* nothing under way: wait for adds */
		else if ((wait = (int)(soonest - now) + 1) < 0)
			wait = 0;
		if (poll(L->pfd, np, wait) < 0 && errno != EINTR)
			break;
		for (size_t k = 1; k < np; k++) {
			struct conn *c = L->act[k - 1];

			if (L->pfd[k].revents == 0 || c->done)
				continue;
			if (c->step == SMTP_STEP_CONNECT) {
				connect_done(L, c);
				continue;
			}
			if (c->handshaking) {
				tls_progress(L, c);
				continue;
			}
			if ((L->pfd[k].revents & POLLOUT) && !flush(c))
				continue;
			if (L->pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
				readable(L, c);
		}
	}
	{
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	tls_ctx_free(L->ctx);
	L->ctx = NULL;
	return 0;
}

int
smtp_run(struct smtp_probe *p, size_t n, const struct smtp_opts *o,
    char *err, size_t errsize)
{
	struct smtp_engine *e;
	size_t left = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (!p[i].skip)
			left++;
	if (left == 0)
		return 0;
	if ((e = smtp_engine_new(o)) == NULL) {
		for (size_t i = 0; i < n; i++)
			if (!p[i].skip)
				lost(&p[i]);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!p[i].skip && smtp_engine_add(e, &p[i]) != 0) {
			lost(&p[i]);
			rc = -1;
		}
	smtp_engine_close(e);
	if (smtp_engine_run(e, err, errsize) != 0)
		rc = -1;
	else if (rc != 0)
		snprintf(err, errsize, "out of memory");
	smtp_engine_free(e);
	return rc;
}
