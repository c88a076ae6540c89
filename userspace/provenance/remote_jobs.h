/* SPDX-License-Identifier: MIT */
/*
 * The remote compile jobs of a build log (distcc): on a client, each
 * process that connected to a worker, what it sent (the preprocessed
 * source it read: distcc's .i/.ii temporary) and what came back (the .o it
 * wrote); on a worker (distccd under kettle run), each connection it
 * accepted, what it received (the .i/.ii it wrote), which compiler it ran
 * and what it sent back (the .o it read).  The digests are the log's: a
 * temporary's comes from its held descriptor when it was deleted
 * (LOG_DIGEST_AT_DELETE), an object left at the end from its output digest.
 * The provenance lists them (docs/distributed.md); `kettle verify --tree`
 * matches a client's jobs to its workers' by these digests.
 */
#ifndef KETTLE_REMOTE_JOBS_H
#define KETTLE_REMOTE_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "log/log_reader.h"

#define REMOTE_ENDPOINT_MAX 64

struct remote_job {
	uint32_t pid;           /* client: the distcc process; worker: the distccd process that served it */
	uint64_t ts_ns;         /* of the connect (client) or accept (worker) */
	/* client: the worker connected to; worker: the client's address, as accepted */
	char peer[REMOTE_ENDPOINT_MAX];
	const char *source;     /* the preprocessed source's path (sent / received); NULL: none seen */
	const char *object;     /* the object's path (received / sent); NULL: none seen */
	bool has_source, has_object;    /* digests known */
	uint8_t source_sha256[32], object_sha256[32];
	bool distcc;            /* client: the process runs distcc */
	/* the first program a child of the job's process ran: the compiler (worker), the preprocessor (client) */
	const char *compiler;
	bool has_compiler;      /* its exec digest is known */
	uint8_t compiler_sha256[32];
};

struct remote_jobs {
	struct remote_job *v;
	size_t n, cap;
	/* worker: the address it listened on ("127.0.0.2:3632"); "" on a client */
	char listen[REMOTE_ENDPOINT_MAX];
};

/* The jobs of a client log (processes that connected to a TCP address and sent a .i). 0 or -ENOMEM. */
int remote_jobs_client(const struct log_file *f, struct remote_jobs *out);
/* The jobs of a worker log (each accept of a listening process, up to its next). 0 or -ENOMEM. */
int remote_jobs_worker(const struct log_file *f, struct remote_jobs *out);
void remote_jobs_free(struct remote_jobs *j);
/* Whether the two above look at open event EV (F's other opens may be left out of its events). */
bool remote_jobs_uses_open(const struct log_event *ev);

/* What a job lacks for a verifier ("no digest of the object"), or NULL when complete. */
const char *remote_job_missing(const struct remote_job *job);

/*
 * The jobs as a provenance byproduct's annotations: {"listen"?, "jobs": [{
 * "peer", "source": {"path", "sha256"}, "object": {...}, "compiler": {...}, "missing"?}]}.
 * NULL when out of memory.
 */
json_t *remote_jobs_json(const struct remote_jobs *j, bool worker);

/* A statement's build-log byproduct (its log digest, its annotations), or NULL. */
const json_t *remote_statement_build_log(const json_t *st);

/* A worker's statement as given to kettle provenance --worker-statement: its exact bytes and where they came from. */
struct remote_worker_statement {
	const char *name;
	const uint8_t *bytes;
	size_t len;
};

/*
 * The client's references to its workers' statements: for each job of
 * CLIENT that a job listed in one of the N statements W served (the
 * statement's servedJobs listen at the job's peer, with the same source and
 * object digests), a resolved dependency {"uri":
 * "distcc://PEER/source/sha256:HEX", "digest": {"sha256": the statement's},
 * "annotations": {"workerStatement", "object": {"sha256"}}}.  A job no
 * statement served gets none.  A JSON array, or NULL with ERR (a statement
 * that is not JSON or lists no servedJobs, no memory).
 */
json_t *remote_jobs_worker_deps(const struct remote_jobs *client, const struct remote_worker_statement *w, size_t n,
				char *err, size_t errlen);

#endif
