/*
 * bimi.c -- BIMI assertion records.
 *
 * The draft's record is a tag list in the DKIM style (RFC 6376 §3.2):
 *   bimi-record   = bimi-version *(bimi-sep bimi-tag) [bimi-sep]
 *   bimi-sep      = *WSP ";" *WSP
 *   bimi-version  = "v" *WSP "=" *WSP "BIMI1"
 *   bimi-location = "l" *WSP "=" *WSP [https-URI]
 *   bimi-evidence = "a" *WSP "=" *WSP [https-URI]
 * "v=BIMI1; l=; a=;" declines to publish a logo (opt-out) and is not a
 * problem.  Receivers show a logo only under DMARC enforcement, so a
 * record on a p=none domain does nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "bimi.h"
#include "dmarc.h"
#include "dns.h"
#include "dns_txt.h"
#include "taglist.h"

bool
bimi_is_record(const char *p, size_t len)
{
	return tl_version_end(p, len, "BIMI1") != 0;
}

/* An https URI with a host: "https://" LDH-host [":" port] [path...]. */
static bool
https_uri(const char *p, size_t n)
{
	static const char scheme[] = "https://";
	size_t i, hs, he;

	if (n <= 8)
		return false;
	for (i = 0; i < 8; i++)
		if (ascii_lower(p[i]) != scheme[i])
			return false;
	for (i = 8; i < n; i++)
		/* ';' is a URI character but ends the tag: never here */
		if (!tl_is(p[i], TL_URI))
			return false;
	hs = 8;
	he = hs;
	while (he < n && p[he] != '/' && p[he] != ':' && p[he] != '?' &&
	    p[he] != '#')
		he++;
	if (he == hs || p[hs] == '.' || p[he - 1] == '.')
		return false;
	for (i = hs; i < he; i++)
		if (!tl_is(p[i], TL_LDH) && p[i] != '.')
			return false;
	return true;
}

bool
bimi_parse(const char *p, size_t len, struct bimi_record *rec,
    struct diag_sink *sink, const struct diag *ctx)
{
	size_t i;

	memset(rec, 0, sizeof(*rec));
	if ((i = tl_version_end(p, len, "BIMI1")) == 0) {
		diag_report_at(sink, ctx, DIAG_BIMI_SYNTAX, p, len, 0,
		    tl_find_char(p, len, 0, ';'), "the record must begin with "
		    "v=BIMI1");
		return false;
	}
	rec->ok = true;
	for (;;) {
		struct tl_item it;
		enum tl_step step = tl_next(p, len, &i, &it);
		size_t s = it.off, e = it.end, ns, ne, vs, k;

		if (step == TL_END)
			break;
		if (step == TL_JUNK) {
			diag_report_at(sink, ctx, DIAG_BIMI_SYNTAX, p, len, s,
			    e - s, "expected ';' between tags");
			rec->ok = false;
			continue;
		}
		/* tag-name = ALPHA *ALNUMPUNC */
		for (ne = s; ne < e && tl_is(p[ne], TL_TNAME); ne++)
			;
		ns = s;
		k = tl_skip_wsp(p, e, ne);
		if (ne == ns || !tl_is(p[ns], TL_ALPHA) || k == e ||
		    p[k] != '=') {
			diag_report_at(sink, ctx, DIAG_BIMI_SYNTAX, p, len, s,
			    e - s, "a tag must be name=value");
			rec->ok = false;
			continue;
		}
		vs = tl_skip_wsp(p, e, k + 1);
		for (k = vs; k < e && tl_is(p[k], TL_TVAL | TL_WSP); k++)
			;
		if (k < e) {
			diag_report_at(sink, ctx, DIAG_BIMI_SYNTAX, p, len, k,
			    1, "a control or non-ASCII byte in the value");
			rec->ok = false;
			continue;
		}
		if (ne - ns == 1 && (p[ns] == 'l' || p[ns] == 'a')) {
			bool logo = p[ns] == 'l';
			bool *has = logo ? &rec->has_l : &rec->has_a;
			struct diag_span *sp = logo ? &rec->l : &rec->a;

			if (*has) {
				diag_report_at(sink, ctx, DIAG_BIMI_SYNTAX, p,
				    len, s, e - s, "%c= appears twice", p[ns]);
				rec->ok = false;
				continue;
			}
			*has = true;
			sp->off = vs;
			sp->len = e - vs;
			if (e == vs || https_uri(p + vs, e - vs))
				continue;
			rec->ok = false;
			if (logo)
				diag_report_at(sink, ctx,
				    DIAG_BIMI_LOGO_NOT_HTTPS, p, len, vs,
				    e - vs, "l= must be an https:// URI of "
				    "the SVG logo (or empty)");
			else
				diag_report_at(sink, ctx, DIAG_BIMI_SYNTAX, p,
				    len, vs, e - vs,
				    "a= must be an https:// URI of the "
				    "evidence document (or empty)");
			continue;
		}
		if (ne - ns == 1 && p[ns] == 'v') {
			diag_report_at(sink, ctx, DIAG_BIMI_SYNTAX, p, len, s,
			    e - s, "v= appears twice");
			rec->ok = false;
		}
		/* other tags: ignored, as unknown tags are */
	}
	if (!rec->has_l) {
		diag_report_at(sink, ctx, DIAG_BIMI_SYNTAX, p, len, 0, len,
		    "the l= tag is required (empty to decline)");
		rec->ok = false;
	}
	rec->optout = rec->has_l && rec->l.len == 0 &&
	    (!rec->has_a || rec->a.len == 0);
	return rec->ok;
}

/* ---- the check ------------------------------------------------------- */

int
bimi_start(struct dns_resolver *r, const char *domain,
    struct bimi_result *res)
{
	memset(res, 0, sizeof(*res));
	area_result_init(&res->area);
	return txt_check_start(r, "default._bimi", domain, &res->txt, NULL,
	    NULL, &res->area);
}

void
bimi_finish(struct bimi_result *res, bool dmarc_found, int dmarc_policy,
    struct diag_sink *sink)
{
	struct diag d;
	int found;

	found = txt_check_read(&res->txt, bimi_is_record, sink,
	    "BIMI was not checked", &res->area);
	if (found <= 0)
		return;		/* BIMI is optional */
	res->published = true;
	memset(&d, 0, sizeof(d));
	d.domain = res->txt.name;
	d.record = res->txt.record;
	d.record_len = res->txt.record_len;
	if (found > 1) {
		/* no bimi.multiple-records ID: the set is malformed */
		diag_reportf(sink, DIAG_BIMI_SYNTAX, &d,
		    "%d v=BIMI1 records at %s: receivers use none of them",
		    found, res->txt.name);
		return;
	}
	res->record_ok = bimi_parse(res->txt.record, res->txt.record_len,
	    &res->rec, sink, &d);
	if (!res->record_ok || res->rec.optout)
		return;
	if (!dmarc_found || dmarc_policy < DMARC_POLICY_QUARANTINE) {
		d.record = NULL;
		d.record_len = 0;
		d.domain = res->txt.domain;
		diag_reportf(sink, DIAG_BIMI_DMARC_NOT_ENFORCED, &d,
		    "BIMI is published but DMARC for %s is %s: receivers show "
		    "no logo without p=quarantine or p=reject", res->txt.domain,
		    !dmarc_found ? "missing" :
		    dmarc_policy == DMARC_POLICY_UNSET ? "p=none (no valid p=)" :
		    dmarc_policy_name((enum dmarc_policy)dmarc_policy));
	}
}

void
bimi_result_free(struct bimi_result *res)
{
	txt_check_free(&res->txt);
	area_result_free(&res->area);
}
