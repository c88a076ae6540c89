/* SPDX-License-Identifier: MIT */
/*
 * The TDREPORT a TD gets from the TDX module (TDG.MR.REPORT, returned by
 * the TDX_CMD_GET_REPORT0 ioctl of /dev/tdx_guest): 1024 bytes,
 *   [0, 256)    REPORTMACSTRUCT: report type, cpu_svn, SHA-384 of TEE_TCB_INFO,
 *               SHA-384 of TDINFO, report_data, MAC
 *   [256, 495)  TEE_TCB_INFO (239 bytes), then 17 reserved bytes
 *   [512, 1024) TDINFO: attributes, xfam, MRTD, MRCONFIGID, MROWNER,
 *               MROWNERCONFIG, RTMR0-3, SERVTD_HASH, reserved
 * Its MAC is keyed by the CPU and can be checked only on the platform that
 * made it (TDG.MR.VERIFYREPORT / the quoting enclave): off the platform a
 * TDREPORT proves nothing by itself; it becomes evidence once the quoting
 * enclave turns it into a signed quote. What can be checked anywhere is
 * that its two hashes agree with its contents.
 */
#ifndef KETTLE_ATTEST_TDX_REPORT_H
#define KETTLE_ATTEST_TDX_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "attest/check.h"

#define TDX_TDREPORT_SIZE         1024
#define TDX_TDREPORT_TYPE_TDX     0x81

struct tdx_tdreport {
	/* REPORTMACSTRUCT */
	uint8_t report_type;            /* 0x81 = TDX */
	uint8_t report_subtype;
	uint8_t report_version;         /* 0 = TDX 1.0, 1 = TDX 1.5 (SERVTD_HASH in use) */
	uint8_t cpu_svn[16];
	uint8_t tee_tcb_info_hash[48];
	uint8_t tee_info_hash[48];
	uint8_t report_data[64];
	uint8_t mac[32];
	/* TEE_TCB_INFO */
	uint8_t tcb_valid[8];
	uint8_t tee_tcb_svn[16];
	uint8_t mrseam[48];
	uint8_t mrsignerseam[48];
	uint8_t seam_attributes[8];
	uint8_t tee_tcb_svn2[16];
	/* TDINFO */
	uint8_t td_attributes[8];
	uint8_t xfam[8];
	uint8_t mrtd[48];
	uint8_t mrconfigid[48];
	uint8_t mrowner[48];
	uint8_t mrownerconfig[48];
	uint8_t rtmr[4][48];
	uint8_t servtd_hash[48];
};

/*
 * Parses a TDREPORT of exactly TDX_TDREPORT_SIZE bytes. Returns 0, or -1
 * with a one-line ERR (wrong size, report type not TDX).
 */
int tdx_tdreport_parse(const uint8_t *buf, size_t len, struct tdx_tdreport *r,
		       char *err, size_t errlen);

/*
 * Appends the checks a TDREPORT allows off the platform to L:
 * "tdx.tdreport.tee_tcb_info_hash" (SHA-384 of bytes [256, 495)) and
 * "tdx.tdreport.tee_info_hash" (SHA-384 of bytes [512, 1024)), plus a
 * note that the MAC was not checked. BUF is the parsed report's 1024 bytes.
 * Returns true when both hashes match.
 */
bool tdx_tdreport_check(const uint8_t *buf, struct check_list *l);

json_t *tdx_tdreport_to_json(const struct tdx_tdreport *r);
void tdx_tdreport_print(const struct tdx_tdreport *r, FILE *out);

#endif
