/*
 * https.h -- fetch many HTTPS resources at once (the MTA-STS policies).
 *
 * The only module that includes libcurl.  Every request of a batch is in
 * flight at the same time (curl's multi interface), so a domain report pays
 * one round of fetches, not one per domain.  Host addresses come from OUR
 * resolver (dns.h) and are handed to curl pinned to the host name, so
 * --zone and --resolver decide where a request goes and curl never asks
 * the system resolver.
 *
 * Fetches are deliberately strict (RFC 8461 §3.3): HTTPS only, certificate
 * chain and host name verified, no redirects followed, a time limit and a
 * body size limit, no proxy, no cookies, no .netrc.
 */
#ifndef AUTHCHECK_HTTPS_H
#define AUTHCHECK_HTTPS_H

#include <stdbool.h>
#include <stddef.h>

#include "ip.h"

#define HTTPS_DEFAULT_TIMEOUT	10.0		/* seconds for the whole batch */
#define HTTPS_DEFAULT_MAX_SIZE	(64 * 1024)	/* RFC 8461 §3.3 suggests 64 KiB */
#define HTTPS_DEFAULT_PORT	443

/* Zero fields take the defaults above; ca_file NULL = the system CAs. */
struct https_opts {
	double timeout;		/* seconds, per request (all run at once) */
	size_t max_size;	/* larger bodies fail, never truncated */
	const char *ca_file;	/* PEM bundle of trusted CAs */
	unsigned port;		/* tests serve on a high port */
};

/*
 * One GET of https://host/path.  The caller fills the inputs (borrowed;
 * they must stay valid during https_fetch_all); the outputs are malloc'd
 * and freed by https_req_free().
 */
struct https_req {
	const char *host;		/* DNS name, used for SNI and the cert */
	const char *path;		/* starts with '/' */
	const struct ipaddr *addrs;	/* from our resolver */
	size_t naddrs;
	/* out: */
	long status;			/* HTTP status, 0 when none arrived */
	char *content_type;		/* Content-Type header or NULL */
	char *body;			/* NUL-terminated (NUL not counted) */
	size_t body_len;
	bool ok;			/* a complete 200 response arrived */
	char err[256];			/* when !ok: why, for the user */
};

/*
 * Fetch every request concurrently.  o may be NULL (all defaults).  Each
 * request ends with ok set, or with err saying why not: connection or TLS
 * failure (certificate problems named), a time-out, "redirect (HTTP 301)
 * to ...: redirects are not followed", "HTTP 404", "larger than N bytes".
 * A request without addresses fails without touching the network.
 * Returns 0, or -1 when libcurl cannot be set up (every request then has
 * err set).
 */
int https_fetch_all(struct https_req *reqs, size_t n,
    const struct https_opts *o);

/* Load libcurl now (once per process; https_fetch_all() does it too).
 * False, with the reason in why, when it is not installed or unusable: the
 * caller can then say that fetching was skipped instead of blaming each
 * server.  The library is libcurl.so.4, or $AUTHCHECK_LIBCURL (tests). */
bool https_available(char *why, size_t whysize);

/* Free a request's outputs and reset them; the inputs are left alone. */
void https_req_free(struct https_req *req);

#endif
