// SPDX-License-Identifier: MIT
/* libFuzzer target: certificate loading (DER, PEM, PEM bundle) of arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "attest/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_list l = { 0 };
	char err[256] = "", cn[X509_CN_MAX];
	uint8_t fp[X509_SHA256_LEN];
	time_t nb, na;

	if (x509_list_add_buffer(&l, data, size, err, sizeof(err)) < 0) {
		if (!err[0])
			__builtin_trap();       /* an error must say what is wrong */
		return 0;
	}
	for (size_t i = 0; i < l.n; i++) {
		(void)x509_sha256(l.certs[i], fp);
		(void)x509_subject_cn(l.certs[i], cn, sizeof(cn));
		(void)x509_validity(l.certs[i], &nb, &na);
		(void)x509_valid_at(l.certs[i], 0, err, sizeof(err));
		(void)x509_signed_by(l.certs[i], l.certs[i], err, sizeof(err));
	}
	x509_list_free(&l);
	return 0;
}
