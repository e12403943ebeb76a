/*
 * render_hub.h -- the outputs of a run over many domains: CSV rows, the
 * text summary table, the HTML page, and the changes since a baseline in
 * text.  Like every renderer they format what the checks produced and
 * decide nothing; the per-area columns come from check_modules[], so a new
 * area adds a column everywhere without editing these files.
 */
#ifndef AUTHCHECK_RENDER_HUB_H
#define AUTHCHECK_RENDER_HUB_H

#include <stdbool.h>
#include <stdio.h>

#include "check.h"

struct changes;

/* An area's status in one word: "fail" (errors), "incomplete" (DNS
 * failed, no errors), "warn" (warnings), "pass". */
const char *render_area_status(const struct check_result *res,
    enum check_area a);
/* How bad a verdict is, 0 the worst ("fail") to 3 ("pass"): worst first. */
int render_verdict_rank(const char *verdict);

/* ---- CSV (render_csv.c), RFC 4180 ---- */

/* The header row: domain, verdict, score, one column per area
 * (check_modules[].name), errors, warnings, spf_lookups, dmarc_policy,
 * dkim_selectors, mx_count, findings; with_changes adds score_change,
 * findings_appeared, findings_fixed, records_changed.  0, or -1 on a
 * write error. */
int render_csv_header(FILE *out, bool with_changes);
/* One domain's row (ch: NULL unless with_changes).  Cells are quoted when
 * they hold a comma, quote or line break; a text cell that starts with
 * = + - @ (or a tab or CR) gets a leading ' so that a spreadsheet does not
 * run DNS data as a formula. */
int render_csv_row(FILE *out, const struct check_result *res,
    const struct changes *ch, bool with_changes);
/* One text cell as render_csv_row() writes it (for tests). */
void render_csv_cell(FILE *out, const char *s);

/* ---- the text summary table (render_summary.c) ---- */

struct render_summary;

/* A table that keeps the `max` worst domains (memory stays bounded on
 * long lists) and counts all of them.  NULL when out of memory. */
struct render_summary *render_summary_new(size_t max);
void render_summary_free(struct render_summary *s);
/* Count a domain (ch: its changes, or NULL without a baseline).  -1 when
 * memory ran out. */
int render_summary_add(struct render_summary *s,
    const struct check_result *res, const struct changes *ch);
/* "summary:" with the counts by verdict, then the table, worst first. */
void render_summary_print(FILE *out, const struct render_summary *s,
    bool color);

/* ---- changes since a baseline, as text (render_summary.c) ---- */
void render_text_changes(FILE *out, const char *domain,
    const struct changes *ch, const char *baseline_path);

/* ---- the HTML page (render_html.c) ---- */

struct render_html;

/* Start a page for path: reads the template (data/report.html, found like
 * the provider templates), creates path.tmp and opens scratch space for
 * the rows.  NULL with a message in err. */
struct render_html *render_html_new(const char *path, const char *title,
    const char *baseline, char *err, size_t errsize);
/* Add a domain (ch: its changes, or NULL).  0, or -1 on a write error or
 * out of memory. */
int render_html_add(struct render_html *h, const struct check_result *res,
    const struct changes *ch);
/* Write the page: the summary, the changes, every domain worst first;
 * then rename path.tmp to path.  0, or -1 with a message in err (path is
 * then left as it was). */
int render_html_write(struct render_html *h, char *err, size_t errsize);
void render_html_free(struct render_html *h);

/* The file name of the page template in the data directory. */
#define RENDER_HTML_TEMPLATE "report.html"

#endif
