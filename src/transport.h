/*
 * transport.h -- the Transport area of the domain report and of
 * `authcheck smtp`: which addresses of which MX hosts are probed
 * (smtp.c), and the findings about what the probes saw (tls.c describes
 * the certificates).
 *
 * The area has no DNS questions of its own: the MX area's callbacks
 * start each MX host's dialogues as soon as its addresses are known
 * (transport_batch_host), one engine for the batch running beside the
 * rest of the DNS work; after dns_run() check.c plans the probes of
 * every domain from the MX area's results (transport_plan), takes each
 * one's result from the batch (transport_batch_collect) while the MTA-STS
 * policies are fetched, and finish judges them with the MTA-STS policy in
 * hand (transport_judge).
 */
#ifndef AUTHCHECK_TRANSPORT_H
#define AUTHCHECK_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "area.h"
#include "dane.h"
#include "diag.h"
#include "mx.h"
#include "smtp.h"

struct mtasts_result;

#define TRANSPORT_MAX_ADDRS	4	/* addresses probed per MX host: up
					 * to two of each family first */
#define TRANSPORT_MAX_HOSTS	MX_MAX_HOSTS

/* One host: an MX exchange, or a HOST[:PORT] of `authcheck smtp`. */
struct transport_host {
	char name[256];
	unsigned port;
	size_t first, n;		/* its addresses: probe[first..+n) */
	size_t naddr_total;		/* addresses DNS gave */
	bool submission;		/* a submission port (587, 465, ...):
					 * AUTH before TLS is a finding */
	const char *unresolved;		/* why it has no address, or NULL */
	const struct dane_lookup *dane;	/* its TLSA (transport_host_dane),
					 * or NULL */
	struct tls_tlsa tlsa[DANE_MAX_TLSA];	/* the usable ones, which
					 * its probes match the chain with */
	size_t ntlsa;
};

struct transport_result {
	struct area_result area;	/* findings, incomplete, oom */
	const char *skipped;		/* why the area was not probed at all
					 * (static text), or NULL */
	struct transport_host host[TRANSPORT_MAX_HOSTS];
	size_t nhost;
	size_t nhost_total;		/* hosts that could have been probed */
	struct smtp_probe *probe;	/* malloc'd, nprobe */
	const char **skip_why;		/* per probe: why not probed (static),
					 * NULL when probed */
	struct dane_verdict *dane;	/* per probe: DANE's verdict (set by
					 * transport_judge; NULL before) */
	size_t nprobe;
	bool port25_blocked;		/* the run's connects all timed out */
	bool probed;			/* smtp_run() ran for it */
	bool report_unresolved;		/* a host without an address is
					 * smtp.unreachable (`authcheck smtp`;
					 * the report has mx.no-address) */
	char error[160];		/* the probe could not run at all */
};

struct transport_opts {
	unsigned port;			/* 0 = 25 */
	bool allow_loopback;		/* probe 127.0.0.0/8 and ::1 (tests
					 * with --smtp-port) */
	bool implicit_tls;		/* TLS first on every port */
};

/* An empty result (skipped, if `skipped` is not NULL). */
void transport_init(struct transport_result *t, const char *skipped);
void transport_result_free(struct transport_result *t);

/* Plan the probes of a domain from its MX result: every MX host (not
 * the null MX, not an address literal, not a duplicate), up to
 * TRANSPORT_MAX_ADDRS of its addresses.  Addresses that cannot be
 * reached from here are kept, with the reason, but not probed:
 * documentation and non-unicast ranges always, loopback unless
 * allow_loopback.  0, or -1 when memory ran out. */
int transport_plan(struct transport_result *t, const struct mx_result *mx,
    const struct transport_opts *o);

/* Add one host with its addresses (for `authcheck smtp`): all of them
 * are probed, up to TRANSPORT_MAX_ADDRS.  submission: a submission
 * server (AUTH before TLS is a finding), else an MX.  0, -1 out of
 * memory, 1 when TRANSPORT_MAX_HOSTS hosts are there already. */
int transport_add_host(struct transport_result *t, const char *name,
    unsigned port, bool implicit_tls, bool submission,
    const struct ipaddr *ips, size_t nips, const char *unresolved);

/* Give host h of t (and its probes) the TLSA lookup dl, which must
 * outlive t: the probes match the presented chain against its usable
 * records, and transport_judge() reports the dane.* findings. */
void transport_host_dane(struct transport_result *t, size_t h,
    const struct dane_lookup *dl);

/* Run the probes of t[0..n) at once (one smtp_run; a dialogue asked for
 * by several results -- the same host name, address, port and TLS mode
 * -- runs once and each gets its result), then decide port25_blocked
 * over all of them.  0, or -1 when the probe could not
 * run (each result's `error` says why). */
int transport_probe_all(struct transport_result **t, size_t n,
    const struct smtp_opts *o);

/*
 * The probes of a batch of domain reports, started while DNS is still at
 * work (see transport.c for why a thread):
 *   transport_batch_new()      nothing started yet; o must outlive it;
 *   transport_batch_host()     from a DNS callback, when an MX host's A
 *                              and AAAA (and its TLSA, dl, when DANE
 *                              asked) are answered: start the
 *                              dialogues transport_plan() will plan for
 *                              it (o as for transport_plan);
 *   transport_batch_seal()     after transport_plan() of every result:
 *                              start what is planned and not started
 *                              yet, then no more;
 *   transport_batch_collect()  wait for every dialogue, give each
 *                              planned probe its result, decide
 *                              port25_blocked; same return and `error`
 *                              as transport_probe_all();
 *   transport_batch_free().
 * A dialogue started early and never planned (a host dropped after its
 * addresses came) is run and its result not used.  Calls other than
 * the engine's own are from one thread.  NULL or -1: out of memory.
 */
struct transport_batch;

struct transport_batch *transport_batch_new(const struct smtp_opts *o);
int transport_batch_host(struct transport_batch *b, const char *name,
    const struct ipaddr *ips, size_t nips, const struct dane_lookup *dl,
    const struct transport_opts *o);
void transport_batch_seal(struct transport_batch *b,
    struct transport_result **t, size_t n);
int transport_batch_collect(struct transport_batch *b,
    struct transport_result **t, size_t n);
void transport_batch_free(struct transport_batch *b);

/* The findings (smtp.*, tls.*, dane.*) into sink.  sts (may be NULL): the
 * domain's MTA-STS result; an enforced policy makes a certificate
 * failure the error tls.mta-sts-cert-invalid. */
void transport_judge(struct transport_result *t,
    const struct mtasts_result *sts, struct diag_sink *sink);

#endif
