/*
 * providers.h -- provider templates (data/providers/<id>.json): what each mail
 * provider needs in DNS (SPF include and where it belongs, DKIM selectors,
 * MX hosts) and the fingerprints that recognise it.
 *
 * providers_load() reads and validates every template into plain structs;
 * nothing from the JSON library crosses this interface.  The set owns all
 * memory; pointers into it stay valid until providers_free().
 */
#ifndef AUTHCHECK_PROVIDERS_H
#define AUTHCHECK_PROVIDERS_H

#include <stdbool.h>
#include <stddef.h>

struct pattern;

#define PROVIDERS_MAX		256	/* template files read */
#define PROVIDERS_MAX_LIST	32	/* entries in any one array */
#define PROVIDERS_MAX_FILE	65536	/* bytes per template file */

/* One value a template could not confirm, and why. */
struct provider_unverified {
	const char *field, *why;
};

struct provider {
	const char *id, *name, *kind;		/* kind: "mailbox" | "sender" */
	const char *const *spf_includes;
	size_t nspf_includes;
	const char *spf_where;			/* "apex" | "return-path" */
	unsigned spf_lookups;			/* typical tree cost */
	const char *dkim_type;			/* "txt" | "cname" */
	const char *const *dkim_selectors;	/* may hold {placeholders} */
	size_t ndkim_selectors;
	const char *const *mx;
	size_t nmx;
	const char *docs;
	/* Beyond the lead's API: */
	const char *spf_note;			/* NULL when absent */
	const char *rp_host;			/* Return-Path label, or NULL */
	const char *rp_type;			/* "cname" | "txt", or NULL */
	const char *rp_target;			/* CNAME target, or NULL */
	const char *dkim_target;		/* pattern, or NULL */
	const struct provider_unverified *unverified;
	size_t nunverified;
	/* Compiled fingerprints, by clue (enum provider_clue). */
	struct pattern *const *fp[3];
	size_t nfp[3];
};

struct provider_set;

/*
 * Load every *.json in dir (NULL: providers_default_dir()), in file-name
 * order.  Returns the set (free with providers_free), or NULL with a
 * message in err naming the file and the field ("sendgrid.json: spf.where:
 * must be \"apex\" or \"return-path\"") when the directory cannot be read,
 * holds no template, or any template is invalid.
 */
struct provider_set *providers_load(const char *dir, char *err,
    size_t errsize);
/* Validate one template held in memory as if it were the file `name`
 * ("<id>.json"); a set of one, or NULL with err as above.  For tests and
 * the fuzzer. */
struct provider_set *providers_load_mem(const char *name, const char *data,
    size_t len, char *err, size_t errsize);
void providers_free(struct provider_set *ps);
size_t providers_count(const struct provider_set *ps);
/* The i-th provider (file-name order), or NULL when i is out of range. */
const struct provider *providers_get(const struct provider_set *ps, size_t i);
/* The provider with this id (case-insensitive), or NULL. */
const struct provider *providers_find(const struct provider_set *ps,
    const char *id);

enum provider_clue {
	PROVIDER_CLUE_SPF_INCLUDE, PROVIDER_CLUE_MX, PROVIDER_CLUE_CNAME
};
/* The first provider whose fingerprints of that kind match name (an
 * include target, MX host or CNAME target; a trailing dot is ignored),
 * or NULL. */
const struct provider *providers_recognise(const struct provider_set *ps,
    enum provider_clue clue, const char *name);

/* Where templates are read from by default: $AUTHCHECK_DATADIR/providers
 * when set; else <directory of the executable>/data/providers when that
 * exists (running from the source tree); else the compiled-in
 * AUTHCHECK_DATADIR "/providers".  A static buffer. */
const char *providers_default_dir(void);

#endif
