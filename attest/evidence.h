/* SPDX-License-Identifier: MIT */
/*
 * Getting evidence for a statement: the `--tee auto|snp|tdx|sim` choice
 * between configfs-tsm, the /dev/sev-guest and /dev/tdx_guest fallbacks and
 * the software simulator, and turning what they return into an evidence
 * bundle (docs/attestation.md).
 */
#ifndef KETTLE_ATTEST_EVIDENCE_H
#define KETTLE_ATTEST_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/bundle.h"
#include "attest/report_data.h"

enum tee_choice { TEE_AUTO, TEE_SNP, TEE_TDX, TEE_SIM };

/* Where the interfaces are; tests point them at fakes. */
struct evidence_paths {
	const char *tsm_root;           /* $KETTLE_TSM_ROOT, else /sys/kernel/config/tsm/report */
	const char *sev_device;         /* $KETTLE_SEV_DEVICE, else /dev/sev-guest */
	const char *tdx_device;         /* $KETTLE_TDX_DEVICE, else /dev/tdx_guest */
	const char *sim_dir;            /* $KETTLE_SIM_DIR, else /var/lib/kettle/sim (root) or
					   ~/.local/state/kettle/sim */
};

struct attest_request {
	const char *statement_path;
	const char *bundle_path;
	enum tee_choice tee;
	bool has_nonce;
	uint8_t nonce[NONCE_LEN];
	/* SPKI DER of the session key to bind (report_data layout 2); NULL: layout 1 */
	const uint8_t *signing_key;
	size_t signing_key_len;
	struct evidence_paths paths;
};

/* "auto", "snp", "tdx", "sim"; 0, or -1 when NAME is none of them. */
int tee_choice_parse(const char *name, enum tee_choice *out);
/* Fills every path left NULL from the environment or the defaults. */
void evidence_paths_default(struct evidence_paths *p);

/*
 * Asks the chosen TEE for a report over REPORT_DATA and stores the platform,
 * the report or quote and its certificates in B.  `auto` takes real
 * hardware when there is any and falls back to the simulator with a loud
 * notice on stderr.  Refuses evidence whose report_data is not the one
 * asked for.  0, or -1 with a one-line ERR.
 */
int evidence_get(enum tee_choice tee, const struct evidence_paths *paths,
		 const uint8_t report_data[REPORT_DATA_LEN], struct bundle *b, char *err, size_t errlen);

/*
 * The whole of `kettle attest`: reads the statement, builds report_data,
 * gets evidence, writes the bundle.  Progress on stderr; SIMULATED said
 * there when it is.  0, or -1 with a one-line ERR.
 */
int attest_statement(const struct attest_request *req, struct bundle *out, char *err, size_t errlen);

#endif
