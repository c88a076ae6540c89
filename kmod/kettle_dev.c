// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/kettle: the collector's side of the module.  One opener at a time
 * (CAP_SYS_ADMIN); it sets the cgroup scope, reads fixed-size records and
 * the counters.  Records wait in a bounded queue; when the reader falls
 * behind, new records are counted as dropped, never lost silently.
 * Closing the device clears the scope: a collector that dies does not
 * leave the machine measuring a cgroup nobody reads.
 */
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include "kettle.h"

static struct ke_kmod_exec *kettle_queue;
static unsigned int kettle_queue_capacity;
static unsigned int kettle_queue_head;	/* oldest record */
static unsigned int kettle_queue_len;
static DEFINE_SPINLOCK(kettle_queue_lock);
static DECLARE_WAIT_QUEUE_HEAD(kettle_readers);
static atomic64_t kettle_scope_id = ATOMIC64_INIT(0);
static unsigned long kettle_busy;	/* bit 0: the device is open */
/* Threads sharing the open file take turns with its bounce buffer. */
static DEFINE_MUTEX(kettle_read_lock);

u64 kettle_scope(void)
{
	return atomic64_read(&kettle_scope_id);
}

void kettle_dev_push(const struct ke_kmod_exec *rec)
{
	unsigned int slot;
	bool queued = false;

	spin_lock(&kettle_queue_lock);
	if (kettle_queue_len < kettle_queue_capacity) {
		slot = (kettle_queue_head + kettle_queue_len) % kettle_queue_capacity;
		memcpy(&kettle_queue[slot], rec, sizeof(*rec));
		kettle_queue_len++;
		queued = true;
	}
	spin_unlock(&kettle_queue_lock);
	if (queued)
		wake_up_interruptible(&kettle_readers);
	else
		atomic64_inc(&kettle_counters.dropped);
}

static bool kettle_queue_pop(struct ke_kmod_exec *rec)
{
	bool got = false;

	spin_lock(&kettle_queue_lock);
	if (kettle_queue_len) {
		memcpy(rec, &kettle_queue[kettle_queue_head], sizeof(*rec));
		kettle_queue_head = (kettle_queue_head + 1) % kettle_queue_capacity;
		kettle_queue_len--;
		got = true;
	}
	spin_unlock(&kettle_queue_lock);
	return got;
}

static bool kettle_queue_pending(void)
{
	return READ_ONCE(kettle_queue_len) != 0;
}

static int kettle_open(struct inode *inode, struct file *file)
{
	struct ke_kmod_exec *bounce;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (test_and_set_bit(0, &kettle_busy))
		return -EBUSY;
	bounce = kmalloc(sizeof(*bounce), GFP_KERNEL);
	if (!bounce) {
		clear_bit(0, &kettle_busy);
		return -ENOMEM;
	}
	file->private_data = bounce;
	return stream_open(inode, file);
}

static int kettle_release(struct inode *inode, struct file *file)
{
	atomic64_set(&kettle_scope_id, 0);
	kfree(file->private_data);
	clear_bit(0, &kettle_busy);
	return 0;
}

static ssize_t kettle_copy_out(struct ke_kmod_exec *rec, char __user *buf,
			       size_t count)
{
	size_t done = 0;
	ssize_t ret = 0;

	mutex_lock(&kettle_read_lock);
	while (count - done >= sizeof(*rec) && kettle_queue_pop(rec)) {
		if (copy_to_user(buf + done, rec, sizeof(*rec))) {
			atomic64_inc(&kettle_counters.dropped);
			ret = -EFAULT;
			break;
		}
		done += sizeof(*rec);
	}
	mutex_unlock(&kettle_read_lock);
	return done ? done : ret;
}

/* Whole records only; blocks until one is there unless O_NONBLOCK. */
static ssize_t kettle_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	ssize_t ret;

	if (count < sizeof(struct ke_kmod_exec))
		return -EINVAL;
	for (;;) {
		if (!(file->f_flags & O_NONBLOCK)) {
			ret = wait_event_interruptible(kettle_readers,
						       kettle_queue_pending());
			if (ret)
				return ret;
		}
		ret = kettle_copy_out(file->private_data, buf, count);
		if (ret)
			return ret;
		/* Another thread of ours took the records. */
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
	}
}

static __poll_t kettle_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &kettle_readers, wait);
	return kettle_queue_pending() ? EPOLLIN | EPOLLRDNORM : 0;
}

static int kettle_set_scope(u64 __user *arg)
{
	struct cgroup *cgrp;
	u64 id;

	if (copy_from_user(&id, arg, sizeof(id)))
		return -EFAULT;
	/* Only an existing cgroup of the v2 hierarchy can be a scope. */
	cgrp = cgroup_get_from_id(id);
	if (IS_ERR(cgrp))
		return PTR_ERR(cgrp);
	cgroup_put(cgrp);
	atomic64_set(&kettle_scope_id, id);
	return 0;
}

static int kettle_stats(struct ke_kmod_stats __user *arg)
{
	struct ke_kmod_stats st = {
		.measured = atomic64_read(&kettle_counters.measured),
		.cache_hits = atomic64_read(&kettle_counters.cache_hits),
		.hashed_bytes = atomic64_read(&kettle_counters.hashed_bytes),
		.errors = atomic64_read(&kettle_counters.errors),
		.dropped = atomic64_read(&kettle_counters.dropped),
		.out_of_scope = atomic64_read(&kettle_counters.out_of_scope),
		.scope_cgroup = kettle_scope(),
		.queue_capacity = kettle_queue_capacity,
	};

	kettle_cache_usage(&st.cache_entries, &st.cache_capacity);
	st.queued = READ_ONCE(kettle_queue_len);
	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long kettle_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KETTLE_IOC_SET_SCOPE:
		return kettle_set_scope(uarg);
	case KETTLE_IOC_CLEAR_SCOPE:
		atomic64_set(&kettle_scope_id, 0);
		return 0;
	case KETTLE_IOC_STATS:
		return kettle_stats(uarg);
	case KETTLE_IOC_CACHE_CLEAR:
		kettle_cache_clear();
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kettle_fops = {
	.owner = THIS_MODULE,
	.open = kettle_open,
	.release = kettle_release,
	.read = kettle_read,
	.poll = kettle_poll,
	.unlocked_ioctl = kettle_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice kettle_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kettle",
	.fops = &kettle_fops,
	.mode = 0600,
};

int kettle_dev_init(unsigned int queue_records)
{
	int err;

	kettle_queue = vmalloc(array_size(queue_records, sizeof(*kettle_queue)));
	if (!kettle_queue)
		return -ENOMEM;
	kettle_queue_capacity = queue_records;
	err = misc_register(&kettle_miscdev);
	if (err)
		vfree(kettle_queue);
	return err;
}

void kettle_dev_exit(void)
{
	misc_deregister(&kettle_miscdev);
	vfree(kettle_queue);
}
