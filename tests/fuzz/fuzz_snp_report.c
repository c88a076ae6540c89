// SPDX-License-Identifier: MIT
/* libFuzzer target: SEV-SNP report parsing (binary or hex), the reserved-byte check, JSON and text output, and verification without certificates. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "attest/snp_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snp_report r;
	static struct check_list checks;
	static struct snp_verified v;
	uint8_t raw[SNP_REPORT_SIZE];
	struct x509_list none = { 0 };
	struct snp_verify_opts o = { .now = 1700000000 };
	char err[256] = "";
	json_t *j;
	FILE *devnull;

	if (snp_report_from_bytes(data, size, raw, err, sizeof(err)) < 0) {
		if (!err[0])
			__builtin_trap();       /* an error must say what is wrong */
		return 0;
	}
	if (snp_report_parse(raw, sizeof(raw), &r, err, sizeof(err)) < 0) {
		if (!err[0])
			__builtin_trap();
		return 0;
	}
	(void)snp_report_reserved_zero(&r, err, sizeof(err));
	j = snp_report_to_json(&r, snp_report_cpuid_product(&r));
	json_decref(j);
	devnull = fopen("/dev/null", "w");
	if (devnull) {
		snp_report_print(devnull, &r, SNP_PRODUCT_TURIN);
		fclose(devnull);
	}
	checks.n = 0;
	checks.dropped = 0;
	if (snp_verify(raw, sizeof(raw), &none, &o, &checks, &v))
		__builtin_trap();       /* nothing verifies without certificates */
	return 0;
}
