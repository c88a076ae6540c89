/* SPDX-License-Identifier: MIT */
/*
 * A minimized copy of the running kernel's BTF, holding only the types the
 * BPF programs' CO-RE relocations use, kept in a cache.  libbpf matches each
 * relocated root type (54 of them) against every type of the kernel's BTF
 * (125,000 on 6.18): about 40 ms of every `kettle run`.  Against the copy it
 * takes well under a millisecond.
 *
 * The copy is made by bpftool (gen min_core_btf) after a run that loaded with
 * the full BTF, and is keyed by the kernel's build ID and the object's
 * SHA-256.  It is trusted only as far as the programs it relocates are, byte
 * for byte, those the full BTF gave on that run: a fingerprint per program
 * is kept beside it, and a load whose fingerprints differ is redone with the
 * full BTF (and the copy dropped).  No build ID, no cache folder or no
 * bpftool: every load uses the full BTF, as before.
 */
#ifndef KETTLE_CORE_BTF_H
#define KETTLE_CORE_BTF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpf_object;

struct core_btf {
	char btf[PATH_MAX];     /* the copy; "" when there is no cache for this kernel */
	char sums[PATH_MAX];    /* the programs' fingerprints from the full BTF */
	bool cached;            /* both files are there */
	pid_t maker;            /* bpftool making the copy, 0: none */
	char tmp_btf[PATH_MAX], tmp_obj[PATH_MAX];
};

/* The cache folder: KETTLE_CACHE_DIR, else /var/cache/kettle. */
const char *core_btf_cache_dir(void);
/*
 * The hex GNU build ID in the ELF notes NOTES (LEN bytes, as /sys/kernel/notes
 * holds them): 0, or -EPROTO when there is none or the notes are cut short.
 */
int core_btf_build_id(const uint8_t *notes, size_t len, char *hex, size_t hexlen);
/* Finds the cache files for this kernel and the object ELF (LEN bytes). 0, or -errno: no cache. */
int core_btf_lookup(struct core_btf *c, const void *elf, size_t len);
/* Whether every program OBJ loaded is relocated as on the run that made the copy. */
bool core_btf_matches(const struct core_btf *c, struct bpf_object *obj);
/*
 * After a load with the full BTF: keeps OBJ's fingerprints and starts bpftool
 * on the object ELF.  0, or -errno (nothing is kept then).
 */
int core_btf_make(struct core_btf *c, struct bpf_object *obj, const void *elf, size_t len);
/* Waits for bpftool and puts the copy in place when it made one. */
void core_btf_finish(struct core_btf *c);
/* Removes the copy (its programs did not match). */
void core_btf_drop(struct core_btf *c);

#endif
