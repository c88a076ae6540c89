/* SPDX-License-Identifier: MIT */
/*
 * SEV-SNP evidence from the sev-guest driver's character device, for
 * kernels without configfs-tsm: SNP_GET_EXT_REPORT (report + the host's
 * certificate table), else SNP_GET_REPORT (report only).
 */
#ifndef KETTLE_ATTEST_SEV_GUEST_H
#define KETTLE_ATTEST_SEV_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/report_data.h"

#define SEV_GUEST_DEFAULT_DEVICE "/dev/sev-guest"
#define SEV_GUEST_REPORT_SIZE    1184
#define SEV_GUEST_CERTS_MAX      (64u << 10)

struct sev_guest_evidence {
	uint8_t report[SEV_GUEST_REPORT_SIZE];
	uint8_t *certs;                 /* the GHCB certificate table; NULL without one */
	size_t certs_len;
	bool extended;                  /* SNP_GET_EXT_REPORT worked */
};

/* 0, or -1 with a one-line ERR naming the device and what failed. */
int sev_guest_get_evidence(const char *device, const uint8_t report_data[REPORT_DATA_LEN],
			   struct sev_guest_evidence *out, char *err, size_t errlen);
void sev_guest_evidence_free(struct sev_guest_evidence *e);

#endif
