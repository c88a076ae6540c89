/* SPDX-License-Identifier: MIT */
/* The build report: one self-contained HTML page (inline CSS, JS and data; nothing fetched). */
#ifndef KETTLE_REPORT_HTML_H
#define KETTLE_REPORT_HTML_H

#include <stdio.h>

#include <jansson.h>

#include "attest/check.h"
#include "forensics/replay.h"

/* A provenance subject checked against the log's output digests. */
enum report_subject_match { RS_MATCH, RS_DIFFERS, RS_NOT_IN_LOG, RS_NO_SHA256 };

struct report_subject {
	const char *name;
	const char *sha256;             /* lowercase hex from the statement, or NULL */
	enum report_subject_match match;
	uint32_t file;                  /* the log's file, REPLAY_NONE */
};

struct report_input {
	const struct replay *r;
	const char *log_path;
	const char *provenance_path;    /* NULL: no provenance given */
	const char *predicate_type;
	const struct report_subject *subjects;
	size_t nsubjects;
	/* --bundle: the evidence checked offline (NULL path: none given) */
	const char *bundle_path;
	const char *platform;           /* "sev-snp", "tdx", ... */
	bool simulated;                 /* labelled or signed as the simulator's */
	const char *created;
	const struct check_list *checks;
	bool attested;                  /* every check passed */
};

/*
 * What the evidence proves, one state per colour on the page: passing checks
 * on the simulator's evidence prove nothing about a machine, so they must
 * never read like a hardware pass.
 */
enum report_evidence {
	REPORT_EVIDENCE_ABSENT,         /* no --bundle */
	REPORT_EVIDENCE_FAILED,         /* a check failed (red) */
	REPORT_EVIDENCE_SIMULATED,      /* every check passed, on SIMULATED evidence (amber) */
	REPORT_EVIDENCE_HARDWARE,       /* every check passed, on a TEE's evidence (green) */
};

enum report_evidence report_evidence_state(const struct report_input *in);

/* Writes the page. 0, or -1 when a write failed. */
int report_html_write(FILE *out, const struct report_input *in);

#endif
