// SPDX-License-Identifier: MIT
/* libFuzzer target: ELF and "#!" identity of arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hash/elf_ident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_ident id;
	char err[256];

	if (elf_ident_buffer(data, size, &id, err, sizeof(err)) == 0) {
		/* touch every result so ASan sees a bad pointer or length */
		for (size_t i = 0; i < id.nneeded; i++)
			(void)strlen(id.needed[i]);
		(void)(id.interp && strlen(id.interp));
		(void)(id.soname && strlen(id.soname));
		(void)(id.runpath && strlen(id.runpath));
		(void)(id.rpath && strlen(id.rpath));
		(void)(id.script_interp && strlen(id.script_interp));
		(void)(id.script_arg && strlen(id.script_arg));
		elf_ident_free(&id);
	} else if (!err[0]) {
		__builtin_trap();       /* an error must say what is wrong */
	}
	return 0;
}
