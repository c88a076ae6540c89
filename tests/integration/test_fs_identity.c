// SPDX-License-Identifier: MIT
/*
 * The identity the kernel records at open must equal what fstat(2) says, on
 * every filesystem a build may use, or each input would be flagged changed
 * and lose its digest.  btrfs is the case that needs care: stat reports a
 * device number per subvolume, not the superblock's.
 */
#include <inttypes.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kettle_test.h"

/* The input digest of PATH in F, clean (hashed, not changed), with the identity fstat gives. */
static int clean_input(const struct log_file *f, const char *path)
{
	const struct log_event *open = find_open(f, path);
	struct stat st;

	CHECK(stat(path, &st) == 0, "stat %s", path);
	CHECK(open && open->open.result >= 0, "no open of %s in the log", path);
	CHECK(open->open.dev == (uint64_t)st.st_dev && open->open.ino == (uint64_t)st.st_ino,
	      "%s: the kernel recorded dev %u:%u ino %" PRIu64 ", stat says %u:%u ino %" PRIu64, path,
	      major(open->open.dev), minor(open->open.dev), open->open.ino, major(st.st_dev), minor(st.st_dev),
	      (uint64_t)st.st_ino);
	for (size_t i = 0; i < f->ndigests; i++) {
		const struct log_digest *d = &f->digests[i];

		if (d->kind != LOG_DIGEST_INPUT || strcmp(d->path, path))
			continue;
		CHECK(d->result == 0 && d->flags == 0, "%s: result %d flags %#x (changed?)", path, d->result, d->flags);
		return TEST_PASS;
	}
	CHECK(false, "no input digest for %s", path);
	return TEST_FAIL;
}

/* A build reading a file at the top of a btrfs filesystem and one in a subvolume. */
static int btrfs_build(const char *mnt, const char *dir, const char *log)
{
	char top[512], sub[512], script[1400];
	const char *cmd[] = { "sh", "-c", script, NULL };
	struct log_file f = { 0 };
	int rc;

	snprintf(top, sizeof(top), "%s/top.txt", mnt);
	snprintf(sub, sizeof(sub), "%s/sub/file.txt", mnt);
	CHECK(test_sh("btrfs -q subvolume create %s/sub && echo top > %s && echo sub > %s", mnt, top, sub) == 0,
	      "subvolume");
	snprintf(script, sizeof(script), "cat %s %s > %s/copy.txt", top, sub, dir);
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "kettle run failed");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	rc = clean_input(&f, top);
	if (rc == TEST_PASS)
		rc = clean_input(&f, sub);
	log_file_free(&f);
	return rc;
}

static int btrfs_inputs_not_flagged_changed(void)
{
	char dir[256], log[300], img[300], mnt[300];
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("btrfs", dir, log);
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	/* 300 MiB: above mkfs.btrfs's minimum; sparse, so it costs no disk */
	CHECK(test_sh("truncate -s 300M %s && mkfs.btrfs -q %s 2>/dev/null && mkdir -p %s && mount -o loop %s %s",
		      img, img, mnt, img, mnt) == 0, "making a btrfs filesystem (btrfs-progs, loop devices)");
	rc = btrfs_build(mnt, dir, log);
	if (umount2(mnt, MNT_DETACH))
		fprintf(stderr, "  umount %s: %s\n", mnt, strerror(errno));
	unlink(img);
	return rc;
}

static const struct test tests[] = {
	{ "btrfs_inputs_not_flagged_changed", btrfs_inputs_not_flagged_changed },
};

TEST_MAIN("fs_identity", tests)
