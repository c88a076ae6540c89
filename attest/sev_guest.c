// SPDX-License-Identifier: MIT
/* SEV-SNP evidence through /dev/sev-guest. */
#include "attest/sev_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/sev-guest.h>

#define PAGE 4096u
#define FIRST_CERTS_LEN (4 * PAGE)
#define MSG_REPORT_HEADER 32    /* MSG_REPORT_RSP: status, report_size, 24 reserved bytes */

/* The response of SNP_GET_(EXT_)REPORT: status, size, then the report. */
static int take_report(const struct snp_report_resp *resp, const char *device, uint8_t *out,
		       char *err, size_t errlen)
{
	uint32_t status, size;

	memcpy(&status, resp->data, 4);
	memcpy(&size, resp->data + 4, 4);
	if (status) {
		snprintf(err, errlen, "%s: the firmware refused the report request (status 0x%x)", device, status);
		return -1;
	}
	if (size != SEV_GUEST_REPORT_SIZE) {
		snprintf(err, errlen, "%s: report of %u bytes, expected %d", device, size, SEV_GUEST_REPORT_SIZE);
		return -1;
	}
	memcpy(out, resp->data + MSG_REPORT_HEADER, SEV_GUEST_REPORT_SIZE);
	return 0;
}

/* SNP_GET_EXT_REPORT; 1 when the driver has no extended reports (caller falls back). */
static int ext_report(int fd, const char *device, const uint8_t rd[REPORT_DATA_LEN],
		      struct sev_guest_evidence *out, char *err, size_t errlen)
{
	struct snp_ext_report_req req;
	struct snp_report_resp resp;
	struct snp_guest_request_ioctl io;
	uint32_t len = FIRST_CERTS_LEN;

	for (int round = 0; round < 2; round++) {
		uint8_t *certs = aligned_alloc(PAGE, len);

		if (!certs) {
			snprintf(err, errlen, "%s: out of memory", device);
			return -1;
		}
		memset(certs, 0, len);
		memset(&req, 0, sizeof(req));
		memset(&resp, 0, sizeof(resp));
		memcpy(req.data.user_data, rd, REPORT_DATA_LEN);
		req.certs_address = (uint64_t)(uintptr_t)certs;
		req.certs_len = len;
		io = (struct snp_guest_request_ioctl){ .msg_version = 1,
			.req_data = (uint64_t)(uintptr_t)&req, .resp_data = (uint64_t)(uintptr_t)&resp };
		if (ioctl(fd, SNP_GET_EXT_REPORT, &io) == 0) {
			if (take_report(&resp, device, out->report, err, errlen)) {
				free(certs);
				return -1;
			}
			out->certs = certs;
			out->certs_len = len;
			out->extended = true;
			return 0;
		}
		free(certs);
		/* The host's certificates need more room: the driver says how much. */
		if (errno == EINVAL && io.vmm_error == SNP_GUEST_VMM_ERR_INVALID_LEN && round == 0 &&
		    req.certs_len > len && req.certs_len <= SEV_GUEST_CERTS_MAX) {
			len = (req.certs_len + PAGE - 1) / PAGE * PAGE;
			continue;
		}
		break;
	}
	return 1;
}

int sev_guest_get_evidence(const char *device, const uint8_t report_data[REPORT_DATA_LEN],
			   struct sev_guest_evidence *out, char *err, size_t errlen)
{
	struct snp_report_req req;
	struct snp_report_resp resp;
	struct snp_guest_request_ioctl io;
	int fd, r;

	memset(out, 0, sizeof(*out));
	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", device, strerror(errno));
		return -1;
	}
	r = ext_report(fd, device, report_data, out, err, errlen);
	if (r <= 0) {
		close(fd);
		return r;
	}
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	memcpy(req.user_data, report_data, REPORT_DATA_LEN);
	io = (struct snp_guest_request_ioctl){ .msg_version = 1,
		.req_data = (uint64_t)(uintptr_t)&req, .resp_data = (uint64_t)(uintptr_t)&resp };
	if (ioctl(fd, SNP_GET_REPORT, &io)) {
		snprintf(err, errlen, "%s: SNP_GET_REPORT failed: %s (firmware error 0x%x, VMM error 0x%x)",
			 device, strerror(errno), io.fw_error, io.vmm_error);
		close(fd);
		return -1;
	}
	close(fd);
	return take_report(&resp, device, out->report, err, errlen);
}

void sev_guest_evidence_free(struct sev_guest_evidence *e)
{
	free(e->certs);
	memset(e, 0, sizeof(*e));
}
