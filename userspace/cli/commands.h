/* SPDX-License-Identifier: MIT */
/* Subcommands of the kettle binary, dispatched by name from main.c. */
#ifndef KETTLE_COMMANDS_H
#define KETTLE_COMMANDS_H

#include "common/exit_code.h"

int cmd_run(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_provenance(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_verify(int argc, char **argv);
/* kettle verify --tree (called by cmd_verify when --tree is among its arguments) */
int cmd_verify_tree(int argc, char **argv);
/* kettle index serve (cli/index_serve.c; called by cmd_index) */
int index_serve(int argc, char **argv);

/* The TEE options kettle attest and kettle run --attest share (cmd_attest.c). */
enum {
	ATTEST_OPT_NONCE = 0x1000, ATTEST_OPT_TEE, ATTEST_OPT_SIM_STATE, ATTEST_OPT_TSM_ROOT,
	ATTEST_OPT_SEV_DEVICE, ATTEST_OPT_TDX_DEVICE, ATTEST_OPT_DSSE, ATTEST_OPT_SIGSTORE,
	ATTEST_OPT_PUBLIC_KEY, ATTEST_OPT_NO_SIGN,
};
#define ATTEST_LONG_OPTIONS \
	{ "nonce", required_argument, NULL, ATTEST_OPT_NONCE }, \
	{ "tee", required_argument, NULL, ATTEST_OPT_TEE }, \
	{ "sim-state", required_argument, NULL, ATTEST_OPT_SIM_STATE }, \
	{ "tsm-root", required_argument, NULL, ATTEST_OPT_TSM_ROOT }, \
	{ "sev-device", required_argument, NULL, ATTEST_OPT_SEV_DEVICE }, \
	{ "tdx-device", required_argument, NULL, ATTEST_OPT_TDX_DEVICE }, \
	{ "dsse", required_argument, NULL, ATTEST_OPT_DSSE }, \
	{ "sigstore-bundle", required_argument, NULL, ATTEST_OPT_SIGSTORE }, \
	{ "public-key", required_argument, NULL, ATTEST_OPT_PUBLIC_KEY }, \
	{ "no-sign", no_argument, NULL, ATTEST_OPT_NO_SIGN }
#include "attest/evidence.h"
/* An attestation as the command line asks for it: the request and where the signed forms go. */
struct attest_cli {
	struct attest_request req;
	const char *dsse_path;          /* NULL: BUNDLE.dsse.json */
	const char *sigstore_path;      /* NULL: BUNDLE.sigstore.json */
	const char *public_key_path;    /* NULL: BUNDLE.pub.pem */
	bool unsigned_only;             /* --no-sign: no session key, report_data layout 1 */
	/* where attest_signed wrote them */
	char dsse_out[4096], sigstore_out[4096], public_key_out[4096];
};
/* Applies one of those options to A; 0, or -1 after printing what was wrong (CMD: "run", "attest", as cli_err). */
int attest_option(int opt, const char *arg, struct attest_cli *a, const char *cmd);
/*
 * The attestation A asks for (attest_signed.c): a session key bound with the
 * statement, the DSSE envelope, Sigstore bundle and public key written, the
 * key freed; or with --no-sign the statement alone.  0, or -1 with ERR.
 */
int attest_signed(struct attest_cli *a, struct bundle *b, char *err, size_t errlen);
/* PATTERN (a --subject) with the symlinks before its first glob character resolved; malloc'd, NULL: no memory. */
char *cli_subject_resolved(const char *pattern);
struct provenance_facts;
/*
 * Says on stderr, as command CMD ("run", "provenance": cli_err's), why a
 * provenance is incomplete: how many reasons, the first ones with the file,
 * process or peer involved, and HINT (what would change the exit status;
 * NULL: none).
 */
void cli_print_incomplete(const char *cmd, const struct provenance_facts *x, const char *hint);
/* The same reasons for a record that got no provenance (no output: a daemon may have written it). */
void cli_print_unrecorded(const char *cmd, const struct provenance_facts *x);
int cmd_why(int argc, char **argv);
int cmd_who(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);

#endif
