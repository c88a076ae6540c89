// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kettle: measure every program the kernel executes for a build, at exec.
 *
 * A binary format handler at the head of the list sees each file exec is
 * about to load (bprm->file, opened, write-denied) in sleepable process
 * context, before any handler runs it.  It hashes the file, queues a record
 * for /dev/kettle and declines with -ENOEXEC, so the real handler (ELF,
 * script, misc) loads it next.  A #! script's interpreter goes through the
 * handlers again and is measured too.  The exec never fails because of us.
 * See docs/kmod.md.
 */
#include <linux/binfmts.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "kettle.h"

static unsigned int cache_entries = 16384;
module_param(cache_entries, uint, 0444);
MODULE_PARM_DESC(cache_entries, "digests remembered (1..1048576, default 16384)");

static unsigned int queue_records = 512;
module_param(queue_records, uint, 0444);
MODULE_PARM_DESC(queue_records, "records waiting for the reader (1..65536, default 512)");

struct kettle_counters kettle_counters;

/* Is current in the scope cgroup or below it?  Ids are never reused. */
static bool kettle_in_scope(u64 scope, u64 *cgroup_id_out)
{
	struct cgroup *cgrp;
	bool in = false;

	rcu_read_lock();
	cgrp = task_dfl_cgroup(current);
	*cgroup_id_out = cgroup_id(cgrp);
	for (; cgrp; cgrp = cgroup_parent(cgrp)) {
		if (cgroup_id(cgrp) == scope) {
			in = true;
			break;
		}
	}
	rcu_read_unlock();
	return in;
}

static void kettle_fill_path(struct ke_kmod_exec *rec, struct file *file)
{
	char *p = d_path(&file->f_path, rec->path, sizeof(rec->path));
	size_t len;

	if (IS_ERR(p)) {
		rec->flags |= KE_KMOD_PATH_ERROR;
		rec->path[0] = '\0';
		return;
	}
	/* d_path builds the name at the end of the buffer. */
	len = strlen(p);
	memmove(rec->path, p, len + 1);
	rec->path_len = len;
}

static void kettle_record(struct linux_binprm *bprm, u64 cgroup_id)
{
	struct kettle_file_id id;
	struct ke_kmod_exec *rec;
	int ret;

	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec) {
		atomic64_inc(&kettle_counters.dropped);
		return;
	}
	rec->h.abi = KETTLE_ABI_VERSION;
	rec->h.type = KE_KMOD_EXEC;
	rec->h.size = sizeof(*rec);
	rec->h.ts_ns = ktime_get_boottime_ns();
	rec->h.tgid = current->tgid;
	rec->h.tid = current->pid;
	rec->h.uid = from_kuid_munged(&init_user_ns, current_uid());
	rec->h.gid = from_kgid_munged(&init_user_ns, current_gid());
	rec->h.cgroup_id = cgroup_id;

	kettle_file_id_of(bprm->file, &id);
	rec->dev = id.dev;
	rec->ino = id.ino;
	rec->generation = id.generation;
	rec->size = id.size;
	rec->mtime_ns = id.mtime_ns;
	rec->ctime_ns = id.ctime_ns;
	rec->i_version = id.i_version;
	if (id.has_iversion)
		rec->flags |= KE_KMOD_HAS_IVERSION;
	/* binfmt_script and binfmt_misc name the interpreter in bprm->interp. */
	if (bprm->interp != bprm->filename)
		rec->flags |= KE_KMOD_INTERP;

	ret = kettle_measure(bprm->file, &id, rec->digest, &rec->bytes_hashed);
	if (ret < 0) {
		rec->err = ret;
		memset(rec->digest, 0, sizeof(rec->digest));
		atomic64_inc(&kettle_counters.errors);
	} else if (ret == 1) {
		rec->flags |= KE_KMOD_CACHE_HIT;
		atomic64_inc(&kettle_counters.cache_hits);
	}
	atomic64_add(rec->bytes_hashed, &kettle_counters.hashed_bytes);
	kettle_fill_path(rec, bprm->file);
	atomic64_inc(&kettle_counters.measured);
	kettle_dev_push(rec);
	kfree(rec);
}

static int kettle_load_binary(struct linux_binprm *bprm)
{
	u64 scope = kettle_scope();
	u64 cgroup_id;

	if (!scope)
		return -ENOEXEC;
	if (kettle_in_scope(scope, &cgroup_id))
		kettle_record(bprm, cgroup_id);
	else
		atomic64_inc(&kettle_counters.out_of_scope);
	/* Always decline: the real handler loads the program. */
	return -ENOEXEC;
}

/*
 * .module makes search_binary_handler() hold a reference while
 * kettle_load_binary() runs, so the module cannot go away under an exec.
 */
static struct linux_binfmt kettle_binfmt = {
	.module = THIS_MODULE,
	.load_binary = kettle_load_binary,
};

static int __init kettle_init(void)
{
	int err;

	if (!cache_entries || cache_entries > (1U << 20) ||
	    !queue_records || queue_records > (1U << 16))
		return -EINVAL;
	err = kettle_cache_init(cache_entries);
	if (err)
		return err;
	err = kettle_dev_init(queue_records);
	if (err) {
		kettle_cache_exit();
		return err;
	}
	insert_binfmt(&kettle_binfmt);
	return 0;
}

static void __exit kettle_exit(void)
{
	unregister_binfmt(&kettle_binfmt);
	kettle_dev_exit();
	kettle_cache_exit();
}

module_init(kettle_init);
module_exit(kettle_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kettle: SHA-256 of every program executed in a cgroup, at exec");
