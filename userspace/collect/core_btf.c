// SPDX-License-Identifier: MIT
/* The minimized kernel BTF for CO-RE, cached (see core_btf.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <openssl/evp.h>

#include "collect/core_btf.h"
#include "common/hex.h"

#define NT_GNU_BUILD_ID_NR 3
#define BUILD_ID_MAX       64           /* bytes; SHA-1 ids are 20 */
#define NOTES_MAX          4096         /* /sys/kernel/notes is a few hundred bytes */
#define SUM_NAME_MAX       64           /* BPF program names are shorter (BPF_OBJ_NAME_LEN is 16, libbpf keeps more) */

extern char **environ;

const char *core_btf_cache_dir(void)
{
	const char *d = getenv("KETTLE_CACHE_DIR");

	return d && *d ? d : "/var/cache/kettle";
}

static uint32_t u32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int core_btf_build_id(const uint8_t *notes, size_t len, char *hex, size_t hexlen)
{
	size_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz = u32_at(notes + off), descsz = u32_at(notes + off + 4), type = u32_at(notes + off + 8);
		size_t name_pad = ((size_t)namesz + 3) & ~(size_t)3, desc_pad = ((size_t)descsz + 3) & ~(size_t)3;
		const uint8_t *name = notes + off + 12;

		if (name_pad > len - off - 12 || desc_pad > len - off - 12 - name_pad)
			return -EPROTO;
		if (type == NT_GNU_BUILD_ID_NR && namesz == 4 && !memcmp(name, "GNU", 4)) {
			if (!descsz || descsz > BUILD_ID_MAX || hexlen < 2 * (size_t)descsz + 1)
				return -EPROTO;
			hex_encode(name + name_pad, descsz, hex);
			return 0;
		}
		off += 12 + name_pad + desc_pad;
	}
	return -EPROTO;
}

static int kernel_build_id(char *hex, size_t hexlen)
{
	uint8_t notes[NOTES_MAX];
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, notes, sizeof(notes));
	close(fd);
	if (n < 0)
		return -errno;
	return core_btf_build_id(notes, (size_t)n, hex, hexlen);
}

/* The first 16 bytes of the object's SHA-256, in hex. */
static int object_id(const void *elf, size_t len, char hex[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(elf, len, md, &n, EVP_sha256(), NULL) != 1 || n < 16)
		return -EIO;
	hex_encode(md, 16, hex);
	return 0;
}

/*
 * Whether PATH is there, ours and writable by nobody else: a copy someone
 * else could write, with fingerprints to match, would decide what the
 * programs read.
 */
static bool owned_by_us(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_uid == geteuid() && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

int core_btf_lookup(struct core_btf *c, const void *elf, size_t len)
{
	char id[2 * BUILD_ID_MAX + 1], obj[33], dir[PATH_MAX];
	int rc;

	memset(c, 0, sizeof(*c));
	rc = kernel_build_id(id, sizeof(id));
	if (!rc)
		rc = object_id(elf, len, obj);
	if (rc)
		return rc;
	if (snprintf(dir, sizeof(dir), "%s/btf", core_btf_cache_dir()) >= (int)sizeof(dir) ||
	    snprintf(c->btf, sizeof(c->btf), "%s/%s-%s.btf", dir, id, obj) >= (int)sizeof(c->btf) ||
	    snprintf(c->sums, sizeof(c->sums), "%s/%s-%s.sums", dir, id, obj) >= (int)sizeof(c->sums)) {
		c->btf[0] = '\0';
		return -ENAMETOOLONG;
	}
	c->cached = owned_by_us(dir) && owned_by_us(c->btf) && owned_by_us(c->sums);
	return 0;
}

/*
 * A program's instructions after relocation, FNV-1a: map descriptors are
 * left out (their numbers differ from run to run), everything CO-RE wrote
 * (offsets, sizes, existence) is in.
 */
static uint64_t program_sum(const struct bpf_program *p)
{
	const struct bpf_insn *in = bpf_program__insns(p);
	size_t n = bpf_program__insn_cnt(p);
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; in && i < n; i++) {
		struct bpf_insn x = in[i];
		const uint8_t *b = (const uint8_t *)&x;

		if (x.code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (x.src_reg == BPF_PSEUDO_MAP_FD || x.src_reg == BPF_PSEUDO_MAP_VALUE))
			x.imm = 0;
		for (size_t k = 0; k < sizeof(x); k++)
			h = (h ^ b[k]) * 1099511628211ull;
	}
	return h;
}

bool core_btf_matches(const struct core_btf *c, struct bpf_object *obj)
{
	struct bpf_program *p;
	char line[SUM_NAME_MAX + 32];
	size_t checked = 0, loaded = 0;
	FILE *f = fopen(c->sums, "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char name[SUM_NAME_MAX];
		unsigned long long sum;

		if (sscanf(line, "%63s %16llx", name, &sum) != 2)
			break;
		p = bpf_object__find_program_by_name(obj, name);
		if (p && bpf_program__autoload(p)) {
			if (program_sum(p) != sum)
				break;
			checked++;
		}
	}
	fclose(f);
	bpf_object__for_each_program(p, obj)
		loaded += bpf_program__autoload(p);
	return checked == loaded;
}

/* Writes the fingerprints of OBJ's loaded programs to PATH (through a temporary file). */
static int sums_write(const char *path, struct bpf_object *obj)
{
	char tmp[PATH_MAX];
	struct bpf_program *p;
	FILE *f;
	int rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	bpf_object__for_each_program(p, obj)
		if (bpf_program__autoload(p) && strlen(bpf_program__name(p)) < SUM_NAME_MAX)
			fprintf(f, "%s %016llx\n", bpf_program__name(p), (unsigned long long)program_sum(p));
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

static int write_all(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = buf;
	int rc = 0;

	if (fd < 0)
		return -errno;
	while (len && !rc) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = w < 0 ? -errno : -EIO;
		else
			p += w, len -= (size_t)w;
	}
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

int core_btf_make(struct core_btf *c, struct bpf_object *obj, const void *elf, size_t len)
{
	char dir[PATH_MAX], *argv[] = { "bpftool", "gen", "min_core_btf", "/sys/kernel/btf/vmlinux", c->tmp_btf,
					c->tmp_obj, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	int rc;

	if (!c->btf[0] || c->cached)
		return -EEXIST;
	/* root's alone: what is in it decides what the programs read */
	if (mkdir(core_btf_cache_dir(), 0700) && errno != EEXIST)
		return -errno;
	snprintf(dir, sizeof(dir), "%s/btf", core_btf_cache_dir());
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (snprintf(c->tmp_btf, sizeof(c->tmp_btf), "%s.%d", c->btf, (int)getpid()) >= (int)sizeof(c->tmp_btf) ||
	    snprintf(c->tmp_obj, sizeof(c->tmp_obj), "%s.%d.o", c->btf, (int)getpid()) >= (int)sizeof(c->tmp_obj))
		return -ENAMETOOLONG;
	rc = sums_write(c->sums, obj);
	if (!rc)
		rc = write_all(c->tmp_obj, elf, len);
	if (rc) {
		unlink(c->tmp_obj);
		return rc;
	}
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	rc = -posix_spawnp(&c->maker, "bpftool", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc) {
		c->maker = 0;
		unlink(c->tmp_obj);
	}
	return rc;
}

void core_btf_finish(struct core_btf *c)
{
	int status = 0;

	if (!c->maker)
		return;
	while (waitpid(c->maker, &status, 0) < 0 && errno == EINTR)
		;
	c->maker = 0;
	unlink(c->tmp_obj);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || rename(c->tmp_btf, c->btf))
		unlink(c->tmp_btf);
}

void core_btf_drop(struct core_btf *c)
{
	unlink(c->btf);
	unlink(c->sums);
	c->cached = false;
}
