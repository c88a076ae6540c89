// SPDX-License-Identifier: MIT
/*
 * kettle verify BUNDLE [--artifact FILE]... [--nonce HEX] [--policy FILE] [--now TIME] [--allow-sim] [--json]
 * kettle verify --report FILE [--certs FILE]... [--platform snp|tdx] [--now TIME] [--json]
 * Offline verification: every check printed with PASS/FAIL and its reason;
 * exit 0 when all pass, 1 when one failed, 125 for input that cannot be used.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "attest/bundle.h"
#include "attest/bundle_verify.h"
#include "attest/policy.h"
#include "attest/snp_verify.h"
#include "attest/tdx_report.h"
#include "attest/tdx_verify.h"
#include "cli/cli_err.h"
#include "cli/commands.h"
#include "common/file_bytes.h"
#include "common/time_parse.h"
#include "hash/hash_engine.h"
#include "provenance/envelope_verify.h"
#include "provenance/sigstore_bundle.h"

#define ARTIFACTS_MAX 1024
#define CERT_FILES_MAX 8

struct verify_options {
	const char *bundle, *report, *policy_path;
	const char *dsse, *sigstore;            /* the signed statement, checked against the bound key */
	const char *artifacts[ARTIFACTS_MAX];
	size_t nartifacts;
	const char *cert_files[CERT_FILES_MAX];
	size_t ncert_files;
	enum { PLAT_AUTO, PLAT_SNP, PLAT_TDX } platform;
	bool has_nonce;
	uint8_t nonce[NONCE_LEN];
	time_t now;
	bool allow_sim, json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kettle verify BUNDLE [--dsse FILE | --sigstore-bundle FILE] [--artifact FILE]...\n"
		"                     [--nonce HEX] [--policy FILE] [--now TIME] [--allow-sim] [--json]\n"
		"       kettle verify --report FILE [--certs FILE]... [--platform snp|tdx] [--now TIME] [--json]\n"
		"       kettle verify --tree CLIENT_BUNDLE WORKER_BUNDLE... --log FILE... (kettle verify --tree --help)\n"
		"Checks evidence offline, trusting only the pinned AMD / Intel roots, and prints every\n"
		"check with PASS or FAIL and the reason (docs/attestation.md).\n\n"
		"  --dsse FILE       a DSSE envelope of the statement: its signature must verify with the\n"
		"                    session key the report binds, its payload be the attested statement\n"
		"  --sigstore-bundle FILE  the same envelope inside a Sigstore bundle v0.3 (public-key hint)\n"
		"  --artifact FILE   FILE's SHA-256 must be the digest of a subject of the statement\n"
		"  --nonce HEX       the 32-byte nonce (64 hex digits) the report must carry\n"
		"  --policy FILE     JSON policy: platforms, measurements, TCB, debug, VMPL, nonce\n"
		"  --now TIME        check certificate validity at TIME: RFC 3339 (2026-02-03T01:00:00Z)\n"
		"                    or unix seconds (default: now)\n"
		"  --allow-sim       accept SIMULATED evidence (kettle's software simulator)\n"
		"  --report FILE     verify a raw SNP report (binary or hex) or TDX quote made by any\n"
		"                    tool, and print its fields; no statement binding\n"
		"  --certs FILE      certificates for --report (DER, PEM or a PEM bundle: VCEK/VLEK,\n"
		"                    ASK/ASVK, ARK; a TDX quote carries its own PCK chain)\n"
		"  --platform P      snp or tdx for --report (default: recognised from the bytes)\n"
		"  --json            one JSON object on stdout\n"
		"The summary line says OK for evidence verified by hardware, SIMULATED for evidence\n"
		"from kettle's software simulator (it proves nothing about a machine), FAILED otherwise;\n"
		"--json says the same in \"evidence\": \"hardware\", \"simulated\" or \"failed\".\n"
		"Exit status: 0 every check passed, 1 a check failed, 125 unusable input.\n");
}

static int parse_args(int argc, char **argv, struct verify_options *o)
{
	enum { O_ARTIFACT = 0x100, O_NONCE, O_POLICY, O_NOW, O_ALLOW_SIM, O_JSON, O_REPORT, O_CERTS, O_PLATFORM,
	       O_DSSE, O_SIGSTORE };
	static const struct option longopts[] = {
		{ "artifact", required_argument, NULL, O_ARTIFACT },
		{ "nonce", required_argument, NULL, O_NONCE },
		{ "policy", required_argument, NULL, O_POLICY },
		{ "now", required_argument, NULL, O_NOW },
		{ "allow-sim", no_argument, NULL, O_ALLOW_SIM },
		{ "json", no_argument, NULL, O_JSON },
		{ "report", required_argument, NULL, O_REPORT },
		{ "certs", required_argument, NULL, O_CERTS },
		{ "platform", required_argument, NULL, O_PLATFORM },
		{ "dsse", required_argument, NULL, O_DSSE },
		{ "sigstore-bundle", required_argument, NULL, O_SIGSTORE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[128];
	int opt;

	o->now = time(NULL);
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_ARTIFACT:
			if (o->nartifacts == ARTIFACTS_MAX) {
				cli_err("verify", "more than %d --artifact", ARTIFACTS_MAX);
				return -1;
			}
			o->artifacts[o->nartifacts++] = optarg;
			break;
		case O_NONCE:
			if (nonce_parse(optarg, o->nonce, err, sizeof(err))) {
				cli_err("verify", "--nonce: %s", err);
				return -1;
			}
			o->has_nonce = true;
			break;
		case O_POLICY: o->policy_path = optarg; break;
		case O_NOW:
			if (time_parse(optarg, &o->now)) {
				cli_err("verify", "--now '%s': expected RFC 3339 "
					"(2026-02-03T01:00:00Z) or unix seconds", optarg);
				return -1;
			}
			break;
		case O_ALLOW_SIM: o->allow_sim = true; break;
		case O_JSON: o->json = true; break;
		case O_REPORT: o->report = optarg; break;
		case O_DSSE: o->dsse = optarg; break;
		case O_SIGSTORE: o->sigstore = optarg; break;
		case O_CERTS:
			if (o->ncert_files == CERT_FILES_MAX) {
				cli_err("verify", "more than %d --certs", CERT_FILES_MAX);
				return -1;
			}
			o->cert_files[o->ncert_files++] = optarg;
			break;
		case O_PLATFORM:
			if (!strcmp(optarg, "snp"))
				o->platform = PLAT_SNP;
			else if (!strcmp(optarg, "tdx"))
				o->platform = PLAT_TDX;
			else {
				cli_err("verify", "--platform: '%s' is not snp or tdx", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (o->report) {
		if (optind != argc || o->nartifacts || o->has_nonce || o->policy_path || o->dsse || o->sigstore) {
			cli_err("verify", "--report takes no BUNDLE, --artifact, --nonce, --policy, --dsse or --sigstore-bundle "
				"(there is no statement to bind)");
			return -1;
		}
		return 0;
	}
	if (optind != argc - 1) {
		cli_err("verify", "give exactly one BUNDLE (or --report FILE)");
		usage(stderr);
		return -1;
	}
	if (o->ncert_files || o->platform != PLAT_AUTO) {
		cli_err("verify", "--certs and --platform go with --report; a bundle carries its own");
		return -1;
	}
	if (o->dsse && o->sigstore) {
		cli_err("verify", "give --dsse or --sigstore-bundle, not both (they hold the same envelope)");
		return -1;
	}
	o->bundle = argv[optind];
	return 0;
}

/* The envelope of --dsse or --sigstore-bundle into E (and the bundle's key hint); 0, or -1 after a message. */
static int load_signed(const struct verify_options *o, struct dsse_envelope *e, char hint[SIGSTORE_HINT_MAX + 1])
{
	const char *path = o->dsse ? o->dsse : o->sigstore;
	char err[512];
	uint8_t *buf;
	size_t len;
	int r;

	if (file_read_bounded(path, DSSE_FILE_MAX, &buf, &len, err, sizeof(err))) {
		cli_err("verify", "%s", err);
		return -1;
	}
	r = o->dsse ? dsse_decode(buf, len, e, err, sizeof(err))
		    : sigstore_bundle_decode(buf, len, e, hint, err, sizeof(err));
	free(buf);
	if (r)
		cli_err("verify", "%s: %s", path, err);
	return r;
}

/* ---- output ---- */

static const char *result_word(const struct check_result *c)
{
	return c->note ? "NOTE" : c->passed ? "PASS" : "FAIL";
}

static void print_checks(const struct check_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		printf("%s  %-34s %s\n", result_word(&l->items[i]), l->items[i].name, l->items[i].reason);
	if (l->dropped)
		printf("FAIL  %-34s %zu more checks than the list holds\n", "checks", l->dropped);
}

static json_t *checks_json(const struct check_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < l->n; i++) {
		const struct check_result *c = &l->items[i];
		const char *word = c->note ? "note" : c->passed ? "pass" : "fail";

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "name", c->name, "result", word,
						     "reason", c->reason));
	}
	return arr;
}

/*
 * Passing checks on the simulator's evidence prove nothing about a machine, so
 * they get a state of their own rather than a flag beside "passed".
 */
enum evidence_state { EV_FAILED, EV_SIMULATED, EV_HARDWARE };

static const char *const evidence_word[] = {
	[EV_FAILED] = "failed", [EV_SIMULATED] = "simulated", [EV_HARDWARE] = "hardware",
};

static enum evidence_state evidence_state(const struct check_list *l, bool simulated)
{
	if (!check_all_passed(l))
		return EV_FAILED;
	return simulated ? EV_SIMULATED : EV_HARDWARE;
}

static int summary(const struct check_list *l, bool simulated, const char *what, const char *platform)
{
	size_t failed = l->dropped, checks = l->dropped;

	for (size_t i = 0; i < l->n; i++)
		if (!l->items[i].note) {
			checks++;
			failed += !l->items[i].passed;
		}
	switch (evidence_state(l, simulated)) {
	case EV_HARDWARE:
		printf("kettle verify: %s: OK, all %zu checks passed: verified by hardware (%s evidence)\n", what,
		       checks, platform);
		return 0;
	case EV_SIMULATED:
		printf("kettle verify: %s: SIMULATED, all %zu checks passed, but the evidence comes from Kettle's "
		       "software simulator: it proves nothing about a machine\n", what, checks);
		return 0;
	case EV_FAILED:
		break;
	}
	printf("kettle verify: %s: FAILED, %zu of %zu checks failed (first: %s)%s\n", what, failed, checks,
	       check_first_failure(l) ? check_first_failure(l)->name : "checks", simulated ? " -- SIMULATED evidence" : "");
	return 1;
}

static void print_json(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

	if (s)
		puts(s);
	else
		cli_err("verify", "cannot encode JSON");
	free(s);
	json_decref(o);
}

/* ---- bundle ---- */

/* SHA-256 of every --artifact; 0, or -1 after naming a file that cannot be hashed. */
static int hash_artifacts(const struct verify_options *o, struct artifact_digest *out)
{
	struct hash_engine_options ho = { .workers = 1 };
	struct hash_engine *e;
	char err[256];
	size_t got = 0;
	int ret = 0;

	if (!o->nartifacts)
		return 0;
	e = hash_engine_new(&ho, err, sizeof(err));
	if (!e) {
		cli_err("verify", "cannot hash artifacts: %s", err);
		return -1;
	}
	for (size_t i = 0; i < o->nartifacts; i++) {
		int r;

		out[i].name = o->artifacts[i];
		while ((r = hash_engine_submit(e, o->artifacts[i], i)) == -EAGAIN) {
			struct hash_result res;

			if (hash_engine_poll(e, &res, 1, -1) == 1) {
				if (res.error || res.changed) {
					cli_err("verify", "--artifact %s: %s", res.path,
						res.changed ? "changed while it was hashed" :
						hash_result_reason(&res, err, sizeof(err)));
					ret = -1;
				}
				memcpy(out[res.cookie].sha256, res.digest, 32);
				hash_result_clear(&res);
				got++;
			}
		}
		if (r) {
			cli_err("verify", "--artifact %s: %s", o->artifacts[i], strerror(-r));
			ret = -1;
		}
	}
	while (hash_engine_outstanding(e)) {
		struct hash_result res;

		if (hash_engine_poll(e, &res, 1, -1) != 1)
			continue;
		if (res.error || res.changed) {
			cli_err("verify", "--artifact %s: %s", res.path,
				res.changed ? "changed while it was hashed" : hash_result_reason(&res, err, sizeof(err)));
			ret = -1;
		}
		memcpy(out[res.cookie].sha256, res.digest, 32);
		hash_result_clear(&res);
		got++;
	}
	hash_engine_free(e);
	return ret;
}

static json_t *verified_json(const struct bundle_verified *v)
{
	if (v->have_snp)
		return snp_report_to_json(&v->snp.report, v->snp.product);
	if (v->have_tdx)
		return tdx_quote_to_json(&v->tdx);
	return json_null();
}

static int verify_bundle(const struct verify_options *o)
{
	struct artifact_digest *digests = calloc(o->nartifacts ? o->nartifacts : 1, sizeof(*digests));
	struct bundle_verify_opts vo = { .now = o->now, .allow_sim = o->allow_sim,
					 .nonce = o->has_nonce ? o->nonce : NULL };
	struct check_list l = { 0 };
	struct bundle_verified v;
	struct dsse_envelope env = { 0 };
	char hint[SIGSTORE_HINT_MAX + 1] = "";
	struct policy policy;
	struct bundle b;
	char err[1024];
	bool simulated;
	int ret;

	if (!digests)
		return KETTLE_EXIT_OWN_ERROR;
	if (bundle_read_file(o->bundle, &b, err, sizeof(err))) {
		cli_err("verify", "%s", err);
		free(digests);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (o->policy_path && policy_load(o->policy_path, &policy, err, sizeof(err))) {
		cli_err("verify", "%s", err);
		bundle_free(&b);
		free(digests);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (hash_artifacts(o, digests) || ((o->dsse || o->sigstore) && load_signed(o, &env, hint))) {
		bundle_free(&b);
		if (o->policy_path)
			policy_free(&policy);
		free(digests);
		return KETTLE_EXIT_OWN_ERROR;
	}
	vo.policy = o->policy_path ? &policy : NULL;
	vo.artifacts = digests;
	vo.nartifacts = o->nartifacts;
	if (b.simulated)
		cli_err("verify", "%s holds SIMULATED evidence (kettle's software simulator, "
			"not a TEE)%s", o->bundle, o->allow_sim ? "" : ": rejected without --allow-sim");
	bundle_verify(&b, &vo, &l, &v);
	if (o->dsse || o->sigstore)
		envelope_verify(&b, &env, o->sigstore ? hint : NULL, &l);
	dsse_envelope_free(&env);
	/* the signer counts as well as the label: the label is whatever the bundle's writer chose */
	simulated = b.simulated || (v.have_snp && v.snp.simulated);
	if (o->json) {
		char when[32];

		x509_time_str(o->now, when, sizeof(when));
		print_json(json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:o, s:b, s:s, s:o}", "bundle", o->bundle,
				     "platform", bundle_platform_name(b.platform), "simulated", b.simulated,
				     "created", b.created, "kettle_version", b.kettle_version, "now", when,
				     "checks", checks_json(&l), "passed", check_all_passed(&l),
				     "evidence", evidence_word[evidence_state(&l, simulated)],
				     "report", verified_json(&v)));
		ret = check_all_passed(&l) ? 0 : 1;
	} else {
		printf("%s: %s evidence%s, created %s by kettle %s\n", o->bundle, bundle_platform_name(b.platform),
		       b.simulated ? " (SIMULATED)" : "", b.created, b.kettle_version);
		print_checks(&l);
		ret = summary(&l, simulated, o->bundle, bundle_platform_name(b.platform));
	}
	bundle_free(&b);
	if (o->policy_path)
		policy_free(&policy);
	free(digests);
	return ret;
}

/* ---- raw report or quote ---- */

static bool looks_like_tdx_quote(const uint8_t *p, size_t n)
{
	return n >= 8 && (p[0] == 4 || p[0] == 5) && p[1] == 0 && p[4] == TDX_TEE_TYPE && !p[5] && !p[6] && !p[7];
}

static int load_certs(const struct verify_options *o, struct x509_list *certs)
{
	char err[512];

	for (size_t i = 0; i < o->ncert_files; i++)
		if (x509_list_add_file(certs, o->cert_files[i], err, sizeof(err)) < 0) {
			cli_err("verify", "--certs %s", err);
			return -1;
		}
	return 0;
}

static int finish_report(const struct verify_options *o, struct check_list *l, json_t *fields,
			 const char *platform, bool simulated)
{
	if (o->json) {
		print_json(json_pack("{s:s, s:s, s:b, s:o, s:b, s:s, s:o}", "report", o->report, "platform", platform,
				     "simulated", simulated, "checks", checks_json(l), "passed", check_all_passed(l),
				     "evidence", evidence_word[evidence_state(l, simulated)],
				     "fields", fields ? fields : json_null()));
		return check_all_passed(l) ? 0 : 1;
	}
	json_decref(fields);
	print_checks(l);
	return summary(l, simulated, o->report, platform);
}

static int verify_report(const struct verify_options *o)
{
	struct x509_list certs = { 0 };
	struct check_list l = { 0 };
	uint8_t *buf;
	size_t len;
	char err[512];
	int ret;

	if (file_read_bounded(o->report, TDX_QUOTE_MAX_SIZE, &buf, &len, err, sizeof(err))) {
		cli_err("verify", "--report %s", err);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (load_certs(o, &certs)) {
		free(buf);
		x509_list_free(&certs);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (o->platform == PLAT_TDX || (o->platform == PLAT_AUTO && (looks_like_tdx_quote(buf, len) ||
	    (len == TDX_TDREPORT_SIZE && buf[0] == TDX_TDREPORT_TYPE_TDX)))) {
		struct tdx_quote q;
		struct tdx_tdreport tr;
		struct tdx_verified tv;

		if (len == TDX_TDREPORT_SIZE && tdx_tdreport_parse(buf, len, &tr, err, sizeof(err)) == 0) {
			/* A TDREPORT: only its internal hashes can be checked off the platform. */
			tdx_tdreport_check(buf, &l);
			check_add(&l, "tdx.tdreport.evidence", false, "a TDREPORT is not evidence for a remote verifier "
				  "(its MAC key never leaves the CPU): only its internal hashes were checked; "
				  "verify a quote made from it");
			if (!o->json)
				tdx_tdreport_print(&tr, stdout);
			ret = finish_report(o, &l, o->json ? tdx_tdreport_to_json(&tr) : NULL, "tdx-tdreport", false);
		} else if (tdx_quote_parse(buf, len, &q, err, sizeof(err))) {
			cli_err("verify", "%s: not a TDX quote: %s", o->report, err);
			ret = KETTLE_EXIT_OWN_ERROR;
		} else {
			tdx_verify_quote(&q, &certs, o->now, &l, &tv);
			if (!o->json)
				tdx_quote_print(&q, stdout);
			ret = finish_report(o, &l, o->json ? tdx_quote_to_json(&q) : NULL, "tdx", false);
		}
	} else {
		uint8_t raw[SNP_REPORT_SIZE];
		struct snp_verify_opts so = { .now = o->now, .allow_sim = o->allow_sim };
		struct snp_verified sv;

		if (snp_report_from_bytes(buf, len, raw, err, sizeof(err))) {
			cli_err("verify", "%s: not an SNP report or TDX quote: %s", o->report, err);
			ret = KETTLE_EXIT_OWN_ERROR;
		} else {
			snp_verify(raw, sizeof(raw), &certs, &so, &l, &sv);
			if (!o->json && sv.parsed)
				snp_report_print(stdout, &sv.report, sv.product);
			ret = finish_report(o, &l, o->json && sv.parsed ? snp_report_to_json(&sv.report, sv.product) : NULL,
					    sv.simulated ? "sim-sev-snp" : "sev-snp", sv.simulated);
		}
	}
	x509_list_free(&certs);
	free(buf);
	return ret;
}

int cmd_verify(int argc, char **argv)
{
	struct verify_options o = { 0 };

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--tree"))
			return cmd_verify_tree(argc, argv);     /* a distributed build: cmd_verify_tree.c */
	if (parse_args(argc, argv, &o))
		return KETTLE_EXIT_OWN_ERROR;
	return o.report ? verify_report(&o) : verify_bundle(&o);
}
