/* SPDX-License-Identifier: MIT */
/*
 * Putting one build into the fleet index (docs/index.md): its log read and
 * checked whole (a log altered or cut short is refused), its replay model
 * turned into rows, its evidence bundle verified and the verdict kept, all
 * in one transaction, so a refused or failed build leaves nothing behind.
 */
#ifndef KETTLE_INDEX_INGEST_H
#define KETTLE_INDEX_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "forensics/index_store.h"

/* What a build's file event says it did (file_events.role). */
enum index_role {
	INDEX_ROLE_READ = 1,
	INDEX_ROLE_EXECUTED = 2,
	INDEX_ROLE_LINKED = 3,          /* a shared object read: loaded by the dynamic linker or dlopen */
	INDEX_ROLE_WROTE = 4,
	INDEX_ROLE_CONNECTED = 5,       /* an endpoint (the endpoints table) */
};

/* "read", "executed", ...; NULL for a number that is none of them. */
const char *index_role_name(int role);

/* The build's attestation verdict (builds.attestation). */
#define INDEX_ATTEST_NONE      "none"       /* no bundle found */
#define INDEX_ATTEST_HARDWARE  "hardware"   /* every check passed on a TEE's evidence */
#define INDEX_ATTEST_SIMULATED "simulated"  /* every check passed, Kettle's software simulator */
#define INDEX_ATTEST_FAILED    "failed"     /* a check failed: attestation_reason names it */

struct index_ingest_result {
	bool added;                     /* false: the same log (by SHA-256) was indexed before */
	int64_t build_id;
	char log_sha256[65];
	char log_path[4096], bundle_path[4096]; /* what was read (bundle_path "": none) */
	uint64_t events, file_events, procs, endpoints;
	char statement_sha256[65];      /* of the bundle's statement, "" without one */
	char attestation[16];
	char attestation_reason[320];
	uint64_t elapsed_ns;
};

/*
 * Indexes the build of PATH: a log, or an evidence bundle (a name ending
 * in ".bundle") whose log sits next to it as STEM.cbor or build.cbor.  A
 * log's bundle is STEM.bundle next to it, else an evidence.bundle there
 * that names this log.  A bundle that names another log than the one it
 * was paired with refuses the build (the log is not what was attested).
 * 0 with RES, or -1 with a one-line ERR.
 */
int index_ingest(struct index_db *db, const char *path, struct index_ingest_result *res, char *err,
		 size_t errlen);

/*
 * Whether the file at PATH is still the log indexed with SHA256 (kettle index
 * serve makes a report only of the very log it indexed).  0, or -1 with ERR:
 * unreadable, or different bytes.
 */
int index_log_unchanged(const char *path, const char *sha256, char *err, size_t errlen);

#endif
