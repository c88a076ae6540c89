/* SPDX-License-Identifier: MIT */
/*
 * Evidence from the kernel's configfs-tsm report interface
 * (Documentation/ABI/testing/configfs-tsm-report, Linux 6.7+):
 * one entry directory per request under the report root, the 64 bytes of
 * report_data written to `inblob`, the report or quote read from `outblob`
 * (and `auxblob`: the SNP certificate table), `provider` naming the format.
 */
#ifndef KETTLE_ATTEST_TSM_H
#define KETTLE_ATTEST_TSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/report_data.h"

#define TSM_DEFAULT_ROOT  "/sys/kernel/config/tsm/report"
#define TSM_PROVIDER_MAX  32
#define TSM_OUTBLOB_MAX   (64u << 10)
#define TSM_AUXBLOB_MAX   (64u << 10)
#define TSM_NO_PROVIDER   (-2)
#define TSM_ATTEMPTS      3     /* requests made before giving up on a moving generation */

struct tsm_evidence {
	char provider[TSM_PROVIDER_MAX];  /* "sev_guest", "tdx_guest", ... as the kernel says */
	uint8_t *outblob;
	size_t outlen;
	uint8_t *auxblob;                 /* NULL when the entry has no auxblob */
	size_t auxlen;
	unsigned attempts;                /* requests it took (more than 1: another writer interfered) */
};

/* True when ROOT is a directory, i.e. the kernel offers configfs-tsm reports. */
bool tsm_present(const char *root);

/*
 * Makes a report entry under ROOT, asks for a report over REPORT_DATA and
 * reads it back, checking that `generation` advanced by exactly our one
 * write (else another writer raced us: retried up to TSM_ATTEMPTS times).
 * Removes the entry it created.  Returns 0, TSM_NO_PROVIDER when the kernel
 * has the interface but no TEE behind it, or -1; both with a one-line ERR.
 */
int tsm_get_evidence(const char *root, const uint8_t report_data[REPORT_DATA_LEN],
		     struct tsm_evidence *out, char *err, size_t errlen);

void tsm_evidence_free(struct tsm_evidence *e);

#endif
