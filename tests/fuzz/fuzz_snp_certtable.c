// SPDX-License-Identifier: MIT
/* libFuzzer target: the SNP extended-report certificate table and the certificates it points at. */
#include <stddef.h>
#include <stdint.h>

#include "attest/snp_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snp_certtable t;
	struct x509_list l = { 0 };
	char err[256] = "";

	if (snp_certtable_parse(data, size, &t, err, sizeof(err)) < 0) {
		if (!err[0])
			__builtin_trap();       /* an error must say what is wrong */
		return 0;
	}
	for (size_t i = 0; i < t.n; i++) {
		/* every entry lies inside the input */
		if (t.entries[i].data < data || t.entries[i].data + t.entries[i].length > data + size)
			__builtin_trap();
		(void)snp_cert_kind_name(t.entries[i].kind);
	}
	(void)snp_certtable_to_x509(&t, &l, err, sizeof(err));
	x509_list_free(&l);
	return 0;
}
