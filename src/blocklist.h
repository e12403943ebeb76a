/*
 * blocklist.h -- the DNS blocklists authcheck queries (data/blocklists.json,
 * or the file of --blocklists): zone, kind, what each return code means and
 * for which roles a listing matters, the error codes that are not listings,
 * the RFC 5782 §5 test points, the delisting page.
 *
 * blocklist_load() reads and validates the file into plain structs; nothing
 * from the JSON library crosses this interface.  The set owns all memory.
 */
#ifndef AUTHCHECK_BLOCKLIST_H
#define AUTHCHECK_BLOCKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BL_MAX_LISTS	64	/* lists in one file */
#define BL_MAX_CODES	32	/* codes (or errors) of one list */
#define BL_MAX_FILE	(256u * 1024)	/* bytes of the file */

enum bl_kind { BL_IPV4, BL_IPV6, BL_DOMAIN };

/* The roles of what is looked up (bits of bl_code.matters). */
enum bl_role {
	BL_ROLE_MX = 1u << 0,		/* an address of an MX host */
	BL_ROLE_SENDER = 1u << 1,	/* a sending address (--ip, or named
					 * to `authcheck blocklist`) */
	BL_ROLE_SPF = 1u << 2,		/* authorised by the domain's own SPF */
	BL_ROLE_DOMAIN = 1u << 3	/* the domain or its organisational
					 * domain, on a domain list */
};

/* One return code (or range of codes) of a list.  Addresses are in host
 * order: 127.0.0.2 is 0x7f000002. */
struct bl_code {
	uint32_t lo, hi;		/* the range; lo == hi for one code */
	const char *meaning;
	unsigned matters;		/* roles for which it is an error */
};

struct bl_list {
	const char *id, *name;
	const char *zone;		/* "zen.spamhaus.org" */
	const char *dqs_zone;		/* with --dqs-key, or NULL */
	enum bl_kind kind;
	bool on;			/* queried by default */
	bool bitmask;			/* codes are bits of the last octet
					 * (SURBL, URIBL), not values */
	const struct bl_code *codes;
	size_t ncodes;
	const struct bl_code *errors;	/* answers that are no listing */
	size_t nerrors;
	/* RFC 5782 §5 test points: text addresses for IP lists (127.0.0.2
	 * and 127.0.0.1, ::ffff:7f00:2 and ::ffff:7f00:1), names for domain
	 * lists ("test" and "invalid" unless the file says otherwise). */
	const char *test_listed, *test_clean;
	const char *delist, *terms, *source;
	size_t nunverified;
};

struct bl_set;

/* Read path (NULL: blocklist_default_path()).  Returns the set, or NULL
 * with a message in err naming the file and the field ("lists[3].kind:
 * must be ipv4, ipv6 or domain"). */
struct bl_set *blocklist_load(const char *path, char *err, size_t errsize);
/* The same from memory, `name` used in messages (tests, fuzzing). */
struct bl_set *blocklist_load_mem(const char *name, const char *data,
    size_t len, char *err, size_t errsize);
void blocklist_free(struct bl_set *s);
size_t blocklist_count(const struct bl_set *s);
/* The i-th list in file order, or NULL past the last. */
const struct bl_list *blocklist_get(const struct bl_set *s, size_t i);
/* data/blocklists.json beside the provider templates (providers.h). */
const char *blocklist_default_path(void);

/* "ipv4", "ipv6", "domain". */
const char *blocklist_kind_name(enum bl_kind k);
/* "mx", "sender", "spf", "domain" for one role bit; "?" otherwise. */
const char *blocklist_role_name(unsigned role);

/* The error entry code matches, or NULL. */
const struct bl_code *blocklist_error(const struct bl_list *l, uint32_t code);
/* The codes entries that answer `code` matches (values, or bits for a
 * bitmask list) into out[0..max); returns how many. */
size_t blocklist_match(const struct bl_list *l, uint32_t code,
    const struct bl_code **out, size_t max);

#endif
