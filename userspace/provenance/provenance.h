/* SPDX-License-Identifier: MIT */
/*
 * A build log turned into SLSA v1.2 provenance: an in-toto Statement v1 with
 * the SLSA Build Provenance predicate, serialized canonically (RFC 8785).
 * Everything in it comes from the log; nothing is looked up on the machine
 * that converts it.  docs/provenance.md is the mapping, docs/build-type.md
 * the buildType.
 */
#ifndef KETTLE_PROVENANCE_H
#define KETTLE_PROVENANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "log/log_reader.h"
#include "provenance/remote_jobs.h"

#define PROVENANCE_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define PROVENANCE_PREDICATE_TYPE "https://slsa.dev/provenance/v1"
#define PROVENANCE_BUILD_TYPE     "https://kettle.dev/build-types/traced-build/v1"
#define PROVENANCE_BUILDER_ID     "https://kettle.dev/builders/kettle-run/v1"
#define PROVENANCE_LOG_MEDIA_TYPE "application/cbor-seq"
/* a log written with --log-compression zstd (the default): the digest is of the zstd file (RFC 8878) */
#define PROVENANCE_LOG_MEDIA_TYPE_ZSTD "application/zstd"

struct provenance_options {
	const char *const *subjects;    /* --subject PATH|GLOB; none: every output under the cwd */
	size_t nsubjects;
	const char *const *excludes;    /* --exclude GLOB, on top of /proc, /sys, /dev and the log */
	size_t nexcludes;
	const char *builder_id;         /* NULL: PROVENANCE_BUILDER_ID */
	const char *log_path;           /* the log itself, left out of the dependencies; may be NULL */
	/* workers' statements: the remote jobs they served become dependencies (docs/distributed.md) */
	const struct remote_worker_statement *workers;
	size_t nworkers;
};

#define PROVENANCE_REASON_LINES 3

/* What the statement says about itself, for messages, exit codes and --json-summary. */
struct provenance_facts {
	size_t subjects, dependencies, excluded;
	size_t intermediates;   /* files the build made and then read or ran: not dependencies */
	uint64_t events, processes, losses;     /* losses: log_losses_total() of the trailer */
	uint64_t changed;       /* inputs or outputs whose digest is not the content the build saw */
	uint64_t unhashed;      /* inputs or outputs the log has no digest for */
	bool mid_build;         /* the record began mid-build (kettle attach: header option complete=false) */
	bool no_subject;        /* no statement: the build left no output to name (a no-op build?) */
	bool complete;          /* no losses, nothing changed, nothing unhashed, not begun mid-build, no reason */
	uint64_t nreasons;      /* named reasons the record is not complete (provenance/completeness.h) */
	char reason_lines[PROVENANCE_REASON_LINES][320];        /* the first ones, one line each, for messages */
	char sha256[65];        /* of the canonical statement bytes (provenance_write) */
};

/*
 * The statement for F, a log with its trailer, whose file's SHA-256 is
 * LOG_SHA256.  NULL with a one-line ERR for an empty subject list or a
 * declared subject the log has no usable digest for (naming it).
 */
json_t *provenance_statement(const struct log_file *f, const uint8_t log_sha256[32],
			     const struct provenance_options *o, struct provenance_facts *facts,
			     char *err, size_t errlen);

/*
 * The Merkle root over resolved dependencies DEPS (a JSON array, in its
 * order): RFC 6962's tree hash with SHA-256, leaf = H(0x00 || JCS(entry)),
 * node = H(0x01 || left || right), empty = H("").  0, or -1 with ERR.
 */
int provenance_merkle_root(const json_t *deps, uint8_t root[32], char *err, size_t errlen);

/* "file://" + PATH with every byte outside RFC 3986 pchar and '/' percent-encoded (malloc'd; NULL: no memory). */
char *provenance_file_uri(const char *path);

/* The run's invocation id (the header's, else boot/start/root pid written into BUF). */
const char *provenance_invocation_id(const struct log_header *h, char *buf, size_t len);
/* The statement's JSON conventions, for other documents made from a log (forensics/ exports): */
/* text from the log: a string when UTF-8, else {"percentEncoded": ...}; NULL -> null */
json_t *provenance_json_text(const char *s);
/* RFC 3339 UTC, whole seconds; NULL when out of range */
json_t *provenance_json_time(uint64_t wall_ns);
/* lower-case hex of N bytes */
json_t *provenance_json_hex(const uint8_t *p, size_t n);

/*
 * Reads LOG_PATH whole, builds its statement and writes the canonical bytes
 * to OUT_PATH ("-": stdout).  Refuses a log cut short (saying where it
 * stops).  0 with FACTS filled (facts->sha256 too), or -1 with ERR.
 */
int provenance_write(const char *log_path, const char *out_path, const struct provenance_options *o,
		     struct provenance_facts *facts, char *err, size_t errlen);

#endif
