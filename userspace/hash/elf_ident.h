/* SPDX-License-Identifier: MIT */
/*
 * Identity of an executed file (docs/elf-identity.md): for an ELF file its
 * kind, machine, GNU build-id, PT_INTERP and dynamic-section names; for a
 * "#!" script the interpreter line exactly as the kernel parses it.
 * Every byte is untrusted: bounded, checked, never crashes.
 */
#ifndef KETTLE_ELF_IDENT_H
#define KETTLE_ELF_IDENT_H

#include <stdbool.h>
#include <stddef.h>

#define ELF_IDENT_BUILD_ID_MAX  64      /* bytes; GNU ld writes 8 (xx), 16 (md5/uuid) or 20 (sha1) */
#define ELF_IDENT_NEEDED_MAX    4096    /* DT_NEEDED entries */
#define ELF_IDENT_SCRIPT_BUF    256     /* the kernel's BINPRM_BUF_SIZE (Linux >= 5.1) */

enum elf_ident_kind {
	ELF_IDENT_OTHER = 0,    /* neither ELF nor "#!" (or an ELF e_type we do not name) */
	ELF_IDENT_EXEC,         /* ET_EXEC: position-dependent executable */
	ELF_IDENT_PIE,          /* ET_DYN with DF_1_PIE, or with PT_INTERP and no DT_SONAME */
	ELF_IDENT_SHARED,       /* any other ET_DYN: shared object, ld.so */
	ELF_IDENT_REL,          /* ET_REL: object file */
	ELF_IDENT_CORE,         /* ET_CORE */
	ELF_IDENT_SCRIPT,       /* "#!" interpreter script */
};

struct elf_ident {
	enum elf_ident_kind kind;
	/* ELF only; zero / empty / NULL when absent */
	unsigned elf_class;             /* 32 or 64 */
	unsigned machine;               /* e_machine (EM_X86_64, ...) */
	bool big_endian;
	char build_id[2 * ELF_IDENT_BUILD_ID_MAX + 1];  /* lowercase hex of NT_GNU_BUILD_ID */
	char *interp;                   /* PT_INTERP */
	char *soname;                   /* DT_SONAME */
	char *runpath;                  /* DT_RUNPATH */
	char *rpath;                    /* DT_RPATH */
	char **needed;                  /* DT_NEEDED, in file order */
	size_t nneeded;
	/* scripts only */
	char *script_interp;            /* the interpreter path of the "#!" line */
	char *script_arg;               /* its single optional argument (may contain blanks), or NULL */
	bool script_line_cut;           /* the line went on past the kernel's 255 bytes: the argument is cut */
};

/*
 * Identifies the open regular file FD (read with pread, never mapped, so a
 * file truncated meanwhile gives an error, not SIGBUS). Returns 0 and fills
 * OUT (free it with elf_ident_free), or -1 with a one-line ERR for a
 * malformed ELF file, a "#!" line the kernel would refuse, or a read error;
 * OUT then holds nothing to free. A file that is neither ELF nor a script is
 * not an error: kind ELF_IDENT_OTHER.
 */
int elf_ident_file(int fd, struct elf_ident *out, char *err, size_t errlen);
/* The same for LEN bytes in memory (not modified). */
int elf_ident_buffer(const void *buf, size_t len, struct elf_ident *out, char *err, size_t errlen);
/* Frees what OUT owns and zeroes it; safe on a zeroed or already freed OUT. */
void elf_ident_free(struct elf_ident *out);

/* "exec", "pie", "shared", "rel", "core", "script" or "other". */
const char *elf_ident_kind_name(enum elf_ident_kind kind);
/* "x86-64", "aarch64", ... for common machines, NULL for the rest. */
const char *elf_ident_machine_name(unsigned machine);

#endif
