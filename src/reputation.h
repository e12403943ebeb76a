/*
 * reputation.h -- the blocklist scan (RFC 5782 DNSBLs and domain lists) of
 * the domain report's Reputation area and of `authcheck blocklist`.
 *
 * What is looked up: the addresses of every MX host, every sending address
 * (--ip, or named to `authcheck blocklist`), the addresses the domain's own
 * SPF record authorises directly (ip4:, ip6:, a, mx; a network up to
 * REP_NET_CAP addresses, never what include: reaches), and the domain and
 * its organisational domain on the domain lists.
 *
 * Like every check it runs in two halves on the shared resolver: rep_start()
 * submits the questions whose names are known and the callbacks submit the
 * rest (an MX host's addresses, then each address on each list), so the
 * scan adds one round trip per dependency level, not one per list; the
 * resolver's cache makes a list's test points and an MX address shared by
 * many domains one question each.  rep_finish() judges the answers:
 *
 *   NXDOMAIN (or no A record)       not listed ("clear")
 *   A records in 127.0.0.0/8         listed, with each code's meaning and
 *                                    the TXT reason; an error code of the
 *                                    list (127.255.255.254 ...) is "refused"
 *   any A record outside 127/8       "broken": a wildcarding list or a
 *                                    resolver that rewrites NXDOMAIN
 *   timeout, SERVFAIL                "unknown" (dns.failure), never clear
 *
 * and each list's RFC 5782 §5 test points, asked in the same run, decide
 * whether its answers are believed at all (blocklist.unusable).
 */
#ifndef AUTHCHECK_REPUTATION_H
#define AUTHCHECK_REPUTATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "area.h"
#include "blocklist.h"
#include "diag.h"
#include "ip.h"

struct dns_resolver;
struct dns_query;

#define REP_MAX_TARGETS	128	/* addresses and names looked up per scan */
#define REP_NET_CAP	16	/* addresses of one network enumerated: an
				 * IPv4 /28, an IPv6 /124 */
#define REP_CMD_NET_CAP	256	/* ... when named to `authcheck blocklist`
				 * (a /24) */
#define REP_MAX_CODES	8	/* codes kept per answer */
#define REP_MAX_LOOKUPS	96	/* MX hosts and SPF names resolved */

enum rep_status {
	REP_CLEAR, REP_LISTED, REP_REFUSED, REP_BROKEN, REP_UNKNOWN
};

/* What the user asked for. */
struct rep_opts {
	const struct bl_set *lists;
	const char *dqs_key;		/* Spamhaus DQS key, or NULL */
	bool all_lists;			/* also the lists off by default */
	size_t net_cap;			/* 0: REP_NET_CAP */
	bool lookup_failures;		/* report failed MX, address and SPF
					 * lookups as dns.failure (no MX area
					 * does it: `authcheck blocklist`) */
};

/* One target on one list: a row of the JSON "reputation" array. */
struct rep_entry {
	const char *target;		/* address or name (owned by res) */
	const char *via;		/* where it came from: "mx1.example.com",
					 * "ip4:192.0.2.0/28", "--ip" */
	unsigned role;			/* one BL_ROLE_* bit: the strictest of
					 * the target's roles */
	const struct bl_list *list;
	enum rep_status status;
	uint32_t codes[REP_MAX_CODES];	/* the A answers (listed, refused,
					 * broken), host order */
	size_t ncodes;
	char *meaning;			/* the codes' meanings, or NULL */
	char *reason;			/* the list's TXT, or NULL */
	bool matters;			/* listed with a code that matters for
					 * the role: blocklist.listed */
};

struct rep_target;
struct rep_lookup;
struct rep_health;

struct rep_result {
	struct area_result area;	/* findings, incomplete, oom, skipped */
	char domain[256];		/* "" for `authcheck blocklist` */
	const char *skipped_why;	/* area skipped: why (static text) */
	struct rep_opts o;
	size_t nlists_used;		/* lists queried */
	enum rep_status *list_status;	/* after rep_finish(), per list (in
					 * the set's order): CLEAR usable,
					 * else REFUSED, BROKEN (failed its
					 * test points) or UNKNOWN */
	struct rep_entry *e;		/* after rep_finish(): target x list */
	size_t ne;
	size_t ntargets;		/* looked up */
	size_t not_checked;		/* addresses or names not looked up
					 * (caps), each said in a finding */
	/* internal */
	struct dns_resolver *r_;
	struct rep_target **t_;
	struct rep_lookup *lk_;
	size_t nlk_;
	struct rep_health *h_;
	size_t over_;			/* targets past REP_MAX_TARGETS */
	size_t lk_over_;		/* names past REP_MAX_LOOKUPS */
	bool finished_;
};

/* An empty result whose area says it was skipped and why (static text). */
void rep_skip(struct rep_result *res, const char *why);

/*
 * Start the scan of domain (the report's area): its MX addresses, its own
 * SPF addresses, send_ips (role sender), the domain and its organisational
 * domain on the domain lists.  Never waits.  res must stay at its address
 * until rep_finish().  0, or -1 when memory ran out (res is safe to free).
 */
int rep_start(struct dns_resolver *r, const char *domain,
    const struct ipaddr *send_ips, size_t nsend, const struct rep_opts *o,
    struct rep_result *res);

/* An empty scan (`authcheck blocklist`); targets come from rep_add_*(). */
int rep_begin(struct dns_resolver *r, const struct rep_opts *o,
    struct rep_result *res);
/* Look up one address (role BL_ROLE_*). 0, -1 out of memory. */
int rep_add_ip(struct rep_result *res, const struct ipaddr *ip,
    unsigned role, const char *via);
/* Every address of net/prefix up to o->net_cap (REP_NET_CAP); beyond, a finding says how
 * many were not looked up.  0 or -1. */
int rep_add_net(struct rep_result *res, const struct ipaddr *net,
    unsigned prefix, unsigned role, const char *via);
/* A domain named to `authcheck blocklist`: everything rep_start() looks up
 * for it, with failed MX and SPF lookups reported as dns.failure. */
int rep_add_domain(struct rep_result *res, const char *domain);

/* After dns_run(): judge the answers into res->e and report findings to
 * sink (blocklist.listed, blocklist.listed-info, blocklist.refused,
 * blocklist.unusable, blocklist.not-checked, dns.failure). */
void rep_finish(struct rep_result *res, struct diag_sink *sink);
void rep_result_free(struct rep_result *res);

/* "listed", "clear", "refused", "broken", "unknown". */
const char *rep_status_name(enum rep_status s);
/* A 127/8 code in text: "127.0.0.2" into out (16 bytes). */
void rep_code_text(uint32_t code, char *out, size_t size);

#endif
