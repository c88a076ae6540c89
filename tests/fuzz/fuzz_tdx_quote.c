// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: TDX quote parsing, showing and verification of
 * arbitrary bytes, and the TDREPORT parser and hash checks when the input
 * is TDREPORT-sized. Seed it with the vectors (tests/data/vectors/tdx/ *.dat).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "attest/tdx_report.h"
#include "attest/tdx_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdx_quote q;
	struct check_list l = { 0 };
	struct tdx_tdreport r;
	char err[256];

	if (tdx_quote_parse(data, size, &q, err, sizeof(err)) == 0) {
		json_t *j = tdx_quote_to_json(&q);
		FILE *devnull = fopen("/dev/null", "w");

		json_decref(j);
		if (devnull) {
			tdx_quote_print(&q, devnull);
			fclose(devnull);
		}
		/* 2025-01-01: inside the real chains' windows, so mutated quotes reach the deep checks */
		tdx_verify_quote(&q, NULL, 1735689600, &l, NULL);
	} else if (!err[0]) {
		__builtin_trap();       /* an error must say what is wrong */
	}
	if (tdx_tdreport_parse(data, size, &r, err, sizeof(err)) == 0) {
		json_decref(tdx_tdreport_to_json(&r));
		tdx_tdreport_check(data, &l);
	} else if (!err[0]) {
		__builtin_trap();
	}
	return 0;
}
