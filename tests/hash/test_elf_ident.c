// SPDX-License-Identifier: MIT
/* ELF and "#!" identity: real binaries against readelf, scripts as the kernel parses them, hostile files. */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include "hash/elf_ident.h"
#include "testlib.h"

#define CAT "/usr/bin/cat"

/* ---- helpers ------------------------------------------------------------- */

/* The first line of COMMAND's output that contains KEY, from just after KEY, trimmed. */
static int command_value(const char *command, const char *key, char *out, size_t outlen)
{
	char line[4096];
	FILE *p = popen(command, "r");
	int found = -1;

	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char *v = strstr(line, key);

		if (!v || found == 0)
			continue;
		v += strlen(key);
		v[strcspn(v, "]\r\n")] = '\0';
		snprintf(out, outlen, "%s", v + strspn(v, " \t"));
		found = 0;
	}
	if (pclose(p) != 0)
		return -1;
	return found;
}

static int readelf_build_id(const char *path, char *out, size_t outlen)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "readelf -n '%s' 2>/dev/null", path);
	return command_value(cmd, "Build ID:", out, outlen);
}

static int ident_path(const char *path, struct elf_ident *id, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		return -1;
	}
	rc = elf_ident_file(fd, id, err, errlen);
	close(fd);
	return rc;
}

static unsigned char *read_all(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0 || !(buf = malloc(st.st_size ? st.st_size : 1))) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*len = 0;
	while (*len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + *len, st.st_size - *len);

		if (n <= 0) {
			free(buf);
			close(fd);
			return NULL;
		}
		*len += n;
	}
	close(fd);
	return buf;
}

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, data, len) == (ssize_t)len;
	return close(fd) == 0 && ok ? 0 : -1;
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[256];

	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/kettle-elf-XXXXXX");
		if (!mkdtemp(tmpdir))
			return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* Compiles a tiny C program with EXTRA flags; returns its path or NULL. */
static const char *compile_tiny(const char *name, const char *extra)
{
	static char out[256];
	char src[256], cmd[1024];
	const char *code = "#include <stdio.h>\nint main(void) { puts(\"tiny\"); return 0; }\n";

	if (!tmp_path(name))
		return NULL;
	snprintf(src, sizeof(src), "%s/%s.c", tmpdir, name);
	snprintf(out, sizeof(out), "%s/%s", tmpdir, name);
	if (write_file(src, code, strlen(code)))
		return NULL;
	snprintf(cmd, sizeof(cmd), "cc -Wl,--build-id=sha1 %s -o '%s' '%s' >/dev/null 2>&1", extra, out, src);
	return system(cmd) == 0 ? out : NULL;
}

static bool has_needed(const struct elf_ident *id, const char *name)
{
	for (size_t i = 0; i < id->nneeded; i++)
		if (strcmp(id->needed[i], name) == 0)
			return true;
	return false;
}

static int ident_buf(const void *buf, size_t len, struct elf_ident *id, char *err, size_t errlen)
{
	err[0] = '\0';
	return elf_ident_buffer(buf, len, id, err, errlen);
}

/* ---- a minimal hand-made ELF: PT_LOAD over everything, PT_NOTE, PT_DYNAMIC -------- */

struct mini {
	unsigned char *buf;
	size_t len;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;         /* [0] PT_LOAD, [1] PT_NOTE, [2] PT_DYNAMIC */
	Elf64_Nhdr *note;
	Elf64_Dyn *dyn;
	size_t strtab_off;
};

static const char mini_strs[] = "\0libfoo.so\0libbar.so.1";

static void mini_header(struct mini *m)
{
	Elf64_Ehdr *eh = m->eh;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	eh->e_shentsize = sizeof(Elf64_Shdr);
}

/* NNEEDED DT_NEEDED entries alternating between two names, and a 20-byte build-id 01 02 ... 14. */
static int mini_build(struct mini *m, size_t nneeded)
{
	size_t note_off = sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr);
	size_t str_off = (note_off + sizeof(Elf64_Nhdr) + 4 + 20 + 7) & ~(size_t)7;
	size_t dyn_off = (str_off + sizeof(mini_strs) + 7) & ~(size_t)7;
	size_t ndyn = nneeded + 3, i;
	unsigned char *desc;

	m->len = dyn_off + ndyn * sizeof(Elf64_Dyn);
	m->buf = calloc(1, m->len);
	if (!m->buf)
		return -1;
	m->eh = (Elf64_Ehdr *)m->buf;
	m->ph = (Elf64_Phdr *)(m->buf + sizeof(Elf64_Ehdr));
	m->note = (Elf64_Nhdr *)(m->buf + note_off);
	m->dyn = (Elf64_Dyn *)(m->buf + dyn_off);
	m->strtab_off = str_off;
	mini_header(m);
	m->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_filesz = m->len, .p_memsz = m->len, .p_align = 4096 };
	m->ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = note_off, .p_vaddr = note_off,
				 .p_filesz = sizeof(Elf64_Nhdr) + 4 + 20, .p_align = 4 };
	m->ph[2] = (Elf64_Phdr){ .p_type = PT_DYNAMIC, .p_offset = dyn_off, .p_vaddr = dyn_off,
				 .p_filesz = ndyn * sizeof(Elf64_Dyn), .p_align = 8 };
	*m->note = (Elf64_Nhdr){ .n_namesz = 4, .n_descsz = 20, .n_type = NT_GNU_BUILD_ID };
	memcpy(m->buf + note_off + sizeof(Elf64_Nhdr), "GNU", 4);
	desc = m->buf + note_off + sizeof(Elf64_Nhdr) + 4;
	for (i = 0; i < 20; i++)
		desc[i] = (unsigned char)(i + 1);
	memcpy(m->buf + str_off, mini_strs, sizeof(mini_strs));
	for (i = 0; i < nneeded; i++)
		m->dyn[i] = (Elf64_Dyn){ .d_tag = DT_NEEDED, .d_un.d_val = i % 2 ? 11 : 1 };
	m->dyn[i++] = (Elf64_Dyn){ .d_tag = DT_STRTAB, .d_un.d_ptr = str_off };
	m->dyn[i++] = (Elf64_Dyn){ .d_tag = DT_STRSZ, .d_un.d_val = sizeof(mini_strs) };
	m->dyn[i] = (Elf64_Dyn){ .d_tag = DT_NULL };
	return 0;
}

/* Identifies the mini ELF and expects failure with an error that contains WHAT. */
static int mini_fails(struct mini *m, const char *what)
{
	struct elf_ident id;
	char err[256];
	int rc = ident_buf(m->buf, m->len, &id, err, sizeof(err));

	free(m->buf);
	CHECK(rc == -1, "accepted; expected an error about %s", what);
	CHECK(strstr(err, what) != NULL, "error \"%s\" does not mention %s", err, what);
	CHECK(id.needed == NULL && id.interp == NULL, "result not empty after an error");
	fprintf(stderr, "  (expected) %s\n", err);
	return TEST_PASS;
}

/* ---- real binaries ---------------------------------------------------------- */

static int test_cat_build_id(void)
{
	char want[256], err[256];
	struct elf_ident id;

	if (access(CAT, R_OK) != 0)
		return test_skip("%s not readable", CAT);
	if (readelf_build_id(CAT, want, sizeof(want)) != 0)
		return test_skip("readelf -n %s shows no build-id (or readelf is missing)", CAT);
	CHECK(ident_path(CAT, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(strcmp(id.build_id, want) == 0, "build-id %s, readelf says %s", id.build_id, want);
	CHECK(id.kind == ELF_IDENT_PIE || id.kind == ELF_IDENT_EXEC, "kind %s", elf_ident_kind_name(id.kind));
	CHECK(id.elf_class == 32 || id.elf_class == 64, "class %u", id.elf_class);
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_cat_interp_is_loader(void)
{
	char want[4096], cmd[256], err[256];
	struct elf_ident id;

	snprintf(cmd, sizeof(cmd), "readelf -lW %s 2>/dev/null", CAT);
	if (command_value(cmd, "Requesting program interpreter:", want, sizeof(want)) != 0)
		return test_skip("readelf shows no PT_INTERP for %s", CAT);
	CHECK(ident_path(CAT, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(id.interp && strcmp(id.interp, want) == 0, "interp %s, readelf says %s", id.interp, want);
	CHECK(strstr(id.interp, "/ld") != NULL, "interp %s is not a dynamic loader", id.interp);
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_cat_needs_libc(void)
{
	char err[256];
	struct elf_ident id;

	if (access(CAT, R_OK) != 0)
		return test_skip("%s not readable", CAT);
	CHECK(ident_path(CAT, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(has_needed(&id, "libc.so.6"), "DT_NEEDED (%zu entries) lacks libc.so.6", id.nneeded);
	CHECK(id.soname == NULL, "an executable with DT_SONAME %s", id.soname);
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_fresh_binary_build_id(void)
{
	const char *bin = compile_tiny("tiny", "");
	char want[256], err[256];
	struct elf_ident id;

	if (!bin)
		return test_skip("cannot compile a C program with cc");
	CHECK(readelf_build_id(bin, want, sizeof(want)) == 0, "readelf -n %s shows no build-id", bin);
	CHECK(strlen(want) == 40, "sha1 build-id expected, readelf says %s", want);
	CHECK(ident_path(bin, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(strcmp(id.build_id, want) == 0, "build-id %s, readelf says %s", id.build_id, want);
	CHECK(has_needed(&id, "libc.so.6"), "no libc.so.6 in DT_NEEDED");
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_file_and_buffer_agree(void)
{
	const char *bin = compile_tiny("tiny2", "-Wl,-rpath,/opt/kettle-test/lib");
	struct elf_ident a, b;
	unsigned char *buf;
	char err[256];
	size_t len;

	if (!bin)
		return test_skip("cannot compile a C program with cc");
	buf = read_all(bin, &len);
	CHECK(buf, "cannot read %s", bin);
	CHECK(ident_path(bin, &a, err, sizeof(err)) == 0, "file: %s", err);
	CHECK(ident_buf(buf, len, &b, err, sizeof(err)) == 0, "buffer: %s", err);
	free(buf);
	CHECK(a.kind == b.kind && a.machine == b.machine && a.elf_class == b.elf_class, "headers differ");
	CHECK(strcmp(a.build_id, b.build_id) == 0, "build-ids differ");
	CHECK(a.nneeded == b.nneeded && a.nneeded > 0, "DT_NEEDED counts %zu / %zu", a.nneeded, b.nneeded);
	for (size_t i = 0; i < a.nneeded; i++)
		CHECK(strcmp(a.needed[i], b.needed[i]) == 0, "needed[%zu] %s / %s", i, a.needed[i], b.needed[i]);
	CHECK(strcmp(a.interp, b.interp) == 0, "interps differ");
	CHECK((a.runpath && strcmp(a.runpath, "/opt/kettle-test/lib") == 0) ||
	      (a.rpath && strcmp(a.rpath, "/opt/kettle-test/lib") == 0),
	      "rpath/runpath %s / %s", a.runpath, a.rpath);
	CHECK(b.runpath ? strcmp(a.runpath, b.runpath) == 0 : strcmp(a.rpath, b.rpath) == 0, "paths differ");
	elf_ident_free(&a);
	elf_ident_free(&b);
	elf_ident_free(&b);     /* a second free is harmless */
	return TEST_PASS;
}

static int test_libc_soname(void)
{
	char path[4096], err[256];
	struct elf_ident id;
	FILE *p = popen("gcc -print-file-name=libc.so.6 2>/dev/null", "r");

	if (!p || !fgets(path, sizeof(path), p)) {
		if (p)
			pclose(p);
		return test_skip("gcc cannot tell where libc.so.6 is");
	}
	pclose(p);
	path[strcspn(path, "\n")] = '\0';
	if (path[0] != '/' || access(path, R_OK) != 0)
		return test_skip("libc.so.6 not found (gcc says \"%s\")", path);
	CHECK(ident_path(path, &id, err, sizeof(err)) == 0, "%s: %s", path, err);
	CHECK(id.soname && strcmp(id.soname, "libc.so.6") == 0, "SONAME %s", id.soname);
	CHECK(id.kind == ELF_IDENT_SHARED, "kind %s", elf_ident_kind_name(id.kind));
	CHECK(id.build_id[0], "no build-id in %s", path);
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_static_binary(void)
{
	const char *bin = compile_tiny("tiny-static", "-static");
	char want[256], err[256];
	struct elf_ident id;

	if (!bin)
		return test_skip("cc -static failed (no static libc installed?)");
	CHECK(ident_path(bin, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(id.interp == NULL, "static binary with PT_INTERP %s", id.interp);
	CHECK(id.nneeded == 0, "static binary with %zu DT_NEEDED", id.nneeded);
	CHECK(id.kind == ELF_IDENT_EXEC || id.kind == ELF_IDENT_PIE, "kind %s", elf_ident_kind_name(id.kind));
	CHECK(readelf_build_id(bin, want, sizeof(want)) == 0, "readelf shows no build-id");
	CHECK(strcmp(id.build_id, want) == 0, "build-id %s, readelf says %s", id.build_id, want);
	elf_ident_free(&id);
	return TEST_PASS;
}

/* Appends a section header table: the null section and one SHT_NOTE over the mini ELF's note. */
static int mini_add_note_section(struct mini *m)
{
	Elf64_Shdr sh[2] = { { 0 }, { .sh_type = SHT_NOTE, .sh_offset = m->ph[1].p_offset,
				       .sh_size = m->ph[1].p_filesz, .sh_addralign = 4 } };
	unsigned char *grown = realloc(m->buf, m->len + sizeof(sh));

	if (!grown)
		return -1;
	memcpy(grown + m->len, sh, sizeof(sh));
	m->buf = grown;
	m->eh = (Elf64_Ehdr *)grown;
	m->eh->e_shoff = m->len;
	m->eh->e_shnum = 2;
	m->len += sizeof(sh);
	return 0;
}

static int test_object_file_build_id_from_section(void)
{
	struct mini m;
	struct elf_ident id;
	char err[256];

	/* a relocatable file has no program headers: its notes are found through sections */
	CHECK(mini_build(&m, 0) == 0 && mini_add_note_section(&m) == 0, "out of memory");
	m.eh->e_type = ET_REL;
	m.eh->e_phnum = 0;
	m.eh->e_phoff = 0;
	CHECK(ident_buf(m.buf, m.len, &id, err, sizeof(err)) == 0, "%s", err);
	free(m.buf);
	CHECK(id.kind == ELF_IDENT_REL, "kind %s", elf_ident_kind_name(id.kind));
	CHECK(strcmp(id.build_id, "0102030405060708090a0b0c0d0e0f1011121314") == 0, "build-id %s", id.build_id);
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_object_file_32bit(void)
{
	const char *src = tmp_path("obj32.c");
	char obj[300], cmd[700], err[256];
	struct elf_ident id;

	CHECK(src && write_file(src, "int f(void) { return 1; }\n", 26) == 0, "cannot write %s", src);
	snprintf(obj, sizeof(obj), "%s/obj32.o", tmpdir);
	snprintf(cmd, sizeof(cmd), "cc -m32 -c -o '%s' '%s/obj32.c' >/dev/null 2>&1", obj, tmpdir);
	if (system(cmd) != 0)
		return test_skip("cc -m32 -c failed (no 32-bit support)");
	CHECK(ident_path(obj, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(id.kind == ELF_IDENT_REL && id.elf_class == 32, "kind %s class %u",
	      elf_ident_kind_name(id.kind), id.elf_class);
	CHECK(id.machine == EM_386 && !id.big_endian, "machine %u", id.machine);
	CHECK(!id.build_id[0] && !id.interp && id.nneeded == 0, "an object file with link-time fields");
	elf_ident_free(&id);
	return TEST_PASS;
}

/* ---- scripts ------------------------------------------------------------------ */

static int script_ident(const char *text, size_t len, struct elf_ident *id, char *err, size_t errlen)
{
	const char *path = tmp_path("script");

	if (!path || write_file(path, text, len))
		return -2;
	return ident_path(path, id, err, errlen);
}

static int test_script_sh_e(void)
{
	const char text[] = "#!/bin/sh -e\necho hi\n";
	struct elf_ident id;
	char err[256];

	CHECK(script_ident(text, strlen(text), &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(id.kind == ELF_IDENT_SCRIPT, "kind %s", elf_ident_kind_name(id.kind));
	CHECK(strcmp(id.script_interp, "/bin/sh") == 0, "interp %s", id.script_interp);
	CHECK(id.script_arg && strcmp(id.script_arg, "-e") == 0, "arg %s", id.script_arg);
	CHECK(!id.script_line_cut, "line marked cut");
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_script_one_argument_with_blanks(void)
{
	const char text[] = "#! \t/usr/bin/env  python3 -u \t\nprint()\n";
	struct elf_ident id;
	char err[256];

	CHECK(ident_buf(text, strlen(text), &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(strcmp(id.script_interp, "/usr/bin/env") == 0, "interp %s", id.script_interp);
	CHECK(id.script_arg && strcmp(id.script_arg, "python3 -u") == 0, "arg \"%s\"", id.script_arg);
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_script_without_newline_or_arg(void)
{
	struct elf_ident id;
	char err[256];

	CHECK(ident_buf("#!/bin/true", 11, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(strcmp(id.script_interp, "/bin/true") == 0 && !id.script_arg, "interp %s arg %s",
	      id.script_interp, id.script_arg);
	CHECK(!id.script_line_cut, "a short file is not a cut line");
	elf_ident_free(&id);
	CHECK(ident_buf("#!  \n", 5, &id, err, sizeof(err)) == -1, "\"#!\" without interpreter accepted");
	return TEST_PASS;
}

static int test_script_long_argument_is_cut(void)
{
	char text[600];
	struct elf_ident id;
	char err[256];
	int n = snprintf(text, sizeof(text), "#!/bin/sh ");

	memset(text + n, 'x', 400);
	CHECK(script_ident(text, n + 400, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(strcmp(id.script_interp, "/bin/sh") == 0, "interp %s", id.script_interp);
	/* the kernel keeps bytes 0..254 of the line: the argument is what follows "#!/bin/sh " */
	CHECK(id.script_arg && strlen(id.script_arg) == (size_t)(ELF_IDENT_SCRIPT_BUF - 1 - n),
	      "arg of %zu bytes", id.script_arg ? strlen(id.script_arg) : 0);
	CHECK(id.script_line_cut, "cut line not flagged");
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_script_long_interpreter_refused(void)
{
	char text[600] = "#!/";
	struct elf_ident id;
	char err[256];

	memset(text + 3, 'a', 400);
	CHECK(script_ident(text, 403, &id, err, sizeof(err)) == -1, "a cut interpreter path accepted");
	CHECK(strstr(err, "255"), "error \"%s\" does not name the limit", err);
	CHECK(id.script_interp == NULL, "result not empty");
	/* a path of 253 bytes (bytes 2..254) ended by a blank at byte 255 still fits */
	text[255] = ' ';
	CHECK(ident_buf(text, 403, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(strlen(id.script_interp) == 253, "interp of %zu bytes", strlen(id.script_interp));
	elf_ident_free(&id);
	return TEST_PASS;
}

/* ---- other and hostile files ----------------------------------------------------- */

static int test_empty_file_is_other(void)
{
	const char *path = tmp_path("empty");
	struct elf_ident id;
	char err[256];

	CHECK(path && write_file(path, "", 0) == 0, "cannot write %s", path);
	CHECK(ident_path(path, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(id.kind == ELF_IDENT_OTHER, "kind %s", elf_ident_kind_name(id.kind));
	CHECK(ident_buf(NULL, 0, &id, err, sizeof(err)) == 0 && id.kind == ELF_IDENT_OTHER, "empty buffer");
	CHECK(ident_buf("#", 1, &id, err, sizeof(err)) == 0 && id.kind == ELF_IDENT_OTHER, "one byte");
	return TEST_PASS;
}

static int test_not_regular_file(void)
{
	struct elf_ident id;
	char err[256];
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	CHECK(fd >= 0, "open /tmp: %s", strerror(errno));
	CHECK(elf_ident_file(fd, &id, err, sizeof(err)) == -1, "a directory accepted");
	close(fd);
	return TEST_PASS;
}

static int test_garbage(void)
{
	static unsigned char buf[65536];
	uint32_t x = 12345;
	struct elf_ident id;
	char err[256];

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	buf[0] = 'Z';
	CHECK(ident_buf(buf, sizeof(buf), &id, err, sizeof(err)) == 0 && id.kind == ELF_IDENT_OTHER, "%s", err);
	/* garbage behind a valid ELF magic and class: some error, no crash */
	memcpy(buf, "\177ELF\2\1\1", 7);
	for (size_t n = 7; n <= sizeof(buf); n = n * 3 / 2) {
		int rc = ident_buf(buf, n, &id, err, sizeof(err));

		CHECK(rc == -1 ? err[0] != '\0' : 1, "-1 without an error at %zu bytes", n);
		elf_ident_free(&id);
	}
	return TEST_PASS;
}

static int test_truncated_elf(void)
{
	size_t len, cuts = 0;
	unsigned char *buf = read_all(CAT, &len);
	struct elf_ident id;
	char err[256];

	if (!buf)
		return test_skip("cannot read %s", CAT);
	for (size_t n = 0; n < len; n = n < 4096 ? n + 1 : n + len / 7 + 1) {
		unsigned char *copy = malloc(n ? n : 1);     /* exact size, so ASan sees any overread */
		int rc;

		CHECK(copy, "out of memory");
		memcpy(copy, buf, n);
		rc = ident_buf(copy, n, &id, err, sizeof(err));
		free(copy);
		if (n < SELFMAG) {
			CHECK(rc == 0 && id.kind == ELF_IDENT_OTHER, "%zu bytes: not \"other\"", n);
			continue;
		}
		/* cat's section headers end the file, so every cut leaves them dangling */
		CHECK(rc == -1 && err[0], "cut at %zu of %zu bytes accepted", n, len);
		cuts++;
	}
	CHECK(ident_buf(buf, len, &id, err, sizeof(err)) == 0, "whole file: %s", err);
	elf_ident_free(&id);
	free(buf);
	fprintf(stderr, "  %zu cuts rejected\n", cuts);
	return TEST_PASS;
}

static int test_truncated_elf_file(void)
{
	const size_t cuts[] = { 4, 63, 64, 200, 1000, 4096, 20000 };
	size_t len;
	unsigned char *buf = read_all(CAT, &len);
	const char *path = tmp_path("cut");
	struct elf_ident id;
	char err[256];

	if (!buf)
		return test_skip("cannot read %s", CAT);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]) && cuts[i] < len; i++) {
		CHECK(path && write_file(path, buf, cuts[i]) == 0, "cannot write %s", path);
		CHECK(ident_path(path, &id, err, sizeof(err)) == -1, "cut at %zu accepted", cuts[i]);
	}
	free(buf);
	return TEST_PASS;
}

static int test_mini_elf_is_valid(void)
{
	struct mini m;
	struct elf_ident id;
	char err[256];

	CHECK(mini_build(&m, 3) == 0, "out of memory");
	CHECK(ident_buf(m.buf, m.len, &id, err, sizeof(err)) == 0, "%s", err);
	free(m.buf);
	CHECK(strcmp(id.build_id, "0102030405060708090a0b0c0d0e0f1011121314") == 0, "build-id %s", id.build_id);
	CHECK(id.nneeded == 3 && strcmp(id.needed[0], "libfoo.so") == 0 &&
	      strcmp(id.needed[1], "libbar.so.1") == 0, "needed %zu", id.nneeded);
	CHECK(id.kind == ELF_IDENT_SHARED && id.machine == EM_X86_64 && id.elf_class == 64, "header fields");
	CHECK(strcmp(elf_ident_machine_name(id.machine), "x86-64") == 0, "machine name");
	elf_ident_free(&id);
	return TEST_PASS;
}

static int test_note_claims_huge_size(void)
{
	struct mini m;

	CHECK(mini_build(&m, 1) == 0, "out of memory");
	m.note->n_descsz = 0xfffffff0u;
	return mini_fails(&m, "note");
}

static int test_build_id_too_long(void)
{
	struct mini m;

	CHECK(mini_build(&m, 1) == 0, "out of memory");
	m.ph[1].p_filesz = m.len - m.ph[1].p_offset;    /* room for it, so only the limit objects */
	m.note->n_descsz = 100;
	return mini_fails(&m, "build-id");
}

static int test_note_segment_outside_file(void)
{
	struct mini m;

	CHECK(mini_build(&m, 1) == 0, "out of memory");
	m.ph[1].p_filesz = 1ull << 40;
	return mini_fails(&m, "PT_NOTE");
}

static int test_dynamic_outside_file(void)
{
	struct mini m;

	CHECK(mini_build(&m, 1) == 0, "out of memory");
	m.ph[2].p_offset = 0xffffffffffff0000ull;
	return mini_fails(&m, "PT_DYNAMIC");
}

static int test_strtab_unmapped(void)
{
	struct mini m;

	CHECK(mini_build(&m, 1) == 0, "out of memory");
	m.dyn[1].d_un.d_ptr = 0x7fff0000;
	return mini_fails(&m, "DT_STRTAB");
}

static int test_strsz_past_segment(void)
{
	struct mini m;

	CHECK(mini_build(&m, 1) == 0, "out of memory");
	m.dyn[2].d_un.d_val = 1ull << 32;
	return mini_fails(&m, "DT_STRSZ");
}

static int test_needed_offset_outside_strtab(void)
{
	struct mini m;

	CHECK(mini_build(&m, 2) == 0, "out of memory");
	m.dyn[1].d_un.d_val = 5000;
	return mini_fails(&m, "DT_NEEDED");
}

static int test_needed_unterminated(void)
{
	struct mini m;

	CHECK(mini_build(&m, 2) == 0, "out of memory");
	m.dyn[3].d_un.d_val = sizeof(mini_strs) - 1;    /* DT_STRSZ: "libbar.so.1" loses its NUL */
	return mini_fails(&m, "NUL");
}

static int test_too_many_needed(void)
{
	struct mini m;

	CHECK(mini_build(&m, ELF_IDENT_NEEDED_MAX + 1) == 0, "out of memory");
	return mini_fails(&m, "DT_NEEDED");
}

static int test_interp_unterminated(void)
{
	struct mini m;

	CHECK(mini_build(&m, 1) == 0, "out of memory");
	m.ph[1].p_type = PT_INTERP;     /* the note's bytes end in build-id bytes, not NUL */
	return mini_fails(&m, "PT_INTERP");
}

static int test_program_headers_outside_file(void)
{
	struct mini m;

	CHECK(mini_build(&m, 1) == 0, "out of memory");
	m.eh->e_phnum = 4000;
	return mini_fails(&m, "program headers");
}

static int test_huge_extended_section_count(void)
{
	const char *path = tmp_path("xnum");
	struct elf_ident id;
	Elf64_Shdr sh0 = { .sh_size = 0xfffffff0u, .sh_info = 0xffffu };
	struct mini m;
	unsigned char *grown;
	char err[256];

	/* e_shnum 0: the count is in section 0, which claims 4 billion sections */
	CHECK(mini_build(&m, 1) == 0, "out of memory");
	grown = realloc(m.buf, m.len + sizeof(sh0));
	CHECK(grown, "out of memory");
	memcpy(grown + m.len, &sh0, sizeof(sh0));
	((Elf64_Ehdr *)grown)->e_shoff = m.len;
	m.buf = grown;
	m.len += sizeof(sh0);
	CHECK(ident_buf(m.buf, m.len, &id, err, sizeof(err)) == -1, "buffer accepted");
	fprintf(stderr, "  (expected) buffer: %s\n", err);
	CHECK(path && write_file(path, m.buf, m.len) == 0, "cannot write %s", path);
	CHECK(ident_path(path, &id, err, sizeof(err)) == -1, "file accepted");
	fprintf(stderr, "  (expected) file: %s\n", err);
	free(m.buf);
	return TEST_PASS;
}

/* Runs after main: removes the scratch directory. */
__attribute__((destructor)) static void cleanup(void)
{
	char cmd[128];

	if (tmpdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
}

static const struct test tests[] = {
	{ "cat_build_id", test_cat_build_id },
	{ "cat_interp_is_loader", test_cat_interp_is_loader },
	{ "cat_needs_libc", test_cat_needs_libc },
	{ "fresh_binary_build_id", test_fresh_binary_build_id },
	{ "file_and_buffer_agree", test_file_and_buffer_agree },
	{ "libc_soname", test_libc_soname },
	{ "static_binary", test_static_binary },
	{ "object_file_build_id_from_section", test_object_file_build_id_from_section },
	{ "object_file_32bit", test_object_file_32bit },
	{ "script_sh_e", test_script_sh_e },
	{ "script_one_argument_with_blanks", test_script_one_argument_with_blanks },
	{ "script_without_newline_or_arg", test_script_without_newline_or_arg },
	{ "script_long_argument_is_cut", test_script_long_argument_is_cut },
	{ "script_long_interpreter_refused", test_script_long_interpreter_refused },
	{ "empty_file_is_other", test_empty_file_is_other },
	{ "not_regular_file", test_not_regular_file },
	{ "garbage", test_garbage },
	{ "truncated_elf", test_truncated_elf },
	{ "truncated_elf_file", test_truncated_elf_file },
	{ "mini_elf_is_valid", test_mini_elf_is_valid },
	{ "note_claims_huge_size", test_note_claims_huge_size },
	{ "build_id_too_long", test_build_id_too_long },
	{ "note_segment_outside_file", test_note_segment_outside_file },
	{ "dynamic_outside_file", test_dynamic_outside_file },
	{ "strtab_unmapped", test_strtab_unmapped },
	{ "strsz_past_segment", test_strsz_past_segment },
	{ "needed_offset_outside_strtab", test_needed_offset_outside_strtab },
	{ "needed_unterminated", test_needed_unterminated },
	{ "too_many_needed", test_too_many_needed },
	{ "interp_unterminated", test_interp_unterminated },
	{ "program_headers_outside_file", test_program_headers_outside_file },
	{ "huge_extended_section_count", test_huge_extended_section_count },
};

TEST_MAIN("elf_ident", tests)
