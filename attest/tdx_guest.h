/* SPDX-License-Identifier: MIT */
/*
 * A TDREPORT from the tdx-guest driver's character device, for kernels
 * without configfs-tsm.  A TDREPORT is MAC'd with a key of this CPU and can
 * be checked only on this platform: it is not evidence for a remote
 * verifier.  A verifiable TDX quote needs configfs-tsm (Linux 6.7+) or a
 * quote generation service (Intel QGS) to turn the TDREPORT into a quote.
 */
#ifndef KETTLE_ATTEST_TDX_GUEST_H
#define KETTLE_ATTEST_TDX_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "attest/report_data.h"

#define TDX_GUEST_DEFAULT_DEVICE "/dev/tdx_guest"
#define TDX_GUEST_TDREPORT_SIZE  1024

/* 0, or -1 with a one-line ERR naming the device and what failed. */
int tdx_guest_get_tdreport(const char *device, const uint8_t report_data[REPORT_DATA_LEN],
			   uint8_t tdreport[TDX_GUEST_TDREPORT_SIZE], char *err, size_t errlen);

#endif
