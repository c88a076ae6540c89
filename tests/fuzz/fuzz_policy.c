// SPDX-License-Identifier: MIT
/* libFuzzer target: policy JSON is accepted or rejected with an error, never a crash. */
#include <stdint.h>
#include <string.h>

#include "attest/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mr[48], attrs[8], svn[16];
	struct policy p;
	char err[256];

	if (policy_parse((const char *)data, size, &p, err, sizeof(err)) == 0) {
		struct check_list l = { 0 };
		struct policy_facts snp = { .platform = PLATFORM_SEV_SNP, .measurement = mr,
					    .tcb = { 1, 1, 1, 1, -1 } };
		struct policy_facts tdx = { .platform = PLATFORM_TDX, .mrtd = mr,
					    .rtmr = { mr, mr, mr, mr }, .td_attributes = attrs,
					    .tee_tcb_svn = svn };

		policy_check(&p, &snp, &l);
		policy_check(&p, &tdx, &l);
		policy_free(&p);
	} else if (!err[0]) {
		__builtin_trap();
	}
	return 0;
}
