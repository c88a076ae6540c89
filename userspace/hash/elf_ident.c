// SPDX-License-Identifier: MIT
/*
 * ELF and "#!" identity of an executed file (docs/elf-identity.md).
 *
 * libelf does the header, table and byte-order work; every offset, size and
 * count it hands back comes from the file, so each is checked against the
 * file size here before libelf is asked to read (and allocate) it. Names are
 * found the way the loader finds them: through the program headers
 * (PT_INTERP, PT_DYNAMIC, DT_STRTAB mapped by PT_LOAD), not section names.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "common/grow.h"
#include "common/hex.h"
#include "hash/elf_ident.h"

#define INTERP_MAX      PATH_MAX        /* the kernel refuses a longer PT_INTERP */
#define NAME_MAX_LEN    PATH_MAX        /* DT_NEEDED, DT_SONAME */
#define SEARCH_PATH_MAX (64u * 1024)    /* DT_RUNPATH, DT_RPATH: lists of directories */

#ifndef DF_1_PIE
#define DF_1_PIE 0x08000000
#endif

struct reader {
	Elf *elf;
	uint64_t size;          /* of the file; libelf may not know it */
	GElf_Ehdr eh;
	size_t phnum;
	struct elf_ident *out;
	size_t capneeded;       /* of out->needed */
	char *err;
	size_t errlen;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

#define rfail(r, ...) fail((r)->err, (r)->errlen, __VA_ARGS__)

void elf_ident_free(struct elf_ident *out)
{
	if (!out)
		return;
	free(out->interp);
	free(out->soname);
	free(out->runpath);
	free(out->rpath);
	for (size_t i = 0; i < out->nneeded; i++)
		free(out->needed[i]);
	free(out->needed);
	free(out->script_interp);
	free(out->script_arg);
	memset(out, 0, sizeof(*out));
}

const char *elf_ident_kind_name(enum elf_ident_kind kind)
{
	switch (kind) {
	case ELF_IDENT_EXEC:    return "exec";
	case ELF_IDENT_PIE:     return "pie";
	case ELF_IDENT_SHARED:  return "shared";
	case ELF_IDENT_REL:     return "rel";
	case ELF_IDENT_CORE:    return "core";
	case ELF_IDENT_SCRIPT:  return "script";
	case ELF_IDENT_OTHER:   break;
	}
	return "other";
}

const char *elf_ident_machine_name(unsigned machine)
{
	switch (machine) {
	case EM_386:            return "i386";
	case EM_X86_64:         return "x86-64";
	case EM_ARM:            return "arm";
	case EM_AARCH64:        return "aarch64";
	case EM_RISCV:          return "riscv";
	case EM_PPC:            return "ppc";
	case EM_PPC64:          return "ppc64";
	case EM_S390:           return "s390";
	case EM_MIPS:           return "mips";
	case EM_SPARCV9:        return "sparcv9";
	case 258:               return "loongarch";     /* EM_LOONGARCH, newer than some elf.h */
	case EM_BPF:            return "bpf";
	}
	return NULL;
}

/* ---- "#!" scripts ---------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The kernel's strnchr: stops at the first NUL. */
static char *find_newline(char *s, size_t n)
{
	for (; n-- && *s; s++)
		if (*s == '\n')
			return s;
	return NULL;
}

static char *skip_blanks_until(char *p, char *last)
{
	for (; p <= last; p++)
		if (!is_blank(*p))
			return p;
	return NULL;
}

static bool has_terminator(const char *p, const char *last)
{
	for (; p <= last; p++)
		if (is_blank(*p) || *p == '\0')
			return true;
	return false;
}

/*
 * Mirrors load_script() in fs/binfmt_script.c: the first BINPRM_BUF_SIZE
 * bytes, NUL-padded; the line ends at '\n', at a NUL, or is cut after 255
 * bytes, which the kernel accepts only if the interpreter path ended before.
 */
static int ident_script(const void *head, size_t n, struct elf_ident *out, char *err, size_t errlen)
{
	char buf[ELF_IDENT_SCRIPT_BUF] = { 0 };
	char *last = buf + sizeof(buf) - 1, *cp, *name, *arg = NULL;

	memcpy(buf, head, n < sizeof(buf) ? n : sizeof(buf));
	cp = find_newline(buf, sizeof(buf));
	if (!cp) {
		cp = skip_blanks_until(buf + 2, last);
		if (!cp)
			return fail(err, errlen, "#! line: only blanks in its first %zu bytes", sizeof(buf));
		if (!has_terminator(cp, last))
			return fail(err, errlen, "#! line: interpreter path runs past the kernel's %zu-byte limit "
				    "(execve gives ENOEXEC)", sizeof(buf) - 1);
		out->script_line_cut = memchr(buf, '\0', sizeof(buf) - 1) == NULL;
		cp = last;
	}
	*cp = '\0';
	while (cp > buf && is_blank(cp[-1]))
		*--cp = '\0';
	for (cp = buf + 2; is_blank(*cp); cp++)
		;
	if (*cp == '\0')
		return fail(err, errlen, "#! line names no interpreter");
	name = cp;
	while (*cp && !is_blank(*cp))
		cp++;
	while (is_blank(*cp))
		*cp++ = '\0';
	if (*cp)
		arg = cp;
	out->kind = ELF_IDENT_SCRIPT;
	out->script_interp = strdup(name);
	out->script_arg = arg ? strdup(arg) : NULL;
	if (!out->script_interp || (arg && !out->script_arg))
		return fail(err, errlen, "out of memory");
	return 0;
}

/* ---- ELF: tables -------------------------------------------------------- */

/* N entries of ENTSIZE bytes at OFF lie inside the file. */
static int check_table(struct reader *r, const char *what, uint64_t off, uint64_t n, uint64_t entsize)
{
	if (n == 0)
		return 0;
	if (off > r->size || n > (r->size - off) / entsize)
		return rfail(r, "ELF: %s: %" PRIu64 " entries of %" PRIu64 " bytes at offset %" PRIu64
			     " run past the end of the file (%" PRIu64 " bytes)", what, n, entsize, off, r->size);
	return 0;
}

/* Section 0 holds the real counts when they overflow e_phnum / e_shnum. */
static int read_section0(struct reader *r, GElf_Shdr *sh0)
{
	Elf_Scn *scn = elf_getscn(r->elf, 0);

	if (!scn || !gelf_getshdr(scn, sh0))
		return rfail(r, "ELF: extended numbering but section header 0 is unreadable: %s",
			     elf_errmsg(-1));
	return 0;
}

static int check_entsize(struct reader *r, const char *what, uint64_t n, unsigned entsize, size_t want)
{
	if (n && entsize != want)
		return rfail(r, "ELF: %s entry size %u, expected %zu", what, entsize, want);
	return 0;
}

/*
 * The header tables lie inside the file. libelf clips or drops tables that
 * do not fit, which would make a truncated file look merely small.
 */
static int check_headers(struct reader *r)
{
	size_t shsz = gelf_fsize(r->elf, ELF_T_SHDR, 1, EV_CURRENT);
	size_t phsz = gelf_fsize(r->elf, ELF_T_PHDR, 1, EV_CURRENT);
	uint64_t shnum = r->eh.e_shoff ? r->eh.e_shnum : 0;
	uint64_t phnum = r->eh.e_phoff ? r->eh.e_phnum : 0;
	GElf_Shdr sh0;

	if ((r->eh.e_shoff && shnum == 0) || phnum == PN_XNUM) {
		if (!r->eh.e_shoff)
			return rfail(r, "ELF: e_phnum is PN_XNUM but there are no section headers");
		if (check_table(r, "section header 0", r->eh.e_shoff, 1, shsz) || read_section0(r, &sh0))
			return -1;
		if (shnum == 0)
			shnum = sh0.sh_size;
		if (phnum == PN_XNUM)
			phnum = sh0.sh_info;
	}
	if (check_entsize(r, "section header", shnum, r->eh.e_shentsize, shsz) ||
	    check_entsize(r, "program header", phnum, r->eh.e_phentsize, phsz) ||
	    check_table(r, "section headers", r->eh.e_shoff, shnum, shsz) ||
	    check_table(r, "program headers", r->eh.e_phoff, phnum, phsz))
		return -1;
	r->phnum = phnum;
	return 0;
}

static int get_phdr(struct reader *r, size_t i, GElf_Phdr *ph)
{
	if (!gelf_getphdr(r->elf, (int)i, ph))
		return rfail(r, "ELF: program header %zu: %s", i, elf_errmsg(-1));
	return 0;
}

/* Bytes [OFF, OFF+SIZE) of the file, converted to TYPE; checked first, so libelf never over-allocates. */
static Elf_Data *get_chunk(struct reader *r, const char *what, uint64_t off, uint64_t size, Elf_Type type)
{
	Elf_Data *d;

	if (off > r->size || size > r->size - off) {
		rfail(r, "ELF: %s: %" PRIu64 " bytes at offset %" PRIu64 " run past the end of the file (%"
		      PRIu64 " bytes)", what, size, off, r->size);
		return NULL;
	}
	d = elf_getdata_rawchunk(r->elf, (int64_t)off, size, type);
	if (!d)
		rfail(r, "ELF: %s at offset %" PRIu64 ": %s", what, off, elf_errmsg(-1));
	return d;
}

/* ---- ELF: PT_INTERP ------------------------------------------------------ */

/* As load_elf_binary(): the first PT_INTERP, 2..PATH_MAX bytes ending in NUL. */
static int read_interp(struct reader *r, const GElf_Phdr *ph)
{
	Elf_Data *d;
	const char *s;

	if (ph->p_filesz < 2 || ph->p_filesz > INTERP_MAX)
		return rfail(r, "ELF: PT_INTERP of %" PRIu64 " bytes (kernel accepts 2..%d)",
			     (uint64_t)ph->p_filesz, INTERP_MAX);
	d = get_chunk(r, "PT_INTERP", ph->p_offset, ph->p_filesz, ELF_T_BYTE);
	if (!d)
		return -1;
	s = d->d_buf;
	if (s[d->d_size - 1] != '\0')
		return rfail(r, "ELF: PT_INTERP is not NUL-terminated");
	r->out->interp = strdup(s);
	return r->out->interp ? 0 : rfail(r, "out of memory");
}

/* ---- ELF: notes ------------------------------------------------------------ */

static bool is_build_id(const Elf_Data *d, const GElf_Nhdr *nh, size_t name_off)
{
	return nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == sizeof(ELF_NOTE_GNU) &&
	       memcmp((const char *)d->d_buf + name_off, ELF_NOTE_GNU, sizeof(ELF_NOTE_GNU)) == 0;
}

static int take_build_id(struct reader *r, const Elf_Data *d, const GElf_Nhdr *nh, size_t desc_off)
{
	if (nh->n_descsz == 0 || nh->n_descsz > ELF_IDENT_BUILD_ID_MAX)
		return rfail(r, "ELF: build-id note of %" PRIu32 " bytes (accepted: 1..%d)",
			     (uint32_t)nh->n_descsz, ELF_IDENT_BUILD_ID_MAX);
	hex_encode((const uint8_t *)d->d_buf + desc_off, nh->n_descsz, r->out->build_id);
	return 0;
}

/*
 * Walks the notes in SIZE bytes at OFF; the first GNU build-id wins.
 * gelf_getnote() bounds each name and descriptor by the chunk; a stop with
 * a whole header's worth of bytes left means a note claimed more than there is.
 */
static int scan_notes(struct reader *r, const char *what, uint64_t off, uint64_t size, uint64_t align)
{
	Elf_Type type = align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR;
	size_t pos = 0, next, name_off, desc_off;
	GElf_Nhdr nh;
	Elf_Data *d;

	if (size == 0)
		return 0;
	d = get_chunk(r, what, off, size, type);
	if (!d)
		return -1;
	while (pos < d->d_size && (next = gelf_getnote(d, pos, &nh, &name_off, &desc_off)) > 0) {
		if (!r->out->build_id[0] && is_build_id(d, &nh, name_off) &&
		    take_build_id(r, d, &nh, desc_off))
			return -1;
		pos = next;
	}
	if (pos < d->d_size && d->d_size - pos >= sizeof(GElf_Nhdr))
		return rfail(r, "ELF: %s at offset %" PRIu64 ": note at +%zu claims more than the %zu bytes left",
			     what, off, pos, d->d_size - pos);
	return 0;
}

static int scan_note_segments(struct reader *r)
{
	GElf_Phdr ph;

	for (size_t i = 0; i < r->phnum; i++) {
		if (get_phdr(r, i, &ph))
			return -1;
		if (ph.p_type == PT_NOTE && scan_notes(r, "PT_NOTE", ph.p_offset, ph.p_filesz, ph.p_align))
			return -1;
	}
	return 0;
}

/* Object files and separate debug files carry their notes in sections only. */
static int scan_note_sections(struct reader *r)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(r->elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh))
			return rfail(r, "ELF: section %zu: %s", elf_ndxscn(scn), elf_errmsg(-1));
		if (sh.sh_type == SHT_NOTE && !r->out->build_id[0] &&
		    scan_notes(r, "SHT_NOTE section", sh.sh_offset, sh.sh_size, sh.sh_addralign))
			return -1;
	}
	return 0;
}

/* ---- ELF: dynamic section -------------------------------------------------- */

struct dyn_info {
	Elf_Data *dyn;
	size_t n;               /* entries before DT_NULL */
	uint64_t strtab, strsz, flags_1;
	bool has_strtab, has_strsz, has_names;
};

/* File offset and bytes available of virtual address ADDR, through the PT_LOAD that maps it. */
static int map_vaddr(struct reader *r, uint64_t addr, uint64_t *off, uint64_t *avail)
{
	GElf_Phdr ph;

	for (size_t i = 0; i < r->phnum; i++) {
		if (get_phdr(r, i, &ph))
			return -1;
		if (ph.p_type == PT_LOAD && addr >= ph.p_vaddr && addr - ph.p_vaddr < ph.p_filesz) {
			*off = ph.p_offset + (addr - ph.p_vaddr);
			*avail = ph.p_filesz - (addr - ph.p_vaddr);
			if (*off < ph.p_offset)
				break;
			return 0;
		}
	}
	return rfail(r, "ELF: DT_STRTAB address 0x%" PRIx64 " is in no PT_LOAD segment of the file", addr);
}

static int scan_dyn_tags(struct reader *r, struct dyn_info *di)
{
	GElf_Dyn dyn;
	size_t count = di->dyn->d_size / gelf_fsize(r->elf, ELF_T_DYN, 1, EV_CURRENT);

	for (di->n = 0; di->n < count; di->n++) {
		if (!gelf_getdyn(di->dyn, (int)di->n, &dyn))
			return rfail(r, "ELF: dynamic entry %zu: %s", di->n, elf_errmsg(-1));
		switch (dyn.d_tag) {
		case DT_NULL:
			return 0;
		case DT_STRTAB:
			di->strtab = dyn.d_un.d_ptr;
			di->has_strtab = true;
			break;
		case DT_STRSZ:
			di->strsz = dyn.d_un.d_val;
			di->has_strsz = true;
			break;
		case DT_FLAGS_1:
			di->flags_1 = dyn.d_un.d_val;
			break;
		case DT_NEEDED: case DT_SONAME: case DT_RUNPATH: case DT_RPATH:
			di->has_names = true;
			break;
		}
	}
	return 0;
}

static Elf_Data *get_strtab(struct reader *r, const struct dyn_info *di)
{
	uint64_t off = 0, avail = 0, size;

	if (!di->has_strtab) {
		rfail(r, "ELF: dynamic section names strings but has no DT_STRTAB");
		return NULL;
	}
	if (map_vaddr(r, di->strtab, &off, &avail))
		return NULL;
	size = di->has_strsz ? di->strsz : avail;
	if (size > avail) {
		rfail(r, "ELF: DT_STRSZ %" PRIu64 " runs past its PT_LOAD segment (%" PRIu64 " bytes left)",
		      size, avail);
		return NULL;
	}
	return get_chunk(r, "DT_STRTAB", off, size, ELF_T_BYTE);
}

/* A copy of the string at offset VAL of STRTAB, at most MAX bytes long. */
static char *dyn_string(struct reader *r, const Elf_Data *strtab, uint64_t val, size_t max, const char *tag)
{
	const char *s = strtab->d_buf, *nul;
	char *copy;

	if (val >= strtab->d_size) {
		rfail(r, "ELF: %s string offset %" PRIu64 " is outside DT_STRTAB (%zu bytes)",
		      tag, val, strtab->d_size);
		return NULL;
	}
	nul = memchr(s + val, '\0', strtab->d_size - val);
	if (!nul) {
		rfail(r, "ELF: %s string at offset %" PRIu64 " is not NUL-terminated in DT_STRTAB", tag, val);
		return NULL;
	}
	if ((size_t)(nul - (s + val)) > max) {
		rfail(r, "ELF: %s string of %zu bytes (limit %zu)", tag, (size_t)(nul - (s + val)), max);
		return NULL;
	}
	copy = strdup(s + val);
	if (!copy)
		rfail(r, "out of memory");
	return copy;
}

static int add_needed(struct reader *r, char *name)
{
	struct elf_ident *o = r->out;

	if (o->nneeded == ELF_IDENT_NEEDED_MAX) {
		free(name);
		return rfail(r, "ELF: more than %d DT_NEEDED entries", ELF_IDENT_NEEDED_MAX);
	}
	if (grow_array((void **)&o->needed, &r->capneeded, o->nneeded + 1, sizeof(*o->needed), 1)) {
		free(name);
		return rfail(r, "out of memory");
	}
	o->needed[o->nneeded++] = name;
	return 0;
}

/* The first of each singular tag counts, as in readelf's summary. */
static int set_once(struct reader *r, char **slot, const Elf_Data *strtab, uint64_t val, size_t max,
		    const char *tag)
{
	if (*slot)
		return 0;
	*slot = dyn_string(r, strtab, val, max, tag);
	return *slot ? 0 : -1;
}

static int take_dyn_name(struct reader *r, const Elf_Data *strtab, const GElf_Dyn *dyn)
{
	char *s;

	switch (dyn->d_tag) {
	case DT_NEEDED:
		s = dyn_string(r, strtab, dyn->d_un.d_val, NAME_MAX_LEN, "DT_NEEDED");
		return s ? add_needed(r, s) : -1;
	case DT_SONAME:
		return set_once(r, &r->out->soname, strtab, dyn->d_un.d_val, NAME_MAX_LEN, "DT_SONAME");
	case DT_RUNPATH:
		return set_once(r, &r->out->runpath, strtab, dyn->d_un.d_val, SEARCH_PATH_MAX, "DT_RUNPATH");
	case DT_RPATH:
		return set_once(r, &r->out->rpath, strtab, dyn->d_un.d_val, SEARCH_PATH_MAX, "DT_RPATH");
	}
	return 0;
}

static int read_dynamic(struct reader *r, const GElf_Phdr *ph, uint64_t *flags_1)
{
	size_t entsize = gelf_fsize(r->elf, ELF_T_DYN, 1, EV_CURRENT);
	struct dyn_info di = { 0 };
	Elf_Data *strtab;
	GElf_Dyn dyn;

	di.dyn = get_chunk(r, "PT_DYNAMIC", ph->p_offset, ph->p_filesz / entsize * entsize, ELF_T_DYN);
	if (!di.dyn || scan_dyn_tags(r, &di))
		return -1;
	*flags_1 = di.flags_1;
	if (!di.has_names)
		return 0;
	strtab = get_strtab(r, &di);
	if (!strtab)
		return -1;
	for (size_t i = 0; i < di.n; i++) {
		if (!gelf_getdyn(di.dyn, (int)i, &dyn))
			return rfail(r, "ELF: dynamic entry %zu: %s", i, elf_errmsg(-1));
		if (take_dyn_name(r, strtab, &dyn))
			return -1;
	}
	return 0;
}

/* ---- ELF: the whole file ---------------------------------------------------- */

/* The first PT_INTERP and the first PT_DYNAMIC, as the kernel and ld.so use them. */
static int read_segments(struct reader *r, uint64_t *flags_1)
{
	bool seen_interp = false, seen_dynamic = false;
	GElf_Phdr ph;

	for (size_t i = 0; i < r->phnum; i++) {
		if (get_phdr(r, i, &ph))
			return -1;
		if (ph.p_type == PT_INTERP && !seen_interp) {
			seen_interp = true;
			if (read_interp(r, &ph))
				return -1;
		} else if (ph.p_type == PT_DYNAMIC && !seen_dynamic) {
			seen_dynamic = true;
			if (read_dynamic(r, &ph, flags_1))
				return -1;
		}
	}
	return 0;
}

static enum elf_ident_kind elf_kind_of(const GElf_Ehdr *eh, const struct elf_ident *o, uint64_t flags_1)
{
	switch (eh->e_type) {
	case ET_EXEC:
		return ELF_IDENT_EXEC;
	case ET_DYN:
		if ((flags_1 & DF_1_PIE) || (o->interp && !o->soname))
			return ELF_IDENT_PIE;
		return ELF_IDENT_SHARED;
	case ET_REL:
		return ELF_IDENT_REL;
	case ET_CORE:
		return ELF_IDENT_CORE;
	}
	return ELF_IDENT_OTHER;
}

static int ident_elf(struct reader *r)
{
	struct elf_ident *o = r->out;
	uint64_t flags_1 = 0;

	if (elf_kind(r->elf) != ELF_K_ELF)
		return rfail(r, "ELF: not a readable ELF file: %" PRIu64 " bytes, or unknown class, "
			     "byte order or version", r->size);
	if (!gelf_getehdr(r->elf, &r->eh))
		return rfail(r, "ELF: header: %s", elf_errmsg(-1));
	o->elf_class = r->eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	o->big_endian = r->eh.e_ident[EI_DATA] == ELFDATA2MSB;
	o->machine = r->eh.e_machine;
	if (check_headers(r) || read_segments(r, &flags_1) || scan_note_segments(r))
		return -1;
	if (!o->build_id[0] && scan_note_sections(r))
		return -1;
	o->kind = elf_kind_of(&r->eh, o, flags_1);
	return 0;
}

static void init_libelf(void)
{
	(void)elf_version(EV_CURRENT);
}

static int ident_elf_handle(Elf *elf, uint64_t size, struct elf_ident *out, char *err, size_t errlen)
{
	struct reader r = { .elf = elf, .size = size, .out = out, .err = err, .errlen = errlen };
	int rc;

	if (!elf)
		return fail(err, errlen, "ELF: %s", elf_errmsg(-1));
	rc = ident_elf(&r);
	if (elf_end(elf) != 0 && rc == 0)
		rc = fail(err, errlen, "ELF: elf_end: %s", elf_errmsg(-1));
	return rc;
}

static bool is_elf_magic(const unsigned char *p, size_t n)
{
	return n >= SELFMAG && memcmp(p, ELFMAG, SELFMAG) == 0;
}

static bool is_script(const unsigned char *p, size_t n)
{
	return n >= 2 && p[0] == '#' && p[1] == '!';
}

static int finish(int rc, struct elf_ident *out)
{
	if (rc)
		elf_ident_free(out);
	return rc;
}

int elf_ident_buffer(const void *buf, size_t len, struct elf_ident *out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	memset(out, 0, sizeof(*out));
	if (len && !buf)
		return fail(err, errlen, "no buffer");
	if (is_script(buf, len))
		return finish(ident_script(buf, len, out, err, errlen), out);
	if (!is_elf_magic(buf, len))
		return 0;
	if (pthread_once(&once, init_libelf))
		return fail(err, errlen, "cannot initialise libelf");
	/* libelf only reads the image; the cast drops const for its API. */
	return finish(ident_elf_handle(elf_memory((char *)buf, len), len, out, err, errlen), out);
}

static ssize_t pread_full(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;
	ssize_t k;

	while (got < n) {
		k = pread(fd, (char *)buf + got, n - got, off + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

int elf_ident_file(int fd, struct elf_ident *out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	unsigned char head[ELF_IDENT_SCRIPT_BUF];
	struct stat st;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st) != 0)
		return fail(err, errlen, "fstat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, "not a regular file");
	n = pread_full(fd, head, sizeof(head), 0);
	if (n < 0)
		return fail(err, errlen, "read: %s", strerror(errno));
	if (is_script(head, (size_t)n))
		return finish(ident_script(head, (size_t)n, out, err, errlen), out);
	if (!is_elf_magic(head, (size_t)n))
		return 0;
	if (pthread_once(&once, init_libelf))
		return fail(err, errlen, "cannot initialise libelf");
	/* ELF_C_READ: pread on demand; a mapping would turn a concurrent truncation into SIGBUS. */
	return finish(ident_elf_handle(elf_begin(fd, ELF_C_READ, NULL), (uint64_t)st.st_size,
				       out, err, errlen), out);
}
