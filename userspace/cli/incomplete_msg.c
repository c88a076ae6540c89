// SPDX-License-Identifier: MIT
/* How run and provenance say why a provenance is incomplete. */
#include <inttypes.h>
#include <stdio.h>

#include "cli/commands.h"
#include "provenance/provenance.h"

void cli_print_incomplete(const char *cmd, const struct provenance_facts *x, const char *hint)
{
	uint64_t shown = x->nreasons < PROVENANCE_REASON_LINES ? x->nreasons : PROVENANCE_REASON_LINES;

	fprintf(stderr, "%s: the provenance is incomplete: %" PRIu64 " reason%s (all of them are in its"
		" byproducts, completeness.reasons)%s%s%s\n", cmd, x->nreasons, x->nreasons == 1 ? "" : "s",
		hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	for (uint64_t i = 0; i < shown; i++)
		fprintf(stderr, "%s:   %s\n", cmd, x->reason_lines[i]);
	if (x->nreasons > shown)
		fprintf(stderr, "%s:   ... and %" PRIu64 " more\n", cmd, x->nreasons - shown);
}
