/*
 * generate_wizard.h -- `authcheck generate` step by step (generate_wizard.c).
 */
#ifndef AUTHCHECK_GENERATE_WIZARD_H
#define AUTHCHECK_GENERATE_WIZARD_H

#include <stdbool.h>

#include "generate_run.h"

/*
 * Ask for the domain, the services that send mail, own servers, the
 * policy for everything else and a report address (only what g lacks),
 * re-asking on bad answers, then print the SPF and DMARC records to
 * publish (or, for g->kind "dkim", the selector and the key).  tty: stdin
 * is a terminal (line editing); otherwise one answer per line is read from
 * stdin.  Every id in g->provider_ids must be in ps (the caller checks
 * ids given as flags).  Returns the exit status.
 */
int gen_wizard(struct gen_args *g, const struct provider_set *ps, bool tty);

#endif
