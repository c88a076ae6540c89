// SPDX-License-Identifier: MIT
/* libFuzzer target: the query names of arbitrary bytes sent to port 53, over UDP and TCP. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log/dns_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_query q;
	char err[256];

	for (int tcp = 0; tcp < 2; tcp++) {
		err[0] = '\0';
		if (dns_parse_query(data, size, tcp, &q, err, sizeof(err)) == 0) {
			if (q.nnames == 0 || q.nnames > DNS_QUESTIONS_MAX)
				__builtin_trap();
			for (uint32_t i = 0; i < q.nnames; i++)
				if (strlen(q.names[i]) >= DNS_TEXT_MAX || !q.names[i][0])
					__builtin_trap();
		} else if (!err[0]) {
			__builtin_trap();       /* an error must say what is wrong */
		}
	}
	return 0;
}
