/*
 * crypto.h -- the one module that talks to OpenSSL (libcrypto): base64 and
 * public keys as published in DKIM key records.
 *
 * Nothing from OpenSSL crosses this interface; callers get plain sizes and
 * enums, so the rest of authcheck builds without OpenSSL headers.
 */
#ifndef AUTHCHECK_CRYPTO_H
#define AUTHCHECK_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

/* Largest decoded key we accept: a 16384-bit RSA SPKI is ~2.1 KiB; more
 * than this is not a DKIM key and is refused before allocating. */
#define CRYPTO_MAX_KEY_SIZE 8192

enum crypto_b64_status {
	CRYPTO_B64_OK = 0,
	CRYPTO_B64_BAD,		/* a character outside the alphabet, bad
				 * padding, or a length not a multiple of 4 */
	CRYPTO_B64_TOO_LONG,	/* decodes to more than `max` bytes */
	CRYPTO_B64_NOMEM
};

/*
 * Decode base64 p[0..len) (RFC 4648 §4, "=" padding required), skipping
 * SP, HTAB, CR and LF anywhere (DKIM allows folding whitespace inside p=).
 * On success *out is a malloc'd buffer (caller frees; NULL when the
 * decoded size is 0) and *outlen its size.  *bad_off receives the offset
 * of the first offending byte on CRYPTO_B64_BAD (len when the problem is
 * the length).
 */
enum crypto_b64_status crypto_base64_decode(const char *p, size_t len,
    size_t max, unsigned char **out, size_t *outlen, size_t *bad_off);

enum crypto_key_type {
	CRYPTO_KEY_NONE = 0,	/* not a public key we could decode */
	CRYPTO_KEY_RSA,
	CRYPTO_KEY_ED25519,
	CRYPTO_KEY_OTHER	/* an SPKI of another algorithm (EC, DSA...) */
};

enum crypto_key_form {
	CRYPTO_FORM_SPKI,	/* SubjectPublicKeyInfo (RFC 5280) */
	CRYPTO_FORM_PKCS1,	/* bare RSAPublicKey (RFC 8017 A.1.1) */
	CRYPTO_FORM_RAW		/* Ed25519 raw 32-byte key (RFC 8463) */
};

struct crypto_key_info {
	enum crypto_key_type type;
	enum crypto_key_form form;
	unsigned bits;		/* RSA modulus bits; 256 for Ed25519 */
	const char *algo;	/* short name ("RSA", "ED25519", "EC"...) */
};

/*
 * Parse a DER public key: SubjectPublicKeyInfo first, then a bare PKCS#1
 * RSAPublicKey.  The whole input must be consumed.  Returns true and fills
 * *ki on success; false when the bytes are neither.
 */
bool crypto_parse_der_key(const unsigned char *der, size_t len,
    struct crypto_key_info *ki);

/* True when key[0..len) is a usable raw Ed25519 public key (32 bytes
 * that OpenSSL accepts as one); fills *ki. */
bool crypto_parse_ed25519_raw(const unsigned char *key, size_t len,
    struct crypto_key_info *ki);

/* True when der[0..len) is an Ed25519 key wrapped in SubjectPublicKeyInfo
 * (44 bytes starting 30 2a 30 05 06 03 2b 65 70 03 21 00), the common
 * mistake RFC 8463 warns about. */
bool crypto_is_ed25519_spki(const unsigned char *der, size_t len);

/* ---- key generation (authcheck generate dkim) ---- */

/* A new DKIM key pair.  Everything malloc'd, NUL-terminated; free with
 * crypto_keypair_free(). */
struct crypto_keypair {
	char *private_pem;	/* PKCS#8 PEM ("BEGIN PRIVATE KEY") */
	size_t private_pem_len;
	char *public_b64;	/* the p= value: RSA SubjectPublicKeyInfo, or
				 * the raw 32-byte Ed25519 key (RFC 8463) */
	unsigned bits;		/* RSA modulus bits; 256 for Ed25519 */
};

/*
 * Generate a key pair: RSA with `bits` (1024..8192) when type is
 * CRYPTO_KEY_RSA, Ed25519 when CRYPTO_KEY_ED25519 (bits ignored).
 * Returns 0, or -1 with a message in err (OpenSSL's reason).
 */
int crypto_dkim_keygen(enum crypto_key_type type, unsigned bits,
    struct crypto_keypair *kp, char *err, size_t errsize);
/* Wipe the private key and free everything in kp. */
void crypto_keypair_free(struct crypto_keypair *kp);

/* ---- TLSA data (authcheck generate tlsa) ---- */

/* The certificate a TLSA record was computed from. */
struct crypto_cert_info {
	char subject[256];	/* one line, printable ASCII */
	bool ca;		/* a CA certificate (basicConstraints) */
	bool self_signed;
	long days_left;		/* until notAfter; negative: expired */
};

/*
 * The certificate association data of a TLSA record (RFC 6698 §2.1) for
 * the first certificate of the PEM file at path: selector 0 the whole
 * certificate (DER), 1 its SubjectPublicKeyInfo; matching type 0 the
 * bytes themselves, 1 their SHA-256, 2 their SHA-512.  *out is malloc'd
 * (caller frees), *ci describes the certificate.  Returns 0, or -1 with
 * the reason in err (the file cannot be read, holds no PEM certificate).
 */
int crypto_tlsa_data(const char *path, unsigned selector, unsigned mtype,
    unsigned char **out, size_t *outlen, struct crypto_cert_info *ci,
    char *err, size_t errsize);

#endif
