/*
 * dns_live.c -- the live resolver backend (see dns.h).
 *
 * ldns is used for the wire format only; the network side is ours: one
 * non-blocking socket per query, all of them in one poll() set, so a batch
 * of queries costs one round trip instead of one per query.  Each query is
 * a small state machine (the states are named in enum lq_state, after
 * unbound's outside_network):
 *
 *   QUEUED -> UDP -> (TC bit) TCP_CONNECT -> TCP_WRITE -> TCP_READ -> done
 *
 * Every attempt has its own deadline; a failed attempt moves on to the next
 * server with a new random ID and a new socket (so a new source port).
 * Answers that do not match the question, or do not parse, are ignored: a
 * spoofer or a broken middlebox must not be able to end a query early.
 */
#include "dns.h"

#include <ldns/ldns.h>

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Queries in flight at once, one socket each: the default of
 * --max-inflight and its largest value.  The congestion window below
 * decides how many are really used; this only caps it. */
#define LIVE_DEFAULT_INFLIGHT	2048
#define LIVE_MAX_INFLIGHT	65536
/* File descriptors kept free for everything else of the process (the
 * SMTP probe's thread, HTTPS, output files) when the window is capped by
 * RLIMIT_NOFILE. */
#define LIVE_FD_RESERVE		256
/* Queries in flight are limited by a congestion window (as TCP does):
 * resolvers and the paths to them drop datagrams that come in too large a
 * burst, and each drop costs a resend.  It starts at LIVE_INIT_WINDOW,
 * grows by one per answer until the first loss, then by one per window of
 * answers; a lost datagram halves it (once per round trip). */
#define LIVE_INIT_WINDOW	64
#define LIVE_MIN_WINDOW		8
#define LIVE_EDNS_SIZE		1232	/* DNS flag day 2020 */
#define LIVE_MAX_MSG		65535
#define LIVE_MAX_HOPS		16	/* CNAME hops per question */
#define LIVE_MAX_SERVERS	8
#define LIVE_MAX_RETRIES	10
#define LIVE_RESOLV_CONF	"/etc/resolv.conf"
#define LIVE_RESOLV_MAX		(64 * 1024)

struct live_server {
	struct sockaddr_storage sa;
	socklen_t salen;
	char text[IP_STRLEN + 8];	/* "127.0.0.1:53", "[::1]:53" */
	/* Round-trip estimate (RFC 6298 smoothing) from UDP answers, so that
	 * a datagram lost in a burst is sent again after a few round trips
	 * instead of a whole --timeout. */
	bool has_rtt;
	int64_t srtt, rttvar;		/* ms */
};

/* Earliest resend of an unanswered UDP query, whatever the estimate. */
#define LIVE_MIN_RTO_MS	150

enum lq_state {
	LQ_QUEUED,		/* waiting for a free slot */
	LQ_UDP,			/* datagram sent, waiting for the answer */
	LQ_TCP_CONNECT,		/* truncated: connecting */
	LQ_TCP_WRITE,		/* writing the length-prefixed query */
	LQ_TCP_READ		/* reading the length, then the message */
};

struct lq {
	struct lq *prev, *next;		/* active list or queue */
	struct dns_query *q;
	enum lq_state state;
	int fd;
	uint16_t qtype;
	uint16_t id;
	ldns_rdf *qname;		/* name asked now (a CNAME target after
					 * a restart) */
	uint8_t *wire;			/* 2-byte TCP length, then the query */
	size_t wirelen;			/* of the query, without the prefix */
	size_t wpos;			/* TCP bytes written */
	uint8_t lenbuf[2];
	uint8_t *in;			/* TCP message being read */
	size_t inlen, inhave;		/* inhave counts the prefix too */
	int attempt;			/* 0 = first try */
	size_t server;			/* index used by this attempt */
	int64_t deadline;		/* monotonic ms */
	int64_t sent;			/* when the UDP datagram left */
	char fail[64];			/* why the last attempt failed, or "" */
	ldns_rdf *seen[LIVE_MAX_HOPS + 1];	/* names asked or followed */
	size_t nseen;
	size_t ncname;
	bool noedns;			/* FORMERR to EDNS: asking without */
	const uint8_t *msg;		/* the message being interpreted */
	size_t msglen;
};

struct live {
	struct dns_resolver *r;
	struct live_server srv[LIVE_MAX_SERVERS];
	size_t nsrv;
	int timeout_ms;
	int retries;
	size_t max_inflight;		/* --max-inflight, capped by fds */
	size_t window;			/* congestion window (see above) */
	/* --qps: a token bucket of new questions (0: no limit). */
	double qps;
	double tokens;			/* questions that may be sent now */
	double burst;			/* most tokens kept */
	int64_t refilled;		/* when tokens were last added (ms) */
	struct pollfd *pfd;		/* max_inflight entries, for live_poll */
	struct lq **map;		/* likewise */
	size_t acked;			/* answers since the window grew */
	bool slow_start;		/* no loss seen yet */
	int64_t last_cut;		/* when the window was last halved */
	struct lq *active;
	size_t nactive;
	struct lq *qhead, *qtail;	/* FIFO of LQ_QUEUED */
	size_t nqueued;
	uint8_t *rbuf;			/* LIVE_MAX_MSG + 1 bytes */
	uint8_t pool[128];		/* random bytes for IDs */
	size_t poolpos;
	bool dnssec;			/* DO and CD bits, keep the messages
					 * (dns_live_dnssec) */
};

/*
 * Scratch memory for one decoded answer: dns_query_done() copies the
 * answer, so everything here is freed right after.
 */
struct sblk {
	struct sblk *next;
};

struct scratch {
	struct sblk *head;
	bool err;
};

static void *
scratch_alloc(struct scratch *s, size_t n)
{
	struct sblk *b;

	if (s->err || n > LIVE_MAX_MSG * 4 ||
	    (b = malloc(sizeof(max_align_t) + n)) == NULL) {
		s->err = true;
		return NULL;
	}
	b->next = s->head;
	s->head = b;
	return (char *)b + sizeof(max_align_t);
}

static void
scratch_free(struct scratch *s)
{
	struct sblk *b, *next;

	for (b = s->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	s->head = NULL;
}

/* A name in presentation format without the trailing dot ("" for the
 * root), escapes as ldns writes them. */
static char *
name_str(struct scratch *s, const ldns_rdf *rdf)
{
	char *t = ldns_rdf2str(rdf), *out;
	size_t n;

	if (t == NULL) {
		s->err = true;
		return NULL;
	}
	n = strlen(t);
	if (n > 0 && t[n - 1] == '.')
		n--;
	if ((out = scratch_alloc(s, n + 1)) != NULL) {
		memcpy(out, t, n);
		out[n] = '\0';
	}
	free(t);
	return out;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Query IDs come from the kernel's CSPRNG (RFC 5452: the ID and the
 * source port are all that stand between us and a spoofed answer). */
static bool
random_id(struct live *be, uint16_t *id)
{
	ssize_t n;

	if (be->poolpos + 2 > sizeof(be->pool)) {
		n = getrandom(be->pool, sizeof(be->pool), 0);
		if (n != (ssize_t)sizeof(be->pool))
			return false;
		be->poolpos = 0;
	}
	*id = (uint16_t)(be->pool[be->poolpos] << 8 | be->pool[be->poolpos + 1]);
	be->poolpos += 2;
	return true;
}

/*
 * Server parsing.
 */
static bool
parse_port(const char *p, size_t len, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static void
server_set(struct live_server *s, const struct ipaddr *ip, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&s->sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s->sa;
	char text[IP_STRLEN];

	memset(s, 0, sizeof(*s));
	ip_format(ip, text, sizeof(text));
	if (ip->family == 4) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, ip->a, 4);
		s->salen = sizeof(*sin);
		snprintf(s->text, sizeof(s->text), "%s:%u", text, (unsigned)port);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, ip->a, 16);
		s->salen = sizeof(*sin6);
		snprintf(s->text, sizeof(s->text), "[%s]:%u", text, (unsigned)port);
	}
}

/* "HOST", "HOST:PORT", "[v6]:PORT", "[v6]" or a bare "v6"; numeric
 * addresses only, because resolving the resolver's name needs a resolver. */
static bool
parse_server(const char *p, size_t len, struct live_server *out,
    char *err, size_t errsize)
{
	struct ipaddr ip;
	uint16_t port = 53;
	const char *rb, *colon;
	size_t ncolon = 0, i;

	for (i = 0; i < len; i++)
		if (p[i] == ':')
			ncolon++;
	if (len > 0 && p[0] == '[') {
		rb = memchr(p, ']', len);
		if (rb == NULL) {
			snprintf(err, errsize, "bad --resolver '%.*s': missing ']'",
			    (int)len, p);
			return false;
		}
		if (!ip_parse_family(p + 1, (size_t)(rb - p - 1), 6, &ip)) {
			snprintf(err, errsize, "bad --resolver '%.*s': not a "
			    "numeric IPv6 address", (int)len, p);
			return false;
		}
		i = (size_t)(rb - p) + 1;
		if (i < len && (p[i] != ':' ||
		    !parse_port(p + i + 1, len - i - 1, &port))) {
			snprintf(err, errsize, "bad --resolver '%.*s': bad port "
			    "(expected [ADDR]:1-65535)", (int)len, p);
			return false;
		}
	} else if (ncolon >= 2) {
		if (!ip_parse_family(p, len, 6, &ip)) {
			snprintf(err, errsize, "bad --resolver '%.*s': not a "
			    "numeric IPv6 address (use [ADDR]:PORT for a port)",
			    (int)len, p);
			return false;
		}
	} else {
		colon = memchr(p, ':', len);
		i = colon != NULL ? (size_t)(colon - p) : len;
		if (!ip_parse_family(p, i, 4, &ip)) {
			snprintf(err, errsize, "bad --resolver '%.*s': not a "
			    "numeric IPv4 or IPv6 address", (int)len, p);
			return false;
		}
		if (colon != NULL && !parse_port(p + i + 1, len - i - 1, &port)) {
			snprintf(err, errsize, "bad --resolver '%.*s': bad port "
			    "(expected HOST:1-65535)", (int)len, p);
			return false;
		}
	}
	server_set(out, &ip, port);
	return true;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The "nameserver ADDR" lines of resolv.conf(5), up to LIVE_MAX_SERVERS;
 * addresses we cannot use (scoped IPv6, junk) are skipped. */
static void
parse_resolv_conf(struct live *be, const char *p, size_t len)
{
	static const char kw[] = "nameserver";
	size_t i = 0, eol, a, b;
	struct ipaddr ip;
	const char *nl;

	while (i < len && be->nsrv < LIVE_MAX_SERVERS) {
		nl = memchr(p + i, '\n', len - i);
		eol = nl != NULL ? (size_t)(nl - p) : len;
		a = i;
		while (a < eol && is_blank(p[a]))
			a++;
		if (eol - a > sizeof(kw) - 1 &&
		    memcmp(p + a, kw, sizeof(kw) - 1) == 0 &&
		    is_blank(p[a + sizeof(kw) - 1])) {
			a += sizeof(kw) - 1;
			while (a < eol && is_blank(p[a]))
				a++;
			b = a;
			while (b < eol && !is_blank(p[b]) && p[b] != '#' &&
			    p[b] != ';')
				b++;
			if (ip_parse(p + a, b - a, &ip))
				server_set(&be->srv[be->nsrv++], &ip, 53);
		}
		i = eol + 1;
	}
}

static void
load_resolv_conf(struct live *be)
{
	struct ipaddr lo;
	FILE *f;
	char *buf;
	size_t n;

	if ((buf = malloc(LIVE_RESOLV_MAX)) != NULL &&
	    (f = fopen(LIVE_RESOLV_CONF, "r")) != NULL) {
		n = fread(buf, 1, LIVE_RESOLV_MAX, f);
		fclose(f);
		parse_resolv_conf(be, buf, n);
	}
	free(buf);
	if (be->nsrv == 0) {
		/* resolv.conf(5): no nameserver line means the local host. */
		ip_parse("127.0.0.1", 9, &lo);
		server_set(&be->srv[be->nsrv++], &lo, 53);
	}
}

/*
 * Query lifetime.
 */
static void
lq_close(struct lq *lq)
{
	if (lq->fd >= 0)
		close(lq->fd);
	lq->fd = -1;
	free(lq->in);
	lq->in = NULL;
}

static void
lq_free(struct lq *lq)
{
	size_t i;

	lq_close(lq);
	for (i = 0; i < lq->nseen; i++)
		ldns_rdf_deep_free(lq->seen[i]);
	free(lq->wire);
	free(lq);
}

static void
active_remove(struct live *be, struct lq *lq)
{
	if (lq->prev != NULL)
		lq->prev->next = lq->next;
	else
		be->active = lq->next;
	if (lq->next != NULL)
		lq->next->prev = lq->prev;
	lq->prev = lq->next = NULL;
	be->nactive--;
}

/* Hand the answer to the resolver (which copies it) and forget the query. */
static void
lq_finish(struct live *be, struct lq *lq, struct dns_answer *a)
{
	a->qname = dns_query_name(lq->q);
	a->qtype = lq->qtype;
	a->ncname = lq->ncname;
	dns_query_done(be->r, lq->q, a);
	active_remove(be, lq);
	lq_free(lq);
}

static void
lq_fail(struct live *be, struct lq *lq, enum dns_status st, uint8_t rcode,
    const char *why)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = st;
	a.rcode = rcode;
	a.why = why;
	lq_finish(be, lq, &a);
}

/* Build the query for lq->qname into lq->wire. */
static bool
lq_build(const struct live *be, struct lq *lq)
{
	ldns_pkt *pkt;
	ldns_rdf *name;
	uint8_t *w = NULL;
	size_t n = 0;
	bool ok = false;

	if ((name = ldns_rdf_clone(lq->qname)) == NULL)
		return false;
	if ((pkt = ldns_pkt_query_new(name, lq->qtype, LDNS_RR_CLASS_IN,
	    LDNS_RD)) == NULL) {
		ldns_rdf_deep_free(name);
		return false;
	}
	if (!lq->noedns) {
		ldns_pkt_set_edns_udp_size(pkt, LIVE_EDNS_SIZE);
		if (be->dnssec)
			ldns_pkt_set_edns_do(pkt, true);
	}
	if (be->dnssec)
		ldns_pkt_set_cd(pkt, true);
	if (ldns_pkt2wire(&w, pkt, &n) == LDNS_STATUS_OK && n >= 12 &&
	    n <= LIVE_MAX_MSG) {
		free(lq->wire);
		if ((lq->wire = malloc(n + 2)) != NULL) {
			lq->wire[0] = (uint8_t)(n >> 8);
			lq->wire[1] = (uint8_t)n;
			memcpy(lq->wire + 2, w, n);
			lq->wirelen = n;
			ok = true;
		}
	}
	free(w);
	ldns_pkt_free(pkt);
	return ok;
}

static bool
new_id(struct live *be, struct lq *lq)
{
	if (!random_id(be, &lq->id))
		return false;
	lq->wire[2] = (uint8_t)(lq->id >> 8);
	lq->wire[3] = (uint8_t)lq->id;
	return true;
}

/* Errors that no other server or retry can cure. */
static bool
local_errno(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS;
}

/*
 * How long one UDP attempt waits.  Every attempt but the last waits about
 * four round trips of its server (at least LIVE_MIN_RTO_MS, at most the
 * timeout) once answers have shown what a round trip is: a query lost in
 * a burst is repeated quickly.  The last attempt always waits the full
 * timeout, so a slow server is never given up on sooner than before.
 */
static int64_t
udp_wait_ms(const struct live *be, const struct lq *lq)
{
	const struct live_server *s = &be->srv[lq->server];
	int64_t rto;

	if (lq->attempt >= be->retries || !s->has_rtt)
		return be->timeout_ms;
	rto = s->srtt + 4 * s->rttvar;
	if (rto < LIVE_MIN_RTO_MS)
		rto = LIVE_MIN_RTO_MS;
	return rto < be->timeout_ms ? rto : be->timeout_ms;
}

/* A UDP answer came back after rtt ms: update the server's estimate. */
static void
rtt_sample(struct live_server *s, int64_t rtt)
{
	int64_t d;

	if (rtt < 0)
		return;
	if (!s->has_rtt) {
		s->srtt = rtt;
		s->rttvar = rtt / 2;
		s->has_rtt = true;
		return;
	}
	d = s->srtt > rtt ? s->srtt - rtt : rtt - s->srtt;
	s->rttvar = (3 * s->rttvar + d) / 4;
	s->srtt = (7 * s->srtt + rtt) / 8;
}

static void
window_grow(struct live *be)
{
	if (be->window >= be->max_inflight)
		return;
	if (be->slow_start || ++be->acked >= be->window) {
		be->window++;
		be->acked = 0;
	}
}

/* A UDP attempt went unanswered: halve the window, at most once per
 * round trip (one burst loses many datagrams at once). */
static void
window_cut(struct live *be, const struct lq *lq, int64_t now)
{
	const struct live_server *s = &be->srv[lq->server];
	int64_t rtt = s->has_rtt ? s->srtt : LIVE_MIN_RTO_MS;

	be->slow_start = false;
	if (now - be->last_cut < rtt)
		return;
	be->last_cut = now;
	be->window /= 2;
	if (be->window < LIVE_MIN_WINDOW)
		be->window = LIVE_MIN_WINDOW;
	if (be->window > be->max_inflight)
		be->window = be->max_inflight;
}

/* Send the UDP query of the current attempt.  Returns 0 or an errno. */
static int
send_udp(struct live *be, struct lq *lq)
{
	const struct live_server *s;

	lq_close(lq);
	lq->server = (size_t)lq->attempt % be->nsrv;
	s = &be->srv[lq->server];
	if (!new_id(be, lq))
		return ENOMEM;
	/* One socket per query: bound by the kernel to a random port. */
	lq->fd = socket(s->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (lq->fd < 0)
		return errno;
	/* connect() so ICMP port-unreachable comes back as ECONNREFUSED;
	 * the source is still checked on every datagram. */
	if (connect(lq->fd, (const struct sockaddr *)&s->sa, s->salen) != 0 ||
	    send(lq->fd, lq->wire + 2, lq->wirelen, 0) < 0)
		return errno;
	dns_stats_mut(be->r)->packets++;
	lq->state = LQ_UDP;
	lq->sent = now_ms();
	lq->deadline = lq->sent + udp_wait_ms(be, lq);
	return 0;
}

static void
fail_timeout(struct live *be, struct lq *lq)
{
	char why[160];

	if (lq->fail[0] != '\0')
		snprintf(why, sizeof(why), "no answer from %s after %d "
		    "attempt%s (%s)", be->srv[lq->server].text, lq->attempt + 1,
		    lq->attempt > 0 ? "s" : "", lq->fail);
	else
		snprintf(why, sizeof(why), "no answer from %s after %d "
		    "attempt%s", be->srv[lq->server].text, lq->attempt + 1,
		    lq->attempt > 0 ? "s" : "");
	lq_fail(be, lq, DNS_TIMEOUT, 0, why);
}

/* Run attempts from lq->attempt on until one is on the wire. */
static void
run_attempts(struct live *be, struct lq *lq)
{
	char why[128];
	int e;

	for (;;) {
		if ((e = send_udp(be, lq)) == 0)
			return;
		if (local_errno(e)) {
			snprintf(why, sizeof(why), "cannot send query: %s",
			    strerror(e));
			lq_fail(be, lq, DNS_ERROR, 0, why);
			return;
		}
		snprintf(lq->fail, sizeof(lq->fail), "%s", strerror(e));
		if (lq->attempt >= be->retries) {
			fail_timeout(be, lq);
			return;
		}
		lq->attempt++;
	}
}

/* The current attempt failed (timeout: reason NULL; refused, closed):
 * try the next. */
static void
next_attempt(struct live *be, struct lq *lq, const char *reason)
{
	snprintf(lq->fail, sizeof(lq->fail), "%s", reason != NULL ? reason : "");
	if (lq->attempt >= be->retries) {
		fail_timeout(be, lq);
		return;
	}
	lq->attempt++;
	run_attempts(be, lq);
}

/* The UDP answer was truncated: ask the same server again over TCP. */
static void
start_tcp(struct live *be, struct lq *lq)
{
	const struct live_server *s = &be->srv[lq->server];
	int e;

	lq_close(lq);
	dns_stats_mut(be->r)->tcp++;
	if (!new_id(be, lq)) {
		lq_fail(be, lq, DNS_ERROR, 0, "no randomness for query IDs");
		return;
	}
	lq->fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (lq->fd < 0) {
		e = errno;
		lq_fail(be, lq, DNS_ERROR, 0, strerror(e));
		return;
	}
	lq->wpos = 0;
	lq->inhave = 0;
	lq->state = LQ_TCP_WRITE;
	if (connect(lq->fd, (const struct sockaddr *)&s->sa, s->salen) != 0) {
		if (errno != EINPROGRESS) {
			next_attempt(be, lq, strerror(errno));
			return;
		}
		lq->state = LQ_TCP_CONNECT;
	}
	dns_stats_mut(be->r)->packets++;
	lq->deadline = now_ms() + be->timeout_ms;
}

/* Begin resolving lq->qname from the first attempt (new question or a
 * CNAME target). */
static void
lq_launch(struct live *be, struct lq *lq)
{
	lq->attempt = 0;
	lq->fail[0] = '\0';
	if (!lq_build(be, lq)) {
		lq_fail(be, lq, DNS_ERROR, 0, "cannot build the query");
		return;
	}
	run_attempts(be, lq);
}

/* --qps: add the tokens earned since the last refill.  Returns the ms
 * until the next token when none is left, else 0. */
static int64_t
qps_refill(struct live *be, int64_t now)
{
	if (be->qps <= 0)
		return 0;
	if (now > be->refilled) {
		be->tokens += (double)(now - be->refilled) * be->qps / 1000;
		if (be->tokens > be->burst)
			be->tokens = be->burst;
		be->refilled = now;
	}
	if (be->tokens >= 1)
		return 0;
	return (int64_t)((1 - be->tokens) * 1000 / be->qps) + 1;
}

static void
fill_slots(struct live *be)
{
	struct dns_stats *st = dns_stats_mut(be->r);
	struct lq *lq;

	while (be->nactive < be->window && (lq = be->qhead) != NULL) {
		if (be->qps > 0) {
			if (qps_refill(be, now_ms()) > 0)
				break;
			be->tokens -= 1;
		}
		if ((be->qhead = lq->next) == NULL)
			be->qtail = NULL;
		be->nqueued--;
		lq->next = be->active;
		lq->prev = NULL;
		if (be->active != NULL)
			be->active->prev = lq;
		be->active = lq;
		be->nactive++;
		if (be->nactive > st->in_flight_max)
			st->in_flight_max = be->nactive;
		lq_launch(be, lq);
	}
}

/*
 * Answers.
 */
static bool
seen_name(const struct lq *lq, const ldns_rdf *name)
{
	size_t i;

	for (i = 0; i < lq->nseen; i++)
		if (ldns_dname_compare(lq->seen[i], name) == 0)
			return true;
	return false;
}

/* Does the answer belong to our question?  RFC 5452 §9.1. */
static bool
answer_matches(const struct lq *lq, const ldns_pkt *p)
{
	const ldns_rr *qr;

	if (!ldns_pkt_qr(p) || ldns_pkt_id(p) != lq->id ||
	    ldns_pkt_get_opcode(p) != LDNS_PACKET_QUERY ||
	    ldns_pkt_qdcount(p) != 1 ||
	    (qr = ldns_rr_list_rr(ldns_pkt_question(p), 0)) == NULL)
		return false;
	return ldns_rr_get_type(qr) == lq->qtype &&
	    ldns_rr_get_class(qr) == LDNS_RR_CLASS_IN &&
	    ldns_dname_compare(ldns_rr_owner(qr), lq->qname) == 0;
}

static bool
rr_at(const ldns_rr *rr, const ldns_rdf *name, uint16_t type)
{
	return ldns_rr_get_type(rr) == type &&
	    ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
	    ldns_dname_compare(ldns_rr_owner(rr), name) == 0;
}

/* Decode one RR of ldns into d; memory from s. */
static bool
decode_rr(struct scratch *s, const ldns_rr *rr, struct dns_rr *d)
{
	const ldns_rdf *f;
	struct dns_str *strs;
	const uint8_t *data;
	size_t i, n, size;

	memset(d, 0, sizeof(*d));
	d->type = (uint16_t)ldns_rr_get_type(rr);
	d->ttl = ldns_rr_ttl(rr);
	if ((d->owner = name_str(s, ldns_rr_owner(rr))) == NULL)
		return false;
	switch (d->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		size = d->type == DNS_T_A ? 4 : 16;
		if ((f = ldns_rr_rdf(rr, 0)) == NULL || ldns_rdf_size(f) != size)
			return false;
		d->u.addr.family = d->type == DNS_T_A ? 4 : 6;
		memcpy(d->u.addr.a, ldns_rdf_data(f), size);
		return true;
	case DNS_T_MX:
		if ((f = ldns_rr_rdf(rr, 0)) == NULL || ldns_rdf_size(f) != 2 ||
		    ldns_rr_rdf(rr, 1) == NULL)
			return false;
		d->u.mx.pref = ldns_rdf2native_int16(f);
		d->u.mx.host = name_str(s, ldns_rr_rdf(rr, 1));
		return d->u.mx.host != NULL;
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		if ((f = ldns_rr_rdf(rr, 0)) == NULL)
			return false;
		d->u.target = name_str(s, f);
		return d->u.target != NULL;
	case DNS_T_TXT:
	case DNS_T_SPF:
		n = ldns_rr_rd_count(rr);
		if ((strs = scratch_alloc(s, (n ? n : 1) * sizeof(*strs))) == NULL)
			return false;
		for (i = 0; i < n; i++) {
			f = ldns_rr_rdf(rr, i);
			data = ldns_rdf_data(f);
			size = ldns_rdf_size(f);
			/* A character-string: a length octet, then the bytes. */
			if (size < 1 || (size_t)data[0] != size - 1)
				return false;
			strs[i].p = (const char *)data + 1;
			strs[i].len = data[0];
			d->u.txt.total += data[0];
		}
		d->u.txt.n = n;
		d->u.txt.s = strs;
		return true;
	case DNS_T_TLSA: {
		uint8_t *copy;

		/* Three one-octet fields and at least one octet of data
		 * (RFC 6698 §2.1); anything else is not kept. */
		if (ldns_rr_rd_count(rr) != 4)
			return false;
		for (i = 0; i < 3; i++)
			if ((f = ldns_rr_rdf(rr, i)) == NULL ||
			    ldns_rdf_size(f) != 1)
				return false;
		if ((f = ldns_rr_rdf(rr, 3)) == NULL ||
		    (size = ldns_rdf_size(f)) == 0 ||
		    (copy = scratch_alloc(s, size)) == NULL)
			return false;
		memcpy(copy, ldns_rdf_data(f), size);
		d->u.tlsa.usage = ldns_rdf_data(ldns_rr_rdf(rr, 0))[0];
		d->u.tlsa.selector = ldns_rdf_data(ldns_rr_rdf(rr, 1))[0];
		d->u.tlsa.mtype = ldns_rdf_data(ldns_rr_rdf(rr, 2))[0];
		d->u.tlsa.data = copy;
		d->u.tlsa.len = size;
		return true;
	}
	default:
		return true;
	}
}

/* Does the authority section prove that `name` has no data (an SOA of
 * the name or of a zone above it)?  Then a CNAME target that answered
 * nothing needs no second query. */
static bool
negative_proof(const ldns_pkt *p, const ldns_rdf *name)
{
	const ldns_rr_list *auth = ldns_pkt_authority(p);
	const ldns_rr *rr;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
		    (ldns_dname_compare(ldns_rr_owner(rr), name) == 0 ||
		    ldns_dname_is_subdomain(name, ldns_rr_owner(rr))))
			return true;
	}
	return false;
}

static void
finish_ok(struct live *be, struct lq *lq, const ldns_pkt *p,
    const ldns_rdf *canon, bool tcp)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);
	struct scratch s = { NULL, false };
	struct dns_rr *rrs = NULL;
	struct dns_answer a;
	size_t i, n = 0, cnt = ldns_rr_list_rr_count(an);

	memset(&a, 0, sizeof(a));
	a.tcp = tcp;
	if (cnt > 0 && (rrs = scratch_alloc(&s, cnt * sizeof(*rrs))) != NULL)
		for (i = 0; i < cnt; i++) {
			if (!rr_at(ldns_rr_list_rr(an, i), canon, lq->qtype))
				continue;
			if (decode_rr(&s, ldns_rr_list_rr(an, i), &rrs[n]))
				n++;
		}
	if (lq->ncname > 0)
		a.canon = name_str(&s, canon);
	if (be->dnssec) {
		a.wire = lq->msg;
		a.wirelen = lq->msglen;
	}
	if (s.err) {
		a.status = DNS_ERROR;
		a.why = "out of memory decoding the answer";
	} else {
		a.status = n > 0 ? DNS_OK : DNS_NODATA;
		a.nrr = n;
		a.rr = rrs;
	}
	lq_finish(be, lq, &a);
	scratch_free(&s);
}

static void
finish_neg(struct live *be, struct lq *lq, enum dns_status st, uint8_t rcode,
    const ldns_rdf *canon, bool tcp)
{
	struct scratch s = { NULL, false };
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = st;
	a.rcode = rcode;
	a.tcp = tcp;
	if (lq->ncname > 0)
		a.canon = name_str(&s, canon);
	if (be->dnssec) {
		a.wire = lq->msg;
		a.wirelen = lq->msglen;
	}
	if (s.err) {	/* without it the answer is about the wrong name */
		a.status = DNS_ERROR;
		a.rcode = 0;
		a.why = "out of memory decoding the answer";
	}
	lq_finish(be, lq, &a);
	scratch_free(&s);
}

/* A CNAME chain left the answer: ask for the target (already in
 * lq->seen, which owns it). */
static void
restart(struct live *be, struct lq *lq, ldns_rdf *target)
{
	lq->qname = target;
	lq_close(lq);
	lq_launch(be, lq);
}

/* A matching answer arrived: decide what it means. */
static void
interpret(struct live *be, struct lq *lq, const ldns_pkt *p, bool tcp)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);
	ldns_rdf *cur = lq->qname;
	const ldns_rdf *target;
	const ldns_rr *rr, *cname;
	/* RFC 6891 §6.1.3: the OPT record holds the upper 8 bits. */
	unsigned full = (unsigned)ldns_pkt_edns_extended_rcode(p) << 4 |
	    ldns_pkt_get_rcode(p);
	uint8_t rcode = full > 255 ? 255 : (uint8_t)full;
	const ldns_lookup_table *lt;
	char why[128];
	size_t i, hops = 0;
	bool found;

	if (rcode == LDNS_RCODE_FORMERR && !lq->noedns &&
	    !ldns_pkt_edns(p)) {
		/* RFC 6891 §7: a server that does not know EDNS may answer
		 * FORMERR; ask it once more without the OPT record, in the
		 * same attempt. */
		lq->noedns = true;
		if (!lq_build(be, lq)) {
			lq_fail(be, lq, DNS_ERROR, 0, "cannot build the query");
			return;
		}
		run_attempts(be, lq);
		return;
	}
	if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
		lt = ldns_lookup_by_id(ldns_rcodes, rcode);
		if (lt != NULL)
			snprintf(why, sizeof(why), "%s from %s", lt->name,
			    be->srv[lq->server].text);
		else
			snprintf(why, sizeof(why), "RCODE%u from %s",
			    (unsigned)rcode, be->srv[lq->server].text);
		lq_fail(be, lq, DNS_SERVFAIL, rcode, why);
		return;
	}
	for (;;) {
		found = false;
		cname = NULL;
		for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
			rr = ldns_rr_list_rr(an, i);
			if (rr_at(rr, cur, lq->qtype))
				found = true;
			else if (cname == NULL && rr_at(rr, cur, LDNS_RR_TYPE_CNAME))
				cname = rr;
		}
		if (found) {
			finish_ok(be, lq, p, cur, tcp);
			return;
		}
		if (cname == NULL || (target = ldns_rr_rdf(cname, 0)) == NULL)
			break;
		if (seen_name(lq, target) || lq->ncname >= LIVE_MAX_HOPS) {
			lq_fail(be, lq, DNS_SERVFAIL, 0, "CNAME loop");
			return;
		}
		if ((lq->seen[lq->nseen] = ldns_rdf_clone(target)) == NULL) {
			lq_fail(be, lq, DNS_ERROR, 0, "out of memory");
			return;
		}
		cur = lq->seen[lq->nseen++];
		lq->ncname++;
		hops++;
	}
	if (rcode == LDNS_RCODE_NXDOMAIN)
		finish_neg(be, lq, DNS_NXDOMAIN, rcode, cur, tcp);
	else if (hops > 0 && !negative_proof(p, cur))
		restart(be, lq, cur);
	else
		finish_neg(be, lq, DNS_NODATA, rcode, cur, tcp);
}

/* One message for lq.  Returns false when it was ignored (keep waiting). */
static bool
handle_msg(struct live *be, struct lq *lq, const uint8_t *m, size_t len,
    bool tcp)
{
	ldns_pkt *p = NULL;
	ldns_status st;

	if (len < 12)
		return false;
	if ((st = ldns_wire2pkt(&p, m, len)) == LDNS_STATUS_MEM_ERR) {
		/* Not the server's fault: waiting for another answer would
		 * only end in a timeout. */
		lq_fail(be, lq, DNS_ERROR, 0, "out of memory decoding the "
		    "answer");
		return true;
	}
	if (st != LDNS_STATUS_OK) {
		/* A truncated datagram may be cut mid-record; its header
		 * is enough to go to TCP, where the answer is checked. */
		if (!tcp && (m[2] & 0x80) && (m[2] & 0x02) &&
		    (uint16_t)(m[0] << 8 | m[1]) == lq->id) {
			start_tcp(be, lq);
			return true;
		}
		return false;
	}
	if (!answer_matches(lq, p)) {
		ldns_pkt_free(p);
		return false;
	}
	if (!tcp && ldns_pkt_tc(p))
		start_tcp(be, lq);
	else {
		lq->msg = m;
		lq->msglen = len;
		interpret(be, lq, p, tcp);
	}
	ldns_pkt_free(p);
	return true;
}

static bool
same_addr(const struct sockaddr_storage *a, socklen_t alen,
    const struct live_server *s)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&s->sa;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&s->sa;

	if (a->ss_family != s->sa.ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return alen >= (socklen_t)sizeof(*a4) &&
		    a4->sin_port == s4->sin_port &&
		    a4->sin_addr.s_addr == s4->sin_addr.s_addr;
	return alen >= (socklen_t)sizeof(*a6) && a6->sin6_port == s6->sin6_port &&
	    memcmp(&a6->sin6_addr, &s6->sin6_addr, 16) == 0;
}

static void
on_udp(struct live *be, struct lq *lq)
{
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t n;
	int64_t rtt;
	size_t server;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(lq->fd, be->rbuf, LIVE_MAX_MSG + 1, 0,
		    (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			next_attempt(be, lq, strerror(errno));
			return;
		}
		if (n > LIVE_MAX_MSG || !same_addr(&from, flen, &be->srv[lq->server]))
			continue;
		/* Each attempt has its own socket and ID: the answer is to
		 * this datagram, so the sample is sound (no Karn ambiguity). */
		rtt = now_ms() - lq->sent;
		server = lq->server;
		if (handle_msg(be, lq, be->rbuf, (size_t)n, false)) {
			rtt_sample(&be->srv[server], rtt);
			window_grow(be);
			return;
		}
	}
}

static void
on_tcp(struct live *be, struct lq *lq)
{
	int e = 0;
	socklen_t elen = sizeof(e);
	ssize_t n;

	if (lq->state == LQ_TCP_CONNECT) {
		if (getsockopt(lq->fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
			e = errno;
		if (e == EINPROGRESS || e == EALREADY)
			return;
		if (e != 0) {
			next_attempt(be, lq, strerror(e));
			return;
		}
		lq->state = LQ_TCP_WRITE;
	}
	while (lq->state == LQ_TCP_WRITE) {
		n = send(lq->fd, lq->wire + lq->wpos, lq->wirelen + 2 - lq->wpos,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			next_attempt(be, lq, strerror(errno));
			return;
		}
		lq->wpos += (size_t)n;
		if (lq->wpos == lq->wirelen + 2) {
			lq->state = LQ_TCP_READ;
			lq->inhave = 0;
		}
	}
	for (;;) {
		if (lq->inhave < 2)
			n = recv(lq->fd, lq->lenbuf + lq->inhave, 2 - lq->inhave, 0);
		else
			n = recv(lq->fd, lq->in + lq->inhave - 2,
			    lq->inlen - (lq->inhave - 2), 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			next_attempt(be, lq, strerror(errno));
			return;
		}
		if (n == 0) {
			next_attempt(be, lq, "TCP connection closed");
			return;
		}
		lq->inhave += (size_t)n;
		if (lq->inhave == 2) {
			lq->inlen = (size_t)lq->lenbuf[0] << 8 | lq->lenbuf[1];
			free(lq->in);
			if ((lq->in = malloc(lq->inlen ? lq->inlen : 1)) == NULL) {
				lq_fail(be, lq, DNS_ERROR, 0, "out of memory");
				return;
			}
		}
		if (lq->inhave >= 2 && lq->inhave - 2 == lq->inlen) {
			if (handle_msg(be, lq, lq->in, lq->inlen, true))
				return;
			lq->inhave = 0;		/* not ours: read the next */
		}
	}
}

/*
 * Backend operations.
 */
static void
live_start(void *arg, struct dns_query *q)
{
	struct live *be = arg;
	struct lq *lq;
	ldns_rdf *name = NULL;
	const char *qn = dns_query_name(q);
	struct dns_answer a;
	ldns_status st = LDNS_STATUS_OK;

	memset(&a, 0, sizeof(a));
	if (qn[0] == '\0' || (st = ldns_str2rdf_dname(&name, qn)) !=
	    LDNS_STATUS_OK) {
		a.status = st == LDNS_STATUS_MEM_ERR ? DNS_ERROR : DNS_BADNAME;
		a.why = st == LDNS_STATUS_MEM_ERR ? "out of memory" :
		    "invalid domain name";
		a.qname = qn;
		a.qtype = dns_query_type(q);
		dns_query_done(be->r, q, &a);
		return;
	}
	if ((lq = calloc(1, sizeof(*lq))) == NULL) {
		ldns_rdf_deep_free(name);
		a.status = DNS_ERROR;
		a.why = "out of memory";
		dns_query_done(be->r, q, &a);
		return;
	}
	lq->q = q;
	lq->fd = -1;
	lq->qtype = dns_query_type(q);
	lq->qname = name;
	lq->seen[lq->nseen++] = name;
	lq->state = LQ_QUEUED;
	if (be->qtail != NULL)
		be->qtail->next = lq;
	else
		be->qhead = lq;
	be->qtail = lq;
	be->nqueued++;
	fill_slots(be);
}

static size_t
live_poll(void *arg, int timeout_ms)
{
	struct live *be = arg;
	struct pollfd *pfd = be->pfd;
	struct lq **map = be->map, *lq, *next;
	int64_t now = now_ms(), wait = -1;
	size_t n = 0, i;

	fill_slots(be);
	for (lq = be->active; lq != NULL && n < be->max_inflight;
	    lq = lq->next) {
		pfd[n].fd = lq->fd;
		pfd[n].events = lq->state == LQ_TCP_CONNECT ||
		    lq->state == LQ_TCP_WRITE ? POLLOUT : POLLIN;
		pfd[n].revents = 0;
		map[n++] = lq;
		if (wait < 0 || lq->deadline - now < wait)
			wait = lq->deadline - now > 0 ? lq->deadline - now : 0;
	}
	/* Questions held back by --qps: wake when the next token is due. */
	if (be->qhead != NULL && be->nactive < be->window) {
		int64_t t = qps_refill(be, now);

		if (t > 0 && (wait < 0 || t < wait))
			wait = t;
	}
	if (n == 0 && be->qhead == NULL)
		return be->nactive + be->nqueued;
	if (timeout_ms >= 0 && (wait < 0 || timeout_ms < wait))
		wait = timeout_ms;
	if (poll(n > 0 ? pfd : NULL, (nfds_t)n, (int)wait) > 0) {
		/* Each handler may free only its own query, so the map stays
		 * valid for the others. */
		for (i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (map[i]->state == LQ_UDP)
				on_udp(be, map[i]);
			else
				on_tcp(be, map[i]);
		}
	}
	now = now_ms();
	for (lq = be->active; lq != NULL; lq = next) {
		next = lq->next;
		if (lq->deadline > now)
			continue;
		if (lq->state == LQ_UDP)
			window_cut(be, lq, now);
		next_attempt(be, lq, NULL);
	}
	fill_slots(be);
	return be->nactive + be->nqueued;
}

static void
live_free(void *arg)
{
	struct live *be = arg;
	struct lq *lq, *next;

	if (be == NULL)
		return;
	for (lq = be->active; lq != NULL; lq = next) {
		next = lq->next;
		lq_free(lq);
	}
	for (lq = be->qhead; lq != NULL; lq = next) {
		next = lq->next;
		lq_free(lq);
	}
	free(be->rbuf);
	free(be->pfd);
	free(be->map);
	free(be);
}

static const struct dns_backend_ops live_ops;

int
dns_live_dnssec(struct dns_resolver *r)
{
	struct live *be;

	if (dns_resolver_ops(r) != &live_ops)
		return -1;
	be = dns_resolver_backend(r);
	be->dnssec = true;
	return 0;
}

static const struct dns_backend_ops live_ops = {
	.start = live_start,
	.poll = live_poll,
	.free = live_free,
};

/* The most queries that may be in flight when want are asked for, given
 * the file descriptors this process may open (see dns.h). */
size_t
dns_live_inflight_cap(size_t want, size_t *fd_limit)
{
	struct rlimit rl;
	size_t avail;

	if (want == 0)
		want = LIVE_DEFAULT_INFLIGHT;
	if (want > LIVE_MAX_INFLIGHT)
		want = LIVE_MAX_INFLIGHT;
	if (fd_limit != NULL)
		*fd_limit = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return want;
	/* Raise the soft limit as far as needed, never past the hard one. */
	if (rl.rlim_cur < want + LIVE_FD_RESERVE &&
	    rl.rlim_cur < rl.rlim_max) {
		rlim_t old = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max > want + LIVE_FD_RESERVE ?
		    (rlim_t)(want + LIVE_FD_RESERVE) : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = old;
	}
	if (fd_limit != NULL)
		*fd_limit = (size_t)rl.rlim_cur;
	avail = rl.rlim_cur > 2 * LIVE_FD_RESERVE ?
	    (size_t)rl.rlim_cur - LIVE_FD_RESERVE : (size_t)rl.rlim_cur / 2;
	if (avail < 1)
		avail = 1;
	return want < avail ? want : avail;
}

/* Create the live resolver (see dns.h).  timeout <= 0 and retries < 0 mean
 * the defaults (2 s, 2 retries); no servers means /etc/resolv.conf. */
struct dns_resolver *
dns_live_new(const struct dns_live_opts *o, char *err, size_t errsize)
{
	struct live *be;
	double t = o != NULL ? o->timeout : 0;
	size_t i;

	if (errsize > 0)
		err[0] = '\0';
	if ((be = calloc(1, sizeof(*be))) == NULL ||
	    (be->rbuf = malloc(LIVE_MAX_MSG + 1)) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	be->poolpos = sizeof(be->pool);
	if (t <= 0)
		t = 2;
	if (t > 3600)
		t = 3600;
	be->timeout_ms = (int)(t * 1000 + 0.5);
	if (be->timeout_ms < 1)
		be->timeout_ms = 1;
	be->max_inflight = dns_live_inflight_cap(o != NULL ?
	    o->max_inflight : 0, NULL);
	if ((be->pfd = calloc(be->max_inflight, sizeof(*be->pfd))) == NULL ||
	    (be->map = calloc(be->max_inflight, sizeof(*be->map))) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	be->window = LIVE_INIT_WINDOW < be->max_inflight ? LIVE_INIT_WINDOW :
	    be->max_inflight;
	if (o != NULL && o->qps > 0) {
		be->qps = o->qps;
		/* At most 50 ms worth of questions in one burst. */
		be->burst = o->qps / 20 > 1 ? o->qps / 20 : 1;
		be->tokens = 1;
		be->refilled = now_ms();
	}
	be->slow_start = true;
	be->retries = o != NULL && o->retries >= 0 ? o->retries : 2;
	if (be->retries > LIVE_MAX_RETRIES)
		be->retries = LIVE_MAX_RETRIES;
	if (o != NULL && o->nservers > LIVE_MAX_SERVERS) {
		snprintf(err, errsize, "too many --resolver options (at most %d)",
		    LIVE_MAX_SERVERS);
		goto fail;
	}
	for (i = 0; o != NULL && i < o->nservers; i++) {
		if (o->servers[i] == NULL || !parse_server(o->servers[i],
		    strlen(o->servers[i]), &be->srv[be->nsrv], err, errsize))
			goto fail;
		be->nsrv++;
	}
	if (be->nsrv == 0)
		load_resolv_conf(be);
	if ((be->r = dns_resolver_new(&live_ops, be)) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	return be->r;
fail:
	if (err != NULL && errsize > 0 && err[0] == '\0')
		snprintf(err, errsize, "bad --resolver value");
	live_free(be);
	return NULL;
}
