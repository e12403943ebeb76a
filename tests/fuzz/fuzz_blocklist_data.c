/*
 * fuzz_blocklist_data.c -- libFuzzer target: any bytes as a blocklists
 * file (--blocklists FILE).  A file the loader accepts must drive a whole
 * scan without fault, and over a DNS that has no list data at all (every
 * question NXDOMAIN, so every test point fails) nothing may come out
 * "listed".
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "area.h"
#include "blocklist.h"
#include "dns.h"
#include "reputation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_set *s;
	struct dns_resolver *r;
	struct rep_result res;
	struct rep_opts o;
	struct diag_sink sink;
	struct ipaddr ip;
	char err[512];

	s = blocklist_load_mem("t.json", (const char *)data, size, err,
	    sizeof(err));
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < blocklist_count(s); i++) {
		const struct bl_list *l = blocklist_get(s, i);
		const struct bl_code *m[BL_MAX_CODES];

		(void)blocklist_error(l, 0x7f000002);
		(void)blocklist_match(l, 0x7f0000ff, m, BL_MAX_CODES);
	}
	if ((r = dns_zone_new()) != NULL) {
		memset(&o, 0, sizeof(o));
		memset(&res, 0, sizeof(res));
		o.lists = s;
		o.all_lists = true;
		o.dqs_key = "k";
		area_result_init(&res.area);
		if (rep_begin(r, &o, &res) == 0) {
			(void)ip_parse("192.0.2.1", 9, &ip);
			(void)rep_add_ip(&res, &ip, BL_ROLE_SENDER, "fuzz");
			(void)ip_parse("2001:db8::1", 11, &ip);
			(void)rep_add_net(&res, &ip, 126, BL_ROLE_SPF, "fuzz");
			(void)rep_add_domain(&res, "example.com");
			dns_run(r);
			diag_sink_init(&sink, diag_list_add, &res.area.findings);
			rep_finish(&res, &sink);
			for (size_t i = 0; i < res.ne; i++)
				if (res.e[i].status == REP_LISTED)
					__builtin_trap();
		}
		rep_result_free(&res);
		area_result_free(&res.area);
		dns_free(r);
	}
	blocklist_free(s);
	return 0;
}
