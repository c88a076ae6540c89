// SPDX-License-Identifier: MIT
/*
 * The cached copy of the kernel's BTF for CO-RE: the build ID read from ELF
 * notes (as the kernel writes them, cut short, too long, garbage), and real
 * loads through the tracer: the first makes the copy, the next uses it, a
 * copy whose fingerprints do not match is dropped and the load done with the
 * full BTF, and a copy others could write is not used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/core_btf.h"
#include "collect/tracer.h"
#include "kettle_test.h"
#include "testlib.h"

/* One note: NAME (with its NUL), TYPE, DESC; padded as the ELF note format wants. */
static size_t note_put(uint8_t *p, const char *name, uint32_t type, const uint8_t *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1, hdr[3] = { namesz, descsz, type };
	size_t off = sizeof(hdr);

	memcpy(p, hdr, sizeof(hdr));
	memset(p + off, 0, (namesz + 3) & ~3u);
	memcpy(p + off, name, namesz);
	off += (namesz + 3) & ~3u;
	memset(p + off, 0, (descsz + 3) & ~3u);
	memcpy(p + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

static int build_id_from_notes(void)
{
	static const uint8_t id[20] = { 0x32, 0xa7, 0xf3, 0xba, 0xce, 0xe6, 0xbf, 0x69, 0xda, 0x94,
					0xf4, 0x97, 0xa8, 0xa0, 0x76, 0x48, 0x3b, 0xae, 0xa2, 0x0e };
	uint8_t notes[256], other[6] = { 1, 2, 3, 4, 5, 6 };
	char hex[129];
	size_t n = note_put(notes, "Xen", 6, other, sizeof(other));

	n += note_put(notes + n, "GNU", 3, id, sizeof(id));
	n += note_put(notes + n, "Linux", 0x100, other, 4);
	CHECK(core_btf_build_id(notes, n, hex, sizeof(hex)) == 0, "a build ID after another note is found");
	CHECK(!strcmp(hex, "32a7f3bacee6bf69da94f497a8a076483baea20e"), "the ID is its hex (%s)", hex);
	return TEST_PASS;
}

static int truncated_oversized_and_garbage_notes_are_refused(void)
{
	uint8_t notes[512], big[100], junk[64];
	char hex[129];
	size_t n;

	memset(big, 0xab, sizeof(big));
	n = note_put(notes, "GNU", 3, big, 20);
	for (size_t cut = 0; cut < n; cut++)
		CHECK(core_btf_build_id(notes, cut, hex, sizeof(hex)) == -EPROTO, "cut at %zu is refused", cut);
	n = note_put(notes, "GNU", 3, big, sizeof(big));
	CHECK(core_btf_build_id(notes, n, hex, sizeof(hex)) == -EPROTO, "an ID longer than 64 bytes is refused");
	n = note_put(notes, "GNU", 3, big, 20);
	CHECK(core_btf_build_id(notes, n, hex, 20) == -EPROTO, "an ID that does not fit the caller's buffer");
	n = note_put(notes, "Linux", 3, big, 20);
	CHECK(core_btf_build_id(notes, n, hex, sizeof(hex)) == -EPROTO, "type 3 of another owner is no build ID");
	memset(junk, 0xff, sizeof(junk));
	CHECK(core_btf_build_id(junk, sizeof(junk), hex, sizeof(hex)) == -EPROTO, "garbage sizes are refused");
	return TEST_PASS;
}

/* Opens and closes a tracer (KETTLE_CACHE_DIR is set); whether it used the copy, -1 when it failed. */
static int load_once(void)
{
	struct tracer_options o = { .ringbuf_bytes = 1 << 20, .cgroup_fd = -1 };
	char err[512];
	struct tracer *t = tracer_open(&o, err, sizeof(err));
	int used;

	if (!t) {
		fprintf(stderr, "  tracer_open: %s\n", err);
		return -1;
	}
	used = tracer_core_copy_used(t);
	tracer_close(t);
	return used;
}

/* Whether DIR/btf holds a copy and its fingerprints. */
static bool cache_present(const char *dir)
{
	return test_sh("set -- %s/btf/*.btf && test -f \"$1\" && test -f \"${1%%.btf}.sums\"", dir) == 0;
}

static int copy_made_then_used_and_checked(void)
{
	char dir[256];
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	if (test_sh("command -v bpftool >/dev/null"))
		return test_skip("no bpftool: the copy is never made (every load uses the full BTF)");
	test_tmpdir(dir, sizeof(dir), "core-btf");
	setenv("KETTLE_CACHE_DIR", dir, 1);
	CHECK(load_once() == 0, "the first load uses the full BTF");
	CHECK(cache_present(dir), "it left the copy and the fingerprints in %s/btf", dir);
	CHECK(test_sh("test \"$(stat -c %%a %s/btf)\" = 700", dir) == 0, "the cache folder is root's alone");
	CHECK(load_once() == 1, "the next load uses the copy");
	/* fingerprints that no load gives: the copy must not be used, and is dropped */
	CHECK(test_sh("sed -i 's/ .*/ 0123456789abcdef/' %s/btf/*.sums", dir) == 0, "spoil the fingerprints");
	CHECK(load_once() == 0, "a copy whose programs differ from the full BTF's is not used");
	CHECK(load_once() == 1, "the copy that load made again is used");
	/* a copy others can write is not trusted */
	CHECK(test_sh("chmod 666 %s/btf/*.btf", dir) == 0, "make the copy writable by all");
	CHECK(load_once() == 0, "a copy others can write is not used");
	CHECK(load_once() == 1, "the copy made in its place is used");
	unsetenv("KETTLE_CACHE_DIR");
	test_sh("rm -rf '%s'", dir);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "build_id_from_notes", build_id_from_notes },
	{ "truncated_oversized_and_garbage_notes_are_refused", truncated_oversized_and_garbage_notes_are_refused },
	{ "copy_made_then_used_and_checked", copy_made_then_used_and_checked },
};

TEST_MAIN("core_btf", tests)
