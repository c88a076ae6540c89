// SPDX-License-Identifier: GPL-2.0-only
/*
 * SHA-256 of executed files, and a bounded cache of digests keyed by the
 * file's identity (device, inode, generation, size, mtime, ctime, i_version)
 * so that a compiler executed 10,000 times is read and hashed once.
 *
 * The contents of a file cannot change while it is being executed: exec
 * denies write access to it (ETXTBSY) until the exec is over, so the bytes
 * hashed here are the bytes the kernel maps.
 */
#include <crypto/hash.h>
#include <linux/hashtable.h>
#include <linux/iversion.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "kettle.h"

/* Bytes read and hashed at a time: the only buffer, whatever the file size. */
#define KETTLE_CHUNK		(64 * 1024)
#define KETTLE_CACHE_BITS	12

struct kettle_cache_entry {
	struct hlist_node node;
	struct list_head lru;
	struct kettle_file_id id;
	u8 digest[KE_KMOD_DIGEST_LEN];
};

static DEFINE_HASHTABLE(kettle_cache_table, KETTLE_CACHE_BITS);
static LIST_HEAD(kettle_cache_lru);	/* most recently used first */
static DEFINE_SPINLOCK(kettle_cache_lock);
static unsigned int kettle_cache_count;
static unsigned int kettle_cache_capacity;
static struct crypto_shash *kettle_sha256;

static u64 kettle_id_key(const struct kettle_file_id *id)
{
	return id->ino ^ (id->dev << 32) ^ id->dev;
}

void kettle_file_id_of(struct file *file, struct kettle_file_id *id)
{
	struct inode *inode = file_inode(file);

	/* Zeroed as a whole: entries are compared with memcmp. */
	memset(id, 0, sizeof(*id));
	id->dev = inode->i_sb->s_dev;
	id->ino = inode->i_ino;
	id->generation = inode->i_generation;
	id->size = i_size_read(inode);
	id->mtime_ns = timespec64_to_ns(&inode->i_mtime);
	id->ctime_ns = timespec64_to_ns(&inode->i_ctime);
	if (IS_I_VERSION(inode)) {
		id->has_iversion = 1;
		/* Marks it queried: the next change of the file bumps it. */
		id->i_version = inode_query_iversion(inode);
	}
}

static int kettle_hash_file(struct file *file, u8 *digest, u64 *hashed)
{
	SHASH_DESC_ON_STACK(desc, kettle_sha256);
	loff_t pos = 0;
	ssize_t n;
	void *buf;
	int err;

	buf = kvmalloc(KETTLE_CHUNK, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	desc->tfm = kettle_sha256;
	err = crypto_shash_init(desc);
	while (!err) {
		n = kernel_read(file, buf, KETTLE_CHUNK, &pos);
		if (n <= 0) {
			err = n;
			break;
		}
		err = crypto_shash_update(desc, buf, n);
		*hashed += n;
		/* A killed exec is going away: do not make it wait for us. */
		if (!err && fatal_signal_pending(current))
			err = -EINTR;
		cond_resched();
	}
	if (!err)
		err = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	kvfree(buf);
	return err;
}

static void kettle_cache_drop(struct kettle_cache_entry *e)
{
	hash_del(&e->node);
	list_del(&e->lru);
	kfree(e);
	kettle_cache_count--;
}

static void kettle_cache_insert(const struct kettle_file_id *id, const u8 *digest)
{
	struct kettle_cache_entry *e, *old;
	struct hlist_node *tmp;
	u64 key = kettle_id_key(id);

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return;		/* not cached: the next exec hashes again */
	e->id = *id;
	memcpy(e->digest, digest, KE_KMOD_DIGEST_LEN);

	spin_lock(&kettle_cache_lock);
	/* Earlier versions of the same file can never match again. */
	hash_for_each_possible_safe(kettle_cache_table, old, tmp, node, key)
		if (old->id.dev == id->dev && old->id.ino == id->ino)
			kettle_cache_drop(old);
	if (kettle_cache_count >= kettle_cache_capacity)
		kettle_cache_drop(list_last_entry(&kettle_cache_lru,
						  struct kettle_cache_entry, lru));
	hash_add(kettle_cache_table, &e->node, key);
	list_add(&e->lru, &kettle_cache_lru);
	kettle_cache_count++;
	spin_unlock(&kettle_cache_lock);
}

static bool kettle_cache_lookup(const struct kettle_file_id *id, u8 *digest)
{
	struct kettle_cache_entry *e;
	bool hit = false;

	spin_lock(&kettle_cache_lock);
	hash_for_each_possible(kettle_cache_table, e, node, kettle_id_key(id)) {
		if (!memcmp(&e->id, id, sizeof(*id))) {
			list_move(&e->lru, &kettle_cache_lru);
			memcpy(digest, e->digest, KE_KMOD_DIGEST_LEN);
			hit = true;
			break;
		}
	}
	spin_unlock(&kettle_cache_lock);
	return hit;
}

int kettle_measure(struct file *file, const struct kettle_file_id *id,
		   u8 digest[KE_KMOD_DIGEST_LEN], u64 *hashed)
{
	int err;

	*hashed = 0;
	if (kettle_cache_lookup(id, digest))
		return 1;
	err = kettle_hash_file(file, digest, hashed);
	if (err)
		return err;
	kettle_cache_insert(id, digest);
	return 0;
}

void kettle_cache_clear(void)
{
	struct kettle_cache_entry *e, *tmp;

	spin_lock(&kettle_cache_lock);
	list_for_each_entry_safe(e, tmp, &kettle_cache_lru, lru)
		kettle_cache_drop(e);
	spin_unlock(&kettle_cache_lock);
}

void kettle_cache_usage(u32 *entries, u32 *capacity)
{
	spin_lock(&kettle_cache_lock);
	*entries = kettle_cache_count;
	*capacity = kettle_cache_capacity;
	spin_unlock(&kettle_cache_lock);
}

int kettle_cache_init(unsigned int capacity)
{
	kettle_sha256 = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(kettle_sha256))
		return PTR_ERR(kettle_sha256);
	kettle_cache_capacity = capacity;
	return 0;
}

void kettle_cache_exit(void)
{
	kettle_cache_clear();
	crypto_free_shash(kettle_sha256);
}
