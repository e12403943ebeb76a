/*
 * https.c -- concurrent HTTPS GETs through libcurl's multi interface.
 *
 * Each request is one easy handle; all of them are added to one multi
 * handle and driven together.  The body goes through a struct buf with a
 * hard maximum: a body that would pass it aborts the transfer and the
 * request fails with "larger than N bytes" -- a policy cut in half could
 * read as a different, valid policy, so we never truncate.
 *
 * libcurl is loaded with dlopen() the first time a policy is fetched, not
 * linked: it pulls in some 25 more shared libraries (HTTP/2, SSH, LDAP,
 * Kerberos, GnuTLS...), and mapping and relocating them cost every run
 * about 18 ms (measured: an empty program linked with our libraries starts
 * in 15 ms without libcurl, 34 ms with it) -- a third of the ideal time of
 * a whole domain check at 20 ms per round trip.  A run that fetches no
 * policy (--no-https, no MTA-STS record, every other command) never pays.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "https.h"

#ifndef AUTHCHECK_VERSION
#define AUTHCHECK_VERSION "0.1.0"
#endif

/* One transfer in flight. */
struct xfer {
	struct https_req *req;
	CURL *e;
	struct curl_slist *resolve;
	struct buf body;
	size_t max;
	bool too_big;
	char errbuf[CURL_ERROR_SIZE];
};

/* The libcurl functions we use, resolved from the library at first use.
 * The names below then stand for calls through these pointers (curl.h's
 * type-checking wrappers for setopt/getinfo are macros: undone first). */
static struct curl_api {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	void (*easy_cleanup)(CURL *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int,
	    int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} lib;

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init	(*lib.global_init)
#define curl_easy_init		(*lib.easy_init)
#define curl_easy_setopt	(*lib.easy_setopt)
#define curl_easy_getinfo	(*lib.easy_getinfo)
#define curl_easy_strerror	(*lib.easy_strerror)
#define curl_easy_cleanup	(*lib.easy_cleanup)
#define curl_multi_init		(*lib.multi_init)
#define curl_multi_add_handle	(*lib.multi_add_handle)
#define curl_multi_remove_handle (*lib.multi_remove_handle)
#define curl_multi_perform	(*lib.multi_perform)
#define curl_multi_poll		(*lib.multi_poll)
#define curl_multi_info_read	(*lib.multi_info_read)
#define curl_multi_cleanup	(*lib.multi_cleanup)
#define curl_slist_append	(*lib.slist_append)
#define curl_slist_free_all	(*lib.slist_free_all)

/* Load libcurl and resolve every function; false (with a reason) when the
 * library or a symbol is missing.  Runs once per process. */
static bool
load_curl(char *why, size_t whysize)
{
	static int state;	/* 0 not tried, 1 loaded, -1 failed */
	static char err[200];
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define SYM(f, s) { #s, offsetof(struct curl_api, f) }
		SYM(global_init, curl_global_init),
		SYM(easy_init, curl_easy_init),
		SYM(easy_setopt, curl_easy_setopt),
		SYM(easy_getinfo, curl_easy_getinfo),
		SYM(easy_strerror, curl_easy_strerror),
		SYM(easy_cleanup, curl_easy_cleanup),
		SYM(multi_init, curl_multi_init),
		SYM(multi_add_handle, curl_multi_add_handle),
		SYM(multi_remove_handle, curl_multi_remove_handle),
		SYM(multi_perform, curl_multi_perform),
		SYM(multi_poll, curl_multi_poll),
		SYM(multi_info_read, curl_multi_info_read),
		SYM(multi_cleanup, curl_multi_cleanup),
		SYM(slist_append, curl_slist_append),
		SYM(slist_free_all, curl_slist_free_all),
#undef SYM
	};
	const char *so = getenv("AUTHCHECK_LIBCURL");
	void *h;

	if (state == 0) {
		state = -1;
		/* The soname of the ABI we were compiled against (another
		 * file for tests: one that does not exist). */
		if (so == NULL || so[0] == '\0')
			so = "libcurl.so.4";
		if ((h = dlopen(so, RTLD_NOW | RTLD_LOCAL)) == NULL) {
			snprintf(err, sizeof(err), "cannot load libcurl: %s",
			    dlerror());
			goto out;
		}
		for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
			void *f = dlsym(h, syms[i].name);

			if (f == NULL) {
				snprintf(err, sizeof(err), "libcurl lacks %s",
				    syms[i].name);
				goto out;
			}
			/* POSIX: a function pointer fits a void *. */
			memcpy((char *)&lib + syms[i].off, &f, sizeof(f));
		}
		/* Not thread-safe, once per process: authcheck is
		 * single-threaded. */
		if ((*lib.global_init)(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, sizeof(err), "cannot initialise libcurl");
			goto out;
		}
		state = 1;
	}
out:
	if (state < 0)
		snprintf(why, whysize, "%s", err);
	return state > 0;
}

bool
https_available(char *why, size_t whysize)
{
	return load_curl(why, whysize);
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (n > x->max - x->body.len) {
		/* Returning less than n makes curl stop with
		 * CURLE_WRITE_ERROR; too_big tells the two apart. */
		x->too_big = true;
		return 0;
	}
	buf_add(&x->body, p, n);
	return x->body.err ? 0 : n;
}

static void set_err(struct https_req *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A cut message is better than none: the buffer is only for the user. */
static void
set_err(struct https_req *req, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(req->err, sizeof(req->err), fmt, ap) < 0)
		req->err[0] = '\0';
	va_end(ap);
}

/* "host:port:addr,[v6addr],..." -- pins the name to our resolver's
 * answer so curl never asks the system resolver. */
static struct curl_slist *
resolve_entry(const struct https_req *req, unsigned port)
{
	struct buf b;
	struct curl_slist *l;
	size_t i;

	buf_init(&b, BUF_MAX_TEXT);
	buf_printf(&b, "%s:%u:", req->host, port);
	for (i = 0; i < req->naddrs; i++) {
		char a[IP_STRLEN];

		ip_format(&req->addrs[i], a, sizeof(a));
		if (i > 0)
			buf_addc(&b, ',');
		if (req->addrs[i].family == 6)
			buf_printf(&b, "[%s]", a);
		else
			buf_adds(&b, a);
	}
	if (b.err) {
		buf_free(&b);
		return NULL;
	}
	l = curl_slist_append(NULL, buf_str(&b));
	buf_free(&b);
	return l;
}

/* A host name we are willing to put into a URL: LDH labels and dots. */
static bool
host_ok(const char *h)
{
	size_t i, n = strlen(h);

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_'))
			return false;
	}
	return true;
}

static int
setup(struct xfer *x, const struct https_opts *o, CURLM *m)
{
	struct https_req *req = x->req;
	char url[600];
	long ms = (long)(o->timeout * 1000.0);

	if (!host_ok(req->host) || req->path == NULL || req->path[0] != '/') {
		set_err(req, "bad request: not a host name or path");
		return 1;
	}
	if (req->naddrs == 0) {
		set_err(req, "%s has no address", req->host);
		return 1;
	}
	if ((size_t)snprintf(url, sizeof(url), "https://%s:%u%s", req->host,
	    o->port, req->path) >= sizeof(url)) {
		set_err(req, "URL too long");
		return 1;
	}
	if ((x->resolve = resolve_entry(req, o->port)) == NULL ||
	    (x->e = curl_easy_init()) == NULL) {
		set_err(req, "out of memory");
		return -1;
	}
	buf_init(&x->body, o->max_size);
	x->max = o->max_size;
	curl_easy_setopt(x->e, CURLOPT_URL, url);
	curl_easy_setopt(x->e, CURLOPT_PRIVATE, (void *)x);
	curl_easy_setopt(x->e, CURLOPT_RESOLVE, x->resolve);
	curl_easy_setopt(x->e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(x->e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(x->e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(x->e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL) {
		/* Only this bundle: a test CA must not be helped by the
		 * system store, and a user's --ca-file means "trust these". */
		curl_easy_setopt(x->e, CURLOPT_CAINFO, o->ca_file);
		curl_easy_setopt(x->e, CURLOPT_CAPATH, NULL);
	}
	/* Nothing from the environment: no proxy variables, no .netrc,
	 * no cookie engine (never enabled without COOKIEFILE). */
	curl_easy_setopt(x->e, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(x->e, CURLOPT_PROXY, "");
	curl_easy_setopt(x->e, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(x->e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->e, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
	curl_easy_setopt(x->e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)o->max_size);
	curl_easy_setopt(x->e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->e, CURLOPT_WRITEDATA, (void *)x);
	curl_easy_setopt(x->e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->e, CURLOPT_USERAGENT,
	    "authcheck/" AUTHCHECK_VERSION);
	if (curl_multi_add_handle(m, x->e) != CURLM_OK) {
		set_err(req, "cannot start the transfer");
		return -1;
	}
	return 0;
}

/* Judge a finished transfer and move its results into the request. */
static void
done(struct xfer *x, CURLcode rc, const struct https_opts *o)
{
	struct https_req *req = x->req;
	char *ct = NULL, *loc = NULL;
	long status = 0;

	curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->e, CURLINFO_CONTENT_TYPE, &ct);
	req->status = status;
	if (ct != NULL)
		req->content_type = buf_strdup(ct);
	if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		set_err(req, "the body is larger than %zu bytes", o->max_size);
		return;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		set_err(req, "timed out after %.1f s", o->timeout);
		return;
	}
	if (rc != CURLE_OK) {
		set_err(req, "%.60s: %.190s", curl_easy_strerror(rc),
		    x->errbuf[0] ? x->errbuf : "no detail");
		return;
	}
	if (status >= 300 && status < 400) {
		curl_easy_getinfo(x->e, CURLINFO_REDIRECT_URL, &loc);
		set_err(req, "redirect (HTTP %ld) to %.150s: redirects are not "
		    "followed", status, loc ? loc : "(no Location)");
		return;
	}
	if (status != 200) {
		set_err(req, "HTTP status %ld (200 required)", status);
		return;
	}
	if (x->body.err) {
		set_err(req, "out of memory");
		return;
	}
	req->body_len = x->body.len;
	req->body = x->body.len ? buf_take(&x->body) : buf_strdup("");
	if (req->body == NULL) {
		set_err(req, "out of memory");
		req->body_len = 0;
		return;
	}
	req->ok = true;
}

static void
fail_all(struct https_req *reqs, size_t n, const char *why)
{
	for (size_t i = 0; i < n; i++)
		if (!reqs[i].ok && reqs[i].err[0] == '\0')
			set_err(&reqs[i], "%s", why);
}

int
https_fetch_all(struct https_req *reqs, size_t n, const struct https_opts *o)
{
	struct https_opts opt;
	struct xfer *x;
	CURLM *m;
	size_t i;
	int running = 0, rc = 0;
	char why[256];

	memset(&opt, 0, sizeof(opt));
	if (o != NULL)
		opt = *o;
	if (opt.timeout <= 0)
		opt.timeout = HTTPS_DEFAULT_TIMEOUT;
	if (opt.max_size == 0)
		opt.max_size = HTTPS_DEFAULT_MAX_SIZE;
	if (opt.port == 0 || opt.port > 65535)
		opt.port = HTTPS_DEFAULT_PORT;
	for (i = 0; i < n; i++) {
		https_req_free(&reqs[i]);
		reqs[i].err[0] = '\0';
	}
	if (n == 0)
		return 0;
	if (!load_curl(why, sizeof(why))) {
		fail_all(reqs, n, why);
		return -1;
	}
	if ((m = curl_multi_init()) == NULL) {
		fail_all(reqs, n, "cannot initialise libcurl");
		return -1;
	}
	if ((x = calloc(n, sizeof(*x))) == NULL) {
		curl_multi_cleanup(m);
		fail_all(reqs, n, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		x[i].req = &reqs[i];
		if (setup(&x[i], &opt, m) < 0)
			rc = -1;
	}
	for (;;) {
		CURLMsg *msg;
		int left;

		if (curl_multi_perform(m, &running) != CURLM_OK) {
			rc = -1;
			break;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct xfer *t = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&t);
			if (t != NULL)
				done(t, msg->data.result, &opt);
		}
		if (running == 0)
			break;
		/* Each easy handle has its own time limit, so this loop
		 * ends; the poll only waits for the next event. */
		if (curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) {
			rc = -1;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		if (x[i].e != NULL) {
			curl_multi_remove_handle(m, x[i].e);
			curl_easy_cleanup(x[i].e);
		}
		curl_slist_free_all(x[i].resolve);
		buf_free(&x[i].body);
	}
	free(x);
	curl_multi_cleanup(m);
	fail_all(reqs, n, "the transfer did not finish");
	return rc;
}

void
https_req_free(struct https_req *req)
{
	free(req->content_type);
	free(req->body);
	req->content_type = NULL;
	req->body = NULL;
	req->body_len = 0;
	req->status = 0;
	req->ok = false;
}
