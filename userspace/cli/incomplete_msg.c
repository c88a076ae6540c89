// SPDX-License-Identifier: MIT
/* How run and provenance say why a provenance is incomplete. */
#include <inttypes.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "provenance/provenance.h"

/* The reasons' lines, and how many more there are. */
static void reason_lines(const char *cmd, const struct provenance_facts *x)
{
	uint64_t shown = x->nreasons < PROVENANCE_REASON_LINES ? x->nreasons : PROVENANCE_REASON_LINES;

	for (uint64_t i = 0; i < shown; i++)
		cli_err(cmd, "  %s", x->reason_lines[i]);
	if (x->nreasons > shown)
		cli_err(cmd, "  ... and %" PRIu64 " more", x->nreasons - shown);
}

void cli_print_incomplete(const char *cmd, const struct provenance_facts *x, const char *hint)
{
	cli_err(cmd, "the provenance is incomplete: %" PRIu64 " reason%s (all of them are in its"
		" byproducts, completeness.reasons)%s%s%s", x->nreasons, x->nreasons == 1 ? "" : "s",
		hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	reason_lines(cmd, x);
}

void cli_print_unrecorded(const char *cmd, const struct provenance_facts *x)
{
	cli_err(cmd, "the record also lacks what it would need to be complete: %" PRIu64 " reason%s",
		x->nreasons, x->nreasons == 1 ? "" : "s");
	reason_lines(cmd, x);
}
