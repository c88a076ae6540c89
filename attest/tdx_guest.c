// SPDX-License-Identifier: MIT
/* A TDREPORT through /dev/tdx_guest. */
#include "attest/tdx_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/types.h>

/*
 * The ABI of include/uapi/linux/tdx-guest.h (Linux 6.2+).  Debian 12's
 * linux-libc-dev (6.1) does not ship that header, so it is restated here;
 * the kernel keeps uapi structures stable.
 */
struct kettle_tdx_report_req {
	__u8 reportdata[64];
	__u8 tdreport[1024];
};

#define KETTLE_TDX_CMD_GET_REPORT0 _IOWR('T', 1, struct kettle_tdx_report_req)

int tdx_guest_get_tdreport(const char *device, const uint8_t report_data[REPORT_DATA_LEN],
			   uint8_t tdreport[TDX_GUEST_TDREPORT_SIZE], char *err, size_t errlen)
{
	struct kettle_tdx_report_req req;
	int fd = open(device, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", device, strerror(errno));
		return -1;
	}
	memset(&req, 0, sizeof(req));
	memcpy(req.reportdata, report_data, REPORT_DATA_LEN);
	if (ioctl(fd, KETTLE_TDX_CMD_GET_REPORT0, &req)) {
		snprintf(err, errlen, "%s: TDX_CMD_GET_REPORT0 failed: %s", device, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	memcpy(tdreport, req.tdreport, TDX_GUEST_TDREPORT_SIZE);
	return 0;
}
