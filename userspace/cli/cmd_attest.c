// SPDX-License-Identifier: MIT
/*
 * kettle attest STATEMENT [--nonce HEX] [--tee auto|snp|tdx|sim] -o BUNDLE
 * Binds the statement's SHA-256 (and a verifier's nonce) into a TEE report
 * and writes the evidence bundle (docs/attestation.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "attest/evidence.h"
#include "cli/cli_err.h"
#include "cli/commands.h"
#include "common/hex.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kettle attest STATEMENT -o BUNDLE [options]\n"
		"Makes a session key (ECDSA P-256, in memory), asks the TEE for a report whose\n"
		"report_data binds SHA-256(STATEMENT) and the key with NONCE (docs/attestation.md),\n"
		"writes the evidence bundle (docs/evidence-bundle.md), signs the statement as a DSSE\n"
		"envelope and a Sigstore bundle v0.3, writes the public key, and discards the key.\n\n"
		"  -o, --output BUNDLE    where to write the bundle (required)\n"
		"      --nonce HEX        the verifier's 32-byte nonce, 64 hex digits (default: zeros)\n"
		"      --tee WHICH        auto (default): configfs-tsm or a guest device when present,\n"
		"                         else the simulator with a loud notice; snp, tdx: that TEE or\n"
		"                         an error; sim: the software simulator (SIMULATED evidence)\n"
		"      --sim-state DIR    the simulator's key directory (default: $KETTLE_SIM_DIR, else\n"
		"                         /var/lib/kettle/sim as root, ~/.local/state/kettle/sim otherwise)\n"
		"      --tsm-root DIR     configfs-tsm report directory (default: $KETTLE_TSM_ROOT, else\n"
		"                         /sys/kernel/config/tsm/report)\n"
		"      --sev-device PATH  default: $KETTLE_SEV_DEVICE, else /dev/sev-guest\n"
		"      --tdx-device PATH  default: $KETTLE_TDX_DEVICE, else /dev/tdx_guest\n"
		"      --dsse FILE        the DSSE envelope (default: BUNDLE.dsse.json)\n"
		"      --sigstore-bundle FILE  the Sigstore bundle (default: BUNDLE.sigstore.json)\n"
		"      --public-key FILE  the session key's public half, PEM (default: BUNDLE.pub.pem)\n"
		"      --no-sign          no session key: report_data = SHA-256(STATEMENT) || NONCE\n"
		"      --json             print what was attested as JSON on stdout\n"
		"  -h, --help             this text\n"
		"Exit status: 0 bundle written, 125 no bundle (the reason is on stderr).\n");
}

/* Shared by kettle attest and kettle run --attest: 0, or -1 after a message. */
int attest_option(int opt, const char *arg, struct attest_cli *a, const char *cmd)
{
	struct attest_request *r = &a->req;
	char err[128];

	switch (opt) {
	case ATTEST_OPT_NONCE:
		if (nonce_parse(arg, r->nonce, err, sizeof(err))) {
			cli_err(cmd, "--nonce: %s", err);
			return -1;
		}
		r->has_nonce = true;
		return 0;
	case ATTEST_OPT_TEE:
		if (tee_choice_parse(arg, &r->tee)) {
			cli_err(cmd, "--tee: '%s' is not auto, snp, tdx or sim", arg);
			return -1;
		}
		return 0;
	case ATTEST_OPT_SIM_STATE: r->paths.sim_dir = arg; return 0;
	case ATTEST_OPT_TSM_ROOT: r->paths.tsm_root = arg; return 0;
	case ATTEST_OPT_SEV_DEVICE: r->paths.sev_device = arg; return 0;
	case ATTEST_OPT_TDX_DEVICE: r->paths.tdx_device = arg; return 0;
	case ATTEST_OPT_DSSE: a->dsse_path = arg; return 0;
	case ATTEST_OPT_SIGSTORE: a->sigstore_path = arg; return 0;
	case ATTEST_OPT_PUBLIC_KEY: a->public_key_path = arg; return 0;
	case ATTEST_OPT_NO_SIGN: a->unsigned_only = true; return 0;
	}
	return -1;
}

static void print_result(const struct attest_cli *a, const struct bundle *b, bool json)
{
	const struct attest_request *r = &a->req;
	uint8_t digest[STATEMENT_DIGEST_LEN];
	char hex[2 * STATEMENT_DIGEST_LEN + 1], nonce[2 * NONCE_LEN + 1] = "";

	if (sha256_bytes(b->statement, b->statement_len, digest))
		memset(digest, 0, sizeof(digest));
	hex_encode(digest, sizeof(digest), hex);
	if (b->has_nonce)
		hex_encode(b->nonce, NONCE_LEN, nonce);
	if (json) {
		bool sig = !a->unsigned_only;
		json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:s, s:s?, s:i, s:i, s:s?, s:s?, s:s?}", "bundle",
				      r->bundle_path, "statement", r->statement_path,
				      "platform", bundle_platform_name(b->platform), "simulated", b->simulated,
				      "statement_sha256", hex, "nonce", b->has_nonce ? nonce : NULL,
				      "report_bytes", (json_int_t)b->report_len, "certificates", (json_int_t)b->ncerts,
				      "dsse", sig ? a->dsse_out : NULL, "sigstore_bundle", sig ? a->sigstore_out : NULL,
				      "public_key", sig ? a->public_key_out : NULL);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s)
			puts(s);
		free(s);
		json_decref(o);
		return;
	}
	printf("%s: %s%s evidence for %s (sha256 %s), %zu certificates\n", r->bundle_path,
	       b->simulated ? "SIMULATED (not from a TEE) " : "", bundle_platform_name(b->platform),
	       r->statement_path, hex, b->ncerts);
	if (!a->unsigned_only)
		printf("%s: DSSE envelope of the statement, signed by the session key the report binds\n"
		       "%s: the same envelope in a Sigstore bundle v0.3 (public-key hint, no transparency log)\n"
		       "%s: the session key's public half (its private half was never written)\n",
		       a->dsse_out, a->sigstore_out, a->public_key_out);
}

int cmd_attest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		ATTEST_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct attest_cli a = { .req.tee = TEE_AUTO };
	struct bundle b;
	char err[1024];
	bool json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': a.req.bundle_path = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		case '?': usage(stderr); return KETTLE_EXIT_OWN_ERROR;
		default:
			if (attest_option(opt, optarg, &a, "attest"))
				return KETTLE_EXIT_OWN_ERROR;
		}
	}
	if (optind != argc - 1 || !a.req.bundle_path) {
		cli_err("attest", "%s", optind != argc - 1 ? "give exactly one STATEMENT file"
							   : "give -o BUNDLE");
		usage(stderr);
		return KETTLE_EXIT_OWN_ERROR;
	}
	a.req.statement_path = argv[optind];
	evidence_paths_default(&a.req.paths);
	if (attest_signed(&a, &b, err, sizeof(err))) {
		cli_err("attest", "%s", err);
		return KETTLE_EXIT_OWN_ERROR;
	}
	print_result(&a, &b, json);
	bundle_free(&b);
	return 0;
}
