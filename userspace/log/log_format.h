/* SPDX-License-Identifier: MIT */
/*
 * Private to log_writer.c and log_reader.c: record kinds, field positions and
 * limits of the CBOR build log.  docs/log-format.md is the specification;
 * this file must agree with it.
 *
 * Every record is a CBOR array whose first element is its kind.  Events carry
 * no repeated data: timestamps and tgids are deltas from the previous event,
 * strings and open "sites" are references into tables that the log itself
 * builds, and process attributes appear only when they change.
 */
#ifndef KETTLE_LOG_FORMAT_H
#define KETTLE_LOG_FORMAT_H

#include "log/log_event.h"

#define LOG_MAGIC "kettle-log"

/*
 * A log file is either the CBOR sequence itself or one zstd stream of it
 * (docs/log-format.md, "Compression"); a CBOR sequence starts with an array
 * head (0x80..0x9f), never with the zstd frame magic 28 B5 2F FD.
 */
#define LOG_ZSTD_MAGIC     "\x28\xb5\x2f\xfd"
/* The largest zstd window the reader gives memory to: 8 MiB (kettle's levels use 2 MiB at most). */
#define LOG_ZSTD_WINDOW_LOG_MAX 23
/*
 * A zstd stream whose CBOR outgrows its compressed bytes by more than this
 * (after the first LOG_ZSTD_SLACK bytes) is refused as a decompression bomb:
 * kettle's logs compress about 2:1, and what the reader keeps grows with the
 * CBOR, so this keeps the reader's memory bounded by the file's size.
 */
#define LOG_ZSTD_EXPANSION 64u
#define LOG_ZSTD_SLACK     (16u * 1024 * 1024)

enum log_record_kind {
	LOG_REC_HEADER = 0,
	/* 1..5 are events, numbered as enum log_event_type */
	LOG_REC_FORK = LOG_EV_FORK,
	LOG_REC_EXEC = LOG_EV_EXEC,
	LOG_REC_EXEC_FAILED = LOG_EV_EXEC_FAILED,
	LOG_REC_EXIT = LOG_EV_EXIT,
	LOG_REC_OPEN = LOG_EV_OPEN,
	LOG_REC_STRING = 6,
	LOG_REC_ATTRS = 7,
	LOG_REC_SITE = 8,
	LOG_REC_CHECKPOINT = 9,
	LOG_REC_TRAILER = 10,
	LOG_REC_DIGEST = 11,
	LOG_REC_EXEC_IDENT = 12,
	/* events added in version 2 (enum log_event_type 6..8) */
	LOG_REC_PROC_SNAPSHOT = 13,
	LOG_REC_NET = 14,
	LOG_REC_FILE_OP = 15,
	/* tables added in version 3 */
	LOG_REC_ENV = 16,
	/* version 3: from the kernel module (not events) */
	LOG_REC_KMOD_EXEC = 17,
	LOG_REC_KMOD_STATS = 18,
	/* version 4 */
	LOG_REC_NOTICE = 19,
	/* since format version 6 */
	LOG_REC_FORGET = 20,
};

/* Record kind of an event type: 1..5 are the same numbers, the later ones follow the tables. */
static inline uint32_t log_event_record_kind(enum log_event_type t)
{
	if (t == LOG_EV_NOTICE)
		return LOG_REC_NOTICE;
	return t <= LOG_EV_OPEN ? (uint32_t)t : (uint32_t)t - LOG_EV_PROC_SNAPSHOT + LOG_REC_PROC_SNAPSHOT;
}

/* [0, magic, version, kettle_version, host, kernel_release, boot_id,
 *  start_wall_ns, start_boot_ns, root_pid, [command*], cwd, [(key, value)*],
 *  env-rule]  -- env-rule since version 3: [env_mode, [secret_pattern*]] */
enum { HDR_KIND, HDR_MAGIC, HDR_VERSION, HDR_KETTLE_VERSION, HDR_HOST, HDR_KERNEL,
       HDR_BOOT_ID, HDR_START_WALL, HDR_START_BOOT, HDR_ROOT_PID, HDR_COMMAND, HDR_CWD,
       HDR_OPTIONS, HDR_NFIELDS_V2, HDR_ENV_RULE = HDR_NFIELDS_V2, HDR_NFIELDS };
enum { ENVR_MODE, ENVR_PATTERNS, ENVR_NFIELDS };

/*
 * [16, envc, flags, [var-ref*]]: an environment, numbered from 0 in log
 * order.  Written once; every exec with the same one refers to its number.
 */
enum { ENV_KIND, ENV_ENVC, ENV_FLAGS, ENV_VARS, ENV_NFIELDS };

/* [6, text] or [6, prefix-ref, suffix]: the string is prefix + suffix */
enum { STR_NFIELDS_PLAIN = 2, STR_NFIELDS_PREFIXED = 3 };

/*
 * [20, strings, sites, environments]: the writer forgot its tables; no
 * later record names a string, site or environment id below these counts
 * of the records of each kind before it.  Since version 6.
 */
enum { FORGET_KIND, FORGET_STRINGS, FORGET_SITES, FORGET_ENVS, FORGET_NFIELDS };

/* [7, tid, uid, gid, cgroup_id, mntns] */
enum { ATTR_KIND, ATTR_TID, ATTR_UID, ATTR_GID, ATTR_CGROUP, ATTR_MNTNS, ATTR_NFIELDS };

/*
 * The slot of TID in a map of process attributes whose capacity is MASK + 1
 * (a power of two).  Writer and reader each keep such a map to resolve an
 * event's attributes (docs/log-format.md, "Process attributes"); one hash
 * serves both.
 */
static inline uint32_t log_attr_pos(uint32_t tid, uint32_t mask)
{
	return (tid * 0x9e3779b1u) & mask;
}

/* [8, path-ref, path_flags, passed-ref / null, call, flags, mode,
 *  (dev, ino, size, mtime_ns, ctime_ns)?]  -- the stat part is left out when all zero */
enum { SITE_KIND, SITE_PATH, SITE_PATH_FLAGS, SITE_PASSED, SITE_CALL, SITE_FLAGS, SITE_MODE,
       SITE_DEV, SITE_INO, SITE_SIZE, SITE_MTIME, SITE_CTIME, SITE_NFIELDS };
#define SITE_NFIELDS_NOSTAT SITE_DEV

/*
 * Every event starts [kind, dt, dtgid, ...] and may end with one optional
 * element, tid - tgid, left out when it is 0 (the main thread).
 *   dt    = ts_ns - previous event's ts_ns (start_boot_ns for the first)
 *   dtgid = tgid - previous event's tgid (root_pid for the first)
 */
enum { EV_KIND, EV_DT, EV_DTGID, EV_BODY };
/* [1, dt, dtgid, child - tgid] */
enum { FORK_CHILD = EV_BODY, FORK_NFIELDS };
/* [2, dt, dtgid, exe, exe_flags, filename, cwd, cwd_flags, ppid, argc, argv_truncated, [argv*],
 *  env]  -- env since version 3: an environment's number, or null (not recorded) */
enum { EXEC_EXE = EV_BODY, EXEC_EXE_FLAGS, EXEC_FILENAME, EXEC_CWD, EXEC_CWD_FLAGS,
       EXEC_PPID, EXEC_ARGC, EXEC_ARGV_TRUNCATED, EXEC_ARGV, EXEC_NFIELDS_V2,
       EXEC_ENV = EXEC_NFIELDS_V2, EXEC_NFIELDS };
/* [3, dt, dtgid, err, filename, path, path_flags, ppid] */
enum { EXECF_ERR = EV_BODY, EXECF_FILENAME, EXECF_PATH, EXECF_PATH_FLAGS, EXECF_PPID,
       EXECF_NFIELDS };
/* [4, dt, dtgid, status] */
enum { EXIT_STATUS = EV_BODY, EXIT_NFIELDS };
/* [13, dt, dtgid, ppid, exe, exe_flags, cwd, cwd_flags, argc, argv_truncated, [argv*],
 *  start_boot_ns, flags] */
enum { SNAP_PPID = EV_BODY, SNAP_EXE, SNAP_EXE_FLAGS, SNAP_CWD, SNAP_CWD_FLAGS, SNAP_ARGC,
       SNAP_ARGV_TRUNCATED, SNAP_ARGV, SNAP_START, SNAP_FLAGS, SNAP_NFIELDS };
/*
 * [14, dt, dtgid, call, result, fd, family, sock_type, protocol, flags, addr_source, port,
 *  addr, unix_path, dns, [dns_names*]]
 *   addr: a byte string of 0, 4 or 16 bytes (the address without its zero tail)
 */
enum { NET_CALL = EV_BODY, NET_RESULT, NET_FD, NET_FAMILY, NET_SOCK_TYPE, NET_PROTOCOL,
       NET_FLAGS, NET_ADDR_SOURCE, NET_PORT, NET_ADDR, NET_UNIX_PATH, NET_DNS, NET_DNS_NAMES,
       NET_NFIELDS };
/* [15, dt, dtgid, call, result, path, path_flags, path2, path2_flags, target, flags, mode, length] */
enum { FOP_CALL = EV_BODY, FOP_RESULT, FOP_PATH, FOP_PATH_FLAGS, FOP_PATH2, FOP_PATH2_FLAGS,
       FOP_TARGET, FOP_FLAGS, FOP_MODE, FOP_LENGTH, FOP_NFIELDS };
/* [19, dt, dtgid, what, nr, result, arg0, arg1]  -- version 4 */
enum { NOTICE_WHAT = EV_BODY, NOTICE_NR, NOTICE_RESULT, NOTICE_ARG0, NOTICE_ARG1, NOTICE_NFIELDS };
/*
 * [5, dt, dtgid, dsite, result]
 *   site = base + 1 + dsite, base = the site of this tgid's previous open when
 *   the site cache still holds it, else the site of the previous open of any
 *   process (-1 before the first).  A compiler opens headers in the order the
 *   previous one did, so dsite is mostly 0 or small.
 */
enum { OPEN_SITE = EV_BODY, OPEN_RESULT, OPEN_NFIELDS };
#define LOG_SITE_CACHE 4096     /* direct-mapped by tgid % LOG_SITE_CACHE */

struct log_site_cache {
	uint32_t last;                  /* site of the previous open, UINT32_MAX for none */
	struct {
		uint32_t tgid, site;
		bool used;
	} slot[LOG_SITE_CACHE];
};

/* The site a dsite is relative to, minus one. */
static inline uint32_t log_site_base(const struct log_site_cache *c, uint32_t tgid)
{
	uint32_t i = tgid % LOG_SITE_CACHE;

	return c->slot[i].used && c->slot[i].tgid == tgid ? c->slot[i].site : c->last;
}

static inline void log_site_seen(struct log_site_cache *c, uint32_t tgid, uint32_t site)
{
	uint32_t i = tgid % LOG_SITE_CACHE;

	c->slot[i].used = true;
	c->slot[i].tgid = tgid;
	c->slot[i].site = site;
	c->last = site;
}

/* [[ringbuf_drops * event types], path  -- LOG_EV_TYPE_MAX entries (version 1: 6), argv, string, pending_full, tracked_full,
 *  env, unaccounted]  -- env since version 3, unaccounted since version 5 */
enum { LOSS_DROPS, LOSS_PATH, LOSS_ARGV, LOSS_STRING, LOSS_PENDING, LOSS_TRACKED, LOSS_NFIELDS_V2,
       LOSS_ENV = LOSS_NFIELDS_V2, LOSS_NFIELDS_V4, LOSS_UNACCOUNTED = LOSS_NFIELDS_V4, LOSS_NFIELDS };
/* [9, boot_ns, events, losses, sha256] */
enum { CP_KIND, CP_BOOT, CP_EVENTS, CP_LOSSES, CP_SHA256, CP_NFIELDS };
/* [queued, hashed, failed, changed, queue_full] */
enum { HS_QUEUED, HS_HASHED, HS_FAILED, HS_CHANGED, HS_QUEUE_FULL, HS_NFIELDS };
/* [10, end_wall_ns, end_boot_ns, exit_status, kettle_exit, [events_by_type * LOG_EV_TYPE_MAX],
 *  losses, sha256, hash-stats?]  -- hash stats left out when all zero (no hashing) */
enum { TR_KIND, TR_END_WALL, TR_END_BOOT, TR_EXIT_STATUS, TR_KETTLE_EXIT, TR_BY_TYPE,
       TR_LOSSES, TR_SHA256, TR_HASH, TR_NFIELDS };
#define TR_NFIELDS_NOHASH TR_HASH

/*
 * [11, kind, path-ref, dt, outcome, flags, identity...]
 *   dt      = boot_ns - the previous event's ts_ns (start_boot_ns before the first);
 *             a digest does not move that origin
 *   outcome = the 32-byte SHA-256 (result 0), or result as a negative integer
 *   identity: nothing (all zero), one site id (equal to that open site's stat
 *             part), or dev, ino, size, mtime_ns, ctime_ns
 */
enum { DG_KIND, DG_DKIND, DG_PATH, DG_DT, DG_OUTCOME, DG_FLAGS, DG_SITE, DG_NFIELDS_SITE };
enum { DG_DEV = DG_SITE, DG_INO, DG_SIZE, DG_MTIME, DG_CTIME, DG_NFIELDS };
#define DG_NFIELDS_NOID DG_SITE

/*
 * [12, path-ref, result, file_kind, elf_class, elf_machine, build_id, interp, soname,
 *  runpath, [needed*], script_interp, script_arg]
 *   strings are string refs or null; the record ends after its last field
 *   that is not null / 0 / [] (a failed one is [12, path, -errno])
 */
enum { XI_KIND, XI_PATH, XI_RESULT, XI_FILE_KIND, XI_CLASS, XI_MACHINE, XI_BUILD_ID,
       XI_INTERP, XI_SONAME, XI_RUNPATH, XI_NEEDED, XI_SCRIPT_INTERP, XI_SCRIPT_ARG,
       XI_NFIELDS };
#define XI_NFIELDS_MIN XI_FILE_KIND

/*
 * [17, dt, tgid, tid, uid, gid, cgroup_id, path-ref / null, sha256 / -errno, flags,
 *  bytes_hashed, dev, ino, generation, size, mtime_ns, ctime_ns, i_version]
 *   dt as for a digest: from the previous event's ts_ns, which it does not move
 */
enum { KX_KIND, KX_DT, KX_TGID, KX_TID, KX_UID, KX_GID, KX_CGROUP, KX_PATH, KX_OUTCOME,
       KX_FLAGS, KX_BYTES, KX_DEV, KX_INO, KX_GENERATION, KX_SIZE, KX_MTIME, KX_CTIME,
       KX_IVERSION, KX_NFIELDS };
/* [18, measured, cache_hits, hashed_bytes, errors, dropped, received, bad_records]: once, before the trailer */
enum { KS_KIND, KS_MEASURED, KS_CACHE_HITS, KS_HASHED_BYTES, KS_ERRORS, KS_DROPPED,
       KS_RECEIVED, KS_BAD_RECORDS, KS_NFIELDS };

/* Limits, shared so that the writer never produces what the reader refuses. */
#define LOG_STR_MAX        (256u * 1024)  /* bytes of one string (Linux: MAX_ARG_STRLEN 128 KiB) */
#define LOG_ARGV_MAX       65536u         /* entries of an exec argv */
#define LOG_COMMAND_MAX    (1u << 20)     /* entries of the header's command */
#define LOG_OPTIONS_MAX    4096u          /* header options */
#define LOG_STRINGS_MAX    (1u << 30)     /* string-table entries */
#define LOG_SITES_MAX      (1u << 30)     /* open-site entries */
#define LOG_NEEDED_MAX     4096u          /* DT_NEEDED entries of one exec identity */
#define LOG_DNS_NAMES_MAX  64u            /* query names of one net event */
#define LOG_ENV_VARS_MAX   4096u          /* strings of one environment (kettle keeps 512) */
#define LOG_ENVS_MAX       (1u << 30)     /* environment entries */
#define LOG_SECRET_PATTERNS_MAX 4096u     /* the header's env rule */
/* The reader materialises prefixed strings; it refuses to hold more string
 * bytes than this multiple of the file size (plus a constant). */
#define LOG_STR_EXPANSION  16u
#define LOG_STR_SLACK      (16u * 1024 * 1024)

#define LOG_REF_NONE UINT32_MAX  /* a NULL string */

#endif
