/*
 * tls.c -- the SMTP probe's TLS client (tls.h): non-blocking OpenSSL
 * handshakes and the description of the certificate presented.  The only
 * libssl user (HACKING.md, module rules).
 */
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "ascii.h"
#include "dns.h"

struct tls_ctx {
	SSL_CTX *ctx;
};

struct tls_conn {
	SSL *ssl;
	char err[256];
	const struct tls_tlsa *tlsa;	/* DANE records (tls_conn_dane) */
	size_t ntlsa;
	int dane_usable;
};

static void
last_error(char *err, size_t errsize, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[200];

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(err, errsize, "%s: %s", what, buf);
	} else {
		snprintf(err, errsize, "%s", what);
	}
	ERR_clear_error();
}

struct tls_ctx *
tls_ctx_new(const char *ca_file, char *err, size_t errsize)
{
	struct tls_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		last_error(err, errsize, "SSL_CTX_new");
		free(c);
		return NULL;
	}
	/* The probe describes old servers instead of refusing them: every
	 * protocol from TLS 1.0 is offered and the security level allows
	 * their signatures; tls.old-protocol says what was negotiated. */
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_VERSION);
	SSL_CTX_set_security_level(c->ctx, 0);
	SSL_CTX_set_cipher_list(c->ctx, "DEFAULT:@SECLEVEL=0");
	/* A hostile server's chain cannot grow without bound. */
	SSL_CTX_set_max_cert_list(c->ctx, TLS_MAX_CERT_LIST);
	SSL_CTX_set_verify_depth(c->ctx, 12);
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	/* Each connection may match TLSA records (tls_conn_dane). */
	if (SSL_CTX_dane_enable(c->ctx) <= 0) {
		last_error(err, errsize, "SSL_CTX_dane_enable");
		tls_ctx_free(c);
		return NULL;
	}
	if (ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(c->ctx, ca_file, NULL) != 1) {
			last_error(err, errsize, ca_file);
			tls_ctx_free(c);
			return NULL;
		}
	} else if (SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
		last_error(err, errsize, "the system CA store");
		tls_ctx_free(c);
		return NULL;
	}
	return c;
}

void
tls_ctx_free(struct tls_ctx *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

struct tls_conn *
tls_conn_new(struct tls_ctx *c, int fd, const char *sni)
{
	struct tls_conn *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if ((t->ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		ERR_clear_error();
		tls_conn_free(t);
		return NULL;
	}
	if (sni != NULL)
		(void)SSL_set_tlsext_host_name(t->ssl, sni);
	SSL_set_connect_state(t->ssl);
	return t;
}

void
tls_conn_free(struct tls_conn *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}

int
tls_conn_dane(struct tls_conn *t, const char *base, const char *host,
    const struct tls_tlsa *v, size_t n)
{
	int usable = 0;

	if (SSL_dane_enable(t->ssl, base) <= 0) {
		ERR_clear_error();
		return -1;
	}
	/* RFC 7672 §3.1.1: a DANE-EE match says nothing about names; a
	 * DANE-TA match must name the MX host or the TLSA base (§3.2.2),
	 * never with a partial-label wildcard. */
	SSL_dane_set_flags(t->ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	SSL_set_hostflags(t->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (host != NULL && strcasecmp(host, base) != 0 &&
	    SSL_add1_host(t->ssl, host) != 1) {
		ERR_clear_error();
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = SSL_dane_tlsa_add(t->ssl, v[i].usage, v[i].selector,
		    v[i].mtype, v[i].data, v[i].len);

		if (rc > 0)
			usable++;
		else if (rc < 0) {
			ERR_clear_error();
			return -1;
		}
	}
	ERR_clear_error();
	t->tlsa = v;
	t->ntlsa = n;
	t->dane_usable = usable;
	return usable;
}

enum tls_step
tls_handshake(struct tls_conn *t)
{
	int rc = SSL_do_handshake(t->ssl), e;

	if (rc == 1)
		return TLS_DONE;
	e = SSL_get_error(t->ssl, rc);
	if (e == SSL_ERROR_WANT_READ)
		return TLS_WANT_READ;
	if (e == SSL_ERROR_WANT_WRITE)
		return TLS_WANT_WRITE;
	if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
		snprintf(t->err, sizeof(t->err), "the server closed the "
		    "connection during the handshake");
	else
		last_error(t->err, sizeof(t->err), "handshake");
	ERR_clear_error();
	return TLS_FAILED;
}

const char *
tls_error(const struct tls_conn *t)
{
	return t->err[0] ? t->err : "handshake failed";
}

long
tls_write(struct tls_conn *t, const void *p, size_t n)
{
	int rc = SSL_write(t->ssl, p, n > 65536 ? 65536 : (int)n), e;

	if (rc > 0)
		return rc;
	e = SSL_get_error(t->ssl, rc);
	ERR_clear_error();
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

long
tls_read(struct tls_conn *t, void *p, size_t n)
{
	int rc = SSL_read(t->ssl, p, n > 65536 ? 65536 : (int)n), e;

	if (rc > 0)
		return rc;
	e = SSL_get_error(t->ssl, rc);
	ERR_clear_error();
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

/* Equal ignoring ASCII case and one trailing dot on either side. */
static bool
name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	alen = dns_name_trim(a, alen);
	blen = dns_name_trim(b, blen);
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

bool
tls_name_match(const char *pat, const char *host)
{
	size_t plen = strlen(pat), hlen = strlen(host), dots = 0;
	const char *hdot;

	if (plen == 0 || hlen == 0)
		return false;
	if (pat[0] != '*')
		return memchr(pat, '*', plen) == NULL &&
		    name_eq(pat, plen, host, hlen);
	/* "*." then at least two labels: the wildcard is the whole
	 * left-most label and never stands for a public suffix's child. */
	if (plen < 3 || pat[1] != '.' || memchr(pat + 1, '*', plen - 1) != NULL)
		return false;
	for (size_t i = 2; i < plen; i++)
		if (pat[i] == '.' && i + 1 < plen)
			dots++;
	if (dots < 1)
		return false;
	if ((hdot = memchr(host, '.', hlen)) == NULL || hdot == host)
		return false;
	return name_eq(pat + 1, plen - 1, hdot, hlen - (size_t)(hdot - host));
}

static void
name_line(X509_NAME *n, char *out, size_t outsize)
{
	BIO *b = BIO_new(BIO_s_mem());
	long len;
	char *p;

	out[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (len = BIO_get_mem_data(b, &p)) > 0) {
		size_t k = (size_t)len < outsize - 1 ? (size_t)len : outsize - 1;

		/* only printable ASCII reaches the report */
		for (size_t i = 0; i < k; i++)
			out[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
		out[k] = '\0';
	}
	BIO_free(b);
}

static void
add_name(struct tls_info *o, const unsigned char *p, int len)
{
	o->nnames_total++;
	if (o->nnames == TLS_MAX_NAMES || len <= 0 || len > 255)
		return;
	for (int i = 0; i < len; i++)
		if (p[i] < 0x21 || p[i] >= 0x7f)
			return;	/* not a DNS name: never matches */
	memcpy(o->names[o->nnames], p, (size_t)len);
	o->names[o->nnames][len] = '\0';
	o->nnames++;
}

static void
leaf_names(X509 *x, struct tls_info *o)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL);
	int ndns = 0;

	if (gens != NULL) {
		for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
			const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

			if (g->type != GEN_DNS)
				continue;
			ndns++;
			add_name(o, ASN1_STRING_get0_data(g->d.dNSName),
			    ASN1_STRING_length(g->d.dNSName));
		}
		GENERAL_NAMES_free(gens);
	}
	/* RFC 6125 §6.4.4: the CN only when there is no DNS SAN. */
	if (ndns == 0) {
		X509_NAME *sn = X509_get_subject_name(x);
		int i = X509_NAME_get_index_by_NID(sn, NID_commonName, -1);

		if (i >= 0) {
			ASN1_STRING *s = X509_NAME_ENTRY_get_data(
			    X509_NAME_get_entry(sn, i));

			add_name(o, ASN1_STRING_get0_data(s),
			    ASN1_STRING_length(s));
		}
	}
}

static time_t
asn1_to_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

/* The chain against the CA store alone, when DANE took over the
 * handshake's own verification (its result is then the DANE match). */
static long
pkix_verify(SSL *ssl, X509 *leaf)
{
	X509_STORE *store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
	X509_STORE_CTX *v = X509_STORE_CTX_new();
	long rc = X509_V_ERR_UNSPECIFIED;

	if (v == NULL)
		return rc;
	if (X509_STORE_CTX_init(v, store, leaf,
	    SSL_get_peer_cert_chain(ssl)) == 1) {
		X509_STORE_CTX_set_default(v, "ssl_server");
		X509_STORE_CTX_set_depth(v, 12);
		rc = X509_verify_cert(v) == 1 ? X509_V_OK :
		    X509_STORE_CTX_get_error(v);
	}
	X509_STORE_CTX_free(v);
	ERR_clear_error();
	return rc;
}

/* Which of the records given matched, at which depth. */
static void
dane_result(struct tls_conn *t, long vr, struct tls_info *o)
{
	uint8_t u, s, m;
	const unsigned char *data;
	size_t dlen;
	int depth;

	o->dane = true;
	o->dane_usable = (size_t)t->dane_usable;
	o->dane_rec = -1;
	o->dane_depth = -1;
	if (t->dane_usable == 0) {
		snprintf(o->dane_error, sizeof(o->dane_error),
		    "no usable TLSA record");
		return;
	}
	depth = SSL_get0_dane_tlsa(t->ssl, &u, &s, &m, &data, &dlen);
	if (vr == X509_V_OK && depth >= 0) {
		o->dane_matched = true;
		o->dane_depth = depth;
		for (size_t i = 0; i < t->ntlsa; i++)
			if (t->tlsa[i].usage == u && t->tlsa[i].selector == s &&
			    t->tlsa[i].mtype == m && t->tlsa[i].len == dlen &&
			    memcmp(t->tlsa[i].data, data, dlen) == 0) {
				o->dane_rec = (int)i;
				break;
			}
		return;
	}
	snprintf(o->dane_error, sizeof(o->dane_error), "%s",
	    vr == X509_V_OK ? "no TLSA record matched" :
	    X509_verify_cert_error_string(vr));
}

void
tls_inspect(struct tls_conn *t, const char *host, time_t now,
    struct tls_info *o)
{
	X509 *x;
	STACK_OF(X509) *chain;
	EVP_PKEY *k;
	long vr;
	int days = 0, secs = 0;

	memset(o, 0, sizeof(*o));
	snprintf(o->version, sizeof(o->version), "%s", SSL_get_version(t->ssl));
	o->old_protocol = SSL_version(t->ssl) < TLS1_2_VERSION;
	snprintf(o->cipher, sizeof(o->cipher), "%s",
	    SSL_CIPHER_get_name(SSL_get_current_cipher(t->ssl)));
	if ((chain = SSL_get_peer_cert_chain(t->ssl)) != NULL) {
		o->chain_len = (size_t)sk_X509_num(chain);
		for (int i = 0; i < sk_X509_num(chain) && i < TLS_MAX_CHAIN; i++)
			name_line(X509_get_subject_name(sk_X509_value(chain, i)),
			    o->chain[i], sizeof(o->chain[i]));
	}
	if ((x = SSL_get1_peer_certificate(t->ssl)) == NULL) {
		snprintf(o->verify_error, sizeof(o->verify_error),
		    "no certificate");
		if (t->tlsa != NULL) {
			o->dane = true;
			o->dane_rec = o->dane_depth = -1;
			snprintf(o->dane_error, sizeof(o->dane_error),
			    "no certificate");
		}
		return;
	}
	o->has_cert = true;
	vr = SSL_get_verify_result(t->ssl);
	if (t->tlsa != NULL) {
		dane_result(t, vr, o);
		vr = pkix_verify(t->ssl, x);
	}
	o->verified = vr == X509_V_OK;
	if (!o->verified)
		snprintf(o->verify_error, sizeof(o->verify_error), "%s",
		    X509_verify_cert_error_string(vr));
	name_line(X509_get_subject_name(x), o->subject, sizeof(o->subject));
	name_line(X509_get_issuer_name(x), o->issuer, sizeof(o->issuer));
	o->self_signed = X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)) == 0;
	leaf_names(x, o);
	if (host != NULL)
		for (size_t i = 0; i < o->nnames; i++)
			if (tls_name_match(o->names[i], host))
				o->name_match = true;
	o->not_before = asn1_to_time(X509_get0_notBefore(x));
	o->not_after = asn1_to_time(X509_get0_notAfter(x));
	o->not_yet_valid = X509_cmp_time(X509_get0_notBefore(x), &now) > 0;
	o->expired = X509_cmp_time(X509_get0_notAfter(x), &now) < 0;
	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) == 1)
		o->days_left = days - (secs < 0 ? 1 : 0);
	if ((k = X509_get0_pubkey(x)) != NULL) {
		const char *tn;

		switch (EVP_PKEY_get_base_id(k)) {
		case EVP_PKEY_RSA: tn = "RSA"; break;
		case EVP_PKEY_EC: tn = "EC"; break;
		case EVP_PKEY_ED25519: tn = "ED25519"; break;
		case EVP_PKEY_ED448: tn = "ED448"; break;
		case EVP_PKEY_DSA: tn = "DSA"; break;
		default: tn = "other"; break;
		}
		snprintf(o->key_type, sizeof(o->key_type), "%s", tn);
		o->key_bits = EVP_PKEY_get_bits(k);
	}
	X509_free(x);
}
