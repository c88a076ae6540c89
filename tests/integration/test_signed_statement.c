// SPDX-License-Identifier: MIT
/*
 * kettle attest's session key and signed statement, checked by kettle verify
 * and by the ecosystem's own verifiers: Debian's securesystemslib (the library
 * in-toto verifies with) for the DSSE envelope, sigstore-js for the Sigstore
 * bundle (tests/ecosystem/, tests/js/; installed by tools/install-deps).
 */
#include <jansson.h>

#include "attest/bundle.h"
#include "common/base64.h"
#include "kettle_test.h"

static char dir[256], sim[300], o_out[300], o_err[300];

static void paths(const char *name)
{
	test_tmpdir(dir, sizeof(dir), name);
	snprintf(sim, sizeof(sim), "/tmp/kettle-test-%d-sim", (int)getpid());
	snprintf(o_out, sizeof(o_out), "%s/out", dir);
	snprintf(o_err, sizeof(o_err), "%s/err", dir);
}

#define RUN(...) kettle_cli((const char *const[]){ __VA_ARGS__, NULL }, o_out, o_err)
#define OUT_HAS(s) file_holds(o_out, (s))
#define ERR_HAS(s) file_holds(o_err, (s))

/* In DIR: an artifact, a statement naming it, and a signed attestation of it as NAME.bundle. */
static int attest_in_dir(const char *name)
{
	char st[400], b[400];

	snprintf(st, sizeof(st), "%s/statement.json", dir);
	snprintf(b, sizeof(b), "%s/%s.bundle", dir, name);
	if (test_sh("cd '%s' && echo 'the artifact' > artifact && printf "
		    "'{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"artifact\","
		    "\"digest\":{\"sha256\":\"%%s\"}}]}' $(sha256sum artifact | cut -c1-64) > statement.json", dir))
		return -1;
	return RUN("attest", st, "--tee", "sim", "--sim-state", sim, "-o", b);
}

/* FROM with one byte of the statement (the base64 payload, inside dsseEnvelope when there is one) changed. */
static int tamper_payload(const char *from, const char *to)
{
	json_t *root = json_load_file(from, 0, NULL), *env;
	uint8_t *payload = NULL;
	char *text = NULL, why[128];
	size_t n;
	int r = -1;

	env = json_object_get(root, "dsseEnvelope") ? json_object_get(root, "dsseEnvelope") : root;
	if (env && json_is_string(json_object_get(env, "payload")) &&
	    !base64_decode(json_string_value(json_object_get(env, "payload")),
			   json_string_length(json_object_get(env, "payload")), 1 << 20, &payload, &n, why,
			   sizeof(why)) && n > 40) {
		payload[n / 2] ^= 0x01;
		text = base64_encode(payload, n);
		if (text && !json_object_set_new(env, "payload", json_string(text)))
			r = json_dump_file(root, to, JSON_COMPACT);
	}
	free(payload);
	free(text);
	json_decref(root);
	return r;
}

static int no_private_key_on_disk(void)
{
	return test_sh("! grep -rlq 'PRIVATE KEY' '%s'", dir) == 0 ? 0 : -1;
}

static int test_signed_attest_verifies_end_to_end(void)
{
	char b[400], sig[400], dsse[400], art[400];

	paths("signed-e2e");
	CHECK(attest_in_dir("ev") == 0, "attest failed");
	snprintf(b, sizeof(b), "%s/ev.bundle", dir);
	snprintf(sig, sizeof(sig), "%s/ev.bundle.sigstore.json", dir);
	snprintf(dsse, sizeof(dsse), "%s/ev.bundle.dsse.json", dir);
	snprintf(art, sizeof(art), "%s/artifact", dir);
	CHECK(OUT_HAS("ev.bundle.dsse.json: DSSE envelope") && OUT_HAS("ev.bundle.pub.pem"), "attest said no outputs");
	CHECK(no_private_key_on_disk() == 0, "a private key was written under %s", dir);
	CHECK(file_holds(sig, "\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"") &&
	      file_holds(sig, "\"publicKey\":{\"hint\":") && file_holds(sig, "\"tlogEntries\":[]") &&
	      file_holds(dsse, "\"payloadType\":\"application/vnd.in-toto+json\""), "signed forms' shape");
	CHECK(RUN("verify", b, "--allow-sim", "--artifact", art, "--sigstore-bundle", sig) == 0, "verify failed");
	CHECK(OUT_HAS("PASS  binding.statement") && OUT_HAS("PASS  binding.key") && OUT_HAS("PASS  envelope.key") &&
	      OUT_HAS("PASS  envelope.signature") && OUT_HAS("PASS  envelope.statement") &&
	      OUT_HAS("PASS  binding.artifact"), "a check of the chain is missing");
	CHECK(RUN("verify", b, "--allow-sim", "--artifact", art, "--dsse", dsse) == 0, "verify --dsse failed");
	CHECK(OUT_HAS("PASS  envelope.signature"), "no signature check");
	return TEST_PASS;
}

static int test_dsse_verifies_with_securesystemslib(void)
{
	char script[600];

	if (test_sh("/usr/bin/python3 -c 'import securesystemslib.signer' 2>/dev/null"))
		return test_skip("python3-securesystemslib is not installed (tools/install-deps)");
	paths("signed-sslib");
	CHECK(attest_in_dir("ev") == 0, "attest failed");
	snprintf(script, sizeof(script), "%s/tests/ecosystem/verify_dsse_securesystemslib.py", KETTLE_SOURCE_DIR);
	CHECK(test_sh("cd '%s' && /usr/bin/python3 '%s' ev.bundle.dsse.json ev.bundle.pub.pem > py.out", dir,
		      script) == 0, "securesystemslib rejects the envelope");
	CHECK(test_sh("grep -qx OK '%s/py.out'", dir) == 0, "no OK");
	snprintf(o_out, sizeof(o_out), "%s/ev.bundle.dsse.json", dir);
	snprintf(o_err, sizeof(o_err), "%s/changed.dsse.json", dir);
	CHECK(tamper_payload(o_out, o_err) == 0, "tamper");
	CHECK(test_sh("cd '%s' && /usr/bin/python3 '%s' changed.dsse.json ev.bundle.pub.pem 2>/dev/null", dir,
		      script) == 1, "securesystemslib accepts a changed statement");
	CHECK(attest_in_dir("other") == 0, "second attest failed");
	CHECK(test_sh("cd '%s' && /usr/bin/python3 '%s' ev.bundle.dsse.json other.bundle.pub.pem 2>/dev/null", dir,
		      script) == 1, "securesystemslib accepts another session's key");
	return TEST_PASS;
}

static int test_sigstore_bundle_verifies_with_sigstore_js(void)
{
	char js[600], mods[600];

	snprintf(js, sizeof(js), "%s/tests/js/verify_sigstore_bundle.js", KETTLE_SOURCE_DIR);
	snprintf(mods, sizeof(mods), "%s/tests/js/node_modules/@sigstore/verify", KETTLE_SOURCE_DIR);
	if (access(mods, R_OK) || test_sh("command -v node >/dev/null"))
		return test_skip("sigstore-js is not installed in tests/js (tools/install-deps)");
	paths("signed-sigstore-js");
	CHECK(attest_in_dir("ev") == 0, "attest failed");
	CHECK(test_sh("cd '%s' && node '%s' ev.bundle.sigstore.json ev.bundle.pub.pem > js.out", dir, js) == 0,
	      "sigstore-js rejects the bundle");
	CHECK(test_sh("grep -qx OK '%s/js.out'", dir) == 0, "no OK");
	snprintf(o_out, sizeof(o_out), "%s/ev.bundle.sigstore.json", dir);
	snprintf(o_err, sizeof(o_err), "%s/changed.sigstore.json", dir);
	CHECK(tamper_payload(o_out, o_err) == 0, "tamper");
	CHECK(test_sh("cd '%s' && node '%s' changed.sigstore.json ev.bundle.pub.pem 2>/dev/null", dir, js) == 1,
	      "sigstore-js accepts a changed statement");
	CHECK(attest_in_dir("other") == 0, "second attest failed");
	CHECK(test_sh("cd '%s' && node '%s' ev.bundle.sigstore.json other.bundle.pub.pem 2>/dev/null", dir, js) == 1,
	      "sigstore-js accepts another session's key");
	return TEST_PASS;
}

static int test_changed_statement_in_envelope_fails(void)
{
	char b[400], from[400], to[400];

	paths("signed-changed");
	CHECK(attest_in_dir("ev") == 0, "attest failed");
	snprintf(b, sizeof(b), "%s/ev.bundle", dir);
	snprintf(from, sizeof(from), "%s/ev.bundle.sigstore.json", dir);
	snprintf(to, sizeof(to), "%s/changed.sigstore.json", dir);
	CHECK(tamper_payload(from, to) == 0, "tamper");
	CHECK(RUN("verify", b, "--allow-sim", "--sigstore-bundle", to) == 1, "a changed envelope verified");
	CHECK(OUT_HAS("FAIL  envelope.signature") && OUT_HAS("FAIL  envelope.statement") &&
	      OUT_HAS("(first: envelope.signature)"), "the failure is not the envelope's");
	return TEST_PASS;
}

static int test_wrong_key_fails(void)
{
	char b[400], other_sig[400], other_dsse[400];

	paths("signed-wrong-key");
	CHECK(attest_in_dir("ev") == 0 && attest_in_dir("other") == 0, "attest failed");
	snprintf(b, sizeof(b), "%s/ev.bundle", dir);
	snprintf(other_sig, sizeof(other_sig), "%s/other.bundle.sigstore.json", dir);
	snprintf(other_dsse, sizeof(other_dsse), "%s/other.bundle.dsse.json", dir);
	/* the same statement signed in another session: its key is not the one this report binds */
	CHECK(RUN("verify", b, "--allow-sim", "--sigstore-bundle", other_sig) == 1, "another session's bundle verified");
	CHECK(OUT_HAS("FAIL  envelope.key") && OUT_HAS("signed by another key"), "the key mismatch is not named");
	CHECK(RUN("verify", b, "--allow-sim", "--dsse", other_dsse) == 1, "another session's envelope verified");
	CHECK(OUT_HAS("FAIL  envelope.signature") && OUT_HAS("PASS  envelope.statement"), "not the signature's failure");
	return TEST_PASS;
}

static int test_bad_envelopes_are_one_line_errors(void)
{
	static const char *const cases[][3] = {
		/* file, how it is made from the good one, what the error says */
		{ "truncated.dsse.json", "head -c 100 ev.bundle.dsse.json", "DSSE envelope is not JSON" },
		{ "empty.dsse.json", "true", "DSSE envelope is not JSON" },
		{ "nosig.dsse.json", "sed 's/\"signatures\":\\[.*\\]/\"signatures\":[]/' ev.bundle.dsse.json",
		  "'signatures' must be an array" },
		{ "badb64.dsse.json", "sed 's/\"payload\":\"./\"payload\":\"*/' ev.bundle.dsse.json", "is not base64" },
		{ "v02.sigstore.json", "sed 's/bundle.v0.3+json/bundle.v0.2+json/' ev.bundle.sigstore.json",
		  "media type 'application/vnd.dev.sigstore.bundle.v0.2+json'" },
		{ "truncated.sigstore.json", "head -c 200 ev.bundle.sigstore.json", "Sigstore bundle is not JSON" },
		{ "cert.sigstore.json", "sed 's/\"publicKey\":{\"hint\":\"[0-9a-f]*\"}/\"certificate\":{\"rawBytes\":\"AA==\"}/' "
		  "ev.bundle.sigstore.json", "not a public key (a certificate)" },
	};
	char b[400], f[400];

	paths("signed-bad-input");
	CHECK(attest_in_dir("ev") == 0, "attest failed");
	snprintf(b, sizeof(b), "%s/ev.bundle", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool sigstore = strstr(cases[i][0], "sigstore") != NULL;

		CHECK(test_sh("cd '%s' && %s > %s", dir, cases[i][1], cases[i][0]) == 0, "make %s", cases[i][0]);
		snprintf(f, sizeof(f), "%s/%s", dir, cases[i][0]);
		CHECK(RUN("verify", b, "--allow-sim", sigstore ? "--sigstore-bundle" : "--dsse", f) == 125,
		      "%s: not exit 125", cases[i][0]);
		CHECK(ERR_HAS(cases[i][2]), "%s: the error does not say '%s'", cases[i][0], cases[i][2]);
		CHECK(test_sh("grep -c '^kettle verify: ' '%s' | grep -qx 1 && [ $(wc -l < '%s') -le 2 ]", o_err,
			      o_err) == 0, "%s: not one error line", cases[i][0]);
	}
	return TEST_PASS;
}

/* The bundle's signing_key replaced by another session's: the report's binding no longer matches. */
static int test_key_binding_mismatch_fails(void)
{
	char b[400], other[400], swapped[400], sig[400], err[256];
	struct bundle x, y;

	paths("signed-binding");
	CHECK(attest_in_dir("ev") == 0 && attest_in_dir("other") == 0, "attest failed");
	snprintf(b, sizeof(b), "%s/ev.bundle", dir);
	snprintf(other, sizeof(other), "%s/other.bundle", dir);
	snprintf(swapped, sizeof(swapped), "%s/swapped.bundle", dir);
	snprintf(sig, sizeof(sig), "%s/other.bundle.sigstore.json", dir);
	CHECK(bundle_read_file(b, &x, err, sizeof(err)) == 0 && bundle_read_file(other, &y, err, sizeof(err)) == 0,
	      "%s", err);
	memcpy(x.signing_key, y.signing_key, y.signing_key_len);
	x.signing_key_len = y.signing_key_len;
	CHECK(bundle_write_file(&x, swapped, err, sizeof(err)) == 0, "%s", err);
	bundle_free(&x);
	bundle_free(&y);
	/* the swapped key is the one the other envelope verifies with, yet the report binds a different one */
	CHECK(RUN("verify", swapped, "--allow-sim", "--sigstore-bundle", sig) == 1, "a swapped key verified");
	CHECK(OUT_HAS("FAIL  binding.statement") && OUT_HAS("FAIL  binding.key") &&
	      OUT_HAS("the statement or the key is not the one attested"), "the binding failure is not named");
	return TEST_PASS;
}

static int test_unsigned_bundle_verifies_as_before(void)
{
	char st[400], b[400], dsse[400];

	paths("signed-none");
	CHECK(attest_in_dir("ev") == 0, "attest failed");
	snprintf(st, sizeof(st), "%s/statement.json", dir);
	snprintf(b, sizeof(b), "%s/plain.bundle", dir);
	snprintf(dsse, sizeof(dsse), "%s/ev.bundle.dsse.json", dir);
	CHECK(RUN("attest", st, "--tee", "sim", "--sim-state", sim, "--no-sign", "-o", b) == 0, "attest --no-sign");
	CHECK(test_sh("[ ! -e '%s.dsse.json' ] && [ ! -e '%s.pub.pem' ]", b, b) == 0, "--no-sign wrote signed forms");
	CHECK(RUN("attest", st, "--tee", "sim", "--sim-state", sim, "--no-sign", "--dsse", dsse, "-o", b) == 125 &&
	      ERR_HAS("--no-sign writes no DSSE envelope"), "--no-sign with --dsse was accepted");
	CHECK(RUN("attest", st, "--tee", "sim", "--sim-state", sim, "--no-sign", "-o", b) == 0, "attest --no-sign");
	CHECK(RUN("verify", b, "--allow-sim") == 0, "a layout-1 bundle no longer verifies");
	CHECK(OUT_HAS("PASS  binding.statement") && OUT_HAS("report_data[0..31] = SHA-256 of the statement") &&
	      !OUT_HAS("binding.key"), "not layout 1");
	CHECK(RUN("verify", b, "--allow-sim", "--dsse", dsse) == 1, "an envelope verified against a keyless report");
	CHECK(OUT_HAS("FAIL  envelope.key") && OUT_HAS("binds no session key"), "the missing key is not named");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "signed_attest_verifies_end_to_end", test_signed_attest_verifies_end_to_end },
	{ "dsse_verifies_with_securesystemslib", test_dsse_verifies_with_securesystemslib },
	{ "sigstore_bundle_verifies_with_sigstore_js", test_sigstore_bundle_verifies_with_sigstore_js },
	{ "changed_statement_in_envelope_fails", test_changed_statement_in_envelope_fails },
	{ "wrong_key_fails", test_wrong_key_fails },
	{ "bad_envelopes_are_one_line_errors", test_bad_envelopes_are_one_line_errors },
	{ "key_binding_mismatch_fails", test_key_binding_mismatch_fails },
	{ "unsigned_bundle_verifies_as_before", test_unsigned_bundle_verifies_as_before },
};

int main(void)
{
	int r = test_main("signed_statement", tests, sizeof(tests) / sizeof(tests[0]));

	/* the scratch directories and the simulator's keys: /tmp/kettle-test-PID-* */
	if (test_sh("rm -rf /tmp/kettle-test-%d-signed-* /tmp/kettle-test-%d-sim", (int)getpid(), (int)getpid()))
		fprintf(stderr, "cannot remove the scratch directories\n");
	return r;
}
