/*
 * mx.c -- the MX and reverse-DNS check (see mx.h).
 *
 * Every query goes out through dns_submit() with a callback; a callback
 * copies what it needs out of the answer and submits the next level (MX ->
 * A/AAAA of each host -> PTR of each address -> A/AAAA of each PTR name).
 * Nothing waits, so this check's queries share round trips with every
 * other check's.  Judging is left to mx_finish(), after everything has
 * arrived: a callback only records.
 *
 * A query whose callback never fired (the resolver ran out of memory for
 * it) is still DNS_PENDING at mx_finish() and counts as a failure: a lost
 * answer must never read as a missing record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "buf.h"
#include "dane.h"
#include "mx.h"

/* ---- small helpers ---------------------------------------------------- */

/* Length of name without one trailing dot (not of the root "."). */
static size_t
name_len(const char *s)
{
	return dns_name_trim(s, strlen(s));
}

/* Host names equal, ignoring case and a trailing dot. */
static bool
name_eq(const char *a, const char *b)
{
	size_t na = name_len(a), nb = name_len(b), i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

/* Answers that leave the question open (RFC 8601 §2.7.3 temperror). */
static bool
failed(enum dns_status st)
{
	return st == DNS_PENDING || st == DNS_SERVFAIL || st == DNS_TIMEOUT ||
	    st == DNS_ERROR;
}

static bool
has_answer(enum dns_status st)
{
	return st == DNS_OK;
}

/* Remember a failed query for mx_finish(); keeps MX_MAX_FAILS of them. */
static void
note_failure(struct mx_result *res, const char *name, uint16_t type,
    enum dns_status st, const char *why)
{
	struct mx_failure *f;

	res->area.incomplete = true;
	res->nfail_total++;
	if (res->nfail >= MX_MAX_FAILS)
		return;
	f = &res->fail[res->nfail];
	if ((f->name = buf_strdup(name)) == NULL) {
		res->area.oom = true;
		return;
	}
	f->type = type;
	f->status = st;
	f->why = NULL;
	if (why != NULL && (f->why = buf_strdup(why)) == NULL)
		res->area.oom = true;
	res->nfail++;
}

/* Submit with *st reset first: the callback may run inside dns_submit(). */
static void
submit(struct mx_result *res, const char *name, uint16_t type, dns_cb *cb,
    void *arg, enum dns_status *st)
{
	*st = DNS_PENDING;
	if (dns_submit(res->r_, name, type, cb, arg) == NULL) {
		res->area.oom = true;
		*st = DNS_ERROR;
		note_failure(res, name, type, DNS_ERROR, "out of memory");
	}
}

bool
mx_is_ip_literal(const char *p, size_t len)
{
	struct ipaddr ip;
	char tmp[IP_STRLEN + 8];
	size_t i, n = 0;

	len = dns_name_trim(p, len);
	if (len >= 2 && p[0] == '[' && p[len - 1] == ']') {
		p++;
		len -= 2;
	}
	/* RFC 5321 §4.1.3 address literal tag */
	if (len > 5 && ascii_lower(p[0]) == 'i' && ascii_lower(p[1]) == 'p' &&
	    ascii_lower(p[2]) == 'v' && p[3] == '6' && p[4] == ':') {
		p += 5;
		len -= 5;
	}
	/* Drop presentation escapes ("\[" from a resolver) before parsing. */
	for (i = 0; i < len; i++) {
		if (p[i] == '\\')
			continue;
		if (n >= sizeof(tmp) - 1)
			return false;
		tmp[n++] = p[i];
	}
	if (n > 0 && tmp[0] == '[')
		memmove(tmp, tmp + 1, --n);
	if (n > 0 && tmp[n - 1] == ']')
		n--;
	return n > 0 && ip_parse(tmp, n, &ip);
}

/* "192.0.2.1.<domain>": a dotted quad in front of the checked domain, the
 * usual result of a zone file's "MX 10 192.0.2.1" without a final dot. */
static bool
origin_literal(const char *host, const char *domain)
{
	size_t nh = name_len(host), nd = name_len(domain);
	struct ipaddr ip;

	if (nd == 0 || nh <= nd + 1 || host[nh - nd - 1] != '.' ||
	    !dns_name_within(host, domain))
		return false;
	return ip_parse_family(host, nh - nd - 1, 4, &ip);
}

/* ---- callbacks -------------------------------------------------------- */

static void
fwd_cb(void *arg, struct dns_query *q)
{
	struct mx_ptr *p = arg;
	struct mx_addr *ad = p->addr_;
	const struct dns_answer *a = dns_answer(q);
	size_t i;

	p->fwd_status = a->status;
	if (failed(a->status)) {
		note_failure(ad->res_, p->name, dns_query_type(q), a->status,
		    a->why);
		return;
	}
	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].type == dns_query_type(q) &&
		    ip_equal(&a->rr[i].u.addr, &ad->ip))
			p->confirmed = true;
}

static void
ptr_cb(void *arg, struct dns_query *q)
{
	struct mx_addr *ad = arg;
	struct mx_result *res = ad->res_;
	const struct dns_answer *a = dns_answer(q);
	struct mx_ptr *p;
	size_t i;

	ad->ptr_status = a->status;
	if (failed(a->status)) {
		note_failure(res, ad->rev, DNS_T_PTR, a->status, a->why);
		return;
	}
	if (!has_answer(a->status))
		return;
	/* Fill every slot before submitting: a callback must find its
	 * siblings complete. */
	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].type != DNS_T_PTR)
			continue;
		ad->nptr_total++;
		if (ad->nptr >= MX_MAX_PTRS)
			continue;
		p = &ad->ptr[ad->nptr++];
		p->addr_ = ad;
		p->fwd_status = DNS_PENDING;
		if ((p->name = buf_strndup(a->rr[i].u.target,
		    name_len(a->rr[i].u.target))) == NULL) {
			res->area.oom = true;
			p->fwd_status = DNS_ERROR;
			note_failure(res, ad->rev, DNS_T_PTR, DNS_ERROR,
			    "out of memory");
		}
	}
	for (i = 0; i < ad->nptr; i++) {
		p = &ad->ptr[i];
		if (p->name != NULL)
			submit(res, p->name, ad->ip.family == 4 ? DNS_T_A :
			    DNS_T_AAAA, fwd_cb, p, &p->fwd_status);
	}
}

/* Set up one address and ask for its PTR. */
static void
addr_start(struct mx_result *res, struct mx_addr *ad, const struct ipaddr *ip)
{
	memset(ad, 0, sizeof(*ad));
	ad->ip = ip_unmap(ip);
	ad->res_ = res;
	ip_reverse_name(&ad->ip, ad->rev, sizeof(ad->rev));
	if (ad->rev[0] == '\0') {
		ad->ptr_status = DNS_BADNAME;
		return;
	}
	submit(res, ad->rev, DNS_T_PTR, ptr_cb, ad, &ad->ptr_status);
}

static void
host_addr_take(struct mx_host *h, struct dns_query *q)
{
	struct mx_result *res = h->res_;
	const struct dns_answer *a = dns_answer(q);
	uint16_t type = dns_query_type(q);
	size_t i, first = h->naddr;

	*(type == DNS_T_A ? &h->a_status : &h->aaaa_status) = a->status;
	if (a->ncname > 0 && a->canon != NULL && h->cname == NULL &&
	    (h->cname = buf_strndup(a->canon, name_len(a->canon))) == NULL)
		res->area.oom = true;
	if (failed(a->status)) {
		note_failure(res, h->name, type, a->status, a->why);
		return;
	}
	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].type != type)
			continue;
		h->naddr_total++;
		if (h->naddr < MX_MAX_ADDRS)
			h->addr[h->naddr++].ip = a->rr[i].u.addr;
	}
	for (i = first; i < h->naddr; i++) {
		struct ipaddr ip = h->addr[i].ip;

		addr_start(res, &h->addr[i], &ip);
	}
}

/* host_ready once everything the probe needs is in: the addresses and,
 * when asked, the TLSA records (the handshake matches them).  Not while
 * the host's questions are being asked: the zone backend answers inside
 * dns_submit(), before the TLSA question exists. */
static void
host_try_ready(struct mx_host *h)
{
	struct mx_result *res = h->res_;

	if (h->starting_ || h->ready_sent_ || res->host_ready_ == NULL ||
	    h->a_status == DNS_PENDING || h->aaaa_status == DNS_PENDING ||
	    (h->tlsa != NULL && !dane_lookup_done(h->tlsa)))
		return;
	h->ready_sent_ = true;
	res->host_ready_(res->host_arg_, h);
}

static void
host_tlsa_progress(void *arg)
{
	host_try_ready(arg);
}

static void
host_addr_cb(void *arg, struct dns_query *q)
{
	struct mx_host *h = arg;

	host_addr_take(h, q);
	host_try_ready(h);
}

static void
dom_cb(void *arg, struct dns_query *q)
{
	struct mx_result *res = arg;
	const struct dns_answer *a = dns_answer(q);

	/* Only mx.missing's advice reads these; a failure is reported then. */
	if (dns_query_type(q) == DNS_T_A)
		res->a_status = a->status;
	else
		res->aaaa_status = a->status;
}

struct mx_sort {
	uint16_t pref;
	size_t idx;
};

static int
mx_sort_cmp(const void *x, const void *y)
{
	const struct mx_sort *a = x, *b = y;

	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void
mx_cb(void *arg, struct dns_query *q)
{
	struct mx_result *res = arg;
	const struct dns_answer *a = dns_answer(q);
	struct mx_sort *v;
	struct mx_host *h;
	size_t i, j, n = 0;

	res->mx_status = a->status;
	if (failed(a->status)) {
		note_failure(res, res->domain, DNS_T_MX, a->status, a->why);
		return;
	}
	if (!has_answer(a->status))
		return;
	if ((v = calloc(a->nrr ? a->nrr : 1, sizeof(*v))) == NULL)
		goto oom;
	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].type != DNS_T_MX)
			continue;
		if (a->rr[i].u.mx.host[0] == '\0' ||
		    strcmp(a->rr[i].u.mx.host, ".") == 0) {
			res->null_mx = true;	/* counted past the bound too */
			res->nnull++;
		}
		v[n].pref = a->rr[i].u.mx.pref;
		v[n++].idx = i;
	}
	res->nmx = n;
	/* The most preferred are the ones mail goes to: keep those. */
	qsort(v, n, sizeof(*v), mx_sort_cmp);
	res->nhost = n < MX_MAX_HOSTS ? n : MX_MAX_HOSTS;
	if (res->nhost == 0) {
		free(v);
		return;
	}
	if ((res->host = calloc(res->nhost, sizeof(*res->host))) == NULL) {
		res->nhost = 0;
		free(v);
		goto oom;
	}
	for (i = 0; i < res->nhost; i++) {
		const char *t = a->rr[v[i].idx].u.mx.host;

		h = &res->host[i];
		h->res_ = res;
		h->pref = v[i].pref;
		h->a_status = h->aaaa_status = DNS_PENDING;
		if (strcmp(t, ".") == 0)
			t = "";
		if ((h->name = buf_strndup(t, name_len(t))) == NULL) {
			free(v);
			goto oom;
		}
		h->null_mx = h->name[0] == '\0';
		if (h->null_mx)
			continue;
		h->ip_literal = mx_is_ip_literal(h->name, strlen(h->name));
		h->origin_literal = !h->ip_literal &&
		    origin_literal(h->name, res->domain);
		if (h->origin_literal)
			h->ip_literal = true;
		for (j = 0; j < i && !h->duplicate; j++)
			if (!res->host[j].null_mx &&
			    name_eq(res->host[j].name, h->name))
				h->duplicate = true;
		h->resolved = !h->duplicate &&
		    (!h->ip_literal || h->origin_literal);
	}
	free(v);
	for (i = 0; i < res->nhost; i++) {
		h = &res->host[i];
		if (!h->resolved)
			continue;
		h->starting_ = true;
		submit(res, h->name, DNS_T_A, host_addr_cb, h, &h->a_status);
		submit(res, h->name, DNS_T_AAAA, host_addr_cb, h,
		    &h->aaaa_status);
		/* DANE's TLSA in the same wave as the addresses: no round
		 * trip of its own (the Transport area judges it). */
		if (res->tlsa_port_ != 0 && !h->ip_literal) {
			if ((h->tlsa = calloc(1, sizeof(*h->tlsa))) == NULL ||
			    dane_lookup_start(res->r_, h->name,
			    res->tlsa_port_, h->tlsa, host_tlsa_progress,
			    h) != 0)
				res->area.oom = true;
		}
		h->starting_ = false;
		host_try_ready(h);
	}
	return;
oom:
	res->area.oom = true;
	note_failure(res, res->domain, DNS_T_MX, DNS_ERROR, "out of memory");
}

/* ---- start ------------------------------------------------------------ */

int
mx_start(struct dns_resolver *r, const char *domain, const struct mx_opts *o,
    struct mx_result *res)
{
	size_t n, i;

	memset(res, 0, sizeof(*res));
	area_result_init(&res->area);
	res->mx_status = res->a_status = res->aaaa_status = DNS_PENDING;
	if (r == NULL || domain == NULL)
		return -1;
	n = name_len(domain);
	if (n >= sizeof(res->domain) || !dns_name_valid(domain, n))
		return -1;
	memcpy(res->domain, domain, n);
	res->domain[n] = '\0';
	res->r_ = r;
	if (o != NULL) {
		res->host_ready_ = o->host_ready;
		res->host_arg_ = o->host_arg;
		res->tlsa_port_ = o->tlsa_port;
	}
	if (o != NULL && o->nsend_ips > 0 && o->send_ips != NULL) {
		res->nsend_total = o->nsend_ips;
		n = o->nsend_ips < MX_MAX_SEND ? o->nsend_ips : MX_MAX_SEND;
		if ((res->send = calloc(n, sizeof(*res->send))) == NULL)
			return -1;
		res->nsend = n;
		for (i = 0; i < n; i++)
			res->send[i].ptr_status = DNS_PENDING;
	}
	/* From here on queries are out: errors are findings, not -1, since
	 * the caller must keep res until dns_run() anyway. */
	submit(res, res->domain, DNS_T_MX, mx_cb, res, &res->mx_status);
	submit(res, res->domain, DNS_T_A, dom_cb, res, &res->a_status);
	submit(res, res->domain, DNS_T_AAAA, dom_cb, res, &res->aaaa_status);
	for (i = 0; i < res->nsend; i++)
		addr_start(res, &res->send[i], &o->send_ips[i]);
	return 0;
}

/* ---- judging ---------------------------------------------------------- */

static void
judge_addr(struct mx_result *res, struct mx_addr *ad)
{
	bool open = false;
	size_t i;

	if (ad->ptr_status == DNS_PENDING)
		note_failure(res, ad->rev, DNS_T_PTR, DNS_PENDING,
		    "no answer");
	for (i = 0; i < ad->nptr; i++)
		if (ad->ptr[i].fwd_status == DNS_PENDING)
			note_failure(res, ad->ptr[i].name,
			    ad->ip.family == 4 ? DNS_T_A : DNS_T_AAAA,
			    DNS_PENDING, "no answer");
	if (failed(ad->ptr_status)) {
		ad->iprev = MX_IPREV_TEMPERROR;
		return;
	}
	if (!has_answer(ad->ptr_status) || ad->nptr == 0) {
		ad->iprev = MX_IPREV_PERMERROR;
		return;
	}
	for (i = 0; i < ad->nptr; i++) {
		if (ad->ptr[i].confirmed) {
			ad->iprev = MX_IPREV_PASS;
			return;
		}
		if (failed(ad->ptr[i].fwd_status))
			open = true;
	}
	ad->iprev = open ? MX_IPREV_TEMPERROR : MX_IPREV_FAIL;
}

static void
judge(struct mx_result *res)
{
	struct mx_host *h;
	size_t i, j;

	if (res->mx_status == DNS_PENDING)
		note_failure(res, res->domain, DNS_T_MX, DNS_PENDING,
		    "no answer");
	if (res->mx_status == DNS_NODATA) {
		/* mx.missing's advice depends on these two */
		if (failed(res->a_status))
			note_failure(res, res->domain, DNS_T_A, res->a_status,
			    NULL);
		if (failed(res->aaaa_status))
			note_failure(res, res->domain, DNS_T_AAAA,
			    res->aaaa_status, NULL);
	}
	for (i = 0; i < res->nhost; i++) {
		h = &res->host[i];
		if (!h->resolved)
			continue;
		if (h->a_status == DNS_PENDING)
			note_failure(res, h->name, DNS_T_A, DNS_PENDING,
			    "no answer");
		if (h->aaaa_status == DNS_PENDING)
			note_failure(res, h->name, DNS_T_AAAA, DNS_PENDING,
			    "no answer");
		for (j = 0; j < h->naddr; j++)
			judge_addr(res, &h->addr[j]);
	}
	for (i = 0; i < res->nsend; i++)
		judge_addr(res, &res->send[i]);
}

/* ---- reporting -------------------------------------------------------- */

static void
report_failures(const struct mx_result *res, struct diag_sink *sink)
{
	struct diag d;
	size_t i;

	memset(&d, 0, sizeof(d));
	for (i = 0; i < res->nfail; i++) {
		const struct mx_failure *f = &res->fail[i];

		d.domain = f->name;
		diag_reportf(sink, DIAG_DNS_FAILURE, &d,
		    "%s %s query failed (%s%s%s): the MX/PTR check of %s is "
		    "incomplete%s", f->name, dns_type_name(f->type),
		    f->status == DNS_PENDING ? "no answer" :
		    dns_status_name(f->status), f->why != NULL ? ", " : "",
		    f->why != NULL ? f->why : "", res->domain,
		    i + 1 == res->nfail && res->nfail_total > res->nfail ?
		    " (further failed queries not listed)" : "");
	}
}

/* "10 mx.example.com" or "0 ." */
static void
mx_text(const struct mx_host *h, char *out, size_t size)
{
	snprintf(out, size, "%u %s", (unsigned)h->pref,
	    h->null_mx ? "." : h->name);
}

/* True when an earlier MX host already reported on this address. */
static bool
addr_seen(const struct mx_result *res, size_t host, size_t addr)
{
	const struct ipaddr *ip = &res->host[host].addr[addr].ip;
	size_t i, j;

	for (i = 0; i <= host; i++)
		for (j = 0; j < res->host[i].naddr; j++) {
			if (i == host && j == addr)
				return false;
			if (ip_equal(&res->host[i].addr[j].ip, ip))
				return true;
		}
	return false;
}

/* ptr.missing / ptr.mismatch for one address; `what` names its role. */
static void
report_addr(const struct mx_addr *ad, const char *what,
    struct diag_sink *sink)
{
	char ip[IP_STRLEN], names[512];
	struct diag d;
	size_t i, off = 0;
	int k;

	ip_format(&ad->ip, ip, sizeof(ip));
	memset(&d, 0, sizeof(d));
	d.domain = ad->rev;
	if (ad->iprev == MX_IPREV_PERMERROR) {
		diag_reportf(sink, DIAG_PTR_MISSING, &d,
		    "%s (%s) has no PTR record (%s at %s): receivers that "
		    "check reverse DNS (iprev, RFC 8601 §3) distrust it",
		    ip, what, dns_status_name(ad->ptr_status), ad->rev);
		return;
	}
	if (ad->iprev != MX_IPREV_FAIL)
		return;
	names[0] = '\0';
	for (i = 0; i < ad->nptr && off < sizeof(names); i++) {
		k = snprintf(names + off, sizeof(names) - off, "%s%s",
		    i > 0 ? ", " : "", ad->ptr[i].name);
		if (k < 0)
			break;
		off += (size_t)k;
	}
	d.record = ad->ptr[0].name;
	d.record_len = strlen(ad->ptr[0].name);
	if (ad->nptr_total > ad->nptr)
		diag_reportf(sink, DIAG_PTR_MISMATCH, &d,
		    "%s (%s): none of the first %zu of its %zu PTR names (%s) "
		    "has an %s record with this address; the rest were not "
		    "checked (bound %d) (FCrDNS fails, RFC 8601 §3)", ip, what,
		    ad->nptr, ad->nptr_total, names,
		    ad->ip.family == 4 ? "A" : "AAAA", MX_MAX_PTRS);
	else
		diag_reportf(sink, DIAG_PTR_MISMATCH, &d,
		    "%s (%s) has PTR %s, but %s back to %s (FCrDNS fails, "
		    "RFC 8601 §3)", ip, what, names,
		    ad->nptr == 1 ? "that name does not resolve" :
		    "none of these names resolves", ip);
}

static void
report_missing(const struct mx_result *res, struct diag_sink *sink)
{
	struct diag d;

	memset(&d, 0, sizeof(d));
	d.domain = res->domain;
	if (res->mx_status == DNS_NXDOMAIN) {
		diag_reportf(sink, DIAG_MX_MISSING, &d,
		    "%s does not exist (NXDOMAIN): mail to it bounces; check "
		    "the spelling, or create the name with MX records", res->domain);
		return;
	}
	if (has_answer(res->a_status) || has_answer(res->aaaa_status))
		diag_reportf(sink, DIAG_MX_MISSING, &d,
		    "no MX at %s: mail goes to its A/AAAA address (implicit "
		    "MX, RFC 5321 §5.1); publish MX records, or a null MX "
		    "(\"MX 0 .\", RFC 7505) if the domain takes no mail",
		    res->domain);
	else if (failed(res->a_status) || failed(res->aaaa_status))
		diag_reportf(sink, DIAG_MX_MISSING, &d,
		    "no MX at %s; publish MX records, or a null MX (\"MX 0 .\") "
		    "if the domain takes no mail", res->domain);
	else
		diag_reportf(sink, DIAG_MX_MISSING, &d,
		    "no MX and no A/AAAA at %s: it cannot receive mail, but "
		    "senders retry for days; publish a null MX (\"MX 0 .\", "
		    "RFC 7505) to make them give up at once", res->domain);
}

static void
report_null(const struct mx_result *res, struct diag_sink *sink)
{
	char rec[300];
	struct diag d;
	const struct mx_host *h = NULL;
	size_t i, nother = res->nmx - res->nnull;

	for (i = 0; i < res->nhost && h == NULL; i++)
		if (res->host[i].null_mx)
			h = &res->host[i];
	memset(&d, 0, sizeof(d));
	d.domain = res->domain;
	if (h != NULL) {
		mx_text(h, rec, sizeof(rec));
		d.record = rec;
		d.record_len = strlen(rec);
	}
	if (nother == 0) {
		/* RFC 7505 §3: "." is not a host name, so an MX with that
		 * exchange names no server whatever its preference; the RFC
		 * writes the record with preference 0. */
		if (h != NULL && h->pref != 0)
			diag_reportf(sink, DIAG_MX_NULL, &d,
			    "null MX at %s: the domain accepts no mail "
			    "(preference %u; RFC 7505 writes it \"MX 0 .\")",
			    res->domain, (unsigned)h->pref);
		else
			diag_reportf(sink, DIAG_MX_NULL, &d,
			    "null MX at %s: the domain accepts no mail",
			    res->domain);
		return;
	}
	diag_reportf(sink, DIAG_MX_NULL_MIXED, &d,
	    "%s publishes a null MX together with %zu other MX record%s; "
	    "a domain with a null MX must not publish any other (RFC 7505 "
	    "§3), so senders may treat it as taking no mail", res->domain,
	    nother, nother == 1 ? "" : "s");
}

static void
report_host(const struct mx_result *res, size_t hi, struct diag_sink *sink)
{
	const struct mx_host *h = &res->host[hi];
	char rec[300], what[300];
	struct diag d;
	size_t j;

	mx_text(h, rec, sizeof(rec));
	memset(&d, 0, sizeof(d));
	/* duplicates and literals are fixed in the domain's MX RRset; a
	 * CNAME or a missing address at the host's own name */
	d.domain = res->domain;
	d.record = rec;
	d.record_len = strlen(rec);
	if (h->duplicate) {
		diag_reportf(sink, DIAG_MX_DUPLICATE, &d,
		    "MX host %s is listed more than once at %s", h->name,
		    res->domain);
		return;
	}
	if (h->origin_literal)
		diag_reportf(sink, DIAG_MX_IP_LITERAL, &d,
		    "MX target %s is an IP address with the zone's origin "
		    "appended (a missing trailing dot?); an MX must name a "
		    "host", h->name);
	else if (h->ip_literal)
		diag_reportf(sink, DIAG_MX_IP_LITERAL, &d,
		    "MX target %s is an IP address, not a host name: senders "
		    "look it up as a name and fail", h->name);
	if (!h->resolved)
		return;
	d.domain = h->name;
	if (h->cname != NULL)
		diag_reportf(sink, DIAG_MX_CNAME, &d,
		    "MX target %s is an alias (CNAME) for %s; an MX must name "
		    "the canonical host", h->name, h->cname);
	if (h->naddr == 0 && !failed(h->a_status) && !failed(h->aaaa_status)) {
		if (h->a_status == DNS_NXDOMAIN || h->aaaa_status == DNS_NXDOMAIN)
			diag_reportf(sink, DIAG_MX_NO_ADDRESS, &d,
			    "MX host %s does not exist (NXDOMAIN): mail "
			    "for %s cannot be delivered to it",
			    h->cname != NULL ? h->cname : h->name, res->domain);
		else
			diag_reportf(sink, DIAG_MX_NO_ADDRESS, &d,
			    "MX host %s has no A or AAAA record", h->name);
	}
	for (j = 0; j < h->naddr; j++) {
		if (addr_seen(res, hi, j))
			continue;
		if (h->naddr_total > h->naddr)
			snprintf(what, sizeof(what), "address of MX host %s; "
			    "only its first %d of %zu addresses were checked",
			    h->name, MX_MAX_ADDRS, h->naddr_total);
		else
			snprintf(what, sizeof(what), "address of MX host %s",
			    h->name);
		report_addr(&h->addr[j], what, sink);
	}
}

void
mx_finish(struct mx_result *res, struct diag_sink *sink)
{
	char what[128];
	size_t i;

	if (!res->finished_) {
		judge(res);
		res->finished_ = true;
	}
	report_failures(res, sink);
	if (res->mx_status == DNS_NXDOMAIN || res->mx_status == DNS_NODATA)
		report_missing(res, sink);
	if (res->null_mx)
		report_null(res, sink);
	for (i = 0; i < res->nhost; i++)
		if (!res->host[i].null_mx)
			report_host(res, i, sink);
	for (i = 0; i < res->nsend; i++) {
		if (res->nsend_total > res->nsend)
			snprintf(what, sizeof(what), "sending address; only the "
			    "first %d of %zu were checked", MX_MAX_SEND,
			    res->nsend_total);
		else
			snprintf(what, sizeof(what), "sending address");
		report_addr(&res->send[i], what, sink);
	}
}

int
mx_check(struct dns_resolver *r, const char *domain, const struct mx_opts *o,
    struct mx_result *res, struct diag_sink *sink)
{
	if (mx_start(r, domain, o, res) != 0)
		return -1;
	dns_run(r);
	mx_finish(res, sink);
	return 0;
}

static void
addr_free(struct mx_addr *ad)
{
	size_t i;

	for (i = 0; i < ad->nptr; i++)
		free(ad->ptr[i].name);
}

void
mx_result_free(struct mx_result *res)
{
	size_t i, j;

	if (res == NULL)
		return;
	for (i = 0; i < res->nhost; i++) {
		free(res->host[i].name);
		free(res->host[i].cname);
		dane_lookup_free(res->host[i].tlsa);
		free(res->host[i].tlsa);
		for (j = 0; j < res->host[i].naddr; j++)
			addr_free(&res->host[i].addr[j]);
	}
	free(res->host);
	for (i = 0; i < res->nsend; i++)
		addr_free(&res->send[i]);
	free(res->send);
	for (i = 0; i < res->nfail; i++) {
		free(res->fail[i].name);
		free(res->fail[i].why);
	}
	area_result_free(&res->area);
	memset(res, 0, sizeof(*res));
}

const char *
mx_iprev_name(enum mx_iprev v)
{
	switch (v) {
	case MX_IPREV_PASS:		return "pass";
	case MX_IPREV_FAIL:		return "fail";
	case MX_IPREV_PERMERROR:	return "permerror";
	case MX_IPREV_TEMPERROR:	return "temperror";
	case MX_IPREV_NONE:		break;
	}
	return "none";
}
