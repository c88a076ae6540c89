// SPDX-License-Identifier: MIT
/* Reading /dev/kettle: the kernel module's exec digests into the log. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "collect/kmod_reader.h"
#include "common/clock.h"
#include "common/errf.h"

/* Records read at once, and waiting for the writer thread at most. */
#define READ_RECORDS    16
#define PENDING_RECORDS 1024
#define POLL_MS         100
/* Once the build is over, how long a record waits for room before it counts as lost. */
#define STOP_WAIT_S     5

#define KMOD_FLAGS_ALL (KE_KMOD_CACHE_HIT | KE_KMOD_INTERP | KE_KMOD_PATH_ERROR | KE_KMOD_HAS_IVERSION)

/* The log keeps the module's flags as they are. */
_Static_assert(LOG_KMOD_CACHE_HIT == KE_KMOD_CACHE_HIT && LOG_KMOD_INTERP == KE_KMOD_INTERP &&
	       LOG_KMOD_PATH_ERROR == KE_KMOD_PATH_ERROR && LOG_KMOD_HAS_IVERSION == KE_KMOD_HAS_IVERSION &&
	       LOG_KMOD_FLAGS_ALL == KMOD_FLAGS_ALL, "kmod flags differ between bpf/events.h and log_event.h");

struct kmod_reader {
	int fd;
	char device[256];
	struct ke_kmod_stats start;     /* the module's counters when kettle opened it */
	bool scoped;
	pthread_t thread;
	bool running;
	atomic_bool stop;
	int error;                      /* -errno when the thread had to give up reading */
	/* pending records, a ring shared with the writer thread */
	pthread_mutex_t lock;
	pthread_cond_t room;
	struct ke_kmod_exec *ring;
	size_t head, count;
	uint64_t received, bad_records, lost;
	struct ke_kmod_exec *buf;       /* READ_RECORDS, the thread's own */
};

/* ---- one record from the kernel: outside input ---- */

int kmod_record_check(const void *rec, size_t len, char *why, size_t whylen)
{
	const struct ke_kmod_exec *r = rec;

	if (len != sizeof(*r))
		return errf(why, whylen, "record of %zu bytes (expected %zu)", len, sizeof(*r));
	if (r->h.abi != KETTLE_ABI_VERSION)
		return errf(why, whylen, "abi %u (expected %u)", r->h.abi, KETTLE_ABI_VERSION);
	if (r->h.type != KE_KMOD_EXEC)
		return errf(why, whylen, "type %u (expected %u)", r->h.type, KE_KMOD_EXEC);
	if (r->h.size != sizeof(*r))
		return errf(why, whylen, "size field %u (expected %zu)", r->h.size, sizeof(*r));
	if (r->path_len >= KE_KMOD_PATH_MAX)
		return errf(why, whylen, "path_len %u beyond %u", r->path_len, KE_KMOD_PATH_MAX - 1);
	if (strnlen(r->path, r->path_len + 1) != r->path_len)
		return errf(why, whylen, "path is not %u bytes and a NUL", r->path_len);
	if (r->flags & ~KMOD_FLAGS_ALL)
		return errf(why, whylen, "unknown flags 0x%x", r->flags & ~KMOD_FLAGS_ALL);
	if (!r->path_len != !!(r->flags & KE_KMOD_PATH_ERROR))
		return errf(why, whylen, "path_len %u with%s the path-error flag", r->path_len,
			    r->flags & KE_KMOD_PATH_ERROR ? "" : "out");
	if (r->err > 0 || r->err < -4095)
		return errf(why, whylen, "err %d is not 0 or -errno", r->err);
	return 0;
}

void kmod_record_to_log(const struct ke_kmod_exec *r, struct log_kmod_exec *k)
{
	*k = (struct log_kmod_exec){
		.ts_ns = r->h.ts_ns, .tgid = r->h.tgid, .tid = r->h.tid, .uid = r->h.uid, .gid = r->h.gid,
		.cgroup_id = r->h.cgroup_id, .path = r->path_len ? r->path : NULL, .result = r->err,
		.flags = r->flags, .bytes_hashed = r->bytes_hashed,
		.dev = makedev(r->dev >> 20, r->dev & 0xfffff), .ino = r->ino, .generation = r->generation,
		.size = r->size, .mtime_ns = r->mtime_ns, .ctime_ns = r->ctime_ns, .i_version = r->i_version,
	};
	if (!r->err)
		memcpy(k->sha256, r->digest, sizeof(k->sha256));
}

/* ---- the device ---- */

int kmod_reader_open(const char *device, bool explicit_device, struct kmod_reader **out, char *err,
		     size_t errlen)
{
	struct kmod_reader *k;
	struct stat st;
	int fd;

	*out = NULL;
	if (!device)
		device = getenv(KMOD_DEVICE_ENV);
	explicit_device |= device && *device;
	if (!device || !*device)
		device = KMOD_DEVICE_DEFAULT;
	if (stat(device, &st)) {
		if (errno == ENOENT && !explicit_device)
			return 0;
		return errf(err, errlen, "%s: %s", device, strerror(errno));
	}
	if (!S_ISCHR(st.st_mode))
		return errf(err, errlen, "%s: not a character device, so not the kernel module's", device);
	fd = open(device, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == EBUSY)
		return errf(err, errlen, "%s: busy: the kernel module admits one reader, and another kettle run "
			    "(or a test) has it open", device);
	if (fd < 0)
		return errf(err, errlen, "%s: cannot open the kernel module's device: %s", device, strerror(errno));
	k = calloc(1, sizeof(*k));
	if (!k) {
		close(fd);
		return errf(err, errlen, "out of memory");
	}
	k->fd = fd;
	if (ioctl(fd, KETTLE_IOC_STATS, &k->start)) {
		errf(err, errlen, "%s: not the kettle kernel module's device (KETTLE_IOC_STATS: %s)", device,
		     strerror(errno));
		close(fd);
		free(k);
		return -1;
	}
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->room, NULL);
	snprintf(k->device, sizeof(k->device), "%s", device);
	*out = k;
	return 1;
}

const char *kmod_reader_device(const struct kmod_reader *k)
{
	return k->device;
}

int kmod_reader_set_scope(struct kmod_reader *k, uint64_t cgroup_id, char *err, size_t errlen)
{
	if (ioctl(k->fd, KETTLE_IOC_SET_SCOPE, &cgroup_id))
		return errf(err, errlen, "%s: cannot set the module's scope to cgroup %llu: %s", k->device,
			    (unsigned long long)cgroup_id, strerror(errno));
	k->scoped = true;
	return 0;
}

/* ---- the thread ---- */

/*
 * Keeps one checked record for the writer thread.  While the ring is full it
 * waits (the module's own queue absorbs the burst, and counts what it cannot);
 * once stopping, only STOP_WAIT_S, in case no writer is left.
 */
static void keep(struct kmod_reader *k, const struct ke_kmod_exec *r)
{
	struct timespec limit;

	limit = clock_deadline_ms(STOP_WAIT_S * 1000);
	pthread_mutex_lock(&k->lock);
	while (k->count == PENDING_RECORDS) {
		if (!atomic_load(&k->stop))
			pthread_cond_wait(&k->room, &k->lock);
		else if (pthread_cond_timedwait(&k->room, &k->lock, &limit) == ETIMEDOUT)
			break;
	}
	k->received++;
	if (k->count < PENDING_RECORDS) {
		k->ring[(k->head + k->count) % PENDING_RECORDS] = *r;
		k->count++;
	} else {
		k->lost++;              /* read, but no writer took it: counted, never silent */
	}
	pthread_mutex_unlock(&k->lock);
}

static void count_bad(struct kmod_reader *k)
{
	pthread_mutex_lock(&k->lock);
	k->bad_records++;
	pthread_mutex_unlock(&k->lock);
}

/* One read(): 1 records taken, 0 none there, -errno. */
static int read_once(struct kmod_reader *k)
{
	ssize_t n = read(k->fd, k->buf, READ_RECORDS * sizeof(*k->buf));
	size_t whole;
	char why[128];

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 0;
	whole = (size_t)n / sizeof(*k->buf);
	for (size_t i = 0; i < whole; i++) {
		if (kmod_record_check(&k->buf[i], sizeof(k->buf[i]), why, sizeof(why))) {
			count_bad(k);
			continue;
		}
		keep(k, &k->buf[i]);
	}
	if ((size_t)n % sizeof(*k->buf))       /* the device returns whole records: a piece is a bad one */
		count_bad(k);
	return 1;
}

static void *reader_main(void *arg)
{
	struct kmod_reader *k = arg;
	struct pollfd p = { .fd = k->fd, .events = POLLIN };
	int rc;

	while (!atomic_load(&k->stop)) {
		rc = poll(&p, 1, POLL_MS);
		if (rc < 0 && errno != EINTR) {
			k->error = -errno;
			return NULL;
		}
		if (rc > 0 && (rc = read_once(k)) < 0) {
			k->error = rc;
			return NULL;
		}
	}
	/* the build is over: every record of its execs is queued in the module by now */
	while ((rc = read_once(k)) > 0)
		;
	if (rc < 0)
		k->error = rc;
	return NULL;
}

int kmod_reader_start(struct kmod_reader *k)
{
	int rc;

	k->ring = calloc(PENDING_RECORDS, sizeof(*k->ring));
	k->buf = calloc(READ_RECORDS, sizeof(*k->buf));
	if (!k->ring || !k->buf)
		return -ENOMEM;
	rc = pthread_create(&k->thread, NULL, reader_main, k);
	if (rc)
		return -rc;
	k->running = true;
	return 0;
}

int kmod_reader_write_ready(struct kmod_reader *k, struct log_writer *w)
{
	struct log_kmod_exec rec;
	int rc = 0;

	pthread_mutex_lock(&k->lock);
	/* after a write error the records are still taken, so the reading thread never waits for room */
	while (k->count) {
		kmod_record_to_log(&k->ring[k->head], &rec);
		if (!rc)
			rc = log_write_kmod_exec(w, &rec);
		k->head = (k->head + 1) % PENDING_RECORDS;
		k->count--;
	}
	pthread_cond_signal(&k->room);
	pthread_mutex_unlock(&k->lock);
	return rc;
}

void kmod_reader_stop(struct kmod_reader *k)
{
	if (!k->running)
		return;
	atomic_store(&k->stop, true);
	pthread_mutex_lock(&k->lock);
	pthread_cond_signal(&k->room);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	k->running = false;
}

int kmod_reader_finish(struct kmod_reader *k, struct log_kmod_stats *out, char *err, size_t errlen)
{
	struct ke_kmod_stats now;
	int rc = 0;

	/* a record read but never written is as lost as one the module dropped */
	*out = (struct log_kmod_stats){ .received = k->received, .bad_records = k->bad_records + k->lost };
	if (k->error)
		rc = errf(err, errlen, "%s: reading the module's records failed: %s", k->device, strerror(-k->error));
	else if (ioctl(k->fd, KETTLE_IOC_STATS, &now))
		rc = errf(err, errlen, "%s: KETTLE_IOC_STATS: %s", k->device, strerror(errno));
	if (!rc) {
		out->measured = now.measured - k->start.measured;
		out->cache_hits = now.cache_hits - k->start.cache_hits;
		out->hashed_bytes = now.hashed_bytes - k->start.hashed_bytes;
		out->errors = now.errors - k->start.errors;
		out->dropped = now.dropped - k->start.dropped;
	}
	if (k->scoped && ioctl(k->fd, KETTLE_IOC_CLEAR_SCOPE) && !rc)
		rc = errf(err, errlen, "%s: cannot clear the module's scope: %s", k->device, strerror(errno));
	k->scoped = false;
	return rc;
}

void kmod_reader_close(struct kmod_reader *k)
{
	if (!k)
		return;
	kmod_reader_stop(k);
	pthread_cond_destroy(&k->room);
	pthread_mutex_destroy(&k->lock);
	close(k->fd);
	free(k->ring);
	free(k->buf);
	free(k);
}
