/*
 * transport.c -- the Transport area (transport.h): plan the SMTP probes
 * of a domain's MX hosts, run a whole batch of them at once, judge.
 */
#include "transport.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "mtasts.h"

void
transport_init(struct transport_result *t, const char *skipped)
{
	struct area_result a = t->area;

	memset(t, 0, sizeof(*t));
	t->area = a;
	t->skipped = skipped;
	t->area.skipped = skipped != NULL;
}

void
transport_result_free(struct transport_result *t)
{
	free(t->probe);
	free(t->skip_why);
	free(t->dane);
	t->probe = NULL;
	t->skip_why = NULL;
	t->dane = NULL;
	t->nprobe = 0;
	area_result_free(&t->area);
}

/* Why an address is not probed, or NULL. */
static const char *
unprobed(const struct ipaddr *ip0, bool allow_loopback)
{
	static const struct {
		const char *net;
		unsigned prefix;
		const char *why;
	} nets[] = {
		{ "192.0.2.0", 24, "a documentation address (RFC 5737)" },
		{ "198.51.100.0", 24, "a documentation address (RFC 5737)" },
		{ "203.0.113.0", 24, "a documentation address (RFC 5737)" },
		{ "2001:db8::", 32, "a documentation address (RFC 3849)" },
		{ "0.0.0.0", 8, "not a destination address (RFC 1122)" },
		{ "224.0.0.0", 4, "not a unicast address" },
		{ "240.0.0.0", 4, "a reserved address (RFC 1112)" },
		{ "ff00::", 8, "not a unicast address" },
		{ "::", 128, "not a destination address" },
	};
	struct ipaddr ip = ip_unmap(ip0), net;

	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if (ip_parse(nets[i].net, strlen(nets[i].net), &net) &&
		    net.family == ip.family && ip_match(&ip, &net,
		    nets[i].prefix))
			return nets[i].why;
	if (!allow_loopback) {
		if (ip_parse("127.0.0.0", 9, &net) && ip.family == 4 &&
		    ip_match(&ip, &net, 8))
			return "a loopback address: this machine, not the MX";
		if (ip_parse("::1", 3, &net) && ip.family == 6 &&
		    ip_match(&ip, &net, 128))
			return "a loopback address: this machine, not the MX";
	}
	return NULL;
}

static int
grow(struct transport_result *t, size_t more)
{
	struct smtp_probe *np;
	const char **nw;

	np = realloc(t->probe, (t->nprobe + more) * sizeof(*np));
	if (np == NULL)
		return -1;
	t->probe = np;
	nw = realloc(t->skip_why, (t->nprobe + more) * sizeof(*nw));
	if (nw == NULL)
		return -1;
	t->skip_why = nw;
	return 0;
}

/* Up to TRANSPORT_MAX_ADDRS of ips[0..n): two of each family first, then
 * the rest in order.  Indexes into pick; returns how many. */
static size_t
choose(const struct ipaddr *ips, size_t n, size_t *pick)
{
	size_t k = 0, per[2] = { 0, 0 };
	bool used[MX_MAX_ADDRS + 1] = { false };

	if (n > MX_MAX_ADDRS)
		n = MX_MAX_ADDRS;
	for (size_t i = 0; i < n && k < TRANSPORT_MAX_ADDRS; i++) {
		int f = ips[i].family == 6;

		if (per[f] < TRANSPORT_MAX_ADDRS / 2) {
			per[f]++;
			used[i] = true;
			pick[k++] = i;
		}
	}
	for (size_t i = 0; i < n && k < TRANSPORT_MAX_ADDRS; i++)
		if (!used[i])
			pick[k++] = i;
	return k;
}

static int
add(struct transport_result *t, const char *name, unsigned port,
    bool implicit_tls, bool submission, const struct ipaddr *ips,
    size_t nips, const char *unresolved, bool allow_loopback, bool check)
{
	struct transport_host *h;
	size_t pick[TRANSPORT_MAX_ADDRS], k;

	t->nhost_total++;
	if (t->nhost == TRANSPORT_MAX_HOSTS)
		return 1;
	k = choose(ips, nips, pick);
	if (k > 0 && grow(t, k) != 0)
		return -1;
	h = &t->host[t->nhost++];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->port = port;
	h->submission = submission;
	h->first = t->nprobe;
	h->n = k;
	h->naddr_total = nips;
	h->unresolved = unresolved;
	for (size_t i = 0; i < k; i++) {
		struct smtp_probe *p = &t->probe[t->nprobe];

		memset(p, 0, sizeof(*p));
		p->ip = ips[pick[i]];
		p->port = port;
		p->mode = implicit_tls || port == 465 ? SMTP_TLS_IMPLICIT :
		    SMTP_TLS_STARTTLS;
		t->skip_why[t->nprobe] = check ?
		    unprobed(&p->ip, allow_loopback) : NULL;
		p->skip = t->skip_why[t->nprobe] != NULL;
		t->nprobe++;
	}
	return 0;
}

int
transport_add_host(struct transport_result *t, const char *name,
    unsigned port, bool implicit_tls, bool submission,
    const struct ipaddr *ips, size_t nips, const char *unresolved)
{
	return add(t, name, port, implicit_tls, submission, ips, nips,
	    unresolved, true, false);
}

/* The records of dl the handshake matches into out[0..DANE_MAX_TLSA),
 * their TLSA base name into *base: how many. */
static size_t
dane_records(const struct dane_lookup *dl, struct tls_tlsa *out,
    const char **base)
{
	const struct dane_set *s = dane_lookup_set(dl);

	*base = s == &dl->canon ? dl->canon_name : dl->host;
	/* A bogus answer binds nobody and proves nothing: not matched. */
	if (s->status == DNS_OK && s->dnssec != DNSSEC_BOGUS)
		return dane_usable(s, out, DANE_MAX_TLSA);
	return 0;
}

void
transport_host_dane(struct transport_result *t, size_t h,
    const struct dane_lookup *dl)
{
	struct transport_host *H = &t->host[h];
	const char *base;

	H->dane = dl;
	H->ntlsa = 0;
	if (dl == NULL)
		return;
	H->ntlsa = dane_records(dl, H->tlsa, &base);
	for (size_t a = 0; a < H->n; a++) {
		struct smtp_probe *p = &t->probe[H->first + a];

		p->tlsa = H->ntlsa ? H->tlsa : NULL;
		p->ntlsa = H->ntlsa;
		p->tlsa_base = base;
	}
}

int
transport_plan(struct transport_result *t, const struct mx_result *mx,
    const struct transport_opts *o)
{
	unsigned port = o->port ? o->port : 25;

	for (size_t i = 0; i < mx->nhost; i++) {
		const struct mx_host *h = &mx->host[i];
		struct ipaddr ips[MX_MAX_ADDRS];
		size_t n = 0;

		if (h->null_mx || h->duplicate || h->name == NULL ||
		    (h->ip_literal && !h->origin_literal))
			continue;
		for (size_t k = 0; k < h->naddr && n < MX_MAX_ADDRS; k++)
			ips[n++] = h->addr[k].ip;
		switch (add(t, h->name, port, o->implicit_tls, false, ips, n,
		    n == 0 ? "no address (see the MX area)" : NULL,
		    o->allow_loopback, true)) {
		case -1:
			return -1;
		case 0:
			transport_host_dane(t, t->nhost - 1, h->tlsa);
			break;
		default:
			break;
		}
	}
	return 0;
}

/* A hash of what makes a dialogue (host name, address, port, TLS mode;
 * FNV-1a), for finding a repeated one in constant time: domains sharing
 * a provider's MX share its dialogues. */
static uint64_t
target_hash(const struct smtp_probe *p)
{
	uint64_t h = 14695981039346656037ULL;
	size_t n = p->ip.family == 4 ? 4 : 16;

	h = (h ^ p->ip.family) * 1099511628211ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p->ip.a[i]) * 1099511628211ULL;
	h = (h ^ p->port) * 1099511628211ULL;
	h = (h ^ (unsigned)p->mode) * 1099511628211ULL;
	h = (h ^ (unsigned)p->skip) * 1099511628211ULL;
	for (const char *c = p->host; *c != '\0'; c++)
		h = (h ^ (unsigned char)ascii_lower(*c)) * 1099511628211ULL;
	return h;
}

/* ---- the batch: one engine, dialogues started as hosts resolve ------ */

/*
 * Why a thread fed by the DNS callbacks rather than one poll() loop for
 * the resolver and the SMTP sockets together: the resolver's loop is
 * dns_live.c's own (congestion window, resends, TCP fallback) and the
 * zone backend has no loop at all (it answers inside dns_submit()), so
 * folding SMTP into it would tie the probe to one backend and spread the
 * probe's state machine over dns*.c.  Instead the engine (smtp.c) runs in
 * its own thread with its own poll() loop, and a callback hands it each
 * dialogue the moment the MX host's A and AAAA are both answered.  The
 * queue between them is bounded by the batch (at most its domains x
 * MX_MAX_HOSTS x TRANSPORT_MAX_ADDRS dialogues, each added once), so a
 * DNS callback never waits for the prober.
 *
 * What is probed does not depend on when: a dialogue is known by the
 * same key as before (host name, address, port, TLS mode), started at
 * most once per batch, and after DNS the plan (transport_plan) takes
 * each planned probe's result from that table, adding what DNS gave
 * only at the end.  Only the times (connect_ms, total_ms) change.
 */
struct node {
	struct smtp_probe p;		/* the engine's until collected */
	char host[256];
	struct tls_tlsa tlsa[DANE_MAX_TLSA];	/* p.tlsa: the records DANE
						 * matches (data borrowed from
						 * the MX area's lookup) */
	char tlsa_base[256];
	struct ipaddr ip;		/* the key, read by this thread only */
	unsigned port;
	enum smtp_tls_mode mode;
};

struct transport_batch {
	const struct smtp_opts *o;
	struct smtp_engine *e;		/* made with the first dialogue */
	pthread_t th;
	bool threaded;			/* th runs the engine */
	bool closed;
	int rc;				/* smtp_engine_run()'s */
	char err[160];
	struct node **node;
	size_t nnode, cap;
	size_t *tab;			/* indices into node, SIZE_MAX empty;
					 * at most half full */
	size_t tabsize;
	bool oom;
};

struct transport_batch *
transport_batch_new(const struct smtp_opts *o)
{
	struct transport_batch *b = calloc(1, sizeof(*b));

	if (b != NULL)
		b->o = o;
	return b;
}

static void *
engine_thread(void *arg)
{
	struct transport_batch *b = arg;

	b->rc = smtp_engine_run(b->e, b->err, sizeof(b->err));
	return NULL;
}

static bool
node_is(const struct node *nd, const struct smtp_probe *k)
{
	return nd->port == k->port && nd->mode == k->mode &&
	    ip_equal(&nd->ip, &k->ip) && strcasecmp(nd->host, k->host) == 0;
}

static int
rehash(struct transport_batch *b)
{
	size_t size = b->tabsize ? 2 * b->tabsize : 64, *tab;

	if ((tab = malloc(size * sizeof(*tab))) == NULL)
		return -1;
	for (size_t i = 0; i < size; i++)
		tab[i] = SIZE_MAX;
	for (size_t u = 0; u < b->nnode; u++) {
		size_t c = target_hash(&b->node[u]->p) & (size - 1);

		while (tab[c] != SIZE_MAX)
			c = (c + 1) & (size - 1);
		tab[c] = u;
	}
	free(b->tab);
	b->tab = tab;
	b->tabsize = size;
	return 0;
}

/* The node of dialogue k (k->host set, not skip), made and handed to the
 * engine when new (add).  NULL when it is not there and cannot be. */
static struct node *
dialogue(struct transport_batch *b, const struct smtp_probe *k, bool add)
{
	struct node *nd;
	size_t c, u;

	if (b->tabsize > 0)
		for (c = target_hash(k) & (b->tabsize - 1);
		    (u = b->tab[c]) != SIZE_MAX; c = (c + 1) & (b->tabsize - 1))
			if (node_is(b->node[u], k))
				return b->node[u];
	if (!add || b->closed)
		return NULL;
	if (2 * (b->nnode + 1) > b->tabsize && rehash(b) != 0)
		return NULL;
	if (b->nnode == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct node **v = realloc(b->node, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		b->node = v;
		b->cap = cap;
	}
	if (b->e == NULL && (b->e = smtp_engine_new(b->o)) == NULL)
		return NULL;
	if ((nd = calloc(1, sizeof(*nd))) == NULL)
		return NULL;
	nd->p = *k;
	snprintf(nd->host, sizeof(nd->host), "%s", k->host);
	nd->p.host = nd->host;
	if (k->ntlsa > 0 && k->tlsa != NULL) {
		nd->p.ntlsa = k->ntlsa < DANE_MAX_TLSA ? k->ntlsa :
		    DANE_MAX_TLSA;
		memcpy(nd->tlsa, k->tlsa, nd->p.ntlsa * sizeof(nd->tlsa[0]));
		nd->p.tlsa = nd->tlsa;
	} else {
		nd->p.tlsa = NULL;
		nd->p.ntlsa = 0;
	}
	if (k->tlsa_base != NULL) {
		snprintf(nd->tlsa_base, sizeof(nd->tlsa_base), "%s",
		    k->tlsa_base);
		nd->p.tlsa_base = nd->tlsa_base;
	}
	nd->ip = k->ip;
	nd->port = k->port;
	nd->mode = k->mode;
	for (c = target_hash(k) & (b->tabsize - 1); b->tab[c] != SIZE_MAX;
	    c = (c + 1) & (b->tabsize - 1))
		;
	b->tab[c] = b->nnode;
	b->node[b->nnode++] = nd;
	if (smtp_engine_add(b->e, &nd->p) != 0) {
		nd->p.end = SMTP_END_INTERNAL;
		snprintf(nd->p.end_detail, sizeof(nd->p.end_detail),
		    "out of memory");
		b->oom = true;
	}
	/* The engine runs from the first dialogue on; without a thread it
	 * runs in transport_batch_collect(). */
	if (!b->threaded && b->nnode == 1)
		b->threaded = pthread_create(&b->th, NULL, engine_thread, b) ==
		    0;
	return nd;
}

int
transport_batch_host(struct transport_batch *b, const char *name,
    const struct ipaddr *ips, size_t nips, const struct dane_lookup *dl,
    const struct transport_opts *o)
{
	size_t pick[TRANSPORT_MAX_ADDRS], k, ntlsa = 0;
	struct tls_tlsa tlsa[DANE_MAX_TLSA];
	const char *base = NULL;
	int rc = 0;

	if (b == NULL)
		return 0;
	if (dl != NULL)
		ntlsa = dane_records(dl, tlsa, &base);
	/* The same choice and the same key as add() and transport_plan() */
	k = choose(ips, nips, pick);
	for (size_t i = 0; i < k; i++) {
		struct smtp_probe p;

		memset(&p, 0, sizeof(p));
		p.host = name;
		p.ip = ips[pick[i]];
		p.port = o->port ? o->port : 25;
		p.mode = o->implicit_tls || p.port == 465 ?
		    SMTP_TLS_IMPLICIT : SMTP_TLS_STARTTLS;
		p.tlsa = ntlsa ? tlsa : NULL;	/* copied by dialogue() */
		p.ntlsa = ntlsa;
		p.tlsa_base = base;
		if (unprobed(&p.ip, o->allow_loopback) != NULL)
			continue;
		if (dialogue(b, &p, true) == NULL)
			rc = -1;	/* tried again at the seal */
	}
	return rc;
}

void
transport_batch_seal(struct transport_batch *b, struct transport_result **t,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t h = 0; h < t[i]->nhost; h++)
			for (size_t a = 0; a < t[i]->host[h].n; a++) {
				struct smtp_probe p =
				    t[i]->probe[t[i]->host[h].first + a];

				p.host = t[i]->host[h].name;
				if (!p.skip)
					(void)dialogue(b, &p, true);
			}
	b->closed = true;
	if (b->e != NULL)
		smtp_engine_close(b->e);
}

/* Port 25 blocked on the way: every connection attempt to a mail
 * exchanger timed out or found no route (DNS answered, or there would be
 * nothing to probe).  Submission ports do not count. */
static void
port25(struct transport_result **t, size_t n)
{
	size_t tried = 0, timeouts = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t h = 0; h < t[i]->nhost; h++) {
			if (t[i]->host[h].submission)
				continue;
			for (size_t a = 0; a < t[i]->host[h].n; a++) {
				const struct smtp_probe *p =
				    &t[i]->probe[t[i]->host[h].first + a];

				if (p->skip)
					continue;
				tried++;
				if (p->connect == SMTP_CONN_TIMEOUT ||
				    p->connect == SMTP_CONN_NO_ROUTE)
					timeouts++;
			}
		}
	if (tried > 0 && timeouts == tried)
		for (size_t i = 0; i < n; i++)
			t[i]->port25_blocked = true;
}

int
transport_batch_collect(struct transport_batch *b,
    struct transport_result **t, size_t n)
{
	int rc = 0;

	if (!b->closed)
		transport_batch_seal(b, t, n);
	if (b->threaded) {
		pthread_join(b->th, NULL);
		b->threaded = false;
	} else if (b->e != NULL && b->nnode > 0) {
		b->rc = smtp_engine_run(b->e, b->err, sizeof(b->err));
	}
	if (b->rc != 0)
		rc = -1;
	for (size_t i = 0; i < n; i++) {
		bool lost = false;

		for (size_t h = 0; h < t[i]->nhost; h++)
			for (size_t a = 0; a < t[i]->host[h].n; a++) {
				struct smtp_probe *p =
				    &t[i]->probe[t[i]->host[h].first + a];
				const struct node *nd;

				p->host = t[i]->host[h].name;
				if (p->skip || b->rc != 0)
					continue;
				if ((nd = dialogue(b, p, false)) == NULL) {
					lost = true;
					continue;
				}
				*p = nd->p;
				p->host = t[i]->host[h].name;
			}
		t[i]->probed = b->rc == 0 && !lost;
		if (b->rc != 0)
			snprintf(t[i]->error, sizeof(t[i]->error), "%s",
			    b->err);
		else if (lost) {
			snprintf(t[i]->error, sizeof(t[i]->error),
			    "out of memory");
			rc = -1;
		}
	}
	if (rc == 0)
		port25(t, n);
	return rc;
}

void
transport_batch_free(struct transport_batch *b)
{
	if (b == NULL)
		return;
	if (b->threaded) {	/* never collected: end the engine first */
		if (b->e != NULL)
			smtp_engine_close(b->e);
		pthread_join(b->th, NULL);
	}
	smtp_engine_free(b->e);
	for (size_t i = 0; i < b->nnode; i++)
		free(b->node[i]);
	free(b->node);
	free(b->tab);
	free(b);
}

int
transport_probe_all(struct transport_result **t, size_t n,
    const struct smtp_opts *o)
{
	struct transport_batch *b = transport_batch_new(o);
	int rc;

	if (b == NULL) {
		for (size_t i = 0; i < n; i++)
			snprintf(t[i]->error, sizeof(t[i]->error),
			    "out of memory");
		return -1;
	}
	transport_batch_seal(b, t, n);
	rc = transport_batch_collect(b, t, n);
	transport_batch_free(b);
	return rc;
}

/* ---- judgement --------------------------------------------------------- */

struct ctx {
	struct diag_sink *sink;
	struct diag d;
	const struct transport_host *h;
	const struct smtp_probe *p;
	const struct dane_verdict *dane;	/* p's, or NULL */
	char where[320];		/* "mx.example.com 192.0.2.1:25" */
};

/* Did a DNSSEC-secure TLSA record authenticate this server?  Then DANE
 * senders take it as its own trust anchor (RFC 7672 §3.1): the CA chain
 * does not matter to them, and for DANE-EE (usage 3) neither does the
 * name (§3.1.1).  0: no; 2: DANE-TA; 3: DANE-EE. */
static int
dane_authenticated(const struct ctx *c)
{
	const struct dane_set *s;

	if (c->dane == NULL || c->dane->status != DANE_MATCHED ||
	    c->dane->rec < 0 || c->h->dane == NULL)
		return 0;
	s = dane_lookup_set(c->h->dane);
	if (s->dnssec != DNSSEC_SECURE || (size_t)c->dane->rec >= s->n)
		return 0;
	return s->rec[c->dane->rec].usage == 3 ? 3 :
	    s->rec[c->dane->rec].usage == 2 ? 2 : 0;
}

static void
judge_tls(struct ctx *c, bool enforce, bool testing)
{
	const struct smtp_probe *p = c->p;
	const struct tls_info *t = &p->tls;
	bool is_ip;
	struct ipaddr dummy;
	bool name_ok, trust_ok;
	char names[512];
	size_t at = 0;

	is_ip = ip_parse(c->h->name, strlen(c->h->name), &dummy);
	names[0] = '\0';
	for (size_t i = 0; i < t->nnames && at < sizeof(names) - 1; i++) {
		int w = snprintf(names + at, sizeof(names) - at, "%s%s",
		    i ? ", " : "", t->names[i]);

		if (w < 0)
			break;
		at += (size_t)w;
	}
	if (at >= sizeof(names))
		at = sizeof(names) - 1;
	if (t->old_protocol)
		diag_reportf(c->sink, DIAG_TLS_OLD_PROTOCOL, &c->d,
		    "%s negotiates %s at best", c->where, t->version);
	if (!t->has_cert) {
		diag_reportf(c->sink, DIAG_TLS_HANDSHAKE_FAILED, &c->d,
		    "%s presents no certificate", c->where);
		return;
	}
	if (t->expired || t->not_yet_valid)
		diag_reportf(c->sink, DIAG_TLS_CERT_EXPIRED, &c->d,
		    "%s: the certificate %s (%ld days)", c->where,
		    t->expired ? "has expired" : "is not valid yet",
		    t->days_left);
	else if (t->days_left < 14)
		diag_reportf(c->sink, DIAG_TLS_CERT_EXPIRING, &c->d,
		    "%s: the certificate expires in %ld day%s", c->where,
		    t->days_left, t->days_left == 1 ? "" : "s");
	/* An expired leaf fails verification for that reason alone:
	 * already said. */
	trust_ok = t->verified || ((t->expired || t->not_yet_valid) &&
	    strstr(t->verify_error, "expired") != NULL);
	name_ok = is_ip || t->name_match;
	if (enforce && (!t->verified || !name_ok)) {
		diag_reportf(c->sink, DIAG_TLS_MTA_STS_CERT_INVALID, &c->d,
		    "%s: %s%s%s; the MTA-STS policy is in enforce mode, so "
		    "compliant senders refuse to deliver to this MX",
		    c->where, t->verified ? "" : "the certificate does not "
		    "verify: ", t->verified ? "" : t->verify_error,
		    name_ok ? "" : t->verified ? "the certificate does not "
		    "name the host" : " and does not name the host");
		return;
	}
	/* A server DANE authenticates needs no public CA, and with
	 * DANE-EE no name either: warning about them would be a false
	 * alarm for the many DANE-only servers with self-signed
	 * certificates.  MTA-STS (above, and under testing) still needs
	 * both. */
	if (!testing && dane_authenticated(c) != 0) {
		trust_ok = true;
		if (dane_authenticated(c) == 3)
			name_ok = true;
	}
	if (!trust_ok)
		diag_reportf(c->sink, DIAG_TLS_CERT_UNTRUSTED, &c->d,
		    "%s: %s%s%s", c->where, t->verify_error,
		    t->self_signed ? " (self-signed)" : "",
		    testing ? "; under the MTA-STS testing policy senders "
		    "report this failure" : "");
	if (!name_ok)
		diag_reportf(c->sink, DIAG_TLS_CERT_NAME_MISMATCH, &c->d,
		    "%s: the certificate names %s, not %s%s", c->where,
		    t->nnames ? names : "no DNS name", c->h->name,
		    testing ? "; under the MTA-STS testing policy senders "
		    "report this failure" : "");
}

static void
judge_probe(struct ctx *c, bool enforce, bool testing)
{
	const struct smtp_probe *p = c->p;

	switch (p->end) {
	case SMTP_END_GREETING_REFUSED: {
		char text[SMTP_TEXT_SIZE];

		/* verbatim, its lines on one line of the report */
		snprintf(text, sizeof(text), "%s", p->greeting);
		for (char *nl = text; (nl = strchr(nl, '\n')) != NULL; )
			*nl = '|';
		diag_reportf(c->sink, DIAG_SMTP_GREETING_REFUSED, &c->d,
		    "%s greets with %d \"%s\": %s", c->where, p->greeting_code,
		    text, smtp_code_meaning(p->greeting_code));
		return;
	}
	case SMTP_END_TIMEOUT:
		diag_reportf(c->sink, DIAG_SMTP_TIMEOUT, &c->d, "%s: %s",
		    c->where, p->end_detail);
		break;
	case SMTP_END_DROPPED:
		diag_reportf(c->sink, DIAG_SMTP_DROPPED, &c->d, "%s: %s",
		    c->where, p->end_detail);
		break;
	case SMTP_END_BAD_REPLY:
		diag_reportf(c->sink, DIAG_SMTP_BAD_REPLY, &c->d, "%s: %s",
		    c->where, p->end_detail);
		break;
	case SMTP_END_TLS_FAILED:
		diag_reportf(c->sink, DIAG_TLS_HANDSHAKE_FAILED, &c->d,
		    "%s: %s", c->where, p->tls_error);
		break;
	default:
		break;
	}
	if (p->mode == SMTP_TLS_STARTTLS && p->ehlo_code != 0 &&
	    (p->end_step > SMTP_STEP_EHLO || p->end == SMTP_END_OK)) {
		if (!(p->ext & SMTP_EXT_STARTTLS))
			diag_reportf(c->sink, DIAG_SMTP_NO_STARTTLS, &c->d,
			    "%s does not offer STARTTLS%s%s", c->where,
			    p->helo_fallback ? " (it refused EHLO)" : "",
			    enforce ? "; the MTA-STS policy is enforced, so "
			    "compliant senders refuse to deliver" : "");
		else if (p->starttls_code != 0 && p->starttls_code != 220)
			diag_reportf(c->sink, DIAG_TLS_HANDSHAKE_FAILED,
			    &c->d, "%s offers STARTTLS but answers it with %d",
			    c->where, p->starttls_code);
	}
	if (c->h->submission && p->mode == SMTP_TLS_STARTTLS &&
	    (p->ext & SMTP_EXT_AUTH))
		diag_reportf(c->sink, DIAG_SMTP_AUTH_BEFORE_TLS, &c->d,
		    "%s offers AUTH %s before STARTTLS", c->where,
		    p->auth[0] ? p->auth : "(no mechanisms listed)");
	if (p->tls_done)
		judge_tls(c, enforce, testing);
}

/* Where a probe went, for the findings: "mx.example.com 192.0.2.1:25". */
static void
where_of(const struct transport_host *H, const struct smtp_probe *p,
    char *out, size_t size)
{
	char ip[IP_STRLEN];

	ip_format(&p->ip, ip, sizeof(ip));
	snprintf(out, size, "%s %s%s%s:%u", H->name,
	    p->ip.family == 6 ? "[" : "", ip, p->ip.family == 6 ? "]" : "",
	    p->port);
}

/* DANE (RFC 7672): each host's TLSA records, each probe's match, and
 * whether only some MX hosts publish TLSA. */
static void
judge_dane(struct transport_result *t, struct diag_sink *sink)
{
	char without[400] = "", where[320];
	size_t with = 0, nwithout = 0, at = 0;
	struct diag d;

	if (t->nprobe > 0 && (t->dane = calloc(t->nprobe,
	    sizeof(*t->dane))) == NULL) {
		t->area.oom = true;
		return;
	}
	for (size_t h = 0; h < t->nhost; h++) {
		const struct transport_host *H = &t->host[h];
		const struct dane_set *s;

		if (H->dane == NULL)
			continue;
		memset(&d, 0, sizeof(d));
		d.domain = H->name;
		s = dane_lookup_set(H->dane);
		if (H->dane->oom)
			t->area.oom = true;
		if (s->asked && s->status != DNS_OK && s->status !=
		    DNS_NXDOMAIN && s->status != DNS_NODATA)
			t->area.incomplete = true;
		dane_judge_host(H->dane, sink, &d);
		for (size_t a = 0; a < H->n; a++) {
			const struct smtp_probe *p = &t->probe[H->first + a];

			if (t->skip_why[H->first + a] != NULL || !t->probed)
				continue;
			where_of(H, p, where, sizeof(where));
			dane_judge_probe(H->dane, p, where, sink, &d,
			    &t->dane[H->first + a]);
		}
		if (H->submission || H->dane->given || !s->asked)
			continue;
		if (dane_has_tlsa(H->dane)) {
			with++;
		} else if (s->status == DNS_NXDOMAIN ||
		    s->status == DNS_NODATA || s->status == DNS_OK) {
			int w = snprintf(without + at, sizeof(without) - at,
			    "%s%s", nwithout ? ", " : "", H->name);

			nwithout++;
			/* cut, never overwritten: the rest is left out */
			if (w > 0)
				at += (size_t)w < sizeof(without) - at ?
				    (size_t)w : sizeof(without) - 1 - at;
		}
	}
	if (with > 0 && nwithout > 0)
		diag_reportf(sink, DIAG_DANE_PARTIAL, NULL,
		    "%zu MX host%s publish%s TLSA records, %zu do%s not (%s): "
		    "DANE senders deliver to those without authentication",
		    with, with == 1 ? "" : "s", with == 1 ? "es" : "",
		    nwithout, nwithout == 1 ? "es" : "", without);
}

void
transport_judge(struct transport_result *t, const struct mtasts_result *sts,
    struct diag_sink *sink)
{
	bool enforce = false, testing = false;
	struct ctx c;

	if (t->skipped != NULL)
		return;
	if (t->error[0] != '\0')
		t->area.incomplete = true;
	if (!t->probed)
		return;
	if (sts != NULL && sts->state == MTASTS_POLICY_OK) {
		enforce = sts->pol.mode == MTASTS_MODE_ENFORCE;
		testing = sts->pol.mode == MTASTS_MODE_TESTING;
	}
	memset(&c, 0, sizeof(c));
	c.sink = sink;
	judge_dane(t, sink);
	if (t->port25_blocked) {
		diag_reportf(sink, DIAG_SMTP_PORT25_BLOCKED, NULL,
		    "every connection to port %u of every mail server timed "
		    "out (or found no route) while DNS answered: outbound "
		    "port %u is probably blocked on this network, so the "
		    "servers could not be judged", t->nhost ? t->host[0].port : 25,
		    t->nhost ? t->host[0].port : 25);
		return;
	}
	for (size_t h = 0; h < t->nhost; h++) {
		const struct transport_host *H = &t->host[h];
		size_t tried = 0, ok = 0;
		char fails[400];
		size_t at = 0;

		c.h = H;
		memset(&c.d, 0, sizeof(c.d));
		c.d.domain = H->name;
		if (H->n == 0 && H->unresolved != NULL &&
		    t->report_unresolved) {
			diag_reportf(sink, DIAG_SMTP_UNREACHABLE, &c.d,
			    "%s: %s", H->name, H->unresolved);
			continue;
		}
		fails[0] = '\0';
		for (size_t a = 0; a < H->n; a++) {
			const struct smtp_probe *p = &t->probe[H->first + a];
			char ip[IP_STRLEN];

			if (p->skip || p->connect == SMTP_CONN_NO_ROUTE)
				continue;
			tried++;
			if (p->connect == SMTP_CONN_OK) {
				ok++;
				continue;
			}
			ip_format(&p->ip, ip, sizeof(ip));
			if (at < sizeof(fails)) {
				int w = snprintf(fails + at, sizeof(fails) - at,
				    "%s%s: %s", at ? "; " : "", ip,
				    p->connect_error);

				if (w > 0)
					at += (size_t)w;
			}
		}
		if (tried > 0 && ok == 0) {
			diag_reportf(sink, DIAG_SMTP_UNREACHABLE, &c.d,
			    "%s port %u: %s", H->name, H->port, fails);
			continue;
		}
		for (size_t a = 0; a < H->n; a++) {
			const struct smtp_probe *p = &t->probe[H->first + a];
			char ip[IP_STRLEN];

			/* No route from here (a machine without IPv6) says
			 * nothing about the server: shown, not judged. */
			if (p->skip || p->connect == SMTP_CONN_NO_ROUTE)
				continue;
			ip_format(&p->ip, ip, sizeof(ip));
			snprintf(c.where, sizeof(c.where), "%s %s%s%s:%u",
			    H->name, p->ip.family == 6 ? "[" : "", ip,
			    p->ip.family == 6 ? "]" : "", p->port);
			c.p = p;
			c.dane = t->dane != NULL ? &t->dane[H->first + a] :
			    NULL;
			if (p->connect != SMTP_CONN_OK) {
				diag_reportf(sink, DIAG_SMTP_ADDRESS_UNREACHABLE,
				    &c.d, "%s: %s (another address answers)",
				    c.where, p->connect_error);
				continue;
			}
			judge_probe(&c, enforce, testing);
		}
	}
}
