/* placeholder, replaced below */
#include "generate_cmd.h"
int
gen_wizard(struct gen_args *g, const struct provider_set *ps, bool tty)
{
	(void)g; (void)ps; (void)tty;
	return CLI_EXIT_USAGE;
}
