/*
 * crypto.c -- base64 and public-key decoding for DKIM, on OpenSSL 3.
 *
 * The only file that includes OpenSSL headers (HACKING.md): everything
 * OpenSSL returns is turned into the plain structures of crypto.h here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto.h"

/* Base64 value of each byte; 64 = whitespace (skipped), 65 = "=", 255 =
 * not in the alphabet.  Indexed by unsigned char. */
enum { B64_WS = 64, B64_PAD = 65, B64_BAD = 255 };

static unsigned char b64_val[256];
static bool b64_ready;

static void
b64_init(void)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	/* Idempotent and cheap; the tool is single-threaded. */
	memset(b64_val, B64_BAD, sizeof(b64_val));
	for (unsigned i = 0; i < 64; i++)
		b64_val[(unsigned char)alpha[i]] = (unsigned char)i;
	b64_val[' '] = b64_val['\t'] = b64_val['\r'] = b64_val['\n'] = B64_WS;
	b64_val['='] = B64_PAD;
	b64_ready = true;
}

enum crypto_b64_status
crypto_base64_decode(const char *p, size_t len, size_t max,
    unsigned char **out, size_t *outlen, size_t *bad_off)
{
	unsigned char *buf = NULL;
	size_t nchars = 0, npad = 0, n = 0, i;
	unsigned long acc = 0;
	unsigned ngroup = 0;

	*out = NULL;
	*outlen = 0;
	*bad_off = 0;
	if (!b64_ready)
		b64_init();

	/* First pass: validate and count, so the allocation is exact and
	 * bounded by `max` before anything is written. */
	for (i = 0; i < len; i++) {
		unsigned char v = b64_val[(unsigned char)p[i]];

		if (v == B64_WS)
			continue;
		if (v == B64_BAD || (v != B64_PAD && npad > 0)) {
			*bad_off = i;
			return CRYPTO_B64_BAD;
		}
		if (v == B64_PAD && ++npad > 2) {
			*bad_off = i;
			return CRYPTO_B64_BAD;
		}
		nchars++;
	}
	if (nchars % 4 != 0) {
		*bad_off = len;
		return CRYPTO_B64_BAD;
	}
	if (nchars == 0)
		return CRYPTO_B64_OK;
	n = nchars / 4 * 3 - npad;
	if (n > max)
		return CRYPTO_B64_TOO_LONG;
	if ((buf = malloc(n)) == NULL)
		return CRYPTO_B64_NOMEM;

	*outlen = 0;
	for (i = 0; i < len; i++) {
		unsigned char v = b64_val[(unsigned char)p[i]];

		if (v == B64_WS)
			continue;
		acc = (acc << 6) | (v == B64_PAD ? 0 : v);
		if (++ngroup < 4)
			continue;
		/* A full group: up to three bytes, fewer when padded. */
		unsigned char b[3] = { (unsigned char)(acc >> 16),
		    (unsigned char)(acc >> 8), (unsigned char)acc };
		for (unsigned k = 0; k < 3 && *outlen < n; k++)
			buf[(*outlen)++] = b[k];
		acc = 0;
		ngroup = 0;
	}
	*out = buf;
	return CRYPTO_B64_OK;
}

static void
fill_info(EVP_PKEY *pk, enum crypto_key_form form, struct crypto_key_info *ki)
{
	memset(ki, 0, sizeof(*ki));
	ki->form = form;
	if (EVP_PKEY_is_a(pk, "RSA")) {
		ki->type = CRYPTO_KEY_RSA;
		ki->algo = "RSA";
	} else if (EVP_PKEY_is_a(pk, "ED25519")) {
		ki->type = CRYPTO_KEY_ED25519;
		ki->algo = "ED25519";
	} else {
		ki->type = CRYPTO_KEY_OTHER;
		ki->algo = EVP_PKEY_is_a(pk, "EC") ? "EC" :
		    EVP_PKEY_is_a(pk, "DSA") ? "DSA" :
		    EVP_PKEY_is_a(pk, "ED448") ? "ED448" :
		    EVP_PKEY_is_a(pk, "X25519") ? "X25519" : "unknown";
	}
	ki->bits = EVP_PKEY_get_bits(pk) > 0 ? (unsigned)EVP_PKEY_get_bits(pk)
	    : 0;
}

bool
crypto_parse_der_key(const unsigned char *der, size_t len,
    struct crypto_key_info *ki)
{
	const unsigned char *q;
	EVP_PKEY *pk;

	memset(ki, 0, sizeof(*ki));
	if (der == NULL || len == 0 || len > CRYPTO_MAX_KEY_SIZE)
		return false;

	/* SubjectPublicKeyInfo, what DKIM signers publish in practice
	 * (RFC 6376 erratum 3017).  Trailing bytes make it invalid. */
	q = der;
	pk = d2i_PUBKEY(NULL, &q, (long)len);
	if (pk != NULL && q == der + len) {
		fill_info(pk, CRYPTO_FORM_SPKI, ki);
		EVP_PKEY_free(pk);
		return true;
	}
	EVP_PKEY_free(pk);

	/* A bare RSAPublicKey, what the RFC's text literally says. */
	q = der;
	pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)len);
	if (pk != NULL && q == der + len) {
		fill_info(pk, CRYPTO_FORM_PKCS1, ki);
		EVP_PKEY_free(pk);
		return true;
	}
	EVP_PKEY_free(pk);
	/* Failed decodes leave errors queued; do not let them leak into
	 * a later, unrelated OpenSSL call's diagnostics. */
	ERR_clear_error();
	return false;
}

bool
crypto_parse_ed25519_raw(const unsigned char *key, size_t len,
    struct crypto_key_info *ki)
{
	EVP_PKEY *pk;

	memset(ki, 0, sizeof(*ki));
	if (key == NULL || len != 32)
		return false;
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, len);
	if (pk == NULL) {
		ERR_clear_error();
		return false;
	}
	fill_info(pk, CRYPTO_FORM_RAW, ki);
	EVP_PKEY_free(pk);
	return true;
}

bool
crypto_is_ed25519_spki(const unsigned char *der, size_t len)
{
	static const unsigned char prefix[12] = {
		0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
		0x03, 0x21, 0x00
	};

	return der != NULL && len == 44 &&
	    memcmp(der, prefix, sizeof(prefix)) == 0;
}

/* ---- key generation ---------------------------------------------------- */

static void
ossl_err(char *err, size_t errsize, const char *what)
{
	unsigned long e = ERR_get_error();
	char reason[200];

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	else
		snprintf(reason, sizeof(reason), "unknown error");
	snprintf(err, errsize, "%s: %s", what, reason);
	ERR_clear_error();
}

/* Base64 (RFC 4648, one line) of der[0..n), malloc'd. */
static char *
b64_encode(const unsigned char *der, size_t n)
{
	char *out;
	int len;

	if (n > CRYPTO_MAX_KEY_SIZE)
		return NULL;
	if ((out = malloc(4 * ((n + 2) / 3) + 1)) == NULL)
		return NULL;
	len = EVP_EncodeBlock((unsigned char *)out, der, (int)n);
	if (len < 0) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

int
crypto_dkim_keygen(enum crypto_key_type type, unsigned bits,
    struct crypto_keypair *kp, char *err, size_t errsize)
{
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;
	unsigned char *der = NULL, raw[32];
	size_t rawlen = sizeof(raw);
	char *pem;
	long pemlen;
	int derlen, rc = -1;

	memset(kp, 0, sizeof(*kp));
	if (type == CRYPTO_KEY_RSA) {
		if (bits < 1024 || bits > 8192) {
			snprintf(err, errsize, "RSA key size %u out of range",
			    bits);
			return -1;
		}
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	} else if (type == CRYPTO_KEY_ED25519) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	} else {
		snprintf(err, errsize, "unsupported key type");
		return -1;
	}
	if (key == NULL) {
		ossl_err(err, errsize, "key generation failed");
		return -1;
	}
	if (type == CRYPTO_KEY_RSA) {
		/* SubjectPublicKeyInfo: RFC 6376 §3.6.1 says "RSAPublicKey"
		 * but its example and every signer and verifier use the
		 * SubjectPublicKeyInfo DER (RFC 6376 erratum 3017). */
		if ((derlen = i2d_PUBKEY(key, &der)) <= 0) {
			ossl_err(err, errsize, "cannot encode the public key");
			goto out;
		}
		kp->public_b64 = b64_encode(der, (size_t)derlen);
		kp->bits = (unsigned)EVP_PKEY_get_bits(key);
	} else {
		/* RFC 8463 §4.2: p= is the raw key, not SPKI. */
		if (EVP_PKEY_get_raw_public_key(key, raw, &rawlen) != 1 ||
		    rawlen != 32) {
			ossl_err(err, errsize, "cannot read the Ed25519 key");
			goto out;
		}
		kp->public_b64 = b64_encode(raw, rawlen);
		kp->bits = 256;
	}
	if (kp->public_b64 == NULL) {
		snprintf(err, errsize, "out of memory");
		goto out;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1) {
		ossl_err(err, errsize, "cannot write the private key");
		goto out;
	}
	pemlen = BIO_get_mem_data(bio, &pem);
	if (pemlen <= 0 || (kp->private_pem = malloc((size_t)pemlen + 1)) ==
	    NULL) {
		snprintf(err, errsize, "out of memory");
		goto out;
	}
	memcpy(kp->private_pem, pem, (size_t)pemlen);
	kp->private_pem[pemlen] = '\0';
	kp->private_pem_len = (size_t)pemlen;
	rc = 0;
out:
	/* The memory BIO held the private key: clear it before freeing. */
	if (bio != NULL) {
		pemlen = BIO_get_mem_data(bio, &pem);
		if (pemlen > 0)
			OPENSSL_cleanse(pem, (size_t)pemlen);
		BIO_free(bio);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(key);
	if (rc != 0)
		crypto_keypair_free(kp);
	return rc;
}

void
crypto_keypair_free(struct crypto_keypair *kp)
{
	if (kp->private_pem != NULL)
		OPENSSL_cleanse(kp->private_pem, kp->private_pem_len);
	free(kp->private_pem);
	free(kp->public_b64);
	memset(kp, 0, sizeof(*kp));
}

int
crypto_tlsa_data(const char *path, unsigned selector, unsigned mtype,
    unsigned char **out, size_t *outlen, struct crypto_cert_info *ci,
    char *err, size_t errsize)
{
	FILE *f;
	X509 *x;
	unsigned char *der = NULL, *md = NULL;
	unsigned int mdlen = 0;
	int n, days = 0, secs = 0;
	BIO *b;

	*out = NULL;
	*outlen = 0;
	memset(ci, 0, sizeof(*ci));
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsize, "cannot read %s: %s", path,
		    strerror(errno));
		return -1;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	if (x == NULL) {
		snprintf(err, errsize, "%s: no PEM certificate in it (a file "
		    "with \"-----BEGIN CERTIFICATE-----\" is needed, not a key "
		    "or DER)", path);
		return -1;
	}
	n = selector == 0 ? i2d_X509(x, &der) :
	    i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (n <= 0) {
		snprintf(err, errsize, "%s: cannot encode the certificate",
		    path);
		X509_free(x);
		return -1;
	}
	if (mtype == 0) {
		*out = der;
		*outlen = (size_t)n;
		der = NULL;
	} else if ((md = malloc(EVP_MAX_MD_SIZE)) == NULL ||
	    EVP_Digest(der, (size_t)n, md, &mdlen, mtype == 1 ? EVP_sha256() :
	    EVP_sha512(), NULL) != 1) {
		snprintf(err, errsize, "%s: cannot compute the digest", path);
		free(md);
		OPENSSL_free(der);
		X509_free(x);
		ERR_clear_error();
		return -1;
	} else {
		*out = md;
		*outlen = mdlen;
	}
	OPENSSL_free(der);
	if ((b = BIO_new(BIO_s_mem())) != NULL) {
		char *p;
		long len;

		if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
		    XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
		    (len = BIO_get_mem_data(b, &p)) > 0) {
			size_t k = (size_t)len < sizeof(ci->subject) - 1 ?
			    (size_t)len : sizeof(ci->subject) - 1;

			for (size_t i = 0; i < k; i++)
				ci->subject[i] = p[i] >= 0x20 && p[i] < 0x7f ?
				    p[i] : '?';
			ci->subject[k] = '\0';
		}
		BIO_free(b);
	}
	ci->ca = X509_check_ca(x) > 0;
	ci->self_signed = X509_check_issued(x, x) == X509_V_OK;
	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) == 1)
		ci->days_left = days - (secs < 0 ? 1 : 0);
	X509_free(x);
	ERR_clear_error();
	return 0;
}
