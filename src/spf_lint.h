/*
 * spf_lint.h -- SPF lint over the whole include/redirect tree.
 *
 * spf_lint() fetches the domain's record, then every include and redirect
 * target, and every a/mx/exists name, all queries in flight at once, and
 * builds the tree of records.  Lookups are counted over the whole tree (not
 * along the path of one client address, which is what check_host() counts).
 * When the tree is complete the records are checked in tree order, so the
 * order of findings does not depend on the order DNS answers arrived.
 *
 * Hostile trees are bounded: at most SPF_LINT_MAX_DEPTH levels and
 * SPF_LINT_MAX_NODES records; loops are cut where a target repeats a domain
 * already on the path.
 */
#ifndef AUTHCHECK_SPF_LINT_H
#define AUTHCHECK_SPF_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "area.h"

struct dns_resolver;
struct diag_sink;

#define SPF_LINT_MAX_DEPTH	20	/* include/redirect levels below root */
#define SPF_LINT_MAX_NODES	200	/* records in the tree */
#define SPF_LINT_MAX_FINDINGS	1000	/* kept by `authcheck spf DOMAIN`: a
					 * few per record of a full tree */
#define SPF_LINT_MAX_RECORDS	8	/* v=spf1 records at the root, each
					 * linted when there are several */

/* What became of one node's record. */
enum spf_node_status {
	SPF_NODE_OK,		/* exactly one v=spf1 record, parsed */
	SPF_NODE_MISSING,	/* no v=spf1 record (NXDOMAIN, no data, none) */
	SPF_NODE_MULTIPLE,	/* several v=spf1 records */
	SPF_NODE_DNS_FAILURE,	/* the TXT query timed out or failed */
	SPF_NODE_LOOP,		/* the domain is already on the path: cut */
	SPF_NODE_MACRO,		/* the target holds macros: not resolved */
	SPF_NODE_DEPTH_LIMIT,	/* below SPF_LINT_MAX_DEPTH: not fetched */
	SPF_NODE_NODE_LIMIT	/* past SPF_LINT_MAX_NODES: not fetched */
};

/* One record of the tree.  Everything is owned by the result. */
struct spf_tree_node {
	char *domain;		/* lowercase target (or the macro text) */
	char *record;		/* the selected record text, NUL-terminated,
				 * or NULL */
	size_t record_len;
	const char *via;	/* "include", "redirect"; NULL at the root;
				 * "record": one of several v=spf1 records
				 * at the root, each linted */
	enum spf_node_status status;
	unsigned depth;		/* 0 = the linted domain */
	unsigned cost;		/* DNS-querying terms in this record */
	unsigned subtree_cost;	/* cost + the kids' subtree_cost (the
				 * include/redirect term that leads to a
				 * kid is counted in the parent's cost) */
	unsigned voids;		/* void lookups of this record's terms */
	unsigned macros;	/* terms whose domain-spec has macros (counted,
				 * not resolved: there is no client) */
	struct spf_tree_node *parent;
	struct spf_tree_node **kids;	/* in term order */
	size_t nkids;
};

struct spf_lint_result {
	struct area_result area;	/* findings, incomplete, oom (area.h) */
	struct spf_tree_node *root;	/* never NULL after success */
	unsigned lookups;	/* DNS terms over the whole tree (a, mx, ptr,
				 * exists, include, redirect) */
	unsigned void_lookups;
	char **void_terms;	/* "domain: term" of each void lookup */
	size_t nvoid_terms;
	unsigned nodes;		/* records in the tree */
	bool truncated;		/* depth or node limit reached */
	bool loop;		/* an include/redirect loop was cut */
	bool macros;		/* some terms could not be resolved */
};

/*
 * The same lint in two steps, so that one resolver can carry many checks
 * at once (the domain report): spf_lint_start() submits the first query
 * and returns; callbacks expand the tree as answers arrive.  After the
 * caller's dns_run(), spf_lint_finish() walks the tree, reports every
 * finding to sink (may be NULL) and frees the state.  *out must stay at
 * its address until then.  start returns NULL on bad arguments or out of
 * memory (*out is then safe to free); finish returns 0, or -1 on
 * out-of-memory.  spf_lint_abandon() frees the state without reporting
 * (only after dns_run(): pending callbacks point into it).
 */
struct spf_lint;
struct spf_lint *spf_lint_start(struct dns_resolver *r, const char *domain,
    struct spf_lint_result *out);
int spf_lint_finish(struct spf_lint *L, struct diag_sink *sink);
void spf_lint_abandon(struct spf_lint *L);

/*
 * Lint the SPF tree of `domain` (start, dns_run, finish), reporting every finding to sink (spf.* and
 * dns.failure IDs of diag.h).  Fills *out (free with spf_lint_result_free,
 * also after failure).  Drives the resolver until all its queries are done.
 * Returns 0, or -1 on internal failure (out of memory, bad arguments).
 */
int spf_lint(struct dns_resolver *r, const char *domain,
    struct diag_sink *sink, struct spf_lint_result *out);
/*
 * The same for a record that is given instead of fetched (a zone file's
 * record at `domain`): text[0..len) is the root, linted as if it were the
 * one v=spf1 record there; include/redirect targets and term names are
 * resolved through r as usual.  The checks that need the whole answer at
 * the root (spf.multiple-records, spf.record-too-long, spf.type99) are the
 * caller's, who sees every record.  Same returns as spf_lint().
 */
int spf_lint_record(struct dns_resolver *r, const char *domain,
    const char *text, size_t len, struct diag_sink *sink,
    struct spf_lint_result *out);
/*
 * Lint one record's text alone, with no DNS (`authcheck record`): syntax,
 * the terms (+all, ?all, no all, terms after all, redirect with all, ptr,
 * wide networks), its own DNS-term count in *cost (more than 10 is
 * spf.lookup-limit even before any include is counted) and its length.
 * Findings name `domain` (may be "").  Returns 0, or -1 when out of memory.
 */
int spf_lint_text(const char *domain, const char *text, size_t len,
    struct diag_sink *sink, unsigned *cost);

/* Why a node was not expanded, for people ("no SPF record", "loop:
 * already on the path", ...); NULL for SPF_NODE_OK. */
const char *spf_node_status_note(enum spf_node_status s);

/* Free what spf_lint() put into *res and zero it. */
void spf_lint_result_free(struct spf_lint_result *res);

/*
 * Print the tree with the lookup cost of every node, the root first with
 * the total, then one line per include/redirect, indented by depth:
 *   example.com  (total 12 lookups)
 *     include:_spf.google.com  4
 * A kid's number is what it costs its parent: its own term plus its
 * subtree.  Problems (missing, loop, ...) follow in brackets.  Every
 * line starts with `indent` more spaces (at most 16).
 */
void spf_tree_print(FILE *out, const struct spf_tree_node *root,
    const struct spf_lint_result *res, unsigned indent);

#endif
