/*
 * tlsrpt.c -- TLS-RPT records (RFC 8460 §3).
 *
 *   tlsrpt-record  = tlsrpt-version 1*(field-delim tlsrpt-field)
 *                    [field-delim]
 *   field-delim    = *WSP ";" *WSP
 *   tlsrpt-field   = tlsrpt-rua / tlsrpt-extension
 *   tlsrpt-version = %s"v=TLSRPTv1"
 *   tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *   tlsrpt-ext-name  = 1*32(ALPHA / DIGIT / "_" / "-" / ".")
 *   tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * §3 allows the mailto: and https: schemes only; rua is required.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dns_txt.h"
#include "taglist.h"
#include "tlsrpt.h"

static void bad(struct diag_sink *sink, const struct diag *ctx,
    const char *p, size_t len, size_t off, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void
bad(struct diag_sink *sink, const struct diag *ctx, const char *p,
    size_t len, size_t off, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport_at(sink, ctx, DIAG_TLSRPT_SYNTAX, p, len, off, n, fmt, ap);
	va_end(ap);
}

/* One URI [s, e): NULL when fine, else why not; *mailto set. */
static const char *
check_uri(const char *p, size_t s, size_t e, bool *mailto)
{
	size_t i, at, hs, he;

	for (i = s; i < e; i++)
		/* §3: ',' and '!' must be percent-encoded; ',' cannot be
		 * here (the list is split on it), nor ';' (it ends the
		 * field) */
		if (!tl_is(p[i], TL_URI) || p[i] == '!')
			return "a character not allowed in a URI (',' and '!' "
			    "must be percent-encoded)";
	if (tl_prefix_ci(p + s, e - s, "mailto:")) {
		*mailto = true;
		hs = s + 7;
		at = tl_find_char(p, e, hs, '@');
		if (at == e || at == hs)
			return "mailto: needs local-part@domain";
		he = tl_find_char(p, e, at + 1, '?');
		if (!tl_host(p + at + 1, he - (at + 1)))
			return "the mailto: domain is not a host name";
		return NULL;
	}
	if (tl_prefix_ci(p + s, e - s, "https://")) {
		*mailto = false;
		hs = s + 8;
		he = hs;
		while (he < e && p[he] != '/' && p[he] != ':' && p[he] != '?' &&
		    p[he] != '#')
			he++;
		if (!tl_host(p + hs, he - hs))
			return "the https: URI has no valid host";
		return NULL;
	}
	return "only mailto: and https: URIs are allowed";
}

static void
parse_rua(const char *p, size_t len, size_t vs, size_t ve,
    struct tlsrpt_record *rec, struct diag_sink *sink,
    const struct diag *ctx)
{
	size_t i = vs;

	if (vs == ve) {
		bad(sink, ctx, p, len, vs, 0, "rua= needs at least one URI");
		rec->ok = false;
		return;
	}
	while (i <= ve) {
		size_t e = tl_find_char(p, ve, i, ','), s = i, t = e;
		const char *why;
		bool mailto = false;

		while (t > s && tl_is(p[t - 1], TL_WSP))
			t--;
		s = tl_skip_wsp(p, t, s);
		if (s == t)
			why = "empty URI in the list";
		else
			why = check_uri(p, s, t, &mailto);
		if (why != NULL) {
			bad(sink, ctx, p, len, s, t - s, "rua: %s", why);
			rec->ok = false;
		} else if (rec->nrua < TLSRPT_MAX_RUA) {
			rec->rua[rec->nrua].span.off = s;
			rec->rua[rec->nrua].span.len = t - s;
			rec->rua[rec->nrua].mailto = mailto;
			rec->nrua++;
		}
		i = e + 1;
	}
}

bool
tlsrpt_is_record(const char *p, size_t len)
{
	if (len < 10 || memcmp(p, "v=TLSRPTv1", 10) != 0)
		return false;
	return len == 10 || p[10] == ';' || tl_is(p[10], TL_WSP);
}

bool
tlsrpt_parse(const char *p, size_t len, struct tlsrpt_record *rec,
    struct diag_sink *sink, const struct diag *ctx)
{
	size_t i = 10;
	bool have_rua = false;

	memset(rec, 0, sizeof(*rec));
	if (!tlsrpt_is_record(p, len)) {
		bad(sink, ctx, p, len, 0, tl_find_char(p, len, 0, ';'),
		    "the record must begin with v=TLSRPTv1 (case-sensitive)");
		return false;
	}
	rec->ok = true;
	for (;;) {
		struct tl_item it;
		enum tl_step step = tl_next(p, len, &i, &it);
		size_t s = it.off, e = it.end, eq, k;

		if (step == TL_END)
			break;
		if (step == TL_JUNK) {
			bad(sink, ctx, p, len, s, e - s,
			    "expected ';' between fields");
			rec->ok = false;
			continue;
		}
		eq = tl_find_char(p, e, s, '=');
		if (e == s || eq == e || eq == s) {
			bad(sink, ctx, p, len, s, e - s,
			    "a field must be name=value");
			rec->ok = false;
			continue;
		}
		if (eq - s == 3 && memcmp(p + s, "rua", 3) == 0) {
			if (have_rua) {
				bad(sink, ctx, p, len, s, e - s,
				    "rua= appears twice");
				rec->ok = false;
				continue;
			}
			have_rua = true;
			parse_rua(p, len, eq + 1, e, rec, sink, ctx);
			continue;
		}
		for (k = s; k < eq && tl_is(p[k], TL_EXTNAME); k++)
			;
		if (k < eq || eq - s > 32) {
			bad(sink, ctx, p, len, s, eq - s,
			    "bad extension field name");
			rec->ok = false;
		}
		for (k = eq + 1; k < e && tl_is(p[k], TL_EXTVAL); k++)
			;
		if (k < e || eq + 1 == e) {
			bad(sink, ctx, p, len, eq + 1, e - eq - 1,
			    "bad extension field value");
			rec->ok = false;
		}
	}
	if (!have_rua) {
		bad(sink, ctx, p, len, 0, len, "the required rua= field is "
		    "missing");
		rec->ok = false;
	}
	return rec->ok;
}

/* ---- the check ------------------------------------------------------- */

int
tlsrpt_start(struct dns_resolver *r, const char *domain,
    struct tlsrpt_result *res)
{
	memset(res, 0, sizeof(*res));
	area_result_init(&res->area);
	return txt_check_start(r, "_smtp._tls", domain, &res->txt, NULL, NULL,
	    &res->area);
}

void
tlsrpt_finish(struct tlsrpt_result *res, bool mtasts_published,
    struct diag_sink *sink)
{
	struct diag d;
	int found;

	found = txt_check_read(&res->txt, tlsrpt_is_record, sink,
	    "TLS-RPT was not checked", &res->area);
	if (found < 0)
		return;
	memset(&d, 0, sizeof(d));
	d.domain = res->txt.name;
	if (found == 0) {
		if (mtasts_published)
			diag_reportf(sink, DIAG_TLSRPT_MISSING, &d,
			    "%s publishes MTA-STS but no TLS-RPT record at %s: "
			    "nobody reports failed TLS deliveries to it",
			    res->txt.domain, res->txt.name);
		return;
	}
	res->published = true;
	d.record = res->txt.record;
	d.record_len = res->txt.record_len;
	if (found > 1) {
		diag_reportf(sink, DIAG_TLSRPT_MULTIPLE_RECORDS, &d,
		    "%d v=TLSRPTv1 records at %s: senders send no reports",
		    found, res->txt.name);
		return;
	}
	res->record_ok = tlsrpt_parse(res->txt.record, res->txt.record_len,
	    &res->rec, sink, &d);
}

void
tlsrpt_result_free(struct tlsrpt_result *res)
{
	txt_check_free(&res->txt);
	area_result_free(&res->area);
}
