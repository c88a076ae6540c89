/* SPDX-License-Identifier: MIT */
/* Reads a CBOR build log into memory. Every byte is untrusted: bounded, checked, never crashes. */
#ifndef KETTLE_LOG_READER_H
#define KETTLE_LOG_READER_H

#include "log/log_event.h"

struct log_file {
	bool has_header;
	struct log_header header;
	struct log_event *events;
	size_t nevents;
	struct log_checkpoint *checkpoints;
	size_t ncheckpoints;
	struct log_digest *digests;     /* in log order: the order hashing finished */
	size_t ndigests;
	struct log_digest_tally {       /* the digest records counted, as `kettle log stats` shows them */
		uint64_t hashed, failed, changed;
	} digest_tally;
	struct log_exec_ident *exec_idents;
	size_t nexec_idents;
	struct log_kmod_exec *kmod_execs;       /* version 3: what the kernel module measured, in log order */
	size_t nkmod_execs;
	bool has_kmod_stats;
	struct log_kmod_stats kmod_stats;       /* zero without has_kmod_stats */
	bool has_trailer;
	struct log_trailer trailer;     /* trailer.hash is all zero when the run hashed nothing */
	bool truncated;         /* the file ends inside a record or before the trailer */
	bool compressed;        /* the file is a zstd stream of the CBOR (docs/log-format.md, "Compression") */
	uint64_t valid_bytes;   /* CBOR bytes up to the end of the last complete record */
	uint8_t sha256[32];     /* SHA-256 of those CBOR bytes: of the whole CBOR when it is not truncated */
	uint8_t file_sha256[32];        /* SHA-256 of the file as read: its compressed bytes, or (plain) sha256:
					 * what a verifier who holds the file computes, when it is whole */
	uint64_t content_bytes; /* CBOR bytes in the file: file_bytes, or what its zstd stream gave back */
	uint64_t file_bytes;    /* the file's bytes (compressed or not): what bytes/event counts */
	uint64_t nrecords;      /* complete records read (strings, sites, ... included) */
	struct log_reader_store *store;  /* owns strings and arrays (private) */
};

/*
 * Reads the whole log. Returns 0 when at least a header was read (check
 * ->truncated for a log cut short), -1 with a one-line ERR for an empty,
 * unreadable or invalid file.
 */
int log_read_file(const char *path, struct log_file *out, char *err, size_t errlen);
int log_read_buffer(const uint8_t *buf, size_t len, struct log_file *out, char *err, size_t errlen);

/*
 * Where events go instead of ->events, for a reader that needs each one only
 * once (a million events take 136 MB as an array).  FN is called for each
 * complete event record in log order, after the header was read; the event's
 * strings and argv live as long as the log_file, the struct only during the
 * call.  ->events stays NULL, ->nevents counts.  FN returns 0, or -1 with a
 * one-line ERR that the read then fails with.
 */
struct log_event_sink {
	int (*fn)(void *arg, const struct log_event *ev, char *err, size_t errlen);
	void *arg;
	/*
	 * For a reader that counts (kettle log stats): the log is checked as
	 * fully as ever, but nothing whose number grows with the build's files
	 * is kept -- the string table keeps lengths only (every string an event
	 * or digest names reads as ""), open sites are counted, not kept (an
	 * open event's site fields are zero), argv and environment lists are
	 * NULL with their counts, and digests are only tallied (->digests stays
	 * NULL, ->ndigests counts).  The header's strings are kept.
	 */
	bool counts_only;
};

int log_read_file_to(const char *path, struct log_file *out, const struct log_event_sink *sink,
		     char *err, size_t errlen);
int log_read_buffer_to(const uint8_t *buf, size_t len, struct log_file *out,
		       const struct log_event_sink *sink, char *err, size_t errlen);
void log_file_free(struct log_file *f);

/*
 * The value of header option KEY; NULL when the header has no such key or
 * its value is null.  A key given twice counts with its last value
 * (docs/log-format.md).  Kettle never writes a key twice, so only a
 * hand-made log has one; every reader of options goes through here, so
 * that `kettle log` and the provenance statement (whose options object
 * keeps the last value too) cannot tell two stories about such a log.
 */
const char *log_header_option(const struct log_header *h, const char *key);

#endif
