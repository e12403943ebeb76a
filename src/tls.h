/*
 * tls.h -- the TLS client of the SMTP probe (STARTTLS and implicit TLS)
 * and the judgement of what the server presented.
 *
 * The only user of libssl (crypto.c keeps libcrypto for keys).  A
 * connection is driven without blocking: tls_handshake() is called again
 * whenever the socket is ready in the direction it asked for, so many
 * handshakes run at once in the probe's event loop (smtp.c).  The client
 * accepts every certificate so that it can describe the broken ones;
 * verification against the CA store and the name match (RFC 6125) are
 * results, not reasons to abort.
 */
#ifndef AUTHCHECK_TLS_H
#define AUTHCHECK_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define TLS_MAX_NAMES	16	/* DNS names kept from the certificate */
#define TLS_MAX_CHAIN	10	/* certificates of the chain described */
#define TLS_MAX_CERT_LIST (100 * 1024)	/* bytes of chain accepted */

struct tls_ctx;
struct tls_conn;

/* One TLSA record (RFC 6698 §2.1) to match the presented chain against
 * (DANE, RFC 7672).  The data belongs to the caller. */
struct tls_tlsa {
	unsigned char usage, selector, mtype;
	const unsigned char *data;
	size_t len;
};

/* What the server presented, after a completed handshake. */
struct tls_info {
	char version[16];		/* "TLSv1.3" */
	bool old_protocol;		/* below TLS 1.2 (RFC 8996) */
	char cipher[64];
	bool has_cert;			/* the server sent a certificate */
	bool verified;			/* the chain verifies against the CA
					 * store (or --ca-file) */
	char verify_error[128];		/* why not ("" when verified) */
	bool self_signed;		/* leaf issuer == subject */
	char names[TLS_MAX_NAMES][256];	/* subjectAltName DNS names, else the
					 * subject CN */
	size_t nnames;
	size_t nnames_total;
	bool name_match;		/* the host is one of names
					 * (tls_name_match) */
	time_t not_before, not_after;	/* of the leaf */
	long days_left;			/* until not_after, rounded down;
					 * negative when expired */
	bool expired;			/* now > not_after */
	bool not_yet_valid;		/* now < not_before */
	char key_type[16];		/* "RSA", "EC", "ED25519", ... */
	int key_bits;
	char subject[256];		/* leaf, one line */
	char issuer[256];
	size_t chain_len;		/* certificates the server sent */
	char chain[TLS_MAX_CHAIN][256];	/* their subjects, leaf first */
	/* DANE (tls_conn_dane), when records were given: */
	bool dane;			/* OpenSSL matched the chain */
	size_t dane_usable;		/* records OpenSSL took */
	bool dane_matched;		/* a record matched (and, for usage 2,
					 * the chain verified to it with the
					 * host's name) */
	int dane_rec;			/* which one (index into the records
					 * given), -1 */
	int dane_depth;			/* at which depth of the chain (0:
					 * the leaf), -1 */
	char dane_error[128];		/* why not ("" when matched) */
};

/* A client context: the CA store is ca_file (PEM) when not NULL, else
 * the system's.  NULL on failure, with the reason in err. */
struct tls_ctx *tls_ctx_new(const char *ca_file, char *err, size_t errsize);
void tls_ctx_free(struct tls_ctx *c);

/* A client connection on the connected socket fd (not closed by tls);
 * sni is sent as the server name (NULL: none).  NULL when memory ran
 * out. */
struct tls_conn *tls_conn_new(struct tls_ctx *c, int fd, const char *sni);
void tls_conn_free(struct tls_conn *t);

/*
 * Match the chain the server presents against the TLSA records v[0..n)
 * (OpenSSL's DANE support) before the handshake starts: base is the
 * TLSA base domain, host the MX name (both reference identifiers of a
 * usage 2 match, RFC 7672 §3.2.2); a usage 3 match checks no name
 * (§3.1.1).  v must stay valid until tls_inspect().  Verification
 * against the CA store is still reported apart (tls_info.verified).
 * Returns the number of records OpenSSL can use (usages 0 and 1, which
 * SMTP ignores, should not be given), or -1 on failure.
 */
int tls_conn_dane(struct tls_conn *t, const char *base, const char *host,
    const struct tls_tlsa *v, size_t n);

enum tls_step {
	TLS_DONE,		/* handshake complete */
	TLS_WANT_READ,		/* call again when fd is readable */
	TLS_WANT_WRITE,		/* ... writable */
	TLS_FAILED		/* see tls_error() */
};

/* One step of the handshake. */
enum tls_step tls_handshake(struct tls_conn *t);
/* Why the handshake failed (OpenSSL's reason, or "connection closed"). */
const char *tls_error(const struct tls_conn *t);

/* Describe what the server presented; host is matched against the
 * certificate's names (NULL: not matched).  now: the time to judge
 * validity at. */
void tls_inspect(struct tls_conn *t, const char *host, time_t now,
    struct tls_info *out);

/* Write n bytes without blocking; returns bytes written, 0 when it
 * would block, -1 on error.  (QUIT over TLS.) */
long tls_write(struct tls_conn *t, const void *p, size_t n);
/* Read up to n bytes: bytes read, 0 when it would block, -1 on close or
 * error. */
long tls_read(struct tls_conn *t, void *p, size_t n);

/*
 * Does certificate name `pat` (a DNS name from subjectAltName, or the CN)
 * cover host (RFC 6125 §6.4)?  Case-insensitive, trailing dots ignored; a
 * wildcard is allowed only as the whole left-most label ("*.example.com"
 * covers "mx.example.com", not "example.com" nor "a.mx.example.com"), and
 * never in a name of fewer than three labels ("*.com").
 */
bool tls_name_match(const char *pat, const char *host);

#endif
