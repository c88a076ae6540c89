// SPDX-License-Identifier: MIT
/* kettle report LOG [--provenance FILE] -o report.html: the build on one self-contained page. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "attest/bundle_verify.h"
#include "cli/commands.h"
#include "cli/forensic_cli.h"
#include "forensics/report_html.h"
#include "log/show_fmt.h"

#define PROVENANCE_MAX (64u << 20)      /* bytes: a statement is kilobytes to a few megabytes */
#define SUBJECTS_MAX 100000u

static const char report_help[] =
	"Usage: kettle report LOG [--provenance FILE] [--bundle FILE [--allow-sim]] -o REPORT.html\n\n"
	"Writes one self-contained HTML page (inline styles, script and data; it fetches\n"
	"nothing) about the build: the command and its outcome; completeness (events lost,\n"
	"paths or argv cut, files not hashed or changed while the build ran); network and\n"
	"hermeticity; every process on a timeline (click a bar for its command); the\n"
	"outputs with their digests and writers; the executed toolchain with build-ids;\n"
	"the inputs with their digests (each table has a filter box).\n"
	"--provenance FILE: an in-toto statement (kettle provenance); each subject's sha256\n"
	"is checked against the log's digest of that output, and the page shows the verdict.\n"
	"--bundle FILE: an evidence bundle; it is verified offline as kettle verify does\n"
	"(platform report, certificate chain, statement binding; no policy), every check is\n"
	"shown, and its statement stands for --provenance when that is not given.\n"
	"SIMULATED evidence fails unless --allow-sim is given, and then shows in amber as\n"
	"SIMULATED (Kettle's software simulator: it proves nothing about a machine), never\n"
	"in the green of evidence verified by hardware.\n"
	"Exit status: 0; 1 when a provenance subject does not match the log or the evidence\n"
	"does not verify; 125 for an unreadable log, statement or bundle, or an unwritable\n"
	"output.\n";

struct provenance {
	json_t *root;
	const char *predicate_type;
	struct report_subject *subjects;
	size_t nsubjects;
};

/* The statement's subjects; P->root already parsed from PATH (a file, or a bundle's statement). */
static int read_subjects(const char *path, struct provenance *p)
{
	json_t *subjects;

	subjects = json_object_get(p->root, "subject");
	if (!json_is_object(p->root) || !json_is_array(subjects)) {
		fprintf(stderr, "kettle report: --provenance %s: not an in-toto statement (no "
			"\"subject\" array)\n", path);
		return -1;
	}
	if (json_array_size(subjects) > SUBJECTS_MAX) {
		fprintf(stderr, "kettle report: --provenance %s: %zu subjects (limit %u)\n", path,
			json_array_size(subjects), SUBJECTS_MAX);
		return -1;
	}
	p->predicate_type = json_string_value(json_object_get(p->root, "predicateType"));
	p->nsubjects = json_array_size(subjects);
	p->subjects = calloc(p->nsubjects + 1, sizeof(*p->subjects));
	if (!p->subjects) {
		fprintf(stderr, "kettle report: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < p->nsubjects; i++) {
		json_t *s = json_array_get(subjects, i);
		const char *name = json_string_value(json_object_get(s, "name"));

		if (!name) {
			fprintf(stderr, "kettle report: --provenance %s: subject %zu has no name\n", path, i);
			return -1;
		}
		p->subjects[i].name = name;
		p->subjects[i].sha256 = json_string_value(json_object_get(json_object_get(s, "digest"),
									  "sha256"));
	}
	return 0;
}

static int load_provenance(const char *path, struct provenance *p)
{
	json_error_t jerr;
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "kettle report: --provenance %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (st.st_size > PROVENANCE_MAX) {
		fprintf(stderr, "kettle report: --provenance %s: %lld bytes, more than a statement "
			"can be (limit %u)\n", path, (long long)st.st_size, PROVENANCE_MAX);
		return -1;
	}
	p->root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!p->root) {
		fprintf(stderr, "kettle report: --provenance %s: not JSON: %s (line %d)\n", path,
			jerr.text, jerr.line);
		return -1;
	}
	return read_subjects(path, p);
}

struct evidence {
	struct bundle b;
	bool loaded;
	struct check_list checks;
	bool passed;
	bool simulated;
};

/* Reads and verifies the bundle; its statement becomes the provenance when none was given. */
static int load_bundle(const char *path, bool allow_sim, struct evidence *ev, struct provenance *p,
		       const char **prov_path)
{
	struct bundle_verify_opts vo = { .now = time(NULL), .allow_sim = allow_sim };
	struct bundle_verified v;
	json_error_t jerr;
	char err[1024];

	if (bundle_read_file(path, &ev->b, err, sizeof(err))) {
		fprintf(stderr, "kettle report: --bundle %s: %s\n", path, err);
		return -1;
	}
	ev->loaded = true;
	ev->passed = bundle_verify(&ev->b, &vo, &ev->checks, &v);
	/* the signer counts as well as the label, so a relabelled bundle is still shown as the simulator's */
	ev->simulated = ev->b.simulated || (v.have_snp && v.snp.simulated);
	if (*prov_path)
		return 0;
	p->root = json_loadb((const char *)ev->b.statement, ev->b.statement_len,
			     JSON_REJECT_DUPLICATES, &jerr);
	if (!p->root) {
		fprintf(stderr, "kettle report: --bundle %s: its statement is not JSON: %s\n", path,
			jerr.text);
		return -1;
	}
	*prov_path = path;
	return read_subjects(path, p);
}

static size_t check_subjects(const struct replay *r, struct provenance *p)
{
	size_t bad = 0;

	for (size_t i = 0; i < p->nsubjects; i++) {
		struct report_subject *s = &p->subjects[i];
		const struct log_digest *d;
		char err[512], hex[65];

		s->file = replay_file_resolve(r, s->name, err, sizeof(err));
		d = s->file == REPLAY_NONE ? NULL : replay_file_digest(r, s->file);
		if (!s->sha256)
			s->match = RS_NO_SHA256;
		else if (!d || !(r->files[s->file].flags & RF_WRITTEN))
			s->match = RS_NOT_IN_LOG;
		else
			show_sha256_hex(d->sha256, hex), s->match = strcmp(hex, s->sha256) ? RS_DIFFERS :
								     RS_MATCH;
		bad += s->match != RS_MATCH;
	}
	return bad;
}

/* The page's evidence state in words, so a reader of the terminal sees what the page shows. */
static void evidence_line(const struct report_input *in)
{
	switch (report_evidence_state(in)) {
	case REPORT_EVIDENCE_ABSENT:
		break;
	case REPORT_EVIDENCE_FAILED:
		fprintf(stderr, "kettle report: the evidence in %s does not verify%s\n", in->bundle_path,
			in->simulated ? " -- SIMULATED evidence" : "");
		break;
	case REPORT_EVIDENCE_SIMULATED:
		fprintf(stderr, "kettle report: the evidence in %s is SIMULATED: every check passed, but it "
			"comes from Kettle's software simulator, which proves nothing about a machine\n",
			in->bundle_path);
		break;
	case REPORT_EVIDENCE_HARDWARE:
		fprintf(stderr, "kettle report: the evidence in %s is verified by hardware (%s): every check "
			"passed\n", in->bundle_path, in->platform);
		break;
	}
}

int cmd_report(int argc, char **argv)
{
	const char *log_path = NULL, *out_path = NULL, *prov_path = NULL, *bundle_path = NULL;
	struct provenance prov = { 0 };
	struct evidence ev = { 0 };
	bool allow_sim = false;
	struct report_input in = { 0 };
	struct forensic_log fl;
	size_t bad = 0;
	FILE *out;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (forensic_is_help(argv[i])) {
			fputs(report_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[++i];
		} else if (!strcmp(argv[i], "--provenance") && i + 1 < argc) {
			prov_path = argv[++i];
		} else if (!strcmp(argv[i], "--bundle") && i + 1 < argc) {
			bundle_path = argv[++i];
		} else if (!strcmp(argv[i], "--allow-sim")) {
			allow_sim = true;
		} else if ((argv[i][0] == '-' && argv[i][1]) || log_path) {
			fprintf(stderr, "kettle report: unexpected argument '%s' (kettle report --help)\n",
				argv[i]);
			return KETTLE_EXIT_OWN_ERROR;
		} else {
			log_path = argv[i];
		}
	}
	if (!log_path || !out_path) {
		fprintf(stderr, "kettle report: expected LOG -o REPORT.html (kettle report --help)\n");
		return KETTLE_EXIT_OWN_ERROR;
	}
	if ((prov_path && load_provenance(prov_path, &prov)) ||
	    (bundle_path && load_bundle(bundle_path, allow_sim, &ev, &prov, &prov_path)) ||
	    forensic_open_with_events("report", log_path, &fl)) {
		json_decref(prov.root);
		free(prov.subjects);
		if (ev.loaded)
			bundle_free(&ev.b);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (prov_path)
		bad = check_subjects(&fl.model, &prov);
	in = (struct report_input){ .r = &fl.model, .log_path = log_path, .provenance_path = prov_path,
				    .predicate_type = prov.predicate_type, .subjects = prov.subjects,
				    .nsubjects = prov.nsubjects, .bundle_path = bundle_path,
				    .platform = ev.loaded ? bundle_platform_name(ev.b.platform) : NULL,
				    .simulated = ev.simulated,
				    .created = ev.loaded ? ev.b.created : NULL, .checks = &ev.checks,
				    .attested = ev.passed };
	out = fopen(out_path, "w");
	if (!out) {
		fprintf(stderr, "kettle report: %s: %s\n", out_path, strerror(errno));
		rc = KETTLE_EXIT_OWN_ERROR;
	} else {
		rc = report_html_write(out, &in);
		if (fclose(out) || rc) {
			fprintf(stderr, "kettle report: %s: cannot write the page\n", out_path);
			rc = KETTLE_EXIT_OWN_ERROR;
		} else {
			fprintf(stderr, "kettle report: wrote %s (%u processes)\n", out_path,
				fl.model.nprocs);
			if (bad)
				fprintf(stderr, "kettle report: %zu provenance subjects do not match the log\n",
					bad);
			evidence_line(&in);
			rc = bad || (bundle_path && !ev.passed) ? 1 : 0;
		}
	}
	forensic_close(&fl);
	json_decref(prov.root);
	free(prov.subjects);
	if (ev.loaded)
		bundle_free(&ev.b);
	return rc;
}
