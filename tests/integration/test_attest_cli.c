// SPDX-License-Identifier: MIT
/* kettle attest / kettle verify, driven through the binary as a user would. */
#include <fcntl.h>
#include <sys/stat.h>

#include "bundle.h"
#include "file_bytes.h"
#include "x509.h"
#include "fake_tsm.h"
#include "kettle_test.h"
#include "test_vectors.h"

#define OUT_MAX (1 << 20)

static char out[OUT_MAX];       /* stdout and stderr of the last run */

/* Runs `kettle ARGS...` (NULL-terminated); stdout+stderr into OUT; returns the exit code. */
static int kettle(const char *const *args)
{
	char kettle_bin[512], path[300];
	const char *argv[64];
	int n = 0, status, fd;
	pid_t pid;
	ssize_t r;

	test_path(kettle_bin, sizeof(kettle_bin), "", "kettle");
	argv[n++] = kettle_bin;
	for (int i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	snprintf(path, sizeof(path), "/tmp/kettle-test-%d-out", (int)getpid());
	pid = fork();
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(125);
		execv(argv[0], (char *const *)argv);
		_exit(126);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	fd = open(path, O_RDONLY);
	r = fd >= 0 ? read(fd, out, sizeof(out) - 1) : -1;
	out[r > 0 ? r : 0] = '\0';
	if (fd >= 0)
		close(fd);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
}

#define RUN(...) kettle((const char *const[]){ __VA_ARGS__, NULL })
#define HAS(s) (strstr(out, (s)) != NULL)

static char vec[8][4400];

static const char *vp(int slot, const char *name)
{
	snprintf(vec[slot], sizeof(vec[slot]), "%s/%s", test_vectors_dir(), name);
	return vec[slot];
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A bundle around a real vector: its report and certificates, STATEMENT as the statement. */
static int vector_bundle(const char *path, enum bundle_platform platform, const char *report,
			 const char *const *certs, const char *statement)
{
	struct bundle b = { .platform = platform };
	struct x509_list l = { 0 };
	uint8_t *buf;
	size_t len;
	char err[512];
	int r = -1;

	if (file_read_bounded(report, 1 << 20, &buf, &len, err, sizeof(err)))
		goto out;
	if (bundle_set_report(&b, buf, len, err, sizeof(err)) ||
	    bundle_set_statement(&b, (const uint8_t *)statement, strlen(statement), err, sizeof(err))) {
		free(buf);
		goto out;
	}
	free(buf);
	for (int i = 0; certs && certs[i]; i++)
		if (x509_list_add_file(&l, certs[i], err, sizeof(err)) < 0)
			goto out;
	for (size_t i = 0; i < l.n; i++) {
		unsigned char *der = NULL;
		int n = i2d_X509(l.certs[i], &der);
		int bad = n <= 0 || bundle_add_cert(&b, i == 0 ? "vcek" : "ask", der, (size_t)n, err, sizeof(err));

		OPENSSL_free(der);
		if (bad)
			goto out;
	}
	bundle_stamp(&b);
	r = bundle_write_file(&b, path, err, sizeof(err));
out:
	if (r)
		fprintf(stderr, "  vector bundle: %s\n", err);
	x509_list_free(&l);
	bundle_free(&b);
	return r;
}

/* ---- kettle verify --report ---- */

static int test_report_snp_vectors_verify_in_window(void)
{
	if (!test_vectors_dir())
		return test_skip_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "snp/gosev_attestation.bin"), "--certs", vp(1, "snp/gosev_vcek.testcer"),
		  "--certs", vp(2, "snp/gosev_ask_ark_milan.pem"), "--now", "2022-09-24T01:00:00Z") == 0, "%s", out);
	CHECK(HAS("b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01"),
	      "measurement not printed");
	CHECK(HAS("PASS  snp.report.signature") && HAS("OK, all"), "%s", out);
	CHECK(RUN("verify", "--report", vp(0, "snp/virtee_report_milan.hex"), "--certs", vp(1, "snp/virtee_vcek_milan.der"),
		  "--certs", vp(2, "snp/virtee_cert_chain_milan"), "--now", "1700000000") == 0, "hex report: %s", out);
	CHECK(RUN("verify", "--report", vp(0, "snp/mstav_genoa_attestation_report.bin"), "--certs",
		  vp(1, "snp/mstav_genoa_vcek.pem"), "--certs", vp(2, "snp/mstav_genoa_ask.pem"), "--certs",
		  vp(3, "snp/mstav_genoa_ark.pem"), "--now", "2026-06-01T00:00:00Z", "--json") == 0, "genoa: %s", out);
	CHECK(HAS("\"passed\":true") && HAS("5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f"),
	      "genoa JSON: %.300s", out);
	return TEST_PASS;
}

static int test_report_outside_window_fails_on_time(void)
{
	if (!test_vectors_dir())
		return test_skip_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "snp/gosev_attestation.bin"), "--certs", vp(1, "snp/gosev_vcek.testcer"),
		  "--certs", vp(2, "snp/gosev_ask_ark_milan.pem"), "--now", "2030-01-01T00:00:00Z") == 1, "%s", out);
	CHECK(HAS("FAIL  snp.validity.vcek") && HAS("expired"), "%s", out);
	CHECK(RUN("verify", "--report", vp(0, "tdx/gotdx_tdx_prod_quote_SPR_E4.dat"), "--now", "2053-07-01T01:00:00Z") == 1,
	      "%s", out);
	CHECK(HAS("FAIL  tdx.pck.leaf.validity"), "%s", out);
	return TEST_PASS;
}

static int test_report_tdx_quotes_verify(void)
{
	if (!test_vectors_dir())
		return test_skip_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "tdx/gotdx_tdx_prod_quote_SPR_E4.dat"), "--now", "2023-07-01T01:00:00Z") == 0,
	      "%s", out);
	CHECK(HAS("6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb"),
	      "MRTD not printed");
	CHECK(RUN("verify", "--report", vp(0, "tdx/gotdx_quote_v5_sample.dat"), "--platform", "tdx", "--now",
		  "2026-02-03T01:00:00+00:00") == 0, "%s", out);
	return TEST_PASS;
}

static int test_report_missing_certificate_is_named(void)
{
	if (!test_vectors_dir())
		return test_skip_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "snp/gosev_attestation.bin"), "--now", "2024-01-01T00:00:00Z") == 1, "%s", out);
	CHECK(HAS("kdsintf.amd.com"), "no KDS hint in: %s", out);
	return TEST_PASS;
}

static int test_tdreport_is_not_evidence(void)
{
	if (!test_vectors_dir())
		return test_skip_no_vectors();
	CHECK(RUN("verify", "--report", vp(0, "tdx/intel_tdreport_for_test.dat")) == 1, "%s", out);
	CHECK(HAS("PASS  tdx.tdreport.tee_info_hash") && HAS("FAIL  tdx.tdreport.evidence"), "%s", out);
	return TEST_PASS;
}

static int test_unusable_input_exits_125(void)
{
	char dir[256], junk[300];

	test_tmpdir(dir, sizeof(dir), "attest-junk");
	snprintf(junk, sizeof(junk), "%s/junk", dir);
	CHECK(write_text(junk, "hello\n") == 0, "write");
	CHECK(RUN("verify", junk) == 125 && HAS("not a kettle evidence bundle"), "%s", out);
	CHECK(RUN("verify", "/nonexistent/bundle") == 125 && HAS("/nonexistent/bundle"), "%s", out);
	CHECK(RUN("verify", "--report", junk) == 125 && HAS("not an SNP report or TDX quote"), "%s", out);
	CHECK(RUN("verify", junk, "--now", "yesterday") == 125 && HAS("--now 'yesterday'"), "%s", out);
	CHECK(RUN("verify", junk, "--nonce", "12") == 125 && HAS("--nonce"), "%s", out);
	CHECK(RUN("verify") == 125, "no argument accepted");
	CHECK(RUN("verify", "--help") == 0 && HAS("--allow-sim"), "help");
	return TEST_PASS;
}

/* ---- kettle verify BUNDLE with real vectors ---- */

static int test_vector_bundle_platform_passes_binding_fails(void)
{
	const char *certs[] = { vp(1, "snp/gosev_vcek.testcer"), vp(2, "snp/gosev_ask_ark_milan.pem"), NULL };
	char dir[256], b[300];

	if (!test_vectors_dir())
		return test_skip_no_vectors();
	test_tmpdir(dir, sizeof(dir), "attest-vb");
	snprintf(b, sizeof(b), "%s/snp.bundle", dir);
	CHECK(vector_bundle(b, PLATFORM_SEV_SNP, vp(0, "snp/gosev_attestation.bin"), certs,
			    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[]}") == 0, "bundle");
	CHECK(RUN("verify", b, "--now", "2024-01-01T00:00:00Z") == 1, "%s", out);
	CHECK(HAS("PASS  snp.report.signature") && HAS("PASS  snp.chain.ark"), "platform checks: %s", out);
	CHECK(HAS("FAIL  binding.statement") && HAS("not the one attested"), "%s", out);
	CHECK(HAS("PASS  statement.format"), "%s", out);
	return TEST_PASS;
}

static int test_vector_bundle_tdx_and_policy(void)
{
	char dir[256], b[300], pol[300];

	if (!test_vectors_dir())
		return test_skip_no_vectors();
	test_tmpdir(dir, sizeof(dir), "attest-vt");
	snprintf(b, sizeof(b), "%s/tdx.bundle", dir);
	snprintf(pol, sizeof(pol), "%s/policy.json", dir);
	CHECK(vector_bundle(b, PLATFORM_TDX, vp(0, "tdx/gotdx_tdx_prod_quote_SPR_E4.dat"), NULL, "{}") == 0, "bundle");
	CHECK(write_text(pol, "{\"allowed_platforms\": [\"tdx\"], \"tdx\": {\"mrtd\": "
			 "[\"6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb\"],"
			 " \"rtmr3\": [\"" "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
			 "0000000000000001\"]}}") == 0, "policy");
	CHECK(RUN("verify", b, "--now", "2023-07-01T01:00:00Z", "--policy", pol) == 1, "%s", out);
	CHECK(HAS("PASS  tdx.quote.signature") && HAS("PASS  policy.tdx.mrtd") && HAS("PASS  policy.platform"), "%s", out);
	CHECK(HAS("FAIL  policy.tdx.rtmr3") && HAS("FAIL  binding.statement") && HAS("FAIL  statement.format"), "%s", out);
	CHECK(write_text(pol, "{\"tdx\": {\"mrtdd\": []}}") == 0, "policy");
	CHECK(RUN("verify", b, "--policy", pol) == 125 && HAS("unknown key 'tdx.mrtdd'"), "%s", out);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "report_snp_vectors_verify_in_window", test_report_snp_vectors_verify_in_window },
	{ "report_outside_window_fails_on_time", test_report_outside_window_fails_on_time },
	{ "report_tdx_quotes_verify", test_report_tdx_quotes_verify },
	{ "report_missing_certificate_is_named", test_report_missing_certificate_is_named },
	{ "tdreport_is_not_evidence", test_tdreport_is_not_evidence },
	{ "unusable_input_exits_125", test_unusable_input_exits_125 },
	{ "vector_bundle_platform_passes_binding_fails", test_vector_bundle_platform_passes_binding_fails },
	{ "vector_bundle_tdx_and_policy", test_vector_bundle_tdx_and_policy },
};

TEST_MAIN("attest_cli", tests)
